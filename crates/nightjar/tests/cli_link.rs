//! End-to-end tests of `nightjar listen` and `nightjar send`, driving the real binary on
//! 127.0.0.1 with ephemeral ports: byte-identical delivery over TCP and UDP, 20 concurrent
//! senders, hostile bytes, a wrong key, and `send --cover --message` followed by `reveal`.
//! Every wait is bounded; only children spawned here are killed.

use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

mod common;
use common::*;

/// A 32-byte key file in the scratch directory.
fn key_file(d: &Scratch, name: &str, byte: u8) -> PathBuf {
    let p = d.path(name);
    std::fs::write(&p, [byte; 32]).unwrap();
    p
}

fn photo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/images/chelsea.png")
}

/// A listener child with its JSON event lines.
struct Listen {
    child: Child,
    addr: SocketAddr,
    lines: mpsc::Receiver<Value>,
}

impl Listen {
    fn start(transport: &str, inbox: &Path, key: &Path, extra: &[&str]) -> Listen {
        let mut child = Command::new(BIN)
            .args([
                "listen",
                "--bind",
                "127.0.0.1:0",
                "--json",
                "--timeout",
                "10",
            ])
            .args(["--transport", transport, "--inbox"])
            .arg(inbox)
            .arg("--key-file")
            .arg(key)
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn listen");
        let out = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for l in BufReader::new(out).lines().map_while(Result::ok) {
                if let Ok(v) = serde_json::from_str::<Value>(&l) {
                    if tx.send(v).is_err() {
                        break;
                    }
                }
            }
        });
        let first = lines
            .recv_timeout(Duration::from_secs(20))
            .expect("listen printed its address");
        assert_eq!(first["event"], "listening", "{first}");
        assert_eq!(first["transport"], transport);
        let addr = first["addr"].as_str().unwrap().parse().unwrap();
        Listen { child, addr, lines }
    }

    /// Waits (bounded) for the listener to exit by itself.
    fn wait(mut self, secs: u64) -> (ExitStatus, Vec<Value>) {
        let status = wait_bounded(&mut self.child, secs);
        let events: Vec<Value> = self.lines.try_iter().collect();
        (status, events)
    }
}

impl Drop for Listen {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn wait_bounded(child: &mut Child, secs: u64) -> ExitStatus {
    let end = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return s;
        }
        if Instant::now() > end {
            let _ = child.kill();
            let _ = child.wait();
            panic!("child did not exit within {secs} s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn send(transport: &str, addr: SocketAddr, key: &Path, what: &[&str]) -> Output {
    let mut c = Command::new(BIN)
        .args(["send", "--to", &addr.to_string(), "--transport", transport])
        .args(["--timeout", "10", "--key-file"])
        .arg(key)
        .args(what)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn send");
    wait_bounded(&mut c, 60);
    c.wait_with_output().unwrap()
}

fn inbox_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

fn delivery_is_byte_identical(transport: &str) {
    let s = Scratch::new(&format!("identical-{transport}"));
    let key = key_file(&s, "k", 7);
    let inbox = s.path("inbox");
    let l = Listen::start(transport, &inbox, &key, &["--once"]);
    let out = send(
        transport,
        l.addr,
        &key,
        &["--file", photo().to_str().unwrap()],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (status, events) = l.wait(20);
    assert!(status.success());
    assert!(events.iter().any(|e| e["event"] == "stored"), "{events:?}");
    let files = inbox_files(&inbox);
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(files[0].extension().unwrap(), "png");
    assert_eq!(
        std::fs::read(&files[0]).unwrap(),
        std::fs::read(photo()).unwrap()
    );
}

#[test]
fn tcp_delivery_is_byte_identical_in_the_inbox() {
    delivery_is_byte_identical("tcp");
}

#[test]
fn udp_delivery_is_byte_identical_in_the_inbox() {
    delivery_is_byte_identical("udp");
}

#[test]
fn twenty_concurrent_senders_all_land_without_duplicates() {
    let s = Scratch::new("twenty");
    let key = key_file(&s, "k", 7);
    let inbox = s.path("inbox");
    let l = Listen::start("tcp", &inbox, &key, &["--count", "20"]);
    let mut payloads = Vec::new();
    let mut children = Vec::new();
    for i in 0..20u32 {
        let p = s.path(&format!("payload-{i}.bin"));
        let body: Vec<u8> = (0..(20_000 + i * 997))
            .map(|j| (j.wrapping_mul(2_654_435_761).wrapping_add(i) >> 7) as u8)
            .collect();
        std::fs::write(&p, &body).unwrap();
        payloads.push(body);
        children.push(
            Command::new(BIN)
                .args([
                    "send",
                    "--to",
                    &l.addr.to_string(),
                    "--timeout",
                    "20",
                    "--key-file",
                ])
                .arg(&key)
                .arg("--file")
                .arg(&p)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap(),
        );
    }
    for mut c in children {
        let st = wait_bounded(&mut c, 90);
        assert!(st.success(), "a sender failed");
    }
    let (status, _) = l.wait(30);
    assert!(status.success());
    let files = inbox_files(&inbox);
    assert_eq!(files.len(), 20, "{files:?}");
    let mut got: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).unwrap()).collect();
    got.sort();
    payloads.sort();
    assert_eq!(got, payloads, "every payload exactly once");
    assert!(files.iter().all(|f| f.extension().unwrap() == "bin"));
}

fn hostile_tcp(addr: SocketAddr, bytes: &[u8]) {
    if let Ok(mut c) = TcpStream::connect_timeout(&addr, Duration::from_secs(5)) {
        let _ = c.write_all(bytes);
        let _ = c.flush();
        // Close our side; the listener must not wait for more than its timeout either way.
        let _ = c.shutdown(std::net::Shutdown::Write);
        let _ = c.set_read_timeout(Some(Duration::from_secs(5)));
        let mut sink = Vec::new();
        let _ = std::io::Read::read_to_end(&mut c, &mut sink);
    }
}

#[test]
fn hostile_bytes_never_crash_the_listener_and_never_land() {
    let s = Scratch::new("hostile");
    let key = key_file(&s, "k", 7);
    let inbox = s.path("inbox");
    // TCP.
    let l = Listen::start("tcp", &inbox, &key, &["--once"]);
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let random: Vec<u8> = (0..10_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    hostile_tcp(l.addr, &random);
    hostile_tcp(l.addr, &[0x07, 0, 0, 0, 4, 1, 2, 3, 4]); // unknown kind
    hostile_tcp(l.addr, &[0x01, 0xff, 0xff, 0xff, 0xff]); // control frame claiming 4 GiB
    hostile_tcp(l.addr, &[0x00, 0xff, 0xff, 0xff, 0xff, 0, 0]); // data frame claiming 4 GiB
    hostile_tcp(l.addr, &[0x01, 0x00]); // truncated header
    hostile_tcp(l.addr, &[0x00, 0, 0, 0, 3, 1, 2, 3]); // data before any handshake
    hostile_tcp(l.addr, &[0x01, 0, 0, 0, 1, 0x02]); // truncated ACCEPT as the first message
    assert!(inbox_files(&inbox).is_empty());
    // Still alive: a real delivery lands, and only it.
    let out = send("tcp", l.addr, &key, &["--file", photo().to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (status, events) = l.wait(20);
    assert!(status.success());
    let dropped = events.iter().filter(|e| e["event"] == "dropped").count();
    assert!(
        dropped >= 7,
        "every hostile connection reported: {events:?}"
    );
    let files = inbox_files(&inbox);
    assert_eq!(files.len(), 1);
    assert_eq!(
        std::fs::read(&files[0]).unwrap(),
        std::fs::read(photo()).unwrap()
    );

    // UDP.
    let inbox = s.path("inbox-udp");
    let l = Listen::start("udp", &inbox, &key, &["--once"]);
    let u = UdpSocket::bind("127.0.0.1:0").unwrap();
    for d in [
        &random[..1400],
        &[0x07, 0, 0, 0, 0, 1][..],
        &[0x00, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 1][..], // DATA from a stranger
        &[0x01, 0, 0][..],
        &[0x03, 0, 0, 0, 1][..],
    ] {
        u.send_to(d, l.addr).unwrap();
    }
    let out = send("udp", l.addr, &key, &["--file", photo().to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (status, events) = l.wait(20);
    assert!(status.success());
    assert!(events.iter().filter(|e| e["event"] == "dropped").count() >= 5);
    let files = inbox_files(&inbox);
    assert_eq!(files.len(), 1);
    assert_eq!(
        std::fs::read(&files[0]).unwrap(),
        std::fs::read(photo()).unwrap()
    );
}

#[test]
fn sender_with_the_wrong_key_exits_1_and_nothing_is_stored() {
    let s = Scratch::new("wrongkey");
    let key = key_file(&s, "k", 7);
    let wrong = key_file(&s, "w", 8);
    for transport in ["tcp", "udp"] {
        let inbox = s.path(&format!("inbox-{transport}"));
        let l = Listen::start(transport, &inbox, &key, &[]);
        let out = send(
            transport,
            l.addr,
            &wrong,
            &["--file", photo().to_str().unwrap()],
        );
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("authentication failed"), "{err}");
        std::thread::sleep(Duration::from_millis(200));
        assert!(
            inbox_files(&inbox).is_empty(),
            "{transport}: something was stored"
        );
        drop(l);
    }
}

#[test]
fn send_cover_and_message_then_reveal_from_the_inbox() {
    let s = Scratch::new("cover");
    let key = key_file(&s, "k", 9);
    let inbox = s.path("inbox");
    let l = Listen::start("tcp", &inbox, &key, &["--once"]);
    let out = send(
        "tcp",
        l.addr,
        &key,
        &[
            "--cover",
            photo().to_str().unwrap(),
            "--message",
            "meet at the north gate",
            "--json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let last: Value =
        serde_json::from_str(String::from_utf8_lossy(&out.stdout).lines().last().unwrap()).unwrap();
    assert_eq!(last["event"], "delivered");
    let (status, _) = l.wait(20);
    assert!(status.success());
    let files = inbox_files(&inbox);
    assert_eq!(files.len(), 1);
    let rev = Command::new(BIN)
        .args(["reveal", "--stego"])
        .arg(&files[0])
        .arg("--key-file")
        .arg(&key)
        .output()
        .unwrap();
    assert!(rev.status.success());
    assert_eq!(rev.stdout, b"meet at the north gate");
}

#[test]
fn payload_above_the_listener_limit_is_refused_with_exit_1() {
    let s = Scratch::new("limit");
    let key = key_file(&s, "k", 7);
    let inbox = s.path("inbox");
    let l = Listen::start("tcp", &inbox, &key, &["--max-payload", "1000"]);
    let out = send("tcp", l.addr, &key, &["--file", photo().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("larger than the receiver accepts"));
    assert!(inbox_files(&inbox).is_empty());
}

#[test]
fn send_usage_errors_exit_2() {
    let s = Scratch::new("usage");
    let key = key_file(&s, "k", 7);
    let out = send(
        "tcp",
        "127.0.0.1:9".parse().unwrap(),
        &key,
        &["--file", s.path("missing").to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2));
}
