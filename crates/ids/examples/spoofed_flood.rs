//! Write a synthetic capture of a SYN flood from many distinct spoofed sources against one
//! victim, for the bounded-state check of `nightjar ids detect` (DESIGN §7: "state bounded in
//! memory, with eviction").
//!
//! ```sh
//! cargo run --release -p nightjar-ids --example spoofed_flood -- OUT.pcap [SOURCES] [VICTIM]
//! ```
//!
//! Every source sends one SYN to VICTIM:80 (default 198.18.0.10) and the victim answers with a
//! SYN-ACK, 10 µs apart: 2 × SOURCES packets (default 120,000 sources). Sources are taken in
//! order from 198.18.1.0 to 198.19.255.255 — the lab's 198.18.0.0/15 less its own /24 (a /16
//! holds only 65,536 addresses) — skipping the victim.

use nightjar_packet::{LinkType, PcapWriter};
use std::io::BufWriter;
use std::net::Ipv4Addr;

fn checksum(b: &[u8]) -> u16 {
    let mut s: u32 = 0;
    for c in b.chunks(2) {
        s += u32::from(u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]));
    }
    while s > 0xffff {
        s = (s & 0xffff) + (s >> 16);
    }
    !(s as u16)
}

/// An Ethernet frame holding an IPv4 TCP segment with no payload.
fn frame(src: Ipv4Addr, dst: Ipv4Addr, sport: u16, dport: u16, flags: u8, seq: u32) -> Vec<u8> {
    let mut f = Vec::with_capacity(54);
    f.extend_from_slice(&[0x02, 0, 0, 0, 0, 0x10, 0x02, 0, 0, 0, 0, 0x66, 0x08, 0x00]);
    let mut ip = [0u8; 20];
    ip[0] = 0x45;
    ip[2..4].copy_from_slice(&40u16.to_be_bytes());
    ip[4..6].copy_from_slice(&(seq as u16).to_be_bytes());
    ip[8] = 64;
    ip[9] = 6;
    ip[12..16].copy_from_slice(&src.octets());
    ip[16..20].copy_from_slice(&dst.octets());
    let c = checksum(&ip);
    ip[10..12].copy_from_slice(&c.to_be_bytes());
    f.extend_from_slice(&ip);
    let mut tcp = [0u8; 20];
    tcp[0..2].copy_from_slice(&sport.to_be_bytes());
    tcp[2..4].copy_from_slice(&dport.to_be_bytes());
    tcp[4..8].copy_from_slice(&seq.to_be_bytes());
    if flags & 0x10 != 0 {
        tcp[8..12].copy_from_slice(&seq.wrapping_add(1).to_be_bytes());
    }
    tcp[12] = 5 << 4;
    tcp[13] = flags;
    tcp[14..16].copy_from_slice(&512u16.to_be_bytes());
    f.extend_from_slice(&tcp);
    f
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let Some(out) = args.get(1) else {
        eprintln!("usage: spoofed_flood OUT.pcap [SOURCES] [VICTIM]");
        std::process::exit(2);
    };
    let n: u32 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(120_000);
    let victim: Ipv4Addr = args
        .get(3)
        .and_then(|s| s.parse().ok())
        .unwrap_or(Ipv4Addr::new(198, 18, 0, 10));
    let first = u32::from(Ipv4Addr::new(198, 18, 1, 0));
    let last = u32::from(Ipv4Addr::new(198, 19, 255, 255));
    if n as u64 > u64::from(last - first) {
        eprintln!("at most {} sources", last - first);
        std::process::exit(2);
    }
    let f = std::fs::File::create(out)?;
    let mut w = PcapWriter::new(BufWriter::new(f), LinkType::ETHERNET, 65535)?;
    let t0: u64 = 1_795_900_000 * 1_000_000; // microseconds
    let mut a = first;
    let mut t = t0;
    for i in 0..n {
        if a == u32::from(victim) {
            a += 1;
        }
        let src = Ipv4Addr::from(a);
        a += 1;
        let sport = 1024 + (i % 60000) as u16;
        let seq = i.wrapping_mul(2_654_435_761);
        for (s, d, sp, dp, fl) in [
            (src, victim, sport, 80, 0x02),
            (victim, src, 80, sport, 0x12),
        ] {
            let b = frame(s, d, sp, dp, fl, seq);
            w.write_packet(
                (t / 1_000_000) as u32,
                (t % 1_000_000) as u32,
                &b,
                b.len() as u32,
            )?;
            t += 10;
        }
    }
    w.into_inner()?;
    eprintln!("{out}: {n} spoofed sources, {} packets", 2 * u64::from(n));
    Ok(())
}
