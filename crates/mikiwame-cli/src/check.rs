//! `mikiwame check`: grade addresses against an index.

use std::io::Write;
use std::path::PathBuf;

use mikiwame::index::{AddressMatch, CheckOptions, Forwarding, Index, OldRecords};
use rayon::prelude::*;
use serde_json::{json, Value};

use crate::io::{write_json_line, Line, Lines};
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
    let index = crate::io::open_index(&args.index)?;
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
    let input = crate::io::open_input(args.file.as_deref())?;
    let mut out = crate::io::stdout();
    let mut lines: Vec<Line> = Vec::with_capacity(CHUNK);
    let mut input = Lines::new(input);
    loop {
        let next = input.next().transpose()?;
        let done = next.is_none();
        lines.extend(next);
        if lines.len() >= CHUNK || (done && !lines.is_empty()) {
            let rows: Vec<Row> = lines
                .par_iter()
                .map(|(row, line)| check_line(&index, &opts, *row, line))
                .collect();
            for r in &rows {
                write_json_line(&mut out, r)?;
            }
            lines.clear();
        }
        if done {
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
fn check_line(
    index: &Index,
    opts: &CheckOptions,
    row: u64,
    line: &Result<String, &'static str>,
) -> Row {
    let line = match line {
        Ok(l) => l.as_str(),
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
