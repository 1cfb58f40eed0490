//! `nightjar stego analyze`: steganalysis of images.

use crate::exit::{input, CmdResult};
use anyhow::anyhow;
use clap::Subcommand;
use nightjar_stego::analyze::Analysis;
use nightjar_stego::Cover;
use serde_json::json;
use std::path::PathBuf;

#[derive(Subcommand, Debug)]
pub enum StegoCommand {
    /// Look for LSB embedding: chi-square attack, RS analysis and sample pair analysis, with
    /// estimated embedding rates and a verdict per image.
    Analyze(AnalyzeArgs),
}

#[derive(clap::Args, Debug)]
pub struct AnalyzeArgs {
    /// Images to analyse (lossless formats).
    #[arg(required = true, value_name = "IMG")]
    images: Vec<PathBuf>,
    /// Print one JSON object on standard output.
    #[arg(long)]
    json: bool,
}

pub fn run(c: StegoCommand) -> CmdResult {
    match c {
        StegoCommand::Analyze(a) => analyze(a),
    }
}

fn to_json(path: &str, cover: &Cover, a: &Analysis) -> serde_json::Value {
    json!({
        "path": path,
        "width": cover.width(),
        "height": cover.height(),
        "layout": cover.layout().name(),
        "detected": a.detected,
        "estimated_payload_bytes": a.estimated_payload_bytes,
        "chi_square": {
            "p_value": a.chi_square.p_value,
            "estimated_fraction": a.chi_square.estimated_fraction,
            "detected": a.chi_square.detected,
        },
        "rs": { "rate": a.rs.rate, "per_plane": a.rs.per_plane, "detected": a.rs.detected },
        "spa": { "rate": a.spa.rate, "per_plane": a.spa.per_plane, "detected": a.spa.detected },
    })
}

/// Analyse one image.
pub fn analyze_cover(cover: &Cover) -> Analysis {
    nightjar_stego::analyze::analyze(&cover.planes())
}

fn analyze(a: AnalyzeArgs) -> CmdResult {
    let mut results = Vec::new();
    let mut errors = Vec::new();
    if !a.json {
        println!(
            "{:<40} {:>9} {:>9} {:>9} {:>10}  verdict",
            "image", "chi2 p", "RS rate", "SPA rate", "est. bytes"
        );
    }
    for path in &a.images {
        let name = path.display().to_string();
        match Cover::open(path) {
            Ok(cover) => {
                let an = analyze_cover(&cover);
                if a.json {
                    results.push(to_json(&name, &cover, &an));
                } else {
                    println!(
                        "{:<40} {:>9.4} {:>9.4} {:>9.4} {:>10}  {}",
                        name,
                        an.chi_square.p_value,
                        an.rs.rate,
                        an.spa.rate,
                        an.estimated_payload_bytes,
                        if an.detected {
                            "STEGO (LSB embedding detected)"
                        } else {
                            "clean (nothing detected)"
                        }
                    );
                }
            }
            Err(e) => {
                eprintln!("nightjar: {name}: {e}");
                errors.push(json!({"path": name, "error": e.to_string()}));
            }
        }
    }
    if a.json {
        println!("{}", json!({"images": results, "errors": errors}));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(input(anyhow!(
            "{} image(s) could not be analysed",
            errors.len()
        )))
    }
}
