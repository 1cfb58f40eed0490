//! SCTP associations: the packets of an SCTP association whose ends have both shown they hold
//! it are no flood and no scan.
//!
//! The networks never saw SCTP: the lab's captures had none. Real networks carry it all day
//! (SIGTRAN and Diameter in telecom cores, S1AP and NGAP between radio and core, WebRTC data
//! channels inside DTLS), and the networks took an association's packets for a flood:
//! Wireshark's `netperfmeter.pcapng` (NetPerfMeter over SCTP: one association, DATA one way
//! and SACKs back) was alerted as an "SCTP flood" of its sender.
//!
//! SCTP (RFC 9260) opens an association with four packets: INIT, INIT ACK (carrying a state
//! cookie), COOKIE ECHO (the cookie sent back) and COOKIE ACK. The receiver of the INIT keeps
//! no state until the cookie comes back, and accepts only a cookie it made itself (§5.1.3: a
//! MAC over it), so a COOKIE ACK shows that the initiator received the INIT ACK at its own
//! address: a forged source cannot complete the handshake. After it, every packet carries the
//! peer's verification tag, and a packet with the wrong one is dropped (§8.5); DATA for no
//! association is answered with an ABORT (§8.4). So a SACK (or a HEARTBEAT ACK) from one end
//! after the other end's DATA (or HEARTBEAT) shows that both hold the association too — the
//! way to know one met in the middle, whose handshake the capture did not see.
//!
//! Here an association is the pair of (address, port) ends, and it is **up** once either
//!
//! * one end's INIT was answered by the other end's INIT ACK and then by its COOKIE ACK, or
//! * one end sent DATA or I-DATA (RFC 8260) or a HEARTBEAT, and the other end then sent a SACK,
//!   NR-SACK or HEARTBEAT ACK.
//!
//! Only the first chunk of each packet is read ([`PacketRepr::sctp_chunk`]): RFC 9260 puts
//! INIT, INIT ACK and SHUTDOWN COMPLETE alone in their packets, COOKIE ECHO and COOKIE ACK
//! first in theirs, and a packet that bundles a SACK with DATA carries the SACK first. From
//! the packet that makes it up on, until it is quiet for [`IDLE`] (an idle association sends a
//! HEARTBEAT every 30 s by default) or an ABORT or SHUTDOWN COMPLETE ends it, the
//! association's packets, both ways and of every chunk, are normal whatever the networks say.
//! Its first packets (the handshake, or the DATA before the first SACK) are judged as before.
//!
//! What stays alerted: an INIT scan (`nmap -sY`) draws INIT ACKs from open ports and ABORTs from
//! closed ones, and nmap answers an INIT ACK with an ABORT: no COOKIE ACK. A COOKIE ECHO scan
//! (`nmap -sZ`) sends cookies nobody made: ABORTs or silence. An INIT flood from forged
//! sources draws INIT ACKs that go to the forged addresses, and nothing comes back. A flood of
//! raw protocol-132 packets (hping3 `--rawip -H 132`) carries no chunk that parses, or DATA
//! nobody acknowledges. None of those makes an association up. What this gives away is a
//! flood sent over an association both ends opened, as the established-sessions rule does for
//! TCP: SCTP's flow control (the receiver's window, reported in every SACK) paces it.
//! Multi-homed associations send on several address pairs; a path seen only with HEARTBEATs
//! (answered) is up too, one with DATA after its first SACK.
//!
//! Sans-IO and bounded: one fixed set-associative table of [`CAPACITY`] associations (least
//! recently used evicted), fed every decoded packet in capture order; a packet that is not
//! SCTP costs a comparison.

use crate::features::table::{hash_mixed, SetAssoc};
use nightjar_packet::{sctp_chunk, PacketRepr};

/// An association quiet for this long, seconds, is forgotten (it must show itself up again).
pub const IDLE: f64 = 90.0;
/// Associations remembered.
pub const CAPACITY: usize = 1 << 12;

/// Per direction (bit 0: from the lower end to the higher, bit 1: back): an INIT was sent.
const INIT_SENT: u8 = 0b0000_0011;
/// Per direction: an INIT ACK answered the other direction's INIT.
const INIT_ACKED: u8 = 0b0000_1100;
/// Per direction: DATA or a HEARTBEAT was sent (something the other end acknowledges).
const ASKED: u8 = 0b0011_0000;
/// The association is up.
const UP: u8 = 0b1000_0000;

/// What is known of one association: the bits above and when it last sent.
#[derive(Clone, Copy, Default)]
struct Assoc {
    bits: u8,
    last: f64,
}

/// The tracker of SCTP associations.
pub struct Associations {
    on: bool,
    /// (lower address, higher address, lower end's port << 16 | higher end's port), the ends
    /// ordered by (address, port).
    table: SetAssoc<(u128, u128, u32), Assoc>,
}

impl Associations {
    /// A tracker; `on` false makes it a no-op (every packet judged as the networks say).
    pub fn new(on: bool) -> Associations {
        Associations {
            on,
            table: SetAssoc::new(if on { CAPACITY } else { 1 }),
        }
    }

    /// Bytes held by the table.
    pub fn memory_bytes(&self) -> usize {
        self.table.memory_bytes()
    }

    /// Feed one packet (any protocol; `src`, `dst`, `ms` and `md` are its addresses' table keys
    /// and their premixes, [`crate::detect`]'s `AddrKeys`); true if it is a packet of an
    /// association that is up (this one may be what made it up), to be taken as normal.
    #[inline]
    pub fn push(&mut self, p: &PacketRepr, src: u128, dst: u128, ms: u64, md: u64) -> bool {
        if !self.on || p.proto != nightjar_packet::proto::SCTP || p.later_fragment {
            return false;
        }
        self.push_sctp(p, src, dst, ms, md)
    }

    fn push_sctp(&mut self, p: &PacketRepr, src: u128, dst: u128, ms: u64, md: u64) -> bool {
        let Some(chunk) = p.sctp_chunk() else {
            // nothing to read (a common header alone, a chunk the capture cut): an up
            // association's packet still, not a step of one
            return self.up_already(p, src, dst, ms, md);
        };
        let up_way = (src, p.sport) <= (dst, p.dport);
        // d: this packet's direction bit (1: from the lower end), o: the other direction's
        let (d, o) = if up_way { (1u8, 2u8) } else { (2u8, 1u8) };
        let key = key_of(p, src, dst, up_way);
        let hash = hash_of(key, ms, md);
        let now = p.ts;
        let e = self.table.touch(key, hash, now);
        let a = e.val;
        if e.prev_stamp.is_some() && now - a.last > IDLE {
            *a = Assoc::default();
        }
        a.last = now;
        let was_up = a.bits & UP != 0;
        match chunk {
            sctp_chunk::INIT => a.bits |= INIT_SENT & d,
            sctp_chunk::INIT_ACK if a.bits & INIT_SENT & o != 0 => a.bits |= INIT_ACKED & (d << 2),
            sctp_chunk::COOKIE_ACK if a.bits & INIT_ACKED & (d << 2) != 0 => a.bits |= UP,
            sctp_chunk::DATA | sctp_chunk::I_DATA | sctp_chunk::HEARTBEAT => {
                a.bits |= ASKED & (d << 4);
            }
            sctp_chunk::SACK | sctp_chunk::NR_SACK | sctp_chunk::HEARTBEAT_ACK
                if a.bits & ASKED & (o << 4) != 0 =>
            {
                a.bits |= UP;
            }
            sctp_chunk::ABORT | sctp_chunk::SHUTDOWN_COMPLETE => {
                // the association's last packet: it ends here
                *a = Assoc { bits: 0, last: now };
                return was_up;
            }
            _ => {}
        }
        a.bits & UP != 0
    }

    /// Whether `p` (SCTP without a readable chunk) belongs to an association that is up.
    fn up_already(&mut self, p: &PacketRepr, src: u128, dst: u128, ms: u64, md: u64) -> bool {
        let up_way = (src, p.sport) <= (dst, p.dport);
        let key = key_of(p, src, dst, up_way);
        let now = p.ts;
        match self.table.get_mut(&key, hash_of(key, ms, md), now) {
            Some(a) if a.bits & UP != 0 && now - a.last <= IDLE => {
                a.last = now;
                true
            }
            _ => false,
        }
    }
}

/// The table key of `p`'s association; `up_way` is whether `p` goes from the lower end.
#[inline]
fn key_of(p: &PacketRepr, src: u128, dst: u128, up_way: bool) -> (u128, u128, u32) {
    let (s, d) = (u32::from(p.sport), u32::from(p.dport));
    if up_way {
        (src, dst, s << 16 | d)
    } else {
        (dst, src, d << 16 | s)
    }
}

/// The hash of an association's key, from its addresses' premixes (`ms` the packet's
/// source's, `md` its destination's): the same both ways.
#[inline]
fn hash_of(key: (u128, u128, u32), ms: u64, md: u64) -> u64 {
    // (symmetric in the two addresses, then mixed with the ordered ports)
    let both = ms.wrapping_add(md) ^ (ms ^ md).rotate_left(29);
    hash_mixed(0x5c7b ^ u64::from(key.2), both)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::table::{ip_key, premix};
    use crate::features::tests::udp;
    use nightjar_packet::proto;
    use std::net::{IpAddr, Ipv4Addr};

    const C: IpAddr = IpAddr::V4(Ipv4Addr::new(198, 18, 0, 20));
    const S: IpAddr = IpAddr::V4(Ipv4Addr::new(198, 18, 0, 10));
    const A: IpAddr = IpAddr::V4(Ipv4Addr::new(198, 18, 0, 66));

    /// An SCTP packet whose first chunk is `chunk` (`None`: a common header and no chunk).
    fn sctp(
        t: f64,
        src: IpAddr,
        sport: u16,
        dst: IpAddr,
        dport: u16,
        chunk: Option<u8>,
    ) -> PacketRepr {
        PacketRepr {
            proto: proto::SCTP,
            head: chunk.map_or([0; 4], |c| [c, 0, 0, 16]),
            ..udp(t, &src.to_string(), &dst.to_string(), sport, dport, 80)
        }
    }

    fn push(a: &mut Associations, p: &PacketRepr) -> bool {
        let (s, d) = (ip_key(p.src), ip_key(p.dst));
        a.push(p, s, d, premix(s), premix(d))
    }

    use sctp_chunk::*;

    #[test]
    fn an_association_opened_by_its_handshake_is_up_from_the_cookie_ack() {
        let mut a = Associations::new(true);
        let mut t = 0.0;
        let mut go = |from_client: bool, c: u8| {
            t += 0.001;
            let p = if from_client {
                sctp(t, C, 48906, S, 9001, Some(c))
            } else {
                sctp(t, S, 9001, C, 48906, Some(c))
            };
            push(&mut a, &p)
        };
        assert!(!go(true, INIT));
        assert!(!go(false, INIT_ACK));
        assert!(!go(true, COOKIE_ECHO));
        assert!(go(false, COOKIE_ACK));
        // then everything both ways, DATA one way and SACKs back (NetPerfMeter)
        for _ in 0..100 {
            assert!(go(true, DATA));
            assert!(go(false, SACK));
        }
        assert!(go(false, DATA));
        assert!(go(true, HEARTBEAT));
        assert!(go(false, HEARTBEAT_ACK));
        // the end: SHUTDOWN, SHUTDOWN ACK, SHUTDOWN COMPLETE (the last, normal too)
        assert!(go(true, SHUTDOWN));
        assert!(go(false, SHUTDOWN_ACK));
        assert!(go(true, SHUTDOWN_COMPLETE));
        // gone: DATA on those ports now is judged again
        assert!(!go(true, DATA));
    }

    #[test]
    fn data_acknowledged_by_the_peer_makes_an_association_met_in_the_middle_up() {
        let mut a = Associations::new(true);
        // a capture begun after the handshake: DATA, then the server's SACK
        assert!(!push(&mut a, &sctp(1.0, C, 40000, S, 3868, Some(DATA))));
        assert!(!push(&mut a, &sctp(1.1, C, 40000, S, 3868, Some(DATA))));
        assert!(push(&mut a, &sctp(1.2, S, 3868, C, 40000, Some(SACK))));
        assert!(push(&mut a, &sctp(1.3, C, 40000, S, 3868, Some(DATA))));
        // a packet whose chunk the capture cut, on an association that is up: normal
        assert!(push(&mut a, &sctp(1.4, S, 3868, C, 40000, None)));
        // I-DATA and NR-SACK alike, and a HEARTBEAT answered, on other associations
        assert!(!push(&mut a, &sctp(2.0, C, 40001, S, 3868, Some(I_DATA))));
        assert!(push(&mut a, &sctp(2.1, S, 3868, C, 40001, Some(NR_SACK))));
        assert!(!push(
            &mut a,
            &sctp(2.0, C, 40002, S, 3868, Some(HEARTBEAT))
        ));
        assert!(push(
            &mut a,
            &sctp(2.1, S, 3868, C, 40002, Some(HEARTBEAT_ACK))
        ));
        // an association quiet for longer than IDLE must show itself again
        let later = 1.3 + IDLE + 1.0;
        assert!(!push(&mut a, &sctp(later, C, 40000, S, 3868, Some(DATA))));
        assert!(push(
            &mut a,
            &sctp(later + 0.1, S, 3868, C, 40000, Some(SACK))
        ));
        // an ABORT ends it (the ABORT itself is the association's)
        assert!(push(
            &mut a,
            &sctp(later + 0.2, S, 3868, C, 40000, Some(ABORT))
        ));
        assert!(!push(
            &mut a,
            &sctp(later + 0.3, C, 40000, S, 3868, Some(DATA))
        ));
    }

    #[test]
    fn scans_and_floods_never_make_an_association_up() {
        let mut a = Associations::new(true);
        // nmap -sY: INITs; an open port's INIT ACK, nmap's ABORT; closed ports' ABORTs
        for port in 1..=300u16 {
            let t = f64::from(port) * 0.001;
            assert!(!push(&mut a, &sctp(t, A, 61270, S, port, Some(INIT))));
            let answer = if port % 50 == 0 { INIT_ACK } else { ABORT };
            assert!(!push(&mut a, &sctp(t, S, port, A, 61270, Some(answer))));
            if answer == INIT_ACK {
                assert!(!push(&mut a, &sctp(t, A, 61270, S, port, Some(ABORT))));
            }
        }
        // nmap -sZ: COOKIE ECHOs nobody made; ABORTs, or nothing; even a COOKIE ACK with no
        // INIT ACK before it would not do
        for port in 1..=300u16 {
            let t = 1.0 + f64::from(port) * 0.001;
            assert!(!push(
                &mut a,
                &sctp(t, A, 38491, S, port, Some(COOKIE_ECHO))
            ));
            assert!(!push(&mut a, &sctp(t, S, port, A, 38491, Some(ABORT))));
        }
        assert!(!push(&mut a, &sctp(2.0, A, 38491, S, 7, Some(COOKIE_ECHO))));
        assert!(!push(&mut a, &sctp(2.0, S, 7, A, 38491, Some(COOKIE_ACK))));
        // an INIT flood: INIT ACKs back, nothing more; a COOKIE ACK from the INIT's sender
        // (not its receiver) is no answer
        for i in 0..500u16 {
            let t = 3.0 + f64::from(i) * 0.001;
            assert!(!push(&mut a, &sctp(t, A, 1024 + i, S, 9001, Some(INIT))));
            assert!(!push(
                &mut a,
                &sctp(t, S, 9001, A, 1024 + i, Some(INIT_ACK))
            ));
            assert!(!push(
                &mut a,
                &sctp(t, A, 1024 + i, S, 9001, Some(COOKIE_ACK))
            ));
        }
        // a DATA flood nobody acknowledges (or ABORTs), and raw protocol-132 packets with no
        // chunk; the sender's own SACK is no acknowledgement of its DATA
        for i in 0..500 {
            let t = 4.0 + f64::from(i) * 0.001;
            assert!(!push(&mut a, &sctp(t, A, 5000, S, 9001, Some(DATA))));
            assert!(!push(&mut a, &sctp(t, A, 5000, S, 9001, Some(SACK))));
            assert!(!push(&mut a, &sctp(t, A, 0, S, 0, None)));
        }
        assert!(!push(&mut a, &sctp(5.0, S, 9001, A, 5000, Some(ABORT))));
        assert!(!push(&mut a, &sctp(5.1, A, 5000, S, 9001, Some(DATA))));
    }

    #[test]
    fn the_rule_off_clears_nothing_and_other_protocols_pass() {
        let mut off = Associations::new(false);
        assert!(!push(&mut off, &sctp(1.0, C, 40000, S, 3868, Some(DATA))));
        assert!(!push(&mut off, &sctp(1.1, S, 3868, C, 40000, Some(SACK))));
        let mut a = Associations::new(true);
        let mut udp = sctp(1.0, C, 40000, S, 3868, Some(DATA));
        udp.proto = proto::UDP;
        let mut back = sctp(1.1, S, 3868, C, 40000, Some(SACK));
        back.proto = proto::UDP;
        assert!(!push(&mut a, &udp));
        assert!(!push(&mut a, &back));
        assert_eq!(a.table.len(), 0);
    }
}
