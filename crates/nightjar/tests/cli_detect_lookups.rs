//! End-to-end test of `nightjar ids detect` on a host that looks up many names at once beside
//! DNS query floods, driving the real binary with the built-in models on the committed capture
//! `lookups` (`data/captures/SOURCE.md`, "Many names looked up at once, and DNS query floods";
//! made by `lab/lookups.sh` with `lab/lookups.small.attacks`, session 24, helper h4). On one
//! LAN a resolver (`lab/dnsd.py`) answers a host that looks names up as glibc's
//! `getaddrinfo` does (`lab/lookups.py burst`): a socket of its own per name, its A and AAAA
//! questions sent together, 16 and 64 threads at once, 200 names, then 700 (1,400 questions
//! within 0.13 s); an attacker floods the resolver with hping3 (`--udp -p 53`, 1,200
//! datagrams, each from a new port) and with a random-subdomain ("water torture") flood of
//! 2,000 queries at 2,000 a second, each from a new port (`lab/lookups.py torture`).
//!
//! The build before the fix (main c2903ca) alerted the lookup host's 700 names as a UDP flood
//! of the resolver (1,366 packets): past 250 flagged packets a burst of questions was a flood.
//! Questions to a DNS server's port asked two to a source port, mostly answered, are now a
//! burst of lookups (`crates/ids/src/detect.rs`, `SrcEp::burst_of_lookups`): no alert. The
//! floods, a question a port, stay `flood-udp`.
//!
//! Known answers from tcpdump 4.99 (an independent decoder) on the capture: 10,021 frames, 8
//! of them ARP; `'src 198.18.0.20 and udp dst port 53'` the lookups' 1,800 questions (`'dst
//! 198.18.0.20 and udp src port 53'` 1,800 answers); `'src 198.18.0.66 and udp dst port 53'`
//! the floods' 3,200 datagrams. The test checks its own reading of the frames against them.

mod common;
use common::*;

const HOST: [u8; 4] = [198, 18, 0, 20];
const ATTACKER: [u8; 4] = [198, 18, 0, 66];

/// UDP datagrams from `src` to port 53, or from port 53 to `src` (`answers`).
fn dns(bytes: &[u8], src: [u8; 4], answers: bool) -> usize {
    let (addr, port) = if answers {
        (16..20, 0..2)
    } else {
        (12..16, 2..4)
    };
    count_ipv4(bytes, |ip, ihl| {
        ip.get(9) == Some(&17)
            && ip.get(addr.clone()) == Some(&src[..])
            && ip.get(ihl + port.start..ihl + port.end) == Some(&53u16.to_be_bytes()[..])
    })
}

#[test]
fn many_lookups_at_once_raise_no_alert_and_dns_floods_are_alerted() {
    let bytes = std::fs::read(cap("lookups.pcap")).unwrap();
    assert_eq!(pcap_records(&bytes).len(), 10021);
    assert_eq!(dns(&bytes, HOST, false), 1800);
    assert_eq!(dns(&bytes, HOST, true), 1800);
    assert_eq!(dns(&bytes, ATTACKER, false), 3200);
    let eps = episodes("lookups");
    assert_eq!(sorted_labels(&eps), ["flood-udp", "flood-udp"]);
    for extra in [&[][..], &["--threads", "1"]] {
        let j = detect_json_with("lookups", extra);
        assert_eq!(j["records"], 10021);
        assert_eq!(j["arp"], 8);
        let what = format!("{extra:?} ");
        // both floods alerted as floods, and no alert about the lookup host (the base: a "UDP
        // flood" of the resolver by its 700 names)
        assert_all_alerted_right(&what, &j, &eps);
        assert_eq!(j["alerts"].as_array().unwrap().len(), 2, "{what}");
        assert_eq!(j["lookup_bursts"], 1, "{what}");
        assert_eq!(j["question_bursts"], 1, "{what}");
    }
}
