//! Compares `HostFacts::discover` on this host with what cf-agent 3.21
//! itself reports: every hard class, and every `sys.*`, `const.*` and
//! `def.*` variable by name and value.
//!
//! cf-agent runs with a throw-away work directory
//! (`CFENGINE_TEST_OVERRIDE_WORKDIR`) and a policy that prints its hard
//! classes and special variables; discovery then runs for the same work
//! directory, policy file and Unix time.
//!
//! Allowed to differ, because they change between the two runs:
//! - `sys.uptime` by at most one minute;
//! - the traffic counters in `sys.interfaces_data`, `sys.inet[stats]`,
//!   `sys.inet6[stats]` and the `refcnt`/`use` counters of routes (only
//!   their keys are compared);
//! - the time classes, only when cf-agent's reference time and its
//!   `sys.systime` straddle a minute (checked, not assumed).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, UNIX_EPOCH};

use runtime::facts::{time_classes, CivilTime, FactsConfig, HostFacts};
use runtime::Value;
use serde_json::Value as Json;

const PROBE_POLICY: &str = r#"
body common control { bundlesequence => { "main" }; }
bundle agent main {
  vars:
    "special" data => variablesmatching_as_data("default:(sys|const|def)\..*");
    "hard" slist => classesmatching(".*", "hardclass");
  reports:
    "CLASS $(hard)";
    "VARS $(with)" with => storejson("special");
}
"#;

fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// A fresh directory under the temp dir, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(label: &str) -> Self {
        let path = std::env::temp_dir().join(format!(
            "promise-facts-vs-cf-agent-{label}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create temp dir");
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

struct AgentReport {
    classes: BTreeSet<String>,
    variables: serde_json::Map<String, Json>,
}

fn run_cf_agent(agent: &Path, workdir: &Path, policy: &Path) -> AgentReport {
    let output = Command::new(agent)
        .arg("-K")
        .arg("-f")
        .arg(policy)
        .env("CFENGINE_TEST_OVERRIDE_WORKDIR", workdir)
        .output()
        .expect("run cf-agent");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "cf-agent failed: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let mut classes = BTreeSet::new();
    let mut json_text = None::<String>;
    let mut lines = stdout.lines();
    while let Some(line) = lines.next() {
        if let Some(class) = line.strip_prefix("R: CLASS ") {
            classes.insert(class.to_string());
        } else if let Some(start) = line.strip_prefix("R: VARS ") {
            // The pretty-printed object runs on up to a line holding only "}".
            let mut text = start.to_string();
            if start == "{" {
                for line in lines.by_ref() {
                    text.push('\n');
                    text.push_str(line);
                    if line == "}" {
                        break;
                    }
                }
            }
            json_text = Some(text);
        }
    }
    let json_text = json_text.expect("cf-agent reported its variables");
    let variables = match serde_json::from_str(&json_text) {
        Ok(Json::Object(map)) => map,
        other => panic!("cf-agent's variables are not a JSON object: {other:?}"),
    };
    AgentReport { classes, variables }
}

fn as_json(value: &Value) -> Json {
    match value {
        Value::Scalar(text) => Json::String(text.clone()),
        Value::List(items) => Json::Array(items.iter().cloned().map(Json::String).collect()),
        Value::Data(json) => json.clone(),
    }
}

/// Replaces counters that change from one moment to the next by `null`,
/// keeping the structure and every other value.
fn without_counters(name: &str, mut json: Json) -> Json {
    fn blank_leaves(json: &mut Json) {
        match json {
            Json::Object(map) => map.values_mut().for_each(blank_leaves),
            Json::Array(items) => items.iter_mut().for_each(blank_leaves),
            leaf => *leaf = Json::Null,
        }
    }
    match name {
        "sys.interfaces_data" => {
            if let Json::Object(devices) = &mut json {
                for device in devices.values_mut() {
                    if let Json::Object(counters) = device {
                        for (key, value) in counters.iter_mut() {
                            if key != "device" {
                                *value = Json::Null;
                            }
                        }
                    }
                }
            }
        }
        "sys.inet" | "sys.inet6" => {
            if let Some(stats) = json.get_mut("stats") {
                blank_leaves(stats);
            }
            let mut blank_route_counters = |route: &mut Json| {
                for counter in ["refcnt", "use"] {
                    if let Some(value) = route.get_mut(counter) {
                        *value = Json::Null;
                    }
                }
            };
            if let Some(Json::Array(routes)) = json.get_mut("routes") {
                routes.iter_mut().for_each(&mut blank_route_counters);
            }
            if let Some(route) = json.get_mut("default_route") {
                blank_route_counters(route);
            }
        }
        _ => {}
    }
    json
}

fn is_time_class(class: &str) -> bool {
    let class = class.strip_prefix("GMT_").unwrap_or(class);
    const PREFIXES: [&str; 5] = ["Min", "Hr", "Q", "Day", "Yr"];
    const NAMES: [&str; 23] = [
        "Night",
        "Morning",
        "Afternoon",
        "Evening",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    class.starts_with("Lcycle_")
        || NAMES.contains(&class)
        || PREFIXES.iter().any(|prefix| {
            class
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
        })
}

/// cf-agent, or `None` after reporting the skip (a failure when CI=true).
fn installed_cf_agent() -> Option<PathBuf> {
    let agent = find_program("cf-agent");
    if agent.is_none() {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "cf-agent is not installed, but CI=true requires this comparison"
        );
        println!("SKIPPED: cf-agent not installed");
    }
    agent
}

#[test]
fn hard_classes_and_special_variables_match_cf_agent() {
    let Some(agent) = installed_cf_agent() else {
        return;
    };
    let differences = differences_from_cf_agent(&agent, "plain", |_| {});
    assert!(
        differences.is_empty(),
        "HostFacts differs from cf-agent on this host:\n{}",
        differences.join("\n")
    );
}

/// A work directory as a bootstrapped policy server leaves it, with one
/// interface pattern ignored.
#[test]
fn bootstrapped_hub_with_ignored_interfaces_matches_cf_agent() {
    let Some(agent) = installed_cf_agent() else {
        return;
    };
    let differences = differences_from_cf_agent(&agent, "hub", |workdir| {
        let write = |relative: &str, contents: &str| {
            let path = workdir.join(relative);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).expect("create directory");
            }
            std::fs::write(path, contents).expect("write file");
        };
        write("policy_server.dat", "  localhost:5309  \n");
        write("state/am_policy_hub", "");
        write(
            "bootstrap_id.dat",
            "abcdefghijabcdefghijabcdefghijabcdefghij\n",
        );
        write("masterfiles/cf_promises_validated", "{}\n");
        write("inputs/ignore_interfaces.rx", "eth.*\n");
    });
    assert!(
        differences.is_empty(),
        "HostFacts differs from cf-agent on this host:\n{}",
        differences.join("\n")
    );
}

/// Runs cf-agent and discovery on the same work directory, prepared by
/// `prepare`, and lists every difference not explained by elapsed time.
fn differences_from_cf_agent(agent: &Path, label: &str, prepare: impl Fn(&Path)) -> Vec<String> {
    let workdir = TempDir::new(&format!("{label}-workdir"));
    let policy_dir = TempDir::new(&format!("{label}-policy"));
    std::fs::create_dir_all(workdir.0.join("bin")).expect("create bin");
    // cf-agent validates the policy with the cf-promises next to it.
    if let Some(promises) = find_program("cf-promises") {
        std::os::unix::fs::symlink(promises, workdir.0.join("bin/cf-promises"))
            .expect("link cf-promises");
    }
    prepare(&workdir.0);
    let policy = policy_dir.0.join("probe.cf");
    std::fs::write(&policy, PROBE_POLICY).expect("write policy");

    let report = run_cf_agent(agent, &workdir.0, &policy);
    assert!(
        report.classes.contains("any"),
        "cf-agent reported no classes"
    );
    let systime: u64 = report.variables["default:sys.systime"]
        .as_str()
        .and_then(|text| text.parse().ok())
        .expect("sys.systime is a number");

    let facts = HostFacts::discover(&FactsConfig {
        workdir: workdir.0.clone(),
        policy_file: Some(policy.clone()),
        now: UNIX_EPOCH + Duration::from_secs(systime),
        root: PathBuf::from("/"),
    });

    let mut differences = Vec::new();

    // cf-agent takes its time classes from a reference time read a moment
    // before sys.systime; only if they disagree may the time classes differ.
    let agent_gmt: BTreeSet<String> = report
        .classes
        .iter()
        .filter(|class| class.starts_with("GMT_"))
        .cloned()
        .collect();
    let systime_gmt: BTreeSet<String> = time_classes(&CivilTime::utc(systime as i64), "GMT_")
        .into_iter()
        .collect();
    let straddled = agent_gmt != systime_gmt;
    for class in report.classes.symmetric_difference(&facts.classes) {
        if straddled && is_time_class(class) {
            continue;
        }
        let side = if facts.classes.contains(class) {
            "only ours"
        } else {
            "only cf-agent's"
        };
        differences.push(format!("class {class}: {side}"));
    }

    let mut ours = serde_json::Map::new();
    for (scope, variables) in [
        ("sys", &facts.sys),
        ("const", &facts.constants),
        ("def", &facts.defaults),
    ] {
        for (name, value) in variables {
            ours.insert(format!("default:{scope}.{name}"), as_json(value));
        }
    }
    let names: BTreeSet<&String> = report.variables.keys().chain(ours.keys()).collect();
    for name in names {
        let short = name.trim_start_matches("default:");
        match (report.variables.get(name), ours.get(name)) {
            (Some(theirs), Some(mine)) if short == "sys.uptime" => {
                let minutes = |json: &Json| json.as_str().and_then(|t| t.parse::<i64>().ok());
                match (minutes(theirs), minutes(mine)) {
                    (Some(a), Some(b)) if (a - b).abs() <= 1 => {}
                    _ => differences.push(format!("{short}: cf-agent {theirs}, ours {mine}")),
                }
            }
            (Some(theirs), Some(mine)) => {
                let theirs = without_counters(short, theirs.clone());
                let mine = without_counters(short, mine.clone());
                if theirs != mine {
                    differences.push(format!("{short}: cf-agent {theirs}, ours {mine}"));
                }
            }
            (Some(theirs), None) => {
                differences.push(format!("{short}: only cf-agent's ({theirs})"))
            }
            (None, Some(mine)) => differences.push(format!("{short}: only ours ({mine})")),
            (None, None) => {}
        }
    }

    println!(
        "{label}: compared {} cf-agent classes and {} variables",
        report.classes.len(),
        report.variables.len()
    );
    differences
}
