//! Decode throughput on a synthetic capture of 1,000,000 packets (a mix of TCP SYNs, TCP data
//! cut to a 96-byte snap length, UDP and ICMP, IPv4 and IPv6, some VLAN-tagged).
//!
//! `cargo test -p nightjar-packet --release --test throughput -- --ignored --nocapture`
//! prints packets per second for decoding alone and for reading the file end to end. The small
//! variant that always runs only checks that every record comes back decoded.

use std::io::{BufWriter, Cursor};
use std::time::Instant;

use etherparse::PacketBuilder;
use nightjar_packet::{decode, LinkType, PcapReader, PcapWriter, Record};

fn frames() -> Vec<(Vec<u8>, u32)> {
    let mut out = Vec::new();
    let mac_a = [2, 0, 0, 0, 0, 1];
    let mac_b = [2, 0, 0, 0, 0, 2];
    let mut v = Vec::new();
    PacketBuilder::ethernet2(mac_a, mac_b)
        .ipv4([198, 18, 0, 66], [198, 18, 0, 10], 64)
        .tcp(40000, 80, 1, 1024)
        .syn()
        .write(&mut v, &[])
        .unwrap();
    out.push((v.clone(), v.len() as u32));
    let mut v = Vec::new();
    PacketBuilder::ethernet2(mac_b, mac_a)
        .ipv4([198, 18, 0, 10], [198, 18, 0, 20], 64)
        .tcp(80, 51000, 7, 502)
        .ack(9)
        .psh()
        .write(&mut v, &[0x55; 1448])
        .unwrap();
    let wire = v.len() as u32;
    v.truncate(96);
    out.push((v, wire));
    let mut v = Vec::new();
    PacketBuilder::ethernet2(mac_a, mac_b)
        .ipv4([198, 18, 0, 21], [198, 18, 0, 10], 64)
        .udp(5353, 7)
        .write(&mut v, &[1; 120])
        .unwrap();
    v.truncate(96);
    out.push((v, 162));
    let mut v = Vec::new();
    PacketBuilder::ethernet2(mac_a, mac_b)
        .ipv4([198, 18, 0, 20], [198, 18, 0, 10], 64)
        .icmpv4_echo_request(1, 2)
        .write(&mut v, &[0; 56])
        .unwrap();
    out.push((v.clone(), v.len() as u32));
    let mut v = Vec::new();
    PacketBuilder::ethernet2(mac_a, mac_b)
        .ipv6([0xfd; 16], [0xfe; 16], 64)
        .tcp(443, 50000, 1, 100)
        .ack(5)
        .write(&mut v, &[])
        .unwrap();
    out.push((v.clone(), v.len() as u32));
    let mut v = Vec::new();
    PacketBuilder::ethernet2(mac_a, mac_b)
        .single_vlan(100.try_into().unwrap())
        .ipv4([198, 18, 0, 22], [198, 18, 0, 10], 64)
        .udp(1000, 53)
        .write(&mut v, &[7; 40])
        .unwrap();
    out.push((v.clone(), v.len() as u32));
    out
}

fn synthetic(n: usize) -> (Vec<u8>, Vec<(Vec<u8>, u32)>) {
    let fr = frames();
    let mut w = PcapWriter::new(
        BufWriter::new(Vec::with_capacity(n * 100)),
        LinkType::ETHERNET,
        96,
    )
    .unwrap();
    for i in 0..n {
        let (d, wire) = &fr[(i * 7 + i / 3) % fr.len()];
        w.write_packet(
            1_795_000_000 + (i / 10_000) as u32,
            (i % 10_000) as u32 * 100,
            d,
            *wire,
        )
        .unwrap();
    }
    (w.into_inner().unwrap().into_inner().unwrap(), fr)
}

fn read_count(bytes: Vec<u8>) -> (usize, usize) {
    let r = PcapReader::from_reader(Cursor::new(bytes)).unwrap();
    let mut n = 0;
    let mut decoded = 0;
    for rec in r {
        n += 1;
        if matches!(rec.unwrap(), Record::Packet(_)) {
            decoded += 1;
        }
    }
    (n, decoded)
}

#[test]
fn synthetic_capture_decodes_completely() {
    let (bytes, _) = synthetic(20_000);
    assert_eq!(read_count(bytes), (20_000, 20_000));
}

#[test]
#[ignore = "benchmark: run with --release -- --ignored --nocapture"]
fn throughput_one_million_packets() {
    const N: usize = 1_000_000;
    let (bytes, fr) = synthetic(N);
    let path =
        std::env::temp_dir().join(format!("nightjar-packet-bench-{}.pcap", std::process::id()));
    std::fs::write(&path, &bytes).unwrap();

    // decode alone: the frames are in memory, one decode() per packet
    let mut best_decode = f64::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        let mut acc = 0u64;
        for i in 0..N {
            let (d, wire) = &fr[(i * 7 + i / 3) % fr.len()];
            if let Record::Packet(p) = decode(LinkType::ETHERNET, d, i as u64, 0.0, *wire) {
                acc = acc.wrapping_add(u64::from(p.dport) + u64::from(p.tcp_flags));
            }
        }
        std::hint::black_box(acc);
        best_decode = best_decode.min(t.elapsed().as_secs_f64());
    }
    // end to end: file -> pcap-parser -> decode -> Record
    let mut best_file = f64::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        let r = PcapReader::open(&path).unwrap();
        let mut n = 0usize;
        for rec in r {
            std::hint::black_box(rec.unwrap());
            n += 1;
        }
        assert_eq!(n, N);
        best_file = best_file.min(t.elapsed().as_secs_f64());
    }
    std::fs::remove_file(&path).unwrap();
    println!(
        "synthetic pcap: {N} packets, {:.1} MB; decode alone: {:.2} M packets/s; file read + decode: {:.2} M packets/s ({:.0} MB/s)",
        bytes.len() as f64 / 1e6,
        N as f64 / best_decode / 1e6,
        N as f64 / best_file / 1e6,
        bytes.len() as f64 / best_file / 1e6
    );
}
