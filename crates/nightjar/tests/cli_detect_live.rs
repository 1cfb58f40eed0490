//! `nightjar ids detect --iface` against a real nmap SYN scan between two network namespaces
//! this test makes itself: `njdet<PID>a` (scanner, 198.18.78.1) and `njdet<PID>b` (target,
//! 198.18.78.2), joined by a veth pair, addresses in 198.18.0.0/15 only, no default route. The
//! detector runs inside the target's namespace (`ip netns exec`) for a bounded `--duration`;
//! nmap runs under `timeout`; both are waited for, and the namespaces are deleted on every exit
//! path (a Drop guard).
//!
//! Needs root, `ip` (iproute2) and `nmap`; without them the test prints why and passes.
#![cfg(target_os = "linux")]

mod common;

use common::BIN;
use std::process::{Command, Stdio};
use std::time::Duration;

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

#[test]
fn detect_on_an_interface_alerts_a_real_nmap_scan() {
    if let Some(why) = skip_reason() {
        eprintln!("skipped: {why}");
        return;
    }
    let pid = std::process::id();
    let (a, b) = (format!("njdet{pid}a"), format!("njdet{pid}b"));
    let (va, vb) = (format!("njda{pid}"), format!("njdb{pid}"));
    let _guard = Namespaces(vec![a.clone(), b.clone()]);
    ip(&["netns", "add", &a]);
    ip(&["netns", "add", &b]);
    ip(&["link", "add", &va, "type", "veth", "peer", "name", &vb]);
    ip(&["link", "set", &va, "netns", &a]);
    ip(&["link", "set", &vb, "netns", &b]);
    ip(&["-n", &a, "addr", "add", "198.18.78.1/24", "dev", &va]);
    ip(&["-n", &b, "addr", "add", "198.18.78.2/24", "dev", &vb]);
    for (n, v) in [(&a, &va), (&b, &vb)] {
        ip(&["-n", n, "link", "set", v, "up"]);
        ip(&["-n", n, "link", "set", "lo", "up"]);
        let routes = Command::new("ip")
            .args(["-n", n, "route", "show", "default"])
            .output()
            .expect("ip route");
        assert!(routes.stdout.is_empty(), "{n} has a default route");
    }

    let detector = Command::new("ip")
        .args(["netns", "exec", &b, "timeout", "60", BIN, "ids", "detect"])
        .args(["--iface", &vb, "--duration", "8", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the detector");
    std::thread::sleep(Duration::from_millis(1500));
    let scan = Command::new("ip")
        .args([
            "netns", "exec", &a, "timeout", "60", "nmap", "-sS", "-n", "-Pn",
        ])
        .args(["-p", "1-300", "--max-retries", "0", "198.18.78.2"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run nmap");
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
