//! Fuzzing: a client opening connection after connection to one service and sending random
//! bytes on each.
//!
//! A network fuzzer (SFuzz, the Kitsune dataset's "Fuzzing" attack, Mirsky et al., NDSS 2018;
//! boofuzz or radamsa piped to a socket alike) connects to a service, sends it bytes the
//! protocol never begins with, reads what comes back and starts again, to crash it. Every
//! connection completes its handshake and carries a short exchange: the networks, which learnt
//! scans and floods, pass them (a namespace run of 250 connections of random bytes each against
//! an HTTP server, a telnet login and an HTTPS server, `lab/iot.sh`, raised no alert).
//!
//! What gives it away is how the connections begin. A client speaks a service's protocol, and a
//! protocol's first message begins with one of a few bytes: a method's first letter (HTTP:
//! `G`, `P`, `H`, `D`, `O`, `C`, `T`), a TLS record's type (22), `SSH-`, a length prefix's high
//! byte (0 for DNS over TCP, SMB, PostgreSQL, Kerberos), a version (RDP's 3, MQTT's 16), a
//! telnet command (255) or a user name's first letter. A fuzzer's first bytes are random: among
//! 30 connections, about 28 different ones. The rule reads the first payload byte of each
//! connection's first data segment from its opener (the packet's
//! [`PacketRepr::head`]; the feature state knows which segment that is) and keeps, per (client,
//! server, service port), the set of the distinct ones within a window of [`WINDOW`] (60 s,
//! restarted when it ends); at or above the threshold of distinct first bytes
//! ([`crate::detect::DetectSettings::fuzzing_threshold`], by default [`DEFAULT_THRESHOLD`]: 24,
//! about 26 connections of random bytes), the client's segments to that service and the
//! server's answers are the client's `other-attack` for [`HOT`] (10 s) after the last
//! connection counted, and an episode most of whose flagged packets are such is named fuzzing
//! ([`crate::profile::Rule::Fuzzing`]).
//!
//! What stays normal: any number of connections of one protocol, however many messages each
//! carries (only the first byte of each connection's first segment counts); text protocols whose
//! clients begin with one of a dozen commands (memcached's, Redis's inline commands, SMTP's);
//! a telnet user typing names (letters: 26 at most, and hardly within a minute); and a
//! protocol that is random from its first byte by design, both ways — an obfuscated proxy
//! (Shadowsocks, obfs4), BitTorrent's encrypted handshake. A fuzzed service still speaks its
//! protocol: it answers random bytes with its errors, a banner, a prompt, or closes, and its
//! segments begin with a few bytes (`H` of `HTTP/1.1 400`, a TLS alert's 21, telnet's 255, `S`
//! of `SSH-`). An encrypted one's segments begin with anything. So once a service has half the
//! threshold of distinct first bytes (it is *warm*, and a packet of any warm service is looked
//! at), the first bytes of its server's segments with payload are counted too, and a service
//! whose server's segments began with [`ANSWER_MAX`] or more distinct bytes is never fuzzed.
//! (Session 19: a Shadowsocks client fetching 60 pages through its proxy in 40 s, ss-local and
//! ss-server 3.3.5 in a namespace run, was alerted as fuzzing before this.) What it gives
//! away: a capture whose snap length
//! cuts every payload (no first byte is read: nothing counts); a fuzzer that keeps the first
//! bytes of a valid message and fuzzes the rest (a mutation fuzzer with a seed corpus, or
//! SFuzz's protocol templates); and fuzzing of UDP services (no connection begins).
//!
//! Sans-IO and bounded: one set-associative table of services ([`CAPACITY`], least recently
//! used evicted), fed on the scoring side; a packet that begins no connection goes no further
//! than a flag test unless a service was found fuzzed within [`HOT`].

use crate::detect::{service_hash, AddrKeys};
use crate::features::table::SetAssoc;
use nightjar_packet::{proto, PacketRepr};

/// [`crate::detect::DetectSettings::fuzzing_threshold`] by default: distinct first bytes of
/// one client's connections to one service within [`WINDOW`]. Random first bytes reach it
/// in about 26 connections; a protocol's clients begin with a dozen at most.
pub const DEFAULT_THRESHOLD: f32 = 24.0;
/// How long a service's set of first bytes is kept before it starts again, seconds.
pub const WINDOW: f64 = 60.0;
/// How long after the last connection counted a fuzzed service's packets are flagged,
/// seconds.
pub const HOT: f64 = 10.0;
/// Services (client, server, port) remembered.
pub const CAPACITY: usize = 1 << 12;
/// Distinct first bytes of a service's server's segments (with payload, while the service is
/// warm) at which it speaks an encrypted protocol both ways, never a fuzzed one: a fuzzed
/// service's errors, banners and prompts begin with a few.
pub const ANSWER_MAX: u16 = 16;

/// What the rule knows of one client's connections to one service.
#[derive(Clone, Copy, Default)]
struct Service {
    /// When its window began.
    since: f64,
    /// When a connection was last counted.
    last: f64,
    /// The first bytes seen, one bit each.
    seen: [u64; 4],
    /// How many.
    distinct: u16,
    /// The first bytes of its server's segments with payload while it was warm, one bit each.
    answers: [u64; 4],
    /// How many.
    answered: u16,
}

impl Service {
    /// Count a connection that began with `byte` at `now`.
    fn count(&mut self, byte: u8, now: f64) {
        if now - self.since > WINDOW {
            *self = Service {
                since: now,
                ..Service::default()
            };
        }
        self.last = now;
        add_bit(&mut self.seen, &mut self.distinct, byte);
    }

    /// Whether it has half the `threshold` of distinct first bytes: its server's answers are
    /// counted from then on.
    fn warm(&self, threshold: f32) -> bool {
        2.0 * f32::from(self.distinct) >= threshold
    }

    /// Whether it is fuzzed: at the `threshold` of distinct first bytes, and its server has not
    /// answered like an encrypted protocol ([`ANSWER_MAX`]).
    fn fuzzed(&self, threshold: f32) -> bool {
        f32::from(self.distinct) >= threshold && self.answered < ANSWER_MAX
    }
}

/// Set `byte`'s bit in `set`, counting it in `n` if it was clear.
fn add_bit(set: &mut [u64; 4], n: &mut u16, byte: u8) {
    let (word, bit) = (usize::from(byte >> 6), 1u64 << (byte & 63));
    if let Some(w) = set.get_mut(word) {
        if *w & bit == 0 {
            *w |= bit;
            *n += 1;
        }
    }
}

/// The fuzzing rule's state.
pub struct Fuzzing {
    threshold: f32,
    /// (client, server, service port) → its connections' first bytes.
    services: SetAssoc<(u128, u128, u16), Service>,
    clock: f64,
    /// No packet but a connection's first data can be flagged after this time.
    hot_until: f64,
    /// No packet but a connection's first data is looked at after this time: the last time a
    /// service was warm (half the threshold of distinct first bytes), plus [`WINDOW`].
    warm_until: f64,
}

impl Fuzzing {
    /// The rule with its threshold (0: off).
    pub fn new(threshold: f32) -> Fuzzing {
        Fuzzing {
            threshold,
            services: SetAssoc::new(if threshold > 0.0 { CAPACITY } else { 1 }),
            clock: f64::NEG_INFINITY,
            hot_until: f64::NEG_INFINITY,
            warm_until: f64::NEG_INFINITY,
        }
    }

    /// Take the next packet, whose addresses' keys are `k`, which its flow's opener sent
    /// (`Some(true)`), its other end (`Some(false)`) or either (`None`: not known), and which
    /// is (`first_data`) the first segment with payload its connection's opener sent;
    /// whether it is a fuzzer's or a fuzzed service's answer to it.
    ///
    /// Inlined at the call: a packet that begins no connection's data while no service is warm
    /// (nearly every one) goes no further than a flag and a time (the rule off, no service is
    /// ever warm).
    #[inline]
    pub(crate) fn push_keyed(
        &mut self,
        p: &PacketRepr,
        k: &AddrKeys,
        opener: Option<bool>,
        first_data: bool,
    ) -> bool {
        // (a packet stamped before the clock, or not at all, goes on: the clock decides)
        if !first_data && p.ts > self.warm_until {
            return false;
        }
        self.push_gated(p, k, opener, first_data)
    }

    /// [`Fuzzing::push_keyed`] past its gate.
    #[inline(never)]
    fn push_gated(
        &mut self,
        p: &PacketRepr,
        k: &AddrKeys,
        opener: Option<bool>,
        first_data: bool,
    ) -> bool {
        if self.threshold <= 0.0 || p.proto != proto::TCP || p.fragment {
            return false;
        }
        let Some(by_client) = opener else {
            return false;
        };
        self.push_service(p, k, by_client, first_data && by_client)
    }

    /// [`Fuzzing::push_keyed`] of a connection's first data, or of any segment while a
    /// service is warm.
    fn push_service(&mut self, p: &PacketRepr, k: &AddrKeys, by_client: bool, first: bool) -> bool {
        if p.ts.is_finite() && p.ts > self.clock {
            self.clock = p.ts;
        }
        let now = self.clock;
        let (key, hash) = if by_client {
            (
                (k.src, k.dst, p.dport),
                service_hash(79, k.ms, k.md, p.dport),
            )
        } else {
            (
                (k.dst, k.src, p.sport),
                service_hash(79, k.md, k.ms, p.sport),
            )
        };
        let threshold = self.threshold;
        if first {
            let service = self.services.touch(key, hash, now).val;
            service.count(p.head[0], now);
            if service.warm(threshold) {
                self.warm_until = self.warm_until.max(now + WINDOW);
            }
            let fuzzed = service.fuzzed(threshold);
            if fuzzed {
                self.hot_until = self.hot_until.max(now + HOT);
            }
            return fuzzed;
        }
        if by_client && now > self.hot_until {
            return false; // warm: only the server's answers are counted
        }
        let Some(service) = self.services.get_mut(&key, hash, now) else {
            return false;
        };
        if !by_client && p.payload_len > 0 && service.warm(threshold) {
            add_bit(&mut service.answers, &mut service.answered, p.head[0]);
        }
        service.fuzzed(threshold) && now - service.last <= HOT
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::tests::tcp;

    const C: &str = "198.18.0.66";
    const S: &str = "198.18.0.12";
    const ACK: u8 = 0x10;
    const PSH: u8 = 0x08;
    const SYN: u8 = 0x02;

    /// Feed one connection C:`sport` → S:`port` at `ts` whose first data segment begins with
    /// `first`, then a second client segment beginning with `then` and the server's answer;
    /// the flags of its five packets (SYN, first data, answer, second data, answer).
    fn connection(
        f: &mut Fuzzing,
        ts: f64,
        sport: u16,
        port: u16,
        first: u8,
        then: u8,
    ) -> Vec<bool> {
        let data = |ts: f64, b: u8| PacketRepr {
            payload_len: 200,
            head: [b, 0x41, 0x42, 0x43],
            ..tcp(ts, C, S, sport, port, ACK | PSH)
        };
        let answer = |ts: f64| PacketRepr {
            payload_len: 120,
            head: *b"HTTP",
            ..tcp(ts, S, C, port, sport, ACK | PSH)
        };
        let steps = [
            (tcp(ts, C, S, sport, port, SYN), true, false),
            (data(ts + 0.001, first), true, true),
            (answer(ts + 0.002), false, false),
            (data(ts + 0.003, then), true, false),
            (answer(ts + 0.004), false, false),
        ];
        steps
            .iter()
            .map(|(p, by_client, first_data)| {
                f.push_keyed(p, &AddrKeys::of(p), Some(*by_client), *first_data)
            })
            .collect()
    }

    /// A deterministic byte stream (xorshift32), a fuzzer's random first bytes.
    fn bytes(seed: u32) -> impl Iterator<Item = u8> {
        let mut x = seed.max(1);
        std::iter::repeat_with(move || {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 11) as u8
        })
    }

    #[test]
    fn connections_of_random_first_bytes_are_flagged_from_the_threshold_on() {
        let mut f = Fuzzing::new(DEFAULT_THRESHOLD);
        let mut first_flag = None;
        let mut distinct = std::collections::HashSet::new();
        for (i, b) in bytes(7).take(120).enumerate() {
            let ts = 1.0 + i as f64 * 0.1;
            distinct.insert(b);
            let flags = connection(&mut f, ts, 40_000 + i as u16, 80, b, b.wrapping_add(1));
            if distinct.len() >= DEFAULT_THRESHOLD as usize {
                // every packet of the connection, both ways: the SYN too once hot
                let want = if first_flag.is_some() {
                    vec![true; 5]
                } else {
                    vec![false, true, true, true, true]
                };
                assert_eq!(flags, want, "connection {i}");
                first_flag.get_or_insert(i);
            } else {
                assert_eq!(flags, vec![false; 5], "connection {i}");
            }
        }
        // random bytes reach 24 distinct within about 26 connections
        let at = first_flag.expect("flagged");
        assert!((23..40).contains(&at), "{at}");
    }

    #[test]
    fn an_encrypted_protocol_random_both_ways_is_no_fuzzing_and_a_fuzzed_servers_errors_are() {
        // Shadowsocks (session 19: ss-local browsing through ss-server, 60 pages in 40 s): each
        // connection's first segment and every segment of the server's answer begin with
        // random bytes. A fuzzed service answers with its protocol's errors: few first bytes.
        let run = |answer_heads: &mut dyn Iterator<Item = u8>| -> usize {
            let mut f = Fuzzing::new(DEFAULT_THRESHOLD);
            let mut flagged = 0;
            for (i, b) in bytes(11).take(120).enumerate() {
                let ts = 1.0 + i as f64 * 0.3;
                let sport = 40_000 + i as u16;
                let mut steps = vec![
                    (tcp(ts, C, S, sport, 8388, SYN), true, false),
                    (
                        PacketRepr {
                            payload_len: 150,
                            head: [b, 1, 2, 3],
                            ..tcp(ts + 0.001, C, S, sport, 8388, ACK | PSH)
                        },
                        true,
                        true,
                    ),
                ];
                for k in 0..3 {
                    steps.push((
                        PacketRepr {
                            payload_len: 1448,
                            head: [answer_heads.next().unwrap_or(0), 0, 0, 0],
                            ..tcp(ts + 0.002 + f64::from(k) * 1e-4, S, C, 8388, sport, ACK)
                        },
                        false,
                        false,
                    ));
                }
                for (p, by_client, first) in steps {
                    flagged +=
                        usize::from(f.push_keyed(&p, &AddrKeys::of(&p), Some(by_client), first));
                }
            }
            flagged
        };
        // random answers: nothing flagged, ever
        assert_eq!(run(&mut bytes(5)), 0);
        // the same connections answered with an error of a few first bytes: fuzzing
        let mut errors = b"H<\n".iter().copied().cycle();
        assert!(run(&mut errors) > 200);
    }

    #[test]
    fn a_protocols_clients_stay_normal_however_many_connections() {
        // 1,000 connections a minute of HTTP requests (methods' first letters), whose later
        // segments (request bodies) begin with any byte
        let mut f = Fuzzing::new(DEFAULT_THRESHOLD);
        let methods = b"GPHDOCTGGGGP";
        for (i, later) in bytes(3).take(1000).enumerate() {
            let ts = 1.0 + i as f64 * 0.06;
            let m = methods[i % methods.len()];
            let flags = connection(&mut f, ts, 1024 + i as u16, 80, m, later);
            assert_eq!(flags, vec![false; 5], "connection {i}");
        }
        // TLS, SSH, a telnet client's IAC and 20 users' names' first letters, each to its own
        // service
        for (port, firsts) in [
            (443u16, &b"\x16\x16\x16\x80"[..]),
            (22, b"S"),
            (23, b"\xffabcdefghijklmnopqrst"),
        ] {
            for i in 0..300usize {
                let ts = 100.0 + i as f64 * 0.1;
                let b = firsts[i % firsts.len()];
                let flags = connection(&mut f, ts, 2000 + i as u16, port, b, 0xa7);
                assert_eq!(flags, vec![false; 5], "port {port} connection {i}");
            }
        }
    }

    #[test]
    fn the_window_starts_again_and_hot_services_cool_down() {
        let mut f = Fuzzing::new(DEFAULT_THRESHOLD);
        // 23 distinct first bytes within 2.3 s: one short of the threshold
        for i in 0..23u8 {
            let flags = connection(
                &mut f,
                1.0 + f64::from(i) * 0.1,
                3000 + u16::from(i),
                80,
                i,
                0,
            );
            assert_eq!(flags, vec![false; 5]);
        }
        // a 24th 69 s after the window began: the window (60 s) has ended, the count starts
        // again (kept, it would have been the threshold's)
        let flags = connection(&mut f, 70.0, 3100, 80, 200, 0);
        assert_eq!(flags, vec![false; 5]);
        // fuzzed: 24 more new bytes within a second; the last connection is flagged whole
        let mut last = vec![];
        for i in 0..24u8 {
            last = connection(
                &mut f,
                80.0 + f64::from(i) * 0.01,
                3200 + u16::from(i),
                80,
                100 + i,
                0,
            );
        }
        assert_eq!(last, vec![true; 5]);
        // HOT (10 s) after the last connection counted, its segments are normal again; a
        // connection to another service of the same server was never flagged
        let late = PacketRepr {
            payload_len: 10,
            ..tcp(80.3 + HOT, C, S, 3223, 80, ACK | PSH)
        };
        assert!(!f.push_keyed(&late, &AddrKeys::of(&late), Some(true), false));
        let other = tcp(81.0, C, S, 3300, 8080, SYN);
        assert!(!f.push_keyed(&other, &AddrKeys::of(&other), Some(true), false));
    }

    #[test]
    fn off_unknown_openers_and_other_protocols_are_never_flagged() {
        let mut off = Fuzzing::new(0.0);
        for (i, b) in bytes(11).take(100).enumerate() {
            let flags = connection(&mut off, 1.0 + i as f64 * 0.01, 5000 + i as u16, 80, b, 0);
            assert_eq!(flags, vec![false; 5]);
        }
        let mut f = Fuzzing::new(DEFAULT_THRESHOLD);
        for (i, b) in bytes(11).take(100).enumerate() {
            let p = PacketRepr {
                payload_len: 100,
                head: [b, 0, 0, 0],
                ..tcp(1.0 + i as f64 * 0.01, C, S, 5000 + i as u16, 80, ACK | PSH)
            };
            // the opener not known (a capture that begins mid-connection)
            assert!(!f.push_keyed(&p, &AddrKeys::of(&p), None, true));
            // a UDP datagram, a fragment
            let u = PacketRepr {
                proto: proto::UDP,
                ..p
            };
            assert!(!f.push_keyed(&u, &AddrKeys::of(&u), Some(true), true));
            let fr = PacketRepr {
                fragment: true,
                ..p
            };
            assert!(!f.push_keyed(&fr, &AddrKeys::of(&fr), Some(true), true));
            // first data said of a server's segment: not counted
            assert!(!f.push_keyed(&p, &AddrKeys::of(&p), Some(false), true));
        }
    }
}
