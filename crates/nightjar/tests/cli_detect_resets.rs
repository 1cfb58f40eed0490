//! End-to-end tests of `nightjar ids detect` on connections that end with a reset, beside
//! forged resets and a reset flood (`crates/ids/src/detect.rs`, "Resets that close
//! connections"), driving the real binary with the built-in models on `resets`
//! (`lab/resets.sh`, `data/captures/SOURCE.md`): one bridge, 198.18.0.0/24; the client .20
//! ends connections to the victim .10 with resets (wrk `-c 64` at the end of its run, a client
//! with `SO_LINGER` 0, curl downloads aborted by `--max-time`, a server closing before it read a
//! request), nginx on .10 resets a 444 and timed-out headers, HAProxy .12 ends its health
//! checks of .10 with resets; the attacker .66 sends `hping3 -R -c 500` (a reset flood) and an
//! nmap SYN scan, and runs `tcpkill -3` against the connection .21 keeps to .11:7007 (its
//! resets carry the two ends' addresses: labelled from both).
//!
//! The session's base (main 71378aa) alerted the three attacks and, falsely, wrk's closing
//! resets as a "TCP reset flood" from .20 (50 packets).
//!
//! Known answers read with tcpdump 4.99 (an independent decoder): `tcpdump -nr resets.pcap |
//! wc -l` 9,990 frames, `... arp` 20; `... 'src host 198.18.0.20 and dst host 198.18.0.10 and
//! tcp[13] & 4 != 0'` 209 segments with RST from the client to the victim; `... 'src host
//! 198.18.0.66 and tcp[13] = 4'` 502 bare RSTs from the attacker (hping3's 500 and two of the
//! nmap scan's).

mod common;
use common::*;
use serde_json::Value;

const CLIENT: &str = "198.18.0.20";
const VICTIM: &str = "198.18.0.10";
const HAPROXY: &str = "198.18.0.12";
const ATTACKER: &str = "198.18.0.66";

/// The alerts covering the episodes whose command contains `needle` (at least one).
fn covering_command<'a>(eps: &[Value], alerts: &'a [Value], needle: &str) -> Vec<&'a Value> {
    let out: Vec<&Value> = eps
        .iter()
        .filter(|e| e["command"].as_str().unwrap().contains(needle))
        .flat_map(|e| covering(e, alerts))
        .collect();
    assert!(!out.is_empty(), "{needle}: no alert");
    out
}

#[test]
fn connections_closed_by_resets_are_normal_and_forged_resets_and_a_reset_flood_are_not() {
    let eps = episodes("resets");
    assert_eq!(
        sorted_labels(&eps),
        ["other-attack", "other-attack", "other-attack", "scan-syn"]
    );
    let mut last: Option<Vec<Value>> = None;
    for extra in [&[][..], &["--threads", "1"]] {
        let j = detect_json_with("resets", extra);
        let what = format!("resets {extra:?}: ");
        assert_eq!(
            (
                j["records"].as_u64(),
                j["arp"].as_u64(),
                j["undecoded"].as_u64()
            ),
            (Some(9990), Some(20), Some(0)),
            "{what}"
        );
        let alerts = j["alerts"].as_array().unwrap();
        // every attack alerted with its class, no false alert (assert_all_alerted_right, but
        // for an attack of two labelled sources, tcpkill's, counted as `lab/episodes.py`
        // counts an attack of many sources: alerted when one of them is)
        let (forged, own): (Vec<Value>, Vec<Value>) = eps
            .iter()
            .cloned()
            .partition(|e| e["command"].as_str().unwrap().contains("tcpkill"));
        for e in &own {
            assert_named_right(&what, e, alerts);
        }
        assert_eq!(forged.len(), 2);
        let named: Vec<&str> = forged.iter().flat_map(|e| named(e, alerts)).collect();
        assert!(named.contains(&"other-attack"), "{what}tcpkill: {named:?}");
        let false_alerts = false_alerts(alerts, &eps);
        assert!(false_alerts.is_empty(), "{what}{false_alerts:?}");
        // the flood and the forger's resets are reset floods by the resets rule
        for needle in ["hping3 -R", "tcpkill"] {
            for a in covering_command(&eps, alerts, needle) {
                assert_eq!(
                    a["nightjar"]["profile"]["rule"],
                    "resets",
                    "{what}{}",
                    show(a)
                );
                assert!(
                    a["alert"]["signature"]
                        .as_str()
                        .unwrap()
                        .contains("TCP reset flood"),
                    "{what}{}",
                    show(a)
                );
            }
        }
        // all 500 of hping3's resets in its alert
        let flood = covering_command(&eps, alerts, "hping3 -R");
        assert_eq!(flood.len(), 1, "{what}");
        assert_eq!(flood[0]["nightjar"]["packets"], 500, "{what}");
        // none of the hosts that close connections with resets is alerted, nor the victim
        for a in alerts {
            let src = a["src_ip"].as_str().unwrap();
            assert!(
                ![CLIENT, VICTIM, HAPROXY].contains(&src),
                "{what}{}",
                show(a)
            );
        }
        assert_eq!(
            alerts.iter().filter(|a| a["src_ip"] == ATTACKER).count(),
            2,
            "{what}"
        );
        // the networks flagged closing resets, and the rule took them as normal: what the
        // base alerted as a reset flood (wrk's 64 closes among them)
        let cleared = j["closing_resets_cleared"].as_u64().unwrap();
        assert!(cleared >= 64, "{what}{cleared}");
        if let Some(prev) = last.replace(alerts.clone()) {
            assert_eq!(&prev, alerts, "{what}the same with one thread");
        }
    }
}

#[test]
fn every_segment_the_client_sent_in_the_half_second_after_wrks_run_is_normal() {
    // wrk's run (normal@c in resets.normal.json) ended with its connections reset at once,
    // and the victim's answers in flight drew a bare reset each from the client's kernel
    let normal: Value =
        serde_json::from_str(&std::fs::read_to_string(cap("resets.normal.json")).unwrap()).unwrap();
    let wrk = normal
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["command"].as_str().unwrap().starts_with("wrk "))
        .unwrap();
    let end = wrk["end"].as_f64().unwrap();
    let s = Scratch::new("detect-resets");
    let scores = s.s("s.csv");
    let o = run(&[
        "ids",
        "detect",
        "--pcap",
        &cap("resets.pcap"),
        "--scores",
        &scores,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let csv = std::fs::read_to_string(s.path("s.csv")).unwrap();
    let rows: Vec<Vec<&str>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows.len(), 9990);
    // (index,ts,src,dst,proto,score,verdict): the client's TCP to the victim in the half
    // second after the command ended
    let after: Vec<&Vec<&str>> = rows
        .iter()
        .filter(|r| {
            let ts: f64 = r[1].parse().unwrap();
            r[2] == CLIENT && r[3] == VICTIM && r[4] == "6" && ts >= end && ts <= end + 0.5
        })
        .collect();
    // 70 segments, 63 of them resets (tcpdump: `... 'src host 198.18.0.20 and dst host
    // 198.18.0.10 and tcp[13] & 4 != 0'` between 1795986503.374 and .874); the base flagged 49
    assert_eq!(after.len(), 70);
    let flagged: Vec<_> = after.iter().filter(|r| r[6] != "normal").collect();
    assert!(flagged.is_empty(), "{flagged:?}");
}
