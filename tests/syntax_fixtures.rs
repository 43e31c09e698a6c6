//! Broken policies: each gives the diagnostics in its `.expected` snapshot,
//! and cf-promises 3.21 rejects each of them too. Good policies parse clean.

mod common;

use std::path::Path;

use common::*;

fn short_diagnostics(file: &Path) -> String {
    let dir = file.parent().expect("fixture dir");
    let out = promise_rs()
        .current_dir(dir)
        .args(["lint", "--format", "short"])
        .arg(file.file_name().expect("name"))
        .output()
        .expect("promise-rs runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn bad_fixtures_match_their_snapshots() {
    let dir = repo().join("tests/fixtures/syntax/bad");
    let files = cf_files(&dir);
    assert!(
        files.len() >= 30,
        "at least 30 broken policies, found {}",
        files.len()
    );
    let mut failures = Vec::new();
    for file in &files {
        let actual = short_diagnostics(file);
        if !actual.contains(": error: S") {
            failures.push(format!("{}: no syntax error reported", file.display()));
            continue;
        }
        if let Err(e) = check_snapshot(&file.with_extension("expected"), &actual) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn cf_promises_rejects_every_bad_fixture() {
    if cf_promises().is_none() {
        return skip(
            "cf_promises_rejects_every_bad_fixture",
            "cf-promises is not installed",
        );
    }
    let accepted: Vec<String> = cf_files(&repo().join("tests/fixtures/syntax/bad"))
        .into_iter()
        .filter(|f| cf_promises_accepts(f))
        .map(|f| f.display().to_string())
        .collect();
    assert!(accepted.is_empty(), "cf-promises accepts: {accepted:?}");
}

#[test]
fn good_fixtures_parse_clean_and_cf_promises_agrees() {
    let files = cf_files(&repo().join("tests/fixtures/syntax/good"));
    assert!(!files.is_empty());
    for file in &files {
        // W007 says what promise-rs run would not carry out (edit_xml,
        // custom promise types): about the runtime, not about the policy.
        let out: String = short_diagnostics(file)
            .lines()
            .filter(|line| !line.contains(": W007: "))
            .collect();
        assert!(out.is_empty(), "{}: {out}", file.display());
        if cf_promises().is_some() {
            assert!(
                cf_promises_accepts(file),
                "cf-promises rejects {}",
                file.display()
            );
        }
    }
    if cf_promises().is_none() {
        skip(
            "good fixtures vs cf-promises",
            "cf-promises is not installed",
        );
    }
}

#[test]
fn syntax_tree_snapshot() {
    let file = repo().join("tests/fixtures/syntax/good/every_construct.cf");
    let out = run(&["parse", "--json", file.to_str().expect("utf-8 path")]);
    assert!(out.status.success());
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let mut pretty = serde_json::to_string_pretty(&value["file"]["blocks"]).expect("JSON");
    pretty.push('\n');
    check_snapshot(&file.with_extension("ast.json"), &pretty).unwrap();
}
