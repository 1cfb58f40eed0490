//! End-to-end test of `nightjar ids detect` on scans from behind a NAT whose clients load pages
//! from the victim, then a slow scan from the same address, driving the real binary with the
//! built-in models on the committed capture `natslow` (`data/captures/SOURCE.md`, "A Maimon
//! scan among a NAT's page loads, and a slow scan after it"; made by `lab/nat.sh` with
//! `lab/natslow.attacks`, session 21, helper h2). Two clients behind a NAT (nftables
//! masquerade in a router namespace) fetch pages from the victim and a server (a new
//! connection per object), look names up and ping, while a third, behind the same NAT, scans
//! the victim: `nmap -sM` and `-sT` of 100 ports, then `nmap -sN --scan-delay 2s` of 16 other
//! ports (each probe sent twice: the victim's resets end at the router). On the wire every
//! packet from behind the NAT comes from the router's address 198.18.0.1.
//!
//! The build before the fix (main 0fecb20) alerted the Maimon scan in two pieces (the first
//! episode's kind set by the clients' SYNs: a change of kind) and missed the slow NULL scan: the
//! slow-scan rule's one finding of the source's episode was the Maimon scan's, its NULL probes
//! to ports the earlier scans had failed on were retries (a poller's), and the finding was
//! dropped as polled. Now a kind set by passed SYNs is tentative (`Shift::tentative`), passed
//! SYNs whose connections carry data leave the profile (`Shift::ordinary`), and a slow scan of
//! one host by one kind of probe after the episode's finding is a finding of its own
//! (`crates/ids/src/slowscan.rs`, "Later scans").
//!
//! Known answers from tcpdump 4.99 (an independent decoder) on the capture: 8,292 frames, 40
//! of them ARP; `'src 198.18.0.1 and tcp[13]=0'` 32 NULL probes (16 ports, each sent twice).
//! The test checks its own reading of the frames against them.

mod common;
use common::*;

const NAT: [u8; 4] = [198, 18, 0, 1];

#[test]
fn a_maimon_scan_among_a_nats_page_loads_and_a_slow_scan_after_it_are_each_one_alert() {
    let bytes = std::fs::read(cap("natslow.pcap")).unwrap();
    assert_eq!(pcap_records(&bytes).len(), 8292);
    assert_eq!(count_tcp_from(&bytes, NAT, |fl| fl == 0), 32);
    let eps = episodes("natslow");
    assert_eq!(
        sorted_labels(&eps),
        ["scan-connect", "scan-maimon", "scan-null"]
    );
    for extra in [&[][..], &["--threads", "1"]] {
        let j = detect_json_with("natslow", extra);
        assert_eq!(j["records"], 8292);
        assert_eq!(j["arp"], 40);
        let alerts = j["alerts"].as_array().unwrap();
        let what = format!("{extra:?} ");
        assert_all_alerted_right(&what, &j, &eps);
        assert_no_false_alert(&what, alerts, &eps);
        // each scan one alert of its class (the base: the Maimon scan in two, no NULL scan)
        for (flag, label) in [
            ("-sM", "scan-maimon"),
            ("-sT", "scan-connect"),
            ("-sN", "scan-null"),
        ] {
            let own: Vec<_> = covering(by_command(&eps, flag), alerts)
                .into_iter()
                .filter(|a| a["nightjar"]["label"] == label)
                .collect();
            assert_eq!(own.len(), 1, "{what}{label}: {own:#?}");
        }
        assert_eq!(alerts.len(), 3, "{what}");
        assert_eq!(j["attack_changes"], 0, "{what}");
        // the slow NULL scan by the slow-scan rule
        assert_eq!(j["slow_scan_alerts"], 1, "{what}");
        assert_eq!(j["polled_scans"], 0, "{what}");
    }
}
