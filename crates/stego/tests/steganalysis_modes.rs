//! The steganalysis acceptance check, on real photographs (data/images, sources in
//! SOURCE.md): at 0.1 bits per colour sample, our own RS detector tells the paper's `sequential`
//! LSB replacement from clean covers, and does not tell `scatter` (keyed ±1 LSB matching with
//! matrix embedding) from clean covers. Payloads are random bytes, as a sealed envelope is.

use nightjar_stego::analyze::{rs, RS_THRESHOLD};
use nightjar_stego::{capacity, embed, Cover, Mode, StegoKey};
use std::path::Path;

const PHOTOS: &[&str] = &["astronaut.png", "camera.png", "chelsea.png", "coffee.png"];

fn photo(name: &str) -> Cover {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/images")
        .join(name);
    Cover::open(&p).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// splitmix64 bytes: a deterministic stand-in for ciphertext.
fn random_bytes(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed;
    (0..n)
        .map(|_| {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            (z ^ (z >> 31)) as u8
        })
        .collect()
}

/// Hide random bytes filling `rate` bits per colour sample (salt and header included).
fn stego(cover: &Cover, mode: Mode, rate: f64, seed: u64) -> Cover {
    let total_bytes = (cover.carriers() as f64 * rate / 8.0) as usize;
    let payload = random_bytes(total_bytes - 32, seed);
    let mut c = cover.clone();
    let key = StegoKey::new([seed as u8; 32]);
    embed(&mut c, mode, &[seed as u8 ^ 0x55; 16], &key, &payload).expect("fits");
    c
}

#[test]
fn rs_detects_sequential_but_not_scatter_at_a_tenth_of_a_bit_per_sample() {
    eprintln!("RS estimated rate at 0.1 bits per colour sample (threshold {RS_THRESHOLD}):");
    eprintln!(
        "{:<15} {:>9} {:>11} {:>9}",
        "image", "cover", "sequential", "scatter"
    );
    for (i, name) in PHOTOS.iter().enumerate() {
        let cover = photo(name);
        assert!(capacity(&cover, Mode::Scatter).max_payload_bytes > 1000);
        let clean = rs(&cover.planes());
        let seq = rs(&stego(&cover, Mode::Sequential { bits: 1 }, 0.1, i as u64 + 1).planes());
        let sca = rs(&stego(&cover, Mode::Scatter, 0.1, i as u64 + 101).planes());
        eprintln!(
            "{:<15} {:>9.4} {:>11.4} {:>9.4}",
            name, clean.rate, seq.rate, sca.rate
        );
        assert!(
            !clean.detected,
            "{name}: clean cover flagged ({:.4})",
            clean.rate
        );
        assert!(seq.detected, "{name}: sequential missed ({:.4})", seq.rate);
        assert!(!sca.detected, "{name}: scatter flagged ({:.4})", sca.rate);
        // scatter moves the estimate far less than sequential does
        assert!(
            (sca.rate - clean.rate).abs() < 0.5 * (seq.rate - clean.rate),
            "{name}: cover {:.4}, sequential {:.4}, scatter {:.4}",
            clean.rate,
            seq.rate,
            sca.rate
        );
    }
}

#[test]
fn at_half_a_bit_per_sample_rs_still_misses_scatter_but_not_sequential() {
    // At 0.5 bits per sample matrix embedding can only use k = 1: plain ±1 matching, about one
    // change per four samples. RS, built for LSB replacement, still does not see it (saturated
    // samples, which could only move one way, are skipped), while it sees sequential clearly.
    for (i, name) in PHOTOS.iter().enumerate() {
        let cover = photo(name);
        let clean = rs(&cover.planes()).rate;
        let seq = rs(&stego(&cover, Mode::Sequential { bits: 1 }, 0.5, i as u64 + 7).planes());
        let sca = rs(&stego(&cover, Mode::Scatter, 0.5, i as u64 + 207).planes());
        eprintln!(
            "{name}: 0.5 bps: cover {clean:.4}, sequential RS {:.4}, scatter RS {:.4}",
            seq.rate, sca.rate
        );
        assert!(
            seq.detected,
            "{name}: sequential at 0.5 missed ({:.4})",
            seq.rate
        );
        assert!(
            !sca.detected,
            "{name}: scatter at 0.5 flagged ({:.4})",
            sca.rate
        );
        assert!(sca.rate - clean < 0.25 * (seq.rate - clean), "{name}");
    }
}
