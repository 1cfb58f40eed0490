//! Alerts: what `ids detect` reports about an attack episode, and their Suricata EVE JSON form
//! (DESIGN §12).
//!
//! One [`Alert`] stands for one attacking source and one attack episode (a run of packets the
//! detector flagged, ended by a quiet gap), or — for a flood from many (spoofed) sources that
//! each sent only a few packets — for one victim ([`Scope::Victim`]), or for one victim
//! network when the flood was spread over its addresses ([`Alert::network`],
//! [`crate::carpet`]).
//!
//! The EVE line follows Suricata's layout (`timestamp`, `event_type: "alert"`, `src_ip`,
//! `dest_ip`, `proto`, `alert{action, gid, signature_id, rev, signature, category, severity}`)
//! with Nightjar's own object `nightjar{label, score, packets, first_seen, last_seen, ...}`.
//! Timestamps are ISO 8601 in UTC with microseconds and a `+0000` offset, as Suricata writes
//! them: `2026-11-28T10:00:00.123456+0000`.

use crate::arpspoof::ArpSpoof;
use crate::arpsweep::ArpSweep;
use crate::carpet::Network;
use crate::class::Class;
use crate::jsonw::Obj;
use crate::neighbour::NdAttack;
use crate::profile::{flag_names, Evidence, Rule};
use crate::slowscan::Finding;
use serde_json::{json, Value};
use std::net::IpAddr;

/// Whom an alert is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// One attacking source (the usual case).
    Source,
    /// One victim of a flood from many sources, none of which sent enough to be alerted alone
    /// (spoofed sources). `src_ip` is then one of those sources (the first seen).
    Victim,
}

impl Scope {
    /// Name in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Source => "source",
            Scope::Victim => "victim",
        }
    }
}

/// One alert.
#[derive(Clone, Debug, PartialEq)]
pub struct Alert {
    pub scope: Scope,
    /// The attacking source (for [`Scope::Victim`]: the first of the many sources).
    pub src: IpAddr,
    /// The attacked host (the one most of the episode's packets went to or came from).
    pub dst: IpAddr,
    /// IP protocol number most of the episode's flagged packets carry.
    pub proto: u8,
    /// The attack class: decided from the episode's profile where the protocol defines it
    /// (probe flags, repetition; see [`crate::profile`]), otherwise the majority of the
    /// per-packet classes.
    pub class: Class,
    /// Flagged (attack) packets in the episode.
    pub packets: u64,
    /// All packets of the source (flagged or not) while the episode lasted.
    pub total: u64,
    /// Distinct sources (1 for a source alert).
    pub sources: u64,
    /// Mean attack score of the flagged packets.
    pub score: f32,
    /// Capture time of the first and last flagged packet, seconds since the Unix epoch.
    pub first_seen: f64,
    pub last_seen: f64,
    /// Flagged packets per class (in [`Class::ALL`] order).
    pub class_counts: [u64; 15],
    /// What the class was decided from (`nightjar.profile` in EVE), when known.
    pub profile: Option<Evidence>,
    /// The slow-scan rule's finding, for its alerts (`nightjar.slow_scan` in EVE, only then).
    pub slow_scan: Option<Finding>,
    /// The ARP-sweep rule's sweep, for its alerts (`nightjar.arp_sweep` in EVE, only then;
    /// [`Alert::proto`] is 0 and the EVE `proto` is `"ARP"`).
    pub arp_sweep: Option<ArpSweep>,
    /// The ARP-spoofing rule's episode, for its alerts (`nightjar.arp_spoof` in EVE, only
    /// then; [`Alert::proto`] is 0 and the EVE `proto` is `"ARP"`).
    pub arp_spoof: Option<ArpSpoof>,
    /// For a victim alert about a flood spread over a network ([`crate::carpet`]): the
    /// network (`dst` is its address; `nightjar.network` in EVE, only then).
    pub network: Option<Network>,
    /// The neighbour-discovery rules' episode, for their alerts (`nightjar.neighbour` in EVE,
    /// only then; [`crate::neighbour`]).
    pub neighbour: Option<NdAttack>,
}

/// Suricata's name of an IP protocol.
pub fn proto_name(p: u8) -> String {
    match p {
        1 => "ICMP".into(),
        6 => "TCP".into(),
        17 => "UDP".into(),
        58 => "IPv6-ICMP".into(),
        132 => "SCTP".into(),
        136 => "UDPLite".into(),
        other => other.to_string(),
    }
}

/// The usual name of an IP protocol for a description (IANA's protocol numbers registry's
/// keywords), its number for the others.
fn protocol_word(p: u8) -> String {
    match p {
        2 => "IGMP".into(),
        4 => "IP-in-IP".into(),
        8 => "EGP".into(),
        33 => "DCCP".into(),
        41 => "IPv6-in-IPv4".into(),
        46 => "RSVP".into(),
        47 => "GRE".into(),
        50 => "ESP".into(),
        51 => "AH".into(),
        88 => "EIGRP".into(),
        89 => "OSPF".into(),
        103 => "PIM".into(),
        112 => "VRRP".into(),
        other => format!("IP protocol {other}"),
    }
}

/// A short description of an attack class.
pub fn describe(c: Class) -> &'static str {
    match c {
        Class::Normal => "normal traffic",
        Class::ScanSyn => "TCP SYN port scan",
        Class::ScanConnect => "TCP connect port scan",
        Class::ScanFin => "TCP FIN port scan",
        Class::ScanNull => "TCP NULL port scan",
        Class::ScanXmas => "TCP Xmas-tree port scan",
        Class::ScanAck => "TCP ACK scan",
        Class::ScanUdp => "UDP port scan",
        Class::ScanMaimon => "TCP Maimon (FIN/ACK) scan",
        Class::ScanWindow => "TCP window scan",
        Class::FloodSyn => "TCP SYN flood",
        Class::FloodUdp => "UDP flood",
        Class::FloodIcmp => "ICMP flood",
        Class::FloodXmas => "TCP Xmas-tree flood",
        Class::OtherAttack => "attack",
    }
}

impl Alert {
    /// Merge `b`, the alert of the same attack's next round (the same source, victim and
    /// class; see the detector's "Slow attacks' rounds"), into this one: its span reaches
    /// `b`'s, its packets and counts add up, its score is the mean over both; its profile
    /// stays the first round's, with the slow-request packets of both; a slow-scan finding's
    /// probes, targets, ports and answers add up (each window of a few-port scan counts its
    /// own), its detection time the later one's.
    pub(crate) fn merge(&mut self, b: &Alert) {
        let n = (self.packets + b.packets).max(1) as f64;
        self.score = ((f64::from(self.score) * self.packets as f64
            + f64::from(b.score) * b.packets as f64)
            / n) as f32;
        self.packets += b.packets;
        self.total += b.total;
        self.first_seen = self.first_seen.min(b.first_seen);
        self.last_seen = self.last_seen.max(b.last_seen);
        for (x, y) in self.class_counts.iter_mut().zip(b.class_counts) {
            *x += y;
        }
        if let (Some(p), Some(q)) = (self.profile.as_mut(), b.profile) {
            p.slow_requests += q.slow_requests;
        }
        if let (Some(f), Some(g)) = (self.slow_scan.as_mut(), b.slow_scan) {
            f.first_seen = f.first_seen.min(g.first_seen);
            f.last_seen = f.last_seen.max(g.last_seen);
            f.detected_at = f.detected_at.max(g.detected_at);
            f.probes += g.probes;
            f.targets += g.targets;
            f.victim_ports += g.victim_ports;
            f.answered += g.answered;
        }
    }

    /// A rule's alert about one source (the slow-scan and ARP-sweep rules'): class `class`
    /// for all its `packets` (of `total` seen), between `seen` (first, last), score 1 (a rule,
    /// not a network), no profile and no rule's evidence yet (the caller sets its own).
    pub(crate) fn of_rule(
        (src, dst, proto): (IpAddr, IpAddr, u8),
        class: Class,
        packets: u64,
        total: u64,
        (first_seen, last_seen): (f64, f64),
    ) -> Alert {
        let mut class_counts = [0u64; 15];
        class_counts[class.index()] = packets;
        Alert {
            scope: Scope::Source,
            src,
            dst,
            proto,
            class,
            packets,
            total,
            sources: 1,
            score: 1.0,
            first_seen,
            last_seen,
            class_counts,
            profile: None,
            slow_scan: None,
            arp_sweep: None,
            arp_spoof: None,
            network: None,
            neighbour: None,
        }
    }

    /// Whether it reports a flood: a flood class, or an `other-attack` its profile named for
    /// its volume (a flood of ACKs, resets, ...).
    fn is_flood(&self) -> bool {
        self.class.is_flood() || self.profile.is_some_and(|e| e.naming.is_flood())
    }

    /// Whether it reports an `other-attack` that is a scan: of IP protocols, or of SCTP or
    /// UDP-Lite ports ([`crate::unlearned`]), or a ping sweep.
    fn is_other_scan(&self) -> bool {
        self.class == Class::OtherAttack
            && (self.arp_sweep.is_some()
                || self.profile.is_some_and(|e| {
                    e.naming.rule == Rule::ProtocolScan
                        || (matches!(self.proto, 132 | 136) && !e.naming.is_flood())
                })
                || self.is_ping_sweep())
    }

    /// Whether the alert reports ICMP queries to many hosts: the slow-scan rule's finding of
    /// many silent ones, or an episode the profile named so.
    fn is_ping_sweep(&self) -> bool {
        self.slow_scan.is_some_and(|f| matches!(f.proto, 1 | 58))
            || self
                .profile
                .is_some_and(|e| e.naming.rule == Rule::PingSweep)
    }

    /// What the alert reports, in words: [`describe`] of its class, except that an
    /// `other-attack` flood says what it floods with ("TCP ACK flood", "TCP reset flood"), an
    /// `other-attack` scan what it scans ("IP protocol scan", "SCTP port scan"), and a flood of
    /// forged ICMP errors says so.
    fn what(&self) -> String {
        if let Some(s) = &self.arp_sweep {
            return s.describe();
        }
        if let Some(s) = &self.arp_spoof {
            return s.describe();
        }
        if let Some(n) = &self.neighbour {
            return n.rule.describe().into();
        }
        match &self.profile {
            Some(e) if e.naming.rule == Rule::ForgedErrors => "ICMP flood of forged errors".into(),
            Some(e) if e.naming.rule == Rule::ProtocolScan => "IP protocol scan".into(),
            Some(e) if e.naming.rule == Rule::AbsentProtocol => format!(
                "{} packets the networks took for another protocol's attack",
                proto_name(self.proto)
            ),
            Some(e) if e.naming.rule == Rule::Reflection => "UDP flood of reflected answers".into(),
            Some(e) if e.naming.rule == Rule::TlsRenegotiation => "TLS renegotiation flood".into(),
            Some(e) if e.naming.rule == Rule::SlowRequests => {
                "slow requests held open (slowloris)".into()
            }
            Some(e) if e.naming.rule == Rule::SlowReads => {
                "slow reads: answers held in shut receive windows".into()
            }
            Some(e) if e.naming.rule == Rule::Fuzzing => {
                "fuzzing: connections of random bytes to one service".into()
            }
            Some(e) if e.naming.rule == Rule::OverlappingFragments => {
                "overlapping IP fragments".into()
            }
            Some(e) if e.naming.rule == Rule::PingOfDeath => {
                "ping of death: IP fragments ending past 65,535 bytes".into()
            }
            Some(e) if e.naming.rule == Rule::PasswordGuessing => {
                format!(
                    "{} password guessing",
                    e.login.map_or("login", |l| l.name())
                )
            }
            _ if self.is_ping_sweep() => format!("{} ping sweep", proto_name(self.proto)),
            Some(_) if self.is_other_scan() => format!("{} port scan", proto_name(self.proto)),
            Some(e) if self.class == Class::OtherAttack && e.naming.is_flood() => {
                match (e.naming.rule, e.probe_flags) {
                    (Rule::Resets, _) => "TCP reset flood".into(),
                    // most of the packets of another protocol, or of several (t50's mix) with
                    // UDP or TCP the largest share
                    (Rule::OtherProtocolFlood, _) if matches!(self.proto, 1 | 6 | 17 | 58) => {
                        "flood of several IP protocols".into()
                    }
                    (Rule::OtherProtocolFlood, _) => format!("{} flood", protocol_word(self.proto)),
                    (_, Some(f)) => format!("TCP {} flood", flag_names(f)),
                    _ if matches!(self.proto, 132 | 136) => {
                        format!("{} flood", proto_name(self.proto))
                    }
                    _ => "flood".into(),
                }
            }
            Some(e) if self.class == Class::OtherAttack && e.naming.rule == Rule::ProbeFlags => {
                match e.probe_flags {
                    Some(f) => format!("TCP {} probes", flag_names(f)),
                    None => describe(self.class).into(),
                }
            }
            _ => describe(self.class).into(),
        }
    }

    /// Suricata classtype description: scans are information gathering, floods denial of
    /// service, password guessing an attempt at a user's privileges (classtype
    /// `attempted-user`).
    pub fn category(&self) -> &'static str {
        if self
            .profile
            .is_some_and(|e| e.naming.rule == Rule::PasswordGuessing)
        {
            "Attempted User Privilege Gain"
        } else if self.is_flood() {
            "Attempted Denial of Service"
        } else if self.class == Class::OtherAttack && !self.is_other_scan() {
            "Potentially Bad Traffic"
        } else {
            "Detection of a Network Scan"
        }
    }

    /// Suricata severity: 1 (high) for floods, 2 for scans and the rest.
    pub fn severity(&self) -> u8 {
        if self.is_flood() {
            1
        } else {
            2
        }
    }

    /// Signature id: 9,100,000 + the class index (+ 50 for per-victim alerts, + 100 for
    /// per-victim-network ones), in the range left for local rules.
    pub fn signature_id(&self) -> u64 {
        let scope = match (self.scope, self.network) {
            (Scope::Source, _) => 0,
            (Scope::Victim, None) => 50,
            (Scope::Victim, Some(_)) => 100,
        };
        9_100_000 + self.class.index() as u64 + scope
    }

    /// The human-readable signature.
    pub fn signature(&self) -> String {
        let mut s = self.signature_base();
        if let Some(p) = &self.profile {
            for alt in p.naming.alternatives {
                s.push_str(&format!(
                    " (or {alt}: {} sends the same probes)",
                    describe(*alt)
                ));
            }
        }
        s
    }

    fn signature_base(&self) -> String {
        match self.scope {
            Scope::Source => format!(
                "NIGHTJAR {} ({}) from {} against {}",
                self.class,
                self.what(),
                self.src,
                self.dst
            ),
            Scope::Victim => match &self.network {
                Some(n) => format!(
                    "NIGHTJAR {} ({}) against {} ({} addresses) from {} sources (spoofed)",
                    self.class,
                    self.what(),
                    n,
                    n.addresses,
                    self.sources
                ),
                None => format!(
                    "NIGHTJAR {} ({}) against {} from {} sources (spoofed)",
                    self.class,
                    self.what(),
                    self.dst,
                    self.sources
                ),
            },
        }
    }

    /// The EVE JSON object.
    pub fn to_eve(&self) -> Value {
        let mut eve = json!({
            "timestamp": iso8601(self.first_seen),
            "event_type": "alert",
            "src_ip": self.src.to_string(),
            "dest_ip": self.dst.to_string(),
            "proto": self.proto_str(),
            "alert": {
                "action": "allowed",
                "gid": 1,
                "signature_id": self.signature_id(),
                "rev": 1,
                "signature": self.signature(),
                "category": self.category(),
                "severity": self.severity(),
            },
            "nightjar": {
                "label": self.class.as_str(),
                "score": (f64::from(self.score) * 1e4).round() / 1e4,
                "packets": self.packets,
                "first_seen": iso8601(self.first_seen),
                "last_seen": iso8601(self.last_seen),
                "scope": self.scope.as_str(),
                "sources": self.sources,
                "source_packets": self.total,
                "classes": Class::ALL.iter().filter(|c| self.class_counts[c.index()] > 0)
                    .map(|c| (c.as_str().to_string(), json!(self.class_counts[c.index()])))
                    .collect::<serde_json::Map<_, _>>(),
                "profile": self.profile.as_ref().map(Evidence::to_json),
            },
        });
        if let Some(f) = &self.slow_scan {
            eve["nightjar"]["slow_scan"] = f.to_json();
        }
        if let Some(s) = &self.arp_sweep {
            eve["nightjar"]["arp_sweep"] = s.to_json();
        }
        if let Some(s) = &self.arp_spoof {
            eve["nightjar"]["arp_spoof"] = s.to_json();
        }
        if let Some(n) = &self.neighbour {
            eve["nightjar"]["neighbour"] = n.to_json();
        }
        if let Some(n) = &self.network {
            eve["nightjar"]["network"] = json!({
                "prefix": n.to_string(),
                "addresses": n.addresses,
            });
        }
        eve
    }

    /// The EVE line of [`Alert::to_eve`], written at the end of `out` without its newline:
    /// the same bytes as `to_eve().to_string()`, without building the [`Value`] (see
    /// [`crate::jsonw`]). The evidence of the rarer rules (slow scan, ARP, neighbour
    /// discovery, victim network) is still made as a `Value` and written as one.
    pub fn write_eve(&self, out: &mut String) {
        let timestamp = iso8601(self.first_seen);
        let mut eve = Obj::open(out);
        {
            let mut a = eve.obj("alert");
            a.str("action", "allowed");
            a.str("category", self.category());
            a.u64("gid", 1);
            a.u64("rev", 1);
            a.u64("severity", u64::from(self.severity()));
            a.str("signature", &self.signature());
            a.u64("signature_id", self.signature_id());
            a.close();
        }
        eve.str("dest_ip", &self.dst.to_string());
        eve.str("event_type", "alert");
        {
            let mut n = eve.obj("nightjar");
            if let Some(s) = &self.arp_spoof {
                n.value("arp_spoof", &s.to_json());
            }
            if let Some(s) = &self.arp_sweep {
                n.value("arp_sweep", &s.to_json());
            }
            {
                // the classes seen, by name (a `Value`'s object sorts its keys)
                let mut seen = [("", 0u64); 15];
                let mut len = 0;
                for c in Class::ALL {
                    let k = self.class_counts.get(c.index()).copied().unwrap_or(0);
                    if let (true, Some(slot)) = (k > 0, seen.get_mut(len)) {
                        *slot = (c.as_str(), k);
                        len += 1;
                    }
                }
                let seen = seen.get_mut(..len).unwrap_or_default();
                seen.sort_unstable_by_key(|&(name, _)| name);
                let mut classes = n.obj("classes");
                for &(name, k) in seen.iter() {
                    classes.u64(name, k);
                }
                classes.close();
            }
            n.str("first_seen", &timestamp);
            n.str("label", self.class.as_str());
            n.str("last_seen", &iso8601(self.last_seen));
            if let Some(a) = &self.neighbour {
                n.value("neighbour", &a.to_json());
            }
            if let Some(net) = &self.network {
                let mut o = n.obj("network");
                o.u64("addresses", net.addresses);
                o.str("prefix", &net.to_string());
                o.close();
            }
            n.u64("packets", self.packets);
            match &self.profile {
                Some(e) => e.write_json(n.obj("profile")),
                None => n.value("profile", &Value::Null),
            }
            n.str("scope", self.scope.as_str());
            n.f64("score", (f64::from(self.score) * 1e4).round() / 1e4);
            if let Some(f) = &self.slow_scan {
                n.value("slow_scan", &f.to_json());
            }
            n.u64("source_packets", self.total);
            n.u64("sources", self.sources);
            n.close();
        }
        eve.str("proto", &self.proto_str());
        eve.str("src_ip", &self.src.to_string());
        eve.str("timestamp", &timestamp);
        eve.close();
    }

    /// The EVE `proto`: Suricata's name of the IP protocol ([`proto_name`]), or `"ARP"` for
    /// an ARP rule's alert. (Suricata 8 writes no `proto`, `src_ip` or `dest_ip` for a packet that is
    /// not IP; DESIGN §12 promises all three in every alert, so the sweep's addresses are its
    /// sender's and its subnet's, the spoofing's its attacker's and its victim's, and the
    /// protocol is named.)
    pub fn proto_str(&self) -> String {
        if self.arp_sweep.is_some() || self.arp_spoof.is_some() {
            "ARP".into()
        } else {
            proto_name(self.proto)
        }
    }
}

/// Seconds since the Unix epoch as Suricata's timestamp: `YYYY-MM-DDTHH:MM:SS.ffffff+0000`.
/// Times before 1970 or not finite are written as the epoch.
pub fn iso8601(t: f64) -> String {
    let us_total = if t.is_finite() && t > 0.0 {
        (t * 1e6).round().min(253_402_300_799e6) as i64 // year 9999 at most
    } else {
        0
    };
    let secs = us_total.div_euclid(1_000_000);
    let us = us_total.rem_euclid(1_000_000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{us:06}+0000",
        sod / 3600,
        (sod / 60) % 60,
        sod % 60
    )
}

/// Howard Hinnant's `civil_from_days`: days since 1970-01-01 → (year, month, day), proleptic
/// Gregorian.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_suricata_iso8601_in_utc() {
        assert_eq!(iso8601(0.0), "1970-01-01T00:00:00.000000+0000");
        // known answers from GNU `date -u -d @SECONDS`
        assert_eq!(iso8601(1_000_000_000.5), "2001-09-09T01:46:40.500000+0000");
        assert_eq!(iso8601(951_782_400.0), "2000-02-29T00:00:00.000000+0000");
        assert_eq!(iso8601(1_709_210_096.25), "2024-02-29T12:34:56.250000+0000");
        assert_eq!(iso8601(f64::NAN), "1970-01-01T00:00:00.000000+0000");
    }

    #[test]
    fn eve_has_the_fields_of_design_12() {
        let a = Alert {
            scope: Scope::Source,
            src: "198.18.0.66".parse().unwrap(),
            dst: "198.18.0.10".parse().unwrap(),
            proto: 6,
            class: Class::ScanSyn,
            packets: 600,
            total: 610,
            sources: 1,
            score: 0.97,
            first_seen: 1_000_000_000.0,
            last_seen: 1_000_000_002.0,
            class_counts: [0; 15],
            profile: None,
            slow_scan: None,
            arp_sweep: None,
            arp_spoof: None,
            network: None,
            neighbour: None,
        };
        let e = a.to_eve();
        assert_eq!(e["event_type"], "alert");
        assert_eq!(e["src_ip"], "198.18.0.66");
        assert_eq!(e["dest_ip"], "198.18.0.10");
        assert_eq!(e["proto"], "TCP");
        assert_eq!(e["alert"]["severity"], 2);
        assert!(e["alert"]["signature"]
            .as_str()
            .unwrap()
            .contains("scan-syn"));
        assert_eq!(e["nightjar"]["label"], "scan-syn");
        assert_eq!(e["nightjar"]["packets"], 600);
        assert_eq!(
            e["nightjar"]["last_seen"],
            "2001-09-09T01:46:42.000000+0000"
        );
    }

    #[test]
    fn a_victim_network_alert_names_its_prefix_and_addresses_and_keeps_the_fields_of_design_12() {
        let net: IpAddr = "198.18.1.0".parse().unwrap();
        let mut a = Alert::of_rule(
            ("203.0.113.9".parse().unwrap(), net, 6),
            Class::FloodSyn,
            6000,
            6000,
            (1_000_000_000.0, 1_000_000_003.0),
        );
        (a.scope, a.sources, a.score) = (Scope::Victim, 5990, 0.5);
        // a victim alert about one host: no `network`, signature id + 50
        let one = a.to_eve();
        assert!(one["nightjar"].get("network").is_none(), "{one}");
        assert_eq!(one["alert"]["signature_id"], 9_100_000 + 10 + 50);
        a.network = Some(Network {
            addr: net,
            len: 24,
            addresses: 231,
        });
        let e = a.to_eve();
        // DESIGN §12's fields, as for any alert
        assert_eq!(e["event_type"], "alert");
        assert_eq!(e["src_ip"], "203.0.113.9");
        assert_eq!(e["dest_ip"], "198.18.1.0");
        assert_eq!(e["proto"], "TCP");
        assert_eq!(e["nightjar"]["label"], "flood-syn");
        assert_eq!(e["nightjar"]["scope"], "victim");
        assert_eq!(e["nightjar"]["packets"], 6000);
        assert_eq!(e["nightjar"]["sources"], 5990);
        // and the network's
        assert_eq!(e["nightjar"]["network"]["prefix"], "198.18.1.0/24");
        assert_eq!(e["nightjar"]["network"]["addresses"], 231);
        assert_eq!(e["alert"]["signature_id"], 9_100_000 + 10 + 100);
        assert_eq!(e["alert"]["severity"], 1);
        assert_eq!(e["alert"]["category"], "Attempted Denial of Service");
        assert_eq!(
            e["alert"]["signature"],
            "NIGHTJAR flood-syn (TCP SYN flood) against 198.18.1.0/24 (231 addresses) from 5990 \
             sources (spoofed)"
        );
    }

    #[test]
    fn an_other_attack_flood_says_what_it_floods_with_and_is_a_denial_of_service() {
        use crate::features::tests::tcp;
        use crate::profile::Profile;
        let flood = |flags: u8| {
            let mut p = Profile::default();
            for _ in 0..1000 {
                p.add(
                    &tcp(1.0, "198.18.0.66", "198.18.0.10", 2000, 80, flags),
                    true,
                    false,
                );
            }
            Alert {
                scope: Scope::Source,
                src: "198.18.0.66".parse().unwrap(),
                dst: "198.18.0.10".parse().unwrap(),
                proto: 6,
                class: Class::OtherAttack,
                packets: 1000,
                total: 1000,
                sources: 1,
                score: 0.9,
                first_seen: 1.0,
                last_seen: 2.0,
                class_counts: [0; 15],
                profile: Some(p.decide(&[0; 15], false)),
                slow_scan: None,
                arp_sweep: None,
                arp_spoof: None,
                network: None,
                neighbour: None,
            }
        };
        for (flags, what) in [
            (0x10, "TCP ACK flood"),
            (0x18, "TCP PSH+ACK flood"),
            (0x04, "TCP reset flood"),
        ] {
            let a = flood(flags);
            assert_eq!(a.class, Class::OtherAttack);
            assert_eq!(
                a.signature(),
                format!("NIGHTJAR other-attack ({what}) from 198.18.0.66 against 198.18.0.10")
            );
            assert_eq!(
                (a.category(), a.severity()),
                ("Attempted Denial of Service", 1)
            );
        }
        // SYN+ACK probes too few for a flood (an idle scan's of its zombie) say what they are
        let mut idle = flood(0x12);
        let mut p = Profile::default();
        for i in 0..30u16 {
            p.add(
                &tcp(1.0, "198.18.0.66", "198.18.0.40", 40000 + i, 80, 0x12),
                true,
                false,
            );
        }
        idle.profile = Some(p.decide(&[0; 15], false));
        idle.dst = "198.18.0.40".parse().unwrap();
        assert_eq!(
            (idle.signature().as_str(), idle.category(), idle.severity()),
            (
                "NIGHTJAR other-attack (TCP SYN+ACK probes) from 198.18.0.66 against 198.18.0.40",
                "Potentially Bad Traffic",
                2
            )
        );
        // an other-attack the profile did not name for its volume stays "attack"
        let a = Alert {
            profile: None,
            ..flood(0x10)
        };
        assert_eq!(
            (a.what().as_str(), a.category(), a.severity()),
            ("attack", "Potentially Bad Traffic", 2)
        );
    }

    #[test]
    fn a_flood_of_another_protocol_names_it() {
        use crate::features::tests::udp;
        use crate::profile::{Profile, Rule};
        for (protocol, what) in [
            (2u8, "IGMP flood"),
            (47, "GRE flood"),
            (89, "OSPF flood"),
            (253, "IP protocol 253 flood"),
        ] {
            let mut p = Profile::default();
            for _ in 0..500 {
                let mut o = udp(1.0, "198.18.0.66", "198.18.0.10", 0, 0, 60);
                o.proto = protocol;
                p.add(&o, true, false);
            }
            let e = p.decide(&[0; 15], false);
            assert_eq!(e.naming.rule, Rule::OtherProtocolFlood, "{protocol}");
            let a = Alert {
                scope: Scope::Source,
                src: "198.18.0.66".parse().unwrap(),
                dst: "198.18.0.10".parse().unwrap(),
                proto: protocol,
                class: e.naming.class,
                packets: 500,
                total: 500,
                sources: 1,
                score: 0.5,
                first_seen: 1.0,
                last_seen: 1.1,
                class_counts: [0; 15],
                profile: Some(e),
                slow_scan: None,
                arp_sweep: None,
                arp_spoof: None,
                network: None,
                neighbour: None,
            };
            assert_eq!(a.class, Class::OtherAttack);
            assert_eq!(a.what(), what);
            assert_eq!(a.category(), "Attempted Denial of Service");
            // with UDP the largest share of a mix of protocols
            let mixed = Alert { proto: 17, ..a };
            assert_eq!(mixed.what(), "flood of several IP protocols");
        }
    }

    #[test]
    fn password_guessing_names_the_service_when_its_packets_are_most_of_the_episode() {
        use crate::features::tests::tcp;
        use crate::guessing::Login;
        use crate::profile::{Profile, Rule};
        // a guesser's connections: a SYN each, at volume, to one port (by the probes alone, a
        // SYN flood)
        let mut p = Profile::default();
        for i in 0..200u16 {
            p.add(
                &tcp(1.0, "198.18.0.66", "198.18.0.10", 30000 + i, 22, 0x02),
                true,
                false,
            );
        }
        let ml = {
            let mut m = [0u64; 15];
            m[Class::OtherAttack.index()] = 400;
            m
        };
        let by_probes = p.decide(&ml, false);
        assert_ne!(by_probes.naming.rule, Rule::PasswordGuessing);
        // half of the flagged packets the rule's: not most of them, as it was
        assert_eq!(
            by_probes.with_guesses(200, 400, Some(Login::Ssh)),
            by_probes
        );
        for (login, what) in [
            (Login::Ssh, "SSH password guessing"),
            (Login::Ftp, "FTP password guessing"),
        ] {
            let e = by_probes.with_guesses(201, 400, Some(login));
            assert_eq!(e.naming.rule, Rule::PasswordGuessing);
            assert_eq!(e.naming.class, Class::OtherAttack);
            let a = Alert {
                scope: Scope::Source,
                src: "198.18.0.66".parse().unwrap(),
                dst: "198.18.0.10".parse().unwrap(),
                proto: 6,
                class: e.naming.class,
                packets: 400,
                total: 420,
                sources: 1,
                score: 0.1,
                first_seen: 1.0,
                last_seen: 60.0,
                class_counts: ml,
                profile: Some(e),
                slow_scan: None,
                arp_sweep: None,
                arp_spoof: None,
                network: None,
                neighbour: None,
            };
            assert_eq!(a.what(), what);
            assert_eq!(a.category(), "Attempted User Privilege Gain");
            assert_eq!(a.severity(), 2);
            let eve = a.to_eve();
            assert_eq!(eve["nightjar"]["label"], "other-attack");
            assert_eq!(eve["nightjar"]["profile"]["rule"], "password-guessing");
            assert_eq!(eve["nightjar"]["profile"]["service"], login.as_str());
            assert!(eve["alert"]["signature"].as_str().unwrap().contains(what));
        }
        // other alerts' profiles carry no service
        assert!(by_probes.to_json().get("service").is_none());
    }
}
