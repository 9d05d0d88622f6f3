//! `mikiwame score` end to end: the streaming pipeline (reader, workers, writer) gives one
//! output row per input row, in order, the same as the library, whatever the chunk size and
//! thread count.
#![allow(clippy::unwrap_used)]

mod common;

use common::mikiwame;
use mikiwame::engine::Engine;
use mikiwame::order::{parse_json_row, Row};

/// Orders that exercise linking across chunks, with a few unreadable rows and blank lines.
fn jsonl(n: usize) -> String {
    let names = ["徳川家康", "佐藤花子", "asdf", "鈴木一郎", "田中", "名無し"];
    let mut text = String::new();
    for i in 0..n {
        match i % 97 {
            13 => text.push_str(&format!("{{\"order_id\":\"o{i}\",\"amount\":\"abc\"}}\n")),
            29 => text.push_str("not json at all\n"),
            41 => text.push_str("   \n"),
            _ => text.push_str(&format!(
                "{{\"order_id\":\"o{i}\",\"ordered_at\":\"2026-11-20T0{}:{:02}:00+09:00\",\
                 \"buyer\":{{\"name\":\"{}\",\"email\":\"u{}@gmail.com\",\"phone\":\"090-3141-{:04}\",\
                 \"address\":\"東京都港区芝公園{}-1-1\"}},\"items\":[{{\"category\":\"{}\"}}],\
                 \"payment\":{{\"card_fingerprint\":\"fp{}\"}}}}\n",
                i % 10,
                i % 60,
                names[i % names.len()],
                i % 7,
                i % 13,
                i % 5,
                ["book", "gift_card"][i % 2],
                i % 11
            )),
        }
    }
    text
}

/// What the library gives for the same rows, linked in chunks of `chunk` readable lines
/// (blank lines are skipped but keep their row numbers).
fn expected(text: &str, chunk: usize) -> Vec<String> {
    let rows: Vec<(u64, &str)> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| (i as u64 + 1, l))
        .collect();
    let engine = Engine::new().with_threads(1);
    let mut out = Vec::new();
    for part in rows.chunks(chunk) {
        let parsed: Vec<Row> = part.iter().map(|(n, l)| parse_json_row(l, *n)).collect();
        for a in engine.score_rows(&parsed) {
            out.push(serde_json::to_string(&a).unwrap());
        }
    }
    out
}

#[test]
fn jsonl_rows_match_the_library_for_any_chunk_and_thread_count() {
    let text = jsonl(1000);
    for (chunk, threads) in [(65_536, 1), (65_536, 2), (100, 2), (1, 1), (333, 3)] {
        let (code, out, err) = mikiwame(
            &[
                "score",
                "--threads",
                &threads.to_string(),
                "--chunk-size",
                &chunk.to_string(),
            ],
            text.as_bytes(),
        );
        assert_eq!(code, 0, "{err}");
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines,
            expected(&text, chunk),
            "chunk {chunk}, threads {threads}"
        );
        assert!(err.contains("error"), "{err}");
    }
    // Linking works across the whole chunk: a large chunk finds shared addresses.
    let (_, out, _) = mikiwame(&["score"], text.as_bytes());
    assert!(out.contains("shared_address_many_buyers"));
}

#[test]
fn chunks_larger_than_a_read_part_link_as_one() {
    // The reader hands chunks over in parts of 4,096 rows. Three buyers share one email at
    // rows 11, 2,001 and 4,501 (in different parts); every other contact is unique. Only
    // a window spanning the parts sees three names on one email.
    let text: String = (0..5_000)
        .map(|i| {
            let email = if [10, 2_000, 4_500].contains(&i) {
                "shared@example.jp".to_string()
            } else {
                format!("u{i}@example.jp")
            };
            format!("{{\"order_id\":\"o{i}\",\"buyer\":{{\"name\":\"客{i}\",\"email\":\"{email}\"}}}}\n")
        })
        .collect();
    let linked = |out: &str| {
        out.lines()
            .filter(|l| l.contains("shared_contact_many_names"))
            .count()
    };
    for (chunk, want) in [(65_536, 3), (5_000, 3), (4_500, 0)] {
        let (code, out, err) = mikiwame(
            &[
                "score",
                "--threads",
                "2",
                "--chunk-size",
                &chunk.to_string(),
            ],
            text.as_bytes(),
        );
        assert_eq!(code, 0, "{err}");
        assert_eq!(out.lines().count(), 5_000);
        assert_eq!(out.lines().collect::<Vec<_>>(), expected(&text, chunk));
        assert_eq!(linked(&out), want, "chunk {chunk}");
    }
}

#[test]
fn bad_rows_keep_their_row_numbers() {
    let mut input = b"{\"order_id\":\"a\"}\n\n{\"order_id\":\"b\",\"amount\":[]}\n".to_vec();
    input.extend_from_slice(b"{\"order_id\":\"\xff\"}\n{\"order_id\":\"c\"}");
    let (code, out, err) = mikiwame(&["score", "--input-format", "jsonl"], &input);
    assert_eq!(code, 0, "{err}");
    let rows: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0]["order_id"], "a");
    assert_eq!(rows[1]["error"]["row"], 3);
    assert_eq!(rows[1]["error"]["field"], "amount");
    assert_eq!(rows[2]["error"]["row"], 4);
    assert!(rows[2]["error"]["message"]
        .as_str()
        .unwrap()
        .contains("UTF-8"));
    // The last line has no newline and is still read.
    assert_eq!(rows[3]["order_id"], "c");
    assert!(
        err.contains("4 orders") && err.contains("2 errors"),
        "{err}"
    );
}

#[test]
fn csv_in_and_out() {
    let input = "order_id,buyer_name,amount,item_category\n\
                 C-1,徳川家康,5000,gift_card\n\
                 C-2,佐藤花子,abc,book\n\
                 C-3,鈴木一郎,1200,book\n";
    let (code, out, err) = mikiwame(
        &["score", "--format", "csv", "--chunk-size", "2"],
        input.as_bytes(),
    );
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert_eq!(
        lines[0],
        "order_id,score,band,alert,address_match,stars,forwarding,reasons,data_quality,\
         error_row,error_field,error_message"
    );
    assert!(lines[1].starts_with("C-1,") && lines[1].contains("celebrity_name"));
    assert!(lines[2].starts_with("C-2,") && lines[2].contains(",3,amount,"));
    assert!(lines[3].starts_with("C-3,"));
}

#[test]
fn a_quote_that_never_closes_is_an_error_row_not_a_score() {
    // C-2's name opens a quote and nothing closes it: the CSV reader reads C-3 and C-4
    // into that name. The row is reported, not scored with a strange name.
    let input = "order_id,amount,buyer_name\n\
                 C-1,5000,佐藤花子\n\
                 C-2,1200,\"鈴木一郎\n\
                 C-3,800,田中\n\
                 C-4,900,山本\n";
    for chunk in ["1", "4096"] {
        let (code, out, err) = mikiwame(
            &["score", "--input-format", "csv", "--chunk-size", chunk],
            input.as_bytes(),
        );
        assert_eq!(code, 0, "{err}");
        let rows: Vec<serde_json::Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(rows.len(), 2, "{out}");
        assert_eq!(rows[0]["order_id"], "C-1");
        assert!(rows[0]["error"].is_null());
        assert_eq!(rows[1]["order_id"], "C-2");
        assert_eq!(rows[1]["error"]["row"], 3);
        assert_eq!(rows[1]["error"]["field"], "buyer_name");
        let message = rows[1]["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("never closes") && message.contains("2 more lines"),
            "{message}"
        );
        assert!(err.contains("1 errors"), "{err}");
    }
    // A quote that closes, over two lines, is a name with a line break: no error.
    let closed = "order_id,buyer_name\nC-1,\"鈴木\n一郎\"\nC-2,山本\n";
    let (code, out, _) = mikiwame(&["score", "--input-format", "csv"], closed.as_bytes());
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), 2);
    assert!(!out.contains("never closes"), "{out}");
}

#[test]
fn empty_input_and_bad_header() {
    let (code, out, _) = mikiwame(&["score"], b"");
    assert_eq!((code, out.as_str()), (0, ""));
    let (code, out, _) = mikiwame(&["score", "--format", "csv"], b"");
    assert_eq!(code, 0);
    assert!(out.starts_with("order_id,score,band"), "{out}");
    let (code, _, err) = mikiwame(&["score", "--input-format", "csv"], b"id,name\n1,x\n");
    assert_eq!(code, 1);
    assert!(err.contains("order_id"), "{err}");
}

#[test]
fn csv_after_a_slow_blank_line_is_still_read_as_csv() {
    // Found by a review: when the first read of a pipe held only a blank line, the input
    // was taken for JSONL and every row, the header too, became an error.
    use std::io::Write;
    let mut child = common::spawn(&["score"]);
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"\n").unwrap();
    stdin.flush().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    stdin.write_all(b"order_id,amount\nA1,100\nA2,x\n").unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let rows: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["order_id"], "A1");
    assert!(rows[0]["error"].is_null());
    assert_eq!(rows[1]["error"]["row"], 4, "the blank line counts");
}
