//! `mikiwame screen` end to end: the built binary, JSONL in and out.
#![allow(clippy::unwrap_used)]

mod common;

use common::mikiwame;

/// Runs `mikiwame screen` with `input` on standard input.
fn run(args: &[&str], input: &str) -> (i32, String, String) {
    let all: Vec<&str> = std::iter::once("screen")
        .chain(args.iter().copied())
        .collect();
    mikiwame(&all, input.as_bytes())
}

#[test]
fn one_output_row_per_input_row_in_order() {
    let input = concat!(
        r#"{"id": 1, "url": "https://www.amazon.co.jp/"}"#,
        "\n",
        "not json\n",
        r#"{"id": 3, "sender": "Amazon <x@gmail.com>", "text": "ギフトカードの番号を教えて"}"#,
        "\n",
        r#"{"id": 4, "phone": 5}"#,
        "\n",
        "\n",
        r#"{"id": 6, "phone": "01 02 03 04 05", "region": "FR"}"#,
        "\n",
    );
    let (code, stdout, _) = run(&[], input);
    assert_eq!(code, 0);
    let rows: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 5, "{stdout}");
    assert_eq!(rows[0]["url"]["verdict"], "official");
    assert_eq!(rows[1]["error"]["row"], 2);
    assert_eq!(rows[2]["id"], 3);
    assert_eq!(rows[2]["sender"]["verdict"], "lookalike");
    assert_eq!(rows[2]["text"]["verdict"], "scam");
    assert_eq!(rows[3]["error"]["field"], "phone");
    assert_eq!(rows[3]["error"]["row"], 4);
    assert_eq!(rows[4]["phone"]["e164"], "+33102030405");
}

#[test]
fn profile_file_and_unknown_brand() {
    let profile = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/impersonation/shop_profile.toml"
    );
    let (code, stdout, _) = run(&["--profile", profile], "{\"phone\": \"050-3333-4444\"}\n");
    assert_eq!(code, 0);
    assert!(stdout.contains("\"blocklisted\""), "{stdout}");
    let (code, _, stderr) = run(&["--brand", "nosuch"], "");
    assert_eq!(code, 1);
    assert!(stderr.contains("amazon"), "{stderr}");
}
