//! Link layers: from a captured frame to the start of its IP header (or of its ARP message).
//!
//! The link headers handled here are fixed-format (Ethernet II with any number of 802.1Q /
//! 802.1ad tags, an MPLS label stack or a PPPoE session header, Linux cooked v1 and v2, BSD
//! null/loopback, raw IP), so they are read directly with checked indexing; everything from
//! the IP header down is parsed with `etherparse`, an ARP message by [`crate::arp`].

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
    /// PPP (RFC 1661), with or without the RFC 1662 address and control bytes.
    pub const PPP: LinkType = LinkType(9);
    /// PPP in HDLC-like framing (RFC 1662); Cisco HDLC frames appear here too.
    pub const PPP_HDLC: LinkType = LinkType(50);
    /// Cisco HDLC: address, control, then an EtherType.
    pub const C_HDLC: LinkType = LinkType(104);
    /// IEEE 802.11 frames without a radio header (monitor mode, or a decrypted export).
    pub const IEEE802_11: LinkType = LinkType(105);
    /// IEEE 802.11 behind a radiotap header (monitor mode on Linux and macOS).
    pub const IEEE802_11_RADIOTAP: LinkType = LinkType(127);
    /// A Per-Packet Information header (older Windows/AirPcap monitor captures), then a frame
    /// of the link type it names.
    pub const PPI: LinkType = LinkType(192);
    /// Linux netfilter log messages (`tcpdump -i nflog:GROUP`, an `NFLOG` / `log group` rule).
    pub const NFLOG: LinkType = LinkType(239);
    /// The pf firewall's log of OpenBSD, FreeBSD, pfSense and macOS (`tcpdump -i pflog0`).
    pub const PFLOG: LinkType = LinkType(117);

    /// Whether [`decode`](crate::decode) understands this link type.
    pub fn is_supported(self) -> bool {
        matches!(
            self.0,
            0 | 1
                | 9
                | 12
                | 14
                | 50
                | 101
                | 104
                | 105
                | 108
                | 113
                | 117
                | 127
                | 192
                | 228
                | 229
                | 239
                | 276
        )
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
            9 => "PPP",
            50 => "PPP_HDLC",
            104 => "C_HDLC",
            105 => "IEEE802_11",
            127 => "IEEE802_11_RADIOTAP",
            192 => "PPI",
            239 => "NFLOG",
            117 => "PFLOG",
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
/// MPLS unicast and multicast (RFC 3032): a stack of 4-byte label entries before the packet.
const ETH_MPLS: u16 = 0x8847;
const ETH_MPLS_MC: u16 = 0x8848;
/// PPPoE session stage (RFC 2516): a 6-byte PPPoE header and a 2-byte PPP protocol number.
const ETH_PPPOE: u16 = 0x8864;
/// PPP protocol numbers of IPv4 and IPv6 (RFC 1332, RFC 5072).
const PPP_IPV4: u16 = 0x0021;
const PPP_IPV6: u16 = 0x0057;
/// Label entries read before an MPLS stack is taken as malformed (real stacks hold a few).
const MPLS_MAX_LABELS: usize = 16;

/// The big-endian 16-bit word at `d[at..at + 2]`, if the slice holds it.
#[inline]
pub(crate) fn be16(d: &[u8], at: usize) -> Option<u16> {
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

/// What a frame carries after its link header(s): the bytes of an IP packet or of an ARP
/// message, not yet parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Network<'a> {
    /// An IPv4 or IPv6 packet (by its EtherType, PPP protocol, MPLS payload's version nibble
    /// or loopback family; raw IP link types carry nothing else).
    Ip(&'a [u8]),
    /// An ARP message (EtherType 0x0806), of any hardware and protocol type, and the frame's
    /// link-layer destination when the link type has one (Ethernet's; Linux cooked captures
    /// keep only the source).
    Arp(&'a [u8], Option<[u8; 6]>),
}

/// After an EtherType at `d[at-2..at]`: skip VLAN tags and one LLC/SNAP header (an 802.3
/// length field where the EtherType would be), return the IP packet's or ARP message's bytes.
#[inline]
fn by_ethertype(d: &[u8], mut et: u16, mut at: usize) -> Result<Network<'_>, &'static str> {
    let mut snap = false;
    loop {
        match et {
            ETH_VLAN | ETH_QINQ | ETH_QINQ_OLD => {
                et = be16(d, at + 2).ok_or("truncated VLAN tag")?;
                at += 4;
            }
            x if x < 0x0600 && !snap => {
                (et, at) = llc_snap(d, at)?;
                snap = true;
            }
            _ => break,
        }
    }
    match et {
        ETH_IPV4 | ETH_IPV6 => d.get(at..).map(Network::Ip).ok_or("truncated link header"),
        ETH_MPLS | ETH_MPLS_MC => mpls(d, at).map(Network::Ip),
        ETH_PPPOE => {
            // version/type, code, session id (2), length (2), then the PPP protocol number
            match be16(d, at + 6).ok_or("truncated PPPoE header")? {
                PPP_IPV4 | PPP_IPV6 => d
                    .get(at + 8..)
                    .map(Network::Ip)
                    .ok_or("truncated PPPoE header"),
                _ => Err("PPPoE frame not IP (PPP control)"),
            }
        }
        ETH_ARP => d
            .get(at..)
            .map(|b| Network::Arp(b, None))
            .ok_or("truncated link header"),
        ETH_RARP => Err("RARP"),
        x if x < 0x0600 => Err("802.3/LLC frame (not IP)"),
        _ => Err("non-IP EtherType"),
    }
}

/// An IEEE 802.2 LLC header with a SNAP extension at `d[at..]` (RFC 1042; 802.1H's bridge
/// tunnel OUI too): DSAP and SSAP 0xAA, control 0x03 (UI), a zero OUI, then an EtherType.
/// Returns the EtherType and where the packet after it starts. Other LLC frames (spanning
/// tree, NetBIOS over LLC, IPX) carry no IP.
fn llc_snap(d: &[u8], at: usize) -> Result<(u16, usize), &'static str> {
    match d.get(at..at + 8) {
        Some(&[0xAA, 0xAA, 0x03, 0, 0, 0 | 0xF8, a, b]) => Ok((u16::from_be_bytes([a, b]), at + 8)),
        Some(_) => Err("802.3/LLC frame (not IP)"),
        None => match d.get(at..) {
            Some(rest) if [0xAA, 0xAA, 0x03, 0, 0].starts_with(rest) => {
                Err("truncated LLC/SNAP header")
            }
            _ => Err("802.3/LLC frame (not IP)"),
        },
    }
}

/// An IEEE 802.11 frame (IEEE Std 802.11-2020 §9.2.4.1, §9.3.2.1): only data frames with a
/// body carry IP. Frame control (2 bytes: version, type, subtype; then the flags), duration,
/// three addresses and sequence control make 24 bytes; a fourth address follows between
/// access points (to-DS and from-DS both set); QoS data frames add QoS control (2), and an
/// HT control field (4) when the order bit is set; then LLC/SNAP. A frame protected by
/// WEP/TKIP/CCMP cannot be read without the key; an A-MSDU (several packets in one frame) and
/// fragments after the first are reported, not split or joined.
fn ieee80211(d: &[u8]) -> Result<Network<'_>, &'static str> {
    let (fc0, fc1) = match d {
        [a, b, ..] => (*a, *b),
        _ => return Err("truncated 802.11 header"),
    };
    if fc0 & 0x03 != 0 {
        return Err("802.11 frame of an unknown protocol version");
    }
    if (fc0 >> 2) & 0x03 != 2 {
        return Err("802.11 management or control frame");
    }
    let subtype = fc0 >> 4;
    if subtype & 0x04 != 0 {
        return Err("802.11 data frame without a body (null or CF-Ack/Poll)");
    }
    if fc1 & 0x40 != 0 {
        return Err("encrypted 802.11 frame");
    }
    let seq = d.get(22).ok_or("truncated 802.11 header")?;
    if seq & 0x0F != 0 {
        return Err("802.11 fragment after the first");
    }
    let mut at = if fc1 & 0x03 == 0x03 { 30 } else { 24 };
    if subtype & 0x08 != 0 {
        let qos = d.get(at).ok_or("truncated 802.11 header")?;
        if qos & 0x80 != 0 {
            return Err("802.11 A-MSDU (not split)");
        }
        at += if fc1 & 0x80 != 0 { 6 } else { 2 };
    }
    if d.len() < at {
        return Err("truncated 802.11 header");
    }
    let (et, at) = llc_snap(d, at)?;
    by_ethertype(d, et, at)
}

/// A radiotap header (radiotap.org: version 0, pad, little-endian length, present flags …)
/// before an 802.11 frame.
fn radiotap(d: &[u8]) -> Result<Network<'_>, &'static str> {
    match d {
        [0, _, a, b, _, _, _, _, ..] => {
            let len = usize::from(u16::from_le_bytes([*a, *b]));
            if len < 8 {
                return Err("malformed radiotap header");
            }
            d.get(len..)
                .ok_or("truncated radiotap header")
                .and_then(ieee80211)
        }
        [_, _, _, _, _, _, _, _, ..] => Err("radiotap header of an unknown version"),
        _ => Err("truncated radiotap header"),
    }
}

/// A Per-Packet Information header (PPI specification 1.0.10, CACE Technologies: version 0,
/// flags, little-endian length and link type), then an 802.11 or Ethernet frame.
fn ppi(d: &[u8]) -> Result<Network<'_>, &'static str> {
    match d {
        [0, _, a, b, l0, l1, l2, l3, ..] => {
            let len = usize::from(u16::from_le_bytes([*a, *b]));
            if len < 8 {
                return Err("malformed PPI header");
            }
            let inner = d.get(len..).ok_or("truncated PPI header")?;
            match u32::from_le_bytes([*l0, *l1, *l2, *l3]) {
                105 => ieee80211(inner),
                127 => radiotap(inner),
                1 => ethernet(inner),
                _ => Err("PPI frame of an unsupported link type"),
            }
        }
        [_, _, _, _, _, _, _, _, ..] => Err("PPI header of an unknown version"),
        _ => Err("truncated PPI header"),
    }
}

/// A PPP frame (RFC 1661 §2) at `d[at..]`: the address and control bytes of RFC 1662's
/// HDLC-like framing when present, then the protocol number, one byte when compressed
/// (odd, RFC 1661 §6.5) or two.
fn ppp(d: &[u8], mut at: usize) -> Result<Network<'_>, &'static str> {
    if d.get(at..at + 2) == Some(&[0xFF, 0x03]) {
        at += 2;
    }
    let first = *d.get(at).ok_or("truncated PPP header")?;
    let (proto, at) = if first & 1 == 1 {
        (u16::from(first), at + 1)
    } else {
        (be16(d, at).ok_or("truncated PPP header")?, at + 2)
    };
    match proto {
        PPP_IPV4 | PPP_IPV6 => d.get(at..).map(Network::Ip).ok_or("truncated PPP header"),
        _ => Err("PPP frame not IP (PPP control)"),
    }
}

/// A Cisco HDLC frame: address (0x0F unicast, 0x8F broadcast), control, EtherType.
fn cisco_hdlc(d: &[u8]) -> Result<Network<'_>, &'static str> {
    match be16(d, 2).ok_or("truncated Cisco HDLC header")? {
        // SLARP (address resolution and keepalives) reuses RARP's number
        ETH_RARP => Err("Cisco SLARP (not IP)"),
        et => by_ethertype(d, et, 4),
    }
}

/// A pf log header (the `pfloghdr` of OpenBSD's and FreeBSD's `if_pflog.h`, as tcpdump's
/// `print-pflog.c` reads it): its length in the first byte (61 on FreeBSD and pfSense, 100 on
/// OpenBSD; at least 45), padded to a multiple of 4, and the address family in the second (2
/// for IPv4; 24, 28 or 30 for IPv6 on OpenBSD, FreeBSD or macOS); then the packet.
fn pflog(d: &[u8]) -> Result<Network<'_>, &'static str> {
    const MIN_HDRLEN: u8 = 45;
    let (len, af) = match d {
        [a, b, ..] => (*a, *b),
        _ => return Err("truncated pflog header"),
    };
    if len < MIN_HDRLEN {
        return Err("malformed pflog header");
    }
    let ip = d
        .get((usize::from(len) + 3) & !3..)
        .ok_or("truncated pflog header")?;
    match af {
        2 | 10 | 24 | 28 | 30 => Ok(Network::Ip(ip)),
        _ => Err("pflog packet not IPv4 or IPv6"),
    }
}

/// Whether the TLV headers of an NFLOG message (after its 4-byte header) read right in this
/// byte order: walking them, the first non-zero type is below 0x100 (the attribute types are
/// small numbers; the top bit is netlink's "nested" flag). They are in the capturing host's
/// byte order, which the file does not record.
fn nflog_order_is(d: &[u8], little: bool) -> bool {
    let rd = |x: [u8; 2]| {
        if little {
            u16::from_le_bytes(x)
        } else {
            u16::from_be_bytes(x)
        }
    };
    let mut at = 4;
    while let Some(&[a, b, c, e]) = d.get(at..at + 4) {
        let (len, ty) = (usize::from(rd([a, b])), rd([c, e]) & 0x7FFF);
        if len < 4 || ty >= 0x100 {
            return false;
        }
        if ty != 0 {
            return true;
        }
        at += (len + 3) & !3;
    }
    false
}

/// A Linux netfilter log message (libpcap's `pcap/nflog.h`): address family, version,
/// resource id, then type-length-value attributes (lengths include the 4-byte header and
/// are padded to 4 bytes) of which `NFULA_PAYLOAD` (9) holds the IPv4 or IPv6 packet.
fn nflog(d: &[u8]) -> Result<Network<'_>, &'static str> {
    const AF_INET: u8 = 2;
    const AF_INET6: u8 = 10;
    const NFULA_PAYLOAD: u16 = 9;
    let family = *d.first().ok_or("truncated NFLOG header")?;
    if d.len() < 4 {
        return Err("truncated NFLOG header");
    }
    let little = !nflog_order_is(d, false) && nflog_order_is(d, true);
    let mut at = 4;
    while let Some(&[a, b, c, e]) = d.get(at..at + 4) {
        let (len, ty) = if little {
            (u16::from_le_bytes([a, b]), u16::from_le_bytes([c, e]))
        } else {
            (u16::from_be_bytes([a, b]), u16::from_be_bytes([c, e]))
        };
        let len = usize::from(len);
        if len < 4 {
            return Err("malformed NFLOG attribute");
        }
        if ty & 0x7FFF == NFULA_PAYLOAD {
            // the payload may be cut by the snap length; the IP header's lengths say the rest
            let end = (at + len).min(d.len());
            return match family {
                AF_INET | AF_INET6 => Ok(Network::Ip(&d[at + 4..end])),
                _ => Err("NFLOG message not IPv4 or IPv6"),
            };
        }
        at += (len + 3) & !3;
    }
    Err("NFLOG message without a packet")
}

/// After an MPLS EtherType at `d[at-2..at]`: skip the label stack to its bottom entry (the
/// S bit, RFC 3032 §2.1); IP follows when its version nibble says so (RFC 4928: a pseudowire's
/// control word starts with 0, an Ethernet pseudowire with a MAC address, neither taken).
fn mpls(d: &[u8], mut at: usize) -> Result<&[u8], &'static str> {
    for _ in 0..MPLS_MAX_LABELS {
        let Some(&[_, _, bottom, _]) = d.get(at..at + 4) else {
            return Err("truncated MPLS label stack");
        };
        at += 4;
        if bottom & 1 == 1 {
            return match d.get(at).map(|b| b >> 4) {
                Some(4 | 6) => Ok(&d[at..]),
                Some(_) => Err("MPLS payload not IP"),
                None => Err("truncated MPLS label stack"),
            };
        }
    }
    Err("MPLS label stack without a bottom entry")
}

/// The IP packet or ARP message inside a frame of link type `link`.
pub(crate) fn network_bytes(link: LinkType, d: &[u8]) -> Result<Network<'_>, &'static str> {
    match link.0 {
        1 => ethernet(d),
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
        12 | 14 | 101 | 228 | 229 => Ok(Network::Ip(d)),
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
                2 | 24 | 28 | 30 => d
                    .get(4..)
                    .map(Network::Ip)
                    .ok_or("truncated loopback header"),
                _ => Err("non-IP loopback family"),
            }
        }
        9 => ppp(d, 0),
        50 => match d.first() {
            Some(0x0F | 0x8F) => cisco_hdlc(d),
            _ => ppp(d, 0),
        },
        104 => cisco_hdlc(d),
        105 => ieee80211(d),
        127 => radiotap(d),
        192 => ppi(d),
        239 => nflog(d),
        117 => pflog(d),
        _ => Err("unsupported link type"),
    }
}

/// An Ethernet II (or 802.3) frame.
#[inline]
fn ethernet(d: &[u8]) -> Result<Network<'_>, &'static str> {
    let et = be16(d, 12).ok_or("truncated Ethernet header")?;
    match by_ethertype(d, et, 14)? {
        Network::Arp(b, _) => {
            let dst = d.get(..6).and_then(|m| <[u8; 6]>::try_from(m).ok());
            Ok(Network::Arp(b, dst))
        }
        ip => Ok(ip),
    }
}

#[cfg(test)]
mod tests {
    use etherparse::PacketBuilder;

    use crate::{decode, LinkType, Record};

    /// An IPv4 UDP packet (no link header) and the same in a plain Ethernet II frame.
    fn ip_and_frame() -> (Vec<u8>, Vec<u8>) {
        let mut ip = Vec::new();
        PacketBuilder::ipv4([198, 18, 0, 66], [198, 18, 0, 10], 64)
            .udp(40000, 53)
            .write(&mut ip, &[9; 30])
            .unwrap();
        let mut frame = vec![2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00];
        frame.extend_from_slice(&ip);
        (ip, frame)
    }

    /// Ethernet addresses, then `ethertype`, then `rest`.
    fn eth(ethertype: u16, rest: &[u8]) -> Vec<u8> {
        let mut v = vec![2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1];
        v.extend_from_slice(&ethertype.to_be_bytes());
        v.extend_from_slice(rest);
        v
    }

    /// An MPLS label stack entry (RFC 3032 §2.1): label (20 bits), traffic class (3), bottom of
    /// stack (1), TTL (8).
    fn label(value: u32, bottom: bool) -> [u8; 4] {
        (value << 12 | u32::from(bottom) << 8 | 64).to_be_bytes()
    }

    fn same_as_plain(frame: &[u8]) {
        let (_, plain) = ip_and_frame();
        let Record::Packet(want) = decode(LinkType::ETHERNET, &plain, 0, 1.0, 100) else {
            panic!("plain frame not decoded");
        };
        match decode(LinkType::ETHERNET, frame, 0, 1.0, 100) {
            Record::Packet(got) => assert_eq!(got, want, "{frame:02x?}"),
            other => panic!("{other:?} for {frame:02x?}"),
        }
    }

    fn undecoded(frame: &[u8], why: &str) {
        match decode(LinkType::ETHERNET, frame, 0, 1.0, 100) {
            Record::Undecoded { reason, .. } => assert_eq!(reason, why, "{frame:02x?}"),
            other => panic!("{other:?} for {frame:02x?}"),
        }
    }

    #[test]
    fn mpls_label_stacks_are_skipped_to_the_ip_packet() {
        let (ip, _) = ip_and_frame();
        for labels in 1..=3u32 {
            let mut rest = Vec::new();
            for i in 0..labels {
                rest.extend_from_slice(&label(16 + i, i + 1 == labels));
            }
            rest.extend_from_slice(&ip);
            same_as_plain(&eth(0x8847, &rest));
            same_as_plain(&eth(0x8848, &rest));
            // under a VLAN tag too
            let mut tagged = vec![0x00, 0x64, 0x88, 0x47];
            tagged.extend_from_slice(&rest);
            same_as_plain(&eth(0x8100, &tagged));
        }
    }

    #[test]
    fn mpls_stacks_that_carry_no_ip_or_end_early_are_reported() {
        let (ip, _) = ip_and_frame();
        // an Ethernet pseudowire's control word (first nibble 0) after the stack
        let mut pw = label(100, true).to_vec();
        pw.extend_from_slice(&[0, 0, 0, 0]);
        pw.extend_from_slice(&ip);
        undecoded(&eth(0x8847, &pw), "MPLS payload not IP");
        // no bottom-of-stack bit before the frame ends
        let mut cut = label(100, false).to_vec();
        cut.extend_from_slice(&label(101, false)[..2]);
        undecoded(&eth(0x8847, &cut), "truncated MPLS label stack");
        // the bottom entry is the last bytes of the frame
        undecoded(
            &eth(0x8847, &label(100, true)),
            "truncated MPLS label stack",
        );
        // a stack longer than any real one, never ending
        let mut long = Vec::new();
        for i in 0..40 {
            long.extend_from_slice(&label(i, false));
        }
        undecoded(
            &eth(0x8847, &long),
            "MPLS label stack without a bottom entry",
        );
    }

    #[test]
    fn pppoe_session_frames_carry_ip() {
        let (ip, _) = ip_and_frame();
        // RFC 2516 §4: version 1, type 1, code 0 (session data), session id, payload length;
        // then the PPP protocol number, 0x0021 for IPv4 (RFC 1332)
        let len = (ip.len() + 2) as u16;
        let mut rest = vec![0x11, 0x00, 0x12, 0x34];
        rest.extend_from_slice(&len.to_be_bytes());
        rest.extend_from_slice(&[0x00, 0x21]);
        rest.extend_from_slice(&ip);
        same_as_plain(&eth(0x8864, &rest));
        // LCP (0xc021) is PPP's own control traffic
        let mut lcp = rest.clone();
        lcp[6..8].copy_from_slice(&[0xc0, 0x21]);
        undecoded(&eth(0x8864, &lcp), "PPPoE frame not IP (PPP control)");
        undecoded(&eth(0x8864, &rest[..7]), "truncated PPPoE header");
        // IPv6 inside (0x0057, RFC 5072)
        let mut v6 = Vec::new();
        PacketBuilder::ipv6([0xfd; 16], [0xfe; 16], 64)
            .tcp(443, 50000, 1, 100)
            .syn()
            .write(&mut v6, &[])
            .unwrap();
        let mut rest6 = vec![0x11, 0x00, 0x12, 0x34, 0x00, 0x00, 0x00, 0x57];
        rest6.extend_from_slice(&v6);
        match decode(LinkType::ETHERNET, &eth(0x8864, &rest6), 0, 1.0, 100) {
            Record::Packet(p) => {
                assert_eq!((p.sport, p.dport, p.tcp_flags), (443, 50000, 0x02));
            }
            other => panic!("{other:?}"),
        }
    }

    /// The ARP request of `frag.pcap`'s frame 4 (198.18.1.1 asks who has 198.18.1.2), the 28
    /// bytes after its Ethernet header; tcpdump reads it as "Request who-has 198.18.1.2 tell
    /// 198.18.1.1".
    const ARP_REQUEST: [u8; 28] = [
        0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0xca, 0xa2, 0x92, 0x22, 0x52, 0xbc, 0xc6,
        0x12, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc6, 0x12, 0x01, 0x02,
    ];

    fn arp_of(link: LinkType, frame: &[u8]) -> crate::ArpRepr {
        match decode(link, frame, 7, 2.0, 60) {
            Record::Arp(a) => a,
            other => panic!("{other:?} for {frame:02x?}"),
        }
    }

    fn arp_request_read_right(a: &crate::ArpRepr) {
        // `eth` sends to 02:00:00:00:00:02; Linux cooked captures have no destination
        assert!(
            matches!(a.link_dst, None | Some([2, 0, 0, 0, 0, 2])),
            "{a:?}"
        );
        assert_eq!(a.op, crate::ArpOp::Request);
        assert_eq!(a.sender_mac, [0xca, 0xa2, 0x92, 0x22, 0x52, 0xbc]);
        assert_eq!(a.sender_ip, std::net::Ipv4Addr::new(198, 18, 1, 1));
        assert_eq!(a.target_mac, [0; 6]);
        assert_eq!(a.target_ip, std::net::Ipv4Addr::new(198, 18, 1, 2));
        assert_eq!((a.index, a.ts, a.wire_len), (7, 2.0, 60));
    }

    #[test]
    fn arp_is_read_in_ethernet_vlan_and_linux_cooked_frames() {
        // Ethernet, padded to the 60-byte minimum as on the wire
        let mut padded = ARP_REQUEST.to_vec();
        padded.extend_from_slice(&[0; 18]);
        for body in [&ARP_REQUEST[..], &padded] {
            let a = arp_of(LinkType::ETHERNET, &eth(0x0806, body));
            arp_request_read_right(&a);
            assert_eq!(a.link_dst, Some([2, 0, 0, 0, 0, 2]));
        }
        // one and two VLAN tags (802.1Q, then 802.1ad outside it)
        let mut tagged = vec![0x00, 0x64, 0x08, 0x06];
        tagged.extend_from_slice(&ARP_REQUEST);
        arp_request_read_right(&arp_of(LinkType::ETHERNET, &eth(0x8100, &tagged)));
        let mut qinq = vec![0x00, 0x0a, 0x81, 0x00];
        qinq.extend_from_slice(&tagged);
        arp_request_read_right(&arp_of(LinkType::ETHERNET, &eth(0x88a8, &qinq)));
        // Linux cooked v1 (pkttype, ARPHRD_ETHER, address length, address, protocol)
        let mut sll = vec![0, 1, 0, 1, 0, 6, 0xca, 0xa2, 0x92, 0x22, 0x52, 0xbc, 0, 0];
        sll.extend_from_slice(&[0x08, 0x06]);
        sll.extend_from_slice(&ARP_REQUEST);
        let a = arp_of(LinkType::LINUX_SLL, &sll);
        arp_request_read_right(&a);
        assert_eq!(a.link_dst, None);
        // Linux cooked v2 (protocol, reserved, ifindex, hatype, pkttype, address length, address)
        let mut sll2 = vec![0x08, 0x06, 0, 0, 0, 0, 0, 2, 0, 1, 1, 6];
        sll2.extend_from_slice(&[0xca, 0xa2, 0x92, 0x22, 0x52, 0xbc, 0, 0]);
        sll2.extend_from_slice(&ARP_REQUEST);
        arp_request_read_right(&arp_of(LinkType::LINUX_SLL2, &sll2));
    }

    #[test]
    fn arp_that_is_cut_or_of_another_kind_is_undecoded_with_its_reason() {
        for cut in 0..ARP_REQUEST.len() {
            undecoded(&eth(0x0806, &ARP_REQUEST[..cut]), "truncated ARP packet");
        }
        // cut inside the VLAN tag that announces it
        undecoded(&eth(0x8100, &[0x00, 0x64, 0x08]), "truncated VLAN tag");
        // an ARP EtherType and nothing more: the link header's end is the frame's
        undecoded(&eth(0x0806, &[]), "truncated ARP packet");
        let with = |at: usize, v: u8| {
            let mut b = ARP_REQUEST;
            b[at] = v;
            eth(0x0806, &b)
        };
        undecoded(&with(1, 6), "ARP of another hardware type than Ethernet");
        undecoded(&with(2, 0x86), "ARP of another protocol than IPv4");
        undecoded(&with(4, 8), "ARP address lengths not 6 and 4");
        undecoded(&with(5, 16), "ARP address lengths not 6 and 4");
        // RARP (RFC 903) has its own EtherType and stays undecoded
        undecoded(&eth(0x8035, &ARP_REQUEST), "RARP");
        // a raw-IP link type carries no ARP: the same bytes are a malformed IP header there
        assert!(matches!(
            decode(LinkType::RAW, &ARP_REQUEST, 0, 1.0, 28),
            Record::Undecoded { .. }
        ));
    }
}
