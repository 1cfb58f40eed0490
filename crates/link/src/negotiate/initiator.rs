//! The initiator (the sending node): OFFER → AwaitAccept → FINISHED → AwaitConfirm →
//! Established, or Failed. Each state is its own type; a transition consumes it.

use super::{Established, Event, Failure, NegotiateConfig, Output, Resend};
use crate::crypto::{transcript, Key32, Secret, SessionKeys};
use crate::error::{LinkError, Malformed, RejectReason};
use crate::wire::control::{ControlMsg, Nonce, MAX_OFFERED, VERSION};
use crate::StackId;
use std::time::Duration;

/// Waiting for ACCEPT or REJECT; resending OFFER.
#[derive(Debug, Clone)]
pub struct AwaitAccept {
    offer: Vec<u8>,
    nonce: Nonce,
    ids: Vec<StackId>,
    payload_len: u64,
    resend: Resend,
}

/// Waiting for CONFIRM; resending FINISHED.
#[derive(Debug, Clone)]
pub struct AwaitConfirm {
    nonce: Nonce,
    server_nonce: Nonce,
    accept: Vec<u8>,
    finished: Vec<u8>,
    transcript: Vec<u8>,
    established: Established,
    resend: Resend,
}

/// The initiator's states.
#[derive(Debug, Clone)]
pub enum InitiatorState {
    /// OFFER sent.
    AwaitAccept(AwaitAccept),
    /// FINISHED sent.
    AwaitConfirm(AwaitConfirm),
    /// Agreed.
    Established(Established),
    /// Failed (terminal).
    Failed(Failure),
}

fn reject(nonce: &Nonce, reason: RejectReason, out: &mut Output) {
    out.transmit.push(
        ControlMsg::Reject {
            client_nonce: *nonce,
            reason,
        }
        .to_bytes(),
    );
    out.events.push(Event::Sent("REJECT"));
}

fn fail(f: Failure, out: &mut Output) -> InitiatorState {
    out.events.push(Event::Failed(f));
    InitiatorState::Failed(f)
}

impl AwaitAccept {
    fn on_msg(
        self,
        key: &Key32,
        msg: ControlMsg,
        now: Duration,
        cfg: &NegotiateConfig,
        out: &mut Output,
    ) -> InitiatorState {
        match msg {
            ControlMsg::Accept {
                client_nonce,
                server_nonce,
                id,
                mac,
            } if client_nonce == self.nonce => {
                let t = transcript(&self.offer, id, &server_nonce);
                if !key.verify(&[b"accept", &t], &mac) {
                    reject(&self.nonce, RejectReason::AuthFailed, out);
                    return fail(Failure::AuthFailed, out);
                }
                if !self.ids.contains(&id) {
                    reject(&self.nonce, RejectReason::Protocol, out);
                    return fail(
                        Failure::Protocol("the peer chose a stack that was not offered"),
                        out,
                    );
                }
                let accept = ControlMsg::Accept {
                    client_nonce,
                    server_nonce,
                    id,
                    mac,
                }
                .to_bytes();
                let finished = ControlMsg::Finished {
                    client_nonce,
                    server_nonce,
                    mac: key.mac(&[b"finished", &t]),
                }
                .to_bytes();
                out.transmit.push(finished.clone());
                out.events.push(Event::Sent("FINISHED"));
                let established = Established {
                    stack: id,
                    keys: SessionKeys::derive(key, &self.nonce, &server_nonce, id),
                    payload_len: self.payload_len,
                };
                InitiatorState::AwaitConfirm(AwaitConfirm {
                    nonce: self.nonce,
                    server_nonce,
                    accept,
                    finished,
                    transcript: t,
                    established,
                    resend: Resend::start(cfg, now),
                })
            }
            ControlMsg::Reject {
                client_nonce,
                reason,
            } if client_nonce == self.nonce => fail(Failure::Rejected(reason), out),
            other => {
                out.events.push(Event::Ignored(other.name()));
                InitiatorState::AwaitAccept(self)
            }
        }
    }

    fn on_timeout(self, now: Duration, cfg: &NegotiateConfig, out: &mut Output) -> InitiatorState {
        if now < self.resend.next {
            return InitiatorState::AwaitAccept(self);
        }
        match self.resend.bump(cfg, now) {
            Some(r) => {
                out.transmit.push(self.offer.clone());
                out.events.push(Event::Resent {
                    msg: "OFFER",
                    attempt: r.attempt,
                });
                InitiatorState::AwaitAccept(AwaitAccept { resend: r, ..self })
            }
            None => fail(Failure::Timeout, out),
        }
    }
}

impl AwaitConfirm {
    fn on_msg(self, key: &Key32, msg: ControlMsg, out: &mut Output) -> InitiatorState {
        match msg {
            ControlMsg::Confirm {
                client_nonce,
                server_nonce,
                mac,
            } if client_nonce == self.nonce && server_nonce == self.server_nonce => {
                if key.verify(&[b"confirm", &self.transcript], &mac) {
                    out.events.push(Event::Established(self.established.stack));
                    InitiatorState::Established(self.established)
                } else {
                    fail(Failure::AuthFailed, out)
                }
            }
            ControlMsg::Reject {
                client_nonce,
                reason,
            } if client_nonce == self.nonce => fail(Failure::Rejected(reason), out),
            ref m @ ControlMsg::Accept { .. } if m.to_bytes() == self.accept => {
                // Our FINISHED or its answer was lost and the responder repeated ACCEPT.
                out.transmit.push(self.finished.clone());
                out.events.push(Event::DuplicateAnswered("ACCEPT"));
                InitiatorState::AwaitConfirm(self)
            }
            other => {
                out.events.push(Event::Ignored(other.name()));
                InitiatorState::AwaitConfirm(self)
            }
        }
    }

    fn on_timeout(self, now: Duration, cfg: &NegotiateConfig, out: &mut Output) -> InitiatorState {
        if now < self.resend.next {
            return InitiatorState::AwaitConfirm(self);
        }
        match self.resend.bump(cfg, now) {
            Some(r) => {
                out.transmit.push(self.finished.clone());
                out.events.push(Event::Resent {
                    msg: "FINISHED",
                    attempt: r.attempt,
                });
                InitiatorState::AwaitConfirm(AwaitConfirm { resend: r, ..self })
            }
            None => fail(Failure::Timeout, out),
        }
    }
}

/// The initiator: owns the current state and drives transitions.
#[derive(Debug)]
pub struct Initiator {
    state: InitiatorState,
    key: Key32,
    cfg: NegotiateConfig,
}

impl Initiator {
    /// Starts a negotiation offering `ids` (most preferred first, 1..=16, no repeats) for a
    /// payload of `payload_len` bytes. Returns the initiator and the OFFER to send.
    pub fn new(
        cfg: NegotiateConfig,
        secret: &Secret,
        ids: &[StackId],
        payload_len: u64,
        nonce: Nonce,
        now: Duration,
    ) -> Result<(Initiator, Output), LinkError> {
        if ids.is_empty() || ids.len() > MAX_OFFERED {
            return Err(LinkError::Config(format!(
                "offer 1 to {MAX_OFFERED} stacks, not {}",
                ids.len()
            )));
        }
        for (i, id) in ids.iter().enumerate() {
            if ids[..i].contains(id) {
                return Err(LinkError::Config(format!("stack {id} offered twice")));
            }
        }
        let offer = ControlMsg::Offer {
            version: VERSION,
            client_nonce: nonce,
            payload_len,
            ids: ids.to_vec(),
        }
        .to_bytes();
        let out = Output {
            transmit: vec![offer.clone()],
            events: vec![Event::Sent("OFFER")],
        };
        let state = InitiatorState::AwaitAccept(AwaitAccept {
            offer,
            nonce,
            ids: ids.to_vec(),
            payload_len,
            resend: Resend::start(&cfg, now),
        });
        Ok((
            Initiator {
                state,
                key: secret.handshake_key(),
                cfg,
            },
            out,
        ))
    }

    /// Feeds one received control message. Malformed bytes are refused before anything is
    /// decided and leave the state unchanged.
    pub fn handle(&mut self, bytes: &[u8], now: Duration) -> Result<Output, Malformed> {
        let msg = ControlMsg::parse(bytes)?;
        let mut out = Output::default();
        let st = std::mem::replace(&mut self.state, InitiatorState::Failed(Failure::Timeout));
        self.state = match st {
            InitiatorState::AwaitAccept(s) => s.on_msg(&self.key, msg, now, &self.cfg, &mut out),
            InitiatorState::AwaitConfirm(s) => s.on_msg(&self.key, msg, &mut out),
            InitiatorState::Established(e) => {
                out.events
                    .push(if matches!(msg, ControlMsg::Confirm { .. }) {
                        Event::Ignored("CONFIRM (duplicate)")
                    } else {
                        Event::Ignored(msg.name())
                    });
                InitiatorState::Established(e)
            }
            f @ InitiatorState::Failed(_) => {
                out.events.push(Event::Ignored(msg.name()));
                f
            }
        };
        Ok(out)
    }

    /// Lets time pass: resends when a timer is due, fails at the retry cap.
    pub fn handle_timeout(&mut self, now: Duration) -> Output {
        let mut out = Output::default();
        let st = std::mem::replace(&mut self.state, InitiatorState::Failed(Failure::Timeout));
        self.state = match st {
            InitiatorState::AwaitAccept(s) => s.on_timeout(now, &self.cfg, &mut out),
            InitiatorState::AwaitConfirm(s) => s.on_timeout(now, &self.cfg, &mut out),
            other => other,
        };
        out
    }

    /// When [`Initiator::handle_timeout`] should next be called, if ever.
    pub fn poll_timeout(&self) -> Option<Duration> {
        match &self.state {
            InitiatorState::AwaitAccept(s) => Some(s.resend.next),
            InitiatorState::AwaitConfirm(s) => Some(s.resend.next),
            _ => None,
        }
    }

    /// The current state.
    pub fn state(&self) -> &InitiatorState {
        &self.state
    }

    /// The agreed session, once established.
    pub fn established(&self) -> Option<&Established> {
        match &self.state {
            InitiatorState::Established(e) => Some(e),
            _ => None,
        }
    }

    /// The failure, once failed.
    pub fn failure(&self) -> Option<Failure> {
        match &self.state {
            InitiatorState::Failed(f) => Some(*f),
            _ => None,
        }
    }

    /// Established or failed.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self.state,
            InitiatorState::Established(_) | InitiatorState::Failed(_)
        )
    }
}
