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
    /// The error and its causes joined by ": ", leaving out a cause whose text its outer
    /// message already holds (the libraries' errors quote their source, e.g. "cannot open
    /// PATH: No such file or directory", and anyhow's `{:#}` would repeat it).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = match self {
            Failure::Check(e) | Failure::Input(e) => e,
        };
        let mut text = e.to_string();
        for cause in e.chain().skip(1) {
            let c = cause.to_string();
            if !text.contains(&c) {
                text.push_str(": ");
                text.push_str(&c);
            }
        }
        f.write_str(&text)
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

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    /// An error that quotes its source in its own message, as the libraries' errors do.
    #[derive(Debug)]
    struct Quoting {
        path: String,
        source: std::io::Error,
    }

    impl fmt::Display for Quoting {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "cannot open {}: {}", self.path, self.source)
        }
    }

    impl std::error::Error for Quoting {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.source)
        }
    }

    fn not_found() -> std::io::Error {
        std::io::Error::new(std::io::ErrorKind::NotFound, "no such file")
    }

    #[test]
    fn a_cause_the_message_already_quotes_is_printed_once() {
        let e = Quoting {
            path: "x.pcap".into(),
            source: not_found(),
        };
        let f = input(anyhow::Error::new(e).context("capture x.pcap"));
        assert_eq!(
            f.to_string(),
            "capture x.pcap: cannot open x.pcap: no such file"
        );
    }

    #[test]
    fn causes_the_message_does_not_quote_are_all_printed() {
        let r: Result<(), std::io::Error> = Err(not_found());
        let f = check(r.context("reading the key").unwrap_err());
        assert_eq!(f.to_string(), "reading the key: no such file");
        assert_eq!(f.code(), 1);
    }
}
