//! Helpers shared by the integration tests: an independent, minimal reading of classic pcap
//! framing (record boundaries and raw frames), used to build variants of real captures.
#![allow(dead_code)]

use std::io::Cursor;
use std::path::PathBuf;

use nightjar_packet::{LinkType, PcapReader, PcapWriter, Record};

pub fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

pub fn captures(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/captures")
        .join(name)
}

/// One classic-pcap record as stored.
#[derive(Clone, Debug)]
pub struct Raw {
    pub secs: u32,
    pub frac: u32,
    pub orig: u32,
    pub data: Vec<u8>,
}

/// Little-endian classic pcap only: (link type, records, record end offsets).
pub fn split_pcap(bytes: &[u8]) -> (u32, Vec<Raw>, Vec<usize>) {
    let u32le = |o: usize| u32::from_le_bytes(bytes[o..o + 4].try_into().unwrap());
    assert_eq!(
        &bytes[..4],
        &[0xd4, 0xc3, 0xb2, 0xa1][..],
        "test helper reads LE microsecond pcap"
    );
    let link = u32le(20);
    let mut off = 24;
    let mut recs = Vec::new();
    let mut ends = Vec::new();
    while off + 16 <= bytes.len() {
        let caplen = u32le(off + 8) as usize;
        if off + 16 + caplen > bytes.len() {
            break;
        }
        recs.push(Raw {
            secs: u32le(off),
            frac: u32le(off + 4),
            orig: u32le(off + 12),
            data: bytes[off + 16..off + 16 + caplen].to_vec(),
        });
        off += 16 + caplen;
        ends.push(off);
    }
    (link, recs, ends)
}

/// Write records as a microsecond LE pcap in memory.
pub fn write_pcap(link: LinkType, recs: &[Raw]) -> Vec<u8> {
    let mut w = PcapWriter::new(Vec::new(), link, 262_144).unwrap();
    for r in recs {
        w.write_packet(r.secs, r.frac, &r.data, r.orig).unwrap();
    }
    w.into_inner().unwrap()
}

/// Read everything from bytes; panics on an error item (tests that expect errors do it by hand).
pub fn read_bytes(bytes: Vec<u8>) -> (Vec<Record>, Vec<String>, LinkType) {
    let mut r = PcapReader::from_reader(Cursor::new(bytes)).expect("a capture");
    let recs: Vec<Record> = r.by_ref().map(|x| x.expect("no error")).collect();
    (recs, r.warnings().to_vec(), r.link_type())
}
