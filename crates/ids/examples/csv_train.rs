//! Train the Nightjar MLP on a feature CSV written by `nightjar ids train --export-csv` and time
//! how long training takes to reach a test accuracy: the Rust side of
//! `bench/ids_vs_sklearn.sh` (scikit-learn gets the same CSVs).
//!
//! ```text
//! cargo run --release -p nightjar-ids --example csv_train -- \
//!     --train train.csv --test test.csv --target-acc 0.99 \
//!     [--hidden 32,16] [--activation tanh|relu|sigmoid] [--lr 0.001] [--batch 128] [--epochs 30] [--seed 1]
//! ```
//!
//! Prints one JSON object: per-epoch cumulative training seconds and test accuracy, the first
//! epoch reaching the target and the training seconds to it. Training is deterministic for a
//! seed, so the model after epoch e of the long run is rebuilt exactly by training e epochs; the
//! accuracy after each epoch is measured that way, outside the timed training.

use nightjar_ids::model::Scaling;
use nightjar_ids::nn::{Activation, Loss, Matrix, Mlp, MlpParams, Optimizer, Output};
use std::process::ExitCode;
use std::time::Instant;

struct Data {
    x: Matrix,
    y: Vec<f32>,
}

fn read_csv(path: &str) -> Result<Data, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let mut lines = text.lines();
    let header = lines.next().ok_or(format!("{path}: empty"))?;
    let cols = header.split(',').count();
    if cols < 3 || !header.ends_with(",label,attack") {
        return Err(format!("{path}: not a Nightjar feature CSV"));
    }
    let nf = cols - 2;
    let mut data = Vec::new();
    let mut y = Vec::new();
    for (i, l) in lines.enumerate() {
        let mut it = l.split(',');
        for _ in 0..nf {
            let v: f32 = it
                .next()
                .and_then(|s| s.parse().ok())
                .ok_or(format!("{path}: line {}: bad value", i + 2))?;
            data.push(v);
        }
        let _label = it.next();
        let a: f32 = it
            .next()
            .and_then(|s| s.parse().ok())
            .ok_or(format!("{path}: line {}: bad attack column", i + 2))?;
        y.push(a);
    }
    Ok(Data {
        x: Matrix {
            rows: y.len(),
            cols: nf,
            data,
        },
        y,
    })
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn accuracy(m: &Mlp, x: &Matrix, y: &[f32]) -> f64 {
    let p = m.predict(x);
    let right = p
        .data
        .iter()
        .zip(y)
        .filter(|(p, t)| (**p >= 0.5) == (**t >= 0.5))
        .count();
    right as f64 / y.len().max(1) as f64
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    let train_path = arg(&args, "--train").ok_or("--train CSV is required")?;
    let test_path = arg(&args, "--test").ok_or("--test CSV is required")?;
    let target: f64 = arg(&args, "--target-acc")
        .unwrap_or("0.99".into())
        .parse()
        .map_err(|_| "--target-acc")?;
    let hidden: Vec<usize> = arg(&args, "--hidden")
        .unwrap_or("32,16".into())
        .split(',')
        .map(|s| s.parse().map_err(|_| "--hidden"))
        .collect::<Result<_, _>>()?;
    let activation = match arg(&args, "--activation").as_deref().unwrap_or("tanh") {
        "tanh" => Activation::Tanh,
        "relu" => Activation::Relu,
        "sigmoid" => Activation::Sigmoid,
        _ => return Err("--activation tanh|relu|sigmoid".into()),
    };
    let lr: f32 = arg(&args, "--lr")
        .unwrap_or("0.001".into())
        .parse()
        .map_err(|_| "--lr")?;
    let batch: usize = arg(&args, "--batch")
        .unwrap_or("128".into())
        .parse()
        .map_err(|_| "--batch")?;
    let epochs: usize = arg(&args, "--epochs")
        .unwrap_or("30".into())
        .parse()
        .map_err(|_| "--epochs")?;
    let seed: u64 = arg(&args, "--seed")
        .unwrap_or("1".into())
        .parse()
        .map_err(|_| "--seed")?;

    let t = Instant::now();
    let mut train = read_csv(&train_path)?;
    let mut test = read_csv(&test_path)?;
    let read_seconds = t.elapsed().as_secs_f64();
    // standardise with the training rows' statistics, as `nightjar ids train` does (untimed, as
    // StandardScaler is on the Python side)
    let scaling = Scaling::fit(&train.x.data, train.x.cols);
    scaling.apply(&mut train.x.data);
    scaling.apply(&mut test.x.data);
    let ytrain = Matrix::column(&train.y);
    let params = |e: usize| MlpParams {
        hidden: hidden.clone(),
        activation,
        output: Output::Sigmoid,
        loss: Loss::CrossEntropy,
        optimizer: Optimizer::adam(lr),
        batch_size: batch,
        init_range: 0.5,
        max_epochs: e,
        target_mse: None,
        patience: None,
        seed,
        shuffle: true,
        class_weights: None,
    };
    // the timed run
    let vp = params(epochs)
        .validate(train.x.cols, 1)
        .map_err(|e| e.to_string())?;
    let mut m = Mlp::new(&vp);
    let mut cumulative = Vec::new();
    let mut total = 0.0;
    let t = Instant::now();
    m.train(&train.x, &ytrain, None, &mut |s| {
        total += s.seconds;
        cumulative.push(total);
    })
    .map_err(|e| e.to_string())?;
    let wall = t.elapsed().as_secs_f64();
    // accuracy after each epoch (rebuilt deterministically, untimed), until the target
    let mut accs = Vec::new();
    let mut reached = None;
    for e in 1..=epochs {
        let vp = params(e)
            .validate(train.x.cols, 1)
            .map_err(|e| e.to_string())?;
        let mut me = Mlp::new(&vp);
        me.train(&train.x, &ytrain, None, &mut |_| {})
            .map_err(|e| e.to_string())?;
        let a = accuracy(&me, &test.x, &test.y);
        accs.push(a);
        if a >= target {
            reached = Some(e);
            break;
        }
    }
    let final_acc = accuracy(&m, &test.x, &test.y);
    let out = serde_json::json!({
        "train_rows": train.y.len(),
        "test_rows": test.y.len(),
        "features": train.x.cols,
        "hidden": hidden,
        "lr": lr, "batch": batch, "epochs": epochs, "seed": seed,
        "read_seconds": read_seconds,
        "train_seconds_total": wall,
        "epoch_seconds_cumulative": cumulative,
        "test_accuracy_per_epoch": accs,
        "final_test_accuracy": final_acc,
        "target_accuracy": target,
        "epochs_to_target": reached,
        "seconds_to_target": reached.and_then(|e| cumulative.get(e - 1).copied()),
    });
    println!("{out}");
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("csv_train: {e}");
            ExitCode::from(2)
        }
    }
}
