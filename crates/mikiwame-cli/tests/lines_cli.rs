//! The line-reading commands (`normalize`, `check`, `screen`) end to end: a byte order
//! mark, a line that is not UTF-8, and a reader that closes the pipe early; and a
//! standard error that cannot be written.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use common::mikiwame;

fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name)
        .display()
        .to_string()
}

/// Builds the example index into `dir`.
fn example_index(dir: &Path) -> String {
    let out = dir.join("ex.mkw").display().to_string();
    let (code, _, err) = mikiwame(
        &[
            "index",
            "build",
            "--fraud",
            &example("fraud_records.csv"),
            "--forwarders",
            &example("forwarders.csv"),
            "-o",
            &out,
        ],
        b"",
    );
    assert_eq!(code, 0, "{err}");
    out
}

fn rows(stdout: &str) -> Vec<serde_json::Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn a_line_that_is_not_utf8_is_one_error_row_and_the_rest_go_on() {
    // Found by a review: `screen` stopped at the bad line and wrote nothing at all.
    let input = b"{\"url\":\"https://amazon.co.jp/\"}\n{\"text\":\"bad \xff\"}\n{\"url\":\"https://amaz0n.co.jp/\"}\n";
    let (code, out, err) = mikiwame(&["screen"], input);
    assert_eq!(code, 0, "{err}");
    let screened = rows(&out);
    assert_eq!(screened.len(), 3);
    assert_eq!(screened[0]["url"]["verdict"], "official");
    assert_eq!(screened[1]["error"]["row"], 2);
    assert_eq!(screened[2]["url"]["verdict"], "lookalike");

    let (code, out, _) = mikiwame(
        &["normalize"],
        b"\xff\n\xe6\x9d\xb1\xe4\xba\xac\xe9\x83\xbd\n",
    );
    assert_eq!(code, 0);
    let normalized = rows(&out);
    assert_eq!(normalized.len(), 2);
    assert_eq!(normalized[0]["error"]["row"], 1);
    assert!(normalized[1]["error"].is_null());
}

#[test]
fn a_byte_order_mark_does_not_hide_the_first_row() {
    // Found by a review: with a BOM, `check` read the first line as a plain address (the
    // JSON text itself) and missed a known fraud address; `normalize` did the same.
    let dir = tempfile::tempdir().unwrap();
    let index = example_index(dir.path());
    let line = r#"{"address":"大阪府大阪市北区梅田1-3-1"}"#;
    let with_bom = [b"\xEF\xBB\xBF".as_slice(), line.as_bytes(), b"\n"].concat();
    let plain = [line.as_bytes(), b"\n"].concat();
    let (_, expected, _) = mikiwame(&["check", "--index", &index], &plain);
    let (code, got, err) = mikiwame(&["check", "--index", &index], &with_bom);
    assert_eq!(code, 0, "{err}");
    assert_eq!(got, expected);
    assert_ne!(rows(&got)[0]["address_match"]["level"], "none");
    let (_, expected, _) = mikiwame(&["normalize"], &plain);
    let (_, got, _) = mikiwame(&["normalize"], &with_bom);
    assert_eq!(got, expected);
    assert_eq!(rows(&got)[0]["components"]["city"], "大阪市北区");
    // score too, whether it tells the format itself or is told (found by a second
    // review: row 1 was "not valid JSON").
    let order = br#"{"order_id":"a"}"#;
    for args in [&["score"][..], &["score", "--input-format", "jsonl"]] {
        let (code, out, err) = mikiwame(args, &[b"\xEF\xBB\xBF".as_slice(), order, b"\n"].concat());
        assert_eq!(code, 0, "{err}");
        let scored = rows(&out);
        assert_eq!(scored[0]["order_id"], "a", "{args:?}");
        assert!(scored[0]["error"].is_null(), "{args:?}: {out}");
    }
    let screen_line = br#"{"url":"https://amazon.co.jp/"}"#;
    let (_, got, _) = mikiwame(
        &["screen"],
        &[b"\xEF\xBB\xBF".as_slice(), screen_line].concat(),
    );
    assert_eq!(rows(&got)[0]["url"]["verdict"], "official");
}

#[test]
fn a_reader_that_stops_early_is_not_an_error() {
    // `mikiwame normalize | head -1`: the closed pipe ends the run quietly.
    let dir = tempfile::tempdir().unwrap();
    let index = example_index(dir.path());
    let file = dir.path().join("many.txt");
    let mut f = std::fs::File::create(&file).unwrap();
    for _ in 0..200_000 {
        writeln!(f, "東京都世田谷区池尻1-2-3").unwrap();
    }
    drop(f);
    let file = file.display().to_string();
    for args in [
        vec!["normalize", file.as_str()],
        vec!["check", "--index", index.as_str(), file.as_str()],
    ] {
        let mut child = common::spawn(&args);
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        // Dropping the reader closes the pipe.
        let out = child.wait_with_output().unwrap();
        assert!(first.contains("block_key") || first.contains("address_match"));
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.stderr.is_empty(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
#[cfg(target_os = "linux")]
fn a_stderr_that_cannot_be_written_does_not_stop_the_run() {
    // Found by a review: the summary's `eprintln!` panicked (exit 101) on a full stderr.
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_mikiwame"))
        .args(["score", &example("orders.jsonl")])
        .stdout(Stdio::piped())
        .stderr(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let orders = std::fs::read_to_string(example("orders.jsonl")).unwrap();
    let expected = orders.lines().filter(|l| !l.trim().is_empty()).count();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().lines().count(),
        expected
    );
}
