//! Matching evaluation on synthetic eyes: genuine and impostor Hamming distances, decidability
//! d′, equal error rate, error rates at the threshold, failures to enrol, speed, and the
//! genuine bit-error statistics that size the key-binding codes.

use crate::code::IrisCode;
use crate::matching::{best_match, DEFAULT_MAX_SHIFT, DEFAULT_THRESHOLD};
use crate::pipeline::template;
use crate::synth::{eye, Size};
use crate::util::{mean_std, mix, quantile};
use std::time::Instant;

/// The seed-derived identity number of identity `i` of an evaluation.
pub fn identity_id(seed: u64, i: u64) -> u64 {
    mix(&[seed, i, 0x1d_e1])
}

/// The seed-derived capture number of capture `j` of identity `i`.
pub fn capture_id(seed: u64, i: u64, j: u64) -> u64 {
    mix(&[seed, i, j, 0xca_97])
}

/// Results of [`matching_eval`].
#[derive(Clone, Debug, PartialEq)]
pub struct MatchEval {
    /// Identities × captures attempted.
    pub identities: u64,
    /// Captures per identity.
    pub captures: u64,
    /// Seed.
    pub seed: u64,
    /// Image size.
    pub size: Size,
    /// Threshold used for FAR/FRR.
    pub threshold: f64,
    /// Genuine (same eye) Hamming distances at the best shift.
    pub genuine: Vec<f64>,
    /// Impostor (different eyes) Hamming distances at the best shift.
    pub impostor: Vec<f64>,
    /// Genuine distances over *all* code bits (masks ignored) at the best shift: what a
    /// fuzzy commitment that cannot use masks sees.
    pub genuine_unmasked: Vec<f64>,
    /// Genuine bit-error rate per code row (masked, at the best shift), pooled.
    pub genuine_row_errors: Vec<f64>,
    /// Best shifts of the genuine comparisons.
    pub genuine_shifts: Vec<i32>,
    /// Decidability `|μi − μg| / √((σi² + σg²)/2)`.
    pub d_prime: f64,
    /// Equal error rate.
    pub eer: f64,
    /// Threshold at the equal error rate.
    pub eer_threshold: f64,
    /// Impostor comparisons at or below the threshold, as a fraction.
    pub far_at_threshold: f64,
    /// Genuine comparisons above the threshold (or not comparable), as a fraction.
    pub frr_at_threshold: f64,
    /// Images rejected by the pipeline.
    pub failures_to_enroll: usize,
    /// Their errors, as `(identity index, capture index, message)`.
    pub failures: Vec<(u64, u64, String)>,
    /// Mean time per template, milliseconds (segment + normalise + encode; no decoding).
    pub ms_per_template: f64,
}

impl MatchEval {
    /// Mean, standard deviation, 95th and 99th percentile and maximum of the genuine
    /// distances.
    pub fn genuine_stats(&self) -> (f64, f64, f64, f64, f64) {
        stats(&self.genuine)
    }

    /// Mean, standard deviation, 1st and 5th percentile and minimum of the impostor
    /// distances.
    pub fn impostor_stats(&self) -> (f64, f64, f64, f64, f64) {
        let (m, s) = mean_std(self.impostor.iter().copied());
        let min = self.impostor.iter().copied().fold(f64::INFINITY, f64::min);
        (
            m,
            s,
            quantile(&self.impostor, 0.01),
            quantile(&self.impostor, 0.05),
            min,
        )
    }

    /// A plain-text report.
    pub fn report(&self) -> String {
        let (gm, gs, g95, g99, gmax) = self.genuine_stats();
        let (im, is, i01, i05, imin) = self.impostor_stats();
        let (um, _, u95, u99, umax) = stats(&self.genuine_unmasked);
        let mut out = String::new();
        out += &format!(
            "matching evaluation: {} identities × {} captures, seed {}, {} images\n",
            self.identities, self.captures, self.seed, self.size
        );
        out += &format!(
            "failures to enrol: {} of {}\n",
            self.failures_to_enroll,
            self.identities * self.captures
        );
        for (i, j, e) in &self.failures {
            out += &format!("  identity {i} capture {j}: {e}\n");
        }
        out += &format!(
            "{:<10} {:>6} {:>7} {:>7} {:>7} {:>7}\n",
            "", "n", "mean", "sd", "", ""
        );
        out += &format!(
            "{:<10} {:>6} {:>7.4} {:>7.4}  p95 {:.4}  p99 {:.4}  max {:.4}\n",
            "genuine",
            self.genuine.len(),
            gm,
            gs,
            g95,
            g99,
            gmax
        );
        out += &format!(
            "{:<10} {:>6} {:>7.4} {:>7.4}  p1 {:.4}  p5 {:.4}  min {:.4}\n",
            "impostor",
            self.impostor.len(),
            im,
            is,
            i01,
            i05,
            imin
        );
        out += &format!(
            "genuine, all bits (no mask): mean {um:.4}  p95 {u95:.4}  p99 {u99:.4}  max {umax:.4}\n"
        );
        out += &format!(
            "genuine bit-error rate per code row (inner → outer): {}\n",
            self.genuine_row_errors
                .iter()
                .map(|e| format!("{e:.3}"))
                .collect::<Vec<_>>()
                .join(" ")
        );
        out += &format!(
            "d' = {:.2}   EER = {:.4} (at HD {:.3})   at threshold {:.2}: FAR = {:.4}, FRR = {:.4}\n",
            self.d_prime,
            self.eer,
            self.eer_threshold,
            self.threshold,
            self.far_at_threshold,
            self.frr_at_threshold
        );
        out += &format!("{:.2} ms per template\n", self.ms_per_template);
        out
    }
}

fn stats(v: &[f64]) -> (f64, f64, f64, f64, f64) {
    let (m, s) = mean_std(v.iter().copied());
    let max = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (m, s, quantile(v, 0.95), quantile(v, 0.99), max)
}

/// Fraction of all bits that differ (masks ignored).
fn unmasked_hd(a: &IrisCode, b: &IrisCode) -> f64 {
    let diff: u32 = a
        .bits
        .iter()
        .zip(&b.bits)
        .map(|(x, y)| (x ^ y).count_ones())
        .sum();
    f64::from(diff) / a.len().max(1) as f64
}

/// Per-row (errors, compared bits) between `a` and `b` (masked).
fn row_errors(a: &IrisCode, b: &IrisCode) -> Vec<(usize, usize)> {
    (0..a.rows)
        .map(|r| {
            let (mut e, mut n) = (0, 0);
            for c in 0..a.cols {
                for k in 0..2 {
                    let i = 2 * (r * a.cols + c) + k;
                    if a.valid(i) && b.valid(i) {
                        n += 1;
                        if a.bit(i) != b.bit(i) {
                            e += 1;
                        }
                    }
                }
            }
            (e, n)
        })
        .collect()
}

/// Equal error rate and its threshold.
fn eer(genuine: &[f64], impostor: &[f64]) -> (f64, f64) {
    if genuine.is_empty() || impostor.is_empty() {
        return (0.0, DEFAULT_THRESHOLD);
    }
    let mut ts: Vec<f64> = genuine.iter().chain(impostor).copied().collect();
    ts.sort_by(f64::total_cmp);
    let mut best = (f64::INFINITY, 0.0, 0.0);
    for t in ts {
        let far = impostor.iter().filter(|&&x| x <= t).count() as f64 / impostor.len() as f64;
        let frr = genuine.iter().filter(|&&x| x > t).count() as f64 / genuine.len() as f64;
        let gap = (far - frr).abs();
        if gap < best.0 || (gap == best.0 && (far + frr) / 2.0 < best.1) {
            best = (gap, (far + frr) / 2.0, t);
        }
    }
    (best.1, best.2)
}

/// Generate `identities × captures` synthetic eyes (identity and capture numbers derived from
/// `seed`), encode them, compare every pair with the default rotation search, and summarise.
pub fn matching_eval(identities: u64, captures: u64, seed: u64, size: Size) -> MatchEval {
    let mut templates: Vec<(u64, IrisCode)> = Vec::new();
    let mut failures = Vec::new();
    let mut ms = 0.0;
    let mut timed = 0usize;
    for i in 0..identities {
        for j in 0..captures {
            let img = eye(identity_id(seed, i), capture_id(seed, i, j), size);
            let t0 = Instant::now();
            let r = template(&img);
            ms += t0.elapsed().as_secs_f64() * 1000.0;
            timed += 1;
            match r {
                Ok(t) => templates.push((i, t.code)),
                Err(e) => failures.push((i, j, e.to_string())),
            }
        }
    }
    let mut genuine = Vec::new();
    let mut impostor = Vec::new();
    let mut genuine_unmasked = Vec::new();
    let mut genuine_shifts = Vec::new();
    let mut rows = [(0usize, 0usize); crate::encode::ROWS];
    let mut genuine_missing = 0usize;
    for a in 0..templates.len() {
        for b in a + 1..templates.len() {
            let (ia, ca) = &templates[a];
            let (ib, cb) = &templates[b];
            let m = best_match(ca, cb, DEFAULT_MAX_SHIFT);
            if ia == ib {
                match m {
                    Some(m) => {
                        genuine.push(m.hd);
                        genuine_shifts.push(m.shift);
                        let sb = cb.shifted(m.shift);
                        genuine_unmasked.push(unmasked_hd(ca, &sb));
                        for (acc, (e, n)) in rows.iter_mut().zip(row_errors(ca, &sb)) {
                            acc.0 += e;
                            acc.1 += n;
                        }
                    }
                    None => genuine_missing += 1,
                }
            } else if let Some(m) = m {
                impostor.push(m.hd);
            }
        }
    }
    let (gm, gs) = mean_std(genuine.iter().copied());
    let (im, is) = mean_std(impostor.iter().copied());
    let d_prime = if gs + is > 0.0 {
        (im - gm).abs() / ((gs * gs + is * is) / 2.0).sqrt()
    } else {
        0.0
    };
    let (eer, eer_threshold) = eer(&genuine, &impostor);
    let threshold = DEFAULT_THRESHOLD;
    let far = if impostor.is_empty() {
        0.0
    } else {
        impostor.iter().filter(|&&x| x <= threshold).count() as f64 / impostor.len() as f64
    };
    let g_total = genuine.len() + genuine_missing;
    let frr = if g_total == 0 {
        0.0
    } else {
        (genuine.iter().filter(|&&x| x > threshold).count() + genuine_missing) as f64
            / g_total as f64
    };
    MatchEval {
        identities,
        captures,
        seed,
        size,
        threshold,
        genuine,
        impostor,
        genuine_unmasked,
        genuine_row_errors: rows
            .iter()
            .map(|&(e, n)| if n == 0 { 0.0 } else { e as f64 / n as f64 })
            .collect(),
        genuine_shifts,
        d_prime,
        eer,
        eer_threshold,
        far_at_threshold: far,
        frr_at_threshold: frr,
        failures_to_enroll: failures.len(),
        failures,
        ms_per_template: if timed == 0 { 0.0 } else { ms / timed as f64 },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eer_of_separated_sets_is_zero() {
        let (e, t) = eer(&[0.1, 0.2], &[0.4, 0.5]);
        assert_eq!(e, 0.0);
        assert!((0.2..0.4).contains(&t));
        let (e, _) = eer(&[0.1, 0.45], &[0.4, 0.5]);
        assert!(e > 0.0);
    }

    #[test]
    fn ids_depend_on_the_seed() {
        assert_ne!(identity_id(1, 0), identity_id(2, 0));
        assert_ne!(capture_id(1, 0, 0), capture_id(1, 0, 1));
    }
}
