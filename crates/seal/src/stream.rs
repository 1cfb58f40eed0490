//! Streaming sealing and opening: bounded memory, chunks in parallel.
//!
//! Both directions read a *batch* of chunks into one buffer laid out exactly
//! like the envelope body (`ciphertext || tag` slots), process the batch's
//! chunks in place on all cores, and write the batch with one call. Whether
//! a chunk is the last one is only known once the reader reports end of
//! input, so after a batch of full chunks one byte is read ahead and carried
//! into the next batch.

use std::io::{self, Read, Write};

use zeroize::{Zeroize, Zeroizing};

use crate::chunk::ChunkCrypter;
use crate::envelope::{header_and_kind_check, header_for};
use crate::error::SealError;
use crate::header::SealOptions;
use crate::key::{random_salt, Key};
use crate::parallel;
use crate::{HEADER_LEN, SALT_LEN, TAG_LEN};

/// Aim for batches of about this many bytes.
const TARGET_BATCH_BYTES: usize = 16 << 20;
/// Never allocate more than this for one batch (unless a single chunk is
/// larger), however many cores there are: the chunk size comes from an
/// untrusted header when opening.
const MAX_BATCH_BYTES: usize = 64 << 20;
/// Upper bound on chunks per batch (matters for tiny chunk sizes).
const MAX_BATCH_CHUNKS: usize = 16384;

/// How many chunk slots of `region` bytes one batch holds: about
/// [`TARGET_BATCH_BYTES`], rounded up to a multiple of the worker count so
/// that every thread gets work, but at most [`MAX_BATCH_BYTES`].
fn batch_slots(region: usize) -> usize {
    let workers = parallel::worker_count().max(1);
    let wanted = (TARGET_BATCH_BYTES / region).clamp(1, MAX_BATCH_CHUNKS);
    let cap = (MAX_BATCH_BYTES / region).max(1);
    (wanted.div_ceil(workers) * workers).min(cap)
}

/// Reads until `buf` is full or the input ends; returns the bytes read.
fn fill<R: Read>(input: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match input.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// One batch read from the input: the byte lengths of its slots' contents
/// and whether the input ended within (or right after) the batch.
struct Batch {
    lens: Vec<usize>,
    is_final: bool,
}

/// Fills consecutive slots of `slot_len` bytes (at a stride of `stride`)
/// from `input`, starting with the carried look-ahead byte if any. Stops at
/// the first short slot (end of input). If every slot is full, reads one
/// byte ahead: none means the input ended exactly at the batch boundary.
fn read_batch<R: Read>(
    input: &mut R,
    buf: &mut [u8],
    stride: usize,
    slot_len: usize,
    carry: &mut Option<u8>,
) -> io::Result<Batch> {
    let slots = buf.len() / stride;
    let mut lens = Vec::with_capacity(slots);
    for slot in 0..slots {
        let s = &mut buf[slot * stride..slot * stride + slot_len];
        let mut filled = 0;
        if let Some(b) = carry.take() {
            s[0] = b;
            filled = 1;
        }
        filled += fill(input, &mut s[filled..])?;
        if filled == 0 {
            return Ok(Batch {
                lens,
                is_final: true,
            });
        }
        lens.push(filled);
        if filled < slot_len {
            return Ok(Batch {
                lens,
                is_final: true,
            });
        }
    }
    let mut one = [0u8; 1];
    let is_final = fill(input, &mut one)? == 0;
    if !is_final {
        *carry = Some(one[0]);
    }
    Ok(Batch { lens, is_final })
}

/// Seals everything `input` yields into `output` with a fresh random salt.
/// Returns the number of plaintext bytes sealed.
///
/// Memory stays bounded (a batch buffer of about 16 MiB, at most 64 MiB);
/// chunks are encrypted in parallel on
/// `std::thread::available_parallelism()` threads. The bytes written are
/// identical to [`seal_with`](crate::seal_with) with the same salt. On error,
/// what was written is an incomplete envelope and should be discarded.
pub fn seal_stream<R: Read, W: Write>(
    key: &Key,
    opts: SealOptions,
    input: R,
    output: W,
) -> Result<u64, SealError> {
    seal_stream_with(key, random_salt()?, opts, input, output)
}

/// [`seal_stream`] with a caller-chosen salt (deterministic; for tests and
/// reproducible fixtures — never reuse a salt with the same key).
pub fn seal_stream_with<R: Read, W: Write>(
    key: &Key,
    salt: [u8; SALT_LEN],
    opts: SealOptions,
    input: R,
    output: W,
) -> Result<u64, SealError> {
    seal_stream_batched(key, salt, opts, input, output, None)
}

/// [`seal_stream_with`] with an optional fixed number of chunks per batch
/// (tests use tiny batches to exercise batch boundaries).
fn seal_stream_batched<R: Read, W: Write>(
    key: &Key,
    salt: [u8; SALT_LEN],
    opts: SealOptions,
    mut input: R,
    mut output: W,
    slots: Option<usize>,
) -> Result<u64, SealError> {
    opts.validate()?;
    let header = header_for(key, &opts, salt);
    let crypter = ChunkCrypter::new(key, &header)?;
    output.write_all(&header.to_bytes())?;

    let chunk = opts.chunk_size as usize;
    let region = chunk + TAG_LEN;
    let slots = slots.unwrap_or_else(|| batch_slots(region)).max(1);
    let mut buf = Zeroizing::new(vec![0u8; slots * region]);
    let mut carry = None;
    let mut next_index: u64 = 0;
    let mut total: u64 = 0;
    loop {
        let Batch { mut lens, is_final } =
            read_batch(&mut input, &mut buf, region, chunk, &mut carry)?;
        if lens.is_empty() {
            // Only an empty message gets here (a batch that is not final
            // carries a byte into the next one): it is one empty chunk.
            debug_assert_eq!(next_index, 0);
            lens.push(0);
        }
        let n = lens.len();
        let used = (n - 1) * region + lens[n - 1] + TAG_LEN;
        let base = next_index;
        let last_index = if is_final {
            Some(base + n as u64 - 1)
        } else {
            None
        };
        let jobs: Vec<(u64, usize, &mut [u8])> = buf[..used]
            .chunks_mut(region)
            .zip(lens.iter().copied())
            .enumerate()
            .map(|(i, (r, len))| (base + i as u64, len, r))
            .collect();
        let crypter = &crypter;
        parallel::try_for_each(jobs, |(index, len, r)| {
            let (data, tag) = r.split_at_mut(len);
            tag.copy_from_slice(&crypter.seal_chunk(index, Some(index) == last_index, data));
            Ok(())
        })?;
        output.write_all(&buf[..used])?;
        next_index += n as u64;
        total += lens.iter().map(|&l| l as u64).sum::<u64>();
        if is_final {
            break;
        }
    }
    output.flush()?;
    Ok(total)
}

/// Opens an envelope from `input`, writing the plaintext to `output`.
/// Returns the number of plaintext bytes written.
///
/// Only chunks whose tag verified are written, in order, a batch at a time
/// (if any chunk of a batch fails, nothing of that batch is written). The
/// end of the message is authenticated: truncation at a chunk boundary,
/// dropped or reordered chunks and trailing bytes all fail with
/// [`SealError::AuthenticationFailed`]. **On `Err`, discard everything
/// written so far** (write to a temporary file and rename it only on `Ok`).
pub fn open_stream<R: Read, W: Write>(key: &Key, input: R, output: W) -> Result<u64, SealError> {
    open_stream_batched(key, input, output, None)
}

/// [`open_stream`] with an optional fixed number of chunks per batch.
fn open_stream_batched<R: Read, W: Write>(
    key: &Key,
    mut input: R,
    mut output: W,
    slots: Option<usize>,
) -> Result<u64, SealError> {
    let mut header_bytes = [0u8; HEADER_LEN];
    let got = fill(&mut input, &mut header_bytes)?;
    let header = header_and_kind_check(key, &header_bytes[..got])?;
    let crypter = ChunkCrypter::new(key, &header)?;

    let chunk = header.chunk_size as usize;
    let region = chunk + TAG_LEN;
    let slots = slots.unwrap_or_else(|| batch_slots(region)).max(1);
    let mut buf = Zeroizing::new(vec![0u8; slots * region]);
    let mut carry = None;
    let mut next_index: u64 = 0;
    let mut total: u64 = 0;
    loop {
        let Batch { lens, is_final } =
            read_batch(&mut input, &mut buf, region, region, &mut carry)?;
        let n = lens.len();
        let Some(&last_len) = lens.last() else {
            // An empty body: not even one tag.
            return Err(SealError::AuthenticationFailed);
        };
        if is_final && (last_len < TAG_LEN || (next_index + n as u64 > 1 && last_len == TAG_LEN)) {
            // A final chunk too short for its tag, or an empty final chunk
            // after others: the body was truncated or extended.
            return Err(SealError::AuthenticationFailed);
        }
        let base = next_index;
        let last_index = if is_final {
            Some(base + n as u64 - 1)
        } else {
            None
        };
        let used = (n - 1) * region + last_len;
        let jobs: Vec<(u64, usize, &mut [u8])> = buf[..used]
            .chunks_mut(region)
            .zip(lens.iter().copied())
            .enumerate()
            .map(|(i, (r, len))| (base + i as u64, len, r))
            .collect();
        let crypter = &crypter;
        let result = parallel::try_for_each(jobs, |(index, len, r)| {
            let (data, tag) = r[..len].split_at_mut(len - TAG_LEN);
            crypter.open_chunk(index, Some(index) == last_index, data, tag)
        });
        if let Err(e) = result {
            buf.zeroize();
            return Err(e);
        }
        // Close the tag gaps so the batch's plaintext is contiguous: chunk i
        // starts at i * region and moves to i * chunk (all earlier chunks in
        // the batch are full).
        for (i, &len) in lens.iter().enumerate().skip(1) {
            let from = i * region;
            buf.copy_within(from..from + len - TAG_LEN, i * chunk);
        }
        let pt_len = (n - 1) * chunk + (last_len - TAG_LEN);
        output.write_all(&buf[..pt_len])?;
        next_index += n as u64;
        total += pt_len as u64;
        if is_final {
            break;
        }
    }
    output.flush()?;
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out at most `step` bytes per call, to exercise
    /// short reads.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(buf.len()).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    #[test]
    fn read_batch_marks_the_end_exactly() {
        let data: Vec<u8> = (0..40u8).collect();
        // Two slots of 10 bytes, stride 12: 20 bytes per batch.
        let mut buf = vec![0u8; 24];
        let mut carry = None;
        let mut r = Trickle {
            data: &data,
            step: 3,
        };
        let b = read_batch(&mut r, &mut buf, 12, 10, &mut carry).unwrap();
        assert_eq!((b.lens.clone(), b.is_final), (vec![10, 10], false));
        assert_eq!(carry, Some(20));
        let b = read_batch(&mut r, &mut buf, 12, 10, &mut carry).unwrap();
        assert_eq!((b.lens.clone(), b.is_final), (vec![10, 10], true));
        assert_eq!(&buf[12..22], &data[30..40]);

        let mut carry = None;
        let mut r = Trickle {
            data: &data[..15],
            step: 4,
        };
        let b = read_batch(&mut r, &mut buf, 12, 10, &mut carry).unwrap();
        assert_eq!((b.lens, b.is_final), (vec![10, 5], true));

        let mut carry = None;
        let mut r = Trickle {
            data: &data[..10],
            step: 1,
        };
        let b = read_batch(&mut r, &mut buf, 12, 10, &mut carry).unwrap();
        assert_eq!((b.lens, b.is_final), (vec![10], true));

        let mut carry = None;
        let mut r = Trickle { data: &[], step: 1 };
        let b = read_batch(&mut r, &mut buf, 12, 10, &mut carry).unwrap();
        assert_eq!((b.lens, b.is_final), (vec![], true));
    }

    fn pattern(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 31 + i / 251) as u8).collect()
    }

    #[test]
    fn tiny_batches_give_the_same_bytes_as_one_shot_at_every_boundary() {
        let key = Key::raw(&[0x42; 32]).unwrap();
        let opts = SealOptions::with_chunk_size(64).unwrap();
        let salt = [9u8; SALT_LEN];
        for slots in [1usize, 2, 3] {
            let batch = slots * 64;
            let mut sizes = vec![0usize, 1, 63, 64, 65];
            for k in 1..=3 {
                sizes.extend([k * batch - 1, k * batch, k * batch + 1, k * batch + 64]);
            }
            for len in sizes {
                let pt = pattern(len);
                let mut env = Vec::new();
                let n =
                    seal_stream_batched(&key, salt, opts, &pt[..], &mut env, Some(slots)).unwrap();
                assert_eq!(n, len as u64);
                let one_shot = crate::seal_with(&key, salt, opts, &pt).unwrap();
                assert_eq!(env, one_shot, "slots {slots} len {len}");
                let mut back = Vec::new();
                let r = Trickle {
                    data: &env,
                    step: 7,
                };
                let m = open_stream_batched(&key, r, &mut back, Some(slots)).unwrap();
                assert_eq!(m, len as u64);
                assert_eq!(back, pt, "slots {slots} len {len}");
            }
        }
    }

    #[test]
    fn truncation_at_a_batch_boundary_fails_after_writing_only_verified_batches() {
        let key = Key::raw(&[0x17; 32]).unwrap();
        let opts = SealOptions::with_chunk_size(64).unwrap();
        let pt = pattern(64 * 6);
        let env = crate::seal_with(&key, [1; SALT_LEN], opts, &pt).unwrap();
        // Cut after 4 of the 6 chunks: with 2-chunk batches the first batch
        // verifies and is written, the second ends the input without a
        // final chunk and fails.
        let cut = HEADER_LEN + 4 * (64 + TAG_LEN);
        let mut out = Vec::new();
        let r = open_stream_batched(&key, &env[..cut], &mut out, Some(2));
        assert!(matches!(r, Err(SealError::AuthenticationFailed)));
        assert_eq!(out, &pt[..128]);

        // Tamper with chunk 3 (second batch): only the first batch is written.
        let mut bad = env.clone();
        bad[HEADER_LEN + 3 * (64 + TAG_LEN) + 5] ^= 1;
        let mut out = Vec::new();
        let r = open_stream_batched(&key, &bad[..], &mut out, Some(2));
        assert!(matches!(r, Err(SealError::AuthenticationFailed)));
        assert_eq!(out, &pt[..128]);
    }

    #[test]
    fn batches_feed_every_worker_within_the_memory_cap() {
        let workers = parallel::worker_count();
        for region in [96usize, 4096 + 32, (1 << 20) + 32, (8 << 20) + 32] {
            let slots = batch_slots(region);
            let cap = MAX_BATCH_BYTES / region;
            assert!(slots >= 1 && slots * region <= MAX_BATCH_BYTES, "{region}");
            assert!(slots >= workers.min(cap), "{region}");
            assert!(slots % workers == 0 || slots == cap, "{region}");
            assert!(slots <= MAX_BATCH_CHUNKS + workers);
        }
    }
}
