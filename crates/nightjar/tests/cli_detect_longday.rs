//! End-to-end test of `nightjar ids detect` on a long day of one busy client, driving the real
//! binary with the built-in models on the committed capture `longday` (`data/captures/SOURCE.md`,
//! "A long day of one busy client"; made by `lab/run.sh --periodic` and `lab/longday.sh`): the
//! TCP handshakes and resets of client 198.18.0.24 over 35 minutes of a busy normal run, twice
//! (the second copy shifted by the run's span): 70 minutes. Among its page loads it tries closed
//! ports of the servers now and then (`lab/client.py`'s `CLOSED_TCP`), so its failures never
//! stop for the slow-scan rule's 5-minute window, and it tries port 9090 of the same four
//! servers (.10-.13) every few minutes.
//!
//! The build before the fix (main 571da9b) alerted it as a connect scan of 9090 after an hour:
//! a target asked again after more than the window was counted again in the same open episode,
//! and fourteen failures on four addresses made a dense "block" of twelve hosts. A target is now
//! counted once in its episode (`crates/ids/src/slowscan.rs`, "A long day").
//!
//! Known answers from tcpdump 4.99 (an independent decoder) on the capture: 2,704 frames, none
//! ARP; `'tcp[13]&0x12==0x02'` 1,350 SYNs (all the client's), 14 of them `and tcp dst port 9090`; `'tcp[13]&4!=0'`
//! 104 segments with RST. The test checks its own reading of the frames against them.

mod common;
use common::*;

/// The busy client whose handshakes and resets the capture holds.
const CLIENT: [u8; 4] = [198, 18, 0, 24];

#[test]
fn a_busy_clients_hour_of_closed_ports_is_no_scan() {
    let bytes = std::fs::read(cap("longday.pcap")).unwrap();
    assert_eq!(pcap_records(&bytes).len(), 2704);
    assert_eq!(count_syns_to(&bytes, CLIENT, 0), 1350);
    assert_eq!(count_syns_to(&bytes, CLIENT, 9090), 14);
    for extra in [&[][..], &["--threads", "1"]] {
        let j = detect_json_with("longday", extra);
        assert_eq!(j["records"], 2704);
        assert_eq!(j["arp"], 0);
        assert_eq!(
            j["alerts"].as_array().unwrap().len(),
            0,
            "{extra:?}: {:?}",
            j["alerts"]
                .as_array()
                .unwrap()
                .iter()
                .map(show)
                .collect::<Vec<_>>()
        );
        assert_eq!(j["slow_scan_alerts"], 0, "{extra:?}");
    }
}
