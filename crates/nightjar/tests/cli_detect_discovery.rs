//! End-to-end tests of `nightjar ids detect` on ping sweeps (host discovery by ICMP queries:
//! the slow-scan rule's ping sweeps, `crates/ids/src/slowscan.rs`, and the profile's
//! `Rule::PingSweep`, `crates/ids/src/profile.rs`), driving the real binary with the built-in
//! model on the lab test capture `discovery` (`lab/run.sh --scenario discovery`, seed 1818;
//! `data/captures/SOURCE.md`): five sweeps of silent ranges of 198.18.128.0/17, which the
//! attacker namespaces route via the victim (it does not forward: the probes reach the wire and
//! go nowhere) — `nmap -sn -PE` of a /24, `nmap -sn` (echo, SYN to 443, ACK to 80, timestamp)
//! and `nmap -sn -PP` (timestamp requests) of a /24 or /25, `nmap -sn -PE --min-rate 2000` of a
//! /22 and `fping -g` of a /24 or /25 — each from its own attacker host (the slow-scan rule
//! reports one alert per source per five-minute episode, so each sweep is checked on its own
//! source); beside the clients, a monitor (198.18.0.40) that pings 30-40 live addresses and the
//! lab's hosts with fping every few seconds, which is normal.

mod common;
use common::*;

/// The monitor host of the `discovery` scenario (`lab/run.sh`).
const MONITOR: &str = "198.18.0.40";

/// Whether `ip` lies in 198.18.128.0/17, the silent ranges the sweeps went through.
fn swept(ip: &str) -> bool {
    let o: Vec<u8> = ip.split('.').map(|x| x.parse().unwrap()).collect();
    o.len() == 4 && o[0] == 198 && o[1] == 18 && o[2] >= 128
}

#[test]
fn every_ping_sweep_is_alerted_as_other_attack_ping_sweep_on_its_own_source() {
    let j = detect_json("discovery");
    let alerts = j["alerts"].as_array().unwrap();
    let eps = episodes("discovery");
    // five sweeps, each from its own attacker host: one source, one episode, one sweep
    assert_eq!(eps.len(), 5, "{eps:?}");
    let mut srcs: Vec<&str> = eps.iter().map(|e| e["src"].as_str().unwrap()).collect();
    srcs.sort_unstable();
    srcs.dedup();
    assert_eq!(srcs.len(), 5, "two sweeps share a source: {eps:?}");
    for needle in [
        "nmap -n -sn -PE 198.18.",
        "nmap -n -sn 198.18.",
        "nmap -n -sn -PP ",
        "nmap -n -sn -PE --min-rate 2000 ",
        "fping -q -r ",
    ] {
        let n = eps
            .iter()
            .filter(|e| e["command"].as_str().unwrap().starts_with(needle))
            .count();
        assert_eq!(n, 1, "sweeps by {needle:?}");
    }
    // every sweep: an alert from its source, within its span, that names other-attack and
    // calls it a ping sweep; and no alert calls a sweep anything else (the fast one, which the
    // networks flag as an ICMP flood, included)
    for e in &eps {
        assert_eq!(e["label"], "other-attack");
        let cov = covering(e, alerts);
        eprintln!(
            "{} {}: alerted as {:?}",
            e["src"],
            e["command"],
            cov.iter()
                .map(|a| a["alert"]["signature"].as_str().unwrap())
                .collect::<Vec<_>>()
        );
        assert!(
            cov.iter().any(|a| a["nightjar"]["label"] == "other-attack"
                && a["alert"]["signature"]
                    .as_str()
                    .unwrap()
                    .contains("ping sweep")),
            "{} {}: no other-attack ping sweep among {:#?}",
            e["src"],
            e["command"],
            cov.iter().map(|a| show(a)).collect::<Vec<_>>()
        );
        for a in &cov {
            assert!(
                a["nightjar"]["label"] == "other-attack"
                    && a["alert"]["signature"]
                        .as_str()
                        .unwrap()
                        .contains("ping sweep"),
                "{}: {}",
                e["command"],
                show(a)
            );
        }
    }
}

#[test]
fn the_monitor_and_the_other_normal_hosts_raise_no_alert() {
    // the monitor pings 30-40 live addresses every few seconds (all answer), the clients browse,
    // the attacker hosts browse in some gaps: every alert is one of an attacker's sweeps, from
    // its source to an address of the swept ranges, within that source's episode
    let j = detect_json("discovery");
    let alerts = j["alerts"].as_array().unwrap();
    let eps = episodes("discovery");
    let log = std::fs::read_to_string(cap("discovery.log")).unwrap();
    let mon = log
        .lines()
        .find(|l| l.starts_with("# monitor (198.18.0.40"))
        .expect("the monitor's line in discovery.log");
    let targets = mon.rsplit_once(": ").unwrap().1.split_whitespace().count();
    assert!(targets >= 30, "the monitor pinged {targets} addresses");
    let bad: Vec<String> = alerts
        .iter()
        .filter(|a| {
            a["src_ip"] == MONITOR
                || a["dest_ip"] == MONITOR
                || !swept(a["dest_ip"].as_str().unwrap())
                || !eps
                    .iter()
                    .any(|e| !covering(e, std::slice::from_ref(*a)).is_empty())
        })
        .map(show)
        .collect();
    assert!(bad.is_empty(), "alerts on normal traffic: {bad:#?}");
}
