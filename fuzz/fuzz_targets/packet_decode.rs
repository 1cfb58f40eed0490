#![no_main]
//! Arbitrary bytes as one captured frame, decoded under every supported link type (and an
//! unsupported one): no panic, the record keeps its index, timestamp and wire length, and
//! decoding is deterministic.

use libfuzzer_sys::fuzz_target;
use nightjar_packet::{decode, proto, ArpOp, LinkType, Record};

const LINKS: [u32; 19] = [
    0, 1, 9, 12, 14, 50, 101, 104, 105, 108, 113, 117, 127, 192, 228, 229, 239, 276, 147,
];

fuzz_target!(|data: &[u8]| {
    let wire_len = data.len() as u32 + 3;
    for link in LINKS.map(LinkType) {
        let r = decode(link, data, 42, 1_764_300_000.5, wire_len);
        assert_eq!(r.index(), 42);
        assert_eq!(r.ts(), 1_764_300_000.5);
        assert_eq!(r.wire_len(), wire_len);
        assert_eq!(r, decode(link, data, 42, 1_764_300_000.5, wire_len));
        match r {
            Record::Packet(p) => {
                assert!(link.is_supported());
                if p.proto != proto::TCP {
                    assert_eq!((p.tcp_flags, p.window), (0, 0));
                }
                if !matches!(p.proto, proto::ICMP | proto::ICMPV6) {
                    assert!(p.inner.is_none());
                }
            }
            // ARP is read where the link header names its payload by EtherType: Ethernet,
            // Linux cooked (SLL, SLL2), Cisco HDLC (also inside PPP-in-HDLC captures, link
            // type 50, whose frames may be Cisco's), and 802.11 (bare, radiotap, PPI) through
            // LLC/SNAP; under any other link type that carries IP, only from the Ethernet frame
            // of a tunnel (VXLAN, Geneve, gretap, ERSPAN), which names it by EtherType too
            // (seed `rawip-vxlan-arp`: raw IP, UDP to 8472, an ARP reply inside)
            Record::Arp(a) => {
                assert!(
                    matches!(link.0, 1 | 50 | 104 | 105 | 113 | 127 | 192 | 276)
                        || (link.is_supported() && data.windows(2).any(|w| w == [0x08, 0x06])),
                    "ARP from link type {}",
                    link.0
                );
                assert_eq!(ArpOp::from_wire(a.op.code()), a.op);
            }
            Record::Undecoded { reason, .. } => assert!(!reason.is_empty()),
        }
    }
});
