//! End-to-end test of `nightjar ids detect` on peer-to-peer traffic, driving the real binary
//! with the built-in models on `p2p` (`lab/p2p.sh`, `data/captures/SOURCE.md`): a BitTorrent
//! swarm on one bridge — a tracker (opentracker, HTTP), a DHT node that also names stale
//! nodes in a routed, silent /17, three seeds and nine leechers (libtorrent with the mainline
//! DHT and uTP, two aria2c), peers joining and leaving, some behind a "NAT" that drops every
//! inbound connection and datagram, one fetching by magnet link from the DHT only. Its normal
//! traffic has the shape of a scan: each peer talks to every other on a random high port, by
//! UDP (DHT queries, uTP) and TCP, many attempts unanswered or refused. Two of the peers also
//! attack, their swarm clients running all along: nmap `-sS` (top 100 ports) and a UDP flood
//! (hping3, 1,500 datagrams to a closed port) from .105; nmap `-sF` and `-sX` (ports 1-200)
//! from .109.
//!
//! The session's base (main 292ed02) alerted the four attacks right and raised one false alert:
//! the aria2c peer .106 as a connect scanner of .109, 18 flagged packets, 13 of them the
//! BitTorrent handshake and messages of the one connection it opened, named by the SYNs it
//! sent again and again to two peers behind NAT (`crates/ids/src/detect.rs`,
//! `scan_of_sessions`). In the larger runs of session 19 (BENCHMARKS.md, "Generalisation")
//! the base also alerted peers that left the swarm, by the port unreachables their kernels
//! sent back for the uTP datagrams still arriving (`crates/ids/src/conversation.rs`, "Ends
//! that went away"); in this capture such refusals were too few for an alert, but the base
//! flagged 16 of its 33 ICMP packets between peers, and the test holds that they are normal.
//!
//! Known answers read with tcpdump 4.99 (an independent decoder): `tcpdump -nr p2p.pcap | wc
//! -l` 11,051 frames, `... arp` 557; `... 'icmp[0]=3 and icmp[1]=3'` 60 port unreachables;
//! `... 'udp and host 198.18.0.5 and port 6881'` 92 datagrams of the DHT node;
//! `... 'dst net 198.18.128.0/17'` 201 datagrams to stale DHT nodes; `... 'tcp and host
//! 198.18.0.5 and port 6969'` 212 segments of tracker announces; `... 'src host 198.18.0.106
//! and tcp[13]=2'` 21 SYNs from the aria2c peer.

mod common;
use common::*;

#[test]
fn a_swarm_raises_no_alert_and_the_attacks_of_two_of_its_peers_are_named_right() {
    let j = detect_json("p2p");
    assert_eq!(j["records"], 11051);
    assert_eq!(j["arp"], 557);
    assert_eq!(j["undecoded"], 0);
    let eps = episodes("p2p");
    assert_eq!(
        sorted_labels(&eps),
        ["flood-udp", "scan-fin", "scan-syn", "scan-xmas"]
    );
    assert_apart("p2p", &eps, 2.0);
    let alerts = j["alerts"].as_array().unwrap();
    for e in &eps {
        assert_named_right("p2p: ", e, alerts);
    }
    // one alert per attack, and nothing of the swarm
    assert_eq!(
        alerts.len(),
        4,
        "{:?}",
        alerts.iter().map(show).collect::<Vec<_>>()
    );
    assert_no_false_alert("p2p: ", alerts, &eps);
    // the aria2c peer's "connect scan": dropped for its established segments, once
    assert_eq!(j["scans_of_sessions"], 1, "{j}");
    // the swarm's two-way UDP (uTP, DHT exchanges) cleared of the networks' flags
    assert!(j["two_way_cleared"].as_u64().unwrap() > 1000, "{j}");
}

#[test]
fn the_port_unreachables_of_peers_that_went_away_are_normal() {
    // every ICMP packet between peers of the swarm (none from or to an attacker): 33 port
    // unreachables, from the peers that left, the NAT'd peer's kernel and the seeds, for uTP
    // and DHT datagrams of conversations that had been two-way; the base flagged 16 of them
    // (`scan-udp`)
    let o = run(&[
        "ids",
        "detect",
        "--pcap",
        &cap("p2p.pcap"),
        "--scores",
        "/dev/stdout",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let csv = String::from_utf8(o.stdout).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("index,ts,src,dst,proto,score,verdict"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 11051);
    let attackers = ["198.18.0.105", "198.18.0.109"];
    let swarm_icmp: Vec<&Vec<&str>> = rows
        .iter()
        .filter(|r| r[4] == "1" && !attackers.contains(&r[2]) && !attackers.contains(&r[3]))
        .collect();
    assert_eq!(swarm_icmp.len(), 33);
    let flagged: Vec<_> = swarm_icmp.iter().filter(|r| r[6] != "normal").collect();
    assert!(flagged.is_empty(), "{flagged:?}");
}
