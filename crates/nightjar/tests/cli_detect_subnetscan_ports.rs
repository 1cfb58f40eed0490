//! End-to-end test of `nightjar ids detect` on slow sweeps of several ports across small blocks
//! with several live hosts, driving the real binary with the built-in models on the committed
//! capture `subnetscan_ports` (`data/captures/SOURCE.md`, "Sweeps of several ports across a
//! subnet"; made by `lab/subnetscan.sh`, session 27): the routed scanner 198.18.0.66 sweeps
//! 198.18.1.0/28 and .16/28 (eight and six live hosts, two behind a firewall that drops; the
//! router answers the empty addresses with ICMP host unreachable) with `nmap -sS --max-rate 8
//! -p 22,80,443,445,3389`, `nmap -sT --max-rate 8 --top-ports 10` and `nmap -sA --max-rate 8
//! --top-ports 10`, and 198.18.1.0/27 with masscan over six ports at 6 a second; the LAN
//! scanner .67 sweeps its /27 (eleven live hosts) with `nmap -sS --max-rate 8 --top-ports 10`
//! and `nmap -sT -T2 -p 22,80,443,3389`. Around them a poller (.30, watching eight of the LAN
//! /27's hosts too, on 22, 9100 and 80), a P2P client (.40) and a P2P node (.184) talk to many
//! hosts.
//!
//! The build before the fix (main 91bccf9) missed the first two routed sweeps: nmap sends
//! each host's ports in its own order with hosts in parallel, so the failures of one port
//! never follow each other (the slow-scan rule's runs, and session 26's dense runs, are cut),
//! no port fails on 25 hosts and no host on 15 ports, and at eight probes a second the
//! networks flag nothing. One port's failed hosts over the scanner's episode, twelve at least
//! filling half of the addresses between them in one /24, are now a finding
//! (`crates/ids/src/slowscan.rs`, "Blocks of many ports"): all six are alerted and named right.
//!
//! Known answers from tcpdump 4.99 (an independent decoder) on the capture: 7,099 frames, 327
//! of them ARP; `'src 198.18.0.66 and tcp[13]&0x12==0x02'` 582 SYNs from the routed scanner;
//! `'icmp and dst 198.18.0.66 and icmp[0]==3'` 139 ICMP unreachables to it. The test checks its
//! own reading of the frames against them.

mod common;
use common::*;

const SCANNER: [u8; 4] = [198, 18, 0, 66];

#[test]
fn slow_sweeps_of_several_ports_across_small_blocks_are_scans() {
    let bytes = std::fs::read(cap("subnetscan_ports.pcap")).unwrap();
    assert_eq!(pcap_records(&bytes).len(), 7099);
    assert_eq!(count_tcp_from(&bytes, SCANNER, |fl| fl & 0x12 == 0x02), 582);
    let unreachables = count_ipv4(&bytes, |ip, ihl| {
        ip.get(9) == Some(&1) && ip.get(16..20) == Some(&SCANNER[..]) && ip.get(ihl) == Some(&3)
    });
    assert_eq!(unreachables, 139);
    let eps = episodes("subnetscan_ports");
    assert_eq!(eps.len(), 6);
    for extra in [&[][..], &["--threads", "1"]] {
        let what = format!("{extra:?}: ");
        let j = detect_json_with("subnetscan_ports", extra);
        assert_eq!(j["records"], 7099);
        assert_eq!(j["arp"], 327);
        let alerts = j["alerts"].as_array().unwrap();
        for e in &eps {
            assert_named_right(&what, e, alerts);
        }
        // the two routed nmap sweeps the base missed, each found by one port's block
        assert!(
            j["dense_blocks"].as_u64().unwrap() >= 2,
            "{what}{}",
            j["dense_blocks"]
        );
        // no alert from the poller, the P2P client or the P2P node
        assert_no_false_alert(&what, alerts, &eps);
    }
}
