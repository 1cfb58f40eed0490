//! Iris codes: packed phase bits with a validity mask, and masked fractional Hamming distance
//! with a search over rotations.
//!
//! Layout: a code samples the normalised iris at `rows` radii × `cols` angles and stores 2 bits
//! per sample (the quadrant of the complex filter response). Sample `(r, c)` owns bits
//! `2 * (r * cols + c)` and `2 * (r * cols + c) + 1`; bit `i` lives in word `i / 64` at bit
//! `i % 64`. A mask bit is 1 where the bit is valid (iris visible, not eyelid, eyelash or
//! reflection). Rotating the eye by one angular step shifts every row by one column.
//!
//! A code made from a photograph also carries each bit's **reliability** (`weight`, 1 to
//! [`MAX_WEIGHT`]): how far the filter response's component lies from zero, the bit's decision
//! boundary. A bit whose component is near zero flips with a little blur or noise ("fragile
//! bits", Hollingsworth, Bowyer and Flynn, IEEE TPAMI 31(6), 2009). Matching ignores it; key
//! regeneration weighs the fresh capture's bits by it ([`crate::bind`]). It is never stored in an
//! enrollment record.

/// An iris code and its mask.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IrisCode {
    /// Radial samples.
    pub rows: usize,
    /// Angular samples.
    pub cols: usize,
    /// Phase bits, packed.
    pub bits: Vec<u64>,
    /// Validity mask, packed like `bits` (1 = usable).
    pub mask: Vec<u64>,
    /// Per-bit reliability, 1 to [`MAX_WEIGHT`] (one byte per bit, `len()` of them), or empty:
    /// every bit equally reliable.
    pub weight: Vec<u8>,
}

/// The largest bit reliability.
pub const MAX_WEIGHT: u8 = 8;

/// Words needed for `n` bits.
fn words(n: usize) -> usize {
    n.div_ceil(64)
}

impl IrisCode {
    /// An all-zero code with every bit masked out.
    pub fn empty(rows: usize, cols: usize) -> IrisCode {
        let n = words(rows * cols * 2);
        IrisCode {
            rows,
            cols,
            bits: vec![0; n],
            mask: vec![0; n],
            weight: Vec::new(),
        }
    }

    /// Number of code bits (`rows * cols * 2`).
    pub fn len(&self) -> usize {
        self.rows * self.cols * 2
    }

    /// Whether the code has no bits.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bit `i`.
    #[inline]
    pub fn bit(&self, i: usize) -> bool {
        (self.bits[i / 64] >> (i % 64)) & 1 == 1
    }

    /// Whether bit `i` is valid.
    #[inline]
    pub fn valid(&self, i: usize) -> bool {
        (self.mask[i / 64] >> (i % 64)) & 1 == 1
    }

    /// Set bit `i` and its validity.
    #[inline]
    pub fn set(&mut self, i: usize, bit: bool, valid: bool) {
        let (w, b) = (i / 64, i % 64);
        self.bits[w] = (self.bits[w] & !(1 << b)) | (u64::from(bit) << b);
        self.mask[w] = (self.mask[w] & !(1 << b)) | (u64::from(valid) << b);
    }

    /// Reliability of bit `i` (1 to [`MAX_WEIGHT`]; [`MAX_WEIGHT`] when the code has none).
    #[inline]
    pub fn weight(&self, i: usize) -> u8 {
        self.weight.get(i).copied().unwrap_or(MAX_WEIGHT)
    }

    /// Number of valid bits.
    pub fn valid_bits(&self) -> usize {
        self.mask.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// The code as seen from an eye rotated by `shift` angular samples (cyclic in each row).
    pub fn shifted(&self, shift: i32) -> IrisCode {
        let cols = self.cols as i64;
        if cols == 0 {
            return self.clone();
        }
        let s = (i64::from(shift)).rem_euclid(cols) as usize;
        let n = words(self.len());
        let weighted = self.weight.len() == self.len();
        if self.bits.len() != n || self.mask.len() != n || !(weighted || self.weight.is_empty()) {
            // malformed (fields are public): nothing sensible to rotate
            return self.clone();
        }
        let row_bits = 2 * self.cols;
        let weight = if weighted {
            let mut w = vec![0u8; self.len()];
            for (from, to) in self.weight.chunks(row_bits).zip(w.chunks_mut(row_bits)) {
                to[2 * s..].copy_from_slice(&from[..row_bits - 2 * s]);
                to[..2 * s].copy_from_slice(&from[row_bits - 2 * s..]);
            }
            w
        } else {
            Vec::new()
        };
        if row_bits % 64 == 0 {
            // rows are whole words: rotate words (fast path, same result)
            return IrisCode {
                rows: self.rows,
                cols: self.cols,
                bits: rotate_rows(&self.bits, row_bits / 64, 2 * s),
                mask: rotate_rows(&self.mask, row_bits / 64, 2 * s),
                weight,
            };
        }
        let mut out = IrisCode::empty(self.rows, self.cols);
        out.weight = weight;
        for r in 0..self.rows {
            for c in 0..self.cols {
                let from = 2 * (r * self.cols + c);
                let to = 2 * (r * self.cols + (c + s) % self.cols);
                for k in 0..2 {
                    out.set(to + k, self.bit(from + k), self.valid(from + k));
                }
            }
        }
        out
    }
}

/// Rotate each row of `w` words (a row is `64·w` bits) left by `k` bits: bit `i` of a row moves
/// to bit `(i + k) mod 64w`.
fn rotate_rows(src: &[u64], w: usize, k: usize) -> Vec<u64> {
    let mut out = vec![0u64; src.len()];
    if w == 0 {
        return out;
    }
    let len = 64 * w;
    let k = k % len;
    // output bit j comes from input bit (j - k) mod len = 64q + m
    let start = (len - k) % len;
    let (q, m) = (start / 64, start % 64);
    for (row_in, row_out) in src.chunks(w).zip(out.chunks_mut(w)) {
        for (j, o) in row_out.iter_mut().enumerate() {
            let a = row_in[(q + j) % w];
            *o = if m == 0 {
                a
            } else {
                (a >> m) | (row_in[(q + j + 1) % w] << (64 - m))
            };
        }
    }
    out
}

/// Masked fractional Hamming distance between two codes of the same shape: disagreeing bits
/// among bits valid in both, over the number valid in both. `None` when the shapes differ or no
/// bit is valid in both.
pub fn hamming(a: &IrisCode, b: &IrisCode) -> Option<(f64, usize)> {
    if a.rows != b.rows
        || a.cols != b.cols
        || a.bits.len() != b.bits.len()
        || a.mask.len() != a.bits.len()
        || b.mask.len() != b.bits.len()
    {
        return None;
    }
    let mut diff = 0usize;
    let mut both = 0usize;
    for i in 0..a.bits.len() {
        let m = a.mask[i] & b.mask[i];
        both += m.count_ones() as usize;
        diff += ((a.bits[i] ^ b.bits[i]) & m).count_ones() as usize;
    }
    (both > 0).then(|| (diff as f64 / both as f64, both))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shift_then_unshift_is_identity() {
        let mut c = IrisCode::empty(3, 10);
        for i in 0..c.len() {
            c.set(i, i % 3 == 0, i % 5 != 0);
        }
        assert_eq!(c.shifted(4).shifted(-4), c);
        assert_eq!(c.shifted(10), c);
        assert_eq!(hamming(&c, &c), Some((0.0, c.valid_bits())));
    }

    #[test]
    fn fast_shift_matches_bitwise_shift() {
        let mut c = IrisCode::empty(3, 64);
        for i in 0..c.len() {
            c.set(i, (i * 7919) % 5 < 2, (i * 104_729) % 7 != 0);
        }
        for s in [-70, -33, -1, 0, 1, 5, 31, 32, 33, 63, 64, 100] {
            let fast = c.shifted(s);
            // reference: bit by bit
            let sh = i64::from(s).rem_euclid(64) as usize;
            let mut slow = IrisCode::empty(3, 64);
            for r in 0..3 {
                for col in 0..64 {
                    let from = 2 * (r * 64 + col);
                    let to = 2 * (r * 64 + (col + sh) % 64);
                    for k in 0..2 {
                        slow.set(to + k, c.bit(from + k), c.valid(from + k));
                    }
                }
            }
            assert_eq!(fast, slow, "shift {s}");
        }
    }

    #[test]
    fn weights_rotate_with_their_bits() {
        for cols in [10, 32, 64] {
            let mut c = IrisCode::empty(3, cols);
            c.weight = (0..c.len()).map(|i| (i % 8) as u8 + 1).collect();
            for i in 0..c.len() {
                c.set(i, i % 3 == 0, true);
            }
            for s in [-3, 1, 7] {
                let d = c.shifted(s);
                let sh = i64::from(s).rem_euclid(cols as i64) as usize;
                for r in 0..3 {
                    for col in 0..cols {
                        for k in 0..2 {
                            let from = 2 * (r * cols + col) + k;
                            let to = 2 * (r * cols + (col + sh) % cols) + k;
                            assert_eq!(d.weight(to), c.weight(from), "cols {cols} shift {s}");
                            assert_eq!(d.bit(to), c.bit(from));
                        }
                    }
                }
            }
            assert_eq!(c.shifted(5).shifted(-5), c);
        }
        // no weights: every bit counts fully
        assert_eq!(IrisCode::empty(1, 4).weight(3), MAX_WEIGHT);
    }

    #[test]
    fn hamming_counts_only_bits_valid_in_both() {
        let mut a = IrisCode::empty(1, 4);
        let mut b = IrisCode::empty(1, 4);
        for i in 0..8 {
            a.set(i, true, true);
            b.set(i, i < 4, i != 7);
        }
        // valid in both: bits 0..7 (7 bits); differing among them: 4, 5, 6
        assert_eq!(hamming(&a, &b), Some((3.0 / 7.0, 7)));
        assert_eq!(hamming(&a, &IrisCode::empty(1, 4)), None);
    }
}
