//! End-to-end test of `nightjar ids detect` on a P2P node dialling its peers beside real
//! horizontal scans of their subnet, driving the real binary with the built-in models on the
//! committed capture `peerdial` (`data/captures/SOURCE.md`, "A P2P node dialling its peers";
//! made by `lab/peerdial.sh`, session 25): the node 198.18.0.184 dials 48 peers and 8 absent
//! addresses on port 30303 across a 20 ms link, twice, 16 at once and the rest over 1.5 s;
//! each peer reads its hello and answers, then half of them say "too many peers" and close
//! with a FIN (a fifth with a reset; the others keep the session), and the peer's kernel
//! answers each of the node's messages still on their way with a reset (the pattern of nDPI's
//! tests/pcap/ethereum.pcap). Scanners .66-.69 sweep the peers' /24 on 30303 meanwhile:
//! `nmap -sS`, `nmap -sT`, hping3 `--rand-dest`, `nmap -sV`.
//!
//! The build before the fix (main 45f67a2) alerted the node: `scan-connect` from 198.18.0.184,
//! 145 packets, 211 of its packets flagged, nearly all the peers' resets (in ethereum.pcap a
//! `scan-syn` alert against the node, 208 packets). A reset after a close from an end that had
//! closed its side with a FIN once the connection served it is that end's kernel's answer to
//! what still reaches its closed socket (`WindowState::closing_reset`,
//! `crates/ids/src/features/window.rs`): 147 flagged resets cleared. The resets after a peer's
//! own `SO_LINGER` 0 reset stay flagged (64), too few for an alert: as tcpkill's, nothing
//! counted calls for them.
//!
//! Known answers from tcpdump 4.99 (an independent decoder) on the capture: 8,487 frames, 22 of
//! them ARP; `'src 198.18.0.184 and tcp[13]&0x12==0x02'` 144 SYNs from the node (112 dials and
//! the SYNs sent again to absent peers); `'dst 198.18.0.184 and tcp[13]&0x04!=0'` 693 resets
//! to it. The test checks its own reading of the frames against them.

mod common;
use common::*;

const NODE: [u8; 4] = [198, 18, 0, 184];

#[test]
fn a_p2p_node_dialling_its_peers_is_no_scanner_and_the_sweeps_beside_it_are() {
    let bytes = std::fs::read(cap("peerdial.pcap")).unwrap();
    assert_eq!(pcap_records(&bytes).len(), 8487);
    assert_eq!(count_tcp_from(&bytes, NODE, |fl| fl & 0x12 == 0x02), 144);
    let resets_to_node = count_ipv4(&bytes, |ip, ihl| {
        ip.get(9) == Some(&6)
            && ip.get(16..20) == Some(&NODE[..])
            && ip.get(ihl + 13).is_some_and(|fl| fl & 0x04 != 0)
    });
    assert_eq!(resets_to_node, 693);
    let eps = episodes("peerdial");
    assert_eq!(
        sorted_labels(&eps),
        ["scan-connect", "scan-syn", "scan-syn", "scan-syn"]
    );
    for extra in [&[][..], &["--threads", "1"]] {
        let what = format!("{extra:?}: ");
        let j = detect_json_with("peerdial", extra);
        assert_eq!(j["records"], 8487);
        assert_eq!(j["arp"], 22);
        assert_all_alerted_right(&what, &j, &eps);
        for a in j["alerts"].as_array().unwrap() {
            assert_ne!(a["src_ip"], "198.18.0.184", "{what}{}", show(a));
            assert_ne!(a["dest_ip"], "198.18.0.184", "{what}{}", show(a));
        }
        let cleared = j["closing_resets_cleared"].as_u64().unwrap();
        assert!(
            (120..=180).contains(&cleared),
            "{what}{cleared} resets cleared"
        );
    }
    // the node's packets flagged: the resets after the peers' own resets, no more
    let s = Scratch::new("detect-peerdial");
    let path = cap("peerdial.pcap");
    let scores = s.s("s.csv");
    let o = run(&["ids", "detect", "--pcap", &path, "--scores", &scores]);
    assert!(o.status.success(), "{}", stderr(&o));
    let csv = std::fs::read_to_string(s.path("s.csv")).unwrap();
    let node: Vec<Vec<&str>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect::<Vec<&str>>())
        .filter(|f| f.len() == 7 && (f[2] == "198.18.0.184" || f[3] == "198.18.0.184"))
        .collect();
    assert!(node.len() > 3000, "{} packets of the node's", node.len());
    let flagged: Vec<&Vec<&str>> = node.iter().filter(|f| f[6] != "normal").collect();
    assert!(flagged.len() <= 80, "{} flagged", flagged.len());
    assert!(
        flagged.iter().all(|f| f[3] == "198.18.0.184"),
        "{flagged:#?}"
    );
}
