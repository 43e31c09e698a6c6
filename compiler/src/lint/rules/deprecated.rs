//! W003 — an attribute or function CFEngine 3.21 marks deprecated.
//!
//! *Why is this bad?* Deprecated names keep working for now but have a
//! replacement that behaves better, and may go away in a later release.

use grammar::{Diagnostic, Severity};

use crate::lint::Context;
use crate::syntax::{self, Status};

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for t in cx.typed_constraints() {
        if t.attribute.status == Status::Deprecated {
            out.push(
                Diagnostic::new(
                    "W003",
                    Severity::Warning,
                    format!("attribute '{}' is deprecated", t.attribute.name),
                    t.constraint.lval.span,
                )
                .with_label(t.attribute.description)
                .with_help(replacement(t.attribute.name)),
            );
        }
    }
    for call in cx.function_calls() {
        let name = call.function.text();
        let Some(function) = syntax::function(name) else {
            continue;
        };
        if function.status == Status::Deprecated {
            out.push(
                Diagnostic::new(
                    "W003",
                    Severity::Warning,
                    format!("function '{name}' is deprecated"),
                    call.span,
                )
                .with_label(function.description)
                .with_help(replacement(name)),
            );
        }
    }
}

/// What to write instead, per CFEngine 3.21's reference.
fn replacement(name: &str) -> String {
    match name {
        "acl_directory_inherit" => "use 'acl_default' instead".into(),
        "specify_inherit_aces" => "use 'specify_default_aces' instead".into(),
        "skipverify" => "it has no effect; remove it".into(),
        "splitstring" => "use 'string_split()' instead".into(),
        other => format!("see the CFEngine 3.21 reference for what replaces '{other}'"),
    }
}
