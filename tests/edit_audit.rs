//! Audit and dry runs of file edits: nothing is written, and the warning of
//! the files promise shows a unified diff of what the edit, the template
//! or `content` would write (promise-rs's own behaviour: cf-agent only says
//! "Should edit file").

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
        edit_line => change;
      "$(S)/rendered"
        create => "true",
        edit_template_string => "port={{port}}$(const.n)",
        template_method => "inline_mustache",
        template_data => parsejson('{ "port": 8080 }');
      "$(S)/whole"
        content => "one$(const.n)three$(const.n)";
}

bundle edit_line change
{
  delete_lines:
      "beta";
  insert_lines:
      "delta";
}
"#;

fn scratch(name: &str) -> PathBuf {
    let dir = agent_run::scratch(&format!("edit-audit-{name}"));
    fs::write(dir.join("audit.cf"), POLICY).expect("write policy");
    fs::write(dir.join("conf"), "alpha\nbeta\ngamma\n").expect("write conf");
    fs::write(dir.join("rendered"), "port=80\n").expect("write rendered");
    fs::write(dir.join("whole"), "one\ntwo\n").expect("write whole");
    dir
}

fn run(dir: &Path, flag: &str) -> Output {
    agent_run::run_file(dir, &dir.join("audit.cf"), &[flag])
}

fn check_nothing_written_and_diffs_shown(flag: &str) {
    let dir = scratch(flag.trim_start_matches('-'));
    let output = run(&dir, flag);
    let log = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        fs::read_to_string(dir.join("conf")).unwrap_or_default(),
        "alpha\nbeta\ngamma\n"
    );
    assert_eq!(
        fs::read_to_string(dir.join("rendered")).unwrap_or_default(),
        "port=80\n"
    );
    assert!(
        !dir.join("conf.cf-before-edit").exists(),
        "no backup in an audit"
    );
    assert!(
        log.contains("@@ -1,3 +1,3 @@\n alpha\n-beta\n gamma\n+delta\n"),
        "{log}"
    );
    assert!(log.contains("@@ -1 +1 @@\n-port=80\n+port=8080\n"), "{log}");
    assert!(
        log.contains("@@ -1,2 +1,2 @@\n one\n-two\n+three\n"),
        "{log}"
    );
    assert_eq!(
        fs::read_to_string(dir.join("whole")).unwrap_or_default(),
        "one\ntwo\n"
    );
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn audit_shows_the_diff_of_edits_and_templates() {
    check_nothing_written_and_diffs_shown("--audit");
}

#[test]
fn dry_run_shows_the_diff_of_edits_and_templates() {
    check_nothing_written_and_diffs_shown("-n");
}

#[test]
fn a_real_run_makes_the_changes_the_audit_showed() {
    let dir = scratch("apply");
    let output = run(&dir, "-v");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        fs::read_to_string(dir.join("conf")).unwrap_or_default(),
        "alpha\ngamma\ndelta\n"
    );
    assert_eq!(
        fs::read_to_string(dir.join("rendered")).unwrap_or_default(),
        "port=8080\n"
    );
    assert_eq!(
        fs::read_to_string(dir.join("conf.cf-before-edit")).unwrap_or_default(),
        "alpha\nbeta\ngamma\n"
    );
    let _ = fs::remove_dir_all(&dir);
}
