//! The decoded form of one captured frame.

use std::net::{IpAddr, Ipv4Addr};

/// TCP flag bits as they appear in [`PacketRepr::tcp_flags`] (byte 13 of the TCP header).
pub mod tcp_flags {
    /// No more data from sender.
    pub const FIN: u8 = 0x01;
    /// Synchronise sequence numbers.
    pub const SYN: u8 = 0x02;
    /// Reset the connection.
    pub const RST: u8 = 0x04;
    /// Push function.
    pub const PSH: u8 = 0x08;
    /// Acknowledgment field significant.
    pub const ACK: u8 = 0x10;
    /// Urgent pointer field significant.
    pub const URG: u8 = 0x20;
    /// ECN echo.
    pub const ECE: u8 = 0x40;
    /// Congestion window reduced.
    pub const CWR: u8 = 0x80;
}

/// SCTP chunk types (RFC 9260 §3.2; I-DATA, RFC 8260; NR-SACK, draft-natarajan-tsvwg-sctp-nrsack)
/// as [`PacketRepr::sctp_chunk`] gives them.
pub mod sctp_chunk {
    /// Payload data.
    pub const DATA: u8 = 0;
    /// Initiation: the first packet of an association (its verification tag 0).
    pub const INIT: u8 = 1;
    /// Initiation acknowledgement, carrying the state cookie.
    pub const INIT_ACK: u8 = 2;
    /// Selective acknowledgement of DATA.
    pub const SACK: u8 = 3;
    /// Heartbeat request.
    pub const HEARTBEAT: u8 = 4;
    /// Heartbeat acknowledgement.
    pub const HEARTBEAT_ACK: u8 = 5;
    /// Abort: the association is ended at once (or refused).
    pub const ABORT: u8 = 6;
    /// Shutdown.
    pub const SHUTDOWN: u8 = 7;
    /// Shutdown acknowledgement.
    pub const SHUTDOWN_ACK: u8 = 8;
    /// Operation error.
    pub const ERROR: u8 = 9;
    /// State cookie echoed back to the INIT-ACK's sender.
    pub const COOKIE_ECHO: u8 = 10;
    /// Cookie acknowledgement: the association is established at both ends.
    pub const COOKIE_ACK: u8 = 11;
    /// Shutdown complete: the association's last packet.
    pub const SHUTDOWN_COMPLETE: u8 = 14;
    /// Non-renegable selective acknowledgement.
    pub const NR_SACK: u8 = 16;
    /// Payload data with message interleaving (RFC 8260).
    pub const I_DATA: u8 = 64;
}

/// IP protocol numbers used by Nightjar.
pub mod proto {
    /// Internet Control Message Protocol (IPv4).
    pub const ICMP: u8 = 1;
    /// Transmission Control Protocol.
    pub const TCP: u8 = 6;
    /// User Datagram Protocol.
    pub const UDP: u8 = 17;
    /// ICMP for IPv6.
    pub const ICMPV6: u8 = 58;
    /// Stream Control Transmission Protocol (ports in the first 4 bytes, like TCP and UDP).
    pub const SCTP: u8 = 132;
    /// UDP-Lite (ports in the first 4 bytes).
    pub const UDPLITE: u8 = 136;

    /// Whether message type `ty` of protocol `proto` is an ICMP or ICMPv6 error, which quotes
    /// the packet that caused it: destination unreachable, source quench, redirect, time
    /// exceeded and parameter problem (RFC 792); destination unreachable, packet too big, time
    /// exceeded and parameter problem (RFC 4443).
    #[inline]
    pub fn icmp_error(proto: u8, ty: u8) -> bool {
        match proto {
            ICMP => matches!(ty, 3 | 4 | 5 | 11 | 12),
            ICMPV6 => matches!(ty, 1..=4),
            _ => false,
        }
    }

    /// Whether message type `ty` of protocol `proto` is an ICMP or ICMPv6 destination
    /// unreachable.
    #[inline]
    pub fn icmp_unreachable(proto: u8, ty: u8) -> bool {
        matches!((proto, ty), (ICMP, 3) | (ICMPV6, 1))
    }
}

/// One IP packet, reduced to the fields the detector uses.
///
/// Lengths come from the headers (`ip_len`, `payload_len`) and from the capture record
/// (`wire_len`), never from how many bytes the capture kept, so a small snap length loses
/// nothing here.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PacketRepr {
    /// 0-based position in the capture, counting every record, decoded or not.
    pub index: u64,
    /// Seconds since the Unix epoch. An `f64` near today's epoch resolves about 0.24 µs, so
    /// nanosecond timestamps are rounded to that.
    pub ts: f64,
    /// Original length of the frame on the wire (the record's "orig len").
    pub wire_len: u32,
    /// Source address.
    pub src: IpAddr,
    /// Destination address.
    pub dst: IpAddr,
    /// IP protocol number of the transport (after IPv6 extension headers): 6 TCP, 17 UDP,
    /// 1 ICMP, 58 ICMPv6, others as they are.
    pub proto: u8,
    /// Source port; 0 when the protocol has no ports or the fragment has no transport header.
    pub sport: u16,
    /// Destination port; 0 as for `sport`.
    pub dport: u16,
    /// TCP flags (see [`tcp_flags`]); 0 for other protocols. A TCP fragment carries them when
    /// it holds TCP header byte 13 (the first fragment, or the second of 8-byte fragments);
    /// other fragments have 0.
    pub tcp_flags: u8,
    /// IPv4 total length, or 40 + payload length for IPv6.
    pub ip_len: u16,
    /// IPv4 TTL or IPv6 hop limit.
    pub ttl: u8,
    /// TCP window (unscaled); 0 for other protocols.
    pub window: u16,
    /// ICMP / ICMPv6 type; 0 for other protocols.
    pub icmp_type: u8,
    /// ICMP / ICMPv6 code; 0 for other protocols.
    pub icmp_code: u8,
    /// The packet is an IP fragment (more-fragments set or offset > 0). Fragments are not
    /// reassembled; only a first fragment carries ports.
    pub fragment: bool,
    /// A fragment after the first: it carries no transport header, so its ports, ICMP type
    /// and code are 0 (not there), and its TCP flags only where a tiny fragment holds them.
    pub later_fragment: bool,
    /// A fragment's Identification (IPv4's 16 bits; the IPv6 fragment header's 32), which
    /// with the addresses and protocol ties the fragments of one datagram together; 0 for a
    /// packet that is not a fragment.
    pub frag_id: u32,
    /// A fragment's place in its datagram, as IPv4 carries it in its flags and fragment
    /// offset word less the DF and reserved bits: the more-fragments flag in bit 13, the
    /// offset in 8-byte units in bits 0–12 (the IPv6 fragment header's M flag and offset put
    /// the same way); 0 for a packet that is not a fragment. Read it with
    /// [`PacketRepr::frag_offset`] and [`PacketRepr::more_fragments`]. (Kept in one word so
    /// that the record stays 128 bytes.)
    pub frag_word: u16,
    /// Transport payload bytes according to the headers (IP payload less the TCP/UDP/ICMP
    /// header; the whole IP payload for other protocols and non-first fragments).
    pub payload_len: u32,
    /// The first four bytes of a TCP segment's or a UDP (or UDP-Lite) datagram's payload, as
    /// far as the capture kept them (zero past that, and for other protocols and fragments
    /// after the first): enough to tell a service by the first words it sends (an SSH
    /// server's "SSH-" banner, a TFTP server's DATA opcode and block number) on any port. The
    /// one field a snap length can take away: the lab's 96 bytes keep 30 bytes of payload
    /// after a TCP header with timestamps, 50 after a UDP header. A reader checks the
    /// protocol first: the same bytes mean different things in TCP and UDP (`guessing`,
    /// `renegotiation` and `fuzzing` read TCP's, `reflection` UDP's; `copies` compares them
    /// whole, as it does every field). For SCTP, the header of the packet's first chunk
    /// instead, right after the 12-byte common header (RFC 9260 §3.2: type, flags and length;
    /// zero where the capture did not keep it): read it with [`PacketRepr::sctp_chunk`].
    pub head: [u8; 4],
    /// For ICMP errors (destination unreachable, time exceeded, ...): the quoted packet.
    pub inner: Option<Inner>,
    /// What tells two copies of one packet from two packets alike: the IPv4 Identification
    /// (the IPv6 flow label) in the high half, mixed with the transport checksum (TCP, UDP,
    /// UDP-Lite, ICMP, ICMPv6; the low half of SCTP's CRC-32c) where the packet carries it.
    /// The checksum covers the addresses, ports, sequence numbers and payload, and neither
    /// field changes when a router or a bridge forwards the packet (only the TTL and the IP
    /// header checksum do), so a capture that sees a packet twice (`tcpdump -i any` on a host
    /// that bridges or routes it, a mirror port of both directions) shows it twice with the
    /// same key.
    pub copy_key: u32,
}

impl PacketRepr {
    /// The type of an SCTP packet's first chunk ([`sctp_chunk`]), where the packet is SCTP,
    /// carries its common header (not a later fragment) and the capture kept a chunk header
    /// with a length of at least 4 (every chunk's is: RFC 9260 §3.2); `None` otherwise.
    #[inline]
    pub fn sctp_chunk(&self) -> Option<u8> {
        let [ty, _, hi, lo] = self.head;
        (self.proto == proto::SCTP && !self.later_fragment && u16::from_be_bytes([hi, lo]) >= 4)
            .then_some(ty)
    }

    /// Where a fragment's data starts in its datagram's IP payload, in bytes (0 for a first
    /// fragment and for a packet that is not a fragment).
    #[inline]
    pub fn frag_offset(&self) -> u32 {
        u32::from(self.frag_word & 0x1fff) * 8
    }

    /// Whether the packet is a fragment with more to follow (all but a datagram's last).
    #[inline]
    pub fn more_fragments(&self) -> bool {
        self.frag_word & 0x2000 != 0
    }
}

/// The packet quoted inside an ICMP or ICMPv6 error message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Inner {
    /// Its IP protocol number.
    pub proto: u8,
    /// Its source (normally the host that received the ICMP error).
    pub src: IpAddr,
    /// Its destination.
    pub dst: IpAddr,
    /// Its source port, 0 if it has none or it was not quoted.
    pub sport: u16,
    /// Its destination port, 0 likewise.
    pub dport: u16,
}

/// An ARP opcode (RFC 826 `ar$op`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArpOp {
    /// 1: who has the target protocol address?
    Request,
    /// 2: the sender has it (its hardware address is the sender's).
    Reply,
    /// Any other opcode (RARP's 3 and 4, InARP's 8 and 9, ...), as it is.
    Other(u16),
}

impl ArpOp {
    /// The opcode of its wire value.
    pub fn from_wire(code: u16) -> ArpOp {
        match code {
            1 => ArpOp::Request,
            2 => ArpOp::Reply,
            other => ArpOp::Other(other),
        }
    }

    /// Its wire value.
    pub fn code(self) -> u16 {
        match self {
            ArpOp::Request => 1,
            ArpOp::Reply => 2,
            ArpOp::Other(c) => c,
        }
    }
}

/// One ARP message for IPv4 over Ethernet, as [`crate::ArpPacket`] read it: who asks or
/// answers for which address. A gratuitous ARP has `sender_ip == target_ip`; an address probe
/// (RFC 5227) has sender address 0.0.0.0. Nothing is decided here.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ArpRepr {
    /// 0-based position in the capture, counting every record.
    pub index: u64,
    /// Seconds since the Unix epoch.
    pub ts: f64,
    /// Original length of the frame on the wire.
    pub wire_len: u32,
    /// The opcode.
    pub op: ArpOp,
    /// Sender hardware address (`ar$sha`).
    pub sender_mac: [u8; 6],
    /// Sender protocol address (`ar$spa`).
    pub sender_ip: Ipv4Addr,
    /// Target hardware address (`ar$tha`; zeros in a request).
    pub target_mac: [u8; 6],
    /// Target protocol address (`ar$tpa`).
    pub target_ip: Ipv4Addr,
    /// The frame's link-layer destination, where the link type has one (Ethernet): a request
    /// sent to a unicast address re-checks a neighbour the sender knows (RFC 1122 §2.3.2.1's
    /// unicast poll; Linux's `NUD_PROBE`), a broadcast one asks who has the address. `None`
    /// for Linux cooked captures (and a view read without its frame).
    pub link_dst: Option<[u8; 6]>,
}

/// One capture record: a decoded IP packet, a decoded ARP message, or the reason the frame
/// could not be decoded.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Record {
    /// An IPv4 or IPv6 packet.
    Packet(PacketRepr),
    /// An ARP message for IPv4 over Ethernet (Ethernet, with VLAN tags, or Linux cooked
    /// captures): no IP packet, so [`Record::packet`] is `None` for it.
    Arp(ArpRepr),
    /// A frame that is neither an IP packet nor an ARP message for IPv4 over Ethernet (RARP,
    /// LLC, ...), or whose headers are truncated or malformed, or whose link type is not
    /// supported.
    Undecoded {
        /// 0-based position in the capture.
        index: u64,
        /// Seconds since the Unix epoch.
        ts: f64,
        /// Original length on the wire.
        wire_len: u32,
        /// Why it was not decoded. One of: `"RARP"`, `"truncated ARP packet"`, `"ARP of another
        /// hardware type than Ethernet"`, `"ARP of another protocol than IPv4"`, `"ARP address
        /// lengths not 6 and 4"`, `"802.3/LLC frame (not IP)"`,
        /// `"non-IP EtherType"`, `"MPLS payload not IP"`, `"MPLS label stack without a bottom
        /// entry"`, `"PPPoE frame not IP (PPP control)"`, `"non-IP loopback family"`,
        /// `"unsupported link type"`, `"packet of an undeclared interface"` (pcapng),
        /// `"malformed IP header"`, or `"truncated X"` for X in link header, Ethernet header,
        /// VLAN tag, MPLS label stack, PPPoE header, Linux SLL header, Linux SLL2 header,
        /// loopback header, IPv4 header, IPv6 header, TCP header, UDP header, SCTP header,
        /// ICMP header.
        reason: &'static str,
    },
}

impl Record {
    /// 0-based position in the capture.
    pub fn index(&self) -> u64 {
        match self {
            Record::Packet(p) => p.index,
            Record::Arp(a) => a.index,
            Record::Undecoded { index, .. } => *index,
        }
    }

    /// Seconds since the Unix epoch.
    pub fn ts(&self) -> f64 {
        match self {
            Record::Packet(p) => p.ts,
            Record::Arp(a) => a.ts,
            Record::Undecoded { ts, .. } => *ts,
        }
    }

    /// Original length on the wire.
    pub fn wire_len(&self) -> u32 {
        match self {
            Record::Packet(p) => p.wire_len,
            Record::Arp(a) => a.wire_len,
            Record::Undecoded { wire_len, .. } => *wire_len,
        }
    }

    /// The decoded packet, if this record is one.
    pub fn packet(&self) -> Option<&PacketRepr> {
        match self {
            Record::Packet(p) => Some(p),
            Record::Arp(_) | Record::Undecoded { .. } => None,
        }
    }

    /// The decoded ARP message, if this record is one.
    pub fn arp(&self) -> Option<&ArpRepr> {
        match self {
            Record::Arp(a) => Some(a),
            Record::Packet(_) | Record::Undecoded { .. } => None,
        }
    }
}
