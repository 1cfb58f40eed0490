//! Throughput of training and inference on 100 000 synthetic rows: a 7→16→1 network (the
//! paper's shape) and a 40→32→16→15 one (window features, per-attack-type output).
//!
//! `cargo run --release -p nightjar-nn --example bench [name filter]`
//!
//! Single-threaded, timed in the thread's CPU time, best of three (the machine may be shared);
//! `NJ_THREADS=2` trains with two threads and reports wall time. `examples/sklearn_mlp.py` runs
//! scikit-learn's `MLPClassifier` on data of the same distribution for comparison.
use std::time::Instant;

use nightjar_nn::rng::Rng;
use nightjar_nn::{Activation, Loss, Matrix, Mlp, MlpParams, Optimizer, Output, Scratch};

/// Nanoseconds this thread has spent on a CPU (Linux `schedstat`); wall time elsewhere.
/// On a shared machine this is the honest cost of the code, unaffected by other processes.
fn cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|v| v.parse().ok()))
        .unwrap_or_else(|| EPOCH.with(|e| e.elapsed().as_nanos() as u64))
}

thread_local! { static EPOCH: Instant = Instant::now(); }

fn data(rows: usize, n_in: usize, n_out: usize, seed: u64) -> (Matrix, Matrix) {
    let mut r = Rng::new(seed);
    let x: Vec<f32> = (0..rows * n_in).map(|_| r.next_f32()).collect();
    let mut y = vec![0.0; rows * n_out];
    for i in 0..rows {
        let s: f32 = x[i * n_in..(i + 1) * n_in]
            .iter()
            .enumerate()
            .map(|(j, v)| if j % 2 == 0 { *v } else { -*v })
            .sum();
        let c = if n_out == 1 {
            0
        } else {
            ((s.abs() * 7.0) as usize) % n_out
        };
        y[i * n_out + c] = if n_out == 1 {
            (s > 0.0) as u8 as f32
        } else {
            1.0
        };
    }
    (
        Matrix::new(rows, n_in, x).unwrap(),
        Matrix::new(rows, n_out, y).unwrap(),
    )
}

fn run(
    name: &str,
    sizes: &[usize],
    act: Activation,
    batch: usize,
    opt: Optimizer,
    epochs: usize,
    threads: usize,
) {
    if let Some(f) = std::env::args().nth(1) {
        if !name.contains(&f) {
            return;
        }
    }
    let (n_in, n_out) = (sizes[0], sizes[sizes.len() - 1]);
    let rows = 100_000;
    let (x, y) = data(rows, n_in, n_out, 1);
    let p = MlpParams {
        hidden: sizes[1..sizes.len() - 1].to_vec(),
        activation: act,
        output: if n_out == 1 {
            Output::Sigmoid
        } else {
            Output::Softmax
        },
        loss: if n_out == 1 {
            Loss::Mse
        } else {
            Loss::CrossEntropy
        },
        optimizer: opt,
        batch_size: batch,
        max_epochs: epochs,
        target_mse: None,
        ..MlpParams::paper()
    };
    // Best of three runs: the machine may be shared.
    let mut best = f64::INFINITY;
    let mut m = Mlp::new(&p.validate(n_in, n_out).unwrap());
    let mut h = None;
    for _ in 0..3 {
        m = Mlp::new(&p.validate(n_in, n_out).unwrap());
        m.set_threads(threads);
        let t = Instant::now();
        let c = cpu_ns();
        h = Some(m.train(&x, &y, None, &mut |_| {}).unwrap());
        let cpu = (cpu_ns() - c) as f64 * 1e-9;
        // With several threads, CPU time of the other threads is not counted: use wall time.
        best = best.min(if threads == 1 {
            cpu
        } else {
            t.elapsed().as_secs_f64()
        });
    }
    let (h, s) = (h.unwrap(), best);
    let thr = (rows * h.epochs_run) as f64 / s;
    let mut scratch = Scratch::new();
    let mut out = Matrix::default();
    m.predict_into(&x, &mut scratch, &mut out);
    let reps = 10;
    let mut inf = 0.0f64;
    for _ in 0..3 {
        let c = cpu_ns();
        for _ in 0..reps {
            m.predict_into(&x, &mut scratch, &mut out);
        }
        inf = inf.max((rows * reps) as f64 / ((cpu_ns() - c) as f64 * 1e-9));
    }
    println!(
        "{name:<34} batch {batch:>4} threads {threads}: train {:>6.2} M samples·epochs/s ({} epochs in {s:.2} s, final mse {:.4}); inference {:>6.2} M rows/s",
        thr / 1e6,
        h.epochs_run,
        h.train_mse.last().unwrap(),
        inf / 1e6
    );
}

fn main() {
    let threads: usize = std::env::var("NJ_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let sgd = Optimizer::Sgd {
        lr: 0.5,
        momentum: 0.9,
    };
    let adam = Optimizer::adam(1e-3);
    let (sig, relu) = (Activation::Sigmoid, Activation::Relu);
    run(
        "7-16-1 sigmoid sgd full batch",
        &[7, 16, 1],
        sig,
        0,
        sgd,
        100,
        threads,
    );
    run(
        "7-16-1 sigmoid adam",
        &[7, 16, 1],
        sig,
        200,
        adam,
        10,
        threads,
    );
    run(
        "7-16-1 relu adam",
        &[7, 16, 1],
        relu,
        200,
        adam,
        10,
        threads,
    );
    let big = [40, 32, 16, 15];
    run(
        "40-32-16-15 sigmoid sgd full batch",
        &big,
        sig,
        0,
        sgd,
        30,
        threads,
    );
    run("40-32-16-15 sigmoid adam", &big, sig, 200, adam, 5, threads);
    run("40-32-16-15 relu adam", &big, relu, 200, adam, 5, threads);
}
