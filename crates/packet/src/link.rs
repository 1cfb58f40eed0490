//! Link layers: from a captured frame to the start of its IP header.
//!
//! The link headers handled here are fixed-format (Ethernet II with any number of 802.1Q /
//! 802.1ad tags, Linux cooked v1 and v2, BSD null/loopback, raw IP), so they are read directly
//! with checked indexing; everything from the IP header down is parsed with `etherparse`.

use std::fmt;

/// A pcap / pcapng link type (the `LINKTYPE_*` number of the tcpdump.org registry).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LinkType(pub u32);

impl LinkType {
    /// BSD loopback: 4-byte address family in the capturing host's byte order.
    pub const NULL: LinkType = LinkType(0);
    /// Ethernet II (IEEE 802.3), with optional VLAN tags.
    pub const ETHERNET: LinkType = LinkType(1);
    /// Raw IP as written by some old OpenBSD/Linux libpcaps (DLT_RAW 12).
    pub const RAW_12: LinkType = LinkType(12);
    /// Raw IP as written by some old OpenBSD libpcaps (DLT_RAW 14).
    pub const RAW_14: LinkType = LinkType(14);
    /// Raw IP, IPv4 or IPv6 by the version nibble.
    pub const RAW: LinkType = LinkType(101);
    /// OpenBSD loopback: 4-byte address family in network byte order.
    pub const LOOP: LinkType = LinkType(108);
    /// Linux cooked capture v1 (`tcpdump -i any`, older libpcap).
    pub const LINUX_SLL: LinkType = LinkType(113);
    /// Raw IPv4.
    pub const IPV4: LinkType = LinkType(228);
    /// Raw IPv6.
    pub const IPV6: LinkType = LinkType(229);
    /// Linux cooked capture v2 (`tcpdump -i any`, libpcap ≥ 1.10).
    pub const LINUX_SLL2: LinkType = LinkType(276);

    /// Whether [`decode`](crate::decode) understands this link type.
    pub fn is_supported(self) -> bool {
        matches!(self.0, 0 | 1 | 12 | 14 | 101 | 108 | 113 | 228 | 229 | 276)
    }

    /// The registry name, for messages.
    pub fn name(self) -> &'static str {
        match self.0 {
            0 => "NULL",
            1 => "ETHERNET",
            12 | 14 | 101 => "RAW",
            108 => "LOOP",
            113 => "LINUX_SLL",
            228 => "IPV4",
            229 => "IPV6",
            276 => "LINUX_SLL2",
            _ => "unsupported",
        }
    }
}

impl fmt::Display for LinkType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name(), self.0)
    }
}

const ETH_IPV4: u16 = 0x0800;
const ETH_ARP: u16 = 0x0806;
const ETH_RARP: u16 = 0x8035;
const ETH_IPV6: u16 = 0x86DD;
const ETH_VLAN: u16 = 0x8100;
const ETH_QINQ: u16 = 0x88A8;
const ETH_QINQ_OLD: u16 = 0x9100;

#[inline]
fn be16(d: &[u8], at: usize) -> Option<u16> {
    match d.get(at..at + 2) {
        Some(&[a, b]) => Some(u16::from_be_bytes([a, b])),
        _ => None,
    }
}

#[inline]
fn u32_both(d: &[u8]) -> Option<(u32, u32)> {
    match d.get(..4) {
        Some(&[a, b, c, e]) => Some((
            u32::from_le_bytes([a, b, c, e]),
            u32::from_be_bytes([a, b, c, e]),
        )),
        _ => None,
    }
}

/// After an EtherType at `d[at-2..at]`: skip VLAN tags, return the IP packet bytes.
#[inline]
fn by_ethertype(d: &[u8], mut et: u16, mut at: usize) -> Result<&[u8], &'static str> {
    while matches!(et, ETH_VLAN | ETH_QINQ | ETH_QINQ_OLD) {
        et = be16(d, at + 2).ok_or("truncated VLAN tag")?;
        at += 4;
    }
    match et {
        ETH_IPV4 | ETH_IPV6 => d.get(at..).ok_or("truncated link header"),
        ETH_ARP => Err("ARP"),
        ETH_RARP => Err("RARP"),
        x if x < 0x0600 => Err("802.3/LLC frame (not IP)"),
        _ => Err("non-IP EtherType"),
    }
}

/// The IP packet inside a frame of link type `link`.
pub(crate) fn ip_bytes(link: LinkType, d: &[u8]) -> Result<&[u8], &'static str> {
    match link.0 {
        1 => {
            let et = be16(d, 12).ok_or("truncated Ethernet header")?;
            by_ethertype(d, et, 14)
        }
        113 => {
            // pkttype(2) hatype(2) halen(2) addr(8) protocol(2)
            let et = be16(d, 14).ok_or("truncated Linux SLL header")?;
            by_ethertype(d, et, 16)
        }
        276 => {
            // protocol(2) reserved(2) ifindex(4) hatype(2) pkttype(1) halen(1) addr(8)
            let et = be16(d, 0).ok_or("truncated Linux SLL2 header")?;
            if d.len() < 20 {
                return Err("truncated Linux SLL2 header");
            }
            by_ethertype(d, et, 20)
        }
        12 | 14 | 101 | 228 | 229 => Ok(d),
        0 | 108 => {
            let (le, be) = u32_both(d).ok_or("truncated loopback header")?;
            let fam = if link.0 == 108 {
                be
            } else if le <= 0xFFFF {
                le
            } else {
                be
            };
            match fam {
                2 | 24 | 28 | 30 => d.get(4..).ok_or("truncated loopback header"),
                _ => Err("non-IP loopback family"),
            }
        }
        _ => Err("unsupported link type"),
    }
}
