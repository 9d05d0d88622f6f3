//! `mikiwame check`: grade addresses against an index.

use std::io::{BufRead, Write};
use std::path::PathBuf;

use mikiwame::index::{AddressMatch, CheckOptions, Forwarding, Index, OldRecords};
use rayon::prelude::*;
use serde_json::{json, Value};

use crate::CliError;

/// Arguments of `mikiwame check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The index file.
    #[arg(long, value_name = "INDEX")]
    index: PathBuf,
    /// Input: one address a line, or JSONL with `address` (and optional `postal_code`);
    /// absent or `-` reads standard input.
    file: Option<PathBuf>,
    /// How far apart two 番 of one town and 丁目 may be and still be near (warning).
    #[arg(long, default_value_t = 1)]
    near_banchi: u32,
    /// Records older than this many days are down-weighted (one grade lower).
    #[arg(long, value_name = "DAYS")]
    max_age_days: Option<u32>,
    /// With --max-age-days: ignore old records instead of down-weighting them.
    #[arg(long)]
    ignore_old: bool,
}

/// Lines are graded this many at a time, in parallel, and written in input order.
const CHUNK: usize = 4096;

/// Runs the command.
pub fn run(args: Args) -> Result<(), CliError> {
    let index = Index::open(&args.index)
        .map_err(|e| CliError::Usage(format!("{}: {e}", args.index.display())))?;
    let opts = CheckOptions {
        near_banchi: args.near_banchi,
        max_age_days: args.max_age_days,
        old_records: if args.ignore_old {
            OldRecords::Ignore
        } else {
            OldRecords::DownWeight
        },
        ..CheckOptions::default()
    };
    let mut input = crate::io::open_input(args.file.as_deref())?;
    let mut out = crate::io::stdout();
    let mut lines: Vec<(u64, Result<String, String>)> = Vec::with_capacity(CHUNK);
    let mut row = 0u64;
    loop {
        let mut buf = Vec::new();
        let n = input
            .read_until(b'\n', &mut buf)
            .map_err(|e| CliError::Usage(format!("cannot read input: {e}")))?;
        if n > 0 {
            row += 1;
            let text = String::from_utf8(buf).map_err(|_| "line is not valid UTF-8".to_string());
            lines.push((row, text));
        }
        if lines.len() >= CHUNK || (n == 0 && !lines.is_empty()) {
            let rows: Vec<Row> = lines
                .par_iter()
                .map(|(row, line)| check_line(&index, &opts, *row, line))
                .collect();
            for r in &rows {
                serde_json::to_writer(&mut out, r)
                    .map_err(|e| CliError::Internal(format!("cannot write output: {e}")))?;
                out.write_all(b"\n").map_err(crate::io::write_error)?;
            }
            lines.clear();
        }
        if n == 0 {
            break;
        }
    }
    out.flush().map_err(crate::io::write_error)
}

/// One output row (fields in the documented order).
#[derive(serde::Serialize)]
struct Row {
    input: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    address_match: Option<AddressMatch>,
    #[serde(skip_serializing_if = "Option::is_none")]
    forwarding: Option<Forwarding>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<Value>,
}

fn error_row(input: Value, row: u64, field: &str, message: &str) -> Row {
    Row {
        input,
        address_match: None,
        forwarding: None,
        error: Some(json!({"row": row, "field": field, "message": message})),
    }
}

/// One output row for one input line: always exactly one.
fn check_line(index: &Index, opts: &CheckOptions, row: u64, line: &Result<String, String>) -> Row {
    let line = match line {
        Ok(l) => l.trim_end_matches(['\n', '\r']),
        Err(msg) => return error_row(Value::Null, row, "", msg),
    };
    let trimmed = line.trim();
    let (address, postal) = if trimmed.starts_with('{') {
        let obj: serde_json::Map<String, Value> = match serde_json::from_str(trimmed) {
            Ok(o) => o,
            Err(e) => {
                return error_row(line.into(), row, "", &format!("not a JSON object: {e}"));
            }
        };
        let postal = obj
            .get("postal_code")
            .and_then(Value::as_str)
            .map(String::from);
        match obj.get("address").and_then(Value::as_str) {
            Some(a) => (a.to_string(), postal),
            None => return error_row(line.into(), row, "address", "missing or not a string"),
        }
    } else {
        (trimmed.to_string(), None)
    };
    if address.trim().is_empty() {
        return error_row(address.into(), row, "address", "empty address");
    }
    match mikiwame::address::normalize_with_postal_code(&address, postal.as_deref()) {
        Ok(a) => {
            let c = index.check_with(&a, opts);
            Row {
                input: address.into(),
                address_match: Some(c.address_match),
                forwarding: Some(c.forwarding),
                error: None,
            }
        }
        Err(e) => error_row(address.into(), row, "address", &e.to_string()),
    }
}
