//! Keys and the key-derivation functions that turn them into envelope keys.
//!
//! Every secret type here zeroizes its bytes on drop and has a redacting
//! `Debug`. Secret types cannot be built from outside this crate except
//! through the checked constructors ([`Key::raw`], [`Key::passphrase`],
//! [`MasterKey::from_bytes`]), so a [`Key`] always satisfies its invariants.

use std::fmt;

use hkdf::Hkdf;
use sha2::Sha256;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::error::SealError;
use crate::{MAX_KDF_ROUNDS, MAX_RAW_KEY_LEN, MIN_RAW_KEY_LEN, SALT_LEN};

/// Length of a [`MasterKey`] and of every derived key in bytes.
pub const MASTER_KEY_LEN: usize = 32;

/// The kind of key an envelope was sealed with (the header's KDF id).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KdfKind {
    /// KDF id 1: raw key bytes, typically from a key file.
    RawKey,
    /// KDF id 2: a passphrase stretched with bcrypt-pbkdf.
    Passphrase,
    /// KDF id 3: a 32-byte master key derived outside the envelope (from an
    /// iris, by the stego layer).
    Master,
    /// KDF id 4: two factors, a 32-byte master key (from an iris) and a
    /// passphrase stretched with bcrypt-pbkdf, combined by HKDF.
    TwoFactor,
}

impl KdfKind {
    /// The KDF id written in the envelope header.
    pub const fn id(self) -> u8 {
        match self {
            KdfKind::RawKey => 1,
            KdfKind::Passphrase => 2,
            KdfKind::Master => 3,
            KdfKind::TwoFactor => 4,
        }
    }

    /// The kind for a header KDF id, if known.
    pub const fn from_id(id: u8) -> Option<KdfKind> {
        match id {
            1 => Some(KdfKind::RawKey),
            2 => Some(KdfKind::Passphrase),
            3 => Some(KdfKind::Master),
            4 => Some(KdfKind::TwoFactor),
            _ => None,
        }
    }
}

impl fmt::Display for KdfKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KdfKind::RawKey => "raw key",
            KdfKind::Passphrase => "passphrase (bcrypt-pbkdf)",
            KdfKind::Master => "derived master key",
            KdfKind::TwoFactor => "two-factor key (master key + passphrase)",
        })
    }
}

impl KdfKind {
    /// Whether this kind stretches a passphrase with bcrypt-pbkdf (and so
    /// has a rounds field of 1..=[`MAX_KDF_ROUNDS`] in the header).
    pub const fn uses_passphrase(self) -> bool {
        matches!(self, KdfKind::Passphrase | KdfKind::TwoFactor)
    }
}

/// A 32-byte key derived outside the envelope (iris, two factors, stego
/// layer). Zeroized on drop; `Debug` prints `MasterKey(<redacted>)`;
/// equality is constant-time.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct MasterKey([u8; MASTER_KEY_LEN]);

impl MasterKey {
    /// Wraps 32 key bytes. The caller should zeroize its own copy.
    pub fn from_bytes(bytes: [u8; MASTER_KEY_LEN]) -> Self {
        MasterKey(bytes)
    }

    /// The key bytes.
    pub fn as_bytes(&self) -> &[u8; MASTER_KEY_LEN] {
        &self.0
    }

    /// An independent key for one purpose:
    /// `HKDF-SHA256(salt = none, IKM = self, info = label)`, 32 bytes.
    ///
    /// Different labels give independent keys; use one label per purpose
    /// (for example `"nightjar stego scatter"`).
    pub fn subkey(&self, label: &str) -> MasterKey {
        let hk = Hkdf::<Sha256>::new(None, &self.0);
        let mut out = [0u8; MASTER_KEY_LEN];
        hk.expand(label.as_bytes(), &mut out)
            .expect("invariant: 32 bytes is a valid HKDF-SHA256 output length");
        MasterKey(out)
    }
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey(<redacted>)")
    }
}

impl ConstantTimeEq for MasterKey {
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        self.0.ct_eq(&other.0)
    }
}

impl PartialEq for MasterKey {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}

impl Eq for MasterKey {}

/// Secret bytes (a raw key or a passphrase) held inside a [`Key`].
///
/// Opaque: it can only be made by [`Key::raw`] and [`Key::passphrase`].
/// Zeroized on drop; `Debug` prints `<redacted>`.
#[derive(Clone)]
pub struct SecretBytes(Zeroizing<Vec<u8>>);

impl SecretBytes {
    fn new(bytes: &[u8]) -> Self {
        SecretBytes(Zeroizing::new(bytes.to_vec()))
    }

    pub(crate) fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// A key that can seal and open envelopes.
///
/// Build it with [`Key::raw`], [`Key::passphrase`], [`Key::master`] or
/// [`Key::two_factor`]; the `Raw`, `Passphrase` and `TwoFactor` variants
/// cannot be constructed directly (they are `#[non_exhaustive]` and hold
/// opaque [`SecretBytes`]), so every `Key` satisfies the checks of its
/// constructor. `Debug` never prints key bytes.
#[derive(Clone)]
pub enum Key {
    /// Raw key bytes (KDF id 1), 16..=1024 bytes.
    #[non_exhaustive]
    Raw(SecretBytes),
    /// A passphrase (KDF id 2) and the bcrypt-pbkdf rounds used when sealing.
    #[non_exhaustive]
    Passphrase {
        /// The passphrase (non-empty).
        pass: SecretBytes,
        /// bcrypt-pbkdf rounds used when sealing, 1..=[`MAX_KDF_ROUNDS`].
        /// When opening, the rounds stored in the envelope header are used.
        rounds: u32,
    },
    /// A derived 32-byte master key (KDF id 3).
    Master(MasterKey),
    /// Two factors (KDF id 4): a 32-byte master key (from an iris) and a
    /// passphrase; both are needed.
    #[non_exhaustive]
    TwoFactor {
        /// The master key (first factor).
        master: MasterKey,
        /// The passphrase (second factor, non-empty).
        pass: SecretBytes,
        /// bcrypt-pbkdf rounds used when sealing, 1..=[`MAX_KDF_ROUNDS`].
        /// When opening, the rounds stored in the envelope header are used.
        rounds: u32,
    },
}

impl Key {
    /// A raw key (the bytes of a key file): 16 to 1024 bytes.
    pub fn raw(bytes: &[u8]) -> Result<Key, SealError> {
        if bytes.len() < MIN_RAW_KEY_LEN {
            return Err(SealError::InvalidKey(
                "the raw key is too short: a key file must hold at least 16 bytes",
            ));
        }
        if bytes.len() > MAX_RAW_KEY_LEN {
            return Err(SealError::InvalidKey(
                "the raw key is too long: a key file may hold at most 1024 bytes",
            ));
        }
        Ok(Key::Raw(SecretBytes::new(bytes)))
    }

    /// A passphrase, stretched with bcrypt-pbkdf using `rounds` when sealing
    /// (1..=[`MAX_KDF_ROUNDS`]; [`DEFAULT_KDF_ROUNDS`](crate::DEFAULT_KDF_ROUNDS) is a good choice).
    pub fn passphrase(pass: &[u8], rounds: u32) -> Result<Key, SealError> {
        if pass.is_empty() {
            return Err(SealError::InvalidKey("the passphrase is empty"));
        }
        check_rounds(rounds).map_err(SealError::InvalidOptions)?;
        Ok(Key::Passphrase {
            pass: SecretBytes::new(pass),
            rounds,
        })
    }

    /// A derived master key.
    pub fn master(m: MasterKey) -> Key {
        Key::Master(m)
    }

    /// Two factors: a master key (for example regenerated from an iris) and a
    /// passphrase stretched with bcrypt-pbkdf using `rounds` when sealing
    /// (1..=[`MAX_KDF_ROUNDS`]). The two are combined by HKDF: the input
    /// keying material is `master || bcrypt_pbkdf(passphrase, salt, rounds, 32)`,
    /// so an envelope opens only with both.
    pub fn two_factor(master: MasterKey, pass: &[u8], rounds: u32) -> Result<Key, SealError> {
        if pass.is_empty() {
            return Err(SealError::InvalidKey("the passphrase is empty"));
        }
        check_rounds(rounds).map_err(SealError::InvalidOptions)?;
        Ok(Key::TwoFactor {
            master,
            pass: SecretBytes::new(pass),
            rounds,
        })
    }

    /// The kind of this key, as named in envelope headers.
    pub fn kind(&self) -> KdfKind {
        match self {
            Key::Raw(_) => KdfKind::RawKey,
            Key::Passphrase { .. } => KdfKind::Passphrase,
            Key::Master(_) => KdfKind::Master,
            Key::TwoFactor { .. } => KdfKind::TwoFactor,
        }
    }

    /// The rounds field this key writes into a header it seals.
    pub(crate) fn header_rounds(&self) -> u32 {
        match self {
            Key::Passphrase { rounds, .. } | Key::TwoFactor { rounds, .. } => *rounds,
            Key::Raw(_) | Key::Master(_) => 0,
        }
    }

    /// Stretches this key with a salt into a 32-byte master key. Used by
    /// layers that keep their own salt (the stego layer keeps it in the
    /// image):
    ///
    /// * raw key: `HKDF-SHA256-Extract(salt, raw bytes)`;
    /// * passphrase: `bcrypt_pbkdf(passphrase, salt, rounds, 32)`, with this
    ///   key's rounds;
    /// * master key: `HKDF-SHA256-Extract(salt, master)`;
    /// * two factors: `HKDF-SHA256-Extract(salt, master || bcrypt_pbkdf(passphrase,
    ///   salt, rounds, 32))`, with this key's rounds.
    pub fn stretch(&self, salt: &[u8; SALT_LEN]) -> MasterKey {
        match self {
            Key::Raw(bytes) => hkdf_extract(salt, bytes.expose()),
            Key::Passphrase { pass, rounds } => {
                let out = bcrypt32(pass.expose(), salt, *rounds).expect(
                    "invariant: Key::passphrase guarantees a non-empty passphrase and 1..=MAX_KDF_ROUNDS rounds",
                );
                MasterKey::from_bytes(*out)
            }
            Key::Master(m) => hkdf_extract(salt, m.as_bytes()),
            Key::TwoFactor {
                master,
                pass,
                rounds,
            } => {
                let ikm = two_factor_ikm(master, pass.expose(), salt, *rounds).expect(
                    "invariant: Key::two_factor guarantees a non-empty passphrase and 1..=MAX_KDF_ROUNDS rounds",
                );
                hkdf_extract(salt, &ikm[..])
            }
        }
    }
}

/// The two-factor input keying material:
/// `master (32 bytes) || bcrypt_pbkdf(pass, salt, rounds, 32)`.
pub(crate) fn two_factor_ikm(
    master: &MasterKey,
    pass: &[u8],
    salt: &[u8],
    rounds: u32,
) -> Result<Zeroizing<[u8; 2 * MASTER_KEY_LEN]>, SealError> {
    let stretched = bcrypt32(pass, salt, rounds)?;
    let mut ikm = Zeroizing::new([0u8; 2 * MASTER_KEY_LEN]);
    ikm[..MASTER_KEY_LEN].copy_from_slice(master.as_bytes());
    ikm[MASTER_KEY_LEN..].copy_from_slice(&stretched[..]);
    Ok(ikm)
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Key::Raw(_) => f.write_str("Key::Raw(<redacted>)"),
            Key::Passphrase { rounds, .. } => f
                .debug_struct("Key::Passphrase")
                .field("pass", &format_args!("<redacted>"))
                .field("rounds", rounds)
                .finish(),
            Key::Master(m) => write!(f, "Key::Master({m:?})"),
            Key::TwoFactor { master, rounds, .. } => f
                .debug_struct("Key::TwoFactor")
                .field("master", master)
                .field("pass", &format_args!("<redacted>"))
                .field("rounds", rounds)
                .finish(),
        }
    }
}

/// Checks bcrypt-pbkdf rounds against `1..=MAX_KDF_ROUNDS`.
pub(crate) fn check_rounds(rounds: u32) -> Result<(), &'static str> {
    if rounds == 0 {
        Err("bcrypt-pbkdf rounds must be at least 1")
    } else if rounds > MAX_KDF_ROUNDS {
        Err("bcrypt-pbkdf rounds must be at most 4096")
    } else {
        Ok(())
    }
}

/// `HKDF-SHA256-Extract(salt, ikm)` as a master key.
fn hkdf_extract(salt: &[u8], ikm: &[u8]) -> MasterKey {
    let (mut prk, _) = Hkdf::<Sha256>::extract(Some(salt), ikm);
    let mut out = [0u8; MASTER_KEY_LEN];
    out.copy_from_slice(&prk);
    prk.as_mut_slice().zeroize();
    MasterKey::from_bytes(out)
}

/// `bcrypt_pbkdf(pass, salt, rounds, 32 bytes)`.
pub(crate) fn bcrypt32(
    pass: &[u8],
    salt: &[u8],
    rounds: u32,
) -> Result<Zeroizing<[u8; MASTER_KEY_LEN]>, SealError> {
    if pass.is_empty() {
        return Err(SealError::InvalidKey("the passphrase is empty"));
    }
    check_rounds(rounds).map_err(SealError::InvalidOptions)?;
    let mut out = Zeroizing::new([0u8; MASTER_KEY_LEN]);
    bcrypt_pbkdf::bcrypt_pbkdf(pass, salt, rounds, &mut out[..])
        .map_err(|_| SealError::InvalidKey("bcrypt-pbkdf rejected the passphrase parameters"))?;
    Ok(out)
}

/// 32 random bytes from the operating system, for `nightjar keygen`.
pub fn random_key() -> Result<Zeroizing<[u8; 32]>, SealError> {
    let mut key = Zeroizing::new([0u8; 32]);
    getrandom::getrandom(&mut key[..]).map_err(|e| SealError::Random(e.to_string()))?;
    Ok(key)
}

/// A fresh random 16-byte salt from the operating system.
pub fn random_salt() -> Result<[u8; SALT_LEN], SealError> {
    let mut salt = [0u8; SALT_LEN];
    getrandom::getrandom(&mut salt).map_err(|e| SealError::Random(e.to_string()))?;
    Ok(salt)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kdf_ids_round_trip_and_unknown_ids_are_none() {
        for kind in [
            KdfKind::RawKey,
            KdfKind::Passphrase,
            KdfKind::Master,
            KdfKind::TwoFactor,
        ] {
            assert_eq!(KdfKind::from_id(kind.id()), Some(kind));
        }
        assert_eq!(KdfKind::TwoFactor.id(), 4);
        for id in [0u8, 5, 255] {
            assert_eq!(KdfKind::from_id(id), None);
        }
    }

    #[test]
    fn rounds_message_names_the_real_limit() {
        let msg = check_rounds(MAX_KDF_ROUNDS + 1).unwrap_err();
        assert!(msg.contains(&MAX_KDF_ROUNDS.to_string()), "{msg}");
    }

    #[test]
    fn raw_key_length_limits_match_the_messages() {
        assert_eq!(MIN_RAW_KEY_LEN, 16);
        assert_eq!(MAX_RAW_KEY_LEN, 1024);
    }

    #[test]
    fn master_key_equality_is_by_value() {
        let a = MasterKey::from_bytes([1; 32]);
        let b = MasterKey::from_bytes([1; 32]);
        let c = MasterKey::from_bytes([2; 32]);
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
}
