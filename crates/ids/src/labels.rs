//! LABELS.json (DESIGN §12): which packets of a capture are attacks, and of which type.
//!
//! ```json
//! {"capture": "NAME.pcap",
//!  "attackers": [{"ip": "198.18.0.66"}],
//!  "episodes": [{"src": "198.18.0.66", "label": "scan-syn", "start": 1764300000.25, "end": 1764300012.5}]}
//! ```
//!
//! The rule: a packet is an attack packet when its source or destination is an attacker address
//! and its time falls inside one of that attacker's episodes (both ends inclusive), or anywhere
//! when the attacker has no episodes; its class is that episode's label. An attacker without
//! episodes may carry an optional `"label"` (default `other-attack`), used for all its packets.
//! When several episodes contain the time, the first in file order wins; when both ends of a
//! packet are attackers, the source's episodes are looked at first. Unknown fields are ignored
//! (the lab records commands and notes beside the spans).
//!
//! Validation, with errors that name the offending entry: a `capture` name; attacker addresses
//! that parse and are unique; episodes whose `src` is a listed attacker, whose label is one of
//! the fixed attack labels (not `normal`), and whose times are finite with `start <= end`.

use crate::class::Class;
use serde::Deserialize;
use std::collections::HashMap;
use std::net::IpAddr;
use std::path::Path;

/// Why a labels file was refused.
#[derive(Debug, thiserror::Error)]
pub enum LabelsError {
    /// Not JSON, or not the shape of a labels file.
    #[error("not a labels file: {0}")]
    Json(#[from] serde_json::Error),
    /// JSON of the right shape whose content breaks a rule.
    #[error("{0}")]
    Invalid(String),
}

#[derive(Deserialize)]
struct RawLabels {
    capture: String,
    #[serde(default)]
    attackers: Vec<RawAttacker>,
    #[serde(default)]
    episodes: Vec<RawEpisode>,
}

#[derive(Deserialize)]
struct RawAttacker {
    ip: String,
    #[serde(default)]
    label: Option<String>,
}

#[derive(Deserialize)]
struct RawEpisode {
    src: String,
    label: String,
    start: f64,
    end: f64,
}

/// One attack episode of one attacker.
#[derive(Clone, Debug, PartialEq)]
pub struct Episode {
    pub src: IpAddr,
    pub class: Class,
    pub start: f64,
    pub end: f64,
}

/// A validated labels file.
#[derive(Clone, Debug)]
pub struct Labels {
    /// The capture's file name as the lab wrote it.
    pub capture: String,
    /// Attacker addresses in file order, with the class used when they have no episodes.
    pub attackers: Vec<(IpAddr, Class)>,
    /// Episodes in file order.
    pub episodes: Vec<Episode>,
    /// Attacker address -> (class without episodes, indices of its episodes in file order).
    index: HashMap<IpAddr, (Class, Vec<usize>)>,
}

fn parse_ip(s: &str, what: &str) -> Result<IpAddr, LabelsError> {
    s.trim()
        .parse::<IpAddr>()
        .map_err(|_| LabelsError::Invalid(format!("{what}: {s:?} is not an IP address")))
}

impl Labels {
    /// Parse and validate the text of a labels file.
    pub fn parse(text: &str) -> Result<Labels, LabelsError> {
        let raw: RawLabels = serde_json::from_str(text)?;
        if raw.capture.trim().is_empty() {
            return Err(LabelsError::Invalid("\"capture\" is empty".into()));
        }
        let mut index: HashMap<IpAddr, (Class, Vec<usize>)> = HashMap::new();
        let mut attackers = Vec::with_capacity(raw.attackers.len());
        for (i, a) in raw.attackers.iter().enumerate() {
            let ip = parse_ip(&a.ip, &format!("attackers[{i}].ip"))?;
            let class = match &a.label {
                None => Class::OtherAttack,
                Some(l) => attack_class(l, &format!("attackers[{i}].label"))?,
            };
            if index.insert(ip, (class, Vec::new())).is_some() {
                return Err(LabelsError::Invalid(format!(
                    "attackers[{i}]: {ip} is listed twice"
                )));
            }
            attackers.push((ip, class));
        }
        let mut episodes = Vec::with_capacity(raw.episodes.len());
        for (i, e) in raw.episodes.iter().enumerate() {
            let what = format!("episodes[{i}]");
            let src = parse_ip(&e.src, &format!("{what}.src"))?;
            let class = attack_class(&e.label, &format!("{what}.label"))?;
            if !e.start.is_finite() || !e.end.is_finite() {
                return Err(LabelsError::Invalid(format!(
                    "{what}: start and end must be finite numbers of seconds"
                )));
            }
            if e.start > e.end {
                return Err(LabelsError::Invalid(format!(
                    "{what}: start {} is after end {}",
                    e.start, e.end
                )));
            }
            let Some(entry) = index.get_mut(&src) else {
                return Err(LabelsError::Invalid(format!(
                    "{what}: src {src} is not among the attackers"
                )));
            };
            entry.1.push(i);
            episodes.push(Episode {
                src,
                class,
                start: e.start,
                end: e.end,
            });
        }
        Ok(Labels {
            capture: raw.capture,
            attackers,
            episodes,
            index,
        })
    }

    /// Read and validate a labels file.
    pub fn load(path: &Path) -> Result<Labels, crate::IdsError> {
        let text = std::fs::read_to_string(path).map_err(|e| crate::IdsError::Io {
            path: path.display().to_string(),
            source: e,
        })?;
        Labels::parse(&text).map_err(|e| crate::IdsError::Labels {
            path: path.display().to_string(),
            source: e,
        })
    }

    /// Labels with no attackers: every packet is normal.
    pub fn all_normal(capture: &str) -> Labels {
        Labels {
            capture: capture.to_string(),
            attackers: Vec::new(),
            episodes: Vec::new(),
            index: HashMap::new(),
        }
    }

    /// The class of a packet from `src` to `dst` at time `ts` (seconds since the epoch).
    pub fn classify(&self, src: IpAddr, dst: IpAddr, ts: f64) -> Class {
        self.attacker_class(src, ts)
            .or_else(|| self.attacker_class(dst, ts))
            .unwrap_or(Class::Normal)
    }

    fn attacker_class(&self, ip: IpAddr, ts: f64) -> Option<Class> {
        let (default, eps) = self.index.get(&ip)?;
        if eps.is_empty() {
            return Some(*default);
        }
        eps.iter()
            .filter_map(|&i| self.episodes.get(i))
            .find(|e| e.start <= ts && ts <= e.end)
            .map(|e| e.class)
    }
}

fn attack_class(label: &str, what: &str) -> Result<Class, LabelsError> {
    let class = label
        .parse::<Class>()
        .map_err(|e| LabelsError::Invalid(format!("{what}: {e}")))?;
    if class == Class::Normal {
        return Err(LabelsError::Invalid(format!(
            "{what}: \"normal\" is not an attack label"
        )));
    }
    Ok(class)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    const SAMPLE: &str = r#"{"capture": "train-1.pcap",
        "attackers": [{"ip": "198.18.0.66"}, {"ip": "198.18.0.67"}, {"ip": "198.18.0.68", "label": "flood-udp"}],
        "episodes": [
          {"src": "198.18.0.66", "label": "scan-syn", "start": 100.0, "end": 110.0, "command": "nmap -sS"},
          {"src": "198.18.0.66", "label": "scan-xmas", "start": 105.0, "end": 120.0},
          {"src": "198.18.0.67", "label": "flood-icmp", "start": 200.0, "end": 201.5}
        ],
        "notes": "extra fields are ignored"}"#;

    #[test]
    fn packet_from_attacker_inside_episode_takes_its_label() {
        let l = Labels::parse(SAMPLE).unwrap();
        let v = ip("198.18.0.10");
        assert_eq!(l.classify(ip("198.18.0.66"), v, 100.0), Class::ScanSyn);
        assert_eq!(l.classify(ip("198.18.0.66"), v, 110.0), Class::ScanSyn);
        assert_eq!(l.classify(ip("198.18.0.67"), v, 201.0), Class::FloodIcmp);
    }

    #[test]
    fn replies_to_attacker_are_attack_packets_too() {
        let l = Labels::parse(SAMPLE).unwrap();
        assert_eq!(
            l.classify(ip("198.18.0.10"), ip("198.18.0.66"), 101.0),
            Class::ScanSyn
        );
    }

    #[test]
    fn attacker_outside_its_episodes_is_normal() {
        let l = Labels::parse(SAMPLE).unwrap();
        let v = ip("198.18.0.10");
        assert_eq!(l.classify(ip("198.18.0.66"), v, 99.999), Class::Normal);
        assert_eq!(l.classify(ip("198.18.0.66"), v, 120.001), Class::Normal);
        // another attacker's episode does not count
        assert_eq!(l.classify(ip("198.18.0.67"), v, 105.0), Class::Normal);
    }

    #[test]
    fn overlapping_episodes_first_in_file_order_wins() {
        let l = Labels::parse(SAMPLE).unwrap();
        let v = ip("198.18.0.10");
        assert_eq!(l.classify(ip("198.18.0.66"), v, 107.0), Class::ScanSyn);
        assert_eq!(l.classify(ip("198.18.0.66"), v, 115.0), Class::ScanXmas);
    }

    #[test]
    fn attacker_without_episodes_is_attacking_everywhere() {
        let l = Labels::parse(SAMPLE).unwrap();
        let v = ip("198.18.0.10");
        assert_eq!(l.classify(ip("198.18.0.68"), v, 0.0), Class::FloodUdp);
        assert_eq!(l.classify(v, ip("198.18.0.68"), 1e10), Class::FloodUdp);
        let l = Labels::parse(r#"{"capture":"x","attackers":[{"ip":"10.0.0.1"}]}"#).unwrap();
        assert_eq!(
            l.classify(ip("10.0.0.1"), v, 5.0),
            Class::OtherAttack,
            "default class without episodes"
        );
    }

    #[test]
    fn source_attacker_is_looked_at_before_destination_attacker() {
        let l = Labels::parse(SAMPLE).unwrap();
        assert_eq!(
            l.classify(ip("198.18.0.66"), ip("198.18.0.67"), 200.5),
            Class::FloodIcmp,
            "src has no episode at 200.5, dst has"
        );
        assert_eq!(
            l.classify(ip("198.18.0.66"), ip("198.18.0.68"), 101.0),
            Class::ScanSyn
        );
    }

    #[test]
    fn non_attackers_are_normal_and_ipv6_works() {
        let l = Labels::parse(
            r#"{"capture":"x","attackers":[{"ip":"2001:db8::66"}],
                "episodes":[{"src":"2001:db8::66","label":"scan-udp","start":1,"end":2}]}"#,
        )
        .unwrap();
        assert_eq!(
            l.classify(ip("2001:db8::1"), ip("2001:db8::66"), 1.5),
            Class::ScanUdp
        );
        assert_eq!(
            l.classify(ip("2001:db8::1"), ip("2001:db8::2"), 1.5),
            Class::Normal
        );
        assert_eq!(
            Labels::all_normal("x").classify(ip("1.2.3.4"), ip("5.6.7.8"), 0.0),
            Class::Normal
        );
    }

    fn err(text: &str) -> String {
        Labels::parse(text).unwrap_err().to_string()
    }

    #[test]
    fn malformed_files_are_refused_with_a_reason() {
        assert!(err("").contains("not a labels file"));
        assert!(err("[]").contains("not a labels file"));
        assert!(err(r#"{"attackers":[]}"#).contains("capture"));
        assert!(err(r#"{"capture":"  "}"#).contains("empty"));
        assert!(
            err(r#"{"capture":"x","attackers":[{"ip":"999.1.1.1"}]}"#).contains("attackers[0].ip")
        );
        assert!(
            err(r#"{"capture":"x","attackers":[{"ip":"1.1.1.1"},{"ip":"1.1.1.1"}]}"#)
                .contains("twice")
        );
        assert!(err(
            r#"{"capture":"x","attackers":[{"ip":"1.1.1.1"}],"episodes":[{"src":"1.1.1.2","label":"scan-syn","start":1,"end":2}]}"#
        )
        .contains("not among the attackers"));
        assert!(err(
            r#"{"capture":"x","attackers":[{"ip":"1.1.1.1"}],"episodes":[{"src":"1.1.1.1","label":"scan-foo","start":1,"end":2}]}"#
        )
        .contains("episodes[0].label"));
        assert!(err(
            r#"{"capture":"x","attackers":[{"ip":"1.1.1.1"}],"episodes":[{"src":"1.1.1.1","label":"normal","start":1,"end":2}]}"#
        )
        .contains("not an attack label"));
        assert!(err(
            r#"{"capture":"x","attackers":[{"ip":"1.1.1.1"}],"episodes":[{"src":"1.1.1.1","label":"scan-syn","start":3,"end":2}]}"#
        )
        .contains("after end"));
        assert!(err(
            r#"{"capture":"x","attackers":[{"ip":"1.1.1.1"}],"episodes":[{"src":"1.1.1.1","label":"scan-syn","start":"a","end":2}]}"#
        )
        .contains("not a labels file"));
        assert!(err(
            r#"{"capture":"x","attackers":[{"ip":"1.1.1.1"}],"episodes":[{"src":"1.1.1.1","label":"scan-syn","end":2}]}"#
        )
        .contains("start"));
    }
}
