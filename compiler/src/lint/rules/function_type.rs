//! E020 — a function whose return type the attribute cannot take.
//!
//! *Example:* `"l" slist => regextract(...)` (a class), `ifelapsed =>
//! canonify("5")` (a string for an int), `and => { canonify("x") }`.
//! cf-promises 3.21 checks every attribute but the global ones (`if`,
//! `meta`, `depends_on`, …), with these conversions, found by running it
//! on each pair: a string attribute takes any single value (string, int,
//! real, class); a class expression takes a string; a list takes its
//! element type, and a list literal may hold calls of either type.

use grammar::ast::{Call, Callee, Rval};
use grammar::{Diagnostic, Severity};

use crate::lint::Context;
use crate::syntax::{self, Attribute, Kind, Visibility};

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for t in cx.typed_constraints() {
        // A body or bundle named with arguments looks like a call.
        if t.attribute.visibility == Visibility::Global
            || matches!(t.attribute.kind, Kind::Body | Kind::Bundle)
        {
            continue;
        }
        match &t.constraint.rval {
            Rval::Call(call) => check_call(call, t.attribute, fits, out),
            Rval::List(list) => {
                for item in &list.items {
                    if let Rval::Call(call) = item {
                        check_call(call, t.attribute, fits_in_list, out);
                    }
                }
            }
            _ => {}
        }
    }
}

fn check_call(
    call: &Call,
    attribute: &Attribute,
    accepts: fn(Kind, Kind) -> bool,
    out: &mut Vec<Diagnostic>,
) {
    let Callee::Name(name) = &call.function else {
        return;
    };
    let Some(function) = syntax::function(&name.name) else {
        return;
    };
    let returned = function.return_type;
    if accepts(returned, attribute.kind) {
        return;
    }
    out.push(
        Diagnostic::new(
            "E020",
            Severity::Error,
            format!(
                "{}() returns {}, which '{}' cannot take",
                function.name,
                describe(returned),
                attribute.name
            ),
            call.span,
        )
        .with_label(format!("expected {}", attribute.kind.cfengine_name()))
        .with_help(help(returned, attribute.kind)),
    );
}

/// Whether an attribute of kind `wanted` takes a call returning `returned`.
fn fits(returned: Kind, wanted: Kind) -> bool {
    returned == wanted
        || match wanted {
            Kind::String => matches!(returned, Kind::Int | Kind::Real | Kind::Context),
            Kind::Context => returned == Kind::String,
            list => element(list) == Some(returned),
        }
}

/// Whether a call returning `returned` may stand in a list literal of
/// kind `wanted`: as one element, or spliced as a whole list.
fn fits_in_list(returned: Kind, wanted: Kind) -> bool {
    returned == wanted || element(wanted) == Some(returned)
}

fn element(list: Kind) -> Option<Kind> {
    match list {
        Kind::Slist => Some(Kind::String),
        Kind::Ilist => Some(Kind::Int),
        Kind::Rlist => Some(Kind::Real),
        Kind::ContextList => Some(Kind::Context),
        Kind::MenuList => Some(Kind::Menu),
        _ => None,
    }
}

fn describe(kind: Kind) -> String {
    match kind {
        Kind::Context => "a class (true or false)".to_string(),
        Kind::Data => "a data container".to_string(),
        other if other.is_list() => format!("a list ({})", other.cfengine_name()),
        Kind::Int => "an int".to_string(),
        other => format!("a {}", other.cfengine_name()),
    }
}

fn help(returned: Kind, wanted: Kind) -> String {
    match (returned, wanted) {
        (Kind::Context, _) => {
            "a function returning a class belongs in a classes promise (`expression => …`) or in `if`"
                .to_string()
        }
        (Kind::Slist | Kind::Ilist | Kind::Rlist, Kind::String) => {
            "make one string of the list with join(), or iterate over it with $(list)".to_string()
        }
        (Kind::Data, _) => {
            "take values out of the container with getvalues(), getindices(), nth() or data_expand()"
                .to_string()
        }
        _ => format!(
            "use a function that returns {}, or set a variable and use it here",
            describe(wanted)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_cf_promises_accepts() {
        for (returned, wanted) in [
            (Kind::Context, Kind::String),
            (Kind::Int, Kind::String),
            (Kind::String, Kind::Context),
            (Kind::String, Kind::Slist),
            (Kind::Int, Kind::Ilist),
            (Kind::Real, Kind::Rlist),
            (Kind::Context, Kind::ContextList),
            (Kind::Data, Kind::Data),
        ] {
            assert!(fits(returned, wanted), "{returned:?} -> {wanted:?}");
        }
        for (returned, wanted) in [
            (Kind::Slist, Kind::String),
            (Kind::String, Kind::Int),
            (Kind::Context, Kind::Slist),
            (Kind::String, Kind::ContextList),
            (Kind::Slist, Kind::Data),
            (Kind::Int, Kind::Real),
            (Kind::String, Kind::Menu),
        ] {
            assert!(!fits(returned, wanted), "{returned:?} -> {wanted:?}");
        }
        assert!(fits_in_list(Kind::Slist, Kind::Slist));
        assert!(!fits_in_list(Kind::Int, Kind::Slist));
        assert!(!fits_in_list(Kind::String, Kind::ContextList));
    }
}
