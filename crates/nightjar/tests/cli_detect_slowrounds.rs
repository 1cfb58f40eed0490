//! End-to-end test of `nightjar ids detect` on slow attacks whose rounds come further apart than
//! the episodes' gap, driving the real binary with the built-in models on the committed capture
//! `slowrounds` (`data/captures/SOURCE.md`, "Slow attacks' rounds"; made by `lab/tlsdos.sh` with
//! `lab/slowrounds.attacks`): slowhttptest's slow headers (`-H`, 60 connections, a round every
//! 10 s), slow headers again 12 s after it against the same service (50 connections, every 7 s),
//! slow body (`-B`, 50 connections, every 9 s) against nginx's HTTPS on 443, and slow headers
//! (40 connections, every 6 s) against a saturated HTTPS server on 8443, beside normal HTTPS
//! clients.
//!
//! The build before the fix (main 91bccf9) raised an alert per round of header lines or body
//! bytes (3, 3, 2 and 3: eleven for four attacks): each round is an episode of its own, the
//! rounds further apart than the 4 s gap. Now an episode of slow requests that adds to
//! connections counted before (or only closes them) is merged into the alert of its attack's
//! round before it (`crates/ids/src/detect.rs`, "Slow attacks' rounds"), and the second attack,
//! whose connections are new, is an alert of its own.
//!
//! Known answers from tcpdump 4.99 (an independent decoder) on the capture: 12,788 frames, 12
//! of them ARP; `'src host 198.18.0.66 and tcp[13]&0x12==0x02'` 230 SYNs from the attacker, 46
//! of them to port 8443. The test checks its own reading of the frames against them.

mod common;
use common::*;

/// SYNs (without ACK) from the attacker to TCP port `port` (any: 0) among the IPv4 frames.
fn syns(bytes: &[u8], port: u16) -> usize {
    count_syns_to(bytes, [198, 18, 0, 66], port)
}

#[test]
fn each_slow_attack_is_one_alert_however_far_apart_its_rounds() {
    let bytes = std::fs::read(cap("slowrounds.pcap")).unwrap();
    assert_eq!(pcap_records(&bytes).len(), 12788);
    assert_eq!(syns(&bytes, 0), 230);
    assert_eq!(syns(&bytes, 8443), 46);
    let eps = episodes("slowrounds");
    assert_eq!(sorted_labels(&eps), ["other-attack"; 4]);
    for extra in [&[][..], &["--threads", "1"]] {
        let j = detect_json_with("slowrounds", extra);
        assert_eq!(j["records"], 12788);
        assert_eq!(j["arp"], 12);
        assert_all_alerted_right(&format!("{extra:?}"), &j, &eps);
        let alerts = j["alerts"].as_array().unwrap();
        // one alert per attack, each covering its attack's span
        assert_eq!(alerts.len(), 4, "{extra:?}");
        assert_eq!(j["merged_alerts"], 7, "{extra:?}");
        for e in &eps {
            let over = covering(e, alerts);
            assert_eq!(over.len(), 1, "{extra:?}: {}", e["command"]);
            let a = over[0];
            assert_eq!(
                a["nightjar"]["profile"]["rule"],
                "slow-requests",
                "{}",
                show(a)
            );
            let first = secs(a["nightjar"]["first_seen"].as_str().unwrap());
            let last = secs(a["nightjar"]["last_seen"].as_str().unwrap());
            let (start, end) = (e["start"].as_f64().unwrap(), e["end"].as_f64().unwrap());
            assert!(
                start <= first && last <= end,
                "{}: {}",
                e["command"],
                show(a)
            );
            // (its rounds: from the first flagged one to the tool's closes, 10 s and more)
            assert!(last - first >= 10.0, "{}: {}", e["command"], show(a));
        }
        // merging off is not a setting: the rule off reads the capture as the base did before
        // session 26, nothing alerted
        let off = detect_json_with(
            "slowrounds",
            &[extra, &["--slow-request-threshold", "0"][..]].concat(),
        );
        assert_eq!(off["alerts"].as_array().unwrap().len(), 0, "{extra:?}");
    }
}
