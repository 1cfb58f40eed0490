//! The one-shot envelope: exact format, round trips, and every way of
//! altering an envelope or using the wrong key.

mod common;

use blowfish::cipher::generic_array::GenericArray;
use blowfish::cipher::{BlockEncrypt, KeyInit};
use blowfish::Blowfish;
use common::pattern;
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use nightjar_seal::{
    open, parse_header, seal, seal_with, sealed_len, Fault, KdfKind, Key, MasterKey, SealError,
    SealOptions, DEFAULT_CHUNK_SIZE, HEADER_LEN, MAX_KDF_ROUNDS, TAG_LEN,
};
use sha2::Sha256;

const SALT: [u8; 16] = *b"0123456789abcdef";

fn raw_key() -> Key {
    Key::raw(b"an example raw key of 32 bytes!!").unwrap()
}

fn opts(chunk_size: u32) -> SealOptions {
    SealOptions::with_chunk_size(chunk_size).unwrap()
}

/// Format v1 written out from the specification with the primitives only
/// (HKDF with a concatenated info string, Blowfish ECB of big-endian counter
/// blocks, HMAC), independently of the crate's code paths.
fn reference_seal(ikm: &[u8], kdf_id: u8, rounds: u32, chunk: u32, pt: &[u8]) -> Vec<u8> {
    let mut header = Vec::new();
    header.extend_from_slice(b"NJSE");
    header.push(1);
    header.push(kdf_id);
    header.extend_from_slice(&rounds.to_be_bytes());
    header.extend_from_slice(&chunk.to_be_bytes());
    header.extend_from_slice(&SALT);
    assert_eq!(header.len(), 30);

    let (_, hk) = Hkdf::<Sha256>::extract(Some(&SALT), ikm);
    let chunks: Vec<&[u8]> = if pt.is_empty() {
        vec![&[]]
    } else {
        pt.chunks(chunk as usize).collect()
    };
    let mut out = header.clone();
    for (i, plain) in chunks.iter().enumerate() {
        let mut info = b"nightjar-seal-v1 chunk".to_vec();
        info.extend_from_slice(&(i as u64).to_be_bytes());
        let mut okm = [0u8; 64];
        hk.expand(&info, &mut okm).unwrap();

        let bf: Blowfish = Blowfish::new_from_slice(&okm[..32]).unwrap();
        let mut ct = Vec::new();
        for (j, block) in plain.chunks(8).enumerate() {
            let mut ks = GenericArray::clone_from_slice(&(j as u64).to_be_bytes());
            bf.encrypt_block(&mut ks);
            ct.extend(block.iter().zip(ks.iter()).map(|(p, k)| p ^ k));
        }

        let last = u8::from(i == chunks.len() - 1);
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&okm[32..]).unwrap();
        mac.update(&header);
        mac.update(&(i as u64).to_be_bytes());
        mac.update(&[last]);
        mac.update(&ct);
        out.extend_from_slice(&ct);
        out.extend_from_slice(&mac.finalize().into_bytes());
    }
    out
}

#[test]
fn format_v1_raw_key_matches_the_reference_composition() {
    let raw = b"an example raw key of 32 bytes!!";
    let key = Key::raw(raw).unwrap();
    for (chunk, len) in [
        (64, 0),
        (64, 1),
        (64, 7),
        (64, 64),
        (64, 150),
        (64, 192),
        (1024, 3000),
    ] {
        let pt = pattern(len);
        let ours = seal_with(&key, SALT, opts(chunk), &pt).unwrap();
        assert_eq!(
            ours,
            reference_seal(raw, 1, 0, chunk, &pt),
            "chunk {chunk} len {len}"
        );
    }
}

#[test]
fn format_v1_passphrase_key_matches_the_reference_composition() {
    let key = Key::passphrase(b"hunter2 but longer", 3).unwrap();
    let mut ikm = [0u8; 32];
    bcrypt_pbkdf::bcrypt_pbkdf(b"hunter2 but longer", &SALT, 3, &mut ikm).unwrap();
    let pt = pattern(200);
    let ours = seal_with(&key, SALT, opts(96), &pt).unwrap();
    assert_eq!(ours, reference_seal(&ikm, 2, 3, 96, &pt));
}

#[test]
fn format_v1_master_key_matches_the_reference_composition() {
    let m = [0xC3u8; 32];
    let key = Key::master(MasterKey::from_bytes(m));
    let pt = pattern(130);
    let ours = seal_with(&key, SALT, opts(64), &pt).unwrap();
    assert_eq!(ours, reference_seal(&m, 3, 0, 64, &pt));
}

#[test]
fn round_trips_at_the_chunk_edges_with_a_small_chunk_size() {
    let c = 64usize;
    for key in [
        raw_key(),
        Key::passphrase(b"pass", 1).unwrap(),
        Key::master(MasterKey::from_bytes([7; 32])),
    ] {
        for len in [0, 1, c - 1, c, c + 1, 2 * c, 7 * c, 7 * c + 3] {
            let pt = pattern(len);
            let env = seal_with(&key, SALT, opts(c as u32), &pt).unwrap();
            assert_eq!(env.len() as u64, sealed_len(len as u64, c as u32));
            assert_eq!(open(&key, &env).unwrap(), pt, "{:?} len {len}", key.kind());
        }
    }
}

#[test]
fn round_trips_at_the_chunk_edges_with_the_default_chunk_size() {
    let c = DEFAULT_CHUNK_SIZE as usize;
    let key = raw_key();
    for len in [0, 1, c - 1, c, c + 1, 3 * c + 5] {
        let pt = pattern(len);
        let env = seal(&key, &pt).unwrap();
        let chunks = len.div_ceil(c).max(1);
        assert_eq!(env.len(), HEADER_LEN + len + TAG_LEN * chunks, "len {len}");
        assert_eq!(open(&key, &env).unwrap(), pt, "len {len}");
    }
}

#[test]
fn a_message_of_exactly_k_chunks_has_k_chunks_the_last_one_full() {
    let key = raw_key();
    let env = seal_with(&key, SALT, opts(64), &pattern(192)).unwrap();
    assert_eq!(env.len(), HEADER_LEN + 3 * (64 + TAG_LEN));
}

#[test]
fn seal_picks_a_fresh_random_salt_each_time() {
    let key = raw_key();
    let a = seal(&key, b"same message").unwrap();
    let b = seal(&key, b"same message").unwrap();
    assert_ne!(
        parse_header(&a).unwrap().salt,
        parse_header(&b).unwrap().salt
    );
    assert_ne!(a[HEADER_LEN..], b[HEADER_LEN..]);
    assert_eq!(open(&key, &a).unwrap(), b"same message");
    assert_eq!(open(&key, &b).unwrap(), b"same message");
}

#[test]
fn the_header_says_which_key_the_envelope_needs() {
    let cases = [
        (raw_key(), KdfKind::RawKey, 0),
        (Key::passphrase(b"p", 2).unwrap(), KdfKind::Passphrase, 2),
        (
            Key::master(MasterKey::from_bytes([1; 32])),
            KdfKind::Master,
            0,
        ),
    ];
    for (key, kind, rounds) in cases {
        let env = seal_with(&key, SALT, opts(128), b"x").unwrap();
        let h = parse_header(&env).unwrap();
        assert_eq!(
            (h.version, h.kdf, h.rounds, h.chunk_size, h.salt),
            (1, kind, rounds, 128, SALT)
        );
        assert_eq!(&env[..HEADER_LEN], &h.to_bytes());
    }
    assert_eq!(KdfKind::RawKey.to_string(), "raw key");
    assert_eq!(KdfKind::Passphrase.to_string(), "passphrase (bcrypt-pbkdf)");
    assert_eq!(KdfKind::Master.to_string(), "derived master key");
}

const AUTH_MESSAGE: &str = "authentication failed: wrong key or the data was altered";

#[test]
fn a_wrong_raw_key_fails_authentication() {
    let env = seal(&raw_key(), b"secret").unwrap();
    let wrong = Key::raw(b"another example raw key, 32 byte").unwrap();
    let err = open(&wrong, &env).unwrap_err();
    assert!(matches!(err, SealError::AuthenticationFailed));
    assert!(err.is_auth_failure());
    assert_eq!(err.to_string(), AUTH_MESSAGE);
}

#[test]
fn a_wrong_passphrase_fails_authentication() {
    let env = seal(&Key::passphrase(b"right horse", 2).unwrap(), b"secret").unwrap();
    let err = open(&Key::passphrase(b"wrong horse", 2).unwrap(), &env).unwrap_err();
    assert!(matches!(err, SealError::AuthenticationFailed));
}

#[test]
fn a_wrong_master_key_fails_authentication() {
    let env = seal(&Key::master(MasterKey::from_bytes([1; 32])), b"s").unwrap();
    let err = open(&Key::master(MasterKey::from_bytes([2; 32])), &env).unwrap_err();
    assert!(matches!(err, SealError::AuthenticationFailed));
}

#[test]
fn a_wrong_key_and_a_tampered_byte_give_the_same_error() {
    let key = raw_key();
    let mut env = seal(&key, b"secret message").unwrap();
    let wrong = Key::raw(&[9u8; 16]).unwrap();
    let e1 = open(&wrong, &env).unwrap_err().to_string();
    let last = env.len() - 1;
    env[last] ^= 0x80;
    let e2 = open(&key, &env).unwrap_err().to_string();
    assert_eq!(e1, e2);
    assert_eq!(e1, AUTH_MESSAGE);
}

#[test]
fn passphrase_rounds_are_read_from_the_header_when_opening() {
    let env = seal(&Key::passphrase(b"pw", 3).unwrap(), b"m").unwrap();
    // The rounds in the opening key only matter for sealing.
    assert_eq!(
        open(&Key::passphrase(b"pw", 1).unwrap(), &env).unwrap(),
        b"m"
    );
}

#[test]
fn key_kind_mismatch_names_the_key_the_envelope_needs() {
    let env = seal(&Key::passphrase(b"pw", 1).unwrap(), b"m").unwrap();
    let err = open(&raw_key(), &env).unwrap_err();
    match &err {
        SealError::KeyKindMismatch { envelope, given } => {
            assert_eq!((*envelope, *given), (KdfKind::Passphrase, KdfKind::RawKey));
        }
        other => panic!("expected KeyKindMismatch, got {other:?}"),
    }
    let msg = err.to_string();
    assert!(
        msg.contains("needs") && msg.contains("passphrase (bcrypt-pbkdf)"),
        "{msg}"
    );
    assert!(!err.is_auth_failure());
    assert_eq!(err.fault(), Fault::Config);

    let env = seal(&Key::master(MasterKey::from_bytes([3; 32])), b"m").unwrap();
    let err = open(&Key::passphrase(b"pw", 1).unwrap(), &env).unwrap_err();
    assert!(err.to_string().contains("derived master key"));
}

/// A key-kind mismatch is reported from the header alone: the envelope
/// claims the maximum rounds, and a raw key is refused without bcrypt-pbkdf
/// ever running (the answer does not depend on the body at all).
#[test]
fn key_kind_is_checked_before_any_kdf_work() {
    let mut env = seal_with(&Key::passphrase(b"pw", 1).unwrap(), SALT, opts(64), b"m").unwrap();
    env[6..10].copy_from_slice(&MAX_KDF_ROUNDS.to_be_bytes());
    env.truncate(HEADER_LEN);
    assert!(matches!(
        open(&raw_key(), &env),
        Err(SealError::KeyKindMismatch { .. })
    ));
}

#[test]
fn kdf_rounds_over_the_cap_are_refused_before_running_bcrypt() {
    let key = Key::passphrase(b"pw", 1).unwrap();
    let env = seal_with(&key, SALT, opts(64), b"m").unwrap();
    for rounds in [MAX_KDF_ROUNDS + 1, 1 << 20, u32::MAX] {
        let mut bad = env.clone();
        bad[6..10].copy_from_slice(&rounds.to_be_bytes());
        assert!(
            matches!(open(&key, &bad), Err(SealError::BadHeader(_))),
            "rounds {rounds}"
        );
        assert!(matches!(parse_header(&bad), Err(SealError::BadHeader(_))));
    }
    let mut zero = env.clone();
    zero[6..10].copy_from_slice(&0u32.to_be_bytes());
    assert!(matches!(open(&key, &zero), Err(SealError::BadHeader(_))));
}

#[test]
fn key_constructors_refuse_unusable_keys() {
    assert!(matches!(Key::raw(&[0; 15]), Err(SealError::InvalidKey(_))));
    assert!(Key::raw(&[0; 16]).is_ok());
    assert!(Key::raw(&[0; 1024]).is_ok());
    assert!(matches!(
        Key::raw(&[0; 1025]),
        Err(SealError::InvalidKey(_))
    ));
    assert!(matches!(Key::raw(&[]), Err(SealError::InvalidKey(_))));
    let e = Key::raw(&[0; 3]).unwrap_err().to_string();
    assert!(
        e.starts_with("invalid key:") && e.contains("16 bytes"),
        "{e}"
    );

    assert!(matches!(
        Key::passphrase(b"", 16),
        Err(SealError::InvalidKey(_))
    ));
    assert!(matches!(
        Key::passphrase(b"pw", 0),
        Err(SealError::InvalidOptions(_))
    ));
    assert!(matches!(
        Key::passphrase(b"pw", MAX_KDF_ROUNDS + 1),
        Err(SealError::InvalidOptions(_))
    ));
    assert!(Key::passphrase(b"pw", MAX_KDF_ROUNDS).is_ok());
}

#[test]
fn invalid_options_are_refused() {
    for chunk in [0u32, 8, 63, 65, 100, (8 << 20) + 8, u32::MAX] {
        let r = seal_with(&raw_key(), SALT, SealOptions { chunk_size: chunk }, b"x");
        assert!(matches!(r, Err(SealError::InvalidOptions(_))), "{chunk}");
    }
}

#[test]
fn debug_output_never_shows_key_material() {
    let secret = b"SUPERSECRETKEYBYTES-0123456789";
    let raw = Key::raw(secret).unwrap();
    let pass = Key::passphrase(secret, 5).unwrap();
    let master = Key::master(MasterKey::from_bytes(*b"SUPERSECRETKEYBYTES-0123456789AB"));
    let decimal = format!("{:?}", &secret[..4]); // "[83, 85, 80, 69]"
    for key in [&raw, &pass, &master] {
        for text in [format!("{key:?}"), format!("{key:#?}")] {
            assert!(!text.contains("SUPERSECRET"), "{text}");
            assert!(!text.contains("5355504552"), "{text}"); // hex of "SUPER"
            assert!(!text.contains(&decimal[1..decimal.len() - 1]), "{text}");
            assert!(text.contains("redacted"), "{text}");
        }
    }
    assert_eq!(
        format!("{:?}", MasterKey::from_bytes([0x41; 32])),
        "MasterKey(<redacted>)"
    );
    assert!(format!("{pass:?}").contains("rounds: 5"));
}

#[test]
fn inputs_that_are_not_envelopes_are_reported_as_such() {
    let key = raw_key();
    assert!(matches!(open(&key, b""), Err(SealError::NotAnEnvelope)));
    assert!(matches!(
        open(&key, b"hello world"),
        Err(SealError::NotAnEnvelope)
    ));
    let env = seal_with(&key, SALT, opts(64), b"m").unwrap();
    assert!(matches!(
        open(&key, &env[..20]),
        Err(SealError::BadHeader(_))
    ));
    // A complete header without a body is a truncated envelope.
    assert!(matches!(
        open(&key, &env[..HEADER_LEN]),
        Err(SealError::AuthenticationFailed)
    ));
    let mut v2 = env.clone();
    v2[4] = 2;
    let e = open(&key, &v2).unwrap_err();
    assert!(matches!(e, SealError::UnsupportedVersion(2)));
    assert_eq!(e.fault(), Fault::Input);
}

#[test]
fn only_authentication_failures_are_auth_failures() {
    let errors = [
        SealError::NotAnEnvelope,
        SealError::UnsupportedVersion(9),
        SealError::UnsupportedKdf(9),
        SealError::BadHeader("x"),
        SealError::KeyKindMismatch {
            envelope: KdfKind::RawKey,
            given: KdfKind::Master,
        },
        SealError::InvalidKey("x"),
        SealError::InvalidOptions("x"),
        SealError::Random("x".into()),
        SealError::Io(std::io::Error::other("x")),
    ];
    for e in &errors {
        assert!(!e.is_auth_failure(), "{e}");
        assert_ne!(e.fault(), Fault::Authentication, "{e}");
    }
    assert!(SealError::AuthenticationFailed.is_auth_failure());
    assert_eq!(
        SealError::AuthenticationFailed.fault(),
        Fault::Authentication
    );
}

/// A 3-chunk envelope (64-byte chunks) for the tampering tests.
fn small_envelope() -> (Key, Vec<u8>, Vec<u8>) {
    let key = raw_key();
    let pt = pattern(150);
    let env = seal_with(&key, SALT, opts(64), &pt).unwrap();
    assert_eq!(env.len(), HEADER_LEN + 150 + 3 * TAG_LEN);
    (key, pt, env)
}

const REGION: usize = 64 + TAG_LEN;

fn chunk_range(i: usize, env_len: usize) -> std::ops::Range<usize> {
    let start = HEADER_LEN + i * REGION;
    start..(start + REGION).min(env_len)
}

#[test]
fn every_single_bit_flip_anywhere_is_rejected() {
    let (key, _, env) = small_envelope();
    for byte in 0..env.len() {
        for bit in 0..8 {
            let mut bad = env.clone();
            bad[byte] ^= 1 << bit;
            let r = open(&key, &bad);
            assert!(r.is_err(), "flip of byte {byte} bit {bit} accepted");
            if byte >= HEADER_LEN {
                assert!(
                    r.unwrap_err().is_auth_failure(),
                    "body flip {byte}/{bit} not an auth failure"
                );
            }
        }
    }
}

#[test]
fn truncation_at_every_chunk_boundary_and_every_length_is_rejected() {
    let (key, _, env) = small_envelope();
    for cut in [HEADER_LEN, HEADER_LEN + REGION, HEADER_LEN + 2 * REGION] {
        assert!(matches!(
            open(&key, &env[..cut]),
            Err(SealError::AuthenticationFailed)
        ));
    }
    for cut in 0..env.len() {
        let r = open(&key, &env[..cut]);
        assert!(r.is_err(), "truncation to {cut} accepted");
        if cut >= HEADER_LEN {
            assert!(r.unwrap_err().is_auth_failure(), "cut {cut}");
        }
    }
}

#[test]
fn truncating_a_message_of_whole_chunks_at_a_boundary_is_rejected() {
    // 4 full chunks: dropping the last leaves 3 full chunks, none marked last.
    let key = raw_key();
    let env = seal_with(&key, SALT, opts(64), &pattern(256)).unwrap();
    for k in 1..4 {
        let cut = HEADER_LEN + k * REGION;
        assert!(matches!(
            open(&key, &env[..cut]),
            Err(SealError::AuthenticationFailed)
        ));
    }
}

#[test]
fn appended_bytes_are_rejected() {
    let (key, _, env) = small_envelope();
    let last_chunk = env[chunk_range(2, env.len())].to_vec();
    let first_chunk = env[chunk_range(0, env.len())].to_vec();
    let tails: Vec<Vec<u8>> = vec![
        vec![0],
        vec![0; 31],
        vec![0; 32],
        vec![0; 33],
        vec![0; REGION],
        last_chunk,
        first_chunk,
        env[HEADER_LEN..].to_vec(),
    ];
    for tail in tails {
        let mut bad = env.clone();
        bad.extend_from_slice(&tail);
        assert!(
            matches!(open(&key, &bad), Err(SealError::AuthenticationFailed)),
            "{} appended bytes accepted",
            tail.len()
        );
    }
}

#[test]
fn reordered_dropped_or_duplicated_chunks_are_rejected() {
    let key = raw_key();
    let pt = pattern(64 * 4 + 10); // chunks 0..=3 full, chunk 4 short
    let env = seal_with(&key, SALT, opts(64), &pt).unwrap();
    let chunks: Vec<&[u8]> = env[HEADER_LEN..].chunks(REGION).collect();
    assert_eq!(chunks.len(), 5);
    let rebuild = |order: &[usize]| {
        let mut v = env[..HEADER_LEN].to_vec();
        for &i in order {
            v.extend_from_slice(chunks[i]);
        }
        v
    };
    assert_eq!(open(&key, &rebuild(&[0, 1, 2, 3, 4])).unwrap(), pt);
    for order in [
        &[1, 0, 2, 3, 4][..], // swap two
        &[0, 2, 1, 3, 4],
        &[][..],             // no chunks at all
        &[0, 1, 3, 4],       // drop a middle chunk
        &[1, 2, 3, 4],       // drop the first
        &[0, 0, 1, 2, 3, 4], // duplicate
        &[0, 1, 2, 3, 3, 4],
    ] {
        assert!(
            matches!(
                open(&key, &rebuild(order)),
                Err(SealError::AuthenticationFailed)
            ),
            "{order:?} accepted"
        );
    }
}

#[test]
fn chunks_spliced_from_another_envelope_are_rejected() {
    let key = raw_key();
    let a = seal_with(&key, SALT, opts(64), &pattern(200)).unwrap();
    let b = seal_with(&key, *b"fedcba9876543210", opts(64), &pattern(200)).unwrap();
    for i in 0..4 {
        let r = chunk_range(i, a.len());
        let mut spliced = a.clone();
        spliced[r.clone()].copy_from_slice(&b[r]);
        assert!(matches!(
            open(&key, &spliced),
            Err(SealError::AuthenticationFailed)
        ));
    }
    // The header is authenticated too: a's body under b's header fails.
    let mut mixed = b[..HEADER_LEN].to_vec();
    mixed.extend_from_slice(&a[HEADER_LEN..]);
    assert!(matches!(
        open(&key, &mixed),
        Err(SealError::AuthenticationFailed)
    ));
}

#[test]
fn changing_the_chunk_size_in_the_header_is_rejected() {
    let (key, _, env) = small_envelope();
    for c in [72u32, 128, 1 << 20] {
        let mut bad = env.clone();
        bad[10..14].copy_from_slice(&c.to_be_bytes());
        assert!(
            matches!(open(&key, &bad), Err(SealError::AuthenticationFailed)),
            "{c}"
        );
    }
}

// ---- two factors (KDF id 4): a master key and a passphrase ----

fn two_factor(master: u8, pass: &[u8], rounds: u32) -> Key {
    Key::two_factor(MasterKey::from_bytes([master; 32]), pass, rounds).unwrap()
}

#[test]
fn format_v1_two_factor_key_matches_the_reference_composition() {
    let m = [0x5Au8; 32];
    let key = Key::two_factor(MasterKey::from_bytes(m), b"second factor", 2).unwrap();
    let mut ikm = m.to_vec();
    let mut stretched = [0u8; 32];
    bcrypt_pbkdf::bcrypt_pbkdf(b"second factor", &SALT, 2, &mut stretched).unwrap();
    ikm.extend_from_slice(&stretched);
    let pt = pattern(150);
    let ours = seal_with(&key, SALT, opts(64), &pt).unwrap();
    assert_eq!(ours, reference_seal(&ikm, 4, 2, 64, &pt));
    let h = parse_header(&ours).unwrap();
    assert_eq!((h.kdf, h.rounds), (KdfKind::TwoFactor, 2));
    assert_eq!(KdfKind::TwoFactor.id(), 4);
    assert_eq!(
        KdfKind::TwoFactor.to_string(),
        "two-factor key (master key + passphrase)"
    );
}

#[test]
fn two_factor_round_trips_and_reads_rounds_from_the_header() {
    let key = two_factor(7, b"pw", 3);
    for len in [0usize, 1, 63, 64, 65, 300] {
        let pt = pattern(len);
        let env = seal_with(&key, SALT, opts(64), &pt).unwrap();
        assert_eq!(open(&key, &env).unwrap(), pt, "len {len}");
        // The rounds of the opening key only matter for sealing.
        assert_eq!(open(&two_factor(7, b"pw", 1), &env).unwrap(), pt);
    }
}

#[test]
fn two_factor_needs_both_factors() {
    let env = seal(&two_factor(1, b"right horse", 2), b"secret").unwrap();
    for wrong in [
        two_factor(2, b"right horse", 2), // wrong iris key, right passphrase
        two_factor(1, b"wrong horse", 2), // right iris key, wrong passphrase
        two_factor(2, b"wrong horse", 2),
    ] {
        let err = open(&wrong, &env).unwrap_err();
        assert!(matches!(err, SealError::AuthenticationFailed), "{err}");
        assert_eq!(err.to_string(), AUTH_MESSAGE);
    }
    // One factor alone is the wrong kind of key, reported as such before any KDF work.
    for alone in [
        Key::master(MasterKey::from_bytes([1; 32])),
        Key::passphrase(b"right horse", 2).unwrap(),
    ] {
        let err = open(&alone, &env).unwrap_err();
        match &err {
            SealError::KeyKindMismatch { envelope, .. } => {
                assert_eq!(*envelope, KdfKind::TwoFactor)
            }
            other => panic!("expected KeyKindMismatch, got {other:?}"),
        }
        let msg = err.to_string();
        assert!(
            msg.contains("needs") && msg.contains("two-factor key (master key + passphrase)"),
            "{msg}"
        );
        assert_eq!(err.fault(), Fault::Config);
    }
    // …and a two-factor key does not open a one-factor envelope either.
    let env = seal(&Key::master(MasterKey::from_bytes([1; 32])), b"s").unwrap();
    let err = open(&two_factor(1, b"right horse", 2), &env).unwrap_err();
    assert!(err.to_string().contains("derived master key"), "{err}");
}

#[test]
fn two_factor_stretch_combines_both_factors() {
    let salt = [9u8; 16];
    let a = two_factor(1, b"pw", 2).stretch(&salt);
    assert_eq!(a, two_factor(1, b"pw", 2).stretch(&salt));
    assert_ne!(a, two_factor(2, b"pw", 2).stretch(&salt));
    assert_ne!(a, two_factor(1, b"pX", 2).stretch(&salt));
    assert_ne!(a, two_factor(1, b"pw", 3).stretch(&salt));
    assert_ne!(a, two_factor(1, b"pw", 2).stretch(&[8u8; 16]));
    assert_ne!(
        a,
        Key::master(MasterKey::from_bytes([1; 32])).stretch(&salt)
    );
    // HKDF-Extract(salt, master || bcrypt_pbkdf(pass, salt, rounds, 32)), from the primitives.
    let mut ikm = vec![1u8; 32];
    let mut stretched = [0u8; 32];
    bcrypt_pbkdf::bcrypt_pbkdf(b"pw", &salt, 2, &mut stretched).unwrap();
    ikm.extend_from_slice(&stretched);
    let (prk, _) = Hkdf::<Sha256>::extract(Some(&salt), &ikm);
    assert_eq!(a.as_bytes()[..], prk[..]);
}

#[test]
fn two_factor_constructor_and_header_checks() {
    let m = || MasterKey::from_bytes([1; 32]);
    assert!(matches!(
        Key::two_factor(m(), b"", 2),
        Err(SealError::InvalidKey(_))
    ));
    assert!(matches!(
        Key::two_factor(m(), b"pw", 0),
        Err(SealError::InvalidOptions(_))
    ));
    assert!(matches!(
        Key::two_factor(m(), b"pw", MAX_KDF_ROUNDS + 1),
        Err(SealError::InvalidOptions(_))
    ));
    let key = two_factor(1, b"pw", 1);
    let env = seal_with(&key, SALT, opts(64), b"m").unwrap();
    for rounds in [0u32, MAX_KDF_ROUNDS + 1, u32::MAX] {
        let mut bad = env.clone();
        bad[6..10].copy_from_slice(&rounds.to_be_bytes());
        assert!(
            matches!(open(&key, &bad), Err(SealError::BadHeader(_))),
            "rounds {rounds}"
        );
    }
    let text = format!("{:?}", Key::two_factor(m(), b"SUPERSECRET", 5).unwrap());
    assert!(
        !text.contains("SUPERSECRET") && text.contains("redacted"),
        "{text}"
    );
    assert!(text.contains("rounds: 5"), "{text}");
}
