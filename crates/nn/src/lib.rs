#![deny(unsafe_code)]
#![warn(missing_docs)]
//! # nightjar-nn: neural networks for Nightjar's intrusion detector
//!
//! This crate knows nothing of packets: it learns from matrices of numbers. It provides what
//! DESIGN §7 asks of `nn`:
//!
//! * [`Mlp`], a dense multi-layer perceptron trained by backpropagation. The source paper's
//!   setting is [`MlpParams::paper`]: sigmoid units, summed squared error, steepest descent with
//!   learning rate and momentum on the full batch, a weight-initialisation range, a target MSE as
//!   the stop criterion. Beyond it: tanh/ReLU units, softmax and cross-entropy, mini-batches,
//!   Adam, class weights, early stopping on a validation set.
//! * [`Esn`], an echo-state network: a fixed sparse random reservoir scaled to a spectral radius,
//!   and a ridge-regression readout solved by Cholesky in `f64` — the paper's comparison model.
//! * [`metrics`]: confusion matrices, the paper's Table 1, FAR and FRR with the denominators of
//!   DESIGN §1, accuracy, ROC and AUC.
//!
//! ## Settings are checked before use
//! `MlpParams::validate(n_inputs, n_outputs)` → [`ValidMlpParams`] → [`Mlp::new`], and
//! `EsnParams::validate()` → [`ValidEsnParams`] → [`Esn::new`]: a network can only be built
//! from checked settings. Data are checked on entry (shapes, `data.len() == rows·cols`, finite
//! values, target ranges) and reported as [`NnError`], never by a panic. The exceptions are the
//! infallible conveniences documented with `# Panics` ([`Mlp::predict`], [`Matrix::row`], ...),
//! each of which has a `try_` twin or checked alternative.
//!
//! ## Speed
//! Everything runs on contiguous row-major `f32` buffers. Training's forward and backward passes
//! are matrix products by `matrixmultiply`'s SIMD GEMM over chunks of 256 rows, with bias and
//! activation fused in one pass using a vectorisable `exp` ([`math`]). Inference has its own
//! pass for small dense layers (register tiles over the output columns, no operand packing, an
//! AVX2 variant chosen at run time), in which a row's outputs never depend on the other rows of
//! its batch, and an allocation-free path ([`Mlp::predict_into`] with a reused [`Scratch`]).
//!
//! ## Determinism
//! All randomness comes from [`rng::Rng`] (xoshiro256**) seeded by the settings: the same seed
//! and data give bit-identical weights and [`History`], also when training uses several threads
//! (see [`Mlp::set_threads`]).
//!
//! ## Model files
//! [`Mlp::to_bytes`] / [`Mlp::from_bytes`] and [`Esn::to_bytes`] / [`Esn::from_bytes`]: a magic,
//! a format version, the settings, the weights and a CRC-32. Decoding validates everything and
//! rejects trailing bytes; no input makes it panic.

mod codec;
mod error;
pub mod esn;
mod gemm;
pub mod linalg;
pub mod math;
mod matrix;
pub mod metrics;
pub mod mlp;
pub mod rng;

pub use error::NnError;
pub use esn::{Esn, EsnParams, EsnReport, ValidEsnParams};
pub use matrix::Matrix;
pub use metrics::{roc_auc, Confusion, Rate};
pub use mlp::{
    Activation, EpochStats, History, Loss, Mlp, MlpParams, Optimizer, Output, Scratch, StopReason,
    ValidMlpParams,
};
