//! `nightjar keygen`: a new random key file.

use crate::exit::{input, CmdResult};
use crate::io::AtomicFile;
use anyhow::anyhow;
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Where to write the key (refuses to overwrite an existing file unless --force).
    #[arg(short, long, value_name = "KEY")]
    output: PathBuf,
    /// Overwrite an existing file.
    #[arg(long)]
    force: bool,
}

pub fn run(a: Args) -> CmdResult {
    if a.output.exists() && !a.force {
        return Err(input(anyhow!(
            "{} exists; refusing to overwrite a key (use --force)",
            a.output.display()
        )));
    }
    let key = nightjar_seal::random_key().map_err(input)?;
    let mut f = AtomicFile::create(&a.output)?;
    #[cfg(unix)]
    f.owner_only()?;
    f.write_all(&key[..])
        .map_err(|e| input(anyhow!("cannot write {}: {e}", a.output.display())))?;
    f.commit()?;
    eprintln!("wrote a 32-byte random key to {}", a.output.display());
    Ok(())
}
