//! `nightjar demo`: the covert channel end to end on a built-in photograph, keyed by the iris of
//! a synthetic eye (enrolled from one capture, the key regenerated from another).

use crate::cmd::analyze::analyze_cover;
use crate::covert;
use crate::exit::{check, from_stego, input, CmdResult};
use crate::io::write_atomic;
use anyhow::anyhow;
use nightjar_iris::bind::{self, BindError, BindParams};
use nightjar_iris::synth::{self, Size};
use nightjar_iris::IrisCode;
use nightjar_seal::{Key, MasterKey};
use nightjar_stego::{Cover, Layout, Mode};
use std::path::{Path, PathBuf};

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

/// Synthetic eye `identity`/`capture`, written to `dir` as PNG, and its iris code.
fn synthetic_eye(dir: &Path, identity: u64, capture: u64) -> CmdResult<IrisCode> {
    let img = synth::eye(identity, capture, Size::Casia);
    let (w, h) = img.dimensions();
    let path = dir.join(format!("eye-{identity}-{capture}.png"));
    let png = Cover::from_samples(w, h, Layout::Gray, img.as_raw().clone())
        .and_then(|c| c.to_png())
        .map_err(from_stego)?;
    write_atomic(&path, &png)?;
    nightjar_iris::pipeline::template(&img)
        .map(|t| t.code)
        .map_err(|e| input(anyhow!("synthetic eye {identity}/{capture}: {e}")))
}

/// Enrolls eye 1 from capture 0, regenerates its key from capture 1, and shows that eye 2
/// regenerates nothing. Returns the key enrolled and the key regenerated.
fn iris_keys(dir: &Path) -> CmdResult<(Key, Key)> {
    println!(
        "[iris key] synthetic eyes ({}), fuzzy commitment",
        Size::Casia
    );
    let enrol = synthetic_eye(dir, 1, 0)?;
    let params = BindParams::default_for(enrol.rows as u16, enrol.cols as u16)
        .validate()
        .map_err(input)?;
    let (record, key) = bind::enroll(&enrol, &params).map_err(input)?;
    let record_path = dir.join("eye-1.njir");
    write_atomic(&record_path, &record.to_bytes())?;
    let p = record.params();
    println!(
        "  enrolled eye 1 (capture 0): a random {}-bit key bound with RM(1,{}) x RS({},{}); \
         record {} ({} bytes: helper data and a key check, never the key or the iris code)",
        key.key_bits(),
        p.m,
        p.n,
        p.k,
        record_path.display(),
        record.to_bytes().len()
    );
    let probe = synthetic_eye(dir, 1, 1)?;
    let again = bind::regenerate(&record, &probe);
    let same = matches!(&again, Ok(r) if *r.key.master_key() == *key.master_key());
    step(same, "capture 1 of the same eye regenerates the exact key")?;
    if let Ok(r) = &again {
        println!(
            "        (rotation {} samples, {} symbol errors corrected, {} blocks erased)",
            r.shift, r.symbol_errors, r.erased_blocks
        );
    }
    let other = synthetic_eye(dir, 2, 0)?;
    step(
        matches!(bind::regenerate(&record, &other), Err(BindError::NoMatch)),
        "another eye (identity 2) gets no key: this iris does not match the enrollment record",
    )?;
    let enrolled = Key::master(MasterKey::from_bytes(*key.master_key()));
    let regenerated = match again {
        Ok(r) => Key::master(MasterKey::from_bytes(*r.key.master_key())),
        Err(e) => return Err(check(anyhow!("{e}"))),
    };
    Ok((enrolled, regenerated))
}

pub fn run(a: Args) -> CmdResult {
    let dir = out_dir(&a)?;
    let cover = Cover::from_bytes(BUILTIN_COVER).map_err(from_stego)?;
    let (key, regenerated) = iris_keys(&dir.path)?;
    let other = Key::raw(&nightjar_seal::random_key().map_err(input)?[..]).map_err(input)?;
    let message = b"Nightjar demo: meet at the north gate at dawn. Bring the iris scanner.";

    println!(
        "\nNightjar demo: built-in cover {}x{} {} photograph; hidden with the key enrolled from \
         capture 0, revealed with the key regenerated from capture 1",
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
        let (got, _) = covert::reveal(&reread, &covert::ALL_MODES, &regenerated)?;
        step(
            got == message,
            "the key regenerated from another capture of the eye reveals the exact message",
        )?;
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
    // Node to node: the scatter-mode stego image over loopback TCP, both nodes keyed by the iris.
    println!("\n[link] node to node over loopback TCP (negotiated stack, iris-derived link key)");
    let sent = std::fs::read(dir.path.join("stego-scatter.png")).map_err(input)?;
    let got = crate::cmd::listen::demo_link(&key, &regenerated, &sent, &dir.path.join("inbox"))?;
    step(
        got == sent,
        "the stego image arrived byte-identical in the receiver's inbox",
    )?;
    let (text, _) = covert::reveal(
        &Cover::from_bytes(&got).map_err(from_stego)?,
        &covert::ALL_MODES,
        &regenerated,
    )?;
    step(
        text == message,
        "the delivered image reveals the exact message",
    )?;
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
