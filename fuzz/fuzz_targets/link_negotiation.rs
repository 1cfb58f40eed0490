#![no_main]
//! The negotiation machines fed arbitrary messages, interleaved with an honest handshake and
//! time passing. No panic; both sides always reach a terminal state; the initiator never
//! establishes a stack it did not offer, and if both establish they agree.

use libfuzzer_sys::fuzz_target;
use nightjar_link::negotiate::{Initiator, NegotiateConfig, Responder};
use nightjar_link::{Secret, StackId};
use std::time::Duration;

const OFFERED: [StackId; 2] = [StackId([1; 8]), StackId([2; 8])];

fuzz_target!(|data: &[u8]| {
    let cfg = NegotiateConfig::default();
    let secret = Secret::from_bytes([7; 32]);
    let Ok((mut ini, out)) =
        Initiator::new(cfg.clone(), &secret, &OFFERED, 1000, [3; 16], Duration::ZERO)
    else {
        return;
    };
    let mut resp = Responder::new(&cfg, &secret, &[OFFERED[1]], 1 << 20, [4; 16], Duration::ZERO);
    let mut to_resp = out.transmit;
    let mut to_ini: Vec<Vec<u8>> = Vec::new();
    let mut now = Duration::ZERO;
    // Input: a sequence of [op][len][bytes...] records.
    let mut rest = data;
    while let [op, len, tail @ ..] = rest {
        let n = (*len as usize).min(tail.len());
        let (msg, more) = tail.split_at(n);
        rest = more;
        match op % 6 {
            0 => {
                if let Ok(o) = resp.handle(msg, now) {
                    to_ini.extend(o.transmit);
                }
            }
            1 => {
                if let Ok(o) = ini.handle(msg, now) {
                    to_resp.extend(o.transmit);
                }
            }
            2 if !to_resp.is_empty() => {
                let m = to_resp.remove(0);
                if let Ok(o) = resp.handle(&m, now) {
                    to_ini.extend(o.transmit);
                }
            }
            3 if !to_ini.is_empty() => {
                let m = to_ini.remove(0);
                if let Ok(o) = ini.handle(&m, now) {
                    to_resp.extend(o.transmit);
                }
            }
            4 => {
                now += Duration::from_millis(u64::from(*len) * 20);
                to_resp.extend(ini.handle_timeout(now).transmit);
                to_ini.extend(resp.handle_timeout(now).transmit);
            }
            _ => {
                // Flip a bit in a queued message (tampering).
                if let Some(m) = to_resp.first_mut().or(to_ini.first_mut()) {
                    if !m.is_empty() {
                        let i = n % m.len();
                        m[i] ^= 1 << (*len % 8);
                    }
                }
            }
        }
    }
    // Drain: time passes until both sides end (bounded).
    for _ in 0..64 {
        if ini.is_terminal() && resp.is_terminal() {
            break;
        }
        for m in std::mem::take(&mut to_resp) {
            if let Ok(o) = resp.handle(&m, now) {
                to_ini.extend(o.transmit);
            }
        }
        for m in std::mem::take(&mut to_ini) {
            if let Ok(o) = ini.handle(&m, now) {
                to_resp.extend(o.transmit);
            }
        }
        let next = [ini.poll_timeout(), resp.poll_timeout()].into_iter().flatten().min();
        if let Some(t) = next {
            now = now.max(t);
            to_resp.extend(ini.handle_timeout(now).transmit);
            to_ini.extend(resp.handle_timeout(now).transmit);
        }
    }
    assert!(ini.is_terminal() && resp.is_terminal(), "a side never ended");
    if let Some(e) = ini.established() {
        assert!(OFFERED.contains(&e.stack));
        assert_eq!(resp.established().map(|r| r.stack), Some(e.stack));
    }
});
