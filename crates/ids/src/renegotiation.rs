//! TLS renegotiation floods: a client renegotiating one connection over and over.
//!
//! A TLS handshake costs the server a private-key operation, many times what it costs the
//! client; `thc-ssl-dos` (The Hacker's Choice, 2011; CVE-2011-1473; the Kitsune dataset's "SSL
//! renegotiation" attack, Mirsky et al., NDSS 2018) opens a few connections and asks for a new
//! handshake on each as fast as the server completes them. Every packet is a well-formed
//! segment of an established connection the server answers: the networks, which learnt floods
//! from packets nobody answers, pass them (a namespace run against `openssl s_server
//! -client_renegotiation`, `lab/iot.sh`, raised no alert).
//!
//! What gives it away is a record type, readable though the handshake is encrypted: a TLS
//! record's header (content type, version) is always in clear, and a TCP segment's first four
//! payload bytes ([`PacketRepr::head`]) show it where a record begins the segment. A handshake
//! record is type 22 (`16 03 0x`); once the handshake has completed — a change-cipher-spec
//! (type 20) seen on the connection, either way, or two
//! segments begun with a handshake record sent by the client: its ClientHello and its second
//! flight, whose key exchange comes before its change-cipher-spec (TLS 1.2's full handshake;
//! the server's last flight may begin with a NewSessionTicket, type 22 too) — the client
//! sends another only to renegotiate (TLS 1.2 and earlier: a new ClientHello, then its second
//! flight; TLS 1.3 has no renegotiation and sends its post-handshake messages as type 23). The
//! rule counts, per connection (client, server and both ports; the client is the end that
//! opened it, as the `window` feature state tells), the client's segments that begin with a
//! handshake record after completion, damped with a [`HALF_LIFE`] of a minute; at or above the
//! threshold ([`crate::detect::DetectSettings::renegotiation_threshold`], by default
//! [`DEFAULT_THRESHOLD`]: more than three renegotiations in about a minute) the connection's
//! packets, both ways, are the client's `other-attack`.
//!
//! What stays normal: the one renegotiation a server asks for to get a client certificate, or
//! a long connection's re-keying every few minutes; handshake segments a record split over
//! several segments begins only once. What it gives away: a server that refuses client
//! renegotiation (OpenSSL since 3.0 by default) makes thc-ssl-dos reconnect for every
//! handshake instead — new connections, each with one handshake, which this rule does not
//! count (the connection-flood rule, [`crate::connections`], sees them at its own rate); and a
//! capture whose snap length cuts the payload, or TLS on a port whose records do not begin
//! the segments.
//!
//! Sans-IO and bounded: one set-associative table of connections ([`CAPACITY`], least
//! recently used evicted), fed on the scoring side.

use crate::detect::{service_hash, AddrKeys, DampedCount, NegExp2};
use crate::features::table::SetAssoc;
use nightjar_packet::{proto, PacketRepr};

/// [`crate::detect::DetectSettings::renegotiation_threshold`] by default: handshake segments
/// a client sent on a completed connection, damped: each renegotiation is two (its
/// ClientHello, then its key exchange and Finished), so six is reached at a fourth
/// renegotiation within about a minute (three make six, damped a little short of it).
pub const DEFAULT_THRESHOLD: f32 = 6.0;
/// Half-life of the count, seconds.
pub const HALF_LIFE: f64 = 60.0;
/// Connections remembered.
pub const CAPACITY: usize = 1 << 13;

/// TLS record content types (RFC 5246 §6.2.1, RFC 8446 §5.1).
const CHANGE_CIPHER_SPEC: u8 = 20;
const HANDSHAKE: u8 = 22;

/// The content type of the TLS record that begins `p`'s payload, if one seems to (a content
/// type of 20–23, major version 3, minor 0–4: SSL 3.0 to TLS 1.3).
pub fn record_type(p: &PacketRepr) -> Option<u8> {
    let [t, major, minor, _] = p.head;
    (p.payload_len >= 5 && (20..=23).contains(&t) && major == 3 && minor <= 4).then_some(t)
}

/// What the rule knows of one connection.
#[derive(Clone, Copy, Default)]
struct Conn {
    /// Its handshake has completed (a change-cipher-spec seen, or the client's first two
    /// handshake segments).
    done: bool,
    /// Segments the client began with a handshake record before completion (at most 2).
    first: u8,
    /// The client's handshake segments since, damped.
    renegotiations: DampedCount,
}

/// The renegotiation rule's state.
pub struct Renegotiation {
    threshold: f32,
    /// (client, server, client port << 16 | server port) → the connection.
    conns: SetAssoc<(u128, u128, u32), Conn>,
    clock: f64,
    /// No packet without a TLS record's start can be flagged after this time: every count at
    /// or above the threshold has decayed below it by then (counts grow only by the handshake
    /// records, which are always looked at).
    hot_until: f64,
    decay: NegExp2,
}

impl Renegotiation {
    /// The rule with its threshold (0: off).
    pub fn new(threshold: f32) -> Renegotiation {
        Renegotiation {
            threshold,
            conns: SetAssoc::new(if threshold > 0.0 { CAPACITY } else { 1 }),
            clock: f64::NEG_INFINITY,
            hot_until: f64::NEG_INFINITY,
            decay: NegExp2::new(),
        }
    }

    /// Take the next packet, whose addresses' keys are `k` and which its flow's opener sent
    /// (`Some(true)`), its other end (`Some(false)`), or either (`None`: not known); whether
    /// it belongs to a connection its client renegotiates at the threshold's pace.
    ///
    /// Inlined at the call: a packet that begins no TLS handshake or change-cipher-spec record
    /// while no connection is hot (nearly every one) goes no further than its first payload
    /// bytes.
    #[inline]
    pub(crate) fn push_keyed(
        &mut self,
        p: &PacketRepr,
        k: &AddrKeys,
        opener: Option<bool>,
    ) -> bool {
        if self.threshold <= 0.0 || p.proto != proto::TCP || p.later_fragment {
            return false;
        }
        // application data (type 23, most TLS segments) and alerts count nothing: only
        // handshake records and change-cipher-specs are looked up while no connection is hot
        // (the first byte first: most segments carry none, or other data)
        let t = p.head[0];
        let record = if t == HANDSHAKE || t == CHANGE_CIPHER_SPEC {
            record_type(p)
        } else {
            None
        };
        // (a packet stamped before the clock, or not at all, goes on: the clock decides)
        if record.is_none() && p.ts > self.hot_until {
            return false;
        }
        let Some(by_client) = opener else {
            return false;
        };
        self.push_tls(p, k, by_client, record)
    }

    /// [`Renegotiation::push_keyed`] of a segment that begins a TLS record, or of any while a
    /// connection is hot.
    #[inline(never)]
    fn push_tls(
        &mut self,
        p: &PacketRepr,
        k: &AddrKeys,
        by_client: bool,
        record: Option<u8>,
    ) -> bool {
        if p.ts.is_finite() && p.ts > self.clock {
            self.clock = p.ts;
        }
        let now = self.clock;
        let key = if by_client {
            (k.src, k.dst, ports(p.sport, p.dport))
        } else {
            (k.dst, k.src, ports(p.dport, p.sport))
        };
        let hash = if by_client {
            conn_hash(k.ms, k.md, key.2)
        } else {
            conn_hash(k.md, k.ms, key.2)
        };
        let n = match record {
            Some(CHANGE_CIPHER_SPEC) => {
                let c = self.conns.touch(key, hash, now).val;
                c.done = true;
                c.renegotiations.value(now, HALF_LIFE, &mut self.decay)
            }
            Some(HANDSHAKE) if by_client => {
                let c = self.conns.touch(key, hash, now).val;
                if c.done || c.first >= 2 {
                    c.done = true;
                    c.renegotiations.add(now, HALF_LIFE, 1.0, &mut self.decay)
                } else {
                    c.first += 1;
                    0.0
                }
            }
            _ => match self.conns.get(&key, hash) {
                Some(c) => c.renegotiations.value(now, HALF_LIFE, &mut self.decay),
                None => 0.0,
            },
        };
        if n >= self.threshold {
            // when this count, left alone, decays below the threshold
            let below = now + HALF_LIFE * f64::from(n / self.threshold).log2();
            self.hot_until = self.hot_until.max(below);
        }
        n >= self.threshold
    }
}

/// The client's port and the server's, as one table key field.
fn ports(client: u16, server: u16) -> u32 {
    u32::from(client) << 16 | u32::from(server)
}

/// The table hash of a connection, from the [`crate::detect::premix`]es of its client's and
/// server's addresses and its ports.
fn conn_hash(client: u64, server: u64, ports: u32) -> u64 {
    service_hash(
        73 ^ u64::from(ports >> 16) << 24,
        client,
        server,
        ports as u16,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::tests::tcp;

    const C: &str = "198.18.0.66";
    const S: &str = "198.18.0.14";
    const ACK: u8 = 0x10;
    const PSH: u8 = 0x08;

    /// A segment of the connection C:40000 ↔ S:443 carrying `len` bytes that begin with a TLS
    /// record of type `t` (0: no record begins it).
    fn seg(ts: f64, from_client: bool, t: u8, len: u32) -> PacketRepr {
        let mut p = if from_client {
            tcp(ts, C, S, 40_000, 443, ACK | PSH)
        } else {
            tcp(ts, S, C, 443, 40_000, ACK | PSH)
        };
        p.payload_len = len;
        p.head = if t == 0 {
            [0x8a, 0x41, 0x07, 0x00]
        } else {
            [t, 3, 3, 0]
        };
        p
    }

    fn push(r: &mut Renegotiation, p: &PacketRepr, by_client: bool) -> bool {
        r.push_keyed(p, &AddrKeys::of(p), Some(by_client))
    }

    /// A TLS 1.2 handshake (ClientHello; the server's flight; the client's key exchange; the
    /// server's change-cipher-spec and Finished), then `n` renegotiations `gap` s apart, each
    /// a ClientHello and a second flight answered by the server. Returns the flagged packets
    /// of each renegotiation.
    fn handshake_then(r: &mut Renegotiation, n: usize, gap: f64) -> Vec<usize> {
        let mut t = 1.0;
        // (OpenSSL's s_server: its last flight begins with a NewSessionTicket, type 22)
        for (client, ty, len) in [
            (true, 22, 517),
            (false, 22, 1400),
            (true, 22, 126),
            (false, 22, 226),
        ] {
            assert!(!push(r, &seg(t, client, ty, len), client));
            t += 0.001;
        }
        (0..n)
            .map(|_| {
                t += gap;
                [
                    (true, 22, 300),
                    (false, 22, 1500),
                    (true, 22, 190),
                    (false, 22, 90),
                    (true, 0, 0),
                ]
                .into_iter()
                .filter(|&(client, ty, len)| {
                    let mut p = seg(t, client, ty, len);
                    if len == 0 {
                        p.tcp_flags = ACK;
                    }
                    t += 0.001;
                    push(r, &p, client)
                })
                .count()
            })
            .collect()
    }

    #[test]
    fn a_client_renegotiating_again_and_again_is_flagged_from_its_fourth_renegotiation() {
        // thc-ssl-dos's pace or s_client's "R" ten times a second
        let mut r = Renegotiation::new(DEFAULT_THRESHOLD);
        let flagged = handshake_then(&mut r, 10, 0.1);
        // two client handshake segments per renegotiation: the third's six, damped, fall just
        // short of six; from the fourth's ClientHello every packet of the connection, both ways
        assert_eq!(flagged, vec![0, 0, 0, 5, 5, 5, 5, 5, 5, 5]);
        // a packet of another connection is not flagged
        let other = tcp(3.0, C, S, 40_001, 443, ACK);
        assert!(!push(&mut r, &other, true));
        // two minutes later an acknowledgement of the connection, which begins no record: its
        // count (about 20) has decayed to about 5, below the threshold
        let mut ack = seg(122.0, false, 0, 0);
        ack.tcp_flags = ACK;
        assert!(!push(&mut r, &ack, false));
        // the same after one minute, the count about 10: still the flood's
        let mut r = Renegotiation::new(DEFAULT_THRESHOLD);
        handshake_then(&mut r, 10, 0.1);
        let mut ack = seg(62.0, false, 0, 0);
        ack.tcp_flags = ACK;
        assert!(push(&mut r, &ack, false));
        // the connection is quiet for five minutes: its count has decayed
        let later = seg(400.0, true, 23, 100);
        assert!(!push(&mut r, &later, true));
    }

    #[test]
    fn one_renegotiation_or_slow_ones_and_handshakes_before_completion_are_normal() {
        // a server asking for a client certificate once, or re-keying every two minutes
        let mut r = Renegotiation::new(DEFAULT_THRESHOLD);
        assert_eq!(handshake_then(&mut r, 1, 0.1), vec![0]);
        let mut r = Renegotiation::new(DEFAULT_THRESHOLD);
        assert_eq!(handshake_then(&mut r, 20, 120.0), vec![0; 20]);
        // a client writing each message of its second flight (certificate, key exchange,
        // certificate verify) in a segment of its own counts two past its first two, once
        let mut r = Renegotiation::new(DEFAULT_THRESHOLD);
        for i in 0..5 {
            let p = seg(1.0 + f64::from(i) * 0.01, true, 22, 200);
            assert!(!push(&mut r, &p, true));
        }
        for i in 0..200 {
            let p = seg(1.1 + f64::from(i) * 0.01, i % 2 == 0, 23, 200);
            assert!(!push(&mut r, &p, i % 2 == 0));
        }
        // the server's handshake records after completion (its HelloRequests) count nothing
        let mut r = Renegotiation::new(DEFAULT_THRESHOLD);
        assert!(!push(&mut r, &seg(1.0, false, 23, 100), false));
        for i in 0..20 {
            assert!(!push(
                &mut r,
                &seg(1.1 + f64::from(i) * 0.01, false, 22, 100),
                false
            ));
        }
    }

    #[test]
    fn an_unknown_opener_a_cut_payload_and_the_rule_off_count_nothing() {
        for (threshold, opener, len) in [
            (DEFAULT_THRESHOLD, None, 300),
            (DEFAULT_THRESHOLD, Some(true), 4),
            (0.0, Some(true), 300),
        ] {
            let mut r = Renegotiation::new(threshold);
            let done = seg(1.0, true, 23, 100);
            r.push_keyed(&done, &AddrKeys::of(&done), opener);
            for i in 0..50 {
                let p = seg(1.1 + f64::from(i) * 0.01, true, 22, len);
                assert!(
                    !r.push_keyed(&p, &AddrKeys::of(&p), opener),
                    "{threshold} {opener:?} {len}"
                );
            }
        }
    }

    #[test]
    fn record_types_are_read_from_a_record_header_only() {
        let mut p = seg(1.0, true, 22, 300);
        assert_eq!(record_type(&p), Some(22));
        for head in [
            [0x16, 3, 5, 0],
            [0x16, 2, 0, 0],
            [0x18, 3, 3, 0],
            [0x47, 0x45, 0x54, 0x20],
        ] {
            p.head = head;
            assert_eq!(record_type(&p), None, "{head:?}");
        }
        p.head = [0x17, 3, 1, 0];
        assert_eq!(record_type(&p), Some(23));
    }
}
