//! Streaming capture reader: pcap (either byte order, micro- or nanosecond, and the "modified"
//! variant) and pcapng (any number of sections and interfaces, per-interface link type and
//! timestamp resolution).
//!
//! Legacy pcap is walked here, record header by record header, over large reads into one
//! fixed buffer (`Walker`); pcapng goes through `pcap-parser`'s circular-buffer reader. The
//! walker reproduces what `pcap-parser`'s legacy reader did in every case (records, warnings,
//! errors and their offsets, byte counts), and that reader stays reachable through
//! [`PcapReader::from_reader_via_pcap_parser`] so that the two can be compared.
//!
//! A gzip-compressed capture (`.pcap.gz`, `.pcapng.gz`, as Wireshark reads them and as
//! public traces are often published) is recognised by its magic number and read through a
//! streaming decompressor; other compressors are named in the error, with the command that
//! undoes them.

use std::fs::File;
use std::io::{self, Cursor, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use pcap_parser::pcapng::Block;
use pcap_parser::traits::PcapReaderIterator;
use pcap_parser::{LegacyPcapReader, PcapBlockOwned, PcapError, PcapNGReader};

use crate::decode::{decode, decode_fast, decode_general};
use crate::error::PacketError;
use crate::link::LinkType;
use crate::record::Record;

/// Size of the read buffer: a record (with its header) must be smaller. `pcap-parser`'s
/// readers read this much at a time.
const BUFFER: usize = 4 << 20;
/// Bytes read up front to recognise the format and parse the file header.
const PREFIX: usize = 256 << 10;
/// Largest read of the legacy pcap walker: small enough that what a read brings in is still in
/// the CPU's cache when the records are decoded (4 MiB reads are about 15% slower).
const READ: usize = 256 << 10;
/// Largest record length accepted in a pcap file whose header gives a smaller snap length
/// (libpcap's own limit for any link type).
const MAX_SNAPLEN: u32 = 262_144;

/// A capture read whole by [`read_all`].
#[derive(Clone, Debug)]
pub struct Capture {
    /// Every record, in file order; `records[i].index() == i`.
    pub records: Vec<Record>,
    /// What could not be read, e.g. `"truncated at byte 5012 after 61 records: ..."`.
    pub warnings: Vec<String>,
    /// The capture's link type (for pcapng: the first interface's).
    pub link_type: LinkType,
}

/// Read a whole capture file. A truncated or corrupt tail is reported in
/// [`Capture::warnings`]; only an unreadable file or one that is not a capture is an error.
pub fn read_all(path: &Path) -> Result<Capture, PacketError> {
    let mut r = PcapReader::open(path)?;
    let mut records = Vec::new();
    let mut warnings = Vec::new();
    for item in r.by_ref() {
        match item {
            Ok(rec) => records.push(rec),
            Err(e @ PacketError::Corrupt { .. }) => warnings.push(e.to_string()),
            Err(e) => return Err(e),
        }
    }
    warnings.extend(r.warnings.iter().cloned());
    Ok(Capture {
        records,
        warnings,
        link_type: r.link_type,
    })
}

/// Legacy pcap record walker: one fixed buffer of [`BUFFER`] bytes, refilled (after moving
/// the unread tail to its start) only when the next record is not wholly in it, with reads of
/// at most [`READ`] bytes. As with `pcap-parser`'s reader, a record (header included) must be
/// smaller than [`BUFFER`]; byte counts, and so every offset in a warning or an error, are
/// those of that reader.
struct Walker {
    inner: Box<dyn Read + Send>,
    buf: Box<[u8]>,
    /// Start of the unread data in `buf`.
    pos: usize,
    /// End of the data in `buf`.
    end: usize,
    /// Bytes of the input consumed (file header and whole records).
    consumed: u64,
    /// Bytes read from the input so far.
    total: u64,
    /// The last read returned 0 bytes: end of input.
    exhausted: bool,
    big_endian: bool,
    /// Record header length: 16, or 24 in the "modified" format.
    hdr_len: usize,
    /// Largest `incl_len` accepted.
    snaplen: u32,
}

/// What the walker found next.
enum Step<'a> {
    /// A whole record, already consumed.
    Record {
        ts_sec: u32,
        ts_frac: u32,
        orig_len: u32,
        data: &'a [u8],
    },
    /// A whole record whose `incl_len` is above the snap length (not consumed).
    OverSnap(u32),
    /// A record that cannot fit in the buffer (not consumed).
    TooBig,
    /// Clean end of input.
    End,
    /// End of input inside a record.
    Truncated,
    /// A read failed.
    ReadError(io::Error),
}

/// The legacy pcap file header.
struct LegacyHeader {
    big_endian: bool,
    nanosecond: bool,
    modified: bool,
    snaplen: u32,
    network: u32,
}

/// Parse a legacy pcap file header as `pcap-parser` does; the error is its debug name.
fn legacy_header(d: &[u8]) -> Result<LegacyHeader, &'static str> {
    let magic = match d.get(..4) {
        Some(&[a, b, c, e]) => u32::from_le_bytes([a, b, c, e]),
        _ => return Err("Incomplete"),
    };
    let big_endian = match magic {
        0xa1b2_c3d4 | 0xa1b2_3c4d | 0xa1b2_cd34 => false,
        0xd4c3_b2a1 | 0x4d3c_b2a1 => true,
        _ => return Err("HeaderNotRecognized"),
    };
    let field = |at: usize| -> Result<u32, &'static str> {
        match d.get(at..at + 4) {
            Some(&[a, b, c, e]) if big_endian => Ok(u32::from_be_bytes([a, b, c, e])),
            Some(&[a, b, c, e]) => Ok(u32::from_le_bytes([a, b, c, e])),
            _ => Err("Incomplete"),
        }
    };
    // version (4), thiszone (4), sigfigs (4): read by pcap-parser, unused
    field(4)?;
    field(8)?;
    field(12)?;
    let snaplen = field(16)?;
    let network = field(20)?;
    Ok(LegacyHeader {
        big_endian,
        nanosecond: magic == 0xa1b2_3c4d || magic == 0x4d3c_b2a1,
        modified: magic == 0xa1b2_cd34,
        snaplen,
        network,
    })
}

impl Walker {
    /// The next record, reading more input when it is not wholly in the buffer.
    #[inline]
    fn step(&mut self) -> Step<'_> {
        loop {
            let avail = self.end - self.pos;
            if avail >= self.hdr_len {
                let h = match self.buf.get(self.pos..self.pos + 16) {
                    Some(&[a0, a1, a2, a3, b0, b1, b2, b3, c0, c1, c2, c3, d0, d1, d2, d3]) => {
                        if self.big_endian {
                            [
                                u32::from_be_bytes([a0, a1, a2, a3]),
                                u32::from_be_bytes([b0, b1, b2, b3]),
                                u32::from_be_bytes([c0, c1, c2, c3]),
                                u32::from_be_bytes([d0, d1, d2, d3]),
                            ]
                        } else {
                            [
                                u32::from_le_bytes([a0, a1, a2, a3]),
                                u32::from_le_bytes([b0, b1, b2, b3]),
                                u32::from_le_bytes([c0, c1, c2, c3]),
                                u32::from_le_bytes([d0, d1, d2, d3]),
                            ]
                        }
                    }
                    _ => return Step::TooBig, // unreachable: avail >= hdr_len >= 16
                };
                let [ts_sec, ts_frac, caplen, orig_len] = h;
                // u64: no overflow whatever the platform's usize
                let need = self.hdr_len as u64 + u64::from(caplen);
                if avail as u64 >= need {
                    if caplen > self.snaplen {
                        return Step::OverSnap(caplen);
                    }
                    let start = self.pos + self.hdr_len;
                    let stop = start + caplen as usize;
                    self.pos = stop;
                    self.consumed += need;
                    return match self.buf.get(start..stop) {
                        Some(data) => Step::Record {
                            ts_sec,
                            ts_frac,
                            orig_len,
                            data,
                        },
                        None => Step::TooBig, // unreachable: stop <= end
                    };
                }
                if self.exhausted {
                    return Step::Truncated;
                }
                if need >= BUFFER as u64 {
                    return Step::TooBig;
                }
            } else if self.exhausted {
                return if avail == 0 {
                    Step::End
                } else {
                    Step::Truncated
                };
            }
            match self.refill() {
                Ok(true) => {}
                Ok(false) => return Step::TooBig, // unreachable: a full buffer holds a record
                Err(e) => return Step::ReadError(e),
            }
        }
    }

    /// Move the unread tail to the start of the buffer and read into the rest. `Ok(false)`:
    /// no room to read into.
    #[cold]
    #[inline(never)]
    fn refill(&mut self) -> io::Result<bool> {
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.end, 0);
            self.end -= self.pos;
            self.pos = 0;
        }
        let stop = (self.end + READ).min(self.buf.len());
        let space = match self.buf.get_mut(self.end..stop) {
            Some(s) if !s.is_empty() => s,
            _ => return Ok(false),
        };
        loop {
            match self.inner.read(space) {
                Ok(n) => {
                    self.total += n as u64;
                    self.end += n.min(space.len());
                    self.exhausted = n == 0;
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }
}

/// Counts bytes and keeps the `io::Error` that `pcap-parser` would otherwise flatten.
struct Tap {
    inner: Box<dyn Read + Send>,
    bytes: Arc<AtomicU64>,
    error: Arc<Mutex<Option<io::Error>>>,
}

impl Read for Tap {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            match self.inner.read(buf) {
                Ok(n) => {
                    self.bytes.fetch_add(n as u64, Ordering::Relaxed);
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    let kind = e.kind();
                    if let Ok(mut slot) = self.error.lock() {
                        *slot = Some(e);
                    }
                    return Err(io::Error::from(kind));
                }
            }
        }
    }
}

#[derive(Clone, Copy)]
struct Iface {
    link: LinkType,
    /// Timestamp units per second.
    resolution: u64,
    /// Seconds added to every timestamp.
    offset: i64,
}

/// A streaming reader of pcap and pcapng captures that yields one [`Record`] per captured
/// frame, decoded or not, with constant memory.
///
/// Iteration ends at the end of the input. A truncated final record ends it quietly and leaves
/// a message in [`warnings`](Self::warnings); a malformed record yields one
/// [`PacketError::Corrupt`] and ends it; a failing read yields [`PacketError::Read`].
pub struct PcapReader {
    src: Source,
    link_type: LinkType,
    /// Legacy pcap: timestamp fraction units per second (1e6 or 1e9).
    legacy_div: f64,
    legacy_snaplen: u32,
    ifaces: Vec<Iface>,
    index: u64,
    last_ts: f64,
    done: bool,
    stalls: u32,
    warnings: Vec<String>,
    bytes: Arc<AtomicU64>,
    error: Arc<Mutex<Option<io::Error>>>,
}

impl std::fmt::Debug for PcapReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PcapReader")
            .field("link_type", &self.link_type)
            .field("records", &self.index)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

/// Where records come from.
enum Source {
    /// Legacy pcap, walked here.
    Legacy(Walker),
    /// pcapng (or, on request, legacy pcap) through `pcap-parser`.
    Parser(Box<dyn PcapReaderIterator + Send>),
}

enum Format {
    Pcap,
    PcapNg,
}

/// Compressed-file magic numbers this reader names but does not read, with the command that
/// decompresses each.
const COMPRESSED: [(&[u8], &str, &str); 4] = [
    (b"BZh", "bzip2", "bunzip2"),
    (&[0xfd, b'7', b'z', b'X', b'Z', 0x00], "xz", "unxz"),
    (&[0x28, 0xb5, 0x2f, 0xfd], "zstd", "unzstd"),
    (b"PK\x03\x04", "zip", "unzip"),
];

/// gzip's magic number (RFC 1952).
const GZIP: [u8; 2] = [0x1f, 0x8b];

/// A gzip stream (every member, as `gunzip` reads them) decompressed as it is read; its
/// errors say that they came from the decompression, and last: once the stream has failed,
/// every later read fails the same way (the decompressor itself would go on with `Ok(0)`, and
/// a reader that met the error while sniffing the format would take that for the end).
struct Gunzip<R: Read> {
    inner: flate2::read::MultiGzDecoder<R>,
    failed: Option<(io::ErrorKind, String)>,
}

impl<R: Read> Read for Gunzip<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some((kind, msg)) = &self.failed {
            return Err(io::Error::new(*kind, msg.clone()));
        }
        let e = match self.inner.read(buf) {
            Ok(n) => return Ok(n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => return Err(e),
            Err(e) => e,
        };
        let failed = match e.kind() {
            io::ErrorKind::UnexpectedEof => (
                io::ErrorKind::UnexpectedEof,
                "gzip stream truncated (the compressed file ends early)".to_string(),
            ),
            kind => (kind, format!("gzip stream corrupt: {e}")),
        };
        let err = io::Error::new(failed.0, failed.1.clone());
        self.failed = Some(failed);
        Err(err)
    }
}

fn sniff(prefix: &[u8]) -> Result<Format, PacketError> {
    if let Some((_, name, undo)) = COMPRESSED.iter().find(|(m, _, _)| prefix.starts_with(m)) {
        return Err(PacketError::NotACapture(format!(
            "compressed with {name}: decompress it first (`{undo}`)"
        )));
    }
    let magic = match prefix.get(..4) {
        Some(&[a, b, c, d]) => [a, b, c, d],
        _ if prefix.is_empty() => {
            return Err(PacketError::NotACapture("empty input (0 bytes)".into()))
        }
        _ => {
            return Err(PacketError::NotACapture(format!(
                "input too short ({} bytes) for a pcap or pcapng header",
                prefix.len()
            )))
        }
    };
    match u32::from_le_bytes(magic) {
        0xa1b2_c3d4 | 0xa1b2_3c4d | 0xa1b2_cd34 | 0xd4c3_b2a1 | 0x4d3c_b2a1 | 0x34cd_b2a1 => {
            Ok(Format::Pcap)
        }
        0x0a0d_0d0a => Ok(Format::PcapNg),
        _ => Err(PacketError::NotACapture(format!(
            "unknown magic number {:02x} {:02x} {:02x} {:02x}: not a pcap or pcapng file",
            magic[0], magic[1], magic[2], magic[3]
        ))),
    }
}

fn header_error(
    what: &str,
    e: PcapError<&[u8]>,
    len: usize,
    read_error: Option<io::Error>,
) -> PacketError {
    if let Some(source) = read_error {
        return PacketError::Read {
            offset: len as u64,
            source,
        };
    }
    match e {
        PcapError::Incomplete(_) | PcapError::UnexpectedEof | PcapError::Eof => {
            PacketError::NotACapture(format!("truncated {what} file header ({len} bytes)"))
        }
        other => PacketError::NotACapture(format!("unreadable {what} file header: {other:?}")),
    }
}

impl PcapReader {
    /// Open a capture file.
    pub fn open(path: &Path) -> Result<PcapReader, PacketError> {
        let f = File::open(path).map_err(|source| PacketError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        PcapReader::from_reader(f)
    }

    /// Read a capture from any byte stream (file, pipe, `&'static [u8]`, `Cursor<Vec<u8>>`).
    /// A gzip-compressed capture is decompressed as it is read.
    pub fn from_reader(r: impl Read + Send + 'static) -> Result<PcapReader, PacketError> {
        PcapReader::build(Box::new(r), false, false)
    }

    /// Like [`from_reader`](Self::from_reader), but legacy pcap goes through `pcap-parser`'s
    /// reader, as it did before the record walker: the reference that the walker is compared
    /// with (tests, `examples/read_speed.rs --compare`). Not for production use.
    #[doc(hidden)]
    pub fn from_reader_via_pcap_parser(
        r: impl Read + Send + 'static,
    ) -> Result<PcapReader, PacketError> {
        PcapReader::build(Box::new(r), true, false)
    }

    fn with_source(src: Source) -> PcapReader {
        PcapReader {
            src,
            link_type: LinkType(u32::MAX),
            legacy_div: 1e6,
            legacy_snaplen: MAX_SNAPLEN,
            ifaces: Vec::new(),
            index: 0,
            last_ts: 0.0,
            done: false,
            stalls: 0,
            warnings: Vec::new(),
            bytes: Arc::new(AtomicU64::new(0)),
            error: Arc::new(Mutex::new(None)),
        }
    }

    /// `gunzipped`: `r` is already the output of a gzip decompressor.
    fn build(
        mut r: Box<dyn Read + Send>,
        via_parser: bool,
        gunzipped: bool,
    ) -> Result<PcapReader, PacketError> {
        // Legacy pcap is read straight into the walker's buffer: allocate it whole up front
        // (the pages past the prefix are only touched when a read fills them).
        let mut prefix = vec![0u8; if via_parser { PREFIX } else { BUFFER }];
        let mut got = 0;
        let mut pending = None;
        while got < PREFIX {
            match r.read(&mut prefix[got..PREFIX]) {
                Ok(0) => break,
                Ok(n) => got += n.min(PREFIX - got),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(source) if got == 0 => return Err(PacketError::Read { offset: 0, source }),
                Err(source) => {
                    // keep what came; a lasting fault shows again on the next read
                    pending = Some(source);
                    break;
                }
            }
        }
        if prefix[..got].starts_with(&GZIP) {
            if gunzipped {
                return Err(PacketError::NotACapture(
                    "gzip-compressed twice: decompress the outer layer first (`gunzip`)".into(),
                ));
            }
            // what was read is the compressed stream's start; a pending read error shows
            // again when the decompressor reads on
            prefix.truncate(got);
            let compressed = Cursor::new(prefix).chain(r);
            let gunzip = Gunzip {
                inner: flate2::read::MultiGzDecoder::new(compressed),
                failed: None,
            };
            return PcapReader::build(Box::new(gunzip), via_parser, true);
        }
        let format = sniff(&prefix[..got])?;
        if matches!(format, Format::Pcap) && !via_parser {
            let h = legacy_header(&prefix[..got]).map_err(|what| match pending.take() {
                Some(source) => PacketError::Read {
                    offset: got as u64,
                    source,
                },
                None if what == "Incomplete" => {
                    PacketError::NotACapture(format!("truncated pcap file header ({got} bytes)"))
                }
                None => PacketError::NotACapture(format!("unreadable pcap file header: {what}")),
            })?;
            let snaplen = h.snaplen.clamp(MAX_SNAPLEN, BUFFER as u32);
            let mut reader = PcapReader::with_source(Source::Legacy(Walker {
                inner: r,
                buf: prefix.into_boxed_slice(),
                pos: 24,
                end: got,
                consumed: 24,
                total: got as u64,
                exhausted: false,
                big_endian: h.big_endian,
                hdr_len: if h.modified { 24 } else { 16 },
                snaplen,
            }));
            reader.link_type = LinkType(h.network & 0x03FF_FFFF); // upper bits: FCS length
            Self::check_link(&mut reader.warnings, reader.link_type);
            reader.legacy_div = if h.nanosecond { 1e9 } else { 1e6 };
            reader.legacy_snaplen = snaplen;
            return Ok(reader);
        }
        prefix.truncate(got);
        prefix.shrink_to_fit();
        let bytes = Arc::new(AtomicU64::new(0));
        let error = Arc::new(Mutex::new(None));
        let tap = Tap {
            inner: Box::new(Cursor::new(prefix).chain(r)),
            bytes: bytes.clone(),
            error: error.clone(),
        };
        let mut reader = PcapReader::with_source(Source::Parser(match format {
            Format::Pcap => Box::new(
                LegacyPcapReader::new(BUFFER, tap)
                    .map_err(|e| header_error("pcap", e, got, pending.take()))?,
            ),
            Format::PcapNg => Box::new(
                PcapNGReader::new(BUFFER, tap)
                    .map_err(|e| header_error("pcapng", e, got, pending.take()))?,
            ),
        }));
        reader.bytes = bytes;
        reader.error = error;
        reader.read_headers();
        Ok(reader)
    }

    /// The capture's link type; for pcapng, that of the first interface (each packet is
    /// decoded with its own interface's link type). `LinkType(u32::MAX)` if a pcapng file
    /// declares no interface before its first packet.
    pub fn link_type(&self) -> LinkType {
        self.link_type
    }

    /// Problems met so far that ended the stream without an error (a truncated last record).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Records returned so far.
    pub fn records_read(&self) -> u64 {
        self.index
    }

    /// Bytes of the capture consumed so far (file header included).
    pub fn bytes_consumed(&self) -> u64 {
        match &self.src {
            Source::Legacy(w) => w.consumed,
            Source::Parser(p) => p.consumed() as u64,
        }
    }

    /// Bytes read from the input so far.
    fn bytes_read(&self) -> u64 {
        match &self.src {
            Source::Legacy(w) => w.total,
            Source::Parser(_) => self.bytes.load(Ordering::Relaxed),
        }
    }

    /// Consume the file header (pcap) or the leading section and interface blocks (pcapng),
    /// so that `link_type` is known before the first packet.
    fn read_headers(&mut self) {
        let Source::Parser(src) = &mut self.src else {
            return;
        };
        loop {
            let consumed = match src.next() {
                Ok((off, PcapBlockOwned::LegacyHeader(h))) => {
                    self.link_type = LinkType(h.network.0 as u32 & 0x03FF_FFFF); // upper bits: FCS length
                    Self::check_link(&mut self.warnings, self.link_type);
                    self.legacy_div = if h.is_nanosecond_precision() {
                        1e9
                    } else {
                        1e6
                    };
                    self.legacy_snaplen = h.snaplen.clamp(MAX_SNAPLEN, BUFFER as u32);
                    off
                }
                Ok((off, PcapBlockOwned::NG(Block::SectionHeader(_)))) => {
                    self.ifaces.clear();
                    off
                }
                Ok((off, PcapBlockOwned::NG(Block::InterfaceDescription(idb)))) => {
                    self.ifaces.push(iface_of(&idb));
                    Self::check_link(&mut self.warnings, iface_of(&idb).link);
                    if self.ifaces.len() == 1 {
                        self.link_type = self.ifaces[0].link;
                    }
                    src.consume(off);
                    return;
                }
                Err(PcapError::Incomplete(_)) => {
                    let before = self.bytes.load(Ordering::Relaxed);
                    if src.refill().is_err() || self.bytes.load(Ordering::Relaxed) == before {
                        return; // end of input or a full buffer: next() reports it
                    }
                    continue;
                }
                _ => return,
            };
            src.consume(consumed);
            if self.link_type.0 != u32::MAX {
                return;
            }
        }
    }

    fn corrupt(&mut self, detail: String) -> Option<Result<Record, PacketError>> {
        self.done = true;
        Some(Err(PacketError::Corrupt {
            offset: self.bytes_consumed(),
            records: self.index,
            detail,
        }))
    }

    /// A warning, once per link type, when the capture declares one that [`decode`] does not
    /// read: every record of it is counted undecoded, and a user who sees no alert must know
    /// why.
    fn check_link(warnings: &mut Vec<String>, link: LinkType) {
        if link.is_supported() || link.0 == u32::MAX {
            return;
        }
        let w = format!(
            "link type {} is not supported: its records are counted undecoded (supported: \
             Ethernet, Linux cooked v1/v2, raw IP, null/loopback, NFLOG, pflog, IEEE 802.11 \
             bare, radiotap or PPI, PPP, Cisco HDLC)",
            link.0
        );
        if !warnings.contains(&w) {
            warnings.push(w);
        }
    }

    fn truncated(&mut self) -> Option<Result<Record, PacketError>> {
        self.done = true;
        let total = self.bytes_read();
        let at = self.bytes_consumed();
        self.warnings.push(format!(
            "truncated at byte {at} after {} records ({} trailing bytes of an incomplete record ignored)",
            self.index,
            total.saturating_sub(at)
        ));
        None
    }
}

fn iface_of(idb: &pcap_parser::InterfaceDescriptionBlock<'_>) -> Iface {
    Iface {
        link: LinkType(u32::from(idb.linktype.0 as u16)),
        resolution: idb.ts_resolution().filter(|&r| r > 0).unwrap_or(1_000_000),
        offset: idb.ts_offset(),
    }
}

fn ng_ts(iface: &Iface, high: u32, low: u32) -> f64 {
    let ticks = (u64::from(high) << 32) | u64::from(low);
    let secs = ticks / iface.resolution;
    let frac = ticks % iface.resolution;
    secs as f64 + frac as f64 / iface.resolution as f64 + iface.offset as f64
}

impl Iterator for PcapReader {
    type Item = Result<Record, PacketError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let index = self.index;
        let Source::Legacy(w) = &mut self.src else {
            return self.next_parsed();
        };
        match w.step() {
            Step::Record {
                ts_sec,
                ts_frac,
                orig_len,
                data,
            } => {
                let ts = f64::from(ts_sec) + f64::from(ts_frac) / self.legacy_div;
                self.last_ts = ts;
                self.index += 1;
                // what decode() does, with the fast path's record built where it is returned
                if self.link_type == LinkType::ETHERNET {
                    if let Some(p) = decode_fast(data, index, ts, orig_len) {
                        return Some(Ok(Record::Packet(p)));
                    }
                }
                Some(Ok(decode_general(
                    self.link_type,
                    data,
                    index,
                    ts,
                    orig_len,
                )))
            }
            Step::OverSnap(caplen) => {
                let detail = format!(
                    "record claims {caplen} captured bytes, more than the snap length {}",
                    self.legacy_snaplen
                );
                self.corrupt(detail)
            }
            Step::TooBig => {
                self.corrupt(format!("record larger than the {BUFFER}-byte read buffer"))
            }
            Step::End => {
                self.done = true;
                None
            }
            Step::Truncated => self.truncated(),
            Step::ReadError(source) => {
                self.done = true;
                Some(Err(PacketError::Read {
                    offset: self.bytes_consumed(),
                    source,
                }))
            }
        }
    }
}

impl PcapReader {
    /// The next record through `pcap-parser` (pcapng, or legacy pcap on request).
    fn next_parsed(&mut self) -> Option<Result<Record, PacketError>> {
        loop {
            if self.done {
                return None;
            }
            let index = self.index;
            let Source::Parser(src) = &mut self.src else {
                return None;
            };
            let (off, rec) = match src.next() {
                Ok((off, block)) => {
                    let rec = match block {
                        PcapBlockOwned::Legacy(b) => {
                            if b.caplen > self.legacy_snaplen {
                                let detail = format!(
                                    "record claims {} captured bytes, more than the snap length {}",
                                    b.caplen, self.legacy_snaplen
                                );
                                return self.corrupt(detail);
                            }
                            let ts = f64::from(b.ts_sec) + f64::from(b.ts_usec) / self.legacy_div;
                            self.last_ts = ts;
                            Some(decode(self.link_type, b.data, index, ts, b.origlen))
                        }
                        PcapBlockOwned::LegacyHeader(_) => None,
                        PcapBlockOwned::NG(Block::SectionHeader(_)) => {
                            self.ifaces.clear();
                            None
                        }
                        PcapBlockOwned::NG(Block::InterfaceDescription(idb)) => {
                            self.ifaces.push(iface_of(&idb));
                            Self::check_link(&mut self.warnings, iface_of(&idb).link);
                            if self.link_type.0 == u32::MAX {
                                self.link_type = self.ifaces[0].link;
                            }
                            None
                        }
                        PcapBlockOwned::NG(Block::EnhancedPacket(epb)) => {
                            let data = epb.data.get(..epb.caplen as usize).unwrap_or(epb.data);
                            Some(match self.ifaces.get(epb.if_id as usize).copied() {
                                Some(iface) => {
                                    let ts = ng_ts(&iface, epb.ts_high, epb.ts_low);
                                    self.last_ts = ts;
                                    decode(iface.link, data, index, ts, epb.origlen)
                                }
                                None => Record::Undecoded {
                                    index,
                                    ts: self.last_ts,
                                    wire_len: epb.origlen,
                                    reason: "packet of an undeclared interface",
                                },
                            })
                        }
                        PcapBlockOwned::NG(Block::SimplePacket(spb)) => {
                            // no timestamp in a simple packet block: the previous one is used
                            let data = spb.data.get(..spb.origlen as usize).unwrap_or(spb.data);
                            Some(match self.ifaces.first() {
                                Some(iface) => {
                                    decode(iface.link, data, index, self.last_ts, spb.origlen)
                                }
                                None => Record::Undecoded {
                                    index,
                                    ts: self.last_ts,
                                    wire_len: spb.origlen,
                                    reason: "packet of an undeclared interface",
                                },
                            })
                        }
                        PcapBlockOwned::NG(_) => None,
                    };
                    (off, rec)
                }
                Err(PcapError::Eof) => {
                    self.done = true;
                    return None;
                }
                Err(PcapError::Incomplete(_)) => {
                    let before = self.bytes.load(Ordering::Relaxed);
                    if src.refill().is_err() {
                        self.done = true;
                        let source = self
                            .error
                            .lock()
                            .ok()
                            .and_then(|mut e| e.take())
                            .unwrap_or_else(|| io::Error::other("read failed"));
                        return Some(Err(PacketError::Read {
                            offset: self.bytes_consumed(),
                            source,
                        }));
                    }
                    if self.bytes.load(Ordering::Relaxed) == before {
                        // nothing new: either end of input (next call says so) or a full buffer
                        self.stalls += 1;
                        if self.stalls > 2 {
                            return self.corrupt(format!(
                                "record larger than the {BUFFER}-byte read buffer"
                            ));
                        }
                    } else {
                        self.stalls = 0;
                    }
                    continue;
                }
                Err(PcapError::UnexpectedEof) => return self.truncated(),
                Err(PcapError::BufferTooSmall) => {
                    return self
                        .corrupt(format!("record larger than the {BUFFER}-byte read buffer"))
                }
                Err(e) => {
                    let detail = match e {
                        PcapError::NomError(_, kind) | PcapError::OwnedNomError(_, kind) => {
                            format!("malformed block ({kind:?})")
                        }
                        other => format!("{other:?}"),
                    };
                    return self.corrupt(detail);
                }
            };
            src.consume(off);
            self.stalls = 0;
            if let Some(r) = rec {
                self.index += 1;
                return Some(Ok(r));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Read};
    use std::path::PathBuf;

    use super::*;

    /// One record to write: (seconds, fraction, incl_len, orig_len, bytes actually written).
    type Rec = (u32, u32, u32, u32, Vec<u8>);

    /// A legacy pcap file: `magic` as stored in the chosen byte order, 16-byte record
    /// headers (24 for the modified format's magic, the extra 8 bytes zero).
    fn pcap(magic: u32, big_endian: bool, snaplen: u32, link: u32, recs: &[Rec]) -> Vec<u8> {
        let w = |out: &mut Vec<u8>, v: u32| {
            out.extend_from_slice(&if big_endian {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            })
        };
        let mut out = Vec::new();
        w(&mut out, magic);
        let (major, minor) = (2u16, 4u16);
        for v in [major, minor] {
            out.extend_from_slice(&if big_endian {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            });
        }
        for v in [0, 0, snaplen, link] {
            w(&mut out, v);
        }
        for (secs, frac, incl, orig, data) in recs {
            for v in [*secs, *frac, *incl, *orig] {
                w(&mut out, v);
            }
            if magic == 0xa1b2_cd34 {
                out.extend_from_slice(&[0; 8]);
            }
            out.extend_from_slice(data);
        }
        out
    }

    /// An Ethernet frame with IPv4 and a TCP SYN (60 bytes), `tag` in the IP id.
    fn frame(tag: u8) -> Vec<u8> {
        let mut f = vec![2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x08, 0x00];
        f.extend_from_slice(&[
            0x45, 0, 0, 44, 0, tag, 0x40, 0, 64, 6, 0, 0, 198, 18, 0, 1, 198, 18, 0, tag,
        ]);
        f.extend_from_slice(&[
            0x9c, 0x40, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0x60, 0x02, 0x04, 0, 0, 0, 0, 0, 2, 4, 5,
            0xb4,
        ]);
        f.resize(60, 0);
        f
    }

    fn rec(secs: u32, frac: u32, data: Vec<u8>) -> Rec {
        let n = data.len() as u32;
        (secs, frac, n, n + 4, data)
    }

    /// Everything a reader shows: items (records and the error, in debug form, each with
    /// `bytes_consumed` and `records_read` after it), then warnings and link type.
    #[derive(Debug, PartialEq)]
    struct Outcome {
        items: Vec<(String, u64, u64)>,
        records: Vec<Record>,
        warnings: Vec<String>,
        link: LinkType,
        consumed: u64,
    }

    fn run(r: Result<PcapReader, PacketError>) -> Result<Outcome, String> {
        let mut r = r.map_err(|e| format!("{e:?}"))?;
        let mut items = Vec::new();
        let mut records = Vec::new();
        while let Some(item) = r.next() {
            items.push((format!("{item:?}"), r.bytes_consumed(), r.records_read()));
            if let Ok(rec) = item {
                records.push(rec);
            }
        }
        assert!(r.next().is_none(), "the iterator stays ended");
        Ok(Outcome {
            items,
            records,
            warnings: r.warnings().to_vec(),
            link: r.link_type(),
            consumed: r.bytes_consumed(),
        })
    }

    /// A stream of short reads (1 to 7 bytes): a pipe at its worst.
    struct Trickle {
        data: Vec<u8>,
        pos: usize,
        n: usize,
    }

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.n = self.n % 7 + 1;
            let k = buf.len().min(self.n).min(self.data.len() - self.pos);
            buf[..k].copy_from_slice(&self.data[self.pos..self.pos + k]);
            self.pos += k;
            Ok(k)
        }
    }

    /// The walker's outcome for `bytes`, checked equal to `pcap-parser`'s, and to the walker's
    /// own through short reads.
    fn both(bytes: &[u8]) -> Result<Outcome, String> {
        let new = run(PcapReader::from_reader(Cursor::new(bytes.to_vec())));
        let old = run(PcapReader::from_reader_via_pcap_parser(Cursor::new(
            bytes.to_vec(),
        )));
        assert_eq!(new, old, "walker vs pcap-parser");
        let trickle = run(PcapReader::from_reader(Trickle {
            data: bytes.to_vec(),
            pos: 0,
            n: 0,
        }));
        assert_eq!(new, trickle, "walker over short reads");
        new
    }

    const MAGIC_US: u32 = 0xa1b2_c3d4;
    const MAGIC_NS: u32 = 0xa1b2_3c4d;

    #[test]
    fn both_byte_orders_micro_and_nanoseconds() {
        let recs = [
            rec(1_700_000_000, 123_456, frame(1)),
            rec(1_700_000_001, 999_999, frame(2)),
            rec(1_700_000_002, 0, vec![0xff; 42]), // not IP
        ];
        let mut seen = Vec::new();
        for big_endian in [false, true] {
            for (magic, div) in [(MAGIC_US, 1e6), (MAGIC_NS, 1e9)] {
                let mut recs = recs.clone();
                if div == 1e9 {
                    recs[0].1 = 123_456_789;
                    recs[1].1 = 999_999_999;
                }
                let out = both(&pcap(magic, big_endian, 65535, 1, &recs)).unwrap();
                assert_eq!(out.link, LinkType::ETHERNET);
                assert!(out.warnings.is_empty(), "{:?}", out.warnings);
                assert_eq!(out.records.len(), 3);
                assert_eq!(out.consumed, 24 + 3 * 16 + 60 + 60 + 42);
                for (i, (r, (secs, frac, _, orig, _))) in out.records.iter().zip(&recs).enumerate()
                {
                    assert_eq!(r.index(), i as u64);
                    assert_eq!(r.ts(), f64::from(*secs) + f64::from(*frac) / div);
                    assert_eq!(r.wire_len(), *orig);
                }
                let p = out.records[0].packet().expect("decoded");
                assert_eq!((p.sport, p.dport, p.tcp_flags, p.ttl), (40000, 80, 2, 64));
                assert_eq!(p.dst.to_string(), "198.18.0.1");
                assert!(out.records[2].packet().is_none());
                seen.push(out.records);
            }
        }
        // the byte order changes nothing
        assert_eq!(seen[0], seen[2]);
        assert_eq!(seen[1], seen[3]);
    }

    #[test]
    fn modified_format_and_unknown_variants() {
        let recs = [rec(5, 6, frame(1)), rec(7, 8, frame(2))];
        let out = both(&pcap(0xa1b2_cd34, false, 65535, 1, &recs)).unwrap();
        assert_eq!(out.records.len(), 2);
        assert_eq!(out.consumed, 24 + 2 * (24 + 60));
        // the big-endian modified magic is known to the sniffer but not to pcap-parser
        let e = both(&pcap(0xa1b2_cd34, true, 65535, 1, &recs)).unwrap_err();
        assert!(
            e.contains("unreadable pcap file header: HeaderNotRecognized"),
            "{e}"
        );
        // upper bits of the link type (FCS length) are dropped
        let out = both(&pcap(MAGIC_US, false, 65535, 0x1000_0001, &recs)).unwrap();
        assert_eq!(out.link, LinkType::ETHERNET);
    }

    #[test]
    fn truncated_file_header() {
        let full = pcap(MAGIC_US, true, 96, 1, &[]);
        for cut in 0..=24 {
            let got = both(&full[..cut]);
            match cut {
                0 => assert!(got.unwrap_err().contains("empty input")),
                1..=3 => assert!(got.unwrap_err().contains("too short")),
                4..=23 => assert!(got
                    .unwrap_err()
                    .contains(&format!("truncated pcap file header ({cut} bytes)"))),
                _ => assert!(got.unwrap().items.is_empty()),
            }
        }
    }

    #[test]
    fn truncated_record_header() {
        for big_endian in [false, true] {
            let mut b = pcap(MAGIC_US, big_endian, 96, 1, &[rec(1, 2, frame(1))]);
            let whole = b.len();
            let next = pcap(MAGIC_US, big_endian, 96, 1, &[rec(3, 4, frame(2))]);
            b.extend_from_slice(&next[24..24 + 10]); // 10 of the next record's 16 header bytes
            let out = both(&b).unwrap();
            assert_eq!(out.records.len(), 1);
            assert_eq!(out.consumed, whole as u64);
            assert_eq!(
                out.warnings,
                [format!(
                    "truncated at byte {whole} after 1 records (10 trailing bytes of an incomplete record ignored)"
                )]
            );
        }
    }

    #[test]
    fn truncated_record_body() {
        for big_endian in [false, true] {
            let b = pcap(MAGIC_US, big_endian, 96, 1, &[rec(1, 2, frame(1))]);
            let cut = b.len() - 1;
            let out = both(&b[..cut]).unwrap();
            assert!(out.records.is_empty());
            assert_eq!(out.consumed, 24);
            assert_eq!(
                out.warnings,
                [format!(
                    "truncated at byte 24 after 0 records ({} trailing bytes of an incomplete record ignored)",
                    cut - 24
                )]
            );
        }
    }

    #[test]
    fn zero_length_record() {
        let recs = [
            rec(1, 0, vec![]),
            (2, 0, 0, 1514, vec![]),
            rec(3, 0, frame(3)),
        ];
        let out = both(&pcap(MAGIC_NS, false, 96, 1, &recs)).unwrap();
        assert_eq!(out.records.len(), 3);
        assert_eq!(
            out.records[1],
            Record::Undecoded {
                index: 1,
                ts: 2.0,
                wire_len: 1514,
                reason: "truncated Ethernet header"
            }
        );
        assert!(out.records[2].packet().is_some());
        assert!(out.warnings.is_empty());
        // a file ending with a zero-length record ends cleanly
        let out = both(&pcap(MAGIC_US, true, 96, 1, &recs[..2])).unwrap();
        assert_eq!((out.records.len(), out.warnings.len()), (2, 0));
    }

    #[test]
    fn oversized_records() {
        let ok = rec(1, 0, frame(1));
        let first = 24 + 16 + 60;
        // above the snap length (at least 262144) with the bytes there: corrupt
        let big = (2, 0, 300_000, 300_000, vec![0u8; 300_000]);
        for big_endian in [false, true] {
            let out = both(&pcap(
                MAGIC_US,
                big_endian,
                96,
                1,
                &[ok.clone(), big.clone()],
            ))
            .unwrap();
            assert_eq!(out.records.len(), 1);
            let (last, consumed, records) = out.items.last().unwrap();
            assert!(
                last.contains("Corrupt")
                    && last.contains(
                        "record claims 300000 captured bytes, more than the snap length 262144"
                    ),
                "{last}"
            );
            assert_eq!((*consumed, *records), (first as u64, 1));
            assert!(out.warnings.is_empty());
        }
        // the same claim with the bytes missing: a truncated last record
        let short = (2, 0, 300_000, 300_000, vec![0u8; 1000]);
        let out = both(&pcap(MAGIC_US, false, 96, 1, &[ok.clone(), short])).unwrap();
        assert_eq!((out.records.len(), out.items.len()), (1, 1));
        assert!(out.warnings[0].contains(&format!("truncated at byte {first} after 1 records")));
        // a snap length above the buffer is capped there; the largest record that fits is
        // read, one byte more cannot be, whether its bytes are there or not
        let fits = (BUFFER - 17) as u32;
        for (incl, present, good) in [
            (fits, true, true),
            (fits + 1, true, false),
            (fits + 1, false, false),
            (u32::MAX, false, false),
        ] {
            let data = vec![0u8; if present { incl as usize } else { 100 }];
            let b = pcap(
                MAGIC_US,
                false,
                u32::MAX,
                1,
                &[ok.clone(), (2, 0, incl, incl, data)],
            );
            let out = both(&b).unwrap();
            if good {
                assert_eq!(out.records.len(), 2);
                assert_eq!(out.consumed, b.len() as u64);
            } else {
                assert_eq!(out.records.len(), 1);
                let (last, consumed, _) = out.items.last().unwrap();
                assert!(
                    last.contains("record larger than the 4194304-byte read buffer"),
                    "{incl}: {last}"
                );
                assert_eq!(*consumed, first as u64);
            }
        }
    }

    /// A stream that fails for good after `ok` bytes, in reads of at most `chunk` bytes.
    struct Failing {
        data: Vec<u8>,
        pos: usize,
        ok: usize,
        chunk: usize,
    }

    impl Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.pos >= self.ok {
                return Err(io::Error::other("device on fire"));
            }
            let k = buf.len().min(self.ok - self.pos).min(self.chunk);
            let k = k.min(self.data.len() - self.pos);
            buf[..k].copy_from_slice(&self.data[self.pos..self.pos + k]);
            self.pos += k;
            Ok(k)
        }
    }

    #[test]
    fn read_errors_at_every_offset() {
        let recs: Vec<Rec> = (0..6).map(|i| rec(i, i, frame(i as u8))).collect();
        let b = pcap(MAGIC_US, false, 96, 1, &recs);
        for chunk in [7, 100, 1 << 20] {
            for ok in 0..b.len() {
                let mk = || Failing {
                    data: b.clone(),
                    pos: 0,
                    ok,
                    chunk,
                };
                let new = run(PcapReader::from_reader(mk()));
                let old = run(PcapReader::from_reader_via_pcap_parser(mk()));
                assert_eq!(new, old, "chunk {chunk}, fails after {ok} bytes");
                match new {
                    // a failure inside the magic number: what came is too short to tell
                    Err(e) if (1..4).contains(&ok) => assert!(e.contains("too short"), "{e}"),
                    Err(e) => assert!(e.contains("device on fire"), "{e}"),
                    Ok(out) => {
                        let (last, _, _) = out.items.last().unwrap();
                        assert!(last.contains("Read") && last.contains("device on fire"));
                    }
                }
            }
        }
    }

    #[test]
    fn a_cut_at_every_byte_reads_as_with_pcap_parser() {
        let recs: Vec<Rec> = (0..5)
            .map(|i| rec(i, i * 1000, frame(i as u8)))
            .chain([rec(9, 9, vec![]), rec(10, 10, vec![1, 2, 3])])
            .collect();
        for big_endian in [false, true] {
            let b = pcap(MAGIC_NS, big_endian, 96, 1, &recs);
            for cut in 0..=b.len() {
                let _ = both(&b[..cut]);
            }
        }
    }

    fn committed(rel: &str) -> Vec<u8> {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel);
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    #[test]
    fn committed_captures_read_as_with_pcap_parser() {
        for rel in [
            "tests/data/lo.pcap",
            "tests/data/lo-nano.pcap",
            "tests/data/frag.pcap",
            "tests/data/any-sll.pcap",
            "tests/data/any-sll2.pcap",
            "tests/data/lo.pcapng",
            "../../data/captures/test3.pcap",
        ] {
            let bytes = committed(rel);
            let out = both(&bytes).unwrap();
            assert!(!out.records.is_empty(), "{rel}");
            assert!(out.warnings.is_empty(), "{rel}");
            assert_eq!(out.consumed, bytes.len() as u64, "{rel}");
        }
        // and through a file, as PcapReader::open reads it
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/captures/test3.pcap");
        let new = run(PcapReader::open(&path)).unwrap();
        let old = run(PcapReader::from_reader_via_pcap_parser(
            File::open(&path).unwrap(),
        ))
        .unwrap();
        assert_eq!(new, old);
        assert!(new.records.len() > 20_000);
    }

    /// xorshift, for reproducible mutations without a test framework
    fn next_rand(s: &mut u64) -> u64 {
        *s ^= *s << 13;
        *s ^= *s >> 7;
        *s ^= *s << 17;
        *s
    }

    #[test]
    fn mutated_captures_read_as_with_pcap_parser() {
        let base = committed("tests/data/lo.pcap");
        let be = {
            let recs: Vec<Rec> = (0..8).map(|i| rec(i, i, frame(i as u8))).collect();
            pcap(MAGIC_NS, true, 96, 1, &recs)
        };
        let mut s = 0x2545_f491_4f6c_dd1d_u64;
        for round in 0..400 {
            let mut b = if round % 2 == 0 {
                base.clone()
            } else {
                be.clone()
            };
            // a few bytes anywhere past the magic, most often in record lengths
            for _ in 0..1 + next_rand(&mut s) % 4 {
                let at = 4 + next_rand(&mut s) as usize % (b.len() - 4);
                b[at] = next_rand(&mut s) as u8;
            }
            if round % 3 == 0 {
                let cut = next_rand(&mut s) as usize % b.len();
                b.truncate(cut.max(24));
            }
            let _ = both(&b);
        }
    }
}
