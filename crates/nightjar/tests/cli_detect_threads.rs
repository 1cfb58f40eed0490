//! End-to-end tests of `nightjar ids detect --threads`: the two-thread pipeline (reading and
//! features on one thread, scoring on the other) gives byte-identical score files, alerts and
//! counters to the single-threaded run, on a whole lab capture and on a truncated and a corrupt
//! one; and outputs that are not regular files (a FIFO here, `/dev/null` in the benchmark) are
//! written in place, never replaced by a renamed temporary file.

use serde_json::Value;

mod common;
use common::*;

fn cap(name: &str) -> String {
    repo()
        .join(format!("data/captures/{name}"))
        .display()
        .to_string()
}

/// Runs `ids detect --pcap PCAP --threads T` with a score file and EVE file in `s`; returns
/// (exit code, scores, EVE, the JSON summary without its timings, stderr).
fn detect(
    s: &Scratch,
    pcap: &str,
    threads: &str,
    extra: &[&str],
) -> (i32, String, String, Value, String) {
    let (csv, eve) = (format!("t{threads}.csv"), format!("t{threads}.eve"));
    let (csv_path, eve_path) = (s.s(&csv), s.s(&eve));
    let mut args = vec![
        "ids",
        "detect",
        "--pcap",
        pcap,
        "--threads",
        threads,
        "--scores",
        &csv_path,
        "--eve",
        &eve_path,
        "--json",
    ];
    args.extend_from_slice(extra);
    let o = run(&args);
    let err = stderr(&o);
    assert!(!err.contains("panicked"), "{err}");
    let mut j: Value = serde_json::from_slice(&o.stdout).unwrap_or(Value::Null);
    if let Some(m) = j.as_object_mut() {
        m.remove("seconds");
        m.remove("records_per_second");
    }
    let read = |f: &str| std::fs::read_to_string(s.path(f)).unwrap_or_default();
    (code(&o), read(&csv), read(&eve), j, err)
}

#[test]
fn two_threads_give_the_scores_alerts_and_counters_of_one() {
    let s = Scratch::new("detect-threads");
    let pcap = cap("test3.pcap");
    // 257 records per batch: many batches, and some whose rows leave one row alone in the
    // network's last chunk of 256 (the path the namer must keep for that row)
    for (batch, exact) in [
        ("1024", false),
        ("257", false),
        ("1024", true),
        ("257", true),
    ] {
        let mut extra = vec!["--batch", batch];
        if exact {
            extra.push("--exact");
        }
        let one = detect(&s, &pcap, "1", &extra);
        let two = detect(&s, &pcap, "2", &extra);
        let reused = one.3["verdicts_reused"].as_u64().unwrap();
        assert_eq!(reused == 0, exact, "{reused} verdicts reused");
        assert_eq!(one.0, 0, "{}", one.4);
        assert_eq!(two.0, 0, "{}", two.4);
        assert_eq!(
            one.1.lines().count(),
            24_446,
            "a row per record and the header"
        );
        assert!(one.1 == two.1, "score files differ (batch {batch})");
        assert!(!one.2.is_empty(), "test3 raises alerts");
        assert!(one.2 == two.2, "alerts differ (batch {batch})");
        assert_eq!(one.3, two.3, "counters differ (batch {batch})");
    }
}

#[test]
fn two_threads_keep_the_partial_results_and_messages_of_truncated_and_corrupt_captures() {
    let s = Scratch::new("detect-threads-bad");
    let whole = std::fs::read(cap("normal-only.pcap")).unwrap();
    std::fs::write(s.path("cut.pcap"), &whole[..whole.len() / 2 + 7]).unwrap();
    let one = detect(&s, &s.s("cut.pcap"), "1", &["--batch", "100"]);
    let two = detect(&s, &s.s("cut.pcap"), "2", &["--batch", "100"]);
    assert_eq!((one.0, two.0), (0, 0), "{}", two.4);
    assert!(
        two.4.contains("warning") && two.4.contains("truncated"),
        "{}",
        two.4
    );
    assert!(one.1 == two.1 && one.3 == two.3);
    let n = two.3["records"].as_u64().unwrap();
    assert!(n > 100 && n < 3146, "{n}");
    // a record header claiming 1 GB: exit 2 after the records before it, alike
    let mut bad = whole.clone();
    let second = 24 + 16 + u32::from_le_bytes(whole[32..36].try_into().unwrap()) as usize;
    bad[second + 8..second + 12].copy_from_slice(&0x4000_0000u32.to_le_bytes());
    std::fs::write(s.path("corrupt.pcap"), &bad).unwrap();
    let one = detect(&s, &s.s("corrupt.pcap"), "1", &[]);
    let two = detect(&s, &s.s("corrupt.pcap"), "2", &[]);
    assert_eq!((one.0, two.0), (2, 2));
    assert!(two.4.contains("records before it"), "{}", two.4);
    assert_eq!(
        one.4.lines().last(),
        two.4.lines().last(),
        "the same error message"
    );
}

#[test]
fn an_eve_output_that_is_a_fifo_is_written_in_place() {
    let s = Scratch::new("detect-fifo");
    let fifo = s.path("eve.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .map(|st| st.success())
        .unwrap_or(false);
    if !made {
        eprintln!("skipped: mkfifo is not available");
        return;
    }
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let o = run(&[
        "ids",
        "detect",
        "--pcap",
        &cap("test3.pcap"),
        "--eve",
        &s.s("eve.fifo"),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let got = reader.join().unwrap();
    assert!(got.lines().count() > 5, "alerts came through the FIFO");
    assert!(got.lines().all(|l| l.contains("\"event_type\":\"alert\"")));
    use std::os::unix::fs::FileTypeExt;
    let t = std::fs::symlink_metadata(&fifo).unwrap().file_type();
    assert!(t.is_fifo(), "the FIFO is still a FIFO");
    let leftovers: Vec<_> = std::fs::read_dir(&s.0)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("nightjar-tmp"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "no temporary file left: {leftovers:?}"
    );
}
