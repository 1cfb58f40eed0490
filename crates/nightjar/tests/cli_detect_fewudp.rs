//! End-to-end test of `nightjar ids detect` on UDP scans of a few ports among normal UDP
//! clients, driving the real binary with the built-in models on the committed capture `fewudp`
//! (`data/captures/SOURCE.md`, "UDP scans of a few ports"; made by `lab/fewudp.sh`, session 26,
//! helper h1). Through a router, an attacker runs `nmap -sU --top-ports 10` of a host whose
//! closed ports answer ICMP port unreachable (DNS, NTP, SNMP, IKE, SIP open), `--top-ports 20`
//! of a host that drops UDP silently (nftables; DNS and NTP open), `-p 53,123,161,500`,
//! `-sV -p 161`, hping3 `--udp -p ++160 -c 4`, `nmap -sU -p 53,123,161` of both hosts and nping
//! `--udp -p 53,123,161,500` of the silent one; normal clients look names up at both
//! resolvers, ask NTP and SNMP, send DTLS ClientHellos that go unanswered or refused, trace
//! routes, and a monitor asks DNS, NTP and SNMP of both hosts every 5-9 s.
//!
//! The build before the fix (main 4953669) alerted two of the seven scans: the networks flag
//! a few packets of each, short of an episode's 15. The few-port UDP scan rule
//! (`crates/ids/src/fewports.rs`) finds the others but one: three or more service ports of
//! one host refused or silent within 10 s, none asked again (or a round of differently sized
//! probes to well-known ports from one source port). `nmap -sU -sV -p 161`, one port, is
//! still missed (the rule's trade: a scan of one or two ports is not found).
//!
//! Known answers from tcpdump 4.99 (an independent decoder) on the capture: 626 frames, 36 of
//! them ARP; `'src host 198.18.1.66 and udp'` the attacker's 121 datagrams; `'icmp and dst
//! host 198.18.1.66 and icmp[0]=3'` the 12 destination unreachables it got. The test checks its
//! own reading of the frames against them.

mod common;
use common::*;

const ATTACKER: [u8; 4] = [198, 18, 1, 66];

#[test]
fn udp_scans_of_a_few_ports_are_alerted_and_the_normal_udp_clients_are_not() {
    let bytes = std::fs::read(cap("fewudp.pcap")).unwrap();
    assert_eq!(pcap_records(&bytes).len(), 626);
    let from = |proto: u8| {
        count_ipv4(&bytes, |ip, _| {
            ip.get(9) == Some(&proto) && ip.get(12..16) == Some(&ATTACKER[..])
        })
    };
    assert_eq!(from(17), 121);
    let unreachables = count_ipv4(&bytes, |ip, ihl| {
        ip.get(9) == Some(&1) && ip.get(16..20) == Some(&ATTACKER[..]) && ip.get(ihl) == Some(&3)
    });
    assert_eq!(unreachables, 12);
    let eps = episodes("fewudp");
    assert_eq!(sorted_labels(&eps), ["scan-udp"; 7]);
    for extra in [&[][..], &["--threads", "1"]] {
        let j = detect_json_with("fewudp", extra);
        assert_eq!(j["records"], 626);
        assert_eq!(j["arp"], 36);
        let what = format!("{extra:?} ");
        let alerts = j["alerts"].as_array().unwrap();
        for e in &eps {
            if e["command"].as_str().unwrap().contains("-sV -p 161") {
                // one port: not a scan of a few ports to the rule, nor to the networks
                assert!(covering(e, alerts).is_empty(), "{what}{e}");
            } else {
                assert_named_right(&what, e, alerts);
            }
        }
        assert_no_false_alert(&what, alerts, &eps);
        // the rule's alerts: the four scans the networks left unalerted
        assert_eq!(j["few_port_scans"], 4, "{what}");
        assert_eq!(j["settings"]["few_udp_ports"], 3, "{what}");
    }
    // with the rule off, as the base: two scans alerted
    let j = detect_json_with("fewudp", &["--few-udp-ports", "0"]);
    let alerts = j["alerts"].as_array().unwrap();
    assert_eq!(
        eps.iter()
            .filter(|e| !covering(e, alerts).is_empty())
            .count(),
        2
    );
    assert_eq!(j["few_port_scans"], 0);
}
