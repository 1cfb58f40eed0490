//! End-to-end tests of the iris key, driving the real `nightjar` binary: `iris enroll`,
//! `iris key`, the `--iris-record/--iris` key options alone and with a passphrase, `iris eval`,
//! and every way an eye image or a record can be unusable.

use serde_json::Value;
use std::process::Output;

mod common;
use common::*;

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn ok(o: &Output) {
    assert_eq!(code(o), 0, "stderr: {}", stderr(o));
}

/// Exit 2 with a message and without a panic.
fn input_error(o: &Output) -> String {
    let e = stderr(o);
    assert_eq!(code(o), 2, "stderr: {e}");
    assert!(!e.contains("panicked"), "{e}");
    assert!(e.starts_with("nightjar: ") || e.contains("error:"), "{e}");
    e
}

const NO_MATCH: &str = "this iris does not match the enrollment record";

/// Writes synthetic eye `identity`/`capture` (320x280) with `nightjar iris synth`.
fn eye(s: &Scratch, identity: u64, capture: u64) -> String {
    let name = format!("eye-{identity}-{capture}.png");
    let path = s.s(&name);
    if !s.path(&name).exists() {
        ok(&run(&[
            "iris",
            "synth",
            "--identity",
            &identity.to_string(),
            "--capture",
            &capture.to_string(),
            "-o",
            &path,
        ]));
    }
    path
}

fn enroll(s: &Scratch, identity: u64) -> String {
    let rec = s.s(&format!("id{identity}.njir"));
    ok(&run(&["iris", "enroll", &eye(s, identity, 0), "-o", &rec]));
    rec
}

/// `iris key --record REC EYE -o OUT`, which must succeed.
fn key_to(rec: &str, eye: &str, out: &str) {
    ok(&run(&["iris", "key", "--record", rec, eye, "-o", out]));
}

#[test]
fn another_capture_of_the_enrolled_eye_regenerates_identical_key_bytes() {
    let s = Scratch::new("same");
    let rec = enroll(&s, 7);
    let bytes = std::fs::read(&rec).unwrap();
    assert_eq!(&bytes[..4], b"NJIR");
    let (k1, k2) = (s.s("k1.key"), s.s("k2.key"));
    key_to(&rec, &eye(&s, 7, 1), &k1);
    key_to(&rec, &eye(&s, 7, 2), &k2);
    let a = std::fs::read(&k1).unwrap();
    let b = std::fs::read(&k2).unwrap();
    assert_eq!(a.len(), 32);
    assert_eq!(a, b, "two captures must give the same key bytes");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&k1).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "key file readable by others: {mode:o}");
    }
    // Without -o the key is printed in hex, the same bytes.
    let o = run(&["iris", "key", "--record", &rec, &eye(&s, 7, 3)]);
    ok(&o);
    let hex: String = a.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(stdout(&o).trim(), hex);
    // The record never contains the key.
    assert!(!bytes.windows(8).any(|w| w == &a[..8]));
    // A key file is never overwritten by accident.
    let o = run(&["iris", "key", "--record", &rec, &eye(&s, 7, 1), "-o", &k1]);
    assert!(input_error(&o).contains("exists"));
}

/// `iris key` falls back on the other segmentation hypotheses of the eye image: capture 4 of
/// eye 44 of seed 27182 (640×480) has a lash tangle taken for the pupil at the first try, and
/// still regenerates the same key bytes as capture 1.
#[test]
fn a_capture_whose_first_segmentation_is_wrong_still_regenerates_the_key() {
    use nightjar_iris::eval::{capture_id, identity_id};
    let s = Scratch::new("hypotheses");
    let synth = |j: u64| {
        let path = s.s(&format!("ice-44-{j}.png"));
        ok(&run(&[
            "iris",
            "synth",
            "--identity",
            &identity_id(27182, 44).to_string(),
            "--capture",
            &capture_id(27182, 44, j).to_string(),
            "--size",
            "640x480",
            "-o",
            &path,
        ]));
        path
    };
    let rec = s.s("ice44.njir");
    ok(&run(&["iris", "enroll", &synth(0), "-o", &rec]));
    let (k1, k4) = (s.s("k1.key"), s.s("k4.key"));
    key_to(&rec, &synth(1), &k1);
    key_to(&rec, &synth(4), &k4);
    assert_eq!(std::fs::read(&k1).unwrap(), std::fs::read(&k4).unwrap());
    // the first segmentation alone does not match: `iris match` says so
    let o = run(&["iris", "match", &synth(0), &synth(4), "--json"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["hd"].as_f64().unwrap() > 0.4, "{v}");
}

#[test]
fn another_eye_gets_exit_1_and_no_key_file() {
    let s = Scratch::new("other");
    let rec = enroll(&s, 7);
    for other in [8u64, 9] {
        let out = s.path(&format!("k{other}.key"));
        let o = run(&[
            "iris",
            "key",
            "--record",
            &rec,
            &eye(&s, other, 0),
            "-o",
            out.to_str().unwrap(),
        ]);
        assert_eq!(code(&o), 1, "{}", stderr(&o));
        assert!(stderr(&o).contains(NO_MATCH), "{}", stderr(&o));
        assert!(!out.exists(), "a key file was written for another eye");
        assert!(stdout(&o).is_empty());
    }
}

#[test]
fn hide_and_reveal_keyed_by_the_iris() {
    let s = Scratch::new("hide");
    let rec = enroll(&s, 11);
    let cover = eye(&s, 40, 0); // any lossless image is a cover; here another eye
    let stego = s.s("stego.png");
    let msg = "keyed by an iris";
    ok(&run(&[
        "hide",
        "--cover",
        &cover,
        "--message",
        msg,
        "-o",
        &stego,
        "--iris-record",
        &rec,
        "--iris",
        &eye(&s, 11, 1),
    ]));
    let o = run(&[
        "reveal",
        "--stego",
        &stego,
        "--iris-record",
        &rec,
        "--iris",
        &eye(&s, 11, 2),
    ]);
    ok(&o);
    assert_eq!(stdout(&o), msg);
    // Another eye regenerates nothing: exit 1, the iris message, nothing revealed.
    let o = run(&[
        "reveal",
        "--stego",
        &stego,
        "--iris-record",
        &rec,
        "--iris",
        &eye(&s, 12, 0),
    ]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains(NO_MATCH));
    assert!(stdout(&o).is_empty());
}

#[test]
fn iris_and_passphrase_are_two_factors() {
    let s = Scratch::new("two");
    let rec = enroll(&s, 13);
    let cover = eye(&s, 41, 0);
    let stego = s.s("stego.png");
    let env = [("NJ_PASS", "correct horse"), ("NJ_WRONG", "wrong horse")];
    let iris1 = eye(&s, 13, 1);
    let iris2 = eye(&s, 13, 2);
    ok(&run_env(
        &[
            "hide",
            "--cover",
            &cover,
            "--message",
            "two factors",
            "-o",
            &stego,
            "--iris-record",
            &rec,
            "--iris",
            &iris1,
            "--passphrase-env",
            "NJ_PASS",
            "--kdf-rounds",
            "2",
        ],
        &env,
        None,
    ));
    let both = run_env(
        &[
            "reveal",
            "--stego",
            &stego,
            "--iris-record",
            &rec,
            "--iris",
            &iris2,
            "--passphrase-env",
            "NJ_PASS",
            "--kdf-rounds",
            "2",
        ],
        &env,
        None,
    );
    ok(&both);
    assert_eq!(stdout(&both), "two factors");
    // One factor alone, or a wrong second factor, reveals nothing (exit 1).
    for args in [
        vec!["--iris-record", rec.as_str(), "--iris", iris2.as_str()],
        vec!["--passphrase-env", "NJ_PASS", "--kdf-rounds", "2"],
        vec![
            "--iris-record",
            rec.as_str(),
            "--iris",
            iris2.as_str(),
            "--passphrase-env",
            "NJ_WRONG",
            "--kdf-rounds",
            "2",
        ],
    ] {
        let mut a = vec!["reveal", "--stego", stego.as_str()];
        a.extend(args.iter().copied());
        let o = run_env(&a, &env, None);
        assert_eq!(code(&o), 1, "{a:?}: {}", stderr(&o));
        assert!(stdout(&o).is_empty());
    }
    // The right passphrase with another eye: the iris check fails first.
    let o = run_env(
        &[
            "reveal",
            "--stego",
            &stego,
            "--iris-record",
            &rec,
            "--iris",
            &eye(&s, 14, 0),
            "--passphrase-env",
            "NJ_PASS",
            "--kdf-rounds",
            "2",
        ],
        &env,
        None,
    );
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains(NO_MATCH));

    // seal/open: the envelope names its kind of key (KDF id 4).
    let (plain, sealed, opened) = (s.s("plain.txt"), s.s("env.njse"), s.s("opened.txt"));
    std::fs::write(&plain, b"sealed with two factors").unwrap();
    ok(&run_env(
        &[
            "seal",
            "-i",
            &plain,
            "-o",
            &sealed,
            "--iris-record",
            &rec,
            "--iris",
            &iris1,
            "--passphrase-env",
            "NJ_PASS",
        ],
        &env,
        None,
    ));
    assert_eq!(
        std::fs::read(&sealed).unwrap()[5],
        4,
        "KDF id 4: two factors"
    );
    ok(&run_env(
        &[
            "open",
            "-i",
            &sealed,
            "-o",
            &opened,
            "--iris-record",
            &rec,
            "--iris",
            &iris2,
            "--passphrase-env",
            "NJ_PASS",
        ],
        &env,
        None,
    ));
    assert_eq!(std::fs::read(&opened).unwrap(), b"sealed with two factors");
    let o = run(&[
        "open",
        "-i",
        &sealed,
        "--iris-record",
        &rec,
        "--iris",
        &iris2,
    ]);
    assert!(input_error(&o).contains("two-factor"), "{}", stderr(&o));
    let o = run_env(
        &[
            "open",
            "-i",
            &sealed,
            "--iris-record",
            &rec,
            "--iris",
            &iris2,
            "--passphrase-env",
            "NJ_WRONG",
        ],
        &env,
        None,
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
}

#[test]
fn iris_key_options_must_come_in_pairs() {
    let s = Scratch::new("opts");
    let rec = enroll(&s, 15);
    let iris = eye(&s, 15, 1);
    let plain = s.s("p.txt");
    std::fs::write(&plain, b"x").unwrap();
    let e = input_error(&run(&["seal", "-i", &plain, "--iris-record", &rec]));
    assert!(e.contains("--iris"), "{e}");
    let e = input_error(&run(&["seal", "-i", &plain, "--iris", &iris]));
    assert!(e.contains("--iris-record"), "{e}");
    let key = s.s("k.key");
    ok(&run(&["keygen", "-o", &key]));
    let e = input_error(&run(&[
        "seal",
        "-i",
        &plain,
        "--key-file",
        &key,
        "--iris-record",
        &rec,
        "--iris",
        &iris,
    ]));
    assert!(e.contains("--key-file"), "{e}");
}

#[test]
fn unusable_eye_images_are_input_errors_never_panics() {
    let s = Scratch::new("bad");
    let rec = enroll(&s, 16);
    let blank = s.path("blank.png");
    image::GrayImage::from_pixel(320, 280, image::Luma([128]))
        .save(&blank)
        .unwrap();
    let tiny = s.path("tiny.png");
    image::GrayImage::from_pixel(10, 10, image::Luma([40]))
        .save(&tiny)
        .unwrap();
    let coffee = repo().join("data/images/coffee.png");
    let missing = s.path("missing.png");
    let notimage = s.path("not-an-image.png");
    std::fs::write(&notimage, b"this is not a PNG").unwrap();
    for img in [&blank, &tiny, &coffee, &missing, &notimage] {
        let img = img.to_str().unwrap();
        let out = s.path("never.key");
        input_error(&run(&["iris", "enroll", img, "-o", &s.s("never.njir")]));
        assert!(!s.path("never.njir").exists());
        input_error(&run(&[
            "iris",
            "key",
            "--record",
            &rec,
            img,
            "-o",
            out.to_str().unwrap(),
        ]));
        assert!(!out.exists());
        input_error(&run(&[
            "reveal",
            "--stego",
            img,
            "--iris-record",
            &rec,
            "--iris",
            img,
        ]));
    }
}

#[test]
fn malformed_records_are_input_errors() {
    let s = Scratch::new("rec");
    let iris = eye(&s, 17, 0);
    let junk = s.path("junk.njir");
    std::fs::write(&junk, b"NJIR\x01 too short").unwrap();
    let e = input_error(&run(&[
        "iris",
        "key",
        "--record",
        junk.to_str().unwrap(),
        &iris,
    ]));
    assert!(e.contains("enrollment record"), "{e}");
    std::fs::write(&junk, b"PK\x03\x04 a zip file").unwrap();
    let e = input_error(&run(&[
        "iris",
        "key",
        "--record",
        junk.to_str().unwrap(),
        &iris,
    ]));
    assert!(e.contains("not a Nightjar iris enrollment record"), "{e}");
    let e = input_error(&run(&["iris", "key", "--record", &s.s("nope"), &iris]));
    assert!(e.contains("cannot read"), "{e}");
    // A record altered by one bit regenerates nothing, even for the enrolled eye.
    let rec = enroll(&s, 17);
    let mut bytes = std::fs::read(&rec).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&rec, &bytes).unwrap();
    let o = run(&["iris", "key", "--record", &rec, &eye(&s, 17, 1)]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    // enroll refuses to overwrite a record.
    let e = input_error(&run(&["iris", "enroll", &iris, "-o", &rec]));
    assert!(e.contains("exists"), "{e}");
}

#[test]
fn iris_eval_reports_key_regeneration_rates() {
    let o = run(&[
        "iris",
        "eval",
        "--identities",
        "5",
        "--captures",
        "3",
        "--seed",
        "77",
        "--reach-samples",
        "3",
        "--json",
    ]);
    ok(&o);
    let v: Value = serde_json::from_slice(&o.stdout).expect("one JSON object");
    for k in [
        "frr",
        "far",
        "d_prime",
        "eer",
        "genuine_attempts",
        "impostor_attempts",
        "failures_to_enroll",
        "ms_per_template",
        "ms_per_regeneration",
        "key_bits",
        "genuine_rejections",
        "impostor_acceptances",
        "degrees_of_freedom",
    ] {
        assert!(v.get(k).is_some(), "missing {k}: {v}");
    }
    let fte = v["failures_to_enroll"].as_u64().unwrap();
    assert_eq!(v["genuine_attempts"].as_u64().unwrap(), (5 - fte) * 2);
    assert!(v["impostor_attempts"].as_u64().unwrap() >= (5 - fte) * 4 * 3 - 12);
    assert_eq!(v["far"].as_f64().unwrap(), 0.0);
    assert_eq!(v["wrong_keys"].as_u64().unwrap(), 0);
    assert!(v["key_bits"].as_u64().unwrap() >= 128);
    let text = run(&[
        "iris",
        "eval",
        "--identities",
        "3",
        "--captures",
        "2",
        "--reach-samples",
        "0",
    ]);
    ok(&text);
    assert!(stdout(&text).contains("FRR") && stdout(&text).contains("FAR"));
}
