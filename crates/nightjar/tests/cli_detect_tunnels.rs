//! End-to-end tests of `nightjar ids detect` on captures of tunnels and mirror sessions, whose
//! every packet travels inside another (`crates/packet/src/tunnel.rs`), driving the real binary
//! with the built-in models.
//!
//! `tunnels.pcap` is a real underlay capture of a VXLAN overlay made by the Linux kernel, and
//! `tunnels.mixed.pcap` the overlay's own capture of the same run with each frame wrapped by
//! Scapy in one of eight encapsulations in turn (`lab/tunnels.sh`, `lab/reencapsulate.py`,
//! `data/captures/SOURCE.md`). Read as outer packets, as before, neither showed one of its three
//! attacks, and each raised a false alert between the tunnel ends.

mod common;
use common::*;
use serde_json::Value;

fn check(name: &str) -> Value {
    let eps = episodes(name);
    assert_eq!(sorted_labels(&eps), ["flood-syn", "scan-syn", "scan-xmas"]);
    let mut last = None;
    for extra in [&[][..], &["--threads", "1"]] {
        let j = detect_json_with(name, extra);
        let what = format!("{name} {extra:?}: ");
        assert_all_alerted_right(&what, &j, &eps);
        let alerts = j["alerts"].as_array().unwrap();
        // every alert is about the overlay's hosts, none about the tunnel ends
        for a in alerts {
            for end in ["src_ip", "dest_ip"] {
                let ip = a[end].as_str().unwrap();
                assert!(ip.starts_with("198.18.21."), "{what}{}", show(a));
            }
        }
        assert_eq!(j["undecoded"], 0, "{what}");
        if let Some(prev) = last.replace(alert_rows(&j)) {
            assert_eq!(prev, alert_rows(&j), "{what}the same with one thread");
        }
    }
    detect_json(name)
}

#[test]
fn the_attacks_inside_a_real_vxlan_underlay_capture_are_alerted_on_the_overlay_hosts() {
    check("tunnels");
}

#[test]
fn eight_encapsulations_in_turn_give_the_alerts_of_the_vxlan_capture_of_the_same_run() {
    let vxlan = alert_rows(&check("tunnels"));
    let mixed = alert_rows(&check("tunnels.mixed"));
    assert_eq!(vxlan.len(), 3);
    assert_eq!(mixed.len(), vxlan.len());
    // the same alerts; the times within the microseconds between the two capture points (the
    // underlay bridge and the victim's tunnel device)
    for (a, b) in vxlan.iter().zip(&mixed) {
        assert_eq!((&a.0, &a.1, &a.2, a.3), (&b.0, &b.1, &b.2, b.3));
        assert!(
            (a.4 - b.4).abs() < 1e-3 && (a.5 - b.5).abs() < 1e-3,
            "{a:?} {b:?}"
        );
    }
}

#[test]
fn vxlan_on_the_linux_default_port_is_opened_as_on_ianas() {
    // flannel's overlay keeps the Linux kernel's default VXLAN port, 8472: the committed capture
    // with every outer datagram's destination port 4789 rewritten to 8472 (outer IPv4 without
    // options), its UDP checksum updated as RFC 1624 eqn. 3 has it
    let bytes = std::fs::read(cap("tunnels.pcap")).unwrap();
    let mut out = bytes[..24].to_vec();
    let mut moved = 0;
    for (_, h, frame) in pcap_records(&bytes) {
        let mut f = frame.to_vec();
        if f.len() >= 42
            && f[12..14] == [0x08, 0x00]
            && f[14] == 0x45
            && f[23] == 17
            && f[36..38] == 4789u16.to_be_bytes()
        {
            f[36..38].copy_from_slice(&8472u16.to_be_bytes());
            let hc = u16::from_be_bytes([f[40], f[41]]);
            if hc != 0 {
                // HC' = ~(~HC + ~m + m')
                let mut sum = u32::from(!hc) + u32::from(!4789u16) + u32::from(8472u16);
                while sum > 0xffff {
                    sum = (sum & 0xffff) + (sum >> 16);
                }
                f[40..42].copy_from_slice(&(!(sum as u16)).to_be_bytes());
            }
            moved += 1;
        }
        out.extend_from_slice(h);
        out.extend_from_slice(&f);
    }
    assert!(moved > 3000, "{moved} datagrams moved");
    let s = Scratch::new("detect-tunnels-8472");
    std::fs::write(s.path("t.pcap"), out).unwrap();
    let moved_j = detect_json_at(&s.s("t.pcap"), &[]);
    let j = detect_json("tunnels");
    assert_eq!(alert_rows(&moved_j), alert_rows(&j));
    assert_eq!(alert_rows(&j).len(), 3);
}

/// The RFC 1071 checksum of an IPv4 header whose checksum field is zero.
fn ipv4_header_checksum(h: &[u8]) -> u16 {
    let mut sum: u32 = h
        .chunks(2)
        .map(|w| u32::from(u16::from_be_bytes([w[0], w[1]])))
        .sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

#[test]
fn the_same_packets_inside_gtp_u_give_the_same_alerts() {
    // a mobile core's user plane: the committed VXLAN underlay capture with each datagram's
    // VXLAN header and inner Ethernet header replaced by a GTP-U G-PDU header (3GPP TS 29.281
    // §5.1: flags 0x30, type 255, the length of the inner IP packet, a TEID), to UDP 2152, the
    // outer IPv4 length and checksum redone, the UDP checksum left out (0, RFC 768)
    let bytes = std::fs::read(cap("tunnels.pcap")).unwrap();
    let mut out = bytes[..24].to_vec();
    let mut moved = 0;
    for (_, h, f) in pcap_records(&bytes) {
        let vxlan_ip = f.len() >= 14 + 20 + 8 + 8 + 14 + 20
            && f[12..14] == [0x08, 0x00]
            && f[14] == 0x45
            && f[23] == 17
            && f[36..38] == 4789u16.to_be_bytes()
            && f[62..64] == [0x08, 0x00];
        if !vxlan_ip {
            out.extend_from_slice(h);
            out.extend_from_slice(f);
            continue;
        }
        let inner = &f[64..];
        let inner_len = u16::from_be_bytes([inner[2], inner[3]]);
        let mut g = f[..42].to_vec();
        g[16..18].copy_from_slice(&(20 + 8 + 8 + inner_len).to_be_bytes());
        g[24..26].copy_from_slice(&[0, 0]);
        let sum = ipv4_header_checksum(&g[14..34]);
        g[24..26].copy_from_slice(&sum.to_be_bytes());
        g[36..38].copy_from_slice(&2152u16.to_be_bytes());
        g[38..40].copy_from_slice(&(8 + 8 + inner_len).to_be_bytes());
        g[40..42].copy_from_slice(&[0, 0]);
        g.extend_from_slice(&[0x30, 0xFF]);
        g.extend_from_slice(&inner_len.to_be_bytes());
        g.extend_from_slice(&[0, 0, 0, 7]);
        g.extend_from_slice(inner);
        let mut h = h.to_vec();
        let orig = u32::from_le_bytes(h[12..16].try_into().unwrap());
        h[8..12].copy_from_slice(&(g.len() as u32).to_le_bytes());
        h[12..16].copy_from_slice(&(orig - 14).to_le_bytes());
        out.extend_from_slice(&h);
        out.extend_from_slice(&g);
        moved += 1;
    }
    assert!(moved > 3000, "{moved} datagrams moved");
    let s = Scratch::new("detect-tunnels-gtpu");
    std::fs::write(s.path("g.pcap"), out).unwrap();
    let gtp = detect_json_at(&s.s("g.pcap"), &[]);
    let j = detect_json("tunnels");
    assert_eq!(alert_rows(&gtp), alert_rows(&j));
    assert_eq!(alert_rows(&j).len(), 3);
    assert_eq!(gtp["undecoded"], 0);
}

#[test]
fn the_same_ipv6_packets_inside_teredo_give_the_same_alerts() {
    // IPv6 through NATs: the committed IPv6 capture with every IPv6 frame's packet carried in
    // Teredo (RFC 4380 §5.1.1: the IPv6 packet as the UDP payload), from a client's port to a
    // relay's 3544, in IPv4 between two addresses of the lab's (header checksum per RFC 1071,
    // the UDP checksum left out, RFC 768); other frames (ARP) as they are
    let bytes = std::fs::read(cap("ipv6.pcap")).unwrap();
    let mut out = bytes[..24].to_vec();
    let mut moved = 0;
    for (_, h, f) in pcap_records(&bytes) {
        if f.len() < 14 + 40 || f[12..14] != [0x86, 0xDD] {
            out.extend_from_slice(h);
            out.extend_from_slice(f);
            continue;
        }
        let v6 = &f[14..];
        let v6_len = 40 + u16::from_be_bytes([v6[4], v6[5]]);
        let mut g = f[..12].to_vec();
        g.extend_from_slice(&[0x08, 0x00]);
        let mut ip = vec![0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 17, 0, 0];
        ip.extend_from_slice(&[198, 18, 40, 2, 198, 18, 40, 1]);
        ip[2..4].copy_from_slice(&(20 + 8 + v6_len).to_be_bytes());
        let sum = ipv4_header_checksum(&ip);
        ip[10..12].copy_from_slice(&sum.to_be_bytes());
        g.extend_from_slice(&ip);
        g.extend_from_slice(&51000u16.to_be_bytes());
        g.extend_from_slice(&3544u16.to_be_bytes());
        g.extend_from_slice(&(8 + v6_len).to_be_bytes());
        g.extend_from_slice(&[0, 0]);
        g.extend_from_slice(v6);
        let mut h = h.to_vec();
        let orig = u32::from_le_bytes(h[12..16].try_into().unwrap());
        h[8..12].copy_from_slice(&(g.len() as u32).to_le_bytes());
        h[12..16].copy_from_slice(&(orig + 28).to_le_bytes());
        out.extend_from_slice(&h);
        out.extend_from_slice(&g);
        moved += 1;
    }
    assert!(moved > 5000, "{moved} frames moved");
    let s = Scratch::new("detect-tunnels-teredo");
    std::fs::write(s.path("t.pcap"), out).unwrap();
    let teredo = detect_json_at(&s.s("t.pcap"), &[]);
    let j = detect_json("ipv6");
    assert_eq!(alert_rows(&teredo), alert_rows(&j));
    assert_eq!(alert_rows(&j).len(), 14);
    assert_eq!(teredo["undecoded"], j["undecoded"]);
}
