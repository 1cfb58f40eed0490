//! Exit codes and the error type that carries them (DESIGN §12): 0 success, 1 a failed check
//! (wrong key, no message, tampered data), 2 usage or input errors.

use std::fmt;

/// Why a command failed, sorted by what the user should do about it.
#[derive(Debug)]
pub enum Failure {
    /// A check failed: wrong key, no message for this key, altered data (exit 1).
    Check(anyhow::Error),
    /// Bad usage, unreadable or unsupported input, local problems (exit 2).
    Input(anyhow::Error),
}

impl Failure {
    pub fn code(&self) -> u8 {
        match self {
            Failure::Check(_) => 1,
            Failure::Input(_) => 2,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = match self {
            Failure::Check(e) | Failure::Input(e) => e,
        };
        write!(f, "{e:#}")
    }
}

/// The result of a command.
pub type CmdResult<T = ()> = Result<T, Failure>;

/// Mark an error as an input/usage error (exit 2).
pub fn input<E: Into<anyhow::Error>>(e: E) -> Failure {
    Failure::Input(e.into())
}

/// Mark an error as a failed check (exit 1).
pub fn check<E: Into<anyhow::Error>>(e: E) -> Failure {
    Failure::Check(e.into())
}

/// Sort a seal error: authentication failures are failed checks, the rest input errors.
pub fn from_seal(e: nightjar_seal::SealError) -> Failure {
    if e.is_auth_failure() {
        check(e)
    } else {
        input(e)
    }
}

/// Sort a stego error: "no message for this key" is a failed check, the rest input errors.
pub fn from_stego(e: nightjar_stego::StegoError) -> Failure {
    match e {
        nightjar_stego::StegoError::NoMessage => check(e),
        other => input(other),
    }
}
