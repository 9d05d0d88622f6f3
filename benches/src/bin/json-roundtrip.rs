//! The baseline of the end-to-end benchmark: every JSONL line parsed into a
//! `serde_json::Value` and serialized again, single-threaded, nothing else.
//!
//! `json-roundtrip [FILE]`: reads FILE, or standard input when absent.

use std::io::{BufRead, Write};

fn main() {
    let input: Box<dyn BufRead> = match std::env::args().nth(1) {
        Some(path) => match std::fs::File::open(&path) {
            Ok(f) => Box::new(std::io::BufReader::with_capacity(1 << 16, f)),
            Err(e) => {
                eprintln!("json-roundtrip: {path}: {e}");
                std::process::exit(1)
            }
        },
        None => Box::new(std::io::BufReader::with_capacity(1 << 16, std::io::stdin())),
    };
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
