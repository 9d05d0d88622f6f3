//! The `mikiwame` command line.
//!
//! Exit codes: 0 done (bad rows are reported in the output, not by the exit code),
//! 1 unusable arguments or files, 2 internal error.

mod check;
mod engine;
mod evaluate;
mod index;
mod io;
mod normalize;
mod score;
mod screen;
mod train;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// mimalloc instead of the system allocator: scoring allocates many small strings, and
/// glibc's malloc costs about a fifth of the instructions and contends between threads.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Fraud screening for online shops: addresses, fraud index, order scores, impersonation.
#[derive(Debug, Parser)]
#[command(name = "mikiwame", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Normalize addresses: one a line, or JSONL with `address` (and optional `postal_code`).
    Normalize(normalize::Args),
    /// Screen senders, URLs, phone numbers and messages for brand impersonation (JSONL).
    Screen(screen::Args),
    /// Build an index of fraud records and forwarders, or print its metadata.
    Index(index::Args),
    /// Grade addresses against an index: one a line, or JSONL with `address`.
    Check(check::Args),
    /// Score orders (JSONL or CSV): one assessment per row, in input order.
    Score(score::Args),
    /// Fit a model's weights to labelled orders (`label` 1/0 or `fraud`): writes a model file.
    Train(train::Args),
    /// Measure a model on labelled orders: AUC, precision/recall, calibration; JSON and SVG.
    Evaluate(evaluate::Args),
}

/// A failure of the command as a whole (not of one row).
#[derive(Debug)]
pub enum CliError {
    /// Unusable arguments or files: exit code 1.
    Usage(String),
    /// A bug or an unexpected failure: exit code 2.
    Internal(String),
}

impl From<mikiwame::Error> for CliError {
    fn from(e: mikiwame::Error) -> Self {
        match e {
            mikiwame::Error::Io { .. } => CliError::Usage(e.to_string()),
            other => CliError::Internal(other.to_string()),
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Normalize(args) => normalize::run(args),
        Command::Screen(args) => screen::run(args),
        Command::Index(args) => index::run(args),
        Command::Check(args) => check::run(args),
        Command::Score(args) => score::run(args),
        Command::Train(args) => train::run(args),
        Command::Evaluate(args) => evaluate::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(CliError::Usage(msg)) => {
            eprintln!("mikiwame: {msg}");
            ExitCode::from(1)
        }
        Err(CliError::Internal(msg)) => {
            eprintln!("mikiwame: internal error: {msg}");
            ExitCode::from(2)
        }
    }
}
