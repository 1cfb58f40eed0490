//! UDP: the negotiation in CONTROL datagrams (resent with backoff), then the message
//! `payload || tag` through the [`crate::transfer`] machines, then PROBE → STORED.
//!
//! The listener multiplexes peers by source address in one thread. Only a well-formed OFFER
//! from an unknown address creates a session (bounded in number); anything else from an
//! unknown address is dropped without keeping state. Sessions end when delivered, refused, or
//! silent for the timeout; a delivered session lingers until idle to answer duplicates.

use super::{EventSink, LinkConfig, LinkEvent, ListenConfig, Receipt};
use crate::crypto::random_nonce;
use crate::error::{LinkError, RejectReason};
use crate::inbox::Inbox;
use crate::negotiate::{Established, Event, Initiator, Output, Responder};
use crate::stack::{PayloadKind, StackId};
use crate::transfer::{Receiver, Sender, SenderState};
use crate::wire::control::{ControlMsg, Nonce, TAG_LEN};
use crate::wire::datagram::{emit, parse, DatagramRepr, MAX_DATAGRAM};
use std::collections::HashMap;
use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn control(m: &[u8]) -> Vec<u8> {
    emit(&DatagramRepr::Control(m))
}

/// Reads with a timeout until `deadline` (at least 1 ms, at most `cap`).
fn set_wait(
    s: &UdpSocket,
    now: Duration,
    deadline: Duration,
    cap: Duration,
) -> std::io::Result<()> {
    let wait = deadline
        .saturating_sub(now)
        .clamp(Duration::from_millis(1), cap);
    s.set_read_timeout(Some(wait))
}

fn is_timeout(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    )
}

/// Sends one payload (see [`super::send`]).
pub fn send(
    addr: SocketAddr,
    cfg: &LinkConfig,
    offers: &[StackId],
    payload: &[u8],
    events: &dyn Fn(&LinkEvent),
) -> Result<Receipt, LinkError> {
    let start = Instant::now();
    let bind: SocketAddr = if addr.is_ipv4() {
        ([0, 0, 0, 0], 0).into()
    } else {
        (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
    };
    let s = UdpSocket::bind(bind)?;
    s.connect(addr)?;
    let nonce: Nonce = random_nonce()?;
    let (mut ini, out) = Initiator::new(
        cfg.negotiate.clone(),
        &cfg.secret,
        offers,
        payload.len() as u64,
        nonce,
        start.elapsed(),
    )?;
    let report = |out: Output| -> Result<(), LinkError> {
        for m in &out.transmit {
            let _ = s.send(&control(m));
        }
        for e in out.events {
            if let Event::Failed(f) = e {
                events(&LinkEvent::Negotiation {
                    peer: addr,
                    event: e,
                });
                return Err(f.into());
            }
            events(&LinkEvent::Negotiation {
                peer: addr,
                event: e,
            });
        }
        Ok(())
    };
    report(out)?;
    let mut sender: Option<(Sender, Established, [u8; TAG_LEN])> = None;
    let mut last_heard = start.elapsed();
    let mut buf = vec![0u8; MAX_DATAGRAM + 1];
    loop {
        let now = start.elapsed();
        if !ini.is_terminal() {
            report(ini.handle_timeout(now))?;
        }
        let mut next = last_heard + cfg.timeout;
        if let Some(t) = ini.poll_timeout() {
            next = next.min(t);
        }
        if let Some((tx, _, _)) = sender.as_mut() {
            for d in tx.poll_transmit(now) {
                let _ = s.send(&d);
            }
            if tx.state() == SenderState::Failed {
                return Err(LinkError::Timeout(
                    "fragments or the receipt were never acknowledged".into(),
                ));
            }
            if let Some(t) = tx.poll_timeout() {
                next = next.min(t);
            }
        }
        if now >= last_heard + cfg.timeout {
            return Err(LinkError::Timeout(format!(
                "nothing heard from {addr} for {:?}",
                cfg.timeout
            )));
        }
        set_wait(&s, now, next, cfg.timeout)?;
        let n = match s.recv(&mut buf) {
            Ok(n) => n,
            Err(e) if is_timeout(&e) => continue,
            // ICMP port unreachable on a connected socket; the listener may not be up yet.
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                std::thread::sleep(Duration::from_millis(10));
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let Ok(d) = parse(&buf[..n]) else { continue };
        let now = start.elapsed();
        last_heard = now;
        match d {
            DatagramRepr::Control(m) => {
                if let Ok(ControlMsg::Stored {
                    total,
                    tag: receipt,
                }) = ControlMsg::parse(m)
                {
                    if let Some((tx, est, tag)) = sender.as_mut() {
                        if total == payload.len() as u64
                            && est.keys.verify_stored(total, tag, &receipt)
                        {
                            tx.finish();
                            let r = Receipt {
                                bytes: total,
                                stack: est.stack,
                                stats: Some(tx.stats()),
                                elapsed: start.elapsed(),
                            };
                            events(&LinkEvent::Delivered {
                                peer: addr,
                                bytes: total,
                                stack: est.stack,
                                stats: r.stats,
                                elapsed: r.elapsed,
                            });
                            return Ok(r);
                        }
                    }
                    continue;
                }
                if let Ok(ControlMsg::Reject {
                    client_nonce,
                    reason,
                }) = ControlMsg::parse(m)
                {
                    if client_nonce == nonce && ini.established().is_some() {
                        return Err(LinkError::Refused(reason));
                    }
                }
                let Ok(out) = ini.handle(m, now) else {
                    continue;
                };
                report(out)?;
                if sender.is_none() {
                    if let Some(est) = ini.established() {
                        let tag = est.keys.payload_tag(payload);
                        let mut msg = Vec::with_capacity(payload.len() + TAG_LEN);
                        msg.extend_from_slice(payload);
                        msg.extend_from_slice(&tag);
                        let mut tx = Sender::new(cfg.transfer.clone(), msg)?;
                        for d in tx.poll_transmit(now) {
                            let _ = s.send(&d);
                        }
                        sender = Some((tx, est.clone(), tag));
                    }
                }
            }
            DatagramRepr::Ack { cumulative, bitmap } => {
                if let Some((tx, _, _)) = sender.as_mut() {
                    tx.handle_ack(cumulative, bitmap, now);
                }
            }
            DatagramRepr::Data { .. } | DatagramRepr::Probe { .. } => {}
        }
    }
}

struct Session {
    resp: Responder,
    nonce: Option<Nonce>,
    recv: Option<(Receiver, Established, PayloadKind)>,
    last_heard: Duration,
    stored: bool,
    failed: bool,
}

struct Ctx<'a> {
    s: &'a UdpSocket,
    cfg: &'a ListenConfig,
    inbox: &'a Inbox,
    events: &'a EventSink,
    ids: Vec<StackId>,
}

impl Ctx<'_> {
    fn send(&self, peer: SocketAddr, d: &[u8]) {
        let _ = self.s.send_to(d, peer);
    }

    fn report(&self, peer: SocketAddr, out: Output, sess: &mut Session) {
        for m in &out.transmit {
            self.send(peer, &control(m));
        }
        for e in out.events {
            if let Event::Failed(f) = &e {
                sess.failed = true;
                (self.events)(&LinkEvent::Dropped {
                    peer,
                    reason: LinkError::from(*f).to_string(),
                });
            }
            (self.events)(&LinkEvent::Negotiation { peer, event: e });
        }
    }

    fn reject(&self, peer: SocketAddr, sess: &mut Session, reason: RejectReason, why: String) {
        if let Some(n) = sess.nonce {
            let m = ControlMsg::Reject {
                client_nonce: n,
                reason,
            };
            self.send(peer, &control(&m.to_bytes()));
        }
        sess.failed = true;
        (self.events)(&LinkEvent::Dropped { peer, reason: why });
    }

    /// Verifies and stores a reassembled message; returns the receipt datagram.
    fn store(
        &self,
        peer: SocketAddr,
        msg: &[u8],
        est: &Established,
        kind: PayloadKind,
    ) -> Result<Vec<u8>, (RejectReason, String)> {
        let Some(split) = msg.len().checked_sub(TAG_LEN) else {
            return Err((
                RejectReason::Protocol,
                "message shorter than its tag".into(),
            ));
        };
        let (payload, tag) = msg.split_at(split);
        let mut t = [0u8; TAG_LEN];
        t.copy_from_slice(tag);
        let mut mac = est.keys.payload_mac();
        mac.update(payload);
        if payload.len() as u64 != est.payload_len || !mac.verify(&t) {
            return Err((
                RejectReason::Integrity,
                "the payload failed authentication; nothing stored".into(),
            ));
        }
        let path = (|| {
            let mut p = self.inbox.begin(peer, kind)?;
            p.write(payload)?;
            p.commit()
        })()
        .map_err(|e| (RejectReason::StorageFailed, e.to_string()))?;
        (self.events)(&LinkEvent::Stored {
            peer,
            path,
            bytes: payload.len() as u64,
        });
        let receipt = ControlMsg::Stored {
            total: payload.len() as u64,
            tag: est.keys.stored_tag(payload.len() as u64, &t),
        };
        Ok(control(&receipt.to_bytes()))
    }

    fn datagram(
        &self,
        peer: SocketAddr,
        d: DatagramRepr<'_>,
        sess: &mut Session,
        now: Duration,
    ) -> bool {
        let mut stored_now = false;
        match d {
            DatagramRepr::Control(m) => {
                if let Ok(ControlMsg::Offer { client_nonce, .. }) = ControlMsg::parse(m) {
                    sess.nonce.get_or_insert(client_nonce);
                }
                let was = sess.resp.established().is_some();
                match sess.resp.handle(m, now) {
                    Ok(out) => self.report(peer, out, sess),
                    Err(e) => (self.events)(&LinkEvent::Dropped {
                        peer,
                        reason: format!("malformed control message: {e}"),
                    }),
                }
                if !was {
                    if let Some(est) = sess.resp.established() {
                        let kind = self
                            .cfg
                            .accept
                            .iter()
                            .find(|(id, _)| *id == est.stack)
                            .map_or(PayloadKind::Opaque, |(_, k)| *k);
                        (self.events)(&LinkEvent::Established {
                            peer,
                            stack: est.stack,
                            payload: kind,
                            bytes: est.payload_len,
                        });
                        let recv = Receiver::new(est.payload_len + TAG_LEN as u64);
                        sess.recv = Some((recv, est.clone(), kind));
                    }
                }
            }
            DatagramRepr::Data { seq, count, bytes } => {
                if sess.failed {
                    return false;
                }
                let Some((recv, est, kind)) = sess.recv.as_mut() else {
                    return false;
                };
                match recv.handle_data(seq, count, bytes) {
                    Ok(out) => {
                        for d in &out.transmit {
                            self.send(peer, d);
                        }
                        if let Some(msg) = out.complete {
                            let (est, kind) = (est.clone(), *kind);
                            match self.store(peer, &msg, &est, kind) {
                                Ok(receipt) => {
                                    self.send(peer, &receipt);
                                    if let Some((r, _, _)) = sess.recv.as_mut() {
                                        r.set_final_reply(receipt);
                                    }
                                    sess.stored = true;
                                    stored_now = true;
                                }
                                Err((reason, why)) => self.reject(peer, sess, reason, why),
                            }
                        }
                    }
                    Err(e) => self.reject(peer, sess, RejectReason::Protocol, e.to_string()),
                }
            }
            DatagramRepr::Probe { .. } => {
                if let Some((recv, _, _)) = sess.recv.as_ref() {
                    if !sess.failed {
                        self.send(peer, &recv.handle_probe());
                    }
                }
            }
            DatagramRepr::Ack { .. } => {}
        }
        stored_now
    }
}

/// Serves UDP peers (see [`super::Listener::serve`]).
pub fn serve(
    s: UdpSocket,
    cfg: &ListenConfig,
    inbox: Arc<Inbox>,
    events: EventSink,
) -> Result<u64, LinkError> {
    let start = Instant::now();
    let ctx = Ctx {
        s: &s,
        cfg,
        inbox: &inbox,
        events: &events,
        ids: cfg.accept.iter().map(|(id, _)| *id).collect(),
    };
    let mut sessions: HashMap<SocketAddr, Session> = HashMap::new();
    let mut stored: u64 = 0;
    let mut buf = vec![0u8; MAX_DATAGRAM + 1];
    // After the last delivery wanted, linger while sessions are active (to answer probes).
    let linger = cfg.link.timeout.min(Duration::from_secs(3));
    loop {
        let now = start.elapsed();
        let enough = cfg.stop_after.is_some_and(|n| stored >= n);
        if cfg.stop.load(Ordering::SeqCst) {
            break;
        }
        // Sweep: responder deadlines, idle sessions.
        sessions.retain(|peer, sess| {
            let out = sess.resp.handle_timeout(now);
            if !out.events.is_empty() {
                ctx.report(*peer, out, sess);
            }
            let idle = now.saturating_sub(sess.last_heard);
            let limit = if sess.stored || sess.failed || enough {
                linger
            } else {
                cfg.link.timeout
            };
            if idle >= limit {
                if !sess.stored && !sess.failed {
                    events(&LinkEvent::Dropped {
                        peer: *peer,
                        reason: "session timed out".into(),
                    });
                }
                return false;
            }
            true
        });
        if enough && sessions.is_empty() {
            break;
        }
        let mut next = now + Duration::from_millis(100);
        for sess in sessions.values() {
            if let Some(t) = sess.resp.poll_timeout() {
                next = next.min(t);
            }
        }
        set_wait(&s, now, next, Duration::from_millis(100))?;
        let (n, peer) = match s.recv_from(&mut buf) {
            Ok(x) => x,
            Err(e) if is_timeout(&e) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => continue,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.into()),
        };
        let now = start.elapsed();
        let d = match parse(&buf[..n]) {
            Ok(d) => d,
            Err(e) => {
                events(&LinkEvent::Dropped {
                    peer,
                    reason: format!("malformed datagram: {e}"),
                });
                continue;
            }
        };
        // A new session only for a well-formed OFFER; a new OFFER replaces a finished session.
        if let DatagramRepr::Control(m) = d {
            if let Ok(ControlMsg::Offer { client_nonce, .. }) = ControlMsg::parse(m) {
                let fresh = sessions
                    .get(&peer)
                    .is_none_or(|x| (x.stored || x.failed) && x.nonce != Some(client_nonce));
                if fresh {
                    if enough {
                        continue;
                    }
                    if sessions.len() >= cfg.max_sessions && !sessions.contains_key(&peer) {
                        let m = ControlMsg::Reject {
                            client_nonce,
                            reason: RejectReason::Busy,
                        };
                        ctx.send(peer, &control(&m.to_bytes()));
                        events(&LinkEvent::Dropped {
                            peer,
                            reason: "too many sessions".into(),
                        });
                        continue;
                    }
                    let neg = &cfg.link.negotiate;
                    let resp = Responder::new(
                        neg,
                        &cfg.link.secret,
                        &ctx.ids,
                        cfg.link.max_payload,
                        random_nonce()?,
                        now,
                    );
                    sessions.insert(
                        peer,
                        Session {
                            resp,
                            nonce: None,
                            recv: None,
                            last_heard: now,
                            stored: false,
                            failed: false,
                        },
                    );
                }
            }
        }
        let Some(sess) = sessions.get_mut(&peer) else {
            events(&LinkEvent::Dropped {
                peer,
                reason: "datagram from an unknown peer".into(),
            });
            continue;
        };
        sess.last_heard = now;
        if ctx.datagram(peer, d, sess, now) {
            stored += 1;
        }
    }
    Ok(stored)
}
