#![deny(unsafe_code)]
//! `nightjar`: the command-line program. It parses arguments, validates them into settings and
//! calls the libraries; it holds no cryptography or image processing of its own.

mod cmd;
mod covert;
mod exit;
mod io;
mod keys;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Nightjar: hide sealed messages in images, keyed by a passphrase, a key file or your iris.
///
/// Exit status: 0 success; 1 a failed check (wrong key, no message, altered data); 2 usage or
/// input errors.
#[derive(Parser, Debug)]
#[command(name = "nightjar", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the covert channel end to end on a built-in photograph.
    Demo(cmd::demo::Args),
    /// Write a new random 32-byte key file (mode 0600).
    Keygen(cmd::keygen::Args),
    /// Encrypt and authenticate a file into a Nightjar envelope (Blowfish-CTR + HMAC-SHA256).
    Seal(cmd::seal::SealArgs),
    /// Verify and decrypt an envelope; exit 1 and no output if it fails authentication.
    Open(cmd::seal::OpenArgs),
    /// Seal a message and hide it in a lossless image, written as PNG.
    Hide(cmd::hide::HideArgs),
    /// Extract and open a message hidden with `hide`; exit 1 and no output if there is none.
    Reveal(cmd::hide::RevealArgs),
    /// How much a cover image can carry.
    Capacity(cmd::hide::CapacityArgs),
    /// Steganography tools: analysis.
    #[command(subcommand)]
    Stego(cmd::analyze::StegoCommand),
    /// The intrusion detector: train, evaluate, and rerun the paper's studies.
    #[command(subcommand)]
    Ids(cmd::ids::IdsCommand),
    /// Iris recognition and iris keys.
    #[command(subcommand)]
    Iris(cmd::iris::IrisCommand),
    /// Receive deliveries from other nodes into an inbox (TCP or lossy-link UDP).
    Listen(cmd::listen::Args),
    /// Send a file or a freshly hidden message to a listening node; exit 0 once it is stored.
    Send(cmd::send::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo(a) => cmd::demo::run(a),
        Command::Keygen(a) => cmd::keygen::run(a),
        Command::Seal(a) => cmd::seal::run_seal(a),
        Command::Open(a) => cmd::seal::run_open(a),
        Command::Hide(a) => cmd::hide::run_hide(a),
        Command::Reveal(a) => cmd::hide::run_reveal(a),
        Command::Capacity(a) => cmd::hide::run_capacity(a),
        Command::Stego(c) => cmd::analyze::run(c),
        Command::Ids(c) => cmd::ids::run(c),
        Command::Iris(c) => cmd::iris::run(c),
        Command::Listen(a) => cmd::listen::run(a),
        Command::Send(a) => cmd::send::run(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("nightjar: {f}");
            ExitCode::from(f.code())
        }
    }
}
