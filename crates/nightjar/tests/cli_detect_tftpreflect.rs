//! End-to-end test of `nightjar ids detect` on a TFTP reflection flood (CIC-DDoS2019's largest
//! vector) beside real TFTP downloads, at both ends, driving the real binary with the built-in
//! models on the committed captures `tftpreflect` (the reflectors' link) and
//! `tftpreflect-victim` (the victim's link) of one run of `lab/tftpreflect.sh`
//! (`data/captures/SOURCE.md`, "TFTP reflection floods and TFTP downloads"): 20 reflectors (one
//! namespace, 198.18.1.1–20, one real tftpd-hpa answering on every address from a new port per
//! transfer), 300 forged read requests for pxelinux.0 at 150 a second from the victim's address
//! (a new random port each), each answered by DATA block 1 (516 bytes) and its resends; and three
//! PXE clients booting three times each from the first three servers (tftp-hpa and curl: a
//! missing per-host config answered by an ERROR, options answered by an OACK, a 128 KiB kernel
//! and a 64 KiB initrd in lock-step at LAN speed), the victim itself reading pxelinux.0 every few
//! seconds.
//!
//! The build before the fix (main 571da9b) named the flood `scan-udp` at the victim's link (each
//! reflector's answers come from one high port to many ports of the victim), and at the
//! reflectors' link took the clients' downloads for UDP floods (3 false alerts: a lock-step
//! transfer is a datagram of one size answered one for one, as a flood echoed). The reflection
//! rule now reads a TFTP server's first answer by its first bytes (`crates/ids/src/reflection.rs`,
//! "TFTP answers from a port of their own"; the decoder keeps a UDP payload's first four bytes),
//! and the conversation rule knows a transfer by its ACKs naming the blocks
//! (`crates/ids/src/conversation.rs`, "TFTP in lock-step").
//!
//! Known answers from tcpdump 4.99 (an independent decoder): the reflectors' link 11,865 frames,
//! 64 of them ARP; `'icmp and src host 198.18.0.10'` 300 (the victim's port unreachables);
//! `'udp and src host 198.18.0.10 and dst port 69'` 311 (300 forged, 11 its own);
//! `'udp and dst host 198.18.0.10 and udp[8:4]=0x00030001'` 731 (DATA block 1 to the victim);
//! `'udp and udp[8:2]=5'` 9 (ERROR), `'udp and udp[8:2]=6'` 18 (OACK). The victim's link 2,950
//! frames, 49 ARP, 300 ICMP from the victim, 11 of its own read requests, the same 731 DATA
//! block 1. The test checks its own reading of the frames against them.

mod common;
use common::*;
use serde_json::Value;

const VICTIM: [u8; 4] = [198, 18, 0, 10];

/// Frames of `bytes` that are UDP whose payload begins with `head` (to the victim only:
/// `to_victim`).
fn udp_heads(bytes: &[u8], head: &[u8], to_victim: bool) -> usize {
    count_ipv4(bytes, |ip, ihl| {
        ip.get(9) == Some(&17)
            && (!to_victim || ip.get(16..20) == Some(&VICTIM[..]))
            && ip.get(ihl + 8..ihl + 8 + head.len()) == Some(head)
    })
}

fn check(name: &str, frames: usize, arp: u64, counts: [usize; 5]) {
    let bytes = std::fs::read(cap(&format!("{name}.pcap"))).unwrap();
    assert_eq!(pcap_records(&bytes).len(), frames);
    let icmp = count_ipv4(&bytes, |ip, _| {
        ip.get(9) == Some(&1) && ip.get(12..16) == Some(&VICTIM[..])
    });
    let rrq = count_ipv4(&bytes, |ip, ihl| {
        ip.get(9) == Some(&17)
            && ip.get(12..16) == Some(&VICTIM[..])
            && ip.get(ihl + 2..ihl + 4) == Some(&69u16.to_be_bytes()[..])
    });
    let data1 = udp_heads(&bytes, &[0, 3, 0, 1], true);
    let (error, oack) = (
        udp_heads(&bytes, &[0, 5], false),
        udp_heads(&bytes, &[0, 6], false),
    );
    assert_eq!([icmp, rrq, data1, error, oack], counts);
    let eps = episodes(name);
    assert_eq!(eps.len(), 20);
    assert!(eps
        .iter()
        .all(|e| e["label"] == "flood-udp" && e["command"] == eps[0]["command"]));
    for extra in [&[][..], &["--threads", "1"]] {
        let j = detect_json_with(name, extra);
        assert_eq!(j["records"], frames, "{extra:?}");
        assert_eq!(j["arp"], arp, "{extra:?}");
        let alerts = j["alerts"].as_array().unwrap();
        let cov = covering_attack(&eps.iter().collect::<Vec<_>>(), alerts);
        let others: Vec<&Value> = alerts
            .iter()
            .filter(|a| !cov.iter().any(|c| std::ptr::eq(*c, *a)))
            .collect();
        let names: Vec<&str> = cov
            .iter()
            .map(|a| a["nightjar"]["label"].as_str().unwrap())
            .collect();
        eprintln!("{name} {extra:?}: {names:?}");
        // the flood is alerted, and every alert of it names it
        assert!(!cov.is_empty(), "{name} {extra:?}: not alerted");
        for a in &cov {
            assert_eq!(
                a["nightjar"]["label"],
                "flood-udp",
                "{name} {extra:?}: {}",
                show(a)
            );
        }
        // no false alert: the downloads, the failed requests and the victim are normal
        assert!(
            others.is_empty(),
            "{name} {extra:?}: {:#?}",
            others.iter().map(|a| show(a)).collect::<Vec<_>>()
        );
        assert!(
            j["flagged_by_reflection_rule"].as_u64().unwrap() > 500,
            "{name} {extra:?}"
        );
    }
}

#[test]
fn a_tftp_reflection_flood_seen_with_its_forged_requests_is_the_reflectors() {
    check("tftpreflect", 11_865, 64, [300, 311, 731, 9, 18]);
}

#[test]
fn a_tftp_reflection_flood_at_its_victim_is_a_flood_of_the_reflectors() {
    check("tftpreflect-victim", 2_950, 49, [300, 11, 731, 0, 0]);
}
