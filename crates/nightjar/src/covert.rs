//! The covert channel's composition: a key and a per-image salt give a master key; the master
//! key gives the stego key (positions, whitening) and the envelope key; the message is sealed
//! (`nightjar-seal`) and the envelope hidden (`nightjar-stego`).
//!
//! ```text
//! salt   = 16 random bytes, stored in the image's first (public) slots
//! master = Key::stretch(salt)          raw key: HKDF-Extract; passphrase: bcrypt-pbkdf(rounds)
//! stego  = HKDF(master, "nightjar-stego-v1 positions")
//! seal   = HKDF(master, "nightjar-stego-v1 envelope")  -> Blowfish-CTR + HMAC-SHA256 envelope
//! ```
//! One key stretch per image, a fresh salt per image, and the envelope adds its own random salt
//! for its per-chunk keys.

use crate::exit::{check, from_seal, from_stego, input, CmdResult};
use anyhow::anyhow;
use nightjar_seal::{Key, DEFAULT_CHUNK_SIZE};
use nightjar_stego::{Capacity, Cover, EmbedReport, Mode, StegoKey};

const STEGO_LABEL: &str = "nightjar-stego-v1 positions";
const ENVELOPE_LABEL: &str = "nightjar-stego-v1 envelope";

/// The modes `reveal` tries when none is named, in this order.
pub const ALL_MODES: [Mode; 3] = [
    Mode::Scatter,
    Mode::Sequential { bits: 1 },
    Mode::Sequential { bits: 2 },
];

/// Capacity of a cover in a mode, and the largest message (after the envelope's overhead).
pub fn capacity(cover: &Cover, mode: Mode) -> (Capacity, u64) {
    let cap = nightjar_stego::capacity(cover, mode);
    let message =
        nightjar_seal::max_plaintext_len(cap.max_payload_bytes, DEFAULT_CHUNK_SIZE).unwrap_or(0);
    (cap, message)
}

fn keys(key: &Key, salt: &[u8; 16]) -> (StegoKey, Key) {
    let master = key.stretch(salt);
    let stego = StegoKey::new(*master.subkey(STEGO_LABEL).as_bytes());
    let envelope = Key::master(master.subkey(ENVELOPE_LABEL));
    (stego, envelope)
}

/// Seal `message` and hide it in `cover`. Nothing is changed when it does not fit.
pub fn hide(cover: &mut Cover, mode: Mode, key: &Key, message: &[u8]) -> CmdResult<EmbedReport> {
    let (cap, max) = capacity(cover, mode);
    if message.len() as u64 > max {
        // scatter mode leaves saturated samples alone: a cover made mostly of them (a
        // black-and-white scan, a drawing, a clipped photograph) is small whatever its size
        let saturated = cap.carriers - cap.slots;
        let advice = if mode == Mode::Scatter && saturated * 2 > cap.carriers {
            format!(
                "; {saturated} of its {} samples are 0 or 255 (black-and-white, drawn or clipped), \
                 which scatter mode cannot change unseen: use a photograph, or --mode sequential",
                cap.carriers
            )
        } else if mode.bits() == 1 {
            "; use a larger cover or --mode sequential --bits 2".to_string()
        } else {
            "; use a larger cover".to_string()
        };
        return Err(input(anyhow!(
            "the message is {} bytes but this {}x{} {} cover holds at most {max} bytes in {} mode \
             (--bits {}){advice}",
            message.len(),
            cover.width(),
            cover.height(),
            cover.layout().name(),
            mode.name(),
            mode.bits(),
        )));
    }
    let salt = nightjar_seal::random_salt().map_err(from_seal)?;
    let (stego_key, envelope_key) = keys(key, &salt);
    let envelope = nightjar_seal::seal(&envelope_key, message).map_err(from_seal)?;
    nightjar_stego::embed(cover, mode, &salt, &stego_key, &envelope).map_err(from_stego)
}

/// Find and open a message hidden with `key`, trying `modes` in order.
pub fn reveal(cover: &Cover, modes: &[Mode], key: &Key) -> CmdResult<(Vec<u8>, Mode)> {
    let mut altered = false;
    for &mode in modes {
        let salt = match nightjar_stego::read_salt(cover, mode) {
            Ok(s) => s,
            Err(nightjar_stego::StegoError::NoMessage) => continue,
            Err(e) => return Err(from_stego(e)),
        };
        let (stego_key, envelope_key) = keys(key, &salt);
        let envelope = match nightjar_stego::extract(cover, mode, &stego_key) {
            Ok(e) => e,
            Err(nightjar_stego::StegoError::NoMessage) => continue,
            Err(e) => return Err(from_stego(e)),
        };
        // The stego header matched this key, so any envelope failure means altered data.
        match nightjar_seal::open(&envelope_key, &envelope) {
            Ok(m) => return Ok((m, mode)),
            Err(_) => altered = true,
        }
    }
    if altered {
        Err(check(anyhow!(
            "authentication failed: a message for this key was found but it was altered; \
             nothing was revealed"
        )))
    } else {
        Err(check(anyhow!(
            "no message for this key in this image (wrong key, wrong --kdf-rounds, or no message)"
        )))
    }
}
