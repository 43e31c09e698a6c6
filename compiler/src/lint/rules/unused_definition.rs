//! W001 — a body nothing references; W002 — a bundle that is not in the
//! bundlesequence and that no promise calls.
//!
//! *Why is this bad?* Dead definitions are often a typo's other half (the
//! reference spells the name differently) or policy someone believes runs.
//! Only reported when the whole policy was loaded: a bundle or body may be
//! used by a file that could not be named. Not reported for definitions in
//! a library (a file under a `lib` directory, as masterfiles and the stdlib
//! keep them), which are there to be picked from; for `common` bundles,
//! which cf-agent evaluates whether called or not; for `server`/`monitor`
//! bundles, which their daemons run; for `__main__`; and for bundles that
//! `bundlesmatching()` may find (any bundle, when its pattern holds a
//! variable).

use std::collections::HashSet;

use grammar::{Diagnostic, Severity};

use crate::ir::{BodyId, BundleId, Target};
use crate::lint::walk::is_control;
use crate::lint::Context;

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    if !cx.definitions_complete() || cx.has_syntax_errors() || cx.ir.bundlesequence.is_empty() {
        return;
    }
    let (bodies, bundles) = used(cx);
    for body in &cx.ir.bodies {
        if is_control(body.ast)
            || bodies.contains(&body.id)
            || !first_definition(cx, body.id)
            || in_library(cx, body.ast.span)
        {
            continue;
        }
        out.push(
            Diagnostic::new(
                "W001",
                Severity::Warning,
                format!(
                    "body {} '{}' is never used",
                    body.body_type(),
                    body.qualified_name()
                ),
                body.ast.name.span,
            )
            .with_label("no promise or body refers to this")
            .with_help("remove it, or check the name where you meant to use it"),
        );
    }
    let Some(found_by_pattern) = bundlesmatching_patterns(cx) else {
        return;
    };
    for bundle in &cx.ir.bundles {
        let first = cx.ir.find_bundle(bundle.namespace, bundle.name()) == Some(bundle.id);
        if bundles.contains(&bundle.id)
            || !first
            || matches!(bundle.bundle_type(), "common" | "server" | "monitor")
            || bundle.name() == "__main__"
            || in_library(cx, bundle.ast.span)
            || found_by_pattern
                .iter()
                .any(|re| re.is_match(&bundle.qualified_name()) || re.is_match(bundle.name()))
        {
            continue;
        }
        if !found_by_pattern.is_empty() && has_meta_tags(cx, bundle.id) {
            continue;
        }
        out.push(
            Diagnostic::new(
                "W002",
                Severity::Warning,
                format!(
                    "bundle {} '{}' is never used",
                    bundle.bundle_type(),
                    bundle.qualified_name()
                ),
                bundle.ast.name.span,
            )
            .with_label("not in the bundlesequence and called by no promise")
            .with_help(
                "add it to the bundlesequence or call it with methods/usebundle, or remove it",
            ),
        );
    }
}

/// A file under a `lib` directory.
fn in_library(cx: &Context, span: grammar::Span) -> bool {
    let path = std::path::Path::new(&cx.policy.sources.get(span.file).path);
    path.parent()
        .is_some_and(|dir| dir.components().any(|c| c.as_os_str() == "lib"))
}

/// The name patterns of the policy's `bundlesmatching()` calls; `None` when
/// one of them is computed at run time, so any bundle may be found.
fn bundlesmatching_patterns(cx: &Context) -> Option<Vec<regex::Regex>> {
    let mut out = Vec::new();
    for call in cx.function_calls() {
        if call.function.text() != "bundlesmatching" {
            continue;
        }
        let Some(grammar::ast::Rval::String(s)) = call.args.first() else {
            return None;
        };
        if s.raw.contains(['$', '@']) {
            return None;
        }
        out.push(regex::Regex::new(&format!("^(?:{})$", s.value())).ok()?);
    }
    Some(out)
}

/// Whether the bundle tags itself with a `meta` promise, which is how
/// `bundlesmatching()` selects bundles.
fn has_meta_tags(cx: &Context, bundle: BundleId) -> bool {
    cx.ir
        .bundle_promises(bundle)
        .any(|p| p.promise_type == "meta")
}

fn first_definition(cx: &Context, id: BodyId) -> bool {
    let body = cx.ir.body(id);
    cx.ir
        .find_body(body.namespace, body.body_type(), body.name())
        == Some(id)
}

/// The bodies and bundles the policy refers to, however indirectly.
fn used(cx: &Context) -> (HashSet<BodyId>, HashSet<BundleId>) {
    let mut bodies = HashSet::new();
    let mut bundles: HashSet<BundleId> = cx
        .ir
        .bundlesequence
        .iter()
        .filter_map(|e| e.bundle)
        .collect();
    let mut mark = |target: Option<Target>| match target {
        Some(Target::Body(b)) => {
            bodies.insert(b);
        }
        Some(Target::Bundle(b)) => {
            bundles.insert(b);
        }
        None => {}
    };
    for promise in &cx.ir.promises {
        promise.constraints.iter().for_each(|c| mark(c.target));
        if promise.promise_type == "methods" && promise.constraint("usebundle").is_none() {
            let ns = cx.ir.bundle(promise.bundle).namespace;
            mark(
                cx.ir
                    .find_bundle(ns, &promise.ast.promiser.raw)
                    .map(Target::Bundle),
            );
        }
    }
    for body in &cx.ir.bodies {
        body.constraints.iter().for_each(|(_, c)| mark(c.target));
    }
    // Reading `$(b.x)` needs bundle b to have run.
    for promise in &cx.ir.promises {
        let ns = cx.ir.bundle(promise.bundle).namespace;
        for used in promise.variable_uses() {
            if let Some(scope) = &used.scope {
                let (in_ns, name) = crate::references::split_scope(scope);
                mark(
                    cx.ir
                        .find_bundle(in_ns.unwrap_or(ns), name)
                        .map(Target::Bundle),
                );
            }
        }
    }
    // Names written where only run time can tell ("$(b)" strings, function
    // arguments such as `callstack`) cannot be followed; any bundle or body
    // named in any string counts as used.
    let unused: HashSet<&str> = cx
        .ir
        .bodies
        .iter()
        .filter(|b| !bodies.contains(&b.id))
        .map(|b| b.name())
        .chain(
            cx.ir
                .bundles
                .iter()
                .filter(|b| !bundles.contains(&b.id))
                .map(|b| b.name()),
        )
        .collect();
    let mentioned = mentioned_names(cx, &unused);
    for body in &cx.ir.bodies {
        if mentioned.contains(body.name()) {
            bodies.insert(body.id);
        }
    }
    for bundle in &cx.ir.bundles {
        if mentioned.contains(bundle.name()) {
            bundles.insert(bundle.id);
        }
    }
    (bodies, bundles)
}

/// Which of `names` appear as a word of some string: a bundle or body named
/// in a string may be called through a variable (`usebundle => "$(b)"` with
/// `b` from a list).
fn mentioned_names(cx: &Context, names: &HashSet<&str>) -> HashSet<String> {
    let mut out = HashSet::new();
    if names.is_empty() {
        return out;
    }
    for file in &cx.policy.files {
        grammar::visit::for_each_string(file, &mut |s| {
            for word in s
                .raw
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            {
                if names.contains(word) && !out.contains(word) {
                    out.insert(word.to_string());
                }
            }
        });
    }
    out
}
