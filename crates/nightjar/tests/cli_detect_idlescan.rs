//! End-to-end test of `nightjar ids detect` on nmap's idle scan (`-sI`), driving the real
//! binary with the built-in models on the committed capture `idlescan`
//! (`data/captures/SOURCE.md`, "nmap's idle scan"; made by `lab/idlescan.sh`).
//!
//! The attacker (198.18.0.66) scans the victim (198.18.0.10) three times through a zombie
//! (198.18.0.40, `lab/zombie.py`): it reads the zombie's IP ID with SYN+ACKs to one of its
//! ports, and sends the victim SYNs forged from the zombie's address. On the wire the SYN scan
//! is the zombie's (as any IDS sees it), and the attacker sends nothing but SYN+ACKs to the
//! zombie. A client (198.18.0.20) browses and pings the victim all along.
//!
//! The session's base (main 292ed02) alerted all six episodes but named the second scan's 30
//! probes (`-T4` over 19 ports) `flood-syn`: too few SYN+ACKs for a flood, left to the
//! networks, which learned SYN+ACKs from floods.
//!
//! Known answers from tcpdump 4.99 (an independent decoder) on the capture: 2,805 frames;
//! `'src host 198.18.0.66 and dst host 198.18.0.40 and tcp[13] & 0x3f = 0x12'` 182 SYN+ACK
//! probes; `'src host 198.18.0.40 and dst host 198.18.0.10 and tcp[13] & 0x3f = 0x02'` 854
//! forged SYNs. The test checks its own reading of the frames against them.

mod common;
use common::*;

const ATTACKER: [u8; 4] = [198, 18, 0, 66];
const ZOMBIE: [u8; 4] = [198, 18, 0, 40];
const VICTIM: [u8; 4] = [198, 18, 0, 10];

/// (SYN+ACKs from the attacker to the zombie, SYNs from the zombie to the victim) among the
/// capture's IPv4 TCP frames.
fn counts(bytes: &[u8]) -> (usize, usize) {
    let mut c = (0, 0);
    for (_, _, f) in pcap_records(bytes) {
        if f.get(12..14) != Some(&[0x08, 0x00][..]) || f.len() < 14 + 20 + 14 {
            continue;
        }
        let ip = &f[14..];
        if ip[9] != 6 {
            continue;
        }
        let ihl = usize::from(ip[0] & 0x0f) * 4;
        let Some(&flags) = ip.get(ihl + 13) else {
            continue;
        };
        let (src, dst) = (&ip[12..16], &ip[16..20]);
        c.0 += usize::from(src == ATTACKER && dst == ZOMBIE && flags & 0x3f == 0x12);
        c.1 += usize::from(src == ZOMBIE && dst == VICTIM && flags & 0x3f == 0x02);
    }
    c
}

#[test]
fn an_idle_scan_is_the_zombies_syn_scan_and_the_attackers_probes_are_other_attack() {
    let bytes = std::fs::read(cap("idlescan.pcap")).unwrap();
    assert_eq!(pcap_records(&bytes).len(), 2805);
    assert_eq!(counts(&bytes), (182, 854));
    let eps = episodes("idlescan");
    assert_eq!(
        sorted_labels(&eps),
        [
            "other-attack",
            "other-attack",
            "other-attack",
            "scan-syn",
            "scan-syn",
            "scan-syn"
        ]
    );
    for extra in [&[][..], &["--threads", "1"]] {
        let j = detect_json_with("idlescan", extra);
        let what = format!("idlescan {extra:?}");
        assert_all_alerted_right(&what, &j, &eps);
        let alerts = j["alerts"].as_array().unwrap();
        assert_no_false_alert(&format!("{what}: "), alerts, &eps);
        // the forged SYNs are a SYN scan of the victim from the zombie, one alert a scan
        let zombie: Vec<_> = alerts
            .iter()
            .filter(|a| a["src_ip"] == "198.18.0.40")
            .collect();
        assert_eq!(zombie.len(), 3, "{what}");
        assert!(zombie
            .iter()
            .all(|a| a["dest_ip"] == "198.18.0.10" && a["nightjar"]["label"] == "scan-syn"));
        // the attacker's probes of the zombie: never a SYN flood; the few of the -T4 scan
        // are named for their flags
        let probes: Vec<_> = alerts
            .iter()
            .filter(|a| a["src_ip"] == "198.18.0.66")
            .collect();
        assert_eq!(probes.len(), 3, "{what}");
        assert!(probes
            .iter()
            .all(|a| a["dest_ip"] == "198.18.0.40" && a["nightjar"]["label"] == "other-attack"));
        let t4 = covering(
            by_command(&eps, "8000-8010 198.18.0.10 (the IP ID probes"),
            alerts,
        );
        assert_eq!(t4.len(), 1, "{what}");
        assert_eq!(
            t4[0]["nightjar"]["profile"]["rule"], "probe-flags",
            "{what}"
        );
        assert_eq!(
            t4[0]["alert"]["signature"],
            "NIGHTJAR other-attack (TCP SYN+ACK probes) from 198.18.0.66 against 198.18.0.40",
            "{what}"
        );
        // nothing from the victim or the client
        assert!(
            alerts
                .iter()
                .all(|a| a["src_ip"] != "198.18.0.10" && a["src_ip"] != "198.18.0.20"),
            "{what}"
        );
    }
}
