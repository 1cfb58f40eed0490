//! Wire formats: zero-copy checked views over untrusted bytes (smoltcp style). Parsing never
//! decides anything; every byte is recognised before any field is used (rustls style): unknown
//! kinds, lengths above the limit and trailing bytes are errors.
//!
//! * [`frame`]: stream frames `[kind u8][len u32 BE][payload]` (TCP).
//! * [`datagram`]: datagrams `[kind u8][seq u32 BE][body]` (UDP, lossy links).
//! * [`control`]: control messages (OFFER, ACCEPT, REJECT, FINISHED, CONFIRM, END, STORED),
//!   carried in control frames and control datagrams.

pub mod control;
pub mod datagram;
pub mod frame;

pub use control::{ControlMsg, NONCE_LEN, TAG_LEN};
pub use datagram::{Datagram, DatagramRepr};
pub use frame::{Frame, FrameHeader, FrameKind, FRAME_HEADER_LEN};

/// Reads a big-endian u32 at `at`; the caller has checked the length.
pub(crate) fn be32(b: &[u8], at: usize) -> u32 {
    let mut x = [0u8; 4];
    x.copy_from_slice(&b[at..at + 4]);
    u32::from_be_bytes(x)
}

/// Reads a big-endian u64 at `at`; the caller has checked the length.
pub(crate) fn be64(b: &[u8], at: usize) -> u64 {
    let mut x = [0u8; 8];
    x.copy_from_slice(&b[at..at + 8]);
    u64::from_be_bytes(x)
}

/// Copies `N` bytes at `at`; the caller has checked the length.
pub(crate) fn array<const N: usize>(b: &[u8], at: usize) -> [u8; N] {
    let mut x = [0u8; N];
    x.copy_from_slice(&b[at..at + N]);
    x
}
