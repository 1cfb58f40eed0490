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
use nightjar_iris::synth::{eye_with_truth, Size};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a: Vec<String> = std::env::args().collect();
    let seed: u64 = a.get(1).map_or(Ok(1234), |s| s.parse())?;
    let ids: u64 = a.get(2).map_or(Ok(60), |s| s.parse())?;
    let caps: u64 = a.get(3).map_or(Ok(6), |s| s.parse())?;
    let size = Size::parse(a.get(4).map_or("320x280", String::as_str)).ok_or("size WxH")?;
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
                        overlay(&img, &s).save(format!("{dir}/{seed}-{i}-{j}-overlay.png"))?;
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
                            overlay(&img, &s).save(format!("{dir}/{seed}-{i}-{j}-overlay.png"))?;
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

fn overlay(a: &image::GrayImage, s: &nightjar_iris::segment::Segmentation) -> image::RgbImage {
    use image::Rgb;
    let mut o = image::RgbImage::from_fn(a.width(), a.height(), |x, y| {
        let v = a.get_pixel(x, y)[0];
        Rgb([v, v, v])
    });
    let mut put = |x: f64, y: f64, c: [u8; 3]| {
        if x >= 0.0 && y >= 0.0 && (x as u32) < o.width() && (y as u32) < o.height() {
            o.put_pixel(x as u32, y as u32, Rgb(c));
        }
    };
    for k in 0..1440 {
        let th = f64::from(k) * std::f64::consts::TAU / 1440.0;
        put(
            s.pupil.x + s.pupil.r * th.cos(),
            s.pupil.y + s.pupil.r * th.sin(),
            [255, 40, 40],
        );
        put(
            s.iris.x + s.iris.r * th.cos(),
            s.iris.y + s.iris.r * th.sin(),
            [40, 255, 40],
        );
    }
    for k in 0..(4 * a.width()) {
        let x = f64::from(k) / 4.0;
        if (x - s.iris.x).abs() <= s.iris.r {
            put(x, s.upper_lid.y(x), [60, 140, 255]);
            put(x, s.lower_lid.y(x), [60, 140, 255]);
        }
    }
    o
}
