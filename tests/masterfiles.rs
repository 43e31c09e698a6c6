//! Every policy file Debian's cfengine3 ships parses with zero errors, and
//! printing its tree and parsing that again gives the same tree.

mod common;

use std::path::Path;

use common::*;

fn masterfiles() -> Option<Vec<std::path::PathBuf>> {
    let files = cf_files(Path::new(MASTERFILES));
    if files.is_empty() {
        skip(
            "masterfiles",
            "Debian's cfengine3 is not installed (no masterfiles)",
        );
        return None;
    }
    Some(files)
}

/// The tree as JSON without spans: what the text says, not where.
fn shape(file: &grammar::ast::PolicyFile) -> serde_json::Value {
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(map) => {
                map.remove("span");
                map.remove("at");
                map.values_mut().for_each(strip);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut v = serde_json::to_value(&file.blocks).expect("tree serializes");
    strip(&mut v);
    v
}

#[test]
fn every_masterfile_parses_without_errors() {
    let Some(files) = masterfiles() else { return };
    assert!(
        files.len() >= 79,
        "expected the 79 masterfiles, found {}",
        files.len()
    );
    let mut problems = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).expect("masterfile is UTF-8");
        let out = grammar::parse(&path.display().to_string(), &text);
        for d in out.diagnostics.iter().filter(|d| d.is_error()) {
            problems.push(format!(
                "{}:{}:{}: {}",
                path.display(),
                d.span.line,
                d.span.column,
                d.message
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn masterfiles_round_trip_through_the_printer() {
    let Some(files) = masterfiles() else { return };
    for path in &files {
        let text = std::fs::read_to_string(path).expect("masterfile is UTF-8");
        let first = grammar::parse("first", &text);
        let printed = grammar::printer::print(&first.file);
        let second = grammar::parse("printed", &printed);
        assert!(
            !second.has_errors(),
            "{}: printed text does not parse: {:?}\n{printed}",
            path.display(),
            second.diagnostics.first()
        );
        assert_eq!(
            shape(&first.file),
            shape(&second.file),
            "{}",
            path.display()
        );
    }
}

#[test]
fn lint_of_masterfiles_exits_zero() {
    if masterfiles().is_none() {
        return;
    }
    let out = run(&["lint", "--format", "short", MASTERFILES]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(!stdout.contains(": error:"), "{stdout}");
}
