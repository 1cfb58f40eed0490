//! `nightjar demo`: the covert channel end to end on a built-in photograph.

use crate::cmd::analyze::analyze_cover;
use crate::covert;
use crate::exit::{check, from_stego, input, CmdResult};
use crate::io::write_atomic;
use anyhow::anyhow;
use nightjar_seal::Key;
use nightjar_stego::{Cover, Mode};
use std::path::PathBuf;

/// The built-in cover: "chelsea" from scikit-image's sample data (CC0; see data/images/SOURCE.md).
const BUILTIN_COVER: &[u8] = include_bytes!("../../../../data/images/chelsea.png");

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Keep the images the demo writes in this directory (default: a temporary directory that
    /// is removed afterwards).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

struct OutDir {
    path: PathBuf,
    remove: bool,
}

impl Drop for OutDir {
    fn drop(&mut self) {
        if self.remove {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

fn out_dir(a: &Args) -> CmdResult<OutDir> {
    let (path, remove) = match &a.out {
        Some(p) => (p.clone(), false),
        None => (
            std::env::temp_dir().join(format!("nightjar-demo-{}", std::process::id())),
            true,
        ),
    };
    std::fs::create_dir_all(&path)
        .map_err(|e| input(anyhow!("cannot create {}: {e}", path.display())))?;
    Ok(OutDir { path, remove })
}

fn step(ok: bool, what: &str) -> CmdResult {
    if ok {
        println!("  ok    {what}");
        Ok(())
    } else {
        println!("  FAIL  {what}");
        Err(check(anyhow!("demo step failed: {what}")))
    }
}

pub fn run(a: Args) -> CmdResult {
    let dir = out_dir(&a)?;
    let cover = Cover::from_bytes(BUILTIN_COVER).map_err(from_stego)?;
    let key = Key::raw(&nightjar_seal::random_key().map_err(input)?[..]).map_err(input)?;
    let other = Key::raw(&nightjar_seal::random_key().map_err(input)?[..]).map_err(input)?;
    let message = b"Nightjar demo: meet at the north gate at dawn. Bring the iris scanner.";

    println!(
        "Nightjar demo: built-in cover {}x{} {} photograph, a fresh random 32-byte key",
        cover.width(),
        cover.height(),
        cover.layout().name()
    );
    for mode in [Mode::Scatter, Mode::Sequential { bits: 1 }] {
        let (cap, max) = covert::capacity(&cover, mode);
        println!(
            "\n[{} mode] raw capacity {} bytes, largest message {} bytes",
            mode.name(),
            cap.raw_bytes,
            max
        );
        let mut stego = cover.clone();
        let report = covert::hide(&mut stego, mode, &key, message)?;
        let path = dir.path.join(format!("stego-{}.png", mode.name()));
        write_atomic(&path, &stego.to_png().map_err(from_stego)?)?;
        println!(
            "  hid {} bytes -> {} ({} samples changed, PSNR {})",
            message.len(),
            path.display(),
            report.changed_samples,
            report
                .psnr_db
                .map_or("infinite".into(), |p| format!("{p:.1} dB"))
        );
        let reread = Cover::open(&path).map_err(from_stego)?;
        let (got, _) = covert::reveal(&reread, &covert::ALL_MODES, &key)?;
        step(got == message, "the right key reveals the exact message")?;
        println!("        \"{}\"", String::from_utf8_lossy(&got));
        step(
            covert::reveal(&reread, &covert::ALL_MODES, &other).is_err(),
            "another key finds no message",
        )?;
        let tampered = flip_every_third_lsb(&reread)?;
        step(
            covert::reveal(&tampered, &covert::ALL_MODES, &key).is_err(),
            "a third of the LSBs flipped: refused, nothing revealed",
        )?;
    }

    // Steganalysis at the paper's scale of payload: 0.1 bits per colour sample.
    println!("\n[steganalysis] RS analysis at 0.1 bits per sample (cover vs each mode)");
    let bytes = (cover.carriers() / 80).saturating_sub(200);
    let big: Vec<u8> = (0..bytes).map(|i| (i * 7 + 3) as u8).collect();
    let base = analyze_cover(&cover);
    println!(
        "  cover              RS rate {:+.4}  SPA {:+.4}  -> {}",
        base.rs.rate,
        base.spa.rate,
        verdict(base.detected)
    );
    for mode in [Mode::Sequential { bits: 1 }, Mode::Scatter] {
        let mut stego = cover.clone();
        covert::hide(&mut stego, mode, &key, &big)?;
        let an = analyze_cover(&stego);
        println!(
            "  {:<18} RS rate {:+.4}  SPA {:+.4}  -> {}",
            mode.name(),
            an.rs.rate,
            an.spa.rate,
            verdict(an.detected)
        );
    }
    println!("\ndemo complete: every check passed");
    Ok(())
}

fn verdict(d: bool) -> &'static str {
    if d {
        "detected"
    } else {
        "not detected"
    }
}

/// The same image with the least significant bit of every third colour sample flipped.
fn flip_every_third_lsb(c: &Cover) -> CmdResult<Cover> {
    let channels = c.layout().channels();
    let colour = c.layout().color_channels();
    let mut samples = c.samples().to_vec();
    let mut n = 0usize;
    for (i, s) in samples.iter_mut().enumerate() {
        if i % channels < colour {
            if n % 3 == 0 {
                *s ^= 1;
            }
            n += 1;
        }
    }
    Cover::from_samples(c.width(), c.height(), c.layout(), samples).map_err(from_stego)
}
