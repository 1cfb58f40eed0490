//! End-to-end test of `nightjar ids detect` on bursts of ordinary, complete connections beside
//! floods of the same size, driving the real binary with the built-in models on the committed
//! capture `bursts` (`data/captures/SOURCE.md`, "Bursts of connections"). A client
//! (198.18.0.21) fetches batches of resources from a web server (198.18.0.10: Python's
//! `http.server` on port 80, nginx without keep-alive on 8080), each request on a connection
//! of its own: `ab -n 150 -c 8` (the burst a session-14 run saw alerted as `flood-syn`),
//! `ab -n 200 -c 4`, a headless Chromium page load of 101 resources, a `curl` loop of 120
//! files and a `git clone` over dumb HTTP (182 connections); `lab/bursts.sh` made it. The attacker (198.18.0.66) runs
//! `siege -b -c 25 -r 14` (350 connections, the size of the lab's labelled HTTP floods) and
//! `hping3 -S -c 200` (200 half-open connections: fewer than a burst may open, but none of
//! them carries anything).
//!
//! Before the burst check (`crates/ids/src/detect.rs`, "Bursts of connections";
//! `nightjar_ids::profile::BURST_MAX_CONNECTIONS`) the detector raised three false
//! `flood-syn` alerts here, against the two `ab` runs and the `git clone`.
//!
//! The known answers were read from the capture with tcpdump 4.99 (an independent decoder):
//! `tcpdump -nr bursts.pcap | wc -l` 15,078 frames, `... arp` 8; `... 'src host 198.18.0.21
//! and tcp[13]&0x12=2'` 756 SYNs (454 to port 80, 302 to 8080); `... 'src host 198.18.0.66
//! and dst port 8080 and tcp[13]&0x12=2'` 350, `... 'src host 198.18.0.66 and dst port 80 and
//! tcp[13]&0x12=2'` 200, `... 'src host 198.18.0.66 and tcp[13]&0x17=4'` 200 bare resets.

mod common;
use common::*;

/// The client whose bursts are ordinary traffic.
const CLIENT: &str = "198.18.0.21";

/// The SYNs (without ACK) of IPv4 TCP frames from `src` to `dport` in the capture, and the
/// bare resets (RST without ACK, FIN or SYN) from `src`: read with this test's own decoding
/// of the Ethernet frames, to check the capture holds what the tcpdump counts above say.
fn syns_and_resets(bytes: &[u8], src: [u8; 4], dport: u16) -> (usize, usize) {
    let (mut syns, mut resets) = (0, 0);
    for (_, _, f) in pcap_records(bytes) {
        if f.len() < 14 + 20 || f[12..14] != [0x08, 0x00] || f[14 + 9] != 6 {
            continue;
        }
        let ihl = usize::from(f[14] & 0x0f) * 4;
        let tcp = &f[14 + ihl..];
        if f[14 + 12..14 + 16] != src || tcp.len() < 14 {
            continue;
        }
        let flags = tcp[13] & 0x17;
        if flags == 0x02 && u16::from_be_bytes([tcp[2], tcp[3]]) == dport {
            syns += 1;
        }
        if flags == 0x04 {
            resets += 1;
        }
    }
    (syns, resets)
}

#[test]
fn the_capture_holds_bursts_of_a_client_and_floods_of_an_attacker() {
    let bytes = std::fs::read(cap("bursts.pcap")).unwrap();
    assert!(bytes.len() < 1_500_000, "{} bytes", bytes.len());
    assert_eq!(pcap_records(&bytes).len(), 15_078);
    assert_eq!(syns_and_resets(&bytes, [198, 18, 0, 21], 80), (454, 0));
    assert_eq!(syns_and_resets(&bytes, [198, 18, 0, 21], 8080).0, 302);
    assert_eq!(syns_and_resets(&bytes, [198, 18, 0, 66], 8080), (350, 200));
    assert_eq!(syns_and_resets(&bytes, [198, 18, 0, 66], 80).0, 200);
    let eps = episodes("bursts");
    assert_eq!(sorted_labels(&eps), ["flood-syn", "flood-syn"]);
    assert!(eps.iter().all(|e| e["src"] == "198.18.0.66"));
    by_command(&eps, "siege -b");
    by_command(&eps, "hping3 -S");
}

#[test]
fn bursts_of_complete_connections_raise_no_alert_and_the_floods_beside_them_do() {
    let j = detect_json("bursts");
    let alerts = j["alerts"].as_array().unwrap();
    let eps = episodes("bursts");
    let shown = || alerts.iter().map(show).collect::<Vec<_>>();
    // nothing from or against the client
    assert!(
        alerts
            .iter()
            .all(|a| a["src_ip"] != CLIENT && a["dest_ip"] != CLIENT),
        "{:#?}",
        shown()
    );
    assert!(false_alerts(alerts, &eps).is_empty(), "{:#?}", shown());
    // the three bursts the networks flagged at alert volume were each taken for one
    assert_eq!(j["connection_bursts"], 3);
    // both floods alerted and named as before: the HTTP flood by its size, the SYN flood
    // because its connections carried nothing, though it opened fewer than a burst may
    for e in &eps {
        assert_named_right("bursts: ", e, alerts);
    }
    let hping = covering(by_command(&eps, "hping3 -S"), alerts);
    assert_eq!(hping.len(), 1, "{:#?}", shown());
    let probes = hping[0]["nightjar"]["profile"]["probes"].as_u64().unwrap();
    assert!(
        probes < nightjar_ids::profile::BURST_MAX_CONNECTIONS,
        "{probes}"
    );
    let siege = covering(by_command(&eps, "siege -b"), alerts);
    assert_eq!(siege.len(), 1, "{:#?}", shown());
    let probes = siege[0]["nightjar"]["profile"]["probes"].as_u64().unwrap();
    assert!(
        probes >= nightjar_ids::profile::BURST_MAX_CONNECTIONS,
        "{probes}"
    );
    assert_eq!(alerts.len(), 2, "{:#?}", shown());
    // the records, as tcpdump counts them
    assert_eq!(j["records"], 15_078);
    assert_eq!(j["arp"], 8);
    assert_eq!(j["undecoded"], 0);
}

/// The summary on standard error counts the bursts with the other quiet episodes.
#[test]
fn the_summary_counts_the_bursts() {
    let o = run(&["ids", "detect", "--pcap", &cap("bursts.pcap")]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let e = stderr(&o);
    let line = format!(
        "3 bursts of fewer than {} complete connections",
        nightjar_ids::profile::BURST_MAX_CONNECTIONS
    );
    assert!(e.contains(&line), "{e}");
}
