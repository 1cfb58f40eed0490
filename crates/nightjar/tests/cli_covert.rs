//! End-to-end tests of the covert-channel commands, driving the real `nightjar` binary:
//! keygen, seal/open, hide/reveal, capacity, stego analyze and demo.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

mod common;
use common::*;

fn photo(name: &str) -> PathBuf {
    repo().join("data/images").join(name)
}

fn keygen(s: &Scratch, name: &str) -> String {
    let p = s.path(name);
    let o = run(&["keygen", "-o", p.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(std::fs::read(&p).unwrap().len(), 32);
    p.to_str().unwrap().to_string()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&o.stdout)
        )
    })
}

/// A path as the CLI's argument.
fn arg(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `hide --cover COVER WHAT -o OUT REST...`: `what` is `["--message", TEXT]` or
/// `["--payload", FILE]`, `rest` the mode, bits and key options.
fn hide_args<'a>(
    cover: &'a Path,
    what: [&'a str; 2],
    out: &'a Path,
    rest: &[&'a str],
) -> Vec<&'a str> {
    [
        &[
            "hide",
            "--cover",
            arg(cover),
            what[0],
            what[1],
            "-o",
            arg(out),
        ],
        rest,
    ]
    .concat()
}

/// `reveal --stego STEGO REST...`.
fn reveal_args<'a>(stego: &'a Path, rest: &[&'a str]) -> Vec<&'a str> {
    [&["reveal", "--stego", arg(stego)], rest].concat()
}

/// `capacity --cover COVER --mode MODE --bits BITS --json`, which must succeed.
fn capacity_json(cover: &Path, mode: &str, bits: &str) -> Value {
    let o = run(&[
        "capacity",
        "--cover",
        arg(cover),
        "--mode",
        mode,
        "--bits",
        bits,
        "--json",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    json(&o)
}

fn payload_bytes(cover: &Path, mode: &str, bits: &str) -> u64 {
    capacity_json(cover, mode, bits)["payload_bytes"]
        .as_u64()
        .unwrap()
}

/// Deterministic bytes that look random (splitmix64).
fn noise(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed;
    (0..n)
        .map(|_| {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            (z ^ (z >> 31)) as u8
        })
        .collect()
}

#[test]
fn capacity_of_800x600_rgb_is_the_papers_180000_bytes() {
    let s = Scratch::new("cap");
    let p = s.path("c800.png");
    let img = image::RgbImage::from_fn(800, 600, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
    });
    img.save(&p).unwrap();
    let v = capacity_json(&p, "sequential", "1");
    assert_eq!(v["raw_bytes"], 180_000);
    assert_eq!(v["carriers"], 1_440_000);
    let payload = v["payload_bytes"].as_u64().unwrap();
    // 32 bytes of stego salt+header, 62 bytes of envelope header and tag
    assert_eq!(payload, 180_000 - 32 - 62);
    // two bits per sample doubles the raw capacity
    assert_eq!(capacity_json(&p, "sequential", "2")["raw_bytes"], 360_000);
}

/// hide → reveal returns the exact payload for 0, 1, a middle size and the reported maximum,
/// in every mode, for a grayscale and an RGB photograph; one byte more is refused before any
/// file is written.
#[test]
fn hide_reveal_round_trips_up_to_reported_capacity() {
    let s = Scratch::new("rt");
    let key = keygen(&s, "k");
    for cover in [photo("camera.png"), photo("chelsea.png")] {
        for (mode, bits) in [("scatter", "1"), ("sequential", "1"), ("sequential", "2")] {
            let max = payload_bytes(&cover, mode, bits);
            assert!(max > 10_000, "{max}");
            for len in [0, 1, (max / 3) as usize, max as usize] {
                let msg = noise(len, len as u64 + 7);
                let pay = s.path("payload.bin");
                std::fs::write(&pay, &msg).unwrap();
                let stego = s.path("stego.png");
                let o = run(&hide_args(
                    &cover,
                    ["--payload", arg(&pay)],
                    &stego,
                    &["--mode", mode, "--bits", bits, "--key-file", &key],
                ));
                assert_eq!(code(&o), 0, "{mode}/{bits} len {len}: {}", stderr(&o));
                let out = s.path("out.bin");
                let o = run(&reveal_args(&stego, &["-o", arg(&out), "--key-file", &key]));
                assert_eq!(code(&o), 0, "{mode}/{bits} len {len}: {}", stderr(&o));
                assert_eq!(std::fs::read(&out).unwrap(), msg, "{mode}/{bits} len {len}");
                std::fs::remove_file(&out).unwrap();
                std::fs::remove_file(&stego).unwrap();
            }
            // one byte more than reported: refused, exit 2, nothing written
            let pay = s.path("payload.bin");
            std::fs::write(&pay, noise(max as usize + 1, 1)).unwrap();
            let stego = s.path("too-big.png");
            let o = run(&hide_args(
                &cover,
                ["--payload", arg(&pay)],
                &stego,
                &["--mode", mode, "--bits", bits, "--key-file", &key],
            ));
            assert_eq!(code(&o), 2, "{}", stderr(&o));
            assert!(stderr(&o).contains("holds at most"), "{}", stderr(&o));
            assert!(!stego.exists());
        }
    }
}

#[test]
fn text_message_and_stdout_with_a_passphrase() {
    let s = Scratch::new("pass");
    let stego = s.path("s.png");
    let env = [("NJ_PASS", "correct horse battery staple")];
    let cover = photo("coffee.png");
    let by_pass = ["--passphrase-env", "NJ_PASS"];
    let hide = hide_args(&cover, ["--message", "hello iris"], &stego, &by_pass);
    let o = run_env(&[&hide[..], &["--json"]].concat(), &env, None);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["mode"], "scatter");
    assert_eq!(v["message_bytes"], 10);
    let o = run_env(&reveal_args(&stego, &by_pass), &env, None);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(o.stdout, b"hello iris");
    // wrong passphrase: exit 1, nothing on stdout
    let wrong = [("NJ_PASS", "correct horse battery stapler")];
    let o = run_env(&reveal_args(&stego, &by_pass), &wrong, None);
    assert_eq!(code(&o), 1);
    assert!(o.stdout.is_empty());
    assert!(
        stderr(&o).contains("no message for this key"),
        "{}",
        stderr(&o)
    );
    // a different --kdf-rounds is a different key
    let rounds = [&by_pass[..], &["--kdf-rounds", "17"]].concat();
    let o = run_env(&reveal_args(&stego, &rounds), &env, None);
    assert_eq!(code(&o), 1);
}

#[test]
fn wrong_key_and_flipped_lsbs_give_exit_1_and_no_output() {
    let s = Scratch::new("wrong");
    let key = keygen(&s, "k1");
    let other = keygen(&s, "k2");
    for (mode, bits) in [("scatter", "1"), ("sequential", "1")] {
        let stego = s.path("s.png");
        let o = run(&hide_args(
            &photo("chelsea.png"),
            ["--message", "attack at dawn"],
            &stego,
            &["--mode", mode, "--bits", bits, "--key-file", &key],
        ));
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let out = s.path("out.txt");
        let o = run(&reveal_args(
            &stego,
            &["-o", arg(&out), "--key-file", &other],
        ));
        assert_eq!(code(&o), 1, "{}", stderr(&o));
        assert!(!out.exists());
        assert!(o.stdout.is_empty());

        // flip the LSB of a third of the samples
        let mut img = image::open(&stego).unwrap().into_rgb8();
        for (i, p) in img.iter_mut().enumerate() {
            if i % 3 == 0 {
                *p ^= 1;
            }
        }
        let tampered = s.path("t.png");
        img.save(&tampered).unwrap();
        for args in [
            reveal_args(&tampered, &["-o", arg(&out), "--key-file", &key]),
            reveal_args(&tampered, &["--key-file", &key]),
        ] {
            let o = run(&args);
            assert_eq!(code(&o), 1, "{}", stderr(&o));
            assert!(!out.exists());
            assert!(o.stdout.is_empty());
        }
    }
}

#[test]
fn a_single_flipped_payload_bit_is_caught_by_the_envelope() {
    // Sequential mode: the payload starts right after 256 salt+header slots in raster order, so
    // flipping carrier 300 flips a ciphertext bit; the stego header still matches the key, so the
    // envelope's tag is what refuses it.
    let s = Scratch::new("onebit");
    let key = keygen(&s, "k");
    let stego = s.path("s.png");
    let o = run(&hide_args(
        &photo("camera.png"),
        ["--message", &"x".repeat(200)],
        &stego,
        &["--mode", "sequential", "--key-file", &key],
    ));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let mut img = image::open(&stego).unwrap().into_luma8();
    img.as_mut()[600] ^= 1;
    img.save(&stego).unwrap();
    let o = run(&reveal_args(&stego, &["--key-file", &key]));
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains("altered"), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
}

/// A black-and-white cover (every sample 0 or 255) holds nothing in scatter mode, whatever its
/// size: the refusal says why and what to do instead, and sequential mode then carries the
/// message.
#[test]
fn a_black_and_white_cover_is_refused_by_scatter_mode_with_the_reason() {
    let s = Scratch::new("bw");
    let key = keygen(&s, "k");
    let cover = s.path("bw.png");
    image::GrayImage::from_fn(400, 300, |x, y| {
        image::Luma([if (x / 7 + y / 5) % 2 == 0 { 0 } else { 255 }])
    })
    .save(&cover)
    .unwrap();
    let out = s.path("o.png");
    let o = run(&hide_args(
        &cover,
        ["--message", "m"],
        &out,
        &["--key-file", &key],
    ));
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("120000 of its 120000 samples are 0 or 255"),
        "{e}"
    );
    assert!(
        e.contains("--mode sequential") && !e.contains("larger cover"),
        "{e}"
    );
    assert!(!out.exists());
    let o = run(&hide_args(
        &cover,
        ["--message", "m"],
        &out,
        &["--mode", "sequential", "--key-file", &key],
    ));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = run(&reveal_args(&out, &["--key-file", &key]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(o.stdout, b"m");
}

#[test]
fn jpeg_cover_is_refused_with_a_reason() {
    let s = Scratch::new("jpeg");
    let key = keygen(&s, "k");
    let jpg = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/chelsea-small.jpg");
    let out = s.path("o.png");
    let o = run(&hide_args(
        &jpg,
        ["--message", "m"],
        &out,
        &["--key-file", &key],
    ));
    assert_eq!(code(&o), 2);
    let e = stderr(&o);
    assert!(e.contains("lossy") && e.contains("destroy"), "{e}");
    assert!(!out.exists());
    let o = run(&["capacity", "--cover", arg(&jpg)]);
    assert_eq!(code(&o), 2);
}

#[test]
fn bad_inputs_give_exit_2_and_clear_messages() {
    let s = Scratch::new("bad");
    let key = keygen(&s, "k");
    let corrupt = s.path("corrupt.png");
    let mut png = std::fs::read(photo("camera.png")).unwrap();
    png.truncate(png.len() / 2);
    std::fs::write(&corrupt, &png).unwrap();
    let not_image = s.path("text.png");
    std::fs::write(&not_image, b"hello, not an image").unwrap();
    let empty = s.path("empty.png");
    std::fs::write(&empty, b"").unwrap();
    let out = s.path("o.png");
    for cover in [&corrupt, &not_image, &empty, &s.path("missing.png")] {
        let o = run(&hide_args(
            cover,
            ["--message", "m"],
            &out,
            &["--key-file", &key],
        ));
        assert_eq!(code(&o), 2, "{}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"));
        assert!(!out.exists());
        let o = run(&reveal_args(cover, &["--key-file", &key]));
        assert_eq!(code(&o), 2, "{}", stderr(&o));
    }
    // no key at all
    let o = run(&hide_args(
        &photo("camera.png"),
        ["--message", "m"],
        &out,
        &[],
    ));
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("a key is needed"), "{}", stderr(&o));
    // a too-short key file
    let short = s.path("short.key");
    std::fs::write(&short, b"12345").unwrap();
    let o = run(&["seal", "--key-file", arg(&short)]);
    assert_eq!(code(&o), 2);
    // scatter with 2 bits is a usage error that says why
    let o = run(&hide_args(
        &photo("camera.png"),
        ["--message", "m"],
        &out,
        &["--bits", "2", "--key-file", &key],
    ));
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("sequential"), "{}", stderr(&o));
    // unset passphrase variable
    let o = run(&["seal", "--passphrase-env", "NIGHTJAR_SURELY_UNSET_VAR"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("not set"));
    // keygen never overwrites a key silently
    let o = run(&["keygen", "-o", &key]);
    assert_eq!(code(&o), 2);
}

#[test]
fn seal_open_round_trip_and_failures() {
    let s = Scratch::new("seal");
    let key = keygen(&s, "k");
    let other = keygen(&s, "k2");
    let plain = noise(3 * 1024 * 1024 + 5, 42); // several 1 MiB chunks
    let inp = s.path("plain.bin");
    std::fs::write(&inp, &plain).unwrap();
    let env_path = s.path("plain.njse");
    let o = run(&[
        "seal",
        "-i",
        arg(&inp),
        "-o",
        arg(&env_path),
        "--key-file",
        &key,
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let sealed = std::fs::read(&env_path).unwrap();
    assert_eq!(&sealed[..4], b"NJSE");
    // via files
    let out = s.path("out.bin");
    let o = run(&[
        "open",
        "-i",
        arg(&env_path),
        "-o",
        arg(&out),
        "--key-file",
        &key,
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(std::fs::read(&out).unwrap(), plain);
    std::fs::remove_file(&out).unwrap();
    // via stdin/stdout
    let o = run_env(&["open", "--key-file", &key], &[], Some(&sealed));
    assert_eq!(code(&o), 0);
    assert_eq!(o.stdout, plain);
    // wrong key
    let o = run(&[
        "open",
        "-i",
        arg(&env_path),
        "-o",
        arg(&out),
        "--key-file",
        &other,
    ]);
    assert_eq!(code(&o), 1);
    assert!(!out.exists());
    // a flipped byte in the last chunk: earlier chunks verify, yet nothing is released
    let mut bad = sealed.clone();
    let n = bad.len();
    bad[n - 40] ^= 0x01;
    for args in [
        vec!["open", "--key-file", &key],
        vec!["open", "-o", arg(&out), "--key-file", &key],
    ] {
        let o = run_env(&args, &[], Some(&bad));
        assert_eq!(code(&o), 1, "{}", stderr(&o));
        assert!(o.stdout.is_empty());
        assert!(!out.exists());
        assert!(
            stderr(&o).contains("authentication failed"),
            "{}",
            stderr(&o)
        );
    }
    // truncated at a chunk boundary
    let cut = &sealed[..30 + (1 << 20) + 32];
    let o = run_env(&["open", "--key-file", &key], &[], Some(cut));
    assert_eq!(code(&o), 1);
    assert!(o.stdout.is_empty());
    // not an envelope at all
    let o = run_env(
        &["open", "--key-file", &key],
        &[],
        Some(b"definitely not an envelope"),
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    // passphrase envelope opened with a key file: says which key it needs
    let o = run_env(
        &["seal", "--passphrase-env", "P"],
        &[("P", "pw")],
        Some(b"abc"),
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let pw_env = o.stdout;
    let o = run_env(&["open", "--key-file", &key], &[], Some(&pw_env));
    assert_ne!(code(&o), 0);
    assert!(stderr(&o).contains("passphrase"), "{}", stderr(&o));
    let o = run_env(
        &["open", "--passphrase-env", "P"],
        &[("P", "pw")],
        Some(&pw_env),
    );
    assert_eq!(code(&o), 0);
    assert_eq!(o.stdout, b"abc");
}

#[test]
fn stego_analyze_reports_json_for_each_image() {
    let o = run(&[
        "stego",
        "analyze",
        arg(&photo("camera.png")),
        arg(&photo("coffee.png")),
        "--json",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = json(&o);
    let imgs = v["images"].as_array().unwrap();
    assert_eq!(imgs.len(), 2);
    for i in imgs {
        assert!(i["rs"]["rate"].as_f64().unwrap().is_finite());
        assert!(i["spa"]["rate"].as_f64().unwrap().is_finite());
        assert!(i["chi_square"]["p_value"].as_f64().unwrap().is_finite());
        assert_eq!(i["detected"], false, "a clean photograph was flagged: {i}");
    }
}

#[test]
fn demo_runs_end_to_end() {
    let s = Scratch::new("demo");
    let o = run(&["demo", "--out", s.0.to_str().unwrap()]);
    assert_eq!(
        code(&o),
        0,
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        stderr(&o)
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("every check passed"), "{out}");
    assert!(s.path("stego-scatter.png").exists());
    assert!(s.path("stego-sequential.png").exists());
}

/// An output path that is a FIFO (or `/dev/null`) is written in place: the temporary-file-and-
/// rename that protects regular files would replace the special file with a regular one.
#[test]
fn outputs_that_are_not_regular_files_are_written_in_place() {
    use std::os::unix::fs::FileTypeExt;
    let s = Scratch::new("fifo-out");
    let key = keygen(&s, "k");
    let fifo = s.path("out.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|st| st.success());
    if !made {
        eprintln!("skipped: mkfifo is not available");
        return;
    }
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).unwrap())
    };
    let msg = s.path("msg.txt");
    std::fs::write(&msg, b"through a pipe").unwrap();
    let o = run(&[
        "seal",
        "-i",
        arg(&msg),
        "-o",
        arg(&fifo),
        "--key-file",
        &key,
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let sealed = reader.join().unwrap();
    assert!(
        sealed.starts_with(b"NJSE"),
        "the envelope came through the FIFO"
    );
    let t = std::fs::symlink_metadata(&fifo).unwrap().file_type();
    assert!(t.is_fifo(), "the FIFO is still a FIFO");
    // and the envelope opens
    let env = s.path("env.njse");
    std::fs::write(&env, &sealed).unwrap();
    let o = run(&["open", "-i", arg(&env), "--key-file", &key]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(o.stdout, b"through a pipe");
}
