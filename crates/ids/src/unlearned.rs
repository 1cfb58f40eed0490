//! Attacks the networks were never shown: forged ICMP errors, unsolicited ICMP replies, IP
//! protocol scans, floods of other IP protocols, and port scans in SCTP and UDP-Lite.
//!
//! The networks learnt from the lab's captures of nmap and hping3: TCP, UDP and ICMP echo
//! probes, and the ICMP errors that real hosts send back. These attacks lie outside what they
//! saw, and they call most packets of them normal:
//!
//! * **Forged ICMP errors.** A flood of destination-unreachable messages ("BlackNurse",
//!   hping3 `--icmp -C 3 -K 3`) costs a firewall far more than echo requests do. A real error
//!   is sent to the source of the packet it quotes (RFC 792; RFC 4443 §2.4: "the source
//!   address of the invoking packet"), and network address translation rewrites the quote
//!   together with the outer header, so the quoted packet's source is the error's destination.
//!   An error that quotes a packet from some other host (hping3 quotes 1.2.3.4 → 5.6.7.8), or
//!   that quotes nothing although its IP header's length leaves no room for the 28 bytes
//!   every IPv4 error quotes (48 for ICMPv6), was made up by its sender: it is a
//!   `flood-icmp` packet from its sender, whatever the networks say, and charged to its
//!   sender (the detector otherwise charges an error to the ends of the packet it quotes). A
//!   capture whose snap length cut the quote is no evidence of forgery: the length is read
//!   from the IP header, never from the bytes kept. The episode's rate and size thresholds
//!   decide whether such packets make an alert.
//! * **Unsolicited ICMP replies** (hping3 `--icmp -C 0`, an echo-reply flood; `-C 14`,
//!   timestamp replies): an ICMP reply answers a request its receiver sent its sender, or
//!   sent a group address (a broadcast or multicast ping asks every member). The detector
//!   charges a reply to the host that asked; a reply to a host that asked nothing within
//!   [`IDLE`] is a `flood-icmp` packet from its sender, whatever the networks say, unless the
//!   request it answers comes from its receiver within a millisecond after it (a mirror port
//!   or a NIC's queues wrote the two out of order; the detector looks ahead, `asked_next` in
//!   [`crate::detect`]). (A smurf
//!   attack's replies stay the networks': its broadcast request forged the victim's address,
//!   so on the wire the victim asked for them.)
//! * **IP protocol scans** (`nmap -sO`): one source sends a host packets of every IP protocol
//!   number. Once the packets from one source to one host have carried [`PROTOCOLS`] distinct
//!   protocol numbers other than TCP, UDP, ICMP and ICMPv6 within [`IDLE`] of each other, its
//!   packets to that host in those protocols are `other-attack`. Two hosts talking over GRE,
//!   ESP and AH use three; routing protocols (OSPF, VRRP, PIM) go to groups, which never
//!   count.
//! * **Floods of another protocol** (t50's IGMP, OSPF, EIGRP, RSVP, DCCP and ESP floods, GRE
//!   floods such as Mirai's `greip` and `greeth`): packets of a protocol other than TCP, UDP,
//!   ICMP, ICMPv6, SCTP and UDP-Lite from one source to one host, damped with a 1 s half-life,
//!   at or above [`OTHER_FLOOD`], and not a two-way tunnel (below): `other-attack`, whatever
//!   the networks say (they flag some of these as a UDP scan, pass others). Routing and
//!   signalling protocols (IGMP, OSPF, EIGRP, RSVP, PIM, VRRP) send a few packets a second,
//!   mostly to groups. A tunnel protocol ([`TUNNELS`]) seen one way (a capture of one direction)
//!   carries what goes through it, of every size, so its packets are a flood only when
//!   [`OTHER_SAME_SIZE`] of them have the size of the one before, as a flood repeats one.
//! * **Port scans in SCTP and UDP-Lite** (`nmap -sY`, `-sZ`): once one source has sent one
//!   host SCTP or UDP-Lite packets to [`PORTS`] distinct destination ports within [`IDLE`] of
//!   each other, its packets of that protocol to that host are `other-attack`. An SCTP
//!   association uses one pair of ports (a few with multi-homing); the scanned host's ABORTs
//!   come from many ports but go to one, and are not counted.
//!
//! The first packets of a scan, before the threshold, stay as the networks judged them. The
//! episode's profile names what was found ([`crate::profile::Rule::ForgedErrors`],
//! [`crate::profile::Rule::ProtocolScan`], and the other rules for ports).
//!
//! Two kinds of normal traffic lie outside the lab's captures too, and the networks flag them:
//!
//! * **Tunnels.** GRE, IP-in-IP, IPv6-in-IPv4, ESP: packets of a protocol without ports that
//!   both hosts send each other (each has sent the other that protocol within [`IDLE`]) are
//!   normal, as two-way UDP is ([`crate::conversation`]). A protocol scan is one-way: the host
//!   scanned answers with ICMP protocol unreachables, not in the protocol probed.
//! * **traceroute.** UDP probes to traceroute's ports ([`TRACEROUTE_PORTS`]) with a time to
//!   live of at most 30 (traceroute raises it by one per hop from 1, up to 30 hops), and the
//!   ICMP errors that quote such probes, are normal: traceroute sends its first probes to
//!   ports counting up from new source ports, which the port rules would call a flood.
//!   Traces by other probes — ICMP echo requests (`traceroute -I`, mtr), TCP SYNs
//!   (`traceroute -T`, tcptraceroute, `mtr -T`), UDP to other ports (`mtr -u` counts up from
//!   33000) — carry no such port, but they share what makes a trace: the time to live. Once
//!   one source has sent one host such probes at two or more distinct times to live of at
//!   most 30 within [`IDLE`] of each other, its probes to that host with a time to live of at
//!   most 30 are normal, and so are the answers they draw: the ICMP errors quoting them (time
//!   exceeded from the routers on the way, unreachables from the host), the host's echo
//!   replies, SYN-ACKs and resets, and the tracer's own resets of those SYN-ACKs. Operating
//!   systems send with 64, 128 or 255 and nmap with 37 to 59, so a time to live of 30 or less
//!   seen at one host, changing from packet to packet, is a trace. A flood may set one too, so
//!   the rule is bounded: a trace's packets count, damped with a 1 s half-life, and past
//!   [`TRACE_MAX`] (traceroute sends at most 16 probes at once and 90 in all, mtr one a hop a
//!   second) the networks judge them again.
//!
//! Sans-IO and bounded: one fixed set-associative table of (source, destination) pairs
//! ([`CAPACITY`] pairs, least recently used evicted), fed every decoded packet in capture
//! order.

use crate::class::Class;
use crate::detect::is_group;
use crate::features::table::{hash_key, ip_key, SetAssoc};
use crate::slowscan::TRACEROUTE_PORTS;
use nightjar_packet::{proto, tcp_flags, PacketRepr};
use std::net::IpAddr;

/// Distinct IP protocol numbers from one source to one host that make a protocol scan.
pub const PROTOCOLS: u32 = 8;
/// Distinct SCTP (or UDP-Lite) destination ports of one host that make a port scan.
pub const PORTS: usize = 8;
/// Packets of another protocol from one source to one host, as a damped count with a 1 s
/// half-life, at or above which they are a flood (about 70 a second held, or 100 at once).
pub const OTHER_FLOOD: f32 = 100.0;
/// The share of those packets, damped alike, of the size of the packet before, at or above
/// which they repeat one size as a flood does.
pub const OTHER_SAME_SIZE: f32 = 0.9;
/// Protocols that carry other packets (IP-in-IP, IPv6-in-IPv4, GRE, ESP, AH, EtherIP, L2TPv3,
/// MPLS-in-IP): one way at a flood's pace, they are a flood only at one size.
pub const TUNNELS: [u8; 8] = [4, 41, 47, 50, 51, 97, 115, 137];
/// A pair quiet for this long starts counting again, seconds.
pub const IDLE: f64 = 30.0;
/// The largest time to live of a traceroute probe (its default maximum of hops).
pub const TRACEROUTE_MAX_TTL: u8 = 30;
/// The packets of one trace (probes and answers), as a damped count with a 1 s half-life,
/// below which they are normal; a flood sent with low times to live passes it within a second.
pub const TRACE_MAX: f32 = 100.0;
/// (source, destination) pairs remembered.
pub const CAPACITY: usize = 1 << 12;
/// Hosts that pinged a group address remembered.
pub const GROUP_PINGERS: usize = 1 << 8;

/// What one source sent one host: the numbers of the protocols other than TCP, UDP, ICMP and
/// ICMPv6 (a 256-bit set), the first [`PORTS`] distinct SCTP or UDP-Lite destination ports,
/// the ICMP requests not yet answered, and when it last sent; the damped counts of its
/// packets of those other protocols and of those of the size of the one before, the size of
/// the last and when it came.
#[derive(Clone, Copy, Default)]
struct Pair {
    protos: [u64; 4],
    ports: [u16; PORTS],
    nports: u8,
    requests: u32,
    last: f64,
    other: f32,
    other_same: f32,
    other_len: u16,
    other_at: f64,
    /// The times to live (1 to [`TRACEROUTE_MAX_TTL`], bit `ttl - 1`) of the probes sent
    /// since `traced` came within [`IDLE`] of the one before.
    ttls: u32,
    /// When the last probe with a low time to live was sent.
    traced: f64,
    /// The damped count of the trace's packets, and when it was last raised.
    trace: f32,
    trace_at: f64,
    /// Answers the trace's probes may still draw (one each), and resets its tracer may still
    /// send (one per SYN-ACK drawn): a scan that follows a trace gets none of its answers
    /// taken for the trace's.
    owed: u16,
    resets: u16,
    /// What the trace probed: echo requests, and the smallest and largest TCP and UDP port
    /// (a trace probes one port, or ports counting up from one): an answer about another port
    /// is no answer of the trace's.
    echo: bool,
    tcp: Option<(u16, u16)>,
    udp: Option<(u16, u16)>,
}

/// An ICMP query's half.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Query {
    Request,
    Reply,
}

/// Whether `p` is an ICMP or ICMPv6 request (echo, timestamp, information, address mask) or
/// the reply to one.
pub(crate) fn icmp_query(p: &PacketRepr) -> Option<Query> {
    if p.later_fragment {
        return None;
    }
    match (p.proto, p.icmp_type) {
        (proto::ICMP, 8 | 13 | 15 | 17) | (proto::ICMPV6, 128) => Some(Query::Request),
        (proto::ICMP, 0 | 14 | 16 | 18) | (proto::ICMPV6, 129) => Some(Query::Reply),
        _ => None,
    }
}

impl Pair {
    fn protocols(&self) -> u32 {
        self.protos.iter().map(|w| w.count_ones()).sum()
    }

    fn sent(&self, protocol: u8) -> bool {
        self.protos[usize::from(protocol / 64)] & (1 << (protocol % 64)) != 0
    }

    /// Whether this pair's source is tracing its destination at `now`: probes at two or more
    /// times to live, the last within [`IDLE`].
    fn tracing(&self, now: f64) -> bool {
        self.ttls.count_ones() >= 2 && now - self.traced <= IDLE
    }

    /// Record that the trace sent probe `what`.
    fn probe(&mut self, what: Probed) {
        let widen = |r: &mut Option<(u16, u16)>, port: u16| {
            *r = Some(r.map_or((port, port), |(lo, hi)| (lo.min(port), hi.max(port))));
        };
        match what {
            Probed::Echo => self.echo = true,
            Probed::Tcp(port) => widen(&mut self.tcp, port),
            Probed::Udp(port) => widen(&mut self.udp, port),
        }
    }

    /// Whether the trace sent probe `what`.
    fn probed(&self, what: Probed) -> bool {
        let within =
            |r: Option<(u16, u16)>, port: u16| r.is_some_and(|(lo, hi)| (lo..=hi).contains(&port));
        match what {
            Probed::Echo => self.echo,
            Probed::Tcp(port) => within(self.tcp, port),
            Probed::Udp(port) => within(self.udp, port),
        }
    }

    /// Count one more packet of the trace at `now`; whether the trace is still below
    /// [`TRACE_MAX`].
    fn count_trace(&mut self, now: f64) -> bool {
        let decay = (-(now - self.trace_at).max(0.0)).exp2() as f32;
        self.trace = self.trace * decay + 1.0;
        self.trace_at = now;
        self.trace < TRACE_MAX
    }
}

/// Whether `p` is a probe a trace sends: an ICMP or ICMPv6 echo request, a TCP SYN or any UDP
/// datagram, with a time to live of 1 to [`TRACEROUTE_MAX_TTL`].
fn low_ttl_probe(p: &PacketRepr) -> bool {
    (1..=TRACEROUTE_MAX_TTL).contains(&p.ttl)
        && match p.proto {
            proto::ICMP => p.icmp_type == 8,
            proto::ICMPV6 => p.icmp_type == 128,
            proto::TCP => p.tcp_flags & (tcp_flags::SYN | tcp_flags::ACK) == tcp_flags::SYN,
            proto::UDP => true,
            _ => false,
        }
}

/// The two ECN flags (ECE, CWR), which a SYN-ACK or a reset may carry besides its own.
const ECN: u8 = 0xc0;

/// What a packet may be to a trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Answer {
    /// An answer to a probe, from the host traced or a router on the way.
    Probe,
    /// The tracer's reset of a SYN-ACK its probe drew (its kernel made no such connection).
    Reset,
}

/// The probe an answer is about: an echo request, or a TCP SYN or UDP datagram to a port of
/// the host traced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Probed {
    Echo,
    Tcp(u16),
    Udp(u16),
}

impl Probed {
    /// The probe a packet of protocol `protocol` to port `dport` is, if it is one of these.
    fn of(protocol: u8, dport: u16) -> Option<Probed> {
        match protocol {
            proto::ICMP | proto::ICMPV6 => Some(Probed::Echo),
            proto::TCP => Some(Probed::Tcp(dport)),
            proto::UDP => Some(Probed::Udp(dport)),
            _ => None,
        }
    }
}

/// A trace a packet may answer: its (source, destination) pair's table key, how, and which
/// probe it answers.
type Answered = ((u128, u128), Answer, Probed);

/// The (source, destination) pairs whose trace `p` may answer, as table keys, how, and which
/// probe it answers: the pair an ICMP error quotes, about the probe quoted; for an echo reply,
/// a SYN-ACK or a reset, the pair from its destination to its source, about a probe to the
/// port it comes from; for a reset, also its own (the tracer's reset), to the port it goes to.
fn answered(p: &PacketRepr) -> [Option<Answered>; 2] {
    let back = |what| Some(((ip_key(p.dst), ip_key(p.src)), Answer::Probe, what));
    match (p.proto, &p.inner) {
        (proto::ICMP | proto::ICMPV6, Some(q)) if proto::icmp_error(p.proto, p.icmp_type) => [
            Probed::of(q.proto, q.dport)
                .map(|w| ((ip_key(q.src), ip_key(q.dst)), Answer::Probe, w)),
            None,
        ],
        (proto::ICMP, _) if p.icmp_type == 0 => [back(Probed::Echo), None],
        (proto::ICMPV6, _) if p.icmp_type == 129 => [back(Probed::Echo), None],
        // a reset (with or without ACK) or a SYN-ACK, and nothing more: a segment with more
        // flags set answers nothing
        (proto::TCP, _) if p.tcp_flags & !(tcp_flags::ACK | ECN) == tcp_flags::RST => [
            back(Probed::Tcp(p.sport)),
            Some((
                (ip_key(p.src), ip_key(p.dst)),
                Answer::Reset,
                Probed::Tcp(p.dport),
            )),
        ],
        (proto::TCP, _) if p.tcp_flags & !ECN == tcp_flags::SYN | tcp_flags::ACK => {
            [back(Probed::Tcp(p.sport)), None]
        }
        _ => [None, None],
    }
}

/// What these rules make of a packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// An ICMP error its sender made up: `flood-icmp`, whatever the networks say.
    Forged,
    /// A packet of a protocol scan or an SCTP/UDP-Lite port scan: `other-attack` where the
    /// networks call it normal.
    Scan,
    /// A packet of a one-way flood of another protocol: `other-attack`, whatever the
    /// networks say.
    Flood,
    /// An ICMP reply its receiver asked for nothing: `flood-icmp`, charged to its sender,
    /// whatever the networks say.
    Unsolicited,
    /// A packet of a two-way tunnel (a protocol without ports both hosts send): normal.
    Tunnel,
    /// A traceroute probe, or an ICMP error quoting one: normal.
    Traceroute,
}

impl Verdict {
    /// The class it gives the packet.
    pub fn class(self) -> Class {
        match self {
            Verdict::Forged | Verdict::Unsolicited => Class::FloodIcmp,
            Verdict::Scan | Verdict::Flood => Class::OtherAttack,
            Verdict::Tunnel | Verdict::Traceroute => Class::Normal,
        }
    }

    /// Whether it overrides the networks (else it only flags what they call normal).
    pub fn overrides(self) -> bool {
        self != Verdict::Scan
    }
}

/// Whether `p` is a traceroute probe (UDP to [`TRACEROUTE_PORTS`] with a time to live of at
/// most [`TRACEROUTE_MAX_TTL`]) or an ICMP error quoting a UDP datagram to those ports.
pub fn traceroute(p: &PacketRepr) -> bool {
    if p.later_fragment {
        return false;
    }
    match (p.proto, &p.inner) {
        (proto::UDP, _) => TRACEROUTE_PORTS.contains(&p.dport) && p.ttl <= TRACEROUTE_MAX_TTL,
        (proto::ICMP | proto::ICMPV6, Some(q)) => {
            q.proto == proto::UDP && TRACEROUTE_PORTS.contains(&q.dport)
        }
        _ => false,
    }
}

/// Whether `p` is an ICMP or ICMPv6 error that its sender made up: its quote is of a packet
/// its destination did not send, or it quotes nothing though its length says it holds less
/// than a quote. A later fragment carries no ICMP header and is never one.
pub fn forged_error(p: &PacketRepr) -> bool {
    if p.later_fragment {
        return false;
    }
    if !proto::icmp_error(p.proto, p.icmp_type) {
        return false;
    }
    // an IPv4 error quotes an IP header and 8 bytes (28); an ICMPv6 one, at least 48
    let quote = if p.proto == proto::ICMP { 28 } else { 48 };
    match &p.inner {
        Some(q) => q.src != p.dst,
        None => p.payload_len < quote,
    }
}

/// The hash of a (source, destination) pair's table entry.
fn pair_hash((src, dst): (u128, u128)) -> u64 {
    hash_key(hash_key(89, src), dst)
}

/// The tracker of protocol and SCTP/UDP-Lite port scans (forged errors need no state).
pub struct Unlearned {
    table: SetAssoc<(u128, u128), Pair>,
    /// Hosts that pinged a group address, and when last.
    groups: SetAssoc<u128, f64>,
    clock: f64,
    /// When a probe of a trace (at a low time to live) was last seen: no pair can be tracing
    /// more than [`IDLE`] after it, so until the next one no answer is looked up.
    last_trace_probe: f64,
}

impl Default for Unlearned {
    fn default() -> Self {
        Unlearned::new()
    }
}

impl Unlearned {
    pub fn new() -> Unlearned {
        Unlearned {
            table: SetAssoc::new(CAPACITY),
            groups: SetAssoc::new(GROUP_PINGERS),
            clock: f64::NEG_INFINITY,
            last_trace_probe: f64::NEG_INFINITY,
        }
    }

    /// Take the next packet; what these rules make of it, if anything.
    ///
    /// Inlined at the call: a TCP segment or a UDP datagram that is no probe of a trace
    /// (nearly every packet), while no trace is under way, is none of these rules' business
    /// (`Unlearned::push_any` would find it so: no ICMP error, no traceroute port, no trace
    /// of its pair to answer, a protocol the networks learnt, no ICMP query).
    #[inline]
    pub fn push(&mut self, p: &PacketRepr) -> Option<Verdict> {
        if matches!(p.proto, proto::TCP | proto::UDP) && !traceroute(p) {
            if p.ts.is_finite() && p.ts > self.clock {
                self.clock = p.ts;
            }
            if self.clock - self.last_trace_probe > IDLE && !low_ttl_probe(p) {
                return None;
            }
        }
        self.push_any(p)
    }

    /// [`Unlearned::push`] of any packet.
    #[inline(never)]
    fn push_any(&mut self, p: &PacketRepr) -> Option<Verdict> {
        if forged_error(p) {
            return Some(Verdict::Forged);
        }
        if traceroute(p) {
            return Some(Verdict::Traceroute);
        }
        if p.ts.is_finite() && p.ts > self.clock {
            self.clock = p.ts;
        }
        if !p.later_fragment && !is_group(p.dst) && !is_group(p.src) && self.trace(p) {
            return Some(Verdict::Traceroute);
        }
        let query = icmp_query(p);
        let learned = matches!(
            p.proto,
            proto::TCP | proto::UDP | proto::ICMP | proto::ICMPV6
        );
        if learned && query.is_none() {
            return None;
        }
        let directed_broadcast = matches!(p.dst, IpAddr::V4(a) if a.octets()[3] == 255);
        if query == Some(Query::Request) && (is_group(p.dst) || directed_broadcast) {
            // a ping of a group asks every member: their replies are asked for (an address
            // ending in 255 may be a subnet's broadcast: asking more hosts is the safe side)
            let k = ip_key(p.src);
            *self.groups.touch(k, hash_key(97, k), self.clock).val = self.clock;
            return None;
        }
        if is_group(p.dst) || is_group(p.src) {
            return None;
        }
        let now = self.clock;
        let key = (ip_key(p.src), ip_key(p.dst));
        if query == Some(Query::Reply) {
            // solicited when its receiver asked its sender within IDLE
            let back = (key.1, key.0);
            let solicited = match self.table.get_mut(&back, pair_hash(back), now) {
                Some(b) if now - b.last <= IDLE && b.requests > 0 => {
                    b.requests -= 1;
                    true
                }
                _ => self
                    .groups
                    .get(&key.1, hash_key(97, key.1))
                    .is_some_and(|&t| now - t <= IDLE),
            };
            return (!solicited).then_some(Verdict::Unsolicited);
        }
        let e = self.table.touch(key, pair_hash(key), now);
        if e.prev_stamp.is_none_or(|t| now - t > IDLE) {
            *e.val = Pair::default();
        }
        let pair = e.val;
        pair.last = now;
        if query == Some(Query::Request) {
            pair.requests = pair.requests.saturating_add(1);
            return None;
        }
        pair.protos[usize::from(p.proto / 64)] |= 1 << (p.proto % 64);
        let ported = matches!(p.proto, proto::SCTP | proto::UDPLITE);
        let n = usize::from(pair.nports);
        if ported && !p.later_fragment && n < PORTS && !pair.ports[..n].contains(&p.dport) {
            pair.ports[n] = p.dport;
            pair.nports += 1;
        }
        let scan = pair.protocols() >= PROTOCOLS || (ported && usize::from(pair.nports) >= PORTS);
        let mut flood = false;
        if !ported {
            let decay = (-(now - pair.other_at).max(0.0)).exp2() as f32;
            let same = f32::from(u8::from(pair.other > 0.0 && p.ip_len == pair.other_len));
            pair.other = pair.other * decay + 1.0;
            pair.other_same = pair.other_same * decay + same;
            pair.other_len = p.ip_len;
            pair.other_at = now;
            flood = pair.other >= OTHER_FLOOD
                && (!TUNNELS.contains(&p.proto) || pair.other_same >= OTHER_SAME_SIZE * pair.other);
            // a tunnel: the other end sends this protocol back
            let back = (key.1, key.0);
            let two_way = self
                .table
                .get(&back, pair_hash(back))
                .is_some_and(|b| now - b.last <= IDLE && b.sent(p.proto));
            if two_way {
                return Some(Verdict::Tunnel);
            }
        }
        if scan {
            Some(Verdict::Scan)
        } else {
            flood.then_some(Verdict::Flood)
        }
    }

    /// The trace rule (module docs, "traceroute"): whether `p`, a whole unicast packet, is a
    /// probe of a trace or an answer to one. A probe with a low time to live is recorded (an
    /// echo request as a request, for the reply); any other packet only looks at the table
    /// and changes it only when it answers a trace, so the pairs of other traffic stay as they
    /// were.
    fn trace(&mut self, p: &PacketRepr) -> bool {
        let now = self.clock;
        if low_ttl_probe(p) {
            self.last_trace_probe = now;
            let key = (ip_key(p.src), ip_key(p.dst));
            let e = self.table.touch(key, pair_hash(key), now);
            if e.prev_stamp.is_none_or(|t| now - t > IDLE) {
                *e.val = Pair::default();
            }
            let pair = e.val;
            pair.last = now;
            if now - pair.traced > IDLE {
                (pair.ttls, pair.owed, pair.resets) = (0, 0, 0);
                (pair.echo, pair.tcp, pair.udp) = (false, None, None);
            }
            pair.ttls |= 1 << (p.ttl - 1);
            pair.traced = now;
            pair.owed = pair.owed.saturating_add(1);
            if let Some(what) = Probed::of(p.proto, p.dport) {
                pair.probe(what);
            }
            let below = pair.count_trace(now);
            let traced = pair.tracing(now) && below;
            // (else the caller takes it as any other packet, the request included)
            if traced && icmp_query(p) == Some(Query::Request) {
                pair.requests = pair.requests.saturating_add(1);
            }
            return traced;
        }
        // a pair is tracing only within IDLE of its last probe (`Pair::tracing`)
        if now - self.last_trace_probe > IDLE {
            return false;
        }
        for (key, answer, what) in answered(p).into_iter().flatten() {
            let hash = pair_hash(key);
            let owed = |t: &Pair| {
                t.probed(what)
                    && match answer {
                        Answer::Probe => t.owed > 0,
                        Answer::Reset => t.resets > 0,
                    }
            };
            if !self
                .table
                .get(&key, hash)
                .is_some_and(|t| t.tracing(now) && owed(t))
            {
                continue;
            }
            let Some(pair) = self.table.get_mut(&key, hash, now) else {
                continue;
            };
            if !pair.count_trace(now) {
                return false;
            }
            match answer {
                Answer::Probe => pair.owed -= 1,
                Answer::Reset => pair.resets -= 1,
            }
            if p.proto == proto::TCP && p.tcp_flags & tcp_flags::SYN != 0 {
                pair.resets = pair.resets.saturating_add(1);
            }
            if icmp_query(p) == Some(Query::Reply) {
                pair.requests = pair.requests.saturating_sub(1);
            }
            return true;
        }
        false
    }

    /// Pairs pushed out of the full table.
    pub fn evictions(&self) -> u64 {
        self.table.evictions()
    }

    /// Bytes the tables may hold at most.
    pub fn memory_bytes(&self) -> usize {
        self.table.memory_bytes() + self.groups.memory_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::tests::{tcp, udp};
    use nightjar_packet::Inner;

    const A: &str = "198.18.0.66";
    const V: &str = "198.18.0.10";

    #[test]
    fn the_shortcut_for_tcp_and_udp_outside_traces_changes_no_verdict() {
        // `push` (its shortcut inlined) against `push_any` on every packet, the rules as they
        // were; the traffic has traces (low TTLs), ICMP errors and queries, other protocols
        let traffic = crate::features::tests::mixed_traffic(20_000);
        let (mut fast, mut full) = (Unlearned::new(), Unlearned::new());
        let mut some = 0;
        for (i, p) in traffic.iter().enumerate() {
            let v = fast.push(p);
            assert_eq!(v, full.push_any(p), "packet {i}: {p:?}");
            some += usize::from(v.is_some());
        }
        assert!(
            some > 100,
            "{some} verdicts: the traffic exercises the rules"
        );
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("test address")
    }

    /// An ICMP packet of `icmp_type` from `src` to `dst` carrying `payload` bytes after its
    /// 8-byte header, quoting `inner` if given.
    fn icmp(src: &str, dst: &str, icmp_type: u8, payload: u32, inner: Option<Inner>) -> PacketRepr {
        PacketRepr {
            proto: proto::ICMP,
            sport: 0,
            dport: 0,
            icmp_type,
            icmp_code: 3,
            payload_len: payload,
            ip_len: 28 + payload as u16,
            inner,
            ..udp(1.0, src, dst, 0, 0, 28)
        }
    }

    fn quote(src: &str, dst: &str) -> Option<Inner> {
        Some(Inner {
            proto: proto::UDP,
            src: ip(src),
            dst: ip(dst),
            sport: 40000,
            dport: 53,
        })
    }

    /// A packet of IP protocol `proto` (ports only for SCTP and UDP-Lite; an echo request for
    /// ICMP and ICMPv6, as nmap -sO sends) at `t`.
    fn other(t: f64, src: &str, dst: &str, protocol: u8, dport: u16) -> PacketRepr {
        PacketRepr {
            proto: protocol,
            sport: if dport > 0 { 40000 } else { 0 },
            dport,
            icmp_type: match protocol {
                proto::ICMP => 8,
                proto::ICMPV6 => 128,
                _ => 0,
            },
            ..udp(t, src, dst, 0, 0, 40)
        }
    }

    #[test]
    fn an_error_quoting_a_packet_its_destination_sent_is_real_and_any_other_is_forged() {
        // the victim's port unreachable to the scanner, quoting the scanner's probe
        assert!(!forged_error(&icmp(V, A, 3, 36, quote(A, V))));
        // hping3 --icmp -C 3 -K 3: its quote is of 1.2.3.4 -> 5.6.7.8
        assert!(forged_error(&icmp(
            A,
            V,
            3,
            36,
            quote("1.2.3.4", "5.6.7.8")
        )));
        // time exceeded to a tracer is real; quoting a third host's packet is not
        assert!(!forged_error(&icmp("198.18.0.1", A, 11, 36, quote(A, V))));
        assert!(forged_error(&icmp("198.18.0.1", A, 11, 36, quote(V, A))));
        // no quote, and too short to hold one: made up
        assert!(forged_error(&icmp(A, V, 3, 0, None)));
        assert!(forged_error(&icmp(A, V, 3, 27, None)));
        // no quote decoded, but the IP header says it is there (the snap length cut it)
        assert!(!forged_error(&icmp(A, V, 3, 28, None)));
        assert!(!forged_error(&icmp(A, V, 3, 548, None)));
        // echo requests and replies are not errors
        assert!(!forged_error(&icmp(A, V, 8, 0, None)));
        assert!(!forged_error(&icmp(V, A, 0, 56, quote("1.2.3.4", V))));
        // ICMPv6: destination unreachable quoting another host's packet
        let mut v6 = icmp(A, V, 1, 48, None);
        v6.proto = proto::ICMPV6;
        v6.src = ip("2001:db8::66");
        v6.dst = ip("2001:db8::10");
        assert!(!forged_error(&v6));
        v6.payload_len = 47;
        assert!(forged_error(&v6));
        v6.payload_len = 48;
        v6.inner = quote("2001:db8::99", "2001:db8::10");
        assert!(forged_error(&v6));
        v6.inner = quote("2001:db8::10", "2001:db8::66");
        assert!(!forged_error(&v6));
        // a later fragment has no ICMP header (its type reads 0 anyway)
        let mut later = icmp(A, V, 3, 1400, None);
        later.later_fragment = true;
        later.fragment = true;
        assert!(!forged_error(&later));
    }

    #[test]
    fn forged_errors_are_an_icmp_flood_and_real_ones_are_left_to_the_networks() {
        let mut u = Unlearned::new();
        assert_eq!(
            u.push(&icmp(A, V, 3, 36, quote("1.2.3.4", "5.6.7.8"))),
            Some(Verdict::Forged)
        );
        assert_eq!(u.push(&icmp(V, A, 3, 36, quote(A, V))), None);
    }

    #[test]
    fn a_scan_of_ip_protocols_is_flagged_from_its_eighth_protocol_on() {
        let mut u = Unlearned::new();
        // nmap -sO sends TCP, UDP and ICMP probes among the others: they do not count, and
        // stay the networks' to judge
        let protos = [6u8, 17, 1, 2, 4, 41, 47, 50, 51, 103, 112, 115, 255];
        let got: Vec<Option<Verdict>> = protos
            .iter()
            .enumerate()
            .map(|(i, &pr)| u.push(&other(f64::from(i as u32), A, V, pr, 0)))
            .collect();
        assert!(got[..10].iter().all(Option::is_none), "{got:?}");
        assert_eq!(got[10..], [Some(Verdict::Scan); 3]);
        // and later packets of a learnt protocol stay the networks'
        assert_eq!(u.push(&other(12.0, A, V, proto::TCP, 80)), None);
        // the same protocols to another host, or from another source, start from nothing
        assert_eq!(u.push(&other(13.0, A, "198.18.0.11", 47, 0)), None);
        assert_eq!(u.push(&other(13.0, "198.18.0.67", V, 47, 0)), None);
    }

    #[test]
    fn a_pair_using_a_handful_of_protocols_or_quiet_for_long_is_no_scan() {
        let mut u = Unlearned::new();
        // TCP, UDP, ICMP, GRE, ESP, AH, ICMPv6 (seven), for minutes: no scan
        for i in 0..600 {
            let pr = [6u8, 17, 1, 47, 50, 51, 58][i % 7];
            assert_eq!(u.push(&other(i as f64 * 0.5, A, V, pr, 0)), None);
        }
        // protocols spread out with more than IDLE between them never add up
        let mut u = Unlearned::new();
        for (i, pr) in [2u8, 4, 41, 47, 50, 51, 103, 112, 115, 132]
            .iter()
            .enumerate()
        {
            let t = i as f64 * (IDLE + 1.0);
            assert_eq!(u.push(&other(t, A, V, *pr, 0)), None);
        }
        // routing protocols to groups are never counted
        let mut u = Unlearned::new();
        for (i, pr) in [2u8, 4, 41, 47, 50, 51, 89, 103, 112, 115]
            .iter()
            .enumerate()
        {
            assert_eq!(u.push(&other(i as f64, A, "224.0.0.5", *pr, 0)), None);
        }
    }

    #[test]
    fn an_sctp_port_scan_is_flagged_from_its_eighth_port_and_an_association_is_not() {
        let mut u = Unlearned::new();
        // one association: the same ports back and forth, thousands of chunks
        for i in 0..2000 {
            let t = f64::from(i) * 0.01;
            assert_eq!(u.push(&other(t, A, V, proto::SCTP, 3868)), None);
            let mut back = other(t, V, A, proto::SCTP, 40000);
            back.sport = 3868;
            assert_eq!(u.push(&back), None);
        }
        // nmap -sY: INITs to ports 1, 2, ...; the host's ABORTs go back to one port
        let mut u = Unlearned::new();
        for port in 1..=20u16 {
            let t = 30.0 + f64::from(port) * 0.01;
            let got = u.push(&other(t, A, V, proto::SCTP, port));
            let want = (port >= PORTS as u16).then_some(Verdict::Scan);
            assert_eq!(got, want, "port {port}");
            let mut abort = other(t, V, A, proto::SCTP, 40000);
            abort.sport = port;
            assert_eq!(u.push(&abort), None);
        }
    }

    #[test]
    fn a_tunnel_both_ends_send_is_normal_and_a_one_way_stream_of_it_is_not() {
        let mut u = Unlearned::new();
        let (c0, c1) = ("198.18.0.20", "198.18.0.21");
        // GRE: the first packet has no answer yet; from the answer on, both ways are normal
        assert_eq!(u.push(&other(0.0, c0, c1, 47, 0)), None);
        for i in 1..100 {
            let t = f64::from(i);
            assert_eq!(u.push(&other(t, c1, c0, 47, 0)), Some(Verdict::Tunnel));
            assert_eq!(
                u.push(&other(t + 0.1, c0, c1, 47, 0)),
                Some(Verdict::Tunnel)
            );
        }
        // IP-in-IP one way only (nothing comes back in it): not a tunnel
        for i in 0..50 {
            assert_eq!(u.push(&other(f64::from(i), c1, "198.18.0.22", 4, 0)), None);
        }
        // an end quiet for longer than IDLE is no longer the other side of the tunnel
        assert_eq!(u.push(&other(300.0, c0, c1, 47, 0)), None);
        // a protocol scan answered by protocol unreachables stays a scan
        let mut u = Unlearned::new();
        for (i, pr) in [2u8, 4, 41, 47, 50, 51, 103, 112, 115].iter().enumerate() {
            let t = i as f64 * 0.01;
            let got = u.push(&other(t, A, V, *pr, 0));
            assert_eq!(got, (i >= 7).then_some(Verdict::Scan), "protocol {pr}");
            let mut unreach = icmp(V, A, 3, 28, None);
            unreach.icmp_code = 2;
            unreach.inner = Some(Inner {
                proto: *pr,
                src: ip(A),
                dst: ip(V),
                sport: 0,
                dport: 0,
            });
            assert_eq!(u.push(&unreach), None);
        }
        // SCTP both ways is an association's, not a tunnel (its ports decide)
        let mut abort = other(1.0, V, A, proto::SCTP, 40000);
        abort.sport = 80;
        assert_eq!(u.push(&abort), None);
    }

    #[test]
    fn a_one_way_flood_of_another_protocol_is_flagged_and_a_tunnel_of_every_size_is_not() {
        // t50 --protocol IGMPv3 (and OSPF, EIGRP, GRE...): one size, 100,000 a second
        for pr in [2u8, 47, 50, 88, 89] {
            let mut u = Unlearned::new();
            let got: Vec<Option<Verdict>> = (0..300)
                .map(|i| u.push(&other(1.0 + f64::from(i) * 1e-5, A, V, pr, 0)))
                .collect();
            let first = got.iter().position(Option::is_some).expect("flagged");
            // from about the 100th packet on (the count decays a little between them)
            assert!((99..=101).contains(&first), "protocol {pr}: {first}");
            assert!(got[first..].iter().all(|v| *v == Some(Verdict::Flood)));
            assert_eq!(Verdict::Flood.class(), Class::OtherAttack);
            assert!(Verdict::Flood.overrides());
        }
        // OSPF and EIGRP of every size (t50 varies their message types) at that pace: a flood
        for pr in [88u8, 89] {
            let mut u = Unlearned::new();
            let got: Vec<Option<Verdict>> = (0..300u16)
                .map(|i| {
                    let mut o = other(1.0 + f64::from(i) * 1e-5, A, V, pr, 0);
                    o.ip_len = 44 + (i * 37) % 200;
                    u.push(&o)
                })
                .collect();
            assert!(
                got[110..].iter().all(|v| *v == Some(Verdict::Flood)),
                "{pr}"
            );
        }
        // the same pace, one way, but of every size (an ESP tunnel seen from one side): no flood
        let mut u = Unlearned::new();
        for i in 0..3000u16 {
            let mut esp = other(1.0 + f64::from(i) * 1e-3, A, V, 50, 0);
            esp.ip_len = 60 + (i * 389) % 1400;
            assert_eq!(u.push(&esp), None, "{i}");
        }
        // one size, slowly (a keep-alive every second): no flood
        let mut u = Unlearned::new();
        for i in 0..300 {
            assert_eq!(u.push(&other(f64::from(i), A, V, 47, 0)), None);
        }
        // a two-way GRE tunnel at flood pace: a tunnel
        let mut u = Unlearned::new();
        assert_eq!(u.push(&other(0.0, V, A, 47, 0)), None);
        for i in 0..300 {
            let got = u.push(&other(1.0 + f64::from(i) * 1e-4, A, V, 47, 0));
            assert_eq!(got, Some(Verdict::Tunnel), "{i}");
        }
        // to a group, never
        let mut u = Unlearned::new();
        for i in 0..300 {
            let got = u.push(&other(1.0 + f64::from(i) * 1e-4, A, "224.0.0.22", 2, 0));
            assert_eq!(got, None);
        }
    }

    #[test]
    fn traceroute_probes_and_the_errors_they_draw_are_normal() {
        let mut u = Unlearned::new();
        for hop in 1..=30u8 {
            let port = 33434 + 3 * u16::from(hop - 1);
            let mut probe = udp(
                f64::from(hop),
                "198.18.0.22",
                V,
                40000 + u16::from(hop),
                port,
                60,
            );
            probe.ttl = hop;
            assert!(traceroute(&probe));
            assert_eq!(u.push(&probe), Some(Verdict::Traceroute));
            let mut unreach = icmp(V, "198.18.0.22", 3, 28, None);
            unreach.inner = Some(Inner {
                proto: proto::UDP,
                src: ip("198.18.0.22"),
                dst: ip(V),
                sport: 40000 + u16::from(hop),
                dport: port,
            });
            assert_eq!(u.push(&unreach), Some(Verdict::Traceroute));
        }
        // the same ports at an ordinary time to live, or other ports, are not traceroute's
        let mut flood = udp(40.0, A, V, 40000, 33434, 60);
        flood.ttl = 64;
        assert!(!traceroute(&flood));
        let mut low = udp(40.0, A, V, 40000, 53, 60);
        low.ttl = 1;
        assert!(!traceroute(&low));
    }

    /// A probe of a trace from `src` to `dst` at `t` with time to live `ttl`: an echo request
    /// (`proto::ICMP`), a SYN to port 80 (`proto::TCP`) or a datagram to port `33000 + ttl`
    /// (`proto::UDP`, as `mtr -u` counts up from 33000).
    fn probe(t: f64, src: &str, dst: &str, protocol: u8, ttl: u8) -> PacketRepr {
        let mut p = match protocol {
            proto::ICMP => icmp(src, dst, 8, 32, None),
            proto::TCP => tcp(t, src, dst, 40000, 80, tcp_flags::SYN),
            _ => udp(t, src, dst, 40000, 33000 + u16::from(ttl), 64),
        };
        (p.ts, p.ttl) = (t, ttl);
        p
    }

    /// The ICMP error of `icmp_type` that `from` sends about probe `p`.
    fn error_about(from: &str, icmp_type: u8, p: &PacketRepr) -> PacketRepr {
        let mut e = icmp(from, &p.src.to_string(), icmp_type, 28, None);
        e.ts = p.ts + 0.001;
        e.inner = Some(Inner {
            proto: p.proto,
            src: p.src,
            dst: p.dst,
            sport: p.sport,
            dport: p.dport,
        });
        e
    }

    #[test]
    fn traces_by_echo_requests_syns_and_udp_to_any_port_are_normal_with_their_answers() {
        // helper h1's lab (session 15), a router R between the tracer A and V: traceroute -I,
        // traceroute -T / tcptraceroute and mtr -u were alerted as an ICMP flood, a SYN flood
        // and a UDP scan
        const R: &str = "198.18.1.1";
        for protocol in [proto::ICMP, proto::TCP, proto::UDP] {
            let mut u = Unlearned::new();
            let mut t = 100.0;
            for ttl in 1..=4u8 {
                let p = probe(t, A, V, protocol, ttl);
                // the first time to live alone is no trace yet: left to the networks
                let want = (ttl > 1).then_some(Verdict::Traceroute);
                assert_eq!(u.push(&p), want, "{protocol} probe, ttl {ttl}");
                if ttl == 1 {
                    // the router's time exceeded, before the trace is known: the networks'
                    assert_eq!(u.push(&error_about(R, 11, &p)), None);
                    t += 1.0;
                    continue;
                }
                // the host's answers, and for TCP the tracer's reset of the SYN-ACK
                let answers: Vec<PacketRepr> = match protocol {
                    proto::ICMP => vec![icmp(V, A, 0, 32, None)],
                    proto::TCP => vec![
                        tcp(t, V, A, 80, 40000, tcp_flags::SYN | tcp_flags::ACK),
                        tcp(t, A, V, 40000, 80, tcp_flags::RST),
                    ],
                    _ => vec![error_about(V, 3, &p)],
                };
                for mut a in answers {
                    a.ts = t + 0.001;
                    assert_eq!(u.push(&a), Some(Verdict::Traceroute), "{protocol} answer");
                }
                t += 1.0;
            }
            // quiet for longer than IDLE: the next probe starts afresh
            let p = probe(t + IDLE + 1.0, A, V, protocol, 5);
            assert_eq!(u.push(&p), None, "{protocol} after a pause");
        }
    }

    #[test]
    fn one_time_to_live_or_ordinary_ones_make_no_trace() {
        let mut u = Unlearned::new();
        // hping3 --ttl 10 -S: one time to live, however many probes
        for i in 0..50 {
            let p = probe(1.0 + f64::from(i) * 0.01, A, V, proto::TCP, 10);
            assert_eq!(u.push(&p), None);
        }
        // nmap's raw probes carry 37 to 59 (a random time to live each): none is low
        for (i, ttl) in (37..=59u8).enumerate() {
            let p = probe(2.0 + i as f64 * 0.01, "198.18.0.67", V, proto::TCP, ttl);
            assert!(!low_ttl_probe(&p));
            assert_eq!(u.push(&p), None);
        }
        // ordinary traffic: a ping at 64, an ACK with a low time to live (no probe)
        let mut ping = probe(3.0, "198.18.0.20", V, proto::ICMP, 64);
        assert!(!low_ttl_probe(&ping));
        ping.ttl = 5;
        assert!(low_ttl_probe(&ping));
        let mut ack = tcp(3.0, A, V, 40000, 80, tcp_flags::ACK);
        ack.ttl = 5;
        assert!(!low_ttl_probe(&ack));
    }

    #[test]
    fn a_trace_is_bounded_and_answers_it_did_not_draw_are_not_its() {
        // a SYN flood with times to live 5 and 6 in turn at 1,000 a second: the first
        // packets pass as a trace's, then the count reaches TRACE_MAX and the rest are the
        // networks' again
        let mut u = Unlearned::new();
        let v: Vec<_> = (0..1000u16)
            .map(|i| {
                let p = probe(
                    10.0 + f64::from(i) * 0.001,
                    A,
                    V,
                    proto::TCP,
                    5 + (i % 2) as u8,
                );
                u.push(&p)
            })
            .collect();
        let traced = v.iter().filter(|x| x.is_some()).count();
        // the count after n packets 1 ms apart is Σ 2^(−k/1000), k < n: 99.4 at n = 103,
        // 100.4 at n = 104; the first packet (one time to live so far) is no trace's
        assert_eq!(traced, 102);
        assert!(v[1..103].iter().all(|x| x.is_some()));
        assert!(v[103..].iter().all(|x| x.is_none()));

        // a trace of three SYNs (one to a router's time exceeded, two answered by SYN-ACKs),
        // then a scan whose probes the host resets: only the one answer the trace still owes
        // is the trace's
        let mut u = Unlearned::new();
        let p1 = probe(1.0, A, V, proto::TCP, 1);
        assert_eq!(u.push(&p1), None);
        assert_eq!(u.push(&error_about("198.18.1.1", 11, &p1)), None);
        for (t, ttl) in [(1.1, 2), (1.2, 3)] {
            assert_eq!(
                u.push(&probe(t, A, V, proto::TCP, ttl)),
                Some(Verdict::Traceroute)
            );
        }
        let synack = tcp(1.3, V, A, 80, 40000, tcp_flags::SYN | tcp_flags::ACK);
        assert_eq!(u.push(&synack), Some(Verdict::Traceroute));
        // the scan's resets from V: from ports the trace never probed, none is its; from
        // its port 80, only the two answers it still owes (the first probe's time exceeded
        // came before the trace was known, the third probe drew none)
        let rst = |t: f64, port: u16| tcp(t, V, A, port, 40001, tcp_flags::RST | tcp_flags::ACK);
        for port in 1..50u16 {
            assert_eq!(u.push(&rst(2.0 + f64::from(port) * 0.001, port)), None);
        }
        let v: Vec<_> = (0..5)
            .map(|i| u.push(&rst(2.1 + f64::from(i) * 0.001, 80)))
            .collect();
        assert_eq!(v[..2], [Some(Verdict::Traceroute); 2]);
        assert!(v[2..].iter().all(|x| x.is_none()));
        // nor is a UDP scan's unreachable, or an echo reply: the trace sent neither
        let mut scan = udp(2.2, A, V, 40000, 80, 28);
        scan.ttl = 64;
        assert_eq!(u.push(&error_about(V, 3, &scan)), None);
        // the tracer resets the one SYN-ACK it drew, once; a segment with every flag set is
        // no reset, and no SYN-ACK
        let mut all = tcp(2.5, A, V, 40000, 22, 0xff);
        assert_eq!(u.push(&all), None);
        all.src = ip(V);
        all.dst = ip(A);
        assert_eq!(u.push(&all), None);
        let reset = |t: f64| tcp(t, A, V, 40000, 80, tcp_flags::RST);
        assert_eq!(u.push(&reset(2.6)), Some(Verdict::Traceroute));
        assert_eq!(u.push(&reset(2.7)), None);
    }

    #[test]
    fn a_reply_to_a_request_is_left_to_the_networks_and_an_unasked_one_is_a_flood_packet() {
        let mut u = Unlearned::new();
        let (c, s) = ("198.18.0.20", "198.18.0.10");
        // ping: every request answered
        for _ in 0..10 {
            assert_eq!(u.push(&icmp(c, s, 8, 56, None)), None);
            assert_eq!(u.push(&icmp(s, c, 0, 56, None)), None);
        }
        // a second reply to one request, and replies the other way, were asked by no one
        assert_eq!(u.push(&icmp(c, s, 8, 56, None)), None);
        assert_eq!(u.push(&icmp(s, c, 0, 56, None)), None);
        assert_eq!(u.push(&icmp(s, c, 0, 56, None)), Some(Verdict::Unsolicited));
        assert_eq!(u.push(&icmp(c, s, 0, 56, None)), Some(Verdict::Unsolicited));
        // hping3 --icmp -C 0 and -C 14: echo and timestamp replies, no request
        for ty in [0u8, 14, 16, 18] {
            assert_eq!(
                u.push(&icmp(A, V, ty, 12, None)),
                Some(Verdict::Unsolicited)
            );
        }
        // a ping of a group asks every member (ping -b, ping ff02::1)
        assert_eq!(u.push(&icmp(A, "255.255.255.255", 8, 56, None)), None);
        for h in ["198.18.0.10", "198.18.0.11", "198.18.0.12", "198.18.0.13"] {
            assert_eq!(u.push(&icmp(h, A, 0, 56, None)), None);
            assert_eq!(u.push(&icmp(h, A, 0, 56, None)), None);
        }
        let mut u2 = Unlearned::new();
        assert_eq!(u2.push(&icmp(A, "198.18.0.255", 8, 56, None)), None);
        assert_eq!(u2.push(&icmp(V, A, 0, 56, None)), None);
        // but not a host that pinged no group
        assert_eq!(u.push(&icmp(s, c, 0, 56, None)), Some(Verdict::Unsolicited));
        // ICMPv6 echo
        let mut req = icmp(c, s, 128, 56, None);
        req.proto = proto::ICMPV6;
        req.src = ip("2001:db8::20");
        req.dst = ip("2001:db8::10");
        let mut rep = req;
        rep.icmp_type = 129;
        (rep.src, rep.dst) = (req.dst, req.src);
        assert_eq!(u.push(&req), None);
        assert_eq!(u.push(&rep), None);
        assert_eq!(u.push(&rep), Some(Verdict::Unsolicited));
        // a reply more than IDLE after its request was asked too long ago
        let mut u = Unlearned::new();
        let mut late = icmp(s, c, 0, 56, None);
        assert_eq!(u.push(&icmp(c, s, 8, 56, None)), None);
        late.ts = 1.0 + IDLE + 1.0;
        assert_eq!(u.push(&late), Some(Verdict::Unsolicited));
    }

    #[test]
    fn the_table_stays_within_its_capacity() {
        let mut u = Unlearned::new();
        let bytes = u.memory_bytes();
        for i in 0..(3 * CAPACITY) as u32 {
            let src = format!("198.19.{}.{}", i / 250 % 250, 1 + i % 250);
            u.push(&other(f64::from(i) * 1e-4, &src, V, 47, 0));
        }
        assert!(u.evictions() > 0);
        assert_eq!(u.memory_bytes(), bytes);
    }
}
