//! The ARP-sweep rule: one sender asking its LAN for many addresses it then never talks to.
//!
//! Host discovery on a LAN — `nmap -sn 198.18.0.0/24` run as root from a host on that subnet,
//! `nmap -PR`, the ARP ping before `nmap -sS` of a LAN, `arp-scan -l`, `netdiscover`,
//! masscan's ARP — sends ARP requests, not IP: run as root, nmap discovers targets on its own
//! Ethernet subnet by ARP (nmap reference guide, "Host Discovery", `-PR`: the default there,
//! even when other ping types are asked for). The networks see IP packets only (they were trained without ARP, and
//! ARP messages never reach their feature state), so without this rule the first step of most
//! intrusions raised nothing.
//!
//! **What is counted.** For each sender (its protocol address): the *new targets* it asks for
//! — ARP requests for an address it had not asked for in the last [`RECENT`] seconds (a retry
//! is no new target) — as two damped counts, one with a 1 s half-life ([`FAST_HALF_LIFE`]:
//! a sweep at nmap's or arp-scan's default pace, tens to hundreds a second) and one with a
//! 60 s half-life ([`SLOW_HALF_LIFE`]: `nmap -T2`, `arp-scan --interval`, a sweep of one
//! address every second or two). The fast count also takes an address asked for less than
//! [`RECENT`] before, when that was in an earlier run of the sender's (see below): a second
//! sweep of the same subnet half a minute after the first is a sweep again, while a host
//! retrying a few dead addresses every quarter of a minute does not add them up on the slow
//! count. A new target is subtracted again (from both counts, as
//! decayed by then) when it turns out to be one the sender resolved in order to talk to it:
//! an IPv4 packet between the sender and the target while the request is recent (within
//! [`RECENT`]), or an IPv4 packet to the target within [`FORWARD_WINDOW`] of the target's
//! ARP reply to the sender (a router forwarding to the host it just resolved: the forwarded
//! packet carries the original source's address, not the router's). A host resolving its
//! gateway and peers, a busy LAN's hosts each resolving a dozen peers after their caches were
//! flushed, a router resolving the hosts it forwards to: each request is followed within
//! milliseconds by the IP packet that was waiting for it, and the counts stay near zero.
//! A sweep asks for hundreds of addresses and talks to none of them.
//!
//! **What is never counted.** Replies; requests sent to a unicast link-layer address (a host
//! re-checking a neighbour it knows, RFC 1122 §2.3.2.1's unicast poll, Linux's `NUD_PROBE`: a
//! sweep asks the broadcast address, since it knows no one's hardware address); gratuitous ARP
//! (sender address = target address: announcements, RFC 5227 §2.3); address probes (sender address 0.0.0.0:
//! duplicate address detection, DHCP clients checking an offered address); requests for
//! 0.0.0.0; other opcodes (RARP, InARP).
//!
//! **Episodes and alerts.** A sender's requests form a *run* while they come less than
//! [`DetectSettings::gap`](crate::detect::DetectSettings::gap) (at least [`MIN_GAP`]) apart.
//! When either count reaches the threshold
//! ([`DetectSettings::arp_sweep_threshold`](crate::detect::DetectSettings::arp_sweep_threshold);
//! default [`DEFAULT_THRESHOLD`], 25, Zeek's address-scan threshold as for the IP sweep rule)
//! and the run has asked for [`MIN_TARGETS`] addresses at least, the run becomes a sweep: its
//! further requests, and the replies sent to the sweeper while it lasts, are `other-attack`;
//! the requests before the threshold stay `normal` (verdicts are given packet by packet, in
//! order). When the run ends, the sweep is reported once ([`ArpSweep`], one alert per sweeping
//! sender per episode) with its first and last request, the distinct addresses it asked for and
//! the smallest prefix that covers them. The alert's destination is that prefix's first address
//! (198.18.0.0 for a sweep of 198.18.0.0/24): a sweep has no single victim, its subnet is what
//! it attacks. The source is the sender protocol address the requests give, which a sweeper may
//! make up (netdiscover writes the swept range's .67 by default): the report names the
//! requests' hardware address too, and the other sender addresses that hardware address gave in
//! ARP messages ([`ArpSweep::mac_also_seen_as`]), among them, as a rule, its host's own.
//!
//! **A sweep that is a scan's host discovery.** A scanner on the LAN it scans asks for every
//! address first: nmap's ARP ping before `nmap -sS`/`-sU` of its own subnet, or the kernel's
//! ARP for each probe's next hop (`nbtscan`, Mirai's telnet scan of random addresses). Most are
//! dead, so the requests make a sweep; the probes themselves reach only the few hosts that
//! answered, too few targets for the IP rules to name a scan. The first IPv4 packet from the
//! sender to each target it asked for (the one that takes the target out of the counts) is its
//! *probe*: a TCP segment with SYN and none of ACK, RST, FIN is a SYN probe — a raw scanner's, or
//! `connect()`'s when it carries an operating system's options ([`crate::profile::os_syn`]) —
//! and a UDP datagram a UDP probe. When [`PROBED_MIN_TARGETS`] targets at least were first
//! reached by probes of one kind and those are at least three quarters of the targets the
//! sender talked to ([`ArpSweep::scan_class`]), the sweep is that scan's and its alert is named
//! `scan-syn`, `scan-connect` or `scan-udp` ("ARP sweep of N addresses in P/L, then SYN probes
//! of K"): the ARP sweep is the
//! host-discovery part of the scan. A pure sweep (`nmap -sn`, `arp-scan`, `netdiscover`: no IP
//! to the hosts found) stays `other-attack`, as does a sweep whose sender then talks to the
//! hosts it found in mixed ways. Only the alert's name changes: the ARP messages' verdicts stay
//! `other-attack`, and the IP packets stay the other rules'.
//!
//! **What it may call a sweep.** A router in front of a subnet that is being scanned from
//! elsewhere resolves every address the scan reaches, and the dead ones are never forwarded
//! to: that router's requests add up like a sweep (the scan itself is the IP rules'). An
//! inventory tool that ARP-pings its LAN (an IPAM, a network monitor) is a sweep.
//!
//! Sans-IO: [`ArpSweeps::push`] takes each ARP message, [`ArpSweeps::ip`] each IP packet,
//! [`ArpSweeps::advance`] lets time pass (runs quiet for the gap end and are reported),
//! [`ArpSweeps::finish`] ends them all. Bounded: at most [`CAPACITY`] recent (sender, target)
//! requests (those older than [`RECENT`] are forgotten, but for a run still going; when the
//! table is full nonetheless, all), `max_senders` senders (quiet ones are forgotten first; a new
//! sender finds no room while all are busy) and [`MAC_CAPACITY`] hardware addresses (forgotten
//! all at once when full).

use std::collections::HashMap;
use std::net::Ipv4Addr;

use nightjar_packet::{ArpOp, ArpRepr, PacketRepr};
use serde_json::{json, Value};

use crate::alert::{iso8601, Alert};
use crate::class::Class;

/// The threshold by default: Zeek's address-scan threshold (`Scan::addr_scan_threshold`, 25).
pub const DEFAULT_THRESHOLD: f32 = 25.0;
/// Distinct addresses a run must have asked for before it can be a sweep. The slow count
/// outlives a run (its half-life is a minute, the gap ten seconds), so without this a sender
/// that swept a subnet and later resolved one host — a router ARPing for the host a
/// traceroute was sent to, a minute after forwarding a scan of the subnet — made a "sweep of
/// 1 addresses" of that one request. A sweep that finds its threshold within one run asks for
/// 25 at least; four is [`crate::profile::SCAN_MIN_TARGETS`], the fewest targets an IP scan is
/// named for.
pub const MIN_TARGETS: u64 = 4;
/// Half-life of the fast count of new targets, seconds.
pub const FAST_HALF_LIFE: f64 = 1.0;
/// Half-life of the slow count, seconds: a steady rate of r new targets a second settles at
/// about 86.6 r, so one new silent address every 3.5 s or faster reaches 25.
pub const SLOW_HALF_LIFE: f64 = 60.0;
/// A request for an address the sender asked for less than this long before is a retry, not a
/// new target; and IP traffic between the two within this long of the request makes the target
/// one the sender talks to, seconds.
pub const RECENT: f64 = 60.0;
/// IP traffic to a target within this long after its ARP reply to the sender is the packet
/// the sender (a router) was holding for it, seconds. The kernel sends it as soon as the reply
/// arrives (Linux: `neigh_update` sends the neighbour's queue), so a fraction of a second is
/// generous.
pub const FORWARD_WINDOW: f64 = 0.5;
/// A new target counts only once this many seconds have passed after its request without IP
/// traffic that makes it one the sender talks to: a host resolving many peers at once (a
/// monitor pinging its 35 hosts after their entries went stale, a host whose cache was
/// flushed) has them all outstanding for a moment, but each answer and the packet that was
/// waiting for it come within milliseconds.
pub const GRACE: f64 = 0.25;
/// Runs of requests end after at least this many seconds of quiet, whatever the episodes' gap:
/// a slow sweep asks once every second or two.
pub const MIN_GAP: f64 = 10.0;
/// Recent (sender, target) requests kept at most.
pub const CAPACITY: usize = 1 << 17;
/// Targets first reached by probes of one kind a sweep needs to be named by them
/// ([`ArpSweep::scan_class`]): two hosts probed alike (the live hosts a scan of a subnet
/// finds), where one host reached is a peer the sweeper talks to (its gateway, a server).
pub const PROBED_MIN_TARGETS: u64 = 2;
/// Hardware addresses whose protocol addresses are remembered, at most.
pub const MAC_CAPACITY: usize = 1 << 14;
/// Other protocol addresses of a sweeper's hardware address reported, at most.
pub const OTHER_ADDRESSES: usize = 3;

/// One ARP sweep: what an alert reports (`nightjar.arp_sweep` in EVE).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ArpSweep {
    /// The sweeping sender's protocol address.
    pub sender: Ipv4Addr,
    /// Its hardware address (of its latest request).
    pub sender_mac: [u8; 6],
    /// Capture time of the run's first and last request, seconds since the Unix epoch.
    pub first_seen: f64,
    pub last_seen: f64,
    /// When a count reached the threshold.
    pub detected_at: f64,
    /// Distinct addresses asked for in the run (each once, however often it was asked).
    pub targets: u64,
    /// Of those, the ones the sender then talked to over IP (not counted in the sweep).
    pub talked_to: u64,
    /// Of those, the ones whose first packet from the sender was a raw SYN probe (TCP, SYN
    /// without ACK, RST or FIN, no options beyond an MSS), a `connect()`'s SYN (an operating
    /// system's options) and a UDP probe.
    pub syn_probed: u64,
    pub connect_probed: u64,
    pub udp_probed: u64,
    /// Requests of the run (retries included).
    pub requests: u64,
    /// Replies sent to the sender while the sweep lasted (the live hosts it found).
    pub replies: u64,
    /// Requests and replies flagged (`other-attack`): those after the threshold was reached.
    pub flagged: u64,
    /// The first address asked for.
    pub first_target: Ipv4Addr,
    /// The smallest prefix covering every address asked for: its first address and length.
    pub prefix: (Ipv4Addr, u8),
    /// Other sender protocol addresses that ARP messages from `sender_mac` gave since the
    /// rule began (the latest first; 0.0.0.0: none). A sweeper may write any address into its
    /// requests (netdiscover writes the swept range's .67 by default): the address its own
    /// host announces itself by is then here.
    pub mac_also_seen_as: [Ipv4Addr; OTHER_ADDRESSES],
}

impl ArpSweep {
    /// The alert: source `sender`, destination the prefix's first address, class
    /// `other-attack`, its flagged messages as the packets.
    ///
    /// Its packets are the flagged ARP messages; for a sweep found only after its last
    /// request (a short burst at the end of a capture: each target counts [`GRACE`] after its
    /// request), none was flagged, and its packets are the requests that made it.
    pub fn to_alert(&self) -> Alert {
        let packets = if self.flagged == 0 {
            self.requests
        } else {
            self.flagged
        };
        Alert {
            arp_sweep: Some(*self),
            ..Alert::of_rule(
                (self.sender.into(), self.prefix.0.into(), 0),
                self.scan_class().unwrap_or(Class::OtherAttack),
                packets,
                self.requests + self.replies,
                (self.first_seen, self.last_seen),
            )
        }
    }

    /// The scan this sweep was the host discovery of: `scan-syn` (`scan-connect`,
    /// `scan-udp`) when [`PROBED_MIN_TARGETS`] targets at least were first reached by raw SYN
    /// (`connect()` SYN, UDP) probes and those are at least three quarters of the targets the
    /// sender talked to; `None` for a sweep (no IP to the hosts found, or IP of mixed kinds).
    pub fn scan_class(&self) -> Option<Class> {
        self.scan_probes().map(|(class, _, _)| class)
    }

    /// [`ArpSweep::scan_class`], with the probes' name and how many targets they reached.
    fn scan_probes(&self) -> Option<(Class, &'static str, u64)> {
        let (class, name, n) = [
            (Class::ScanSyn, "SYN", self.syn_probed),
            (Class::ScanConnect, "connect", self.connect_probed),
            (Class::ScanUdp, "UDP", self.udp_probed),
        ]
        .into_iter()
        .fold(
            (Class::OtherAttack, "", 0),
            |m, k| if k.2 > m.2 { k } else { m },
        );
        (n >= PROBED_MIN_TARGETS && 4 * n >= 3 * self.talked_to).then_some((class, name, n))
    }

    /// "ARP sweep of N addresses in P/L", and ", then SYN (connect, UDP) probes of K" for a
    /// scan's.
    pub fn describe(&self) -> String {
        let then = match self.scan_probes() {
            Some((_, name, n)) => format!(", then {name} probes of {n}"),
            None => String::new(),
        };
        format!(
            "ARP sweep of {} addresses in {}/{}{then}",
            self.targets, self.prefix.0, self.prefix.1
        )
    }

    /// The evidence as JSON (for an EVE alert's `nightjar` object).
    pub fn to_json(&self) -> Value {
        json!({
            "rule": "arp-sweep",
            "targets": self.targets,
            "talked_to": self.talked_to,
            "syn_probed": self.syn_probed,
            "connect_probed": self.connect_probed,
            "udp_probed": self.udp_probed,
            "requests": self.requests,
            "replies": self.replies,
            "first_target": self.first_target.to_string(),
            "prefix": format!("{}/{}", self.prefix.0, self.prefix.1),
            "sender_mac": mac_string(self.sender_mac),
            "sender_mac_also_seen_as": self
                .mac_also_seen_as
                .iter()
                .filter(|a| !a.is_unspecified())
                .map(|a| a.to_string())
                .collect::<Vec<_>>(),
            "detected_at": iso8601(self.detected_at),
        })
    }
}

/// `aa:bb:cc:dd:ee:ff`, as Suricata writes hardware addresses.
pub fn mac_string(m: [u8; 6]) -> String {
    format!(
        "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
        m[0], m[1], m[2], m[3], m[4], m[5]
    )
}

/// The smallest prefix holding addresses `lo..=hi`: its first address and length.
fn covering_prefix(lo: u32, hi: u32) -> (Ipv4Addr, u8) {
    let len = (lo ^ hi).leading_zeros() as u8; // 32 when lo == hi
    let mask = if len == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(len))
    };
    (Ipv4Addr::from(lo & mask), len)
}

/// A damped count and when it was last brought up to date.
#[derive(Clone, Copy, Debug, Default)]
struct Count {
    n: f64,
    at: f64,
}

impl Count {
    /// Decay to `now` with half-life `h` and add `d` (not below 0); the new value.
    fn add(&mut self, now: f64, h: f64, d: f64) -> f64 {
        let dt = (now - self.at).max(0.0);
        self.n = (self.n * (-dt / h).exp2() + d).max(0.0);
        self.at = now;
        self.n
    }
}

/// The kind of the first IPv4 packet from a sender to a target it asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Probe {
    /// TCP with SYN and none of ACK, RST, FIN, no options beyond an MSS (a raw scanner's).
    Syn,
    /// The same with an operating system's options (`connect()`'s).
    Connect,
    /// UDP.
    Udp,
    /// Anything else, or a packet not from the sender.
    Other,
}

/// A sender's current run of requests.
#[derive(Clone, Copy, Debug)]
struct Run {
    first: f64,
    last: f64,
    requests: u64,
    targets: u64,
    talked_to: u64,
    syn_probed: u64,
    connect_probed: u64,
    udp_probed: u64,
    replies: u64,
    flagged: u64,
    first_target: u32,
    lo: u32,
    hi: u32,
    /// When the run became a sweep (a count reached the threshold), if it did.
    detected: Option<f64>,
    mac: [u8; 6],
}

#[derive(Clone, Copy, Debug, Default)]
struct Sender {
    fast: Count,
    slow: Count,
    run: Option<Run>,
}

/// A recent request of a sender for a target.
#[derive(Clone, Copy, Debug)]
struct Asked {
    /// Its first request (of this round), and its latest.
    first: f64,
    last: f64,
    /// A new target (this round) not (yet) found to be a host the sender talks to.
    open: bool,
    /// Added to the counts (its [`GRACE`] passed while it was open).
    counted: bool,
    /// This round goes to the slow count too (not only to the fast one).
    slow: bool,
}

/// A new target waiting for its [`GRACE`] to pass.
#[derive(Clone, Copy, Debug)]
struct Pending {
    due: f64,
    sender: u32,
    target: u32,
    /// The round's first request ([`Asked::first`]), to tell it from a later round.
    first: f64,
}

/// Counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ArpSweepStats {
    /// ARP requests counted as new targets.
    pub new_targets: u64,
    /// Of those, found to be hosts their sender talked to over IP (subtracted).
    pub talked_to: u64,
    /// Requests left out: gratuitous, address probes, requests for 0.0.0.0.
    pub ignored: u64,
    /// Requests left out because they went to a unicast link address (re-checks of known
    /// neighbours).
    pub unicast: u64,
    /// Sweeps reported.
    pub sweeps: u64,
    /// Times the request table was full and its older half forgotten.
    pub table_resets: u64,
}

/// The ARP-sweep rule's state.
pub struct ArpSweeps {
    threshold: f64,
    gap: f64,
    max_senders: usize,
    senders: HashMap<u32, Sender>,
    /// (sender, target) → its recent request.
    asked: HashMap<(u32, u32), Asked>,
    /// Entries of `asked` with `open` set (maybe fewer, once they are older than [`RECENT`]):
    /// while there are none, IP packets need no look-up.
    open: usize,
    /// Target → (sender, time) of its latest reply to a sender whose request for it is open.
    replied: HashMap<u32, (u32, f64)>,
    /// Hardware address → the sender protocol addresses its ARP messages gave (the latest
    /// first; 0: none).
    macs: HashMap<[u8; 6], [u32; OTHER_ADDRESSES + 1]>,
    /// New targets in order of request, waiting for their [`GRACE`] to pass.
    pending: std::collections::VecDeque<Pending>,
    /// Senders whose run is a sweep, to be reported when it ends.
    sweeping: Vec<u32>,
    /// The earliest time a sweeping run may end (∞ when none).
    next_due: f64,
    /// When the tables were last cleared of old entries.
    pruned: f64,
    clock: f64,
    stats: ArpSweepStats,
}

impl ArpSweeps {
    /// The rule with its threshold (0: off), the episodes' gap (runs end after
    /// `max(gap, MIN_GAP)` of quiet) and the most senders kept.
    pub fn new(threshold: f32, gap: f64, max_senders: usize) -> ArpSweeps {
        ArpSweeps {
            threshold: f64::from(threshold),
            gap: gap.max(MIN_GAP),
            max_senders: max_senders.max(1),
            senders: HashMap::new(),
            asked: HashMap::new(),
            open: 0,
            replied: HashMap::new(),
            macs: HashMap::new(),
            pending: std::collections::VecDeque::new(),
            sweeping: Vec::new(),
            next_due: f64::INFINITY,
            pruned: f64::NEG_INFINITY,
            clock: f64::NEG_INFINITY,
            stats: ArpSweepStats::default(),
        }
    }

    /// Counters so far.
    pub fn stats(&self) -> &ArpSweepStats {
        &self.stats
    }

    fn tick_clock(&mut self, ts: f64) -> f64 {
        if ts.is_finite() && ts > self.clock {
            self.clock = ts;
        }
        self.clock
    }

    /// Take the next ARP message; its verdict: `other-attack` if it is a request of a sweep
    /// (after the threshold) or a reply to a sweeper while its sweep lasts, else `normal`.
    /// Sweeps that ended before it are reported through `report` first.
    pub fn push(&mut self, a: &ArpRepr, report: &mut dyn FnMut(ArpSweep)) -> Class {
        if self.threshold <= 0.0 {
            return Class::Normal;
        }
        let now = self.tick_clock(a.ts);
        self.advance(now, report);
        let (spa, tpa) = (u32::from(a.sender_ip), u32::from(a.target_ip));
        if spa != 0 && matches!(a.op, ArpOp::Request | ArpOp::Reply) {
            self.seen_as(a.sender_mac, spa);
        }
        match a.op {
            // sent to a unicast link address: a re-check of a neighbour the sender knows
            ArpOp::Request if a.link_dst.is_some_and(|m| m[0] & 1 == 0) => {
                self.stats.unicast += 1;
                Class::Normal
            }
            ArpOp::Request if spa != 0 && tpa != 0 && spa != tpa => self.request(a, now),
            ArpOp::Request => {
                self.stats.ignored += 1;
                Class::Normal
            }
            ArpOp::Reply => self.reply(spa, tpa, now),
            ArpOp::Other(_) => Class::Normal,
        }
    }

    /// Hardware address `mac` gave sender address `spa`.
    fn seen_as(&mut self, mac: [u8; 6], spa: u32) {
        if !self.macs.contains_key(&mac) && self.macs.len() >= MAC_CAPACITY {
            self.macs.clear();
        }
        let seen = self.macs.entry(mac).or_default();
        if seen[0] == spa {
            return;
        }
        // move it to the front (out of its place, or out of the list's end)
        let at = seen
            .iter()
            .position(|&x| x == spa)
            .unwrap_or(OTHER_ADDRESSES);
        seen.copy_within(0..at, 1);
        seen[0] = spa;
    }

    /// A sweep's report, with the other addresses of its hardware address.
    fn sweep(&self, spa: u32, r: &Run, detected: f64) -> ArpSweep {
        let mut also = [Ipv4Addr::UNSPECIFIED; OTHER_ADDRESSES];
        if let Some(seen) = self.macs.get(&r.mac) {
            for (slot, &x) in also
                .iter_mut()
                .zip(seen.iter().filter(|&&x| x != 0 && x != spa))
            {
                *slot = Ipv4Addr::from(x);
            }
        }
        ArpSweep {
            sender: Ipv4Addr::from(spa),
            sender_mac: r.mac,
            first_seen: r.first,
            last_seen: r.last,
            detected_at: detected,
            targets: r.targets,
            talked_to: r.talked_to,
            syn_probed: r.syn_probed,
            connect_probed: r.connect_probed,
            udp_probed: r.udp_probed,
            requests: r.requests,
            replies: r.replies,
            flagged: r.flagged,
            first_target: Ipv4Addr::from(r.first_target),
            prefix: covering_prefix(r.lo, r.hi),
            mac_also_seen_as: also,
        }
    }

    fn request(&mut self, a: &ArpRepr, now: f64) -> Class {
        let (spa, tpa) = (u32::from(a.sender_ip), u32::from(a.target_ip));
        if now - self.pruned > RECENT || self.asked.len() >= CAPACITY {
            self.prune(now);
        }
        // the start of the sender's run (this request's, if it begins one)
        let run_first = self
            .senders
            .get(&spa)
            .and_then(|s| s.run)
            .filter(|r| now - r.last <= self.gap)
            .map_or(now, |r| r.first);
        // new to the counts: not asked for in the last RECENT seconds; new to the run: not
        // asked for since it began (a slow sweep's retries come more than RECENT later)
        let (new, new_in_run) = match self.asked.get_mut(&(spa, tpa)) {
            Some(e) if now - e.last <= RECENT => {
                let in_run = e.last >= run_first;
                e.last = now;
                if !in_run {
                    // asked in an earlier run: a new round for the fast count only
                    if !e.open {
                        self.open += 1;
                    }
                    (e.first, e.open, e.counted, e.slow) = (now, true, false, false);
                }
                (false, !in_run)
            }
            Some(e) => {
                let in_run = e.last >= run_first;
                if !e.open {
                    self.open += 1;
                }
                *e = Asked {
                    first: now,
                    last: now,
                    open: true,
                    counted: false,
                    slow: true,
                };
                (true, !in_run)
            }
            None => {
                self.asked.insert(
                    (spa, tpa),
                    Asked {
                        first: now,
                        last: now,
                        open: true,
                        counted: false,
                        slow: true,
                    },
                );
                self.open += 1;
                (true, true)
            }
        };
        if !self.senders.contains_key(&spa) && self.senders.len() >= self.max_senders {
            self.forget_quiet_senders(now);
            if self.senders.len() >= self.max_senders {
                return Class::Normal;
            }
        }
        let s = self.senders.entry(spa).or_default();
        // a run quiet for the gap has ended (a sweep's was reported by `advance`)
        if s.run.is_some_and(|r| now - r.last > self.gap) {
            s.run = None;
        }
        let run = s.run.get_or_insert(Run {
            first: now,
            last: now,
            requests: 0,
            targets: 0,
            talked_to: 0,
            syn_probed: 0,
            connect_probed: 0,
            udp_probed: 0,
            replies: 0,
            flagged: 0,
            first_target: tpa,
            lo: tpa,
            hi: tpa,
            detected: None,
            mac: a.sender_mac,
        });
        run.last = now;
        run.requests += 1;
        run.mac = a.sender_mac;
        if new_in_run {
            run.targets += 1;
            run.lo = run.lo.min(tpa);
            run.hi = run.hi.max(tpa);
        }
        if new || new_in_run {
            self.stats.new_targets += u64::from(new);
            if self.pending.len() >= CAPACITY {
                // full: the oldest waits no longer
                self.expire(self.clock, true);
            }
            self.pending.push_back(Pending {
                due: now + GRACE,
                sender: spa,
                target: tpa,
                first: now,
            });
        }
        let Some(run) = self.senders.get_mut(&spa).and_then(|s| s.run.as_mut()) else {
            return Class::Normal;
        };
        if run.detected.is_some() {
            self.next_due = self.next_due.min(run.last + self.gap);
            run.flagged += 1;
            Class::OtherAttack
        } else {
            Class::Normal
        }
    }

    /// Count the new targets whose [`GRACE`] has passed by `now` (or, with `one`, the oldest
    /// only) and that are still open; a sender's count that reaches the threshold makes its run
    /// a sweep from then on.
    #[inline(never)]
    fn expire(&mut self, now: f64, one: bool) {
        while let Some(&p) = self.pending.front() {
            if p.due > now && !one {
                break;
            }
            self.pending.pop_front();
            let Some(e) = self.asked.get_mut(&(p.sender, p.target)) else {
                continue;
            };
            if !e.open || e.counted || e.first != p.first {
                continue;
            }
            e.counted = true;
            let slow_add = if e.slow { 1.0 } else { 0.0 };
            let Some(s) = self.senders.get_mut(&p.sender) else {
                continue;
            };
            let at = p.due.min(now);
            let fast = s.fast.add(at, FAST_HALF_LIFE, 1.0);
            let slow = s.slow.add(at, SLOW_HALF_LIFE, slow_add);
            if let Some(run) = s.run.as_mut() {
                if run.detected.is_none()
                    && p.first >= run.first
                    && run.targets >= MIN_TARGETS
                    && (fast >= self.threshold || slow >= self.threshold)
                {
                    run.detected = Some(at);
                    self.sweeping.push(p.sender);
                    self.next_due = self.next_due.min(run.last + self.gap);
                }
            }
            if one {
                break;
            }
        }
    }

    fn reply(&mut self, spa: u32, tpa: u32, now: f64) -> Class {
        // the target `spa` answers the sender `tpa`
        if self.open > 0
            && self
                .asked
                .get(&(tpa, spa))
                .is_some_and(|e| e.open && now - e.first <= RECENT)
        {
            self.replied.insert(spa, (tpa, now));
        }
        match self.senders.get_mut(&tpa).and_then(|s| s.run.as_mut()) {
            Some(run) if run.detected.is_some() && now - run.last <= self.gap => {
                run.replies += 1;
                run.flagged += 1;
                Class::OtherAttack
            }
            _ => Class::Normal,
        }
    }

    /// Take an IP packet: an IPv4 packet between a sender and a target it asked for recently,
    /// or to a target just after its reply to its sender, takes that target out of the
    /// sender's counts.
    pub fn ip(&mut self, p: &PacketRepr) {
        if self.open == 0 || self.threshold <= 0.0 {
            return;
        }
        let (std::net::IpAddr::V4(s), std::net::IpAddr::V4(d)) = (p.src, p.dst) else {
            return;
        };
        let now = self.tick_clock(p.ts);
        if self.pending.front().is_some_and(|q| q.due <= now) {
            self.expire(now, false);
        }
        // requests older than RECENT can no longer be taken out: once no ARP comes to prune
        // them, the packets would look them up for nothing
        if now - self.pruned > RECENT {
            self.prune(now);
            if self.open == 0 {
                return;
            }
        }
        let (s, d) = (u32::from(s), u32::from(d));
        // the kind of probe this packet is, from its source
        let probe = match p.proto {
            6 if p.tcp_flags & 0x17 == 0x02 && crate::profile::os_syn(p) => Probe::Connect,
            6 if p.tcp_flags & 0x17 == 0x02 => Probe::Syn,
            17 => Probe::Udp,
            _ => Probe::Other,
        };
        self.talked(s, d, now, probe);
        self.talked(d, s, now, Probe::Other);
        if let Some(&(sender, at)) = self.replied.get(&d) {
            if now - at <= FORWARD_WINDOW {
                self.talked(sender, d, now, Probe::Other);
            }
            self.replied.remove(&d);
        }
    }

    /// Sender `s` talked to target `t` at `now` (`probe`: the kind of its packet, when it is
    /// the sender's): if its request is open, take it out.
    fn talked(&mut self, s: u32, t: u32, now: f64, probe: Probe) {
        let Some(e) = self.asked.get_mut(&(s, t)) else {
            return;
        };
        if !e.open || now - e.first > RECENT {
            return;
        }
        e.open = false;
        let (counted, slow) = (e.counted, if e.slow { -1.0 } else { 0.0 });
        self.open = self.open.saturating_sub(1);
        self.stats.talked_to += 1;
        if let Some(snd) = self.senders.get_mut(&s) {
            if counted {
                snd.fast.add(now, FAST_HALF_LIFE, -1.0);
                snd.slow.add(now, SLOW_HALF_LIFE, slow);
            }
            if let Some(run) = snd.run.as_mut() {
                run.talked_to += 1;
                match probe {
                    Probe::Syn => run.syn_probed += 1,
                    Probe::Connect => run.connect_probed += 1,
                    Probe::Udp => run.udp_probed += 1,
                    Probe::Other => {}
                }
            }
        }
    }

    /// Let time pass to `now`: sweeps whose run has been quiet for the gap are reported.
    #[inline]
    pub fn advance(&mut self, now: f64, report: &mut dyn FnMut(ArpSweep)) {
        if self.pending.front().is_some_and(|p| p.due <= now) {
            self.expire(now, false);
        }
        if now < self.next_due {
            return;
        }
        self.close(now, report);
    }

    /// Report the sweeps quiet since before `now − gap` (all of them for `now` = ∞).
    #[inline(never)]
    fn close(&mut self, now: f64, report: &mut dyn FnMut(ArpSweep)) {
        let mut next = f64::INFINITY;
        let gap = self.gap;
        let mut i = 0;
        while i < self.sweeping.len() {
            let spa = self.sweeping[i];
            let run = self
                .senders
                .get(&spa)
                .and_then(|s| s.run)
                .filter(|r| r.detected.is_some());
            match run {
                Some(r) if now - r.last <= gap => {
                    next = next.min(r.last + gap);
                    i += 1;
                }
                _ => {
                    self.sweeping.swap_remove(i);
                    let ended = self.senders.get_mut(&spa).and_then(|s| s.run.take());
                    if let (Some(r), Some(detected)) = (ended, run.and_then(|r| r.detected)) {
                        self.stats.sweeps += 1;
                        report(self.sweep(spa, &r, detected));
                    }
                }
            }
        }
        self.next_due = next;
    }

    /// End every run: the open sweeps are reported (end of a capture).
    pub fn finish(&mut self, report: &mut dyn FnMut(ArpSweep)) {
        // what still waits for its grace is counted (nothing more will clear it)
        self.expire(f64::INFINITY, false);
        // earliest first, as their ends come in time
        let mut order: Vec<(f64, u32)> = self
            .sweeping
            .iter()
            .filter_map(|spa| {
                self.senders
                    .get(spa)
                    .and_then(|s| s.run)
                    .map(|r| (r.last, *spa))
            })
            .collect();
        order.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        for (_, spa) in order {
            if let Some(r) = self.senders.get_mut(&spa).and_then(|s| s.run.take()) {
                if let Some(detected) = r.detected {
                    self.stats.sweeps += 1;
                    report(self.sweep(spa, &r, detected));
                }
            }
        }
        self.sweeping.clear();
        self.next_due = f64::INFINITY;
    }

    /// Forget requests older than [`RECENT`] but those of their sender's current run (and, if
    /// the table is still full, all of them) and stale replies; recount the open requests.
    fn prune(&mut self, now: f64) {
        self.pruned = now;
        let (senders, gap) = (&self.senders, self.gap);
        self.asked.retain(|(spa, _), e| {
            now - e.last <= RECENT
                || senders
                    .get(spa)
                    .and_then(|s| s.run)
                    .is_some_and(|r| now - r.last <= gap && e.last >= r.first)
        });
        if self.asked.len() >= CAPACITY {
            self.stats.table_resets += 1;
            self.asked.clear();
        }
        self.open = self
            .asked
            .values()
            .filter(|e| e.open && now - e.first <= RECENT)
            .count();
        self.replied
            .retain(|_, (_, at)| now - *at <= FORWARD_WINDOW);
    }

    /// Forget senders with no run and counts decayed to nothing.
    fn forget_quiet_senders(&mut self, now: f64) {
        let gap = self.gap;
        self.senders.retain(|_, s| {
            let quiet = s
                .run
                .is_none_or(|r| r.detected.is_none() && now - r.last > gap);
            let f = s.fast.n * (-(now - s.fast.at).max(0.0) / FAST_HALF_LIFE).exp2();
            let l = s.slow.n * (-(now - s.slow.at).max(0.0) / SLOW_HALF_LIFE).exp2();
            !(quiet && f < 1.0 && l < 1.0)
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::tests::{tcp, udp};

    fn ip(a: &str) -> Ipv4Addr {
        a.parse().unwrap()
    }

    /// An ARP message from `s` about `t` with opcode `op`.
    fn arp(ts: f64, op: ArpOp, s: Ipv4Addr, t: Ipv4Addr) -> ArpRepr {
        let o = s.octets();
        ArpRepr {
            index: 0,
            ts,
            wire_len: 42,
            op,
            sender_mac: [2, 0, o[0], o[1], o[2], o[3]],
            sender_ip: s,
            target_mac: [0; 6],
            target_ip: t,
            link_dst: Some(if op == ArpOp::Request {
                [0xff; 6]
            } else {
                [2, 0, 9, 9, 9, 9]
            }),
        }
    }

    fn lan(host: u32) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(ip("198.18.0.0")) + host)
    }

    /// The rule with the default threshold and the detector's default gap.
    fn rule() -> ArpSweeps {
        ArpSweeps::new(DEFAULT_THRESHOLD, 4.0, 1 << 16)
    }

    /// Push `a`; its verdict, and the sweeps reported before it are appended to `out`.
    fn push(r: &mut ArpSweeps, a: &ArpRepr, out: &mut Vec<ArpSweep>) -> Class {
        r.push(a, &mut |s| out.push(s))
    }

    /// `sender` asks for hosts `hosts` of 198.18.0.0/24, one every `every` seconds from `t0`;
    /// the verdicts.
    fn sweep_from(
        r: &mut ArpSweeps,
        sender: Ipv4Addr,
        hosts: std::ops::Range<u32>,
        t0: f64,
        every: f64,
        out: &mut Vec<ArpSweep>,
    ) -> Vec<Class> {
        hosts
            .enumerate()
            .map(|(i, h)| {
                let a = arp(t0 + i as f64 * every, ArpOp::Request, sender, lan(h));
                push(r, &a, out)
            })
            .collect()
    }

    #[test]
    fn a_fast_sweep_of_a_slash_24_is_one_sweep_reported_when_it_ends() {
        let mut r = rule();
        let mut out = Vec::new();
        let me = lan(66);
        // nmap -sn's pace: a request every 5 ms to .1 ... .254 (its own address, .66, is a
        // gratuitous request and no target)
        let v = sweep_from(&mut r, me, 1..255, 100.0, 0.005, &mut out);
        // the first requests are normal, the rest the sweep's: a target counts GRACE (0.25 s,
        // 50 requests) after its request; 25 of them 5 ms apart make 24.99 on the slow count
        // (Σ 2^(−0.005k/60), k < 25), so the 26th reaches 25, at 100.375 s: request 75
        let first = v.iter().position(|c| c.is_attack()).unwrap();
        assert_eq!(first, 75);
        assert_eq!(v[65], Class::Normal);
        assert!(v[first..]
            .iter()
            .enumerate()
            .all(|(i, c)| (*c == Class::OtherAttack) == (first + i != 65)));
        // two live hosts answer the sweeper: their replies are the sweep's too
        for h in [10, 77] {
            let a = arp(101.3, ArpOp::Reply, lan(h), me);
            assert_eq!(push(&mut r, &a, &mut out), Class::OtherAttack);
        }
        assert!(out.is_empty(), "nothing reported while the run goes on");
        // quiet for the gap (at least MIN_GAP): reported at the next message or tick
        r.advance(101.3 + MIN_GAP - 0.1, &mut |s| out.push(s));
        assert!(out.is_empty());
        r.advance(101.3 + MIN_GAP + 0.1, &mut |s| out.push(s));
        assert_eq!(out.len(), 1);
        let s = out[0];
        assert_eq!(s.sender, me);
        assert_eq!((s.targets, s.requests, s.replies), (253, 253, 2));
        assert_eq!(s.flagged, 254 - 75 + 2);
        assert_eq!(s.first_target, lan(1));
        assert_eq!(s.prefix, (ip("198.18.0.0"), 24));
        assert_eq!((s.first_seen, s.last_seen), (100.0, 100.0 + 253.0 * 0.005));
        assert_eq!(s.detected_at, 100.0 + 25.0 * 0.005 + GRACE);
        let a = s.to_alert();
        assert_eq!((a.src, a.dst), (me.into(), ip("198.18.0.0").into()));
        assert_eq!(
            (a.class, a.packets, a.total),
            (Class::OtherAttack, 181, 255)
        );
        assert_eq!(s.describe(), "ARP sweep of 253 addresses in 198.18.0.0/24");
        let eve = a.to_eve();
        assert_eq!(eve["proto"], "ARP");
        assert_eq!(eve["alert"]["category"], "Detection of a Network Scan");
        assert_eq!(eve["nightjar"]["arp_sweep"]["prefix"], "198.18.0.0/24");
        assert_eq!(
            eve["alert"]["signature"],
            "NIGHTJAR other-attack (ARP sweep of 253 addresses in 198.18.0.0/24) from \
             198.18.0.66 against 198.18.0.0"
        );
        // reported once: nothing more at the end
        r.finish(&mut |s| out.push(s));
        assert_eq!(out.len(), 1);
        assert_eq!(r.stats().sweeps, 1);
    }

    /// `me` sweeps .1 ... .62 of 198.18.0.0/26 at nmap's pace; hosts `live` answer, and
    /// `then` sends each of them its IP packets (at most one a host may be `None`: no packet);
    /// the one sweep reported.
    fn sweep_then(live: &[u32], then: &dyn Fn(f64, &str, &str) -> Option<PacketRepr>) -> ArpSweep {
        let mut r = rule();
        let mut out = Vec::new();
        let me = lan(66);
        sweep_from(&mut r, me, 1..63, 100.0, 0.005, &mut out);
        for (i, &h) in live.iter().enumerate() {
            let at = 100.4 + i as f64 * 1e-3;
            push(&mut r, &arp(at, ArpOp::Reply, lan(h), me), &mut out);
            if let Some(p) = then(at + 1e-4, "198.18.0.66", &lan(h).to_string()) {
                r.ip(&p);
                // the answer, and more packets of the sender's, do not count again
                r.ip(&tcp(
                    at + 2e-4,
                    &lan(h).to_string(),
                    "198.18.0.66",
                    25,
                    40000,
                    0x12,
                ));
                r.ip(&udp(
                    at + 3e-4,
                    "198.18.0.66",
                    &lan(h).to_string(),
                    40000,
                    53,
                    30,
                ));
            }
        }
        r.finish(&mut |s| out.push(s));
        assert_eq!(out.len(), 1, "{out:?}");
        out[0]
    }

    #[test]
    fn a_sweep_followed_by_probes_of_one_kind_of_the_hosts_that_answered_is_that_scan() {
        // nmap -sS -p 25,53 of its /26: ARP ping, then SYNs to the three live hosts
        let s = sweep_then(&[10, 20, 30], &|t, a, b| {
            Some(tcp(t, a, b, 40000, 25, 0x02))
        });
        assert_eq!(
            (s.targets, s.talked_to, s.syn_probed, s.udp_probed),
            (62, 3, 3, 0)
        );
        assert_eq!(s.scan_class(), Some(Class::ScanSyn));
        let a = s.to_alert();
        assert_eq!((a.class, a.packets), (Class::ScanSyn, s.flagged));
        assert_eq!(a.class_counts[Class::ScanSyn.index()], s.flagged);
        assert_eq!(
            s.describe(),
            "ARP sweep of 62 addresses in 198.18.0.0/26, then SYN probes of 3"
        );
        assert_eq!(a.to_eve()["nightjar"]["arp_sweep"]["syn_probed"], 3);
        // nbtscan: the kernel's ARP for each address, then a NetBIOS query to each live host
        let s = sweep_then(&[10, 20, 30], &|t, a, b| Some(udp(t, a, b, 55195, 137, 50)));
        assert_eq!((s.syn_probed, s.udp_probed), (0, 3));
        assert_eq!(s.to_alert().class, Class::ScanUdp);
        assert!(s.describe().ends_with(", then UDP probes of 3"));
        // nmap -sT: connect()'s SYNs, with Linux's options (a 40-byte TCP header)
        let s = sweep_then(&[10, 20, 30], &|t, a, b| {
            let mut p = tcp(t, a, b, 40000, 25, 0x02);
            p.ip_len = 60;
            Some(p)
        });
        assert_eq!((s.syn_probed, s.connect_probed, s.udp_probed), (0, 3, 0));
        assert_eq!(s.to_alert().class, Class::ScanConnect);
        assert!(s.describe().ends_with(", then connect probes of 3"));
        // two hosts probed alike are enough, and one in four may be reached otherwise
        let s = sweep_then(&[10, 20, 30, 40], &|t, a, b| {
            Some(if b.ends_with(".40") {
                udp(t, a, b, 40000, 53, 30)
            } else {
                tcp(t, a, b, 40000, 80, 0x02)
            })
        });
        assert_eq!(s.to_alert().class, Class::ScanSyn);
        let s = sweep_then(&[10, 20], &|t, a, b| Some(tcp(t, a, b, 40000, 80, 0x02)));
        assert_eq!(s.to_alert().class, Class::ScanSyn);
    }

    #[test]
    fn a_sweep_without_probes_of_one_kind_stays_a_sweep() {
        // nmap -sn, arp-scan, netdiscover: only ARP, whoever answers
        let s = sweep_then(&[10, 20, 30], &|_, _, _| None);
        assert_eq!((s.talked_to, s.syn_probed, s.udp_probed), (0, 0, 0));
        assert_eq!(s.scan_class(), None);
        assert_eq!(s.to_alert().class, Class::OtherAttack);
        assert_eq!(s.describe(), "ARP sweep of 62 addresses in 198.18.0.0/26");
        // one host probed is a peer the sweeper talks to (its gateway), no scan
        let s = sweep_then(&[10, 20, 30], &|t, a, b| {
            b.ends_with(".10").then(|| tcp(t, a, b, 40000, 80, 0x02))
        });
        assert_eq!((s.talked_to, s.syn_probed), (1, 1));
        assert_eq!(s.to_alert().class, Class::OtherAttack);
        // pings of the hosts found (nmap -sn -PE after its ARP ping is only ARP; a monitor's
        // pings), or a first packet that is no SYN (an ACK of a connection it had): no scan
        let s = sweep_then(&[10, 20, 30], &|t, a, b| {
            let mut p = tcp(t, a, b, 0, 0, 0);
            p.proto = 1;
            Some(p)
        });
        assert_eq!((s.talked_to, s.syn_probed, s.udp_probed), (3, 0, 0));
        assert_eq!(s.to_alert().class, Class::OtherAttack);
        let s = sweep_then(&[10, 20, 30], &|t, a, b| {
            Some(tcp(t, a, b, 40000, 80, 0x10))
        });
        assert_eq!(s.to_alert().class, Class::OtherAttack);
        // mixed kinds: two SYNs and two UDP datagrams are half each, under three quarters
        let s = sweep_then(&[10, 20, 30, 40], &|t, a, b| {
            Some(if b.ends_with(".10") || b.ends_with(".20") {
                udp(t, a, b, 40000, 53, 30)
            } else {
                tcp(t, a, b, 40000, 80, 0x02)
            })
        });
        assert_eq!((s.syn_probed, s.udp_probed), (2, 2));
        assert_eq!(s.to_alert().class, Class::OtherAttack);
        // the hosts' packets to the sweeper (their own, first) are no probes of its
        let s = sweep_then(&[10, 20, 30], &|t, a, b| {
            Some(tcp(t, b, a, 40000, 80, 0x02))
        });
        assert_eq!((s.talked_to, s.syn_probed), (3, 0));
        assert_eq!(s.to_alert().class, Class::OtherAttack);
    }

    #[test]
    fn a_sweep_found_only_after_its_last_request_counts_its_requests_as_its_packets() {
        // found by the fuzz target `detect_engine`: 30 requests 0.3 ms apart, then the
        // capture ends; every target counts GRACE after its request, so the sweep is found
        // after its last one and no message was flagged. Its alert said 0 packets.
        let mut r = rule();
        let mut out = Vec::new();
        let me = lan(21);
        let v = sweep_from(&mut r, me, 30..60, 100.0, 0.0003, &mut out);
        assert!(v.iter().all(|c| *c == Class::Normal));
        r.finish(&mut |s| out.push(s));
        assert_eq!(out.len(), 1);
        let s = out[0];
        assert_eq!((s.targets, s.requests, s.flagged), (30, 30, 0));
        let a = s.to_alert();
        assert_eq!((a.packets, a.total), (30, 30));
        assert_eq!(a.class_counts[Class::OtherAttack.index()], 30);
    }

    #[test]
    fn a_slow_sweep_is_found_by_the_slow_count() {
        let mut r = rule();
        let mut out = Vec::new();
        // nmap -T2's pace: one address every 0.4 s; the fast count stays near 1.44 / 0.4 ≈ 3.6
        let v = sweep_from(&mut r, lan(66), 1..101, 0.0, 0.4, &mut out);
        let first = v.iter().position(|c| c.is_attack()).expect("a sweep");
        // 25 on the slow count: 2.5 a second for about 11 s (a little decay)
        assert!((25..40).contains(&first), "{first}");
        r.finish(&mut |s| out.push(s));
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].targets, 99, "1 to 100 but the sender's own .66");
        assert_eq!(out[0].prefix, (ip("198.18.0.0"), 25));
        // arp-scan --interval: a slow pass, then a second pass over the same addresses more than
        // RECENT later (its retries): one run, each address counted once in it
        let mut r = rule();
        let mut out = Vec::new();
        sweep_from(&mut r, lan(66), 1..101, 0.0, 0.8, &mut out);
        let v = sweep_from(&mut r, lan(66), 1..101, 81.0, 0.8, &mut out);
        assert!(v
            .iter()
            .enumerate()
            .all(|(i, c)| c.is_attack() == (i != 65)));
        r.finish(&mut |s| out.push(s));
        assert_eq!(out.len(), 1);
        assert_eq!((out[0].targets, out[0].requests), (99, 198));
        assert!(
            r.stats().new_targets > 99,
            "new to the counts again after RECENT"
        );
        // one address every 10 s is too slow for either count (the slow one settles near 9)
        let mut r = rule();
        let v = sweep_from(&mut r, lan(66), 1..200, 0.0, 10.0, &mut out);
        assert!(v.iter().all(|c| *c == Class::Normal));
    }

    #[test]
    fn hosts_resolving_their_peers_and_talking_to_them_are_no_sweep() {
        let mut r = rule();
        let mut out = Vec::new();
        // 40 hosts, each resolving 30 peers at once (their caches flushed), again every 4 s for
        // five minutes; each peer answers and the packet that was waiting goes out
        let mut t = 0.0;
        for round in 0..75 {
            for h in 1..=40u32 {
                for k in 1..=30u32 {
                    let peer = lan(100 + (h + k + round) % 150);
                    let (me, at) = (lan(h), t + f64::from(k) * 1e-4);
                    assert_eq!(
                        push(&mut r, &arp(at, ArpOp::Request, me, peer), &mut out),
                        Class::Normal
                    );
                    assert_eq!(
                        push(&mut r, &arp(at + 2e-4, ArpOp::Reply, peer, me), &mut out),
                        Class::Normal
                    );
                    let (s, d) = (me.to_string(), peer.to_string());
                    r.ip(&tcp(at + 3e-4, &s, &d, 40000, 80, 0x02));
                }
                t += 0.01;
            }
            t += 4.0 - 0.4;
        }
        r.finish(&mut |s| out.push(s));
        assert!(out.is_empty(), "{out:?}");
        assert!(r.stats().talked_to > 0);
        // a monitor whose 35 hosts' entries went stale asks for all of them at once, every
        // 42 s (a run each time); they answer and its pings go out a millisecond later
        let mut r = rule();
        let monitor = lan(40);
        for round in 0..15u32 {
            let t = f64::from(round) * 42.0;
            for h in 100..135u32 {
                let a = arp(t, ArpOp::Request, monitor, lan(h));
                assert_eq!(push(&mut r, &a, &mut out), Class::Normal);
            }
            for h in 100..135u32 {
                push(
                    &mut r,
                    &arp(t + 1e-4, ArpOp::Reply, lan(h), monitor),
                    &mut out,
                );
                let ping = udp(t + 1e-3, "198.18.0.40", &lan(h).to_string(), 40000, 7, 8);
                r.ip(&ping);
            }
        }
        r.finish(&mut |s| out.push(s));
        assert!(out.is_empty(), "{out:?}");
        // without the IP traffic the same requests would be sweeps: the subtraction is what
        // keeps them apart
        let mut r = rule();
        for h in 1..=40u32 {
            sweep_from(&mut r, lan(h), 100..130, 0.0, 1e-4, &mut out);
        }
        r.finish(&mut |s| out.push(s));
        assert_eq!(out.len(), 40);
    }

    #[test]
    fn a_router_resolving_the_hosts_it_forwards_to_is_no_sweep() {
        let mut r = rule();
        let mut out = Vec::new();
        let router = lan(1);
        // traffic from far away (198.19.0.9) to 200 hosts, a new host every 2 ms: the router
        // asks, the host answers, the router forwards the packet with its original source
        for h in 2..202u32 {
            let t = f64::from(h) * 0.002;
            let req = arp(t, ArpOp::Request, router, lan(h));
            assert_eq!(push(&mut r, &req, &mut out), Class::Normal);
            push(
                &mut r,
                &arp(t + 1e-4, ArpOp::Reply, lan(h), router),
                &mut out,
            );
            r.ip(&udp(
                t + 2e-4,
                "198.19.0.9",
                &lan(h).to_string(),
                5000,
                53,
                40,
            ));
        }
        r.finish(&mut |s| out.push(s));
        assert!(out.is_empty(), "{out:?}");
        // a packet to the host long after its reply is no forwarding: the same requests with
        // the packets a second late (after all the requests) are a sweep
        let mut r = rule();
        let mut v = Vec::new();
        for h in 2..202u32 {
            let t = f64::from(h) * 0.002;
            v.push(push(
                &mut r,
                &arp(t, ArpOp::Request, router, lan(h)),
                &mut out,
            ));
            push(
                &mut r,
                &arp(t + 1e-4, ArpOp::Reply, lan(h), router),
                &mut out,
            );
        }
        for h in 2..202u32 {
            let t = f64::from(h) * 0.002 + 1.0;
            r.ip(&udp(t, "198.19.0.9", &lan(h).to_string(), 5000, 53, 40));
        }
        assert!(v.iter().any(|c| c.is_attack()));
        r.finish(&mut |s| out.push(s));
        assert_eq!(out.len(), 1);
    }

    #[test]
    fn gratuitous_arp_probes_replies_and_retries_are_never_counted() {
        let mut r = rule();
        let mut out = Vec::new();
        for i in 0..1000u32 {
            let t = f64::from(i) * 0.001;
            let h = lan(1 + i % 250);
            // RFC 5227 probes (sender 0.0.0.0), announcements and gratuitous requests
            for a in [
                arp(t, ArpOp::Request, ip("0.0.0.0"), h),
                arp(t, ArpOp::Request, h, h),
                arp(t, ArpOp::Reply, h, h),
                arp(t, ArpOp::Reply, h, lan(66)),
                arp(t, ArpOp::Request, h, ip("0.0.0.0")),
                arp(t, ArpOp::Other(3), lan(66), h),
            ] {
                assert_eq!(push(&mut r, &a, &mut out), Class::Normal, "{a:?}");
            }
            // one host retrying five silent addresses, over and over
            let a = arp(t, ArpOp::Request, lan(20), lan(200 + i % 5));
            assert_eq!(push(&mut r, &a, &mut out), Class::Normal);
        }
        r.finish(&mut |s| out.push(s));
        assert!(out.is_empty());
        assert_eq!(r.stats().new_targets, 5);
        assert_eq!(r.stats().ignored, 3000);
        // a host re-checking 200 neighbours it knows, by unicast requests, all at once
        let mut r = rule();
        for h in 1..201u32 {
            let mut a = arp(1.0, ArpOp::Request, lan(250), lan(h));
            a.link_dst = Some([2, 0, 198, 18, 0, h as u8]);
            assert_eq!(push(&mut r, &a, &mut out), Class::Normal);
        }
        r.finish(&mut |s| out.push(s));
        assert!(out.is_empty());
        assert_eq!((r.stats().unicast, r.stats().new_targets), (200, 0));
        // a host trying 20 dead addresses every 15 s for an hour (a run each time: new to the
        // fast count every time, to the slow one only the first)
        let mut r = rule();
        for round in 0..240u32 {
            let t = f64::from(round) * 15.0;
            let v = sweep_from(&mut r, lan(20), 200..220, t, 0.01, &mut out);
            assert!(v.iter().all(|c| *c == Class::Normal), "round {round}");
        }
        r.finish(&mut |s| out.push(s));
        assert!(out.is_empty());
        assert_eq!(r.stats().new_targets, 20);
    }

    #[test]
    fn sweeps_apart_by_more_than_the_gap_are_two_episodes_and_closer_ones_one() {
        let mut out = Vec::new();
        let mut r = rule();
        sweep_from(&mut r, lan(66), 1..101, 0.0, 0.005, &mut out);
        // the second sweep, of other addresses, starts 5 s after the first ended: one run
        sweep_from(&mut r, lan(66), 101..201, 5.5, 0.005, &mut out);
        // the same addresses again 40 s later, in a run of its own: a second sweep (new to the
        // fast count, though asked less than RECENT before, so not to the slow one, which is
        // still high from the first: its first target's GRACE, 50 requests later, makes it a
        // sweep)
        let v = sweep_from(&mut r, lan(66), 1..101, 40.0, 0.005, &mut out);
        assert!(v
            .iter()
            .enumerate()
            .all(|(i, c)| c.is_attack() == (i >= 50 && i != 65)));
        assert_eq!(out.len(), 1, "the first run ended before the second began");
        assert_eq!(out[0].targets, 199, "1 to 200 but the sender's own .66");
        r.advance(60.0, &mut |s| out.push(s));
        assert_eq!(out.len(), 2);
        assert_eq!((out[1].targets, out[1].first_seen), (99, 40.0));
        // and again 70 s after that: new targets, and the slow count is still high from the
        // first sweeps, so the first of them makes a sweep of its own, once its GRACE passed
        let v = sweep_from(&mut r, lan(66), 1..101, 110.0, 0.005, &mut out);
        assert_eq!(v.iter().position(|c| c.is_attack()), Some(50));
        r.finish(&mut |s| out.push(s));
        assert_eq!(out.len(), 3);
        assert_eq!((out[2].targets, out[2].requests), (99, 99));
        assert_eq!(out[2].first_seen, 110.0);
        // two senders sweeping at once are two sweeps, reported in the order they ended
        let mut r = rule();
        let mut out = Vec::new();
        sweep_from(&mut r, lan(67), 1..60, 0.0, 0.01, &mut out);
        sweep_from(&mut r, lan(66), 60..200, 0.0, 0.01, &mut out);
        r.finish(&mut |s| out.push(s));
        let who: Vec<_> = out.iter().map(|s| s.sender).collect();
        assert_eq!(who, vec![lan(67), lan(66)]);
    }

    #[test]
    fn a_few_requests_after_a_sweep_has_ended_are_no_sweep_of_their_own() {
        // helper h1's lab (session 15): a router forwarded a timestamp sweep of its /24 (202
        // addresses ARPed for, a sweep), and a minute later a traceroute to a silent address
        // of it: the router's two requests for that address were reported as an "ARP sweep of
        // 1 addresses", the slow count still above the threshold from the sweep
        let mut out = Vec::new();
        let mut r = rule();
        let router = lan(1);
        sweep_from(&mut r, router, 2..204, 0.0, 0.01, &mut out);
        r.advance(30.0, &mut |s| out.push(s));
        assert_eq!(out.len(), 1);
        // 62 s on, the slow count is still above 25: 202 × 2^(−62/60) ≈ 99
        for (t, h) in [(62.0, 210), (65.0, 210)] {
            let a = arp(t, ArpOp::Request, router, lan(h));
            assert_eq!(push(&mut r, &a, &mut out), Class::Normal);
        }
        r.advance(80.0, &mut |s| out.push(s));
        assert_eq!(out.len(), 1, "one address asked for is no sweep");
        // three new addresses in a run are none either; the fourth makes the run a sweep (the
        // slow count carried over, as for a sweep that paused longer than the gap)
        let v = sweep_from(&mut r, router, 220..226, 90.0, 0.5, &mut out);
        // a target counts GRACE (0.25 s) after its request: the fourth's, at 91.75 s, before
        // the fifth request
        assert_eq!(
            v.iter().map(|c| c.is_attack()).collect::<Vec<_>>(),
            [false, false, false, false, true, true]
        );
        r.finish(&mut |s| out.push(s));
        assert_eq!(out.len(), 2);
        assert_eq!((out[1].targets, out[1].flagged), (6, 2));
        assert_eq!(out[1].detected_at, 91.5 + GRACE);
    }

    #[test]
    fn the_threshold_decides_and_zero_turns_the_rule_off() {
        let mut out = Vec::new();
        let mut off = ArpSweeps::new(0.0, 4.0, 16);
        let v = sweep_from(&mut off, lan(66), 1..255, 0.0, 0.001, &mut out);
        assert!(v.iter().all(|c| *c == Class::Normal));
        off.finish(&mut |s| out.push(s));
        assert!(out.is_empty());
        // a threshold of 100: a sweep of 80 addresses is below it
        let mut high = ArpSweeps::new(100.0, 4.0, 16);
        let v = sweep_from(&mut high, lan(66), 1..81, 0.0, 0.001, &mut out);
        assert!(v.iter().all(|c| *c == Class::Normal));
        let v = sweep_from(&mut high, lan(66), 81..255, 0.1, 0.005, &mut out);
        let first = v.iter().position(|c| c.is_attack()).unwrap();
        // 79 new targets (.66 is the sender's own) and 21 more reach 100 (less a little decay)
        // GRACE after the 21st: request 20 + 50
        assert!((70..74).contains(&first), "{first}");
    }

    #[test]
    fn memory_stays_bounded_under_a_flood_of_senders_and_targets() {
        let mut r = ArpSweeps::new(DEFAULT_THRESHOLD, 4.0, 1000);
        let mut out = Vec::new();
        // 200,000 spoofed senders asking two addresses each, within two seconds
        for i in 0..200_000u32 {
            let s = Ipv4Addr::from(0x0a00_0000 + i);
            for k in 0..2u32 {
                let t = f64::from(i) * 1e-5;
                push(
                    &mut r,
                    &arp(
                        t,
                        ArpOp::Request,
                        s,
                        Ipv4Addr::from(0x0b00_0000 + i * 2 + k),
                    ),
                    &mut out,
                );
            }
        }
        assert!(r.senders.len() <= 1000);
        assert!(r.asked.len() <= CAPACITY);
        assert!(r.macs.len() <= MAC_CAPACITY);
        assert!(r.stats().table_resets > 0);
        r.finish(&mut |s| out.push(s));
        assert!(out.is_empty());
    }

    #[test]
    fn a_sweep_from_a_made_up_sender_address_names_the_hardware_address_s_other_ones() {
        let mut r = rule();
        let mut out = Vec::new();
        // the attacker's host (.66) resolves the gateway, then sweeps as netdiscover does,
        // writing .67 as the sender address from the same hardware address
        let mut gw = arp(1.0, ArpOp::Request, lan(66), lan(1));
        let mac = gw.sender_mac;
        push(&mut r, &gw, &mut out);
        gw.op = ArpOp::Reply;
        (gw.sender_ip, gw.target_ip, gw.sender_mac) = (lan(1), lan(66), [2, 0, 0, 0, 0, 1]);
        push(&mut r, &gw, &mut out);
        for h in 1..255u32 {
            let mut a = arp(2.0 + f64::from(h) * 0.004, ArpOp::Request, lan(67), lan(h));
            a.sender_mac = mac;
            push(&mut r, &a, &mut out);
        }
        r.finish(&mut |s| out.push(s));
        assert_eq!(out.len(), 1);
        assert_eq!((out[0].sender, out[0].sender_mac), (lan(67), mac));
        assert_eq!(
            out[0].mac_also_seen_as,
            [lan(66), Ipv4Addr::UNSPECIFIED, Ipv4Addr::UNSPECIFIED]
        );
        assert_eq!(
            out[0].to_json()["sender_mac_also_seen_as"],
            serde_json::json!(["198.18.0.66"])
        );
        // a hardware address that gave many addresses keeps the latest few, the latest first
        let mut r = rule();
        for (i, h) in [5u32, 6, 7, 8, 6, 9].into_iter().enumerate() {
            let mut a = arp(i as f64, ArpOp::Reply, lan(h), lan(1));
            a.sender_mac = mac;
            push(&mut r, &a, &mut out);
        }
        assert_eq!(r.macs[&mac], [9, 6, 8, 7].map(|h| u32::from(lan(h))));
    }

    #[test]
    fn the_covering_prefix_is_the_smallest_one() {
        let p = |a: &str, b: &str| covering_prefix(u32::from(ip(a)), u32::from(ip(b)));
        assert_eq!(p("198.18.0.1", "198.18.0.254"), (ip("198.18.0.0"), 24));
        assert_eq!(p("198.18.0.0", "198.18.0.63"), (ip("198.18.0.0"), 26));
        assert_eq!(p("198.18.0.7", "198.18.0.7"), (ip("198.18.0.7"), 32));
        assert_eq!(p("198.18.0.255", "198.18.1.0"), (ip("198.18.0.0"), 23));
        assert_eq!(p("0.0.0.1", "255.255.255.255"), (ip("0.0.0.0"), 0));
        assert_eq!(
            mac_string([0x02, 0, 0xab, 0x0c, 0xff, 1]),
            "02:00:ab:0c:ff:01"
        );
    }
}
