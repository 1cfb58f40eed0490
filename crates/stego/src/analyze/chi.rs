//! The chi-square attack of Westfeld and Pfitzmann ("Attacks on Steganographic Systems",
//! Information Hiding 1999, LNCS 1768, §4).
//!
//! LSB replacement with a random message maps 2k ↔ 2k+1 with probability ½ per embedded sample,
//! so in a fully embedded region the frequencies `h[2k]` and `h[2k+1]` tend to their mean
//! `n*_k = (h[2k] + h[2k+1]) / 2`. The statistic is
//!
//! ```text
//! χ² = Σ_k (h[2k] − n*_k)² / n*_k        over the pairs k with enough samples,
//! p  = Pr[χ²_{K−1} > χ²]                   K = number of pairs used
//! ```
//!
//! exactly as in the paper: one cell per pair and `K − 1` degrees of freedom. (As a goodness of
//! fit test this is deliberately loose: under embedding `h[2k]` is binomial around `n*_k`, each
//! term is about ½·χ²₁, the sum has mean ≈ K/2, and p is therefore close to 1; for a cover the
//! pairs differ systematically and p is close to 0. That asymmetry is what makes p readable as
//! "probability of embedding".) Pairs with `h[2k] + h[2k+1] < 10` — an expected count below 5
//! per cell, the usual validity rule for Pearson's test — are left out.
//!
//! Samples are taken in raster order, interleaving the planes pixel by pixel (R, G, B of pixel
//! 0, then of pixel 1, …), which is the order the `sequential` embedder fills. The test is
//! repeated on growing prefixes of that order; sequential embedding shows as p ≈ 1 over the
//! prefixes inside the payload and a collapse to 0 once enough cover samples follow.

use super::gamma::chi_square_sf;
use super::{ChiSquare, Grid, Plane, MIN_SAMPLES};

/// Number of points on the prefix curve.
const CURVE_POINTS: usize = 100;
/// A pair (2k, 2k+1) takes part only with at least this many samples (expected 5 per cell).
const MIN_PAIR_COUNT: u64 = 10;
/// The shifted pairs show enough histogram structure to judge by when their Pearson statistic
/// exceeds its mean (the number of pairs K) by this many standard deviations (√(2K)).
const STRUCTURE_Z: f64 = 6.0;
/// A prefix with structure looks embedded when the pairs keep at most this fraction of it …
const EMBEDDED_RATIO: f64 = 0.25;
/// … and looks like a cover when they keep at least this fraction.
const COVER_RATIO: f64 = 0.5;
/// Sequential embedding is reported only if the embedded-looking prefix covers at least
/// this fraction of the samples …
const MIN_RUN_FRACTION: f64 = 0.02;
/// … and at least this many samples.
const MIN_RUN_SAMPLES: usize = 2048;

/// What a prefix histogram looks like.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Looks {
    /// Structure at the shifted pairs, little or none at the pairs.
    Embedded,
    /// As much structure at the pairs as at the shifted pairs.
    Cover,
    /// Too little structure to tell, or in between.
    Undecided,
}

/// Pearson statistic `Σ (a − b)² / (a + b)` over the pairs (i, i+1), i = first, first+2, …,
/// with at least `MIN_PAIR_COUNT` samples, and the number of pairs used.
fn pearson(hist: &[u64; 256], first: usize) -> (f64, usize) {
    let mut stat = 0.0;
    let mut used = 0usize;
    for i in (first..255).step_by(2) {
        let (a, b) = (hist[i], hist[i + 1]);
        let n = a + b;
        if n < MIN_PAIR_COUNT {
            continue;
        }
        let d = a as f64 - b as f64;
        stat += d * d / n as f64;
        used += 1;
    }
    (stat, used)
}

/// Westfeld–Pfitzmann p of a histogram and what it looks like.
fn prefix_test(hist: &[u64; 256]) -> (f64, Looks) {
    let (stat, pairs) = pearson(hist, 0);
    // Westfeld–Pfitzmann: Σ (h[2k] − n*)² / n* = ½ Σ (h[2k] − h[2k+1])² / (h[2k] + h[2k+1]).
    let wp = if pairs >= 2 {
        chi_square_sf(stat / 2.0, (pairs - 1) as f64)
    } else {
        0.0
    };
    let wp = if wp.is_finite() { wp } else { 0.0 };

    let (sstat, spairs) = pearson(hist, 1);
    let structure =
        spairs >= 1 && (sstat - spairs as f64) >= STRUCTURE_Z * (2.0 * spairs as f64).sqrt();
    let looks = if structure {
        // Excess of each statistic over its degrees of freedom (its mean without structure).
        let ratio = (stat - pairs as f64) / (sstat - spairs as f64);
        if ratio <= EMBEDDED_RATIO {
            Looks::Embedded
        } else if ratio >= COVER_RATIO {
            Looks::Cover
        } else {
            Looks::Undecided
        }
    } else {
        Looks::Undecided
    };
    (wp, looks)
}

/// Westfeld–Pfitzmann chi-square attack on pairs of values (2k, 2k+1), over raster-order
/// prefixes of the samples (planes interleaved pixel by pixel).
///
/// `p_value` and `prefix_curve` are Westfeld and Pfitzmann's p. The verdict does not rest on
/// that p alone, because it is ≈ 1 for *any* prefix whose histogram is too smooth or too sparse
/// to show pair structure (on the held-out gravel texture it is 1.00 for the whole cover) and
/// often below 0.95 inside a payload when few pairs are populated (a sky). Each prefix is
/// classified by comparing the pairs with the *shifted* pairs (2k−1, 2k), which LSB
/// replacement does not equalise. With the Pearson statistics `S = Σ (a − b)² / (a + b)` of
/// both pairings (each with mean ≈ its number of pairs `K` when the pairs are equal):
///
/// * too little structure to judge: `S_shifted − K_shifted < 6·√(2·K_shifted)` (the excess
///   over the mean is under six standard deviations) — undecided;
/// * otherwise `r = (S_pairs − K_pairs) / (S_shifted − K_shifted)`, the share of the histogram's
///   structure that is still visible at the pairs. A natural histogram is about as rough at
///   both pairings (r ≈ 1; 0.34–2.5 on the 15 photographs we measured); embedding a fraction e
///   of the samples scales pair differences by (1 − e), so r ≈ (1 − e)²; r ≤ 0.25 (e ≳ ½)
///   looks embedded, r ≥ 0.5 looks like a cover, in between is undecided. In a fully embedded
///   prefix the numerator is pure sampling noise of standard deviation √(2·K_pairs), so r's
///   error is about 1/6 at the structure limit: reading an embedded prefix as a cover takes a
///   3σ fluctuation.
///
/// `detected` when some prefix of at least 2% of the samples and 2048 samples looks embedded
/// before any prefix looks like a cover, in an image of at least [`MIN_SAMPLES`] samples.
/// `estimated_fraction` is then refined with the Westfeld–Pfitzmann curve: the last point not
/// beyond the last embedded-looking prefix where p ≥ ½ (the cumulative histogram keeps the
/// payload's signature a while after the payload ends, so the classification alone
/// overshoots).
pub fn chi_square(planes: &[Plane]) -> ChiSquare {
    let grids: Vec<Grid> = planes.iter().map(Grid::new).collect();
    let total: usize = grids.iter().map(|g| g.v.len()).sum();
    let longest = grids.iter().map(|g| g.v.len()).max().unwrap_or(0);
    let points = CURVE_POINTS.min(total);
    // Prefix length of curve point k (1-based): ceil(k·total / points).
    let checkpoint = |k: usize| -> usize {
        let t = (k as u128 * total as u128).div_ceil(points.max(1) as u128);
        usize::try_from(t).unwrap_or(usize::MAX)
    };

    let mut hist = [0u64; 256];
    let mut prefix_curve = Vec::with_capacity(points);
    // Last embedded-looking prefix before the first cover-looking one.
    let mut embedded_end: Option<(f64, usize)> = None;
    let mut cover_seen = false;
    let mut seen = 0usize;
    let mut next = 1usize;
    for i in 0..longest {
        for g in &grids {
            if let Some(&s) = g.v.get(i) {
                hist[usize::from(s)] += 1;
                seen += 1;
                while next <= points && seen >= checkpoint(next) {
                    let fraction = seen as f64 / total as f64;
                    let (wp, looks) = prefix_test(&hist);
                    prefix_curve.push((fraction, wp));
                    match looks {
                        Looks::Cover => cover_seen = true,
                        Looks::Embedded if !cover_seen => embedded_end = Some((fraction, seen)),
                        _ => {}
                    }
                    next += 1;
                }
            }
        }
    }
    let p_value = prefix_test(&hist).0;
    let (end, end_samples) = embedded_end.unwrap_or((0.0, 0));
    let detected =
        total >= MIN_SAMPLES && end >= MIN_RUN_FRACTION && end_samples >= MIN_RUN_SAMPLES;
    let estimated_fraction = prefix_curve
        .iter()
        .filter(|&&(f, p)| f <= end && p >= 0.5)
        .map(|&(f, _)| f)
        .next_back()
        .unwrap_or(end);
    ChiSquare {
        p_value,
        prefix_curve,
        estimated_fraction,
        detected,
    }
}
