#![no_main]
//! Arbitrary frames through the real decoder and the whole detector — the `window` features,
//! the built-in networks, every rule, the episodes and the alerts — as `ids detect` runs
//! them: no panic, one verdict for every record in order, and alerts that are consistent.
//!
//! The input is a list of chunks, each `[repeat][dt][vary][len][len bytes of frame]`: the
//! frame (Ethernet, or raw IP when the input's first byte is odd) is fed `repeat + 1` times,
//! `dt` × 100 µs apart (`dt` 255: the clock goes back 1 s), the copy `i` with byte `vary` of
//! the frame increased by `i` (a source port, an address byte, a flag...), so that a few
//! bytes make a scan or a flood that reaches the rules' thresholds. At most 20,000 records.
//! The first byte also picks the settings: the defaults, or tiny tables and batches (every
//! table evicts, every episode ends early) with one thread or two.

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use nightjar_ids::detect::{DetectSettings, Engine, Event, Models};
use nightjar_packet::{decode, LinkType, Record};

const MAX_RECORDS: usize = 20_000;

fn models() -> &'static Models {
    static M: OnceLock<Models> = OnceLock::new();
    M.get_or_init(|| Models::builtin().expect("the built-in models load"))
}

fn records(data: &[u8], link: LinkType) -> Vec<Record> {
    let mut out = Vec::new();
    let mut ts = 1_764_300_000.0f64;
    let mut rest = data;
    while let [repeat, dt, vary, len, tail @ ..] = rest {
        let len = usize::from(*len).min(tail.len());
        let (frame, next) = tail.split_at(len);
        rest = next;
        let mut f = frame.to_vec();
        for i in 0..=usize::from(*repeat) {
            if out.len() >= MAX_RECORDS {
                return out;
            }
            if let Some(b) = f.get_mut(usize::from(*vary)) {
                *b = frame[usize::from(*vary)].wrapping_add(i as u8);
            }
            ts += if *dt == 255 {
                -1.0
            } else {
                f64::from(*dt) * 1e-4
            };
            let index = out.len() as u64;
            out.push(decode(link, &f, index, ts, f.len() as u32));
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, data)) = data.split_first() else {
        return;
    };
    let link = LinkType(if first & 1 == 1 { 101 } else { 1 });
    let recs = records(data, link);
    let n = recs.len();
    let settings = if first & 2 == 2 {
        DetectSettings {
            max_sources: 4,
            batch: 3,
            ..DetectSettings::default()
        }
    } else {
        DetectSettings::default()
    };
    let mut engine = Engine::new(models().clone(), settings).expect("valid settings");
    let mut verdicts = 0u64;
    let mut sink = |e: Event<'_>| match e {
        Event::Packet(v) => {
            assert_eq!(v.index, verdicts, "verdicts out of order");
            assert!(v.score.is_finite() && (0.0..=1.0).contains(&v.score));
            verdicts += 1;
        }
        Event::Alert(a) => {
            assert!(a.packets >= 1, "{a:?}");
            assert!(a.first_seen <= a.last_seen, "{a:?}");
            assert!(a.class.is_attack(), "{a:?}");
            assert!(a.score.is_finite(), "{a:?}");
        }
    };
    let it = recs.into_iter().map(Ok);
    let err = if first & 4 == 4 {
        engine.run_pipelined(it, &mut sink)
    } else {
        engine.run(it, &mut sink)
    }
    .expect("the engine runs");
    assert!(err.is_none());
    let stats = engine.finish(&mut sink).expect("the engine finishes");
    assert_eq!(verdicts, n as u64);
    assert_eq!(stats.records, n as u64);
    assert_eq!(stats.records, stats.packets + stats.arp + stats.undecoded);
});
