//! E004 — a value of the wrong shape: a list where one value belongs, a
//! quoted string where a body is named, a single value for a list variable.
//!
//! *Example:* `comment => { "a" }`, `perms => "m"`, `"l" slist => "a";`,
//! `arglist => "a b"`.
//! Lists are accepted wherever CFEngine accepts them: list attributes,
//! function calls (checked by their return type elsewhere), variables.

use grammar::ast::{Constraint, Rval};
use grammar::{Diagnostic, Severity};

use crate::lint::Context;
use crate::syntax::{Attribute, Kind, Visibility};

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for t in cx.typed_constraints() {
        // cf-promises takes one string for a list only on global attributes
        // (`depends_on => "h"`, `meta => "x"`); elsewhere it is an error.
        let scalar_is_wrong =
            t.attribute.kind.is_list() && t.attribute.visibility != Visibility::Global;
        shape(t.constraint, t.attribute, scalar_is_wrong, out);
    }
}

fn shape(c: &Constraint, attribute: &Attribute, scalar_is_wrong: bool, out: &mut Vec<Diagnostic>) {
    let name = attribute.name;
    let problem = match (&c.rval, attribute.kind) {
        (Rval::String(_), Kind::Body) => Some((
            format!("'{name}' takes a body, not a quoted string"),
            "name the body without quotes: `attribute => body_name` or `body_name(args)`"
                .to_string(),
        )),
        (Rval::List(_), kind) if !kind.is_list() && kind != Kind::Data => Some((
            format!(
                "'{name}' takes one {} value, not a list",
                kind.cfengine_name()
            ),
            "remove the braces, or use a list-typed attribute".to_string(),
        )),
        (Rval::String(s), kind) if scalar_is_wrong && kind.is_list() && !s.raw.starts_with('@') => {
            Some((
                format!("'{name}' is a list type but the value is a single string"),
                format!("write a list: `{name} => {{ \"{}\" }}`", s.raw),
            ))
        }
        _ => None,
    };
    if let Some((message, help)) = problem {
        out.push(
            Diagnostic::new("E004", Severity::Error, message, c.rval.span())
                .with_label(format!("expected {}", attribute.kind.cfengine_name()))
                .with_help(help),
        );
    }
}
