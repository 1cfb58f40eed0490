//! End-to-end test of `nightjar ids detect` on a capture whose sensor wrote some answers a few
//! microseconds before the probes they answer (a mirror port, a NIC's several queues, `-i any`),
//! driving the real binary with the built-in models on the committed capture `jitter`
//! (`data/captures/SOURCE.md`, "The second test capture written a few microseconds out of
//! order"; made by `lab/impair.py`, seeded): the committed `test2` capture with 5% of its
//! records swapped with the next and every time moved by up to 20 µs (seed 1), cut to the
//! 33 s that hold an ACK scan and a Maimon scan of 198.18.0.10 from 198.18.0.67 and a SYN flood
//! of its closed ports from 198.18.0.66 (`hping3 -S -p ++1`).
//!
//! The build before the fix (main b2a240c) alerted the flooded server 198.18.0.10 against the
//! flooder ("other-attack", 166 packets: its resets): a reset written before the SYN it
//! answers opened its flow, the feature state took the server for the flow's opener, and every
//! segment of that flow was charged to the server; once the server had an episode open, the
//! other swapped resets went into it. Now an answer that opens its flow (a SYN-ACK, a reset)
//! and whose request follows within 1 ms (a SYN for a SYN-ACK; for a reset with ACK a segment
//! without ACK, for a bare reset one with ACK) is the request's sender's, and so is the rest of
//! the flow (`WindowState::answered_late`).
//!
//! Known answers from tcpdump 4.99 (an independent decoder) on the capture: 6,612 frames, 4 of
//! them ARP; `'src host 198.18.0.10 and dst host 198.18.0.66 and tcp[13]==0x14'` 1,596 resets
//! to the flooder (every reset with ACK the server sent), `'src host 198.18.0.10 and
//! tcp[13]==0x04'` 1,324 bare resets (to the ACK and Maimon scans), `'src host 198.18.0.66 and
//! dst host 198.18.0.10 and tcp[13]==0x02'` 1,602 SYNs. The test checks its own reading of the
//! frames against them, and counts the flows whose first segment is an answer (156: 81 resets
//! with ACK to the flooder, 73 bare resets to the ACK scanner, two SYN-ACKs), each caught by
//! the rule (`answers_before_requests`).

mod common;
use common::*;
use std::collections::HashSet;

/// The TCP flows (unordered address and port pairs) of the capture whose first segment can only
/// be an answer: a SYN-ACK or a segment with RST.
fn opened_by_answers(bytes: &[u8]) -> usize {
    let mut seen = HashSet::new();
    let mut n = 0;
    for (_, _, frame) in pcap_records(bytes) {
        let Some(ip) = frame
            .get(14..)
            .filter(|_| frame.get(12..14) == Some(&[0x08, 0x00][..]))
        else {
            continue;
        };
        let ihl = usize::from(ip[0] & 0x0f) * 4;
        let (Some(src), Some(dst), Some(tcp)) = (ip.get(12..16), ip.get(16..20), ip.get(ihl..))
        else {
            continue;
        };
        if ip.get(9) != Some(&6) || tcp.len() < 14 {
            continue;
        }
        let a = (src, &tcp[..2]);
        let b = (dst, &tcp[2..4]);
        let fl = tcp[13];
        if seen.insert(if a < b { (a, b) } else { (b, a) }) && (fl & 0x12 == 0x12 || fl & 0x04 != 0)
        {
            n += 1;
        }
    }
    n
}

#[test]
fn answers_written_before_their_probes_are_the_probes_senders() {
    let bytes = std::fs::read(cap("jitter.pcap")).unwrap();
    assert_eq!(pcap_records(&bytes).len(), 6612);
    // every reset with ACK the server sent is the flooder's; its bare resets answer the ACK
    // scan (and the Maimon scan's FIN+ACKs)
    assert_eq!(
        count_tcp_from(&bytes, [198, 18, 0, 10], |f| f == 0x14),
        1596
    );
    assert_eq!(
        count_tcp_from(&bytes, [198, 18, 0, 10], |f| f == 0x04),
        1324
    );
    assert_eq!(
        count_ipv4(&bytes, |ip, ihl| ip.get(9) == Some(&6)
            && ip.get(12..16) == Some(&[198, 18, 0, 10][..])
            && ip.get(16..20) == Some(&[198, 18, 0, 66][..])
            && ip.get(ihl + 13) == Some(&0x14)),
        1596
    );
    assert_eq!(
        count_ipv4(&bytes, |ip, ihl| ip.get(9) == Some(&6)
            && ip.get(12..16) == Some(&[198, 18, 0, 66][..])
            && ip.get(16..20) == Some(&[198, 18, 0, 10][..])
            && ip.get(ihl + 13) == Some(&0x02)),
        1602
    );
    assert_eq!(opened_by_answers(&bytes), 156);
    let eps = episodes("jitter");
    assert_eq!(eps.len(), 3);
    for extra in [&[][..], &["--threads", "1"]] {
        let j = detect_json_with("jitter", extra);
        let what = format!("{extra:?}: ");
        assert_eq!(j["records"], 6612);
        assert_eq!(j["arp"], 4);
        assert_eq!(j["undecoded"], 0);
        assert_all_alerted_right(&what, &j, &eps);
        let alerts = j["alerts"].as_array().unwrap();
        for a in alerts {
            assert_ne!(a["src_ip"], "198.18.0.10", "{what}{}", show(a));
        }
        assert_eq!(j["answers_before_requests"], 156, "{what}");
    }
}
