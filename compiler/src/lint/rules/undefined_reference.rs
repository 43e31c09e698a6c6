//! E007 undefined body, E008 undefined bundle (E015 when the bundlesequence
//! names it) — and E010/E011, the wrong
//! number of arguments to one that is defined. One walk over the references
//! serves all four, since finding the definition is the same work.
//!
//! *Why is this bad?* cf-agent refuses the policy (or, for an unqualified
//! reference from another namespace to a body of `default`, misbehaves at
//! run time; promise-rs makes that an error too).

use grammar::ast::Rval;
use grammar::{Diagnostic, Severity};

use crate::lint::suggest::did_you_mean;
use crate::lint::walk::{self, Reference, Target};
use crate::lint::Context;
use crate::resolve::{split_qualified, DEFAULT_NAMESPACE};

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let report_undefined = !cx.has_syntax_errors();
    for reference in walk::references(&cx.index) {
        let defined = match reference.target {
            Target::Body(body_type) => cx
                .index
                .body(reference.namespace, body_type, reference.name)
                .is_some(),
            Target::Bundle(_) => cx
                .index
                .bundle(reference.namespace, reference.name)
                .is_some(),
        };
        if !defined && !report_undefined {
            continue;
        }
        match reference.target {
            Target::Body(body_type) => body(cx, &reference, body_type, out),
            Target::Bundle(_) => bundle(cx, &reference, out),
        }
    }
}

fn body(cx: &Context, r: &Reference, body_type: &str, out: &mut Vec<Diagnostic>) {
    match cx.index.body(r.namespace, body_type, r.name) {
        Some(def) => arity(
            "E010",
            &format!("body {body_type} {}", r.name),
            &def.body.params,
            r,
            out,
        ),
        None if cx.has_syntax_errors() => {}
        None => {
            let candidates = cx.index.body_names(r.namespace, body_type);
            let mut d = Diagnostic::new(
                "E007",
                cx.undefined_severity(),
                format!(
                    "body {body_type} '{}' is not defined{}",
                    r.name,
                    did_you_mean(r.name, candidates.iter().copied())
                ),
                r.span,
            )
            .with_label("undefined body");
            if let Some(help) = other_namespace_help(r, |ns| {
                cx.index
                    .body(ns, body_type, split_qualified(ns, r.name).1)
                    .is_some()
            }) {
                d = d.with_help(help);
            } else if !cx.definitions_complete() {
                d = d.with_help(incomplete_help(cx));
            }
            out.push(d);
        }
    }
}

fn bundle(cx: &Context, r: &Reference, out: &mut Vec<Diagnostic>) {
    match cx.index.bundle(r.namespace, r.name) {
        Some(def) => arity(
            "E011",
            &format!("bundle {}", r.name),
            &def.bundle.params,
            r,
            out,
        ),
        None => {
            let candidates = cx.index.bundle_names(r.namespace);
            let (code, what) = if r.in_bundlesequence {
                ("E015", "bundle in the bundlesequence")
            } else {
                ("E008", "bundle")
            };
            let mut d = Diagnostic::new(
                code,
                cx.undefined_severity(),
                format!(
                    "{what} '{}' is not defined{}",
                    r.name,
                    did_you_mean(r.name, candidates.iter().copied())
                ),
                r.span,
            )
            .with_label("undefined bundle");
            if let Some(help) = other_namespace_help(r, |ns| {
                cx.index.bundle(ns, split_qualified(ns, r.name).1).is_some()
            }) {
                d = d.with_help(help);
            } else if !cx.definitions_complete() {
                d = d.with_help(incomplete_help(cx));
            }
            out.push(d);
        }
    }
}

/// "it is defined in namespace default: write default:name".
fn other_namespace_help(r: &Reference, defined_in: impl Fn(&str) -> bool) -> Option<String> {
    if r.name.contains(':') || r.namespace == DEFAULT_NAMESPACE || !defined_in(DEFAULT_NAMESPACE) {
        return None;
    }
    Some(format!(
        "it is defined in namespace 'default'; from namespace '{}' write 'default:{}'",
        r.namespace, r.name
    ))
}

fn incomplete_help(cx: &Context) -> String {
    let first = &cx.policy.unresolved_inputs[0].0;
    format!(
        "a warning, not an error: some inputs (such as \"{first}\") hold variables and were not read, and may define it"
    )
}

fn arity(
    code: &'static str,
    what: &str,
    params: &[grammar::ast::Ident],
    r: &Reference,
    out: &mut Vec<Diagnostic>,
) {
    // "b(x)" written as a string in the bundlesequence: its arguments are text.
    if r.in_bundlesequence && r.args.is_none() {
        return;
    }
    let given = r.args.map_or(0, <[Rval]>::len);
    // A list passed as `@(x)` to a bundle stands for the whole list: one argument.
    if given == params.len() {
        return;
    }
    let names: Vec<&str> = params.iter().map(|p| p.name.as_str()).collect();
    out.push(
        Diagnostic::new(
            code,
            Severity::Error,
            format!(
                "{what} takes {} argument{}, {given} given",
                params.len(),
                if params.len() == 1 { "" } else { "s" },
            ),
            r.span,
        )
        .with_label(format!("{given} given"))
        .with_help(format!("{}({})", r.name, names.join(", "))),
    );
}
