//! End-to-end test of `nightjar ids detect` on a multi-vector DDoS, driving the real binary with
//! the built-in models on the committed capture `vectors` (`data/captures/SOURCE.md`, "A
//! multi-vector DDoS"; made by `lab/vectors.sh` with `lab/vectors.small.attacks`, session 24):
//! one victim (198.18.0.10, lab/services.py) flooded by hping3 from random (spoofed) source
//! addresses with one vector after another, 1,500 packets each — SYNs to 80, datagrams to 123
//! 2 s later, echo requests 1 s later, ACKs to 80 3 s later, Xmas probes (FIN+PSH+URG) to 80
//! right after, SYNs to 443 2 s later —, while two clients load pages, echo and ping it.
//!
//! Each vector is an attack of its own class (DESIGN §12). The build at the start of session 24
//! (main c2903ca) raised one victim alert for the whole campaign, `flood-syn`, 7,120 packets
//! over 22 s: the victim's episode ended only by quiet, and the vectors came less than the gap
//! apart. Now a victim's episode ends when the probes sent to it change kind for good (ten
//! probes of one other kind, none of its own, over 0.5 s: `VicEp::switched` in
//! `crates/ids/src/detect.rs`): five alerts, each named by its vector. The ACK flood was not
//! flagged at all (the networks pass bare ACKs, and the spray rule counted only unsolicited
//! SYNs, datagrams and echo requests; main ae960c1, helper h1). Now the spray rule counts
//! segments with ACK or RST from new sources apart, less what their receiver sends but resets
//! (`Spray::push`, "Floods of ACKs"; helper h5): the ACK flood is a sixth alert,
//! `other-attack`, 1,398 of its 1,500 ACKs flagged (the first ~100 make the count), and the
//! ICMP flood's alert ends where it begins (it had run on to the Xmas flood's start). Each
//! alert is named by one of its vector's forged sources, never by a normal client whose flagged
//! SYN came just before it (`Aggregator::close_source`: a client whose victim answered its data
//! is no flood's first end; session 24, helper h6).
//!
//! Known answers from tcpdump 4.99 (an independent decoder) on the capture: 9,443 frames, 9,435
//! of them IPv4; to 198.18.0.10, `'tcp[13]&0x3f==0x02'` 3,023 SYNs, `'udp dst port 123'` 1,502
//! datagrams, `'icmp[icmptype]==8'` 1,517 echo requests, `'tcp[13]&0x3f==0x29'` 1,500 Xmas
//! probes, `'tcp[13]&0x3f==0x10 and not src net 198.18.0.0/24'` 1,500 bare ACKs (and no reset
//! from the victim: it has no route to the forged sources). The test checks its own reading of
//! the frames against them.

mod common;
use common::*;

/// IPv4 packets to the victim 198.18.0.10 of protocol `proto` whose transport header passes `f`.
fn to_victim(bytes: &[u8], proto: u8, f: impl Fn(&[u8]) -> bool) -> usize {
    count_ipv4(bytes, |ip, ihl| {
        ip[16..20] == [198, 18, 0, 10] && ip.get(9) == Some(&proto) && f(&ip[ihl..])
    })
}

#[test]
fn each_vector_of_a_spoofed_ddos_is_an_alert_named_by_it() {
    let bytes = std::fs::read(cap("vectors.pcap")).unwrap();
    assert_eq!(pcap_records(&bytes).len(), 9443);
    assert_eq!(count_ipv4(&bytes, |_, _| true), 9435);
    assert_eq!(to_victim(&bytes, 6, |t| t[13] & 0x3f == 0x02), 3023);
    assert_eq!(
        to_victim(&bytes, 17, |t| t[2..4] == 123u16.to_be_bytes()),
        1502
    );
    assert_eq!(to_victim(&bytes, 1, |t| t[0] == 8), 1517);
    assert_eq!(to_victim(&bytes, 6, |t| t[13] & 0x3f == 0x29), 1500);
    let forged_acks = count_ipv4(&bytes, |ip, ihl| {
        ip[16..20] == [198, 18, 0, 10]
            && ip[12..15] != [198, 18, 0]
            && ip.get(9) == Some(&6)
            && ip[ihl + 13] & 0x3f == 0x10
    });
    assert_eq!(forged_acks, 1500);
    let eps = episodes("vectors");
    assert_eq!(eps.len(), 6);
    assert!(eps.iter().all(|e| e["spoofed"] == true));
    // the vectors, in order, and the classes of their alerts (the ACK flood's too: the
    // base, main ae960c1, flagged none of its packets and raised five alerts)
    let flagged: Vec<&serde_json::Value> = eps.iter().collect();
    let want = [
        "flood-syn",
        "flood-udp",
        "flood-icmp",
        "other-attack",
        "flood-xmas",
        "flood-syn",
    ];
    for extra in [&[][..], &["--threads", "1"]] {
        let j = detect_json_with("vectors", extra);
        assert_eq!(j["records"], 9443);
        let what = format!("{extra:?}: ");
        let alerts = j["alerts"].as_array().unwrap();
        let shown: Vec<String> = alerts.iter().map(show).collect();
        for e in &flagged {
            assert_named_right(&what, e, alerts);
        }
        assert_no_false_alert(&what, alerts, &eps);
        // one alert per vector (the start of session 24: one for all), in order, each the
        // victim's, beginning within 1 s of its vector's start
        assert_eq!(alerts.len(), 6, "{what}{shown:#?}");
        for ((a, e), class) in alerts.iter().zip(&flagged).zip(want) {
            assert_eq!(a["nightjar"]["scope"], "victim", "{what}{}", show(a));
            assert_eq!(a["dest_ip"], "198.18.0.10", "{what}{}", show(a));
            assert_eq!(a["nightjar"]["label"], class, "{what}{shown:#?}");
            let first = secs(a["nightjar"]["first_seen"].as_str().unwrap());
            let start = e["start"].as_f64().unwrap();
            assert!((first - start).abs() < 1.0, "{what}{} {e}", show(a));
            // named by a flood's source, not a normal client's flagged SYN just before the
            // vector (the build at main ae960c1 named the last SYN vector's alert from
            // 198.18.0.20, from 0.55 s before the vector's first packet)
            let src = a["src_ip"].as_str().unwrap();
            assert!(!src.starts_with("198.18.0."), "{what}{}", show(a));
            assert!(first >= start - 0.01, "{what}{} {e}", show(a));
        }
        assert_eq!(j["victim_changes"], 5, "{what}");
        // the ACK flood: its ACKs flagged by the spray rule once its count passed 100
        assert_eq!(j["flagged_by_class"]["other-attack"], 1398, "{what}");
        let ack = &alerts[3];
        assert_eq!(ack["nightjar"]["packets"], 1886, "{what}{}", show(ack));
        assert!(show(ack).contains("TCP ACK flood"), "{what}{}", show(ack));
    }
}
