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
