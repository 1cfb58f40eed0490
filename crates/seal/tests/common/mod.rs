//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::io::{self, Read};

/// Decodes a hex string (whitespace ignored, either case).
pub fn hex(s: &str) -> Vec<u8> {
    let digits: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    assert!(digits.len() % 2 == 0, "odd number of hex digits in {s:?}");
    digits
        .chunks(2)
        .map(|p| {
            let text = std::str::from_utf8(p).expect("ascii");
            u8::from_str_radix(text, 16).unwrap_or_else(|_| panic!("bad hex {text:?}"))
        })
        .collect()
}

/// Decodes exactly N hex-encoded bytes.
pub fn hex_array<const N: usize>(s: &str) -> [u8; N] {
    hex(s).try_into().expect("wrong length")
}

/// A deterministic, non-repeating byte pattern.
pub fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 + i / 251 + 7) as u8).collect()
}

/// A reader that returns at most `step` bytes per call and, if `interrupt`
/// is set, an `Interrupted` error before every read (which a correct reader
/// loop must retry).
pub struct Trickle<'a> {
    pub data: &'a [u8],
    pub step: usize,
    pub interrupt: bool,
    interrupted_last: bool,
}

impl<'a> Trickle<'a> {
    pub fn new(data: &'a [u8], step: usize) -> Self {
        Trickle {
            data,
            step,
            interrupt: false,
            interrupted_last: false,
        }
    }

    pub fn interrupting(data: &'a [u8], step: usize) -> Self {
        Trickle {
            interrupt: true,
            ..Trickle::new(data, step)
        }
    }
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.interrupt && !self.interrupted_last {
            self.interrupted_last = true;
            return Err(io::Error::new(io::ErrorKind::Interrupted, "try again"));
        }
        self.interrupted_last = false;
        let n = self.step.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}
