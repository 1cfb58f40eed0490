//! End-to-end test of `nightjar ids detect` on pings of death and ICMP floods beside normal
//! large pings, driving the real binary with the built-in models on the committed capture
//! `pingofdeath` (`data/captures/SOURCE.md`, "Pings of death beside large pings"; made by
//! `lab/classic.sh` with `lab/pingofdeath.plan`).
//!
//! * ping of death over IPv4 (`lab/classic.py pod`): 12 echo requests of 65,436 bytes in
//!   fragments, each followed by a fragment at offset 65,520 that ends past 65,535 bytes;
//!   `podx`: one echo request of 65,560 bytes as Scapy's `fragment()` cuts it, its last
//!   fragment ending 53 bytes past; over IPv6 (`pod6`, from 2001:2::c612:42): two echo
//!   requests of 65,600 bytes in fragments of 1,448, each last one ending past 65,535;
//! * ICMP floods: `ping -f -s 3000 -c 200` (a flood of large pings, three fragments each way)
//!   and `hping3 --icmp -i u500 -c 1000`; `nmap -sU` and `nmap -sS` for reference;
//! * all along, normal large pings both ways: the client (198.18.0.20) pings the victim
//!   (198.18.0.10) with 3,000 bytes twice a second and over IPv6 once a second, the victim
//!   the client with 2,000 bytes twice a second, and the attacker, between its attacks, pings
//!   with 4,000 and 8,000 bytes, probes the path MTU (`ping -M do -s 1472`) and sends the
//!   largest legal ping (`ping -s 65507`, 65,535 bytes).
//!
//! The session's base (main d8fcfe7) named all three pings of death `flood-icmp` (the
//! datagrams' other fragments) and missed `nmap -sU`, and raised four false ICMP floods from
//! the large pings (the client's, 2,136 packets over the whole run; the attacker's normal
//! pings, three more): 6 of 7 alerted, 3 named right, 4 false.
//!
//! Known answers from tcpdump 4.99 (an independent decoder) on the capture: 14,672 frames;
//! `'ip and src host 198.18.0.66 and ((ip[6:2] & 0x1fff) * 8 + ip[2:2] > 65535)'` 13
//! fragments past 65,535; `'ip6 and src host 2001:2::c612:42 and ip6[6]=44'` 92 IPv6
//! fragments, of which `'... and ((ip6[42:2] & 0xfff8) + ip6[4:2] - 8 > 65535)'` 2 past it;
//! `'ip and ((ip[6:2] & 0x3fff) != 0) and host 198.18.0.10 and host 198.18.0.20'` 4,344
//! fragments of normal pings between the victim and the client. The test checks its own
//! reading of the frames against them.

mod common;
use common::*;

const VICTIM: [u8; 4] = [198, 18, 0, 10];
const CLIENT: [u8; 4] = [198, 18, 0, 20];
const ATTACKER: [u8; 4] = [198, 18, 0, 66];
/// 2001:2::c612:42, the attacker's IPv6 address.
const ATTACKER6: [u8; 16] = [
    0x20, 0x01, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0xc6, 0x12, 0, 0x42,
];

/// (IPv4 fragments from the attacker ending past 65,535; IPv6 fragments from the attacker, and
/// those of them ending past 65,535; IPv4 fragments between the victim and the client) among
/// the capture's frames.
fn counts(bytes: &[u8]) -> (usize, usize, usize, usize) {
    let mut c = (0, 0, 0, 0);
    for (_, _, f) in pcap_records(bytes) {
        match f.get(12..14) {
            Some([0x08, 0x00]) if f.len() >= 14 + 20 => {
                let ip = &f[14..];
                let (src, dst) = (&ip[12..16], &ip[16..20]);
                let word = u16::from_be_bytes([ip[6], ip[7]]);
                let total = u32::from(u16::from_be_bytes([ip[2], ip[3]]));
                let end = u32::from(word & 0x1fff) * 8 + total;
                c.0 += usize::from(src == ATTACKER && end > 65_535);
                let pair = (src == VICTIM && dst == CLIENT) || (src == CLIENT && dst == VICTIM);
                c.3 += usize::from(pair && word & 0x3fff != 0);
            }
            Some([0x86, 0xdd]) if f.len() >= 14 + 48 => {
                let ip = &f[14..];
                // a fragment header right after the fixed header
                if ip[8..24] != ATTACKER6 || ip[6] != 44 {
                    continue;
                }
                c.1 += 1;
                let plen = u32::from(u16::from_be_bytes([ip[4], ip[5]]));
                let offset = u32::from(u16::from_be_bytes([ip[42], ip[43]]) & 0xfff8);
                c.2 += usize::from(offset + plen - 8 > 65_535);
            }
            _ => {}
        }
    }
    c
}

#[test]
fn pings_of_death_are_alerted_alone_and_large_pings_are_not() {
    let bytes = std::fs::read(cap("pingofdeath.pcap")).unwrap();
    assert_eq!(pcap_records(&bytes).len(), 14_672);
    assert_eq!(counts(&bytes), (13, 92, 2, 4344));
    let eps = episodes("pingofdeath");
    assert_eq!(
        sorted_labels(&eps),
        [
            "flood-icmp",
            "flood-icmp",
            "other-attack",
            "other-attack",
            "other-attack",
            "scan-syn",
            "scan-udp"
        ]
    );
    for extra in [&[][..], &["--threads", "1"]] {
        let j = detect_json_with("pingofdeath", extra);
        let what = format!("pingofdeath {extra:?}");
        assert_all_alerted_right(&what, &j, &eps);
        let alerts = j["alerts"].as_array().unwrap();
        // each ping of death is one alert, named for its fragments past 65,535 bytes
        for (needle, oversize) in [("classic.py pod e2", 12), ("podx", 1), ("pod6", 2)] {
            let a = covering(by_command(&eps, needle), alerts);
            assert_eq!(a.len(), 1, "{what}: {needle}");
            let p = &a[0]["nightjar"]["profile"];
            assert_eq!(p["rule"], "ping-of-death", "{what}: {}", show(a[0]));
            assert_eq!(p["oversize_fragments"], oversize, "{what}: {needle}");
            assert!(
                a[0]["alert"]["signature"]
                    .as_str()
                    .unwrap()
                    .contains("ping of death: IP fragments ending past 65,535 bytes"),
                "{what}"
            );
        }
        // every fragment past 65,535 flagged, and no other (the largest legal ping is not)
        assert_eq!(j["oversize_fragments"], 15, "{what}");
        // the floods of large and small pings are still ICMP floods of their sender
        for needle in ["ping -f", "hping3"] {
            let a = covering(by_command(&eps, needle), alerts);
            assert_eq!(a.len(), 1, "{what}: {needle}");
            assert_eq!(a[0]["nightjar"]["label"], "flood-icmp", "{what}");
        }
        // the normal large pings raise nothing: no false alert, none from the victim or the
        // client, and the rule cleared what the networks flagged of them
        assert_no_false_alert(&format!("{what}: "), alerts, &eps);
        assert!(
            alerts
                .iter()
                .all(|a| a["src_ip"] != "198.18.0.10" && a["src_ip"] != "198.18.0.20"),
            "{what}"
        );
        assert!(j["echoes_cleared"].as_u64().unwrap() > 1000, "{what}");
    }
}

#[test]
fn without_the_echo_rule_the_large_pings_make_false_alerts_again() {
    // --echo-pace 0 turns the answered-echo rule off: the client's large pings are an ICMP
    // flood of the client again (the base's false alert); the pings of death stay alerted
    let j = detect_json_with("pingofdeath", &["--echo-pace", "0"]);
    assert_eq!(j["echoes_cleared"], 0);
    assert_eq!(j["settings"]["echo_pace"], 0.0);
    let alerts = j["alerts"].as_array().unwrap();
    assert!(
        alerts.iter().any(|a| a["src_ip"] == "198.18.0.20"),
        "{:?}",
        alerts.iter().map(show).collect::<Vec<_>>()
    );
    assert_eq!(j["oversize_fragments"], 15);
}
