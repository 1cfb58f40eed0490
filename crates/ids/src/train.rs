//! Training a detector: targets from classes, standardisation, the MLP or ESN, and a model
//! with its training record.

use crate::class::Class;
use crate::dataset::Dataset;
use crate::features::WindowConfig;
use crate::model::{Algo, Model, Net, Scaling};
use crate::IdsError;
use nightjar_nn::{EpochStats, Esn, EsnParams, EsnReport, History, Matrix, Mlp, MlpParams, Output};
use std::time::Instant;

/// How to counter class imbalance in the training rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Balance {
    /// Train on the rows as they are.
    None,
    /// Weight the output classes inversely to their frequency (normal vs attack for binary
    /// models).
    Weights,
    /// Also repeat the rows of rare attack types (up to [`MAX_REPEAT`] times) so that every
    /// attack type present weighs about as much as the others (a slow scan of 30 ports is as
    /// important as a flood of 5,000 packets), then weight as `Weights`. The MLP sees the repeats
    /// in shuffled mini-batches; the ESN, which needs sequences, is not resampled.
    Classes,
}

/// Largest repetition of one row by [`Balance::Classes`].
pub const MAX_REPEAT: usize = 50;

/// How to train.
#[derive(Clone, Debug)]
pub struct TrainSettings {
    pub algo: Algo,
    /// One output (normal 0 / attack 1) or one per class present in the training data.
    pub binary: bool,
    /// MLP settings (the output layer is set from `binary`: sigmoid for binary, softmax for multi).
    pub mlp: MlpParams,
    /// ESN settings.
    pub esn: EsnParams,
    /// Window state capacities recorded in the model.
    pub window: WindowConfig,
    /// How to counter class imbalance.
    pub balance: Balance,
    /// Binary models: outputs at or above it are attacks.
    pub threshold: f32,
    /// Threads for large full batches (results do not depend on it).
    pub threads: usize,
    /// Evidence dropout (MLP): the training rows are repeated `copies` more times, and in each
    /// repeat every feature group (see `FeatureKind::groups`) is hidden — set to its training
    /// mean — with probability `p`. The training run holds redundant evidence (a flood of Xmas
    /// packets to closed ports is recognisable by its flags, its new ports *and* its refusals);
    /// hiding some of it forces the network to learn every kind, so an attack that shows only
    /// some of it (the same flood against an open port is never refused) is still caught.
    pub dropout: Option<(f32, usize)>,
    /// Context dropout (MLP, with `dropout`): in each dropout repeat of a row, with this
    /// probability *all* context features (`FeatureKind::context_mask`: the hosts' and the host
    /// pair's windowed statistics) are hidden at once, leaving the packet's own fields and its
    /// flow. A host that just scanned keeps a scanner's statistics for a minute; without such
    /// rows the network can learn to trust them over the flow's "handshake completed, data both
    /// ways" and reject the host's own normal sessions. Tried on validation in round 3 (see
    /// `RESULTS.md`) without a clear gain, so it is off by default. 0 turns it off (and draws
    /// nothing).
    pub dropout_context: f32,
    /// MLP: train this many networks (seeds `seed`, `seed + 1`, ...) and keep the one with the
    /// lowest balanced validation error (FAR + FRR) / 2 (the lowest training loss without
    /// validation data): model selection on the validation capture, which guards against an
    /// unlucky initialisation.
    pub restarts: usize,
}

/// A trained model and how training went.
pub struct Trained {
    pub model: Model,
    /// MLP: per-epoch history.
    pub history: Option<History>,
    /// ESN: readout fit report.
    pub esn: Option<EsnReport>,
    /// Seconds spent in the learning algorithm (scaling and targets excluded).
    pub fit_seconds: f64,
}

/// The output classes for training rows: `[Normal, OtherAttack]` for binary models, otherwise
/// `Normal` then every attack class present, in [`Class::ALL`] order.
pub fn output_classes(d: &Dataset, binary: bool) -> Vec<Class> {
    if binary {
        return vec![Class::Normal, Class::OtherAttack];
    }
    let n = d.class_counts();
    let mut v = vec![Class::Normal];
    v.extend(
        Class::ALL
            .into_iter()
            .filter(|c| c.is_attack() && n[c.index()] > 0),
    );
    v
}

/// Targets: one column 0/1 for binary models, one-hot rows otherwise. Rows whose class is not
/// among `classes` are left out (returned mask false).
pub fn targets(d: &Dataset, classes: &[Class], binary: bool) -> (Matrix, Vec<bool>) {
    let mut keep = Vec::with_capacity(d.rows());
    if binary {
        let y: Vec<f32> =
            d.y.iter()
                .map(|c| f32::from(u8::from(c.is_attack())))
                .collect();
        keep.resize(d.rows(), true);
        return (Matrix::column(&y), keep);
    }
    let k = classes.len();
    let mut data = Vec::with_capacity(d.rows() * k);
    for c in &d.y {
        match classes.iter().position(|x| x == c) {
            Some(i) => {
                let at = data.len();
                data.resize(at + k, 0.0);
                data[at + i] = 1.0;
                keep.push(true);
            }
            None => keep.push(false),
        }
    }
    let rows = keep.iter().filter(|k| **k).count();
    (
        Matrix {
            rows,
            cols: k,
            data,
        },
        keep,
    )
}

fn scaled(d: &Dataset, keep: &[bool], scaling: &Scaling) -> Matrix {
    let mut data = Vec::with_capacity(d.x.len());
    for (i, k) in keep.iter().enumerate() {
        if *k {
            data.extend_from_slice(d.row(i));
        }
    }
    scaling.apply(&mut data);
    Matrix {
        rows: data.len() / d.cols.max(1),
        cols: d.cols,
        data,
    }
}

/// Class weights inversely proportional to frequency (mean weight over rows = 1), capped at 50.
fn balance_weights(y: &Matrix, binary: bool) -> Vec<f32> {
    let k = if binary { 2 } else { y.cols };
    let mut n = vec![0f64; k];
    for row in y.data.chunks_exact(y.cols.max(1)) {
        let c = if binary {
            usize::from(row[0] > 0.5)
        } else {
            row.iter().position(|v| *v > 0.5).unwrap_or(0)
        };
        n[c] += 1.0;
    }
    let total: f64 = n.iter().sum();
    let present = n.iter().filter(|c| **c > 0.0).count().max(1) as f64;
    n.iter()
        .map(|c| {
            if *c > 0.0 {
                (total / (present * c)).min(50.0) as f32
            } else {
                0.0
            }
        })
        .collect()
}

/// Repeat the rows of rare attack classes so each attack class present has about the mean
/// attack-class count (at most [`MAX_REPEAT`] copies of a row). Normal rows are kept once.
fn oversample(x: &Matrix, y: &Matrix, classes: &[Class], keep: &[bool]) -> (Matrix, Matrix) {
    let kept: Vec<Class> = classes
        .iter()
        .zip(keep)
        .filter(|(_, k)| **k)
        .map(|(c, _)| *c)
        .collect();
    let mut n = [0usize; 15];
    for c in &kept {
        n[c.index()] += 1;
    }
    let present: Vec<usize> = (1..15).filter(|&i| n[i] > 0).collect();
    if present.is_empty() {
        return (x.clone(), y.clone());
    }
    let mean = present.iter().map(|&i| n[i]).sum::<usize>() / present.len();
    let mut reps = [1usize; 15];
    for &i in &present {
        reps[i] = (mean / n[i]).clamp(1, MAX_REPEAT);
    }
    let (xc, yc) = (x.cols, y.cols);
    let mut xd = Vec::with_capacity(x.data.len());
    let mut yd = Vec::with_capacity(y.data.len());
    for (r, c) in kept.iter().enumerate() {
        for _ in 0..reps[c.index()] {
            xd.extend_from_slice(&x.data[r * xc..(r + 1) * xc]);
            yd.extend_from_slice(&y.data[r * yc..(r + 1) * yc]);
        }
    }
    (
        Matrix {
            rows: xd.len() / xc.max(1),
            cols: xc,
            data: xd,
        },
        Matrix {
            rows: yd.len() / yc.max(1),
            cols: yc,
            data: yd,
        },
    )
}

/// Append `copies` repeats of the rows in which each feature group is zeroed (in standardised
/// units: set to the training mean) with probability `p`.
#[allow(clippy::too_many_arguments)]
fn evidence_dropout(
    x: &Matrix,
    y: &Matrix,
    groups: &[usize],
    context: &[bool],
    p: f32,
    p_context: f32,
    copies: usize,
    seed: u64,
) -> (Matrix, Matrix) {
    let n_groups = groups.iter().max().map_or(0, |g| g + 1);
    let mut rng = nightjar_nn::rng::Rng::new(seed ^ 0xD80F_0D80);
    let mut xd = x.data.clone();
    let mut yd = y.data.clone();
    xd.reserve(x.data.len() * copies);
    yd.reserve(y.data.len() * copies);
    let mut hide = vec![false; n_groups];
    for _ in 0..copies {
        for r in 0..x.rows {
            for h in hide.iter_mut() {
                *h = rng.next_f32() < p;
            }
            let no_context = p_context > 0.0 && rng.next_f32() < p_context;
            let at = xd.len();
            xd.extend_from_slice(&x.data[r * x.cols..(r + 1) * x.cols]);
            for ((v, g), c) in xd[at..].iter_mut().zip(groups).zip(context) {
                if hide[*g] || (no_context && *c) {
                    *v = 0.0;
                }
            }
            yd.extend_from_slice(&y.data[r * y.cols..(r + 1) * y.cols]);
        }
    }
    (
        Matrix {
            rows: xd.len() / x.cols.max(1),
            cols: x.cols,
            data: xd,
        },
        Matrix {
            rows: yd.len() / y.cols.max(1),
            cols: y.cols,
            data: yd,
        },
    )
}

/// (FAR + FRR) / 2 of the attack/normal verdicts on standardised rows `x` with targets `y`.
fn balanced_error(
    m: &Mlp,
    x: &Matrix,
    y: &Matrix,
    binary: bool,
    threshold: f32,
) -> Result<f32, IdsError> {
    let p = m.try_predict(x)?;
    let k = y.cols.max(1);
    let argmax = |r: &[f32]| {
        let mut b = 0;
        for (i, v) in r.iter().enumerate() {
            if *v > r[b] {
                b = i;
            }
        }
        b
    };
    let (mut att, mut missed, mut nor, mut rejected) = (0u64, 0u64, 0u64, 0u64);
    for (pr, tr) in p.data.chunks_exact(k).zip(y.data.chunks_exact(k)) {
        let (is_att, said_att) = if binary {
            (tr[0] > 0.5, pr[0] >= threshold)
        } else {
            (argmax(tr) != 0, argmax(pr) != 0)
        };
        if is_att {
            att += 1;
            missed += u64::from(!said_att);
        } else {
            nor += 1;
            rejected += u64::from(said_att);
        }
    }
    let rate = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f32 / b as f32 };
    Ok((rate(missed, att) + rate(rejected, nor)) / 2.0)
}

/// Train on `train`, watching `val` (early stopping for the MLP when `mlp.patience` is set).
pub fn train(
    train: &Dataset,
    val: Option<&Dataset>,
    s: &TrainSettings,
    on_epoch: &mut dyn FnMut(&EpochStats),
) -> Result<Trained, IdsError> {
    if train.rows() == 0 {
        return Err(IdsError::Data("no training packets".into()));
    }
    let counts = train.class_counts();
    let attacks: usize = counts[1..].iter().sum();
    if attacks == 0 || counts[0] == 0 {
        return Err(IdsError::Data(format!(
            "training needs both normal and attack packets ({} normal, {attacks} attack)",
            counts[0]
        )));
    }
    if let Some(v) = val {
        if v.kind != train.kind {
            return Err(IdsError::Config(
                "validation features differ from training".into(),
            ));
        }
    }
    let classes = output_classes(train, s.binary);
    let scaling = Scaling::fit(&train.x, train.cols);
    let (y, keep) = targets(train, &classes, s.binary);
    let x = scaled(train, &keep, &scaling);
    let valm = val.map(|v| {
        let (vy, vk) = targets(v, &classes, s.binary);
        (scaled(v, &vk, &scaling), vy)
    });
    let valm = valm.filter(|(vx, _)| vx.rows > 0);
    let n_out = if s.binary { 1 } else { classes.len() };
    let mut history = None;
    let mut esn_report = None;
    let mut restarts: Option<(u64, Vec<serde_json::Value>)> = None;
    let t0 = Instant::now();
    let net = match s.algo {
        Algo::Mlp => {
            let mut p = s.mlp.clone();
            p.output = if s.binary {
                Output::Sigmoid
            } else {
                Output::Softmax
            };
            let (x, y) = if s.balance == Balance::Classes {
                oversample(&x, &y, &train.y, &keep)
            } else {
                (x, y)
            };
            let (x, y) = match s.dropout {
                Some((prob, copies)) if prob > 0.0 && copies > 0 => evidence_dropout(
                    &x,
                    &y,
                    &train.kind.groups(),
                    &train.kind.context_mask(),
                    prob,
                    s.dropout_context,
                    copies,
                    s.mlp.seed,
                ),
                _ => (x, y),
            };
            if s.balance != Balance::None {
                p.class_weights = Some(balance_weights(&y, s.binary));
            }
            if valm.is_none() {
                p.patience = None;
            }
            let mut best: Option<(f32, u64, Mlp, History)> = None;
            let mut tried = Vec::new();
            for k in 0..s.restarts.max(1) as u64 {
                let mut pk = p.clone();
                pk.seed = p.seed.wrapping_add(k);
                let vp = pk.validate(train.cols, n_out)?;
                let mut m = Mlp::new(&vp);
                m.set_threads(s.threads.max(1));
                let h = m.train(&x, &y, valm.as_ref().map(|(a, b)| (a, b)), on_epoch)?;
                let at = h.best_epoch.saturating_sub(1);
                let score = match &valm {
                    Some((vx, vy)) => balanced_error(&m, vx, vy, s.binary, s.threshold)?,
                    None => h.train_loss.get(at).copied().unwrap_or(f32::INFINITY),
                };
                let score = if score.is_nan() { f32::INFINITY } else { score };
                tried.push(
                    serde_json::json!({"seed": pk.seed, "loss": score, "epochs": h.epochs_run}),
                );
                if best.as_ref().is_none_or(|b| score < b.0) {
                    best = Some((score, pk.seed, m, h));
                }
            }
            let Some((_, seed, m, h)) = best else {
                return Err(IdsError::Config("no restart ran".into()));
            };
            restarts = Some((seed, tried));
            history = Some(h);
            Net::Mlp(Box::new(m))
        }
        Algo::Esn => {
            let vp = s.esn.validate()?;
            let mut e = Esn::new(&vp, train.cols, n_out);
            // one sequence per capture, in time order
            let mut seqs: Vec<(Matrix, Matrix)> = Vec::new();
            let mut row = 0;
            for c in &train.captures {
                let kept: usize = keep[c.rows.clone()].iter().filter(|k| **k).count();
                let xs = Matrix {
                    rows: kept,
                    cols: x.cols,
                    data: x.data[row * x.cols..(row + kept) * x.cols].to_vec(),
                };
                let ys = Matrix {
                    rows: kept,
                    cols: y.cols,
                    data: y.data[row * y.cols..(row + kept) * y.cols].to_vec(),
                };
                row += kept;
                if kept > s.esn.washout {
                    seqs.push((xs, ys));
                }
            }
            let refs: Vec<(&Matrix, &Matrix)> = seqs.iter().map(|(a, b)| (a, b)).collect();
            if refs.is_empty() {
                return Err(IdsError::Data(format!(
                    "no capture is longer than the ESN washout of {} packets",
                    s.esn.washout
                )));
            }
            esn_report = Some(e.fit(&refs)?);
            Net::Esn(Box::new(e))
        }
    };
    let fit_seconds = t0.elapsed().as_secs_f64();
    let mut training = serde_json::json!({
        "captures": train.captures.iter().map(|c| c.name.clone()).collect::<Vec<_>>(),
        "validation": val.map(|v| v.captures.iter().map(|c| c.name.clone()).collect::<Vec<_>>()),
        "rows": train.rows(),
        "class_counts": Class::ALL.iter().filter(|c| counts[c.index()] > 0)
            .map(|c| (c.as_str().to_string(), serde_json::json!(counts[c.index()])))
            .collect::<serde_json::Map<_, _>>(),
        "balance": format!("{:?}", s.balance),
        "dropout": s.dropout.map(|(p, k)| serde_json::json!({"p": p, "copies": k, "context": s.dropout_context})),
        "fit_seconds": fit_seconds,
    });
    if let Some(h) = &history {
        training["mlp"] = serde_json::to_value(&s.mlp).unwrap_or_default();
        training["epochs_run"] = h.epochs_run.into();
        training["best_epoch"] = h.best_epoch.into();
        training["stopped"] = serde_json::to_value(h.stopped).unwrap_or_default();
        training["train_mse"] = serde_json::to_value(&h.train_mse).unwrap_or_default();
        training["val_mse"] = serde_json::to_value(&h.val_mse).unwrap_or_default();
    }
    if let Some((seed, tried)) = &restarts {
        training["chosen_seed"] = (*seed).into();
        training["restarts"] = serde_json::Value::Array(tried.clone());
    }
    if let Some(r) = &esn_report {
        training["esn"] = serde_json::to_value(&s.esn).unwrap_or_default();
        training["esn_train_mse"] = serde_json::json!(r.train_mse);
    }
    let model = Model {
        kind: train.kind,
        algo: s.algo,
        binary: s.binary,
        classes,
        threshold: s.threshold,
        scaling,
        window: s.window,
        training,
        net,
    };
    Ok(Trained {
        model,
        history,
        esn: esn_report,
        fit_seconds,
    })
}
