//! End-to-end tests of `nightjar ids detect` on scans and floods against a firewalled victim,
//! driving the real binary with the built-in models on `firewalls` (`lab/firewalls.sh`,
//! `data/captures/SOURCE.md`): two /24s joined by a router; from 198.18.1.66 nmap scans of
//! every kind and hping3 floods against 198.18.0.10, whose nftables ruleset changes between
//! them (each episode names its `firewall`): dropping every probe but to its open ports
//! (`drop`), rejecting them with ICMP admin-prohibited or port unreachable (TCP too), or a
//! router between the two that drops or rejects with admin-prohibited what it does not
//! forward. The capture is the attacker's bridge (it sees every probe), cut before the run's
//! last ruleset (host-prohibited) to stay small.
//!
//! The labs the networks learnt from had no firewall. The session's base (main 71378aa) read a
//! development run of the lab with every attack named right (window scans aside) but `nmap -sT -T3`
//! after other scans of the same ports, against a host rejecting with admin-prohibited or port
//! unreachable: the kernel sends each unanswered `connect()` SYN again from its port, and the
//! networks passed those (`crates/ids/src/unanswered.rs`) or, where they flagged them, the
//! episode's three to six SYNs per port left its naming to their vote (`Profile::resent_syns` in
//! `crates/ids/src/profile.rs`). On this capture the base named both its connect scans (`nmap -sT
//! -T3`, against the router's admin-prohibited and the victim's) `scan-syn`, the second with an
//! alert of 26 packets before two ACK-scan alerts; every other attack was right (the window scan,
//! as always, `scan-ack` with `scan-window` its alternative).
//!
//! Known answers read with tcpdump 4.99 (an independent decoder), given in `SOURCE.md` and
//! checked below: the ICMP destination unreachables of each code sent to the attacker.

mod common;
use common::*;
use serde_json::Value;

const ATTACKER: &str = "198.18.1.66";
const NAME: &str = "firewalls";

#[test]
fn the_capture_holds_each_ruleset_and_its_attacks_one_at_a_time() {
    let eps = episodes(NAME);
    let mut rulesets: Vec<&str> = eps
        .iter()
        .map(|e| e["firewall"].as_str().unwrap())
        .collect();
    rulesets.sort_unstable();
    rulesets.dedup();
    assert_eq!(
        rulesets,
        [
            "adminprohibited",
            "drop",
            "reject",
            "routerdrop",
            "routerreject"
        ]
    );
    for e in &eps {
        assert_eq!(e["src"], ATTACKER, "{e}");
    }
    // one at a time: an episode is its command's span plus 2 s, the next command began 2 s
    // (and the switch of ruleset) after the one before ended
    assert_apart(NAME, &eps, 0.1);
    let j = detect_json(NAME);
    assert_eq!(j["undecoded"], 0);
}

#[test]
fn the_victim_and_the_router_refuse_with_icmp() {
    // (code, sender) → ICMP destination unreachables to the attacker, counted by tcpdump:
    // `tcpdump -nr firewalls.pcap 'icmp[0]=3 and icmp[1]=CODE and src host H and dst host
    // 198.18.1.66' | wc -l` (SOURCE.md)
    let bytes = std::fs::read(cap("firewalls.pcap")).unwrap();
    let mut counts = std::collections::BTreeMap::new();
    for (_, _, f) in pcap_records(&bytes) {
        // Ethernet, IPv4 without options, ICMP type 3 to the attacker
        if f.len() >= 36
            && f[12..14] == [0x08, 0x00]
            && f[14] == 0x45
            && f[23] == 1
            && f[30..34] == [198, 18, 1, 66]
            && f[34] == 3
        {
            *counts.entry((f[35], f[26..30].to_vec())).or_insert(0u32) += 1;
        }
    }
    let victim = vec![198u8, 18, 0, 10];
    let router = vec![198u8, 18, 1, 1];
    // admin-prohibited and port unreachable (TCP too) from the victim, rate-limited by its
    // kernel; admin-prohibited from the router
    for (key, n) in [
        ((13, victim.clone()), 30),
        ((3, victim), 24),
        ((13, router), 37),
    ] {
        assert_eq!(counts.get(&key), Some(&n), "{key:?}: {counts:?}");
    }
    assert_eq!(counts.len(), 3, "{counts:?}");
}

#[test]
fn every_attack_is_alerted_with_its_class_and_nothing_else() {
    let eps = episodes(NAME);
    assert_eq!(
        eps.iter().filter(|e| e["label"] == "scan-window").count(),
        1
    );
    let mut last = None;
    for extra in [&[][..], &["--threads", "1"]] {
        let j = detect_json_with(NAME, extra);
        let what = format!("{NAME} {extra:?}: ");
        let alerts = j["alerts"].as_array().unwrap();
        // the window scan's probes are an ACK scan's: scan-ack, scan-window the alternative
        for e in &eps {
            assert_named_right(&what, e, alerts);
        }
        assert_no_false_alert(&what, alerts, &eps);
        let tuples: Vec<String> = alerts.iter().map(show).collect();
        if let Some(prev) = last.replace(tuples.clone()) {
            assert_eq!(prev, tuples, "{what}the same with one thread");
        }
    }
}

#[test]
fn a_connect_scan_after_a_syn_scan_of_the_same_ports_has_an_alert_of_its_own() {
    // nmap -sT -T3 right after nmap -sS of the same ports, against admin-prohibited and
    // against port unreachable: an alert named scan-connect that begins within the connect
    // scan (not only the SYN scan's alert running into its first second), holding most of its
    // SYNs, by the unanswered-connections rule
    let eps = episodes(NAME);
    let j = detect_json(NAME);
    let alerts = j["alerts"].as_array().unwrap();
    let connects: Vec<&Value> = eps
        .iter()
        .filter(|e| e["label"] == "scan-connect")
        .collect();
    assert_eq!(connects.len(), 2);
    for e in connects {
        let t0 = e["start"].as_f64().unwrap();
        let own: Vec<&Value> = covering(e, alerts)
            .into_iter()
            .filter(|a| {
                a["nightjar"]["label"] == "scan-connect"
                    && secs(a["nightjar"]["first_seen"].as_str().unwrap()) >= t0 - 1.0
            })
            .collect();
        assert_eq!(own.len(), 1, "{}: {:?}", e["command"], covering(e, alerts));
        let n = &own[0]["nightjar"];
        assert!(n["packets"].as_u64().unwrap() > 150, "{}", show(own[0]));
        // named by its probes, each attempt counted once (`Profile::resent_syns`), not by a
        // vote of the networks (`networks-within-family`) over SYNs sent three to six times
        assert_eq!(n["profile"]["rule"], "probe-flags", "{}", show(own[0]));
        assert!(n["profile"]["probes_per_target"].as_f64().unwrap() < 3.0);
    }
    // the SYNs the networks passed, flagged by the unanswered-connections rule
    assert!(
        j["flagged_by_unanswered_rule"].as_u64().unwrap() > 100,
        "{j}"
    );
}

#[test]
fn the_unanswered_connections_rule_has_a_threshold_that_turns_it_off() {
    let j = detect_json_with(NAME, &["--unanswered-threshold", "0"]);
    assert_eq!(j["flagged_by_unanswered_rule"], 0);
    assert_eq!(j["settings"]["unanswered_threshold"], 0.0);
    let on = detect_json(NAME);
    assert_eq!(on["settings"]["unanswered_threshold"], 25.0);
    let path = cap(&format!("{NAME}.pcap"));
    for bad in ["--unanswered-threshold=-1", "--unanswered-threshold=nan"] {
        let o = run(&["ids", "detect", "--pcap", &path, bad]);
        let err = stderr(&o);
        assert_eq!(code(&o), 2, "{bad}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(
            err.contains("unanswered-connections threshold"),
            "{bad}: {err}"
        );
    }
    let help = run(&["ids", "detect", "--help"]);
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(text.contains("--unanswered-threshold"), "{text}");
}
