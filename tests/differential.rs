//! Differential tests: each policy under `tests/differential/agent/` (the
//! evaluator and the promise types) and `tests/differential/files/` (files
//! promises) runs
//! through `cf-agent -K -f` and through `promise-rs run -K -f`, each in its
//! own scratch directory, following `tests/differential/README.md`
//! exactly; the `R:` lines and the files left behind are compared.
//!
//! Most policies need features later slices bring, so the test fails only
//! when a policy listed in the corpus's `PASSING` disagrees; it prints how many of
//! the whole corpus agree, and which agreeing policies are not yet listed.
//! Without cf-agent it says SKIPPED (and fails under `CI=true`).
//! `DIFF_VERBOSE=1` prints every disagreement; `DIFF_ONLY=copy_,exist_link`
//! runs only the policies whose names start with one of the given prefixes.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use common::differential::{
    daemon_pids, describe, flags, run, scratch, stop_new_daemons, Agent, CF_AGENT,
};

fn corpus_dir(corpus: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/differential")
        .join(corpus)
}

fn compare(corpus: &str, name: &str, before: &BTreeSet<u32>) -> Option<String> {
    let policy = fs::read_to_string(corpus_dir(corpus).join(name)).expect("read policy");
    let flags = flags(&policy);
    let cf_dir = scratch(name, &policy, "cf");
    let expected = run(Agent::CfAgent, &cf_dir, name, &flags);
    stop_new_daemons(before);
    let rs_dir = scratch(name, &policy, "rs");
    let actual = run(Agent::PromiseRs, &rs_dir, name, &flags);
    let _ = fs::remove_dir_all(&cf_dir);
    let _ = fs::remove_dir_all(&rs_dir);
    (expected != actual).then(|| describe(&expected, &actual))
}

fn listed_as_passing(corpus: &str) -> BTreeSet<String> {
    fs::read_to_string(corpus_dir(corpus).join("PASSING"))
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(str::to_string)
        .collect()
}

fn policies(corpus: &str) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(corpus_dir(corpus))
        .expect("read corpus")
        .flatten()
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|name| name.ends_with(".cf"))
        .collect();
    names.sort();
    names
}

/// The policies `DIFF_ONLY` selects (all when it is unset).
fn selected(names: Vec<String>) -> Vec<String> {
    let Ok(only) = std::env::var("DIFF_ONLY") else {
        return names;
    };
    let prefixes: Vec<&str> = only.split(',').map(str::trim).collect();
    names
        .into_iter()
        .filter(|name| prefixes.iter().any(|p| name.starts_with(p)))
        .collect()
}

#[test]
fn differential_agent() {
    differential("agent");
}

#[test]
fn differential_files() {
    differential("files");
}

fn differential(corpus: &str) {
    if !Path::new(CF_AGENT).exists() {
        println!("SKIPPED: {CF_AGENT} is not installed");
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "cf-agent is required under CI"
        );
        return;
    }
    let all = policies(corpus);
    let passing = listed_as_passing(corpus);
    for listed in &passing {
        assert!(
            all.contains(listed),
            "PASSING names {listed}, which is not in the corpus"
        );
    }
    let names = selected(all);
    let before = daemon_pids();
    let disagreements: Mutex<BTreeMap<String, String>> = Mutex::new(BTreeMap::new());
    let next = AtomicUsize::new(0);
    let workers = std::thread::available_parallelism().map_or(4, |n| n.get().min(8));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                while let Some(name) = names.get(next.fetch_add(1, Ordering::SeqCst)) {
                    if let Some(difference) = compare(corpus, name, &before) {
                        if let Ok(mut all) = disagreements.lock() {
                            all.insert(name.clone(), difference);
                        }
                    }
                }
            });
        }
    });
    stop_new_daemons(&before);
    let disagreements = disagreements.into_inner().unwrap_or_default();
    let agreeing: Vec<&String> = names
        .iter()
        .filter(|n| !disagreements.contains_key(*n))
        .collect();
    println!(
        "\n===== differential {corpus}: {} of {} agree =====\n",
        agreeing.len(),
        names.len()
    );
    let unlisted: Vec<&&String> = agreeing.iter().filter(|n| !passing.contains(**n)).collect();
    if std::env::var_os("DIFF_VERBOSE").is_some() {
        for (name, difference) in &disagreements {
            println!("--- {name} disagrees:\n{difference}");
        }
    }
    if !unlisted.is_empty() {
        println!("agree but are not in PASSING: {unlisted:?}");
    }
    let regressions: Vec<String> = passing
        .iter()
        .filter_map(|name| {
            disagreements
                .get(name)
                .map(|difference| format!("{name}:\n{difference}"))
        })
        .collect();
    assert!(
        regressions.is_empty(),
        "policies listed in PASSING disagree with cf-agent:\n{}",
        regressions.join("\n")
    );
}
