//! End-to-end test of `nightjar ids detect` on UDP floods aimed at services that take them in
//! silence, driving the real binary with the built-in models on the committed capture
//! `svcfloods` (`data/captures/SOURCE.md`, "UDP floods of a LAN's services"; made by
//! `lab/svcfloods.sh` with `lab/svcfloods.small.attacks`): from 198.18.0.66, hping3 `--udp`
//! floods of chronyd's NTP port (123, 48 bytes, 1,000 a second), snmpd's SNMP port (161, 80
//! bytes, 2,000 a second) and dnsmasq's DNS port (53, 120 bytes, 500 a second), each datagram
//! from a new source port; none answered (the services drop what is no NTP, SNMP or DNS) and
//! none refused (the ports are open). Beside them the services' normal clients: ten stub
//! resolvers with bursts of lookups, 40 NTP clients, an SNMP monitoring station's GETs and
//! walks, a memcached client, and page loads from the web server.
//!
//! The build before the fix (main f7f13c6) missed the SNMP flood (not one datagram flagged) and
//! flagged 363 packets of the NTP flood and 106 of the DNS flood. A client's datagrams of one
//! size to one service at about 100 a second or more, fewer than one in four answered, to a
//! port below 1,024 or mostly from a new source port each, are now a flood
//! (`crates/ids/src/udpfloods.rs`).
//!
//! Known answers from tcpdump 4.99 (an independent decoder) on the capture: 5,921 frames, 230
//! of them ARP; 1,200 UDP datagrams from 198.18.0.66 to 198.18.0.123, 1,200 to .150 and 800 to
//! .53, and none back from any of the three. The test checks its own reading of the frames
//! against them.

mod common;
use common::*;

const ATTACKER: [u8; 4] = [198, 18, 0, 66];

/// UDP datagrams between 198.18.0.66 and 198.18.0.`host` (`to`: from the attacker; else back).
fn datagrams(bytes: &[u8], host: u8, to: bool) -> usize {
    let other = [198, 18, 0, host];
    if to {
        packets_between(bytes, 17, ATTACKER, other)
    } else {
        packets_between(bytes, 17, other, ATTACKER)
    }
}

#[test]
fn floods_of_services_that_answer_nothing_are_alerted_and_their_clients_are_not() {
    let bytes = std::fs::read(cap("svcfloods.pcap")).unwrap();
    assert_eq!(pcap_records(&bytes).len(), 5_921);
    for (host, n) in [(123, 1_200), (150, 1_200), (53, 800)] {
        assert_eq!(datagrams(&bytes, host, true), n, "to .{host}");
        assert_eq!(datagrams(&bytes, host, false), 0, "from .{host}");
    }
    let eps = episodes("svcfloods");
    assert_eq!(sorted_labels(&eps), ["flood-udp"; 3]);
    assert_apart("svcfloods", &eps, 5.0);
    for extra in [&[][..], &["--threads", "1"]] {
        let j = detect_json_with("svcfloods", extra);
        assert_eq!(j["records"], 5_921);
        assert_eq!(j["arp"], 230);
        assert_eq!(j["settings"]["udp_flood_threshold"], 150.0, "{extra:?}");
        assert!(
            j["flagged_by_udp_flood_rule"].as_u64().unwrap() > 1_000,
            "{extra:?}: {}",
            j["flagged_by_udp_flood_rule"]
        );
        assert_all_alerted_right(&format!("{extra:?}: "), &j, &eps);
    }
    // the rule off: the networks alone pass the SNMP flood
    let off = detect_json_with("svcfloods", &["--udp-flood-threshold", "0"]);
    assert_eq!(off["flagged_by_udp_flood_rule"], 0);
    let snmp = by_command(&eps, "-p 161");
    assert!(named(snmp, off["alerts"].as_array().unwrap()).is_empty());
}
