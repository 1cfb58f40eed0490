//! `nightjar iris enroll`, `iris key` and `iris eval`: binding a random key to an iris with a
//! fuzzy commitment (`nightjar_iris::bind`), regenerating it from a fresh capture, and measuring
//! how well that works on synthetic eyes. Recognition itself (`iris synth`, `iris match`) lives
//! in `cmd/iris.rs`.

use crate::exit::{input, CmdResult};
use crate::io::{write_atomic, AtomicFile};
use crate::keys::{iris_regenerate, template_of};
use anyhow::anyhow;
use nightjar_iris::bind::{self, eval, BindError, BindParams};
use nightjar_iris::synth::{self, Size};
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

/// `nightjar iris enroll EYE -o RECORD`.
#[derive(clap::Args, Debug)]
pub struct EnrollArgs {
    /// Eye image: grey-level near-infrared, lossless (PNG, BMP, PGM, TIFF).
    #[arg(value_name = "EYE")]
    eye: PathBuf,
    /// Where to write the enrollment record (refuses to overwrite unless --force: a replaced
    /// record can never again regenerate the old key).
    #[arg(short, long, value_name = "RECORD")]
    output: PathBuf,
    /// Overwrite an existing record.
    #[arg(long)]
    force: bool,
    /// Print one JSON object on stdout.
    #[arg(long)]
    json: bool,
}

/// `nightjar iris key --record RECORD EYE [-o KEY]`.
#[derive(clap::Args, Debug)]
pub struct KeyArgs {
    /// Enrollment record written by `nightjar iris enroll`.
    #[arg(long, value_name = "RECORD")]
    record: PathBuf,
    /// Eye image: a fresh capture of the enrolled eye.
    #[arg(value_name = "EYE")]
    eye: PathBuf,
    /// Write the 32-byte key to this file (mode 0600; usable as `--key-file`). Without it the
    /// key is printed in hex. Nothing is written when the eye does not match.
    #[arg(short, long, value_name = "KEY")]
    output: Option<PathBuf>,
    /// Overwrite an existing key file.
    #[arg(long)]
    force: bool,
    /// Print one JSON object on stdout.
    #[arg(long)]
    json: bool,
}

/// `nightjar iris eval`.
#[derive(clap::Args, Debug)]
pub struct EvalArgs {
    /// Synthetic identities (eyes).
    #[arg(long, default_value_t = 20, value_name = "N")]
    identities: u64,
    /// Captures per identity: capture 0 enrolls, the others are genuine attempts, and every
    /// capture of every other identity is an impostor attempt.
    #[arg(long, default_value_t = 4, value_name = "M")]
    captures: u64,
    /// Seed of the synthetic identities and captures (the same eyes as the matching
    /// evaluation with this seed).
    #[arg(long, default_value_t = 1, value_name = "S")]
    seed: u64,
    /// Image size and style: 320x280 (CASIA-like) or 640x480 (ICE-like), or any WxH.
    #[arg(long, default_value = "320x280", value_name = "WxH", value_parser = parse_size)]
    size: Size,
    /// Worker threads (default: every core).
    #[arg(long, value_name = "T")]
    threads: Option<usize>,
    /// Enrolled codes used to measure the decoder's reach (0 skips it).
    #[arg(long, default_value_t = 20, value_name = "K")]
    reach_samples: usize,
    /// Print one JSON object on stdout.
    #[arg(long)]
    json: bool,
}

fn parse_size(s: &str) -> Result<Size, String> {
    Size::parse(s).ok_or_else(|| format!("{s:?} is not WxH with sides in 32..=4096"))
}

pub fn run_enroll(a: EnrollArgs) -> CmdResult {
    if a.output.exists() && !a.force {
        return Err(input(anyhow!(
            "{} exists; refusing to overwrite an enrollment record (use --force)",
            a.output.display()
        )));
    }
    let code = template_of(&a.eye)?;
    let params = BindParams::default_for(code.rows as u16, code.cols as u16)
        .validate()
        .map_err(|e| input(anyhow!("{e}")))?;
    let (record, key) = bind::enroll(&code, &params).map_err(|e| match e {
        BindError::TooFewUsableBits { .. } => input(anyhow!("{}: {e}", a.eye.display())),
        other => input(anyhow!("{other}")),
    })?;
    let bytes = record.to_bytes();
    write_atomic(&a.output, &bytes)?;
    let p = record.params();
    let usable = 100.0 * record.usable_count() as f64 / p.codeword_bits() as f64;
    if a.json {
        println!(
            "{}",
            json!({
                "record": a.output.display().to_string(),
                "bytes": bytes.len(),
                "key_bits": key.key_bits(),
                "usable_percent": usable,
                "inner_code": format!("RM(1,{})", p.m),
                "outer_code": format!("RS({},{}) over GF(2^{})", p.n, p.k, p.symbol_bits()),
                "shift_window": p.shift_window,
            })
        );
    } else {
        println!(
            "enrolled {}: a random {}-bit key is bound to this iris ({usable:.0}% of it usable)",
            a.eye.display(),
            key.key_bits()
        );
        println!(
            "wrote {} ({} bytes). The record is not secret, but keep it authentic: whoever can \
             replace it chooses the key new envelopes are sealed with.",
            a.output.display(),
            bytes.len()
        );
    }
    Ok(())
}

pub fn run_key(a: KeyArgs) -> CmdResult {
    if let Some(out) = &a.output {
        if out.exists() && !a.force {
            return Err(input(anyhow!(
                "{} exists; refusing to overwrite a key (use --force)",
                out.display()
            )));
        }
    }
    let (master, found) = iris_regenerate(&a.record, &a.eye)?;
    match &a.output {
        Some(out) => {
            let mut f = AtomicFile::create(out)?;
            #[cfg(unix)]
            f.owner_only()?;
            f.write_all(&master[..])
                .map_err(|e| input(anyhow!("cannot write {}: {e}", out.display())))?;
            f.commit()?;
            if a.json {
                println!(
                    "{}",
                    json!({"regenerated": true, "output": out.display().to_string(),
                           "shift": found.shift, "symbol_errors": found.symbol_errors,
                           "erased_blocks": found.erased_blocks})
                );
            } else {
                eprintln!(
                    "the iris matches: wrote the 32-byte key to {} (rotation {} samples)",
                    out.display(),
                    found.shift
                );
            }
        }
        None => {
            let hex: String = master.iter().map(|b| format!("{b:02x}")).collect();
            if a.json {
                println!(
                    "{}",
                    json!({"regenerated": true, "key_hex": hex, "shift": found.shift,
                           "symbol_errors": found.symbol_errors,
                           "erased_blocks": found.erased_blocks})
                );
            } else {
                println!("{hex}");
            }
        }
    }
    Ok(())
}

pub fn run_eval(a: EvalArgs) -> CmdResult {
    let threads = a
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    if threads == 0 {
        return Err(input(anyhow!("--threads must be at least 1")));
    }
    let shape = (
        nightjar_iris::encode::ROWS as u16,
        nightjar_iris::encode::COLS as u16,
    );
    let config = eval::EvalConfig {
        identities: a.identities,
        captures: a.captures,
        seed: a.seed,
        threads,
        params: BindParams::default_for(shape.0, shape.1),
        reach_samples: a.reach_samples,
    };
    let size = a.size;
    let started = Instant::now();
    let r = eval::run(&config, |identity, capture| {
        let img = synth::eye(
            nightjar_iris::eval::identity_id(a.seed, identity),
            nightjar_iris::eval::capture_id(a.seed, identity, capture),
            size,
        );
        let t = eval::thread_seconds();
        let code = nightjar_iris::pipeline::template(&img)
            .map(|t| t.code)
            .map_err(|e| e.to_string());
        let seconds = eval::thread_seconds() - t;
        // the other segmentation hypotheses `iris key` falls back on (timed apart: only a
        // capture that fails to regenerate needs them)
        let alternatives = match code {
            Ok(_) => nightjar_iris::pipeline::alternatives(&img),
            Err(_) => Vec::new(),
        };
        eval::Acquired {
            code,
            alternatives,
            seconds,
        }
    })
    .map_err(|e| input(anyhow!("{e}")))?;
    let seconds = started.elapsed().as_secs_f64();
    let p = r.params;
    if a.json {
        let hist = |h: &[usize]| -> Vec<serde_json::Value> {
            h.iter()
                .enumerate()
                .map(|(i, &n)| json!({"from": i as f64 * eval::HIST_BIN, "count": n}))
                .collect()
        };
        let stats = |s: &eval::HdStats| {
            json!({"count": s.count, "mean": s.mean, "sd": s.sd, "min": s.min, "max": s.max,
                   "histogram": hist(&s.histogram)})
        };
        println!(
            "{}",
            json!({
                "identities": r.identities, "captures": r.captures, "seed": r.seed,
                "size": size.to_string(), "threads": threads,
                "key_bits": p.key_bits(),
                "inner_code": format!("RM(1,{})", p.m),
                "outer_code": format!("RS({},{}) over GF(2^{})", p.n, p.k, p.symbol_bits()),
                "shift_window": p.shift_window,
                "enrolled": r.enrolled,
                "failures_to_enroll": r.failures_to_enroll,
                "failures_to_acquire": r.failures_to_acquire,
                "failure_reasons": r.failure_reasons.iter()
                    .map(|(why, n)| json!({"reason": why, "count": n})).collect::<Vec<_>>(),
                "genuine_attempts": r.genuine_attempts,
                "genuine_rejections": r.genuine_rejections,
                "impostor_attempts": r.impostor_attempts,
                "impostor_acceptances": r.impostor_acceptances,
                "wrong_keys": r.wrong_keys,
                "frr": r.frr, "far": r.far, "frr_given_template": r.frr_given_template,
                "d_prime": r.d_prime, "eer": r.eer, "eer_threshold": r.eer_threshold,
                "genuine_hd": stats(&r.genuine_hd),
                "impostor_hd": stats(&r.impostor_hd),
                "max_regenerated_hd": r.max_regenerated_hd,
                "min_rejected_hd": r.min_rejected_hd,
                "degrees_of_freedom": r.degrees_of_freedom,
                "reach": r.reach.iter().map(|x| json!({"flip_rate": x.flip_rate,
                    "regenerated": x.regenerated, "attempts": x.attempts})).collect::<Vec<_>>(),
                "reach_50": r.reach_50,
                "entropy_bits_estimate": r.entropy_bits,
                "ms_per_template": r.ms_per_template,
                "ms_per_regeneration": r.ms_per_regeneration,
                "ms_per_genuine_regeneration": r.ms_per_genuine_regeneration,
                "ms_per_impostor_regeneration": r.ms_per_impostor_regeneration,
                "seconds": seconds,
            })
        );
    } else {
        println!(
            "iris key regeneration: {} identities x {} captures, seed {}, {size}, {threads} threads",
            r.identities, r.captures, r.seed
        );
        println!(
            "binding: RM(1,{}) inner, RS({},{}) over GF(2^{}) outer, {}-bit key, shifts +-{}",
            p.m,
            p.n,
            p.k,
            p.symbol_bits(),
            p.key_bits(),
            p.shift_window
        );
        println!(
            "enrolled {} ({} failures to enroll); {} genuine probes gave no template",
            r.enrolled, r.failures_to_enroll, r.failures_to_acquire
        );
        if !r.failure_reasons.is_empty() {
            let why: Vec<String> = r
                .failure_reasons
                .iter()
                .map(|(w, n)| format!("{n} {w}"))
                .collect();
            println!(
                "captures without a template or not enrollable: {}",
                why.join(", ")
            );
        }
        println!(
            "FRR {:.4} ({} of {} genuine attempts rejected; {:.4} among probes with a template)",
            r.frr, r.genuine_rejections, r.genuine_attempts, r.frr_given_template
        );
        println!(
            "FAR {:.6} ({} of {} impostor attempts accepted); wrong keys {}",
            r.far, r.impostor_acceptances, r.impostor_attempts, r.wrong_keys
        );
        println!(
            "Hamming distance: genuine {:.3} +- {:.3} (max {:.3}), impostor {:.3} +- {:.3} (min {:.3})",
            r.genuine_hd.mean,
            r.genuine_hd.sd,
            r.genuine_hd.max,
            r.impostor_hd.mean,
            r.impostor_hd.sd,
            r.impostor_hd.min
        );
        println!(
            "d' {:.2}, EER {:.4} at HD {:.3}; degrees of freedom {:.0}",
            r.d_prime, r.eer, r.eer_threshold, r.degrees_of_freedom
        );
        if let (Some(rho), Some(bits)) = (r.reach_50, r.entropy_bits) {
            println!(
                "decoder reach: half the keys survive {:.1}% random bit errors; \
                 guessing resistance estimate {bits:.0} bits (not {})",
                100.0 * rho,
                p.key_bits()
            );
        }
        println!(
            "time: {:.1} ms per template, {:.2} ms per regeneration (genuine {:.2}, impostor {:.2}); {seconds:.1} s in all",
            r.ms_per_template,
            r.ms_per_regeneration,
            r.ms_per_genuine_regeneration,
            r.ms_per_impostor_regeneration
        );
    }
    Ok(())
}
