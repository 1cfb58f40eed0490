//! Error-correcting codes for key binding, written for this crate (no external coding library):
//!
//! * [`gf`]: arithmetic in GF(2^s);
//! * [`rs`]: Reed–Solomon codes over GF(2^s), systematic encoding, errors-and-erasures decoding
//!   (Berlekamp–Massey, Chien, Forney), checked against the published examples of ISO/IEC 18004
//!   (QR codes), the Wikiversity article "Reed–Solomon codes for coders" and BBC R&D White Paper
//!   WHP 031 (see `tests/bind_rs_kat.rs`);
//! * [`rm`]: the first-order Reed–Muller (augmented Hadamard) code with soft maximum-likelihood
//!   decoding by the fast Hadamard transform, erasures included.
//!
//! [`crate::bind`] concatenates them as Hao, Anderson and Daugman (2006) did: the Hadamard code
//! absorbs the scattered bit errors between two captures of an iris, Reed–Solomon the blocks that
//! still come out wrong.

pub mod gf;
pub mod rm;
pub mod rs;

pub use gf::Gf;
pub use rs::{ReedSolomon, RsDecoded, RsError};
