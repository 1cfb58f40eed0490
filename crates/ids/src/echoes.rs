//! Answered echo exchanges: a ping answered at a ping's pace is no attack, whatever its size.
//!
//! The networks learnt ICMP from the lab's floods (hping3 `--icmp`, `ping -f`, smurf) and from
//! small pings; a large ping cut into fragments (`ping -s 3000`: three fragments each way, the
//! later ones type-less) they flag about two times in three. Alone such pings are a flood too
//! slow to be one ([`crate::detect::DetectSettings::flood_min_rate`]), but they joined other
//! flagged packets of their host into an alerted episode (session 17: a false 54-packet
//! `scan-udp` and a false 888-packet `flood-icmp`). Real networks carry large pings:
//! path-MTU probing (`ping -M do -s 1472`), monitoring with large pings, `ping -s` by hand.
//!
//! What tells a ping from a flood is its pace and its answers. `ping` sends one request a
//! second by default, and at most five a second for an ordinary user (`-i 0.2`); `ping -f`
//! sends the next as soon as the reply came (or every 10 ms), hping3 `--flood` as fast as it
//! can, a smurf's requests go to a broadcast address that answers from other addresses.
//! So, per (requester, responder) pair, an echo request (ICMP 8, ICMPv6 128; a whole packet
//! or the first fragment, which carries the type) is part of an **answered exchange at a
//! ping's pace** when
//!
//! * the pair's previous request was answered (an echo reply, ICMP 0 or ICMPv6 129, from the
//!   responder to the requester came after it) and that request came no more than [`IDLE`]
//!   before,
//! * it came at least [`MIN_GAP`] after the pair's previous request — or right after one
//!   that did (and met every condition here): two pings of one host to another may meet,
//!   `ping -M do -s 1472 ...; ping -s 65507 ...` starts the second 2 ms after the first's
//!   last request, and two monitors' requests may come together; one such request after a
//!   paced one is allowed, not two in a row —, and
//! * the pair's requests, as a count damped with a 1 s half-life, are at most [`PACE`];
//!
//! and a reply is part of one when the request it follows (the pair's latest, at most
//! [`IDLE`] before) was and a request is still owed its reply: each request is owed one (at
//! most [`OWED`] are kept), and the replies past those are not the pair's exchange — a smurf
//! in the requester's name makes every host of the subnet send it replies, among them the
//! hosts it pings itself, and only as many as it asked for are taken for answers. Such
//! requests and replies are normal whatever the networks and the other rules say, and so,
//! through [`crate::fragments`], are their later fragments.
//!
//! The first request of a pair (none in the [`IDLE`] before) has no answer yet, and no pace.
//! A small one stays as the networks judge it, with its reply: two packets, nothing to make
//! an alert of, and the probes of a ping sweep, one to each host, stay judged. A large one is
//! another matter: `ping -s 65507` is 45 fragments each way, which the networks, taking its
//! first fragment's verdict for all of them, made an ICMP flood of in a test. So a first
//! request that is a first fragment (a datagram too large for one packet) is taken for a
//! ping's, and its reply too: a flood of large pings loses one datagram to this, and its
//! second request, within [`MIN_GAP`], is judged; a flood of large pings from forged sources,
//! every request a pair's first, is the spray rule's, which the detector lets override this
//! one.
//!
//! What stays the networks': every ICMP flood — `ping -f` and hping3 send their requests
//! milliseconds apart (under [`MIN_GAP`]), and a flood at a lower pace goes past [`PACE`] —,
//! smurf (the victim's forged requests go to a broadcast address, and its replies come from
//! hosts it did not ask), unanswered pings (sweeps of silent addresses, a host that went
//! down), echo replies nobody asked for ([`crate::unlearned`]). A ping of death is never
//! cleared: its oversize fragment is its sender's attack ([`crate::fragments`]).
//!
//! **Many requesters at once.** A ping's pace is a pair's: a botnet's ICMP flood (session 20,
//! `lab/botnet.sh`: 40 hosts each pinging one victim with hping3 `--icmp` at 10 or 2 a
//! second, from their own addresses, every request answered) is pings at a ping's pace, pair
//! by pair, and the rule cleared all of them. So, per responder, the requests that meet
//! the conditions above, from all its requesters, are counted damped with a 1 s half-life;
//! at or above [`CROWD`] (100, the spray rule's threshold for unsolicited packets to one
//! victim: about 70 a second held) the request is not part of an answered exchange, nor its
//! reply: the networks judge them (and a victim alert gathers the sources too slow to be
//! alerted on their own). Each pair counts at most [`PACE`], so that many needs at least seven
//! requesters pinging at the fastest pace an ordinary user may (`ping -i 0.2`), or 70 at
//! `ping`'s default of one a second; monitors ping every few seconds. Counted in
//! [`Echoes::crowded`].
//!
//! Sans-IO and bounded: two fixed set-associative tables, of pairs ([`CAPACITY`]) and of
//! responders ([`RESPONDERS`]), least recently used evicted, fed only the ICMP and ICMPv6 echo
//! requests and replies (whole packets and first fragments).

use crate::detect::AddrKeys;
use crate::features::table::{hash_mixed, SetAssoc};
use nightjar_packet::{proto, PacketRepr};

/// Seconds after which a pair's latest request is forgotten: its exchange must be answered
/// again (ping waits 10 s for a reply at most by default; monitors ping every few seconds).
pub const IDLE: f64 = 30.0;
/// The least time between two of a pair's requests for the later to be at a ping's pace,
/// seconds: 20 a second (`ping -f` sends the next request as soon as the reply came, within
/// a millisecond on a LAN, and every 10 ms when none comes).
pub const MIN_GAP: f64 = 0.05;
/// The most a pair's requests, damped with a 1 s half-life, may count for the latest to be at
/// a ping's pace: about 11 a second held (`ping -i 0.2`, the fastest an ordinary user may
/// ping, counts 7.7; two pings of one host to another at 1 s, 2.9).
pub const PACE: f32 = 16.0;
/// Requests whose replies are awaited, at most (ping sends the next request when the reply is
/// late; `ping -W` waits up to 10 s).
pub const OWED: u8 = 8;
/// Pairs remembered.
pub const CAPACITY: usize = 1 << 12;
/// The most a responder's requests at a ping's pace from all its requesters, damped with a
/// 1 s half-life, may count for them to be cleared ([module documentation](self)).
pub const CROWD: f32 = 100.0;
/// Responders remembered.
pub const RESPONDERS: usize = 1 << 10;

/// A responder's requests at a ping's pace, from all its requesters.
#[derive(Clone, Copy, Debug)]
struct Crowd {
    /// When the latest came.
    at: f64,
    /// Their count, damped with a 1 s half-life, at `at`.
    rate: f32,
}

impl Default for Crowd {
    fn default() -> Self {
        Crowd {
            at: f64::NEG_INFINITY,
            rate: 0.0,
        }
    }
}

/// (requester, responder).
type Key = (u128, u128);

/// One pair's exchange.
#[derive(Clone, Copy, Debug)]
struct Exchange {
    /// When the latest request came.
    asked: f64,
    /// When the latest reply came.
    answered: f64,
    /// The pair's requests, damped with a 1 s half-life, at `asked`.
    rate: f32,
    /// Whether the latest request was part of an answered exchange at a ping's pace.
    paced: bool,
    /// Whether it was so at least [`MIN_GAP`] after the one before it (so the next may come
    /// sooner).
    spaced: bool,
    /// Requests not yet answered, at most [`OWED`].
    owed: u8,
    /// Whether the latest request was at a ping's pace but its responder crowded ([`CROWD`]).
    crowded: bool,
}

impl Default for Exchange {
    fn default() -> Self {
        Exchange {
            asked: f64::NEG_INFINITY,
            answered: f64::NEG_INFINITY,
            rate: 0.0,
            paced: false,
            spaced: false,
            owed: 0,
            crowded: false,
        }
    }
}

/// An echo request or reply: whole, or the first fragment (the only one with the type).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Echo {
    Request,
    Reply,
}

#[inline]
fn echo(p: &PacketRepr) -> Option<Echo> {
    if p.later_fragment {
        return None;
    }
    match (p.proto, p.icmp_type) {
        (proto::ICMP, 8) | (proto::ICMPV6, 128) => Some(Echo::Request),
        (proto::ICMP, 0) | (proto::ICMPV6, 129) => Some(Echo::Reply),
        _ => None,
    }
}

/// Whether `p` is an echo request or reply ([`Echoes::push`] has work for it): a cheap
/// test for the hot path.
#[inline]
pub fn may_be_echo(p: &PacketRepr) -> bool {
    echo(p).is_some()
}

/// The answered echo exchanges of recent pairs ([module documentation](self)).
pub struct Echoes {
    table: SetAssoc<Key, Exchange>,
    /// Responders' requests at a ping's pace ([`CROWD`]).
    responders: SetAssoc<u128, Crowd>,
    /// [`PACE`] or another threshold; 0: the rule is off (nothing is cleared).
    pace: f32,
    /// Requests and replies not cleared because their responder was crowded.
    crowded: u64,
}

impl Default for Echoes {
    fn default() -> Self {
        Echoes::new(PACE)
    }
}

impl Echoes {
    /// The rule with `pace` for [`PACE`] (0 turns it off).
    pub fn new(pace: f32) -> Echoes {
        Echoes {
            table: SetAssoc::new(CAPACITY),
            responders: SetAssoc::new(RESPONDERS),
            pace,
            crowded: 0,
        }
    }

    /// Count `p`: whether it is an echo request or reply of an answered exchange at a ping's
    /// pace (false for every other packet).
    pub fn push(&mut self, p: &PacketRepr) -> bool {
        self.push_keyed(p, &AddrKeys::of(p))
    }

    /// [`Echoes::push`] with `p`'s addresses' keys at hand.
    pub(crate) fn push_keyed(&mut self, p: &PacketRepr, keys: &AddrKeys) -> bool {
        let Some(kind) = echo(p).filter(|_| self.pace > 0.0) else {
            return false;
        };
        let now = if p.ts.is_finite() { p.ts } else { 0.0 };
        match kind {
            Echo::Request => {
                let h = hash_mixed(hash_mixed(131, keys.ms), keys.md);
                let e = self.table.touch((keys.src, keys.dst), h, now).val;
                let gap = now - e.asked;
                let answered = e.answered >= e.asked && gap <= IDLE;
                // (a pair's first request: a large one is taken for a ping's)
                let first_large = gap > IDLE && p.fragment;
                e.owed = if gap > IDLE { 0 } else { e.owed };
                e.owed = (e.owed + 1).min(OWED);
                e.rate = e.rate * decay(gap) + 1.0;
                let steady = answered && e.rate <= self.pace;
                let after_paced = e.spaced && e.paced;
                e.spaced = steady && gap >= MIN_GAP;
                let paced = (steady && (gap >= MIN_GAP || after_paced)) || first_large;
                e.asked = now;
                // the responder's requests at a ping's pace from all its requesters
                let crowded = paced && {
                    let c = self
                        .responders
                        .touch(keys.dst, hash_mixed(137, keys.md), now)
                        .val;
                    c.rate = c.rate * decay(now - c.at) + 1.0;
                    c.at = now;
                    c.rate >= CROWD
                };
                e.paced = paced && !crowded;
                e.crowded = crowded;
                self.crowded += u64::from(crowded);
                e.paced
            }
            Echo::Reply => {
                // the pair asked the other way: the reply's destination asked its source
                let h = hash_mixed(hash_mixed(131, keys.md), keys.ms);
                let Some(e) = self.table.get_mut(&(keys.dst, keys.src), h, now) else {
                    return false;
                };
                if now - e.asked > IDLE || e.owed == 0 {
                    return false;
                }
                e.owed -= 1;
                e.answered = now;
                // (a reply to a request of a crowded responder is its exchange's, judged too)
                self.crowded += u64::from(e.crowded);
                e.paced
            }
        }
    }

    /// Requests and replies at a ping's pace not cleared because their responder was
    /// crowded ([`CROWD`]).
    pub fn crowded(&self) -> u64 {
        self.crowded
    }

    pub fn evictions(&self) -> u64 {
        self.table.evictions()
    }

    pub fn memory_bytes(&self) -> usize {
        self.table.memory_bytes() + self.responders.memory_bytes()
    }
}

/// What is left after `since` seconds of a count damped with a 1 s half-life: nothing of one
/// older than [`IDLE`] (or of none).
fn decay(since: f64) -> f32 {
    if since > IDLE {
        0.0
    } else {
        (-(since.max(0.0) as f32)).exp2()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::tests::udp;

    const A: &str = "198.18.0.20";
    const B: &str = "198.18.0.10";

    fn ping(ts: f64, src: &str, dst: &str, ty: u8) -> PacketRepr {
        PacketRepr {
            proto: 1,
            icmp_type: ty,
            ip_len: 3028,
            payload_len: 3000,
            ..udp(ts, src, dst, 0, 0, 3028)
        }
    }

    fn push(e: &mut Echoes, p: &PacketRepr) -> bool {
        e.push(p)
    }

    /// `n` echo requests from `a` to `b`, `gap` seconds apart from `t`, each answered after
    /// `rtt` when `answer`: whether each request and reply was cleared, in order.
    fn exchange(e: &mut Echoes, t: f64, n: u32, gap: f64, rtt: f64, answer: bool) -> Vec<bool> {
        let mut out = Vec::new();
        for i in 0..n {
            let at = t + f64::from(i) * gap;
            out.push(push(e, &ping(at, A, B, 8)));
            if answer {
                out.push(push(e, &ping(at + rtt, B, A, 0)));
            }
        }
        out
    }

    #[test]
    fn pings_at_a_pings_pace_are_cleared_after_their_first_exchange() {
        // ping -s 3000 (1 s), -i 0.5 and -i 0.2 (an ordinary user's fastest): the first
        // request and its reply are left to the networks, everything after is cleared
        for (k, gap) in [1.0, 0.5, 0.2].into_iter().enumerate() {
            let mut e = Echoes::new(PACE);
            let got = exchange(&mut e, 10.0 + 1000.0 * k as f64, 30, gap, 3e-4, true);
            assert_eq!(&got[..2], [false, false], "gap {gap}");
            assert!(got[2..].iter().all(|&c| c), "gap {gap}: {got:?}");
        }
        // the same over ICMPv6 (128 and 129)
        let mut e = Echoes::new(PACE);
        let v6 = |t, s: &str, d: &str, ty| PacketRepr {
            proto: 58,
            ..ping(t, s, d, ty)
        };
        let (a, b) = ("2001:2::c612:14", "2001:2::c612:a");
        assert!(!push(&mut e, &v6(1.0, a, b, 128)));
        assert!(!push(&mut e, &v6(1.001, b, a, 129)));
        assert!(push(&mut e, &v6(2.0, a, b, 128)));
        assert!(push(&mut e, &v6(2.001, b, a, 129)));
    }

    #[test]
    fn a_pairs_first_request_is_taken_for_a_pings_only_when_large() {
        // ping -s 65507: the first request's first fragment (and its reply) are cleared, and
        // every request after it at a ping's pace
        let first = |t, s, d, ty| PacketRepr {
            fragment: true,
            frag_word: 1 << 13,
            ..ping(t, s, d, ty)
        };
        let mut e = Echoes::new(PACE);
        assert!(push(&mut e, &first(1.0, A, B, 8)));
        assert!(push(&mut e, &first(1.01, B, A, 0)));
        assert!(push(&mut e, &first(2.0, A, B, 8)));
        assert!(push(&mut e, &first(2.01, B, A, 0)));
        // a flood of them: the first datagram only
        let mut e = Echoes::new(PACE);
        let got: Vec<bool> = (0..100)
            .flat_map(|i| {
                let t = 1.0 + f64::from(i) * 2e-4;
                [
                    push(&mut e, &first(t, A, B, 8)),
                    push(&mut e, &first(t + 1e-4, B, A, 0)),
                ]
            })
            .collect();
        assert_eq!(&got[..2], [true, true]);
        assert!(got[2..].iter().all(|&c| !c));
        // after IDLE of quiet, the next first request is a first again; a small one is not
        assert!(push(&mut e, &first(2.0 + IDLE, A, B, 8)));
        assert!(!push(&mut e, &ping(3.0 + 2.0 * IDLE, A, B, 8)));
    }

    #[test]
    fn one_request_may_come_right_after_a_paced_one_but_not_two() {
        // `ping -M do -s 1472 -i 0.5 -c 6; ping -s 65507`: the second ping's first request 2 ms
        // after the first ping's last, both cleared, and the next too
        let mut e = Echoes::new(PACE);
        let got = exchange(&mut e, 1.0, 6, 0.5, 3e-5, true);
        assert!(got[2..].iter().all(|&c| c));
        assert!(push(&mut e, &ping(3.502, A, B, 8)));
        assert!(push(&mut e, &ping(3.5021, B, A, 0)));
        assert!(push(&mut e, &ping(4.502, A, B, 8)));
        assert!(push(&mut e, &ping(4.5021, B, A, 0)));
        // a ping -f after pings at a ping's pace: its first request and the one right after
        // it are cleared, nothing after
        let got = exchange(&mut e, 10.0, 500, 1e-4, 5e-5, true);
        assert_eq!(&got[..4], [true, true, true, true]);
        assert!(got[4..].iter().all(|&c| !c));
    }

    #[test]
    fn floods_unanswered_pings_and_replies_nobody_asked_for_are_never_cleared() {
        // ping -f: the next request right after the reply, 0.1 ms apart
        let mut e = Echoes::new(PACE);
        assert!(exchange(&mut e, 1.0, 3000, 1e-4, 5e-5, true)
            .iter()
            .all(|&c| !c));
        // a flood at 20 a second (at MIN_GAP) passes PACE within a second or two, and stays
        // past it
        let mut e = Echoes::new(PACE);
        let got = exchange(&mut e, 1.0, 200, MIN_GAP, 1e-3, true);
        let cleared = got.iter().filter(|&&c| c).count();
        assert!(cleared <= 50, "{cleared}");
        assert!(got[80..].iter().all(|&c| !c));
        // pings nobody answers (a host gone, a sweep of silent addresses)
        let mut e = Echoes::new(PACE);
        assert!(exchange(&mut e, 1.0, 20, 1.0, 0.0, false)
            .iter()
            .all(|&c| !c));
        // a reply to no request, and one to a request older than IDLE
        let mut e = Echoes::new(PACE);
        assert!(!push(&mut e, &ping(1.0, B, A, 0)));
        exchange(&mut e, 2.0, 3, 1.0, 1e-3, true);
        assert!(!push(&mut e, &ping(4.0 + IDLE + 0.1, B, A, 0)));
        // a smurf in the name of a host that pings one of the subnet's hosts itself: of that
        // host's replies, only one per request it was asked is taken for an answer
        let mut e = Echoes::new(PACE);
        let mut cleared = 0;
        for i in 0..40 {
            let t = f64::from(i) * 0.5;
            push(&mut e, &ping(t, A, B, 8));
            for k in 0..100 {
                cleared += usize::from(push(&mut e, &ping(t + 1e-3 * f64::from(k + 1), B, A, 0)));
            }
        }
        assert_eq!(cleared, 39);
        // smurf: requests in the victim's name to the broadcast address, answered by others
        let mut e = Echoes::new(PACE);
        for i in 0..20 {
            let t = f64::from(i);
            assert!(!push(&mut e, &ping(t, B, "198.18.0.255", 8)));
            assert!(!push(&mut e, &ping(t + 1e-3, "198.18.0.31", B, 0)));
        }
    }

    #[test]
    fn an_exchange_that_stops_being_answered_or_goes_quiet_starts_again() {
        let mut e = Echoes::new(PACE);
        let got = exchange(&mut e, 1.0, 5, 1.0, 1e-3, true);
        assert!(got[2..].iter().all(|&c| c));
        // the responder stops answering: the request after the first unanswered one is not
        // cleared (the first was: its previous request had been answered)
        assert!(push(&mut e, &ping(6.0, A, B, 8)));
        assert!(!push(&mut e, &ping(7.0, A, B, 8)));
        // answered again: cleared again from the next request on
        assert!(!push(&mut e, &ping(7.001, B, A, 0)));
        assert!(push(&mut e, &ping(8.0, A, B, 8)));
        // quiet for longer than IDLE: the first exchange again
        assert!(!push(&mut e, &ping(8.0 + IDLE + 1.0, A, B, 8)));
    }

    #[test]
    fn only_echo_requests_and_replies_are_counted() {
        let mut e = Echoes::new(PACE);
        exchange(&mut e, 1.0, 3, 1.0, 1e-3, true);
        // later fragments (their type reads 0), other ICMP, other protocols: never
        let mut later = ping(3.5, B, A, 0);
        later.fragment = true;
        later.later_fragment = true;
        assert!(!may_be_echo(&later));
        assert!(!push(&mut e, &later));
        assert!(!push(&mut e, &ping(3.6, B, A, 3)));
        assert!(!push(&mut e, &udp(3.7, B, A, 7, 7, 100)));
        assert!(!may_be_echo(&ping(3.8, A, B, 13)));
        assert!(!push(&mut e, &ping(3.8, A, B, 13)));
        assert!(may_be_echo(&ping(3.8, A, B, 8)) && may_be_echo(&ping(3.8, B, A, 0)));
        // an ICMP echo type in an ICMPv6 packet (8 is no ICMPv6 echo) is none either
        let v6 = PacketRepr {
            proto: 58,
            ..ping(3.9, "2001:2::1", "2001:2::2", 8)
        };
        assert!(!push(&mut e, &v6));
    }

    #[test]
    fn a_pace_of_zero_turns_the_rule_off() {
        let mut e = Echoes::new(0.0);
        assert!(exchange(&mut e, 1.0, 10, 1.0, 1e-3, true)
            .iter()
            .all(|&c| !c));
        // a lower pace clears less: 2 a second (counting 2.9) is past a pace of 2
        let mut e = Echoes::new(2.0);
        let got = exchange(&mut e, 1.0, 20, 0.5, 1e-3, true);
        assert!(got[2..4].iter().all(|&c| c), "{got:?}");
        assert!(got[8..].iter().all(|&c| !c), "{got:?}");
    }

    /// `hosts` requesters (198.18.1.x) each pinging `B` every `gap` seconds, `rounds` times
    /// from `t`, spread evenly over each round, every request answered after 1 ms: per round,
    /// whether each request and its reply were cleared, in order.
    fn crowd(e: &mut Echoes, t: f64, hosts: u32, gap: f64, rounds: u32) -> Vec<Vec<bool>> {
        let mut out = Vec::new();
        for r in 0..rounds {
            let mut round = Vec::new();
            for i in 0..hosts {
                let a = format!("198.18.1.{i}");
                let at = t + f64::from(r) * gap + f64::from(i) * gap / f64::from(hosts);
                round.push(push(e, &ping(at, &a, B, 8)));
                round.push(push(e, &ping(at + 1e-3, B, &a, 0)));
            }
            out.push(round);
        }
        out
    }

    #[test]
    fn a_botnets_pings_each_at_a_pings_pace_are_left_to_the_networks() {
        // 40 bots each pinging the victim twice a second (hping3 --icmp -i u500000,
        // lab/botnet.sh): 80 a second held counts 115, past CROWD once it builds up
        let mut e = Echoes::new(PACE);
        let got = crowd(&mut e, 1.0, 40, 0.5, 24);
        // the first round is every pair's first request (no answer yet), the next cleared
        assert!(got[0].iter().all(|&c| !c), "{:?}", got[0]);
        assert!(got[1].iter().all(|&c| c), "{:?}", got[1]);
        // from the fifth second on nothing is cleared, requests nor replies
        assert!(got[10..].iter().flatten().all(|&c| !c), "{got:?}");
        let crowded = e.crowded();
        assert!(crowded >= 14 * 80, "{crowded}");
        // 40 bots at ten a second (each at `ping -i 0.1`'s pace): crowded in its first second
        let mut e = Echoes::new(PACE);
        let got = crowd(&mut e, 1.0, 40, 0.1, 50);
        assert!(got[10..].iter().flatten().all(|&c| !c), "{got:?}");
        // the crowd gone, a lone ping of the victim ten seconds later is cleared again
        let after = exchange(&mut e, 16.0, 5, 1.0, 1e-3, true);
        assert!(after[2..].iter().all(|&c| c), "{after:?}");
    }

    #[test]
    fn many_hosts_pinging_one_at_a_monitors_pace_are_cleared() {
        // 60 hosts at ping's default of one a second: 60 a second held counts 87
        let mut e = Echoes::new(PACE);
        let got = crowd(&mut e, 1.0, 60, 1.0, 30);
        assert!(got[1..].iter().flatten().all(|&c| c), "{got:?}");
        // 12 at `ping -i 0.2`, the fastest an ordinary user may ping: 60 a second too
        let mut e = Echoes::new(PACE);
        let got = crowd(&mut e, 1.0, 12, 0.2, 100);
        assert!(got[1..].iter().flatten().all(|&c| c), "{got:?}");
        assert_eq!(e.crowded(), 0);
    }

    #[test]
    fn the_table_stays_within_its_capacity() {
        let mut e = Echoes::new(PACE);
        let bytes = e.memory_bytes();
        for i in 0..(4 * CAPACITY) as u32 {
            let a = format!("198.18.{}.{}", i / 256 % 256, i % 256);
            push(&mut e, &ping(f64::from(i) * 1e-3, &a, B, 8));
        }
        assert_eq!(e.memory_bytes(), bytes);
        assert!(e.evictions() > 0);
    }
}
