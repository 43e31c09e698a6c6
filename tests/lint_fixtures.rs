//! Lint rules: every fixture under tests/fixtures/lint/ triggers its rule on
//! exactly the lines marked `# expect: CODE`, nothing else fires, and the
//! diagnostics match the `.expected` snapshot. Fixtures of rules not built
//! yet wait in tests/fixtures/lint/pending/.

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
    let fixtures: Vec<_> = cf_files(&dir)
        .into_iter()
        .filter(|f| !f.components().any(|c| c.as_os_str() == "pending"))
        .collect();
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
            failures.push(format!(
                "{name}: rule {code} is not implemented (move it to pending/)"
            ));
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
