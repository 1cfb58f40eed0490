//! End-to-end test of `nightjar ids detect` on port scanners other than nmap and the UDP service
//! sweeps of a pentest, driving the real binary with the built-in models on `scanners`
//! (`lab/scanners.sh`, `data/captures/SOURCE.md`): two /24s joined by a router; on 198.18.0.0/24
//! six live hosts, four of them with SNMP, SIP, NetBIOS or IKE services, and 249 addresses that
//! do not exist; on 198.18.1.0/24 the attacker .66, a client and a monitoring poller (SNMP
//! GetRequests to four hosts every 3-5 s, one of them dead; SIP OPTIONS; NetBIOS node status).
//! From .66, one after the other, 6 s apart: zmap `-p 80`, onesixtyone (eight communities),
//! pnscan `22`, svmap, nbtscan, masscan `-p 22`, ike-scan, zmap `-p 443` at 10 probes a second,
//! `nmap -Pn -sS -p 22`, svmap of 41 ports of one host and zmap's UDP module on 161, every one
//! over the same /24 but the last but one.
//!
//! The session's base (main 5836acb) alerted 5 of the 11 and named them right, no false alert
//! (main 76a4ea4 6: svmap over one host too):
//! from the second sweep on, no host was new to the sweep rule (it kept the hosts a source
//! probed in the last 30 s, on any port), and onesixtyone, pnscan, masscan and zmap's UDP sweep
//! were missed; so was zmap at 10 probes a second, too slow for the sweep rule, whose
//! slow-scan finding was not made: the rule made one fast finding per episode of its source,
//! spent on the first sweep. The sweep rule now counts per port too (`crates/ids/src/detect.rs`,
//! `Sweep`), and a later sweep of one port is a slow-scan finding of its own
//! (`crates/ids/src/slowscan.rs`, "Later sweeps").
//!
//! Known answers read with tcpdump 4.99 (an independent decoder): `tcpdump -nr scanners.pcap |
//! wc -l` 13,013 frames, `... arp` 44; `... 'src host 198.18.1.66 and tcp dst port 80 and
//! tcp[13]=2'` 256 SYNs (zmap's, each with IP ID 54321 in `-v`); `... 'src host 198.18.1.66 and
//! udp dst port 161'` 2,304 datagrams (onesixtyone's 8 × 256 and zmap's 256); `... 'src host
//! 198.18.1.21 and udp dst port 161'` 170 polls; `... 'src host 198.18.1.1 and dst host
//! 198.18.1.66 and icmp[0]=3'` 141 unreachables from the router.

mod common;
use common::*;
use serde_json::Value;

#[test]
fn other_scanners_and_udp_service_sweeps_are_alerted_and_named_and_the_poller_is_not() {
    let j = detect_json("scanners");
    assert_eq!(j["records"], 13013);
    assert_eq!(j["arp"], 44);
    assert_eq!(j["undecoded"], 0);
    let eps = episodes("scanners");
    assert_eq!(eps.len(), 11);
    assert_apart("scanners", &eps, 3.0);
    // every attack alerted and named right, no false alert: the monitoring poller (SNMP to a
    // dead host among them) and the clients raise nothing. (svmap over 41 ports of one host,
    // missed by main 5836acb and c28b058 with or without the changes of this session, is
    // alerted since main 76a4ea4: 16 packets, one more than an alert needs)
    assert_all_alerted_right("scanners: ", &j, &eps);
    let alerts = j["alerts"].as_array().unwrap();
    // zmap at 10 SYNs a second, after eight other sweeps of the source: the slow-scan rule's,
    // 25 hosts failed in a row on port 443, spanning only its own probes
    let slow = covering(by_command(&eps, "zmap -p 443"), alerts);
    assert_eq!(
        slow.len(),
        1,
        "{:?}",
        slow.iter().map(|a| show(a)).collect::<Vec<_>>()
    );
    let f = &slow[0]["nightjar"]["slow_scan"];
    assert_eq!(
        (&f["trigger"], &f["port"]["port"], &f["hosts"], &f["fast"]),
        (
            &Value::from("hosts-on-one-port"),
            &Value::from(443),
            &Value::from(25),
            &Value::from(true)
        )
    );
    assert!(alerts.iter().all(|a| a["src_ip"] == "198.18.1.66"));
}

#[test]
fn a_sweep_of_the_same_subnet_on_another_port_is_flagged_by_the_sweep_rule() {
    // masscan -p 22 came 7 s after nbtscan over the same /24: with the sweep rule off, the
    // networks alone flag a few of its SYNs and it is not alerted
    let on = detect_json("scanners");
    let off = detect_json_with("scanners", &["--sweep-threshold", "0"]);
    let eps = episodes("scanners");
    let e = by_command(&eps, "masscan");
    let named = |j: &serde_json::Value| named(e, j["alerts"].as_array().unwrap()).join(",");
    assert_eq!(named(&on), "scan-syn");
    assert_eq!(named(&off), "");
    assert!(
        on["flagged_by_sweep_rule"].as_u64().unwrap() > 1000,
        "{}",
        on["flagged_by_sweep_rule"]
    );
    assert_eq!(off["flagged_by_sweep_rule"], 0);
}
