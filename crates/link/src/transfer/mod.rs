//! Reliable delivery of one message over datagrams, sans-IO (the lossy-link case).
//!
//! The sender cuts the message into fragments of at most `mtu - 9` bytes (DATA datagrams carry
//! the fragment index in `seq` and the fragment count), keeps at most `window` fragments beyond
//! the lowest unacknowledged one in flight, and retransmits a fragment when its timer expires
//! (RTO from smoothed RTT as in RFC 6298, doubled on every retransmission up to `rto_max`, at most
//! `max_retries` times) or when a fragment sent after it has been acknowledged (RACK-style
//! fast retransmit). The receiver answers every DATA with an ACK: a cumulative count plus a
//! 128-bit bitmap of the fragments after it. Duplicates are acknowledged and dropped.
//! Reassembly is bounded: the receiver knows the exact message length from the (authenticated)
//! handshake and refuses fragment counts or byte totals that could not add up to it.
//!
//! When every fragment is acknowledged, the sender PROBEs (with backoff and a cap) until the
//! session layer has seen the receiver's storage receipt; the receiver answers a PROBE with the
//! receipt once it has one (see [`Receiver::set_final_reply`]), else with an ACK.

mod receiver;
mod sender;

pub use receiver::{Receiver, ReceiverOutput};
pub use sender::{Sender, SenderState, SenderStats};

use crate::error::LinkError;
use crate::wire::datagram::{ACK_BITMAP_BITS, DATA_HEADER_LEN, MAX_DATAGRAM};
use std::time::Duration;

/// The smallest fragment a sender may use (and the granularity the receiver budgets for).
pub const MIN_FRAGMENT: usize = 256;

/// Settings of the datagram transfer.
#[derive(Clone, Debug)]
pub struct TransferConfig {
    /// Largest datagram sent (DATA header included).
    pub mtu: usize,
    /// Fragments in flight beyond the lowest unacknowledged one (1..=128).
    pub window: u32,
    /// Retransmission timeout before any RTT is measured.
    pub rto_initial: Duration,
    /// Lower bound of the RTO.
    pub rto_min: Duration,
    /// Upper bound of the RTO (and of the backoff).
    pub rto_max: Duration,
    /// Retransmissions of one fragment (or probes) before giving up.
    pub max_retries: u32,
}

impl Default for TransferConfig {
    fn default() -> Self {
        TransferConfig {
            mtu: 1200,
            window: 128,
            rto_initial: Duration::from_millis(200),
            rto_min: Duration::from_millis(30),
            rto_max: Duration::from_secs(1),
            max_retries: 24,
        }
    }
}

impl TransferConfig {
    /// Checks the settings.
    pub fn validate(&self) -> Result<(), LinkError> {
        if self.mtu < DATA_HEADER_LEN + MIN_FRAGMENT || self.mtu > MAX_DATAGRAM {
            return Err(LinkError::Config(format!(
                "mtu must be between {} and {MAX_DATAGRAM} bytes",
                DATA_HEADER_LEN + MIN_FRAGMENT
            )));
        }
        if self.window == 0 || self.window > ACK_BITMAP_BITS {
            return Err(LinkError::Config(format!(
                "window must be between 1 and {ACK_BITMAP_BITS} fragments"
            )));
        }
        if self.rto_min.is_zero() || self.rto_min > self.rto_max {
            return Err(LinkError::Config(
                "rto_min must be positive and at most rto_max".into(),
            ));
        }
        Ok(())
    }
}
