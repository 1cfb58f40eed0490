//! `nightjar ids`: train, evaluate, run and study the intrusion detector (DESIGN §7, §8, §12).

#[path = "ids_detect.rs"]
mod detect;

use crate::exit::{input, CmdResult};
use anyhow::{anyhow, Context};
use clap::{Args, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use nightjar_ids::dataset::Dataset;
use nightjar_ids::features::{FeatureKind, WindowConfig};
use nightjar_ids::model::{write_atomic, Algo, Model};
use nightjar_ids::nn::{Activation, EsnParams, Loss, MlpParams, Optimizer, Output};
use nightjar_ids::plot::{LineChart, Series};
use nightjar_ids::report::evaluate;
use nightjar_ids::study::{self, StudySettings};
use nightjar_ids::train::{train, Balance, TrainSettings};
use nightjar_ids::{Class, Labels};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[derive(Subcommand, Debug)]
pub enum IdsCommand {
    /// Train a detector on labelled captures and write a model file.
    Train(TrainArgs),
    /// Evaluate a model on a labelled capture: the paper's Table 1 (per class: tested,
    /// classified, misclassified) and Table 2 (FAR and FRR with counts), accuracy, confusion.
    Eval(EvalArgs),
    /// Detect attacks in a capture: per-packet verdicts (--scores), one alert per attacking
    /// source and episode naming the attack (or per victim for floods from many spoofed
    /// sources), as Suricata EVE JSON (--eve) and a summary on stderr. Uses the built-in model
    /// unless --model is given.
    Detect(detect::DetectArgs),
    /// Rerun the paper's training studies (epochs to a target MSE vs learning rate, weight
    /// range, hidden nodes, layers, momentum; MLP vs ESN) and write tables and plots.
    Study(StudyArgs),
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum AlgoArg {
    /// Multi-layer perceptron trained by backpropagation.
    Mlp,
    /// Echo-state network with a ridge-regression readout.
    Esn,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum FeaturesArg {
    /// The paper's 7 per-packet variables.
    Paper7,
    /// Per-host and per-conversation damped statistics at 4 time scales, and the packet's
    /// flow (180 features).
    Window,
}

impl FeaturesArg {
    fn kind(self) -> FeatureKind {
        match self {
            FeaturesArg::Paper7 => FeatureKind::Paper7,
            FeaturesArg::Window => FeatureKind::Window,
        }
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ClassesArg {
    /// One output: 0 normal, 1 attack (the paper).
    Binary,
    /// One output per class present in the training data.
    Multi,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum OptimizerArg {
    /// Gradient descent with learning rate and momentum (the paper's steepest descent when
    /// --batch 0).
    Sgd,
    /// Adam.
    Adam,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum BalanceArg {
    None,
    Weights,
    Classes,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ActivationArg {
    Sigmoid,
    Tanh,
    Relu,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum LossArg {
    /// Mean squared error (the paper).
    Mse,
    /// Cross-entropy.
    Xent,
}

/// Labelled captures: `--capture` and `--labels` given in pairs, in the same order.
#[derive(Args, Debug, Clone)]
pub struct DataArgs {
    /// A capture (pcap or pcapng, or either gzip-compressed); repeat for several, each
    /// followed by its --labels.
    #[arg(long = "capture", value_name = "PCAP")]
    captures: Vec<PathBuf>,
    /// The LABELS.json of the capture in the same position.
    #[arg(long = "labels", value_name = "LABELS.json")]
    labels: Vec<PathBuf>,
}

#[derive(Args, Debug)]
pub struct TrainArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Validation capture (early stopping and model selection); repeatable.
    #[arg(long = "val-capture", value_name = "PCAP")]
    val_captures: Vec<PathBuf>,
    /// Labels of the validation capture in the same position.
    #[arg(long = "val-labels", value_name = "LABELS.json")]
    val_labels: Vec<PathBuf>,
    /// Learning algorithm.
    #[arg(long, value_enum, default_value = "mlp")]
    algo: AlgoArg,
    /// Feature set.
    #[arg(long, value_enum, default_value = "window")]
    features: FeaturesArg,
    /// Output classes.
    #[arg(long, value_enum, default_value = "binary")]
    classes: ClassesArg,
    /// MLP hidden layer sizes, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "32,16")]
    hidden: Vec<usize>,
    /// MLP hidden unit activation.
    #[arg(long, value_enum, default_value = "tanh")]
    activation: ActivationArg,
    /// MLP loss.
    #[arg(long, value_enum, default_value = "mse")]
    loss: LossArg,
    /// MLP optimizer.
    #[arg(long, value_enum, default_value = "sgd")]
    optimizer: OptimizerArg,
    /// Learning rate.
    #[arg(long, default_value_t = 0.05)]
    lr: f32,
    /// Momentum (SGD).
    #[arg(long, default_value_t = 0.9)]
    momentum: f32,
    /// Rows per mini-batch; 0 = full batch (the paper's steepest descent).
    #[arg(long, default_value_t = 128)]
    batch: usize,
    /// Maximum epochs.
    #[arg(long, default_value_t = 60)]
    epochs: usize,
    /// Stop when the training MSE reaches this (the paper's stop criterion).
    #[arg(long)]
    target_mse: Option<f32>,
    /// Early stopping: epochs without validation improvement (needs --val-capture).
    #[arg(long, default_value_t = 8)]
    patience: usize,
    /// Initial weights uniform in ±this.
    #[arg(long, default_value_t = 0.5)]
    init_range: f32,
    /// Class imbalance: `classes` repeats the rows of rare attack types and weights normal vs
    /// attack; `weights` only weights; `none` trains on the rows as they are.
    #[arg(long, value_enum, default_value = "classes")]
    balance: BalanceArg,
    /// Binary models: outputs at or above this are attacks.
    #[arg(long, default_value_t = 0.5)]
    threshold: f32,
    /// Seed of every random choice.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// ESN reservoir units.
    #[arg(long, default_value_t = 300)]
    reservoir: usize,
    /// ESN spectral radius.
    #[arg(long, default_value_t = 0.9)]
    spectral_radius: f32,
    /// ESN leaking rate in (0, 1].
    #[arg(long, default_value_t = 1.0)]
    leak: f32,
    /// ESN input and bias weight scale (smaller for many features: the reservoir's tanh units
    /// saturate when many standardised inputs add up).
    #[arg(long, default_value_t = 0.5)]
    input_scale: f32,
    /// ESN ridge penalty.
    #[arg(long, default_value_t = 1e-2)]
    ridge: f32,
    /// Augment the training data: also read each training capture with its clock stretched by
    /// these factors (e.g. `0.5,2`: replayed twice as fast and twice as slow), so the detector
    /// learns patterns that do not depend on the attack's rate. Validation data is not stretched.
    #[arg(long, value_delimiter = ',', value_name = "FACTORS")]
    stretch: Vec<f64>,
    /// Evidence dropout (MLP): add this many copies of the training rows in which each kind of
    /// evidence (a feature group: flags, new-port fractions, refusals, counts, ...) is hidden
    /// with probability --dropout-p; 0 turns it off.
    #[arg(long, default_value_t = 2)]
    dropout_copies: usize,
    /// Probability of hiding each feature group in a dropout copy.
    #[arg(long, default_value_t = 0.3)]
    dropout_p: f32,
    /// Context dropout: in each dropout copy, the probability of hiding every windowed host and
    /// host-pair statistic of a row at once (`window`), so the network also learns to judge a
    /// packet by its own fields and its flow alone (0: off, the default).
    #[arg(long, default_value_t = 0.0)]
    dropout_context: f32,
    /// MLP: train this many networks (seeds S, S+1, ...) and keep the one with the lowest
    /// (FAR + FRR) / 2 on --val-capture (model selection).
    #[arg(long, default_value_t = 1)]
    restarts: usize,
    /// Hosts remembered by the window features (memory bound).
    #[arg(long, default_value_t = 1 << 16)]
    window_hosts: usize,
    /// Conversations remembered by the window features (memory bound).
    #[arg(long, default_value_t = 1 << 16)]
    window_pairs: usize,
    /// Write the model here.
    #[arg(short = 'o', long = "output", value_name = "MODEL")]
    output: PathBuf,
    /// Write the MSE curve (the paper's Fig. 1) as PNG.
    #[arg(long, value_name = "PNG")]
    plot: Option<PathBuf>,
    /// Write the training feature matrix as CSV (feature columns, label, attack): the rows the
    /// MLP learns from, including the evidence-dropout copies (hidden features at their means).
    #[arg(long, value_name = "CSV")]
    export_csv: Option<PathBuf>,
    /// Print a JSON summary on standard output.
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
pub struct EvalArgs {
    /// The model file (default: the built-in binary `window` MLP).
    #[arg(long, value_name = "MODEL")]
    model: Option<PathBuf>,
    #[command(flatten)]
    data: DataArgs,
    /// Print one JSON object: far, frr, accuracy, table1, table2, confusion, ...
    #[arg(long)]
    json: bool,
    /// Also write the evaluated feature matrix as CSV (feature columns, label, attack).
    #[arg(long, value_name = "CSV")]
    export_csv: Option<PathBuf>,
    /// Also write per-packet scores as CSV: `index,ts,src,dst,proto,score,verdict,label`.
    #[arg(long, value_name = "CSV")]
    scores: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct StudyArgs {
    /// Training captures (default: data/captures/*train*.pcap with their .labels.json).
    #[command(flatten)]
    data: DataArgs,
    /// Held-out captures for the accuracy of the MLP-vs-ESN study (default:
    /// data/captures/*val*.pcap when the training captures were found there, otherwise the last
    /// 30% of each training capture).
    #[arg(long = "val-capture", value_name = "PCAP")]
    val_captures: Vec<PathBuf>,
    #[arg(long = "val-labels", value_name = "LABELS.json")]
    val_labels: Vec<PathBuf>,
    /// Feature set.
    #[arg(long, value_enum, default_value = "paper7")]
    features: FeaturesArg,
    /// Training patterns sampled for the steepest-descent runs (the paper: 1000).
    #[arg(long, default_value_t = 1000)]
    samples: usize,
    /// Target training MSE (the stop criterion).
    #[arg(long, default_value_t = 0.03)]
    target_mse: f32,
    /// Epoch cap per run.
    #[arg(long, default_value_t = 3000)]
    max_epochs: usize,
    /// Seeds per setting (median reported).
    #[arg(long, default_value_t = 1)]
    seeds: u64,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Total time budget, seconds.
    #[arg(long, default_value_t = 120)]
    budget: u64,
    /// Output directory (STUDY.md and one PNG per study).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

pub fn run(c: IdsCommand) -> CmdResult {
    match c {
        IdsCommand::Train(a) => run_train(a),
        IdsCommand::Eval(a) => run_eval(a),
        IdsCommand::Detect(a) => detect::run_detect(a),
        IdsCommand::Study(a) => run_study(a),
    }
}

fn pairs(caps: &[PathBuf], labels: &[PathBuf], what: &str) -> CmdResult<Vec<(PathBuf, PathBuf)>> {
    if caps.len() != labels.len() {
        return Err(input(anyhow!(
            "{} {what}capture(s) but {} {what}labels: give one --{what}labels after each --{what}capture",
            caps.len(),
            labels.len()
        )));
    }
    Ok(caps.iter().cloned().zip(labels.iter().cloned()).collect())
}

fn spinner(msg: &str) -> ProgressBar {
    let pb = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    if let Ok(st) = ProgressStyle::with_template("{spinner} {msg} [{elapsed}]") {
        pb.set_style(st);
    }
    pb.set_message(msg.to_string());
    pb.enable_steady_tick(Duration::from_millis(120));
    pb
}

/// Read labelled captures into one dataset, reporting warnings on stderr.
fn load(
    pairs: &[(PathBuf, PathBuf)],
    kind: FeatureKind,
    window: WindowConfig,
) -> CmdResult<Dataset> {
    let mut d = Dataset::new(kind);
    for (cap, lab) in pairs {
        let labels = Labels::load(lab).map_err(input)?;
        let pb = spinner(&format!("reading {}", cap.display()));
        let info = d.add_capture(cap, &labels, window).map_err(input);
        pb.finish_and_clear();
        let info = info?;
        for w in &info.warnings {
            eprintln!("nightjar: warning: {}: {w}", cap.display());
        }
    }
    Ok(d)
}

fn class_summary(d: &Dataset) -> serde_json::Map<String, serde_json::Value> {
    let n = d.class_counts();
    Class::ALL
        .iter()
        .filter(|c| n[c.index()] > 0)
        .map(|c| (c.as_str().to_string(), json!(n[c.index()])))
        .collect()
}

fn run_train(a: TrainArgs) -> CmdResult {
    let train_pairs = pairs(&a.data.captures, &a.data.labels, "")?;
    if train_pairs.is_empty() {
        return Err(input(anyhow!(
            "give at least one --capture PCAP --labels LABELS.json"
        )));
    }
    let val_pairs = pairs(&a.val_captures, &a.val_labels, "val-")?;
    let kind = a.features.kind();
    let window = WindowConfig {
        hosts: a.window_hosts.max(1),
        pairs: a.window_pairs.max(1),
        ..WindowConfig::default()
    };
    let optimizer = match a.optimizer {
        OptimizerArg::Sgd => Optimizer::Sgd {
            lr: a.lr,
            momentum: a.momentum,
        },
        OptimizerArg::Adam => Optimizer::adam(a.lr),
    };
    let binary = a.classes == ClassesArg::Binary;
    let mlp = MlpParams {
        hidden: a.hidden.clone(),
        activation: match a.activation {
            ActivationArg::Sigmoid => Activation::Sigmoid,
            ActivationArg::Tanh => Activation::Tanh,
            ActivationArg::Relu => Activation::Relu,
        },
        output: if binary {
            Output::Sigmoid
        } else {
            Output::Softmax
        },
        loss: match a.loss {
            LossArg::Mse => Loss::Mse,
            LossArg::Xent => Loss::CrossEntropy,
        },
        optimizer,
        batch_size: a.batch,
        init_range: a.init_range,
        max_epochs: a.epochs,
        target_mse: a.target_mse,
        patience: if val_pairs.is_empty() {
            None
        } else {
            Some(a.patience.max(1))
        },
        seed: a.seed,
        shuffle: true,
        class_weights: None,
    };
    // check the settings before reading any capture
    mlp.validate(kind.n_features(), if binary { 1 } else { 2 })
        .map_err(|e| input(anyhow!(e)))?;
    let esn = EsnParams {
        reservoir: a.reservoir,
        spectral_radius: a.spectral_radius,
        leak: a.leak,
        input_scale: a.input_scale,
        ridge: a.ridge,
        seed: a.seed,
        ..EsnParams::default()
    };
    esn.validate().map_err(|e| input(anyhow!(e)))?;
    if !a.threshold.is_finite() {
        return Err(input(anyhow!("--threshold must be a number")));
    }
    if let Some(f) = a.stretch.iter().find(|f| !(f.is_finite() && **f > 0.0)) {
        return Err(input(anyhow!("--stretch factors must be > 0, not {f}")));
    }
    let t_load = Instant::now();
    let mut train_d = load(&train_pairs, kind, window)?;
    for &f in &a.stretch {
        for (cap, lab) in &train_pairs {
            let labels = Labels::load(lab).map_err(input)?;
            let pb = spinner(&format!("reading {} (time ×{f})", cap.display()));
            let r = train_d
                .add_capture_stretched(cap, &labels, window, f)
                .map(|_| ())
                .map_err(input);
            pb.finish_and_clear();
            r?;
        }
    }
    let val_d = if val_pairs.is_empty() {
        None
    } else {
        Some(load(&val_pairs, kind, window)?)
    };
    let load_seconds = t_load.elapsed().as_secs_f64();
    if let Some(csv) = &a.export_csv {
        let mut buf = Vec::new();
        let exported = if a.algo == AlgoArg::Mlp && a.dropout_copies > 0 && a.dropout_p > 0.0 {
            train_d.with_evidence_dropout(a.dropout_p, a.dropout_context, a.dropout_copies, a.seed)
        } else {
            train_d.clone()
        };
        exported
            .write_csv(&mut buf)
            .with_context(|| format!("writing {}", csv.display()))
            .map_err(input)?;
        write_atomic(csv, &buf).map_err(input)?;
    }
    let settings = TrainSettings {
        algo: match a.algo {
            AlgoArg::Mlp => Algo::Mlp,
            AlgoArg::Esn => Algo::Esn,
        },
        binary,
        mlp,
        esn,
        window,
        balance: match a.balance {
            BalanceArg::None => Balance::None,
            BalanceArg::Weights => Balance::Weights,
            BalanceArg::Classes => Balance::Classes,
        },
        threshold: a.threshold,
        threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        restarts: a.restarts.max(1),
        dropout: (a.dropout_copies > 0 && a.dropout_p > 0.0)
            .then_some((a.dropout_p, a.dropout_copies)),
        dropout_context: a.dropout_context,
    };
    let pb = match settings.algo {
        Algo::Mlp => {
            let pb =
                ProgressBar::with_draw_target(Some(a.epochs as u64), ProgressDrawTarget::stderr());
            if let Ok(st) = ProgressStyle::with_template(
                "training [{elapsed}] {bar:30} {pos}/{len} epochs {msg}",
            ) {
                pb.set_style(st);
            }
            pb
        }
        Algo::Esn => spinner(&format!(
            "fitting the ESN readout ({} units, {} packets)",
            a.reservoir,
            train_d.rows()
        )),
    };
    let trained = train(&train_d, val_d.as_ref(), &settings, &mut |s| {
        pb.set_position(s.epoch as u64);
        pb.set_message(match s.val_mse {
            Some(v) => format!("train MSE {:.5}  val MSE {v:.5}", s.train_mse),
            None => format!("train MSE {:.5}", s.train_mse),
        });
    });
    pb.finish_and_clear();
    let trained = trained.map_err(input)?;
    trained.model.save(&a.output).map_err(input)?;
    if let Some(png) = &a.plot {
        let Some(h) = &trained.history else {
            return Err(input(anyhow!(
                "--plot draws the MSE per epoch of backpropagation; the ESN has no epochs"
            )));
        };
        let mut series = vec![Series {
            name: "training".into(),
            points: h
                .train_mse
                .iter()
                .enumerate()
                .map(|(i, v)| ((i + 1) as f64, f64::from(*v)))
                .collect(),
        }];
        if !h.val_mse.is_empty() {
            series.push(Series {
                name: "validation".into(),
                points: h
                    .val_mse
                    .iter()
                    .enumerate()
                    .map(|(i, v)| ((i + 1) as f64, f64::from(*v)))
                    .collect(),
            });
        }
        let chart = LineChart {
            title: format!(
                "Mean squared error ({} MLP, {kind} features)",
                if binary { "binary" } else { "multi-class" }
            ),
            x_label: "epoch".into(),
            y_label: "MSE (log scale)".into(),
            log_y: true,
            series,
            hlines: a
                .target_mse
                .map(|t| vec![(f64::from(t), format!("target {t}"))])
                .unwrap_or_default(),
            ..LineChart::default()
        };
        let bytes = chart.render().to_png().map_err(|e| input(anyhow!(e)))?;
        write_atomic(png, &bytes).map_err(input)?;
    }
    let summary = json!({
        "model": a.output.display().to_string(),
        "algo": settings.algo.name(),
        "features": kind.name(),
        "schema": kind.schema(),
        "classes": trained.model.classes.iter().map(|c| if binary && c.is_attack() { "attack" } else { c.as_str() }).collect::<Vec<_>>(),
        "train_packets": train_d.rows(),
        "train_classes": class_summary(&train_d),
        "val_packets": val_d.as_ref().map(|d| d.rows()),
        "load_seconds": load_seconds,
        "fit_seconds": trained.fit_seconds,
        "epochs_run": trained.history.as_ref().map(|h| h.epochs_run),
        "best_epoch": trained.history.as_ref().map(|h| h.best_epoch),
        "reached_target_at": trained.history.as_ref().and_then(|h| h.reached_target_at),
        "stopped": trained.history.as_ref().map(|h| format!("{:?}", h.stopped)),
        "final_train_mse": trained.history.as_ref().and_then(|h| h.train_mse.last().copied()).or(trained.esn.as_ref().map(|r| r.train_mse)),
        "best_val_mse": trained.history.as_ref().and_then(|h| h.val_mse.get(h.best_epoch.saturating_sub(1)).copied()),
    });
    if a.json {
        println!("{summary}");
    } else {
        println!(
            "trained {} on {} packets ({}) in {:.2} s; model written to {}",
            settings.algo.name(),
            train_d.rows(),
            class_summary(&train_d)
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", "),
            trained.fit_seconds,
            a.output.display()
        );
        if let Some(h) = &trained.history {
            println!(
                "epochs run {} (best {}), stopped: {:?}, final training MSE {:.6}{}",
                h.epochs_run,
                h.best_epoch,
                h.stopped,
                h.train_mse.last().copied().unwrap_or(f32::NAN),
                h.val_mse
                    .get(h.best_epoch.saturating_sub(1))
                    .map_or(String::new(), |v| format!(", validation MSE {v:.6}"))
            );
        }
        if let Some(r) = &trained.esn {
            println!(
                "ESN readout fit on {} steps, training MSE {:.6}",
                r.rows, r.train_mse
            );
        }
    }
    Ok(())
}

fn run_eval(a: EvalArgs) -> CmdResult {
    let data = pairs(&a.data.captures, &a.data.labels, "")?;
    if data.is_empty() {
        return Err(input(anyhow!("give --capture PCAP --labels LABELS.json")));
    }
    let (model, model_path) = match &a.model {
        Some(p) => (Model::load(p).map_err(input)?, p.display().to_string()),
        None => (
            Model::from_bytes(nightjar_ids::detect::BUILTIN_DETECTOR).map_err(input)?,
            "built-in".to_string(),
        ),
    };
    let t0 = Instant::now();
    let d = load(&data, model.kind, model.window)?;
    let extract = t0.elapsed().as_secs_f64();
    if let Some(csv) = &a.export_csv {
        let mut buf = Vec::new();
        d.write_csv(&mut buf)
            .with_context(|| format!("writing {}", csv.display()))
            .map_err(input)?;
        write_atomic(csv, &buf).map_err(input)?;
    }
    let seqs: Vec<_> = d.captures.iter().map(|c| c.rows.clone()).collect();
    let t1 = Instant::now();
    let verdicts = model.predict(&d.x, &seqs).map_err(input)?;
    let infer = t1.elapsed().as_secs_f64();
    let report = evaluate(&d.y, &verdicts, &model.classes, model.binary, d.undecoded());
    if let Some(path) = &a.scores {
        let mut out = String::from("index,ts,src,dst,proto,score,verdict,label\n");
        for ((m, v), (idx, y)) in d.meta.iter().zip(&verdicts).zip(d.index.iter().zip(&d.y)) {
            let verdict = if !v.is_attack() {
                "normal"
            } else if model.binary {
                "attack"
            } else {
                v.class.as_str()
            };
            out.push_str(&format!(
                "{idx},{:.6},{},{},{},{:.6},{verdict},{y}\n",
                m.ts, m.src, m.dst, m.proto, v.score
            ));
        }
        write_atomic(path, out.as_bytes()).map_err(input)?;
    }
    if a.json {
        let mut j = serde_json::to_value(&report).map_err(|e| input(anyhow!(e)))?;
        j["model"] = json!({
            "path": model_path,
            "algo": model.algo.name(),
            "features": model.kind.name(),
            "schema": model.kind.schema(),
            "output": if model.binary { "binary" } else { "multi" },
        });
        j["captures"] = json!(d.captures.iter().map(|c| json!({
            "name": c.name, "records": c.records, "undecoded": c.undecoded, "packets": c.rows.len(), "warnings": c.warnings,
        })).collect::<Vec<_>>());
        j["timing"] = json!({
            "read_and_features_seconds": extract,
            "inference_seconds": infer,
            "packets_per_second": if extract + infer > 0.0 { d.rows() as f64 / (extract + infer) } else { 0.0 },
        });
        println!("{j}");
    } else {
        println!(
            "model: {} ({} {}, {} features)",
            model_path,
            if model.binary {
                "binary"
            } else {
                "multi-class"
            },
            model.algo.name(),
            model.kind
        );
        print!("{}", report.to_text());
        println!(
            "\n{} packets in {:.2} s ({:.0} packets/s: reading and features {:.2} s, inference {:.2} s)",
            d.rows(),
            extract + infer,
            d.rows() as f64 / (extract + infer).max(1e-9),
            extract,
            infer
        );
    }
    Ok(())
}

/// Captures in `dir` whose name contains `part`, with their `NAME.labels.json`.
fn discover(dir: &Path, part: &str) -> Vec<(PathBuf, PathBuf)> {
    let mut v = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            if let Some(stem) = name
                .strip_suffix(".pcap")
                .or_else(|| name.strip_suffix(".pcapng"))
            {
                let labels = dir.join(format!("{stem}.labels.json"));
                if stem.contains(part) && labels.exists() {
                    v.push((p.clone(), labels));
                }
            }
        }
    }
    v.sort();
    v
}

fn run_study(a: StudyArgs) -> CmdResult {
    let mut train_pairs = pairs(&a.data.captures, &a.data.labels, "")?;
    let mut val_pairs = pairs(&a.val_captures, &a.val_labels, "val-")?;
    let dir = Path::new("data/captures");
    if train_pairs.is_empty() {
        train_pairs = discover(dir, "train");
        if train_pairs.is_empty() {
            return Err(input(anyhow!(
                "no --capture given and no data/captures/*train*.pcap with labels here; give --capture PCAP --labels LABELS.json"
            )));
        }
        if val_pairs.is_empty() {
            val_pairs = discover(dir, "val");
        }
    }
    let kind = a.features.kind();
    let window = WindowConfig::default();
    let mut train_d = load(&train_pairs, kind, window)?;
    let holdout = if val_pairs.is_empty() {
        // last 30% of each capture, in time order
        let cut: Vec<(usize, usize)> = train_d
            .captures
            .iter()
            .map(|c| (c.rows.start, c.rows.start + c.rows.len() * 7 / 10))
            .collect();
        let is_train = |i: usize| cut.iter().any(|(s, e)| (*s..*e).contains(&i));
        let hold = train_d.filter(|i| !is_train(i));
        train_d = train_d.filter(is_train);
        hold
    } else {
        load(&val_pairs, kind, window)?
    };
    std::fs::create_dir_all(&a.out)
        .with_context(|| format!("creating {}", a.out.display()))
        .map_err(input)?;
    let s = StudySettings {
        samples: a.samples.max(2),
        target_mse: a.target_mse,
        max_epochs: a.max_epochs.max(1),
        seeds: a.seeds.max(1),
        seed: a.seed,
        budget: Duration::from_secs(a.budget),
        ..StudySettings::default()
    };
    let pb = spinner("study");
    let out = study::run(&train_d, &holdout, &s, &mut |m| {
        pb.set_message(format!("study: {m}"))
    });
    pb.finish_and_clear();
    let out = out.map_err(input)?;
    let mut md = format!(
        "# The paper's training studies, rerun\n\nCommand: `nightjar ids study --features {} --samples {} --target-mse {} --max-epochs {} --seeds {} --budget {}`\n\nTraining captures: {}.\n\n",
        kind,
        a.samples,
        a.target_mse,
        a.max_epochs,
        a.seeds,
        a.budget,
        train_pairs.iter().map(|(c, _)| format!("`{}`", c.display())).collect::<Vec<_>>().join(", ")
    );
    md.push_str(&out.markdown);
    md.push_str("\nPlots: ");
    for (name, canvas) in &out.plots {
        let bytes = canvas.to_png().map_err(|e| input(anyhow!(e)))?;
        write_atomic(&a.out.join(name), &bytes).map_err(input)?;
        md.push_str(&format!("`{name}` "));
    }
    md.push('\n');
    write_atomic(&a.out.join("STUDY.md"), md.as_bytes()).map_err(input)?;
    println!(
        "{} runs ({} skipped for time); tables in {}, {} plots beside it",
        out.runs,
        out.skipped,
        a.out.join("STUDY.md").display(),
        out.plots.len()
    );
    Ok(())
}
