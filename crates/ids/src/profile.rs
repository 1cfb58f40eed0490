//! Episode profiles: what an attacking source sent during one episode, and the attack class
//! that follows from it (DESIGN §7, `ids detect` alerts).
//!
//! The networks name each flagged packet from its statistics; an episode's class used to be the
//! majority of those names. Some classes are *defined* by what the probes are, and there the
//! protocol decides, not a vote:
//!
//! * **TCP probe flags.** nmap's scan flavours are defined by the flags of their probes (nmap
//!   reference guide, "Port Scanning Techniques"): SYN scan and connect scan send SYN; NULL scan
//!   no flag; FIN scan FIN; Xmas scan FIN+PSH+URG; Maimon scan FIN+ACK; ACK scan and window scan
//!   a bare ACK. The *dominant* flag combination of the source's own TCP packets (bare RST and
//!   RST+ACK left out: no scan probes with them, while a scanner's kernel answers SYN-ACKs
//!   with them) names the
//!   family (a packet with every flag lit is a probe of the Xmas family, after the "Christmas
//!   tree" it lights up). A scan in tiny fragments (`nmap -f`) counts too: the packet decoder
//!   reads the flags byte from the fragment that holds it, and the ports from the first; an
//!   episode of fragments that show no flags is left to the networks.
//! * **ACK vs window scan.** Nothing on the wire separates them: "Window scan sends the same
//!   bare ACK probe as ACK scan" (nmap book, "TCP Window Scan"); it only reads the window field
//!   of the RSTs that come back differently. In the lab captures both send 40-byte ACK probes,
//!   window 1024, random TTL and acknowledgement numbers. An episode of bare ACK probes is
//!   therefore named `scan-ack` with `scan-window` given as the equally possible alternative
//!   ([`Naming::alternatives`]), never a guess between the two.
//! * **Scan vs flood** (SYN, Xmas and UDP, whose probes are the same either way): a scan probes
//!   many distinct targets a few times each; a flood repeats at volume. A target is a
//!   destination port of one host: with one destination host, its ports; a scan of many hosts
//!   (a horizontal scan, `nmap` of a subnet) probes each port on every host, which repeats
//!   ports but not targets. At least [`FLOOD_MIN_PROBES`] probes averaging at least
//!   [`FLOOD_PER_PORT`] per distinct target is a flood; fewer than [`SCAN_MAX_PER_PORT`] per
//!   target in an order that does not simply count up is a scan (nmap randomises the port
//!   order); a victim's episode of many (spoofed)
//!   sources is a flood. Ports counting up once each (hping3's `-p ++N`) are a flood when every
//!   probe comes from a new source port — each packet a new connection, which is what fills a
//!   victim's tables — and a scan when they come from at most [`FEW_SOURCE_PORTS`] (a raw
//!   scanner sweeping in order). FIN, NULL, Maimon and ACK probes open no connection: counting
//!   up from new source ports (hping3 `-F -p ++1`) they are a scan of their flags. Ports in
//!   no order, a new source port for each probe, sent raw (not `connect()`'s SYNs), at least
//!   [`RANDOM_FLOOD_MIN_PROBES`] of them, are a flood too (t50's and Mirai's floods pick a
//!   port pair per packet; scanners keep one source port or use `connect()`). UDP datagrams
//!   at volume, [`SCAN_MAX_PER_PORT`] to [`RAW_MAX_TRIES`] per target, from about as many
//!   source ports as tries and not mostly from a service's port, are a scan resending what
//!   nothing answered (nmap `-sU` seen without the victim's refusals: [`Rule::ResentProbes`]).
//!   Anything in between is left to the networks, choosing only among the family's classes.
//! * **SYN vs connect scan**: a connect scan completes handshakes with the OS's `connect()` (the
//!   scanner sends ACKs and closes with RST+ACK; one ephemeral source port per probe); a SYN
//!   scan sends raw SYNs from one or two source ports and its kernel answers SYN-ACKs with a
//!   bare RST. With ten probes or more the source ports decide (service detection, `nmap -sV`,
//!   adds a few full connections to a SYN scan), and a new port per probe is `connect()`'s
//!   when most SYNs carry an operating system's options (`os_syn`) and one window, or the
//!   source completes more handshakes than it resets (else a raw tool's: a SYN scan); with
//!   fewer, the handshakes against the bare RSTs; when these are even or absent (no open port,
//!   few probes), the networks choose.
//!   Ports counting up from a new source port each with an operating system's TCP options on
//!   the SYNs (`os_syn`) are `connect()` walking the ports in order — a simple scanner's
//!   loop, `nc -z` —: a connect scan, where hping3's bare SYNs counting up are a flood.
//! * **ICMP echo** at alert volume is `flood-icmp`.
//! * **Floods with no class of their own.** DESIGN §12 has flood classes for SYN, UDP, ICMP
//!   and Xmas only. A flood of other TCP probes — ACK, FIN, NULL, FIN+ACK, PSH+ACK with data,
//!   SYN+ACK (`hping3 -A --flood` and its kind), by the same repetition rules as above — is
//!   `other-attack`, and so is a flood of resets: at least [`FLOOD_MIN_PROBES`] bare RSTs or
//!   RST+ACKs, more than [`RESETS_PER_SYNACK`] times the SYN-ACKs received and the probes
//!   sent (a SYN scanner's kernel resets each SYN-ACK, masscan each port it probed). For a
//!   victim's episode the SYN-ACKs received are the victim's, those the networks passed too
//!   (`Profile::answered_syns`): a botnet's raw SYNs, few from each bot, are passed, and
//!   each bot's kernel resets the victim's SYN-ACK (session 20, `lab/botnet.sh`).
//! * **An operating system's fingerprint** (nmap `-O`, `-A`): at least [`FINGERPRINT_KINDS`]
//!   TCP flag combinations, the dominant one under [`FINGERPRINT_SHARE`] of the probes, is a
//!   scan named by the dominant probe, however often it repeats its few ports. (Chosen on a
//!   namespace run of `nmap -A`, whose OS detection was named a SYN flood; no committed
//!   capture changed.)
//! * **What the networks never saw** ([`crate::unlearned`]): forged ICMP errors are
//!   `flood-icmp`; packets of eight or more other protocols than TCP, UDP and ICMP,
//!   `other-attack`, an IP protocol scan; fewer other protocols, at least [`FLOOD_MIN_PROBES`]
//!   packets, `other-attack`, a flood of that protocol (`Rule::OtherProtocolFlood`); SCTP and
//!   UDP-Lite probes are `other-attack`, a scan or a flood by the port rules above. Each only
//!   when it outnumbers the TCP, UDP and ICMP echo probes. A
//!   FIN+ACK without data closing a connection a SYN-ACK opened (at most one per SYN-ACK) is
//!   no probe.
//!
//! * **Password guessing** ([`crate::guessing`]): an episode most of whose flagged packets are
//!   of connections to a login service whose client the password-guessing rule found guessing
//!   is `other-attack`, password guessing against that service (`Rule::PasswordGuessing`,
//!   [`Evidence::with_guesses`]): the guesser's SYNs, one per connection, repeat to one port
//!   at volume, which by the rules above would be a SYN flood.
//!
//! * **Overlapping fragments** ([`crate::fragments`]): an episode at least a quarter of whose
//!   flagged packets were IP fragments overlapping another of their datagram is
//!   `other-attack`, overlapping fragments (`Rule::OverlappingFragments`,
//!   [`Evidence::with_overlaps`]): teardrop and its kind.
//!
//! * **Ping of death** ([`crate::fragments::ends_past_max`]): an episode holding an IP fragment
//!   that ends past 65,535 bytes of datagram, however few, is `other-attack`, a ping of death
//!   (`Rule::PingOfDeath`, [`Evidence::with_oversize`]): no IP stack sends such a fragment,
//!   and one datagram is the attack.
//! * **TLS renegotiation** ([`crate::renegotiation`]): an episode most of whose flagged
//!   packets are of connections their client renegotiated over and over is `other-attack`,
//!   TLS renegotiation (`Rule::TlsRenegotiation`, [`Evidence::with_renegotiations`]):
//!   thc-ssl-dos's few connections, whose SYNs would name a scan of too few targets.
//! * **Fuzzing** ([`crate::fuzzing`]): an episode most of whose flagged packets are of a
//!   client's connections beginning with random bytes to one service is `other-attack`,
//!   fuzzing (`Rule::Fuzzing`, [`Evidence::with_fuzzing`]): its SYNs alone would name a SYN
//!   flood or a connect scan of one target.
//! * **Slow requests** ([`crate::slowrequests`]): an episode most of whose flagged packets are
//!   of a service its client held many slow requests open to is `other-attack`, slow requests
//!   (`Rule::SlowRequests`, [`Evidence::with_slow_requests`]): slowloris's SYNs would name a
//!   SYN flood, its closes a reset flood; slow reads (`Rule::SlowReads`) when most of those
//!   are of connections whose client held its receive window shut (slowhttptest -X).
//!
//! Everything else (unknown flag combinations, mostly fragments, no probes) keeps the networks'
//! majority — unless its class is of a protocol none of the episode's flagged packets carry
//! (an ICMP flood of TCP segments alone): the detector then renames the alert `other-attack`
//! ([`Rule::AbsentProtocol`], session 25). The thresholds were chosen on the training and
//! validation captures (`train*`, `val`, `val2`, `normal-only`; see `crates/ids/RESULTS.md`),
//! never on a test capture.
//!
//! Memory is fixed per episode (at most 480 bytes): distinct ports, source ports, hosts and
//! (host, port) targets are estimated by linear counting over small bitmaps, with a small
//! HyperLogLog beside each for counts past the bitmap's range (a scan of all 65,535 ports).

use crate::class::Class;
use crate::features::table::{hash_key, hash_mixed, ip_key, premix};
use crate::guessing::Login;
use crate::jsonw::Obj;
use crate::reflection::answer_shape;
use crate::unlearned::{forged_error, icmp_query};
use nightjar_packet::{proto, PacketRepr};
use serde_json::{json, Value};

pub(crate) const FIN: u8 = 0x01;
pub(crate) const SYN: u8 = 0x02;
pub(crate) const RST: u8 = 0x04;
pub(crate) const PSH: u8 = 0x08;
pub(crate) const ACK: u8 = 0x10;
pub(crate) const URG: u8 = 0x20;
/// The six classic TCP flags (ECE and CWR left out of the probe's combination).
pub(crate) const CLASSIC: u8 = 0x3f;

/// The nmap scan flavour a TCP probe with `flags` belongs to, by the flags that define it
/// (module documentation; ECE and CWR left out): SYN → `scan-syn` (a connect scan sends the
/// same probe), none → `scan-null`, FIN → `scan-fin`, FIN+ACK → `scan-maimon`, ACK →
/// `scan-ack` (a window scan sends the same probe), FIN+PSH+URG and every combination that
/// holds them → `scan-xmas`; `None` for any other combination.
pub(crate) fn probe_scan(flags: u8) -> Option<Class> {
    match flags & CLASSIC {
        SYN => Some(Class::ScanSyn),
        0 => Some(Class::ScanNull),
        FIN => Some(Class::ScanFin),
        x if x == FIN | ACK => Some(Class::ScanMaimon),
        ACK => Some(Class::ScanAck),
        x if x & (FIN | PSH | URG) == FIN | PSH | URG => Some(Class::ScanXmas),
        _ => None,
    }
}

/// Outbound resets per SYN-ACK received, and per probe sent, above which they are a flood,
/// not a scanner's answers (one RST per SYN-ACK from a SYN scan's kernel, one RST+ACK per open
/// port from a connect scan, one RST per probe from masscan).
pub const RESETS_PER_SYNACK: u64 = 4;
/// Distinct targets below which the probes of an episode named a scan scanned nothing: the
/// smallest scan alerted on the lab's captures probed 6 (a UDP scan of 12 ports answered by
/// 6), and a scan of fewer than four ports sends too few packets for an alert anyway.
pub const SCAN_MIN_TARGETS: f64 = 4.0;
/// Connections (SYN probes) below which an episode named a SYN flood by repetition, most of
/// whose connections carried a request and got an answer, is a burst of ordinary connections,
/// not a flood: a client fetching a batch of resources over short connections (`ab -n 150 -c
/// 8`, a script's `curl` loop, `git clone` over dumb HTTP, a crawler against an HTTP/1.0
/// server) opens a hundred or two within a second, and the networks flag their SYNs as they
/// flag a flood's. The smallest HTTP flood the lab labels opened 292 connections in its
/// episode (`siege -c 20 -r 16` in `httpval`); the largest burst of a namespace run that is
/// not one, 194 (`ab -n 200 -c 4`).
pub const BURST_MAX_CONNECTIONS: u64 = 250;
/// Flagged datagrams below which an episode named a UDP flood, whose source's datagrams with
/// payload to its victim its victim mostly answered with datagrams, is a burst of questions,
/// not a flood: a stub resolver asking a resolver for 15–40 names at once from one socket (a
/// page's hosts, a mail relay's MX lookups; session 21's `infra` lab), each answered within
/// milliseconds, is sent before the first answer arrives, so the two-way rule
/// ([`crate::conversation`]) has not cleared it yet. The lab's UDP floods from one address
/// send thousands; its spoofed floods of an NTP-like service send 50–200 from each address, each
/// from a new port (not one conversation: they stay floods).
pub const BURST_MAX_QUESTIONS: u64 = 250;
/// Flagged datagrams below which an episode named a UDP flood of DNS questions asked two to a
/// source port, the second right after the first, and mostly answered, is a burst of lookups,
/// not a flood: glibc's `getaddrinfo` asks each name's A and AAAA questions together from a
/// socket of its own, and a host that resolves many names at once (a crawler, a mail server, a
/// monitoring host) asks hundreds within a second (session 24's `lookups` lab: 150–1,500 names,
/// 300–3,000 questions). The floods send one question a port (hping3, a random-subdomain
/// flood's bots) or all from one (nping -g). 10,000 is 5,000 names.
pub const BURST_MAX_LOOKUPS: u64 = 10_000;
/// Bare ACKs (and RST+ACKs) a source sends per SYN-ACK it received, and one more per segment
/// of data it received, that count as its connections' handshakes and acknowledgements, at
/// most: the ACK that completes a handshake, those of the answer's data and of the server's
/// FIN. Past that, a bare ACK is a probe: an ACK flood right after a connection flood, in the
/// same episode, is not the connections' doing.
pub const ACKS_PER_SYNACK: u32 = 4;
/// Whether a SYN carries TCP options beyond an MSS, as an operating system's `connect()` sends
/// (Linux: MSS, SACK, timestamps, window scale, a 40-byte header; Windows 32 bytes; macOS
/// 44), unlike raw scanners' SYNs (nmap `-sS` 24 bytes, MSS only; hping3 and masscan 20 or
/// 24). The TCP header length is what the IP length leaves after the IP header (20 bytes for
/// IPv4, 40 for IPv6; options and extension headers are rare) and the payload.
pub(crate) fn os_syn(p: &PacketRepr) -> bool {
    let ip_header: u32 = if p.src.is_ipv4() { 20 } else { 40 };
    let tcp_header = u32::from(p.ip_len).saturating_sub(ip_header + p.payload_len);
    tcp_header >= 28
}

/// Probes at or above which repetition can make a flood.
pub const FLOOD_MIN_PROBES: u64 = 50;
/// Distinct hosts at or above which ICMP echo requests, a few to each ([`SCAN_MAX_PER_PORT`]),
/// are a ping sweep ([`Rule::PingSweep`]), not a flood: `nmap -sn --min-rate 2000` of a /22
/// sends one to each of 1,024 addresses, which the networks flag as an ICMP flood. More to
/// each (at least [`SCAN_MAX_PER_PORT`] on average) are a flood spread over those hosts.
pub const SWEEP_MIN_HOSTS: f64 = 16.0;
/// Distinct TCP flag combinations among an episode's probes, and the dominant one's largest
/// share of them, that make an operating system's fingerprint ([`Rule::Fingerprint`]): nmap's
/// OS detection (`-O`, `-A`) sends SYNs with six sets of options to an open port, then a
/// NULL, a SYN+FIN+PSH+URG and an ACK probe to it and a SYN, an ACK and a FIN+PSH+URG probe to
/// a closed port (five combinations, SYN about 60% of them), and repeats the round up to five
/// times when no fingerprint matches, to three or four ports: by volume alone a flood. A
/// flood sends one combination (hping3: all of them); an episode's first probes of the next
/// attack add at most [`crate::detect::DetectSettings::change_probes`] of another.
pub const FINGERPRINT_KINDS: usize = 4;
pub const FINGERPRINT_SHARE: f64 = 0.8;
/// TCP probes per host above which many kinds of probe are no fingerprint: nmap's OS detection
/// sent 123 to a host (`-A`), a flood sends thousands.
pub const FINGERPRINT_MAX_PROBES: f64 = 1000.0;
/// Mean probes per distinct target (destination port of one host) at or above which it is a
/// flood. On the lab's
/// training and validation captures, nmap scans send at most 3.8 per port (UDP scans with
/// retransmissions: the victim rate-limits its ICMP errors), single-port floods 75–2400.
pub const FLOOD_PER_PORT: f64 = 8.0;
/// Mean probes per distinct target below which (with an order that does not count up) it is a
/// scan.
pub const SCAN_MAX_PER_PORT: f64 = 5.0;
/// Times nmap sends a probe to one port at most: its `--max-retries` default, 10, plus the
/// first try (the `-T4` and `-T5` templates lower it to 6 and 2). nmap resends an unanswered
/// probe from the next source port of a few (its base port plus two per try), so a UDP scan of
/// a Linux host, which refuses at most one port a second (its ICMP rate limit) and answers
/// nothing for the others, sends up to this many datagrams to each port from at most this many
/// source ports ([`Rule::ResentProbes`]).
pub const RAW_MAX_TRIES: f64 = 11.0;
/// Ports below this are services' (the well-known ports): most datagrams from one of them are
/// a server's or a reflector's answers, never a scanner's resent probes ([`Rule::ResentProbes`]).
pub const SERVICE_PORTS_END: u16 = 1024;
/// Distinct source ports at or below which a sweep comes from a raw scanner (nmap sends from
/// one, two with retransmissions).
pub const FEW_SOURCE_PORTS: f64 = 4.5;
/// Times a kernel sends an unanswered SYN again, at most: Linux's `tcp_syn_retries` default
/// (6: at 1, 3, 7, 15, 31 and 63 s); Windows sends fewer (`TcpMaxConnectRetransmissions`, 2).
pub const MAX_SYN_RESENDS: u64 = 6;
/// Fraction of consecutive probes whose port is the previous one plus one, at or above which
/// the sweep "counts up" (hping3 `++N`; nmap randomises the port order).
pub const ASCENDING: f64 = 0.5;
/// Probes at or above which ports in no order, each from a new source port, sent raw, are a
/// flood ([`Rule::RandomPortsNewSourcePort`]): more than the 1,000 ports of nmap's default
/// scan; below it a hand-made scan (scapy, packit) may send so.
pub const RANDOM_FLOOD_MIN_PROBES: u64 = 1000;

/// Port numbers there are: no count of distinct ports is more.
const PORTS: f64 = 65_536.0;

/// HyperLogLog registers beside each bitmap: 64, four bits each.
const REGS: usize = 64;
/// Zero bits left in a bitmap below which its count is too coarse and the registers take over
/// (a linear count with `z` zeros is off by about `1 / (√z · ln(m/z))`: 10% at 4 of 512).
const FEW_ZEROS: f64 = 4.0;
/// A register holds a rank of at most 15: enough for about 64 · 2¹⁵ ≈ 2 · 10⁶ distinct values.
const MAX_RANK: u8 = 15;

/// A fixed-size sketch of distinct values: a linear-counting bitmap of `W` words (Whang et
/// al. 1990: exact up to collisions for small counts, where the thresholds of [`Profile::decide`]
/// need precision), and beside it a small HyperLogLog (Flajolet et al. 2007; 64 four-bit
/// registers, about 13% standard error) for when the bitmap is nearly full. A bitmap alone
/// saturates near `m ln m` values (3,194 for 512 bits), which made a scan of every port (`nmap
/// -p-`, 65,535 probes) look like twenty probes per port: a flood. The bitmap's bits come from
/// the hash's high half, the registers' index and rank from its low half.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Distinct<const W: usize> {
    bits: [u64; W],
    /// Two registers per byte, low nibble first.
    regs: [u8; REGS / 2],
}

impl<const W: usize> Default for Distinct<W> {
    fn default() -> Self {
        Distinct {
            bits: [0; W],
            regs: [0; REGS / 2],
        }
    }
}

impl<const W: usize> Distinct<W> {
    /// Count the value whose 64-bit hash is `h`.
    pub(crate) fn add(&mut self, h: u64) {
        let bit = (h >> 32) as usize % (W * 64);
        self.bits[bit / 64] |= 1 << (bit % 64);
        let j = (h as usize) % REGS;
        // rank: 1 + trailing zeros of the 26 bits above the index
        let rest = (h as u32) >> 6;
        let rank = (rest.trailing_zeros() + 1).min(u32::from(MAX_RANK)) as u8;
        let (byte, shift) = (j / 2, 4 * (j % 2));
        let old = (self.regs[byte] >> shift) & 0x0f;
        if rank > old {
            self.regs[byte] = (self.regs[byte] & !(0x0f << shift)) | (rank << shift);
        }
    }

    /// Estimated number of distinct values: the bitmap's linear count while it has at least
    /// [`FEW_ZEROS`] zero bits (counts up to `m ln(m/4)`, 2,484 for 512 bits), beyond that the
    /// larger of that count and the registers' HyperLogLog estimate.
    pub(crate) fn estimate(&self) -> f64 {
        let m = (W * 64) as f64;
        let ones: u32 = self.bits.iter().map(|w| w.count_ones()).sum();
        let zeros = (m - f64::from(ones)).max(1.0);
        let linear = m * (m / zeros).ln();
        if zeros >= FEW_ZEROS {
            return linear;
        }
        linear.max(self.hll())
    }

    /// The HyperLogLog estimate of the registers (with its small-range correction).
    fn hll(&self) -> f64 {
        let r = REGS as f64;
        let (mut sum, mut empty) = (0.0, 0u32);
        for j in 0..REGS {
            let v = (self.regs[j / 2] >> (4 * (j % 2))) & 0x0f;
            sum += (-f64::from(v)).exp2();
            empty += u32::from(v == 0);
        }
        // alpha for 64 registers (Flajolet et al. 2007, figure 3)
        let raw = 0.709 * r * r / sum;
        if raw <= 2.5 * r && empty > 0 {
            r * (r / f64::from(empty)).ln()
        } else {
            raw
        }
    }
}

fn port_hash(seed: u64, p: u16) -> u64 {
    hash_key(seed, u128::from(p))
}

/// What one side of an episode sent and received (flagged packets only).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Profile {
    /// Outbound TCP packets other than bare RST or RST+ACK (probes), per classic flag combination: up to six
    /// combinations counted, the rest in `flags_other`.
    flags: [(u8, u32); 6],
    flags_other: u32,
    /// Outbound TCP with RST and without ACK (a raw scanner's kernel answering SYN-ACKs).
    bare_rst: u32,
    /// Outbound bare RSTs and RST+ACKs without other flags (a scanner's answers to SYN-ACKs
    /// and closes, or a flood of resets).
    rst_out: u32,
    /// Outbound TCP handshake completions and closes: bare ACK or RST+ACK, sent after the
    /// source received a SYN-ACK (a connect scan).
    handshakes: u32,
    /// Inbound SYN-ACKs (open ports answering).
    synacks_in: u32,
    /// Inbound TCP segments with data (answers on connections).
    data_in: u32,
    /// Outbound FIN+ACKs without data closing connections those SYN-ACKs opened (at most one
    /// per SYN-ACK): a connection's end, not a Maimon probe.
    closes: u32,
    /// Outbound UDP datagrams, and ICMP echo requests (and other ICMP queries and replies).
    udp: u32,
    icmp_echo: u32,
    /// Of the outbound UDP datagrams, answers of a reflection service
    /// ([`crate::reflection::answer_shape`]).
    answers: u32,
    /// Of the outbound UDP datagrams, those from a port below [`SERVICE_PORTS_END`] (a
    /// service's: a reflector's or a server's answers; [`Rule::ResentProbes`]).
    udp_service_sport: u32,
    /// Outbound fragments; TCP fragments among them that carried the flags byte.
    fragments: u32,
    fragment_flags: u32,
    /// Outbound UDP fragments that show their datagram: first fragments (the ports, counted as
    /// the datagram in `udp`), and the later fragments that follow one (the same
    /// Identification as the latest first fragment, `datagram_id`, once there was one).
    fragments_shown: u32,
    datagram_id: u32,
    /// Inbound replies: RSTs, ICMP errors.
    rst_in: u32,
    unreach_in: u32,
    /// Outbound probes (TCP without RST, UDP) with a destination port, and their port order.
    probes: u32,
    ascending: u32,
    steps: u32,
    last_port: u16,
    ports: Distinct<8>,
    /// Outbound SYN probes; source ports of all outbound probes.
    syn_probes: u32,
    /// Of those, SYNs with an operating system's TCP options ([`os_syn`]): `connect()`'s.
    os_syns: u32,
    /// SYN probes whose TCP window differs from the SYN probe's before, and the last SYN's
    /// window: an operating system opens every connection with one window, a flood tool that
    /// copies its options (t50, Mirai) draws a window per packet.
    syn_windows_changed: u32,
    syn_window: u16,
    sports: Distinct<8>,
    /// Outbound packets the networks never learnt ([`crate::unlearned`]): forged ICMP
    /// errors, SCTP and UDP-Lite packets (probes, with ports), packets of other protocols
    /// than TCP, UDP, ICMP and ICMPv6.
    forged_errors: u32,
    ported: u32,
    bare: u32,
    /// The protocol numbers of those other protocols, modulo 64 (a bitmap).
    bare_protos: u64,
    /// Outbound destination hosts.
    hosts: Distinct<2>,
    /// Distinct (destination host, destination port) targets of the probes: a scan of many
    /// hosts probes each port on every host (a horizontal scan), which is not repetition.
    targets: Distinct<8>,
}

// every open episode carries one: keep it small (checked at compile time)
const _: () = assert!(std::mem::size_of::<Profile>() <= 504);

/// How an episode's class was decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// The flags of the probes define the class.
    ProbeFlags,
    /// Probes repeat at volume: a flood.
    Repetition,
    /// Many distinct ports, a few probes each, not counting up: a scan.
    DistinctPorts,
    /// Many sources against one victim: a flood.
    ManySources,
    /// ICMP echo requests at alert volume.
    IcmpEcho,
    /// ICMP echo requests to many hosts, a few each ([`SWEEP_MIN_HOSTS`]): a ping sweep, a scan
    /// of addresses, `other-attack`.
    PingSweep,
    /// Many kinds of TCP probe, the dominant one under [`FINGERPRINT_SHARE`] of them: an
    /// operating system's fingerprint ([`FINGERPRINT_KINDS`]), a scan named by the dominant
    /// probe.
    Fingerprint,
    /// ICMP errors their sender made up ([`crate::unlearned::forged_error`]): a flood.
    ForgedErrors,
    /// Most of the UDP sent is a reflection service's answers
    /// ([`crate::reflection::answer_shape`]), to whatever ports: a reflected flood.
    Reflection,
    /// Packets of protocols other than TCP, UDP and ICMP, many protocols to one host
    /// ([`crate::unlearned`]): an IP protocol scan (`nmap -sO`).
    ProtocolScan,
    /// Resets at volume, far more than the SYN-ACKs that would call for them: a flood.
    Resets,
    /// Most of the flagged packets are of connections to a login service whose client the
    /// password-guessing rule ([`crate::guessing`]) found guessing: password guessing
    /// ([`Evidence::login`] says against what), `other-attack`.
    PasswordGuessing,
    /// At least a quarter of the flagged packets are IP fragments that overlapped another of
    /// their datagram ([`crate::fragments`]): teardrop and its kind, or IDS evasion,
    /// `other-attack`.
    OverlappingFragments,
    /// At least one flagged packet is an IP fragment ending past 65,535 bytes of datagram
    /// ([`crate::fragments::ends_past_max`]): a ping of death, `other-attack`.
    PingOfDeath,
    /// Most of the flagged packets are of TLS connections their client renegotiated over and
    /// over ([`crate::renegotiation`]: thc-ssl-dos), `other-attack`.
    TlsRenegotiation,
    /// Most of the flagged packets are of connections to one service whose client begins them
    /// with random bytes ([`crate::fuzzing`]: SFuzz), `other-attack`.
    Fuzzing,
    /// Most of the flagged packets are of a service its client holds many slow requests open
    /// to ([`crate::slowrequests`]: slowloris, slowhttptest -H and -B), `other-attack`.
    SlowRequests,
    /// Most of the flagged packets are of a service its client holds many connections to
    /// with its receive window shut, the server's answers waiting ([`crate::slowrequests`]:
    /// slowhttptest -X, slow read), `other-attack`.
    SlowReads,
    /// Packets of fewer than [`crate::unlearned::PROTOCOLS`] protocols other than TCP, UDP,
    /// ICMP, SCTP and UDP-Lite, at volume, most of what the source sent
    /// ([`crate::unlearned`]: a one-way flood of one size): a flood of another protocol
    /// (t50's IGMP or OSPF floods, GRE floods).
    OtherProtocolFlood,
    /// Ports counting up, each once, from a new source port every probe (a new connection per
    /// packet, as a flood tool sends: hping3 `-p ++N`): a flood.
    SourcePortPerProbe,
    /// Ports in no order, few probes each, each from a new source port, sent raw (no
    /// operating system's `connect()`), at volume ([`RANDOM_FLOOD_MIN_PROBES`]): each packet a
    /// new connection or datagram to a random port, as flood tools send them (t50, Mirai's
    /// floods, scapy's `RandShort()`); scanners keep one source port (nmap `-sS`, `-sU`,
    /// masscan) or use `connect()` (nmap `-sT`). Not when the probes went to a few ports of
    /// many hosts ([`SWEEP_MIN_HOSTS`] or more, more hosts than ports): Mirai's telnet scan
    /// sends raw SYNs so, to random addresses.
    RandomPortsNewSourcePort,
    /// Ports counting up from one or a few source ports (a raw scanner sweeping in order): a
    /// scan.
    FixedSourcePort,
    /// Ports counting up, each once, each from a new source port with an operating system's
    /// TCP options: `connect()` walking the ports in order (a simple scanner's loop, `nc -z`),
    /// a connect scan, where hping3's bare SYNs counting up are a flood.
    ConnectInOrder,
    /// Datagrams at volume ([`FLOOD_MIN_PROBES`]) to many ports, each port's few enough to be
    /// one probe and its resends ([`SCAN_MAX_PER_PORT`] to [`RAW_MAX_TRIES`] on average), from
    /// about as many source ports as tries (a raw scanner's, one per try: at least half the
    /// tries a port, at most [`RAW_MAX_TRIES`] or a tenth of the probes, as
    /// `Profile::syn_or_connect` allows for another attack's first packets in the episode):
    /// nmap `-sU` resending what nothing answered, a scan. Without it the resends (7 a port at
    /// `-T4`) left the scan to the networks' vote, or made it a flood by repetition past 8 a
    /// port, wherever the refusals are not in the capture: a capture of one direction, or one
    /// filtered to the victim's address. A flood sends more to a port, or from a new source
    /// port each; a reflected flood (fraggle's echo answers to 50 ports, 8 each) comes from a
    /// service's port ([`SERVICE_PORTS_END`]): not when most datagrams do (nmap `-g 53` too,
    /// left to the rules before).
    ResentProbes,
    /// The protocol narrowed the classes; the networks' majority chose among them.
    NetworksWithinFamily,
    /// The protocol decided nothing; the networks' majority.
    Networks,
    /// The networks' majority named a class of a protocol none of the episode's flagged
    /// packets carry (an ICMP flood of TCP segments alone): `other-attack`, set by the detector
    /// once the alert was decided on (session 25).
    AbsentProtocol,
}

impl Rule {
    /// Whether the rule decides on volume that the episode is a flood (repetition, resets, a
    /// new connection per packet, many sources), or names a flood by what it sends (forged
    /// ICMP errors).
    pub fn names_a_flood(self) -> bool {
        matches!(
            self,
            Rule::Repetition
                | Rule::Resets
                | Rule::OtherProtocolFlood
                | Rule::SourcePortPerProbe
                | Rule::RandomPortsNewSourcePort
                | Rule::ManySources
                | Rule::ForgedErrors
                | Rule::Reflection
        )
    }

    /// Name in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::ProbeFlags => "probe-flags",
            Rule::Repetition => "repeated-ports",
            Rule::DistinctPorts => "distinct-ports",
            Rule::ManySources => "many-sources",
            Rule::IcmpEcho => "icmp-echo",
            Rule::PingSweep => "ping-sweep",
            Rule::ForgedErrors => "forged-icmp-errors",
            Rule::Reflection => "reflected-answers",
            Rule::Fingerprint => "os-fingerprint",
            Rule::ProtocolScan => "ip-protocols",
            Rule::Resets => "resets",
            Rule::OtherProtocolFlood => "other-protocol-flood",
            Rule::PasswordGuessing => "password-guessing",
            Rule::OverlappingFragments => "overlapping-fragments",
            Rule::PingOfDeath => "ping-of-death",
            Rule::TlsRenegotiation => "tls-renegotiation",
            Rule::Fuzzing => "fuzzing",
            Rule::SlowRequests => "slow-requests",
            Rule::SlowReads => "slow-reads",
            Rule::SourcePortPerProbe => "ascending-ports-new-source-port-each",
            Rule::RandomPortsNewSourcePort => "random-ports-new-source-port-each",
            Rule::FixedSourcePort => "ascending-ports-fixed-source-port",
            Rule::ConnectInOrder => "ascending-ports-connect",
            Rule::ResentProbes => "resent-probes",
            Rule::NetworksWithinFamily => "networks-within-family",
            Rule::Networks => "networks",
            Rule::AbsentProtocol => "networks-class-of-absent-protocol",
        }
    }
}

/// An episode's class and why.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Naming {
    pub class: Class,
    pub rule: Rule,
    /// Classes the packets fit just as well (`scan-window` for an ACK scan).
    pub alternatives: &'static [Class],
}

impl Naming {
    /// `other-attack` named by `rule`, with no alternative: what an episode is when a rule
    /// past the probes' patterns (password guessing, overlapping fragments, a ping of death,
    /// TLS renegotiation, fuzzing) found most of it.
    fn other_attack(rule: Rule) -> Naming {
        Naming {
            class: Class::OtherAttack,
            rule,
            alternatives: &[],
        }
    }

    /// Whether it names a flood: a flood class, or an other-attack named for its volume
    /// (repetition, resets, a new connection per packet, many sources).
    pub fn is_flood(&self) -> bool {
        self.class.is_flood() || self.rule.names_a_flood()
    }
}

/// The figures behind a naming, as reported in the alert.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Evidence {
    pub naming: Naming,
    /// The dominant probe flag combination (classic six flags) and its share of the probes.
    pub probe_flags: Option<u8>,
    pub probe_share: f64,
    pub probes: u64,
    pub distinct_ports: f64,
    pub per_port: f64,
    pub ascending: f64,
    pub distinct_hosts: f64,
    /// Distinct (host, port) targets and probes per target (with one host: its ports).
    pub distinct_targets: f64,
    pub per_target: f64,
    pub udp: u64,
    pub icmp_echo: u64,
    pub fragments: u64,
    pub handshakes: u64,
    pub bare_rst: u64,
    pub rst_in: u64,
    pub unreach_in: u64,
    /// The login service guessed at ([`Rule::PasswordGuessing`] only).
    pub login: Option<Login>,
    /// Fragments that overlapped another of their datagram ([`Rule::OverlappingFragments`]
    /// only).
    pub overlapping: u64,
    /// Fragments that ended past 65,535 bytes of datagram ([`Rule::PingOfDeath`] only).
    pub oversize: u64,
    /// Packets of renegotiated TLS connections ([`Rule::TlsRenegotiation`] only).
    pub renegotiating: u64,
    /// Packets of a fuzzer's connections ([`Rule::Fuzzing`] only).
    pub fuzzing: u64,
    /// Packets of a service held by slow requests or slow reads ([`Rule::SlowRequests`],
    /// [`Rule::SlowReads`] only).
    pub slow_requests: u64,
}

/// TCP flags as text: `SYN`, `FIN+PSH+URG`, `none`.
pub fn flag_names(f: u8) -> String {
    const N: [(u8, &str); 8] = [
        (FIN, "FIN"),
        (SYN, "SYN"),
        (RST, "RST"),
        (PSH, "PSH"),
        (ACK, "ACK"),
        (URG, "URG"),
        (0x40, "ECE"),
        (0x80, "CWR"),
    ];
    let v: Vec<&str> = N
        .iter()
        .filter(|(b, _)| f & b != 0)
        .map(|(_, n)| *n)
        .collect();
    if v.is_empty() {
        "none".into()
    } else {
        v.join("+")
    }
}

impl Evidence {
    /// The naming of an episode `guesses` of whose `flagged` packets are of connections to
    /// `login` whose client the password-guessing rule ([`crate::guessing`]) found guessing:
    /// when they are most of them, password guessing against `login`, `other-attack` — what
    /// the guesser sends there (a SYN per connection, at volume) is no scan and no flood —,
    /// else as it was.
    pub fn with_guesses(mut self, guesses: u64, flagged: u64, login: Option<Login>) -> Evidence {
        if let Some(l) = login.filter(|_| 2 * guesses > flagged) {
            self.naming = Naming::other_attack(Rule::PasswordGuessing);
            self.login = Some(l);
        }
        self
    }

    /// The naming of an episode `overlapping` of whose `flagged` packets were IP fragments
    /// that overlapped another of their datagram ([`crate::fragments`]: no IP stack sends them;
    /// teardrop and its kind do, and IDS evasion): when they are at least a quarter of them
    /// (teardrop sends one for each first fragment), `other-attack`, overlapping fragments —
    /// what the fragments carry (UDP to a port or two, at volume) is neither the scan nor the
    /// flood the rules above would name —, else as it was.
    pub fn with_overlaps(mut self, overlapping: u64, flagged: u64) -> Evidence {
        if overlapping > 0 && 4 * overlapping >= flagged {
            self.naming = Naming::other_attack(Rule::OverlappingFragments);
            self.overlapping = overlapping;
        }
        self
    }

    /// [`Evidence::to_json`] written into the open object `o`, as `serde_json` writes that
    /// value ([`crate::jsonw`]); `o` is closed.
    pub(crate) fn write_json(&self, mut o: Obj<'_>) {
        let r = |x: f64| (x * 100.0).round() / 100.0;
        o.strs(
            "alternatives",
            self.naming.alternatives.iter().map(|c| c.as_str()),
        );
        o.f64("ascending_ports", r(self.ascending));
        o.u64("bare_rst", self.bare_rst);
        o.f64("distinct_hosts", r(self.distinct_hosts));
        o.f64("distinct_ports", r(self.distinct_ports));
        o.f64("distinct_targets", r(self.distinct_targets));
        o.u64("fragments", self.fragments);
        if self.fuzzing > 0 {
            o.u64("fuzzing_packets", self.fuzzing);
        }
        o.u64("handshakes", self.handshakes);
        o.u64("icmp_echo", self.icmp_echo);
        o.u64("icmp_errors", self.unreach_in);
        if self.overlapping > 0 {
            o.u64("overlapping_fragments", self.overlapping);
        }
        if self.oversize > 0 {
            o.u64("oversize_fragments", self.oversize);
        }
        o.opt_str("probe_flags", self.probe_flags.map(flag_names).as_deref());
        o.f64("probe_share", r(self.probe_share));
        o.u64("probes", self.probes);
        o.f64("probes_per_port", r(self.per_port));
        o.f64("probes_per_target", r(self.per_target));
        o.u64("rst_replies", self.rst_in);
        o.str("rule", self.naming.rule.as_str());
        if let Some(l) = self.login {
            o.str("service", l.as_str());
        }
        if self.slow_requests > 0 {
            o.u64("slow_request_packets", self.slow_requests);
        }
        if self.renegotiating > 0 {
            o.u64("tls_renegotiation_packets", self.renegotiating);
        }
        o.u64("udp", self.udp);
        o.close();
    }

    /// The naming of an episode `oversize` of whose flagged packets were IP fragments ending
    /// past 65,535 bytes of datagram ([`crate::fragments::ends_past_max`]: no IP stack sends
    /// one; a ping of death does, one per datagram): when there is any, `other-attack`, ping
    /// of death — whatever else the episode holds (the datagram's other fragments, which the
    /// networks take for an ICMP flood's), one is the attack —, else as it was.
    pub fn with_oversize(mut self, oversize: u64) -> Evidence {
        if oversize > 0 {
            self.naming = Naming::other_attack(Rule::PingOfDeath);
            self.oversize = oversize;
        }
        self
    }

    /// The naming of an episode `renegotiating` of whose `flagged` packets were of TLS
    /// connections their client renegotiated over and over ([`crate::renegotiation`]): when
    /// they are most of them, `other-attack`, TLS renegotiation — the SYNs that opened the few
    /// connections would name a connect scan of too few targets, which raises nothing —,
    /// else as it was.
    pub fn with_renegotiations(mut self, renegotiating: u64, flagged: u64) -> Evidence {
        if renegotiating > 0 && 2 * renegotiating > flagged {
            self.naming = Naming::other_attack(Rule::TlsRenegotiation);
            self.renegotiating = renegotiating;
        }
        self
    }

    /// The naming of an episode `fuzzing` of whose `flagged` packets were of a fuzzer's
    /// connections ([`crate::fuzzing`]): when they are most of them, `other-attack`, fuzzing —
    /// the SYNs of its many connections to one port would name a SYN flood or a connect scan
    /// of one target —, else as it was.
    pub fn with_fuzzing(mut self, fuzzing: u64, flagged: u64) -> Evidence {
        if fuzzing > 0 && 2 * fuzzing > flagged {
            self.naming = Naming::other_attack(Rule::Fuzzing);
            self.fuzzing = fuzzing;
        }
        self
    }

    /// The naming of an episode `slow` of whose `flagged` packets were of a service its client
    /// held many slow requests open to ([`crate::slowrequests`]): when they are most of them,
    /// `other-attack`, slow requests — the SYNs of its connections would name a SYN flood, its
    /// closes a reset flood —, else as it was; slow reads ([`Rule::SlowReads`]) when more than
    /// half of them, `reads`, are of connections counted as slow reads (their client's window
    /// held shut).
    pub fn with_slow_requests(mut self, slow: u64, reads: u64, flagged: u64) -> Evidence {
        if slow > 0 && 2 * slow > flagged {
            let rule = if 2 * reads > slow {
                Rule::SlowReads
            } else {
                Rule::SlowRequests
            };
            self.naming = Naming::other_attack(rule);
            self.slow_requests = slow;
        }
        self
    }

    /// The `nightjar.profile` object of an EVE alert.
    pub fn to_json(&self) -> Value {
        let r = |x: f64| (x * 100.0).round() / 100.0;
        let mut j = json!({
            "rule": self.naming.rule.as_str(),
            "alternatives": self.naming.alternatives.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
            "probe_flags": self.probe_flags.map(flag_names),
            "probe_share": r(self.probe_share),
            "probes": self.probes,
            "distinct_ports": r(self.distinct_ports),
            "probes_per_port": r(self.per_port),
            "ascending_ports": r(self.ascending),
            "distinct_hosts": r(self.distinct_hosts),
            "distinct_targets": r(self.distinct_targets),
            "probes_per_target": r(self.per_target),
            "udp": self.udp,
            "icmp_echo": self.icmp_echo,
            "fragments": self.fragments,
            "handshakes": self.handshakes,
            "bare_rst": self.bare_rst,
            "rst_replies": self.rst_in,
            "icmp_errors": self.unreach_in,
        });
        if let Some(l) = self.login {
            j["service"] = json!(l.as_str());
        }
        if self.overlapping > 0 {
            j["overlapping_fragments"] = json!(self.overlapping);
        }
        if self.oversize > 0 {
            j["oversize_fragments"] = json!(self.oversize);
        }
        if self.renegotiating > 0 {
            j["tls_renegotiation_packets"] = json!(self.renegotiating);
        }
        if self.fuzzing > 0 {
            j["fuzzing_packets"] = json!(self.fuzzing);
        }
        if self.slow_requests > 0 {
            j["slow_request_packets"] = json!(self.slow_requests);
        }
        j
    }
}

/// The networks' majority among `cands` (the first if none has a vote).
fn vote(ml: &[u64; 15], cands: &[Class]) -> Class {
    let mut best = cands.first().copied().unwrap_or(Class::OtherAttack);
    let mut n = 0;
    for &c in cands {
        if ml[c.index()] > n {
            n = ml[c.index()];
            best = c;
        }
    }
    best
}

/// The networks' majority over every attack class.
pub fn majority(ml: &[u64; 15]) -> Class {
    let attacks: Vec<Class> = Class::ALL
        .iter()
        .copied()
        .filter(|c| c.is_attack())
        .collect();
    let c = vote(ml, &attacks);
    if ml[c.index()] == 0 {
        Class::OtherAttack
    } else {
        c
    }
}

impl Profile {
    /// Count one flagged packet; `outbound` when the episode's side sent it (for a source, the
    /// source; for a victim, a packet sent *to* the victim); `established` when it is a TCP
    /// segment of an established connection (handshake completed, nothing refused it), whose
    /// ACKs, data and FIN+ACK are the connection's own, no probes.
    pub fn add(&mut self, p: &PacketRepr, outbound: bool, established: bool) {
        self.add_premixed(p, premix(ip_key(p.dst)), outbound, established);
    }

    /// [`Profile::add`] of a packet whose destination's table key has the [`premix`] `dst`
    /// (the scoring loop has it at hand).
    pub(crate) fn add_premixed(
        &mut self,
        p: &PacketRepr,
        dst: u64,
        outbound: bool,
        established: bool,
    ) {
        let fl = p.tcp_flags;
        if !outbound {
            match p.proto {
                6 if fl & RST != 0 => self.rst_in = self.rst_in.saturating_add(1),
                6 if fl & (SYN | ACK) == SYN | ACK => {
                    self.synacks_in = self.synacks_in.saturating_add(1)
                }
                6 if fl & ACK != 0 && p.payload_len > 0 => {
                    self.data_in = self.data_in.saturating_add(1)
                }
                1 | 58 if p.inner.is_some() => self.unreach_in = self.unreach_in.saturating_add(1),
                _ => {}
            }
            return;
        }
        // the destination mixed once for its hashes here and in `port_probe`
        self.hosts.add(hash_mixed(47, dst));
        if p.fragment {
            self.fragments = self.fragments.saturating_add(1);
            if p.proto == 17 {
                // a fragmented datagram (hping3 `--udp -d 1500`: two fragments each): its first
                // fragment holds the ports and is the datagram; the fragments that follow it
                // are its own
                if !p.later_fragment {
                    self.fragments_shown = self.fragments_shown.saturating_add(1);
                    self.datagram_id = p.frag_id;
                    self.udp_datagram(p);
                    self.port_probe(p, dst);
                } else if self.fragments_shown > 0 && self.datagram_id == p.frag_id {
                    self.fragments_shown = self.fragments_shown.saturating_add(1);
                }
                return;
            }
            if p.proto != 6 {
                return;
            }
            // tiny TCP fragments (nmap -f): the flags byte travels in one fragment (the packet
            // decoder reads it where it is), the ports in the first
            if p.tcp_flags & CLASSIC != 0 {
                self.fragment_flags = self.fragment_flags.saturating_add(1);
                self.tally_flags(p.tcp_flags & CLASSIC);
            }
            if p.dport != 0 {
                self.port_probe(p, dst);
            }
            return;
        }
        let probe = match p.proto {
            6 if established && fl & ACK != 0 && fl & (SYN | RST) == 0 => {
                if fl & FIN != 0 {
                    self.closes = self.closes.saturating_add(1);
                } else {
                    self.handshakes = self.handshakes.saturating_add(1);
                }
                false
            }
            6 if fl & CLASSIC == RST || fl & CLASSIC == RST | ACK => {
                self.rst_out = self.rst_out.saturating_add(1);
                if fl & ACK == 0 {
                    self.bare_rst = self.bare_rst.saturating_add(1);
                } else if self.synacks_in > 0 {
                    self.handshakes = self.handshakes.saturating_add(1);
                }
                false
            }
            6 if fl & CLASSIC == FIN | ACK
                && p.payload_len == 0
                && self.closes < self.synacks_in =>
            {
                self.closes = self.closes.saturating_add(1);
                false
            }
            6 if fl & CLASSIC == ACK
                && p.payload_len == 0
                && self.handshakes
                    < (self.synacks_in.saturating_mul(ACKS_PER_SYNACK))
                        .saturating_add(self.data_in) =>
            {
                // completing a handshake the peer answered (or acknowledging its data)
                self.handshakes = self.handshakes.saturating_add(1);
                false
            }
            6 if fl & (SYN | FIN | RST) == 0
                && fl & ACK != 0
                && p.payload_len > 0
                && self.synacks_in > 0 =>
            {
                // data on connections the peer answered (a connection flood's requests): what
                // it opened them with names the attack
                false
            }
            6 => {
                self.tally_flags(fl & CLASSIC);
                if fl & CLASSIC == SYN {
                    if os_syn(p) {
                        self.os_syns = self.os_syns.saturating_add(1);
                    }
                    if self.syn_probes > 1 && p.window != self.syn_window {
                        self.syn_windows_changed = self.syn_windows_changed.saturating_add(1);
                    }
                    self.syn_window = p.window;
                }
                true
            }
            17 => {
                self.udp_datagram(p);
                true
            }
            // echo requests, and the other ICMP queries and replies a side sends: a reply is
            // charged to its sender only when nobody asked for it (crate::unlearned)
            1 | 58 if icmp_query(p).is_some() => {
                self.icmp_echo = self.icmp_echo.saturating_add(1);
                false
            }
            1 | 58 => {
                if forged_error(p) {
                    self.forged_errors = self.forged_errors.saturating_add(1);
                }
                false
            }
            proto::SCTP | proto::UDPLITE => {
                self.ported = self.ported.saturating_add(1);
                true
            }
            _ => {
                self.bare = self.bare.saturating_add(1);
                self.bare_protos |= 1 << (p.proto % 64);
                false
            }
        };
        if probe {
            self.port_probe(p, dst);
        }
    }

    /// Take back a SYN counted as a probe ([`Profile::add`] of an outbound SYN; `os`: it
    /// carried an operating system's options, [`os_syn`]): its connection turned out an
    /// ordinary one (answered, carrying its client's request), no probe of the episode's
    /// attack. Its flags, probe and SYN counts are taken back; the ports and targets it added
    /// to the distinct counts (linear counting, which cannot subtract) and the port order
    /// stay.
    pub(crate) fn take_back_syn(&mut self, os: bool) {
        let Some(s) = self.flags.iter_mut().find(|s| s.1 > 0 && s.0 == SYN) else {
            return;
        };
        s.1 -= 1;
        self.syn_probes = self.syn_probes.saturating_sub(1);
        self.probes = self.probes.saturating_sub(1);
        if os {
            self.os_syns = self.os_syns.saturating_sub(1);
        }
    }

    /// Count an outbound UDP datagram (whole, or its first fragment).
    fn udp_datagram(&mut self, p: &PacketRepr) {
        self.udp = self.udp.saturating_add(1);
        if answer_shape(p) {
            self.answers = self.answers.saturating_add(1);
        }
        if p.sport < SERVICE_PORTS_END {
            self.udp_service_sport = self.udp_service_sport.saturating_add(1);
        }
    }

    /// Count a TCP probe's flag combination (classic six flags).
    fn tally_flags(&mut self, f: u8) {
        if let Some(s) = self.flags.iter_mut().find(|s| s.1 > 0 && s.0 == f) {
            s.1 = s.1.saturating_add(1);
        } else if let Some(s) = self.flags.iter_mut().find(|s| s.1 == 0) {
            *s = (f, 1);
        } else {
            self.flags_other = self.flags_other.saturating_add(1);
        }
        if f == SYN {
            self.syn_probes = self.syn_probes.saturating_add(1);
        }
    }

    /// Count a probe's ports and their order (`dst`: the [`premix`] of its destination's
    /// table key).
    fn port_probe(&mut self, p: &PacketRepr, dst: u64) {
        if self.probes > 0 {
            self.steps = self.steps.saturating_add(1);
            if p.dport == self.last_port.wrapping_add(1) {
                self.ascending = self.ascending.saturating_add(1);
            }
        }
        self.probes = self.probes.saturating_add(1);
        self.last_port = p.dport;
        self.sports.add(port_hash(53, p.sport));
        // the destination port mixed once for both its hashes (`port_hash(51, dport)` and
        // `hash_key(hash_key(59, dst), dport)`)
        let dport = premix(u128::from(p.dport));
        self.ports.add(hash_mixed(51, dport));
        self.targets.add(hash_mixed(hash_mixed(59, dst), dport));
    }

    /// Outbound TCP probes (RSTs left out).
    fn tcp_probes(&self) -> u64 {
        self.flags.iter().map(|s| u64::from(s.1)).sum::<u64>() + u64::from(self.flags_other)
    }

    /// Count `n` SYN-ACKs that a victim's episode's victim sent and the networks passed, when
    /// the episode ends, before [`Profile::decide`] (added before, they would make the
    /// sources' later ACKs and resets handshakes): the victim answering the sources' SYNs.
    /// Many bots each sending raw SYNs (hping3 `-S`, a
    /// botnet's SYN flood from the bots' own addresses) draw a SYN-ACK for each, and each
    /// bot's kernel resets it: the networks may flag the resets and pass most SYNs (each
    /// bot's are few), and the resets, with no flagged SYN-ACK beside them, made the episode
    /// a reset flood. Resets that answer the victim's SYN-ACKs are no reset flood (a flood of
    /// resets, `hping3 -R`, spoofed or not, draws nothing from the victim).
    pub(crate) fn answered_syns(&mut self, n: u32) {
        self.synacks_in = self.synacks_in.saturating_add(n);
    }

    /// The dominant probe flag combination and its count.
    fn dominant(&self) -> Option<(u8, u64)> {
        self.flags
            .iter()
            .filter(|s| s.1 > 0)
            .max_by_key(|s| s.1)
            .map(|s| (s.0, u64::from(s.1)))
    }

    /// The class of the episode: protocol facts where they are decisive, otherwise the
    /// networks' per-packet classes `ml` (counts in [`Class::ALL`] order). `many_sources`:
    /// a victim's episode of packets from many sources.
    pub fn decide(&self, ml: &[u64; 15], many_sources: bool) -> Evidence {
        let tcp = self.tcp_probes();
        let udp = u64::from(self.udp);
        let echo = u64::from(self.icmp_echo);
        let probes = u64::from(self.probes);
        // the sketches' estimates are off by up to a few tenths past a few thousand values
        // (an `nmap -p-` was once "80,988 ports"): never more ports, or targets, than the
        // probes, nor more ports than there are
        let most = (probes as f64).max(1.0);
        let distinct = self.ports.estimate().clamp(1.0, most.min(PORTS));
        let per_port = probes as f64 / distinct;
        // repetition is per target: with one destination host its targets are its ports;
        // a scan of many hosts probes every port on each (a horizontal scan)
        let hosts = self.hosts.estimate();
        let targets = if hosts >= 1.5 {
            self.targets.estimate().clamp(1.0, most)
        } else {
            distinct
        };
        let sports = self.sports.estimate().min(PORTS);
        // `connect()`'s SYNs from far fewer source ports than SYNs: the kernel sent them again,
        // from the attempt's own port, because nothing answered (a firewall that drops, or
        // rate-limits its ICMP refusals): each attempt counts once
        let resent = self.resent_syns(sports, targets);
        let probes_once = probes.saturating_sub(resent);
        let per_target = probes_once as f64 / targets;
        let ascending = if self.steps > 0 {
            f64::from(self.ascending) / f64::from(self.steps)
        } else {
            0.0
        };
        let dom = self.dominant();
        // every probe from a new source port
        let new_sport_each = sports >= 0.5 * probes_once as f64;
        // a few ports of many hosts, more hosts than ports: a sweep of addresses (Mirai's
        // telnet scan, 23 and 2323 of random addresses, a raw SYN from a new source port
        // each), whose probes from new source ports in no order are no flood's
        let horizontal = hosts >= SWEEP_MIN_HOSTS && distinct < hosts;
        let mut ev = Evidence {
            naming: Naming {
                class: majority(ml),
                rule: Rule::Networks,
                alternatives: &[],
            },
            probe_flags: None,
            probe_share: 0.0,
            probes,
            distinct_ports: if probes > 0 { distinct } else { 0.0 },
            per_port: if probes > 0 { per_port } else { 0.0 },
            ascending,
            distinct_hosts: hosts,
            distinct_targets: if probes > 0 { targets } else { 0.0 },
            per_target: if probes > 0 { per_target } else { 0.0 },
            udp,
            icmp_echo: echo,
            fragments: u64::from(self.fragments),
            handshakes: u64::from(self.handshakes),
            bare_rst: u64::from(self.bare_rst),
            rst_in: u64::from(self.rst_in),
            unreach_in: u64::from(self.unreach_in),
            login: None,
            overlapping: 0,
            oversize: 0,
            renegotiating: 0,
            fuzzing: 0,
            slow_requests: 0,
        };
        let named = |class, rule, alternatives: &'static [Class]| Naming {
            class,
            rule,
            alternatives,
        };
        // scan or flood of one family, from the volume and shape of the probes
        let volume = |scan: Class, flood: Class, probes_n: u64| -> Naming {
            if many_sources {
                named(flood, Rule::ManySources, &[])
            } else if scan == Class::ScanUdp
                && probes_n >= FLOOD_MIN_PROBES
                && (SCAN_MAX_PER_PORT..RAW_MAX_TRIES).contains(&per_target)
                && sports <= RAW_MAX_TRIES.max(0.1 * probes_n as f64)
                && sports >= 0.5 * per_target
                && 2 * u64::from(self.udp_service_sport) <= probes_n
            {
                // a raw scanner's datagrams resent from a source port per try
                named(scan, Rule::ResentProbes, &[])
            } else if probes_n >= FLOOD_MIN_PROBES && per_target >= FLOOD_PER_PORT {
                named(flood, Rule::Repetition, &[])
            } else if probes_n >= RANDOM_FLOOD_MIN_PROBES
                && per_target < SCAN_MAX_PER_PORT
                && ascending < ASCENDING
                && new_sport_each
                && !horizontal
                // SYNs not by `connect()` (a datagram or another probe has no such mark)
                && (scan != Class::ScanSyn || !self.connects())
            {
                named(flood, Rule::RandomPortsNewSourcePort, &[])
            } else if per_target < SCAN_MAX_PER_PORT && ascending < ASCENDING {
                named(scan, Rule::DistinctPorts, &[])
            } else if per_target < SCAN_MAX_PER_PORT && new_sport_each {
                // ports counting up, each once, every packet a new connection: a flood
                named(flood, Rule::SourcePortPerProbe, &[])
            } else if per_target < SCAN_MAX_PER_PORT && sports <= FEW_SOURCE_PORTS {
                // ports counting up from one source port: a raw scanner sweeping in order
                named(scan, Rule::FixedSourcePort, &[])
            } else {
                named(vote(ml, &[scan, flood]), Rule::NetworksWithinFamily, &[])
            }
        };
        let biggest = tcp.max(udp).max(echo);
        // resets at volume that no SYN-ACK called for, and few probes beside them: a reset
        // flood (masscan resets every port it probed, one RST per probe: a scan)
        let resets = u64::from(self.rst_out);
        if resets >= FLOOD_MIN_PROBES
            && resets > RESETS_PER_SYNACK * biggest
            && resets > RESETS_PER_SYNACK * u64::from(self.synacks_in)
        {
            ev.naming = named(Class::OtherAttack, Rule::Resets, &[]);
            return ev;
        }
        // what the networks were never shown (crate::unlearned), when it is most of what the
        // side sent: forged ICMP errors, SCTP or UDP-Lite probes, other protocols
        let forged = u64::from(self.forged_errors);
        let ported = u64::from(self.ported);
        // a protocol scan probes many protocols; packets of one or two (a tunnel the networks
        // flagged) are left to the rules below
        let protocols = self.bare_protos.count_ones();
        let bare = if protocols >= crate::unlearned::PROTOCOLS {
            u64::from(self.bare)
        } else {
            0
        };
        let unlearned = forged.max(ported).max(bare);
        // packets of another protocol or a few, most of what the side sent, at volume: what
        // crate::unlearned flags as a one-way flood of one size
        let others = u64::from(self.bare);
        if protocols < crate::unlearned::PROTOCOLS
            && others >= FLOOD_MIN_PROBES
            && others > biggest.max(forged).max(ported)
        {
            ev.naming = named(Class::OtherAttack, Rule::OtherProtocolFlood, &[]);
            return ev;
        }
        if unlearned > biggest {
            ev.naming = if forged == unlearned {
                named(Class::FloodIcmp, Rule::ForgedErrors, &[])
            } else if ported == unlearned {
                volume(Class::OtherAttack, Class::OtherAttack, ported)
            } else {
                named(Class::OtherAttack, Rule::ProtocolScan, &[])
            };
            return ev;
        }
        // a flood of probes whose flags define a scan but no flood class (FIN, NULL, Maimon,
        // ACK) or nothing at all (PSH+ACK with data, SYN+ACK): DESIGN's other-attack
        let other_flood = |scan: Class, n: u64| {
            let v = volume(scan, Class::OtherAttack, n);
            v.rule.names_a_flood().then_some(v)
        };
        // ports counting up from a new source port each are a flood of SYNs or datagrams, each
        // a new connection that fills the victim's tables; a FIN, NULL, Maimon or ACK probe
        // opens nothing: sent once to each port in order (hping3 `-F -p ++1`) they are a scan
        // of their flags
        let scan_flood = |scan: Class, n: u64| {
            other_flood(scan, n).filter(|v| v.rule != Rule::SourcePortPerProbe)
        };
        // mostly fragments that show neither flags nor their datagram: nothing to read, the
        // networks name it
        let unshown = self.fragments.saturating_sub(self.fragments_shown);
        if biggest == 0 || (u64::from(unshown) > biggest && self.fragment_flags == 0) {
            return ev;
        }
        ev.naming = if echo == biggest {
            // a few to each host, as a sweep's targets are its ports' (an echo flood spread
            // over a subnet, `hping3 --icmp --rand-dest`, repeats every address)
            let per_host = echo as f64 / hosts.max(1.0);
            if !many_sources
                && hosts >= SWEEP_MIN_HOSTS
                && per_target < SCAN_MAX_PER_PORT
                && per_host < SCAN_MAX_PER_PORT
            {
                named(Class::OtherAttack, Rule::PingSweep, &[])
            } else {
                named(Class::FloodIcmp, Rule::IcmpEcho, &[])
            }
        } else if udp == biggest {
            // a reflector's answers go to whatever ports the forged requests came from (hping3
            // counts them up): a flood however they are spread
            if 2 * u64::from(self.answers) > udp {
                named(Class::FloodUdp, Rule::Reflection, &[])
            } else {
                volume(Class::ScanUdp, Class::FloodUdp, udp)
            }
        } else {
            let Some((f, n)) = dom else { return ev };
            ev.probe_flags = Some(f);
            ev.probe_share = n as f64 / tcp.max(1) as f64;
            if 2 * n < tcp {
                return ev; // no combination dominates: the networks name it
            }
            // many kinds of probe beside the dominant one: an operating system's fingerprint
            // taken (nmap -O, -A), which repeats its probes to a few ports; a scan, not a flood
            // — unless far more of them than a fingerprint sends a host (thousands of ACKs to
            // one port after a connection flood's SYNs, requests and closes, in one episode)
            let kinds = self.flags.iter().filter(|s| s.1 > 0).count();
            if kinds >= FINGERPRINT_KINDS
                && (n as f64) < FINGERPRINT_SHARE * tcp as f64
                && tcp as f64 <= FINGERPRINT_MAX_PROBES * hosts.max(1.0)
            {
                if let Some(c) = probe_scan(f) {
                    ev.naming = named(c, Rule::Fingerprint, &[]);
                    return ev;
                }
            }
            match probe_scan(f) {
                Some(Class::ScanSyn) => {
                    let v = volume(Class::ScanSyn, Class::FloodSyn, n);
                    if v.class == Class::ScanSyn && v.rule == Rule::DistinctPorts {
                        self.syn_or_connect(ml, resent)
                    } else if v.rule == Rule::SourcePortPerProbe
                        && 2 * u64::from(self.os_syns) >= u64::from(self.syn_probes)
                    {
                        named(Class::ScanConnect, Rule::ConnectInOrder, &[])
                    } else if v.rule == Rule::NetworksWithinFamily {
                        named(
                            vote(ml, &[Class::ScanSyn, Class::ScanConnect, Class::FloodSyn]),
                            Rule::NetworksWithinFamily,
                            &[],
                        )
                    } else {
                        v
                    }
                }
                Some(Class::ScanXmas) => volume(Class::ScanXmas, Class::FloodXmas, n),
                Some(c) => scan_flood(c, n).unwrap_or_else(|| {
                    let alt: &'static [Class] = if c == Class::ScanAck {
                        &[Class::ScanWindow]
                    } else {
                        &[]
                    };
                    named(c, Rule::ProbeFlags, alt)
                }),
                None => match other_flood(Class::OtherAttack, n) {
                    Some(v) => v,
                    // SYN+ACKs that answer nothing, too few for a flood: no scan or flood
                    // class fits, and the networks, which learned SYN+ACKs from floods, would
                    // name them a SYN flood. An idle scan's probes of its zombie's IP ID (nmap
                    // -sI, lab/idlescan.sh) are such.
                    None if f & CLASSIC == SYN | ACK => {
                        named(Class::OtherAttack, Rule::ProbeFlags, &[])
                    }
                    None => return ev,
                },
            }
        };
        ev
    }

    /// Whether the source's SYNs are `connect()`'s: most carry an operating system's options
    /// ([`os_syn`]) and one window, or it completes more handshakes than its kernel resets (a
    /// raw tool's SYN-ACKs find no socket and are reset bare).
    fn connects(&self) -> bool {
        self.os_connects() || self.handshakes > self.bare_rst
    }

    /// Whether most of the source's SYNs carry an operating system's options ([`os_syn`]) and
    /// one window: `connect()`'s.
    fn os_connects(&self) -> bool {
        let syns = u64::from(self.syn_probes);
        syns > 0
            && 2 * u64::from(self.os_syns) >= syns
            && 2 * u64::from(self.syn_windows_changed) < syns
    }

    /// SYNs sent again: `connect()`'s SYNs ([`Profile::os_connects`]) from fewer than half as
    /// many source ports (`sports`, estimated) as SYNs, past one per port. `connect()` takes
    /// a new port for every attempt, and its kernel sends an unanswered SYN again from that
    /// port (Linux at 1, 3, 7 s...): a connect scan of ports a firewall drops, or refuses
    /// with ICMP at a rate-limited pace, sends each attempt three to six times (`nmap -sT
    /// -T3` against a host rejecting with admin-prohibited, `lab/firewalls.sh`), which by
    /// count alone looks like a flood's repetition. 0 otherwise: raw SYNs (a scanner's from
    /// one port, a flood's), and `connect()`'s a new port each (an HTTP flood, a scan of ports
    /// that answer).
    ///
    /// An attempt's SYNs all go to its one target, and its kernel sends them again only so
    /// often: never more SYNs sent again than SYNs past one per (host, port) target
    /// (`targets`, estimated), nor more than [`MAX_SYN_RESENDS`] per source port. SYNs from one
    /// port to a thousand ports counting up (mausezahn's `dp=1-1024`, from port 0, with
    /// Linux's options) are a raw scan's, not one attempt sent again a thousand times.
    fn resent_syns(&self, sports: f64, targets: f64) -> u64 {
        let syns = u64::from(self.syn_probes);
        if self.os_connects() && sports < 0.5 * syns as f64 {
            let ports = sports.round() as u64;
            syns.saturating_sub(ports)
                .min(syns.saturating_sub(targets.round() as u64))
                .min(MAX_SYN_RESENDS * ports.max(1))
        } else {
            0
        }
    }

    /// SYN scan or connect scan, from its source ports and how it treats SYN-ACKs. With ten
    /// probes or more the source ports decide: a raw scanner sends most probes from one or two
    /// ports (at most a tenth of the probes' count in distinct ports, or [`FEW_SOURCE_PORTS`]),
    /// `connect()` takes a new one for every probe (at least half as many as probes; bare SYNs
    /// from a new port each that are not [`Profile::connects`]'s are a raw tool's SYN scan). A SYN
    /// scan with service detection (`nmap -sV`) adds a few full connections, each with its own
    /// port and handshake, to hundreds of raw probes: still a SYN scan. Otherwise (few probes,
    /// or source ports in between) the handshakes completed against the kernel's bare RSTs to
    /// SYN-ACKs decide; when they are even, the networks choose.
    fn syn_or_connect(&self, ml: &[u64; 15], resent: u64) -> Naming {
        // each attempt once: `connect()`'s SYNs sent again from the attempt's port
        // ([`Profile::resent_syns`]) are no new probes
        let n = self
            .syn_probes
            .saturating_sub(u32::try_from(resent).unwrap_or(u32::MAX));
        let n = f64::from(n);
        let sports = self.sports.estimate().min(PORTS);
        let (class, rule) = if n >= 10.0 && sports <= FEW_SOURCE_PORTS.max(0.1 * n) {
            (Class::ScanSyn, Rule::ProbeFlags)
        } else if n >= 10.0 && sports >= 0.5 * n && self.connects() {
            (Class::ScanConnect, Rule::ProbeFlags)
        } else if n >= 10.0 && sports >= 0.5 * n {
            // a new source port per probe, but not `connect()`'s SYNs (no operating system's
            // options, or a window per packet): a raw tool that picks a port per packet
            // (packit, scapy's `RandShort()`)
            (Class::ScanSyn, Rule::ProbeFlags)
        } else if self.bare_rst > self.handshakes {
            (Class::ScanSyn, Rule::ProbeFlags)
        } else if self.handshakes > self.bare_rst {
            (Class::ScanConnect, Rule::ProbeFlags)
        } else {
            (
                vote(ml, &[Class::ScanSyn, Class::ScanConnect]),
                Rule::NetworksWithinFamily,
            )
        };
        Naming {
            class,
            rule,
            alternatives: &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::tests::{tcp, udp};

    const A: &str = "198.18.0.66";
    const V: &str = "198.18.0.10";

    fn none() -> [u64; 15] {
        [0; 15]
    }

    fn ml(c: Class) -> [u64; 15] {
        let mut m = [0; 15];
        m[c.index()] = 100;
        m
    }

    /// nmap-like: `n` probes with `flags` to distinct ports in a scrambled order, one source
    /// port, a RST back for each.
    fn scan(flags: u8, n: u16) -> Profile {
        let mut p = Profile::default();
        for i in 0..n {
            let port = 1 + (u32::from(i) * 7919 % u32::from(n)) as u16;
            p.add(&tcp(1.0, A, V, 40000, port, flags), true, false);
            p.add(&tcp(1.0, V, A, port, 40000, RST | ACK), false, false);
        }
        p
    }

    #[test]
    fn every_scan_flavour_is_named_by_its_probe_flags_whatever_the_networks_say() {
        let wrong = ml(Class::FloodXmas);
        for (flags, class) in [
            (0, Class::ScanNull),
            (FIN, Class::ScanFin),
            (FIN | PSH | URG, Class::ScanXmas),
            (FIN | ACK, Class::ScanMaimon),
            (ACK, Class::ScanAck),
            (SYN, Class::ScanSyn),
        ] {
            let e = scan(flags, 300).decide(&wrong, false);
            assert_eq!(e.naming.class, class, "{}: {e:?}", flag_names(flags));
            assert_eq!(e.probe_flags, Some(flags));
        }
        // ACK and window scans send the same probes: named ACK, window the alternative
        let e = scan(ACK, 100).decide(&ml(Class::ScanWindow), false);
        assert_eq!(e.naming.class, Class::ScanAck);
        assert_eq!(e.naming.alternatives, &[Class::ScanWindow]);
        // ECE/CWR do not change the combination; every flag lit is the Xmas family
        let e = scan(0xff, 300).decide(&none(), false);
        assert_eq!(e.naming.class, Class::ScanXmas);
    }

    #[test]
    fn a_syn_scan_and_a_connect_scan_differ_in_how_they_treat_syn_acks_and_source_ports() {
        // raw SYN scan: one source port, the kernel's bare RST to a SYN-ACK
        let mut p = scan(SYN, 200);
        p.add(&tcp(1.0, V, A, 80, 40000, SYN | ACK), false, false);
        p.add(&tcp(1.0, A, V, 40000, 80, RST), true, false);
        let e = p.decide(&ml(Class::ScanConnect), false);
        assert_eq!(e.naming.class, Class::ScanSyn, "{e:?}");
        // connect scan: a new source port per probe, handshakes completed then RST+ACK
        let mut p = Profile::default();
        for i in 0..200u16 {
            let port = 1 + (u32::from(i) * 7919 % 200) as u16;
            p.add(&tcp(1.0, A, V, 30000 + i, port, SYN), true, false);
            p.add(&tcp(1.0, V, A, port, 30000 + i, RST | ACK), false, false);
        }
        p.add(&tcp(1.0, V, A, 80, 30500, SYN | ACK), false, false);
        p.add(&tcp(1.0, A, V, 30500, 80, ACK), true, false);
        p.add(&tcp(1.0, A, V, 30500, 80, RST | ACK), true, false);
        let e = p.decide(&ml(Class::ScanSyn), false);
        assert_eq!(e.naming.class, Class::ScanConnect, "{e:?}");
    }

    /// Ports in a random order (a multiplicative step through 1..=65535), each probe from a
    /// new source port, as t50, Mirai's floods and scapy's `RandShort()` send them.
    fn random_ports(flags: u8, n: u32) -> Profile {
        let mut p = Profile::default();
        for i in 0..n {
            let port = 1 + (i * 40_503 % 65_535) as u16;
            let sport = 1024 + (i * 7_919 % 60_000) as u16;
            if flags == 0 {
                p.add(&udp(1.0, A, V, sport, port, 60), true, false);
            } else {
                p.add(&tcp(1.0, A, V, sport, port, flags), true, false);
            }
        }
        p
    }

    #[test]
    fn random_ports_from_a_new_source_port_each_at_volume_are_a_flood() {
        for (flags, class) in [
            (SYN, Class::FloodSyn),
            (0, Class::FloodUdp),
            (FIN | PSH | URG, Class::FloodXmas),
            (ACK, Class::OtherAttack),
        ] {
            let e = random_ports(flags, 5000).decide(&ml(Class::ScanSyn), false);
            assert_eq!(
                (e.naming.class, e.naming.rule),
                (class, Rule::RandomPortsNewSourcePort),
                "{flags:#x} {e:?}"
            );
            // fewer probes than nmap's default scan: a hand-made scan
            let e = random_ports(flags, 600).decide(&ml(Class::FloodSyn), false);
            assert!(!e.naming.is_flood(), "{flags:#x} {e:?}");
        }
        // the bare SYNs of that hand-made scan are a SYN scan, not connect()'s
        let e = random_ports(SYN, 600).decide(&ml(Class::ScanConnect), false);
        assert_eq!(e.naming.class, Class::ScanSyn, "{e:?}");
    }

    #[test]
    fn mirais_telnet_scan_of_random_addresses_is_a_syn_scan_and_a_flood_of_one_host_is_not() {
        // Mirai's scanner (scanner.c; lab/iot.sh, run 1b: 1,244 SYNs to 303 hosts): raw bare
        // SYNs, a new source port and window each, to port 23 nine times in ten else 2323, of
        // random addresses, a few of them twice; the base named it a flood by
        // RandomPortsNewSourcePort, which is for ports of one host
        let mirai = |hosts: u32, n: u32| {
            let mut p = Profile::default();
            for i in 0..n {
                let host = format!(
                    "198.18.{}.{}",
                    1 + (i * 7 % hosts) / 250,
                    1 + (i * 7 % hosts) % 250
                );
                let syn = PacketRepr {
                    window: (i * 7_717 % 65_521) as u16,
                    ..tcp(
                        1.0,
                        A,
                        &host,
                        1024 + (i * 7_919 % 60_000) as u16,
                        if i % 10 == 9 { 2323 } else { 23 },
                        SYN,
                    )
                };
                p.add(&syn, true, false);
            }
            p
        };
        let e = mirai(400, 1500).decide(&ml(Class::FloodSyn), false);
        assert_eq!(e.naming.class, Class::ScanSyn, "{e:?}");
        assert!(e.distinct_hosts > 350.0, "{e:?}");
        // the same SYNs to the two ports of one host: a flood by repetition
        let e = mirai(1, 1500).decide(&ml(Class::ScanSyn), false);
        assert_eq!(
            (e.naming.class, e.naming.rule),
            (Class::FloodSyn, Rule::Repetition),
            "{e:?}"
        );
        // to random ports of 20 hosts, more ports than hosts: a flood spread over a few hosts
        let mut p = Profile::default();
        for i in 0..5000u32 {
            let host = format!("198.18.0.{}", 1 + i % 20);
            let syn = PacketRepr {
                window: (i * 7_717 % 65_521) as u16,
                ..tcp(
                    1.0,
                    A,
                    &host,
                    1024 + (i * 7_919 % 60_000) as u16,
                    1 + (i * 40_503 % 65_535) as u16,
                    SYN,
                )
            };
            p.add(&syn, true, false);
        }
        let e = p.decide(&ml(Class::ScanSyn), false);
        assert_eq!(
            (e.naming.class, e.naming.rule),
            (Class::FloodSyn, Rule::RandomPortsNewSourcePort),
            "{e:?}"
        );
    }

    #[test]
    fn a_connect_scan_of_every_port_in_random_order_is_no_flood() {
        // nmap -sT -p-: connect()'s SYNs (Linux: a 40-byte TCP header), a new source port each
        let mut p = Profile::default();
        for i in 0..5000u32 {
            let port = 1 + (i * 40_503 % 65_535) as u16;
            let syn = PacketRepr {
                ip_len: 60,
                ..tcp(1.0, A, V, 32768 + (i % 28_000) as u16, port, SYN)
            };
            p.add(&syn, true, false);
            p.add(&tcp(1.0, V, A, port, syn.sport, RST | ACK), false, false);
        }
        let e = p.decide(&ml(Class::FloodSyn), false);
        assert_eq!(e.naming.class, Class::ScanConnect, "{e:?}");
        // the same options, but a window drawn for every SYN (t50 with --mss --wscale --tstamp
        // --sack-ok, Mirai's SYN flood): no operating system's connect(), a flood
        let mut p = Profile::default();
        for i in 0..5000u32 {
            let port = 1 + (i * 40_503 % 65_535) as u16;
            let syn = PacketRepr {
                ip_len: 60,
                window: (i * 7_717 % 65_521) as u16,
                ..tcp(1.0, A, V, 1024 + (i * 7_919 % 60_000) as u16, port, SYN)
            };
            p.add(&syn, true, false);
        }
        let e = p.decide(&ml(Class::ScanSyn), false);
        assert_eq!(
            (e.naming.class, e.naming.rule),
            (Class::FloodSyn, Rule::RandomPortsNewSourcePort),
            "{e:?}"
        );
        // a raw scanner's one source port: a SYN scan however many ports
        let mut p = Profile::default();
        for i in 0..5000u32 {
            let port = 1 + (i * 40_503 % 65_535) as u16;
            p.add(&tcp(1.0, A, V, 61_000, port, SYN), true, false);
        }
        let e = p.decide(&ml(Class::FloodSyn), false);
        assert_eq!(
            (e.naming.class, e.naming.rule),
            (Class::ScanSyn, Rule::ProbeFlags),
            "{e:?}"
        );
    }

    #[test]
    fn syn_scan_vs_syn_flood() {
        // hping3 -S -p 80 -c 800: one port, at volume
        let mut p = Profile::default();
        for i in 0..800u16 {
            p.add(&tcp(1.0, A, V, 2000 + i, 80, SYN), true, false);
        }
        let e = p.decide(&ml(Class::ScanSyn), false);
        assert_eq!(e.naming.class, Class::FloodSyn);
        assert_eq!(e.naming.rule, Rule::Repetition);
        assert!(e.per_port > 500.0, "{e:?}");
        // an unthrottled nmap SYN scan of 1024 ports: one probe each, random order
        let e = scan(SYN, 1024).decide(&ml(Class::FloodSyn), false);
        assert_eq!(e.naming.class, Class::ScanSyn, "{e:?}");
        assert!((e.distinct_ports - 1024.0).abs() < 100.0, "{e:?}");
        // hping3 -p ++1: once per port, counting up, a new source port each: a flood
        let mut p = Profile::default();
        for i in 0..1200u16 {
            p.add(&tcp(1.0, A, V, 3000 + i, 1 + i, SYN), true, false);
        }
        let e = p.decide(&ml(Class::ScanConnect), false);
        assert_eq!(e.naming.class, Class::FloodSyn);
        assert_eq!(e.naming.rule, Rule::SourcePortPerProbe);
        assert!(e.ascending > 0.99);
        // the same sweep from one source port (nmap -r): a scan
        let mut p = Profile::default();
        for i in 0..1000u16 {
            p.add(&tcp(1.0, A, V, 40000, 1 + i, SYN), true, false);
        }
        let e = p.decide(&ml(Class::FloodSyn), false);
        assert_eq!(
            (e.naming.class, e.naming.rule),
            (Class::ScanSyn, Rule::FixedSourcePort)
        );
        // a sweep counting up from a handful of source ports: the networks choose
        let mut p = Profile::default();
        for i in 0..1000u16 {
            p.add(&tcp(1.0, A, V, 40000 + i % 20, 1 + i, SYN), true, false);
        }
        let e = p.decide(&ml(Class::FloodSyn), false);
        assert_eq!(
            (e.naming.class, e.naming.rule),
            (Class::FloodSyn, Rule::NetworksWithinFamily)
        );
        // a few SYNs from many spoofed sources at one victim: a flood
        let e = scan(SYN, 300).decide(&ml(Class::ScanSyn), true);
        assert_eq!(e.naming.class, Class::FloodSyn);
    }

    #[test]
    fn distinct_counts_stay_close_past_the_bitmaps_range() {
        for n in [1u32, 7, 40, 300, 1000, 2500, 6000, 20_000, 65_535, 250_000] {
            let mut d = Distinct::<8>::default();
            for v in 0..n {
                // each value twice: repeats change nothing
                d.add(hash_key(51, u128::from(v)));
                d.add(hash_key(51, u128::from(v)));
            }
            let (got, want) = (d.estimate(), f64::from(n));
            // linear counting is near exact while the bitmap has room (a collision or two),
            // about 5% off at two values per bit; past it, 64 HyperLogLog registers: about
            // 13% standard error
            let tol = if n <= 300 {
                0.02 * want + 1.0
            } else if n <= 1000 {
                0.1 * want
            } else {
                0.4 * want
            };
            assert!((got - want).abs() <= tol, "{n} values estimated {got:.0}");
        }
    }

    #[test]
    fn a_scan_of_every_port_is_a_scan_not_a_flood() {
        // nmap -sS -p- : 65,535 ports once each, from one source port
        let e = scan(SYN, 65_535).decide(&ml(Class::FloodSyn), false);
        assert_eq!(e.naming.class, Class::ScanSyn, "{e:?}");
        assert!(e.distinct_ports > 40_000.0, "{e:?}");
        assert!(
            e.distinct_ports <= 65_535.0,
            "never more ports than probes: {e:?}"
        );
        assert!(e.per_port < 2.0, "{e:?}");
        let e = scan(FIN | PSH | URG, 65_535).decide(&ml(Class::FloodXmas), false);
        assert_eq!(e.naming.class, Class::ScanXmas, "{e:?}");
    }

    #[test]
    fn a_scan_of_many_hosts_repeats_ports_but_not_targets() {
        // nmap -sU --top-ports 12 over five hosts, each probe sent twice or three times
        let ports = [53u16, 67, 123, 135, 137, 138, 161, 445, 500, 514, 631, 1900];
        let mut p = Profile::default();
        for h in 0..5u8 {
            let host = format!("198.18.0.{}", 20 + h);
            for (k, &port) in ports.iter().enumerate() {
                for _ in 0..2 + k % 2 {
                    p.add(&udp(1.0, A, &host, 45000, port, 28), true, false);
                }
            }
        }
        let e = p.decide(&ml(Class::FloodUdp), false);
        assert!(e.per_port >= FLOOD_PER_PORT, "ports repeat: {e:?}");
        assert!(e.per_target < SCAN_MAX_PER_PORT, "targets do not: {e:?}");
        assert!((e.distinct_hosts - 5.0).abs() < 0.5, "{e:?}");
        assert_eq!(
            (e.naming.class, e.naming.rule),
            (Class::ScanUdp, Rule::DistinctPorts),
            "{e:?}"
        );
        // a SYN flood against port 80 of three hosts is still repetition
        let mut p = Profile::default();
        for i in 0..900u16 {
            let host = format!("198.18.0.{}", 10 + i % 3);
            p.add(&tcp(1.0, A, &host, 2000 + i, 80, SYN), true, false);
        }
        let e = p.decide(&ml(Class::ScanSyn), false);
        assert_eq!(
            (e.naming.class, e.naming.rule),
            (Class::FloodSyn, Rule::Repetition),
            "{e:?}"
        );
        assert!(e.per_target > 100.0, "{e:?}");
    }

    #[test]
    fn a_syn_scan_with_service_detection_is_a_syn_scan() {
        // nmap -sS -sV: 120 raw SYNs from one source port, the kernel's bare RST to the
        // SYN-ACKs of the six open ports, then a full connection to each of them with its own
        // source port (more handshakes than bare RSTs)
        let mut p = scan(SYN, 120);
        let open = [7u16, 22, 25, 80, 110, 119];
        for &port in &open {
            p.add(&tcp(1.0, V, A, port, 40000, SYN | ACK), false, false);
            p.add(&tcp(1.0, A, V, 40000, port, RST), true, false);
        }
        for (k, &port) in open.iter().enumerate() {
            let sport = 50000 + k as u16;
            p.add(&tcp(1.0, A, V, sport, port, SYN), true, false);
            p.add(&tcp(1.0, V, A, port, sport, SYN | ACK), false, false);
            p.add(&tcp(1.0, A, V, sport, port, ACK), true, false);
            p.add(&tcp(1.0, A, V, sport, port, RST | ACK), true, false);
        }
        let e = p.decide(&ml(Class::ScanConnect), false);
        assert!(e.handshakes > e.bare_rst, "{e:?}");
        assert_eq!(
            (e.naming.class, e.naming.rule),
            (Class::ScanSyn, Rule::ProbeFlags),
            "{e:?}"
        );
    }

    #[test]
    fn xmas_scan_vs_xmas_flood() {
        let mut p = Profile::default();
        for i in 0..1200u16 {
            p.add(&tcp(1.0, A, V, 3000 + i, 22, FIN | PSH | URG), true, false);
        }
        assert_eq!(
            p.decide(&ml(Class::ScanXmas), false).naming.class,
            Class::FloodXmas
        );
        assert_eq!(
            scan(FIN | PSH | URG, 500)
                .decide(&ml(Class::FloodXmas), false)
                .naming
                .class,
            Class::ScanXmas
        );
    }

    #[test]
    fn udp_scan_vs_udp_flood() {
        // nmap -sU with retransmissions: 53 probes over 14 ports, each 1-9 times
        let mut p = Profile::default();
        let ports = [
            53u16, 67, 68, 69, 123, 137, 138, 161, 162, 500, 514, 520, 1900, 5353,
        ];
        for k in 0..53usize {
            let port = ports[(k * 5) % ports.len()];
            p.add(&udp(1.0, A, V, 45000, port, 28), true, false);
        }
        let e = p.decide(&ml(Class::FloodUdp), false);
        assert_eq!(e.naming.class, Class::ScanUdp, "{e:?}");
        // hping3 --udp -p 123 -c 800
        let mut p = Profile::default();
        for i in 0..800u16 {
            p.add(&udp(1.0, A, V, 1500 + i, 123, 92), true, false);
        }
        let e = p.decide(&ml(Class::ScanUdp), false);
        assert_eq!(e.naming.class, Class::FloodUdp, "{e:?}");
        // a spoofed UDP flood at one victim
        let e = p.decide(&ml(Class::ScanUdp), true);
        assert_eq!(e.naming.rule, Rule::ManySources);
        // hping3 --udp -p ++2000 -c 150 (one spoofed source of a flood): ports counting up,
        // a new source port each
        let mut p = Profile::default();
        for i in 0..150u16 {
            p.add(
                &udp(1.0, "198.19.13.110", V, 1500 + i, 2000 + i, 60),
                true,
                false,
            );
        }
        let e = p.decide(&ml(Class::ScanUdp), false);
        assert_eq!(e.naming.class, Class::FloodUdp, "{e:?}");
    }

    /// nmap `-sU -T4` seen without its refusals (a capture of one direction, or filtered to
    /// the victim's address): up to 7 tries a port, the n-th from base + 2n; a scan. The look-
    /// alikes, floods: a fixed source port to one port or a few, many times each; 9 datagrams
    /// to each of 34 ports, a new source port each.
    #[test]
    fn udp_scan_resent_vs_udp_flood() {
        let resent = |tries: u16, sport_step: u16| {
            let mut p = Profile::default();
            for t in 0..tries {
                for port in 0..34u16 {
                    p.add(
                        &udp(
                            1.0,
                            A,
                            V,
                            40702 + sport_step * t + port * (sport_step / 100),
                            100 + 37 * port,
                            28,
                        ),
                        true,
                        false,
                    );
                }
            }
            p.decide(&ml(Class::FloodUdp), false)
        };
        // 7 and 10 tries from one source port per try: a scan by its resends
        for tries in [7, 10] {
            let e = resent(tries, 2);
            assert_eq!(
                (e.naming.class, e.naming.rule),
                (Class::ScanUdp, Rule::ResentProbes),
                "{e:?}"
            );
            assert!(!e.naming.is_flood());
        }
        // the next attack's first packets in the episode (hping3's first SYNs, from 8 more
        // source ports): still the scan
        let mut p = Profile::default();
        for t in 0..7u16 {
            for port in 0..34u16 {
                p.add(
                    &udp(1.0, A, V, 40702 + 2 * t, 100 + 37 * port, 28),
                    true,
                    false,
                );
            }
        }
        for i in 0..8u16 {
            p.add(&tcp(1.0, A, V, 1135 + i, 80, 0x02), true, false);
        }
        let e = p.decide(&ml(Class::FloodUdp), false);
        assert_eq!(
            (e.naming.class, e.naming.rule),
            (Class::ScanUdp, Rule::ResentProbes),
            "{e:?}"
        );
        // 9 a port, each datagram from a new source port: a flood
        let e = resent(9, 200);
        assert_eq!(e.naming.class, Class::FloodUdp, "{e:?}");
        // 12 a port: more than nmap ever sends a port, a flood
        let e = resent(12, 2);
        assert_eq!(
            (e.naming.class, e.naming.rule),
            (Class::FloodUdp, Rule::Repetition),
            "{e:?}"
        );
        // fraggle's answers: an echo server's port 7 to the victim's ports 7000-7049, 8 each
        let mut p = Profile::default();
        for i in 0..400u16 {
            p.add(&udp(1.0, A, V, 7, 7000 + i % 50, 64), true, false);
        }
        let e = p.decide(&ml(Class::FloodUdp), false);
        assert_eq!(e.naming.class, Class::FloodUdp, "{e:?}");
        assert_ne!(e.naming.rule, Rule::ResentProbes);
        // the same answers from a host that is also a client: its own datagrams from 60
        // ephemeral ports beside them (classic's 198.18.0.20)
        for i in 0..60u16 {
            p.add(&udp(1.0, A, V, 40000 + 7 * i, 53, 40), true, false);
        }
        let e = p.decide(&ml(Class::FloodUdp), false);
        assert_eq!(e.naming.class, Class::FloodUdp, "{e:?}");
        assert_ne!(e.naming.rule, Rule::ResentProbes);
        // hping3 --udp -k -s 5000 -p 53 -c 300: one source port, one port
        let mut p = Profile::default();
        for _ in 0..300 {
            p.add(&udp(1.0, A, V, 5000, 53, 28), true, false);
        }
        let e = p.decide(&ml(Class::ScanUdp), false);
        assert_eq!(
            (e.naming.class, e.naming.rule),
            (Class::FloodUdp, Rule::Repetition),
            "{e:?}"
        );
        // a few datagrams resent: below the flood volume the networks decide, as before
        let mut p = Profile::default();
        for t in 0..9u16 {
            for port in 0..5u16 {
                p.add(&udp(1.0, A, V, 40702 + 2 * t, 100 + port, 28), true, false);
            }
        }
        let e = p.decide(&ml(Class::ScanUdp), false);
        assert_eq!(e.naming.rule, Rule::NetworksWithinFamily, "{e:?}");
    }

    /// `nmap -sS -f`: every probe cut into three 8-byte fragments, the first with the ports and
    /// no flags byte, the second with the flags (as `nightjar_packet` decodes them), the third
    /// with neither.
    #[test]
    fn a_scan_in_tiny_fragments_is_named_by_the_flags_its_fragments_carry() {
        for (flags, class) in [(SYN, Class::ScanSyn), (FIN | PSH | URG, Class::ScanXmas)] {
            let mut p = Profile::default();
            for i in 0..200u16 {
                let port = 1 + (u32::from(i) * 7919 % 200) as u16;
                let mut first = tcp(1.0, A, V, 40000, port, 0);
                first.fragment = true;
                let mut second = tcp(1.0, A, V, 0, 0, flags);
                second.fragment = true;
                let mut third = tcp(1.0, A, V, 0, 0, 0);
                third.fragment = true;
                for q in [first, second, third] {
                    p.add(&q, true, false);
                }
                p.add(&tcp(1.0, V, A, port, 40000, RST | ACK), false, false);
            }
            let e = p.decide(&ml(Class::ScanNull), false);
            assert_eq!(e.naming.class, class, "{flags:#x}");
            assert_eq!(e.probe_flags, Some(flags));
        }
    }

    /// hping3 `--udp -p 8443 -d 1500` at a port that answers: every datagram in two fragments
    /// (three with `-d 3000`), the first with the ports. The networks flag the fragments and
    /// vote `scan-udp`; the first fragments are the datagrams, all to one port: a flood.
    #[test]
    fn a_flood_of_fragmented_datagrams_is_named_by_its_first_fragments() {
        // `scan`: one source port, the ports in a scrambled order (nmap); else hping3's new
        // source port per datagram, to one port
        let fragmented = |n: u32, per: u32, scan: bool| {
            let mut p = Profile::default();
            for i in 0..n {
                let id = 1000 + i;
                let (sport, port) = if scan {
                    (40000, 1 + (i * 7919 % n) as u16)
                } else {
                    (40000 + (i % 5000) as u16, 8443)
                };
                let mut first = udp(1.0, A, V, sport, port, 1480);
                (first.fragment, first.frag_id) = (true, id);
                p.add(&first, true, false);
                for _ in 1..per {
                    let mut later = udp(1.0, A, V, 0, 0, 48);
                    (later.fragment, later.later_fragment, later.frag_id) = (true, true, id);
                    p.add(&later, true, false);
                }
                p.add(&udp(1.0, V, A, port, sport, 100), false, false);
            }
            p.decide(&ml(Class::ScanUdp), false)
        };
        for per in [2, 3] {
            let e = fragmented(600, per, false);
            assert_eq!(e.naming.class, Class::FloodUdp, "{per}: {e:?}");
            assert_eq!(e.fragments, u64::from(600 * per));
            assert_eq!(e.udp, 600);
        }
        // fragmented probes of 300 ports, once each (`nmap -sU -f` shape): still a scan
        let e = fragmented(300, 2, true);
        assert_eq!(e.naming.class, Class::ScanUdp, "{e:?}");
        // later fragments alone (their first fragments not flagged, or another datagram's id):
        // nothing to read, the networks name it
        let mut p = Profile::default();
        for i in 0..200u32 {
            let mut later = udp(1.0, A, V, 0, 0, 48);
            (later.fragment, later.later_fragment, later.frag_id) = (true, true, i);
            p.add(&later, true, false);
        }
        let mut first = udp(1.0, A, V, 40000, 8443, 1480);
        (first.fragment, first.frag_id) = (true, 7);
        p.add(&first, true, false);
        let e = p.decide(&ml(Class::ScanUdp), false);
        assert_eq!(
            (e.naming.class, e.naming.rule),
            (Class::ScanUdp, Rule::Networks)
        );
    }

    #[test]
    fn icmp_echo_fragments_and_unknown_flags() {
        let mut p = Profile::default();
        for _ in 0..100 {
            let mut q = tcp(1.0, A, V, 0, 0, 0);
            q.proto = 1;
            q.icmp_type = 8;
            p.add(&q, true, false);
        }
        assert_eq!(p.decide(&none(), false).naming.class, Class::FloodIcmp);
        // one or two echo requests to each of 1,024 hosts (nmap -sn --min-rate 2000 of a
        // /22): a ping sweep, though the networks flag it as an ICMP flood; to eight hosts,
        // a ping flood of each, still a flood
        for (hosts, each, class, rule) in [
            (1024u32, 1, Class::OtherAttack, Rule::PingSweep),
            (300, 2, Class::OtherAttack, Rule::PingSweep),
            (8, 40, Class::FloodIcmp, Rule::IcmpEcho),
            // hping3 --icmp --rand-dest 198.18.4.x: a flood spread over a /24, every address
            // a dozen times, or eight; three each is still a sweep (nmap's retries). (The
            // hosts are estimated, a few percent off: no case on the bound of five.)
            (256, 12, Class::FloodIcmp, Rule::IcmpEcho),
            (64, 8, Class::FloodIcmp, Rule::IcmpEcho),
            (64, 3, Class::OtherAttack, Rule::PingSweep),
        ] {
            let mut p = Profile::default();
            for h in 0..hosts {
                let host = format!("198.18.{}.{}", 4 + h / 256, h % 256);
                for _ in 0..each {
                    let mut q = tcp(1.0, A, &host, 0, 0, 0);
                    q.proto = 1;
                    q.icmp_type = 8;
                    p.add(&q, true, false);
                }
            }
            let e = p.decide(&ml(Class::FloodIcmp), false);
            assert_eq!(
                (e.naming.class, e.naming.rule),
                (class, rule),
                "{hosts}: {e:?}"
            );
            assert!(!e.naming.is_flood() || class == Class::FloodIcmp);
        }
        // mostly fragments: the networks name it
        let mut p = Profile::default();
        for _ in 0..100 {
            let mut q = tcp(1.0, A, V, 0, 0, 0);
            q.fragment = true;
            p.add(&q, true, false);
        }
        let e = p.decide(&ml(Class::ScanNull), false);
        assert_eq!(
            (e.naming.class, e.naming.rule),
            (Class::ScanNull, Rule::Networks)
        );
        // SYN+FIN probes: no nmap flavour; the networks name it
        let e = scan(SYN | FIN, 100).decide(&ml(Class::ScanSyn), false);
        assert_eq!(e.naming.rule, Rule::Networks);
        assert_eq!(e.probe_flags, Some(SYN | FIN));
        // nothing at all: other-attack
        assert_eq!(
            Profile::default().decide(&none(), false).naming.class,
            Class::OtherAttack
        );
    }

    #[test]
    fn fin_probes_counting_up_from_new_source_ports_are_a_scan_and_syn_acks_a_flood() {
        // hping3 -F -p ++1 -c 500: one FIN to each port in order, a new source port each
        let mut p = Profile::default();
        for i in 0..500u16 {
            p.add(&tcp(1.0, A, V, 2000 + i, 1 + i, FIN), true, false);
        }
        let e = p.decide(&ml(Class::ScanFin), false);
        assert_eq!(
            (e.naming.class, e.naming.rule),
            (Class::ScanFin, Rule::ProbeFlags)
        );
        // hping3 -S -A -p ++1024: SYN+ACKs, which no scan sends, stay a flood
        let mut p = Profile::default();
        for i in 0..500u16 {
            p.add(&tcp(1.0, A, V, 2000 + i, 1024 + i, SYN | ACK), true, false);
        }
        let e = p.decide(&ml(Class::FloodXmas), false);
        assert_eq!(
            (e.naming.class, e.naming.rule),
            (Class::OtherAttack, Rule::SourcePortPerProbe)
        );
    }

    #[test]
    fn an_idle_scans_syn_ack_probes_of_its_zombie_are_other_attack_not_a_syn_flood() {
        // nmap -sI ZOMBIE -T4 -p 20-25,80,443,8000-8010 (lab/idlescan.sh): 30 SYN+ACKs to the
        // zombie's port 80, a new source port each, too few for a flood. The networks, which
        // learned SYN+ACKs from floods, vote a SYN flood.
        let mut p = Profile::default();
        for i in 0..30u16 {
            p.add(&tcp(1.0, A, V, 40000 + i, 80, SYN | ACK), true, false);
        }
        let e = p.decide(&ml(Class::FloodSyn), false);
        assert_eq!(
            (e.naming.class, e.naming.rule, e.probe_flags),
            (Class::OtherAttack, Rule::ProbeFlags, Some(SYN | ACK))
        );
        // other flag mixes no nmap flavour sends, as few, are still the networks' to name
        let mut p = Profile::default();
        for i in 0..30u16 {
            p.add(&tcp(1.0, A, V, 40000 + i, 80, SYN | FIN), true, false);
        }
        let e = p.decide(&ml(Class::FloodSyn), false);
        assert_eq!(
            (e.naming.class, e.naming.rule),
            (Class::FloodSyn, Rule::Networks)
        );
    }

    #[test]
    fn an_os_fingerprint_is_a_scan_and_a_flood_with_a_few_other_probes_stays_a_flood() {
        // nmap -O, ten rounds (five tries each of two runs, as -A's OS detection sent 123
        // probes to four ports): six SYNs to open port 80; NULL, SYN+FIN+PSH+URG and ACK to
        // it; SYN, ACK and FIN+PSH+URG to closed port 1. The networks' vote says flood.
        let mut p = Profile::default();
        for round in 0..10u16 {
            for k in 0..6u16 {
                p.add(
                    &tcp(1.0, A, V, 50000 + round * 10 + k, 80, SYN),
                    true,
                    false,
                );
            }
            for (port, flags) in [
                (80, 0),
                (80, SYN | FIN | PSH | URG),
                (80, ACK),
                (1, SYN),
                (1, ACK),
                (1, FIN | PSH | URG),
            ] {
                p.add(&tcp(1.0, A, V, 50100 + round, port, flags), true, false);
            }
        }
        let e = p.decide(&ml(Class::FloodSyn), false);
        assert_eq!(
            (e.naming.class, e.naming.rule),
            (Class::ScanSyn, Rule::Fingerprint)
        );
        assert!(!e.naming.is_flood());
        // a SYN flood whose episode took in the first probes of a scan after it
        let mut p = Profile::default();
        for i in 0..500u16 {
            p.add(&tcp(1.0, A, V, 1024 + i, 80, SYN), true, false);
        }
        for flags in [0, FIN, FIN | PSH | URG] {
            for port in 1..10u16 {
                p.add(&tcp(2.0, A, V, 40000, port, flags), true, false);
            }
        }
        let e = p.decide(&ml(Class::FloodSyn), false);
        assert_eq!(e.naming.class, Class::FloodSyn);
        // a connection flood's SYNs, requests and closes, then 5,000 bare ACKs to the same
        // port, in one episode (a namespace run of ab, then hping3 -A 3 s later): an ACK flood,
        // whether the server's SYN-ACKs were flagged (then the ACKs are not all the
        // connections' handshakes) or not (then its four kinds of probe are no fingerprint)
        for synacks in [true, false] {
            let mut p = Profile::default();
            for i in 0..1000u16 {
                let sport = 30000 + i;
                p.add(&tcp(1.0, A, V, sport, 80, SYN), true, false);
                if synacks {
                    p.add(&tcp(1.0, V, A, 80, sport, SYN | ACK), false, false);
                    p.add(&tcp(1.0, A, V, sport, 80, ACK), true, false);
                }
                if i % 2 == 0 {
                    let request = PacketRepr {
                        payload_len: 80,
                        ..tcp(1.0, A, V, sport, 80, PSH | ACK)
                    };
                    p.add(&request, true, false);
                }
                p.add(&tcp(1.0, A, V, sport, 80, FIN | ACK), true, false);
            }
            for i in 0..5000u16 {
                p.add(&tcp(2.0, A, V, 1024 + i, 80, ACK), true, false);
            }
            let e = p.decide(&ml(Class::ScanAck), false);
            assert_eq!(e.naming.class, Class::OtherAttack, "{synacks}: {e:?}");
            assert!(e.naming.is_flood(), "{synacks}: {e:?}");
        }
        // an HTTP flood fetching images (siege): SYN, SYN-ACK, the handshake's ACK, a request,
        // twelve segments of answer and six ACKs of them, FIN+ACK: a SYN flood, its ACKs the
        // connections' own
        let mut p = Profile::default();
        for i in 0..1000u16 {
            let sport = 30000 + i;
            p.add(&tcp(1.0, A, V, sport, 80, SYN), true, false);
            p.add(&tcp(1.0, V, A, 80, sport, SYN | ACK), false, false);
            p.add(&tcp(1.0, A, V, sport, 80, ACK), true, false);
            let request = PacketRepr {
                payload_len: 120,
                ..tcp(1.0, A, V, sport, 80, PSH | ACK)
            };
            p.add(&request, true, false);
            for k in 0..12 {
                let data = PacketRepr {
                    payload_len: 1448,
                    ..tcp(1.0, V, A, 80, sport, ACK)
                };
                p.add(&data, false, false);
                if k % 2 == 1 {
                    p.add(&tcp(1.0, A, V, sport, 80, ACK), true, false);
                }
            }
            p.add(&tcp(1.0, A, V, sport, 80, FIN | ACK), true, false);
        }
        let e = p.decide(&ml(Class::OtherAttack), false);
        assert_eq!(e.naming.class, Class::FloodSyn, "{e:?}");
    }

    #[test]
    fn forged_errors_protocol_scans_and_sctp_probes_are_named_by_what_they_are() {
        let packet = |protocol: u8, dport: u16| {
            let mut q = udp(1.0, A, V, 40000, dport, 40);
            q.proto = protocol;
            q
        };
        // BlackNurse: port unreachables quoting 1.2.3.4 -> 5.6.7.8, whatever the networks say
        let mut p = Profile::default();
        for _ in 0..100 {
            let mut q = packet(1, 0);
            q.icmp_type = 3;
            q.inner = Some(nightjar_packet::Inner {
                proto: 17,
                src: "1.2.3.4".parse().unwrap(),
                dst: "5.6.7.8".parse().unwrap(),
                sport: 1,
                dport: 2,
            });
            p.add(&q, true, false);
        }
        let e = p.decide(&ml(Class::ScanUdp), false);
        assert_eq!(
            (e.naming.class, e.naming.rule),
            (Class::FloodIcmp, Rule::ForgedErrors)
        );
        assert!(e.naming.is_flood());
        // real errors sent by the side count for nothing: the networks name it
        let mut p = Profile::default();
        for _ in 0..100 {
            let mut q = packet(1, 0);
            q.icmp_type = 3;
            q.payload_len = 28;
            p.add(&q, true, false);
        }
        assert_eq!(
            p.decide(&ml(Class::ScanUdp), false).naming.rule,
            Rule::Networks
        );
        // nmap -sO: one packet of each protocol, a handful of them TCP, UDP or ICMP
        let mut p = Profile::default();
        for n in 0..=255u8 {
            p.add(&packet(n, 0), true, false);
        }
        let e = p.decide(&ml(Class::OtherAttack), false);
        assert_eq!(
            (e.naming.class, e.naming.rule),
            (Class::OtherAttack, Rule::ProtocolScan)
        );
        assert!(!e.naming.is_flood());
        // GRE packets flagged at volume: one protocol is no protocol scan but a GRE flood
        // (crate::unlearned flags a one-way flood of one size; a two-way tunnel is normal)
        let mut p = Profile::default();
        for _ in 0..200 {
            p.add(&packet(47, 0), true, false);
        }
        let e = p.decide(&ml(Class::ScanUdp), false);
        assert_eq!(
            (e.naming.class, e.naming.rule),
            (Class::OtherAttack, Rule::OtherProtocolFlood)
        );
        assert!(e.naming.is_flood());
        // a few of them are the networks' to name
        let mut p = Profile::default();
        for _ in 0..(FLOOD_MIN_PROBES - 1) {
            p.add(&packet(47, 0), true, false);
        }
        let e = p.decide(&ml(Class::ScanUdp), false);
        assert_eq!(e.naming.rule, Rule::Networks);
        // nmap -sY: SCTP INITs to 300 distinct ports (in a scrambled order, or counting up
        // from one source port), a scan; 300 INITs to one port, a flood
        for (step, rule) in [(7919u32, Rule::DistinctPorts), (1, Rule::FixedSourcePort)] {
            let mut p = Profile::default();
            for i in 1..=300u32 {
                p.add(&packet(132, (i * step % 300 + 1) as u16), true, false);
            }
            let e = p.decide(&ml(Class::OtherAttack), false);
            assert_eq!((e.naming.class, e.naming.rule), (Class::OtherAttack, rule));
            assert!(!e.naming.is_flood());
        }
        let mut p = Profile::default();
        for _ in 1..=300u16 {
            p.add(&packet(132, 2905), true, false);
        }
        let e = p.decide(&ml(Class::OtherAttack), false);
        assert_eq!(
            (e.naming.class, e.naming.rule),
            (Class::OtherAttack, Rule::Repetition)
        );
        // TCP probes outnumbering them keep their own naming
        let mut p = scan(SYN, 200);
        for n in 0..50u8 {
            p.add(&packet(n.wrapping_add(100), 0), true, false);
        }
        assert_eq!(
            p.decide(&ml(Class::ScanSyn), false).naming.class,
            Class::ScanSyn
        );
    }

    /// `n` TCP packets with `flags` from one source port to one port, a RST back for each
    /// that is no RST itself (hping3 `-A -p 80 -c N` and its kind).
    fn one_port_flood(flags: u8, n: u32) -> Profile {
        let mut p = Profile::default();
        for _ in 0..n {
            p.add(&tcp(1.0, A, V, 2000, 80, flags), true, false);
            if flags & RST == 0 {
                p.add(&tcp(1.0, V, A, 80, 2000, RST), false, false);
            }
        }
        p
    }

    #[test]
    fn floods_of_flags_with_no_flood_class_are_other_attacks_and_scans_stay_scans() {
        // DESIGN §12 has flood classes for SYN, UDP, ICMP and Xmas only: a flood of any other
        // TCP probe is an other-attack, whatever the networks say
        for flags in [ACK, FIN, 0, FIN | ACK, PSH | ACK, SYN | ACK, SYN | FIN] {
            let e = one_port_flood(flags, 3000).decide(&ml(Class::ScanAck), false);
            assert_eq!(
                (e.naming.class, e.naming.rule),
                (Class::OtherAttack, Rule::Repetition),
                "{}",
                flag_names(flags)
            );
        }
        // the same flags sent across many ports a few times each are still scans
        for (flags, class) in [
            (ACK, Class::ScanAck),
            (FIN, Class::ScanFin),
            (0, Class::ScanNull),
            (FIN | ACK, Class::ScanMaimon),
        ] {
            let e = scan(flags, 1000).decide(&ml(Class::FloodXmas), false);
            assert_eq!(e.naming.class, class, "{}", flag_names(flags));
        }
        // and too few repeated probes to be a flood keep the scan's name
        let e = one_port_flood(ACK, 20).decide(&none(), false);
        assert_eq!(e.naming.class, Class::ScanAck);
        // a spoofed ACK flood from many sources (a victim's episode)
        let e = scan(ACK, 300).decide(&none(), true);
        assert_eq!(
            (e.naming.class, e.naming.rule),
            (Class::OtherAttack, Rule::ManySources)
        );
    }

    #[test]
    fn a_flood_of_resets_is_an_other_attack_and_a_scanners_resets_are_not() {
        for flags in [RST, RST | ACK] {
            let e = one_port_flood(flags, 3000).decide(&ml(Class::FloodXmas), false);
            assert_eq!(
                (e.naming.class, e.naming.rule),
                (Class::OtherAttack, Rule::Resets),
                "{}",
                flag_names(flags)
            );
        }
        // a SYN scan whose kernel resets every SYN-ACK it gets (here all 300 ports are open)
        let mut p = Profile::default();
        for i in 0..300u16 {
            p.add(&tcp(1.0, A, V, 40000, 1 + i * 7 % 300, SYN), true, false);
            p.add(
                &tcp(1.0, V, A, 1 + i * 7 % 300, 40000, SYN | ACK),
                false,
                false,
            );
            p.add(&tcp(1.0, A, V, 40000, 1 + i * 7 % 300, RST), true, false);
        }
        assert_eq!(p.decide(&none(), false).naming.class, Class::ScanSyn);
        // masscan: a RST to every port it probed, closed ones too
        let mut p = scan(SYN, 1000);
        for i in 0..1000u16 {
            p.add(&tcp(1.0, A, V, 40000, 1 + i, RST), true, false);
        }
        assert_eq!(p.decide(&none(), false).naming.class, Class::ScanSyn);
        // fewer resets than the flood threshold: the networks name them
        let e = one_port_flood(RST, 40).decide(&ml(Class::FloodXmas), false);
        assert_eq!(e.naming.rule, Rule::Networks);
    }

    /// A victim's episode of many bots' raw SYNs to one port (hping3 `-S -p 80` at 2 a second
    /// from each of 40 bots, lab/botnet.sh): the networks flagged each bot's kernel's bare RSTs
    /// to the victim's SYN-ACKs and passed most SYNs and every SYN-ACK; `synacks` of those
    /// SYN-ACKs are counted when the episode ends.
    fn bots_resetting(resets: u32, syns: u32, synacks: u32) -> Profile {
        let mut p = Profile::default();
        for i in 0..resets {
            let bot = if i % 2 == 0 { A } else { "198.18.0.67" };
            let port = 1024 + (i % 60000) as u16;
            if i < syns {
                p.add(&tcp(1.0, bot, V, port, 80, SYN), true, false);
            }
            p.add(&tcp(1.0, bot, V, port, 80, RST), true, false);
        }
        p.answered_syns(synacks);
        p
    }

    #[test]
    fn resets_answering_the_victims_syn_acks_are_a_syn_flood_from_many_sources() {
        // every reset answers a SYN-ACK the victim sent (passed by the networks): the SYNs
        // they answered name the flood
        let e = bots_resetting(960, 102, 960).decide(&ml(Class::FloodSyn), true);
        assert_eq!(
            (e.naming.class, e.naming.rule),
            (Class::FloodSyn, Rule::ManySources)
        );
        // before session 20 the victim's passed SYN-ACKs were not counted: a reset flood
        let e = bots_resetting(960, 102, 0).decide(&ml(Class::FloodSyn), true);
        assert_eq!(
            (e.naming.class, e.naming.rule),
            (Class::OtherAttack, Rule::Resets)
        );
        // a reset flood from many (forged) sources draws no SYN-ACK from the victim: still
        // one, and so it is when the victim answered a few clients' SYNs meanwhile
        for synacks in [0, 10, 200] {
            let e = bots_resetting(1000, 0, synacks).decide(&ml(Class::FloodSyn), true);
            assert_eq!(
                (e.naming.class, e.naming.rule),
                (Class::OtherAttack, Rule::Resets),
                "{synacks} SYN-ACKs"
            );
        }
    }

    #[test]
    fn syns_counting_up_from_new_ports_are_a_connect_scan_with_os_options_and_a_flood_without() {
        // a Python loop of connect_ex() over ports 1..=1024: Linux's 40-byte TCP header
        // (ip_len 60), a new source port each; versus hping3 -S -p ++1: bare 20-byte headers
        for (ip_len, class, rule) in [
            (60, Class::ScanConnect, Rule::ConnectInOrder),
            (40, Class::FloodSyn, Rule::SourcePortPerProbe),
        ] {
            let mut p = Profile::default();
            for port in 1..=1024u16 {
                let syn = PacketRepr {
                    ip_len,
                    ..tcp(1.0, A, V, 40000 + port, port, SYN)
                };
                p.add(&syn, true, false);
                p.add(&tcp(1.0, V, A, port, 40000 + port, RST | ACK), false, false);
            }
            let e = p.decide(&ml(Class::FloodSyn), false);
            assert_eq!((e.naming.class, e.naming.rule), (class, rule), "{ip_len}");
        }
    }

    #[test]
    fn an_episode_mostly_of_renegotiated_connections_is_named_by_them() {
        // thc-ssl-dos's three connections (lab/iot.sh): three SYNs, whose profile alone names
        // a scan of too few targets (no alert), and the connections' segments the renegotiation
        // rule flagged
        let mut p = Profile::default();
        for port in [40_001, 40_002, 40_003] {
            let mut syn = tcp(1.0, A, V, port, 443, SYN);
            syn.ip_len = 60;
            p.add(&syn, true, false);
        }
        let e = p.decide(&ml(Class::OtherAttack), false);
        assert!(e.naming.class.is_scan(), "{e:?}");
        let r = e.with_renegotiations(1776, 1779);
        assert_eq!(
            (r.naming.class, r.naming.rule, r.renegotiating),
            (Class::OtherAttack, Rule::TlsRenegotiation, 1776)
        );
        assert_eq!(r.to_json()["tls_renegotiation_packets"], 1776);
        assert_eq!(r.to_json()["rule"], "tls-renegotiation");
        // half or fewer of the flagged packets, or none: as it was
        for (n, flagged) in [(500, 1000), (0, 0)] {
            let r = e.with_renegotiations(n, flagged);
            assert_eq!(
                (r.naming.class, r.renegotiating),
                (e.naming.class, 0),
                "{n}"
            );
            assert!(r.to_json().get("tls_renegotiation_packets").is_none());
        }
    }

    #[test]
    fn an_episode_mostly_of_slow_requests_is_named_by_them() {
        // slowhttptest -H over TLS (lab/tlsdos.sh): 100 SYNs to one port, whose profile alone
        // names a SYN flood, and the held connections' segments the slow-request rule flagged
        let mut p = Profile::default();
        for port in 40_000..40_100 {
            let mut syn = tcp(1.0, A, V, port, 443, SYN);
            syn.ip_len = 60;
            p.add(&syn, true, false);
        }
        let e = p.decide(&ml(Class::FloodSyn), false);
        assert_ne!(e.naming.class, Class::OtherAttack, "{e:?}");
        let r = e.with_slow_requests(636, 0, 700);
        assert_eq!(
            (r.naming.class, r.naming.rule, r.slow_requests),
            (Class::OtherAttack, Rule::SlowRequests, 636)
        );
        assert_eq!(r.to_json()["slow_request_packets"], 636);
        assert_eq!(r.to_json()["rule"], "slow-requests");
        // slowhttptest -X: most of them of connections whose client held its window shut,
        // slow reads; half or fewer (a slow read beside a slowloris), slow requests still
        let r = e.with_slow_requests(636, 400, 700);
        assert_eq!(
            (r.naming.class, r.naming.rule, r.slow_requests),
            (Class::OtherAttack, Rule::SlowReads, 636)
        );
        assert_eq!(r.to_json()["rule"], "slow-reads");
        let r = e.with_slow_requests(636, 318, 700);
        assert_eq!(r.naming.rule, Rule::SlowRequests);
        // half or fewer of the flagged packets (an HTTP flood right after, from the same
        // client), or none: as it was
        for (n, flagged) in [(500, 1000), (0, 0)] {
            let r = e.with_slow_requests(n, 0, flagged);
            assert_eq!(
                (r.naming.class, r.slow_requests),
                (e.naming.class, 0),
                "{n}"
            );
            assert!(r.to_json().get("slow_request_packets").is_none());
        }
    }

    #[test]
    fn an_episode_mostly_of_fuzzed_connections_is_named_by_them() {
        // 250 connections to one port: their SYNs alone name something else than fuzzing
        let mut p = Profile::default();
        for port in 40_000..40_250 {
            let mut syn = tcp(1.0 + f64::from(port - 40_000) * 0.03, A, V, port, 80, SYN);
            syn.ip_len = 60;
            p.add(&syn, true, false);
        }
        let e = p.decide(&ml(Class::FloodSyn), false);
        assert_ne!(e.naming.rule, Rule::Fuzzing);
        let r = e.with_fuzzing(1100, 1250);
        assert_eq!(
            (r.naming.class, r.naming.rule, r.fuzzing),
            (Class::OtherAttack, Rule::Fuzzing, 1100)
        );
        assert_eq!(r.to_json()["fuzzing_packets"], 1100);
        assert_eq!(r.to_json()["rule"], "fuzzing");
        // half or fewer of the flagged packets, or none: as it was
        for (n, flagged) in [(625, 1250), (0, 0)] {
            let r = e.with_fuzzing(n, flagged);
            assert_eq!(
                (r.naming.class, r.naming.rule, r.fuzzing),
                (e.naming.class, e.naming.rule, 0),
                "{n}"
            );
            assert!(r.to_json().get("fuzzing_packets").is_none());
        }
    }

    #[test]
    fn flag_names_read_well() {
        assert_eq!(flag_names(0), "none");
        assert_eq!(flag_names(FIN | PSH | URG), "FIN+PSH+URG");
        assert_eq!(flag_names(SYN | ACK), "SYN+ACK");
    }

    /// A SYN with an operating system's options (a 40-byte TCP header, as Linux's
    /// `connect()` sends: 60 bytes of IPv4) or a raw scanner's (24 bytes: MSS only).
    fn syn(sport: u16, dport: u16, os: bool) -> nightjar_packet::PacketRepr {
        let mut p = tcp(1.0, A, V, sport, dport, SYN);
        p.ip_len = if os { 60 } else { 44 };
        p
    }

    /// `attempts` connection attempts to distinct ports in a scrambled order, each from a new
    /// source port, each SYN sent `times` times, nothing answering.
    fn unanswered(attempts: u16, times: u16, os: bool) -> Profile {
        let mut p = Profile::default();
        for i in 0..attempts {
            let port = 1 + (u32::from(i) * 7919 % u32::from(attempts)) as u16;
            for _ in 0..times {
                p.add(&syn(30_000 + i, port, os), true, false);
            }
        }
        p
    }

    #[test]
    fn a_connect_scan_whose_syns_the_kernel_sent_again_is_named_by_its_attempts() {
        // nmap -sT -T3 against a host that drops or rejects with rate-limited ICMP
        // (lab/firewalls.sh): 350 attempts, each SYN sent six times; by count alone six
        // probes per port, which is no scan (SCAN_MAX_PER_PORT 5) and left to the networks
        let p = unanswered(350, 6, true);
        // (the source ports are estimated: within a few percent)
        let resent = p.resent_syns(p.sports.estimate(), p.targets.estimate());
        assert!((1650..=1800).contains(&resent), "{resent}");
        let e = p.decide(&ml(Class::ScanSyn), false);
        assert_eq!(
            (e.naming.class, e.naming.rule),
            (Class::ScanConnect, Rule::ProbeFlags),
            "{e:?}"
        );
        assert!(e.per_target < 1.1, "{e:?}");
        // three times each: a connect scan too
        let e = unanswered(350, 3, true).decide(&ml(Class::ScanSyn), false);
        assert_eq!(e.naming.class, Class::ScanConnect, "{e:?}");
    }

    #[test]
    fn syns_with_os_options_from_one_port_to_many_ports_are_a_raw_scan_not_resends() {
        // mausezahn `-t tcp "dp=1-1024,flags=syn"` (lab/iot.sh, run 1): every SYN from source
        // port 0 with Linux's options (a 40-byte TCP header), ports counting up, each refused;
        // the base took the 1,023 SYNs past the one source port for one attempt sent again
        // 1,023 times, so one probe "from a new source port each": a connect scan
        let mut p = Profile::default();
        for port in 1..=1024u16 {
            p.add(&syn(0, port, true), true, false);
            p.add(&tcp(1.0, V, A, port, 0, RST | ACK), false, false);
        }
        // (the targets are estimated, within a few percent: a few of 1,024)
        let (sports, targets) = (p.sports.estimate(), p.targets.estimate());
        assert!(p.resent_syns(sports, targets) <= MAX_SYN_RESENDS);
        let e = p.decide(&ml(Class::ScanConnect), false);
        assert_eq!(
            (e.naming.class, e.naming.rule),
            (Class::ScanSyn, Rule::FixedSourcePort),
            "{e:?}"
        );
        // the same SYNs to one port: at most MAX_SYN_RESENDS of them are resends, the rest
        // a flood's repetition
        let mut p = Profile::default();
        for _ in 0..3000u16 {
            p.add(&syn(0, 80, true), true, false);
        }
        let (sports, targets) = (p.sports.estimate(), p.targets.estimate());
        assert_eq!(p.resent_syns(sports, targets), MAX_SYN_RESENDS);
        let e = p.decide(&ml(Class::FloodSyn), false);
        assert_eq!(
            (e.naming.class, e.naming.rule),
            (Class::FloodSyn, Rule::Repetition),
            "{e:?}"
        );
    }

    #[test]
    fn raw_syns_sent_again_and_connects_each_from_a_new_port_count_every_syn() {
        // raw SYNs (MSS only), a new port each, each sent six times: not connect()'s, every
        // SYN a probe, as before (six a port: no scan by its shape, the networks choose)
        let p = unanswered(350, 6, false);
        assert_eq!(p.resent_syns(p.sports.estimate(), p.targets.estimate()), 0);
        let e = p.decide(&ml(Class::FloodSyn), false);
        assert_eq!(e.naming.rule, Rule::NetworksWithinFamily, "{e:?}");
        // connect()'s SYNs each from a new port, once each (a scan of ports that answer, an
        // HTTP flood): nothing resent
        let p = unanswered(350, 1, true);
        assert_eq!(p.resent_syns(p.sports.estimate(), p.targets.estimate()), 0);
        // a flood of connect()'s SYNs to one port, a new source port each: still a flood
        let mut p = Profile::default();
        for i in 0..3000u16 {
            p.add(&syn(20_000 + i, 80, true), true, false);
        }
        assert_eq!(p.resent_syns(p.sports.estimate(), p.targets.estimate()), 0);
        let e = p.decide(&ml(Class::FloodSyn), false);
        assert_eq!(e.naming.class, Class::FloodSyn, "{e:?}");
    }
}
