//! The training loop: epochs, batches, optimizers, stop criteria.

use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::{Mlp, Optimizer};
use crate::rng::Rng;
use crate::{Matrix, NnError};

/// What happened in one epoch, passed to the `on_epoch` callback.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochStats {
    /// Epoch number, counted from 1.
    pub epoch: usize,
    /// Mean squared error on the training set, `Σ(y−t)² / (rows·outputs)`, measured during the
    /// epoch's pass (averaged over its batches; full batch: the weights at the start of the
    /// epoch).
    pub train_mse: f32,
    /// Mean squared error on the validation set after the epoch, if one was given.
    pub val_mse: Option<f32>,
    /// Wall-clock seconds of the epoch (including validation).
    pub seconds: f64,
    /// Training objective (mean weighted loss per row), measured like `train_mse`.
    pub train_loss: f32,
    /// Validation objective after the epoch (what early stopping watches).
    pub val_loss: Option<f32>,
}

/// Why training stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StopReason {
    /// `max_epochs` epochs ran.
    MaxEpochs,
    /// The training MSE reached `target_mse`.
    TargetReached,
    /// The validation loss did not improve for `patience` epochs; the best weights were restored.
    EarlyStopped,
    /// The loss became NaN or infinite (learning rate too high); the failing step was not
    /// applied.
    Diverged,
}

/// The record of a training run. Deterministic: same seed and data, same history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct History {
    /// Training MSE per epoch (index `e − 1` for epoch `e`).
    pub train_mse: Vec<f32>,
    /// Validation MSE per epoch (empty without validation data).
    pub val_mse: Vec<f32>,
    /// Training objective per epoch.
    pub train_loss: Vec<f32>,
    /// Validation objective per epoch (empty without validation data).
    pub val_loss: Vec<f32>,
    /// Epochs that ran.
    pub epochs_run: usize,
    /// The epoch whose end-of-epoch weights the model holds now: the best validation epoch after
    /// early stopping, otherwise the last epoch run.
    pub best_epoch: usize,
    /// The first epoch whose training MSE was at or below `target_mse`.
    pub reached_target_at: Option<usize>,
    /// Why training stopped.
    pub stopped: StopReason,
}

enum OptState {
    Sgd { velocity: Vec<f32> },
    Adam { m: Vec<f32>, v: Vec<f32>, t: i32 },
}

impl OptState {
    fn new(o: Optimizer, n: usize) -> OptState {
        match o {
            Optimizer::Sgd { .. } => OptState::Sgd {
                velocity: vec![0.0; n],
            },
            Optimizer::Adam { .. } => OptState::Adam {
                m: vec![0.0; n],
                v: vec![0.0; n],
                t: 0,
            },
        }
    }

    fn step(&mut self, o: Optimizer, theta: &mut [f32], grad: &[f32]) {
        match (self, o) {
            (OptState::Sgd { velocity }, Optimizer::Sgd { lr, momentum }) => {
                for ((w, v), g) in theta.iter_mut().zip(velocity.iter_mut()).zip(grad) {
                    *v = momentum * *v - lr * g;
                    *w += *v;
                }
            }
            (
                OptState::Adam { m, v, t },
                Optimizer::Adam {
                    lr,
                    beta1,
                    beta2,
                    eps,
                },
            ) => {
                *t = t.saturating_add(1);
                let c1 = 1.0 - beta1.powi(*t);
                let c2 = 1.0 - beta2.powi(*t);
                // θ −= lr · m̂ / (√v̂ + ε) with m̂ = m/c1, v̂ = v/c2, rearranged to one division.
                let a = lr / c1;
                let inv_sqrt_c2 = 1.0 / c2.sqrt();
                for (((w, mi), vi), g) in theta
                    .iter_mut()
                    .zip(m.iter_mut())
                    .zip(v.iter_mut())
                    .zip(grad)
                {
                    *mi = beta1 * *mi + (1.0 - beta1) * g;
                    *vi = beta2 * *vi + (1.0 - beta2) * g * g;
                    *w -= a * *mi / (vi.sqrt() * inv_sqrt_c2 + eps);
                }
            }
            // The state is built from the same optimizer it is stepped with.
            _ => {}
        }
    }
}

/// Copies rows `idx` of a row-major matrix of width `w` into the front of `dst`.
///
/// Rows are short (a few to a few dozen values), so the copy is written as fixed-size moves: a
/// `memcpy` call per row would cost more than the row's share of a training step.
fn gather(src: &[f32], w: usize, idx: &[usize], dst: &mut [f32]) {
    if w == 0 {
        return;
    }
    for (d, &i) in dst.chunks_exact_mut(w).zip(idx) {
        copy_short(d, &src[i * w..(i + 1) * w]);
    }
}

/// `d.copy_from_slice(s)` (equal lengths) as 8-value blocks and one constant-size tail.
#[inline(always)]
fn copy_short(d: &mut [f32], s: &[f32]) {
    fn fixed<const N: usize>(d: &mut [f32], s: &[f32]) {
        d[..N].copy_from_slice(&s[..N]);
    }
    let mut dc = d.chunks_exact_mut(8);
    let mut sc = s.chunks_exact(8);
    for (a, b) in (&mut dc).zip(&mut sc) {
        fixed::<8>(a, b);
    }
    let (d, s) = (dc.into_remainder(), sc.remainder());
    match d.len().min(s.len()) {
        1 => fixed::<1>(d, s),
        2 => fixed::<2>(d, s),
        3 => fixed::<3>(d, s),
        4 => fixed::<4>(d, s),
        5 => fixed::<5>(d, s),
        6 => fixed::<6>(d, s),
        7 => fixed::<7>(d, s),
        _ => {}
    }
}

impl Mlp {
    /// Trains on rows of `x` with targets `y` (`rows × n_outputs`), optionally watching a
    /// validation set, calling `on_epoch` after every epoch.
    ///
    /// * Batches: `batch_size` rows per step, rows shuffled each epoch when `shuffle` is set;
    ///   `batch_size == 0` (or ≥ rows) is full-batch steepest descent, one step per epoch.
    /// * `target_mse`: training stops after the first epoch whose training MSE is at or below
    ///   it. With a full batch the MSE is measured before the epoch's step and that step is not
    ///   taken, so the model returned has exactly the reported MSE.
    /// * `patience`: needs `validation`; stops when the validation loss has not improved for
    ///   that many epochs and restores the weights of the best epoch.
    /// * Optimizer state (momentum, Adam moments) starts from zero on every call.
    pub fn train(
        &mut self,
        x: &Matrix,
        y: &Matrix,
        validation: Option<(&Matrix, &Matrix)>,
        on_epoch: &mut dyn FnMut(&EpochStats),
    ) -> Result<History, NnError> {
        self.check_xy(x, y, "x", "y")?;
        if let Some((vx, vy)) = validation {
            self.check_xy(vx, vy, "validation x", "validation y")?;
        }
        if self.params.patience.is_some() && validation.is_none() {
            return Err(NnError::param(
                "patience",
                "early stopping needs validation data",
            ));
        }
        let p = self.params.params().clone();
        let (n, n_in, n_out) = (x.rows, self.n_inputs(), self.n_outputs());
        let bs = if p.batch_size == 0 || p.batch_size >= n {
            n
        } else {
            p.batch_size
        };
        let full = bs == n;
        let mut rng = Rng::new(p.seed ^ 0x5EED_5F1E_u64.rotate_left(32));
        let mut order: Vec<usize> = (0..n).collect();
        let (mut xb, mut yb) = if full {
            (Vec::new(), Vec::new())
        } else {
            (vec![0.0; bs * n_in], vec![0.0; bs * n_out])
        };
        let mut works = self.works(bs);
        let mut opt = OptState::new(p.optimizer, self.theta.len());
        let mut h = History {
            train_mse: Vec::new(),
            val_mse: Vec::new(),
            train_loss: Vec::new(),
            val_loss: Vec::new(),
            epochs_run: 0,
            best_epoch: 0,
            reached_target_at: None,
            stopped: StopReason::MaxEpochs,
        };
        let mut best: Option<(f32, usize, Vec<f32>)> = None;
        let target = p.target_mse;

        for epoch in 1..=p.max_epochs {
            let t0 = Instant::now();
            if !full && p.shuffle {
                rng.shuffle(&mut order);
            }
            let (mut loss, mut sq) = (0.0f64, 0.0f64);
            let mut diverged = false;
            let mut reached = false;
            let mut start = 0;
            while start < n {
                let rows = bs.min(n - start);
                let (xs, ys): (&[f32], &[f32]) = if full {
                    (&x.data, &y.data)
                } else {
                    let idx = &order[start..start + rows];
                    gather(&x.data, n_in, idx, &mut xb);
                    gather(&y.data, n_out, idx, &mut yb);
                    (&xb[..rows * n_in], &yb[..rows * n_out])
                };
                self.batch_gradient(xs, ys, rows, &mut works)?;
                let w = &works[0];
                loss += w.loss;
                sq += w.sq;
                if !w.loss.is_finite() || !w.sq.is_finite() {
                    diverged = true;
                    break;
                }
                if full {
                    let mse = (sq / (n * n_out) as f64) as f32;
                    if target.is_some_and(|t| mse <= t) {
                        reached = true;
                        break;
                    }
                }
                opt.step(p.optimizer, &mut self.theta, &w.grad);
                start += rows;
            }
            let train_mse = (sq / (n * n_out) as f64) as f32;
            let train_loss = (loss / n as f64) as f32;
            if !full && target.is_some_and(|t| train_mse <= t) {
                reached = true;
            }
            let (val_loss, val_mse) = match validation {
                Some((vx, vy)) if !diverged => {
                    let (l, s) = self.eval_sums(vx, vy)?;
                    let m = vx.rows as f64;
                    (Some((l / m) as f32), Some((s / (m * n_out as f64)) as f32))
                }
                _ => (None, None),
            };
            h.epochs_run = epoch;
            h.train_mse.push(train_mse);
            h.train_loss.push(train_loss);
            if let (Some(vl), Some(vm)) = (val_loss, val_mse) {
                h.val_loss.push(vl);
                h.val_mse.push(vm);
            }
            on_epoch(&EpochStats {
                epoch,
                train_mse,
                val_mse,
                seconds: t0.elapsed().as_secs_f64(),
                train_loss,
                val_loss,
            });
            if diverged {
                h.stopped = StopReason::Diverged;
                break;
            }
            if reached {
                h.reached_target_at = Some(epoch);
                h.stopped = StopReason::TargetReached;
                break;
            }
            if let (Some(patience), Some(vl)) = (p.patience, val_loss) {
                let improved = vl.is_finite() && best.as_ref().is_none_or(|(b, _, _)| vl < *b);
                if improved {
                    match &mut best {
                        Some((b, e, w)) => {
                            *b = vl;
                            *e = epoch;
                            w.copy_from_slice(&self.theta);
                        }
                        None => best = Some((vl, epoch, self.theta.clone())),
                    }
                } else if best.as_ref().is_some_and(|(_, e, _)| epoch - e >= patience) {
                    h.stopped = StopReason::EarlyStopped;
                    break;
                }
            }
        }
        h.best_epoch = h.epochs_run;
        if let Some((_, e, w)) = best {
            if h.stopped != StopReason::TargetReached && e != h.epochs_run {
                self.theta.copy_from_slice(&w);
                h.best_epoch = e;
            }
        }
        Ok(h)
    }
}
