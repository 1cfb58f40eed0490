//! Segmentation against the generator's ground truth (development aid):
//!
//! ```sh
//! cargo run -p nightjar-iris --release --example seg_check -- SEED IDENTITIES CAPTURES [SIZE]
//! ```
//!
//! Uses the same identity and capture numbers as `iris eval --seed SEED`, and prints every
//! capture whose pupil is more than 3 px or whose limbus is more than 5 px from the truth, or
//! that failed, then counts. `SEG_DUMP=DIR` saves those images with the circles drawn;
//! `SEG_AMB=1` prints every capture's limbus ambiguity and whether its limbus was off.

use nightjar_iris::eval::{capture_id, identity_id};
use nightjar_iris::pipeline::template;
use nightjar_iris::segment::segment;
use nightjar_iris::synth::eye_with_truth;

mod common;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (seed, ids, caps, size) = common::eval_args()?;
    let (mut n, mut failed, mut pbad, mut lbad) = (0, 0, 0, 0);
    let (mut sdy, mut sdx, mut sdr) = (Vec::new(), Vec::new(), Vec::new());
    let mut vis = Vec::new();
    for i in 0..ids {
        for j in 0..caps {
            n += 1;
            let (img, t) = eye_with_truth(identity_id(seed, i), capture_id(seed, i, j), size);
            let dump = |tag: &str| {
                if let Ok(dir) = std::env::var("SEG_DUMP") {
                    let _ = img.save(format!("{dir}/{seed}-{i}-{j}-{tag}.png"));
                }
            };
            match template(&img) {
                Ok(tp) => vis.push((
                    t.visible,
                    tp.quality,
                    tp.code.valid_bits() as f64 / tp.code.len() as f64,
                )),
                Err(e) => {
                    println!("{i:3} {j} TEMPLATE vis {:.2}: {e}", t.visible);
                    if let (Ok(dir), Ok(s)) = (std::env::var("SEG_DUMP"), segment(&img)) {
                        common::overlay(&img, &s)
                            .save(format!("{dir}/{seed}-{i}-{j}-overlay.png"))?;
                    }
                }
            }
            match segment(&img) {
                Err(e) => {
                    failed += 1;
                    dump("fail");
                    println!("{i:3} {j} FAIL vis {:.2}: {e}", t.visible);
                }
                Ok(s) => {
                    if std::env::var_os("SEG_AMB").is_some() {
                        let dr = (s.iris.r - t.iris.r).abs();
                        let dc = (s.iris.x - t.iris.x).hypot(s.iris.y - t.iris.y);
                        println!(
                            "AMB {:.3} {}",
                            s.limbus_ambiguity,
                            u8::from(dr >= 5.0 || dc >= 5.0)
                        );
                    }
                    let dp = (s.pupil.x - t.pupil.x).hypot(s.pupil.y - t.pupil.y);
                    let (dx, dy, dr) = (
                        s.iris.x - t.iris.x,
                        s.iris.y - t.iris.y,
                        s.iris.r - t.iris.r,
                    );
                    sdx.push(dx.abs());
                    sdy.push(dy.abs());
                    sdr.push(dr.abs());
                    let pb = dp >= 3.0 || (s.pupil.r - t.pupil.r).abs() >= 3.0;
                    let lb = dx.hypot(dy) >= 5.0 || dr.abs() >= 5.0;
                    pbad += usize::from(pb);
                    lbad += usize::from(lb && !pb);
                    if pb || lb {
                        dump(if pb { "pupil" } else { "limbus" });
                        if let Ok(dir) = std::env::var("SEG_DUMP") {
                            common::overlay(&img, &s)
                                .save(format!("{dir}/{seed}-{i}-{j}-overlay.png"))?;
                        }
                        println!(
                            "{i:3} {j} {} vis {:.2} pupil d {dp:.1} dr {:+.1} | limbus dx {dx:+.1} dy {dy:+.1} dr {dr:+.1} (r {:.0}, pr {:.0}, lids {:.0}/{:.0} vs iris y {:.0}±{:.0})",
                            if pb { "PUPIL " } else { "LIMBUS" },
                            t.visible,
                            s.pupil.r - t.pupil.r,
                            t.iris.r,
                            t.pupil.r,
                            s.upper_lid.y0,
                            s.lower_lid.y0,
                            t.iris.y,
                            t.iris.r,
                        );
                    }
                }
            }
        }
    }
    let mean = |v: &Vec<f64>| v.iter().sum::<f64>() / v.len().max(1) as f64;
    println!(
        "{size} seed {seed}: {n} captures, {failed} failed, {pbad} pupil misses, {lbad} limbus misses; mean |dx| {:.2} |dy| {:.2} |dr| {:.2}",
        mean(&sdx),
        mean(&sdy),
        mean(&sdr)
    );
    if std::env::var_os("SEG_VIS").is_some() {
        vis.sort_by(|a, b| a.0.total_cmp(&b.0));
        for (t, q, v) in vis.iter().take(40) {
            println!("truth visible {t:.2}  quality {q:.2}  valid bits {v:.2}");
        }
        let r: Vec<f64> = vis.iter().map(|(t, q, _)| q / t).collect();
        println!(
            "quality/truth mean {:.2}",
            r.iter().sum::<f64>() / r.len() as f64
        );
    }
    Ok(())
}
