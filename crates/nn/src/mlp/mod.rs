//! The multi-layer perceptron: batched forward pass, backpropagation, training loop.
//!
//! # Layout and computation
//! All weights and biases live in one flat `Vec<f32>` (`theta`): for each layer `l` the weight
//! matrix `W_l` (row-major, `inputs × outputs`) followed by the bias `b_l`. Gradients and
//! optimizer state use the same layout, so an update is one pass over flat vectors.
//!
//! A batch is processed in chunks of [`CHUNK`] rows so that the activations of a chunk stay in
//! cache. Per chunk, per layer: `Z = A·W` (one GEMM), then bias and activation in one pass.
//! Backward: `∂W += Aᵀ·Δ` and `Δ_prev = (Δ·Wᵀ) ⊙ f'(A)` (two GEMMs), the derivative taken from
//! the activation's output, so pre-activations are never stored.
//!
//! Inference ([`Mlp::try_predict_into`] and the other `predict` methods) does not use the GEMM:
//! `infer` has a pass for small dense layers that needs no packing and gives every row outputs
//! that do not depend on the other rows of its batch (see there). Training and
//! [`Mlp::evaluate`] keep the GEMM forward pass.
//!
//! # Determinism
//! Batches of at least [`SHARD_ROWS`] rows are split into a fixed number of shards that depends
//! only on the batch's row count. Each shard accumulates its own gradient; the shard gradients
//! are then summed in shard order. With several threads the shards run in parallel, with one
//! they run in turn: the arithmetic, and so every bit of the result, is the same either way.

mod codec;
mod infer;
mod params;
mod train;

pub use params::{
    Activation, Loss, MlpParams, Optimizer, Output, ValidMlpParams, MAX_HIDDEN_LAYERS,
    MAX_LAYER_WIDTH, MAX_PARAMETERS,
};
pub use train::{EpochStats, History, StopReason};

use crate::gemm::{gemm, Layout};
use crate::math;
use crate::rng::Rng;
use crate::{Matrix, NnError};

/// Rows per chunk of the forward and backward passes.
pub const CHUNK: usize = 256;
/// A batch is sharded (and may use several threads) from this many rows per shard.
pub const SHARD_ROWS: usize = 8192;
/// Most shards per batch (and so most useful threads).
pub const MAX_SHARDS: usize = 4;

/// A trained or freshly initialised multi-layer perceptron.
///
/// Two models are equal when their settings and every weight are equal (the thread count set
/// by [`Mlp::set_threads`] is an execution choice, not part of the model).
#[derive(Clone)]
pub struct Mlp {
    params: ValidMlpParams,
    /// Flat weights and biases, layer after layer: `W_0, b_0, W_1, b_1, ...`.
    theta: Vec<f32>,
    /// `(offset of W_l, offset of b_l)` in `theta`.
    offsets: Vec<(usize, usize)>,
    threads: usize,
}

/// Reusable buffers for [`Mlp::predict_into`]: after the first call with a given model no
/// further allocation happens.
#[derive(Debug, Default, Clone)]
pub struct Scratch {
    acts: Vec<Vec<f32>>,
}

impl Scratch {
    /// Empty buffers (they grow on first use).
    pub fn new() -> Scratch {
        Scratch::default()
    }

    fn fit(&mut self, sizes: &[usize]) {
        let layers = sizes.len() - 1;
        self.acts.resize_with(layers, Vec::new);
        for (a, &w) in self.acts.iter_mut().zip(&sizes[1..]) {
            a.resize(CHUNK * w, 0.0);
        }
    }
}

/// Per-shard working memory of a training pass.
#[derive(Debug, Default)]
pub(crate) struct Work {
    acts: Vec<Vec<f32>>,
    d0: Vec<f32>,
    d1: Vec<f32>,
    tmp: Vec<f32>,
    rw: Vec<f32>,
    grad: Vec<f32>,
    /// Weighted objective, summed over rows.
    loss: f64,
    /// Unweighted squared error, summed over rows and outputs.
    sq: f64,
}

impl Work {
    fn new(sizes: &[usize], n_params: usize) -> Work {
        let maxw = sizes.iter().copied().max().unwrap_or(1);
        Work {
            acts: sizes[1..].iter().map(|&w| vec![0.0; CHUNK * w]).collect(),
            d0: vec![0.0; CHUNK * maxw],
            d1: vec![0.0; CHUNK * maxw],
            tmp: vec![0.0; CHUNK * sizes[sizes.len() - 1]],
            rw: vec![0.0; CHUNK],
            grad: vec![0.0; n_params],
            loss: 0.0,
            sq: 0.0,
        }
    }
}

fn layout(sizes: &[usize]) -> (Vec<(usize, usize)>, usize) {
    let mut off = 0;
    let mut offsets = Vec::with_capacity(sizes.len() - 1);
    for w in sizes.windows(2) {
        let wo = off;
        let bo = wo + w[0] * w[1];
        off = bo + w[1];
        offsets.push((wo, bo));
    }
    (offsets, off)
}

impl PartialEq for Mlp {
    fn eq(&self, other: &Mlp) -> bool {
        self.params == other.params && self.theta == other.theta
    }
}

impl std::fmt::Debug for Mlp {
    /// Settings and sizes, not the (possibly millions of) weights.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mlp")
            .field("sizes", &self.sizes())
            .field("parameters", &self.theta.len())
            .field("params", self.params.params())
            .field("threads", &self.threads)
            .finish()
    }
}

impl Mlp {
    /// A network with weights and biases drawn uniformly from `±init_range` with the seed.
    pub fn new(p: &ValidMlpParams) -> Mlp {
        let (offsets, n) = layout(p.sizes());
        let mut rng = Rng::new(p.seed);
        let theta = (0..n).map(|_| rng.uniform_sym(p.init_range)).collect();
        Mlp {
            params: p.clone(),
            theta,
            offsets,
            threads: 1,
        }
    }

    /// The settings the network was built with.
    pub fn params(&self) -> &ValidMlpParams {
        &self.params
    }

    /// Number of inputs.
    pub fn n_inputs(&self) -> usize {
        self.params.n_inputs()
    }

    /// Number of outputs.
    pub fn n_outputs(&self) -> usize {
        self.params.n_outputs()
    }

    /// Layer widths, inputs first.
    pub fn sizes(&self) -> &[usize] {
        self.params.sizes()
    }

    /// Threads used by [`Mlp::train`] for batches of at least [`SHARD_ROWS`] rows (default 1).
    /// Results are bit-identical for every thread count.
    pub fn set_threads(&mut self, threads: usize) {
        self.threads = threads.clamp(1, MAX_SHARDS);
    }

    /// The thread count set by [`Mlp::set_threads`].
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// All weights and biases, flat: for each layer the row-major `inputs × outputs` weight
    /// matrix, then the biases.
    pub fn parameters(&self) -> &[f32] {
        &self.theta
    }

    /// Replaces all weights and biases (same layout as [`Mlp::parameters`]; values finite).
    pub fn set_parameters(&mut self, p: &[f32]) -> Result<(), NnError> {
        if p.len() != self.theta.len() {
            return Err(NnError::shape(
                "set_parameters",
                format!("{} values", self.theta.len()),
                format!("{}", p.len()),
            ));
        }
        if p.iter().any(|v| !v.is_finite()) {
            return Err(NnError::BadData("parameters must be finite".into()));
        }
        self.theta.copy_from_slice(p);
        Ok(())
    }

    /// Layer `l`'s weights (row-major `inputs × outputs`) and biases; `None` past the last layer.
    pub fn layer(&self, l: usize) -> Option<(&[f32], &[f32])> {
        let &(wo, bo) = self.offsets.get(l)?;
        let n_out = self.sizes()[l + 1];
        Some((&self.theta[wo..bo], &self.theta[bo..bo + n_out]))
    }

    fn n_layers(&self) -> usize {
        self.offsets.len()
    }

    /// Forward pass of `rows ≤ CHUNK` rows of `x` into `acts` (one buffer per layer).
    fn forward_chunk(&self, x: &[f32], rows: usize, acts: &mut [Vec<f32>]) -> Result<(), NnError> {
        let sizes = self.sizes();
        let last = self.n_layers() - 1;
        for l in 0..=last {
            let (n_in, n_out) = (sizes[l], sizes[l + 1]);
            let (wo, bo) = self.offsets[l];
            let (w, b) = (&self.theta[wo..bo], &self.theta[bo..bo + n_out]);
            let (prev, cur) = acts.split_at_mut(l);
            let input = if l == 0 {
                &x[..rows * n_in]
            } else {
                &prev[l - 1][..rows * n_in]
            };
            let z = &mut cur[0][..rows * n_out];
            gemm(
                rows,
                n_in,
                n_out,
                1.0,
                input,
                Layout::RowMajor,
                w,
                Layout::RowMajor,
                0.0,
                z,
            )?;
            if l < last {
                math::bias_activate(self.params.activation, z, b);
            } else {
                match self.params.output {
                    Output::Sigmoid => math::bias_activate(Activation::Sigmoid, z, b),
                    Output::Identity => math::bias_activate(Activation::Identity, z, b),
                    Output::Softmax => {
                        math::bias_activate(Activation::Identity, z, b);
                        math::softmax_rows(z, n_out);
                    }
                }
            }
        }
        Ok(())
    }

    /// Class weight of a target row.
    #[inline]
    fn row_weight(cw: Option<&[f32]>, t: &[f32]) -> f32 {
        match cw {
            None => 1.0,
            Some(cw) if t.len() == 1 => {
                if t[0] >= 0.5 {
                    cw[1]
                } else {
                    cw[0]
                }
            }
            Some(cw) => {
                let mut best = 0;
                for (j, &v) in t.iter().enumerate() {
                    if v > t[best] {
                        best = j;
                    }
                }
                cw[best]
            }
        }
    }

    /// Output error terms `δ = ∂(scale · Σ_rows loss)/∂z` for one chunk into `delta`, and the
    /// chunk's weighted loss and unweighted squared error. `tmp` and `rw` are scratch of at
    /// least `y.len()` and `rows` values. Written as whole-chunk loops so they vectorise.
    fn output_delta(
        &self,
        y: &[f32],
        t: &[f32],
        scale: f32,
        delta: &mut [f32],
        tmp: &mut [f32],
        rw: &mut [f32],
    ) -> (f64, f64) {
        const TINY: f32 = 1e-12;
        let n = self.n_outputs();
        let len = y.len();
        let rows = len / n;
        let (delta, tmp, rw) = (&mut delta[..len], &mut tmp[..len], &mut rw[..rows]);
        let weighted = match self.params.class_weights.as_deref() {
            Some(cw) => {
                for (w, tr) in rw.iter_mut().zip(t.chunks_exact(n)) {
                    *w = Self::row_weight(Some(cw), tr);
                }
                true
            }
            None => false,
        };
        for ((d, &yv), &tv) in delta.iter_mut().zip(y).zip(t) {
            *d = yv - tv;
        }
        for (q, &d) in tmp.iter_mut().zip(delta.iter()) {
            *q = d * d;
        }
        let sq = math::sum(tmp) as f64;
        // Per-element loss into `tmp`, δ before the row weight and scale into `delta`.
        match (self.params.output, self.params.loss) {
            (Output::Identity, _) => tmp.iter_mut().for_each(|q| *q *= 0.5),
            (Output::Sigmoid, Loss::Mse) => {
                tmp.iter_mut().for_each(|q| *q *= 0.5);
                for (d, &yv) in delta.iter_mut().zip(y) {
                    *d *= yv * (1.0 - yv);
                }
            }
            (Output::Softmax, Loss::Mse) => {
                tmp.iter_mut().for_each(|q| *q *= 0.5);
                // δ_j = y_j (g_j − Σ_k g_k y_k), g = y − t: the softmax Jacobian applied to g.
                for (dr, yr) in delta.chunks_exact_mut(n).zip(y.chunks_exact(n)) {
                    let gy: f32 = dr.iter().zip(yr).map(|(g, yv)| g * yv).sum();
                    for (d, &yv) in dr.iter_mut().zip(yr) {
                        *d = yv * (*d - gy);
                    }
                }
            }
            (Output::Sigmoid, Loss::CrossEntropy) => {
                for ((q, &yv), &tv) in tmp.iter_mut().zip(y).zip(t) {
                    let yc = yv.clamp(TINY, 1.0 - f32::EPSILON / 2.0);
                    *q = -(tv * math::ln(yc) + (1.0 - tv) * math::ln(1.0 - yc));
                }
            }
            (Output::Softmax, Loss::CrossEntropy) => {
                for ((q, &yv), &tv) in tmp.iter_mut().zip(y).zip(t) {
                    *q = -tv * math::ln(yv.clamp(TINY, 1.0));
                }
                // ∂/∂z of −Σ t_j ln softmax(z)_j is y·Σt − t (= y − t for one-hot targets).
                for ((dr, yr), tr) in delta
                    .chunks_exact_mut(n)
                    .zip(y.chunks_exact(n))
                    .zip(t.chunks_exact(n))
                {
                    let st: f32 = tr.iter().sum();
                    if st != 1.0 {
                        for ((d, &yv), &tv) in dr.iter_mut().zip(yr).zip(tr) {
                            *d = yv * st - tv;
                        }
                    }
                }
            }
        }
        let loss = if weighted {
            let mut l = 0.0f64;
            for ((dr, qr), &w) in delta
                .chunks_exact_mut(n)
                .zip(tmp.chunks_exact(n))
                .zip(rw.iter())
            {
                l += (w * math::sum(qr)) as f64;
                let ws = w * scale;
                dr.iter_mut().for_each(|d| *d *= ws);
            }
            l
        } else {
            delta.iter_mut().for_each(|d| *d *= scale);
            math::sum(tmp) as f64
        };
        (loss, sq)
    }

    /// Adds the gradient of `scale · Σ loss` over `rows` rows of `(x, t)` to `work.grad` and the
    /// sums of loss and squared error to `work`.
    fn backprop_rows(
        &self,
        x: &[f32],
        t: &[f32],
        rows: usize,
        scale: f32,
        work: &mut Work,
    ) -> Result<(), NnError> {
        let sizes = self.sizes();
        let (n_in0, n_out) = (self.n_inputs(), self.n_outputs());
        let last = self.n_layers() - 1;
        let mut start = 0;
        while start < rows {
            let r = CHUNK.min(rows - start);
            let xc = &x[start * n_in0..(start + r) * n_in0];
            let tc = &t[start * n_out..(start + r) * n_out];
            self.forward_chunk(xc, r, &mut work.acts)?;
            let (l_sum, sq_sum) = self.output_delta(
                &work.acts[last][..r * n_out],
                tc,
                scale,
                &mut work.d0,
                &mut work.tmp,
                &mut work.rw,
            );
            work.loss += l_sum;
            work.sq += sq_sum;
            for l in (0..=last).rev() {
                let (ni, no) = (sizes[l], sizes[l + 1]);
                let (wo, bo) = self.offsets[l];
                let input = if l == 0 {
                    xc
                } else {
                    &work.acts[l - 1][..r * ni]
                };
                let delta = &work.d0[..r * no];
                let (gw, gb) = work.grad[wo..bo + no].split_at_mut(bo - wo);
                gemm(
                    ni,
                    r,
                    no,
                    1.0,
                    input,
                    Layout::Transposed,
                    delta,
                    Layout::RowMajor,
                    1.0,
                    gw,
                )?;
                for drow in delta.chunks_exact(no) {
                    for (g, d) in gb.iter_mut().zip(drow) {
                        *g += d;
                    }
                }
                if l > 0 {
                    let w = &self.theta[wo..bo];
                    let dprev = &mut work.d1[..r * ni];
                    gemm(
                        r,
                        no,
                        ni,
                        1.0,
                        delta,
                        Layout::RowMajor,
                        w,
                        Layout::Transposed,
                        0.0,
                        dprev,
                    )?;
                    math::mul_derivative(
                        self.params.activation,
                        dprev,
                        &work.acts[l - 1][..r * ni],
                    );
                    std::mem::swap(&mut work.d0, &mut work.d1);
                }
            }
            start += r;
        }
        Ok(())
    }

    /// Number of shards for a batch of `rows` rows (a function of `rows` only).
    fn shards_for(rows: usize) -> usize {
        (rows / SHARD_ROWS).clamp(1, MAX_SHARDS)
    }

    /// Gradient of the mean weighted loss over the batch into `works[0].grad` (zeroed first),
    /// with loss and squared-error sums in `works[0].loss` / `.sq`.
    pub(crate) fn batch_gradient(
        &self,
        x: &[f32],
        t: &[f32],
        rows: usize,
        works: &mut [Work],
    ) -> Result<(), NnError> {
        let shards = Self::shards_for(rows).min(works.len());
        let (n_in, n_out) = (self.n_inputs(), self.n_outputs());
        let scale = 1.0 / rows as f32;
        // Shard s covers rows [bounds[s], bounds[s+1]).
        let bound = |s: usize| rows * s / shards;
        let run = |s: usize, w: &mut Work| -> Result<(), NnError> {
            w.grad.fill(0.0);
            w.loss = 0.0;
            w.sq = 0.0;
            let (a, b) = (bound(s), bound(s + 1));
            self.backprop_rows(
                &x[a * n_in..b * n_in],
                &t[a * n_out..b * n_out],
                b - a,
                scale,
                w,
            )
        };
        let works = &mut works[..shards];
        let threads = self.threads.min(shards);
        if threads <= 1 {
            for (s, w) in works.iter_mut().enumerate() {
                run(s, w)?;
            }
        } else {
            // Contiguous groups of shards per thread; each shard's result is independent of
            // which thread computed it.
            let per = shards.div_ceil(threads);
            let results: Vec<Result<(), NnError>> = std::thread::scope(|sc| {
                let mut handles = Vec::new();
                for (g, group) in works.chunks_mut(per).enumerate() {
                    let run = &run;
                    handles.push(sc.spawn(move || {
                        for (i, w) in group.iter_mut().enumerate() {
                            run(g * per + i, w)?;
                        }
                        Ok(())
                    }));
                }
                handles
                    .into_iter()
                    .map(|h| {
                        h.join().unwrap_or_else(|_| {
                            Err(NnError::BadData("training thread panicked".into()))
                        })
                    })
                    .collect()
            });
            for r in results {
                r?;
            }
        }
        let (first, rest) = works.split_at_mut(1);
        for w in rest.iter() {
            for (g, h) in first[0].grad.iter_mut().zip(&w.grad) {
                *g += h;
            }
            first[0].loss += w.loss;
            first[0].sq += w.sq;
        }
        Ok(())
    }

    pub(crate) fn works(&self, rows: usize) -> Vec<Work> {
        (0..Self::shards_for(rows))
            .map(|_| Work::new(self.sizes(), self.theta.len()))
            .collect()
    }

    /// The training objective (mean over rows of the weighted per-row loss) and its gradient
    /// with respect to [`Mlp::parameters`], for the rows of `x` and targets `y`. This is what
    /// one full-batch step descends; it is exposed for gradient checks and custom optimizers.
    pub fn loss_gradient(&self, x: &Matrix, y: &Matrix) -> Result<(f32, Vec<f32>), NnError> {
        self.check_xy(x, y, "x", "y")?;
        let mut works = self.works(x.rows);
        self.batch_gradient(&x.data, &y.data, x.rows, &mut works)?;
        let w = &mut works[0];
        Ok(((w.loss / x.rows as f64) as f32, std::mem::take(&mut w.grad)))
    }

    /// Objective (mean weighted loss per row) and mean squared error of the model on `(x, y)`.
    pub fn evaluate(&self, x: &Matrix, y: &Matrix) -> Result<(f32, f32), NnError> {
        self.check_xy(x, y, "x", "y")?;
        let (l, sq) = self.eval_sums(x, y)?;
        let n = x.rows as f64;
        Ok(((l / n) as f32, (sq / (n * self.n_outputs() as f64)) as f32))
    }

    fn eval_sums(&self, x: &Matrix, y: &Matrix) -> Result<(f64, f64), NnError> {
        let mut s = Scratch::new();
        s.fit(self.sizes());
        let (n_in, n_out) = (self.n_inputs(), self.n_outputs());
        let last = self.n_layers() - 1;
        let mut delta = vec![0.0; CHUNK * n_out];
        let mut tmp = vec![0.0; CHUNK * n_out];
        let mut rw = vec![0.0; CHUNK];
        let (mut loss, mut sq) = (0.0, 0.0);
        let mut start = 0;
        while start < x.rows {
            let r = CHUNK.min(x.rows - start);
            self.forward_chunk(&x.data[start * n_in..(start + r) * n_in], r, &mut s.acts)?;
            let (l, q) = self.output_delta(
                &s.acts[last][..r * n_out],
                &y.data[start * n_out..(start + r) * n_out],
                1.0,
                &mut delta,
                &mut tmp,
                &mut rw,
            );
            loss += l;
            sq += q;
            start += r;
        }
        Ok((loss, sq))
    }

    /// Outputs for every row of `x` (`x.rows × n_outputs`).
    ///
    /// # Panics
    /// If `x` does not have [`Mlp::n_inputs`] columns or is inconsistent (`data.len() !=
    /// rows·cols`). Use [`Mlp::try_predict`] to get an error instead.
    pub fn predict(&self, x: &Matrix) -> Matrix {
        match self.try_predict(x) {
            Ok(m) => m,
            Err(e) => panic!("Mlp::predict: {e}"),
        }
    }

    /// Outputs for every row of `x`, or an error if `x` does not fit the model.
    pub fn try_predict(&self, x: &Matrix) -> Result<Matrix, NnError> {
        let mut out = Matrix::default();
        self.try_predict_into(x, &mut Scratch::new(), &mut out)?;
        Ok(out)
    }

    /// Outputs for every row of `x` into `out` (resized to `x.rows × n_outputs`), using
    /// `scratch` for intermediate layers. Once `scratch` and `out` have grown to size, this
    /// allocates nothing.
    ///
    /// A row's outputs depend on that row only: the same bits whether it is predicted alone or
    /// anywhere in a batch of any size (and on any x86-64 processor, with or without AVX2).
    /// They agree with the training pass's forward computation to rounding (about 1e-7), not
    /// bit for bit.
    ///
    /// # Panics
    /// As [`Mlp::predict`]; [`Mlp::try_predict_into`] returns the error instead.
    pub fn predict_into(&self, x: &Matrix, scratch: &mut Scratch, out: &mut Matrix) {
        if let Err(e) = self.try_predict_into(x, scratch, out) {
            panic!("Mlp::predict_into: {e}");
        }
    }

    /// [`Mlp::predict_into`] returning an error instead of panicking when `x` does not fit.
    pub fn try_predict_into(
        &self,
        x: &Matrix,
        scratch: &mut Scratch,
        out: &mut Matrix,
    ) -> Result<(), NnError> {
        x.check("x")?;
        let (n_in, n_out) = (self.n_inputs(), self.n_outputs());
        if x.cols != n_in {
            return Err(NnError::shape(
                "x",
                format!("{n_in} columns"),
                x.shape_str(),
            ));
        }
        out.rows = x.rows;
        out.cols = n_out;
        out.data.resize(x.rows * n_out, 0.0);
        self.infer_rows(&x.data, scratch, &mut out.data);
        Ok(())
    }

    /// Checks that `(x, y)` are consistent, fit the model, are non-empty and finite, and that
    /// targets suit the loss.
    pub(crate) fn check_xy(
        &self,
        x: &Matrix,
        y: &Matrix,
        xn: &'static str,
        yn: &'static str,
    ) -> Result<(), NnError> {
        x.check(xn)?;
        y.check(yn)?;
        let (n_in, n_out) = (self.n_inputs(), self.n_outputs());
        if x.cols != n_in {
            return Err(NnError::shape(xn, format!("{n_in} columns"), x.shape_str()));
        }
        if y.cols != n_out {
            return Err(NnError::shape(
                yn,
                format!("{n_out} columns"),
                y.shape_str(),
            ));
        }
        if x.rows != y.rows {
            return Err(NnError::shape(
                yn,
                format!("{} rows, as {xn}", x.rows),
                format!("{} rows", y.rows),
            ));
        }
        if x.rows == 0 {
            return Err(NnError::BadData(format!("{xn} has no rows")));
        }
        if !x.is_finite() {
            return Err(NnError::BadData(format!("{xn} contains NaN or infinity")));
        }
        if !y.is_finite() {
            return Err(NnError::BadData(format!("{yn} contains NaN or infinity")));
        }
        if self.params.loss == Loss::CrossEntropy && y.data.iter().any(|t| !(0.0..=1.0).contains(t))
        {
            return Err(NnError::BadData(format!(
                "cross-entropy needs targets in [0, 1] in {yn}"
            )));
        }
        Ok(())
    }
}
