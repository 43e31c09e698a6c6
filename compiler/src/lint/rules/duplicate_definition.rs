//! E013 — the same bundle, or the same body (type and name), defined twice
//! in one namespace.
//!
//! *Why is this bad?* cf-agent refuses the policy; which of the two was meant
//! is anyone's guess.

use grammar::{Diagnostic, Severity};

use crate::lint::Context;

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let mut found: Vec<(grammar::Span, grammar::Span, String)> = Vec::new();
    for ((ns, name), defs) in &cx.index.bundles {
        let spans: Vec<_> = defs.iter().map(|d| d.bundle.name.span).collect();
        for (later, first) in conflicts(cx, &spans) {
            found.push((later, first, format!("bundle '{ns}:{name}'")));
        }
    }
    for ((ns, body_type, name), defs) in &cx.index.bodies {
        if *name == "control" {
            continue;
        }
        let spans: Vec<_> = defs.iter().map(|d| d.body.name.span).collect();
        for (later, first) in conflicts(cx, &spans) {
            found.push((later, first, format!("body {body_type} '{ns}:{name}'")));
        }
    }
    found.sort_by_key(|(span, _, _)| (span.file, span.start));
    for (span, first, what) in found {
        out.push(
            Diagnostic::new(
                "E013",
                Severity::Error,
                format!("{what} is defined twice"),
                span,
            )
            .with_label("second definition")
            .with_related(first, "first defined here")
            .with_help(format!(
                "rename one of them, or remove one (the first is at line {})",
                first.line
            )),
        );
    }
}

/// Each definition that repeats an earlier one of the same policy, with it.
pub(super) fn conflicts(
    cx: &Context,
    spans: &[grammar::Span],
) -> Vec<(grammar::Span, grammar::Span)> {
    let mut out = Vec::new();
    for (i, later) in spans.iter().enumerate() {
        if let Some(first) = spans[..i]
            .iter()
            .find(|first| cx.same_policy(**first, *later))
        {
            out.push((*later, *first));
        }
    }
    out
}
