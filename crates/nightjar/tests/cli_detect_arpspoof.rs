//! End-to-end tests of `nightjar ids detect` on ARP spoofing (ARP cache poisoning, a man in the
//! middle: the ARP-spoofing rule, `crates/ids/src/arpspoof.rs`), driving the real binary with the
//! built-in models on `arpspoof` (`lab/arpspoof.sh`, `data/captures/SOURCE.md`): one LAN of
//! 198.18.0.0/24 with a gateway .1 (to a far host 198.19.0.9, and proxy ARP for it), a victim
//! .10, a client .20 and the attacker .66 running dsniff's `arpspoof -t 198.18.0.10 -r
//! 198.18.0.1` for 60 s, with legitimate ARP events around it: an address probe and
//! gratuitous ARP (arping -0, -U, -A) from .30, address .40 moved to a new machine once, VIP .5
//! failed over and back.
//!
//! The known answers were read from the capture with tcpdump 4.99 (an independent decoder):
//! `tcpdump -nr arpspoof.pcap | wc -l` 3,423 frames, `... arp | wc -l` 145 ARP messages,
//! `... 'arp and arp[6:2] = 2 and arp[8:4] = 0x0200c612 and arp[12:2] = 0x0042'` the replies
//! whose sender hardware address is the attacker's: 29 saying 198.18.0.1 is-at it (to .10),
//! 29 saying 198.18.0.10 is-at it (to .1), the first at 16:05:09.541480 and the last at
//! 16:06:05.571246, and 2 for its own address .66.

mod common;
use common::*;
use serde_json::Value;

const ATTACKER: &str = "198.18.0.66";
const SPOOFED: [&str; 2] = ["198.18.0.1", "198.18.0.10"];

/// `ids detect` on `arpspoof` with `extra` flags: the JSON object and the score rows.
fn detect(extra: &[&str]) -> (Value, Vec<Vec<String>>) {
    let s = Scratch::new(&format!("detect-arpspoof{}", extra.len()));
    let path = cap("arpspoof.pcap");
    let scores = s.s("s.csv");
    let mut args = vec![
        "ids", "detect", "--pcap", &path, "--json", "--scores", &scores,
    ];
    args.extend_from_slice(extra);
    let o = run(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("1 spoofing episodes alerted") || !extra.is_empty(),
        "{e}"
    );
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
fn the_poisoning_is_one_alert_of_the_attacker_and_nothing_else_is_alerted() {
    let (j, rows) = detect(&[]);
    let alerts = j["alerts"].as_array().unwrap();
    let eps = episodes("arpspoof");
    assert_eq!(eps.len(), 1);
    assert_eq!(
        eps[0]["command"],
        "arpspoof -i e4 -t 198.18.0.10 -r 198.18.0.1"
    );
    // one alert, from the attacker's own address, covering the labelled episode; none for
    // the gratuitous ARP, the moved address, the failover or the proxy ARP
    assert_eq!(
        alerts.len(),
        1,
        "{:#?}",
        alerts.iter().map(show).collect::<Vec<_>>()
    );
    assert!(false_alerts(alerts, &eps).is_empty());
    let a = &alerts[0];
    assert_eq!(covering(&eps[0], alerts).len(), 1, "{}", show(a));
    assert_eq!(
        a["src_ip"], ATTACKER,
        "its own address, from its own requests"
    );
    assert_eq!(a["proto"], "ARP");
    assert_eq!(a["nightjar"]["label"], "other-attack");
    assert_eq!(a["alert"]["category"], "Potentially Bad Traffic");
    // both directions are poisoned; .10 reached the threshold first (the victim's own
    // request for the attacker's address flipped its binding once more), so the alert names
    // it first, and its destination is the host whose cache holds the lie about it: .1
    assert_eq!(a["dest_ip"], "198.18.0.1");
    let sig = a["alert"]["signature"].as_str().unwrap();
    assert!(
        sig.contains(
            "(ARP spoofing: 198.18.0.10 claimed by MAC 02:00:c6:12:00:42 (held by \
             02:00:c6:12:00:0a) and 198.18.0.1 (held by 02:00:c6:12:00:01)) from 198.18.0.66"
        ),
        "{sig}"
    );
    let s = &a["nightjar"]["arp_spoof"];
    assert_eq!(s["rule"], "arp-spoof");
    assert_eq!(s["mac"], "02:00:c6:12:00:42");
    assert_eq!(s["own_address"], ATTACKER);
    assert_eq!(s["claimed_addresses"], 2);
    assert_eq!(s["claimed"][0]["victim"], "198.18.0.1");
    assert_eq!(s["claimed"][1]["victim"], "198.18.0.10");
    // the alert spans the spoofed replies: tcpdump's first and last
    assert_eq!(
        a["nightjar"]["first_seen"],
        "2026-11-29T16:05:09.541480+0000"
    );
    assert_eq!(
        a["nightjar"]["last_seen"],
        "2026-11-29T16:06:05.571246+0000"
    );
    // records: tcpdump's counts, none undecoded
    assert_eq!(j["records"], 3423);
    assert_eq!(j["arp"], 145);
    assert_eq!(j["undecoded"], 0);
    assert_eq!(
        (
            j["arp_spoof_alerts"].as_u64(),
            j["arp_sweep_alerts"].as_u64()
        ),
        (Some(1), Some(0))
    );
    assert_eq!(j["settings"]["arp_spoof_threshold"], 5.0);
    // the flagged rows: the attacker's replies claiming .1 and .10, as many as the alert's
    // packets; of its 58, those before the threshold (a few seconds) are normal
    let arp: Vec<&Vec<String>> = rows.iter().filter(|r| r[4] == "ARP").collect();
    assert_eq!(arp.len(), 145);
    let flagged: Vec<&&Vec<String>> = arp.iter().filter(|r| r[6] == "other-attack").collect();
    for r in &flagged {
        assert!(
            SPOOFED.contains(&r[2].as_str()) && SPOOFED.contains(&r[3].as_str()),
            "{r:?}"
        );
    }
    let n = flagged.len() as u64;
    assert_eq!(n, a["nightjar"]["packets"].as_u64().unwrap());
    assert_eq!(n, j["arp_flagged"].as_u64().unwrap());
    assert_eq!(n, j["arp_spoof_flagged"].as_u64().unwrap());
    assert_eq!(s["unsolicited_replies"].as_u64(), Some(n));
    assert!((50..=58).contains(&n), "{n}");
    assert!(rows.iter().all(|r| r[6] != "other-attack" || r[4] == "ARP"));
}

#[test]
fn with_the_rule_off_nothing_is_alerted_and_a_bad_threshold_is_refused() {
    let (j, rows) = detect(&["--arp-spoof-threshold", "0"]);
    assert_eq!(j["alerts"].as_array().unwrap().len(), 0, "{j}");
    assert_eq!(
        (
            j["arp"].as_u64(),
            j["arp_flagged"].as_u64(),
            j["arp_spoof_flagged"].as_u64()
        ),
        (Some(145), Some(0), Some(0))
    );
    assert!(rows
        .iter()
        .filter(|r| r[4] == "ARP")
        .all(|r| r[6] == "normal"));
    assert_eq!(j["settings"]["arp_spoof_threshold"], 0.0);
    // a threshold above what the attack reaches at its pace within the minute: nothing
    let (j, _) = detect(&["--arp-spoof-threshold", "100"]);
    assert_eq!(j["arp_spoof_alerts"], 0, "{j}");
    for bad in ["--arp-spoof-threshold=-1", "--arp-spoof-threshold=NaN"] {
        let path = cap("arpspoof.pcap");
        let o = run(&["ids", "detect", "--pcap", &path, bad]);
        assert_eq!(code(&o), 2, "{bad}");
        assert!(
            stderr(&o).contains("ARP spoof threshold must be a number ≥ 0"),
            "{}",
            stderr(&o)
        );
    }
    let o = run(&["ids", "detect", "--help"]);
    let help = String::from_utf8(o.stdout).unwrap();
    assert!(help.contains("--arp-spoof-threshold <N>"), "{help}");
    assert!(help.contains("[default: 5]"));
}

#[test]
fn the_arp_sweep_capture_has_no_spoofing() {
    // arpsweep: ARP churn (every cache flushed every 4 s), a router, an nmap ARP sweep; no
    // address is claimed by two hardware addresses
    let j = detect_json("arpsweep");
    assert_eq!(j["arp_spoof_alerts"], 0);
    assert_eq!(j["arp_spoof_flagged"], 0);
    assert_eq!(j["arp_sweep_alerts"], 1);
}
