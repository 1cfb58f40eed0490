#![deny(unsafe_code)]
#![warn(missing_docs)]
//! Packet sources for Nightjar: pcap and pcapng files and live capture, decoded into compact packet records.
//!
//! The first stage of the detector (DESIGN §7): bytes in, [`Record`]s out, nothing decided.
//!
//! * [`PcapReader`] streams a capture — pcap in either byte order with micro- or nanosecond
//!   timestamps, or pcapng with any number of sections and interfaces — one [`Record`] per
//!   captured frame. Classic pcap is walked record by record over 256 KiB reads by the
//!   reader's own code (it takes every decision `pcap-parser` takes, in the same order, and
//!   the tests hold the two to it); pcapng goes through `pcap-parser`'s buffered reader.
//!   [`read_all`] collects a whole file.
//! * [`decode`] turns one frame into a [`PacketRepr`] (addresses, protocol, ports, TCP flags,
//!   lengths, TTL, window, ICMP type/code and the packet an ICMP error quotes) or a
//!   [`Record::Undecoded`] with the reason; an ARP frame (IPv4 over Ethernet) into a
//!   [`Record::Arp`] through the checked view [`ArpPacket`] (RFC 826). Link types: Ethernet
//!   (with 802.1Q/802.1ad tags; 802.3 with LLC/SNAP), Linux cooked v1 and v2, raw IP (101, 228,
//!   229, and the old 12/14), BSD null/loopback, NFLOG, pflog, IEEE 802.11 (bare, radiotap,
//!   PPI), PPP and Cisco HDLC.
//!   Tunnel and mirror encapsulations (VXLAN, Geneve, GRE, ERSPAN I–III, IP in IP) are opened
//!   and the packet inside is decoded (`tunnel`).
//!   IPv4 and IPv6 (extension headers, IPsec AH) are parsed with `etherparse`'s lax slices,
//!   except the common case — untagged Ethernet, plain IPv4, a whole TCP, UDP or ICMP header —
//!   which a direct parser following the same lax rules builds in one step (tests hold it to
//!   `etherparse`'s result); fragments are reported, not reassembled.
//! * [`PcapWriter`] writes classic pcap files (tests and synthetic data).
//! * [`LiveCapture`] captures from a network interface through an `AF_PACKET` socket with a
//!   memory-mapped `TPACKET_V3` ring (Linux, no libpcap) and yields the same [`Record`]s, with
//!   bounded waits, packet-count and time limits, the kernel's drop counters ([`LiveStats`]),
//!   and optionally a pcap copy of what it saw. The crate's only `unsafe` code is there.
//!
//! Untrusted input never panics. A truncated final record is a warning; a malformed record
//! ends the stream with [`PacketError::Corrupt`] after everything before it; only input that is
//! no capture at all (empty, unknown magic) or unreadable is an error up front.
//!
//! ```no_run
//! use nightjar_packet::{read_all, Record};
//! let cap = read_all(std::path::Path::new("data/captures/test.pcap"))?;
//! let syns = cap.records.iter().filter_map(Record::packet)
//!     .filter(|p| p.tcp_flags & nightjar_packet::tcp_flags::SYN != 0).count();
//! println!("{} records, {syns} with SYN, warnings: {:?}", cap.records.len(), cap.warnings);
//! # Ok::<(), nightjar_packet::PacketError>(())
//! ```

mod arp;
mod decode;
mod error;
mod link;
mod live;
mod reader;
mod record;
mod tunnel;
mod write;

pub use arp::{ArpError, ArpPacket};
pub use decode::decode;
pub use error::PacketError;
pub use link::LinkType;
pub use live::{LiveCapture, LiveOptions, LivePoll, LiveStats, StopHandle};
pub use reader::{read_all, Capture, PcapReader};
pub use record::{proto, sctp_chunk, tcp_flags, ArpOp, ArpRepr, Inner, PacketRepr, Record};
pub use write::PcapWriter;
