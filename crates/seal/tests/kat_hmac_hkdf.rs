//! Known answers for the MAC and the key-derivation functions the envelope
//! is built from.
//!
//! * HMAC-SHA256: RFC 4231, "Identifiers and Test Vectors for HMAC-SHA-224,
//!   HMAC-SHA-256, HMAC-SHA-384, and HMAC-SHA-512", section 4, test cases
//!   1-4, 6 and 7 (and 5, whose output is published truncated to 128 bits).
//! * HKDF-SHA256: RFC 5869, "HMAC-based Extract-and-Expand Key Derivation
//!   Function (HKDF)", Appendix A.1-A.3 (the SHA-256 cases).
//! * bcrypt-pbkdf: the OpenBSD-derived vectors shipped with the
//!   `bcrypt-pbkdf` crate 0.10.0 (`tests/test_vectors.rs`,
//!   `test_openbsd_vectors`), the same values as OpenBSD's
//!   regress/lib/libutil/bcrypt_pbkdf and golang.org/x/crypto's
//!   bcrypt_pbkdf tests.
//!
//! See `tests/data/SOURCE.md`.

mod common;

use common::hex;
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use nightjar_seal::{Key, MasterKey};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = <HmacSha256 as Mac>::new_from_slice(key).unwrap();
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// (test case, key, data, HMAC-SHA-256)
fn rfc4231_cases() -> Vec<(u32, Vec<u8>, Vec<u8>, &'static str)> {
    vec![
        (
            1,
            vec![0x0b; 20],
            b"Hi There".to_vec(),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
        ),
        (
            2,
            b"Jefe".to_vec(),
            b"what do ya want for nothing?".to_vec(),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
        ),
        (
            3,
            vec![0xaa; 20],
            vec![0xdd; 50],
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
        ),
        (
            4,
            hex("0102030405060708090a0b0c0d0e0f10111213141516171819"),
            vec![0xcd; 50],
            "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
        ),
        (
            6,
            vec![0xaa; 131],
            b"Test Using Larger Than Block-Size Key - Hash Key First".to_vec(),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
        ),
        (
            7,
            vec![0xaa; 131],
            b"This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.".to_vec(),
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
        ),
    ]
}

#[test]
fn hmac_sha256_rfc4231_cases_1_to_4_6_7() {
    for (case, key, data, expected) in rfc4231_cases() {
        assert_eq!(
            hmac_sha256(&key, &data),
            hex(expected),
            "RFC 4231 case {case}"
        );
    }
}

/// The envelope compares tags with `verify_slice` (constant time): it must
/// accept the published tag and reject it with any single bit flipped.
#[test]
fn hmac_verify_slice_accepts_published_tags_and_rejects_flipped_bits() {
    for (case, key, data, expected) in rfc4231_cases() {
        let tag = hex(expected);
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&key).unwrap();
        mac.update(&data);
        assert!(mac.verify_slice(&tag).is_ok(), "case {case}");
        for bit in 0..tag.len() * 8 {
            let mut bad = tag.clone();
            bad[bit / 8] ^= 1 << (bit % 8);
            let mut mac = <HmacSha256 as Mac>::new_from_slice(&key).unwrap();
            mac.update(&data);
            assert!(mac.verify_slice(&bad).is_err(), "case {case} bit {bit}");
        }
    }
}

/// RFC 4231 case 5 publishes only the first 128 bits of the output.
#[test]
fn hmac_sha256_rfc4231_case_5_truncated_to_128_bits() {
    let out = hmac_sha256(&[0x0c; 20], b"Test With Truncation");
    assert_eq!(out[..16], hex("a3b6167473100ee06e0c796c2955552b")[..]);
}

struct HkdfCase {
    name: &'static str,
    ikm: Vec<u8>,
    salt: Vec<u8>,
    info: Vec<u8>,
    prk: &'static str,
    okm: &'static str,
}

fn rfc5869_cases() -> Vec<HkdfCase> {
    vec![
        HkdfCase {
            name: "A.1",
            ikm: vec![0x0b; 22],
            salt: hex("000102030405060708090a0b0c"),
            info: hex("f0f1f2f3f4f5f6f7f8f9"),
            prk: "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
            okm: "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf\
                  34007208d5b887185865",
        },
        HkdfCase {
            name: "A.2",
            ikm: (0x00..=0x4f).collect(),
            salt: (0x60..=0xaf).collect(),
            info: (0xb0..=0xff).collect(),
            prk: "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
            okm: "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c\
                  59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71\
                  cc30c58179ec3e87c14c01d5c1f3434f1d87",
        },
        HkdfCase {
            name: "A.3",
            ikm: vec![0x0b; 22],
            salt: vec![],
            info: vec![],
            prk: "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
            okm: "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d\
                  9d201395faa4b61a96c8",
        },
    ]
}

#[test]
fn hkdf_sha256_rfc5869_a1_to_a3() {
    for c in rfc5869_cases() {
        assert_eq!(c.ikm.len(), if c.name == "A.2" { 80 } else { 22 });
        // RFC 5869 section 2.2: an absent salt is HashLen zero bytes.
        let salt = if c.salt.is_empty() {
            None
        } else {
            Some(&c.salt[..])
        };
        let (prk, hk) = Hkdf::<Sha256>::extract(salt, &c.ikm);
        assert_eq!(prk.to_vec(), hex(c.prk), "RFC 5869 {} PRK", c.name);
        let expected = hex(c.okm);
        let mut okm = vec![0u8; expected.len()];
        hk.expand(&c.info, &mut okm).unwrap();
        assert_eq!(okm, expected, "RFC 5869 {} OKM", c.name);

        // The same PRK, given directly, expands to the same OKM.
        let hk = Hkdf::<Sha256>::from_prk(&hex(c.prk)).unwrap();
        let mut okm2 = vec![0u8; expected.len()];
        hk.expand(&c.info, &mut okm2).unwrap();
        assert_eq!(okm2, expected, "RFC 5869 {} OKM from PRK", c.name);
    }
}

/// RFC 5869 A.3 has an empty salt: `HKDF-Extract(salt = none)` equals an
/// explicit salt of 32 zero bytes. `MasterKey::subkey` relies on this "no
/// salt" form; check it against the published PRK and OKM.
#[test]
fn hkdf_no_salt_equals_hashlen_zero_salt_rfc5869_a3() {
    let (prk, _) = Hkdf::<Sha256>::extract(Some(&[0u8; 32]), &[0x0b; 22]);
    assert_eq!(
        prk.to_vec(),
        hex("19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04")
    );
}

/// `MasterKey::subkey(label)` is HKDF-SHA256 with no salt, IKM = the master
/// key and info = the label (checked by composition with the `hkdf` crate,
/// whose no-salt form is checked against RFC 5869 A.3 above).
#[test]
fn master_subkey_is_hkdf_sha256_without_salt() {
    let m = MasterKey::from_bytes([0x5a; 32]);
    for label in ["", "nightjar stego scatter", "two-factor"] {
        let mut expected = [0u8; 32];
        Hkdf::<Sha256>::new(None, &[0x5a; 32])
            .expand(label.as_bytes(), &mut expected)
            .unwrap();
        assert_eq!(m.subkey(label).as_bytes(), &expected, "label {label:?}");
    }
    assert_ne!(m.subkey("a"), m.subkey("b"));
}

/// (passphrase, salt, rounds, output)
fn bcrypt_pbkdf_cases() -> Vec<(&'static [u8], &'static [u8], u32, &'static str)> {
    vec![
        (
            b"password",
            b"salt",
            4,
            "5bbf0cc293587f1c3635555c27796598d47e579071bf427e9d8fbe842aba34d9",
        ),
        (b"password", b"\x00", 4, "c12b566235eee04c212598970a579a67"),
        (b"\x00", b"salt", 4, "6051be18c2f4f82cbf0efee5471b4bb9"),
        (
            b"password\x00",
            b"salt\x00",
            4,
            "7410e44cf4fa07bfaac8a928b1727fac001375e7bf7384370f48efd121743050",
        ),
        (
            b"pass\x00wor",
            b"sa\x00l",
            4,
            "c2bffd9db38f6569efef4372f4de83c0",
        ),
        (
            b"pass\x00word",
            b"sa\x00lt",
            4,
            "4ba4ac3925c0e8d7f0cdb6bb1684a56f",
        ),
        (
            b"password",
            b"salt",
            8,
            "e1367ec5151a33faac4cc1c144cd23fa15d5548493ecc99b9b5d9c0d3b27bec7\
             6227ea66088b849b20ab7aa478010246e74bba51723fefa9f9474d6508845e8d",
        ),
        (b"password", b"salt", 42, "833cf0dcf56db65608e8f0dc0ce882bd"),
    ]
}

#[test]
fn bcrypt_pbkdf_openbsd_vectors() {
    for (pass, salt, rounds, expected) in bcrypt_pbkdf_cases() {
        let expected = hex(expected);
        let mut out = vec![0u8; expected.len()];
        bcrypt_pbkdf::bcrypt_pbkdf(pass, salt, rounds, &mut out).unwrap();
        assert_eq!(out, expected, "pass {pass:?} salt {salt:?} rounds {rounds}");
    }
}

/// `Key::stretch` for a passphrase is `bcrypt_pbkdf(pass, salt, rounds, 32)`
/// (checked by composition; the published vectors above use 4-byte salts,
/// the envelope uses 16-byte ones).
#[test]
fn passphrase_stretch_is_bcrypt_pbkdf_32_bytes() {
    let salt = [0x33u8; 16];
    let key = Key::passphrase(b"password", 4).unwrap();
    let mut expected = [0u8; 32];
    bcrypt_pbkdf::bcrypt_pbkdf(b"password", &salt, 4, &mut expected).unwrap();
    assert_eq!(key.stretch(&salt).as_bytes(), &expected);
}

/// `Key::stretch` for a raw key and a master key is HKDF-Extract(salt, key).
#[test]
fn raw_and_master_stretch_are_hkdf_extract() {
    let salt = [0x44u8; 16];
    let raw = [0x0b; 22];
    let (prk, _) = Hkdf::<Sha256>::extract(Some(&salt), &raw);
    assert_eq!(
        Key::raw(&raw).unwrap().stretch(&salt).as_bytes()[..],
        prk[..]
    );

    let m = [0x77; 32];
    let (prk, _) = Hkdf::<Sha256>::extract(Some(&salt), &m);
    let key = Key::master(MasterKey::from_bytes(m));
    assert_eq!(key.stretch(&salt).as_bytes()[..], prk[..]);
    assert_ne!(key.stretch(&salt), key.stretch(&[0x45; 16]));
}
