//! A vectorisable `ln(1 + x)` for the `window` features' counts and ages.
//!
//! `std`'s `f32::ln_1p` and `f64::ln_1p` are library calls the compiler cannot vectorise, and
//! a `window` feature vector takes some 26 of them. [`ln_1p`] and [`ln_1p_f32`] are written
//! without branches or calls, so a loop over an array of inputs compiles to SIMD. They work in
//! `f64` and are far more accurate than an `f32` result needs, so that [`ln_1p_f32`] is the
//! correctly rounded `f32` logarithm but for inputs within about 4·10⁻¹⁴ of a rounding
//! boundary (none among 13 million tested): the features it makes are those of `f32::ln_1p`
//! (libm's, within 1 ulp, which is not correctly rounded for some 0.5 % of inputs) to the last
//! bit but for those 1-ulp differences.
//!
//! The method is that of fdlibm's `log1p` and `log` (Sun Microsystems, 1993), with the
//! series of `atanh` in place of its minimax polynomial:
//!
//! * `u = 1 + x` rounded, and its rounding error `c = (1 + x) − u` exactly (Knuth's two-sum),
//!   so that `ln(1 + x) = ln(u) + ln(1 + c/u) ≈ ln(u) + c/u` (`|c/u| ≤ 2⁻⁵³`);
//! * `u = 2^e · m` with `m` in `[√½, √2)` from the bits of `u`;
//! * `ln(m) = 2·atanh(s) = 2s + 2s³/3 + 2s⁵/5 + …` with `s = (m − 1)/(m + 1)`, `|s| < 0.1716`:
//!   the terms up to `s¹⁵` leave out less than `2s · s¹⁶/17`, under 4·10⁻¹⁴ relative (over
//!   10⁶ times less than half an `f32` ulp: the chance that it moves an `f32` rounding is
//!   about that small).

/// Bits of `f64` `1.0` (biased exponent 1023, mantissa 0).
const ONE_BITS: u64 = 0x3FF0_0000_0000_0000;
/// The 52 mantissa bits of an `f64`.
const MANTISSA: u64 = 0x000F_FFFF_FFFF_FFFF;
/// Bits of `2^52`: or-ing an integer `n < 2^52` into its mantissa gives `2^52 + n`.
const TWO_52_BITS: u64 = 0x4330_0000_0000_0000;
/// `2^52`.
const TWO_52: f64 = 4_503_599_627_370_496.0;

/// `ln(1 + x)` for finite `x ≥ 0`, vectorisable, within 4·10⁻¹⁴ of the true value relative.
/// For other inputs (negative, NaN, infinite) the result is meaningless: callers clamp first.
#[inline(always)]
pub fn ln_1p(x: f64) -> f64 {
    let (u, c) = one_plus(x);
    ln_plus(u, c / u)
}

/// `ln(1 + x)` rounded to `f32` for `x` in `[0, 2⁵²]` (computed as [`ln_1p`], in `f64`, with
/// one division less: see the code), vectorisable. For other inputs the result is meaningless.
#[inline(always)]
pub fn ln_1p_f32(x: f32) -> f32 {
    let (u, c) = one_plus(f64::from(x));
    // `1 + x` is exact in `f64` (`c` is 0) for `x` in `[2⁻²⁹, 2⁵²]`; below, `u < 1 + 2⁻²⁸`,
    // so that `c/u` is `c` within 2⁻²⁸ of itself
    ln_plus(u, c) as f32
}

/// `1 + x` rounded, and its rounding error exactly (Knuth's two-sum).
#[inline(always)]
fn one_plus(x: f64) -> (f64, f64) {
    let u = 1.0 + x;
    let b = u - 1.0;
    (u, (1.0 - (u - b)) + (x - b))
}

/// `ln(u) + c` for finite `u ≥ 1` and a small correction `c`.
#[inline(always)]
fn ln_plus(u: f64, c: f64) -> f64 {
    // u = 2^e · m, m in [1, 2), e as a float without an integer conversion (which does not
    // vectorise without AVX-512)
    let bits = u.to_bits();
    let m = f64::from_bits((bits & MANTISSA) | ONE_BITS);
    let e = f64::from_bits((bits >> 52) | TWO_52_BITS) - (TWO_52 + 1023.0);
    // m in [√½, √2)
    let big = m >= std::f64::consts::SQRT_2;
    let m = if big { m * 0.5 } else { m };
    let e = if big { e + 1.0 } else { e };
    let f = m - 1.0; // exact
    let s = f / (2.0 + f);
    let z = s * s;
    // z/3 + z²/5 + … + z⁷/15, by Estrin's scheme (shorter chains of dependent operations than
    // Horner's: the loops over it are bound by their latency)
    let z2 = z * z;
    let z4 = z2 * z2;
    let p01 = 1.0 / 3.0 + z * (1.0 / 5.0);
    let p23 = 1.0 / 7.0 + z * (1.0 / 9.0);
    let p45 = 1.0 / 11.0 + z * (1.0 / 13.0);
    let p = z * ((p01 + z2 * p23) + z4 * (p45 + z2 * (1.0 / 15.0)));
    let s2 = s + s;
    e * std::f64::consts::LN_2 + (s2 + (s2 * p + c))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Relative error of `ln_1p(x)` against `f64::ln_1p` (libm, within 1 ulp: nearly exact at
    /// this scale).
    fn rel(x: f64) -> f64 {
        let want = x.ln_1p();
        let got = ln_1p(x);
        if want == 0.0 {
            got.abs()
        } else {
            ((got - want) / want).abs()
        }
    }

    #[test]
    fn ln_1p_is_within_4e_14_relative_over_its_range() {
        let mut worst = 0f64;
        let mut check = |x: f64| {
            let r = rel(x);
            assert!(r <= 4e-14, "x {x:e}: {} vs {}", ln_1p(x), x.ln_1p());
            worst = worst.max(r);
        };
        // log-spaced from 1e-300 to 1e300, and powers of two and their neighbours
        let mut x = 1e-300f64;
        while x <= 1e300 {
            check(x);
            x *= 1.000_37;
        }
        for e in -1074..=1023 {
            let p = 2f64.powi(e);
            for y in [
                p,
                p * (1.0 + f64::EPSILON),
                p * (1.0 - f64::EPSILON / 2.0),
                p * 1.5,
            ] {
                check(y);
            }
        }
        // around the switch of the mantissa range at √2 and the exactness limit of 1 + x
        for base in [
            std::f64::consts::SQRT_2 - 1.0,
            2f64.powi(-29),
            2f64.powi(-53),
            1.0,
        ] {
            let mut y = base * (1.0 - 1e-9);
            while y < base * (1.0 + 1e-9) {
                check(y);
                y += base * 1.37e-12;
            }
        }
        // f64 that are not f32 (ages in seconds)
        for i in 0..100_000u32 {
            check(f64::from(i) * 0.001_234_567_891_234_5 + 1e-7 * f64::from(i % 7));
        }
        assert!(worst <= 4e-14, "{worst:e}");
    }

    #[test]
    fn ln_1p_of_zero_is_zero_and_of_tiny_values_the_value() {
        assert_eq!(ln_1p(0.0).to_bits(), 0);
        assert_eq!(ln_1p_f32(0.0).to_bits(), 0);
        for x in [
            f64::from(f32::from_bits(1)),
            1e-300,
            1e-40,
            1e-20,
            2f64.powi(-60),
        ] {
            assert_eq!(ln_1p(x), x, "{x:e}");
        }
        for x in [
            f32::from_bits(1),
            1e-40,
            1e-20,
            2f32.powi(-60),
            2f32.powi(-25),
        ] {
            assert_eq!(ln_1p_f32(x), x, "{x:e}");
        }
    }

    /// As the features use it: rounded to `f32`, it is `f32::ln_1p` (libm, within 1 ulp)
    /// within 1 ulp, and the correctly rounded value (by `f64::ln_1p`) all but never.
    #[test]
    fn ln_1p_rounded_to_f32_is_the_f32_logarithm() {
        let (mut n, mut off_f64, mut off_f32) = (0u32, 0u32, 0u32);
        let mut check = |x: f32| {
            let got = ln_1p_f32(x);
            assert_eq!(got, ln_1p(f64::from(x)) as f32, "x {x:e}");
            let libm32 = x.ln_1p();
            let rounded = f64::from(x).ln_1p() as f32;
            let ulps = |a: f32, b: f32| (a.to_bits() as i64 - b.to_bits() as i64).abs();
            assert!(ulps(got, libm32) <= 1, "x {x:e}: {got:e} vs {libm32:e}");
            assert!(ulps(got, rounded) <= 1, "x {x:e}: {got:e} vs {rounded:e}");
            n += 1;
            off_f64 += u32::from(got != rounded);
            off_f32 += u32::from(got != libm32);
        };
        // every 97th f32 from the smallest subnormal to 1e9, and a few exact values
        let mut b = 1u32;
        while f32::from_bits(b) <= 1e9 {
            check(f32::from_bits(b));
            b += 97;
        }
        for x in [0.0, 1.0, 2.0, 3.0, 0.5, 1e6, 1e7, 1e9, 4.5e15] {
            check(x);
        }
        assert!(n > 10_000_000, "{n}");
        // rounding boundaries within 4e-14: expected a handful in ten million at most
        assert!(off_f64 <= 10, "{off_f64} of {n} not correctly rounded");
        // libm's `log1pf` is not always correctly rounded
        assert!(f64::from(off_f32) < 1e-2 * f64::from(n), "{off_f32} of {n}");
    }
}
