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

/// Issue 6: the seed's three-hub policy lints clean against the stdlib
/// alone: a fresh workdir (so `$(sys.libdir)` is the built-in stdlib), and
/// no body or bundle of the example's own but the seed's `update_copy`.
#[test]
fn the_hub_policy_lints_clean_against_the_stdlib_alone() {
    let hubs = repo().join("examples/ha-hubs");
    let workdir = tempdir("ha-hubs-workdir");
    let out = run(&[
        "lint",
        "--workdir",
        workdir.to_str().expect("path"),
        hubs.join("promises.cf").to_str().expect("path"),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("0 errors, 0 warnings in 12 files"),
        "{stdout}"
    );
    let own_bodies: Vec<String> = cf_files(&hubs)
        .iter()
        .flat_map(|file| {
            std::fs::read_to_string(file)
                .expect("read example")
                .lines()
                .filter(|line| line.starts_with("body ") && !line.contains(" control"))
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(own_bodies, ["body copy_from update_copy"]);
}
