//! End-to-end test of `nightjar ids detect` on fragment attacks beside normal fragmented
//! traffic, driving the real binary with the built-in models on the committed capture
//! `fragments` (`data/captures/SOURCE.md`, "Fragment attacks"; made by `lab/classic.sh` with
//! `lab/fragments.plan`'s attacks).
//!
//! * teardrop (`lab/classic.py teardrop`): 150 times a first UDP fragment of 8 + 28 bytes, then
//!   the last fragment at offset 24 carrying 4 bytes, inside the first;
//! * nestea: 100 times three fragments, the third starting at offset 0 again over the other two;
//! * `nmap -sS -f` (8-byte fragments) and `nmap -sX -ff` (16-byte ones): fragmented scans,
//!   which overlap nothing;
//! * all along, normal fragmented traffic: the victim (198.18.0.10) pings the client
//!   (198.18.0.20) with 3,000-byte echo requests twice a second, and answers the client's
//!   questions (`lab/bigudp.py`, a new source port each, four a second) with 3,500-byte
//!   datagrams, both cut into fragments.
//!
//! Before the overlap check (`crates/ids/src/fragments.rs`, "Overlapping fragments") teardrop
//! and nestea were not alerted, and before probes kept their sender (`detect.rs`,
//! `sent_as_probe`) both nmap scans went into a false episode of the victim: 0 of 4 alerted,
//! 1 false alert with the session's base build.
//!
//! Known answers from tcpdump 4.99 (an independent decoder) on the capture: 7,351 frames;
//! `'src host 198.18.0.66 and (ip[6:2] & 0x1fff) = 3'` 150 teardrop second fragments,
//! `'... = 6'` 100 nestea second fragments, `'host 198.18.0.10 and host 198.18.0.20 and
//! (ip[6:2] & 0x3fff) != 0'` 2,580 fragments of the normal traffic; the test checks its own
//! reading of the frames against them.

mod common;
use common::*;

const VICTIM: [u8; 4] = [198, 18, 0, 10];
const CLIENT: [u8; 4] = [198, 18, 0, 20];
const ATTACKER: [u8; 4] = [198, 18, 0, 66];

/// (the attacker's fragments at offset 3 and at offset 6, in 8-byte units; fragments between
/// the victim and the client) among the capture's IPv4 frames.
fn counts(bytes: &[u8]) -> (usize, usize, usize) {
    let mut c = (0, 0, 0);
    for (_, _, f) in pcap_records(bytes) {
        if f.len() < 14 + 20 || f[12..14] != [0x08, 0x00] {
            continue;
        }
        let ip = &f[14..];
        let (src, dst) = (&ip[12..16], &ip[16..20]);
        let word = u16::from_be_bytes([ip[6], ip[7]]);
        if src == ATTACKER {
            c.0 += usize::from(word & 0x1fff == 3);
            c.1 += usize::from(word & 0x1fff == 6);
        }
        let pair = (src == VICTIM && dst == CLIENT) || (src == CLIENT && dst == VICTIM);
        c.2 += usize::from(pair && word & 0x3fff != 0);
    }
    c
}

#[test]
fn overlapping_fragments_and_fragmented_scans_are_alerted_and_normal_fragments_are_not() {
    let bytes = std::fs::read(cap("fragments.pcap")).unwrap();
    assert_eq!(pcap_records(&bytes).len(), 7_351);
    assert_eq!(counts(&bytes), (150, 100, 2580));
    let eps = episodes("fragments");
    assert_eq!(
        sorted_labels(&eps),
        ["other-attack", "other-attack", "scan-syn", "scan-xmas"]
    );
    for extra in [&[][..], &["--threads", "1"]] {
        let j = detect_json_with("fragments", extra);
        let what = format!("fragments {extra:?}");
        assert_all_alerted_right(&what, &j, &eps);
        let alerts = j["alerts"].as_array().unwrap();
        // teardrop's and nestea's alerts say why: their overlapping fragments
        for needle in ["teardrop", "nestea"] {
            let e = by_command(&eps, needle);
            let a = covering(e, alerts);
            assert_eq!(a.len(), 1, "{what}: {needle}");
            let p = &a[0]["nightjar"]["profile"];
            assert_eq!(p["rule"], "overlapping-fragments", "{what}: {}", show(a[0]));
            assert!(
                a[0]["alert"]["signature"]
                    .as_str()
                    .unwrap()
                    .contains("overlapping IP fragments"),
                "{what}"
            );
            assert_eq!(
                p["overlapping_fragments"],
                100 + 50 * u64::from(needle == "teardrop")
            );
        }
        // the fragmented scans overlap nothing: 150 + 100 in all, the attacks' own
        assert_eq!(j["overlapping_fragments"], 250, "{what}");
        // no alert names the victim or the client as an attacker
        assert!(
            alerts.iter().all(|a| a["src_ip"] == "198.18.0.66"),
            "{what}: {:?}",
            alerts.iter().map(show).collect::<Vec<_>>()
        );
    }
}
