//! The Policy IR: bundles, bodies and promises with their names resolved and
//! their attributes typed, borrowing the syntax tree they came from.
//!
//! Built once per loaded policy by [`Policy::build`]; the lint rules, the
//! graph and the runtime read it. Building it does no I/O.

mod build;
mod order;

use std::collections::HashMap;

use grammar::ast;
use grammar::Span;
use serde::Serialize;

use crate::references::{self, VariableUse};
use crate::syntax;

pub use order::normal_order;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct BundleId(pub u32);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct BodyId(pub u32);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct PromiseId(pub u32);

/// A compiled policy. When a name is defined twice the first definition wins,
/// as in cf-promises; the duplicate-definition rule reports the others.
pub struct Policy<'a> {
    pub bundles: Vec<Bundle<'a>>,
    pub bodies: Vec<Body<'a>>,
    pub promises: Vec<Promise<'a>>,
    /// `bundlesequence` of the first `body common control`.
    pub bundlesequence: Vec<SequenceEntry<'a>>,
    bundle_ids: HashMap<(&'a str, &'a str), BundleId>,
    body_ids: HashMap<(&'a str, &'a str, &'a str), BodyId>,
}

pub struct Bundle<'a> {
    pub id: BundleId,
    pub namespace: &'a str,
    pub ast: &'a ast::Bundle,
    /// Sections in the order cf-agent evaluates them (normal order), not the
    /// order they were written in.
    pub sections: Vec<Section<'a>>,
}

pub struct Section<'a> {
    pub promise_type: &'a str,
    pub promises: Vec<PromiseId>,
}

pub struct Promise<'a> {
    pub id: PromiseId,
    pub bundle: BundleId,
    pub promise_type: &'a str,
    /// The class guard of the section part the promise is in.
    pub guard: Option<&'a ast::Guard>,
    pub ast: &'a ast::Promise,
    pub constraints: Vec<Constraint<'a>>,
}

pub struct Constraint<'a> {
    pub ast: &'a ast::Constraint,
    /// The attribute's definition, when the promise or body type knows it.
    pub attribute: Option<&'static syntax::Attribute>,
    /// The body or bundle the value names, when it names one statically.
    pub target: Option<Target>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Body(BodyId),
    Bundle(BundleId),
}

pub struct Body<'a> {
    pub id: BodyId,
    pub namespace: &'a str,
    pub ast: &'a ast::Body,
    pub constraints: Vec<(Option<&'a ast::Guard>, Constraint<'a>)>,
    /// The body named by `inherit_from`, when it exists.
    pub inherit_from: Option<BodyId>,
}

pub struct SequenceEntry<'a> {
    pub name: &'a str,
    pub bundle: Option<BundleId>,
    pub span: Span,
}

impl<'a> Policy<'a> {
    pub fn bundle(&self, id: BundleId) -> &Bundle<'a> {
        &self.bundles[id.0 as usize]
    }

    pub fn body(&self, id: BodyId) -> &Body<'a> {
        &self.bodies[id.0 as usize]
    }

    pub fn promise(&self, id: PromiseId) -> &Promise<'a> {
        &self.promises[id.0 as usize]
    }

    /// The bundle `reference` (`name` or `ns:name`) names, seen from namespace `from`.
    pub fn find_bundle(&self, from: &str, reference: &str) -> Option<BundleId> {
        let (ns, name) = crate::resolve::split_qualified(from, reference);
        self.bundle_ids.get(&(ns, name)).copied()
    }

    /// The body of `body_type` that `reference` names, seen from namespace `from`.
    pub fn find_body(&self, from: &str, body_type: &str, reference: &str) -> Option<BodyId> {
        let (ns, name) = crate::resolve::split_qualified(from, reference);
        self.body_ids.get(&(ns, body_type, name)).copied()
    }

    /// The promises of a bundle in evaluation order.
    pub fn bundle_promises(&self, id: BundleId) -> impl Iterator<Item = &Promise<'a>> {
        self.bundle(id)
            .sections
            .iter()
            .flat_map(|s| &s.promises)
            .map(|&p| self.promise(p))
    }
}

impl Bundle<'_> {
    pub fn name(&self) -> &str {
        &self.ast.name.name
    }

    pub fn bundle_type(&self) -> &str {
        &self.ast.bundle_type.name
    }

    /// `name` in the default namespace, `ns:name` elsewhere.
    pub fn qualified_name(&self) -> String {
        qualified(self.namespace, self.name())
    }
}

impl Body<'_> {
    pub fn name(&self) -> &str {
        &self.ast.name.name
    }

    pub fn body_type(&self) -> &str {
        &self.ast.body_type.name
    }

    pub fn qualified_name(&self) -> String {
        qualified(self.namespace, self.name())
    }
}

impl<'a> Promise<'a> {
    pub fn constraint(&self, name: &str) -> Option<&Constraint<'a>> {
        self.constraints.iter().find(|c| c.ast.lval.name == name)
    }

    /// The promise's `handle` when it is a plain string.
    pub fn handle(&self) -> Option<&'a str> {
        match &self.constraint("handle")?.ast.rval {
            ast::Rval::String(s) if !s.raw.contains(['$', '@']) => Some(s.raw.as_str()),
            _ => None,
        }
    }

    /// The plain-string entries of `depends_on`, with their spans.
    pub fn depends_on(&self) -> Vec<(&'a str, Span)> {
        let Some(c) = self.constraint("depends_on") else {
            return Vec::new();
        };
        let items: &[ast::Rval] = match &c.ast.rval {
            ast::Rval::List(list) => &list.items,
            other => std::slice::from_ref(other),
        };
        items
            .iter()
            .filter_map(|item| match item {
                ast::Rval::String(s) if !s.raw.contains(['$', '@']) => {
                    Some((s.raw.as_str(), s.span))
                }
                _ => None,
            })
            .collect()
    }
}

impl Promise<'_> {
    /// The variable a `vars` or `defaults` promise defines: its promiser up
    /// to any `[`, when that part holds no variable.
    pub fn defined_variable(&self) -> Option<String> {
        let promiser = self.ast.promiser.value();
        let base = promiser.split('[').next().unwrap_or(&promiser);
        (!base.contains(['$', '@'])).then(|| base.to_string())
    }

    /// Every variable the promise reads: in its promiser, promisee,
    /// constraints and variable guard.
    pub fn variable_uses(&self) -> Vec<VariableUse> {
        let mut out = Vec::new();
        references::in_string(&self.ast.promiser, &mut out);
        if let Some(promisee) = &self.ast.promisee {
            references::in_rval(promisee, &mut out);
        }
        for c in &self.constraints {
            references::in_rval(&c.ast.rval, &mut out);
        }
        if let Some(ast::Guard::Variable { string, .. }) = self.guard {
            references::in_string(string, &mut out);
        }
        out
    }
}

pub(crate) fn qualified(namespace: &str, name: &str) -> String {
    if namespace == crate::resolve::DEFAULT_NAMESPACE {
        name.to_string()
    } else {
        format!("{namespace}:{name}")
    }
}
