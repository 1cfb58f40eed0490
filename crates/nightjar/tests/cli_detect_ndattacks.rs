//! End-to-end tests of `nightjar ids detect` on IPv6 neighbour-discovery and router attacks
//! (thc-ipv6: the rules of `crates/ids/src/neighbour.rs`), driving the real binary with the
//! built-in models on `ndattacks` (`lab/ndattacks.sh`, `data/captures/SOURCE.md`): one IPv6
//! LAN (2001:2::/64 and link-local) with a radvd router, a victim 2001:2::c612:a, three
//! clients doing ordinary IPv6 all along (web, pings, new addresses with duplicate-address
//! detection, neighbour-cache flushes, link flaps) and the attacker 2001:2::c612:42 running
//! `atk6-flood_router26`, `flood_advertise6`, `parasite6 -l`, `smurf6`, `fake_router26`,
//! `flood_solicitate6`, `dos-new-ip6` and `rsmurf6` in turn. Every attack but the rogue
//! router's forges its sources (labelled `"spoofed": true`). Read by the session's base
//! (5836acb): no attack alerted, four false alerts (the smurf's victim as an ICMP flood's
//! source against `ff02::1`, and three hosts that answered the smurf's requests).
//!
//! The known answers were read from the capture with tcpdump 4.99 (an independent decoder):
//! `tcpdump -nr ndattacks.pcap | wc -l` 8,137 frames, all IPv6; `... 'icmp6 and
//! ip6[40]==134'` 650 router advertisements, 39 of them radvd's (fe80::c6ff:fe12:1), 3 the
//! rogue router's (fe80::c6ff:fe12:42), 608 each from another source; `... 'ip6[8]==0xff'`
//! 1,390 packets whose source is a group address (rsmurf6's); `... 'icmp6 and ip6[40]==128 and
//! dst ff02::1 and src 2001:2::c612:a'` 452 echo requests to all nodes in the victim's name
//! and `... 'icmp6 and ip6[40]==129 and dst 2001:2::c612:a'` 1,071 echo replies to it.

mod common;
use common::*;
use serde_json::Value;

const NAME: &str = "ndattacks";
const VICTIM: &str = "2001:2::c612:a";
const ALL_NODES: &str = "ff02::1";

/// The rule, `dest_ip` and `src_ip` (if fixed) of the alert expected for the attack whose
/// command contains the needle.
const EXPECTED: [(&str, &str, &str, Option<&str>); 7] = [
    (
        "atk6-flood_router26",
        "router-advertisement-flood",
        ALL_NODES,
        None,
    ),
    (
        "atk6-flood_advertise6",
        "neighbour-advertisement-flood",
        ALL_NODES,
        None,
    ),
    (
        "atk6-parasite6",
        "neighbour-spoofing",
        "2001:2::c612:15",
        None,
    ),
    ("atk6-smurf6", "smurf", VICTIM, Some(ALL_NODES)),
    (
        "atk6-flood_solicitate6",
        "neighbour-solicitation-flood",
        ALL_NODES,
        None,
    ),
    (
        "atk6-dos-new-ip6",
        "duplicate-address-denial",
        ALL_NODES,
        None,
    ),
    ("atk6-rsmurf6", "group-source", VICTIM, Some(ALL_NODES)),
];

#[test]
fn every_attack_but_the_rogue_router_is_one_victim_alert_naming_its_rule_and_nothing_else() {
    let eps = episodes(NAME);
    assert_eq!(
        sorted_labels(&eps),
        [
            "flood-icmp",
            "flood-icmp",
            "flood-icmp",
            "flood-icmp",
            "flood-icmp",
            "other-attack",
            "other-attack",
            "other-attack"
        ]
    );
    assert_eq!(eps.iter().filter(|e| e["spoofed"] == true).count(), 7);
    assert_apart(NAME, &eps, 2.0);
    let mut first = None;
    for extra in [&[][..], &["--threads", "1"]] {
        let j = detect_json_with(NAME, extra);
        let what = format!("{NAME} {extra:?}: ");
        let alerts = j["alerts"].as_array().unwrap();
        // no alert covers no attack
        assert_no_false_alert(&what, alerts, &eps);
        for (needle, rule, dest, src) in EXPECTED {
            let e = by_command(&eps, needle);
            assert_named_right(&what, e, alerts);
            let cover = covering(e, alerts);
            assert_eq!(cover.len(), 1, "{what}{needle}: {cover:#?}");
            let a = cover[0];
            let n = &a["nightjar"];
            assert_eq!(n["scope"], "victim", "{what}{}", show(a));
            assert_eq!(n["neighbour"]["rule"], rule, "{what}{}", show(a));
            assert_eq!(a["dest_ip"], dest, "{what}{}", show(a));
            assert_eq!(a["proto"], "IPv6-ICMP", "{what}{}", show(a));
            if let Some(s) = src {
                assert_eq!(a["src_ip"], s, "{what}{}", show(a));
            }
        }
        // the rogue router advertises as a router does: not seen (its source is the
        // attacker's own link-local address, and no alert comes from it or covers it)
        let rogue = by_command(&eps, "atk6-fake_router26");
        assert!(covering(rogue, alerts).is_empty(), "{what}");
        assert!(
            alerts.iter().all(|a| a["src_ip"] != "fe80::c6ff:fe12:42"),
            "{what}"
        );
        assert_eq!(alerts.len(), 7, "{what}");
        assert_eq!(j["neighbour_alerts"], 7, "{what}");
        assert_eq!(j["victim_alerts"], 7, "{what}");
        // every packet the rules flagged is in one of their alerts
        let packets: u64 = alerts
            .iter()
            .map(|a| a["nightjar"]["packets"].as_u64().unwrap())
            .sum();
        assert_eq!(j["neighbour_flagged"].as_u64(), Some(packets), "{what}");
        let rows = alert_rows(&j);
        match &first {
            None => first = Some(rows),
            Some(f) => assert_eq!(f, &rows, "one thread or two: the same alerts"),
        }
    }
}

/// The alert of `j` whose `nightjar.neighbour.rule` is `rule`.
fn by_rule<'a>(j: &'a Value, rule: &str) -> &'a Value {
    let found: Vec<&Value> = j["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["nightjar"]["neighbour"]["rule"] == rule)
        .collect();
    assert_eq!(found.len(), 1, "{rule}: {found:#?}");
    found[0]
}

#[test]
fn the_alerts_count_the_packets_tcpdump_counts() {
    let j = detect_json(NAME);
    // every packet from a group address (tcpdump: 1,390), none of them below the rule
    let rs = by_rule(&j, "group-source");
    assert_eq!(rs["nightjar"]["packets"], 1390, "{}", show(rs));
    assert_eq!(rs["nightjar"]["label"], "flood-icmp");
    // the router-advertisement flood: of the 608 advertisements each from a new source, all
    // but the first ones (the count of new speakers reaches 50 within a tenth of a second at
    // the flood's 300 a second)
    let ra = by_rule(&j, "router-advertisement-flood");
    let n = ra["nightjar"]["packets"].as_u64().unwrap();
    assert!((500..=608).contains(&n), "{}", show(ra));
    let sources = ra["nightjar"]["sources"].as_u64().unwrap();
    assert!(
        sources.abs_diff(n) * 10 < n,
        "as many sources as packets, within the estimate's error: {}",
        show(ra)
    );
    // the smurf: the victim's requests to all nodes (452) and the replies to it (1,071)
    // from the rule's threshold on, from three hosts that answered
    let sm = by_rule(&j, "smurf");
    let n = sm["nightjar"]["packets"].as_u64().unwrap();
    assert!((1200..=452 + 1071).contains(&n), "{}", show(sm));
    assert_eq!(sm["nightjar"]["sources"], 3, "{}", show(sm));
    assert!(sm["alert"]["signature"]
        .as_str()
        .unwrap()
        .starts_with("NIGHTJAR flood-icmp (smurf: echo requests to a group in the victim's name) against 2001:2::c612:a"));
    assert_eq!(sm["alert"]["category"], "Attempted Denial of Service");
    // the spoofing and the denial are no floods
    for rule in ["neighbour-spoofing", "duplicate-address-denial"] {
        let a = by_rule(&j, rule);
        assert_eq!(a["nightjar"]["label"], "other-attack", "{}", show(a));
        assert_eq!(a["alert"]["severity"], 2, "{}", show(a));
    }
}

#[test]
fn the_rules_off_give_the_old_alerts_back() {
    let j = detect_json_with(NAME, &["--nd-flood-threshold", "0"]);
    assert_eq!(j["neighbour_alerts"], 0);
    assert_eq!(j["neighbour_flagged"], 0);
    assert_eq!(j["neighbour_cleared"], 0);
    assert_eq!(j["settings"]["nd_flood_threshold"], 0.0);
    let alerts = j["alerts"].as_array().unwrap();
    // no group is a victim, and the smurf's victim is taken for an attacker again
    assert!(alerts.iter().all(|a| a["nightjar"]["neighbour"].is_null()));
    assert!(alerts
        .iter()
        .all(|a| a["dest_ip"] != VICTIM || a["src_ip"] != ALL_NODES));
    assert!(
        alerts
            .iter()
            .any(|a| a["src_ip"] == VICTIM && a["dest_ip"] == ALL_NODES),
        "{:#?}",
        alerts.iter().map(show).collect::<Vec<_>>()
    );
    // a threshold that is no number is refused
    let o = run(&[
        "ids",
        "detect",
        "--pcap",
        &cap("ndattacks.pcap"),
        "--nd-flood-threshold=-1",
    ]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("neighbour-discovery flood threshold"),
        "{}",
        stderr(&o)
    );
}
