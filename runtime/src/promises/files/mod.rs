//! `files` promises, one module per concern (SEMANTICS.md §4). `actuate`
//! runs the concerns of one promise in cf-agent's order, each adding the
//! outcome of its sub-operation to a [`FileJob`]; every content change goes
//! through `fileops::atomic`. Attributes not built yet make the promise not
//! kept with a reason that names them, so nothing is half-done silently.

pub(crate) mod edit;
mod existence;
mod perms;

use std::fs;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use compiler::ir::Promise;

use crate::eval::body::BodyAttributes;
use crate::eval::expand::Binding;
use crate::eval::Agent;
use crate::outcome::Outcome;

/// Attributes whose behaviour is not built yet.
const NOT_YET: &[&str] = &[
    "edit_xml",
    "copy_from",
    "link_from",
    "rename",
    "depth_search",
    "file_select",
    "changes",
    "transformer",
    "acl",
    "repository",
];

/// One files promise iteration being actuated: what each concern reads,
/// and the outcomes of the sub-operations done so far.
pub(crate) struct FileJob<'a, 'p, 'w> {
    pub agent: &'a mut Agent<'p, 'w>,
    pub promise: &'a Promise<'a>,
    pub binding: &'a Binding,
    pub promiser: &'a str,
    pub target: Target,
    /// False in warn-only, dry-run and audit: each would-be change is a
    /// Warned outcome describing it, and nothing changes.
    pub apply: bool,
    pub outcomes: Vec<Outcome>,
}

impl FileJob<'_, '_, '_> {
    /// A scalar attribute of the promise, expanded.
    pub fn scalar(&self, name: &str) -> Option<String> {
        let constraint = self.promise.constraint(name)?;
        let evaluated = self
            .agent
            .evaluate_rval(&constraint.ast.rval, self.binding)?;
        evaluated.value.as_scalar().map(str::to_string)
    }

    /// A boolean attribute; absent is false.
    pub fn flag(&self, name: &str) -> bool {
        self.scalar(name).is_some_and(|v| is_true(&v))
    }

    /// A body attribute of the promise, with its arguments bound.
    pub fn body(&self, name: &str) -> Option<BodyAttributes> {
        let constraint = self.promise.constraint(name)?;
        self.agent.constraint_body(constraint, self.binding)
    }

    pub fn push(&mut self, outcome: Outcome) {
        self.outcomes.push(outcome);
    }

    /// True once a sub-operation was not kept: later ones are not tried.
    pub fn failed(&self) -> bool {
        self.outcomes
            .iter()
            .any(|o| matches!(o, Outcome::NotKept { .. }))
    }
}

/// Actuates one files promise iteration; returns the outcome of each
/// sub-operation it did (none: kept).
pub fn actuate(
    agent: &mut Agent,
    promise: &Promise,
    promiser: &str,
    binding: &Binding,
    apply: bool,
) -> Vec<Outcome> {
    if let Some(name) = NOT_YET.iter().find(|n| promise.constraint(n).is_some()) {
        return vec![Outcome::failed(format!(
            "files attribute '{name}' is not implemented yet (promise on '{promiser}')"
        ))];
    }
    let mut job = FileJob {
        agent,
        promise,
        binding,
        promiser,
        target: Target::of(promiser),
        apply,
        outcomes: Vec::new(),
    };
    if job.body("delete").is_some() {
        existence::delete(&mut job);
        return job.outcomes;
    }
    let steps: &[fn(&mut FileJob)] = &[
        existence::create,
        edit::edit,
        existence::content,
        perms::apply,
    ];
    for step in steps {
        step(&mut job);
        if job.failed() {
            break;
        }
    }
    job.outcomes
}

/// A Warned outcome for a change that was not made.
pub(crate) fn would(change: String) -> Outcome {
    Outcome::Warned {
        message: format!("would {change}"),
    }
}

pub(crate) fn is_true(value: &str) -> bool {
    matches!(value, "true" | "yes" | "on")
}

/// The file a promiser names; `/dir/.` and `/dir/` name a directory.
pub(crate) struct Target {
    pub path: PathBuf,
    pub directory: bool,
}

impl Target {
    pub fn of(promiser: &str) -> Target {
        let directory = promiser.ends_with("/.") || promiser.ends_with('/');
        let trimmed = promiser.trim_end_matches('.').trim_end_matches('/');
        let path = if trimmed.is_empty() { "/" } else { trimmed };
        Target {
            path: PathBuf::from(path),
            directory,
        }
    }

    /// A missing file is created empty (0600), a directory 0700, with any
    /// missing parents 0700, as cf-agent creates them.
    pub fn create(&self) -> std::io::Result<()> {
        let parent_of_file = if self.directory {
            self.path.as_path()
        } else {
            self.path.parent().unwrap_or(Path::new("/"))
        };
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(parent_of_file)?;
        if !self.directory {
            fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&self.path)?;
        }
        Ok(())
    }
}
