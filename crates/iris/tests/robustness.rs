//! Property tests: the pipeline never panics, whatever the image (random sizes, noise, flat
//! fields, gradients, dark discs, damaged synthetic eyes) or the bytes of the file; matching
//! never panics on codes of any shape.

use image::{GrayImage, Luma};
use nightjar_iris::matching::best_match;
use nightjar_iris::pipeline::{decode, template};
use nightjar_iris::synth::{eye, to_png, Size};
use nightjar_iris::IrisCode;
use proptest::prelude::*;

/// A small deterministic generator for image contents.
fn lcg(state: &mut u64) -> u32 {
    *state = state
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (*state >> 33) as u32
}

fn image_of(kind: u8, w: u32, h: u32, seed: u64) -> GrayImage {
    let mut st = seed;
    match kind % 5 {
        0 => GrayImage::from_fn(w, h, |_, _| Luma([(lcg(&mut st) & 255) as u8])),
        1 => GrayImage::from_pixel(w, h, Luma([(seed & 255) as u8])),
        2 => GrayImage::from_fn(w, h, |x, y| {
            Luma([((x * 3 + y * 5 + seed as u32) & 255) as u8])
        }),
        3 => {
            // dark discs on a bright noisy field: pupil-like, but no iris
            let n = 1 + (seed % 5) as u32;
            let discs: Vec<(i64, i64, i64)> = (0..n)
                .map(|_| {
                    (
                        i64::from(lcg(&mut st) % w.max(1)),
                        i64::from(lcg(&mut st) % h.max(1)),
                        i64::from(3 + lcg(&mut st) % 60),
                    )
                })
                .collect();
            GrayImage::from_fn(w, h, |x, y| {
                let inside = discs.iter().any(|&(cx, cy, r)| {
                    let (dx, dy) = (i64::from(x) - cx, i64::from(y) - cy);
                    dx * dx + dy * dy < r * r
                });
                Luma([if inside {
                    15
                } else {
                    170 + (lcg(&mut st) % 40) as u8
                }])
            })
        }
        _ => {
            // a synthetic eye, cropped/padded to the size and partly wiped out
            let e = eye(seed, seed >> 7, Size::Casia);
            let (bx, by, bw, bh) = (
                lcg(&mut st) % w.max(1),
                lcg(&mut st) % h.max(1),
                lcg(&mut st) % 200,
                lcg(&mut st) % 200,
            );
            GrayImage::from_fn(w, h, |x, y| {
                if x >= bx && x < bx + bw && y >= by && y < by + bh {
                    Luma([(seed & 255) as u8])
                } else if x < e.width() && y < e.height() {
                    *e.get_pixel(x, y)
                } else {
                    Luma([0])
                }
            })
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn template_never_panics(kind in 0u8..5, w in 0u32..420, h in 0u32..420, seed in any::<u64>()) {
        let img = image_of(kind, w, h, seed);
        if let Ok(t) = template(&img) {
            // a template is always full-shape and mostly usable
            prop_assert_eq!(t.code.len(), nightjar_iris::encode::BITS);
            prop_assert!(t.quality >= nightjar_iris::pipeline::MIN_VISIBLE);
        }
    }

    #[test]
    fn synthetic_eyes_of_any_size_never_panic(w in 0u32..700, h in 0u32..700, id in any::<u64>(), cap in any::<u64>()) {
        let img = eye(id, cap, Size::Custom(w, h));
        let _ = template(&img);
    }

    #[test]
    fn decode_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..3000), cut in 0usize..4000) {
        let _ = decode(&bytes);
        // a real PNG, truncated or with a corrupted byte
        let png = to_png(&eye(1, 2, Size::Custom(96, 80))).unwrap();
        let n = cut.min(png.len());
        let _ = decode(&png[..n]);
        let mut bad = png.clone();
        let i = cut % bad.len();
        bad[i] ^= 0x5a;
        let _ = decode(&bad);
    }

    #[test]
    fn matching_never_panics(rows in 0usize..10, cols in 0usize..300, rows2 in 0usize..10, words in 0usize..80, shift in -400i32..400, seed in any::<u64>()) {
        let mut st = seed;
        let mut a = IrisCode::empty(rows, cols);
        for i in 0..a.len() {
            a.set(i, lcg(&mut st) & 1 == 1, lcg(&mut st) & 3 != 0);
        }
        let b = IrisCode::empty(rows2, cols);
        let _ = best_match(&a, &b, shift);
        let _ = best_match(&a, &a, shift);
        // malformed codes (public fields): no panic either
        let c = IrisCode { rows, cols, bits: vec![0; words], mask: vec![u64::MAX; words / 2], weight: Vec::new() };
        let _ = best_match(&a, &c, shift);
        let _ = best_match(&c, &c, shift);
        let _ = c.shifted(shift);
    }
}
