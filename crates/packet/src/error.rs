//! Errors of the packet layer, sorted by fault.

use std::path::PathBuf;

/// Why a capture could not be read.
///
/// Per-packet problems (ARP frames, truncated headers, unknown link types) are not errors: they
/// become [`Record::Undecoded`](crate::Record::Undecoded). A truncated final record is not an
/// error either: it ends the stream with a warning ([`PcapReader::warnings`](crate::PcapReader::warnings)).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PacketError {
    /// The file could not be opened (local fault: path, permissions).
    #[error("cannot open {}: {source}", path.display())]
    Open {
        /// The path given.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// Reading failed part-way (local fault: disk, pipe).
    #[error("read error after byte {offset}: {source}")]
    Read {
        /// Bytes of the capture consumed before the failure.
        offset: u64,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The input is not a pcap or pcapng capture at all (empty, too short, unknown magic,
    /// unreadable file header).
    #[error("not a capture: {0}")]
    NotACapture(String),
    /// The input is a capture but a record is malformed; everything before it was returned.
    #[error("corrupt capture at byte {offset} after {records} records: {detail}")]
    Corrupt {
        /// Byte offset of the malformed record or block.
        offset: u64,
        /// Records returned before it.
        records: u64,
        /// What is wrong.
        detail: String,
    },
    /// Writing a capture file failed (local fault: disk full, permissions).
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file being written.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// Live capture: the network interface does not exist (in this network namespace).
    #[error("no such network interface: {iface:?}")]
    NoSuchInterface {
        /// The name given.
        iface: String,
    },
    /// Live capture: the system refused a packet socket (local fault: not root and no
    /// `CAP_NET_RAW`).
    #[error(
        "no permission to capture on {iface}: {source} (live capture needs root or CAP_NET_RAW)"
    )]
    Permission {
        /// The interface asked for.
        iface: String,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// Live capture: a step of socket or ring setup, or receiving, failed.
    #[error("live capture on {iface}: {what} failed: {source}")]
    Live {
        /// The interface.
        iface: String,
        /// The step that failed.
        what: &'static str,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The operation is not available on this system (live capture off Linux).
    #[error("{0}")]
    Unsupported(String),
}
