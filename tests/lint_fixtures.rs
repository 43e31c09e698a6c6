//! Lint rules: every fixture under tests/fixtures/lint/ triggers its rule on
//! exactly the lines marked `# expect: CODE`, nothing else fires, and the
//! diagnostics match the `.expected` snapshot; and the record of which
//! error fixtures cf-promises rejects is what cf-promises does.

mod common;

use std::collections::BTreeSet;

use common::*;

fn implemented_codes() -> BTreeSet<String> {
    let out = run(&["lint", "--list-rules"]);
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split('\t').next().map(str::to_string))
        .collect()
}

#[test]
fn every_fixture_triggers_its_rule_and_nothing_else() {
    let codes = implemented_codes();
    let dir = repo().join("tests/fixtures/lint");
    let fixtures = cf_files(&dir);
    assert!(!fixtures.is_empty());
    let mut failures = Vec::new();
    let mut covered = BTreeSet::new();
    for file in &fixtures {
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let code = name.split('_').next().unwrap_or_default().to_string();
        if !codes.contains(&code) {
            failures.push(format!("{name}: rule {code} does not exist"));
            continue;
        }
        covered.insert(code.clone());
        let text = std::fs::read_to_string(file).expect("fixture");
        let expected: BTreeSet<(usize, String)> = text
            .lines()
            .enumerate()
            .filter_map(|(i, line)| {
                let marker = line.split("# expect:").nth(1)?;
                Some((i + 1, marker.trim().to_string()))
            })
            .collect();
        let out = promise_rs()
            .current_dir(&dir)
            .args(["lint", "--format", "short", name])
            .output()
            .expect("promise-rs runs");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let actual: BTreeSet<(usize, String)> = stdout
            .lines()
            .filter_map(|l| {
                let mut parts = l.splitn(5, ':');
                let _file = parts.next()?;
                let line: usize = parts.next()?.parse().ok()?;
                let _col = parts.next()?;
                let _severity = parts.next()?;
                let code = parts.next()?.trim().split(':').next()?.to_string();
                Some((line, code))
            })
            .collect();
        if expected != actual {
            failures.push(format!(
                "{name}: expected {expected:?}, got {actual:?}\n{stdout}"
            ));
            continue;
        }
        if let Err(e) = check_snapshot(&file.with_extension("expected"), &stdout) {
            failures.push(e);
        }
    }
    let uncovered: Vec<&String> = codes.iter().filter(|c| !covered.contains(*c)).collect();
    if !uncovered.is_empty() {
        failures.push(format!("rules without a fixture: {uncovered:?}"));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn rules_can_be_explained() {
    for code in implemented_codes() {
        let out = run(&["lint", "--explain", &code]);
        assert!(out.status.success(), "{code}");
    }
}

/// tests/fixtures/lint/cf-promises.tsv records, for every error fixture,
/// whether cf-promises 3.21 rejects it; the README's rule table rests on it.
#[test]
fn cf_promises_record_matches_cf_promises() {
    if cf_promises().is_none() {
        skip(
            "cf_promises_record_matches_cf_promises",
            "cf-promises not installed",
        );
        return;
    }
    let dir = repo().join("tests/fixtures/lint");
    let record = std::fs::read_to_string(dir.join("cf-promises.tsv")).expect("cf-promises.tsv");
    let recorded: std::collections::BTreeMap<String, String> = record
        .lines()
        .skip(1)
        .filter_map(|line| {
            let mut fields = line.split('\t');
            Some((fields.next()?.to_string(), fields.nth(1)?.to_string()))
        })
        .collect();
    let mut failures = Vec::new();
    for file in cf_files(&dir) {
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        if !name.starts_with('E') {
            continue;
        }
        // "partly": cf-promises rejects the file but misses some of its mistakes.
        let rejected = !cf_promises_accepts(&file);
        match recorded.get(&name).map(String::as_str) {
            None => failures.push(format!("{name}: no row in cf-promises.tsv")),
            Some(r) if (r != "no") != rejected => failures.push(format!(
                "{name}: cf-promises.tsv says catches={r}, but cf-promises {} it",
                if rejected { "rejects" } else { "accepts" }
            )),
            Some(_) => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
