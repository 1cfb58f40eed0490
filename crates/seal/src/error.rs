//! The typed error of this crate, sorted by fault.

use crate::key::KdfKind;

/// Everything that can go wrong while sealing or opening.
///
/// The message of each variant starts with the kind of fault, so that a user
/// reading it knows whom to blame:
///
/// | variant | fault ([`Fault`]) |
/// |---|---|
/// | [`NotAnEnvelope`](Self::NotAnEnvelope), [`BadHeader`](Self::BadHeader) | malformed input |
/// | [`UnsupportedVersion`](Self::UnsupportedVersion), [`UnsupportedKdf`](Self::UnsupportedKdf) | input from an incompatible (newer) writer |
/// | [`AuthenticationFailed`](Self::AuthenticationFailed) | wrong key, or the data was altered (the two cannot and must not be told apart) |
/// | [`KeyKindMismatch`](Self::KeyKindMismatch), [`InvalidKey`](Self::InvalidKey), [`InvalidOptions`](Self::InvalidOptions) | local configuration: the caller gave the wrong kind of key or bad settings |
/// | [`Random`](Self::Random), [`Io`](Self::Io) | the system |
///
/// Once a header has parsed, *every* problem with the body (a flipped bit,
/// a wrong key, truncation, extension, reordered or dropped chunks, a body too
/// short to hold a tag) is reported as [`AuthenticationFailed`](Self::AuthenticationFailed):
/// the body is only ever judged by its tags.
#[derive(thiserror::Error, Debug)]
pub enum SealError {
    /// The input does not start with the magic bytes `NJSE`.
    #[error(
        "malformed input: not a Nightjar sealed envelope (the magic bytes \"NJSE\" are missing)"
    )]
    NotAnEnvelope,
    /// The envelope has a format version this build does not read.
    #[error("unsupported input: envelope format version {0} is not supported (this build reads version 1)")]
    UnsupportedVersion(u8),
    /// The envelope names a key-derivation function this build does not know.
    #[error("unsupported input: unknown key-derivation id {0} in the envelope header (known: 1 raw key, 2 passphrase, 3 derived master key, 4 two factors)")]
    UnsupportedKdf(u8),
    /// The header is structurally invalid (truncated, impossible parameters).
    #[error("malformed input: bad envelope header: {0}")]
    BadHeader(&'static str),
    /// The envelope was sealed with a different kind of key than the one given.
    #[error("wrong kind of key: this envelope was sealed with a {envelope} and needs one to open, but a {given} was given")]
    KeyKindMismatch {
        /// The kind of key the envelope header names.
        envelope: KdfKind,
        /// The kind of key the caller supplied.
        given: KdfKind,
    },
    /// A chunk tag did not verify: the key is wrong or the data was altered.
    #[error("authentication failed: wrong key or the data was altered")]
    AuthenticationFailed,
    /// The key material given is unusable (too short, too long, empty).
    #[error("invalid key: {0}")]
    InvalidKey(&'static str),
    /// Sealing options or KDF parameters given by the caller are out of range.
    #[error("invalid options: {0}")]
    InvalidOptions(&'static str),
    /// The operating system's random number generator failed.
    #[error("system error: the random number generator failed: {0}")]
    Random(String),
    /// Reading the input or writing the output failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}

/// Whose fault an error is; see [`SealError::fault`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The input is not a well-formed envelope, or one this build cannot read.
    Input,
    /// The key is wrong or the data was altered.
    Authentication,
    /// The caller's key or options are unusable, or of the wrong kind.
    Config,
    /// The system failed (random number generator, I/O).
    System,
}

impl SealError {
    /// True only for [`SealError::AuthenticationFailed`]: the one outcome that
    /// means "wrong key or tampered data" (command-line exit status 1).
    pub fn is_auth_failure(&self) -> bool {
        matches!(self, SealError::AuthenticationFailed)
    }

    /// Whose fault this error is.
    pub fn fault(&self) -> Fault {
        match self {
            SealError::NotAnEnvelope
            | SealError::UnsupportedVersion(_)
            | SealError::UnsupportedKdf(_)
            | SealError::BadHeader(_) => Fault::Input,
            SealError::AuthenticationFailed => Fault::Authentication,
            SealError::KeyKindMismatch { .. }
            | SealError::InvalidKey(_)
            | SealError::InvalidOptions(_) => Fault::Config,
            SealError::Random(_) | SealError::Io(_) => Fault::System,
        }
    }
}
