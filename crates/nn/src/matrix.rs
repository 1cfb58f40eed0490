//! A dense row-major `f32` matrix: the one data type every model in this crate consumes.

use crate::NnError;

/// A dense, row-major `f32` matrix: element `(r, c)` is `data[r * cols + c]`.
///
/// The fields are public so callers can build and reuse buffers freely; every function of this
/// crate that takes a `Matrix` first checks that `data.len() == rows * cols` and returns
/// [`NnError::Shape`] otherwise, so an inconsistent matrix is reported, never read out of bounds.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Matrix {
    /// Number of rows (samples, or time steps).
    pub rows: usize,
    /// Number of columns (features, or outputs).
    pub cols: usize,
    /// `rows * cols` values, row after row.
    pub data: Vec<f32>,
}

impl Matrix {
    /// A matrix over `data`, which must hold exactly `rows * cols` values.
    pub fn new(rows: usize, cols: usize, data: Vec<f32>) -> Result<Matrix, NnError> {
        let m = Matrix { rows, cols, data };
        m.check("Matrix::new")?;
        Ok(m)
    }

    /// A `rows × cols` matrix of zeros.
    ///
    /// # Panics
    /// If `rows * cols` overflows `usize` (the allocation could not succeed anyway).
    pub fn zeros(rows: usize, cols: usize) -> Matrix {
        let len = rows
            .checked_mul(cols)
            .expect("Matrix::zeros: rows * cols overflows usize");
        Matrix {
            rows,
            cols,
            data: vec![0.0; len],
        }
    }

    /// A matrix from equally long rows (`&[Vec<f32>]`, `&[[f32; N]]`, `&[&[f32]]`, ...).
    /// No rows gives a `0 × 0` matrix.
    pub fn from_rows<R: AsRef<[f32]>>(rows: &[R]) -> Result<Matrix, NnError> {
        let cols = rows.first().map_or(0, |r| r.as_ref().len());
        let mut data = Vec::with_capacity(rows.len().saturating_mul(cols));
        for (i, r) in rows.iter().enumerate() {
            let r = r.as_ref();
            if r.len() != cols {
                return Err(NnError::shape(
                    "Matrix::from_rows",
                    format!("every row of length {cols}"),
                    format!("row {i} of length {}", r.len()),
                ));
            }
            data.extend_from_slice(r);
        }
        Ok(Matrix {
            rows: rows.len(),
            cols,
            data,
        })
    }

    /// A single-column matrix.
    pub fn column(values: &[f32]) -> Matrix {
        Matrix {
            rows: values.len(),
            cols: 1,
            data: values.to_vec(),
        }
    }

    /// One-hot rows: row `i` has a 1 in column `labels[i]`; every label must be `< classes`.
    pub fn one_hot(labels: &[usize], classes: usize) -> Result<Matrix, NnError> {
        if let Some((i, &l)) = labels.iter().enumerate().find(|(_, &l)| l >= classes) {
            return Err(NnError::BadData(format!(
                "label {l} at row {i} is not below {classes} classes"
            )));
        }
        let len = labels
            .len()
            .checked_mul(classes)
            .ok_or_else(|| NnError::BadData("one_hot: rows * classes overflows".into()))?;
        let mut data = vec![0.0; len];
        for (i, &l) in labels.iter().enumerate() {
            data[i * classes + l] = 1.0;
        }
        Ok(Matrix {
            rows: labels.len(),
            cols: classes,
            data,
        })
    }

    /// Row `i` as a slice.
    ///
    /// # Panics
    /// If `i >= rows` (like slice indexing).
    pub fn row(&self, i: usize) -> &[f32] {
        assert!(
            i < self.rows,
            "Matrix::row: row {i} out of {} rows",
            self.rows
        );
        &self.data[i * self.cols..(i + 1) * self.cols]
    }

    /// Row `i` as a mutable slice.
    ///
    /// # Panics
    /// If `i >= rows`.
    pub fn row_mut(&mut self, i: usize) -> &mut [f32] {
        assert!(
            i < self.rows,
            "Matrix::row_mut: row {i} out of {} rows",
            self.rows
        );
        let c = self.cols;
        &mut self.data[i * c..(i + 1) * c]
    }

    /// The rows, in order.
    pub fn rows_iter(&self) -> impl ExactSizeIterator<Item = &[f32]> + '_ {
        // `max(1)` keeps `chunks_exact` valid for zero columns; such a matrix has no data.
        let n = if self.cols == 0 { 0 } else { self.rows };
        self.data.chunks_exact(self.cols.max(1)).take(n)
    }

    /// Element `(r, c)`.
    ///
    /// # Panics
    /// If `r >= rows` or `c >= cols`.
    pub fn get(&self, r: usize, c: usize) -> f32 {
        assert!(
            r < self.rows && c < self.cols,
            "Matrix::get: ({r}, {c}) out of {}×{}",
            self.rows,
            self.cols
        );
        self.data[r * self.cols + c]
    }

    /// Element `(r, c)`, or `None` when out of range.
    pub fn try_get(&self, r: usize, c: usize) -> Option<f32> {
        if r < self.rows && c < self.cols {
            self.data.get(r * self.cols + c).copied()
        } else {
            None
        }
    }

    /// Set element `(r, c)`.
    ///
    /// # Panics
    /// If `r >= rows` or `c >= cols`.
    pub fn set(&mut self, r: usize, c: usize, v: f32) {
        assert!(
            r < self.rows && c < self.cols,
            "Matrix::set: ({r}, {c}) out of {}×{}",
            self.rows,
            self.cols
        );
        self.data[r * self.cols + c] = v;
    }

    /// Rows `start..end` as a new matrix (`None` when out of range).
    pub fn slice_rows(&self, start: usize, end: usize) -> Option<Matrix> {
        if start > end || end > self.rows || self.check("slice_rows").is_err() {
            return None;
        }
        Some(Matrix {
            rows: end - start,
            cols: self.cols,
            data: self.data[start * self.cols..end * self.cols].to_vec(),
        })
    }

    /// The rows with the given indices, in that order (`None` if an index is out of range).
    pub fn select_rows(&self, idx: &[usize]) -> Option<Matrix> {
        if self.check("select_rows").is_err() {
            return None;
        }
        let mut data = Vec::with_capacity(idx.len().saturating_mul(self.cols));
        for &i in idx {
            if i >= self.rows {
                return None;
            }
            data.extend_from_slice(&self.data[i * self.cols..(i + 1) * self.cols]);
        }
        Some(Matrix {
            rows: idx.len(),
            cols: self.cols,
            data,
        })
    }

    /// Index of the largest value of each row (the first on ties; NaN never wins).
    pub fn argmax_rows(&self) -> Vec<usize> {
        self.rows_iter()
            .map(|r| {
                let mut best = 0;
                for (j, &v) in r.iter().enumerate() {
                    if v > r[best] || r[best].is_nan() && !v.is_nan() {
                        best = j;
                    }
                }
                best
            })
            .collect()
    }

    /// Whether every value is finite.
    pub fn is_finite(&self) -> bool {
        self.data.iter().all(|v| v.is_finite())
    }

    /// `"rows×cols"`, for messages.
    pub fn shape_str(&self) -> String {
        format!("{}×{}", self.rows, self.cols)
    }

    /// Checks the `data.len() == rows * cols` invariant (the fields are public).
    pub fn check(&self, what: &'static str) -> Result<(), NnError> {
        match self.rows.checked_mul(self.cols) {
            Some(n) if n == self.data.len() => Ok(()),
            _ => Err(NnError::shape(
                what,
                format!("data of length rows × cols = {}×{}", self.rows, self.cols),
                format!("length {}", self.data.len()),
            )),
        }
    }
}

impl std::ops::Index<(usize, usize)> for Matrix {
    type Output = f32;
    fn index(&self, (r, c): (usize, usize)) -> &f32 {
        assert!(
            r < self.rows && c < self.cols,
            "Matrix index ({r}, {c}) out of {}×{}",
            self.rows,
            self.cols
        );
        &self.data[r * self.cols + c]
    }
}

impl std::ops::IndexMut<(usize, usize)> for Matrix {
    fn index_mut(&mut self, (r, c): (usize, usize)) -> &mut f32 {
        assert!(
            r < self.rows && c < self.cols,
            "Matrix index ({r}, {c}) out of {}×{}",
            self.rows,
            self.cols
        );
        &mut self.data[r * self.cols + c]
    }
}
