//! End-to-end test of `nightjar ids detect` on scans made without a scanner ("living off the
//! land"), driving the real binary with the built-in models on the committed capture `lotl`
//! (`data/captures/SOURCE.md`, "Scans without a scanner"; made by `lab/recon.sh` with
//! `lab/lotl.attacks`, run 1): against one victim among a client's web, TLS and ping traffic,
//! OpenBSD netcat's `nc -z` over ports 1–1000, bash's `/dev/tcp` over ports 1–400 (a shell
//! each), an asyncio connect() scan of ports 1–3000 (`lab/lotlscan.py`, 200 at once) and a UDP
//! scan of ports 1–600 by empty datagrams (200 a second). None of them is nmap; the scans'
//! probes are the kernel's own SYNs (the options, window and ports of any connection) and the
//! UDP one is answered by 9 ICMP refusals in all (Linux limits their rate).
//!
//! Every build since the networks were trained alerts them right (the session-24 start,
//! c2903ca, 4 of 4); this test keeps it so.
//!
//! Known answers from tcpdump 4.99 (an independent decoder) on the capture: 10,993 frames, 6 of
//! them ARP; `'src host 198.18.0.66 and tcp[13]&0x12==0x02'` 4,400 SYNs (1,000 + 400 + 3,000),
//! `'src host 198.18.0.66 and udp'` 600 datagrams. The test checks its own reading of the frames
//! against them.

mod common;
use common::*;

const ATTACKER: [u8; 4] = [198, 18, 0, 66];

#[test]
fn scans_without_a_scanner_are_alerted_and_named_and_the_client_is_not() {
    let bytes = std::fs::read(cap("lotl.pcap")).unwrap();
    assert_eq!(pcap_records(&bytes).len(), 10993);
    assert_eq!(count_tcp_from(&bytes, ATTACKER, |f| f & 0x12 == 0x02), 4400);
    assert_eq!(
        count_ipv4(&bytes, |ip, _| ip[12..16] == ATTACKER
            && ip.get(9) == Some(&17)),
        600
    );
    let eps = episodes("lotl");
    assert_eq!(
        sorted_labels(&eps),
        ["scan-connect", "scan-connect", "scan-connect", "scan-udp"]
    );
    for extra in [&[][..], &["--threads", "1"]] {
        let j = detect_json_with("lotl", extra);
        assert_eq!(j["records"], 10993);
        assert_eq!(j["arp"], 6);
        let what = format!("{extra:?}: ");
        assert_all_alerted_right(&what, &j, &eps);
        // one alert for each scan
        assert_eq!(j["alerts"].as_array().unwrap().len(), 4, "{what}");
    }
}
