//! The standard library (stdlib/): cf-promises 3.21 accepts it, it lints
//! clean, and `$(sys.libdir)/stdlib.cf` finds the copy built into the binary
//! when nothing is installed under the workdir.

mod common;

use common::*;

/// A policy that loads the library and uses a body or bundle of each file.
const USER: &str = r#"
body common control
{
      bundlesequence => { "main" };
      inputs => { "LIBDIR/stdlib.cf" };
}

bundle agent main
{
  files:
      "/tmp/promise-rs-stdlib-test/motd"
        create => "true",
        perms => mog("644", "root", "root"),
        edit_line => append_if_no_line("hello"),
        classes => if_repaired("motd_changed");

  commands:
    motd_changed::
      "/bin/true"
        contain => in_shell;

  processes:
      "no-such-process-promise-rs"
        process_count => check_range("none", "0", "0");
}
"#;

#[test]
fn cf_promises_accepts_the_library() {
    if cf_promises().is_none() {
        skip(
            "cf_promises_accepts_the_library",
            "cf-promises not installed",
        );
        return;
    }
    let dir = tempdir("stdlib-cf-promises");
    let policy = dir.join("uses_stdlib.cf");
    let libdir = repo().join("stdlib");
    std::fs::write(
        &policy,
        USER.replace("LIBDIR", &libdir.display().to_string()),
    )
    .expect("write");
    assert!(
        cf_promises_accepts(&policy),
        "cf-promises rejects a policy using stdlib/"
    );
    for file in cf_files(&libdir) {
        assert!(
            cf_promises_accepts(&file),
            "cf-promises rejects {}",
            file.display()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_built_in_library_resolves_through_sys_libdir_and_lints_clean() {
    let dir = tempdir("stdlib-lint");
    let workdir = dir.join("empty-workdir");
    let policy = dir.join("uses_stdlib.cf");
    std::fs::write(&policy, USER.replace("LIBDIR", "$(sys.libdir)")).expect("write");
    let out = promise_rs()
        .args(["lint", "--format", "short", "--workdir"])
        .arg(&workdir)
        .arg(&policy)
        .output()
        .expect("promise-rs runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(stdout.is_empty(), "lint reports:\n{stdout}");
    assert!(!stderr.contains("cannot be resolved"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_library_directory_lints_clean() {
    let out = run(&[
        "lint",
        "--format",
        "short",
        repo().join("stdlib").to_str().unwrap_or_default(),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && stdout.is_empty(), "{stdout}");
}
