//! Which genuine key regenerations fail, and why (development aid):
//!
//! ```sh
//! cargo run -p nightjar-iris --release --example key_check -- SEED IDENTITIES CAPTURES [SIZE]
//! ```
//!
//! Enrolls capture 0 of every identity as `iris eval --seed SEED` does, tries captures 1.. and
//! prints each failure with its Hamming distance and both captures' segmentation errors.

use nightjar_iris::bind::{enroll, regenerate, BindParams};
use nightjar_iris::encode::{COLS, ROWS};
use nightjar_iris::eval::{capture_id, identity_id};
use nightjar_iris::matching::best_match;
use nightjar_iris::pipeline::template;
use nightjar_iris::synth::{eye_with_truth, Size};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a: Vec<String> = std::env::args().collect();
    let seed: u64 = a.get(1).map_or(Ok(1234), |s| s.parse())?;
    let ids: u64 = a.get(2).map_or(Ok(60), |s| s.parse())?;
    let caps: u64 = a.get(3).map_or(Ok(6), |s| s.parse())?;
    let size = Size::parse(a.get(4).map_or("320x280", String::as_str)).ok_or("size WxH")?;
    let params = BindParams::default_for(ROWS as u16, COLS as u16).validate()?;
    let err = |i: u64, j: u64| -> (String, Option<nightjar_iris::pipeline::Template>) {
        let (img, t) = eye_with_truth(identity_id(seed, i), capture_id(seed, i, j), size);
        if let Ok(dir) = std::env::var("SEG_DUMP") {
            let _ = img.save(format!("{dir}/{seed}-{i}-{j}.png"));
        }
        match template(&img) {
            Err(e) => (format!("{e}"), None),
            Ok(tp) => {
                let s = &tp.segmentation;
                let d = format!(
                    "pupil {:+.1},{:+.1} r{:+.1} limbus {:+.1},{:+.1} r{:+.1} q {:.2} vis {:.2}",
                    s.pupil.x - t.pupil.x,
                    s.pupil.y - t.pupil.y,
                    s.pupil.r - t.pupil.r,
                    s.iris.x - t.iris.x,
                    s.iris.y - t.iris.y,
                    s.iris.r - t.iris.r,
                    tp.quality,
                    t.visible
                );
                (d, Some(tp))
            }
        }
    };
    let (mut tried, mut failed) = (0, 0);
    for i in 0..ids {
        let (d0, Some(t0)) = err(i, 0) else { continue };
        let Ok((record, _)) = enroll(&t0.code, &params) else {
            continue;
        };
        for j in 1..caps {
            tried += 1;
            let (dj, tj) = err(i, j);
            let ok = tj
                .as_ref()
                .is_some_and(|t| regenerate(&record, &t.code).is_ok());
            if !ok {
                failed += 1;
                let hd = tj
                    .as_ref()
                    .and_then(|t| best_match(&t0.code, &t.code, 16))
                    .map_or(f64::NAN, |m| m.hd);
                println!("{i:3} {j}: hd {hd:.3}\n    enrol {d0}\n    probe {dj}");
            }
        }
    }
    println!("{failed} of {tried} failed");
    Ok(())
}
