//! End-to-end tests of `nightjar ids detect` on attacks of one kind of probe run back to back
//! (`DetectSettings::change_pattern`, `--change-pattern`), driving the real binary with the
//! built-in models on the lab capture `backtoback2` (`data/captures/SOURCE.md`): ten attacks
//! from 198.18.0.66 against 198.18.0.10 with no pause between them, a client browsing beside.
//! Five pairs send probes of one kind (`nmap -sS` then `hping3 -S -s 41000 -k -p 443`, both
//! SYNs from one source port; `nmap -sU` then a UDP flood; `hping3 -S -p 8080` then `nmap
//! -sT`, then `ab`, all SYNs from a new source port each; `hping3 -S -k -p ++1` then
//! `hping3 -S -k -p 25` from one source port): the change of probe kind alone cannot part
//! them. The session's base (fada8e1) raised 5 alerts for the 10 attacks, 5 of them named.
//!
//! The episodes' spans are the commands' own (no margin): each alert must begin inside the
//! span of the attack it names, one alert per attack, in order.

mod common;
use common::*;
use serde_json::Value;

const ATTACKER: &str = "198.18.0.66";

/// The source alerts of `j`, in the order of their first packets.
fn source_alerts(j: &Value) -> Vec<&Value> {
    let mut alerts: Vec<&Value> = j["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["nightjar"]["scope"] == "source")
        .collect();
    alerts.sort_by(|a, b| {
        let t = |a: &Value| secs(a["nightjar"]["first_seen"].as_str().unwrap());
        t(a).total_cmp(&t(b))
    });
    alerts
}

#[test]
fn each_attack_of_a_pair_of_one_probe_kind_gets_its_own_alert_named_right() {
    let j = detect_json("backtoback2");
    let all = j["alerts"].as_array().unwrap();
    let alerts = source_alerts(&j);
    let mut eps = episodes("backtoback2");
    eps.sort_by(|a, b| {
        a["start"]
            .as_f64()
            .unwrap()
            .total_cmp(&b["start"].as_f64().unwrap())
    });
    assert_eq!(eps.len(), 10);
    assert_eq!(
        alerts.len(),
        eps.len(),
        "one alert per attack: {:#?}",
        alerts.iter().map(|a| show(a)).collect::<Vec<_>>()
    );
    assert_eq!(all.len(), alerts.len(), "no victim alert");
    for (e, a) in eps.iter().zip(&alerts) {
        let first = secs(a["nightjar"]["first_seen"].as_str().unwrap());
        let (t0, t1) = (e["start"].as_f64().unwrap(), e["end"].as_f64().unwrap());
        eprintln!("{} ({t0:.3}..{t1:.3}): {}", e["command"], show(a));
        assert_eq!(a["src_ip"], ATTACKER, "{}", show(a));
        assert_eq!(
            a["nightjar"]["label"],
            e["label"],
            "{}: {}",
            e["command"],
            show(a)
        );
        assert!(
            first >= t0 && first <= t1,
            "{}: the alert begins outside the attack: {}",
            e["command"],
            show(a)
        );
    }
    assert!(false_alerts(all, &eps).is_empty());
    // what ends the episodes of the five pairs: a change of pattern (the change of probe kind
    // ends four: SYN to UDP, UDP to SYN, SYN to ICMP, ICMP to SYN)
    assert_eq!(j["pattern_changes"], 5, "{}", j["pattern_changes"]);
    assert_eq!(j["attack_changes"], 4, "{}", j["attack_changes"]);
    assert_eq!(j["settings"]["change_pattern"], 20);
}

#[test]
fn without_the_change_of_pattern_the_pairs_make_one_alert_each() {
    let j = detect_json_with("backtoback2", &["--change-pattern", "0"]);
    let alerts = source_alerts(&j);
    assert_eq!(j["pattern_changes"], 0);
    // the ab flood and the connect scan before it run into the SYN flood before them
    assert_eq!(
        alerts.len(),
        5,
        "{:#?}",
        alerts.iter().map(|a| show(a)).collect::<Vec<_>>()
    );
}

#[test]
fn a_change_of_pattern_too_short_to_tell_a_flood_from_a_scan_is_refused() {
    for bad in ["1", "7"] {
        let o = run(&[
            "ids",
            "detect",
            "--pcap",
            &cap("backtoback2.pcap"),
            "--change-pattern",
            bad,
        ]);
        assert_eq!(code(&o), 2, "--change-pattern {bad}: {}", stderr(&o));
        assert!(stderr(&o).contains("change of pattern"), "{}", stderr(&o));
    }
}
