//! Floods spread over a victim's network ("carpet bombing"): the network a victim address
//! belongs to, and the thresholds of the network-wide spray rule and victim-network alerts
//! ([`crate::detect`]).
//!
//! A DDoS that sprays every address of a subnet (`hping3 --rand-dest 198.18.1.x`, with or
//! without `--rand-source`) gives each address a small share of the flood: no single victim
//! stands out, and with spoofed sources no single source either. Counted per network — an
//! IPv4 /24, an IPv6 /64, the prefixes an operator routes and a carpet attack targets — the
//! flood is whole again. The detector counts unsolicited packets from new sources per network
//! beside per victim (the spray rule), and folds the flagged packets no source or victim alert
//! covered into one alert per victim network, whose `dest_ip` is the network's address.
//!
//! From one source that does not hide, a flood spread over a subnet is that source's: a
//! per-source flood alert (`flood-syn`, `flood-udp`, `flood-icmp`), named by repetition per
//! target ([`crate::profile`]: every address many times, where a sweep probes each once or a
//! few times). The networks flag its SYNs and datagrams (the sweep rule backs them up); its
//! echo requests, each address's share a ping's pace, they pass. The repeated-ping rule
//! (`RepeatedPings`) flags them: echo requests a source sends again to hosts that never
//! answered it, at a damped rate of at least the spray threshold. A ping sweep asks each
//! address once (nmap retries a silent one once), a monitor pings hosts that answer, a ping
//! of one silent host goes at a second's pace.

use crate::class::Class;
use crate::detect::{AddrKeys, Damped};
use crate::features::table::{hash_mixed, SetAssoc};
use nightjar_packet::PacketRepr;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Prefix length of an IPv4 victim network: a /24, the smallest prefix announced in BGP and
/// the unit of carpet-bombing attacks' targets.
pub const NETWORK_PREFIX_V4: u8 = 24;
/// Prefix length of an IPv6 victim network: a /64, one LAN's (RFC 4291 §2.5.4 interface
/// identifiers take the low 64 bits).
pub const NETWORK_PREFIX_V6: u8 = 64;
/// The spray rule's threshold per network, as a multiple of its threshold per victim: a
/// network holds many hosts, each with its own ordinary new clients.
pub const NETWORK_SPRAY_FACTOR: f32 = 2.0;
/// Distinct addresses of a network that a victim-network alert needs hit (by flagged packets
/// no other alert covered): a flood spread over a subnet, not one host's flood with a few
/// stray packets beside it. As many as a ping sweep needs hosts
/// ([`crate::profile::SWEEP_MIN_HOSTS`]).
pub const NETWORK_MIN_HOSTS: u64 = 16;

/// The network of address `ip`: its first [`NETWORK_PREFIX_V4`] or [`NETWORK_PREFIX_V6`]
/// bits, the rest zero.
pub fn network_of(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(a) => {
            let mask = u32::MAX << (32 - u32::from(NETWORK_PREFIX_V4));
            IpAddr::V4(Ipv4Addr::from(u32::from(a) & mask))
        }
        IpAddr::V6(a) => {
            let mask = u128::MAX << (128 - u32::from(NETWORK_PREFIX_V6));
            IpAddr::V6(Ipv6Addr::from(u128::from(a) & mask))
        }
    }
}

/// The prefix length of the networks of `ip`'s family.
pub fn prefix_len(ip: IpAddr) -> u8 {
    match ip {
        IpAddr::V4(_) => NETWORK_PREFIX_V4,
        IpAddr::V6(_) => NETWORK_PREFIX_V6,
    }
}

/// A victim network of an alert: its address, prefix length and the distinct addresses of it
/// that the alert's flagged packets went to (estimated by linear counting: a few percent off).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Network {
    pub addr: IpAddr,
    pub len: u8,
    pub addresses: u64,
}

impl std::fmt::Display for Network {
    /// CIDR notation: `198.18.1.0/24`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.addr, self.len)
    }
}

/// A host a source has not pinged for this long is new again, seconds.
const PING_HORIZON: f64 = 30.0;
/// Echo requests to one host, unanswered in a row, after which the next are repeats: a sweep
/// asks each host fewer (nmap's host discovery retries a silent one), as the profile's naming
/// has it ([`crate::profile::SCAN_MAX_PER_PORT`], 5: fewer a host is a sweep).
const PINGS_BEFORE_REPEATS: u8 = 4;

/// The repeated-ping rule (module documentation), with bounded tables: echo requests (ICMP
/// type 8, ICMPv6 128) from a source to a host it has pinged [`PINGS_BEFORE_REPEATS`] times or
/// more in a row without an echo reply back, the latest less than [`PING_HORIZON`] before, as
/// a damped count per source with a 1 s half-life; at or above the threshold, the source's
/// echo requests are flagged `flood-icmp`.
pub(crate) struct RepeatedPings {
    threshold: f32,
    /// (source, destination) pairs pinged, and the requests unanswered in a row.
    pinged: SetAssoc<(u128, u128), u8>,
    sources: Damped,
    clock: f64,
}

impl RepeatedPings {
    /// The rule with `threshold` (0: off) and tables for about `cap` sources.
    pub(crate) fn new(threshold: f32, cap: usize) -> RepeatedPings {
        let on = threshold > 0.0;
        RepeatedPings {
            threshold,
            pinged: SetAssoc::new(if on { (cap / 4).max(64) } else { 1 }),
            sources: Damped::new(if on { (cap / 16).max(64) } else { 1 }, 107),
            clock: f64::NEG_INFINITY,
        }
    }

    /// Update with `p`, whose addresses' keys are `k`; `flood-icmp` if the rule flags it.
    /// Inlined at the call: every packet but an echo request or reply (nearly all of them)
    /// goes no further.
    #[inline]
    pub(crate) fn push_keyed(&mut self, p: &PacketRepr, k: &AddrKeys) -> Option<Class> {
        if self.threshold <= 0.0 || p.later_fragment {
            return None;
        }
        let request = match (p.proto, p.icmp_type) {
            (1, 8) | (58, 128) => true,
            (1, 0) | (58, 129) => false,
            _ => return None,
        };
        self.push_echo(p, k, request)
    }

    /// [`RepeatedPings::push_keyed`] of an echo request (`request`) or reply.
    #[inline(never)]
    fn push_echo(&mut self, p: &PacketRepr, k: &AddrKeys, request: bool) -> Option<Class> {
        if p.ts.is_finite() && p.ts > self.clock {
            self.clock = p.ts;
        }
        let now = self.clock;
        if !request {
            // an answer: the requester's pair with its sender has been answered (none has
            // been asked while the table is empty: no look-up)
            if self.pinged.is_empty() {
                return None;
            }
            let h = hash_mixed(hash_mixed(109, k.md), k.ms);
            if let Some(unanswered) = self.pinged.get_mut(&(k.dst, k.src), h, now) {
                *unanswered = 0;
            }
            return None;
        }
        let e = self
            .pinged
            .touch((k.src, k.dst), hash_mixed(hash_mixed(109, k.ms), k.md), now);
        if e.prev_stamp.is_none_or(|t| now - t > PING_HORIZON) {
            *e.val = 0;
        }
        let repeat = *e.val >= PINGS_BEFORE_REPEATS;
        *e.val = e.val.saturating_add(1);
        let n = self
            .sources
            .add_premixed((k.src, k.ms), f32::from(u8::from(repeat)), now, 0.0);
        (n >= self.threshold).then_some(Class::FloodIcmp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    /// An ICMP echo request (`reply`: an echo reply) from `src` to `dst` at `ts`.
    fn echo(ts: f64, src: &str, dst: &str, reply: bool) -> PacketRepr {
        let mut p = crate::features::tests::tcp(ts, src, dst, 0, 0, 0);
        p.proto = 1;
        p.icmp_type = if reply { 0 } else { 8 };
        p
    }

    /// The echo requests of `packets` that the rule flags, with `threshold`.
    fn flagged(threshold: f32, packets: &[PacketRepr]) -> usize {
        let mut r = RepeatedPings::new(threshold, 65_536);
        packets
            .iter()
            .filter(|p| r.push_keyed(p, &AddrKeys::of(p)).is_some())
            .count()
    }

    #[test]
    fn pings_repeated_to_silent_hosts_of_a_subnet_are_a_flood_a_sweep_a_monitor_and_a_ping_are_not()
    {
        // hping3 --icmp -i u1000 --rand-dest 198.18.9.x: 1,000 a second over 64 silent
        // addresses, each asked again and again; from the fifth round on (0.26 s), the
        // repeats come at 1,000 a second, a damped count past 100 within a tenth of a second
        let carpet: Vec<_> = (0..3000)
            .map(|i| {
                let dst = format!("198.18.9.{}", (i * 37) % 64);
                echo(1.0 + i as f64 / 1000.0, "198.18.0.66", &dst, false)
            })
            .collect();
        let n = flagged(100.0, &carpet);
        assert!((2600..2750).contains(&n), "{n} of 3000");
        assert_eq!(flagged(0.0, &carpet), 0, "0 turns the rule off");
        // nmap -sn of a /20 at 2,000 a second, each silent address asked once, then again
        // after a second and again after two (nmap retries a silent host): no repeat
        let sweep: Vec<_> = (0..3 * 4096)
            .map(|i| {
                let h = i % 4096;
                let dst = format!("198.18.{}.{}", 16 + h / 256, h % 256);
                echo(1.0 + i as f64 / 2000.0, "198.18.0.66", &dst, false)
            })
            .collect();
        assert_eq!(flagged(100.0, &sweep), 0);
        // a monitor pinging 200 hosts that answer, ten times a second each (2,000 a second)
        let mut monitor = Vec::new();
        for round in 0..10 {
            for h in 0..200 {
                let t = 1.0 + f64::from(round) * 0.1 + f64::from(h) * 0.0004;
                let dst = format!("198.18.{}.{}", 1 + h / 100, h % 100);
                monitor.push(echo(t, "198.18.0.20", &dst, false));
                monitor.push(echo(t + 0.0002, &dst, "198.18.0.20", true));
            }
        }
        assert_eq!(flagged(100.0, &monitor), 0);
        // ping -i 0.2 of one host that does not answer, for a minute: 5 repeats a second
        let ping: Vec<_> = (0..300)
            .map(|i| {
                echo(
                    1.0 + f64::from(i) * 0.2,
                    "198.18.0.20",
                    "198.18.0.99",
                    false,
                )
            })
            .collect();
        assert_eq!(flagged(100.0, &ping), 0);
    }

    #[test]
    fn the_network_of_an_address_is_its_slash_24_or_slash_64() {
        // RFC 4632 §3.1: a /24 leaves the last octet to hosts
        assert_eq!(network_of(ip("198.18.1.77")), ip("198.18.1.0"));
        assert_eq!(network_of(ip("198.18.1.0")), ip("198.18.1.0"));
        assert_eq!(network_of(ip("198.18.1.255")), ip("198.18.1.0"));
        assert_eq!(network_of(ip("255.255.255.255")), ip("255.255.255.0"));
        assert_ne!(network_of(ip("198.18.1.7")), network_of(ip("198.18.2.7")));
        // RFC 4291 §2.5.4: the interface identifier is the low 64 bits
        assert_eq!(network_of(ip("2001:2::c612:10a")), ip("2001:2::"));
        assert_eq!(
            network_of(ip("2001:2:0:5:ffff:ffff:ffff:ffff")),
            ip("2001:2:0:5::")
        );
        assert_eq!(prefix_len(ip("198.18.1.77")), 24);
        assert_eq!(prefix_len(ip("2001:2::1")), 64);
    }

    #[test]
    fn a_network_prints_in_cidr_notation() {
        let n = Network {
            addr: ip("198.18.1.0"),
            len: 24,
            addresses: 200,
        };
        assert_eq!(n.to_string(), "198.18.1.0/24");
        let n = Network {
            addr: ip("2001:2::"),
            len: 64,
            addresses: 3,
        };
        assert_eq!(n.to_string(), "2001:2::/64");
    }
}
