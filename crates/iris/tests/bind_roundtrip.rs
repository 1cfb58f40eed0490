//! Key binding on simulated iris codes: genuine captures regenerate the exact key, impostors
//! never do, and the failure modes are the documented ones.

mod bind_common;

use bind_common::{capture, flip_iid, min_hd, random_code, Capture, Iris, Rng};
use hkdf::Hkdf;
use nightjar_iris::bind::{enroll, enroll_with, regenerate, BindError, BindParams, ValidParams};
use nightjar_iris::IrisCode;
use sha2::Sha256;

const ROWS: usize = 8;
const COLS: usize = 256;

fn params() -> ValidParams {
    BindParams::default_for(ROWS as u16, COLS as u16)
        .validate()
        .unwrap()
}

fn enrolled_eye(rng: &mut Rng) -> (Iris, IrisCode) {
    let iris = Iris::new(ROWS, COLS, 2.5, rng);
    let code = capture(
        &iris,
        Capture {
            noise: 0.5,
            rotation: 0,
            eyelid: 0.25,
            spots: 3,
        },
        rng,
    );
    (iris, code)
}

#[test]
fn genuine_captures_regenerate_the_exact_key() {
    let v = params();
    let mut rng = Rng(2024);
    let mut worst: f64 = 0.0;
    for trial in 0..40 {
        let (iris, enrol_code) = enrolled_eye(&mut rng);
        let (record, key) = enroll(&enrol_code, &v).unwrap();
        let rotation = (trial % 17) - 8;
        let probe = capture(
            &iris,
            Capture {
                noise: 0.5,
                rotation,
                eyelid: 0.35,
                spots: 4,
            },
            &mut rng,
        );
        worst = worst.max(min_hd(&enrol_code, &probe, 10));
        let r = regenerate(&record, &probe).unwrap_or_else(|e| panic!("trial {trial}: {e}"));
        assert_eq!(*r.key.master_key(), *key.master_key());
        assert_eq!(r.key.key_bits(), v.params().key_bits());
        // The decoder finds the rotation the capture was taken at, or one near it (the
        // simulated texture is smooth, so neighbouring rotations may decode too).
        assert!(
            (r.shift + rotation).abs() <= 4,
            "trial {trial}: {}",
            r.shift
        );
    }
    // The simulated genuine distances are realistic, not trivially small.
    assert!(worst > 0.2, "worst genuine HD {worst}");
}

#[test]
fn independent_bit_errors_up_to_a_quarter_are_corrected() {
    let v = params();
    let mut rng = Rng(5);
    for &p in &[0.1, 0.2, 0.25] {
        for _ in 0..10 {
            let (_, code) = enrolled_eye(&mut rng);
            let (record, key) = enroll(&code, &v).unwrap();
            let probe = flip_iid(&code, p, &mut rng);
            let r = regenerate(&record, &probe).unwrap_or_else(|e| panic!("p={p}: {e}"));
            assert_eq!(*r.key.master_key(), *key.master_key());
        }
    }
}

/// Weighted (soft) regeneration: the same 40% of bit errors that defeat the decoder when every
/// probe bit counts alike are corrected when the flipped bits are the ones the probe marks as
/// unreliable (weight 1 of 8), as a blurred capture's near-zero filter responses are.
#[test]
fn errors_on_unreliable_probe_bits_are_corrected_when_weighted() {
    let v = params();
    let mut rng = Rng(77);
    for _ in 0..5 {
        let (_, code) = enrolled_eye(&mut rng);
        let (record, key) = enroll(&code, &v).unwrap();
        let mut probe = code.clone();
        probe.weight = vec![nightjar_iris::code::MAX_WEIGHT; probe.len()];
        for i in 0..probe.len() {
            if rng.uniform() < 0.4 {
                probe.set(i, !code.bit(i), code.valid(i));
                probe.weight[i] = 1;
            }
        }
        let hard = IrisCode {
            weight: Vec::new(),
            ..probe.clone()
        };
        assert_eq!(regenerate(&record, &hard).unwrap_err(), BindError::NoMatch);
        let r = regenerate(&record, &probe).unwrap();
        assert_eq!(*r.key.master_key(), *key.master_key());
        // and weights that lie (the flipped bits marked reliable) regenerate nothing
        let mut liar = probe.clone();
        for w in liar.weight.iter_mut() {
            *w = nightjar_iris::code::MAX_WEIGHT + 1 - *w;
        }
        assert_eq!(regenerate(&record, &liar).unwrap_err(), BindError::NoMatch);
    }
}

#[test]
fn a_weight_vector_of_the_wrong_length_is_a_malformed_code() {
    let v = params();
    let mut rng = Rng(78);
    let (_, code) = enrolled_eye(&mut rng);
    let (record, _) = enroll(&code, &v).unwrap();
    let mut probe = code.clone();
    probe.weight = vec![1; 17];
    assert_eq!(
        regenerate(&record, &probe).unwrap_err(),
        BindError::MalformedCode
    );
    // out-of-range weights are clamped, not trusted: 0 and 255 act as 1 and 8
    probe.weight = (0..probe.len())
        .map(|i| if i % 2 == 0 { 0 } else { 255 })
        .collect();
    assert!(regenerate(&record, &probe).is_ok());
}

#[test]
fn impostors_never_regenerate() {
    let v = params();
    let mut rng = Rng(77);
    let records: Vec<_> = (0..10)
        .map(|_| enroll(&enrolled_eye(&mut rng).1, &v).unwrap().0)
        .collect();
    for record in &records {
        // other simulated eyes, at every kind of capture
        for _ in 0..15 {
            let (_, other) = enrolled_eye(&mut rng);
            assert_eq!(regenerate(record, &other).unwrap_err(), BindError::NoMatch);
        }
        // structureless random codes
        for _ in 0..15 {
            let r = random_code(ROWS, COLS, &mut rng);
            assert_eq!(regenerate(record, &r).unwrap_err(), BindError::NoMatch);
        }
        // degenerate codes: all zeros, all ones, everything masked
        let mut zeros = IrisCode::empty(ROWS, COLS);
        let mut ones = IrisCode::empty(ROWS, COLS);
        for i in 0..zeros.len() {
            zeros.set(i, false, true);
            ones.set(i, true, true);
        }
        for c in [zeros, ones, IrisCode::empty(ROWS, COLS)] {
            assert_eq!(regenerate(record, &c).unwrap_err(), BindError::NoMatch);
        }
    }
}

#[test]
fn a_burst_of_garbage_over_a_sector_is_survived() {
    // A segmentation slip: 40 of 256 columns (56°) of the probe are wrong on every row, and
    // not masked; the rest has ordinary noise.
    let v = params();
    let mut rng = Rng(31);
    for _ in 0..10 {
        let (iris, code) = enrolled_eye(&mut rng);
        let (record, key) = enroll(&code, &v).unwrap();
        let mut probe = capture(
            &iris,
            Capture {
                noise: 0.4,
                rotation: 3,
                eyelid: 0.3,
                spots: 2,
            },
            &mut rng,
        );
        let start = rng.below(COLS);
        for r in 0..ROWS {
            for dc in 0..40 {
                let c = (start + dc) % COLS;
                for b in 0..2 {
                    let i = 2 * (r * COLS + c) + b;
                    probe.set(i, rng.next_u64() & 1 == 1, true);
                }
            }
        }
        let r = regenerate(&record, &probe).unwrap();
        assert_eq!(*r.key.master_key(), *key.master_key());
    }
}

#[test]
fn masked_probe_bits_are_erasures_whatever_their_value() {
    // Half the probe is masked and its masked bits are inverted: they must be ignored.
    let v = params();
    let mut rng = Rng(8);
    for _ in 0..10 {
        let (_, code) = enrolled_eye(&mut rng);
        let (record, key) = enroll(&code, &v).unwrap();
        let mut probe = flip_iid(&code, 0.1, &mut rng);
        for i in 0..probe.len() {
            if (i / 2) % COLS < COLS / 2 {
                probe.set(i, !probe.bit(i), false);
            }
        }
        let r = regenerate(&record, &probe).unwrap();
        assert_eq!(*r.key.master_key(), *key.master_key());
    }
}

#[test]
fn each_enrollment_binds_a_fresh_key_and_salt() {
    let v = params();
    let mut rng = Rng(3);
    let (_, code) = enrolled_eye(&mut rng);
    let (r1, k1) = enroll(&code, &v).unwrap();
    let (r2, k2) = enroll(&code, &v).unwrap();
    assert_ne!(*k1.master_key(), *k2.master_key());
    assert_ne!(r1.salt(), r2.salt());
    assert_ne!(r1.to_bytes(), r2.to_bytes());
    assert_eq!(
        *regenerate(&r2, &code).unwrap().key.master_key(),
        *k2.master_key()
    );
}

#[test]
fn the_master_key_is_hkdf_of_the_key_bits_as_documented() {
    let v = params();
    let p = *v.params();
    let mut rng = Rng(4);
    let (_, code) = enrolled_eye(&mut rng);
    let s = p.symbol_bits();
    let symbols: Vec<u16> = (0..p.k).map(|i| (i * 37 + 5) % (1 << s)).collect();
    let salt = [0x11u8; 16];
    let (record, key) = enroll_with(&code, &v, &symbols, salt).unwrap();
    // K = the symbols, s bits each, most significant bit first, zero-padded to bytes.
    let mut bits: Vec<bool> = symbols
        .iter()
        .flat_map(|&x| (0..s).rev().map(move |b| (x >> b) & 1 == 1))
        .collect();
    while bits.len() % 8 != 0 {
        bits.push(false);
    }
    let kbytes: Vec<u8> = bits
        .chunks(8)
        .map(|c| c.iter().fold(0u8, |a, &b| (a << 1) | u8::from(b)))
        .collect();
    let mut want = [0u8; 32];
    Hkdf::<Sha256>::new(Some(&salt), &kbytes)
        .expand(b"nightjar-iris-v1 master key", &mut want)
        .unwrap();
    assert_eq!(*key.master_key(), want);
    assert_eq!(*regenerate(&record, &code).unwrap().key.master_key(), want);
    assert!(format!("{key:?}").contains("redacted"));
}

#[test]
fn shapes_and_poor_enrollments_are_refused() {
    let v = params();
    let mut rng = Rng(6);
    let (_, code) = enrolled_eye(&mut rng);
    let (record, _) = enroll(&code, &v).unwrap();
    assert!(matches!(
        regenerate(&record, &IrisCode::empty(8, 128)),
        Err(BindError::ShapeMismatch { .. })
    ));
    assert!(matches!(
        enroll(&IrisCode::empty(4, 256), &v),
        Err(BindError::ShapeMismatch { .. })
    ));
    let mut broken = code.clone();
    broken.bits.pop();
    assert_eq!(
        regenerate(&record, &broken).unwrap_err(),
        BindError::MalformedCode
    );
    // An eye more than half hidden cannot be enrolled.
    let mut hidden = code.clone();
    for i in 0..hidden.len() * 6 / 10 {
        hidden.set(i, hidden.bit(i), false);
    }
    assert!(matches!(
        enroll(&hidden, &v),
        Err(BindError::TooFewUsableBits { .. })
    ));
}

#[test]
fn parameters_are_validated() {
    let good = BindParams::default_for(8, 256);
    let cases = [
        BindParams { m: 3, ..good },
        BindParams { m: 9, ..good },
        BindParams { k: 0, ..good },
        BindParams { k: good.n, ..good },
        BindParams { n: 1000, ..good },
        BindParams { stride: 0, ..good },
        BindParams {
            stride: 2048,
            ..good
        },
        BindParams {
            stride: 4096,
            ..good
        },
        BindParams {
            shift_window: 200,
            ..good
        },
        BindParams { rows: 0, ..good },
        BindParams { cols: 16, ..good },
        BindParams { k: 4, ..good }, // too few key bits
    ];
    for p in cases {
        assert!(
            matches!(p.validate(), Err(BindError::BadParams(_))),
            "{p:?}"
        );
    }
}

mod hostile_probes {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        /// Arbitrary probe codes (any bits, any mask) never panic and never regenerate.
        #[test]
        fn arbitrary_probes_never_panic_or_match(
            bits in proptest::collection::vec(any::<u64>(), 64),
            mask in proptest::collection::vec(any::<u64>(), 64),
            dense in any::<bool>(),
        ) {
            let v = params();
            let mut rng = Rng(1);
            let (_, code) = enrolled_eye(&mut rng);
            let (record, _) = enroll(&code, &v).unwrap();
            let mask = if dense { mask.iter().map(|m| m | (m << 1)).collect() } else { mask };
            let probe = IrisCode { rows: ROWS, cols: COLS, bits, mask, weight: Vec::new() };
            prop_assert_eq!(regenerate(&record, &probe).unwrap_err(), BindError::NoMatch);
        }
    }
}
