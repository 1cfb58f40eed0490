//! Unanswered handshakes sent again: a QUIC client whose Initials go unanswered is no UDP scan.
//!
//! A QUIC client (HTTP/3 in a browser, curl, an interop runner) opens a connection with an
//! Initial packet in a datagram padded to 1,200 bytes at least (RFC 9000 §14.1: a client's
//! datagrams carrying Initial packets are never smaller), and where nothing answers it sends
//! it again from the same socket after a probe timeout that doubles each time (RFC 9002
//! §6.2), until its handshake timeout; then it gives up, its last datagram a CONNECTION_CLOSE
//! padded the same. A server that does not speak its version, a firewall that drops UDP or a
//! closed port (ICMP unreachables, which a QUIC stack ignores) makes each attempt a run of
//! identical full-size datagrams on one conversation. A client that tries several servers, or
//! the same server on its usual ports (443, 4433, 4434: nDPI's
//! `tests/pcap/quic_interop_V.pcapng`, an interop client's Initials to 8 servers on three
//! ports each, mostly unanswered), gave the networks many hosts, each with its ports
//! unanswered or refused, and its episode was alerted as a UDP scan (session 25).
//!
//! A scan is not so: its probes are small or empty (nmap's UDP payloads are protocol
//! questions of tens to a few hundred bytes, most ports none; hping3 `--udp` sends none by
//! default), and a scanner that sends a probe again does so from another source port (nmap
//! sets the try number in its source port unless `-g` fixes it) or not at all (hping3, a new
//! port per datagram). A datagram is **sent again** ([`sent_again`], judged by the two-way
//! tracker [`crate::conversation`], whose table holds every conversation's history) when it
//! carries [`FULL_SIZE`] bytes of payload or more and its sender's datagrams on its
//! conversation (peer address and both ports), this one the second or later, were all of its
//! size, the peer sent nothing back, and they came no faster than a retry timer of
//! [`MIN_GAP`] doubled after each try would send them (a retry's back-off: a stream or a
//! flood from one socket, at an even pace, outruns it after a few datagrams). Per source
//! episode this module counts the source's UDP datagrams, the full-size ones and the ones
//! sent again; an episode named a UDP scan, or a UDP flood (not by reflection: its datagrams
//! repeated to each target, the networks' classes split between the two), in which at least
//! [`FULL_SHARE`] of the source's datagrams were full-size, at least [`RESENT_SHARE`] of those
//! sent again ([`Handshakes::resent`]), to at most [`PORTS_PER_HOST`] ports per host on
//! average (the profile's distinct targets over its distinct hosts), is a client retrying its
//! handshakes and raises no alert (`detect`'s "Handshakes sent again"; counted in
//! `DetectStats::resent_handshakes`). The datagrams keep their verdicts: only the alert is
//! dropped.
//!
//! What it gives away: a scanner that sends full-size datagrams again from one source port
//! (`nmap -sU -g PORT --data-length 1200` with retries) to a few ports of each host, and a
//! slow UDP "flood" of full-size datagrams that backs off on each conversation, over many
//! hosts; a scan of many ports per host, or with probes of other sizes, is judged as before.
//! DTLS clients (ClientHellos of a few hundred bytes), WireGuard (148-byte handshake
//! initiations, sent again every 5 s) and game clients retry with smaller datagrams and are
//! not covered. With the two-way tracker off (`--udp-settle 0`) no datagram is sent again.
//!
//! Sans-IO and bounded: three counters per source episode.

use nightjar_packet::{proto, PacketRepr};

/// Payload bytes of a full-size datagram: a QUIC client's Initial (RFC 9000 §14.1).
pub const FULL_SIZE: u32 = 1200;
/// A conversation's datagrams are sent again when they came no faster than a retry timer of
/// this many seconds, doubled after each try, would send them (QUIC's first probe timeout is
/// three round trips of an unknown path, 1 s by RFC 9002; 0.15–0.2 s in the clients seen,
/// doubling after).
pub const MIN_GAP: f64 = 0.1;
/// Share of the source's UDP datagrams that are full-size.
pub const FULL_SHARE: f64 = 0.75;
/// Share of its full-size datagrams that were sent again.
pub const RESENT_SHARE: f64 = 0.25;
/// Distinct targets per distinct host, at most (a QUIC client: 443 and a few alternatives).
pub const PORTS_PER_HOST: f64 = 4.0;

/// Whether a UDP datagram of `payload` bytes is sent again: its sender's `sent`th with
/// payload on its conversation (counting it), none of them of another size (`changes` 0),
/// the peer silent (`answers` 0), `span` seconds after the conversation's first datagram, at
/// least the `sent - 1` tries of a timer of [`MIN_GAP`] doubled after each (MIN_GAP ×
/// (2^(sent−1) − 1)): a retry's back-off, which a flood or a stream from one socket, at an
/// even pace, outruns after a few datagrams.
pub fn sent_again(payload: u32, sent: u32, changes: u32, answers: u32, span: f64) -> bool {
    payload >= FULL_SIZE
        && sent >= 2
        && changes == 0
        && answers == 0
        && span >= MIN_GAP * (2f64.powi(sent.min(64) as i32 - 1) - 1.0)
}

/// Per source episode: its UDP datagrams, the full-size ones and those sent again.
#[derive(Clone, Copy, Debug, Default)]
pub struct Handshakes {
    udp: u32,
    full: u32,
    again: u32,
}

impl Handshakes {
    /// Take a packet of the source's conversations (`outbound`: the source sent it; `again`:
    /// sent again, [`sent_again`]).
    pub fn push(&mut self, p: &PacketRepr, outbound: bool, again: bool) {
        if !outbound || p.proto != proto::UDP || p.later_fragment {
            return;
        }
        self.udp = self.udp.saturating_add(1);
        if p.payload_len >= FULL_SIZE {
            self.full = self.full.saturating_add(1);
            self.again = self.again.saturating_add(u32::from(again));
        }
    }

    /// Whether the source's datagrams were those of a client sending its handshakes again:
    /// at least [`FULL_SHARE`] of them full-size, at least [`RESENT_SHARE`] of those (and
    /// one at least) sent again (the caller checks the class and the ports per host).
    pub fn resent(&self) -> bool {
        self.again > 0
            && f64::from(self.full) >= FULL_SHARE * f64::from(self.udp)
            && f64::from(self.again) >= RESENT_SHARE * f64::from(self.full)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A UDP datagram carrying `len` bytes from 198.18.0.`src` to 198.18.0.`dst`.
    fn udp(src: u8, sport: u16, dst: u8, dport: u16, len: u32) -> PacketRepr {
        let p = crate::features::tests::udp(
            0.0,
            &format!("198.18.0.{src}"),
            &format!("198.18.0.{dst}"),
            sport,
            dport,
            28 + len as u16,
        );
        assert_eq!(p.payload_len, len);
        p
    }

    #[test]
    fn sent_again_is_a_full_size_copy_unanswered_at_a_retry_pace() {
        // a QUIC Initial's third copy, 0.6 s after the first
        assert!(sent_again(1200, 3, 0, 0, 0.6));
        assert!(sent_again(1252, 2, 0, 0, 0.15));
        // the first of its conversation is no copy
        assert!(!sent_again(1200, 1, 0, 0, 0.0));
        // small or empty probes (nmap's 65-byte DTLS probe, hping3 --udp)
        assert!(!sent_again(65, 3, 0, 0, 0.6));
        assert!(!sent_again(0, 3, 0, 0, 0.6));
        // the peer answered: the conversation's own datagrams
        assert!(!sent_again(1200, 3, 0, 1, 0.6));
        // of another size than one before: no copies
        assert!(!sent_again(1200, 3, 1, 0, 0.6));
        // 100 datagrams in 1 s from one socket: a stream or a flood
        assert!(!sent_again(1300, 100, 0, 0, 1.0));
        // an even pace of one a second: the first few keep up with a retry timer's back-off
        // (0.1, 0.3, 0.7, 1.5, 3.1 s), the seventh (6.3 s) and those after do not
        assert!(sent_again(1200, 6, 0, 0, 5.0));
        assert!(!sent_again(1200, 7, 0, 0, 6.0));
        assert!(!sent_again(1200, 40, 0, 0, 39.0));
        // a count past any back-off (no overflow)
        assert!(!sent_again(1200, u32::MAX, 0, 0, 1e9));
    }

    /// A QUIC client's Initials to `hosts` × 443/4433/4434, `tries` each, of `len` bytes, the
    /// copies as `sent_again` judges them with the gap doubling from 0.2 s.
    fn quic(h: &mut Handshakes, hosts: &[u8], tries: u32, len: u32) {
        let mut span = 0.0;
        for k in 1..=tries {
            for (i, &d) in hosts.iter().enumerate() {
                for (j, port) in [443u16, 4433, 4434].into_iter().enumerate() {
                    let sport = 40000 + (i * 3 + j) as u16;
                    let again = sent_again(len, k, 0, 0, span);
                    h.push(&udp(20, sport, d, port, len), true, again);
                }
            }
            span += 0.2 * f64::from(1u32 << (k - 1));
        }
    }

    #[test]
    fn a_quic_client_sending_its_initials_again_is_resent_handshakes() {
        let mut h = Handshakes::default();
        quic(&mut h, &[11, 12, 13, 21], 6, 1200);
        assert!(h.resent());
        // one try each: nothing sent again yet
        let mut h = Handshakes::default();
        quic(&mut h, &[11, 12, 13, 21], 1, 1200);
        assert!(!h.resent());
        // two tries each: half sent again
        let mut h = Handshakes::default();
        quic(&mut h, &[11, 12, 13, 21], 2, 1200);
        assert!(h.resent());
    }

    #[test]
    fn small_probes_sent_again_are_no_handshakes() {
        // nmap -g 53's DTLS probe (65 bytes) to three ports, sent again: a scan's
        let mut h = Handshakes::default();
        quic(&mut h, &[11, 12, 13], 6, 65);
        assert!(!h.resent());
        // empty datagrams (hping3 --udp, nmap's ports without a payload)
        let mut h = Handshakes::default();
        quic(&mut h, &[11, 12, 13], 6, 0);
        assert!(!h.resent());
    }

    #[test]
    fn full_size_datagrams_each_from_a_new_port_are_not_sent_again() {
        // nmap --data-length 1200: each try from another source port, a conversation's first
        let mut h = Handshakes::default();
        for t in 0..6u16 {
            for d in [11u8, 12, 13] {
                for port in [443u16, 4433, 4434] {
                    let again = sent_again(1200, 1, 0, 0, 0.0);
                    h.push(&udp(66, 50000 + t, d, port, 1200), true, again);
                }
            }
        }
        assert!(!h.resent());
    }

    #[test]
    fn mostly_small_datagrams_are_no_handshakes() {
        // full-size copies beside many small datagrams (a scan's probes): under FULL_SHARE
        let mut h = Handshakes::default();
        quic(&mut h, &[11], 4, 1200);
        for port in 1..=60u16 {
            h.push(&udp(20, 40000, 12, port, 0), true, false);
        }
        assert!(!h.resent());
        // full-size datagrams, too few of them copies (under RESENT_SHARE)
        let mut h = Handshakes::default();
        for k in 0..100u32 {
            h.push(&udp(20, 40000, 12, 443, 1200), true, k % 5 == 0);
        }
        assert!(!h.resent());
    }

    #[test]
    fn only_the_sources_own_udp_datagrams_count() {
        let mut h = Handshakes::default();
        // datagrams it received, TCP segments and later fragments count for nothing
        h.push(&udp(11, 443, 20, 40000, 1200), false, true);
        let mut t = udp(20, 40000, 11, 443, 1200);
        t.proto = proto::TCP;
        h.push(&t, true, true);
        let mut f = udp(20, 40000, 11, 443, 1200);
        f.later_fragment = true;
        h.push(&f, true, true);
        assert_eq!((h.udp, h.full, h.again), (0, 0, 0));
        assert!(!h.resent());
    }
}
