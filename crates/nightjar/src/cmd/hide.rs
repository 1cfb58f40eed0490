//! `nightjar hide`, `nightjar reveal` and `nightjar capacity`: the covert channel on one machine.

use crate::covert;
use crate::exit::{from_stego, input, CmdResult};
use crate::io::{read_input, write_atomic, write_output};
use crate::keys::KeyOpts;
use anyhow::anyhow;
use clap::ValueEnum;
use nightjar_stego::{Cover, Mode};
use serde_json::json;
use std::path::PathBuf;

/// Embedding modes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ModeName {
    /// Keyed scattered positions, ±1 LSB matching, matrix embedding (resists steganalysis).
    Scatter,
    /// The paper's method: raster order, LSB replacement, 1 or 2 bits per sample.
    Sequential,
}

impl ModeName {
    fn as_str(self) -> &'static str {
        match self {
            ModeName::Scatter => "scatter",
            ModeName::Sequential => "sequential",
        }
    }
}

fn mode(name: ModeName, bits: u8) -> CmdResult<Mode> {
    Mode::parse(name.as_str(), bits).map_err(from_stego)
}

#[derive(clap::Args, Debug)]
pub struct HideArgs {
    /// Cover image: PNG, BMP, PGM/PPM or TIFF (lossless; JPEG is refused).
    #[arg(long, value_name = "IMG")]
    cover: PathBuf,
    /// The message, as text.
    #[arg(
        long,
        value_name = "TEXT",
        conflicts_with = "payload",
        required_unless_present = "payload"
    )]
    message: Option<String>,
    /// The message, from a file (`-` for standard input).
    #[arg(long, value_name = "FILE")]
    payload: Option<PathBuf>,
    /// Where to write the stego image (always PNG).
    #[arg(short, long, value_name = "STEGO.png")]
    output: PathBuf,
    /// Where the bits go.
    #[arg(long, value_enum, default_value_t = ModeName::Scatter)]
    mode: ModeName,
    /// Bits per sample: 1, or 2 (sequential mode only).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=2))]
    bits: u8,
    #[command(flatten)]
    key: KeyOpts,
    /// Print one JSON object on standard output.
    #[arg(long)]
    json: bool,
}

pub fn run_hide(a: HideArgs) -> CmdResult {
    let mode = mode(a.mode, a.bits)?;
    let message = match (&a.message, &a.payload) {
        (Some(m), _) => m.as_bytes().to_vec(),
        (None, Some(p)) => read_input(Some(p))?,
        (None, None) => return Err(input(anyhow!("give --message TEXT or --payload FILE"))),
    };
    let mut cover = Cover::open(&a.cover).map_err(from_stego)?;
    for note in cover.notes() {
        eprintln!("note: {note}");
    }
    let key = a.key.key()?;
    let report = covert::hide(&mut cover, mode, &key, &message)?;
    let png = cover.to_png().map_err(from_stego)?;
    write_atomic(&a.output, &png)?;
    if a.json {
        println!(
            "{}",
            json!({
                "output": a.output.display().to_string(),
                "mode": mode.name(),
                "bits": mode.bits(),
                "message_bytes": message.len(),
                "embedded_bytes": report.payload_bytes,
                "matrix_k": report.matrix_k,
                "changed_samples": report.changed_samples,
                "changes_per_bit": report.changes_per_bit,
                "psnr_db": report.psnr_db,
            })
        );
    } else {
        eprintln!(
            "hid {} bytes ({} sealed) in {} with {} mode, {} bit(s) per sample{}: {} samples changed \
             ({:.3} per bit), PSNR {}",
            message.len(),
            report.payload_bytes,
            a.output.display(),
            mode.name(),
            mode.bits(),
            if report.matrix_k > 1 {
                format!(", matrix embedding k={}", report.matrix_k)
            } else {
                String::new()
            },
            report.changed_samples,
            report.changes_per_bit,
            report
                .psnr_db
                .map_or("infinite".to_string(), |p| format!("{p:.2} dB")),
        );
    }
    Ok(())
}

#[derive(clap::Args, Debug)]
pub struct RevealArgs {
    /// Stego image written by `nightjar hide`.
    #[arg(long, value_name = "IMG")]
    stego: PathBuf,
    /// Where to write the message (default: standard output). Nothing is written unless the
    /// message is found and authenticated.
    #[arg(short, long, value_name = "OUT")]
    output: Option<PathBuf>,
    /// Mode used to hide (default: try scatter, then sequential with 1 and 2 bits).
    #[arg(long, value_enum)]
    mode: Option<ModeName>,
    /// Bits per sample used to hide (with --mode).
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=2), requires = "mode")]
    bits: Option<u8>,
    #[command(flatten)]
    key: KeyOpts,
}

pub fn run_reveal(a: RevealArgs) -> CmdResult {
    let modes: Vec<Mode> = match a.mode {
        Some(m) => vec![mode(m, a.bits.unwrap_or(1))?],
        None => covert::ALL_MODES.to_vec(),
    };
    let cover = Cover::open(&a.stego).map_err(from_stego)?;
    let key = a.key.key()?;
    let (message, found) = covert::reveal(&cover, &modes, &key)?;
    write_output(a.output.as_deref(), &message)?;
    if a.output.is_some() {
        eprintln!(
            "revealed {} bytes ({} mode, {} bit(s) per sample), authenticated",
            message.len(),
            found.name(),
            found.bits()
        );
    }
    Ok(())
}

#[derive(clap::Args, Debug)]
pub struct CapacityArgs {
    /// Cover image.
    #[arg(long, value_name = "IMG")]
    cover: PathBuf,
    /// Mode.
    #[arg(long, value_enum, default_value_t = ModeName::Scatter)]
    mode: ModeName,
    /// Bits per sample (1, or 2 in sequential mode).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=2))]
    bits: u8,
    /// Print one JSON object on standard output.
    #[arg(long)]
    json: bool,
}

pub fn run_capacity(a: CapacityArgs) -> CmdResult {
    let mode = mode(a.mode, a.bits)?;
    let cover = Cover::open(&a.cover).map_err(from_stego)?;
    let (cap, message) = covert::capacity(&cover, mode);
    if a.json {
        println!(
            "{}",
            json!({
                "cover": a.cover.display().to_string(),
                "width": cover.width(),
                "height": cover.height(),
                "layout": cover.layout().name(),
                "mode": mode.name(),
                "bits": mode.bits(),
                "carriers": cap.carriers,
                "raw_bytes": cap.raw_bytes,
                "payload_bytes": message,
            })
        );
    } else {
        println!(
            "{}: {}x{} {} ({}), {} mode, {} bit(s) per sample\n  carriers (colour samples): {}\n  raw capacity: {} bytes\n  largest message: {} bytes (after the stego header and the sealed envelope)",
            a.cover.display(),
            cover.width(),
            cover.height(),
            cover.layout().name(),
            cover.source_format(),
            mode.name(),
            mode.bits(),
            cap.carriers,
            cap.raw_bytes,
            message
        );
    }
    Ok(())
}
