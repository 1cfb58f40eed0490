#![deny(unsafe_code)]
#![warn(missing_docs)]
//! `nightjar-link`: node to node (DESIGN §6). The wire codec, the protocol-stack negotiation as
//! sans-IO state machines, reliable delivery over datagrams, and blocking TCP and UDP
//! transports that drive them. It carries opaque payloads: it knows nothing of images or
//! envelopes.
//!
//! # Layers
//!
//! * [`wire`]: checked zero-copy views. Stream frames `[kind u8][len u32 BE][payload]` (kind
//!   `0x00` data, `0x01` control); datagrams `[kind u8][seq u32 BE][body]` (DATA, CONTROL, ACK,
//!   PROBE); control messages (OFFER, ACCEPT, REJECT, FINISHED, CONFIRM, END, STORED). Each
//!   module documents its byte layout. Unknown kinds, lengths above the limit and trailing
//!   bytes are errors.
//! * [`stack`]: stacks (ordered layer names) and their 8-byte identifiers.
//! * [`negotiate`]: OFFER / ACCEPT / REJECT with resends, idempotent answers and transcript
//!   MACs (FINISHED, CONFIRM) keyed from the shared secret ([`crypto`]).
//! * [`transfer`]: one message over datagrams: fragments, ACK + 128-bit SACK bitmap,
//!   retransmission with backoff, duplicate suppression, bounded reassembly.
//! * [`transport`]: TCP and UDP, std sockets and threads, a timeout on every read; and
//!   [`inbox`]: durable storage (temporary file, fsync, rename, fsync of the directory).
//!
//! # A session
//!
//! ```text
//! TCP: control OFFER -> ACCEPT, FINISHED -> CONFIRM, data frames (payload chunks), control END(len, tag)
//!      -> the receiver verifies the tag, stores durably, then sends control STORED(len, receipt)
//! UDP: the same control messages in CONTROL datagrams (resent on loss), then the message
//!      payload || tag as DATA fragments (ACK/retransmit), PROBE -> STORED in a CONTROL datagram
//! ```
//!
//! # What is authenticated
//!
//! The choice of stack and both nonces (ACCEPT, FINISHED and CONFIRM MACs over the transcript),
//! the payload and its length (HMAC-SHA256 with a per-session key) and the storage receipt
//! (STORED). A receiver writes nothing to its inbox before FINISHED verifies and renames
//! nothing into it before the payload tag verifies. Not authenticated: REJECT (an on-path
//! attacker can always make a delivery fail, as it could by dropping packets), ACK and PROBE
//! (they only steer retransmission), and the payload is not encrypted here (the stego image
//! carries a sealed envelope; confidentiality comes from `seal`).

pub mod crypto;
pub mod error;
pub mod inbox;
pub mod negotiate;
pub mod stack;
pub mod transfer;
pub mod transport;
pub mod wire;

pub use crypto::{Secret, SessionKeys};
pub use error::{LinkError, Malformed, RejectReason};
pub use stack::{PayloadKind, Stack, StackId, TransportKind};
