//! End-to-end test of `nightjar ids detect` on attacks across real latency and through a
//! router, driving the real binary with the built-in models on the committed capture `wan`
//! (`data/captures/SOURCE.md`, "Attacks across real latency and through a router"; made by
//! `lab/wan.sh`, session 22): the attacker 198.18.1.66 and two normal clients (.20: HTTP, echo,
//! SSH-like banners, pings; .21: DNS lookups before each connection, page loads over parallel
//! keep-alive connections) are on another site, 100 ms away (50 ms ± 5 each way, 2 % loss each
//! way: `lab/wanlink.py`), behind a router; the capture is the victim LAN's sensor. The attacks
//! (`lab/wan.small.attacks`): nmap -sS (-T4, -T2 over 30 ports), -sT, -sF, -sN (-T5), -sX, -sA,
//! -sU, -sM, a SYN scan of the LAN's .10-.13, and hping3 SYN, UDP and ICMP floods of 600 each.
//!
//! Every attack is alerted and named right by the build at the start of session 22 (main
//! b2a240c) already, and so were the same attacks at 40, 150 and 200 ms (BENCHMARKS.md,
//! "Session 22: attacks across real latency and through a router"): nothing was changed. The
//! test keeps it so: an answer arriving 100 ms after its probe, nmap's slower pace and
//! retransmissions across a lossy path, and the normal clients' longer round trips must change
//! no alert.
//!
//! One alert per scan (session 23, helper h2). Across the router nmap does not ping the victim
//! by ARP: before each scan it sends its host discovery — an ICMP echo request, a SYN to 443 and
//! an ACK to 80 from one port, an ICMP timestamp request — and a round trip later the scan. The
//! discovery's probes, of other kinds than the scan's, set the episode's probe kind, and the
//! scan's tenth probe ended it as a change of attack (`--change-probes`): 7 of the 13 scans were
//! alerted twice at the base (f7f13c6), a piece of ~20 packets (the discovery, the scan's first
//! nine probes and their answers) and the scan. A run of another kind now ends an episode only if
//! what came before the run could be an alert alone (`--min-packets` flagged packets); else it
//! was the attack's preamble and the episode goes on about the run's kind (`preambles` in
//! --json: 7 here, no change of attack). The test holds the capture to one alert per episode.
//!
//! Known answers from tcpdump 4.99 (an independent decoder) on the capture: 10,974 frames, 49 of
//! them ARP; `'src net 198.18.1.0/24'` 5,916 packets, none with TTL 64 or more
//! (`'... and ip[8]>=64'`: every one crossed the router), 4,717 with TTL 63; `'src host
//! 198.18.1.66 and tcp[13]&0x17==0x02'` 1,134 SYNs. The test checks its own reading of the
//! frames against them.

mod common;
use common::*;

const FAR: [u8; 3] = [198, 18, 1];

#[test]
fn attacks_across_latency_and_a_router_are_alerted_and_named_the_far_clients_are_not() {
    let bytes = std::fs::read(cap("wan.pcap")).unwrap();
    assert_eq!(pcap_records(&bytes).len(), 10974);
    let from_far = |ip: &[u8]| ip.get(12..15) == Some(&FAR[..]);
    assert_eq!(count_ipv4(&bytes, |ip, _| from_far(ip)), 5916);
    // every packet from the far site crossed the router: none keeps a fresh TTL of 64
    assert_eq!(count_ipv4(&bytes, |ip, _| from_far(ip) && ip[8] >= 64), 0);
    assert_eq!(
        count_ipv4(&bytes, |ip, _| from_far(ip) && ip[8] == 63),
        4717
    );
    assert_eq!(
        count_tcp_from(&bytes, [198, 18, 1, 66], |f| f & 0x17 == 0x02),
        1134
    );
    let eps = episodes("wan");
    assert_eq!(eps.len(), 13);
    for extra in [&[][..], &["--threads", "1"]] {
        let j = detect_json_with("wan", extra);
        assert_eq!(j["records"], 10974);
        assert_eq!(j["arp"], 49);
        assert_all_alerted_right(&format!("{extra:?} "), &j, &eps);
        let alerts = j["alerts"].as_array().unwrap();
        for a in alerts {
            assert_eq!(a["src_ip"], "198.18.1.66", "{extra:?}: {}", show(a));
        }
        // one alert per attack: the host discovery before each scan is in the scan's alert
        assert_eq!(alerts.len(), 13, "{extra:?}");
        for e in &eps {
            let c = covering(e, alerts);
            assert_eq!(
                c.len(),
                1,
                "{extra:?} {}: {:?}",
                e["command"],
                named(e, alerts)
            );
        }
        assert_eq!(
            (j["preambles"].as_u64(), j["attack_changes"].as_u64()),
            (Some(7), Some(0))
        );
    }
}
