//! TCP: stream frames over one connection per delivery.
//!
//! Sender: OFFER → (ACCEPT) → FINISHED → (CONFIRM) → data frames → END(len, tag) →
//! (STORED(len, receipt)). Receiver: the same, refusing with REJECT and closing on any
//! malformed or unexpected frame. TCP is reliable, so the negotiation sends each message once
//! and a read timeout ends a silent session.

use super::{read_error, EventSink, LinkConfig, LinkEvent, ListenConfig, Receipt};
use crate::crypto::random_nonce;
use crate::error::{LinkError, RejectReason};
use crate::inbox::Inbox;
use crate::negotiate::{Event, Initiator, NegotiateConfig, Output, Responder};
use crate::stack::{PayloadKind, StackId};
use crate::wire::control::{ControlMsg, Nonce, MAX_CONTROL_LEN};
use crate::wire::frame::{FrameHeader, FrameKind, FRAME_HEADER_LEN};
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Reads one frame into `buf`: the header is checked (kind, length at most `max`) before the
/// payload is read.
fn read_frame(s: &mut TcpStream, max: u32, buf: &mut Vec<u8>) -> Result<FrameKind, LinkError> {
    let mut head = [0u8; FRAME_HEADER_LEN];
    s.read_exact(&mut head)
        .map_err(|e| read_error(e, "frame"))?;
    let h = FrameHeader::parse(&head, max)?;
    if h.kind == FrameKind::Control && h.len as usize > MAX_CONTROL_LEN {
        return Err(crate::error::Malformed::TooLong {
            what: "control frame",
            len: u64::from(h.len),
            max: MAX_CONTROL_LEN as u64,
        }
        .into());
    }
    buf.clear();
    buf.resize(h.len as usize, 0);
    s.read_exact(buf)
        .map_err(|e| read_error(e, "frame payload"))?;
    Ok(h.kind)
}

fn write_frame(s: &mut TcpStream, kind: FrameKind, payload: &[u8]) -> Result<(), LinkError> {
    let len = u32::try_from(payload.len())
        .map_err(|_| LinkError::Config("frame payload above 4 GiB".into()))?;
    let mut v = Vec::with_capacity(FRAME_HEADER_LEN + payload.len().min(MAX_CONTROL_LEN));
    v.extend_from_slice(&FrameHeader { kind, len }.to_bytes());
    if payload.len() <= MAX_CONTROL_LEN {
        v.extend_from_slice(payload);
        s.write_all(&v)?;
    } else {
        s.write_all(&v)?;
        s.write_all(payload)?;
    }
    Ok(())
}

/// Sends a negotiation step's messages and reports its events; fails on a failure event or
/// (TCP being reliable and ordered) on any ignored, out-of-place message.
fn flush(
    s: &mut TcpStream,
    out: Output,
    peer: SocketAddr,
    events: &dyn Fn(&LinkEvent),
) -> Result<(), LinkError> {
    for m in &out.transmit {
        write_frame(s, FrameKind::Control, m)?;
    }
    for e in out.events {
        events(&LinkEvent::Negotiation {
            peer,
            event: e.clone(),
        });
        match e {
            Event::Failed(f) => return Err(f.into()),
            Event::Ignored(m) => return Err(LinkError::PeerMisbehaved(format!("unexpected {m}"))),
            _ => {}
        }
    }
    Ok(())
}

fn max_frame(cfg: &LinkConfig) -> u32 {
    cfg.chunk.max(MAX_CONTROL_LEN as u32)
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
    let mut s = TcpStream::connect_timeout(&addr, cfg.timeout)?;
    s.set_read_timeout(Some(cfg.timeout))?;
    s.set_write_timeout(Some(cfg.timeout))?;
    s.set_nodelay(true)?;
    let neg = NegotiateConfig {
        resend_initial: cfg.timeout,
        resend_max: cfg.timeout,
        max_resends: 0,
        responder_deadline: cfg.timeout,
    };
    let nonce = random_nonce()?;
    let (mut ini, out) = Initiator::new(
        neg,
        &cfg.secret,
        offers,
        payload.len() as u64,
        nonce,
        start.elapsed(),
    )?;
    flush(&mut s, out, addr, events)?;
    let mut buf = Vec::new();
    let est = loop {
        if read_frame(&mut s, max_frame(cfg), &mut buf)? != FrameKind::Control {
            return Err(LinkError::PeerMisbehaved(
                "data frame during the handshake".into(),
            ));
        }
        let out = ini.handle(&buf, start.elapsed())?;
        flush(&mut s, out, addr, events)?;
        if let Some(e) = ini.established() {
            break e.clone();
        }
    };
    let mut mac = est.keys.payload_mac();
    for chunk in payload.chunks(cfg.chunk as usize) {
        mac.update(chunk);
        write_frame(&mut s, FrameKind::Data, chunk)?;
    }
    let tag = mac.finish();
    let end = ControlMsg::End {
        total: payload.len() as u64,
        tag,
    };
    write_frame(&mut s, FrameKind::Control, &end.to_bytes())?;
    s.flush()?;
    // The receiver fsyncs before answering; allow for a large payload.
    let wait = cfg.timeout + Duration::from_millis(payload.len() as u64 / (8 << 10));
    s.set_read_timeout(Some(wait))?;
    if read_frame(&mut s, max_frame(cfg), &mut buf)? != FrameKind::Control {
        return Err(LinkError::PeerMisbehaved(
            "data frame instead of a receipt".into(),
        ));
    }
    match ControlMsg::parse(&buf)? {
        ControlMsg::Stored {
            total,
            tag: receipt,
        } if total == payload.len() as u64 && est.keys.verify_stored(total, &tag, &receipt) => {
            let r = Receipt {
                bytes: total,
                stack: est.stack,
                stats: None,
                elapsed: start.elapsed(),
            };
            events(&LinkEvent::Delivered {
                peer: addr,
                bytes: r.bytes,
                stack: r.stack,
                stats: None,
                elapsed: r.elapsed,
            });
            let _ = s.shutdown(Shutdown::Both);
            Ok(r)
        }
        ControlMsg::Stored { .. } => Err(LinkError::PeerMisbehaved(
            "the storage receipt does not verify".into(),
        )),
        ControlMsg::Reject {
            client_nonce,
            reason,
        } if client_nonce == nonce => Err(LinkError::Refused(reason)),
        other => Err(LinkError::PeerMisbehaved(format!(
            "{} instead of a receipt",
            other.name()
        ))),
    }
}

fn reject(s: &mut TcpStream, nonce: &Nonce, reason: RejectReason) {
    let m = ControlMsg::Reject {
        client_nonce: *nonce,
        reason,
    };
    let _ = write_frame(s, FrameKind::Control, &m.to_bytes());
}

/// One receiving session: returns the stored path and size.
fn session(
    s: &mut TcpStream,
    peer: SocketAddr,
    cfg: &ListenConfig,
    inbox: &Inbox,
    events: &dyn Fn(&LinkEvent),
) -> Result<(PathBuf, u64), LinkError> {
    let start = Instant::now();
    s.set_read_timeout(Some(cfg.link.timeout))?;
    s.set_write_timeout(Some(cfg.link.timeout))?;
    s.set_nodelay(true)?;
    let ids: Vec<StackId> = cfg.accept.iter().map(|(id, _)| *id).collect();
    let neg = NegotiateConfig {
        responder_deadline: cfg.link.timeout,
        ..cfg.link.negotiate.clone()
    };
    let mut resp = Responder::new(
        &neg,
        &cfg.link.secret,
        &ids,
        cfg.link.max_payload,
        random_nonce()?,
        start.elapsed(),
    );
    let mut buf = Vec::new();
    let mut client_nonce: Option<Nonce> = None;
    let est = loop {
        if start.elapsed() > cfg.link.timeout {
            // Each read has a timeout; this bounds a peer that trickles bytes.
            return Err(LinkError::Timeout("the handshake took too long".into()));
        }
        if read_frame(s, max_frame(&cfg.link), &mut buf)? != FrameKind::Control {
            return Err(LinkError::PeerMisbehaved(
                "data frame before the handshake".into(),
            ));
        }
        if let Ok(ControlMsg::Offer {
            client_nonce: n, ..
        }) = ControlMsg::parse(&buf)
        {
            client_nonce.get_or_insert(n);
        }
        let out = resp.handle(&buf, start.elapsed())?;
        flush(s, out, peer, events)?;
        if let Some(e) = resp.established() {
            break e.clone();
        }
    };
    let nonce = client_nonce.unwrap_or_default();
    let kind = cfg
        .accept
        .iter()
        .find(|(id, _)| *id == est.stack)
        .map_or(PayloadKind::Opaque, |(_, k)| *k);
    events(&LinkEvent::Established {
        peer,
        stack: est.stack,
        payload: kind,
        bytes: est.payload_len,
    });
    // Only an authenticated peer gets this far; only then is a file created.
    let mut pending = inbox.begin(peer, kind)?;
    let mut mac = est.keys.payload_mac();
    loop {
        match read_frame(s, max_frame(&cfg.link), &mut buf)? {
            FrameKind::Data => {
                if mac.total() + buf.len() as u64 > est.payload_len {
                    reject(s, &nonce, RejectReason::Protocol);
                    return Err(LinkError::PeerMisbehaved(format!(
                        "more than the announced {} bytes",
                        est.payload_len
                    )));
                }
                mac.update(&buf);
                pending.write(&buf)?;
            }
            FrameKind::Control => match ControlMsg::parse(&buf)? {
                ControlMsg::End { total, tag } => {
                    if total != est.payload_len || mac.total() != total || !mac.verify(&tag) {
                        reject(s, &nonce, RejectReason::Integrity);
                        return Err(LinkError::PeerMisbehaved(
                            "the payload failed authentication; nothing stored".into(),
                        ));
                    }
                    let path = match pending.commit() {
                        Ok(p) => p,
                        Err(e) => {
                            reject(s, &nonce, RejectReason::StorageFailed);
                            return Err(e);
                        }
                    };
                    events(&LinkEvent::Stored {
                        peer,
                        path: path.clone(),
                        bytes: total,
                    });
                    let receipt = ControlMsg::Stored {
                        total,
                        tag: est.keys.stored_tag(total, &tag),
                    };
                    write_frame(s, FrameKind::Control, &receipt.to_bytes())?;
                    s.flush()?;
                    return Ok((path, total));
                }
                other => {
                    reject(s, &nonce, RejectReason::Protocol);
                    return Err(LinkError::PeerMisbehaved(format!(
                        "unexpected {} during the payload",
                        other.name()
                    )));
                }
            },
        }
    }
}

/// Serves TCP connections (see [`super::Listener::serve`]).
pub fn serve(
    l: TcpListener,
    cfg: &ListenConfig,
    inbox: Arc<Inbox>,
    events: EventSink,
) -> Result<u64, LinkError> {
    l.set_nonblocking(true)?;
    let stored = Arc::new(AtomicU64::new(0));
    let active = Arc::new(AtomicUsize::new(0));
    let mut handles: Vec<std::thread::JoinHandle<()>> = Vec::new();
    loop {
        let done = cfg
            .stop_after
            .is_some_and(|n| stored.load(Ordering::SeqCst) >= n)
            || cfg.stop.load(Ordering::SeqCst);
        if done {
            break;
        }
        handles.retain(|h| !h.is_finished());
        match l.accept() {
            Ok((mut s, peer)) => {
                if active.load(Ordering::SeqCst) >= cfg.max_sessions {
                    events(&LinkEvent::Dropped {
                        peer,
                        reason: "too many sessions".into(),
                    });
                    let _ = s.shutdown(Shutdown::Both);
                    continue;
                }
                s.set_nonblocking(false)?;
                active.fetch_add(1, Ordering::SeqCst);
                let (cfg, inbox, events, stored, active) = (
                    cfg.clone(),
                    inbox.clone(),
                    events.clone(),
                    stored.clone(),
                    active.clone(),
                );
                handles.push(std::thread::spawn(move || {
                    let over = cfg
                        .stop_after
                        .is_some_and(|n| stored.load(Ordering::SeqCst) >= n);
                    if !over {
                        match session(&mut s, peer, &cfg, &inbox, &*events) {
                            Ok(_) => {
                                stored.fetch_add(1, Ordering::SeqCst);
                            }
                            Err(e) => events(&LinkEvent::Dropped {
                                peer,
                                reason: e.to_string(),
                            }),
                        }
                    }
                    let _ = s.shutdown(Shutdown::Both);
                    active.fetch_sub(1, Ordering::SeqCst);
                }));
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                // E.g. EMFILE: back off rather than spin; the listener keeps running.
                events(&LinkEvent::Dropped {
                    peer: l.local_addr()?,
                    reason: format!("accept failed: {e}"),
                });
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
    for h in handles {
        let _ = h.join();
    }
    Ok(stored.load(Ordering::SeqCst))
}
