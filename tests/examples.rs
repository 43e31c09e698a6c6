//! The example policies lint clean, and cf-promises 3.21 accepts them.

mod common;

use common::*;

#[test]
fn examples_lint_clean() {
    let examples = repo().join("examples");
    let out = run(&[
        "lint",
        "--format",
        "short",
        examples.to_str().expect("path"),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn cf_promises_accepts_the_examples() {
    if cf_promises().is_none() {
        return skip(
            "cf_promises_accepts_the_examples",
            "cf-promises is not installed",
        );
    }
    for file in cf_files(&repo().join("examples")) {
        assert!(
            cf_promises_accepts(&file),
            "cf-promises rejects {}",
            file.display()
        );
    }
}
