//! `promise-rs run` on commands promises: `--audit` changes nothing and
//! exits 3 when something would change, `-n` says what it would execute, a
//! missing command is not kept with a reason naming its file and line, and
//! the run goes on. (Agreement with cf-agent is the differential tests' job.)

mod common;

use std::fs;

use common::agent_run::{run_policy, scratch};

const TOUCH: &str = r#"body common control { bundlesequence => { "main" }; }
bundle agent main
{
  commands:
      "/usr/bin/touch $(this.promise_dirname)/created";
  reports:
      "done";
}
"#;

#[test]
fn audit_reports_the_command_line_changes_nothing_and_exits_3() {
    let dir = scratch("audit");
    let output = run_policy(&dir, TOUCH, &["--audit"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(!dir.join("created").exists());
    assert!(
        stderr.contains(&format!(
            "would run: /usr/bin/touch {}/created",
            dir.display()
        )),
        "{stderr}"
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("R: done"));
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn dry_run_says_what_it_would_execute_and_prints_no_reports() {
    let dir = scratch("dry");
    let output = run_policy(&dir, TOUCH, &["-n"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(!dir.join("created").exists());
    assert!(
        stderr.contains("Would execute script '/usr/bin/touch"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Need to repair reports promise: done"),
        "{stderr}"
    );
    assert!(!String::from_utf8_lossy(&output.stdout).contains("R: "));
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn normal_run_executes_and_a_missing_command_names_its_line() {
    let dir = scratch("normal");
    let policy = TOUCH.replace(
        "  reports:",
        "      \"/no/such/command --flag\";\n  reports:",
    );
    let output = run_policy(&dir, &policy, &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(dir.join("created").exists());
    let reason = stderr
        .lines()
        .find(|line| line.contains("/no/such/command"))
        .unwrap_or_default();
    assert!(reason.contains("policy.cf:6:"), "{stderr}");
    assert!(
        reason.contains("promises to be executable but isn't"),
        "{stderr}"
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("R: done"));
    let _ = fs::remove_dir_all(&dir);
}
