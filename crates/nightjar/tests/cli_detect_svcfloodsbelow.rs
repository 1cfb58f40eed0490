//! End-to-end test of `nightjar ids detect` on UDP floods sent from a port below the one they
//! go to, driving the real binary with the built-in models on the committed capture
//! `svcfloodsbelow` (`data/captures/SOURCE.md`, "UDP floods from a low source port"; made by
//! `lab/svcfloods.sh` with `lab/svcfloods.lowport.small.attacks`): from 198.18.0.66, nping's
//! `--udp -p 123 --data-length 48 --rate 300` (its default source port 53) to chronyd, which
//! takes the datagrams in silence; hping3 `-s 53 -k -p 1900 -d 60` to the web server's closed
//! SSDP port (refused by ICMP, rate limited: 7 refusals); hping3 `-s 19 -k -p 161 -d 40` to the
//! SNMP host's port 161 (snmpd did not come up in the run: refused, 7). Beside them the LAN's
//! normal clients: ten stub resolvers with bursts of lookups, 40 NTP clients, a memcached
//! client, an SNMP station's polls, page loads.
//!
//! Each flood's datagrams come from the lower port, an answer's direction: the victim's port
//! is the higher, so the victim was the client end. The build before the fix (main c2903ca)
//! alerted none of the three (not one datagram flagged). A datagram from a well-known port
//! below its receiver's, one size at about 100 a second or more, to a receiver that never
//! asked the sender's port nor sent anything back, is now `flood-udp`, charged to its sender
//! (`crates/ids/src/udpfloods.rs`, "Floods from below").
//!
//! Known answers from tcpdump 4.99 (an independent decoder) on the capture: 5,098 frames, 226
//! of them ARP; 600 UDP datagrams from 198.18.0.66 to 198.18.0.123, 600 to .10 and 800 to
//! .150, and none back from any of the three; 7 ICMP errors from .10 and 7 from .150 to .66.
//! The test checks its own reading of the frames against them.

mod common;
use common::*;

const ATTACKER: [u8; 4] = [198, 18, 0, 66];

/// Datagrams (`proto` 17) or ICMP messages (1) between 198.18.0.66 and 198.18.0.`host` (`to`:
/// from the attacker; else back).
fn packets(bytes: &[u8], proto: u8, host: u8, to: bool) -> usize {
    let other = [198, 18, 0, host];
    if to {
        packets_between(bytes, proto, ATTACKER, other)
    } else {
        packets_between(bytes, proto, other, ATTACKER)
    }
}

#[test]
fn floods_from_a_low_source_port_are_their_senders_and_named_floods() {
    let bytes = std::fs::read(cap("svcfloodsbelow.pcap")).unwrap();
    assert_eq!(pcap_records(&bytes).len(), 5_098);
    for (host, n, refused) in [(123, 600, 0), (10, 600, 7), (150, 800, 7)] {
        assert_eq!(packets(&bytes, 17, host, true), n, "to .{host}");
        assert_eq!(packets(&bytes, 17, host, false), 0, "from .{host}");
        assert_eq!(
            packets(&bytes, 1, host, false),
            refused,
            "refusals from .{host}"
        );
    }
    let eps = episodes("svcfloodsbelow");
    assert_eq!(sorted_labels(&eps), ["flood-udp"; 3]);
    assert_apart("svcfloodsbelow", &eps, 5.0);
    for extra in [&[][..], &["--threads", "1"]] {
        let j = detect_json_with("svcfloodsbelow", extra);
        assert_eq!(j["records"], 5_098);
        assert_eq!(j["arp"], 226);
        assert_all_alerted_right(&format!("{extra:?}: "), &j, &eps);
        let below = j["udp_floods_from_below"].as_u64().unwrap();
        assert!(below > 1_000, "{extra:?}: {below}");
        assert!(j["flagged_by_udp_flood_rule"].as_u64().unwrap() >= below);
        // each alert is the attacker's, against the host it flooded (never the victim as the
        // client end)
        let alerts = j["alerts"].as_array().unwrap();
        for (needle, victim) in [
            ("-p 123", "198.18.0.123"),
            ("-p 1900", "198.18.0.10"),
            ("-p 161", "198.18.0.150"),
        ] {
            let cov = covering(by_command(&eps, needle), alerts);
            assert!(!cov.is_empty(), "{extra:?} {needle}");
            for a in cov {
                assert_eq!(a["src_ip"], "198.18.0.66", "{}", show(a));
                assert_eq!(a["dest_ip"], victim, "{}", show(a));
            }
        }
    }
    // the rule off: none of the three is alerted
    let off = detect_json_with("svcfloodsbelow", &["--udp-flood-threshold", "0"]);
    assert_eq!(off["udp_floods_from_below"], 0);
    let alerts = off["alerts"].as_array().unwrap();
    for e in &eps {
        assert!(named(e, alerts).is_empty(), "{}", e["command"]);
    }
}
