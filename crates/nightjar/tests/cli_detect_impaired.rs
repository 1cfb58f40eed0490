//! End-to-end test of `nightjar ids detect` on a capture made imperfect as real sensors' are,
//! driving the real binary with the built-in models on the committed capture `impaired`
//! (`data/captures/SOURCE.md`, "The test capture as a loaded sensor with an old snap length
//! records it"; made by `lab/impair.py`, seeded): the committed `test` capture (28 attacks:
//! nmap scans of every type, hping3 floods, some from forged sources) with 30% of its records
//! lost in bursts (100 records on average, seed 1) and cut to 54 bytes a frame (the outer
//! headers only: no ICMP error keeps its quote).
//!
//! The build before the fixes (main 0fecb20) missed the UDP scan and the Maimon scan of
//! 198.18.0.66 and alerted the scanned server 198.18.0.10 for them instead (two false alerts):
//! a flow of the server's seen from its middle opened an episode of the server's, the UDP
//! scan's probes (not answers: from a high port to a service port) went into it; the port
//! unreachables, their quotes cut, were charged to their sender, the server, and the Maimon
//! scan's FIN+ACK probes went into that episode. Now a UDP datagram from a port of 1024 or
//! above to one below is its sender's (`sent_as_probe`), and an error without its quote is
//! charged to its destination, the sender of the packet it is about (`attacker_and_victim`).
//!
//! Known answers from tcpdump 4.99 (an independent decoder) on the capture: 16,833 frames, 30
//! of them ARP; `'icmp[0]==3 and src host 198.18.0.10 and dst host 198.18.0.66'` 6 port
//! unreachables to the scanner; `'src host 198.18.0.66 and dst host 198.18.0.10 and
//! tcp[13]==0x11'` 30 FIN+ACK probes (the Maimon scan's). The test checks its own reading of
//! the frames against them.

mod common;
use common::*;

/// The capture's IPv4 frames from `src` to `dst` (last bytes of 198.18.0.x) that `f` holds
/// for, given the IP packet and its header's length.
fn from_to(bytes: &[u8], src: u8, dst: u8, f: impl Fn(&[u8], usize) -> bool) -> usize {
    count_ipv4(bytes, |ip, ihl| {
        ip.get(12..16) == Some(&[198, 18, 0, src][..])
            && ip.get(16..20) == Some(&[198, 18, 0, dst][..])
            && f(ip, ihl)
    })
}

#[test]
fn a_lossy_capture_cut_to_its_headers_alerts_its_scanners_not_their_target() {
    let bytes = std::fs::read(cap("impaired.pcap")).unwrap();
    let records = pcap_records(&bytes);
    assert_eq!(records.len(), 16833);
    assert!(records.iter().all(|(_, _, frame)| frame.len() <= 54));
    // port unreachables to the scanner: headers only, no quote
    assert_eq!(
        from_to(&bytes, 10, 66, |ip, ihl| ip.get(9) == Some(&1)
            && ip.get(ihl) == Some(&3)),
        6
    );
    assert_eq!(
        from_to(&bytes, 66, 10, |ip, ihl| ip.get(9) == Some(&6)
            && ip.get(ihl + 13) == Some(&0x11)),
        30
    );
    let eps = episodes("impaired");
    assert_eq!(eps.len(), 28);
    for extra in [&[][..], &["--threads", "1"]] {
        let j = detect_json_with("impaired", extra);
        assert_eq!(j["records"], 16833);
        assert_eq!(j["arp"], 30);
        assert_eq!(j["undecoded"], 0);
        let alerts = j["alerts"].as_array().unwrap();
        let what = format!("{extra:?}: ");
        for e in &eps {
            // the window scan too: Linux answers its ACKs as an ACK scan's, and it is named so
            assert_named_right(&what, e, alerts);
        }
        assert_no_false_alert(&what, alerts, &eps);
        for a in alerts {
            assert_ne!(a["src_ip"], "198.18.0.10", "{what}{}", show(a));
        }
    }
}
