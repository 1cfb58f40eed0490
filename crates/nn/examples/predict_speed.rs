//! Inference latency of small networks, in nanoseconds per row, at several batch sizes: the
//! shapes of `nightjar ids detect`'s built-in detector (180→32→16→1, tanh, sigmoid output) and
//! namer (180→32→16→14, tanh, softmax output).
//!
//! `cargo run --release -p nightjar-nn --example predict_speed [name filter]`
//!
//! Every batch size runs over the same 8192 rows, split into batches of that size, through
//! [`Mlp::try_predict_into`] with a reused [`Scratch`] and output matrix. Single-threaded, timed
//! in wall time, the best of 25 passes (the machine may be shared: the best pass is the one
//! least disturbed; `schedstat`'s CPU time is too coarse for passes of a few milliseconds).
use std::time::Instant;

use nightjar_nn::rng::Rng;
use nightjar_nn::{Activation, Matrix, Mlp, MlpParams, Output, Scratch};

const ROWS: usize = 8192;

fn run(name: &str, sizes: &[usize], act: Activation, output: Output) {
    if let Some(f) = std::env::args().nth(1) {
        if !name.contains(&f) {
            return;
        }
    }
    let (n_in, n_out) = (sizes[0], sizes[sizes.len() - 1]);
    let p = MlpParams {
        hidden: sizes[1..sizes.len() - 1].to_vec(),
        activation: act,
        output,
        init_range: 0.2,
        seed: 3,
        ..MlpParams::default()
    };
    let m = Mlp::new(&p.validate(n_in, n_out).expect("valid settings"));
    let mut r = Rng::new(9);
    let x: Vec<f32> = (0..ROWS * n_in).map(|_| r.uniform_sym(3.0)).collect();
    let mut line = format!("{name:<28}");
    for batch in [1usize, 32, 256] {
        let batches: Vec<Matrix> = x
            .chunks(batch * n_in)
            .map(|c| Matrix::new(c.len() / n_in, n_in, c.to_vec()).expect("consistent"))
            .collect();
        let mut scratch = Scratch::new();
        let mut out = Matrix::default();
        let mut sink = 0.0f32;
        let mut best = f64::INFINITY;
        for _ in 0..25 {
            let t = Instant::now();
            for b in &batches {
                m.try_predict_into(b, &mut scratch, &mut out)
                    .expect("shapes fit");
                sink += out.data[0];
            }
            best = best.min(t.elapsed().as_nanos() as f64 / ROWS as f64);
        }
        std::hint::black_box(sink);
        line += &format!("  batch {batch:>3}: {best:>7.1} ns/row");
    }
    println!("{line}");
}

fn main() {
    run(
        "180-32-16-1 tanh sigmoid",
        &[180, 32, 16, 1],
        Activation::Tanh,
        Output::Sigmoid,
    );
    run(
        "180-32-16-14 tanh softmax",
        &[180, 32, 16, 14],
        Activation::Tanh,
        Output::Softmax,
    );
    run(
        "180-64-14 sigmoid softmax",
        &[180, 64, 14],
        Activation::Sigmoid,
        Output::Softmax,
    );
}
