//! Live capture (AF_PACKET with a TPACKET_V3 ring) watching a real nmap SYN scan between two
//! network namespaces this test makes itself: `njlive<PID>-a` (scanner, 198.18.77.1) and
//! `njlive<PID>-b` (target, 198.18.77.2), joined by a veth pair, addresses in the RFC 2544
//! benchmarking range 198.18.0.0/15 only, no default route, so nothing can leave them. The
//! capture runs on a thread that has entered the target's namespace (setns). The namespaces are
//! deleted on every exit path (a Drop guard); the only process started is nmap, bounded by
//! `timeout 60` and waited for.
//!
//! Needs root, `ip` (iproute2) and `nmap`; without them the test prints why and passes.
#![cfg(target_os = "linux")]

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr};
use std::os::fd::AsRawFd;
use std::process::Command;
use std::sync::mpsc;
use std::time::Duration;

use nightjar_packet::{
    read_all, tcp_flags, LinkType, LiveCapture, LiveOptions, LiveStats, PacketError, Record,
    StopHandle,
};

const SCANNER: Ipv4Addr = Ipv4Addr::new(198, 18, 77, 1);
const TARGET: Ipv4Addr = Ipv4Addr::new(198, 18, 77, 2);

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

fn have(cmd: &str, arg: &str) -> bool {
    Command::new(cmd)
        .arg(arg)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// Why the namespace test cannot run here, if it cannot.
fn skip_reason() -> Option<&'static str> {
    if !is_root() {
        Some("not root (network namespaces and packet sockets need root)")
    } else if !have("ip", "-V") {
        Some("`ip` (iproute2) not installed")
    } else if !have("nmap", "--version") {
        Some("`nmap` not installed (apt-get install -y nmap)")
    } else {
        None
    }
}

fn ip(args: &[&str]) {
    let out = Command::new("ip").args(args).output().expect("run ip");
    assert!(
        out.status.success(),
        "ip {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Network namespaces made by this test; deleted (with the veth pair in them) when dropped.
struct Namespaces(Vec<String>);

impl Namespaces {
    fn add(&mut self, name: &str) {
        ip(&["netns", "add", name]);
        self.0.push(name.to_string());
        // quiet: no IPv6 router solicitations or DAD in the capture
        let _ = Command::new("ip")
            .args(["netns", "exec", name, "sysctl", "-qw"])
            .args([
                "net.ipv6.conf.all.disable_ipv6=1",
                "net.ipv6.conf.default.disable_ipv6=1",
            ])
            .output();
    }
}

impl Drop for Namespaces {
    fn drop(&mut self) {
        for name in self.0.iter().rev() {
            let _ = Command::new("ip").args(["netns", "del", name]).output();
        }
    }
}

/// Stops the capture thread if the test ends early (declared after `Namespaces`, so it drops
/// first).
struct StopOnDrop(Option<StopHandle>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        if let Some(h) = &self.0 {
            h.stop();
        }
    }
}

/// Enter network namespace `name` on the current thread.
fn enter_netns(name: &str) {
    let f = std::fs::File::open(format!("/run/netns/{name}")).expect("open /run/netns entry");
    // SAFETY: a valid namespace descriptor; CLONE_NEWNET changes only this thread's network
    // namespace (the thread is dedicated to the capture and ends with it).
    let rc = unsafe { libc::setns(f.as_raw_fd(), libc::CLONE_NEWNET) };
    assert_eq!(rc, 0, "setns: {}", std::io::Error::last_os_error());
}

type Captured = Result<(Vec<Record>, LiveStats, LinkType), PacketError>;

#[test]
fn live_capture_sees_an_nmap_syn_scan_in_its_own_namespaces() {
    if let Some(why) = skip_reason() {
        eprintln!("skipped live_capture_sees_an_nmap_syn_scan_in_its_own_namespaces: {why}");
        return;
    }
    let pid = std::process::id();
    let (a, b) = (format!("njlive{pid}-a"), format!("njlive{pid}-b"));
    let mut ns = Namespaces(Vec::new());
    ns.add(&a);
    ns.add(&b);
    ip(&[
        "-n", &a, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", &b,
    ]);
    for (n, addr) in [(&a, SCANNER), (&b, TARGET)] {
        ip(&["-n", n, "addr", "add", &format!("{addr}/24"), "dev", "eth0"]);
        ip(&["-n", n, "link", "set", "lo", "up"]);
        ip(&["-n", n, "link", "set", "eth0", "up"]);
    }

    let pcap = std::env::temp_dir().join(format!("njlive{pid}.pcap"));
    let (tx, rx) = mpsc::channel::<Result<StopHandle, PacketError>>();
    let (b2, pcap2) = (b.clone(), pcap.clone());
    let capture = std::thread::spawn(move || -> Captured {
        enter_netns(&b2);
        // an interface that is not in this namespace is named as missing
        match LiveCapture::open("njnosuch0", LiveOptions::default()) {
            Err(PacketError::NoSuchInterface { iface }) => assert_eq!(iface, "njnosuch0"),
            other => panic!("expected NoSuchInterface, got {other:?}"),
        }
        let opts = LiveOptions {
            duration: Some(Duration::from_secs(90)), // a bound even if the test never stops it
            write: Some(pcap2),
            block_size: 1 << 16,
            block_count: 8,
            ..LiveOptions::default()
        };
        let mut cap = match LiveCapture::open("eth0", opts) {
            Ok(c) => c,
            Err(e) => {
                let msg = e.to_string();
                let _ = tx.send(Err(e));
                panic!("open: {msg}");
            }
        };
        let link = cap.link_type();
        tx.send(Ok(cap.stop_handle())).unwrap();
        let mut recs = Vec::new();
        for r in cap.by_ref() {
            recs.push(r?);
        }
        let stats = cap.finish()?;
        Ok((recs, stats, link))
    });
    let stop = rx
        .recv()
        .expect("capture thread started")
        .expect("capture open");
    let mut guard = StopOnDrop(Some(stop.clone()));

    let target = TARGET.to_string();
    let nmap = Command::new("ip")
        .args([
            "netns", "exec", &a, "timeout", "60", "nmap", "-sS", "-n", "-Pn",
        ])
        .args(["-p", "1-200", "--max-retries", "0", &target])
        .output()
        .expect("run nmap");
    let nmap_out = String::from_utf8_lossy(&nmap.stdout).to_string();
    assert!(
        nmap.status.success(),
        "nmap failed: {nmap_out}{}",
        String::from_utf8_lossy(&nmap.stderr)
    );
    std::thread::sleep(Duration::from_millis(500)); // > the 20 ms block timeout
    stop.stop();
    let (recs, stats, link) = capture
        .join()
        .expect("capture thread")
        .expect("capture ran");
    guard.0 = None;
    drop(ns);

    assert_eq!(link, LinkType::ETHERNET);
    let (scanner, target) = (IpAddr::V4(SCANNER), IpAddr::V4(TARGET));
    let syn_ports: BTreeSet<u16> = recs
        .iter()
        .filter_map(Record::packet)
        .filter(|p| p.src == scanner && p.dst == target && p.tcp_flags == tcp_flags::SYN)
        .map(|p| p.dport)
        .collect();
    let rsts = recs
        .iter()
        .filter_map(Record::packet)
        .filter(|p| p.src == target && p.tcp_flags & tcp_flags::RST != 0)
        .count();
    let nmap_summary = nmap_out
        .lines()
        .filter(|l| l.contains("Nmap done") || l.contains("closed"))
        .collect::<Vec<_>>()
        .join(" | ");
    eprintln!(
        "live capture in {b}: {} records ({} decoded), SYNs to {} distinct ports of 1-200, \
         {rsts} RSTs back; kernel stats: received {}, dropped {}, freeze_count {}, records {}; \
         nmap: {nmap_summary}",
        recs.len(),
        recs.iter().filter(|r| r.packet().is_some()).count(),
        syn_ports.len(),
        stats.received,
        stats.dropped,
        stats.freeze_count,
        stats.records,
    );
    assert!(
        syn_ports.len() >= 180,
        "SYNs to only {} ports",
        syn_ports.len()
    );
    assert!(syn_ports.iter().all(|p| (1..=200).contains(p)));
    assert!(
        rsts >= 100,
        "only {rsts} RSTs from the target's closed ports"
    );
    for (i, r) in recs.iter().enumerate() {
        assert_eq!(r.index(), i as u64);
    }
    assert_eq!(stats.records, recs.len() as u64);
    assert!(
        stats.received >= stats.records,
        "kernel counted {} packets, {} records returned",
        stats.received,
        stats.records
    );
    assert!(stats.dropped <= stats.received);

    // what was written reads back as the same records
    let saved = read_all(&pcap).expect("written pcap");
    std::fs::remove_file(&pcap).ok();
    assert!(saved.warnings.is_empty(), "{:?}", saved.warnings);
    assert_eq!(saved.link_type, LinkType::ETHERNET);
    assert_eq!(saved.records, recs);
}

#[test]
fn live_capture_errors_are_clear() {
    // names the kernel could never have
    for bad in ["", "name-longer-than-15", "a/b"] {
        match LiveCapture::open(bad, LiveOptions::default()) {
            Err(e @ PacketError::NoSuchInterface { .. }) => {
                assert!(e.to_string().contains("no such network interface"), "{e}")
            }
            other => panic!("{bad:?}: {other:?}"),
        }
    }
    let missing = LiveCapture::open("njnosuch0", LiveOptions::default());
    if is_root() {
        assert!(
            matches!(missing, Err(PacketError::NoSuchInterface { .. })),
            "{missing:?}"
        );
        // a ring the kernel cannot take: a block size that is not a multiple of the page size
        let bad_ring = LiveCapture::open(
            "lo",
            LiveOptions {
                block_size: 5000,
                ..LiveOptions::default()
            },
        );
        match bad_ring {
            Err(e @ PacketError::Live { .. }) => {
                assert!(e.to_string().contains("ring setup"), "{e}")
            }
            other => panic!("{other:?}"),
        }
    } else {
        match missing {
            Err(e @ PacketError::Permission { .. }) => {
                assert!(e.to_string().contains("CAP_NET_RAW"), "{e}")
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn live_capture_on_loopback_respects_its_limits() {
    if !is_root() {
        eprintln!("skipped live_capture_on_loopback_respects_its_limits: not root");
        return;
    }
    // the time limit ends an idle capture; the poll timeout bounds each wait
    let t0 = std::time::Instant::now();
    let mut cap = LiveCapture::open(
        "lo",
        LiveOptions {
            duration: Some(Duration::from_millis(300)),
            poll_timeout: Duration::from_millis(50),
            max_packets: Some(1_000_000),
            block_size: 1 << 16,
            block_count: 2,
            ..LiveOptions::default()
        },
    )
    .expect("open lo");
    let n = cap.by_ref().count();
    let took = t0.elapsed();
    assert!(cap.is_finished());
    assert!(
        took >= Duration::from_millis(300) && took < Duration::from_secs(5),
        "{took:?}"
    );
    let stats = cap.finish().unwrap();
    assert_eq!(stats.records, n as u64);
    // a stop handle from another thread ends it too, within a poll timeout
    let mut cap = LiveCapture::open(
        "lo",
        LiveOptions {
            poll_timeout: Duration::from_millis(50),
            block_size: 1 << 16,
            block_count: 2,
            ..LiveOptions::default()
        },
    )
    .expect("open lo");
    let h = cap.stop_handle();
    let stopper = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(200));
        h.stop();
    });
    let t0 = std::time::Instant::now();
    let _ = cap.by_ref().count();
    assert!(t0.elapsed() < Duration::from_secs(5));
    stopper.join().unwrap();
}
