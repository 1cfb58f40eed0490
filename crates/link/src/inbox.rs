//! The durable inbox. A delivery is written to a hidden temporary file in the inbox directory,
//! fsynced, renamed to `<timestamp>-<peer>-<n>.<ext>` and the directory fsynced; only then does
//! the receiver acknowledge it. A delivery that fails (bad tag, broken connection) leaves
//! nothing: the temporary file is removed.

use crate::error::LinkError;
use crate::stack::PayloadKind;
use std::fs::File;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// An inbox directory.
#[derive(Debug)]
pub struct Inbox {
    dir: PathBuf,
    counter: AtomicU64,
}

impl Inbox {
    /// Opens (creating if needed) an inbox directory.
    pub fn open(dir: &Path) -> Result<Inbox, LinkError> {
        std::fs::create_dir_all(dir).map_err(|e| {
            LinkError::Config(format!("cannot create inbox {}: {e}", dir.display()))
        })?;
        if !dir.is_dir() {
            return Err(LinkError::Config(format!(
                "{} is not a directory",
                dir.display()
            )));
        }
        Ok(Inbox {
            dir: dir.to_path_buf(),
            counter: AtomicU64::new(0),
        })
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Starts a delivery from `peer`.
    pub fn begin(&self, peer: SocketAddr, kind: PayloadKind) -> Result<Pending, LinkError> {
        let n = self.counter.fetch_add(1, Ordering::Relaxed) + 1;
        let tmp = self
            .dir
            .join(format!(".incoming-{}-{n}.part", std::process::id()));
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        let peer_name = match peer {
            SocketAddr::V4(a) => format!("{}_{}", a.ip(), a.port()),
            SocketAddr::V6(a) => format!("{}_{}", a.ip().to_string().replace(':', "-"), a.port()),
        };
        Ok(Pending {
            dir: self.dir.clone(),
            tmp,
            file: Some(file),
            stem: format!("{}-{peer_name}-{n}", timestamp()),
            ext: kind.extension(),
            written: 0,
        })
    }
}

/// A delivery being written. Dropping it without [`Pending::commit`] removes it.
#[derive(Debug)]
pub struct Pending {
    dir: PathBuf,
    tmp: PathBuf,
    file: Option<File>,
    stem: String,
    ext: &'static str,
    written: u64,
}

impl Pending {
    /// Appends bytes.
    pub fn write(&mut self, b: &[u8]) -> Result<(), LinkError> {
        match self.file.as_mut() {
            Some(f) => {
                f.write_all(b)?;
                self.written += b.len() as u64;
                Ok(())
            }
            None => Err(LinkError::Io(std::io::Error::other(
                "delivery already committed",
            ))),
        }
    }

    /// Bytes written so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// fsync, rename into place (never over an existing file), fsync the directory.
    pub fn commit(mut self) -> Result<PathBuf, LinkError> {
        let Some(file) = self.file.take() else {
            return Err(LinkError::Io(std::io::Error::other(
                "delivery already committed",
            )));
        };
        let result = (|| {
            file.sync_all()?;
            drop(file);
            let mut dest = self.dir.join(format!("{}.{}", self.stem, self.ext));
            let mut k = 1;
            while dest.exists() {
                k += 1;
                dest = self.dir.join(format!("{}.{k}.{}", self.stem, self.ext));
            }
            std::fs::rename(&self.tmp, &dest)?;
            File::open(&self.dir)?.sync_all()?;
            Ok::<_, std::io::Error>(dest)
        })();
        match result {
            Ok(d) => Ok(d),
            Err(e) => {
                let _ = std::fs::remove_file(&self.tmp);
                Err(LinkError::Io(e))
            }
        }
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if self.file.take().is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// UTC time as `YYYYMMDDTHHMMSS.mmmZ`.
fn timestamp() -> String {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let secs = d.as_secs();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Howard Hinnant's civil_from_days.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}{month:02}{day:02}T{:02}{:02}{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        d.subsec_millis()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn committed_delivery_lands_and_dropped_one_leaves_nothing() {
        let dir = std::env::temp_dir().join(format!("nightjar-inbox-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let inbox = Inbox::open(&dir).unwrap();
        let peer: SocketAddr = "127.0.0.1:4000".parse().unwrap();
        let mut p = inbox.begin(peer, PayloadKind::StegoPng).unwrap();
        p.write(b"abc").unwrap();
        let path = p.commit().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"abc");
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        assert!(name.ends_with("-127.0.0.1_4000-1.png"), "{name}");
        assert_eq!(
            name.len(),
            "20261128T093016.123Z".len() + "-127.0.0.1_4000-1.png".len()
        );
        let mut q = inbox.begin(peer, PayloadKind::Opaque).unwrap();
        q.write(b"partial").unwrap();
        drop(q);
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
