//! W004 — a variable that is read but defined nowhere it could come from:
//! `$(x)` with no `x` in the bundle (vars, defaults, parameters, arrays
//! filled by functions, `useresult`), `$(b.x)` with no `x` in bundle `b`.
//!
//! *Why is this bad?* cf-agent leaves an undefined reference as literal
//! text: the promise acts on `/etc/$(nosuch)` or prints `$(nosuch)`, or is
//! skipped, without an error. Bundles whose variable names are computed
//! (`"$(k)" string => …`) are not checked; neither are `sys`, `const`,
//! `this`, `mon`, `match`, `edit` and `connection`, which the agent fills.

use std::collections::{HashMap, HashSet};

use grammar::ast::Rval;
use grammar::{Diagnostic, Severity};

use crate::ir::{BundleId, Policy, Promise};
use crate::lint::suggest::did_you_mean;
use crate::lint::Context;
use crate::references::{self, split_scope, VariableUse};

/// Scopes the agent fills itself.
const AGENT_SCOPES: &[&str] = &[
    "sys",
    "const",
    "this",
    "mon",
    "match",
    "edit",
    "connection",
    "body",
];

/// Functions that fill an array whose name is one of their arguments.
const ARRAY_FUNCTIONS: &[(&str, usize)] = &[
    ("readstringarray", 0),
    ("readstringarrayidx", 0),
    ("readintarray", 0),
    ("readrealarray", 0),
    ("parsestringarray", 0),
    ("parsestringarrayidx", 0),
    ("parseintarray", 0),
    ("parserealarray", 0),
    ("regextract", 2),
    ("getfields", 3),
    ("selectservers", 5),
    ("ldaparray", 0),
];

/// What each bundle defines; `None` for a bundle whose names are computed.
struct Definitions {
    bundles: HashMap<BundleId, Option<HashSet<String>>>,
}

impl Definitions {
    fn collect(ir: &Policy) -> Definitions {
        let mut bundles: HashMap<BundleId, Option<HashSet<String>>> = ir
            .bundles
            .iter()
            .map(|b| {
                let params = b.ast.params.iter().map(|p| p.name.to_string()).collect();
                (b.id, Some(params))
            })
            .collect();
        for promise in &ir.promises {
            let Some(Some(names)) = bundles.get_mut(&promise.bundle) else {
                continue;
            };
            match defines(promise) {
                Some(defined) => names.extend(defined),
                None => {
                    bundles.insert(promise.bundle, None);
                }
            }
        }
        Definitions { bundles }
    }

    /// `Some(true)` when bundle `b` defines `name`, `None` when it cannot tell.
    fn has(&self, bundle: BundleId, name: &str) -> Option<bool> {
        self.bundles
            .get(&bundle)?
            .as_ref()
            .map(|names| names.contains(name))
    }
}

/// The names a promise defines in its bundle, `None` when one is computed.
fn defines(promise: &Promise) -> Option<Vec<String>> {
    let mut out = Vec::new();
    if matches!(promise.promise_type, "vars" | "defaults") {
        out.push(promise.defined_variable()?);
    }
    if promise.promise_type == "methods" {
        if let Some(c) = promise.constraint("useresult") {
            match &c.ast.rval {
                Rval::String(s) if !s.raw.contains(['$', '@']) => out.push(s.raw.to_string()),
                _ => return None,
            }
        }
    }
    for c in &promise.constraints {
        array_names(&c.ast.rval, &mut out)?;
    }
    Some(out)
}

/// Names of arrays filled by the functions called in a value; `None` when
/// one of them is computed.
fn array_names(rval: &Rval, out: &mut Vec<String>) -> Option<()> {
    match rval {
        Rval::Call(call) => {
            let name = call.function.text();
            if let Some(&(_, at)) = ARRAY_FUNCTIONS.iter().find(|(f, _)| *f == name) {
                match call.args.get(at) {
                    Some(Rval::String(s)) if !s.raw.contains(['$', '@']) => {
                        let array = s.raw.rsplit('.').next().unwrap_or(&s.raw);
                        out.push(array.to_string());
                    }
                    Some(_) => return None,
                    None => {}
                }
            }
            call.args.iter().try_for_each(|a| array_names(a, out))
        }
        Rval::List(l) => l.items.iter().try_for_each(|i| array_names(i, out)),
        _ => Some(()),
    }
}

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    if !cx.definitions_complete() || cx.has_syntax_errors() {
        return;
    }
    let definitions = Definitions::collect(&cx.ir);
    let modules = !cx.class_definitions().modules.is_empty();
    for promise in &cx.ir.promises {
        let mut seen = HashSet::new();
        let tested = tested_with_isvariable(promise);
        for used in promise.variable_uses() {
            if !seen.insert((used.scope.clone(), used.name.clone()))
                || tested.iter().any(|t| base_name(t) == used.name)
            {
                continue;
            }
            check_use(cx, &definitions, modules, promise.bundle, &used, out);
        }
    }
    // Bodies resolve unqualified names in the calling bundle; only their
    // qualified references can be checked here.
    for body in &cx.ir.bodies {
        let in_bundle = None;
        for (_, c) in &body.constraints {
            let mut uses = Vec::new();
            references::in_rval(&c.ast.rval, &mut uses);
            for used in uses.iter().filter(|u| u.scope.is_some()) {
                check_qualified(
                    cx,
                    &definitions,
                    modules,
                    body.namespace,
                    in_bundle,
                    used,
                    out,
                );
            }
        }
    }
}

/// The names a promise tests with `isvariable()`: it reads them only when
/// they exist (`ifelse(isvariable("x"), $(x), …)`).
fn tested_with_isvariable(promise: &Promise) -> Vec<String> {
    fn walk(rval: &Rval, out: &mut Vec<String>) {
        match rval {
            Rval::Call(call) => {
                if call.function.text() == "isvariable" {
                    if let Some(Rval::String(s)) = call.args.first() {
                        out.push(s.value().into_owned());
                    }
                    if let Some(Rval::Variable(v)) = call.args.first() {
                        out.push(v.inner().to_string());
                    }
                }
                call.args.iter().for_each(|a| walk(a, out));
            }
            Rval::List(l) => l.items.iter().for_each(|i| walk(i, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for c in &promise.constraints {
        walk(&c.ast.rval, &mut out);
    }
    if out.iter().any(|t| t.contains("this.promiser")) {
        out.push(promise.ast.promiser.value().into_owned());
    }
    out
}

/// `b.x[k]` → `x`.
fn base_name(reference: &str) -> &str {
    let base = reference.split('[').next().unwrap_or(reference);
    base.rsplit('.').next().unwrap_or(base)
}

fn check_use(
    cx: &Context,
    definitions: &Definitions,
    modules: bool,
    bundle: BundleId,
    used: &VariableUse,
    out: &mut Vec<Diagnostic>,
) {
    if used.scope.is_some() {
        let namespace = cx.ir.bundle(bundle).namespace;
        return check_qualified(cx, definitions, modules, namespace, Some(bundle), used, out);
    }
    // `with` holds the promise's `with` value, `this` the element of
    // `maplist()`/`maparray()`, `v1`/`v2` the versions a package body's
    // version comparison commands compare.
    if matches!(used.name.as_str(), "with" | "this" | "v1" | "v2")
        || definitions.has(bundle, &used.name) != Some(false)
    {
        return;
    }
    let b = cx.ir.bundle(bundle);
    report(
        definitions,
        used,
        bundle,
        &format!("bundle '{}'", b.qualified_name()),
        out,
    );
}

fn check_qualified(
    cx: &Context,
    definitions: &Definitions,
    modules: bool,
    namespace: &str,
    current: Option<BundleId>,
    used: &VariableUse,
    out: &mut Vec<Diagnostic>,
) {
    let Some(scope) = used.scope.as_deref() else {
        return;
    };
    let (ns, bundle_name) = split_scope(scope);
    // Augments files (def.json) may add any variable to `def`.
    if AGENT_SCOPES.contains(&bundle_name)
        || bundle_name == "def"
        || bundle_name.ends_with("_meta")
        || modules
    {
        return;
    }
    let found = cx.ir.find_bundle(ns.unwrap_or(namespace), bundle_name);
    let Some(bundle) = found else {
        if current.is_some() {
            out.push(
                Diagnostic::new(
                    "W004",
                    Severity::Warning,
                    format!(
                        "variable '{scope}.{}' is not defined: there is no bundle '{scope}'{}",
                        used.name,
                        did_you_mean(bundle_name, cx.ir.bundles.iter().map(|b| b.name()))
                    ),
                    used.span,
                )
                .with_label("cf-agent leaves this reference unexpanded")
                .with_help("check the bundle name; variables of another bundle are read as $(bundle.variable)"),
            );
        }
        return;
    };
    if definitions.has(bundle, &used.name) == Some(false) {
        let name = format!("bundle '{}'", cx.ir.bundle(bundle).qualified_name());
        report(definitions, used, bundle, &name, out);
    }
}

fn report(
    definitions: &Definitions,
    used: &VariableUse,
    bundle: BundleId,
    bundle_name: &str,
    out: &mut Vec<Diagnostic>,
) {
    let candidates: Vec<&str> = definitions
        .bundles
        .get(&bundle)
        .and_then(|d| d.as_ref())
        .map(|names| names.iter().map(String::as_str).collect())
        .unwrap_or_default();
    let written = match &used.scope {
        Some(scope) => format!("{scope}.{}", used.name),
        None => used.name.clone(),
    };
    out.push(
        Diagnostic::new(
            "W004",
            Severity::Warning,
            format!(
                "variable '{written}' is not defined in {bundle_name}{}",
                did_you_mean(&used.name, candidates)
            ),
            used.span,
        )
        .with_label("cf-agent leaves this reference unexpanded")
        .with_help("define it with a vars promise, pass it as a bundle parameter, or qualify it with the bundle that defines it"),
    );
}
