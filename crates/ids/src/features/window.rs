//! `window`: damped per-host and per-conversation statistics at several time scales, in the
//! manner of Kitsune's incremental statistics (Mirsky et al., NDSS 2018).
//!
//! Every statistic is a damped sum `w ← w·2^(−Δt/h) + x` kept at four half-lives `h` of
//! 0.1 s, 1 s, 10 s and 60 s ([`HALF_LIVES`]), updated in one pass over the packets in time
//! order (a packet older than the last one seen is taken at the last time). Ratios of two sums
//! decayed alike are recent fractions; a sum is a recent count (about rate × h / ln 2).
//!
//! **Whose point of view.** By the labelling rule a victim's replies to a scanner (SYN-ACKs,
//! RSTs, ICMP unreachables) are attack packets too, so a packet is described from both ends of
//! its conversation, oriented the same way for requests and replies: the statistics of the
//! *client* end (the higher port for TCP/UDP, the requester for ICMP; see `is_client`), those
//! of the *server* end, and those of the conversation (the unordered address pair, each
//! direction kept apart, reported client→server and server→client), plus a flag saying which
//! way this packet goes. A probe and the reply to it thus share their context features. A
//! scanner shows as a client that sends to many new ports, mostly bare SYNs (or FIN/NULL/Xmas
//! probes), and whose packets are refused (RSTs and ICMP unreachables sent *to* it; the quoted
//! packet of an ICMP error names who was refused). A flood from spoofed sources shows at its
//! server end: many packets received, many new sources, mostly bare SYNs.
//!
//! **Layout** (180 features, all in [0, 1]; `names()` lists them; damped sums below 2⁻¹⁰⁰
//! count as 0, which changes no feature by more than 10⁻²¹):
//!
//! * 0–20, the packet itself: protocol, flags byte and IP length scaled as in `paper7`
//!   (not its port numbers, which are categories rather than quantities, nor its TTL and TCP
//!   window, which are tool fingerprints that one option changes); protocol one-hot (TCP, UDP,
//!   ICMP or ICMPv6, other); the eight TCP flag bits (FIN SYN RST PSH ACK URG ECE CWR); payload
//!   present; fragment; ICMP destination unreachable; source port < 1024; destination port
//!   < 1024; sent by the client end (to the server).
//! * 21–84, the client host, 16 per half-life: packets sent, packets received (counts as
//!   ln(1+w)/ln(1+10⁶)); mean and standard deviation of the IP length sent (÷1500); fractions of
//!   the packets sent that are bare SYNs (SYN without ACK), carry FIN, carry RST, are TCP with no
//!   flag, are UDP, are ICMP; refusals received per packet sent; fractions of the packets sent
//!   that went to a new (destination, port) — ports are ICMP types for ICMP —, to a new
//!   destination, from a new source port; fraction of the packets received that are bare SYNs;
//!   fraction received from a new source. "New" means not seen in the last 30 s
//!   ([`NOVELTY_HORIZON`]): the approximate distinct counts of a decayed set.
//! * 85–148, the server host, the same 64.
//! * 149–172, the conversation, 6 per half-life: packets client→server and server→client
//!   (counts); client→server, the fractions to a new port and of bare SYNs; refusals sent by
//!   the server per client→server packet; server→client, the fraction to a new port.
//! * 173–179, the flow (protocol and both ends' addresses and ports; an ICMP error belongs to
//!   the flow of the packet it quotes; a flow idle for [`FLOW_IDLE`] starts again), not
//!   damped: packets client→server and server→client so far (counts); the fractions of them
//!   that carry payload; whether the TCP handshake completed (SYN-ACK, then the client's ACK);
//!   whether the flow was refused (RST or ICMP unreachable); its age (ln(1+s)/ln(1+600)). A
//!   probe or a flood packet is a flow of one or two packets without payload; a host's normal
//!   sessions are flows with a handshake and data both ways, whatever else that host did in
//!   the last minute.
//!
//! **Bounded memory.** Hosts, conversations and the "seen recently" set live in bounded
//! set-associative tables with LRU eviction ([`super::table`]); capacities are set by
//! [`WindowConfig`] (flows share the conversations' capacity); a table starts small and grows
//! to its capacity as entries come, never past it.

use super::fastmath;
use super::table::{hash_mixed, ip_key, mix, premix, SetAssoc, StampSet};
use nightjar_packet::PacketRepr;

/// Number of time scales.
pub const SCALES: usize = 4;
/// The half-lives of the damped statistics, seconds.
pub const HALF_LIVES: [f64; SCALES] = [0.1, 1.0, 10.0, 60.0];
/// A (host, port) or (host, host) pair not seen for this long is "new" again, seconds.
pub const NOVELTY_HORIZON: f64 = 30.0;

const OWN: usize = 21;
const HOST_PER_SCALE: usize = 16;
const PAIR_PER_SCALE: usize = 6;
/// A flow with no packet for this long starts again, seconds.
pub const FLOW_IDLE: f64 = 60.0;

const FLOW: usize = 7;
/// Number of features.
pub const LEN: usize = OWN + 2 * HOST_PER_SCALE * SCALES + PAIR_PER_SCALE * SCALES + FLOW;

// host accumulators
const H_SENT: usize = 0;
const H_RECV: usize = 1;
const H_LEN: usize = 2;
const H_LEN2: usize = 3;
const H_SYN: usize = 4;
const H_FIN: usize = 5;
const H_RST: usize = 6;
const H_NULL: usize = 7;
const H_UDP: usize = 8;
const H_ICMP: usize = 9;
const H_REFUSED: usize = 10;
const H_NDPORT: usize = 11;
const H_NDST: usize = 12;
const H_NSPORT: usize = 13;
const H_RSYN: usize = 14;
const H_NSRC: usize = 15;
const HA: usize = 16;

// pair accumulators, per direction (direction 0 = from the lower key to the higher)
const P_CNT: usize = 0;
const P_NPORT: usize = 1;
const P_SYN: usize = 2;
const P_REFUSED: usize = 3;
const PA: usize = 4;

const HOST_NAMES: [&str; HOST_PER_SCALE] = [
    "sent",
    "recv",
    "len_mean",
    "len_std",
    "syn_frac",
    "fin_frac",
    "rst_frac",
    "null_frac",
    "udp_frac",
    "icmp_frac",
    "refused_per_sent",
    "new_port_frac",
    "new_dst_frac",
    "new_sport_frac",
    "recv_syn_frac",
    "new_src_frac",
];
const PAIR_NAMES: [&str; PAIR_PER_SCALE] = [
    "c2s",
    "s2c",
    "c2s_new_port_frac",
    "c2s_syn_frac",
    "refused_by_server_frac",
    "s2c_new_port_frac",
];
const FLOW_NAMES: [&str; FLOW] = [
    "c2s_pkts",
    "s2c_pkts",
    "c2s_payload_frac",
    "s2c_payload_frac",
    "handshake",
    "refused",
    "age",
];
const OWN_NAMES: [&str; OWN] = [
    "proto",
    "tcp_flags",
    "ip_len",
    "is_tcp",
    "is_udp",
    "is_icmp",
    "is_other",
    "fin",
    "syn",
    "rst",
    "psh",
    "ack",
    "urg",
    "ece",
    "cwr",
    "has_payload",
    "fragment",
    "icmp_unreach",
    "sport_lt_1024",
    "dport_lt_1024",
    "to_server",
];

/// Feature names, in order (e.g. `src.syn_frac@1s`).
pub fn names() -> Vec<String> {
    let mut v: Vec<String> = OWN_NAMES.iter().map(|s| s.to_string()).collect();
    for who in ["cli", "srv"] {
        for h in HALF_LIVES {
            for n in HOST_NAMES {
                v.push(format!("{who}.{n}@{h}s"));
            }
        }
    }
    for h in HALF_LIVES {
        for n in PAIR_NAMES {
            v.push(format!("pair.{n}@{h}s"));
        }
    }
    for n in FLOW_NAMES {
        v.push(format!("flow.{n}"));
    }
    v
}

/// Capacities of the `window` state tables (they bound its memory; they are not part of the
/// feature schema: they only matter once entries are evicted).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WindowConfig {
    /// Hosts remembered.
    pub hosts: usize,
    /// Conversations (address pairs) remembered; also the flows remembered.
    pub pairs: usize,
    /// Entries of the "seen recently" set of (host, port), (host, host) and (host, source port).
    pub seen: usize,
}

impl Default for WindowConfig {
    fn default() -> Self {
        WindowConfig {
            hosts: 1 << 16,
            pairs: 1 << 16,
            seen: 1 << 18,
        }
    }
}

#[derive(Clone, Default)]
struct HostStats([[f32; HA]; SCALES]);

#[derive(Clone, Default)]
struct PairStats([[f32; 2 * PA]; SCALES]);

/// One flow: packets and packets with payload per direction (0 client→server, 1 back).
#[derive(Clone, Copy, Default)]
struct FlowStats {
    first: f64,
    n: [f32; 2],
    payload: [f32; 2],
    synack: bool,
    handshake: bool,
    refused: bool,
    /// The flow's first packet (in this life of the flow) went to the server.
    opened_by_client: bool,
    /// That first packet was a SYN (without ACK) to the server: a connection being opened.
    opened_by_syn: bool,
    /// What the ends did ([`ENDS_FIN`], [`ENDS_SERVED`], [`ENDS_CLOSED`]).
    ends: u8,
    /// Since a reset closed the connection ([`ENDS_CLOSED`]), per end (0 the client, 1 the
    /// server): the TCP segments other than resets that reached it and that it has not
    /// answered with a reset (its kernel answers each with one), at most 255.
    owed: [u8; 2],
}

/// In [`FlowStats::ends`], per end (0 the client, 1 the server): it sent a FIN.
const ENDS_FIN: [u8; 2] = [1, 2];
/// In [`FlowStats::ends`], per end: it received data before it sent a FIN (the connection
/// served it something while it was open).
const ENDS_SERVED: [u8; 2] = [4, 8];
/// In [`FlowStats::ends`]: a reset closed the connection ([`WindowState::closing_reset`]).
const ENDS_CLOSED: u8 = 16;
/// In [`FlowStats::ends`]: the server's SYN-ACK, the handshake completed, and a refusal (RST
/// or ICMP unreachable), each of the flow's current connection only: a SYN that opens a new
/// connection on the same addresses and ports clears them with the rest of `ends`
/// ([`new_connection`]). `synack`, `handshake` and `refused` keep the flow's whole life, as
/// the networks learned them; these decide whether a segment is of an established connection
/// ([`WindowState::flow_established`]) and whether a reset closes one.
const LIVE_SYNACK: u8 = 32;
const LIVE_HANDSHAKE: u8 = 64;
const LIVE_REFUSED: u8 = 128;

/// Whether a segment with TCP `flags` to the server opens a new connection on a flow whose
/// connection before it is over or going: a bare SYN after that connection completed its
/// handshake, was refused, or ended (a FIN or a closing reset). A client reuses its source
/// port soon after (a busy client cycles through its ephemeral ports in a minute; a tool
/// killed mid-run leaves reset connections whose ports the next run takes again), and the
/// new connection must not inherit the old one's refusal or close. A SYN sent again before
/// any answer changes nothing.
fn new_connection(flow: &FlowStats, to_server: bool, segment: bool, flags: u8) -> bool {
    segment
        && to_server
        && flags & 0x17 == 0x02
        && flow.ends & (LIVE_HANDSHAKE | LIVE_REFUSED | ENDS_FIN[0] | ENDS_FIN[1] | ENDS_CLOSED)
            != 0
}

/// How soon after a flow's first packet, an answer, the request it answers may come and still
/// be taken as written out of order ([`WindowState::answered_late`]): far less than any round
/// trip a request and its answer are apart on a real network, far more than a mirror port's or
/// a NIC's queues reorder by.
pub const ANSWER_SWAP: f64 = 0.001;

/// The flows opened by an answer that are remembered ([`WindowState::answered_late`]): in
/// sets of [`ANSWER_WAYS`] chosen by the flow's hash.
const ANSWER_SLOTS: usize = 256;
/// The ways of a set of [`ANSWER_SLOTS`]: a flow opened by an answer takes a way of its set
/// that is free, or held by a flow opened more than [`ANSWER_SWAP`] before (whose request can
/// no longer come late), else the way of the one opened first. Direct-mapped (one way), two
/// flows opened by answers within a millisecond took one slot once in a while (thirty resets
/// of an idle scan's target in 256 slots: more likely than not), and the request of the
/// first, written after both, found the second there: its flow stayed the answer's sender's
/// for good (the target "against" the zombie, session 23).
const ANSWER_WAYS: usize = 4;

/// The way of `answers` to remember a flow opened by an answer at `now` in (its set chosen by
/// `hash`, [`ANSWER_WAYS`]): a free one, else one opened more than [`ANSWER_SWAP`] before,
/// else the one opened first.
fn answer_way(answers: &[Option<(FlowKey, f64, u8)>; ANSWER_SLOTS], hash: u64, now: f64) -> usize {
    let set = answer_set(hash);
    let mut way = set.start;
    let mut oldest = f64::INFINITY;
    for (i, a) in answers[set.clone()].iter().enumerate() {
        match a {
            None => return set.start + i,
            Some((_, t, _)) if now - t > ANSWER_SWAP => return set.start + i,
            Some((_, t, _)) if *t < oldest => {
                oldest = *t;
                way = set.start + i;
            }
            Some(_) => {}
        }
    }
    way
}

/// The places in the answers' table ([`ANSWER_SLOTS`]) of the set of the flow with `hash`.
fn answer_set(hash: u64) -> std::ops::Range<usize> {
    let start = hash as usize % (ANSWER_SLOTS / ANSWER_WAYS) * ANSWER_WAYS;
    start..start + ANSWER_WAYS
}

/// [`WindowState::opened_by_answer`], in `last_answer`.
const OPENED_BY_ANSWER: u8 = 1;
/// [`WindowState::answered_late`], in `last_answer`.
const ANSWERED_LATE: u8 = 2;

/// Whether a TCP segment with `request` flags draws an `answer` with those flags (RFC 793
/// §3.4): a SYN-ACK answers a SYN (without ACK); a reset answers any segment without RST, with
/// ACK when that segment had none (its sequence number then 0) and without when it had one
/// (its sequence number that ACK's).
fn draws(request: u8, answer: u8) -> bool {
    const SYN: u8 = 0x02;
    const RST: u8 = 0x04;
    const ACK: u8 = 0x10;
    if request & RST != 0 {
        false
    } else if answer & RST != 0 {
        (answer & ACK != 0) != (request & ACK != 0)
    } else {
        answer & (SYN | ACK) == SYN | ACK && request & (SYN | ACK) == SYN
    }
}

/// [`ANSWERED_LATE`] if a whole TCP segment with `flags`, the first from its end of flow
/// `st` (keys `k`) that the other end opened, is the request the flow's first packet
/// answers ([`WindowState::answered_late`]: the flow's second packet, within
/// [`ANSWER_SWAP`] of its first), its sender made the flow's opener; else 0.
#[cold]
#[inline(never)]
fn answered(
    answers: &mut [Option<(FlowKey, f64, u8)>; ANSWER_SLOTS],
    k: &Keys,
    st: &mut FlowStats,
    now: f64,
    flags: u8,
) -> u8 {
    if st.n[0] + st.n[1] != 1.0 {
        return 0;
    }
    for slot in &mut answers[answer_set(k.flow_hash)] {
        match *slot {
            Some((flow, first, answer)) if flow == k.flow && first == st.first => {
                if now - first <= ANSWER_SWAP && draws(flags, answer) {
                    st.opened_by_client = k.to_server;
                    *slot = None;
                    return ANSWERED_LATE;
                }
                return 0;
            }
            _ => {}
        }
    }
    0
}

/// (client address, server address, protocol << 32 | client port << 16 | server port).
type FlowKey = (u128, u128, u64);

/// The streaming state of the `window` features.
pub struct WindowState {
    hosts: SetAssoc<u128, HostStats>,
    pairs: SetAssoc<(u128, u128), PairStats>,
    flows: SetAssoc<FlowKey, FlowStats>,
    seen: StampSet,
    clock: f64,
    packets: u64,
    /// Of the last packet pushed, if a whole TCP segment: whether its flow's opener sent it.
    last_by_opener: Option<bool>,
    /// Of the last packet pushed: a whole TCP segment of a flow its opener began with a SYN.
    last_opened_by_syn: bool,
    /// Of the last packet pushed: [`OPENED_BY_ANSWER`] if a whole TCP segment that can only be
    /// an answer (a SYN-ACK or a reset) that opened its flow ([`WindowState::opened_by_answer`]);
    /// [`ANSWERED_LATE`] if the request that its flow's first packet, an answer written before
    /// it, answers, its sender now the flow's opener ([`WindowState::answered_late`]); else 0.
    last_answer: u8,
    /// The flows last opened by an answer ([`WindowState::opened_by_answer`]), in sets of
    /// [`ANSWER_WAYS`] by their hash ([`answer_way`]): the flow, the time it was opened and the
    /// answer's TCP flags.
    answers: Box<[Option<(FlowKey, f64, u8)>; ANSWER_SLOTS]>,
    /// Of the last packet pushed: the first segment with payload its flow's opener sent, in a
    /// flow begun with a SYN.
    last_first_data: bool,
    /// Packets of an established TCP session after this many of its packets are counted in
    /// their flow only ([`WindowState::set_session_after`]); 0: never.
    session_after: u32,
    /// The last packet pushed was counted in its flow only.
    last_in_session: bool,
    /// The last packet pushed was a whole TCP segment of a connection whose handshake
    /// completed and that nothing refused (this packet included).
    last_established: bool,
    /// The last packet pushed was a TCP reset that closed a connection
    /// ([`WindowState::closing_reset`]).
    last_closing_reset: bool,
    /// Packets prepared and not yet pushed.
    ring: Ring,
    /// The decay factors of recent time differences.
    decay: DecayCache,
}

/// ln(1 + 10^6): counts are scaled by this.
const COUNT_SCALE: f32 = 13.815_511;
/// Counts are clamped to this before their logarithm: ln(1 + 10^7) / [`COUNT_SCALE`] > 1, so
/// every larger count (and +∞) scales to 1 all the same.
const COUNT_MAX: f32 = 1e7;
/// ln(1 + 600) (`600f64.ln_1p()`): flow ages in seconds are scaled by this.
const AGE_SCALE: f64 = 6.398_594_934_535_208;
/// Ages are clamped to this before their logarithm: ln(1 + 10^6) / [`AGE_SCALE`] > 1.
const AGE_MAX: f64 = 1e6;

/// Below this (2⁻¹⁰⁰), a count or the numerator of a fraction is taken as 0. Damped sums get
/// that small (a host silent for 10 s, at the 0.1 s scale), then subnormal, whose arithmetic is
/// many times slower on some CPUs (AMD Zen: about 50 cycles more per value in
/// [`Snapshot::write`]). The features that changes are below 6·10⁻³² (a count) and 8·10⁻²² (a
/// fraction, of a denominator above 10⁻⁹).
const TINY: f32 = 7.888_609e-31;

/// A count `w` scaled into [0, 1]: `(w.max(0.0).ln_1p() / COUNT_SCALE).min(1.0)`, with the
/// vectorisable [`fastmath::ln_1p_f32`] (the same but for rare 1-ulp differences: see there);
/// 0 below [`TINY`] and for NaN.
#[inline(always)]
fn count(w: f32) -> f32 {
    let w = if w >= TINY { w.min(COUNT_MAX) } else { 0.0 };
    (fastmath::ln_1p_f32(w) / COUNT_SCALE).min(1.0)
}

/// [`count`] of every element, in one pass that compiles to SIMD (a call of `ln_1p` per count
/// cost some 6 % of `ids detect`).
fn counts<const N: usize>(v: &mut [f32; N]) {
    for w in v.iter_mut() {
        *w = count(*w);
    }
}

/// A flow's age in seconds scaled into [0, 1]: `(age.ln_1p() / AGE_SCALE) as f32`, at most 1
/// (with [`fastmath::ln_1p`]: the same but for rare 1-ulp differences).
fn age_feature(age: f64) -> f32 {
    let age = if age > 0.0 { age.min(AGE_MAX) } else { 0.0 };
    ((fastmath::ln_1p(age) / AGE_SCALE) as f32).min(1.0)
}

/// `a / b` in [0, 1]; 0 if `b` is about 0 or `a` below [`TINY`]. Written without a branch,
/// so that loops of it compile to SIMD, and without arithmetic on subnormal numbers (see
/// [`TINY`]).
#[inline(always)]
fn frac(a: f32, b: f32) -> f32 {
    let ok = b > 1e-9;
    let a = if a >= TINY { a } else { 0.0 };
    let q = (a / if ok { b } else { 1.0 }).clamp(0.0, 1.0);
    if ok {
        q
    } else {
        0.0
    }
}

/// `2^(−dt/h)` for each half-life `h` of [`HALF_LIVES`], in `f32`. One `exp2` for the longest
/// half-life; the others are its integer powers (60 s = 6 × 10 s = 60 × 1 s = 600 × 0.1 s),
/// by repeated multiplication in `f64`, whose rounding (≈ 10⁻¹³ relative) is far below
/// `f32` resolution.
fn decay_factors(dt: f64) -> [f32; SCALES] {
    if dt <= 0.0 || dt.is_nan() {
        return [1.0; SCALES];
    }
    let a60 = (-dt / HALF_LIVES[3]).exp2();
    let a10 = a60.powi(6);
    let a1 = a10.powi(10);
    let a01 = a1.powi(10);
    [a01 as f32, a1 as f32, a10 as f32, a60 as f32]
}

/// [`decay_factors`] of recent time differences, direct-mapped by their bits. Time
/// differences recur: timestamps are whole microseconds, so a difference is a multiple of the
/// time's resolution (2⁻²² s for today's Unix times in `f64`), and a host or conversation
/// that sends or receives at a steady pace (a flood, a scan, a stream) is touched again after
/// the same few differences, packet after packet. An answer is `decay_factors` of the same
/// bits, so the factors are those computed afresh, bit for bit.
struct DecayCache {
    /// Per slot: the bits of a time difference and its factors (a difference of 0, the
    /// factors `decay_factors(0.0)`, at first).
    slots: Box<[(u64, [f32; SCALES]); DECAY_SLOTS]>,
}

/// Slots of a [`DecayCache`] (a power of two; 96 kB). With 256 (6 kB) the benchmark capture's
/// look-ups missed often enough to cost 17 M more instructions in `exp2` and its powers
/// (session 27); the misses left are mostly differences seen once.
const DECAY_SLOTS: usize = 4096;

impl DecayCache {
    fn new() -> DecayCache {
        DecayCache {
            slots: Box::new([(0f64.to_bits(), decay_factors(0.0)); DECAY_SLOTS]),
        }
    }

    /// `decay_factors(dt)`.
    #[inline(always)]
    fn factors(&mut self, dt: f64) -> [f32; SCALES] {
        let bits = dt.to_bits();
        let i = (bits.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - DECAY_SLOTS.trailing_zeros()))
            as usize
            % DECAY_SLOTS;
        let slot = &mut self.slots[i];
        if slot.0 != bits {
            *slot = (bits, decay_factors(dt));
        }
        slot.1
    }
}

const TAG_PORT: u64 = 0x1000_0000;
const TAG_DST: u64 = 0x2000_0000;
const TAG_SPORT: u64 = 0x3000_0000;

/// What one packet is, as the statistics count it.
struct Facts {
    syn: f32,
    fin: f32,
    rst: f32,
    null: f32,
    udp: f32,
    icmp: f32,
    len: f32,
    /// The host whose traffic this packet refuses (RST or ICMP unreachable), if any.
    refused: Option<u128>,
}

/// What [`WindowState::push_prepared`] computes from a packet alone: how it counts
/// (protocol, flags, who refuses whom, which end is the client) and the keys and hashes of
/// the table entries it updates. Computing this some packets ahead lets
/// [`WindowState::prepare`] fetch those entries while the packets before are taken. It is
/// kept in the state's [`Ring`] rather than handed to the caller: at some 300 bytes, moving
/// it by value (returned, queued, taken out of the queue) cost about a tenth of the time of
/// the whole feature stage.
#[derive(Clone, Copy, Default)]
struct Keys {
    src: u128,
    dst: u128,
    /// The [`premix`] of `src` and of `dst`.
    src_mixed: u64,
    dst_mixed: u64,
    is_tcp: bool,
    is_udp: bool,
    is_icmp: bool,
    /// ICMP or ICMPv6 destination unreachable.
    unreach: bool,
    /// The TCP flags (0 for other protocols).
    flags: u8,
    /// The host whose traffic this packet refuses (RST or ICMP unreachable), if any.
    refused: Option<u128>,
    src_is_client: bool,
    /// The "seen recently" keys and hashes: (destination, port), destination, source port.
    seen: [(u64, u64); 3],
    flow: FlowKey,
    flow_hash: u64,
    /// The packet goes to its flow's server.
    to_server: bool,
    src_hash: u64,
    dst_hash: u64,
    /// The refused host and its hash, if it is neither end of the packet (an ICMP error
    /// quoting someone else's packet).
    third: Option<(u128, u64)>,
    /// The hash of the conversation: the two addresses, lower first.
    pair_hash: u64,
    /// The packet's direction in the conversation (0: from the lower address).
    dir: usize,
}

impl Keys {
    /// What `p` is and which table entries it updates. (Inlined, so that it is built in its
    /// ring slot rather than built apart and copied there.)
    #[inline(always)]
    fn new(p: &PacketRepr) -> Keys {
        let s = ip_key(p.src);
        let d = ip_key(p.dst);
        let is_tcp = p.proto == 6;
        let is_udp = p.proto == 17;
        let is_icmp = p.proto == 1 || p.proto == 58;
        let unreach = nightjar_packet::proto::icmp_unreachable(p.proto, p.icmp_type);
        let flags = if is_tcp { p.tcp_flags } else { 0 };
        let refused = if is_tcp && flags & 4 != 0 {
            Some(d)
        } else if unreach {
            Some(p.inner.as_ref().map_or(d, |i| ip_key(i.src)))
        } else {
            None
        };
        let src_is_client = is_client(p, is_tcp || is_udp, is_icmp);
        let svc = if is_icmp {
            u16::from(p.icmp_type)
        } else {
            p.dport
        };
        // every key is hashed with `hash_key`, the addresses (hashed many times) mixed once
        let (ms, md) = (premix(s), premix(d));
        let premixed = |k: u128| {
            if k == s {
                ms
            } else if k == d {
                md
            } else {
                premix(k)
            }
        };
        let proto = u128::from(p.proto) << 16;
        let seen = [
            seen_key(
                TAG_PORT,
                ms,
                premix((d ^ (proto | u128::from(svc))).rotate_left(1)),
            ),
            seen_key(TAG_DST, ms, md),
            seen_key(TAG_SPORT, ms, premix(proto | u128::from(p.sport))),
        ];
        let (flow, to_server) = flow_of(p, (s, d), unreach, src_is_client);
        // as `flow_hash(flow)`, with the addresses' premixes already at hand
        let flow_hash = hash_mixed(
            hash_mixed(hash_mixed(31, premixed(flow.0)), premixed(flow.1)),
            premix(u128::from(flow.2)),
        );
        let third = refused
            .filter(|&r| r != s && r != d)
            .map(|r| (r, hash_mixed(11, premix(r))));
        let dir = usize::from(s > d);
        let pair_hash = if dir == 0 {
            hash_mixed(hash_mixed(23, ms), md)
        } else {
            hash_mixed(hash_mixed(23, md), ms)
        };
        Keys {
            src: s,
            dst: d,
            src_mixed: ms,
            dst_mixed: md,
            is_tcp,
            is_udp,
            is_icmp,
            unreach,
            flags,
            refused,
            src_is_client,
            seen,
            flow,
            flow_hash,
            to_server,
            src_hash: hash_mixed(11, ms),
            dst_hash: hash_mixed(11, md),
            third,
            pair_hash,
            dir,
        }
    }
}

/// A packet prepared by [`WindowState::prepare`] for [`WindowState::push_prepared`]: the
/// packet and where its keys (`Keys`) are in the preparing state's ring of prepared packets
/// (small, so that a queue of them is cheap to move).
#[derive(Clone, Copy)]
pub struct Prepared<'a> {
    p: &'a PacketRepr,
    /// The [`Ring::id`] of the state that prepared it.
    ring: u64,
    /// Its number among the packets that state prepared.
    seq: u64,
}

impl<'a> Prepared<'a> {
    /// The packet.
    pub fn packet(&self) -> &'a PacketRepr {
        self.p
    }
}

/// Packets prepared and not yet pushed kept by a [`WindowState`]: the [`Keys`] of the
/// packet prepared `seq`-th in slot `seq % RING`. A caller that prepares at most `RING - 1`
/// packets ahead of the one it pushes finds each packet's keys there; one that prepares
/// further ahead, or pushes a packet prepared by another state, finds the slot taken by
/// another packet, and the keys are computed again (the same keys: they depend on the packet
/// alone), so results never depend on how far ahead packets are prepared.
struct Ring {
    /// Unique per state (from [`NEXT_RING`]), so that a [`Prepared`] of another state is
    /// never taken for one of this state.
    id: u64,
    /// Packets prepared so far.
    next: u64,
    /// Per slot: the number of the packet whose keys it holds (`u64::MAX`: none yet).
    seqs: [u64; RING],
    keys: [Keys; RING],
}

/// Slots of a [`Ring`]: `ids detect` prepares 8 packets ahead, so it holds 9 at a time.
const RING: usize = 16;

/// The next [`Ring::id`].
static NEXT_RING: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

impl Ring {
    fn new() -> Ring {
        Ring {
            id: NEXT_RING.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            next: 0,
            seqs: [u64::MAX; RING],
            keys: [Keys::default(); RING],
        }
    }

    /// The keys of `k`'s packet, if still held here.
    fn get(&self, k: &Prepared<'_>) -> Option<&Keys> {
        let i = k.seq as usize % RING;
        (k.ring == self.id && self.seqs[i] == k.seq).then(|| &self.keys[i])
    }
}

/// Whether the "seen recently" key `(key, hash)` (from [`seen_key`]) was not seen in the
/// last [`NOVELTY_HORIZON`]; marks it seen.
fn novel(seen: &mut StampSet, (key, hash): (u64, u64), now: f64) -> bool {
    match seen.touch(key, hash, now) {
        Some(t) => now - t > NOVELTY_HORIZON,
        None => true,
    }
}

/// The "seen recently" key of `(tag, a, b)` and its hash, from the [`premix`] of `a` and `b`.
fn seen_key(tag: u64, a: u64, b: u64) -> (u64, u64) {
    let h = hash_mixed(hash_mixed(tag, a), b);
    (mix(h) | 1, h) // never the default key 0
}

impl WindowState {
    /// Empty state with the given table capacities.
    pub fn new(cfg: WindowConfig) -> WindowState {
        WindowState {
            hosts: SetAssoc::new(cfg.hosts.max(1)),
            pairs: SetAssoc::new(cfg.pairs.max(1)),
            flows: SetAssoc::new(cfg.pairs.max(1)),
            seen: StampSet::new(cfg.seen.max(1)),
            clock: f64::NEG_INFINITY,
            packets: 0,
            last_by_opener: None,
            last_answer: 0,
            answers: Box::new([None; ANSWER_SLOTS]),
            last_opened_by_syn: false,
            last_first_data: false,
            session_after: 0,
            last_in_session: false,
            last_established: false,
            last_closing_reset: false,
            ring: Ring::new(),
            decay: DecayCache::new(),
        }
    }

    /// Bytes the state tables may hold at most (their capacity's, fixed at construction).
    pub fn memory_bytes(&self) -> usize {
        self.hosts.memory_bytes()
            + self.pairs.memory_bytes()
            + self.flows.memory_bytes()
            + self.seen.memory_bytes()
    }

    /// (hosts, pairs, seen) entries in use.
    pub fn occupancy(&self) -> (usize, usize, usize) {
        (self.hosts.len(), self.pairs.len(), self.seen.len())
    }

    /// Whether the last packet pushed was sent by the end that opened its flow — the end whose
    /// packet the flow was first seen with (since it was last idle for [`FLOW_IDLE`]): for a
    /// connection, the SYN's sender; for a flood of FINs or SYN-ACKs that nobody asked for, the
    /// flooder, whatever the ports. `None` unless it was a whole TCP segment.
    pub fn sent_by_opener(&self) -> Option<bool> {
        self.last_by_opener
    }

    /// Whether the last packet pushed was a whole TCP segment of a flow whose opener began it
    /// with a SYN (without ACK; since the flow was last idle for [`FLOW_IDLE`]): a
    /// connection attempt, whose every segment is its opener's doing or an answer to it.
    pub fn flow_opened_by_syn(&self) -> bool {
        self.last_opened_by_syn
    }

    /// Whether the last packet pushed was a whole TCP segment that can only be an answer (a
    /// SYN-ACK, or a segment with RST) and opened its flow (since it was last idle for
    /// [`FLOW_IDLE`]): its sender is the flow's opener, unless the request it answers comes
    /// next ([`WindowState::answered_late`]).
    pub fn opened_by_answer(&self) -> bool {
        self.last_answer == OPENED_BY_ANSWER
    }

    /// Whether the last packet pushed was the request that its flow's first packet answers,
    /// written after that answer: a whole TCP segment, the flow's second, sent by the receiver
    /// of the flow's first packet within [`ANSWER_SWAP`] of it, that packet opened by an
    /// answer ([`WindowState::opened_by_answer`]) this one draws (`draws`: a SYN-ACK a SYN,
    /// a reset with ACK a segment without ACK, a bare reset a segment with ACK). A sensor fed
    /// by a mirror port or a NIC's several queues (`-i any`) writes a probe and its answer a
    /// few microseconds out of order now and then, and a probe and its answer are a round trip
    /// apart. The flow's opener is this packet's sender from here on
    /// ([`WindowState::sent_by_opener`]); the features are unchanged (which end opened a flow
    /// is in none of them).
    pub fn answered_late(&self) -> bool {
        self.last_answer == ANSWERED_LATE
    }

    /// Whether the last packet pushed was the first whole TCP segment with payload that the
    /// opener of a flow begun with a SYN sent (since the flow was last idle for
    /// [`FLOW_IDLE`]): its connection's first request, whose first bytes tell the protocol
    /// its client speaks ([`crate::fuzzing`]).
    pub fn first_data(&self) -> bool {
        self.last_first_data
    }

    /// Count the packets of an established TCP session after its first `n` in their flow
    /// only (0, the default: never). A TCP flow is an *established session* once its
    /// handshake completed (the server's SYN-ACK, then the client's ACK) and nothing refused
    /// it; after its `n`th packet, its packets (data, acknowledgements, the FIN; not an RST,
    /// which refuses it) update the flow's own counts and nothing else: not the hosts'
    /// statistics, the conversation's, or the "seen recently" set, and they take no
    /// snapshot ([`WindowState::push_prepared`] returns `false` without asking `want`;
    /// [`WindowState::in_session`] says so).
    ///
    /// Why: the hosts' statistics describe how a host opens conversations: its rates, the
    /// ports and hosts it tries, who refuses it. The bulk of a download, a backup or a
    /// speed test is one conversation already opened, and sent at line rate it would make its
    /// two ends look, for the next minutes, like a flood's sender and victim (a namespace run
    /// of `iperf3`: 25,000 segments a second, and a minute after it 30–90% of the client's
    /// web requests were flagged). A spoofed flood cannot complete a handshake, and a scan's
    /// flows end within a few packets, so no attack of the detector's classes is left out.
    /// A two-way tunnel's packets (a protocol without ports whose other end sent it back within
    /// [`FLOW_IDLE`]: GRE, IP-in-IP, ESP) after the `n`th of its flow are taken alike: what goes
    /// through a tunnel is not its ends' doing (counted in full, an IP-in-IP tunnel made its
    /// end's own web requests look like a UDP flood); a one-way flood of such a protocol counts
    /// in full.
    ///
    /// In a capture of one direction only (a mirror of one side of a link, asymmetric
    /// routing), a connection its client opened with a SYN and goes on acknowledging, nothing
    /// of it ever seen coming back, is taken alike from its first ACK, not its `n`th packet:
    /// seen from one side, a client's downloads are bare ACKs to servers that never answer
    /// and its connections SYNs nothing accepts, and counted in its host's statistics they
    /// made it a scanner or an ACK flood's sender to the networks (21 and 32 false alerts on
    /// one-way copies of the `test5` and `val3` captures). A two-way capture shows the
    /// server's SYN-ACK, so this never holds there.
    ///
    /// Features change only for the packets after the `n`th of such a session and the
    /// packets that follow them; `ids train` and `ids eval` keep it off (0), as the models
    /// were trained.
    pub fn set_session_after(&mut self, n: u32) {
        self.session_after = n;
    }

    /// Whether the last packet pushed was counted in its flow only
    /// ([`WindowState::set_session_after`]).
    pub fn in_session(&self) -> bool {
        self.last_in_session
    }

    /// Whether the last packet pushed was a whole TCP segment of an established connection:
    /// its handshake completed (the server's SYN-ACK, then the client's ACK) and nothing
    /// refused it, this packet included; or, in a capture of one direction only, an ACK
    /// (with data or FIN, without SYN or RST) of a connection the client opened with a SYN,
    /// nothing of it seen coming back.
    pub fn flow_established(&self) -> bool {
        self.last_established
    }

    /// Whether the last packet pushed was a TCP reset (with or without ACK; a whole segment)
    /// that closed a connection: the flow's handshake completed, the reset's sender had
    /// received data on it before it sent a FIN, and nothing had refused it before — the first
    /// reset of an established connection that served its sender something —; or, after such a
    /// close, a reset from an end that a segment other than a reset reached since it last sent
    /// one: the answer of its kernel, which no longer knows the connection, to the data still
    /// arriving (one reset per segment, RFC 9293 §3.10.7.1); or, after such a close, any reset
    /// from an end that had closed its side with a FIN once the connection had served it (its
    /// FIN before the close or crossing it): its kernel answers each segment that reaches the
    /// socket it closed (Linux aborts an orphaned socket on data, then answers every segment
    /// for the connection it no longer knows), and those that crossed its FIN or the first
    /// reset in flight reached it before the close, uncounted — a P2P node's next messages to
    /// the peers that hung up on it ("too many peers"), ten resets or more a connection in
    /// nDPI's tests/pcap/ethereum.pcap, which the networks took for a scan's refusals.
    ///
    /// Why: a reset is how many ordinary connections end. Clients that close with `SO_LINGER`
    /// and a zero timeout (wrk at the end of a run, Java's, Go's and .NET's HTTP clients when
    /// told to), a socket closed with unread data in it (an aborted download, a server closing
    /// before it read the whole request; RFC 2525 §2.17), nginx's `reset_timedout_connection`,
    /// HAProxy ending its health checks: each sends one reset on a connection that was open and
    /// on which it received something (an answer, a request), where a reset flood (`hping3 -R`)
    /// sends them into no connection at all, a SYN scanner's kernel answers a SYN-ACK with one
    /// (no handshake), a connect scan closes with one a connection that carried nothing, and a
    /// slow-header attack (slowloris, `slowhttptest -H`) resets at its end the hundreds of
    /// connections it sent partial requests on, answered by the server only after it had closed
    /// them with a FIN. A forger that kills connections (`tcpkill`: three resets into the
    /// connection for every segment of it seen, each way) sends more than the one that ends it,
    /// and nothing called for those after the first: they are not closes.
    pub fn closing_reset(&self) -> bool {
        self.last_closing_reset
    }

    /// Entries evicted so far, all tables together.
    pub fn evictions(&self) -> u64 {
        self.hosts.evictions()
            + self.pairs.evictions()
            + self.flows.evictions()
            + self.seen.evictions()
    }

    /// Compute what [`WindowState::push_prepared`] needs of `p` that depends on the packet
    /// alone (its `Keys`, kept here), and fetch the table sets it will look in into the
    /// CPU's caches: best done some packets ahead of its turn (at most `RING - 1`; further
    /// ahead, its keys are computed again when it is pushed).
    pub fn prepare<'a>(&mut self, p: &'a PacketRepr) -> Prepared<'a> {
        let ring = &mut self.ring;
        let seq = ring.next;
        ring.next += 1;
        let i = seq as usize % RING;
        ring.keys[i] = Keys::new(p);
        ring.seqs[i] = seq;
        self.prefetch(&self.ring.keys[i]);
        Prepared {
            p,
            ring: self.ring.id,
            seq,
        }
    }

    /// Fetch into the CPU's caches the table sets that [`WindowState::push_prepared`] of
    /// `k`'s packet will look in: a hint, best given some packets ahead, that changes nothing.
    fn prefetch(&self, k: &Keys) {
        for &(_, hash) in &k.seen {
            self.seen.prefetch(hash);
        }
        self.flows.prefetch(k.flow_hash);
        self.hosts.prefetch(k.src_hash);
        self.hosts.prefetch(k.dst_hash);
        if let Some((_, hash)) = k.third {
            self.hosts.prefetch(hash);
        }
        self.pairs.prefetch(k.pair_hash);
    }

    /// Fetch into the CPU's caches the table entries (keys and values) that
    /// [`WindowState::push_prepared`] of `k`'s packet would take if it came now: a hint that
    /// changes nothing, best given after [`WindowState::prepare`] has had time to bring the
    /// sets in (it reads them to find the entries).
    pub fn prefetch_entries(&self, prepared: &Prepared<'_>) {
        let Some(k) = self.ring.get(prepared) else {
            return;
        };
        self.flows.prefetch_slot(k.flow_hash);
        self.hosts.prefetch_slot(k.src_hash);
        self.hosts.prefetch_slot(k.dst_hash);
        if let Some((_, hash)) = k.third {
            self.hosts.prefetch_slot(hash);
        }
        self.pairs.prefetch_slot(k.pair_hash);
    }

    /// Update the state with `p` and write its [`LEN`] features into `out`.
    pub fn push(&mut self, p: &PacketRepr, out: &mut [f32]) {
        let mut snap = Snapshot::default();
        if self.push_if(p, |_| true, &mut snap) {
            snap.write(out);
        }
    }

    /// Update the state with `p`; then, if `want` says yes to the packet's *context key*,
    /// take into `snap` the state its features are made of (else leave `snap` alone). Returns
    /// whether it did. [`Snapshot::write`] makes the features, at any time, on any thread:
    /// the costly part of them (logarithms, ratios) can run beside the next packets' updates.
    ///
    /// The context key is a 64-bit hash of what a verdict on the packet mostly rests on and
    /// what changes from packet to packet rather than smoothly with time: the two ends of the
    /// conversation and which end sent it; the packet's own features (protocol, flags byte,
    /// ICMP type, payload present, fragment, ports below 1024, IP length in 64-byte steps)
    /// and whether it went to a new port, destination or source port; its flow's state
    /// (packets each way in powers of two, payload-carrying fractions in quarters, handshake,
    /// refused); and the pace of the two ends (packets the sender sent and the receiver
    /// received at the 0.1 s and 1 s scales, in powers of two), so that a burst changes the
    /// key as it builds up and dies down. Two packets with the same key at nearly the same
    /// time differ only in statistics that move smoothly; a caller may reuse the verdict of
    /// the one for the other (`ids::detect`'s verdict reuse).
    pub fn push_if(
        &mut self,
        p: &PacketRepr,
        want: impl FnOnce(u64) -> bool,
        snap: &mut Snapshot,
    ) -> bool {
        // a ring id no state has: the keys are computed here
        let unprepared = Prepared {
            p,
            ring: u64::MAX,
            seq: 0,
        };
        self.push_prepared(&unprepared, want, snap)
    }

    /// [`WindowState::push_if`] of a packet prepared by [`WindowState::prepare`], with the
    /// keys computed there (so that they can be computed ahead, for the prefetches), or
    /// computed again here if they are no longer kept.
    pub fn push_prepared(
        &mut self,
        prepared: &Prepared<'_>,
        want: impl FnOnce(u64) -> bool,
        snap: &mut Snapshot,
    ) -> bool {
        let p = prepared.p;
        // read in place (only the tables are updated below), not copied out of the ring
        let fresh;
        let k = match self.ring.get(prepared) {
            Some(k) => k,
            None => {
                fresh = Keys::new(p);
                &fresh
            }
        };
        let now = if p.ts.is_finite() && p.ts > self.clock {
            p.ts
        } else if self.clock.is_finite() {
            self.clock
        } else {
            0.0
        };
        self.clock = now;
        self.packets += 1;
        let (s, d) = (k.src, k.dst);
        let (is_tcp, is_udp, is_icmp, unreach) = (k.is_tcp, k.is_udp, k.is_icmp, k.unreach);
        let fl = k.flags;
        let f = Facts {
            syn: f32::from(u8::from(is_tcp && fl & 2 != 0 && fl & 16 == 0)),
            fin: f32::from(u8::from(fl & 1 != 0)),
            rst: f32::from(u8::from(fl & 4 != 0)),
            null: f32::from(u8::from(is_tcp && fl == 0)),
            udp: f32::from(u8::from(is_udp)),
            icmp: f32::from(u8::from(is_icmp)),
            len: (f32::from(p.ip_len) / 1500.0).min(1.0),
            refused: k.refused,
        };
        let src_is_client = k.src_is_client;
        // The flow first: its own table, and it decides whether the packet counts anywhere
        // else. Each table sees its look-ups in the same order whatever the order across
        // tables.
        let flow_out = {
            let to_server = k.to_server;
            let e = self.flows.touch(k.flow, k.flow_hash, now);
            let opened = e.prev_stamp.is_none_or(|t| now - t > FLOW_IDLE);
            if opened {
                *e.val = FlowStats {
                    first: now,
                    opened_by_client: to_server,
                    opened_by_syn: to_server && is_tcp && fl & 0x12 == 0x02,
                    ..FlowStats::default()
                };
            }
            let st = e.val;
            // the direction, and so the end that sent it (0 the client, 1 the server)
            let dir = usize::from(!to_server);
            // a flow opened by an answer, and the request it answers written after it (looked
            // up out of line, once a flow: at the first segment from the end that did not open
            // it)
            let mut answer = 0;
            if is_tcp && !p.fragment {
                if opened {
                    if fl & 0x12 == 0x12 || fl & 0x04 != 0 {
                        answer = OPENED_BY_ANSWER;
                        let way = answer_way(&self.answers, k.flow_hash, now);
                        self.answers[way] = Some((k.flow, now, fl));
                    }
                } else if st.n[dir] == 0.0 && to_server != st.opened_by_client {
                    answer = answered(&mut self.answers, k, st, now, fl);
                }
            }
            self.last_answer = answer;
            // before this packet is counted: a reset is a close only of a connection that
            // was open, that served its sender data before it sent a FIN, and that nothing
            // refused before; after such a close, a reset is the answer of an end to a
            // segment it received since its last reset
            let segment = is_tcp && !p.fragment;
            if new_connection(st, to_server, segment, fl) {
                st.ends = 0;
                st.owed = [0; 2];
            }
            let reset = segment && fl & 0x04 != 0;
            let closes = reset
                && st.ends & (LIVE_HANDSHAKE | LIVE_REFUSED | ENDS_SERVED[dir])
                    == LIVE_HANDSHAKE | ENDS_SERVED[dir];
            let closed = st.ends & ENDS_CLOSED != 0;
            // after the close, an end that closed its side with a FIN once the connection had
            // served it (its FIN seen before the close or after it: an end sends nothing but
            // resets once a reset reached it, so a FIN after the close crossed it): its kernel
            // answers with a reset each segment that still reaches the socket it closed, those
            // that crossed its FIN or the close in flight included, which reached it before the
            // close and are not counted in `owed`; how many is not known here, so each of its
            // resets is taken as such an answer
            let finished =
                st.ends & (ENDS_FIN[dir] | ENDS_SERVED[dir]) == ENDS_FIN[dir] | ENDS_SERVED[dir];
            let answers = reset && closed && (st.owed[dir] > 0 || finished);
            self.last_closing_reset = closes || answers;
            if closes {
                st.ends |= ENDS_CLOSED;
                st.owed = [0; 2];
            }
            if reset {
                st.owed[dir] = st.owed[dir].saturating_sub(1);
            } else if segment && closed {
                st.owed[1 - dir] = st.owed[1 - dir].saturating_add(1);
            }
            if segment && p.payload_len > 0 && st.ends & ENDS_FIN[1 - dir] == 0 {
                st.ends |= ENDS_SERVED[1 - dir];
            }
            if segment && fl & 0x01 != 0 {
                st.ends |= ENDS_FIN[dir];
            }
            self.last_by_opener =
                (is_tcp && !p.fragment).then_some(to_server == st.opened_by_client);
            self.last_opened_by_syn = is_tcp && !p.fragment && st.opened_by_syn;
            // (before this packet is counted: its direction's payload packets so far)
            self.last_first_data = is_tcp
                && !p.fragment
                && st.opened_by_syn
                && to_server
                && p.payload_len > 0
                && st.payload[dir] == 0.0;
            st.n[dir] += 1.0;
            if p.payload_len > 0 && !unreach {
                st.payload[dir] += 1.0;
            }
            if is_tcp && fl & 0x12 == 0x12 && !to_server {
                st.synack = true;
                st.ends |= LIVE_SYNACK;
            } else if is_tcp && to_server && fl & 0x10 != 0 && fl & 0x07 == 0 {
                st.handshake |= st.synack;
                if st.ends & LIVE_SYNACK != 0 {
                    st.ends |= LIVE_HANDSHAKE;
                }
            }
            if f.refused.is_some() {
                st.refused = true;
                st.ends |= LIVE_REFUSED;
            }
            *st
        };
        // established: the handshake seen both ways; or, in a capture of one direction only
        // (a mirror of one side of a link, asymmetric routing), a connection the client opened
        // with a SYN and goes on acknowledging (its data, its close), nothing of it ever seen
        // coming back
        let one_way = one_way_capture_session(&flow_out, k.to_server, is_tcp, p.fragment, fl)
            && flow_out.ends & LIVE_REFUSED == 0;
        self.last_established = one_way
            || (is_tcp
                && !p.fragment
                && flow_out.ends & (LIVE_HANDSHAKE | LIVE_REFUSED) == LIVE_HANDSHAKE);
        // a tunnel's packets (a protocol without ports that the other end sends back within
        // FLOW_IDLE: GRE, IP-in-IP, ESP) past its first ones are its own too: what goes through
        // a tunnel is not its ends' doing, and counted in their hosts' statistics it made an
        // end's own web requests look like a flood
        let tunnel = || {
            let rev = (k.flow.1, k.flow.0, k.flow.2);
            self.flows
                .get_stamped(&rev, flow_hash(rev))
                .is_some_and(|(r, at)| r.n[0] > 0.0 && now - at <= FLOW_IDLE)
        };
        // In a capture of one direction, the packets of such a connection count in their flow
        // only from its first ACK: seen from one side, a client's downloads are a stream of
        // bare ACKs to servers that never answer, its connections SYNs that nothing accepts,
        // and counted in its host's statistics they made it a scanner or an ACK flood's sender
        // to the networks. A two-way capture shows the server's SYN-ACK, so this never holds
        // there; a connect scan's SYNs and RSTs still count.
        self.last_in_session = self.session_after > 0
            && (one_way
                || flow_out.n[0] + flow_out.n[1] > self.session_after as f32
                    && (self.last_established
                        || (!is_tcp && !is_udp && !is_icmp && !p.later_fragment && tunnel())));
        if self.last_in_session {
            return false;
        }
        let decay = &mut self.decay;
        // The source host's entry is looked up next and its decay factors computed (found in
        // the cache of recent time differences, or an `exp2` and a chain of multiplications,
        // whose latency then overlaps the look-ups of the other tables below, which do not
        // depend on them); it is updated after them.
        let src_entry = self.hosts.touch(s, k.src_hash, now);
        let src_decay = decay.factors(src_entry.prev_stamp.map_or(0.0, |t| now - t));
        let n_port = f32::from(u8::from(novel(&mut self.seen, k.seen[0], now)));
        let n_dst = f32::from(u8::from(novel(&mut self.seen, k.seen[1], now)));
        let n_sport = f32::from(u8::from(novel(&mut self.seen, k.seen[2], now)));
        let small_sport = (is_tcp || is_udp) && p.sport < 1024;
        let small_dport = (is_tcp || is_udp) && p.dport < 1024;
        // source host: sent this packet (copied out: the look-ups of the destination or a third
        // host below may evict it)
        let src_host = {
            let e = src_entry;
            let mut inc = [0f32; HA];
            inc[H_SENT] = 1.0;
            inc[H_LEN] = f.len;
            inc[H_LEN2] = f.len * f.len;
            inc[H_SYN] = f.syn;
            inc[H_FIN] = f.fin;
            inc[H_RST] = f.rst;
            inc[H_NULL] = f.null;
            inc[H_UDP] = f.udp;
            inc[H_ICMP] = f.icmp;
            inc[H_NDPORT] = n_port;
            inc[H_NDST] = n_dst;
            inc[H_NSPORT] = n_sport;
            if f.refused == Some(s) {
                inc[H_REFUSED] = 1.0;
            }
            if s == d {
                inc[H_RECV] = 1.0;
                inc[H_RSYN] = f.syn;
                inc[H_NSRC] = n_dst;
            }
            // (decayed in a copy, then stored: the copy is the one kept, made as the sums are
            // computed rather than read back from the entry after them, a call of `memcpy`)
            let mut sums = e.val.0;
            decay_add(&mut sums, src_decay, &inc);
            e.val.0 = sums;
            sums
        };
        // destination host: received it (read in place below unless a third host is touched
        // after it, which could evict it; copied only into a snapshot that is taken)
        let dst_entry = {
            let e = self.hosts.touch(d, k.dst_hash, now);
            if s != d {
                let fk = decay.factors(e.prev_stamp.map_or(0.0, |t| now - t));
                let mut inc = [0f32; HA];
                inc[H_RECV] = 1.0;
                inc[H_RSYN] = f.syn;
                inc[H_NSRC] = n_dst;
                if f.refused == Some(d) {
                    inc[H_REFUSED] = 1.0;
                }
                decay_add(&mut e.val.0, fk, &inc);
            }
            &e.val.0
        };
        // a third host refused (an ICMP error quoting someone else's packet)
        let dst_copy;
        let dst_host = if let Some((r, hash)) = k.third {
            dst_copy = *dst_entry;
            let e = self.hosts.touch(r, hash, now);
            let fk = decay.factors(e.prev_stamp.map_or(0.0, |t| now - t));
            let mut inc = [0f32; HA];
            inc[H_REFUSED] = 1.0;
            decay_add(&mut e.val.0, fk, &inc);
            &dst_copy
        } else {
            dst_entry
        };
        // the conversation
        let dir = k.dir;
        // the client-to-server direction, and back
        let c2s = if src_is_client {
            dir * PA
        } else {
            (1 - dir) * PA
        };
        let pair = {
            let key = if dir == 0 { (s, d) } else { (d, s) };
            let e = self.pairs.touch(key, k.pair_hash, now);
            let fk = decay.factors(e.prev_stamp.map_or(0.0, |t| now - t));
            let fwd = dir * PA;
            let mut inc = [0f32; 2 * PA];
            inc[fwd + P_CNT] = 1.0;
            inc[fwd + P_NPORT] = n_port;
            inc[fwd + P_SYN] = f.syn;
            if f.refused == Some(d) {
                inc[fwd + P_REFUSED] = 1.0;
            }
            decay_add(&mut e.val.0, fk, &inc);
            // the packet's only look-up in the pairs table: read in place below
            &e.val.0
        };

        let context = {
            let step = |n: f32| u64::from((n.max(0.0) as u32).saturating_add(1).ilog2().min(15));
            let quarter = |a: f32, n: f32| (frac(a, n) * 4.0) as u64 & 7;
            let own = u64::from(p.proto)
                | u64::from(fl) << 8
                | u64::from(if is_icmp { p.icmp_type } else { 0 }) << 16
                | u64::from(p.payload_len > 0) << 24
                | u64::from(p.fragment) << 25
                | u64::from(unreach) << 26
                | u64::from(small_sport) << 27
                | u64::from(small_dport) << 28
                | u64::from(src_is_client) << 29
                | u64::from(n_port > 0.0) << 30
                | u64::from(n_dst > 0.0) << 31
                | u64::from(n_sport > 0.0) << 32
                | u64::from(p.ip_len >> 6) << 33;
            let st = &flow_out;
            let flow = step(st.n[0])
                | step(st.n[1]) << 4
                | quarter(st.payload[0], st.n[0]) << 8
                | quarter(st.payload[1], st.n[1]) << 11
                | u64::from(st.handshake) << 14
                | u64::from(st.refused) << 15;
            // how fast the two ends are sending and receiving now: a burst changes the key
            // as it builds up and dies down
            let pace = step(src_host[0][H_SENT])
                | step(src_host[1][H_SENT]) << 4
                | step(dst_host[0][H_RECV]) << 8
                | step(dst_host[1][H_RECV]) << 12;
            mix(
                hash_mixed(hash_mixed(own ^ flow << 48, k.src_mixed), k.dst_mixed)
                    ^ flow
                    ^ pace << 16,
            )
        };
        if !want(context) {
            return false;
        }

        // the packet itself
        let mut p7 = [0f32; super::paper7::LEN];
        super::paper7::extract(p, &mut p7);
        // protocol, flags byte, IP length; not the port numbers (categories, not quantities),
        // nor the TTL and TCP window (tool fingerprints that change with an option)
        let own = &mut snap.own;
        own[0] = p7[0];
        own[1] = p7[3];
        own[2] = p7[4];
        own[3..].fill(0.0);
        let bits = &mut own[3..];
        bits[0] = f32::from(u8::from(is_tcp));
        bits[1] = f32::from(u8::from(is_udp));
        bits[2] = f32::from(u8::from(is_icmp));
        bits[3] = f32::from(u8::from(!is_tcp && !is_udp && !is_icmp));
        for (b, o) in bits[4..12].iter_mut().enumerate() {
            *o = f32::from((fl >> b) & 1);
        }
        bits[12] = f32::from(u8::from(p.payload_len > 0));
        bits[13] = f32::from(u8::from(p.fragment));
        bits[14] = f32::from(u8::from(unreach));
        bits[15] = f32::from(u8::from(small_sport));
        bits[16] = f32::from(u8::from(small_dport));
        bits[17] = f32::from(u8::from(src_is_client));
        snap.src_is_client = src_is_client;
        snap.src_host = src_host;
        snap.dst_host = *dst_host;
        snap.pair = *pair;
        snap.c2s = c2s as u8;
        snap.flow = flow_out;
        snap.now = now;
        true
    }
}

/// The state one packet's `window` features are made of, taken by
/// [`WindowState::push_if`]: its own features, both hosts' and the conversation's damped
/// sums after the packet, and its flow.
#[derive(Clone, Copy)]
pub struct Snapshot {
    own: [f32; OWN],
    src_is_client: bool,
    src_host: [[f32; HA]; SCALES],
    dst_host: [[f32; HA]; SCALES],
    pair: [[f32; 2 * PA]; SCALES],
    /// Offset of the client-to-server direction in `pair` (0 or `PA`).
    c2s: u8,
    flow: FlowStats,
    now: f64,
}

impl Default for Snapshot {
    fn default() -> Self {
        Snapshot {
            own: [0.0; OWN],
            src_is_client: true,
            src_host: [[0.0; HA]; SCALES],
            dst_host: [[0.0; HA]; SCALES],
            pair: [[0.0; 2 * PA]; SCALES],
            c2s: 0,
            flow: FlowStats::default(),
            now: 0.0,
        }
    }
}

impl Snapshot {
    /// Write the packet's [`LEN`] features into `out[..LEN]` (nothing if `out` is shorter).
    ///
    /// The counts are gathered and scaled all together, in one pass that compiles to SIMD.
    pub fn write(&self, out: &mut [f32]) {
        let Some(Ok(out)) = out.get_mut(..LEN).map(<&mut [f32; LEN]>::try_from) else {
            return;
        };
        out[..OWN].copy_from_slice(&self.own);
        let (cli, srv) = if self.src_is_client {
            (&self.src_host, &self.dst_host)
        } else {
            (&self.dst_host, &self.src_host)
        };
        const HOST: usize = HOST_PER_SCALE * SCALES;
        host_features(cli, &mut out[OWN..OWN + HOST]);
        host_features(srv, &mut out[OWN + HOST..OWN + 2 * HOST]);
        let base = OWN + 2 * HOST_PER_SCALE * SCALES;
        let c2s = usize::from(self.c2s).min(PA);
        let s2c = PA - c2s;
        // the pair's fractions: numerators and denominators gathered, divided in one pass
        let mut num = [0f32; 4 * SCALES];
        let mut den = [0f32; 4 * SCALES];
        for ((acc, n), d) in self
            .pair
            .iter()
            .zip(num.chunks_exact_mut(4))
            .zip(den.chunks_exact_mut(4))
        {
            n.copy_from_slice(&[
                acc[c2s + P_NPORT],
                acc[c2s + P_SYN],
                acc[s2c + P_REFUSED],
                acc[s2c + P_NPORT],
            ]);
            d.copy_from_slice(&[
                acc[c2s + P_CNT],
                acc[c2s + P_CNT],
                acc[c2s + P_CNT],
                acc[s2c + P_CNT],
            ]);
        }
        for (n, d) in num.iter_mut().zip(&den) {
            *n = frac(*n, *d);
        }
        // (the counts, o[0] and o[1], below)
        for (q, o) in num
            .chunks_exact(4)
            .zip(out[base..base + PAIR_PER_SCALE * SCALES].chunks_exact_mut(PAIR_PER_SCALE))
        {
            o[2..].copy_from_slice(q);
        }
        let st = &self.flow;
        let o = &mut out[LEN - FLOW..LEN];
        o[2] = frac(st.payload[0], st.n[0]);
        o[3] = frac(st.payload[1], st.n[1]);
        o[4] = f32::from(u8::from(st.handshake));
        o[5] = f32::from(u8::from(st.refused));
        o[6] = age_feature(self.now - st.first);
        // every count, gathered in the order of `COUNT_AT`, scaled in one pass
        let mut c = [0f32; COUNTS];
        for (h, c) in cli.iter().chain(srv).zip(c.chunks_exact_mut(2)) {
            c.copy_from_slice(&[h[H_SENT], h[H_RECV]]);
        }
        for (acc, c) in self.pair.iter().zip(c[4 * SCALES..].chunks_exact_mut(2)) {
            c.copy_from_slice(&[acc[c2s + P_CNT], acc[s2c + P_CNT]]);
        }
        c[COUNTS - 2..].copy_from_slice(&st.n);
        counts(&mut c);
        for (c, &i) in c.iter().zip(&COUNT_AT) {
            out[i] = *c;
        }
    }
}

/// Decay the damped sums of an entry, a row per scale, each by its scale's factor in `k`, and
/// add this packet's `inc` to them (the same at every scale): `a ← a·k + inc`, in one pass
/// that compiles to SIMD (one sum at a time, each decayed, then some of them incremented, did
/// not). A sum the packet does not count in gets 0 added, which leaves it as it is: sums are
/// never negative, so never −0.
#[inline(always)]
fn decay_add<const N: usize>(sums: &mut [[f32; N]; SCALES], k: [f32; SCALES], inc: &[f32; N]) {
    for (row, k) in sums.iter_mut().zip(k) {
        for (a, i) in row.iter_mut().zip(inc) {
            *a = *a * k + *i;
        }
    }
}

/// Whether a TCP segment belongs, in a capture of one direction only, to a connection its
/// client opened with a SYN and goes on acknowledging, nothing of it seen coming back (`flow`
/// with this segment counted): an ACK to the server, maybe with data or FIN, without SYN or
/// RST, of a whole segment.
fn one_way_capture_session(
    flow: &FlowStats,
    to_server: bool,
    is_tcp: bool,
    fragment: bool,
    flags: u8,
) -> bool {
    is_tcp
        && !fragment
        && to_server
        && flow.opened_by_syn
        && flow.n[1] == 0.0
        && flags & 0x10 != 0
        && flags & 0x06 == 0
}

/// The hash of a flow's table entry.
fn flow_hash(flow: FlowKey) -> u64 {
    hash_mixed(
        hash_mixed(hash_mixed(31, premix(flow.0)), premix(flow.1)),
        premix(u128::from(flow.2)),
    )
}

/// The flow of a packet, oriented client → server, and whether the packet goes to the server.
/// An ICMP error belongs to the flow of the packet it quotes and travels to that packet's
/// source. `(s, d)` are the packet's own addresses as table keys.
fn flow_of(
    p: &PacketRepr,
    (s, d): (u128, u128),
    unreach: bool,
    src_is_client: bool,
) -> (FlowKey, bool) {
    let key = |cli: u128, srv: u128, proto: u8, cp: u16, sp: u16| {
        (
            cli,
            srv,
            (u64::from(proto) << 32) | (u64::from(cp) << 16) | u64::from(sp),
        )
    };
    if unreach {
        if let Some(q) = &p.inner {
            // the quoted packet went q.src -> q.dst; its client is the end with the higher port
            let q_src_client = q.sport >= q.dport;
            let (qs, qd) = (ip_key(q.src), ip_key(q.dst));
            return if q_src_client {
                (key(qs, qd, q.proto, q.sport, q.dport), false)
            } else {
                (key(qd, qs, q.proto, q.dport, q.sport), true)
            };
        }
    }
    if src_is_client {
        (key(s, d, p.proto, p.sport, p.dport), true)
    } else {
        (key(d, s, p.proto, p.dport, p.sport), false)
    }
}

/// Whether the packet's source is the client end of its conversation: for TCP and UDP the end
/// with the higher port (the lower port is the service; equal ports count the source as
/// client); for ICMP the end that sends requests (echo, timestamp, address mask, router and
/// neighbour solicitation) — replies and errors come from the server end; other protocols
/// count the source as client.
fn is_client(p: &PacketRepr, ports: bool, icmp: bool) -> bool {
    if ports && p.sport != p.dport {
        return p.sport > p.dport;
    }
    if icmp {
        return matches!(
            (p.proto, p.icmp_type),
            (1, 8 | 13 | 15 | 17) | (58, 128 | 130 | 133 | 135)
        );
    }
    true
}

/// Number of count features (scaled by [`count`]): packets sent and received by each host
/// and each way of the conversation at each scale, and each way of the flow.
const COUNTS: usize = 2 * 2 * SCALES + 2 * SCALES + 2;

/// Where the count features are in a feature vector.
const COUNT_AT: [usize; COUNTS] = {
    let mut at = [0; COUNTS];
    let mut n = 0;
    let mut s = 0;
    while s < 2 * SCALES {
        // both hosts, one after the other
        at[n] = OWN + s * HOST_PER_SCALE;
        at[n + 1] = at[n] + 1;
        n += 2;
        s += 1;
    }
    s = 0;
    while s < SCALES {
        at[n] = OWN + 2 * HOST_PER_SCALE * SCALES + s * PAIR_PER_SCALE;
        at[n + 1] = at[n] + 1;
        n += 2;
        s += 1;
    }
    at[n] = LEN - FLOW;
    at[n + 1] = LEN - FLOW + 1;
    at
};

/// A host's features at every scale into `out`, but for the counts (packets sent and
/// received: `out[16·s]` and `out[16·s + 1]`), left to the caller.
fn host_features(acc: &[[f32; HA]; SCALES], out: &mut [f32]) {
    const _: () = assert!(HA == HOST_PER_SCALE && H_SENT == 0 && H_RECV == 1);
    const _: () = assert!(H_LEN == 2 && H_LEN2 == 3 && H_SYN == 4 && H_NSPORT == 13);
    const _: () = assert!(H_RSYN == 14 && H_NSRC == 15);
    for (a, o) in acc.iter().zip(out.chunks_exact_mut(HOST_PER_SCALE)) {
        let (sent, recv) = (a[H_SENT], a[H_RECV]);
        // every accumulator as a fraction of the packets sent, but the last two (of those
        // received): one pass that compiles to SIMD
        let mut den = [sent; HA];
        den[H_RSYN] = recv;
        den[H_NSRC] = recv;
        for ((o, &a), &d) in o.iter_mut().zip(a).zip(&den) {
            *o = frac(a, d);
        }
        let mean = o[H_LEN];
        let var = o[H_LEN2] - mean * mean;
        o[3] = var.max(0.0).sqrt();
    }
}

/// Index of a named feature (for tests and reports).
pub fn index_of(name: &str) -> Option<usize> {
    names().iter().position(|n| n == name)
}

#[cfg(test)]
mod decay_tests {
    use super::*;

    /// How counts, ages and fractions were scaled before [`fastmath`] and [`TINY`] (with
    /// libm's `ln_1p`).
    fn count_std(w: f32) -> f32 {
        (w.max(0.0).ln_1p() / COUNT_SCALE).min(1.0)
    }
    fn age_std(s: f64) -> f32 {
        ((s.max(0.0).ln_1p() / 600f64.ln_1p()) as f32).min(1.0)
    }

    fn frac_std(a: f32, b: f32) -> f32 {
        if b > 1e-9 {
            (a / b).clamp(0.0, 1.0)
        } else {
            0.0
        }
    }

    fn ulps(a: f32, b: f32) -> i64 {
        (i64::from(a.to_bits()) - i64::from(b.to_bits())).abs()
    }

    #[test]
    fn counts_scale_as_with_libm_within_two_ulp() {
        // with the correctly rounded logarithm (libm's `f64` one, rounded)
        let count_exact = |w: f32| ((f64::from(w.max(0.0)).ln_1p() as f32) / COUNT_SCALE).min(1.0);
        let (mut n, mut off, mut off_exact) = (0u32, 0u32, 0u32);
        let mut check = |w: f32| {
            let (got, want) = (count(w), count_std(w));
            let mut v = [w; 5];
            counts(&mut v);
            assert!(v.iter().all(|c| c.to_bits() == got.to_bits()), "{w:e}");
            if w < TINY {
                // taken as 0
                assert_eq!(got.to_bits(), 0, "{w:e}");
                assert!(want < 6e-32, "{w:e}");
                return;
            }
            // libm's `f32` logarithm is within 1 ulp; the division by the scale can make
            // that 2
            assert!(ulps(got, want) <= 2, "{w:e}: {got:e} vs {want:e}");
            let exact = count_exact(w);
            assert!(ulps(got, exact) <= 1, "{w:e}: {got:e} vs {exact:e}");
            n += 1;
            off += u32::from(got != want);
            off_exact += u32::from(got != exact);
        };
        // every 61st f32 from the smallest subnormal up to 1e9, then the larger ones
        let mut b = 1u32;
        while f32::from_bits(b) <= 1e9 {
            check(f32::from_bits(b));
            b += 61;
        }
        for w in [
            0.0,
            1.0,
            2.0,
            3.0,
            1e6,
            1.000_001e6,
            1e7,
            1e9,
            1e30,
            f32::MAX,
            -1.0,
            -0.0,
        ] {
            check(w);
        }
        assert!(f64::from(off) < 0.01 * f64::from(n), "{off} of {n} differ");
        assert!(off_exact <= 10, "{off_exact} of {n} differ");
        // 0, and what the clamps make of the rest
        assert_eq!(count(0.0).to_bits(), 0);
        assert_eq!(count(-3.0).to_bits(), 0);
        assert_eq!(count(f32::NAN).to_bits(), 0);
        assert_eq!(count(f32::NEG_INFINITY).to_bits(), 0);
        assert_eq!(count(f32::INFINITY), 1.0);
        assert_eq!(count(1e7), 1.0);
    }

    #[test]
    fn fractions_are_as_before_but_of_numerators_below_tiny() {
        let mut x = 77u64;
        let mut vals = vec![
            0.0,
            -0.0,
            1.0,
            0.5,
            1e-9,
            1.1e-9,
            2.0,
            1e6,
            f32::MIN_POSITIVE,
        ];
        vals.extend([TINY, TINY * 0.999, f32::from_bits(1), -1.0, f32::INFINITY]);
        for _ in 0..2000 {
            x = mix(x);
            vals.push(f32::from_bits((x as u32) & 0x7fff_ffff)); // any non-negative, NaN too
        }
        for &a in &vals {
            for &b in &vals {
                let (got, want) = (frac(a, b), frac_std(a, b));
                if want == 0.0 {
                    // but for the sign of 0 (-0 / 1 was -0)
                    assert_eq!(got, 0.0, "{a:e} / {b:e}");
                } else if a >= TINY || a.is_nan() {
                    assert!(
                        got.to_bits() == want.to_bits() || (a.is_nan() && b > 1e-9),
                        "{a:e} / {b:e}: {got:e} vs {want:e}"
                    );
                } else {
                    assert_eq!(got.to_bits(), 0);
                    assert!(want < 8e-22, "{a:e} / {b:e}: {want:e}");
                }
            }
        }
    }

    #[test]
    fn ages_scale_as_with_libm_within_one_ulp() {
        assert_eq!(AGE_SCALE, 600f64.ln_1p());
        assert!(AGE_MAX.ln_1p() > AGE_SCALE && f64::from(COUNT_MAX).ln_1p() > 1e6f64.ln_1p());
        let mut s = 1e-9;
        while s < 1e12 {
            let (got, want) = (age_feature(s), age_std(s));
            assert!(ulps(got, want) <= 1, "{s:e}: {got:e} vs {want:e}");
            s *= 1.000_7;
        }
        for s in [0.0, -0.0, -5.0, f64::NAN, f64::NEG_INFINITY] {
            assert_eq!(age_feature(s).to_bits(), 0, "{s}");
        }
        assert_eq!(age_feature(f64::INFINITY), 1.0);
        assert_eq!(age_feature(600.0), age_std(600.0));
    }

    #[test]
    fn count_features_are_where_count_at_says() {
        let names = names();
        let counted: Vec<usize> = (0..LEN)
            .filter(|&i| {
                let base = names[i].split('@').next().unwrap_or("");
                [
                    "cli.sent", "cli.recv", "srv.sent", "srv.recv", "pair.c2s", "pair.s2c",
                ]
                .contains(&base)
                    || base.ends_with("_pkts")
            })
            .collect();
        let mut at = COUNT_AT.to_vec();
        at.sort_unstable();
        assert_eq!(at, counted);
    }

    #[test]
    fn decay_factors_by_powers_match_one_exp2_per_half_life() {
        // the powers assume these ratios
        assert_eq!(HALF_LIVES, [0.1, 1.0, 10.0, 60.0]);
        let mut worst = 0f64;
        for i in 0..200_000u32 {
            // 1 µs to ~50 min, log-spaced, and a few exact values
            let dt = 1e-6 * 1.0001f64.powi(i as i32);
            let got = decay_factors(dt);
            for (g, h) in got.iter().zip(HALF_LIVES) {
                let want = (-dt / h).exp2() as f32;
                let ulps = (g.to_bits() as i64 - want.to_bits() as i64).abs();
                assert!(ulps <= 1, "dt {dt} h {h}: {g} vs {want}");
                worst = worst.max(ulps as f64);
            }
        }
        assert_eq!(decay_factors(0.0), [1.0; SCALES]);
        assert_eq!(decay_factors(-3.0), [1.0; SCALES]);
        assert_eq!(decay_factors(f64::NAN), [1.0; SCALES]);
        assert_eq!(decay_factors(f64::INFINITY), [0.0; SCALES]);
        assert!(worst <= 1.0);
    }
}

#[cfg(test)]
mod prepared_tests {
    use super::super::tests::{icmp_unreach, tcp, udp};
    use super::super::{Extractor, FeatureKind, Snapshot};
    use super::*;

    /// A mixed stream: IPv4 and IPv6 hosts, TCP, UDP and ICMP errors quoting a third host's
    /// packets, equal and out-of-order timestamps, many more hosts and ports than the small
    /// tables below hold.
    fn stream() -> Vec<PacketRepr> {
        let mut v = Vec::new();
        let mut x = 5u64;
        let mut ts = 100.0;
        for i in 0..20_000u32 {
            x = mix(x);
            let host = |n: u64| {
                if n % 5 == 0 {
                    format!("2001:db8::{:x}", n % 300)
                } else {
                    format!("10.0.{}.{}", n % 3, n % 251)
                }
            };
            let (a, b) = (host(x & 0xffff), host((x >> 16) & 0x3f));
            let (sp, dp) = ((x >> 24) as u16 | 1024, (x >> 40) as u16 % 1100);
            ts += match i % 7 {
                0 => 0.0,
                1 => -0.5,
                _ => ((x >> 50) % 1000) as f64 * 1e-4,
            };
            let p = match x % 6 {
                0 | 1 => tcp(ts, &a, &b, sp, dp, 2),
                2 => tcp(ts, &b, &a, dp, sp, 0x12),
                3 => tcp(ts, &b, &a, dp, sp, 4),
                4 => udp(ts, &a, &b, sp, dp, 100),
                _ => {
                    let q = udp(ts, &a, &host(x >> 8), sp, dp, 60);
                    icmp_unreach(ts, &b, &a, &q)
                }
            };
            v.push(p);
        }
        v
    }

    /// Push `stream()` through an extractor with packets prepared `ahead_by` packets ahead of
    /// their turn (by another extractor if `foreign`, else by the extractor itself) and their
    /// entries prefetched `entries` ahead, and check that every packet gets the context key
    /// and features of plain `push_if`.
    fn prepared_as_push_if(ahead_by: usize, entries: usize, foreign: bool) {
        let cfg = WindowConfig {
            hosts: 64,
            pairs: 64,
            seen: 256,
        };
        let packets = stream();
        let mut plain = Extractor::new(FeatureKind::Window, cfg);
        let mut ahead = Extractor::new(FeatureKind::Window, cfg);
        let mut other = Extractor::new(FeatureKind::Window, cfg);
        let (mut s1, mut s2) = (Snapshot::default(), Snapshot::default());
        let (mut r1, mut r2) = (vec![0f32; LEN], vec![0f32; LEN]);
        let mut queue = std::collections::VecDeque::new();
        // prepared by the pushing extractor alongside the packets another one prepares, so
        // that its ring holds other packets under the same numbers
        let decoy = udp(0.0, "192.0.2.1", "192.0.2.2", 5353, 53, 40);
        let mut prepare = |ahead: &mut Extractor, p| {
            if foreign {
                ahead.prepare(&decoy);
                other.prepare(p)
            } else {
                ahead.prepare(p)
            }
        };
        for p in packets.iter().take(ahead_by) {
            queue.push_back(prepare(&mut ahead, p));
        }
        let mut rest = packets.iter().skip(ahead_by);
        for (i, p) in packets.iter().enumerate() {
            if let Some(q) = rest.next() {
                queue.push_back(prepare(&mut ahead, q));
            }
            let Some(next) = queue.pop_front() else {
                panic!("packet {i} not prepared");
            };
            assert!(std::ptr::eq(next.packet(), p));
            if let Some(k) = entries.checked_sub(1).and_then(|e| queue.get(e)) {
                ahead.prefetch_entries(k);
            }
            let (mut k1, mut k2) = (0, 0);
            // every third packet is not wanted: its state is updated all the same
            let want = i % 3 != 0;
            let t1 = plain.push_if(
                p,
                |k| {
                    k1 = k;
                    want
                },
                &mut s1,
            );
            let t2 = ahead.push_prepared(
                &next,
                |k| {
                    k2 = k;
                    want
                },
                &mut s2,
            );
            assert_eq!((t1, k1), (t2, k2), "packet {i}");
            if t1 {
                s1.write(&mut r1);
                s2.write(&mut r2);
                let bits = |r: &[f32]| r.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&r1), bits(&r2), "packet {i}");
            }
        }
        let (Extractor::Window(a), Extractor::Window(b)) = (&plain, &ahead) else {
            panic!("window extractors");
        };
        assert_eq!(a.evictions(), b.evictions());
        assert_eq!(a.occupancy(), b.occupancy());
        assert!(a.evictions() > 10_000, "{}", a.evictions());
    }

    /// [`Snapshot::write`] as it was before [`fastmath`] and [`TINY`]: libm's logarithms,
    /// one feature at a time.
    fn write_std(s: &super::Snapshot, out: &mut [f32]) {
        let count = |w: f32| {
            if w.to_bits() == 0 {
                return 0.0;
            }
            (w.max(0.0).ln_1p() / COUNT_SCALE).min(1.0)
        };
        let frac = |a: f32, b: f32| {
            if b > 1e-9 {
                (a / b).clamp(0.0, 1.0)
            } else {
                0.0
            }
        };
        let host = |acc: &[[f32; HA]; SCALES], out: &mut [f32]| {
            for (a, o) in acc.iter().zip(out.chunks_exact_mut(HOST_PER_SCALE)) {
                let sent = a[H_SENT];
                let mean = frac(a[H_LEN], sent);
                let var = frac(a[H_LEN2], sent) - mean * mean;
                o[0] = count(sent);
                o[1] = count(a[H_RECV]);
                o[2] = mean;
                o[3] = var.max(0.0).sqrt();
                for i in H_SYN..=H_NSPORT {
                    o[i] = frac(a[i], sent);
                }
                o[14] = frac(a[H_RSYN], a[H_RECV]);
                o[15] = frac(a[H_NSRC], a[H_RECV]);
            }
        };
        out[..OWN].copy_from_slice(&s.own);
        let (src_at, dst_at) = if s.src_is_client {
            (OWN, OWN + HOST_PER_SCALE * SCALES)
        } else {
            (OWN + HOST_PER_SCALE * SCALES, OWN)
        };
        host(&s.src_host, &mut out[src_at..]);
        host(&s.dst_host, &mut out[dst_at..]);
        let base = OWN + 2 * HOST_PER_SCALE * SCALES;
        let c2s = usize::from(s.c2s).min(PA);
        let s2c = PA - c2s;
        for (acc, o) in s
            .pair
            .iter()
            .zip(out[base..].chunks_exact_mut(PAIR_PER_SCALE))
        {
            o[0] = count(acc[c2s + P_CNT]);
            o[1] = count(acc[s2c + P_CNT]);
            o[2] = frac(acc[c2s + P_NPORT], acc[c2s + P_CNT]);
            o[3] = frac(acc[c2s + P_SYN], acc[c2s + P_CNT]);
            o[4] = frac(acc[s2c + P_REFUSED], acc[c2s + P_CNT]);
            o[5] = frac(acc[s2c + P_NPORT], acc[s2c + P_CNT]);
        }
        let st = &s.flow;
        let o = &mut out[LEN - FLOW..LEN];
        o[0] = count(st.n[0]);
        o[1] = count(st.n[1]);
        o[2] = frac(st.payload[0], st.n[0]);
        o[3] = frac(st.payload[1], st.n[1]);
        o[4] = f32::from(u8::from(st.handshake));
        o[5] = f32::from(u8::from(st.refused));
        let age = (s.now - st.first).max(0.0);
        o[6] = ((age.ln_1p() / 600f64.ln_1p()) as f32).min(1.0);
    }

    #[test]
    fn features_are_those_of_libm_logarithms_within_two_ulp() {
        let mut ex = WindowState::new(WindowConfig {
            hosts: 64,
            pairs: 64,
            seen: 256,
        });
        let mut snap = super::Snapshot::default();
        let (mut got, mut want) = (vec![0f32; LEN], vec![0f32; LEN]);
        let (mut n, mut differ, mut tiny) = (0u64, 0u64, 0u64);
        let mut packets = stream();
        // and packets spread over minutes, so that sums decay to tiny and subnormal values
        let mut late = stream();
        for (i, p) in late.iter_mut().enumerate().take(3000) {
            p.ts = 1000.0 + i as f64 * 0.7;
        }
        packets.extend(late.into_iter().take(3000));
        for p in &packets {
            assert!(ex.push_if(p, |_| true, &mut snap));
            snap.write(&mut got);
            write_std(&snap, &mut want);
            for (i, (g, w)) in got.iter().zip(&want).enumerate() {
                n += 1;
                if g.to_bits() == w.to_bits() {
                    continue;
                }
                differ += 1;
                let ulps = (i64::from(g.to_bits()) - i64::from(w.to_bits())).abs();
                if (g - w).abs() < 1e-21 {
                    tiny += 1;
                } else {
                    assert!(ulps <= 2, "{}: {g:e} vs {w:e}", names()[i]);
                }
            }
        }
        // about 1 in 200 of libm's logarithms is not correctly rounded, and there are 27 per
        // 180 features (here about 1 in 2000 features differ)
        assert!(differ * 1000 < n, "{differ} of {n}");
        assert!(tiny > 0, "no value below TINY met");
    }

    #[test]
    fn prepared_ahead_and_prefetched_packets_get_the_features_of_push_if() {
        // as `ids detect` does
        prepared_as_push_if(8, 4, false);
        // as far ahead as the ring holds, and further: the keys are computed again
        prepared_as_push_if(RING - 1, RING - 1, false);
        prepared_as_push_if(3 * RING, RING + 2, false);
        // prepared by another extractor
        prepared_as_push_if(8, 4, true);
    }
}
