//! End-to-end tests of `nightjar ids detect` on one-way floods of IP protocols other than TCP,
//! UDP and ICMP (`crates/ids/src/unlearned.rs`, `Verdict::Flood`, `OTHER_FLOOD`; the profile's
//! rule `other-protocol-flood`, `Rule::OtherProtocolFlood`), driving the real binary with the
//! built-in model on the lab captures `otherprotocols` (seed 2630) and `otherprotocolsval` (seed
//! 2631) (`lab/run.sh --scenario otherprotocols`; `data/captures/SOURCE.md`): t50's floods of
//! 3,000-8,000 packets of 4 or 5 of IGMPv3, OSPF, EIGRP, RSVP, DCCP, IPSEC and GRE carrying UDP
//! (`t50 V --threshold N --protocol P -s A`; `--protocol UDP --encapsulated --gre-saddr A
//! --gre-daddr V`), always from the attacker's own address, and an nmap IP protocol scan
//! (`-sO`), all `other-attack`, at least 4 s apart. Beside them, two tunnels between normal
//! clients carrying pings and HTTP downloads of a few MiB both ways (`lab/tunnelnormal.py`): GRE
//! between 198.18.0.20 and .21 and IP-in-IP between .21 and .22. A protocol both ends send is a
//! tunnel, which must raise no alert.
//!
//! No false alert: before a tunnel's packets past its 64th counted in its flow only (as an
//! established TCP session's do), `otherprotocols` had one, on the IP-in-IP tunnel's "b" end
//! (198.18.0.22), whose own HTTP GET to the victim 7.8 s into the tunnel (15 packets: ACKs and
//! a FIN) the networks named a UDP flood. The packet decoder now opens both tunnels: the inner
//! hosts' packets are analysed, every one normal.

use serde_json::Value;

mod common;
use common::*;

/// The lab's captures of `--scenario otherprotocols`: the test capture and the validation one.
const CAPTURES: [&str; 2] = ["otherprotocols", "otherprotocolsval"];
/// The lab's victim: the target of every attack.
const VICTIM: &str = "198.18.0.10";
/// The profile's rule for a one-way flood of another protocol.
const RULE: &str = "other-protocol-flood";
/// The tunnels: (IP protocol, one end, the other end, the inner hosts). The packet decoder
/// opens them (`crates/packet/src/tunnel.rs`): what is analysed is the inner hosts' traffic.
const TUNNELS: [(u8, &str, &str, [&str; 2]); 2] = [
    (
        47,
        "198.18.0.20",
        "198.18.0.21",
        ["198.19.99.1", "198.19.99.2"],
    ),
    (
        4,
        "198.18.0.21",
        "198.18.0.22",
        ["198.19.99.5", "198.19.99.6"],
    ),
];

/// The value after `flag` in a command line.
fn arg<'a>(cmd: &'a str, flag: &str) -> &'a str {
    let w: Vec<&str> = cmd.split_whitespace().collect();
    let i = w
        .iter()
        .position(|x| *x == flag)
        .unwrap_or_else(|| panic!("no {flag} in {cmd}"));
    w[i + 1]
}

/// The t50 flood of an episode, as the word the alert's signature names it by ("IGMP flood"):
/// t50's IPSEC sends ESP, and `--encapsulated` GRE; None for the protocol scan.
fn flood_word(cmd: &str) -> Option<&'static str> {
    if !cmd.starts_with("t50 ") {
        return None;
    }
    if cmd.contains("--encapsulated") {
        return Some("GRE");
    }
    Some(match arg(cmd, "--protocol") {
        "IGMPv3" => "IGMP",
        "OSPF" => "OSPF",
        "EIGRP" => "EIGRP",
        "RSVP" => "RSVP",
        "DCCP" => "DCCP",
        "IPSEC" => "ESP",
        other => panic!("t50 --protocol {other}"),
    })
}

#[test]
fn the_captures_hold_t50_floods_of_other_protocols_and_a_protocol_scan() {
    let mut words = Vec::new();
    for name in CAPTURES {
        let eps = episodes(name);
        let floods: Vec<&Value> = eps
            .iter()
            .filter(|e| flood_word(e["command"].as_str().unwrap()).is_some())
            .collect();
        assert!((4..=5).contains(&floods.len()), "{name}: {eps:?}");
        assert_eq!(eps.len(), floods.len() + 1, "{name}: {eps:?}");
        for e in &eps {
            let cmd = e["command"].as_str().unwrap();
            let src = e["src"].as_str().unwrap();
            assert_eq!(e["label"], "other-attack", "{name}: {cmd}");
            assert!(cmd.split_whitespace().any(|w| w == VICTIM), "{name}: {cmd}");
            if let Some(word) = flood_word(cmd) {
                // the attacker's own address, a bounded count: never t50's random source,
                // --flood or -q
                assert_eq!(arg(cmd, "-s"), src, "{name}: {cmd}");
                let n: u32 = arg(cmd, "--threshold").parse().unwrap();
                assert!((3000..=8000).contains(&n), "{name}: {cmd}");
                assert!(
                    !cmd.contains("--flood") && !cmd.contains(" -q"),
                    "{name}: {cmd}"
                );
                if word == "GRE" {
                    assert_eq!(arg(cmd, "--gre-saddr"), src, "{name}: {cmd}");
                    assert_eq!(arg(cmd, "--gre-daddr"), VICTIM, "{name}: {cmd}");
                }
                assert!(!words.contains(&(name, word)), "{name}: two {word} floods");
                words.push((name, word));
            } else {
                assert!(cmd.starts_with("nmap -n -sO "), "{name}: {cmd}");
            }
        }
        assert_apart(name, &eps, 4.0);
    }
    // between them, every kind of flood the scenario draws, a GRE flood in each
    let mut kinds: Vec<&str> = words.iter().map(|(_, w)| *w).collect();
    kinds.sort_unstable();
    kinds.dedup();
    assert_eq!(
        kinds,
        ["DCCP", "EIGRP", "ESP", "GRE", "IGMP", "OSPF", "RSVP"],
        "{words:?}"
    );
    for name in CAPTURES {
        assert!(words.contains(&(name, "GRE")), "{name}: {words:?}");
    }
}

#[test]
fn every_flood_of_another_protocol_is_one_alert_named_by_its_protocol_and_the_scan_a_scan() {
    for name in CAPTURES {
        let j = detect_json(name);
        let alerts = j["alerts"].as_array().unwrap();
        let eps = episodes(name);
        for e in &eps {
            assert_named_right(&format!("{name}: "), e, alerts);
            let cmd = e["command"].as_str().unwrap();
            let cover = covering(e, alerts);
            // every alert covering the attack names it other-attack
            for a in &cover {
                assert_eq!(
                    a["nightjar"]["label"],
                    "other-attack",
                    "{name}: {}",
                    show(a)
                );
            }
            if let Some(word) = flood_word(cmd) {
                // one alert per flood, by the rule, its protocol in the signature
                assert_eq!(cover.len(), 1, "{name}: {cmd}: {cover:#?}");
                let a = cover[0];
                assert_eq!(
                    a["nightjar"]["profile"]["rule"],
                    RULE,
                    "{name}: {}",
                    show(a)
                );
                let sig = a["alert"]["signature"].as_str().unwrap();
                assert!(
                    sig.contains(&format!("({word} flood)")),
                    "{name}: {cmd}: {sig}"
                );
                assert_eq!(a["dest_ip"], VICTIM, "{name}: {}", show(a));
                // nearly every packet of the flood in it: all but the first ~100, before the
                // count reached the threshold
                let n: u64 = arg(cmd, "--threshold").parse().unwrap();
                let got = a["nightjar"]["packets"].as_u64().unwrap();
                assert!(got + 150 >= n, "{name}: {cmd}: {got} packets");
            } else {
                // nmap -sO: an IP protocol scan, not a flood of any one protocol
                assert!(
                    cover.iter().any(|a| {
                        a["alert"]["signature"]
                            .as_str()
                            .unwrap()
                            .contains("(IP protocol scan)")
                    }),
                    "{name}: {cmd}: {cover:#?}"
                );
                for a in &cover {
                    assert_ne!(a["nightjar"]["profile"]["rule"], RULE, "{}", show(a));
                }
            }
        }
        let bad = false_alerts(alerts, &eps);
        assert!(
            bad.is_empty(),
            "{name}: false alerts: {:#?}",
            bad.iter().map(|a| show(a)).collect::<Vec<_>>()
        );
    }
}

#[test]
fn the_tunnels_carry_traffic_both_ways_every_packet_normal() {
    for name in CAPTURES {
        let s = Scratch::new(&format!("otherprotocols-{name}"));
        let pcap = cap(&format!("{name}.pcap"));
        let o = run(&[
            "ids",
            "detect",
            "--pcap",
            &pcap,
            "--scores",
            &s.s("s.csv"),
            "--json",
        ]);
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        let j: Value = serde_json::from_str(&String::from_utf8(o.stdout).unwrap()).unwrap();
        // the tunnels are opened: no packet between their ends is left of their protocol; the
        // inner hosts' pings and downloads, each way, every packet normal
        let csv = std::fs::read_to_string(s.path("s.csv")).unwrap();
        let mut lines = csv.lines();
        assert_eq!(lines.next(), Some("index,ts,src,dst,proto,score,verdict"));
        // [tunnel][way][ICMP, TCP]
        let mut ways = [[[0u64; 2]; 2]; 2];
        for l in lines {
            let f: Vec<&str> = l.split(',').collect();
            for (t, (proto, x, y, [a, b])) in TUNNELS.iter().enumerate() {
                let ends = (f[2], f[3]);
                assert!(
                    !(f[4] == proto.to_string() && (ends == (*x, *y) || ends == (*y, *x))),
                    "{name}: a tunnel packet left unopened: {l}"
                );
                let way = if ends == (*a, *b) {
                    0
                } else if ends == (*b, *a) {
                    1
                } else {
                    continue;
                };
                assert_eq!(f[6], "normal", "{name}: {l}");
                match f[4] {
                    "1" => ways[t][way][0] += 1,
                    "6" => ways[t][way][1] += 1,
                    _ => panic!("{name}: neither a ping nor a download: {l}"),
                }
            }
        }
        // pings twice a second for over a minute and downloads of a few MiB, both ways
        for (t, (proto, _, _, [a, b])) in TUNNELS.iter().enumerate() {
            for (way, [pings, tcp]) in ways[t].iter().enumerate() {
                assert!(
                    *pings >= 150 && *tcp >= 500,
                    "{name}: protocol {proto} {a} <-> {b}: {:?}",
                    ways[t]
                );
                eprintln!("{name}: inside protocol {proto}, {a} <-> {b} way {way}: {pings} pings, {tcp} TCP");
            }
        }
        // the lab's log says what the tunnel ends carried
        let log = std::fs::read_to_string(cap(&format!("{name}.log"))).unwrap();
        for kind in ["gre a", "gre b", "ipip a", "ipip b"] {
            assert!(
                log.lines().any(|l| l.starts_with(&format!("#   {kind} "))),
                "{name}: no report of {kind}"
            );
        }
        assert!(
            log.lines()
                .filter(|l| l.starts_with("#   gre a ") || l.starts_with("#   ipip a "))
                .all(|l| !l.contains(" 0 of ")),
            "{name}: a tunnel carried no download"
        );
        // no alert from or against a tunnel's end or inner host
        for a in j["alerts"].as_array().unwrap() {
            for (_, x, y, [p, q]) in TUNNELS {
                for h in [x, y, p, q] {
                    assert!(a["src_ip"] != h && a["dest_ip"] != h, "{name}: {}", show(a));
                }
            }
        }
    }
}
