//! End-to-end tests of `nightjar ids detect` on a reflected (amplification) UDP flood seen at
//! its victim (the reflection rule, `crates/ids/src/reflection.rs`, and the profile's
//! `Rule::Reflection`), driving the real binary with the built-in model on the lab capture
//! `reflection` (`lab/reflection.sh`, seed 2121; `data/captures/SOURCE.md`): five dnsmasq
//! resolvers (198.18.0.31-35) flood the victim (198.18.0.10) with ~470-byte answers to TXT
//! questions an attacker sent them with the victim's address forged (hping3 `-a`), three
//! times: to one closed port, to ports counting up, to SNMP's port 161; captured on the
//! victim's own link, where the forged questions never show. A normal client (198.18.0.20)
//! browses the victim and asks the resolvers real questions throughout.

use serde_json::Value;

mod common;
use common::*;

const VICTIM: &str = "198.18.0.10";
const CLIENT: &str = "198.18.0.20";

/// Whether `a` is a reflected-flood alert from the episode's resolver against the victim.
fn reflected_from(e: &Value, a: &Value) -> bool {
    a["src_ip"] == e["src"]
        && a["dest_ip"] == VICTIM
        && a["nightjar"]["label"] == "flood-udp"
        && a["alert"]["signature"]
            .as_str()
            .unwrap()
            .contains("reflected answers")
}

#[test]
fn every_reflector_of_every_flood_is_alerted_against_the_victim_and_nobody_else_is() {
    let j = detect_json_with("reflection", &[]);
    let alerts = j["alerts"].as_array().unwrap();
    let eps = episodes("reflection");
    // three floods, five resolvers each
    assert_eq!(eps.len(), 15, "{eps:?}");
    for e in &eps {
        assert_eq!(e["label"], "flood-udp");
        let cov = covering(e, alerts);
        assert!(
            cov.iter().any(|a| reflected_from(e, a)),
            "{} {}: not alerted as a reflected flood: {cov:#?}",
            e["src"],
            e["command"]
        );
    }
    assert!(j["flagged_by_reflection_rule"].as_u64().unwrap() > 10_000);
    // the victim is never called the attacker (the networks alone charged the answers to it,
    // the client end of each datagram), and the normal client raises nothing
    let bad: Vec<&Value> = alerts
        .iter()
        .filter(|a| {
            a["src_ip"] == VICTIM
                || a["src_ip"] == CLIENT
                || a["dest_ip"] == CLIENT
                || !eps.iter().any(|e| reflected_from(e, a))
        })
        .collect();
    assert!(bad.is_empty(), "other alerts: {bad:#?}");
}

#[test]
fn without_the_reflection_rule_the_floods_go_unalerted() {
    // what the rule adds: the networks, which learnt UDP floods from datagrams sent to a
    // service, let every one of these floods through
    let j = detect_json_with("reflection", &["--reflection-threshold", "0"]);
    let alerts = j["alerts"].as_array().unwrap();
    assert_eq!(j["flagged_by_reflection_rule"].as_u64(), Some(0));
    for e in &episodes("reflection") {
        assert!(
            !covering(e, alerts).iter().any(|a| reflected_from(e, a)),
            "{}",
            e["command"]
        );
    }
}
