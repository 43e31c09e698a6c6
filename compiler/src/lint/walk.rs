//! The places lint rules look at: every promise with its context, every body
//! attribute, and every reference to a bundle or body.

use grammar::ast::{Block, Body, Bundle, Constraint, Promise, Rval};
use grammar::Span;

use crate::resolve::{is_file_control, Index};
use crate::syntax::{self, Kind};

/// A promise and where it stands.
pub struct PromiseSite<'a> {
    pub namespace: &'a str,
    pub bundle: &'a Bundle,
    pub promise_type: &'a str,
    pub guard: Option<&'a grammar::ast::Guard>,
    pub promise: &'a Promise,
}

pub fn promises<'a>(index: &Index<'a>) -> Vec<PromiseSite<'a>> {
    let mut out = Vec::new();
    for &(namespace, block) in &index.blocks {
        let Block::Bundle(bundle) = block else {
            continue;
        };
        for section in &bundle.sections {
            for group in &section.groups {
                for promise in &group.promises {
                    out.push(PromiseSite {
                        namespace,
                        bundle,
                        promise_type: section.promise_type.name.as_str(),
                        guard: group.guard.as_ref(),
                        promise,
                    });
                }
            }
        }
    }
    out
}

/// Bodies (not control bodies or custom promise type blocks) with their namespace.
pub fn bodies<'a>(index: &Index<'a>) -> Vec<(&'a str, &'a Body)> {
    index
        .blocks
        .iter()
        .filter_map(|&(ns, block)| match block {
            Block::Body(body) => Some((ns, body)),
            _ => None,
        })
        .collect()
}

pub fn is_control(body: &Body) -> bool {
    body.name.name == "control" || is_file_control(body)
}

/// What a reference points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target<'a> {
    Body(&'a str),
    /// A bundle, of this bundle type when the attribute says (`edit_line`).
    Bundle(Option<&'static str>),
}

/// `perms => mode("644")`, `usebundle => b(x)`, an entry of bundlesequence.
#[derive(Debug, Clone, Copy)]
pub struct Reference<'a> {
    pub target: Target<'a>,
    pub name: &'a str,
    /// Arguments, when written as a call.
    pub args: Option<&'a [Rval]>,
    pub span: Span,
    /// The namespace the reference is made from.
    pub namespace: &'a str,
    /// Made by an entry of `bundlesequence`.
    pub in_bundlesequence: bool,
}

/// The name and arguments of a value that names a body or bundle; `None` for
/// values computed at run time (variables, strings with references).
pub(crate) fn named(rval: &Rval) -> Option<(&str, Option<&[Rval]>, Span)> {
    match rval {
        Rval::Symbol(i) => Some((i.name.as_str(), None, i.span)),
        Rval::Call(call) => match &call.function {
            grammar::ast::Callee::Name(i) => Some((i.name.as_str(), Some(&call.args), i.span)),
            grammar::ast::Callee::Variable(_) => None,
        },
        Rval::String(s) if !s.raw.contains(['$', '@']) && !s.raw.is_empty() => {
            Some((s.raw.as_str(), None, s.span))
        }
        _ => None,
    }
}

fn constraint_reference<'a>(
    namespace: &'a str,
    constraint: &'a Constraint,
    attribute: &syntax::Attribute,
) -> Option<Reference<'a>> {
    let target = match attribute.kind {
        Kind::Body => Target::Body(attribute.name),
        Kind::Bundle => Target::Bundle(syntax::bundle_type_of(attribute)),
        _ => return None,
    };
    // A quoted string where a body belongs is the value-shape rule's business.
    if matches!(target, Target::Body(_)) && matches!(constraint.rval, Rval::String(_)) {
        return None;
    }
    let (name, args, span) = named(&constraint.rval)?;
    Some(Reference {
        target,
        name,
        args,
        span,
        namespace,
        in_bundlesequence: false,
    })
}

/// Every reference to a body or bundle made by the policy.
pub fn references<'a>(index: &Index<'a>) -> Vec<Reference<'a>> {
    let mut out = Vec::new();
    for site in promises(index) {
        let Some(promise_type) = syntax::promise_type(site.promise_type) else {
            continue;
        };
        let mut has_usebundle = false;
        for c in &site.promise.constraints {
            if c.lval.name == "usebundle" {
                has_usebundle = true;
            }
            if let Some(attribute) = promise_type.attribute(&c.lval.name) {
                out.extend(constraint_reference(site.namespace, c, attribute));
            }
        }
        // `methods: "b";` calls bundle b.
        if site.promise_type == "methods" && !has_usebundle {
            let p = &site.promise.promiser;
            if !p.raw.contains(['$', '@']) {
                out.push(Reference {
                    target: Target::Bundle(Some("agent")),
                    name: p.raw.as_str(),
                    args: None,
                    span: p.span,
                    namespace: site.namespace,
                    in_bundlesequence: false,
                });
            }
        }
    }
    for (namespace, body) in bodies(index) {
        let Some(body_type) = syntax::body_type(&body.body_type.name) else {
            continue;
        };
        for attribute in body.groups.iter().flat_map(|g| &g.attributes) {
            if attribute.lval.name == "inherit_from" {
                if let Some((name, args, span)) = named(&attribute.rval) {
                    out.push(Reference {
                        target: Target::Body(body_type.name),
                        name,
                        args,
                        span,
                        namespace,
                        in_bundlesequence: false,
                    });
                }
                continue;
            }
            if attribute.lval.name == "bundlesequence" && body.name.name == "control" {
                if let Rval::List(list) = &attribute.rval {
                    for item in &list.items {
                        if let Some((name, args, span)) = named(item) {
                            // "b(arg)" written as a string names bundle b.
                            let name = name.split('(').next().unwrap_or(name).trim();
                            out.push(Reference {
                                target: Target::Bundle(None),
                                name,
                                args,
                                span,
                                namespace,
                                in_bundlesequence: true,
                            });
                        }
                    }
                }
                continue;
            }
            if let Some(def) = body_type.attribute(&attribute.lval.name) {
                out.extend(constraint_reference(namespace, attribute, def));
            }
        }
    }
    out
}

/// A constraint together with the attribute definition it sets.
pub struct TypedConstraint<'a> {
    pub constraint: &'a Constraint,
    pub attribute: &'static syntax::Attribute,
    /// The promise type, or `None` for a body attribute.
    pub promise_type: Option<&'a str>,
}

/// Every constraint of a known promise or body type whose attribute is known.
pub fn typed_constraints<'a>(index: &Index<'a>) -> Vec<TypedConstraint<'a>> {
    let mut out = Vec::new();
    for site in promises(index) {
        let Some(promise_type) = syntax::promise_type(site.promise_type) else {
            continue;
        };
        for constraint in &site.promise.constraints {
            if let Some(attribute) = promise_type.attribute(&constraint.lval.name) {
                out.push(TypedConstraint {
                    constraint,
                    attribute,
                    promise_type: Some(site.promise_type),
                });
            }
        }
    }
    for (_, body) in bodies(index) {
        let Some(body_type) = syntax::body_type(&body.body_type.name) else {
            continue;
        };
        for constraint in body.groups.iter().flat_map(|g| &g.attributes) {
            if let Some(attribute) = body_type.attribute(&constraint.lval.name) {
                out.push(TypedConstraint {
                    constraint,
                    attribute,
                    promise_type: None,
                });
            }
        }
    }
    out
}

/// Whether the top-level value of `constraint` names a body or bundle rather
/// than calling a function.
fn names_body_or_bundle(constraint: &Constraint, attribute: Option<&syntax::Attribute>) -> bool {
    match constraint.lval.name.as_str() {
        "inherit_from" | "usebundle" | "bundlesequence" => true,
        _ => attribute.is_some_and(|a| matches!(a.kind, Kind::Body | Kind::Bundle)),
    }
}

/// Every function call in the policy: nested calls, calls in lists, and
/// top-level calls of attributes that do not name a body or bundle.
pub fn function_calls<'a>(index: &Index<'a>) -> Vec<&'a grammar::ast::Call> {
    fn nested<'a>(rval: &'a Rval, out: &mut Vec<&'a grammar::ast::Call>) {
        match rval {
            Rval::Call(call) => {
                out.push(call);
                call.args.iter().for_each(|a| nested(a, out));
            }
            Rval::List(list) => list.items.iter().for_each(|i| nested(i, out)),
            _ => {}
        }
    }
    fn top<'a>(rval: &'a Rval, is_reference: bool, out: &mut Vec<&'a grammar::ast::Call>) {
        match rval {
            Rval::Call(call) if is_reference => call.args.iter().for_each(|a| nested(a, out)),
            Rval::List(list) if is_reference => list.items.iter().for_each(|i| top(i, true, out)),
            other => nested(other, out),
        }
    }
    let mut out = Vec::new();
    for site in promises(index) {
        let promise_type = syntax::promise_type(site.promise_type);
        for c in &site.promise.constraints {
            let attribute = promise_type.and_then(|p| p.attribute(&c.lval.name));
            top(&c.rval, names_body_or_bundle(c, attribute), &mut out);
        }
        if let Some(promisee) = &site.promise.promisee {
            nested(promisee, &mut out);
        }
    }
    for (_, body) in bodies(index) {
        let body_type = syntax::body_type(&body.body_type.name);
        for c in body.groups.iter().flat_map(|g| &g.attributes) {
            let attribute = body_type.and_then(|b| b.attribute(&c.lval.name));
            top(&c.rval, names_body_or_bundle(c, attribute), &mut out);
        }
    }
    out
}
