//! The parser's fast path (grammar/src/fast.rs) builds exactly the tree the
//! pest grammar builds: on every policy file we have, and on mutated ones,
//! `parse` and `parse_with_grammar_only` give the same tree and diagnostics.
//! And the fast path does read well-formed policy on its own: otherwise it
//! would be correct but useless.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::mutate::{mutate, Rng};
use common::*;

fn corpus() -> Vec<PathBuf> {
    let mut files = cf_files(Path::new(MASTERFILES));
    if files.len() < 10 {
        skip("fast path on masterfiles", "masterfiles are not installed");
    }
    for dir in ["stdlib", "examples", "tests/fixtures", "tests/differential"] {
        files.extend(cf_files(&repo().join(dir)));
    }
    files
}

/// The tree and diagnostics both ways, as JSON; `None` when they agree.
fn disagreement(text: &str) -> Option<String> {
    let fast = grammar::parse("policy.cf", text);
    let grammar_only = grammar::parse_with_grammar_only("policy.cf", text);
    let as_json = |out: &grammar::ParseOutput| serde_json::json!({ "file": out.file, "diagnostics": out.diagnostics });
    let (fast, grammar_only) = (as_json(&fast), as_json(&grammar_only));
    (fast != grammar_only).then(|| format!("fast path:\n{fast:#}\ngrammar:\n{grammar_only:#}"))
}

#[test]
fn fast_path_and_grammar_agree_on_every_policy_file() {
    let files = corpus();
    let mut failures = Vec::new();
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        if let Some(difference) = disagreement(&text) {
            failures.push(format!("{}:\n{difference}", path.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} files differ; first:\n{}",
        failures.len(),
        files.len(),
        failures[0].chars().take(6000).collect::<String>()
    );
}

#[test]
fn fast_path_reads_well_formed_masterfiles_on_its_own() {
    let files = cf_files(Path::new(MASTERFILES));
    if files.len() < 10 {
        return skip("fast path on masterfiles", "masterfiles are not installed");
    }
    let fallbacks: Vec<&PathBuf> = files
        .iter()
        .filter(|path| {
            std::fs::read_to_string(path).is_ok_and(|text| {
                !grammar::fast_path_reads(&text)
                    && grammar::parse_with_grammar_only("policy.cf", &text)
                        .diagnostics
                        .is_empty()
            })
        })
        .collect();
    // A file with a diagnostic (federation.cf has a warning) is left to the
    // grammar on purpose: the builder explains it.
    assert!(
        fallbacks.is_empty(),
        "the fast path gave up on {} of {} files: {fallbacks:?}",
        fallbacks.len(),
        files.len()
    );
}

#[test]
fn fast_path_and_grammar_agree_on_mutated_policy() {
    let seeds: Vec<String> = corpus()
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .filter(|s| s.len() < 40_000)
        .collect();
    let mut rng = Rng(0x2545_F491_4F6C_DD1D ^ std::process::id() as u64);
    let budget = Duration::from_secs(
        std::env::var("PROMISE_FUZZ_SECONDS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(5),
    );
    let started = Instant::now();
    let mut cases = 0u64;
    while started.elapsed() < budget {
        let seed = &seeds[rng.below(seeds.len())];
        let text = mutate(&mut rng, seed);
        if let Some(difference) = disagreement(&text) {
            let path = std::env::temp_dir().join("promise-rs-fast-path-differs.cf");
            let _ = std::fs::write(&path, &text);
            panic!(
                "fast path and grammar differ on {}:\n{}",
                path.display(),
                difference.chars().take(6000).collect::<String>()
            );
        }
        cases += 1;
    }
    eprintln!(
        "compared {cases} mutated policies in {:?}",
        started.elapsed()
    );
    assert!(cases > 50);
}

#[test]
fn deep_nesting_is_left_to_the_grammar_without_overflowing() {
    for depth in [10, 63, 64, 65, 200, 5_000] {
        let calls = format!("{}x{}", "f(".repeat(depth), ")".repeat(depth));
        let vars = format!("{}x{}", "$(".repeat(depth), ")".repeat(depth));
        for rval in [calls, format!("\"{vars}\""), vars] {
            let text = format!("bundle agent a {{ vars: \"v\" string => {rval}; }}");
            if let Some(difference) = disagreement(&text) {
                panic!(
                    "depth {depth}: {}",
                    &difference[..difference.len().min(2000)]
                );
            }
        }
    }
}
