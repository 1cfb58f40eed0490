//! End-to-end test of `nightjar ids detect` on slow denial-of-service attacks over HTTPS,
//! driving the real binary with the built-in models on the committed capture `tlsdos`
//! (`data/captures/SOURCE.md`, "Slow HTTP attacks over TLS"; made by `lab/tlsdos.sh` with
//! `lab/tlsdos.small.attacks`): slowhttptest's slow headers (`-H`, 100 connections) and slow
//! body (`-B`, 80 connections to a location nginx proxies, so that it reads the whole body)
//! against nginx's HTTPS on 443, and slow headers (70 connections) against a saturated
//! HTTPS server on 8443, beside normal HTTPS clients (a curl loop, a browser-like client on
//! keep-alive connections, large downloads, a wget loop).
//!
//! The build before the fix (main 4953669) raised no alert at all: the requests are encrypted,
//! each connection's packets are a normal connection's, and the tool closes them cleanly. The
//! slow-request rule (`crates/ids/src/slowrequests.rs`) counts the connections on which the
//! client adds a small segment to a request the server left unanswered, a pause after its last.
//!
//! Known answers from tcpdump 4.99 (an independent decoder) on the capture: 10,408 frames, 12
//! of them ARP; `'src host 198.18.0.66 and tcp[13]&0x12==0x02'` 264 SYNs from the attacker, 72
//! of them to port 8443. The test checks its own reading of the frames against them.

mod common;
use common::*;

/// SYNs (without ACK) from the attacker to TCP port `port` (any: 0) among the IPv4 frames.
fn syns(bytes: &[u8], port: u16) -> usize {
    count_syns_to(bytes, [198, 18, 0, 66], port)
}

#[test]
fn slow_requests_over_tls_are_alerted_and_the_https_clients_are_not() {
    let bytes = std::fs::read(cap("tlsdos.pcap")).unwrap();
    assert_eq!(pcap_records(&bytes).len(), 10408);
    assert_eq!(syns(&bytes, 0), 264);
    assert_eq!(syns(&bytes, 8443), 72);
    let eps = episodes("tlsdos");
    assert_eq!(sorted_labels(&eps), ["other-attack"; 3]);
    for extra in [&[][..], &["--threads", "1"]] {
        let j = detect_json_with("tlsdos", extra);
        assert_eq!(j["records"], 10408);
        assert_eq!(j["arp"], 12);
        assert_all_alerted_right(&format!("{extra:?}"), &j, &eps);
        let alerts = j["alerts"].as_array().unwrap();
        // one alert per attack (session 27: before, one per round of header lines or body
        // bytes, 5-6 s apart, three per attack; the later rounds are merged into the first's)
        assert_eq!(alerts.len(), 3, "{extra:?}");
        assert_eq!(j["merged_alerts"], 6, "{extra:?}");
        for a in alerts {
            assert_eq!(
                a["nightjar"]["profile"]["rule"],
                "slow-requests",
                "{}",
                show(a)
            );
            assert!(
                a["alert"]["signature"]
                    .as_str()
                    .unwrap()
                    .contains("slow requests held open"),
                "{}",
                show(a)
            );
        }
        assert!(j["flagged_by_slow_request_rule"].as_u64().unwrap() > 1000);
        // the rule off: the base's reading, nothing alerted
        let off = detect_json_with(
            "tlsdos",
            &[extra, &["--slow-request-threshold", "0"][..]].concat(),
        );
        assert_eq!(off["alerts"].as_array().unwrap().len(), 0, "{extra:?}");
    }
}
