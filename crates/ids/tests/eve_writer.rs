//! `Alert::write_eve` (the EVE line written straight from the alert, session 18) writes the
//! bytes of `Alert::to_eve().to_string()` (the line as `serde_json` writes the alert built as
//! a `Value`) for every alert the detector raises on every committed capture
//! (`data/captures/*.pcap`); and those alerts include every part an EVE line can have, so
//! that none goes unchecked.

use nightjar_ids::detect::{DetectSettings, Engine, Event, Models};
use nightjar_ids::packet::PcapReader;
use std::path::Path;

#[test]
fn every_alert_of_every_committed_capture_is_written_as_serde_json_writes_its_value() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/captures");
    let mut captures: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "pcap"))
        .collect();
    captures.sort();
    assert!(captures.len() >= 20, "{captures:?}");
    let mut alerts = 0;
    // the optional parts of a line, each seen at least once
    let parts = [
        "\"profile\":null",
        "\"profile\":{",
        "\"probe_flags\":null",
        "\"service\":",
        "\"overlapping_fragments\":",
        "\"slow_scan\":",
        "\"arp_sweep\":",
        "\"arp_spoof\":",
        "\"neighbour\":",
        "\"network\":",
        "(or ",
    ];
    let mut seen = [false; 11];
    for c in &captures {
        let mut e = Engine::new(Models::builtin().unwrap(), DetectSettings::default()).unwrap();
        let mut bad = Vec::new();
        let mut sink = |ev: Event<'_>| {
            if let Event::Alert(a) = ev {
                let mut line = String::new();
                a.write_eve(&mut line);
                let want = a.to_eve().to_string();
                if line != want {
                    bad.push((line.clone(), want));
                }
                for (s, p) in seen.iter_mut().zip(parts) {
                    *s |= line.contains(p);
                }
                alerts += 1;
            }
        };
        let err = e.run(PcapReader::open(c).unwrap(), &mut sink).unwrap();
        assert!(err.is_none(), "{c:?}: {err:?}");
        e.finish(&mut sink).unwrap();
        assert!(bad.is_empty(), "{c:?}: {bad:#?}");
    }
    assert!(alerts > 100, "{alerts} alerts");
    for (s, p) in seen.iter().zip(parts) {
        assert!(s, "no alert with {p}");
    }
}
