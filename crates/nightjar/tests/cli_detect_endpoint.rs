//! End-to-end test of `nightjar ids detect` on a capture made on the attacked server itself, the
//! way captures are often published: the committed capture `endpoint` (`data/captures/SOURCE.md`,
//! "A capture made on the victim"; made by `lab/endpoint.sh`), `tcpdump -i e1` inside the
//! victim's namespace with the veth's offloads on (TX checksum, TSO, GSO, GRO), then filtered
//! to `dst host 198.18.0.10` (what `tcpdump -i eth0 'dst host VICTIM'` on the server writes:
//! one direction) and cut to 96 bytes a frame. Incoming bulk data is merged by GRO into
//! super-segments of up to 64 KB (2,253 frames of more than 1,500 bytes of IP packet) and the
//! TCP checksums are left for the NIC to check (1,643 "incorrect" in tcpdump `-vv` before the
//! cut). Eight attacks from 198.18.0.66: nmap `-sS`, `-sT`, `-sF`, `-sX`, `-sN`, `-sA`, `-sU`
//! (`-T4 --top-ports 40`) and an hping3 SYN flood, beside a client's page loads, 4 MB
//! downloads and 2 MB uploads and the attacker's own 3 MB upload.
//!
//! The build before the fix (main b2a240c) named the UDP scan `flood-udp`: seen without the
//! victim's refusals, nmap resends each probe up to 7 times (`-T4`), from the next of 7 source
//! ports, and 8.0 datagrams a port made it a flood by repetition. A scan's resends from as
//! many source ports as tries, none of them a service's, are now a scan
//! (`crates/ids/src/profile.rs`, `Rule::ResentProbes`).
//!
//! Known answers from tcpdump 4.99 (an independent decoder) on the capture: 11,710 frames, 10
//! of them ARP; 275 UDP datagrams from 198.18.0.66; 3,602 TCP segments with SYN from it;
//! `'ip[2:2] > 1500'` 2,253; `'src host 198.18.0.10'` none. The test checks its own reading of
//! the frames against them.

mod common;
use common::*;

const ATTACKER: [u8; 4] = [198, 18, 0, 66];
const VICTIM: [u8; 4] = [198, 18, 0, 10];

#[test]
fn a_capture_on_the_victim_of_one_direction_names_every_attack() {
    let bytes = std::fs::read(cap("endpoint.pcap")).unwrap();
    assert_eq!(pcap_records(&bytes).len(), 11_710);
    let udp_from_attacker = count_ipv4(&bytes, |ip, _| {
        ip.get(9) == Some(&17) && ip.get(12..16) == Some(&ATTACKER[..])
    });
    assert_eq!(udp_from_attacker, 275);
    assert_eq!(count_tcp_from(&bytes, ATTACKER, |fl| fl & 0x02 != 0), 3_602);
    // GRO's super-segments: IP total lengths past any Ethernet MTU
    let merged = count_ipv4(&bytes, |ip, _| {
        ip.get(2..4)
            .is_some_and(|l| u16::from_be_bytes([l[0], l[1]]) > 1500)
    });
    assert_eq!(merged, 2_253);
    assert_eq!(
        count_ipv4(&bytes, |ip, _| ip.get(12..16) == Some(&VICTIM[..])),
        0
    );
    let eps = episodes("endpoint");
    assert_eq!(eps.len(), 8);
    for extra in [&[][..], &["--threads", "1"]] {
        let j = detect_json_with("endpoint", extra);
        assert_eq!(j["records"], 11_710);
        assert_eq!(j["arp"], 10);
        assert_eq!(j["undecoded"], 0);
        // a 64 KB super-segment is no fragment, oversize or otherwise
        assert_eq!(j["oversize_fragments"], 0);
        assert_eq!(j["overlapping_fragments"], 0);
        assert_all_alerted_right(&format!("{extra:?}: "), &j, &eps);
        let udp = by_command(&eps, "-sU");
        let rules: Vec<&str> = covering(udp, j["alerts"].as_array().unwrap())
            .iter()
            .filter(|a| a["nightjar"]["label"] == "scan-udp")
            .map(|a| a["nightjar"]["profile"]["rule"].as_str().unwrap())
            .collect();
        assert_eq!(rules, ["resent-probes"], "{extra:?}");
    }
}
