//! The unanswered-connections rule: a source whose TCP connection attempts to one host fail
//! many at a time without a reset, dropped or refused by a firewall, is scanning that host.
//!
//! The lab the networks learnt from has no firewall: every victim answers a closed port with an
//! RST (or a UDP probe with an ICMP port unreachable), and the networks learnt scans from those
//! answers and from how new each probed port is. Behind a firewall a probe draws nothing (a
//! Windows firewall, a cloud security group, a router's ACL: `drop`) or an ICMP destination
//! unreachable, whatever the protocol (`reject`: port unreachable, admin-prohibited,
//! host-prohibited), which the sending kernel rate-limits (Linux: about one a second to a
//! host). A connect scan (`nmap -sT`, the default scan of a user without root) then shows the
//! networks what they never saw: `connect()`'s SYNs, most of them sent again by the kernel
//! from the same source port a second, three, seven seconds later, because nothing came back;
//! and nmap slows to the pace of the answers it gets. Run right after another scan of the same
//! ports (nmap's top ports), none of those ports is new. A namespace run (`lab/firewalls.sh`,
//! session 16) of `nmap -sT -T3` against a host rejecting with admin-prohibited, right after an
//! `nmap -sS` of the same ports, had 2,033 of its 2,139 SYNs passed as normal and raised no
//! alert of its own.
//!
//! **The rule.** A *connection attempt* is a SYN (without ACK) from a source to a (host, port)
//! from one source port; it *fails* when the source sends its SYN again with no SYN-ACK or RST
//! seen in between (the kernel retransmits a SYN nobody answered: RFC 6298's one-second first
//! timeout), or when an ICMP destination unreachable of any code (port, host, admin-prohibited,
//! host-prohibited, from the host or from a router on the way) quotes it. Each attempt fails
//! at most once. Per (source, destination host), the failed attempts are a count damped with
//! a [`HALF_LIFE`] of 10 s; at or above [`THRESHOLD`] the source's TCP probes (TCP without ACK
//! or RST: SYN, and FIN, NULL or Xmas probes too) to that host are flagged as a scan of their
//! kind when the networks pass them. An attempt refused with an RST is left to the networks,
//! which learnt closed ports from exactly that.
//!
//! **What it leaves alone.** A client whose server is down or firewalled fails a few attempts
//! (a browser opens six connections at once) and retries them at the kernel's backing-off
//! pace: a handful of failures, far from [`THRESHOLD`] within a half-life. A client retrying one
//! dead service quickly enough to reach it is flagged, but its episode probes fewer than four
//! targets, which is no scan (`crate::profile::SCAN_MIN_TARGETS`) and raises no alert. A
//! horizontal scan of silent addresses counts apart per host (the sweep rule's part).
//!
//! **Bounded memory.** Attempts and (source, host) counts live in bounded set-associative
//! tables with LRU eviction ([`SetAssoc`]); an evicted attempt is forgotten (its failure is
//! not counted).

use crate::class::Class;
use crate::detect::AddrKeys;
use crate::features::table::{hash_mixed, ip_key, premix, SetAssoc};
use crate::profile::{probe_scan, ACK, RST, SYN};
use nightjar_packet::PacketRepr;

/// Half-life of the damped count of failed attempts per (source, host), seconds: long enough to
/// hold a connect scan slowed to a few ports a second by its silent targets (nmap adapts its
/// pace to the answers), short enough that a client's few failures fade.
pub const HALF_LIFE: f64 = 10.0;
/// Damped failed attempts to one host at or above which the source's probes of it are a scan,
/// by default ([`crate::detect::DetectSettings::unanswered_threshold`]): Zeek's address-scan
/// threshold (25), as the sweep rule's; with a 10 s half-life, about 1.7 failed attempts a
/// second held for half a minute, or 25 within a few seconds.
pub const THRESHOLD: f32 = 25.0;
/// Seconds after which a SYN from an attempt's source port is a new attempt, not the same one
/// sent again (Linux retries a SYN at 1, 3, 7, 15 and 31 s).
pub const ATTEMPT_HORIZON: f64 = 32.0;

/// What became of a connection attempt.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Attempt {
    /// Sent, no answer seen yet.
    #[default]
    Pending,
    /// Failed (counted once).
    Failed,
}

/// (source, destination, source port and destination port in one word).
type AttemptKey = (u128, u128, u32);

/// The rule's state: sans-IO, fed every decoded packet in capture order.
pub struct Unanswered {
    threshold: f32,
    attempts: SetAssoc<AttemptKey, Attempt>,
    /// Per (source, destination host), keyed by both premixes: damped failed attempts.
    pairs: SetAssoc<u128, f32>,
    clock: f64,
}

impl Unanswered {
    /// A rule remembering at most `cap` attempts (and a sixteenth as many host pairs) that
    /// flags a source's probes of a host from `threshold` damped failures on (0: off).
    pub fn new(cap: usize, threshold: f32) -> Unanswered {
        let on = threshold > 0.0;
        Unanswered {
            threshold,
            attempts: SetAssoc::new(if on { cap.max(1) } else { 1 }),
            pairs: SetAssoc::new(if on { (cap / 16).max(64) } else { 1 }),
            clock: f64::NEG_INFINITY,
        }
    }

    /// Update with `p`; the scan class of a probe the rule flags.
    pub fn push(&mut self, p: &PacketRepr) -> Option<Class> {
        self.push_keyed(p, &AddrKeys::of(p))
    }

    /// [`Unanswered::push`] with `p`'s address keys and their premixes, computed once per
    /// packet for every rule.
    ///
    /// Most packets concern the rule not at all (segments of connections: ACK without SYN or
    /// RST; UDP; ICMP other than a destination unreachable): this part, inlined at the call,
    /// moves the clock and lets them go without a call into the rule's tables.
    #[inline]
    pub(crate) fn push_keyed(&mut self, p: &PacketRepr, keys: &AddrKeys) -> Option<Class> {
        if self.threshold <= 0.0 {
            return None;
        }
        if p.ts.is_finite() && p.ts > self.clock {
            self.clock = p.ts;
        }
        let concerned = match p.proto {
            6 => !p.later_fragment && p.tcp_flags & (SYN | ACK | RST) != ACK,
            1 | 58 => nightjar_packet::proto::icmp_unreachable(p.proto, p.icmp_type),
            _ => false,
        };
        if !concerned {
            return None;
        }
        self.push_concerned(p, keys)
    }

    /// [`Unanswered::push_keyed`] of a packet that concerns the rule, the clock moved.
    #[inline(never)]
    fn push_concerned(&mut self, p: &PacketRepr, keys: &AddrKeys) -> Option<Class> {
        let now = self.clock;
        match p.proto {
            6 if p.later_fragment => None,
            6 => {
                let (s, d) = ((keys.src, keys.ms), (keys.dst, keys.md));
                let fl = p.tcp_flags;
                if fl & (SYN | ACK | RST) == SYN {
                    let key = (s.0, d.0, ports(p.sport, p.dport));
                    let e = self.attempts.touch(key, attempt_hash(s.1, d.1, key.2), now);
                    let again = e.prev_stamp.is_some_and(|t| now - t <= ATTEMPT_HORIZON);
                    if again && *e.val == Attempt::Pending {
                        *e.val = Attempt::Failed;
                        self.count(s.1, d.1, 1.0);
                    } else if !again {
                        *e.val = Attempt::Pending;
                    }
                }
                if fl & (SYN | ACK) == SYN | ACK || fl & RST != 0 {
                    // an answer from the target: its attempt did not fail
                    let key = (d.0, s.0, ports(p.dport, p.sport));
                    self.attempts.remove(&key, attempt_hash(d.1, s.1, key.2));
                    return None;
                }
                if fl & (ACK | RST) != 0 {
                    return None;
                }
                (self.count(s.1, d.1, 0.0) >= self.threshold)
                    .then(|| probe_scan(fl).unwrap_or(Class::OtherAttack))
            }
            1 | 58 if nightjar_packet::proto::icmp_unreachable(p.proto, p.icmp_type) => {
                let q = p.inner.as_ref().filter(|q| q.proto == 6)?;
                let (qs, qd) = (ip_key(q.src), ip_key(q.dst));
                let (ms, md) = (premix(qs), premix(qd));
                let key = (qs, qd, ports(q.sport, q.dport));
                let a = self
                    .attempts
                    .get_mut(&key, attempt_hash(ms, md, key.2), now)?;
                if *a == Attempt::Pending {
                    *a = Attempt::Failed;
                    self.count(ms, md, 1.0);
                }
                None
            }
            _ => None,
        }
    }

    /// Decay the count of the pair with address premixes `ms`, `md` to now, add `delta`; the
    /// count after it.
    fn count(&mut self, ms: u64, md: u64, delta: f32) -> f32 {
        let key = (u128::from(ms) << 64) | u128::from(md);
        if delta == 0.0 {
            // a probe: no entry made for a pair that never failed (none has, while the table
            // is empty: no look-up)
            if self.pairs.is_empty() {
                return 0.0;
            }
            let Some((&v, t)) = self.pairs.get_stamped(&key, hash_mixed(ms, md)) else {
                return 0.0;
            };
            return v * (-(self.clock - t).max(0.0) / HALF_LIFE).exp2() as f32;
        }
        let e = self.pairs.touch(key, hash_mixed(ms, md), self.clock);
        let dt = e.prev_stamp.map_or(0.0, |t| (self.clock - t).max(0.0));
        *e.val = *e.val * (-dt / HALF_LIFE).exp2() as f32 + delta;
        *e.val
    }
}

fn ports(sport: u16, dport: u16) -> u32 {
    (u32::from(sport) << 16) | u32::from(dport)
}

/// The table hash of an attempt, from its addresses' premixes and its ports.
fn attempt_hash(ms: u64, md: u64, ports: u32) -> u64 {
    hash_mixed(hash_mixed(hash_mixed(61, ms), md), u64::from(ports))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::tests::{icmp_unreach, tcp};

    const A: &str = "198.18.1.66";
    const V: &str = "198.18.0.10";
    const SYN_: u8 = 0x02;

    #[test]
    fn the_shortcut_for_packets_of_no_concern_changes_no_verdict() {
        // `push` (its shortcut inlined) against the clock moved and `push_concerned` on every
        // packet, the rule as it was; a threshold of 1 so that the traffic's failed attempts
        // flag probes
        let traffic = crate::features::tests::mixed_traffic(20_000);
        let (mut fast, mut full) = (Unanswered::new(4096, 1.0), Unanswered::new(4096, 1.0));
        let mut flagged = 0;
        for (i, p) in traffic.iter().enumerate() {
            let v = fast.push(p);
            if p.ts.is_finite() && p.ts > full.clock {
                full.clock = p.ts;
            }
            assert_eq!(
                v,
                full.push_concerned(p, &AddrKeys::of(p)),
                "packet {i}: {p:?}"
            );
            flagged += usize::from(v.is_some());
        }
        assert!(
            flagged > 10,
            "{flagged} flagged: the traffic exercises the rule"
        );
    }

    /// A connect scan of `n` ports of `V`, one attempt 0.05 s after the other from a new
    /// source port each, each SYN sent again 1 s later (nothing answered); the rule's verdict
    /// on each packet, in order.
    fn silent_connect_scan(r: &mut Unanswered, t0: f64, n: u16) -> Vec<Option<Class>> {
        let mut pk = Vec::new();
        for i in 0..n {
            let t = t0 + f64::from(i) * 0.05;
            pk.push(tcp(t, A, V, 40_000 + i, 1 + i, SYN_));
            pk.push(tcp(t + 1.0, A, V, 40_000 + i, 1 + i, SYN_));
        }
        pk.sort_by(|a, b| a.ts.total_cmp(&b.ts));
        pk.iter().map(|p| r.push(p)).collect()
    }

    #[test]
    fn a_connect_scan_of_silent_ports_is_flagged_once_enough_attempts_failed() {
        let mut r = Unanswered::new(4096, THRESHOLD);
        let v = silent_connect_scan(&mut r, 100.0, 200);
        let first = v.iter().position(Option::is_some).expect("flagged");
        // the 25th failure (a retransmission) comes 1 s plus 24 × 0.05 s after the first
        // attempt; packets before it are attempts and retransmissions: 2 × 24 + 20 or so
        assert!((60..=80).contains(&first), "first flagged packet {first}");
        assert!(v[first..].iter().all(|c| *c == Some(Class::ScanSyn)));
        // the host's other probes are a scan of their kind; another host's are not flagged
        assert_eq!(
            r.push(&tcp(112.0, A, V, 50_000, 9, 0x01)),
            Some(Class::ScanFin)
        );
        assert_eq!(
            r.push(&tcp(112.0, A, V, 50_000, 9, 0x29)),
            Some(Class::ScanXmas)
        );
        assert_eq!(r.push(&tcp(112.0, A, "198.18.0.11", 50_000, 9, SYN_)), None);
        // nor the host's answers, nor the scanner's ACKs and RSTs
        assert_eq!(r.push(&tcp(112.0, V, A, 22, 40_001, 0x12)), None);
        assert_eq!(r.push(&tcp(112.0, A, V, 40_001, 22, 0x10)), None);
        assert_eq!(r.push(&tcp(112.0, A, V, 40_001, 22, 0x04)), None);
        // the count fades (10 s half-life): two minutes later a probe is not flagged
        assert_eq!(r.push(&tcp(240.0, A, V, 50_001, 10, SYN_)), None);
    }

    #[test]
    fn icmp_refusals_of_any_code_from_the_host_or_a_router_fail_an_attempt_once() {
        for (from, code) in [(V, 3), (V, 13), (V, 10), ("198.18.1.1", 13)] {
            let mut r = Unanswered::new(4096, THRESHOLD);
            let mut flagged = 0;
            for i in 0..40u16 {
                let t = 10.0 + f64::from(i) * 0.01;
                let probe = tcp(t, A, V, 40_000 + i, 1 + i, SYN_);
                flagged += usize::from(r.push(&probe).is_some());
                let mut err = icmp_unreach(t + 1e-4, from, A, &probe);
                err.icmp_code = code;
                // the error is no probe, and twice the same error is one failure
                assert_eq!(r.push(&err), None);
                assert_eq!(r.push(&err), None);
                // nor is the attempt's SYN sent again after its refusal a second failure (the
                // count below says so)
                r.push(&probe);
            }
            // 40 attempts refused in 0.4 s: the probes after the 25th or 26th failure (the
            // count decays a little meanwhile) flagged; had the SYNs sent again counted,
            // twice as many
            assert!(
                (14..=15).contains(&flagged),
                "{from} code {code}: {flagged}"
            );
            // an error quoting a UDP datagram or an attempt never seen counts nothing
            let mut r = Unanswered::new(4096, THRESHOLD);
            for i in 0..40u16 {
                let mut q = tcp(10.0, A, V, 40_000 + i, 1 + i, SYN_);
                let err = icmp_unreach(10.0, from, A, &q);
                assert_eq!(r.push(&err), None);
                q.proto = 17;
                assert_eq!(r.push(&icmp_unreach(10.0, from, A, &q)), None);
            }
            assert_eq!(r.push(&tcp(10.5, A, V, 50_000, 80, SYN_)), None);
        }
    }

    #[test]
    fn attempts_answered_by_a_synack_or_a_reset_never_fail() {
        // a connect scan of closed ports, each refused with RST+ACK and asked again from the
        // same port (nmap's retry): the networks' part, not this rule's
        let mut r = Unanswered::new(4096, THRESHOLD);
        for i in 0..300u16 {
            let t = 1.0 + f64::from(i) * 0.005;
            for k in 0..2 {
                let dt = f64::from(k) * 0.5;
                assert_eq!(r.push(&tcp(t + dt, A, V, 40_000 + i, 1 + i, SYN_)), None);
                let answer = if i % 10 == 0 { 0x12 } else { 0x14 };
                assert_eq!(
                    r.push(&tcp(t + dt + 1e-4, V, A, 1 + i, 40_000 + i, answer)),
                    None
                );
            }
        }
    }

    #[test]
    fn a_client_whose_server_is_down_is_no_scan() {
        // six connections at once to a firewalled web server, each SYN sent again at 1, 3, 7,
        // 15 and 31 s, then again a minute later: six failures each time
        let mut r = Unanswered::new(4096, THRESHOLD);
        for round in 0..3 {
            let t0 = 1.0 + f64::from(round) * 60.0;
            for dt in [0.0, 1.0, 3.0, 7.0, 15.0, 31.0] {
                for c in 0..6u16 {
                    let sport = 50_000 + 10 * round + c;
                    assert_eq!(r.push(&tcp(t0 + dt, A, V, sport, 443, SYN_)), None);
                }
            }
        }
    }
}
