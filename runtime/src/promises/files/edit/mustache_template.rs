//! `template_method => "mustache"` (`edit_template`) and
//! `"inline_mustache"` (`edit_template_string`): the whole file becomes the
//! rendering of the template with `template_data`, or with `datastate()`
//! when none is given. The file is written only when the rendering differs.

use std::fs;

use serde_json::Value as Json;

use super::{would, Editor, FileJob};
use crate::fileops::diff;
use crate::fileops::template::mustache;
use crate::functions::mustache::run_state;
use crate::outcome::Outcome;

/// Renders the template file `path`.
pub(super) fn render_file(job: &mut FileJob, editor: &mut Editor, path: &str, data: Option<&Json>) {
    match fs::read_to_string(path) {
        Ok(template) => render(job, editor, &template, path, data),
        Err(error) => editor.result.push(Outcome::failed(format!(
            "Template file '{path}' could not be opened for reading: {error}"
        ))),
    }
}

/// Renders `template`; `label` names it in messages (its file, or
/// "inline").
pub(super) fn render(
    job: &mut FileJob,
    editor: &mut Editor,
    template: &str,
    label: &str,
    data: Option<&Json>,
) {
    let promiser = job.promiser.to_string();
    let state;
    let data = match data {
        Some(data) => data,
        None => match run_state(&*job.agent) {
            Ok(json) => {
                state = json;
                &state
            }
            Err(error) => {
                return editor.result.push(Outcome::failed(format!(
                    "Error rendering mustache template '{label}': {}",
                    error.0
                )))
            }
        },
    };
    let rendered = match mustache::render(template, data) {
        Ok(text) => text,
        Err(error) => {
            return editor.result.push(Outcome::failed(format!(
                "Error rendering mustache template '{label}': {error}"
            )))
        }
    };
    let old = editor.original.as_ref().map(|o| o.bytes());
    if old.as_deref() == Some(rendered.as_bytes()) {
        return;
    }
    if !job.apply {
        let old_text = String::from_utf8_lossy(old.as_deref().unwrap_or_default()).into_owned();
        let shown = diff::unified(
            &diff::lines_of(&old_text),
            &diff::lines_of(&rendered),
            &promiser,
            &promiser,
            3,
        );
        return editor.result.push(would(format!(
            "update rendering of '{promiser}' from mustache template '{label}':\n{}",
            shown.trim_end()
        )));
    }
    if !editor.create_for_template(job) {
        return;
    }
    let outcome = match editor.save(job, rendered.as_bytes()) {
        Ok(()) => Outcome::Repaired,
        Err(error) => Outcome::failed(format!(
            "Failed to update rendering of '{promiser}' from mustache template '{label}': {error}"
        )),
    };
    editor.result.push(outcome);
}
