//! `files` promises, one module per concern (SEMANTICS.md §4). `actuate`
//! runs the concerns of one promise in cf-agent's order:
//!
//! 1. existence: a missing object is created (`create`, `touch`);
//! 2. the object as found (every object of a depth_search) is verified as
//!    a leaf: transformer, or rename, delete and touch; then perms and
//!    changes ([`leaf`]);
//! 3. copies ([`copy`]), links ([`link`]), `content` and edits;
//! 4. a regular file is verified as a leaf once more at the end, which is
//!    why cf-agent finds a file it just repaired kept as well.
//!
//! Each sub-operation records its outcome in the [`FileJob`] when it
//! happens (cf-agent sets the classes of each one), and the job keeps the
//! promise's overall result. Attributes not built yet make the promise not
//! kept with a reason that names them, so nothing is half-done silently.

mod attributes;
mod changes;
mod copy;
pub(crate) mod edit;
mod existence;
mod leaf;
mod link;
mod obstructions;
mod perms;
mod rename;
mod sanity;
mod search;
mod select;
mod touch;
mod transformer;

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use compiler::ir::Promise;
use compiler::support::{unsupported_files_attribute, UNSUPPORTED_FILES_ATTRIBUTES};

use crate::eval::body::BodyAttributes;
use crate::eval::expand::Binding;
use crate::eval::Agent;
use crate::outcome::Outcome;
use attributes::FilesAttributes;

/// An attribute promise-rs does not carry out, with why; `edit_xml` is
/// refused later, where cf-agent would start editing.
fn unsupported(promise: &Promise) -> Option<&'static str> {
    UNSUPPORTED_FILES_ATTRIBUTES
        .iter()
        .filter(|(name, _)| *name != "edit_xml")
        .find(|(name, _)| promise.constraint(name).is_some())
        .map(|(_, why)| *why)
}

fn promise_has(job: &FileJob, name: &str) -> bool {
    job.promise.constraint(name).is_some()
}

/// What files promises remember within one run.
#[derive(Debug, Default)]
pub struct RunMemory {
    /// Files rotated in this run: cf-agent rotates a file at most once.
    rotated: HashSet<PathBuf>,
    /// Transformer commands already run (by promise and command line):
    /// like cf-agent's per-run lock, a command runs once.
    transformed: HashSet<String>,
}

/// What one files promise iteration did.
#[derive(Debug)]
pub struct FilesOutcome {
    /// The outcome of each sub-operation, in order; each sets its classes.
    pub recorded: Vec<Outcome>,
    /// The promise's result, counted once.
    pub result: Outcome,
}

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
    pub result: Outcome,
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

    /// A scalar attribute expanded with `$(this.promiser)` standing for
    /// `object`, as cf-agent expands attributes for each file it visits.
    pub fn scalar_for(&mut self, name: &str, object: &Path) -> Option<String> {
        let saved = self.set_this_promiser(Some(object.display().to_string()));
        let value = self.scalar(name);
        self.set_this_promiser(saved);
        value
    }

    fn set_this_promiser(&mut self, promiser: Option<String>) -> Option<String> {
        let frame = self.agent.frame_mut()?;
        std::mem::replace(&mut frame.this.promiser, promiser)
    }

    /// When the run started (`sys.systime`), in seconds.
    pub fn run_started(&self) -> i64 {
        self.agent
            .facts
            .sys
            .get("systime")
            .and_then(crate::value::Value::as_scalar)
            .and_then(|t| t.parse().ok())
            .unwrap_or(0)
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

    /// Records a sub-operation's outcome (its classes are set) and folds it
    /// into the promise's result.
    pub fn push(&mut self, outcome: Outcome) {
        self.note(outcome.clone());
        self.update(outcome);
    }

    /// Records an outcome for its classes only, leaving the result alone
    /// (cf-agent does so for some checks).
    pub fn note(&mut self, outcome: Outcome) {
        self.outcomes.push(outcome);
    }

    /// Folds an outcome into the result without setting its classes.
    pub fn update(&mut self, outcome: Outcome) {
        let prior = std::mem::replace(&mut self.result, Outcome::Kept);
        self.result = prior.worst(outcome);
    }

    /// Something was found as promised.
    pub fn kept(&mut self, message: String) {
        self.agent.log.verbose(&message);
        self.push(Outcome::Kept);
    }

    /// [`FileJob::kept`] for checks made once per file of a tree: the
    /// message is only built when verbose lines are shown.
    pub fn kept_with(&mut self, message: impl FnOnce() -> String) {
        if self.agent.log.verbose_enabled() {
            self.agent.log.verbose(&message());
        }
        self.push(Outcome::Kept);
    }

    /// Something was changed to be as promised.
    pub fn repaired(&mut self, message: String) {
        self.agent.log.info(&message);
        self.push(Outcome::Repaired);
    }

    pub fn fail(&mut self, message: String) {
        self.push(Outcome::failed(message));
    }

    /// True when changes may be made. Otherwise (warn-only, dry run,
    /// audit) the change is recorded as a Warned outcome saying what would
    /// be done, and the result becomes "warned" — whatever it was, as in
    /// cf-agent.
    pub fn making_changes(&mut self, change: String) -> bool {
        if self.apply {
            return true;
        }
        let warned = would(change);
        self.note(warned.clone());
        self.result = warned;
        false
    }

    fn finish(self) -> FilesOutcome {
        FilesOutcome {
            recorded: self.outcomes,
            result: self.result,
        }
    }
}

/// Actuates one files promise iteration.
pub fn actuate(
    agent: &mut Agent,
    promise: &Promise,
    promiser: &str,
    binding: &Binding,
    apply: bool,
) -> FilesOutcome {
    let mut job = FileJob {
        agent,
        promise,
        binding,
        promiser,
        target: Target::of(promiser),
        apply,
        outcomes: Vec::new(),
        result: Outcome::Kept,
    };
    let attributes = FilesAttributes::read(&job);
    if let Some(refusal) = sanity::refusal(&attributes, promiser) {
        let location = job.agent.location(promise);
        job.agent.log.error(&format!("{location}: {refusal}"));
        return job.finish();
    }
    if let Some(why) = unsupported(promise) {
        job.fail(format!("files: {why} (promise on '{promiser}')"));
        return job.finish();
    }
    verify(&mut job, &attributes);
    if attributes.asks_nothing() {
        job.agent.log.warning(&format!(
            "No action was requested for file '{promiser}'. Maybe a typo in the policy?"
        ));
    }
    job.finish()
}

/// The phases of one files promise, in cf-agent's order.
fn verify(job: &mut FileJob, a: &FilesAttributes) {
    let Some(existence) = existence::ensure(job, a) else {
        return;
    };
    let path = job.target.path.clone();
    if link::children_refused(job, a) {
        return;
    }
    if (existence.exists
        && (a.rename.is_some()
            || a.perms.is_some()
            || a.changes.is_some()
            || a.transformer
            || a.acl))
        || ((existence.exists || existence.link) && a.delete.is_some())
    {
        let mut visit = |job: &mut FileJob, found: &search::Leaf| {
            leaf::verify(job, a, &found.path, &found.meta)
        };
        match (&a.changes, a.depth_search.is_some()) {
            (Some(body), true) => {
                search::each_file_and_directory(job, &mut visit, &mut |job, dir, names| {
                    changes::directory_listing(job, body, dir, names)
                })
            }
            _ => search::each_file(job, &mut visit),
        }
    }
    if a.copy {
        copy::copy(job, a);
    }
    link::verify(job, a);
    if let Some(content) = &a.content {
        existence::content(job, a, content, existence.exists);
        return;
    }
    if a.edit {
        if !existence::edit_may_proceed(a, existence.exists) {
            job.agent.log.verbose(&format!(
                "Cannot render file '{}': file does not exist",
                path.display()
            ));
            return;
        }
        if let Some(why) = promise_has(job, "edit_xml")
            .then(|| unsupported_files_attribute("edit_xml"))
            .flatten()
        {
            job.fail(format!("files: {why} (promise on '{}')", job.promiser));
        } else {
            edit::edit(job);
        }
    }
    // Once more: the object may have been created, copied or edited.
    let selected = |job: &FileJob, meta: &fs::Metadata| match search::file_select(job) {
        Ok(select) => select.is_none_or(|s| s.selects(&job.target.path, meta)),
        Err(_) => false,
    };
    match fs::metadata(&path) {
        Ok(meta) if meta.is_file() && selected(job, &meta) => leaf::verify(job, a, &path, &meta),
        Ok(_) => {}
        Err(_) if a.changes.is_some() => job.fail(format!(
            "Promised to monitor '{}' for changes, but file does not exist",
            path.display()
        )),
        Err(_) => {}
    }
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

/// The object a promiser names.
pub(crate) struct Target {
    /// The promiser as written: whether the object exists is asked of it.
    pub written: PathBuf,
    /// The object itself: the promiser without a final `/.`.
    pub path: PathBuf,
    /// Named `dir/.`: a directory is meant.
    pub directory: bool,
}

impl Target {
    pub fn of(promiser: &str) -> Target {
        let directory = promiser == "." || promiser.ends_with("/.");
        let path = match promiser.strip_suffix("/.") {
            Some("") => "/",
            Some(dir) => dir,
            None => promiser,
        };
        Target {
            written: PathBuf::from(promiser),
            path: PathBuf::from(path),
            directory,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_keep_the_promiser_and_drop_a_final_dot() {
        let dir = Target::of("/srv/www/.");
        assert!(dir.directory);
        assert_eq!(dir.path, Path::new("/srv/www"));
        assert_eq!(dir.written, Path::new("/srv/www/."));
        let slash = Target::of("/srv/www/");
        assert!(!slash.directory);
        assert_eq!(slash.path, Path::new("/srv/www/"));
        let root = Target::of("/.");
        assert_eq!(root.path, Path::new("/"));
        let file = Target::of("/etc/motd");
        assert!(!file.directory);
        assert_eq!(file.path, Path::new("/etc/motd"));
    }
}
