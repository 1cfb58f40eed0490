//! End-to-end tests of `nightjar ids detect` on IPv6, driving the real binary with the built-in
//! model on the lab test capture `ipv6` (`lab/ipv6.sh`, seed 14; `data/captures/SOURCE.md`):
//! a dual-stack LAN (2001:2::/64 beside 198.18.0.0/24, no route out) with the IPv6 background a
//! real LAN carries — neighbour discovery and duplicate address detection, multicast listener
//! reports, router advertisements (radvd), mDNS queries to ff02::fb (and 224.0.0.251), DHCPv6
//! solicits to ff02::1:2 — and a client's HTTP, ping, UDP echo and DNS over both stacks; the
//! attacker (2001:2::c612:42) runs, one after the other over IPv6, an on-link ping sweep
//! (`nmap -6 -sn` of a /122: neighbour solicitations, which the slow-scan rule over neighbour
//! discovery counts, `crates/ids/src/slowscan.rs`), the nine nmap scans and four floods.
//!
//! What stays wrong, asserted as it is: nmap's window scan (`-sW`) sends the ACK scan's very
//! probes, and is named `scan-ack` (as on IPv4: nothing on the wire tells them apart).

mod common;
use common::*;

/// The attacker's address (198.18.0.66 in the low 32 bits).
const ATTACKER: &str = "2001:2::c612:42";

#[test]
fn the_capture_is_the_ipv6_lab_run() {
    let eps = episodes("ipv6");
    assert_eq!(
        sorted_labels(&eps),
        [
            "flood-icmp",
            "flood-syn",
            "flood-udp",
            "flood-xmas",
            "other-attack",
            "scan-ack",
            "scan-connect",
            "scan-fin",
            "scan-maimon",
            "scan-null",
            "scan-syn",
            "scan-udp",
            "scan-window",
            "scan-xmas"
        ]
    );
    for e in &eps {
        assert_eq!(e["src"], ATTACKER, "{e}");
        assert!(
            e["command"].as_str().unwrap().contains("2001:2::c612:"),
            "{e}"
        );
    }
    // the attacks ran one at a time, several seconds apart
    assert_apart("ipv6", &eps, 3.0);
    let j = detect_json("ipv6");
    // every record decoded: IPv6 and IPv4 packets, and ARP
    assert_eq!(j["undecoded"], 0, "{}", j["undecoded"]);
    assert!(j["packets"].as_u64().unwrap() > 5000, "{}", j["packets"]);
}

#[test]
fn every_ipv6_attack_is_alerted_from_its_source_and_named_right_but_the_window_scan() {
    let j = detect_json("ipv6");
    let alerts = j["alerts"].as_array().unwrap();
    let eps = episodes("ipv6");
    for e in &eps {
        // the window scan's ACK probes: an ACK scan, as on IPv4
        assert_named_right("", e, alerts);
    }
}

#[test]
fn the_on_link_sweep_is_the_neighbour_discovery_rule_and_the_port_scan_after_it_the_networks() {
    let j = detect_json("ipv6");
    let alerts = j["alerts"].as_array().unwrap();
    let eps = episodes("ipv6");
    let sweep = by_command(&eps, "nmap -6 -n -sn ");
    let cov = covering(sweep, alerts);
    assert_eq!(
        cov.len(),
        1,
        "{:#?}",
        cov.iter().map(|a| show(a)).collect::<Vec<_>>()
    );
    let a = cov[0];
    let n = &a["nightjar"];
    assert_eq!(n["label"], "other-attack", "{}", show(a));
    assert_eq!(a["proto"], "IPv6-ICMP", "{}", show(a));
    assert!(
        a["alert"]["signature"]
            .as_str()
            .unwrap()
            .contains("ping sweep"),
        "{}",
        show(a)
    );
    // its probes: neighbour solicitations (ICMPv6 135) to 25 silent addresses' solicited-node
    // groups (ff02::1:ff00:0/104), found by silence, too fast for the slow-scan rule's own
    // pace and left unalerted by the networks
    let s = &n["slow_scan"];
    assert_eq!(s["trigger"], "hosts-on-one-port", "{s}");
    assert_eq!(s["port"]["port"], 135, "{s}");
    assert_eq!(s["hosts"], 25, "{s}");
    assert_eq!(s["fast"], true, "{s}");
    assert!(
        a["dest_ip"].as_str().unwrap().starts_with("ff02::1:ff"),
        "{}",
        show(a)
    );
    // the SYN scan that followed 8 s later: the networks' alert, not the sweep's
    let syn = by_command(&eps, "nmap -6 -n -sS ");
    assert!(
        secs(n["last_seen"].as_str().unwrap()) < syn["start"].as_f64().unwrap(),
        "{}",
        show(a)
    );
    let syn_alerts = covering(syn, alerts);
    assert!(
        syn_alerts
            .iter()
            .any(|a| a["nightjar"]["label"] == "scan-syn" && a["nightjar"]["slow_scan"].is_null()),
        "{:#?}",
        syn_alerts.iter().map(|a| show(a)).collect::<Vec<_>>()
    );
}

#[test]
fn the_ipv6_background_and_the_clients_raise_no_alert() {
    // neighbour discovery, MLD, router advertisements, mDNS, DHCPv6 solicits, the client's
    // traffic over both stacks: every alert is one of the attacker's episodes, from it
    let j = detect_json("ipv6");
    let alerts = j["alerts"].as_array().unwrap();
    let eps = episodes("ipv6");
    let bad: Vec<String> = false_alerts(alerts, &eps).into_iter().map(show).collect();
    assert!(bad.is_empty(), "false alerts: {bad:#?}");
    // the source written as RFC 5952 writes IPv6 addresses (lower case, longest zero run
    // compressed), as the labels give it
    assert!(
        alerts.iter().all(|a| a["src_ip"] == ATTACKER),
        "{:#?}",
        alerts.iter().map(show).collect::<Vec<_>>()
    );
}
