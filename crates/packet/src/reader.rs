//! Streaming capture reader: pcap (either byte order, micro- or nanosecond, and the "modified"
//! variant) and pcapng (any number of sections and interfaces, per-interface link type and
//! timestamp resolution), through `pcap-parser`'s circular-buffer readers.

use std::fs::File;
use std::io::{self, Cursor, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use pcap_parser::pcapng::Block;
use pcap_parser::traits::PcapReaderIterator;
use pcap_parser::{LegacyPcapReader, PcapBlockOwned, PcapError, PcapNGReader};

use crate::decode::decode;
use crate::error::PacketError;
use crate::link::LinkType;
use crate::record::Record;

/// Size of the read buffer: reads are this large, and no record may be larger.
const BUFFER: usize = 4 << 20;
/// Bytes read up front to recognise the format and parse the file header.
const PREFIX: usize = 256 << 10;
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
    src: Box<dyn PcapReaderIterator + Send>,
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

enum Format {
    Pcap,
    PcapNg,
}

fn sniff(prefix: &[u8]) -> Result<Format, PacketError> {
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
    pub fn from_reader(r: impl Read + Send + 'static) -> Result<PcapReader, PacketError> {
        let mut r: Box<dyn Read + Send> = Box::new(r);
        let mut prefix = vec![0u8; PREFIX];
        let mut got = 0;
        let mut pending = None;
        while got < PREFIX {
            match r.read(&mut prefix[got..]) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(source) if got == 0 => return Err(PacketError::Read { offset: 0, source }),
                Err(source) => {
                    // keep what came; a lasting fault shows again on the next read
                    pending = Some(source);
                    break;
                }
            }
        }
        prefix.truncate(got);
        let format = sniff(&prefix)?;
        let bytes = Arc::new(AtomicU64::new(0));
        let error = Arc::new(Mutex::new(None));
        let tap = Tap {
            inner: Box::new(Cursor::new(prefix).chain(r)),
            bytes: bytes.clone(),
            error: error.clone(),
        };
        let mut reader = PcapReader {
            src: match format {
                Format::Pcap => Box::new(
                    LegacyPcapReader::new(BUFFER, tap)
                        .map_err(|e| header_error("pcap", e, got, pending.take()))?,
                ),
                Format::PcapNg => Box::new(
                    PcapNGReader::new(BUFFER, tap)
                        .map_err(|e| header_error("pcapng", e, got, pending.take()))?,
                ),
            },
            link_type: LinkType(u32::MAX),
            legacy_div: 1e6,
            legacy_snaplen: MAX_SNAPLEN,
            ifaces: Vec::new(),
            index: 0,
            last_ts: 0.0,
            done: false,
            stalls: 0,
            warnings: Vec::new(),
            bytes,
            error,
        };
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
        self.src.consumed() as u64
    }

    /// Consume the file header (pcap) or the leading section and interface blocks (pcapng),
    /// so that `link_type` is known before the first packet.
    fn read_headers(&mut self) {
        loop {
            let consumed = match self.src.next() {
                Ok((off, PcapBlockOwned::LegacyHeader(h))) => {
                    self.link_type = LinkType(h.network.0 as u32 & 0x03FF_FFFF); // upper bits: FCS length
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
                    if self.ifaces.len() == 1 {
                        self.link_type = self.ifaces[0].link;
                    }
                    self.src.consume(off);
                    return;
                }
                Err(PcapError::Incomplete(_)) => {
                    let before = self.bytes.load(Ordering::Relaxed);
                    if self.src.refill().is_err() || self.bytes.load(Ordering::Relaxed) == before {
                        return; // end of input or a full buffer: next() reports it
                    }
                    continue;
                }
                _ => return,
            };
            self.src.consume(consumed);
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

    fn truncated(&mut self) -> Option<Result<Record, PacketError>> {
        self.done = true;
        let total = self.bytes.load(Ordering::Relaxed);
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

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.done {
                return None;
            }
            let index = self.index;
            let (off, rec) = match self.src.next() {
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
                    if self.src.refill().is_err() {
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
            self.src.consume(off);
            self.stalls = 0;
            if let Some(r) = rec {
                self.index += 1;
                return Some(Ok(r));
            }
        }
    }
}
