//! Stream frames (TCP): `[kind u8][len u32 BE][payload: len bytes]`.
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 1 | kind: `0x00` data, `0x01` control; anything else is an error |
//! | 1 | 4 | payload length, big-endian; above the configured maximum is an error |
//! | 5 | len | payload |
//!
//! A reader first reads the 5-byte header, checks it with [`FrameHeader::parse`] (so a header
//! claiming 4 GiB is refused before anything is allocated), then reads exactly `len` bytes.

use super::be32;
use crate::error::Malformed;

/// Length of the frame header.
pub const FRAME_HEADER_LEN: usize = 5;

/// The kind byte of a stream frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameKind {
    /// `0x00`: a chunk of the payload.
    Data,
    /// `0x01`: a control message ([`crate::wire::ControlMsg`]).
    Control,
}

impl FrameKind {
    /// The byte on the wire.
    pub const fn byte(self) -> u8 {
        match self {
            FrameKind::Data => 0x00,
            FrameKind::Control => 0x01,
        }
    }

    /// The kind for a byte, or an error for any other byte.
    pub fn from_byte(b: u8) -> Result<FrameKind, Malformed> {
        match b {
            0x00 => Ok(FrameKind::Data),
            0x01 => Ok(FrameKind::Control),
            byte => Err(Malformed::UnknownKind {
                what: "frame kind",
                byte,
            }),
        }
    }
}

/// A checked frame header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameHeader {
    /// The kind.
    pub kind: FrameKind,
    /// The payload length (at most the limit it was checked against).
    pub len: u32,
}

impl FrameHeader {
    /// Checks a header: known kind, length at most `max_len`.
    pub fn parse(b: &[u8; FRAME_HEADER_LEN], max_len: u32) -> Result<FrameHeader, Malformed> {
        let kind = FrameKind::from_byte(b[0])?;
        let len = be32(b, 1);
        if len > max_len {
            return Err(Malformed::TooLong {
                what: "frame payload",
                len: u64::from(len),
                max: u64::from(max_len),
            });
        }
        Ok(FrameHeader { kind, len })
    }

    /// The header bytes.
    pub fn to_bytes(self) -> [u8; FRAME_HEADER_LEN] {
        let mut h = [0u8; FRAME_HEADER_LEN];
        h[0] = self.kind.byte();
        h[1..].copy_from_slice(&self.len.to_be_bytes());
        h
    }
}

/// A zero-copy view of one complete frame in a buffer.
#[derive(Debug, Clone, Copy)]
pub struct Frame<T: AsRef<[u8]>> {
    buffer: T,
    header: FrameHeader,
}

impl<T: AsRef<[u8]>> Frame<T> {
    /// Checks that `buffer` holds exactly one frame: a known kind, a length at most `max_len`,
    /// and exactly that many payload bytes (no fewer, no trailing bytes).
    pub fn new_checked(buffer: T, max_len: u32) -> Result<Frame<T>, Malformed> {
        let b = buffer.as_ref();
        let Some(head) = b.first_chunk::<FRAME_HEADER_LEN>() else {
            return Err(Malformed::Truncated {
                what: "frame header",
                have: b.len(),
                need: FRAME_HEADER_LEN,
            });
        };
        let header = FrameHeader::parse(head, max_len)?;
        let need = FRAME_HEADER_LEN + header.len as usize;
        if b.len() < need {
            return Err(Malformed::Truncated {
                what: "frame payload",
                have: b.len(),
                need,
            });
        }
        if b.len() > need {
            return Err(Malformed::Trailing {
                what: "frame",
                count: b.len() - need,
            });
        }
        Ok(Frame { buffer, header })
    }

    /// The kind.
    pub fn kind(&self) -> FrameKind {
        self.header.kind
    }

    /// The payload.
    pub fn payload(&self) -> &[u8] {
        &self.buffer.as_ref()[FRAME_HEADER_LEN..]
    }
}

/// Appends a frame to `out`. The payload must be shorter than 4 GiB (the caller's chunking
/// guarantees it; longer payloads are an error).
pub fn emit(kind: FrameKind, payload: &[u8], out: &mut Vec<u8>) -> Result<(), Malformed> {
    let len = u32::try_from(payload.len()).map_err(|_| Malformed::TooLong {
        what: "frame payload",
        len: payload.len() as u64,
        max: u64::from(u32::MAX),
    })?;
    out.extend_from_slice(&FrameHeader { kind, len }.to_bytes());
    out.extend_from_slice(payload);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_round_trips() {
        let mut v = Vec::new();
        emit(FrameKind::Control, b"hello", &mut v).unwrap();
        assert_eq!(v, [1, 0, 0, 0, 5, b'h', b'e', b'l', b'l', b'o']);
        let f = Frame::new_checked(&v[..], 16).unwrap();
        assert_eq!(f.kind(), FrameKind::Control);
        assert_eq!(f.payload(), b"hello");
    }

    #[test]
    fn unknown_kind_oversize_truncated_and_trailing_are_errors() {
        assert!(matches!(
            Frame::new_checked(&[7u8, 0, 0, 0, 0][..], 16),
            Err(Malformed::UnknownKind { byte: 7, .. })
        ));
        assert!(matches!(
            FrameHeader::parse(&[0, 0xff, 0xff, 0xff, 0xff], 1 << 20),
            Err(Malformed::TooLong {
                len: 0xffff_ffff,
                ..
            })
        ));
        assert!(matches!(
            Frame::new_checked(&[0u8, 0, 0][..], 16),
            Err(Malformed::Truncated { need: 5, .. })
        ));
        assert!(matches!(
            Frame::new_checked(&[0u8, 0, 0, 0, 2, 9][..], 16),
            Err(Malformed::Truncated { need: 7, .. })
        ));
        assert!(matches!(
            Frame::new_checked(&[0u8, 0, 0, 0, 1, 9, 9][..], 16),
            Err(Malformed::Trailing { count: 1, .. })
        ));
    }
}
