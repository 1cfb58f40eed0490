//! `nightjar ids detect --iface` against a real nmap SYN scan and a real ARP sweep (`nmap
//! -sn`) between two network namespaces each test makes itself: `<TAG><PID>a` (scanner,
//! 198.18.78.1) and `<TAG><PID>b` (target, 198.18.78.2), joined by a veth pair, addresses in
//! 198.18.0.0/15 only, no default route. The detector runs inside the target's namespace (`ip
//! netns exec`) under `timeout` with a bounded `--duration`; nmap runs under `timeout`; both
//! are waited for, and the namespaces are deleted on every exit path (a Drop guard).
//!
//! Needs root, `ip` (iproute2) and `nmap`; without them the test prints why and passes.
#![cfg(target_os = "linux")]

mod common;

use common::BIN;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

fn ok(cmd: &str, args: &[&str]) -> bool {
    Command::new(cmd)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

fn skip_reason() -> Option<&'static str> {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.trim_ascii() == b"0")
        .unwrap_or(false);
    if !root {
        Some("not root (network namespaces and packet sockets need root)")
    } else if !ok("ip", &["-V"]) {
        Some("`ip` (iproute2) is missing")
    } else if !ok("nmap", &["--version"]) {
        Some("nmap is missing")
    } else {
        None
    }
}

/// Deletes the namespaces it names when dropped.
struct Namespaces(Vec<String>);

impl Drop for Namespaces {
    fn drop(&mut self) {
        for n in &self.0 {
            let _ = ok("ip", &["netns", "del", n]);
        }
    }
}

fn ip(args: &[&str]) {
    assert!(ok("ip", args), "ip {}", args.join(" "));
}

/// The scanner's address (in namespace `a`) and the target's (in `b`, where the detector runs).
const SCANNER: &str = "198.18.78.1";
const TARGET: &str = "198.18.78.2";

/// Two namespaces joined by a veth pair, deleted (with the pair) when dropped.
struct Lab {
    /// The scanner's namespace.
    a: String,
    /// The target's namespace and its end of the pair, which the detector captures on.
    b: String,
    vb: String,
    _guard: Namespaces,
}

impl Lab {
    /// Namespaces `<tag><PID>a` and `<tag><PID>b`, veth ends `<tag>a<PID>` and `<tag>b<PID>`
    /// (`tag` of at most 5 characters: interface names are shorter than 16), addresses
    /// [`SCANNER`] and [`TARGET`], links up, no default route (checked). Each test takes its own
    /// tag, so tests running at once do not meet.
    fn new(tag: &str) -> Lab {
        let pid = std::process::id();
        let (a, b) = (format!("{tag}{pid}a"), format!("{tag}{pid}b"));
        let (va, vb) = (format!("{tag}a{pid}"), format!("{tag}b{pid}"));
        let guard = Namespaces(vec![a.clone(), b.clone()]);
        ip(&["netns", "add", &a]);
        ip(&["netns", "add", &b]);
        ip(&["link", "add", &va, "type", "veth", "peer", "name", &vb]);
        ip(&["link", "set", &va, "netns", &a]);
        ip(&["link", "set", &vb, "netns", &b]);
        let (addr_a, addr_b) = (format!("{SCANNER}/24"), format!("{TARGET}/24"));
        ip(&["-n", &a, "addr", "add", &addr_a, "dev", &va]);
        ip(&["-n", &b, "addr", "add", &addr_b, "dev", &vb]);
        for (n, v) in [(&a, &va), (&b, &vb)] {
            ip(&["-n", n, "link", "set", v, "up"]);
            ip(&["-n", n, "link", "set", "lo", "up"]);
            let routes = Command::new("ip")
                .args(["-n", n, "route", "show", "default"])
                .output()
                .expect("ip route");
            assert!(routes.stdout.is_empty(), "{n} has a default route");
        }
        Lab {
            a,
            b,
            vb,
            _guard: guard,
        }
    }

    /// Start `nightjar ids detect --iface` on the target's end with `args`, under `timeout`
    /// (which passes SIGINT and SIGTERM on to it, twice: to its child, then to its process
    /// group), output captured.
    fn detector(&self, timeout_s: u32, args: &[&str]) -> Child {
        Command::new("ip")
            .args([
                "netns",
                "exec",
                &self.b,
                "timeout",
                &timeout_s.to_string(),
                BIN,
            ])
            .args(["ids", "detect", "--iface", &self.vb])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the detector")
    }

    /// A bounded nmap SYN scan of 300 ports of the target, from the scanner's namespace.
    fn scan(&self) -> ExitStatus {
        Command::new("ip")
            .args([
                "netns", "exec", &self.a, "timeout", "60", "nmap", "-sS", "-n", "-Pn",
            ])
            .args(["-p", "1-300", "--max-retries", "0", TARGET])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("run nmap")
    }
}

#[test]
fn detect_on_an_interface_alerts_a_real_nmap_scan() {
    if let Some(why) = skip_reason() {
        eprintln!("skipped: {why}");
        return;
    }
    let lab = Lab::new("njdet");
    let detector = lab.detector(60, &["--duration", "8", "--json"]);
    std::thread::sleep(Duration::from_millis(1500));
    let scan = lab.scan();
    let out = detector.wait_with_output().expect("wait for the detector");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(scan.success(), "nmap failed");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("dropped"), "no kernel counters: {stderr}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    let received = v["kernel_received"].as_u64().expect("kernel_received");
    assert!(
        received >= 600,
        "{received} packets: 300 SYNs and 300 replies expected; {stderr}"
    );
    assert_eq!(v["kernel_dropped"].as_u64(), Some(0), "{stderr}");
    // a live capture reports an attack that goes on every minute
    assert_eq!(v["settings"]["max_episode"], 60.0, "{v}");
    let alerts = v["alerts"].as_array().expect("alerts");
    assert!(
        alerts.iter().any(|al| al["src_ip"] == "198.18.78.1"
            && al["dest_ip"] == "198.18.78.2"
            && al["event_type"] == "alert"),
        "the scanner was not alerted: {stderr}"
    );
    assert!(
        alerts.iter().all(|al| al["src_ip"] == "198.18.78.1"),
        "an alert names another source: {stderr}"
    );
    // 300 SYNs in a few milliseconds, one per port, from one source port: a SYN scan (the
    // networks alone called this burst a SYN flood; the probes decide it)
    assert!(
        alerts
            .iter()
            .all(|al| al["nightjar"]["label"] == "scan-syn"),
        "not named scan-syn: {alerts:?}"
    );
}

#[test]
fn detect_on_an_interface_alerts_a_real_arp_sweep() {
    if let Some(why) = skip_reason() {
        eprintln!("skipped: {why}");
        return;
    }
    // `nmap -sn` of the scanner's own /24, as root: host discovery by ARP alone, no IP packet
    // to the 253 silent addresses; the detector on the target's end sees the broadcasts
    let lab = Lab::new("njarp");
    let detector = lab.detector(60, &["--duration", "10", "--json"]);
    std::thread::sleep(Duration::from_millis(1500));
    let sweep = Command::new("ip")
        .args([
            "netns", "exec", &lab.a, "timeout", "60", "nmap", "-sn", "-n",
        ])
        .arg("198.18.78.0/24")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run nmap");
    let out = detector.wait_with_output().expect("wait for the detector");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(sweep.success(), "nmap failed");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert!(
        v["arp"].as_u64().unwrap_or(0) >= 200,
        "ARP messages: {stderr}"
    );
    let alerts = v["alerts"].as_array().expect("alerts");
    let sweeps: Vec<&serde_json::Value> = alerts
        .iter()
        .filter(|a| {
            a["alert"]["signature"]
                .as_str()
                .is_some_and(|s| s.contains("ARP sweep"))
        })
        .collect();
    assert_eq!(sweeps.len(), 1, "{alerts:?}\n{stderr}");
    let a = sweeps[0];
    assert_eq!(a["src_ip"], SCANNER, "{a}");
    assert_eq!(a["dest_ip"], "198.18.78.0", "{a}");
    assert_eq!(a["proto"], "ARP", "{a}");
    assert_eq!(a["nightjar"]["label"], "other-attack", "{a}");
    assert!(
        alerts.iter().all(|al| al["src_ip"] == SCANNER),
        "an alert names another source: {alerts:?}"
    );
}

/// Kills (SIGTERM, which `timeout` passes on) a detector the test did not get to wait for, so
/// a failing test leaves nothing running in its deleted namespace.
struct Running(Option<Child>);

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(mut c) = self.0.take() {
            let _ = ok("kill", &["-TERM", &c.id().to_string()]);
            let _ = c.wait();
        }
    }
}

/// The scanner's alerts among EVE lines (lines that are not whole JSON yet are skipped).
fn scanner_alerts(eve: &str) -> Vec<serde_json::Value> {
    eve.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|al| al["event_type"] == "alert" && al["src_ip"] == SCANNER)
        .collect()
}

/// Wait up to `limit`, every 100 ms, until `f` gives something.
fn poll<T>(limit: Duration, mut f: impl FnMut() -> Option<T>) -> Option<T> {
    let end = Instant::now() + limit;
    loop {
        if let Some(v) = f() {
            return Some(v);
        }
        if Instant::now() >= end {
            return None;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_live_alert_comes_while_capturing_and_ctrl_c_ends_the_run_cleanly() {
    if let Some(why) = skip_reason() {
        eprintln!("skipped: {why}");
        return;
    }
    let lab = Lab::new("njint");
    let dir = common::Scratch::new("detect-live-sigint");
    let eve = dir.path("alerts.json");
    let started = Instant::now();
    // --duration 60 (and timeout 90 above it): only the signal can end this run early
    let mut detector = Running(Some(lab.detector(
        90,
        &["--duration", "60", "--json", "--eve", &dir.s("alerts.json")],
    )));
    let pid = detector.0.as_ref().map(Child::id).expect("spawned");
    // the outputs are created once the capture is open (and the signal handlers installed)
    let capturing = poll(Duration::from_secs(20), || eve.exists().then_some(()));
    assert!(capturing.is_some(), "the detector did not start capturing");
    assert!(lab.scan().success(), "nmap failed");

    // the alert is written while the capture goes on: the scan's episode ends after --gap
    // (4 s) of quiet, not at the end of the 60 s
    let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_default();
    let seen = poll(Duration::from_secs(25), || {
        let alerts = scanner_alerts(&read(&eve));
        let running = detector
            .0
            .as_mut()
            .map(|c| matches!(c.try_wait(), Ok(None)));
        (!alerts.is_empty()).then_some((alerts, running))
    });
    let (alerts, running) = seen.expect("no alert of the scanner in the EVE file within 25 s");
    assert_eq!(
        running,
        Some(true),
        "the detector had ended when the alert appeared"
    );
    assert_eq!(alerts[0]["dest_ip"], TARGET, "{alerts:?}");

    // Ctrl-C: the run ends as at the end of --duration
    assert!(ok("kill", &["-INT", &pid.to_string()]), "kill -INT {pid}");
    let interrupted = Instant::now();
    let out = detector
        .0
        .take()
        .expect("still ours")
        .wait_with_output()
        .expect("wait for the detector");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        interrupted.elapsed() < Duration::from_secs(10)
            && started.elapsed() < Duration::from_secs(50),
        "SIGINT did not end the capture: {:.1} s after it, {:.1} s in all; {stderr}",
        interrupted.elapsed().as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("dropped"), "no kernel counters: {stderr}");
    assert!(stderr.contains("alerts: "), "no summary: {stderr}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    let json_alerts = v["alerts"].as_array().expect("alerts");
    assert!(
        json_alerts
            .iter()
            .any(|al| al["src_ip"] == SCANNER && al["dest_ip"] == TARGET),
        "the scanner's alert is not in --json: {stderr}"
    );
    // the EVE file, now complete, holds what --json reports, the early alert once
    let eve_lines: Vec<serde_json::Value> = read(&eve)
        .lines()
        .map(|l| serde_json::from_str(l).expect("whole EVE lines"))
        .collect();
    assert_eq!(&eve_lines, json_alerts, "{stderr}");
    assert_eq!(scanner_alerts(&read(&eve)), alerts, "{stderr}");
}

#[test]
fn a_missing_interface_or_two_sources_are_usage_errors() {
    let out = common::run(&["ids", "detect", "--iface", "njnosuchif0", "--duration", "1"]);
    assert_eq!(common::code(&out), 2, "{}", common::stderr(&out));
    let e = common::stderr(&out);
    assert!(
        e.contains("njnosuchif0") || e.contains("CAP_NET_RAW"),
        "unclear error: {e}"
    );
    let pcap = common::repo().join("data/captures/normal-only.pcap");
    let out = common::run(&[
        "ids",
        "detect",
        "--pcap",
        pcap.to_str().unwrap(),
        "--iface",
        "lo",
    ]);
    assert_eq!(common::code(&out), 2, "{}", common::stderr(&out));
    let out = common::run(&[
        "ids",
        "detect",
        "--pcap",
        pcap.to_str().unwrap(),
        "--duration",
        "3",
    ]);
    assert_eq!(
        common::code(&out),
        2,
        "--duration without --iface: {}",
        common::stderr(&out)
    );
}
