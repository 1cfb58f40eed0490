//! End-to-end test of `nightjar ids detect` on infrastructure servers doing their normal work
//! beside attacks, driving the real binary with the built-in models on the committed capture
//! `infra` (`data/captures/SOURCE.md`, "Infrastructure servers as normal traffic"; made by
//! `lab/infra.sh` with `lab/infra.attacks`, session 21, helper h1). On one LAN: a recursive
//! resolver (unbound 1.17, iterative over 20 stub zones whose 43 authoritative servers include
//! dead ones: ICMP port unreachable or silence; TCP fallback for truncated answers) and its
//! stub-resolver clients, a mail relay delivering its queue to 16 MX hosts (some refuse, some
//! are silent: SYN retries, then the next MX; the queue flushed in bursts), an NTP server
//! (chronyd) polling twelve upstream servers, four of them dead, and a crawler fetching over
//! HTTP and HTTPS from 58 origins (57 reached in this capture), some closed or silent; an
//! attacker runs `nmap -sS`, `-sU` (40 ports), `-sT` and an hping3 SYN flood against a LAN
//! server. (This run's NTP clients shared the server's address and asked themselves: the
//! capture holds the server's polling, not its clients; see SOURCE.md.)
//!
//! The build before the fix (main 0fecb20) alerted one stub-resolver client as a UDP flood of
//! the resolver: 32 lookups sent at once from one socket (198.18.0.23 port 42116), each
//! answered within 5 ms, 18 of them flagged. A UDP "flood" of fewer than 250 flagged
//! datagrams, half of them questions on one conversation its victim answered, is now a burst
//! of questions (`crates/ids/src/detect.rs`, `SrcEp::burst_of_questions`): no alert.
//!
//! Known answers from tcpdump 4.99 (an independent decoder) on the capture: 19,080 frames, 157
//! of them ARP; `'src 198.18.0.23 and src port 42116 and dst port 53'` the burst's 32 queries;
//! `'src 198.18.0.25 and tcp[13]&0x12==0x02'` the relay's 253 SYNs (84 to silent MX hosts,
//! `and dst net 198.18.20.192/26`). The test checks its own reading of the frames against them.

mod common;
use common::*;

const CLIENT: [u8; 4] = [198, 18, 0, 23];
const RELAY: [u8; 4] = [198, 18, 0, 25];

/// UDP datagrams from the stub-resolver client's port 42116 to port 53.
fn burst_queries(bytes: &[u8]) -> usize {
    count_ipv4(bytes, |ip, ihl| {
        ip.get(9) == Some(&17)
            && ip.get(12..16) == Some(&CLIENT[..])
            && ip.get(ihl..ihl + 2) == Some(&42116u16.to_be_bytes()[..])
            && ip.get(ihl + 2..ihl + 4) == Some(&53u16.to_be_bytes()[..])
    })
}

#[test]
fn infrastructure_servers_raise_no_alert_and_the_attacks_beside_them_are_alerted() {
    let bytes = std::fs::read(cap("infra.pcap")).unwrap();
    assert_eq!(pcap_records(&bytes).len(), 19080);
    assert_eq!(burst_queries(&bytes), 32);
    assert_eq!(count_tcp_from(&bytes, RELAY, |fl| fl & 0x12 == 0x02), 253);
    let eps = episodes("infra");
    assert_eq!(
        sorted_labels(&eps),
        ["flood-syn", "scan-connect", "scan-syn", "scan-udp"]
    );
    for extra in [&[][..], &["--threads", "1"]] {
        let j = detect_json_with("infra", extra);
        assert_eq!(j["records"], 19080);
        assert_eq!(j["arp"], 157);
        let what = format!("{extra:?} ");
        // every attack alerted with its class, and no alert about the servers or their
        // clients (the base: a "UDP flood" of the resolver by the client's burst of lookups)
        assert_all_alerted_right(&what, &j, &eps);
        assert_eq!(j["alerts"].as_array().unwrap().len(), 4, "{what}");
        assert_eq!(j["question_bursts"], 1, "{what}");
    }
}
