//! End-to-end test of `nightjar ids detect` on a flood at one host of a subnet followed by a
//! flood spread over the subnet, driving the real binary with the built-in models on the
//! committed capture `hostnet` (`data/captures/SOURCE.md`, "One host's flood, then its subnet's";
//! made by `lab/carpet.sh` with `lab/carpet.hostnet.attacks`, session 24, helper h6): hping3
//! sends 2,000 SYNs from random (spoofed) sources at 198.18.1.10, then 1 s after it 3,000 more
//! with `--rand-dest 198.18.1.x`, while a client on the edge LAN browses, pings and asks DNS.
//!
//! Two victim alerts: the host's, and the subnet's (`nightjar.network`), whose packets leave
//! the host's out. The build at main ae960c1 named the network alert by the host flood's second
//! source, from 3.2 s before the spread flood began: the network's episode remembered its first
//! three attacking ends, all the host flood's, and the host's alert did not count as covering
//! them. Now a network's openers are its first ends to distinct addresses, and a victim alert of
//! one covers its ends (`VicEp::opened`, `VicEp::cover_victim` in `crates/ids/src/detect.rs`):
//! the network alert is named by the spread flood's first source, from its first packet.
//!
//! Known answers from tcpdump 4.99 (an independent decoder) on the capture: 5,651 frames, 5,647
//! of them IPv4; from outside 198.18.0.0/24, `'tcp[13]&0x3f==2'` 2,023 SYNs to 198.18.1.10 and
//! 2,977 to other addresses of 198.18.1.0/24, the first of those from 239.99.148.86 at
//! 1796069880.954562. The test checks its own reading of the frames against them.

mod common;
use common::*;

/// SYNs (no other flag of the six) from outside 198.18.0.0/24 to 198.18.1.0/24 whose last
/// address byte passes `f`.
fn syns_to(bytes: &[u8], f: impl Fn(u8) -> bool) -> usize {
    count_ipv4(bytes, |ip, ihl| {
        ip[12..15] != [198, 18, 0]
            && ip[16..19] == [198, 18, 1]
            && f(ip[19])
            && ip.get(9) == Some(&6)
            && ip.get(ihl + 13).is_some_and(|fl| fl & 0x3f == 0x02)
    })
}

#[test]
fn a_subnets_flood_after_one_hosts_is_named_by_its_own_first_source() {
    let bytes = std::fs::read(cap("hostnet.pcap")).unwrap();
    assert_eq!(pcap_records(&bytes).len(), 5651);
    assert_eq!(count_ipv4(&bytes, |_, _| true), 5647);
    assert_eq!(syns_to(&bytes, |b| b == 10), 2023);
    assert_eq!(syns_to(&bytes, |b| b != 10), 2977);
    let eps = episodes("hostnet");
    assert_eq!(eps.len(), 1);
    for extra in [&[][..], &["--threads", "1"]] {
        let j = detect_json_with("hostnet", extra);
        assert_eq!(j["records"], 5651);
        let what = format!("{extra:?}: ");
        let alerts = j["alerts"].as_array().unwrap();
        let shown: Vec<String> = alerts.iter().map(show).collect();
        assert_all_alerted_right(&what, &j, &eps);
        assert_no_false_alert(&what, alerts, &eps);
        assert_eq!(alerts.len(), 2, "{what}{shown:#?}");
        assert_eq!(j["network_alerts"], 1, "{what}{shown:#?}");
        let host = &alerts[0];
        assert_eq!(host["dest_ip"], "198.18.1.10", "{what}{shown:#?}");
        let net = &alerts[1];
        assert_eq!(net["dest_ip"], "198.18.1.0", "{what}{shown:#?}");
        assert_eq!(net["nightjar"]["label"], "flood-syn", "{what}{}", show(net));
        // the spread flood's first source, from its first packet (the build before: the host
        // flood's 25.17.254.231 from 1796069877.734)
        assert_eq!(net["src_ip"], "239.99.148.86", "{what}{}", show(net));
        let first = secs(net["nightjar"]["first_seen"].as_str().unwrap());
        assert!(
            (first - 1796069880.954562).abs() < 1e-3,
            "{what}{}",
            show(net)
        );
    }
}
