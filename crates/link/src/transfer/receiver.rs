//! The receiving half of a datagram transfer: reassembly with a size limit, duplicate
//! suppression, ACKs.

use super::MIN_FRAGMENT;
use crate::error::LinkError;
use crate::wire::datagram::{emit, DatagramRepr, ACK_BITMAP_BITS};

/// What one DATA datagram produced.
#[derive(Debug, Default)]
pub struct ReceiverOutput {
    /// Datagrams to send back (an ACK).
    pub transmit: Vec<Vec<u8>>,
    /// The whole message, exactly once, when the last missing fragment arrives.
    pub complete: Option<Vec<u8>>,
    /// Whether this fragment was a duplicate.
    pub duplicate: bool,
}

/// Receives one message of a known length.
#[derive(Debug)]
pub struct Receiver {
    expected: u64,
    count: Option<u32>,
    slots: Vec<Option<Vec<u8>>>,
    held_bytes: u64,
    held: u32,
    cumulative: u32,
    complete: bool,
    final_reply: Option<Vec<u8>>,
}

impl Receiver {
    /// A receiver for a message of exactly `expected` bytes (known from the handshake).
    pub fn new(expected: u64) -> Receiver {
        Receiver {
            expected,
            count: None,
            slots: Vec::new(),
            held_bytes: 0,
            held: 0,
            cumulative: 0,
            complete: false,
            final_reply: None,
        }
    }

    /// The largest fragment count that could add up to the expected length with fragments of
    /// at least [`MIN_FRAGMENT`] bytes.
    fn max_count(&self) -> u64 {
        self.expected.div_ceil(MIN_FRAGMENT as u64).max(1)
    }

    fn ack(&self) -> Vec<u8> {
        let mut bitmap = 0u128;
        let count = self.count.unwrap_or(0);
        for i in 0..ACK_BITMAP_BITS {
            let s = u64::from(self.cumulative) + 1 + u64::from(i);
            if s >= u64::from(count) {
                break;
            }
            if self.slots.get(s as usize).is_some_and(|x| x.is_some()) {
                bitmap |= 1u128 << i;
            }
        }
        emit(&DatagramRepr::Ack {
            cumulative: self.cumulative,
            bitmap,
        })
    }

    /// Feeds a DATA fragment. Errors mean the peer sent fragments that cannot make up the
    /// announced message (the session should end).
    pub fn handle_data(
        &mut self,
        seq: u32,
        count: u32,
        bytes: &[u8],
    ) -> Result<ReceiverOutput, LinkError> {
        let mut out = ReceiverOutput::default();
        match self.count {
            None => {
                if u64::from(count) > self.max_count() {
                    return Err(LinkError::PeerMisbehaved(format!(
                        "{count} fragments cannot make up a {}-byte message",
                        self.expected
                    )));
                }
                self.count = Some(count);
                self.slots = vec![None; count as usize];
            }
            Some(c) if c != count => {
                return Err(LinkError::PeerMisbehaved(
                    "fragments disagree on the fragment count".into(),
                ))
            }
            Some(_) => {}
        }
        let Some(slot) = self.slots.get_mut(seq as usize) else {
            return Err(LinkError::PeerMisbehaved(
                "fragment index out of range".into(),
            ));
        };
        if slot.is_some() || self.complete {
            out.duplicate = true;
        } else {
            self.held_bytes += bytes.len() as u64;
            if self.held_bytes > self.expected {
                return Err(LinkError::PeerMisbehaved(format!(
                    "fragments exceed the announced {} bytes",
                    self.expected
                )));
            }
            *slot = Some(bytes.to_vec());
            self.held += 1;
            while (self.cumulative as usize) < self.slots.len()
                && self.slots[self.cumulative as usize].is_some()
            {
                self.cumulative += 1;
            }
            if self.held == count {
                if self.held_bytes != self.expected {
                    return Err(LinkError::PeerMisbehaved(format!(
                        "reassembled {} bytes, {} announced",
                        self.held_bytes, self.expected
                    )));
                }
                let mut msg = Vec::with_capacity(self.expected as usize);
                for s in self.slots.iter_mut() {
                    if let Some(b) = s.take() {
                        msg.extend_from_slice(&b);
                    }
                }
                self.complete = true;
                out.complete = Some(msg);
            }
        }
        if self.complete {
            if let Some(r) = &self.final_reply {
                out.transmit.push(r.clone());
                return Ok(out);
            }
            out.transmit.push(emit(&DatagramRepr::Ack {
                cumulative: count,
                bitmap: 0,
            }));
        } else {
            out.transmit.push(self.ack());
        }
        Ok(out)
    }

    /// Answers a PROBE: the final reply (storage receipt) if set, else an ACK.
    pub fn handle_probe(&self) -> Vec<u8> {
        match &self.final_reply {
            Some(r) => r.clone(),
            None if self.complete => emit(&DatagramRepr::Ack {
                cumulative: self.count.unwrap_or(0),
                bitmap: 0,
            }),
            None => self.ack(),
        }
    }

    /// Sets the reply for later PROBEs and duplicates (the storage receipt, as a datagram).
    pub fn set_final_reply(&mut self, datagram: Vec<u8>) {
        self.final_reply = Some(datagram);
    }

    /// Whether the message has been reassembled.
    pub fn is_complete(&self) -> bool {
        self.complete
    }
}
