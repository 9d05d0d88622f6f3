//! `mikiwame screen`: impersonation screening of senders, URLs, phone numbers and messages.

use std::path::PathBuf;

use mikiwame::impersonation::{BrandProfile, Screener};
use rayon::prelude::*;
use serde_json::{json, Value};

use crate::io::{open_input, stdout, write_json_line, Line, Lines};
use crate::CliError;

/// Rows screened in parallel at a time; output keeps input order.
const CHUNK: usize = 4096;

/// Arguments of `mikiwame screen`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A built-in brand profile.
    #[arg(long, default_value = "amazon", conflicts_with = "profile")]
    pub brand: String,
    /// A brand profile file (TOML, or JSON when it ends in .json).
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
    /// JSONL input with any of `sender`, `url`, `phone` (+ `region`), `text`,
    /// `authenticated`; absent or `-` reads standard input.
    pub file: Option<PathBuf>,
}

/// Runs the command: one output row per non-blank input line, in input order.
pub fn run(args: Args) -> Result<(), CliError> {
    let profile = match &args.profile {
        Some(p) => BrandProfile::from_path(p),
        None => BrandProfile::builtin(&args.brand),
    }
    .map_err(|e| CliError::Usage(e.to_string()))?;
    let screener = Screener::new(profile)?;
    let input = open_input(args.file.as_deref())?;
    let mut out = stdout();
    let mut chunk: Vec<Line> = Vec::with_capacity(CHUNK);
    for line in Lines::new(input) {
        let line = line?;
        if line.1.as_ref().is_ok_and(|l| l.trim().is_empty()) {
            continue;
        }
        chunk.push(line);
        if chunk.len() == CHUNK {
            flush(&screener, &mut chunk, &mut out)?;
        }
    }
    flush(&screener, &mut chunk, &mut out)?;
    std::io::Write::flush(&mut out).map_err(crate::io::write_error)
}

fn flush<W: std::io::Write>(
    screener: &Screener,
    chunk: &mut Vec<Line>,
    out: &mut W,
) -> Result<(), CliError> {
    let rows: Vec<Value> = chunk
        .par_iter()
        .map(|(row, line)| match line {
            Ok(line) => screen_line(screener, *row, line),
            Err(problem) => json!({"error": {"row": row, "field": "", "message": problem}}),
        })
        .collect();
    for r in &rows {
        write_json_line(out, r)?;
    }
    chunk.clear();
    Ok(())
}

/// One input line to one output row; a bad line gives `error: {row, field, message}`.
fn screen_line(screener: &Screener, row: u64, line: &str) -> Value {
    let value: Value = match serde_json::from_str(line) {
        Ok(v) => v,
        Err(e) => {
            let message = mikiwame::error::json_row_problem(&e);
            return json!({"error": {"row": row, "field": "", "message": message}});
        }
    };
    let mut out = screener.screen_json(&value);
    if let Some(err) = out.get_mut("error").and_then(Value::as_object_mut) {
        err.insert("row".into(), json!(row));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_lines_give_error_rows() {
        let s = Screener::new(BrandProfile::builtin("amazon").unwrap()).unwrap();
        let v = screen_line(&s, 3, "{not json");
        assert_eq!(v["error"]["row"], 3);
        let v = screen_line(&s, 4, r#"{"url": 5}"#);
        assert_eq!(v["error"]["row"], 4);
        assert_eq!(v["error"]["field"], "url");
        let v = screen_line(&s, 5, r#"{"url": "https://amazon.co.jp/"}"#);
        assert_eq!(v["url"]["verdict"], "official");
        assert!(v.get("error").is_none());
    }
}
