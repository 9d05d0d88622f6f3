//! End-to-end tests of `mikiwame index build`, `index info` and `check` on the example data.

use std::path::{Path, PathBuf};
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mikiwame"))
}

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

#[test]
fn build_info_check_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("fraud.mkw");
    let out = bin()
        .args(["index", "build", "--fraud"])
        .arg(examples().join("fraud_records.csv"))
        .arg("--forwarders")
        .arg(examples().join("forwarders.csv"))
        .arg("-o")
        .arg(&index)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The example file holds two deliberately bad rows (lines 38 and 39).
    assert!(stderr.contains("row 38, field `email`"), "{stderr}");
    assert!(stderr.contains("row 39, field `address`"), "{stderr}");
    assert!(stderr.contains("keys: "), "{stderr}");

    let info = bin()
        .args(["index", "info", "--json"])
        .arg(&index)
        .output()
        .unwrap();
    assert!(info.status.success());
    let v: serde_json::Value = serde_json::from_slice(&info.stdout).unwrap();
    assert_eq!(v["format_version"], mikiwame::index::FORMAT_VERSION);
    // At least the two email-only records (rows with addresses need the normalizer).
    assert!(v["keys"]["email"].as_u64().unwrap() >= 2);
    assert_eq!(v["sources"].as_array().unwrap().len(), 2);

    let check = bin()
        .args(["check", "--index"])
        .arg(&index)
        .arg(examples().join("addresses.txt"))
        .output()
        .unwrap();
    assert!(check.status.success());
    let input = std::fs::read_to_string(examples().join("addresses.txt")).unwrap();
    let rows: Vec<serde_json::Value> = String::from_utf8(check.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        rows.len(),
        input.lines().count(),
        "one output row per input"
    );
    let care_of = rows
        .iter()
        .find(|r| r["input"].as_str().is_some_and(|s| s.contains("気付")))
        .unwrap();
    assert_eq!(care_of["forwarding"]["level"], "possible");
    let bad = rows.last().unwrap();
    assert_eq!(bad["error"]["field"], "address");
    assert_eq!(bad["error"]["row"], input.lines().count());
    for r in &rows[..rows.len() - 1] {
        assert!(r["address_match"]["level"].is_string(), "{r}");
    }
}

#[test]
fn strict_build_writes_nothing_and_damaged_index_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("fraud.mkw");
    let out = bin()
        .args(["index", "build", "--strict", "--fraud"])
        .arg(examples().join("fraud_records.csv"))
        .arg("-o")
        .arg(&index)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(!index.exists());

    std::fs::write(&index, b"email,phone\n").unwrap();
    let out = bin().args(["index", "info"]).arg(&index).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a mikiwame index"));
}
