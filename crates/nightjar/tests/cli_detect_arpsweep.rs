//! End-to-end tests of `nightjar ids detect` on ARP sweeps (host discovery on a LAN, which sends
//! ARP and no IP: the ARP-sweep rule, `crates/ids/src/arpsweep.rs`), driving the real binary with
//! the built-in models on `arpsweep` (`lab/arpsweep.sh`, `data/captures/SOURCE.md`): one LAN of
//! 198.18.0.0/24 with a victim, three clients, seven quiet live hosts and a router whose far
//! client talks to them, every neighbour cache flushed every 4 s; the attacker 198.18.0.66 runs
//! `nmap -n -sn 198.18.0.0/24` as root, which on its own subnet asks by ARP for every address.
//! And on `sweep`, whose nmap scans of the lab's /26 began with nmap's ARP host discovery.
//!
//! The known answers were read from the capture with tcpdump 4.99 (an independent decoder):
//! `tcpdump -nr arpsweep.pcap | wc -l` 2,385 frames, `... arp` 816 ARP messages,
//! `... 'arp and arp[6:2] = 1 and arp[14:4] = 0xc6120042'` 501 requests from 198.18.0.66 for 255
//! distinct addresses (`awk '{print $5}' | sort -u`: nmap's 256 addresses of the /24 but its
//! own), `... 'arp and arp[6:2] = 2 and arp[24:4] = 0xc6120042'` 15 replies to it.

mod common;
use common::*;
use serde_json::Value;

const ATTACKER: &str = "198.18.0.66";

/// `ids detect` on `arpsweep` with `extra` flags: the JSON object and the score rows.
fn detect(extra: &[&str]) -> (Value, Vec<Vec<String>>) {
    let s = Scratch::new(&format!("detect-arpsweep{}", extra.len()));
    let path = cap("arpsweep.pcap");
    let scores = s.s("s.csv");
    let mut args = vec![
        "ids", "detect", "--pcap", &path, "--json", "--scores", &scores,
    ];
    args.extend_from_slice(extra);
    let o = run(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let j: Value = serde_json::from_str(&String::from_utf8(o.stdout).unwrap()).unwrap();
    let csv = std::fs::read_to_string(s.path("s.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("index,ts,src,dst,proto,score,verdict"));
    let rows = lines
        .map(|l| l.split(',').map(str::to_string).collect::<Vec<_>>())
        .collect();
    (j, rows)
}

#[test]
fn the_arp_sweep_is_one_alert_and_nothing_else_is_alerted() {
    let (j, rows) = detect(&[]);
    let alerts = j["alerts"].as_array().unwrap();
    let eps = episodes("arpsweep");
    assert_eq!(eps.len(), 1);
    assert_eq!(eps[0]["command"], "nmap -n -sn 198.18.0.0/24");
    // the sweep: one alert, from the attacker, covering the labelled episode
    assert_eq!(
        alerts.len(),
        1,
        "{:#?}",
        alerts.iter().map(show).collect::<Vec<_>>()
    );
    assert!(false_alerts(alerts, &eps).is_empty());
    let a = &alerts[0];
    assert_eq!(covering(&eps[0], alerts).len(), 1, "{}", show(a));
    assert_eq!(a["src_ip"], ATTACKER);
    assert_eq!(
        a["dest_ip"], "198.18.0.0",
        "the swept prefix's first address"
    );
    assert_eq!(a["proto"], "ARP");
    assert_eq!(a["nightjar"]["label"], "other-attack");
    assert_eq!(a["alert"]["category"], "Detection of a Network Scan");
    assert!(
        a["alert"]["signature"]
            .as_str()
            .unwrap()
            .contains("(ARP sweep of 255 addresses in 198.18.0.0/24) from 198.18.0.66"),
        "{}",
        show(a)
    );
    let s = &a["nightjar"]["arp_sweep"];
    assert_eq!(
        (s["targets"].as_u64(), s["requests"].as_u64()),
        (Some(255), Some(501))
    );
    assert!(s["replies"].as_u64().unwrap() <= 15);
    assert_eq!(s["prefix"], "198.18.0.0/24");
    // the records: 2,385, of which 816 ARP messages (tcpdump's counts), none undecoded
    assert_eq!(j["records"], 2385);
    assert_eq!(j["arp"], 816);
    assert_eq!(j["undecoded"], 0);
    assert_eq!(
        j["packets"].as_u64().unwrap() + 816,
        2385,
        "records = packets + arp + undecoded"
    );
    assert_eq!(j["arp_sweep_alerts"], 1);
    // the score rows: every ARP message has its addresses, proto ARP, score 0 and a verdict;
    // the flagged ones are the sweep's (its requests and the replies to it), as many as the
    // alert's packets
    assert_eq!(rows.len(), 2385);
    let arp: Vec<&Vec<String>> = rows.iter().filter(|r| r[4] == "ARP").collect();
    assert_eq!(arp.len(), 816);
    assert!(rows.iter().all(|r| r[6] != "undecoded"));
    let mut flagged = 0;
    for r in &arp {
        assert_eq!(r[5], "0.000000", "{r:?}");
        assert!(
            r[2].parse::<std::net::Ipv4Addr>().is_ok()
                && r[3].parse::<std::net::Ipv4Addr>().is_ok()
        );
        match r[6].as_str() {
            "normal" => {}
            "other-attack" => {
                flagged += 1;
                assert!(r[2] == ATTACKER || r[3] == ATTACKER, "{r:?}");
            }
            v => panic!("ARP verdict {v}: {r:?}"),
        }
    }
    assert_eq!(flagged, a["nightjar"]["packets"].as_u64().unwrap());
    assert_eq!(flagged, j["arp_flagged"].as_u64().unwrap());
    // nmap asks for 255 addresses in 1.6 s; a target counts a quarter of a second after its
    // request (the rule's grace), so the count reaches the threshold (25) some 0.4 s in, and
    // the requests after that and the replies to them are flagged
    assert!(flagged > 300, "{flagged}");
}

#[test]
fn with_the_rule_off_arp_is_still_read_and_nothing_is_alerted() {
    let (j, rows) = detect(&["--arp-sweep-threshold", "0"]);
    assert_eq!(j["alerts"].as_array().unwrap().len(), 0, "{j}");
    assert_eq!(
        (j["arp"].as_u64(), j["arp_flagged"].as_u64()),
        (Some(816), Some(0))
    );
    let arp = rows.iter().filter(|r| r[4] == "ARP");
    assert!(arp.clone().all(|r| r[6] == "normal"));
    assert_eq!(arp.count(), 816);
    assert_eq!(j["settings"]["arp_sweep_threshold"], 0.0);
}

#[test]
fn nmap_subnet_scans_in_sweep_begin_with_an_arp_sweep_of_the_slash_26() {
    // `sweep` (lab/run.sh --scenario sweep): nmap's scans of 198.18.0.0/26 from the lab's
    // subnet ask for its 64 addresses by ARP first — the SYN scan from .66, the connect scan
    // (with the UDP scan 6 s after it, one run) and the Xmas scan from .67; each such sweep
    // is alerted as a sweep of the /26 within its scan's episode, besides the scan's own alert
    let j = detect_json("sweep");
    let alerts = j["alerts"].as_array().unwrap();
    let eps = episodes("sweep");
    let arp: Vec<&Value> = alerts.iter().filter(|a| a["proto"] == "ARP").collect();
    let want = [
        ("198.18.0.66", "scan-syn"),
        ("198.18.0.67", "scan-connect"),
        ("198.18.0.67", "scan-xmas"),
    ];
    assert_eq!(
        arp.len(),
        want.len(),
        "{:#?}",
        arp.iter().map(|a| show(a)).collect::<Vec<_>>()
    );
    for (a, (src, label)) in arp.iter().zip(want) {
        assert_eq!(a["src_ip"], src);
        assert_eq!(a["dest_ip"], "198.18.0.0");
        assert_eq!(a["nightjar"]["arp_sweep"]["prefix"], "198.18.0.0/26");
        assert_eq!(a["nightjar"]["arp_sweep"]["targets"], 64);
        let e = eps
            .iter()
            .find(|e| {
                e["src"] == src && e["label"] == label && !covering(e, &[(*a).clone()]).is_empty()
            })
            .unwrap_or_else(|| panic!("no {label} episode of {src} covers {}", show(a)));
        assert!(e["command"].as_str().unwrap().ends_with("198.18.0.0/26"));
        // the scan itself is still alerted with its class
        assert!(named(e, alerts).contains(&label), "{e}");
    }
}
