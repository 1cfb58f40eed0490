//! End-to-end tests of `nightjar ids detect` on traces (traceroute and mtr by ICMP echo, TCP
//! SYN and UDP, the trace rule of `crates/ids/src/unlearned.rs`) and on a router's ARP
//! requests after it forwarded a sweep (`crates/ids/src/arpsweep.rs`, `MIN_TARGETS`), driving
//! the real binary with the built-in models on `traces` (`lab/traces.sh`,
//! `data/captures/SOURCE.md`): two /24s joined by a router (198.18.1.1 / 198.18.0.1); from
//! 198.18.1.66 `traceroute -I`, `traceroute -T -p 80`, `tcptraceroute` and `mtr` (UDP, TCP
//! and ICMP) to the victim 198.18.0.10, beside a SYN scan, a SYN flood sent with a time to
//! live of 5, an ICMP echo flood and an ICMP timestamp sweep of 198.18.0.0/25.
//! `traces.pcap` was captured on the tracer's bridge, `traces.br0.pcap` on the victim's.
//! The spans of the diagnostic commands are in `traces.normal.json` (they are no attacks).
//!
//! The session's base (main fada8e1) alerted `traceroute -I` as an ICMP flood, `tcptraceroute`
//! (and, on the victim's side, `traceroute -T`) as a SYN flood and `mtr -u` as a UDP scan,
//! and, on the victim's side, the router's three requests for 198.18.0.99 a minute after its
//! requests for the swept addresses as an "ARP sweep of 1 addresses".
//!
//! Known answers read with tcpdump 4.99 (an independent decoder): `tcpdump -nr traces.pcap |
//! wc -l` 9,480 frames, `... arp` 16; `... 'icmp[0]=11 and src host 198.18.1.1 and dst host
//! 198.18.1.66'` 46 time-exceeded messages (the router's, to the tracer); `... 'src host
//! 198.18.1.66 and ip[8]=5 and tcp[13]=2 and dst port 22'` 1,203 SYNs with a time to live of 5
//! (the flood's 1,200 among them). `tcpdump -nr traces.br0.pcap | wc -l` 12,039, `... arp` 345;
//! `... 'arp and arp[6:2]=1 and arp[14:4]=0xc6120001'` requests from the router for 105
//! distinct addresses; six of them for 198.18.0.99, three at 18:58:29–31 (the sweep) and three
//! at 18:58:47–49 (the traceroute).

mod common;
use common::*;
use serde_json::Value;

const TRACER: &str = "198.18.1.66";
const ROUTER_NEAR: &str = "198.18.1.1";

/// `ids detect` on `NAME.pcap`: the JSON object and the score rows.
fn detect(name: &str) -> (Value, Vec<Vec<String>>) {
    let s = Scratch::new(&format!("detect-{name}"));
    let path = cap(&format!("{name}.pcap"));
    let scores = s.s("s.csv");
    let o = run(&[
        "ids", "detect", "--pcap", &path, "--json", "--scores", &scores,
    ]);
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

/// The spans of the diagnostic commands (`traces.normal.json`): (start, end, command).
fn traces() -> Vec<(f64, f64, String)> {
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(cap("traces.normal.json")).unwrap()).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["start"].as_f64().unwrap(),
                e["end"].as_f64().unwrap(),
                e["command"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The checks both captures share: the records, the three attacks alerted and named right
/// (the timestamp sweep: on the tracer's side only, below), no alert of the tracer's outside them, every packet
/// between the tracer and the victim within a trace's span normal.
fn attacks_alerted_and_traces_quiet(name: &str, records: u64, arp: u64) -> Value {
    let (j, rows) = detect(name);
    assert_eq!(
        (j["records"].as_u64(), j["arp"].as_u64()),
        (Some(records), Some(arp))
    );
    assert_eq!(j["undecoded"], 0);
    assert_eq!(rows.len() as u64, records);
    let alerts = j["alerts"].as_array().unwrap();
    let eps = episodes("traces");
    assert_eq!(
        sorted_labels(&eps),
        ["flood-icmp", "flood-syn", "other-attack", "scan-syn"]
    );
    for needle in ["--flags syn -p 1-200", "--ttl 5", "--icmp --rate 1000"] {
        assert_named_right(&format!("{name}: "), by_command(&eps, needle), alerts);
    }
    // the SYN flood with a time to live of 5 is a flood still: the trace rule takes no more
    // than its bound (100, damped) of it
    let flood = covering(by_command(&eps, "--ttl 5"), alerts);
    assert!(
        flood[0]["nightjar"]["packets"].as_u64().unwrap() >= 3000,
        "{}",
        show(flood[0])
    );
    // no alert of the tracer's but those, nor of anyone else's from the tracer's side
    let false_: Vec<String> = false_alerts(alerts, &eps)
        .into_iter()
        .filter(|a| a["src_ip"] == TRACER || a["dest_ip"] == TRACER)
        .map(show)
        .collect();
    assert!(false_.is_empty(), "{false_:#?}");
    // the packets between the tracer and the victim (and the router's errors to the tracer)
    // within a trace's span are normal, but for the first probes, sent at one time to live
    // before a second one makes them a trace (traceroute -I sends three at 1 at once): at most
    // four a trace, far below an alert's 15 (the base flagged 24 to 45 of each of the first
    // four traces, 242 of 343 on the tracer's side)
    let spans = traces();
    assert_eq!(spans.len(), 7);
    let (mut seen, mut flagged) = (0, 0);
    for (s, e, cmd) in &spans {
        let mut f = 0;
        for r in &rows {
            let t: f64 = r[1].parse().unwrap();
            let ours = matches!(
                (r[2].as_str(), r[3].as_str()),
                (TRACER, "198.18.0.10") | ("198.18.0.10", TRACER) | (ROUTER_NEAR, TRACER)
            );
            if ours && (*s..=*e).contains(&t) {
                seen += 1;
                f += u32::from(r[6] != "normal");
            }
        }
        assert!(f <= 4, "{name}: {f} packets of `{cmd}` flagged");
        flagged += f;
    }
    assert!(seen > 250, "{name}: {seen} packets of the traces");
    assert!(
        flagged <= 4,
        "{name}: {flagged} packets of the traces flagged"
    );
    // the rule took packets the networks flagged
    assert!(j["protocol_rule_cleared"].as_u64().unwrap() > 100);
    j
}

#[test]
fn traces_by_echo_syn_and_udp_are_normal_on_the_tracer_s_side() {
    let j = attacks_alerted_and_traces_quiet("traces", 9480, 16);
    let alerts = j["alerts"].as_array().unwrap();
    assert_eq!(
        alerts.len(),
        4,
        "{:#?}",
        alerts.iter().map(show).collect::<Vec<_>>()
    );
    // the timestamp sweep of 198.18.0.0/25, 4 s after the ICMP flood: one port (the query
    // type) failed on 25 hosts in a row after the tracer's first slow-scan finding, a finding
    // of its own (crates/ids/src/slowscan.rs, "Later sweeps"; session 17: before, the one fast
    // finding of the tracer's episode had been spent on its first scan, and the sweep was
    // missed)
    let eps = episodes("traces");
    let sweep = by_command(&eps, "--icmp-type time");
    assert_named_right("traces: ", sweep, alerts);
    let a = covering(sweep, alerts);
    assert_eq!(
        a[0]["nightjar"]["slow_scan"]["trigger"],
        "hosts-on-one-port"
    );
}

#[test]
fn on_the_victim_s_side_a_router_s_few_requests_after_a_sweep_are_no_sweep() {
    let j = attacks_alerted_and_traces_quiet("traces.br0", 12039, 345);
    let alerts = j["alerts"].as_array().unwrap();
    // the router resolving the addresses the timestamp sweep reached is a sweep to the rule
    // (arpsweep.rs, "What it may call a sweep"): one alert of 103 addresses; its three
    // requests for 198.18.0.99 17 s after the sweep's run ended are none
    let arp: Vec<&Value> = alerts.iter().filter(|a| a["proto"] == "ARP").collect();
    assert_eq!(
        arp.len(),
        1,
        "{:#?}",
        arp.iter().map(|a| show(a)).collect::<Vec<_>>()
    );
    assert_eq!(arp[0]["src_ip"], "198.18.0.1");
    assert_eq!(arp[0]["nightjar"]["arp_sweep"]["targets"], 103);
    assert_eq!(j["arp_sweep_alerts"], 1);
    assert_eq!(alerts.len(), 4);
}
