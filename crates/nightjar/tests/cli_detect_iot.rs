//! End-to-end test of `nightjar ids detect` on attacks of the Kitsune dataset's kind (Mirsky et
//! al., NDSS 2018) and on packet crafters not used before in the lab, driving the real binary
//! with the built-in models on `iot` (`lab/iot.sh`, `data/captures/SOURCE.md`): a small
//! IoT/camera LAN (two cameras streaming RTP to a recorder, HTTP, telnet-like logins on 23 and
//! 2323, SSDP responders, a hub serving HTTPS that lets clients renegotiate; a laptop and the
//! recorder fetching, discovering and using TLS all along), captured on its bridge. From the
//! attacker .66, one after the other: Mirai's telnet scan (raw SYNs to random addresses of the
//! LAN and of an empty neighbouring /24, 23 or 2323, then login tries), what thc-ssl-dos does
//! (three connections renegotiating TLS as fast as the server completes it), an SSDP flood
//! (M-SEARCHes forged from the recorder's port 1900 to the four devices' 1900, whose answers
//! flood it), mausezahn's SYN scan (`dp=1-300`, every SYN from port 0 with Linux's options),
//! packit's ICMP echo flood and a sendip NULL scan.
//!
//! The session's base (main d8fcfe7) alerted 4 of the 6 right: the SSDP flood was missed (its
//! questions seen on the wire made the answers look asked for, and 1900 → 1900 looked like a
//! symmetric service), mausezahn's scan was named a connect scan (its 299 SYNs past the one
//! source port were taken for `connect()`'s SYNs sent again), and the renegotiations were
//! flagged by the networks but named by the SYNs of their three connections, a connect scan of
//! three targets, which raised nothing (the base's episode scoring counts that attack alerted
//! only because the ARP-sweep alert of the Mirai scan ends 0.2 s after it began). Now
//! `crates/ids/src/reflection.rs` ("Questions seen, answers refused"),
//! `crates/ids/src/profile.rs` (`Profile::resent_syns`, at most `MAX_SYN_RESENDS` per source
//! port and none past one per target) and `crates/ids/src/renegotiation.rs` (with
//! `Rule::TlsRenegotiation`).
//!
//! Known answers read with tcpdump 4.99 (an independent decoder): `tcpdump -nr iot.pcap | wc
//! -l` 11,916 frames, `... arp` 1,041; `... 'src host 198.18.0.66 and tcp[13]=2 and (tcp dst
//! port 23 or tcp dst port 2323)'` 438 SYNs (424 of them to 198.18.1.0/24); `... 'src host
//! 198.18.0.66 and tcp dst port 443 and tcp[((tcp[12]&0xf0)>>2)]=0x16'` 906 segments that
//! begin with a TLS handshake record; `... 'src host 198.18.0.30 and udp src port 1900 and udp
//! dst port 1900'` 1,200 forged M-SEARCHes and as many answers back; `... 'src host
//! 198.18.0.30 and icmp[0]=3 and icmp[1]=3'` 36 port unreachables from the recorder;
//! `... 'src host 198.18.0.66 and src port 0 and tcp[13]=2'` 300 SYNs (mausezahn's).

mod common;
use common::*;
use serde_json::Value;

/// The recorder, whose address the SSDP flood's questions carry.
const RECORDER: &str = "198.18.0.30";

/// `ids detect --json` of the committed capture `name`, checked: its `records` and `arp`
/// counts, nothing undecoded, `episodes` labelled episodes, every one alerted and named right
/// from its own source — the reflectors' answers included — but the forged `victim`'s (whose
/// address an SSDP flood's questions carry: it is never alerted as an attacker), and no false
/// alert. The detection and the episodes.
fn forged_victims_lan(
    name: &str,
    records: u64,
    arp: u64,
    episodes_n: usize,
    victim: &str,
) -> (Value, Vec<Value>) {
    let what = format!("{name}: ");
    let j = detect_json(name);
    assert_eq!(j["records"], records);
    assert_eq!(j["arp"], arp);
    assert_eq!(j["undecoded"], 0);
    let eps = episodes(name);
    assert_eq!(eps.len(), episodes_n);
    let alerts = j["alerts"].as_array().unwrap();
    for e in eps.iter().filter(|e| e["src"] != victim) {
        assert_named_right(&what, e, alerts);
    }
    assert!(
        alerts.iter().all(|a| a["src_ip"] != victim),
        "{what}{:?}",
        alerts.iter().map(show).collect::<Vec<_>>()
    );
    assert_no_false_alert(&what, alerts, &eps);
    (j, eps)
}

#[test]
fn iot_attacks_and_packet_crafters_are_alerted_and_named_and_the_lan_is_not() {
    // six attacks; the SSDP flood labelled for its forged source and its four reflectors.
    // The recorder's own packets (its refusals and its fetches) are no attack, nor is anything
    // of the cameras' streams, the clients or the devices outside the flood
    let (j, eps) = forged_victims_lan("iot", 11916, 1041, 10, RECORDER);
    let alerts = j["alerts"].as_array().unwrap();
    // the SSDP flood: each reflector's answers to the recorder, a flood of reflected answers
    let ssdp: Vec<&Value> = alerts.iter().filter(|a| a["dest_ip"] == RECORDER).collect();
    assert_eq!(
        ssdp.len(),
        4,
        "{:?}",
        ssdp.iter().map(|a| show(a)).collect::<Vec<_>>()
    );
    for a in &ssdp {
        assert_eq!(a["nightjar"]["label"], "flood-udp", "{}", show(a));
        assert!(
            a["nightjar"]["packets"].as_u64().unwrap() >= 290,
            "{}",
            show(a)
        );
    }
    // Mirai's scan: its kernel's ARP for every address of the LAN it tried makes a sweep of
    // 206 addresses, and its first packets to 6 of the 7 hosts that answered are raw SYNs to
    // 23 or 2323 (the seventh's a login's `connect()`); that sweep is the scan's host discovery, named by its probes (session 21; main
    // b5fdfd9 named it `other-attack`, "ARP sweep", beside the SYN scan's own alerts)
    let mirai = covering(by_command(&eps, "iot.py mirai"), alerts);
    let sweep: Vec<&&Value> = mirai
        .iter()
        .filter(|a| a["nightjar"]["arp_sweep"].is_object())
        .collect();
    assert_eq!(
        sweep.len(),
        1,
        "{:?}",
        mirai.iter().map(|a| show(a)).collect::<Vec<_>>()
    );
    assert_eq!(
        sweep[0]["nightjar"]["label"],
        "scan-syn",
        "{}",
        show(sweep[0])
    );
    let probed = &sweep[0]["nightjar"]["arp_sweep"];
    assert_eq!(
        (
            &probed["syn_probed"],
            &probed["connect_probed"],
            &probed["talked_to"]
        ),
        (&Value::from(6), &Value::from(1), &Value::from(7))
    );
    assert!(
        sweep[0]["alert"]["signature"]
            .as_str()
            .unwrap()
            .contains("(ARP sweep of 206 addresses in 198.18.0.0/24, then SYN probes of 6)"),
        "{}",
        show(sweep[0])
    );
    // what thc-ssl-dos does: one alert of its own, named by the renegotiations
    let reneg = covering(by_command(&eps, "sslreneg.pl"), alerts);
    let tls: Vec<&&Value> = reneg
        .iter()
        .filter(|a| a["nightjar"]["profile"]["rule"] == "tls-renegotiation")
        .collect();
    assert_eq!(
        tls.len(),
        1,
        "{:?}",
        reneg.iter().map(|a| show(a)).collect::<Vec<_>>()
    );
    let a = tls[0];
    assert_eq!(
        (&a["dest_ip"], &a["nightjar"]["label"]),
        (&Value::from("198.18.0.14"), &Value::from("other-attack"))
    );
    assert!(
        a["alert"]["signature"]
            .as_str()
            .unwrap()
            .contains("(TLS renegotiation flood)"),
        "{}",
        show(a)
    );
    assert!(
        j["flagged_by_renegotiation_rule"].as_u64().unwrap() > 1000,
        "{j}"
    );
    // mausezahn's SYNs from one port to 300 ports counting up: a SYN scan
    let mz = covering(by_command(&eps, "mausezahn"), alerts);
    assert_eq!(mz.len(), 1);
    assert_eq!(mz[0]["nightjar"]["label"], "scan-syn", "{}", show(mz[0]));
    assert_eq!(
        mz[0]["nightjar"]["profile"]["rule"],
        "ascending-ports-fixed-source-port"
    );
}

#[test]
fn with_the_renegotiation_rule_off_the_renegotiations_raise_no_alert_of_their_own() {
    let j = detect_json_with("iot", &["--renegotiation-threshold", "0"]);
    assert_eq!(j["settings"]["renegotiation_threshold"], 0.0);
    assert_eq!(j["flagged_by_renegotiation_rule"], 0);
    let alerts = j["alerts"].as_array().unwrap();
    let eps = episodes("iot");
    let reneg = covering(by_command(&eps, "sslreneg.pl"), alerts);
    // only the ARP sweep's alert, which ends just after the renegotiations began
    assert!(
        reneg
            .iter()
            .all(|a| a["nightjar"]["profile"]["rule"] != "tls-renegotiation"
                && a["alert"]["signature"]
                    .as_str()
                    .unwrap()
                    .contains("ARP sweep")),
        "{:?}",
        reneg.iter().map(|a| show(a)).collect::<Vec<_>>()
    );
    // a negative threshold is a usage error
    let o = run(&[
        "ids",
        "detect",
        "--pcap",
        &cap("iot.pcap"),
        "--renegotiation-threshold=-1",
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("renegotiation threshold"),
        "{}",
        stderr(&o)
    );
}

/// The victim of `ssdpfuzz`'s SSDP flood, whose port 1900 is open.
const SSDP_VICTIM: &str = "198.18.0.30";

/// `ssdpfuzz` (`lab/ssdp.sh`, `data/captures/SOURCE.md`): the same LAN with 14 more SSDP
/// devices, the recorder listening on 1900 (it takes the answers: no refusals) and a UPnP
/// control point discovering all along (three multicast M-SEARCHes, then a unicast one to each
/// of the 18 devices, every 10-40 s). From the attacker .66: 1,200 M-SEARCHes forged from the
/// recorder's 1900 to eight devices' 1900 (scapy, about 240 a second), then SFuzz-like fuzzing —
/// 80 connections of random bytes to a camera's HTTP server, 60 of two random segments each to
/// the hub's telnet login — with 40 ordinary HTTP fetches from .66 between them. The session's
/// base (main 292ed02) alerted none of the three; now `crates/ids/src/reflection.rs`
/// ("Questions at a flood's pace, answers taken") and `crates/ids/src/fuzzing.rs`.
///
/// Known answers read with tcpdump 4.99: `tcpdump -nr ssdpfuzz.pcap | wc -l` 6,413 frames,
/// `... arp` 226; `... 'src host 198.18.0.30 and udp src port 1900 and udp dst port 1900'`
/// 1,200 forged M-SEARCHes, `... 'dst host 198.18.0.30 and udp src port 1900 and udp dst port
/// 1900'` 1,200 answers, `... icmp` none; `... 'src host 198.18.0.66 and tcp[13]==2'` 120 SYNs
/// to port 80 (80 fuzzing, 40 fetches) and 60 to 23.
#[test]
fn an_ssdp_flood_whose_victim_takes_the_answers_and_fuzzing_are_alerted_and_named() {
    // three attacks; the SSDP flood labelled for its forged source and its eight reflectors.
    // The control point's discovery, the attacker's own fetches and the LAN raise nothing
    let (j, eps) = forged_victims_lan("ssdpfuzz", 6413, 226, 11, SSDP_VICTIM);
    let alerts = j["alerts"].as_array().unwrap();
    // each reflector: its answers and the questions sent to it, a UDP flood against the
    // victim (150 answers and 150 questions each, less the first before the pace is known)
    let ssdp: Vec<&Value> = alerts
        .iter()
        .filter(|a| a["dest_ip"] == SSDP_VICTIM)
        .collect();
    assert_eq!(
        ssdp.len(),
        8,
        "{:?}",
        ssdp.iter().map(|a| show(a)).collect::<Vec<_>>()
    );
    for a in &ssdp {
        assert_eq!(a["nightjar"]["label"], "flood-udp", "{}", show(a));
        let n = a["nightjar"]["packets"].as_u64().unwrap();
        assert!((250..=300).contains(&n), "{}", show(a));
    }
    // fuzzing: one alert for each fuzzed service, named by the fuzzing rule
    for (cmd, server) in [
        ("TCP 198.18.0.11 80", "198.18.0.11"),
        ("TCP 198.18.0.14 23", "198.18.0.14"),
    ] {
        let c = covering(by_command(&eps, cmd), alerts);
        assert_eq!(
            c.len(),
            1,
            "{cmd}: {:?}",
            c.iter().map(|a| show(a)).collect::<Vec<_>>()
        );
        let a = c[0];
        assert_eq!(
            (
                &a["dest_ip"],
                &a["nightjar"]["label"],
                &a["nightjar"]["profile"]["rule"]
            ),
            (
                &Value::from(server),
                &Value::from("other-attack"),
                &Value::from("fuzzing")
            ),
            "{}",
            show(a)
        );
        assert!(
            a["alert"]["signature"]
                .as_str()
                .unwrap()
                .contains("(fuzzing:"),
            "{}",
            show(a)
        );
    }
    assert!(j["flagged_by_fuzzing_rule"].as_u64().unwrap() > 900, "{j}");
}

#[test]
fn with_the_fuzzing_and_reflection_rules_off_ssdpfuzz_raises_nothing() {
    let j = detect_json_with(
        "ssdpfuzz",
        &["--fuzzing-threshold", "0", "--reflection-threshold", "0"],
    );
    assert_eq!(j["settings"]["fuzzing_threshold"], 0.0);
    assert_eq!(j["flagged_by_fuzzing_rule"], 0);
    assert_eq!(j["flagged_by_reflection_rule"], 0);
    // the base's answer: the networks pass every packet of the three attacks
    let alerts = j["alerts"].as_array().unwrap();
    assert!(
        alerts.is_empty(),
        "{:?}",
        alerts.iter().map(show).collect::<Vec<_>>()
    );
}
