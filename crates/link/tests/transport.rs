//! The transports on loopback, driven through the library: TCP and UDP delivery, wrong key,
//! and a 300 KB delivery over a UDP relay that drops 20%, duplicates 5% and reorders datagrams
//! in both directions. Every loop is bounded in count and time.

use nightjar_link::inbox::Inbox;
use nightjar_link::stack::standard_stacks;
use nightjar_link::transport::{self, LinkConfig, LinkEvent, ListenConfig, Listener};
use nightjar_link::{LinkError, Secret, TransportKind};
use std::net::{SocketAddr, UdpSocket};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

struct Scratch(PathBuf);
impl Scratch {
    fn new(name: &str) -> Scratch {
        let p = std::env::temp_dir().join(format!("nightjar-link-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        Scratch(p)
    }
}
impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// xorshift64*: a small seeded generator for test data and the relay's decisions.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

fn config(key: u8) -> LinkConfig {
    let mut c = LinkConfig::new(Secret::from_bytes([key; 32]));
    c.timeout = Duration::from_secs(10);
    c
}

fn listen(
    t: TransportKind,
    cfg: LinkConfig,
    inbox: &std::path::Path,
    stop_after: u64,
) -> (
    SocketAddr,
    Arc<AtomicBool>,
    JoinHandle<Result<u64, LinkError>>,
) {
    let l = Listener::bind(t, "127.0.0.1:0".parse().unwrap()).unwrap();
    let addr = l.local_addr().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let lc = ListenConfig {
        link: cfg,
        accept: standard_stacks(t),
        max_sessions: 64,
        stop_after: Some(stop_after),
        stop: stop.clone(),
    };
    let inbox = Arc::new(Inbox::open(inbox).unwrap());
    let h = std::thread::spawn(move || l.serve(&lc, inbox, Arc::new(|_: &LinkEvent| {})));
    (addr, stop, h)
}

fn inbox_files(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v
}

fn offers(t: TransportKind) -> Vec<nightjar_link::StackId> {
    standard_stacks(t).into_iter().map(|(id, _)| id).collect()
}

fn deliver_and_compare(t: TransportKind, size: usize, seed: u64) {
    let dir = Scratch::new(&format!("{t:?}-{size}"));
    let (addr, _stop, h) = listen(t, config(7), &dir.0, 1);
    let payload = Rng(seed).bytes(size);
    let r = transport::send(t, addr, &config(7), &offers(t), &payload, &|_| {}).unwrap();
    assert_eq!(r.bytes, size as u64);
    assert_eq!(h.join().unwrap().unwrap(), 1);
    let files = inbox_files(&dir.0);
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(std::fs::read(&files[0]).unwrap(), payload);
}

#[test]
fn tcp_delivery_is_byte_identical() {
    deliver_and_compare(TransportKind::Tcp, 1_234_567, 1);
}

#[test]
fn udp_delivery_is_byte_identical() {
    deliver_and_compare(TransportKind::Udp, 300_001, 2);
}

#[test]
fn wrong_key_is_refused_and_nothing_is_stored_tcp_and_udp() {
    for t in [TransportKind::Tcp, TransportKind::Udp] {
        let dir = Scratch::new(&format!("wrongkey-{t:?}"));
        let (addr, stop, h) = listen(t, config(7), &dir.0, 1);
        let mut cfg = config(8);
        cfg.timeout = Duration::from_secs(3);
        let err =
            transport::send(t, addr, &cfg, &offers(t), b"secret payload", &|_| {}).unwrap_err();
        assert!(
            matches!(err, LinkError::AuthFailed),
            "{t:?}: expected an authentication failure, got {err}"
        );
        assert!(err.is_refusal());
        stop.store(true, Ordering::SeqCst);
        assert_eq!(h.join().unwrap().unwrap(), 0);
        assert!(inbox_files(&dir.0).is_empty());
    }
}

#[test]
fn oversize_payload_is_refused_before_transfer() {
    let dir = Scratch::new("oversize");
    let mut small = config(7);
    small.max_payload = 1000;
    let (addr, stop, h) = listen(TransportKind::Tcp, small, &dir.0, 1);
    let err = transport::send(
        TransportKind::Tcp,
        addr,
        &config(7),
        &offers(TransportKind::Tcp),
        &[1u8; 5000],
        &|_| {},
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            LinkError::Refused(nightjar_link::RejectReason::TooLarge)
        ),
        "{err}"
    );
    stop.store(true, Ordering::SeqCst);
    h.join().unwrap().unwrap();
    assert!(inbox_files(&dir.0).is_empty());
}

/// A user-space impairing UDP relay: client <-> relay <-> server. Drops `drop`%, duplicates
/// `dup`%, and delays `delay`% of datagrams by 1..=25 ms (which reorders them), both ways.
struct Relay {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<(u64, u64, u64, u64)>>,
}

impl Relay {
    fn start(server: SocketAddr, seed: u64, drop: u64, dup: u64, delay: u64) -> Relay {
        let front = UdpSocket::bind("127.0.0.1:0").unwrap();
        let back = UdpSocket::bind("127.0.0.1:0").unwrap();
        back.connect(server).unwrap();
        front.set_nonblocking(true).unwrap();
        back.set_nonblocking(true).unwrap();
        let addr = front.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let stop2 = stop.clone();
        let handle = std::thread::spawn(move || {
            let mut rng = Rng(seed);
            let mut client: Option<SocketAddr> = None;
            let mut delayed: Vec<(Instant, bool, Vec<u8>)> = Vec::new();
            let (mut seen, mut dropped, mut duplicated, mut reordered) = (0, 0, 0, 0);
            let mut buf = vec![0u8; 65_536];
            let deadline = Instant::now() + Duration::from_secs(120);
            while !stop2.load(Ordering::SeqCst) && Instant::now() < deadline {
                let mut idle = true;
                for upstream in [true, false] {
                    let got = if upstream {
                        front.recv_from(&mut buf).map(|(n, a)| {
                            client = Some(a);
                            n
                        })
                    } else {
                        back.recv(&mut buf)
                    };
                    let Ok(n) = got else { continue };
                    idle = false;
                    seen += 1;
                    if rng.chance(drop) {
                        dropped += 1;
                        continue;
                    }
                    let copies = if rng.chance(dup) {
                        duplicated += 1;
                        2
                    } else {
                        1
                    };
                    for _ in 0..copies {
                        let at = if rng.chance(delay) {
                            reordered += 1;
                            Instant::now() + Duration::from_millis(1 + rng.next() % 25)
                        } else {
                            Instant::now()
                        };
                        delayed.push((at, upstream, buf[..n].to_vec()));
                    }
                }
                let now = Instant::now();
                let mut i = 0;
                while i < delayed.len() {
                    if delayed[i].0 <= now {
                        let (_, upstream, d) = delayed.swap_remove(i);
                        if upstream {
                            let _ = back.send(&d);
                        } else if let Some(c) = client {
                            let _ = front.send_to(&d, c);
                        }
                    } else {
                        i += 1;
                    }
                }
                if idle {
                    std::thread::sleep(Duration::from_micros(200));
                }
            }
            (seen, dropped, duplicated, reordered)
        });
        Relay {
            addr,
            stop,
            handle: Some(handle),
        }
    }

    fn finish(mut self) -> (u64, u64, u64, u64) {
        self.stop.store(true, Ordering::SeqCst);
        self.handle.take().unwrap().join().unwrap()
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

#[test]
fn udp_300kb_survives_20_percent_loss_5_percent_duplication_and_reordering() {
    let dir = Scratch::new("lossy");
    let t = TransportKind::Udp;
    let (server, _stop, h) = listen(t, config(7), &dir.0, 1);
    let relay = Relay::start(server, 0x5eed, 20, 5, 10);
    let payload = Rng(3).bytes(300_000);
    let mut cfg = config(7);
    cfg.timeout = Duration::from_secs(20);
    let start = Instant::now();
    let r = transport::send(t, relay.addr, &cfg, &offers(t), &payload, &|_| {}).unwrap();
    let elapsed = start.elapsed();
    assert_eq!(h.join().unwrap().unwrap(), 1);
    let (seen, dropped, duplicated, reordered) = relay.finish();
    let files = inbox_files(&dir.0);
    assert_eq!(files.len(), 1);
    assert_eq!(std::fs::read(&files[0]).unwrap(), payload);
    let stats = r.stats.unwrap();
    eprintln!(
        "lossy relay: {seen} datagrams, {dropped} dropped, {duplicated} duplicated, \
         {reordered} delayed; sender {} fragments, {} retransmits, {} probes; {elapsed:?}",
        stats.fragments, stats.retransmits, stats.probes
    );
    // The impairment really happened, in proportion.
    assert!(dropped * 100 >= seen * 15, "{dropped}/{seen} dropped");
    assert!(duplicated > 0 && reordered > 0);
    assert!(stats.retransmits > 0);
}

#[test]
fn udp_listener_multiplexes_concurrent_senders_without_duplicates() {
    let dir = Scratch::new("udp-many");
    let t = TransportKind::Udp;
    let (addr, _stop, h) = listen(t, config(7), &dir.0, 8);
    let senders: Vec<_> = (0..8u64)
        .map(|i| {
            std::thread::spawn(move || {
                let payload = Rng(100 + i).bytes(40_000 + i as usize * 1000);
                transport::send(t, addr, &config(7), &offers(t), &payload, &|_| {}).unwrap();
                payload
            })
        })
        .collect();
    let mut sent: Vec<Vec<u8>> = senders.into_iter().map(|s| s.join().unwrap()).collect();
    assert_eq!(h.join().unwrap().unwrap(), 8);
    let mut got: Vec<Vec<u8>> = inbox_files(&dir.0)
        .iter()
        .map(|f| std::fs::read(f).unwrap())
        .collect();
    sent.sort();
    got.sort();
    assert_eq!(got, sent);
}
