//! Editing a file's content: `edit_line` bundles, `edit_template`
//! (cfengine and mustache methods) and `edit_template_string`, with
//! `edit_defaults` (SEMANTICS.md §4.5–4.7).
//!
//! The file is read into memory, the edit bundle runs its three passes
//! over it (each edit promise is a promise of its own, with outcome and
//! classes), and the result is written back only if it differs from the
//! file, atomically and after the backup `edit_backup` asks for. In
//! warn-only, dry-run and audit runs nothing is written: the files promise
//! warns with a unified diff of what would change.
//!
//! Modules: `defaults` (edit_defaults), `load`/`save` (reading, backups,
//! writing), `attributes` (edit promise attributes), one module per edit
//! promise type, `record` (their outcomes), `cfengine_template` and
//! `mustache_template`.

mod attributes;
mod cfengine_template;
mod defaults;
mod delete;
mod fields;
mod insert;
mod load;
mod mustache_template;
mod record;
mod region;
mod replace;
pub(super) mod save;

pub(crate) use save::backup_stamp;

use std::collections::HashSet;
use std::fs;
use std::path::PathBuf;

use compiler::ir::Promise;

use super::attributes::FilesAttributes;
use super::{existence, would, FileJob};
use crate::eval::expand::Binding;
use crate::eval::Agent;
use crate::fileops::diff;
use crate::fileops::edit::Lines;
use crate::outcome::Outcome;
use crate::value::Value;
use defaults::EditDefaults;
use load::Original;

/// Edit state of a run: the file an edit_line bundle is working on, and
/// the backups already rotated (each rotates once per run).
#[derive(Debug, Default)]
pub(crate) struct EditRun {
    session: Option<EditSession>,
    /// The lines being edited; kept apart from the session so that the
    /// session (`$(edit.filename)`) stays readable while an operation
    /// holds the lines.
    lines: Lines,
    rotated: HashSet<PathBuf>,
}

#[derive(Debug, Clone)]
struct EditSession {
    /// The promiser, as `$(edit.filename)` shows it.
    filename: String,
    empty_before_use: bool,
    /// A dry run or an audit: edits are made in memory, to show the
    /// difference, and reported as warnings.
    simulate: bool,
    /// Changes made to the lines (cf-agent's `num_edits`).
    changes: usize,
}

impl EditRun {
    /// `edit.filename`, `edit.empty_before_use`.
    pub(crate) fn variable(&self, name: &str) -> Option<Value> {
        let session = self.session.as_ref()?;
        match name {
            "filename" => Some(Value::scalar(session.filename.clone())),
            "empty_before_use" => Some(Value::scalar(session.empty_before_use.to_string())),
            _ => None,
        }
    }
}

/// The files promise step: edits the promiser if the promise asks for it.
pub(super) fn edit(job: &mut FileJob) {
    let edit_line = job.promise.constraint("edit_line").is_some();
    let template = job.scalar("edit_template");
    let template_string = job.scalar("edit_template_string");
    if !edit_line && template.is_none() && template_string.is_none() {
        return;
    }
    let promiser = job.promiser.to_string();
    if job.promise.constraint("content").is_some() {
        return job.push(Outcome::failed(format!(
            "A file promise with content attribute cannot have edit operations ('{promiser}')"
        )));
    }
    let method = job
        .scalar("template_method")
        .unwrap_or_else(|| "cfengine".to_string());
    let template_data = match job.promise.constraint("template_data") {
        None => None,
        Some(constraint) => match job.agent.evaluate_rval(&constraint.ast.rval, job.binding) {
            Some(evaluated) if matches!(evaluated.value, Value::Data(_)) => match evaluated.value {
                Value::Data(json) => Some(json),
                _ => None,
            },
            _ => {
                return job.push(Outcome::failed(format!(
                    "No template data for the promise '{promiser}'"
                )))
            }
        },
    };
    let mut defaults = match EditDefaults::from_body(job.body("edit_defaults").as_ref()) {
        Ok(defaults) => defaults,
        Err(reason) => {
            return job.push(Outcome::failed(format!(
                "{reason} (promise on '{promiser}')"
            )))
        }
    };
    if template.is_some() || template_string.is_some() {
        defaults.empty_before_use = true;
        defaults.inherit = true;
    }
    let path = job.target.path.clone();
    let exists = fs::metadata(&path).is_ok();
    let create_false = job.promise.constraint("create").is_some() && !job.flag("create");
    let renders = matches!(method.as_str(), "cfengine" | "mustache" | "inline_mustache");
    if !exists && (!renders || create_false) {
        job.agent.log.verbose(&format!(
            "Cannot render file '{promiser}': file does not exist"
        ));
        return;
    }
    if !path.is_absolute() {
        return job.push(Outcome::failed(format!(
            "Relative file name '{promiser}' was marked for editing but has no invariant meaning"
        )));
    }
    let original = if exists {
        load::read_for_editing(&path, &defaults)
    } else {
        Err("it does not exist".to_string())
    };
    if edit_line {
        if let Err(reason) = &original {
            return job.push(Outcome::failed(format!(
                "File '{promiser}' was marked for editing but could not be opened: {reason}"
            )));
        }
    }
    let simulate = job.agent.dry_run || job.agent.audit;
    let start_lines = match (&original, defaults.empty_before_use) {
        (Ok(original), false) => Lines::from_lines(original.lines()),
        _ => Lines::default(),
    };
    let session = EditSession {
        filename: promiser.clone(),
        empty_before_use: defaults.empty_before_use,
        simulate,
        changes: 0,
    };
    let mut editor = Editor {
        defaults,
        original: original.ok(),
        exists,
        not_created: false,
        result: Vec::new(),
    };
    job.agent.edits.session = Some(session);
    job.agent.edits.lines = start_lines;
    let args = if edit_line {
        editor.run_edit_line(job)
    } else {
        Vec::new()
    };
    if method == "cfengine" {
        if let Some(template) = &template {
            cfengine_template::render(job, &mut editor, template, args);
        }
    } else if method == "mustache" {
        if let Some(template) = &template {
            mustache_template::render_file(job, &mut editor, template, template_data.as_ref());
        }
    } else if method == "inline_mustache" {
        if let Some(template) = &template_string {
            mustache_template::render(job, &mut editor, template, "inline", template_data.as_ref());
        }
    }
    editor.finish(job);
    job.agent.edits.session = None;
    job.agent.edits.lines = Lines::default();
}

/// One edit of one file, between reading it and writing it back.
struct Editor {
    defaults: EditDefaults,
    /// The file as read; `None` when it did not exist or could not be read.
    original: Option<Original>,
    exists: bool,
    /// The missing file could not be created for a template (the reason
    /// is recorded already): nothing is saved.
    not_created: bool,
    /// Outcomes of the file-level steps (templates, saving), as cf-agent's
    /// `ScheduleEditOperation` collects them.
    result: Vec<Outcome>,
}

impl Editor {
    /// Runs the edit_line bundle; returns its arguments (a cfengine
    /// template in the same promise gets them too).
    fn run_edit_line(&mut self, job: &mut FileJob) -> Vec<Value> {
        let Some(constraint) = job.promise.constraint("edit_line") else {
            return Vec::new();
        };
        let Some((name, args)) =
            crate::promises::methods::call_of(job.agent, &constraint.ast.rval, job.binding)
        else {
            job.agent
                .log
                .error(&format!("edit_line of '{}' names no bundle", job.promiser));
            return Vec::new();
        };
        let namespace = job.agent.namespace().to_string();
        let policy = job.agent.policy;
        let Some(id) = policy
            .find_bundle(&namespace, &name)
            .filter(|&id| policy.bundle(id).bundle_type() == "edit_line")
        else {
            job.agent
                .log
                .error(&format!("Did not find bundle '{name}' for edit operation"));
            return args;
        };
        if let Err(message) = job
            .agent
            .run_edit_bundle(id, args.clone(), self.defaults.inherit)
        {
            job.agent.log.error(&message);
        }
        args
    }

    fn changes(job: &FileJob) -> usize {
        job.agent.edits.session.as_ref().map_or(0, |s| s.changes)
    }

    fn add_changes(job: &mut FileJob, count: usize) {
        if let Some(session) = job.agent.edits.session.as_mut() {
            session.changes += count;
        }
    }

    /// Whether the file already holds exactly these lines, by cf-agent's
    /// comparison (line lists, so a missing final newline is no change).
    fn unchanged(&self, lines: &Lines) -> bool {
        match &self.original {
            None => false,
            Some(original) if lines.is_empty() => original.is_empty(),
            Some(original) => lines.texts().eq(original.lines()),
        }
    }

    /// cf-agent's `FinishEditContext`: write the lines back if some edit
    /// changed them and they differ from the file.
    fn finish(&mut self, job: &mut FileJob) {
        let failed = self.not_created
            || self
                .result
                .iter()
                .any(|o| matches!(o, Outcome::NotKept { .. } | Outcome::Warned { .. }));
        let outcomes = std::mem::take(&mut self.result);
        for outcome in outcomes {
            job.push(outcome);
        }
        if failed {
            return;
        }
        let promiser = job.promiser.to_string();
        let lines = std::mem::take(&mut job.agent.edits.lines);
        if Self::changes(job) == 0 || self.unchanged(&lines) {
            return kept(
                job,
                format!("No edit changes to file '{promiser}' need saving"),
            );
        }
        if !job.apply {
            let old_lines: Vec<&str> = self
                .original
                .as_ref()
                .map(|o| o.lines().collect())
                .unwrap_or_default();
            let new_lines: Vec<&str> = lines.texts().collect();
            let shown = diff::unified(&old_lines, &new_lines, &promiser, &promiser, 3);
            return job.push(would(format!(
                "edit file '{promiser}':\n{}",
                shown.trim_end()
            )));
        }
        let new_text = load::join_lines(lines.texts());
        let encoding = self
            .original
            .as_ref()
            .map(|o| o.encoding)
            .unwrap_or_default();
        let outcome = match self.save(job, &encoding.encode(new_text)) {
            Ok(()) => Outcome::Repaired,
            Err(error) => Outcome::failed(format!(
                "Unable to save file '{promiser}' after editing: {error}"
            )),
        };
        job.push(outcome);
    }

    fn save(&self, job: &mut FileJob, content: &[u8]) -> std::io::Result<()> {
        let started = job.run_started();
        let agent = &mut *job.agent;
        let options = save::SaveOptions {
            backup: self.defaults.backup,
            started,
            rotated: &mut agent.edits.rotated,
            writes: &mut agent.writes,
        };
        save::save(&job.target.path, content, options)
    }

    /// Creates the missing promiser for a template, as `create` does
    /// (cf-agent's `CfCreateFile`); false when it could not.
    fn create_for_template(&mut self, job: &mut FileJob) -> bool {
        if self.exists {
            return true;
        }
        let attributes = FilesAttributes::read(job);
        if !existence::create(job, &attributes) {
            self.not_created = true;
            return false;
        }
        self.exists = true;
        self.original = Some(Original::default());
        true
    }
}

/// A kept step of the files promise: its classes are set now, since a
/// files promise that is also repaired reports both (cf-agent's
/// "No edit changes … need saving" after a mustache render).
fn kept(job: &mut FileJob, message: String) {
    job.agent
        .log
        .verbose(&format!("{}: {message}", job.agent.location(job.promise)));
    if job.outcomes.iter().any(|o| *o != Outcome::Kept) {
        job.agent
            .outcome_classes(job.promise, job.binding, &Outcome::Kept);
    }
    job.push(Outcome::Kept);
}

/// An edit promise (insert_lines, delete_lines, replace_patterns,
/// field_edits) inside an edit_line bundle.
pub(crate) fn actuate_line_promise(
    agent: &mut Agent,
    promise: &Promise,
    promiser: &str,
    binding: &Binding,
) {
    let Some(session) = agent.edits.session.clone() else {
        let outcome = Outcome::failed(format!(
            "{} promise '{promiser}' is outside an edit_line bundle",
            promise.promise_type
        ));
        return agent.record(promise, binding, outcome);
    };
    let warn_only = agent.action_settings(promise, binding).warn_only;
    let context = attributes::EditPromise {
        promise,
        promiser,
        binding,
        filename: &session.filename,
        warn: warn_only,
    };
    let report = match promise.promise_type {
        "delete_lines" => delete::run(agent, &context),
        "insert_lines" => insert::run(agent, &context),
        "replace_patterns" => replace::run(agent, &context),
        "field_edits" => fields::run(agent, &context),
        _ => None,
    };
    if let Some(report) = report {
        record::record(
            agent,
            promise,
            binding,
            report,
            session.simulate && !warn_only,
        );
    }
}
