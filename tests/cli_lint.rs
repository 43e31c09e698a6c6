//! `promise-rs lint`: paths, inputs, formats and exit codes.

mod common;

use common::*;

fn write(dir: &std::path::Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("dir");
    std::fs::write(&path, text).expect("write");
    path.display().to_string()
}

const GOOD: &str = "bundle agent main\n{\n  reports:\n      \"hello\";\n}\n";
const BAD: &str = "bundle agent main\n{\n  reports:\n      \"hello\"\n}\n";

#[test]
fn clean_policy_exits_zero() {
    let dir = tempdir("lint-clean");
    let file = write(&dir, "ok.cf", GOOD);
    let out = run(&["lint", &file]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("0 errors, 0 warnings in 1 file"));
}

#[test]
fn errors_exit_one_in_every_format() {
    let dir = tempdir("lint-bad");
    let file = write(&dir, "bad.cf", BAD);
    for format in ["human", "short", "json"] {
        let out = run(&["lint", "--format", format, &file]);
        assert_eq!(out.status.code(), Some(1), "{format}");
    }
}

#[test]
fn short_format_is_one_line_per_diagnostic() {
    let dir = tempdir("lint-short");
    let file = write(&dir, "bad.cf", BAD);
    let out = run(&["lint", "--format", "short", &file]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout,
        format!("{file}:5:1: error: S002: expected ';' after the promise on line 4, found '}}'\n")
    );
}

#[test]
fn json_format_has_positions_and_codes() {
    let dir = tempdir("lint-json");
    let file = write(&dir, "bad.cf", BAD);
    let out = run(&["lint", "--format", "json", &file]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["errors"], 1);
    let d = &v["diagnostics"][0];
    assert_eq!(d["file"], file.as_str());
    assert_eq!(d["line"], 5);
    assert_eq!(d["column"], 1);
    assert_eq!(d["code"], "S002");
    assert_eq!(d["severity"], "error");
    assert!(d["help"].as_str().is_some_and(|h| h.contains("line 4")));
}

#[test]
fn human_format_shows_the_source_line_and_hint() {
    let dir = tempdir("lint-human");
    let file = write(&dir, "bad.cf", BAD);
    let out = run(&["lint", &file]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("S002"), "{stdout}");
    assert!(stdout.contains("bad.cf:5:1"), "{stdout}");
    assert!(stdout.contains("expected ';' before this"), "{stdout}");
    assert!(
        stdout.contains("end the promise on line 4 with ';'"),
        "{stdout}"
    );
    assert!(stdout.contains("1 error, 0 warnings in 1 file"), "{stdout}");
}

#[test]
fn directories_are_searched_for_policy_files() {
    let dir = tempdir("lint-dir");
    write(&dir, "a.cf", GOOD);
    write(&dir, "sub/b.cf", BAD);
    write(&dir, "sub/notes.txt", "not policy {");
    let out = run(&["lint", "--format", "short", dir.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("sub/b.cf:5:1"), "{stdout}");
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
}

#[test]
fn inputs_are_followed_relative_to_the_entry_file() {
    let dir = tempdir("lint-inputs");
    let entry = write(
        &dir,
        "promises.cf",
        "body common control\n{\n  inputs => { \"lib/one.cf\", \"$(sys.libdir)/stdlib.cf\" };\n}\n",
    );
    write(
        &dir,
        "lib/one.cf",
        "body file control\n{\n  inputs => { \"lib/two.cf\" };\n}\n",
    );
    write(&dir, "lib/two.cf", BAD);
    let out = run(&["lint", "--format", "short", &entry]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("lib/two.cf:5:1: error: S002"), "{stdout}");
}

#[test]
fn missing_input_is_an_error_at_its_name() {
    let dir = tempdir("lint-missing-input");
    let entry = write(
        &dir,
        "promises.cf",
        "body common control\n{\n  inputs => { \"nosuch.cf\" };\n}\n",
    );
    let out = run(&["lint", "--format", "short", &entry]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout.contains("promises.cf:3:15: error: E001: cannot read input file"),
        "{stdout}"
    );
}

#[test]
fn usage_errors_exit_two() {
    assert_eq!(run(&["lint"]).status.code(), Some(2));
    assert_eq!(
        run(&["lint", "/nonexistent/policy.cf"]).status.code(),
        Some(2)
    );
    assert_eq!(
        run(&["lint", "--format", "xml", "x.cf"]).status.code(),
        Some(2)
    );
    assert_eq!(run(&["lint", "--explain", "S999"]).status.code(), Some(2));
}

#[test]
fn explain_describes_a_code() {
    let out = run(&["lint", "--explain", "s002"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("S002: "));
}

#[test]
fn every_broken_block_is_reported() {
    let dir = tempdir("lint-recovery");
    let text = format!("{BAD}\n{GOOD}\nbundle agent other\n{{\n  reports:\n    linux..x::\n      \"x\";\n}}\n\nbody perms p\n{{\n  mode => \"644\"\n}}\n");
    let file = write(&dir, "many.cf", &text);
    let out = run(&["lint", "--format", "short", &file]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let codes: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.split(": ").nth(2))
        .collect();
    assert_eq!(codes, vec!["S002", "S005", "S002"], "{stdout}");
}

#[test]
fn malformed_reference_in_a_string_is_a_warning() {
    let dir = tempdir("lint-ref");
    let file = write(
        &dir,
        "ref.cf",
        "bundle agent main\n{\n  reports:\n      \"value $(x\";\n}\n",
    );
    let out = run(&["lint", "--format", "short", &file]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("ref.cf:4:14: warning: S010: no closing ')'"),
        "{stdout}"
    );
}

#[test]
fn parse_prints_the_tree_as_json() {
    let dir = tempdir("parse-json");
    let file = write(&dir, "ok.cf", GOOD);
    let out = run(&["parse", "--json", &file]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let bundle = &v["file"]["blocks"][0];
    assert_eq!(bundle["kind"], "bundle");
    assert_eq!(bundle["name"]["name"], "main");
    assert_eq!(bundle["name"]["span"]["line"], 1);
    assert_eq!(bundle["name"]["span"]["column"], 14);
    let promise = &bundle["sections"][0]["groups"][0]["promises"][0];
    assert_eq!(promise["promiser"]["raw"], "hello");
    assert_eq!(promise["promiser"]["span"]["line"], 4);
}
