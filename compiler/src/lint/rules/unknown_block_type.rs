//! E019 — a bundle or body of a type CFEngine does not have.
//!
//! *Example:* `bundle agnt main`, `body perm p`.

use grammar::ast::Block;
use grammar::{Diagnostic, Severity};

use crate::lint::suggest::did_you_mean;
use crate::lint::Context;
use crate::syntax;

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for &(_, block) in &cx.index.blocks {
        let (kind, ident, known, candidates): (&str, _, bool, Vec<&str>) = match block {
            Block::Bundle(b) => (
                "bundle",
                &b.bundle_type,
                syntax::bundle_type(&b.bundle_type.name).is_some(),
                syntax::BUNDLE_TYPES.iter().map(|t| t.name).collect(),
            ),
            Block::Body(b) => (
                "body",
                &b.body_type,
                syntax::body_type(&b.body_type.name).is_some(),
                syntax::BODY_TYPES.iter().map(|t| t.name).collect(),
            ),
            Block::PromiseType(b) => (
                "promise",
                &b.body_type,
                b.body_type.name == "agent",
                vec!["agent"],
            ),
        };
        if known {
            continue;
        }
        let name = ident.name.as_str();
        out.push(
            Diagnostic::new(
                "E019",
                Severity::Error,
                format!(
                    "unknown {kind} type '{name}'{}",
                    did_you_mean(name, candidates)
                ),
                ident.span,
            )
            .with_label(format!("not a {kind} type")),
        );
    }
}
