//! The baseline of the end-to-end benchmark: every JSONL line parsed into a
//! `serde_json::Value` and serialized again, single-threaded, nothing else.

use std::io::{BufRead, Write};

fn main() {
    let stdin = std::io::stdin();
    let input = std::io::BufReader::with_capacity(1 << 16, stdin.lock());
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    for line in input.lines() {
        let Ok(line) = line else {
            std::process::exit(1)
        };
        let value: serde_json::Value = match serde_json::from_str(&line) {
            Ok(v) => v,
            Err(_) => serde_json::Value::Null,
        };
        if serde_json::to_writer(&mut out, &value).is_err() || out.write_all(b"\n").is_err() {
            std::process::exit(1);
        }
    }
    let _ = out.flush();
}
