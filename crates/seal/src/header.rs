//! The 30-byte envelope header: encoding, full validation, and the sealing
//! options that choose its chunk size.

use crate::error::SealError;
use crate::key::{check_rounds, KdfKind};
use crate::{
    DEFAULT_CHUNK_SIZE, HEADER_LEN, MAGIC, MAX_CHUNK_SIZE, MAX_KDF_ROUNDS, MIN_CHUNK_SIZE,
    SALT_LEN, VERSION,
};

/// A parsed and fully validated envelope header.
///
/// [`parse_header`] only returns headers whose every field is acceptable:
/// the version is [`VERSION`], the rounds suit the KDF (0 for raw and master
/// keys, 1..=[`MAX_KDF_ROUNDS`] for passphrases and two-factor keys) and the
/// chunk size is a multiple of 8 in 64..=[`MAX_CHUNK_SIZE`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// Format version, always [`VERSION`] for a parsed header.
    pub version: u8,
    /// The kind of key needed to open the envelope.
    pub kdf: KdfKind,
    /// bcrypt-pbkdf rounds for [`KdfKind::Passphrase`] and
    /// [`KdfKind::TwoFactor`]; 0 otherwise.
    pub rounds: u32,
    /// Plaintext bytes per chunk (every chunk but the last is exactly this long).
    pub chunk_size: u32,
    /// The envelope's random salt.
    pub salt: [u8; SALT_LEN],
}

impl Header {
    /// The 30 header bytes, exactly as they are written and authenticated.
    pub fn to_bytes(&self) -> [u8; HEADER_LEN] {
        let mut b = [0u8; HEADER_LEN];
        b[0..4].copy_from_slice(&MAGIC);
        b[4] = self.version;
        b[5] = self.kdf.id();
        b[6..10].copy_from_slice(&self.rounds.to_be_bytes());
        b[10..14].copy_from_slice(&self.chunk_size.to_be_bytes());
        b[14..30].copy_from_slice(&self.salt);
        b
    }

    /// Checks every field (the same checks [`parse_header`] applies).
    pub fn validate(&self) -> Result<(), SealError> {
        if self.version != VERSION {
            return Err(SealError::UnsupportedVersion(self.version));
        }
        match self.kdf {
            KdfKind::RawKey | KdfKind::Master => {
                if self.rounds != 0 {
                    return Err(SealError::BadHeader(
                        "the kdf rounds field must be 0 for a raw or master key",
                    ));
                }
            }
            KdfKind::Passphrase | KdfKind::TwoFactor => {
                if self.rounds > MAX_KDF_ROUNDS {
                    return Err(SealError::BadHeader(
                        "the bcrypt-pbkdf rounds exceed the limit of 4096 (refused without running the kdf)",
                    ));
                }
                check_rounds(self.rounds).map_err(SealError::BadHeader)?;
            }
        }
        check_chunk_size(self.chunk_size).map_err(SealError::BadHeader)
    }
}

/// Parses and fully validates the 30-byte header at the start of `bytes`.
///
/// `bytes` may be a whole envelope (the body after the header is ignored) or
/// just its first 30 bytes. Use it to tell a user which kind of key an
/// envelope needs before asking for one. Checks, in order: the magic
/// ([`SealError::NotAnEnvelope`]), the version
/// ([`SealError::UnsupportedVersion`]), the length
/// ([`SealError::BadHeader`]), the KDF id ([`SealError::UnsupportedKdf`]),
/// the rounds and the chunk size ([`SealError::BadHeader`]).
pub fn parse_header(bytes: &[u8]) -> Result<Header, SealError> {
    if bytes.len() < MAGIC.len() || bytes[..MAGIC.len()] != MAGIC {
        return Err(SealError::NotAnEnvelope);
    }
    let Some(&version) = bytes.get(4) else {
        return Err(SealError::BadHeader(
            "truncated: the header is 30 bytes long",
        ));
    };
    if version != VERSION {
        return Err(SealError::UnsupportedVersion(version));
    }
    let Some(h) = bytes.get(..HEADER_LEN) else {
        return Err(SealError::BadHeader(
            "truncated: the header is 30 bytes long",
        ));
    };
    let kdf = KdfKind::from_id(h[5]).ok_or(SealError::UnsupportedKdf(h[5]))?;
    let rounds = u32::from_be_bytes([h[6], h[7], h[8], h[9]]);
    let chunk_size = u32::from_be_bytes([h[10], h[11], h[12], h[13]]);
    let mut salt = [0u8; SALT_LEN];
    salt.copy_from_slice(&h[14..30]);
    let header = Header {
        version,
        kdf,
        rounds,
        chunk_size,
        salt,
    };
    header.validate()?;
    Ok(header)
}

/// Checks a chunk size: a multiple of 8 in 64..=8 MiB.
pub(crate) fn check_chunk_size(chunk_size: u32) -> Result<(), &'static str> {
    if chunk_size < MIN_CHUNK_SIZE {
        Err("the chunk size must be at least 64 bytes")
    } else if chunk_size > MAX_CHUNK_SIZE {
        Err("the chunk size must be at most 8 MiB (2^20 Blowfish blocks, the Sweet32 bound)")
    } else if chunk_size % 8 != 0 {
        Err("the chunk size must be a multiple of 8 (the Blowfish block size)")
    } else {
        Ok(())
    }
}

/// Options for sealing. Fields are public; every sealing function validates
/// them ([`SealError::InvalidOptions`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SealOptions {
    /// Plaintext bytes per chunk: a multiple of 8 in 64..=[`MAX_CHUNK_SIZE`].
    /// Default [`DEFAULT_CHUNK_SIZE`] (1 MiB).
    pub chunk_size: u32,
}

impl Default for SealOptions {
    fn default() -> Self {
        SealOptions {
            chunk_size: DEFAULT_CHUNK_SIZE,
        }
    }
}

impl SealOptions {
    /// Options with the given chunk size, checked.
    pub fn with_chunk_size(chunk_size: u32) -> Result<Self, SealError> {
        let opts = SealOptions { chunk_size };
        opts.validate()?;
        Ok(opts)
    }

    /// Checks the options.
    pub fn validate(&self) -> Result<(), SealError> {
        check_chunk_size(self.chunk_size).map_err(SealError::InvalidOptions)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Header {
        Header {
            version: VERSION,
            kdf: KdfKind::Passphrase,
            rounds: 16,
            chunk_size: 4096,
            salt: [0xA5; SALT_LEN],
        }
    }

    #[test]
    fn header_bytes_are_laid_out_as_documented() {
        let b = sample().to_bytes();
        assert_eq!(&b[0..4], b"NJSE");
        assert_eq!(b[4], 1);
        assert_eq!(b[5], 2);
        assert_eq!(&b[6..10], &[0, 0, 0, 16]);
        assert_eq!(&b[10..14], &[0, 0, 0x10, 0]);
        assert_eq!(&b[14..30], &[0xA5; 16]);
        assert_eq!(parse_header(&b).unwrap(), sample());
    }

    #[test]
    fn parse_header_rejects_each_bad_field() {
        let good = sample().to_bytes();
        assert!(matches!(parse_header(b""), Err(SealError::NotAnEnvelope)));
        assert!(matches!(
            parse_header(b"NJS"),
            Err(SealError::NotAnEnvelope)
        ));
        assert!(matches!(
            parse_header(b"PK\x03\x04zip"),
            Err(SealError::NotAnEnvelope)
        ));
        assert!(matches!(
            parse_header(&good[..4]),
            Err(SealError::BadHeader(_))
        ));
        assert!(matches!(
            parse_header(&good[..29]),
            Err(SealError::BadHeader(_))
        ));

        let mut b = good;
        b[4] = 2;
        assert!(matches!(
            parse_header(&b),
            Err(SealError::UnsupportedVersion(2))
        ));
        let mut b = good;
        b[5] = 9;
        assert!(matches!(
            parse_header(&b),
            Err(SealError::UnsupportedKdf(9))
        ));
        let mut b = good;
        b[6..10].copy_from_slice(&0u32.to_be_bytes());
        assert!(matches!(parse_header(&b), Err(SealError::BadHeader(_))));
        let mut b = good;
        b[6..10].copy_from_slice(&4097u32.to_be_bytes());
        assert!(matches!(parse_header(&b), Err(SealError::BadHeader(_))));
        let mut b = good;
        b[5] = 1; // raw key must have rounds 0
        assert!(matches!(parse_header(&b), Err(SealError::BadHeader(_))));
        for bad in [0u32, 56, 60, 4100, MAX_CHUNK_SIZE + 8, u32::MAX] {
            let mut b = good;
            b[10..14].copy_from_slice(&bad.to_be_bytes());
            assert!(
                matches!(parse_header(&b), Err(SealError::BadHeader(_))),
                "{bad}"
            );
        }
        for ok in [64u32, 72, MAX_CHUNK_SIZE] {
            let mut b = good;
            b[10..14].copy_from_slice(&ok.to_be_bytes());
            assert_eq!(parse_header(&b).unwrap().chunk_size, ok);
        }
    }

    #[test]
    fn parse_header_ignores_the_body_after_the_header() {
        let mut v = sample().to_bytes().to_vec();
        v.extend_from_slice(&[1, 2, 3]);
        assert_eq!(parse_header(&v).unwrap(), sample());
    }

    #[test]
    fn seal_options_validate_the_chunk_size() {
        assert!(SealOptions::default().validate().is_ok());
        assert_eq!(SealOptions::default().chunk_size, 1 << 20);
        assert!(SealOptions::with_chunk_size(64).is_ok());
        assert!(matches!(
            SealOptions::with_chunk_size(65),
            Err(SealError::InvalidOptions(_))
        ));
        assert!(matches!(
            SealOptions::with_chunk_size(MAX_CHUNK_SIZE * 2),
            Err(SealError::InvalidOptions(_))
        ));
    }
}
