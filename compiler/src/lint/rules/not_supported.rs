//! W007 — policy promise-rs's agent will not carry out: an `edit_xml`
//! bundle or attribute, `acl`, `repository`, `databases` and
//! `guest_environments` promises, custom promise types.
//!
//! *Why warn?* CFEngine accepts it, so it is not an error in the policy;
//! but `promise-rs run` makes each such promise "not kept", and it is
//! better to know before the run (see `crate::support`).

use grammar::ast::Block;
use grammar::{Diagnostic, Severity};

use crate::lint::walk;
use crate::lint::Context;
use crate::support::{unsupported_files_attribute, unsupported_promise_type};

const HELP: &str = "cf-agent can keep this promise; promise-rs run reports it not kept";

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let warn = |message: String, span| {
        Diagnostic::new("W007", Severity::Warning, message, span)
            .with_label("not run by promise-rs")
            .with_help(HELP)
    };
    for &(_, block) in &cx.index.blocks {
        if let Block::Bundle(bundle) = block {
            if bundle.bundle_type.name == "edit_xml" {
                out.push(warn(
                    "edit_xml bundles are not supported by promise-rs".to_string(),
                    bundle.bundle_type.span,
                ));
            }
        }
    }
    for site in walk::promises(&cx.index) {
        if site.bundle.bundle_type.name != "agent" {
            continue;
        }
        let promise_type = site.promise_type;
        let why = unsupported_promise_type(promise_type)
            .map(str::to_string)
            .or_else(|| {
                cx.index.promise_types.contains_key(promise_type).then(|| {
                    format!("custom promise type '{promise_type}' is not run by promise-rs yet")
                })
            });
        if let Some(why) = why {
            out.push(warn(why, site.promise.promiser.span));
            continue;
        }
        if promise_type != "files" {
            continue;
        }
        for constraint in &site.promise.constraints {
            if let Some(why) = unsupported_files_attribute(&constraint.lval.name) {
                out.push(warn(why.to_string(), constraint.lval.span));
            }
        }
    }
}
