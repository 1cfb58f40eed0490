//! `nightjar send`: deliver a file, or a message freshly hidden in a cover, to a listening node
//! (DESIGN §6). Exit 0 only when the receiver has acknowledged durable storage; exit 1 when it
//! was not delivered (refused, wrong key, no answer); exit 2 for usage or input errors.

use crate::cmd::listen::{link_config, report, LinkOpts};
use crate::covert;
use crate::exit::{check, from_stego, input, CmdResult};
use crate::keys::KeyOpts;
use anyhow::anyhow;
use nightjar_link::stack::{standard_stack, PayloadKind};
use nightjar_link::transport::{self, LinkEvent};
use nightjar_link::LinkError;
use nightjar_stego::{Cover, Mode};
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;

const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The listening node.
    #[arg(long, value_name = "ADDR:PORT")]
    to: String,
    /// A file to send (for example a stego PNG made by `nightjar hide`).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["cover", "message"], required_unless_present = "cover")]
    file: Option<PathBuf>,
    /// A cover image: the message is hidden in it (scatter mode) with the same key, then sent.
    #[arg(long, value_name = "IMG", requires = "message")]
    cover: Option<PathBuf>,
    /// The message to hide in --cover.
    #[arg(long, value_name = "TEXT", requires = "cover")]
    message: Option<String>,
    #[command(flatten)]
    link: LinkOpts,
    #[command(flatten)]
    key: KeyOpts,
}

/// Sorts a link error: not delivered (exit 1) or a local configuration problem (exit 2).
pub fn from_link(e: LinkError) -> crate::exit::Failure {
    match e {
        LinkError::Config(_) => input(anyhow!("{e}")),
        other => check(anyhow!("not delivered: {other}")),
    }
}

fn resolve(to: &str) -> CmdResult<SocketAddr> {
    to.to_socket_addrs()
        .map_err(|e| input(anyhow!("--to {to}: {e}")))?
        .next()
        .ok_or_else(|| input(anyhow!("--to {to}: no address")))
}

/// The stacks to offer for a payload, most preferred first.
pub fn offers_for(payload: &[u8], t: nightjar_link::TransportKind) -> Vec<nightjar_link::StackId> {
    let mut v = Vec::new();
    if payload.starts_with(PNG_MAGIC) {
        v.push(standard_stack(PayloadKind::StegoPng, t).id());
    }
    v.push(standard_stack(PayloadKind::Opaque, t).id());
    v
}

pub fn run(a: Args) -> CmdResult {
    let key = a.key.key()?;
    let cfg = link_config(&key, &a.link)?;
    let addr = resolve(&a.to)?;
    let payload = match (&a.file, &a.cover, &a.message) {
        (Some(f), _, _) => {
            let len = std::fs::metadata(f)
                .map_err(|e| input(anyhow!("cannot read {}: {e}", f.display())))?
                .len();
            if len > cfg.max_payload {
                return Err(input(anyhow!(
                    "{} is {len} bytes, above --max-payload {}",
                    f.display(),
                    cfg.max_payload
                )));
            }
            std::fs::read(f).map_err(|e| input(anyhow!("cannot read {}: {e}", f.display())))?
        }
        (None, Some(c), Some(m)) => {
            let mut cover = Cover::open(c).map_err(from_stego)?;
            covert::hide(&mut cover, Mode::Scatter, &key, m.as_bytes())?;
            cover.to_png().map_err(from_stego)?
        }
        _ => {
            return Err(input(anyhow!(
                "give --file FILE, or --cover IMG --message TEXT"
            )))
        }
    };
    if payload.is_empty() {
        return Err(input(anyhow!("nothing to send: the file is empty")));
    }
    let t = a.link.transport.kind();
    let json = a.link.json;
    let receipt = transport::send(
        t,
        addr,
        &cfg,
        &offers_for(&payload, t),
        &payload,
        &|e: &LinkEvent| report(json, e),
    )
    .map_err(from_link)?;
    if !json {
        eprintln!(
            "delivered {} bytes to {addr} (stack {}), stored and acknowledged in {:.1} ms",
            receipt.bytes,
            receipt.stack,
            receipt.elapsed.as_secs_f64() * 1000.0
        );
    }
    Ok(())
}
