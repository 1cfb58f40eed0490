//! End-to-end test of `nightjar ids detect` on floods from many real hosts, driving the real
//! binary with the built-in models on the committed capture `botnet` (`data/captures/SOURCE.md`,
//! "Floods from a botnet, and a flash crowd"; made by `lab/botnet.sh`): 40 bots
//! (198.18.0.100-139), each from its own address, first loading 3-5 pages of the victim's web
//! server with 1-4 s between them, all starting within 1.5 s (a flash crowd: normal), then three
//! attacks, all bots at once: hping3 `-S -p 80` at 2 a second for 12 s, hping3 `--icmp` at 10 a
//! second for 5 s and at 2 a second for 12 s. Three normal clients browse, ping and query the
//! victim throughout.
//!
//! The build before the fix (main a5bc00b) named the SYN flood `other-attack` (a victim alert:
//! the networks flagged each bot's kernel's resets to the victim's SYN-ACKs and passed most
//! SYNs, and the resets, with no flagged SYN-ACK beside them, made a reset flood), and raised
//! nothing for either ICMP flood (every bot pings at a ping's pace, answered, and the echoes
//! rule cleared them all). The victim's passed SYN-ACKs now count against the resets
//! (`Profile::answered_syns`), and a responder pinged at a ping's pace by many requesters at
//! once is no longer cleared (`crates/ids/src/echoes.rs`, `CROWD`).
//!
//! Known answers from tcpdump 4.99 (an independent decoder) on the capture: 14,124 frames, 364
//! of them ARP; `'tcp dst port 80 and tcp[13]&0x12==0x02 and ip[15] >= 100 and
//! tcp[12]&0xf0==0x50'` 960 SYNs without options from the bots (hping3's; the flash crowd's
//! curl sent 159 more, with options); `'icmp[0]==8 and ip[15]>=100'` 2,960 echo requests from
//! the bots. The test checks its own reading of the frames against them.

mod common;
use common::*;
use serde_json::Value;

/// The IPv4 packets of the capture's frames (Ethernet, EtherType IPv4).
fn ipv4(bytes: &[u8]) -> Vec<&[u8]> {
    pcap_records(bytes)
        .into_iter()
        .filter_map(|(_, _, f)| {
            f.get(14..)
                .filter(|_| f.get(12..14) == Some(&[0x08, 0x00][..]))
        })
        .collect()
}

/// Whether the packet's source is a bot (198.18.0.100 and up).
fn from_bot(ip: &[u8]) -> bool {
    ip.get(12..15) == Some(&[198, 18, 0][..]) && ip.get(15).is_some_and(|&b| b >= 100)
}

/// SYNs (without ACK) to TCP port 80 from the bots with a bare 20-byte TCP header (hping3's).
fn bare_syns(bytes: &[u8]) -> usize {
    ipv4(bytes)
        .iter()
        .filter(|ip| {
            let ihl = usize::from(ip.first().copied().unwrap_or(0) & 0x0f) * 4;
            from_bot(ip)
                && ip.get(9) == Some(&6)
                && ip.get(ihl + 2..ihl + 4) == Some(&80u16.to_be_bytes()[..])
                && ip.get(ihl + 13).is_some_and(|fl| fl & 0x12 == 0x02)
                && ip.get(ihl + 12).is_some_and(|o| o & 0xf0 == 0x50)
        })
        .count()
}

/// ICMP echo requests from the bots.
fn echo_requests(bytes: &[u8]) -> usize {
    ipv4(bytes)
        .iter()
        .filter(|ip| {
            let ihl = usize::from(ip.first().copied().unwrap_or(0) & 0x0f) * 4;
            from_bot(ip) && ip.get(9) == Some(&1) && ip.get(ihl) == Some(&8)
        })
        .count()
}

/// Whether alert `a` covers the attack made of episodes `eps` (one command, one episode per
/// bot), as `lab/episodes.py` counts it: a source alert from one of its bots within 1 s of
/// that bot's episode, or a victim alert within 1 s of the attack's span.
fn covers(a: &Value, eps: &[&Value]) -> bool {
    let n = &a["nightjar"];
    let (t0, t1) = (
        secs(n["first_seen"].as_str().unwrap()),
        secs(n["last_seen"].as_str().unwrap()),
    );
    let span = |e: &Value| (e["start"].as_f64().unwrap(), e["end"].as_f64().unwrap());
    if n["scope"] == "source" {
        eps.iter().any(|e| {
            let (s, x) = span(e);
            a["src_ip"] == e["src"] && t0 <= x + 1.0 && t1 >= s - 1.0
        })
    } else {
        let s = eps.iter().map(|e| span(e).0).fold(f64::INFINITY, f64::min);
        let x = eps
            .iter()
            .map(|e| span(e).1)
            .fold(f64::NEG_INFINITY, f64::max);
        t0 <= x + 1.0 && t1 >= s - 1.0
    }
}

#[test]
fn a_botnets_floods_are_alerted_and_named_and_the_flash_crowd_is_not() {
    let bytes = std::fs::read(cap("botnet.pcap")).unwrap();
    assert_eq!(pcap_records(&bytes).len(), 14124);
    assert_eq!(bare_syns(&bytes), 960);
    assert_eq!(echo_requests(&bytes), 2960);
    let eps = episodes("botnet");
    assert_eq!(eps.len(), 3 * 40);
    // the attacks: one command each, 40 bots
    let mut attacks: Vec<(&str, Vec<&Value>)> = Vec::new();
    for e in &eps {
        let cmd = e["command"].as_str().unwrap();
        match attacks.iter_mut().find(|(c, _)| *c == cmd) {
            Some((_, v)) => v.push(e),
            None => attacks.push((cmd, vec![e])),
        }
    }
    assert_eq!(attacks.len(), 3);
    for extra in [&[][..], &["--threads", "1"]] {
        let j = detect_json_with("botnet", extra);
        assert_eq!(j["records"], 14124);
        assert_eq!(j["arp"], 364);
        let alerts = j["alerts"].as_array().unwrap();
        for (cmd, members) in &attacks {
            assert_eq!(members.len(), 40, "{cmd}");
            let label = members[0]["label"].as_str().unwrap();
            let named: Vec<&str> = alerts
                .iter()
                .filter(|a| covers(a, members))
                .map(|a| a["nightjar"]["label"].as_str().unwrap())
                .collect();
            eprintln!("{extra:?} {label} {cmd}: alerted as {named:?}");
            assert!(
                named.contains(&label),
                "{extra:?}: {cmd}: {label} named {named:?}"
            );
        }
        // nothing else: the flash crowd and the normal clients raise no alert
        let false_alerts: Vec<String> = alerts
            .iter()
            .filter(|a| !attacks.iter().any(|(_, m)| covers(a, m)))
            .map(show)
            .collect();
        assert!(false_alerts.is_empty(), "{extra:?}: {false_alerts:#?}");
        // the ICMP floods' requests and replies, each bot's at a ping's pace, left to the
        // networks because the victim was crowded
        assert!(j["echoes_crowded"].as_u64().unwrap() > 1000, "{extra:?}");
    }
}
