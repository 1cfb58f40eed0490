//! IP fragments: a fragment after the first is judged as its first fragment was.
//!
//! Fragments are not reassembled. A first fragment carries the transport header — ports, the
//! ICMP type, usually the TCP flags — and is judged as any packet; the fragments after it
//! carry none of that, so on their own the networks see port-less, type-less packets, and the
//! attacking end is misread: the ICMP type of a later fragment reads as 0, an echo *reply*,
//! so a flood of large pings (`ping -s 3000`, `hping3 --icmp -f`) was charged to its victim;
//! the later fragments of a server's large UDP replies were charged to the server.
//!
//! So each first fragment's verdict (class and score) and ends (attacker, victim) are kept
//! under the datagram's key — addresses, protocol and IP Identification — for
//! [`HORIZON`] seconds, and the later fragments of that datagram take them (RFC 791's
//! reassembly key; Linux drops incomplete datagrams after 30 s, `ipfrag_time`). A later
//! fragment whose first fragment was not seen (lost, out of the table, or never sent: an
//! attacker may send later fragments only) keeps its own verdict, and the sender is taken for
//! its attacking end.
//!
//! Sans-IO and bounded: a fixed set-associative table of [`CAPACITY`] datagrams.

use crate::class::Class;
use crate::features::table::{hash_key, ip_key, mix, SetAssoc};
use nightjar_packet::PacketRepr;
use std::net::{IpAddr, Ipv4Addr};

/// Seconds a first fragment's verdict is kept for its later fragments.
pub const HORIZON: f64 = 30.0;
/// Datagrams remembered.
pub const CAPACITY: usize = 1 << 14;

/// (source, destination, protocol << 32 | Identification).
type Key = (u128, u128, u64);

/// What a first fragment was judged.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Judged {
    pub class: Class,
    pub score: f32,
    /// Its attacking end and the other.
    pub ends: (IpAddr, IpAddr),
    /// A rule decided its ends (a reflected answer is its sender's): they are not to be
    /// swapped for an open episode's.
    pub fixed: bool,
    ts: f64,
}

impl Default for Judged {
    fn default() -> Self {
        let none = IpAddr::V4(Ipv4Addr::UNSPECIFIED);
        Judged {
            class: Class::Normal,
            score: 0.0,
            ends: (none, none),
            fixed: false,
            ts: f64::NEG_INFINITY,
        }
    }
}

/// The first fragments of recent datagrams.
pub struct Fragments {
    table: SetAssoc<Key, Judged>,
}

impl Default for Fragments {
    fn default() -> Self {
        Fragments::new()
    }
}

fn key(p: &PacketRepr) -> (Key, u64) {
    let k = (
        ip_key(p.src),
        ip_key(p.dst),
        u64::from(p.proto) << 32 | u64::from(p.frag_id),
    );
    let h = hash_key(hash_key(89, k.0), k.1) ^ mix(k.2);
    (k, h)
}

impl Fragments {
    pub fn new() -> Fragments {
        Fragments {
            table: SetAssoc::new(CAPACITY),
        }
    }

    /// Keep what a first fragment `p` was judged (nothing for other packets); `fixed` when a
    /// rule decided its `ends`.
    pub fn first(
        &mut self,
        p: &PacketRepr,
        class: Class,
        score: f32,
        ends: (IpAddr, IpAddr),
        fixed: bool,
    ) {
        if !p.fragment || p.later_fragment {
            return;
        }
        let (k, h) = key(p);
        let ts = if p.ts.is_finite() { p.ts } else { 0.0 };
        *self.table.touch(k, h, ts).val = Judged {
            class,
            score,
            ends,
            fixed,
            ts,
        };
    }

    /// What the first fragment of later fragment `p`'s datagram was judged, if it was seen
    /// at most [`HORIZON`] seconds before (`None` for other packets).
    pub fn later(&self, p: &PacketRepr) -> Option<Judged> {
        if !p.later_fragment {
            return None;
        }
        let (k, h) = key(p);
        let j = *self.table.get(&k, h)?;
        let age = p.ts - j.ts;
        (age.is_finite() && age <= HORIZON).then_some(j)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::tests::{ip, udp};

    fn frag(ts: f64, src: &str, dst: &str, id: u32, later: bool) -> PacketRepr {
        let mut p = udp(ts, src, dst, 2000, 7, 1500);
        p.fragment = true;
        p.later_fragment = later;
        p.frag_id = id;
        if later {
            (p.sport, p.dport) = (0, 0);
        }
        p
    }

    const A: &str = "198.18.0.20";
    const B: &str = "198.18.0.10";

    #[test]
    fn later_fragments_take_their_first_fragments_verdict_and_ends_within_the_horizon() {
        let mut f = Fragments::new();
        let ends = (ip(A), ip(B));
        f.first(
            &frag(1.0, A, B, 77, false),
            Class::FloodUdp,
            0.9,
            ends,
            true,
        );
        let j = f.later(&frag(1.001, A, B, 77, true)).unwrap();
        assert_eq!(
            (j.class, j.score, j.ends, j.fixed),
            (Class::FloodUdp, 0.9, ends, true)
        );
        assert!(f.later(&frag(1.0 + HORIZON, A, B, 77, true)).is_some());
        // too late, another Identification, the other direction, another protocol: nothing
        assert!(f.later(&frag(1.1 + HORIZON, A, B, 77, true)).is_none());
        assert!(f.later(&frag(1.001, A, B, 78, true)).is_none());
        assert!(f.later(&frag(1.001, B, A, 77, true)).is_none());
        let mut icmp = frag(1.001, A, B, 77, true);
        icmp.proto = 1;
        assert!(f.later(&icmp).is_none());
        // a first fragment is not a later one, nor a whole packet
        assert!(f.later(&frag(1.001, A, B, 77, false)).is_none());
        assert!(f.later(&udp(1.001, A, B, 2000, 7, 100)).is_none());
        // a whole packet is not remembered
        let whole = PacketRepr {
            frag_id: 5,
            ..udp(2.0, A, B, 2000, 7, 100)
        };
        f.first(&whole, Class::FloodUdp, 1.0, ends, false);
        assert!(f.later(&frag(2.001, A, B, 5, true)).is_none());
    }

    #[test]
    fn the_table_stays_within_its_capacity() {
        let mut f = Fragments::new();
        let bytes = f.table.memory_bytes();
        for id in 0..(4 * CAPACITY) as u32 {
            let p = frag(f64::from(id) * 1e-4, A, B, id, false);
            f.first(&p, Class::Normal, 0.0, (ip(A), ip(B)), false);
        }
        assert_eq!(f.table.memory_bytes(), bytes);
        assert!(f.table.evictions() > 0);
        // the most recent are still there
        let last = (4 * CAPACITY - 1) as u32;
        assert!(f
            .later(&frag(f64::from(last) * 1e-4, A, B, last, true))
            .is_some());
    }
}
