//! The analysers on inputs with no information, too little, or inconsistent views: they must
//! return finite numbers and never claim a detection they cannot support.

use nightjar_stego::analyze::{self, Analysis, Plane, MIN_SAMPLES};
use proptest::prelude::*;

/// Everything numeric in an analysis is finite and in its range.
fn assert_sane(a: &Analysis, what: &str) {
    let c = &a.chi_square;
    assert!((0.0..=1.0).contains(&c.p_value), "{what}: p {}", c.p_value);
    assert!(
        (0.0..=1.0).contains(&c.estimated_fraction),
        "{what}: fraction {}",
        c.estimated_fraction
    );
    assert!(c.prefix_curve.len() <= 100, "{what}");
    let mut last = 0.0;
    for &(f, p) in &c.prefix_curve {
        assert!(f > last && f <= 1.0 + 1e-12, "{what}: curve fraction {f}");
        assert!((0.0..=1.0).contains(&p), "{what}: curve p {p}");
        last = f;
    }
    for (name, rate, per_plane) in [
        ("RS", a.rs.rate, &a.rs.per_plane),
        ("SPA", a.spa.rate, &a.spa.per_plane),
    ] {
        assert!(
            rate.is_finite() && (-1.0..=1.0).contains(&rate),
            "{what}: {name} {rate}"
        );
        for &r in per_plane {
            assert!(
                r.is_finite() && (-1.0..=1.0).contains(&r),
                "{what}: {name} plane {r}"
            );
        }
    }
    assert!(
        a.estimated_payload_bytes <= a.samples / 8 + 1,
        "{what}: payload {} for {} samples",
        a.estimated_payload_bytes,
        a.samples
    );
    if !a.enough_samples {
        assert!(
            !a.detected && !a.chi_square.detected && !a.rs.detected && !a.spa.detected,
            "{what}: detection without enough samples"
        );
        assert_eq!(a.estimated_payload_bytes, 0, "{what}");
    }
}

fn grey(data: &[u8], width: usize, height: usize) -> Vec<Plane<'_>> {
    Plane::interleaved(data, width, height, 1, 1)
}

#[test]
fn no_planes() {
    let a = analyze::analyze(&[]);
    assert_sane(&a, "no planes");
    assert_eq!(a.samples, 0);
    assert!(!a.enough_samples && !a.detected);
    assert!(a.rs.per_plane.is_empty() && a.spa.per_plane.is_empty());
    assert!(a.chi_square.prefix_curve.is_empty());
}

#[test]
fn empty_and_tiny_images() {
    let data = [7u8, 200, 13, 255, 0, 1, 2, 3, 4];
    for (w, h) in [
        (0, 0),
        (0, 5),
        (5, 0),
        (1, 1),
        (3, 1),
        (1, 3),
        (2, 2),
        (3, 3),
    ] {
        let a = analyze::analyze(&grey(&data, w, h));
        assert_sane(&a, &format!("{w}x{h}"));
        assert_eq!(a.samples, (w * h) as u64);
        assert!(!a.detected);
    }
    // 1×1 and 3×1 RGB.
    for (w, h) in [(1, 1), (3, 1)] {
        let planes = Plane::interleaved(&data, w, h, 3, 3);
        let a = analyze::analyze(&planes);
        assert_sane(&a, &format!("rgb {w}x{h}"));
        assert_eq!(a.rs.per_plane.len(), 3);
    }
}

#[test]
fn constant_images_of_any_size() {
    for value in [0u8, 1, 128, 254, 255] {
        for (w, h) in [(4, 4), (64, 64), (300, 200)] {
            let data = vec![value; w * h];
            let a = analyze::analyze(&grey(&data, w, h));
            let what = format!("constant {value} {w}x{h}");
            assert_sane(&a, &what);
            // A constant image carries no evidence either way.
            assert!(!a.detected, "{what}");
            assert_eq!(a.estimated_payload_bytes, 0, "{what}");
        }
    }
}

#[test]
fn two_level_and_extreme_images() {
    // Half 0, half 255; a 0/1 checkerboard; a full ramp.
    let (w, h) = (128, 128);
    let halves: Vec<u8> = (0..w * h)
        .map(|i| if i < w * h / 2 { 0 } else { 255 })
        .collect();
    let checker: Vec<u8> = (0..w * h).map(|i| ((i % w + i / w) % 2) as u8).collect();
    let ramp: Vec<u8> = (0..w * h).map(|i| (i % 256) as u8).collect();
    for (name, data) in [("halves", &halves), ("checker", &checker), ("ramp", &ramp)] {
        let a = analyze::analyze(&grey(data, w, h));
        assert_sane(&a, name);
    }
}

#[test]
fn inconsistent_views_use_what_is_there() {
    let data: Vec<u8> = (0..100u32).map(|i| (i * 37 % 256) as u8).collect();
    // Claims 50×50 but only 100 bytes: two complete rows.
    let p = Plane {
        data: &data,
        width: 50,
        height: 50,
        stride: 1,
        offset: 0,
    };
    assert_eq!(p.rows(), 2);
    let a = analyze::analyze(&[p]);
    assert_sane(&a, "short data");
    assert_eq!(a.samples, 100);
    // Offset past the end, stride 0, absurd sizes.
    for p in [
        Plane { offset: 1000, ..p },
        Plane { stride: 0, ..p },
        Plane {
            width: usize::MAX,
            height: usize::MAX,
            ..p
        },
        Plane {
            stride: usize::MAX,
            ..p
        },
    ] {
        let a = analyze::analyze(&[p]);
        assert_sane(&a, "bad view");
        assert!(!a.detected);
    }
    assert_eq!(p.get(49, 1), data[99]);
    assert_eq!(p.get(0, 2), 0);
    assert_eq!(p.get(50, 0), 0);
}

#[test]
fn planes_of_different_sizes() {
    let big = vec![100u8; 100 * 100];
    let small = [1u8, 2, 3, 4];
    let planes = [
        Plane::interleaved(&big, 100, 100, 1, 1)[0],
        Plane::interleaved(&small, 2, 2, 1, 1)[0],
    ];
    let a = analyze::analyze(&planes);
    assert_sane(&a, "mixed sizes");
    assert_eq!(a.samples, 10_004);
}

#[test]
fn min_samples_is_the_boundary() {
    // Random-looking but structured data just under and at MIN_SAMPLES.
    let side = (MIN_SAMPLES as f64).sqrt() as usize;
    assert_eq!(side * side, MIN_SAMPLES);
    let data: Vec<u8> = (0..side * side)
        .map(|i| ((i / side + i % side) / 2 % 256) as u8)
        .collect();
    let a = analyze::analyze(&grey(&data, side, side - 1));
    assert!(!a.enough_samples);
    assert_sane(&a, "just under");
    let a = analyze::analyze(&grey(&data, side, side));
    assert!(a.enough_samples);
    assert_sane(&a, "at the boundary");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Random small images with 1–4 channels, analysed as 1..=channels planes: never a panic,
    /// never a NaN.
    #[test]
    fn analyze_never_panics_or_returns_nan(
        width in 0usize..24,
        height in 0usize..24,
        channels in 1usize..=4,
        used in 1usize..=4,
        seed in any::<u64>(),
        levels in prop::sample::select(vec![1u16, 2, 3, 16, 256]),
        slack in 0usize..8,
        cut in 0usize..8,
    ) {
        let used = used.min(channels);
        let n = (width * height * channels + slack).saturating_sub(cut);
        let mut x = seed;
        let data: Vec<u8> = (0..n)
            .map(|_| {
                x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                ((x >> 33) % u64::from(levels)) as u8
            })
            .collect();
        let planes = Plane::interleaved(&data, width, height, channels, used);
        let a = analyze::analyze(&planes);
        assert_sane(&a, "proptest");
        prop_assert_eq!(a.rs.per_plane.len(), used);
        prop_assert_eq!(a.spa.per_plane.len(), used);
    }

    /// Larger random images (enough samples for verdicts): still sane.
    #[test]
    fn analyze_sane_on_random_noise(
        width in 64usize..96,
        height in 64usize..96,
        seed in any::<u64>(),
    ) {
        let mut x = seed | 1;
        let data: Vec<u8> = (0..width * height)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 56) as u8
            })
            .collect();
        let a = analyze::analyze(&grey(&data, width, height));
        assert_sane(&a, "noise");
    }
}
