//! Floods of a UDP service: one client's datagrams of one size to one (server, port), fast,
//! and unanswered.
//!
//! The commonest denial of service on real networks is a UDP flood aimed at the port of a
//! service the victim runs (DNS 53, NTP 123, SNMP 161, memcached 11211) or of one it is
//! supposed to (QUIC 443, SSDP 1900, a game's or VoIP's port): hping3 `--udp -p PORT`, nping,
//! LOIC-like loops, at a few hundred datagrams a second or `--flood`. The networks learnt UDP
//! floods from the lab's, sent to ports nobody listens on and answered by ICMP port
//! unreachables; they pass a flood whose datagrams the victim's service takes in silence (a
//! resolver drops hping3's zeros as malformed, chronyd ignores what is no NTP, snmpd what is
//! no SNMP: namespace runs of session 23, `lab/svcfloods.sh`, 2,000 datagrams to NTP at 1,000
//! a second and 1.7 million to SNMP, not one flagged), and, captured with a filter that keeps
//! UDP alone (`udp`: the ICMP refusals gone), a flood of a closed port too; a flood of port
//! 53 they took for DNS, a third of it.
//!
//! The rule: per (client, server, port), where the client is the sender and the client end of
//! the datagram (its port the higher, or both ports 1024 or above; for a sender from below,
//! see "Floods from below") and the server no group address, three counts damped with a 1 s half-life: the client's datagrams of the size
//! (transport payload bytes) of the one before to that service (`same`), those of them sent
//! from another source port than the one before (`new_ports`), and the datagrams the server
//! sent back from that port to the client (`answers`, to any of its ports; looked for only
//! within [`WARM_FOR`] of some count's reaching [`WARM_SHARE`] of the threshold, so that most
//! datagrams cost one table look-up, not two). A datagram is
//! `flood-udp` where the networks call it normal once `same` is at or above the threshold
//! ([`crate::detect::DetectSettings::udp_flood_threshold`]; [`DEFAULT_THRESHOLD`] is about
//! 100 datagrams a second of one size, held), fewer than one in [`ANSWERED_EVERY`] of them was
//! answered, and the port is a well-known one (below [`WELL_KNOWN_END`]) or at least
//! [`NEW_PORT_SHARE`] of the datagrams came from a new source port each (hping3's way: a new
//! port per datagram).
//!
//! What stays normal: a service's clients, whose questions are answered (a resolver's, an
//! SNMP walk at a thousand GETNEXTs a second, a memcached client's page of keys); a burst of
//! lookups (answered, and of names of many lengths); applications' one-way streams to a
//! collector (syslog, statsd, NetFlow, IPFIX) whose sizes vary; calls and games, at 20–100
//! datagrams a second and answered; and a fixed-size one-way stream to a high port from one
//! socket (an MPEG-TS stream of 1,316-byte datagrams to a set-top box, an RTP camera) — the
//! port condition. What it gives away: a flood whose datagrams change size (`--rand-size`,
//! scapy's `RandString(RandNum())`), one slower than the threshold, one a service answers
//! (a DNS query flood of valid queries: the networks and the two-way rule's mirrored
//! conversations [`crate::conversation`] judge it), and one to a high port from one fixed
//! source port (left to the networks, which flag it when its ICMP refusals are there).
//! What it may call a flood: a fixed-size one-way stream at 100 a second or more to a port
//! below 1,024, or from a new port each datagram.
//!
//! **Floods from below.** A flood sent *from* a well-known port to a higher one — nping's
//! default source port 53 (`nping --udp -p 123`), hping3 `-s 53 -k`, a reflector-looking source
//! port (19, 123, 161, 1900) — is an answer's direction by port order: the victim's port is the
//! higher, so the victim is the client end, and a flagged datagram was charged to it. Session
//! 23's `nping --udp -p 123 --data-length 48 --rate 300` and `-p 1900` (BENCHMARKS, "UDP floods
//! aimed at a service port") were missed in every reading, and so were the namespace runs of
//! session 24 (`lab/svcfloods.sh` with `lab/svcfloods.lowport.attacks`): the rule left such
//! datagrams alone, and the reflection rule ([`crate::reflection`]) wants answers of 100 bytes
//! or more. The ends are decided here by who spoke first and who answers, not by the ports: a
//! datagram from a port below [`WELL_KNOWN_END`] and below its receiver's port is counted as
//! its sender's to the receiver's port (the same counts, key and threshold as a client's), and
//! past the threshold it is `flood-udp`, charged to its sender against its receiver
//! ([`Flood::FromBelow`]), when the receiver has never sent anything back from that port to it
//! (no answer counted for the entry, ever) and never asked the sender's port itself (no entry
//! of the receiver as a client of the sender's port: a question seen before the answers). The
//! port condition of a client's flood does not apply: the sender's port is a well-known one.
//! The ICMP port unreachables the receiver sends about such a datagram within [`WARM_FOR`] of
//! the entry's last flagged one are charged to the sender too
//! ([`UdpFloods::error_about_flood`]).
//!
//! What stays normal: a server's answers to a client that asked (a resolver's to its clients,
//! NTP's, SSDP devices' unicast answers after an M-SEARCH, chargen's or echo's), even one size
//! at a thousand a second; answers whose question came before the capture, when the client
//! goes on asking (its questions are the answers to the entry); a download from a QUIC
//! server's port 443 seen from its middle, the client acknowledging one datagram in ten; and
//! anything a service answers even now and then (a rate-limited NTP server answering one in
//! twenty: left to the networks, as a client's answered flood is). Reflected answers
//! nobody asked for past the reflection threshold are the reflection rule's, which decides
//! before this one. What it may call a flood: a one-direction capture (the questions not in it)
//! of answers of one size at 100 a second or more to one port of a client that never sends
//! anything back to the server's port.
//!
//! **Fragmented floods.** hping3 `--udp -d 1500` (or `-d 3000`) sends datagrams too big for
//! the link, each in two fragments (or three), from a new source port each. At a port that
//! echoes them back (session 26, `lab/pings.sh` with `lab/pings.fragments.attacks`, ports 443,
//! 1443 and 8443 of servers answering every datagram) the networks passed three of nine such
//! floods outright — 1,500-byte datagrams to 443, answered, are what a QUIC transfer looks like
//! to them — and the answers kept this rule out. A first fragment counted past the threshold
//! is `flood-udp` answered or not when at least [`FRAGMENTED_NEW_PORT_SHARE`] of the counted
//! datagrams came from a new source port each. What stays normal: applications whose UDP
//! datagrams outgrow the link keep one socket (NFS over UDP, IKE's certificates, a video
//! stream, a QUIC connection, which never fragments: it sets DF), and one that opens a socket
//! per request at 100 a second of one size beyond the link's MTU is not known to us; a client
//! pinging its resolvers with fragmented padded queries (dnscrypt-proxy) sends a few to each.
//!
//! Sans-IO and bounded: one set-associative table of (client, server, port) entries
//! ([`CAPACITY`], least recently used evicted).

use crate::class::Class;
use crate::detect::{is_group, service_hash, AddrKeys, DampedCount, NegExp2};
use crate::features::table::SetAssoc;
use nightjar_packet::{proto, PacketRepr};
use std::net::IpAddr;

/// [`crate::detect::DetectSettings::udp_flood_threshold`] by default: about 100 datagrams a
/// second of one size to one service, held (a damped count with a 1 s half-life settles at
/// rate ÷ ln 2), as the connection-flood rule counts connections
/// ([`crate::connections::DEFAULT_THRESHOLD`]).
pub const DEFAULT_THRESHOLD: f32 = 150.0;
/// The datagrams are a flood only while fewer than one in this many were answered.
pub const ANSWERED_EVERY: f32 = 4.0;
/// Ports below this are a service's whatever the client's source ports.
pub const WELL_KNOWN_END: u16 = 1024;
/// Of the datagrams counted, at least this share from a new source port each makes a flood of
/// a port at or above [`WELL_KNOWN_END`].
pub const NEW_PORT_SHARE: f32 = 0.5;
/// Of the datagrams counted, at least this share from a new source port each makes a flood of
/// fragmented datagrams, answered or not (see the module's "Fragmented floods").
pub const FRAGMENTED_NEW_PORT_SHARE: f32 = 0.9;
/// (client, server, port) entries remembered.
pub const CAPACITY: usize = 1 << 14;
/// The counts' half-life, seconds.
const HALF_LIFE: f64 = 1.0;
/// Answers are looked for only within this long (seconds) of a client's count reaching
/// [`WARM_SHARE`] of the threshold: below it nothing is flagged, and a service that answers
/// what it is sent has answered well over one in [`ANSWERED_EVERY`] by the time the count
/// doubles and doubles again.
pub const WARM_FOR: f64 = 2.0;
/// The share of the threshold a count must reach for answers to be counted.
pub const WARM_SHARE: f32 = 0.25;

/// One (client, server, port)'s counts.
#[derive(Clone, Copy, Default)]
struct Service {
    same: DampedCount,
    new_ports: DampedCount,
    answers: DampedCount,
    /// When a datagram from below (see the module's "Floods from below") was last flagged.
    flagged_at: f64,
    /// The payload size and source port of the client's last datagram.
    len: u32,
    sport: u16,
    /// The server sent something back from the port (an answer was counted).
    answered: bool,
}

/// What the rule makes of a datagram it flags.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flood {
    /// A client's datagram to a service's port (the client end by port order): charged so.
    Client,
    /// A datagram sent from a port below its receiver's and below [`WELL_KNOWN_END`] to a
    /// receiver that never spoke to that port (see the module's "Floods from below"): charged
    /// to its sender, against its receiver, whatever the port order says.
    FromBelow,
}

/// The UDP-service-flood rule's state.
pub struct UdpFloods {
    threshold: f32,
    services: SetAssoc<(u128, u128, u16), Service>,
    clock: f64,
    /// Until then, some client's count was warm ([`WARM_FOR`]): answers are counted.
    warm_until: f64,
    decay: NegExp2,
}

impl UdpFloods {
    /// The rule with its threshold (0: off).
    pub fn new(threshold: f32) -> UdpFloods {
        UdpFloods {
            threshold,
            services: SetAssoc::new(if threshold > 0.0 { CAPACITY } else { 1 }),
            clock: f64::NEG_INFINITY,
            warm_until: f64::NEG_INFINITY,
            decay: NegExp2::new(),
        }
    }

    /// Take the next packet; `flood-udp` if it is a datagram of a flood of one service.
    pub fn push(&mut self, p: &PacketRepr) -> Option<Class> {
        self.push_keyed(p, &AddrKeys::of(p))
            .map(|_| Class::FloodUdp)
    }

    /// [`UdpFloods::push`] of a packet whose addresses' keys are `k`: how the flood's datagram
    /// is charged, if it is one (its class is `flood-udp`).
    #[inline]
    pub(crate) fn push_keyed(&mut self, p: &PacketRepr, k: &AddrKeys) -> Option<Flood> {
        if self.threshold <= 0.0 || p.proto != proto::UDP || p.later_fragment {
            return None;
        }
        self.push_datagram(p, k)
    }

    /// The (sender, receiver) of the datagram an ICMP error `p` (addresses' keys `k`) quotes,
    /// when that datagram came from below to the error's sender and its (sender, receiver,
    /// port) had a datagram flagged within [`WARM_FOR`]: the flood's victim refusing it, charged
    /// to the flood's sender. Reads the state only.
    pub(crate) fn error_about_flood(
        &self,
        p: &PacketRepr,
        k: &AddrKeys,
    ) -> Option<(IpAddr, IpAddr)> {
        if self.threshold <= 0.0 || !proto::icmp_error(p.proto, p.icmp_type) {
            return None;
        }
        self.error_quoted(p, k)
    }

    /// [`UdpFloods::error_about_flood`] of an ICMP error.
    #[inline(never)]
    fn error_quoted(&self, p: &PacketRepr, k: &AddrKeys) -> Option<(IpAddr, IpAddr)> {
        let q = p.inner.as_ref()?;
        if q.proto != proto::UDP
            || q.src != p.dst
            || q.dst != p.src
            || !from_below(q.sport, q.dport)
        {
            return None;
        }
        let s = self.services.get(
            &(k.dst, k.src, q.dport),
            service_hash(73, k.md, k.ms, q.dport),
        )?;
        (self.clock - s.flagged_at <= WARM_FOR).then_some((q.src, q.dst))
    }

    /// [`UdpFloods::push_keyed`] of a UDP datagram (or first fragment).
    #[inline(never)]
    fn push_datagram(&mut self, p: &PacketRepr, k: &AddrKeys) -> Option<Flood> {
        if p.ts.is_finite() && p.ts > self.clock {
            self.clock = p.ts;
        }
        let now = self.clock;
        // an answer of a service to a client it counts for, while some count is warm
        if now <= self.warm_until {
            let back = (k.dst, k.src, p.sport);
            if let Some(s) =
                self.services
                    .get_mut(&back, service_hash(73, k.md, k.ms, p.sport), now)
            {
                s.answers.add(now, HALF_LIFE, 1.0, &mut self.decay);
                s.answered = true;
                return None;
            }
        }
        if is_group(p.dst) {
            return None;
        }
        let below = from_below(p.sport, p.dport);
        let (key, hash) = (
            (k.src, k.dst, p.dport),
            service_hash(73, k.ms, k.md, p.dport),
        );
        let s = self.services.touch(key, hash, now).val;
        let (same, new_ports) = if p.payload_len == s.len {
            let new = if p.sport != s.sport { 1.0 } else { 0.0 };
            (
                s.same.add(now, HALF_LIFE, 1.0, &mut self.decay),
                s.new_ports.add(now, HALF_LIFE, new, &mut self.decay),
            )
        } else {
            (
                s.same.value(now, HALF_LIFE, &mut self.decay),
                s.new_ports.value(now, HALF_LIFE, &mut self.decay),
            )
        };
        s.len = p.payload_len;
        s.sport = p.sport;
        if same >= WARM_SHARE * self.threshold {
            self.warm_until = now + WARM_FOR;
        }
        if same < self.threshold {
            return None;
        }
        if below {
            // never answered from the port, and the receiver never asked the sender's port
            if s.answered {
                return None;
            }
            let asked = (k.dst, k.src, p.sport);
            if self
                .services
                .get(&asked, service_hash(73, k.md, k.ms, p.sport))
                .is_some()
            {
                return None;
            }
            if let Some(s) = self.services.get_mut(&key, hash, now) {
                s.flagged_at = now;
            }
            return Some(Flood::FromBelow);
        }
        let answers = s.answers.value(now, HALF_LIFE, &mut self.decay);
        // answered or not: datagrams too big for the link (a first fragment), each from a new
        // port (see "Fragmented floods")
        let fragmented = p.fragment && new_ports >= FRAGMENTED_NEW_PORT_SHARE * same;
        let flood = (answers * ANSWERED_EVERY < same || fragmented)
            && (p.dport < WELL_KNOWN_END || new_ports >= NEW_PORT_SHARE * same);
        flood.then_some(Flood::Client)
    }
}

/// Whether a datagram from `sport` to `dport` comes from below: from a well-known port (below
/// [`WELL_KNOWN_END`]) lower than the one it goes to — an answer's direction by port order.
fn from_below(sport: u16, dport: u16) -> bool {
    sport < WELL_KNOWN_END && sport < dport
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::tests::udp;

    const C: &str = "198.18.0.66";
    const S: &str = "198.18.0.53";

    /// `n` datagrams of `len` bytes from C to S:`dport`, `gap` seconds apart from `t`, from
    /// source port `sport` (0: a new one each, hping3's); when `answer`, S answers each 1 ms
    /// later. How many the rule flagged.
    #[allow(clippy::too_many_arguments)]
    fn flood(
        r: &mut UdpFloods,
        t: f64,
        n: u32,
        gap: f64,
        dport: u16,
        sport: u16,
        len: impl Fn(u32) -> u16,
        answer: bool,
    ) -> usize {
        let mut flagged = 0;
        for i in 0..n {
            let ts = t + f64::from(i) * gap;
            let sp = if sport == 0 {
                2000 + (i % 60000) as u16
            } else {
                sport
            };
            let p = udp(ts, C, S, sp, dport, len(i));
            flagged += usize::from(r.push(&p) == Some(Class::FloodUdp));
            if answer {
                let a = udp(ts + 1e-3, S, C, dport, sp, 60);
                assert_eq!(r.push(&a), None);
            }
        }
        flagged
    }

    #[test]
    fn unanswered_floods_of_a_service_port_are_flagged() {
        // hping3 --udp -p 123 -d 48 -i u1000: a new port each datagram, nothing back
        let mut r = UdpFloods::new(DEFAULT_THRESHOLD);
        let n = flood(&mut r, 1.0, 2000, 1e-3, 123, 0, |_| 48, false);
        assert!(n > 1700, "{n}");
        // 200 a second to DNS from one port (a well-known port: the source port does not matter)
        let mut r = UdpFloods::new(DEFAULT_THRESHOLD);
        let n = flood(&mut r, 1.0, 1000, 5e-3, 53, 40000, |_| 120, false);
        assert!(n > 700, "{n}");
        // hping3 to SSDP's port 1900, a new port each
        let mut r = UdpFloods::new(DEFAULT_THRESHOLD);
        assert!(flood(&mut r, 1.0, 800, 3e-3, 1900, 0, |_| 100, false) > 500);
        // off
        let mut r = UdpFloods::new(0.0);
        assert_eq!(flood(&mut r, 1.0, 2000, 1e-3, 123, 0, |_| 48, false), 0);
    }

    #[test]
    fn answered_varied_slow_or_one_socket_high_port_traffic_is_not() {
        // a DNS query flood every query of which is answered: the networks' and the two-way
        // rule's to judge
        let mut r = UdpFloods::new(DEFAULT_THRESHOLD);
        assert_eq!(flood(&mut r, 1.0, 3000, 1e-3, 53, 40000, |_| 33, true), 0);
        // answered from a new port each (an SNMP walk's GETNEXTs, one socket, are the same)
        let mut r = UdpFloods::new(DEFAULT_THRESHOLD);
        assert_eq!(flood(&mut r, 1.0, 3000, 5e-4, 161, 0, |_| 40, true), 0);
        // a syslog stream: sizes vary
        let mut r = UdpFloods::new(DEFAULT_THRESHOLD);
        assert_eq!(
            flood(
                &mut r,
                1.0,
                3000,
                1e-3,
                514,
                40000,
                |i| (80 + (i * 7) % 50) as u16,
                false
            ),
            0
        );
        // an RTP call's one-way leg at 50 a second, one size
        let mut r = UdpFloods::new(DEFAULT_THRESHOLD);
        assert_eq!(
            flood(&mut r, 1.0, 3000, 0.02, 5004, 30000, |_| 172, false),
            0
        );
        // an MPEG-TS stream, 1,316 bytes at 500 a second, one socket to a high port
        let mut r = UdpFloods::new(DEFAULT_THRESHOLD);
        assert_eq!(
            flood(&mut r, 1.0, 3000, 2e-3, 1234, 30000, |_| 1316, false),
            0
        );
        // a burst of 160 lookups at once from one socket, unanswered but of many sizes, and
        // one of 120 of one size: under the threshold
        let mut r = UdpFloods::new(DEFAULT_THRESHOLD);
        assert_eq!(
            flood(
                &mut r,
                1.0,
                160,
                1e-5,
                53,
                40000,
                |i| 30 + (i % 4) as u16,
                false
            ),
            0
        );
        assert_eq!(flood(&mut r, 9.0, 120, 1e-5, 53, 40001, |_| 33, false), 0);
        // 1,000 a second of one size from the service's port to a client's port that asked it
        // (one query, then the answers): an answer's direction, the client's
        let mut r = UdpFloods::new(DEFAULT_THRESHOLD);
        assert_eq!(r.push(&udp(0.5, C, S, 40000, 53, 60)), None);
        for i in 0..2000 {
            let p = udp(1.0 + f64::from(i) * 1e-3, S, C, 53, 40000, 100);
            assert_eq!(r.push(&p), None);
        }
    }

    /// hping3 `--udp -p 8443 -d 1500 -i u1000` at a port that echoes each datagram: first
    /// fragments from a new port each, answered one for one. Flagged; the same from one socket
    /// (a transfer that outgrows the link) or unfragmented (an SNMP walk from new ports,
    /// above) is not.
    #[test]
    fn fragmented_floods_are_flagged_answered_or_not() {
        let run = |sport: Option<u16>, fragment: bool, answer: bool| {
            let mut r = UdpFloods::new(DEFAULT_THRESHOLD);
            let mut flagged = 0;
            for i in 0..1000u32 {
                let ts = 1.0 + f64::from(i) * 1e-3;
                let sp = sport.unwrap_or(2000 + i as u16);
                let mut p = udp(ts, C, S, sp, 8443, 1500);
                p.fragment = fragment;
                flagged += usize::from(r.push(&p) == Some(Class::FloodUdp));
                let mut later = udp(ts + 1e-5, C, S, 0, 0, 28);
                (later.fragment, later.later_fragment) = (true, true);
                assert_eq!(r.push(&later), None);
                if answer {
                    assert_eq!(r.push(&udp(ts + 5e-4, S, C, 8443, sp, 1500)), None);
                }
            }
            flagged
        };
        let n = run(None, true, true);
        assert!(n > 700, "{n}");
        assert!(run(None, true, false) > 700);
        assert_eq!(run(Some(40000), true, true), 0);
        assert_eq!(run(None, false, true), 0);
        // to a well-known port from one socket, answered: no flood either
        let mut r = UdpFloods::new(DEFAULT_THRESHOLD);
        for i in 0..1000u32 {
            let ts = 1.0 + f64::from(i) * 1e-3;
            let mut p = udp(ts, C, S, 40000, 500, 1500);
            p.fragment = true;
            assert_eq!(r.push(&p), None);
            assert_eq!(r.push(&udp(ts + 5e-4, S, C, 500, 40000, 1500)), None);
        }
    }

    /// `n` datagrams of `len` bytes from C:`sport` to S:`dport`, `gap` seconds apart from `t`
    /// (C the sender, from below when `sport` is the lower); how the rule charged each.
    fn from(
        r: &mut UdpFloods,
        t: f64,
        n: u32,
        gap: f64,
        sport: u16,
        dport: u16,
        len: u16,
    ) -> Vec<Option<Flood>> {
        (0..n)
            .map(|i| {
                let p = udp(t + f64::from(i) * gap, C, S, sport, dport, len);
                r.push_keyed(&p, &AddrKeys::of(&p))
            })
            .collect()
    }

    fn count(v: &[Option<Flood>], f: Flood) -> usize {
        v.iter().filter(|&&x| x == Some(f)).count()
    }

    #[test]
    fn floods_from_below_are_charged_to_their_sender() {
        // nping --udp -p 123 --data-length 48 --rate 300 (its source port 53), to a silent NTP
        // server; to SSDP's port of a host that refuses it (ICMP, no UDP back); hping3 -s 53 -k
        // to SNMP; -s 19 -k to DNS; -s 123 -k to SIP
        for (sport, dport, len, gap) in [
            (53, 123, 76, 1.0 / 300.0),
            (53, 1900, 118, 1.0 / 250.0),
            (53, 161, 108, 2e-3),
            (19, 53, 88, 2.5e-3),
            (123, 5060, 68, 3e-3),
            (53, 11211, 58, 2e-3),
        ] {
            let mut r = UdpFloods::new(DEFAULT_THRESHOLD);
            let v = from(&mut r, 1.0, 900, gap, sport, dport, len);
            let n = count(&v, Flood::FromBelow);
            assert!(n > 600, "{sport}->{dport}: {n}");
            assert_eq!(count(&v, Flood::Client), 0);
            assert_eq!(v.iter().position(Option::is_some), Some(v.len() - n));
        }
        // the class, through push
        let mut r = UdpFloods::new(DEFAULT_THRESHOLD);
        let p = |i: u32| udp(1.0 + f64::from(i) * 1e-3, C, S, 53, 123, 76);
        let n = (0..1000)
            .filter(|&i| r.push(&p(i)) == Some(Class::FloodUdp))
            .count();
        assert!(n > 800, "{n}");
        // from 1900 to 123: the sender is the client end by port order already
        let mut r = UdpFloods::new(DEFAULT_THRESHOLD);
        let v = from(&mut r, 1.0, 1000, 2.5e-3, 1900, 123, 76);
        assert!(count(&v, Flood::Client) > 800);
        assert_eq!(count(&v, Flood::FromBelow), 0);
        // slower than the threshold: nothing
        let mut r = UdpFloods::new(DEFAULT_THRESHOLD);
        let v = from(&mut r, 1.0, 600, 0.02, 53, 123, 76);
        assert!(v.iter().all(Option::is_none));
    }

    #[test]
    fn answers_to_who_asked_and_floods_answered_are_not_floods_from_below() {
        // a resolver's answers, one size, 1,000 a second, to a client that asks each time
        // (query first), from one socket and from a new port each
        for fixed in [true, false] {
            let mut r = UdpFloods::new(DEFAULT_THRESHOLD);
            for i in 0..3000u32 {
                let ts = 1.0 + f64::from(i) * 1e-3;
                let cp = if fixed { 40000 } else { 20000 + i as u16 };
                assert_eq!(r.push(&udp(ts, S, C, cp, 53, 60)), None);
                let a = udp(ts + 2e-4, C, S, 53, cp, 120);
                assert_eq!(r.push_keyed(&a, &AddrKeys::of(&a)), None, "{i}");
            }
        }
        // the capture began after the client's first query: answers first, each then followed
        // by the next query (a client asking as fast as it is answered)
        let mut r = UdpFloods::new(DEFAULT_THRESHOLD);
        for i in 0..3000u32 {
            let ts = 1.0 + f64::from(i) * 1e-3;
            let a = udp(ts, C, S, 53, 40000, 120);
            assert_eq!(r.push_keyed(&a, &AddrKeys::of(&a)), None, "{i}");
            assert_eq!(r.push(&udp(ts + 2e-4, S, C, 40000, 53, 60)), None);
        }
        // a download from a QUIC server's port 443 seen from its middle (no client Initial in
        // the capture), 1,200-byte datagrams at 2,000 a second, the client acknowledging one
        // in ten
        let mut r = UdpFloods::new(DEFAULT_THRESHOLD);
        for i in 0..6000u32 {
            let ts = 1.0 + f64::from(i) * 5e-4;
            let d = udp(ts, C, S, 443, 50000, 1228);
            assert_eq!(r.push_keyed(&d, &AddrKeys::of(&d)), None, "{i}");
            if i % 10 == 9 {
                assert_eq!(r.push(&udp(ts + 1e-4, S, C, 50000, 443, 60)), None);
            }
        }
        // an NTP server that answers one datagram in twenty of a flood from port 53 (rate
        // limited): answered, left to the networks
        let mut r = UdpFloods::new(DEFAULT_THRESHOLD);
        for i in 0..2000u32 {
            let ts = 1.0 + f64::from(i) * 1e-3;
            let d = udp(ts, C, S, 53, 123, 76);
            let got = r.push_keyed(&d, &AddrKeys::of(&d));
            if i > 100 {
                assert_eq!(got, None, "{i}");
            }
            if i % 20 == 0 {
                assert_eq!(r.push(&udp(ts + 1e-4, S, C, 123, 53, 76)), None);
            }
        }
        // SSDP devices answering a control point's multicast M-SEARCH from 1900 to its port: a
        // few answers each, far below the threshold
        let mut r = UdpFloods::new(DEFAULT_THRESHOLD);
        assert_eq!(
            r.push(&udp(1.0, S, "239.255.255.250", 50000, 1900, 150)),
            None
        );
        for i in 0..30u32 {
            let d = udp(1.01 + f64::from(i) * 1e-3, C, S, 1900, 50000, 350);
            assert_eq!(r.push_keyed(&d, &AddrKeys::of(&d)), None);
        }
        // datagrams from below to a group: never
        let mut r = UdpFloods::new(DEFAULT_THRESHOLD);
        for i in 0..2000u32 {
            let d = udp(
                1.0 + f64::from(i) * 1e-3,
                C,
                "239.255.255.250",
                123,
                1900,
                200,
            );
            assert_eq!(r.push_keyed(&d, &AddrKeys::of(&d)), None);
        }
    }

    #[test]
    fn a_victims_refusals_of_a_flood_from_below_are_its_senders() {
        use crate::features::tests::icmp_unreach;
        let mut r = UdpFloods::new(DEFAULT_THRESHOLD);
        let mut last = None;
        for i in 0..1000u32 {
            let d = udp(1.0 + f64::from(i) * 2e-3, C, S, 7, 5060, 68);
            r.push(&d);
            last = Some(d);
        }
        let d = last.unwrap();
        let e = icmp_unreach(3.0, S, C, &d);
        let (c, s) = (d.src, d.dst);
        assert_eq!(r.error_about_flood(&e, &AddrKeys::of(&e)), Some((c, s)));
        // long after the flood's last flagged datagram: not
        let late = icmp_unreach(9.0, S, C, &d);
        r.push(&udp(9.0, "198.18.0.9", "198.18.0.8", 5000, 6000, 60));
        assert_eq!(r.error_about_flood(&late, &AddrKeys::of(&late)), None);
        // about a datagram that was no flood's (another port), or from above: not
        let mut r = UdpFloods::new(DEFAULT_THRESHOLD);
        for i in 0..1000u32 {
            r.push(&udp(1.0 + f64::from(i) * 2e-3, C, S, 7, 5060, 68));
        }
        for q in [udp(3.0, C, S, 7, 5061, 68), udp(3.0, C, S, 6000, 5060, 68)] {
            let e = icmp_unreach(3.0, S, C, &q);
            assert_eq!(r.error_about_flood(&e, &AddrKeys::of(&e)), None);
        }
        // the rule off
        let r = UdpFloods::new(0.0);
        assert_eq!(r.error_about_flood(&e, &AddrKeys::of(&e)), None);
    }

    #[test]
    fn a_flood_a_service_answers_only_now_and_then_is_a_flood() {
        // one answer in ten (a rate-limited service)
        let mut r = UdpFloods::new(DEFAULT_THRESHOLD);
        let mut flagged = 0;
        for i in 0..2000u32 {
            let ts = 1.0 + f64::from(i) * 1e-3;
            let sp = 2000 + i as u16;
            flagged += usize::from(r.push(&udp(ts, C, S, sp, 123, 48)).is_some());
            if i % 10 == 0 {
                assert_eq!(r.push(&udp(ts + 1e-4, S, C, 123, sp, 48)), None);
            }
        }
        assert!(flagged > 1700, "{flagged}");
    }
}
