//! End-to-end test of `nightjar ids detect` on a QUIC client whose Initials go unanswered,
//! beside real UDP scans of a few ports, driving the real binary with the built-in models on
//! the committed capture `quicretry` (`data/captures/SOURCE.md`, "A QUIC client whose
//! Initials go unanswered"; made by `lab/quicretry.sh`, session 25, helper h1). On one LAN a
//! QUIC client (aioquic, `lab/quicpeer.py`) connects at once to three hosts' ports 443, 4433
//! and 4434 that drop every datagram (nftables, no ICMP), to two hosts' where those ports
//! are closed (ICMP port unreachables), then to all five, each round with a QUIC server's 443
//! that answers; every unanswered Initial (1,200 bytes) is sent again from its socket with a
//! doubling timeout until the client gives up, its last datagram a CONNECTION_CLOSE of the
//! same size. An attacker runs `nmap -sU` of ten ports of a closed host, `nmap -sU -p
//! 443,4433,4434` of the five hosts, hping3 `--udp` on five ports of a closed host and `nmap
//! -sU --max-retries 8 -p 443,4433,4434` of the dropping hosts.
//!
//! The build before the fix (main 45f67a2) alerted the client three times as a UDP scan (31,
//! 110 and 20 packets), as it alerted the interop client of nDPI's
//! `tests/pcap/quic_interop_V.pcapng` (63 and 17 packets). An episode named a UDP scan or
//! flood whose source's datagrams were mostly full-size copies sent again on their
//! conversations with a retry's back-off, to a few ports per host, is now handshakes sent
//! again (`crates/ids/src/handshakes.rs`): no alert. The ten-port nmap scan and the hping3
//! scan stay alerted `scan-udp`; the two three-port nmap scans (two tries of each port, each
//! from a new source port, 67-byte DTLS probes to 443 and 4433, empty ones to 4434), which
//! the networks pass, are alerted since session 26 by the few-port UDP scan rule
//! (`crates/ids/src/fewports.rs`: three silent ports of one host within seconds).
//!
//! Known answers from tcpdump 4.99 (an independent decoder) on the capture: 2,653 frames, 106
//! of them ARP; `'src host 198.18.0.20 and udp and udp[4:2] >= 1208'` the client's 216
//! datagrams of 1,200 bytes of payload or more; `'src host 198.18.0.66 and udp'` the
//! attacker's 111 datagrams. The test checks its own reading of the frames against them.

mod common;
use common::*;

const CLIENT: [u8; 4] = [198, 18, 0, 20];
const ATTACKER: [u8; 4] = [198, 18, 0, 66];

/// UDP datagrams from `src` whose UDP length is at least `len`.
fn udp_from(bytes: &[u8], src: [u8; 4], len: u16) -> usize {
    count_ipv4(bytes, |ip, ihl| {
        ip.get(9) == Some(&17)
            && ip.get(12..16) == Some(&src[..])
            && ip
                .get(ihl + 4..ihl + 6)
                .is_some_and(|l| u16::from_be_bytes([l[0], l[1]]) >= len)
    })
}

#[test]
fn a_quic_client_retrying_unanswered_initials_is_no_udp_scan_and_udp_scans_are_alerted() {
    let bytes = std::fs::read(cap("quicretry.pcap")).unwrap();
    assert_eq!(pcap_records(&bytes).len(), 2653);
    assert_eq!(udp_from(&bytes, CLIENT, 1208), 216);
    assert_eq!(udp_from(&bytes, ATTACKER, 0), 111);
    let eps = episodes("quicretry");
    assert_eq!(sorted_labels(&eps), ["scan-udp"; 4]);
    for extra in [&[][..], &["--threads", "1"]] {
        let j = detect_json_with("quicretry", extra);
        assert_eq!(j["records"], 2653);
        assert_eq!(j["arp"], 106);
        let what = format!("{extra:?} ");
        let alerts = j["alerts"].as_array().unwrap();
        // the scans the base caught stay alerted as UDP scans
        for needle in ["-p 53,69,123,161", "hping3 --udp"] {
            assert_named_right(&what, by_command(&eps, needle), alerts);
        }
        // and the three-port scans, by the few-port UDP scan rule (session 26)
        for e in &eps {
            assert_named_right(&what, e, alerts);
        }
        assert_eq!(j["few_port_scans"], 2, "{what}");
        // no alert about the QUIC client (the base: three "UDP scans")
        assert_no_false_alert(&what, alerts, &eps);
        assert!(
            alerts.iter().all(|a| a["src_ip"] != "198.18.0.20"),
            "{what}{:?}",
            alerts.iter().map(show).collect::<Vec<_>>()
        );
        assert_eq!(j["resent_handshakes"], 3, "{what}");
    }
}
