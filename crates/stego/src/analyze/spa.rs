//! Sample pair analysis: Dumitrescu, Wu and Wang, "Detection of LSB Steganography via Sample
//! Pair Analysis", IEEE Trans. Signal Processing 51(7), 2003, pp. 1995–2007 (building on
//! Dumitrescu, Wu and Memon, ICIP 2002).
//!
//! The pairs are all horizontally and all vertically adjacent samples (u, v) of a plane. LSB
//! replacement never changes ⌊u/2⌋ or ⌊v/2⌋, so the *trace set*
//! C_m = {(u, v) : |⌊u/2⌋ − ⌊v/2⌋| = m} is closed under it. Inside C_m (m ≥ 1) a pair is one of
//!
//! * A_m: |u − v| = 2m (both LSBs equal),
//! * B_m: |u − v| = 2m + 1, the larger value odd,
//! * C_m: |u − v| = 2m − 1, the larger value even,
//!
//! and C_0 holds only A_0 (u = v) and B_0 (u, v = 2k, 2k+1 in either order). If each sample
//! carries a message bit with probability p, it is flipped with probability q = p/2
//! independently, and with s = 1 − 2q = 1 − p the expected counts after embedding are
//! (for m ≥ 1, t_m = |C_m|)
//!
//! ```text
//! B'_m − C'_m = s (B_m − C_m)
//! B'_m + C'_m = s² (B_m + C_m) + t_m (1 − s²) / 2
//! B'_0        = s² B_0 + t_0 (1 − s²) / 2
//! ```
//!
//! The cover assumption (DWW's |X_{2m+1}| = |Y_{2m+1}|) is that among pairs whose difference is
//! an odd number 2m+1, the larger value is as often odd (B_m) as even (C_{m+1}). Summing that
//! over all m — Σ_{m≥0} B_m = Σ_{m≥1} C_m — and writing the cover counts through the observed
//! ones gives, in s,
//!
//! ```text
//! (t_0 / 2) s² + D s + (B'_0 − t_0 / 2) = 0,      D = Σ_{m≥1} (B'_m − C'_m)
//! ```
//!
//! or, in p = 1 − s, with γ = t_0 = |Z| + |W| (Z: pairs u = v; W = B'_0: pairs 2k, 2k+1),
//!
//! ```text
//! (γ/2) p² − (γ + D) p + (D + |W|) = 0.
//! ```
//!
//! This is Dumitrescu–Wu–Memon's `(γ/2) p² + (2|X| − |P|) p + |Y| − |X| = 0` with X, Y and P
//! restricted to the pairs with an odd difference or u = v: the derivation above does not need
//! the pairs with an even, non-zero difference, which DWM's form counts on both sides of its
//! X/Y split. DWW 2003 sum the assumption over a range of m; summing over all m, as here, uses
//! every pair. The estimate is the smaller root.

use super::{
    clamp_estimate, plane_rates, quadratic_roots, Grid, Plane, Spa, MIN_SAMPLES, SPA_THRESHOLD,
};

/// Pair counts per trace set.
struct Traces {
    /// t_m = |C_m|.
    t: [u64; 128],
    /// B_m: odd difference 2m+1, larger value odd.
    b: [u64; 128],
    /// C_m: odd difference 2m−1, larger value even (m ≥ 1).
    c: [u64; 128],
    pairs: u64,
}

impl Traces {
    fn new() -> Traces {
        Traces {
            t: [0; 128],
            b: [0; 128],
            c: [0; 128],
            pairs: 0,
        }
    }

    fn add(&mut self, u: u8, v: u8) {
        let (hi, lo) = if u >= v { (u, v) } else { (v, u) };
        let m = usize::from((hi >> 1) - (lo >> 1));
        self.pairs += 1;
        self.t[m] += 1;
        if (hi - lo) & 1 == 1 {
            if hi & 1 == 1 {
                self.b[m] += 1;
            } else {
                self.c[m] += 1;
            }
        }
    }
}

/// SPA estimate for one plane, or `None` if it has no pairs.
fn plane_rate(grid: &Grid) -> Option<f64> {
    let mut tr = Traces::new();
    for y in 0..grid.height {
        let row = grid.row(y);
        for w in row.windows(2) {
            tr.add(w[0], w[1]);
        }
        if y + 1 < grid.height {
            for (&u, &v) in row.iter().zip(grid.row(y + 1)) {
                tr.add(u, v);
            }
        }
    }
    if tr.pairs == 0 {
        return None;
    }
    let t0 = tr.t[0] as f64;
    let w = tr.b[0] as f64;
    let d: f64 = (1..128).map(|m| tr.b[m] as f64 - tr.c[m] as f64).sum();
    // In s: a s² + b s + c = 0; substitute s = 1 − p.
    let (a, b, c) = (t0 / 2.0, d, w - t0 / 2.0);
    let (ap, bp, cp) = (a, -(2.0 * a + b), a + b + c);
    let p = match quadratic_roots(ap, bp, cp) {
        Some((p1, p2)) => p1.min(p2),
        None => 0.0,
    };
    Some(clamp_estimate(p))
}

/// Sample pair analysis (Dumitrescu–Wu–Wang 2003) on horizontal and vertical pairs. The rate is
/// the mean of the per-plane estimates (each clamped to −1..1). `detected` when the rate exceeds
/// [`SPA_THRESHOLD`] and the planes hold at least [`MIN_SAMPLES`] samples.
pub fn spa(planes: &[Plane]) -> Spa {
    let found = plane_rates(planes, plane_rate);
    Spa {
        rate: found.rate,
        detected: found.samples >= MIN_SAMPLES && found.rate > SPA_THRESHOLD,
        per_plane: found.per_plane,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_fall_into_the_right_trace_sets() {
        let mut tr = Traces::new();
        tr.add(4, 4); // C_0, A_0
        tr.add(4, 5); // C_0, B_0
        tr.add(6, 3); // |⌊6/2⌋−⌊3/2⌋| = 2, diff 3 = 2·2−1, larger even: C_2
        tr.add(3, 6); // same pair reversed
        tr.add(2, 5); // m = 1, diff 3 = 2·1+1, larger odd: B_1
        tr.add(9, 1); // m = 4, diff 8: A_4
        assert_eq!(tr.pairs, 6);
        assert_eq!((tr.t[0], tr.b[0]), (2, 1));
        assert_eq!((tr.t[2], tr.c[2]), (2, 2));
        assert_eq!((tr.t[1], tr.b[1]), (1, 1));
        assert_eq!((tr.t[4], tr.b[4], tr.c[4]), (1, 0, 0));
    }
}
