//! RS analysis: Fridrich, Goljan and Du, "Reliable Detection of LSB Steganography in Color and
//! Grayscale Images", Proc. ACM Workshop on Multimedia and Security, Ottawa, 2001, pp. 27–30.
//!
//! Each row of a plane is cut into disjoint groups G = (x₁, x₂, x₃, x₄) of horizontally adjacent
//! samples, scored by the discrimination function f(G) = Σ |x_{i+1} − x_i| (higher = noisier).
//! Two flipping operations act on single samples:
//!
//! * F1 flips the LSB: 2k ↔ 2k+1 (what LSB replacement does);
//! * F−1 is the shifted flip: 2k−1 ↔ 2k, i.e. F−1(x) = F1(x+1) − 1 (it may leave 0..255:
//!   F−1(0) = −1, F−1(255) = 256; the arithmetic is done in integers so that is harmless).
//!
//! The mask M = [0, 1, 1, 0] applies F1 to the two middle samples, −M = [0, −1, −1, 0] applies F−1
//! to them. A group is *regular* if f(F(G)) > f(G), *singular* if f(F(G)) < f(G). R_M, S_M,
//! R_−M, S_−M are the fractions of groups that are regular / singular under M / −M.
//!
//! In a natural image R_M ≈ R_−M and S_M ≈ S_−M. LSB replacement in a fraction p of samples
//! flips p/2 of them; as the flipped fraction x grows, d_M(x) = R_M − S_M shrinks (quadratically
//! in x) to 0 at x = ½, while d_−M(x) = R_−M − S_−M grows (linearly). We measure both at the
//! stego image (x = p/2: d₀, d₋₀) and at the stego image with every LSB flipped (x = 1 − p/2:
//! d₁, d₋₁). Rescaling x so that these points become t = 0 and t = 1, the quadratic through
//! d₀, d₁ with d_M(½) = 0 is d_M(t) = 2(d₁+d₀)t² − (d₁+3d₀)t + d₀, the line is
//! d_−M(t) = d₋₀ + (d₋₁ − d₋₀)t, and the cover (x = 0) is where they meet, t = z:
//!
//! ```text
//! 2(d₁ + d₀) z² + (d₋₀ − d₋₁ − d₁ − 3d₀) z + d₀ − d₋₀ = 0
//! ```
//!
//! (the root of smaller absolute value). Since t = (x − p/2)/(1 − p), x = 0 gives
//! z = −(p/2)/(1 − p), i.e. p = z / (z − ½).

use super::{
    clamp_estimate, plane_rates, quadratic_roots, Grid, Plane, Rs, MIN_SAMPLES, RS_THRESHOLD,
};

/// Fewest groups in a plane for the plane to get an estimate.
const MIN_GROUPS: u64 = 1;

/// f(G) = Σ |x_{i+1} − x_i|.
fn smoothness(g: &[i32; 4]) -> i32 {
    (g[1] - g[0]).abs() + (g[2] - g[1]).abs() + (g[3] - g[2]).abs()
}

/// F1: flip the LSB.
fn f_pos(x: i32) -> i32 {
    x ^ 1
}

/// F−1: even x → x − 1, odd x → x + 1 (F1 shifted by one).
fn f_neg(x: i32) -> i32 {
    ((x + 1) ^ 1) - 1
}

/// Counts of regular and singular groups under M and −M.
#[derive(Default)]
struct Counts {
    groups: u64,
    r_m: u64,
    s_m: u64,
    r_neg: u64,
    s_neg: u64,
}

impl Counts {
    fn add(&mut self, g: [i32; 4]) {
        self.groups += 1;
        let f0 = smoothness(&g);
        let fm = smoothness(&[g[0], f_pos(g[1]), f_pos(g[2]), g[3]]);
        let fn_ = smoothness(&[g[0], f_neg(g[1]), f_neg(g[2]), g[3]]);
        self.r_m += u64::from(fm > f0);
        self.s_m += u64::from(fm < f0);
        self.r_neg += u64::from(fn_ > f0);
        self.s_neg += u64::from(fn_ < f0);
    }

    /// (R_M − S_M, R_−M − S_−M) as fractions of the groups.
    fn differences(&self) -> (f64, f64) {
        let n = self.groups.max(1) as f64;
        (
            (self.r_m as f64 - self.s_m as f64) / n,
            (self.r_neg as f64 - self.s_neg as f64) / n,
        )
    }
}

/// RS estimate for one plane, or `None` if it has no groups.
fn plane_rate(grid: &Grid) -> Option<f64> {
    let mut stego = Counts::default();
    let mut flipped = Counts::default();
    for y in 0..grid.height {
        for c in grid.row(y).chunks_exact(4) {
            let g = [c[0], c[1], c[2], c[3]].map(i32::from);
            stego.add(g);
            flipped.add(g.map(f_pos));
        }
    }
    if stego.groups < MIN_GROUPS {
        return None;
    }
    let (d0, dn0) = stego.differences();
    let (d1, dn1) = flipped.differences();
    let a = 2.0 * (d1 + d0);
    let b = dn0 - dn1 - d1 - 3.0 * d0;
    let c = d0 - dn0;
    let z = match quadratic_roots(a, b, c) {
        Some((z1, z2)) => {
            if z1.abs() <= z2.abs() {
                z1
            } else {
                z2
            }
        }
        None => 0.0, // every difference is zero: no information, no evidence of embedding
    };
    let denom = z - 0.5;
    let p = if denom.abs() < 1e-12 { 1.0 } else { z / denom };
    Some(clamp_estimate(p))
}

/// RS analysis (Fridrich–Goljan–Du 2001): groups of 4 horizontally adjacent samples, mask
/// [0, 1, 1, 0] and its negation. The rate is the mean of the per-plane estimates (each clamped
/// to −1..1; small negative values are normal for covers). `detected` when the rate exceeds
/// [`RS_THRESHOLD`] and the planes hold at least [`MIN_SAMPLES`] samples.
pub fn rs(planes: &[Plane]) -> Rs {
    let found = plane_rates(planes, plane_rate);
    Rs {
        rate: found.rate,
        detected: found.samples >= MIN_SAMPLES && found.rate > RS_THRESHOLD,
        per_plane: found.per_plane,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flipping_functions_match_the_paper() {
        // F1: 0↔1, 2↔3, …, 254↔255. F−1: −1↔0, 1↔2, …, 255↔256.
        assert_eq!([0, 1, 2, 3, 254, 255].map(f_pos), [1, 0, 3, 2, 255, 254]);
        assert_eq!([0, 1, 2, 3, 254, 255].map(f_neg), [-1, 2, 1, 4, 253, 256]);
        for x in -1..=256 {
            assert_eq!(f_pos(f_pos(x)), x);
            assert_eq!(f_neg(f_neg(x)), x);
        }
    }

    #[test]
    fn smoothness_is_sum_of_absolute_differences() {
        assert_eq!(smoothness(&[251, 252, 180, 192]), 1 + 72 + 12);
    }
}
