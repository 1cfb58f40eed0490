//! The enrollment record file: its documented layout, full validation on reading (every
//! truncation, every structural bit flip, trailing bytes, hostile bytes), and that no altered
//! record ever yields a key.

mod bind_common;

use bind_common::{capture, Capture, Iris, Rng};
use nightjar_iris::bind::{enroll, enroll_with, regenerate, BindError, BindParams, ValidParams};
use nightjar_iris::record::{EnrollmentRecord, RecordError, FIXED_LEN, TAG_LEN};
use nightjar_iris::IrisCode;
use proptest::prelude::*;

fn params() -> ValidParams {
    BindParams::default_for(8, 256).validate().unwrap()
}

fn eye(seed: u64) -> IrisCode {
    let mut rng = Rng(seed);
    let iris = Iris::new(8, 256, 2.5, &mut rng);
    capture(
        &iris,
        Capture {
            noise: 0.3,
            rotation: 0,
            eyelid: 0.25,
            spots: 3,
        },
        &mut rng,
    )
}

fn sample() -> (EnrollmentRecord, IrisCode, [u8; 32]) {
    let code = eye(11);
    let v = params();
    let symbols: Vec<u16> = (0..v.params().k).map(|i| i * 3 + 1).collect();
    let (rec, key) = enroll_with(&code, &v, &symbols, [0xA5; 16]).unwrap();
    let mk = *key.master_key();
    (rec, code, mk)
}

#[test]
fn layout_is_as_documented() {
    let (rec, _, _) = sample();
    let p = *rec.params();
    let b = rec.to_bytes();
    let map = p.codeword_bits() / 8;
    assert_eq!(b.len(), FIXED_LEN + 2 * map + TAG_LEN);
    assert_eq!(b.len(), 70 + 2 * map);
    assert_eq!(
        b.len(),
        1094,
        "a 4,096-bit codeword gives a 1,094-byte record"
    );
    assert_eq!(&b[0..4], b"NJIR");
    assert_eq!(b[4], 1, "version");
    assert_eq!(b[5], 1, "inner code id: RM(1,m)");
    assert_eq!(b[6], p.m);
    assert_eq!(b[7], 1, "outer code id: Reed-Solomon");
    assert_eq!(u16::from_be_bytes([b[8], b[9]]), p.n);
    assert_eq!(u16::from_be_bytes([b[10], b[11]]), p.k);
    assert_eq!(u16::from_be_bytes([b[12], b[13]]), 8);
    assert_eq!(u16::from_be_bytes([b[14], b[15]]), 256);
    assert_eq!(u32::from_be_bytes([b[16], b[17], b[18], b[19]]), p.stride);
    assert_eq!(b[20], p.shift_window);
    assert_eq!(b[21], 0, "reserved");
    assert_eq!(&b[22..38], &[0xA5; 16], "salt");
    let usable = &b[38..38 + map];
    let helper = &b[38 + map..38 + 2 * map];
    // Helper bits only where the usable map has a 1; the usable count is the record's.
    assert!(usable.iter().zip(helper).all(|(u, h)| h & !u == 0));
    let ones: usize = usable.iter().map(|x| x.count_ones() as usize).sum();
    assert_eq!(ones, rec.usable_count());
    // The usable map is the enrollment mask read through the interleaver, MSB first:
    // codeword bit j meets iris bit (j * stride) mod 4096.
    let code = eye(11);
    for j in (0..p.codeword_bits()).step_by(37) {
        let pos = (j as u64 * u64::from(p.stride) % 4096) as usize;
        let bit = usable[j / 8] & (0x80 >> (j % 8)) != 0;
        assert_eq!(bit, code.valid(pos), "usable bit {j}");
    }
    // The tag is HMAC-SHA256 over SHA-256 of everything before it (checked through its use:
    // any change before it breaks regeneration, see below).
    assert_eq!(EnrollmentRecord::from_bytes(&b).unwrap(), rec);
}

#[test]
fn the_record_holds_neither_the_key_nor_the_iris_code() {
    let (rec, code, mk) = sample();
    let b = rec.to_bytes();
    let contains = |needle: &[u8]| b.windows(needle.len()).any(|w| w == needle);
    assert!(!contains(&mk[..8]), "master key bytes");
    // The iris code's packed words (little-endian as in memory, and big-endian) do not appear.
    for w in code
        .bits
        .iter()
        .filter(|w| w.count_ones() > 8 && w.count_zeros() > 8)
    {
        assert!(!contains(&w.to_le_bytes()) && !contains(&w.to_be_bytes()));
    }
    // Helper bits agree with the iris bits they cover no more than chance would (the codeword
    // is balanced): between 40% and 60%.
    let p = *rec.params();
    let map = p.codeword_bits() / 8;
    let helper = &b[38 + map..38 + 2 * map];
    let usable = &b[38..38 + map];
    let (mut agree, mut total) = (0usize, 0usize);
    for j in 0..p.codeword_bits() {
        if usable[j / 8] & (0x80 >> (j % 8)) != 0 {
            let pos = (j as u64 * u64::from(p.stride) % 4096) as usize;
            total += 1;
            agree += usize::from((helper[j / 8] & (0x80 >> (j % 8)) != 0) == code.bit(pos));
        }
    }
    let frac = agree as f64 / total as f64;
    assert!((0.4..0.6).contains(&frac), "{frac}");
}

#[test]
fn every_truncation_is_rejected() {
    let (rec, _, _) = sample();
    let b = rec.to_bytes();
    for len in 0..b.len() {
        let r = EnrollmentRecord::from_bytes(&b[..len]);
        assert!(r.is_err(), "truncated to {len} bytes was accepted");
        if len < 4 {
            assert_eq!(r.unwrap_err(), RecordError::NotARecord);
        } else {
            assert!(
                matches!(r.unwrap_err(), RecordError::BadLength { got, .. } if got == len),
                "len {len}"
            );
        }
    }
    let mut long = b.clone();
    long.push(0);
    assert!(matches!(
        EnrollmentRecord::from_bytes(&long),
        Err(RecordError::BadLength { .. })
    ));
}

#[test]
fn header_fields_are_checked_one_by_one() {
    let (rec, _, _) = sample();
    let good = rec.to_bytes();
    let with = |i: usize, v: u8| {
        let mut b = good.clone();
        b[i] = v;
        EnrollmentRecord::from_bytes(&b)
    };
    assert_eq!(with(0, b'X').unwrap_err(), RecordError::NotARecord);
    assert_eq!(with(4, 2).unwrap_err(), RecordError::UnsupportedVersion(2));
    assert_eq!(with(4, 0).unwrap_err(), RecordError::UnsupportedVersion(0));
    assert_eq!(with(5, 2).unwrap_err(), RecordError::UnsupportedCode(2));
    assert_eq!(with(7, 9).unwrap_err(), RecordError::UnsupportedCode(9));
    assert!(matches!(with(21, 1), Err(RecordError::Malformed(_))));
    for (i, v) in [(6usize, 3u8), (6, 9), (6, 0xFF), (20, 200), (20, 128)] {
        assert!(
            matches!(with(i, v), Err(RecordError::Malformed(_))),
            "byte {i} = {v}"
        );
    }
    // n = 0, k = 0, k >= n, n too long for the field, rows = 0, cols = 0
    for (i, v) in [(9usize, 0u8), (11, 0), (11, 200), (8, 1), (13, 0), (14, 0)] {
        assert!(with(i, v).is_err(), "byte {i} = {v}");
    }
    // stride: even (not coprime to 4096), zero, too large
    let mut b = good.clone();
    b[16..20].copy_from_slice(&2048u32.to_be_bytes());
    assert!(matches!(
        EnrollmentRecord::from_bytes(&b),
        Err(RecordError::Malformed(_))
    ));
    b[16..20].copy_from_slice(&0u32.to_be_bytes());
    assert!(matches!(
        EnrollmentRecord::from_bytes(&b),
        Err(RecordError::Malformed(_))
    ));
    b[16..20].copy_from_slice(&u32::MAX.to_be_bytes());
    assert!(matches!(
        EnrollmentRecord::from_bytes(&b),
        Err(RecordError::Malformed(_))
    ));
}

#[test]
fn helper_bits_outside_the_usable_map_are_rejected() {
    let (rec, _, _) = sample();
    let mut b = rec.to_bytes();
    let map = rec.params().codeword_bits() / 8;
    let j = (0..map * 8)
        .find(|&j| b[38 + j / 8] & (0x80 >> (j % 8)) == 0)
        .expect("some bit is unusable");
    b[38 + map + j / 8] |= 0x80 >> (j % 8);
    assert!(matches!(
        EnrollmentRecord::from_bytes(&b),
        Err(RecordError::Malformed(_))
    ));
}

#[test]
fn a_record_with_too_few_usable_bits_is_rejected() {
    let (rec, _, _) = sample();
    let mut b = rec.to_bytes();
    let map = rec.params().codeword_bits() / 8;
    for i in 0..map * 6 / 10 {
        b[38 + i] = 0;
        b[38 + map + i] = 0;
    }
    assert!(matches!(
        EnrollmentRecord::from_bytes(&b),
        Err(RecordError::Malformed(_))
    ));
}

/// Every single-bit change anywhere in the record — header, salt, maps or tag — either makes
/// it unreadable or makes it regenerate nothing, even for the enrolled eye itself.
#[test]
fn no_single_bit_flip_anywhere_yields_a_key() {
    let (rec, code, mk) = sample();
    assert_eq!(*regenerate(&rec, &code).unwrap().key.master_key(), mk);
    let good = rec.to_bytes();
    let map = rec.params().codeword_bits() / 8;
    let mut positions: Vec<usize> = (0..FIXED_LEN * 8).collect(); // every header and salt bit
    positions.extend((FIXED_LEN * 8..(FIXED_LEN + 2 * map) * 8).step_by(29)); // map bits
    positions.extend(((FIXED_LEN + 2 * map) * 8..good.len() * 8).step_by(3)); // tag bits
    let (mut unreadable, mut refused) = (0, 0);
    for bit in positions {
        let mut b = good.clone();
        b[bit / 8] ^= 0x80 >> (bit % 8);
        match EnrollmentRecord::from_bytes(&b) {
            Err(_) => unreadable += 1,
            Ok(r) => match regenerate(&r, &code) {
                Err(BindError::NoMatch) | Err(BindError::ShapeMismatch { .. }) => refused += 1,
                Err(e) => panic!("bit {bit}: unexpected {e}"),
                Ok(k) => panic!(
                    "bit {bit}: an altered record gave a key (same: {})",
                    *k.key.master_key() == mk
                ),
            },
        }
    }
    assert!(unreadable > 100 && refused > 100, "{unreadable} {refused}");
}

#[test]
fn enrollment_records_round_trip_through_bytes() {
    let v = params();
    for seed in 0..5 {
        let code = eye(100 + seed);
        let (rec, key) = enroll(&code, &v).unwrap();
        let back = EnrollmentRecord::from_bytes(&rec.to_bytes()).unwrap();
        assert_eq!(back, rec);
        assert_eq!(
            *regenerate(&back, &code).unwrap().key.master_key(),
            *key.master_key()
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// Arbitrary bytes never panic the parser.
    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..1500)) {
        let _ = EnrollmentRecord::from_bytes(&bytes);
    }

    /// A valid header followed by anything never panics, and whatever parses has the length
    /// its header implies.
    #[test]
    fn valid_header_with_random_body_never_panics(
        body in proptest::collection::vec(any::<u8>(), 0..1200),
        n in 2u16..130,
        k in 1u16..40,
        m in 3u8..10,
        window in 0u8..70,
    ) {
        let (rec, _, _) = sample();
        let mut b = rec.to_bytes()[..FIXED_LEN].to_vec();
        b[6] = m;
        b[8..10].copy_from_slice(&n.to_be_bytes());
        b[10..12].copy_from_slice(&k.to_be_bytes());
        b[20] = window;
        b.extend_from_slice(&body);
        if let Ok(r) = EnrollmentRecord::from_bytes(&b) {
            prop_assert_eq!(r.to_bytes(), b);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Random multi-byte corruption of a real record: no panic, and never a key.
    #[test]
    fn corrupted_records_never_yield_a_key(
        edits in proptest::collection::vec((0usize..1094, any::<u8>()), 1..8)
    ) {
        let (rec, code, _) = sample();
        let mut b = rec.to_bytes();
        let mut changed = false;
        for (i, v) in edits {
            changed |= b[i] != v;
            b[i] = v;
        }
        if let Ok(r) = EnrollmentRecord::from_bytes(&b) {
            if changed {
                prop_assert!(regenerate(&r, &code).is_err());
            }
        }
    }
}
