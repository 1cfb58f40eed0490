//! End-to-end test of `nightjar ids detect` on scans of one port across small, mostly empty
//! blocks, driving the real binary with the built-in models on the committed capture
//! `subnetscan` (`data/captures/SOURCE.md`, "Scans of one port across a sparse subnet"; made by
//! `lab/subnetscan.sh`, session 26): the routed scanner 198.18.0.66 sweeps /28s of
//! 198.18.1.0/24 (one to three live hosts in each; the router answers the empty addresses with
//! ICMP host unreachable, or nothing) with `nmap -sV`, `nmap -sS -T2`, `nmap -sT`, zmap and a
//! loop of `ncat -z`, and a /27 with masscan; the LAN scanner .67 sweeps its own /26 with
//! `nmap -sS` (the empty addresses give only ARP requests). Around them a poller (.30, two of
//! its hosts down), a P2P client (.40, a third of its peers gone) and a P2P node (.184, eight
//! absent peers of sixteen) talk to many hosts.
//!
//! The build before the fix (main 4953669) alerted two of the seven scans, neither named
//! right: a /28 holds at most fifteen empty addresses, under the slow-scan rule's 25 hosts
//! (Zeek's address-scan threshold), and the sweep rule's damped count never came near 25. A
//! run of at least 12 failed hosts on one port, all in one /24, at least half of the addresses
//! from the lowest of them to the highest, is now a held candidate finding
//! (`crates/ids/src/slowscan.rs`, "Sparse blocks"): five of the scans are alerted and named
//! right. `nmap -sT` of 198.18.1.32/28, whose silent failures came (10 s after their probes)
//! among the next scan's refusals, which cut its run, is found since session 27 by its port's
//! failed hosts over the episode ("Blocks of many ports"). Left: the LAN scan, alerted by the
//! ARP-sweep rule as `other-attack`.
//!
//! Known answers from tcpdump 4.99 (an independent decoder) on the capture: 5,373 frames, 309
//! of them ARP; `'src 198.18.0.66 and tcp[13]&0x12==0x02'` 215 SYNs from the routed scanner;
//! `'icmp and dst 198.18.0.66 and icmp[0]==3'` 61 ICMP unreachables to it. The test checks its
//! own reading of the frames against them.

mod common;
use common::*;

const SCANNER: [u8; 4] = [198, 18, 0, 66];

#[test]
fn sweeps_of_one_port_across_small_mostly_empty_blocks_are_scans() {
    let bytes = std::fs::read(cap("subnetscan.pcap")).unwrap();
    assert_eq!(pcap_records(&bytes).len(), 5373);
    assert_eq!(count_tcp_from(&bytes, SCANNER, |fl| fl & 0x12 == 0x02), 215);
    let unreachables = count_ipv4(&bytes, |ip, ihl| {
        ip.get(9) == Some(&1) && ip.get(16..20) == Some(&SCANNER[..]) && ip.get(ihl) == Some(&3)
    });
    assert_eq!(unreachables, 61);
    let eps = episodes("subnetscan");
    assert_eq!(eps.len(), 7);
    for extra in [&[][..], &["--threads", "1"]] {
        let what = format!("{extra:?}: ");
        let j = detect_json_with("subnetscan", extra);
        assert_eq!(j["records"], 5373);
        assert_eq!(j["arp"], 309);
        let alerts = j["alerts"].as_array().unwrap();
        // the sweeps of small blocks behind the router, each found by its density
        for needle in [
            "-sV -p 30303 198.18.1.0/28",
            "-sS -T2 -p 3389 198.18.1.16/28",
            "-p445 198.18.1.0/27",
            "-p 23 -r 30",
            "ncat -z",
            "-sT -p 22 198.18.1.32/28",
        ] {
            assert_named_right(&what, by_command(&eps, needle), alerts);
        }
        assert!(
            j["dense_sweeps"].as_u64().unwrap() >= 4,
            "{what}{}",
            j["dense_sweeps"]
        );
        // the LAN scan: the ARP-sweep rule's alert
        assert!(!covering(by_command(&eps, "198.18.0.0/26"), alerts).is_empty());
        // no alert from the poller, the P2P client or the P2P node
        assert_no_false_alert(&what, alerts, &eps);
    }
}
