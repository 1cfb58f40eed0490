//! End-to-end test of `nightjar ids detect` on HTTPS uploads after an idle spell beside real
//! floods, driving the real binary with the built-in models on the committed capture `uploads`
//! (`data/captures/SOURCE.md`, "HTTPS uploads after an idle spell"; made by `lab/uploads.sh`):
//! a client 198.18.0.20 opens six HTTPS connections to 198.18.0.10:443 one after another (ECN
//! asked for, an 80 ms round trip), each a GET, 24 s idle, then a POST of 200,000 bytes at full
//! speed on the same connection; beside them 198.18.0.66's `hping3 --icmp` and `hping3 -S -p
//! 443` floods of the server.
//!
//! The pattern of nDPI's tests/pcap/whatsappfiles.pcap (a WhatsApp client's file upload, named
//! an ICMP flood by the session's base). The build before the fix (main 45f67a2) alerted four
//! of the six uploads as floods of the client against the server, each named `flood-udp` on TCP
//! segments alone (24–47 packets). Now the networks vote only among the classes of the
//! protocols an episode holds, and an episode of established connections' own segments with no
//! probe in it, the peer's among them, raises no alert (`crates/ids/src/detect.rs`, "A
//! connection's own data"). The two floods stay alerted with their classes.
//!
//! Known answers from tcpdump 4.99 (an independent decoder) on the capture: 7,565 frames, 6 of
//! them ARP; 913 IPv4 packets from the client, 6 of them SYNs with ECE and CWR (`[SEW]`), 828
//! of more than 1,000 bytes; from the attacker 1,200 ICMP echo requests and 1,200 SYNs. The
//! test checks its own reading of the frames against them.

mod common;
use common::*;

const CLIENT: [u8; 4] = [198, 18, 0, 20];
const ATTACKER: [u8; 4] = [198, 18, 0, 66];

/// IPv4 packets from `src` that `f` holds for (the IP packet, its header's length).
fn from(bytes: &[u8], src: [u8; 4], f: impl Fn(&[u8], usize) -> bool) -> usize {
    count_ipv4(bytes, |ip, ihl| {
        ip.get(12..16) == Some(&src[..]) && f(ip, ihl)
    })
}

#[test]
fn uploads_after_an_idle_spell_are_no_floods_and_the_floods_beside_them_are() {
    let bytes = std::fs::read(cap("uploads.pcap")).unwrap();
    assert_eq!(pcap_records(&bytes).len(), 7_565);
    assert_eq!(from(&bytes, CLIENT, |_, _| true), 913);
    // SYN with ECE and CWR, no ACK: an ECN-setup SYN
    assert_eq!(count_tcp_from(&bytes, CLIENT, |fl| fl & 0xd2 == 0xc2), 6);
    let big = |ip: &[u8], _: usize| {
        ip.get(2..4)
            .is_some_and(|l| u16::from_be_bytes([l[0], l[1]]) > 1000)
    };
    assert_eq!(from(&bytes, CLIENT, big), 828);
    let echo = |ip: &[u8], ihl: usize| ip.get(9) == Some(&1) && ip.get(ihl) == Some(&8);
    assert_eq!(from(&bytes, ATTACKER, echo), 1_200);
    assert_eq!(
        count_tcp_from(&bytes, ATTACKER, |fl| fl & 0x12 == 0x02),
        1_200
    );
    let eps = episodes("uploads");
    assert_eq!(sorted_labels(&eps), ["flood-icmp", "flood-syn"]);
    for extra in [&[][..], &["--threads", "1"]] {
        let j = detect_json_with("uploads", extra);
        assert_eq!(j["records"], 7_565);
        assert_eq!(j["arp"], 6);
        assert_all_alerted_right(&format!("{extra:?}"), &j, &eps);
        // nothing of the client's is alerted, and its flagged uploads were dropped by the rule
        let alerts = j["alerts"].as_array().unwrap();
        assert!(
            alerts.iter().all(|a| a["src_ip"] == "198.18.0.66"),
            "{extra:?}: {:?}",
            alerts.iter().map(show).collect::<Vec<_>>()
        );
        let dropped = j["data_of_sessions"].as_u64().unwrap();
        assert!(dropped >= 4, "{extra:?}: {dropped}");
        // no alert names a class of a protocol it holds none of
        for a in alerts {
            let ok = match a["nightjar"]["label"].as_str().unwrap() {
                "flood-icmp" => a["proto"] == "ICMP",
                "flood-udp" | "scan-udp" => a["proto"] == "UDP",
                "other-attack" => true,
                _ => a["proto"] == "TCP",
            };
            assert!(ok, "{extra:?}: {}", show(a));
        }
    }
}
