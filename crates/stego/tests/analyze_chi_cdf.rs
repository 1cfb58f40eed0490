//! The chi-square distribution behind the Westfeld–Pfitzmann p, against published tables.
//!
//! Source: NIST/SEMATECH e-Handbook of Statistical Methods, section 1.3.6.7.4, "Critical Values
//! of the Chi-Square Distribution" (https://www.itl.nist.gov/div898/handbook/eda/section3/eda3674.htm):
//! the upper-tail table gives x with Pr[χ²_ν > x] = α, the lower-tail table x with
//! Pr[χ²_ν > x] = 1 − α, both to three decimals. Because the table rounds x to ±0.0005, each check
//! asserts that the tabulated probability lies between our tail probabilities at x ± 0.0005.

use nightjar_stego::analyze::{
    chi_square_cdf, chi_square_sf, regularized_gamma_p, regularized_gamma_q,
};

/// Columns of the upper-tail table: probability of exceeding the critical value.
const UPPER_ALPHA: [f64; 5] = [0.10, 0.05, 0.025, 0.01, 0.001];

/// (ν, critical values for UPPER_ALPHA), rows of the NIST upper-tail table.
const UPPER: [(f64, [f64; 5]); 7] = [
    (1.0, [2.706, 3.841, 5.024, 6.635, 10.828]),
    (2.0, [4.605, 5.991, 7.378, 9.210, 13.816]),
    (5.0, [9.236, 11.070, 12.833, 15.086, 20.515]),
    (10.0, [15.987, 18.307, 20.483, 23.209, 29.588]),
    (20.0, [28.412, 31.410, 34.170, 37.566, 45.315]),
    (50.0, [63.167, 67.505, 71.420, 76.154, 86.661]),
    (100.0, [118.498, 124.342, 129.561, 135.807, 149.449]),
];

/// Columns of the lower-tail table: probability of exceeding the critical value.
const LOWER_EXCEED: [f64; 5] = [0.90, 0.95, 0.975, 0.99, 0.999];

/// (ν, critical values for LOWER_EXCEED), rows of the NIST lower-tail table.
const LOWER: [(f64, [f64; 5]); 3] = [
    (10.0, [4.865, 3.940, 3.247, 2.558, 1.479]),
    (50.0, [37.689, 34.764, 32.357, 29.707, 24.674]),
    (100.0, [82.358, 77.929, 74.222, 70.065, 61.918]),
];

fn assert_tail(nu: f64, x: f64, exceed: f64) {
    let hi = chi_square_sf(x - 0.0005, nu);
    let lo = chi_square_sf(x + 0.0005, nu);
    assert!(
        lo <= exceed && exceed <= hi,
        "ν={nu} x={x}: Pr[χ² > x] = {:.6}, table {exceed} not in [{lo:.6}, {hi:.6}]",
        chi_square_sf(x, nu)
    );
    // The CDF is the complement.
    let sum = chi_square_cdf(x, nu) + chi_square_sf(x, nu);
    assert!((sum - 1.0).abs() < 1e-12, "ν={nu} x={x}: {sum}");
}

#[test]
fn upper_tail_matches_nist_table() {
    for (nu, row) in UPPER {
        for (x, alpha) in row.into_iter().zip(UPPER_ALPHA) {
            assert_tail(nu, x, alpha);
        }
    }
}

#[test]
fn lower_tail_matches_nist_table() {
    for (nu, row) in LOWER {
        for (x, exceed) in row.into_iter().zip(LOWER_EXCEED) {
            assert_tail(nu, x, exceed);
        }
    }
}

/// With two degrees of freedom the chi-square tail is exactly e^{−x/2} (it is the exponential
/// distribution with mean 2), which checks the continued-fraction branch to full precision.
#[test]
fn two_degrees_of_freedom_is_exponential() {
    for &x in &[0.0, 1e-6, 0.1, 1.0, 1.999, 2.001, 5.0, 40.0, 300.0, 1400.0] {
        let exact = (-x / 2.0_f64).exp();
        let got = chi_square_sf(x, 2.0);
        assert!(
            (got - exact).abs() <= 1e-13 * exact.max(1e-300),
            "x={x}: {got:e} vs {exact:e}"
        );
    }
}

/// P(a, x) at shapes where the two branches meet (x = a + 1) agrees from both sides.
#[test]
fn branches_meet_continuously() {
    for &a in &[0.5, 1.5, 9.5, 63.5, 127.0] {
        let x: f64 = a + 1.0;
        let below = regularized_gamma_p(a, x - 1e-9);
        let at = regularized_gamma_p(a, x);
        assert!((below - at).abs() < 1e-8, "a={a}: {below} vs {at}");
        let q = regularized_gamma_q(a, x);
        assert!((at + q - 1.0).abs() < 1e-12);
    }
}
