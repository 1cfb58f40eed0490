//! Time the slow-scan rule alone: every decoded packet of a capture through
//! `SlowScan::push`, as `ids detect` runs it on its scoring side, and check that its
//! findings and counters are what they were.
//!
//! ```text
//! cargo run --release -p nightjar-ids --example slowscan_speed -- FILE [--runs N]
//!     [--ports P] [--hosts H] [--small] [--check]
//! ```
//!
//! * Timing: the capture is read and decoded once, into memory; then each run takes a fresh
//!   rule (default settings, or the thresholds `--ports` and `--hosts`) through every packet
//!   and `finish`, `--runs` times (default 5); prints the median and the fastest in ns per
//!   packet, by the wall clock and by the thread's CPU time where known. `--small`: tables of
//!   16 sources and 64 targets, so that they evict all the time.
//! * `--check`: prints every finding and the counters of one more pass, and a hash of them,
//!   to compare builds (equal hashes: the same findings in the same order, the same counters).

use std::hash::{Hash, Hasher};
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use nightjar_ids::slowscan::{Finding, SlowScan, SlowScanConfig};
use nightjar_packet::{read_all, Record};

/// Nanoseconds this thread has run on a CPU (Linux: `/proc/thread-self/schedstat`; elsewhere
/// `None`).
fn cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

/// One pass over `records` with a fresh rule; its findings, counters, wall and CPU seconds.
fn pass(records: &[Record], cfg: SlowScanConfig) -> (Vec<Finding>, String, f64, Option<f64>) {
    let mut rule = match SlowScan::new(cfg) {
        Ok(r) => r,
        Err(e) => panic!("settings: {e}"),
    };
    let mut found = Vec::new();
    let cpu = cpu_ns();
    let t = Instant::now();
    for p in records.iter().filter_map(Record::packet) {
        rule.push(p, &mut |f| found.push(f));
    }
    rule.finish(&mut |f| found.push(f));
    let wall = t.elapsed().as_secs_f64();
    let cpu = cpu.zip(cpu_ns()).map(|(a, b)| (b - a) as f64 * 1e-9);
    (found, format!("{:?}", rule.stats()), wall, cpu)
}

fn main() -> ExitCode {
    let mut path = None;
    let (mut runs, mut check) = (5usize, false);
    let mut cfg = SlowScanConfig::default();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--check" => check = true,
            "--small" => {
                // tiny tables: evictions and timer drops all the time
                cfg.max_sources = 16;
                cfg.max_targets = 64;
            }
            "--runs" => runs = args.next().and_then(|n| n.parse().ok()).unwrap_or(5),
            "--ports" => {
                cfg.port_threshold = args.next().and_then(|n| n.parse().ok()).unwrap_or(0);
            }
            "--hosts" => {
                cfg.host_threshold = args.next().and_then(|n| n.parse().ok()).unwrap_or(0);
            }
            _ => path = Some(a),
        }
    }
    let Some(path) = path else {
        eprintln!(
            "usage: slowscan_speed FILE [--runs N] [--ports P] [--hosts H] [--small] [--check]"
        );
        return ExitCode::from(2);
    };
    if let Err(e) = cfg.validate() {
        eprintln!("{e}");
        return ExitCode::from(2);
    }
    let capture = match read_all(Path::new(&path)) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let records = capture.records;
    let n = records.iter().filter_map(Record::packet).count().max(1) as f64;
    if check {
        let (found, stats, _, _) = pass(&records, cfg);
        let mut h = std::collections::hash_map::DefaultHasher::new();
        for f in &found {
            let line = format!("{f:?}");
            line.hash(&mut h);
            println!("{line}");
        }
        stats.hash(&mut h);
        println!("{stats}");
        println!("check: {} findings, hash {:016x}", found.len(), h.finish());
    }
    if runs == 0 {
        return ExitCode::SUCCESS;
    }
    let (mut wall, mut cpu) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        let (_, _, w, c) = pass(&records, cfg);
        wall.push(w * 1e9 / n);
        cpu.extend(c.map(|c| c * 1e9 / n));
    }
    let med = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        (v[v.len() / 2], v[0])
    };
    let (wm, wf) = med(&mut wall);
    print!("{n} packets, {runs} runs: wall median {wm:.1} ns/packet, fastest {wf:.1}");
    if !cpu.is_empty() {
        let (cm, cf) = med(&mut cpu);
        print!("; cpu median {cm:.1}, fastest {cf:.1}");
    }
    println!();
    ExitCode::SUCCESS
}
