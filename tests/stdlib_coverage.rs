//! Every body and bundle of the stdlib (stdlib/*.cf) is exercised by a
//! differential policy, or listed in `tests/differential/STDLIB_NOT_COVERED`
//! with the reason it cannot be (remote servers, package managers, systemd,
//! Windows…). A policy exercises a name when it loads the stdlib from
//! `$(sys.libdir)` (installed into the scratch workdir for both agents, see
//! tests/differential/README.md) and uses the name.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `name → "type file"` of every body and bundle the stdlib defines (the
/// control bodies and the `*_common` bundles that only list inputs aside).
fn stdlib_definitions() -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for entry in fs::read_dir(repo().join("stdlib"))
        .expect("read stdlib")
        .flatten()
    {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "cf") {
            continue;
        }
        let file = entry.file_name().to_string_lossy().into_owned();
        let text = fs::read_to_string(&path).expect("read stdlib file");
        for line in text.lines() {
            let mut words = line.split_whitespace();
            let (Some(kind @ ("body" | "bundle")), Some(_), Some(name)) =
                (words.next(), words.next(), words.next())
            else {
                continue;
            };
            let name: String = name
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if name == "control" || name.ends_with("_common") {
                continue;
            }
            out.insert(name, format!("{kind} in {file}"));
        }
    }
    out
}

/// Text of the differential policies that load the stdlib.
fn policies_using_stdlib() -> Vec<String> {
    let mut out = Vec::new();
    for corpus in ["agent", "files", "functions"] {
        let Ok(entries) = fs::read_dir(repo().join("tests/differential").join(corpus)) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "cf") {
                continue;
            }
            let text = fs::read_to_string(&path).unwrap_or_default();
            if text.contains("$(sys.libdir)/") {
                out.push(text);
            }
        }
    }
    out
}

/// Whether `name` appears as a whole word in policy code (not in comment
/// lines).
fn uses(policy: &str, name: &str) -> bool {
    policy
        .lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .any(|code| {
            code.match_indices(name).any(|(at, _)| {
                let word =
                    |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
                !word(code[..at].chars().next_back())
                    && !word(code[at + name.len()..].chars().next())
            })
        })
}

/// `name reason` lines of STDLIB_NOT_COVERED.
fn not_covered() -> BTreeMap<String, String> {
    fs::read_to_string(repo().join("tests/differential/STDLIB_NOT_COVERED"))
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once(' '))
        .map(|(n, r)| (n.to_string(), r.trim().to_string()))
        .collect()
}

#[test]
fn every_stdlib_body_and_bundle_is_exercised_or_listed() {
    let definitions = stdlib_definitions();
    let policies = policies_using_stdlib();
    let listed = not_covered();
    let mut missing = Vec::new();
    let mut both = Vec::new();
    let mut exercised = 0;
    for (name, what) in &definitions {
        let used = policies.iter().any(|p| uses(p, name));
        match (used, listed.contains_key(name)) {
            (true, true) => both.push(name.clone()),
            (true, false) => exercised += 1,
            (false, true) => {}
            (false, false) => missing.push(format!("{name} ({what})")),
        }
    }
    let unknown: Vec<&String> = listed
        .keys()
        .filter(|n| !definitions.contains_key(*n))
        .collect();
    println!(
        "stdlib: {exercised} of {} bodies and bundles exercised by differential policies, {} listed as not coverable",
        definitions.len(),
        listed.len()
    );
    assert!(
        unknown.is_empty(),
        "STDLIB_NOT_COVERED names what the stdlib does not define: {unknown:?}"
    );
    assert!(
        both.is_empty(),
        "exercised now, remove from STDLIB_NOT_COVERED: {both:?}"
    );
    assert!(
        missing.is_empty(),
        "stdlib bodies and bundles neither exercised by a differential policy nor listed in tests/differential/STDLIB_NOT_COVERED:\n{}",
        missing.join("\n")
    );
}
