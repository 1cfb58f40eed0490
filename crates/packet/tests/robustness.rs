//! Truncated, corrupt, foreign and random input; byte orders and link-layer variants built from
//! the real loopback capture.

mod common;

use std::io::Cursor;

use common::*;
use nightjar_packet::{decode, read_all, LinkType, PacketError, PacketRepr, PcapReader, Record};
use proptest::prelude::*;

fn lo_bytes() -> Vec<u8> {
    std::fs::read(data("lo.pcap")).unwrap()
}

fn reference() -> Vec<Record> {
    read_all(&data("lo.pcap")).unwrap().records
}

#[test]
fn truncated_at_every_byte_offset_of_a_pcap() {
    let bytes = lo_bytes();
    let full = reference();
    let (_, _, ends) = split_pcap(&bytes);
    for cut in 0..=bytes.len() {
        let prefix = bytes[..cut].to_vec();
        match PcapReader::from_reader(Cursor::new(prefix)) {
            Err(PacketError::NotACapture(msg)) => {
                assert!(cut < 24, "cut {cut}: {msg}");
                if cut == 0 {
                    assert!(msg.contains("empty"), "{msg}");
                }
            }
            Err(e) => panic!("cut {cut}: {e}"),
            Ok(mut r) => {
                assert!(cut >= 24, "cut {cut} accepted");
                let recs: Vec<Record> = r.by_ref().map(|x| x.unwrap()).collect();
                let whole = ends.iter().filter(|&&e| e <= cut).count();
                assert_eq!(recs, full[..whole], "cut {cut}");
                let boundary = cut == 24 || ends.contains(&cut);
                assert_eq!(
                    r.warnings().len(),
                    usize::from(!boundary),
                    "cut {cut}: {:?}",
                    r.warnings()
                );
                if !boundary {
                    let at = if whole == 0 { 24 } else { ends[whole - 1] };
                    let w = &r.warnings()[0];
                    assert!(
                        w.contains(&format!("truncated at byte {at} after {whole} records")),
                        "{w}"
                    );
                }
            }
        }
    }
}

/// pcapng block boundaries from the block-total-length fields (little-endian section).
fn ng_blocks(bytes: &[u8]) -> Vec<(usize, u32)> {
    let mut off = 0;
    let mut out = Vec::new();
    while off + 12 <= bytes.len() {
        let ty = u32::from_le_bytes(bytes[off..off + 4].try_into().unwrap());
        let len = u32::from_le_bytes(bytes[off + 4..off + 8].try_into().unwrap()) as usize;
        off += len;
        out.push((off, ty));
    }
    out
}

#[test]
fn truncated_at_every_byte_offset_of_a_pcapng() {
    let bytes = std::fs::read(data("lo.pcapng")).unwrap();
    let full = reference();
    let blocks = ng_blocks(&bytes);
    assert_eq!(blocks.last().unwrap().0, bytes.len());
    let shb_end = blocks[0].0;
    for cut in 0..=bytes.len() {
        match PcapReader::from_reader(Cursor::new(bytes[..cut].to_vec())) {
            Err(PacketError::NotACapture(_)) => assert!(cut < shb_end, "cut {cut} refused"),
            Err(e) => panic!("cut {cut}: {e}"),
            Ok(mut r) => {
                assert!(cut >= shb_end, "cut {cut} accepted");
                let recs: Vec<Record> = r.by_ref().map(|x| x.unwrap()).collect();
                let whole = blocks
                    .iter()
                    .filter(|&&(e, ty)| e <= cut && ty == 6)
                    .count();
                assert_eq!(recs, full[..whole], "cut {cut}");
                let boundary = blocks.iter().any(|&(e, _)| e == cut);
                assert_eq!(
                    r.warnings().len(),
                    usize::from(!boundary),
                    "cut {cut}: {:?}",
                    r.warnings()
                );
            }
        }
    }
}

#[test]
fn truncated_linux_cooked_capture_keeps_whole_records() {
    let bytes = std::fs::read(data("any-sll2.pcap")).unwrap();
    let full = read_all(&data("any-sll2.pcap")).unwrap().records;
    for cut in (24..bytes.len()).step_by(7) {
        let (recs, warnings, link) = read_bytes(bytes[..cut].to_vec());
        assert_eq!(link, LinkType::LINUX_SLL2);
        assert_eq!(recs, full[..recs.len()]);
        assert!(warnings.len() <= 1);
    }
}

#[test]
fn empty_garbage_and_foreign_files_are_not_captures() {
    let cases: [(&[u8], &str); 5] = [
        (b"", "empty"),
        (b"\xd4\xc3", "too short"),
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00", "unknown magic"),
        (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "unknown magic"),
        (
            b"\xd4\xc3\xb2\xa1\x02\x00\x04\x00",
            "truncated pcap file header",
        ),
    ];
    for (bytes, want) in cases {
        match PcapReader::from_reader(Cursor::new(bytes.to_vec())) {
            Err(e @ PacketError::NotACapture(_)) => assert!(e.to_string().contains(want), "{e}"),
            other => panic!("{bytes:?}: {other:?}"),
        }
    }
    let dir = std::env::temp_dir().join(format!("nightjar-packet-empty-{}", std::process::id()));
    std::fs::write(&dir, b"").unwrap();
    let e = read_all(&dir).unwrap_err();
    std::fs::remove_file(&dir).unwrap();
    assert!(e.to_string().contains("not a capture: empty"), "{e}");
    assert!(matches!(
        read_all(std::path::Path::new("/nonexistent/x.pcap")),
        Err(PacketError::Open { .. })
    ));
}

#[test]
fn corrupt_record_length_mid_file_stops_with_what_came_before() {
    let mut bytes = lo_bytes();
    let (_, _, ends) = split_pcap(&bytes);
    // record 5's caplen becomes absurd
    let at = ends[4] + 8;
    bytes[at..at + 4].copy_from_slice(&0x7fff_0000u32.to_le_bytes());
    let mut r = PcapReader::from_reader(Cursor::new(bytes.clone())).unwrap();
    let items: Vec<_> = r.by_ref().collect();
    assert_eq!(items.len(), 6);
    assert!(items[..5].iter().all(|x| x.is_ok()));
    match &items[5] {
        Err(PacketError::Corrupt {
            offset, records, ..
        }) => assert_eq!((*offset, *records), (ends[4] as u64, 5)),
        other => panic!("{other:?}"),
    }
    // a caplen above the snap length but inside the buffer is caught too
    let mut b2 = lo_bytes();
    b2[at..at + 4].copy_from_slice(&300_000u32.to_le_bytes());
    b2.resize(b2.len() + 300_000, 0);
    let path = std::env::temp_dir().join(format!(
        "nightjar-packet-corrupt-{}.pcap",
        std::process::id()
    ));
    std::fs::write(&path, &b2).unwrap();
    let cap = read_all(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(cap.records.len(), 5);
    assert_eq!(cap.warnings.len(), 1);
    assert!(
        cap.warnings[0].contains("corrupt capture at byte"),
        "{:?}",
        cap.warnings
    );
}

/// Byte-swap the file header and every record header: a big-endian capture of the same frames.
fn to_big_endian(bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    let swap = |o: &mut Vec<u8>, at: usize, n: usize| o[at..at + n].reverse();
    swap(&mut out, 0, 4);
    swap(&mut out, 4, 2);
    swap(&mut out, 6, 2);
    for f in [8, 12, 16, 20] {
        swap(&mut out, f, 4);
    }
    let (_, recs, _) = split_pcap(bytes);
    let mut off = 24;
    for r in recs {
        for f in 0..4 {
            swap(&mut out, off + 4 * f, 4);
        }
        off += 16 + r.data.len();
    }
    out
}

#[test]
fn big_endian_pcap_reads_like_little_endian() {
    let be = to_big_endian(&lo_bytes());
    assert_eq!(&be[..4], &[0xa1, 0xb2, 0xc3, 0xd4]);
    let (recs, warnings, link) = read_bytes(be);
    assert_eq!(link, LinkType::ETHERNET);
    assert!(warnings.is_empty());
    assert_eq!(recs, reference());
}

/// Rewrite lo.pcap's frames under another link type; records must match except `wire_len`.
fn relinked(link: LinkType, f: impl Fn(&[u8]) -> Vec<u8>) -> Vec<Record> {
    let (_, mut recs, _) = split_pcap(&lo_bytes());
    for r in &mut recs {
        let d = f(&r.data);
        r.orig = (r.orig as usize + d.len() - r.data.len()) as u32;
        r.data = d;
    }
    let (out, warnings, got_link) = read_bytes(write_pcap(link, &recs));
    assert_eq!(got_link, link);
    assert!(warnings.is_empty());
    out
}

fn same_but_wire_len(a: &[Record], b: &[Record], delta: i64) {
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        let (Record::Packet(x), Record::Packet(y)) = (x, y) else {
            panic!("{x:?} {y:?}")
        };
        assert_eq!(i64::from(x.wire_len), i64::from(y.wire_len) + delta);
        let mut x2 = *x;
        x2.wire_len = y.wire_len;
        assert_eq!(&x2, y);
    }
}

#[test]
fn vlan_tags_single_and_double() {
    let base = reference();
    let one = relinked(LinkType::ETHERNET, |d| {
        [&d[..12], &[0x81, 0x00, 0x00, 0x64], &d[12..]].concat()
    });
    same_but_wire_len(&one, &base, 4);
    let two = relinked(LinkType::ETHERNET, |d| {
        [
            &d[..12],
            &[0x88, 0xa8, 0x00, 0x0a, 0x81, 0x00, 0x00, 0x64],
            &d[12..],
        ]
        .concat()
    });
    same_but_wire_len(&two, &base, 8);
    // a tag cut short
    let cut = relinked(LinkType::ETHERNET, |d| [&d[..12], &[0x81, 0x00]].concat());
    assert!(cut.iter().all(|r| matches!(
        r,
        Record::Undecoded {
            reason: "truncated VLAN tag",
            ..
        }
    )));
}

/// The real frames' IPv4 packets behind an MPLS label stack (RFC 3032 §2.1: label, traffic
/// class, bottom-of-stack bit, TTL) and inside a PPPoE session (RFC 2516 §4, PPP protocol
/// 0x0021 for IPv4, RFC 1332), as an ISP's or a carrier's link would carry them.
#[test]
fn mpls_label_stacks_and_pppoe_sessions() {
    let base = reference();
    // every frame of lo.pcap is IPv4 (EtherType 0x0800)
    assert!(split_pcap(&lo_bytes())
        .1
        .iter()
        .all(|r| r.data[12..14] == [0x08, 0x00]));
    let one = relinked(LinkType::ETHERNET, |d| {
        [&d[..12], &[0x88, 0x47, 0x00, 0x01, 0x01, 0x40], &d[14..]].concat()
    });
    same_but_wire_len(&one, &base, 4);
    let two = relinked(LinkType::ETHERNET, |d| {
        [
            &d[..12],
            &[0x81, 0x00, 0x00, 0x64, 0x88, 0x47],
            &[0x00, 0x01, 0x00, 0x40, 0x00, 0x02, 0x01, 0x40],
            &d[14..],
        ]
        .concat()
    });
    same_but_wire_len(&two, &base, 12);
    let pppoe = relinked(LinkType::ETHERNET, |d| {
        let len = u16::try_from(d.len() - 14 + 2).unwrap().to_be_bytes();
        [
            &d[..12],
            &[
                0x88, 0x64, 0x11, 0x00, 0x00, 0x2a, len[0], len[1], 0x00, 0x21,
            ],
            &d[14..],
        ]
        .concat()
    });
    same_but_wire_len(&pppoe, &base, 8);
    // a stack cut short, and PPP's own link control (LCP, 0xc021): reported, not guessed at
    let cut = relinked(LinkType::ETHERNET, |d| {
        [&d[..12], &[0x88, 0x47, 0x00, 0x01]].concat()
    });
    let lcp = relinked(LinkType::ETHERNET, |d| {
        [
            &d[..12],
            &[0x88, 0x64, 0x11, 0x00, 0x00, 0x2a, 0x00, 0x10, 0xc0, 0x21],
            &d[14..],
        ]
        .concat()
    });
    for (recs, why) in [
        (cut, "truncated MPLS label stack"),
        (lcp, "PPPoE frame not IP (PPP control)"),
    ] {
        assert!(recs
            .iter()
            .all(|r| matches!(r, Record::Undecoded { reason, .. } if *reason == why)));
    }
}

#[test]
fn raw_ip_null_and_loop_link_types() {
    let base = reference();
    for link in [
        LinkType::RAW,
        LinkType::IPV4,
        LinkType::RAW_12,
        LinkType::RAW_14,
    ] {
        same_but_wire_len(&relinked(link, |d| d[14..].to_vec()), &base, -14);
    }
    let null_le = relinked(LinkType::NULL, |d| {
        [&2u32.to_le_bytes()[..], &d[14..]].concat()
    });
    same_but_wire_len(&null_le, &base, -10);
    let null_be = relinked(LinkType::NULL, |d| {
        [&2u32.to_be_bytes()[..], &d[14..]].concat()
    });
    same_but_wire_len(&null_be, &base, -10);
    let lp = relinked(LinkType::LOOP, |d| {
        [&2u32.to_be_bytes()[..], &d[14..]].concat()
    });
    same_but_wire_len(&lp, &base, -10);
    // a link type decode does not read: every record undecoded, and one warning that says so
    // (from the pcap header, and from a pcapng interface block)
    let (_, recs, _) = split_pcap(&lo_bytes());
    let classic = write_pcap(LinkType(147), &recs);
    let ng = std::fs::read(data("lo.pcapng")).unwrap();
    // ng_blocks gives each block's end: the interface block starts where the one before ends
    let blocks = ng_blocks(&ng);
    let i = blocks
        .iter()
        .position(|b| b.1 == 1)
        .expect("an interface block");
    let idb = blocks[i - 1].0;
    let mut ng147 = ng.clone();
    ng147[idb + 8..idb + 10].copy_from_slice(&147u16.to_le_bytes());
    for bytes in [classic, ng147] {
        let (unknown, warnings, _) = read_bytes(bytes);
        assert_eq!(unknown.len(), 15);
        assert!(unknown.iter().all(|r| matches!(
            r,
            Record::Undecoded {
                reason: "unsupported link type",
                ..
            }
        )));
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].starts_with("link type 147 is not supported"),
            "{warnings:?}"
        );
    }
}

/// An 802.3 frame (a length where the EtherType would be) with an LLC/SNAP header carries IP
/// like Ethernet II; one with another LLC header (spanning tree's 42 42 03) does not.
#[test]
fn ethernet_802_3_frames_with_llc_snap() {
    let base = reference();
    let snap = relinked(LinkType::ETHERNET, |d| {
        let len = (d.len() - 14 + 8) as u16;
        [
            &d[..12],
            &len.to_be_bytes()[..],
            &[0xAA, 0xAA, 3, 0, 0, 0],
            &d[12..],
        ]
        .concat()
    });
    same_but_wire_len(&snap, &base, 8);
    for (llc, why) in [
        (
            &[0x42, 0x42, 3, 0, 0, 0, 0, 0][..],
            "802.3/LLC frame (not IP)",
        ),
        (&[0xAA, 0xAA, 3, 0, 0][..], "truncated LLC/SNAP header"),
    ] {
        let cut = relinked(LinkType::ETHERNET, |d| [&d[..12], &[0, 40], llc].concat());
        assert!(cut
            .iter()
            .all(|r| matches!(r, Record::Undecoded { reason, .. } if *reason == why)));
    }
}

/// The first NFLOG record of nflog.pcap with its attributes' headers in the other byte order
/// (a capture made on a big-endian host) reads the same; one without the payload attribute, of
/// another family, or with an attribute shorter than its header is reported.
#[test]
fn netfilter_log_byte_orders_and_malformed_messages() {
    let (_, recs, _) = split_pcap(&std::fs::read(data("nflog.pcap")).unwrap());
    let le = recs[0].data.clone();
    let mut be = le.clone();
    let mut at = 4;
    let mut tlvs = Vec::new();
    while at + 4 <= le.len() {
        let len = usize::from(u16::from_le_bytes([le[at], le[at + 1]]));
        let ty = u16::from_le_bytes([le[at + 2], le[at + 3]]);
        be[at..at + 2].copy_from_slice(&(len as u16).to_be_bytes());
        be[at + 2..at + 4].copy_from_slice(&ty.to_be_bytes());
        tlvs.push((at, len, ty));
        at += (len + 3) & !3;
    }
    assert!(tlvs.len() >= 3, "{tlvs:?}");
    assert!(tlvs.iter().any(|t| t.2 == 9), "{tlvs:?}");
    let read = |d: &[u8]| decode(LinkType::NFLOG, d, 0, 1.0, 100);
    let Record::Packet(want) = read(&le) else {
        panic!("{:?}", read(&le))
    };
    assert_eq!(read(&be), Record::Packet(want));
    let undecoded = |d: &[u8]| match read(d) {
        Record::Undecoded { reason, .. } => reason,
        other => panic!("{other:?}"),
    };
    let (pay_at, _, _) = *tlvs.iter().find(|t| t.2 == 9).unwrap();
    assert_eq!(undecoded(&le[..pay_at]), "NFLOG message without a packet");
    let mut fam = le.clone();
    fam[0] = 7;
    assert_eq!(undecoded(&fam), "NFLOG message not IPv4 or IPv6");
    let mut short = le.clone();
    short[4..6].copy_from_slice(&2u16.to_le_bytes());
    assert!(!matches!(read(&short), Record::Packet(_)));
    assert_eq!(undecoded(&le[..3]), "truncated NFLOG header");
    // every prefix: a packet (the IP header whole), or a reason; never a panic
    for cut in 0..le.len() {
        let _ = read(&le[..cut]);
    }
}

/// Cuts and odd fields in the re-linked 802.11, radiotap, PPI, PPP and Cisco HDLC captures.
#[test]
fn wireless_ppp_and_hdlc_headers_cut_or_odd() {
    let first = |name: &str| {
        split_pcap(&std::fs::read(data(name)).unwrap()).1[0]
            .data
            .clone()
    };
    let reason = |link: LinkType, d: &[u8]| match decode(link, d, 0, 1.0, 100) {
        Record::Undecoded { reason, .. } => reason,
        other => panic!("{link}: {other:?}"),
    };
    for (name, link) in [
        ("wlan.pcap", LinkType::IEEE802_11),
        ("radiotap.pcap", LinkType::IEEE802_11_RADIOTAP),
        ("ppi.pcap", LinkType::PPI),
        ("ppp.pcap", LinkType::PPP),
        ("chdlc.pcap", LinkType::C_HDLC),
        ("pflog.pcap", LinkType::PFLOG),
    ] {
        let d = first(name);
        assert!(matches!(decode(link, &d, 0, 1.0, 100), Record::Packet(_)));
        for cut in 0..d.len() {
            let _ = decode(link, &d[..cut], 0, 1.0, 100);
        }
        assert!(reason(link, &[]).starts_with("truncated"), "{name}");
    }
    let wlan = first("wlan.pcap");
    let mut v = wlan.clone();
    v[0] |= 1;
    assert_eq!(
        reason(LinkType::IEEE802_11, &v),
        "802.11 frame of an unknown protocol version"
    );
    let mut frag = wlan.clone();
    frag[22] |= 3;
    assert_eq!(
        reason(LinkType::IEEE802_11, &frag),
        "802.11 fragment after the first"
    );
    assert_eq!(
        reason(LinkType::IEEE802_11, &wlan[..20]),
        "truncated 802.11 header"
    );
    let mut rt = first("radiotap.pcap");
    rt[0] = 1;
    assert_eq!(
        reason(LinkType::IEEE802_11_RADIOTAP, &rt),
        "radiotap header of an unknown version"
    );
    rt[0] = 0;
    rt[2..4].copy_from_slice(&4u16.to_le_bytes());
    assert_eq!(
        reason(LinkType::IEEE802_11_RADIOTAP, &rt),
        "malformed radiotap header"
    );
    let mut ppi = first("ppi.pcap");
    ppi[4..8].copy_from_slice(&147u32.to_le_bytes());
    assert_eq!(
        reason(LinkType::PPI, &ppi),
        "PPI frame of an unsupported link type"
    );
    // pf's log: a header shorter than tcpdump's minimum (45), another address family
    let mut pf = first("pflog.pcap");
    pf[0] = 44;
    assert_eq!(reason(LinkType::PFLOG, &pf), "malformed pflog header");
    pf[0] = 100;
    pf[1] = 17;
    assert_eq!(
        reason(LinkType::PFLOG, &pf),
        "pflog packet not IPv4 or IPv6"
    );
    // PPP_HDLC (50): RFC 1662 framing, or a Cisco HDLC frame, by the first byte
    let ppp = first("ppp.pcap");
    assert_eq!(&ppp[..2], &[0xFF, 0x03]);
    let chdlc = first("chdlc.pcap");
    for d in [&ppp, &chdlc] {
        assert_eq!(
            decode(LinkType::PPP_HDLC, d, 0, 1.0, 100),
            decode(LinkType::PPP, &ppp, 0, 1.0, 100)
        );
    }
}

#[test]
fn headers_cut_by_the_snap_length() {
    // keep only part of each frame, as a tiny snaplen would
    let (_, recs, _) = split_pcap(&lo_bytes());
    let cut = |n: usize| {
        let r2: Vec<Raw> = recs
            .iter()
            .map(|r| Raw {
                data: r.data[..n.min(r.data.len())].to_vec(),
                ..r.clone()
            })
            .collect();
        read_bytes(write_pcap(LinkType::ETHERNET, &r2)).0
    };
    assert!(cut(10).iter().all(|r| matches!(
        r,
        Record::Undecoded {
            reason: "truncated Ethernet header",
            ..
        }
    )));
    assert!(cut(30).iter().all(|r| matches!(
        r,
        Record::Undecoded {
            reason: "truncated IPv4 header",
            ..
        }
    )));
    let c40 = cut(42); // IP whole, transport cut: TCP needs 20 bytes, UDP and ICMP 8
    assert!(matches!(
        c40[2],
        Record::Undecoded {
            reason: "truncated TCP header",
            ..
        }
    ));
    assert!(matches!(c40[0], Record::Packet(_)));
    assert!(matches!(c40[13], Record::Packet(_)));
    // with every header whole, records are identical to the full capture (lengths come from
    // headers), but for the first bytes of TCP payloads, which are what the capture kept: 66
    // bytes end a TCP header with timestamps, and keep 24 bytes of a UDP payload, whose head
    // is as in the full capture
    let headless = |rs: Vec<Record>| -> Vec<Record> {
        rs.into_iter()
            .map(|r| match r {
                Record::Packet(p) if p.proto == 6 => {
                    Record::Packet(PacketRepr { head: [0; 4], ..p })
                }
                other => other,
            })
            .collect()
    };
    let c66 = cut(66);
    assert!(c66
        .iter()
        .all(|r| !matches!(r, Record::Packet(p) if p.proto == 6 && p.head != [0; 4])));
    assert!(c66
        .iter()
        .any(|r| matches!(r, Record::Packet(p) if p.proto == 17 && p.head != [0; 4])));
    assert_eq!(headless(c66), headless(reference()));
    assert_eq!(cut(70), reference());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        if let Ok(r) = PcapReader::from_reader(Cursor::new(bytes)) {
            for item in r.take(10_000) { let _ = item; }
        }
    }

    #[test]
    fn random_records_after_a_valid_header_never_panic(link in prop::sample::select(vec![0u32, 1, 9, 12, 14, 50, 101, 104, 105, 108, 113, 117, 127, 192, 228, 229, 239, 276, 9999]),
                                                       body in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let mut bytes = write_pcap(LinkType(link), &[]);
        bytes.extend_from_slice(&body);
        let r = PcapReader::from_reader(Cursor::new(bytes)).unwrap();
        for item in r.take(10_000) { let _ = item; }
    }

    #[test]
    fn mutated_real_capture_never_panics(flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..20)) {
        let mut bytes = lo_bytes();
        for (i, v) in flips { let n = bytes.len(); bytes[i.index(n)] = v; }
        if let Ok(r) = PcapReader::from_reader(Cursor::new(bytes)) {
            for item in r.take(10_000) { let _ = item; }
        }
        let mut ng = std::fs::read(data("lo.pcapng")).unwrap();
        ng[40] ^= 0xff;
        if let Ok(r) = PcapReader::from_reader(Cursor::new(ng)) {
            for item in r.take(10_000) { let _ = item; }
        }
    }

    #[test]
    fn decode_never_panics(link in 0u32..300, data in proptest::collection::vec(any::<u8>(), 0..200)) {
        let r = decode(LinkType(link), &data, 7, 1.5, 60);
        prop_assert_eq!(r.index(), 7);
    }

    #[test]
    fn decode_of_mutated_frames_never_panics(which in 0usize..15, at in 0usize..100, v in any::<u8>()) {
        let (_, recs, _) = split_pcap(&lo_bytes());
        let mut d = recs[which].data.clone();
        let n = d.len();
        d[at % n] = v;
        for link in [1u32, 101, 113, 276, 9, 50, 104, 117, 239] {
            let _ = decode(LinkType(link), &d, 0, 0.0, n as u32);
        }
    }
}

#[test]
fn pcapng_with_two_sections_reads_both() {
    let one = std::fs::read(data("lo.pcapng")).unwrap();
    let (recs, warnings, link) = read_bytes([one.clone(), one].concat());
    assert_eq!(link, LinkType::ETHERNET);
    assert!(warnings.is_empty());
    let base = reference();
    assert_eq!(recs.len(), 30);
    for (i, r) in recs.iter().enumerate() {
        let (Record::Packet(x), Record::Packet(y)) = (r, &base[i % 15]) else {
            panic!()
        };
        assert_eq!(x.index, i as u64);
        assert_eq!(
            Record::Packet(PacketRepr {
                index: y.index,
                ..*x
            }),
            Record::Packet(*y)
        );
    }
}

/// A stream that fails after `ok` bytes, like a disk error or a broken pipe.
struct Failing {
    data: Vec<u8>,
    pos: usize,
    ok: usize,
}

impl std::io::Read for Failing {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.pos >= self.ok {
            return Err(std::io::Error::other("device on fire"));
        }
        let n = buf.len().min(self.ok - self.pos).min(100);
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[test]
fn read_errors_are_reported_with_their_cause() {
    let bytes = lo_bytes();
    // fails before the header is complete
    let e = PcapReader::from_reader(Failing {
        data: bytes.clone(),
        pos: 0,
        ok: 10,
    })
    .unwrap_err();
    assert!(
        matches!(e, PacketError::Read { .. }) && e.to_string().contains("device on fire"),
        "{e}"
    );
    // fails mid-stream: records before it, then the error, then the end
    let mut r = PcapReader::from_reader(Failing {
        data: bytes.clone(),
        pos: 0,
        ok: 700,
    })
    .unwrap();
    let items: Vec<_> = r.by_ref().collect();
    let (ok, err): (Vec<_>, Vec<_>) = items.into_iter().partition(|x| x.is_ok());
    assert!(!ok.is_empty() && ok.len() < 15);
    assert_eq!(err.len(), 1);
    let e = err.into_iter().next().unwrap().unwrap_err();
    assert!(e.to_string().contains("device on fire"), "{e}");
}

/// Every item of a reader over `bytes`: the records before the first error, then that error.
fn items(bytes: Vec<u8>) -> (Vec<Record>, Option<PacketError>, Vec<String>) {
    let mut r = PcapReader::from_reader(Cursor::new(bytes)).expect("a capture");
    let mut recs = Vec::new();
    let mut err = None;
    for item in r.by_ref() {
        match item {
            Ok(rec) => recs.push(rec),
            Err(e) => {
                assert!(err.is_none(), "a second error after {err:?}: {e}");
                err = Some(e);
            }
        }
    }
    (recs, err, r.warnings().to_vec())
}

#[test]
fn corrupt_pcapng_block_length_stops_with_what_came_before() {
    let bytes = std::fs::read(data("lo.pcapng")).unwrap();
    let blocks = ng_blocks(&bytes);
    let full = reference();
    // the 6th packet block (after SHB, IDB and 5 EPBs) gets impossible total lengths:
    // too small for a block, not a multiple of 4, and larger than the file
    let at = blocks[6].0; // start of the 8th block = 6th EPB
    for bad in [4u32, 13, 0x00ff_fff0] {
        let mut b = bytes.clone();
        b[at + 4..at + 8].copy_from_slice(&bad.to_le_bytes());
        let (recs, err, warnings) = items(b);
        assert_eq!(recs, full[..5], "block length {bad}");
        match (err, bad) {
            (Some(e @ PacketError::Corrupt { .. }), _) => {
                let msg = e.to_string();
                assert!(msg.contains("after 5 records"), "{bad}: {msg}")
            }
            // a length past the end of the input reads as a truncated last block
            (None, 0x00ff_fff0) => {
                assert_eq!(warnings.len(), 1, "{warnings:?}");
                assert!(warnings[0].contains("after 5 records"), "{warnings:?}");
            }
            (other, _) => panic!("block length {bad}: {other:?} {warnings:?}"),
        }
    }
    // a trailing length that disagrees with the leading one
    let mut b = bytes.clone();
    let end = blocks[6].0 + 132 - 4;
    let len = u32::from_le_bytes(b[end..end + 4].try_into().unwrap());
    b[end..end + 4].copy_from_slice(&(len + 4).to_le_bytes());
    let (recs, _err, _) = items(b);
    assert!(recs.len() <= full.len());
    assert_eq!(recs[..5], full[..5]);
}

#[test]
fn truncated_tail_of_a_lab_capture_is_a_warning_with_partial_results() {
    let path = captures("test3.pcap");
    let full = read_all(&path).unwrap();
    assert!(full.warnings.is_empty());
    let bytes = std::fs::read(&path).unwrap();
    let cut = bytes.len() - 7; // the last record loses its last 7 bytes
    let tmp =
        std::env::temp_dir().join(format!("nightjar-packet-tail-{}.pcap", std::process::id()));
    std::fs::write(&tmp, &bytes[..cut]).unwrap();
    let got = read_all(&tmp);
    std::fs::remove_file(&tmp).unwrap();
    let got = got.unwrap();
    assert_eq!(got.records.len(), full.records.len() - 1);
    assert_eq!(got.records[..], full.records[..got.records.len()]);
    assert_eq!(got.warnings.len(), 1, "{:?}", got.warnings);
    assert!(
        got.warnings[0].contains("truncated at byte")
            && got.warnings[0].contains(&format!("after {} records", got.records.len())),
        "{:?}",
        got.warnings
    );
}

#[test]
fn zero_filled_text_and_header_only_files() {
    // zeros and text: not captures, named as such
    for (bytes, want) in [
        (vec![0u8; 4096], "unknown magic number 00 00 00 00"),
        (
            b"index,ts,src,dst\n0,1.5,198.18.0.1,198.18.0.2\n".to_vec(),
            "unknown magic",
        ),
        (b"\n\r\r\n\x1c\x00\x00\x00".to_vec(), "pcapng"),
    ] {
        match PcapReader::from_reader(Cursor::new(bytes)) {
            Err(e @ PacketError::NotACapture(_)) => assert!(e.to_string().contains(want), "{e}"),
            other => panic!("{want}: {other:?}"),
        }
    }
    // a pcap file header and nothing else: a valid, empty capture
    let header_only = write_pcap(LinkType::ETHERNET, &[]);
    let (recs, warnings, link) = read_bytes(header_only);
    assert!(recs.is_empty() && warnings.is_empty());
    assert_eq!(link, LinkType::ETHERNET);
    // a pcapng section header alone: also an empty capture, no interface declared
    let ng = std::fs::read(data("lo.pcapng")).unwrap();
    let shb_len = u32::from_le_bytes(ng[4..8].try_into().unwrap()) as usize;
    let (recs, warnings, link) = read_bytes(ng[..shb_len].to_vec());
    assert!(recs.is_empty() && warnings.is_empty());
    assert_eq!(link, LinkType(u32::MAX));
}

/// An Ethernet frame carrying IPv6 from ::1 to ::1 with next header `nh` and `payload`.
fn ipv6_frame(nh: u8, payload: &[u8]) -> Vec<u8> {
    let mut f = vec![0u8; 12];
    f.extend_from_slice(&[0x86, 0xdd, 0x60, 0, 0, 0]);
    f.extend_from_slice(&(payload.len() as u16).to_be_bytes());
    f.extend_from_slice(&[nh, 64]);
    f.extend_from_slice(&std::net::Ipv6Addr::LOCALHOST.octets());
    f.extend_from_slice(&std::net::Ipv6Addr::LOCALHOST.octets());
    f.extend_from_slice(payload);
    f
}

/// Regression (fuzz target `pcap_reader`): when lax parsing stopped on a bad IPv6 extension
/// header, walking the extension chain with etherparse's iterator read past the end of the
/// chain (undefined behaviour, caught by the standard library's debug checks as an abort).
#[test]
fn ipv6_extension_chain_cut_by_an_error_is_not_read_past_its_end() {
    let hbh = |next: u8| [next, 0, 1, 4, 0, 0, 0, 0]; // 8 bytes, PadN option
    let frag = |next: u8, off: u16, more: bool| {
        let w = (off << 3) | u16::from(more);
        [next, 0, (w >> 8) as u8, w as u8, 0, 0, 0, 1]
    };
    let tcp_syn: [u8; 20] = [
        0x30, 0x39, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0x04, 0x00, 0, 0, 0, 0,
    ];
    // hop-by-hop twice (not allowed after the first header): the chain ends after the first
    let twice = ipv6_frame(0, &[&hbh(0)[..], &hbh(6)[..], &tcp_syn[..]].concat());
    // hop-by-hop, then a fragment header cut short
    let cut = ipv6_frame(0, &[&hbh(44)[..], &[6, 0, 0]].concat());
    // a routing header claiming more bytes than there are
    let long = ipv6_frame(43, &[6, 200, 0, 0, 0, 0, 0, 0]);
    for (name, frame) in [("twice", &twice), ("cut", &cut), ("long", &long)] {
        for n in 0..=frame.len() {
            let r = decode(LinkType::ETHERNET, &frame[..n], 0, 0.0, frame.len() as u32);
            if let Record::Packet(p) = r {
                assert!(!p.fragment, "{name} cut at {n}: {p:?}");
            }
        }
    }
    // whole chains still give the fragment position and the first fragment's ports
    let first = ipv6_frame(
        0,
        &[&hbh(44)[..], &frag(6, 0, true)[..], &tcp_syn[..]].concat(),
    );
    let Record::Packet(p) = decode(LinkType::ETHERNET, &first, 0, 0.0, first.len() as u32) else {
        panic!()
    };
    assert!(p.fragment);
    assert_eq!((p.proto, p.sport, p.dport), (6, 12345, 80));
    // the fragment header's Identification, 1
    assert_eq!((p.later_fragment, p.frag_id), (false, 1));
    assert_eq!((p.frag_offset(), p.more_fragments()), (0, true));
    let later = ipv6_frame(
        0,
        &[&hbh(44)[..], &frag(6, 185, false)[..], &[0u8; 24][..]].concat(),
    );
    let Record::Packet(p) = decode(LinkType::ETHERNET, &later, 0, 0.0, later.len() as u32) else {
        panic!()
    };
    assert!(p.fragment);
    assert_eq!((p.proto, p.sport, p.dport), (6, 0, 0));
    assert_eq!((p.later_fragment, p.frag_id), (true, 1));
    assert_eq!((p.frag_offset(), p.more_fragments()), (1480, false));
}
