//! Matching: masked fractional Hamming distance, minimised over rotations.
//!
//! `HD = ‖(A ⊕ B) ∧ Ma ∧ Mb‖ / ‖Ma ∧ Mb‖` (Daugman): the fraction of disagreeing bits among
//! those valid in both codes. The eye may be rotated between captures (head tilt,
//! cyclotorsion), so `B` is compared at every cyclic shift of up to `max_shift` columns either
//! way and the smallest distance wins. Independent eyes disagree on about half the bits; the
//! minimum over shifts pulls impostors down a little (to about 0.45), genuine comparisons sit
//! well below.

use crate::code::{hamming, IrisCode};

/// Decision threshold on the Hamming distance: at or below it, "same eye". Calibrated on the
/// synthetic set (see `EVAL.md`).
pub const DEFAULT_THRESHOLD: f64 = 0.32;
/// Rotation search: ±16 columns of 256, i.e. ±22.5°.
pub const DEFAULT_MAX_SHIFT: i32 = 16;
/// Fewest bits valid in both codes for a comparison to count.
pub const MIN_VALID_BITS: usize = 256;
/// Reference number of compared bits for Daugman's score normalisation.
pub const NORM_BITS: f64 = 2000.0;

/// The best alignment of two codes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Match {
    /// Masked fractional Hamming distance at the best shift.
    pub hd: f64,
    /// Shift (columns) applied to the second code: `b.shifted(shift)` lines up with `a`.
    pub shift: i32,
    /// Bits valid in both codes at that shift.
    pub valid_bits: usize,
}

impl Match {
    /// Daugman's normalised score `0.5 − (0.5 − HD)·√(n / NORM_BITS)`: a distance measured on
    /// few bits is pulled towards 0.5 (it is less trustworthy).
    pub fn hd_norm(&self) -> f64 {
        0.5 - (0.5 - self.hd) * (self.valid_bits as f64 / NORM_BITS).sqrt()
    }

    /// Whether this is the same eye at `threshold`.
    pub fn is_match(&self, threshold: f64) -> bool {
        self.hd <= threshold
    }
}

/// The smallest masked Hamming distance between `a` and `b` over shifts of `b` in
/// `−max_shift..=max_shift` columns. `None` when the shapes differ or no shift leaves at least
/// [`MIN_VALID_BITS`] bits valid in both. Ties go to the smaller |shift|.
pub fn best_match(a: &IrisCode, b: &IrisCode, max_shift: i32) -> Option<Match> {
    let max_shift = max_shift.clamp(0, (a.cols / 2) as i32);
    let mut best: Option<Match> = None;
    let mut shifts: Vec<i32> = (-max_shift..=max_shift).collect();
    shifts.sort_by_key(|s| s.abs());
    for s in shifts {
        let Some((hd, n)) = hamming(a, &b.shifted(s)) else {
            continue;
        };
        if n < MIN_VALID_BITS {
            continue;
        }
        if best.is_none_or(|m| hd < m.hd) {
            best = Some(Match {
                hd,
                shift: s,
                valid_bits: n,
            });
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn random_code(seed: u64) -> IrisCode {
        let mut r = crate::util::Rng::new(seed);
        let mut c = IrisCode::empty(8, 256);
        for i in 0..c.len() {
            c.set(i, r.chance(0.5), true);
        }
        c
    }

    #[test]
    fn finds_the_rotation() {
        let a = random_code(1);
        let b = a.shifted(-7);
        let m = best_match(&a, &b, 16).unwrap();
        assert_eq!((m.hd, m.shift), (0.0, 7));
        assert!(m.is_match(DEFAULT_THRESHOLD));
        // outside the search range: no longer found
        let m = best_match(&a, &a.shifted(-20), 16).unwrap();
        assert!(m.hd > 0.4, "{m:?}");
    }

    #[test]
    fn independent_codes_are_far_apart() {
        let m = best_match(&random_code(2), &random_code(3), 16).unwrap();
        assert!(m.hd > 0.45 && m.hd < 0.5, "{m:?}");
        assert!(!m.is_match(DEFAULT_THRESHOLD));
        assert!(m.hd_norm() > 0.45);
    }

    #[test]
    fn no_match_without_common_bits() {
        let a = random_code(4);
        assert_eq!(best_match(&a, &IrisCode::empty(8, 256), 4), None);
        assert_eq!(best_match(&a, &IrisCode::empty(8, 128), 4), None);
    }
}
