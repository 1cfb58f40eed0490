//! Compressed captures: gzip is read as Wireshark reads it (every member, streamed); other
//! compressors are named in the error. The gzip streams are made here with `flate2`'s encoder
//! from the real captures in `tests/data` and `data/captures`.

mod common;

use std::io::{Cursor, Write};

use common::*;
use flate2::write::GzEncoder;
use flate2::Compression;
use nightjar_packet::{read_all, PacketError, PcapReader, Record};

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// Every record of `bytes` read as a capture, and the error that ended it, if any.
fn read(bytes: Vec<u8>) -> Result<(Vec<Record>, Option<PacketError>), PacketError> {
    let r = PcapReader::from_reader(Cursor::new(bytes))?;
    let mut recs = Vec::new();
    for item in r {
        match item {
            Ok(rec) => recs.push(rec),
            Err(e) => return Ok((recs, Some(e))),
        }
    }
    Ok((recs, None))
}

#[test]
fn gzip_of_a_pcap_a_pcapng_and_a_lab_capture_reads_as_the_file_itself() {
    for path in [
        data("lo.pcap"),
        data("lo.pcapng"),
        data("lo-nano.pcap"),
        captures("lotl.pcap"),
    ] {
        let plain = std::fs::read(&path).unwrap();
        let want = read_all(&path).unwrap().records;
        assert!(!want.is_empty(), "{}", path.display());
        let (got, err) = read(gzip(&plain)).unwrap();
        assert!(err.is_none(), "{}: {err:?}", path.display());
        assert_eq!(got, want, "{}", path.display());
    }
}

#[test]
fn a_capture_split_over_two_gzip_members_reads_whole() {
    // `cat a.gz b.gz` is one gzip file to gunzip: each member's output follows the last's
    let plain = std::fs::read(captures("lotl.pcap")).unwrap();
    let want = read_all(&captures("lotl.pcap")).unwrap().records;
    for cut in [1, 24, 25, plain.len() / 3, plain.len() - 1] {
        let mut two = gzip(&plain[..cut]);
        two.extend(gzip(&plain[cut..]));
        let (got, err) = read(two).unwrap();
        assert!(err.is_none(), "cut {cut}: {err:?}");
        assert_eq!(got, want, "cut {cut}");
    }
}

#[test]
fn a_truncated_gzip_gives_the_records_before_the_cut_then_says_so() {
    let plain = std::fs::read(data("lo.pcap")).unwrap();
    let want = read_all(&data("lo.pcap")).unwrap().records;
    let gz = gzip(&plain);
    let mut partial = 0;
    for cut in 0..gz.len() {
        match read(gz[..cut].to_vec()) {
            // too little came out to hold a file header: an error up front
            Err(PacketError::NotACapture(msg)) => assert!(
                msg.contains("empty") || msg.contains("too short") || msg.contains("truncated"),
                "cut {cut}: {msg}"
            ),
            Err(PacketError::Read { source, .. }) => {
                assert!(source.to_string().contains("gzip"), "cut {cut}: {source}")
            }
            Err(e) => panic!("cut {cut}: {e}"),
            Ok((recs, err)) => {
                // what came out is a prefix of the capture, and the cut is never silent
                assert_eq!(recs, want[..recs.len()], "cut {cut}");
                let err = err.unwrap_or_else(|| panic!("cut {cut}: no error"));
                assert!(
                    err.to_string().contains("gzip stream truncated"),
                    "cut {cut}: {err}"
                );
                partial = partial.max(recs.len());
            }
        }
    }
    // the last cuts (inside the 8-byte trailer) hold every record, and still say so
    assert_eq!(partial, want.len());
}

#[test]
fn a_corrupt_gzip_is_an_error_not_a_panic() {
    let gz = gzip(&std::fs::read(data("lo.pcap")).unwrap());
    let want = read_all(&data("lo.pcap")).unwrap().records;
    let mut errors = 0;
    for i in 0..gz.len() {
        for bit in [0x01, 0x80] {
            let mut bad = gz.clone();
            bad[i] ^= bit;
            match read(bad) {
                Ok((recs, None)) => {
                    // a flip the format cannot see (e.g. the header's time or OS byte)
                    assert_eq!(recs, want, "byte {i} bit {bit:#x}")
                }
                Ok((_, Some(_))) | Err(_) => errors += 1,
            }
        }
    }
    // flips in the compressed data or its checksum are caught (the CRC and length trailer)
    assert!(
        errors > gz.len(),
        "only {errors} of {} flips seen",
        2 * gz.len()
    );
}

#[test]
fn gzip_twice_and_other_compressors_are_named() {
    let plain = std::fs::read(data("lo.pcap")).unwrap();
    let twice = gzip(&gzip(&plain));
    match read(twice) {
        Err(PacketError::NotACapture(msg)) => assert!(msg.contains("twice"), "{msg}"),
        other => panic!("{other:?}"),
    }
    // the magic numbers of bzip2, xz, zstd and zip files, each ahead of the real capture
    for (magic, name, tool) in [
        (&b"BZh91AY&SY"[..], "bzip2", "bunzip2"),
        (&[0xfd, b'7', b'z', b'X', b'Z', 0x00][..], "xz", "unxz"),
        (&[0x28, 0xb5, 0x2f, 0xfd][..], "zstd", "unzstd"),
        (&b"PK\x03\x04"[..], "zip", "unzip"),
    ] {
        let mut bytes = magic.to_vec();
        bytes.extend_from_slice(&plain);
        match read(bytes) {
            Err(PacketError::NotACapture(msg)) => {
                assert!(msg.contains(name) && msg.contains(tool), "{msg}")
            }
            other => panic!("{name}: {other:?}"),
        }
    }
}
