//! ARP (RFC 826) for IPv4 over Ethernet: the wire view and its check.
//!
//! The wire format is kept apart from what is made of it (DESIGN §11, smoltcp's `wire`):
//! [`ArpPacket`] is a zero-copy view over the bytes after the link header whose checked
//! constructor accepts only what this crate decodes — hardware type 1 (Ethernet), protocol
//! type 0x0800 (IPv4), address lengths 6 and 4, all 28 bytes present — and
//! [`ArpPacket::repr`] turns it into the plain [`ArpRepr`] that the detector processes.
//! Parsing decides nothing: gratuitous ARP, probes and replies are all reported as they are.
//!
//! The layout (RFC 826, "Packet format"; the field names are the RFC's):
//!
//! ```text
//! offset  size  field
//!  0       2    ar$hrd  hardware address space (1: Ethernet)
//!  2       2    ar$pro  protocol address space (an EtherType: 0x0800 for IPv4)
//!  4       1    ar$hln  byte length of each hardware address (6)
//!  5       1    ar$pln  byte length of each protocol address (4)
//!  6       2    ar$op   opcode (1 request, 2 reply)
//!  8       6    ar$sha  sender hardware address
//! 14       4    ar$spa  sender protocol address
//! 18       6    ar$tha  target hardware address (not yet known in a request: zeros)
//! 24       4    ar$tpa  target protocol address
//! ```
//!
//! Bytes after the 28 are the link's padding (an Ethernet frame carries at least 46 bytes of
//! payload, so an ARP message over Ethernet always has 18 of them): they belong to no field
//! and are ignored, not rejected.

use std::net::Ipv4Addr;

use crate::record::{ArpOp, ArpRepr};

/// ARP hardware type of Ethernet (RFC 826; IANA "Hardware Types": 1).
pub const HTYPE_ETHERNET: u16 = 1;
/// ARP protocol type of IPv4 (the IPv4 EtherType).
pub const PTYPE_IPV4: u16 = 0x0800;
/// Bytes of an ARP message for IPv4 over Ethernet: 8 of fixed header, 2 × (6 + 4) of addresses.
pub const LEN: usize = 28;

/// Why bytes are not an ARP message this crate decodes; the text is the
/// [`Record::Undecoded`](crate::Record::Undecoded) reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArpError {
    /// Fewer than the 28 bytes of the message were captured (or the link header ended the
    /// frame early).
    Truncated,
    /// The hardware type is not Ethernet (1).
    HardwareType,
    /// The protocol type is not IPv4 (0x0800).
    ProtocolType,
    /// The address lengths are not 6 (hardware) and 4 (protocol).
    AddressLengths,
}

impl ArpError {
    /// The reason as [`Record::Undecoded`](crate::Record::Undecoded) reports it.
    pub fn reason(self) -> &'static str {
        match self {
            ArpError::Truncated => "truncated ARP packet",
            ArpError::HardwareType => "ARP of another hardware type than Ethernet",
            ArpError::ProtocolType => "ARP of another protocol than IPv4",
            ArpError::AddressLengths => "ARP address lengths not 6 and 4",
        }
    }
}

impl std::fmt::Display for ArpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.reason())
    }
}

impl std::error::Error for ArpError {}

/// A checked view of an ARP message for IPv4 over Ethernet: every accessor reads bytes that
/// [`ArpPacket::new_checked`] found present.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArpPacket<'a> {
    /// Exactly [`LEN`] bytes.
    bytes: &'a [u8; LEN],
}

impl<'a> ArpPacket<'a> {
    /// The view of `bytes` (the bytes after the link header), if they hold a whole ARP
    /// message for IPv4 over Ethernet. The checks go in the order of the fields, so a message
    /// of another kind that is also cut short is reported by its kind when that much is there.
    pub fn new_checked(bytes: &'a [u8]) -> Result<ArpPacket<'a>, ArpError> {
        let head: &[u8; 6] = bytes
            .get(..6)
            .and_then(|b| b.try_into().ok())
            .ok_or(ArpError::Truncated)?;
        if u16::from_be_bytes([head[0], head[1]]) != HTYPE_ETHERNET {
            return Err(ArpError::HardwareType);
        }
        if u16::from_be_bytes([head[2], head[3]]) != PTYPE_IPV4 {
            return Err(ArpError::ProtocolType);
        }
        if (head[4], head[5]) != (6, 4) {
            return Err(ArpError::AddressLengths);
        }
        let bytes = bytes
            .get(..LEN)
            .and_then(|b| b.try_into().ok())
            .ok_or(ArpError::Truncated)?;
        Ok(ArpPacket { bytes })
    }

    /// The opcode (`ar$op`) as on the wire.
    pub fn opcode(&self) -> u16 {
        u16::from_be_bytes([self.bytes[6], self.bytes[7]])
    }

    /// Sender hardware address (`ar$sha`).
    pub fn sender_hardware(&self) -> [u8; 6] {
        mac(self.bytes, 8)
    }

    /// Sender protocol address (`ar$spa`).
    pub fn sender_protocol(&self) -> Ipv4Addr {
        ipv4(self.bytes, 14)
    }

    /// Target hardware address (`ar$tha`).
    pub fn target_hardware(&self) -> [u8; 6] {
        mac(self.bytes, 18)
    }

    /// Target protocol address (`ar$tpa`).
    pub fn target_protocol(&self) -> Ipv4Addr {
        ipv4(self.bytes, 24)
    }

    /// The processing form, with the capture record's position, time and length (and no
    /// link-layer destination: the frame's is the link layer's to give).
    pub fn repr(&self, index: u64, ts: f64, wire_len: u32) -> ArpRepr {
        ArpRepr {
            index,
            ts,
            wire_len,
            op: ArpOp::from_wire(self.opcode()),
            sender_mac: self.sender_hardware(),
            sender_ip: self.sender_protocol(),
            target_mac: self.target_hardware(),
            target_ip: self.target_protocol(),
            link_dst: None,
        }
    }
}

fn mac(b: &[u8; LEN], at: usize) -> [u8; 6] {
    let mut m = [0u8; 6];
    m.copy_from_slice(&b[at..at + 6]);
    m
}

fn ipv4(b: &[u8; LEN], at: usize) -> Ipv4Addr {
    Ipv4Addr::new(b[at], b[at + 1], b[at + 2], b[at + 3])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An ARP request laid out field by field as RFC 826's "Packet format" gives them:
    /// 198.18.0.66 (02:00:00:00:00:42) asks who has 198.18.0.7.
    const REQUEST: [u8; LEN] = [
        0x00, 0x01, // ar$hrd: Ethernet
        0x08, 0x00, // ar$pro: IPv4
        6, 4, // ar$hln, ar$pln
        0x00, 0x01, // ar$op: request
        0x02, 0x00, 0x00, 0x00, 0x00, 0x42, // ar$sha
        198, 18, 0, 66, // ar$spa
        0, 0, 0, 0, 0, 0, // ar$tha: unknown
        198, 18, 0, 7, // ar$tpa
    ];

    #[test]
    fn an_rfc_826_request_reads_field_by_field() {
        let a = ArpPacket::new_checked(&REQUEST).unwrap();
        assert_eq!(a.opcode(), 1);
        assert_eq!(a.sender_hardware(), [2, 0, 0, 0, 0, 0x42]);
        assert_eq!(a.sender_protocol(), Ipv4Addr::new(198, 18, 0, 66));
        assert_eq!(a.target_hardware(), [0; 6]);
        assert_eq!(a.target_protocol(), Ipv4Addr::new(198, 18, 0, 7));
        let r = a.repr(3, 1.5, 60);
        assert_eq!(
            (r.index, r.ts, r.wire_len, r.op),
            (3, 1.5, 60, ArpOp::Request)
        );
        // Ethernet padding after the message is the link's
        let mut padded = REQUEST.to_vec();
        padded.extend_from_slice(&[0xee; 18]);
        assert_eq!(ArpPacket::new_checked(&padded).unwrap(), a);
    }

    #[test]
    fn every_cut_and_every_other_kind_is_refused_with_its_reason() {
        // a message of the right kind cut anywhere, inside the fixed header or the addresses
        for cut in 0..LEN {
            assert_eq!(
                ArpPacket::new_checked(&REQUEST[..cut]),
                Err(ArpError::Truncated),
                "{cut}"
            );
        }
        let with = |at: usize, v: u8| {
            let mut b = REQUEST;
            b[at] = v;
            ArpPacket::new_checked(&b).map(|_| ())
        };
        // IEEE 802 (6) is RFC 1042's hardware type for 802 networks: not decoded here
        assert_eq!(with(1, 6), Err(ArpError::HardwareType));
        assert_eq!(with(0, 1), Err(ArpError::HardwareType));
        // IPv6 has no ARP; 0x86dd in ar$pro is no IPv4
        assert_eq!(with(2, 0x86), Err(ArpError::ProtocolType));
        assert_eq!(with(3, 0x06), Err(ArpError::ProtocolType));
        assert_eq!(with(4, 8), Err(ArpError::AddressLengths));
        assert_eq!(with(5, 16), Err(ArpError::AddressLengths));
        // the kind is told before the length when that much is there
        let mut other = REQUEST;
        other[1] = 6;
        assert_eq!(
            ArpPacket::new_checked(&other[..10]),
            Err(ArpError::HardwareType)
        );
        assert_eq!(
            ArpError::AddressLengths.to_string(),
            "ARP address lengths not 6 and 4"
        );
    }

    #[test]
    fn opcodes_other_than_request_and_reply_are_kept_as_they_are() {
        for (code, op) in [
            (1, ArpOp::Request),
            (2, ArpOp::Reply),
            (3, ArpOp::Other(3)), // RARP request (RFC 903) in an ARP frame
            (0, ArpOp::Other(0)),
            (0xffff, ArpOp::Other(0xffff)),
        ] {
            let mut b = REQUEST;
            b[6..8].copy_from_slice(&u16::to_be_bytes(code));
            let r = ArpPacket::new_checked(&b).unwrap().repr(0, 0.0, 42);
            assert_eq!(r.op, op);
            assert_eq!(r.op.code(), code);
        }
    }
}
