//! Opening inputs (a file or standard input) and outputs.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::Path;

use crate::CliError;

/// Opens FILE, or standard input when it is absent or `-`.
pub fn open_input(path: Option<&Path>) -> Result<Box<dyn BufRead + Send>, CliError> {
    match path {
        None => Ok(Box::new(BufReader::new(io::stdin()))),
        Some(p) if p == Path::new("-") => Ok(Box::new(BufReader::new(io::stdin()))),
        Some(p) => {
            let f = File::open(p)
                .map_err(|e| CliError::Usage(format!("cannot open {}: {e}", p.display())))?;
            Ok(Box::new(BufReader::with_capacity(1 << 16, f)))
        }
    }
}

/// A buffered standard output.
pub fn stdout() -> BufWriter<io::StdoutLock<'static>> {
    BufWriter::with_capacity(1 << 16, io::stdout().lock())
}

/// Maps a write error: a closed pipe (`| head`) ends quietly, anything else is internal.
pub fn write_error(e: io::Error) -> CliError {
    if e.kind() == io::ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
    CliError::Internal(format!("cannot write output: {e}"))
}

/// Writes one JSON value as a line.
pub fn write_json_line<W: Write>(out: &mut W, value: &serde_json::Value) -> Result<(), CliError> {
    serde_json::to_writer(&mut *out, value)
        .map_err(|e| CliError::Internal(format!("cannot write output: {e}")))?;
    out.write_all(b"\n").map_err(write_error)
}
