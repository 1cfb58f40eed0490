#![no_main]
//! Arbitrary bytes as a pcap or pcapng file through `PcapReader`, every record read: no panic,
//! records numbered 0, 1, 2, ... in order, at most one error and nothing after it, and the
//! iterator stays ended.

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;
use nightjar_packet::{PacketError, PcapReader};

fuzz_target!(|data: &[u8]| {
    let mut r = match PcapReader::from_reader(Cursor::new(data.to_vec())) {
        Ok(r) => r,
        Err(PacketError::NotACapture(msg)) => {
            assert!(!msg.is_empty());
            return;
        }
        Err(e) => panic!("a byte slice gave an error other than NotACapture: {e}"),
    };
    let mut n = 0u64;
    let mut errored = false;
    for item in r.by_ref() {
        assert!(!errored, "an item after an error");
        match item {
            Ok(rec) => {
                assert_eq!(rec.index(), n);
                n += 1;
            }
            Err(PacketError::Corrupt { records, .. }) => {
                assert_eq!(records, n);
                errored = true;
            }
            Err(e) => panic!("a byte slice gave a read error: {e}"),
        }
    }
    assert!(r.next().is_none());
    assert_eq!(r.records_read(), n);
    assert!(r.bytes_consumed() <= data.len() as u64);
    // a record takes at least 16 bytes of input (pcap record header; pcapng blocks are larger)
    assert!(n <= data.len() as u64 / 16);
});
