//! End-to-end tests of `nightjar ids detect` on captures that saw each packet more than once
//! (`crates/ids/src/copies.rs`), driving the real binary with the built-in models.
//!
//! Such captures are made by `tcpdump -i any` on a host that bridges or routes the traffic:
//! container to container on one Docker bridge, a packet is seen on the sender's veth, on the
//! bridge and on the receiver's veth, byte for byte the same, microseconds apart; a routed
//! packet is seen arriving and leaving, its TTL one less (and so its IP header checksum).
//! The tests make both kinds from committed lab captures, record by record:
//!
//! * *bridged, three sights:* every record written three times, 3 µs apart;
//! * *routed, two sights:* every record twice, the second 5 µs later with its IPv4 TTL one
//!   less and its header checksum updated as a router does (RFC 1624 incremental update).
//!
//! Counted as they came, before: `backtoback` tripled had 3 of its 12 attacks named wrong,
//! `floods` tripled a false alert (a client's pings as an ICMP flood), `randomports` doubled 2
//! of 7 named wrong and tripled a false alert.

mod common;
use common::*;
use serde_json::{json, Value};

/// A record header `us` microseconds later.
fn later(h: &[u8], us: u32) -> Vec<u8> {
    let mut h = h.to_vec();
    let mut s = u32::from_le_bytes(h[0..4].try_into().unwrap());
    let mut u = u32::from_le_bytes(h[4..8].try_into().unwrap()) + us;
    if u >= 1_000_000 {
        u -= 1_000_000;
        s += 1;
    }
    h[0..4].copy_from_slice(&s.to_le_bytes());
    h[4..8].copy_from_slice(&u.to_le_bytes());
    h
}

/// An Ethernet frame forwarded by a router: its IPv4 TTL one less and the header checksum
/// updated (RFC 1624 eqn. 3); other frames as they are.
fn routed(frame: &[u8]) -> Vec<u8> {
    let mut f = frame.to_vec();
    if f.len() >= 34 && f[12..14] == [0x08, 0x00] && f[22] > 1 {
        let old = u16::from_be_bytes([f[22], f[23]]);
        f[22] -= 1;
        let new = u16::from_be_bytes([f[22], f[23]]);
        let hc = u16::from_be_bytes([f[24], f[25]]);
        // HC' = ~(~HC + ~m + m')
        let mut sum = u32::from(!hc) + u32::from(!old) + u32::from(new);
        while sum > 0xffff {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        f[24..26].copy_from_slice(&(!(sum as u16)).to_be_bytes());
    }
    f
}

/// `NAME.pcap` with every record seen `sights` times, `us` microseconds apart, each sight
/// after the first passed through `forward`.
fn seen_more(name: &str, sights: u32, us: u32, forward: fn(&[u8]) -> Vec<u8>) -> Vec<u8> {
    let bytes = std::fs::read(cap(&format!("{name}.pcap"))).unwrap();
    let mut out = bytes[..24].to_vec();
    for (_, h, frame) in pcap_records(&bytes) {
        out.extend_from_slice(h);
        out.extend_from_slice(frame);
        for k in 1..sights {
            out.extend_from_slice(&later(h, k * us));
            out.extend_from_slice(&forward(frame));
        }
    }
    out
}

fn check(name: &str, sights: u32, us: u32, forward: fn(&[u8]) -> Vec<u8>) {
    let s = Scratch::new(&format!("detect-copies-{name}-{sights}"));
    std::fs::write(s.path("c.pcap"), seen_more(name, sights, us, forward)).unwrap();
    let path = s.s("c.pcap");
    let once = detect_json(name);
    let eps = episodes(name);
    for extra in [&[][..], &["--threads", "1"]] {
        let j = detect_json_at(&path, extra);
        let what = format!("{name} seen {sights} times {extra:?}: ");
        assert_all_alerted_right(&what, &j, &eps);
        // every packet counted; the copies found once the capture has shown that it sees
        // packets more than once (within its first few dozen packets: the copies before that
        // are packets of their own), but those of packets sent again and
        // again (`floods` holds fragment floods that repeat one fragment, Identification and
        // all, a millisecond apart: their copies are not told from their repetitions)
        let packets = once["packets"].as_u64().unwrap();
        assert_eq!(j["packets"], packets * u64::from(sights), "{what}");
        let all = packets * u64::from(sights - 1);
        let copies = j["copies"].as_u64().unwrap();
        assert!(
            copies <= all && copies >= all - all / 20,
            "{what}{copies} copies of {all}"
        );
        assert_eq!(j["undecoded"], once["undecoded"], "{what}");
    }
    assert_eq!(once["copies"], 0, "{name} alone has no copies");
}

#[test]
fn a_capture_that_saw_every_packet_three_times_on_a_bridge_is_detected_as_once() {
    check("backtoback", 3, 3, |f| f.to_vec());
    check("floods", 3, 3, |f| f.to_vec());
}

#[test]
fn a_capture_that_saw_every_packet_arrive_and_leave_a_router_is_detected_as_once() {
    check("randomports", 2, 5, routed);
}

/// The (source, class) of each alert, and its first and last seen, in order.
fn alert_spans(j: &Value) -> Vec<(String, String, f64, f64)> {
    alert_rows(j)
        .into_iter()
        .map(|(src, _, class, _, first, last)| (src, class, first, last))
        .collect()
}

#[test]
fn a_real_tcpdump_any_capture_is_detected_as_the_bridges_own_capture_of_the_run() {
    // `lab/anycapture.sh` (data/captures/SOURCE.md, "A capture of every interface"): one run
    // captured at once with `tcpdump -i any` in the bridge's namespace (each frame on its
    // ingress port, its egress port and the promiscuous bridge, Linux cooked frames, some
    // sights stamped a few microseconds before the one written ahead of them) and with
    // `tcpdump -i br0` (each frame once). tcpdump 4.99 counts 20,008 and 6,668 frames, of which
    // 19,974 and 6,658 IPv4 packets (`tcpdump -r F ip | wc -l`): every packet three times.
    let eps = episodes("anycopies");
    let any = detect_json("anycopies");
    let once = detect_json_at(&cap("anycopies.br.pcap"), &[]);
    assert_eq!(
        (&any["records"], &once["records"]),
        (&json!(20_008), &json!(6_668))
    );
    assert_eq!(
        (&any["packets"], &once["packets"]),
        (&json!(19_974), &json!(6_658))
    );
    for (what, j) in [("-i any: ", &any), ("-i br0: ", &once)] {
        assert_all_alerted_right(what, j, &eps);
    }
    // the copies found: all but those before the capture showed that it sees packets more
    // than once (its first few dozen packets)
    let copies = any["copies"].as_u64().unwrap();
    assert!((13_316 - 30..=13_316).contains(&copies), "{copies}");
    assert_eq!(once["copies"], 0);
    // the same alerts, each within 10 ms of the other's span
    let (a, b) = (alert_spans(&any), alert_spans(&once));
    assert_eq!(a.len(), b.len(), "{a:?}\n{b:?}");
    for (x, y) in a.iter().zip(&b) {
        assert_eq!((&x.0, &x.1), (&y.0, &y.1), "{a:?}\n{b:?}");
        assert!(
            (x.2 - y.2).abs() < 0.01 && (x.3 - y.3).abs() < 0.01,
            "{x:?} {y:?}"
        );
    }
}
