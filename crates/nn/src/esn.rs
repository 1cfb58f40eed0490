//! Echo-state network (Jaeger, 2001): a fixed random recurrent reservoir of leaky `tanh` units
//! driven by the input, and a linear readout trained by ridge regression — the paper's ESNN,
//! "only the memory-less readout is trained".
//!
//! State update, from the zero state, for input rows `u(t)` in time order:
//!
//! ```text
//! x(t) = (1 − leak) · x(t−1) + leak · tanh(W_in u(t) + b + W x(t−1))
//! y(t) = W_outᵀ [x(t); u(t); 1]
//! ```
//!
//! `W_in` and the bias `b` are uniform in `±input_scale`. `W` is sparse (each entry zero with
//! probability `sparsity`, otherwise uniform in ±1) and rescaled so its spectral radius — its
//! largest eigenvalue modulus, estimated by power iteration — equals `spectral_radius`.
//! `W_out` minimises `Σ_t ‖y(t) − target(t)‖² + ridge · ‖W_out‖²` (the bias row unpenalised) over
//! all steps after the first `washout` of each sequence, by the normal equations accumulated in
//! `f64` and solved by Cholesky.

use serde::{Deserialize, Serialize};

use crate::codec::{Reader, Writer};
use crate::gemm::{gemm, Layout};
use crate::linalg::Gram;
use crate::rng::Rng;
use crate::{math, Matrix, NnError};

/// Largest reservoir.
pub const MAX_RESERVOIR: usize = 1 << 16;
/// Largest number of non-zero recurrent weights.
pub const MAX_RESERVOIR_NNZ: usize = 1 << 26;
/// Largest number of inputs or outputs of an ESN.
pub const MAX_ESN_IO: usize = 1 << 16;
const CHUNK: usize = 256;

/// Settings of an echo-state network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EsnParams {
    /// Reservoir units, 1 ..= [`MAX_RESERVOIR`].
    pub reservoir: usize,
    /// Spectral radius of the recurrent weights, finite and ≥ 0 (below 1 for the echo-state
    /// property in the usual regime).
    pub spectral_radius: f32,
    /// Leaking rate in (0, 1]; 1 is no leak.
    pub leak: f32,
    /// Fraction of recurrent weights that are zero, in [0, 1).
    pub sparsity: f32,
    /// Scale of the input and bias weights, finite and ≥ 0.
    pub input_scale: f32,
    /// Ridge (Tikhonov) penalty of the readout, finite and ≥ 0.
    pub ridge: f32,
    /// Steps at the start of each sequence left out of the readout fit (initial transient).
    pub washout: usize,
    /// Seed of all random weights.
    pub seed: u64,
}

impl Default for EsnParams {
    /// 200 units, spectral radius 0.9, no leak, 90 % sparse, input scale 0.5, ridge 1e-6,
    /// washout 50.
    fn default() -> Self {
        EsnParams {
            reservoir: 200,
            spectral_radius: 0.9,
            leak: 1.0,
            sparsity: 0.9,
            input_scale: 0.5,
            ridge: 1e-6,
            washout: 50,
            seed: 0,
        }
    }
}

impl EsnParams {
    /// Checks every setting.
    pub fn validate(&self) -> Result<ValidEsnParams, NnError> {
        let p = self;
        if p.reservoir == 0 || p.reservoir > MAX_RESERVOIR {
            return Err(NnError::param(
                "reservoir",
                format!("{} is not in 1..={MAX_RESERVOIR}", p.reservoir),
            ));
        }
        nonneg("spectral_radius", p.spectral_radius)?;
        if !(p.leak > 0.0 && p.leak <= 1.0) {
            return Err(NnError::param(
                "leak",
                format!("{} is not in (0, 1]", p.leak),
            ));
        }
        if !(0.0..1.0).contains(&p.sparsity) {
            return Err(NnError::param(
                "sparsity",
                format!("{} is not in [0, 1)", p.sparsity),
            ));
        }
        nonneg("input_scale", p.input_scale)?;
        nonneg("ridge", p.ridge)?;
        let expected_nnz = (p.reservoir as f64).powi(2) * (1.0 - p.sparsity as f64);
        if expected_nnz > MAX_RESERVOIR_NNZ as f64 / 2.0 {
            return Err(NnError::param(
                "reservoir",
                "too many recurrent weights; raise sparsity or shrink the reservoir",
            ));
        }
        Ok(ValidEsnParams(p.clone()))
    }
}

fn nonneg(name: &'static str, v: f32) -> Result<(), NnError> {
    if v.is_finite() && v >= 0.0 {
        Ok(())
    } else {
        Err(NnError::param(
            name,
            format!("{v} is not a finite value ≥ 0"),
        ))
    }
}

/// Checked [`EsnParams`].
#[derive(Debug, Clone, PartialEq)]
pub struct ValidEsnParams(EsnParams);

impl std::ops::Deref for ValidEsnParams {
    type Target = EsnParams;
    fn deref(&self) -> &EsnParams {
        &self.0
    }
}

/// A sparse square matrix in compressed sparse row form.
#[derive(Debug, Clone, PartialEq)]
struct Csr {
    n: usize,
    row_ptr: Vec<u32>,
    col: Vec<u32>,
    val: Vec<f32>,
}

impl Csr {
    /// `out = self · x` (in `f32`).
    fn mul_add(&self, x: &[f32], out: &mut [f32]) {
        for (i, o) in out.iter_mut().enumerate().take(self.n) {
            let (a, b) = (self.row_ptr[i] as usize, self.row_ptr[i + 1] as usize);
            let mut s = 0.0;
            for (&c, &v) in self.col[a..b].iter().zip(&self.val[a..b]) {
                s += v * x[c as usize];
            }
            *o += s;
        }
    }

    fn mul_f64(&self, x: &[f64], out: &mut [f64]) {
        for (i, o) in out.iter_mut().enumerate().take(self.n) {
            let (a, b) = (self.row_ptr[i] as usize, self.row_ptr[i + 1] as usize);
            *o = self.col[a..b]
                .iter()
                .zip(&self.val[a..b])
                .map(|(&c, &v)| v as f64 * x[c as usize])
                .sum();
        }
    }

    /// Dense row-major copy (for tests and inspection).
    fn dense(&self) -> Vec<f32> {
        let mut d = vec![0.0; self.n * self.n];
        for i in 0..self.n {
            for k in self.row_ptr[i] as usize..self.row_ptr[i + 1] as usize {
                d[i * self.n + self.col[k] as usize] = self.val[k];
            }
        }
        d
    }
}

/// Spectral radius of `w` by power iteration in `f64`: after a burn-in, the average logarithmic
/// growth `ln ‖W x‖` of the normalised iterate over many steps. (Averaging the growth, rather
/// than reading one Rayleigh quotient, also converges when the dominant eigenvalues are a complex
/// pair, as they often are for a non-symmetric random matrix.)
fn spectral_radius(w: &Csr, seed: u64) -> f64 {
    const BURN_IN: usize = 300;
    const STEPS: usize = 1200;
    let n = w.n;
    let mut rng = Rng::new(seed);
    let mut x: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
    let norm = |v: &[f64]| v.iter().map(|a| a * a).sum::<f64>().sqrt();
    let nx = norm(&x);
    x.iter_mut().for_each(|v| *v /= nx);
    let mut y = vec![0.0; n];
    let mut log_sum = 0.0;
    for k in 0..BURN_IN + STEPS {
        w.mul_f64(&x, &mut y);
        let g = norm(&y);
        if g == 0.0 || !g.is_finite() {
            return 0.0;
        }
        if k >= BURN_IN {
            log_sum += g.ln();
        }
        for (a, b) in x.iter_mut().zip(&y) {
            *a = b / g;
        }
    }
    (log_sum / STEPS as f64).exp()
}

/// What [`Esn::fit`] reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EsnReport {
    /// Time steps used in the fit (after washout).
    pub rows: usize,
    /// Readout features: reservoir units + inputs + 1 (bias).
    pub features: usize,
    /// Mean squared error of the fitted readout on those steps.
    pub train_mse: f32,
    /// Normalised MSE: per output, MSE divided by the target's variance, averaged over outputs.
    pub train_nmse: f32,
}

/// An echo-state network.
#[derive(Debug, Clone, PartialEq)]
pub struct Esn {
    params: ValidEsnParams,
    n_in: usize,
    n_out: usize,
    /// `reservoir × n_in`, row-major.
    w_in: Vec<f32>,
    bias: Vec<f32>,
    w: Csr,
    /// `(reservoir + n_in + 1) × n_out`, row-major; `None` until fitted.
    readout: Option<Vec<f32>>,
}

impl Esn {
    /// A reservoir with `n_inputs` inputs and a readout of `n_outputs` outputs (unfitted). The
    /// recurrent weights are scaled to the requested spectral radius (left as drawn in the
    /// degenerate case where power iteration finds the radius to be zero, e.g. a nilpotent
    /// draw of a tiny reservoir).
    ///
    /// # Panics
    /// If `n_inputs` or `n_outputs` exceeds [`MAX_ESN_IO`]; [`Esn::try_new`] returns an error.
    pub fn new(p: &ValidEsnParams, n_inputs: usize, n_outputs: usize) -> Esn {
        Esn::try_new(p, n_inputs, n_outputs).unwrap_or_else(|e| panic!("Esn::new: {e}"))
    }

    /// [`Esn::new`], returning an error for more than [`MAX_ESN_IO`] inputs or outputs.
    pub fn try_new(p: &ValidEsnParams, n_inputs: usize, n_outputs: usize) -> Result<Esn, NnError> {
        if n_inputs > MAX_ESN_IO || n_outputs > MAX_ESN_IO {
            return Err(NnError::param(
                "n_inputs",
                format!("{n_inputs} inputs / {n_outputs} outputs exceed the limit of {MAX_ESN_IO}"),
            ));
        }
        let n = p.reservoir;
        let mut rng = Rng::new(p.seed);
        let w_in = (0..n * n_inputs)
            .map(|_| rng.uniform_sym(p.input_scale))
            .collect();
        let bias = (0..n).map(|_| rng.uniform_sym(p.input_scale)).collect();
        let mut row_ptr = Vec::with_capacity(n + 1);
        let mut col = Vec::new();
        let mut val = Vec::new();
        row_ptr.push(0u32);
        for _ in 0..n {
            for j in 0..n {
                if rng.next_f32() >= p.sparsity {
                    col.push(j as u32);
                    val.push(rng.uniform_sym(1.0));
                }
            }
            row_ptr.push(col.len() as u32);
        }
        let mut w = Csr {
            n,
            row_ptr,
            col,
            val,
        };
        let rho = spectral_radius(&w, rng.next_u64());
        if rho > 0.0 {
            let s = (p.spectral_radius as f64 / rho) as f32;
            w.val.iter_mut().for_each(|v| *v *= s);
        }
        Ok(Esn {
            params: p.clone(),
            n_in: n_inputs,
            n_out: n_outputs,
            w_in,
            bias,
            w,
            readout: None,
        })
    }

    /// The settings.
    pub fn params(&self) -> &EsnParams {
        &self.params
    }

    /// Number of inputs.
    pub fn n_inputs(&self) -> usize {
        self.n_in
    }

    /// Number of outputs.
    pub fn n_outputs(&self) -> usize {
        self.n_out
    }

    /// Number of readout features: reservoir + inputs + 1.
    pub fn n_features(&self) -> usize {
        self.params.reservoir + self.n_in + 1
    }

    /// Whether [`Esn::fit`] has run.
    pub fn is_fitted(&self) -> bool {
        self.readout.is_some()
    }

    /// The fitted readout (`n_features × n_outputs`, row-major: reservoir rows, input rows, bias
    /// row).
    pub fn readout(&self) -> Option<&[f32]> {
        self.readout.as_deref()
    }

    /// The recurrent weight matrix, dense row-major `reservoir × reservoir`.
    pub fn reservoir_dense(&self) -> Vec<f32> {
        self.w.dense()
    }

    /// The spectral radius of the recurrent weights as this crate measures it (power iteration).
    pub fn measured_spectral_radius(&self) -> f64 {
        spectral_radius(&self.w, 0x5EC7)
    }

    fn check_inputs(&self, s: &Matrix, what: &'static str) -> Result<(), NnError> {
        s.check(what)?;
        if s.cols != self.n_in {
            return Err(NnError::shape(
                what,
                format!("{} columns", self.n_in),
                s.shape_str(),
            ));
        }
        if !s.is_finite() {
            return Err(NnError::BadData(format!("{what} contains NaN or infinity")));
        }
        Ok(())
    }

    /// One state update in place.
    fn step(&self, u: &[f32], x: &mut [f32], pre: &mut [f32]) {
        let n = self.params.reservoir;
        pre.copy_from_slice(&self.bias);
        if self.n_in > 0 {
            for (i, p) in pre.iter_mut().enumerate() {
                let row = &self.w_in[i * self.n_in..(i + 1) * self.n_in];
                *p += row.iter().zip(u).map(|(a, b)| a * b).sum::<f32>();
            }
        }
        self.w.mul_add(x, pre);
        let a = self.params.leak;
        for (xi, &p) in x.iter_mut().zip(pre.iter()).take(n) {
            *xi = (1.0 - a) * *xi + a * math::tanh(p);
        }
    }

    /// Runs the reservoir over `sequence` from `initial` and calls `f(t, state)` for each step.
    fn run(
        &self,
        sequence: &Matrix,
        initial: &[f32],
        mut f: impl FnMut(usize, &[f32]) -> Result<(), NnError>,
    ) -> Result<(), NnError> {
        let mut x = initial.to_vec();
        let mut pre = vec![0.0; self.params.reservoir];
        for t in 0..sequence.rows {
            self.step(
                &sequence.data[t * self.n_in..(t + 1) * self.n_in],
                &mut x,
                &mut pre,
            );
            f(t, &x)?;
        }
        Ok(())
    }

    /// Reservoir state after each input row (rows in time order), from the zero state.
    ///
    /// # Panics
    /// If `sequence` does not have [`Esn::n_inputs`] columns; see [`Esn::try_states`].
    pub fn states(&self, sequence: &Matrix) -> Matrix {
        self.try_states(sequence)
            .unwrap_or_else(|e| panic!("Esn::states: {e}"))
    }

    /// [`Esn::states`], returning an error for a sequence that does not fit.
    pub fn try_states(&self, sequence: &Matrix) -> Result<Matrix, NnError> {
        self.states_from(sequence, &vec![0.0; self.params.reservoir])
    }

    /// Reservoir states from a given initial state (for studying the echo-state property).
    pub fn states_from(&self, sequence: &Matrix, initial: &[f32]) -> Result<Matrix, NnError> {
        self.check_inputs(sequence, "sequence")?;
        let n = self.params.reservoir;
        if initial.len() != n || initial.iter().any(|v| !v.is_finite()) {
            return Err(NnError::shape(
                "initial",
                format!("{n} finite values"),
                format!("{}", initial.len()),
            ));
        }
        let mut out = Matrix::zeros(sequence.rows, n);
        self.run(sequence, initial, |t, x| {
            out.data[t * n..(t + 1) * n].copy_from_slice(x);
            Ok(())
        })?;
        Ok(out)
    }

    fn features_into(&self, x: &[f32], u: &[f32], z: &mut [f32]) {
        let n = self.params.reservoir;
        z[..n].copy_from_slice(x);
        z[n..n + self.n_in].copy_from_slice(u);
        z[n + self.n_in] = 1.0;
    }

    /// Fits the readout by ridge regression on all `(inputs, targets)` sequences (each from the
    /// zero state, first `washout` steps of each left out).
    pub fn fit(&mut self, sequences: &[(&Matrix, &Matrix)]) -> Result<EsnReport, NnError> {
        for (u, t) in sequences {
            self.check_inputs(u, "inputs")?;
            t.check("targets")?;
            if t.cols != self.n_out || t.rows != u.rows {
                return Err(NnError::shape(
                    "targets",
                    format!("{}×{}", u.rows, self.n_out),
                    t.shape_str(),
                ));
            }
            if !t.is_finite() {
                return Err(NnError::BadData("targets contain NaN or infinity".into()));
            }
        }
        let d = self.n_features();
        let washout = self.params.washout;
        let zero = vec![0.0; self.params.reservoir];
        let mut gram = Gram::new(d, self.n_out);
        let mut z = vec![0.0; d];
        for (u, t) in sequences {
            self.run(u, &zero, |k, x| {
                if k >= washout {
                    self.features_into(x, &u.data[k * self.n_in..(k + 1) * self.n_in], &mut z);
                    gram.push(&z, &t.data[k * self.n_out..(k + 1) * self.n_out])?;
                }
                Ok(())
            })?;
        }
        let rows = gram.rows();
        if rows == 0 {
            return Err(NnError::BadData(format!(
                "no time steps after a washout of {washout}"
            )));
        }
        let w = gram.solve(self.params.ridge as f64, Some(d - 1))?;
        if w.iter()
            .any(|v| !v.is_finite() || v.abs() > f32::MAX as f64)
        {
            return Err(NnError::BadData(
                "the readout does not fit in f32; increase ridge".into(),
            ));
        }
        self.readout = Some(w.iter().map(|&v| v as f32).collect());
        // Training error, with the fitted readout, on the same steps.
        let m = self.n_out;
        let (mut se, mut sum, mut sum2) = (vec![0.0f64; m], vec![0.0f64; m], vec![0.0f64; m]);
        for (u, t) in sequences {
            let y = self.try_predict(u)?;
            for k in washout..u.rows {
                for j in 0..m {
                    let (yv, tv) = (y.data[k * m + j] as f64, t.data[k * m + j] as f64);
                    se[j] += (yv - tv) * (yv - tv);
                    sum[j] += tv;
                    sum2[j] += tv * tv;
                }
            }
        }
        let r = rows as f64;
        let mse = se.iter().sum::<f64>() / (r * m.max(1) as f64);
        let nmse = (0..m)
            .map(|j| {
                let var = sum2[j] / r - (sum[j] / r).powi(2);
                if var > 0.0 {
                    se[j] / r / var
                } else {
                    f64::NAN
                }
            })
            .sum::<f64>()
            / m.max(1) as f64;
        Ok(EsnReport {
            rows,
            features: d,
            train_mse: mse as f32,
            train_nmse: nmse as f32,
        })
    }

    /// Readout outputs for each row of `sequence`, run from the zero state.
    ///
    /// # Panics
    /// If `sequence` does not have [`Esn::n_inputs`] columns or the network is not fitted; see
    /// [`Esn::try_predict`].
    pub fn predict(&self, sequence: &Matrix) -> Matrix {
        self.try_predict(sequence)
            .unwrap_or_else(|e| panic!("Esn::predict: {e}"))
    }

    /// [`Esn::predict`], returning an error instead of panicking.
    pub fn try_predict(&self, sequence: &Matrix) -> Result<Matrix, NnError> {
        let mut state = self.zero_state();
        self.try_predict_stream(sequence, &mut state)
    }

    /// The reservoir's zero state, where every sequence starts.
    pub fn zero_state(&self) -> Vec<f32> {
        vec![0.0; self.params.reservoir]
    }

    /// Readout outputs for each row of `sequence`, run on from the reservoir state `state`
    /// (from [`Esn::zero_state`] at the start of a stream), which is left at the state after the
    /// last row: a long sequence fed in pieces gets the outputs of one pass over it (up to the
    /// last bits of the readout's sums, which are taken in chunks). A state of the wrong size or
    /// not finite is an error and is left as it was.
    pub fn try_predict_stream(
        &self,
        sequence: &Matrix,
        state: &mut [f32],
    ) -> Result<Matrix, NnError> {
        self.check_inputs(sequence, "sequence")?;
        let n = self.params.reservoir;
        if state.len() != n || state.iter().any(|v| !v.is_finite()) {
            return Err(NnError::shape(
                "state",
                format!("{n} finite values"),
                format!("{}", state.len()),
            ));
        }
        let w_out = self.readout.as_deref().ok_or(NnError::NotFitted)?;
        let (d, m) = (self.n_features(), self.n_out);
        let mut out = Matrix::zeros(sequence.rows, m);
        let mut zb = vec![0.0f32; CHUNK * d];
        let mut filled = 0;
        let mut first = 0;
        let initial = state.to_vec();
        let last_row = sequence.rows.checked_sub(1);
        let flush = |zb: &[f32], rows: usize, first: usize, out: &mut Matrix| {
            gemm(
                rows,
                d,
                m,
                1.0,
                &zb[..rows * d],
                Layout::RowMajor,
                w_out,
                Layout::RowMajor,
                0.0,
                &mut out.data[first * m..(first + rows) * m],
            )
        };
        self.run(sequence, &initial, |k, x| {
            if Some(k) == last_row {
                state.copy_from_slice(x);
            }
            self.features_into(
                x,
                &sequence.data[k * self.n_in..(k + 1) * self.n_in],
                &mut zb[filled * d..(filled + 1) * d],
            );
            filled += 1;
            if filled == CHUNK {
                flush(&zb, filled, first, &mut out)?;
                first += filled;
                filled = 0;
            }
            Ok(())
        })?;
        flush(&zb, filled, first, &mut out)?;
        Ok(out)
    }

    /// The network as versioned, checksummed bytes.
    ///
    /// Format (little-endian): magic `"NJESN\0\0\0"`, version u16 = 1, the settings (reservoir
    /// u64, spectral_radius f32, leak f32, sparsity f32, input_scale f32, ridge f32, washout u64,
    /// seed u64), n_inputs u64, n_outputs u64, `W_in` f32 × reservoir·n_inputs, bias f32 ×
    /// reservoir, non-zeros u64, row pointers u32 × (reservoir+1), columns u32 × nnz, values f32
    /// × nnz, fitted u8 [readout f32 × features·n_outputs], CRC-32 u32.
    pub fn to_bytes(&self) -> Vec<u8> {
        let p = &self.params;
        let mut w = Writer::default();
        w.bytes(ESN_MAGIC);
        w.u16(ESN_FORMAT_VERSION);
        w.usize(p.reservoir);
        for v in [
            p.spectral_radius,
            p.leak,
            p.sparsity,
            p.input_scale,
            p.ridge,
        ] {
            w.f32(v);
        }
        w.usize(p.washout);
        w.u64(p.seed);
        w.usize(self.n_in);
        w.usize(self.n_out);
        w.f32s(&self.w_in);
        w.f32s(&self.bias);
        w.usize(self.w.val.len());
        self.w.row_ptr.iter().for_each(|&v| w.u32(v));
        self.w.col.iter().for_each(|&v| w.u32(v));
        w.f32s(&self.w.val);
        match &self.readout {
            Some(r) => {
                w.u8(1);
                w.f32s(r);
            }
            None => w.u8(0),
        }
        w.finish()
    }

    /// Reads bytes written by [`Esn::to_bytes`], validating everything (no input panics).
    pub fn from_bytes(b: &[u8]) -> Result<Esn, NnError> {
        let mut r = Reader::open(b, ESN_MAGIC, ESN_FORMAT_VERSION)?;
        let reservoir = r.usize_max("reservoir", MAX_RESERVOIR)?;
        let (spectral_radius, leak, sparsity, input_scale, ridge) =
            (r.f32()?, r.f32()?, r.f32()?, r.f32()?, r.f32()?);
        let washout = r.usize_max("washout", usize::MAX)?;
        let seed = r.u64()?;
        let params = EsnParams {
            reservoir,
            spectral_radius,
            leak,
            sparsity,
            input_scale,
            ridge,
            washout,
            seed,
        }
        .validate()
        .map_err(|e| NnError::malformed(format!("stored settings are invalid: {e}")))?;
        let n_in = r.usize_max("n_inputs", MAX_ESN_IO)?;
        let n_out = r.usize_max("n_outputs", MAX_ESN_IO)?;
        let n = reservoir;
        let w_in = r.f32s("input weights", n * n_in)?;
        let bias = r.f32s("bias", n)?;
        let nnz = r.usize_max("non-zeros", MAX_RESERVOIR_NNZ.min(n * n))?;
        let mut row_ptr = Vec::with_capacity(n + 1);
        for _ in 0..=n {
            row_ptr.push(r.u32()?);
        }
        if row_ptr[0] != 0 || row_ptr[n] as usize != nnz || row_ptr.windows(2).any(|w| w[0] > w[1])
        {
            return Err(NnError::malformed(
                "reservoir row pointers are inconsistent",
            ));
        }
        let mut col = Vec::with_capacity(nnz.min(b.len() / 4));
        for _ in 0..nnz {
            let c = r.u32()?;
            if c as usize >= n {
                return Err(NnError::malformed("reservoir column index out of range"));
            }
            col.push(c);
        }
        let val = r.f32s("reservoir weights", nnz)?;
        let readout = if r.bool("fitted")? {
            Some(r.f32s("readout", (n + n_in + 1) * n_out)?)
        } else {
            None
        };
        r.end()?;
        Ok(Esn {
            params,
            n_in,
            n_out,
            w_in,
            bias,
            w: Csr {
                n,
                row_ptr,
                col,
                val,
            },
            readout,
        })
    }
}

const ESN_MAGIC: &[u8; 8] = b"NJESN\0\0\0";
/// The ESN format version this build writes and reads.
pub const ESN_FORMAT_VERSION: u16 = 1;

#[cfg(test)]
mod tests {
    use super::*;

    fn csr(n: usize, dense: &[f32]) -> Csr {
        let mut row_ptr = vec![0u32];
        let (mut col, mut val) = (Vec::new(), Vec::new());
        for i in 0..n {
            for j in 0..n {
                if dense[i * n + j] != 0.0 {
                    col.push(j as u32);
                    val.push(dense[i * n + j]);
                }
            }
            row_ptr.push(col.len() as u32);
        }
        Csr {
            n,
            row_ptr,
            col,
            val,
        }
    }

    #[test]
    fn power_iteration_finds_known_spectral_radii() {
        // Triangular: eigenvalues are the diagonal 0.5, -0.9, 0.3.
        let t = csr(3, &[0.5, 1.0, 2.0, 0.0, -0.9, 1.0, 0.0, 0.0, 0.3]);
        assert!((spectral_radius(&t, 1) - 0.9).abs() < 1e-3);
        // Rotation-scaling: eigenvalues ±2i, a complex pair of equal modulus.
        let r = csr(2, &[0.0, -2.0, 2.0, 0.0]);
        assert!((spectral_radius(&r, 1) - 2.0).abs() < 1e-9);
        // 3×3 with a complex pair 0.6 ± 0.8i (modulus 1) and a real 0.5.
        let c = csr(3, &[0.6, -0.8, 0.0, 0.8, 0.6, 0.0, 0.1, 0.2, 0.5]);
        assert!((spectral_radius(&c, 2) - 1.0).abs() < 1e-3);
        // Nilpotent: radius 0.
        assert_eq!(spectral_radius(&csr(2, &[0.0, 1.0, 0.0, 0.0]), 1), 0.0);
    }
}
