//! Embedding and extraction: where the bits go, and the stego container format.
//!
//! # Container format, version 1
//!
//! A stego image carries a sequence of *bit slots*. Each mode fixes an order of slots:
//!
//! * `sequential` (the paper): carriers in raster order; with `bits = 2`, slot `2c` is the LSB of
//!   carrier `c` and slot `2c + 1` its second bit. Bits are written by **LSB replacement**.
//! * `scatter` (default): one slot per carrier (its LSB). The first 128 slots are the first 128
//!   positions of a *public* permutation of all carriers (ChaCha20 keyed with a fixed constant);
//!   the remaining slots continue the same Fisher–Yates shuffle with a ChaCha20 stream keyed by the
//!   **stego key**. Bits are written by **±1 LSB matching** (the sign drawn from a keyed stream),
//!   which leaves no pairs-of-values asymmetry for chi-square or RS analysis to find. Saturated
//!   samples (0 and 255) are skipped in the order, because they could only move one way (an LSB
//!   flip); 1 only goes up and 254 only down, so no sample becomes saturated and the extractor
//!   skips exactly the samples the embedder skipped. The payload (not the header) is written with **matrix embedding**: a binary
//!   Hamming code with parameter `k` hides `k` bits in each block of `2^k - 1` slots by changing at
//!   most one of them; `k` is the largest (≤ 10) for which the payload still fits.
//!
//! Over that order the container is:
//!
//! | slots | content |
//! |---|---|
//! | 128 | salt, 16 bytes, in the clear (random bytes look like any LSBs) |
//! | 128 | header, 16 bytes, XOR a keyed ChaCha20 stream: length u32 BE, `k` u8, version u8 = 1, 10 zero bytes |
//! | rest | payload, `length` bytes XOR the same stream, MSB first, in `k`-bit Hamming blocks (`k = 1` in `sequential`) |
//!
//! The salt lets the caller stretch a passphrase with a fresh salt for every image (the stego key
//! is derived from the user's key *and* this salt, outside this crate). With a wrong key the
//! header's ten zero bytes come out as random bytes, so extraction reports
//! [`StegoError::NoMessage`] (a false match has probability 2^-80). The length is hidden: it is
//! encrypted and stored at keyed positions. This crate hides opaque bytes; it neither encrypts nor
//! authenticates them beyond this whitening — the caller seals them first.

use crate::cover::Cover;
use crate::keystream::{KeyStream, Permutation};
use crate::StegoError;
use zeroize::Zeroizing;

/// Salt length in bytes.
pub const SALT_LEN: usize = 16;
/// Header length in bytes.
pub const HEADER_LEN: usize = 16;
/// Container format version.
pub const FORMAT_VERSION: u8 = 1;
/// Largest Hamming-code parameter used for matrix embedding.
pub const MAX_MATRIX_K: u32 = 10;
/// Slots taken by salt and header.
pub const OVERHEAD_SLOTS: usize = (SALT_LEN + HEADER_LEN) * 8;

const PUBLIC_KEY: [u8; 32] = *b"nightjar-stego-v1/public-order!!";
const NONCE_PUBLIC: [u8; 12] = *b"public-order";
const NONCE_ORDER: [u8; 12] = *b"keyed-order.";
const NONCE_WHITEN: [u8; 12] = *b"whitening...";
const NONCE_SIGN: [u8; 12] = *b"plus-minus-1";

/// How bits are placed in the cover.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The paper's method: raster order, LSB replacement, 1 or 2 bits per carrier.
    Sequential {
        /// Bits per carrier: 1 or 2.
        bits: u8,
    },
    /// Keyed scattered positions, ±1 LSB matching, matrix embedding (1 bit per carrier).
    Scatter,
}

impl Mode {
    /// Validate a mode name and bit depth as a user gives them.
    pub fn parse(name: &str, bits: u8) -> Result<Mode, StegoError> {
        match (name, bits) {
            ("sequential", 1 | 2) => Ok(Mode::Sequential { bits }),
            ("sequential", _) => Err(StegoError::InvalidMode(
                "sequential mode takes --bits 1 or --bits 2".into(),
            )),
            ("scatter", 1) => Ok(Mode::Scatter),
            ("scatter", _) => Err(StegoError::InvalidMode(
                "scatter mode hides 1 bit per sample (LSB matching); use --mode sequential for --bits 2"
                    .into(),
            )),
            (other, _) => Err(StegoError::InvalidMode(format!(
                "unknown mode {other:?} (expected scatter or sequential)"
            ))),
        }
    }

    /// Bits per carrier.
    pub fn bits(self) -> u8 {
        match self {
            Mode::Sequential { bits } => bits,
            Mode::Scatter => 1,
        }
    }

    /// The mode's name.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Sequential { .. } => "sequential",
            Mode::Scatter => "scatter",
        }
    }
}

/// The 32-byte key that orders positions and whitens the header and payload.
pub struct StegoKey(Zeroizing<[u8; 32]>);

impl StegoKey {
    /// Wrap key bytes (derive them from the user's key and the image's salt).
    pub fn new(bytes: [u8; 32]) -> Self {
        StegoKey(Zeroizing::new(bytes))
    }
}

impl std::fmt::Debug for StegoKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StegoKey(<redacted>)")
    }
}

/// What a cover can carry in a mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Capacity {
    /// Colour samples.
    pub carriers: u64,
    /// Bit slots: carriers × bits per carrier (in `scatter`, unsaturated carriers).
    pub slots: u64,
    /// `slots / 8`: the raw bytes the mode can carry (the paper's figure).
    pub raw_bytes: u64,
    /// Largest opaque payload, after the salt and header.
    pub max_payload_bytes: u64,
}

/// Whether a sample can carry a bit in `scatter` mode (not saturated).
#[inline]
fn usable(v: u8) -> bool {
    v != 0 && v != 255
}

/// Capacity of `cover` in `mode`. In `scatter` mode saturated samples (0 or 255) carry nothing.
pub fn capacity(cover: &Cover, mode: Mode) -> Capacity {
    let carriers = cover.carriers() as u64;
    let slots = match mode {
        Mode::Sequential { bits } => carriers * u64::from(bits),
        Mode::Scatter => (0..cover.carriers())
            .filter(|&i| usable(cover.carrier(i)))
            .count() as u64,
    };
    Capacity {
        carriers,
        slots,
        raw_bytes: slots / 8,
        max_payload_bytes: slots.saturating_sub(OVERHEAD_SLOTS as u64) / 8,
    }
}

/// What an embedding did.
#[derive(Clone, Debug, PartialEq)]
pub struct EmbedReport {
    /// Mode used.
    pub mode: Mode,
    /// Payload bytes hidden.
    pub payload_bytes: u64,
    /// Slots written: salt, header and payload (with the last Hamming block's padding).
    pub slots_written: u64,
    /// Hamming-code parameter used for the payload (1 = no matrix embedding).
    pub matrix_k: u32,
    /// Carriers whose value changed.
    pub changed_samples: u64,
    /// Changed samples per hidden bit (salt, header and payload bits).
    pub changes_per_bit: f64,
    /// Peak signal-to-noise ratio of stego against cover over the colour samples, in dB
    /// (`None` when nothing changed: infinite).
    pub psnr_db: Option<f64>,
}

/// Bits of `bytes`, most significant first.
fn bits_of(bytes: &[u8]) -> impl Iterator<Item = u8> + '_ {
    bytes
        .iter()
        .flat_map(|&b| (0..8).rev().map(move |i| (b >> i) & 1))
}

fn bytes_of(bits: &[u8]) -> Vec<u8> {
    bits.chunks(8)
        .map(|c| c.iter().fold(0u8, |acc, &b| (acc << 1) | b))
        .collect()
}

/// The largest Hamming parameter `k` for which `bits` payload bits fit in `avail` slots.
fn choose_k(bits: u64, avail: u64) -> Option<u32> {
    if bits == 0 {
        return Some(1);
    }
    (1..=MAX_MATRIX_K)
        .rev()
        .find(|&k| blocks_len(bits, k).is_some_and(|need| need <= avail))
}

/// Slots needed for `bits` bits with Hamming parameter `k`.
fn blocks_len(bits: u64, k: u32) -> Option<u64> {
    let blocks = bits.div_ceil(u64::from(k));
    blocks.checked_mul((1u64 << k) - 1)
}

/// A slot: carrier index and bit plane.
#[derive(Clone, Copy)]
struct Slot {
    carrier: usize,
    plane: u8,
}

/// The order in which a mode visits slots.
enum Order {
    Sequential {
        bits: u8,
        next: u64,
        total: u64,
    },
    Scatter {
        perm: Permutation,
        rng: Box<KeyStream>,
    },
}

impl Order {
    /// The order up to and including the salt (no key needed).
    fn new(cover: &Cover, mode: Mode) -> Order {
        match mode {
            Mode::Sequential { bits } => Order::Sequential {
                bits,
                next: 0,
                total: cover.carriers() as u64 * u64::from(bits),
            },
            Mode::Scatter => Order::Scatter {
                perm: Permutation::new(cover.carriers()),
                rng: Box::new(KeyStream::new(&PUBLIC_KEY, &NONCE_PUBLIC)),
            },
        }
    }

    /// Switch to the keyed part of the order (after the salt).
    fn rekey(&mut self, key: &StegoKey) {
        if let Order::Scatter { rng, .. } = self {
            **rng = KeyStream::new(&key.0, &NONCE_ORDER);
        }
    }

    fn next(&mut self, cover: &Cover) -> Option<Slot> {
        match self {
            Order::Sequential { bits, next, total } => {
                if *next >= *total {
                    return None;
                }
                let s = *next;
                *next += 1;
                Some(Slot {
                    carrier: (s / u64::from(*bits)) as usize,
                    plane: (s % u64::from(*bits)) as u8,
                })
            }
            // Saturated samples (0 and 255) are skipped: ±1 matching could only move them one
            // way, which is an LSB flip that RS analysis sees. Embedding never makes a sample
            // saturated (1 only goes up, 254 only down), so the extractor skips the same ones.
            Order::Scatter { perm, rng } => loop {
                let c = perm.next(rng)?;
                if usable(cover.carrier(c)) {
                    return Some(Slot {
                        carrier: c,
                        plane: 0,
                    });
                }
            },
        }
    }

    fn take(&mut self, cover: &Cover, n: usize) -> Option<Vec<Slot>> {
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            v.push(self.next(cover)?);
        }
        Some(v)
    }
}

/// Writes bits into a cover and keeps the change statistics.
struct Writer<'a> {
    cover: &'a mut Cover,
    mode: Mode,
    sign: KeyStream,
    changed: u64,
    sq_err: u64,
}

impl Writer<'_> {
    fn bit(&self, s: Slot) -> u8 {
        (self.cover.carrier(s.carrier) >> s.plane) & 1
    }

    /// Make slot `s` hold `b`.
    fn write(&mut self, s: Slot, b: u8) {
        let old = self.cover.carrier(s.carrier);
        if (old >> s.plane) & 1 == b {
            return;
        }
        let new = match self.mode {
            Mode::Sequential { .. } => old ^ (1 << s.plane),
            Mode::Scatter => match old {
                0 | 1 => old + 1,
                254 | 255 => old - 1,
                v if self.sign.next_u8() & 1 == 0 => v + 1,
                v => v - 1,
            },
        };
        self.cover.set_carrier(s.carrier, new);
        self.changed += 1;
        let d = u64::from(old.abs_diff(new));
        self.sq_err += d * d;
    }

    /// Hide `k` bits in a block of `2^k - 1` slots by changing at most one (Hamming syndrome
    /// coding). For `k = 1` this is plain LSB matching of one slot.
    fn write_block(&mut self, block: &[Slot], msg: u32) {
        let syndrome = syndrome(block.iter().map(|&s| self.bit(s)));
        let d = syndrome ^ msg;
        if d != 0 {
            let s = block[d as usize - 1];
            let flipped = self.bit(s) ^ 1;
            self.write(s, flipped);
        }
    }
}

/// XOR of the 1-based positions of the set bits.
fn syndrome(bits: impl Iterator<Item = u8>) -> u32 {
    bits.enumerate()
        .filter(|&(_, b)| b == 1)
        .fold(0u32, |acc, (i, _)| acc ^ (i as u32 + 1))
}

/// Hide `payload` in `cover`. The cover is left unchanged when the payload does not fit.
pub fn embed(
    cover: &mut Cover,
    mode: Mode,
    salt: &[u8; SALT_LEN],
    key: &StegoKey,
    payload: &[u8],
) -> Result<EmbedReport, StegoError> {
    let cap = capacity(cover, mode);
    let too_large = || StegoError::TooLarge {
        payload: payload.len() as u64,
        max: cap.max_payload_bytes,
    };
    if cap.slots < OVERHEAD_SLOTS as u64
        || payload.len() as u64 > cap.max_payload_bytes
        || payload.len() > u32::MAX as usize
    {
        return Err(too_large());
    }
    let avail = cap.slots - OVERHEAD_SLOTS as u64;
    let bits = payload.len() as u64 * 8;
    let k = match mode {
        Mode::Scatter => choose_k(bits, avail).ok_or_else(too_large)?,
        Mode::Sequential { .. } => 1,
    };

    let mut whiten = KeyStream::new(&key.0, &NONCE_WHITEN);
    let mut header = [0u8; HEADER_LEN];
    header[..4].copy_from_slice(&(payload.len() as u32).to_be_bytes());
    header[4] = k as u8;
    header[5] = FORMAT_VERSION;
    whiten.xor_into(&mut header);
    let mut body = Zeroizing::new(payload.to_vec());
    whiten.xor_into(&mut body);

    let mut order = Order::new(cover, mode);
    let salt_slots = order.take(cover, SALT_LEN * 8).ok_or_else(too_large)?;
    order.rekey(key);
    let header_slots = order.take(cover, HEADER_LEN * 8).ok_or_else(too_large)?;
    let n = (1usize << k) - 1;
    let blocks = bits.div_ceil(u64::from(k)) as usize;
    let body_slots = order.take(cover, blocks * n).ok_or_else(too_large)?;

    let mut w = Writer {
        cover,
        mode,
        sign: KeyStream::new(&key.0, &NONCE_SIGN),
        changed: 0,
        sq_err: 0,
    };
    for (s, b) in salt_slots.iter().zip(bits_of(salt)) {
        w.write(*s, b);
    }
    for (s, b) in header_slots.iter().zip(bits_of(&header)) {
        w.write(*s, b);
    }
    let mut msg_bits = bits_of(&body);
    for block in body_slots.chunks(n) {
        let mut m = 0u32;
        for _ in 0..k {
            m = (m << 1) | u32::from(msg_bits.next().unwrap_or(0));
        }
        w.write_block(block, m);
    }

    let hidden_bits = (OVERHEAD_SLOTS as u64) + bits;
    let carriers = cap.carriers as f64;
    let psnr_db = (w.sq_err > 0).then(|| {
        let mse = w.sq_err as f64 / carriers;
        10.0 * (255.0f64 * 255.0 / mse).log10()
    });
    Ok(EmbedReport {
        mode,
        payload_bytes: payload.len() as u64,
        slots_written: (salt_slots.len() + header_slots.len() + body_slots.len()) as u64,
        matrix_k: k,
        changed_samples: w.changed,
        changes_per_bit: w.changed as f64 / hidden_bits as f64,
        psnr_db,
    })
}

fn read_bits(cover: &Cover, slots: &[Slot]) -> Vec<u8> {
    slots
        .iter()
        .map(|s| (cover.carrier(s.carrier) >> s.plane) & 1)
        .collect()
}

/// Read the salt a stego image carries in `mode` (any image yields 16 bytes; only the key tells
/// whether a message is there).
pub fn read_salt(cover: &Cover, mode: Mode) -> Result<[u8; SALT_LEN], StegoError> {
    if capacity(cover, mode).slots < OVERHEAD_SLOTS as u64 {
        return Err(StegoError::NoMessage);
    }
    let mut order = Order::new(cover, mode);
    let slots = order
        .take(cover, SALT_LEN * 8)
        .ok_or(StegoError::NoMessage)?;
    let bytes = bytes_of(&read_bits(cover, &slots));
    let mut salt = [0u8; SALT_LEN];
    salt.copy_from_slice(&bytes);
    Ok(salt)
}

/// Extract the payload hidden with `key` in `mode`, or [`StegoError::NoMessage`].
pub fn extract(cover: &Cover, mode: Mode, key: &StegoKey) -> Result<Vec<u8>, StegoError> {
    let cap = capacity(cover, mode);
    if cap.slots < OVERHEAD_SLOTS as u64 {
        return Err(StegoError::NoMessage);
    }
    let mut order = Order::new(cover, mode);
    order
        .take(cover, SALT_LEN * 8)
        .ok_or(StegoError::NoMessage)?;
    order.rekey(key);
    let header_slots = order
        .take(cover, HEADER_LEN * 8)
        .ok_or(StegoError::NoMessage)?;
    let mut header = bytes_of(&read_bits(cover, &header_slots));
    let mut whiten = KeyStream::new(&key.0, &NONCE_WHITEN);
    whiten.xor_into(&mut header);
    let len = u32::from_be_bytes([header[0], header[1], header[2], header[3]]);
    let k = u32::from(header[4]);
    if header[5] != FORMAT_VERSION || header[6..].iter().any(|&b| b != 0) {
        return Err(StegoError::NoMessage);
    }
    let k_ok = match mode {
        Mode::Sequential { .. } => k == 1,
        Mode::Scatter => (1..=MAX_MATRIX_K).contains(&k),
    };
    let bits = u64::from(len) * 8;
    let avail = cap.slots - OVERHEAD_SLOTS as u64;
    let need = blocks_len(bits, k.max(1));
    if !k_ok || need.is_none_or(|n| n > avail) {
        return Err(StegoError::NoMessage);
    }
    let n = (1usize << k) - 1;
    let blocks = bits.div_ceil(u64::from(k)) as usize;
    let body_slots = order.take(cover, blocks * n).ok_or(StegoError::NoMessage)?;
    let lsbs = read_bits(cover, &body_slots);
    let mut msg = Vec::with_capacity(blocks * k as usize);
    for block in lsbs.chunks(n) {
        let s = syndrome(block.iter().copied());
        for i in (0..k).rev() {
            msg.push(((s >> i) & 1) as u8);
        }
    }
    msg.truncate(bits as usize);
    let mut body = bytes_of(&msg);
    whiten.xor_into(&mut body);
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cover::Layout;

    fn noise_cover(w: u32, h: u32, layout: Layout, seed: u8) -> Cover {
        let mut ks = KeyStream::new(&[seed; 32], &[9; 12]);
        let n = (w * h) as usize * layout.channels();
        let samples = (0..n).map(|_| ks.next_u8()).collect();
        Cover::from_samples(w, h, layout, samples).unwrap()
    }

    #[test]
    fn syndrome_coding_hides_k_bits_with_at_most_one_change() {
        for k in 1..=6u32 {
            let n = (1usize << k) - 1;
            let mut ks = KeyStream::new(&[k as u8; 32], &[0; 12]);
            for _ in 0..200 {
                let lsbs: Vec<u8> = (0..n).map(|_| ks.next_u8() & 1).collect();
                let msg = ks.below(1 << k);
                let s = syndrome(lsbs.iter().copied());
                let mut out = lsbs.clone();
                let d = s ^ msg;
                if d != 0 {
                    out[d as usize - 1] ^= 1;
                }
                assert_eq!(syndrome(out.iter().copied()), msg);
                assert!(lsbs.iter().zip(&out).filter(|(a, b)| a != b).count() <= 1);
            }
        }
    }

    #[test]
    fn choose_k_prefers_the_largest_code_that_fits() {
        assert_eq!(choose_k(0, 0), Some(1));
        assert_eq!(choose_k(8, 8), Some(1));
        assert_eq!(choose_k(9, 8), None);
        // 8 bits with k = 2: 4 blocks of 3 slots = 12
        assert_eq!(choose_k(8, 12), Some(2));
        assert_eq!(choose_k(32_768, 921_600 - 256), Some(7));
    }

    #[test]
    fn alpha_is_never_touched() {
        let mut c = noise_cover(64, 64, Layout::Rgba, 1);
        let alpha_before: Vec<u8> = c.samples().iter().skip(3).step_by(4).copied().collect();
        let max = capacity(&c, Mode::Scatter).max_payload_bytes as usize;
        let key = StegoKey::new([5; 32]);
        embed(&mut c, Mode::Scatter, &[1; 16], &key, &vec![0xA5; max]).unwrap();
        let alpha_after: Vec<u8> = c.samples().iter().skip(3).step_by(4).copied().collect();
        assert_eq!(alpha_before, alpha_after);
        assert_eq!(extract(&c, Mode::Scatter, &key).unwrap(), vec![0xA5; max]);
    }

    #[test]
    fn scatter_changes_are_plus_minus_one() {
        let cover = noise_cover(100, 80, Layout::Rgb, 2);
        let mut c = cover.clone();
        let key = StegoKey::new([6; 32]);
        embed(&mut c, Mode::Scatter, &[2; 16], &key, &[0x5A; 500]).unwrap();
        assert!(cover
            .samples()
            .iter()
            .zip(c.samples())
            .all(|(a, b)| a.abs_diff(*b) <= 1));
    }

    #[test]
    fn matrix_embedding_cuts_changes_for_small_payloads() {
        let cover = noise_cover(320, 240, Layout::Rgb, 3);
        let key = StegoKey::new([7; 32]);
        let payload = vec![0x3C; 1000];
        let mut c = cover.clone();
        let r = embed(&mut c, Mode::Scatter, &[3; 16], &key, &payload).unwrap();
        assert!(r.matrix_k >= 5, "k = {}", r.matrix_k);
        // plain LSB embedding changes about half the bits; Hamming k >= 5 well under a quarter
        let payload_changes = r.changed_samples as f64 - 0.5 * OVERHEAD_SLOTS as f64;
        assert!(payload_changes / 8000.0 < 0.25, "{r:?}");
        assert_eq!(extract(&c, Mode::Scatter, &key).unwrap(), payload);
    }

    #[test]
    fn saturated_samples_never_change_and_never_appear() {
        // half the image black or white (like a pupil or a specular highlight), half noise
        let mut c = noise_cover(64, 64, Layout::Gray, 9);
        let samples: Vec<u8> = c
            .samples()
            .iter()
            .enumerate()
            .map(|(i, &v)| match i % 4 {
                0 => 0,
                1 => 255,
                _ => v,
            })
            .collect();
        c = Cover::from_samples(64, 64, Layout::Gray, samples).unwrap();
        let before = c.clone();
        let cap = capacity(&c, Mode::Scatter);
        assert!(cap.slots <= 2048, "{cap:?}");
        let key = StegoKey::new([4; 32]);
        let payload = vec![0x77; cap.max_payload_bytes as usize];
        embed(&mut c, Mode::Scatter, &[9; 16], &key, &payload).unwrap();
        for (a, b) in before.samples().iter().zip(c.samples()) {
            if *a == 0 || *a == 255 {
                assert_eq!(a, b);
            } else {
                assert!(*b != 0 && *b != 255);
            }
        }
        assert_eq!(extract(&c, Mode::Scatter, &key).unwrap(), payload);
    }

    #[test]
    fn salt_reads_back_without_the_key() {
        for mode in [Mode::Scatter, Mode::Sequential { bits: 2 }] {
            let mut c = noise_cover(50, 50, Layout::Gray, 4);
            let key = StegoKey::new([8; 32]);
            let salt = *b"0123456789abcdef";
            embed(&mut c, mode, &salt, &key, b"hi").unwrap();
            assert_eq!(read_salt(&c, mode).unwrap(), salt);
        }
    }

    #[test]
    fn wrong_key_finds_no_message() {
        let mut c = noise_cover(60, 60, Layout::Rgb, 5);
        embed(
            &mut c,
            Mode::Scatter,
            &[0; 16],
            &StegoKey::new([1; 32]),
            b"x",
        )
        .unwrap();
        assert!(matches!(
            extract(&c, Mode::Scatter, &StegoKey::new([2; 32])),
            Err(StegoError::NoMessage)
        ));
    }

    #[test]
    fn tiny_cover_is_refused_before_writing() {
        let cover = noise_cover(5, 5, Layout::Gray, 6);
        let mut c = cover.clone();
        let e = embed(
            &mut c,
            Mode::Scatter,
            &[0; 16],
            &StegoKey::new([1; 32]),
            b"",
        );
        assert!(matches!(e, Err(StegoError::TooLarge { .. })));
        assert_eq!(c, cover);
        assert!(matches!(
            extract(&c, Mode::Scatter, &StegoKey::new([1; 32])),
            Err(StegoError::NoMessage)
        ));
    }
}
