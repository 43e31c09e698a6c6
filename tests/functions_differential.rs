//! The generated function differential test: every policy under
//! `tests/differential/functions/` (made by `generate.py` from
//! `cases/*.cases`) runs through cf-agent and promise-rs as the agent corpus
//! does (tests/differential/README.md), with the `fixtures/` tree copied
//! to `S/fixtures`. Each case prints one `R: <function>#<n> = <result>`
//! line; the test compares them case by case.
//!
//! It fails when a case disagrees and is not listed in `KNOWN` (with the
//! reason), or when a policy prints nothing at all (cf-agent stopped). It
//! prints how many cases agree. `FUNCTIONS_BLESS=1` records cf-agent's lines
//! in `<family>.expected`; otherwise a case whose cf-agent answer moved
//! away from the recorded one is reported (not failed: some answers depend
//! on the host). `DIFF_VERBOSE=1` prints every disagreement.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use common::differential::{run, Agent, CF_AGENT};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/differential/functions")
}

/// Copies a tree, keeping symlinks as symlinks.
fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create fixtures dir");
    for entry in fs::read_dir(from).expect("read fixtures").flatten() {
        let (source, target) = (entry.path(), to.join(entry.file_name()));
        let meta = fs::symlink_metadata(&source).expect("fixture metadata");
        if meta.file_type().is_symlink() {
            let link = fs::read_link(&source).expect("read fixture link");
            std::os::unix::fs::symlink(link, &target).expect("copy fixture link");
        } else if meta.is_dir() {
            copy_tree(&source, &target);
        } else {
            fs::copy(&source, &target).expect("copy fixture");
        }
    }
}

/// The scratch directory of one side, fixtures in place.
fn scratch(name: &str, policy: &str, side: &str) -> PathBuf {
    let dir = common::differential::scratch(name, policy, &format!("fn-{side}"));
    copy_tree(&corpus().join("fixtures"), &dir.join("fixtures"));
    dir
}

/// `R:` lines of one side by case id, scratch paths shown as `<S>`.
fn results(agent: Agent, name: &str, policy: &str, side: &str) -> BTreeMap<String, String> {
    let dir = scratch(name, policy, side);
    let observed = run(agent, &dir, name, &[]);
    let _ = fs::remove_dir_all(&dir);
    let scratch_path = dir.display().to_string();
    observed
        .reports
        .iter()
        .filter_map(|line| {
            let line = line.replace(&scratch_path, "<S>");
            let (id, result) = line.strip_prefix("R: ")?.split_once(" = ")?;
            Some((id.to_string(), result.to_string()))
        })
        .collect()
}

/// `family/function#n reason` lines.
fn known() -> BTreeMap<String, String> {
    fs::read_to_string(corpus().join("KNOWN"))
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let (case, reason) = l.split_once(' ')?;
            Some((case.to_string(), reason.trim().to_string()))
        })
        .collect()
}

fn expected_lines(results: &BTreeMap<String, String>) -> String {
    results
        .iter()
        .map(|(id, result)| format!("{id} = {result}\n"))
        .collect()
}

fn parse_expected(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|l| l.split_once(" = "))
        .map(|(id, r)| (id.to_string(), r.to_string()))
        .collect()
}

/// Case ids a policy prints, in the order of its cases file.
fn case_ids(policy: &str) -> Vec<String> {
    policy
        .lines()
        .filter_map(|l| l.trim().strip_prefix('"'))
        .filter_map(|l| l.split_once(" = ").map(|(id, _)| id.to_string()))
        .filter(|id| id.contains('#'))
        .fold(Vec::new(), |mut ids, id| {
            if !ids.contains(&id) {
                ids.push(id);
            }
            ids
        })
}

/// One policy's run: its name, its case ids, cf-agent's and promise-rs's
/// answers by case id.
type FamilyRun = (
    String,
    Vec<String>,
    BTreeMap<String, String>,
    BTreeMap<String, String>,
);

/// Functions that no case can call, with the reason.
const NOT_CALLABLE: &[(&str, &str)] = &[
    (
        "irange",
        "its value is an integer range for body attributes; a variable cannot hold it",
    ),
    (
        "rrange",
        "its value is a real range for body attributes; a variable cannot hold it",
    ),
];

/// Every implemented function is called by some case.
#[test]
fn every_implemented_function_has_cases() {
    let cases: String = fs::read_dir(corpus().join("cases"))
        .expect("read cases")
        .flatten()
        .filter_map(|e| fs::read_to_string(e.path()).ok())
        .collect();
    let uncovered: Vec<&str> = compiler::syntax::FUNCTIONS
        .iter()
        .map(|f| f.name)
        .filter(|name| runtime::functions::table().get(name).is_some())
        .filter(|name| NOT_CALLABLE.iter().all(|(n, _)| n != name))
        .filter(|name| {
            !cases.lines().any(|line| {
                line.match_indices(&format!("{name}(")).any(|(at, _)| {
                    at == 0
                        || !line.as_bytes()[at - 1].is_ascii_alphanumeric()
                            && line.as_bytes()[at - 1] != b'_'
                })
            })
        })
        .collect();
    assert!(
        uncovered.is_empty(),
        "implemented functions without a case in tests/differential/functions/cases: {uncovered:?}"
    );
}

#[test]
fn functions_agree_with_cf_agent() {
    if !Path::new(CF_AGENT).exists() {
        common::skip("functions_differential", "cf-agent is not installed");
        return;
    }
    let mut families: Vec<String> = fs::read_dir(corpus())
        .expect("read corpus")
        .flatten()
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| n.ends_with(".cf"))
        .collect();
    families.sort();
    let bless = std::env::var("FUNCTIONS_BLESS").is_ok_and(|v| v == "1");
    let verbose = std::env::var_os("DIFF_VERBOSE").is_some();
    let known = known();
    let outcomes: Vec<FamilyRun> = std::thread::scope(|scope| {
        let handles: Vec<_> = families
            .iter()
            .map(|name| {
                scope.spawn(move || {
                    let policy = fs::read_to_string(corpus().join(name)).expect("policy");
                    let cf = results(Agent::CfAgent, name, &policy, "cf");
                    let rs = results(Agent::PromiseRs, name, &policy, "rs");
                    (name.clone(), case_ids(&policy), cf, rs)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("family thread"))
            .collect()
    });

    let (mut total, mut agree) = (0, 0);
    let mut unexpected = Vec::new();
    let mut known_agreeing = Vec::new();
    for (name, ids, cf, rs) in &outcomes {
        let family = name.trim_end_matches(".cf");
        assert!(
            !cf.is_empty(),
            "{name}: cf-agent printed no case at all (a fatal error stops the whole policy)"
        );
        let expected_path = corpus().join(format!("{family}.expected"));
        if bless {
            fs::write(&expected_path, expected_lines(cf)).expect("write .expected");
        } else if let Ok(text) = fs::read_to_string(&expected_path) {
            for (id, recorded) in parse_expected(&text) {
                if cf.get(&id) != Some(&recorded) {
                    println!(
                        "note: {family}/{id}: cf-agent now says {:?}, recorded {recorded:?}",
                        cf.get(&id)
                    );
                }
            }
        }
        for id in ids {
            total += 1;
            let key = format!("{family}/{id}");
            let (theirs, ours) = (cf.get(id), rs.get(id));
            if theirs == ours {
                agree += 1;
                if known.contains_key(&key) {
                    known_agreeing.push(key);
                }
                continue;
            }
            let line = format!("{key}\n    cf-agent:   {theirs:?}\n    promise-rs: {ours:?}");
            if verbose {
                println!("{line}");
            }
            if !known.contains_key(&key) {
                unexpected.push(line);
            }
        }
    }
    println!("\n===== functions differential: {agree} of {total} cases agree ({} known differences) =====\n", known.len());
    if !known_agreeing.is_empty() {
        println!("listed in KNOWN but agree now: {known_agreeing:?}");
    }
    assert!(
        unexpected.is_empty(),
        "{} cases disagree with cf-agent and are not in tests/differential/functions/KNOWN:\n{}",
        unexpected.len(),
        unexpected.join("\n")
    );
}
