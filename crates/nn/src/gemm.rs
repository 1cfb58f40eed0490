//! `unsafe` code: calls into `matrixmultiply`'s GEMM kernels. (The crate's only other `unsafe`
//! is the call of inference's AVX2 variant in `mlp::infer`, after checking the processor.)
//!
//! [`gemm`] and [`dgemm`] are safe wrappers. They take slices and a [`Layout`] for each operand
//! and check, before the call, that every slice has *exactly* the length its dimensions imply.
//! The safety argument is written next to each call.
#![allow(unsafe_code)]

/// How an operand is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layout {
    /// The logical `r × c` operand is stored row-major: element `(i, j)` at `i * c + j`.
    RowMajor,
    /// The logical `r × c` operand is the transpose of a row-major `c × r` array:
    /// element `(i, j)` at `j * r + i`.
    Transposed,
}

/// A GEMM call whose slice lengths do not match its dimensions: a bug in this crate, reported
/// instead of touching memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct GemmShapeError;

impl From<GemmShapeError> for crate::NnError {
    fn from(_: GemmShapeError) -> Self {
        crate::NnError::shape(
            "gemm",
            "operands of matching length",
            "a mismatch (internal error)",
        )
    }
}

/// Row and column strides of a logical `r × c` operand in `layout`.
fn strides(layout: Layout, r: usize, c: usize) -> (isize, isize) {
    // Callers have checked r * c <= isize::MAX, so r and c themselves fit in isize.
    match layout {
        Layout::RowMajor => (c as isize, 1),
        Layout::Transposed => (1, r as isize),
    }
}

/// Checks that `len == r * c` and that the product fits in `isize` (so every offset does).
fn exact(len: usize, r: usize, c: usize) -> Result<(), GemmShapeError> {
    match r.checked_mul(c) {
        Some(n) if n == len && n <= isize::MAX as usize => Ok(()),
        _ => Err(GemmShapeError),
    }
}

macro_rules! gemm_impl {
    ($name:ident, $t:ty, $kernel:path) => {
        /// `C ← alpha · A · B + beta · C` with `A` logically `m × k`, `B` logically `k × n` and
        /// `C` row-major `m × n`. With `beta == 0`, `C` is overwritten (its old values, even NaN,
        /// are not read).
        #[allow(clippy::too_many_arguments)]
        pub(crate) fn $name(
            m: usize,
            k: usize,
            n: usize,
            alpha: $t,
            a: &[$t],
            la: Layout,
            b: &[$t],
            lb: Layout,
            beta: $t,
            c: &mut [$t],
        ) -> Result<(), GemmShapeError> {
            exact(a.len(), m, k)?;
            exact(b.len(), k, n)?;
            exact(c.len(), m, n)?;
            if m == 0 || n == 0 {
                return Ok(());
            }
            if k == 0 {
                // A·B is the zero matrix; do C ← beta·C ourselves.
                if beta == 0.0 {
                    c.fill(0.0);
                } else {
                    c.iter_mut().for_each(|v| *v *= beta);
                }
                return Ok(());
            }
            if let Some(()) = small::$name(m, k, n, alpha, a, la, b, lb, beta, c) {
                return Ok(());
            }
            let (rsa, csa) = strides(la, m, k);
            let (rsb, csb) = strides(lb, k, n);
            // SAFETY: `matrixmultiply` reads A at offsets i*rsa + p*csa (i < m, p < k), B at
            // p*rsb + j*csb (p < k, j < n) and writes C at i*n + j (i < m, j < n).
            // * RowMajor m×k: max offset (m-1)k + (k-1) = mk - 1; Transposed: (m-1) + (k-1)m =
            //   mk - 1. `exact` checked a.len() == mk exactly, so every read of A is in bounds;
            //   the same argument with (k, n) holds for B, and C is row-major with c.len() == mn.
            // * All products were checked to fit in isize, so no stride or offset overflows.
            // * m, k, n >= 1 here; the C strides (n, 1) never make two elements alias.
            // * `c` is a unique `&mut` borrow and `a`, `b` shared borrows, so C does not overlap
            //   A or B, and nothing else accesses them during the call.
            unsafe {
                $kernel(
                    m,
                    k,
                    n,
                    alpha,
                    a.as_ptr(),
                    rsa,
                    csa,
                    b.as_ptr(),
                    rsb,
                    csb,
                    beta,
                    c.as_mut_ptr(),
                    n as isize,
                    1,
                );
            }
            Ok(())
        }
    };
}

gemm_impl!(gemm, f32, matrixmultiply::sgemm);
gemm_impl!(dgemm, f64, matrixmultiply::dgemm);

/// Products with a dimension of 1 are matrix–vector products or outer products, not GEMMs: a
/// GEMM kernel would pad them to its 8×8 tiles and pack both operands for a few flops. These
/// plain loops (safe, vectorisable) handle them instead. Lengths were checked by the caller.
mod small {
    use super::Layout;

    /// `Σ a_i b_i` in a fixed order that vectorises (eight interleaved partial sums).
    macro_rules! dot {
        ($t:ty, $a:expr, $b:expr) => {{
            let (a, b): (&[$t], &[$t]) = ($a, $b);
            let mut lanes = [0.0 as $t; 8];
            let mut ia = a.chunks_exact(8);
            let mut ib = b.chunks_exact(8);
            for (x, y) in (&mut ia).zip(&mut ib) {
                for l in 0..8 {
                    lanes[l] += x[l] * y[l];
                }
            }
            let mut s = ((lanes[0] + lanes[4]) + (lanes[1] + lanes[5]))
                + ((lanes[2] + lanes[6]) + (lanes[3] + lanes[7]));
            for (x, y) in ia.remainder().iter().zip(ib.remainder()) {
                s += x * y;
            }
            s
        }};
    }

    macro_rules! small_impl {
        ($name:ident, $t:ty) => {
            /// Handles `n == 1`, `k == 1` and `m == 1`; `None` for a genuine GEMM.
            #[allow(clippy::too_many_arguments)]
            pub(super) fn $name(
                m: usize,
                k: usize,
                n: usize,
                alpha: $t,
                a: &[$t],
                la: Layout,
                b: &[$t],
                lb: Layout,
                beta: $t,
                c: &mut [$t],
            ) -> Option<()> {
                let scale = |c: &mut [$t]| {
                    if beta == 0.0 {
                        c.fill(0.0);
                    } else if beta != 1.0 {
                        c.iter_mut().for_each(|v| *v *= beta);
                    }
                };
                if k == 1 {
                    // Outer product: a is a column (contiguous either way), b a row.
                    scale(c);
                    for (row, &ai) in c.chunks_exact_mut(n).zip(a) {
                        let f = alpha * ai;
                        row.iter_mut().zip(b).for_each(|(v, &bj)| *v += f * bj);
                    }
                    Some(())
                } else if n == 1 {
                    // Matrix–vector: b is a column of length k, contiguous either way.
                    match la {
                        Layout::RowMajor => {
                            for (ci, row) in c.iter_mut().zip(a.chunks_exact(k)) {
                                let d = dot!($t, row, b);
                                *ci = if beta == 0.0 {
                                    alpha * d
                                } else {
                                    alpha * d + beta * *ci
                                };
                            }
                        }
                        Layout::Transposed => {
                            // a is stored k × m: c += Σ_p b_p · (stored row p).
                            scale(c);
                            for (row, &bp) in a.chunks_exact(m).zip(b) {
                                let f = alpha * bp;
                                c.iter_mut().zip(row).for_each(|(v, &x)| *v += f * x);
                            }
                        }
                    }
                    Some(())
                } else if m == 1 {
                    // Vector–matrix: a is a row of length k, contiguous either way.
                    match lb {
                        Layout::RowMajor => {
                            scale(c);
                            for (row, &ap) in b.chunks_exact(n).zip(a) {
                                let f = alpha * ap;
                                c.iter_mut().zip(row).for_each(|(v, &x)| *v += f * x);
                            }
                        }
                        Layout::Transposed => {
                            // b is stored n × k: c_j = a · (stored row j).
                            for (cj, row) in c.iter_mut().zip(b.chunks_exact(k)) {
                                let d = dot!($t, a, row);
                                *cj = if beta == 0.0 {
                                    alpha * d
                                } else {
                                    alpha * d + beta * *cj
                                };
                            }
                        }
                    }
                    Some(())
                } else {
                    None
                }
            }
        };
    }

    small_impl!(gemm, f32);
    small_impl!(dgemm, f64);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(
        m: usize,
        k: usize,
        n: usize,
        a: &[f64],
        la: Layout,
        b: &[f64],
        lb: Layout,
    ) -> Vec<f64> {
        let at = |i: usize, p: usize| match la {
            Layout::RowMajor => a[i * k + p],
            Layout::Transposed => a[p * m + i],
        };
        let bt = |p: usize, j: usize| match lb {
            Layout::RowMajor => b[p * n + j],
            Layout::Transposed => b[j * k + p],
        };
        let mut c = vec![0.0; m * n];
        for i in 0..m {
            for j in 0..n {
                c[i * n + j] = (0..k).map(|p| at(i, p) * bt(p, j)).sum();
            }
        }
        c
    }

    #[test]
    fn gemm_matches_naive_in_every_layout() {
        for (m, k, n) in [
            (5, 3, 4),
            (9, 17, 1),
            (1, 12, 9),
            (11, 1, 10),
            (1, 1, 1),
            (1, 20, 1),
            (33, 2, 19),
        ] {
            check_shape(m, k, n);
        }
    }

    /// Entries are multiples of 1/2 and 1/4 of modest size, so every product and partial sum
    /// is exact in `f32`: any summation order gives the same bits and the comparison is exact.
    fn check_shape(m: usize, k: usize, n: usize) {
        let a: Vec<f32> = (0..m * k).map(|v| v as f32 * 0.5 - 3.0).collect();
        let b: Vec<f32> = (0..k * n).map(|v| 1.0 - v as f32 * 0.25).collect();
        for la in [Layout::RowMajor, Layout::Transposed] {
            for lb in [Layout::RowMajor, Layout::Transposed] {
                let mut c = vec![f32::NAN; m * n];
                gemm(m, k, n, 1.0, &a, la, &b, lb, 0.0, &mut c).unwrap();
                let a64: Vec<f64> = a.iter().map(|&v| v as f64).collect();
                let b64: Vec<f64> = b.iter().map(|&v| v as f64).collect();
                let want = naive(m, k, n, &a64, la, &b64, lb);
                let got: Vec<f64> = c.iter().map(|&v| v as f64).collect();
                assert_eq!(got, want, "{m}×{k}×{n} {la:?} {lb:?}");
                // beta = 1 accumulates, alpha scales
                gemm(m, k, n, 2.0, &a, la, &b, lb, 1.0, &mut c).unwrap();
                let got: Vec<f64> = c.iter().map(|&v| v as f64).collect();
                let want3: Vec<f64> = want.iter().map(|v| 3.0 * v).collect();
                assert_eq!(got, want3);
                // beta other than 0 and 1 scales C
                gemm(m, k, n, 1.0, &a, la, &b, lb, 0.5, &mut c).unwrap();
                let got: Vec<f64> = c.iter().map(|&v| v as f64).collect();
                let want25: Vec<f64> = want.iter().map(|v| 2.5 * v).collect();
                assert_eq!(got, want25);
                let mut d = vec![0.0f64; m * n];
                dgemm(m, k, n, 1.0, &a64, la, &b64, lb, 0.0, &mut d).unwrap();
                assert_eq!(d, want);
            }
        }
    }

    #[test]
    fn gemm_rejects_wrong_lengths_and_handles_empty_dims() {
        let mut c = vec![0.0f32; 4];
        assert_eq!(
            gemm(
                2,
                2,
                2,
                1.0,
                &[0.0; 3],
                Layout::RowMajor,
                &[0.0; 4],
                Layout::RowMajor,
                0.0,
                &mut c
            ),
            Err(GemmShapeError)
        );
        assert_eq!(
            gemm(
                2,
                2,
                2,
                1.0,
                &[0.0; 4],
                Layout::RowMajor,
                &[0.0; 5],
                Layout::RowMajor,
                0.0,
                &mut c
            ),
            Err(GemmShapeError)
        );
        assert_eq!(
            gemm(
                2,
                2,
                2,
                1.0,
                &[0.0; 4],
                Layout::RowMajor,
                &[0.0; 4],
                Layout::RowMajor,
                0.0,
                &mut c[..3]
            ),
            Err(GemmShapeError)
        );
        assert_eq!(
            gemm(
                usize::MAX,
                2,
                1,
                1.0,
                &[],
                Layout::RowMajor,
                &[0.0; 2],
                Layout::RowMajor,
                0.0,
                &mut []
            ),
            Err(GemmShapeError)
        );
        let mut c = vec![5.0f32; 4];
        gemm(
            2,
            0,
            2,
            1.0,
            &[],
            Layout::RowMajor,
            &[],
            Layout::RowMajor,
            0.5,
            &mut c,
        )
        .unwrap();
        assert_eq!(c, vec![2.5; 4]);
        gemm(
            0,
            3,
            2,
            1.0,
            &[],
            Layout::RowMajor,
            &[0.0; 6],
            Layout::RowMajor,
            0.0,
            &mut [],
        )
        .unwrap();
    }
}
