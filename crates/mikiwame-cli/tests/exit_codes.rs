//! Exit codes as DESIGN.md gives them: 0 done, 1 unusable arguments or files.
#![allow(clippy::unwrap_used)]

mod common;

use common::mikiwame;

#[test]
fn arguments_that_cannot_be_used_exit_1() {
    // clap's own code for these is 2, which the contract keeps for internal errors.
    for args in [
        &[][..],
        &["bogus"],
        &["score", "--format", "xml"],
        &["score", "--no-such-flag"],
        &["check"],
        &["score", "--threads", "x"],
        // Found by a review: 0 became 1 silently, and 30000 ran for minutes.
        &["score", "--threads", "0"],
        &["score", "--threads", "30000"],
        &["score", "--chunk-size", "0"],
    ] {
        let (code, out, err) = mikiwame(args, b"");
        assert_eq!(code, 1, "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?}");
        assert!(!err.is_empty(), "{args:?}: the message goes to stderr");
    }
    let (code, _, err) = mikiwame(&["score", "/no/such/file.jsonl"], b"");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("/no/such/file.jsonl"), "{err}");
}

#[test]
fn help_and_version_asked_for_exit_0() {
    for args in [&["--help"][..], &["--version"], &["score", "--help"]] {
        let (code, out, _) = mikiwame(args, b"");
        assert_eq!(code, 0, "{args:?}");
        assert!(
            out.contains("mikiwame") || out.contains("Usage"),
            "{args:?}: {out}"
        );
    }
}

#[test]
fn files_that_cannot_be_used_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.mkw");
    std::fs::write(&broken, b"MKWIDX").unwrap();
    let broken = broken.display().to_string();
    let shop = dir.path().join("shop.json");
    std::fs::write(&shop, b"[]").unwrap();
    let shop = shop.display().to_string();
    for (args, named) in [
        (vec!["score", "--index", broken.as_str()], broken.as_str()),
        (vec!["score", "--shop", shop.as_str()], shop.as_str()),
    ] {
        let (code, out, err) = mikiwame(&args, b"{\"order_id\":\"a\"}\n");
        assert_eq!(code, 1, "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?}");
        assert!(err.contains(named), "{args:?}: {err}");
    }
}
