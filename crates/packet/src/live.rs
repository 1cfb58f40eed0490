//! Live capture from a network interface: an `AF_PACKET` socket with a memory-mapped
//! `TPACKET_V3` receive ring, read from Rust without libpcap (Linux only).
//!
//! The kernel fills fixed-size blocks of the ring with frames and hands each block over whole
//! (when it is full, or when its retire timer fires); [`LiveCapture`] walks the frames of a
//! block in place, decodes each with the same [`decode`] as the file reader, and gives
//! the block back. Waiting is bounded ([`LiveOptions::poll_timeout`]) so a caller can stop at any
//! time ([`StopHandle`], or the packet-count and time limits); the kernel's counters of packets
//! seen, packets dropped for want of ring space and ring freezes are read with
//! `PACKET_STATISTICS` ([`LiveCapture::stats`]). What is captured can be saved as a pcap file
//! at the same time ([`LiveOptions::write`]).
//!
//! A program that captures until the user interrupts it can ask for SIGINT (Ctrl-C) and
//! SIGTERM to end the capture cleanly instead of the process
//! ([`LiveCapture::stop_on_signals`]): the capture then finishes as when a limit is reached,
//! within one poll timeout (sooner when the signal cuts its wait short), so the caller still
//! processes what it has and reads the counters. The handler only stores to an atomic flag;
//! once the capture has finished, a second signal has its usual effect.
//!
//! Frames are Ethernet on Ethernet-like interfaces (veth, bridges, loopback), raw IP on
//! interfaces without a link header (tun, raw IP), as the record's [`LinkType`] says. Like
//! libpcap's, a `TPACKET_V3` ring delivers frames with any VLAN tag the driver stripped
//! already removed; decoding does not need it.
//!
//! All `unsafe` code of the crate is in this module (system calls and the shared ring), each
//! block with its `SAFETY` argument; everything read from the ring is bounds-checked against the
//! block it lies in.
#![allow(unsafe_code)]

use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::decode::decode;
use crate::error::PacketError;
use crate::link::LinkType;
use crate::record::Record;
use crate::write::PcapWriter;

/// Settings of a live capture. [`Default`] gives a 32 MiB ring, promiscuous mode, a 100 ms
/// bounded wait and no limits.
#[derive(Clone, Debug)]
pub struct LiveOptions {
    /// Put the interface in promiscuous mode for as long as the capture is open (like
    /// tcpdump's default). The kernel undoes it when the socket closes.
    pub promiscuous: bool,
    /// Bytes per ring block: a multiple of the page size (default 1 MiB). A frame longer than a
    /// block is cut to fit.
    pub block_size: u32,
    /// Blocks in the ring (default 32). The ring is `block_size × block_count` bytes of locked
    /// kernel memory; a ring too small for a burst drops packets (counted in
    /// [`LiveStats::dropped`]).
    pub block_count: u32,
    /// How long the kernel keeps a partly filled block before handing it over (default 20 ms,
    /// whole milliseconds): the latency bound at low packet rates.
    pub block_timeout: Duration,
    /// Longest single wait in [`LiveCapture::poll_next`] (default 100 ms).
    pub poll_timeout: Duration,
    /// Stop after this many records.
    pub max_packets: Option<u64>,
    /// Stop after this much time from [`LiveCapture::open`].
    pub duration: Option<Duration>,
    /// Also write every captured frame to this pcap file (nanosecond timestamps).
    pub write: Option<PathBuf>,
    /// Bytes of each frame kept in the written file (default 262,144, libpcap's maximum).
    pub snaplen: u32,
}

impl Default for LiveOptions {
    fn default() -> Self {
        LiveOptions {
            promiscuous: true,
            block_size: 1 << 20,
            block_count: 32,
            block_timeout: Duration::from_millis(20),
            poll_timeout: Duration::from_millis(100),
            max_packets: None,
            duration: None,
            write: None,
            snaplen: 262_144,
        }
    }
}

/// Counters of a live capture, cumulative since it was opened.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LiveStats {
    /// Packets the socket saw, including those dropped (the kernel's `tp_packets`).
    pub received: u64,
    /// Packets dropped because the ring was full (`tp_drops`).
    pub dropped: u64,
    /// Times the ring froze because every block was waiting for the reader (`tp_freeze_q_cnt`).
    pub freeze_count: u64,
    /// Records returned to the caller.
    pub records: u64,
}

/// Asks a [`LiveCapture`] to finish, from any thread; it does within one
/// [`LiveOptions::poll_timeout`].
#[derive(Clone, Debug, Default)]
pub struct StopHandle(Arc<AtomicBool>);

impl StopHandle {
    /// Request the capture to finish.
    pub fn stop(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether a stop was requested.
    pub fn is_stopped(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// What one bounded wait of [`LiveCapture::poll_next`] gave.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LivePoll {
    /// A captured frame, decoded or not.
    Record(Record),
    /// Nothing arrived within the poll timeout; call again.
    Idle,
    /// A limit was reached or a stop requested; the capture gives nothing more.
    Finished,
}

/// A live capture on one interface (see the [module docs](self)).
///
/// Iterating yields records until a limit is reached or a stop is requested, waking at least
/// once per poll timeout to check; [`poll_next`](Self::poll_next) gives the same one bounded
/// wait at a time.
///
/// ```no_run
/// use std::time::Duration;
/// use nightjar_packet::{tcp_flags, LiveCapture, LiveOptions, Record};
///
/// let opts = LiveOptions { duration: Some(Duration::from_secs(10)), ..LiveOptions::default() };
/// let mut cap = LiveCapture::open("eth0", opts)?;
/// let mut syns = 0;
/// for rec in cap.by_ref() {
///     if let Record::Packet(p) = rec? {
///         syns += usize::from(p.tcp_flags == tcp_flags::SYN);
///     }
/// }
/// let stats = cap.finish()?;
/// println!("{syns} SYNs; {} received, {} dropped", stats.received, stats.dropped);
/// # Ok::<(), nightjar_packet::PacketError>(())
/// ```
pub struct LiveCapture {
    iface: String,
    link: LinkType,
    ring: sys::Ring,
    max_packets: Option<u64>,
    deadline: Option<Instant>,
    poll_timeout: Duration,
    snaplen: u32,
    stop: StopHandle,
    /// Present while SIGINT and SIGTERM finish the capture ([`LiveCapture::stop_on_signals`]).
    signals: Option<sys::signals::Guard>,
    writer: Option<(PathBuf, PcapWriter<BufWriter<File>>)>,
    index: u64,
    kernel: LiveStats,
    finished: bool,
}

impl std::fmt::Debug for LiveCapture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveCapture")
            .field("iface", &self.iface)
            .field("link", &self.link)
            .field("records", &self.index)
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}

impl LiveCapture {
    /// Open a capture on interface `iface` (e.g. `"eth0"`).
    ///
    /// Errors: [`PacketError::NoSuchInterface`], [`PacketError::Permission`] (not root and no
    /// `CAP_NET_RAW`), [`PacketError::Live`] (socket or ring setup failed, e.g. a ring the
    /// kernel cannot allocate), [`PacketError::Open`] (the `write` file), and
    /// [`PacketError::Unsupported`] on systems other than Linux.
    pub fn open(iface: &str, options: LiveOptions) -> Result<LiveCapture, PacketError> {
        let started = Instant::now();
        let (ring, link) = sys::Ring::open(iface, &options)?;
        let writer = match &options.write {
            Some(path) => {
                let f = File::create(path).map_err(|source| PacketError::Open {
                    path: path.clone(),
                    source,
                })?;
                let w = PcapWriter::new_nanosecond(
                    BufWriter::with_capacity(1 << 20, f),
                    link,
                    options.snaplen,
                )
                .map_err(|source| PacketError::Write {
                    path: path.clone(),
                    source,
                })?;
                Some((path.clone(), w))
            }
            None => None,
        };
        Ok(LiveCapture {
            iface: iface.to_string(),
            link,
            ring,
            max_packets: options.max_packets,
            deadline: options.duration.map(|d| started + d),
            poll_timeout: options.poll_timeout.max(Duration::from_millis(1)),
            snaplen: options.snaplen,
            stop: StopHandle::default(),
            signals: None,
            writer,
            index: 0,
            kernel: LiveStats::default(),
            finished: false,
        })
    }

    /// The interface captured.
    pub fn iface(&self) -> &str {
        &self.iface
    }

    /// The link type of the frames (Ethernet, or raw IP on interfaces without a link header).
    pub fn link_type(&self) -> LinkType {
        self.link
    }

    /// A handle that makes the capture finish, usable from another thread or a signal handler's
    /// thread.
    pub fn stop_handle(&self) -> StopHandle {
        self.stop.clone()
    }

    /// Make SIGINT (Ctrl-C) and SIGTERM finish this capture, as a [`StopHandle::stop`] does,
    /// instead of ending the process: the caller sees [`LivePoll::Finished`] (the iterator
    /// ends) within one poll timeout (sooner when the signal cuts the wait short), and can
    /// then process what it has and call [`finish`](Self::finish).
    ///
    /// The handlers are process-wide and only set a flag: the first of these signals finishes
    /// every capture that asked for it. The previous dispositions (normally the default
    /// action) come back as soon as the last capture that asked has finished (or is dropped),
    /// so a second Ctrl-C ends the process as usual while the caller processes what it has;
    /// a copy of the first signal sent at the same moment (GNU `timeout` sends its signal to
    /// its child and then to its process group) is absorbed. A signal the process was started
    /// with ignored (a background job of a script, `nohup`) stays ignored. Calling it again
    /// does nothing.
    ///
    /// Errors: [`PacketError::Live`] if `sigaction` fails.
    pub fn stop_on_signals(&mut self) -> Result<(), PacketError> {
        if self.signals.is_none() && !self.finished {
            self.signals = Some(sys::signals::install().map_err(|source| PacketError::Live {
                iface: self.iface.clone(),
                what: "installing SIGINT and SIGTERM handlers",
                source,
            })?);
        }
        Ok(())
    }

    /// Whether the capture has finished (limit, stop or error).
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// Whether a stop was asked for, through the stop handle or (if the capture asked for it)
    /// by a signal.
    fn stop_requested(&self) -> bool {
        self.stop.is_stopped() || self.signals.as_ref().is_some_and(|g| g.requested())
    }

    /// Mark the capture finished; the signal handlers, if any, are given back.
    fn end(&mut self) {
        self.finished = true;
        self.signals = None;
    }

    /// Wait at most the poll timeout (less if the time limit is nearer) for the next frame.
    /// A signal (with [`stop_on_signals`](Self::stop_on_signals)) cuts the wait short: the
    /// call returns [`LivePoll::Idle`] and the next one [`LivePoll::Finished`].
    pub fn poll_next(&mut self) -> Result<LivePoll, PacketError> {
        if self.finished || self.stop_requested() || self.max_packets == Some(self.index) {
            self.end();
            return Ok(LivePoll::Finished);
        }
        let mut wait = self.poll_timeout;
        if let Some(deadline) = self.deadline {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                self.end();
                return Ok(LivePoll::Finished);
            }
            wait = wait.min(left);
        }
        let frame = match self.ring.next(wait) {
            Ok(Some(frame)) => frame,
            Ok(None) => return Ok(LivePoll::Idle),
            Err(source) => {
                self.end();
                return Err(PacketError::Live {
                    iface: self.iface.clone(),
                    what: "receiving",
                    source,
                });
            }
        };
        let ts = f64::from(frame.sec) + f64::from(frame.nsec) / 1e9;
        let record = decode(self.link, frame.data, self.index, ts, frame.wire_len);
        if let Some((path, w)) = &mut self.writer {
            let kept = &frame.data[..frame.data.len().min(self.snaplen as usize)];
            if let Err(source) = w.write_packet(frame.sec, frame.nsec, kept, frame.wire_len) {
                // (fields, not `end`: `path` borrows the writer)
                self.finished = true;
                self.signals = None;
                return Err(PacketError::Write {
                    path: path.clone(),
                    source,
                });
            }
        }
        self.index += 1;
        Ok(LivePoll::Record(record))
    }

    /// The kernel's counters so far (reading them resets the kernel's copy; they are summed
    /// here) and the records returned.
    pub fn stats(&mut self) -> Result<LiveStats, PacketError> {
        let (received, dropped, freezes) =
            self.ring.statistics().map_err(|source| PacketError::Live {
                iface: self.iface.clone(),
                what: "reading PACKET_STATISTICS",
                source,
            })?;
        self.kernel.received += u64::from(received);
        self.kernel.dropped += u64::from(dropped);
        self.kernel.freeze_count += u64::from(freezes);
        Ok(LiveStats {
            records: self.index,
            ..self.kernel
        })
    }

    /// End the capture: flush the pcap file being written, if any, and return the final counters.
    pub fn finish(mut self) -> Result<LiveStats, PacketError> {
        self.end();
        let stats = self.stats()?;
        if let Some((path, w)) = self.writer.take() {
            w.into_inner()
                .map_err(|source| PacketError::Write { path, source })?;
        }
        Ok(stats)
    }
}

impl Iterator for LiveCapture {
    type Item = Result<Record, PacketError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            match self.poll_next() {
                Ok(LivePoll::Record(r)) => return Some(Ok(r)),
                Ok(LivePoll::Idle) => continue,
                Ok(LivePoll::Finished) => return None,
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

/// One frame in the ring, valid until the next call on the ring.
struct Frame<'a> {
    sec: u32,
    nsec: u32,
    wire_len: u32,
    data: &'a [u8],
}

#[cfg(target_os = "linux")]
mod sys {
    use std::io;
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    use std::ptr::NonNull;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::time::Duration;

    use super::{Frame, LiveOptions};
    use crate::error::PacketError;
    use crate::link::LinkType;

    // Offsets in a block descriptor (struct tpacket_block_desc, <linux/if_packet.h>): version,
    // offset_to_priv, then struct tpacket_hdr_v1 at 8: block_status, num_pkts,
    // offset_to_first_pkt, blk_len, ...
    /// `PACKET_IGNORE_OUTGOING` (<linux/if_packet.h>, Linux 4.20).
    const PACKET_IGNORE_OUTGOING: libc::c_int = 23;
    const BLOCK_STATUS: usize = 8;
    const BLOCK_NUM_PKTS: usize = 12;
    const BLOCK_FIRST_PKT: usize = 16;
    // Offsets in a frame header (struct tpacket3_hdr): tp_next_offset, tp_sec, tp_nsec,
    // tp_snaplen, tp_len, tp_status, tp_mac (u16), tp_net (u16), ...
    const PKT_NEXT: usize = 0;
    const PKT_SEC: usize = 4;
    const PKT_NSEC: usize = 8;
    const PKT_SNAPLEN: usize = 12;
    const PKT_LEN: usize = 16;
    const PKT_MAC: usize = 24;
    const PKT_HDR_MIN: usize = 28;
    /// tp_frame_size: only used by the kernel to check the request for V3.
    const FRAME_SIZE: u32 = 2048;

    fn u32_at(b: &[u8], at: usize) -> Option<u32> {
        Some(u32::from_ne_bytes(b.get(at..at + 4)?.try_into().ok()?))
    }

    fn u16_at(b: &[u8], at: usize) -> Option<u16> {
        Some(u16::from_ne_bytes(b.get(at..at + 2)?.try_into().ok()?))
    }

    /// Where the reader is inside the block it owns.
    #[derive(Clone, Copy)]
    struct Cursor {
        remaining: u32,
        offset: usize,
    }

    pub(super) struct Ring {
        fd: OwnedFd,
        map: NonNull<u8>,
        map_len: usize,
        block_size: usize,
        block_count: usize,
        block: usize,
        cursor: Option<Cursor>,
    }

    // SAFETY: the mapping is owned by this value alone (no other handle to it exists in the
    // process) and is only touched through `&mut self` or `&self`; moving it between threads is
    // no different from moving a `Vec<u8>`.
    unsafe impl Send for Ring {}

    fn last_error() -> io::Error {
        io::Error::last_os_error()
    }

    fn live(iface: &str, what: &'static str, source: io::Error) -> PacketError {
        PacketError::Live {
            iface: iface.to_string(),
            what,
            source,
        }
    }

    fn setsockopt<T>(fd: &OwnedFd, level: i32, name: i32, value: &T) -> io::Result<()> {
        let len = libc::socklen_t::try_from(std::mem::size_of::<T>())
            .map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
        // SAFETY: `value` points to a live, initialised `T` of `len` bytes for the duration of
        // the call; the kernel only reads it.
        let rc = unsafe {
            libc::setsockopt(fd.as_raw_fd(), level, name, (value as *const T).cast(), len)
        };
        if rc == 0 {
            Ok(())
        } else {
            Err(last_error())
        }
    }

    fn packet_socket(kind: i32) -> io::Result<OwnedFd> {
        // SAFETY: plain system call with constant arguments; protocol 0 means the socket
        // receives nothing until it is bound, so no frame of another interface slips in.
        let fd = unsafe { libc::socket(libc::AF_PACKET, kind | libc::SOCK_CLOEXEC, 0) };
        if fd < 0 {
            return Err(last_error());
        }
        // SAFETY: `fd` is a fresh descriptor that nothing else owns.
        Ok(unsafe { OwnedFd::from_raw_fd(fd) })
    }

    /// An `ifreq` with the interface name filled in.
    fn ifreq(iface: &str) -> libc::ifreq {
        // SAFETY: `ifreq` is a plain C struct (name array and a union of integers, sockaddrs
        // and a pointer) for which all-zero bytes is a valid value.
        let mut req: libc::ifreq = unsafe { std::mem::zeroed() };
        for (d, s) in req.ifr_name.iter_mut().zip(iface.bytes()) {
            *d = s as libc::c_char;
        }
        req
    }

    fn ioctl_ifreq(fd: &OwnedFd, request: libc::c_ulong, req: &mut libc::ifreq) -> io::Result<()> {
        // SAFETY: SIOCGIFINDEX and SIOCGIFHWADDR read the NUL-terminated name of `req` (the
        // name is shorter than IFNAMSIZ, checked by the caller, and the rest is zero) and write
        // inside the `ifreq` that `req` points to.
        #[allow(clippy::useless_conversion, clippy::unnecessary_cast)]
        let rc = unsafe { libc::ioctl(fd.as_raw_fd(), request as _, req as *mut libc::ifreq) };
        if rc == 0 {
            Ok(())
        } else {
            Err(last_error())
        }
    }

    impl Ring {
        pub(super) fn open(iface: &str, o: &LiveOptions) -> Result<(Ring, LinkType), PacketError> {
            if iface.is_empty()
                || iface.len() >= libc::IFNAMSIZ
                || iface
                    .bytes()
                    .any(|b| b == 0 || b == b'/' || b.is_ascii_whitespace())
            {
                return Err(PacketError::NoSuchInterface {
                    iface: iface.to_string(),
                });
            }
            let page = {
                // SAFETY: sysconf has no memory effects.
                let p = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
                usize::try_from(p).unwrap_or(4096).max(1)
            };
            let block_size = o.block_size as usize;
            if block_size == 0
                || block_size % page != 0
                || block_size < FRAME_SIZE as usize
                || o.block_count == 0
            {
                return Err(live(
                    iface,
                    "ring setup",
                    io::Error::new(
                        io::ErrorKind::InvalidInput,
                        format!(
                            "block size {} must be a non-zero multiple of the page size {page}, \
                             and the block count ({}) non-zero",
                            o.block_size, o.block_count
                        ),
                    ),
                ));
            }
            let map_len = block_size
                .checked_mul(o.block_count as usize)
                .filter(|&n| n <= isize::MAX as usize)
                .ok_or_else(|| {
                    live(
                        iface,
                        "ring setup",
                        io::Error::new(io::ErrorKind::InvalidInput, "ring too large"),
                    )
                })?;

            let open_socket = |kind| {
                packet_socket(kind).map_err(|e| match e.raw_os_error() {
                    Some(libc::EPERM) | Some(libc::EACCES) => PacketError::Permission {
                        iface: iface.to_string(),
                        source: e,
                    },
                    _ => live(iface, "opening an AF_PACKET socket", e),
                })
            };
            let mut fd = open_socket(libc::SOCK_RAW)?;

            let mut req = ifreq(iface);
            ioctl_ifreq(&fd, libc::SIOCGIFINDEX as libc::c_ulong, &mut req).map_err(|e| match e
                .raw_os_error()
            {
                Some(libc::ENODEV) | Some(libc::ENXIO) => PacketError::NoSuchInterface {
                    iface: iface.to_string(),
                },
                _ => live(iface, "looking up the interface", e),
            })?;
            // SAFETY: SIOCGIFINDEX succeeded, so the kernel wrote the index member of the union.
            let ifindex = unsafe { req.ifr_ifru.ifru_ifindex };
            let mut req = ifreq(iface);
            ioctl_ifreq(&fd, libc::SIOCGIFHWADDR as libc::c_ulong, &mut req)
                .map_err(|e| live(iface, "reading the interface's hardware type", e))?;
            // SAFETY: SIOCGIFHWADDR succeeded, so the kernel wrote the hwaddr member.
            let hwtype = unsafe { req.ifr_ifru.ifru_hwaddr.sa_family };
            let link = match hwtype {
                libc::ARPHRD_ETHER | libc::ARPHRD_LOOPBACK => LinkType::ETHERNET,
                _ => {
                    // No Ethernet header to parse: ask for frames from the network header on.
                    fd = open_socket(libc::SOCK_DGRAM)?;
                    LinkType::RAW
                }
            };

            if hwtype == libc::ARPHRD_LOOPBACK {
                // On loopback every packet is seen twice, leaving and arriving; keep one copy
                // (as tcpdump shows it). Older kernels lack the option: then both copies stay.
                let one: libc::c_int = 1;
                let _ = setsockopt(&fd, libc::SOL_PACKET, PACKET_IGNORE_OUTGOING, &one);
            }
            let version = libc::tpacket_versions::TPACKET_V3 as libc::c_int;
            setsockopt(&fd, libc::SOL_PACKET, libc::PACKET_VERSION, &version)
                .map_err(|e| live(iface, "selecting TPACKET_V3", e))?;
            let tov_ms = u32::try_from(o.block_timeout.as_millis())
                .unwrap_or(u32::MAX)
                .max(1);
            let req3 = libc::tpacket_req3 {
                tp_block_size: o.block_size,
                tp_block_nr: o.block_count,
                tp_frame_size: FRAME_SIZE,
                tp_frame_nr: (o.block_size / FRAME_SIZE).saturating_mul(o.block_count),
                tp_retire_blk_tov: tov_ms,
                tp_sizeof_priv: 0,
                tp_feature_req_word: 0,
            };
            setsockopt(&fd, libc::SOL_PACKET, libc::PACKET_RX_RING, &req3)
                .map_err(|e| live(iface, "ring setup (PACKET_RX_RING)", e))?;
            // SAFETY: maps the ring the kernel just allocated for this socket; a fresh address
            // chosen by the kernel, so no existing memory is affected.
            let map = unsafe {
                libc::mmap(
                    std::ptr::null_mut(),
                    map_len,
                    libc::PROT_READ | libc::PROT_WRITE,
                    libc::MAP_SHARED,
                    fd.as_raw_fd(),
                    0,
                )
            };
            if map == libc::MAP_FAILED {
                return Err(live(iface, "ring setup (mmap)", last_error()));
            }
            let ring = Ring {
                fd,
                map: NonNull::new(map.cast()).ok_or_else(|| {
                    live(iface, "ring setup (mmap)", io::Error::other("null mapping"))
                })?,
                map_len,
                block_size,
                block_count: o.block_count as usize,
                block: 0,
                cursor: None,
            };

            // SAFETY: `sockaddr_ll` is a plain C struct; all-zero is valid.
            let mut sll: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
            sll.sll_family = libc::AF_PACKET as u16;
            sll.sll_protocol = (libc::ETH_P_ALL as u16).to_be();
            sll.sll_ifindex = ifindex;
            // SAFETY: `sll` is a valid sockaddr_ll of the length given.
            let rc = unsafe {
                libc::bind(
                    ring.fd.as_raw_fd(),
                    (&sll as *const libc::sockaddr_ll).cast(),
                    std::mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t,
                )
            };
            if rc != 0 {
                let e = last_error();
                return Err(match e.raw_os_error() {
                    Some(libc::ENODEV) => PacketError::NoSuchInterface {
                        iface: iface.to_string(),
                    },
                    _ => live(iface, "binding to the interface", e),
                });
            }
            if o.promiscuous {
                let mreq = libc::packet_mreq {
                    mr_ifindex: ifindex,
                    mr_type: libc::PACKET_MR_PROMISC as u16,
                    mr_alen: 0,
                    mr_address: [0; 8],
                };
                setsockopt(
                    &ring.fd,
                    libc::SOL_PACKET,
                    libc::PACKET_ADD_MEMBERSHIP,
                    &mreq,
                )
                .map_err(|e| live(iface, "enabling promiscuous mode", e))?;
            }
            Ok((ring, link))
        }

        fn block_ptr(&self, i: usize) -> *mut u8 {
            debug_assert!(i < self.block_count);
            // SAFETY: i < block_count, so the offset is inside the mapping of
            // block_size × block_count bytes.
            unsafe { self.map.as_ptr().add(i * self.block_size) }
        }

        fn status(&self, i: usize) -> &AtomicU32 {
            // SAFETY: the status word is a 4-byte-aligned u32 at offset 8 of a page-aligned
            // block inside the mapping, which lives as long as `self`; the kernel updates it
            // with atomic stores and barriers, so it is read and written here only atomically.
            unsafe { AtomicU32::from_ptr(self.block_ptr(i).add(BLOCK_STATUS).cast()) }
        }

        /// The whole of block `i`, which the reader owns.
        fn block(&self, i: usize) -> &[u8] {
            // SAFETY: the block is inside the mapping (see block_ptr) and is called only while
            // its status says TP_STATUS_USER (observed with Acquire), when the kernel writes
            // nothing in it until we hand it back with a Release store; that store happens only
            // in `next`, which takes `&mut self`, so no slice from here is alive then.
            unsafe { std::slice::from_raw_parts(self.block_ptr(i), self.block_size) }
        }

        fn release_block(&mut self) {
            self.status(self.block)
                .store(libc::TP_STATUS_KERNEL, Ordering::Release);
            self.block = (self.block + 1) % self.block_count;
            self.cursor = None;
        }

        /// The next frame, waiting at most `wait`; `None` if none came.
        pub(super) fn next(&mut self, wait: Duration) -> io::Result<Option<Frame<'_>>> {
            let mut polled = false;
            loop {
                if let Some(cur) = self.cursor {
                    if cur.remaining > 0 {
                        let b = self.block(self.block);
                        let hdr = b.get(cur.offset..).unwrap_or(&[]);
                        let parsed = (|| {
                            let mac = usize::from(u16_at(hdr, PKT_MAC)?);
                            let snap = u32_at(hdr, PKT_SNAPLEN)? as usize;
                            if hdr.len() < PKT_HDR_MIN || mac.checked_add(snap)? > hdr.len() {
                                return None;
                            }
                            Some((
                                u32_at(hdr, PKT_NEXT)? as usize,
                                u32_at(hdr, PKT_SEC)?,
                                u32_at(hdr, PKT_NSEC)?,
                                u32_at(hdr, PKT_LEN)?,
                                cur.offset + mac,
                                snap,
                            ))
                        })();
                        match parsed {
                            Some((next, sec, nsec, wire_len, start, snap)) => {
                                self.cursor = Some(Cursor {
                                    remaining: if next == 0 { 0 } else { cur.remaining - 1 },
                                    offset: cur.offset + next,
                                });
                                let data = &self.block(self.block)[start..start + snap];
                                return Ok(Some(Frame {
                                    sec,
                                    nsec,
                                    wire_len,
                                    data,
                                }));
                            }
                            // a header outside the block: give the block back, skip the rest
                            None => {
                                self.release_block();
                                continue;
                            }
                        }
                    }
                    self.release_block();
                }
                if self.status(self.block).load(Ordering::Acquire) & libc::TP_STATUS_USER != 0 {
                    let b = self.block(self.block);
                    let n = u32_at(b, BLOCK_NUM_PKTS).unwrap_or(0);
                    let first = u32_at(b, BLOCK_FIRST_PKT).unwrap_or(0) as usize;
                    self.cursor = Some(Cursor {
                        remaining: n,
                        offset: first,
                    });
                    continue;
                }
                if polled {
                    return Ok(None);
                }
                polled = true;
                self.poll(wait)?;
            }
        }

        fn poll(&self, wait: Duration) -> io::Result<()> {
            let mut pfd = libc::pollfd {
                fd: self.fd.as_raw_fd(),
                events: libc::POLLIN | libc::POLLRDNORM,
                revents: 0,
            };
            let ms = i32::try_from(wait.as_millis()).unwrap_or(i32::MAX).max(1);
            // SAFETY: one valid pollfd for the duration of the call.
            let rc = unsafe { libc::poll(&mut pfd, 1, ms) };
            if rc < 0 {
                let e = last_error();
                return if e.kind() == io::ErrorKind::Interrupted {
                    Ok(())
                } else {
                    Err(e)
                };
            }
            if pfd.revents & libc::POLLNVAL != 0 {
                return Err(io::Error::from_raw_os_error(libc::EBADF));
            }
            if pfd.revents & libc::POLLERR != 0 {
                let mut err: libc::c_int = 0;
                let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
                // SAFETY: `err` and `len` are valid for writes of the sizes given.
                let rc = unsafe {
                    libc::getsockopt(
                        self.fd.as_raw_fd(),
                        libc::SOL_SOCKET,
                        libc::SO_ERROR,
                        (&mut err as *mut libc::c_int).cast(),
                        &mut len,
                    )
                };
                if rc == 0 && err != 0 {
                    return Err(io::Error::from_raw_os_error(err));
                }
            }
            Ok(())
        }

        /// (packets, drops, freezes) since the last call, as PACKET_STATISTICS reports them.
        pub(super) fn statistics(&self) -> io::Result<(u32, u32, u32)> {
            let mut st = libc::tpacket_stats_v3 {
                tp_packets: 0,
                tp_drops: 0,
                tp_freeze_q_cnt: 0,
            };
            let mut len = std::mem::size_of::<libc::tpacket_stats_v3>() as libc::socklen_t;
            // SAFETY: `st` and `len` are valid for writes; the kernel writes at most `len`
            // bytes and updates `len`.
            let rc = unsafe {
                libc::getsockopt(
                    self.fd.as_raw_fd(),
                    libc::SOL_PACKET,
                    libc::PACKET_STATISTICS,
                    (&mut st as *mut libc::tpacket_stats_v3).cast(),
                    &mut len,
                )
            };
            if rc != 0 {
                return Err(last_error());
            }
            Ok((st.tp_packets, st.tp_drops, st.tp_freeze_q_cnt))
        }
    }

    impl Drop for Ring {
        fn drop(&mut self) {
            // SAFETY: unmaps exactly the mapping made in `open`; no slice into it outlives
            // `self` (they borrow it). The socket closes after this, with `fd`.
            unsafe {
                libc::munmap(self.map.as_ptr().cast(), self.map_len);
            }
        }
    }

    /// SIGINT and SIGTERM as stop requests ([`super::LiveCapture::stop_on_signals`]).
    pub(super) mod signals {
        use std::io;
        use std::sync::atomic::{AtomicBool, Ordering};
        use std::sync::{Mutex, PoisonError};

        /// The signals that finish a capture.
        const SIGNALS: [libc::c_int; 2] = [libc::SIGINT, libc::SIGTERM];

        /// Set by the handler: a stop was requested. Cleared when handlers are installed anew
        /// after every capture that asked for them had finished.
        static REQUESTED: AtomicBool = AtomicBool::new(false);

        /// The installed handlers: how many guards are alive, and for each signal of
        /// [`SIGNALS`] the disposition it had before (`None`: it was ignored and left alone).
        static INSTALLED: Mutex<(usize, [Option<libc::sigaction>; 2])> =
            Mutex::new((0, [None, None]));

        /// The handler. Async-signal-safe: one lock-free atomic store and nothing else.
        extern "C" fn on_signal(_: libc::c_int) {
            REQUESTED.store(true, Ordering::SeqCst);
        }

        /// The current disposition of `sig`.
        fn disposition(sig: libc::c_int) -> io::Result<libc::sigaction> {
            // SAFETY: `sigaction` is a plain C struct (a handler address, a signal set, flags,
            // an optional restorer) for which all-zero bytes is a valid value.
            let mut old: libc::sigaction = unsafe { std::mem::zeroed() };
            // SAFETY: a null new action only reads the disposition, into `old`, which is valid
            // for writes.
            let rc = unsafe { libc::sigaction(sig, std::ptr::null(), &mut old) };
            if rc == 0 {
                Ok(old)
            } else {
                Err(io::Error::last_os_error())
            }
        }

        /// Set the disposition of `sig`.
        fn set(sig: libc::c_int, action: &libc::sigaction) -> io::Result<()> {
            // SAFETY: `action` is a valid, initialised sigaction whose handler is `on_signal`
            // (async-signal-safe) or a disposition read back from the kernel before.
            let rc = unsafe { libc::sigaction(sig, action, std::ptr::null_mut()) };
            if rc == 0 {
                Ok(())
            } else {
                Err(io::Error::last_os_error())
            }
        }

        /// Our handler, without `SA_RESTART`, so that a waiting `poll` returns at once
        /// (`EINTR`, which `Ring::poll` takes as no frame).
        ///
        /// Not `SA_RESETHAND`: the capture gives the old dispositions back once it has seen the
        /// request (the guard is dropped, [`COPIES_WINDOW`] after), which is what makes a
        /// second Ctrl-C end the process; a one-shot handler would also let the copy of the
        /// same signal that GNU `timeout` sends a microsecond later (to its child, then to its
        /// process group) kill the process before it could finish cleanly.
        fn ours() -> libc::sigaction {
            // SAFETY: as in `disposition`, all-zero is a valid sigaction (an empty mask, no
            // flags).
            let mut sa: libc::sigaction = unsafe { std::mem::zeroed() };
            sa.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
            sa
        }

        /// One capture's claim on the handlers; the last one dropped restores the dispositions
        /// found when the first was made.
        pub(crate) struct Guard(());

        /// Install the handlers (unless a guard is alive already) and return a guard. A signal
        /// that is ignored is left ignored.
        pub(crate) fn install() -> io::Result<Guard> {
            let mut state = INSTALLED.lock().unwrap_or_else(PoisonError::into_inner);
            if state.0 == 0 {
                REQUESTED.store(false, Ordering::SeqCst);
                let mut saved = [None, None];
                for (i, &sig) in SIGNALS.iter().enumerate() {
                    let done = disposition(sig).and_then(|old| {
                        if old.sa_sigaction == libc::SIG_IGN {
                            return Ok(None);
                        }
                        set(sig, &ours()).map(|()| Some(old))
                    });
                    match done {
                        Ok(old) => saved[i] = old,
                        Err(e) => {
                            restore(&saved);
                            return Err(e);
                        }
                    }
                }
                state.1 = saved;
            }
            state.0 += 1;
            Ok(Guard(()))
        }

        /// Put back the dispositions saved by `install`.
        fn restore(saved: &[Option<libc::sigaction>; 2]) {
            for (&sig, old) in SIGNALS.iter().zip(saved) {
                if let Some(old) = old {
                    // if this fails, the handler stays: it only sets a flag
                    let _ = set(sig, old);
                }
            }
        }

        impl Guard {
            /// Whether SIGINT or SIGTERM arrived since the handlers were installed.
            pub(crate) fn requested(&self) -> bool {
                REQUESTED.load(Ordering::SeqCst)
            }
        }

        /// How long the handlers stay after a stop request when the last guard goes, before
        /// the old dispositions are put back ([`Guard`]'s drop). GNU `timeout` forwards a
        /// signal to its child and then to its process group: two copies of one request, sent
        /// microseconds apart, or milliseconds on a loaded machine. A copy that came after the
        /// old disposition was back ended the process before it could finish (its summary
        /// never written; seen once in CI, `cli_detect_live`, session 23). A second Ctrl-C
        /// after this long still ends the process.
        pub(crate) const COPIES_WINDOW: std::time::Duration = std::time::Duration::from_millis(250);

        impl Drop for Guard {
            fn drop(&mut self) {
                let mut state = INSTALLED.lock().unwrap_or_else(PoisonError::into_inner);
                state.0 = state.0.saturating_sub(1);
                if state.0 == 0 {
                    if REQUESTED.load(Ordering::SeqCst) {
                        // the request's copies, if any, land on our handler (a flag set again)
                        std::thread::sleep(COPIES_WINDOW);
                    }
                    let saved = std::mem::take(&mut state.1);
                    restore(&saved);
                }
            }
        }

        #[cfg(test)]
        mod tests {
            use super::*;

            // No signal is sent (it would reach the whole test harness): the handler is called
            // directly, as the kernel would call it.
            #[test]
            fn signal_guards_install_the_handler_restore_the_old_action_and_share_one_flag() {
                let handler = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
                let before: Vec<libc::sighandler_t> = SIGNALS
                    .iter()
                    .map(|&s| disposition(s).map(|d| d.sa_sigaction))
                    .collect::<io::Result<_>>()
                    .unwrap();
                let a = install().unwrap();
                for (&sig, &was) in SIGNALS.iter().zip(&before) {
                    let now = disposition(sig).unwrap();
                    if was == libc::SIG_IGN {
                        assert_eq!(
                            now.sa_sigaction,
                            libc::SIG_IGN,
                            "an ignored signal stays so"
                        );
                    } else {
                        assert_eq!(now.sa_sigaction, handler, "signal {sig}");
                        assert_eq!(now.sa_flags & libc::SA_RESTART, 0, "no restart");
                    }
                }
                assert!(!a.requested());
                let b = install().unwrap();
                on_signal(libc::SIGINT);
                assert!(
                    a.requested() && b.requested(),
                    "one signal stops every capture"
                );
                drop(a);
                assert!(b.requested(), "the flag stays while a capture listens");
                for (&sig, &was) in SIGNALS.iter().zip(&before) {
                    if was != libc::SIG_IGN {
                        assert_eq!(
                            disposition(sig).unwrap().sa_sigaction,
                            handler,
                            "still ours"
                        );
                    }
                }
                // after a request, the last guard keeps the handlers a while for the request's
                // copies (GNU timeout's second one) before it gives the old ones back
                let dropped = std::time::Instant::now();
                drop(b);
                assert!(
                    dropped.elapsed() >= COPIES_WINDOW,
                    "{:?}",
                    dropped.elapsed()
                );
                for (&sig, &was) in SIGNALS.iter().zip(&before) {
                    assert_eq!(disposition(sig).unwrap().sa_sigaction, was, "restored");
                }
                let c = install().unwrap();
                assert!(!c.requested(), "a new capture starts with no request");
                drop(c);
            }
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod sys {
    use std::io;
    use std::time::Duration;

    use super::{Frame, LiveOptions};
    use crate::error::PacketError;
    use crate::link::LinkType;

    /// No ring on this system: never constructed.
    pub(super) enum Ring {}

    impl Ring {
        pub(super) fn open(_: &str, _: &LiveOptions) -> Result<(Ring, LinkType), PacketError> {
            Err(PacketError::Unsupported(
                "live capture needs Linux (AF_PACKET); read a pcap file instead".into(),
            ))
        }

        pub(super) fn next(&mut self, _: Duration) -> io::Result<Option<Frame<'_>>> {
            match *self {}
        }

        pub(super) fn statistics(&self) -> io::Result<(u32, u32, u32)> {
            match *self {}
        }
    }

    /// No signal handling where no capture opens (never reached).
    pub(super) mod signals {
        use std::io;

        /// Never made.
        pub(crate) enum Guard {}

        /// Unsupported on this system.
        pub(crate) fn install() -> io::Result<Guard> {
            Err(io::ErrorKind::Unsupported.into())
        }

        impl Guard {
            /// Never called.
            pub(crate) fn requested(&self) -> bool {
                match *self {}
            }
        }
    }
}
