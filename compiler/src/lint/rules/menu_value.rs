//! E006 — a value that is not one of the attribute's choices.
//!
//! *Example:* `create => "maybe"` (choices: true, false, yes, no, on, off).

use grammar::ast::{Constraint, Rval};
use grammar::{Diagnostic, Severity};

use crate::lint::suggest::did_you_mean;
use crate::lint::Context;
use crate::syntax::{Attribute, Kind};

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for t in cx.typed_constraints() {
        check_menu(t.constraint, t.attribute, out);
    }
}

fn check_menu(c: &Constraint, attribute: &Attribute, out: &mut Vec<Diagnostic>) {
    let values: Vec<(&str, grammar::Span)> = match (&c.rval, attribute.kind) {
        (Rval::String(s), Kind::Menu) => vec![(s.raw.as_str(), s.span)],
        (Rval::Symbol(i), Kind::Menu) => vec![(i.name.as_str(), i.span)],
        (Rval::List(l), Kind::MenuList) => l
            .items
            .iter()
            .filter_map(|item| match item {
                Rval::String(s) => Some((s.raw.as_str(), s.span)),
                _ => None,
            })
            .collect(),
        _ => return,
    };
    let choices = attribute.menu();
    if choices.is_empty() {
        return;
    }
    for (value, span) in values {
        if value.contains(['$', '@']) || choices.contains(&value) {
            continue;
        }
        out.push(
            Diagnostic::new(
                "E006",
                Severity::Error,
                format!(
                    "'{value}' is not a choice of '{}'{}",
                    attribute.name,
                    did_you_mean(value, choices.iter().copied())
                ),
                span,
            )
            .with_label("not one of the choices")
            .with_help(format!("choices: {}", choices.join(", "))),
        );
    }
}
