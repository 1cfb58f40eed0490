//! The ARP-spoofing rule: a hardware address claiming an IPv4 address that another one holds.
//!
//! ARP cache poisoning — dsniff's `arpspoof -t VICTIM -r GATEWAY`, `ettercap -M arp`,
//! bettercap's `arp.spoof`, the Kitsune data set's "ARP MitM" — makes a host send its traffic
//! for an address to the attacker's hardware address instead of the address's owner: the
//! attacker sends ARP replies saying "GATEWAY is-at ATTACKER-MAC" to the victim (and, with
//! `-r` or ettercap's `remote`, "VICTIM is-at ATTACKER-MAC" to the gateway), again and again
//! so that the entries never go back (arpspoof every 2 s, ettercap every 10 s after a warm-up
//! of one a second). Nothing of it is IP: the networks never see it.
//!
//! **What is watched.** Every *claim*: an ARP request or reply whose sender protocol address
//! `S` is not 0.0.0.0 says "S is at sender-MAC" (RFC 826's merge: receivers update their
//! entry for `S` from any ARP message). Per address, the rule keeps its latest two claimants
//! (hardware addresses) and when each last claimed it. The claimant *holds* the address for
//! [`HOLD`] after its latest claim.
//!
//! **Evidence**, added to a damped count per address ([`HALF_LIFE`]):
//! - a *change*: a claim by another hardware address than the latest claimant's while that
//!   one still holds the address (+1). arpwatch's "changed ethernet address" and "flip flop":
//!   while the owner keeps answering the hosts that are not poisoned and the attacker keeps
//!   poisoning, the binding flips back and forth.
//! - an *unsolicited reply*: a reply (not gratuitous: target address ≠ sender address) whose
//!   receiver did not ask for that address in the last [`SOLICIT`] seconds, from a hardware
//!   address other than the one holding it (+1). This is the poisoner's own message, at its
//!   steady rate, whether the owner speaks again or not. Hosts answer requests; an operating
//!   system's ARP sends no reply nobody asked for (announcements are gratuitous: sender
//!   address = target address, RFC 5227 §2.3, which is a claim, counted only as a change).
//!
//! When an address's count reaches the threshold
//! ([`DetectSettings::arp_spoof_threshold`](crate::detect::DetectSettings::arp_spoof_threshold),
//! default [`DEFAULT_THRESHOLD`], 5), the attacker is the claimant that sent more unsolicited
//! replies for it (on a tie, the one that claimed it later: the other held it first); its
//! claims of the address from then on, while the other still holds it, are `other-attack`
//! (and, while its episode lasts, its unsolicited replies for any address another holds, and
//! its claims of any address it was found spoofing), and its episode — per attacking hardware
//! address, over all the addresses it claims (arpspoof `-r` claims the victim's and the
//! gateway's) — is alerted once when it has been quiet for the gap (at least [`MIN_GAP`],
//! more than ettercap's 10 s between rounds).
//!
//! **Why both kinds of evidence (measured).** In the lab's capture (`lab/arpspoof.sh`,
//! `data/captures/arpspoof.pcap`) arpspoof sent 29 replies for each address, 2 s apart, and
//! the owners claimed their addresses during the minute only when the attacker's own host
//! asked for them or the victim asked for the attacker's address: a poisoned Linux host never
//! re-asks, since each unicast reply confirms its entry (`NUD_REACHABLE`), so the flip-flop
//! that arpwatch waits for comes a handful of times at most. The unsolicited replies carry the
//! detection; the changes make it sooner, and catch a poisoner that only answers requests.
//!
//! **What is not spoofing, and stays below the threshold.** A host announcing itself at boot
//! or on an address change (gratuitous ARP for an address no one else holds: no change). DHCP
//! giving an address to a new machine, a replaced network card, a VRRP or keepalived
//! failover and its fail-back: one change each (the old holder falls silent for the address;
//! keepalived's five gratuitous ARPs are one change), so a few such moves within
//! [`HALF_LIFE`] stay below 5. Proxy ARP (a router answering for many addresses with its own
//! hardware address): no one else claims those addresses. Duplicate-address probes (sender
//! 0.0.0.0, RFC 5227): no claim. Linux's unicast re-checks: the sender's claim of its own
//! address. Replies to requests (however late, within [`SOLICIT`], e.g. Linux's proxy ARP
//! delay of up to 0.8 s).
//!
//! **What it may call spoofing.** Two hosts configured with the same address (both answer,
//! the binding flips: arpwatch's flip-flop, a fault worth reporting). A host with two
//! interfaces on one LAN answering for its addresses on both (Linux's "ARP flux" with
//! `arp_ignore=0`), if the two answers keep coming in a changing order. A failover that flaps
//! several times within minutes.
//!
//! **What it cannot see.** A poisoner of an address that no other hardware address claimed in
//! the last [`HOLD`] (capture begun after the owner last spoke, or an address no one uses):
//! nothing contradicts it. Messages whose ARP sender hardware address differs from their
//! frame's source (the capture's link source is not kept): a tool restoring the caches as it
//! stops sends the owner's hardware address, and that is taken as the owner's claim.
//!
//! **The alert.** Source: the attacker's own IPv4 address when its hardware address gave one in
//! its ARP messages that no one else claims (arpspoof and ettercap resolve their targets with
//! their own address first; the kernel of a host forwarding for its victims resolves them
//! too), else the first address it claimed. Destination: the receiver of its latest
//! unsolicited reply (the host whose cache it poisons), else the claimed address. Looking at
//! the sources of IP packets would need the frames' source hardware address for every packet;
//! the rule looks at ARP only.
//!
//! Sans-IO: [`ArpSpoofs::push`] takes each ARP message, [`ArpSpoofs::advance`] lets time pass
//! (episodes quiet for the gap are reported), [`ArpSpoofs::finish`] ends them all. Bounded: at
//! most [`ADDRESS_CAPACITY`] addresses (those no one has held for [`HOLD`] are forgotten when
//! full, then all), [`REQUEST_CAPACITY`] recent requests (older than [`SOLICIT`] forgotten when
//! full, then all), [`MAC_CAPACITY`] hardware addresses' own addresses (all forgotten when
//! full) and [`EPISODE_CAPACITY`] open episodes (a new attacker finds no room while all are
//! open).

use std::collections::HashMap;
use std::net::Ipv4Addr;

use nightjar_packet::{ArpOp, ArpRepr};
use serde_json::{json, Value};

use crate::alert::{iso8601, Alert};
use crate::arpsweep::mac_string;
use crate::class::Class;

/// The threshold by default: five pieces of evidence (changes and unsolicited replies) for one
/// address within about [`HALF_LIFE`]. arpspoof reaches it with its fifth reply, 8 s into an
/// attack (its first reply is a change and unsolicited: 2, then one every 2 s, 4.96 after the
/// fourth with the decay), sooner when the owner or the victim speaks in between (4 s in the
/// lab's capture, `data/captures/arpspoof.pcap`); ettercap with the fifth round of its
/// warm-up; one reply every 30 s with the fifth. A failover and its fail-back are 2.
pub const DEFAULT_THRESHOLD: f32 = 5.0;
/// Half-life of an address's count of evidence, seconds.
pub const HALF_LIFE: f64 = 300.0;
/// A hardware address holds an address for this long after its latest claim of it, seconds:
/// Linux keeps a neighbour entry that is in use as long as it is confirmed, and re-asks a
/// quiet one after some 30 to 60 s; five minutes covers hosts that speak now and then.
pub const HOLD: f64 = 300.0;
/// A reply answers a request for its sender address from its receiver made at most this long
/// before, seconds (Linux retries a request every second, three times; its proxy ARP answers
/// up to 0.8 s late).
pub const SOLICIT: f64 = 3.0;
/// Episodes end after at least this many seconds without the attacker's claims, whatever the
/// episodes' gap: ettercap poisons again every 10 s, arpspoof every 2 s.
pub const MIN_GAP: f64 = 60.0;
/// Addresses whose claimants are kept, at most.
pub const ADDRESS_CAPACITY: usize = 1 << 16;
/// Recent (requester, address asked for) requests kept, at most.
pub const REQUEST_CAPACITY: usize = 1 << 16;
/// Hardware addresses whose own protocol addresses are remembered, at most.
pub const MAC_CAPACITY: usize = 1 << 14;
/// Open episodes, at most.
pub const EPISODE_CAPACITY: usize = 1 << 12;
/// Claimed addresses an alert names, at most.
pub const ADDRESSES: usize = 4;
/// Claimed addresses an episode tells apart, at most (past that, new ones are not counted).
pub const EPISODE_ADDRESSES: usize = 1024;
/// Sender addresses remembered per hardware address.
const SEEN_AS: usize = 4;

/// One address an attacker claimed: the address, its holder's hardware address, and the
/// receiver of the attacker's latest unsolicited reply claiming it (0.0.0.0: none).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Claimed {
    pub address: Ipv4Addr,
    pub held_by: [u8; 6],
    pub victim: Ipv4Addr,
}

/// One ARP-spoofing episode: what an alert reports (`nightjar.arp_spoof` in EVE).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ArpSpoof {
    /// The attacker's hardware address.
    pub mac: [u8; 6],
    /// Its own IPv4 address, if its ARP messages gave one no one else claims (else 0.0.0.0).
    pub own: Ipv4Addr,
    /// The addresses it claimed (the first [`ADDRESSES`]; `claimed_count` in all).
    pub claimed: [Option<Claimed>; ADDRESSES],
    pub claimed_count: u64,
    /// Its first claim of the first address, its latest flagged claim, seconds since the epoch.
    pub first_seen: f64,
    pub last_seen: f64,
    /// When the first address's count reached the threshold.
    pub detected_at: f64,
    /// Its claims flagged `other-attack` (those after the threshold, of addresses still held
    /// by another).
    pub flagged: u64,
    /// Of those, unsolicited replies.
    pub unsolicited: u64,
    /// Changes of binding of its addresses while the episode lasted (both ways).
    pub changes: u64,
}

impl ArpSpoof {
    /// The alert's source: the attacker's own address, else the first address it claimed.
    pub fn source(&self) -> Ipv4Addr {
        if self.own.is_unspecified() {
            self.claimed[0].map_or(Ipv4Addr::UNSPECIFIED, |c| c.address)
        } else {
            self.own
        }
    }

    /// The alert's destination: the receiver of unsolicited replies for the first address that
    /// has one, else the first claimed address.
    pub fn victim(&self) -> Ipv4Addr {
        self.claimed
            .iter()
            .flatten()
            .map(|c| c.victim)
            .find(|v| !v.is_unspecified())
            .or(self.claimed[0].map(|c| c.address))
            .unwrap_or(Ipv4Addr::UNSPECIFIED)
    }

    /// The alert: class `other-attack`, its flagged claims as the packets.
    pub fn to_alert(&self) -> Alert {
        Alert {
            arp_spoof: Some(*self),
            network: None,
            ..Alert::of_rule(
                (self.source().into(), self.victim().into(), 0),
                Class::OtherAttack,
                self.flagged,
                self.flagged,
                (self.first_seen, self.last_seen),
            )
        }
    }

    /// "ARP spoofing: A claimed by MAC m (held by h)", with ", and B (held by h2)" for a second
    /// address and "and N more" past that.
    pub fn describe(&self) -> String {
        let mut s = String::from("ARP spoofing: ");
        for (i, c) in self.claimed.iter().flatten().take(2).enumerate() {
            if i == 0 {
                s.push_str(&format!(
                    "{} claimed by MAC {} (held by {})",
                    c.address,
                    mac_string(self.mac),
                    mac_string(c.held_by)
                ));
            } else {
                s.push_str(&format!(
                    " and {} (held by {})",
                    c.address,
                    mac_string(c.held_by)
                ));
            }
        }
        if self.claimed_count > 2 {
            s.push_str(&format!(" and {} more", self.claimed_count - 2));
        }
        s
    }

    /// The evidence as JSON (for an EVE alert's `nightjar` object).
    pub fn to_json(&self) -> Value {
        json!({
            "rule": "arp-spoof",
            "mac": mac_string(self.mac),
            "own_address": (!self.own.is_unspecified()).then(|| self.own.to_string()),
            "claimed": self.claimed.iter().flatten().map(|c| json!({
                "address": c.address.to_string(),
                "held_by": mac_string(c.held_by),
                "victim": (!c.victim.is_unspecified()).then(|| c.victim.to_string()),
            })).collect::<Vec<_>>(),
            "claimed_addresses": self.claimed_count,
            "unsolicited_replies": self.unsolicited,
            "changes": self.changes,
            "detected_at": iso8601(self.detected_at),
        })
    }
}

/// A hardware address claiming an address.
#[derive(Clone, Copy, Debug)]
struct Claimant {
    mac: [u8; 6],
    /// Its first claim (since it last became a claimant) and its latest.
    first: f64,
    last: f64,
    /// The first claim of its current run (claims less than the episodes' gap apart): where
    /// an episode of it begins.
    run: f64,
    /// Its unsolicited replies for the address while another held it.
    unsolicited: u64,
    /// The receiver of its latest unsolicited reply (0: none).
    victim: u32,
}

impl Claimant {
    fn new(mac: [u8; 6], now: f64) -> Claimant {
        Claimant {
            mac,
            first: now,
            last: now,
            run: now,
            unsolicited: 0,
            victim: 0,
        }
    }

    fn holds(&self, now: f64) -> bool {
        now - self.last <= HOLD
    }
}

/// An address's latest claimant, the one before it, and the count of evidence.
#[derive(Clone, Copy, Debug)]
struct Binding {
    cur: Claimant,
    prev: Option<Claimant>,
    /// Damped count of evidence and when it was last brought up to date.
    n: f64,
    at: f64,
}

impl Binding {
    fn add(&mut self, now: f64, d: f64) -> f64 {
        let dt = (now - self.at).max(0.0);
        self.n = self.n * (-dt / HALF_LIFE).exp2() + d;
        self.at = now;
        self.n
    }

    /// The attacker among the two claimants: more unsolicited replies, or the later comer.
    fn attacker(&self) -> Option<(&Claimant, &Claimant)> {
        let p = self.prev.as_ref()?;
        let c = &self.cur;
        Some(if (c.unsolicited, c.first) >= (p.unsolicited, p.first) {
            (c, p)
        } else {
            (p, c)
        })
    }
}

/// An open episode of one attacking hardware address.
#[derive(Clone, Debug)]
struct Episode {
    spoof: ArpSpoof,
    /// The claimed addresses, for look-up (the first [`EPISODE_ADDRESSES`]).
    addresses: Vec<u32>,
}

/// Counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ArpSpoofStats {
    /// ARP messages that claimed an address (sender address not 0.0.0.0).
    pub claims: u64,
    /// Changes of binding while the former claimant still held the address.
    pub changes: u64,
    /// Unsolicited replies for an address another hardware address held.
    pub unsolicited: u64,
    /// Replies that answered a recent request.
    pub answers: u64,
    /// Gratuitous messages (sender address = target address).
    pub gratuitous: u64,
    /// Episodes reported.
    pub episodes: u64,
    /// Times a table was full and was cleared (of its stale entries, or all of them).
    pub table_resets: u64,
    /// Attackers found while the episode table was full (not reported).
    pub episodes_dropped: u64,
}

/// The ARP-spoofing rule's state.
pub struct ArpSpoofs {
    threshold: f64,
    gap: f64,
    bindings: HashMap<u32, Binding>,
    /// (requester, address asked for) → time of the latest request.
    requests: HashMap<(u32, u32), f64>,
    /// Hardware address → sender addresses its messages gave (latest first; 0: none).
    macs: HashMap<[u8; 6], [u32; SEEN_AS]>,
    episodes: HashMap<[u8; 6], Episode>,
    /// The earliest time an open episode may end (∞ when none).
    next_due: f64,
    clock: f64,
    stats: ArpSpoofStats,
}

impl ArpSpoofs {
    /// The rule with its threshold (0: off) and the episodes' gap (they end after
    /// `max(gap, MIN_GAP)` without the attacker's claims).
    pub fn new(threshold: f32, gap: f64) -> ArpSpoofs {
        ArpSpoofs {
            threshold: f64::from(threshold),
            gap: gap.max(MIN_GAP),
            bindings: HashMap::new(),
            requests: HashMap::new(),
            macs: HashMap::new(),
            episodes: HashMap::new(),
            next_due: f64::INFINITY,
            clock: f64::NEG_INFINITY,
            stats: ArpSpoofStats::default(),
        }
    }

    /// Counters so far.
    pub fn stats(&self) -> &ArpSpoofStats {
        &self.stats
    }

    /// Take the next ARP message; its verdict: `other-attack` if it is an attacker's claim of
    /// an address another holds, after that address's count reached the threshold, else
    /// `normal`. Episodes that ended before it are reported through `report` first.
    pub fn push(&mut self, a: &ArpRepr, report: &mut dyn FnMut(ArpSpoof)) -> Class {
        if self.threshold <= 0.0 {
            return Class::Normal;
        }
        if a.ts.is_finite() && a.ts > self.clock {
            self.clock = a.ts;
        }
        let now = self.clock;
        self.advance(now, report);
        let (spa, tpa) = (u32::from(a.sender_ip), u32::from(a.target_ip));
        let evidence = match a.op {
            ArpOp::Request => {
                self.asked(spa, tpa, now);
                if spa == 0 {
                    return Class::Normal; // an address probe claims nothing
                }
                if spa == tpa {
                    self.stats.gratuitous += 1;
                }
                0.0
            }
            ArpOp::Reply if spa == 0 => return Class::Normal,
            ArpOp::Reply if spa == tpa => {
                self.stats.gratuitous += 1;
                0.0
            }
            ArpOp::Reply => {
                let asked = self
                    .requests
                    .get(&(tpa, spa))
                    .is_some_and(|&t| now - t <= SOLICIT && now >= t);
                if asked {
                    self.stats.answers += 1;
                    0.0
                } else {
                    1.0
                }
            }
            ArpOp::Other(_) => return Class::Normal,
        };
        self.stats.claims += 1;
        self.seen_as(a.sender_mac, spa);
        self.claim(a.sender_mac, spa, tpa, evidence, now)
    }

    /// `requester` asked for `address` (0: an address probe's).
    fn asked(&mut self, requester: u32, address: u32, now: f64) {
        make_room(
            &mut self.requests,
            &(requester, address),
            REQUEST_CAPACITY,
            &mut self.stats.table_resets,
            |_, t| now - *t <= SOLICIT,
        );
        self.requests.insert((requester, address), now);
    }

    /// Hardware address `mac` gave sender address `spa`.
    fn seen_as(&mut self, mac: [u8; 6], spa: u32) {
        make_room(
            &mut self.macs,
            &mac,
            MAC_CAPACITY,
            &mut self.stats.table_resets,
            |_, _| false,
        );
        let seen = self.macs.entry(mac).or_default();
        if seen[0] == spa {
            return;
        }
        let at = seen.iter().position(|&x| x == spa).unwrap_or(SEEN_AS - 1);
        seen.copy_within(0..at, 1);
        seen[0] = spa;
    }

    /// `mac` claims `spa` (in a message to `tpa`); `unsolicited` is 1 for a reply no one asked
    /// for.
    fn claim(&mut self, mac: [u8; 6], spa: u32, tpa: u32, unsolicited: f64, now: f64) -> Class {
        make_room(
            &mut self.bindings,
            &spa,
            ADDRESS_CAPACITY,
            &mut self.stats.table_resets,
            |_, b| b.prev.is_some_and(|p| p.holds(now)) && b.cur.holds(now),
        );
        let b = self.bindings.entry(spa).or_insert(Binding {
            cur: Claimant::new(mac, now),
            prev: None,
            n: 0.0,
            at: now,
        });
        let mut evidence = 0.0;
        let mut changed = false;
        if b.cur.mac != mac {
            let held = b.cur.holds(now);
            let old = b.cur;
            b.cur = match b.prev {
                Some(p) if p.mac == mac && p.holds(now) => p,
                _ => Claimant::new(mac, now),
            };
            b.prev = Some(old);
            if held {
                evidence += 1.0;
                changed = true;
            }
        }
        if now - b.cur.last > self.gap {
            b.cur.run = now;
        }
        b.cur.last = now;
        // contested: another hardware address still holds the address
        let contested = b.prev.is_some_and(|p| p.holds(now));
        if contested && unsolicited > 0.0 {
            evidence += 1.0;
            b.cur.unsolicited += 1;
            b.cur.victim = tpa;
            self.stats.unsolicited += 1;
        }
        if changed {
            self.stats.changes += 1;
        }
        let n = b.add(now, evidence);
        if !contested {
            return Class::Normal;
        }
        let is_attacker = b.attacker().is_some_and(|(att, _)| att.mac == mac);
        if let Some(ep) = self.episodes.get_mut(&mac) {
            // an open episode: its claims of an address another holds are the attack's, once
            // the address is one of the episode's, its count reached the threshold, or the
            // claim is an unsolicited reply
            let known = ep.addresses.contains(&spa);
            if !(is_attacker && (known || n >= self.threshold || unsolicited > 0.0)) {
                return Class::Normal;
            }
            Self::note_address(ep, spa, b);
            ep.spoof.changes += u64::from(changed);
            ep.spoof.flagged += 1;
            ep.spoof.unsolicited += u64::from(unsolicited > 0.0);
            ep.spoof.last_seen = now;
            self.next_due = self.next_due.min(now + self.gap);
            return Class::OtherAttack;
        }
        if n < self.threshold || !is_attacker {
            return Class::Normal;
        }
        if self.episodes.len() >= EPISODE_CAPACITY {
            self.stats.episodes_dropped += 1;
            return Class::Normal;
        }
        let first = b.cur.run;
        let mut ep = Episode {
            spoof: ArpSpoof {
                mac,
                own: Ipv4Addr::UNSPECIFIED,
                claimed: [None; ADDRESSES],
                claimed_count: 0,
                first_seen: first,
                last_seen: now,
                detected_at: now,
                flagged: 1,
                unsolicited: u64::from(unsolicited > 0.0),
                changes: u64::from(changed),
            },
            addresses: Vec::new(),
        };
        Self::note_address(&mut ep, spa, b);
        self.episodes.insert(mac, ep);
        self.next_due = self.next_due.min(now + self.gap);
        Class::OtherAttack
    }

    /// Add `spa` (bound as `b`) to the episode's addresses, or bring its victim up to date.
    fn note_address(ep: &mut Episode, spa: u32, b: &Binding) {
        let (att, holder) = match b.attacker() {
            Some((a, h)) if a.mac == ep.spoof.mac => (a, h),
            Some((h, a)) => (a, h),
            None => return,
        };
        if let Some(i) = ep.addresses.iter().position(|&x| x == spa) {
            if let Some(c) = ep.spoof.claimed.get_mut(i).and_then(Option::as_mut) {
                if att.victim != 0 {
                    c.victim = Ipv4Addr::from(att.victim);
                }
            }
            return;
        }
        if ep.addresses.len() >= EPISODE_ADDRESSES {
            return;
        }
        if let Some(slot) = ep.spoof.claimed.get_mut(ep.addresses.len()) {
            *slot = Some(Claimed {
                address: Ipv4Addr::from(spa),
                held_by: holder.mac,
                victim: Ipv4Addr::from(att.victim),
            });
        }
        ep.addresses.push(spa);
        ep.spoof.first_seen = ep.spoof.first_seen.min(att.run);
        ep.spoof.claimed_count += 1;
    }

    /// The attacker's own address: the latest sender address its messages gave that no other
    /// hardware address holds and that is not one it claims in the episode.
    fn own_address(&self, ep: &Episode, now: f64) -> Ipv4Addr {
        let Some(seen) = self.macs.get(&ep.spoof.mac) else {
            return Ipv4Addr::UNSPECIFIED;
        };
        seen.iter()
            .copied()
            .filter(|&x| x != 0 && !ep.addresses.contains(&x))
            .find(|x| {
                !self.bindings.get(x).is_some_and(|b| {
                    let other = if b.cur.mac == ep.spoof.mac {
                        b.prev
                    } else {
                        Some(b.cur)
                    };
                    other.is_some_and(|o| o.holds(now))
                })
            })
            .map_or(Ipv4Addr::UNSPECIFIED, Ipv4Addr::from)
    }

    /// Let time pass: episodes without a flagged claim for the gap are reported. Called for
    /// every IP packet: the test of the earliest end is inlined, the rest is not.
    #[inline]
    pub fn advance(&mut self, now: f64, report: &mut dyn FnMut(ArpSpoof)) {
        if now >= self.next_due {
            self.end_quiet(now, report);
        }
    }

    #[inline(never)]
    fn end_quiet(&mut self, now: f64, report: &mut dyn FnMut(ArpSpoof)) {
        let gap = self.gap;
        self.end(|ep| now - ep.spoof.last_seen > gap, now, report);
    }

    /// End every open episode.
    pub fn finish(&mut self, report: &mut dyn FnMut(ArpSpoof)) {
        let now = self.clock;
        self.end(|_| true, now, report);
    }

    /// Report the episodes `done` picks, in the order of their last claims.
    fn end(&mut self, done: impl Fn(&Episode) -> bool, now: f64, report: &mut dyn FnMut(ArpSpoof)) {
        let macs: Vec<[u8; 6]> = self
            .episodes
            .values()
            .filter(|e| done(e))
            .map(|e| e.spoof.mac)
            .collect();
        let mut ended: Vec<Episode> = macs
            .iter()
            .filter_map(|m| self.episodes.remove(m))
            .collect();
        ended.sort_by(|a, b| a.spoof.last_seen.total_cmp(&b.spoof.last_seen));
        for mut ep in ended {
            ep.spoof.own = self.own_address(&ep, now);
            self.stats.episodes += 1;
            report(ep.spoof);
        }
        let gap = self.gap;
        self.next_due = self
            .episodes
            .values()
            .map(|e| e.spoof.last_seen + gap)
            .fold(f64::INFINITY, f64::min);
    }
}

/// Make room for `key` in `map`, bounded at `cap` entries: when `key` is new and the map is
/// full, keep only the entries `keep` keeps, and if that frees nothing, forget them all (each
/// time counted in `resets`).
fn make_room<K: Eq + std::hash::Hash, V>(
    map: &mut HashMap<K, V>,
    key: &K,
    cap: usize,
    resets: &mut u64,
    keep: impl FnMut(&K, &mut V) -> bool,
) {
    if map.contains_key(key) || map.len() < cap {
        return;
    }
    *resets += 1;
    map.retain(keep);
    if map.len() >= cap {
        map.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lan(host: u32) -> Ipv4Addr {
        Ipv4Addr::from(0xc612_0000 + host) // 198.18.0.0 + host
    }

    /// The lab's hardware addresses: 02:00:c6:12:00:HH for host 198.18.0.HH.
    fn mac(host: u8) -> [u8; 6] {
        [2, 0, 0xc6, 0x12, 0, host]
    }

    /// An ARP message: `sha` says it has `spa`, to `tpa`; requests go to the broadcast
    /// address.
    fn msg(ts: f64, op: ArpOp, sha: [u8; 6], spa: Ipv4Addr, tpa: Ipv4Addr) -> ArpRepr {
        ArpRepr {
            index: 0,
            ts,
            wire_len: 42,
            op,
            sender_mac: sha,
            sender_ip: spa,
            target_mac: [0; 6],
            target_ip: tpa,
            link_dst: Some(if op == ArpOp::Request {
                [0xff; 6]
            } else {
                [2, 0, 9, 9, 9, 9]
            }),
        }
    }

    fn rule() -> ArpSpoofs {
        ArpSpoofs::new(DEFAULT_THRESHOLD, 4.0)
    }

    struct Lan {
        r: ArpSpoofs,
        out: Vec<ArpSpoof>,
    }

    impl Lan {
        fn new(r: ArpSpoofs) -> Lan {
            Lan { r, out: Vec::new() }
        }

        fn push(&mut self, a: ArpRepr) -> Class {
            let out = &mut self.out;
            self.r.push(&a, &mut |s| out.push(s))
        }

        /// Host `who` (its own hardware address) asks for `addr` and `owner` answers 1 ms
        /// later (`late` more, for a proxy); the two verdicts.
        fn resolve(&mut self, t: f64, who: u32, addr: Ipv4Addr, owner: [u8; 6]) -> [Class; 2] {
            self.resolve_late(t, who, addr, owner, 0.0)
        }

        fn resolve_late(
            &mut self,
            t: f64,
            who: u32,
            addr: Ipv4Addr,
            owner: [u8; 6],
            late: f64,
        ) -> [Class; 2] {
            let q = msg(t, ArpOp::Request, mac(who as u8), lan(who), addr);
            let a = msg(t + 0.001 + late, ArpOp::Reply, owner, addr, lan(who));
            [self.push(q), self.push(a)]
        }

        /// An unsolicited reply from `sha` claiming `claimed` to `victim`.
        fn spoof(&mut self, t: f64, sha: [u8; 6], claimed: Ipv4Addr, victim: Ipv4Addr) -> Class {
            self.push(msg(t, ArpOp::Reply, sha, claimed, victim))
        }

        /// A gratuitous request from `sha` for `addr`.
        fn announce(&mut self, t: f64, sha: [u8; 6], addr: Ipv4Addr) -> Class {
            self.push(msg(t, ArpOp::Request, sha, addr, addr))
        }

        fn advance(&mut self, t: f64) {
            let out = &mut self.out;
            self.r.advance(t, &mut |s| out.push(s));
        }

        fn finish(&mut self) {
            let out = &mut self.out;
            self.r.finish(&mut |s| out.push(s));
        }
    }

    /// End `l`, which must have reported nothing; its counters.
    fn quiet(mut l: Lan) -> ArpSpoofStats {
        l.finish();
        assert!(l.out.is_empty(), "{:?}", l.out);
        *l.r.stats()
    }

    /// The start of the lab's run: victim .10 and gateway .1 resolve each other, the attacker
    /// .66 resolves both with its own address (as arpspoof does before it poisons).
    fn lab_start(l: &mut Lan) {
        l.resolve(0.0, 10, lan(1), mac(1));
        l.resolve(0.1, 1, lan(10), mac(10));
        l.resolve(1.0, 66, lan(10), mac(10));
        l.resolve(1.0, 66, lan(1), mac(1));
    }

    #[test]
    fn arpspoof_poisoning_both_ways_is_one_episode_of_the_attacker() {
        let mut l = Lan::new(rule());
        lab_start(&mut l);
        let a = mac(66);
        // arpspoof -t .10 -r .1: a reply to each every 2 s for a minute; the gateway answers
        // a client that is not poisoned (.20) every 20 s (the binding of .1 flips back)
        let mut v = Vec::new();
        for i in 0..30u32 {
            let t = 10.0 + 2.0 * f64::from(i);
            v.push(l.spoof(t, a, lan(1), lan(10)));
            v.push(l.spoof(t, a, lan(10), lan(1)));
            if i % 10 == 5 {
                assert_eq!(l.resolve(t + 0.5, 20, lan(1), mac(1)), [Class::Normal; 2]);
            }
        }
        // the first reply is a change and unsolicited (2), then one more each: the fourth
        // reply reaches 5
        let first = v.iter().position(|c| c.is_attack()).unwrap();
        assert_eq!(first, 8, "{v:?}");
        assert!(v[8..].iter().all(|c| c.is_attack()));
        // as it stops, arpspoof restores the caches, sending the owners' hardware addresses:
        // the owners' claims, not flagged
        for i in 0..5u32 {
            let t = 70.0 + f64::from(i);
            assert_eq!(l.spoof(t, mac(1), lan(1), lan(10)), Class::Normal);
            assert_eq!(l.spoof(t, mac(10), lan(10), lan(1)), Class::Normal);
        }
        l.advance(68.0 + MIN_GAP);
        assert!(l.out.is_empty(), "the gap has not passed");
        l.advance(68.5 + MIN_GAP);
        assert_eq!(l.out.len(), 1);
        let s = l.out[0];
        assert_eq!((s.mac, s.own), (a, lan(66)));
        assert_eq!(s.claimed_count, 2);
        assert_eq!(
            s.claimed[..2],
            [
                Some(Claimed {
                    address: lan(1),
                    held_by: mac(1),
                    victim: lan(10)
                }),
                Some(Claimed {
                    address: lan(10),
                    held_by: mac(10),
                    victim: lan(1)
                })
            ]
        );
        assert_eq!((s.flagged, s.unsolicited), (52, 52));
        assert_eq!(
            (s.first_seen, s.detected_at, s.last_seen),
            (10.0, 18.0, 68.0)
        );
        // the gateway's three answers to .20 flipped .1 back, and each next reply forth
        assert_eq!(s.changes, 3);
        assert_eq!(l.r.stats().episodes, 1);
        let alert = s.to_alert();
        assert_eq!(alert.src, std::net::IpAddr::from(lan(66)));
        assert_eq!(alert.dst, std::net::IpAddr::from(lan(10)));
        assert_eq!((alert.class, alert.packets), (Class::OtherAttack, 52));
        assert_eq!(alert.proto_str(), "ARP");
        assert_eq!(alert.category(), "Potentially Bad Traffic");
        assert_eq!(
            alert.signature(),
            "NIGHTJAR other-attack (ARP spoofing: 198.18.0.1 claimed by MAC 02:00:c6:12:00:42 \
             (held by 02:00:c6:12:00:01) and 198.18.0.10 (held by 02:00:c6:12:00:0a)) from \
             198.18.0.66 against 198.18.0.10"
        );
        let j = alert.to_eve();
        assert_eq!(j["proto"], "ARP");
        let e = &j["nightjar"]["arp_spoof"];
        assert_eq!(e["rule"], "arp-spoof");
        assert_eq!(e["own_address"], "198.18.0.66");
        assert_eq!(e["claimed"][1]["held_by"], "02:00:c6:12:00:0a");
        assert_eq!(e["claimed"][1]["victim"], "198.18.0.1");
        assert_eq!(e["unsolicited_replies"], 52);
        assert!(j["nightjar"].get("arp_sweep").is_none());
        l.finish();
        assert_eq!(l.out.len(), 1, "nothing left open");
    }

    #[test]
    fn ettercap_s_pace_and_a_slower_one_are_found() {
        // ettercap -M arp: a warm-up of five rounds a second apart, then one every 10 s
        let mut l = Lan::new(rule());
        lab_start(&mut l);
        let times: Vec<f64> = (0..5)
            .map(|i| 10.0 + f64::from(i))
            .chain((1..10).map(|i| 14.0 + 10.0 * f64::from(i)))
            .collect();
        let v: Vec<Class> = times
            .iter()
            .map(|&t| l.spoof(t, mac(66), lan(1), lan(10)))
            .collect();
        assert_eq!(v.iter().position(|c| c.is_attack()), Some(4));
        l.finish();
        assert_eq!(l.out.len(), 1);
        assert_eq!((l.out[0].flagged, l.out[0].claimed_count), (10, 1));
        // one reply every 30 s, no warm-up: 2, then +1 each less the decay (2^-0.1 a step):
        // the fifth reply reaches 5
        let mut l = Lan::new(rule());
        lab_start(&mut l);
        let v: Vec<Class> = (0..10)
            .map(|i| l.spoof(10.0 + 30.0 * f64::from(i), mac(66), lan(1), lan(10)))
            .collect();
        assert_eq!(v.iter().position(|c| c.is_attack()), Some(4), "{v:?}");
    }

    #[test]
    fn two_hardware_addresses_answering_for_one_address_in_turn_flip_flop() {
        // requests for .5 answered by 02:..:29 and 02:..:4d in turn, every 5 s (a poisoner
        // answering requests faster than the owner, or two hosts with the same address): no
        // unsolicited reply, a change each time
        let mut l = Lan::new(rule());
        let mut v = Vec::new();
        for i in 0..12u32 {
            let owner = if i % 2 == 0 { mac(0x29) } else { mac(0x4d) };
            v.push((owner, l.resolve(f64::from(i) * 5.0, 20, lan(5), owner)[1]));
        }
        // after 7 changes less the decay the count is past 5 at round 6, but that is the first
        // holder's answer: the later comer's next one is flagged
        let first = v.iter().position(|(_, c)| c.is_attack()).unwrap();
        assert_eq!(first, 7);
        assert!(v[first..]
            .iter()
            .all(|&(m, c)| c.is_attack() == (m == mac(0x4d))));
        l.finish();
        assert_eq!(l.out.len(), 1);
        let s = l.out[0];
        assert_eq!(s.mac, mac(0x4d));
        assert_eq!(s.claimed[0].map(|c| c.held_by), Some(mac(0x29)));
        // it never gave an address of its own, and sent no unsolicited reply: the source is
        // the claimed address, and so is the destination
        assert_eq!((s.source(), s.victim()), (lan(5), lan(5)));
        assert_eq!(s.unsolicited, 0);
    }

    #[test]
    fn legitimate_arp_events_are_not_spoofing() {
        // a host's boot: RFC 5227 probes (sender 0.0.0.0), then announcements as requests
        // (arping -U) and as replies (arping -A), then answers
        let mut l = Lan::new(rule());
        for i in 0..3u32 {
            let t = f64::from(i);
            l.push(msg(
                t,
                ArpOp::Request,
                mac(30),
                Ipv4Addr::UNSPECIFIED,
                lan(30),
            ));
            l.announce(t + 3.0, mac(30), lan(30));
            l.push(msg(t + 6.0, ArpOp::Reply, mac(30), lan(30), lan(30)));
        }
        for i in 0..20u32 {
            l.resolve(10.0 + f64::from(i) * 7.0, 20, lan(30), mac(30));
        }
        // a second host probes for .30 (sender 0.0.0.0) and .30 defends it: its reply goes to
        // 0.0.0.0 and answers the probe
        l.push(msg(
            200.0,
            ArpOp::Request,
            mac(99),
            Ipv4Addr::UNSPECIFIED,
            lan(30),
        ));
        let d = msg(
            200.001,
            ArpOp::Reply,
            mac(30),
            lan(30),
            Ipv4Addr::UNSPECIFIED,
        );
        assert_eq!(l.push(d), Class::Normal);
        // Linux's unicast re-checks of a neighbour: the sender claims its own address
        for i in 0..50u32 {
            let mut q = msg(
                210.0 + f64::from(i),
                ArpOp::Request,
                mac(20),
                lan(20),
                lan(30),
            );
            q.link_dst = Some(mac(30));
            l.push(q);
            l.push(msg(
                210.001 + f64::from(i),
                ArpOp::Reply,
                mac(30),
                lan(30),
                lan(20),
            ));
        }
        let st = quiet(l);
        assert_eq!((st.changes, st.unsolicited, st.gratuitous), (0, 0, 6));
        assert!(st.answers >= 71);

        // DHCP gives .40 to a new machine: the old one answered for it until 300 s, the new
        // one announces it twice and answers from then on, for ten minutes
        let mut l = Lan::new(rule());
        for i in 0..10u32 {
            l.resolve(f64::from(i) * 30.0, 20, lan(40), mac(0x29));
        }
        l.announce(301.0, mac(0x2a), lan(40));
        l.announce(302.0, mac(0x2a), lan(40));
        for i in 0..20u32 {
            let v = l.resolve(303.0 + f64::from(i) * 30.0, 20, lan(40), mac(0x2a));
            assert_eq!(v, [Class::Normal; 2]);
        }
        assert_eq!(quiet(l).changes, 1);

        // a keepalived failover of VIP .5 (five gratuitous ARPs, five more 5 s later), its
        // fail-back a minute later and a second failover a minute after that: three changes
        let mut l = Lan::new(rule());
        let mut v = Vec::new();
        for i in 0..6u32 {
            v.extend(l.resolve(f64::from(i) * 10.0, 20, lan(5), mac(0x29)));
        }
        for (k, holder) in [mac(0x2a), mac(0x29), mac(0x2a)].into_iter().enumerate() {
            let t0 = 60.0 + 60.0 * k as f64;
            for burst in [0.0, 5.0] {
                for i in 0..5u32 {
                    v.push(l.announce(t0 + burst + f64::from(i) * 0.2, holder, lan(5)));
                }
            }
            for i in 0..5u32 {
                v.extend(l.resolve(t0 + 10.0 + f64::from(i) * 10.0, 20, lan(5), holder));
            }
        }
        assert!(v.iter().all(|c| *c == Class::Normal));
        assert_eq!(quiet(l).changes, 3);

        // proxy ARP: a router answers for 200 far addresses with its own hardware address,
        // 0.8 s late (Linux's proxy_delay), for many hosts
        let mut l = Lan::new(rule());
        for i in 0..2000u32 {
            let far = Ipv4Addr::from(0xc613_0000 + i % 200);
            let v = l.resolve_late(f64::from(i) * 0.1, 20 + i % 30, far, mac(1), 0.8);
            assert_eq!(v, [Class::Normal; 2]);
        }
        let st = quiet(l);
        assert_eq!((st.unsolicited, st.answers), (0, 2000));
    }

    #[test]
    fn what_it_cannot_see_an_address_no_one_else_held_lately() {
        // the poisoner's replies for an address no one else claimed (the capture began after
        // the owner last spoke): nothing contradicts them
        let mut l = Lan::new(rule());
        for i in 0..100u32 {
            assert_eq!(
                l.spoof(f64::from(i) * 2.0, mac(66), lan(1), lan(10)),
                Class::Normal
            );
        }
        // nor when the owner last claimed it more than HOLD before
        let mut l = Lan::new(rule());
        l.resolve(0.0, 10, lan(1), mac(1));
        for i in 0..100u32 {
            let t = HOLD + 1.0 + f64::from(i) * 2.0;
            assert_eq!(l.spoof(t, mac(66), lan(1), lan(10)), Class::Normal);
        }
        l.finish();
        assert!(l.out.is_empty());
        assert_eq!(l.r.stats().changes, 0);
        // but the owner speaking again contests it, and the replies count from then on
        l.resolve(600.0, 20, lan(1), mac(1));
        let v: Vec<Class> = (0..5)
            .map(|i| l.spoof(601.0 + f64::from(i) * 2.0, mac(66), lan(1), lan(10)))
            .collect();
        assert_eq!(v.iter().position(|c| c.is_attack()), Some(3), "{v:?}");
    }

    #[test]
    fn the_threshold_decides_and_zero_turns_the_rule_off() {
        for (threshold, first) in [(0.0, None), (5.0, Some(4)), (20.0, Some(19))] {
            let mut l = Lan::new(ArpSpoofs::new(threshold, 4.0));
            lab_start(&mut l);
            let v: Vec<Class> = (0..40)
                .map(|i| l.spoof(10.0 + f64::from(i) * 2.0, mac(66), lan(1), lan(10)))
                .collect();
            assert_eq!(v.iter().position(|c| c.is_attack()), first, "{threshold}");
            l.finish();
            assert_eq!(l.out.len(), usize::from(first.is_some()));
        }
    }

    #[test]
    fn attacks_apart_by_more_than_the_gap_are_two_episodes() {
        let mut l = Lan::new(rule());
        lab_start(&mut l);
        for i in 0..10u32 {
            l.spoof(10.0 + f64::from(i) * 2.0, mac(66), lan(1), lan(10));
        }
        // 100 s later (the count still high, the owner still holding): flagged at once
        l.resolve(50.0, 20, lan(1), mac(1));
        assert!(l.spoof(120.0, mac(66), lan(1), lan(10)).is_attack());
        assert_eq!(
            l.out.len(),
            1,
            "the first ended MIN_GAP after its last claim"
        );
        assert_eq!(l.out[0].last_seen, 28.0);
        l.finish();
        assert_eq!(l.out.len(), 2);
        assert_eq!((l.out[1].first_seen, l.out[1].flagged), (120.0, 1));
        // two attackers at once are two episodes, reported in the order they ended
        let mut l = Lan::new(rule());
        lab_start(&mut l);
        l.resolve(1.0, 20, lan(20), mac(20));
        for i in 0..10u32 {
            let t = 10.0 + f64::from(i) * 2.0;
            l.spoof(t, mac(66), lan(1), lan(10));
            if i < 8 {
                l.spoof(t, mac(67), lan(20), lan(10));
            }
        }
        l.finish();
        let who: Vec<_> = l.out.iter().map(|s| s.mac).collect();
        assert_eq!(who, vec![mac(67), mac(66)]);
        assert_eq!(l.out[0].source(), lan(20), "its own address is unknown");
    }

    #[test]
    fn many_addresses_name_the_first_two_and_count_the_rest() {
        let mut l = Lan::new(rule());
        for h in 100..110u32 {
            l.resolve(0.0, 20, lan(h), mac(h as u8));
        }
        for i in 0..6u32 {
            for h in 100..110u32 {
                l.spoof(10.0 + f64::from(i), mac(66), lan(h), lan(20));
            }
        }
        l.finish();
        assert_eq!(l.out.len(), 1);
        let s = l.out[0];
        assert_eq!(s.claimed_count, 10);
        assert!(s.claimed.iter().all(Option::is_some));
        assert!(s
            .describe()
            .ends_with("and 198.18.0.101 (held by 02:00:c6:12:00:65) and 8 more"));
    }

    #[test]
    fn memory_stays_bounded_under_a_flood_of_claims() {
        let mut l = Lan::new(rule());
        // 200,000 addresses, each asked for by another host and claimed by a hardware address
        // of its own, and a second one claiming it unsolicited
        for i in 0..200_000u32 {
            let t = f64::from(i) * 1e-4;
            let (addr, asker) = (
                Ipv4Addr::from(0x0a00_0000 + i),
                Ipv4Addr::from(0x0b00_0000 + i),
            );
            let m = (0x0c00_0000 + i).to_be_bytes();
            let sha = [2, 1, m[0], m[1], m[2], m[3]];
            l.push(msg(t, ArpOp::Request, [2, 2, 0, 0, 0, 1], asker, addr));
            l.push(msg(t, ArpOp::Reply, sha, addr, asker));
            l.push(msg(
                t,
                ArpOp::Reply,
                [2, 3, m[0], m[1], m[2], m[3]],
                addr,
                asker,
            ));
        }
        assert!(l.r.bindings.len() <= ADDRESS_CAPACITY);
        assert!(l.r.requests.len() <= REQUEST_CAPACITY);
        assert!(l.r.macs.len() <= MAC_CAPACITY);
        assert!(l.r.stats().table_resets > 0);
        assert!(l.out.is_empty());
        // more attackers than the episode table holds: the first EPISODE_CAPACITY are kept
        let mut l = Lan::new(rule());
        let n = EPISODE_CAPACITY as u32 + 100;
        for i in 0..n {
            let m = i.to_be_bytes();
            l.resolve(
                0.0,
                20,
                Ipv4Addr::from(0x0a00_0000 + i),
                [2, 1, m[0], m[1], m[2], m[3]],
            );
        }
        for k in 0..5u32 {
            for i in 0..n {
                let m = i.to_be_bytes();
                let (t, addr) = (10.0 + f64::from(k), Ipv4Addr::from(0x0a00_0000 + i));
                l.spoof(t, [2, 4, m[0], m[1], m[2], m[3]], addr, lan(20));
            }
        }
        assert_eq!(l.r.episodes.len(), EPISODE_CAPACITY);
        assert_eq!(l.r.stats().episodes_dropped, 100);
        l.finish();
        assert_eq!(l.out.len(), EPISODE_CAPACITY);
    }
}
