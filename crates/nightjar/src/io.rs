//! File and stream helpers: inputs from a file or stdin, outputs written atomically (temporary
//! file in the same directory, fsync, rename) so that a failure never leaves partial output.

use crate::exit::{input, CmdResult};
use anyhow::anyhow;
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Read a whole file, or stdin for `-` or `None`.
pub fn read_input(path: Option<&Path>) -> CmdResult<Vec<u8>> {
    match path {
        Some(p) if p != Path::new("-") => {
            std::fs::read(p).map_err(|e| input(anyhow!("cannot read {}: {e}", p.display())))
        }
        _ => {
            let mut buf = Vec::new();
            std::io::stdin()
                .lock()
                .read_to_end(&mut buf)
                .map_err(|e| input(anyhow!("cannot read standard input: {e}")))?;
            Ok(buf)
        }
    }
}

/// Open a file for streaming, or stdin.
pub fn open_input(path: Option<&Path>) -> CmdResult<Box<dyn Read>> {
    match path {
        None => Ok(Box::new(std::io::stdin().lock())),
        Some(p) if p == Path::new("-") => Ok(Box::new(std::io::stdin().lock())),
        Some(p) => File::open(p)
            .map(|f| Box::new(f) as Box<dyn Read>)
            .map_err(|e| input(anyhow!("cannot open {}: {e}", p.display()))),
    }
}

/// A file being written under a temporary name next to its final path. Dropping it without
/// [`AtomicFile::commit`] deletes the temporary file, so nothing partial is ever left behind.
///
/// A destination that exists and is neither a regular file nor a directory (`/dev/null`, a FIFO,
/// a terminal) is opened and written in place instead: renaming a temporary file over
/// `/dev/null` would replace the device with a regular file.
pub struct AtomicFile {
    /// The temporary path, or `None` when writing in place to a special file.
    tmp: Option<PathBuf>,
    dest: PathBuf,
    file: Option<File>,
}

impl AtomicFile {
    pub fn create(dest: &Path) -> CmdResult<AtomicFile> {
        if std::fs::metadata(dest).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .open(dest)
                .map_err(|e| input(anyhow!("cannot open {}: {e}", dest.display())))?;
            return Ok(AtomicFile {
                tmp: None,
                dest: dest.to_path_buf(),
                file: Some(file),
            });
        }
        let dir = match dest.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = dest
            .file_name()
            .ok_or_else(|| input(anyhow!("{} is not a file path", dest.display())))?;
        let mut tmp_name = std::ffi::OsString::from(".");
        tmp_name.push(name);
        tmp_name.push(format!(".nightjar-tmp-{}", std::process::id()));
        let tmp = dir.join(tmp_name);
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .map_err(|e| input(anyhow!("cannot create a file in {}: {e}", dir.display())))?;
        Ok(AtomicFile {
            tmp: Some(tmp),
            dest: dest.to_path_buf(),
            file: Some(file),
        })
    }

    /// The file `dest` itself, created or truncated and written in place (no temporary name,
    /// nothing renamed): for output that must be readable while it is written, such as a live
    /// capture's alerts. [`commit`](Self::commit) flushes it.
    pub fn in_place(dest: &Path) -> CmdResult<AtomicFile> {
        let file = File::create(dest)
            .map_err(|e| input(anyhow!("cannot create {}: {e}", dest.display())))?;
        Ok(AtomicFile {
            tmp: None,
            dest: dest.to_path_buf(),
            file: Some(file),
        })
    }

    /// Restrict the file to its owner (for keys). A special file written in place keeps its
    /// permissions.
    #[cfg(unix)]
    pub fn owner_only(&self) -> CmdResult<()> {
        use std::os::unix::fs::PermissionsExt;
        match &self.tmp {
            Some(tmp) => std::fs::set_permissions(tmp, std::fs::Permissions::from_mode(0o600))
                .map_err(|e| input(anyhow!("cannot set permissions: {e}"))),
            None => Ok(()),
        }
    }

    /// Sync, then rename over the destination (a special file: flush only).
    pub fn commit(mut self) -> CmdResult<()> {
        let Some(mut file) = self.file.take() else {
            return Err(input(anyhow!(
                "{} was already written",
                self.dest.display()
            )));
        };
        let Some(tmp) = self.tmp.take() else {
            return file
                .flush()
                .map_err(|e| input(anyhow!("cannot write {}: {e}", self.dest.display())));
        };
        file.sync_all()
            .map_err(|e| input(anyhow!("cannot write {}: {e}", self.dest.display())))?;
        drop(file);
        std::fs::rename(&tmp, &self.dest)
            .map_err(|e| input(anyhow!("cannot write {}: {e}", self.dest.display())))?;
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self.file.as_mut() {
            Some(f) => f.write(buf),
            None => Err(std::io::Error::other("file already committed")),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match self.file.as_mut() {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if let (Some(_), Some(tmp)) = (self.file.take(), self.tmp.as_ref()) {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

/// Write `bytes` to `path` atomically.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> CmdResult<()> {
    let mut f = AtomicFile::create(path)?;
    f.write_all(bytes)
        .map_err(|e| input(anyhow!("cannot write {}: {e}", path.display())))?;
    f.commit()
}

/// Write to `path` atomically, or to stdout for `-` / `None`.
pub fn write_output(path: Option<&Path>, bytes: &[u8]) -> CmdResult<()> {
    match path {
        Some(p) if p != Path::new("-") => write_atomic(p, bytes),
        _ => {
            let mut out = std::io::stdout().lock();
            out.write_all(bytes)
                .and_then(|_| out.flush())
                .map_err(|e| input(anyhow!("cannot write standard output: {e}")))
        }
    }
}
