//! From a frame's bytes to a [`Record`]: link layer, then IP with `etherparse`, then the fixed
//! part of the transport header; or, for an ARP frame, the checked ARP view ([`crate::arp`]).
//!
//! Parsing never decides anything: it reports what the headers say. Lengths are taken from the
//! headers so that a capture made with a small snap length gives the same records as a full one,
//! but for the first bytes of a TCP or UDP payload and an SCTP packet's first chunk header
//! ([`PacketRepr::head`]), which are what was kept.

use std::net::{IpAddr, Ipv4Addr};

use etherparse::LaxIpSlice;

use crate::arp::ArpPacket;
use crate::link::{network_bytes, LinkType, Network};
use crate::record::{proto, ArpRepr, Inner, PacketRepr, Record};
use crate::tunnel::{self, Carried};

/// Decode one captured frame.
///
/// `data` is what the capture kept, `wire_len` the original length. Never panics; an ARP
/// message for IPv4 over Ethernet becomes [`Record::Arp`]; anything else that is not a whole
/// IP packet header (plus the fixed transport header, for TCP, UDP and ICMP) becomes
/// [`Record::Undecoded`] with the reason.
#[inline]
pub fn decode(link: LinkType, data: &[u8], index: u64, ts: f64, wire_len: u32) -> Record {
    if link == LinkType::ETHERNET {
        if let Some(p) = decode_fast(data, index, ts, wire_len) {
            return Record::Packet(p);
        }
    }
    decode_general(link, data, index, ts, wire_len)
}

/// The common case in one go, with no intermediate structures: an untagged Ethernet frame
/// carrying an unfragmented IPv4 packet without an authentication header, whose IP header and
/// TCP (20 bytes), UDP (8; not to a VXLAN, Geneve or GTP-U port nor to or from Teredo's,
/// [`crate::tunnel`]) or non-error
/// ICMP (8) header are wholly captured. Gives exactly
/// what [`decode_general`] gives for such a frame; `None` for any other frame, which goes
/// there.
#[inline(always)]
pub(crate) fn decode_fast(data: &[u8], index: u64, ts: f64, wire_len: u32) -> Option<PacketRepr> {
    if data.get(12..14)? != [0x08, 0x00] {
        return None;
    }
    let ip = parse_ipv4_plain(data.get(14..)?)?;
    if ip.fragment {
        return None;
    }
    let t = ip.payload;
    let mut p = PacketRepr {
        index,
        ts,
        wire_len,
        src: ip.src,
        dst: ip.dst,
        proto: ip.proto,
        sport: 0,
        dport: 0,
        tcp_flags: 0,
        ip_len: ip.ip_len,
        ttl: ip.ttl,
        window: 0,
        icmp_type: 0,
        icmp_code: 0,
        fragment: false,
        later_fragment: false,
        frag_id: 0,
        frag_word: 0,
        payload_len: ip.declared,
        head: [0; 4],
        inner: None,
        copy_key: 0,
    };
    let check = match ip.proto {
        proto::TCP => {
            let h: &[u8; 20] = t.get(..20)?.try_into().ok()?;
            p.sport = u16::from_be_bytes([h[0], h[1]]);
            p.dport = u16::from_be_bytes([h[2], h[3]]);
            p.tcp_flags = h[13];
            p.window = u16::from_be_bytes([h[14], h[15]]);
            let doff = (u32::from(h[12] >> 4) * 4).max(20);
            p.payload_len = ip.declared.saturating_sub(doff);
            p.head = head(t, doff);
            u16::from_be_bytes([h[16], h[17]])
        }
        proto::UDP => {
            let h: &[u8; 8] = t.get(..8)?.try_into().ok()?;
            p.sport = u16::from_be_bytes([h[0], h[1]]);
            p.dport = u16::from_be_bytes([h[2], h[3]]);
            // VXLAN, Geneve, GTP-U and Teredo carry other packets: decode_general opens them
            if matches!(
                p.dport,
                tunnel::VXLAN_PORT
                    | tunnel::VXLAN_LINUX_PORT
                    | tunnel::GENEVE_PORT
                    | tunnel::GTPU_PORT
                    | tunnel::TEREDO_PORT
            ) || p.sport == tunnel::TEREDO_PORT
            {
                return None;
            }
            p.payload_len = ip.declared.saturating_sub(8);
            p.head = head(t, 8);
            u16::from_be_bytes([h[6], h[7]])
        }
        proto::ICMP => {
            let h: &[u8; 8] = t.get(..8)?.try_into().ok()?;
            // an error quotes a packet: decode_general reads it
            if matches!(h[0], 3 | 4 | 5 | 11 | 12) {
                return None;
            }
            p.icmp_type = h[0];
            p.icmp_code = h[1];
            p.payload_len = ip.declared.saturating_sub(8);
            u16::from_be_bytes([h[2], h[3]])
        }
        _ => return None,
    };
    p.copy_key = copy_key(ip.ident, check);
    Some(p)
}

/// [`PacketRepr::copy_key`] of a packet with IP Identification (or IPv6 flow label) `ident`
/// and transport checksum `check` (0 where there is none).
#[inline]
fn copy_key(ident: u32, check: u16) -> u32 {
    ident.rotate_left(16) ^ u32::from(check)
}

/// [`decode`] for any frame.
#[inline(never)]
pub(crate) fn decode_general(
    link: LinkType,
    data: &[u8],
    index: u64,
    ts: f64,
    wire_len: u32,
) -> Record {
    let opened = network_bytes(link, data).and_then(|net| match net {
        Network::Ip(bytes) => parse_ip(bytes).map(open_tunnels),
        Network::Arp(arp, link_dst) => Ok(Opened::Arp(arp, link_dst)),
    });
    let ip = match opened {
        Ok(Opened::Ip(ip)) => ip,
        Ok(Opened::Arp(arp, link_dst)) => {
            return match ArpPacket::new_checked(arp) {
                Ok(a) => Record::Arp(ArpRepr {
                    link_dst,
                    ..a.repr(index, ts, wire_len)
                }),
                Err(e) => Record::Undecoded {
                    index,
                    ts,
                    wire_len,
                    reason: e.reason(),
                },
            }
        }
        Err(reason) => {
            return Record::Undecoded {
                index,
                ts,
                wire_len,
                reason,
            }
        }
    };
    match decode_ip(ip) {
        Ok(f) => Record::Packet(PacketRepr {
            index,
            ts,
            wire_len,
            src: f.src,
            dst: f.dst,
            proto: f.proto,
            sport: f.sport,
            dport: f.dport,
            tcp_flags: f.tcp_flags,
            ip_len: f.ip_len,
            ttl: f.ttl,
            window: f.window,
            icmp_type: f.icmp_type,
            icmp_code: f.icmp_code,
            fragment: f.fragment,
            later_fragment: f.later_fragment,
            frag_id: f.frag_id,
            frag_word: f.frag_word,
            payload_len: f.payload_len,
            head: f.head,
            inner: f.inner,
            copy_key: f.copy_key,
        }),
        Err(reason) => Record::Undecoded {
            index,
            ts,
            wire_len,
            reason,
        },
    }
}

/// What a frame carries once its tunnels are opened: an IP packet, parsed, or an ARP message
/// (and the link-layer destination of the frame around it).
enum Opened<'a> {
    Ip(Ip<'a>),
    Arp(&'a [u8], Option<[u8; 6]>),
}

/// The packet inside the tunnels and mirror encapsulations around `outer` ([`crate::tunnel`]),
/// opened one inside another up to [`tunnel::MAX_DEPTH`] deep; `outer` itself when it is none.
/// An encapsulation is opened only around a whole, unfragmented packet, and only when what it
/// carries is an IP packet whose header parses and that is not a later fragment, or an
/// Ethernet frame with one (or with an ARP message); otherwise the packet around it is analysed
/// as it is. Each header is parsed once: the packet returned is the one [`decode_ip`] reads.
fn open_tunnels(outer: Ip<'_>) -> Opened<'_> {
    let mut ip = outer;
    for _ in 0..tunnel::MAX_DEPTH {
        if ip.fragment {
            break;
        }
        let Some(carried) = tunnel::carried(ip.proto, ip.payload) else {
            break;
        };
        let bytes = match carried {
            Carried::Ip(inner) => inner,
            Carried::Ethernet(frame) => match network_bytes(LinkType::ETHERNET, frame) {
                Ok(Network::Ip(inner)) => inner,
                Ok(Network::Arp(arp, link_dst)) => return Opened::Arp(arp, link_dst),
                Err(_) => break,
            },
        };
        // a later fragment inside carries no transport header: opened, it would show only
        // addresses (t50's `--encapsulated` GRE flood sends nothing else: its inner header's
        // flags word is written byte-swapped, DF read as a fragment offset of 512)
        match parse_ip(bytes) {
            Ok(inner) if inner.first => ip = inner,
            _ => break,
        }
    }
    Opened::Ip(ip)
}

struct Fields {
    src: IpAddr,
    dst: IpAddr,
    proto: u8,
    sport: u16,
    dport: u16,
    tcp_flags: u8,
    ip_len: u16,
    ttl: u8,
    window: u16,
    icmp_type: u8,
    icmp_code: u8,
    fragment: bool,
    later_fragment: bool,
    frag_id: u32,
    frag_word: u16,
    payload_len: u32,
    head: [u8; 4],
    inner: Option<Inner>,
    copy_key: u32,
}

/// The first four bytes of a payload that starts `doff` bytes into the captured segment
/// `t` (the IP payload as captured, no longer than the headers declare it), zero past what
/// `t` holds.
#[inline]
fn head(t: &[u8], doff: u32) -> [u8; 4] {
    let mut h = [0; 4];
    if let Some(rest) = usize::try_from(doff).ok().and_then(|d| t.get(d..)) {
        let n = rest.len().min(4);
        h[..n].copy_from_slice(&rest[..n]);
    }
    h
}

#[inline]
fn be16(d: &[u8], at: usize) -> u16 {
    match d.get(at..at + 2) {
        Some(&[a, b]) => u16::from_be_bytes([a, b]),
        _ => 0,
    }
}

/// The IP layer as far as the transport: addresses, protocol, lengths, fragment position.
#[derive(Debug, PartialEq)]
struct Ip<'a> {
    src: IpAddr,
    dst: IpAddr,
    proto: u8,
    ttl: u8,
    ip_len: u16,
    fragment: bool,
    /// Fragment offset is zero: the transport header (if any) is in this packet.
    first: bool,
    /// Where this fragment's data starts in the original IP payload, in bytes (`u32::MAX` when
    /// unknown: an IPv6 fragment after the first).
    offset: u32,
    /// A fragment's Identification; 0 if not a fragment.
    frag_id: u32,
    /// A fragment's offset and more-fragments flag ([`PacketRepr::frag_word`]); 0 if not a
    /// fragment.
    frag_word: u16,
    /// The IPv4 Identification (of every packet), or the IPv6 flow label.
    ident: u32,
    /// Captured IP payload (may be shorter than declared).
    payload: &'a [u8],
    /// IP payload length according to the headers.
    declared: u32,
}

/// The common case read directly: IPv4 whose header is wholly captured and not followed by an
/// authentication header. Gives exactly what [`parse_ip`]'s `etherparse` path gives for such a
/// packet (lax parsing: the payload is what the total length declares, or what was captured
/// if that is less or the total length is below the header length); `None` for anything else,
/// which takes that path.
#[inline(always)]
fn parse_ipv4_plain(bytes: &[u8]) -> Option<Ip<'_>> {
    let h: &[u8; 20] = bytes.get(..20)?.try_into().ok()?;
    let ihl = h[0] & 0x0f;
    if h[0] >> 4 != 4 || ihl < 5 || h[9] == AUTH {
        return None;
    }
    let hl = usize::from(ihl) * 4;
    let total_len = u16::from_be_bytes([h[2], h[3]]);
    let total = usize::from(total_len);
    let rest = bytes.get(hl..)?; // header cut by the capture: the etherparse path says so
    let payload = if total >= hl {
        rest.get(..total - hl).unwrap_or(rest)
    } else {
        rest
    };
    let captured = u32::try_from(payload.len()).unwrap_or(u32::MAX);
    let declared = if total >= hl && total > 0 {
        u32::try_from(total - hl).unwrap_or(u32::MAX)
    } else {
        captured
    };
    let off = u16::from_be_bytes([h[6] & 0x1f, h[7]]);
    let more = h[6] & 0x20 != 0;
    Some(Ip {
        src: IpAddr::V4(Ipv4Addr::new(h[12], h[13], h[14], h[15])),
        dst: IpAddr::V4(Ipv4Addr::new(h[16], h[17], h[18], h[19])),
        proto: h[9],
        ttl: h[8],
        ip_len: total_len,
        fragment: more || off > 0,
        first: off == 0,
        offset: u32::from(off) * 8,
        frag_id: if more || off > 0 {
            u32::from(u16::from_be_bytes([h[4], h[5]]))
        } else {
            0
        },
        frag_word: frag_word(off, more),
        ident: u32::from(u16::from_be_bytes([h[4], h[5]])),
        payload,
        declared,
    })
}

/// IP protocol number of the IPsec authentication header.
const AUTH: u8 = 51;

#[inline(always)]
fn parse_ip(bytes: &[u8]) -> Result<Ip<'_>, &'static str> {
    if let Some(ip) = parse_ipv4_plain(bytes) {
        return Ok(ip);
    }
    parse_ip_etherparse(bytes)
}

/// [`parse_ip`] through `etherparse`'s lax slices: any IPv4 or IPv6 packet, or the error.
#[inline(never)]
fn parse_ip_etherparse(bytes: &[u8]) -> Result<Ip<'_>, &'static str> {
    use etherparse::err::ip::LaxHeaderSliceError as E;
    let (ip, _ext_err) = LaxIpSlice::from_slice(bytes).map_err(|e| match e {
        E::Len(_) => match bytes.first().map(|b| b >> 4) {
            Some(6) => "truncated IPv6 header",
            _ => "truncated IPv4 header",
        },
        E::Content(_) => "malformed IP header",
    })?;
    let pl = ip.payload();
    let payload = pl.payload;
    let captured = u32::try_from(payload.len()).unwrap_or(u32::MAX);
    match &ip {
        LaxIpSlice::Ipv4(v4) => {
            let h = v4.header();
            let hl = h.slice().len() + v4.extensions().auth.map_or(0, |a| a.slice().len());
            let total = usize::from(h.total_len());
            let declared = if total >= hl && total > 0 {
                u32::try_from(total - hl).unwrap_or(u32::MAX)
            } else {
                captured
            };
            let off = h.fragments_offset().value();
            Ok(Ip {
                src: IpAddr::V4(h.source_addr()),
                dst: IpAddr::V4(h.destination_addr()),
                proto: pl.ip_number.0,
                ttl: h.ttl(),
                ip_len: h.total_len(),
                fragment: h.more_fragments() || off > 0,
                first: off == 0,
                offset: u32::from(off) * 8,
                frag_id: if h.more_fragments() || off > 0 {
                    u32::from(h.identification())
                } else {
                    0
                },
                frag_word: frag_word(off, h.more_fragments()),
                ident: u32::from(h.identification()),
                payload,
                declared,
            })
        }
        LaxIpSlice::Ipv6(v6) => {
            let h = v6.header();
            let exts = v6.extensions();
            let ext_len = exts.slice().len();
            let plen = usize::from(h.payload_length());
            let declared = if plen >= ext_len && plen > 0 {
                u32::try_from(plen - ext_len).unwrap_or(u32::MAX)
            } else {
                captured
            };
            let (fragment, first, frag_id, word) =
                v6_fragment(exts.first_header().map(|n| n.0), exts.slice());
            Ok(Ip {
                src: IpAddr::V6(h.source_addr()),
                dst: IpAddr::V6(h.destination_addr()),
                proto: pl.ip_number.0,
                ttl: h.hop_limit(),
                ip_len: 40u16.saturating_add(h.payload_length()),
                fragment,
                first,
                offset: if first { 0 } else { u32::MAX },
                frag_id,
                frag_word: word,
                ident: h.flow_label().value(),
                payload,
                declared,
            })
        }
    }
}

/// Whether the IPv6 extension headers in `exts` (first header type `first`) make the packet a
/// fragment, whether it is the first one, its Identification (0 if no fragment) and its
/// offset and more-fragments flag as [`PacketRepr::frag_word`] holds them: `(fragment, first,
/// id, word)`.
///
/// The chain is walked here, bounded by the slice, rather than with etherparse's iterator: when
/// lax parsing stopped on a bad or cut extension header, that iterator goes on past the end of
/// the slice it was given (an out-of-bounds read, found by the `pcap_reader` fuzz target).
fn v6_fragment(first: Option<u8>, exts: &[u8]) -> (bool, bool, u32, u16) {
    let (mut fragment, mut first_fragment, mut id, mut place) = (false, true, 0, 0);
    let Some(mut next) = first else {
        return (fragment, first_fragment, id, place);
    };
    let mut rest = exts;
    loop {
        let len = match (next, rest.get(1)) {
            // hop-by-hop, routing, destination options: (len + 1) * 8 bytes
            (0 | 43 | 60, Some(&l)) => (usize::from(l) + 1) * 8,
            // fragment: 8 bytes; offset in 8-byte units in the top 13 bits, M in the lowest
            (44, Some(_)) => {
                if rest.len() >= 8 {
                    let word = be16(rest, 2);
                    let (off, more) = (word >> 3, word & 1 != 0);
                    if more || off > 0 {
                        fragment = true;
                        first_fragment = first_fragment && off == 0;
                        place = frag_word(off, more);
                        if let Some(&[a, b, c, d]) = rest.get(4..8) {
                            id = u32::from_be_bytes([a, b, c, d]);
                        }
                    }
                }
                8
            }
            // authentication header: (len + 2) * 4 bytes
            (51, Some(&l)) => (usize::from(l) + 2) * 4,
            _ => break,
        };
        match (rest.first(), rest.get(len..)) {
            (Some(&n), Some(r)) => {
                next = n;
                rest = r;
            }
            _ => break,
        }
    }
    (fragment, first_fragment, id, place)
}

/// [`PacketRepr::frag_word`] of a fragment at `off` 8-byte units with the more-fragments flag
/// `more`; 0 for a packet that is not a fragment.
#[inline]
fn frag_word(off: u16, more: bool) -> u16 {
    if more || off > 0 {
        u16::from(more) << 13 | off & 0x1fff
    } else {
        0
    }
}

/// The fields of packet `ip` (parsed by [`parse_ip`]).
fn decode_ip(ip: Ip<'_>) -> Result<Fields, &'static str> {
    let mut f = Fields {
        src: ip.src,
        dst: ip.dst,
        proto: ip.proto,
        sport: 0,
        dport: 0,
        tcp_flags: 0,
        ip_len: ip.ip_len,
        ttl: ip.ttl,
        window: 0,
        icmp_type: 0,
        icmp_code: 0,
        fragment: ip.fragment,
        later_fragment: !ip.first,
        frag_id: ip.frag_id,
        frag_word: ip.frag_word,
        payload_len: ip.declared,
        head: [0; 4],
        inner: None,
        copy_key: copy_key(ip.ident, 0),
    };
    if !ip.first {
        // A later fragment has no transport header, but tiny fragments (nmap -f cuts the TCP
        // header into 8-byte pieces) put the flags byte, TCP header byte 13, in a later one:
        // read it where this fragment covers it.
        if ip.proto == proto::TCP {
            if let Some(&b) = usize::try_from(ip.offset)
                .ok()
                .and_then(|o| 13usize.checked_sub(o))
                .and_then(|i| ip.payload.get(i))
            {
                f.tcp_flags = b;
            }
        }
        return Ok(f);
    }
    let t = ip.payload;
    // A first fragment may legitimately carry less than a whole transport header (the
    // "tiny fragment" trick): take what is there. An unfragmented packet must carry it whole.
    let lenient = ip.fragment;
    match ip.proto {
        proto::TCP => {
            if t.len() < 20 && !lenient {
                return Err("truncated TCP header");
            }
            f.sport = be16(t, 0);
            f.dport = be16(t, 2);
            f.tcp_flags = t.get(13).copied().unwrap_or(0);
            f.window = be16(t, 14);
            let doff = t.get(12).map_or(20, |b| u32::from(b >> 4) * 4).max(20);
            f.payload_len = ip.declared.saturating_sub(doff);
            f.head = head(t, doff);
            f.copy_key = copy_key(ip.ident, be16(t, 16));
        }
        proto::UDP | proto::UDPLITE | proto::SCTP => {
            let min = if ip.proto == proto::SCTP { 12 } else { 8 };
            if t.len() < min && !lenient {
                return Err(if ip.proto == proto::SCTP {
                    "truncated SCTP header"
                } else {
                    "truncated UDP header"
                });
            }
            f.sport = be16(t, 0);
            f.dport = be16(t, 2);
            f.payload_len = ip.declared.saturating_sub(min as u32);
            let check = if ip.proto == proto::SCTP { 10 } else { 6 };
            f.copy_key = copy_key(ip.ident, be16(t, check));
            // SCTP: the first chunk's header, after the common header (ports, verification
            // tag, checksum); UDP and UDP-Lite: the payload's first bytes
            f.head = head(t, min as u32);
        }
        proto::ICMP | proto::ICMPV6 => {
            if t.len() < 8 && !lenient {
                return Err("truncated ICMP header");
            }
            f.icmp_type = t.first().copied().unwrap_or(0);
            f.icmp_code = t.get(1).copied().unwrap_or(0);
            f.payload_len = ip.declared.saturating_sub(8);
            f.copy_key = copy_key(ip.ident, be16(t, 2));
            if proto::icmp_error(ip.proto, f.icmp_type) {
                f.inner = t.get(8..).and_then(quoted);
            }
        }
        _ => {}
    }
    Ok(f)
}

/// The packet quoted in an ICMP error: its IP header and the first 8 bytes after it.
fn quoted(q: &[u8]) -> Option<Inner> {
    let ip = parse_ip(q).ok()?;
    let ports = ip.first
        && matches!(
            ip.proto,
            proto::TCP | proto::UDP | proto::SCTP | proto::UDPLITE
        )
        && ip.payload.len() >= 4;
    Some(Inner {
        proto: ip.proto,
        src: ip.src,
        dst: ip.dst,
        sport: if ports { be16(ip.payload, 0) } else { 0 },
        dport: if ports { be16(ip.payload, 2) } else { 0 },
    })
}

#[cfg(test)]
mod tests {
    use etherparse::PacketBuilder;

    use super::*;
    use crate::record::sctp_chunk;

    const A: [u8; 6] = [2, 0, 0, 0, 0, 1];
    const B: [u8; 6] = [2, 0, 0, 0, 0, 2];

    /// Frames of every shape the fast path takes, and of several it leaves to the general one.
    fn templates() -> Vec<(Vec<u8>, bool)> {
        let mut out = Vec::new();
        let mut v = Vec::new();
        PacketBuilder::ethernet2(A, B)
            .ipv4([198, 18, 0, 66], [198, 18, 0, 10], 64)
            .tcp(40000, 80, 1, 1024)
            .syn()
            .write(&mut v, &[])
            .unwrap();
        out.push((v, true));
        let mut v = Vec::new();
        PacketBuilder::ethernet2(B, A)
            .ipv4([198, 18, 0, 10], [198, 18, 0, 20], 64)
            .tcp(80, 51000, 7, 502)
            .ack(9)
            .psh()
            .write(&mut v, &[0x55; 1448])
            .unwrap();
        v.truncate(96);
        out.push((v, true));
        let mut v = Vec::new();
        PacketBuilder::ethernet2(A, B)
            .ipv4([198, 18, 0, 21], [198, 18, 0, 10], 64)
            .udp(5353, 7)
            .write(&mut v, &[1; 120])
            .unwrap();
        v.truncate(96);
        out.push((v, true));
        let mut v = Vec::new();
        PacketBuilder::ethernet2(A, B)
            .ipv4([198, 18, 0, 20], [198, 18, 0, 10], 64)
            .icmpv4_echo_request(1, 2)
            .write(&mut v, &[0; 56])
            .unwrap();
        out.push((v.clone(), true));
        // destination unreachable quoting a UDP packet: general path
        let mut quoted = Vec::new();
        PacketBuilder::ipv4([198, 18, 0, 10], [198, 18, 0, 99], 64)
            .udp(1234, 161)
            .write(&mut quoted, &[0; 8])
            .unwrap();
        let mut v = Vec::new();
        PacketBuilder::ethernet2(A, B)
            .ipv4([198, 18, 0, 99], [198, 18, 0, 10], 64)
            .icmpv4(etherparse::Icmpv4Type::DestinationUnreachable(
                etherparse::icmpv4::DestUnreachableHeader::Port,
            ))
            .write(&mut v, &quoted)
            .unwrap();
        out.push((v, false));
        // IPv4 with options (IHL 6): the fast path takes it too
        let mut v = out[0].0.clone();
        v[14] = 0x46;
        let total = u16::from_be_bytes([v[16], v[17]]) + 4;
        v[16..18].copy_from_slice(&total.to_be_bytes());
        v.splice(34..34, [1, 1, 1, 0]);
        out.push((v, true));
        // VLAN-tagged and IPv6: general path
        let mut v = Vec::new();
        PacketBuilder::ethernet2(A, B)
            .single_vlan(100.try_into().unwrap())
            .ipv4([198, 18, 0, 22], [198, 18, 0, 10], 64)
            .udp(1000, 53)
            .write(&mut v, &[7; 40])
            .unwrap();
        out.push((v, false));
        let mut v = Vec::new();
        PacketBuilder::ethernet2(A, B)
            .ipv6([0xfd; 16], [0xfe; 16], 64)
            .tcp(443, 50000, 1, 100)
            .ack(5)
            .write(&mut v, &[])
            .unwrap();
        out.push((v, false));
        // VXLAN (UDP to 4789) around a TCP SYN: general path, which opens it
        out.push((vxlan(&syn_frame()), false));
        out
    }

    fn syn_frame() -> Vec<u8> {
        let mut v = Vec::new();
        PacketBuilder::ethernet2(A, B)
            .ipv4([198, 18, 0, 66], [198, 18, 0, 10], 64)
            .tcp(40000, 22, 1, 1024)
            .syn()
            .write(&mut v, &[])
            .unwrap();
        v
    }

    /// `frame` inside VXLAN (RFC 7348 §5: the I flag, VNI 42) from 198.18.9.1 to 198.18.9.2.
    fn vxlan(frame: &[u8]) -> Vec<u8> {
        let mut body = vec![0x08, 0, 0, 0, 0, 0, 42, 0];
        body.extend_from_slice(frame);
        let mut v = Vec::new();
        PacketBuilder::ethernet2(B, A)
            .ipv4([198, 18, 9, 1], [198, 18, 9, 2], 64)
            .udp(51234, 4789)
            .write(&mut v, &body)
            .unwrap();
        v
    }

    /// `payload` as the payload of an IPv4 packet of protocol `proto` from 198.18.9.1 to
    /// 198.18.9.2, in an Ethernet frame.
    fn outer(proto: u8, payload: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        PacketBuilder::ethernet2(B, A)
            .ipv4([198, 18, 9, 1], [198, 18, 9, 2], 64)
            .write(&mut v, etherparse::IpNumber(proto), payload)
            .unwrap();
        v
    }

    #[test]
    fn tunnels_and_mirror_encapsulations_are_opened_to_the_packet_inside() {
        let frame = syn_frame();
        let want = decode(LinkType::ETHERNET, &frame, 3, 2.5, 1514);
        let Record::Packet(p) = want else {
            panic!("the SYN decodes: {want:?}")
        };
        assert_eq!(
            (p.src, p.dport, p.tcp_flags),
            (ip4(198, 18, 0, 66), 22, 0x02)
        );
        let at = |f: &[u8]| decode(LinkType::ETHERNET, f, 3, 2.5, 1514);
        // VXLAN, VXLAN inside VXLAN, GRE (gretap and IPv4), ERSPAN type II, IP in IP
        assert_eq!(at(&vxlan(&frame)), want);
        assert_eq!(at(&vxlan(&vxlan(&frame))), want);
        let gretap = [&[0x00, 0x00, 0x65, 0x58][..], &frame].concat();
        assert_eq!(at(&outer(47, &gretap)), want);
        let gre_ip = [&[0x00, 0x00, 0x08, 0x00][..], &frame[14..]].concat();
        assert_eq!(at(&outer(47, &gre_ip)), want);
        let erspan2 = [
            &[0x10, 0x00, 0x88, 0xBE, 0, 0, 0, 1][..],
            &[0x10, 0x00, 0x00, 0x01, 0, 0, 0, 0],
            &frame,
        ]
        .concat();
        assert_eq!(at(&outer(47, &erspan2)), want);
        assert_eq!(at(&outer(4, &frame[14..])), want);
        // five deep is one more than is opened: the fourth encapsulation's packet is analysed
        let mut deep = frame.clone();
        for _ in 0..5 {
            deep = vxlan(&deep);
        }
        let Record::Packet(d) = at(&deep) else {
            panic!("decodes")
        };
        assert_eq!((d.proto, d.dport), (proto::UDP, 4789));
        // an ARP request inside: an ARP record, with the inner frame's destination
        let mut arp = Vec::new();
        arp.extend_from_slice(&[0xff; 6]);
        arp.extend_from_slice(&A);
        arp.extend_from_slice(&[0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 1]);
        arp.extend_from_slice(&A);
        arp.extend_from_slice(&[198, 18, 0, 66, 0, 0, 0, 0, 0, 0, 198, 18, 0, 10]);
        let Record::Arp(a) = at(&vxlan(&arp)) else {
            panic!("ARP inside VXLAN")
        };
        assert_eq!(a.link_dst, Some([0xff; 6]));
        // what is not an encapsulation, or not a whole one, is the outer packet as it is:
        // VXLAN without the I flag, a frame that is not IP inside, an IP header that does
        // not parse inside IP in IP, a fragment of a GRE packet
        let mut no_i = vxlan(&frame);
        no_i[42] = 0;
        let outer_udp = |r: Record| matches!(r, Record::Packet(p) if p.dport == 4789 && p.src == ip4(198, 18, 9, 1));
        assert!(outer_udp(at(&no_i)));
        let mut lldp = frame.clone();
        lldp[12..14].copy_from_slice(&[0x88, 0xCC]);
        assert!(outer_udp(at(&vxlan(&lldp))));
        let junk = [0x45, 0, 0, 3];
        let Record::Packet(j) = at(&outer(4, &junk)) else {
            panic!("the outer packet")
        };
        assert_eq!((j.proto, j.src), (4, ip4(198, 18, 9, 1)));
        // a later fragment inside (offset 512, t50's byte-swapped DF): the outer packet
        let mut later = frame[14..].to_vec();
        later[6..8].copy_from_slice(&[0x00, 0x40]);
        let Record::Packet(l) = at(&outer(4, &later)) else {
            panic!("the outer packet")
        };
        assert_eq!((l.proto, l.src), (4, ip4(198, 18, 9, 1)));
        let mut frag = outer(47, &gretap);
        frag[20] = 0x20; // more fragments
        let Record::Packet(f) = at(&frag) else {
            panic!("the outer fragment")
        };
        assert_eq!((f.proto, f.fragment), (47, true));
    }

    fn ip4(a: u8, b: u8, c: u8, d: u8) -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(a, b, c, d))
    }

    fn check(frame: &[u8]) {
        let fast = decode(LinkType::ETHERNET, frame, 7, 1.5, 1514);
        let general = decode_general(LinkType::ETHERNET, frame, 7, 1.5, 1514);
        assert_eq!(fast, general, "{frame:02x?}");
        if let Some(ip) = frame.get(14..).and_then(parse_ipv4_plain) {
            let reference = parse_ip_etherparse(&frame[14..]).expect("etherparse accepts it");
            assert_eq!(ip, reference, "{frame:02x?}");
        }
    }

    #[test]
    fn fast_path_gives_what_the_general_path_gives() {
        for (frame, fast) in templates() {
            assert_eq!(
                decode_fast(&frame, 0, 0.0, 0).is_some(),
                fast,
                "{frame:02x?}"
            );
            check(&frame);
            // every cut
            for cut in 0..frame.len() {
                check(&frame[..cut]);
            }
            // every byte of the link, IP and transport headers set to telling values
            for at in 0..frame.len().min(80) {
                for v in [
                    0u8, 1, 2, 3, 4, 5, 6, 8, 11, 12, 17, 0x20, 0x33, 0x40, 0x45, 0x4f, 0x60, 0xff,
                ] {
                    let mut f = frame.clone();
                    f[at] = v;
                    check(&f);
                    f[at] = frame[at] ^ v;
                    check(&f);
                }
            }
        }
    }

    /// An Ethernet frame with an IPv4 header (protocol 132) around `sctp` (common header and
    /// chunks, as RFC 9260 §3 lays them out).
    fn sctp_frame(sctp: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend_from_slice(&B);
        v.extend_from_slice(&A);
        v.extend_from_slice(&[0x08, 0x00]);
        let total = (20 + sctp.len()) as u16;
        v.extend_from_slice(&[
            0x45,
            0,
            (total >> 8) as u8,
            total as u8,
            0x12,
            0x34,
            0x40,
            0,
        ]);
        v.extend_from_slice(&[64, 132, 0, 0, 198, 18, 0, 20, 198, 18, 0, 10]);
        v.extend_from_slice(sctp);
        v
    }

    #[test]
    fn an_sctp_packet_keeps_its_first_chunk_header() {
        // common header (RFC 9260 §3.1): source port 48906, destination port 9001,
        // verification tag, CRC32c (not checked here)
        let common = |tag: u32| {
            let mut c = vec![0xbf, 0x0a, 0x23, 0x29];
            c.extend_from_slice(&tag.to_be_bytes());
            c.extend_from_slice(&[0xde, 0xad, 0xbe, 0xef]);
            c
        };
        let chunk = |frame: &[u8], snap: usize| match decode(
            LinkType::ETHERNET,
            &frame[..snap.min(frame.len())],
            0,
            1.0,
            frame.len() as u32,
        ) {
            Record::Packet(p) => {
                assert_eq!((p.proto, p.sport, p.dport), (proto::SCTP, 48906, 9001));
                (p.sctp_chunk(), p.head)
            }
            other => panic!("{other:?}"),
        };
        // INIT (§3.3.2): type 1, flags 0, length 20; initiate tag, a_rwnd, outbound and
        // inbound streams, initial TSN; sent with verification tag 0
        let mut init = common(0);
        init.extend_from_slice(&[1, 0, 0, 20, 0xfd, 0x84, 0x5e, 0x58, 0, 1, 0xa0, 0]);
        init.extend_from_slice(&[0, 10, 0xff, 0xff, 0x2b, 0x4b, 0x1c, 0x84]);
        let f = sctp_frame(&init);
        assert_eq!(chunk(&f, 1514), (Some(sctp_chunk::INIT), [1, 0, 0, 20]));
        // INIT ACK (§3.3.3): type 2, a state cookie parameter (type 7) after the fixed part
        let mut ack = common(0xfd84_5e58);
        ack.extend_from_slice(&[2, 0, 0, 28, 0x0f, 0x4f, 0x2e, 0xd9, 0, 1, 0xa0, 0]);
        ack.extend_from_slice(&[0, 10, 0, 10, 0x23, 0x15, 0x6a, 0x27, 0, 7, 0, 8]);
        ack.extend_from_slice(&[1, 2, 3, 4]);
        assert_eq!(chunk(&sctp_frame(&ack), 1514).0, Some(sctp_chunk::INIT_ACK));
        // COOKIE ECHO (§3.3.11) and COOKIE ACK (§3.3.12: type 11, length 4, nothing else)
        let mut echo = common(0x0f4f_2ed9);
        echo.extend_from_slice(&[10, 0, 0, 8, 1, 2, 3, 4]);
        assert_eq!(
            chunk(&sctp_frame(&echo), 1514).0,
            Some(sctp_chunk::COOKIE_ECHO)
        );
        let mut cack = common(0xfd84_5e58);
        cack.extend_from_slice(&[11, 0, 0, 4]);
        let f = sctp_frame(&cack);
        assert_eq!(
            chunk(&f, 1514),
            (Some(sctp_chunk::COOKIE_ACK), [11, 0, 0, 4])
        );
        // DATA (§3.3.1): type 0, flags U B E (0x03: a whole message), length 16 + 4 bytes of
        // user data; TSN, stream 0, stream sequence 0, payload protocol 0x24; then a SACK
        // bundled after it, which is not read (only the first chunk is kept)
        let mut data = common(0x0f4f_2ed9);
        data.extend_from_slice(&[
            0, 3, 0, 20, 0x2b, 0x4b, 0x1c, 0x84, 0, 0, 0, 0, 0, 0, 0, 0x24,
        ]);
        data.extend_from_slice(b"ping");
        data.extend_from_slice(&[3, 0, 0, 16, 0x23, 0x15, 0x6a, 0x27, 0, 1, 0x9f, 0xbe]);
        data.extend_from_slice(&[0, 0, 0, 0]);
        let f = sctp_frame(&data);
        assert_eq!(chunk(&f, 1514), (Some(sctp_chunk::DATA), [0, 3, 0, 20]));
        // SACK (§3.3.4): cumulative TSN ack, a_rwnd, no gap blocks, no duplicates
        let mut sack = common(0xfd84_5e58);
        sack.extend_from_slice(&[3, 0, 0, 16, 0x2b, 0x4b, 0x1c, 0x84, 0, 1, 0x9f, 0xbe]);
        sack.extend_from_slice(&[0, 0, 0, 0]);
        assert_eq!(chunk(&sctp_frame(&sack), 1514).0, Some(sctp_chunk::SACK));
        // a snap length that cuts the chunk header keeps what it kept, and no chunk type: a
        // DATA chunk's type is 0, told from a cut one by its length (at least 4)
        let f = sctp_frame(&data);
        assert_eq!(
            chunk(&f, 14 + 20 + 16),
            (Some(sctp_chunk::DATA), [0, 3, 0, 20])
        );
        assert_eq!(chunk(&f, 14 + 20 + 15), (None, [0, 3, 0, 0]));
        assert_eq!(chunk(&f, 14 + 20 + 12), (None, [0; 4]));
        // a common header and no chunk at all (hping3 --rawip -H 132 of zeros): none
        let mut bare = common(0);
        bare.extend_from_slice(&[0; 8]);
        assert_eq!(chunk(&sctp_frame(&bare), 1514), (None, [0; 4]));
        // a later fragment carries no common header, so no chunk
        let mut frag = sctp_frame(&data);
        frag[20] = 0x00;
        frag[21] = 0x02; // fragment offset 16 bytes
        match decode(LinkType::ETHERNET, &frag, 0, 1.0, frag.len() as u32) {
            Record::Packet(p) => {
                assert!(p.later_fragment);
                assert_eq!(p.sctp_chunk(), None);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_head_of_a_tcp_payload_is_what_the_capture_kept_of_it() {
        // an SSH server's identification string (RFC 4253 §4.2: it begins "SSH-")
        let banner = b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n";
        let mut v = Vec::new();
        PacketBuilder::ethernet2(A, B)
            .ipv4([198, 18, 0, 10], [198, 18, 0, 66], 64)
            .tcp(2222, 43958, 7, 502)
            .ack(9)
            .psh()
            .write(&mut v, banner)
            .unwrap();
        let head = |frame: &[u8]| match decode(LinkType::ETHERNET, frame, 0, 1.0, 1514) {
            Record::Packet(p) => {
                assert_eq!(p.payload_len, banner.len() as u32);
                p.head
            }
            other => panic!("{other:?}"),
        };
        assert_eq!(head(&v), *b"SSH-");
        // a snap length that keeps four bytes of the payload keeps it (the lab's 96 keeps 30
        // after a TCP header with timestamps); one that cuts into it, what it kept
        assert_eq!(head(&v[..58]), *b"SSH-");
        assert_eq!(head(&v[..56]), *b"SS\0\0");
        assert_eq!(head(&v[..54]), [0; 4]);
        // IPv6 (the general path) alike
        let mut v6 = Vec::new();
        PacketBuilder::ethernet2(A, B)
            .ipv6([0xfd; 16], [0xfe; 16], 64)
            .tcp(22, 50000, 1, 100)
            .ack(5)
            .write(&mut v6, banner)
            .unwrap();
        assert_eq!(head(&v6), *b"SSH-");
        // no payload, another protocol: zeros
        let mut bare = Vec::new();
        PacketBuilder::ethernet2(A, B)
            .ipv4([198, 18, 0, 66], [198, 18, 0, 10], 64)
            .tcp(43958, 22, 7, 502)
            .syn()
            .write(&mut bare, &[])
            .unwrap();
        let Record::Packet(p) = decode(LinkType::ETHERNET, &bare, 0, 1.0, 60) else {
            panic!()
        };
        assert_eq!(p.head, [0; 4]);
        let mut icmp = Vec::new();
        PacketBuilder::ethernet2(A, B)
            .ipv4([198, 18, 0, 66], [198, 18, 0, 10], 64)
            .icmpv4_echo_request(7, 1)
            .write(&mut icmp, banner)
            .unwrap();
        let Record::Packet(p) = decode(LinkType::ETHERNET, &icmp, 0, 1.0, 100) else {
            panic!()
        };
        assert_eq!(p.head, [0; 4]);
    }

    #[test]
    fn the_head_of_a_udp_payload_is_what_the_capture_kept_of_it() {
        // a TFTP server's first DATA block (RFC 1350 §5: opcode 3, block 1, 512 bytes),
        // sent from its transfer port to the client's
        let mut data = vec![0, 3, 0, 1];
        data.extend((0..512u32).map(|i| (i % 251) as u8));
        let mut v = Vec::new();
        PacketBuilder::ethernet2(A, B)
            .ipv4([198, 18, 1, 7], [198, 18, 0, 10], 64)
            .udp(47104, 40312)
            .write(&mut v, &data)
            .unwrap();
        let decoded = |frame: &[u8]| match decode(LinkType::ETHERNET, frame, 0, 1.0, 1514) {
            Record::Packet(p) => (p.sport, p.dport, p.payload_len, p.head),
            other => panic!("{other:?}"),
        };
        assert_eq!(decoded(&v), (47104, 40312, 516, [0, 3, 0, 1]));
        // the general path gives the same (a frame the fast path leaves to it: VLAN-tagged)
        let mut tagged = Vec::new();
        PacketBuilder::ethernet2(A, B)
            .single_vlan(7.try_into().unwrap())
            .ipv4([198, 18, 1, 7], [198, 18, 0, 10], 64)
            .udp(47104, 40312)
            .write(&mut tagged, &data)
            .unwrap();
        assert_eq!(decoded(&tagged), (47104, 40312, 516, [0, 3, 0, 1]));
        // a snap length that cuts into the payload keeps what it kept (14 + 20 + 8 = 42
        // bytes of headers; the lab's 96 keep 54 of the payload)
        assert_eq!(decoded(&v[..96]).3, [0, 3, 0, 1]);
        assert_eq!(decoded(&v[..44]).3, [0, 3, 0, 0]);
        assert_eq!(decoded(&v[..42]).3, [0; 4]);
        // an ERROR (opcode 5, code 1: file not found), over IPv6, and UDP-Lite alike
        let error = b"\x00\x05\x00\x01File not found\x00";
        let mut v6 = Vec::new();
        PacketBuilder::ethernet2(A, B)
            .ipv6([0xfd; 16], [0xfe; 16], 64)
            .udp(50001, 33000)
            .write(&mut v6, error)
            .unwrap();
        assert_eq!(
            decoded(&v6),
            (50001, 33000, error.len() as u32, [0, 5, 0, 1])
        );
        let mut lite = Vec::new();
        PacketBuilder::ethernet2(A, B)
            .ipv4([198, 18, 1, 7], [198, 18, 0, 10], 64)
            .udp(50001, 33000)
            .write(&mut lite, error)
            .unwrap();
        lite[23] = proto::UDPLITE; // the IPv4 protocol field
        assert_eq!(decoded(&lite).3, [0, 5, 0, 1]);
        // a datagram with fewer than four bytes: zeros past them
        let mut short = Vec::new();
        PacketBuilder::ethernet2(A, B)
            .ipv4([198, 18, 0, 66], [198, 18, 0, 10], 64)
            .udp(5000, 19)
            .write(&mut short, b"\x01")
            .unwrap();
        assert_eq!(decoded(&short), (5000, 19, 1, [1, 0, 0, 0]));
    }

    #[test]
    fn a_packet_forwarded_keeps_its_copy_key_and_another_packet_has_another() {
        let key = |frame: &[u8]| match decode(LinkType::ETHERNET, frame, 0, 1.0, 1514) {
            Record::Packet(p) => p.copy_key,
            other => panic!("{other:?}"),
        };
        let seg = |src: [u8; 6], ttl: u8, seq: u32, payload: &[u8]| {
            let mut v = Vec::new();
            PacketBuilder::ethernet2(src, B)
                .ipv4([198, 18, 0, 66], [198, 18, 0, 10], ttl)
                .tcp(40000, 80, seq, 1024)
                .ack(1)
                .write(&mut v, payload)
                .unwrap();
            v
        };
        let a = seg(A, 64, 1000, b"GET / HTTP/1.1\r\n");
        // the same packet routed: other link source, TTL and IP header checksum (RFC 1812
        // §5.3.1), the same IP Identification and TCP checksum
        let routed = seg(B, 63, 1000, b"GET / HTTP/1.1\r\n");
        assert_ne!(
            a[14 + 10..14 + 12],
            routed[14 + 10..14 + 12],
            "IP checksums differ"
        );
        assert_eq!(key(&a), key(&routed));
        // the key holds the Identification (high half) and the TCP checksum (low half)
        let ident = u16::from_be_bytes([a[18], a[19]]);
        let check = u16::from_be_bytes([a[14 + 20 + 16], a[14 + 20 + 17]]);
        assert_eq!(key(&a), (u32::from(ident) << 16) ^ u32::from(check));
        // another segment of the flow (sequence number, payload) has another checksum
        assert_ne!(key(&a), key(&seg(A, 64, 1017, b"Host: x\r\n")));
        assert_ne!(key(&a), key(&seg(A, 64, 1000, b"GET /a HTTP/1.1\r\n")));
        // the general path (a VLAN tag, IPv6) gives keys too, and the fast path's for IPv4
        let mut tagged = Vec::new();
        PacketBuilder::ethernet2(A, B)
            .single_vlan(100.try_into().unwrap())
            .ipv4([198, 18, 0, 66], [198, 18, 0, 10], 64)
            .tcp(40000, 80, 1000, 1024)
            .ack(1)
            .write(&mut tagged, b"GET / HTTP/1.1\r\n")
            .unwrap();
        assert_eq!(key(&tagged), key(&a), "the same IP packet behind a tag");
        let v6 = |ttl: u8, seq: u32| {
            let mut v = Vec::new();
            PacketBuilder::ethernet2(A, B)
                .ipv6([0xfd; 16], [0xfe; 16], ttl)
                .udp(5000, 53)
                .write(&mut v, &seq.to_be_bytes())
                .unwrap();
            v
        };
        assert_eq!(key(&v6(64, 1)), key(&v6(63, 1)));
        assert_ne!(key(&v6(64, 1)), key(&v6(64, 2)));
    }

    #[test]
    fn fast_path_on_random_lengths_and_fragments() {
        let mut s = 0x9e37_79b9_7f4a_7c15_u64;
        let mut rand = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        let t = templates();
        for _ in 0..20_000 {
            let (frame, _) = &t[rand() as usize % t.len()];
            let mut f = frame.clone();
            // total length, flags and fragment offset, IHL, protocol, TCP data offset
            for (at, mask) in [
                (16, 0xff),
                (17, 0xff),
                (20, 0xff),
                (21, 0xff),
                (14, 0x0f),
                (23, 0xff),
                (46, 0xf0),
            ] {
                if at < f.len() && rand() % 3 == 0 {
                    f[at] = (f[at] & !mask) | (rand() as u8 & mask);
                }
            }
            let cut = rand() as usize % (f.len() + 1);
            check(&f[..cut.max(f.len() / 2)]);
        }
    }
}
