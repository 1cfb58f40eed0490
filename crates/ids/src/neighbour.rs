//! Attacks on IPv6 neighbour discovery and on a link's groups: the rules for what thc-ipv6's
//! link-local tools send (`atk6-flood_router26`, `atk6-flood_advertise6`,
//! `atk6-flood_solicitate6`, `atk6-smurf6`, `atk6-rsmurf6`, `atk6-dos-new-ip6`,
//! `atk6-parasite6`), which the networks, trained on IP traffic between hosts, cannot alert:
//! their packets go to a group (every host of the link is the victim) or come from forged
//! sources, one packet each, and the aggregator takes no group for a victim
//! ([`crate::detect`]: an mDNS or SSDP group is many hosts' ordinary destination).
//!
//! Five rules, each on the ICMPv6 type, the addresses and the time of a packet (the IP
//! header and the first four bytes of the ICMP header: all a capture of 96 bytes keeps):
//!
//! - **Neighbour-discovery flood.** Router solicitations and advertisements, neighbour
//!   solicitations and advertisements, redirects (ICMPv6 133–137) from *new speakers* —
//!   sources that sent no message of that type in the last [`HORIZON`]; for a
//!   duplicate-address probe, sent from the unspecified address, its target — as a damped
//!   count per type with a 1 s half-life. At or above the threshold
//!   ([`DetectSettings::nd_flood_threshold`](crate::detect::DetectSettings::nd_flood_threshold),
//!   default [`DEFAULT_FLOOD_THRESHOLD`]; a tenth of it for router advertisements and
//!   redirects, which only routers send: [`ROUTER_FRACTION`]) each such message is
//!   `flood-icmp`. thc-ipv6's floods take a new random link-local source (and hardware
//!   address) for every packet: in the lab (`lab/ndattacks.sh`) 1,000 router advertisements a
//!   second, 50,000 neighbour advertisements or solicitations a second. A link's own speakers
//!   are its routers (one advertisement each every few seconds) and its hosts, each new one
//!   with a router solicitation, a probe of each of its addresses and perhaps an announcement:
//!   the threshold is several hundred hosts coming up within a second.
//!   Messages from the unspecified address that no rule flags — duplicate-address probes,
//!   router solicitations and listener reports of hosts without an address yet — are normal
//!   whatever the networks say (their source names no host; in the lab a router-advertisement
//!   flood made every host probe the addresses it took from the flood's prefixes, which the
//!   networks took for a flood from `::`).
//! - **Smurf.** Echo requests to a group (ICMPv6 128 or ICMP 8 to a multicast address or the
//!   IPv4 limited broadcast) from one source, as a damped count per source with a 1 s
//!   half-life, at or above [`SMURF_THRESHOLD`]: every member answers the source, so the
//!   source is the victim, and its address was forged (`atk6-smurf6 VICTIM`). The requests
//!   and the echo replies to the source while the episode lasts are `flood-icmp`. An operator
//!   pings `ff02::1` once a second. Below the threshold, echo requests to a group and the
//!   replies to their source within [`GROUP_ANSWER`] are normal whatever the networks say:
//!   every member of the group answers at once, which looks to them like a flood of replies
//!   (and the first requests of a smurf, before the threshold, would otherwise open episodes
//!   of the victim and of every host answering it).
//! - **Group source.** An IPv6 packet whose source is a multicast address: RFC 4291 §2.7
//!   ("multicast addresses must not be used as source addresses in IPv6 packets"). No host
//!   sends one; `atk6-rsmurf6` sends echo requests "from" `ff02::1` so that the victim's
//!   answer goes to every host. Every such packet is flagged (`flood-icmp` for ICMPv6,
//!   `flood-udp` for UDP, `other-attack` else), and an episode per destination of at least
//!   [`GROUP_SOURCE_MIN_PACKETS`] is alerted. IPv4 is left out: a flood from random spoofed
//!   sources (`hping3 --rand-source`) draws one source in sixteen from 224.0.0.0/4, and those
//!   packets are that flood's, which the aggregator's victim alerts report.
//! - **Duplicate-address denial.** A duplicate-address probe is a neighbour solicitation from
//!   the unspecified address to the tentative address's solicited-node group (RFC 4862
//!   §5.4.2); a host that holds the address defends it with a neighbour advertisement to all
//!   nodes at once (§5.4.4), and the prober gives the address up. A defence is an
//!   advertisement from an address whose low 24 bits are those of a group probed less than
//!   [`DAD_ANSWER`] before. A real duplicate is one address (or one interface identifier,
//!   when a cloned machine's link-local and autoconfigured addresses collide); defences of
//!   [`DAD_MIN_DEFENDED`] distinct interface identifiers within [`DAD_SPAN`] are an attacker
//!   answering every probe (`atk6-dos-new-ip6`): no new host gets an address. Its defences are
//!   `other-attack`.
//! - **Neighbour spoofing.** The IPv6 counterpart of ARP spoofing
//!   ([`crate::arpspoof`]): an attacker answers solicitations for others' addresses with its
//!   own hardware address (`atk6-parasite6`, which answers each three times and, with `-l`,
//!   again every 5 s). A capture without hardware addresses still sees it: an address whose
//!   owner answers a solicitation is answered a second time (an *extra answer*), and
//!   advertisements from it come to a host that did not solicit it in the last [`SOLICIT`]
//!   seconds (*unsolicited*: hosts advertise unsolicited to all nodes, never to one host).
//!   Both add 1 to a count per claimed address (forgotten after [`SPOOF_QUIET`] without
//!   more); at or above [`SPOOF_THRESHOLD`], with at least one extra answer (so that a
//!   capture of one direction only, which sees the answers and not the questions, never
//!   alerts), the address is spoofed, and the extra and unsolicited advertisements claiming
//!   it are `other-attack`.
//!   Several routers answering for a subnet-router anycast address (interface identifier 0,
//!   RFC 4291 §2.6.1) are not counted.
//!
//! **The alerts.** None of these attackers shows its own address: the floods' sources are
//! random, the smurf's is its victim's, the spoofers' are the claimed addresses. Every alert
//! is therefore a victim alert (`scope` "victim", `sources` the distinct sources seen), as
//! for floods from spoofed sources ([`crate::detect`]): a flood to a group has that group as
//! its `dest_ip` (`ff02::1`: every host of the link; `ff02::1` too when the flood went to
//! many groups, one solicited-node group per random target), a smurf its forged source, a
//! group-source flood its destination, a denial of addresses `ff02::1` (the link's new hosts)
//! with the address whose defence made the attack (the second identifier) as the source, a spoofing (one per link, over all
//! the addresses spoofed, as thc-ipv6's tool answers for every address solicited) the first
//! host answered falsely, with the first address claimed as the source and the addresses
//! claimed as the `sources`. `nightjar.neighbour` names the rule. The packets a
//! rule flags go to the aggregator as normal (they would otherwise raise source alerts from
//! the smurf's victim and the answering hosts).
//!
//! **What is not seen.** A rogue router (`atk6-fake_router26`) advertises like a router: a
//! second router on a link is no attack without knowing which routers are the link's (RA
//! guard's configuration). `atk6-ndpexhaust26` is echo requests from one source to random
//! addresses, for the networks and the aggregator. Spoofers that answer only where the
//! owner is silent (an address no one holds) contradict no one.
//!
//! Sans-IO: [`NeighbourRules::push`] takes each IP packet and returns its class when a rule
//! flags it, [`NeighbourRules::advance`] lets time pass (episodes quiet for their gap are
//! reported), [`NeighbourRules::finish`] ends them all. Bounded: the tables of speakers and
//! solicitations are set-associative ([`SetAssoc`]), the counts per source damped in bounded
//! tables, open episodes at most [`EPISODE_CAPACITY`].

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};

use nightjar_packet::PacketRepr;
use serde_json::{json, Value};

use crate::alert::{iso8601, Alert, Scope};
use crate::class::Class;
use crate::detect::{is_group, Damped};
use crate::features::table::{hash_key, ip_key, SetAssoc};
use crate::profile::Distinct;

/// The neighbour-discovery flood threshold by default, for the messages hosts send (router
/// and neighbour solicitations, neighbour advertisements): a damped count of 500 new speakers
/// of one message type (1 s half-life: about 350 a second, sustained). thc-ipv6's floods
/// exceed it within a second (the lab's, policed to 800 packets a second, within 0.82 s;
/// unpoliced on a virtual link they send 1,000 router advertisements or 50,000 neighbour
/// messages a second); a link's hosts, all brought up at once (a switch's power cut), send a
/// router solicitation each over a second (RFC 4861 §6.3.7's random delay): about 700 hosts
/// within a second, or more hosts announcing two addresses each, would reach it.
pub const DEFAULT_FLOOD_THRESHOLD: f32 = 500.0;
/// The threshold for the messages only routers send (router advertisements, redirects), as a
/// fraction of the hosts' ([`DEFAULT_FLOOD_THRESHOLD`] or the setting): a link has a handful
/// of routers, not hundreds, and none of them is new every second.
pub const ROUTER_FRACTION: f32 = 0.1;
/// A source that sent no message of a type for this long is a new speaker of it again, seconds.
pub const HORIZON: f64 = 30.0;
/// Echo requests to a group a source sends, as a damped count (1 s half-life), at or above
/// which it is a smurf's victim: about 35 a second, sustained. `ping ff02::1%eth0` sends one a
/// second; `atk6-smurf6` as fast as it can (500 a second in the lab with `-i 2000`).
pub const SMURF_THRESHOLD: f32 = 50.0;
/// An echo reply answers a ping of a group sent at most this long before, seconds (every
/// member answers at once).
pub const GROUP_ANSWER: f64 = 1.0;
/// Flagged packets from group sources to one destination that an alert needs.
pub const GROUP_SOURCE_MIN_PACKETS: u64 = 15;
/// A defence answers a duplicate-address probe this soon, seconds: the defender answers at
/// once (RFC 4862 §5.4.4), and the prober's own announcement, if any, comes a retransmission
/// timer (1 s, RFC 4861 §10) after its probe.
pub const DAD_ANSWER: f64 = 0.5;
/// Distinct interface identifiers defended within [`DAD_SPAN`] that make an attack.
pub const DAD_MIN_DEFENDED: usize = 2;
/// The window of defences, seconds.
pub const DAD_SPAN: f64 = 300.0;
/// An advertisement answers a solicitation from its receiver made at most this long before,
/// seconds (Linux retransmits a solicitation every second, three times).
pub const SOLICIT: f64 = 3.0;
/// The spoofing rule's threshold: extra answers and unsolicited advertisements claiming one
/// address, each less than [`SPOOF_QUIET`] after the one before (with at least one extra
/// answer). Lower than the ARP-spoofing rule's five: a host answers a solicitation once, and
/// no operating system advertises to one host that did not ask (unsolicited advertisements
/// go to all nodes), so each piece is a contradiction, where ARP's changes of binding are
/// also a failover's. Two: a second host answering for an address (a proxy beside the owner,
/// a misconfiguration that makes the neighbour caches flip) is alerted at its second
/// contradiction, as arpwatch reports a flip-flop. `atk6-parasite6` answers each solicitation
/// three times (one solicited and two unsolicited advertisements alike, which a capture that
/// saw both counts once, [`crate::copies`]: two extra answers), so it is found at the first
/// solicitation it answers.
pub const SPOOF_THRESHOLD: u32 = 2;
/// An address's evidence is forgotten after this long without more, seconds (the
/// ARP-spoofing rule's half-life).
pub const SPOOF_QUIET: f64 = 300.0;
/// Episodes of the slow rules (duplicate-address denial, spoofing) end after at least this
/// much quiet, whatever the episodes' gap: they answer hosts that probe or solicit now and
/// then, `atk6-parasite6 -l` every 5 s.
pub const SLOW_GAP: f64 = 60.0;
/// Open episodes kept, at most (a new one finds no room while all are open).
pub const EPISODE_CAPACITY: usize = 1 << 12;
/// Sources, solicitations and claimed addresses the tables keep, at most.
pub const TABLE_CAPACITY: usize = 1 << 16;

/// ICMPv6 types (RFC 4443, RFC 4861).
const ECHO_REQUEST_V6: u8 = 128;
const ECHO_REPLY_V6: u8 = 129;
const ROUTER_SOLICIT: u8 = 133;
const ROUTER_ADVERT: u8 = 134;
const REDIRECT: u8 = 137;
const NEIGHBOUR_SOLICIT: u8 = 135;
const NEIGHBOUR_ADVERT: u8 = 136;
/// Multicast listener reports, MLDv1 (RFC 2710) and MLDv2 (RFC 3810).
const MLD_REPORT: u8 = 131;
const MLD2_REPORT: u8 = 143;
/// All nodes on the link, `ff02::1`.
const ALL_NODES: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);

/// Which rule an episode is of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NdRule {
    /// A flood of neighbour-discovery messages of one ICMPv6 type (133–137) from new speakers.
    Flood(u8),
    /// Echo requests to a group in the victim's name.
    Smurf,
    /// Packets from a group address.
    GroupSource,
    /// Duplicate-address probes answered for others.
    DadDenial,
    /// Advertisements claiming another host's address.
    Spoofing,
}

impl NdRule {
    /// Its name in EVE.
    pub fn as_str(self) -> &'static str {
        match self {
            NdRule::Flood(ROUTER_SOLICIT) => "router-solicitation-flood",
            NdRule::Flood(ROUTER_ADVERT) => "router-advertisement-flood",
            NdRule::Flood(NEIGHBOUR_SOLICIT) => "neighbour-solicitation-flood",
            NdRule::Flood(NEIGHBOUR_ADVERT) => "neighbour-advertisement-flood",
            NdRule::Flood(_) => "redirect-flood",
            NdRule::Smurf => "smurf",
            NdRule::GroupSource => "group-source",
            NdRule::DadDenial => "duplicate-address-denial",
            NdRule::Spoofing => "neighbour-spoofing",
        }
    }

    /// What it is, in words (the alert's signature).
    pub fn describe(self) -> &'static str {
        match self {
            NdRule::Flood(ROUTER_SOLICIT) => "IPv6 router-solicitation flood",
            NdRule::Flood(ROUTER_ADVERT) => "IPv6 router-advertisement flood",
            NdRule::Flood(NEIGHBOUR_SOLICIT) => "IPv6 neighbour-solicitation flood",
            NdRule::Flood(NEIGHBOUR_ADVERT) => "IPv6 neighbour-advertisement flood",
            NdRule::Flood(_) => "IPv6 redirect flood",
            NdRule::Smurf => "smurf: echo requests to a group in the victim's name",
            NdRule::GroupSource => "flood from a group address (forged source)",
            NdRule::DadDenial => "IPv6 duplicate-address detection denied",
            NdRule::Spoofing => "IPv6 neighbour spoofing",
        }
    }
}

/// One episode of a rule: what an alert reports (`nightjar.neighbour` in EVE).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NdAttack {
    pub rule: NdRule,
    /// The alert's source: the first flagged packet's (for a denial, the address whose
    /// defence made the attack; for spoofing, the first address claimed; for a smurf, the
    /// group).
    pub src: IpAddr,
    /// The alert's destination (the module's documentation).
    pub dst: IpAddr,
    /// IP protocol of its packets (58, or 1 for an IPv4 smurf and the like).
    pub proto: u8,
    pub class: Class,
    /// Its flagged packets, and when the first and the last were seen.
    pub packets: u64,
    pub first_seen: f64,
    pub last_seen: f64,
    /// Distinct sources of its packets (estimated past a few thousand): for a spoofing the
    /// addresses claimed; for a denial the interface identifiers refused.
    pub sources: u64,
}

impl NdAttack {
    /// The alert: a victim alert of its class.
    pub fn to_alert(&self) -> Alert {
        Alert {
            scope: Scope::Victim,
            sources: self.sources.max(1),
            neighbour: Some(*self),
            ..Alert::of_rule(
                (self.src, self.dst, self.proto),
                self.class,
                self.packets,
                self.packets,
                (self.first_seen, self.last_seen),
            )
        }
    }

    /// The evidence as JSON (for an EVE alert's `nightjar` object).
    pub fn to_json(&self) -> Value {
        json!({
            "rule": self.rule.as_str(),
            "sources": self.sources,
            "first_seen": iso8601(self.first_seen),
        })
    }
}

/// An open episode.
#[derive(Clone, Debug)]
struct Episode {
    attack: NdAttack,
    /// Whether its packets went to more than one destination (a flood's alert is then about
    /// the link, `ff02::1`).
    varied: bool,
    /// Its sources, counted.
    distinct: Distinct<4>,
    /// Quiet after which it ends, seconds.
    gap: f64,
}

impl Episode {
    fn start(
        rule: NdRule,
        p: &PacketRepr,
        class: Class,
        (src, dst): (IpAddr, IpAddr),
        gap: f64,
    ) -> Episode {
        Episode {
            attack: NdAttack {
                rule,
                src,
                dst,
                proto: p.proto,
                class,
                packets: 0,
                first_seen: p.ts,
                last_seen: p.ts,
                sources: 0,
            },
            varied: false,
            distinct: Distinct::default(),
            gap,
        }
    }

    /// Count flagged packet `p` (whose source counts as `source`, if any) at `now`.
    fn add(&mut self, p: &PacketRepr, source: Option<IpAddr>, now: f64) {
        let a = &mut self.attack;
        a.packets += 1;
        a.last_seen = a.last_seen.max(now);
        if p.dst != a.dst && matches!(a.rule, NdRule::Flood(_)) {
            self.varied = true;
        }
        if let Some(s) = source {
            self.distinct.add(hash_key(131, ip_key(s)));
        }
    }

    /// The attack it reports.
    fn report(&self) -> NdAttack {
        let mut a = self.attack;
        if self.varied {
            a.dst = IpAddr::V6(ALL_NODES);
        }
        if a.rule != NdRule::DadDenial {
            a.sources = self.distinct.estimate().round() as u64;
        }
        a
    }
}

/// A damped count and when it was last brought up to date.
#[derive(Clone, Copy, Debug, Default)]
struct Count {
    n: f32,
    at: f64,
}

impl Count {
    /// Decay to `now` with `half_life`, add `d`; the count.
    fn add(&mut self, now: f64, half_life: f64, d: f32) -> f32 {
        let dt = (now - self.at).max(0.0);
        self.n = (f64::from(self.n) * (-dt / half_life).exp2()) as f32 + d;
        self.at = self.at.max(now);
        self.n
    }
}

/// What the spoofing rule keeps per claimed address.
#[derive(Clone, Copy, Debug, Default)]
struct Claim {
    /// Pieces of evidence, each less than [`SPOOF_QUIET`] after the one before, and when the
    /// latest came.
    evidence: u32,
    at: f64,
    /// Extra answers within the half-life (the count's clock).
    extras: u32,
    /// Whether it was found spoofed (its evidence reached the threshold with an extra answer).
    spoofed: bool,
}

/// The rules (module documentation).
pub struct NeighbourRules {
    flood_threshold: f32,
    /// Episodes' gap, seconds.
    gap: f64,
    clock: f64,
    /// (type, source) pairs seen, with when.
    speakers: SetAssoc<(u8, u128), ()>,
    /// Per type 133–137, the damped count of new speakers.
    flood_counts: [Count; 5],
    /// Echo requests to groups per source.
    group_pings: Damped,
    /// Sources that pinged a group (below the smurf threshold), and when last.
    group_pingers: SetAssoc<u128, ()>,
    /// Duplicate-address probes: the low 24 bits of the probed group, and when.
    probes: SetAssoc<u32, f64>,
    /// Defences: interface identifier, when.
    defended: Vec<(u64, f64)>,
    /// Solicitations: (solicitor, low 24 bits of the target) → when, answers since.
    solicits: SetAssoc<(u128, u32), (f64, u8)>,
    claims: HashMap<u128, Claim>,
    /// Open episodes, by rule and key (the flood's type, the smurf's victim, the group
    /// source's destination; the denial and the spoofing one each per capture, over all the
    /// addresses they concern).
    episodes: HashMap<(NdRule, u128), Episode>,
}

impl std::fmt::Debug for NeighbourRules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NeighbourRules")
            .field("flood_threshold", &self.flood_threshold)
            .field("episodes", &self.episodes.len())
            .finish_non_exhaustive()
    }
}

/// The low 24 bits of an IPv6 address: those its solicited-node group carries (RFC 4291
/// §2.7.1).
fn low24(a: Ipv6Addr) -> u32 {
    (u128::from(a) & 0x00ff_ffff) as u32
}

/// The interface identifier of an IPv6 address, its low 64 bits.
fn iid(a: Ipv6Addr) -> u64 {
    u128::from(a) as u64
}

fn v6(ip: IpAddr) -> Option<Ipv6Addr> {
    match ip {
        IpAddr::V6(a) => Some(a),
        IpAddr::V4(_) => None,
    }
}

impl NeighbourRules {
    /// The rules with neighbour-discovery flood threshold `flood_threshold` (0: all off) and
    /// episodes' gap `gap` seconds.
    pub fn new(flood_threshold: f32, gap: f64) -> NeighbourRules {
        let on = flood_threshold > 0.0;
        let cap = if on { TABLE_CAPACITY } else { 1 };
        NeighbourRules {
            flood_threshold,
            gap,
            clock: f64::NEG_INFINITY,
            speakers: SetAssoc::new(cap),
            flood_counts: [Count::default(); 5],
            group_pings: Damped::new(if on { cap / 16 } else { 1 }, 137),
            group_pingers: SetAssoc::new(if on { cap / 16 } else { 1 }),
            probes: SetAssoc::new(if on { cap / 16 } else { 1 }),
            defended: Vec::new(),
            solicits: SetAssoc::new(if on { cap / 4 } else { 1 }),
            claims: HashMap::new(),
            episodes: HashMap::new(),
        }
    }

    /// Update with IP packet `p`; its class when a rule flags it, `Some(Class::Normal)` when
    /// it is the rules' to judge and none flags it (an echo request to a group or a reply to
    /// it, below the smurf threshold; a duplicate-address probe, a router solicitation or
    /// listener report from the unspecified address, whose source names no one): the
    /// networks' verdict on it is void. Episodes quiet for
    /// their gap are reported to `sink` first.
    /// Inlined at the call: a packet that is neither ICMP nor from an IPv6 group (nearly all
    /// of them) only moves the clock while no episode is open.
    #[inline]
    pub fn push(&mut self, p: &PacketRepr, sink: &mut dyn FnMut(NdAttack)) -> Option<Class> {
        if self.flood_threshold <= 0.0 || p.later_fragment {
            return None;
        }
        let ours = matches!(p.proto, 1 | 58) || matches!(p.src, IpAddr::V6(a) if a.is_multicast());
        if !ours && self.episodes.is_empty() {
            if p.ts.is_finite() && p.ts > self.clock {
                self.clock = p.ts;
            }
            return None;
        }
        self.push_packet(p, sink)
    }

    /// [`NeighbourRules::push`] of a packet that may be the rules'.
    #[inline(never)]
    fn push_packet(&mut self, p: &PacketRepr, sink: &mut dyn FnMut(NdAttack)) -> Option<Class> {
        if p.ts.is_finite() && p.ts > self.clock {
            self.advance(p.ts, sink);
        }
        let now = self.clock;
        if p.src.is_ipv6() && is_group(p.src) {
            let class = match p.proto {
                58 => Class::FloodIcmp,
                17 => Class::FloodUdp,
                _ => Class::OtherAttack,
            };
            self.flag(
                NdRule::GroupSource,
                ip_key(p.dst),
                p,
                class,
                (p.src, p.dst),
                Some(p.src),
            );
            return Some(class);
        }
        let echo = match (p.proto, p.icmp_type) {
            (1, 8) | (58, ECHO_REQUEST_V6) => Some(true),
            (1, 0) | (58, ECHO_REPLY_V6) => Some(false),
            _ => None,
        };
        match echo {
            Some(true) if is_group(p.dst) && !p.src.is_unspecified() => {
                let n = self.group_pings.add(ip_key(p.src), 1.0, now, 0.0);
                let open = self.episodes.contains_key(&(NdRule::Smurf, ip_key(p.src)));
                if n >= SMURF_THRESHOLD || open {
                    // the group's members answer: they are the sources
                    self.flag(
                        NdRule::Smurf,
                        ip_key(p.src),
                        p,
                        Class::FloodIcmp,
                        (p.dst, p.src),
                        None,
                    );
                    return Some(Class::FloodIcmp);
                }
                let k = ip_key(p.src);
                self.group_pingers.touch(k, hash_key(157, k), now);
                return Some(Class::Normal);
            }
            Some(false) => {
                let k = (NdRule::Smurf, ip_key(p.dst));
                if let Some(e) = self.episodes.get_mut(&k) {
                    e.add(p, Some(p.src), now);
                    return Some(Class::FloodIcmp);
                }
                // an answer to a ping of a group
                let answered = self
                    .group_pingers
                    .get_stamped(&k.1, hash_key(157, k.1))
                    .is_some_and(|(_, t)| now - t <= GROUP_ANSWER);
                return answered.then_some(Class::Normal);
            }
            _ => {}
        }
        let (Some(src), Some(dst)) = (v6(p.src), v6(p.dst)) else {
            return None;
        };
        if p.proto == 58 && src.is_unspecified() && matches!(p.icmp_type, MLD_REPORT | MLD2_REPORT)
        {
            // a tentative address's listener report (RFC 3810 §5.2.13): no host's, normal
            return Some(Class::Normal);
        }
        if p.proto != 58 || !(ROUTER_SOLICIT..=REDIRECT).contains(&p.icmp_type) {
            return None;
        }
        // a duplicate-address probe, or a solicitation to remember
        if p.icmp_type == NEIGHBOUR_SOLICIT {
            if src.is_unspecified() {
                // a duplicate-address probe: its target (its group) is the speaker, the
                // unspecified source no one's; normal unless probes of new targets flood
                if dst.segments()[0] == 0xff02 {
                    *self
                        .probes
                        .touch(low24(dst), hash_key(139, u128::from(low24(dst))), now)
                        .val = now;
                }
                return self.flood(p, u128::from(dst), now).or(Some(Class::Normal));
            }
            let key = (ip_key(p.src), low24(dst));
            *self
                .solicits
                .touch(key, hash_key(149, key.0 ^ u128::from(key.1)), now)
                .val = (now, 0);
        }
        if src.is_unspecified() {
            // a router solicitation of a host without an address (RFC 4861 §4.1)
            return Some(Class::Normal);
        }
        let flood = self.flood(p, u128::from(src), now);
        if flood.is_some() {
            return flood;
        }
        if p.icmp_type == NEIGHBOUR_ADVERT {
            if dst.is_multicast() {
                return self.defence(p, src, now);
            }
            return self.claim(p, src, now);
        }
        None
    }

    /// The flood rule on neighbour-discovery message `p` from `speaker` (its source, or a
    /// duplicate-address probe's target group).
    fn flood(&mut self, p: &PacketRepr, speaker: u128, now: f64) -> Option<Class> {
        let ty = p.icmp_type;
        let k = (ty, speaker);
        let e = self
            .speakers
            .touch(k, hash_key(u64::from(ty) * 151, k.1), now);
        let new = e.prev_stamp.is_none_or(|t| now - t > HORIZON);
        let i = usize::from(ty - ROUTER_SOLICIT);
        let n = self
            .flood_counts
            .get_mut(i)?
            .add(now, 1.0, f32::from(u8::from(new)));
        let threshold = match ty {
            ROUTER_ADVERT | REDIRECT => self.flood_threshold * ROUTER_FRACTION,
            _ => self.flood_threshold,
        };
        if new && n >= threshold {
            self.flag(
                NdRule::Flood(ty),
                u128::from(ty),
                p,
                Class::FloodIcmp,
                (p.src, p.dst),
                Some(p.src),
            );
            return Some(Class::FloodIcmp);
        }
        None
    }

    /// The duplicate-address denial rule on an advertisement `p` from `src` to a group.
    fn defence(&mut self, p: &PacketRepr, src: Ipv6Addr, now: f64) -> Option<Class> {
        let l = low24(src);
        let probed = self
            .probes
            .get_stamped(&l, hash_key(139, u128::from(l)))
            .is_some_and(|(&t, _)| now - t <= DAD_ANSWER);
        if !probed {
            return None;
        }
        let key = (NdRule::DadDenial, 0);
        self.defended.retain(|&(_, t)| now - t <= DAD_SPAN);
        let id = iid(src);
        if !self.defended.iter().any(|&(i, _)| i == id) {
            self.defended.push((id, now));
        }
        let open = self.episodes.contains_key(&key);
        if self.defended.len() < DAD_MIN_DEFENDED && !open {
            return None;
        }
        let n = self.defended.len() as u64;
        self.flag(
            NdRule::DadDenial,
            0,
            p,
            Class::OtherAttack,
            (p.src, p.dst),
            Some(p.src),
        );
        if let Some(e) = self.episodes.get_mut(&key) {
            e.attack.sources = e.attack.sources.max(n);
            e.attack.dst = IpAddr::V6(ALL_NODES);
        }
        Some(Class::OtherAttack)
    }

    /// The spoofing rule on an advertisement `p` from `src` to one host.
    fn claim(&mut self, p: &PacketRepr, src: Ipv6Addr, now: f64) -> Option<Class> {
        if iid(src) == 0 {
            // a subnet-router anycast address: every router of the subnet answers for it
            return None;
        }
        let key = (ip_key(p.dst), low24(src));
        let h = hash_key(149, key.0 ^ u128::from(key.1));
        let (extra, unsolicited) = match self.solicits.get_mut(&key, h, now) {
            Some((t, answers)) if now - *t <= SOLICIT => {
                *answers = answers.saturating_add(1);
                (*answers > 1, false)
            }
            _ => (false, true),
        };
        if !extra && !unsolicited {
            return None;
        }
        if self.claims.len() >= TABLE_CAPACITY && !self.claims.contains_key(&u128::from(src)) {
            // forget the quiet ones, then all
            self.claims.retain(|_, c| now - c.at <= SPOOF_QUIET);
            if self.claims.len() >= TABLE_CAPACITY {
                self.claims.clear();
            }
        }
        let c = self.claims.entry(u128::from(src)).or_default();
        if now - c.at > SPOOF_QUIET {
            *c = Claim::default();
        }
        c.at = now;
        c.extras += u32::from(extra);
        c.evidence += 1;
        c.spoofed |= c.evidence >= SPOOF_THRESHOLD && c.extras > 0;
        if c.spoofed {
            self.flag(
                NdRule::Spoofing,
                0,
                p,
                Class::OtherAttack,
                (p.src, p.dst),
                Some(p.src),
            );
            return Some(Class::OtherAttack);
        }
        None
    }

    /// Count flagged packet `p` in the episode of `rule` and `key` (opened with ends `ends`
    /// if none is open), `source` its source to count (none: a smurf's request).
    fn flag(
        &mut self,
        rule: NdRule,
        key: u128,
        p: &PacketRepr,
        class: Class,
        ends: (IpAddr, IpAddr),
        source: Option<IpAddr>,
    ) {
        let now = self.clock;
        let gap = match rule {
            NdRule::DadDenial | NdRule::Spoofing => self.gap.max(SLOW_GAP),
            _ => self.gap,
        };
        if !self.episodes.contains_key(&(rule, key)) {
            if self.episodes.len() >= EPISODE_CAPACITY {
                return;
            }
            self.episodes
                .insert((rule, key), Episode::start(rule, p, class, ends, gap));
        }
        if let Some(e) = self.episodes.get_mut(&(rule, key)) {
            e.add(p, source, now);
        }
    }

    /// Let time pass to `now`: episodes quiet for their gap are reported.
    pub fn advance(&mut self, now: f64, sink: &mut dyn FnMut(NdAttack)) {
        if now.is_finite() && now > self.clock {
            self.clock = now;
        }
        if self.episodes.is_empty() {
            return;
        }
        let clock = self.clock;
        let mut done: Vec<_> = self
            .episodes
            .iter()
            .filter(|(_, e)| clock - e.attack.last_seen > e.gap)
            .map(|(k, e)| (e.attack.first_seen, *k))
            .collect();
        done.sort_by(|a, b| a.0.total_cmp(&b.0));
        for (_, k) in done {
            if let Some(e) = self.episodes.remove(&k) {
                self.report(&e, sink);
            }
        }
    }

    /// End every open episode (in the order they began).
    pub fn finish(&mut self, sink: &mut dyn FnMut(NdAttack)) {
        let mut all: Vec<_> = self.episodes.drain().map(|(_, e)| e).collect();
        all.sort_by(|a, b| a.attack.first_seen.total_cmp(&b.attack.first_seen));
        for e in &all {
            self.report(e, sink);
        }
    }

    /// Report episode `e` if it makes an alert: a group source's of at least
    /// [`GROUP_SOURCE_MIN_PACKETS`], any other.
    fn report(&self, e: &Episode, sink: &mut dyn FnMut(NdAttack)) {
        if e.attack.rule == NdRule::GroupSource && e.attack.packets < GROUP_SOURCE_MIN_PACKETS {
            return;
        }
        sink(e.report());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::tests::{ip, tcp};

    /// An ICMPv6 message of type `ty` from `src` to `dst` at `ts`.
    fn icmp6(ts: f64, src: &str, dst: &str, ty: u8) -> PacketRepr {
        let mut p = tcp(ts, src, dst, 0, 0, 0);
        p.proto = 58;
        p.icmp_type = ty;
        p
    }

    /// A link-local address with interface identifier `i`.
    fn ll(i: u64) -> String {
        Ipv6Addr::from(0xfe80_u128 << 112 | u128::from(i)).to_string()
    }

    /// The solicited-node group of `a` (RFC 4291 §2.7.1).
    fn group_of(a: &str) -> String {
        let a: Ipv6Addr = a.parse().unwrap();
        Ipv6Addr::from(0xff02_0000_0000_0000_0000_0001_ff00_0000 | (u128::from(a) & 0xff_ffff))
            .to_string()
    }

    /// Run `packets` through the rules with `threshold`: the indices of those flagged (with
    /// their class: an attack's) and the attacks reported.
    fn run(threshold: f32, packets: &[PacketRepr]) -> (Vec<(usize, Class)>, Vec<NdAttack>) {
        let mut r = NeighbourRules::new(threshold, 4.0);
        let mut out = Vec::new();
        let mut flagged = Vec::new();
        for (i, p) in packets.iter().enumerate() {
            if let Some(c) = r.push(p, &mut |a| out.push(a)).filter(|c| c.is_attack()) {
                flagged.push((i, c));
            }
        }
        r.finish(&mut |a| out.push(a));
        (flagged, out)
    }

    fn default_run(packets: &[PacketRepr]) -> (Vec<(usize, Class)>, Vec<NdAttack>) {
        run(DEFAULT_FLOOD_THRESHOLD, packets)
    }

    /// A flood of `n` messages of type `ty` at `rate` a second from new random link-local
    /// sources to `dst(i)`, from `t0`.
    fn flood(t0: f64, n: u64, rate: f64, ty: u8, dst: impl Fn(u64) -> String) -> Vec<PacketRepr> {
        (0..n)
            .map(|i| {
                let src = ll(0x0200_0000_0000_0000 | i.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 8);
                icmp6(t0 + i as f64 / rate, &src, &dst(i), ty)
            })
            .collect()
    }

    #[test]
    fn router_and_neighbour_advertisement_floods_are_flagged_past_the_threshold_and_alerted_once_against_the_group(
    ) {
        // atk6-flood_router26 as policed in the lab: 800 router advertisements a second, each
        // from a new link-local source, to all nodes, for 3 s. The damped count (1 s
        // half-life) of new speakers, 800 × (1 − 2^−t)/ln 2 after t s, reaches the routers'
        // threshold of 50 after 0.064 s (the 52nd)
        let ra = flood(100.0, 2400, 800.0, 134, |_| "ff02::1".into());
        let (flagged, attacks) = default_run(&ra);
        assert!((2340..2355).contains(&flagged.len()), "{}", flagged.len());
        assert!(flagged.iter().all(|&(_, c)| c == Class::FloodIcmp));
        // every message after the first flagged one is flagged
        let first = flagged[0].0;
        assert_eq!(flagged.len(), ra.len() - first);
        assert_eq!(attacks.len(), 1, "{attacks:?}");
        let a = attacks[0];
        assert_eq!(a.rule, NdRule::Flood(134));
        assert_eq!(a.dst, ip("ff02::1"));
        assert_eq!(a.packets, flagged.len() as u64);
        assert_eq!(a.class, Class::FloodIcmp);
        assert_eq!(a.first_seen, ra[first].ts);
        assert_eq!(a.last_seen, ra[2399].ts);
        // sources: each flagged packet's, estimated within a few percent
        // (past a thousand, a HyperLogLog of 64 registers: 13 % standard error)
        let s = a.sources as f64 / flagged.len() as f64;
        assert!((0.8..1.2).contains(&s), "{} sources", a.sources);
        // the same flood of neighbour advertisements, and of solicitations to the
        // solicited-node groups of random targets: that alert is about the link, ff02::1
        // (the hosts' threshold of 500: after 0.82 s, the 657th)
        let na = flood(100.0, 2400, 800.0, 136, |_| "ff02::1".into());
        let (flagged, attacks) = default_run(&na);
        assert!((1735..1755).contains(&flagged.len()), "{}", flagged.len());
        assert_eq!(attacks.len(), 1);
        assert_eq!(attacks[0].rule, NdRule::Flood(136));
        let ns = flood(100.0, 2400, 800.0, 135, |i| {
            format!("ff02::1:ff{:02x}:{:x}", i % 256, i % 65_536)
        });
        let (flagged, attacks) = default_run(&ns);
        assert!((1735..1755).contains(&flagged.len()), "{}", flagged.len());
        assert_eq!(attacks.len(), 1);
        assert_eq!(attacks[0].rule, NdRule::Flood(135));
        assert_eq!(attacks[0].dst, ip("ff02::1"));
        // 0 turns the module off
        let (flagged, attacks) = run(0.0, &ra);
        assert!(flagged.is_empty() && attacks.is_empty());
        // two floods 10 s apart are two alerts; one source sending again and again is one
        // speaker, not a flood
        let mut two = flood(100.0, 1000, 800.0, 134, |_| "ff02::1".into());
        two.extend(flood(112.0, 1000, 800.0, 136, |_| "ff02::1".into()));
        assert_eq!(default_run(&two).1.len(), 2);
        let one: Vec<_> = (0..5000)
            .map(|i| icmp6(100.0 + f64::from(i) / 1000.0, "fe80::1", "ff02::1", 134))
            .collect();
        assert_eq!(default_run(&one), (vec![], vec![]));
    }

    /// A link of `hosts` hosts booting within `spread` seconds from `t0` (router
    /// solicitation, duplicate-address probes of the link-local and the global address, an
    /// unsolicited advertisement of each, an MLD report), a router advertising every 3 s,
    /// and then every host resolving its neighbours (multicast solicitations, each answered
    /// once) and re-checking them (unicast solicitations, answered once), for `secs` seconds.
    fn normal_link(t0: f64, hosts: u64, spread: f64, secs: f64) -> Vec<PacketRepr> {
        let mut p = Vec::new();
        let global = |h: u64| format!("2001:2::{:x}:{:x}", 0x200 + h / 65_536, h % 65_536);
        for h in 0..hosts {
            let t = t0 + spread * h as f64 / hosts as f64;
            let l = ll(0x0200_0000_0000_1000 + h);
            p.push(icmp6(t, "::", &group_of(&l), 135));
            p.push(icmp6(t + 0.001, "::", "ff02::16", 143));
            p.push(icmp6(t + 0.2, &l, "ff02::2", 133));
            p.push(icmp6(t + 0.4, "::", &group_of(&global(h)), 135));
            // the announcement after the probe's retransmission timer (ndisc_notify)
            p.push(icmp6(t + 1.0, &l, "ff02::1", 136));
            p.push(icmp6(t + 1.4, &global(h), "ff02::1", 136));
        }
        let mut t = t0;
        while t < t0 + secs {
            p.push(icmp6(t, "fe80::1", "ff02::1", 134));
            t += 3.0;
        }
        let mut t = t0 + spread + 2.0;
        let mut k = 0u64;
        while t < t0 + secs {
            let (a, b) = (global(k % hosts), global((k * 7 + 3) % hosts));
            if a != b {
                if k % 3 == 0 {
                    // re-checking a neighbour: a unicast solicitation, answered
                    p.push(icmp6(t, &a, &b, 135));
                } else {
                    p.push(icmp6(t, &a, &group_of(&b), 135));
                }
                p.push(icmp6(t + 0.0004, &b, &a, 136));
            }
            k += 1;
            t += 0.05;
        }
        p.sort_by(|x, y| x.ts.total_cmp(&y.ts));
        p
    }

    #[test]
    fn a_link_of_hosts_booting_at_once_and_resolving_their_neighbours_is_never_flagged() {
        // 300 hosts booting within 2 s: 150 new router solicitors a second, a damped count
        // of 162 at most (150 × (1 − 2^−2) / ln 2), and 300 new advertisers a second (each
        // announces its link-local and its global address), 325 at most: below 500; then
        // 10 minutes of neighbour resolution, 20 exchanges a second
        let link = normal_link(100.0, 300, 2.0, 600.0);
        assert!(link.len() > 20_000);
        assert_eq!(default_run(&link), (vec![], vec![]));
        // the rules' state after it is clean: a flood after it is still one alert
        let mut then = link.clone();
        then.extend(flood(800.0, 1000, 800.0, 134, |_| "ff02::1".into()));
        assert_eq!(default_run(&then).1.len(), 1);
    }

    #[test]
    fn messages_of_hosts_without_an_address_are_normal_unless_probes_of_new_targets_flood() {
        let mut r = NeighbourRules::new(DEFAULT_FLOOD_THRESHOLD, 4.0);
        let mut none = |_| panic!("no attack");
        // a duplicate-address probe, a router solicitation and MLD reports from `::`
        for ty in [135, 133, 131, 143] {
            let dst = if ty == 135 {
                "ff02::1:ff12:16"
            } else {
                "ff02::16"
            };
            let p = icmp6(100.0, "::", dst, ty);
            assert_eq!(r.push(&p, &mut none), Some(Class::Normal), "{ty}");
        }
        // an echo request, and a neighbour advertisement from a host, are not the rules'
        let p = icmp6(100.0, "2001:2::1", "2001:2::2", 128);
        assert_eq!(r.push(&p, &mut none), None);
        let p = icmp6(100.0, "2001:2::1", "ff02::1", 136);
        assert_eq!(r.push(&p, &mut none), None);
        // 33 probes of one group (a host probing the addresses a router-advertisement flood
        // gave it, all with its one interface identifier): normal
        let one: Vec<_> = (0..33)
            .map(|i| icmp6(100.0 + f64::from(i) * 0.02, "::", "ff02::1:ff12:16", 135))
            .collect();
        assert_eq!(default_run(&one), (vec![], vec![]));
        // probes of 2,400 new targets at 800 a second are a flood of solicitations
        let probes = flood(100.0, 2400, 800.0, 135, |i| {
            format!("ff02::1:ff00:{:x}", i + 1)
        });
        let probes: Vec<_> = probes
            .into_iter()
            .map(|mut p| {
                p.src = ip("::");
                p
            })
            .collect();
        let (flagged, attacks) = default_run(&probes);
        assert!((1735..1755).contains(&flagged.len()), "{}", flagged.len());
        assert_eq!(attacks.len(), 1);
        assert_eq!(attacks[0].rule, NdRule::Flood(135));
    }

    #[test]
    fn echo_requests_to_a_group_in_a_victims_name_are_a_smurf_against_it_and_a_ping_of_the_group_is_not(
    ) {
        // atk6-smurf6 -i 2000: 500 echo requests a second to ff02::1 from the victim, each
        // answered by the link's five hosts
        let v = "2001:2::c612:a";
        let members = [
            "2001:2::1",
            "2001:2::14",
            "2001:2::15",
            "2001:2::16",
            "2001:2::42",
        ];
        let mut smurf = Vec::new();
        for i in 0..1000 {
            let t = 100.0 + f64::from(i) / 500.0;
            smurf.push(icmp6(t, v, "ff02::1", 128));
            for (k, m) in members.iter().enumerate() {
                smurf.push(icmp6(t + 0.0001 * (k + 1) as f64, m, v, 129));
            }
        }
        let (flagged, attacks) = default_run(&smurf);
        // the requests from the 50th on (500 × (1 − 2^−t)/ln 2 ≥ 50 after 0.1 s), and the
        // replies after each flagged request
        let requests = flagged
            .iter()
            .filter(|&&(i, _)| smurf[i].icmp_type == 128)
            .count();
        assert!((940..960).contains(&requests), "{requests}");
        assert_eq!(flagged.len(), requests * 6);
        assert_eq!(attacks.len(), 1);
        let a = attacks[0];
        assert_eq!(
            (a.rule, a.src, a.dst),
            (NdRule::Smurf, ip("ff02::1"), ip(v))
        );
        assert_eq!(a.sources, 5, "the members that answered");
        assert_eq!(a.class, Class::FloodIcmp);
        // ping ff02::1 once a second for 5 minutes, every member answering: nothing
        let mut ping = Vec::new();
        for i in 0..300 {
            let t = 100.0 + f64::from(i);
            ping.push(icmp6(t, v, "ff02::1", 128));
            for m in members {
                ping.push(icmp6(t + 0.001, m, v, 129));
            }
        }
        assert_eq!(default_run(&ping), (vec![], vec![]));
        // ... and the rules', taken as normal (the requests and the answers within 1 s), as
        // are the first requests of the smurf and their answers; a reply to a host that
        // pinged no group, or 2 s after, is not theirs
        let mut r = NeighbourRules::new(DEFAULT_FLOOD_THRESHOLD, 4.0);
        let mut none = |_| panic!("no attack");
        assert!(ping[..12]
            .iter()
            .all(|p| r.push(p, &mut none) == Some(Class::Normal)));
        let late = icmp6(ping[11].ts + 2.0, members[0], v, 129);
        assert_eq!(r.push(&late, &mut none), None);
        let other = icmp6(ping[11].ts, members[0], "2001:2::99", 129);
        assert_eq!(r.push(&other, &mut none), None);
        let mut r = NeighbourRules::new(DEFAULT_FLOOD_THRESHOLD, 4.0);
        let mut out = Vec::new();
        assert!(smurf[..6]
            .iter()
            .all(|p| r.push(p, &mut |a| out.push(a)) == Some(Class::Normal)));
        // an IPv4 ping of the limited broadcast at 200 a second is a smurf too
        let v4: Vec<_> = (0..400)
            .map(|i| {
                let mut p = tcp(
                    100.0 + f64::from(i) / 200.0,
                    "198.18.0.10",
                    "255.255.255.255",
                    0,
                    0,
                    0,
                );
                p.proto = 1;
                p.icmp_type = 8;
                p
            })
            .collect();
        let (_, attacks) = default_run(&v4);
        assert_eq!(attacks.len(), 1);
        assert_eq!(attacks[0].dst, ip("198.18.0.10"));
        assert_eq!(attacks[0].proto, 1);
    }

    #[test]
    fn packets_from_a_group_address_are_flagged_and_alerted_from_fifteen() {
        // atk6-rsmurf6: echo requests "from" ff02::1 to the victim
        let v = "2001:2::c612:a";
        let rs: Vec<_> = (0..100)
            .map(|i| icmp6(100.0 + f64::from(i) / 1000.0, "ff02::1", v, 128))
            .collect();
        let (flagged, attacks) = default_run(&rs);
        assert_eq!(flagged.len(), 100);
        assert!(flagged.iter().all(|&(_, c)| c == Class::FloodIcmp));
        assert_eq!(attacks.len(), 1);
        assert_eq!(
            (attacks[0].rule, attacks[0].src, attacks[0].dst),
            (NdRule::GroupSource, ip("ff02::1"), ip(v))
        );
        assert_eq!(attacks[0].packets, 100);
        // fourteen are flagged, and no alert; a UDP datagram from ff02::fb is a UDP flood's,
        // a TCP segment an other attack's
        let (flagged, attacks) = default_run(&rs[..14]);
        assert_eq!((flagged.len(), attacks.len()), (14, 0));
        let mut u = tcp(100.0, "ff02::fb", v, 5353, 5353, 0);
        u.proto = 17;
        assert_eq!(default_run(&[u]).0, vec![(0, Class::FloodUdp)]);
        let t = tcp(100.0, "ff05::2", v, 1234, 80, 2);
        assert_eq!(default_run(&[t]).0, vec![(0, Class::OtherAttack)]);
        // IPv4 packets from group addresses are not the rule's: one random spoofed source in
        // sixteen is a multicast address (hping3 --rand-source), and those packets are the
        // spoofed flood's, for the aggregator's victim alerts
        let mut u = tcp(100.0, "224.0.0.251", "198.18.0.10", 5353, 5353, 0);
        u.proto = 17;
        let t = tcp(100.0, "255.255.255.255", "198.18.0.10", 1234, 80, 2);
        assert_eq!(default_run(&[u, t]), (vec![], vec![]));
        // an mDNS query to the group from a host is not from a group
        let mut q = tcp(100.0, "198.18.0.20", "224.0.0.251", 5353, 5353, 0);
        q.proto = 17;
        assert_eq!(default_run(&[q]), (vec![], vec![]));
    }

    /// A duplicate-address probe of `a` at `t`, and (if `defended`) a defence of it from
    /// `a` 2 ms later.
    fn probe(t: f64, a: &str, defended: bool) -> Vec<PacketRepr> {
        let mut p = vec![icmp6(t, "::", &group_of(a), 135)];
        if defended {
            p.push(icmp6(t + 0.002, a, "ff02::1", 136));
        }
        p
    }

    #[test]
    fn duplicate_address_probes_answered_for_two_interface_identifiers_are_a_denial() {
        // atk6-dos-new-ip6: every probe answered at once (the lab: one host's new address,
        // then another host's link-local and global address after a link flap)
        let mut dos = probe(100.0, "2001:2::c612:1b4", true);
        dos.extend(probe(119.5, "fe80::c6ff:fe12:16", true));
        dos.extend(probe(120.1, "2001:2::c6ff:fe12:16", true));
        let (flagged, attacks) = default_run(&dos);
        // the first defence is a duplicate; the second identifier makes the attack
        assert_eq!(
            flagged,
            vec![(3, Class::OtherAttack), (5, Class::OtherAttack)]
        );
        assert_eq!(attacks.len(), 1);
        let a = attacks[0];
        assert_eq!(
            (a.rule, a.src, a.dst),
            (NdRule::DadDenial, ip("fe80::c6ff:fe12:16"), ip("ff02::1"))
        );
        assert_eq!((a.packets, a.sources), (2, 2));
        // a real duplicate: one address defended again and again; a cloned machine: its
        // link-local and global address (one identifier) defended
        let mut dup = probe(100.0, "2001:2::77", true);
        dup.extend(probe(110.0, "2001:2::77", true));
        assert_eq!(run_pairs(&dup), 0);
        let mut clone = probe(200.0, "fe80::5:6:7:8", true);
        clone.extend(probe(200.5, "2001:2::5:6:7:8", true));
        assert_eq!(run_pairs(&clone), 0);
        // the prober's own announcement a second after its probe answers nothing
        let mut own = Vec::new();
        for h in 0..50u64 {
            let a = format!("2001:2::{:x}", 0x100 + h);
            own.extend(probe(100.0 + h as f64 * 3.0, &a, false));
            own.push(icmp6(101.0 + h as f64 * 3.0, &a, "ff02::1", 136));
        }
        assert_eq!(default_run(&own), (vec![], vec![]));
        // two defences more than the span apart are two duplicates
        let mut apart = probe(100.0, "2001:2::77", true);
        apart.extend(probe(100.0 + DAD_SPAN + 1.0, "2001:2::78", true));
        assert_eq!(default_run(&apart), (vec![], vec![]));
    }

    /// Flagged packets of `p` under the default threshold, asserting no alert.
    fn run_pairs(p: &[PacketRepr]) -> usize {
        let (flagged, attacks) = default_run(p);
        assert!(attacks.is_empty(), "{attacks:?}");
        flagged.len()
    }

    #[test]
    fn advertisements_answering_a_solicitation_twice_or_unasked_are_neighbour_spoofing() {
        // atk6-parasite6 -l as in the lab: host c2 solicits the victim's address; the victim
        // answers, so does the attacker (twice, its third answer a copy of its second);
        // then the attacker's unsolicited advertisement again every 5 s
        let (c2, v) = ("2001:2::c6ff:fe12:15", "2001:2::c612:a");
        let mut p = vec![icmp6(100.0, c2, &group_of(v), 135)];
        for k in 0..3 {
            p.push(icmp6(100.001 + 0.001 * f64::from(k), v, c2, 136));
        }
        for k in 1..4 {
            p.push(icmp6(100.0 + 5.0 * f64::from(k), v, c2, 136));
        }
        let (flagged, attacks) = default_run(&p);
        // two extra answers (the second flagged), then the unsolicited ones
        assert_eq!(
            flagged.iter().map(|f| f.0).collect::<Vec<_>>(),
            vec![3, 4, 5, 6]
        );
        assert_eq!(attacks.len(), 1);
        let a = attacks[0];
        assert_eq!(
            (a.rule, a.src, a.dst, a.class),
            (NdRule::Spoofing, ip(v), ip(c2), Class::OtherAttack)
        );
        assert_eq!((a.packets, a.sources), (4, 1));
        // one extra answer alone (a proxy answering once beside the owner) is no spoofing
        assert_eq!(run_pairs(&p[..3]), 0);
        // a solicitation retransmitted three times, each answered once; neighbour
        // re-checks (unicast solicitations) answered once
        let mut ok = Vec::new();
        for k in 0..20 {
            let t = 100.0 + f64::from(k) * 30.0;
            for r in 0..3 {
                ok.push(icmp6(t + f64::from(r), c2, &group_of(v), 135));
                ok.push(icmp6(t + f64::from(r) + 0.001, v, c2, 136));
            }
            ok.push(icmp6(t + 10.0, c2, v, 135));
            ok.push(icmp6(t + 10.001, v, c2, 136));
        }
        assert_eq!(run_pairs(&ok), 0);
        // a capture of one direction: the answers, never the questions (no extra answer)
        let one_way: Vec<_> = (0..100)
            .map(|k| icmp6(100.0 + f64::from(k), v, c2, 136))
            .collect();
        assert_eq!(run_pairs(&one_way), 0);
        // three routers answering for the subnet-router anycast address 2001:2::
        let mut anycast = Vec::new();
        for k in 0..20 {
            let t = 100.0 + f64::from(k) * 10.0;
            anycast.push(icmp6(t, c2, &group_of("2001:2::"), 135));
            for r in 0..3 {
                anycast.push(icmp6(t + 0.001 * f64::from(r + 1), "2001:2::", c2, 136));
            }
        }
        assert_eq!(run_pairs(&anycast), 0);
        // two addresses spoofed: one alert, both counted
        let (c1, r) = ("2001:2::c612:14", "2001:2::c612:1");
        let mut two = p.clone();
        two.push(icmp6(101.0, c1, &group_of(r), 135));
        for k in 0..4 {
            two.push(icmp6(101.001 + 0.001 * f64::from(k), r, c1, 136));
        }
        two.sort_by(|x, y| x.ts.total_cmp(&y.ts));
        let (_, attacks) = default_run(&two);
        assert_eq!(attacks.len(), 1);
        assert_eq!(attacks[0].sources, 2);
    }

    #[test]
    fn episodes_end_after_their_gap_and_the_alert_is_a_victim_alert_naming_the_rule() {
        let ra = flood(100.0, 1000, 800.0, 134, |_| "ff02::1".into());
        let mut r = NeighbourRules::new(DEFAULT_FLOOD_THRESHOLD, 4.0);
        let mut out = Vec::new();
        for p in &ra {
            r.push(p, &mut |a| out.push(a));
        }
        // still open 4 s after its last packet, reported past it
        r.advance(ra[999].ts + 4.0, &mut |a| out.push(a));
        assert!(out.is_empty());
        r.advance(ra[999].ts + 4.01, &mut |a| out.push(a));
        assert_eq!(out.len(), 1);
        r.finish(&mut |a| out.push(a));
        assert_eq!(out.len(), 1);
        let a = out[0].to_alert();
        assert_eq!(a.scope, Scope::Victim);
        assert_eq!(a.dst, ip("ff02::1"));
        assert_eq!(a.class, Class::FloodIcmp);
        assert_eq!(a.packets, out[0].packets);
        assert_eq!(a.sources, out[0].sources);
        let eve = a.to_eve();
        assert_eq!(
            eve["nightjar"]["neighbour"]["rule"],
            "router-advertisement-flood"
        );
        assert_eq!(eve["nightjar"]["scope"], "victim");
        assert_eq!(eve["dest_ip"], "ff02::1");
        let sig = eve["alert"]["signature"].as_str().unwrap();
        assert!(
            sig.starts_with(
                "NIGHTJAR flood-icmp (IPv6 router-advertisement flood) against ff02::1 from "
            ),
            "{sig}"
        );
        // every rule has its own name
        let rules = [
            NdRule::Flood(133),
            NdRule::Flood(134),
            NdRule::Flood(135),
            NdRule::Flood(136),
            NdRule::Flood(137),
            NdRule::Smurf,
            NdRule::GroupSource,
            NdRule::DadDenial,
            NdRule::Spoofing,
        ];
        let names: std::collections::HashSet<_> = rules.iter().map(|r| r.as_str()).collect();
        let words: std::collections::HashSet<_> = rules.iter().map(|r| r.describe()).collect();
        assert_eq!((names.len(), words.len()), (rules.len(), rules.len()));
    }
}
