//! The compiler's syntax tables against CFEngine's own description of its
//! syntax: what the installed `cf-promises --syntax-description json` prints
//! (the same document is kept beside the repository in shared/, used when
//! cf-promises is missing). Any difference fails, unless listed in DELIBERATE.

mod common;

use compiler::syntax::{self, Attribute};
use serde_json::Value;

/// Differences we mean to have, as "path: reason". None so far.
const DELIBERATE: &[&str] = &[];

fn cfengine_syntax() -> Option<Value> {
    if let Some(text) = from_cf_promises() {
        return Some(serde_json::from_str(&text).expect("valid JSON"));
    }
    let path = common::repo().join("../shared/cfengine-3.21-syntax.json");
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(serde_json::from_str(&text).expect("valid JSON")),
        Err(_) => {
            common::skip(
                "syntax_table",
                &format!(
                    "cf-promises is not installed and {} is missing",
                    path.display()
                ),
            );
            None
        }
    }
}

/// `cf-promises --syntax-description json`, run in a workdir of its own.
fn from_cf_promises() -> Option<String> {
    let cf_promises = common::cf_promises()?;
    let workdir = common::tempdir("syntax-description");
    let out = std::process::Command::new(cf_promises)
        .args(["--syntax-description", "json"])
        .env("CFENGINE_TEST_OVERRIDE_WORKDIR", &workdir)
        .output()
        .ok()?;
    let _ = std::fs::remove_dir_all(&workdir);
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn compare_attributes(owner: &str, ours: &[Attribute], theirs: &Value, diffs: &mut Vec<String>) {
    let theirs = theirs["attributes"].as_object().expect("attributes");
    for (name, a) in theirs {
        let Some(mine) = ours.iter().find(|m| m.name == name) else {
            diffs.push(format!("{owner}.{name}: missing"));
            continue;
        };
        let visibility = match mine.visibility {
            syntax::Visibility::Global => "global",
            syntax::Visibility::PromiseType => "promiseType",
            syntax::Visibility::Body => "body",
            syntax::Visibility::Bundle => "bundle",
        };
        let status = match mine.status {
            syntax::Status::Normal => "normal",
            syntax::Status::Deprecated => "deprecated",
        };
        let fields = [
            ("type", mine.kind.cfengine_name()),
            ("range", mine.range),
            ("visibility", visibility),
            ("status", status),
        ];
        for (field, value) in fields {
            let expected = a[field].as_str().unwrap_or("");
            if expected != value {
                diffs.push(format!(
                    "{owner}.{name}.{field}: ours {value:?}, CFEngine {expected:?}"
                ));
            }
        }
    }
    for mine in ours {
        if !theirs.contains_key(mine.name) {
            diffs.push(format!("{owner}.{}: not in CFEngine", mine.name));
        }
    }
}

#[test]
fn syntax_table_matches_cfengine() {
    let Some(cf) = cfengine_syntax() else { return };
    let mut diffs = Vec::new();
    for (name, b) in cf["bundleTypes"].as_object().expect("bundleTypes") {
        match syntax::bundle_type(name) {
            Some(mine) => {
                let theirs: Vec<&str> = b["promiseTypes"]
                    .as_array()
                    .expect("list")
                    .iter()
                    .filter_map(Value::as_str)
                    .collect();
                if mine.promise_types != theirs.as_slice() {
                    diffs.push(format!("bundle {name}: promise types differ"));
                }
            }
            None => diffs.push(format!("bundle type {name}: missing")),
        }
    }
    for (name, p) in cf["promiseTypes"].as_object().expect("promiseTypes") {
        match syntax::promise_type(name) {
            Some(mine) => compare_attributes(name, mine.attributes, p, &mut diffs),
            None => diffs.push(format!("promise type {name}: missing")),
        }
    }
    for (name, b) in cf["bodyTypes"].as_object().expect("bodyTypes") {
        match syntax::body_type(name) {
            Some(mine) => {
                compare_attributes(&format!("body {name}"), mine.attributes, b, &mut diffs)
            }
            None => diffs.push(format!("body type {name}: missing")),
        }
    }
    for (name, f) in cf["functions"].as_object().expect("functions") {
        let Some(mine) = syntax::function(name) else {
            diffs.push(format!("function {name}: missing"));
            continue;
        };
        if f["returnType"].as_str() != Some(mine.return_type.cfengine_name()) {
            diffs.push(format!("function {name}: return type"));
        }
        if f["variadic"].as_bool() != Some(mine.variadic) {
            diffs.push(format!("function {name}: variadic"));
        }
        let params = f["parameters"].as_array().expect("parameters");
        let kinds: Vec<&str> = params.iter().filter_map(|p| p["type"].as_str()).collect();
        let ours: Vec<&str> = mine
            .parameters
            .iter()
            .map(|p| p.kind.cfengine_name())
            .collect();
        if kinds != ours {
            diffs.push(format!("function {name}: parameters {ours:?} vs {kinds:?}"));
        }
    }
    let counts = (
        syntax::BUNDLE_TYPES.len(),
        syntax::PROMISE_TYPES.len(),
        syntax::BODY_TYPES.len(),
        syntax::FUNCTIONS.len(),
    );
    assert_eq!(
        counts,
        (
            cf["bundleTypes"].as_object().map_or(0, |o| o.len()),
            cf["promiseTypes"].as_object().map_or(0, |o| o.len()),
            cf["bodyTypes"].as_object().map_or(0, |o| o.len()),
            cf["functions"].as_object().map_or(0, |o| o.len()),
        )
    );
    diffs.retain(|d| !DELIBERATE.iter().any(|del| del.starts_with(d.as_str())));
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}
