//! Slow requests held open: a client keeping many connections to one service, each adding a
//! few bytes now and then to a request the server has not answered (slowloris).
//!
//! Slowloris (RSnake, 2009), slowhttptest's slow headers (`-H`) and slow body (`-B`), and the
//! "slowloris" and "Slowhttptest" DoS of the public IDS datasets open a few hundred connections
//! to a web server, begin a request on each and never finish it: every few seconds each
//! connection gets another header line or a few bytes of body, so that the server keeps it
//! (and a worker, or a slot of its connection limit) waiting. Over HTTP the networks saw only
//! its end, when the tool's kernel reset the connections (the committed `http` capture); over
//! HTTPS, where most web servers are now, it closes them cleanly and nothing at all was
//! flagged (session 26: `lab/tlsdos.sh`). The requests are encrypted there, but what makes the attack is in the
//! clear: connections, sizes and timing.
//!
//! The rule, per connection (client, server, both ports; the client is the end that opened it,
//! as the `window` feature state tells): the client sends a small data segment (2 to
//! [`SMALL`] bytes of payload: a header line, a few bytes of body, in a TLS record or not)
//! [`PAUSE`] or more after its previous data segment on the connection, the server having
//! sent no data since — the client *adds to a request left unanswered, after a pause*. Each
//! connection that does so counts once for its service (client, server, server port), damped
//! with a [`HALF_LIFE`] of a minute; at or above the threshold
//! ([`crate::detect::DetectSettings::slow_request_threshold`], by default [`DEFAULT_THRESHOLD`]:
//! 32 connections), the packets of the counted connections, both ways, are the client's
//! `other-attack` (their closes too, while the count stays at the threshold; a new connection
//! is flagged only once it adds so itself: an HTTP flood right after, from the same client,
//! is left to its own rules). A SYN on a 4-tuple the table holds starts the connection anew.
//! Each flagged packet says what it added ([`Addition`]): its connection's first addition (the
//! one that counted it), or a next round on a connection counted before (a pause after its
//! last, unanswered) — so that the detector tells an attack's next round, which adds to the
//! connections it holds, from a new attack, whose connections are new ([`crate::detect`],
//! "Slow attacks' rounds").
//!
//! What stays normal: a client waits for an answer before it sends again (HTTP/1.1, HTTP/2's
//! requests and pings, TLS 1.3's tickets come from the server); an upload sends its body
//! without pause (a segment a pause after the last is a retransmission, full-size, or a
//! keep-alive probe of one byte, neither counted); curl's `Expect: 100-continue` waits 1 s,
//! under the pause; and a browser holds at most six connections to a server. What it may call
//! an attack: a NAT gateway or a proxy that carries the connections of 32 or more devices to
//! one service, each pushing small messages that service never answers, all opened or
//! resumed within a few minutes (telemetry publishers behind one address). What it gives
//! away: a slowloris of fewer than 32 connections per service — also one against a server with
//! fewer than 32 connection slots, whose other connections wait in its accept queue, their TLS
//! handshake unanswered, and never send a request.
//!
//! **Slow reads** (session 28, `lab/slowread.sh`). slowhttptest's slow read (`-X`, CIC-IDS2017's
//! "Slowhttptest" among them) sends whole requests, answered, and holds the server another
//! way: it asks for a receive buffer of a few bytes (Linux grants its least: a window of 1,152
//! bytes, no scaling) and reads the response a few bytes every few seconds, so that its window
//! stays shut (zero) and the server's answer waits in its send buffer, the server probing the
//! window further and further apart (its persist timer: 0.2, 0.6, 1.4, 3, 6 s, ...). A
//! connection is counted for its service, like a slow request's, when its client's
//! acknowledgement (no data, no SYN, FIN or reset) advertises a shut window a [`PAUSE`] or more
//! after the first one that did, the server having sent data since the client's last (it is
//! the client that holds the answer back). The same count, threshold and flagging follow;
//! such a connection's packets say so ([`SlowRequests::reading`]), and an episode most of
//! whose are such is named slow reads ([`crate::profile::Rule::SlowReads`]). Its later shut
//! windows add nothing ([`Addition::None`]): the rounds of one slow read, its probes answered
//! further apart than the episodes' gap, are merged into its alert, and another slow read's
//! episode adds its connections' first. What stays normal: a reader that catches up within
//! the pause (its window shut for a moment, as in any fast download); a download stalled by
//! its reader (piped into a slow one, rate-limited by curl's or wget's `--limit-rate`, paused
//! video), one connection at a time or a browser's six — some ten a minute at most in the lab,
//! the threshold 32; the server's shut window (an upload to a slow server). What it may call
//! an attack: a proxy or NAT gateway carrying 32 or more clients' downloads from one server,
//! each stalled for seconds, within a minute or two.
//!
//! The rule judges a connection's first packets only: past the established-sessions cut
//! (`--session-packets`, 64 by default) its packets are a session's, looked at no more (a
//! slow request is counted long before; a download costs no look-up per segment) — but for
//! a shut window, which it looks at anywhere: over TLS the client's library reads a whole
//! record (16 kB, some 60 segments of 576 bytes) before the window shuts.
//!
//! Sans-IO and bounded: one set-associative table of connections ([`CAPACITY`]) and one of
//! services ([`SERVICES`]), least recently used evicted, fed on the scoring side.

use crate::detect::{service_hash, AddrKeys, DampedCount, NegExp2};
use crate::features::table::SetAssoc;
use nightjar_packet::tcp_flags::{ACK, FIN, RST, SYN};
use nightjar_packet::{proto, PacketRepr};

/// [`crate::detect::DetectSettings::slow_request_threshold`] by default: connections of one
/// client to one service that added to an unanswered request after a pause, damped.
pub const DEFAULT_THRESHOLD: f32 = 32.0;
/// Half-life of a service's count, seconds.
pub const HALF_LIFE: f64 = 60.0;
/// A client's data segment this long or more after its previous one on the connection, the
/// server silent since, adds to an unanswered request, seconds.
pub const PAUSE: f64 = 2.0;
/// The largest payload such a segment may carry, bytes (a header line or a few bytes of body,
/// with a TLS record's header and tag).
pub const SMALL: u32 = 300;
/// Connections remembered.
pub const CAPACITY: usize = 1 << 14;
/// Services remembered.
pub const SERVICES: usize = 1 << 12;

/// What a packet the rule flags added to its service's held requests: its client's data
/// segment that made its connection counted ([`Addition::First`]: a connection new to the
/// attack), one on a connection counted before ([`Addition::Again`]: the attack's next round
/// of header lines on connections it already holds), or neither (the server's segments, a
/// close).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Addition {
    #[default]
    None,
    First,
    Again,
}

/// What the rule knows of one connection.
#[derive(Clone, Copy)]
struct Conn {
    /// When the client last sent data on it.
    last: f64,
    /// The server sent data since.
    answered: bool,
    /// It has been counted for its service.
    counted: bool,
    /// It was counted as a slow read (its client's window held shut), not a slow request.
    read: bool,
    /// When its client first shut its window, the server having sent data since its last
    /// data (never: infinite).
    shut: f64,
}

impl Default for Conn {
    fn default() -> Conn {
        Conn {
            last: f64::NEG_INFINITY,
            answered: false,
            counted: false,
            read: false,
            shut: f64::INFINITY,
        }
    }
}

/// The slow-request rule's state.
pub struct SlowRequests {
    threshold: f32,
    /// (client, server, client port << 16 | server port) → the connection.
    conns: SetAssoc<(u128, u128, u32), Conn>,
    /// (client, server, server port) → its count.
    services: SetAssoc<(u128, u128, u16), DampedCount>,
    clock: f64,
    /// No packet without data but a SYN is looked at after this time: every service's count
    /// at or above the threshold has decayed below it by then (counts grow only by data
    /// segments, which are always looked at).
    hot_until: f64,
    decay: NegExp2,
    /// What the last packet of a counted connection added.
    added: Addition,
    /// The last packet of a counted connection was of one counted as a slow read.
    reading: bool,
}

impl SlowRequests {
    /// The rule with its threshold (0: off).
    pub fn new(threshold: f32) -> SlowRequests {
        let on = threshold > 0.0;
        SlowRequests {
            threshold,
            conns: SetAssoc::new(if on { CAPACITY } else { 1 }),
            services: SetAssoc::new(if on { SERVICES } else { 1 }),
            clock: f64::NEG_INFINITY,
            hot_until: f64::NEG_INFINITY,
            decay: NegExp2::new(),
            added: Addition::None,
            reading: false,
        }
    }

    /// Take the next packet, whose addresses' keys are `k` and which its flow's opener sent
    /// (`Some(true)`), its other end (`Some(false)`), or either (`None`: not known); whether
    /// it belongs to a connection counted for a service its client holds slow requests open
    /// to, at the threshold (then [`SlowRequests::added`] says what it added).
    ///
    /// Inlined at the call: a segment without data, not a client's SYN, while no service is
    /// hot (nearly every one but data) goes no further than its length and flags.
    #[inline]
    pub(crate) fn push_keyed(
        &mut self,
        p: &PacketRepr,
        k: &AddrKeys,
        opener: Option<bool>,
        session: bool,
    ) -> bool {
        if self.threshold <= 0.0 || p.proto != proto::TCP || p.later_fragment {
            return false;
        }
        // (a keep-alive probe's one byte is no data)
        let data = p.payload_len > 1;
        // (a new connection on a 4-tuple the table may hold from an earlier one)
        let syn = p.tcp_flags & (SYN | ACK) == SYN;
        // (an acknowledgement shutting its sender's receive window, no data: a slow read's;
        // looked at last, where the window is zero)
        let shut =
            p.window == 0 && p.payload_len == 0 && p.tcp_flags & (SYN | FIN | RST | ACK) == ACK;
        if session {
            if !shut {
                return false;
            }
        } else if !data && !syn && p.ts > self.hot_until && !shut {
            return false;
        }
        let Some(by_client) = opener else {
            return false;
        };
        self.push_tcp(p, k, by_client, data, syn, shut)
    }

    /// [`SlowRequests::push_keyed`] of a data segment or a SYN, or of any while a service is
    /// hot.
    #[inline(never)]
    fn push_tcp(
        &mut self,
        p: &PacketRepr,
        k: &AddrKeys,
        by_client: bool,
        data: bool,
        syn: bool,
        shut: bool,
    ) -> bool {
        if p.ts.is_finite() && p.ts > self.clock {
            self.clock = p.ts;
        }
        let now = self.clock;
        let (client, server, ms, md, cport, sport) = if by_client {
            (k.src, k.dst, k.ms, k.md, p.sport, p.dport)
        } else {
            (k.dst, k.src, k.md, k.ms, p.dport, p.sport)
        };
        let key = (client, server, u32::from(cport) << 16 | u32::from(sport));
        let hash = service_hash(137 ^ u64::from(cport) << 24, ms, md, sport);
        let mut newly = false;
        let mut again = false;
        let (counted, read) = if syn {
            if let Some(c) = self.conns.get_mut(&key, hash, now) {
                *c = Conn::default();
            }
            (false, false)
        } else if data && by_client {
            let c = self.conns.touch(key, hash, now).val;
            newly = !c.counted
                && !c.answered
                && p.payload_len <= SMALL
                && c.last.is_finite()
                && now - c.last >= PAUSE;
            // (a counted connection's next addition after a pause: the attack's next round)
            again = c.counted && !c.answered && now - c.last >= PAUSE;
            c.counted |= newly;
            c.last = now;
            c.answered = false;
            (c.counted, c.read)
        } else if data {
            self.conns
                .get_mut(&key, hash, now)
                .map_or((false, false), |c| {
                    c.answered = true;
                    (c.counted, c.read)
                })
        } else if shut && by_client {
            // the client's window shut after the server's data; counted once it is still shut
            // a pause after it first was (the server's window probes answered so): a slow read
            self.conns
                .get_mut(&key, hash, now)
                .map_or((false, false), |c| {
                    if c.answered && c.shut.is_infinite() {
                        c.shut = now;
                    }
                    // (a counted connection's window shut again adds nothing: its rounds, the
                    // server's window probes answered further and further apart, are the attack's
                    // while a new attack's episode counts its new connections)
                    newly = !c.counted && now - c.shut >= PAUSE;
                    c.read |= newly;
                    c.counted |= newly;
                    (c.counted, c.read)
                })
        } else {
            self.conns
                .get(&key, hash)
                .map_or((false, false), |c| (c.counted, c.read))
        };
        if !counted {
            return false;
        }
        let skey = (client, server, sport);
        let shash = service_hash(131, ms, md, sport);
        let n = if newly {
            let s = self.services.touch(skey, shash, now).val;
            s.add(now, HALF_LIFE, 1.0, &mut self.decay)
        } else {
            match self.services.get(&skey, shash) {
                Some(s) => s.value(now, HALF_LIFE, &mut self.decay),
                None => 0.0,
            }
        };
        if n >= self.threshold {
            // when this count, left alone, decays below the threshold
            let below = now + HALF_LIFE * f64::from(n / self.threshold).log2();
            self.hot_until = self.hot_until.max(below);
        }
        self.added = if newly {
            Addition::First
        } else if again {
            Addition::Again
        } else {
            Addition::None
        };
        self.reading = read;
        n >= self.threshold
    }

    /// What the packet [`SlowRequests::push_keyed`] flagged last added ([`Addition`]).
    pub(crate) fn added(&self) -> Addition {
        self.added
    }

    /// Whether the packet [`SlowRequests::push_keyed`] flagged last is of a connection counted
    /// as a slow read (its client's window held shut), not a slow request.
    pub(crate) fn reading(&self) -> bool {
        self.reading
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::tests::tcp;
    use nightjar_packet::tcp_flags::PSH;

    const C: &str = "198.18.0.66";
    const S: &str = "198.18.0.10";

    /// A segment of the connection C:`port` ↔ S:443 carrying `len` bytes.
    fn seg(ts: f64, port: u16, from_client: bool, len: u32) -> PacketRepr {
        let mut p = if from_client {
            tcp(ts, C, S, port, 443, ACK | PSH)
        } else {
            tcp(ts, S, C, 443, port, ACK | PSH)
        };
        p.payload_len = len;
        if len == 0 {
            p.tcp_flags = ACK;
        }
        p
    }

    fn push(r: &mut SlowRequests, p: &PacketRepr, by_client: bool) -> bool {
        r.push_keyed(p, &AddrKeys::of(p), Some(by_client), false)
    }

    /// `conns` connections opened 25 ms apart from t = 1 s, each a TLS 1.3 handshake (client,
    /// server, the client's Finished with a partial request, the server's tickets), then
    /// a header line of `line` bytes every `every` s on each, `rounds` times, each acknowledged
    /// by the server (no data). Returns the flagged packets of each round.
    fn slowloris(
        r: &mut SlowRequests,
        conns: u16,
        every: f64,
        line: u32,
        rounds: usize,
    ) -> Vec<usize> {
        let mut t = 1.0;
        for i in 0..conns {
            let port = 40_000 + i;
            for (client, len) in [(true, 517), (false, 1400), (true, 280), (false, 250)] {
                assert!(!push(r, &seg(t, port, client, len), client));
                t += 0.005;
            }
        }
        let start = t;
        (0..rounds)
            .map(|round| {
                let mut n = 0;
                for i in 0..conns {
                    let t = start + every * (round + 1) as f64 + f64::from(i) * 0.025;
                    let port = 40_000 + i;
                    n += usize::from(push(r, &seg(t, port, true, line), true));
                    n += usize::from(push(r, &seg(t + 0.001, port, false, 0), false));
                }
                n
            })
            .collect()
    }

    #[test]
    fn a_flagged_addition_is_a_connections_first_or_its_next_round() {
        // slowhttptest -H -c 200 -i 10: the third round's lines are next rounds (Again), the
        // server's ACKs neither; a second attack's connections, while the service is hot,
        // add their first (First)
        let mut r = SlowRequests::new(DEFAULT_THRESHOLD);
        slowloris(&mut r, 200, 10.0, 60, 2);
        let mut add =
            |p: &PacketRepr, by_client: bool| push(&mut r, p, by_client).then(|| r.added());
        let t = 40.0;
        let line = seg(t, 40_005, true, 60);
        assert_eq!(add(&line, true), Some(Addition::Again));
        let ack = seg(t + 0.001, 40_005, false, 0);
        assert_eq!(add(&ack, false), Some(Addition::None));
        // (a second segment within the pause is no round)
        let more = seg(t + 0.5, 40_005, true, 60);
        assert_eq!(add(&more, true), Some(Addition::None));
        let syn = tcp(50.0, C, S, 50_000, 443, SYN);
        assert_eq!(add(&syn, true), None);
        let req = seg(50.1, 50_000, true, 200);
        assert_eq!(add(&req, true), None);
        let first = seg(53.0, 50_000, true, 60);
        assert_eq!(add(&first, true), Some(Addition::First));
    }

    #[test]
    fn many_connections_adding_to_unanswered_requests_are_flagged() {
        // slowhttptest -H -c 200 -i 10 over TLS: the first round of header lines follows the
        // ticket (answered), the second adds to an unanswered request: from its 33rd connection
        // (32 counts, damped, fall just short) every packet of the counted ones, both ways
        let mut r = SlowRequests::new(DEFAULT_THRESHOLD);
        let flagged = slowloris(&mut r, 200, 10.0, 60, 4);
        assert_eq!(flagged[0], 0);
        assert_eq!(flagged[1], 2 * (200 - 32));
        assert_eq!(flagged[2..], [400, 400]);
        // another service of the client, and another client of the service, are not flagged
        let mut other = tcp(42.0, C, S, 50_000, 8443, ACK);
        assert!(!push(&mut r, &other, true));
        other = tcp(42.0, "198.18.0.20", S, 50_000, 443, ACK);
        assert!(!push(&mut r, &other, true));
        // the tool's closes are the attack's; a new connection of the client to the service
        // (an HTTP flood right after), or a SYN reusing a counted connection's ports, is not
        let mut fin = seg(43.0, 40_000, true, 0);
        fin.tcp_flags = ACK | 0x01;
        assert!(push(&mut r, &fin, true));
        let new = tcp(44.0, C, S, 45_000, 443, SYN);
        assert!(!push(&mut r, &new, true));
        assert!(!push(&mut r, &seg(44.1, 45_000, true, 120), true));
        let again = tcp(45.0, C, S, 40_001, 443, SYN);
        assert!(!push(&mut r, &again, true));
        assert!(!push(&mut r, &seg(45.1, 40_001, true, 120), true));
        assert!(!push(&mut r, &seg(45.2, 40_001, false, 0), false));
        // a counted connection's ACK once the count (200) decayed below 32 (about 160 s)
        assert!(push(&mut r, &seg(150.0, 40_002, false, 0), false));
        assert!(!push(&mut r, &seg(250.0, 40_002, false, 0), false));
        // plain HTTP: the request's first line alone, never answered; slowhttptest -B's body
        // bytes; the same
        let mut r = SlowRequests::new(DEFAULT_THRESHOLD);
        let flagged = slowloris(&mut r, 40, 5.0, 24, 2);
        assert_eq!(flagged, vec![0, 2 * (40 - 32)]);
    }

    #[test]
    fn clients_waiting_for_answers_uploads_and_few_connections_are_normal() {
        // 31 slowloris connections: under the threshold
        let mut r = SlowRequests::new(DEFAULT_THRESHOLD);
        assert_eq!(slowloris(&mut r, 31, 10.0, 60, 5), vec![0; 5]);
        // header lines under the pause (a request written in pieces), over many connections
        let mut r = SlowRequests::new(DEFAULT_THRESHOLD);
        assert_eq!(slowloris(&mut r, 100, 1.5, 60, 5), vec![0; 5]);
        // retransmissions a pause apart: full-size, not counted; keep-alive probes of one byte
        let mut r = SlowRequests::new(DEFAULT_THRESHOLD);
        assert_eq!(slowloris(&mut r, 100, 3.0, 1448, 3), vec![0; 3]);
        let mut r = SlowRequests::new(DEFAULT_THRESHOLD);
        assert_eq!(slowloris(&mut r, 100, 30.0, 1, 3), vec![0; 3]);
        // 100 new connections, each a small request unanswered (their first data: no pause
        // before it), and the same ports opened again 5 s later
        let mut r = SlowRequests::new(DEFAULT_THRESHOLD);
        for round in 0..3 {
            for i in 0..100u16 {
                let t = 1.0 + 5.0 * f64::from(round) + f64::from(i) * 0.01;
                assert!(!push(&mut r, &tcp(t, C, S, 40_000 + i, 443, SYN), true));
                assert!(!push(&mut r, &seg(t + 0.001, 40_000 + i, true, 120), true));
            }
        }
        // 100 keep-alive connections of a pool, each request answered, a request every 5 s
        let mut r = SlowRequests::new(DEFAULT_THRESHOLD);
        for round in 0..10 {
            for i in 0..100u16 {
                let t = 1.0 + 5.0 * f64::from(round) + f64::from(i) * 0.01;
                assert!(!push(&mut r, &seg(t, 40_000 + i, true, 120), true));
                assert!(!push(
                    &mut r,
                    &seg(t + 0.002, 40_000 + i, false, 900),
                    false
                ));
            }
        }
        // the rule off
        let mut r = SlowRequests::new(0.0);
        assert_eq!(slowloris(&mut r, 200, 10.0, 60, 3), vec![0; 3]);
    }

    /// The client's acknowledgement on C:`port` ↔ S:443 advertising `window`.
    fn ack(ts: f64, port: u16, window: u16) -> PacketRepr {
        let mut p = tcp(ts, C, S, port, 443, ACK);
        p.window = window;
        p
    }

    /// `conns` connections opened 20 ms apart from t = 1 s, each a request answered by the
    /// server's data, then its client's acknowledgements advertising a shut window at the
    /// server's window probes (`probes`: seconds after the first), the probes themselves
    /// (`session`: past the established-sessions cut, where only the shut windows are looked
    /// at). Returns the flagged packets of each connection, and what the flagged shut windows
    /// added.
    fn slow_read(
        r: &mut SlowRequests,
        conns: u16,
        probes: &[f64],
        session: bool,
    ) -> (Vec<usize>, Vec<Addition>) {
        // (connection, packet, sent by the client, past the cut), in time order
        let mut packets = Vec::new();
        for i in 0..conns {
            let t = 1.0 + f64::from(i) * 0.02;
            let port = 40_000 + i;
            let c = usize::from(i);
            packets.push((c, tcp(t, C, S, port, 443, SYN), true, false));
            packets.push((c, seg(t + 0.001, port, true, 120), true, false));
            packets.push((c, seg(t + 0.002, port, false, 576), false, false));
            packets.push((c, seg(t + 0.003, port, false, 576), false, false));
            packets.push((c, ack(t + 0.04, port, 0), true, session));
            for d in probes {
                // the server's probe (no data, its own window open), the client's answer
                if !session {
                    packets.push((c, seg(t + 0.04 + d, port, false, 0), false, false));
                }
                packets.push((c, ack(t + 0.0401 + d, port, 0), true, session));
            }
        }
        packets.sort_by(|a, b| a.1.ts.total_cmp(&b.1.ts));
        let mut flagged = vec![0; usize::from(conns)];
        let mut added = Vec::new();
        for (c, p, by_client, session) in packets {
            let f = r.push_keyed(&p, &AddrKeys::of(&p), Some(by_client), session);
            flagged[c] += usize::from(f);
            if f && p.window == 0 && by_client {
                added.push(r.added());
                assert!(r.reading());
            }
        }
        (flagged, added)
    }

    /// Linux's persist timer: probes 0.2, 0.6, 1.4, 3.0, 6.2 s after the window shut.
    const PROBES: [f64; 5] = [0.2, 0.6, 1.4, 3.0, 6.2];

    #[test]
    fn many_connections_holding_their_windows_shut_are_slow_reads() {
        // slowhttptest -X -c 100: each connection's window still shut 3 s after it first was
        // counts it (2 s or more: a pause); the 32nd counted crosses the threshold, from
        // which every counted connection's packets are flagged, both ways
        let mut r = SlowRequests::new(DEFAULT_THRESHOLD);
        let (flagged, added) = slow_read(&mut r, 100, &PROBES, false);
        // (damped, 32 counts fall just short, as for slow requests: the first 32 connections
        // are flagged from their next probe on, the probe and its answer; the others from the
        // shut window that counts them)
        assert_eq!(flagged[..32], [2; 32]);
        assert_eq!(flagged[32..], [3; 68]);
        // the counting shut window adds the connection's first; the later ones nothing
        assert_eq!(
            added.iter().filter(|&&a| a == Addition::First).count(),
            100 - 32
        );
        assert!(added.iter().all(|&a| a != Addition::Again));
        // over TLS the window shuts past the established-sessions cut: the shut windows alone
        // are looked at there, and count the same
        let mut r = SlowRequests::new(DEFAULT_THRESHOLD);
        let (flagged, _) = slow_read(&mut r, 100, &PROBES, true);
        assert_eq!(flagged[..32], [1; 32]);
        assert_eq!(flagged[32..], [2; 68]);
        // a session's other packets are not looked at (a download's segments cost nothing)
        let late = seg(20.0, 40_050, false, 1448);
        assert!(!r.push_keyed(&late, &AddrKeys::of(&late), Some(false), true));
        // a counted connection's reset closes it with its window open (the tool's end) and
        // is flagged; a new connection on its ports starts again
        let mut rst = ack(9.0, 40_060, 576);
        rst.tcp_flags = RST | ACK;
        assert!(push(&mut r, &rst, true));
        let syn = tcp(9.5, C, S, 40_060, 443, SYN);
        assert!(!push(&mut r, &syn, true));
        assert!(!push(&mut r, &ack(9.6, 40_060, 0), true));
    }

    #[test]
    fn windows_shut_briefly_few_or_without_an_answer_are_normal() {
        // a reader that catches up within the pause: shut, probed once, open again
        let mut r = SlowRequests::new(DEFAULT_THRESHOLD);
        let (flagged, _) = slow_read(&mut r, 200, &[0.2, 0.6, 1.4], false);
        assert_eq!(flagged.iter().sum::<usize>(), 0);
        // 31 connections held shut (a download manager's, a browser's six): under the threshold
        let mut r = SlowRequests::new(DEFAULT_THRESHOLD);
        let (flagged, _) = slow_read(&mut r, 31, &PROBES, false);
        assert_eq!(flagged.iter().sum::<usize>(), 0);
        // a stalled download every 10 s (the lab's .22, curl piped into a reader that sleeps):
        // the damped count stays near 6
        let mut r = SlowRequests::new(DEFAULT_THRESHOLD);
        for i in 0..60u16 {
            let t = 1.0 + 10.0 * f64::from(i);
            let port = 40_000 + i;
            assert!(!push(&mut r, &seg(t, port, true, 120), true));
            assert!(!push(&mut r, &seg(t + 0.01, port, false, 1448), false));
            for d in [0.5, 0.7, 1.1, 1.9, 3.5, 6.7] {
                let a = ack(t + d, port, 0);
                assert!(!r.push_keyed(&a, &AddrKeys::of(&a), Some(true), true));
            }
        }
        // shut windows with no answer from the server since the client's request (the server
        // is the slow one), and resets and FINs with a zero window (a refused port's): nothing
        let mut r = SlowRequests::new(DEFAULT_THRESHOLD);
        for i in 0..100u16 {
            let t = 1.0 + f64::from(i) * 0.02;
            let port = 40_000 + i;
            assert!(!push(&mut r, &seg(t, port, true, 120), true));
            for d in [0.1, 2.5, 5.0] {
                assert!(!push(&mut r, &ack(t + d, port, 0), true));
                for flags in [RST, RST | ACK, FIN | ACK] {
                    let mut p = ack(t + d + 0.01, port, 0);
                    p.tcp_flags = flags;
                    assert!(!push(&mut r, &p, true));
                }
            }
        }
        // the server's shut window (an upload to a slow server): the client's data waits, not
        // a slow read of the client's
        let mut r = SlowRequests::new(DEFAULT_THRESHOLD);
        for i in 0..100u16 {
            let t = 1.0 + f64::from(i) * 0.02;
            let port = 40_000 + i;
            assert!(!push(&mut r, &seg(t, port, true, 1448), true));
            for d in [0.1, 2.5, 5.0] {
                let mut p = seg(t + d, port, false, 0);
                p.window = 0;
                assert!(!push(&mut r, &p, false));
            }
        }
        // the rule off
        let mut r = SlowRequests::new(0.0);
        let (flagged, _) = slow_read(&mut r, 100, &PROBES, false);
        assert_eq!(flagged.iter().sum::<usize>(), 0);
    }

    #[test]
    fn an_unknown_opener_counts_nothing() {
        let mut r = SlowRequests::new(DEFAULT_THRESHOLD);
        for round in 0..4 {
            for i in 0..100u16 {
                let p = seg(
                    1.0 + 10.0 * f64::from(round) + f64::from(i) * 0.01,
                    40_000 + i,
                    true,
                    60,
                );
                assert!(!r.push_keyed(&p, &AddrKeys::of(&p), None, false));
            }
        }
    }
}
