//! Reflected floods: UDP answers from a service port that their receiver never asked for.
//!
//! An amplification attack sends small requests to open UDP services (DNS resolvers, NTP and
//! memcached servers, SSDP devices, CLDAP, SNMP, chargen) with the victim's address forged as
//! their source; the services send their answers, many times larger, to the victim. Seen at
//! the victim (its own link, a capture of its network's uplink), the flood is answers from
//! many well-known service ports to the victim's ports, and nothing the victim sent to ask for
//! them. The networks learnt UDP floods from datagrams sent *to* a service, and they charge a
//! UDP datagram to its client end (the higher port): here the victim. A namespace run of
//! `hping3 -2 -a VICTIM -p 53` against five resolvers, captured on the victim's link, was
//! alerted as the victim scanning the first resolver, or not at all.
//!
//! The rule: a UDP datagram from one of [`SERVICE_PORTS`] to another port, carrying at least
//! [`MIN_ANSWER`] bytes, is an *answer* (the answers worth reflecting are large by design; a
//! scanner's probes from a source port like 53, `nmap -g 53`, carry little or nothing); it
//! was *asked for* when its receiver sent a datagram from the port it arrives at to that
//! service of its sender (the same address and port) within [`IDLE`] (an answer goes to the
//! port its question came from; a forged question names a port the victim never used, and a
//! host that itself uses the resolvers an attacker reflects from is no safer for it). An answer nobody asked for is charged to its sender
//! against its receiver, and so is the ICMP error its receiver sends back about it; such
//! answers are counted per receiver, damped with a 1 s half-life, and once that count
//! reaches the threshold ([`crate::detect::DetectSettings::reflection_threshold`]) every
//! further one is a `flood-udp` packet, whatever the networks and the two-way UDP rule say.
//! A flood from many reflectors, each too small to alert alone, makes one alert for the
//! victim (the detector's victim alerts).
//!
//! What stays normal: answers to requests seen on the wire (a capture of both directions
//! of a busy resolver client), a few late answers after the asker gave up, the answers at the
//! start of a capture to requests sent before it (the threshold: a client rarely gets more
//! than a few a second), symmetric services that use one port at both ends (NTP peers
//! 123→123, NetBIOS 137→137, mDNS 5353→5353), and anything to or from a group address.
//! What it gives away: a capture that holds only the inbound direction of a host's traffic
//! shows every answer it receives as unasked for; at a resolver client's pace that is a
//! flood alert.
//!
//! **Amplified by a broadcast** (smurf, fraggle). The oldest reflected floods need no
//! service that amplifies: echo requests (smurf) or UDP datagrams to the echo or chargen port
//! (fraggle) are sent to a subnet's broadcast address with the victim's address forged as
//! their source, and every host of the subnet answers the victim. On the wire the victim seems
//! to ask the whole subnet, many times a second, and gets many answers to each question. A
//! host that asks a group (a multicast address, the limited broadcast, or an address ending
//! in 255, which may be a subnet's broadcast) at least [`GROUP_QUESTIONS`] times (damped, 1 s
//! half-life; SSDP's M-SEARCH, NetBIOS name queries, mDNS and `ping -b` ask a few times at
//! most) has its answers counted: echo replies from any unicast host, or UDP datagrams to a
//! port it asked a group from, back from the port it asked. Past the reflection threshold
//! (the same damped count per receiver) each is a flood packet of its sender against the
//! receiver: `flood-icmp` or `flood-udp` ([`Unasked::Amplified`]). The answers counted here
//! are those of any service, not only [`SERVICE_PORTS`]: the broadcast multiplies them.
//!
//! **Questions seen, answers refused.** Captured where the forged questions pass too (a
//! mirror port of the reflectors' switch, a bridge: the Kitsune dataset's SSDP flood), the
//! victim seems to ask every reflector itself, and its answers look asked for; when the
//! questions name the service's own port (M-SEARCHes forged from port 1900 to 1900), they
//! look like a symmetric service's. What gives the forgery away is the victim: it has no
//! socket on that port, and its kernel refuses the answers with ICMP port unreachable (rate
//! limited, about one a second to each reflector, but the first comes at once). Once a host
//! has refused an answer from a service host's port to one of its ports, that service's
//! further answers to that port within [`IDLE`] are unasked for, whatever asked: counted as
//! above, a flood past the threshold. A client that gave up on its question refuses a late
//! answer or two to a port it will not use again: far below the threshold.
//!
//! **Questions at a flood's pace, answers taken** (SSDP). When the victim has a socket on the
//! port the forged questions name (an SSDP device or control point listening on 1900, a
//! client's open port), it refuses nothing: the answers are taken, and on a bridge or a
//! mirror port every one of them looks asked for. What no UPnP control point does is ask one
//! device after another by unicast M-SEARCH hundreds of times a second: discovery is a
//! multicast M-SEARCH, sent two or three times (UPnP Device Architecture 2.0 §1.3.2), and a
//! control point that then asks each device it knows by unicast does so once per device. A
//! host that sends unicast datagrams of at most [`SSDP_QUESTION_MAX`] bytes to port
//! [`SSDP_PORT`] at [`FLOOD_QUESTIONS`] or more (damped, 1 s half-life; held, about 70 a
//! second) is taken as asking at a flood's pace: for [`IDLE`] after, SSDP answers to it (from
//! port 1900, at least [`MIN_ANSWER`] bytes, to any of its ports, 1900 too) are unasked for,
//! whatever asked, counted as above — a flood past the threshold —; and while its count of
//! unasked answers is past the threshold, the questions themselves are flood packets too
//! ([`Unasked::Forged`]), charged to the service host they went to against the asker: forged
//! or not, they are the flood's, and their sender is not known from the IP header (a forger's
//! own address is nowhere in them). An SSDP sweep (a unicast M-SEARCH to every address of a
//! /24 in a second, as network scanner apps send) passes the pace, but the few devices that
//! answer it stay far below the flood threshold. The size bound is for 1900-to-1900
//! exchanges, where ports cannot tell a question from its answer: an M-SEARCH is 90 to 200
//! bytes, an answer (LOCATION, SERVER, USN headers) 250 to 450.
//!
//! **Answers refused at a flood's pace** (session 27, `lab/amplify.sh`). The forged questions
//! of a booter name a new random port of the victim each (its answers go to as many ports),
//! so a refusal of one answer says nothing of the next, and captured where the questions pass
//! (the reflectors' link, an uplink carrying both) the victim seems to ask DNS, SNMP, CLDAP,
//! chargen, portmap and the rest itself: their answers looked asked for, and the forged
//! questions were charged to the victim (`other-attack`, `scan-udp`, the networks' verdicts on
//! a host asking sixty servers hundreds of times a second). Its kernel refuses every answer it
//! has no socket for, to every reflector. The ICMP port unreachables a host sends about
//! datagrams from one of [`SERVICE_PORTS`] (to another port; not answers to a question it
//! asked a group: a control point that closed its socket before every device answered) are
//! counted per host, one a second at most for each service host (as a kernel's rate limit
//! sends them: the pace is one of many hosts refused, not of one resolver's late answers),
//! damped (1 s half-life); while that count is at [`REFUSAL_PACE`] or more
//! (about 7 a second, held: rate-limited per peer, a victim refuses about one a second to each
//! reflector) and its latest refusal is at most [`REFUSAL_GAP`] (1 s) old, the services' answers to it are unasked for, whatever asked (counted as above, a
//! flood past the threshold), its errors about them are charged to their senders, and its own
//! questions to those services, once its unasked answers are past the threshold, are flood
//! packets ([`Unasked::Forged`]) charged to the service host against it, as the SSDP ones
//! above. A client refusing a late answer or two is far below the pace; a busy resolver's
//! answers are all taken. What it gives away: a victim that refuses nothing (a firewall that
//! drops unsolicited datagrams silently) looks, on the reflectors' side, like a busy client of
//! those services, and is not found there (at its own link the answers are unasked for); a
//! flood through fewer than about ten reflectors keeps the pace only in its first second.
//!
//! **TFTP answers from a port of their own** (session 28, `lab/tftpreflect.sh`). A TFTP
//! server answers a read request (to port 69) from a new port of its own, its transfer
//! identifier (RFC 1350 §4): DATA block 1 (516 bytes, resent every second or so until
//! acknowledged: the amplification CIC-DDoS2019's largest vector rides on), or an ERROR (no
//! such file), or an option acknowledgment (OACK, RFC 2347). Between two high ports no port
//! list knows them: both ends of the flood were named `scan-udp` (one high port to many ports
//! of the victim), and where the forged requests pass the victim was charged with them. The
//! payload's first bytes tell ([`PacketRepr::head`]): a datagram [`tftp_answer`] is taken as
//! an answer of port 69 of its sender — asked for when its receiver sent a datagram from the
//! port it arrives at to port 69 of that host within [`IDLE`] (the request), unasked
//! otherwise, and all of the above applies to it (counted per receiver, refused at a flood's
//! pace, its receiver's forged requests the flood's). An ICMP error quotes only the ports of
//! the datagram it refuses, so the TFTP answers seen are remembered ([`TFTP_ANSWERS`], within
//! [`IDLE`]) to know the refusals of them. What stays normal: downloads whose requests are
//! seen (a PXE server's many clients), later blocks and ACKs (not looked at), a client's
//! failed request answered by an ERROR, a client's own ERROR aborting a transfer (shaped
//! like an answer to the server's transfer port, unasked, one per transfer: far below the
//! threshold). What it gives away: at the victim's side, a host that downloads by TFTP with
//! only its inbound direction captured (the answers look unasked, as any service's).
//!
//! Sans-IO and bounded: a set-associative table of (asker, service host, both ports)
//! requests ([`CAPACITY`], least recently used evicted), one of refusals ([`REFUSALS`]), one
//! of fast SSDP askers ([`RECEIVERS`]), one of (refuser, service host) pairs
//! ([`REFUSALS`]), one of TFTP answers ([`TFTP_ANSWERS`]), and the damped counts per receiver, per asker of groups, per SSDP asker
//! and per refuser.

use crate::detect::{is_group, Damped};
use crate::features::table::{hash_key, ip_key, SetAssoc};
use nightjar_packet::{proto, Inner, PacketRepr};
use std::net::IpAddr;

/// UDP services that answer a small request with a larger answer, the ports of reflected
/// floods (US-CERT TA14-017A and the services it lists, with later ones: CLDAP, memcached,
/// WS-Discovery, Apple Remote Desktop, CoAP, Ubiquiti discovery): QOTD 17, chargen 19, DNS
/// 53, TFTP 69, portmap 111, NTP 123, NetBIOS 137, SNMP 161, CLDAP 389, RIPv1 520, IPMI
/// 623, MS-SQL browser 1434, SSDP 1900, ARD 3283, WS-Discovery 3702, mDNS 5353, CoAP 5683,
/// Ubiquiti 10001, memcached 11211.
pub const SERVICE_PORTS: [u16; 19] = [
    17, 19, 53, 69, 111, 123, 137, 161, 389, 520, 623, 1434, 1900, 3283, 3702, 5353, 5683, 10001,
    11211,
];
/// TFTP's port: read and write requests go to it; the server answers from another.
pub const TFTP_PORT: u16 = 69;
/// TFTP answers remembered (receiver, server, both ports), to know the ICMP errors about them.
pub const TFTP_ANSWERS: usize = 1 << 12;
/// The service host of a question asked of a group: any host (no unicast address's key).
const ANY: u128 = u128::MAX;
/// The service host under which a UDP question to a group is kept for the amplification
/// check, whatever its port (no unicast address's key either).
const GROUP: u128 = u128::MAX - 1;
/// Questions to a group a second (damped count, 1 s half-life) from which a host's answers
/// are counted as amplified: about 7 a second, held.
pub const GROUP_QUESTIONS: f32 = 10.0;
/// Bytes of UDP payload an answer carries at least.
pub const MIN_ANSWER: u32 = 100;
/// A request older than this asks for no answer, seconds (conntrack's timeout for a UDP flow
/// that saw no reply is 30 s).
pub const IDLE: f64 = 30.0;
/// Requests remembered.
pub const CAPACITY: usize = 1 << 14;
/// Refusals a second of reflection services' answers by one host (damped count, 1 s
/// half-life) from which it refuses at a flood's pace: about 7 a second, held. Its kernel's
/// port unreachables are rate-limited per peer (Linux: a burst of 6, then one a second to each
/// reflector), so the pace needs about ten reflectors at work, or the first bursts of two; a
/// client refuses a late answer or two.
pub const REFUSAL_PACE: f32 = 10.0;
/// A host refusing at [`REFUSAL_PACE`] is taken as refusing until this long after its latest
/// refusal, seconds: its kernel refuses a flood's answers without pause (about one a second to
/// each reflector), and its own exchanges with the same services after the flood stay its own.
pub const REFUSAL_GAP: f64 = 1.0;
/// Refusals remembered (receiver, service host, ports).
pub const REFUSALS: usize = 1 << 12;
/// Receivers whose unasked-for answers are counted.
pub const RECEIVERS: usize = 1 << 12;
/// [`crate::detect::DetectSettings::reflection_threshold`] by default: about 14 unasked-for
/// answers a second, held.
pub const DEFAULT_THRESHOLD: f32 = 20.0;
/// SSDP's port: discovery questions (M-SEARCH) go to it, answers come from it.
pub const SSDP_PORT: u16 = 1900;
/// Unicast datagrams to [`SSDP_PORT`] of at most this many payload bytes are questions (an
/// M-SEARCH is 90 to 200 bytes; an answer, with its LOCATION, SERVER and USN headers, 250
/// to 450).
pub const SSDP_QUESTION_MAX: u32 = 200;
/// Unicast SSDP questions a second from one host (damped count, 1 s half-life) from which
/// it asks at a flood's pace: about 70 a second, held. A control point asks a few devices
/// once each; the lab's asks 18 in a second and reaches 15.
pub const FLOOD_QUESTIONS: f32 = 100.0;

/// Whether `p` is shaped like an answer of a reflection service: UDP (its first fragment, if
/// fragmented) from one of [`SERVICE_PORTS`] to another port, with at least [`MIN_ANSWER`]
/// bytes of payload; or a TFTP server's first answer from its transfer port
/// ([`tftp_answer`]).
pub fn answer_shape(p: &PacketRepr) -> bool {
    p.proto == proto::UDP
        && !p.later_fragment
        && (p.payload_len >= MIN_ANSWER && service_to_other(p.sport, p.dport) || tftp_answer(p))
}

/// Whether `p` is shaped like a TFTP server's first answer to a read or write request, which
/// it sends from a new port of its own (its transfer identifier, RFC 1350 §4), not from
/// [`TFTP_PORT`]: UDP (its first fragment, if fragmented) from a port of 1024 or more to
/// another port, not [`TFTP_PORT`], whose payload ([`PacketRepr::head`]) begins with DATA
/// block 1 (`00 03 00 01`), an ERROR (`00 05`, at least 5 bytes: code and message) or an
/// option acknowledgment (OACK, `00 06`, RFC 2347). Later blocks (a download going on) and
/// the client's ACKs (`00 04`) are not.
pub fn tftp_answer(p: &PacketRepr) -> bool {
    let [zero, op, hi, lo] = p.head;
    p.proto == proto::UDP
        && zero == 0
        && matches!(op, 3 | 5 | 6)
        && !p.later_fragment
        && p.sport >= 1024
        && p.dport != TFTP_PORT
        && p.sport != p.dport
        && match op {
            3 => [hi, lo] == [0, 1] && p.payload_len >= 4,
            5 => p.payload_len >= 5,
            _ => p.payload_len >= 4,
        }
}

/// From one of [`SERVICE_PORTS`] to another port.
fn service_to_other(sport: u16, dport: u16) -> bool {
    sport != dport && SERVICE_PORTS.contains(&sport)
}

/// What the rule makes of an answer nobody asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unasked {
    /// Below the threshold: charged to its sender, judged by the networks.
    Answer,
    /// Past the threshold: a `flood-udp` packet of its sender.
    Flood,
    /// A unicast SSDP question from a host asking at a flood's pace whose unasked-for answers
    /// are past the threshold, or a question to a reflection service from a host refusing
    /// their answers at a flood's pace: a `flood-udp` packet of the flood against it (charged
    /// to the service host it went to, against its sender: see the module's "Questions at a
    /// flood's pace, answers taken" and "Answers refused at a flood's pace").
    Forged,
    /// An answer to a question asked of a group many times a second (smurf, fraggle), past
    /// the threshold: a flood packet of its sender (`flood-icmp` for an echo reply,
    /// `flood-udp` otherwise).
    Amplified,
}

/// The reflected-flood rule's state.
pub struct Reflection {
    threshold: f32,
    /// (asker, service host, asker's port << 16 | service port) → when it last asked.
    asked: SetAssoc<(u128, u128, u32), f64>,
    /// (receiver, service host, receiver's port << 16 | service port) → when the receiver
    /// last refused an answer so (ICMP port unreachable): the questions from that port were
    /// not its own.
    refused: SetAssoc<(u128, u128, u32), f64>,
    /// When the latest refusal was noted.
    last_refusal: f64,
    receivers: Damped,
    /// Questions to groups per asker.
    group_askers: Damped,
    /// Amplified answers per receiver.
    amplified: Damped,
    /// When a host last asked groups at [`GROUP_QUESTIONS`] or more: no answer is looked up
    /// for amplification more than [`IDLE`] after it.
    group_burst: f64,
    /// Unicast SSDP questions per asker.
    ssdp_askers: Damped,
    /// Asker → when it last asked at [`FLOOD_QUESTIONS`] or more.
    fast_askers: SetAssoc<u128, f64>,
    /// When a host last asked so: no SSDP answer is looked up more than [`IDLE`] after it.
    fast_burst: f64,
    /// Refusals of reflection services' answers per receiver (not of answers to a question
    /// it asked a group; one a second at most for each service host).
    refusers: Damped,
    /// (receiver, service host) → when a refusal was last counted for it.
    refused_hosts: SetAssoc<(u128, u128), f64>,
    /// When a host last refused at [`REFUSAL_PACE`] or more: no refuser is looked up more
    /// than [`IDLE`] after it.
    refusal_burst: f64,
    /// (receiver, server, receiver's port << 16 | server's port) → when a TFTP answer
    /// ([`tftp_answer`]) last went so: an ICMP error quoting that datagram (which shows its
    /// ports only) is about a TFTP answer.
    tftp: SetAssoc<(u128, u128, u32), f64>,
    /// When the latest TFTP answer was seen: no error's datagram is looked up among them more
    /// than [`IDLE`] after it.
    tftp_last: f64,
    clock: f64,
}

impl Reflection {
    /// The rule with its threshold (0: off).
    pub fn new(threshold: f32) -> Reflection {
        let on = threshold > 0.0;
        Reflection {
            threshold,
            asked: SetAssoc::new(if on { CAPACITY } else { 1 }),
            refused: SetAssoc::new(if on { REFUSALS } else { 1 }),
            last_refusal: f64::NEG_INFINITY,
            receivers: Damped::new(if on { RECEIVERS } else { 1 }, 61),
            group_askers: Damped::new(if on { RECEIVERS } else { 1 }, 62),
            amplified: Damped::new(if on { RECEIVERS } else { 1 }, 63),
            group_burst: f64::NEG_INFINITY,
            ssdp_askers: Damped::new(if on { RECEIVERS } else { 1 }, 64),
            fast_askers: SetAssoc::new(if on { RECEIVERS } else { 1 }),
            fast_burst: f64::NEG_INFINITY,
            refusers: Damped::new(if on { RECEIVERS } else { 1 }, 66),
            refused_hosts: SetAssoc::new(if on { REFUSALS } else { 1 }),
            refusal_burst: f64::NEG_INFINITY,
            tftp: SetAssoc::new(if on { TFTP_ANSWERS } else { 1 }),
            tftp_last: f64::NEG_INFINITY,
            clock: f64::NEG_INFINITY,
        }
    }

    /// Take the next packet; what it is if it is an answer nobody asked for.
    ///
    /// Inlined at the call: a packet neither UDP nor an echo (TCP: nearly every one) goes no
    /// further.
    #[inline]
    pub fn push(&mut self, p: &PacketRepr) -> Option<Unasked> {
        let echo = match (p.proto, p.icmp_type) {
            (proto::ICMP, 8) | (proto::ICMPV6, 128) => Some(true),
            (proto::ICMP, 0) | (proto::ICMPV6, 129) => Some(false),
            _ => None,
        };
        if self.threshold <= 0.0 {
            return None;
        }
        if p.proto != proto::UDP && echo.is_none() {
            if p.inner.is_some() {
                self.note_refusal(p);
            }
            return None;
        }
        self.push_asked(p, echo)
    }

    /// [`Reflection::push`] of a UDP datagram or an echo request (`echo`: `Some(true)`) or
    /// reply (`Some(false)`).
    #[inline(never)]
    fn push_asked(&mut self, p: &PacketRepr, echo: Option<bool>) -> Option<Unasked> {
        if p.later_fragment || is_group(p.src) {
            return None;
        }
        if p.ts.is_finite() && p.ts > self.clock {
            self.clock = p.ts;
        }
        let now = self.clock;
        let (s, d) = (ip_key(p.src), ip_key(p.dst));
        // a question to a group (SSDP's M-SEARCH to 239.255.255.250, WS-Discovery, a
        // subnet's broadcast: an address ending in 255 may be one) asks every host: answers
        // from any of them are asked for
        let group = is_group(p.dst) || matches!(p.dst, IpAddr::V4(a) if a.octets()[3] == 255);
        if group && echo != Some(false) {
            self.asked_a_group(p, s, now);
        }
        if !group && now - self.group_burst <= IDLE && self.amplified_answer(p, s, d, echo, now) {
            return Some(Unasked::Amplified);
        }
        if echo.is_some() {
            return None;
        }
        // a TFTP server's first answer comes from a port of its own: it answers for port 69
        // (the question went there), and is remembered for the errors about it
        let tftp = !group && tftp_answer(p);
        let sport = if tftp {
            let key = (d, s, ports(p.dport, p.sport));
            *self.tftp.touch(key, tftp_hash(key), now).val = now;
            self.tftp_last = now;
            TFTP_PORT
        } else {
            p.sport
        };
        if !group && (p.dport == SSDP_PORT || p.sport == SSDP_PORT) {
            if let Some(u) = self.ssdp_pace(p, s, d, now) {
                return Some(u);
            }
        }
        // a host refusing reflection services' answers at a flood's pace: their answers to it
        // are unasked, its questions to them the flood's (no look-up unless a host refused
        // at that pace within IDLE)
        if now - self.refusal_burst <= IDLE && !group {
            if let Some(u) = self.refuser_pace(p, s, d, now) {
                return Some(u);
            }
        }
        // an answer to a port whose receiver refused such answers: whatever asked from
        // there, and from whichever port (SSDP's 1900 to 1900 too), it was not the receiver
        // (no look-up unless a refusal was noted within IDLE)
        if now - self.last_refusal <= IDLE
            && !group
            && (tftp || p.payload_len >= MIN_ANSWER && SERVICE_PORTS.contains(&p.sport))
            && self.refused_recently(d, s, ports(p.dport, sport))
        {
            return Some(self.count_unasked(d, now));
        }
        // an answer first: a reflector's answer may be aimed at a service's port (an NTP
        // answer to the victim's port 53); a request is small
        if group || !answer_shape(p) {
            if service_to_other(p.dport, p.sport) {
                let key = (s, if group { ANY } else { d }, ports(p.sport, p.dport));
                *self.asked.touch(key, request_hash(key), now).val = now;
            }
            return None;
        }
        let ports = ports(p.dport, sport);
        if self.asked_for(d, s, ports) || self.asked_for(d, ANY, ports) {
            return None;
        }
        Some(self.count_unasked(d, now))
    }

    /// A unicast UDP datagram `p` from `s` to `d`, to or from [`SSDP_PORT`]: counted if a
    /// question; a flood's question if its asker asks at a flood's pace and is flooded, an
    /// unasked-for answer if it answers such an asker (see the module's "Questions at a
    /// flood's pace, answers taken"); `None` otherwise (the other checks go on).
    #[inline(never)]
    fn ssdp_pace(&mut self, p: &PacketRepr, s: u128, d: u128, now: f64) -> Option<Unasked> {
        if p.dport == SSDP_PORT && p.payload_len <= SSDP_QUESTION_MAX {
            if self.ssdp_askers.add(s, 1.0, now, 0.0) >= FLOOD_QUESTIONS {
                *self.fast_askers.touch(s, asker_hash(s), now).val = now;
                self.fast_burst = now;
            }
            if now - self.fast_burst <= IDLE
                && self.fast_recently(s)
                && self.receivers.add(s, 0.0, now, 0.0) >= self.threshold
            {
                return Some(Unasked::Forged);
            }
        }
        if p.sport == SSDP_PORT
            && p.payload_len >= MIN_ANSWER
            && now - self.fast_burst <= IDLE
            && self.fast_recently(d)
        {
            return Some(self.count_unasked(d, now));
        }
        None
    }

    /// A unicast UDP datagram `p` from `s` to `d` while some host refuses answers at
    /// [`REFUSAL_PACE`] or more: an unasked-for answer if it answers such a host (from one of
    /// [`SERVICE_PORTS`] to another port, at least [`MIN_ANSWER`] bytes), a flood's question
    /// if such a host sends it to one of [`SERVICE_PORTS`] (from another port) and is flooded;
    /// `None` otherwise (the other checks go on). See the module's "Answers refused at a
    /// flood's pace".
    #[inline(never)]
    fn refuser_pace(&mut self, p: &PacketRepr, s: u128, d: u128, now: f64) -> Option<Unasked> {
        let answer = answer_shape(p);
        if answer && self.refusing(d, now) {
            return Some(self.count_unasked(d, now));
        }
        if service_to_other(p.dport, p.sport)
            && !answer
            && self.refusing(s, now)
            && self.receivers.add(s, 0.0, now, 0.0) >= self.threshold
        {
            return Some(Unasked::Forged);
        }
        None
    }

    /// Whether `host` refuses reflection services' answers at [`REFUSAL_PACE`] or more now:
    /// its count at its latest refusal was at the pace, and that refusal is at most
    /// [`REFUSAL_GAP`] old. Reads the state only.
    fn refusing(&self, host: u128, now: f64) -> bool {
        self.refusers
            .peek(host)
            .is_some_and(|(n, t)| n >= REFUSAL_PACE && now - t <= REFUSAL_GAP)
    }

    /// Whether `asker` asked SSDP at [`FLOOD_QUESTIONS`] or more within [`IDLE`].
    fn fast_recently(&self, asker: u128) -> bool {
        self.fast_askers
            .get(&asker, asker_hash(asker))
            .is_some_and(|&t| self.clock - t <= IDLE)
    }

    /// Count an unasked-for answer to receiver `d`: a flood's past the threshold.
    fn count_unasked(&mut self, d: u128, now: f64) -> Unasked {
        if self.receivers.add(d, 1.0, now, 0.0) >= self.threshold {
            Unasked::Flood
        } else {
            Unasked::Answer
        }
    }

    /// Note an ICMP port unreachable that a host sends about a UDP datagram from one of
    /// [`SERVICE_PORTS`] to itself: it had no socket on that port, so whatever asked the
    /// service from there was not it — its address forged on questions seen on the wire
    /// (a capture of the reflectors' side, a mirror port: see the module's "Questions seen,
    /// answers refused").
    #[inline(never)]
    fn note_refusal(&mut self, p: &PacketRepr) {
        let Some(q) = p.inner.as_ref() else { return };
        let unreachable = matches!(
            (p.proto, p.icmp_type, p.icmp_code),
            (proto::ICMP, 3, 3) | (proto::ICMPV6, 1, 4)
        );
        if !unreachable || q.proto != proto::UDP || q.dst != p.src {
            return;
        }
        let Some(sport) = self.service_port(q) else {
            return;
        };
        if p.ts.is_finite() && p.ts > self.clock {
            self.clock = p.ts;
        }
        let (receiver, ports) = (ip_key(q.dst), ports(q.dport, sport));
        let key = (receiver, ip_key(q.src), ports);
        *self.refused.touch(key, request_hash(key), self.clock).val = self.clock;
        self.last_refusal = self.clock;
        // refusals counted per receiver, one a second at most for each service host (as
        // its kernel's rate limit sends them: the pace is of many hosts refused), but not of
        // late answers to a question it asked a group (a control point that closed its
        // socket before every device answered), nor of a symmetric service's (NTP peers 123
        // to 123)
        if sport == q.dport || self.asked_for(receiver, GROUP, ports) {
            return;
        }
        let pair = (receiver, ip_key(q.src));
        let e =
            self.refused_hosts
                .touch(pair, hash_key(hash_key(68, receiver), pair.1), self.clock);
        if e.prev_stamp.is_some() && self.clock - *e.val < 1.0 {
            return;
        }
        *e.val = self.clock;
        if self.refusers.add(receiver, 1.0, self.clock, 0.0) >= REFUSAL_PACE {
            self.refusal_burst = self.clock;
        }
    }

    /// The service port the datagram `q` (quoted by an ICMP error) came from: its source port
    /// if one of [`SERVICE_PORTS`], [`TFTP_PORT`] if it was a TFTP answer seen within
    /// [`IDLE`] ([`tftp_answer`]: the quote shows its ports only); `None` otherwise. Reads the
    /// state only.
    fn service_port(&self, q: &Inner) -> Option<u16> {
        if SERVICE_PORTS.contains(&q.sport) {
            return Some(q.sport);
        }
        if self.clock - self.tftp_last > IDLE {
            return None;
        }
        let key = (ip_key(q.dst), ip_key(q.src), ports(q.dport, q.sport));
        self.tftp
            .get(&key, tftp_hash(key))
            .is_some_and(|&t| self.clock - t <= IDLE)
            .then_some(TFTP_PORT)
    }

    /// Whether `receiver` refused an answer from `server` between the `ports` given by
    /// [`ports`] within [`IDLE`].
    fn refused_recently(&self, receiver: u128, server: u128, ports: u32) -> bool {
        let key = (receiver, server, ports);
        self.refused
            .get(&key, request_hash(key))
            .is_some_and(|&t| self.clock - t <= IDLE)
    }

    /// If `p` is an ICMP error its sender sent about an answer from a reflection service
    /// that it did not ask for (a closed port's unreachable): (the answer's sender, `p`'s
    /// sender), the ends it is charged to. Reads the state only.
    #[inline]
    pub fn error_about_unasked(&self, p: &PacketRepr) -> Option<(IpAddr, IpAddr)> {
        if self.threshold <= 0.0 || !proto::icmp_error(p.proto, p.icmp_type) {
            return None;
        }
        self.error_quoted(p)
    }

    /// [`Reflection::error_about_unasked`] of an ICMP error.
    #[inline(never)]
    fn error_quoted(&self, p: &PacketRepr) -> Option<(IpAddr, IpAddr)> {
        let q = p.inner.as_ref()?;
        let sport = if q.proto == proto::UDP && q.dst == p.src {
            self.service_port(q)?
        } else {
            return None;
        };
        let ok = service_to_other(sport, q.dport);
        let (asker, ports) = (ip_key(q.dst), ports(q.dport, sport));
        let asked =
            self.asked_for(asker, ip_key(q.src), ports) || self.asked_for(asker, ANY, ports);
        // (a host refusing answers at a flood's pace asked none of them, whatever the wire
        // shows: see the module's "Answers refused at a flood's pace")
        let forged =
            asked && self.clock - self.refusal_burst <= IDLE && self.refusing(asker, self.clock);
        (ok && (!asked || forged)).then_some((q.src, q.dst))
    }

    /// Whether `p` is an ICMP error its sender sent about a UDP answer to a question it asked
    /// a group (from that port to that port, within [`IDLE`]): a fraggle's victim refusing
    /// the echoes of the subnet at its closed port, or a host refusing late answers to its
    /// own broadcast; its kernel answering, no attack of its own (the networks took a
    /// fraggle victim's errors for a UDP scan's). Reads the state only.
    pub fn error_about_group_answer(&self, p: &PacketRepr) -> bool {
        if self.threshold <= 0.0 || !proto::icmp_error(p.proto, p.icmp_type) {
            return false;
        }
        let Some(q) = p.inner.as_ref() else {
            return false;
        };
        q.proto == proto::UDP
            && q.dst == p.src
            && self.asked_for(ip_key(p.src), GROUP, ports(q.dport, q.sport))
    }

    /// `p` (from `s`) asks a group: an echo request, or a UDP datagram to any port.
    fn asked_a_group(&mut self, p: &PacketRepr, s: u128, now: f64) {
        if p.proto == proto::UDP {
            let key = (s, GROUP, ports(p.sport, p.dport));
            *self.asked.touch(key, request_hash(key), now).val = now;
        }
        if self.group_askers.add(s, 1.0, now, 0.0) >= GROUP_QUESTIONS {
            self.group_burst = now;
        }
    }

    /// Whether `p`, from `s` to `d`, answers questions `d` asks groups at
    /// [`GROUP_QUESTIONS`] a second or more, past the threshold of such answers.
    fn amplified_answer(
        &mut self,
        p: &PacketRepr,
        s: u128,
        d: u128,
        echo: Option<bool>,
        now: f64,
    ) -> bool {
        let answer = match echo {
            Some(request) => !request,
            None => self.asked_for(d, GROUP, ports(p.dport, p.sport)),
        };
        if !answer || s == d || self.group_askers.add(d, 0.0, now, 0.0) < GROUP_QUESTIONS {
            return false;
        }
        self.amplified.add(d, 1.0, now, 0.0) >= self.threshold
    }

    /// Whether `asker` sent `server` a request within [`IDLE`], between the `ports` given by
    /// [`ports`].
    fn asked_for(&self, asker: u128, server: u128, ports: u32) -> bool {
        let key = (asker, server, ports);
        self.asked
            .get(&key, request_hash(key))
            .is_some_and(|&t| self.clock - t <= IDLE)
    }
}

/// The asker's port and the service's, as one table key field.
fn ports(asker: u16, service: u16) -> u32 {
    u32::from(asker) << 16 | u32::from(service)
}

/// The hash of a fast SSDP asker's table entry.
fn asker_hash(asker: u128) -> u64 {
    hash_key(65, asker)
}

/// The hash of a TFTP answer's table entry.
fn tftp_hash((receiver, server, ports): (u128, u128, u32)) -> u64 {
    hash_key(hash_key(69 ^ u64::from(ports) << 8, receiver), server)
}

/// The hash of a request's table entry.
fn request_hash((asker, server, ports): (u128, u128, u32)) -> u64 {
    hash_key(hash_key(67 ^ u64::from(ports) << 8, asker), server)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::tests::{icmp_unreach, udp};

    const V: &str = "198.18.0.10";

    /// A DNS answer from resolver `r` to the victim's `port` at `ts`.
    fn answer(ts: f64, r: &str, port: u16) -> PacketRepr {
        udp(ts, r, V, 53, port, 512)
    }

    #[test]
    fn unasked_answers_past_the_threshold_are_a_udp_flood() {
        let mut r = Reflection::new(DEFAULT_THRESHOLD);
        let mut flagged = 0;
        // five resolvers, 500 answers a second each, to ports counting up
        for i in 0..2000u32 {
            let ts = 1.0 + f64::from(i) * 4e-4;
            let res = format!("198.18.0.{}", 31 + i % 5);
            if r.push(&answer(ts, &res, 40000 + (i % 2000) as u16)) == Some(Unasked::Flood) {
                flagged += 1;
            }
        }
        // all but the first score or so
        assert!((1950..2000).contains(&flagged), "{flagged}");
    }

    #[test]
    fn answers_to_requests_seen_are_normal_however_many() {
        let mut r = Reflection::new(DEFAULT_THRESHOLD);
        for i in 0..2000u32 {
            let ts = 1.0 + f64::from(i) * 4e-4;
            let port = 40000 + (i % 2000) as u16;
            assert_eq!(r.push(&udp(ts, V, "198.18.0.31", port, 53, 60)), None);
            assert_eq!(r.push(&answer(ts + 1e-4, "198.18.0.31", port)), None);
        }
        // a question from one port asks for no answers to another (a forged question's)
        let mut flagged = 0;
        for i in 0..100u32 {
            let ts = 2.0 + f64::from(i) * 1e-3;
            flagged +=
                usize::from(r.push(&answer(ts, "198.18.0.31", 33333)) == Some(Unasked::Flood));
        }
        assert!(flagged > 50, "{flagged}");
        // a request 31 s old asks for nothing any more
        let late = 1.0 + 2000.0 * 4e-4 + IDLE + 1.0;
        let mut flagged = 0;
        for i in 0..100u32 {
            let ts = late + f64::from(i) * 1e-3;
            flagged +=
                usize::from(r.push(&answer(ts, "198.18.0.31", 40000)) == Some(Unasked::Flood));
        }
        assert!(flagged > 50, "{flagged}");
    }

    #[test]
    fn a_trickle_symmetric_ports_groups_and_other_ports_are_never_flagged() {
        let mut r = Reflection::new(DEFAULT_THRESHOLD);
        for i in 0..600u32 {
            let ts = 1.0 + f64::from(i) * 0.2; // five a second, unasked
            assert_eq!(
                r.push(&answer(ts, "198.18.0.31", 40000)),
                Some(Unasked::Answer)
            );
        }
        for i in 0..2000u32 {
            let ts = 200.0 + f64::from(i) * 1e-4;
            // NTP peers, an mDNS answer to the group, a datagram from a high port
            assert_eq!(r.push(&udp(ts, "198.18.0.31", V, 123, 123, 76)), None);
            assert_eq!(
                r.push(&udp(ts, "198.18.0.31", "224.0.0.251", 5353, 5353, 200)),
                None
            );
            assert_eq!(r.push(&udp(ts, "198.18.0.31", V, 40000, 53, 60)), None);
            // a scanner's probe from port 53 (nmap -g 53) carries too little to be an answer
            assert_eq!(r.push(&udp(ts, "198.18.0.66", V, 53, 161, 28)), None);
        }
        // answers to a question asked of a group: SSDP's M-SEARCH to 239.255.255.250:1900 from
        // port 50000, answered by 40 devices, eight answers each, within a second
        r.push(&udp(250.0, V, "239.255.255.250", 50000, 1900, 125));
        for dev in 0..40u32 {
            for k in 0..8u32 {
                let ts = 250.0 + f64::from(dev * 8 + k) * 3e-3;
                let ans = udp(ts, &format!("198.18.1.{dev}"), V, 1900, 50000, 320);
                assert_eq!(r.push(&ans), None, "device {dev}");
            }
        }
        // the receiver's unreachable about an unasked answer is charged to the answer's sender
        let quoted = answer(300.0, "198.18.0.31", 40000);
        let err = crate::features::tests::icmp_unreach(300.0, V, "198.18.0.31", &quoted);
        let ends = Some((quoted.src, quoted.dst));
        assert_eq!(r.error_about_unasked(&err), ends);
        // …but not when it had asked
        r.push(&udp(300.1, V, "198.18.0.31", 40000, 53, 60));
        assert_eq!(r.error_about_unasked(&err), None);
        let mut off = Reflection::new(0.0);
        for i in 0..2000u32 {
            assert_eq!(
                off.push(&answer(1.0 + f64::from(i) * 1e-4, "198.18.0.31", 1)),
                None
            );
        }
    }

    #[test]
    fn the_request_table_stays_bounded_under_a_million_askers() {
        let mut r = Reflection::new(DEFAULT_THRESHOLD);
        for i in 0..1_000_000u32 {
            let src = std::net::Ipv4Addr::from(0xC612_0000 | (i & 0x1_FFFF)).to_string();
            r.push(&udp(1.0 + f64::from(i) * 1e-6, &src, V, 40000, 53, 60));
        }
        assert!(r.asked.len() <= CAPACITY);
    }

    /// An ICMP echo request (`request`) or reply from `src` to `dst` at `ts`.
    fn echo(ts: f64, src: &str, dst: &str, request: bool) -> PacketRepr {
        PacketRepr {
            proto: proto::ICMP,
            icmp_type: if request { 8 } else { 0 },
            ip_len: 84,
            payload_len: 56,
            ..udp(ts, src, dst, 0, 0, 84)
        }
    }

    /// Forged questions from the victim to `group`, `rate` a second for `secs` seconds, each
    /// answered by `answerers` hosts (.31 on); the answers' verdicts.
    fn amplify(
        r: &mut Reflection,
        t0: f64,
        group: &str,
        rate: f64,
        secs: f64,
        answerers: u8,
        udp_port: Option<u16>,
    ) -> Vec<Option<Unasked>> {
        let mut out = Vec::new();
        let n = (rate * secs) as u32;
        for i in 0..n {
            let ts = t0 + f64::from(i) / rate;
            let port = 7000 + (i % 50) as u16;
            let q = match udp_port {
                Some(p) => udp(ts, V, group, port, p, 92),
                None => echo(ts, V, group, true),
            };
            assert_eq!(r.push(&q), None, "a question is never flagged");
            for k in 0..answerers {
                let h = format!("198.18.0.{}", 31 + k);
                let a = match udp_port {
                    Some(p) => udp(ts + 1e-4, &h, V, p, port, 92),
                    None => echo(ts + 1e-4, &h, V, false),
                };
                out.push(r.push(&a));
            }
        }
        out
    }

    fn amplified(v: &[Option<Unasked>]) -> usize {
        v.iter().filter(|&&u| u == Some(Unasked::Amplified)).count()
    }

    #[test]
    fn smurf_and_fraggle_answers_past_the_threshold_are_amplified_floods() {
        // all answers but those to the first GROUP_QUESTIONS questions or so and then the
        // threshold's worth
        let lead = |answerers: u8| {
            (GROUP_QUESTIONS as usize + 1) * usize::from(answerers) + DEFAULT_THRESHOLD as usize
        };
        // smurf: 250 echo requests a second to a subnet's broadcast, six hosts answering
        let mut r = Reflection::new(DEFAULT_THRESHOLD);
        let v = amplify(&mut r, 1.0, "198.18.0.255", 250.0, 4.0, 6, None);
        assert!(
            amplified(&v) >= v.len() - lead(6),
            "{} of {}",
            amplified(&v),
            v.len()
        );
        // fraggle: UDP to the echo port of the limited broadcast, and chargen's of a subnet's
        let mut r = Reflection::new(DEFAULT_THRESHOLD);
        let v = amplify(&mut r, 1.0, "255.255.255.255", 100.0, 4.0, 6, Some(7));
        assert!(
            amplified(&v) >= v.len() - lead(6),
            "{} of {}",
            amplified(&v),
            v.len()
        );
        let v = amplify(&mut r, 10.0, "198.18.0.255", 100.0, 4.0, 3, Some(19));
        assert!(
            amplified(&v) >= v.len() - lead(3),
            "{} of {}",
            amplified(&v),
            v.len()
        );
        // off with the rule
        let mut off = Reflection::new(0.0);
        let v = amplify(&mut off, 1.0, "198.18.0.255", 250.0, 2.0, 6, None);
        assert_eq!(amplified(&v), 0);
    }

    #[test]
    fn broadcast_pings_discovery_and_answers_to_other_ports_are_not_amplified_floods() {
        let mut r = Reflection::new(DEFAULT_THRESHOLD);
        // `ping -b` once a second for a minute, 200 hosts answering each
        let v = amplify(&mut r, 1.0, "198.18.0.255", 1.0, 60.0, 200, None);
        assert_eq!(amplified(&v), 0);
        // SSDP's M-SEARCH sent three times in a row, NetBIOS name queries: 60 answers each
        let v = amplify(&mut r, 100.0, "239.255.255.250", 30.0, 0.1, 60, Some(1900));
        assert_eq!(amplified(&v), 0);
        let v = amplify(&mut r, 200.0, "198.18.0.255", 3.0, 1.0, 60, Some(137));
        assert_eq!(amplified(&v), 0);
        // while a host asks a group many times a second, datagrams to its other ports and
        // from other ports, and its own echo requests' unicast answers below the threshold
        let mut r = Reflection::new(DEFAULT_THRESHOLD);
        amplify(&mut r, 300.0, "198.18.0.255", 100.0, 2.0, 0, Some(7));
        for i in 0..200u32 {
            let ts = 302.0 + f64::from(i) * 1e-3;
            assert_eq!(r.push(&udp(ts, "198.18.0.31", V, 7, 40000, 92)), None);
            assert_eq!(r.push(&udp(ts, "198.18.0.31", V, 8, 7000, 92)), None);
        }
        // and an answer from the host itself (its own datagram looped back) never counts
        assert_eq!(r.push(&udp(303.0, V, V, 7, 7000, 92)), None);
    }

    #[test]
    fn errors_about_answers_to_a_groups_question_are_the_askers_kernel_answering() {
        use crate::features::tests::icmp_unreach;
        let mut r = Reflection::new(DEFAULT_THRESHOLD);
        // fraggle: the victim, forged as asking the subnet's echo port from ports 7000-7049,
        // refuses the echoes at its closed ports, from the first question on
        amplify(&mut r, 1.0, "198.18.0.255", 250.0, 0.01, 0, Some(7));
        let echo = udp(1.001, "198.18.0.31", V, 7, 7000, 92);
        assert!(r.error_about_group_answer(&icmp_unreach(1.002, V, "198.18.0.31", &echo)));
        // a host refusing a late answer to its own `ping -b`-like UDP broadcast: the same
        amplify(&mut r, 50.0, "198.18.0.255", 1.0, 1.0, 0, Some(137));
        let late = udp(55.0, "198.18.0.40", V, 137, 7000, 92);
        assert!(r.error_about_group_answer(&icmp_unreach(55.0, V, "198.18.0.40", &late)));
        // not: an error about a datagram to a port that asked no group, from another port,
        // about what the erring host sent, quoting TCP, an echo request, and any after the
        // question is IDLE old
        for q in [
            udp(55.0, "198.18.0.40", V, 7, 40000, 92),
            udp(55.0, "198.18.0.40", V, 8, 7000, 92),
            udp(55.0, V, "198.18.0.40", 7000, 137, 92),
            crate::features::tests::tcp(55.0, "198.18.0.40", V, 137, 7000, 0x12),
        ] {
            assert!(
                !r.error_about_group_answer(&icmp_unreach(55.0, V, "198.18.0.40", &q)),
                "{q:?}"
            );
        }
        let stale = icmp_unreach(51.0 + IDLE + 1.0, V, "198.18.0.40", &late);
        r.push(&udp(
            51.0 + IDLE + 1.0,
            "198.18.0.9",
            "198.18.0.8",
            5000,
            5001,
            92,
        ));
        assert!(!r.error_about_group_answer(&stale));
        // an answer that is no error, and the rule off
        assert!(!r.error_about_group_answer(&late));
        let mut off = Reflection::new(0.0);
        amplify(&mut off, 1.0, "198.18.0.255", 250.0, 0.01, 0, Some(7));
        assert!(!off.error_about_group_answer(&icmp_unreach(1.002, V, "198.18.0.31", &echo)));
    }

    /// An SSDP reflection seen on a bridge (lab/iot.sh, run 1: scapy's M-SEARCHes forged from
    /// the recorder 198.18.0.30, port `vport`, to four devices' 1900, 110 a second each; each
    /// device answers with 330 bytes; the recorder has no socket on `vport` and refuses an
    /// answer of each device about once a second). Returns how many answers were flagged;
    /// the questions must be flagged as the flood's ([`Unasked::Forged`]) or not at all.
    fn ssdp_on_the_wire(r: &mut Reflection, vport: u16, refuse: bool) -> usize {
        ssdp_flood(r, vport, refuse, 4, 0.002).0
    }

    /// [`ssdp_on_the_wire`] with `devices` devices (198.18.0.11 on) asked in turn, a
    /// question every `gap` s, 4,000 in all: (answers flagged, questions flagged).
    fn ssdp_flood(
        r: &mut Reflection,
        vport: u16,
        refuse: bool,
        devices: u32,
        gap: f64,
    ) -> (usize, usize) {
        let victim = "198.18.0.30";
        let (mut flagged, mut questions) = (0, 0);
        for i in 0..4000u32 {
            let ts = 1.0 + f64::from(i) * gap;
            let dev = format!("198.18.0.{}", 11 + i % devices);
            // the forged question, seen on the wire, then its answer
            match r.push(&udp(ts, victim, &dev, vport, 1900, 118)) {
                None => {}
                Some(Unasked::Forged) => questions += 1,
                Some(u) => panic!("question {i}: {u:?}"),
            }
            let a = udp(ts + 1e-4, &dev, victim, 1900, vport, 358);
            if r.push(&a) == Some(Unasked::Flood) {
                flagged += 1;
            }
            if refuse && i % 400 < 4 {
                let e = icmp_unreach(ts + 2e-4, victim, &dev, &a);
                assert_eq!(r.push(&e), None);
            }
        }
        (flagged, questions)
    }

    #[test]
    fn answers_their_receiver_refuses_are_unasked_though_questions_were_seen() {
        // from port 1900 to 1900, which a symmetric service would use, and from a port of
        // the attacker's choosing, which looks asked for: refused, a flood either way (all
        // but the first few of each device before its first refusal, and the threshold's)
        for vport in [1900, 40_000] {
            let flagged = ssdp_on_the_wire(&mut Reflection::new(DEFAULT_THRESHOLD), vport, true);
            assert!((3900..4000).contains(&flagged), "{vport}: {flagged}");
        }
        // off: nothing noted, nothing flagged
        let mut r = Reflection::new(0.0);
        assert_eq!(ssdp_on_the_wire(&mut r, 1900, true), 0);
    }

    #[test]
    fn ssdp_questions_at_a_floods_pace_make_their_answers_unasked_though_taken() {
        // nothing refused (the victim's port is open): the questions seen on the wire, or the
        // symmetric ports, hid it from the base; their pace gives it away. 500 a second to 4
        // devices, 250 a second to 18: all but the first 200 answers are the flood's, and so are
        // the questions once the answers are
        for (vport, devices, gap) in [(1900, 4, 0.002), (40_000, 4, 0.002), (1900, 18, 0.004)] {
            let mut r = Reflection::new(DEFAULT_THRESHOLD);
            let (flagged, questions) = ssdp_flood(&mut r, vport, false, devices, gap);
            assert!(
                (3800..4000).contains(&flagged),
                "{vport} {devices}: {flagged}"
            );
            assert!(
                (3800..4000).contains(&questions),
                "{vport} {devices}: {questions}"
            );
        }
        // 60 a second (held, the damped count stays below FLOOD_QUESTIONS): not a flood's pace
        let (flagged, questions) = ssdp_flood(
            &mut Reflection::new(DEFAULT_THRESHOLD),
            1900,
            false,
            4,
            1.0 / 60.0,
        );
        assert_eq!((flagged, questions), (0, 0));
        // off: nothing
        let (flagged, questions) = ssdp_flood(&mut Reflection::new(0.0), 1900, false, 18, 0.002);
        assert_eq!((flagged, questions), (0, 0));
    }

    #[test]
    fn ssdp_discovery_and_sweeps_stay_normal() {
        let cp = "198.18.0.21";
        let mut r = Reflection::new(DEFAULT_THRESHOLD);
        // a control point (lab/iot.sh's phone): every 10 s, three multicast M-SEARCHes 1 s
        // apart, each answered by 18 devices, then one unicast M-SEARCH to each device 50 ms
        // apart, answered; for 10 minutes
        for round in 0..60u32 {
            let t0 = 1.0 + f64::from(round) * 10.0;
            for k in 0..3u32 {
                let ts = t0 + f64::from(k);
                assert_eq!(
                    r.push(&udp(ts, cp, "239.255.255.250", 50_000, 1900, 122)),
                    None
                );
                for d in 0..18u32 {
                    let dev = format!("198.18.0.{}", 101 + d);
                    let a = udp(ts + 0.01 + f64::from(d) * 1e-3, &dev, cp, 1900, 50_000, 358);
                    assert_eq!(r.push(&a), None, "round {round}");
                }
            }
            for d in 0..18u32 {
                let ts = t0 + 3.0 + f64::from(d) * 0.05;
                let dev = format!("198.18.0.{}", 101 + d);
                assert_eq!(r.push(&udp(ts, cp, &dev, 50_000, 1900, 122)), None);
                assert_eq!(r.push(&udp(ts + 0.01, &dev, cp, 1900, 50_000, 358)), None);
            }
        }
        // an SSDP sweep: a unicast M-SEARCH to every address of a /24 in a second (past the
        // pace), 18 of which answer: their answers are unasked for, but far below a flood
        let scanner = "198.18.0.40";
        let mut counted = 0;
        for h in 1..255u32 {
            let ts = 700.0 + f64::from(h) * 0.004;
            let dst = format!("198.18.0.{h}");
            assert_eq!(r.push(&udp(ts, scanner, &dst, 50_001, 1900, 122)), None);
            if (101..119).contains(&h) {
                match r.push(&udp(ts + 0.002, &dst, scanner, 1900, 50_001, 358)) {
                    None => {}
                    Some(Unasked::Answer) => counted += 1,
                    Some(u) => panic!("{h}: {u:?}"),
                }
            }
        }
        assert!(counted > 0, "the sweep passed the pace");
        // SSDP's NOTIFYs to the group, and datagrams between two devices' 1900s, are no
        // questions of a flood however many
        for i in 0..2000u32 {
            let ts = 800.0 + f64::from(i) * 0.001;
            let n = udp(ts, "198.18.0.101", "239.255.255.250", 1900, 1900, 300);
            assert_eq!(r.push(&n), None);
            let peer = udp(ts, "198.18.0.102", "198.18.0.103", 1900, 1900, 358);
            assert_eq!(r.push(&peer), None);
        }
    }

    #[test]
    fn a_refused_late_answer_or_a_refusal_of_another_kind_makes_no_flood() {
        let mut r = Reflection::new(DEFAULT_THRESHOLD);
        let c = "198.18.0.20";
        // a client asks a resolver from a new port every 50 ms; every answer comes too late
        // and is refused: each port's refusal covers no later answer
        for i in 0..400u16 {
            let ts = 1.0 + f64::from(i) * 0.05;
            r.push(&udp(ts, c, "198.18.0.31", 30_000 + i, 53, 60));
            let a = udp(ts + 0.02, "198.18.0.31", c, 53, 30_000 + i, 300);
            assert_eq!(r.push(&a), None, "{i}");
            r.push(&icmp_unreach(ts + 0.03, c, "198.18.0.31", &a));
        }
        // a refusal that is no port unreachable (host unreachable, code 1), one about a
        // datagram from no service port, and one whose quoted packet was not sent to the
        // refuser: nothing noted, the answers asked for stay so
        let mut r = Reflection::new(DEFAULT_THRESHOLD);
        let a = udp(1.0, "198.18.0.11", c, 1900, 40_000, 358);
        let mut e = icmp_unreach(1.0, c, "198.18.0.11", &a);
        e.icmp_code = 1;
        r.push(&e);
        r.push(&icmp_unreach(
            1.0,
            c,
            "198.18.0.11",
            &udp(1.0, "198.18.0.11", c, 5004, 40_000, 358),
        ));
        r.push(&icmp_unreach(1.0, "198.18.0.21", "198.18.0.11", &a));
        // (50 questions a second: below the pace of a flood's, FLOOD_QUESTIONS)
        for i in 0..1000u32 {
            let ts = 1.0 + f64::from(i) * 0.02;
            r.push(&udp(ts, c, "198.18.0.11", 40_000, 1900, 118));
            assert_eq!(
                r.push(&udp(ts, "198.18.0.11", c, 1900, 40_000, 358)),
                None,
                "{i}"
            );
        }
        // a refusal older than IDLE covers nothing
        let mut r = Reflection::new(DEFAULT_THRESHOLD);
        r.push(&icmp_unreach(1.0, c, "198.18.0.11", &a));
        for i in 0..1000u32 {
            let ts = 1.0 + IDLE + 1.0 + f64::from(i) * 0.02;
            r.push(&udp(ts, c, "198.18.0.11", 40_000, 1900, 118));
            assert_eq!(
                r.push(&udp(ts, "198.18.0.11", c, 1900, 40_000, 358)),
                None,
                "{i}"
            );
        }
    }

    /// A booter's flood seen on the reflectors' side: `n` forged questions from the victim
    /// (a new port each) to `refl` reflectors (.1.1 on) on `port`, from `t0`, 300 a second,
    /// each answered (`answer`: the reflector's datagram to the question's port), and the
    /// victim refusing the answers as its kernel does (the first six to each reflector, then
    /// one a second to each); the verdicts of the questions, the answers and the refusals.
    #[allow(clippy::type_complexity)]
    fn booter(
        r: &mut Reflection,
        t0: f64,
        n: u32,
        refl: u32,
        port: u16,
        answer: &dyn Fn(f64, &str, u16) -> PacketRepr,
    ) -> (Vec<Option<Unasked>>, Vec<Option<Unasked>>, Vec<bool>) {
        let (mut qs, mut ans, mut errs) = (Vec::new(), Vec::new(), Vec::new());
        let mut last = vec![(0u32, f64::NEG_INFINITY); refl as usize];
        for i in 0..n {
            let ts = t0 + f64::from(i) / 300.0;
            let k = i % refl;
            let h = format!("198.18.1.{}", 1 + k);
            let vport = 1024 + (i * 7919 % 60000) as u16;
            qs.push(r.push(&udp(ts, V, &h, vport, port, 68)));
            let a = answer(ts + 2e-4, &h, vport);
            ans.push(r.push(&a));
            let (sent, at) = &mut last[k as usize];
            if *sent < 6 || ts - *at >= 1.0 {
                *sent += 1;
                *at = ts;
                let e = icmp_unreach(ts + 3e-4, V, &h, &a);
                assert_eq!(r.push(&e), None);
                errs.push(r.error_about_unasked(&e) == Some((a.src, a.dst)));
            }
        }
        (qs, ans, errs)
    }

    fn count(v: &[Option<Unasked>], u: Unasked) -> usize {
        v.iter().filter(|&&x| x == Some(u)).count()
    }

    #[test]
    fn answers_refused_at_a_floods_pace_are_a_flood_though_their_questions_were_seen() {
        // DNS ANY through 60 reflectors, 600 questions in 2 s (lab/amplify.sh's run 1)
        let mut r = Reflection::new(DEFAULT_THRESHOLD);
        let dns = |ts: f64, h: &str, port: u16| udp(ts, h, V, 53, port, 1500);
        let (qs, ans, errs) = booter(&mut r, 10.0, 600, 60, 53, &dns);
        // every answer past the pace and the threshold's first few is the flood's …
        assert!(count(&ans, Unasked::Flood) > 500, "{ans:?}");
        // … and so are the forged questions (the service host's, against the victim) …
        assert!(count(&qs, Unasked::Forged) > 450, "{qs:?}");
        // … and the victim's refusals, charged to the reflectors
        assert!(errs.iter().filter(|&&e| e).count() > errs.len() / 2);
        // its own questions and their answers two seconds after the flood are its own
        for i in 0..100u32 {
            let ts = 14.0 + f64::from(i) * 0.03;
            let h = format!("198.18.1.{}", 1 + i % 60);
            let port = 30000 + i as u16;
            assert_eq!(r.push(&udp(ts, V, &h, port, 53, 68)), None, "{i}");
            assert_eq!(r.push(&dns(ts + 1e-3, &h, port)), None, "{i}");
        }
        // NTP monlist, SNMP, chargen and the rest alike; the rule off, nothing
        let mut off = Reflection::new(0.0);
        let (qs, ans, errs) = booter(&mut off, 10.0, 600, 60, 123, &|ts, h, p| {
            udp(ts, h, V, 123, p, 468)
        });
        assert!(qs.iter().chain(&ans).all(Option::is_none) && !errs.contains(&true));
    }

    #[test]
    fn a_few_refusals_and_a_control_points_late_answers_make_no_refuser() {
        let mut r = Reflection::new(DEFAULT_THRESHOLD);
        // a resolver (the victim's address) asking 60 servers 40 times a second, each answer
        // taken, but for a late one refused now and then (three a second)
        let mut flagged = 0;
        for i in 0..2400u32 {
            let ts = 1.0 + f64::from(i) * 0.025;
            let h = format!("198.18.1.{}", 1 + i % 60);
            let port = 1024 + (i * 7919 % 60000) as u16;
            flagged += usize::from(r.push(&udp(ts, V, &h, port, 53, 68)).is_some());
            let a = udp(ts + 2e-3, &h, V, 53, port, 900);
            flagged += usize::from(r.push(&a).is_some());
            if i % 13 == 0 {
                r.push(&icmp_unreach(ts + 3e-3, V, &h, &a));
            }
        }
        assert_eq!(flagged, 0);
        // a control point's M-SEARCH to the group, answered by 40 devices, its socket closed
        // before they answered: 40 refusals within a second
        r.push(&udp(100.0, V, "239.255.255.250", 50000, 1900, 125));
        for dev in 0..40u32 {
            let h = format!("198.18.1.{}", 1 + dev);
            let ts = 100.0 + f64::from(dev) * 2e-2;
            let a = udp(ts, &h, V, 1900, 50000, 340);
            assert_eq!(r.push(&a), None);
            r.push(&icmp_unreach(ts + 1e-4, V, &h, &a));
        }
        assert!(!r.refusing(ip_key(V.parse().unwrap()), 101.0));
        // its resolver's questions and answers go on unflagged
        for i in 0..200u32 {
            let ts = 101.0 + f64::from(i) * 0.025;
            let h = format!("198.18.2.{}", 1 + i % 60);
            assert_eq!(r.push(&udp(ts, V, &h, 20000 + i as u16, 53, 68)), None);
            assert_eq!(
                r.push(&udp(ts + 1e-3, &h, V, 53, 20000 + i as u16, 900)),
                None
            );
        }
    }

    /// A TFTP datagram from `src`'s port `sport` to `dst`'s `dport`, its payload `len` bytes
    /// beginning with `head`.
    fn tftp(
        ts: f64,
        src: &str,
        dst: &str,
        sport: u16,
        dport: u16,
        head: [u8; 4],
        len: u16,
    ) -> PacketRepr {
        PacketRepr {
            head,
            ..udp(ts, src, dst, sport, dport, len + 28)
        }
    }

    const DATA1: [u8; 4] = [0, 3, 0, 1];
    const ERROR: [u8; 4] = [0, 5, 0, 1];
    const OACK: [u8; 4] = *b"\0\x06ts";
    const RRQ: [u8; 4] = *b"\0\x01px";

    /// The transfer port of the server's answer to the `i`th request.
    fn tid(i: u32) -> u16 {
        32768 + (i * 4099 % 28000) as u16
    }

    #[test]
    fn tftp_answers_are_known_by_their_first_bytes_from_a_port_of_their_own() {
        let (s, c) = ("198.18.1.7", V);
        assert!(tftp_answer(&tftp(1.0, s, c, 47104, 40312, DATA1, 516)));
        assert!(tftp_answer(&tftp(1.0, s, c, 47104, 40312, DATA1, 100)));
        assert!(tftp_answer(&tftp(1.0, s, c, 47104, 40312, ERROR, 19)));
        assert!(tftp_answer(&tftp(1.0, s, c, 47104, 40312, OACK, 20)));
        assert!(answer_shape(&tftp(1.0, s, c, 47104, 40312, ERROR, 19)));
        // later blocks, the client's ACKs, requests, an ERROR with no code, other bytes
        for (head, len) in [
            ([0, 3, 0, 2], 516),
            ([0, 4, 0, 1], 4),
            (RRQ, 20),
            ([0, 5, 0, 1], 4),
        ] {
            assert!(
                !tftp_answer(&tftp(1.0, s, c, 47104, 40312, head, len)),
                "{head:?}"
            );
        }
        assert!(!tftp_answer(&tftp(
            1.0,
            s,
            c,
            47104,
            40312,
            [1, 3, 0, 1],
            516
        )));
        assert!(!tftp_answer(&tftp(
            1.0,
            s,
            c,
            47104,
            40312,
            [0x80, 0, 0, 1],
            160
        )));
        // to port 69, from a port below 1024 (a service's, not a transfer port), between one
        // port and itself, a later fragment, TCP
        assert!(!tftp_answer(&tftp(1.0, s, c, 47104, 69, DATA1, 516)));
        assert!(!tftp_answer(&tftp(1.0, s, c, 514, 40312, DATA1, 516)));
        assert!(!tftp_answer(&tftp(1.0, s, c, 40312, 40312, DATA1, 516)));
        let frag = PacketRepr {
            later_fragment: true,
            ..tftp(1.0, s, c, 47104, 40312, DATA1, 516)
        };
        assert!(!tftp_answer(&frag));
        let tcp = PacketRepr {
            proto: proto::TCP,
            ..tftp(1.0, s, c, 47104, 40312, DATA1, 516)
        };
        assert!(!tftp_answer(&tcp) && !answer_shape(&tcp));
    }

    #[test]
    fn tftp_answers_nobody_asked_for_are_a_flood_and_their_refusals_the_reflectors() {
        // the victim's side: DATA block 1 (and its resends) from 60 servers' transfer ports to
        // the victim's random ports, 300 a second, nothing asked; the victim refuses them
        let mut r = Reflection::new(DEFAULT_THRESHOLD);
        let (mut flood, mut charged, mut errs) = (0, 0, 0);
        for i in 0..600u32 {
            let ts = 1.0 + f64::from(i) / 300.0;
            let h = format!("198.18.1.{}", 1 + i % 60);
            let vport = 1024 + (i * 7919 % 60000) as u16;
            let a = tftp(ts, &h, V, tid(i), vport, DATA1, 516);
            flood += usize::from(r.push(&a) == Some(Unasked::Flood));
            if i % 2 == 0 {
                errs += 1;
                let e = icmp_unreach(ts + 1e-4, V, &h, &a);
                assert_eq!(r.push(&e), None);
                charged += usize::from(r.error_about_unasked(&e) == Some((a.src, a.dst)));
            }
        }
        assert!(flood > 550, "{flood}");
        assert_eq!(charged, errs);
        // ERRORs (a file the servers lack) alike
        let mut r = Reflection::new(DEFAULT_THRESHOLD);
        let flood = (0..600u32)
            .filter(|&i| {
                let h = format!("198.18.1.{}", 1 + i % 60);
                let ts = 1.0 + f64::from(i) / 300.0;
                r.push(&tftp(ts, &h, V, tid(i), 1024 + i as u16, ERROR, 19)) == Some(Unasked::Flood)
            })
            .count();
        assert!(flood > 550, "{flood}");
    }

    #[test]
    fn tftp_answers_refused_at_a_floods_pace_are_a_flood_though_their_requests_were_seen() {
        // the reflectors' side: the forged read requests (to port 69), each answered by DATA
        // block 1 from a new port of the server, each refused by the victim's kernel
        let mut r = Reflection::new(DEFAULT_THRESHOLD);
        let n = std::cell::Cell::new(0u32);
        let data = |ts: f64, h: &str, port: u16| {
            n.set(n.get() + 1);
            tftp(ts, h, V, tid(n.get()), port, DATA1, 516)
        };
        let (qs, ans, errs) = booter(&mut r, 10.0, 600, 60, TFTP_PORT, &data);
        assert!(count(&ans, Unasked::Flood) > 500, "{ans:?}");
        assert!(count(&qs, Unasked::Forged) > 450, "{qs:?}");
        assert!(errs.iter().filter(|&&e| e).count() > errs.len() / 2);
        // without the refusals' look-up of the answers (a datagram between the same ports
        // that was no TFTP answer), nothing: the pace is of refused services' answers
        let mut r = Reflection::new(DEFAULT_THRESHOLD);
        let (qs, ans, _) = booter(&mut r, 10.0, 600, 60, TFTP_PORT, &|ts, h, p| {
            tftp(ts, h, V, 40000, p, [0, 3, 0, 2], 516)
        });
        assert!(qs.iter().chain(&ans).all(Option::is_none));
    }

    #[test]
    fn tftp_downloads_failed_requests_and_option_answers_stay_normal() {
        let mut r = Reflection::new(DEFAULT_THRESHOLD);
        let server = "198.18.1.1";
        // a PXE server's 50 clients booting within two seconds, each reading three files:
        // the request, the first block from a new port, the ACK, the next blocks
        for round in 0..3u32 {
            for c in 0..50u32 {
                let i = round * 50 + c;
                let ts = 1.0 + f64::from(round) * 5.0 + f64::from(c) * 0.04;
                let client = format!("198.18.0.{}", 100 + c);
                let port = 40000 + i as u16;
                assert_eq!(r.push(&tftp(ts, &client, server, port, 69, RRQ, 20)), None);
                // a third ask for options (OACK, then the client's ACK of block 0), a tenth
                // for a file the server lacks (ERROR), the rest get block 1 at once
                let first = match i % 10 {
                    0 => ERROR,
                    3 | 6 | 9 => OACK,
                    _ => DATA1,
                };
                let a = tftp(ts + 1e-3, server, &client, tid(i), port, first, 516);
                assert_eq!(r.push(&a), None, "{i}");
                if first == ERROR {
                    continue;
                }
                for b in 1..40u16 {
                    let t = ts + 2e-3 * f64::from(b);
                    let ack = tftp(t, &client, server, port, tid(i), [0, 4, 0, b as u8], 4);
                    assert_eq!(r.push(&ack), None);
                    let next = [0, 3, ((b + 1) >> 8) as u8, (b + 1) as u8];
                    let d = tftp(t + 5e-4, server, &client, tid(i), port, next, 516);
                    assert_eq!(r.push(&d), None);
                }
            }
        }
        // a client that gave up refuses the resends of block 1 (counted as unasked once
        // refused, as any service's late answers): far below the pace and the threshold
        r.push(&tftp(29.0, V, server, 45000, 69, RRQ, 20));
        for i in 0..5u32 {
            let ts = 30.0 + f64::from(i);
            let a = tftp(ts, server, V, tid(900), 45000, DATA1, 516);
            assert!(matches!(r.push(&a), None | Some(Unasked::Answer)));
            r.push(&icmp_unreach(ts + 1e-4, V, server, &a));
        }
        assert!(!r.refusing(ip_key(V.parse().unwrap()), 33.0));
    }
}
