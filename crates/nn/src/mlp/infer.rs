//! Inference ([`Mlp::try_predict_into`]) specialised for small dense layers.
//!
//! Training runs a GEMM per layer (`Mlp::forward_chunk`); for the networks Nightjar runs at
//! detection time (a few hundred inputs, tens of units, from one to a few hundred rows per call)
//! a GEMM spends about as long packing its operands as multiplying them, and a call of one row
//! took another path (a vector–matrix product) that summed in another order. This pass reads
//! the weights where they lie in `theta`, with no packing and no allocation:
//!
//! * Per layer, the outputs are taken in tiles of [`NB`] columns (then 8, 4 and 1 for the
//!   remainder), and the rows in blocks of `R` (the rows left over after the blocks one at a
//!   time, with tiles of `2·NB` columns). For a tile and a block, `R × width`
//!   accumulators stay in registers while the layer's inputs are walked once: each input `i`
//!   adds `x[r][i] · W[i][c..c + width]` to row `r`'s accumulators, so the compiler vectorises
//!   over the output columns and each weight row is loaded once for `R` rows.
//! * Bias and activation are applied to the tile before it is stored.
//! * Softmax is applied to each row on its own (see `softmax_rows`).
//!
//! # A row's outputs depend on the row only
//! Every output is `act((Σ_i x_i · W[i][j]) + b_j)` summed in input order `i = 0, 1, ...`, one
//! rounded multiply and one rounded add per term (Rust never fuses them into an FMA), whatever
//! the tile width, the block size, the vector width or the row's place in its batch. So a row
//! gets bit-identical outputs in a batch of 1 and in any other batch, and the AVX2 variant
//! gives the same bits as the portable one; the tests check both.
//!
//! # Instruction sets
//! The build targets baseline x86-64 (SSE2). On x86-64 processors with AVX2 the same generic
//! body is also compiled for AVX2 (`simd`), chosen at run time; it keeps more rows in flight.

use super::{Mlp, Output, Scratch, CHUNK};
use crate::{math, Activation};

/// Widest output tile, in columns.
pub(crate) const NB: usize = 16;

/// One layer's geometry and parameters as stored in `theta`.
#[derive(Clone, Copy)]
pub(crate) struct LayerRef<'a> {
    /// Row-major `n_in × n_out`.
    w: &'a [f32],
    /// `n_out` values.
    b: &'a [f32],
    n_in: usize,
    n_out: usize,
    act: Activation,
}

/// `R × W` accumulators of the inputs' contributions to columns `c0..c0 + W` of rows `xs`:
/// `acc[r][j] = Σ_i xs[r][i] · w[i][c0 + j]`, summed in order of `i`. Each `xs[r]` has `n_in`
/// values and `w` holds `n_in` rows of `n_out` values with `c0 + W ≤ n_out`.
#[inline(always)]
fn tile<const R: usize, const W: usize>(
    xs: &[&[f32]; R],
    w: &[f32],
    n_in: usize,
    n_out: usize,
    c0: usize,
) -> [[f32; W]; R] {
    let mut acc = [[0.0f32; W]; R];
    for (row, i) in w.chunks_exact(n_out).zip(0..n_in) {
        let wr = &row[c0..c0 + W];
        for r in 0..R {
            let v = xs[r][i];
            for j in 0..W {
                acc[r][j] += v * wr[j];
            }
        }
    }
    acc
}

/// `a ← act(a + b)` for every row of a tile.
#[inline(always)]
fn bias_act<const R: usize, const W: usize>(acc: &mut [[f32; W]; R], b: &[f32], act: Activation) {
    let b = &b[..W];
    for a in acc.iter_mut() {
        for j in 0..W {
            a[j] += b[j];
        }
    }
    // One loop per row of fixed length `W`, so each vectorises.
    match act {
        Activation::Sigmoid => acc
            .iter_mut()
            .for_each(|a| a.iter_mut().for_each(|v| *v = math::sigmoid(*v))),
        Activation::Tanh => acc
            .iter_mut()
            .for_each(|a| a.iter_mut().for_each(|v| *v = math::tanh(*v))),
        Activation::Relu => acc.iter_mut().for_each(|a| {
            a.iter_mut()
                .for_each(|v| *v = if *v > 0.0 { *v } else { 0.0 })
        }),
        Activation::Identity => {}
    }
}

/// Columns `c0..c0 + W` of rows `r0..r1` of one layer (`r1 - r0` a multiple of `R`), in
/// blocks of `R` rows.
#[inline(always)]
fn columns<const R: usize, const W: usize>(
    l: LayerRef<'_>,
    x: &[f32],
    (r0, r1): (usize, usize),
    c0: usize,
    out: &mut [f32],
) {
    let (n_in, n_out) = (l.n_in, l.n_out);
    let b = &l.b[c0..c0 + W];
    let mut r0 = r0;
    while r0 + R <= r1 {
        let xs: [&[f32]; R] = std::array::from_fn(|r| &x[(r0 + r) * n_in..(r0 + r + 1) * n_in]);
        let mut acc = tile::<R, W>(&xs, l.w, n_in, n_out, c0);
        bias_act(&mut acc, b, l.act);
        for (r, a) in acc.iter().enumerate() {
            out[(r0 + r) * n_out + c0..][..W].copy_from_slice(a);
        }
        r0 += R;
    }
}

/// All columns of rows `r0..r1` of one layer (`r1 - r0` a multiple of `R`): tiles of `W`
/// columns while they fit (each tile's weights are reused over all the rows), then of [`NB`]
/// (if narrower than `W`), 8, 4 and 1.
#[inline(always)]
fn tiles<const R: usize, const W: usize>(
    l: LayerRef<'_>,
    x: &[f32],
    rows: (usize, usize),
    out: &mut [f32],
) {
    let mut c0 = 0;
    while c0 + W <= l.n_out {
        columns::<R, W>(l, x, rows, c0, out);
        c0 += W;
    }
    while W > NB && c0 + NB <= l.n_out {
        columns::<R, NB>(l, x, rows, c0, out);
        c0 += NB;
    }
    while c0 + 8 <= l.n_out {
        columns::<R, 8>(l, x, rows, c0, out);
        c0 += 8;
    }
    if c0 + 4 <= l.n_out {
        columns::<R, 4>(l, x, rows, c0, out);
        c0 += 4;
    }
    while c0 < l.n_out {
        columns::<R, 1>(l, x, rows, c0, out);
        c0 += 1;
    }
}

/// One layer for `rows` rows of `x` (`rows × n_in`) into `out` (`rows × n_out`): blocks of `R`
/// rows with tiles of [`NB`] columns, then the remaining rows one at a time with tiles of
/// `2·NB` columns (a single row needs the wider tile to have as many independent sums in flight).
#[inline(always)]
fn layer<const R: usize>(l: LayerRef<'_>, x: &[f32], rows: usize, out: &mut [f32]) {
    let full = rows - rows % R;
    tiles::<R, NB>(l, x, (0, full), out);
    tiles::<1, { 2 * NB }>(l, x, (full, rows), out);
}

/// The layers of `m` for `rows ≤ CHUNK` rows, each hidden layer's output in `acts` and the last
/// one's (softmax included) in `out` (`rows × n_out`). `R` rows per block.
#[inline(always)]
pub(crate) fn layers<const R: usize>(
    m: &Mlp,
    x: &[f32],
    rows: usize,
    acts: &mut [Vec<f32>],
    out: &mut [f32],
) {
    let last = m.n_layers() - 1;
    for k in 0..=last {
        let l = m.layer_ref(k);
        let (prev, cur) = acts.split_at_mut(k);
        let input = if k == 0 {
            &x[..rows * l.n_in]
        } else {
            &prev[k - 1][..rows * l.n_in]
        };
        let o = if k == last {
            &mut out[..rows * l.n_out]
        } else {
            &mut cur[0][..rows * l.n_out]
        };
        layer::<R>(l, input, rows, o);
    }
    if m.params.output == Output::Softmax {
        let n_out = m.n_outputs();
        softmax_rows(&mut out[..rows * n_out], n_out);
    }
}

/// Row-wise softmax of rows of length `n`: for each row the arithmetic of
/// [`math::softmax_rows`] applied to that row alone (shifted by its maximum only if one of its
/// own logits exceeds ±64), so no row depends on another; the exponentials run over the whole
/// buffer in one loop.
#[inline(always)]
fn softmax_rows(v: &mut [f32], n: usize) {
    for row in v.chunks_exact_mut(n) {
        let big = row.iter().fold(0.0f32, |m, x| m.max(x.abs()));
        if big > 64.0 || big.is_nan() {
            let m = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            row.iter_mut().for_each(|x| *x -= m);
        }
    }
    v.iter_mut().for_each(|x| *x = math::exp(*x));
    for row in v.chunks_exact_mut(n) {
        let inv = 1.0 / math::sum(row);
        row.iter_mut().for_each(|x| *x *= inv);
    }
}

/// Rows per block of the portable (SSE2) variant. Measured: 4 rows (16 accumulators of 4 lanes,
/// more than the 16 SSE registers hold with the weight row) beat 1, 2 and 3 rows.
const R_PORTABLE: usize = 4;

fn layers_portable(m: &Mlp, x: &[f32], rows: usize, acts: &mut [Vec<f32>], out: &mut [f32]) {
    layers::<R_PORTABLE>(m, x, rows, acts, out)
}

impl Mlp {
    /// Layer `l` (`l < n_layers`) as a [`LayerRef`].
    fn layer_ref(&self, l: usize) -> LayerRef<'_> {
        let sizes = self.sizes();
        let (n_in, n_out) = (sizes[l], sizes[l + 1]);
        let (wo, bo) = self.offsets[l];
        let act = if l + 1 < self.n_layers() {
            self.params.activation
        } else {
            match self.params.output {
                Output::Sigmoid => Activation::Sigmoid,
                Output::Identity | Output::Softmax => Activation::Identity,
            }
        };
        LayerRef {
            w: &self.theta[wo..bo],
            b: &self.theta[bo..bo + n_out],
            n_in,
            n_out,
            act,
        }
    }

    /// Outputs of all `x.len() / n_inputs` rows of `x` into `out` (same number of rows), which
    /// the caller has checked and sized.
    pub(super) fn infer_rows(&self, x: &[f32], scratch: &mut Scratch, out: &mut [f32]) {
        self.infer_rows_with(simd::select(), x, scratch, out)
    }

    /// [`Mlp::infer_rows`] with the given variant of [`layers`].
    fn infer_rows_with(&self, run: LayersFn, x: &[f32], scratch: &mut Scratch, out: &mut [f32]) {
        scratch.fit(self.sizes());
        let (n_in, n_out) = (self.n_inputs(), self.n_outputs());
        for (xc, oc) in x.chunks(CHUNK * n_in).zip(out.chunks_mut(CHUNK * n_out)) {
            let rows = xc.len() / n_in;
            run(self, xc, rows, &mut scratch.acts, oc);
        }
    }
}

/// A variant of [`layers`]: the portable one or one compiled for a wider instruction set.
type LayersFn = fn(&Mlp, &[f32], usize, &mut [Vec<f32>], &mut [f32]);

#[cfg(not(target_arch = "x86_64"))]
mod simd {
    /// The portable variant (no wider instruction set is compiled for this architecture).
    pub(super) fn select() -> super::LayersFn {
        super::layers_portable
    }
}

/// The only `unsafe` code of this module: calling [`layers`] compiled for AVX2, after checking
/// that the processor has it.
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod simd {
    use super::{layers, layers_portable, LayersFn, Mlp};

    /// Rows per block with AVX2: with 16-column tiles (two 8-lane registers per row), 4 rows
    /// keep 8 accumulators, the weight row and the broadcast inputs in the 16 YMM registers
    /// (measured: better than 6 or 8 rows).
    const R_AVX2: usize = 4;

    /// [`layers`] compiled with AVX2 enabled: the same code and the same arithmetic (no FMA), on
    /// wider vectors.
    ///
    /// # Safety
    /// The processor must support AVX2.
    #[target_feature(enable = "avx2")]
    unsafe fn layers_avx2_unchecked(
        m: &Mlp,
        x: &[f32],
        rows: usize,
        acts: &mut [Vec<f32>],
        out: &mut [f32],
    ) {
        layers::<R_AVX2>(m, x, rows, acts, out)
    }

    fn layers_avx2(m: &Mlp, x: &[f32], rows: usize, acts: &mut [Vec<f32>], out: &mut [f32]) {
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the processor supports AVX2 (just checked), the only requirement of
            // `layers_avx2_unchecked`; everything else it does is safe Rust.
            unsafe { layers_avx2_unchecked(m, x, rows, acts, out) }
        } else {
            layers_portable(m, x, rows, acts, out)
        }
    }

    /// The AVX2 variant when the processor has AVX2, else the portable one.
    pub(super) fn select() -> LayersFn {
        if std::is_x86_feature_detected!("avx2") {
            layers_avx2
        } else {
            layers_portable
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;
    use crate::MlpParams;

    const ACTS: [Activation; 4] = [
        Activation::Sigmoid,
        Activation::Tanh,
        Activation::Relu,
        Activation::Identity,
    ];

    fn net(sizes: &[usize], act: Activation, output: Output, seed: u64) -> Mlp {
        let p = MlpParams {
            hidden: sizes[1..sizes.len() - 1].to_vec(),
            activation: act,
            output,
            init_range: 0.3,
            seed,
            ..MlpParams::default()
        };
        let n = sizes.len() - 1;
        Mlp::new(&p.validate(sizes[0], sizes[n]).unwrap())
    }

    fn inputs(rows: usize, cols: usize, range: f32, seed: u64) -> Vec<f32> {
        let mut r = Rng::new(seed);
        (0..rows * cols).map(|_| r.uniform_sym(range)).collect()
    }

    /// The training path's forward pass (GEMM, bias, activation), chunk by chunk.
    fn gemm_forward(m: &Mlp, x: &[f32]) -> Vec<f32> {
        let (n_in, n_out) = (m.n_inputs(), m.n_outputs());
        let mut s = Scratch::new();
        s.fit(m.sizes());
        let mut out = Vec::new();
        for xc in x.chunks(CHUNK * n_in) {
            let rows = xc.len() / n_in;
            m.forward_chunk(xc, rows, &mut s.acts).unwrap();
            out.extend_from_slice(&s.acts[m.n_layers() - 1][..rows * n_out]);
        }
        out
    }

    fn infer(m: &Mlp, run: LayersFn, x: &[f32]) -> Vec<f32> {
        let mut out = vec![f32::NAN; x.len() / m.n_inputs() * m.n_outputs()];
        m.infer_rows_with(run, x, &mut Scratch::new(), &mut out);
        out
    }

    fn same_bits(a: &[f32], b: &[f32]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(u, v)| u.to_bits() == v.to_bits())
    }

    /// Every activation and output on the built-in networks' shapes (and odd widths that
    /// exercise every tile width), on ordinary inputs and on inputs at the detector's clip
    /// value, large enough to saturate the units: the outputs agree with the GEMM forward pass within 1e-5 (relative to the
    /// output's magnitude for unbounded identity outputs).
    #[test]
    fn predict_agrees_with_the_gemm_forward_pass() {
        let shapes: [&[usize]; 4] = [
            &[180, 32, 16, 1],
            &[180, 64, 14],
            &[180, 32, 16, 14],
            &[7, 45, 3, 29],
        ];
        let mut seed = 1;
        for sizes in shapes {
            for act in ACTS {
                for output in [Output::Sigmoid, Output::Identity, Output::Softmax] {
                    if output == Output::Softmax && sizes[sizes.len() - 1] < 2 {
                        continue;
                    }
                    seed += 1;
                    let m = net(sizes, act, output, seed);
                    for (kind, rows) in [(0, 2 * CHUNK + 37), (1, 41), (0, 1)] {
                        let mut x = inputs(rows, sizes[0], 3.0, seed);
                        if kind == 1 {
                            // Every input at ±8, the detector's clip: the units saturate.
                            x.iter_mut().for_each(|v| *v = 8.0f32.copysign(*v));
                        }
                        let want = gemm_forward(&m, &x);
                        let got = infer(&m, simd::select(), &x);
                        assert_eq!(got.len(), want.len());
                        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
                            let tol = match output {
                                Output::Identity => 1e-5 * w.abs().max(1.0),
                                _ => 1e-5,
                            };
                            assert!(
                                (g - w).abs() <= tol,
                                "{sizes:?} {act:?} {output:?} inputs {kind}, value {i}: {g} vs {w}"
                            );
                        }
                    }
                }
            }
        }
    }

    /// The AVX2 variant (where the processor has it) computes the same bits as the portable one.
    #[test]
    fn every_instruction_set_variant_gives_the_same_bits() {
        for (k, act) in ACTS.into_iter().enumerate() {
            for (sizes, output) in [
                (&[180, 32, 16, 1][..], Output::Sigmoid),
                (&[180, 32, 16, 14][..], Output::Softmax),
                (&[13, 50, 17, 5][..], Output::Identity),
            ] {
                let m = net(sizes, act, output, 40 + k as u64);
                let x = inputs(CHUNK + 9, sizes[0], 3.0, 5);
                let portable = infer(&m, layers_portable, &x);
                assert!(same_bits(&portable, &infer(&m, simd::select(), &x)));
                assert!(portable.iter().all(|v| v.is_finite()));
            }
        }
    }

    /// A row's outputs are the same bits alone, in a block of rows, in the remainder after the
    /// blocks, and in the second chunk of a batch.
    #[test]
    fn a_row_alone_and_in_any_batch_gives_the_same_bits() {
        for (sizes, act, output) in [
            (&[180, 32, 16, 1][..], Activation::Tanh, Output::Sigmoid),
            (&[180, 32, 16, 14][..], Activation::Tanh, Output::Softmax),
            (&[9, 21, 6][..], Activation::Relu, Output::Identity),
        ] {
            let m = net(sizes, act, output, 77);
            let (n_in, n_out) = (sizes[0], sizes[sizes.len() - 1]);
            let rows = CHUNK + 23;
            let x = inputs(rows, n_in, 3.0, 8);
            for run in [layers_portable as LayersFn, simd::select()] {
                let all = infer(&m, run, &x);
                for r in 0..rows {
                    let one = infer(&m, run, &x[r * n_in..(r + 1) * n_in]);
                    assert!(same_bits(&one, &all[r * n_out..(r + 1) * n_out]), "row {r}");
                }
                for len in [2, 3, 5, 7] {
                    let at = 100;
                    let some = infer(&m, run, &x[at * n_in..(at + len) * n_in]);
                    assert!(same_bits(&some, &all[at * n_out..(at + len) * n_out]));
                }
            }
        }
    }

    /// Softmax shifts a row by its maximum only for its own large logits: each row gets the
    /// bits `math::softmax_rows` gives it alone, next to rows with and without large logits.
    #[test]
    fn softmax_treats_each_row_on_its_own() {
        let v = [
            0.5f32, -1.0, 2.0, 0.25, // small logits
            300.0, 299.0, -5.0, 1.0, // large: shifted
            -70.0, 3.0, 0.0, 1.5, // one large negative: shifted
            1.0, 1.0, 1.0, 1.0,
        ];
        let mut all = v;
        softmax_rows(&mut all, 4);
        for (r, row) in v.chunks(4).enumerate() {
            let mut alone = row.to_vec();
            math::softmax_rows(&mut alone, 4);
            assert!(same_bits(&alone, &all[r * 4..(r + 1) * 4]), "row {r}");
            assert!((alone.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        }
    }
}
