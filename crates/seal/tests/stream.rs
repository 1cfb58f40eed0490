//! The streaming functions: identical bytes to the one-shot functions,
//! short and interrupted reads, and what `open_stream` writes when the
//! envelope is bad.

mod common;

use std::io::{self, Read, Write};

use common::{pattern, Trickle};
use nightjar_seal::{
    open, open_stream, parse_header, seal_stream, seal_stream_with, seal_with, Fault, KdfKind, Key,
    MasterKey, SealError, SealOptions, DEFAULT_CHUNK_SIZE, HEADER_LEN, TAG_LEN,
};

const SALT: [u8; 16] = [0x5E; 16];

fn raw_key() -> Key {
    Key::raw(&[0x21; 24]).unwrap()
}

fn opts(chunk_size: u32) -> SealOptions {
    SealOptions::with_chunk_size(chunk_size).unwrap()
}

fn stream_seal(key: &Key, opts: SealOptions, pt: &[u8], step: usize) -> Vec<u8> {
    let mut env = Vec::new();
    let n = seal_stream_with(key, SALT, opts, Trickle::new(pt, step), &mut env).unwrap();
    assert_eq!(n, pt.len() as u64);
    env
}

#[test]
fn stream_and_one_shot_produce_identical_bytes_for_the_same_salt() {
    let keys = [
        raw_key(),
        Key::passphrase(b"pw", 1).unwrap(),
        Key::master(MasterKey::from_bytes([9; 32])),
    ];
    for key in &keys {
        for c in [64u32, 200] {
            let c_us = c as usize;
            for len in [0, 1, c_us - 1, c_us, c_us + 1, 5 * c_us, 5 * c_us + 9] {
                let pt = pattern(len);
                let one_shot = seal_with(key, SALT, opts(c), &pt).unwrap();
                for step in [1, 13, usize::MAX] {
                    assert_eq!(
                        stream_seal(key, opts(c), &pt, step),
                        one_shot,
                        "{:?} chunk {c} len {len} step {step}",
                        key.kind()
                    );
                }
            }
        }
    }
}

#[test]
fn stream_and_one_shot_agree_with_the_default_chunk_size() {
    let key = raw_key();
    let c = DEFAULT_CHUNK_SIZE as usize;
    for len in [0, c - 1, c, c + 1, 3 * c + 5] {
        let pt = pattern(len);
        let one_shot = seal_with(&key, SALT, SealOptions::default(), &pt).unwrap();
        assert_eq!(
            stream_seal(&key, SealOptions::default(), &pt, 100_000),
            one_shot
        );
        let mut back = Vec::new();
        assert_eq!(
            open_stream(&key, &one_shot[..], &mut back).unwrap(),
            len as u64
        );
        assert_eq!(back, pt, "len {len}");
    }
}

#[test]
fn open_stream_round_trips_with_short_and_interrupted_reads() {
    let key = raw_key();
    for len in [0usize, 1, 64, 65, 640, 1000] {
        let pt = pattern(len);
        let env = seal_with(&key, SALT, opts(64), &pt).unwrap();
        for step in [1, 5, 96, 97, usize::MAX] {
            let mut back = Vec::new();
            let n = open_stream(&key, Trickle::interrupting(&env, step), &mut back).unwrap();
            assert_eq!(n, len as u64);
            assert_eq!(back, pt, "len {len} step {step}");
        }
        // Interrupted reads while sealing too.
        let mut env2 = Vec::new();
        seal_stream_with(
            &key,
            SALT,
            opts(64),
            Trickle::interrupting(&pt, 7),
            &mut env2,
        )
        .unwrap();
        assert_eq!(env2, env);
    }
}

#[test]
fn seal_stream_uses_a_random_salt_and_opens_with_open() {
    let key = raw_key();
    let pt = pattern(5000);
    let mut a = Vec::new();
    let mut b = Vec::new();
    seal_stream(&key, opts(512), &pt[..], &mut a).unwrap();
    seal_stream(&key, opts(512), &pt[..], &mut b).unwrap();
    assert_ne!(
        parse_header(&a).unwrap().salt,
        parse_header(&b).unwrap().salt
    );
    assert_eq!(open(&key, &a).unwrap(), pt);
    assert_eq!(open(&key, &b).unwrap(), pt);
}

#[test]
fn open_stream_writes_nothing_for_a_tampered_first_chunk() {
    let key = raw_key();
    let pt = pattern(64 * 10 + 3);
    let env = seal_with(&key, SALT, opts(64), &pt).unwrap();
    for offset in [0usize, 10, 63, 64, 95] {
        let mut bad = env.clone();
        bad[HEADER_LEN + offset] ^= 0x01;
        let mut out = Vec::new();
        let r = open_stream(&key, &bad[..], &mut out);
        assert!(
            matches!(r, Err(SealError::AuthenticationFailed)),
            "offset {offset}"
        );
        assert!(out.is_empty(), "wrote {} bytes", out.len());
    }
}

#[test]
fn open_stream_with_a_wrong_key_writes_nothing() {
    let env = seal_with(&raw_key(), SALT, opts(64), &pattern(300)).unwrap();
    let mut out = Vec::new();
    let r = open_stream(&Key::raw(&[0x22; 24]).unwrap(), &env[..], &mut out);
    assert!(r.unwrap_err().is_auth_failure());
    assert!(out.is_empty());

    let r = open_stream(&Key::passphrase(b"pw", 1).unwrap(), &env[..], &mut out);
    assert!(matches!(
        r,
        Err(SealError::KeyKindMismatch {
            envelope: KdfKind::RawKey,
            given: KdfKind::Passphrase
        })
    ));
    assert!(out.is_empty());
}

#[test]
fn open_stream_detects_truncation_at_every_chunk_boundary_and_trailing_bytes() {
    let key = raw_key();
    let region = 64 + TAG_LEN;
    for len in [64 * 4, 64 * 4 + 20] {
        let env = seal_with(&key, SALT, opts(64), &pattern(len)).unwrap();
        let chunks = len.div_ceil(64);
        for k in 0..chunks {
            let cut = HEADER_LEN + k * region;
            let r = open_stream(&key, &env[..cut], io::sink());
            assert!(
                matches!(r, Err(SealError::AuthenticationFailed)),
                "len {len} cut {cut}"
            );
        }
        for cut in HEADER_LEN..env.len() {
            assert!(
                open_stream(&key, &env[..cut], io::sink()).is_err(),
                "cut {cut}"
            );
        }
        for extra in [1usize, 31, 32, 33, region, region + 1] {
            let mut bad = env.clone();
            bad.extend_from_slice(&vec![0xAB; extra]);
            let r = open_stream(&key, &bad[..], io::sink());
            assert!(
                matches!(r, Err(SealError::AuthenticationFailed)),
                "extra {extra}"
            );
        }
    }
}

#[test]
fn open_stream_reports_bad_headers_like_open() {
    let key = raw_key();
    let env = seal_with(&key, SALT, opts(64), b"m").unwrap();
    assert!(matches!(
        open_stream(&key, &b""[..], io::sink()),
        Err(SealError::NotAnEnvelope)
    ));
    assert!(matches!(
        open_stream(&key, &b"GIF89a....."[..], io::sink()),
        Err(SealError::NotAnEnvelope)
    ));
    assert!(matches!(
        open_stream(&key, &env[..12], io::sink()),
        Err(SealError::BadHeader(_))
    ));
    assert!(matches!(
        open_stream(&key, &env[..HEADER_LEN], io::sink()),
        Err(SealError::AuthenticationFailed)
    ));
}

#[test]
fn stream_functions_validate_options() {
    let r = seal_stream(
        &raw_key(),
        SealOptions { chunk_size: 100 },
        &b"x"[..],
        io::sink(),
    );
    assert!(matches!(r, Err(SealError::InvalidOptions(_))));
}

struct FailingReader;

impl Read for FailingReader {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        Err(io::Error::new(io::ErrorKind::BrokenPipe, "reader broke"))
    }
}

struct FailingWriter;

impl Write for FailingWriter {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Err(io::Error::new(io::ErrorKind::StorageFull, "disk full"))
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn io_errors_are_reported_as_io_errors() {
    let key = raw_key();
    let e = seal_stream(&key, opts(64), FailingReader, io::sink()).unwrap_err();
    assert!(
        matches!(e, SealError::Io(_)) && e.fault() == Fault::System,
        "{e}"
    );
    let e = seal_stream(&key, opts(64), &b"abc"[..], FailingWriter).unwrap_err();
    assert!(matches!(e, SealError::Io(_)), "{e}");
    assert!(e.to_string().contains("disk full"));

    let env = seal_with(&key, SALT, opts(64), b"abc").unwrap();
    let e = open_stream(&key, FailingReader, io::sink()).unwrap_err();
    assert!(matches!(e, SealError::Io(_)), "{e}");
    let e = open_stream(&key, &env[..], FailingWriter).unwrap_err();
    assert!(matches!(e, SealError::Io(_)), "{e}");
}
