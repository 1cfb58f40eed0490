//! Capture from a network interface with [`LiveCapture`] and print one line per record and the
//! kernel's counters at the end (needs root or CAP_NET_RAW; Linux):
//!
//! ```text
//! cargo run --release -p nightjar-packet --example live_capture -- IFACE [--count N] [--seconds S] [--write FILE.pcap]
//! ```

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use nightjar_packet::{LiveCapture, LiveOptions, Record};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut iface = None;
    let mut opts = LiveOptions::default();
    while let Some(a) = args.next() {
        let mut value = |name: &str| {
            args.next().unwrap_or_else(|| {
                eprintln!("{name} needs a value");
                std::process::exit(2)
            })
        };
        match a.as_str() {
            "--count" => opts.max_packets = value("--count").parse().ok(),
            "--seconds" => {
                opts.duration = value("--seconds").parse().ok().map(Duration::from_secs_f64)
            }
            "--write" => opts.write = Some(PathBuf::from(value("--write"))),
            _ if iface.is_none() && !a.starts_with('-') => iface = Some(a),
            _ => {
                eprintln!(
                    "usage: live_capture IFACE [--count N] [--seconds S] [--write FILE.pcap]"
                );
                return ExitCode::from(2);
            }
        }
    }
    let Some(iface) = iface else {
        eprintln!("usage: live_capture IFACE [--count N] [--seconds S] [--write FILE.pcap]");
        return ExitCode::from(2);
    };
    let mut cap = match LiveCapture::open(&iface, opts) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    for r in cap.by_ref() {
        match r {
            Ok(Record::Packet(p)) => println!(
                "{} {:.6} {} > {} proto {} {} > {} flags {:#04x} len {}",
                p.index, p.ts, p.src, p.dst, p.proto, p.sport, p.dport, p.tcp_flags, p.wire_len
            ),
            Ok(Record::Arp(a)) => println!(
                "{} {:.6} ARP {:?} {} > {} len {}",
                a.index, a.ts, a.op, a.sender_ip, a.target_ip, a.wire_len
            ),
            Ok(Record::Undecoded { index, reason, .. }) => println!("{index} undecoded: {reason}"),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(1);
            }
        }
    }
    match cap.finish() {
        Ok(s) => {
            eprintln!(
                "{} records; kernel: {} received, {} dropped, {} ring freezes",
                s.records, s.received, s.dropped, s.freeze_count
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}
