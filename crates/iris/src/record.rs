//! The enrollment record: what `nightjar iris enroll` writes and `nightjar iris key` reads.
//!
//! It holds what regeneration needs (see [`crate::bind`]) and nothing secret in the clear: not
//! the key `K`, not the iris code. It can be stored beside the envelopes it opens.
//!
//! # Format, version 1
//!
//! All integers are unsigned big-endian. `L = n·2^m` is the number of codeword bits (a
//! multiple of 16, since `m ≥ 4`) and `B = L/8`.
//!
//! | offset | size | field | value |
//! |---:|---:|---|---|
//! | 0 | 4 | magic | `4E 4A 49 52` (`b"NJIR"`, [`MAGIC`]) |
//! | 4 | 1 | version | `01` ([`VERSION`]) |
//! | 5 | 1 | inner code | `01` = RM(1, m), augmented Hadamard ([`crate::ecc::rm`]) |
//! | 6 | 1 | m | `4..=8`: blocks of `2^m` bits carrying `m + 1` bits |
//! | 7 | 1 | outer code | `01` = Reed–Solomon over GF(2^(m+1)), primitive polynomial of [`crate::ecc::gf::primitive_poly`], generator roots α^0 … α^(n−k−1), systematic ([`crate::ecc::rs`]) |
//! | 8 | 2 | n | RS length in blocks, `k < n ≤ 2^(m+1) − 1` |
//! | 10 | 2 | k | RS dimension in key symbols; key bits `k·(m+1)` in `64..=1024` |
//! | 12 | 2 | rows | iris code rows (radial samples) |
//! | 14 | 2 | cols | iris code columns (angular samples); `2·rows·cols ≤ 2^20`, `≥ L` |
//! | 16 | 4 | stride | interleaver: codeword bit `j` ↔ iris bit `(j·stride) mod (2·rows·cols)`; coprime to `2·rows·cols` |
//! | 20 | 1 | shift window `w` | rotations `−w..=w` tried; `w ≤ 64`, `2w < cols` |
//! | 21 | 1 | reserved | `00` |
//! | 22 | 16 | salt | random, per record |
//! | 38 | B | usable map | bit `j` = 1 when iris bit `π(j)` was usable at enrollment |
//! | 38 + B | B | helper | bit `j` = `C_j ⊕ iris[π(j)]` where usable, 0 elsewhere |
//! | 38 + 2B | 32 | tag | `HMAC-SHA256(HKDF-Expand(HKDF-Extract(salt, K), "nightjar-iris-v1 check", 32), SHA-256(bytes 0 .. 38+2B))` |
//!
//! Bit `j` of a map is bit `7 − (j mod 8)` of byte `j / 8` (most significant bit first). `K` is the `k` key symbols, `m + 1` bits each, most
//! significant bit first, concatenated and zero-padded to whole bytes. The record is `70 + 2B`
//! bytes: 1,094 bytes for the default binding of a 4,096-bit code.
//!
//! # Reading
//!
//! [`EnrollmentRecord::from_bytes`] accepts only records this crate could have written: magic,
//! version, code ids, every parameter ([`BindParams::validate`]), the reserved byte, the exact
//! length (no trailing bytes), helper bits only where the usable map has a 1, and
//! at least [`MIN_USABLE_PERCENT`](crate::bind::MIN_USABLE_PERCENT)% usable bits. It never panics
//! and allocates at most the record's own length. The tag cannot be checked without the key; a
//! record altered in any byte regenerates no key (the tag covers every byte before it).
//!
//! # What a record gives away
//!
//! **Structure, not secrets, in the clear:** the parameters, the salt and the usable map — where
//! eyelids, lashes and reflections covered the iris at enrollment (an outline of the eye, no
//! texture).
//!
//! **The helper data leak.** The helper is `C ⊕ X` (codeword ⊕ iris bits). If iris bits were
//! independent and uniform, it would hide `C` perfectly and `K` would have its full
//! `k·(m+1)` bits. They are not: neighbouring samples of a Gabor phase code are strongly
//! correlated. Daugman measured that the impostor Hamming distances of 2,048-bit codes follow a
//! binomial distribution with only **N ≈ 249 degrees of freedom**; the binomial fit of our
//! synthetic impostor distribution gives the corresponding number for this crate's codes
//! (`N = p(1−p)/σ²`, reported by `nightjar iris eval`). The code-offset bound
//! `H(K | helper) ≥ H(X) − (L − k·(m+1))` is then useless (`L − k(m+1)` is thousands of bits of
//! redundancy against a few hundred bits of entropy). The useful estimate is the one Hao,
//! Anderson and Daugman used, a **sphere-packing argument**: an attacker who knows the statistics
//! of iris codes but not this iris must produce a code that the decoder accepts, i.e. one within
//! the decoder's reach of the enrolled code. In a space of `N` independent binary degrees of
//! freedom, a ball of fractional radius `ρ` holds about `2^(N·h(ρ))` points (`h` the binary
//! entropy), so about `2^(N·(1 − h(ρ)))` guesses are needed, where `ρ` is the largest fractional
//! Hamming distance at which regeneration still succeeds with substantial probability (measured,
//! not the code's worst-case bound: soft and GMD decoding reach further; measured with every
//! probe bit weighted alike, since an attacker decoding offline picks the weights, and the
//! reliability weights of a real capture only help when they know which bits are wrong). The
//! figure for the
//! default binding, with the numbers and how they were measured, is in the crate's `EVAL.md`;
//! it is far below the 160 nominal key bits, as it was for Hao et al. This is the honest
//! strength of an iris alone; combine it with a passphrase (two factors) where that matters.
//!
//! **Offline guessing.** Anyone holding the record can test a guessed iris code (or a guessed
//! `K`) offline: one regeneration attempt costs about a millisecond and the tag check a few
//! microseconds. There is no rate limit. The estimate above is therefore a count of offline
//! guesses.
//!
//! **Integrity.** The record is public but must be authentic when *sealing*: whoever can replace
//! it with a record of their own chooses the key that new envelopes are sealed with (opening old
//! envelopes then fails, which reveals the swap). Keep it where you keep your public keys.
//! A modified record (any byte) regenerates nothing, so it cannot be used as an oracle that
//! reports which helper bits an attacker flipped.
//!
//! **Linkability.** Two records of the same eye can be linked (their helper data XOR to a
//! codeword XOR a small error), as with every fuzzy commitment; enroll once per purpose only if
//! that does not matter.

use sha2::{Digest, Sha256};

use crate::bind::{BindParams, MIN_USABLE_PERCENT};

/// The first four bytes of every record.
pub const MAGIC: [u8; 4] = *b"NJIR";
/// The record format version this crate writes and reads.
pub const VERSION: u8 = 1;
/// Length of the fixed part before the bit maps.
pub const FIXED_LEN: usize = 38;
/// Length of the per-record salt.
pub const SALT_LEN: usize = 16;
/// Length of the key-check tag.
pub const TAG_LEN: usize = 32;
/// Inner code id: RM(1, m).
pub const INNER_RM1: u8 = 1;
/// Outer code id: Reed–Solomon over GF(2^(m+1)).
pub const OUTER_RS: u8 = 1;

/// Why a record was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// The input does not start with `NJIR`.
    #[error("not a Nightjar iris enrollment record (the magic bytes \"NJIR\" are missing)")]
    NotARecord,
    /// A format version this build does not read.
    #[error("enrollment record format version {0} is not supported (this build reads version 1)")]
    UnsupportedVersion(u8),
    /// An unknown inner or outer code id.
    #[error("the enrollment record names an unknown error-correcting code (id {0})")]
    UnsupportedCode(u8),
    /// The record is shorter or longer than its parameters say.
    #[error("malformed enrollment record: it is {got} bytes long but its parameters need {want}")]
    BadLength {
        /// Actual length.
        got: usize,
        /// Length the header implies (or the fixed part, if that is missing).
        want: usize,
    },
    /// A field has an impossible value.
    #[error("malformed enrollment record: {0}")]
    Malformed(&'static str),
}

/// A parsed, fully validated enrollment record.
#[derive(Clone, PartialEq, Eq)]
pub struct EnrollmentRecord {
    params: BindParams,
    salt: [u8; SALT_LEN],
    usable: Vec<u8>,
    helper: Vec<u8>,
    tag: [u8; TAG_LEN],
}

impl std::fmt::Debug for EnrollmentRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnrollmentRecord")
            .field("params", &self.params)
            .field("usable_bits", &self.usable_count())
            .finish_non_exhaustive()
    }
}

fn bit(map: &[u8], j: usize) -> bool {
    map[j / 8] & (0x80 >> (j % 8)) != 0
}

impl EnrollmentRecord {
    /// Builds a record and computes its tag with `tag_of(SHA-256(bytes before the tag))`.
    pub(crate) fn seal(
        params: BindParams,
        salt: [u8; SALT_LEN],
        usable: Vec<u8>,
        helper: Vec<u8>,
        tag_of: impl FnOnce(&[u8; 32]) -> [u8; TAG_LEN],
    ) -> EnrollmentRecord {
        let mut r = EnrollmentRecord {
            params,
            salt,
            usable,
            helper,
            tag: [0; TAG_LEN],
        };
        r.tag = tag_of(&r.digest());
        r
    }

    /// The binding parameters.
    pub fn params(&self) -> &BindParams {
        &self.params
    }

    /// The per-record salt.
    pub fn salt(&self) -> &[u8; SALT_LEN] {
        &self.salt
    }

    /// The key-check tag.
    pub fn tag(&self) -> &[u8; TAG_LEN] {
        &self.tag
    }

    /// Codeword bits that met a usable iris bit at enrollment.
    pub fn usable_count(&self) -> usize {
        self.usable.iter().map(|b| b.count_ones() as usize).sum()
    }

    /// The usable map, one `bool` per codeword bit.
    pub(crate) fn usable_bits(&self) -> Vec<bool> {
        (0..self.params.codeword_bits())
            .map(|j| bit(&self.usable, j))
            .collect()
    }

    /// The helper bits, one `bool` per codeword bit.
    pub(crate) fn helper_bits(&self) -> Vec<bool> {
        (0..self.params.codeword_bits())
            .map(|j| bit(&self.helper, j))
            .collect()
    }

    fn header(&self) -> [u8; FIXED_LEN] {
        let p = &self.params;
        let mut h = [0u8; FIXED_LEN];
        h[0..4].copy_from_slice(&MAGIC);
        h[4] = VERSION;
        h[5] = INNER_RM1;
        h[6] = p.m;
        h[7] = OUTER_RS;
        h[8..10].copy_from_slice(&p.n.to_be_bytes());
        h[10..12].copy_from_slice(&p.k.to_be_bytes());
        h[12..14].copy_from_slice(&p.rows.to_be_bytes());
        h[14..16].copy_from_slice(&p.cols.to_be_bytes());
        h[16..20].copy_from_slice(&p.stride.to_be_bytes());
        h[20] = p.shift_window;
        h[21] = 0;
        h[22..38].copy_from_slice(&self.salt);
        h
    }

    /// SHA-256 of every byte before the tag (what the tag authenticates).
    pub(crate) fn digest(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(self.header());
        h.update(&self.usable);
        h.update(&self.helper);
        h.finalize().into()
    }

    /// The record's bytes, as documented in the module.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(FIXED_LEN + 2 * self.usable.len() + TAG_LEN);
        out.extend_from_slice(&self.header());
        out.extend_from_slice(&self.usable);
        out.extend_from_slice(&self.helper);
        out.extend_from_slice(&self.tag);
        out
    }

    /// Parses and fully validates a record (see the module docs for every check).
    pub fn from_bytes(bytes: &[u8]) -> Result<EnrollmentRecord, RecordError> {
        if bytes.len() < MAGIC.len() || bytes[..4] != MAGIC {
            return Err(RecordError::NotARecord);
        }
        let Some(&version) = bytes.get(4) else {
            return Err(RecordError::BadLength {
                got: bytes.len(),
                want: FIXED_LEN,
            });
        };
        if version != VERSION {
            return Err(RecordError::UnsupportedVersion(version));
        }
        let Some(h) = bytes.get(..FIXED_LEN) else {
            return Err(RecordError::BadLength {
                got: bytes.len(),
                want: FIXED_LEN,
            });
        };
        if h[5] != INNER_RM1 {
            return Err(RecordError::UnsupportedCode(h[5]));
        }
        if h[7] != OUTER_RS {
            return Err(RecordError::UnsupportedCode(h[7]));
        }
        let u16_at = |i: usize| u16::from_be_bytes([h[i], h[i + 1]]);
        let params = BindParams {
            m: h[6],
            n: u16_at(8),
            k: u16_at(10),
            rows: u16_at(12),
            cols: u16_at(14),
            stride: u32::from_be_bytes([h[16], h[17], h[18], h[19]]),
            shift_window: h[20],
        };
        if h[21] != 0 {
            return Err(RecordError::Malformed("the reserved byte is not zero"));
        }
        params.validate().map_err(|e| match e {
            crate::bind::BindError::BadParams(why) => RecordError::Malformed(why),
            _ => RecordError::Malformed("invalid parameters"),
        })?;
        let bits = params.codeword_bits();
        let map_len = bits / 8; // a multiple of 16 bits: m >= 4
        let want = FIXED_LEN + 2 * map_len + TAG_LEN;
        if bytes.len() != want {
            return Err(RecordError::BadLength {
                got: bytes.len(),
                want,
            });
        }
        let mut salt = [0u8; SALT_LEN];
        salt.copy_from_slice(&h[22..38]);
        let usable = bytes[FIXED_LEN..FIXED_LEN + map_len].to_vec();
        let helper = bytes[FIXED_LEN + map_len..FIXED_LEN + 2 * map_len].to_vec();
        let mut tag = [0u8; TAG_LEN];
        tag.copy_from_slice(&bytes[FIXED_LEN + 2 * map_len..]);

        if usable.iter().zip(&helper).any(|(u, h)| h & !u != 0) {
            return Err(RecordError::Malformed(
                "helper bits are set where the usable map has none",
            ));
        }
        let record = EnrollmentRecord {
            params,
            salt,
            usable,
            helper,
            tag,
        };
        if record.usable_count() * 100 < bits * MIN_USABLE_PERCENT {
            return Err(RecordError::Malformed(
                "too few usable bits for a record this software would write",
            ));
        }
        Ok(record)
    }
}
