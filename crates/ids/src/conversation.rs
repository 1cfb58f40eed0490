//! Two-way UDP conversations: datagrams of a UDP conversation in which both ends have sent
//! data are no flood and no scan.
//!
//! The networks learnt UDP floods and UDP scans from datagrams that nobody answers, or that a
//! port unreachable or a one-off reply answers; the lab's normal UDP was one query and one
//! reply. Real LANs also carry long two-way UDP conversations on one pair of ports: QUIC
//! (HTTP/3) downloads, thousands of 1,200-byte datagrams a second one way and an
//! acknowledgement every second datagram the other way; voice and video calls (RTP, 50–300
//! datagrams a second each way); games; WireGuard and OpenVPN tunnels. To the networks a
//! QUIC download is a UDP flood, and so it was alerted.
//!
//! A stateful firewall tells them apart the way this rule does: Linux conntrack marks a UDP
//! flow *assured* once traffic has gone both ways, and NAT devices keep it open on that ground.
//! Here a *conversation* is the pair of (address, port) ends; it is **two-way** once each end
//! has sent at least [`DEFAULT_SETTLE`] datagrams carrying payload, and from then on, until it
//! is quiet for [`IDLE`], its datagrams are normal whatever the networks say.
//!
//! What this would give away: a flood sent from one fixed source port to a UDP service that
//! answers every datagram (an echo or DNS service) is, to a firewall, a two-way conversation.
//! Such a conversation is **mirrored**: once one end has sent at least [`MIRROR_MIN`]
//! datagrams with payload, at least [`MIRROR_RATE`] a second on average since the
//! conversation began, at least [`MIRROR_SAME`] of them of one payload size (a tool's fixed
//! `-d`: no change of size), and the other end has answered at least [`MIRROR_ANSWERED`] of
//! them, its datagrams are no longer cleared and the networks judge them. The applications the rule is for do not
//! look so: a QUIC download or upload, a tunnel's bulk transfer, acknowledge every second
//! datagram or fewer; calls and games send 20–100 datagrams a second; video varies its packet
//! sizes (frames end in a short packet, audio is interleaved).
//!
//! **TFTP in lock-step** (session 28, `lab/tftpreflect.sh`). A TFTP transfer (RFC 1350) is
//! mirrored to the letter: one end sends DATA blocks of 516 bytes (512 and the 4-byte header)
//! as fast as the other acknowledges each, thousands a second on a LAN, and the other sends
//! an ACK for every one; the networks took each download of a namespace run (tftpd-hpa and
//! tftp-hpa, curl) for a UDP flood of one end or the other. What an echo service's answers to
//! a flood never do is acknowledge it: a TFTP ACK (`00 04`) names the number of the DATA
//! block (`00 03`) it answers ([`PacketRepr::head`]), and an echo would repeat `00 03`. So a
//! conversation in which the answers that acknowledge the other end's latest DATA block by
//! its number are at least [`MIRROR_ANSWERED`] of the busier end's datagrams is not
//! mirrored. What it gives away: a flood tool that sends numbered TFTP DATA to a real TFTP
//! client's transfer port, which it acknowledges: that is a transfer.
//!
//! **One-way streams.** Many applications send UDP one way only, from one socket to one
//! collector: syslog, statsd metrics, NetFlow/IPFIX export, a camera's RTP stream to a
//! recorder. In namespace runs the networks took each for a UDP flood (500 to 2,000 datagrams
//! a second; 100 for NetFlow). An application's datagrams carry its data, so their sizes vary;
//! a flood tool sends one size (hping3 and nping `-d`, LOIC, Mirai's plain UDP flood), and
//! hping3 changes source port with every datagram. So an end of a conversation that has sent
//! [`STREAM_MIN`] datagrams with payload, at least [`STREAM_VARIED`] of them of another size
//! than the one before, sends an application's stream, and its datagrams are normal — unless
//! an ICMP error has quoted one of them: a stream nobody listens to is what a flood to a
//! closed port looks like. A flood of varying sizes from one fixed port to a port that listens
//! is what this gives away. The floods of hping3, nping, LOIC-style tools against closed ports and the
//! reflected floods of amplification attacks are not: a closed port answers with ICMP, a
//! victim of reflection does not answer, and hping3 takes a new source port per datagram, so
//! each of its datagrams is a conversation of its own that no reply makes two-way twice.
//! A first fragment counts like a whole datagram (it carries the ports); the fragments after
//! it carry none and take their first fragment's verdict ([`crate::fragments`]).
//!
//! **Answers.** A question and its answer are a conversation too short to be two-way: a stub
//! resolver asks each question from a new port. The networks judge such an exchange well
//! when the answer is small, as the lab's DNS answers were; a large one, cut into fragments
//! (a DNSSEC answer, an EDNS answer of 4 KiB, a large SNMP table), they took for a UDP flood
//! of the answering host in a namespace run (session 17: 3,500-byte answers four times a
//! second). So the first [`ANSWERS`] datagrams an end sends back, within [`ANSWER_WAIT`] of the
//! conversation's first datagram, which the other end sent, are normal: answers to its
//! question. What the asker sends is judged as before (a UDP scan's probes, a flood's
//! datagrams); a reflected flood is no answer (its victim asked nothing of the reflectors,
//! [`crate::reflection`]), nor are a subnet's answers to a broadcast (asked of the group's
//! address, not of theirs: fraggle).
//!
//! **Ends that went away.** A two-way conversation ends without a goodbye when one end's
//! application exits or its host leaves: a BitTorrent peer closed (uTP, BEP 29, carries its
//! transfers over UDP; the mainline DHT, BEP 5, its queries), a call hung up. The other end's
//! datagrams still in flight, and its retries for a while, meet a closed port, and the host
//! refuses each with an ICMP port unreachable. To the networks a run of unreachables from one
//! host to the peers that were sending to it is a UDP scan's answers, and from a host that
//! left a swarm they made a "UDP scan" alert of the host that left, or a "UDP flood" of the
//! peers against it (session 19). So a destination unreachable quoting a datagram of a
//! two-way conversation (each end had sent [`DEFAULT_SETTLE`] datagrams with payload, not
//! mirrored) that nothing refused before it was two-way, sent back to that datagram's sender,
//! is normal: the conversation's end, as a reset that closes an established TCP connection is
//! (`detect`'s "Resets that close connections"); at most [`ENDED_ERRORS`] of them per
//! conversation. A scan's datagrams and a flood's to a closed port never made a conversation
//! two-way, so their refusals are judged as before; nor does a raw UDP scanner whose probes an
//! echo service answers twice (nmap -sU sends each probe again): its kernel, which has no
//! socket on the probes' port, refused the first echo already.
//!
//! **Handshakes sent again.** The table also tells, of each datagram, whether it is a
//! full-size copy its sender sent again on a conversation that never answered (a QUIC client
//! retrying its Initial where nothing answers): [`crate::handshakes::sent_again`], read with
//! [`Conversations::resent`]; the verdicts do not change, an episode of such copies is no UDP
//! scan ([`crate::handshakes`]).
//!
//! Sans-IO and bounded: one fixed set-associative table ([`CAPACITY`] conversations, least
//! recently used evicted), fed every decoded packet in capture order.

use crate::detect::AddrKeys;
use crate::features::table::{hash_key, hash_mixed, ip_key, mix, premix, SetAssoc};
use nightjar_packet::{proto, PacketRepr};

/// Datagrams with payload each end must have sent before the conversation is two-way.
pub const DEFAULT_SETTLE: u32 = 2;
/// A conversation quiet for this long starts again, seconds (conntrack's UDP stream timeout
/// is 120 s, its unreplied one 30 s).
pub const IDLE: f64 = 60.0;
/// Conversations remembered.
pub const CAPACITY: usize = 1 << 16;
/// Host pairs remembered with an unreachable whose quote was cut.
pub const BLIND: usize = 1 << 10;
/// A mirrored conversation's busier end has sent at least this many datagrams with payload,
pub const MIRROR_MIN: u32 = 100;
/// at this many a second or more on average since the conversation began,
pub const MIRROR_RATE: f64 = 200.0;
/// this share of them or more of the size of the datagram before (a tool's fixed `-d`),
pub const MIRROR_SAME: f64 = 0.99;
/// and the other end has sent at least this share as many (an echo service under a flood of
/// 1,400 a second answered 69% of it in a namespace run; a QUIC or tunnel upload is
/// acknowledged every second datagram or less often).
pub const MIRROR_ANSWERED: f64 = 0.6;
/// Datagrams with payload an end may send back as answers to the question that began a
/// conversation,
pub const ANSWERS: u32 = 4;
/// within this many seconds of it.
pub const ANSWER_WAIT: f64 = 10.0;
/// An application's one-way stream: its sender has sent at least this many datagrams with
/// payload on the conversation,
pub const STREAM_MIN: u32 = 20;
/// at least this share of them of another size than the one before.
pub const STREAM_VARIED: f64 = 0.1;

/// Destination unreachables quoting a two-way conversation's datagrams that are taken as its
/// end (module documentation, "Ends that went away"): a peer's datagrams in flight and its
/// retries (a uTP sender's window is a few dozen datagrams).
pub const ENDED_ERRORS: u8 = 200;

/// Both ends of a conversation, the lower (address, port) first:
/// (lower address, higher address, lower port << 16 | higher port).
type Key = (u128, u128, u32);

/// Datagrams with payload sent by the lower end and by the higher end; the payload size of each
/// end's latest such datagram and how many of its datagrams changed size from the one before;
/// when the conversation began.
#[derive(Clone, Copy, Default)]
struct Sent {
    n: [u32; 2],
    last: [u16; 2],
    changes: [u32; 2],
    /// An ICMP error (port unreachable) quoted one of its datagrams: nobody listens.
    refused: bool,
    /// The end that sent its first datagram (0: the lower).
    asker: u8,
    /// Unreachables taken as the conversation's end ([`ENDED_ERRORS`] at most).
    ended: u8,
    /// An unreachable quoted one of its datagrams before it was two-way: an end that never
    /// listened (a raw scanner's kernel refusing the answers to its probes), not one that
    /// went away.
    refused_one_way: bool,
    /// The block number of the latest TFTP DATA ([`PacketRepr::head`] `00 03`) either end
    /// sent, and that end (module documentation, "TFTP in lock-step").
    block: u16,
    block_from: u8,
    /// Datagrams that acknowledged the other end's latest DATA block (`00 04` and its
    /// number).
    acks: u32,
    since: f64,
}

impl Sent {
    /// Whether it is mirrored (module documentation) at `now`.
    fn mirrored(&self, now: f64) -> bool {
        let busy = usize::from(self.n[1] > self.n[0]);
        let n = f64::from(self.n[busy]);
        self.n[busy] >= MIRROR_MIN
            && n / (now - self.since).max(1e-3) >= MIRROR_RATE
            && f64::from(self.changes[busy]) <= (1.0 - MIRROR_SAME) * n
            && f64::from(self.n[1 - busy]) >= MIRROR_ANSWERED * n
            && f64::from(self.acks) < MIRROR_ANSWERED * n
    }

    /// Note the first bytes `head` of a datagram from end `from`: a TFTP DATA block's
    /// number, or an acknowledgment of the other end's latest one.
    fn tftp(&mut self, from: usize, head: [u8; 4]) {
        let block = u16::from_be_bytes([head[2], head[3]]);
        match head[..2] {
            [0, 3] => (self.block, self.block_from) = (block, from as u8),
            [0, 4] if usize::from(self.block_from) != from && block == self.block => {
                self.acks = self.acks.saturating_add(1);
            }
            _ => {}
        }
    }

    /// Whether each end has sent `settle` datagrams with payload and it is not mirrored, at
    /// `now`.
    fn two_way(&self, settle: u32, now: f64) -> bool {
        self.n.iter().all(|&n| n >= settle) && !self.mirrored(now)
    }

    /// Whether end `from`'s latest datagram answers the question that began the conversation
    /// (module documentation) at `now`.
    fn answer(&self, from: usize, now: f64) -> bool {
        usize::from(self.asker) != from
            && self.n[from] <= ANSWERS
            && self.n[1 - from] > 0
            && now - self.since <= ANSWER_WAIT
    }

    /// Whether end `from` sends an application's stream: at least [`STREAM_MIN`] datagrams,
    /// at least [`STREAM_VARIED`] of them of another size than the one before.
    fn stream(&self, from: usize) -> bool {
        !self.refused
            && self.n[from] >= STREAM_MIN
            && f64::from(self.changes[from]) >= STREAM_VARIED * f64::from(self.n[from])
    }
}

/// The two-way UDP conversation tracker.
pub struct Conversations {
    settle: u32,
    table: SetAssoc<Key, Sent>,
    /// (refusing host, refused host) → when it last sent an unreachable whose quote the
    /// capture cut (a small snap length cuts an ICMPv6 error's quote): which conversation it
    /// refused is unknown, so every stream to that host counts as refused for [`IDLE`].
    blind: SetAssoc<(u128, u128), f64>,
    clock: f64,
    /// The latest packet was a full-size UDP datagram sent again
    /// ([`crate::handshakes::sent_again`]).
    resent: bool,
}

impl Conversations {
    /// A tracker under which a conversation is two-way once each end has sent `settle`
    /// datagrams with payload; 0 turns it off (no datagram is ever two-way).
    pub fn new(settle: u32) -> Conversations {
        Conversations {
            settle,
            table: SetAssoc::new(if settle == 0 { 1 } else { CAPACITY }),
            blind: SetAssoc::new(if settle == 0 { 1 } else { BLIND }),
            clock: f64::NEG_INFINITY,
            resent: false,
        }
    }

    /// Take the next packet; whether it is a UDP datagram of a two-way conversation (counting
    /// the datagram itself), of an application's stream, or an answer to a question, or a
    /// destination unreachable that ends a two-way conversation (module documentation).
    pub fn push(&mut self, p: &PacketRepr) -> bool {
        self.push_keyed(p, &AddrKeys::of(p))
    }

    /// [`Conversations::push`] of a packet whose addresses' keys are `k`.
    ///
    /// Inlined at the call: a packet neither UDP nor ICMP (TCP: nearly every one) goes no
    /// further than the clock.
    #[inline]
    pub(crate) fn push_keyed(&mut self, p: &PacketRepr, k: &AddrKeys) -> bool {
        self.resent = false;
        if self.settle == 0 || p.later_fragment {
            return false;
        }
        if p.ts.is_finite() && p.ts > self.clock {
            self.clock = p.ts;
        }
        if !matches!(p.proto, proto::UDP | proto::ICMP | proto::ICMPV6) {
            return false;
        }
        self.push_datagram(p, k)
    }

    /// [`Conversations::push_keyed`] of a UDP datagram or an ICMP message, the clock moved.
    #[inline(never)]
    fn push_datagram(&mut self, p: &PacketRepr, k: &AddrKeys) -> bool {
        let now = self.clock;
        if matches!(p.proto, proto::ICMP | proto::ICMPV6) {
            // an error quoting one of a conversation's datagrams: refused
            match p.inner {
                Some(q) if q.proto == proto::UDP => {
                    let (key, hash, _) =
                        Self::key((ip_key(q.src), q.sport), (ip_key(q.dst), q.dport));
                    // (within IDLE of its last datagram: a conversation not yet started again)
                    let live = self
                        .table
                        .get_stamped(&key, hash)
                        .is_some_and(|(_, t)| now - t <= IDLE);
                    if let Some(v) = self.table.get_mut(&key, hash, now) {
                        v.refused = true;
                        let two_way = v.two_way(self.settle, now);
                        v.refused_one_way |= !two_way;
                        // an end that went away, refusing what its peer still sends
                        let ended = live
                            && two_way
                            && !v.refused_one_way
                            && proto::icmp_unreachable(p.proto, p.icmp_type)
                            && p.dst == q.src
                            && v.ended < ENDED_ERRORS;
                        if ended {
                            v.ended += 1;
                            return true;
                        }
                    }
                }
                None if proto::icmp_unreachable(p.proto, p.icmp_type) => {
                    let k = (ip_key(p.src), ip_key(p.dst));
                    *self
                        .blind
                        .touch(k, hash_key(hash_key(85, k.0), k.1), now)
                        .val = now;
                }
                _ => {}
            }
            return false;
        }
        if p.proto != proto::UDP {
            return false;
        }
        let (key, hash, from) = Self::key_premixed((k.src, k.ms, p.sport), (k.dst, k.md, p.dport));
        let e = self.table.touch(key, hash, now);
        if e.prev_stamp.is_none_or(|t| now - t > IDLE) {
            *e.val = Sent {
                since: now,
                asker: from as u8,
                ..Sent::default()
            };
        }
        let v = e.val;
        if p.payload_len > 0 {
            let size = u16::try_from(p.payload_len).unwrap_or(u16::MAX);
            if v.n[from] > 0 && size != v.last[from] {
                v.changes[from] = v.changes[from].saturating_add(1);
            }
            v.last[from] = size;
            v.n[from] = v.n[from].saturating_add(1);
            if p.head[0] == 0 {
                v.tftp(from, p.head);
            }
            self.resent = crate::handshakes::sent_again(
                p.payload_len,
                v.n[from],
                v.changes[from],
                v.n[1 - from],
                now - v.since,
            );
        }
        let two_way = v.two_way(self.settle, now) || v.answer(from, now);
        if two_way || !v.stream(from) {
            return two_way;
        }
        // a stream, unless its receiver has refused its sender with a quote cut short
        let k = (ip_key(p.dst), ip_key(p.src));
        !self
            .blind
            .get(&k, hash_key(hash_key(85, k.0), k.1))
            .is_some_and(|&t| now - t <= IDLE)
    }

    /// Whether the latest packet pushed was a full-size UDP datagram sent again on its
    /// conversation, nothing back (module documentation, "Handshakes sent again").
    pub fn resent(&self) -> bool {
        self.resent
    }

    /// The key and hash of the conversation of a datagram from `a` to `b` (address, port), and
    /// which end sent it (0: the lower).
    fn key(a: (u128, u16), b: (u128, u16)) -> (Key, u64, usize) {
        Self::key_premixed((a.0, premix(a.0), a.1), (b.0, premix(b.0), b.1))
    }

    /// [`Conversations::key`] of ends given as (address, its [`premix`], port).
    fn key_premixed(a: (u128, u64, u16), b: (u128, u64, u16)) -> (Key, u64, usize) {
        let (lo, hi, from) = if (a.0, a.2) <= (b.0, b.2) {
            (a, b, 0)
        } else {
            (b, a, 1)
        };
        let key: Key = (lo.0, hi.0, u32::from(lo.2) << 16 | u32::from(hi.2));
        let hash = hash_mixed(hash_mixed(83, lo.1), hi.1) ^ mix(u64::from(key.2));
        (key, hash, from)
    }

    /// Conversations pushed out of the full table.
    pub fn evictions(&self) -> u64 {
        self.table.evictions()
    }

    /// Bytes the tables may hold at most.
    pub fn memory_bytes(&self) -> usize {
        self.table.memory_bytes() + self.blind.memory_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A UDP datagram carrying `payload` bytes.
    fn udp(ts: f64, src: &str, sport: u16, dst: &str, dport: u16, payload: u16) -> PacketRepr {
        crate::features::tests::udp(ts, src, dst, sport, dport, 28 + payload)
    }

    const C: &str = "198.18.0.20";

    #[test]
    fn the_shortcut_for_packets_neither_udp_nor_icmp_changes_no_verdict() {
        // `push_keyed` against the clock moved and `push_datagram` on every packet, the rule
        // as it was
        let traffic = crate::features::tests::mixed_traffic(20_000);
        let (mut fast, mut full) = (Conversations::new(1), Conversations::new(1));
        let mut two_way = 0;
        for (i, p) in traffic.iter().enumerate() {
            let k = AddrKeys::of(p);
            let v = fast.push_keyed(p, &k);
            let w = !p.later_fragment && {
                if p.ts.is_finite() && p.ts > full.clock {
                    full.clock = p.ts;
                }
                full.push_datagram(p, &k)
            };
            assert_eq!(v, w, "packet {i}: {p:?}");
            two_way += usize::from(v);
        }
        assert!(
            two_way > 10,
            "{two_way} two-way: the traffic exercises the rule"
        );
    }
    const S: &str = "198.18.0.10";

    #[test]
    fn the_first_answers_to_a_question_are_normal_and_the_question_is_judged() {
        let mut c = Conversations::new(2);
        // a stub resolver's question from a new port each time, a 3,500-byte answer in three
        // fragments (the first carries the ports, the later ones are not looked at)
        for i in 0..100u16 {
            let t = f64::from(i) * 0.25;
            assert!(!c.push(&udp(t, C, 40000 + i, S, 53, 40)), "the question");
            assert!(
                c.push(&udp(t + 0.01, S, 53, C, 40000 + i, 1472)),
                "the answer"
            );
        }
        // up to ANSWERS datagrams back, within ANSWER_WAIT of the question
        assert!(!c.push(&udp(30.0, C, 50000, S, 161, 40)));
        for k in 0..ANSWERS {
            assert!(c.push(&udp(30.1 + f64::from(k) * 0.01, S, 161, C, 50000, 500)));
        }
        assert!(!c.push(&udp(30.2, S, 161, C, 50000, 500)));
        assert!(!c.push(&udp(40.0, C, 50001, S, 161, 40)));
        assert!(!c.push(&udp(40.0 + ANSWER_WAIT + 0.1, S, 161, C, 50001, 500)));
        // the one who spoke first is asking, not answering; an answer without payload, and
        // a question without payload, answer nothing
        assert!(!c.push(&udp(50.0, C, 50002, S, 7, 40)));
        assert!(!c.push(&udp(50.1, C, 50002, S, 7, 40)));
        assert!(!c.push(&udp(60.0, C, 50003, S, 7, 0)));
        assert!(!c.push(&udp(60.1, S, 7, C, 50003, 40)));
        // off with the rule
        let mut off = Conversations::new(0);
        assert!(!off.push(&udp(0.0, C, 40000, S, 53, 40)));
        assert!(!off.push(&udp(0.01, S, 53, C, 40000, 1472)));
    }

    #[test]
    fn a_conversation_is_two_way_once_each_end_has_sent_two_datagrams_with_payload() {
        let mut c = Conversations::new(2);
        // a QUIC-like download: a request, then the server's burst, acknowledged every second
        assert!(!c.push(&udp(0.0, C, 50000, S, 443, 1200)));
        // (the server's first ANSWERS datagrams are answers to the request)
        for k in 0..ANSWERS {
            assert!(c.push(&udp(0.01 + f64::from(k) * 1e-4, S, 443, C, 50000, 1200)));
        }
        assert!(!c.push(&udp(0.02, S, 443, C, 50000, 1200)));
        // the client's second datagram settles it
        assert!(c.push(&udp(0.03, C, 50000, S, 443, 40)));
        for i in 0..100 {
            assert!(c.push(&udp(0.04 + f64::from(i) * 0.001, S, 443, C, 50000, 1200)));
        }
        // another port pair of the same hosts is another conversation
        assert!(!c.push(&udp(0.2, C, 50001, S, 443, 1200)));
        // so is the reverse pairing of ports
        assert!(!c.push(&udp(0.2, C, 443, S, 50000, 1200)));
    }

    #[test]
    fn one_way_datagrams_empty_ones_and_other_protocols_never_make_a_conversation_two_way() {
        let mut c = Conversations::new(2);
        // a flood from one fixed port to a closed port: the answers are ICMP, not UDP
        for i in 0..1000 {
            assert!(!c.push(&udp(f64::from(i) * 1e-3, C, 40000, S, 5000, 64)));
        }
        // empty datagrams both ways do not count
        for i in 0..10 {
            assert!(!c.push(&udp(2.0 + f64::from(i) * 1e-3, C, 40001, S, 7, 0)));
            assert!(!c.push(&udp(2.0 + f64::from(i) * 1e-3, S, 7, C, 40001, 0)));
        }
        // hping3's flood: a new source port per datagram, each echoed once: the flood is never
        // cleared, its echoes are the service's answers
        for i in 0..1000u16 {
            let t = 3.0 + f64::from(i) * 1e-3;
            assert!(!c.push(&udp(t, C, 2000 + i, S, 7, 64)));
            assert!(c.push(&udp(t, S, 7, C, 2000 + i, 64)));
        }
        // TCP between the same ends is not looked at
        let mut tcp = udp(5.0, C, 50000, S, 443, 100);
        tcp.proto = proto::TCP;
        assert!(!c.push(&tcp));
        // nor a fragment after the first, which has no ports
        let later = PacketRepr {
            fragment: true,
            later_fragment: true,
            ..udp(5.0, C, 0, S, 0, 1400)
        };
        assert!(!c.push(&later));
    }

    #[test]
    fn a_flood_from_one_port_to_a_service_that_echoes_it_is_mirrored_and_not_cleared() {
        let mut c = Conversations::new(2);
        // hping3 --udp -p 7 -s 4000 -k -d 64 -i u500: 2,000 a second, two of three echoed
        let mut cleared = 0;
        for i in 0..3000u32 {
            let t = f64::from(i) * 5e-4;
            cleared += u32::from(c.push(&udp(t, C, 4000, S, 7, 64)));
            if i % 3 != 2 {
                cleared += u32::from(c.push(&udp(t + 1e-4, S, 7, C, 4000, 64)));
            }
        }
        // two-way from the second exchange until the flood has sent MIRROR_MIN
        assert!(cleared > 0 && cleared < 2 * MIRROR_MIN, "{cleared}");
        // a call: 50 a second each way, G.711's 172 bytes every time: not mirrored (too slow)
        let mut c = Conversations::new(2);
        for i in 0..3000u32 {
            let t = f64::from(i) * 0.02;
            c.push(&udp(t, C, 16400, S, 16500, 172));
            // (the first is an answer, the rest two-way)
            assert!(c.push(&udp(t + 1e-3, S, 16500, C, 16400, 172)), "{i}");
        }
        // a bulk upload at 2,000 a second, acknowledged every second datagram: not mirrored
        let mut c = Conversations::new(2);
        for i in 0..4000u32 {
            let t = f64::from(i) * 5e-4;
            let up = c.push(&udp(t, C, 51820, S, 51820, 1400));
            assert_eq!(up, i >= 4, "{i}");
            if i % 2 == 1 {
                c.push(&udp(t + 1e-4, S, 51820, C, 51820, 92));
            }
        }
        // video both ways at 300 a second, sizes varying: not mirrored
        let mut c = Conversations::new(2);
        for i in 0..3000u32 {
            let t = f64::from(i) / 300.0;
            let size = 800 + (i * 7919 % 400) as u16;
            c.push(&udp(t, C, 5004, S, 5006, size));
            assert!(c.push(&udp(t + 1e-4, S, 5006, C, 5004, size)), "{i}");
        }
    }

    #[test]
    fn a_tftp_transfer_in_lock_step_is_not_mirrored_and_an_echoed_flood_of_blocks_is() {
        // a TFTP download (tftp-hpa from tftpd-hpa on a LAN): DATA block k, 516 bytes, from
        // the server's transfer port, 4,000 a second, each acknowledged by its number
        let tftp =
            |ts: f64, src: &str, sport: u16, dst: &str, dport: u16, head: [u8; 4], len: u16| {
                PacketRepr {
                    head,
                    ..udp(ts, src, sport, dst, dport, len)
                }
            };
        let mut c = Conversations::new(2);
        let mut judged = 0;
        for k in 1..=3000u16 {
            let t = f64::from(k) * 2.5e-4;
            let [hi, lo] = k.to_be_bytes();
            judged += u32::from(!c.push(&tftp(t, S, 47104, C, 40312, [0, 3, hi, lo], 516)));
            judged += u32::from(!c.push(&tftp(t + 1e-4, C, 40312, S, 47104, [0, 4, hi, lo], 4)));
        }
        // (the first block is the request's answer, not yet two-way: the rest is)
        assert!(judged <= 4, "{judged}");
        // the same datagrams echoed back (an echo repeats the block, `00 03`), or answered by
        // ACKs naming other blocks: mirrored, judged by the networks
        for ack in [false, true] {
            let mut c = Conversations::new(2);
            let mut cleared = 0;
            for k in 1..=3000u16 {
                let t = f64::from(k) * 2.5e-4;
                let [hi, lo] = k.to_be_bytes();
                cleared += u32::from(c.push(&tftp(t, C, 4000, S, 7, [0, 3, hi, lo], 516)));
                let back = if ack { [0, 4, lo, hi] } else { [0, 3, hi, lo] };
                cleared += u32::from(c.push(&tftp(t + 1e-4, S, 7, C, 4000, back, 516)));
            }
            assert!(cleared < 2 * MIRROR_MIN, "{ack}: {cleared}");
        }
    }

    #[test]
    fn a_one_way_stream_of_varying_sizes_is_an_application_and_one_size_is_not() {
        // syslog to a collector: 500 a second from one socket, 60-400 bytes
        let mut c = Conversations::new(2);
        let mut normal = 0;
        for i in 0..1000u32 {
            let size = 60 + (i * 7919 % 341) as u16;
            normal += u32::from(c.push(&udp(f64::from(i) * 2e-3, C, 40514, S, 514, size)));
        }
        // from the STREAM_MIN-th datagram on (sizes change nearly every time)
        assert_eq!(normal, 1000 - (STREAM_MIN - 1), "{normal}");
        // a camera's RTP video: nine datagrams of 1,200 bytes and one of 300 per frame
        let mut c = Conversations::new(2);
        let mut normal = 0;
        for i in 0..3000u32 {
            let size = if i % 10 == 9 { 300 } else { 1200 };
            normal += u32::from(c.push(&udp(f64::from(i) / 300.0, C, 5004, S, 5006, size)));
        }
        assert!(normal > 2900, "{normal}");
        // a flood of one size from one port (nping --udp, hping3 -k): never
        let mut c = Conversations::new(2);
        for i in 0..3000u32 {
            assert!(!c.push(&udp(f64::from(i) * 5e-4, C, 40000, S, 53, 64)));
        }
        // nor one of varying sizes that the receiver refuses (a closed port's unreachables),
        // also when the capture cut the refusal's quote (an ICMPv6 error at snap length 96)
        for cut in [false, true] {
            let mut c = Conversations::new(2);
            let mut normal = 0;
            for i in 0..3000u32 {
                let size = 16 + (i * 7919 % 49) as u16;
                let dgram = udp(f64::from(i) * 1e-3, C, 40000, S, 9, size);
                normal += u32::from(c.push(&dgram));
                if i % 500 == 30 {
                    let mut refusal = crate::features::tests::icmp_unreach(dgram.ts, S, C, &dgram);
                    if cut {
                        refusal.inner = None;
                    }
                    assert!(!c.push(&refusal));
                }
            }
            assert_eq!(normal, 31 - (STREAM_MIN - 1), "cut {cut}: {normal}");
        }
        // nor a flood that changes source port with every datagram (hping3's default)
        let mut c = Conversations::new(2);
        for i in 0..3000u32 {
            let size = 60 + (i * 7919 % 341) as u16;
            assert!(!c.push(&udp(f64::from(i) * 5e-4, C, 1024 + i as u16, S, 53, size)));
        }
    }

    /// A uTP-like transfer (BEP 29) from S:6881 to C:51413, two-way by its tenth datagram.
    fn transfer(c: &mut Conversations, t0: f64) {
        for i in 0..10u32 {
            let t = t0 + f64::from(i) * 0.01;
            c.push(&udp(t, S, 6881, C, 51413, 1400));
            c.push(&udp(t + 1e-3, C, 51413, S, 6881, 20));
        }
    }

    #[test]
    fn unreachables_from_an_end_that_went_away_are_normal_and_a_scans_refusals_are_not() {
        // session 19's swarm: a peer (C) left; its kernel refuses the datagrams its peer (S)
        // still sends, each with a port unreachable back to S
        let mut c = Conversations::new(2);
        transfer(&mut c, 0.0);
        let mut ended = 0u32;
        for i in 0..300u32 {
            let t = 1.0 + f64::from(i) * 0.01;
            let d = udp(t, S, 6881, C, 51413, 1400);
            assert!(c.push(&d), "{i}: a datagram of the two-way conversation");
            let refusal = crate::features::tests::icmp_unreach(t + 1e-4, C, S, &d);
            ended += u32::from(c.push(&refusal));
        }
        // the first ENDED_ERRORS, no more
        assert_eq!(ended, u32::from(ENDED_ERRORS));
        // nmap -sU's probes to closed ports, from one port: no conversation, judged
        let mut c = Conversations::new(2);
        for port in 1..=50u16 {
            let d = udp(f64::from(port) * 0.1, C, 40000, S, port, 0);
            assert!(!c.push(&d));
            let refusal = crate::features::tests::icmp_unreach(d.ts + 1e-4, S, C, &d);
            assert!(!c.push(&refusal), "port {port}");
        }
        // nmap -sU's probe to an echo service, sent twice and echoed twice: the scanner's
        // kernel refuses each echo (no socket on its raw port), the first while the exchange
        // was one-way, so the second refusal is no end either
        let mut c = Conversations::new(2);
        for k in 0..2u32 {
            let t = f64::from(k);
            c.push(&udp(t, C, 45000, S, 7, 40));
            let echo = udp(t + 1e-3, S, 7, C, 45000, 40);
            c.push(&echo);
            let refusal = crate::features::tests::icmp_unreach(t + 2e-3, C, S, &echo);
            assert!(!c.push(&refusal), "echo {k}");
        }
        // a question answered once, then refused: not two-way (one datagram each way)
        let mut c = Conversations::new(2);
        let q = udp(0.0, C, 40001, S, 6881, 100);
        c.push(&q);
        c.push(&udp(0.01, S, 6881, C, 40001, 300));
        let d = udp(0.5, S, 6881, C, 40001, 300);
        c.push(&d);
        let refusal = crate::features::tests::icmp_unreach(0.6, C, S, &d);
        assert!(!c.push(&refusal));
    }

    #[test]
    fn an_unreachable_is_a_conversations_end_only_back_to_its_sender_while_it_is_live() {
        let d = udp(1.0, S, 6881, C, 51413, 1400);
        // the error goes to the quoted datagram's sender, or it is no refusal of it
        let mut c = Conversations::new(2);
        transfer(&mut c, 0.0);
        let elsewhere = crate::features::tests::icmp_unreach(1.0, C, "198.18.0.30", &d);
        assert!(!c.push(&elsewhere));
        // an ICMP error of another type (time exceeded) is no closed port
        let mut exceeded = crate::features::tests::icmp_unreach(1.0, C, S, &d);
        exceeded.icmp_type = 11;
        exceeded.icmp_code = 0;
        assert!(!c.push(&exceeded));
        // more than IDLE after the conversation's last packet (the error above) it is over
        let late = crate::features::tests::icmp_unreach(1.5 + IDLE, C, S, &d);
        assert!(!c.push(&late));
        // a mirrored conversation (a flood echoed) is no conversation whose end went away
        let mut c = Conversations::new(2);
        for i in 0..3000u32 {
            let t = f64::from(i) * 5e-4;
            c.push(&udp(t, C, 4000, S, 7, 64));
            c.push(&udp(t + 1e-4, S, 7, C, 4000, 64));
        }
        let flood = udp(1.5, C, 4000, S, 7, 64);
        assert!(!c.push(&crate::features::tests::icmp_unreach(1.5, S, C, &flood)));
        // off with the rule
        let mut off = Conversations::new(0);
        transfer(&mut off, 0.0);
        let refusal = crate::features::tests::icmp_unreach(1.0, C, S, &d);
        assert!(!off.push(&refusal));
        // and the same refusal, live and sent back, is the end
        let mut c = Conversations::new(2);
        transfer(&mut c, 0.0);
        assert!(c.push(&refusal));
    }

    #[test]
    fn a_conversation_quiet_for_longer_than_its_idle_time_starts_again() {
        let mut c = Conversations::new(2);
        for (t, from_c) in [(0.0, true), (0.1, false), (0.2, true), (0.3, false)] {
            let p = if from_c {
                udp(t, C, 16400, S, 16500, 172)
            } else {
                udp(t, S, 16500, C, 16400, 172)
            };
            c.push(&p);
        }
        assert!(c.push(&udp(0.4, C, 16400, S, 16500, 172)));
        assert!(c.push(&udp(0.4 + IDLE, S, 16500, C, 16400, 172)));
        // more than IDLE after the last datagram: counted from nothing again
        assert!(!c.push(&udp(0.5 + 2.0 * IDLE, C, 16400, S, 16500, 172)));
    }

    #[test]
    fn settle_zero_turns_the_rule_off_and_the_table_stays_within_its_capacity() {
        let mut off = Conversations::new(0);
        for i in 0..10 {
            assert!(!off.push(&udp(f64::from(i), C, 1, S, 2, 10)));
            assert!(!off.push(&udp(f64::from(i), S, 2, C, 1, 10)));
        }
        let mut c = Conversations::new(1);
        let bytes = c.memory_bytes();
        for i in 0..(2 * CAPACITY) as u32 {
            let port = (i % 60000) as u16 + 1;
            let host = format!("198.18.{}.{}", i / 60000 % 250, 1 + i % 200);
            c.push(&udp(f64::from(i) * 1e-6, &host, port, S, 53, 30));
        }
        assert!(c.evictions() > 0);
        assert_eq!(c.memory_bytes(), bytes);
        // with settle 1, one datagram each way is enough
        assert!(!c.push(&udp(9.0, C, 5353, S, 5353, 30)));
        assert!(c.push(&udp(9.1, S, 5353, C, 5353, 30)));
    }

    #[test]
    fn full_size_datagrams_sent_again_unanswered_are_told_as_handshakes_sent_again() {
        let mut c = Conversations::new(DEFAULT_SETTLE);
        let resent = |c: &mut Conversations, p: PacketRepr| {
            c.push(&p);
            c.resent()
        };
        // a QUIC Initial (1,200 bytes) and its copies 0.2, 0.6, 1.4 s later: the copies
        assert!(!resent(
            &mut c,
            udp(1.0, C, 40000, "198.18.0.11", 443, 1200)
        ));
        for t in [1.2, 1.6, 2.4] {
            assert!(resent(&mut c, udp(t, C, 40000, "198.18.0.11", 443, 1200)));
        }
        // an ICMP error or a TCP segment between is none
        assert!(!resent(
            &mut c,
            crate::features::tests::tcp(2.5, C, "198.18.0.11", 1, 2, 0x02)
        ));
        // (each conversation below later than the one before: the tracker's clock only goes
        // forward)
        // the peer answers: what follows on the conversation is no copy
        assert!(!resent(
            &mut c,
            udp(10.0, C, 40001, "198.18.0.12", 443, 1200)
        ));
        assert!(!resent(
            &mut c,
            udp(10.01, "198.18.0.12", 443, C, 40001, 1200)
        ));
        assert!(!resent(
            &mut c,
            udp(10.5, C, 40001, "198.18.0.12", 443, 1200)
        ));
        // small datagrams sent again (a scan's probes from one port): none
        assert!(!resent(&mut c, udp(11.0, C, 40002, "198.18.0.13", 443, 65)));
        assert!(!resent(&mut c, udp(11.5, C, 40002, "198.18.0.13", 443, 65)));
        // one of another size before: no copy
        assert!(!resent(
            &mut c,
            udp(12.0, C, 40003, "198.18.0.13", 443, 1250)
        ));
        assert!(!resent(
            &mut c,
            udp(12.5, C, 40003, "198.18.0.13", 443, 1200)
        ));
        assert!(!resent(
            &mut c,
            udp(13.0, C, 40003, "198.18.0.13", 443, 1200)
        ));
        // full-size datagrams 1 ms apart (a stream, a flood from one socket): none
        for k in 0..50 {
            let t = 15.0 + f64::from(k) * 1e-3;
            assert!(!resent(&mut c, udp(t, C, 40004, "198.18.0.13", 443, 1300)));
        }
        // the tracker off: none
        let mut off = Conversations::new(0);
        assert!(!resent(
            &mut off,
            udp(1.0, C, 40000, "198.18.0.11", 443, 1200)
        ));
        assert!(!resent(
            &mut off,
            udp(1.5, C, 40000, "198.18.0.11", 443, 1200)
        ));
    }
}
