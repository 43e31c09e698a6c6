//! E003 — an attribute the promise type or body type does not have.
//!
//! *Why is this bad?* cf-agent refuses the policy; a typo (`craete`) would
//! otherwise be a promise that silently does less than it says.
//! Custom promise types accept any attribute.

use grammar::ast::Constraint;
use grammar::{Diagnostic, Severity};

use crate::lint::suggest::did_you_mean;
use crate::lint::walk;
use crate::lint::Context;
use crate::syntax::{self, Attribute};

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for site in cx.promises() {
        let Some(promise_type) = syntax::promise_type(site.promise_type) else {
            continue;
        };
        for c in &site.promise.constraints {
            if promise_type.attribute(&c.lval.name).is_none() {
                out.push(unknown(
                    c,
                    &format!("{} promises", promise_type.name),
                    promise_type.attributes,
                ));
            }
        }
    }
    for (_, body) in walk::bodies(&cx.index) {
        let Some(body_type) = syntax::body_type(&body.body_type.name) else {
            continue;
        };
        let what = if walk::is_control(body) {
            format!("body {} control", body_type.name)
        } else {
            format!("body {}", body_type.name)
        };
        for c in body.groups.iter().flat_map(|g| &g.attributes) {
            if body_type.attribute(&c.lval.name).is_none() {
                out.push(unknown(c, &what, body_type.attributes));
            }
        }
    }
}

fn unknown(c: &Constraint, owner: &str, attributes: &[Attribute]) -> Diagnostic {
    let name = c.lval.name.as_str();
    let hint = did_you_mean(name, attributes.iter().map(|a| a.name));
    Diagnostic::new(
        "E003",
        Severity::Error,
        format!("unknown attribute '{name}' for {owner}{hint}"),
        c.lval.span,
    )
    .with_label("unknown attribute")
}
