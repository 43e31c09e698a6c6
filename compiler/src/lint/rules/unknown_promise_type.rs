//! E002 — a promise type the bundle type cannot hold.
//!
//! *Why is this bad?* cf-agent refuses the whole policy. *Example:* `files:`
//! inside an `edit_line` bundle. A type declared with `promise agent NAME`
//! is allowed in agent bundles.

use grammar::{Diagnostic, Severity};

use crate::lint::suggest::did_you_mean;
use crate::lint::Context;
use crate::syntax;

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for &(_, block) in &cx.index.blocks {
        let grammar::ast::Block::Bundle(bundle) = block else {
            continue;
        };
        let Some(bundle_type) = syntax::bundle_type(&bundle.bundle_type.name) else {
            continue;
        };
        for section in &bundle.sections {
            let name = section.promise_type.name.as_str();
            let custom = bundle_type.name == "agent" && cx.index.promise_types.contains_key(name);
            if bundle_type.promise_types.contains(&name) || custom {
                continue;
            }
            let hint = did_you_mean(name, bundle_type.promise_types.iter().copied());
            out.push(
                Diagnostic::new(
                    "E002",
                    Severity::Error,
                    format!(
                        "promise type '{name}' is not allowed in {} {} bundle{hint}",
                        if bundle_type.name.starts_with(['a', 'e']) {
                            "an"
                        } else {
                            "a"
                        },
                        bundle_type.name
                    ),
                    section.promise_type.span,
                )
                .with_label("unknown here")
                .with_help(format!(
                    "{} bundles hold: {}{}",
                    bundle_type.name,
                    bundle_type.promise_types.join(", "),
                    if bundle_type.name == "agent" {
                        "; declare a custom type with `promise agent NAME { path => ...; }`"
                    } else {
                        ""
                    }
                )),
            );
        }
    }
}
