//! Write the seed corpus of the fuzz targets `pcap_reader` and `packet_decode` (fuzz/seeds/)
//! from a few real frames of a lab capture:
//!
//! ```text
//! cargo run -p nightjar-packet --example fuzz_seeds -- data/captures/test3.pcap fuzz/seeds
//! ```
//!
//! One frame of each kind found (TCP SYN, SYN-ACK, RST, FIN-PSH-URG, ACK with payload, UDP,
//! ICMP echo, ICMP error, ARP), written with the crate's own [`PcapWriter`] as a small pcap
//! (micro- and nanosecond), and each frame alone for `packet_decode` (which decodes its input
//! under every supported link type), plus two IP packets without their Ethernet header.

use std::path::PathBuf;

use nightjar_packet::{decode, proto, tcp_flags as F, LinkType, PcapWriter, Record};

/// (secs, usecs, orig_len, frame bytes) of one classic pcap record.
type Frame<'a> = (u32, u32, u32, &'a [u8]);

/// Classic little-endian microsecond pcap only.
fn frames(bytes: &[u8]) -> Vec<Frame<'_>> {
    let u32le = |o: usize| u32::from_le_bytes(bytes[o..o + 4].try_into().unwrap());
    assert_eq!(
        &bytes[..4],
        &[0xd4, 0xc3, 0xb2, 0xa1],
        "LE microsecond pcap"
    );
    let mut out = Vec::new();
    let mut off = 24;
    while off + 16 <= bytes.len() {
        let caplen = u32le(off + 8) as usize;
        let Some(d) = bytes.get(off + 16..off + 16 + caplen) else {
            break;
        };
        out.push((u32le(off), u32le(off + 4), u32le(off + 12), d));
        off += 16 + caplen;
    }
    out
}

fn kind(r: &Record) -> Option<&'static str> {
    let Record::Packet(p) = r else {
        return matches!(r, Record::Arp(_)).then_some("arp");
    };
    Some(match (p.proto, p.tcp_flags) {
        (proto::TCP, F::SYN) => "tcp-syn",
        (proto::TCP, f) if f == F::SYN | F::ACK => "tcp-synack",
        (proto::TCP, f) if f & F::RST != 0 => "tcp-rst",
        (proto::TCP, f) if f == F::FIN | F::PSH | F::URG => "tcp-xmas",
        (proto::TCP, f) if f & F::ACK != 0 && p.payload_len > 0 => "tcp-data",
        (proto::UDP, _) => "udp",
        (proto::ICMP, _) if p.inner.is_some() => "icmp-error",
        (proto::ICMP, 0 | 8) if p.icmp_type == 8 => "icmp-echo",
        _ => return None,
    })
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, out] = &args[..] else {
        eprintln!("usage: fuzz_seeds CAPTURE.pcap OUT_DIR");
        std::process::exit(2);
    };
    let bytes = std::fs::read(input).expect("read capture");
    let mut picked: Vec<(&str, Frame)> = Vec::new();
    for (i, f) in frames(&bytes).into_iter().enumerate() {
        let rec = decode(LinkType::ETHERNET, f.3, i as u64, 0.0, f.2);
        if let Some(k) = kind(&rec) {
            if !picked.iter().any(|(n, _)| *n == k) {
                picked.push((k, f));
            }
        }
    }
    let out = PathBuf::from(out);
    let (pr, pd) = (out.join("pcap_reader"), out.join("packet_decode"));
    std::fs::create_dir_all(&pr).unwrap();
    std::fs::create_dir_all(&pd).unwrap();
    for nanos in [false, true] {
        let file = std::fs::File::create(pr.join(if nanos {
            "frames-ns.pcap"
        } else {
            "frames.pcap"
        }))
        .unwrap();
        let mut w = if nanos {
            PcapWriter::new_nanosecond(file, LinkType::ETHERNET, 65_535)
        } else {
            PcapWriter::new(file, LinkType::ETHERNET, 65_535)
        }
        .unwrap();
        for (_, (s, us, orig, d)) in &picked {
            let frac = if nanos { us * 1000 } else { *us };
            w.write_packet(*s, frac, d, *orig).unwrap();
        }
        w.into_inner().unwrap();
    }
    for (name, (_, _, _, d)) in &picked {
        std::fs::write(pd.join(format!("eth-{name}")), d).unwrap();
    }
    // the IP packet alone, as raw IP (selector 4 = LINKTYPE_RAW 101)
    for (name, (_, _, _, d)) in picked.iter().filter(|(n, _)| n.starts_with("tcp-syn")) {
        std::fs::write(
            pd.join(format!("raw-{name}")),
            [&[4u8][..], &d[14..]].concat(),
        )
        .unwrap();
    }
    let names: Vec<&str> = picked.iter().map(|(n, _)| *n).collect();
    println!("{} frames: {}", picked.len(), names.join(", "));
}
