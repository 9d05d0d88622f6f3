//! `mikiwame normalize`: one address a line (or JSONL with `address`) in, JSONL out.

use std::path::PathBuf;

use serde_json::{json, Value};

use crate::io::{open_input, stdout, write_json_line, Lines};
use crate::CliError;

/// Arguments of `mikiwame normalize`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Input file: one address a line, or JSONL objects with `address` (and optionally
    /// `postal_code`). Absent or `-` reads standard input.
    pub file: Option<PathBuf>,
}

/// Runs the command: exactly one output row per input line.
pub fn run(args: Args) -> Result<(), CliError> {
    let input = open_input(args.file.as_deref())?;
    let mut out = stdout();
    for line in Lines::new(input) {
        let (row, line) = line?;
        let value = match line {
            Ok(text) => normalize_line(row, &text),
            Err(problem) => error_row(row, Value::Null, "input", problem),
        };
        write_json_line(&mut out, &value)?;
    }
    std::io::Write::flush(&mut out).map_err(crate::io::write_error)
}

/// One input line to one output row.
pub fn normalize_line(row: u64, line: &str) -> Value {
    let (address, postal) = if line.trim_start().starts_with('{') {
        match serde_json::from_str::<Value>(line) {
            Ok(obj) => match obj.get("address").and_then(Value::as_str) {
                Some(a) => (
                    a.to_string(),
                    obj.get("postal_code")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                ),
                None => return error_row(row, Value::Null, "address", "no string field `address`"),
            },
            Err(e) => return error_row(row, Value::Null, "json", &format!("invalid JSON: {e}")),
        }
    } else {
        (line.to_string(), None)
    };
    match mikiwame::address::normalize_with_postal_code(&address, postal.as_deref()) {
        Ok(a) => mikiwame::address::to_json(&a),
        Err(e) => error_row(row, Value::String(address), "address", &e.to_string()),
    }
}

fn error_row(row: u64, input: Value, field: &str, message: &str) -> Value {
    json!({"input": input, "error": {"row": row, "field": field, "message": message}})
}
