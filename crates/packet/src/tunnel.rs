//! Tunnel and mirror encapsulations that the decoder opens, so that what is analysed is the
//! traffic inside them.
//!
//! A capture taken from a mirror session of a switch or a cloud (Cisco ERSPAN; AWS VPC Traffic
//! Mirroring, which sends VXLAN; Azure and GCP packet mirroring, VXLAN or Geneve; Gateway Load
//! Balancer, Geneve) holds every packet of the mirrored link inside an outer packet from the
//! mirror to the collector. Read as it is, it is one long UDP or GRE stream between two hosts.
//! Overlay networks (VXLAN between container hosts, GRE and IP-in-IP tunnels between sites,
//! 6in4) carry their hosts' traffic the same way. Suricata decodes these by default; so does
//! this module. It only reads headers: an outer packet whose encapsulation header is not well
//! formed, or is of a kind not listed here, is analysed as it is.
//!
//! Read here, each by its specification:
//! * IP in IP (RFC 2003; IP protocol 4) and IPv6 in IP (RFC 4213 §3.5; protocol 41): the inner
//!   IP packet follows the outer header.
//! * GRE (IP protocol 47), version 0 (RFC 2784 §2.1, with RFC 2890 §2's key and sequence
//!   number): a 4-byte header, then 4 bytes each for the checksum (C), key (K) and sequence
//!   number (S) when their bits are set. The routing bit of RFC 1701 (a variable list) and
//!   version 1 (PPTP's enhanced GRE, carrying PPP) are not read. Protocol types: IPv4, IPv6,
//!   transparent Ethernet bridging (0x6558, gretap), ERSPAN (0x88BE: type I without a sequence
//!   number, no header of its own; type II with one, an 8-byte header — draft-foschiano-erspan
//!   §4.1, §4.2) and ERSPAN type III (0x22EB: a 12-byte header and an 8-byte platform
//!   sub-header when its O bit is set; the frame type says Ethernet or IP — §4.3).
//! * VXLAN (RFC 7348 §5), UDP destination port 4789 (IANA's) or 8472 (the Linux kernel's
//!   default before IANA's port, which flannel, the common Kubernetes overlay, uses): an 8-byte
//!   header whose I flag is set, then an Ethernet frame.
//! * Geneve (RFC 8926 §3.4), UDP destination port 6081, version 0, not an OAM frame: an 8-byte
//!   header and its options, then what its protocol type says (Ethernet, IPv4, IPv6).
//! * Teredo (RFC 4380 §5.1.1), UDP to or from port 3544 (a Teredo server's or relay's): IPv6
//!   in UDP through NATs, on by default in Windows for years; an authentication indicator and
//!   an origin indication may come before the IPv6 packet, each read and skipped.
//! * GTP-U (3GPP TS 29.281 §5), UDP destination port 2152: the user plane of mobile networks
//!   (GPRS, UMTS, LTE's S1-U and 5G's N3), where a capture of the core's links holds every
//!   subscriber's traffic inside it. Version 1, protocol type GTP, message type G-PDU (255);
//!   an 8-byte header, 4 more bytes when any of the E, S or PN flags is set, then the chain of
//!   extension headers (5G's PDU session container among them) each as long as its length
//!   byte says; then the subscriber's IPv4 or IPv6 packet. Signalling messages (echo, error
//!   indication, end marker) carry none and are left as they are.

use crate::link::be16;

/// What an encapsulating packet carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Carried<'a> {
    /// An IP packet (its first byte's version nibble checked against the outer header's word).
    Ip(&'a [u8]),
    /// An Ethernet frame.
    Ethernet(&'a [u8]),
}

/// The UDP destination port of VXLAN (IANA, RFC 7348 §5).
pub(crate) const VXLAN_PORT: u16 = 4789;
/// The UDP destination port of VXLAN in the Linux kernel when none is given (`ip link add …
/// type vxlan` without `dstport`), which flannel's VXLAN backend keeps.
pub(crate) const VXLAN_LINUX_PORT: u16 = 8472;
/// The UDP destination port of Geneve (IANA, RFC 8926 §3.3).
pub(crate) const GENEVE_PORT: u16 = 6081;
/// The UDP destination port of GTP-U (3GPP TS 29.281 §4.4.2.3).
pub(crate) const GTPU_PORT: u16 = 2152;
/// The UDP port of Teredo servers and relays (RFC 4380 §4), at either end of a datagram.
pub(crate) const TEREDO_PORT: u16 = 3544;

/// Encapsulations opened one inside another before the innermost packet is analysed as it is.
pub(crate) const MAX_DEPTH: usize = 4;

const IPPROTO_IPIP: u8 = 4;
const IPPROTO_UDP: u8 = 17;
const IPPROTO_IPV6: u8 = 41;
const IPPROTO_GRE: u8 = 47;

const PT_IPV4: u16 = 0x0800;
const PT_IPV6: u16 = 0x86DD;
const PT_ETHERNET: u16 = 0x6558;
const PT_ERSPAN: u16 = 0x88BE;
const PT_ERSPAN3: u16 = 0x22EB;

/// `d` as an IP packet of version `v` (4 or 6), if its first byte says so.
#[inline]
fn ip_of(d: &[u8], v: u8) -> Option<Carried<'_>> {
    (d.first()? >> 4 == v).then_some(Carried::Ip(d))
}

/// An IP or Ethernet payload by an EtherType-valued protocol type (GRE's and Geneve's).
fn by_protocol_type(pt: u16, body: &[u8]) -> Option<Carried<'_>> {
    match pt {
        PT_IPV4 => ip_of(body, 4),
        PT_IPV6 => ip_of(body, 6),
        PT_ETHERNET => Some(Carried::Ethernet(body)),
        _ => None,
    }
}

/// What the payload of an IP packet of protocol `proto` carries, when it is one of this
/// module's encapsulations and its header is whole and well formed; `None` otherwise.
/// `payload` is the IP payload as captured (of a whole, unfragmented packet: the caller checks).
pub(crate) fn carried(proto: u8, payload: &[u8]) -> Option<Carried<'_>> {
    match proto {
        IPPROTO_IPIP => ip_of(payload, 4),
        IPPROTO_IPV6 => ip_of(payload, 6),
        IPPROTO_GRE => gre(payload),
        IPPROTO_UDP => {
            let body = payload.get(8..)?;
            if be16(payload, 0)? == TEREDO_PORT || be16(payload, 2)? == TEREDO_PORT {
                return teredo(body);
            }
            match be16(payload, 2)? {
                VXLAN_PORT | VXLAN_LINUX_PORT => vxlan(body),
                GENEVE_PORT => geneve(body),
                GTPU_PORT => gtpu(body),
                _ => None,
            }
        }
        _ => None,
    }
}

/// GRE version 0 (RFC 2784 §2.1, RFC 2890 §2), and the ERSPAN types it carries.
fn gre(d: &[u8]) -> Option<Carried<'_>> {
    let (&b0, &b1) = (d.first()?, d.get(1)?);
    // version 0 only; no RFC 1701 routing list
    if b1 & 0x07 != 0 || b0 & 0x40 != 0 {
        return None;
    }
    let (checksum, key, seq) = (b0 & 0x80 != 0, b0 & 0x20 != 0, b0 & 0x10 != 0);
    let at = 4 + 4 * (usize::from(checksum) + usize::from(key) + usize::from(seq));
    let pt = be16(d, 2)?;
    let body = d.get(at..)?;
    match pt {
        // type I: no ERSPAN header, no sequence number; type II: both (version 1 in the header)
        PT_ERSPAN if !seq => Some(Carried::Ethernet(body)),
        PT_ERSPAN => {
            if body.first()? >> 4 != 1 {
                return None;
            }
            body.get(8..).map(Carried::Ethernet)
        }
        PT_ERSPAN3 => erspan3(body),
        _ => by_protocol_type(pt, body),
    }
}

/// ERSPAN type III (draft-foschiano-erspan §4.3): version 2, a 12-byte header, then an 8-byte
/// platform-specific sub-header if the O bit (the last bit of the header) is set; the frame
/// type (5 bits after the P bit, byte 10) is 0 for Ethernet and 2 for IP.
fn erspan3(d: &[u8]) -> Option<Carried<'_>> {
    let h = d.get(..12)?;
    if h[0] >> 4 != 2 {
        return None;
    }
    let sub = if h[11] & 1 != 0 { 8 } else { 0 };
    let body = d.get(12 + sub..)?;
    match (h[10] >> 2) & 0x1f {
        0 => Some(Carried::Ethernet(body)),
        2 => ip_of(body, 4).or_else(|| ip_of(body, 6)),
        _ => None,
    }
}

/// VXLAN (RFC 7348 §5): flags (the I bit, 0x08, must be set), 24 reserved bits, the 24-bit
/// VNI, 8 reserved bits; then the Ethernet frame.
fn vxlan(d: &[u8]) -> Option<Carried<'_>> {
    if d.first()? & 0x08 == 0 {
        return None;
    }
    d.get(8..).map(Carried::Ethernet)
}

/// Geneve (RFC 8926 §3.4): version (2 bits, 0) and options length (6 bits, in 4-byte words);
/// the O (control) and C bits; the protocol type; the VNI; then the options and the payload.
/// Control (OAM) messages carry no traffic of the overlay and are left as they are.
fn geneve(d: &[u8]) -> Option<Carried<'_>> {
    let (&b0, &b1) = (d.first()?, d.get(1)?);
    if b0 >> 6 != 0 || b1 & 0x80 != 0 {
        return None;
    }
    let at = 8 + 4 * usize::from(b0 & 0x3f);
    by_protocol_type(be16(d, 2)?, d.get(at..)?)
}

/// Teredo (RFC 4380 §5.1.1): an optional authentication indicator (0x0001, the client
/// identifier's and authentication value's lengths, those two fields, an 8-byte nonce and a
/// confirmation byte), an optional origin indication (0x0000, the obfuscated port and
/// address: 8 bytes), then the IPv6 packet. A bubble is an IPv6 packet with no payload
/// (next header 59) and is read as one.
fn teredo(d: &[u8]) -> Option<Carried<'_>> {
    let mut at = 0;
    if d.get(..2)? == [0x00, 0x01] {
        let (id, au) = (usize::from(*d.get(2)?), usize::from(*d.get(3)?));
        at = 4 + id + au + 8 + 1;
    }
    if d.get(at..at + 2)? == [0x00, 0x00] {
        at += 8;
    }
    ip_of(d.get(at..)?, 6)
}

/// GTP-U (3GPP TS 29.281 §5.1, §5.2): version (3 bits, 1), PT (1: GTP, not GTP'), a spare
/// bit, E, S, PN; the message type (255: G-PDU, a subscriber's packet); the length; the TEID;
/// when E, S or PN is set, the sequence number (2), N-PDU number (1) and the next extension
/// header type (1); each extension header is 4 × its first byte long and names the next type
/// in its last byte (0: none). Then the T-PDU, an IP packet.
fn gtpu(d: &[u8]) -> Option<Carried<'_>> {
    const G_PDU: u8 = 255;
    let (&flags, &kind) = (d.first()?, d.get(1)?);
    if flags >> 5 != 1 || flags & 0x10 == 0 || kind != G_PDU {
        return None;
    }
    let mut at = 8;
    if flags & 0x07 != 0 {
        let mut next = *d.get(11)?;
        at = 12;
        // at most a few extension headers are defined; a longer chain is not a real header
        for _ in 0..8 {
            if next == 0 {
                break;
            }
            let words = usize::from(*d.get(at)?);
            if words == 0 {
                return None;
            }
            at += 4 * words;
            next = *d.get(at - 1)?;
        }
        if next != 0 {
            return None;
        }
    }
    let pdu = d.get(at..)?;
    ip_of(pdu, 4).or_else(|| ip_of(pdu, 6))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Headers written out by hand from each specification's figure (named at each test), not
    // produced by this module: an inner IPv4 and IPv6 packet's first bytes and an Ethernet
    // frame's start.
    const V4: &[u8] = &[
        0x45, 0, 0, 20, 0, 0, 0, 0, 64, 6, 0, 0, 198, 18, 0, 66, 198, 18, 0, 10,
    ];
    const V6: &[u8] = &[0x60, 0, 0, 0, 0, 0, 6, 64];
    const ETH: &[u8] = &[2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x08, 0x00, 0x45];

    fn cat(parts: &[&[u8]]) -> Vec<u8> {
        parts.concat()
    }

    #[test]
    fn ip_in_ip_and_ipv6_in_ip_carry_the_inner_packet_when_its_version_matches() {
        // RFC 2003 §3, RFC 4213 §3.5: the inner packet right after the outer header
        assert_eq!(carried(4, V4), Some(Carried::Ip(V4)));
        assert_eq!(carried(41, V6), Some(Carried::Ip(V6)));
        assert_eq!(carried(4, V6), None);
        assert_eq!(carried(41, V4), None);
        assert_eq!(carried(4, &[]), None);
        // other protocols are not encapsulations
        assert_eq!(carried(6, V4), None);
    }

    #[test]
    fn gre_reads_each_optional_word_and_each_protocol_type() {
        // RFC 2784 §2.1: C(1) reserved0(12) ver(3) | protocol type; RFC 2890 §2: K and S bits
        // (0x20, 0x10 of the first byte) add a key and a sequence number word each
        let plain = cat(&[&[0x00, 0x00, 0x08, 0x00], V4]);
        assert_eq!(carried(47, &plain), Some(Carried::Ip(V4)));
        let ck = cat(&[&[0x80, 0x00, 0x86, 0xDD], &[0xAB, 0xCD, 0, 0], V6]);
        assert_eq!(carried(47, &ck), Some(Carried::Ip(V6)));
        let all = cat(&[
            &[0xB0, 0x00, 0x65, 0x58],
            &[0, 0, 0, 0],
            &[0, 0, 0, 7],
            &[0, 0, 0, 1],
            ETH,
        ]);
        assert_eq!(carried(47, &all), Some(Carried::Ethernet(ETH)));
        // the protocol type says IPv4 but the payload is IPv6: not taken
        assert_eq!(carried(47, &cat(&[&[0, 0, 0x08, 0x00], V6])), None);
        // version 1 (PPTP), RFC 1701 routing, unknown protocol types, cut headers
        assert_eq!(carried(47, &cat(&[&[0x30, 0x01, 0x88, 0x0B], V4])), None);
        assert_eq!(carried(47, &cat(&[&[0x40, 0x00, 0x08, 0x00], V4])), None);
        assert_eq!(carried(47, &cat(&[&[0x00, 0x00, 0x88, 0x47], V4])), None);
        assert_eq!(carried(47, &[0xB0, 0x00, 0x65, 0x58, 0, 0, 0]), None);
        assert_eq!(carried(47, &[0x00]), None);
    }

    #[test]
    fn erspan_types_one_two_and_three_carry_the_mirrored_frame() {
        // draft-foschiano-erspan §4.1: type I is GRE 0x88BE without a sequence number, the
        // frame right after the 4-byte GRE header
        let one = cat(&[&[0x00, 0x00, 0x88, 0xBE], ETH]);
        assert_eq!(carried(47, &one), Some(Carried::Ethernet(ETH)));
        // §4.2: type II has the S bit and an 8-byte header: Ver(4)=1 VLAN(12) COS(3) En(2) T(1)
        // Session ID(10) Reserved(12) Index(20)
        let erspan2 = [0x10, 0x64, 0x00, 0x0C, 0x00, 0x00, 0x00, 0x05];
        let two = cat(&[&[0x10, 0x00, 0x88, 0xBE], &[0, 0, 0, 9], &erspan2, ETH]);
        assert_eq!(carried(47, &two), Some(Carried::Ethernet(ETH)));
        let bad_ver = cat(&[&[0x10, 0x00, 0x88, 0xBE], &[0, 0, 0, 9], &[0x20; 8], ETH]);
        assert_eq!(carried(47, &bad_ver), None);
        // §4.3: type III, GRE 0x22EB; Ver(4)=2 VLAN COS BSO T Session ID | Timestamp(32) |
        // SGT(16) | P(1) FT(5) Hw ID(6) D(1) Gra(2) O(1)
        let three = [0x20, 0x00, 0x00, 0x0C, 0, 0, 0x10, 0x00, 0, 0, 0x00, 0x00];
        let t3 = cat(&[&[0x10, 0x00, 0x22, 0xEB], &[0, 0, 0, 1], &three, ETH]);
        assert_eq!(carried(47, &t3), Some(Carried::Ethernet(ETH)));
        // with the O bit: an 8-byte platform-specific sub-header before the frame
        let mut with_o = three;
        with_o[11] = 0x01;
        let t3o = cat(&[
            &[0x10, 0x00, 0x22, 0xEB],
            &[0, 0, 0, 1],
            &with_o,
            &[0x55; 8],
            ETH,
        ]);
        assert_eq!(carried(47, &t3o), Some(Carried::Ethernet(ETH)));
        // frame type 2 (IP): the packet itself
        let mut ip_frame = three;
        ip_frame[10] = 2 << 2;
        let t3ip = cat(&[&[0x00, 0x00, 0x22, 0xEB], &ip_frame, V4]);
        assert_eq!(carried(47, &t3ip), Some(Carried::Ip(V4)));
        // another frame type, another version, a cut header
        let mut other = three;
        other[10] = 5 << 2;
        assert_eq!(carried(47, &cat(&[&[0, 0, 0x22, 0xEB], &other, ETH])), None);
        assert_eq!(
            carried(47, &cat(&[&[0, 0, 0x22, 0xEB], &[0x10; 12], ETH])),
            None
        );
        assert_eq!(carried(47, &[0, 0, 0x22, 0xEB, 0x20, 0, 0]), None);
    }

    fn udp(dport: u16, body: &[u8]) -> Vec<u8> {
        let len = u16::try_from(8 + body.len()).unwrap();
        let mut v = vec![0xC0, 0x01];
        v.extend_from_slice(&dport.to_be_bytes());
        v.extend_from_slice(&len.to_be_bytes());
        v.extend_from_slice(&[0, 0]);
        v.extend_from_slice(body);
        v
    }

    #[test]
    fn vxlan_on_its_port_with_the_i_flag_carries_an_ethernet_frame() {
        // RFC 7348 §5: flags (I = 0x08) | reserved(24) | VNI(24) | reserved(8)
        let hdr = [0x08, 0, 0, 0, 0x00, 0x00, 0x2A, 0];
        assert_eq!(
            carried(17, &udp(4789, &cat(&[&hdr, ETH]))),
            Some(Carried::Ethernet(ETH))
        );
        // without the I flag, on another port, or cut: the datagram as it is
        let no_i = [0x00, 0, 0, 0, 0, 0, 0x2A, 0];
        assert_eq!(carried(17, &udp(4789, &cat(&[&no_i, ETH]))), None);
        assert_eq!(carried(17, &udp(4790, &cat(&[&hdr, ETH]))), None);
        // the Linux kernel's own default port, as flannel uses it
        assert_eq!(
            carried(17, &udp(8472, &cat(&[&hdr, ETH]))),
            Some(Carried::Ethernet(ETH))
        );
        assert_eq!(carried(17, &udp(4789, &hdr[..5])), None);
        assert_eq!(carried(17, &[0x12, 0xB5]), None);
    }

    #[test]
    fn gtpu_g_pdus_carry_the_subscribers_packet_past_their_extension_headers() {
        // TS 29.281 §5.1 Figure 5.1-1: flags 0x30 (version 1, PT 1), type 255, length, TEID
        let plain = [0x30, 0xFF, 0, 20, 0x00, 0x00, 0x00, 0x01];
        assert_eq!(
            carried(17, &udp(2152, &cat(&[&plain, V4]))),
            Some(Carried::Ip(V4))
        );
        assert_eq!(
            carried(17, &udp(2152, &cat(&[&plain, V6]))),
            Some(Carried::Ip(V6))
        );
        // S flag: sequence number, N-PDU number and next type 0 (no extension header)
        let seq = [0x32, 0xFF, 0, 24, 0, 0, 0, 1, 0x12, 0x34, 0, 0];
        assert_eq!(
            carried(17, &udp(2152, &cat(&[&seq, V4]))),
            Some(Carried::Ip(V4))
        );
        // E flag and 5G's PDU session container (type 0x85, TS 38.415 §5.5.2.2): one 4-byte
        // word — length 1, PDU type and QFI, next type 0
        let ext = [0x34, 0xFF, 0, 28, 0, 0, 0, 1, 0, 0, 0, 0x85];
        let pdu_session = [0x01, 0x10, 0x09, 0x00];
        assert_eq!(
            carried(17, &udp(2152, &cat(&[&ext, &pdu_session, V6]))),
            Some(Carried::Ip(V6))
        );
        // an extension header of length 0, or one that names a next header past the end; an
        // echo request (type 1); GTP' (PT 0); version 2 (GTP-C's); another port: as they are
        assert_eq!(
            carried(17, &udp(2152, &cat(&[&ext, &[0, 0x10, 0x09, 0], V4]))),
            None
        );
        assert_eq!(
            carried(17, &udp(2152, &cat(&[&ext, &[1, 0x10, 0x09, 0x85]]))),
            None
        );
        for hdr in [
            [0x32, 0x01, 0, 4, 0, 0, 0, 0],
            [0x20, 0xFF, 0, 20, 0, 0, 0, 1],
            [0x48, 0xFF, 0, 20, 0, 0, 0, 1],
        ] {
            assert_eq!(carried(17, &udp(2152, &cat(&[&hdr, V4]))), None, "{hdr:x?}");
        }
        assert_eq!(carried(17, &udp(2153, &cat(&[&plain, V4]))), None);
        assert_eq!(carried(17, &udp(2152, &plain[..6])), None);
    }

    #[test]
    fn teredo_to_or_from_its_port_carries_ipv6_past_its_indications() {
        let from = |sport: u16, body: &[u8]| {
            let mut v = udp(40000, body);
            v[0..2].copy_from_slice(&sport.to_be_bytes());
            v
        };
        // RFC 4380 §5.1.1: the IPv6 packet directly, to the server and from it
        assert_eq!(carried(17, &udp(3544, V6)), Some(Carried::Ip(V6)));
        assert_eq!(carried(17, &from(3544, V6)), Some(Carried::Ip(V6)));
        // an origin indication: 0x0000, obfuscated port (2) and address (4)
        let origin = [0x00, 0x00, 0x9C, 0x3F, 0x3F, 0xED, 0xFF, 0xF5];
        assert_eq!(
            carried(17, &from(3544, &cat(&[&origin, V6]))),
            Some(Carried::Ip(V6))
        );
        // an authentication indicator (client id of 2 bytes, no value), nonce, confirmation;
        // then an origin indication
        let auth = [0x00, 0x01, 2, 0, 0xAB, 0xCD, 1, 2, 3, 4, 5, 6, 7, 8, 0];
        assert_eq!(
            carried(17, &udp(3544, &cat(&[&auth, &origin, V6]))),
            Some(Carried::Ip(V6))
        );
        // IPv4 inside, cut headers, another port at both ends: as they are
        assert_eq!(carried(17, &udp(3544, V4)), None);
        assert_eq!(carried(17, &udp(3544, &auth[..10])), None);
        assert_eq!(carried(17, &udp(3544, &origin[..5])), None);
        assert_eq!(carried(17, &udp(3545, V6)), None);
    }

    #[test]
    fn geneve_skips_its_options_and_reads_its_protocol_type() {
        // RFC 8926 §3.4: Ver(2) Opt Len(6) | O(1) C(1) Rsvd(6) | Protocol Type(16) | VNI(24)
        // Reserved(8) | options (Opt Len 4-byte words)
        let eth = [0x00, 0x00, 0x65, 0x58, 0, 0, 0x2A, 0];
        assert_eq!(
            carried(17, &udp(6081, &cat(&[&eth, ETH]))),
            Some(Carried::Ethernet(ETH))
        );
        // two words of options (one option: class, type, length 1), then IPv4 directly
        let opts = [0x02, 0x00, 0x08, 0x00, 0, 0, 0x2A, 0];
        let opt = [0x01, 0x02, 0x03, 0x01, 0xDE, 0xAD, 0xBE, 0xEF];
        assert_eq!(
            carried(17, &udp(6081, &cat(&[&opts, &opt, V4]))),
            Some(Carried::Ip(V4))
        );
        // an OAM frame, version 1, options past the end: left as they are
        let oam = [0x00, 0x80, 0x65, 0x58, 0, 0, 0x2A, 0];
        assert_eq!(carried(17, &udp(6081, &cat(&[&oam, ETH]))), None);
        let v1 = [0x40, 0x00, 0x65, 0x58, 0, 0, 0x2A, 0];
        assert_eq!(carried(17, &udp(6081, &cat(&[&v1, ETH]))), None);
        let long = [0x3F, 0x00, 0x65, 0x58, 0, 0, 0x2A, 0];
        assert_eq!(carried(17, &udp(6081, &cat(&[&long, ETH]))), None);
    }
}
