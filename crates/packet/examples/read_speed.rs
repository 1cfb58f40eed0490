//! Time `PcapReader` over a capture file, and check that the legacy-pcap record walker gives
//! exactly what `pcap-parser`'s reader gave.
//!
//! ```text
//! cargo run --release -p nightjar-packet --example read_speed -- FILE [--runs N] [--old] [--collect] [--compare]
//! ```
//!
//! * Timing: open + iterate every record (summing a field, nothing collected), `--runs` times
//!   (default 5); prints the median and the fastest, in seconds and ns per record. `--old`
//!   times the `pcap-parser` path too; `--collect` collects every record into a `Vec` first
//!   (what `read_all` does), to see what the 112-byte `Record` costs.
//! * `--compare`: reads the file through both paths in lock step and checks every item
//!   (records field by field, errors by their debug form), `bytes_consumed` and
//!   `records_read` after every item, and the warnings and link type at the end; then does
//!   the same with the walker fed through a pipe-like reader (short reads of varying sizes,
//!   no seeking). Exits with status 1 on the first difference.

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use nightjar_packet::{PacketError, PacketRepr, PcapReader, Record};

/// One timed pass: open, iterate, sum a field (or, with `collect`, first collect every record
/// into a `Vec`). Returns (seconds, records, checksum).
fn pass(path: &Path, old: bool, collect: bool) -> Result<(f64, u64, u64), PacketError> {
    let t = Instant::now();
    let r = if old {
        let f = File::open(path).map_err(|source| PacketError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        PcapReader::from_reader_via_pcap_parser(f)?
    } else {
        PcapReader::open(path)?
    };
    let mut n = 0u64;
    let mut sum = 0u64;
    let all: Box<dyn Iterator<Item = Result<Record, PacketError>>> = if collect {
        let v: Vec<Record> = r.collect::<Result<_, _>>()?;
        Box::new(v.into_iter().map(Ok))
    } else {
        Box::new(r)
    };
    for item in all {
        let rec = item?;
        n += 1;
        sum = sum.wrapping_add(u64::from(rec.wire_len()));
        if let Some(p) = rec.packet() {
            sum = sum.wrapping_add(u64::from(p.dport) ^ u64::from(p.tcp_flags));
        }
    }
    Ok((t.elapsed().as_secs_f64(), n, std::hint::black_box(sum)))
}

fn time(path: &Path, runs: usize, old: bool, collect: bool) -> Result<(), PacketError> {
    let mut secs = Vec::with_capacity(runs);
    let (mut n, mut sum) = (0, 0);
    for _ in 0..runs {
        let (s, recs, x) = pass(path, old, collect)?;
        secs.push(s);
        (n, sum) = (recs, x);
    }
    secs.sort_by(f64::total_cmp);
    let median = secs[secs.len() / 2];
    let per = |s: f64| s * 1e9 / n.max(1) as f64;
    println!(
        "{}{}: {n} records (checksum {sum}), {runs} runs: median {median:.4} s = {:.1} ns/record, fastest {:.4} s = {:.1} ns/record",
        if old { "pcap-parser path" } else { "walker path" },
        if collect { " + collect" } else { "" },
        per(median),
        secs[0],
        per(secs[0]),
    );
    Ok(())
}

/// A non-seekable stream that returns short reads of varying sizes, like a pipe.
struct Pipe {
    inner: File,
    state: u64,
}

impl Read for Pipe {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        // xorshift: sizes from 1 byte to 96 KiB
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        let want = match self.state % 4 {
            0 => 1 + (self.state >> 8) as usize % 64,
            _ => 1 + (self.state >> 8) as usize % 98_304,
        };
        let n = buf.len().min(want);
        self.inner.read(&mut buf[..n])
    }
}

fn show(item: &Option<Result<Record, PacketError>>) -> String {
    format!("{item:?}")
}

/// Both readers item by item; `Err` describes the first difference.
fn lockstep(mut a: PcapReader, mut b: PcapReader) -> Result<(u64, usize), String> {
    if a.link_type() != b.link_type() {
        return Err(format!(
            "link type {:?} vs {:?}",
            a.link_type(),
            b.link_type()
        ));
    }
    let mut items = 0u64;
    loop {
        let (x, y) = (a.next(), b.next());
        let same = match (&x, &y) {
            (None, None) => true,
            (Some(Ok(p)), Some(Ok(q))) => p == q && p.ts().to_bits() == q.ts().to_bits(),
            (Some(Err(_)), Some(Err(_))) => show(&x) == show(&y),
            _ => false,
        };
        if !same {
            return Err(format!("item {items}: {} vs {}", show(&x), show(&y)));
        }
        if a.bytes_consumed() != b.bytes_consumed() || a.records_read() != b.records_read() {
            return Err(format!(
                "after item {items}: bytes_consumed {} vs {}, records_read {} vs {}",
                a.bytes_consumed(),
                b.bytes_consumed(),
                a.records_read(),
                b.records_read()
            ));
        }
        if x.is_none() {
            break;
        }
        items += 1;
    }
    // the iterator stays ended
    if a.next().is_some() || b.next().is_some() {
        return Err("an item after the end".into());
    }
    if a.warnings() != b.warnings() {
        return Err(format!("warnings {:?} vs {:?}", a.warnings(), b.warnings()));
    }
    if a.link_type() != b.link_type() {
        return Err(format!(
            "link type {:?} vs {:?}",
            a.link_type(),
            b.link_type()
        ));
    }
    Ok((items, a.warnings().len()))
}

fn compare(path: &Path) -> Result<(), String> {
    let open = |f: fn(File) -> Result<PcapReader, PacketError>| {
        let file = File::open(path).map_err(|e| format!("cannot open: {e}"))?;
        Ok::<_, String>(f(file).map_err(|e| format!("{e:?}")))
    };
    let pipe = |f: File| {
        PcapReader::from_reader(Pipe {
            inner: f,
            state: 0x9e37_79b9_7f4a_7c15,
        })
    };
    let mut report = Vec::new();
    for (name, new) in [
        ("file", open(PcapReader::from_reader)?),
        ("pipe-like short reads", open(pipe)?),
    ] {
        let old = open(PcapReader::from_reader_via_pcap_parser)?;
        report.push(match (new, old) {
            (Ok(a), Ok(b)) => {
                let (items, warnings) = lockstep(a, b).map_err(|e| format!("{name}: {e}"))?;
                format!("{name}: {items} items, {warnings} warnings")
            }
            // input that is not a capture must be refused alike
            (Err(a), Err(b)) if a == b => format!("{name}: both refuse it: {a}"),
            (a, b) => {
                return Err(format!(
                    "{name}: open gave {:?} vs {:?}",
                    a.map(|_| ()),
                    b.map(|_| ())
                ))
            }
        });
    }
    println!(
        "compare {}: identical ({})",
        path.display(),
        report.join("; ")
    );
    Ok(())
}

fn main() -> ExitCode {
    let mut path = None;
    let (mut runs, mut old, mut cmp, mut collect) = (5usize, false, false, false);
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--old" => old = true,
            "--compare" => cmp = true,
            "--collect" => collect = true,
            "--runs" => runs = args.next().and_then(|n| n.parse().ok()).unwrap_or(5).max(1),
            _ => path = Some(a),
        }
    }
    let Some(path) = path else {
        eprintln!("usage: read_speed FILE [--runs N] [--old] [--collect] [--compare]");
        return ExitCode::from(2);
    };
    let path = Path::new(&path);
    println!(
        "size_of: Record {} bytes, PacketRepr {}, Option<Result<Record, PacketError>> {}",
        std::mem::size_of::<Record>(),
        std::mem::size_of::<PacketRepr>(),
        std::mem::size_of::<Option<Result<Record, PacketError>>>()
    );
    if cmp {
        if let Err(e) = compare(path) {
            eprintln!("compare {}: DIFFERENT: {e}", path.display());
            return ExitCode::FAILURE;
        }
    }
    if !cmp || old {
        for o in [false, true] {
            if o && !old {
                continue;
            }
            if let Err(e) = time(path, runs, o, collect) {
                eprintln!("{}: {e}", path.display());
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
