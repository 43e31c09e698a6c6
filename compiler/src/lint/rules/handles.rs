//! E016 — `depends_on` names a handle no promise has (the promise would be
//! skipped forever, silently); E017 — two promises share a handle.

use std::collections::HashMap;

use grammar::ast::Rval;
use grammar::{Diagnostic, Severity, Span};

use crate::lint::suggest::did_you_mean;
use crate::lint::Context;

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let sites = cx.promises();
    let mut handles: HashMap<&str, Vec<Span>> = HashMap::new();
    let mut dynamic_handles = false;
    for site in sites {
        for c in site
            .promise
            .constraints
            .iter()
            .filter(|c| c.lval.name == "handle")
        {
            let Rval::String(s) = &c.rval else { continue };
            if s.raw.contains(['$', '@']) {
                dynamic_handles = true;
                continue;
            }
            let earlier = handles.entry(s.raw.as_str()).or_default();
            let first = earlier
                .iter()
                .find(|first| cx.same_policy(**first, s.span))
                .copied();
            earlier.push(s.span);
            if let Some(first) = first {
                out.push(
                    Diagnostic::new(
                        "E017",
                        Severity::Error,
                        format!("handle '{}' is used by two promises", s.raw),
                        s.span,
                    )
                    .with_label("duplicate handle")
                    .with_related(first, "first used here")
                    .with_help("handles name one promise each; rename one"),
                );
            }
        }
    }
    // With handles computed at run time, a dependency may name one of them.
    if dynamic_handles {
        return;
    }
    for site in sites {
        for c in site
            .promise
            .constraints
            .iter()
            .filter(|c| c.lval.name == "depends_on")
        {
            let items: Vec<&Rval> = match &c.rval {
                Rval::List(l) => l.items.iter().collect(),
                other => vec![other],
            };
            for item in items {
                let Rval::String(s) = item else { continue };
                if s.raw.contains(['$', '@']) || handles.contains_key(s.raw.as_str()) {
                    continue;
                }
                out.push(
                    Diagnostic::new(
                        "E016",
                        Severity::Error,
                        format!(
                            "depends_on names handle '{}', which no promise has{}",
                            s.raw,
                            did_you_mean(&s.raw, handles.keys().copied())
                        ),
                        s.span,
                    )
                    .with_label("unknown handle")
                    .with_help("a promise whose dependency never runs is skipped forever, without a message"),
                );
            }
        }
    }
}
