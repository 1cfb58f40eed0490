//! The stack negotiation as sans-IO state machines (DESIGN §6): fed control-message bytes and
//! the current time, they return control messages to send, the next timer and events. They
//! never touch a socket or a clock; transports (and property tests) drive them.
//!
//! ```text
//! initiator                                   responder
//!   OFFER(version, nonce_c, payload_len, ids…) ->        picks the first offered id it supports
//!                          <- ACCEPT(nonce_c, nonce_s, id, mac_accept)   or REJECT(nonce_c, reason)
//!   checks mac_accept
//!   FINISHED(nonce_c, nonce_s, mac_finished)  ->        checks mac_finished (else REJECT auth-failed)
//!                          <- CONFIRM(nonce_c, nonce_s, mac_confirm)     responder Established
//!   checks mac_confirm: initiator Established
//! ```
//!
//! The initiator resends OFFER (then FINISHED) when no answer comes, with exponential backoff
//! and a retry cap; the responder answers a duplicate OFFER or FINISHED with the very same bytes
//! (idempotent), and a duplicate OFFER after a refusal with the same REJECT. The responder has a
//! deadline for the whole handshake. The MACs (see [`crate::crypto`]) cover the OFFER bytes,
//! the chosen id and both nonces, so a peer without the shared secret is refused before any
//! payload is accepted and a downgrade (stripped offer ids) is detected.
//!
//! Safety: the initiator is Established only after a valid CONFIRM, which the responder sends
//! only once it is Established with the same id. The one disagreement no protocol can rule out
//! (the last CONFIRM lost every time) leaves the responder Established and the initiator failed;
//! the responder then receives no authenticated payload and its transport's idle timeout ends
//! the session with nothing stored.

mod initiator;
mod responder;

pub use initiator::{AwaitAccept, AwaitConfirm, Initiator, InitiatorState};
pub use responder::{
    AwaitFinished, AwaitOffer, Responder, ResponderEstablished, ResponderFailed, ResponderState,
};

use crate::crypto::SessionKeys;
use crate::error::{LinkError, RejectReason};
use crate::StackId;
use std::time::Duration;

/// Timing of the negotiation.
#[derive(Clone, Debug)]
pub struct NegotiateConfig {
    /// First resend timeout of the initiator.
    pub resend_initial: Duration,
    /// Longest resend timeout (backoff doubles up to this).
    pub resend_max: Duration,
    /// Resends of one message before giving up (0 = send once; for TCP).
    pub max_resends: u32,
    /// The responder's deadline for the whole handshake.
    pub responder_deadline: Duration,
}

impl Default for NegotiateConfig {
    fn default() -> Self {
        NegotiateConfig {
            resend_initial: Duration::from_millis(200),
            resend_max: Duration::from_secs(2),
            max_resends: 8,
            responder_deadline: Duration::from_secs(20),
        }
    }
}

/// Why a negotiation failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// No answer after every resend (initiator) or the deadline passed (responder).
    Timeout,
    /// A MAC did not verify: the peers do not share the secret, or the transcript was altered.
    AuthFailed,
    /// The peer refused.
    Rejected(RejectReason),
    /// We refused the peer's offer.
    Refused(RejectReason),
    /// The peer broke the protocol (e.g. accepted an id that was never offered).
    Protocol(&'static str),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Timeout => f.write_str("no answer (timed out after every resend)"),
            Failure::AuthFailed => f.write_str("transcript authentication failed"),
            Failure::Rejected(r) => write!(f, "refused by the peer: {r}"),
            Failure::Refused(r) => write!(f, "refused the peer: {r}"),
            Failure::Protocol(p) => write!(f, "protocol violation: {p}"),
        }
    }
}

impl From<Failure> for LinkError {
    fn from(f: Failure) -> LinkError {
        match f {
            Failure::Timeout => LinkError::Timeout("negotiation".into()),
            Failure::AuthFailed => LinkError::AuthFailed,
            Failure::Rejected(r) => LinkError::Refused(r),
            Failure::Refused(RejectReason::NoCommonStack) => {
                LinkError::Incompatible("no common protocol stack".into())
            }
            Failure::Refused(RejectReason::Version) => {
                LinkError::Incompatible("unsupported protocol version".into())
            }
            Failure::Refused(r) => LinkError::PeerMisbehaved(format!("refused: {r}")),
            Failure::Protocol(p) => LinkError::PeerMisbehaved(p.into()),
        }
    }
}

/// Something that happened, for logs and `--json` events.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// A message was sent for the first time.
    Sent(&'static str),
    /// A message was resent after a timeout (attempt counts from 1 for the first resend).
    Resent {
        /// The message.
        msg: &'static str,
        /// Resend number.
        attempt: u32,
    },
    /// A duplicate was answered with the same reply as before.
    DuplicateAnswered(&'static str),
    /// A message that does not belong here was ignored.
    Ignored(&'static str),
    /// Agreement on a stack.
    Established(StackId),
    /// The negotiation failed.
    Failed(Failure),
}

/// What one step returns: control messages to send (in order) and events.
#[derive(Debug, Default)]
pub struct Output {
    /// Encoded control messages to send.
    pub transmit: Vec<Vec<u8>>,
    /// What happened.
    pub events: Vec<Event>,
}

/// An agreed session: the stack and the session keys.
#[derive(Debug, Clone)]
pub struct Established {
    /// The agreed stack.
    pub stack: StackId,
    /// Keys for payload tags and storage receipts.
    pub keys: SessionKeys,
    /// The initiator's announced payload length.
    pub payload_len: u64,
}

/// Exponential backoff state for one message.
#[derive(Debug, Clone)]
pub(crate) struct Resend {
    pub(crate) attempt: u32,
    pub(crate) next: Duration,
}

impl Resend {
    pub(crate) fn start(cfg: &NegotiateConfig, now: Duration) -> Resend {
        Resend {
            attempt: 0,
            next: now + cfg.resend_initial,
        }
    }

    /// Advances after a timeout; `None` when the retry cap is reached.
    pub(crate) fn bump(&self, cfg: &NegotiateConfig, now: Duration) -> Option<Resend> {
        if self.attempt >= cfg.max_resends {
            return None;
        }
        let attempt = self.attempt + 1;
        let factor = 1u32.checked_shl(attempt.min(16)).unwrap_or(u32::MAX);
        let wait = cfg
            .resend_initial
            .saturating_mul(factor)
            .min(cfg.resend_max);
        Some(Resend {
            attempt,
            next: now + wait,
        })
    }
}
