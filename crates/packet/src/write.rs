//! A minimal pcap writer (little-endian, micro- or nanosecond timestamps), for tests, tools and
//! synthetic captures. It writes exactly what it is given; it does not decode.

use std::io::{self, Write};

use crate::link::LinkType;

/// Writes a classic pcap file record by record.
#[derive(Debug)]
pub struct PcapWriter<W: Write> {
    out: W,
    nanos: bool,
    snaplen: u32,
}

impl<W: Write> PcapWriter<W> {
    /// Start a microsecond-resolution capture.
    pub fn new(out: W, link: LinkType, snaplen: u32) -> io::Result<Self> {
        Self::with_precision(out, link, snaplen, false)
    }

    /// Start a nanosecond-resolution capture.
    pub fn new_nanosecond(out: W, link: LinkType, snaplen: u32) -> io::Result<Self> {
        Self::with_precision(out, link, snaplen, true)
    }

    fn with_precision(mut out: W, link: LinkType, snaplen: u32, nanos: bool) -> io::Result<Self> {
        let magic: u32 = if nanos { 0xa1b2_3c4d } else { 0xa1b2_c3d4 };
        let mut h = [0u8; 24];
        h[0..4].copy_from_slice(&magic.to_le_bytes());
        h[4..6].copy_from_slice(&2u16.to_le_bytes());
        h[6..8].copy_from_slice(&4u16.to_le_bytes());
        h[16..20].copy_from_slice(&snaplen.to_le_bytes());
        h[20..24].copy_from_slice(&link.0.to_le_bytes());
        out.write_all(&h)?;
        Ok(PcapWriter {
            out,
            nanos,
            snaplen,
        })
    }

    /// Append a record. `frac` is micro- or nanoseconds as chosen at creation; `data` is cut
    /// to the snap length; `orig_len` is the length on the wire (at least `data.len()`).
    pub fn write_packet(
        &mut self,
        secs: u32,
        frac: u32,
        data: &[u8],
        orig_len: u32,
    ) -> io::Result<()> {
        let limit = if self.nanos { 1_000_000_000 } else { 1_000_000 };
        if frac >= limit {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "fractional timestamp out of range",
            ));
        }
        let kept = &data[..data.len().min(self.snaplen as usize)];
        let caplen = u32::try_from(kept.len())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "record too large"))?;
        let mut h = [0u8; 16];
        h[0..4].copy_from_slice(&secs.to_le_bytes());
        h[4..8].copy_from_slice(&frac.to_le_bytes());
        h[8..12].copy_from_slice(&caplen.to_le_bytes());
        h[12..16].copy_from_slice(&orig_len.max(caplen).to_le_bytes());
        self.out.write_all(&h)?;
        self.out.write_all(kept)
    }

    /// Flush and return the underlying writer.
    pub fn into_inner(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}
