//! End-to-end test of `nightjar ids detect` on normal traffic of an encrypted proxy, driving the
//! real binary with the built-in models on the committed capture `shadowsocks`
//! (`data/captures/SOURCE.md`, "A Shadowsocks proxy's client browsing"; made by
//! `lab/shadowsocks.sh`): a client fetching 60 pages, 0.5 s apart, through ss-local and
//! ss-server (shadowsocks-libev 3.3.5, AEAD chacha20-ietf-poly1305). Each page is a new
//! connection to the proxy's port 8388 that begins with random bytes (its salt), and every
//! segment back is random too.
//!
//! The build before the fix (main f59f5a1) alerted the client as fuzzing its proxy: 401
//! packets, `other-attack`, "fuzzing: connections of random bytes to one service". The rule now
//! counts the first bytes of a warm service's answers too, and an encrypted protocol's are
//! random (`crates/ids/src/fuzzing.rs`, `ANSWER_MAX`).
//!
//! Known answers from tcpdump 4.99 (an independent decoder) on the capture: 1,402 frames, 4 of
//! them ARP; `'tcp dst port 8388 and tcp[13]&0x12==0x02'` 60 SYNs to the proxy. The test
//! checks its own reading of the frames against them.

mod common;
use common::*;

/// SYNs (without ACK) to TCP port 8388 among the capture's IPv4 frames.
fn syns_to_proxy(bytes: &[u8]) -> usize {
    count_ipv4(bytes, |ip, ihl| {
        ip.get(9) == Some(&6)
            && ip.get(ihl + 2..ihl + 4) == Some(&8388u16.to_be_bytes()[..])
            && ip.get(ihl + 13).is_some_and(|fl| fl & 0x12 == 0x02)
    })
}

#[test]
fn an_encrypted_proxys_client_is_no_fuzzer() {
    let bytes = std::fs::read(cap("shadowsocks.pcap")).unwrap();
    assert_eq!(pcap_records(&bytes).len(), 1402);
    assert_eq!(syns_to_proxy(&bytes), 60);
    for extra in [&[][..], &["--threads", "1"]] {
        let j = detect_json_with("shadowsocks", extra);
        assert_eq!(j["records"], 1402);
        assert_eq!(j["arp"], 4);
        assert_eq!(
            j["alerts"].as_array().unwrap().len(),
            0,
            "{extra:?}: {:?}",
            j["alerts"]
                .as_array()
                .unwrap()
                .iter()
                .map(show)
                .collect::<Vec<_>>()
        );
        assert_eq!(j["flagged_by_fuzzing_rule"], 0, "{extra:?}");
    }
}
