//! `nightjar listen`: receive deliveries from other nodes (DESIGN §6). Each delivery is
//! negotiated, authenticated, written durably to the inbox (temporary file, fsync, rename,
//! fsync of the directory) and only then acknowledged. Hostile or failed sessions are reported
//! and never stop the listener.
//!
//! The link's shared secret comes from the key options: `Key::stretch` with the fixed salt
//! `"nightjar-link-v1"` (raw key or iris: HKDF-Extract; passphrase: bcrypt-pbkdf with
//! `--kdf-rounds`, so both nodes must use the same rounds).

use crate::exit::{input, CmdResult};
use crate::keys::KeyOpts;
use anyhow::anyhow;
use clap::ValueEnum;
use nightjar_link::inbox::Inbox;
use nightjar_link::negotiate::Event;
use nightjar_link::stack::standard_stacks;
use nightjar_link::transport::{LinkConfig, LinkEvent, ListenConfig, Listener};
use nightjar_link::{Secret, TransportKind};
use nightjar_seal::Key;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

/// The salt that turns a user key into the link's shared secret.
const LINK_SALT: &[u8; 16] = b"nightjar-link-v1";

/// The transports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TransportName {
    /// TCP: stream frames.
    Tcp,
    /// UDP: datagrams with ACKs, retransmission and reassembly (for lossy links).
    Udp,
}

impl TransportName {
    pub fn kind(self) -> TransportKind {
        match self {
            TransportName::Tcp => TransportKind::Tcp,
            TransportName::Udp => TransportKind::Udp,
        }
    }
}

/// Options shared by `listen` and `send`.
#[derive(clap::Args, Debug, Clone)]
pub struct LinkOpts {
    /// Transport.
    #[arg(long, value_enum, default_value_t = TransportName::Tcp)]
    pub transport: TransportName,
    /// Largest payload in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 64 << 20)]
    pub max_payload: u64,
    /// Seconds to wait on any read (and before an idle session is dropped).
    #[arg(long, value_name = "SECS", default_value_t = 30.0)]
    pub timeout: f64,
    /// Print events as JSON lines on standard output.
    #[arg(long)]
    pub json: bool,
}

/// The link's shared secret for a user key.
pub fn link_secret(key: &Key) -> Secret {
    Secret::from_bytes(*key.stretch(LINK_SALT).as_bytes())
}

/// Validated link settings.
pub fn link_config(key: &Key, o: &LinkOpts) -> CmdResult<LinkConfig> {
    if !(o.timeout.is_finite() && o.timeout > 0.0 && o.timeout <= 86_400.0) {
        return Err(input(anyhow!(
            "--timeout must be between 0 and 86400 seconds"
        )));
    }
    let mut cfg = LinkConfig::new(link_secret(key));
    cfg.max_payload = o.max_payload;
    cfg.timeout = Duration::from_secs_f64(o.timeout);
    cfg.validate().map_err(|e| input(anyhow!("{e}")))?;
    Ok(cfg)
}

fn negotiation_json(e: &Event) -> Value {
    match e {
        Event::Sent(m) => json!({"step": "sent", "msg": m}),
        Event::Resent { msg, attempt } => json!({"step": "resent", "msg": msg, "attempt": attempt}),
        Event::DuplicateAnswered(m) => json!({"step": "duplicate-answered", "msg": m}),
        Event::Ignored(m) => json!({"step": "ignored", "msg": m}),
        Event::Established(id) => json!({"step": "established", "stack": id.to_string()}),
        Event::Failed(f) => json!({"step": "failed", "reason": f.to_string()}),
    }
}

/// One JSON object for an event.
pub fn event_json(e: &LinkEvent) -> Value {
    match e {
        LinkEvent::Listening { addr, transport } => json!({
            "event": "listening", "addr": addr.to_string(),
            "transport": transport.layer().trim_start_matches("transport/"),
        }),
        LinkEvent::Negotiation { peer, event } => {
            let mut v = negotiation_json(event);
            v["event"] = json!("negotiation");
            v["peer"] = json!(peer.to_string());
            v
        }
        LinkEvent::Established {
            peer,
            stack,
            payload,
            bytes,
        } => json!({
            "event": "established", "peer": peer.to_string(), "stack": stack.to_string(),
            "payload": payload.extension(), "bytes": bytes,
        }),
        LinkEvent::Stored { peer, path, bytes } => json!({
            "event": "stored", "peer": peer.to_string(), "path": path.display().to_string(),
            "bytes": bytes,
        }),
        LinkEvent::Delivered {
            peer,
            bytes,
            stack,
            stats,
            elapsed,
        } => {
            let mut v = json!({
                "event": "delivered", "to": peer.to_string(), "bytes": bytes,
                "stack": stack.to_string(), "elapsed_ms": elapsed.as_secs_f64() * 1000.0,
            });
            if let Some(s) = stats {
                v["fragments"] = json!(s.fragments);
                v["retransmits"] = json!(s.retransmits);
                v["probes"] = json!(s.probes);
            }
            v
        }
        LinkEvent::Dropped { peer, reason } => json!({
            "event": "dropped", "peer": peer.to_string(), "reason": reason,
        }),
    }
}

/// A line for humans, or `None` for events only shown in `--json`.
fn event_text(e: &LinkEvent) -> Option<String> {
    match e {
        LinkEvent::Listening { addr, transport } => {
            Some(format!("listening on {addr} ({})", transport.layer()))
        }
        LinkEvent::Established {
            peer,
            stack,
            payload,
            bytes,
        } => Some(format!(
            "{peer}: authenticated, stack {stack} ({}), {bytes} bytes announced",
            payload.extension()
        )),
        LinkEvent::Stored { peer, path, bytes } => Some(format!(
            "{peer}: stored {bytes} bytes in {} (acknowledged)",
            path.display()
        )),
        LinkEvent::Dropped { peer, reason } => Some(format!("{peer}: dropped: {reason}")),
        _ => None,
    }
}

/// Reports an event: a JSON line on stdout, or a line for humans on stderr.
pub fn report(json: bool, e: &LinkEvent) {
    if json {
        println!("{}", event_json(e));
    } else if let Some(t) = event_text(e) {
        eprintln!("{t}");
    }
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Address to listen on (port 0 picks a free port; the first event reports it).
    #[arg(long, value_name = "ADDR:PORT")]
    bind: SocketAddr,
    /// Directory where deliveries are stored.
    #[arg(long, value_name = "DIR")]
    inbox: PathBuf,
    #[command(flatten)]
    link: LinkOpts,
    /// Stop after this many deliveries are stored and acknowledged.
    #[arg(long, value_name = "N", conflicts_with = "once")]
    count: Option<u64>,
    /// Stop after one delivery (same as --count 1).
    #[arg(long)]
    once: bool,
    /// Most concurrent sessions.
    #[arg(long, value_name = "N", default_value_t = 64)]
    max_sessions: usize,
    #[command(flatten)]
    key: KeyOpts,
}

/// Runs a listener until `stop_after` deliveries (library entry point, also used by the demo).
pub fn serve(
    listener: Listener,
    cfg: LinkConfig,
    inbox: &std::path::Path,
    stop_after: Option<u64>,
    max_sessions: usize,
    events: nightjar_link::transport::EventSink,
) -> CmdResult<u64> {
    let transport = listener.transport();
    let inbox = Arc::new(Inbox::open(inbox).map_err(|e| input(anyhow!("{e}")))?);
    let lc = ListenConfig {
        link: cfg,
        accept: standard_stacks(transport),
        max_sessions,
        stop_after,
        stop: Arc::new(AtomicBool::new(false)),
    };
    listener
        .serve(&lc, inbox, events)
        .map_err(|e| input(anyhow!("listener failed: {e}")))
}

pub fn run(a: Args) -> CmdResult {
    if a.max_sessions == 0 {
        return Err(input(anyhow!("--max-sessions must be at least 1")));
    }
    let key = a.key.key()?;
    let cfg = link_config(&key, &a.link)?;
    let transport = a.link.transport.kind();
    let listener = Listener::bind(transport, a.bind)
        .map_err(|e| input(anyhow!("cannot listen on {}: {e}", a.bind)))?;
    let addr = listener.local_addr().map_err(|e| input(anyhow!("{e}")))?;
    let json = a.link.json;
    report(json, &LinkEvent::Listening { addr, transport });
    let stop_after = if a.once { Some(1) } else { a.count };
    let n = serve(
        listener,
        cfg,
        &a.inbox,
        stop_after,
        a.max_sessions,
        Arc::new(move |e: &LinkEvent| report(json, e)),
    )?;
    if json {
        println!("{}", json!({"event": "done", "stored": n}));
    } else {
        eprintln!("stored {n} deliveries");
    }
    Ok(())
}

/// The demo's node-to-node step: a listener on 127.0.0.1 (ephemeral port, in a thread) keyed by
/// `receiver_key`, a sender keyed by `sender_key` delivering `payload` over TCP. Returns the
/// bytes found in the inbox, and prints what happened.
pub fn demo_link(
    receiver_key: &Key,
    sender_key: &Key,
    payload: &[u8],
    inbox: &std::path::Path,
) -> CmdResult<Vec<u8>> {
    let opts = LinkOpts {
        transport: TransportName::Tcp,
        max_payload: 64 << 20,
        timeout: 10.0,
        json: false,
    };
    let rcfg = link_config(receiver_key, &opts)?;
    let scfg = link_config(sender_key, &opts)?;
    let listener = Listener::bind(TransportKind::Tcp, ([127, 0, 0, 1], 0).into())
        .map_err(|e| input(anyhow!("{e}")))?;
    let addr = listener.local_addr().map_err(|e| input(anyhow!("{e}")))?;
    let dir = inbox.to_path_buf();
    let server = std::thread::spawn(move || {
        serve(
            listener,
            rcfg,
            &dir,
            Some(1),
            4,
            Arc::new(|_: &LinkEvent| {}),
        )
    });
    let offers = crate::cmd::send::offers_for(payload, TransportKind::Tcp);
    let sent =
        nightjar_link::transport::send(TransportKind::Tcp, addr, &scfg, &offers, payload, &|_| {})
            .map_err(crate::cmd::send::from_link);
    let served = server
        .join()
        .map_err(|_| input(anyhow!("the demo listener thread panicked")))?;
    let receipt = sent?;
    served?;
    let files: Vec<PathBuf> = std::fs::read_dir(inbox)
        .map_err(|e| input(anyhow!("{}: {e}", inbox.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    let [file] = files.as_slice() else {
        return Err(crate::exit::check(anyhow!(
            "expected one delivery in the inbox, found {}",
            files.len()
        )));
    };
    println!(
        "  sent {} bytes to {addr}: stack {} negotiated and authenticated, stored as {} and \
         acknowledged in {:.1} ms",
        receipt.bytes,
        receipt.stack,
        file.display(),
        receipt.elapsed.as_secs_f64() * 1000.0
    );
    std::fs::read(file).map_err(|e| input(anyhow!("{}: {e}", file.display())))
}
