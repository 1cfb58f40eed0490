//! End-to-end test of `nightjar ids detect` on reflection and amplification floods captured on
//! the reflectors' side, driving the real binary with the built-in models on the committed
//! capture `amplify` (`data/captures/SOURCE.md`, "Reflection and amplification floods on the
//! reflectors' side"; made by `lab/amplify.sh`): 20 reflectors (one namespace, 198.18.1.1–20:
//! dnsmasq, snmpd and `lab/amplifiers.py`) and eight vectors one after another, 150 forged
//! requests each at 150 a second from the victim's address (a new random port each) — DNS ANY,
//! NTP monlist, SNMP GetBulk, CLDAP, NetBIOS, portmap, chargen, memcached —, among the
//! victim's own exchanges with the same services (a resolver, an NTP monitor, an SNMP manager,
//! an SSDP control point, a PXE client, DC locator pings). On this link the forged questions
//! pass too: the victim seems to ask every reflector itself.
//!
//! The build before the fix (main 91bccf9) alerted 2 of the 8 floods (1 named right) and took
//! the victim for the attacker four times (`other-attack`, `scan-udp`: its forged questions).
//! The reflection rule now counts the victim's port unreachables about the services' answers,
//! per service host, and while they come at a flood's pace takes the answers for unasked and
//! the questions for the flood's (`crates/ids/src/reflection.rs`, "Answers refused at a
//! flood's pace"). One false alert is left: the first forged NTP monlist questions' answers
//! (ten each) before the victim's refusals reach the pace, 60 packets charged to the victim
//! (`other-attack`); the test pins it.
//!
//! Known answers from tcpdump 4.99 (an independent decoder) on the capture: 15,058 frames, 124
//! of them ARP; `'icmp and src host 198.18.0.10'` 1,036; `'udp and src host 198.18.0.10 and dst
//! port 123 and udp[8]=0x17'` 150 (the forged monlist requests). The test checks its own
//! reading of the frames against them.

mod common;
use common::*;
use serde_json::Value;

#[test]
fn reflected_floods_seen_with_their_forged_questions_are_the_reflectors() {
    let bytes = std::fs::read(cap("amplify.pcap")).unwrap();
    assert_eq!(pcap_records(&bytes).len(), 15058);
    let icmp = count_ipv4(&bytes, |ip, _| {
        ip.get(9) == Some(&1) && ip.get(12..16) == Some(&[198, 18, 0, 10][..])
    });
    assert_eq!(icmp, 1036);
    let monlist = count_ipv4(&bytes, |ip, ihl| {
        ip.get(9) == Some(&17)
            && ip.get(12..16) == Some(&[198, 18, 0, 10][..])
            && ip.get(ihl + 2..ihl + 4) == Some(&123u16.to_be_bytes()[..])
            && ip.get(ihl + 8) == Some(&0x17)
    });
    assert_eq!(monlist, 150);
    let eps = episodes("amplify");
    let mut attacks: Vec<(&str, Vec<&Value>)> = Vec::new();
    for e in &eps {
        let c = e["command"].as_str().unwrap();
        match attacks.iter_mut().find(|(k, _)| *k == c) {
            Some((_, v)) => v.push(e),
            None => attacks.push((c, vec![e])),
        }
    }
    assert_eq!(attacks.len(), 8);
    for extra in [&[][..], &["--threads", "1"]] {
        let j = detect_json_with("amplify", extra);
        assert_eq!(j["records"], 15058);
        assert_eq!(j["arp"], 124);
        let alerts = j["alerts"].as_array().unwrap();
        let mut used = vec![false; alerts.len()];
        for (cmd, eps) in &attacks {
            let cov = covering_attack(eps, alerts);
            let names: Vec<&str> = cov
                .iter()
                .map(|a| a["nightjar"]["label"].as_str().unwrap())
                .collect();
            eprintln!("{extra:?} {cmd}: {names:?}");
            assert!(names.contains(&"flood-udp"), "{extra:?} {cmd}: {names:?}");
            // every alert of a reflector names the flood
            for a in &cov {
                assert_eq!(
                    a["nightjar"]["label"],
                    "flood-udp",
                    "{extra:?} {cmd}: {}",
                    show(a)
                );
                let i = alerts.iter().position(|b| std::ptr::eq(b, *a)).unwrap();
                used[i] = true;
            }
        }
        let false_alerts: Vec<&Value> = alerts
            .iter()
            .zip(&used)
            .filter(|(_, u)| !**u)
            .map(|(a, _)| a)
            .collect();
        // the one left: the first monlist answers, before the victim's refusals reach the pace
        assert!(
            false_alerts.len() <= 1,
            "{extra:?}: {:#?}",
            false_alerts.iter().map(|a| show(a)).collect::<Vec<_>>()
        );
        for a in false_alerts {
            assert_eq!(a["src_ip"], "198.18.0.10", "{extra:?}: {}", show(a));
            assert!(
                a["nightjar"]["packets"].as_u64().unwrap() <= 80,
                "{}",
                show(a)
            );
        }
        assert!(
            j["flagged_by_reflection_rule"].as_u64().unwrap() > 2000,
            "{extra:?}"
        );
    }
}
