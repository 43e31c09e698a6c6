//! insert_lines promises: `insert_type`, `location`, `insert_select`,
//! `whitespace_policy`, `expand_scalars`, `select_region`.

use std::fs;

use super::attributes::{failed, interrupted, line_select, select_lists, EditPromise};
use super::load::{split_lines, Encoding};
use crate::eval::Agent;
use crate::fileops::edit::insert::{insert_lines, InsertType, Insertion, Location};
use crate::fileops::edit::matching::Whitespace;
use crate::fileops::edit::region::Region;
use crate::fileops::edit::Report;

/// `None`: already done on this file in this run.
pub(super) fn run(agent: &mut Agent, edit: &EditPromise) -> Option<Report> {
    let type_name = edit
        .scalar(agent, "insert_type")
        .unwrap_or_else(|| "literal".to_string());
    let Some(kind) = InsertType::parse(&type_name) else {
        return Some(failed(format!(
            "insert_lines promise '{}': unknown insert_type '{type_name}'",
            edit.promiser
        )));
    };
    let location = match location(agent, edit) {
        Ok(location) => location,
        Err(report) => return Some(report),
    };
    let select_body = edit.body(agent, "insert_select");
    let select = line_select(select_body.as_ref(), "insert_if");
    let mut whitespace = Vec::new();
    for word in edit.list(agent, "whitespace_policy") {
        match Whitespace::parse(&word) {
            Some(policy) => whitespace.push(policy),
            None => {
                return Some(failed(format!(
                    "insert_lines promise '{}': unknown whitespace_policy '{word}'",
                    edit.promiser
                )))
            }
        }
    }
    if let Err(reason) = sane(
        select_lists(select_body.as_ref(), "insert_if"),
        &whitespace,
        kind,
    ) {
        return Some(failed(format!(
            "The promised line insertion '{}' breaks its own promises: {reason}",
            edit.promiser
        )));
    }
    let region = match edit.select_region(agent) {
        Ok(None) => Region::whole(&agent.edits.lines),
        Ok(Some(select_region)) => match select_region.select(&agent.edits.lines) {
            Err(_) => {
                return Some(interrupted(format!(
                    "The promised line insertion '{}' could not select an edit region in '{}'",
                    edit.promiser, edit.filename
                )))
            }
            Ok(found) if select_region.end_missing(&found) => {
                return Some(interrupted(format!(
                    "The promised end pattern '{}' was not found when selecting region to insert in '{}'",
                    select_region.end.as_deref().unwrap_or(""),
                    edit.filename
                )))
            }
            Ok(found) => found,
        },
        Err(report) => return Some(report),
    };
    // Duplicates are allowed once per promise line (templates rely on it).
    let salt = if kind == InsertType::PreserveAllLines {
        edit.promise.ast.span.line.to_string()
    } else {
        String::new()
    };
    if !edit.first_time(agent, &salt) {
        return None;
    }
    let source = if matches!(kind, InsertType::File | InsertType::FilePreserveBlock) {
        read_source(agent, edit)
    } else {
        Ok(Vec::new())
    };
    let insertion = Insertion {
        promiser: edit.promiser,
        kind,
        source,
        location: &location,
        whitespace: &whitespace,
        select: &select,
        warn: edit.warn,
        filename: edit.filename,
    };
    let mut lines = std::mem::take(&mut agent.edits.lines);
    let report = insert_lines(&mut lines, region, &insertion);
    agent.edits.lines = lines;
    Some(report)
}

fn location(agent: &Agent, edit: &EditPromise) -> Result<Location, Report> {
    let Some(body) = edit.body(agent, "location") else {
        return Ok(Location::default());
    };
    let anchor = body.scalar("select_line_matching").map(str::to_string);
    if let Some(anchor) = &anchor {
        edit.check_regex(anchor)?;
    }
    Ok(Location {
        anchor,
        before: body.scalar("before_after") == Some("before"),
        first: body.scalar("first_last") == Some("first"),
    })
}

/// cf-agent's `SanityCheckInsertions`.
fn sane(
    (positive, negative): (usize, usize),
    whitespace: &[Whitespace],
    kind: InsertType,
) -> Result<(), &'static str> {
    if negative > 1 {
        return Err("only one negative insert_select list is allowed");
    }
    if positive > 0 && negative > 0 {
        return Err("insert_select cannot mix positive and negative lists");
    }
    let exact = whitespace.contains(&Whitespace::ExactMatch);
    let loose = whitespace.iter().any(|w| *w != Whitespace::ExactMatch);
    if loose && kind == InsertType::PreserveBlock {
        return Err("whitespace_policy cannot be used with preserve_block");
    }
    if exact && loose {
        return Err("exact_match cannot be mixed with other whitespace policies");
    }
    Ok(())
}

/// The lines of the file an `insert_type => "file"` promise names, with
/// `$(…)` expanded when `expand_scalars` says so.
fn read_source(agent: &Agent, edit: &EditPromise) -> Result<Vec<String>, String> {
    let path = edit.promiser;
    if fs::metadata(path).is_ok_and(|m| m.is_dir()) {
        return Err(format!("Could not insert lines from a directory '{path}'"));
    }
    let bytes = fs::read(path).map_err(|e| format!("Could not read file '{path}'. ({e})"))?;
    let (text, _) = Encoding::decode(bytes);
    let lines = split_lines(&text, false);
    if !edit.flag(agent, "expand_scalars") {
        return Ok(lines.map(str::to_string).collect());
    }
    Ok(lines
        .map(|line| agent.expand(line, edit.binding).text)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanity_rules() {
        assert!(sane((1, 0), &[], InsertType::Literal).is_ok());
        assert!(sane((0, 2), &[], InsertType::Literal).is_err());
        assert!(sane((1, 1), &[], InsertType::Literal).is_err());
        assert!(sane(
            (0, 0),
            &[Whitespace::IgnoreLeading],
            InsertType::PreserveBlock
        )
        .is_err());
        assert!(sane(
            (0, 0),
            &[Whitespace::ExactMatch, Whitespace::IgnoreTrailing],
            InsertType::Literal
        )
        .is_err());
    }
}
