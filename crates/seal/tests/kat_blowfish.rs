//! Blowfish known answers, and CTR mode checked block by block against ECB.
//!
//! Source of the ECB, set_key and chaining-mode vectors: Eric Young's test
//! vectors for 16-round Blowfish, published by Bruce Schneier as
//! `vectors.txt` (<https://www.schneier.com/code/vectors.txt>, formerly
//! <http://www.counterpane.com/vectors.txt>). The values below were copied
//! from that file (two independent public copies of it agree byte for byte);
//! see `tests/data/SOURCE.md`. Hex "012345" means bytes 0x01, 0x23, 0x45.
//!
//! The 448-bit key vector is the Linux kernel's (crypto/testmgr.h), as
//! reproduced in libgcrypt's tests/basic.c.
//!
//! The CTR tests never compare against this crate's own output: keystream
//! blocks are either published ECB answers (a counter block is just an ECB
//! plaintext) or computed here by hand from the ECB primitive that the
//! published table validates.

mod common;

use blowfish::cipher::generic_array::GenericArray;
use blowfish::cipher::{BlockDecrypt, BlockEncrypt, InnerIvInit, KeyInit, StreamCipher};
use blowfish::Blowfish;
use common::{hex, pattern};

/// vectors.txt, "ecb test data (taken from the DES validation tests)":
/// key bytes, clear bytes, cipher bytes. The file lists the all-zero row
/// twice; it appears once here. (Row 3 and set_key row 15 are marked "???"
/// in some copies of the file; the values are the published ones and pass.)
const ECB: [(&str, &str, &str); 33] = [
    ("0000000000000000", "0000000000000000", "4EF997456198DD78"),
    ("FFFFFFFFFFFFFFFF", "FFFFFFFFFFFFFFFF", "51866FD5B85ECB8A"),
    ("3000000000000000", "1000000000000001", "7D856F9A613063F2"),
    ("1111111111111111", "1111111111111111", "2466DD878B963C9D"),
    ("0123456789ABCDEF", "1111111111111111", "61F9C3802281B096"),
    ("1111111111111111", "0123456789ABCDEF", "7D0CC630AFDA1EC7"),
    ("FEDCBA9876543210", "0123456789ABCDEF", "0ACEAB0FC6A0A28D"),
    ("7CA110454A1A6E57", "01A1D6D039776742", "59C68245EB05282B"),
    ("0131D9619DC1376E", "5CD54CA83DEF57DA", "B1B8CC0B250F09A0"),
    ("07A1133E4A0B2686", "0248D43806F67172", "1730E5778BEA1DA4"),
    ("3849674C2602319E", "51454B582DDF440A", "A25E7856CF2651EB"),
    ("04B915BA43FEB5B6", "42FD443059577FA2", "353882B109CE8F1A"),
    ("0113B970FD34F2CE", "059B5E0851CF143A", "48F4D0884C379918"),
    ("0170F175468FB5E6", "0756D8E0774761D2", "432193B78951FC98"),
    ("43297FAD38E373FE", "762514B829BF486A", "13F04154D69D1AE5"),
    ("07A7137045DA2A16", "3BDD119049372802", "2EEDDA93FFD39C79"),
    ("04689104C2FD3B2F", "26955F6835AF609A", "D887E0393C2DA6E3"),
    ("37D06BB516CB7546", "164D5E404F275232", "5F99D04F5B163969"),
    ("1F08260D1AC2465E", "6B056E18759F5CCA", "4A057A3B24D3977B"),
    ("584023641ABA6176", "004BD6EF09176062", "452031C1E4FADA8E"),
    ("025816164629B007", "480D39006EE762F2", "7555AE39F59B87BD"),
    ("49793EBC79B3258F", "437540C8698F3CFA", "53C55F9CB49FC019"),
    ("4FB05E1515AB73A7", "072D43A077075292", "7A8E7BFA937E89A3"),
    ("49E95D6D4CA229BF", "02FE55778117F12A", "CF9C5D7A4986ADB5"),
    ("018310DC409B26D6", "1D9D5C5018F728C2", "D1ABB290658BC778"),
    ("1C587F1C13924FEF", "305532286D6F295A", "55CB3774D13EF201"),
    ("0101010101010101", "0123456789ABCDEF", "FA34EC4847B268B2"),
    ("1F1F1F1F0E0E0E0E", "0123456789ABCDEF", "A790795108EA3CAE"),
    ("E0FEE0FEF1FEF1FE", "0123456789ABCDEF", "C39E072D9FAC631D"),
    ("0000000000000000", "FFFFFFFFFFFFFFFF", "014933E0CDAFF6E4"),
    ("FFFFFFFFFFFFFFFF", "0000000000000000", "F21E9A77B71C49BC"),
    ("0123456789ABCDEF", "0000000000000000", "245946885754369A"),
    ("FEDCBA9876543210", "FFFFFFFFFFFFFFFF", "6B5C5A9C5D9E0A5A"),
];

/// vectors.txt, "set_key test data": data[8] = FEDCBA9876543210 encrypted
/// under the first k bytes of this 24-byte key.
const SET_KEY_FULL: &str = "F0E1D2C3B4A5968778695A4B3C2D1E0F0011223344556677";
const SET_KEY_DATA: &str = "FEDCBA9876543210";
/// (k, cipher) for k = 4..=24. The file also lists k = 1..=3, which the
/// `blowfish` crate refuses (its minimum key is 4 bytes; see below).
const SET_KEY: [(usize, &str); 21] = [
    (4, "BE1E639408640F05"),
    (5, "B39E44481BDB1E6E"),
    (6, "9457AA83B1928C0D"),
    (7, "8BB77032F960629D"),
    (8, "E87A244E2CC85E82"),
    (9, "15750E7A4F4EC577"),
    (10, "122BA70B3AB64AE0"),
    (11, "3A833C9AFFC537F6"),
    (12, "9409DA87A90F6BF2"),
    (13, "884F80625060B8B4"),
    (14, "1F85031C19E11968"),
    (15, "79D9373A714CA34F"),
    (16, "93142887EE3BE15C"),
    (17, "03429E838CE2D14B"),
    (18, "A4299E27469FF67B"),
    (19, "AFD5AED1C1BC96A8"),
    (20, "10851C0E3858DA9F"),
    (21, "E6F51ED79B9DB21F"),
    (22, "64A6E14AFD36B46F"),
    (23, "80C7D7D45A5479AD"),
    (24, "05044B62FA52D080"),
];

/// vectors.txt, "chaining mode test data".
const CHAIN_KEY: &str = "0123456789ABCDEFF0E1D2C3B4A59687";
const CHAIN_IV: &str = "FEDCBA9876543210";
/// "7654321 Now is the time for " including the trailing NUL: 29 bytes.
const CHAIN_DATA: &str = "37363534333231204E6F77206973207468652074696D6520666F722000";
/// CBC over the data padded with zeros to 32 bytes.
const CHAIN_CBC: &str = "6B77B4D63006DEE605B156E27403979358DEB9E7154616D959F1652BD5FF92CC";
const CHAIN_CFB64: &str = "E73214A2822139CAF26ECF6D2EB9E76E3DA3DE04D1517200519D57A6C3";
const CHAIN_OFB64: &str = "E73214A2822139CA62B343CC5B65587310DD908D0C241B2263C2CF80DA";

fn cipher(key: &[u8]) -> Blowfish {
    Blowfish::new_from_slice(key).expect("valid Blowfish key length")
}

fn ecb_encrypt(bf: &Blowfish, block: &[u8]) -> [u8; 8] {
    let mut b = GenericArray::clone_from_slice(block);
    bf.encrypt_block(&mut b);
    b.into()
}

fn ecb_decrypt(bf: &Blowfish, block: &[u8]) -> [u8; 8] {
    let mut b = GenericArray::clone_from_slice(block);
    bf.decrypt_block(&mut b);
    b.into()
}

fn xor(a: &[u8], b: &[u8]) -> Vec<u8> {
    a.iter().zip(b).map(|(x, y)| x ^ y).collect()
}

#[test]
fn ecb_table_from_vectors_txt_encrypts_and_decrypts() {
    for (row, (key, clear, expected)) in ECB.iter().enumerate() {
        let bf = cipher(&hex(key));
        let ct = ecb_encrypt(&bf, &hex(clear));
        assert_eq!(ct.to_vec(), hex(expected), "ecb row {} key {key}", row + 1);
        let pt = ecb_decrypt(&bf, &ct);
        assert_eq!(pt.to_vec(), hex(clear), "ecb row {} decrypt", row + 1);
    }
}

#[test]
fn set_key_table_from_vectors_txt_covers_key_lengths_4_to_24() {
    let full = hex(SET_KEY_FULL);
    for (k, expected) in SET_KEY {
        let bf = cipher(&full[..k]);
        let ct = ecb_encrypt(&bf, &hex(SET_KEY_DATA));
        assert_eq!(ct.to_vec(), hex(expected), "set_key k = {k}");
    }
    // Keys of 1..=3 bytes (also in vectors.txt) are below the crate's minimum.
    for k in 1..=3 {
        assert!(<Blowfish as KeyInit>::new_from_slice(&full[..k]).is_err());
    }
}

/// The 448-bit (56-byte) key vector of the Linux kernel's testmgr.h: the
/// longest key Blowfish accepts, beyond the 24 bytes vectors.txt covers.
#[test]
fn longest_key_448_bits_from_linux_testmgr() {
    let key = hex("f0e1d2c3b4a5968778695a4b3c2d1e0f0011223344556677\
         04689104c2fd3b2f584023641aba61761f1f1f1f0e0e0e0e\
         ffffffffffffffff");
    assert_eq!(key.len(), 56);
    let bf = cipher(&key);
    assert_eq!(
        ecb_encrypt(&bf, &hex("fedcba9876543210")).to_vec(),
        hex("c04504012e4e1f53")
    );
}

#[test]
fn cbc_chaining_vector_from_vectors_txt() {
    let bf = cipher(&hex(CHAIN_KEY));
    let mut data = hex(CHAIN_DATA);
    assert_eq!(data.len(), 29);
    data.resize(32, 0); // "padded with zeros" to whole blocks
    let mut prev = hex(CHAIN_IV);
    let mut out = Vec::new();
    for block in data.chunks(8) {
        let c = ecb_encrypt(&bf, &xor(block, &prev));
        out.extend_from_slice(&c);
        prev = c.to_vec();
    }
    assert_eq!(out, hex(CHAIN_CBC));

    // And back.
    let mut prev = hex(CHAIN_IV);
    let mut back = Vec::new();
    for block in out.chunks(8) {
        back.extend(xor(&ecb_decrypt(&bf, block), &prev));
        prev = block.to_vec();
    }
    assert_eq!(back, data);
}

#[test]
fn cfb64_chaining_vector_from_vectors_txt() {
    let bf = cipher(&hex(CHAIN_KEY));
    let data = hex(CHAIN_DATA);
    let mut feedback = hex(CHAIN_IV);
    let mut out = Vec::new();
    for block in data.chunks(8) {
        let ks = ecb_encrypt(&bf, &feedback);
        let c = xor(block, &ks);
        out.extend_from_slice(&c);
        feedback = c;
    }
    assert_eq!(out, hex(CHAIN_CFB64));
}

/// OFB64 is a keystream mode like CTR: the keystream is E(IV), E(E(IV)), ...
#[test]
fn ofb64_chaining_vector_from_vectors_txt() {
    let bf = cipher(&hex(CHAIN_KEY));
    let data = hex(CHAIN_DATA);
    let mut state = hex(CHAIN_IV);
    let mut out = Vec::new();
    for block in data.chunks(8) {
        state = ecb_encrypt(&bf, &state).to_vec();
        out.extend(xor(block, &state));
    }
    assert_eq!(out, hex(CHAIN_OFB64));
}

type Ctr64BeBlowfish = ctr::Ctr64BE<Blowfish>;

fn ctr_cipher(key: &[u8], iv: &[u8]) -> Ctr64BeBlowfish {
    let core = ctr::CtrCore::inner_iv_init(cipher(key), GenericArray::from_slice(iv));
    Ctr64BeBlowfish::from_core(core)
}

/// With Ctr64BE the whole 8-byte block is the counter, so the first
/// keystream block under IV x is exactly the published ECB answer for clear
/// bytes x. Six rows of the table whose clear block is used as the IV.
#[test]
fn ctr_first_keystream_block_is_the_published_ecb_answer() {
    let rows = [
        ("0000000000000000", "0000000000000000", "4EF997456198DD78"),
        ("0123456789ABCDEF", "0000000000000000", "245946885754369A"),
        ("FFFFFFFFFFFFFFFF", "0000000000000000", "F21E9A77B71C49BC"),
        ("0123456789ABCDEF", "1111111111111111", "61F9C3802281B096"),
        ("1111111111111111", "0123456789ABCDEF", "7D0CC630AFDA1EC7"),
        ("0000000000000000", "FFFFFFFFFFFFFFFF", "014933E0CDAFF6E4"),
    ];
    for (key, iv, expected) in rows {
        let mut block = [0u8; 8];
        ctr_cipher(&hex(key), &hex(iv)).apply_keystream(&mut block);
        assert_eq!(block.to_vec(), hex(expected), "key {key} iv {iv}");
    }
}

/// CTR over a long, ragged message equals plaintext XOR (ECB of the
/// big-endian counter blocks IV, IV+1, ...), computed here by hand, for a
/// 32-byte key (the key size the envelope uses) and the all-zero IV the
/// envelope uses, and for a nonzero IV.
#[test]
fn ctr64be_equals_hand_made_ecb_of_counter_blocks() {
    let key: Vec<u8> = (0u8..32)
        .map(|i| i.wrapping_mul(37).wrapping_add(11))
        .collect();
    let bf = cipher(&key);
    for iv in [0u64, 0x0123_4567_89AB_CDEF] {
        for len in [0usize, 1, 7, 8, 9, 64, 1000, 4099] {
            let pt = pattern(len);
            let mut expected = Vec::with_capacity(len);
            for (j, block) in pt.chunks(8).enumerate() {
                let counter = iv.wrapping_add(j as u64).to_be_bytes();
                let ks = ecb_encrypt(&bf, &counter);
                expected.extend(xor(block, &ks));
            }
            let mut got = pt.clone();
            ctr_cipher(&key, &iv.to_be_bytes()).apply_keystream(&mut got);
            assert_eq!(got, expected, "iv {iv:#x} len {len}");

            // Splitting the message across calls does not change the stream.
            let mut split = pt.clone();
            let mut c = ctr_cipher(&key, &iv.to_be_bytes());
            let (a, b) = split.split_at_mut(len / 3);
            c.apply_keystream(a);
            c.apply_keystream(b);
            assert_eq!(split, expected, "split iv {iv:#x} len {len}");
        }
    }
}
