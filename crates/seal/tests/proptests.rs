//! Property tests: round trips for arbitrary messages and chunk sizes, and
//! rejection of arbitrary bit flips, truncations, extensions, chunk swaps
//! and wrong keys.

use std::io;

use nightjar_seal::{
    max_plaintext_len, open, open_stream, seal_stream_with, seal_with, sealed_len, Key, SealError,
    SealOptions, HEADER_LEN, MAX_CHUNK_SIZE, TAG_LEN,
};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::Index;

/// Valid chunk sizes small enough to give many chunks: 64..=512, step 8.
fn small_chunk() -> impl Strategy<Value = u32> {
    (8u32..=64).prop_map(|k| k * 8)
}

fn raw(bytes: &[u8]) -> Key {
    Key::raw(bytes).unwrap()
}

fn opts(c: u32) -> SealOptions {
    SealOptions::with_chunk_size(c).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn round_trip_for_arbitrary_data_and_chunk_sizes(
        data in vec(any::<u8>(), 0..3000),
        c in small_chunk(),
        salt in any::<[u8; 16]>(),
        key in vec(any::<u8>(), 16..80),
    ) {
        let key = raw(&key);
        let env = seal_with(&key, salt, opts(c), &data).unwrap();
        prop_assert_eq!(env.len() as u64, sealed_len(data.len() as u64, c));
        prop_assert_eq!(&open(&key, &env).unwrap(), &data);

        let mut streamed = Vec::new();
        seal_stream_with(&key, salt, opts(c), &data[..], &mut streamed).unwrap();
        prop_assert_eq!(&streamed, &env);
        let mut back = Vec::new();
        prop_assert_eq!(open_stream(&key, &env[..], &mut back).unwrap(), data.len() as u64);
        prop_assert_eq!(&back, &data);
    }

    #[test]
    fn any_single_bit_flip_is_rejected(
        data in vec(any::<u8>(), 0..700),
        c in small_chunk(),
        pos in any::<Index>(),
        bit in 0u8..8,
    ) {
        let key = raw(&[0x61; 32]);
        let mut env = seal_with(&key, [3; 16], opts(c), &data).unwrap();
        let i = pos.index(env.len());
        env[i] ^= 1 << bit;
        let r = open(&key, &env);
        prop_assert!(r.is_err(), "flip at {} accepted", i);
        let rs = open_stream(&key, &env[..], io::sink());
        prop_assert!(rs.is_err(), "stream: flip at {} accepted", i);
        if i >= HEADER_LEN {
            prop_assert!(r.unwrap_err().is_auth_failure());
            prop_assert!(rs.unwrap_err().is_auth_failure());
        }
    }

    #[test]
    fn truncation_at_a_random_point_is_rejected(
        data in vec(any::<u8>(), 0..2000),
        c in small_chunk(),
        cut in any::<Index>(),
    ) {
        let key = raw(&[0x62; 32]);
        let env = seal_with(&key, [4; 16], opts(c), &data).unwrap();
        let cut = cut.index(env.len()); // 0..len: always strictly shorter
        prop_assert!(open(&key, &env[..cut]).is_err());
        prop_assert!(open_stream(&key, &env[..cut], io::sink()).is_err());
    }

    #[test]
    fn truncation_at_a_chunk_boundary_is_rejected(
        data in vec(any::<u8>(), 1..2000),
        c in small_chunk(),
        k in any::<Index>(),
    ) {
        let key = raw(&[0x63; 32]);
        let env = seal_with(&key, [5; 16], opts(c), &data).unwrap();
        let chunks = data.len().div_ceil(c as usize);
        let cut = HEADER_LEN + k.index(chunks) * (c as usize + TAG_LEN);
        prop_assert!(matches!(open(&key, &env[..cut]), Err(SealError::AuthenticationFailed)));
        prop_assert!(matches!(
            open_stream(&key, &env[..cut], io::sink()),
            Err(SealError::AuthenticationFailed)
        ));
    }

    #[test]
    fn appending_bytes_is_rejected(
        data in vec(any::<u8>(), 0..1500),
        c in small_chunk(),
        extra in vec(any::<u8>(), 1..700),
    ) {
        let key = raw(&[0x64; 32]);
        let mut env = seal_with(&key, [6; 16], opts(c), &data).unwrap();
        env.extend_from_slice(&extra);
        prop_assert!(matches!(open(&key, &env), Err(SealError::AuthenticationFailed)));
        prop_assert!(matches!(
            open_stream(&key, &env[..], io::sink()),
            Err(SealError::AuthenticationFailed)
        ));
    }

    #[test]
    fn swapping_two_chunks_is_rejected(
        data in vec(any::<u8>(), 300..2000),
        c in (8u32..=16).prop_map(|k| k * 8),
        i in any::<Index>(),
        j in any::<Index>(),
    ) {
        let key = raw(&[0x65; 32]);
        let env = seal_with(&key, [7; 16], opts(c), &data).unwrap();
        let mut chunks: Vec<&[u8]> = env[HEADER_LEN..].chunks(c as usize + TAG_LEN).collect();
        let n = chunks.len();
        prop_assume!(n >= 3);
        let (a, b) = (i.index(n), j.index(n));
        prop_assume!(a != b);
        chunks.swap(a, b);
        let mut swapped = env[..HEADER_LEN].to_vec();
        for ch in chunks {
            swapped.extend_from_slice(ch);
        }
        prop_assert!(matches!(open(&key, &swapped), Err(SealError::AuthenticationFailed)));
        prop_assert!(open_stream(&key, &swapped[..], io::sink()).is_err());
    }

    #[test]
    fn a_different_key_always_fails_authentication(
        data in vec(any::<u8>(), 0..500),
        k1 in vec(any::<u8>(), 16..40),
        k2 in vec(any::<u8>(), 16..40),
    ) {
        prop_assume!(k1 != k2);
        let env = seal_with(&raw(&k1), [8; 16], opts(64), &data).unwrap();
        prop_assert!(matches!(open(&raw(&k2), &env), Err(SealError::AuthenticationFailed)));
    }

    #[test]
    fn max_plaintext_len_is_the_largest_length_that_fits(
        envelope_len in 0u64..(1 << 40),
        k in 8u32..=(MAX_CHUNK_SIZE / 8),
    ) {
        let c = k * 8;
        match max_plaintext_len(envelope_len, c) {
            None => prop_assert!(envelope_len < sealed_len(0, c)),
            Some(p) => {
                prop_assert!(sealed_len(p, c) <= envelope_len);
                prop_assert!(sealed_len(p + 1, c) > envelope_len);
            }
        }
    }
}
