//! End-to-end test of `nightjar ids detect` on a server answering SYN floods from forged
//! sources, driving the real binary with the built-in models on the committed capture
//! `synacks` (`data/captures/SOURCE.md`, "SYN-ACKs sent again"; 42 s cut from a standard lab
//! run, `lab/run.sh --name fresh18 --seed 1818 --duration 150 --busy --attacks all`).
//!
//! Eight hping3 SYN floods forged from eight addresses of 198.19.0.0/16 (200 SYNs each) hit
//! the victim (198.18.0.10) at once; the forged sources never answer, so the victim sends its
//! SYN-ACKs again 1, 3, 7, 15 and 31 s later. At the 31 s round the floods' episodes had long
//! ended, and the victim had just sent a bare reset for a client's late data on a keep-alive
//! connection idle for more than a minute (the flow begun again by the server's FIN), which
//! the networks flagged and charged to the victim. The SYN-ACKs then went to the end with an
//! open episode — the victim — and made a false 65-packet `flood-syn` alert from it. A SYN-ACK
//! in a flow begun by a SYN is now charged to the SYN's sender (`detect.rs`, `OPENED_BY_SYN`).
//!
//! Known answers from tcpdump 4.99 (an independent decoder): 8,871 frames; `'src host
//! 198.18.0.10 and dst net 198.19.0.0/16 and tcp[13] == 0x12'` 2,050 SYN-ACKs, the last at
//! 02:55:23.005 UTC; `'src host 198.18.0.10 and dst host 198.18.0.22 and tcp[13] == 0x04'`
//! one bare reset, at 02:55:21.479 UTC.

mod common;
use common::*;

const VICTIM: [u8; 4] = [198, 18, 0, 10];

/// (SYN-ACKs the victim sent to 198.19.0.0/16, bare resets it sent) among the capture's IPv4
/// frames.
fn counts(bytes: &[u8]) -> (usize, usize) {
    let mut c = (0, 0);
    for (_, _, f) in pcap_records(bytes) {
        if f.len() < 14 + 20 + 14 || f[12..14] != [0x08, 0x00] || f[14 + 9] != 6 {
            continue;
        }
        let ip = &f[14..];
        let ihl = usize::from(ip[0] & 0x0f) * 4;
        let Some(&flags) = ip.get(ihl + 13) else {
            continue;
        };
        if ip[12..16] == VICTIM {
            c.0 += usize::from(ip[16..18] == [198, 19] && flags == 0x12);
            c.1 += usize::from(flags == 0x04);
        }
    }
    c
}

#[test]
fn a_servers_syn_acks_sent_again_to_forged_sources_make_no_alert_of_the_server() {
    let bytes = std::fs::read(cap("synacks.pcap")).unwrap();
    assert_eq!(pcap_records(&bytes).len(), 8_871);
    assert_eq!(counts(&bytes), (2_050, 1));
    let eps = episodes("synacks");
    assert_eq!(eps.len(), 10);
    let j = detect_json("synacks");
    assert_all_alerted_right("synacks: ", &j, &eps);
    let rows = alert_rows(&j);
    assert!(
        rows.iter().all(|r| r.0 != "198.18.0.10"),
        "an alert from the victim: {rows:?}"
    );
    // the eight floods are alerted each from its forged source, with its SYN-ACKs
    let floods: Vec<_> = rows
        .iter()
        .filter(|r| r.0.starts_with("198.19.") && r.2 == "flood-syn")
        .collect();
    assert_eq!(floods.len(), 8, "{rows:?}");
    assert!(floods.iter().all(|r| r.3 >= 400), "{floods:?}");
}
