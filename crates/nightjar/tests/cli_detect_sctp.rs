//! End-to-end test of `nightjar ids detect` on SCTP associations beside SCTP attacks, driving
//! the real binary with the built-in models on the committed capture `sctp`
//! (`data/captures/SOURCE.md`, "SCTP associations and SCTP attacks"; made by `lab/sctp.sh`
//! with usrsctp, the user-space SCTP stack, sending real SCTP over raw IP): a bulk transfer
//! from 198.18.0.20 (3,000 messages of 1,200 bytes: DATA one way, SACKs back), a two-way
//! association from 198.18.0.21 (600 messages echoed) and 8 short associations after it, and
//! from 198.18.0.66 `nmap -sY`, `nmap -sZ` and a flood of raw protocol-132 packets (hping3
//! `--rawip -H 132`), each labelled `other-attack`.
//!
//! The build before the fix (main 4953669) alerted both clients as SCTP floods (2,997 and 343
//! packets, `other-attack`), as it alerted Wireshark's `netperfmeter.pcapng`; SCTP
//! associations are now followed (`crates/ids/src/associations.rs`): an association whose
//! INIT was answered by an INIT ACK and a COOKIE ACK, or whose DATA the peer acknowledged, is
//! a session. The scans and the flood never make one.
//!
//! Known answers from tcpdump 4.99 (an independent decoder) on the capture: 10,106 frames, 18
//! of them ARP; `'ip proto 132'` 10,078; `'ip proto 132 and ip[32]==11'` (COOKIE ACK first)
//! 10; `'ip proto 132 and ip[32]==1'` (INIT) 310; `'ip proto 132 and src host 198.18.0.20'`
//! 3,004. The test checks its own reading of the frames against them.

mod common;
use common::*;

/// SCTP packets (IPv4, no options) whose first chunk is of type `chunk`, or all of them (`None`).
fn sctp_chunks(bytes: &[u8], chunk: Option<u8>) -> usize {
    count_ipv4(bytes, |ip, ihl| {
        ip.get(9) == Some(&132) && chunk.is_none_or(|c| ip.get(ihl + 12) == Some(&c))
    })
}

#[test]
fn sctp_associations_are_no_flood_and_sctp_attacks_stay_alerted() {
    let bytes = std::fs::read(cap("sctp.pcap")).unwrap();
    assert_eq!(pcap_records(&bytes).len(), 10106);
    assert_eq!(sctp_chunks(&bytes, None), 10078);
    assert_eq!(sctp_chunks(&bytes, Some(11)), 10);
    assert_eq!(sctp_chunks(&bytes, Some(1)), 310);
    assert_eq!(
        packets_between(&bytes, 132, [198, 18, 0, 20], [198, 18, 0, 10]),
        3004
    );
    let eps = episodes("sctp");
    assert_eq!(sorted_labels(&eps), ["other-attack"; 3]);
    for extra in [&[][..], &["--threads", "1"]] {
        let j = detect_json_with("sctp", extra);
        assert_eq!(j["records"], 10106);
        assert_eq!(j["arp"], 18);
        assert_eq!(j["settings"]["sctp_associations"], true);
        assert_all_alerted_right(&format!("{extra:?}"), &j, &eps);
        assert!(j["sctp_cleared"].as_u64().unwrap() > 3000, "{extra:?}: {j}");
    }
    // the rule off: both clients' associations are alerted as floods again
    let off = detect_json_with("sctp", &["--sctp-associations", "false"]);
    assert_eq!(off["sctp_cleared"], 0);
    let alerts = off["alerts"].as_array().unwrap();
    let mut falsely: Vec<&str> = false_alerts(alerts, &eps)
        .iter()
        .map(|a| a["src_ip"].as_str().unwrap())
        .collect();
    falsely.sort_unstable();
    assert_eq!(falsely, ["198.18.0.20", "198.18.0.21"]);
}
