//! The negotiation state machines under loss, duplication and reordering (property tests), and
//! the attacks they must detect (wrong key, downgrade by stripping offered ids).

use nightjar_link::negotiate::{Event, Failure, Initiator, NegotiateConfig, Responder};
use nightjar_link::{RejectReason, Secret, StackId};
use proptest::prelude::*;
use std::time::Duration;

const OFFERED: [StackId; 3] = [StackId([1; 8]), StackId([2; 8]), StackId([3; 8])];

#[derive(Debug, Clone)]
enum Op {
    /// Deliver the message at this index (mod queue length) of the queue in this direction.
    Deliver(bool, usize),
    Duplicate(bool, usize),
    Drop(bool, usize),
    Advance(u64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (any::<bool>(), any::<usize>()).prop_map(|(d, i)| Op::Deliver(d, i)),
        1 => (any::<bool>(), any::<usize>()).prop_map(|(d, i)| Op::Duplicate(d, i)),
        2 => (any::<bool>(), any::<usize>()).prop_map(|(d, i)| Op::Drop(d, i)),
        2 => (1u64..3000).prop_map(Op::Advance),
    ]
}

struct World {
    ini: Initiator,
    resp: Responder,
    to_resp: Vec<Vec<u8>>,
    to_ini: Vec<Vec<u8>>,
    now: Duration,
    failed_events: u32,
}

impl World {
    fn new(supported: &[StackId], cfg: &NegotiateConfig, resp_key: [u8; 32]) -> World {
        let (ini, out) = Initiator::new(
            cfg.clone(),
            &Secret::from_bytes([7; 32]),
            &OFFERED,
            1000,
            [0xc1; 16],
            Duration::ZERO,
        )
        .unwrap();
        let resp = Responder::new(
            cfg,
            &Secret::from_bytes(resp_key),
            supported,
            1 << 20,
            [0x5e; 16],
            Duration::ZERO,
        );
        World {
            ini,
            resp,
            to_resp: out.transmit,
            to_ini: Vec::new(),
            now: Duration::ZERO,
            failed_events: 0,
        }
    }

    fn count_failures(&mut self, events: &[Event]) {
        self.failed_events += events
            .iter()
            .filter(|e| matches!(e, Event::Failed(_)))
            .count() as u32;
    }

    fn deliver(&mut self, to_resp: bool, msg: Vec<u8>) {
        if to_resp {
            let out = self.resp.handle(&msg, self.now).expect("well-formed");
            self.count_failures(&out.events);
            self.to_ini.extend(out.transmit);
        } else {
            let out = self.ini.handle(&msg, self.now).expect("well-formed");
            self.count_failures(&out.events);
            self.to_resp.extend(out.transmit);
        }
    }

    fn advance_to(&mut self, t: Duration) {
        self.now = self.now.max(t);
        let out = self.ini.handle_timeout(self.now);
        self.count_failures(&out.events);
        self.to_resp.extend(out.transmit);
        let out = self.resp.handle_timeout(self.now);
        self.count_failures(&out.events);
        self.to_ini.extend(out.transmit);
    }

    fn apply(&mut self, op: &Op) {
        match *op {
            Op::Deliver(d, i) | Op::Duplicate(d, i) | Op::Drop(d, i) => {
                let q = if d {
                    &mut self.to_resp
                } else {
                    &mut self.to_ini
                };
                if q.is_empty() {
                    return;
                }
                let i = i % q.len();
                match op {
                    Op::Deliver(..) => {
                        let m = q.remove(i);
                        self.deliver(d, m);
                    }
                    Op::Duplicate(..) => {
                        let m = q[i].clone();
                        q.push(m);
                    }
                    _ => {
                        q.remove(i);
                    }
                }
            }
            Op::Advance(ms) => self.advance_to(self.now + Duration::from_millis(ms)),
        }
    }

    /// Runs to the end: the network either delivers everything in order or drops everything.
    /// Returns the number of steps taken.
    fn finish(&mut self, perfect: bool) -> u32 {
        let mut steps = 0;
        while !(self.ini.is_terminal() && self.resp.is_terminal()) && steps < 10_000 {
            steps += 1;
            if perfect && !self.to_resp.is_empty() {
                let m = self.to_resp.remove(0);
                self.deliver(true, m);
            } else if perfect && !self.to_ini.is_empty() {
                let m = self.to_ini.remove(0);
                self.deliver(false, m);
            } else {
                self.to_resp.clear();
                self.to_ini.clear();
                let next = [self.ini.poll_timeout(), self.resp.poll_timeout()]
                    .into_iter()
                    .flatten()
                    .min();
                match next {
                    Some(t) => self.advance_to(t),
                    None => break,
                }
            }
        }
        steps
    }
}

fn config(long_deadline: bool) -> NegotiateConfig {
    NegotiateConfig {
        resend_initial: Duration::from_millis(200),
        resend_max: Duration::from_secs(2),
        max_resends: 6,
        responder_deadline: if long_deadline {
            Duration::from_secs(100_000)
        } else {
            Duration::from_secs(5)
        },
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    /// Any interleaving of loss, duplication and reordering ends with both sides terminal
    /// (never a hang), never with two different stacks, and the initiator is established only
    /// if the responder is established on the same stack with the same keys.
    #[test]
    fn negotiation_agrees_or_fails_cleanly_under_any_interleaving(
        ops in proptest::collection::vec(op(), 0..80),
        perfect in any::<bool>(),
        long_deadline in any::<bool>(),
        supported_mask in 0u8..8,
    ) {
        let supported: Vec<StackId> = (0..3)
            .filter(|i| supported_mask & (1 << i) != 0)
            .map(|i| OFFERED[i])
            .rev()
            .collect();
        let cfg = config(long_deadline);
        let mut w = World::new(&supported, &cfg, [7; 32]);
        for o in &ops {
            w.apply(o);
        }
        let failed_during_script = w.failed_events > 0
            || w.ini.failure().is_some()
            || w.resp.failure().is_some();
        w.finish(perfect);
        // Never a hang: both sides end, within bounded virtual time.
        prop_assert!(w.ini.is_terminal(), "initiator stuck: {:?}", w.ini.state());
        prop_assert!(w.resp.is_terminal(), "responder stuck: {:?}", w.resp.state());
        // Bounded: the script's own time, the initiator's retry budget (< 10 s here), and the
        // responder's deadline (its idle timeout when no OFFER ever arrives).
        let bound = cfg.responder_deadline + Duration::from_secs(3 * ops.len() as u64 + 10);
        prop_assert!(w.now <= bound, "took {:?}", w.now);
        // Agreement.
        if let Some(i) = w.ini.established() {
            let r = w.resp.established();
            prop_assert!(r.is_some(), "initiator established but responder {:?}", w.resp.state());
            let r = r.unwrap();
            prop_assert_eq!(i.stack, r.stack);
            prop_assert_eq!(i.keys.payload_tag(b"x"), r.keys.payload_tag(b"x"));
            // The responder picks the initiator's most preferred stack it supports.
            let want = OFFERED.iter().find(|id| supported.contains(id)).copied();
            prop_assert_eq!(Some(i.stack), want);
        }
        if let (Some(i), Some(r)) = (w.ini.established(), w.resp.established()) {
            prop_assert_eq!(i.stack, r.stack);
        }
        if supported.is_empty() {
            prop_assert!(w.ini.established().is_none() && w.resp.established().is_none());
        }
        // The one allowed disagreement: the responder established, the initiator timed out
        // (every CONFIRM lost). Never a failure other than a timeout in that case.
        if w.resp.established().is_some() && w.ini.established().is_none() {
            prop_assert_eq!(w.ini.failure(), Some(Failure::Timeout));
        }
        // Liveness: when nothing was lost (only duplicated, reordered and delayed) and the
        // network works from some point on, a session that had not failed yet completes.
        let lossless = !ops.iter().any(|o| matches!(o, Op::Drop(..)));
        if perfect && lossless && long_deadline && !failed_during_script && !supported.is_empty() {
            prop_assert!(w.ini.established().is_some(), "initiator {:?}", w.ini.state());
            prop_assert!(w.resp.established().is_some());
        }
    }

    /// Arbitrary bytes fed to either machine never panic, and bytes that are not a well-formed
    /// message leave it where it was.
    #[test]
    fn arbitrary_bytes_never_panic(inputs in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..200), 0..20)) {
        let cfg = config(false);
        let mut w = World::new(&OFFERED, &cfg, [7; 32]);
        for b in &inputs {
            let _ = w.resp.handle(b, w.now);
            let _ = w.ini.handle(b, w.now);
        }
        w.finish(true);
        prop_assert!(w.ini.is_terminal() && w.resp.is_terminal());
    }
}

#[test]
fn clean_run_establishes_the_first_supported_stack() {
    let cfg = config(false);
    let mut w = World::new(&[OFFERED[2], OFFERED[1]], &cfg, [7; 32]);
    w.finish(true);
    assert_eq!(w.ini.established().unwrap().stack, OFFERED[1]);
    assert_eq!(w.resp.established().unwrap().stack, OFFERED[1]);
}

#[test]
fn wrong_key_is_refused_on_both_sides() {
    let cfg = config(false);
    let mut w = World::new(&OFFERED, &cfg, [8; 32]);
    w.finish(true);
    assert_eq!(w.ini.failure(), Some(Failure::AuthFailed));
    assert_eq!(
        w.resp.failure(),
        Some(Failure::Rejected(RejectReason::AuthFailed))
    );
    assert!(w.resp.established().is_none());
}

#[test]
fn stripping_the_preferred_stack_from_the_offer_is_detected() {
    let cfg = config(false);
    let mut w = World::new(&OFFERED, &cfg, [7; 32]);
    // An attacker rewrites OFFER to drop the first id (n = 3 -> 2) so the responder picks a
    // weaker stack.
    let mut offer = w.to_resp.remove(0);
    assert_eq!(offer[26], 3);
    offer[26] = 2;
    offer.drain(27..35);
    w.deliver(true, offer);
    let accept = w.to_ini.remove(0);
    assert_eq!(
        &accept[33..41],
        &OFFERED[1].0,
        "the responder chose the weaker stack"
    );
    w.deliver(false, accept);
    assert_eq!(w.ini.failure(), Some(Failure::AuthFailed));
    assert!(w.ini.established().is_none());
}

#[test]
fn duplicate_offer_gets_the_identical_accept() {
    let cfg = config(false);
    let mut w = World::new(&OFFERED, &cfg, [7; 32]);
    let offer = w.to_resp[0].clone();
    w.deliver(true, offer.clone());
    w.deliver(true, offer);
    assert_eq!(w.to_ini.len(), 2);
    assert_eq!(w.to_ini[0], w.to_ini[1]);
}

#[test]
fn silent_peer_times_out_after_the_retry_cap() {
    let cfg = config(false);
    let mut w = World::new(&OFFERED, &cfg, [7; 32]);
    let mut resends = 0;
    while !w.ini.is_terminal() {
        let t = w.ini.poll_timeout().unwrap();
        w.now = t;
        let out = w.ini.handle_timeout(t);
        resends += out.transmit.len();
    }
    assert_eq!(resends, cfg.max_resends as usize);
    assert_eq!(w.ini.failure(), Some(Failure::Timeout));
    // Backoff: 200, 400, 800, 1600, 2000 (cap), 2000, then the final wait of 2000.
    assert_eq!(
        w.now,
        Duration::from_millis(200 + 400 + 800 + 1600 + 2000 + 2000 + 2000)
    );
}

#[test]
fn no_common_stack_is_rejected_and_the_rejection_repeats_for_duplicates() {
    let cfg = config(false);
    let mut w = World::new(&[StackId([9; 8])], &cfg, [7; 32]);
    let offer = w.to_resp[0].clone();
    w.deliver(true, offer.clone());
    w.deliver(true, offer);
    assert_eq!(w.to_ini.len(), 2);
    assert_eq!(w.to_ini[0], w.to_ini[1]);
    w.finish(true);
    assert_eq!(
        w.ini.failure(),
        Some(Failure::Rejected(RejectReason::NoCommonStack))
    );
}
