//! Errors, sorted by fault (rustls style): the bytes were malformed, the peer misbehaved, the
//! peer is incompatible (or refused us), or the local configuration or system failed.

use thiserror::Error;

/// Bytes that are not a valid frame, datagram or message. Parsing never decides anything: every
/// one of these is returned before any field is acted upon.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Malformed {
    /// Fewer bytes than the fixed header or the declared length needs.
    #[error("truncated {what}: {have} bytes, {need} needed")]
    Truncated {
        /// What was being read.
        what: &'static str,
        /// Bytes available.
        have: usize,
        /// Bytes needed.
        need: usize,
    },
    /// An unknown kind or message-type byte.
    #[error("unknown {what} 0x{byte:02x}")]
    UnknownKind {
        /// What the byte was.
        what: &'static str,
        /// The byte.
        byte: u8,
    },
    /// A declared length above the configured maximum.
    #[error("{what} of {len} bytes exceeds the maximum of {max}")]
    TooLong {
        /// What was too long.
        what: &'static str,
        /// The declared length.
        len: u64,
        /// The limit.
        max: u64,
    },
    /// Bytes left over after a complete message.
    #[error("{count} trailing bytes after a complete {what}")]
    Trailing {
        /// What was complete.
        what: &'static str,
        /// How many bytes were left.
        count: usize,
    },
    /// A field with a value the format does not allow.
    #[error("invalid {0}")]
    Invalid(&'static str),
}

/// Why a peer refused the negotiation or the delivery (the REJECT reason byte).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RejectReason {
    /// 1: none of the offered stacks is supported.
    NoCommonStack,
    /// 2: the transcript MAC did not verify: the peers do not share the secret.
    AuthFailed,
    /// 3: the protocol version is not supported.
    Version,
    /// 4: the payload is larger than the receiver accepts.
    TooLarge,
    /// 5: the receiver has too many sessions.
    Busy,
    /// 6: the receiver could not store the payload.
    StorageFailed,
    /// 7: the payload's MAC did not verify.
    Integrity,
    /// 8: the peer broke the protocol.
    Protocol,
}

impl RejectReason {
    /// The reason byte on the wire.
    pub const fn code(self) -> u8 {
        match self {
            RejectReason::NoCommonStack => 1,
            RejectReason::AuthFailed => 2,
            RejectReason::Version => 3,
            RejectReason::TooLarge => 4,
            RejectReason::Busy => 5,
            RejectReason::StorageFailed => 6,
            RejectReason::Integrity => 7,
            RejectReason::Protocol => 8,
        }
    }

    /// The reason for a byte, if known.
    pub const fn from_code(c: u8) -> Option<RejectReason> {
        Some(match c {
            1 => RejectReason::NoCommonStack,
            2 => RejectReason::AuthFailed,
            3 => RejectReason::Version,
            4 => RejectReason::TooLarge,
            5 => RejectReason::Busy,
            6 => RejectReason::StorageFailed,
            7 => RejectReason::Integrity,
            8 => RejectReason::Protocol,
            _ => return None,
        })
    }

    /// A short name for logs and JSON.
    pub const fn name(self) -> &'static str {
        match self {
            RejectReason::NoCommonStack => "no-common-stack",
            RejectReason::AuthFailed => "auth-failed",
            RejectReason::Version => "version",
            RejectReason::TooLarge => "too-large",
            RejectReason::Busy => "busy",
            RejectReason::StorageFailed => "storage-failed",
            RejectReason::Integrity => "integrity",
            RejectReason::Protocol => "protocol",
        }
    }
}

impl std::fmt::Display for RejectReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RejectReason::NoCommonStack => "no common protocol stack",
            RejectReason::AuthFailed => "authentication failed (the peers do not share the key)",
            RejectReason::Version => "unsupported protocol version",
            RejectReason::TooLarge => "payload larger than the receiver accepts",
            RejectReason::Busy => "receiver busy",
            RejectReason::StorageFailed => "receiver could not store the payload",
            RejectReason::Integrity => "payload failed authentication",
            RejectReason::Protocol => "protocol violation",
        })
    }
}

/// Everything that can end a link session, sorted by fault.
#[derive(Debug, Error)]
pub enum LinkError {
    /// Malformed input: bytes that do not parse.
    #[error("malformed input: {0}")]
    Malformed(#[from] Malformed),
    /// The peer sent well-formed messages in the wrong place or with a bad MAC.
    #[error("peer misbehaved: {0}")]
    PeerMisbehaved(String),
    /// Our MAC check on the peer failed: it does not hold the same secret (or the transcript was
    /// altered in transit, e.g. a downgrade attempt).
    #[error(
        "authentication failed: the peer does not hold the same key, or the transcript was altered"
    )]
    AuthFailed,
    /// The peer refused (REJECT with a reason).
    #[error("refused by the peer: {0}")]
    Refused(RejectReason),
    /// The peer is incompatible: no common stack or version.
    #[error("peer incompatible: {0}")]
    Incompatible(String),
    /// No answer in time, after every retry.
    #[error("timed out: {0}")]
    Timeout(String),
    /// The local configuration is invalid.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// A local I/O failure (socket, file system).
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
}

impl LinkError {
    /// Whether this is a refusal or failed authentication (a failed check, exit 1 in the CLI),
    /// rather than a local or network problem.
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            LinkError::AuthFailed | LinkError::Refused(_) | LinkError::Incompatible(_)
        )
    }
}
