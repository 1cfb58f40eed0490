//! Transports: blocking `std::net` sockets and threads that drive the sans-IO machines.
//! Every read has a timeout; every session ends (delivered, refused, or timed out).
//!
//! * [`tcp`]: stream frames; one thread per connection (bounded).
//! * [`udp`]: datagrams; one thread multiplexes every peer by address; negotiation resends and
//!   the [`crate::transfer`] machine make it work over a lossy link.

pub mod tcp;
pub mod udp;

use crate::crypto::Secret;
use crate::error::LinkError;
use crate::inbox::Inbox;
use crate::negotiate::{self, NegotiateConfig};
use crate::stack::{PayloadKind, StackId, TransportKind};
use crate::transfer::{SenderStats, TransferConfig};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

/// Settings shared by both ends.
#[derive(Clone, Debug)]
pub struct LinkConfig {
    /// The shared secret.
    pub secret: Secret,
    /// Largest payload accepted (receiver) or sent (sender).
    pub max_payload: u64,
    /// Timeout of every read and of an idle session.
    pub timeout: Duration,
    /// Negotiation timing (UDP; TCP sends once and relies on `timeout`).
    pub negotiate: NegotiateConfig,
    /// Datagram transfer settings (UDP).
    pub transfer: TransferConfig,
    /// Payload bytes per TCP data frame (and the largest data frame accepted).
    pub chunk: u32,
}

impl LinkConfig {
    /// Defaults: 64 MiB payloads, 30 s timeout, 256 KiB chunks.
    pub fn new(secret: Secret) -> LinkConfig {
        LinkConfig {
            secret,
            max_payload: 64 << 20,
            timeout: Duration::from_secs(30),
            negotiate: NegotiateConfig::default(),
            transfer: TransferConfig::default(),
            chunk: 256 << 10,
        }
    }

    /// Checks the settings.
    pub fn validate(&self) -> Result<(), LinkError> {
        if self.max_payload == 0 {
            return Err(LinkError::Config(
                "the payload limit must be positive".into(),
            ));
        }
        if self.timeout.is_zero() {
            return Err(LinkError::Config("the timeout must be positive".into()));
        }
        if !(1024..=16 << 20).contains(&self.chunk) {
            return Err(LinkError::Config(
                "chunk must be between 1 KiB and 16 MiB".into(),
            ));
        }
        self.transfer.validate()
    }
}

/// Something a transport reports (for logs and `--json`).
#[derive(Clone, Debug)]
pub enum LinkEvent {
    /// The listener is bound.
    Listening {
        /// The bound address.
        addr: SocketAddr,
        /// The transport.
        transport: TransportKind,
    },
    /// A negotiation step.
    Negotiation {
        /// The peer.
        peer: SocketAddr,
        /// What happened.
        event: negotiate::Event,
    },
    /// A session is agreed and authenticated.
    Established {
        /// The peer.
        peer: SocketAddr,
        /// The agreed stack.
        stack: StackId,
        /// What it carries.
        payload: PayloadKind,
        /// The announced payload length.
        bytes: u64,
    },
    /// The listener stored a delivery durably (and then acknowledged it).
    Stored {
        /// The peer.
        peer: SocketAddr,
        /// Where.
        path: PathBuf,
        /// Payload bytes.
        bytes: u64,
    },
    /// The sender got the storage receipt.
    Delivered {
        /// The peer.
        peer: SocketAddr,
        /// Payload bytes.
        bytes: u64,
        /// The agreed stack.
        stack: StackId,
        /// Datagram statistics (UDP).
        stats: Option<SenderStats>,
        /// Time from start to receipt.
        elapsed: Duration,
    },
    /// A session or an input ended without a delivery (the listener survives).
    Dropped {
        /// The peer.
        peer: SocketAddr,
        /// Why.
        reason: String,
    },
}

/// Where transports report events.
pub type EventSink = Arc<dyn Fn(&LinkEvent) + Send + Sync>;

/// What a listener accepts and how long it runs.
#[derive(Clone)]
pub struct ListenConfig {
    /// Link settings.
    pub link: LinkConfig,
    /// Stacks accepted (with what each carries).
    pub accept: Vec<(StackId, PayloadKind)>,
    /// Most concurrent sessions.
    pub max_sessions: usize,
    /// Stop after this many deliveries are stored (and acknowledged).
    pub stop_after: Option<u64>,
    /// Stop when this becomes true (checked a few times a second).
    pub stop: Arc<AtomicBool>,
}

/// A successful delivery, as the sender sees it.
#[derive(Clone, Debug)]
pub struct Receipt {
    /// Payload bytes.
    pub bytes: u64,
    /// The agreed stack.
    pub stack: StackId,
    /// Datagram statistics (UDP).
    pub stats: Option<SenderStats>,
    /// Time from start to receipt.
    pub elapsed: Duration,
}

/// A bound listener.
#[derive(Debug)]
pub enum Listener {
    /// TCP.
    Tcp(std::net::TcpListener),
    /// UDP.
    Udp(std::net::UdpSocket),
}

impl Listener {
    /// Binds `addr` (port 0 for an ephemeral port).
    pub fn bind(transport: TransportKind, addr: SocketAddr) -> Result<Listener, LinkError> {
        Ok(match transport {
            TransportKind::Tcp => Listener::Tcp(std::net::TcpListener::bind(addr)?),
            TransportKind::Udp => Listener::Udp(std::net::UdpSocket::bind(addr)?),
        })
    }

    /// The bound address.
    pub fn local_addr(&self) -> Result<SocketAddr, LinkError> {
        Ok(match self {
            Listener::Tcp(l) => l.local_addr()?,
            Listener::Udp(s) => s.local_addr()?,
        })
    }

    /// The transport.
    pub fn transport(&self) -> TransportKind {
        match self {
            Listener::Tcp(_) => TransportKind::Tcp,
            Listener::Udp(_) => TransportKind::Udp,
        }
    }

    /// Serves until `stop_after` deliveries are stored or `stop` is set. Returns the number
    /// stored. Hostile or failed sessions are reported as [`LinkEvent::Dropped`] and never end
    /// the listener.
    pub fn serve(
        self,
        cfg: &ListenConfig,
        inbox: Arc<Inbox>,
        events: EventSink,
    ) -> Result<u64, LinkError> {
        cfg.link.validate()?;
        if cfg.accept.is_empty() {
            return Err(LinkError::Config("the listener accepts no stack".into()));
        }
        match self {
            Listener::Tcp(l) => tcp::serve(l, cfg, inbox, events),
            Listener::Udp(s) => udp::serve(s, cfg, inbox, events),
        }
    }
}

/// Sends `payload` to `addr`, offering `offers` (most preferred first); returns when the
/// receiver has acknowledged durable storage.
pub fn send(
    transport: TransportKind,
    addr: SocketAddr,
    cfg: &LinkConfig,
    offers: &[StackId],
    payload: &[u8],
    events: &dyn Fn(&LinkEvent),
) -> Result<Receipt, LinkError> {
    cfg.validate()?;
    if payload.is_empty() {
        return Err(LinkError::Config("the payload is empty".into()));
    }
    if payload.len() as u64 > cfg.max_payload {
        return Err(LinkError::Config(format!(
            "the payload is {} bytes, above the limit of {}",
            payload.len(),
            cfg.max_payload
        )));
    }
    match transport {
        TransportKind::Tcp => tcp::send(addr, cfg, offers, payload, events),
        TransportKind::Udp => udp::send(addr, cfg, offers, payload, events),
    }
}

/// Maps a read error to a timeout or I/O error.
pub(crate) fn read_error(e: std::io::Error, what: &str) -> LinkError {
    match e.kind() {
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => {
            LinkError::Timeout(format!("no {what} from the peer in time"))
        }
        std::io::ErrorKind::UnexpectedEof => {
            LinkError::Malformed(crate::error::Malformed::Truncated {
                what: "stream (connection closed)",
                have: 0,
                need: 1,
            })
        }
        _ => LinkError::Io(e),
    }
}
