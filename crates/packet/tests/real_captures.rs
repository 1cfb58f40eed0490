//! Decoding real captures made by tcpdump (tests/data, see SOURCE.md there) and by the lab
//! (data/captures). Expected values are read off `tcpdump -r FILE -nn -tt -v`, not produced by
//! this crate.

mod common;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use common::*;
use nightjar_packet::{proto, read_all, tcp_flags as F, ArpOp, LinkType, PacketRepr, Record};

const LO: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
const LO6: IpAddr = IpAddr::V6(Ipv6Addr::LOCALHOST);

fn p(r: &Record) -> &PacketRepr {
    r.packet()
        .unwrap_or_else(|| panic!("expected a packet, got {r:?}"))
}

/// (ts as printed by tcpdump -tt, proto, sport, dport, flags, ip_len, payload_len, icmp type, window)
type Row = (f64, u8, u16, u16, u8, u16, u32, u8, u16);

/// lo.pcap: ping 127.0.0.1; TCP 37712 -> 8080 "hello\n" / "world\n"; UDP to closed 9999.
const LO_PCAP: [Row; 15] = [
    (1795848521.910747, proto::ICMP, 0, 0, 0, 84, 56, 8, 0),
    (1795848521.910761, proto::ICMP, 0, 0, 0, 84, 56, 0, 0),
    (
        1795848522.590407,
        proto::TCP,
        37712,
        8080,
        F::SYN,
        60,
        0,
        0,
        65495,
    ),
    (
        1795848522.590446,
        proto::TCP,
        8080,
        37712,
        F::SYN | F::ACK,
        60,
        0,
        0,
        65483,
    ),
    (
        1795848522.590476,
        proto::TCP,
        37712,
        8080,
        F::ACK,
        52,
        0,
        0,
        64,
    ),
    (
        1795848522.590598,
        proto::TCP,
        37712,
        8080,
        F::PSH | F::ACK,
        58,
        6,
        0,
        64,
    ),
    (
        1795848522.590611,
        proto::TCP,
        8080,
        37712,
        F::ACK,
        52,
        0,
        0,
        64,
    ),
    (
        1795848522.590634,
        proto::TCP,
        8080,
        37712,
        F::PSH | F::ACK,
        58,
        6,
        0,
        64,
    ),
    (
        1795848522.590639,
        proto::TCP,
        37712,
        8080,
        F::ACK,
        52,
        0,
        0,
        64,
    ),
    (
        1795848522.690858,
        proto::TCP,
        37712,
        8080,
        F::FIN | F::ACK,
        52,
        0,
        0,
        64,
    ),
    (
        1795848522.735962,
        proto::TCP,
        8080,
        37712,
        F::ACK,
        52,
        0,
        0,
        64,
    ),
    (
        1795848522.790835,
        proto::TCP,
        8080,
        37712,
        F::FIN | F::ACK,
        52,
        0,
        0,
        64,
    ),
    (
        1795848522.790866,
        proto::TCP,
        37712,
        8080,
        F::ACK,
        52,
        0,
        0,
        64,
    ),
    (1795848522.991463, proto::UDP, 44461, 9999, 0, 33, 5, 0, 0),
    (1795848522.991482, proto::ICMP, 0, 0, 0, 61, 33, 3, 0),
];

fn check_rows(recs: &[Record], rows: &[Row], wire_extra: u32, same_run: bool) {
    assert_eq!(recs.len(), rows.len());
    for (i, (r, row)) in recs.iter().zip(rows).enumerate() {
        let x = p(r);
        let (ts, pr, sp, dp, fl, iplen, plen, it, win) = *row;
        assert_eq!(x.index, i as u64);
        if same_run {
            assert!((x.ts - ts).abs() < 1e-6, "record {i}: ts {} vs {ts}", x.ts);
            assert_eq!((x.sport, x.dport), (sp, dp), "record {i}");
        } else {
            // another run of the same exchange: the client's ephemeral port differs
            assert!(sp == 8080 || dp == 8080 || pr != proto::TCP, "record {i}");
        }
        assert_eq!((x.proto, x.tcp_flags), (pr, fl), "record {i}");
        assert_eq!(
            (x.ip_len, x.payload_len, x.icmp_type, x.window),
            (iplen, plen, it, win),
            "record {i}"
        );
        assert_eq!(x.wire_len, u32::from(iplen) + wire_extra, "record {i}");
        assert_eq!(x.ttl, 64);
        assert!(!x.fragment);
    }
}

#[test]
fn loopback_ping_handshake_and_port_unreachable() {
    let cap = read_all(&data("lo.pcap")).unwrap();
    assert_eq!(cap.link_type, LinkType::ETHERNET);
    assert!(cap.warnings.is_empty(), "{:?}", cap.warnings);
    check_rows(&cap.records, &LO_PCAP, 14, true);
    for r in &cap.records {
        let x = p(r);
        assert_eq!((x.src, x.dst), (LO, LO));
    }
    let unreach = p(&cap.records[14]);
    assert_eq!((unreach.icmp_type, unreach.icmp_code), (3, 3));
    let inner = unreach.inner.expect("quoted packet");
    assert_eq!(
        (inner.proto, inner.src, inner.dst, inner.sport, inner.dport),
        (proto::UDP, LO, LO, 44461, 9999)
    );
    assert!(cap.records[..14].iter().all(|r| p(r).inner.is_none()));
}

#[test]
fn nanosecond_pcap_timestamps() {
    let cap = read_all(&data("lo-nano.pcap")).unwrap();
    assert_eq!(cap.records.len(), 15);
    // tcpdump -r lo-nano.pcap -tt --nano: 1795848551.948808786, 1795848551.948828243, 1795848552.208352665
    let want: [(u32, u32); 3] = [
        (1795848551, 948808786),
        (1795848551, 948828243),
        (1795848552, 208352665),
    ];
    for (r, (secs, nanos)) in cap.records.iter().zip(want) {
        let w = f64::from(secs) + f64::from(nanos) * 1e-9;
        // an f64 near 1.8e9 s resolves about 0.24 µs; read as microseconds it would be ~948 s off
        assert!((r.ts() - w).abs() < 5e-7, "{} vs {w}", r.ts());
    }
    check_rows(&cap.records, &LO_PCAP, 14, false);
}

#[test]
fn pcapng_from_editcap_matches_pcap() {
    let ng = read_all(&data("lo.pcapng")).unwrap();
    let classic = read_all(&data("lo.pcap")).unwrap();
    assert_eq!(ng.link_type, LinkType::ETHERNET);
    assert!(ng.warnings.is_empty(), "{:?}", ng.warnings);
    assert_eq!(ng.records, classic.records);
}

/// The exchange over IPv4 then IPv6 (30 records) read from `name`; `link_header` is the
/// length of the link header before each IP packet, where it is fixed.
fn check_any(name: &str, link: LinkType, link_header: Option<u32>, first_ts: f64, udp6_sport: u16) {
    let cap = read_all(&data(name)).unwrap();
    assert_eq!(cap.link_type, link);
    assert!(cap.warnings.is_empty());
    assert_eq!(cap.records.len(), 30);
    assert!((cap.records[0].ts() - first_ts).abs() < 1e-6);
    // IPv4 half: same exchange as lo.pcap (other ports and times); cooked header instead of Ethernet
    for (r, row) in cap.records[..15].iter().zip(&LO_PCAP) {
        let x = p(r);
        assert_eq!(
            (x.proto, x.tcp_flags, x.ip_len, x.payload_len, x.icmp_type),
            (row.1, row.4, row.5, row.6, row.7)
        );
        if let Some(h) = link_header {
            assert_eq!(x.wire_len, u32::from(x.ip_len) + h);
        }
        assert_eq!((x.src, x.dst), (LO, LO));
    }
    // IPv6 half
    let v6: Vec<&PacketRepr> = cap.records[15..].iter().map(p).collect();
    assert!(v6
        .iter()
        .all(|x| x.src == LO6 && x.dst == LO6 && x.ttl == 64));
    assert_eq!(
        (
            v6[0].proto,
            v6[0].icmp_type,
            v6[0].ip_len,
            v6[0].payload_len
        ),
        (proto::ICMPV6, 128, 104, 56)
    );
    assert_eq!((v6[1].proto, v6[1].icmp_type), (proto::ICMPV6, 129));
    assert_eq!(
        (
            v6[2].proto,
            v6[2].tcp_flags,
            v6[2].dport,
            v6[2].window,
            v6[2].ip_len
        ),
        (proto::TCP, F::SYN, 8080, 65476, 80)
    );
    assert_eq!(
        (v6[3].tcp_flags, v6[3].sport, v6[3].window),
        (F::SYN | F::ACK, 8080, 65464)
    );
    assert_eq!(
        (v6[5].tcp_flags, v6[5].payload_len, v6[5].ip_len),
        (F::PSH | F::ACK, 6, 78)
    );
    assert_eq!(
        (v6[13].proto, v6[13].sport, v6[13].dport, v6[13].payload_len),
        (proto::UDP, udp6_sport, 9999, 5)
    );
    let u = v6[14];
    assert_eq!(
        (u.proto, u.icmp_type, u.icmp_code, u.ip_len, u.payload_len),
        (proto::ICMPV6, 1, 4, 101, 53)
    );
    let inner = u.inner.expect("quoted IPv6 packet");
    assert_eq!(
        (inner.proto, inner.src, inner.dst, inner.sport, inner.dport),
        (proto::UDP, LO6, LO6, udp6_sport, 9999)
    );
}

#[test]
fn linux_cooked_v1_any_interface() {
    check_any(
        "any-sll.pcap",
        LinkType::LINUX_SLL,
        Some(16),
        1795848582.001223,
        57232,
    );
}

#[test]
fn linux_cooked_v2_any_interface() {
    check_any(
        "any-sll2.pcap",
        LinkType::LINUX_SLL2,
        Some(20),
        1795848612.030787,
        33378,
    );
}

/// Netfilter log messages (`tcpdump -i nflog:5` of an nftables `log group 5` rule): the IP
/// packet is one attribute among several (prefix, interface, uid …), whose number varies.
#[test]
fn netfilter_log_messages() {
    check_any(
        "nflog.pcap",
        LinkType::NFLOG,
        None,
        1795985564.120758,
        43860,
    );
    let cap = read_all(&data("nflog.pcap")).unwrap();
    assert!(cap
        .records
        .iter()
        .all(|r| r.wire_len() > u32::from(p(r).ip_len)));
}

/// any-sll.pcap's 30 IP packets re-linked by Scapy (relink.py) into 802.11 (bare, behind
/// radiotap, behind PPI; to and from the access point, QoS data with and without an HT
/// control field, four-address frames), PPP (with and without the HDLC address and control
/// bytes, the protocol field compressed or not), Cisco HDLC, pf's log (OpenBSD's 100-byte and
/// FreeBSD's 61-byte headers) and GTP-U inside Ethernet (plain,
/// with a sequence number, with 5G's PDU session container) read as the original packets;
/// the frames after them carry no IP packet and are reported with their reason.
/// any-sll.pcap's 15 IPv6 packets inside Teredo (relink.py: UDP 3544 at the relay's end, each
/// way; plain, after an origin indication, after an authentication indicator) read as the
/// original packets.
#[test]
fn teredo_carries_the_same_ipv6_packets() {
    let original = read_all(&data("any-sll.pcap")).unwrap();
    let cap = read_all(&data("teredo.pcap")).unwrap();
    assert_eq!(cap.records.len(), 15);
    for (got, want) in cap.records.iter().zip(&original.records[15..]) {
        let (mut got, mut want) = (*p(got), *p(want));
        (got.wire_len, got.index) = (want.wire_len, 0);
        want.index = 0;
        assert_eq!(got, want);
    }
}

#[test]
fn wireless_ppp_and_hdlc_frames_carry_the_same_packets() {
    let original = read_all(&data("any-sll.pcap")).unwrap();
    let wlan_extra = [
        "802.11 management or control frame",
        "802.11 data frame without a body (null or CF-Ack/Poll)",
        "encrypted 802.11 frame",
        "802.11 A-MSDU (not split)",
    ];
    for (name, link, extra) in [
        ("wlan.pcap", LinkType::IEEE802_11, &wlan_extra[..]),
        (
            "radiotap.pcap",
            LinkType::IEEE802_11_RADIOTAP,
            &wlan_extra[..],
        ),
        ("ppi.pcap", LinkType::PPI, &wlan_extra[..]),
        (
            "ppp.pcap",
            LinkType::PPP,
            &["PPP frame not IP (PPP control)"][..],
        ),
        (
            "chdlc.pcap",
            LinkType::C_HDLC,
            &["Cisco SLARP (not IP)"][..],
        ),
        ("gtpu.pcap", LinkType::ETHERNET, &[][..]),
        ("pflog.pcap", LinkType::PFLOG, &[][..]),
    ] {
        let cap = read_all(&data(name)).unwrap();
        assert_eq!(cap.link_type, link, "{name}");
        assert!(cap.warnings.is_empty(), "{name}: {:?}", cap.warnings);
        assert_eq!(cap.records.len(), 30 + extra.len(), "{name}");
        for (got, want) in cap.records.iter().zip(&original.records) {
            let (mut got, want) = (*p(got), *p(want));
            assert!(got.wire_len > u32::from(got.ip_len), "{name}: {got:?}");
            got.wire_len = want.wire_len;
            assert_eq!(got, want, "{name}");
        }
        for (r, why) in cap.records[30..].iter().zip(extra) {
            match r {
                Record::Undecoded { reason, .. } => assert_eq!(reason, why, "{name}"),
                other => panic!("{name}: {other:?}"),
            }
        }
    }
}

#[test]
fn fragments_arp_and_ipv6_extension_headers() {
    let cap = read_all(&data("frag.pcap")).unwrap();
    assert_eq!(cap.records.len(), 26);
    let a = IpAddr::V4(Ipv4Addr::new(198, 18, 1, 1));
    let b = IpAddr::V4(Ipv4Addr::new(198, 18, 1, 2));
    // 3, 4: ARP request and reply, as tcpdump 4.99 reads them (`tcpdump -n -e -r frag.pcap`:
    // "Request who-has 198.18.1.2 tell 198.18.1.1", "Reply 198.18.1.2 is-at
    // 9e:c0:36:33:fd:fc"), an independent decoder of the same bytes
    let (mac_a, mac_b) = (
        [0xca, 0xa2, 0x92, 0x22, 0x52, 0xbc],
        [0x9e, 0xc0, 0x36, 0x33, 0xfd, 0xfc],
    );
    let (a4, b4) = (Ipv4Addr::new(198, 18, 1, 1), Ipv4Addr::new(198, 18, 1, 2));
    for (i, op, sender, target) in [
        (3, ArpOp::Request, (mac_a, a4), ([0; 6], b4)),
        (4, ArpOp::Reply, (mac_b, b4), (mac_a, a4)),
    ] {
        let Record::Arp(r) = cap.records[i] else {
            panic!("{:?}", cap.records[i]);
        };
        assert_eq!(
            (r.op, r.sender_mac, r.sender_ip, r.target_mac, r.target_ip),
            (op, sender.0, sender.1, target.0, target.1),
        );
        assert_eq!((r.index, r.wire_len), (i as u64, 42));
        // the request went to the broadcast address, the reply to the asker (tcpdump -e)
        let dst = if op == ArpOp::Request {
            [0xff; 6]
        } else {
            mac_a
        };
        assert_eq!(r.link_dst, Some(dst));
        assert!(cap.records[i].packet().is_none());
    }
    // 5..=7: echo request of 3000 bytes in three fragments (offsets 0, 1480, 2960); 8..=10 the
    // reply; IP Identification 0x6395 and 0xa554 (`tshark -o ip.defragment:FALSE -e ip.id`)
    for (base, src, dst, ty, id) in [(5, a, b, 8, 0x6395), (8, b, a, 0, 0xa554)] {
        let f: Vec<&PacketRepr> = (base..base + 3).map(|i| p(&cap.records[i])).collect();
        assert!(f
            .iter()
            .all(|x| x.fragment && x.proto == proto::ICMP && x.src == src && x.dst == dst));
        assert!(f.iter().all(|x| x.frag_id == id), "{f:?}");
        assert_eq!(
            f.iter().map(|x| x.later_fragment).collect::<Vec<_>>(),
            [false, true, true]
        );
        // offsets 0, 185 and 370 eight-byte units, more-fragments on all but the last
        // (`tshark -o ip.defragment:FALSE -e ip.frag_offset -e ip.flags.mf`)
        assert_eq!(
            f.iter()
                .map(|x| (x.frag_offset(), x.more_fragments()))
                .collect::<Vec<_>>(),
            [(0, true), (1480, true), (2960, false)]
        );
        assert_eq!(
            (f[0].icmp_type, f[0].ip_len, f[0].payload_len, f[0].wire_len),
            (ty, 1500, 1472, 1514)
        );
        assert_eq!(
            (f[1].icmp_type, f[1].ip_len, f[1].payload_len),
            (0, 1500, 1480)
        );
        assert_eq!(
            (f[2].icmp_type, f[2].ip_len, f[2].payload_len, f[2].wire_len),
            (0, 68, 48, 82)
        );
    }
    // 0: MLDv2 report behind a hop-by-hop header; 1: neighbour solicitation
    let mld = p(&cap.records[0]);
    assert_eq!(
        (
            mld.proto,
            mld.icmp_type,
            mld.ttl,
            mld.ip_len,
            mld.payload_len
        ),
        (proto::ICMPV6, 143, 1, 76, 20)
    );
    assert_eq!(mld.dst, "ff02::16".parse::<IpAddr>().unwrap());
    let ns = p(&cap.records[1]);
    assert_eq!(
        (ns.proto, ns.icmp_type, ns.ttl, ns.ip_len),
        (proto::ICMPV6, 135, 255, 72)
    );
    assert!(ns.inner.is_none());
}

fn stat(json: &str, key: &str) -> u64 {
    let at = json
        .find(&format!("\"{key}\":"))
        .unwrap_or_else(|| panic!("{key} in stats"));
    json[at + key.len() + 3..]
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap()
}

/// The lab's captures: record counts as counted by lab/labels.py's own pcap reading; nothing
/// ARP messages too, every address in 198.18.0.0/15 (and the busy runs' multicast, TTL 1).
#[test]
fn lab_captures_decode_completely() {
    let mut seen = 0;
    for name in [
        "train",
        "train2",
        "train3",
        "train4",
        "train5",
        "val",
        "val2",
        "test",
        "test2",
        "test3",
        "test4",
        "normal-only",
        "normal-only2",
        "generalise",
        "sweep",
        "train6",
        "val3",
        "test5",
        "busy2",
    ] {
        let stats = match std::fs::read_to_string(captures(&format!("{name}.stats.json"))) {
            Ok(s) => s,
            Err(_) => continue,
        };
        seen += 1;
        let cap = read_all(&captures(&format!("{name}.pcap"))).unwrap();
        assert_eq!(cap.link_type, LinkType::ETHERNET);
        assert!(cap.warnings.is_empty(), "{name}: {:?}", cap.warnings);
        assert_eq!(cap.records.len() as u64, stat(&stats, "records"), "{name}");
        let v4 = cap
            .records
            .iter()
            .filter(|r| matches!(r.packet(), Some(x) if x.src.is_ipv4()))
            .count() as u64;
        assert_eq!(v4, stat(&stats, "ipv4"), "{name}");
        for r in &cap.records {
            match r {
                Record::Undecoded { reason, .. } => panic!("{name}: undecoded ({reason}): {r:?}"),
                // every ARP message of the lab is between its own addresses
                Record::Arp(a) => {
                    for v in [a.sender_ip, a.target_ip] {
                        let o = v.octets();
                        assert_eq!((o[0], o[1] & 0xfe), (198, 18), "{name}: {a:?}");
                    }
                }
                Record::Packet(x) => {
                    // everything in the lab is inside 198.18.0.0/15 (or ICMP's quoted copy of it),
                    // but the busy runs' link-local multicast (mDNS, SSDP, IGMP), sent with TTL 1
                    for ip in [x.src, x.dst] {
                        let IpAddr::V4(v) = ip else {
                            panic!("{name}: IPv6 in the lab: {x:?}")
                        };
                        if v.is_multicast() && ip == x.dst && x.ttl == 1 {
                            continue;
                        }
                        assert_eq!(
                            v.octets()[..2]
                                .iter()
                                .fold(0u16, |a, b| a << 8 | u16::from(*b))
                                & 0xfffe,
                            0xc612,
                            "{name}: {x:?}"
                        );
                    }
                }
            }
        }
        assert!(cap
            .records
            .windows(2)
            .all(|w| w[0].index() + 1 == w[1].index()));
        // the runs of every attack kind (`--attacks all`) hold every nmap probe kind
        if !matches!(
            name,
            "normal-only" | "normal-only2" | "generalise" | "sweep" | "busy2"
        ) {
            let pk = || cap.records.iter().filter_map(Record::packet);
            assert!(
                pk().any(|x| x.tcp_flags == F::FIN | F::PSH | F::URG),
                "{name}: Xmas probes"
            );
            assert!(
                pk().any(|x| x.proto == proto::TCP && x.tcp_flags == 0),
                "{name}: NULL probes"
            );
            assert!(
                pk().any(|x| x.tcp_flags == F::FIN | F::ACK && x.dport < 1024),
                "{name}: Maimon probes"
            );
            assert!(pk().any(|x| x.icmp_type == 3
                && x.icmp_code == 3
                && x.inner.is_some_and(|i| i.proto == proto::UDP)));
        }
    }
    assert_eq!(seen, 19, "lab captures missing under data/captures");
}

/// generalise.pcap holds an `nmap -sS -f -p 1-200` scan from 198.18.0.67: every probe cut into
/// three 8-byte fragments. `tshark -o ip.defragment:FALSE -Y "ip.frag_offset==1 && ip.proto==6"
/// -x` shows 200 second fragments, each carrying TCP header bytes 8..16 with the flags byte
/// (header byte 13) 0x02, SYN; the first fragments carry the ports and no flags byte.
#[test]
fn the_flags_of_tiny_tcp_fragments_are_read_from_the_fragment_that_holds_them() {
    let cap = read_all(&captures("generalise.pcap")).unwrap();
    assert!(cap.warnings.is_empty());
    let scanner = IpAddr::V4(Ipv4Addr::new(198, 18, 0, 67));
    let frags: Vec<&PacketRepr> = cap
        .records
        .iter()
        .filter_map(Record::packet)
        .filter(|q| q.fragment && q.proto == proto::TCP && q.src == scanner)
        .collect();
    let firsts = frags.iter().filter(|q| q.dport != 0).count();
    let with_flags: Vec<_> = frags.iter().filter(|q| q.tcp_flags != 0).collect();
    assert_eq!(firsts, 200);
    assert_eq!(with_flags.len(), 200);
    assert!(with_flags
        .iter()
        .all(|q| q.tcp_flags == F::SYN && q.dport == 0));
    // the third fragments (TCP bytes 16..20) hold no flags
    assert_eq!(frags.len(), 600);
    // offsets 0, 1 and 2 eight-byte units, the last without more-fragments
    for (q, want) in frags.iter().map(|q| {
        let place = match (q.dport != 0, q.tcp_flags != 0) {
            (true, _) => (0, true),
            (false, true) => (8, true),
            (false, false) => (16, false),
        };
        (q, place)
    }) {
        assert_eq!((q.frag_offset(), q.more_fragments()), want, "{q:?}");
    }
    // only the first fragments hold the ports; every datagram's three share one Identification
    assert!(frags.iter().all(|q| q.later_fragment == (q.dport == 0)));
    let mut ids: Vec<u32> = frags.iter().map(|q| q.frag_id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 200);
}
