//! LAN-service broadcasts: NetBIOS and DHCP datagrams sent to a broadcast address are how a
//! Windows LAN's hosts find each other and their addresses, no attack.
//!
//! Every Windows host (and Samba's `nmbd`) registers and defends its NetBIOS names, looks
//! names up and takes part in browser elections by UDP broadcast to the subnet (name service:
//! to port 137, from 137 or, for a lookup, from any port; datagram service: 138 to 138), and a
//! DHCP client that has no address yet asks by broadcast from 0.0.0.0 (68 to 67), the server
//! offering back by broadcast (67 to 68). The networks never saw such traffic and flag part of
//! it (session 20, `lab/office.sh`: a quarter of `nmbd`'s name broadcasts, a fifth of its
//! browser datagrams, up to a third of the DHCP messages); a file server starting up had 13 of
//! its registrations flagged in one episode, two short of an alert, and every DHCP client of a
//! LAN shares the source 0.0.0.0, so a morning's boots add up to one source.
//!
//! So a UDP datagram (whole, or a first fragment) to the limited broadcast 255.255.255.255 or
//! to an address ending in .255 (the directed broadcast of a /24, and of any shorter prefix
//! whose broadcast ends so) from NetBIOS's or DHCP's ports as above is normal whatever the
//! networks say, while its sender's such broadcasts, as a count damped with a 1 s half-life,
//! stay under [`PACE`] (about 22 a second held: a host registering a dozen names sends three
//! broadcasts each, 0.5–1 s apart). Past it they are left to the networks: a DHCP starvation
//! (thousands of DISCOVERs from 0.0.0.0, each from a new hardware address), a broadcast
//! flood. A NetBIOS sweep (`nbtscan`, `nmap -sU -p 137` of a subnet) sends unicast datagrams,
//! and stays judged; so do broadcasts to other ports.
//!
//! State: one damped count per sender in a fixed set-associative table ([`SENDERS`] slots).

use crate::detect::Damped;
use crate::features::table::ip_key;
use nightjar_packet::PacketRepr;
use std::net::IpAddr;

/// A sender's LAN-service broadcasts, as a count damped with a 1 s half-life, at or above
/// which they are left to the networks (≈ 22 a second held).
pub const PACE: f32 = 32.0;

/// Senders whose counts are kept.
pub const SENDERS: usize = 4096;

/// The rule's state: per sender, its recent LAN-service broadcasts.
pub struct Broadcasts {
    senders: Damped,
}

impl Default for Broadcasts {
    fn default() -> Self {
        Broadcasts::new()
    }
}

impl Broadcasts {
    /// An empty state.
    pub fn new() -> Broadcasts {
        Broadcasts {
            senders: Damped::new(SENDERS, 0x6272_6f61),
        }
    }

    /// Take packet `p`: whether it is a LAN-service broadcast at a LAN's pace (normal).
    #[inline]
    pub fn push(&mut self, p: &PacketRepr) -> bool {
        service_broadcast(p) && self.senders.add(ip_key(p.src), 1.0, p.ts, 0.0) < PACE
    }
}

/// Whether `p` is a NetBIOS name-service or datagram-service broadcast or a DHCP broadcast
/// (see the module), whatever its pace.
#[inline]
pub fn service_broadcast(p: &PacketRepr) -> bool {
    p.proto == nightjar_packet::proto::UDP
        && matches!(
            (p.sport, p.dport),
            (_, 137) | (138, 138) | (68, 67) | (67, 68)
        )
        && !p.later_fragment
        && matches!(p.dst, IpAddr::V4(a) if a.is_broadcast() || a.octets()[3] == 255)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::tests::udp;

    #[test]
    fn netbios_and_dhcp_broadcasts_are_a_lans_own() {
        let cases = [
            // nmbd registering a name, a lookup from an ephemeral port, a browser datagram
            (udp(1.0, "198.18.0.10", "198.18.0.255", 137, 137, 68), true),
            (
                udp(1.0, "198.18.0.21", "198.18.0.255", 50123, 137, 50),
                true,
            ),
            (udp(1.0, "198.18.0.10", "198.18.0.255", 138, 138, 201), true),
            // DHCP DISCOVER from 0.0.0.0, the server's OFFER by broadcast
            (udp(1.0, "0.0.0.0", "255.255.255.255", 68, 67, 300), true),
            (udp(1.0, "198.18.0.5", "255.255.255.255", 67, 68, 300), true),
            // unicast: nbtscan's probe, a unicast DHCP renewal, a lookup's answer
            (
                udp(1.0, "198.18.0.66", "198.18.0.21", 50124, 137, 50),
                false,
            ),
            (udp(1.0, "198.18.0.21", "198.18.0.5", 68, 67, 300), false),
            (
                udp(1.0, "198.18.0.10", "198.18.0.21", 137, 50123, 62),
                false,
            ),
            // broadcasts to other ports, TCP, another host address ending otherwise
            (udp(1.0, "198.18.0.21", "198.18.0.255", 40000, 7, 64), false),
            (udp(1.0, "198.18.0.21", "198.18.0.127", 137, 137, 68), false),
        ];
        for (p, want) in &cases {
            assert_eq!(service_broadcast(p), *want, "{p:?}");
        }
        let mut tcp = udp(1.0, "198.18.0.21", "198.18.0.255", 50000, 137, 0);
        tcp.proto = 6;
        assert!(!service_broadcast(&tcp));
    }

    #[test]
    fn a_lans_pace_is_normal_and_a_starvation_is_left_to_the_networks() {
        let mut b = Broadcasts::new();
        // a file server registering 12 names, each three times 0.5 s apart, and 40 DHCP
        // clients booting within 20 s, two messages each from 0.0.0.0
        let mut lan = Vec::new();
        for n in 0..12u16 {
            for r in 0..3u16 {
                let t = 1.0 + f64::from(n) * 0.1 + f64::from(r) * 0.5;
                lan.push(udp(t, "198.18.0.10", "198.18.0.255", 137, 137, 68));
            }
        }
        for c in 0..40u16 {
            let t = 10.0 + f64::from(c) * 0.5;
            lan.push(udp(t, "0.0.0.0", "255.255.255.255", 68, 67, 300));
            lan.push(udp(t + 0.01, "0.0.0.0", "255.255.255.255", 68, 67, 300));
        }
        lan.sort_by(|a, b| a.ts.total_cmp(&b.ts));
        assert!(lan.iter().all(|p| b.push(p)));
        // a DHCP starvation: DISCOVERs from 0.0.0.0 at 200 a second for 5 s
        let kept = (0..1000u32)
            .filter(|&k| {
                let t = 100.0 + f64::from(k) * 0.005;
                b.push(&udp(t, "0.0.0.0", "255.255.255.255", 68, 67, 300))
            })
            .count();
        assert!(
            kept <= 40,
            "{kept} of a starvation's 1,000 taken as a LAN's own"
        );
        // the count decays: a DISCOVER a minute later is a LAN's again
        assert!(b.push(&udp(170.0, "0.0.0.0", "255.255.255.255", 68, 67, 300)));
    }
}
