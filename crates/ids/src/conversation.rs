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
//! What this gives away: a flood sent from one fixed source port to a UDP service that answers
//! every datagram (an echo or DNS service) is, to this rule as to a firewall, a two-way
//! conversation. The floods of hping3, nping, LOIC-style tools against closed ports and the
//! reflected floods of amplification attacks are not: a closed port answers with ICMP, a
//! victim of reflection does not answer, and hping3 takes a new source port per datagram, so
//! each of its datagrams is a conversation of its own that no reply makes two-way twice.
//! A first fragment counts like a whole datagram (it carries the ports); the fragments after
//! it carry none and take their first fragment's verdict ([`crate::fragments`]).
//!
//! Sans-IO and bounded: one fixed set-associative table ([`CAPACITY`] conversations, least
//! recently used evicted), fed every decoded packet in capture order.

use crate::features::table::{hash_key, ip_key, mix, SetAssoc};
use nightjar_packet::{proto, PacketRepr};

/// Datagrams with payload each end must have sent before the conversation is two-way.
pub const DEFAULT_SETTLE: u32 = 2;
/// A conversation quiet for this long starts again, seconds (conntrack's UDP stream timeout
/// is 120 s, its unreplied one 30 s).
pub const IDLE: f64 = 60.0;
/// Conversations remembered.
pub const CAPACITY: usize = 1 << 16;

/// Both ends of a conversation, the lower (address, port) first:
/// (lower address, higher address, lower port << 16 | higher port).
type Key = (u128, u128, u32);

/// Datagrams with payload sent by the lower end and by the higher end.
#[derive(Clone, Copy, Default)]
struct Sent([u32; 2]);

/// The two-way UDP conversation tracker.
pub struct Conversations {
    settle: u32,
    table: SetAssoc<Key, Sent>,
    clock: f64,
}

impl Conversations {
    /// A tracker under which a conversation is two-way once each end has sent `settle`
    /// datagrams with payload; 0 turns it off (no datagram is ever two-way).
    pub fn new(settle: u32) -> Conversations {
        Conversations {
            settle,
            table: SetAssoc::new(if settle == 0 { 1 } else { CAPACITY }),
            clock: f64::NEG_INFINITY,
        }
    }

    /// Take the next packet; whether it is a UDP datagram of a two-way conversation (counting
    /// the datagram itself).
    pub fn push(&mut self, p: &PacketRepr) -> bool {
        if self.settle == 0 || p.proto != proto::UDP || p.later_fragment {
            return false;
        }
        if p.ts.is_finite() && p.ts > self.clock {
            self.clock = p.ts;
        }
        let now = self.clock;
        let (a, b) = ((ip_key(p.src), p.sport), (ip_key(p.dst), p.dport));
        let (lo, hi, from) = if a <= b { (a, b, 0) } else { (b, a, 1) };
        let key: Key = (lo.0, hi.0, u32::from(lo.1) << 16 | u32::from(hi.1));
        let hash = hash_key(hash_key(83, lo.0), hi.0) ^ mix(u64::from(key.2));
        let e = self.table.touch(key, hash, now);
        if e.prev_stamp.is_none_or(|t| now - t > IDLE) {
            *e.val = Sent::default();
        }
        if p.payload_len > 0 {
            e.val.0[from] = e.val.0[from].saturating_add(1);
        }
        e.val.0.iter().all(|&n| n >= self.settle)
    }

    /// Conversations pushed out of the full table.
    pub fn evictions(&self) -> u64 {
        self.table.evictions()
    }

    /// Bytes of the table (fixed).
    pub fn memory_bytes(&self) -> usize {
        self.table.memory_bytes()
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
    const S: &str = "198.18.0.10";

    #[test]
    fn a_conversation_is_two_way_once_each_end_has_sent_two_datagrams_with_payload() {
        let mut c = Conversations::new(2);
        // a QUIC-like download: a request, then the server's burst, acknowledged every second
        assert!(!c.push(&udp(0.0, C, 50000, S, 443, 1200)));
        assert!(!c.push(&udp(0.01, S, 443, C, 50000, 1200)));
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
        // hping3's flood: a new source port per datagram, each echoed once
        for i in 0..1000u16 {
            let t = 3.0 + f64::from(i) * 1e-3;
            assert!(!c.push(&udp(t, C, 2000 + i, S, 7, 64)));
            assert!(!c.push(&udp(t, S, 7, C, 2000 + i, 64)));
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
}
