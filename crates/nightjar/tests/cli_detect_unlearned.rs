//! End-to-end tests of `nightjar ids detect` on attacks its networks never saw in training
//! (`crates/ids/src/unlearned.rs`), driving the real binary with the built-in model on the lab
//! test capture `unlearned` (`lab/run.sh --scenario unlearned`, seed 1616; `data/captures/SOURCE.md`):
//! a "BlackNurse" flood of forged port unreachables (`hping3 --icmp -C 3 -K 3`) and a flood of
//! forged parameter problems (`-C 12`), nmap IP protocol scans (`-sO`, all protocols and 0-40),
//! SCTP INIT and COOKIE-ECHO scans (`-sY`, `-sZ`), and an ICMP echo flood and a SYN scan as
//! controls; beside the clients, a GRE tunnel, an IP-in-IP tunnel, traceroute and datagrams to
//! closed UDP ports, which are normal.

use serde_json::Value;

mod common;
use common::*;

/// The attacker hosts of the lab (every attack of `unlearned` is sent from one of them).
const ATTACKERS: [&str; 2] = ["198.18.0.66", "198.18.0.67"];
/// The lab's victim, the target of every attack.
const VICTIM: &str = "198.18.0.10";

/// The one episode whose command contains `needle`.
fn episode<'a>(eps: &'a [Value], needle: &str) -> &'a Value {
    let found: Vec<&Value> = eps
        .iter()
        .filter(|e| e["command"].as_str().unwrap().contains(needle))
        .collect();
    assert_eq!(found.len(), 1, "episodes with {needle:?}: {found:?}");
    found[0]
}

/// The signatures of the alerts covering the episode of `needle` that name `label`; at least
/// one.
fn signatures(eps: &[Value], alerts: &[Value], needle: &str, label: &str) -> Vec<String> {
    let e = episode(eps, needle);
    let sigs: Vec<String> = covering(e, alerts)
        .into_iter()
        .filter(|a| a["nightjar"]["label"] == label)
        .map(|a| a["alert"]["signature"].as_str().unwrap().to_string())
        .collect();
    assert!(!sigs.is_empty(), "no {label} alert for {needle:?}: {e}");
    sigs
}

#[test]
fn forged_errors_protocol_scans_and_sctp_scans_are_alerted_with_their_classes() {
    let j = detect_json("unlearned");
    let alerts = j["alerts"].as_array().unwrap();
    let eps = episodes("unlearned");
    assert_eq!(eps.len(), 8);
    // every episode: an alert from its sender, within its span, that names its class
    for e in &eps {
        assert_named_right("", e, alerts);
    }
    // nothing else from the attackers: every alert of theirs covers one of their episodes (the
    // normal hosts: the next test)
    for a in alerts
        .iter()
        .filter(|a| ATTACKERS.contains(&a["src_ip"].as_str().unwrap()))
    {
        assert!(
            eps.iter()
                .any(|e| !covering(e, std::slice::from_ref(a)).is_empty()),
            "alert outside every episode: {a}"
        );
    }
    // the forged errors are found by what they quote, not by the networks
    // (every packet of both floods: 2,807 port unreachables and 3,318 parameter problems)
    assert_eq!(j["forged_icmp_errors"], 2807 + 3318);
    for needle in ["-C 3 -K 3", "-C 12 -K 0"] {
        for sig in signatures(&eps, alerts, needle, "flood-icmp") {
            assert!(
                sig.contains("(ICMP flood of forged errors)"),
                "{needle}: {sig}"
            );
        }
    }
    // the echo flood is an ICMP flood, not one of forged errors
    for sig in signatures(&eps, alerts, "--icmp -d ", "flood-icmp") {
        assert!(sig.contains("(ICMP flood)"), "{sig}");
    }
    for needle in ["-sO -T4 198.18.0.10", "-sO -T4 -p 0-40"] {
        for sig in signatures(&eps, alerts, needle, "other-attack") {
            assert!(sig.contains("(IP protocol scan)"), "{needle}: {sig}");
        }
    }
    for needle in ["-sY", "-sZ"] {
        for sig in signatures(&eps, alerts, needle, "other-attack") {
            assert!(sig.contains("(SCTP port scan)"), "{needle}: {sig}");
        }
    }
    signatures(&eps, alerts, "-sS", "scan-syn");
}

#[test]
fn tunnels_traceroute_and_datagrams_to_closed_ports_raise_no_alert() {
    // GRE between 198.18.0.20 and .21, IP-in-IP between .21 and .22, traceroute from .22 to the
    // victim (its port unreachables are real errors: they quote what .22 sent), datagrams from
    // .20 to closed ports of the victim: none of the clients nor the victim is alerted
    let j = detect_json("unlearned");
    let alerts = j["alerts"].as_array().unwrap();
    let normal: Vec<String> = alerts
        .iter()
        .filter(|a| {
            !ATTACKERS.contains(&a["src_ip"].as_str().unwrap())
                || !ATTACKERS.contains(&a["dest_ip"].as_str().unwrap()) && a["dest_ip"] != VICTIM
        })
        .map(|a| {
            let n = &a["nightjar"];
            format!(
                "{} -> {} proto {} {} ({} packets from {}, rule {})",
                a["src_ip"],
                a["dest_ip"],
                a["proto"],
                n["label"],
                n["packets"],
                n["first_seen"],
                n["profile"]["rule"]
            )
        })
        .collect();
    assert!(normal.is_empty(), "alerts on normal traffic: {normal:#?}");
    // the networks flag traceroute probes: the traceroute rule takes them as normal (116
    // packets, traceroute's and the tunnels', before the packet decoder opened the tunnels,
    // whose inner packets the networks take as normal themselves)
    assert!(j["protocol_rule_cleared"].as_u64().unwrap() > 40, "{j}");
}
