//! Simulated iris codes for the key-binding tests, so they need neither images nor the
//! recognition pipeline.
//!
//! An "iris" is a smooth random complex field over `rows × cols` samples (Gaussian noise low-pass
//! filtered along the angle, like the response of a Gabor filter to a fibrous texture); a
//! "capture" is the field, rotated, plus independent noise, quantised to the signs of its real
//! and imaginary parts (2 bits per sample, the layout of `IrisCode`), with eyelid and reflection
//! masks. Bits flip where the response is weak, as in real iris codes, so errors are correlated
//! with each other and with the masks' edges. Impostors are independent fields.
#![allow(dead_code)]

use nightjar_iris::IrisCode;

/// SplitMix64: small, deterministic, good enough for simulation.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    pub fn gauss(&mut self) -> f64 {
        let u = self.uniform().max(1e-300);
        let v = self.uniform();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// A simulated iris: a smooth complex field.
#[derive(Clone)]
pub struct Iris {
    pub rows: usize,
    pub cols: usize,
    re: Vec<f64>,
    im: Vec<f64>,
}

impl Iris {
    /// A new random iris; `corr` is the smoothing length in angular samples (about 2–4 for
    /// real Gabor codes; larger = fewer degrees of freedom).
    pub fn new(rows: usize, cols: usize, corr: f64, rng: &mut Rng) -> Iris {
        let smooth = |rng: &mut Rng| {
            let raw: Vec<f64> = (0..rows * cols).map(|_| rng.gauss()).collect();
            let half = (3.0 * corr).ceil() as i64;
            let w: Vec<f64> = (-half..=half)
                .map(|d| (-(d as f64).powi(2) / (2.0 * corr * corr)).exp())
                .collect();
            let mut out = vec![0.0; rows * cols];
            for r in 0..rows {
                for c in 0..cols {
                    let mut acc = 0.0;
                    for (i, d) in (-half..=half).enumerate() {
                        let cc = (c as i64 + d).rem_euclid(cols as i64) as usize;
                        // a little vertical coupling between neighbouring rows
                        let up = raw[((r + rows - 1) % rows) * cols + cc];
                        acc += w[i] * (raw[r * cols + cc] + 0.3 * up);
                    }
                    out[r * cols + c] = acc;
                }
            }
            let sd = (out.iter().map(|x| x * x).sum::<f64>() / out.len() as f64).sqrt();
            out.iter().map(|x| x / sd).collect::<Vec<f64>>()
        };
        let re = smooth(rng);
        let im = smooth(rng);
        Iris { rows, cols, re, im }
    }
}

/// How a capture differs from the iris.
#[derive(Clone, Copy, Debug)]
pub struct Capture {
    /// Standard deviation of the added noise (field has unit variance).
    pub noise: f64,
    /// Rotation in angular samples.
    pub rotation: i32,
    /// Upper-eyelid arc (fraction of the columns hidden at the outermost row).
    pub eyelid: f64,
    /// Number of small masked reflection spots.
    pub spots: usize,
}

impl Capture {
    pub fn clean() -> Capture {
        Capture {
            noise: 0.0,
            rotation: 0,
            eyelid: 0.0,
            spots: 0,
        }
    }
}

/// A capture of `iris` as an `IrisCode` (sample (r, c) = field at (r, c − rotation)).
pub fn capture(iris: &Iris, cap: Capture, rng: &mut Rng) -> IrisCode {
    let (rows, cols) = (iris.rows, iris.cols);
    let mut code = IrisCode::empty(rows, cols);
    let lid_centre = cols as f64 * (0.25 + 0.05 * (rng.uniform() - 0.5));
    let spots: Vec<(usize, usize)> = (0..cap.spots)
        .map(|_| (rng.below(rows), rng.below(cols)))
        .collect();
    for r in 0..rows {
        for c in 0..cols {
            let src = (c as i64 - i64::from(cap.rotation)).rem_euclid(cols as i64) as usize;
            let re = iris.re[r * cols + src] + cap.noise * rng.gauss();
            let im = iris.im[r * cols + src] + cap.noise * rng.gauss();
            // the eyelid covers the outer rows over an arc that widens outwards
            let half = cap.eyelid * cols as f64 * (r as f64 + 1.0) / rows as f64 / 2.0;
            let dc = (c as f64 - lid_centre).abs();
            let dc = dc.min(cols as f64 - dc);
            let lid = r >= rows / 2 && dc < half;
            let spot = spots.iter().any(|&(sr, sc)| {
                sr.abs_diff(r) <= 1 && sc.abs_diff(c).min(cols - sc.abs_diff(c)) <= 2
            });
            let valid = !(lid || spot);
            let i = 2 * (r * cols + c);
            code.set(i, re < 0.0, valid);
            code.set(i + 1, im < 0.0, valid);
        }
    }
    code
}

/// A code with each valid bit flipped independently with probability `p`.
pub fn flip_iid(code: &IrisCode, p: f64, rng: &mut Rng) -> IrisCode {
    let mut out = code.clone();
    for i in 0..out.len() {
        if rng.uniform() < p {
            out.set(i, !code.bit(i), code.valid(i));
        }
    }
    out
}

/// A uniformly random code with every bit valid (an impostor with no structure at all).
pub fn random_code(rows: usize, cols: usize, rng: &mut Rng) -> IrisCode {
    let mut c = IrisCode::empty(rows, cols);
    for i in 0..c.len() {
        c.set(i, rng.next_u64() & 1 == 1, true);
    }
    c
}

/// Masked fractional Hamming distance, minimum over shifts `−w..=w` of `b`.
pub fn min_hd(a: &IrisCode, b: &IrisCode, w: i32) -> f64 {
    (-w..=w)
        .filter_map(|s| nightjar_iris::hamming(a, &b.shifted(s)).map(|(d, _)| d))
        .fold(1.0, f64::min)
}
