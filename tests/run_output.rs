//! `promise-rs run` output and exit codes: `--format json` makes stdout
//! pure JSON lines (reports, promise outcomes, summary last); vars and
//! classes promises are not counted, as in cf-agent's own totals; the exit
//! code is 0 whatever the outcomes, 1 when the policy does not load or a
//! fatal error stops the run, 2 for a wrong command line, 3 under `--audit`
//! when something would change.

mod common;

use std::fs;
use std::process::Output;

use common::agent_run::{run_policy, scratch};

use serde_json::Value;

fn json_lines(output: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")))
        .collect()
}

const MIXED: &str = r#"body common control { bundlesequence => { "main" }; }
bundle agent main
{
  vars:
      "v" string => "value";
  classes:
      "c" expression => "any";
  commands:
      "/bin/true" handle => "ok_cmd";
      "/bin/false";
  reports:
      "hello $(v)";
}
"#;

#[test]
fn json_format_prints_reports_outcomes_and_the_summary_as_json_lines() {
    let dir = scratch("json");
    let output = run_policy(&dir, MIXED, &["--format", "json"]);
    assert_eq!(output.status.code(), Some(0));
    let events = json_lines(&output);
    let kinds: Vec<&str> = events.iter().filter_map(|e| e["event"].as_str()).collect();
    assert_eq!(
        kinds,
        ["promise", "promise", "report", "promise", "summary"]
    );
    let ok = &events[0];
    assert_eq!(ok["type"], "commands");
    assert_eq!(ok["promiser"], "/bin/true");
    assert_eq!(ok["handle"], "ok_cmd");
    assert_eq!(ok["bundle"], "default:main");
    assert_eq!(ok["outcome"], "repaired");
    assert_eq!(ok["line"], 9);
    assert!(ok["file"]
        .as_str()
        .is_some_and(|f| f.ends_with("policy.cf")));
    let failed = &events[1];
    assert_eq!(failed["outcome"], "not_kept");
    assert_eq!(failed["reason"], "failed");
    assert!(failed["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert_eq!(failed["handle"], "promise_policy_cf_10");
    assert_eq!(events[2]["text"], "hello value");
    assert_eq!(events[3]["outcome"], "kept");
    let summary = &events[4];
    assert_eq!(
        (
            &summary["total"],
            &summary["kept"],
            &summary["repaired"],
            &summary["not_kept"],
            &summary["warned"]
        ),
        (
            &Value::from(3),
            &Value::from(1),
            &Value::from(1),
            &Value::from(1),
            &Value::from(0)
        )
    );
    assert!(summary["fatal"].is_null());
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn human_format_counts_the_same_promises_and_vars_classes_are_not_counted() {
    let dir = scratch("human");
    let output = run_policy(&dir, MIXED, &[]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&output.stdout), "R: hello value\n");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("3 promises: 1 kept, 1 repaired, 1 not kept, 0 warned"),
        "{stderr}"
    );
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn a_missing_bundle_is_fatal_exit_1_with_the_reason_in_the_json_summary() {
    let dir = scratch("fatal");
    let output = run_policy(&dir, MIXED, &["--format", "json", "-b", "nosuch"]);
    assert_eq!(output.status.code(), Some(1));
    let events = json_lines(&output);
    let summary = events.last().expect("a summary");
    assert_eq!(summary["event"], "summary");
    assert!(summary["fatal"]
        .as_str()
        .is_some_and(|f| f.contains("nosuch")));
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn exit_codes_for_a_bad_policy_a_bad_command_line_and_audit() {
    let dir = scratch("codes");
    let broken = run_policy(&dir, "bundle agent main { reports: \"x\" }", &[]);
    assert_eq!(broken.status.code(), Some(1));
    let usage = common::run(&["run", "-f", "/no/such/policy.cf"]);
    assert_eq!(usage.status.code(), Some(2));
    let drift = run_policy(&dir, MIXED, &["--audit", "--format", "json"]);
    assert_eq!(drift.status.code(), Some(3));
    let events = json_lines(&drift);
    assert!(events
        .iter()
        .any(|e| e["event"] == "promise" && e["outcome"] == "warned" && e["message"].is_string()));
    let quiet = MIXED.replace(
        "      \"/bin/true\" handle => \"ok_cmd\";\n      \"/bin/false\";\n",
        "",
    );
    assert_eq!(
        run_policy(&dir, &quiet, &["--audit"]).status.code(),
        Some(0)
    );
    let _ = fs::remove_dir_all(&dir);
}
