//! Connection floods: a client opening TCP connections to one service faster than clients do.
//!
//! An HTTP flood (`ab` without keep-alive, LOIC's and HOIC's HTTP modes, the "Hulk" and
//! "GoldenEye" tools of the public IDS datasets) completes every handshake and sends a real
//! request: each connection, alone, is a normal one, and the networks, which learnt floods
//! from packets nobody answers, pass them (a namespace run of `ab -c 20 -n 3000`, a thousand
//! connections a second to one web server, raised no alert). What gives it away is the rate at
//! which one client opens connections to one service: a browser opens a handful to a server
//! when a page loads, a crawler or an API client a few a second.
//!
//! The rule: the SYNs (without ACK) from a client to one (server, port), damped with a 1 s
//! half-life, counted per (client, server, port); at or above the threshold
//! ([`crate::detect::DetectSettings::connection_threshold`]; the default, [`DEFAULT_THRESHOLD`],
//! is about 100 new connections a second, held), the client's packets to that service
//! (its SYNs, and within [`OPENING`] of its last SYN its requests, acknowledgements and
//! closes, and the service's answers) are `flood-syn` where the networks call them normal;
//! the episode's profile names it by the SYNs that opened the connections
//! ([`crate::profile`]: data on connections the peer answered is no probe). A scan probes many ports, a few SYNs each, and is counted port by port: it
//! never reaches the threshold on one.
//!
//! What it gives away: a flood over a few kept-alive connections (`ab -k`), whose requests
//! follow each other on established sessions, opens no connections; and a slow one (under the
//! threshold; slowloris opens its few hundred connections once and holds them). What it may
//! call a flood: a proxy or a NAT gateway that carries many users' connections to one popular
//! service from one address, at 100 a second or more.
//!
//! Sans-IO and bounded: one set-associative table of damped counts ([`CAPACITY`] services
//! per client, least recently used evicted).

use crate::class::Class;
use crate::detect::{service_hash, AddrKeys, DampedCount, NegExp2};
use crate::features::table::SetAssoc;
use nightjar_packet::{proto, PacketRepr};

/// [`crate::detect::DetectSettings::connection_threshold`] by default: about 100 new
/// connections a second to one service, held (a damped count with a 1 s half-life settles at
/// rate ÷ ln 2).
pub const DEFAULT_THRESHOLD: f32 = 150.0;
/// A client's packets to a service count as the flood's only within this long of its last
/// new connection there, seconds.
pub const OPENING: f64 = 1.0;
/// (client, server, port) counts remembered.
pub const CAPACITY: usize = 1 << 14;

/// The connection-flood rule's state.
pub struct Connections {
    threshold: f32,
    /// (client, server, port) → its damped count of new connections.
    counts: SetAssoc<(u128, u128, u16), DampedCount>,
    clock: f64,
    /// No packet but a SYN can be flagged after this time: a count reached the threshold at
    /// most [`OPENING`] before it (a decayed count never exceeds its value at its last SYN),
    /// so until then the other packets need no look-up.
    hot_until: f64,
    /// The counts' decay factors of recent time differences.
    decay: NegExp2,
}

impl Connections {
    /// The rule with its threshold (0: off).
    pub fn new(threshold: f32) -> Connections {
        Connections {
            threshold,
            counts: SetAssoc::new(if threshold > 0.0 { CAPACITY } else { 1 }),
            clock: f64::NEG_INFINITY,
            hot_until: f64::NEG_INFINITY,
            decay: NegExp2::new(),
        }
    }

    /// Take the next packet; `flood-syn` if it is a client's packet to a service it opens
    /// connections to at the threshold's rate or faster.
    pub fn push(&mut self, p: &PacketRepr) -> Option<Class> {
        self.push_keyed(p, &AddrKeys::of(p))
    }

    /// [`Connections::push`] of a packet whose addresses' keys are `k`.
    ///
    /// Inlined at the call: a packet other than a SYN while no client is opening connections
    /// fast (nearly every one) goes no further than the clock.
    #[inline]
    pub(crate) fn push_keyed(&mut self, p: &PacketRepr, k: &AddrKeys) -> Option<Class> {
        if self.threshold <= 0.0 || p.proto != proto::TCP || p.later_fragment {
            return None;
        }
        if p.ts.is_finite() && p.ts > self.clock {
            self.clock = p.ts;
        }
        if p.tcp_flags & 0x12 != 0x02 && self.clock > self.hot_until {
            return None;
        }
        self.push_counted(p, k)
    }

    /// [`Connections::push_keyed`] of a SYN, or of another segment while a client opens
    /// connections fast, the clock moved.
    #[inline(never)]
    fn push_counted(&mut self, p: &PacketRepr, k: &AddrKeys) -> Option<Class> {
        let now = self.clock;
        let (s, d) = (k.src, k.dst);
        let n = if p.tcp_flags & 0x12 == 0x02 {
            let key = (s, d, p.dport);
            let c = self
                .counts
                .touch(key, count_hash(k.ms, k.md, p.dport), now)
                .val;
            let n = c.add(now, 1.0, 1.0, &mut self.decay);
            if n >= self.threshold {
                self.hot_until = now + OPENING;
            }
            n
        } else {
            if now > self.hot_until {
                return None;
            }
            // the client's other packets to the service, and the service's answers to it,
            // while it still opens connections: its count, decayed to now (a flood of other
            // packets just after the connections stopped, an ACK flood, is the networks' to
            // name)
            let (to, back) = ((s, d, p.dport), (d, s, p.sport));
            let c = self
                .counts
                .get(&to, count_hash(k.ms, k.md, p.dport))
                .or_else(|| self.counts.get(&back, count_hash(k.md, k.ms, p.sport)))
                .filter(|c| now - c.at() <= OPENING)?;
            c.value(now, 1.0, &mut self.decay)
        };
        (n >= self.threshold).then_some(Class::FloodSyn)
    }
}

/// The hash of a (client, server, port) count's table entry, from the
/// [`premix`](crate::features::table::premix)es of the client's and the server's addresses.
fn count_hash(client: u64, server: u64, port: u16) -> u64 {
    service_hash(71, client, server, port)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::tests::tcp;

    const C: &str = "198.18.0.66";
    const S: &str = "198.18.0.10";

    #[test]
    fn the_shortcut_for_segments_while_no_client_opens_fast_changes_no_verdict() {
        // `push` against the clock moved and `push_counted` on every segment, the rule as it
        // was; a threshold of 1 so that the traffic's SYNs make clients hot now and then
        let traffic = crate::features::tests::mixed_traffic(20_000);
        let (mut fast, mut full) = (Connections::new(1.0), Connections::new(1.0));
        let mut flagged = 0;
        for (i, p) in traffic.iter().enumerate() {
            let k = AddrKeys::of(p);
            let v = fast.push_keyed(p, &k);
            let w = if p.proto != proto::TCP || p.later_fragment {
                None
            } else {
                if p.ts.is_finite() && p.ts > full.clock {
                    full.clock = p.ts;
                }
                full.push_counted(p, &k)
            };
            assert_eq!(v, w, "packet {i}: {p:?}");
            flagged += usize::from(v.is_some());
        }
        assert!(
            flagged > 10,
            "{flagged} flagged: the traffic exercises the rule"
        );
    }

    /// `n` HTTP connections from C to S:80, `gap` seconds apart from `t`: SYN, ACK, request,
    /// FIN (the client's packets); whether the rule flagged each.
    fn connections(r: &mut Connections, t: f64, n: u32, gap: f64) -> Vec<bool> {
        let mut v = Vec::new();
        for i in 0..n {
            let ts = t + f64::from(i) * gap;
            let sport = 30000 + (i % 30000) as u16;
            for (k, flags) in [0x02, 0x10, 0x18, 0x11].into_iter().enumerate() {
                let p = tcp(ts + k as f64 * 1e-4, C, S, sport, 80, flags);
                v.push(r.push(&p).is_some());
                // the server's SYN-ACK, then its answer
                if k < 2 {
                    let flags = if k == 0 { 0x12 } else { 0x18 };
                    let back = tcp(ts + k as f64 * 1e-4 + 5e-5, S, C, 80, sport, flags);
                    v.push(r.push(&back).is_some());
                }
            }
        }
        v
    }

    #[test]
    fn a_thousand_connections_a_second_are_a_flood_and_ten_are_not() {
        let mut r = Connections::new(DEFAULT_THRESHOLD);
        let slow = connections(&mut r, 1.0, 100, 0.1);
        assert!(slow.iter().all(|f| !f), "ten a second");
        let fast = connections(&mut r, 100.0, 3000, 1e-3);
        let flagged = fast.iter().filter(|f| **f).count();
        // all but the first 150 or so connections, every packet of them both ways
        assert!(flagged > 6 * 2800, "{flagged} of {}", fast.len());
        // an ACK flood 2 s after the connections stopped is not theirs, though the count is
        // still high
        for i in 0..100 {
            let p = tcp(105.0 + f64::from(i) * 1e-3, C, S, 5000, 80, 0x10);
            assert_eq!(r.push(&p), None);
        }
        // once the client stops, its count decays: a connection 10 s later is normal
        assert!(connections(&mut r, 113.0, 1, 1.0).iter().all(|f| !f));
    }

    #[test]
    fn a_scan_counts_port_by_port_and_stays_under_the_threshold() {
        let mut r = Connections::new(DEFAULT_THRESHOLD);
        for i in 0..5000u16 {
            let p = tcp(1.0 + f64::from(i) * 1e-4, C, S, 40000, 1 + i, 0x02);
            assert_eq!(r.push(&p), None);
        }
        let mut off = Connections::new(0.0);
        assert!(connections(&mut off, 1.0, 3000, 1e-4).iter().all(|f| !f));
    }
}
