//! Hyper-parameters of the multi-layer perceptron and their validation (`MlpParams` →
//! `ValidMlpParams`, after linfa): only checked settings can build or train a network.

use serde::{Deserialize, Serialize};

use crate::NnError;

/// Largest number of weights and biases a network may have (2^26 ≈ 67 M; 256 MiB of `f32`).
pub const MAX_PARAMETERS: usize = 1 << 26;
/// Largest width of any layer, including the input and output layers.
pub const MAX_LAYER_WIDTH: usize = 1 << 20;
/// Largest number of hidden layers.
pub const MAX_HIDDEN_LAYERS: usize = 64;

/// The activation of the hidden units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Activation {
    /// Logistic `1 / (1 + e^-x)`: the paper's unit.
    Sigmoid,
    /// Hyperbolic tangent.
    Tanh,
    /// Rectified linear `max(0, x)`.
    Relu,
    /// No non-linearity.
    Identity,
}

/// The output layer's activation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Output {
    /// One or more independent logistic outputs in (0, 1): the paper's single output, 0 normal /
    /// 1 attack. With cross-entropy, each output is a binary cross-entropy term.
    Sigmoid,
    /// One probability per class, summing to 1 (needs at least two outputs).
    Softmax,
    /// Linear outputs (regression; MSE only).
    Identity,
}

/// The training objective.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Loss {
    /// The paper's summed squared error: per sample `½ Σ_j (y_j − t_j)²`, averaged over the
    /// batch for the gradient step. The figure *reported* is the mean squared error
    /// `Σ (y − t)² / (rows · outputs)`, as in the paper's MSE curve.
    Mse,
    /// Cross-entropy: binary per output with [`Output::Sigmoid`], categorical with
    /// [`Output::Softmax`]. Targets must lie in `[0, 1]`.
    CrossEntropy,
}

/// How the weights move along the gradient.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Optimizer {
    /// Steepest descent with momentum, the paper's rule:
    /// `Δw(t) = −lr · ∂E/∂w + momentum · Δw(t−1)`; `momentum = 0` is plain steepest descent.
    Sgd {
        /// Learning rate, finite and > 0.
        lr: f32,
        /// Momentum in `[0, 1)`.
        momentum: f32,
    },
    /// Adam (Kingma & Ba, 2015) with bias correction.
    Adam {
        /// Step size, finite and > 0.
        lr: f32,
        /// Decay of the first moment, in `[0, 1)`.
        beta1: f32,
        /// Decay of the second moment, in `[0, 1)`.
        beta2: f32,
        /// Denominator guard, finite and > 0.
        eps: f32,
    },
}

impl Optimizer {
    /// Adam with the usual defaults (`beta1 = 0.9`, `beta2 = 0.999`, `eps = 1e-8`).
    pub fn adam(lr: f32) -> Optimizer {
        Optimizer::Adam {
            lr,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
        }
    }
}

/// Everything that defines how a multi-layer perceptron is built and trained.
///
/// Construct with [`MlpParams::paper`] (or `Default`, the same) and change fields; check with
/// [`MlpParams::validate`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MlpParams {
    /// Widths of the hidden layers, input side first. Each must be ≥ 1; an empty list is a
    /// network without hidden layer (linear or logistic regression).
    pub hidden: Vec<usize>,
    /// Activation of every hidden layer.
    pub activation: Activation,
    /// Activation of the output layer.
    pub output: Output,
    /// Training objective.
    pub loss: Loss,
    /// Update rule.
    pub optimizer: Optimizer,
    /// Rows per gradient step; `0` (or any value ≥ the number of rows) is full batch, the paper's
    /// steepest descent: one step per epoch on the gradient over the whole training set.
    pub batch_size: usize,
    /// Initial weights and biases are uniform in `[−init_range, init_range)` (the paper studies
    /// this "range of synaptic weights"). Finite and > 0.
    pub init_range: f32,
    /// Most epochs (passes over the training set); ≥ 1.
    pub max_epochs: usize,
    /// Stop as soon as the training MSE is at or below this value (the paper's stop criterion).
    pub target_mse: Option<f32>,
    /// Early stopping: stop when the validation loss has not improved for this many epochs, and
    /// return the weights of the best validation epoch. Needs validation data.
    pub patience: Option<usize>,
    /// Seed of the initial weights and of the shuffles; same seed, same bits.
    pub seed: u64,
    /// Shuffle the rows before each epoch (mini-batch only; full batch does not depend on order).
    pub shuffle: bool,
    /// Per-class weights of each sample's loss. With one output: two weights, for targets < 0.5
    /// (class 0) and ≥ 0.5 (class 1). With several outputs: one per output, the class of a row
    /// being its largest target.
    pub class_weights: Option<Vec<f32>>,
}

impl Default for MlpParams {
    fn default() -> Self {
        MlpParams::paper()
    }
}

impl MlpParams {
    /// The paper's setting: one hidden layer (10 sigmoid units), sigmoid output, summed squared
    /// error, steepest descent with learning rate 0.5 and momentum 0.9 on the full batch, weights
    /// in ±0.5, at most 5000 epochs, stop at a training MSE of 0.01. The paper gives no numbers
    /// for these; they are conventional values for this rule (the `ids study` command varies
    /// them as the paper does).
    pub fn paper() -> Self {
        MlpParams {
            hidden: vec![10],
            activation: Activation::Sigmoid,
            output: Output::Sigmoid,
            loss: Loss::Mse,
            optimizer: Optimizer::Sgd {
                lr: 0.5,
                momentum: 0.9,
            },
            batch_size: 0,
            init_range: 0.5,
            max_epochs: 5000,
            target_mse: Some(0.01),
            patience: None,
            seed: 0,
            shuffle: true,
            class_weights: None,
        }
    }

    /// Checks every setting against a network with `n_inputs` inputs and `n_outputs` outputs.
    pub fn validate(&self, n_inputs: usize, n_outputs: usize) -> Result<ValidMlpParams, NnError> {
        let p = self;
        let width = |name: &'static str, w: usize| {
            if w == 0 {
                Err(NnError::param(name, "must be at least 1"))
            } else if w > MAX_LAYER_WIDTH {
                Err(NnError::param(
                    name,
                    format!("{w} exceeds the limit of {MAX_LAYER_WIDTH}"),
                ))
            } else {
                Ok(())
            }
        };
        width("n_inputs", n_inputs)?;
        width("n_outputs", n_outputs)?;
        if p.hidden.len() > MAX_HIDDEN_LAYERS {
            return Err(NnError::param(
                "hidden",
                format!("more than {MAX_HIDDEN_LAYERS} hidden layers"),
            ));
        }
        for (i, &h) in p.hidden.iter().enumerate() {
            if h == 0 {
                return Err(NnError::param(
                    "hidden",
                    format!("hidden layer {i} has zero units"),
                ));
            }
            width("hidden", h)?;
        }
        let mut sizes = Vec::with_capacity(p.hidden.len() + 2);
        sizes.push(n_inputs);
        sizes.extend_from_slice(&p.hidden);
        sizes.push(n_outputs);
        let mut total: usize = 0;
        for w in sizes.windows(2) {
            // widths ≤ 2^20 each, so (w0 + 1) · w1 < 2^41: no overflow on 64-bit targets.
            let layer = (w[0] as u128 + 1) * w[1] as u128;
            total = total.saturating_add(usize::try_from(layer).unwrap_or(usize::MAX));
        }
        if total > MAX_PARAMETERS {
            return Err(NnError::param(
                "hidden",
                format!("{total} weights exceed the limit of {MAX_PARAMETERS}"),
            ));
        }
        match (p.output, p.loss) {
            (Output::Softmax, _) if n_outputs < 2 => {
                return Err(NnError::param(
                    "output",
                    "softmax needs at least two outputs",
                ));
            }
            (Output::Identity, Loss::CrossEntropy) => {
                return Err(NnError::param(
                    "loss",
                    "cross-entropy needs a sigmoid or softmax output",
                ));
            }
            _ => {}
        }
        match p.optimizer {
            Optimizer::Sgd { lr, momentum } => {
                positive("optimizer.lr", lr)?;
                unit("optimizer.momentum", momentum)?;
            }
            Optimizer::Adam {
                lr,
                beta1,
                beta2,
                eps,
            } => {
                positive("optimizer.lr", lr)?;
                unit("optimizer.beta1", beta1)?;
                unit("optimizer.beta2", beta2)?;
                positive("optimizer.eps", eps)?;
            }
        }
        positive("init_range", p.init_range)?;
        if p.max_epochs == 0 {
            return Err(NnError::param("max_epochs", "must be at least 1"));
        }
        if let Some(t) = p.target_mse {
            if !t.is_finite() || t < 0.0 {
                return Err(NnError::param(
                    "target_mse",
                    format!("{t} is not a finite value ≥ 0"),
                ));
            }
        }
        if p.patience == Some(0) {
            return Err(NnError::param("patience", "must be at least 1"));
        }
        if let Some(cw) = &p.class_weights {
            let want = if n_outputs == 1 { 2 } else { n_outputs };
            if cw.len() != want {
                return Err(NnError::param(
                    "class_weights",
                    format!(
                        "{} weights for {n_outputs} output(s); expected {want}",
                        cw.len()
                    ),
                ));
            }
            if cw.iter().any(|w| !w.is_finite() || *w < 0.0) {
                return Err(NnError::param(
                    "class_weights",
                    "weights must be finite and ≥ 0",
                ));
            }
            if cw.iter().all(|w| *w == 0.0) {
                return Err(NnError::param(
                    "class_weights",
                    "at least one weight must be > 0",
                ));
            }
        }
        Ok(ValidMlpParams {
            params: p.clone(),
            sizes,
        })
    }
}

fn positive(name: &'static str, v: f32) -> Result<(), NnError> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(NnError::param(
            name,
            format!("{v} is not a finite value > 0"),
        ))
    }
}

fn unit(name: &'static str, v: f32) -> Result<(), NnError> {
    if (0.0..1.0).contains(&v) {
        Ok(())
    } else {
        Err(NnError::param(name, format!("{v} is not in [0, 1)")))
    }
}

/// Checked [`MlpParams`] for a given number of inputs and outputs: the only way to build an
/// [`crate::Mlp`].
#[derive(Debug, Clone, PartialEq)]
pub struct ValidMlpParams {
    params: MlpParams,
    sizes: Vec<usize>,
}

impl ValidMlpParams {
    /// The settings.
    pub fn params(&self) -> &MlpParams {
        &self.params
    }

    /// Layer widths, inputs first and outputs last.
    pub fn sizes(&self) -> &[usize] {
        &self.sizes
    }

    /// Number of inputs.
    pub fn n_inputs(&self) -> usize {
        self.sizes[0]
    }

    /// Number of outputs.
    pub fn n_outputs(&self) -> usize {
        self.sizes[self.sizes.len() - 1]
    }
}

impl std::ops::Deref for ValidMlpParams {
    type Target = MlpParams;
    fn deref(&self) -> &MlpParams {
        &self.params
    }
}
