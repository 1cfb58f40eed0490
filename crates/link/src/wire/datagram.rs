//! Datagrams (UDP, lossy links): `[kind u8][seq u32 BE][body]`.
//!
//! | kind | name | `seq` | body | length |
//! |---|---|---|---|---|
//! | `0x00` | DATA | fragment index, `< count` | `count u32 BE` (≥ 1), then 1.. fragment bytes | ≥ 10 |
//! | `0x01` | CONTROL | 0 | one control message ([`crate::wire::ControlMsg`]) | ≥ 6 |
//! | `0x02` | ACK | cumulative: every fragment `< seq` is held | `bitmap u128 BE`: bit `i` set = fragment `seq + 1 + i` held | 21 |
//! | `0x03` | PROBE | the fragment count | empty | 5 |
//!
//! Any other kind, a datagram longer than [`MAX_DATAGRAM`], a DATA fragment index at or beyond
//! its count, or extra bytes after ACK/PROBE are errors.

use super::be32;
use crate::error::Malformed;

/// Length of the datagram header.
pub const DATAGRAM_HEADER_LEN: usize = 5;
/// Header of a DATA datagram (kind, seq, count).
pub const DATA_HEADER_LEN: usize = 9;
/// The largest datagram accepted (the largest UDP payload over IPv4).
pub const MAX_DATAGRAM: usize = 65_507;
/// The bits in an ACK's bitmap.
pub const ACK_BITMAP_BITS: u32 = 128;

/// A parsed datagram borrowing its bytes (smoltcp's `Repr`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatagramRepr<'a> {
    /// A payload fragment.
    Data {
        /// Fragment index.
        seq: u32,
        /// Number of fragments in the message.
        count: u32,
        /// Fragment bytes (non-empty).
        bytes: &'a [u8],
    },
    /// A control message (not yet parsed: see [`crate::wire::ControlMsg::parse`]).
    Control(&'a [u8]),
    /// Selective acknowledgement.
    Ack {
        /// Every fragment below this is held.
        cumulative: u32,
        /// Fragments `cumulative + 1 + i` held.
        bitmap: u128,
    },
    /// "Have you stored it?" from a sender whose fragments are all acknowledged.
    Probe {
        /// The fragment count.
        count: u32,
    },
}

/// A checked view of one datagram.
#[derive(Debug, Clone, Copy)]
pub struct Datagram<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Datagram<T> {
    /// Checks the whole datagram (kind, lengths, ranges).
    pub fn new_checked(buffer: T) -> Result<Datagram<T>, Malformed> {
        parse(buffer.as_ref())?;
        Ok(Datagram { buffer })
    }

    /// The parsed contents.
    pub fn repr(&self) -> DatagramRepr<'_> {
        // new_checked parsed it successfully; parse is pure, so this repeats that result.
        parse(self.buffer.as_ref()).unwrap_or(DatagramRepr::Control(&[]))
    }
}

/// Parses one datagram.
pub fn parse(b: &[u8]) -> Result<DatagramRepr<'_>, Malformed> {
    if b.len() > MAX_DATAGRAM {
        return Err(Malformed::TooLong {
            what: "datagram",
            len: b.len() as u64,
            max: MAX_DATAGRAM as u64,
        });
    }
    if b.len() < DATAGRAM_HEADER_LEN {
        return Err(Malformed::Truncated {
            what: "datagram header",
            have: b.len(),
            need: DATAGRAM_HEADER_LEN,
        });
    }
    let seq = be32(b, 1);
    match b[0] {
        0x00 => {
            if b.len() <= DATA_HEADER_LEN {
                return Err(Malformed::Truncated {
                    what: "DATA datagram",
                    have: b.len(),
                    need: DATA_HEADER_LEN + 1,
                });
            }
            let count = be32(b, 5);
            if count == 0 || seq >= count {
                return Err(Malformed::Invalid(
                    "DATA fragment index at or beyond its count",
                ));
            }
            Ok(DatagramRepr::Data {
                seq,
                count,
                bytes: &b[DATA_HEADER_LEN..],
            })
        }
        0x01 => {
            if seq != 0 {
                return Err(Malformed::Invalid("CONTROL datagram with a non-zero seq"));
            }
            if b.len() == DATAGRAM_HEADER_LEN {
                return Err(Malformed::Truncated {
                    what: "CONTROL datagram",
                    have: b.len(),
                    need: DATAGRAM_HEADER_LEN + 1,
                });
            }
            Ok(DatagramRepr::Control(&b[DATAGRAM_HEADER_LEN..]))
        }
        0x02 => {
            let need = DATAGRAM_HEADER_LEN + 16;
            if b.len() != need {
                return Err(if b.len() < need {
                    Malformed::Truncated {
                        what: "ACK datagram",
                        have: b.len(),
                        need,
                    }
                } else {
                    Malformed::Trailing {
                        what: "ACK datagram",
                        count: b.len() - need,
                    }
                });
            }
            let mut x = [0u8; 16];
            x.copy_from_slice(&b[5..21]);
            Ok(DatagramRepr::Ack {
                cumulative: seq,
                bitmap: u128::from_be_bytes(x),
            })
        }
        0x03 => {
            if b.len() != DATAGRAM_HEADER_LEN {
                return Err(Malformed::Trailing {
                    what: "PROBE datagram",
                    count: b.len() - DATAGRAM_HEADER_LEN,
                });
            }
            if seq == 0 {
                return Err(Malformed::Invalid("PROBE with a zero fragment count"));
            }
            Ok(DatagramRepr::Probe { count: seq })
        }
        byte => Err(Malformed::UnknownKind {
            what: "datagram kind",
            byte,
        }),
    }
}

/// Encodes a datagram.
pub fn emit(d: &DatagramRepr<'_>) -> Vec<u8> {
    let mut v = Vec::new();
    match d {
        DatagramRepr::Data { seq, count, bytes } => {
            v.reserve(DATA_HEADER_LEN + bytes.len());
            v.push(0x00);
            v.extend_from_slice(&seq.to_be_bytes());
            v.extend_from_slice(&count.to_be_bytes());
            v.extend_from_slice(bytes);
        }
        DatagramRepr::Control(m) => {
            v.push(0x01);
            v.extend_from_slice(&0u32.to_be_bytes());
            v.extend_from_slice(m);
        }
        DatagramRepr::Ack { cumulative, bitmap } => {
            v.push(0x02);
            v.extend_from_slice(&cumulative.to_be_bytes());
            v.extend_from_slice(&bitmap.to_be_bytes());
        }
        DatagramRepr::Probe { count } => {
            v.push(0x03);
            v.extend_from_slice(&count.to_be_bytes());
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datagrams_round_trip() {
        let cases = [
            DatagramRepr::Data {
                seq: 3,
                count: 9,
                bytes: b"abc",
            },
            DatagramRepr::Control(b"\x03xyz"),
            DatagramRepr::Ack {
                cumulative: 7,
                bitmap: 0b1011 << 100,
            },
            DatagramRepr::Probe { count: 9 },
        ];
        for d in cases {
            let b = emit(&d);
            assert_eq!(Datagram::new_checked(&b[..]).unwrap().repr(), d);
        }
    }

    #[test]
    fn bad_datagrams_are_refused() {
        assert!(parse(&[0x07, 0, 0, 0, 0]).is_err());
        assert!(parse(&[0x00, 0, 0, 0, 9, 0, 0, 0, 9, 1]).is_err()); // seq == count
        assert!(parse(&[0x00, 0, 0, 0, 0, 0, 0, 0, 1]).is_err()); // no bytes
        assert!(parse(&[0x03, 0, 0, 0, 1, 0]).is_err()); // trailing
        assert!(parse(&[0x02, 0, 0, 0, 1]).is_err()); // no bitmap
        assert!(parse(&[0x01, 0, 0, 0, 1, 3]).is_err()); // control with seq
        assert!(parse(&[0x01, 0, 0]).is_err());
        assert!(parse(&vec![0x01; MAX_DATAGRAM + 1]).is_err());
    }
}
