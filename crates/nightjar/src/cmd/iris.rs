//! `nightjar iris ...`: iris recognition — synthetic eyes (`synth`) and comparing two eye images
//! (`match`). Binding keys to an iris (`enroll`, `key`, `eval`) lives in `cmd/iris_key.rs`.

use crate::exit::{check, input, CmdResult};
use crate::io::write_atomic;
use anyhow::anyhow;
use clap::Subcommand;
use nightjar_iris::matching::{best_match, DEFAULT_MAX_SHIFT, DEFAULT_THRESHOLD};
use nightjar_iris::pipeline::{template_from_file, Template};
use nightjar_iris::segment::Circle;
use nightjar_iris::synth::{self, Size};
use serde_json::json;
use std::path::{Path, PathBuf};

#[derive(Subcommand, Debug)]
pub enum IrisCommand {
    /// Write a synthetic near-infrared eye image (PNG), the same for the same numbers.
    ///
    /// The identity number fixes the iris (texture, size, pupil offset, eyelid shape); the
    /// capture number fixes one photograph of it (pupil dilation, rotation, position, eyelids,
    /// lashes, reflections, blur, noise, lighting). 320x280 images look like CASIA-IrisV1
    /// (uniform dark pupil, heavy upper eyelid), other sizes like ICE (reflections, noise).
    Synth(SynthArgs),
    /// Compare two eye images: masked fractional Hamming distance over rotations, and a verdict.
    ///
    /// Exit status: 0 same eye (distance at or below the threshold); 1 different eyes;
    /// 2 an image is unusable (unreadable, not an eye, no pupil or iris found, too occluded).
    Match(MatchArgs),
    /// Bind a fresh random key to an eye: write an enrollment record (fuzzy commitment).
    ///
    /// The record holds helper data and a key check, never the key or the iris code; it is not
    /// secret, but keep it authentic. Exit 2 if the image is not a usable eye.
    Enroll(crate::cmd::iris_key::EnrollArgs),
    /// Regenerate the key bound in an enrollment record from a fresh capture of the eye.
    ///
    /// Writes the 32-byte key (or prints it in hex). Exit 1 and no output if the eye does not
    /// regenerate it ("this iris does not match the enrollment record"); 2 if the image or the
    /// record is unusable.
    Key(crate::cmd::iris_key::KeyArgs),
    /// Measure key regeneration on synthetic eyes: FRR, FAR, d', EER, speed, and an estimate of
    /// the key's real guessing resistance.
    Eval(crate::cmd::iris_key::EvalArgs),
}

/// Parse `WxH`.
fn parse_size(s: &str) -> Result<Size, String> {
    Size::parse(s).ok_or_else(|| format!("expected WIDTHxHEIGHT with sides 32..4096, got {s:?}"))
}

/// Parse a Hamming-distance threshold.
fn parse_threshold(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(t) if t > 0.0 && t < 0.5 => Ok(t),
        _ => Err(format!("expected a number between 0 and 0.5, got {s:?}")),
    }
}

#[derive(clap::Args, Debug)]
pub struct SynthArgs {
    /// Identity (which eye).
    #[arg(long, value_name = "N")]
    identity: u64,
    /// Capture (which photograph of that eye).
    #[arg(long, value_name = "M", default_value_t = 0)]
    capture: u64,
    /// Image size, WIDTHxHEIGHT: 320x280 (CASIA-like) or 640x480 (ICE-like), or any other.
    #[arg(long, value_name = "WxH", default_value = "320x280", value_parser = parse_size)]
    size: Size,
    /// Output PNG file.
    #[arg(short, long, value_name = "EYE.png")]
    output: PathBuf,
}

#[derive(clap::Args, Debug)]
pub struct MatchArgs {
    /// First eye image (grey-level near-infrared; PNG, BMP, PGM/PNM or TIFF).
    #[arg(value_name = "EYE_A")]
    a: PathBuf,
    /// Second eye image.
    #[arg(value_name = "EYE_B")]
    b: PathBuf,
    /// Decision threshold on the Hamming distance: at or below it, the same eye.
    #[arg(long, value_name = "HD", default_value_t = DEFAULT_THRESHOLD, value_parser = parse_threshold)]
    threshold: f64,
    /// Largest rotation searched, in code columns (256 per turn: 16 = ±22.5°).
    #[arg(long, value_name = "COLS", default_value_t = DEFAULT_MAX_SHIFT,
          value_parser = clap::value_parser!(i32).range(0..=64))]
    max_shift: i32,
    /// Print one JSON object on standard output.
    #[arg(long)]
    json: bool,
}

pub fn run(c: IrisCommand) -> CmdResult {
    match c {
        IrisCommand::Synth(a) => run_synth(a),
        IrisCommand::Match(a) => run_match(a),
        IrisCommand::Enroll(a) => crate::cmd::iris_key::run_enroll(a),
        IrisCommand::Key(a) => crate::cmd::iris_key::run_key(a),
        IrisCommand::Eval(a) => crate::cmd::iris_key::run_eval(a),
    }
}

fn run_synth(a: SynthArgs) -> CmdResult {
    let img = synth::eye(a.identity, a.capture, a.size);
    let png = synth::to_png(&img).map_err(input)?;
    write_atomic(&a.output, &png)?;
    eprintln!(
        "wrote {} ({}, identity {}, capture {})",
        a.output.display(),
        a.size,
        a.identity,
        a.capture
    );
    Ok(())
}

fn load(path: &Path) -> CmdResult<Template> {
    template_from_file(path).map_err(|e| input(anyhow!("{}: {e}", path.display())))
}

fn circle_json(c: &Circle) -> serde_json::Value {
    json!({ "x": c.x, "y": c.y, "r": c.r })
}

fn template_json(path: &Path, t: &Template) -> serde_json::Value {
    json!({
        "path": path.display().to_string(),
        "pupil": circle_json(&t.segmentation.pupil),
        "iris": circle_json(&t.segmentation.iris),
        "visible": t.quality,
        "valid_bits": t.code.valid_bits(),
        "ms": t.timings.total_ms(),
    })
}

fn run_match(a: MatchArgs) -> CmdResult {
    let ta = load(&a.a)?;
    let tb = load(&a.b)?;
    let Some(m) = best_match(&ta.code, &tb.code, a.max_shift) else {
        return Err(check(anyhow!(
            "the two irises have too few usable bits in common to be compared"
        )));
    };
    let same = m.is_match(a.threshold);
    let degrees = f64::from(m.shift) * 360.0 / ta.code.cols.max(1) as f64;
    if a.json {
        println!(
            "{}",
            json!({
                "hd": m.hd,
                "hd_norm": m.hd_norm(),
                "shift": m.shift,
                "rotation_deg": degrees,
                "valid_bits": m.valid_bits,
                "match": same,
                "threshold": a.threshold,
                "max_shift": a.max_shift,
                "a": template_json(&a.a, &ta),
                "b": template_json(&a.b, &tb),
            })
        );
    } else {
        println!(
            "Hamming distance {:.4} at shift {:+} ({:+.1}°) over {} bits",
            m.hd, m.shift, degrees, m.valid_bits
        );
        println!(
            "{} (threshold {:.2})",
            if same { "same eye" } else { "different eyes" },
            a.threshold
        );
    }
    if same {
        Ok(())
    } else {
        Err(check(anyhow!(
            "different eyes: Hamming distance {:.4} is above the threshold {:.2}",
            m.hd,
            a.threshold
        )))
    }
}
