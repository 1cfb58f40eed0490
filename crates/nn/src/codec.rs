//! Little-endian byte writer and a bounds-checked reader for the model formats, and CRC-32.
//!
//! Reading never panics and never allocates more than the input could hold: every length is
//! checked against the bytes remaining before anything is reserved.

use crate::NnError;

/// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), as in zlib and PNG.
pub(crate) fn crc32(bytes: &[u8]) -> u32 {
    const TABLE: [u32; 256] = {
        let mut t = [0u32; 256];
        let mut i = 0;
        while i < 256 {
            let mut c = i as u32;
            let mut k = 0;
            while k < 8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
                k += 1;
            }
            t[i] = c;
            i += 1;
        }
        t
    };
    let mut c = !0u32;
    for &b in bytes {
        c = TABLE[((c ^ b as u32) & 0xFF) as usize] ^ (c >> 8);
    }
    !c
}

/// Appends little-endian values.
#[derive(Default)]
pub(crate) struct Writer {
    pub(crate) buf: Vec<u8>,
}

impl Writer {
    pub(crate) fn bytes(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }
    pub(crate) fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }
    pub(crate) fn u16(&mut self, v: u16) {
        self.bytes(&v.to_le_bytes());
    }
    pub(crate) fn u32(&mut self, v: u32) {
        self.bytes(&v.to_le_bytes());
    }
    pub(crate) fn u64(&mut self, v: u64) {
        self.bytes(&v.to_le_bytes());
    }
    pub(crate) fn usize(&mut self, v: usize) {
        self.u64(v as u64);
    }
    pub(crate) fn f32(&mut self, v: f32) {
        self.bytes(&v.to_le_bytes());
    }
    pub(crate) fn f32s(&mut self, v: &[f32]) {
        self.buf.reserve(v.len() * 4);
        for x in v {
            self.f32(*x);
        }
    }
    pub(crate) fn opt_f32(&mut self, v: Option<f32>) {
        match v {
            Some(x) => {
                self.u8(1);
                self.f32(x);
            }
            None => self.u8(0),
        }
    }
    pub(crate) fn opt_usize(&mut self, v: Option<usize>) {
        match v {
            Some(x) => {
                self.u8(1);
                self.usize(x);
            }
            None => self.u8(0),
        }
    }
    /// Appends the CRC-32 of everything written so far and returns the bytes.
    pub(crate) fn finish(mut self) -> Vec<u8> {
        let c = crc32(&self.buf);
        self.u32(c);
        self.buf
    }
}

/// Reads little-endian values from a slice, failing with [`NnError::Malformed`] on short input.
pub(crate) struct Reader<'a> {
    b: &'a [u8],
}

impl<'a> Reader<'a> {
    /// Checks magic, version and trailing CRC-32; returns a reader over the body between them.
    pub(crate) fn open(
        bytes: &'a [u8],
        magic: &[u8; 8],
        version: u16,
    ) -> Result<Reader<'a>, NnError> {
        if bytes.len() < magic.len() + 2 + 4 {
            return Err(NnError::malformed(format!(
                "{} bytes is too short for a model",
                bytes.len()
            )));
        }
        if &bytes[..8] != magic {
            return Err(NnError::malformed("wrong magic: not a model of this kind"));
        }
        let found = u16::from_le_bytes([bytes[8], bytes[9]]);
        if found != version {
            return Err(NnError::UnsupportedVersion {
                found,
                supported: version,
            });
        }
        let (body, tail) = bytes.split_at(bytes.len() - 4);
        let stored = u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]);
        if crc32(body) != stored {
            return Err(NnError::malformed(
                "checksum mismatch: the bytes are truncated or corrupted",
            ));
        }
        Ok(Reader { b: &body[10..] })
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], NnError> {
        if n > self.b.len() {
            return Err(NnError::malformed("unexpected end of data"));
        }
        let (h, t) = self.b.split_at(n);
        self.b = t;
        Ok(h)
    }
    fn arr<const N: usize>(&mut self) -> Result<[u8; N], NnError> {
        let s = self.take(N)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }
    pub(crate) fn u8(&mut self) -> Result<u8, NnError> {
        Ok(self.arr::<1>()?[0])
    }
    pub(crate) fn u32(&mut self) -> Result<u32, NnError> {
        Ok(u32::from_le_bytes(self.arr()?))
    }
    pub(crate) fn u64(&mut self) -> Result<u64, NnError> {
        Ok(u64::from_le_bytes(self.arr()?))
    }
    /// A `u64` that must fit `usize` and be at most `max`.
    pub(crate) fn usize_max(&mut self, what: &str, max: usize) -> Result<usize, NnError> {
        let v = self.u64()?;
        match usize::try_from(v) {
            Ok(v) if v <= max => Ok(v),
            _ => Err(NnError::malformed(format!("{what} = {v} is out of range"))),
        }
    }
    pub(crate) fn bool(&mut self, what: &str) -> Result<bool, NnError> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            v => Err(NnError::malformed(format!("{what}: {v} is not a boolean"))),
        }
    }
    pub(crate) fn f32(&mut self) -> Result<f32, NnError> {
        Ok(f32::from_le_bytes(self.arr()?))
    }
    /// `n` finite `f32` values; `n` is checked against the remaining input before allocating.
    pub(crate) fn f32s(&mut self, what: &str, n: usize) -> Result<Vec<f32>, NnError> {
        let len = n
            .checked_mul(4)
            .ok_or_else(|| NnError::malformed(format!("{what}: length overflows")))?;
        let s = self.take(len)?;
        let v: Vec<f32> = s
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        if v.iter().any(|x| !x.is_finite()) {
            return Err(NnError::malformed(format!(
                "{what} contains a non-finite value"
            )));
        }
        Ok(v)
    }
    pub(crate) fn opt_f32(&mut self, what: &str) -> Result<Option<f32>, NnError> {
        Ok(if self.bool(what)? {
            Some(self.f32()?)
        } else {
            None
        })
    }
    pub(crate) fn opt_usize(&mut self, what: &str, max: usize) -> Result<Option<usize>, NnError> {
        Ok(if self.bool(what)? {
            Some(self.usize_max(what, max)?)
        } else {
            None
        })
    }
    /// Fails unless every byte of the body was consumed (no trailing data).
    pub(crate) fn end(self) -> Result<(), NnError> {
        if self.b.is_empty() {
            Ok(())
        } else {
            Err(NnError::malformed(format!(
                "{} trailing bytes",
                self.b.len()
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn crc32_check_value() {
        // The standard check value of CRC-32/ISO-HDLC (zlib, PNG): CRC of ASCII "123456789"
        // (Greg Cook's catalogue of parametrised CRC algorithms).
        assert_eq!(super::crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(super::crc32(b""), 0);
    }
}
