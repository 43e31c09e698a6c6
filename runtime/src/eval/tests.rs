//! The evaluator on small policies: what `reports` print.

use compiler::ir::Policy;
use compiler::resolve::Index;
use grammar::SourceMap;

use super::{run, RunOptions};
use crate::facts::HostFacts;

/// Runs `text` with `any` and `linux` as the only hard classes and a fresh
/// workdir (its state store); the `R:` lines and the run report.
fn run_policy(text: &str, options: &RunOptions) -> (Vec<String>, super::RunReport) {
    let workdir = fresh_workdir();
    let result = run_policy_in(text, options, &workdir);
    let _ = std::fs::remove_dir_all(&workdir);
    result
}

fn fresh_workdir() -> std::path::PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("promise-eval-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn run_policy_in(
    text: &str,
    options: &RunOptions,
    workdir: &std::path::Path,
) -> (Vec<String>, super::RunReport) {
    let mut sources = SourceMap::new();
    sources.add("/p/test.cf", text);
    let parsed = grammar::parse("/p/test.cf", text);
    assert!(!parsed.has_errors(), "{:?}", parsed.diagnostics);
    let files = vec![parsed.file];
    let index = Index::build(&files);
    let policy = Policy::build(&index);
    let mut facts = HostFacts {
        classes: ["any".to_string(), "linux".to_string()].into(),
        ..HostFacts::default()
    };
    facts.sys.insert(
        "workdir".into(),
        crate::value::Value::scalar(workdir.display().to_string()),
    );
    let mut out = Vec::new();
    let mut log = Vec::new();
    let report = run(&policy, &sources, facts, options, &mut out, &mut log);
    let out = String::from_utf8_lossy(&out);
    (out.lines().map(str::to_string).collect(), report)
}

fn reports(text: &str) -> Vec<String> {
    run_policy(text, &RunOptions::default()).0
}

const CONTROL: &str = "body common control { bundlesequence => { \"main\" }; }\n";

fn main_bundle(body: &str) -> String {
    format!("{CONTROL}bundle agent main\n{{\n{body}\n}}\n")
}

#[test]
fn expansion_of_scalars_arrays_qualified_and_unresolved() {
    let out = reports(&main_bundle(
        r#"vars:
  "x" string => "X";
  "k" string => "key";
  "a[key]" string => "A";
  "d" data => parsejson('{"p": {"q": "Q"}}');
reports:
  "$(x) ${x} $(main.x) $(a[$(k)]) $(d[p][q]) $(nosuch) @(x)";"#,
    ));
    assert_eq!(out, vec!["R: X X X A Q $(nosuch) @(x)"]);
}

#[test]
fn iteration_nests_first_list_outermost_and_skips_empty_lists() {
    let out = reports(&main_bundle(
        r#"vars:
  "a" slist => { "1", "2" };
  "b" slist => { "x", "y" };
  "none" slist => { };
reports:
  "$(a)$(b)$(a)";
  "never $(none)";"#,
    ));
    assert_eq!(out, vec!["R: 1x1", "R: 1y1", "R: 2x2", "R: 2y2"]);
}

#[test]
fn classes_guards_if_unless_and_later_passes() {
    let policy = main_bundle(
        r#"classes:
  "c" expression => "linux.!windows";
reports:
  late::
    "from a later pass";
  c::
    "c is local here";
  any::
    "if" if => "c";
    "unless" unless => "c";
    "trigger" classes => set("late");"#,
    ) + "body classes set(x) { promise_kept => { \"$(x)\" }; }\n";
    let out = reports(&policy);
    assert_eq!(
        out,
        vec![
            "R: c is local here",
            "R: if",
            "R: trigger",
            "R: from a later pass"
        ]
    );
}

#[test]
fn methods_bind_parameters_and_bundles_run_to_completion() {
    let text = format!(
        "{CONTROL}bundle agent main {{ methods: \"m\" usebundle => greet(\"you\"); reports: \"main\"; }}\n\
         bundle agent greet(who) {{ reports: \"hello $(who)\"; }}\n"
    );
    assert_eq!(reports(&text), vec!["R: hello you", "R: main"]);
}

#[test]
fn identical_reports_print_once_per_bundle() {
    let out = reports(&main_bundle(r#"reports: "same"; "same";"#));
    assert_eq!(out, vec!["R: same"]);
}

#[test]
fn define_and_bundlesequence_override() {
    let text = format!(
        "{CONTROL}bundle agent main {{ reports: \"main\"; }}\n\
         bundle agent other {{\nreports:\ngiven_x::\n\"given\";\n}}\n"
    );
    let options = RunOptions {
        define: vec!["given-x".into()],
        bundlesequence: Some(vec!["other".into()]),
        ..RunOptions::default()
    };
    assert_eq!(run_policy(&text, &options).0, vec!["R: given"]);
}

#[test]
fn unknown_promise_types_are_not_kept_and_missing_bundles_are_fatal() {
    let (out, report) = run_policy(
        &main_bundle(r#"databases: "db" database_type => "sql"; reports: "after";"#),
        &RunOptions::default(),
    );
    assert_eq!(out, vec!["R: after"]);
    assert_eq!(report.summary.not_kept, 1);
    assert_eq!(report.summary.kept, 1);
    let options = RunOptions {
        bundlesequence: Some(vec!["nosuch".into()]),
        ..RunOptions::default()
    };
    let (_, report) = run_policy(&main_bundle(""), &options);
    assert!(report.fatal.is_some());
}

#[test]
fn depends_on_waits_for_kept_handles() {
    let out = reports(&main_bundle(
        r#"reports:
  "second" depends_on => { "first_one" };
  "never" depends_on => { "nosuch" };
  "first" handle => "first_one";"#,
    ));
    assert_eq!(out, vec!["R: first", "R: second"]);
}

#[test]
fn commands_module_protocol_defines_variables_and_classes() {
    let out = reports(&main_bundle(
        r#"commands:
  '/usr/bin/printf "%s\n" "=s=hello world" \'@l= { "a", "b c" }\' \'%d={"k": [1, 2]}\' "+from mod" "^context=other" "=v=x"'
    module => "true";
reports:
  "$(printf.s) $(printf.d[k][1]) $(other.v)";
  "$(printf.l)";
from_mod::
  "class";"#,
    ));
    assert_eq!(
        out,
        vec!["R: hello world 2 x", "R: a", "R: b c", "R: class"]
    );
}

#[test]
fn commands_outcomes_by_exit_code_and_return_code_lists() {
    let out = reports(&format!(
        "{}\nbody classes rc(p) {{ kept_returncodes => {{ \"3\" }}; promise_kept => {{ \"$(p)_kept\" }}; \
         promise_repaired => {{ \"$(p)_repaired\" }}; repair_failed => {{ \"$(p)_failed\" }}; }}\n\
         body classes plain(p) {{ promise_repaired => {{ \"$(p)_repaired\" }}; repair_failed => {{ \"$(p)_failed\" }}; }}\n",
        main_bundle(
            r#"commands:
  "/bin/sh -c 'exit 3'" classes => rc("three");
  "/bin/sh -c 'exit 0'" classes => rc("zero");
  "/bin/true" classes => plain("true");
  "/bin/false" classes => plain("false");
  "/no/such/command" classes => plain("missing");
reports:
  "$(with)" with => join(" ", sort(classesmatching("(three|zero|true|false|missing)_.*"), "lex"));"#
        )
    ));
    assert_eq!(
        out,
        vec!["R: false_failed missing_failed three_kept true_repaired zero_failed"]
    );
}

#[test]
fn warn_only_commands_and_dry_runs_change_nothing() {
    let dir = std::env::temp_dir().join(format!("promise-eval-warn-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("touched");
    let _ = std::fs::remove_file(&path);
    let text = format!(
        "{}\nbody action warn {{ action_policy => \"nop\"; }}\n",
        main_bundle(&format!(
            "commands:\n  \"/usr/bin/touch {}\" action => warn;\nreports:\n  \"after\";",
            path.display()
        ))
    );
    let (out, report) = run_policy(&text, &RunOptions::default());
    assert_eq!(out, vec!["R: after"]);
    assert_eq!(report.summary.warned, 1);
    assert!(!path.exists());
    let dry = RunOptions {
        dry_run: true,
        ..RunOptions::default()
    };
    let (out, report) = run_policy(&text.replace("action => warn", ""), &dry);
    assert!(out.is_empty());
    assert_eq!(report.summary.warned, 2);
    assert!(!path.exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn locks_skip_a_promise_that_ran_less_than_ifelapsed_minutes_ago() {
    let workdir = fresh_workdir();
    let text = format!(
        "{}\nbody action now {{ ifelapsed => \"0\"; }}\n",
        main_bundle(r#"reports: "locked"; "immediate" action => now;"#)
    );
    let run = |options: &RunOptions| run_policy_in(&text, options, &workdir).0;
    let no_lock = RunOptions {
        no_lock: true,
        ..RunOptions::default()
    };
    // -K neither checks nor records locks.
    assert_eq!(run(&no_lock), vec!["R: locked", "R: immediate"]);
    assert_eq!(
        run(&RunOptions::default()),
        vec!["R: locked", "R: immediate"]
    );
    assert_eq!(run(&RunOptions::default()), vec!["R: immediate"]);
    assert_eq!(run(&no_lock), vec!["R: locked", "R: immediate"]);
    let _ = std::fs::remove_dir_all(&workdir);
}

#[test]
fn agent_control_ifelapsed_sets_the_default() {
    let workdir = fresh_workdir();
    let text = format!(
        "{}\nbody agent control {{ ifelapsed => \"0\"; }}\n",
        main_bundle(r#"reports: "every time";"#)
    );
    for _ in 0..2 {
        let out = run_policy_in(&text, &RunOptions::default(), &workdir).0;
        assert_eq!(out, vec!["R: every time"]);
    }
    let _ = std::fs::remove_dir_all(&workdir);
}

#[test]
fn persistent_classes_are_loaded_by_later_runs_unless_negated() {
    let workdir = fresh_workdir();
    let store = format!(
        "{}\nbody classes keep(c) {{ promise_kept => {{ \"$(c)\" }}; persist_time => \"5\"; }}\n",
        main_bundle(
            r#"classes:
  "from_promise" expression => "any", persistence => "10";
reports:
  "stored" classes => keep("from_body");"#
        )
    );
    let check = main_bundle(
        r#"reports:
from_promise::
  "from_promise";
from_body::
  "from_body";"#,
    );
    let run = |text: &str, options: &RunOptions| run_policy_in(text, options, &workdir).0;
    // -K, so that the reports are not locked by the run before.
    let no_lock = RunOptions {
        no_lock: true,
        ..RunOptions::default()
    };
    assert_eq!(run(&check, &no_lock), Vec::<String>::new());
    assert_eq!(run(&store, &no_lock), vec!["R: stored"]);
    assert_eq!(
        run(&check, &no_lock),
        vec!["R: from_promise", "R: from_body"]
    );
    let negate = RunOptions {
        negate: vec!["from_body,other".into()],
        ..no_lock
    };
    assert_eq!(run(&check, &negate), vec!["R: from_promise"]);
    let _ = std::fs::remove_dir_all(&workdir);
}

#[test]
fn cancel_forgets_a_stored_class_and_persistence_zero_does_not() {
    let workdir = fresh_workdir();
    let no_lock = RunOptions {
        no_lock: true,
        ..RunOptions::default()
    };
    let run = |text: &str| run_policy_in(text, &no_lock, &workdir).0;
    let store = main_bundle(
        r#"classes:
  "one" expression => "any", persistence => "10";
  "two" expression => "any", persistence => "10";"#,
    );
    let forget = format!(
        "{}\nbody classes drop(c) {{ promise_kept => {{ \"x\" }}; cancel_kept => {{ \"$(c)\" }}; }}\n",
        main_bundle(
            r#"classes:
  "one" expression => "any", persistence => "0";
reports:
  "forgetting" classes => drop("two");"#
        )
    );
    let check = main_bundle(
        r#"reports:
one::
  "one";
two::
  "two";"#,
    );
    run(&store);
    assert_eq!(run(&check), vec!["R: one", "R: two"]);
    assert_eq!(run(&forget), vec!["R: forgetting"]);
    assert_eq!(run(&check), vec!["R: one"]);
    let _ = std::fs::remove_dir_all(&workdir);
}

#[test]
fn a_reference_named_by_an_iterated_variable_iterates_inside_it() {
    let out = reports(&main_bundle(
        r#"vars:
  "d" data => '{ "a": "one", "b": [ "x", "y" ] }';
  "k" slist => { "a", "b" };
reports:
  "$(k) => $(d[$(k)])";"#,
    ));
    assert_eq!(out, vec!["R: a => one", "R: b => x", "R: b => y"]);
}

#[test]
fn defaults_fill_undefined_and_matching_values_and_parameters() {
    let text = format!(
        "{CONTROL}bundle agent main {{ methods: \"m\" usebundle => d(\"\", \"kept\"); }}\n\
         bundle agent d(p, q) {{\ndefaults:\n\"p\" string => \"P\", if_match_regex => \"\";\n\
         \"q\" string => \"Q\", if_match_regex => \"\";\n\"r\" string => \"R\";\n\
         reports:\n\"$(p) $(q) $(r)\";\n}}\n"
    );
    assert_eq!(reports(&text), vec!["R: P kept R"]);
}

#[test]
fn completion_times_older_than_four_weeks_are_forgotten() {
    let workdir = fresh_workdir();
    let mut store = crate::state::StateStore::open(&workdir);
    let old = super::locks::unix_now() - 5 * 7 * 24 * 3600;
    store.set("locks", "ancient", serde_json::json!({ "last": old }));
    store.save().unwrap();
    run_policy_in(
        &main_bundle(r#"reports: "x";"#),
        &RunOptions::default(),
        &workdir,
    );
    let mut store = crate::state::StateStore::open(&workdir);
    assert!(store.get("locks", "ancient").is_none());
    assert_eq!(store.entries("locks").count(), 1);
    let _ = std::fs::remove_dir_all(&workdir);
}
