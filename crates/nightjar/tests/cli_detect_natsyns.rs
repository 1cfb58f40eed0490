//! End-to-end test of `nightjar ids detect` on scans from behind a NAT whose clients load pages
//! from the victim, driving the real binary with the built-in models on the committed capture
//! `natsyns` (`data/captures/SOURCE.md`, "Scans from behind a NAT among its clients' page
//! loads"; made by `lab/nat.sh` with `lab/natsyns.attacks`, session 20, helper h4). Four
//! clients behind a NAT (nftables masquerade in a router namespace) fetch pages from the victim
//! and a server (a new connection per object), look names up and ping, while a fifth, behind
//! the same NAT, scans the victim: `nmap -sF`, `-sN`, `-sT`, `-sM`, 150 ports each, 4 s apart.
//! On the wire every packet from behind the NAT comes from the router's address 198.18.0.1.
//!
//! The build before the fix (main cf559cb) cut the FIN scan into 6 alerts, the NULL scan into
//! 5, the Maimon scan into 6 (24 changes of probe kind): ten SYNs of the clients' page loads
//! between two probes of the scan's kind ended its episode. A SYN the networks passed whose
//! connection then carries the source's data is now taken back from the run of probes of
//! another kind (`crates/ids/src/detect.rs`, `Shift::took_back`): one alert per scan, and the
//! connect scan (handshakes without data) is still an episode of its own.
//!
//! Known answers from tcpdump 4.99 (an independent decoder) on the capture: 12,334 frames, 36
//! of them ARP; `'src 198.18.0.1 and tcp[13]=1'` 300 FIN probes (150 ports, each sent twice).
//! The test checks its own reading of the frames against them.

mod common;
use common::*;

const NAT: [u8; 4] = [198, 18, 0, 1];

#[test]
fn scans_from_behind_a_nat_are_not_cut_by_its_clients_page_loads() {
    let bytes = std::fs::read(cap("natsyns.pcap")).unwrap();
    assert_eq!(pcap_records(&bytes).len(), 12334);
    assert_eq!(count_tcp_from(&bytes, NAT, |fl| fl == 0x01), 300);
    let eps = episodes("natsyns");
    assert_eq!(
        sorted_labels(&eps),
        ["scan-connect", "scan-fin", "scan-maimon", "scan-null"]
    );
    for extra in [&[][..], &["--threads", "1"]] {
        let j = detect_json_with("natsyns", extra);
        assert_eq!(j["records"], 12334);
        assert_eq!(j["arp"], 36);
        let alerts = j["alerts"].as_array().unwrap();
        let what = format!("{extra:?} ");
        assert_all_alerted_right(&what, &j, &eps);
        // each scan one alert of its class (the base: 6 FIN, 5 NULL, 6 Maimon)
        for (flag, label) in [
            ("-sF", "scan-fin"),
            ("-sN", "scan-null"),
            ("-sT", "scan-connect"),
            ("-sM", "scan-maimon"),
        ] {
            let own: Vec<_> = covering(by_command(&eps, flag), alerts)
                .into_iter()
                .filter(|a| a["nightjar"]["label"] == label)
                .collect();
            assert_eq!(own.len(), 1, "{what}{label}: {own:#?}");
        }
        assert_eq!(alerts.len(), 4, "{what}");
        // the connect scan after the NULL scan, and the Maimon scan after it
        assert_eq!(j["attack_changes"], 1, "{what}");
    }
}
