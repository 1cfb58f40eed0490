//! The sans-IO datagram transfer under random loss, duplication and reordering: the message
//! arrives intact exactly once, or the sender fails cleanly (never a hang).

use nightjar_link::transfer::{Receiver, Sender, SenderState, TransferConfig};
use nightjar_link::wire::datagram::{parse, DatagramRepr};
use proptest::prelude::*;
use std::time::Duration;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

fn run(len: usize, seed: u64, drop: u64, dup: u64, window: u32) -> (bool, usize, Vec<u8>, Vec<u8>) {
    let msg: Vec<u8> = (0..len).map(|i| (i * 31 + seed as usize) as u8).collect();
    let cfg = TransferConfig {
        mtu: 300,
        window,
        ..TransferConfig::default()
    };
    let mut tx = Sender::new(cfg, msg.clone()).unwrap();
    let mut rx = Receiver::new(len as u64);
    let mut rng = Rng(seed | 1);
    let mut now = Duration::ZERO;
    // (arrival time, to receiver?, bytes)
    let mut net: Vec<(Duration, bool, Vec<u8>)> = Vec::new();
    let mut got = Vec::new();
    let mut completions = 0;
    let mut steps = 0;
    let send = |net: &mut Vec<(Duration, bool, Vec<u8>)>,
                now: Duration,
                to_rx: bool,
                d: Vec<u8>,
                rng: &mut Rng| {
        if rng.next() % 100 < drop {
            return;
        }
        let copies = if rng.next() % 100 < dup { 2 } else { 1 };
        for _ in 0..copies {
            let delay = Duration::from_millis(1 + rng.next() % 40);
            net.push((now + delay, to_rx, d.clone()));
        }
    };
    while tx.state() != SenderState::Done && tx.state() != SenderState::Failed && steps < 200_000 {
        steps += 1;
        for d in tx.poll_transmit(now) {
            send(&mut net, now, true, d, &mut rng);
        }
        // Next event: earliest arrival or sender timer.
        let arrival = net.iter().map(|x| x.0).min();
        let timer = tx.poll_timeout();
        let next = match (arrival, timer) {
            (Some(a), Some(t)) => a.min(t),
            (Some(a), None) => a,
            (None, Some(t)) => t,
            (None, None) => break,
        };
        now = now.max(next);
        let mut i = 0;
        while i < net.len() {
            if net[i].0 <= now {
                let (_, to_rx, d) = net.swap_remove(i);
                match parse(&d).unwrap() {
                    DatagramRepr::Data { seq, count, bytes } if to_rx => {
                        let out = rx.handle_data(seq, count, bytes).unwrap();
                        if let Some(m) = out.complete {
                            completions += 1;
                            got = m;
                            rx.set_final_reply(b"\x01\0\0\0\0stored".to_vec());
                        }
                        for a in out.transmit {
                            send(&mut net, now, false, a, &mut rng);
                        }
                    }
                    DatagramRepr::Probe { .. } if to_rx => {
                        let a = rx.handle_probe();
                        send(&mut net, now, false, a, &mut rng);
                    }
                    DatagramRepr::Ack { cumulative, bitmap } => {
                        tx.handle_ack(cumulative, bitmap, now)
                    }
                    DatagramRepr::Control(_) => tx.finish(),
                    _ => {}
                }
            } else {
                i += 1;
            }
        }
    }
    assert!(completions <= 1, "delivered {completions} times");
    (tx.state() == SenderState::Done, completions, got, msg)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn transfer_delivers_intact_exactly_once_or_fails_cleanly(
        len in 1usize..20_000,
        seed in any::<u64>(),
        drop in 0u64..40,
        dup in 0u64..20,
        window in 1u32..=128,
    ) {
        let (done, completions, got, msg) = run(len, seed, drop, dup, window);
        if done {
            prop_assert_eq!(completions, 1);
            prop_assert_eq!(&got, &msg);
        }
        if completions == 1 {
            prop_assert_eq!(got.len(), len);
        }
        // At these loss rates, with 24 retries per fragment, failure is vanishingly rare.
        prop_assert!(done, "transfer failed: len {} drop {}%", len, drop);
    }
}

#[test]
fn fragments_beyond_the_announced_length_are_refused() {
    let mut rx = Receiver::new(1000);
    // 1000 bytes cannot be 100 fragments of at least 256 bytes.
    assert!(rx.handle_data(0, 100, &[0; 10]).is_err());
    let mut rx = Receiver::new(300);
    rx.handle_data(0, 2, &[0; 200]).unwrap();
    assert!(rx.handle_data(1, 2, &[0; 200]).is_err(), "600 > 300 bytes");
    let mut rx = Receiver::new(300);
    rx.handle_data(0, 2, &[0; 100]).unwrap();
    assert!(rx.handle_data(1, 3, &[0; 100]).is_err(), "count changed");
}

#[test]
fn duplicate_fragments_are_acknowledged_not_stored_twice() {
    let mut rx = Receiver::new(600);
    let a = rx.handle_data(0, 2, &[1; 300]).unwrap();
    assert!(!a.duplicate && a.complete.is_none());
    let b = rx.handle_data(0, 2, &[9; 300]).unwrap();
    assert!(b.duplicate && b.complete.is_none());
    let c = rx.handle_data(1, 2, &[2; 300]).unwrap();
    let m = c.complete.unwrap();
    assert_eq!(m.len(), 600);
    assert_eq!(&m[..300], &[1; 300], "the duplicate did not overwrite");
    assert!(rx.handle_data(1, 2, &[2; 300]).unwrap().complete.is_none());
}
