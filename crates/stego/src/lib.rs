#![deny(unsafe_code)]
#![warn(missing_docs)]
//! # nightjar-stego
//!
//! Hides opaque bytes in the least significant bits of lossless images, and detects such hiding.
//!
//! * [`cover`]: loading PNG (gray, gray+alpha, RGB, RGBA), BMP, PGM/PPM and TIFF into 8-bit
//!   samples; JPEG and other lossy formats are refused, because re-compression destroys LSBs.
//!   Output is always PNG. Alpha never carries bits.
//! * [`embed`](mod@embed): the two modes — the paper's `sequential` LSB replacement (1 or 2 bits per
//!   sample) and the default keyed `scatter` mode (±1 LSB matching at keyed positions, with
//!   matrix embedding) — and the container format (salt, hidden length, payload), documented there.
//! * [`analyze`]: steganalysis — the chi-square attack, RS analysis and sample pair analysis —
//!   so the tool that hides can also tell how visible its hiding is.
//!
//! This crate knows nothing of encryption: callers seal the payload first (`nightjar-seal`) and
//! derive the [`StegoKey`] from their key and the image's salt.

pub mod analyze;
pub mod cover;
pub mod embed;
mod keystream;

pub use cover::{Cover, Layout};
pub use embed::{
    capacity, embed, extract, read_salt, Capacity, EmbedReport, Mode, StegoKey, SALT_LEN,
};

/// Everything that can go wrong hiding or revealing.
#[derive(Debug, thiserror::Error)]
pub enum StegoError {
    /// The cover is in a lossy format.
    #[error(
        "{0} is a lossy format: its compression rewrites the least significant bits and would \
         destroy a hidden payload; use a lossless cover (PNG, BMP, PGM/PPM or TIFF)"
    )]
    LossyCover(&'static str),
    /// Not an image format we accept.
    #[error("unsupported image: {0}")]
    UnsupportedFormat(String),
    /// The file claims a supported format but does not decode.
    #[error("cannot decode the image: {0}")]
    Decode(String),
    /// Writing the PNG failed.
    #[error("cannot encode the PNG: {0}")]
    Encode(String),
    /// The payload is larger than the cover can carry in this mode.
    #[error(
        "the payload is {payload} bytes but this cover holds at most {max} bytes in this mode"
    )]
    TooLarge {
        /// Payload bytes asked for.
        payload: u64,
        /// Bytes the cover can hold.
        max: u64,
    },
    /// No message hidden with this key (or the image was altered).
    #[error("no message for this key in this image")]
    NoMessage,
    /// A bad mode or bit depth.
    #[error("{0}")]
    InvalidMode(String),
    /// Reading a file failed.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
}
