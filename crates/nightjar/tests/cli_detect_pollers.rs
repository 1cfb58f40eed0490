//! End-to-end test of `nightjar ids detect` on normal traffic that looks like scanning: the
//! committed capture `pollers` (`lab/pollers.sh`, `data/captures/SOURCE.md`), driving the real
//! binary with the built-in models. A monitoring poller (198.18.0.40) connects every 10 s to
//! ports 22, 9100 and 80 of 40 hosts, port 80 closed on 27 of them; a P2P-ish client
//! (198.18.0.70) sends UDP pings to port 6881 of random peers, closed on all 40, and connects to
//! their TCP 6881. In its first round each is an address scan of one port (25 hosts or more
//! refused within a second), which the slow-scan rule finds (as fast); what tells them from
//! scanners is that they ask the refused targets again, round after round
//! (`crates/ids/src/slowscan.rs`, `REPROBE_HOLD`). Before that hold the detector raised two
//! false slow-scan alerts here, one per client.
//!
//! The known answers were read from the capture with tcpdump 4.99 (an independent decoder):
//! `tcpdump -nr pollers.pcap | wc -l` 5,955 frames, `... arp` 190 ARP messages;
//! `... 'dst host 198.18.0.40 and tcp src port 80 and tcp[13]&4!=0'` 162 refusals of port 80
//! from 27 distinct hosts; `... 'dst host 198.18.0.70 and icmp[0]=3'` 82 ICMP unreachables
//! from 33 distinct hosts.

mod common;
use common::*;

#[test]
fn a_poller_and_a_p2p_client_asking_closed_ports_again_raise_no_alert() {
    let j = detect_json("pollers");
    assert!(episodes("pollers").is_empty());
    let alerts = j["alerts"].as_array().unwrap();
    assert!(
        alerts.is_empty(),
        "{:#?}",
        alerts.iter().map(show).collect::<Vec<_>>()
    );
    // the slow-scan rule did find both (fast, at their first round), and dropped both at the
    // end of their hold: they had asked their refused targets again (since session 27 their
    // findings are made by one port's failed hosts filling a block, slowscan.rs "Blocks of
    // many ports", before the threshold: dropped as well, their refused targets asked again
    // twice)
    assert_eq!(j["polled_scans"], 2);
    assert!(j["dense_blocks"].as_u64().unwrap() >= 1);
    assert_eq!(j["slow_scan_alerts"], 0);
    // the records, as tcpdump counts them
    assert_eq!(j["records"], 5955);
    assert_eq!(j["arp"], 190);
    assert_eq!(j["undecoded"], 0);
}
