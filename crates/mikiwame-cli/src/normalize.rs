//! `mikiwame normalize`.

use std::path::PathBuf;

use crate::CliError;

/// Arguments of `mikiwame normalize`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Input file; absent or `-` reads standard input.
    pub file: Option<PathBuf>,
}

/// Runs the command (filled in with the normalizer).
pub fn run(_args: Args) -> Result<(), CliError> {
    Err(CliError::Usage("normalize is not built yet".into()))
}
