//! Key options shared by every command that needs a key (DESIGN §12), and their validation
//! into a `nightjar_seal::Key`.
//!
//! Sources: `--key-file PATH` (raw key), `--passphrase-env VAR` (bcrypt-pbkdf), and
//! `--iris-record RECORD --iris EYE` (a 32-byte master key regenerated from the iris by the
//! fuzzy commitment of `nightjar_iris::bind`). The iris and the passphrase may be combined:
//! two factors, `Key::two_factor` (KDF id 4), and then both are needed.

use crate::exit::{check, input, CmdResult};
use anyhow::anyhow;
use clap::Args;
use nightjar_iris::bind::{self, BindError, Regenerated};
use nightjar_iris::record::EnrollmentRecord;
use nightjar_iris::IrisCode;
use nightjar_seal::{Key, MasterKey, DEFAULT_KDF_ROUNDS, MAX_KDF_ROUNDS};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// Enrollment records are about a kilobyte; anything much larger is not one.
const MAX_RECORD_BYTES: u64 = 1 << 20;

/// Where the secret comes from.
#[derive(Args, Debug, Clone, Default)]
pub struct KeyOpts {
    /// Raw key file (16 to 1024 bytes; `nightjar keygen` makes one).
    #[arg(long, value_name = "PATH")]
    pub key_file: Option<PathBuf>,
    /// Read the passphrase from this environment variable (never from the command line,
    /// where other users could see it). May be combined with --iris-record/--iris (two factors).
    #[arg(long, value_name = "VAR")]
    pub passphrase_env: Option<String>,
    /// bcrypt-pbkdf rounds for a passphrase when sealing or hiding (opening reads them from
    /// the envelope; `reveal` must be given the same value as `hide`).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_KDF_ROUNDS)]
    pub kdf_rounds: u32,
    /// Enrollment record written by `nightjar iris enroll` (with --iris): the key is
    /// regenerated from the iris.
    #[arg(long, value_name = "RECORD")]
    pub iris_record: Option<PathBuf>,
    /// Eye image whose iris regenerates the key (with --iris-record).
    #[arg(long, value_name = "EYE")]
    pub iris: Option<PathBuf>,
}

impl KeyOpts {
    /// Build the key, or explain what is missing.
    pub fn key(&self) -> CmdResult<Key> {
        let iris = match (&self.iris_record, &self.iris) {
            (Some(r), Some(e)) => Some((r, e)),
            (None, None) => None,
            (Some(_), None) => {
                return Err(input(anyhow!(
                    "--iris-record needs --iris EYE (the eye image that regenerates the key)"
                )))
            }
            (None, Some(_)) => {
                return Err(input(anyhow!(
                    "--iris needs --iris-record RECORD (made by `nightjar iris enroll`)"
                )))
            }
        };
        match (&self.key_file, &self.passphrase_env, iris) {
            (None, None, None) => Err(input(anyhow!(
                "a key is needed: give --key-file PATH, --passphrase-env VAR, or \
                 --iris-record RECORD --iris EYE (the last two may be combined)"
            ))),
            (Some(_), Some(_), _) | (Some(_), _, Some(_)) => Err(input(anyhow!(
                "--key-file cannot be combined with another key source; only --passphrase-env \
                 and --iris-record/--iris combine (two factors)"
            ))),
            (Some(path), None, None) => {
                let bytes =
                    Zeroizing::new(std::fs::read(path).map_err(|e| {
                        input(anyhow!("cannot read key file {}: {e}", path.display()))
                    })?);
                Key::raw(&bytes).map_err(|e| input(anyhow!("key file {}: {e}", path.display())))
            }
            (None, Some(var), None) => {
                let pass = self.passphrase(var)?;
                Key::passphrase(&pass, self.kdf_rounds).map_err(|e| input(anyhow!("{e}")))
            }
            (None, None, Some((record, eye))) => {
                let (master, _) = iris_regenerate(record, eye)?;
                Ok(Key::master(MasterKey::from_bytes(*master)))
            }
            (None, Some(var), Some((record, eye))) => {
                // Check the cheap, local settings before the iris work.
                let pass = self.passphrase(var)?;
                let (master, _) = iris_regenerate(record, eye)?;
                Key::two_factor(MasterKey::from_bytes(*master), &pass, self.kdf_rounds)
                    .map_err(|e| input(anyhow!("{e}")))
            }
        }
    }

    fn passphrase(&self, var: &str) -> CmdResult<Zeroizing<Vec<u8>>> {
        let pass = Zeroizing::new(
            std::env::var_os(var)
                .ok_or_else(|| input(anyhow!("environment variable {var} is not set")))?
                .into_encoded_bytes(),
        );
        if pass.is_empty() {
            return Err(input(anyhow!("environment variable {var} is empty")));
        }
        if !(1..=MAX_KDF_ROUNDS).contains(&self.kdf_rounds) {
            return Err(input(anyhow!(
                "--kdf-rounds must be between 1 and {MAX_KDF_ROUNDS}"
            )));
        }
        Ok(pass)
    }
}

/// The iris code of an eye image, or exit 2 saying why the image is unusable.
pub fn template_of(eye: &Path) -> CmdResult<IrisCode> {
    nightjar_iris::pipeline::template_from_file(eye)
        .map(|t| t.code)
        .map_err(|e| input(anyhow!("eye image {}: {e}", eye.display())))
}

/// Reads and validates an enrollment record (exit 2 if it is missing or malformed).
pub fn read_record(path: &Path) -> CmdResult<EnrollmentRecord> {
    let meta = std::fs::metadata(path).map_err(|e| {
        input(anyhow!(
            "cannot read enrollment record {}: {e}",
            path.display()
        ))
    })?;
    if meta.len() > MAX_RECORD_BYTES {
        return Err(input(anyhow!(
            "{} is {} bytes: too large to be an enrollment record",
            path.display(),
            meta.len()
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| {
        input(anyhow!(
            "cannot read enrollment record {}: {e}",
            path.display()
        ))
    })?;
    EnrollmentRecord::from_bytes(&bytes).map_err(|e| input(anyhow!("{}: {e}", path.display())))
}

/// Regenerates the 32-byte iris master key from an enrollment record and an eye image.
/// When the image's segmentation does not regenerate it, the other segmentation hypotheses
/// of the same image are tried ([`nightjar_iris::pipeline::templates`]).
/// Exit 1 "this iris does not match the enrollment record" when none regenerates it; exit 2
/// for an unreadable record or an unusable image.
pub fn iris_regenerate(record: &Path, eye: &Path) -> CmdResult<(Zeroizing<[u8; 32]>, Regenerated)> {
    let rec = read_record(record)?;
    let unusable = |e: nightjar_iris::IrisError| input(anyhow!("eye image {}: {e}", eye.display()));
    let img = nightjar_iris::pipeline::image_from_file(eye).map_err(unusable)?;
    let first = nightjar_iris::pipeline::template(&img).map_err(unusable)?;
    let mut result = bind::regenerate(&rec, &first.code);
    if matches!(result, Err(BindError::NoMatch)) {
        for alt in nightjar_iris::pipeline::alternatives(&img) {
            result = bind::regenerate(&rec, &alt);
            if !matches!(result, Err(BindError::NoMatch)) {
                break;
            }
        }
    }
    match result {
        Ok(found) => Ok((found.key.master_key(), found)),
        Err(BindError::NoMatch) => Err(check(anyhow!(
            "this iris does not match the enrollment record"
        ))),
        Err(e) => Err(input(anyhow!("{}: {e}", eye.display()))),
    }
}
