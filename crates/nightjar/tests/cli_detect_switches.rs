//! End-to-end test of `nightjar ids detect` on one attacker switching attacks against one
//! victim back to back, driving the real binary with the built-in models on the committed
//! capture `switches` (`data/captures/SOURCE.md`, "One attacker switching attacks back to
//! back"; made by `lab/switches.sh` with `lab/switches.attacks`, session 24, helper h2): on one
//! bridge, the attacker 198.18.0.66 runs pairs of attacks against the victim .10 0-2 s apart
//! (an ICMP flood then a Maimon scan; a SYN flood of port 80, a FIN scan, an ICMP flood and a
//! Maimon scan in a chain; a UDP flood then a SYN scan; an Xmas scan then a SYN flood of port
//! 22; a 20-port SYN scan then a 400-port NULL scan), 8 s between the groups, beside a normal
//! client .20 (HTTP, echo, SSH-like banners, pings, NTP-like).
//!
//! DESIGN §12: one alert per attacking source per episode, each attack its own episode with its
//! own class. At the base (c2903ca) the second Maimon scan had no alert: the SYN flood of an
//! open port three attacks before drew 800 SYN-ACKs, which the attacker's kernel refused with
//! bare resets; each was counted as a connection owed a close (`Shift::open`, there so that a
//! connection flood closing thousands of connections at once is no Maimon scan), so the next
//! 800 FIN+ACKs from the source, the Maimon scan's probes, were taken for closes, no probes:
//! no change of attack, and the ICMP flood's alert ran on over the scan. A bare reset from the
//! source now settles the close a SYN-ACK was owed.
//!
//! Known answers from tcpdump 4.99 (an independent decoder) on the capture: 12,244 frames, 22 of
//! them ARP; `'ip and src host 198.18.0.66'` 7,139 packets; `'... and tcp[13]&0x3f==0x11'` 401
//! FIN+ACKs (the two Maimon scans' probes), `'... and tcp[13]&0x3f==0x04'` 1,606 bare resets,
//! `'dst host 198.18.0.66 and tcp[13]&0x3f==0x12'` 1,606 SYN-ACKs. The test checks its own
//! reading of the frames against them.

mod common;
use common::*;
use serde_json::Value;

const ATT: [u8; 4] = [198, 18, 0, 66];

/// The episode (index into `eps`) of the alert's source holding most of the alert's span (an
/// alert of no duration: one holding its start), or the nearest within 1 s: with attacks 0-2 s
/// apart [`covering`] credits an attack with its neighbours' alerts too (as
/// `lab/ownalerts.py`).
fn owner(a: &Value, eps: &[Value]) -> Option<usize> {
    let t0 = secs(a["nightjar"]["first_seen"].as_str().unwrap());
    let t1 = secs(a["nightjar"]["last_seen"].as_str().unwrap());
    let mut best: Option<(usize, f64)> = None;
    for (i, e) in eps.iter().enumerate() {
        if a["src_ip"] != e["src"] {
            continue;
        }
        let (s, f) = (e["start"].as_f64().unwrap(), e["end"].as_f64().unwrap());
        let mut ov = t1.min(f) - t0.max(s);
        if ov < 0.0 {
            if -ov > 1.0 {
                continue;
            }
            ov -= 1.0;
        } else if t1 == t0 {
            ov = 0.0;
        }
        if best.is_none_or(|(_, b)| ov > b) {
            best = Some((i, ov));
        }
    }
    best.map(|(i, _)| i)
}

#[test]
fn attacks_switched_back_to_back_are_alerted_one_each_with_their_own_class() {
    let bytes = std::fs::read(cap("switches.pcap")).unwrap();
    assert_eq!(pcap_records(&bytes).len(), 12244);
    assert_eq!(
        count_ipv4(&bytes, |ip, _| ip.get(12..16) == Some(&ATT[..])),
        7139
    );
    assert_eq!(count_tcp_from(&bytes, ATT, |f| f & 0x3f == 0x11), 401);
    assert_eq!(count_tcp_from(&bytes, ATT, |f| f & 0x3f == 0x04), 1606);
    let syn_acks = count_ipv4(&bytes, |ip, ihl| {
        ip.get(9) == Some(&6)
            && ip.get(16..20) == Some(&ATT[..])
            && ip.get(ihl + 13).is_some_and(|&f| f & 0x3f == 0x12)
    });
    assert_eq!(syn_acks, 1606);
    let mut eps = episodes("switches");
    eps.sort_by(|a, b| {
        a["start"]
            .as_f64()
            .unwrap()
            .total_cmp(&b["start"].as_f64().unwrap())
    });
    assert_eq!(eps.len(), 12);
    for extra in [&[][..], &["--threads", "1"]] {
        let j = detect_json_with("switches", extra);
        assert_eq!(j["records"], 12244);
        assert_eq!(j["arp"], 22);
        assert_all_alerted_right(&format!("{extra:?} "), &j, &eps);
        let alerts = j["alerts"].as_array().unwrap();
        // one alert per attack, the attack's own, of its class
        assert_eq!(alerts.len(), 12, "{extra:?}");
        let mut own = vec![Vec::new(); eps.len()];
        for a in alerts {
            assert_eq!(a["src_ip"], "198.18.0.66", "{extra:?}: {}", show(a));
            let i = owner(a, &eps).unwrap_or_else(|| panic!("{extra:?}: {}", show(a)));
            own[i].push(a["nightjar"]["label"].as_str().unwrap());
        }
        for (e, got) in eps.iter().zip(&own) {
            assert_eq!(
                got,
                &[e["label"].as_str().unwrap()],
                "{extra:?} {} after {} s",
                e["command"],
                e["pause"]
            );
        }
        // every attack after the first of its group began as a change of probe kind
        assert_eq!(
            (j["attack_changes"].as_u64(), j["preambles"].as_u64()),
            (Some(7), Some(0)),
            "{extra:?}"
        );
    }
}
