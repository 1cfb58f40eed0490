//! End-to-end test of `nightjar ids detect` on scans run back to back across real latency,
//! driving the real binary with the built-in models on the committed capture `wanpairs`
//! (`data/captures/SOURCE.md`, "Scans back to back across real latency"; made by `lab/wan.sh`,
//! session 22, helper h4): the attacker 198.18.1.66 is 100 ms from the victim LAN (50 ms ± 5
//! each way, 3 % loss each way in runs of 5 frames: `lab/wanlink.py`), behind a router; the
//! capture is the attacker site's sensor. The attacks (`lab/wan.pairs.small.attacks`, 3 s
//! apart): nmap -sS -T4 of 1,200 ports of .10, -sF -T4 of 400 ports of .11, -sS -T4 of 800
//! ports of .11, then -sS -T3 of ports 2000-2400 of .12 (nothing open: 401 refusals).
//!
//! The last scan, cut out alone, is flagged packet by packet (97 % on the plain wire); right
//! after the others, the networks, whose minute-long statistics of the attacker are full of
//! them, flag none of its packets, and the build at the start of session 22 (main e04db12)
//! alerted nothing of it: the slow-scan rule made no finding of a fast scan of another host in
//! an episode that had made its finding (the networks' to alert). Now such a later scan makes a
//! fast finding of its own, reported unless the networks flagged its host at alert volume
//! (`Aggregator::victim_flagged`): here a slow-scan alert, scan-syn, against .12.
//!
//! Known answers from tcpdump 4.99 (an independent decoder) on the capture: 8,816 frames, 19 of
//! them ARP; `'src host 198.18.1.66 and tcp[13]&0x17==0x02'` 2,581 SYNs, 443 of them to
//! 198.18.0.12; `'src host 198.18.0.12 and tcp[13]&0x17==0x14'` 402 RST+ACKs;
//! `'src net 198.18.0.0/24 and ip[8]==63'` 4,369 (every answer crossed the router), none with
//! 64 or more. The test checks its own reading of the frames against them.

mod common;
use common::*;

#[test]
fn a_scan_right_after_scans_of_other_hosts_is_alerted_and_named() {
    let bytes = std::fs::read(cap("wanpairs.pcap")).unwrap();
    assert_eq!(pcap_records(&bytes).len(), 8816);
    let syn = |f: u8| f & 0x17 == 0x02;
    assert_eq!(count_tcp_from(&bytes, [198, 18, 1, 66], syn), 2581);
    let idle_syn = |ip: &[u8], ihl: usize| {
        ip.get(9) == Some(&6)
            && ip.get(12..16) == Some(&[198, 18, 1, 66][..])
            && ip.get(16..20) == Some(&[198, 18, 0, 12][..])
            && ip.get(ihl + 13).is_some_and(|&f| syn(f))
    };
    assert_eq!(count_ipv4(&bytes, idle_syn), 443);
    assert_eq!(
        count_tcp_from(&bytes, [198, 18, 0, 12], |f| f & 0x17 == 0x14),
        402
    );
    let from_lan = |ip: &[u8]| ip.get(12..15) == Some(&[198, 18, 0][..]);
    assert_eq!(
        count_ipv4(&bytes, |ip, _| from_lan(ip) && ip[8] == 63),
        4369
    );
    assert_eq!(count_ipv4(&bytes, |ip, _| from_lan(ip) && ip[8] >= 64), 0);
    let eps = episodes("wanpairs");
    assert_eq!(eps.len(), 4);
    for extra in [&[][..], &["--threads", "1"]] {
        let j = detect_json_with("wanpairs", extra);
        assert_eq!(j["records"], 8816);
        assert_eq!(j["arp"], 19);
        assert_all_alerted_right(&format!("{extra:?} "), &j, &eps);
        let alerts = j["alerts"].as_array().unwrap();
        for a in alerts {
            assert_eq!(a["src_ip"], "198.18.1.66", "{extra:?}: {}", show(a));
        }
        // the last scan's alert is the slow-scan rule's, about its own host
        assert!(
            alerts.iter().any(|a| a["dest_ip"] == "198.18.0.12"
                && a["nightjar"]["label"] == "scan-syn"
                && a["nightjar"]["slow_scan"].is_object()),
            "{extra:?}: {:#?}",
            alerts.iter().map(show).collect::<Vec<_>>()
        );
    }
}
