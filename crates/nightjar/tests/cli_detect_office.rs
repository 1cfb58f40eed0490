//! End-to-end test of `nightjar ids detect` on a Windows-style office LAN, driving the real
//! binary with the built-in models on the committed capture `office` (`data/captures/SOURCE.md`,
//! "A Windows-style office LAN"; made by `lab/office.sh`, session 20): a file server (Samba's
//! smbd and nmbd), a directory server (slapd, an MIT KDC, dnsmasq for DNS and DHCP) and six
//! desktops that boot during the capture — DHCP from 0.0.0.0 to 255.255.255.255, NetBIOS name
//! registrations, host announcements and browser elections to the /24's broadcast address
//! (198.18.0.255), WS-Discovery and LLMNR to their groups — then browse and copy files over
//! SMB, search LDAP and get Kerberos tickets; and an attacker (198.18.0.66) that runs nmap's
//! UDP scan of the Windows ports over the /24 and hydra's SMB password guessing against the
//! file server.
//!
//! The build before the fix (main a5bc00b) missed the password guessing: hydra's smb module
//! tries one password per connection and Samba refuses it at once, so neither a slow nor a
//! repeated answer showed. The password-guessing rule now takes an SMB error response (39
//! bytes for SMB1, 77 for SMB2) that answers a session setup and after which the client
//! closes the connection at once for a refusal (`crates/ids/src/guessing.rs`, "SMB").
//!
//! Known answers from tcpdump 4.99 (an independent decoder) on the capture: 3,332 frames, 646
//! of them ARP; `'tcp dst port 445 and tcp[13]&0x12==0x02 and src host 198.18.0.66'` 51
//! SYNs from the attacker to the file server's SMB port. The test checks its own reading of
//! the frames against them.

mod common;
use common::*;

/// SYNs (without ACK) from 198.18.0.66 to TCP port 445 among the capture's IPv4 frames.
fn syns_to_smb(bytes: &[u8]) -> usize {
    count_syns_to(bytes, [198, 18, 0, 66], 445)
}

#[test]
fn an_offices_broadcasts_are_normal_and_its_attackers_are_named() {
    let bytes = std::fs::read(cap("office.pcap")).unwrap();
    assert_eq!(pcap_records(&bytes).len(), 3332);
    assert_eq!(syns_to_smb(&bytes), 51);
    let eps = episodes("office");
    assert_eq!(sorted_labels(&eps), ["other-attack", "scan-udp"]);
    for extra in [&[][..], &["--threads", "1"]] {
        let j = detect_json_with("office", extra);
        assert_eq!(j["records"], 3332);
        assert_eq!(j["arp"], 646);
        let what = format!("{extra:?}: ");
        assert_all_alerted_right(&what, &j, &eps);
        // hydra is named by the password-guessing rule
        let alerts = j["alerts"].as_array().unwrap();
        let hydra = covering(by_command(&eps, "hydra"), alerts);
        assert!(
            hydra.iter().any(|a| a["alert"]["signature"]
                .as_str()
                .unwrap()
                .contains("SMB password guessing")),
            "{what}{:?}",
            hydra.iter().map(|a| show(a)).collect::<Vec<_>>()
        );
        // no alert from or against a desktop, a server, a broadcast or a group address
        for a in alerts {
            assert_eq!(a["src_ip"], "198.18.0.66", "{what}{}", show(a));
        }
    }
}

#[test]
fn the_lans_netbios_and_dhcp_broadcasts_are_its_own_and_none_is_flagged() {
    // Before the broadcasts rule (main 2c080fd) 44 of the office's NetBIOS and DHCP broadcasts
    // were flagged: up to ten of one host's name registrations, two alerts' worth in a larger
    // office (`crates/ids/src/broadcasts.rs`).
    let s = Scratch::new("detect-office-broadcasts");
    let path = cap("office.pcap");
    let scores = s.s("s.csv");
    let o = run(&[
        "ids", "detect", "--pcap", &path, "--json", "--scores", &scores,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let j: serde_json::Value = serde_json::from_str(&String::from_utf8(o.stdout).unwrap()).unwrap();
    let cleared = j["broadcasts_cleared"].as_u64().unwrap();
    assert!((30..=60).contains(&cleared), "{cleared} broadcasts cleared");
    let csv = std::fs::read_to_string(s.path("s.csv")).unwrap();
    let broadcasts: Vec<&str> = csv
        .lines()
        .skip(1)
        .filter(|l| {
            let f: Vec<&str> = l.split(',').collect();
            f.len() == 7 && f[4] == "17" && (f[3] == "198.18.0.255" || f[3] == "255.255.255.255")
        })
        .collect();
    assert_eq!(
        broadcasts.len(),
        200,
        "NetBIOS and DHCP broadcasts in the capture"
    );
    let flagged: Vec<&&str> = broadcasts
        .iter()
        .filter(|l| !l.ends_with(",normal"))
        .collect();
    assert!(flagged.is_empty(), "{flagged:#?}");
}
