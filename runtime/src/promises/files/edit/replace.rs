//! replace_patterns promises: `replace_with { replace_value; occurrences }`,
//! with `$(match.N)` of each match in the replacement.

use super::attributes::{failed, EditPromise};
use crate::eval::Agent;
use crate::fileops::edit::replace::{replace_patterns, Replacement};
use crate::fileops::edit::Report;
use crate::value::Value;

/// `None`: already done on this file in this run.
pub(super) fn run(agent: &mut Agent, edit: &EditPromise) -> Option<Report> {
    if let Err(report) = edit.check_regex(edit.promiser) {
        return Some(report);
    }
    let body = edit.body(agent, "replace_with");
    let Some(value) = body
        .as_ref()
        .and_then(|b| b.scalar("replace_value"))
        .map(str::to_string)
    else {
        return Some(failed(format!(
            "The promised pattern replace '{}' has no replacement string",
            edit.promiser
        )));
    };
    let first_only = body.as_ref().and_then(|b| b.scalar("occurrences")) == Some("first");
    let region = match edit.region(agent, "pattern replace") {
        Ok(region) => region,
        Err(report) => return Some(report),
    };
    if !edit.first_time(agent, "") {
        return None;
    }
    if first_only {
        agent.log.verbose(&format!(
            "Setting replace-occurrences policy to 'first' is not convergent ('{}')",
            edit.promiser
        ));
    }
    let replacement = Replacement {
        pattern: edit.promiser,
        first_only,
        warn: edit.warn,
        filename: edit.filename,
    };
    let mut lines = std::mem::take(&mut agent.edits.lines);
    let reader: &Agent = agent;
    let plain = !value.contains(['$', '@']);
    let mut expand = |groups: &[String]| {
        if plain {
            return value.clone();
        }
        let mut binding = edit.binding.clone();
        for (index, group) in groups.iter().enumerate() {
            binding.insert(format!("match.{index}"), Value::scalar(group.clone()));
        }
        reader.expand(&value, &binding).text
    };
    let report = replace_patterns(&mut lines, region, &replacement, &mut expand);
    agent.edits.lines = lines;
    Some(report)
}
