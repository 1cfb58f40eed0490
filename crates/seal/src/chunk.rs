//! Per-chunk cryptography: key derivation, Blowfish-CTR and the chunk tag.
//!
//! Nothing here knows about buffers, batches or threads; [`ChunkCrypter`]
//! seals or opens one chunk in place and is shared (read-only) between the
//! worker threads.

use blowfish::Blowfish;
use ctr::cipher::{Block, InnerIvInit, KeyInit, StreamCipherCore};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::{Zeroize, Zeroizing};

use crate::error::SealError;
use crate::header::Header;
use crate::key::{bcrypt32, two_factor_ikm, Key};
use crate::{HEADER_LEN, TAG_LEN};

/// The HKDF info prefix of chunk keys; the chunk index (u64 BE) follows.
pub(crate) const CHUNK_INFO_PREFIX: &[u8] = b"nightjar-seal-v1 chunk";

type HmacSha256 = Hmac<Sha256>;

/// The core of `ctr::Ctr64BE<Blowfish>`: the whole 64-bit block is a
/// big-endian counter starting at the IV.
type BlowfishCtr64BeCore = ctr::CtrCore<Blowfish, ctr::flavors::Ctr64BE>;

/// Seals and opens the chunks of one envelope.
pub(crate) struct ChunkCrypter {
    /// HKDF state holding PRK = HKDF-Extract(salt, IKM).
    prk: Hkdf<Sha256>,
    /// The header bytes every tag covers.
    header: [u8; HEADER_LEN],
}

impl ChunkCrypter {
    /// Runs the envelope KDF: IKM from the key (bcrypt-pbkdf for
    /// passphrases, with the header's rounds), then HKDF-Extract with the
    /// header's salt. The caller has validated the header and checked that
    /// the key kind matches it.
    pub(crate) fn new(key: &Key, header: &Header) -> Result<Self, SealError> {
        if key.kind() != header.kdf {
            return Err(SealError::KeyKindMismatch {
                envelope: header.kdf,
                given: key.kind(),
            });
        }
        let salt = &header.salt[..];
        let prk = match key {
            Key::Raw(bytes) => Hkdf::<Sha256>::new(Some(salt), bytes.expose()),
            Key::Passphrase { pass, .. } => {
                let ikm = bcrypt32(pass.expose(), salt, header.rounds)?;
                Hkdf::<Sha256>::new(Some(salt), &ikm[..])
            }
            Key::Master(m) => Hkdf::<Sha256>::new(Some(salt), m.as_bytes()),
            Key::TwoFactor { master, pass, .. } => {
                let ikm = two_factor_ikm(master, pass.expose(), salt, header.rounds)?;
                Hkdf::<Sha256>::new(Some(salt), &ikm[..])
            }
        };
        Ok(ChunkCrypter {
            prk,
            header: header.to_bytes(),
        })
    }

    /// OKM = HKDF-Expand(PRK, "nightjar-seal-v1 chunk" || u64 BE index, 64):
    /// bytes 0..32 the Blowfish key, 32..64 the HMAC key.
    fn chunk_keys(&self, index: u64) -> Zeroizing<[u8; 64]> {
        let mut okm = Zeroizing::new([0u8; 64]);
        self.prk
            .expand_multi_info(&[CHUNK_INFO_PREFIX, &index.to_be_bytes()], &mut okm[..])
            .expect("invariant: 64 bytes is a valid HKDF-SHA256 output length");
        okm
    }

    /// HMAC-SHA256(mac key, header || u64 BE index || last || ciphertext).
    fn tag_mac(&self, mac_key: &[u8], index: u64, last: bool, ciphertext: &[u8]) -> HmacSha256 {
        let mut mac = <HmacSha256 as Mac>::new_from_slice(mac_key)
            .expect("invariant: HMAC accepts keys of any length");
        mac.update(&self.header);
        mac.update(&index.to_be_bytes());
        mac.update(&[u8::from(last)]);
        mac.update(ciphertext);
        mac
    }

    /// Encrypts `data` in place as chunk `index` and returns its tag.
    pub(crate) fn seal_chunk(&self, index: u64, last: bool, data: &mut [u8]) -> [u8; TAG_LEN] {
        let okm = self.chunk_keys(index);
        blowfish_ctr_xor(&okm[..32], data);
        let tag = self.tag_mac(&okm[32..], index, last, data).finalize();
        let mut out = [0u8; TAG_LEN];
        out.copy_from_slice(&tag.into_bytes());
        out
    }

    /// Verifies `tag` over the ciphertext `data` of chunk `index` (in constant
    /// time) and only then decrypts `data` in place. On failure `data` is left
    /// as it was (ciphertext).
    pub(crate) fn open_chunk(
        &self,
        index: u64,
        last: bool,
        data: &mut [u8],
        tag: &[u8],
    ) -> Result<(), SealError> {
        let okm = self.chunk_keys(index);
        self.tag_mac(&okm[32..], index, last, data)
            .verify_slice(tag)
            .map_err(|_| SealError::AuthenticationFailed)?;
        blowfish_ctr_xor(&okm[..32], data);
        Ok(())
    }
}

/// Keystream blocks generated per step of [`blowfish_ctr_xor`] (4 KiB).
const KEYSTREAM_BLOCKS: usize = 512;

/// XORs `data` with the keystream of `ctr::Ctr64BE<Blowfish>` under `key`
/// with an all-zero IV: keystream block j = Blowfish-Encrypt(key, u64 BE j).
///
/// Drives the `ctr` core directly: it writes 4 KiB of keystream at a time
/// into a scratch buffer, which is then XORed into the data in bulk (about
/// 10% faster than letting the core XOR block by block, and a third faster
/// than the buffered `StreamCipher` wrapper). The output is identical to
/// `Ctr64BE::<Blowfish>::apply_keystream` (tested below, and against ECB
/// known answers in `tests/kat_blowfish.rs`).
pub(crate) fn blowfish_ctr_xor(key: &[u8], data: &mut [u8]) {
    let cipher = Blowfish::new_from_slice(key)
        .expect("invariant: chunk keys are 32 bytes, within Blowfish's 4..=56");
    let mut core = BlowfishCtr64BeCore::inner_iv_init(cipher, &Default::default());
    let mut keystream = [Block::<BlowfishCtr64BeCore>::default(); KEYSTREAM_BLOCKS];
    for piece in data.chunks_mut(KEYSTREAM_BLOCKS * 8) {
        let blocks = &mut keystream[..piece.len().div_ceil(8)];
        core.write_keystream_blocks(blocks);
        for (d, k) in piece.chunks_mut(8).zip(blocks.iter()) {
            for (x, y) in d.iter_mut().zip(k.iter()) {
                *x ^= y;
            }
        }
    }
    for block in keystream.iter_mut() {
        block.as_mut_slice().zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ctr::cipher::{KeyIvInit, StreamCipher};

    #[test]
    fn core_driver_matches_the_ctr64be_wrapper_for_every_length() {
        let key = [0x3Cu8; 32];
        let data: Vec<u8> = (0..10_000u32).map(|i| (i * 7 + i / 253) as u8).collect();
        let lengths = (0..200).chain([4095, 4096, 4097, 8191, 8192, 8193, 10_000]);
        for len in lengths {
            let mut ours = data[..len].to_vec();
            blowfish_ctr_xor(&key, &mut ours);

            let cipher = Blowfish::new_from_slice(&key).unwrap();
            let core = BlowfishCtr64BeCore::inner_iv_init(cipher, &Default::default());
            let mut wrapper = ctr::Ctr64BE::<Blowfish>::from_core(core);
            let mut theirs = data[..len].to_vec();
            wrapper.apply_keystream(&mut theirs);
            assert_eq!(ours, theirs, "length {len}");
        }
        // The KeyIvInit path of the wrapper refuses 32-byte keys (Blowfish's
        // nominal KeySize is 56), which is why the key is set up by hand.
        assert!(ctr::Ctr64BE::<Blowfish>::new_from_slices(&key, &[0u8; 8]).is_err());
    }
}
