#![deny(unsafe_code)]
#![warn(missing_docs)]
//! # nightjar-seal: keys, key derivation and the authenticated Blowfish envelope
//!
//! This crate is the cryptographic layer of Nightjar (DESIGN §3). It turns a
//! key (a key file, a passphrase, or a 32-byte master key derived elsewhere,
//! for example from an iris) and a message into a self-describing
//! **envelope**, and back. The envelope is what the stego layer hides in an
//! image and what `nightjar seal` / `nightjar open` read and write.
//!
//! The cipher is Blowfish, as in the source paper, but used safely:
//!
//! * **Encrypt-then-MAC.** Blowfish in CTR mode for confidentiality,
//!   HMAC-SHA256 over the header and the ciphertext for integrity; tags are
//!   compared in constant time, and no plaintext is released before its
//!   chunk's tag verifies.
//! * **Per-message, per-chunk keys.** A fresh random 16-byte salt per
//!   envelope and HKDF-SHA256 give every chunk of every message its own
//!   Blowfish key and HMAC key, so no key/counter pair ever repeats (which is
//!   why the CTR IV can be all zero).
//! * **Sweet32.** Blowfish has 64-bit blocks; no derived key encrypts more
//!   than 2^20 blocks (8 MiB). Long messages are cut into chunks of at most
//!   8 MiB (1 MiB by default), each with its own key.
//! * **STREAM.** Each chunk carries its own tag, computed over its index and
//!   a flag marking the final chunk, so chunks cannot be reordered, dropped
//!   or duplicated, and the message cannot be truncated at a chunk boundary
//!   or extended.
//! * **One error for wrong key and tampering.** Both are
//!   [`SealError::AuthenticationFailed`]: "authentication failed: wrong key
//!   or the data was altered".
//!
//! ## What is and is not protected
//!
//! Authenticated (any change is detected): every header byte (magic,
//! version, KDF id, rounds, chunk size, salt), every ciphertext byte, the
//! order of the chunks and the end of the message.
//!
//! Not hidden: the length of the message (the envelope is
//! `sealed_len(len)` bytes, see [`sealed_len`]), the kind of key used and the
//! KDF parameters (they are in the clear header so that a reader knows what
//! to ask for), and the chunk size. Confidentiality rests on the key: a
//! passphrase is only as strong as bcrypt-pbkdf with its rounds makes it.
//!
//! ## Envelope format, version 1
//!
//! All integers are unsigned big-endian. The **header** is 30 bytes:
//!
//! | offset | size | field | value |
//! |---:|---:|---|---|
//! | 0 | 4 | magic | `4E 4A 53 45` (`b"NJSE"`, [`MAGIC`]) |
//! | 4 | 1 | version | `01` ([`VERSION`]) |
//! | 5 | 1 | KDF id | `01` raw key, `02` passphrase (bcrypt-pbkdf), `03` derived master key, `04` two factors: master key + passphrase ([`KdfKind`]) |
//! | 6 | 4 | KDF rounds (u32) | `0` for ids 1 and 3; bcrypt-pbkdf rounds `1..=4096` ([`MAX_KDF_ROUNDS`]) for ids 2 and 4, default 16 |
//! | 10 | 4 | chunk size C (u32) | plaintext bytes per chunk: a multiple of 8 in `64..=8_388_608` (8 MiB = 2^20 Blowfish blocks); default 1 MiB |
//! | 14 | 16 | salt | random ([`random_salt`], from the OS via `getrandom`) |
//!
//! The **body** follows at offset 30: one or more chunks, chunk *i* (from 0)
//! being `ciphertext_i || tag_i` with a 32-byte tag. The number of chunks is
//! `n = max(1, ceil(len / C))` for a message of `len` bytes. Every chunk but
//! the last has exactly `C` bytes of ciphertext (`C + 32` bytes in all); the
//! last holds the rest, `1..=C` bytes, or 0 bytes when the message is empty
//! (and only then). A message of exactly `k·C` bytes therefore has `k`
//! chunks, the last one full. A reader takes the remaining body as the last
//! chunk when at most `C + 32` bytes are left, and rejects a last chunk
//! shorter than 32 bytes. The envelope length is
//! `30 + len + 32·n` ([`sealed_len`]).
//!
//! **Keys.** The input keying material is
//!
//! * id 1: the raw key bytes (16..=1024 bytes, [`Key::raw`]);
//! * id 2: `bcrypt_pbkdf(passphrase, salt, rounds, 32)` ([`Key::passphrase`]);
//! * id 3: the 32-byte master key ([`Key::master`]);
//! * id 4: `master || bcrypt_pbkdf(passphrase, salt, rounds, 32)`, 64 bytes
//!   ([`Key::two_factor`]): two factors (for example an iris-regenerated
//!   master key and a passphrase) combined by HKDF, so that neither alone
//!   opens the envelope.
//!
//! Then `PRK = HKDF-SHA256-Extract(salt = envelope salt, IKM)`, and for chunk
//! *i*: `OKM_i = HKDF-SHA256-Expand(PRK, info = "nightjar-seal-v1 chunk" ||
//! u64(i), 64)`; `OKM_i[0..32]` is the chunk's Blowfish key and
//! `OKM_i[32..64]` its HMAC key.
//!
//! **Encryption.** `ciphertext_i = plaintext_i XOR keystream`, Blowfish with
//! the 32-byte chunk key in CTR mode as `ctr::Ctr64BE<blowfish::Blowfish>`
//! with an all-zero IV: keystream block *j* is `Blowfish(key_i, u64(j))`.
//!
//! **Tag.** `tag_i = HMAC-SHA256(mac key_i, header (30 bytes) || u64(i) ||
//! u8(last) || ciphertext_i)`, where `last` is 1 for the final chunk and 0
//! otherwise.
//!
//! **Opening.** The header is parsed and fully validated ([`parse_header`]);
//! the key's kind must match the KDF id ([`SealError::KeyKindMismatch`]),
//! checked before any KDF work; rounds above [`MAX_KDF_ROUNDS`] are refused
//! before bcrypt-pbkdf runs. Each chunk's tag is verified (in constant time)
//! before that chunk is decrypted. [`open`] is all-or-nothing;
//! [`open_stream`] writes only verified chunks, in order, and the caller must
//! discard its output on error.
//!
//! ## Key sources beyond the envelope
//!
//! [`Key::stretch`] turns a key and an outside salt into a [`MasterKey`]
//! (the stego layer keeps its salt in the image), and
//! [`MasterKey::subkey`] derives independent per-purpose keys by HKDF
//! label. Two factors (an iris-regenerated master key and a passphrase) are
//! one [`Key::two_factor`]: its envelopes carry KDF id 4, and its
//! [`Key::stretch`] is `HKDF-Extract(salt, master || bcrypt_pbkdf(passphrase,
//! salt, rounds, 32))`.
//!
//! ## Secret hygiene
//!
//! Raw keys, passphrases, master keys, bcrypt-pbkdf output, chunk keys and
//! the plaintext buffers of the streaming functions are zeroized on drop
//! (`zeroize`; Blowfish key schedules through `blowfish`'s `zeroize`
//! feature). `Debug` of every key type prints `<redacted>`. The internal
//! hash states kept by `hmac`/`hkdf` 0.12 (HMAC pads, PRK) cannot be zeroized
//! through their API; they live only for one call.
//!
//! ## Example
//!
//! ```
//! use nightjar_seal::{open, seal, Key};
//!
//! let key = Key::passphrase(b"correct horse battery staple", 4)?;
//! let envelope = seal(&key, b"meet at the north gate")?;
//! assert_eq!(open(&key, &envelope)?, b"meet at the north gate");
//!
//! let wrong = Key::passphrase(b"incorrect horse", 4)?;
//! assert!(open(&wrong, &envelope).unwrap_err().is_auth_failure());
//! # Ok::<(), nightjar_seal::SealError>(())
//! ```

mod chunk;
mod envelope;
mod error;
mod header;
mod key;
mod parallel;
mod stream;

pub use envelope::{max_plaintext_len, open, seal, seal_with, sealed_len};
pub use error::{Fault, SealError};
pub use header::{parse_header, Header, SealOptions};
pub use key::{random_key, random_salt, KdfKind, Key, MasterKey, SecretBytes, MASTER_KEY_LEN};
pub use stream::{open_stream, seal_stream, seal_stream_with};

/// The first four bytes of every envelope.
pub const MAGIC: [u8; 4] = *b"NJSE";
/// The envelope format version this crate writes and reads.
pub const VERSION: u8 = 1;
/// Length of the envelope header in bytes.
pub const HEADER_LEN: usize = 30;
/// Length of each chunk tag (HMAC-SHA256) in bytes.
pub const TAG_LEN: usize = 32;
/// Length of the envelope salt in bytes.
pub const SALT_LEN: usize = 16;
/// Default plaintext bytes per chunk: 1 MiB.
pub const DEFAULT_CHUNK_SIZE: u32 = 1 << 20;
/// Smallest allowed chunk size: 64 bytes.
pub const MIN_CHUNK_SIZE: u32 = 64;
/// Largest allowed chunk size: 8 MiB = 2^20 Blowfish blocks (the Sweet32 bound).
pub const MAX_CHUNK_SIZE: u32 = 8 << 20;
/// Default bcrypt-pbkdf rounds for passphrases (as OpenSSH).
pub const DEFAULT_KDF_ROUNDS: u32 = 16;
/// Largest bcrypt-pbkdf rounds an envelope may ask for; more is refused
/// before running the KDF (a hostile header must not cost minutes of CPU).
pub const MAX_KDF_ROUNDS: u32 = 4096;
/// Shortest raw key in bytes.
pub const MIN_RAW_KEY_LEN: usize = 16;
/// Longest raw key in bytes.
pub const MAX_RAW_KEY_LEN: usize = 1024;
