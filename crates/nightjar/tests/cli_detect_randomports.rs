//! End-to-end tests of `nightjar ids detect` on floods to random ports, each packet from a new
//! source port (the profile's rule `random-ports-new-source-port-each`,
//! `crates/ids/src/profile.rs`, `Rule::RandomPortsNewSourcePort`), driving the real binary with
//! the built-in model on the lab captures `randomports` (seed 2424) and `randomportsval` (seed
//! 2525) (`lab/run.sh --scenario randomports`; `data/captures/SOURCE.md`): t50's SYN, UDP and
//! Xmas floods of 3,000-6,000 packets to random ports (`t50 V --threshold N -S`,
//! `--protocol UDP`, `-F -P -U`, always `-s` the attacker's own address), which the rule names
//! floods, and for contrast scans that must stay scans: nmap's connect, SYN and UDP scans
//! (`-sT -p 1-3000`, `-sS -p 1-5000`, `-sU --min-rate 2000 -p 1-1000`) and a hand-made scapy
//! SYN scan of 300-600 random ports, each SYN from a random source port (`lab/randsyn.py`),
//! below the rule's 1,000 probes. Every attack is sent from the attacker's own address to the
//! victim, at least 4 s after the one before.

use serde_json::Value;

mod common;
use common::*;

/// The lab's captures of `--scenario randomports`: the test capture and the validation capture.
const CAPTURES: [&str; 2] = ["randomports", "randomportsval"];
/// The lab's victim: the target of every attack.
const VICTIM: &str = "198.18.0.10";
/// The profile's rule for floods to random ports from a new source port each.
const RULE: &str = "random-ports-new-source-port-each";

/// The value after `flag` in a command line.
fn arg<'a>(cmd: &'a str, flag: &str) -> &'a str {
    let w: Vec<&str> = cmd.split_whitespace().collect();
    let i = w
        .iter()
        .position(|x| *x == flag)
        .unwrap_or_else(|| panic!("no {flag} in {cmd}"));
    w[i + 1]
}

/// Whether the episode is one of t50's floods.
fn is_t50(e: &Value) -> bool {
    e["command"].as_str().unwrap().starts_with("t50 ")
}

#[test]
fn the_captures_hold_t50_floods_to_random_ports_and_scans() {
    for name in CAPTURES {
        let eps = episodes(name);
        assert_eq!(eps.len(), 7, "{name}: {eps:?}");
        assert_eq!(
            sorted_labels(&eps),
            [
                "flood-syn",
                "flood-udp",
                "flood-xmas",
                "scan-connect",
                "scan-syn",
                "scan-syn",
                "scan-udp"
            ],
            "{name}"
        );
        for e in &eps {
            let cmd = e["command"].as_str().unwrap();
            let src = e["src"].as_str().unwrap();
            assert!(cmd.split_whitespace().any(|w| w == VICTIM), "{name}: {cmd}");
            if is_t50(e) {
                // the attacker's own address, a bounded count: never t50's random source or
                // --flood
                assert_eq!(arg(cmd, "-s"), src, "{name}: {cmd}");
                let n: u32 = arg(cmd, "--threshold").parse().unwrap();
                assert!((3000..=12_000).contains(&n), "{name}: {cmd}");
                assert!(!cmd.contains("--flood"), "{name}: {cmd}");
                let want = if cmd.contains(" -S ") {
                    "flood-syn"
                } else if cmd.contains("--protocol UDP") {
                    "flood-udp"
                } else {
                    assert!(cmd.contains(" -F -P -U "), "{name}: {cmd}");
                    "flood-xmas"
                };
                assert_eq!(e["label"], want, "{name}: {cmd}");
            } else if cmd.contains("randsyn.py") {
                assert_eq!(arg(cmd, "--src"), src, "{name}: {cmd}");
                let n: u32 = arg(cmd, "--count").parse().unwrap();
                assert!((300..=600).contains(&n), "{name}: {cmd}");
                assert_eq!(e["label"], "scan-syn", "{name}: {cmd}");
            } else {
                assert!(cmd.starts_with("nmap -n -s"), "{name}: {cmd}");
            }
        }
        assert_apart(name, &eps, 4.0);
    }
}

#[test]
fn floods_to_random_ports_are_floods_and_the_scans_stay_scans() {
    for name in CAPTURES {
        let j = detect_json(name);
        let alerts = j["alerts"].as_array().unwrap();
        let eps = episodes(name);
        for e in &eps {
            assert_named_right(&format!("{name}: "), e, alerts);
            let label = e["label"].as_str().unwrap();
            let named = named(e, alerts);
            if is_t50(e) {
                // a flood of its kind, by the rule, and never a scan
                assert!(
                    named.iter().all(|n| n.starts_with("flood-")),
                    "{name}: {label} named {named:?}"
                );
                let rules: Vec<&Value> = covering(e, alerts)
                    .iter()
                    .filter(|a| a["nightjar"]["label"] == label)
                    .map(|a| &a["nightjar"]["profile"]["rule"])
                    .collect();
                assert!(
                    rules.iter().any(|r| *r == RULE),
                    "{name}: {label} by {rules:?}: {}",
                    e["command"]
                );
            } else {
                // nmap's scans and scapy's random-port SYN scan from a new source port each
                // (below the rule's 1,000 probes) stay scans
                assert!(
                    named.iter().all(|n| n.starts_with("scan-")),
                    "{name}: {label} named {named:?}: {}",
                    e["command"]
                );
                for a in covering(e, alerts) {
                    assert_ne!(a["nightjar"]["profile"]["rule"], RULE, "{}", show(a));
                }
            }
        }
        let bad: Vec<String> = false_alerts(alerts, &eps).into_iter().map(show).collect();
        assert!(bad.is_empty(), "{name}: false alerts: {bad:#?}");
    }
}
