//! Keyed randomness: a ChaCha20 keystream used as a random-number generator, unbiased bounded
//! integers drawn from it, and the partial Fisher–Yates shuffle that orders carrier positions.
//!
//! Everything here is specified by the ChaCha20 keystream (Bernstein; RFC 8439 block function) and
//! by the algorithms below, not by any library's RNG API, so the order of positions a stego image
//! was written with never changes under us when a dependency is updated.

use chacha20::cipher::{KeyIvInit, StreamCipher};
use chacha20::ChaCha20;
use zeroize::Zeroize;

/// Length of the buffer refilled from the keystream at a time.
const BUF: usize = 1024;

/// A deterministic random stream: ChaCha20(key, nonce) applied to zeros.
pub(crate) struct KeyStream {
    cipher: ChaCha20,
    buf: [u8; BUF],
    pos: usize,
}

impl KeyStream {
    /// A stream for `key` and a 12-byte domain-separating `nonce`.
    pub(crate) fn new(key: &[u8; 32], nonce: &[u8; 12]) -> Self {
        KeyStream {
            cipher: ChaCha20::new(key.into(), nonce.into()),
            buf: [0; BUF],
            pos: BUF,
        }
    }

    fn refill(&mut self) {
        self.buf = [0; BUF];
        self.cipher.apply_keystream(&mut self.buf);
        self.pos = 0;
    }

    /// The next keystream byte.
    pub(crate) fn next_u8(&mut self) -> u8 {
        if self.pos == BUF {
            self.refill();
        }
        let b = self.buf[self.pos];
        self.pos += 1;
        b
    }

    /// The next 4 keystream bytes as a little-endian u32.
    pub(crate) fn next_u32(&mut self) -> u32 {
        if self.pos + 4 > BUF {
            // BUF is a multiple of 4 and reads are always 1 or 4 bytes; realign by refilling
            // when fewer than 4 bytes remain, discarding the tail (still deterministic).
            self.refill();
        }
        let b = &self.buf[self.pos..self.pos + 4];
        self.pos += 4;
        u32::from_le_bytes([b[0], b[1], b[2], b[3]])
    }

    /// XOR `data` with the next `data.len()` keystream bytes.
    pub(crate) fn xor_into(&mut self, data: &mut [u8]) {
        for d in data.iter_mut() {
            *d ^= self.next_u8();
        }
    }

    /// A uniform integer in `0..bound` (`bound > 0`), by Lemire's multiply-and-reject method
    /// ("Fast random integer generation in an interval", ACM TOMACS 2019), which is exactly
    /// unbiased.
    pub(crate) fn below(&mut self, bound: u32) -> u32 {
        debug_assert!(bound > 0);
        let mut m = u64::from(self.next_u32()) * u64::from(bound);
        let mut low = m as u32;
        if low < bound {
            let threshold = bound.wrapping_neg() % bound;
            while low < threshold {
                m = u64::from(self.next_u32()) * u64::from(bound);
                low = m as u32;
            }
        }
        (m >> 32) as u32
    }
}

impl Drop for KeyStream {
    fn drop(&mut self) {
        self.buf.zeroize();
    }
}

/// A lazily drawn random permutation of `0..n`: `next` returns its elements one at a time by the
/// forward Fisher–Yates (Durstenfeld) shuffle, so drawing `m` positions costs O(n) memory set-up
/// and O(m) work. The random source can change between draws (public positions first, keyed after).
pub(crate) struct Permutation {
    idx: Vec<u32>,
    pos: usize,
}

impl Permutation {
    pub(crate) fn new(n: usize) -> Self {
        // n is bounded by the cover's carrier count, checked to fit in u32 by `Cover`.
        Permutation {
            idx: (0..n as u32).collect(),
            pos: 0,
        }
    }

    /// Positions not yet drawn.
    pub(crate) fn remaining(&self) -> usize {
        self.idx.len() - self.pos
    }

    /// Draw the next position, or `None` when all have been drawn.
    pub(crate) fn next(&mut self, rng: &mut KeyStream) -> Option<usize> {
        let rem = self.remaining();
        if rem == 0 {
            return None;
        }
        let j = self.pos + rng.below(rem as u32) as usize;
        self.idx.swap(self.pos, j);
        let v = self.idx[self.pos];
        self.pos += 1;
        Some(v as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 8439 §2.4.2 gives the ChaCha20 keystream for key 00..1f, nonce 000000000000004a00000000,
    /// counter 1; the `chacha20` crate starts at counter 0, so check the first block of the
    /// RFC 8439 §A.1 test vector 1 instead: all-zero key and nonce, counter 0.
    #[test]
    fn keystream_matches_rfc8439_a1_vector1() {
        let mut ks = KeyStream::new(&[0; 32], &[0; 12]);
        let mut got = [0u8; 16];
        ks.xor_into(&mut got);
        assert_eq!(
            got,
            [
                0x76, 0xb8, 0xe0, 0xad, 0xa0, 0xf1, 0x3d, 0x90, 0x40, 0x5d, 0x6a, 0xe5, 0x53, 0x86,
                0xbd, 0x28
            ]
        );
    }

    #[test]
    fn below_stays_in_range_and_covers_it() {
        let mut ks = KeyStream::new(&[7; 32], &[1; 12]);
        let mut seen = [0u32; 7];
        for _ in 0..7000 {
            let v = ks.below(7);
            assert!(v < 7);
            seen[v as usize] += 1;
        }
        // each value expected 1000 times; a fair generator stays well inside 800..1200
        for c in seen {
            assert!((800..1200).contains(&c), "{seen:?}");
        }
    }

    #[test]
    fn permutation_is_a_permutation() {
        let mut ks = KeyStream::new(&[3; 32], &[2; 12]);
        let mut p = Permutation::new(1000);
        let mut got: Vec<usize> = std::iter::from_fn(|| p.next(&mut ks)).collect();
        assert_eq!(got.len(), 1000);
        got.sort_unstable();
        assert!(got.iter().enumerate().all(|(i, &v)| i == v));
    }

    #[test]
    fn permutation_depends_on_key() {
        let draw = |k: u8| {
            let mut ks = KeyStream::new(&[k; 32], &[0; 12]);
            let mut p = Permutation::new(100_000);
            (0..64).map(|_| p.next(&mut ks)).collect::<Vec<_>>()
        };
        assert_eq!(draw(1), draw(1));
        assert_ne!(draw(1), draw(2));
    }
}
