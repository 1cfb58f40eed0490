//! Model files: exact round trips, and hostile bytes never panic and are always rejected.

use nightjar_nn::{
    Activation, Esn, EsnParams, Loss, Matrix, Mlp, MlpParams, NnError, Optimizer, Output,
};
use proptest::prelude::*;

/// The bytes of both models, built once (proptest calls for them thousands of times).
fn model_bytes() -> &'static (Vec<u8>, Vec<u8>) {
    static BYTES: std::sync::OnceLock<(Vec<u8>, Vec<u8>)> = std::sync::OnceLock::new();
    BYTES.get_or_init(|| (trained_mlp().to_bytes(), fitted_esn().to_bytes()))
}

fn trained_mlp() -> Mlp {
    let p = MlpParams {
        hidden: vec![5, 3],
        activation: Activation::Tanh,
        output: Output::Softmax,
        loss: Loss::CrossEntropy,
        optimizer: Optimizer::adam(0.01),
        batch_size: 2,
        max_epochs: 30,
        target_mse: Some(0.001),
        patience: Some(7),
        class_weights: Some(vec![1.0, 2.0, 0.5]),
        seed: 17,
        ..MlpParams::paper()
    };
    let mut m = Mlp::new(&p.validate(4, 3).unwrap());
    let x = Matrix::from_rows(&[
        [0.1, 0.2, 0.3, 0.4],
        [0.9, 0.1, 0.0, 0.5],
        [0.3, 0.3, 0.8, 0.1],
    ])
    .unwrap();
    let y = Matrix::one_hot(&[0, 1, 2], 3).unwrap();
    m.train(&x, &y, Some((&x, &y)), &mut |_| {}).unwrap();
    m
}

fn fitted_esn() -> Esn {
    let p = EsnParams {
        reservoir: 12,
        washout: 2,
        ..EsnParams::default()
    };
    let mut e = Esn::new(&p.validate().unwrap(), 2, 1);
    let u = Matrix::new(20, 2, (0..40).map(|i| (i as f32 * 0.37).sin()).collect()).unwrap();
    let t = Matrix::new(20, 1, (0..20).map(|i| (i as f32 * 0.2).cos()).collect()).unwrap();
    e.fit(&[(&u, &t)]).unwrap();
    e
}

#[test]
fn mlp_round_trip_is_exact() {
    let m = trained_mlp();
    let b = m.to_bytes();
    let back = Mlp::from_bytes(&b).unwrap();
    assert_eq!(back, m);
    assert_eq!(back.to_bytes(), b);
    let x = Matrix::from_rows(&[[0.5, 0.5, 0.5, 0.5]]).unwrap();
    assert_eq!(back.predict(&x), m.predict(&x));
    // Every setting survives, so a loaded model can go on training identically.
    assert_eq!(back.params(), m.params());
    for p in [
        MlpParams::paper(),
        MlpParams {
            hidden: vec![],
            output: Output::Identity,
            target_mse: None,
            ..MlpParams::paper()
        },
    ] {
        let m = Mlp::new(&p.validate(3, 1).unwrap());
        assert_eq!(Mlp::from_bytes(&m.to_bytes()).unwrap(), m);
    }
}

#[test]
fn esn_round_trip_is_exact_fitted_or_not() {
    let e = fitted_esn();
    let back = Esn::from_bytes(&e.to_bytes()).unwrap();
    assert_eq!(back, e);
    let u = Matrix::new(5, 2, vec![0.1; 10]).unwrap();
    assert_eq!(back.predict(&u), e.predict(&u));
    let raw = Esn::new(
        &EsnParams {
            reservoir: 5,
            ..EsnParams::default()
        }
        .validate()
        .unwrap(),
        1,
        2,
    );
    let back = Esn::from_bytes(&raw.to_bytes()).unwrap();
    assert!(!back.is_fitted());
    assert_eq!(back, raw);
}

#[test]
fn every_truncation_and_extension_is_rejected() {
    for b in [trained_mlp().to_bytes(), fitted_esn().to_bytes()] {
        let is_mlp = b.starts_with(b"NJMLP");
        for len in 0..b.len() {
            let r = if is_mlp {
                Mlp::from_bytes(&b[..len]).err()
            } else {
                Esn::from_bytes(&b[..len]).err()
            };
            assert!(
                matches!(r, Some(NnError::Malformed(_))),
                "prefix of {len} bytes: {r:?}"
            );
        }
        let mut longer = b.clone();
        longer.push(0);
        assert!(Mlp::from_bytes(&longer).is_err() && Esn::from_bytes(&longer).is_err());
    }
}

#[test]
fn every_single_bit_flip_is_rejected() {
    let b = trained_mlp().to_bytes();
    for i in 0..b.len() {
        for bit in 0..8 {
            let mut c = b.clone();
            c[i] ^= 1 << bit;
            assert!(Mlp::from_bytes(&c).is_err(), "flip byte {i} bit {bit}");
        }
    }
}

#[test]
fn other_versions_and_kinds_are_named_as_such() {
    let mut b = trained_mlp().to_bytes();
    b[8] = 2;
    assert_eq!(
        Mlp::from_bytes(&b).unwrap_err(),
        NnError::UnsupportedVersion {
            found: 2,
            supported: 1
        }
    );
    assert!(matches!(
        Esn::from_bytes(&trained_mlp().to_bytes()),
        Err(NnError::Malformed(_))
    ));
    assert!(matches!(
        Mlp::from_bytes(&fitted_esn().to_bytes()),
        Err(NnError::Malformed(_))
    ));
}

/// Re-signs a body so that the checksum passes and the structural checks are what is tested.
fn resign(body: &[u8]) -> Vec<u8> {
    // CRC-32/ISO-HDLC, bitwise (independent of the crate's table-driven version).
    let mut c = !0u32;
    for &x in body {
        c ^= x as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
    }
    let mut v = body.to_vec();
    v.extend_from_slice(&(!c).to_le_bytes());
    v
}

#[test]
fn correctly_checksummed_but_inconsistent_bodies_are_rejected() {
    let b = trained_mlp().to_bytes();
    let body = &b[..b.len() - 4];
    assert!(Mlp::from_bytes(&resign(body)).is_ok());
    // Offsets: magic 8, version 2, activation, output, loss, optimizer tag (+16 for Adam), count.
    let tags = 10;
    for (off, val) in [(tags, 9u8), (tags + 1, 9), (tags + 2, 9), (tags + 3, 9)] {
        let mut c = body.to_vec();
        c[off] = val;
        assert!(
            matches!(Mlp::from_bytes(&resign(&c)), Err(NnError::Malformed(_))),
            "tag at {off}"
        );
    }
    // A huge layer width must be refused before anything is allocated.
    let count_at = tags + 4 + 16;
    let mut c = body.to_vec();
    c[count_at + 4..count_at + 12].copy_from_slice(&u64::MAX.to_le_bytes());
    assert!(matches!(
        Mlp::from_bytes(&resign(&c)),
        Err(NnError::Malformed(_))
    ));
    // Softmax with a loss that is invalid for the settings: identity output with cross-entropy.
    let mut c = body.to_vec();
    c[tags + 1] = 2;
    assert!(matches!(
        Mlp::from_bytes(&resign(&c)),
        Err(NnError::Malformed(_))
    ));
    // A NaN weight.
    let mut c = body.to_vec();
    let n = c.len();
    c[n - 4..].copy_from_slice(&f32::NAN.to_le_bytes());
    assert!(matches!(
        Mlp::from_bytes(&resign(&c)),
        Err(NnError::Malformed(_))
    ));
    // Trailing bytes inside the checksum.
    let mut c = body.to_vec();
    c.push(0);
    assert!(matches!(
        Mlp::from_bytes(&resign(&c)),
        Err(NnError::Malformed(_))
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn garbage_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        prop_assert!(Mlp::from_bytes(&bytes).is_err());
        prop_assert!(Esn::from_bytes(&bytes).is_err());
    }

    #[test]
    fn garbage_behind_a_valid_header_never_panics(tail in proptest::collection::vec(any::<u8>(), 0..400), esn in any::<bool>()) {
        let mut b = if esn { b"NJESN\0\0\0".to_vec() } else { b"NJMLP\0\0\0".to_vec() };
        b.extend_from_slice(&1u16.to_le_bytes());
        b.extend_from_slice(&tail);
        // With and without a valid checksum, so the structural parser sees garbage too.
        let _ = Mlp::from_bytes(&b);
        let _ = Esn::from_bytes(&b);
        let signed = resign(&b);
        let _ = Mlp::from_bytes(&signed);
        let _ = Esn::from_bytes(&signed);
    }

    #[test]
    fn mutated_models_never_panic(pos in 0usize..10_000, val in any::<u8>(), cut in 0usize..10_000, signed in any::<bool>()) {
        let (m, e) = model_bytes();
        for b in [m, e] {
            let mut c = b.clone();
            let i = pos % c.len();
            c[i] = val;
            c.truncate(cut % (c.len() + 1));
            let c = if signed && c.len() >= 4 { resign(&c[..c.len() - 4]) } else { c };
            let _ = Mlp::from_bytes(&c);
            let _ = Esn::from_bytes(&c);
        }
    }
}
