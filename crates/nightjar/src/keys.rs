//! Key options shared by every command that needs a key (DESIGN §12), and their validation
//! into a `nightjar_seal::Key`.

use crate::exit::{input, CmdResult};
use anyhow::anyhow;
use clap::Args;
use nightjar_seal::{Key, DEFAULT_KDF_ROUNDS, MAX_KDF_ROUNDS};
use std::path::PathBuf;
use zeroize::Zeroizing;

/// Where the secret comes from.
#[derive(Args, Debug, Clone, Default)]
pub struct KeyOpts {
    /// Raw key file (16 to 1024 bytes; `nightjar keygen` makes one).
    #[arg(long, value_name = "PATH")]
    pub key_file: Option<PathBuf>,
    /// Read the passphrase from this environment variable (never from the command line,
    /// where other users could see it).
    #[arg(long, value_name = "VAR")]
    pub passphrase_env: Option<String>,
    /// bcrypt-pbkdf rounds for a passphrase when sealing or hiding (opening reads them from
    /// the envelope; `reveal` must be given the same value as `hide`).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_KDF_ROUNDS)]
    pub kdf_rounds: u32,
}

impl KeyOpts {
    /// Build the key, or explain what is missing.
    pub fn key(&self) -> CmdResult<Key> {
        match (&self.key_file, &self.passphrase_env) {
            (None, None) => Err(input(anyhow!(
                "a key is needed: give --key-file PATH or --passphrase-env VAR"
            ))),
            (Some(_), Some(_)) => Err(input(anyhow!(
                "give one key: --key-file or --passphrase-env, not both"
            ))),
            (Some(path), None) => {
                let bytes =
                    Zeroizing::new(std::fs::read(path).map_err(|e| {
                        input(anyhow!("cannot read key file {}: {e}", path.display()))
                    })?);
                Key::raw(&bytes).map_err(|e| input(anyhow!("key file {}: {e}", path.display())))
            }
            (None, Some(var)) => {
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
                Key::passphrase(&pass, self.kdf_rounds).map_err(|e| input(anyhow!("{e}")))
            }
        }
    }
}
