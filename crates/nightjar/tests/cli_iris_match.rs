//! End-to-end tests of `nightjar iris synth` and `nightjar iris match`, driving the real binary:
//! same eye / different eyes verdicts and exit codes, JSON output, and unusable inputs (blank,
//! tiny, colour photograph, grey photograph, colour JPEG, GIF) rejected with exit 2 and a message;
//! a JPEG of an eye is accepted (most public near-infrared iris sets are JPEG).

use serde_json::Value;
use std::path::{Path, PathBuf};

mod common;
use common::*;

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn synth(dir: &Scratch, name: &str, identity: u64, capture: u64, size: &str) -> PathBuf {
    let out = dir.path(name);
    let o = run(&[
        "iris",
        "synth",
        "--identity",
        &identity.to_string(),
        "--capture",
        &capture.to_string(),
        "--size",
        size,
        "-o",
        s(&out),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    out
}

fn match_json(a: &Path, b: &Path) -> (i32, Value) {
    let o = run(&["iris", "match", s(a), s(b), "--json"]);
    let v: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)));
    (o.status.code().unwrap(), v)
}

#[test]
fn same_eye_matches_and_different_eyes_do_not() {
    let d = Scratch::new("match");
    for size in ["320x280", "640x480"] {
        let a = synth(&d, &format!("a-{size}.png"), 41, 1, size);
        let b = synth(&d, &format!("b-{size}.png"), 41, 2, size);
        let c = synth(&d, &format!("c-{size}.png"), 42, 1, size);
        let (code, v) = match_json(&a, &b);
        assert_eq!(code, 0, "{v}");
        assert_eq!(v["match"], true);
        assert!(v["hd"].as_f64().unwrap() < v["threshold"].as_f64().unwrap());
        assert!(v["shift"].is_i64());
        let (code, v) = match_json(&a, &c);
        assert_eq!(code, 1, "{v}");
        assert_eq!(v["match"], false);
        assert!(v["hd"].as_f64().unwrap() > 0.35, "{v}");
        // text output
        let o = run(&["iris", "match", s(&a), s(&b)]);
        assert!(String::from_utf8_lossy(&o.stdout).contains("same eye"));
    }
}

#[test]
fn synth_is_deterministic_and_sized() {
    let d = Scratch::new("synth");
    let a = synth(&d, "a.png", 5, 9, "640x480");
    let b = synth(&d, "b.png", 5, 9, "640x480");
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    let img = image::open(&a).unwrap();
    assert_eq!((img.width(), img.height()), (640, 480));
    let o = run(&[
        "iris",
        "synth",
        "--identity",
        "1",
        "--size",
        "huge",
        "-o",
        s(&d.path("x.png")),
    ]);
    assert_eq!(o.status.code(), Some(2));
}

/// `iris match` on an unusable image: exit 2 and a message naming the problem.
fn assert_unusable(d: &Scratch, bad: &Path, needle: &str) {
    let good = synth(d, "good.png", 3, 0, "320x280");
    for (x, y) in [(good.as_path(), bad), (bad, good.as_path())] {
        let o = run(&["iris", "match", s(x), s(y)]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{}: {err}", bad.display());
        assert!(
            err.contains(needle),
            "{}: expected {needle:?} in {err:?}",
            bad.display()
        );
    }
}

#[test]
fn blank_image_is_rejected() {
    let d = Scratch::new("blank");
    let p = d.path("blank.png");
    image::GrayImage::from_pixel(320, 280, image::Luma([120]))
        .save(&p)
        .unwrap();
    assert_unusable(&d, &p, "blank image");
}

#[test]
fn tiny_image_is_rejected() {
    let d = Scratch::new("tiny");
    let p = d.path("tiny.png");
    image::GrayImage::from_fn(10, 10, |x, y| image::Luma([(x * 20 + y) as u8]))
        .save(&p)
        .unwrap();
    assert_unusable(&d, &p, "too small");
}

#[test]
fn photographs_are_rejected() {
    let d = Scratch::new("photo");
    let photos = repo().join("data/images");
    // a colour photograph of a coffee cup (a dark round region inside a bright rim)
    assert_unusable(
        &d,
        &photos.join("coffee.png"),
        "not a near-infrared eye image",
    );
    // grey-level photographs: no pupil/limbus structure
    for name in ["camera.png", "clock_motion.png"] {
        let o = run(&[
            "iris",
            "match",
            s(&photos.join(name)),
            s(&photos.join(name)),
        ]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{name}: {err}");
        assert!(
            err.contains("no pupil") || err.contains("no iris"),
            "{name}: {err}"
        );
    }
    // the same photograph converted to grey: still not an eye
    let grey = d.path("coffee-grey.png");
    image::open(photos.join("coffee.png"))
        .unwrap()
        .to_luma8()
        .save(&grey)
        .unwrap();
    let o = run(&["iris", "match", s(&grey), s(&grey)]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn unsupported_and_missing_files_are_input_errors() {
    let d = Scratch::new("formats");
    let jpeg = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/chelsea-small.jpg");
    assert_unusable(&d, &jpeg, "not a near-infrared eye image");
    // GIF (89a header, 1x1): a format the build does not read
    let gif = d.path("eye.gif");
    std::fs::write(
        &gif,
        b"GIF89a\x01\x00\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x00;",
    )
    .unwrap();
    assert_unusable(&d, &gif, "not supported");
    let junk = d.path("junk.png");
    std::fs::write(&junk, b"definitely not a png").unwrap();
    assert_unusable(&d, &junk, "cannot read the image");
    assert_unusable(&d, &d.path("missing.png"), "cannot read the image");
}

#[test]
fn help_documents_exit_codes() {
    let o = run(&["iris", "match", "--help"]);
    let h = String::from_utf8_lossy(&o.stdout);
    assert!(
        h.contains("0 same eye")
            && h.contains("1 different eyes")
            && h.contains("2 an image is unusable"),
        "{h}"
    );
}

/// Public near-infrared iris sets are mostly JPEG files: a JPEG (quality 90) of a capture matches
/// the lossless PNG of another capture of the same eye, and not another eye's.
#[test]
fn jpeg_eye_images_are_read_and_match() {
    let d = Scratch::new("jpeg-eye");
    let synth = |id: &str, cap: &str, out: &Path| {
        let o = run(&[
            "iris",
            "synth",
            "--identity",
            id,
            "--capture",
            cap,
            "-o",
            s(out),
        ]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
    };
    let (a, b, other) = (d.path("a.png"), d.path("b.png"), d.path("other.png"));
    synth("21", "0", &a);
    synth("21", "1", &b);
    synth("22", "1", &other);
    let to_jpeg = |png: &Path| {
        let out = png.with_extension("jpg");
        let img = image::open(png).unwrap().to_luma8();
        let mut f = std::fs::File::create(&out).unwrap();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut f, 90)
            .encode_image(&img)
            .unwrap();
        out
    };
    let (bj, oj) = (to_jpeg(&b), to_jpeg(&other));
    let o = run(&["iris", "match", s(&a), s(&bj), "--json"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["match"], true, "{v}");
    assert!(v["hd"].as_f64().unwrap() < 0.32, "{v}");
    let o = run(&["iris", "match", s(&a), s(&oj), "--json"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["match"], false, "{v}");
}
