//! The fixed set of traffic classes (DESIGN §12).

use std::fmt;
use std::str::FromStr;

/// A traffic class: `normal` or one attack type. The set is fixed by DESIGN §12; its order is
/// the order of the class indices stored in model files (never reorder, only append).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Class {
    Normal,
    ScanSyn,
    ScanConnect,
    ScanFin,
    ScanNull,
    ScanXmas,
    ScanAck,
    ScanUdp,
    ScanMaimon,
    ScanWindow,
    FloodSyn,
    FloodUdp,
    FloodIcmp,
    FloodXmas,
    OtherAttack,
}

impl Class {
    /// Every class, in index order.
    pub const ALL: [Class; 15] = [
        Class::Normal,
        Class::ScanSyn,
        Class::ScanConnect,
        Class::ScanFin,
        Class::ScanNull,
        Class::ScanXmas,
        Class::ScanAck,
        Class::ScanUdp,
        Class::ScanMaimon,
        Class::ScanWindow,
        Class::FloodSyn,
        Class::FloodUdp,
        Class::FloodIcmp,
        Class::FloodXmas,
        Class::OtherAttack,
    ];

    /// The label as written in LABELS.json.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Normal => "normal",
            Class::ScanSyn => "scan-syn",
            Class::ScanConnect => "scan-connect",
            Class::ScanFin => "scan-fin",
            Class::ScanNull => "scan-null",
            Class::ScanXmas => "scan-xmas",
            Class::ScanAck => "scan-ack",
            Class::ScanUdp => "scan-udp",
            Class::ScanMaimon => "scan-maimon",
            Class::ScanWindow => "scan-window",
            Class::FloodSyn => "flood-syn",
            Class::FloodUdp => "flood-udp",
            Class::FloodIcmp => "flood-icmp",
            Class::FloodXmas => "flood-xmas",
            Class::OtherAttack => "other-attack",
        }
    }

    /// Position in [`Class::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The class at `i` in [`Class::ALL`].
    pub fn from_index(i: usize) -> Option<Class> {
        Class::ALL.get(i).copied()
    }

    /// Whether this is an attack class (anything but `normal`).
    pub fn is_attack(self) -> bool {
        self != Class::Normal
    }

    /// Whether this is one of the port-scan classes (`scan-*`).
    pub fn is_scan(self) -> bool {
        matches!(
            self,
            Class::ScanSyn
                | Class::ScanConnect
                | Class::ScanFin
                | Class::ScanNull
                | Class::ScanXmas
                | Class::ScanAck
                | Class::ScanUdp
                | Class::ScanMaimon
                | Class::ScanWindow
        )
    }

    /// Whether this is one of the flood classes (`flood-*`).
    pub fn is_flood(self) -> bool {
        matches!(
            self,
            Class::FloodSyn | Class::FloodUdp | Class::FloodIcmp | Class::FloodXmas
        )
    }
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A label that is not one of DESIGN §12's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownClass(pub String);

impl fmt::Display for UnknownClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown label {:?} (expected one of: ", self.0)?;
        for (i, c) in Class::ALL.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(c.as_str())?;
        }
        f.write_str(")")
    }
}

impl std::error::Error for UnknownClass {}

impl FromStr for Class {
    type Err = UnknownClass;
    fn from_str(s: &str) -> Result<Class, UnknownClass> {
        Class::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| UnknownClass(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_indices_are_positions() {
        for (i, c) in Class::ALL.iter().enumerate() {
            assert_eq!(c.index(), i);
            assert_eq!(Class::from_index(i), Some(*c));
            assert_eq!(c.as_str().parse::<Class>(), Ok(*c));
        }
        assert_eq!(Class::from_index(15), None);
        assert!(!Class::Normal.is_attack());
        assert!(Class::FloodXmas.is_attack());
    }

    #[test]
    fn unknown_label_lists_the_valid_ones() {
        let e = "scan-foo".parse::<Class>().unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("scan-foo") && msg.contains("flood-icmp"),
            "{msg}"
        );
    }

    #[test]
    fn every_class_is_normal_a_scan_a_flood_or_other_by_its_label() {
        for c in Class::ALL {
            let name = c.as_str();
            assert_eq!(c.is_scan(), name.starts_with("scan-"), "{name}");
            assert_eq!(c.is_flood(), name.starts_with("flood-"), "{name}");
        }
        assert_eq!(Class::ALL.iter().filter(|c| c.is_scan()).count(), 9);
        assert_eq!(Class::ALL.iter().filter(|c| c.is_flood()).count(), 4);
    }
}
