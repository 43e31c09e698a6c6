//! The evaluator: runs a compiled policy the way cf-agent 3.21 does
//! (SEMANTICS.md §2): pre-evaluation of every bundle, the bundlesequence,
//! three passes over each bundle's promise types in normal order, implicit
//! iteration, class guards and `if`/`unless`, same-run de-duplication.
//!
//! Submodules each do one job: `variables` (storage and names), `context`
//! (classes), `lookup` (what `$(name)` means here), `expand` (strings),
//! `rval` (values and function calls), `iterate` (implicit iteration),
//! `body` (body attributes with arguments), `promise` (one promise, all its
//! iterations), `bundle` (passes and the bundlesequence), `action` (action
//! bodies, dry run, audit), `locks` (`ifelapsed`/`expireafter` across
//! runs), `persistence` (persistent classes), `log`.

pub mod action;
mod attribute;
pub mod body;
pub mod bundle;
mod call_definitions;
pub mod context;
pub mod expand;
pub mod iterate;
pub mod locks;
pub mod log;
pub mod lookup;
pub mod persistence;
pub mod promise;
pub mod rval;
pub mod tags;
#[cfg(test)]
mod tests;
pub mod variables;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;

use compiler::ir::{BundleId, Policy};
use grammar::SourceMap;

use crate::facts::{canonify, HostFacts};
use crate::outcome::{Outcome, Summary};
use crate::sink::{ReportLines, RunSink};
use crate::value::Value;
use context::{ClassContext, ClassScope};
pub use expand::{Binding, Expanded};
pub use log::{Log, Verbosity};
use variables::Variables;

/// What the command line asks of a run.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// `-D`: classes to define (comma-separated lists allowed).
    pub define: Vec<String>,
    /// `-N`: as in cf-agent 3.21, only stops the persistent classes named
    /// (comma-separated lists allowed) from being loaded.
    pub negate: Vec<String>,
    /// `-K/--no-lock`: ignore promise locks (`ifelapsed`, `expireafter`).
    pub no_lock: bool,
    /// `-b`: replaces the bundlesequence of `body common control`.
    pub bundlesequence: Option<Vec<String>>,
    pub verbosity: Verbosity,
    /// `-n`/`--dry-run`: nothing changes; commands are not run (unless
    /// `preview`), reports are not printed, every would-be repair warns.
    pub dry_run: bool,
    /// `--audit`: every promise as if `action_policy => "warn"`; reports
    /// still print and methods are still called.
    pub audit: bool,
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunReport {
    pub summary: Summary,
    /// A fatal error stopped the run (cf-agent exits 1 for these).
    pub fatal: Option<String>,
}

/// `this.*` of the promise being evaluated.
#[derive(Debug, Clone, Default)]
pub struct ThisPromise {
    pub promiser: Option<String>,
    /// The promiser as written, before expansion (`callstack_promisers`).
    pub written_promiser: String,
    pub handle: Option<String>,
    /// `this.service_policy`, while a services promise calls its bundle.
    pub service_policy: Option<String>,
    pub filename: String,
    pub dirname: String,
    pub line: u32,
}

/// A running bundle.
#[derive(Debug)]
pub struct Frame {
    pub bundle: Option<BundleId>,
    pub namespace: String,
    pub name: String,
    pub params: HashMap<String, Value>,
    pub this: ThisPromise,
    /// The worst outcome of the bundle's promises so far.
    pub outcome: Option<Outcome>,
    /// `bundle_return_value_index` values, for the caller's `useresult`.
    pub return_values: BTreeMap<String, String>,
}

impl Frame {
    /// The scope the bundle's variables live in.
    pub fn scope(&self) -> String {
        variables::scope_key(&self.namespace, &self.name)
    }
}

/// The state of one run.
pub struct Agent<'p, 'w> {
    pub(crate) policy: &'p Policy<'p>,
    pub(crate) sources: &'p SourceMap,
    pub(crate) facts: HostFacts,
    pub(crate) variables: Variables,
    pub(crate) classes: ClassContext,
    pub(crate) frames: Vec<Frame>,
    /// Digests of the promise iterations actuated in this run (§2.8).
    pub(crate) actuated: HashSet<String>,
    pub(crate) summary: Summary,
    /// Handles of actuated promises: true once kept or repaired.
    pub(crate) handle_outcomes: HashMap<String, bool>,
    /// Where reports and outcomes go.
    pub(crate) reports: &'w mut dyn RunSink,
    pub(crate) log: Log<'w>,
    /// Pre-evaluation: no outcomes, no classes bodies.
    pub(crate) pre_evaluating: bool,
    pub(crate) fatal: Option<String>,
    pub(crate) dry_run: bool,
    pub(crate) audit: bool,
    /// Commands run with `background => "true"`, waited for at the end.
    pub(crate) background: Vec<crate::promises::commands::BackgroundJob>,
    /// Filesystems written to, synced once each at the end of the run.
    pub(crate) writes: crate::fileops::atomic::Writes,
    /// What files promises remember within one run (rotations, transformer
    /// commands already run).
    pub(crate) files_run: crate::promises::files::RunMemory,
    /// Locks, persistent classes and change hashes under `WORKDIR/state`.
    pub(crate) state: crate::state::StateStore,
    /// `-K`: promise locks are neither checked nor recorded.
    pub(crate) no_lock: bool,
    /// When the run started, in seconds since the epoch (cf-agent's
    /// CFSTARTTIME, which `ifelapsed` is measured against).
    pub(crate) started: i64,
    pub(crate) lock_defaults: locks::LockDefaults,
    /// Locks of the promise iterations being actuated, innermost last.
    pub(crate) taken_locks: Vec<locks::TakenLock>,
    /// The same, as other runs see them (`state/held`).
    pub(crate) held_locks: crate::state::held::HeldLocks,
    /// The process table, read by the first processes promise of a bundle
    /// and dropped when the next bundle starts, as cf-agent does.
    pub(crate) process_table: Option<std::rc::Rc<Vec<crate::promises::processes::ProcessEntry>>>,
    /// Package cache locks taken in this run (one list query per run).
    pub(crate) package_cache_locks: HashSet<String>,
    /// The file an edit_line bundle is editing, and per-run edit state.
    pub(crate) edits: crate::promises::files::edit::EditRun,
    /// Meta tags of soft classes and policy variables.
    pub(crate) tags: tags::MetaTags,
    /// What functions defined during the current promise iteration.
    pub(crate) call_definitions: std::cell::RefCell<Vec<crate::functions::Definition>>,
    /// Results of cached functions (`functions::CACHED`) in this run.
    pub(crate) function_cache: std::cell::RefCell<HashMap<String, Value>>,
    bundlesequence: Option<Vec<String>>,
}

/// Runs `policy`: `reports` promises print `R: ` lines on `reports`, logs
/// go to `log`.
pub fn run(
    policy: &Policy,
    sources: &SourceMap,
    facts: HostFacts,
    options: &RunOptions,
    reports: &mut dyn Write,
    log: &mut dyn Write,
) -> RunReport {
    let mut lines = ReportLines(reports);
    run_with(policy, sources, facts, options, &mut lines, log)
}

/// Runs `policy`: reports and outcomes go to `sink`, logs to `log`.
pub fn run_with(
    policy: &Policy,
    sources: &SourceMap,
    facts: HostFacts,
    options: &RunOptions,
    reports: &mut dyn RunSink,
    log: &mut dyn Write,
) -> RunReport {
    let mut agent = Agent::new(policy, sources, facts, options, reports, log);
    agent.run();
    crate::promises::commands::wait_for_background(&mut agent);
    if let Err(error) = agent.state.save() {
        agent
            .log
            .error(&format!("could not save the state store: {error}"));
    }
    for (dir, error) in agent.writes.sync() {
        agent.log.error(&format!(
            "could not flush changes under '{}' to disk: {error}",
            dir.display()
        ));
    }
    RunReport {
        summary: agent.summary,
        fatal: agent.fatal,
    }
}

/// `sys.workdir`, where the state store lives.
fn state_workdir(facts: &HostFacts) -> std::path::PathBuf {
    facts
        .sys
        .get("workdir")
        .and_then(Value::as_scalar)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from("/var/lib/promise-rs"))
}

impl<'p, 'w> Agent<'p, 'w> {
    fn new(
        policy: &'p Policy<'p>,
        sources: &'p SourceMap,
        facts: HostFacts,
        options: &RunOptions,
        reports: &'w mut dyn RunSink,
        log: &'w mut dyn Write,
    ) -> Self {
        let mut hard = facts.classes.clone();
        match options.verbosity {
            Verbosity::Verbose => {
                hard.insert("verbose_mode".into());
            }
            Verbosity::Inform => {
                hard.insert("inform_mode".into());
            }
            Verbosity::Quiet => {}
        }
        let mut classes = ClassContext::new(hard);
        let mut meta_tags = tags::MetaTags::default();
        for list in &options.define {
            for name in list.split(',').filter(|n| !n.is_empty()) {
                classes.define("default", &canonify(name), ClassScope::Namespace);
                meta_tags.set_class(&canonify(name), vec!["source=environment".into()]);
            }
        }
        let state = crate::state::StateStore::open(&state_workdir(&facts));
        let mut agent = Agent {
            held_locks: crate::state::held::HeldLocks::new(state.dir()),
            state,
            no_lock: options.no_lock,
            started: locks::unix_now(),
            lock_defaults: locks::LockDefaults::default(),
            taken_locks: Vec::new(),
            policy,
            sources,
            facts,
            variables: Variables::default(),
            classes,
            frames: Vec::new(),
            actuated: HashSet::new(),
            summary: Summary::default(),
            handle_outcomes: HashMap::new(),
            reports,
            log: Log::new(log, options.verbosity),
            pre_evaluating: false,
            fatal: None,
            dry_run: options.dry_run,
            audit: options.audit,
            background: Vec::new(),
            writes: crate::fileops::atomic::Writes::default(),
            files_run: crate::promises::files::RunMemory::default(),
            process_table: None,
            package_cache_locks: HashSet::new(),
            edits: crate::promises::files::edit::EditRun::default(),
            tags: meta_tags,
            call_definitions: std::cell::RefCell::default(),
            function_cache: std::cell::RefCell::default(),
            bundlesequence: options.bundlesequence.clone(),
        };
        agent.load_persistent_classes(&options.negate);
        agent
    }

    fn run(&mut self) {
        self.pre_evaluate();
        self.read_agent_control_dry_run();
        self.read_agent_control_locks();
        let sequence = match self.sequence() {
            Ok(sequence) => sequence,
            Err(message) => {
                self.log.error(&message);
                self.fatal = Some(message);
                return;
            }
        };
        for (bundle, args) in sequence {
            if self.fatal.is_some() {
                return;
            }
            if let Err(message) = self.call_bundle(bundle, args, false) {
                self.log.error(&message);
                self.fatal = Some(message);
                return;
            }
        }
    }

    pub(crate) fn frame(&self) -> Option<&Frame> {
        self.frames.last()
    }

    pub(crate) fn frame_mut(&mut self) -> Option<&mut Frame> {
        self.frames.last_mut()
    }

    /// The namespace of the running bundle.
    pub(crate) fn namespace(&self) -> &str {
        self.frame().map_or("default", |f| f.namespace.as_str())
    }
}
