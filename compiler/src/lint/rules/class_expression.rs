//! E014 — a class expression in a string that does not parse: `if`,
//! `unless`, `ifvarclass`, `expression`, the lists of `and`/`or`/`xor`
//! class promises, and `"…"::` guards. Strings holding variables are
//! checked when the policy runs, after expansion.

use grammar::ast::Rval;
use grammar::{class_expr, Diagnostic, Severity, Span};

use crate::lint::Context;
use crate::syntax::Kind;

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for t in cx.typed_constraints() {
        let is_condition = matches!(t.attribute.name, "if" | "unless" | "ifvarclass");
        match (&t.constraint.rval, t.attribute.kind) {
            (Rval::String(s), Kind::Context) => expression(&s.raw, s.span, out),
            (Rval::String(s), Kind::String) if is_condition => expression(&s.raw, s.span, out),
            (Rval::List(l), Kind::ContextList) => {
                for item in &l.items {
                    if let Rval::String(s) = item {
                        expression(&s.raw, s.span, out);
                    }
                }
            }
            _ => {}
        }
    }
    for site in cx.promises() {
        if let Some(grammar::ast::Guard::Variable { string, .. }) = site.guard {
            expression(&string.raw, string.span, out);
        }
    }
}

fn expression(text: &str, span: Span, out: &mut Vec<Diagnostic>) {
    if text.contains(['$', '@']) || text.contains('\\') {
        return;
    }
    let error = match class_expr::parse_as_cfengine(text) {
        Ok(_) => return,
        Err(error) => error,
    };
    // Point into the string when the text is on one line.
    let at = if text.contains('\n') {
        span
    } else {
        Span {
            start: span.start + 1 + error.at as u32,
            end: span.start + 1 + (error.at + error.len) as u32,
            column: span.column + 1 + error.at as u32,
            ..span
        }
    };
    out.push(
        Diagnostic::new(
            "E014",
            Severity::Error,
            format!("invalid class expression '{text}': {}", error.message),
            at,
        )
        .with_label(error.message)
        .with_help("class expressions combine class names with '.' or '&' (and), '|' (or), '!' (not) and parentheses"),
    );
}
