//! The responder (the listening node): AwaitOffer → ACCEPT → AwaitFinished → CONFIRM →
//! Established, or Failed (after sending REJECT). Duplicates get the same answer again.

use super::{Established, Event, Failure, NegotiateConfig, Output};
use crate::crypto::{transcript, Key32, Secret, SessionKeys};
use crate::error::{Malformed, RejectReason};
use crate::wire::control::{ControlMsg, Nonce, VERSION};
use crate::StackId;
use std::time::Duration;

/// Waiting for an OFFER.
#[derive(Debug, Clone)]
pub struct AwaitOffer {
    server_nonce: Nonce,
}

/// ACCEPT sent; waiting for FINISHED.
#[derive(Debug, Clone)]
pub struct AwaitFinished {
    offer: Vec<u8>,
    accept: Vec<u8>,
    client_nonce: Nonce,
    server_nonce: Nonce,
    transcript: Vec<u8>,
    established: Established,
}

/// Agreed; still answers duplicates of OFFER and FINISHED.
#[derive(Debug, Clone)]
pub struct ResponderEstablished {
    offer: Vec<u8>,
    accept: Vec<u8>,
    finished: Vec<u8>,
    confirm: Vec<u8>,
    /// The session.
    pub established: Established,
}

/// Refused; answers a duplicate OFFER with the same REJECT.
#[derive(Debug, Clone)]
pub struct ResponderFailed {
    failure: Failure,
    offer: Option<Vec<u8>>,
    reject: Option<Vec<u8>>,
}

/// The responder's states.
#[derive(Debug, Clone)]
pub enum ResponderState {
    /// Nothing received yet.
    AwaitOffer(AwaitOffer),
    /// ACCEPT sent.
    AwaitFinished(AwaitFinished),
    /// Agreed.
    Established(ResponderEstablished),
    /// Failed (terminal).
    Failed(ResponderFailed),
}

fn refuse(
    client_nonce: Nonce,
    offer: Option<Vec<u8>>,
    reason: RejectReason,
    failure: Failure,
    out: &mut Output,
) -> ResponderState {
    let reject = ControlMsg::Reject {
        client_nonce,
        reason,
    }
    .to_bytes();
    out.transmit.push(reject.clone());
    out.events.push(Event::Sent("REJECT"));
    out.events.push(Event::Failed(failure));
    ResponderState::Failed(ResponderFailed {
        failure,
        offer,
        reject: Some(reject),
    })
}

impl AwaitOffer {
    fn on_msg(
        self,
        r: &ResponderCtx,
        msg: ControlMsg,
        raw: &[u8],
        out: &mut Output,
    ) -> ResponderState {
        let ControlMsg::Offer {
            version,
            client_nonce,
            payload_len,
            ids,
        } = msg
        else {
            out.events.push(Event::Ignored(msg.name()));
            return ResponderState::AwaitOffer(self);
        };
        let offer = Some(raw.to_vec());
        if version != VERSION {
            return refuse(
                client_nonce,
                offer,
                RejectReason::Version,
                Failure::Refused(RejectReason::Version),
                out,
            );
        }
        if payload_len > r.max_payload {
            return refuse(
                client_nonce,
                offer,
                RejectReason::TooLarge,
                Failure::Refused(RejectReason::TooLarge),
                out,
            );
        }
        let Some(id) = ids.iter().copied().find(|id| r.supported.contains(id)) else {
            return refuse(
                client_nonce,
                offer,
                RejectReason::NoCommonStack,
                Failure::Refused(RejectReason::NoCommonStack),
                out,
            );
        };
        let t = transcript(raw, id, &self.server_nonce);
        let accept = ControlMsg::Accept {
            client_nonce,
            server_nonce: self.server_nonce,
            id,
            mac: r.key.mac(&[b"accept", &t]),
        }
        .to_bytes();
        out.transmit.push(accept.clone());
        out.events.push(Event::Sent("ACCEPT"));
        let established = Established {
            stack: id,
            keys: SessionKeys::derive(&r.key, &client_nonce, &self.server_nonce, id),
            payload_len,
        };
        ResponderState::AwaitFinished(AwaitFinished {
            offer: raw.to_vec(),
            accept,
            client_nonce,
            server_nonce: self.server_nonce,
            transcript: t,
            established,
        })
    }
}

impl AwaitFinished {
    fn on_msg(
        self,
        r: &ResponderCtx,
        msg: ControlMsg,
        raw: &[u8],
        out: &mut Output,
    ) -> ResponderState {
        match msg {
            ControlMsg::Offer { .. } if raw == self.offer.as_slice() => {
                out.transmit.push(self.accept.clone());
                out.events.push(Event::DuplicateAnswered("OFFER"));
                ResponderState::AwaitFinished(self)
            }
            ControlMsg::Finished {
                client_nonce,
                server_nonce,
                mac,
            } if client_nonce == self.client_nonce && server_nonce == self.server_nonce => {
                if !r.key.verify(&[b"finished", &self.transcript], &mac) {
                    return refuse(
                        self.client_nonce,
                        Some(self.offer),
                        RejectReason::AuthFailed,
                        Failure::AuthFailed,
                        out,
                    );
                }
                let confirm = ControlMsg::Confirm {
                    client_nonce,
                    server_nonce,
                    mac: r.key.mac(&[b"confirm", &self.transcript]),
                }
                .to_bytes();
                out.transmit.push(confirm.clone());
                out.events.push(Event::Sent("CONFIRM"));
                out.events.push(Event::Established(self.established.stack));
                ResponderState::Established(ResponderEstablished {
                    offer: self.offer,
                    accept: self.accept,
                    finished: raw.to_vec(),
                    confirm,
                    established: self.established,
                })
            }
            ControlMsg::Reject {
                client_nonce,
                reason,
            } if client_nonce == self.client_nonce => {
                let f = Failure::Rejected(reason);
                out.events.push(Event::Failed(f));
                ResponderState::Failed(ResponderFailed {
                    failure: f,
                    offer: None,
                    reject: None,
                })
            }
            other => {
                out.events.push(Event::Ignored(other.name()));
                ResponderState::AwaitFinished(self)
            }
        }
    }
}

impl ResponderEstablished {
    fn on_msg(self, msg: ControlMsg, raw: &[u8], out: &mut Output) -> ResponderState {
        if matches!(msg, ControlMsg::Offer { .. }) && raw == self.offer.as_slice() {
            out.transmit.push(self.accept.clone());
            out.events.push(Event::DuplicateAnswered("OFFER"));
        } else if matches!(msg, ControlMsg::Finished { .. }) && raw == self.finished.as_slice() {
            out.transmit.push(self.confirm.clone());
            out.events.push(Event::DuplicateAnswered("FINISHED"));
        } else {
            out.events.push(Event::Ignored(msg.name()));
        }
        ResponderState::Established(self)
    }
}

impl ResponderFailed {
    fn on_msg(self, msg: ControlMsg, raw: &[u8], out: &mut Output) -> ResponderState {
        match (&self.offer, &self.reject) {
            (Some(o), Some(rej))
                if matches!(msg, ControlMsg::Offer { .. }) && raw == o.as_slice() =>
            {
                out.transmit.push(rej.clone());
                out.events.push(Event::DuplicateAnswered("OFFER"));
            }
            (_, Some(rej)) if matches!(msg, ControlMsg::Finished { .. }) => {
                // FINISHED after a refusal (e.g. auth failure): repeat the refusal.
                out.transmit.push(rej.clone());
                out.events.push(Event::DuplicateAnswered("FINISHED"));
            }
            _ => out.events.push(Event::Ignored(msg.name())),
        }
        ResponderState::Failed(self)
    }
}

#[derive(Debug)]
struct ResponderCtx {
    key: Key32,
    supported: Vec<StackId>,
    max_payload: u64,
}

/// The responder: owns the current state and drives transitions.
#[derive(Debug)]
pub struct Responder {
    state: ResponderState,
    ctx: ResponderCtx,
    deadline: Duration,
}

impl Responder {
    /// A responder that accepts the `supported` stacks and payloads up to `max_payload` bytes,
    /// created at time `now` (the handshake must complete by `now + responder_deadline`).
    pub fn new(
        cfg: &NegotiateConfig,
        secret: &Secret,
        supported: &[StackId],
        max_payload: u64,
        server_nonce: Nonce,
        now: Duration,
    ) -> Responder {
        Responder {
            state: ResponderState::AwaitOffer(AwaitOffer { server_nonce }),
            ctx: ResponderCtx {
                key: secret.handshake_key(),
                supported: supported.to_vec(),
                max_payload,
            },
            deadline: now + cfg.responder_deadline,
        }
    }

    /// Feeds one received control message. Malformed bytes are refused before anything is
    /// decided and leave the state unchanged.
    pub fn handle(&mut self, bytes: &[u8], _now: Duration) -> Result<Output, Malformed> {
        let msg = ControlMsg::parse(bytes)?;
        let mut out = Output::default();
        let placeholder = ResponderState::Failed(ResponderFailed {
            failure: Failure::Timeout,
            offer: None,
            reject: None,
        });
        let st = std::mem::replace(&mut self.state, placeholder);
        self.state = match st {
            ResponderState::AwaitOffer(s) => s.on_msg(&self.ctx, msg, bytes, &mut out),
            ResponderState::AwaitFinished(s) => s.on_msg(&self.ctx, msg, bytes, &mut out),
            ResponderState::Established(s) => s.on_msg(msg, bytes, &mut out),
            ResponderState::Failed(s) => s.on_msg(msg, bytes, &mut out),
        };
        Ok(out)
    }

    /// Lets time pass: past the deadline an unfinished handshake fails.
    pub fn handle_timeout(&mut self, now: Duration) -> Output {
        let mut out = Output::default();
        if now >= self.deadline
            && matches!(
                self.state,
                ResponderState::AwaitOffer(_) | ResponderState::AwaitFinished(_)
            )
        {
            out.events.push(Event::Failed(Failure::Timeout));
            self.state = ResponderState::Failed(ResponderFailed {
                failure: Failure::Timeout,
                offer: None,
                reject: None,
            });
        }
        out
    }

    /// When [`Responder::handle_timeout`] should next be called, if ever.
    pub fn poll_timeout(&self) -> Option<Duration> {
        match self.state {
            ResponderState::AwaitOffer(_) | ResponderState::AwaitFinished(_) => Some(self.deadline),
            _ => None,
        }
    }

    /// The current state.
    pub fn state(&self) -> &ResponderState {
        &self.state
    }

    /// The agreed session, once established.
    pub fn established(&self) -> Option<&Established> {
        match &self.state {
            ResponderState::Established(e) => Some(&e.established),
            _ => None,
        }
    }

    /// The failure, once failed.
    pub fn failure(&self) -> Option<Failure> {
        match &self.state {
            ResponderState::Failed(f) => Some(f.failure),
            _ => None,
        }
    }

    /// Whether an OFFER has been seen (a session worth keeping).
    pub fn has_offer(&self) -> bool {
        !matches!(self.state, ResponderState::AwaitOffer(_))
    }

    /// Established or failed.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self.state,
            ResponderState::Established(_) | ResponderState::Failed(_)
        )
    }
}
