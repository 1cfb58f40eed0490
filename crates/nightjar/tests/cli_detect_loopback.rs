//! End-to-end test of `nightjar ids detect` on attacks captured on a host's loopback interface,
//! driving the real binary with the built-in models on the committed capture `loopback`
//! (`data/captures/SOURCE.md`, "Attacks on a host's own loopback"; made by `lab/loopback.sh`,
//! session 23): in one network namespace with no interface but `lo`, nmap and hping3 attack
//! 127.0.0.1 from 127.0.0.1 (`lab/loopback.attacks`: -sS, -sT, -sF, -sN, -sX, -sA, -sM, -sW over
//! ports 1-200, -sU over the top 20, -sS -sV over the top 100, and hping3 SYN, UDP, ICMP and
//! all-flags floods of 1,000 each), while a client on 127.0.0.5 loads pages, echoes over TCP and
//! UDP and pings its own server on 127.0.0.5. It is the capture a user makes of a scan of their
//! own machine (`tcpdump -i lo`): the attacker and the victim are one address, every probe and
//! its answer have the same source and destination, and the frames carry zero hardware
//! addresses.
//!
//! Every attack is alerted and named right by the build at the start of session 23 (main
//! f7f13c6) already, but for the window scan, named `scan-ack` as on every Linux victim (its
//! probes are the ACK scan's; BENCHMARKS.md). Nothing was changed: the test keeps it so.
//!
//! Known answers from tcpdump 4.99 (an independent decoder) on the capture: 15,207 frames, all
//! IPv4; `'src host 127.0.0.5'` 3,682 packets; `'src host 127.0.0.1 and tcp[13]&0x17==0x02'`
//! 1,506 SYNs. The test checks its own reading of the frames against them.

mod common;
use common::*;

#[test]
fn attacks_on_the_loopback_are_alerted_and_named_the_normal_client_is_not() {
    let bytes = std::fs::read(cap("loopback.pcap")).unwrap();
    assert_eq!(pcap_records(&bytes).len(), 15207);
    assert_eq!(count_ipv4(&bytes, |_, _| true), 15207);
    assert_eq!(
        count_ipv4(&bytes, |ip, _| ip[12..16] == [127, 0, 0, 5]),
        3682
    );
    assert_eq!(
        count_tcp_from(&bytes, [127, 0, 0, 1], |f| f & 0x17 == 0x02),
        1506
    );
    let eps = episodes("loopback");
    assert_eq!(eps.len(), 14);
    assert_eq!(by_command(&eps, "-sW")["label"], "scan-window");
    for extra in [&[][..], &["--threads", "1"]] {
        let j = detect_json_with("loopback", extra);
        assert_eq!(j["records"], 15207);
        let alerts = j["alerts"].as_array().unwrap();
        let what = format!("{extra:?}: ");
        for e in &eps {
            // the window scan too: Linux answers its ACKs as an ACK scan's, and it is named so
            assert_named_right(&what, e, alerts);
        }
        assert_no_false_alert(&what, alerts, &eps);
        for a in alerts {
            assert_eq!(a["src_ip"], "127.0.0.1", "{what}{}", show(a));
            assert_eq!(a["dest_ip"], "127.0.0.1", "{what}{}", show(a));
        }
        // one alert for each attack: 14 attacks, 14 alerts
        assert_eq!(alerts.len(), 14, "{what}");
    }
}
