//! End-to-end test of `nightjar ids detect` on slowhttptest's slow read (`-X`), driving the real
//! binary with the built-in models on the committed capture `slowread`
//! (`data/captures/SOURCE.md`, "slowhttptest's slow read"; made by `lab/slowread.sh` with
//! `lab/slowread.small.attacks`): slow read over plain HTTP (80 connections, windows of 16-48
//! bytes asked for, 24 bytes read every 3 s) and over HTTPS (60 connections, 10-20 bytes, 32
//! every 5 s), then slow headers (`-H`, 50 connections) as a control, against nginx, beside
//! normal clients that are slow for their own reasons: rate-limited downloads (curl
//! `--limit-rate 2k`, wget `--limit-rate 3k`), a download piped into a reader that sleeps, a
//! video-style stream, a browser-like client's twelve keep-alive connections.
//!
//! The build before the fix (main 571da9b) missed both slow reads: their requests are whole and
//! answered; what holds the server is the client's receive window, shut on every connection,
//! which no rule looked at. The slow-request rule now counts a connection whose client keeps
//! its window shut (zero) a pause (2 s) after it first did, the server having sent data since
//! the client's last, and names an alert most of whose packets are of such connections slow
//! reads (`crates/ids/src/slowrequests.rs`). The normal clients shut their windows too (95
//! times), but on a few connections each, far under the 32 of the threshold.
//!
//! Known answers from tcpdump 4.99 (an independent decoder) on the capture: 9,101 frames, 12 of
//! them ARP; `'src host 198.18.0.66 and tcp[13]&0x12==0x02'` 207 SYNs from the attacker, 66 of
//! them to port 443; `'tcp[14:2]=0 and tcp[13]&0x17=0x10'` 840 acknowledgements shutting the
//! window from the attacker and 95 from the normal clients (66 from .20, 25 from .22, 4 from
//! .23). The test checks its own reading of the frames against them.

mod common;
use common::*;

/// Acknowledgements (ACK alone among SYN, RST, FIN, ACK) advertising a zero window, from `src`
/// (any: `None`), among the capture's IPv4 frames.
fn shut_windows(bytes: &[u8], src: Option<[u8; 4]>) -> usize {
    count_ipv4(bytes, |ip, ihl| {
        ip.get(9) == Some(&6)
            && src.is_none_or(|s| ip.get(12..16) == Some(&s[..]))
            && ip.get(ihl + 13).is_some_and(|fl| fl & 0x17 == 0x10)
            && ip.get(ihl + 14..ihl + 16) == Some(&[0, 0][..])
    })
}

#[test]
fn slow_reads_over_http_and_https_are_alerted_and_slow_clients_are_not() {
    let bytes = std::fs::read(cap("slowread.pcap")).unwrap();
    assert_eq!(pcap_records(&bytes).len(), 9101);
    assert_eq!(count_syns_to(&bytes, [198, 18, 0, 66], 0), 207);
    assert_eq!(count_syns_to(&bytes, [198, 18, 0, 66], 443), 66);
    assert_eq!(shut_windows(&bytes, Some([198, 18, 0, 66])), 840);
    assert_eq!(shut_windows(&bytes, None), 840 + 95);
    let eps = episodes("slowread");
    assert_eq!(sorted_labels(&eps), ["other-attack"; 3]);
    for extra in [&[][..], &["--threads", "1"]] {
        let j = detect_json_with("slowread", extra);
        assert_eq!(j["records"], 9101);
        assert_eq!(j["arp"], 12);
        assert_all_alerted_right(&format!("{extra:?}"), &j, &eps);
        let alerts = j["alerts"].as_array().unwrap();
        assert_no_false_alert(&format!("{extra:?}"), alerts, &eps);
        // one alert per attack, named by what held the connections: each slow read's later
        // episodes (its window probes answered further apart than the gap) merged into it, as
        // the slow headers' next round (the base: 1 merge)
        assert_eq!(alerts.len(), 3, "{extra:?}");
        assert_eq!(j["merged_alerts"], 3, "{extra:?}");
        assert_eq!(j["flagged_by_slow_request_rule"], 866, "{extra:?}");
        for (needle, rule) in [
            ("-X -c 80", "slow-reads"),
            ("-X -c 60", "slow-reads"),
            ("-H -c 50", "slow-requests"),
        ] {
            let e = by_command(&eps, needle);
            let over = covering(e, alerts);
            assert_eq!(over.len(), 1, "{extra:?}: {needle}");
            let a = over[0];
            assert_eq!(a["nightjar"]["profile"]["rule"], rule, "{}", show(a));
            if rule == "slow-reads" {
                assert_eq!(
                    a["alert"]["signature"],
                    "NIGHTJAR other-attack (slow reads: answers held in shut receive windows) \
                     from 198.18.0.66 against 198.18.0.10",
                    "{}",
                    show(a)
                );
            }
        }
        // the rule off: the slow reads are missed, as before it looked at windows
        let off = detect_json_with(
            "slowread",
            &[extra, &["--slow-request-threshold", "0"][..]].concat(),
        );
        assert_eq!(off["alerts"].as_array().unwrap().len(), 0, "{extra:?}");
    }
}
