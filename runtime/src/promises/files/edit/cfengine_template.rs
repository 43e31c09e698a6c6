//! `edit_template` with `template_method => "cfengine"`: the template's
//! lines are inserted into the emptied file, each expanded (lists make a
//! line, or a block, repeat once per element), as cf-agent's temporary
//! insert_lines bundle does. Expansion happens in a bundle of its own, so
//! only qualified variables (`$(main.v)`) resolve, as in cf-agent.

use std::collections::HashSet;
use std::collections::{BTreeMap, HashMap};
use std::fs;

use super::load::Encoding;
use super::{Editor, FileJob};
use crate::eval::iterate::combinations;
use crate::eval::{Frame, ThisPromise};
use crate::facts::canonify;
use crate::fileops::edit::insert::{insert_lines, InsertType, Insertion, Location};
use crate::fileops::edit::matching::LineSelect;
use crate::fileops::edit::region::Region;
use crate::fileops::template::cfengine::{parse, TemplateLine};
use crate::outcome::{NotKeptReason, Outcome};
use crate::value::Value;

pub(super) fn render(job: &mut FileJob, editor: &mut Editor, template: &str, _args: Vec<Value>) {
    let promiser = job.promiser.to_string();
    let interrupted = |message: String| Outcome::NotKept {
        reason: NotKeptReason::Interrupted,
        message,
    };
    let bytes = match fs::read(template) {
        Ok(bytes) => bytes,
        Err(error) => {
            return editor.result.push(interrupted(format!(
                "Unable to open template file '{template}' to make '{promiser}': {error}"
            )))
        }
    };
    let (text, _) = Encoding::decode(bytes);
    let namespace = job.agent.namespace().to_string();
    let classes = &job.agent.classes;
    let defined = |context: &str| classes.evaluate(&namespace, context) == Some(true);
    let lines = match parse(&text, &defined) {
        Ok(lines) => lines,
        Err(reason) => {
            return editor
                .result
                .push(interrupted(format!("Template file '{template}' {reason}")))
        }
    };
    if !editor.create_for_template(job) {
        return;
    }
    job.agent.frames.push(template_frame(template));
    job.agent.classes.push_bundle(true);
    let mut inserted = 0;
    let mut done: HashSet<(usize, String)> = HashSet::new();
    for line in &lines {
        inserted += insert_line(job, line, &mut done);
    }
    job.agent.classes.pop_bundle();
    job.agent.frames.pop();
    // cf-agent always compares a rendered template with the file.
    Editor::add_changes(job, inserted.max(1));
}

/// Inserts every expansion of one template line; returns the changes.
fn insert_line(
    job: &mut FileJob,
    line: &TemplateLine,
    done: &mut HashSet<(usize, String)>,
) -> usize {
    let agent = &mut *job.agent;
    if agent.classes.evaluate(agent.namespace(), &line.context) != Some(true) {
        return 0;
    }
    let mut iterables = Vec::new();
    agent.iterables_in_text(&line.text, &mut iterables);
    let filename = job.promiser.to_string();
    let mut changes = 0;
    for binding in combinations(&iterables) {
        let text = agent.expand(&line.text, &binding).text;
        if !done.insert((line.line, text.clone())) {
            continue;
        }
        let location = Location::default();
        let select = LineSelect::Any;
        let insertion = Insertion {
            promiser: &text,
            kind: InsertType::PreserveAllLines,
            source: Ok(Vec::new()),
            location: &location,
            whitespace: &[],
            select: &select,
            warn: false,
            filename: &filename,
        };
        let mut lines = std::mem::take(&mut agent.edits.lines);
        let region = Region::whole(&lines);
        changes += insert_lines(&mut lines, region, &insertion).changes();
        agent.edits.lines = lines;
    }
    changes
}

/// cf-agent's `temp_cf_bundle_<template>`: no variables of its own.
fn template_frame(template: &str) -> Frame {
    Frame {
        bundle: None,
        namespace: "default".into(),
        name: format!("temp_cf_bundle_{}", canonify(template)),
        params: HashMap::new(),
        this: ThisPromise::default(),
        outcome: None,
        return_values: BTreeMap::new(),
    }
}
