//! Key binding: a fuzzy commitment (Juels and Wattenberg 1999) that ties a random key to an iris
//! code, built with concatenated codes as Hao, Anderson and Daugman did ("Combining crypto with
//! biometrics effectively", IEEE Trans. Computers 55(9), 2006).
//!
//! # Enrollment
//!
//! 1. A random key `K` of `k` symbols of `s = m + 1` bits is drawn from the operating system
//!    (`getrandom`): `k·s` key bits (default 20 × 8 = **160 bits**, see [`BindParams`]).
//! 2. `K` is encoded with the **outer code**, Reed–Solomon RS(n, k) over GF(2^s) ([`ecc::rs`]),
//!    and each of the `n` RS symbols with the **inner code**, Reed–Muller RS(1, m) / augmented
//!    Hadamard, `2^m` bits per symbol ([`ecc::rm`]): a codeword `C` of `L = n·2^m` bits.
//! 3. Codeword bit `j` is paired with iris-code bit `π(j) = (j · stride) mod N` (`N = 2·rows·cols`
//!    iris bits, `stride` odd and coprime to `N`): an **interleaver** that spreads each Hadamard
//!    block over the whole iris, so that an eyelid, a reflection or a badly normalised sector
//!    costs every block a few bits instead of costing a few blocks everything.
//! 4. **Masks.** Where the enrollment mask marks iris bit `π(j)` unusable (eyelid, lashes,
//!    reflection), the record stores helper bit 0 and a 0 in its own *usable* map; elsewhere it
//!    stores `helper_j = C_j ⊕ code[π(j)]` and a 1. So the helper data never contains a codeword
//!    bit masked by a bit that carries no iris texture, and the decoder knows to treat those bits
//!    as **erasures** rather than guesses. The usable map is a function of the occlusion (eyelid
//!    shape), not of the iris texture.
//! 5. A **key-check tag** lets regeneration recognise the right key and authenticates the whole
//!    record: `PRK = HKDF-SHA256-Extract(salt, K)`,
//!    `tag = HMAC-SHA256(HKDF-Expand(PRK, "nightjar-iris-v1 check", 32), SHA-256(record bytes
//!    before the tag))`, with a fresh random 16-byte `salt` per record.
//!
//! The record ([`crate::record`]) holds the parameters, the salt, the usable map, the helper bits
//! and the tag — never `K`, never the iris code.
//!
//! # Regeneration
//!
//! 1. **Inner decoding at every rotation.** For each shift `t` in `−w ..= w` (the record's
//!    shift window, in angular samples) the fresh code is rotated by `t` and every codeword bit
//!    gets a **soft value**: `+1` if `helper_j ⊕ code′[π(j)]` is 0, `−1` if it is 1, and `0`
//!    (erasure) if either the enrollment or the fresh mask marks the bit unusable. Each block of
//!    `2^m` soft values is decoded by maximum likelihood (fast Hadamard transform), giving an RS
//!    symbol and its reliability (the correlation margin over the runner-up). The sum of the
//!    blocks' correlations ranks the rotations: it counts agreeing minus disagreeing bits.
//! 2. **Outer decoding at the best rotations** ([`OUTER_SHIFTS`] of them, best first, ties in
//!    the order `0, +1, −1, …`): the RS word is decoded **generalised-minimum-distance** style,
//!    with the `f` least reliable blocks declared erased for `f` = the number of tied blocks,
//!    then two more at a time, up to `n − k` (RS corrects `e` errors and `f` erasures when
//!    `2e + f ≤ n − k`; each step trades one correctable error for two erasures).
//! 3. **Check.** Every distinct candidate key is checked against the tag (constant-time
//!    comparison); the first that matches is the key. If none does, regeneration fails with
//!    [`BindError::NoMatch`]. A wrong key is never returned: a false match would need an
//!    HMAC-SHA256 collision on the record.
//!
//! The key handed to the rest of Nightjar is [`IrisKey::master_key`]:
//! `HKDF-SHA256-Expand(PRK, "nightjar-iris-v1 master key", 32)`.
//!
//! # What the record gives away
//!
//! See [`crate::record`] for the byte layout and the security estimate.

use std::fmt;

use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

pub mod eval;

use crate::code::{IrisCode, MAX_WEIGHT};
use crate::ecc::{rm, ReedSolomon};
use crate::record::{EnrollmentRecord, SALT_LEN, TAG_LEN};

/// HKDF info of the key-check key.
const CHECK_INFO: &[u8] = b"nightjar-iris-v1 check";
/// HKDF info of the master key.
const MASTER_INFO: &[u8] = b"nightjar-iris-v1 master key";

/// Smallest key the parameters may give, in bits (a record with fewer is refused).
pub const MIN_KEY_BITS: usize = 64;
/// Largest key, in bits.
pub const MAX_KEY_BITS: usize = 1024;
/// Smallest inner-code parameter `m` (16-bit blocks).
pub const MIN_M: u8 = 4;
/// Largest inner-code parameter `m` (256-bit blocks).
pub const MAX_M: u8 = 8;
/// Largest iris code accepted, in bits.
pub const MAX_CODE_BITS: usize = 1 << 20;
/// Largest shift window, in angular samples.
pub const MAX_SHIFT_WINDOW: u8 = 64;
/// At enrollment, at least this fraction (in percent) of the codeword bits must fall on usable
/// iris bits; a record with fewer is refused when read.
pub const MIN_USABLE_PERCENT: usize = 50;

/// The parameters of a binding: the shape of the iris code, the two codes, the interleaver and
/// the rotation search. They are stored in every record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BindParams {
    /// Radial rows of the iris code.
    pub rows: u16,
    /// Angular columns of the iris code.
    pub cols: u16,
    /// Inner code RM(1, m): blocks of `2^m` bits carrying `m + 1` bits.
    pub m: u8,
    /// Outer code length `n` (blocks), `n ≤ 2^(m+1) − 1`.
    pub n: u16,
    /// Outer code dimension `k` (key symbols of `m + 1` bits).
    pub k: u16,
    /// Interleaver multiplier: codeword bit `j` meets iris bit `(j·stride) mod (2·rows·cols)`.
    pub stride: u32,
    /// Rotations tried at regeneration: `−w ..= w` angular samples.
    pub shift_window: u8,
}

impl BindParams {
    /// The default binding for a code of `rows × cols` samples (2 bits each).
    ///
    /// For the 8 × 256 codes of this crate's encoder (4,096 bits): RM(1,7) inner code (128-bit
    /// blocks carrying 8 bits), RS(32, 20) over GF(2^8) outer code, so `K` has 20 × 8 = **160
    /// bits**; golden-ratio interleaver; shift window ±16 samples (±22.5°, as the matcher).
    /// Why these numbers (measured on the synthetic eyes, see the crate's `EVAL.md`): the
    /// 128-bit blocks average the clustered errors of real codes better than Hao et al.'s
    /// 64-bit blocks (RM(1,6) × RS(64,20) rejected twice as many genuine captures), and
    /// RS(32,20) is the highest-rate outer code that rejected no more genuine captures than
    /// RS(32,16): a higher rate means a shorter decoder reach, which is what the guessing
    /// resistance depends on ([`crate::record`]).
    ///
    /// Other shapes get the largest RM(1,7) × RS layout that fits, with the same rate.
    pub fn default_for(rows: u16, cols: u16) -> BindParams {
        let bits = 2 * usize::from(rows) * usize::from(cols);
        let m = 7u8;
        let n = (bits >> m).min(255) as u16;
        let k = ((u32::from(n) * 20).div_ceil(32)) as u16;
        BindParams {
            rows,
            cols,
            m,
            n,
            k: k.max(1),
            stride: default_stride(bits),
            shift_window: 16.min((cols / 2).min(u16::from(MAX_SHIFT_WINDOW))) as u8,
        }
    }

    /// Iris code bits, `2·rows·cols`.
    pub fn code_bits(&self) -> usize {
        2 * usize::from(self.rows) * usize::from(self.cols)
    }

    /// Bits per inner block, `2^m`.
    pub fn block_bits(&self) -> usize {
        1usize << self.m
    }

    /// Bits per RS symbol, `m + 1`.
    pub fn symbol_bits(&self) -> usize {
        usize::from(self.m) + 1
    }

    /// Codeword bits, `n·2^m`.
    pub fn codeword_bits(&self) -> usize {
        usize::from(self.n) * self.block_bits()
    }

    /// Key bits, `k·(m + 1)`.
    pub fn key_bits(&self) -> usize {
        usize::from(self.k) * self.symbol_bits()
    }

    /// Checks every parameter and builds the codes.
    pub fn validate(&self) -> Result<ValidParams, BindError> {
        let bad = BindError::BadParams;
        if self.rows == 0 || self.cols == 0 {
            return Err(bad("the iris code has no rows or no columns"));
        }
        let bits = self.code_bits();
        if bits > MAX_CODE_BITS {
            return Err(bad("the iris code is larger than 2^20 bits"));
        }
        if !(MIN_M..=MAX_M).contains(&self.m) {
            return Err(bad("the inner code parameter m must be in 4..=8"));
        }
        let q_minus_1 = (1usize << self.symbol_bits()) - 1;
        if self.k == 0 || self.k >= self.n || usize::from(self.n) > q_minus_1 {
            return Err(bad(
                "the outer code needs 1 <= k < n <= 2^(m+1) - 1 (Reed-Solomon over GF(2^(m+1)))",
            ));
        }
        if self.codeword_bits() > bits {
            return Err(bad(
                "the codeword (n * 2^m bits) is longer than the iris code",
            ));
        }
        if !(MIN_KEY_BITS..=MAX_KEY_BITS).contains(&self.key_bits()) {
            return Err(bad("the key (k * (m+1) bits) must have 64 to 1024 bits"));
        }
        if self.stride == 0 || self.stride as usize >= bits || gcd(self.stride as usize, bits) != 1
        {
            return Err(bad(
                "the interleaver stride must be in 1..2*rows*cols and coprime to it",
            ));
        }
        if self.shift_window > MAX_SHIFT_WINDOW || u16::from(self.shift_window) * 2 >= self.cols {
            return Err(bad(
                "the shift window must be at most 64 and less than half the columns",
            ));
        }
        let rs = ReedSolomon::new(
            self.symbol_bits() as u32,
            usize::from(self.n),
            usize::from(self.k),
        )
        .map_err(|_| bad("the outer Reed-Solomon code cannot be built"))?;
        let positions: Vec<u32> = (0..self.codeword_bits())
            .map(|j| ((j as u64 * u64::from(self.stride)) % bits as u64) as u32)
            .collect();
        let cols = usize::from(self.cols);
        let row_base = positions
            .iter()
            .map(|&p| {
                let p = p as usize;
                (2 * cols * (p / 2 / cols) + p % 2) as u32
            })
            .collect();
        let column = positions
            .iter()
            .map(|&p| (p as usize / 2 % cols) as u16)
            .collect();
        Ok(ValidParams {
            params: *self,
            rs,
            positions,
            row_base,
            column,
        })
    }
}

/// An odd stride near `bits / φ` (golden ratio) coprime to `bits`: consecutive codeword bits land
/// far apart and every block samples the whole iris evenly (three-distance theorem).
pub fn default_stride(bits: usize) -> u32 {
    if bits < 2 {
        return 1;
    }
    let target = (bits as f64 / 1.618_033_988_749_895).round() as usize;
    (0..bits)
        .flat_map(|d| [target + d, target.wrapping_sub(d)])
        .find(|&s| s >= 1 && s < bits && gcd(s, bits) == 1)
        .unwrap_or(1) as u32
}

fn gcd(mut a: usize, mut b: usize) -> usize {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// Checked parameters with their codes built ([`BindParams::validate`]).
#[derive(Clone, Debug)]
pub struct ValidParams {
    params: BindParams,
    rs: ReedSolomon,
    /// `π(j)` for every codeword bit.
    positions: Vec<u32>,
    /// For codeword bit `j` at iris bit `π(j) = 2(r·cols + c) + b`: `2r·cols + b`.
    row_base: Vec<u32>,
    /// … and `c`.
    column: Vec<u16>,
}

impl ValidParams {
    /// The parameters.
    pub fn params(&self) -> &BindParams {
        &self.params
    }

    /// The iris bit of the fresh code that meets codeword bit `j` when the fresh code is rotated
    /// by `shift` samples (the bit `IrisCode::shifted(shift)` has at position `π(j)`).
    #[cfg(test)]
    fn query_index(&self, j: usize, shift: i32) -> usize {
        let cols = i64::from(self.params.cols);
        let from = (i64::from(self.column[j]) - i64::from(shift)).rem_euclid(cols) as usize;
        self.row_base[j] as usize + 2 * from
    }
}

/// Why binding or regeneration failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BindError {
    /// The parameters do not describe a usable binding.
    #[error("invalid key-binding parameters: {0}")]
    BadParams(&'static str),
    /// The iris code has another shape than the record expects.
    #[error("the iris code is {rows}x{cols} samples but the enrollment record expects {want_rows}x{want_cols}")]
    ShapeMismatch {
        /// Rows of the given code.
        rows: usize,
        /// Columns of the given code.
        cols: usize,
        /// Rows the record expects.
        want_rows: u16,
        /// Columns the record expects.
        want_cols: u16,
    },
    /// The iris code's bit vectors do not match its shape.
    #[error("malformed iris code: its bit or mask vector does not match its shape")]
    MalformedCode,
    /// Too little of the iris is usable to enroll safely.
    #[error("too little of the iris is usable to enroll: {usable} of {total} code bits, at least {MIN_USABLE_PERCENT}% are needed")]
    TooFewUsableBits {
        /// Codeword bits on usable iris bits.
        usable: usize,
        /// Codeword bits.
        total: usize,
    },
    /// The key could not be regenerated: another eye, or a capture too different.
    #[error("this iris does not match the enrollment record")]
    NoMatch,
    /// The operating system's random number generator failed.
    #[error("the random number generator failed: {0}")]
    Random(String),
}

/// A key regenerated from (or bound to) an iris: the `k·(m+1)` key bits and the record salt.
/// Zeroized on drop; `Debug` prints `<redacted>`.
#[derive(Clone)]
pub struct IrisKey {
    /// The key bits packed most significant bit first, zero-padded to whole bytes.
    bytes: Zeroizing<Vec<u8>>,
    bits: usize,
    salt: [u8; SALT_LEN],
}

impl IrisKey {
    fn from_symbols(symbols: &[u16], symbol_bits: usize, salt: [u8; SALT_LEN]) -> IrisKey {
        let bits = symbols.len() * symbol_bits;
        let mut bytes = Zeroizing::new(vec![0u8; bits.div_ceil(8)]);
        let mut i = 0;
        for &s in symbols {
            for b in (0..symbol_bits).rev() {
                if (s >> b) & 1 == 1 {
                    bytes[i / 8] |= 0x80 >> (i % 8);
                }
                i += 1;
            }
        }
        IrisKey { bytes, bits, salt }
    }

    /// Number of key bits (`k·(m+1)`).
    pub fn key_bits(&self) -> usize {
        self.bits
    }

    fn prk(&self) -> Hkdf<Sha256> {
        Hkdf::<Sha256>::new(Some(&self.salt), &self.bytes)
    }

    /// The 32-byte key for the rest of Nightjar:
    /// `HKDF-SHA256(salt = record salt, IKM = K, info = "nightjar-iris-v1 master key")`.
    pub fn master_key(&self) -> Zeroizing<[u8; 32]> {
        let mut out = Zeroizing::new([0u8; 32]);
        self.prk()
            .expand(MASTER_INFO, &mut out[..])
            .expect("invariant: 32 bytes is a valid HKDF-SHA256 output length");
        out
    }

    /// The record tag this key gives over a record digest.
    fn tag(&self, digest: &[u8; 32]) -> [u8; TAG_LEN] {
        let mut ck = Zeroizing::new([0u8; 32]);
        self.prk()
            .expand(CHECK_INFO, &mut ck[..])
            .expect("invariant: 32 bytes is a valid HKDF-SHA256 output length");
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&ck[..])
            .expect("invariant: HMAC accepts keys of any length");
        mac.update(digest);
        mac.finalize().into_bytes().into()
    }
}

impl fmt::Debug for IrisKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IrisKey({} bits, <redacted>)", self.bits)
    }
}

/// A successful regeneration.
#[derive(Clone, Debug)]
pub struct Regenerated {
    /// The key.
    pub key: IrisKey,
    /// The rotation (angular samples) at which it was found.
    pub shift: i32,
    /// Reed–Solomon symbol errors corrected.
    pub symbol_errors: usize,
    /// Blocks declared erased.
    pub erased_blocks: usize,
}

fn check_code(code: &IrisCode, p: &BindParams) -> Result<(), BindError> {
    if code.rows != usize::from(p.rows) || code.cols != usize::from(p.cols) {
        return Err(BindError::ShapeMismatch {
            rows: code.rows,
            cols: code.cols,
            want_rows: p.rows,
            want_cols: p.cols,
        });
    }
    let words = p.code_bits().div_ceil(64);
    if code.bits.len() != words
        || code.mask.len() != words
        || !(code.weight.is_empty() || code.weight.len() == p.code_bits())
    {
        return Err(BindError::MalformedCode);
    }
    Ok(())
}

/// Binds a fresh random key to `code`: returns the record to store and the key.
pub fn enroll(
    code: &IrisCode,
    params: &ValidParams,
) -> Result<(EnrollmentRecord, IrisKey), BindError> {
    let p = params.params();
    let q = 1u32 << p.symbol_bits();
    let mut symbols = Zeroizing::new(vec![0u16; usize::from(p.k)]);
    let mut raw = Zeroizing::new(vec![0u8; 2 * symbols.len()]);
    getrandom::getrandom(&mut raw[..]).map_err(|e| BindError::Random(e.to_string()))?;
    for (s, pair) in symbols.iter_mut().zip(raw.chunks_exact(2)) {
        // q divides 2^16, so the reduction is unbiased.
        *s = (u32::from(u16::from_be_bytes([pair[0], pair[1]])) % q) as u16;
    }
    let mut salt = [0u8; SALT_LEN];
    getrandom::getrandom(&mut salt).map_err(|e| BindError::Random(e.to_string()))?;
    enroll_with(code, params, &symbols, salt)
}

/// [`enroll`] with a given key (`k` symbols of `m + 1` bits) and salt: deterministic, for
/// tests and known-answer vectors. Never use a key that is not uniformly random.
pub fn enroll_with(
    code: &IrisCode,
    params: &ValidParams,
    key_symbols: &[u16],
    salt: [u8; SALT_LEN],
) -> Result<(EnrollmentRecord, IrisKey), BindError> {
    let p = params.params();
    check_code(code, p)?;
    let codeword = params
        .rs
        .encode(key_symbols)
        .map_err(|_| BindError::BadParams("the key does not fit the outer code"))?;
    let block = p.block_bits();
    let total = p.codeword_bits();
    let mut usable = vec![0u8; total.div_ceil(8)];
    let mut helper = vec![0u8; total.div_ceil(8)];
    let mut count = 0usize;
    for (b, &sym) in codeword.iter().enumerate() {
        for x in 0..block {
            let j = b * block + x;
            let pos = params.positions[j] as usize;
            if code.valid(pos) {
                count += 1;
                usable[j / 8] |= 0x80 >> (j % 8);
                if rm::bit(u32::from(p.m), sym, x) ^ code.bit(pos) {
                    helper[j / 8] |= 0x80 >> (j % 8);
                }
            }
        }
    }
    if count * 100 < total * MIN_USABLE_PERCENT {
        return Err(BindError::TooFewUsableBits {
            usable: count,
            total,
        });
    }
    let key = IrisKey::from_symbols(key_symbols, p.symbol_bits(), salt);
    let record = EnrollmentRecord::seal(*p, salt, usable, helper, |digest| key.tag(digest));
    Ok((record, key))
}

/// The order in which rotations are tried: `0, +1, −1, +2, −2, …, ±w`.
pub fn shift_order(window: u8) -> impl Iterator<Item = i32> {
    (0..=i32::from(window)).flat_map(|d| if d == 0 { vec![0] } else { vec![d, -d] })
}

/// Regenerates the key bound in `record` from a fresh iris code, or fails with
/// [`BindError::NoMatch`].
pub fn regenerate(record: &EnrollmentRecord, code: &IrisCode) -> Result<Regenerated, BindError> {
    let params = record.params().validate()?;
    regenerate_with(record, &params, code)
}

/// [`regenerate`] with the record's parameters already validated (saves the set-up when many
/// codes are tried against records with the same parameters).
pub fn regenerate_with(
    record: &EnrollmentRecord,
    params: &ValidParams,
    code: &IrisCode,
) -> Result<Regenerated, BindError> {
    regenerate_limited(record, params, code, OUTER_SHIFTS)
}

/// How many rotations, the best first, get the outer decoding; the inner decoding runs at every
/// rotation of the window to rank them. On the synthetic eyes and in simulation, decoding at
/// every rotation never recovered a key that the best five missed (the genuine rotation ranks
/// first); five leaves a margin and saves most of the time impostor attempts would spend.
pub const OUTER_SHIFTS: usize = 5;

/// [`regenerate_with`], running the outer decoding at the `max_outer_shifts` best-ranked
/// rotations only (for measuring what the ranking costs; [`regenerate`] uses
/// [`OUTER_SHIFTS`]).
pub fn regenerate_limited(
    record: &EnrollmentRecord,
    params: &ValidParams,
    code: &IrisCode,
    max_outer_shifts: usize,
) -> Result<Regenerated, BindError> {
    let p = params.params();
    if record.params() != p {
        return Err(BindError::BadParams(
            "the parameters given are not the record's",
        ));
    }
    check_code(code, p)?;
    let digest = record.digest();
    let block = p.block_bits();
    let n = usize::from(p.n);
    let k = usize::from(p.k);
    let nsym = n - k;
    // Enrollment side, per codeword bit: 0 unusable, +1 helper bit 0, −1 helper bit 1.
    let enrolled: Vec<i32> = record
        .usable_bits()
        .iter()
        .zip(record.helper_bits())
        .map(|(&u, h)| {
            if !u {
                0
            } else if h {
                -1
            } else {
                1
            }
        })
        .collect();
    // Probe side, per iris bit: 0 masked, +w bit 0, −w bit 1 (w its reliability).
    let probe: Vec<i32> = (0..p.code_bits())
        .map(|i| {
            let w = i32::from(code.weight(i).clamp(1, MAX_WEIGHT));
            if !code.valid(i) {
                0
            } else if code.bit(i) {
                -w
            } else {
                w
            }
        })
        .collect();
    let cols = i64::from(p.cols);

    // Stage 1, every shift: the inner (Hadamard) decoding, and a quality score, the sum of the
    // blocks' best correlations (about the number of agreeing minus disagreeing bits).
    struct Candidate {
        shift: i32,
        quality: u64,
        symbols: Vec<u16>,
        margins: Vec<u32>,
    }
    let mut soft = vec![0i32; block];
    let mut candidates: Vec<Candidate> = Vec::with_capacity(2 * usize::from(p.shift_window) + 1);
    for shift in shift_order(p.shift_window) {
        // Column offset of the shift, in 0..cols (so `c + offset` needs one wrap at most).
        let offset = (-i64::from(shift)).rem_euclid(cols) as usize;
        let cols = cols as usize;
        let mut symbols = vec![0u16; n];
        let mut margins = vec![0u32; n];
        let mut quality = 0u64;
        for b in 0..n {
            for (x, s) in soft.iter_mut().enumerate() {
                let j = b * block + x;
                let mut c = usize::from(params.column[j]) + offset;
                if c >= cols {
                    c -= cols;
                }
                *s = enrolled[j] * probe[params.row_base[j] as usize + 2 * c];
            }
            let d = rm::decode(&mut soft).ok_or(BindError::BadParams("bad inner block length"))?;
            symbols[b] = d.symbol;
            margins[b] = d.margin;
            quality += u64::from(d.correlation);
        }
        candidates.push(Candidate {
            shift,
            quality,
            symbols,
            margins,
        });
    }
    // Stage 2, the most promising shifts first: the outer (Reed–Solomon) decoding.
    candidates.sort_by_key(|c| std::cmp::Reverse(c.quality)); // stable: ties keep shift order
    let mut by_reliability: Vec<usize> = (0..n).collect();
    let mut tried: Vec<Zeroizing<Vec<u16>>> = Vec::new();
    for cand in candidates.iter().take(max_outer_shifts) {
        let (symbols, margins) = (&cand.symbols, &cand.margins);
        by_reliability.sort_by_key(|&b| (margins[b], b));
        let ties = margins.iter().filter(|&&m| m == 0).count();
        if ties > nsym {
            continue;
        }
        let synd = params.rs.syndromes(symbols);
        // Generalised minimum distance: erase the f least reliable blocks, f = ties, ties + 2,
        // …, and finally n − k (Forney's schedule: each step trades one error for two
        // erasures).
        let schedule = (ties..=nsym)
            .step_by(2)
            .chain(((nsym - ties) % 2 == 1).then_some(nsym));
        for f in schedule {
            let Ok(decoded) = params
                .rs
                .decode_with_syndromes(symbols, &synd, &by_reliability[..f])
            else {
                continue;
            };
            let message = &decoded.codeword[..k];
            if tried.iter().any(|t| t[..] == *message) {
                continue;
            }
            let key = IrisKey::from_symbols(message, p.symbol_bits(), *record.salt());
            if bool::from(key.tag(&digest).ct_eq(record.tag())) {
                return Ok(Regenerated {
                    key,
                    shift: cand.shift,
                    symbol_errors: decoded.errors,
                    erased_blocks: f,
                });
            }
            tried.push(Zeroizing::new(message.to_vec()));
        }
    }
    Err(BindError::NoMatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_parameters_for_the_encoder_shape() {
        let p = BindParams::default_for(8, 256);
        assert_eq!((p.m, p.n, p.k), (7, 32, 20));
        assert_eq!(p.key_bits(), 160);
        assert_eq!(p.codeword_bits(), 4096);
        assert_eq!(p.stride % 2, 1);
        assert!(p.validate().is_ok());
    }

    #[test]
    fn shift_order_starts_at_zero_and_alternates() {
        assert_eq!(shift_order(2).collect::<Vec<_>>(), vec![0, 1, -1, 2, -2]);
    }

    #[test]
    fn query_index_matches_iris_code_shifted() {
        let p = BindParams {
            rows: 3,
            cols: 16,
            m: 4,
            n: 6,
            k: 3,
            stride: default_stride(96),
            shift_window: 4,
        };
        let mut p = p;
        p.k = 5; // 5 * 5 = 25 bits < 64: validate refuses, use a bigger layout below
        assert!(p.validate().is_err());
        let p = BindParams {
            rows: 4,
            cols: 64,
            m: 4,
            n: 30,
            k: 14,
            stride: default_stride(512),
            shift_window: 8,
        };
        let v = p.validate().unwrap();
        let mut code = IrisCode::empty(4, 64);
        for i in 0..code.len() {
            code.set(i, (i * 7 + i / 5) % 3 == 0, i % 11 != 0);
        }
        for shift in [-8, -1, 0, 3, 8] {
            let s = code.shifted(shift);
            for j in 0..p.codeword_bits() {
                let pos = v.positions[j] as usize;
                let qi = v.query_index(j, shift);
                assert_eq!(s.bit(pos), code.bit(qi));
                assert_eq!(s.valid(pos), code.valid(qi));
            }
        }
    }

    #[test]
    fn default_stride_is_coprime() {
        for bits in [64usize, 96, 512, 4096, 6000, 8190] {
            let s = default_stride(bits) as usize;
            assert!(s > 0 && s < bits && gcd(s, bits) == 1, "{bits}: {s}");
        }
    }
}
