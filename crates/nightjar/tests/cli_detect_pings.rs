//! End-to-end test of `nightjar ids detect` on a DNSCrypt client measuring its resolvers beside
//! UDP floods, driving the real binary with the built-in models on the committed capture
//! `pings` (`data/captures/SOURCE.md`, "A DNSCrypt client pinging its resolvers, and UDP
//! floods"; made by `lab/pings.sh` with `lab/pings.small.attacks`, session 25, helper h4). On
//! one LAN 40 "resolvers" (198.18.0.100-139, `lab/pings.py serve` on 443, 1443 and 8443 of
//! each) answer every datagram; a client pings them twice as dnscrypt-proxy does (`lab/pings.py
//! ping`): to each resolver 6 queries at once, each from a socket of its own, padded to 512 or
//! 1,532 bytes (the larger fragmented by the kernel), the resolvers one after another within
//! 2 s, then 0.5 s; every query answered on its port pair (the pattern of nDPI's
//! `tests/pcap/dnscrypt-v1-and-resolver-pings.pcap`). An attacker floods one resolver's port
//! 443 with hping3 (800 datagrams, each from a new port, each answered), a closed port with
//! fragmented datagrams (`hping3 --udp -d 1500`, 500) and the lab's DNS server with a
//! random-subdomain flood it answers (1,200 queries, `lab/lookups.py torture`).
//!
//! The build before the fix (main 45f67a2) alerted one of the client's rounds as a UDP flood
//! (199 packets). An episode whose flagged packets are datagrams the source sent, their
//! fragments and answers, nine in ten answered on their port pair, and whose datagrams went to
//! each host in a burst of its own (fewer than an alert's 15, two or more on average, a source
//! port each) is now a burst of exchanges (`crates/ids/src/detect.rs`,
//! `SrcEp::burst_of_exchanges`): no alert. The floods, hundreds of datagrams to one host,
//! answered or not, stay `flood-udp`.
//!
//! Known answers from tcpdump 4.99 (an independent decoder) on the capture: 6,346 frames, 92
//! of them ARP; `'src host 198.18.0.20 and ip proto 17'` the client's 752 packets, of which
//! `'... and udp and ip[6:2] & 0x1fff = 0'` 480 queries (the rest later fragments) and `'dst
//! host 198.18.0.20 and udp'` 480 answers; `'src host 198.18.0.66 and ip proto 17'` the floods'
//! 3,000 packets, `'dst host 198.18.0.66 and udp'` 2,000 answers to them. The test checks its
//! own reading of the frames against them.

mod common;
use common::*;

const CLIENT: [u8; 4] = [198, 18, 0, 20];
const ATTACKER: [u8; 4] = [198, 18, 0, 66];

/// IPv4 packets of UDP (IP protocol 17) from `src` (`from`) or to it; `first`: only those
/// that carry the UDP header (not later fragments).
fn udp(bytes: &[u8], host: [u8; 4], from: bool, first: bool) -> usize {
    let addr = if from { 12..16 } else { 16..20 };
    count_ipv4(bytes, |ip, _| {
        let offset = ip
            .get(6..8)
            .map_or(1, |w| u16::from_be_bytes([w[0], w[1]]) & 0x1fff);
        ip.get(9) == Some(&17) && ip.get(addr.clone()) == Some(&host[..]) && (!first || offset == 0)
    })
}

#[test]
fn resolvers_pinged_at_once_raise_no_alert_and_udp_floods_are_alerted() {
    let bytes = std::fs::read(cap("pings.pcap")).unwrap();
    assert_eq!(pcap_records(&bytes).len(), 6346);
    assert_eq!(udp(&bytes, CLIENT, true, false), 752);
    assert_eq!(udp(&bytes, CLIENT, true, true), 480);
    assert_eq!(udp(&bytes, CLIENT, false, true), 480);
    assert_eq!(udp(&bytes, ATTACKER, true, false), 3000);
    assert_eq!(udp(&bytes, ATTACKER, false, true), 2000);
    let eps = episodes("pings");
    assert_eq!(sorted_labels(&eps), ["flood-udp", "flood-udp", "flood-udp"]);
    for extra in [&[][..], &["--threads", "1"]] {
        let j = detect_json_with("pings", extra);
        assert_eq!(j["records"], 6346);
        assert_eq!(j["arp"], 92);
        let what = format!("{extra:?} ");
        // the three floods alerted as floods, and no alert about the client (the base: a "UDP
        // flood" by its second round of pings)
        assert_all_alerted_right(&what, &j, &eps);
        assert_eq!(j["alerts"].as_array().unwrap().len(), 3, "{what}");
        assert_eq!(j["exchange_bursts"], 1, "{what}");
    }
}
