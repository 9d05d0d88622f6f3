//! The `mikiwame` command line.
//!
//! Exit codes: 0 done (bad rows are reported in the output, not by the exit code),
//! 1 unusable arguments or files, 2 internal error.

/// `eprintln!` that cannot panic: a note on standard error that cannot be written (a
/// closed or full stderr, `2>/dev/full`) is dropped, and the command goes on.
macro_rules! note {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// `eprint!` that cannot panic (see [`note!`]).
macro_rules! note_part {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr(), $($arg)*);
    }};
}

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

/// `mi_option_purge_delay` of mimalloc.h (the same place in its v2 and v3); the sys crate
/// does not name it. A test below checks that it still holds the purge delay.
#[cfg(feature = "mimalloc")]
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Tells mimalloc to keep the memory that is freed instead of handing it back to the
/// system. Scoring allocates and frees a chunk's worth of orders, evaluations and output
/// at a time; by default mimalloc returned freed pages after a delay, and the next chunk
/// faulted them in again, zeroed by the kernel: about 40,000 page faults and 0.4-0.5 s of
/// system time for 1,000,000 orders (see benches/README.md, "Scoring"). Memory stays
/// bounded by the chunk size (`--chunk-size`), and is returned when the process ends.
/// `MIMALLOC_PURGE_DELAY` in the environment still decides when it is set.
#[cfg(feature = "mimalloc")]
#[allow(unsafe_code)]
fn keep_freed_memory() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: sets one integer option (-1: never purge), before any other thread
        // exists (the call is not thread safe); valid for any value.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) }
    }
}

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

/// Prints clap's message. Help and version asked for are done (0); arguments that cannot
/// be used exit 1, as the contract says (clap's own exit code would be 2, the code for
/// internal errors).
fn parse_failure(e: &clap::Error) -> ExitCode {
    // Printing to a closed or full stream is nothing to report.
    let _ = e.print();
    if e.use_stderr() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn main() -> ExitCode {
    #[cfg(feature = "mimalloc")]
    keep_freed_memory();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return parse_failure(&e),
    };
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
            note!("mikiwame: {msg}");
            ExitCode::from(1)
        }
        Err(CliError::Internal(msg)) => {
            note!("mikiwame: internal error: {msg}");
            ExitCode::from(2)
        }
    }
}

#[cfg(all(test, feature = "mimalloc"))]
mod tests {
    /// Option 15 is mimalloc's purge delay: it reads as that option's documented default
    /// (1000 ms in mimalloc v3) before `keep_freed_memory`, and as "never" after. A
    /// mimalloc that moved its options would fail here instead of being misconfigured.
    #[test]
    #[allow(unsafe_code)]
    fn keep_freed_memory_sets_the_purge_delay() {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
            return;
        }
        // SAFETY: reads one integer option; no other test touches mimalloc's options.
        let get = || unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
        assert_eq!(get(), 1000, "mimalloc's purge delay default");
        super::keep_freed_memory();
        assert_eq!(get(), -1);
    }
}
