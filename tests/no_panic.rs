//! The parser never panics: it is fed mutated masterfiles and random bytes
//! for a bounded time (PROMISE_FUZZ_SECONDS, default 5; CI runs longer).

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::mutate::{mutate, Rng};
use common::*;

fn budget() -> Duration {
    let seconds = std::env::var("PROMISE_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    Duration::from_secs(seconds)
}

fn exercise(text: &str) {
    let out = grammar::parse("fuzz.cf", text);
    let _ = grammar::printer::print(&out.file);
    let _ = grammar::check_string_references(&out.file);
    for d in &out.diagnostics {
        assert!(
            d.span.end as usize <= text.len(),
            "span past the end: {d:?}"
        );
        assert!(d.span.line >= 1 && d.span.column >= 1, "no position: {d:?}");
    }
}

#[test]
fn mutated_policies_never_panic() {
    let mut seeds: Vec<String> = cf_files(Path::new(MASTERFILES))
        .iter()
        .chain(cf_files(&repo().join("tests/fixtures")).iter())
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect();
    if seeds.len() < 10 {
        skip(
            "mutated masterfiles",
            "masterfiles are not installed; fuzzing fixtures only",
        );
    }
    seeds.retain(|s| s.len() < 40_000);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ std::process::id() as u64);
    let started = Instant::now();
    let mut cases = 0u64;
    while started.elapsed() < budget() {
        let seed = &seeds[rng.below(seeds.len())];
        let text = mutate(&mut rng, seed);
        let result = std::panic::catch_unwind(|| exercise(&text));
        if result.is_err() {
            let path = std::env::temp_dir().join("promise-rs-fuzz-crash.cf");
            let _ = std::fs::write(&path, &text);
            panic!("parser panicked; input saved to {}", path.display());
        }
        cases += 1;
    }
    eprintln!("fuzzed {cases} mutated policies in {:?}", started.elapsed());
    assert!(cases > 100);
}

#[test]
fn deep_nesting_is_a_diagnostic_not_a_crash() {
    let n = 100_000;
    let cases = [
        format!(
            "bundle agent x {{\nreports:\n {}a{}::\n \"x\";\n}}\n",
            "(".repeat(n),
            ")".repeat(n)
        ),
        format!(
            "bundle agent x {{\nvars:\n \"x\" string => {}\"a\"{};\n}}\n",
            "f(".repeat(n),
            ")".repeat(n)
        ),
        format!(
            "bundle agent x {{\nvars:\n \"x\" string => \"{}a{}\";\n}}\n",
            "$(".repeat(n),
            ")".repeat(n)
        ),
        format!(
            "bundle agent x {{\nvars:\n \"x\" slist => {};\n}}\n",
            "{".repeat(n)
        ),
    ];
    let negations = format!(
        "bundle agent x {{\nreports:\n {}a::\n \"x\";\n}}\n",
        "!".repeat(n)
    );
    exercise(&negations);
    for text in &cases {
        exercise(text);
        let out = grammar::parse("deep.cf", text);
        let warnings = grammar::check_string_references(&out.file);
        assert!(
            !out.diagnostics.is_empty() || !warnings.is_empty(),
            "{}",
            &text[..60]
        );
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    let started = Instant::now();
    while started.elapsed() < budget() / 5 {
        let len = rng.below(400);
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        exercise(&String::from_utf8_lossy(&bytes));
    }
}
