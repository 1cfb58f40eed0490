//! Time one image through the whole pipeline — PNG decode, segmentation, normalisation,
//! encoding — on one thread, for BENCHMARKS.md:
//!
//! ```sh
//! cargo run -p nightjar-iris --release --example pipeline_speed -- [320x280|640x480] [N]
//! ```
//!
//! N synthetic eyes (identities 0..N, capture 0) are written to PNG in memory first; then every
//! PNG is decoded and turned into a template, five times over, and the median per image of the
//! five passes is printed, with the fastest and slowest pass, as wall-clock time and as the
//! thread's own CPU time (from `/proc/thread-self/schedstat`, Linux), which does not count the
//! time the thread waited for a core on a busy machine.

use nightjar_iris::pipeline::{decode, template};
use nightjar_iris::synth::{eye, to_png, Size};
use std::time::Instant;

/// CPU time of this thread in milliseconds (Linux), if readable.
fn cpu_ms() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e6)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let size = Size::parse(args.get(1).map_or("320x280", String::as_str))
        .ok_or("the size is WIDTHxHEIGHT, e.g. 320x280")?;
    let n: u64 = args.get(2).map_or(Ok(50), |s| s.parse())?;
    let pngs: Vec<Vec<u8>> = (0..n)
        .map(|i| to_png(&eye(i, 0, size)))
        .collect::<Result<_, _>>()?;
    let mut passes = Vec::new();
    let mut cpu = Vec::new();
    let mut failed = 0;
    for _ in 0..5 {
        let t = Instant::now();
        let c0 = cpu_ms();
        failed = 0;
        for png in &pngs {
            let img = decode(png)?;
            if template(&img).is_err() {
                failed += 1;
            }
        }
        passes.push(t.elapsed().as_secs_f64() * 1000.0 / n as f64);
        if let (Some(a), Some(b)) = (c0, cpu_ms()) {
            cpu.push((b - a) / n as f64);
        }
    }
    passes.sort_by(f64::total_cmp);
    cpu.sort_by(f64::total_cmp);
    let cpu = cpu
        .get(cpu.len() / 2)
        .map_or(String::new(), |c| format!(", CPU time median {c:.2} ms"));
    println!(
        "{size}: {n} images, {failed} without a template; decode + template per image: wall median {:.2} ms (passes {:.2}..{:.2} ms){cpu}, one thread",
        passes[2], passes[0], passes[4]
    );
    Ok(())
}
