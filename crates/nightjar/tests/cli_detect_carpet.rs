//! End-to-end tests of `nightjar ids detect` on floods spread over a whole victim subnet
//! ("carpet bombing": `crates/ids/src/carpet.rs`), driving the real binary with the built-in
//! models on `carpet` (`lab/carpet.sh`, `data/captures/SOURCE.md`).
//!
//! The capture is the uplink of a victim subnet, 198.19.40.0/24 (five live hosts behind a
//! router; every other address does not exist), seen from the edge LAN 198.19.2.0/24 where a
//! normal client (.20) and the attacker (.66) are. The attacker sprays the subnet with hping3's
//! `--rand-dest 198.19.40.x`: SYN, UDP and ICMP echo floods from its own address and the same
//! from random spoofed sources (`--rand-source`, labelled `"spoofed": true`), beside a flood of
//! one host and an `nmap -sS -p 80,443` sweep of the subnet. Read by the session's base
//! (71378aa), only the one-source SYN and UDP floods, the one-host flood and the sweep were
//! alerted: no spoofed flood and no echo flood; a flood's share of each address was too
//! small for a victim alert, and the networks pass echo requests at each address's pace.

mod common;
use common::*;
use serde_json::Value;

const NAME: &str = "carpet";
const SUBNET: &str = "198.19.40.0";
const ATTACKER: &str = "198.19.2.66";

fn spoofed(e: &Value) -> bool {
    e["spoofed"] == true
}

#[test]
fn every_flood_over_a_subnet_is_alerted_with_its_class_spoofed_ones_once_for_the_subnet() {
    let eps = episodes(NAME);
    assert_eq!(
        sorted_labels(&eps),
        [
            "flood-icmp",
            "flood-icmp",
            "flood-syn",
            "flood-syn",
            "flood-syn",
            "flood-udp",
            "flood-udp",
            "scan-syn"
        ]
    );
    assert_eq!(eps.iter().filter(|e| spoofed(e)).count(), 3);
    // (each labelled span ends 2 s after its command returned; the next began 4 s after)
    assert_apart(NAME, &eps, 1.5);
    for extra in [&[][..], &["--threads", "1"]] {
        let j = detect_json_with(NAME, extra);
        let what = format!("{NAME} {extra:?}: ");
        assert_all_alerted_right(&what, &j, &eps);
        let alerts = j["alerts"].as_array().unwrap();
        for e in &eps {
            let cover = covering(e, alerts);
            if spoofed(e) {
                // one alert for the subnet: its network address, prefix and the addresses hit
                assert_eq!(cover.len(), 1, "{what}{}: {cover:#?}", e["command"]);
                let a = cover[0];
                let n = &a["nightjar"];
                assert_eq!(a["dest_ip"], SUBNET, "{what}{}", show(a));
                assert_eq!(n["scope"], "victim", "{what}{}", show(a));
                assert_eq!(
                    n["network"]["prefix"],
                    "198.19.40.0/24",
                    "{what}{}",
                    show(a)
                );
                let hit = n["network"]["addresses"].as_u64().unwrap();
                assert!((16..=256).contains(&hit), "{what}{}: {hit}", show(a));
                // hundreds of sources, each a packet or two: no single source alerted
                assert!(n["sources"].as_u64().unwrap() >= 300, "{what}{}", show(a));
                assert_ne!(a["src_ip"], ATTACKER);
            } else {
                // from the attacker's own address: its own alert(s), about one of the subnet's
                // addresses
                for a in &cover {
                    assert_eq!(a["nightjar"]["scope"], "source", "{what}{}", show(a));
                    let dst = a["dest_ip"].as_str().unwrap();
                    assert!(dst.starts_with("198.19.40."), "{what}{}", show(a));
                    assert!(a["nightjar"].get("network").is_none(), "{what}{}", show(a));
                }
            }
        }
        assert_eq!(j["network_alerts"], 3, "{what}");
        assert!(j["flagged_by_ping_rule"].as_u64().unwrap() > 0, "{what}");
    }
}

#[test]
fn the_spray_threshold_0_turns_the_network_count_and_the_repeated_ping_rule_off() {
    let eps = episodes(NAME);
    let j = detect_json_with(NAME, &["--spray-threshold", "0"]);
    let alerts = j["alerts"].as_array().unwrap();
    assert_eq!(j["network_alerts"], 0);
    assert_eq!(j["flagged_by_ping_rule"], 0);
    assert_eq!(j["flagged_by_spray_rule"], 0);
    // what the networks flag alone: no spoofed flood over the subnet is alerted
    for e in eps.iter().filter(|e| spoofed(e)) {
        assert_eq!(named(e, alerts), Vec::<&str>::new(), "{}", e["command"]);
    }
}
