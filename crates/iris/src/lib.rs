#![deny(unsafe_code)]
//! Iris recognition for Nightjar: synthetic eyes, segmentation, rubber-sheet normalisation,
//! Gabor phase codes, masked Hamming matching and fuzzy-commitment key binding (DESIGN §4).

pub mod code;

pub use code::{hamming, IrisCode};
