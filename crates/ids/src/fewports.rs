//! The few-port UDP scan rule: small datagrams from one source to several service ports of one
//! host within seconds, each refused or unanswered and none asked again.
//!
//! Real attackers scan a handful of UDP services far more often than thousands of ports:
//! `nmap -sU --top-ports 10` or `20`, `nmap -sU -p 53,123,161,500`, hping3 `--udp` or nping
//! `--udp` on a few ports, of one host or a few. Such a scan is a few tens of packets, its
//! probes and the refusals they draw; the networks flag some of them but an episode needs
//! [`crate::detect::DetectSettings::min_packets`] (15) flagged packets to be alerted, and a
//! scan of the silent ports of a host that drops UDP (no refusals at all) gives them half that
//! (session 26, `lab/fewudp.sh`: five of seven such scans unalerted). The slow-scan rule
//! ([`crate::slowscan`]) needs 15 failed ports, and takes no UDP silence for a failure.
//!
//! **What a scan does that a client does not.** A client asks a service it knows, on one or two
//! ports of a host, and mostly gets answers; where it gets none it asks again (a resolver's
//! retry, a poller's next round, a DTLS or QUIC handshake's back-off, a stream's next
//! datagram). A scanner sends its probes to several distinct service ports of one host within
//! seconds, empty or with a protocol's first question (nmap's payloads: 0 to 244 bytes, DNS,
//! NTP, SNMP, NetBIOS, IKE), and takes an ICMP port unreachable or silence as the port's state:
//! nmap sends a silent port one more try about a second later (from a new source port) and
//! moves on; hping3 and nping send each port once.
//!
//! **The rule.** Per (source, host) *pair*, from the source's first probe of the host, for
//! [`WINDOW`] seconds: a *probe* is a UDP datagram of at most [`MAX_PAYLOAD`] bytes of payload
//! (not a fragment) to a unicast address (not multicast, not a broadcast: neither
//! 255.255.255.255 nor an IPv4 address ending in .255 or .0) and a service port, below
//! [`EPHEMERAL`] (not 0, and not traceroute's 33434 and up, nor the ephemeral ports peers and
//! media streams use). A datagram that answers the other way (from a port the receiver probed
//! on its sender within the window: a server's reply to a client, whatever the client's port)
//! is no probe. Datagrams that are no probes (larger, or fragmented: a first fragment)
//! from a port below [`EPHEMERAL`] are remembered as ports of the pair that never fail, so
//! that their answers are known for answers (`data/captures/fragfloods.pcap`: servers'
//! 319-byte answers from 443 and 1443 to the ports 1368 and up of hping3's fragmented
//! datagrams of 1,500 and 3,000 bytes). A port of the pair is
//! * *answered* when the host sends a UDP datagram from it back to the source;
//! * *refused* when an ICMP or ICMPv6 destination unreachable quotes a probe of it (from the
//!   host or a router: a port unreachable, a filter's administratively prohibited);
//! * *asked again* when the source sends it a datagram [`ASK_AGAIN`] seconds or more after its
//!   first probe, or one larger than a probe (a conversation, a poller's next round).
//!
//! [`ANSWER_WAIT`] seconds after the window (answers to its last probes are in; a probe of the
//! host past the window judges the pair at once and begins the next), a pair is a scan when
//! * at least [`MIN_PORTS`] of the ports probed in the window were neither answered nor asked
//!   again (refused, or silent) — unless they were all silent and asked the same non-empty
//!   question (one size of datagram: an application's client pinging the ports of one of its
//!   servers that is down, nDPI's `tests/pcap/steam.pcap`, 36 bytes to each of 27017–27019 of a
//!   server that never answers; a scanner's probes are empty, hping3's, nping's and nmap's where
//!   it has no payload, or each in its port's protocol), or
//! * at least [`MIN_PORTS`] well-known ports (below [`WELL_KNOWN`]), not asked again, were
//!   probed from the source port of the pair's first probe with at least [`MIN_PORTS`]
//!   distinct sizes, answered or not: a scanner's round (nmap sends a round from one port, in
//!   each port's protocol; nping from one port), where a client asks each service from a
//!   socket of its own, and an application's client asks its servers in one protocol (the
//!   Steam client: one socket, one size, ports 27017–27019).
//!
//! Such a pair makes one [`Finding`] of the slow-scan kind, [`Trigger::FewPorts`], class
//! `scan-udp`, *fast* ([`Finding::fast`]: the detector drops it when the networks alerted its
//! source over the scan, reports it otherwise). A source's pairs begun while its found scan
//! went on (the other hosts of `nmap -sU -p 53,123 .10-.13`) make no second finding; a slow
//! scan (a port every 4 s) makes one per window, each with the first probe of its *chain*
//! ([`Finding::episode`]): a pair begun at most [`WINDOW`] after the last probe of the pair of
//! the same source and host judged before it goes on with that one's chain, so that the
//! detector reports one alert for the scan ([`crate::detect`], "Slow attacks' rounds").
//!
//! **What it gives away and what it keeps.** The smallest scan found is three ports of one
//! host that were refused or silent within ten seconds (nmap's `-p 443,4433,4434`); a scan of
//! one or two ports (`nmap -sU -sV -p 161`, `-p 53,123`) is not, nor one slower than three
//! ports in ten seconds (`-T1`: the slow-scan rule's, at 15 ports), nor one whose probes are
//! all answered (every port open) unless its round speaks three protocols from one port, nor a
//! scan that asks each port again 3 s or more after its first probe (`nping --udp -c 2` of
//! three ports, a second a probe, is taken for a client asking again). A client that sends one small datagram each to three or more
//! service ports of one host that neither answers nor refuses nor is asked again within ten
//! seconds would be taken for a scanner (but not a device sending a syslog message, an SNMP
//! trap and a flow export at once to a collector: the one-way reports' ports, [`ONE_WAY`], are
//! no probes). Full-size datagrams (a QUIC
//! client's Initials to 443, 4433 and 4434, [`crate::handshakes`]) are no probes; nor are
//! broadcasts (NetBIOS and LAN discovery to a subnet's .255).
//!
//! **Reflected answers are no probes** (session 27, `lab/amplify.sh`). A reflected flood's
//! answers come from a reflection service's port ([`crate::reflection::SERVICE_PORTS`]) to a
//! new port of the victim each, and the victim refuses them: at its own link every reflector
//! sent a few "probes" of 250 to 512 bytes (NetBIOS, portmap, chargen, SSDP, NTP answers) to
//! closed ports below 32768, and sixty reflectors each made a few-port scan of the victim
//! beside the flood's own alert. A datagram shaped like such an answer
//! ([`crate::reflection::answer_shape`]: from one of those ports to another, at least 100
//! bytes) is no probe; its port is one that never fails, as a larger datagram's. What it gives
//! away: a scan sent from one of those ports (`nmap -g 53`) whose every probe carries 100
//! bytes or more (nmap's payloads are mostly smaller, hping3's and nping's empty).
//!
//! **Bounded memory.** At most [`MAX_PAIRS`] pairs, each with [`SLOTS`] ports (a pair's probes
//! of more ports are counted, not judged); pairs are kept in order of their first probe and
//! leave the table when their window is judged, or, when the table is full, the oldest
//! unjudged (a flood of spoofed one-datagram sources churns the table, and may push a scanner
//! out before its window is judged). Sources with a recent finding: at most [`MAX_PAIRS`] too.
//!
//! Sans-IO: feed every decoded packet in capture order ([`FewPorts::push`]), let time pass on a
//! live source ([`FewPorts::tick`]), close it at the end ([`FewPorts::finish`]).

use crate::class::Class;
use crate::slowscan::{Finding, Trigger};
use nightjar_packet::PacketRepr;
use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};
use std::net::IpAddr;

/// A word-at-a-time multiplicative hasher (FxHash's): the tables' keys are addresses, which
/// no outsider chooses freely enough to matter at [`MAX_PAIRS`] entries, and SipHash's
/// rounds were most of the rule's cost.
#[derive(Default)]
struct Fx(u64);

impl Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for c in bytes.chunks(8) {
            let mut w = [0u8; 8];
            w[..c.len()].copy_from_slice(c);
            self.write_u64(u64::from_le_bytes(w));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.write_u64(u64::from(i));
    }
    fn write_u32(&mut self, i: u32) {
        self.write_u64(u64::from(i));
    }
    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64);
    }
}

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;

/// Seconds from a pair's first probe in which its ports are counted: a scan of a few ports at
/// nmap's `-T2` (a probe every 0.4 s) or hping3's and nping's one a second probes three ports
/// well within it.
pub const WINDOW: f64 = 10.0;
/// Seconds after the window before a pair is judged: the answers to its last probes (a round
/// trip, and nmap's second try of a silent port about a second after the first).
pub const ANSWER_WAIT: f64 = 2.0;
/// Distinct ports of one host, refused or silent, that make a scan.
pub const MIN_PORTS: usize = 3;
/// Largest UDP payload of a probe, bytes: the classic DNS message limit (RFC 1035); nmap's
/// payloads are 0 to 244 bytes, a QUIC client's Initials 1,200 or more.
pub const MAX_PAYLOAD: u32 = 512;
/// Destination ports from this one up are no service ports: the ephemeral ports (Linux's range
/// begins at 32768) that peers, media streams and traceroute (33434 and up) use.
pub const EPHEMERAL: u16 = 32768;
/// Ports of one-way reports, which no collector answers: syslog (514), SNMP traps (162),
/// NetFlow (2055, 9995, 9996), IPFIX (4739), sFlow (6343) and statsd (8125). A router sends a
/// collector several of them at once (a log line, a trap and a flow export when a link goes
/// down), silent by design; datagrams to them are no probes (a scan of the top 20 UDP ports
/// keeps 18 others).
pub const ONE_WAY: [u16; 8] = [162, 514, 2055, 4739, 6343, 8125, 9995, 9996];
/// Seconds after a port's first probe from which a datagram to it again is asking again: a
/// scanner's second try comes about a second after its first (nmap), a poller's next round or
/// a handshake's back-off later.
pub const ASK_AGAIN: f64 = 3.0;
/// Ports below this one are well-known services (RFC 6335's system ports): the ports of a
/// round of probes from one source port that count although answered.
pub const WELL_KNOWN: u16 = 1024;
/// Ports tracked per pair.
pub const SLOTS: usize = 8;
/// Pairs tracked at most (and sources with a recent finding).
pub const MAX_PAIRS: usize = 16384;

#[derive(Clone, Copy, Debug, Default)]
struct Port {
    port: u16,
    /// The source port and payload bytes of its first probe.
    sport: u16,
    size: u16,
    probes: u16,
    /// Its first and latest probe, seconds after the pair's first.
    first: f32,
    last: f32,
    answered: bool,
    refused: bool,
    again: bool,
}

#[derive(Clone, Debug)]
struct Pair {
    first: f64,
    /// The first probe of the scan this pair goes on with: of the pair before it, when this
    /// one's first probe came at most [`WINDOW`] after that one's last ([`Finding::episode`]).
    chain: f64,
    ports: [Port; SLOTS],
    n: u8,
    /// Probes of ports past the slots.
    more: u32,
}

impl Port {
    /// Port `p.dport` as probe (or datagram) `p` first shows it, `since` seconds after the
    /// pair's first probe; `again`: it never fails (a datagram that is no probe).
    fn first(p: &PacketRepr, since: f32, again: bool) -> Port {
        Port {
            port: p.dport,
            sport: p.sport,
            size: p.payload_len as u16,
            probes: 1,
            first: since,
            last: since,
            again,
            ..Port::default()
        }
    }
}

impl Pair {
    fn slot(&mut self, port: u16) -> Option<&mut Port> {
        self.ports[..usize::from(self.n)]
            .iter_mut()
            .find(|s| s.port == port)
    }
}

/// Counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FewPortsStats {
    /// Pairs judged.
    pub pairs: u64,
    /// Pairs pushed out of a full table before they were judged.
    pub evicted: u64,
    /// Findings made.
    pub findings: u64,
    /// Pairs that made the numbers but whose source had a finding within a window before.
    pub repeated: u64,
}

/// The rule's state (module documentation).
#[derive(Debug, Default)]
pub struct FewPorts {
    pairs: FxMap<(IpAddr, IpAddr), Pair>,
    order: VecDeque<(f64, (IpAddr, IpAddr))>,
    /// Sources with a finding: its pair's last probe.
    found: FxMap<IpAddr, f64>,
    /// Pairs judged: their chain's first probe and their last probe (at most [`MAX_PAIRS`]).
    chains: FxMap<(IpAddr, IpAddr), (f64, f64)>,
    clock: f64,
    /// [`MIN_PORTS`] unless set; 0: off.
    min_ports: usize,
    stats: FewPortsStats,
}

/// Whether `ip` is an address a probe may go to: unicast, not a broadcast (IPv4's limited
/// broadcast, or an address ending in .255 or .0: a subnet's, whatever its length).
fn unicast(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(a) => {
            let last = a.octets()[3];
            !(a.is_multicast()
                || a.is_broadcast()
                || a.is_unspecified()
                || last == 255
                || last == 0)
        }
        IpAddr::V6(a) => !(a.is_multicast() || a.is_unspecified()),
    }
}

impl FewPorts {
    /// An empty rule that finds `min_ports` refused or silent ports of one host a scan
    /// ([`MIN_PORTS`] by default; 0: off).
    pub fn new(min_ports: usize) -> FewPorts {
        FewPorts {
            clock: f64::NEG_INFINITY,
            min_ports,
            ..FewPorts::default()
        }
    }

    /// The counters.
    pub fn stats(&self) -> FewPortsStats {
        self.stats
    }

    /// Feed one decoded packet (capture order); findings go to `sink`.
    ///
    /// (Inlined into the detector's loop: most packets only move the clock, and judge no pair
    /// — the oldest pair's window and wait have not ended — and are neither UDP nor ICMP.)
    #[inline]
    pub fn push(&mut self, p: &PacketRepr, sink: &mut dyn FnMut(Finding)) {
        if self.min_ports == 0 {
            return;
        }
        if p.ts.is_finite() && p.ts > self.clock {
            self.clock = p.ts;
            if self.due(p.ts) {
                self.advance(p.ts, sink);
            }
        }
        if matches!(p.proto, 17 | 1 | 58) {
            self.push_counted(p, sink);
        }
    }

    /// Whether the oldest pair's window and wait have ended by `now`: [`FewPorts::advance`]
    /// has a pair to judge (or a pair's stale place in the order, judged early, to drop).
    #[inline]
    fn due(&self, now: f64) -> bool {
        self.order
            .front()
            .is_some_and(|&(first, _)| first + WINDOW + ANSWER_WAIT <= now)
    }

    /// [`FewPorts::push`] of a UDP datagram or an ICMP message, the clock moved.
    fn push_counted(&mut self, p: &PacketRepr, sink: &mut dyn FnMut(Finding)) {
        if p.fragment && (p.frag_offset() != 0 || p.proto != 17) {
            return; // ports and sizes are not there (a first fragment: a datagram, no probe)
        }
        match p.proto {
            17 => self.datagram(p, sink),
            1 | 58 => {
                if !nightjar_packet::proto::icmp_unreachable(p.proto, p.icmp_type) {
                    return;
                }
                if let Some(q) = p.inner.filter(|q| q.proto == 17) {
                    if let Some(s) = self
                        .pairs
                        .get_mut(&(q.src, q.dst))
                        .and_then(|e| e.slot(q.dport))
                    {
                        s.refused = true;
                    }
                }
            }
            _ => {}
        }
    }

    fn datagram(&mut self, p: &PacketRepr, sink: &mut dyn FnMut(Finding)) {
        // an answer: from a port its receiver probed on its sender
        if let Some(s) = self
            .pairs
            .get_mut(&(p.dst, p.src))
            .and_then(|e| e.slot(p.sport))
        {
            s.answered = true;
            return;
        }
        let now = self.clock;
        let probe = !p.fragment
            && p.payload_len <= MAX_PAYLOAD
            && !crate::reflection::answer_shape(p)
            && p.dport != 0
            && p.dport < EPHEMERAL
            && !ONE_WAY.contains(&p.dport)
            && unicast(p.dst)
            && !p.src.is_unspecified();
        // whether it begins a pair when it meets none (or a pair past its window): a probe,
        // or a request that is no probe, from a port its answers could be taken for probes to
        // (below the ephemeral ones: hping3's), remembered so that they are known for answers
        let begins = (probe || (p.sport < EPHEMERAL && unicast(p.dst))) && now.is_finite();
        let key = (p.src, p.dst);
        if let Some(e) = self.pairs.get_mut(&key) {
            let since = now - e.first;
            if since >= WINDOW {
                // past the window, while its last answers are awaited: the pair is judged
                // now, and this datagram begins the source's next pair with the host
                if let Some(e) = self.pairs.remove(&key) {
                    self.judge(key, &e, now, sink);
                }
                if begins {
                    self.begin(key, p, now, !probe);
                }
                return;
            }
            if let Some(s) = e.slot(p.dport) {
                s.probes = s.probes.saturating_add(1);
                s.last = since as f32;
                if !probe || since - f64::from(s.first) >= ASK_AGAIN {
                    s.again = true;
                }
            } else if probe || p.sport < EPHEMERAL {
                if usize::from(e.n) < SLOTS {
                    e.ports[usize::from(e.n)] = Port::first(p, since as f32, !probe);
                    e.n += 1;
                } else {
                    e.more += 1;
                }
            }
            return;
        }
        if begins {
            self.begin(key, p, now, !probe);
        }
    }

    /// A new pair `key`, begun by probe `p` at `now` (`again`: by a datagram that is no
    /// probe, its port one that never fails).
    fn begin(&mut self, key: (IpAddr, IpAddr), p: &PacketRepr, now: f64, again: bool) {
        if self.pairs.len() >= MAX_PAIRS {
            while let Some((first, old)) = self.order.pop_front() {
                if self.pairs.get(&old).is_some_and(|e| e.first == first) {
                    self.pairs.remove(&old);
                    self.stats.evicted += 1;
                    break;
                }
            }
        }
        let chain = match self.chains.get(&key) {
            Some(&(chain, last)) if now - last <= WINDOW => chain,
            _ => now,
        };
        let mut e = Pair {
            first: now,
            chain,
            ports: [Port::default(); SLOTS],
            n: 1,
            more: 0,
        };
        e.ports[0] = Port::first(p, 0.0, again);
        self.pairs.insert(key, e);
        self.order.push_back((now, key));
    }

    /// Judge every pair whose window and wait ended by `now`.
    #[inline(never)]
    fn advance(&mut self, now: f64, sink: &mut dyn FnMut(Finding)) {
        self.clock = now;
        while let Some(&(first, key)) = self.order.front() {
            if first + WINDOW + ANSWER_WAIT > now {
                break;
            }
            self.order.pop_front();
            // (unless the pair was judged early and the key begun again)
            if self.pairs.get(&key).is_some_and(|e| e.first == first) {
                if let Some(e) = self.pairs.remove(&key) {
                    // (when it was due: at the end of a capture, later than its last packet)
                    self.judge(key, &e, first + WINDOW + ANSWER_WAIT, sink);
                }
            }
        }
    }

    fn judge(
        &mut self,
        (src, dst): (IpAddr, IpAddr),
        e: &Pair,
        now: f64,
        sink: &mut dyn FnMut(Finding),
    ) {
        self.stats.pairs += 1;
        let ports = &e.ports[..usize::from(e.n)];
        if self.chains.len() >= MAX_PAIRS {
            self.chains.retain(|_, &mut (_, last)| now - last <= WINDOW);
            if self.chains.len() >= MAX_PAIRS {
                self.chains.clear();
            }
        }
        let probed = e.first + f64::from(ports.iter().fold(0f32, |m, s| m.max(s.last)));
        self.chains.insert((src, dst), (e.chain, probed));
        // refused or silent; or (answered or not) a well-known port probed from the source
        // port of the pair's first probe, as a scanner's round of probes is (nmap, nping),
        // each in its port's protocol (sizes differ), where a client asks each service from
        // a socket of its own, and an application's client asks its servers' ports in one
        // protocol (nDPI's steam.pcap: 36-byte pings from one socket to 27017-27019)
        let one = ports[0].sport;
        let failed = |s: &&Port| !s.answered && !s.again;
        let round = |s: &&Port| !s.again && s.sport == one && s.port < WELL_KNOWN;
        let mut sizes = [u16::MAX; SLOTS + 1]; // (a sentinel past the sizes: distinct ones counted)
        for (i, s) in ports.iter().filter(round).enumerate() {
            sizes[i] = s.size;
        }
        sizes.sort_unstable();
        let spoken = sizes.windows(2).filter(|w| w[0] != w[1]).count();
        // silent ports that were all asked the same non-empty question (an application's
        // client pinging the ports of one of its servers that is down or gone, nDPI's
        // steam.pcap: 36 bytes to each of 27017-27019, nothing back) are its client's; a
        // scanner's probes are empty (hping3, nping, nmap where it has no payload) or each in
        // its port's protocol, and a refusal is a refusal whatever was asked
        let mut failing = ports.iter().filter(failed);
        let size = failing.next().map(|s| s.size);
        let alike = size.is_some_and(|z| z > 0 && failing.all(|s| s.size == z));
        let refused = ports.iter().filter(|s| failed(s) && s.refused).count();
        let n = ports.iter().filter(failed).count();
        let failed = |s: &&Port| failed(s) && (!alike || refused >= self.min_ports);
        if (n < self.min_ports || (alike && refused < self.min_ports)) && spoken < self.min_ports {
            return;
        }
        let round = |s: &&Port| round(s) && spoken >= self.min_ports;
        let targets = ports.iter().filter(|s| failed(s) || round(s));
        let n = targets.clone().count();
        let last = e.first + f64::from(targets.clone().fold(0f32, |m, s| m.max(s.last)));
        // (the other hosts of one scan: pairs begun while the source's found scan went on)
        if self
            .found
            .get(&src)
            .is_some_and(|&last| e.first <= last + ANSWER_WAIT)
        {
            self.stats.repeated += 1;
            self.found.insert(src, last);
            return;
        }
        if self.found.len() >= MAX_PAIRS {
            let horizon = now - 2.0 * WINDOW;
            self.found.retain(|_, end| *end >= horizon);
            if self.found.len() >= MAX_PAIRS {
                self.found.clear();
            }
        }
        self.found.insert(src, last);
        self.stats.findings += 1;
        sink(Finding {
            scanner: src,
            victim: dst,
            class: Class::ScanUdp,
            proto: 17,
            trigger: Trigger::FewPorts,
            first_seen: e.first,
            last_seen: last,
            detected_at: now,
            probes: targets.map(|s| u64::from(s.probes)).sum(),
            targets: n as u64,
            hosts: 1,
            victim_ports: n as u64,
            answered: ports.iter().filter(|s| s.answered).count() as u64,
            fast: true,
            episode: e.chain,
            later: false,
        });
    }

    /// Let time pass without packets (a live source): windows that ended are judged.
    pub fn tick(&mut self, now: f64, sink: &mut dyn FnMut(Finding)) {
        if now.is_finite() && now > self.clock {
            self.advance(now, sink);
        }
    }

    /// The end of a capture: every pair is judged on what it showed.
    pub fn finish(&mut self, sink: &mut dyn FnMut(Finding)) {
        if self.clock.is_finite() {
            self.advance(self.clock + WINDOW + ANSWER_WAIT, sink);
        }
    }

    /// Bytes of memory held, roughly.
    pub fn memory_bytes(&self) -> usize {
        self.pairs.capacity() * (std::mem::size_of::<Pair>() + 40)
            + self.order.capacity() * std::mem::size_of::<(f64, (IpAddr, IpAddr))>()
            + self.found.capacity() * 32
            + self.chains.capacity() * 56
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::tests::{icmp_unreach, udp};

    const A: &str = "198.18.1.66";
    const V: &str = "198.18.0.10";
    const W: &str = "198.18.0.11";
    const C: &str = "198.18.1.20";
    const T0: f64 = 1_796_000_000.0;

    /// Feed `pkts` (sorted by time here) and finish; every finding.
    fn run(pkts: &[PacketRepr]) -> (Vec<Finding>, FewPortsStats) {
        let mut v = pkts.to_vec();
        v.sort_by(|a, b| a.ts.total_cmp(&b.ts));
        let mut r = FewPorts::new(MIN_PORTS);
        let mut out = Vec::new();
        for p in &v {
            r.push(p, &mut |f| out.push(f));
        }
        r.finish(&mut |f| out.push(f));
        (out, r.stats())
    }

    /// nmap `-sU` of `ports` of `host` from source port `sp`: a round of probes (datagrams of
    /// `len` bytes, 4 more for each port after the first: each port's protocol) within a
    /// millisecond, answered per `answer` (Some(true): a datagram back,
    /// Some(false): ICMP port unreachable, None: silence), and a second try from `sp + 2`
    /// 1.1 s later of the ports that were not refused or answered.
    fn nmap(
        t: f64,
        host: &str,
        sp: u16,
        ports: &[(u16, Option<bool>)],
        len: u16,
    ) -> Vec<PacketRepr> {
        let mut v = Vec::new();
        for (k, &(port, answer)) in ports.iter().enumerate() {
            let t = t + k as f64 * 1e-5;
            let p = udp(t, A, host, sp, port, len + 4 * k as u16);
            v.push(p);
            match answer {
                Some(true) => v.push(udp(t + 0.001, host, A, port, sp, 76)),
                Some(false) => v.push(icmp_unreach(t + 0.001, host, A, &p)),
                None => v.push(PacketRepr {
                    ts: t + 1.1,
                    sport: sp + 2,
                    ..p
                }),
            }
        }
        v
    }

    #[test]
    fn a_slow_scans_windows_are_one_chain_and_a_scan_after_a_pause_another() {
        // nmap -sU --scan-delay 4s of ten ports of one host, each refused: a finding per
        // window of three ports, all of one chain (its first probe); the same scan again 30 s
        // after its last probe (more than a window) begins a chain of its own
        let scan = |t: f64, sp: u16| -> Vec<PacketRepr> {
            (0..10u16)
                .flat_map(|k| {
                    let p = udp(t + 4.0 * f64::from(k), A, V, sp, 100 + k, 0);
                    [p, icmp_unreach(p.ts + 0.001, V, A, &p)]
                })
                .collect()
        };
        let mut pk = scan(T0, 40000);
        pk.extend(scan(T0 + 36.0 + 30.0, 41000));
        let (f, _) = run(&pk);
        assert_eq!(f.len(), 6, "{f:?}");
        for g in &f[..3] {
            assert_eq!(g.episode, T0, "{g:?}");
        }
        for g in &f[3..] {
            assert_eq!(g.episode, T0 + 66.0, "{g:?}");
        }
        // the first window's first probe, the second's the probe past it
        assert_eq!((f[0].first_seen, f[1].first_seen), (T0, T0 + 12.0));
        // a scan of another host in between is a chain of its own (another pair)
        let mut pk = scan(T0, 40000);
        pk.push(udp(T0 + 5.0, A, W, 40000, 53, 0));
        let (f, _) = run(&pk);
        assert!(
            f.iter()
                .all(|g| g.episode == T0 && g.victim.to_string() == V),
            "{f:?}"
        );
    }

    #[test]
    fn nmap_scans_of_a_few_ports_refused_or_silent_are_found() {
        // --top-ports 10 of a host with three open ports, the rest refused
        let ports: Vec<(u16, Option<bool>)> = [53, 67, 123, 135, 137, 138, 161, 445, 631, 1434]
            .iter()
            .map(|&p| {
                (
                    p,
                    if matches!(p, 53 | 123 | 161) {
                        Some(true)
                    } else {
                        Some(false)
                    },
                )
            })
            .collect();
        let (f, _) = run(&nmap(T0, V, 37260, &ports, 40));
        assert_eq!(f.len(), 1, "{f:?}");
        let f = f[0];
        let kind = (Class::ScanUdp, Trigger::FewPorts, 17, true);
        assert_eq!((f.class, f.trigger, f.proto, f.fast), kind);
        assert_eq!(
            (f.targets, f.answered, f.hosts),
            (SLOTS as u64, 3, 1),
            "a round from one source port, its first ports"
        );
        assert_eq!(
            (f.scanner, f.victim),
            (A.parse().unwrap(), V.parse().unwrap())
        );
        assert!(
            (f.detected_at - (T0 + WINDOW + ANSWER_WAIT)).abs() < 1e-6,
            "{f:?}"
        );
        // three silent ports of a host that drops UDP (-p 443,4433,4434): two tries each
        let silent = [(443, None), (4433, None), (4434, None)];
        let (f, _) = run(&nmap(T0, W, 52886, &silent, 67));
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!((f[0].targets, f[0].probes), (3, 6));
        // two silent ports: too few
        assert!(run(&nmap(T0, W, 52886, &silent[..2], 67)).0.is_empty());
    }

    #[test]
    fn any_packet_judges_the_pairs_whose_window_and_wait_ended_and_no_earlier_one() {
        // a scan of three silent ports, then only TCP segments of another conversation: the
        // pair is judged by the first segment at or past its window and wait, not before
        let silent = [(443, None), (4433, None), (4434, None)];
        let mut r = FewPorts::new(MIN_PORTS);
        let mut out = Vec::new();
        for p in &nmap(T0, W, 52886, &silent, 67) {
            r.push(p, &mut |f| out.push(f));
        }
        let due = T0 + WINDOW + ANSWER_WAIT;
        for (k, t) in [T0 + 2.0, T0 + 5.0, due - 1e-3].into_iter().enumerate() {
            let seg = crate::features::tests::tcp(t, C, V, 40000 + k as u16, 80, 0x10);
            r.push(&seg, &mut |f| out.push(f));
            assert!(out.is_empty(), "judged early, at {t}: {out:?}");
        }
        let seg = crate::features::tests::tcp(due + 0.5, C, V, 40010, 80, 0x10);
        r.push(&seg, &mut |f| out.push(f));
        assert_eq!(out.len(), 1, "{out:?}");
        assert!((out[0].detected_at - due).abs() < 1e-6, "{:?}", out[0]);
        assert_eq!(r.stats().pairs, 1);
        // nothing left to judge at the end
        r.finish(&mut |f| out.push(f));
        assert_eq!((out.len(), r.stats().pairs), (1, 1));
    }

    #[test]
    fn a_round_of_probes_from_one_source_port_is_a_scan_even_when_every_port_answers() {
        // nmap -sU -p 53,123,161,500 of a host running all four
        let open = [
            (53, Some(true)),
            (123, Some(true)),
            (161, Some(true)),
            (500, Some(true)),
        ];
        let (f, _) = run(&nmap(T0, V, 52162, &open, 40));
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!((f[0].targets, f[0].answered), (4, 4));
        // the same probes all of one size (an application's pings of its servers' ports from
        // one socket, nDPI's steam.pcap), or to ports above the well-known ones: no scan
        let v: Vec<_> = nmap(T0, V, 52162, &open, 40)
            .into_iter()
            .map(|p| PacketRepr {
                payload_len: 36,
                ..p
            })
            .collect();
        assert!(run(&v).0.is_empty());
        let high = [
            (27017, Some(true)),
            (27018, Some(true)),
            (27019, Some(true)),
            (27020, Some(true)),
        ];
        assert!(run(&nmap(T0, V, 45665, &high, 40)).0.is_empty());
        // three probe sizes among four ports still speak three protocols
        let mut v = nmap(T0, V, 52162, &open, 40);
        for (p, len) in v
            .iter_mut()
            .filter(|p| p.src.to_string() == A)
            .zip([12, 48, 48, 192])
        {
            p.payload_len = len;
        }
        assert_eq!(run(&v).0.len(), 1);
        // a client asking the same services, each from a socket of its own, all answered:
        // no scan
        let mut v = Vec::new();
        for (k, port) in [53u16, 123, 161, 500].into_iter().enumerate() {
            let t = T0 + k as f64 * 0.01;
            let sp = 40000 + k as u16 * 7;
            v.push(udp(t, C, V, sp, port, 60));
            v.push(udp(t + 0.001, V, C, port, sp, 76));
        }
        assert!(run(&v).0.is_empty());
    }

    /// A router reporting a link down to its collector at once: a syslog line, an SNMP trap,
    /// a NetFlow and an sFlow export and a statsd counter, each of its own size, nothing back
    /// (one-way by design). No scan; the same datagrams to three service ports are one.
    #[test]
    fn one_way_reports_to_a_silent_collector_are_no_scan() {
        let reports = [
            (514u16, 120u16),
            (162, 90),
            (2055, 480),
            (6343, 300),
            (8125, 30),
        ];
        let v: Vec<_> = reports
            .iter()
            .enumerate()
            .map(|(k, &(port, len))| udp(T0 + k as f64 * 0.01, A, W, 40000 + k as u16, port, len))
            .collect();
        let (f, _) = run(&v);
        assert!(f.is_empty(), "{f:?}");
        let v: Vec<_> = [(69u16, 120u16), (137, 90), (1900, 480)]
            .iter()
            .enumerate()
            .map(|(k, &(port, len))| udp(T0 + k as f64 * 0.01, A, W, 40000 + k as u16, port, len))
            .collect();
        assert_eq!(run(&v).0.len(), 1);
    }

    #[test]
    fn hping3_and_nping_probes_a_second_apart_are_found() {
        // hping3 --udp -p ++160 -c 4: empty, a new source port each, refused
        let mut v = Vec::new();
        for k in 0..4u16 {
            let p = udp(T0 + f64::from(k), A, V, 2237 + k, 160 + k, 28);
            v.push(p);
            v.push(icmp_unreach(p.ts + 0.001, V, A, &p));
        }
        assert_eq!(run(&v).0.len(), 1);
        // nping --udp -p 53,123,161,500 (source port 53) of a host that drops them
        let v: Vec<_> = [53u16, 123, 161, 500]
            .iter()
            .enumerate()
            .map(|(k, &port)| udp(T0 + k as f64, A, W, 53, port, 28))
            .collect();
        let (f, _) = run(&v);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].targets, 4);
    }

    #[test]
    fn a_scan_of_a_few_hosts_is_one_finding_and_a_later_scan_another() {
        let ports = [(53, Some(true)), (123, None), (161, None), (500, None)];
        let mut v = nmap(T0, V, 59889, &ports, 40);
        v.extend(nmap(T0 + 0.0001, W, 59889, &ports, 40));
        let (f, st) = run(&v);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(st.repeated, 1);
        // the same scan of the same host 9 s later (its ports asked again within the first
        // pair's window would be a poller's; past the window a new pair): found again
        let mut v = nmap(T0, W, 59889, &ports, 40);
        v.extend(nmap(T0 + WINDOW + 0.5, W, 40001, &ports, 40));
        let (f, _) = run(&v);
        assert_eq!(f.len(), 2, "{f:?}");
    }

    #[test]
    fn clients_that_get_answers_or_ask_again_are_no_scan() {
        let mut v = Vec::new();
        // a monitor asking DNS, NTP and SNMP of a host every 6 s, each from a new socket:
        // DNS and NTP answered, SNMP dropped (silent) — one failed port
        // and a device sending syslog, traps and sFlow to a collector (silent) from fixed
        // sockets every 2 s: asked again
        for r in 0..5u16 {
            let t = T0 + f64::from(r) * 6.0;
            for (k, port) in [53u16, 123, 161].into_iter().enumerate() {
                let sp = 41000 + r * 10 + k as u16;
                v.push(udp(t + k as f64 * 0.01, C, W, sp, port, 70));
                if port != 161 {
                    v.push(udp(t + k as f64 * 0.01 + 0.001, W, C, port, sp, 90));
                }
            }
        }
        for r in 0..15u16 {
            let t = T0 + f64::from(r) * 2.0;
            for (k, port) in [514u16, 162, 6343].into_iter().enumerate() {
                v.push(udp(t + k as f64 * 0.3, C, V, 40514 + k as u16, port, 200));
            }
        }
        // a server's answers from 443 to a client's large or fragmented requests (no probes),
        // on the client's low ports (hping3's, from 2268), and from 1443 likewise
        for k in 0..6u16 {
            v.push(udp(T0 + f64::from(k) * 0.01, V, C, 443, 2268 + k, 347));
            let big = udp(T0 + f64::from(k) * 0.01, C, W, 1368 + k, 1443, 1528);
            let first = PacketRepr {
                fragment: true,
                frag_word: 0x2000,
                ..big
            };
            v.push(first);
            v.push(udp(first.ts + 0.001, W, C, 1443, 1368 + k, 347));
        }
        // a server's answers to a client on low ports (an old Windows resolver client, 1025+)
        for k in 0..6u16 {
            let t = T0 + f64::from(k) * 0.5;
            v.push(udp(t, V, C, 1025 + k, 53, 60));
            v.push(udp(t + 0.001, C, V, 53, 1025 + k, 120));
        }
        let (f, st) = run(&v);
        assert!(f.is_empty(), "{f:?}");
        assert!(st.pairs >= 3, "{st:?}");
    }

    #[test]
    fn handshakes_broadcasts_and_ephemeral_ports_are_no_probes() {
        let mut v = Vec::new();
        // a QUIC client's full-size Initials to 443, 4433 and 4434 of a host that drops them
        for (k, port) in [443u16, 4433, 4434].into_iter().enumerate() {
            v.push(udp(
                T0 + k as f64 * 0.01,
                C,
                W,
                50000 + k as u16,
                port,
                1252,
            ));
        }
        // NetBIOS, LAN discovery to a subnet's broadcast, and SSDP to its group
        for port in [137u16, 138, 17500, 1900] {
            v.push(udp(T0, C, "198.18.1.255", 137, port, 60));
            v.push(udp(T0, C, "239.255.255.250", 50000, port, 60));
        }
        // traceroute's probes (33434 and up) and a peer's ephemeral ports
        for k in 0..6u16 {
            v.push(udp(T0 + f64::from(k) * 0.1, C, V, 45000, 33434 + k, 60));
            v.push(udp(T0 + f64::from(k) * 0.1, C, W, 45001, 50000 + k, 60));
        }
        assert!(run(&v).0.is_empty());
    }

    #[test]
    fn one_question_to_the_silent_ports_of_a_server_is_a_client_s_but_refused_is_a_scan() {
        // a Steam client's 36-byte pings from one socket to 27017-27019 of a server that does
        // not answer (nDPI's steam.pcap), and the same to three service ports
        let mut v = Vec::new();
        for (k, port) in [27018u16, 27017, 27019].into_iter().enumerate() {
            v.push(udp(T0 + k as f64 * 0.05, C, V, 45665, port, 64));
        }
        for (k, port) in [53u16, 123, 161].into_iter().enumerate() {
            v.push(udp(T0 + k as f64 * 0.05, C, W, 45666, port, 64));
        }
        assert!(run(&v).0.is_empty());
        // refused, they are a scan (hping3 --udp -d 36 -p ++53)
        let refusals: Vec<_> = v
            .iter()
            .map(|p| icmp_unreach(p.ts + 0.001, &p.dst.to_string(), C, p))
            .collect();
        v.extend(refusals);
        assert_eq!(run(&v).0.len(), 1, "one source: one finding");
        // empty, or of sizes that differ, silent: a scan (nping --udp, nmap -p 443,4433,4434)
        for sizes in [[0u32, 0, 0], [67, 67, 0]] {
            let v: Vec<_> = [443u16, 4433, 4434]
                .into_iter()
                .zip(sizes)
                .map(|(port, n)| PacketRepr {
                    payload_len: n,
                    ..udp(T0, A, W, 53, port, 28)
                })
                .collect();
            assert_eq!(run(&v).0.len(), 1, "{sizes:?}");
        }
    }

    #[test]
    fn a_datagram_that_is_no_probe_begins_no_pair_past_the_window() {
        // A pair begun by a refused probe; its window over but its answers still awaited, the
        // source sends a full-size datagram (no probe: a QUIC Initial) from an ephemeral port,
        // unanswered, then two small datagrams to ports that refuse them. Two failing probe
        // ports are too few: the large datagram begins no pair, as it would begin none as the
        // pair's first datagram.
        let mut v = Vec::new();
        let first = udp(T0, A, V, 40_000, 7, 20);
        v.push(first);
        v.push(icmp_unreach(T0 + 0.001, V, A, &first));
        let t = T0 + WINDOW + 0.1;
        v.push(udp(t, A, V, 40_001, 443, 1_200));
        for (k, port) in [53u16, 69].into_iter().enumerate() {
            let p = udp(t + 0.1 * (k + 1) as f64, A, V, 40_002, port, 20);
            v.push(p);
            v.push(icmp_unreach(p.ts + 0.001, V, A, &p));
        }
        let (f, _) = run(&v);
        assert!(f.is_empty(), "{f:?}");
        // the same with a third refused probe port: a scan, begun by the first probe after
        // the window
        let p = udp(t + 0.35, A, V, 40_002, 111, 20);
        v.push(p);
        v.push(icmp_unreach(p.ts + 0.001, V, A, &p));
        let (f, _) = run(&v);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].targets, 3, "{f:?}");
    }

    #[test]
    fn off_finds_nothing_and_memory_stays_bounded() {
        let ports = [(443, None), (4433, None), (4434, None)];
        let mut r = FewPorts::new(0);
        let mut n = 0;
        for p in nmap(T0, W, 52886, &ports, 67) {
            r.push(&p, &mut |_| n += 1);
        }
        r.finish(&mut |_| n += 1);
        assert_eq!(n, 0);
        // a spoofed flood: one datagram from each of many sources
        let mut r = FewPorts::new(MIN_PORTS);
        for k in 0..(MAX_PAIRS as u32 + 100) {
            let src = std::net::Ipv4Addr::from(0xC612_0000 + k + 1).to_string();
            r.push(
                &udp(T0 + f64::from(k) * 1e-5, &src, V, 1000, 53, 40),
                &mut |_| n += 1,
            );
        }
        assert!(
            r.pairs.len() <= MAX_PAIRS && r.stats().evicted >= 100,
            "{:?}",
            r.stats()
        );
        assert_eq!(n, 0);
    }

    #[test]
    fn a_reflected_floods_refused_answers_are_no_probes() {
        // reflectors' answers (NetBIOS 247 bytes, portmap 508, SSDP 315 from 137, 111, 1900)
        // to a new port of the victim each, below 32768, every one refused: no scan
        let mut v = Vec::new();
        for (k, (sport, len)) in [
            (137u16, 247u16),
            (111, 508),
            (1900, 315),
            (137, 247),
            (111, 508),
        ]
        .iter()
        .enumerate()
        {
            let t = T0 + k as f64 * 0.2;
            let p = udp(t, A, V, *sport, 20000 + k as u16 * 911, len + 28);
            v.push(p);
            v.push(icmp_unreach(t + 0.001, V, A, &p));
        }
        let (f, _) = run(&v);
        assert!(f.is_empty(), "{f:?}");
        // the same datagrams of 40 bytes (a scan sent from those ports) are one
        for p in v.iter_mut().filter(|p| p.proto == 17) {
            p.payload_len = 40;
            p.ip_len = 68;
        }
        let (f, _) = run(&v);
        assert_eq!(f.len(), 1, "{f:?}");
    }
}
