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
//!
//! ## Overlapping fragments
//!
//! No IP stack cuts a datagram into fragments that overlap: each fragment's data starts where
//! the one before it ended (RFC 791; RFC 5722 makes overlaps a reason to drop the whole IPv6
//! datagram). Overlaps are made by hand, to crash a reassembler — teardrop (1997) sends a
//! first UDP fragment and a second that starts inside it, so that the second's length comes
//! out negative; bonk, boink, nestea, syndrop and newtear are its variants, all in the DARPA
//! 1998/99 evaluations' captures — or to show an IDS other bytes than the victim will keep
//! (fragroute's `ip_frag ... old|new`, Ptacek and Newsham 1998). [`Overlaps`] keeps, per
//! datagram, the extents of its last [`SPANS`] fragments for [`HORIZON`] seconds, and calls a
//! fragment *overlapping* when its extent meets one of them without being the same extent (a
//! fragment seen twice, duplicated by the network, is no overlap). A datagram whose fragments
//! cover it whole, from 0 to the end of the one without more-fragments, is forgotten, so that
//! a later datagram with the same Identification (IPv4's 16 bits wrap) starts afresh.
//!
//! A fragment's extent comes from the headers: its offset, and its data length — the IP
//! payload of a fragment after the first; of a first fragment, the transport payload plus the
//! transport header (8 bytes for UDP and ICMP, 12 for SCTP, at least 20 for TCP, whose header
//! length a tiny fragment may not hold: 20 is taken, and nothing when the fragment holds no
//! payload). Every length taken is at most the true one, so an extent is never made longer
//! than it was: an overlap may be missed, never made up.
//!
//! ## Fragments past the largest datagram (ping of death)
//!
//! An IP datagram is at most [`MAX_DATAGRAM`] bytes: IPv4's total length, header included, and
//! IPv6's payload length, extension headers included, are 16-bit fields (RFC 791, RFC 8200;
//! only an IPv6 jumbogram, RFC 2675, is longer, and it carries no fragment header). A fragment
//! whose data ends past that — IPv4: its offset plus its total length (the header it carries
//! is the datagram's) over 65,535; IPv6: its offset plus its data over 65,535 (the extension
//! headers before the fragment header, which count too, are left out: never longer than it
//! was) — belongs to no datagram any IP stack may send, and RFC 8200 §4.5 has the receiver
//! drop it. It is made by hand: the *ping of death* (1996: `ping -l 65510` on Windows 95, then
//! jolt, pod.c; one such echo request crashed the reassembly of many systems; in the DARPA
//! 1998/99 evaluations' captures), and its IPv6 variants. So such a fragment is its sender's
//! `other-attack` by itself ([`ends_past_max`]), and one such datagram makes an alert
//! ([`crate::profile::Rule::PingOfDeath`]).

use crate::class::Class;
use crate::features::table::{hash_key, ip_key, mix, SetAssoc};
use nightjar_packet::{proto, PacketRepr};
use std::net::{IpAddr, Ipv4Addr};

/// Seconds a first fragment's verdict is kept for its later fragments.
pub const HORIZON: f64 = 30.0;
/// Datagrams remembered.
pub const CAPACITY: usize = 1 << 14;

/// Datagrams whose fragment extents [`Overlaps`] keeps.
pub const OVERLAP_CAPACITY: usize = 1 << 12;
/// Fragment extents kept per datagram (its most recent fragments).
pub const SPANS: usize = 8;

/// The largest IP datagram, bytes: IPv4's total length and IPv6's payload length are 16-bit
/// fields.
pub const MAX_DATAGRAM: u32 = 65_535;

/// Whether fragment `p` ends past [`MAX_DATAGRAM`] ([module documentation](self)): IPv4, its
/// offset and its total length; IPv6, its offset and its data, beyond 65,535. A first fragment
/// (offset 0) never does, nor a packet that is not a fragment.
#[inline]
pub fn ends_past_max(p: &PacketRepr) -> bool {
    if !p.later_fragment {
        return false;
    }
    let end = match p.src {
        IpAddr::V4(_) => u32::from(p.ip_len),
        IpAddr::V6(_) => p.payload_len,
    };
    p.frag_offset().saturating_add(end) > MAX_DATAGRAM
}

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
        if p.fragment && !p.later_fragment {
            self.keep(p, class, score, ends, fixed);
        }
    }

    /// Keep `class`, `score` and `ends` (decided by a rule: fixed) for fragment `p`'s datagram,
    /// whichever fragment `p` is, so that its later fragments still to come take them (a ping
    /// of death's oversize fragment, after which more may come); nothing for other packets.
    pub fn datagram(&mut self, p: &PacketRepr, class: Class, score: f32, ends: (IpAddr, IpAddr)) {
        if p.fragment {
            self.keep(p, class, score, ends, true);
        }
    }

    /// Keep a judgement for fragment `p`'s datagram, stamped with `p`'s time.
    fn keep(
        &mut self,
        p: &PacketRepr,
        class: Class,
        score: f32,
        ends: (IpAddr, IpAddr),
        fixed: bool,
    ) {
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

/// The extents of a datagram's recent fragments.
#[derive(Clone, Copy, Debug, Default)]
struct Extents {
    /// `(start, end)` in bytes of the datagram's IP payload, the most recent [`SPANS`].
    spans: [(u32, u32); SPANS],
    /// Fragments kept so far (the next goes to `kept % SPANS`).
    kept: u32,
    /// Bytes of those fragments, together.
    covered: u64,
    /// The datagram's length, once its last fragment (no more-fragments) was seen; else 0.
    total: u32,
}

/// A fragment's extent in its datagram's IP payload, `(start, end)` in bytes, never longer than
/// it was ([module documentation](self)); `None` for a packet that is not a fragment or a
/// fragment of unknown length.
pub fn extent(p: &PacketRepr) -> Option<(u32, u32)> {
    if !p.fragment {
        return None;
    }
    let len = if p.later_fragment {
        p.payload_len
    } else {
        let header = match p.proto {
            proto::UDP | proto::UDPLITE | proto::ICMP | proto::ICMPV6 => 8,
            proto::SCTP => 12,
            proto::TCP => 20,
            _ => 0,
        };
        if header > 0 && p.payload_len == 0 {
            return None;
        }
        p.payload_len.saturating_add(header)
    };
    let start = p.frag_offset();
    (len > 0).then(|| (start, start.saturating_add(len)))
}

/// Overlapping IP fragments ([module documentation](self)).
pub struct Overlaps {
    table: SetAssoc<Key, Extents>,
}

impl Default for Overlaps {
    fn default() -> Self {
        Overlaps::new()
    }
}

impl Overlaps {
    pub fn new() -> Overlaps {
        Overlaps {
            table: SetAssoc::new(OVERLAP_CAPACITY),
        }
    }

    /// Count fragment `p`: whether it overlaps a fragment of its datagram seen before (false
    /// for a packet that is not a fragment).
    pub fn push(&mut self, p: &PacketRepr) -> bool {
        let Some((start, end)) = extent(p) else {
            return false;
        };
        let (k, h) = key(p);
        let ts = if p.ts.is_finite() { p.ts } else { 0.0 };
        let e = self.table.touch(k, h, ts);
        let fresh = !matches!(e.prev_stamp, Some(t) if ts - t <= HORIZON);
        let x = e.val;
        if fresh {
            *x = Extents::default();
        }
        let kept = (x.kept as usize).min(SPANS);
        let seen = &x.spans[..kept];
        if seen.contains(&(start, end)) {
            return false;
        }
        if seen.iter().any(|&(a, b)| start < b && a < end) {
            return true;
        }
        x.spans[x.kept as usize % SPANS] = (start, end);
        x.kept = x.kept.wrapping_add(1);
        x.covered += u64::from(end - start);
        if !p.more_fragments() {
            x.total = end;
        }
        if x.total > 0 && x.covered >= u64::from(x.total) {
            self.table.remove(&k, h);
        }
        false
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

    /// A fragment of datagram `id` from A to B of protocol `proto`, `data` bytes of IP payload
    /// at byte `offset` (a multiple of 8), with more-fragments `more`: as the decoder gives it
    /// (a first fragment's transport header is not in its `payload_len`).
    fn piece(ts: f64, proto: u8, id: u32, offset: u32, data: u32, more: bool) -> PacketRepr {
        let header = match proto {
            17 | 1 => 8,
            6 => 20,
            _ => 0,
        };
        let later = offset > 0;
        PacketRepr {
            proto,
            fragment: true,
            later_fragment: later,
            frag_id: id,
            frag_word: u16::from(more) << 13 | (offset / 8) as u16,
            ip_len: (data + 20) as u16,
            payload_len: if later {
                data
            } else {
                data.saturating_sub(header)
            },
            sport: if later { 0 } else { 2000 },
            dport: if later { 0 } else { 53 },
            ..udp(ts, A, B, 0, 0, 0)
        }
    }

    #[test]
    fn teardrops_second_fragment_overlaps_its_first() {
        // teardrop.c: a first UDP fragment of 8 + 28 bytes with more-fragments, then the last
        // fragment at offset 3 (24 bytes) carrying 4: it lies inside the first
        let mut o = Overlaps::new();
        for id in 0..50 {
            let t = f64::from(id) * 0.01;
            assert!(!o.push(&piece(t, 17, id, 0, 36, true)));
            assert!(o.push(&piece(t + 1e-4, 17, id, 24, 4, false)), "{id}");
        }
        // the same pair the other way round: the first fragment now overlaps the one before
        assert!(!o.push(&piece(1.0, 17, 999, 24, 4, false)));
        assert!(o.push(&piece(1.0001, 17, 999, 0, 36, true)));
        // syndrop: the same over TCP (a 20-byte header and 28 bytes)
        assert!(!o.push(&piece(2.0, 6, 7, 0, 48, true)));
        assert!(o.push(&piece(2.0001, 6, 7, 24, 4, false)));
        // fragroute's overlaps: a later fragment that starts before the one before it ended,
        // and one that rewrites part of another with other bytes of another length
        assert!(!o.push(&piece(3.0, 17, 1008, 0, 1480, true)));
        assert!(o.push(&piece(3.001, 17, 1008, 1472, 1480, false)));
        assert!(!o.push(&piece(4.0, 17, 1009, 1480, 1480, true)));
        assert!(o.push(&piece(4.001, 17, 1009, 1480, 800, true)));
    }

    #[test]
    fn fragments_as_ip_stacks_cut_them_never_overlap() {
        let mut o = Overlaps::new();
        // a 4,008-byte datagram of UDP in 1,480-byte fragments: in order, in reverse order
        // (older Linux sent the last first), with a fragment the network duplicated
        let d = [(0, 1480, true), (1480, 1480, true), (2960, 1048, false)];
        let orders: [&[usize]; 3] = [&[0, 1, 2], &[2, 1, 0], &[0, 1, 1, 2, 0]];
        for (id, order) in orders.iter().enumerate() {
            for (k, &i) in order.iter().enumerate() {
                let (off, len, more) = d[i];
                let p = piece(5.0 + k as f64 * 1e-4, 17, id as u32, off, len, more);
                assert!(!o.push(&p), "order {order:?}, fragment {i}");
            }
        }
        // nmap -f: a TCP header in 8-byte pieces; the first holds no payload, so its length
        // is not known (not taken for 20), and the next piece at 8 is no overlap
        assert!(!o.push(&piece(6.0, 6, 40, 0, 8, true)));
        assert!(!o.push(&piece(6.0001, 6, 40, 8, 8, true)));
        assert!(!o.push(&piece(6.0002, 6, 40, 16, 4, false)));
        // a packet that is not a fragment, and a fragment of another datagram, another
        // direction or another protocol, overlap nothing
        assert!(!o.push(&piece(7.0, 17, 50, 0, 1480, true)));
        assert!(!o.push(&udp(7.0001, A, B, 2000, 53, 100)));
        assert!(!o.push(&piece(7.0002, 17, 51, 24, 4, false)));
        let mut back = piece(7.0003, 17, 50, 24, 4, false);
        (back.src, back.dst) = (back.dst, back.src);
        assert!(!o.push(&back));
        assert!(!o.push(&piece(7.0004, 1, 50, 24, 4, false)));
    }

    #[test]
    fn a_datagram_covered_whole_is_forgotten_and_its_identification_may_come_again() {
        // IPv4's 16-bit Identification wraps: a datagram of another length with the same one,
        // after the first was complete, starts afresh
        let mut o = Overlaps::new();
        assert!(!o.push(&piece(1.0, 17, 9, 0, 1480, true)));
        assert!(!o.push(&piece(1.0001, 17, 9, 1480, 600, false)));
        assert!(!o.push(&piece(2.0, 17, 9, 0, 1480, true)));
        assert!(!o.push(&piece(2.0001, 17, 9, 1480, 1480, true)));
        assert!(!o.push(&piece(2.0002, 17, 9, 2960, 100, false)));
        // an incomplete datagram is forgotten after the horizon
        assert!(!o.push(&piece(3.0, 17, 10, 0, 36, true)));
        assert!(!o.push(&piece(3.1 + HORIZON, 17, 10, 24, 4, false)));
        // ...and remembered within it
        assert!(!o.push(&piece(100.0, 17, 11, 0, 36, true)));
        assert!(o.push(&piece(100.0 + HORIZON - 0.1, 17, 11, 24, 4, false)));
    }

    #[test]
    fn the_extents_of_a_first_fragment_are_never_longer_than_it_was() {
        // UDP and ICMP: the 8-byte header and the payload, exactly
        assert_eq!(extent(&piece(0.0, 17, 1, 0, 36, true)), Some((0, 36)));
        assert_eq!(extent(&piece(0.0, 1, 1, 0, 1480, true)), Some((0, 1480)));
        // TCP: 20 bytes taken for a header that may be longer; nothing without payload
        assert_eq!(extent(&piece(0.0, 6, 1, 0, 48, true)), Some((0, 48)));
        let mut options = piece(0.0, 6, 1, 0, 1480, true);
        options.payload_len = 1480 - 32; // a 32-byte header with timestamps
        assert_eq!(extent(&options), Some((0, 1468)));
        assert_eq!(extent(&piece(0.0, 6, 1, 0, 8, true)), None);
        // later fragments: the IP payload at the offset; not a fragment: none
        assert_eq!(
            extent(&piece(0.0, 17, 1, 65520, 200, false)),
            Some((65520, 65720))
        );
        assert_eq!(extent(&udp(0.0, A, B, 1, 2, 100)), None);
    }

    #[test]
    fn the_overlap_table_stays_within_its_capacity() {
        let mut o = Overlaps::new();
        let bytes = o.table.memory_bytes();
        for id in 0..(4 * OVERLAP_CAPACITY) as u32 {
            o.push(&piece(f64::from(id) * 1e-4, 17, id, 0, 36, true));
        }
        assert_eq!(o.table.memory_bytes(), bytes);
        assert!(o.table.evictions() > 0);
        let last = (4 * OVERLAP_CAPACITY - 1) as u32;
        assert!(o.push(&piece(f64::from(last) * 1e-4, 17, last, 24, 4, false)));
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
