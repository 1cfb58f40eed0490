#![deny(unsafe_code)]
//! Iris recognition for Nightjar: synthetic eyes, segmentation, rubber-sheet normalisation,
//! Gabor phase codes, masked Hamming matching and fuzzy-commitment key binding (DESIGN §4).

pub mod bind; // key binding (fuzzy commitment)
pub mod code;
pub mod ecc;
pub mod encode;
pub mod error;
pub mod eval;
pub mod matching;
pub mod normalise;
pub mod pipeline;
pub mod record; // enrollment record format (key binding)
pub mod segment;
pub mod synth;
mod util;

pub use code::{hamming, IrisCode};
pub use error::IrisError;
