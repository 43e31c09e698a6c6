//! delete_lines promises.

use super::attributes::{interrupted, line_select, EditPromise};
use crate::eval::Agent;
use crate::fileops::edit::delete::{delete_lines, Deletion};
use crate::fileops::edit::Report;

/// `None`: already done on this file in this run.
pub(super) fn run(agent: &mut Agent, edit: &EditPromise) -> Option<Report> {
    if let Err(report) = edit.check_regex(edit.promiser) {
        return Some(report);
    }
    let select = line_select(edit.body(agent, "delete_select").as_ref(), "delete_if");
    let not_matching = edit.flag(agent, "not_matching");
    let region = match edit.select_region(agent) {
        Ok(region) => region,
        Err(report) => return Some(report),
    };
    let lines = &agent.edits.lines;
    let (first, stop) = match &region {
        None => (lines.head(), None),
        Some(select_region) => match select_region.select(lines) {
            Err(_) => {
                let why = if select_region.include_start || select_region.include_end {
                    "this is a good thing, as policy suggests deleting the markers"
                } else {
                    "but the delimiters were expected in the file"
                };
                return Some(interrupted(format!(
                    "The promised line deletion '{}' could not select an edit region in '{}' ({why})",
                    edit.promiser, edit.filename
                )));
            }
            Ok(found) if select_region.end_missing(&found) => {
                return Some(interrupted(format!(
                    "The promised end pattern '{}' was not found when selecting region to delete in '{}'",
                    select_region.end.as_deref().unwrap_or(""),
                    edit.filename
                )));
            }
            Ok(found) => select_region.deletion_span(lines, &found),
        },
    };
    if !edit.first_time(agent, "") {
        return None;
    }
    let deletion = Deletion {
        pattern: edit.promiser,
        not_matching,
        select: &select,
        warn: edit.warn,
        filename: edit.filename,
    };
    let mut lines = std::mem::take(&mut agent.edits.lines);
    let report = delete_lines(&mut lines, first, stop, &deletion);
    agent.edits.lines = lines;
    Some(report)
}
