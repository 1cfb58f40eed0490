//! End-to-end tests of `nightjar ids detect` on captures whose clock is not in order
//! (`crates/ids/src/timeline.rs`), driving the real binary with the built-in models:
//!
//! * two committed lab captures concatenated in the wrong order, as `mergecap -a` of a ring
//!   buffer's files in name order makes them: `floods` (recorded later) first, then
//!   `backtoback` (recorded 51 minutes before it). Taken at the last time, every packet of
//!   the second would carry the first's last timestamp: its attacks' alerts had the wrong times
//!   and no duration, and its attackers' episodes ran into those of the first.
//! * `backtoback` with two records stamped far off (one in 1970, one in 2096), as a damaged
//!   capture may hold: the one in the future moved every stage's clock there before.
//!
//! Both captures are pcap files of the same link type, byte order and snap length (their
//! 24-byte file headers are equal, which the test checks), so the concatenation is the first
//! file followed by the second one's records.

mod common;
use common::*;
use serde_json::Value;

/// The records' byte offsets in a pcap file.
fn record_offsets(bytes: &[u8]) -> Vec<usize> {
    pcap_records(bytes).iter().map(|r| r.0).collect()
}

#[test]
fn captures_concatenated_out_of_order_are_detected_as_two_captures() {
    let later = std::fs::read(cap("floods.pcap")).unwrap();
    let earlier = std::fs::read(cap("backtoback.pcap")).unwrap();
    assert_eq!(later[..24], earlier[..24], "the same file header");
    let eps_later = episodes("floods");
    let eps_earlier = episodes("backtoback");
    let end_earlier = eps_earlier
        .iter()
        .map(|e| e["end"].as_f64().unwrap())
        .fold(f64::MIN, f64::max);
    let start_later = eps_later
        .iter()
        .map(|e| e["start"].as_f64().unwrap())
        .fold(f64::MAX, f64::min);
    assert!(start_later - end_earlier > 600.0, "recorded apart");
    let s = Scratch::new("detect-timeline-concat");
    let mut both = later.clone();
    both.extend_from_slice(&earlier[24..]);
    std::fs::write(s.path("both.pcap"), &both).unwrap();
    let path = s.s("both.pcap");
    let eps: Vec<Value> = eps_later.iter().chain(&eps_earlier).cloned().collect();
    for extra in [&[][..], &["--threads", "1"]] {
        let j = detect_json_at(&path, extra);
        let what = format!("concatenated {extra:?}: ");
        assert_eq!(j["clock_restarts"], 1, "{what}");
        assert_eq!(j["out_of_line"], 0, "{what}");
        let warnings = j["warnings"].to_string();
        assert!(
            warnings.contains("goes back by more than 10 s"),
            "{warnings}"
        );
        assert_all_alerted_right(&what, &j, &eps);
        // each alert lies within one of the two captures' spans, none across them
        for a in j["alerts"].as_array().unwrap() {
            let t0 = secs(a["nightjar"]["first_seen"].as_str().unwrap());
            let t1 = secs(a["nightjar"]["last_seen"].as_str().unwrap());
            assert!(
                t1 < end_earlier + 30.0 || t0 > start_later - 30.0,
                "{}",
                show(a)
            );
        }
        // the records of both were all read
        let n = record_offsets(&later).len() + record_offsets(&earlier).len();
        assert_eq!(j["records"], n as u64);
    }
    // each capture alone: no restart, the same alerts as its part of the concatenation
    let j = detect_json("backtoback");
    assert_eq!(j["clock_restarts"], 0);
    assert_eq!(j["out_of_line"], 0);
}

#[test]
fn records_stamped_far_off_take_their_neighbours_time() {
    let mut bytes = std::fs::read(cap("backtoback.pcap")).unwrap();
    let offsets = record_offsets(&bytes);
    let n = offsets.len();
    // one record a third of the way in stamped 1970-01-01, one at two thirds in 2096
    let (a, b) = (offsets[n / 3], offsets[2 * n / 3]);
    bytes[a..a + 4].copy_from_slice(&0u32.to_le_bytes());
    bytes[b..b + 4].copy_from_slice(&4_000_000_000u32.to_le_bytes());
    let s = Scratch::new("detect-timeline-stamps");
    std::fs::write(s.path("stamps.pcap"), &bytes).unwrap();
    let path = s.s("stamps.pcap");
    let scores = s.s("s.csv");
    let eps = episodes("backtoback");
    for extra in [&["--scores", &scores][..], &["--threads", "1"]] {
        let j = detect_json_at(&path, extra);
        let what = format!("stamps {:?}: ", extra.first());
        assert_eq!(j["out_of_line"], 2, "{what}");
        assert_eq!(j["clock_restarts"], 0, "{what}");
        assert!(j["warnings"]
            .to_string()
            .contains("2 record(s) stamped more than 10 s off"));
        assert_all_alerted_right(&what, &j, &eps);
        assert_eq!(j["records"], n as u64);
    }
    // the score rows of the two records carry the time of the record before each
    let csv = std::fs::read_to_string(s.path("s.csv")).unwrap();
    let rows: Vec<Vec<&str>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows.len(), n);
    for i in [n / 3, 2 * n / 3] {
        assert_eq!(rows[i][0], i.to_string());
        assert_eq!(rows[i][1], rows[i - 1][1], "record {i}");
    }
}

/// A sensor's clock stepped back by 5 s in the middle of a capture (session 21: `lab/impair.py
/// step --delta -5` passed without a word): detection goes on in one period, every record is
/// read, and the user is warned once that rates near the step may be off.
#[test]
fn a_clock_stepped_back_a_few_seconds_is_a_warning() {
    let mut bytes = std::fs::read(cap("backtoback.pcap")).unwrap();
    let offsets = record_offsets(&bytes);
    let n = offsets.len();
    for &o in &offsets[n / 2..] {
        let sec = u32::from_le_bytes(bytes[o..o + 4].try_into().unwrap());
        bytes[o..o + 4].copy_from_slice(&(sec - 5).to_le_bytes());
    }
    let s = Scratch::new("detect-timeline-step");
    std::fs::write(s.path("step.pcap"), &bytes).unwrap();
    let clean = detect_json("backtoback");
    assert_eq!(clean["clock_steps_back"], 0);
    assert!(!clean["warnings"].to_string().contains("steps back"));
    for extra in [&[][..], &["--threads", "1"]] {
        let j = detect_json_at(&s.s("step.pcap"), extra);
        let what = format!("step {extra:?}");
        assert_eq!(j["clock_steps_back"], 1, "{what}");
        assert_eq!(j["clock_restarts"], 0, "{what}");
        assert_eq!(j["out_of_line"], 0, "{what}");
        assert_eq!(j["records"], n as u64, "{what}");
        let warnings = j["warnings"].to_string();
        assert!(
            warnings.contains("steps back by 1 to 10 s at 1 point(s)"),
            "{what}: {warnings}"
        );
        assert_eq!(
            j["alerts"].as_array().unwrap().len(),
            clean["alerts"].as_array().unwrap().len(),
            "{what}"
        );
    }
}
