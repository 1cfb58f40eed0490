//! The key schedule. Everything comes from one 32-byte shared secret (the CLI derives it from
//! the user's key: key file, passphrase or iris).
//!
//! ```text
//! K_hs     = HKDF-SHA256(salt = "nightjar-link-v1", IKM = secret, info = "handshake")
//! T        = "nightjar-link-v1 transcript" || len(OFFER) u16 BE || OFFER bytes || chosen id || server_nonce
//! ACCEPT   mac = HMAC-SHA256(K_hs, "accept"   || T)
//! FINISHED mac = HMAC-SHA256(K_hs, "finished" || T)
//! CONFIRM  mac = HMAC-SHA256(K_hs, "confirm"  || T)
//! K_data   = HKDF-SHA256(salt = client_nonce || server_nonce, IKM = K_hs, info = "data"   || id)
//! K_stored = HKDF-SHA256(salt = client_nonce || server_nonce, IKM = K_hs, info = "stored" || id)
//! payload tag = HMAC-SHA256(K_data, payload || len u64 BE)
//! STORED tag  = HMAC-SHA256(K_stored, "stored" || len u64 BE || payload tag)
//! ```
//!
//! The OFFER bytes (with the client nonce and every offered id, in order) are inside T, so an
//! attacker who strips or reorders offered ids changes T and every MAC fails (downgrade
//! protection, as TLS's Finished).

use crate::wire::control::{Nonce, Tag};
use crate::StackId;
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop};

type HmacSha256 = Hmac<Sha256>;

/// The 32-byte secret both nodes share. Zeroized on drop; `Debug` is redacted.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Secret([u8; 32]);

impl Secret {
    /// Wraps secret bytes.
    pub fn from_bytes(b: [u8; 32]) -> Secret {
        Secret(b)
    }

    pub(crate) fn handshake_key(&self) -> Key32 {
        let hk = Hkdf::<Sha256>::new(Some(b"nightjar-link-v1"), &self.0);
        let mut k = [0u8; 32];
        // 32 bytes is always a valid HKDF-SHA256 output length.
        let _ = hk.expand(b"handshake", &mut k);
        Key32(k)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// A 32-byte derived key.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub(crate) struct Key32([u8; 32]);

impl fmt::Debug for Key32 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Key32(<redacted>)")
    }
}

fn hmac(key: &Key32) -> HmacSha256 {
    // HMAC accepts keys of any length.
    match HmacSha256::new_from_slice(&key.0) {
        Ok(m) => m,
        Err(_) => unreachable_hmac(),
    }
}

#[cold]
fn unreachable_hmac() -> HmacSha256 {
    // Not reachable: HMAC-SHA256 takes keys of any length. Keep a total function anyway.
    <HmacSha256 as Mac>::new(&Default::default())
}

impl Key32 {
    pub(crate) fn mac(&self, parts: &[&[u8]]) -> Tag {
        let mut m = hmac(self);
        for p in parts {
            m.update(p);
        }
        m.finalize().into_bytes().into()
    }

    pub(crate) fn verify(&self, parts: &[&[u8]], tag: &Tag) -> bool {
        let mut m = hmac(self);
        for p in parts {
            m.update(p);
        }
        m.verify_slice(tag).is_ok()
    }
}

/// The transcript both sides MAC.
pub(crate) fn transcript(offer: &[u8], id: StackId, server_nonce: &Nonce) -> Vec<u8> {
    let mut t = b"nightjar-link-v1 transcript".to_vec();
    // An OFFER is at most MAX_CONTROL_LEN (155) bytes.
    t.extend_from_slice(&(offer.len().min(u16::MAX as usize) as u16).to_be_bytes());
    t.extend_from_slice(offer);
    t.extend_from_slice(&id.0);
    t.extend_from_slice(server_nonce);
    t
}

/// Keys of one established session.
#[derive(Clone, Debug)]
pub struct SessionKeys {
    data: Key32,
    stored: Key32,
}

impl SessionKeys {
    pub(crate) fn derive(hs: &Key32, client: &Nonce, server: &Nonce, id: StackId) -> Self {
        let mut salt = [0u8; 32];
        salt[..16].copy_from_slice(client);
        salt[16..].copy_from_slice(server);
        let hk = Hkdf::<Sha256>::new(Some(&salt), &hs.0);
        let one = |label: &[u8]| {
            let mut info = label.to_vec();
            info.extend_from_slice(&id.0);
            let mut k = [0u8; 32];
            let _ = hk.expand(&info, &mut k);
            Key32(k)
        };
        SessionKeys {
            data: one(b"data"),
            stored: one(b"stored"),
        }
    }

    /// An incremental payload MAC.
    pub fn payload_mac(&self) -> PayloadMac {
        PayloadMac {
            mac: hmac(&self.data),
            total: 0,
        }
    }

    /// The payload tag of a whole buffer.
    pub fn payload_tag(&self, payload: &[u8]) -> Tag {
        let mut m = self.payload_mac();
        m.update(payload);
        m.finish()
    }

    /// The STORED receipt tag for a payload of `total` bytes with tag `payload_tag`.
    pub fn stored_tag(&self, total: u64, payload_tag: &Tag) -> Tag {
        self.stored
            .mac(&[b"stored", &total.to_be_bytes(), payload_tag])
    }

    /// Checks a STORED receipt (constant time).
    pub fn verify_stored(&self, total: u64, payload_tag: &Tag, tag: &Tag) -> bool {
        self.stored
            .verify(&[b"stored", &total.to_be_bytes(), payload_tag], tag)
    }
}

/// HMAC over a payload fed in pieces.
pub struct PayloadMac {
    mac: HmacSha256,
    total: u64,
}

impl PayloadMac {
    /// Feeds bytes.
    pub fn update(&mut self, b: &[u8]) {
        self.mac.update(b);
        self.total += b.len() as u64;
    }

    /// Bytes fed so far.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// The tag.
    pub fn finish(mut self) -> Tag {
        self.mac.update(&self.total.to_be_bytes());
        self.mac.finalize().into_bytes().into()
    }

    /// Checks a tag in constant time.
    pub fn verify(mut self, tag: &Tag) -> bool {
        self.mac.update(&self.total.to_be_bytes());
        self.mac.verify_slice(tag).is_ok()
    }
}

/// A fresh random nonce.
pub fn random_nonce() -> Result<Nonce, std::io::Error> {
    let mut n = [0u8; 16];
    getrandom::getrandom(&mut n).map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(n)
}
