//! End-to-end test of `nightjar ids detect` on the classic denial-of-service attacks of the
//! DARPA 1998/99 evaluations, driving the real binary with the built-in models on the committed
//! capture `classic` (`data/captures/SOURCE.md`, "Classic attacks"; made by `lab/classic.sh`).
//!
//! * smurf: 400 echo requests to the subnet's broadcast address 198.18.0.255 with the victim
//!   (198.18.0.10) forged as their source, 250 a second; six hosts (198.18.0.20, .31–.35)
//!   answer each, 2,400 echo replies to the victim;
//! * fraggle: the same with UDP datagrams to the broadcast's echo port (7) from the victim's
//!   ports 7000–7049, echoed back by the six hosts;
//! * land: `hping3 -S -a 198.18.0.10 -s 80 -k -p 80 -c 400 198.18.0.10`, SYNs whose source is
//!   their destination;
//! * ping of death: 12 echo requests of 65,436 bytes in fragments, each followed by a fragment
//!   that ends past 65,535 bytes (the victim reassembles the legal part and answers it),
//!   labelled `other-attack` since session 18 (`flood-icmp` before: the base alerted the
//!   legal part's fragments and answers as an ICMP flood; now the 12 fragments past 65,535
//!   are the alert, `crates/ids/src/fragments.rs`, "Fragments past the largest datagram");
//! * `nmap -sS -p 1-200` for reference.
//!
//! The reflectors of smurf and fraggle are labelled as that attack's sources (their answers
//! are the flood the victim receives), land's as the forged victim address. Before the
//! amplification check of the reflection rule (`crates/ids/src/reflection.rs`, "Amplified by a
//! broadcast") smurf was not alerted, fraggle was alerted as six UDP scans, and the victim was
//! alerted as the source of an ICMP flood (the forged requests).
//!
//! Known answers from tcpdump 4.99 (an independent decoder) on the capture: 11,734 frames;
//! `'icmp[0]=0 and dst host 198.18.0.10 and src net 198.18.0.0/24'` 2,400 echo replies,
//! `'udp and src port 7 and dst host 198.18.0.10'` 2,400 echoed datagrams, `'dst host
//! 198.18.0.255'` 800 forged requests, `'src host 198.18.0.10 and dst host 198.18.0.10 and
//! tcp[13]&0x12=2'` 400 land SYNs; the test checks its own reading of the frames against them.

mod common;
use common::*;

const VICTIM: &str = "198.18.0.10";
const REFLECTORS: [&str; 6] = [
    "198.18.0.20",
    "198.18.0.31",
    "198.18.0.32",
    "198.18.0.33",
    "198.18.0.34",
    "198.18.0.35",
];

/// (echo replies to the victim from the lab, UDP from port 7 to the victim, frames to the
/// broadcast address, SYNs from the victim to itself) among the capture's IPv4 frames.
fn counts(bytes: &[u8]) -> (usize, usize, usize, usize) {
    let victim = [198, 18, 0, 10];
    let mut c = (0, 0, 0, 0);
    for (_, _, f) in pcap_records(bytes) {
        if f.len() < 14 + 20 + 14 || f[12..14] != [0x08, 0x00] {
            continue;
        }
        let ip = &f[14..];
        let (src, dst, proto) = (&ip[12..16], &ip[16..20], ip[9]);
        let first = u16::from_be_bytes([ip[6], ip[7]]) & 0x1fff == 0;
        let l4 = &ip[usize::from(ip[0] & 0x0f) * 4..];
        if dst == [198, 18, 0, 255] {
            c.2 += 1;
        }
        if dst != victim || !first {
            continue;
        }
        match proto {
            1 if l4[0] == 0 && src[..3] == [198, 18, 0] && src != victim => c.0 += 1,
            17 if l4[..2] == [0, 7] => c.1 += 1,
            6 if src == victim && l4[13] & 0x12 == 0x02 => c.3 += 1,
            _ => {}
        }
    }
    c
}

#[test]
fn smurf_fraggle_land_and_ping_of_death_are_alerted_with_their_class() {
    let bytes = std::fs::read(cap("classic.pcap")).unwrap();
    assert_eq!(pcap_records(&bytes).len(), 11_734);
    assert_eq!(counts(&bytes), (2400, 2400, 800, 400));
    let eps = episodes("classic");
    assert_eq!(eps.len(), 15);
    for extra in [&[][..], &["--threads", "1"]] {
        let j = detect_json_with("classic", extra);
        let what = format!("classic {extra:?}");
        assert_all_alerted_right(&what, &j, &eps);
        let alerts = j["alerts"].as_array().unwrap();
        // each reflector floods the victim twice (echo replies, then echoed datagrams); the
        // victim is the source of no alert but land's, whose packets carry its address as
        // their source and destination
        for r in REFLECTORS {
            let mut classes: Vec<&str> = alerts
                .iter()
                .filter(|a| a["src_ip"] == r)
                .map(|a| {
                    assert_eq!(a["dest_ip"], VICTIM, "{what}: {}", show(a));
                    a["nightjar"]["label"].as_str().unwrap()
                })
                .collect();
            classes.sort();
            assert_eq!(classes, ["flood-icmp", "flood-udp"], "{what}: {r}");
        }
        let from_victim: Vec<&serde_json::Value> =
            alerts.iter().filter(|a| a["src_ip"] == VICTIM).collect();
        assert_eq!(from_victim.len(), 1, "{what}");
        assert_eq!(from_victim[0]["dest_ip"], VICTIM, "{what}");
        assert_eq!(from_victim[0]["nightjar"]["label"], "flood-syn", "{what}");
        assert!(
            j["flagged_by_reflection_rule"].as_u64().unwrap() > 4000,
            "{what}"
        );
        // the ping of death is named for its 12 fragments past 65,535 bytes
        let pod = covering(by_command(&eps, "ping of death"), alerts);
        assert_eq!(pod.len(), 1, "{what}");
        assert_eq!(
            pod[0]["nightjar"]["profile"]["rule"], "ping-of-death",
            "{what}"
        );
        assert_eq!(pod[0]["nightjar"]["profile"]["oversize_fragments"], 12);
        assert_eq!(j["oversize_fragments"], 12, "{what}");
    }
}

#[test]
fn the_amplification_check_can_be_turned_off_with_the_reflection_rule() {
    // --reflection-threshold 0 turns the whole rule off: the smurf is not alerted then
    let j = detect_json_with("classic", &["--reflection-threshold", "0"]);
    let eps = episodes("classic");
    let smurf: Vec<&serde_json::Value> = eps
        .iter()
        .filter(|e| e["command"].as_str().unwrap().contains("smurf"))
        .collect();
    assert_eq!(smurf.len(), 6);
    let alerts = j["alerts"].as_array().unwrap();
    assert!(smurf.iter().all(|e| covering(e, alerts).is_empty()));
    assert_eq!(j["flagged_by_reflection_rule"], 0);
}
