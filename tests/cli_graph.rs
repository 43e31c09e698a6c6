//! `promise-rs graph`: every edge kind appears where the policy says, and
//! Graphviz renders the dot output of the examples and the masterfiles.

mod common;

use std::io::Write;
use std::process::Stdio;

use common::*;

fn graph_json(file: &str) -> serde_json::Value {
    let out = run(&["graph", "--format", "json", file]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("graph --format json prints JSON")
}

/// `(from, to, kind)` with nodes named by handle, else by bundle name.
fn edges(graph: &serde_json::Value) -> Vec<(String, String, String)> {
    let name = |id: &str| {
        let node = graph["nodes"]
            .as_array()
            .and_then(|nodes| nodes.iter().find(|n| n["id"] == id))
            .expect("edge ends are nodes");
        node["handle"]
            .as_str()
            .or(node["name"].as_str())
            .unwrap_or_default()
            .to_string()
    };
    graph["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| {
            (
                name(e["from"].as_str().unwrap_or_default()),
                name(e["to"].as_str().unwrap_or_default()),
                e["kind"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn every_edge_kind_is_drawn_between_the_right_nodes() {
    let fixture = repo().join("tests/fixtures/graph/every_edge.cf");
    let edges = edges(&graph_json(fixture.to_str().unwrap_or_default()));
    let expected = [
        ("setup", "main", "sequence"),
        ("setup", "motd_var", "contains"),
        ("motd_var", "ready_class", "order"),
        ("motd_file", "call_report", "order"),
        ("call_report", "report", "call"),
        ("motd_file", "lines", "call"),
        ("motd_file", "call_report", "depends_on"),
        ("ready_class", "motd_file", "class"),
        ("motd_var", "motd_file", "variable"),
    ];
    for (from, to, kind) in expected {
        assert!(
            edges.contains(&(from.into(), to.into(), kind.into())),
            "no {kind} edge {from} -> {to} in {edges:?}"
        );
    }
}

#[test]
fn an_unknown_bundle_is_a_usage_error() {
    let fixture = repo().join("tests/fixtures/graph/every_edge.cf");
    let out = run(&[
        "graph",
        "--bundle",
        "nosuch",
        fixture.to_str().unwrap_or_default(),
    ]);
    assert_eq!(out.status.code(), Some(2));
}

fn renders_with_graphviz(args: &[&str]) -> Result<(), String> {
    let out = run(args);
    if !out.status.success() {
        return Err(format!(
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let mut dot = std::process::Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("dot: {e}"))?;
    dot.stdin
        .take()
        .ok_or("dot stdin")?
        .write_all(&out.stdout)
        .map_err(|e| e.to_string())?;
    let result = dot.wait_with_output().map_err(|e| e.to_string())?;
    let svg = String::from_utf8_lossy(&result.stdout);
    if !result.status.success() || !svg.contains("<svg") {
        return Err(format!(
            "{args:?}: dot failed: {}",
            String::from_utf8_lossy(&result.stderr)
        ));
    }
    Ok(())
}

#[test]
fn graphviz_renders_the_examples_and_the_masterfiles() {
    if std::process::Command::new("dot")
        .arg("-V")
        .output()
        .is_err()
    {
        skip(
            "graphviz_renders_the_examples_and_the_masterfiles",
            "graphviz (dot) not installed",
        );
        return;
    }
    let site = repo().join("examples/site.cf");
    let hubs = repo().join("examples/ha-hubs/promises.cf");
    let mut runs: Vec<Vec<String>> = vec![
        vec!["graph".into(), site.display().to_string()],
        vec!["graph".into(), hubs.display().to_string()],
    ];
    let masterfiles = std::path::Path::new(MASTERFILES).join("promises.cf");
    if masterfiles.exists() {
        let m = masterfiles.display().to_string();
        runs.push(vec![
            "graph".into(),
            "--level".into(),
            "bundles".into(),
            m.clone(),
        ]);
        runs.push(vec![
            "graph".into(),
            "--bundle".into(),
            "mpf_main".into(),
            m,
        ]);
    } else {
        skip(
            "graphviz_renders_the_examples_and_the_masterfiles",
            "masterfiles not installed",
        );
    }
    for args in runs {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        if let Err(e) = renders_with_graphviz(&args) {
            panic!("{e}");
        }
    }
}
