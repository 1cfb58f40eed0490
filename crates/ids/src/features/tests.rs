//! Features over hand-built packet sequences.

use super::window::{index_of, WindowConfig, WindowState, LEN};
use super::*;
use nightjar_packet::{Inner, PacketRepr};
use std::net::IpAddr;

pub(crate) fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

pub(crate) fn tcp(ts: f64, src: &str, dst: &str, sport: u16, dport: u16, flags: u8) -> PacketRepr {
    PacketRepr {
        index: 0,
        ts,
        wire_len: 54,
        src: ip(src),
        dst: ip(dst),
        proto: 6,
        sport,
        dport,
        tcp_flags: flags,
        ip_len: 40,
        ttl: 64,
        window: 64240,
        icmp_type: 0,
        icmp_code: 0,
        fragment: false,
        later_fragment: false,
        frag_id: 0,
        frag_word: 0,
        payload_len: 0,
        head: [0; 4],
        inner: None,
        copy_key: next_copy_key(),
    }
}

/// A TCP segment with `payload` bytes of data (PSH+ACK, 20-byte IP and 32-byte TCP headers).
fn data_segment(ts: f64, src: &str, dst: &str, sport: u16, dport: u16, payload: u32) -> PacketRepr {
    PacketRepr {
        payload_len: payload,
        ip_len: 52 + payload as u16,
        ..tcp(ts, src, dst, sport, dport, ACK | PSH)
    }
}

/// A [`PacketRepr::copy_key`] no hand-built packet had before: every packet made here is a
/// packet of its own, as real ones differ in IP Identification and checksum.
pub(crate) fn next_copy_key() -> u32 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

pub(crate) fn udp(ts: f64, src: &str, dst: &str, sport: u16, dport: u16, len: u16) -> PacketRepr {
    PacketRepr {
        proto: 17,
        tcp_flags: 0,
        window: 0,
        ip_len: len,
        payload_len: u32::from(len.saturating_sub(28)),
        ..tcp(ts, src, dst, sport, dport, 0)
    }
}

pub(crate) fn icmp_unreach(ts: f64, src: &str, dst: &str, quoted: &PacketRepr) -> PacketRepr {
    PacketRepr {
        proto: 1,
        sport: 0,
        dport: 0,
        tcp_flags: 0,
        window: 0,
        icmp_type: 3,
        icmp_code: 3,
        ip_len: 56,
        inner: Some(Inner {
            proto: quoted.proto,
            src: quoted.src,
            dst: quoted.dst,
            sport: quoted.sport,
            dport: quoted.dport,
        }),
        ..tcp(ts, src, dst, 0, 0, 0)
    }
}

/// `n` packets of every kind the rules of `crate::detect` tell apart, drawn by a fixed
/// generator (SplitMix64 from seed 17): TCP with every flag combination (logins on port 22 and
/// 21, SSH banners, web ports, data), UDP (DNS, NTP, traceroute ports at low TTLs, other
/// ports), ICMP and ICMPv6 echo requests and replies, destination unreachables quoting earlier
/// packets, protocols no network learnt, first and later fragments, among a handful of IPv4
/// and IPv6 hosts (a multicast group and a broadcast address among them), at times that
/// mostly go forward, sometimes by more than a rule's horizon, and sometimes back. For tests
/// that a rule's shortcut for the packets it has no business with changes none of its
/// verdicts.
pub(crate) fn mixed_traffic(n: usize) -> Vec<PacketRepr> {
    const HOSTS: [&str; 9] = [
        "198.18.0.10",
        "198.18.0.66",
        "198.18.0.20",
        "198.18.1.7",
        "198.18.0.255",
        "224.0.0.251",
        "2001:2::c612:a",
        "2001:2::c612:42",
        "ff02::1",
    ];
    let mut state = 17u64;
    let mut next = move |m: u64| {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        crate::features::table::mix(state) % m
    };
    let mut out: Vec<PacketRepr> = Vec::with_capacity(n);
    let mut t = 100.0;
    for _ in 0..n {
        t += match next(100) {
            0 => 40.0,
            1 => -0.5,
            2..=9 => 1.5,
            _ => 0.001 * next(50) as f64,
        };
        // a v4 host with a v4 host, a v6 host with a v6 host
        let v6 = next(4) == 0;
        let pick = |i: u64| {
            if v6 {
                HOSTS[6 + i as usize % 3]
            } else {
                HOSTS[i as usize % 6]
            }
        };
        let (src, dst) = (pick(next(6)), pick(next(6)));
        let port = |k: u64| [22, 21, 80, 443, 53, 123, 33434, 33500, 40000, 50000][k as usize];
        let (sport, dport) = (port(next(10)), port(next(10)));
        let mut p = match next(10) {
            0..=4 => {
                let flags = [
                    0x02, 0x12, 0x10, 0x18, 0x04, 0x14, 0x01, 0x11, 0x00, 0x29, 0xc2,
                ];
                let mut p = tcp(t, src, dst, sport, dport, flags[next(11) as usize]);
                if next(3) == 0 {
                    p.payload_len = 1 + next(300) as u32;
                    if next(4) == 0 {
                        p.head = *b"SSH-";
                    }
                }
                p
            }
            5 | 6 => udp(t, src, dst, sport, dport, 28 + next(200) as u16),
            7 | 8 => {
                let mut p = tcp(t, src, dst, 0, 0, 0);
                p.proto = if v6 { 58 } else { 1 };
                p.icmp_type = match (v6, next(3)) {
                    (false, 0) => 8,
                    (false, 1) => 0,
                    (true, 0) => 128,
                    (true, 1) => 129,
                    // a destination unreachable
                    (true, _) => 1,
                    (false, _) => 3,
                };
                if matches!(p.icmp_type, 3 | 1) {
                    if let Some(q) = out.get(next(out.len().max(1) as u64) as usize) {
                        p.inner = icmp_unreach(t, src, dst, q).inner;
                    }
                }
                p
            }
            _ => {
                let mut p = tcp(t, src, dst, 0, 0, 0);
                p.proto = [47, 50, 132, 136, 2][next(5) as usize];
                p
            }
        };
        // a third of the packets are a recent packet again (a retransmission, a flood) or
        // its answer (a SYN-ACK or a reset, an echo reply, a datagram back)
        if !out.is_empty() && next(3) == 0 {
            let back = next(out.len().min(30) as u64) as usize + 1;
            let q = &out[out.len() - back];
            p = PacketRepr {
                ts: t,
                copy_key: next_copy_key(),
                ..*q
            };
            if next(2) == 0 {
                (p.src, p.dst, p.sport, p.dport) = (q.dst, q.src, q.dport, q.sport);
                p.tcp_flags = [0x12, 0x14, 0x10, 0x04][next(4) as usize];
                p.icmp_type = match q.icmp_type {
                    8 if q.proto == 1 => 0,
                    128 => 129,
                    ty => ty,
                };
            }
            out.push(p);
            continue;
        }
        p.ttl = if next(8) == 0 { 1 + next(4) as u8 } else { 64 };
        match next(20) {
            0 => p.fragment = true,
            1 => (p.fragment, p.later_fragment) = (true, true),
            _ => {}
        }
        out.push(p);
    }
    out
}

const FIN: u8 = 1;
const SYN: u8 = 2;
const RST: u8 = 4;
const PSH: u8 = 8;
const ACK: u8 = 16;

fn feat(v: &[f32], name: &str) -> f32 {
    v[index_of(name).unwrap_or_else(|| panic!("no feature {name}"))]
}

/// A normal client making short HTTP connections to the victim, one every 50 ms, starting at t0.
fn http_connection(t: f64, n: u16) -> Vec<PacketRepr> {
    let c = "198.18.0.5";
    let v = "198.18.0.10";
    let sp = 40000 + n;
    let mut pk = vec![
        tcp(t, c, v, sp, 80, SYN),
        tcp(t + 0.0002, v, c, 80, sp, SYN | ACK),
        tcp(t + 0.0003, c, v, sp, 80, ACK),
        tcp(t + 0.0004, c, v, sp, 80, PSH | ACK),
        tcp(t + 0.0010, v, c, 80, sp, PSH | ACK),
        tcp(t + 0.0011, c, v, sp, 80, FIN | ACK),
        tcp(t + 0.0012, v, c, 80, sp, FIN | ACK),
        tcp(t + 0.0013, c, v, sp, 80, ACK),
    ];
    pk[3].ip_len = 200;
    pk[3].payload_len = 160;
    pk[4].ip_len = 1200;
    pk[4].payload_len = 1160;
    pk
}

fn run(packets: &mut [PacketRepr]) -> Vec<Vec<f32>> {
    packets.sort_by(|a, b| a.ts.total_cmp(&b.ts));
    let mut w = WindowState::new(WindowConfig::default());
    packets
        .iter()
        .map(|p| {
            let mut v = vec![f32::NAN; LEN];
            w.push(p, &mut v);
            v
        })
        .collect()
}

#[test]
fn syn_scan_source_gets_many_new_ports_bare_syns_and_refusals() {
    let scanner = "198.18.0.66";
    let victim = "198.18.0.10";
    let mut pk = Vec::new();
    for n in 0..200u16 {
        pk.extend(http_connection(f64::from(n) * 0.05, n));
    }
    // nmap -sS: one source port, 1000 ports in ~1 s, closed ports answer RST/ACK
    for port in 1..=1000u16 {
        let t = 2.0 + f64::from(port) * 0.001;
        pk.push(tcp(t, scanner, victim, 51234, port, SYN));
        pk.push(tcp(t + 0.0001, victim, scanner, port, 51234, RST | ACK));
    }
    let feats = run(&mut pk);
    let last_probe = pk
        .iter()
        .rposition(|p| p.src == ip(scanner))
        .expect("probe");
    let f = &feats[last_probe];
    assert!(
        feat(f, "cli.new_port_frac@1s") > 0.9,
        "{}",
        feat(f, "cli.new_port_frac@1s")
    );
    assert!(feat(f, "cli.syn_frac@1s") > 0.95);
    assert!(feat(f, "cli.refused_per_sent@1s") > 0.9);
    assert!(feat(f, "cli.sent@1s") > feat(f, "cli.sent@60s") * 0.5);
    assert!(feat(f, "pair.c2s_new_port_frac@1s") > 0.9);
    assert!(feat(f, "pair.refused_by_server_frac@1s") > 0.9);
    // the victim's reply is seen from the scanner's side too
    let reply = &feats[last_probe + 1];
    assert_eq!(pk[last_probe + 1].src, ip(victim));
    assert!(feat(reply, "cli.new_port_frac@1s") > 0.9);
    assert!(feat(reply, "cli.syn_frac@1s") > 0.95);
    assert!(feat(reply, "cli.refused_per_sent@1s") > 0.9);
    // a normal client packet at the same time looks nothing like it
    let client = pk
        .iter()
        .rposition(|p| p.src == ip("198.18.0.5") && p.ts < 3.0)
        .unwrap();
    let c = &feats[client];
    assert!(
        feat(c, "cli.new_port_frac@1s") < 0.2,
        "{}",
        feat(c, "cli.new_port_frac@1s")
    );
    assert!(feat(c, "cli.syn_frac@1s") < 0.3);
    assert!(feat(c, "cli.refused_per_sent@1s") < 0.05);
    assert!(feat(c, "pair.c2s_new_port_frac@1s") < 0.2);
}

#[test]
fn connect_scan_differs_from_many_normal_connections_by_new_ports() {
    // a connect() scan changes source and destination port every probe; a busy client only the
    // source port
    let mut pk = Vec::new();
    for port in 1..=300u16 {
        let t = f64::from(port) * 0.002;
        pk.push(tcp(
            t,
            "198.18.0.66",
            "198.18.0.10",
            30000 + port,
            port,
            SYN,
        ));
        pk.push(tcp(
            t + 0.0001,
            "198.18.0.10",
            "198.18.0.66",
            port,
            30000 + port,
            RST | ACK,
        ));
    }
    for n in 0..300u16 {
        pk.extend(http_connection(f64::from(n) * 0.002, n));
    }
    let feats = run(&mut pk);
    let scan = pk.iter().rposition(|p| p.src == ip("198.18.0.66")).unwrap();
    let client = pk.iter().rposition(|p| p.src == ip("198.18.0.5")).unwrap();
    assert!(feat(&feats[scan], "cli.new_sport_frac@1s") > 0.9);
    assert!(feat(&feats[client], "cli.new_sport_frac@1s") > 0.05);
    assert!(feat(&feats[scan], "cli.new_port_frac@1s") > 0.9);
    assert!(feat(&feats[client], "cli.new_port_frac@1s") < 0.1);
}

#[test]
fn udp_scan_refusals_are_credited_through_the_quoted_packet() {
    let mut pk = Vec::new();
    for port in 1..=200u16 {
        let t = f64::from(port) * 0.01;
        let probe = udp(t, "198.18.0.66", "198.18.0.10", 40000, port, 28);
        pk.push(icmp_unreach(
            t + 0.0001,
            "198.18.0.10",
            "198.18.0.66",
            &probe,
        ));
        pk.push(probe);
    }
    let feats = run(&mut pk);
    let last = pk.iter().rposition(|p| p.src == ip("198.18.0.66")).unwrap();
    assert!(feat(&feats[last], "cli.refused_per_sent@1s") > 0.9);
    assert!(feat(&feats[last], "cli.udp_frac@10s") > 0.99);
    let reply = pk.iter().rposition(|p| p.proto == 1).unwrap();
    assert_eq!(feats[reply][index_of("icmp_unreach").unwrap()], 1.0);
    assert!(feat(&feats[reply], "cli.new_port_frac@1s") > 0.9);
}

#[test]
fn spoofed_syn_flood_shows_at_the_victim() {
    let mut pk = Vec::new();
    for i in 0..5000u32 {
        let src = IpAddr::from((0x0a00_0000u32 + i).to_be_bytes()).to_string();
        pk.push(tcp(
            f64::from(i) * 1e-4,
            &src,
            "198.18.0.10",
            1024 + (i % 60000) as u16,
            80,
            SYN,
        ));
    }
    let feats = run(&mut pk);
    let f = feats.last().unwrap();
    assert!(feat(f, "srv.recv_syn_frac@1s") > 0.99);
    assert!(feat(f, "srv.new_src_frac@1s") > 0.99);
    assert!(
        feat(f, "srv.recv@0.1s") > 0.4,
        "{}",
        feat(f, "srv.recv@0.1s")
    );
}

#[test]
fn state_stays_bounded_under_100k_distinct_sources() {
    let cfg = WindowConfig {
        hosts: 1024,
        pairs: 1024,
        seen: 4096,
    };
    let mut w = WindowState::new(cfg);
    let mem = w.memory_bytes();
    let mut v = vec![0.0; LEN];
    for i in 0..100_000u32 {
        let src = IpAddr::from((0x0a00_0000u32 + i).to_be_bytes());
        let mut p = tcp(f64::from(i) * 1e-5, "0.0.0.0", "198.18.0.10", 1234, 80, SYN);
        p.src = src;
        w.push(&p, &mut v);
        assert!(v.iter().all(|x| x.is_finite() && (0.0..=1.0).contains(x)));
    }
    assert_eq!(w.memory_bytes(), mem, "the tables' bound does not move");
    let (h, pr, s) = w.occupancy();
    assert!(h <= 1024 && pr <= 1024 && s <= 4096, "{h} {pr} {s}");
    assert!(w.evictions() > 90_000);
    // default capacities stay within a fixed budget too
    let big = WindowState::new(WindowConfig::default()).memory_bytes();
    assert!(big < 64 << 20, "{big} bytes");
}

#[test]
fn packets_out_of_time_order_are_taken_at_the_last_time() {
    let mut w = WindowState::new(WindowConfig::default());
    let mut v = vec![0.0; LEN];
    for (i, ts) in [10.0, 5.0, f64::NAN, f64::INFINITY, -1.0, 11.0]
        .iter()
        .enumerate()
    {
        let p = tcp(*ts, "198.18.0.1", "198.18.0.2", 1000 + i as u16, 80, SYN);
        w.push(&p, &mut v);
        assert!(
            v.iter().all(|x| x.is_finite() && (0.0..=1.0).contains(x)),
            "{ts}"
        );
    }
}

#[test]
fn paper7_scales_by_its_fixed_ranges() {
    let mut p = tcp(0.0, "1.1.1.1", "2.2.2.2", 65535, 80, FIN | PSH | 32);
    p.ip_len = 3000;
    p.ttl = 51;
    p.window = 1024;
    let mut v = [0.0f32; 7];
    paper7::extract(&p, &mut v);
    assert_eq!(v[0], 6.0 / 255.0);
    assert_eq!(v[1], 1.0);
    assert_eq!(v[2], 80.0 / 65535.0);
    assert_eq!(v[3], 41.0 / 255.0);
    assert_eq!(v[4], 1.0, "clipped");
    assert_eq!(v[5], 0.2);
    assert_eq!(v[6], 1024.0 / 65535.0);
}

#[test]
fn schemas_name_their_layouts() {
    assert_eq!(
        FeatureKind::Window.names().len(),
        FeatureKind::Window.n_features()
    );
    assert_eq!(FeatureKind::Paper7.names().len(), 7);
    assert_eq!(FeatureKind::from_name("window"), Some(FeatureKind::Window));
    assert_eq!(FeatureKind::from_name("kitsune"), None);
    let names = FeatureKind::Window.names();
    let mut sorted = names.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), names.len(), "names are unique");
}

mod props {
    use super::*;
    use proptest::prelude::*;

    fn any_packet() -> impl Strategy<Value = PacketRepr> {
        (
            (
                any::<f64>(),
                0u8..4,
                any::<u8>(),
                any::<u16>(),
                any::<u16>(),
                any::<u8>(),
            ),
            (
                any::<u16>(),
                any::<u8>(),
                any::<u16>(),
                any::<u8>(),
                any::<u32>(),
                any::<bool>(),
            ),
        )
            .prop_map(
                |((ts, s, proto, sport, dport, flags), (len, ttl, win, it, pl, inner))| {
                    let src = format!("10.0.0.{s}");
                    let mut p = tcp(ts, &src, "10.0.0.9", sport, dport, flags);
                    p.proto = [6, 17, 1, proto][usize::from(s % 4)];
                    p.ip_len = len;
                    p.ttl = ttl;
                    p.window = win;
                    p.icmp_type = it % 4;
                    p.payload_len = pl;
                    if inner {
                        let q = p;
                        p.inner = Some(Inner {
                            proto: 17,
                            src: q.dst,
                            dst: q.src,
                            sport: 1,
                            dport: 2,
                        });
                    }
                    p
                },
            )
    }

    proptest! {
        #[test]
        fn every_feature_is_finite_and_in_the_unit_interval(
            pk in proptest::collection::vec(any_packet(), 1..60)
        ) {
            for kind in FeatureKind::ALL {
                let mut x = Extractor::new(kind, WindowConfig { hosts: 16, pairs: 16, seen: 32 });
                let mut v = vec![0.0; x.len()];
                for p in &pk {
                    x.push(p, &mut v);
                    prop_assert!(v.iter().all(|f| f.is_finite() && (0.0..=1.0).contains(f)));
                }
            }
        }
    }
}

#[test]
fn a_probe_and_its_reply_share_their_context_features() {
    // client/server orientation: the SYN from the scanner and the victim's RST share the
    // client, server and conversation blocks (only the packet's own fields differ)
    let mut pk = Vec::new();
    for port in 1..=50u16 {
        let t = f64::from(port) * 0.01;
        pk.push(tcp(t, "198.18.0.66", "198.18.0.10", 50000, port, SYN));
        pk.push(tcp(t, "198.18.0.10", "198.18.0.66", port, 50000, RST | ACK));
    }
    let feats = run(&mut pk);
    let probe = &feats[98];
    let reply = &feats[99];
    assert_eq!(pk[98].src, ip("198.18.0.66"));
    assert_eq!(feat(probe, "to_server"), 1.0);
    assert_eq!(feat(reply, "to_server"), 0.0);
    let ctx = index_of("cli.sent@0.1s").unwrap();
    for (i, name) in FeatureKind::Window.names().iter().enumerate().skip(ctx) {
        if name.starts_with("flow.") {
            continue; // the reply is the flow's second packet, and refuses it
        }
        // host counts move by the one packet in between; fractions and novelty barely
        let d = (probe[i] - reply[i]).abs();
        assert!(d < 0.1, "{name}: {} vs {}", probe[i], reply[i]);
    }
    assert!(feat(reply, "cli.new_port_frac@1s") > 0.9);
}

#[test]
fn a_scanners_own_session_is_a_flow_with_handshake_and_payload() {
    // a SYN scan from .66, then .66 makes an ordinary HTTP request: its host statistics are
    // still those of a scanner, its flow is not
    let mut pk = Vec::new();
    for port in 1..=200u16 {
        let t = f64::from(port) * 0.005;
        pk.push(tcp(t, "198.18.0.66", "198.18.0.10", 50000, port, SYN));
        pk.push(tcp(
            t + 0.0001,
            "198.18.0.10",
            "198.18.0.66",
            port,
            50000,
            RST | ACK,
        ));
    }
    let mut http = http_connection(5.0, 7);
    for p in &mut http {
        if p.src == ip("198.18.0.5") {
            p.src = ip("198.18.0.66");
        } else {
            p.dst = ip("198.18.0.66");
        }
    }
    pk.extend(http);
    let feats = run(&mut pk);
    let probe = &feats[300];
    assert!((feat(probe, "flow.c2s_pkts") - 2f32.ln() / 1e6f32.ln_1p()).abs() < 1e-4);
    assert_eq!(feat(probe, "flow.s2c_pkts"), 0.0);
    assert_eq!(feat(probe, "flow.handshake"), 0.0);
    assert_eq!(
        feat(&feats[301], "flow.refused"),
        1.0,
        "the RST refuses the probe's flow"
    );
    let reply = &feats[404]; // the server's response, fifth packet of the session
    assert!(
        feat(reply, "cli.new_port_frac@10s") > 0.5,
        "still a scanner's host"
    );
    assert_eq!(feat(reply, "flow.handshake"), 1.0);
    assert_eq!(feat(reply, "flow.refused"), 0.0);
    assert!((feat(reply, "flow.c2s_payload_frac") - 1.0 / 3.0).abs() < 1e-6);
    assert_eq!(feat(reply, "flow.s2c_payload_frac"), 0.5);
    assert!(feat(reply, "flow.age") > 0.0);
}

#[test]
fn an_icmp_error_joins_the_flow_it_quotes() {
    let q = udp(1.0, "198.18.0.20", "198.18.0.10", 40000, 53, 60);
    let mut pk = vec![q, icmp_unreach(1.001, "198.18.0.10", "198.18.0.20", &q)];
    let feats = run(&mut pk);
    assert_eq!(
        feat(&feats[1], "flow.c2s_pkts"),
        feat(&feats[0], "flow.c2s_pkts")
    );
    assert!(feat(&feats[1], "flow.s2c_pkts") > 0.0);
    assert_eq!(feat(&feats[1], "flow.refused"), 1.0);
}

#[test]
fn features_skipped_by_push_if_change_no_state_and_written_ones_equal_push() {
    // a real capture (the lab's test3: scans, floods and normal traffic), through two
    // extractors of each kind: one writes every packet's features, the other only those whose
    // context key it picks (about one in three, by the key's bits)
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/captures/test3.pcap");
    let cap = nightjar_packet::read_all(&path).unwrap();
    for kind in [FeatureKind::Window, FeatureKind::Paper7] {
        let mut every = Extractor::new(kind, WindowConfig::default());
        let mut some = Extractor::new(kind, WindowConfig::default());
        let n = kind.n_features();
        let (mut a, mut b) = (vec![0f32; n], vec![-1f32; n]);
        let mut snap = Snapshot::default();
        let (mut written, mut packets) = (0, 0);
        let mut keys = std::collections::HashSet::new();
        for p in cap.records.iter().filter_map(|r| r.packet()) {
            every.push(p, &mut a);
            let mut key = 0;
            let wrote = some.push_if(
                p,
                |k| {
                    key = k;
                    k % 3 == 0
                },
                &mut snap,
            );
            keys.insert(key);
            packets += 1;
            assert_eq!(wrote, key % 3 == 0);
            if wrote {
                snap.write(&mut b);
                written += 1;
                assert!(
                    a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()),
                    "{kind} packet {}",
                    p.index
                );
            }
        }
        assert!(packets > 20_000);
        assert!(
            written > packets / 5 && written < packets / 2,
            "{written} of {packets}"
        );
        // keys tell contexts apart, yet repeat: the capture has fewer contexts than packets
        // (`window` keys leave out the ports; `paper7` ones are its seven raw fields)
        let most = if kind == FeatureKind::Window {
            packets / 2
        } else {
            packets * 3 / 4
        };
        assert!(
            keys.len() > 100 && keys.len() < most,
            "{kind}: {} keys",
            keys.len()
        );
    }
}

#[test]
fn the_context_key_follows_the_packet_its_flow_and_the_pace_of_its_ends() {
    let key = |w: &mut WindowState, p: &PacketRepr| {
        let mut k = 0;
        let mut snap = window::Snapshot::default();
        w.push_if(
            p,
            |x| {
                k = x;
                false
            },
            &mut snap,
        );
        k
    };
    // a slow stream of identical SYNs to one port (one every 10 s, pace steady at zero):
    // after the first few (new port, flow counts rising) the key repeats
    let mut w = WindowState::new(WindowConfig::default());
    let syn = |t: f64, sport: u16| tcp(t, "198.18.0.66", "198.18.0.10", sport, 80, 0x02);
    let keys: Vec<u64> = (0..10)
        .map(|i| key(&mut w, &syn(100.0 + 10.0 * f64::from(i), 40000)))
        .collect();
    assert_eq!(keys[8], keys[9]);
    // the same packet with other flags, or from the other end, or to another host: another key
    let k = key(&mut w, &syn(200.0, 40000));
    let mut fin = syn(210.0, 40000);
    fin.tcp_flags = 0x01;
    assert_ne!(key(&mut w, &fin), k);
    let back = tcp(220.0, "198.18.0.10", "198.18.0.66", 80, 40000, 0x14);
    assert_ne!(key(&mut w, &back), k);
    let other = tcp(230.0, "198.18.0.66", "198.18.0.11", 40000, 80, 0x02);
    assert_ne!(key(&mut w, &other), k);
    // a burst: 64 SYNs in 6.4 ms. The pace changes the key as the burst builds up, so the
    // packets of a burst do not all share the first one's key
    let mut w = WindowState::new(WindowConfig::default());
    let burst: Vec<u64> = (0..64u16)
        .map(|i| key(&mut w, &syn(500.0 + f64::from(i) * 1e-4, 40000)))
        .collect();
    let distinct: std::collections::HashSet<_> = burst.iter().collect();
    assert!(
        distinct.len() >= 6,
        "{} keys in a burst of 64",
        distinct.len()
    );
}

#[test]
fn the_end_that_opened_a_tcp_flow_is_known_whatever_the_ports() {
    let mut w = WindowState::new(WindowConfig::default());
    let mut out = vec![0f32; LEN];
    let mut by_opener = |p: &PacketRepr| {
        w.push(p, &mut out);
        w.sent_by_opener()
    };
    let (c, s) = ("198.18.0.20", "198.18.0.10");
    // a connection: the SYN's sender opened it
    assert_eq!(by_opener(&tcp(1.0, c, s, 40000, 80, 0x02)), Some(true));
    assert_eq!(by_opener(&tcp(1.001, s, c, 80, 40000, 0x12)), Some(false));
    assert_eq!(by_opener(&tcp(1.002, c, s, 40000, 80, 0x10)), Some(true));
    // a FIN from a low port to a service's high port (hping3 -F -p 3306): its sender, not the
    // end with the higher port, opened the flow; the RST+ACK back is the other end's
    assert_eq!(by_opener(&tcp(2.0, c, s, 1782, 3306, 0x01)), Some(true));
    assert_eq!(by_opener(&tcp(2.001, s, c, 3306, 1782, 0x14)), Some(false));
    // an unsolicited SYN-ACK opens its flow too
    assert_eq!(by_opener(&tcp(3.0, c, s, 1029, 1024, 0x12)), Some(true));
    // a flow quiet for longer than FLOW_IDLE starts again with whoever sends next
    let late = 2.002 + super::window::FLOW_IDLE + 1.0;
    assert_eq!(by_opener(&tcp(late, s, c, 3306, 1782, 0x14)), Some(true));
    // not TCP, or not a whole segment: unknown
    assert_eq!(by_opener(&udp(4.0, c, s, 5000, 53, 60)), None);
    let frag = PacketRepr {
        fragment: true,
        ..tcp(4.0, c, s, 40001, 80, 0x02)
    };
    assert_eq!(by_opener(&frag), None);
}

#[test]
fn an_answer_written_before_the_request_it_answers_leaves_the_flow_to_the_requests_sender() {
    let (c, s) = ("198.18.0.66", "198.18.0.10");
    // (sent by the flow's opener, opened by an answer, answered late) of each packet in turn
    let ends = |packets: &[PacketRepr]| {
        let mut w = WindowState::new(WindowConfig::default());
        let mut out = vec![0f32; LEN];
        packets
            .iter()
            .map(|p| {
                w.push(p, &mut out);
                (w.sent_by_opener(), w.opened_by_answer(), w.answered_late())
            })
            .collect::<Vec<_>>()
    };
    // a NULL scan's probe and the reset with ACK that answers it, written 4 µs out of order:
    // the prober opened the flow; the reset was its flow's first packet
    let null = tcp(1.000_010, c, s, 59729, 3389, 0x00);
    let rst = tcp(1.000_014, s, c, 3389, 59729, 0x14);
    assert_eq!(
        ends(&[null, rst]),
        [(Some(true), false, false), (Some(false), false, false)]
    );
    let swapped = ends(&[rst, null]);
    assert_eq!(
        swapped,
        [(Some(true), true, false), (Some(true), false, true)]
    );
    // ... the scanner's next segment of the flow is the opener's too
    let more = tcp(1.0005, c, s, 59729, 3389, 0x00);
    assert_eq!(ends(&[rst, null, more])[2], (Some(true), false, false));
    // a SYN-ACK before its SYN, then the prober's reset; a bare reset before the ACK probe (an
    // ACK or window scan) or the idle scan's SYN-ACK probe it answers
    let synack = tcp(2.000_004, s, c, 80, 40000, 0x12);
    let syn = tcp(2.0, c, s, 40000, 80, 0x02);
    let reset = tcp(2.000_02, c, s, 40000, 80, 0x04);
    assert_eq!(
        ends(&[synack, syn, reset]),
        [
            (Some(true), true, false),
            (Some(true), false, true),
            (Some(true), false, false)
        ]
    );
    for probe in [0x10, 0x12] {
        let bare = tcp(3.000_004, s, c, 80, 41000, 0x04);
        let ack = tcp(3.0, c, s, 41000, 80, probe);
        assert_eq!(
            ends(&[bare, ack])[1],
            (Some(true), false, true),
            "{probe:#x}"
        );
    }
    // what no answer draws stays with the flow's first sender: a reset with ACK then an ACK,
    // a bare reset then a SYN (RFC 793: each answers the other kind), a SYN-ACK then anything
    // but a SYN, a reset then a reset; and a request more than ANSWER_SWAP after the answer
    let gap = super::window::ANSWER_SWAP;
    for (answer, request, dt) in [
        (0x14, 0x10, 1e-5),
        (0x04, 0x02, 1e-5),
        (0x12, 0x04, 1e-5),
        (0x12, 0x10, 1e-5),
        (0x12, 0x12, 1e-5),
        (0x14, 0x04, 1e-5),
        (0x14, 0x00, gap + 1e-4),
        (0x12, 0x02, gap + 1e-4),
    ] {
        let a = tcp(4.0, s, c, 80, 42000, answer);
        let r = tcp(4.0 + dt, c, s, 42000, 80, request);
        assert_eq!(
            ends(&[a, r]),
            [(Some(true), true, false), (Some(false), false, false)],
            "{answer:#x} {request:#x} {dt}"
        );
    }
    // floods of unsolicited answers (hping3 -SA, -R; backscatter): each the first of its flow,
    // the victim's reset to a SYN-ACK no request; the sender stays the opener
    let mut flood = Vec::new();
    for i in 0..50u16 {
        let t = 5.0 + f64::from(i) * 1e-4;
        flood.push(tcp(t, c, s, 2000 + i, 80, 0x12));
        flood.push(tcp(t + 2e-5, s, c, 80, 2000 + i, 0x04));
        flood.push(tcp(t + 3e-5, c, s, 3000 + i, 443, 0x04));
    }
    for (i, e) in ends(&flood).into_iter().enumerate() {
        let want = if i % 3 == 1 {
            (Some(false), false, false)
        } else {
            (Some(true), true, false)
        };
        assert_eq!(e, want, "{i}");
    }
    // a capture that starts in the middle of a connection: a data segment first is no answer
    let data = data_segment(6.0, s, c, 80, 43000, 100);
    let ack = tcp(6.000_01, c, s, 43000, 80, 0x10);
    assert_eq!(
        ends(&[data, ack]),
        [(Some(true), false, false), (Some(false), false, false)]
    );
    // a flow that has seen more than its answer keeps its opener: the answer, the answer again,
    // then the request
    let again = tcp(1.000_015, s, c, 3389, 59729, 0x14);
    assert_eq!(ends(&[rst, again, null])[2], (Some(false), false, false));
}

#[test]
fn a_burst_of_answers_written_before_their_requests_are_all_the_requests_senders() {
    // an idle scan's target answers the SYNs forged from the zombie (one port each) with 60
    // resets and SYN-ACKs written 0.3 ms before them (one NIC queue drained late, `lag500`):
    // every flow is the zombie's address's. Remembered direct-mapped (one flow a slot, 256
    // slots), two of 60 flows took one slot all but surely, and the first one's request
    // found the other there: its flow stayed the target's (session 23)
    let (zombie, target) = ("198.18.0.40", "198.18.0.10");
    let run = |packets: &[PacketRepr]| {
        let mut w = WindowState::new(WindowConfig::default());
        let mut out = vec![0f32; LEN];
        packets
            .iter()
            .map(|p| {
                w.push(p, &mut out);
                (w.sent_by_opener(), w.opened_by_answer(), w.answered_late())
            })
            .collect::<Vec<_>>()
    };
    let burst = |t: f64, n: u16, late: f64| {
        let answers = (0..n).map(|i| {
            let flags = if i % 10 == 0 { SYN | ACK } else { RST | ACK };
            tcp(t + f64::from(i) * 1e-6, target, zombie, 1 + i, 443, flags)
        });
        let requests = (0..n).map(|i| {
            tcp(
                t + late + f64::from(i) * 1e-6,
                zombie,
                target,
                443,
                1 + i,
                SYN,
            )
        });
        answers.chain(requests).collect::<Vec<_>>()
    };
    let ends = run(&burst(1.0, 60, 3e-4));
    for (i, e) in ends.iter().enumerate() {
        let want = if i < 60 {
            (Some(true), true, false)
        } else {
            (Some(true), false, true)
        };
        assert_eq!(*e, want, "{i}");
    }
    // 300 answers at once (more than the table holds): most of the last 256 are remembered,
    // and no request takes a flow it did not open (the ports never the zombie's: a flow
    // between two equal ports is one flow each way)
    let ends = run(&burst(2.0, 300, 3.5e-4));
    let late = ends[300..].iter().filter(|e| e.2).count();
    assert!((150..=256).contains(&late), "{late}");
    assert!(ends[300..].iter().all(|e| e.0 == Some(e.2)));
    // a flow remembered more than ANSWER_SWAP ago gives its way up to a new one: a backscatter
    // flood of SYN-ACKs (each unanswered), 400 a millisecond for 10 ms, then one burst as above
    let mut flood: Vec<PacketRepr> = (0..4000u16)
        .map(|i| {
            tcp(
                3.0 + f64::from(i) * 2.5e-6,
                target,
                zombie,
                1024 + i,
                443,
                SYN | ACK,
            )
        })
        .collect();
    flood.extend(burst(3.1, 60, 3e-4));
    let ends = run(&flood);
    assert!(ends[..4000].iter().all(|e| *e == (Some(true), true, false)));
    assert!(ends[4060..].iter().all(|e| *e == (Some(true), false, true)));
}

/// A download on one connection: handshake, request, `n` data segments from the server each
/// acknowledged by the client, 0.1 ms apart, starting at `t`.
fn bulk_download(t: f64, n: usize) -> Vec<PacketRepr> {
    let (c, s) = ("198.18.0.20", "198.18.0.10");
    let data =
        |ts: f64, src: &str, dst: &str, sp: u16, dp: u16| data_segment(ts, src, dst, sp, dp, 1448);
    let mut v = vec![
        tcp(t, c, s, 40000, 9000, SYN),
        tcp(t + 1e-4, s, c, 9000, 40000, SYN | ACK),
        tcp(t + 2e-4, c, s, 40000, 9000, ACK),
        data(t + 3e-4, c, s, 40000, 9000),
    ];
    for i in 0..n {
        let ts = t + 4e-4 + i as f64 * 1e-4;
        v.push(data(ts, s, c, 9000, 40000));
        v.push(tcp(ts + 5e-5, c, s, 40000, 9000, ACK));
    }
    v
}

#[test]
fn established_session_packets_after_the_nth_count_in_their_flow_only() {
    const N: u32 = 64;
    let long = bulk_download(10.0, 5000);
    let short: Vec<PacketRepr> = long[..N as usize].to_vec();
    // after the download, the client asks the server for a page on a new connection
    let after = [
        tcp(12.0, "198.18.0.20", "198.18.0.10", 40001, 80, SYN),
        tcp(12.0001, "198.18.0.10", "198.18.0.20", 80, 40001, SYN | ACK),
        tcp(12.0002, "198.18.0.20", "198.18.0.10", 40001, 80, ACK),
    ];
    let run = |packets: &[PacketRepr], n: u32| {
        let mut w = WindowState::new(WindowConfig::default());
        w.set_session_after(n);
        let mut in_session = Vec::new();
        let mut rows = Vec::new();
        for (i, p) in packets.iter().chain(&after).enumerate() {
            let mut snap = window::Snapshot::default();
            let taken = w.push_if(p, |_| true, &mut snap);
            assert!(
                taken != w.in_session(),
                "a packet is either taken or in session"
            );
            // established from the client's ACK that completes the handshake (the third)
            let established = if i < packets.len() {
                i >= 2
            } else {
                i >= packets.len() + 2
            };
            assert_eq!(w.flow_established(), established, "packet {i}");
            in_session.push(w.in_session());
            let mut row = vec![0f32; LEN];
            snap.write(&mut row);
            rows.push(row);
        }
        (in_session, rows)
    };
    let count = |v: &[bool]| v.iter().filter(|s| **s).count();
    let (in_session, rows) = run(&long, N);
    // the handshake and the first N packets count; every packet after them is the flow's only
    assert!(in_session[..N as usize].iter().all(|s| !s));
    assert!(in_session[N as usize..long.len()].iter().all(|s| *s));
    assert_eq!(count(&in_session), long.len() - N as usize);
    // the new connection after it sees the hosts as if the download had stopped at N
    let (short_session, short_rows) = run(&short, N);
    assert!(short_session.iter().all(|s| !s));
    for k in 1..=after.len() {
        assert_eq!(rows[rows.len() - k], short_rows[short_rows.len() - k]);
    }
    // counted in full (off), the download makes the client a heavy sender a second later
    let (off_session, off_rows) = run(&long, 0);
    assert!(off_session.iter().all(|s| !s));
    assert_eq!(count(&off_session), 0);
    let sent = |r: &Vec<f32>| feat(r, "cli.sent@10s");
    assert!(sent(&off_rows[off_rows.len() - 1]) > sent(&rows[rows.len() - 1]) + 0.2);
}

#[test]
fn flows_without_a_handshake_or_refused_are_never_sessions() {
    let mut w = WindowState::new(WindowConfig::default());
    w.set_session_after(4);
    let mut snap = window::Snapshot::default();
    // a flood of ACKs on one four-tuple: no SYN-ACK was ever seen
    for i in 0..50 {
        let p = tcp(
            1.0 + i as f64 * 1e-3,
            "198.18.0.66",
            "198.18.0.10",
            5000,
            80,
            ACK,
        );
        assert!(w.push_if(&p, |_| true, &mut snap));
        assert!(!w.in_session());
    }
    // a session refused by an RST: the RST and every packet after it count
    let mut s = bulk_download(5.0, 20);
    s.push(tcp(
        5.01,
        "198.18.0.10",
        "198.18.0.20",
        9000,
        40000,
        RST | ACK,
    ));
    s.push(tcp(5.02, "198.18.0.20", "198.18.0.10", 40000, 9000, ACK));
    let mut taken = Vec::new();
    for p in &s {
        taken.push(w.push_if(p, |_| true, &mut snap));
    }
    assert!(
        !taken[10],
        "the 11th packet of an established session is the flow's only"
    );
    assert!(taken[taken.len() - 2] && taken[taken.len() - 1]);
    assert_eq!(taken.iter().filter(|t| !**t).count(), s.len() - 2 - 4);
}

#[test]
fn a_two_way_tunnels_packets_after_the_nth_count_in_their_flow_only() {
    // GRE between two hosts, both ways, a packet each way every millisecond
    let gre = |t: f64, src: &str, dst: &str| PacketRepr {
        proto: 47,
        sport: 0,
        dport: 0,
        tcp_flags: 0,
        ..tcp(t, src, dst, 0, 0, 0)
    };
    let (a, b) = ("198.18.0.20", "198.18.0.21");
    let mut w = WindowState::new(WindowConfig::default());
    w.set_session_after(4);
    let mut snap = window::Snapshot::default();
    let mut in_session = Vec::new();
    for i in 0..20 {
        let t = 1.0 + f64::from(i) * 1e-3;
        for (s, d) in [(a, b), (b, a)] {
            w.push_if(&gre(t, s, d), |_| true, &mut snap);
            in_session.push(w.in_session());
            assert!(!w.flow_established(), "a tunnel is no TCP connection");
        }
    }
    // each way's flow past its 4th packet, once the other way has sent: the flow's only
    assert!(in_session[..8].iter().all(|s| !s), "{in_session:?}");
    assert!(in_session[8..].iter().all(|s| *s), "{in_session:?}");
    // one way only (a flood of GRE, or a tunnel seen from one side): every packet counts
    let mut w = WindowState::new(WindowConfig::default());
    w.set_session_after(4);
    for i in 0..50 {
        let p = gre(1.0 + f64::from(i) * 1e-3, "198.18.0.66", "198.18.0.10");
        assert!(w.push_if(&p, |_| true, &mut snap));
        assert!(!w.in_session());
    }
    // the other end quiet for longer than a flow's idle time: no longer a tunnel
    let mut w = WindowState::new(WindowConfig::default());
    w.set_session_after(4);
    w.push_if(&gre(1.0, b, a), |_| true, &mut snap);
    for i in 0..10 {
        let p = gre(100.0 + f64::from(i) * 1e-3, a, b);
        assert!(w.push_if(&p, |_| true, &mut snap));
    }
}

#[test]
fn a_connection_seen_one_way_is_established_and_its_flows_own_from_its_first_ack() {
    // a capture of one direction: the client's SYN, then its ACKs, requests and close; nothing
    // back
    let (c, s) = ("198.18.0.20", "198.18.0.10");
    let one_way = |session_after: u32| {
        let mut w = WindowState::new(WindowConfig::default());
        w.set_session_after(session_after);
        let mut snap = window::Snapshot::default();
        assert!(w.push_if(&tcp(1.0, c, s, 40000, 80, SYN), |_| true, &mut snap));
        assert!(!w.flow_established(), "a SYN alone");
        assert!(!w.in_session(), "the SYN counts");
        let mut seen = Vec::new();
        for i in 0..10 {
            let flags = match i {
                9 => FIN | ACK,
                _ if i % 3 == 0 => ACK | PSH,
                _ => ACK,
            };
            let taken = w.push_if(
                &tcp(1.001 + f64::from(i) * 1e-3, c, s, 40000, 80, flags),
                |_| true,
                &mut snap,
            );
            assert_eq!(taken, !w.in_session(), "a packet is taken or in session");
            seen.push((w.flow_established(), w.in_session()));
        }
        // its RST refuses it: neither established nor the flow's only
        w.push_if(&tcp(1.02, c, s, 40000, 80, RST | ACK), |_| true, &mut snap);
        seen.push((w.flow_established(), w.in_session()));
        w.push_if(&tcp(1.021, c, s, 40000, 80, ACK), |_| true, &mut snap);
        seen.push((w.flow_established(), w.in_session()));
        seen
    };
    let on = one_way(64);
    // every ACK, request and the FIN+ACK: established and counted in the flow only, from the
    // first (a two-way session waits for its 64th packet)
    assert!(on[..10].iter().all(|&(e, s)| e && s), "{on:?}");
    assert_eq!(on[10..], [(false, false), (false, false)], "{on:?}");
    // off (`--exact`, training): established, but every packet counts
    let off = one_way(0);
    assert!(off[..10].iter().all(|&(e, s)| e && !s), "{off:?}");
    // once anything of it comes back without a handshake (a RST), it is not
    let mut w = WindowState::new(WindowConfig::default());
    w.set_session_after(4);
    let mut snap = window::Snapshot::default();
    w.push_if(&tcp(1.0, c, s, 40000, 80, SYN), |_| true, &mut snap);
    w.push_if(&tcp(1.01, s, c, 80, 40000, RST), |_| true, &mut snap);
    w.push_if(&tcp(1.02, c, s, 40000, 80, ACK), |_| true, &mut snap);
    assert!(!w.flow_established());
    assert!(!w.in_session());
    // ACKs on a four-tuple no SYN opened (an ACK flood) never are
    let mut w = WindowState::new(WindowConfig::default());
    w.set_session_after(4);
    for i in 0..10 {
        let p = tcp(2.0 + f64::from(i) * 1e-3, "198.18.0.66", s, 5000, 80, ACK);
        assert!(w.push_if(&p, |_| true, &mut snap));
        assert!(!w.flow_established());
        assert!(!w.in_session());
    }
    // two ways, the handshake seen: its first packets count as before
    let mut w = WindowState::new(WindowConfig::default());
    w.set_session_after(4);
    w.push_if(&tcp(3.0, c, s, 40001, 80, SYN), |_| true, &mut snap);
    w.push_if(&tcp(3.001, s, c, 80, 40001, SYN | ACK), |_| true, &mut snap);
    assert!(w.push_if(&tcp(3.002, c, s, 40001, 80, ACK), |_| true, &mut snap));
    assert!(w.flow_established());
    assert!(
        !w.in_session(),
        "the third packet of a two-way session counts"
    );
}

/// Each packet pushed in turn into a fresh state with sessions counted apart, and what `read`
/// says of the state after it.
fn after_each<T>(packets: &[PacketRepr], read: impl Fn(&WindowState) -> T) -> Vec<T> {
    let mut w = WindowState::new(WindowConfig::default());
    w.set_session_after(64);
    packets
        .iter()
        .map(|p| {
            w.push_if(p, |_| true, &mut window::Snapshot::default());
            read(&w)
        })
        .collect()
}

/// Whether each packet, pushed in turn into a fresh state, was a closing reset
/// ([`WindowState::closing_reset`]).
fn closing_resets(packets: &[PacketRepr]) -> Vec<bool> {
    after_each(packets, WindowState::closing_reset)
}

#[test]
fn the_first_reset_of_an_open_connection_from_an_end_that_received_data_closes_it() {
    let (c, s) = ("198.18.0.20", "198.18.0.10");
    let data =
        |ts: f64, src: &str, dst: &str, sp: u16, dp: u16| data_segment(ts, src, dst, sp, dp, 120);
    let open = |sp: u16| {
        vec![
            tcp(1.0, c, s, sp, 80, SYN),
            tcp(1.0001, s, c, 80, sp, SYN | ACK),
            tcp(1.0002, c, s, sp, 80, ACK),
        ]
    };
    // wrk, or a client with SO_LINGER 0: request, answer, RST+ACK from the client; each
    // late segment the server still sends draws a bare RST from the client's kernel, one
    // per segment (a reset more than the segments is no answer)
    let mut wrk = open(40000);
    wrk.extend([
        data(1.001, c, s, 40000, 80),
        data(1.002, s, c, 80, 40000),
        tcp(1.003, c, s, 40000, 80, RST | ACK),
        data(1.0031, s, c, 80, 40000),
        tcp(1.0032, c, s, 40000, 80, RST),
        tcp(1.0033, c, s, 40000, 80, RST),
        data(1.0034, s, c, 80, 40000),
        data(1.0035, s, c, 80, 40000),
        tcp(1.0036, c, s, 40000, 80, RST),
        tcp(1.0037, c, s, 40000, 80, RST),
        tcp(1.0038, c, s, 40000, 80, RST),
    ]);
    assert_eq!(
        closing_resets(&wrk),
        [
            false, false, false, false, false, true, false, true, false, false, false, true, true,
            false
        ]
    );
    // a closed port refusing a SYN and its retransmission: no connection, no close, and the
    // second refusal is no answer after one
    let refused = [
        tcp(1.0, c, s, 40007, 81, SYN),
        tcp(1.0001, s, c, 81, 40007, RST | ACK),
        tcp(2.0, c, s, 40007, 81, SYN),
        tcp(2.0001, s, c, 81, 40007, RST | ACK),
    ];
    assert_eq!(closing_resets(&refused), [false; 4]);
    // a request the server resets without an answer (nginx's 444, a header timeout): the
    // request is data enough
    let mut dropped = open(40001);
    dropped.extend([
        data(1.001, c, s, 40001, 80),
        tcp(1.002, s, c, 80, 40001, RST),
    ]);
    assert!(closing_resets(&dropped)[4]);
    // slowloris's end (`slowhttptest -H`, the committed `http` capture): partial requests,
    // unanswered, then a FIN from the client; the server's answer comes after it and the
    // client's kernel resets it: nothing served the client while it was open. Reset
    // without a FIN, the same: the client received nothing
    let mut slowloris = open(40008);
    slowloris.extend([
        data(1.001, c, s, 40008, 80),
        data(11.001, c, s, 40008, 80),
        tcp(20.0, c, s, 40008, 80, FIN | ACK),
        data(20.0001, s, c, 80, 40008),
        tcp(20.0002, c, s, 40008, 80, RST),
    ]);
    assert_eq!(closing_resets(&slowloris), [false; 8]);
    let mut unanswered = open(40009);
    unanswered.extend([
        data(1.001, c, s, 40009, 80),
        tcp(20.0, c, s, 40009, 80, RST | ACK),
    ]);
    assert_eq!(closing_resets(&unanswered), [false; 5]);
    // an answered client that closes with a FIN, then more of the answer arrives: its
    // kernel resets the connection, a close
    let mut late = open(40010);
    late.extend([
        data(1.001, c, s, 40010, 80),
        data(1.002, s, c, 80, 40010),
        tcp(1.003, c, s, 40010, 80, FIN | ACK),
        data(1.0031, s, c, 80, 40010),
        tcp(1.0032, c, s, 40010, 80, RST),
    ]);
    assert!(closing_resets(&late)[7]);
    // a connect scan's close: the handshake, no data, RST+ACK
    let mut connect = open(40002);
    connect.push(tcp(1.001, c, s, 40002, 80, RST | ACK));
    assert_eq!(closing_resets(&connect), [false; 4]);
    // a SYN scan: the scanner's kernel resets the SYN-ACK (no handshake)
    let syn_scan = [
        tcp(1.0, c, s, 50000, 80, SYN),
        tcp(1.0001, s, c, 80, 50000, SYN | ACK),
        tcp(1.0002, c, s, 50000, 80, RST),
    ];
    assert_eq!(closing_resets(&syn_scan), [false; 3]);
    // a reset flood: resets into no connection
    let flood: Vec<PacketRepr> = (0..5)
        .map(|i| tcp(1.0 + f64::from(i) * 1e-3, c, s, 3000 + i as u16, 80, RST))
        .collect();
    assert_eq!(closing_resets(&flood), [false; 5]);
    // tcpkill: three resets into an open connection that carried data, at once, each way;
    // only the first ends it, and nothing reached either end between the others (resets
    // call for no answer)
    let mut killed = open(40003);
    killed.extend([data(1.001, c, s, 40003, 80), data(1.002, s, c, 80, 40003)]);
    for k in 0..3 {
        killed.push(tcp(1.0021 + f64::from(k) * 1e-6, s, c, 80, 40003, RST));
    }
    for k in 0..3 {
        killed.push(tcp(1.0022 + f64::from(k) * 1e-6, c, s, 40003, 80, RST));
    }
    let got = closing_resets(&killed);
    assert_eq!(got.iter().filter(|x| **x).count(), 1, "{got:?}");
    assert!(got[5]);
    // a fragment, and a connection seen from its middle (no handshake), close nothing
    let mut frag = open(40004);
    frag.extend([
        data(1.001, c, s, 40004, 80),
        PacketRepr {
            fragment: true,
            ..tcp(1.002, c, s, 40004, 80, RST | ACK)
        },
    ]);
    assert!(!closing_resets(&frag)[4]);
    let middle = [
        data(1.0, c, s, 40005, 80),
        tcp(1.001, c, s, 40005, 80, RST | ACK),
    ];
    assert_eq!(closing_resets(&middle), [false, false]);
    // a connection idle past FLOW_IDLE starts again: its reset then closes no connection seen
    let mut idle = open(40006);
    idle.extend([
        data(1.001, c, s, 40006, 80),
        tcp(
            1.002 + super::window::FLOW_IDLE + 1.0,
            c,
            s,
            40006,
            80,
            RST | ACK,
        ),
    ]);
    assert!(!closing_resets(&idle)[4]);
}

#[test]
fn an_end_that_closed_with_a_fin_after_it_was_served_resets_whatever_still_reaches_it() {
    // nDPI's tests/pcap/ethereum.pcap (session 25): a node (c) dials a peer (s) on 30303, sends
    // its hello, the peer answers, says "too many peers" and closes with a FIN; the node's next
    // messages were on their way before that FIN reached it, and the peer's kernel answers each
    // of them with a bare reset once its socket is gone: all arrive after the node's segments,
    // none of those segments reach the peer after the first reset (no `owed` count), yet every
    // reset is the closed socket's answer, none a scan's refusal
    let (c, s) = ("198.18.0.184", "198.18.1.23");
    let data =
        |ts: f64, src: &str, dst: &str, sp: u16, dp: u16| data_segment(ts, src, dst, sp, dp, 40);
    let open = |sp: u16| {
        vec![
            tcp(1.0, c, s, sp, 30303, SYN),
            tcp(1.04, s, c, 30303, sp, SYN | ACK),
            tcp(1.0401, c, s, sp, 30303, ACK),
            data(1.0402, c, s, sp, 30303),
            data(1.08, s, c, 30303, sp),
        ]
    };
    let mut full = open(50000);
    full.push(tcp(1.0801, s, c, 30303, 50000, FIN | ACK));
    for k in 0..4 {
        full.push(data(1.0802 + f64::from(k) * 1e-5, c, s, 50000, 30303));
    }
    full.push(tcp(1.0803, c, s, 50000, 30303, FIN | ACK));
    for k in 0..6 {
        full.push(tcp(1.12 + f64::from(k) * 1e-5, s, c, 30303, 50000, RST));
    }
    let got = closing_resets(&full);
    assert_eq!(got[..11], [false; 11]);
    assert_eq!(got[11..], [true; 6], "{got:?}");
    // the node's own close first (its FIN, served, then its reset: a close), the peer's FIN
    // crossing that reset, then the peer's kernel's resets to the node's data still arriving:
    // a FIN seen after the close is the peer's own in-order end too (once a reset reached
    // it, an end sends nothing but resets)
    let mut crossed = open(50001);
    crossed.extend([
        tcp(1.0801, c, s, 50001, 30303, FIN | ACK),
        tcp(1.0802, c, s, 50001, 30303, RST),
        tcp(1.0803, s, c, 30303, 50001, FIN | ACK),
        tcp(1.0804, c, s, 50001, 30303, RST),
    ]);
    for k in 0..5 {
        crossed.push(tcp(1.12 + f64::from(k) * 1e-5, s, c, 30303, 50001, RST));
    }
    let got = closing_resets(&crossed);
    assert_eq!(got[..6], [false; 6]);
    assert!(got[6] && !got[7] && got[8], "{got:?}");
    assert_eq!(got[9..], [true; 5], "{got:?}");
    // look-alikes that stay as they were: an end that sent a FIN before anything served it
    // (slowloris's client; a banner service closing on a connect scan's probe that sent
    // nothing) answers late segments with resets that close nothing, however many
    let mut unserved = open(50002);
    unserved.truncate(3);
    unserved.extend([
        data(1.05, s, c, 30303, 50002),
        tcp(1.0501, s, c, 30303, 50002, FIN | ACK),
        data(1.0502, c, s, 50002, 30303),
        tcp(1.09, s, c, 30303, 50002, RST),
        tcp(1.0901, s, c, 30303, 50002, RST),
    ]);
    assert_eq!(closing_resets(&unserved), [false; 8]);
    // tcpkill's resets into an open connection: neither end sent a FIN, so still only the
    // first ends it, whichever end the forger speaks for
    let mut killed = open(50003);
    for k in 0..3 {
        killed.push(tcp(1.0801 + f64::from(k) * 1e-6, s, c, 30303, 50003, RST));
    }
    for k in 0..3 {
        killed.push(tcp(1.0802 + f64::from(k) * 1e-6, c, s, 50003, 30303, RST));
    }
    let got = closing_resets(&killed);
    assert_eq!(got.iter().filter(|x| **x).count(), 1, "{got:?}");
    // resets from the end that did not close with a FIN after the close stay answers only to
    // what reached it: the node (no FIN) resets once, late, with nothing owed
    let mut one_side = open(50004);
    one_side.extend([
        tcp(1.0801, s, c, 30303, 50004, FIN | ACK),
        data(1.0802, c, s, 50004, 30303),
        tcp(1.12, s, c, 30303, 50004, RST),
        tcp(1.1201, c, s, 50004, 30303, RST),
    ]);
    let got = closing_resets(&one_side);
    assert!(got[7] && !got[8], "{got:?}");
}

/// Whether each packet, pushed in turn into a fresh state with sessions counted apart, was its
/// connection's first data from its opener ([`WindowState::first_data`]).
fn first_data(packets: &[PacketRepr]) -> Vec<bool> {
    after_each(packets, WindowState::first_data)
}

#[test]
fn only_the_first_segment_with_payload_from_a_connections_opener_is_its_first_data() {
    let (c, s) = ("198.18.0.66", "198.18.0.12");
    let data = data_segment;
    let mut packets = vec![
        tcp(1.0, c, s, 40000, 80, SYN),
        tcp(1.001, s, c, 80, 40000, SYN | ACK),
        tcp(1.002, c, s, 40000, 80, ACK),
        // the request (first), sent again (not), the answer (the server's: not), more
        data(1.003, c, s, 40000, 80, 300),
        data(1.203, c, s, 40000, 80, 300),
        data(1.204, s, c, 80, 40000, 900),
        data(1.205, c, s, 40000, 80, 50),
    ];
    // a second connection from a new port: its request is first again; a server that speaks
    // first (a banner) does not make the client's request any less its first
    packets.extend([
        tcp(2.0, c, s, 40001, 23, SYN),
        tcp(2.001, s, c, 23, 40001, SYN | ACK),
        tcp(2.002, c, s, 40001, 23, ACK),
        data(2.003, s, c, 23, 40001, 20),
        data(2.004, c, s, 40001, 23, 7),
    ]);
    // a connection already open when the capture began (no SYN seen): never
    packets.extend([
        data(3.0, c, s, 40002, 80, 300),
        data(3.1, s, c, 80, 40002, 900),
    ]);
    assert_eq!(
        first_data(&packets),
        vec![
            false, false, false, true, false, false, false, // connection 1
            false, false, false, false, true, // connection 2
            false, false, // mid-capture
        ]
    );
}

#[test]
fn a_new_connection_on_a_reused_port_inherits_nothing_of_the_one_before() {
    let (c, s) = ("198.18.0.66", "198.18.0.10");
    let data =
        |ts: f64, src: &str, dst: &str, sp: u16, dp: u16| data_segment(ts, src, dst, sp, dp, 300);
    let connection = |t: f64| {
        vec![
            tcp(t, c, s, 40000, 8080, SYN),
            tcp(t + 1e-4, s, c, 8080, 40000, SYN | ACK),
            tcp(t + 2e-4, c, s, 40000, 8080, ACK),
            data(t + 3e-4, c, s, 40000, 8080),
            data(t + 4e-4, s, c, 8080, 40000),
            tcp(t + 5e-4, c, s, 40000, 8080, ACK),
        ]
    };
    let established = |p: &[PacketRepr]| after_each(p, WindowState::flow_established);
    let one = [false, false, true, true, true, true];
    // GoldenEye killed by `timeout`: its kernel resets every open connection; its next run,
    // 30 s later (within the flow table's idle time), takes the same source port again
    let mut reused = connection(1.0);
    reused.push(tcp(1.001, c, s, 40000, 8080, RST | ACK));
    reused.extend(connection(31.0));
    let seen = established(&reused);
    assert_eq!(seen[..6], one);
    assert!(!seen[6], "the reset");
    assert_eq!(seen[7..], one, "the new connection is established again");
    // a connection both ends closed with FINs, then the port again
    let mut closed = connection(1.0);
    closed.extend([
        tcp(1.001, s, c, 8080, 40000, FIN | ACK),
        tcp(1.0011, c, s, 40000, 8080, FIN | ACK),
        tcp(1.0012, s, c, 8080, 40000, ACK),
    ]);
    closed.extend(connection(2.0));
    assert_eq!(established(&closed)[9..], one);
    // a reset of the new connection is a close again, as the old one's was: the old close
    // is forgotten (after it, every reset counted as an answer to late segments)
    let mut twice = reused.clone();
    twice.push(tcp(31.001, c, s, 40000, 8080, RST | ACK));
    let closes = closing_resets(&twice);
    assert!(closes[6] && closes[13], "{closes:?}");
    // a refused SYN sent again stays refused, and never established; and a SYN sent again
    // before its answer starts nothing new: the handshake it then completes counts
    let refused = [
        tcp(1.0, c, s, 40007, 81, SYN),
        tcp(1.0001, s, c, 81, 40007, RST | ACK),
        tcp(2.0, c, s, 40007, 81, SYN),
        tcp(2.0001, s, c, 81, 40007, RST | ACK),
        tcp(2.0002, c, s, 40007, 81, ACK),
    ];
    assert_eq!(established(&refused), [false; 5]);
    let mut again = vec![tcp(0.0, c, s, 40000, 8080, SYN)];
    again.extend(connection(1.0));
    assert_eq!(established(&again)[1..], one);
    // what the networks see keeps the flow's whole life: the new connection's segments still
    // show the earlier refusal (the built-in models learned flows so)
    let mut w = WindowState::new(WindowConfig::default());
    let mut out = vec![0f32; LEN];
    for p in &reused {
        w.push(p, &mut out);
    }
    assert_eq!(feat(&out, "flow.refused"), 1.0);
    assert_eq!(feat(&out, "flow.handshake"), 1.0);
}
