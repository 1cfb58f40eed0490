//! Element-wise kernels: a vectorisable `exp`, the activation functions and their derivatives.
//!
//! `std`'s `f32::exp` is a library call the compiler cannot vectorise, and in a small network the
//! exponentials cost more than the matrix products. [`exp`] is Cephes' `expf` (range reduction
//! by `ln 2` in two parts, degree-6 polynomial, exponent built in the bits) written without
//! branches or calls, so loops over it compile to SIMD. Its error is within 2 ulp of the true
//! value on the clamped range, which the tests check against `f64::exp`.

use crate::Activation;

const LOG2E: f32 = std::f32::consts::LOG2_E;
const LN2_HI: f32 = 0.693_359_4;
const LN2_LO: f32 = -2.121_944_4e-4;
/// 1.5 · 2^23: adding it rounds a float of magnitude < 2^22 to an integer in the low mantissa bits.
const ROUND_MAGIC: f32 = 12_582_912.0;
/// exp(88.3) < f32::MAX and exp(-87.3) > f32::MIN_POSITIVE: the exponent stays normal.
const EXP_HI: f32 = 88.3;
const EXP_LO: f32 = -87.3;

/// `e^x` for `f32`, vectorisable. Inputs are clamped to `[-87.3, 88.3]`, so large arguments give
/// large finite values (≈2.2e38) and very negative ones ≈1.2e-38 rather than inf/0; NaN stays NaN.
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    let x = x.clamp(EXP_LO, EXP_HI);
    let t = x * LOG2E + ROUND_MAGIC;
    let n = t - ROUND_MAGIC; // round(x / ln 2)
    let ni = (t.to_bits() as i32).wrapping_sub(ROUND_MAGIC.to_bits() as i32);
    let r = x - n * LN2_HI - n * LN2_LO;
    let r2 = r * r;
    let p = ((((1.987_569_1e-4 * r + 1.398_199_9e-3) * r + 8.333_452e-3) * r + 4.166_579_6e-2) * r
        + 1.666_666_5e-1)
        * r
        + 5e-1;
    let p = p * r2 + r + 1.0;
    let scale = f32::from_bits((ni.wrapping_add(127) as u32) << 23);
    p * scale
}

/// Natural logarithm for positive normal `f32` (Cephes `logf`: mantissa in [√½, √2), degree-9
/// polynomial), vectorisable. Zero, negative, subnormal and non-finite inputs are outside its
/// domain; callers clamp first.
#[inline(always)]
pub fn ln(x: f32) -> f32 {
    let bits = x.to_bits();
    let mut e = ((bits >> 23) & 0xFF) as i32 - 126;
    let m = f32::from_bits((bits & 0x807F_FFFF) | 0x3F00_0000); // in [0.5, 1)
    let small = m < std::f32::consts::FRAC_1_SQRT_2;
    e -= small as i32;
    let m = if small { m + m - 1.0 } else { m - 1.0 };
    let z = m * m;
    let mut y = ((((((((7.037_683_6e-2 * m - 1.151_461e-1) * m + 1.167_699_9e-1) * m
        - 1.242_014_1e-1)
        * m
        + 1.424_932_3e-1)
        * m
        - 1.666_805_8e-1)
        * m
        + 2.000_071_5e-1)
        * m
        - 2.499_999_4e-1)
        * m
        + 3.333_333e-1)
        * m
        * z;
    let ef = e as f32;
    y += -2.121_944_4e-4 * ef;
    y += -0.5 * z;
    (m + y) + 0.693_359_4 * ef
}

/// Logistic sigmoid `1 / (1 + e^-x)`.
#[inline(always)]
pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + exp(-x))
}

/// Hyperbolic tangent (Cephes `tanhf`: odd polynomial below 0.625, `1 - 2/(e^2x + 1)` above).
#[inline(always)]
pub fn tanh(x: f32) -> f32 {
    let a = x.abs();
    let z = x * x;
    let small =
        ((((-5.704_988_7e-3 * z + 2.063_909e-2) * z - 5.373_971_6e-2) * z + 1.333_144_2e-1) * z
            - 3.333_328e-1)
            * z
            * x
            + x;
    let big = 1.0 - 2.0 / (exp(2.0 * a) + 1.0);
    let big = big.copysign(x);
    if a < 0.625 {
        small
    } else {
        big
    }
}

/// Applies `act` in place.
pub(crate) fn activate(act: Activation, v: &mut [f32]) {
    match act {
        Activation::Sigmoid => v.iter_mut().for_each(|x| *x = sigmoid(*x)),
        Activation::Tanh => v.iter_mut().for_each(|x| *x = tanh(*x)),
        Activation::Relu => v
            .iter_mut()
            .for_each(|x| *x = if *x > 0.0 { *x } else { 0.0 }),
        Activation::Identity => {}
    }
}

/// Adds the bias row to every row of `z` (row length `bias.len()`), then applies `act` to the
/// whole buffer in one pass (long loops vectorise; per-row calls of short rows do not).
pub(crate) fn bias_activate(act: Activation, z: &mut [f32], bias: &[f32]) {
    let n = bias.len();
    if n == 0 {
        return;
    }
    if n == 1 {
        let b = bias[0];
        z.iter_mut().for_each(|x| *x += b);
    } else {
        for row in z.chunks_exact_mut(n) {
            for (x, b) in row.iter_mut().zip(bias) {
                *x += b;
            }
        }
    }
    activate(act, z);
}

/// `delta ⊙= f'(·)`, with the derivative written in terms of the activation's *output* `a`.
pub(crate) fn mul_derivative(act: Activation, delta: &mut [f32], a: &[f32]) {
    let it = delta.iter_mut().zip(a);
    match act {
        Activation::Sigmoid => it.for_each(|(d, &a)| *d *= a * (1.0 - a)),
        Activation::Tanh => it.for_each(|(d, &a)| *d *= 1.0 - a * a),
        Activation::Relu => it.for_each(|(d, &a)| *d = if a > 0.0 { *d } else { 0.0 }),
        Activation::Identity => {}
    }
}

/// Row-wise softmax in place (rows of length `n`). The exponentials run over the whole buffer
/// in one vectorisable loop. Softmax is invariant to a shift of each row; the usual shift by the
/// row maximum, which keeps `exp` in range, is only needed (and only done) when some logit in
/// the buffer exceeds ±64 in magnitude: below that, `exp` of every logit and the sum of a row
/// are comfortably within `f32` range.
pub(crate) fn softmax_rows(v: &mut [f32], n: usize) {
    if n == 0 {
        return;
    }
    let big = v.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    if big > 64.0 || big.is_nan() {
        for row in v.chunks_exact_mut(n) {
            let m = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            row.iter_mut().for_each(|x| *x -= m);
        }
    }
    v.iter_mut().for_each(|x| *x = exp(*x));
    for row in v.chunks_exact_mut(n) {
        let inv = 1.0 / sum(row);
        row.iter_mut().for_each(|x| *x *= inv);
    }
}

/// Sum in a fixed order that vectorises: eight interleaved partial sums, then combined.
#[inline]
pub(crate) fn sum(v: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 8];
    let mut it = v.chunks_exact(8);
    for c in &mut it {
        for (l, x) in lanes.iter_mut().zip(c) {
            *l += x;
        }
    }
    let mut s = ((lanes[0] + lanes[4]) + (lanes[1] + lanes[5]))
        + ((lanes[2] + lanes[6]) + (lanes[3] + lanes[7]));
    for x in it.remainder() {
        s += x;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ulps(a: f32, b: f32) -> i64 {
        (a.to_bits() as i64 - b.to_bits() as i64).abs()
    }

    #[test]
    fn exp_is_within_2_ulp_of_f64_reference() {
        let mut worst = 0;
        let mut x = -87.0f32;
        while x < 88.0 {
            let want = (x as f64).exp() as f32;
            worst = worst.max(ulps(exp(x), want));
            x += 0.001_37;
        }
        assert!(worst <= 2, "worst {worst} ulp");
        assert_eq!(exp(0.0), 1.0);
        assert!(exp(1000.0).is_finite() && exp(1000.0) > 1e38);
        assert!(exp(-1000.0) >= 0.0 && exp(-1000.0) < 1e-37);
        assert!(exp(f32::NAN).is_nan());
    }

    #[test]
    fn ln_is_within_2_ulp_of_f64_reference() {
        let mut worst = 0;
        let mut x = 1e-12f32;
        while x < 1e12 {
            let want = (x as f64).ln() as f32;
            let got = ln(x);
            // Near x = 1 the result is tiny; compare absolutely there.
            if (got - want).abs() > 2e-7 {
                worst = worst.max(ulps(got, want));
            }
            x *= 1.000_37;
        }
        assert!(worst <= 2, "worst {worst} ulp");
        assert_eq!(ln(1.0), 0.0);
    }

    #[test]
    fn sigmoid_and_tanh_match_f64_reference() {
        let mut x = -30.0f32;
        while x < 30.0 {
            let s = 1.0 / (1.0 + (-(x as f64)).exp());
            assert!(
                (sigmoid(x) as f64 - s).abs() <= 2.0 * f32::EPSILON as f64 * s.max(1e-30),
                "sigmoid({x})"
            );
            let t = (x as f64).tanh();
            let err = (tanh(x) as f64 - t).abs();
            assert!(
                err <= 3.0 * f32::EPSILON as f64 * t.abs().max(1e-30),
                "tanh({x}): {} vs {t}",
                tanh(x)
            );
            x += 0.000_93;
        }
        assert_eq!(tanh(0.0), 0.0);
        assert_eq!(tanh(1e-20), 1e-20);
        assert_eq!(tanh(50.0), 1.0);
        assert_eq!(tanh(-50.0), -1.0);
        assert!(sigmoid(-200.0) < 1e-37);
        assert_eq!(sigmoid(200.0), 1.0);
    }

    #[test]
    fn softmax_with_and_without_the_max_shift_matches_f64() {
        for scale in [1.0f32, 30.0, 63.0, 65.0, 500.0] {
            let v: Vec<f32> = (0..12)
                .map(|i| ((i * 7 % 5) as f32 - 2.0) / 2.0 * scale)
                .collect();
            let mut s = v.clone();
            softmax_rows(&mut s, 4);
            for (r, row) in v.chunks(4).enumerate() {
                let m = row.iter().fold(f64::NEG_INFINITY, |m, &x| m.max(x as f64));
                let e: Vec<f64> = row.iter().map(|&x| (x as f64 - m).exp()).collect();
                let z: f64 = e.iter().sum();
                for j in 0..4 {
                    let want = e[j] / z;
                    let got = s[r * 4 + j] as f64;
                    assert!(
                        (got - want).abs() <= 1e-6 * want.max(1e-30) + 1e-37,
                        "scale {scale}: {got} vs {want}"
                    );
                }
            }
        }
    }

    #[test]
    fn softmax_rows_sum_to_one_and_survive_large_logits() {
        let mut v = vec![1000.0, 1001.0, 999.0, -5.0, 0.0, 5.0];
        softmax_rows(&mut v, 3);
        for r in v.chunks(3) {
            assert!((r.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        }
        assert!(v[1] > v[0] && v[0] > v[2]);
    }
}
