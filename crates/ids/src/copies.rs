//! Copies of one packet in a capture: the second and third sight of a packet that the capture
//! saw more than once.
//!
//! `tcpdump -i any` on a host that bridges or routes traffic (a Docker or VM host, a router)
//! sees a forwarded packet on each interface it crosses: container to container on one
//! bridge, three times (the sender's veth, the bridge, the receiver's veth), a routed packet
//! twice with its TTL one less the second time. A mirror port fed both directions of a link
//! sees some packets twice too. Counted as they come, every probe of a scan and every packet
//! of a flood is doubled or tripled: rates, repetitions per port and the share of answers
//! change, and with them the class an alert names (in the lab's captures tripled, 12 of 52
//! attacks named wrong).
//!
//! A packet is taken as a copy of one of the [`RECENT`] packets before it when everything the
//! detector reads of it is the same — addresses, protocol, ports, flags, lengths, window,
//! ICMP type and code, fragment fields, the first payload bytes, and
//! [`PacketRepr::copy_key`] (the IP Identification and the transport checksum, which covers
//! sequence numbers and payload) — but its TTL (the same, or one less), it comes within
//! [`WITHIN`] seconds of that packet's latest sight (before or after it: `tcpdump -i any`
//! stamps each interface's sight on its own and writes some of them a few microseconds before
//! the sight written ahead of them), that packet has not had [`MAX_COPIES`]
//! copies already, and the capture is one that sees its packets more than once
//! ([`Copies::check`]). A copy takes
//! its original's verdict and counts nowhere else: not in the feature state, the rules or the
//! episodes, as if the capture had seen the packet once (`editcap -d` does the same by a hash
//! of the whole frame over the 5 frames before).
//!
//! Two packets alike in all of that are copies: a retransmission comes 200 ms or more later
//! (TCP's shortest timeout), and two different segments or datagrams of one flow differ in
//! their checksum. A flood of byte-identical packets (a fixed IP Identification, ports and
//! payload) loses at most two of every three packets this way, and still floods.

use nightjar_packet::PacketRepr;

/// Packets before a packet that it may be a copy of (a capture on three interfaces writes
/// its copies next to each other; a busy bridge lets a few others in between).
pub const RECENT: usize = 8;

/// Seconds within which a copy follows its original (copies on the interfaces of one host
/// are microseconds apart).
pub const WITHIN: f64 = 0.001;

/// Seconds within which another sight of a packet, too late to be a copy, shows that it is
/// sent again and again (a flood of one packet at about a millisecond apart).
pub const RUN_WITHIN: f64 = 0.01;

/// Copies one packet may have (three sights: a Docker bridge's veth, bridge and veth).
pub const MAX_COPIES: u8 = 2;

/// Packets over which the share of copies in short runs is averaged (exponentially; over the
/// packets so far before there are this many).
pub const SHARE_SPAN: f64 = 1024.0;

/// Share of the packets that are the second or third of a short run of identical packets
/// (two or three, then something else) at which the capture is taken to see packets more
/// than once; at half of it, no longer.
pub const SHARE_OPEN: f64 = 0.125;

/// Whether `b` is a copy of `a`, seen before it (everything alike but the capture's record
/// fields and a TTL the same or one less).
fn alike(a: &PacketRepr, b: &PacketRepr) -> bool {
    a.copy_key == b.copy_key
        && a.src == b.src
        && a.dst == b.dst
        && a.proto == b.proto
        && a.sport == b.sport
        && a.dport == b.dport
        && a.tcp_flags == b.tcp_flags
        && a.ip_len == b.ip_len
        && a.window == b.window
        && a.icmp_type == b.icmp_type
        && a.icmp_code == b.icmp_code
        && a.fragment == b.fragment
        && a.later_fragment == b.later_fragment
        && a.frag_id == b.frag_id
        && a.payload_len == b.payload_len
        && a.head == b.head
        && a.inner == b.inner
        && (a.ttl == b.ttl || a.ttl.checked_sub(1) == Some(b.ttl))
}

/// The last [`RECENT`] packets, to find copies among them (module documentation). Packet `n`
/// (counting from 0) is in slot `n % RECENT` of each array; a copy moves its run's packet to
/// its own slot and empties the one before.
#[derive(Clone, Debug, Default)]
pub struct Copies {
    /// The packet of each slot's run (`None`: empty).
    packets: [Option<PacketRepr>; RECENT],
    /// Its [`PacketRepr::copy_key`], looked at first (two packets alike share it).
    keys: [u32; RECENT],
    /// The time of its latest sight.
    last: [f64; RECENT],
    /// Copies taken of it so far.
    copies: [u8; RECENT],
    /// It is part of a longer run of identical packets than copies make: a packet sent again
    /// and again, not a capture's copies.
    long: [bool; RECENT],
    /// Packets seen.
    n: u64,
    /// The share of recent packets that were copies in short runs ([`SHARE_SPAN`]).
    share: f64,
    /// The capture sees packets more than once ([`SHARE_OPEN`]): copies are taken as such.
    seen_twice: bool,
}

impl Copies {
    /// No packet seen.
    pub fn new() -> Copies {
        Copies::default()
    }

    /// Take packet `p`, the next in capture order: `Some(d)` when it is a copy of the packet
    /// `d` packets before it (1 ≤ d ≤ [`RECENT`]: its original or an earlier copy of it), whose
    /// verdict it takes; `None` when it is a packet of its own.
    ///
    /// Identical packets are sent too: a flood of one packet with a fixed Identification, a
    /// kernel's resets with Identification 0 to a peer's identical retransmissions. What
    /// tells a capture's copies from them is that in such a capture every packet comes two or
    /// three times, whatever it is: copies are taken as copies only while the share of
    /// recent packets that were the second or third of a short run of identical packets
    /// stays at [`SHARE_OPEN`] or more (until it falls below half of that). A run longer than
    /// copies make (a fourth sight within [`WITHIN`], or another within [`RUN_WITHIN`]) counts
    /// nowhere: a packet sent again and again is not taken for its own copies.
    #[inline]
    pub fn check(&mut self, p: &PacketRepr) -> Option<u8> {
        let slot = self.n as usize % RECENT;
        let mut found = None;
        let mut long = false;
        let k = p.copy_key;
        // almost every packet shares its key with none of the last ones: one vector compare
        let any = self.keys.iter().fold(false, |a, &x| a | (x == k));
        for d in (1..=RECENT.min(self.n as usize)).filter(|_| any) {
            let i = (slot + RECENT - d) % RECENT;
            if self.keys[i] != k {
                continue;
            }
            // within RUN_WITHIN after its latest sight, or WITHIN before it: `tcpdump -i any`
            // stamps each interface's sight on its own, and writes some a few microseconds
            // before the sight written ahead of them (a NaN time is never near)
            let dt = p.ts - self.last[i];
            if !(-WITHIN..=RUN_WITHIN).contains(&dt) {
                continue;
            }
            let Some(o) = &self.packets[i] else {
                continue;
            };
            if alike(o, p) {
                if dt.abs() <= WITHIN && self.copies[i] < MAX_COPIES && !self.long[i] {
                    found = Some((i, d));
                } else {
                    // a fourth sight, or one too late for a copy: a run of one packet sent
                    // again and again
                    self.long[i] = true;
                    long = true;
                }
                break;
            }
        }
        // the packet leaving the window: its run is over, and counts if short (a slot a copy
        // moved its run from is empty)
        let short = match self.packets[slot] {
            Some(_) if !self.long[slot] => f64::from(self.copies[slot]),
            _ => 0.0,
        };
        // an average over the packets so far until there are SHARE_SPAN of them: a capture
        // that sees its packets more than once shows it within its first few dozen
        let span = (self.n as f64 + 1.0).min(SHARE_SPAN);
        self.share += (short - self.share) / span;
        self.seen_twice = if self.seen_twice {
            self.share >= SHARE_OPEN / 2.0
        } else {
            self.share >= SHARE_OPEN
        };
        // a copy moves its run to its own slot (the run goes on from there: a packet sent
        // again and again among others stays one run however far apart its sights are)
        // (field by field, each read before it is written, `i` == `slot` included: as one
        // tuple the packet was copied twice, into the tuple and then into the ring)
        match found {
            Some((i, _)) => {
                self.packets[slot] = self.packets[i].take();
                self.copies[slot] = self.copies[i] + 1;
                self.long[slot] = self.long[i];
                self.last[slot] = self.last[i].max(p.ts);
            }
            None => {
                self.packets[slot] = Some(*p);
                self.copies[slot] = 0;
                self.long[slot] = long;
                self.last[slot] = p.ts;
            }
        }
        self.keys[slot] = k;
        self.n += 1;
        found
            .filter(|_| self.seen_twice)
            .and_then(|(_, d)| u8::try_from(d).ok())
    }

    /// Whether the capture is taken to see packets more than once now.
    pub fn seen_twice(&self) -> bool {
        self.seen_twice
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::tests::{tcp, udp};

    fn syn(ts: f64, src: &str, dst: &str, sport: u16, dport: u16) -> PacketRepr {
        tcp(ts, src, dst, sport, dport, 0x02)
    }

    fn keyed(mut p: PacketRepr, key: u32) -> PacketRepr {
        p.copy_key = key;
        p
    }

    /// A capture that has seen its packets three times for a while (`-i any` on a bridge):
    /// 300 packets, each followed by two copies 10 µs apart. Returns the state and the time
    /// after them.
    fn tripled() -> (Copies, f64) {
        let mut c = Copies::new();
        let mut t = 100.0;
        for k in 0..300u16 {
            let p = syn(t, "198.18.0.20", "198.18.0.10", 30000 + k, 443);
            assert_eq!(c.check(&p), None);
            for j in 1..=2 {
                let copy = PacketRepr {
                    ts: t + 1e-5 * f64::from(j),
                    ..p
                };
                let got = c.check(&copy);
                assert!(got.is_none() || got == Some(1), "{got:?}");
            }
            t += 0.01;
        }
        assert!(c.seen_twice());
        (c, t)
    }

    #[test]
    fn a_copy_a_whole_window_back_moves_its_run_to_its_own_slot() {
        // the copy of the packet RECENT records back lands in the slot its original leaves
        // (the run moved onto itself): found there, and its run goes on from that slot
        let (mut c, t) = tripled();
        let a = keyed(syn(t, "198.18.0.66", "198.18.0.10", 40000, 80), 7);
        assert_eq!(c.check(&a), None);
        for k in 1..RECENT as u16 {
            let other = keyed(
                syn(
                    t + 1e-6 * f64::from(k),
                    "198.18.0.67",
                    "198.18.0.10",
                    40000 + k,
                    80,
                ),
                100 + u32::from(k),
            );
            assert_eq!(c.check(&other), None, "{k}");
        }
        let copy = PacketRepr {
            ts: t + 2e-5,
            index: 8,
            ..a
        };
        assert_eq!(c.check(&copy), Some(RECENT as u8));
        let third = PacketRepr {
            ts: t + 3e-5,
            index: 9,
            ..a
        };
        assert_eq!(c.check(&third), Some(1), "its run, one slot back");
        let fourth = PacketRepr {
            ts: t + 4e-5,
            index: 10,
            ..a
        };
        assert_eq!(c.check(&fourth), None, "a run holds two copies at most");
    }

    #[test]
    fn a_packet_seen_three_times_on_one_host_is_one_packet() {
        let (mut c, t) = tripled();
        let a = keyed(syn(t, "198.18.0.66", "198.18.0.10", 40000, 80), 7);
        assert_eq!(c.check(&a), None);
        let copy = PacketRepr {
            ts: t + 2e-5,
            index: 1,
            ..a
        };
        assert_eq!(c.check(&copy), Some(1));
        // routed: the TTL one less
        let routed = PacketRepr {
            ts: t + 4e-5,
            index: 2,
            ttl: a.ttl - 1,
            ..a
        };
        assert_eq!(
            c.check(&routed),
            Some(1),
            "the copy before it, with its original's verdict"
        );
        // a fourth sight is a packet of its own, and so is every one after it: a run of one
        // packet sent again and again
        for k in 3..10u32 {
            let again = PacketRepr {
                ts: t + 1e-5 * f64::from(2 * k),
                index: u64::from(k),
                ..a
            };
            assert_eq!(c.check(&again), None, "sight {k}");
        }
    }

    #[test]
    fn identical_packets_in_a_capture_that_saw_each_once_are_packets() {
        // a flood of one packet (fixed Identification, ports and payload), 20 µs apart
        let mut c = Copies::new();
        let a = keyed(udp(1.0, "198.18.0.67", "198.18.0.10", 53, 53, 28), 9);
        for k in 0..5000 {
            let p = PacketRepr {
                ts: 1.0 + 2e-5 * f64::from(k),
                ..a
            };
            assert_eq!(c.check(&p), None, "{k}");
        }
        assert!(!c.seen_twice());
        // pairs of identical resets here and there among other packets: still packets
        let mut c = Copies::new();
        let mut t = 10.0;
        for k in 0..2000u16 {
            let p = syn(t, "198.18.0.20", "198.18.0.10", 20000 + k, 80);
            assert_eq!(c.check(&p), None);
            if k % 20 == 0 {
                assert_eq!(c.check(&PacketRepr { ts: t + 1e-5, ..p }), None);
            }
            t += 0.001;
        }
        assert!(!c.seen_twice());
    }

    #[test]
    fn a_capture_that_stops_seeing_packets_twice_stops_taking_copies() {
        let (mut c, mut t) = tripled();
        for k in 0..3000u16 {
            let p = syn(t, "198.18.0.21", "198.18.0.10", 10000 + k, 443);
            c.check(&p);
            t += 0.001;
        }
        assert!(!c.seen_twice());
        let a = syn(t, "198.18.0.66", "198.18.0.10", 40000, 80);
        assert_eq!(c.check(&a), None);
        assert_eq!(c.check(&PacketRepr { ts: t + 1e-5, ..a }), None);
    }

    #[test]
    fn packets_alike_but_for_one_field_are_two_packets() {
        let (c0, t) = tripled();
        let a = keyed(udp(t, "198.18.0.20", "198.18.0.10", 5353, 53, 60), 99);
        let changes: [(&str, PacketRepr); 8] = [
            ("checksum or IP id", PacketRepr { copy_key: 100, ..a }),
            ("source port", PacketRepr { sport: 5354, ..a }),
            (
                "destination",
                PacketRepr {
                    dst: "198.18.0.11".parse().unwrap(),
                    ..a
                },
            ),
            (
                "length",
                PacketRepr {
                    ip_len: a.ip_len + 1,
                    ..a
                },
            ),
            (
                "TTL two less",
                PacketRepr {
                    ttl: a.ttl - 2,
                    ..a
                },
            ),
            (
                "TTL one more",
                PacketRepr {
                    ttl: a.ttl + 1,
                    ..a
                },
            ),
            (
                "payload head",
                PacketRepr {
                    head: *b"SSH-",
                    ..a
                },
            ),
            (
                "too late",
                PacketRepr {
                    ts: a.ts + 0.002,
                    ..a
                },
            ),
        ];
        for (what, b) in changes {
            let mut c = c0.clone();
            assert_eq!(c.check(&a), None);
            assert_eq!(c.check(&b), None, "{what}");
        }
        let mut c = c0.clone();
        assert_eq!(c.check(&a), None);
        assert_eq!(
            c.check(&PacketRepr { ts: t + 1e-4, ..a }),
            Some(1),
            "the same: a copy"
        );
    }

    #[test]
    fn a_copy_is_found_among_the_last_packets_only() {
        for others in [RECENT - 1, RECENT] {
            let (mut c, t) = tripled();
            let a = keyed(syn(t, "198.18.0.66", "198.18.0.10", 40000, 80), 1);
            assert_eq!(c.check(&a), None);
            for k in 0..others {
                let o = keyed(
                    syn(t, "198.18.0.66", "198.18.0.10", 40001 + k as u16, 80),
                    2,
                );
                assert_eq!(c.check(&o), None);
            }
            let copy = PacketRepr {
                ts: t + 0.0005,
                ..a
            };
            let want = (others < RECENT).then_some(others as u8 + 1);
            assert_eq!(c.check(&copy), want, "{others} packets between");
        }
    }

    #[test]
    fn copies_stamped_a_little_out_of_order_are_copies_and_unusable_times_never() {
        let (c0, t) = tripled();
        let a = keyed(syn(t, "198.18.0.66", "198.18.0.10", 40000, 80), 3);
        let mut c = c0.clone();
        assert_eq!(c.check(&a), None);
        // a copy stamped a little before its original (`tcpdump -i any` stamps each
        // interface's sight on its own): a copy; one stamped 2 ms before: not
        assert_eq!(c.check(&PacketRepr { ts: t - 1e-4, ..a }), Some(1));
        let mut c = c0.clone();
        assert_eq!(c.check(&a), None);
        assert_eq!(c.check(&PacketRepr { ts: t - 2e-3, ..a }), None);
        let mut c = c0.clone();
        assert_eq!(c.check(&a), None);
        assert_eq!(c.check(&PacketRepr { ts: f64::NAN, ..a }), None);
    }
}
