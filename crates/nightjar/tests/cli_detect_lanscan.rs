//! End-to-end test of `nightjar ids detect` on scans of a LAN subnet from a host on it, driving
//! the real binary with the built-in models on the committed capture `lanscan`
//! (`data/captures/SOURCE.md`, "Scans of a LAN subnet from the LAN"; made by `lab/lanscan.sh`,
//! session 21): three live hosts (.10, .20, .30) of 198.18.0.0/26, the rest dead; the
//! attacker .66 runs `nbtscan 198.18.0.0/26` (the kernel's ARP request for each address, then a
//! NetBIOS query to each of the three that answered), `nmap -n -sS -p 25,53 198.18.0.0/26`
//! (nmap's ARP ping, then six SYNs) and `nmap -n -sn 198.18.0.0/26` (ARP only), 15 s apart.
//!
//! The build before the fix (main b5fdfd9) named all three `other-attack` ("ARP sweep"): the
//! probes reach three hosts, too few for the IP rules, and the sweep's alert was the only one.
//! A sweep whose sender's first packets to the hosts it found are probes of one kind is now
//! named by them (`crates/ids/src/arpsweep.rs`, [`ArpSweep::scan_class`]); the pure sweep stays
//! `other-attack`.
//!
//! Known answers from tcpdump 4.99 (an independent decoder) on the capture: 485 frames, 463 of
//! them ARP; `'arp[6:2]==1 and src host 198.18.0.66'` 442 requests from the attacker;
//! `'tcp[13]&0x17==0x02 and src host 198.18.0.66'` 6 SYNs; `'udp dst port 137 and src host
//! 198.18.0.66'` 3 NetBIOS queries. The test checks its own reading of the frames against them.

mod common;
use common::*;

#[test]
fn a_scan_of_a_lan_subnet_is_named_by_its_probes_not_its_arp_sweep() {
    let bytes = std::fs::read(cap("lanscan.pcap")).unwrap();
    assert_eq!(pcap_records(&bytes).len(), 485);
    let from_attacker = |ip: &[u8]| ip.get(12..16) == Some(&[198, 18, 0, 66][..]);
    let syns = count_ipv4(&bytes, |ip, ihl| {
        from_attacker(ip) && ip[9] == 6 && ip.get(ihl + 13).is_some_and(|f| f & 0x17 == 0x02)
    });
    assert_eq!(syns, 6);
    let nbt = count_ipv4(&bytes, |ip, ihl| {
        from_attacker(ip) && ip[9] == 17 && ip.get(ihl + 2..ihl + 4) == Some(&[0, 137][..])
    });
    assert_eq!(nbt, 3);
    let eps = episodes("lanscan");
    assert_eq!(
        sorted_labels(&eps),
        ["other-attack", "scan-syn", "scan-udp"]
    );
    for extra in [&[][..], &["--threads", "1"]] {
        let j = detect_json_with("lanscan", extra);
        assert_eq!(j["records"], 485);
        assert_eq!(j["arp"], 463);
        assert_eq!(j["arp_sweep_alerts"], 3, "{extra:?}");
        assert_all_alerted_right(&format!("{extra:?} "), &j, &eps);
        let alerts = j["alerts"].as_array().unwrap();
        assert_eq!(alerts.len(), 3, "{extra:?}");
        // each one alert, the sweep's, named by its probes and saying so
        for (cmd, label, then) in [
            ("nbtscan", "scan-udp", ", then UDP probes of 3"),
            ("nmap -n -sS", "scan-syn", ", then SYN probes of 3"),
            ("nmap -n -sn", "other-attack", ""),
        ] {
            let c = covering(by_command(&eps, cmd), alerts);
            assert_eq!(
                c.len(),
                1,
                "{cmd}: {:?}",
                c.iter().map(|a| show(a)).collect::<Vec<_>>()
            );
            assert_eq!(c[0]["nightjar"]["label"], label);
            let sig = c[0]["alert"]["signature"].as_str().unwrap();
            assert!(
                sig.contains("(ARP sweep of ") && sig.contains(&format!("/26{then})")),
                "{sig}"
            );
        }
    }
}
