//! Helpers shared by the end-to-end tests: the binary, the repository root, scratch directories,
//! running `nightjar` with captured output, and the committed lab captures: detection with the
//! built-in models, their labelled episodes and the alerts covering one. Each test file uses its
//! own subset.
#![allow(dead_code)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The `nightjar` binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_nightjar");

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A scratch directory removed at the end of the test.
pub struct Scratch(pub PathBuf);

impl Scratch {
    /// A fresh, empty directory `nightjar-test-NAME-PID` under the temporary directory.
    pub fn new(name: &str) -> Scratch {
        let p = std::env::temp_dir().join(format!("nightjar-test-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        Scratch(p)
    }

    /// A path inside the directory.
    pub fn path(&self, f: &str) -> PathBuf {
        self.0.join(f)
    }

    /// A path inside the directory, as a string (for argument lists).
    pub fn s(&self, f: &str) -> String {
        self.path(f).to_str().unwrap().to_string()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Run `nightjar ARGS` with no stdin.
pub fn run(args: &[&str]) -> Output {
    run_env(args, &[], None)
}

/// Run `nightjar ARGS` with extra environment variables and, optionally, bytes on stdin.
pub fn run_env(args: &[&str], env: &[(&str, &str)], stdin: Option<&[u8]>) -> Output {
    let mut c = Command::new(BIN);
    c.args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        c.env(k, v);
    }
    let mut child = c.spawn().expect("spawn nightjar");
    if let Some(data) = stdin {
        use std::io::Write;
        child.stdin.take().unwrap().write_all(data).unwrap();
    }
    child.wait_with_output().unwrap()
}

/// The exit code (the process must have exited, not been killed by a signal).
pub fn code(o: &Output) -> i32 {
    o.status.code().expect("exited normally, not by a signal")
}

/// Standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Seconds since the epoch of a `2026-11-28T10:00:00.123456+0000` timestamp.
pub fn secs(s: &str) -> f64 {
    let (date, rest) = s.split_once('T').unwrap();
    let d: Vec<i64> = date.split('-').map(|x| x.parse().unwrap()).collect();
    let time = rest.strip_suffix("+0000").unwrap();
    let t: Vec<f64> = time.split(':').map(|x| x.parse().unwrap()).collect();
    // days from civil (Howard Hinnant)
    let (y, m) = if d[1] <= 2 {
        (d[0] - 1, d[1] + 9)
    } else {
        (d[0], d[1] - 3)
    };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + d[2] - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    days as f64 * 86_400.0 + t[0] * 3600.0 + t[1] * 60.0 + t[2]
}

/// The path of `data/captures/NAME` (a file name with its extension).
pub fn cap(name: &str) -> String {
    repo()
        .join(format!("data/captures/{name}"))
        .display()
        .to_string()
}

/// `ids detect --pcap data/captures/NAME.pcap --json` with the built-in models: its object.
pub fn detect_json(name: &str) -> Value {
    detect_json_with(name, &[])
}

/// [`detect_json`] with extra arguments.
pub fn detect_json_with(name: &str, extra: &[&str]) -> Value {
    detect_json_at(&cap(&format!("{name}.pcap")), extra)
}

/// `ids detect --pcap PATH --json` with extra arguments and the built-in models: its object.
pub fn detect_json_at(path: &str, extra: &[&str]) -> Value {
    let mut args = vec!["ids", "detect", "--pcap", path, "--json"];
    args.extend_from_slice(extra);
    let o = run(&args);
    assert!(
        o.status.success(),
        "ids detect {path} {extra:?} failed: {}",
        stderr(&o)
    );
    serde_json::from_str(&String::from_utf8(o.stdout).unwrap()).unwrap()
}

/// The records of a little-endian microsecond pcap file (as the lab writes them): each one's
/// byte offset, 16-byte record header and captured frame.
pub fn pcap_records(bytes: &[u8]) -> Vec<(usize, &[u8], &[u8])> {
    assert_eq!(
        &bytes[..4],
        &[0xd4, 0xc3, 0xb2, 0xa1],
        "little-endian microsecond pcap"
    );
    let mut out = Vec::new();
    let mut off = 24;
    while off + 16 <= bytes.len() {
        let incl = u32::from_le_bytes(bytes[off + 8..off + 12].try_into().unwrap()) as usize;
        out.push((
            off,
            &bytes[off..off + 16],
            &bytes[off + 16..off + 16 + incl],
        ));
        off += 16 + incl;
    }
    assert_eq!(off, bytes.len(), "whole records");
    out
}

/// How many of an Ethernet capture's IPv4 frames (pcap `bytes`, as [`pcap_records`] reads
/// them) `f` holds for, given the IP packet and its header's length in bytes: a test's own
/// count of the frames it checks the detector's reading against.
pub fn count_ipv4(bytes: &[u8], f: impl Fn(&[u8], usize) -> bool) -> usize {
    pcap_records(bytes)
        .iter()
        .filter(|(_, _, frame)| {
            let Some(ip) = frame
                .get(14..)
                .filter(|_| frame.get(12..14) == Some(&[0x08, 0x00][..]))
            else {
                return false;
            };
            f(ip, usize::from(ip.first().copied().unwrap_or(0) & 0x0f) * 4)
        })
        .count()
}

/// How many of a capture's IPv4 frames ([`count_ipv4`]) are TCP segments from `src` whose
/// flags byte `flags` holds for.
pub fn count_tcp_from(bytes: &[u8], src: [u8; 4], flags: impl Fn(u8) -> bool) -> usize {
    count_ipv4(bytes, |ip, ihl| {
        ip.get(9) == Some(&6)
            && ip.get(12..16) == Some(&src[..])
            && ip.get(ihl + 13).is_some_and(|&fl| flags(fl))
    })
}

/// How many of a capture's IPv4 frames ([`count_ipv4`]) are SYNs without ACK from `src` to TCP
/// port `port` (any port: 0).
pub fn count_syns_to(bytes: &[u8], src: [u8; 4], port: u16) -> usize {
    count_ipv4(bytes, |ip, ihl| {
        ip.get(9) == Some(&6)
            && ip.get(12..16) == Some(&src[..])
            && (port == 0 || ip.get(ihl + 2..ihl + 4) == Some(&port.to_be_bytes()[..]))
            && ip.get(ihl + 13).is_some_and(|fl| fl & 0x12 == 0x02)
    })
}

/// An EVE alert in a line, for failure messages.
pub fn show(a: &Value) -> String {
    let n = &a["nightjar"];
    format!(
        "{} -> {} proto {} {} {} ({} packets from {} to {}): {}",
        a["src_ip"],
        a["dest_ip"],
        a["proto"],
        n["scope"],
        n["label"],
        n["packets"],
        n["first_seen"],
        n["last_seen"],
        a["alert"]["signature"]
    )
}

/// The alerts that cover no labelled episode (as `lab/episodes.py` counts false alerts, for
/// captures whose attacks are sent from the attackers' own addresses: an alert covers an
/// episode when it comes from its source and overlaps its span within 1 s).
pub fn false_alerts<'a>(alerts: &'a [Value], eps: &[Value]) -> Vec<&'a Value> {
    alerts
        .iter()
        .filter(|a| {
            !eps.iter()
                .any(|e| !covering(e, std::slice::from_ref(*a)).is_empty())
        })
        .collect()
}

/// Assert that every alert covers a labelled episode of `eps` ([`false_alerts`]); `what`
/// prefixes the message, which lists the false ones.
pub fn assert_no_false_alert(what: &str, alerts: &[Value], eps: &[Value]) {
    let f = false_alerts(alerts, eps);
    assert!(
        f.is_empty(),
        "{what}false alerts {:#?}",
        f.iter().map(|a| show(a)).collect::<Vec<_>>()
    );
}

/// The labelled episodes of `NAME.labels.json`.
pub fn episodes(name: &str) -> Vec<Value> {
    let labels: Value = serde_json::from_str(
        &std::fs::read_to_string(cap(&format!("{name}.labels.json"))).unwrap(),
    )
    .unwrap();
    labels["episodes"].as_array().unwrap().clone()
}

/// The one labelled episode whose command contains `needle`.
pub fn by_command<'a>(eps: &'a [Value], needle: &str) -> &'a Value {
    let found: Vec<&Value> = eps
        .iter()
        .filter(|e| e["command"].as_str().unwrap().contains(needle))
        .collect();
    assert_eq!(found.len(), 1, "{needle}: {found:?}");
    found[0]
}

/// The labels of a capture's episodes, sorted.
pub fn sorted_labels(eps: &[Value]) -> Vec<&str> {
    let mut labels: Vec<&str> = eps.iter().map(|e| e["label"].as_str().unwrap()).collect();
    labels.sort_unstable();
    labels
}

/// Assert that the capture's attacks ran one at a time, at least `gap` seconds apart (an
/// attack right after another of the same kind of probe could run into one alert).
pub fn assert_apart(name: &str, eps: &[Value], gap: f64) {
    let mut spans: Vec<(f64, f64)> = eps
        .iter()
        .map(|e| (e["start"].as_f64().unwrap(), e["end"].as_f64().unwrap()))
        .collect();
    spans.sort_by(|a, b| a.0.total_cmp(&b.0));
    for w in spans.windows(2) {
        assert!(w[1].0 - w[0].1 >= gap, "{name}: {spans:?}");
    }
}

/// IPv4 packets of IP protocol `proto` (17 UDP, 1 ICMP...) from address `src` to `dst` among the
/// capture's frames.
pub fn packets_between(bytes: &[u8], proto: u8, src: [u8; 4], dst: [u8; 4]) -> usize {
    count_ipv4(bytes, |ip, _| {
        ip.get(9) == Some(&proto)
            && ip.get(12..16) == Some(&src[..])
            && ip.get(16..20) == Some(&dst[..])
    })
}

/// The alerts from the episode's source that overlap its span within 1 s (as `lab/episodes.py`
/// counts them); for an episode marked `"spoofed": true` (random source addresses, labelled
/// with the attacker's own), the victim alerts that overlap it.
pub fn covering<'a>(e: &Value, alerts: &'a [Value]) -> Vec<&'a Value> {
    let (t0, t1) = (e["start"].as_f64().unwrap(), e["end"].as_f64().unwrap());
    let spoofed = e["spoofed"] == true;
    alerts
        .iter()
        .filter(|a| {
            let from = if spoofed {
                a["nightjar"]["scope"] == "victim"
            } else {
                a["src_ip"] == e["src"]
            };
            from && secs(a["nightjar"]["first_seen"].as_str().unwrap()) <= t1 + 1.0
                && secs(a["nightjar"]["last_seen"].as_str().unwrap()) >= t0 - 1.0
        })
        .collect()
}

/// The alerts covering an attack of several sources (its episodes `eps`, one per source, of
/// one command: a reflected flood's reflectors): victim alerts that overlap the attack's span
/// within 1 s, and alerts from one of its sources that overlap the span and begin at most 1 s
/// after that source's episode ends (as `lab/episodes.py` counts an attack of several
/// sources).
pub fn covering_attack<'a>(eps: &[&Value], alerts: &'a [Value]) -> Vec<&'a Value> {
    let t0 = eps
        .iter()
        .map(|e| e["start"].as_f64().unwrap())
        .fold(f64::MAX, f64::min);
    let t1 = eps
        .iter()
        .map(|e| e["end"].as_f64().unwrap())
        .fold(f64::MIN, f64::max);
    alerts
        .iter()
        .filter(|a| {
            let first = secs(a["nightjar"]["first_seen"].as_str().unwrap());
            let overlaps =
                first <= t1 + 1.0 && secs(a["nightjar"]["last_seen"].as_str().unwrap()) >= t0 - 1.0;
            let from = a["nightjar"]["scope"] == "victim"
                || eps
                    .iter()
                    .any(|e| a["src_ip"] == e["src"] && first <= e["end"].as_f64().unwrap() + 1.0);
            overlaps && from
        })
        .collect()
}

/// The classes of the alerts covering an episode ([`covering`]).
pub fn named<'a>(e: &Value, alerts: &'a [Value]) -> Vec<&'a str> {
    covering(e, alerts)
        .iter()
        .map(|a| a["nightjar"]["label"].as_str().unwrap())
        .collect()
}

/// Assert that every labelled episode of `eps` is alerted with its class and that no alert of
/// `j` (an `ids detect --json` object) covers none (`what` prefixes the messages).
pub fn assert_all_alerted_right(what: &str, j: &Value, eps: &[Value]) {
    let alerts = j["alerts"].as_array().unwrap();
    for e in eps {
        assert_named_right(what, e, alerts);
    }
    let false_alerts = false_alerts(alerts, eps);
    assert!(
        false_alerts.is_empty(),
        "{what}: {:#?}",
        false_alerts.iter().map(|a| show(a)).collect::<Vec<_>>()
    );
}

/// Assert that an alert covering episode `e` names its class (`what` prefixes the messages).
///
/// An nmap window scan (`scan-window`) sends an ACK scan's probes; only the victim's resets
/// (a window other than 0 from an open port) could tell the two apart, and Linux victims answer
/// every probe alike. So a window scan is also right when an alert covering it names
/// `scan-ack` with `scan-window` as its first alternative (the profile's runner-up).
pub fn assert_named_right(what: &str, e: &Value, alerts: &[Value]) {
    let named = named(e, alerts);
    eprintln!(
        "{what}{} {}: alerted as {named:?} ({})",
        e["src"], e["label"], e["command"]
    );
    let label = e["label"].as_str().unwrap();
    let right = named.contains(&label)
        || (label == "scan-window"
            && covering(e, alerts).iter().any(|a| {
                a["nightjar"]["label"] == "scan-ack"
                    && a["nightjar"]["profile"]["alternatives"][0] == "scan-window"
            }));
    assert!(
        right,
        "{what}{} {} named {named:?}: {}",
        e["src"], e["label"], e["command"]
    );
}

/// One alert of an `ids detect --json` object: (source, destination, class, packets, first
/// seen, last seen).
pub type AlertRow = (String, String, String, u64, f64, f64);

/// The [`AlertRow`] of each alert of `j`, in order.
pub fn alert_rows(j: &Value) -> Vec<AlertRow> {
    j["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let n = &a["nightjar"];
            (
                a["src_ip"].as_str().unwrap().to_string(),
                a["dest_ip"].as_str().unwrap().to_string(),
                n["label"].as_str().unwrap().to_string(),
                n["packets"].as_u64().unwrap(),
                secs(n["first_seen"].as_str().unwrap()),
                secs(n["last_seen"].as_str().unwrap()),
            )
        })
        .collect()
}
