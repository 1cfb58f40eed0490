//! The paper's training studies, rerun on our data.
//!
//! The paper trained its MLP by steepest descent (full-batch backpropagation on the summed
//! squared error, learning rate η, momentum α) on 1,000 patterns and reported the iterations
//! needed to reach a target MSE for different η, weight-initialisation ranges, hidden nodes,
//! one vs two hidden layers, with and without momentum, and noted that an echo-state network
//! needs fewer iterations. [`run`] repeats each study on a seeded sample of the training rows:
//!
//! | study | varied | series |
//! |---|---|---|
//! | `lr` | η | α = 0 and α = base |
//! | `init` | weight-init range r (weights uniform in ±r) | — |
//! | `hidden` | hidden nodes (one layer) | three values of η |
//! | `layers` | hidden nodes h | one layer (h) vs two (h, h) |
//! | `momentum` | hidden nodes | α = 0 vs α = base |
//! | `mlp-vs-esn` | model | MLP by steepest descent on the sample, MLP by mini-batch Adam on all rows, ESNs on all rows in time order: training time, iterations and accuracy on held-out rows |
//!
//! Every run is bounded (max epochs), and the whole study shares a time budget split evenly
//! between the six studies; runs that do not fit are listed as skipped, never silently dropped.

use crate::dataset::Dataset;
use crate::model::{Algo, Model};
use crate::plot::{BarChart, Canvas, LineChart, Series};
use crate::report::evaluate;
use crate::train::{train, TrainSettings};
use crate::IdsError;
use nightjar_nn::rng::Rng;
use nightjar_nn::{Activation, EsnParams, Loss, MlpParams, Optimizer, Output, StopReason};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

/// Study settings.
#[derive(Clone, Debug)]
pub struct StudySettings {
    /// Training patterns sampled for the steepest-descent runs (the paper: 1,000).
    pub samples: usize,
    /// The stop criterion: training MSE at or below this.
    pub target_mse: f32,
    /// Epoch cap per run.
    pub max_epochs: usize,
    /// Base learning rate η.
    pub lr: f32,
    /// Base momentum α.
    pub momentum: f32,
    /// Base hidden nodes.
    pub hidden: usize,
    /// Base weight-initialisation range.
    pub init_range: f32,
    /// Seeds per setting (the median of epochs-to-target is reported).
    pub seeds: u64,
    pub seed: u64,
    /// Total time budget.
    pub budget: Duration,
    /// η values of the `lr` study.
    pub lrs: Vec<f32>,
    /// Ranges of the `init` study.
    pub inits: Vec<f32>,
    /// Hidden sizes of the `hidden`, `layers` and `momentum` studies.
    pub hiddens: Vec<usize>,
    /// Held-out rows used for accuracy (sampled if more).
    pub max_holdout: usize,
}

impl Default for StudySettings {
    fn default() -> Self {
        StudySettings {
            samples: 1000,
            target_mse: 0.03,
            max_epochs: 3000,
            lr: 0.5,
            momentum: 0.9,
            hidden: 10,
            init_range: 0.5,
            seeds: 1,
            seed: 1,
            budget: Duration::from_secs(120),
            lrs: vec![0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0],
            inits: vec![0.01, 0.1, 0.5, 1.0, 2.0, 5.0],
            hiddens: vec![1, 2, 4, 8, 16, 32],
            max_holdout: 50_000,
        }
    }
}

/// What a study run produced.
pub struct StudyOutput {
    /// All tables, Markdown.
    pub markdown: String,
    /// One chart per study: (file name, chart).
    pub plots: Vec<(String, Canvas)>,
    /// Runs done and skipped (time budget).
    pub runs: usize,
    pub skipped: usize,
}

/// One steepest-descent run's outcome.
#[derive(Clone, Copy, Debug)]
struct Outcome {
    /// Epochs to the target (median over seeds), None if not reached by all seeds... any seed.
    epochs: Option<usize>,
    reached: usize,
    seeds: usize,
    final_mse: f32,
    seconds: f64,
    diverged: bool,
}

impl Outcome {
    fn cell(&self, max: usize) -> String {
        match self.epochs {
            Some(e) if self.reached == self.seeds => e.to_string(),
            Some(e) => format!("{e} ({}/{} seeds)", self.reached, self.seeds),
            None if self.diverged => "diverged".into(),
            None => format!("> {max}"),
        }
    }

    fn y(&self) -> f64 {
        self.epochs.map_or(f64::NAN, |e| e as f64)
    }
}

struct Runner<'a> {
    sample: &'a Dataset,
    s: &'a StudySettings,
    deadline: Instant,
    runs: usize,
    skipped: usize,
    progress: &'a mut dyn FnMut(&str),
}

impl Runner<'_> {
    fn params(
        &self,
        lr: f32,
        momentum: f32,
        hidden: Vec<usize>,
        init: f32,
        seed: u64,
    ) -> MlpParams {
        MlpParams {
            hidden,
            activation: Activation::Sigmoid,
            output: Output::Sigmoid,
            loss: Loss::Mse,
            optimizer: Optimizer::Sgd { lr, momentum },
            batch_size: 0,
            init_range: init,
            max_epochs: self.s.max_epochs,
            target_mse: Some(self.s.target_mse),
            patience: None,
            seed,
            shuffle: false,
            class_weights: None,
        }
    }

    /// Run one setting over the seeds; None when out of time.
    fn sdm(
        &mut self,
        label: &str,
        lr: f32,
        momentum: f32,
        hidden: Vec<usize>,
        init: f32,
    ) -> Option<Outcome> {
        if Instant::now() >= self.deadline {
            self.skipped += 1;
            return None;
        }
        (self.progress)(label);
        let mut epochs = Vec::new();
        let mut final_mse = 0.0;
        let mut seconds = 0.0;
        let mut diverged = false;
        let n = self.s.seeds.max(1);
        for k in 0..n {
            let p = self.params(
                lr,
                momentum,
                hidden.clone(),
                init,
                self.s.seed.wrapping_add(k),
            );
            let settings = TrainSettings {
                algo: Algo::Mlp,
                binary: true,
                mlp: p,
                esn: EsnParams::default(),
                window: Default::default(),
                balance: crate::train::Balance::None,
                threshold: 0.5,
                threads: 1,
                dropout: None,
                dropout_context: 0.0,
                restarts: 1,
            };
            let t = Instant::now();
            match train(self.sample, None, &settings, &mut |_| {}) {
                Ok(tr) => {
                    seconds += t.elapsed().as_secs_f64();
                    if let Some(h) = tr.history {
                        final_mse = h.train_mse.last().copied().unwrap_or(f32::NAN);
                        if h.stopped == StopReason::Diverged {
                            diverged = true;
                        }
                        if let Some(e) = h.reached_target_at {
                            epochs.push(e);
                        }
                    }
                }
                Err(_) => diverged = true,
            }
        }
        self.runs += 1;
        epochs.sort_unstable();
        Some(Outcome {
            epochs: epochs.get(epochs.len() / 2).copied(),
            reached: epochs.len(),
            seeds: n as usize,
            final_mse,
            seconds: seconds / n as f64,
            diverged,
        })
    }
}

/// A seeded sample of `n` rows (all rows if fewer).
pub fn sample(d: &Dataset, n: usize, seed: u64) -> Dataset {
    if d.rows() <= n {
        return d.clone();
    }
    let mut idx: Vec<usize> = (0..d.rows()).collect();
    let mut rng = Rng::new(seed);
    rng.shuffle(&mut idx);
    let mut keep = vec![false; d.rows()];
    for &i in &idx[..n] {
        keep[i] = true;
    }
    d.filter(|i| keep[i])
}

fn fmt_f(v: f64) -> String {
    if !v.is_finite() {
        "—".into()
    } else if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.4}")
    }
}

/// Run every study. `train_rows` is the training data (all of it: the steepest-descent runs
/// use a sample of `samples` rows); `holdout` is data never trained on, in time order (used for
/// accuracy in the MLP-vs-ESN study).
pub fn run(
    train_rows: &Dataset,
    holdout: &Dataset,
    s: &StudySettings,
    progress: &mut dyn FnMut(&str),
) -> Result<StudyOutput, IdsError> {
    let start = Instant::now();
    let smp = sample(train_rows, s.samples, s.seed);
    let counts = smp.class_counts();
    if counts[0] == 0 || counts[1..].iter().sum::<usize>() == 0 {
        return Err(IdsError::Data(
            "the study sample needs both normal and attack packets".into(),
        ));
    }
    let share = s.budget / 6;
    let mut md = String::new();
    let mut plots = Vec::new();
    let _ = writeln!(
        md,
        "Training data: {} packets ({} features: `{}`); steepest-descent runs use a seeded sample of {} \
         ({} normal, {} attack). Full-batch gradient descent on the MSE, sigmoid units, one sigmoid output \
         (0 normal, 1 attack); stop at training MSE ≤ {} or after {} epochs. Base setting: η = {}, α = {}, \
         {} hidden nodes, weights uniform in ±{}. {} seed(s) per setting (median shown).\n",
        train_rows.rows(),
        smp.cols,
        smp.kind,
        smp.rows(),
        counts[0],
        smp.rows() - counts[0],
        s.target_mse,
        s.max_epochs,
        s.lr,
        s.momentum,
        s.hidden,
        s.init_range,
        s.seeds.max(1)
    );
    let mut r = Runner {
        sample: &smp,
        s,
        deadline: start + share,
        runs: 0,
        skipped: 0,
        progress,
    };
    let title_target = format!("epochs to MSE <= {}", s.target_mse);

    // 1. learning rate
    {
        let _ = writeln!(
            md,
            "### Epochs to target vs learning rate η\n\n| η | α = 0 | α = {} |\n|---|---|---|",
            s.momentum
        );
        let mut a = Vec::new();
        let mut b = Vec::new();
        for &lr in &s.lrs {
            let o0 = r.sdm(
                &format!("lr {lr} α=0"),
                lr,
                0.0,
                vec![s.hidden],
                s.init_range,
            );
            let o1 = r.sdm(
                &format!("lr {lr} α={}", s.momentum),
                lr,
                s.momentum,
                vec![s.hidden],
                s.init_range,
            );
            let c = |o: &Option<Outcome>| o.map_or("skipped".into(), |o| o.cell(s.max_epochs));
            let _ = writeln!(md, "| {lr} | {} | {} |", c(&o0), c(&o1));
            a.push((f64::from(lr), o0.map_or(f64::NAN, |o| o.y())));
            b.push((f64::from(lr), o1.map_or(f64::NAN, |o| o.y())));
        }
        md.push('\n');
        plots.push((
            "study-lr.png".to_string(),
            study_chart(
                "Epochs to target vs learning rate",
                "learning rate (log)",
                &title_target,
                vec![
                    Series::named("momentum 0", a),
                    Series::named(format!("momentum {}", s.momentum), b),
                ],
            ),
        ));
    }
    r.deadline = Instant::now().max(start + share * 2);
    // 2. weight-init range
    {
        let _ = writeln!(md, "### Epochs to target vs weight-initialisation range\n\n| range ±r | epochs | final MSE | seconds |\n|---|---|---|---|");
        let mut pts = Vec::new();
        for &init in &s.inits {
            let o = r.sdm(
                &format!("init ±{init}"),
                s.lr,
                s.momentum,
                vec![s.hidden],
                init,
            );
            match o {
                Some(o) => {
                    let _ = writeln!(
                        md,
                        "| {init} | {} | {} | {} |",
                        o.cell(s.max_epochs),
                        fmt_f(f64::from(o.final_mse)),
                        fmt_f(o.seconds)
                    );
                    pts.push((f64::from(init), o.y()));
                }
                None => {
                    let _ = writeln!(md, "| {init} | skipped | | |");
                }
            }
        }
        md.push('\n');
        plots.push((
            "study-init.png".to_string(),
            study_chart(
                "Epochs to target vs weight-init range",
                "initial weights uniform in +-r (log)",
                &title_target,
                vec![Series::named("", pts)],
            ),
        ));
    }
    r.deadline = Instant::now().max(start + share * 3);
    // 3. hidden nodes for several learning rates
    {
        let lrs = [s.lr / 5.0, s.lr, s.lr * 4.0];
        let _ = write!(
            md,
            "### Epochs to target vs hidden nodes (one hidden layer), per η\n\n| hidden |"
        );
        for lr in lrs {
            let _ = write!(md, " η = {lr} |");
        }
        let _ = writeln!(md, "\n|---|---|---|---|");
        let mut series: Vec<Series> = lrs
            .iter()
            .map(|lr| Series::named(format!("lr {lr}"), vec![]))
            .collect();
        for &h in &s.hiddens {
            let _ = write!(md, "| {h} |");
            for (i, &lr) in lrs.iter().enumerate() {
                let o = r.sdm(
                    &format!("hidden {h} lr {lr}"),
                    lr,
                    s.momentum,
                    vec![h],
                    s.init_range,
                );
                let _ = write!(
                    md,
                    " {} |",
                    o.map_or("skipped".into(), |o| o.cell(s.max_epochs))
                );
                series[i]
                    .points
                    .push((h as f64, o.map_or(f64::NAN, |o| o.y())));
            }
            md.push('\n');
        }
        md.push('\n');
        plots.push((
            "study-hidden.png".to_string(),
            study_chart(
                "Epochs to target vs hidden nodes",
                "hidden nodes (log)",
                &title_target,
                series,
            ),
        ));
    }
    r.deadline = Instant::now().max(start + share * 4);
    // 4. one vs two hidden layers
    {
        let _ = writeln!(md, "### One vs two hidden layers\n\n| h | one layer (h) | two layers (h, h) |\n|---|---|---|");
        let mut one = Vec::new();
        let mut two = Vec::new();
        for &h in s.hiddens.iter().filter(|h| **h >= 2) {
            let o1 = r.sdm(
                &format!("layers [{h}]"),
                s.lr,
                s.momentum,
                vec![h],
                s.init_range,
            );
            let o2 = r.sdm(
                &format!("layers [{h},{h}]"),
                s.lr,
                s.momentum,
                vec![h, h],
                s.init_range,
            );
            let c = |o: &Option<Outcome>| o.map_or("skipped".into(), |o| o.cell(s.max_epochs));
            let _ = writeln!(md, "| {h} | {} | {} |", c(&o1), c(&o2));
            one.push((h as f64, o1.map_or(f64::NAN, |o| o.y())));
            two.push((h as f64, o2.map_or(f64::NAN, |o| o.y())));
        }
        md.push('\n');
        plots.push((
            "study-layers.png".to_string(),
            study_chart(
                "One vs two hidden layers",
                "hidden nodes per layer (log)",
                &title_target,
                vec![
                    Series::named("1 layer", one),
                    Series::named("2 layers", two),
                ],
            ),
        ));
    }
    r.deadline = Instant::now().max(start + share * 5);
    // 5. with and without momentum
    {
        let _ = writeln!(
            md,
            "### With and without momentum (η = {})\n\n| hidden | α = 0 | α = {} |\n|---|---|---|",
            s.lr, s.momentum
        );
        let mut without = Vec::new();
        let mut with = Vec::new();
        for &h in &s.hiddens {
            let o0 = r.sdm(&format!("hidden {h} α=0"), s.lr, 0.0, vec![h], s.init_range);
            let o1 = r.sdm(
                &format!("hidden {h} α={}", s.momentum),
                s.lr,
                s.momentum,
                vec![h],
                s.init_range,
            );
            let c = |o: &Option<Outcome>| o.map_or("skipped".into(), |o| o.cell(s.max_epochs));
            let _ = writeln!(md, "| {h} | {} | {} |", c(&o0), c(&o1));
            without.push((h as f64, o0.map_or(f64::NAN, |o| o.y())));
            with.push((h as f64, o1.map_or(f64::NAN, |o| o.y())));
        }
        md.push('\n');
        plots.push((
            "study-momentum.png".to_string(),
            study_chart(
                "With and without momentum",
                "hidden nodes (log)",
                &title_target,
                vec![
                    Series::named("momentum 0", without),
                    Series::named(format!("momentum {}", s.momentum), with),
                ],
            ),
        ));
    }
    // 6. MLP vs ESN: training cost and held-out accuracy
    let end = start + s.budget;
    {
        let seqs: Vec<_> = holdout.captures.iter().map(|c| c.rows.clone()).collect();
        let _ = writeln!(
            md,
            "### MLP vs ESN: training cost and accuracy\n\nHeld-out: {} packets never trained on. \
             Iterations: epochs of backpropagation for the MLP; the ESN's readout is one ridge-regression solve \
             after one pass of the reservoir over the sequence.\n\n\
             | model | trained on | iterations | training seconds | accuracy | FAR | FRR |\n|---|---|---|---|---|---|---|",
            holdout.rows()
        );
        let mut bars = Vec::new();
        let eval = |name: &str,
                    on: String,
                    iters: String,
                    secs: f64,
                    model: &Model,
                    md: &mut String,
                    bars: &mut Vec<(String, f64)>| {
            match model.predict(&holdout.x, &seqs) {
                Ok(v) => {
                    let rep = evaluate(&holdout.y, &v, &model.classes, model.binary, 0);
                    let _ = writeln!(
                        md,
                        "| {name} | {on} | {iters} | {} | {:.2}% | {:.2}% | {:.2}% |",
                        fmt_f(secs),
                        100.0 * rep.accuracy,
                        100.0 * rep.far,
                        100.0 * rep.frr
                    );
                    bars.push((format!("{name} {:.1}%", 100.0 * rep.accuracy), secs));
                }
                Err(e) => {
                    let _ = writeln!(
                        md,
                        "| {name} | {on} | {iters} | {} | error: {e} | | |",
                        fmt_f(secs)
                    );
                }
            }
        };
        let base = TrainSettings {
            algo: Algo::Mlp,
            binary: true,
            mlp: r.params(s.lr, s.momentum, vec![s.hidden], s.init_range, s.seed),
            esn: EsnParams::default(),
            window: Default::default(),
            balance: crate::train::Balance::None,
            threshold: 0.5,
            threads: 1,
            dropout: None,
            dropout_context: 0.0,
            restarts: 1,
        };
        let mut runs: Vec<(String, String, TrainSettings, bool)> = vec![(
            "MLP, steepest descent".into(),
            format!("{} sampled", smp.rows()),
            base.clone(),
            true,
        )];
        let mut adam = base.clone();
        adam.mlp.optimizer = Optimizer::adam(0.005);
        adam.mlp.batch_size = 256;
        adam.mlp.shuffle = true;
        adam.mlp.max_epochs = 5;
        adam.mlp.target_mse = None;
        adam.mlp.hidden = vec![32, 16];
        adam.balance = crate::train::Balance::Classes;
        runs.push((
            "MLP, Adam mini-batch (32,16)".into(),
            format!("all {}", train_rows.rows()),
            adam,
            false,
        ));
        for res in [100usize, 300] {
            let mut e = base.clone();
            e.algo = Algo::Esn;
            e.esn = EsnParams {
                reservoir: res,
                ridge: 1e-2,
                washout: 20,
                seed: s.seed,
                ..EsnParams::default()
            };
            runs.push((
                format!("ESN, {res} units"),
                format!("all {}", train_rows.rows()),
                e,
                false,
            ));
        }
        for (name, on, settings, on_sample) in runs {
            if Instant::now() >= end {
                r.skipped += 1;
                let _ = writeln!(md, "| {name} | {on} | skipped (time budget) | | | | |");
                continue;
            }
            (r.progress)(&name);
            let data = if on_sample { &smp } else { train_rows };
            let t = Instant::now();
            match train(data, None, &settings, &mut |_| {}) {
                Ok(tr) => {
                    let secs = t.elapsed().as_secs_f64();
                    let iters = match &tr.history {
                        Some(h) => match h.reached_target_at {
                            Some(e) => format!("{e} epochs (target reached)"),
                            None => format!("{} epochs", h.epochs_run),
                        },
                        None => "1 solve".into(),
                    };
                    r.runs += 1;
                    eval(&name, on, iters, secs, &tr.model, &mut md, &mut bars);
                }
                Err(e) => {
                    let _ = writeln!(md, "| {name} | {on} | failed: {e} | | | | |");
                }
            }
        }
        md.push('\n');
        plots.push((
            "study-mlp-vs-esn.png".to_string(),
            BarChart {
                title: "Training seconds (label: held-out accuracy)".into(),
                y_label: "training seconds (log)".into(),
                log_y: true,
                bars,
            }
            .render(),
        ));
    }
    let _ = writeln!(
        md,
        "{} runs in {:.1} s (budget {} s){}.",
        r.runs,
        start.elapsed().as_secs_f64(),
        s.budget.as_secs(),
        if r.skipped > 0 {
            format!("; {} skipped for time", r.skipped)
        } else {
            String::new()
        }
    );
    Ok(StudyOutput {
        markdown: md,
        plots,
        runs: r.runs,
        skipped: r.skipped,
    })
}

/// A study's chart: epochs to target (or the MSE reached) against a setting, both axes
/// logarithmic, a marker at every point.
fn study_chart(title: &str, x_label: &str, y_label: &str, series: Vec<Series>) -> Canvas {
    LineChart {
        title: title.into(),
        x_label: x_label.into(),
        y_label: y_label.into(),
        log_x: true,
        log_y: true,
        markers: true,
        series,
        hlines: vec![],
    }
    .render()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::FeatureKind;
    use crate::model::tests::toy_dataset;

    #[test]
    fn a_small_study_writes_every_table_and_plot_within_budget() {
        let d = toy_dataset(FeatureKind::Paper7);
        let s = StudySettings {
            samples: 300,
            max_epochs: 200,
            target_mse: 0.05,
            lrs: vec![0.5, 2.0],
            inits: vec![0.1, 1.0],
            hiddens: vec![2, 4],
            budget: Duration::from_secs(20),
            ..StudySettings::default()
        };
        let t = Instant::now();
        let mut steps = 0;
        let out = run(&d, &d, &s, &mut |_| steps += 1).unwrap();
        assert!(t.elapsed() < Duration::from_secs(30));
        assert_eq!(out.plots.len(), 6);
        for h in [
            "learning rate",
            "weight-initialisation",
            "hidden nodes",
            "two hidden layers",
            "momentum",
            "MLP vs ESN",
        ] {
            assert!(out.markdown.contains(h), "{h}");
        }
        assert!(out.runs + out.skipped >= 20);
        assert!(steps > 0);
        for (_, c) in &out.plots {
            assert!(c.to_png().is_ok());
        }
    }

    #[test]
    fn an_exhausted_budget_skips_and_says_so() {
        let d = toy_dataset(FeatureKind::Paper7);
        let s = StudySettings {
            budget: Duration::ZERO,
            ..StudySettings::default()
        };
        let out = run(&d, &d, &s, &mut |_| {}).unwrap();
        assert_eq!(out.runs, 0);
        assert!(out.skipped > 0);
        assert!(out.markdown.contains("skipped"));
    }
}
