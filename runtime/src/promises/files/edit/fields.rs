//! field_edits promises: the `edit_field` body.

use super::attributes::{failed, EditPromise};
use crate::eval::body::BodyAttributes;
use crate::eval::Agent;
use crate::fileops::edit::fields::{edit_fields, FieldEdit};
use crate::fileops::edit::Report;

/// The `edit_field` body, checked as cf-agent checks it.
struct Spec {
    separator: String,
    field: usize,
    value_separator: Option<char>,
    value: String,
    operation: String,
    extend: bool,
    allow_blank: bool,
}

fn spec(body: Option<&BodyAttributes>, promiser: &str) -> Result<Spec, String> {
    let get = |name: &str| body.and_then(|b| b.scalar(name)).map(str::to_string);
    let flag = |name: &str| get(name).is_some_and(|v| super::super::is_true(&v));
    let separator = get("field_separator").ok_or_else(|| {
        format!("No field_separator in promise to edit by column for '{promiser}'")
    })?;
    let field = get("select_field")
        .and_then(|f| f.trim().parse::<i64>().ok())
        .map(|f| {
            if flag("start_fields_from_zero") {
                f + 1
            } else {
                f
            }
        })
        .filter(|f| *f > 0)
        .ok_or_else(|| format!("No select_field in promise to edit '{promiser}'"))?;
    let value = get("field_value")
        .ok_or_else(|| format!("No field_value is promised to column_edit '{promiser}'"))?;
    Ok(Spec {
        separator,
        field: usize::try_from(field).unwrap_or(usize::MAX),
        value_separator: get("value_separator").and_then(|s| s.chars().next()),
        value,
        operation: get("field_operation").unwrap_or_default(),
        extend: flag("extend_fields"),
        allow_blank: flag("allow_blank_fields"),
    })
}

/// `None`: already done on this file in this run.
pub(super) fn run(agent: &mut Agent, edit: &EditPromise) -> Option<Report> {
    let spec = match spec(edit.body(agent, "edit_field").as_ref(), edit.promiser) {
        Ok(spec) => spec,
        Err(reason) => return Some(failed(reason)),
    };
    for pattern in [edit.promiser, spec.separator.as_str()] {
        if let Err(report) = edit.check_regex(pattern) {
            return Some(report);
        }
    }
    let region = match edit.region(agent, "column edit") {
        Ok(region) => region,
        Err(report) => return Some(report),
    };
    if !edit.first_time(agent, "") {
        return None;
    }
    let field_edit = FieldEdit {
        pattern: edit.promiser,
        separator: &spec.separator,
        field: spec.field,
        value_separator: spec.value_separator,
        value: &spec.value,
        operation: &spec.operation,
        extend: spec.extend,
        allow_blank: spec.allow_blank,
        warn: edit.warn,
        filename: edit.filename,
    };
    let mut lines = std::mem::take(&mut agent.edits.lines);
    let report = edit_fields(&mut lines, region, &field_edit);
    agent.edits.lines = lines;
    Some(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_attributes_and_zero_based_fields() {
        assert!(spec(None, "p").is_err());
        let zero = BodyAttributes::of_scalars(&[
            ("field_separator", ":"),
            ("select_field", "0"),
            ("field_value", "v"),
            ("start_fields_from_zero", "true"),
        ]);
        assert_eq!(spec(Some(&zero), "p").map(|s| s.field), Ok(1));
        let missing_value =
            BodyAttributes::of_scalars(&[("field_separator", ":"), ("select_field", "1")]);
        assert!(spec(Some(&missing_value), "p").is_err());
        let bad_field = BodyAttributes::of_scalars(&[
            ("field_separator", ":"),
            ("select_field", "0"),
            ("field_value", "v"),
        ]);
        assert!(spec(Some(&bad_field), "p").is_err());
    }
}
