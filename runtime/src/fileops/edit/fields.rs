//! field_edits: lines fully matching the promiser are split into fields by
//! a regex, one field is changed, and the line is joined again with the
//! first separator found in it (so a regex separator such as `[=,]` comes
//! back as whatever matched first). Without `allow_blank_fields` empty
//! fields are dropped by the split, as cf-agent does.

use super::lines::Lines;
use super::matching::Pattern;
use super::region::Region;
use super::report::Report;
use crate::functions::regex;

/// An `edit_field` body, checked: separator, field and value are present.
#[derive(Debug, Clone)]
pub struct FieldEdit<'a> {
    pub pattern: &'a str,
    pub separator: &'a str,
    /// 1-based (already shifted for `start_fields_from_zero`).
    pub field: usize,
    pub value_separator: Option<char>,
    pub value: &'a str,
    /// `set`, `delete`, `prepend`, `alphanum`; anything else appends.
    pub operation: &'a str,
    pub extend: bool,
    pub allow_blank: bool,
    pub warn: bool,
    pub filename: &'a str,
}

pub fn edit_fields(lines: &mut Lines, region: Region, edit: &FieldEdit) -> Report {
    let mut report = Report::default();
    let pattern = Pattern::new(edit.pattern);
    let separator = Pattern::new(edit.separator);
    let mut matched = false;
    let mut at = region.begin;
    while let Some(id) = at {
        if Some(id) == region.end {
            break;
        }
        at = lines.next(id);
        let text = lines.text(id).to_string();
        if !pattern.full(&text) {
            continue;
        }
        matched = true;
        let Some(found) = separator.search(&text) else {
            report.interrupted(format!(
                "Field edit, no fields found by promised pattern '{}' in '{}'",
                edit.separator, edit.filename
            ));
            return report;
        };
        let joint = &text[found.start..found.end];
        let mut fields =
            regex::split(&text, edit.separator, usize::MAX, edit.allow_blank).unwrap_or_default();
        if edit_one_field(&mut fields, edit, &mut report) {
            lines.set_text(id, fields.join(joint));
        }
    }
    if !matched {
        report.failed(format!(
            "No matched line to edit fields of for pattern '{}' in '{}'",
            edit.pattern, edit.filename
        ));
    }
    report
}

/// Changes the selected field of one line; true when it changed.
fn edit_one_field(fields: &mut Vec<String>, edit: &FieldEdit, report: &mut Report) -> bool {
    let file = edit.filename;
    if edit.field > fields.len() {
        if !edit.extend {
            report.interrupted(format!(
                "The file {file} has only {} fields, but there is a promise for field {}",
                fields.len(),
                edit.field
            ));
            return false;
        }
        fields.resize(edit.field, String::new());
    }
    let field = &mut fields[edit.field - 1];
    if edit.warn {
        report.warned(format!(
            "Should edit field '{}' in '{file}', but only warning promised",
            edit.value
        ));
        return false;
    }
    let Some(separator) = edit.value_separator else {
        // No sub-values: the whole field is set (or emptied), and this
        // counts as a change even when it already had the value.
        if edit.operation == "delete" {
            report.changed(format!("Deleted column field value '{field}' in '{file}'"));
            field.clear();
        } else {
            report.changed(format!(
                "Set whole column field value '{field}' to '{}' in '{file}'",
                edit.value
            ));
            *field = edit.value.to_string();
        }
        return true;
    };
    let mut values = split_values(field, separator);
    let changed = edit_values(&mut values, edit, report);
    if changed {
        *field = values.join(&separator.to_string());
    }
    changed
}

/// `field_operation` on the values of a field.
fn edit_values(values: &mut Vec<String>, edit: &FieldEdit, report: &mut Report) -> bool {
    let value = edit.value;
    let file = edit.filename;
    let present = values.iter().any(|v| v == value);
    match edit.operation {
        "delete" => {
            let before = values.len();
            values.retain(|v| v != value);
            for _ in values.len()..before {
                report.changed(format!(
                    "Deleted column field sub-value '{value}' in '{file}'"
                ));
            }
            values.len() != before
        }
        "set" => {
            let already = (values.len() == 1 && values[0] == value)
                || (values.is_empty() && value.is_empty());
            if already {
                report.kept("Field sub-value set as promised".into());
                return false;
            }
            report.changed(format!("Set field sub-value '{value}' in '{file}'"));
            *values = vec![value.to_string()];
            true
        }
        "prepend" | "alphanum" => {
            if present {
                report.kept(format!(
                    "Field sub-value '{value}' already present in '{file}'"
                ));
            } else {
                values.insert(0, value.to_string());
                report.changed(format!("Inserted field sub-value '{value}' in '{file}'"));
            }
            if edit.operation == "alphanum" {
                values.sort();
            }
            !present
        }
        _ => {
            if present {
                report.kept(format!(
                    "Field sub-value '{value}' already present in '{file}'"
                ));
                return false;
            }
            values.push(value.to_string());
            report.changed(format!("Appended field sub-value '{value}' in '{file}'"));
            true
        }
    }
}

/// Splits a field on `separator`; `\` before a separator keeps it in the
/// value. An empty field has no values.
fn split_values(field: &str, separator: char) -> Vec<String> {
    let mut out = Vec::new();
    if field.is_empty() {
        return out;
    }
    let mut current = String::new();
    let mut chars = field.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.peek() == Some(&separator) {
            current.push(separator);
            chars.next();
        } else if c == separator {
            out.push(std::mem::take(&mut current));
            if chars.peek().is_none() {
                return out;
            }
        } else {
            current.push(c);
        }
    }
    out.push(current);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fileops::edit::report::Verdict;

    fn edit(
        line: &str,
        field: usize,
        value: &str,
        operation: &str,
        vsep: Option<char>,
    ) -> (String, Verdict) {
        edit_with(line, ":", field, value, operation, vsep, false, false)
    }

    #[allow(clippy::too_many_arguments)]
    fn edit_with(
        line: &str,
        separator: &str,
        field: usize,
        value: &str,
        operation: &str,
        value_separator: Option<char>,
        extend: bool,
        allow_blank: bool,
    ) -> (String, Verdict) {
        let mut lines = Lines::from_lines([line]);
        let spec = FieldEdit {
            pattern: ".*",
            separator,
            field,
            value_separator,
            value,
            operation,
            extend,
            allow_blank,
            warn: false,
            filename: "f",
        };
        let region = Region::whole(&lines);
        let report = edit_fields(&mut lines, region, &spec);
        (lines.to_strings().remove(0), report.verdict())
    }

    #[test]
    fn operations_on_sub_values() {
        let c = Some(',');
        assert_eq!(edit("g:x:10:m,b", 4, "c", "append", c).0, "g:x:10:m,b,c");
        assert_eq!(edit("g:x:10:m,b", 4, "c", "prepend", c).0, "g:x:10:c,m,b");
        assert_eq!(edit("g:x:10:m,b", 4, "c", "alphanum", c).0, "g:x:10:b,c,m");
        assert_eq!(edit("g:x:10:m,b,z", 4, "b", "delete", c).0, "g:x:10:m,z");
        assert_eq!(edit("g:x:10:m,b", 4, "only", "set", c).0, "g:x:10:only");
        assert_eq!(edit("g:x:10:m,b", 4, "b", "append", c).1, Verdict::Kept);
        assert_eq!(
            edit("d:/usr/sbin", 2, "/usr/sbin", "set", c).1,
            Verdict::Kept
        );
    }

    #[test]
    fn blanks_extension_and_whole_fields() {
        assert_eq!(
            edit_with("b::c3:c4", ":", 2, "filled", "set", Some(','), false, false).0,
            "b:filled:c4"
        );
        assert_eq!(
            edit_with("b::c3:c4", ":", 2, "filled", "set", Some(','), false, true).0,
            "b:filled:c3:c4"
        );
        assert_eq!(
            edit_with("extend:c2", ":", 5, "five", "set", None, true, true).0,
            "extend:c2:::five"
        );
        assert_eq!(
            edit_with("short:a", ":", 6, "six", "set", Some(','), false, false),
            ("short:a".into(), Verdict::NotKept)
        );
        assert_eq!(edit("zero:c2", 2, "c2", "set", None).1, Verdict::Changed);
        assert_eq!(
            edit_with("list=a,b", "[=,]", 3, "c", "set", Some(','), true, false).0,
            "list=a=c"
        );
    }

    #[test]
    fn value_splitting_honours_escapes() {
        assert_eq!(split_values("a,b", ','), ["a", "b"]);
        assert_eq!(split_values("a\\,b,c", ','), ["a,b", "c"]);
        assert_eq!(split_values("a,", ','), ["a"]);
        assert!(split_values("", ',').is_empty());
    }
}
