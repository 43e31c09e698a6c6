//! Differential tests of what outlives a run: each policy under
//! `tests/differential/twice/` runs twice in a row through `cf-agent` and
//! twice through `promise-rs run`, each agent in its own scratch directory
//! (so the second run sees the first run's state: promise locks, persistent
//! classes); the `R:` lines of both runs and the files left behind are
//! compared.
//!
//! The convention is the one of `tests/differential/README.md`, except that
//! the agents run *without* `-K` unless `# flags:` says so, and a
//! `# second flags:` header adds flags to the second run only. Every policy
//! must agree (there is no PASSING list). Without cf-agent it says SKIPPED
//! (and fails under `CI=true`). `DIFF_VERBOSE=1` prints what cf-agent did.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const CF_AGENT: &str = "/usr/bin/cf-agent";
const CF_PROMISES: &str = "/usr/bin/cf-promises";

fn corpus() -> PathBuf {
    common::repo().join("tests/differential/twice")
}

/// The words of header `# <name>: …`.
fn header(policy: &str, name: &str) -> Vec<String> {
    policy
        .lines()
        .take_while(|line| line.starts_with('#'))
        .find_map(|line| {
            line.trim_start_matches('#')
                .trim()
                .strip_prefix(name)
                .and_then(|rest| rest.strip_prefix(':'))
        })
        .map(|words| words.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default()
}

#[derive(Debug, PartialEq, Eq)]
struct Observed {
    first: Vec<String>,
    second: Vec<String>,
    files: BTreeMap<String, String>,
}

fn scratch(name: &str, policy: &str, side: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "promise-twice-{}-{side}-{name}",
        std::process::id()
    ));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join(".workdir/bin")).expect("create scratch directory");
    fs::write(dir.join(name), policy).expect("copy policy");
    std::os::unix::fs::symlink(CF_PROMISES, dir.join(".workdir/bin/cf-promises"))
        .expect("link cf-promises");
    dir
}

fn run_once(cf_agent: bool, dir: &Path, name: &str, flags: &[String]) -> Vec<String> {
    let workdir = dir.join(".workdir");
    let mut command = if cf_agent {
        Command::new(CF_AGENT)
    } else {
        let mut command = common::promise_rs();
        command.arg("run").arg("--workdir").arg(&workdir);
        command
    };
    let output = command
        .arg("-f")
        .arg(dir.join(name))
        .args(flags)
        .current_dir(dir)
        .env("CFENGINE_TEST_OVERRIDE_WORKDIR", &workdir)
        .stdin(Stdio::null())
        .output()
        .expect("run the agent");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|line| line.starts_with("R: "))
        .map(str::to_string)
        .collect()
}

fn observe(cf_agent: bool, name: &str, policy: &str) -> Observed {
    let dir = scratch(name, policy, if cf_agent { "cf" } else { "rs" });
    let flags = header(policy, "flags");
    let mut second_flags = flags.clone();
    second_flags.extend(header(policy, "second flags"));
    let first = run_once(cf_agent, &dir, name, &flags);
    let second = run_once(cf_agent, &dir, name, &second_flags);
    let files = file_tree(&dir, name);
    let _ = fs::remove_dir_all(&dir);
    Observed {
        first,
        second,
        files,
    }
}

/// Relative path → mode and content of the files under `dir`, without
/// `.workdir` and the policy.
fn file_tree(dir: &Path, policy: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == ".workdir" || name == policy {
            continue;
        }
        let Ok(meta) = entry.metadata() else { continue };
        let content = fs::read(entry.path()).unwrap_or_default();
        out.insert(
            name,
            format!(
                "{:04o} {:?}",
                meta.permissions().mode() & 0o7777,
                String::from_utf8_lossy(&content)
            ),
        );
    }
    out
}

#[test]
fn state_across_two_runs_agrees_with_cf_agent() {
    if !Path::new(CF_AGENT).exists() {
        common::skip("run_twice", "cf-agent is not installed");
        return;
    }
    let mut names: Vec<String> = fs::read_dir(corpus())
        .expect("read the corpus")
        .flatten()
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|name| name.ends_with(".cf"))
        .collect();
    names.sort();
    assert!(!names.is_empty());
    let mut disagreements = Vec::new();
    for name in &names {
        let policy = fs::read_to_string(corpus().join(name)).expect("read policy");
        let expected = observe(true, name, &policy);
        let actual = observe(false, name, &policy);
        if std::env::var_os("DIFF_VERBOSE").is_some() {
            println!("{name}: cf-agent {expected:#?}");
        }
        if expected != actual {
            disagreements.push(format!(
                "{name}:\n  cf-agent:   {expected:?}\n  promise-rs: {actual:?}"
            ));
        }
    }
    assert!(
        disagreements.is_empty(),
        "disagreements with cf-agent:\n{}",
        disagreements.join("\n")
    );
}
