//! Audit and dry runs of `copy_from`: nothing is copied, created or
//! purged, and the warnings say what would be — with a unified diff for a
//! file whose content would change. A copy from another host fails with a
//! reason until remote copies exist.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::agent_run;

const POLICY: &str = r#"
body common control
{
      bundlesequence => { "main" };
}

bundle agent main
{
  vars:
      "S" string => "$(this.promise_dirname)";

  files:
      "$(S)/conf"
        copy_from => cp("$(S)/src/conf");
      "$(S)/tree"
        copy_from => cp("$(S)/src"),
        depth_search => recurse;
}

body copy_from cp(from)
{
      source => "$(from)";
      compare => "digest";
      purge => "true";
}

body depth_search recurse
{
      depth => "inf";
}
"#;

fn scratch(name: &str) -> PathBuf {
    let dir = agent_run::scratch(&format!("copy-audit-{name}"));
    fs::create_dir_all(dir.join("src/sub")).expect("create source tree");
    fs::create_dir_all(dir.join("tree")).expect("create destination tree");
    fs::write(dir.join("audit.cf"), POLICY).expect("write policy");
    fs::write(dir.join("src/conf"), "alpha\ngamma\n").expect("write source");
    fs::write(dir.join("src/sub/inner"), "inner\n").expect("write source");
    fs::write(dir.join("conf"), "alpha\nbeta\n").expect("write copy");
    fs::write(dir.join("tree/stale"), "stale\n").expect("write stale file");
    dir
}

fn run(dir: &Path, flags: &[&str]) -> Output {
    agent_run::run_file(dir, &dir.join("audit.cf"), flags)
}

#[test]
fn audit_copies_nothing_and_shows_what_would_change() {
    let dir = scratch("audit");
    let output = run(&dir, &["--audit"]);
    let log = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        fs::read_to_string(dir.join("conf")).unwrap_or_default(),
        "alpha\nbeta\n"
    );
    assert!(dir.join("tree/stale").exists(), "nothing purged");
    assert!(
        !dir.join("tree/sub").exists(),
        "no directory made in an audit"
    );
    assert!(!dir.join("tree/conf").exists(), "nothing copied");
    assert!(
        log.contains("@@ -1,2 +1,2 @@\n alpha\n-beta\n+gamma"),
        "{log}"
    );
    assert!(log.contains("would create '"), "{log}");
    assert!(log.contains("tree/conf' as a copy of '"), "{log}");
    assert!(log.contains("would purge '"), "{log}");
    assert!(
        log.contains("tree/stale' from copy dest directory"),
        "{log}"
    );
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn a_real_run_copies_purges_and_keeps_a_backup() {
    let dir = scratch("apply");
    let output = run(&dir, &[]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        fs::read_to_string(dir.join("conf")).unwrap_or_default(),
        "alpha\ngamma\n"
    );
    assert_eq!(
        fs::read_to_string(dir.join("conf.cfsaved")).unwrap_or_default(),
        "alpha\nbeta\n"
    );
    assert_eq!(
        fs::read_to_string(dir.join("tree/sub/inner")).unwrap_or_default(),
        "inner\n"
    );
    assert!(!dir.join("tree/stale").exists(), "purged");
    let leftovers: Vec<_> = fs::read_dir(dir.join("tree"))
        .map(|entries| entries.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert_eq!(leftovers.len(), 2, "conf and sub only: {leftovers:?}");
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn a_remote_server_fails_the_promise_with_a_reason() {
    let dir = scratch("remote");
    let policy = POLICY.replace(
        "source => \"$(from)\";",
        "source => \"$(from)\";\n      servers => { \"192.0.2.1\" };",
    );
    fs::write(dir.join("audit.cf"), policy).expect("write policy");
    let output = run(&dir, &[]);
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(
        log.contains("remote copy_from (server '192.0.2.1') is not implemented yet"),
        "{log}"
    );
    assert_eq!(
        fs::read_to_string(dir.join("conf")).unwrap_or_default(),
        "alpha\nbeta\n"
    );
    let _ = fs::remove_dir_all(&dir);
}
