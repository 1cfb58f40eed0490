//! `nightjar seal` and `nightjar open`: the envelope on its own.

use crate::exit::{from_seal, input, CmdResult};
use crate::io::{open_input, AtomicFile};
use crate::keys::KeyOpts;
use anyhow::anyhow;
use nightjar_seal::SealOptions;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct SealArgs {
    /// Input file (default: standard input).
    #[arg(short, long, value_name = "IN")]
    input: Option<PathBuf>,
    /// Output envelope (default: standard output).
    #[arg(short, long, value_name = "OUT")]
    output: Option<PathBuf>,
    #[command(flatten)]
    key: KeyOpts,
}

#[derive(clap::Args, Debug)]
pub struct OpenArgs {
    /// Envelope to open (default: standard input).
    #[arg(short, long, value_name = "IN")]
    input: Option<PathBuf>,
    /// Output file (default: standard output). Written only once every byte has been
    /// authenticated; nothing is written on failure.
    #[arg(short, long, value_name = "OUT")]
    output: Option<PathBuf>,
    #[command(flatten)]
    key: KeyOpts,
}

fn to_file(path: Option<&Path>) -> Option<&Path> {
    path.filter(|p| *p != Path::new("-"))
}

fn flush<W: Write>(mut w: BufWriter<W>, path: &Path) -> CmdResult {
    w.flush()
        .map_err(|e| input(anyhow!("cannot write {}: {e}", path.display())))
}

pub fn run_seal(a: SealArgs) -> CmdResult {
    let key = a.key.key()?;
    let reader = BufReader::with_capacity(1 << 20, open_input(a.input.as_deref())?);
    let opts = SealOptions::default();
    match to_file(a.output.as_deref()) {
        Some(path) => {
            let mut f = AtomicFile::create(path)?;
            let mut w = BufWriter::with_capacity(1 << 20, &mut f);
            nightjar_seal::seal_stream(&key, opts, reader, &mut w).map_err(from_seal)?;
            flush(w, path)?;
            f.commit()
        }
        None => {
            let out = std::io::stdout().lock();
            let mut w = BufWriter::with_capacity(1 << 20, out);
            nightjar_seal::seal_stream(&key, opts, reader, &mut w).map_err(from_seal)?;
            w.flush()
                .map_err(|e| input(anyhow!("cannot write standard output: {e}")))
        }
    }
}

pub fn run_open(a: OpenArgs) -> CmdResult {
    let key = a.key.key()?;
    let reader = BufReader::with_capacity(1 << 20, open_input(a.input.as_deref())?);
    match to_file(a.output.as_deref()) {
        Some(path) => {
            // Verified chunks go to a temporary file that is deleted unless all of them verify.
            let mut f = AtomicFile::create(path)?;
            let mut w = BufWriter::with_capacity(1 << 20, &mut f);
            nightjar_seal::open_stream(&key, reader, &mut w).map_err(from_seal)?;
            flush(w, path)?;
            f.commit()
        }
        None => {
            // Standard output cannot be taken back: hold the plaintext until all of it verified.
            let mut plain = Vec::new();
            nightjar_seal::open_stream(&key, reader, &mut plain).map_err(from_seal)?;
            let mut out = std::io::stdout().lock();
            out.write_all(&plain)
                .and_then(|_| out.flush())
                .map_err(|e| input(anyhow!("cannot write standard output: {e}")))
        }
    }
}
