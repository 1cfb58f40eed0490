//! Time the `window` feature stage alone: every packet of a capture through
//! `Extractor::push_if`, as `ids detect` runs it on its feature thread, and check that the
//! features are what they were.
//!
//! ```text
//! cargo run --release -p nightjar-ids --example feature_speed -- FILE [--runs N] [--reuse] [--check]
//!     [--ahead D] [--entries E] [--write]
//! ```
//!
//! * Timing: the capture is read and decoded once, into memory; then each run takes a fresh
//!   extractor through every record, in batches of 1024 as `ids detect` cuts them, `--runs`
//!   times (default 5); prints the median and the fastest in ns per packet. By default every
//!   packet's snapshot is taken (`want` always says yes); `--reuse` asks as `ids detect`'s
//!   verdict reuse does (a direct-mapped table of 2^14 context keys, a verdict reused for up
//!   to 0.05 s and 64 packets), so that only the packets it would score are snapshotted.
//!   Packets are prepared (`Extractor::prepare`: table keys computed, table sets prefetched)
//!   `--ahead` packets ahead of their turn (default 8) and their entries prefetched
//!   (`Extractor::prefetch_entries`) `--entries` packets ahead (default 4), as `ids detect`
//!   does; `--ahead 0` takes each packet with plain `push_if`.
//! * `--write`: also make the features of every snapshot taken (`Snapshot::write`, which
//!   `ids detect` runs on its scoring threads), batch by batch, into a batch of rows; that part
//!   is also timed alone (wall clock, ns per snapshot).
//! * `--check`: one more pass that writes every packet's features and prints a hash of their
//!   bits and of the context keys, to compare builds (equal hashes: the same features).

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use nightjar_ids::features::{Extractor, FeatureKind, Snapshot, WindowConfig};
use nightjar_packet::{read_all, Record};

/// Records per batch (`DetectSettings::batch`'s default).
const BATCH: usize = 1024;

/// `ids detect`'s verdict reuse decisions (its `ReuseTable` with the default settings).
struct Reuse {
    keys: Vec<u64>,
    stamps: Vec<f64>,
    uses: Vec<u32>,
    clock: f64,
}

impl Reuse {
    fn new() -> Reuse {
        Reuse {
            keys: vec![0; 1 << 14],
            stamps: vec![f64::NEG_INFINITY; 1 << 14],
            uses: vec![0; 1 << 14],
            clock: f64::NEG_INFINITY,
        }
    }

    /// Whether the packet with context key `key` at time `ts` is scored.
    fn miss(&mut self, key: u64, ts: f64) -> bool {
        if ts.is_finite() && ts > self.clock {
            self.clock = ts;
        }
        let slot = (key as usize) & (self.keys.len() - 1);
        if self.keys[slot] == key && self.clock - self.stamps[slot] <= 0.05 && self.uses[slot] < 64
        {
            self.uses[slot] += 1;
            return false;
        }
        self.keys[slot] = key;
        self.stamps[slot] = self.clock;
        self.uses[slot] = 0;
        true
    }
}

/// How far ahead packets are prepared and their entries prefetched (0: not at all, plain
/// `push_if`).
#[derive(Clone, Copy)]
struct Ahead {
    sets: usize,
    entries: usize,
}

/// Nanoseconds this thread has run on a CPU (Linux: `/proc/thread-self/schedstat`; elsewhere
/// `None`): unlike the wall clock, not counting the time other processes held the CPU.
fn cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

/// One timed pass over `records`. Returns (wall seconds, CPU seconds if known, packets,
/// packets snapshotted, wall seconds of the writes).
fn pass(
    records: &[Record],
    reuse: bool,
    ahead: Ahead,
    write: bool,
) -> (f64, Option<f64>, u64, u64, f64) {
    let mut write_secs = 0.0;
    let mut ex = Extractor::new(FeatureKind::Window, WindowConfig::default());
    let width = ex.len();
    let mut rows = vec![0f32; if write { BATCH * width } else { 0 }];
    let mut table = Reuse::new();
    let mut snaps = vec![Snapshot::default(); BATCH];
    let (mut packets, mut taken) = (0u64, 0u64);
    let cpu = cpu_ns();
    let t = Instant::now();
    for batch in records.chunks(BATCH) {
        let mut used = 0;
        if ahead.sets == 0 {
            for p in batch.iter().filter_map(Record::packet) {
                let scored = ex.push_if(p, |key| !reuse || table.miss(key, p.ts), &mut snaps[used]);
                used += usize::from(scored);
                packets += 1;
            }
        } else {
            // as `ids detect`'s `extract_rows`
            let mut ps = batch.iter().filter_map(Record::packet);
            let mut queue = std::collections::VecDeque::with_capacity(ahead.sets);
            queue.extend(ps.by_ref().take(ahead.sets).map(|p| ex.prepare(p)));
            while let Some(next) = queue.pop_front() {
                if let Some(p) = ps.next() {
                    queue.push_back(ex.prepare(p));
                }
                if ahead.entries > 0 {
                    if let Some(k) = queue.get(ahead.entries - 1) {
                        ex.prefetch_entries(k);
                    }
                }
                let ts = next.packet().ts;
                let scored =
                    ex.push_prepared(&next, |key| !reuse || table.miss(key, ts), &mut snaps[used]);
                used += usize::from(scored);
                packets += 1;
            }
        }
        taken += used as u64;
        if write {
            let t = Instant::now();
            for (s, row) in snaps[..used].iter().zip(rows.chunks_exact_mut(width)) {
                s.write(row);
            }
            std::hint::black_box(&rows);
            write_secs += t.elapsed().as_secs_f64();
        }
        std::hint::black_box(&snaps);
    }
    let wall = t.elapsed().as_secs_f64();
    let cpu = cpu
        .zip(cpu_ns())
        .map(|(a, b)| b.saturating_sub(a) as f64 * 1e-9);
    (wall, cpu, packets, taken, write_secs)
}

/// FNV-1a over the bits of every packet's features and its context key.
fn check(records: &[Record]) -> (u64, u64) {
    let mut ex = Extractor::new(FeatureKind::Window, WindowConfig::default());
    let mut snap = Snapshot::default();
    let mut row = vec![0f32; ex.len()];
    let (mut h, mut packets) = (0xcbf2_9ce4_8422_2325u64, 0u64);
    let mut fold = |x: u64| {
        for b in x.to_le_bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
    };
    for r in records {
        if let Record::Packet(p) = r {
            let mut key = 0;
            ex.push_if(
                p,
                |k| {
                    key = k;
                    true
                },
                &mut snap,
            );
            snap.write(&mut row);
            fold(key);
            for v in &row {
                fold(u64::from(v.to_bits()));
            }
            packets += 1;
        }
    }
    if let Extractor::Window(w) = &ex {
        let (hosts, pairs, seen) = w.occupancy();
        println!(
            "state: {hosts} hosts, {pairs} pairs, {seen} seen entries in use, {} evictions, {:.1} MiB",
            w.evictions(),
            w.memory_bytes() as f64 / (1 << 20) as f64
        );
    }
    (h, packets)
}

fn main() -> ExitCode {
    let mut path = None;
    let (mut runs, mut reuse, mut do_check, mut write) = (5usize, false, false, false);
    let mut ahead = Ahead {
        sets: 8,
        entries: 4,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--reuse" => reuse = true,
            "--check" => do_check = true,
            "--write" => write = true,
            "--runs" => runs = args.next().and_then(|n| n.parse().ok()).unwrap_or(5).max(1),
            "--ahead" => ahead.sets = args.next().and_then(|n| n.parse().ok()).unwrap_or(0),
            "--entries" => ahead.entries = args.next().and_then(|n| n.parse().ok()).unwrap_or(0),
            _ => path = Some(a),
        }
    }
    let Some(path) = path else {
        eprintln!(
            "usage: feature_speed FILE [--runs N] [--reuse] [--check] [--ahead D] [--entries E] [--write]"
        );
        return ExitCode::from(2);
    };
    let capture = match read_all(Path::new(&path)) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let records = capture.records;
    if do_check {
        let (h, n) = check(&records);
        println!("check: {n} packets, feature hash {h:016x}");
    }
    let mut secs = Vec::with_capacity(runs);
    let mut cpu_secs = Vec::with_capacity(runs);
    let mut write_secs = Vec::with_capacity(runs);
    let (mut n, mut taken) = (0, 0);
    for _ in 0..runs {
        let (s, cpu, packets, t, w) = pass(&records, reuse, ahead, write);
        secs.push(s);
        write_secs.push(w);
        cpu_secs.extend(cpu);
        (n, taken) = (packets, t);
    }
    let per = |s: f64| s * 1e9 / n.max(1) as f64;
    let summary = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        match (v.get(v.len() / 2), v.first()) {
            (Some(&m), Some(&f)) => format!("median {:.1}, fastest {:.1}", per(m), per(f)),
            _ => "unknown".to_string(),
        }
    };
    println!(
        "push_if{}{} ahead {}/{}: {n} packets ({taken} snapshotted), {runs} runs, ns/packet: wall {}; on CPU {}",
        if reuse { " (reuse)" } else { "" },
        if write { " + write" } else { "" },
        ahead.sets,
        ahead.entries.min(ahead.sets),
        summary(&mut secs),
        summary(&mut cpu_secs),
    );
    if write {
        write_secs.sort_by(f64::total_cmp);
        let per_snap = |s: f64| s * 1e9 / taken.max(1) as f64;
        println!(
            "write: ns/snapshot median {:.1}, fastest {:.1}",
            per_snap(write_secs[write_secs.len() / 2]),
            per_snap(write_secs[0])
        );
    }
    ExitCode::SUCCESS
}
