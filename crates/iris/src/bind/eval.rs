//! Evaluation of key regeneration: what `nightjar iris eval` runs and reports.
//!
//! For `N` identities with `M` captures each (the caller maps identity `i < N` and capture
//! `j < M` to images; `nightjar iris eval` uses the seeds of [`crate::eval::identity_id`] and
//! [`crate::eval::capture_id`], as the matching evaluation does):
//!
//! * **enrollment** from capture 0 of every identity (a failure to make a template or too few
//!   usable bits is a *failure to enroll*); evaluation keys are pseudo-random from the seed, so
//!   a run is reproducible (real enrollments draw `K` from the operating system);
//! * **genuine attempts**: every other capture of the same identity regenerates or not; a
//!   capture that yields no template counts as a rejection (and as a *failure to acquire*);
//! * **impostor attempts**: every capture (that yields a template) of every *other* identity
//!   against each enrollment, `N·(N−1)·M` attempts for full sets;
//! * **key-regeneration FRR and FAR** from those, and a check that every regenerated key is the
//!   enrolled one;
//! * **matching statistics** of the same pairs: masked fractional Hamming distance, minimum over
//!   the binding's shift window; genuine and impostor histograms, decidability
//!   `d′ = |μ_g − μ_i| / √((σ_g² + σ_i²)/2)` and the equal error rate of a threshold on it;
//! * **degrees of freedom** of the codes, `N_dof = p(1−p)/σ²` from the *unrotated* impostor
//!   distances (Daugman's binomial fit);
//! * **decoder reach**: enrolled codes with a fraction `r` of their usable bits flipped at
//!   random, for `r` from 0.20 to 0.44, every bit weighted alike (an attacker decodes with the
//!   weights that serve him); `ρ50` is the rate at which half of them still regenerate;
//! * the **guessing-resistance estimate** `N_dof·(1 − h(ρ50)) − log2(2w + 1) − log2(H)` bits
//!   (sphere packing in the space of degrees of freedom, less what the rotation search and the
//!   `H` segmentation hypotheses tried per image give an attacker for free; see
//!   [`crate::record`]).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use crate::bind::{enroll_with, regenerate_with, BindError, BindParams, IrisKey};
use crate::code::{hamming, IrisCode};
use crate::record::EnrollmentRecord;

/// What to evaluate.
#[derive(Clone, Debug)]
pub struct EvalConfig {
    /// Identities (at least 2).
    pub identities: u64,
    /// Captures per identity (at least 2).
    pub captures: u64,
    /// Seed of the evaluation keys and bit flips (and, through the caller, of the images).
    pub seed: u64,
    /// Worker threads (at least 1).
    pub threads: usize,
    /// The binding evaluated.
    pub params: BindParams,
    /// Enrolled codes used to measure the decoder reach (0 to skip).
    pub reach_samples: usize,
}

/// One template acquisition: the code, or why there is none, and the time it took.
#[derive(Clone, Debug)]
pub struct Acquired {
    /// The iris code, or the reason the image gave none.
    pub code: Result<IrisCode, String>,
    /// Codes of the same image under other segmentation hypotheses
    /// ([`crate::pipeline::templates`]), tried in order when `code` does not regenerate the
    /// key; empty when the acquisition gives none.
    pub alternatives: Vec<IrisCode>,
    /// Seconds spent making the template (not the image), preferably thread CPU time
    /// ([`thread_seconds`]).
    pub seconds: f64,
}

/// Summary of a set of Hamming distances.
#[derive(Clone, Debug, Default)]
pub struct HdStats {
    /// Number of distances.
    pub count: usize,
    /// Mean.
    pub mean: f64,
    /// Standard deviation.
    pub sd: f64,
    /// Smallest.
    pub min: f64,
    /// Largest.
    pub max: f64,
    /// Counts in bins of width [`HIST_BIN`] from 0.
    pub histogram: Vec<usize>,
}

/// Histogram bin width.
pub const HIST_BIN: f64 = 0.02;
const HIST_BINS: usize = 30;

impl HdStats {
    fn of(v: &[f64]) -> HdStats {
        if v.is_empty() {
            return HdStats::default();
        }
        let n = v.len() as f64;
        let mean = v.iter().sum::<f64>() / n;
        let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
        let mut histogram = vec![0usize; HIST_BINS];
        for &x in v {
            histogram[((x / HIST_BIN) as usize).min(HIST_BINS - 1)] += 1;
        }
        HdStats {
            count: v.len(),
            mean,
            sd: var.sqrt(),
            min: v.iter().copied().fold(f64::INFINITY, f64::min),
            max: v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            histogram,
        }
    }
}

/// One point of the decoder-reach curve.
#[derive(Clone, Copy, Debug)]
pub struct ReachPoint {
    /// Fraction of usable bits flipped.
    pub flip_rate: f64,
    /// Keys regenerated.
    pub regenerated: usize,
    /// Attempts.
    pub attempts: usize,
}

/// The results.
#[derive(Clone, Debug)]
pub struct EvalReport {
    /// Identities evaluated.
    pub identities: u64,
    /// Captures per identity.
    pub captures: u64,
    /// Seed.
    pub seed: u64,
    /// The binding.
    pub params: BindParams,
    /// Identities enrolled.
    pub enrolled: usize,
    /// Identities whose capture 0 could not be enrolled.
    pub failures_to_enroll: usize,
    /// Genuine probe captures that gave no template (counted as rejections).
    pub failures_to_acquire: usize,
    /// Why captures gave no template (the error message up to its first colon), or why a
    /// template could not be enrolled, with how many captures, most frequent first.
    pub failure_reasons: Vec<(String, usize)>,
    /// Genuine attempts.
    pub genuine_attempts: usize,
    /// Genuine attempts that did not regenerate the key.
    pub genuine_rejections: usize,
    /// Impostor attempts.
    pub impostor_attempts: usize,
    /// Impostor attempts that regenerated the enrolled key.
    pub impostor_acceptances: usize,
    /// Regenerations that returned a key other than the enrolled one (must be 0).
    pub wrong_keys: usize,
    /// Key-regeneration false rejection rate (failures to acquire count as rejections).
    pub frr: f64,
    /// False rejection rate among genuine probes that gave a template: the binding's own
    /// share of the rejections.
    pub frr_given_template: f64,
    /// Key-regeneration false acceptance rate.
    pub far: f64,
    /// Genuine Hamming distances (minimum over the shift window).
    pub genuine_hd: HdStats,
    /// Impostor Hamming distances (minimum over the shift window).
    pub impostor_hd: HdStats,
    /// Largest genuine distance at which the key was regenerated.
    pub max_regenerated_hd: f64,
    /// Smallest genuine distance at which it was not.
    pub min_rejected_hd: Option<f64>,
    /// Decidability of the two distance distributions.
    pub d_prime: f64,
    /// Equal error rate of a threshold on the distance.
    pub eer: f64,
    /// The threshold at the equal error rate.
    pub eer_threshold: f64,
    /// Degrees of freedom of the codes (binomial fit of unrotated impostor distances).
    pub degrees_of_freedom: f64,
    /// Decoder reach curve.
    pub reach: Vec<ReachPoint>,
    /// Flip rate at which half the keys still regenerate.
    pub reach_50: Option<f64>,
    /// Guessing-resistance estimate in bits.
    pub entropy_bits: Option<f64>,
    /// Mean template time (as the caller measured it).
    pub ms_per_template: f64,
    /// Mean regeneration time over all attempts (thread CPU time, see [`thread_seconds`]).
    pub ms_per_regeneration: f64,
    /// Mean regeneration time, genuine attempts.
    pub ms_per_genuine_regeneration: f64,
    /// Mean regeneration time, impostor attempts.
    pub ms_per_impostor_regeneration: f64,
}

/// Why an evaluation could not run.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EvalError {
    /// Settings out of range.
    #[error("invalid evaluation settings: {0}")]
    Config(&'static str),
    /// The binding parameters are invalid.
    #[error(transparent)]
    Bind(#[from] BindError),
}

/// A clock for timings that do not depend on how busy the machine is: the CPU time of the
/// calling thread in seconds (Linux `/proc/thread-self/schedstat`), or wall-clock time since
/// the first call where that is not available. Only differences are meaningful.
pub fn thread_seconds() -> f64 {
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map(|ns| ns / 1e9)
        .unwrap_or_else(|| START.get_or_init(Instant::now).elapsed().as_secs_f64())
}

/// SplitMix64, for reproducible evaluation keys and bit flips.
struct Mix(u64);
impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Runs `work(i)` for `i < n` on `threads` threads; results in index order.
fn parallel<T: Send>(n: usize, threads: usize, work: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let next = AtomicUsize::new(0);
    let out: Mutex<Vec<Option<T>>> = Mutex::new((0..n).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..threads.max(1).min(n.max(1)) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    break;
                }
                let r = work(i);
                if let Ok(mut o) = out.lock() {
                    o[i] = Some(r);
                }
            });
        }
    });
    out.into_inner()
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect()
}

fn binary_entropy(p: f64) -> f64 {
    if p <= 0.0 || p >= 1.0 {
        0.0
    } else {
        -p * p.log2() - (1.0 - p) * (1.0 - p).log2()
    }
}

/// Equal error rate of accepting distances `≤ t`: returns `(eer, t)`.
fn equal_error_rate(genuine: &[f64], impostor: &[f64]) -> (f64, f64) {
    if genuine.is_empty() || impostor.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let mut g = genuine.to_vec();
    let mut im = impostor.to_vec();
    g.sort_by(f64::total_cmp);
    im.sort_by(f64::total_cmp);
    let mut thresholds: Vec<f64> = g.iter().chain(&im).copied().collect();
    thresholds.sort_by(f64::total_cmp);
    let mut best = (f64::INFINITY, 0.0, 0.0);
    for &t in &thresholds {
        let frr = 1.0 - g.partition_point(|&x| x <= t) as f64 / g.len() as f64;
        let far = im.partition_point(|&x| x <= t) as f64 / im.len() as f64;
        let gap = (frr - far).abs();
        if gap < best.0 {
            best = (gap, (frr + far) / 2.0, t);
        }
    }
    (best.1, best.2)
}

fn min_hd(a: &IrisCode, shifted: &[IrisCode]) -> Option<f64> {
    shifted
        .iter()
        .filter_map(|b| hamming(a, b).map(|(d, _)| d))
        .reduce(f64::min)
}

struct Enrollment {
    identity: usize,
    code: IrisCode,
    record: EnrollmentRecord,
    key: IrisKey,
}

#[derive(Default)]
struct Tally {
    genuine_attempts: usize,
    genuine_rejections: usize,
    failures_to_acquire: usize,
    impostor_attempts: usize,
    impostor_acceptances: usize,
    wrong_keys: usize,
    genuine_hd: Vec<f64>,
    impostor_hd: Vec<f64>,
    impostor_hd_unrotated: Vec<f64>,
    regenerated_hd: Vec<f64>,
    rejected_hd: Vec<f64>,
    genuine_seconds: f64,
    impostor_seconds: f64,
}

/// Runs the evaluation. `acquire(i, j)` makes the template of capture `j` of identity `i` (the
/// caller decides how: synthetic eye and recognition pipeline, or anything else).
pub fn run(
    config: &EvalConfig,
    acquire: impl Fn(u64, u64) -> Acquired + Sync,
) -> Result<EvalReport, EvalError> {
    if config.identities < 2 || config.captures < 2 {
        return Err(EvalError::Config(
            "at least 2 identities and 2 captures are needed",
        ));
    }
    if config.identities > 100_000 || config.captures > 1000 {
        return Err(EvalError::Config(
            "at most 100000 identities and 1000 captures",
        ));
    }
    let params = config.params.validate()?;
    let p = *params.params();
    let (ni, nc) = (config.identities as usize, config.captures as usize);
    let threads = config.threads.max(1);

    // 1. Templates, in parallel.
    let acquired = parallel(ni * nc, threads, |idx| {
        let (i, c) = (idx / nc, idx % nc);
        acquire(i as u64, c as u64)
    });
    let template_seconds: f64 = acquired.iter().map(|a| a.seconds).sum();
    let mut failure_reasons: Vec<(String, usize)> = Vec::new();
    for a in &acquired {
        if let Err(e) = &a.code {
            let reason = e.split(':').next().unwrap_or(e).trim().to_string();
            match failure_reasons.iter_mut().find(|(r, _)| *r == reason) {
                Some((_, n)) => *n += 1,
                None => failure_reasons.push((reason, 1)),
            }
        }
    }
    let code = |i: usize, c: usize| acquired[i * nc + c].code.as_ref().ok();

    // 2. Enrollment from capture 0, with reproducible keys.
    let mut enrollments = Vec::new();
    let mut failures_to_enroll = 0;
    let q = 1u64 << p.symbol_bits();
    for i in 0..ni {
        let Some(c0) = code(i, 0) else {
            failures_to_enroll += 1;
            continue;
        };
        let mut rng = Mix(config.seed.wrapping_mul(0x1_0000_0001) ^ (i as u64) ^ 0x6b65_7973);
        let symbols: Vec<u16> = (0..p.k).map(|_| (rng.next() % q) as u16).collect();
        let mut salt = [0u8; 16];
        salt[..8].copy_from_slice(&rng.next().to_be_bytes());
        salt[8..].copy_from_slice(&rng.next().to_be_bytes());
        match enroll_with(c0, &params, &symbols, salt) {
            Ok((record, key)) => enrollments.push(Enrollment {
                identity: i,
                code: c0.clone(),
                record,
                key,
            }),
            Err(BindError::TooFewUsableBits { .. }) => {
                failures_to_enroll += 1;
                let reason = "too little of the iris usable to enroll";
                match failure_reasons.iter_mut().find(|(r, _)| r == reason) {
                    Some((_, n)) => *n += 1,
                    None => failure_reasons.push((reason.to_string(), 1)),
                }
            }
            Err(e) => return Err(e.into()),
        }
    }

    failure_reasons.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));

    // 3. Rotated copies of every probe for the distance statistics.
    let w = i32::from(p.shift_window);
    let shifted: Vec<Option<Vec<IrisCode>>> = parallel(ni * nc, threads, |idx| {
        acquired[idx]
            .code
            .as_ref()
            .ok()
            .map(|c| (-w..=w).map(|s| c.shifted(s)).collect())
    });

    // 4. Attempts, one enrollment per work item.
    let tallies = parallel(enrollments.len(), threads, |e| {
        let en = &enrollments[e];
        let enrolled_key = en.key.master_key();
        let mut t = Tally::default();
        for j in 0..ni {
            for c in 0..nc {
                let genuine = j == en.identity;
                if genuine && c == 0 {
                    continue;
                }
                let Some(probe) = code(j, c) else {
                    if genuine {
                        t.genuine_attempts += 1;
                        t.genuine_rejections += 1;
                        t.failures_to_acquire += 1;
                    }
                    continue;
                };
                let hd = shifted[j * nc + c]
                    .as_ref()
                    .and_then(|s| min_hd(&en.code, s));
                let start = thread_seconds();
                let mut result = regenerate_with(&en.record, &params, probe);
                for alt in &acquired[j * nc + c].alternatives {
                    if result.is_ok() {
                        break;
                    }
                    result = regenerate_with(&en.record, &params, alt);
                }
                let secs = thread_seconds() - start;
                let ok = match &result {
                    Ok(r) => {
                        if *r.key.master_key() == *enrolled_key {
                            true
                        } else {
                            t.wrong_keys += 1;
                            false
                        }
                    }
                    Err(_) => false,
                };
                if genuine {
                    t.genuine_attempts += 1;
                    t.genuine_seconds += secs;
                    if !ok {
                        t.genuine_rejections += 1;
                    }
                    if let Some(h) = hd {
                        t.genuine_hd.push(h);
                        if ok {
                            t.regenerated_hd.push(h);
                        } else {
                            t.rejected_hd.push(h);
                        }
                    }
                } else {
                    t.impostor_attempts += 1;
                    t.impostor_seconds += secs;
                    if ok {
                        t.impostor_acceptances += 1;
                    }
                    if let Some(h) = hd {
                        t.impostor_hd.push(h);
                    }
                    if let Some((h0, _)) = hamming(&en.code, probe) {
                        t.impostor_hd_unrotated.push(h0);
                    }
                }
            }
        }
        t
    });
    let mut all = Tally::default();
    for t in tallies {
        all.genuine_attempts += t.genuine_attempts;
        all.genuine_rejections += t.genuine_rejections;
        all.failures_to_acquire += t.failures_to_acquire;
        all.impostor_attempts += t.impostor_attempts;
        all.impostor_acceptances += t.impostor_acceptances;
        all.wrong_keys += t.wrong_keys;
        all.genuine_hd.extend(t.genuine_hd);
        all.impostor_hd.extend(t.impostor_hd);
        all.impostor_hd_unrotated.extend(t.impostor_hd_unrotated);
        all.regenerated_hd.extend(t.regenerated_hd);
        all.rejected_hd.extend(t.rejected_hd);
        all.genuine_seconds += t.genuine_seconds;
        all.impostor_seconds += t.impostor_seconds;
    }

    // 5. Decoder reach: enrolled codes with random bit flips.
    let rates: Vec<f64> = (0..13).map(|i| 0.20 + 0.02 * f64::from(i)).collect();
    let samples = config.reach_samples.min(enrollments.len());
    let reach_hits = parallel(rates.len() * samples, threads, |idx| {
        let (ri, e) = (idx / samples.max(1), idx % samples.max(1));
        let en = &enrollments[e];
        let mut rng = Mix(config.seed ^ ((ri as u64) << 32) ^ e as u64);
        let mut probe = en.code.clone();
        // every bit weighted alike: an attacker with the record runs the decoder with the
        // weights that serve him, and for guesses with no idea which bits are wrong those are
        // equal weights (the enrolled capture's own weights, uncorrelated with the flips,
        // would shorten the reach and flatter the estimate)
        probe.weight.clear();
        let threshold = (rates[ri] * (1u64 << 53) as f64) as u64;
        for b in 0..probe.len() {
            if probe.valid(b) && (rng.next() >> 11) < threshold {
                probe.set(b, !probe.bit(b), true);
            }
        }
        regenerate_with(&en.record, &params, &probe)
            .map(|r| *r.key.master_key() == *en.key.master_key())
            .unwrap_or(false)
    });
    let reach: Vec<ReachPoint> = rates
        .iter()
        .enumerate()
        .map(|(ri, &r)| ReachPoint {
            flip_rate: r,
            regenerated: reach_hits[ri * samples..(ri + 1) * samples]
                .iter()
                .filter(|&&x| x)
                .count(),
            attempts: samples,
        })
        .collect();
    let reach_50 = reach_crossing(&reach);

    // 6. Statistics.
    let gs = HdStats::of(&all.genuine_hd);
    let is = HdStats::of(&all.impostor_hd);
    let d_prime = (gs.mean - is.mean).abs() / ((gs.sd.powi(2) + is.sd.powi(2)) / 2.0).sqrt();
    let (eer, eer_threshold) = equal_error_rate(&all.genuine_hd, &all.impostor_hd);
    let u = HdStats::of(&all.impostor_hd_unrotated);
    let degrees_of_freedom = if u.sd > 0.0 {
        u.mean * (1.0 - u.mean) / (u.sd * u.sd)
    } else {
        f64::NAN
    };
    // every rotation the decoder tries, and every segmentation hypothesis of an image, is one
    // more guess per attempt
    let hypotheses = 1 + acquired
        .iter()
        .map(|a| a.alternatives.len())
        .max()
        .unwrap_or(0);
    let entropy_bits = reach_50.map(|r| {
        degrees_of_freedom * (1.0 - binary_entropy(r))
            - f64::from(2 * w + 1).log2()
            - (hypotheses as f64).log2()
    });
    let ratio = |a: usize, b: usize| {
        if b == 0 {
            f64::NAN
        } else {
            a as f64 / b as f64
        }
    };
    let attempts = all.genuine_attempts - all.failures_to_acquire + all.impostor_attempts;
    Ok(EvalReport {
        identities: config.identities,
        captures: config.captures,
        seed: config.seed,
        params: p,
        enrolled: enrollments.len(),
        failures_to_enroll,
        failures_to_acquire: all.failures_to_acquire,
        failure_reasons,
        genuine_attempts: all.genuine_attempts,
        genuine_rejections: all.genuine_rejections,
        impostor_attempts: all.impostor_attempts,
        impostor_acceptances: all.impostor_acceptances,
        wrong_keys: all.wrong_keys,
        frr: ratio(all.genuine_rejections, all.genuine_attempts),
        frr_given_template: ratio(
            all.genuine_rejections - all.failures_to_acquire,
            all.genuine_attempts - all.failures_to_acquire,
        ),
        far: ratio(all.impostor_acceptances, all.impostor_attempts),
        genuine_hd: gs,
        impostor_hd: is,
        max_regenerated_hd: all.regenerated_hd.iter().copied().fold(0.0, f64::max),
        min_rejected_hd: all.rejected_hd.iter().copied().reduce(f64::min),
        d_prime,
        eer,
        eer_threshold,
        degrees_of_freedom,
        reach,
        reach_50,
        entropy_bits,
        ms_per_template: 1e3 * template_seconds / acquired.len() as f64,
        ms_per_regeneration: 1e3 * (all.genuine_seconds + all.impostor_seconds)
            / attempts.max(1) as f64,
        ms_per_genuine_regeneration: 1e3 * all.genuine_seconds
            / (all.genuine_attempts - all.failures_to_acquire).max(1) as f64,
        ms_per_impostor_regeneration: 1e3 * all.impostor_seconds
            / all.impostor_attempts.max(1) as f64,
    })
}

/// The flip rate where the regeneration rate falls through one half (linear interpolation).
fn reach_crossing(reach: &[ReachPoint]) -> Option<f64> {
    let frac = |p: &ReachPoint| p.regenerated as f64 / p.attempts.max(1) as f64;
    if reach.is_empty() || reach[0].attempts == 0 {
        return None;
    }
    for pair in reach.windows(2) {
        let (a, b) = (frac(&pair[0]), frac(&pair[1]));
        if a >= 0.5 && b < 0.5 {
            let t = (a - 0.5) / (a - b);
            return Some(pair[0].flip_rate + t * (pair[1].flip_rate - pair[0].flip_rate));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eer_and_entropy_helpers() {
        let (eer, t) = equal_error_rate(&[0.1, 0.2, 0.3], &[0.4, 0.5, 0.6]);
        assert_eq!(eer, 0.0);
        assert!((0.3..0.4).contains(&t));
        let (eer, _) = equal_error_rate(&[0.1, 0.45], &[0.4, 0.5]);
        assert!((eer - 0.5).abs() < 1e-9);
        assert!((binary_entropy(0.5) - 1.0).abs() < 1e-12);
        assert_eq!(binary_entropy(0.0), 0.0);
        let pts = [
            ReachPoint {
                flip_rate: 0.2,
                regenerated: 10,
                attempts: 10,
            },
            ReachPoint {
                flip_rate: 0.3,
                regenerated: 6,
                attempts: 10,
            },
            ReachPoint {
                flip_rate: 0.4,
                regenerated: 2,
                attempts: 10,
            },
        ];
        let r = reach_crossing(&pts).unwrap();
        assert!((r - 0.325).abs() < 1e-9, "{r}");
    }

    #[test]
    fn parallel_keeps_order() {
        let v = parallel(100, 3, |i| i * 2);
        assert_eq!(v, (0..100).map(|i| i * 2).collect::<Vec<_>>());
    }
}
