//! Measures seal/open throughput of the streaming and one-shot functions.
//!
//! ```text
//! cargo run -p nightjar-seal --release --example throughput [-- MIB]
//! ```
//!
//! Seals MIB (default 128) MiB of pseudo-random bytes held in memory with a
//! raw key and the default 1 MiB chunks, then opens the result, and prints
//! MB/s (10^6 bytes per second). Compare with single-threaded OpenSSL:
//!
//! ```text
//! head -c 134217728 /dev/urandom > /tmp/128m
//! time openssl enc -provider legacy -provider default -bf-cbc \
//!     -K 000102030405060708090a0b0c0d0e0f -iv 0001020304050607 -in /tmp/128m -out /dev/null
//! ```

use std::hint::black_box;
use std::io;
use std::time::Instant;

use nightjar_seal::{open, open_stream, seal, seal_stream, sealed_len, Key, SealOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mib: usize = match std::env::args().nth(1) {
        Some(a) => a.parse()?,
        None => 128,
    };
    let len = mib << 20;
    let mut data = vec![0u8; len];
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for chunk in data.chunks_mut(8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let bytes = x.to_le_bytes();
        chunk.copy_from_slice(&bytes[..chunk.len()]);
    }
    let key = Key::raw(&[0x42; 32])?;
    let opts = SealOptions::default();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "{mib} MiB, chunk {} bytes, {threads} threads",
        opts.chunk_size
    );

    let rate = |secs: f64| len as f64 / secs / 1e6;

    let mut envelope = Vec::with_capacity(sealed_len(len as u64, opts.chunk_size) as usize);
    let t = Instant::now();
    seal_stream(&key, opts, &data[..], &mut envelope)?;
    let s = t.elapsed().as_secs_f64();
    println!("seal_stream  {:8.1} MB/s  ({s:.3} s)", rate(s));

    let t = Instant::now();
    let n = open_stream(&key, &envelope[..], io::sink())?;
    let s = t.elapsed().as_secs_f64();
    assert_eq!(n, len as u64);
    println!("open_stream  {:8.1} MB/s  ({s:.3} s)", rate(s));

    let t = Instant::now();
    let one_shot = seal(&key, &data)?;
    let s = t.elapsed().as_secs_f64();
    println!("seal         {:8.1} MB/s  ({s:.3} s)", rate(s));

    let t = Instant::now();
    let back = open(&key, black_box(&one_shot))?;
    let s = t.elapsed().as_secs_f64();
    println!("open         {:8.1} MB/s  ({s:.3} s)", rate(s));
    assert!(back == data, "round trip failed");
    Ok(())
}
