//! One-shot sealing and opening of in-memory messages, and envelope sizes.

use zeroize::Zeroize;

use crate::chunk::ChunkCrypter;
use crate::error::SealError;
use crate::header::{parse_header, Header, SealOptions};
use crate::key::{random_salt, Key};
use crate::parallel;
use crate::{HEADER_LEN, SALT_LEN, TAG_LEN, VERSION};

/// The header a key writes when sealing with these options and salt.
pub(crate) fn header_for(key: &Key, opts: &SealOptions, salt: [u8; SALT_LEN]) -> Header {
    Header {
        version: VERSION,
        kdf: key.kind(),
        rounds: key.header_rounds(),
        chunk_size: opts.chunk_size,
        salt,
    }
}

/// Parses an envelope's header and checks it against the key, before any
/// KDF work: a key of the wrong kind is refused here, and a passphrase
/// header with too many rounds was already refused by [`parse_header`].
pub(crate) fn header_and_kind_check(key: &Key, header_bytes: &[u8]) -> Result<Header, SealError> {
    let header = parse_header(header_bytes)?;
    if key.kind() != header.kdf {
        return Err(SealError::KeyKindMismatch {
            envelope: header.kdf,
            given: key.kind(),
        });
    }
    Ok(header)
}

/// Seals `plaintext` under `key` with a fresh random salt and the default
/// options (1 MiB chunks). Returns the whole envelope.
pub fn seal(key: &Key, plaintext: &[u8]) -> Result<Vec<u8>, SealError> {
    seal_with(key, random_salt()?, SealOptions::default(), plaintext)
}

/// Seals `plaintext` with a caller-chosen salt and options.
///
/// Deterministic: the same key, salt, options and plaintext give the same
/// bytes. **Never reuse a salt with the same key for different messages**
/// outside tests; [`seal`] picks a random one. Chunks are processed in
/// parallel.
pub fn seal_with(
    key: &Key,
    salt: [u8; SALT_LEN],
    opts: SealOptions,
    plaintext: &[u8],
) -> Result<Vec<u8>, SealError> {
    opts.validate()?;
    let header = header_for(key, &opts, salt);
    let crypter = ChunkCrypter::new(key, &header)?;
    let chunk = opts.chunk_size as usize;
    let total =
        usize::try_from(sealed_len(plaintext.len() as u64, opts.chunk_size)).map_err(|_| {
            SealError::InvalidOptions("the message is too large to seal in memory; stream it")
        })?;

    let mut out = vec![0u8; total];
    out[..HEADER_LEN].copy_from_slice(&header.to_bytes());
    let body = &mut out[HEADER_LEN..];

    // (chunk index, plaintext chunk, output region = ciphertext || tag)
    let mut jobs: Vec<(u64, &[u8], &mut [u8])> = Vec::new();
    if plaintext.is_empty() {
        jobs.push((0, plaintext, body));
    } else {
        for (i, (pt, region)) in plaintext
            .chunks(chunk)
            .zip(body.chunks_mut(chunk + TAG_LEN))
            .enumerate()
        {
            jobs.push((i as u64, pt, region));
        }
    }
    let last_index = jobs.len() as u64 - 1;
    let crypter = &crypter;
    parallel::try_for_each(jobs, |(index, pt, region)| {
        let (data, tag) = region.split_at_mut(pt.len());
        data.copy_from_slice(pt);
        tag.copy_from_slice(&crypter.seal_chunk(index, index == last_index, data));
        Ok(())
    })?;
    Ok(out)
}

/// The chunk layout of an envelope body: `(number of chunks, plaintext
/// length)`. Every chunk but the last is `chunk + 32` bytes; the last is
/// whatever remains, `32..=chunk + 32` bytes, and holds 0 plaintext bytes
/// only when it is the only chunk. Any other length is
/// [`SealError::AuthenticationFailed`] (a truncated or extended body).
pub(crate) fn body_layout(body_len: u64, chunk_size: u32) -> Result<(u64, u64), SealError> {
    let region = u64::from(chunk_size) + TAG_LEN as u64;
    let tag = TAG_LEN as u64;
    if body_len < tag {
        return Err(SealError::AuthenticationFailed);
    }
    let chunks = body_len.div_ceil(region);
    let last = body_len - (chunks - 1) * region;
    if last < tag || (chunks > 1 && last == tag) {
        return Err(SealError::AuthenticationFailed);
    }
    Ok((chunks, body_len - chunks * tag))
}

/// Opens an envelope: returns the plaintext only if the header is valid,
/// the key is of the right kind and every chunk's tag verifies (all or
/// nothing). Chunks are verified and decrypted in parallel.
pub fn open(key: &Key, envelope: &[u8]) -> Result<Vec<u8>, SealError> {
    let header = header_and_kind_check(key, envelope)?;
    let body = &envelope[HEADER_LEN..];
    let (chunks, pt_len) = body_layout(body.len() as u64, header.chunk_size)?;
    let crypter = ChunkCrypter::new(key, &header)?;
    let chunk = header.chunk_size as usize;
    let pt_len = usize::try_from(pt_len).map_err(|_| SealError::AuthenticationFailed)?;

    let mut out = vec![0u8; pt_len];
    // (chunk index, input region = ciphertext || tag, output plaintext slot)
    let mut jobs: Vec<(u64, &[u8], &mut [u8])> = Vec::new();
    if pt_len == 0 {
        jobs.push((0, body, &mut out[..]));
    } else {
        for (i, (region, slot)) in body
            .chunks(chunk + TAG_LEN)
            .zip(out.chunks_mut(chunk))
            .enumerate()
        {
            jobs.push((i as u64, region, slot));
        }
    }
    debug_assert_eq!(jobs.len() as u64, chunks);
    let last_index = chunks - 1;
    let crypter = &crypter;
    let result = parallel::try_for_each(jobs, |(index, region, slot)| {
        let (ct, tag) = region.split_at(slot.len());
        slot.copy_from_slice(ct);
        crypter.open_chunk(index, index == last_index, slot, tag)
    });
    match result {
        Ok(()) => Ok(out),
        Err(e) => {
            out.zeroize();
            Err(e)
        }
    }
}

/// The envelope length for a plaintext of `plaintext_len` bytes:
/// `30 + plaintext_len + 32 * max(1, ceil(plaintext_len / chunk_size))`.
///
/// Saturates at `u64::MAX`. `chunk_size` should be valid (see
/// [`SealOptions`]); 0 is treated as 1 rather than dividing by zero.
pub fn sealed_len(plaintext_len: u64, chunk_size: u32) -> u64 {
    let chunk = u64::from(chunk_size.max(1));
    let chunks = plaintext_len.div_ceil(chunk).max(1);
    (HEADER_LEN as u64)
        .saturating_add(plaintext_len)
        .saturating_add(chunks.saturating_mul(TAG_LEN as u64))
}

/// The largest plaintext length `p` with `sealed_len(p, chunk_size) <=
/// envelope_len`, or `None` if not even an empty message fits (fewer than
/// 62 bytes). Used to report the capacity of a cover image.
pub fn max_plaintext_len(envelope_len: u64, chunk_size: u32) -> Option<u64> {
    let chunk = u64::from(chunk_size.max(1));
    let tag = TAG_LEN as u64;
    let body = envelope_len.checked_sub(HEADER_LEN as u64)?;
    if body < tag {
        return None;
    }
    let region = chunk + tag;
    let full = body / region;
    let rest = body % region;
    Some(if rest > tag {
        full * chunk + (rest - tag)
    } else {
        full * chunk
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_len_follows_the_chunk_rule() {
        let c = 64;
        assert_eq!(sealed_len(0, c), 30 + 32);
        assert_eq!(sealed_len(1, c), 30 + 1 + 32);
        assert_eq!(sealed_len(64, c), 30 + 64 + 32);
        assert_eq!(sealed_len(65, c), 30 + 65 + 64);
        assert_eq!(sealed_len(128, c), 30 + 128 + 64);
        assert_eq!(sealed_len(u64::MAX, c), u64::MAX);
        assert_eq!(sealed_len(10, 0), sealed_len(10, 1));
    }

    #[test]
    fn max_plaintext_len_is_the_inverse_of_sealed_len() {
        for c in [64u32, 72, 128] {
            assert_eq!(max_plaintext_len(61, c), None);
            assert_eq!(max_plaintext_len(0, c), None);
            assert_eq!(max_plaintext_len(62, c), Some(0));
            for env in 62u64..1200 {
                let p = max_plaintext_len(env, c).unwrap();
                assert!(sealed_len(p, c) <= env, "c={c} env={env} p={p}");
                assert!(sealed_len(p + 1, c) > env, "c={c} env={env} p={p}");
            }
        }
    }

    #[test]
    fn body_layout_accepts_only_canonical_lengths() {
        let c = 64u32;
        assert!(body_layout(31, c).is_err());
        assert_eq!(body_layout(32, c).unwrap(), (1, 0));
        assert_eq!(body_layout(33, c).unwrap(), (1, 1));
        assert_eq!(body_layout(96, c).unwrap(), (1, 64));
        assert!(body_layout(96 + 31, c).is_err());
        assert!(body_layout(96 + 32, c).is_err()); // empty last chunk after a full one
        assert_eq!(body_layout(96 + 33, c).unwrap(), (2, 65));
        assert_eq!(body_layout(192, c).unwrap(), (2, 128));
        for p in 0..500u64 {
            let body = sealed_len(p, c) - 30;
            let chunks = p.div_ceil(64).max(1);
            assert_eq!(body_layout(body, c).unwrap(), (chunks, p));
        }
    }
}
