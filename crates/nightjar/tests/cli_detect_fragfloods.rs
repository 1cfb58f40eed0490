//! End-to-end test of `nightjar ids detect` on floods of fragmented UDP datagrams, driving the
//! real binary with the built-in models on the committed capture `fragfloods`
//! (`data/captures/SOURCE.md`, "Floods of fragmented datagrams at ports that answer"; made by
//! `lab/pings.sh` with `lab/pings.fragments.attacks`, session 26). hping3 floods three servers'
//! ports that echo every datagram (443, 8443 and 1443: `-d 1500`, two fragments a datagram, and
//! `-d 3000`, three) and a closed port (`-d 1500`), each datagram from a new source port above
//! 1024; a client then pings the 40 servers as dnscrypt-proxy does (fragmented queries).
//!
//! The build before the fix (main 4953669) named the three floods of answering ports
//! `scan-udp` — their flagged packets were fragments, and the episode's profile counted no
//! datagram in them (`crates/ids/src/profile.rs`: a first fragment now counts as its datagram,
//! and the fragments after it as its own) — or missed one outright: an ICMP error about one of
//! the server's echoes, flagged first and charged by its quote's ports to the server, opened an
//! episode for it, and every datagram of the flood went into that episode of a host that sent
//! none of them (`crates/ids/src/detect.rs`, `known_attacker`). Fragmented datagrams from a new
//! port each past the UDP-service-flood rule's threshold are a flood now, answered or not
//! (`crates/ids/src/udpfloods.rs`, "Fragmented floods").
//!
//! Known answers from tcpdump 4.99 (an independent decoder) on the capture: 8,397 frames, 92 of
//! them ARP; `'src host 198.18.0.66 and dst host 198.18.0.H and ip proto 17'` 1,600, 1,200, 1,800
//! and 1,200 packets for H = 111, 102, 103 and 101, of which `'... and udp and ip[6:2] & 0x1fff
//! = 0'` 800, 600, 600 and 600 first fragments, and `'src host 198.18.0.H and dst host
//! 198.18.0.66 and udp'` 800, 600, 600 and 0 echoes. The test checks its own reading of the
//! frames against them.

mod common;
use common::*;

/// IPv4 packets of UDP (IP protocol 17) from `src` to `dst`; `first`: only those that carry
/// the UDP header (not later fragments).
fn udp(bytes: &[u8], src: [u8; 4], dst: [u8; 4], first: bool) -> usize {
    count_ipv4(bytes, |ip, _| {
        let offset = ip
            .get(6..8)
            .map_or(1, |w| u16::from_be_bytes([w[0], w[1]]) & 0x1fff);
        ip.get(9) == Some(&17)
            && ip.get(12..16) == Some(&src[..])
            && ip.get(16..20) == Some(&dst[..])
            && (!first || offset == 0)
    })
}

#[test]
fn floods_of_fragmented_datagrams_are_udp_floods_of_their_sender() {
    let bytes = std::fs::read(cap("fragfloods.pcap")).unwrap();
    assert_eq!(pcap_records(&bytes).len(), 8397);
    let att = [198, 18, 0, 66];
    for (host, sent, first, back) in [
        (111, 1600, 800, 800),
        (102, 1200, 600, 600),
        (103, 1800, 600, 600),
        (101, 1200, 600, 0),
    ] {
        let vic = [198, 18, 0, host];
        assert_eq!(udp(&bytes, att, vic, false), sent, "{host}");
        assert_eq!(udp(&bytes, att, vic, true), first, "{host}");
        assert_eq!(udp(&bytes, vic, att, true), back, "{host}");
    }
    let eps = episodes("fragfloods");
    assert_eq!(sorted_labels(&eps), ["flood-udp"; 4]);
    for extra in [&[][..], &["--threads", "1"]] {
        let j = detect_json_with("fragfloods", extra);
        assert_eq!(j["records"], 8397);
        assert_eq!(j["arp"], 92);
        let what = format!("{extra:?} ");
        // every flood alerted, named flood-udp and charged to its sender; nothing about the
        // client's fragmented pings (the base: three named scan-udp, the flood of .102 missed)
        assert_all_alerted_right(&what, &j, &eps);
        let alerts = j["alerts"].as_array().unwrap();
        assert_eq!(alerts.len(), 4, "{what}");
        for a in alerts {
            assert_eq!(a["src_ip"], "198.18.0.66", "{what}{a}");
            assert_eq!(a["nightjar"]["label"], "flood-udp", "{what}{a}");
        }
    }
}
