//! Ridge regression by the normal equations: `f64` Gram accumulation and a Cholesky solve.

use crate::gemm::{dgemm, Layout};
use crate::NnError;

/// Rows buffered before each Gram update.
const BLOCK: usize = 128;

/// Accumulates `A = Σ z zᵀ` and `B = Σ z tᵀ` over rows `z` (width `d`) and targets `t`
/// (width `m`), in `f64`, in blocks of rows (one `f64` GEMM per block).
#[derive(Debug, Clone)]
pub struct Gram {
    d: usize,
    m: usize,
    a: Vec<f64>,
    b: Vec<f64>,
    zb: Vec<f64>,
    tb: Vec<f64>,
    filled: usize,
    rows: usize,
}

impl Gram {
    /// An empty accumulator for features of width `d` and targets of width `m`.
    pub fn new(d: usize, m: usize) -> Gram {
        Gram {
            d,
            m,
            a: vec![0.0; d * d],
            b: vec![0.0; d * m],
            zb: vec![0.0; BLOCK * d],
            tb: vec![0.0; BLOCK * m],
            filled: 0,
            rows: 0,
        }
    }

    /// Adds one row; `z.len()` must be `d` and `t.len()` must be `m`.
    pub fn push(&mut self, z: &[f32], t: &[f32]) -> Result<(), NnError> {
        if z.len() != self.d || t.len() != self.m {
            return Err(NnError::shape(
                "Gram::push",
                format!("{} features, {} targets", self.d, self.m),
                format!("{}, {}", z.len(), t.len()),
            ));
        }
        let k = self.filled;
        for (dst, &v) in self.zb[k * self.d..(k + 1) * self.d].iter_mut().zip(z) {
            *dst = v as f64;
        }
        for (dst, &v) in self.tb[k * self.m..(k + 1) * self.m].iter_mut().zip(t) {
            *dst = v as f64;
        }
        self.filled += 1;
        self.rows += 1;
        if self.filled == BLOCK {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), NnError> {
        let (k, d, m) = (self.filled, self.d, self.m);
        if k == 0 {
            return Ok(());
        }
        let z = &self.zb[..k * d];
        dgemm(
            d,
            k,
            d,
            1.0,
            z,
            Layout::Transposed,
            z,
            Layout::RowMajor,
            1.0,
            &mut self.a,
        )?;
        dgemm(
            d,
            k,
            m,
            1.0,
            z,
            Layout::Transposed,
            &self.tb[..k * m],
            Layout::RowMajor,
            1.0,
            &mut self.b,
        )?;
        self.filled = 0;
        Ok(())
    }

    /// Rows added so far.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Solves `(A + ridge·I') W = B` for `W` (`d × m`, row-major), where `I'` is the identity
    /// except that feature `unpenalised` (the bias column), if given, is not penalised.
    pub fn solve(mut self, ridge: f64, unpenalised: Option<usize>) -> Result<Vec<f64>, NnError> {
        self.flush()?;
        let d = self.d;
        for i in 0..d {
            if Some(i) != unpenalised {
                self.a[i * d + i] += ridge;
            }
        }
        cholesky_solve(&mut self.a, d, &mut self.b, self.m)?;
        Ok(self.b)
    }
}

/// Solves `A X = B` for symmetric positive definite `A` (`d × d`, row-major; overwritten by its
/// Cholesky factor) and `B` (`d × m`, overwritten by `X`).
pub fn cholesky_solve(a: &mut [f64], d: usize, b: &mut [f64], m: usize) -> Result<(), NnError> {
    if a.len() != d * d || b.len() != d * m {
        return Err(NnError::shape(
            "cholesky_solve",
            format!("{d}×{d} and {d}×{m}"),
            format!("{} and {} values", a.len(), b.len()),
        ));
    }
    let scale = (0..d).map(|i| a[i * d + i].abs()).fold(0.0, f64::max);
    let tol = scale * 1e-13;
    // A = L Lᵀ, L stored in the lower triangle of `a`.
    for j in 0..d {
        let (rows_before, rest) = a.split_at_mut(j * d);
        let row_j = &mut rest[..d];
        for k in 0..j {
            let lk = &rows_before[k * d..k * d + k];
            let s: f64 = row_j[..k].iter().zip(lk).map(|(x, y)| x * y).sum();
            row_j[k] = (row_j[k] - s) / rows_before[k * d + k];
        }
        let s: f64 = row_j[..j].iter().map(|x| x * x).sum();
        let piv = row_j[j] - s;
        if !piv.is_finite() || piv <= tol {
            return Err(NnError::Singular { pivot: j, size: d });
        }
        row_j[j] = piv.sqrt();
    }
    // Forward: L Y = B.
    for i in 0..d {
        for k in 0..i {
            let l = a[i * d + k];
            if l != 0.0 {
                for c in 0..m {
                    b[i * m + c] -= l * b[k * m + c];
                }
            }
        }
        let inv = 1.0 / a[i * d + i];
        b[i * m..(i + 1) * m].iter_mut().for_each(|v| *v *= inv);
    }
    // Backward: Lᵀ X = Y.
    for i in (0..d).rev() {
        for k in i + 1..d {
            let l = a[k * d + i];
            if l != 0.0 {
                for c in 0..m {
                    b[i * m + c] -= l * b[k * m + c];
                }
            }
        }
        let inv = 1.0 / a[i * d + i];
        b[i * m..(i + 1) * m].iter_mut().for_each(|v| *v *= inv);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cholesky_solves_a_hand_computed_system() {
        // A = [[4, 2], [2, 3]] (L = [[2, 0], [1, √2]]), b = [2, 5] → x = [-0.5, 2].
        let mut a = vec![4.0, 2.0, 2.0, 3.0];
        let mut b = vec![2.0, 5.0];
        cholesky_solve(&mut a, 2, &mut b, 1).unwrap();
        assert!(
            (b[0] + 0.5).abs() < 1e-14 && (b[1] - 2.0).abs() < 1e-14,
            "{b:?}"
        );
        assert!((a[3] - 2f64.sqrt()).abs() < 1e-15);
    }

    #[test]
    fn cholesky_reports_singular_and_indefinite() {
        let mut a = vec![1.0, 1.0, 1.0, 1.0];
        let mut b = vec![1.0, 1.0];
        assert_eq!(
            cholesky_solve(&mut a, 2, &mut b, 1),
            Err(NnError::Singular { pivot: 1, size: 2 })
        );
        let mut a = vec![-1.0];
        assert!(cholesky_solve(&mut a, 1, &mut [1.0], 1).is_err());
        let mut a = vec![f64::NAN];
        assert!(cholesky_solve(&mut a, 1, &mut [1.0], 1).is_err());
    }
}
