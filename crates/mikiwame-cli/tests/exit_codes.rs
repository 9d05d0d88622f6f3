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
    // A directory for an index: said so, and the name given once (it read
    // "/tmp: /tmp: No such device").
    let dir_name = dir.path().display().to_string();
    let (code, _, err) = mikiwame(&["index", "info", &dir_name], b"");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("directory"), "{err}");
    assert_eq!(err.matches(dir_name.as_str()).count(), 1, "{err}");
}

#[test]
fn an_output_that_is_an_input_is_refused_and_the_input_kept() {
    // Found by a review: `index build --fraud f.csv -o f.csv` replaced the CSV with the
    // index, and `train -o` did the same to the labels.
    let dir = tempfile::tempdir().unwrap();
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let csv = dir.path().join("fraud.csv");
    std::fs::copy(examples.join("fraud_records.csv"), &csv).unwrap();
    let before = std::fs::read(&csv).unwrap();
    let csv = csv.display().to_string();
    let same = format!("{}/./fraud.csv", dir.path().display());
    let (code, _, err) = mikiwame(&["index", "build", "--fraud", &csv, "-o", &same], b"");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("also an input"), "{err}");
    assert_eq!(std::fs::read(&csv).unwrap(), before);
    let (code, _, err) = mikiwame(&["train", "--labels", &csv, "-o", &csv], b"");
    assert_eq!(code, 1, "{err}");
    assert_eq!(std::fs::read(&csv).unwrap(), before);
    // The base index may be the output: it is read before the new file replaces it.
    let index = dir.path().join("ex.mkw").display().to_string();
    let build = |extra: &[&str]| {
        let mut args = vec![
            "index",
            "build",
            "--fraud",
            csv.as_str(),
            "-o",
            index.as_str(),
        ];
        args.extend_from_slice(extra);
        mikiwame(&args, b"")
    };
    assert_eq!(build(&[]).0, 0);
    let (code, _, err) = build(&["--base", index.as_str()]);
    assert_eq!(code, 0, "{err}");
}
