//! Name resolution: which namespace each block is in, and where every bundle,
//! body and custom promise type is defined.
//!
//! `body file control { namespace => "ns"; }` switches the namespace for the
//! blocks that follow it in the same file; every file starts in `default`.
//! An unqualified reference resolves in the namespace of the block that makes
//! it; `ns:name` names another.

use std::collections::HashMap;

use grammar::ast::{Block, Body, Bundle, PolicyFile, Rval};
use grammar::Span;

pub const DEFAULT_NAMESPACE: &str = "default";

/// A bundle definition and where it lives.
#[derive(Debug, Clone, Copy)]
pub struct BundleDef<'a> {
    pub namespace: &'a str,
    pub bundle: &'a Bundle,
}

#[derive(Debug, Clone, Copy)]
pub struct BodyDef<'a> {
    pub namespace: &'a str,
    pub body: &'a Body,
}

/// Every definition of a loaded policy, by namespace and name.
#[derive(Debug, Default)]
pub struct Index<'a> {
    /// Blocks in load order with their namespace.
    pub blocks: Vec<(&'a str, &'a Block)>,
    /// (namespace, name) → definitions (more than one is a duplicate).
    pub bundles: HashMap<(&'a str, &'a str), Vec<BundleDef<'a>>>,
    /// (namespace, body type, name) → definitions.
    pub bodies: HashMap<(&'a str, &'a str, &'a str), Vec<BodyDef<'a>>>,
    /// Custom promise types declared by `promise agent NAME { ... }`.
    pub promise_types: HashMap<&'a str, Vec<&'a Body>>,
}

impl<'a> Index<'a> {
    pub fn build(files: &'a [PolicyFile]) -> Self {
        let mut index = Index::default();
        for file in files {
            let mut namespace: &'a str = DEFAULT_NAMESPACE;
            for block in &file.blocks {
                match block {
                    Block::Body(body) if is_file_control(body) => {
                        if let Some(ns) = string_attribute(body, "namespace") {
                            namespace = ns;
                        }
                        index.blocks.push((namespace, block));
                    }
                    Block::Bundle(bundle) => {
                        index.blocks.push((namespace, block));
                        index
                            .bundles
                            .entry((namespace, bundle.name.name.as_str()))
                            .or_default()
                            .push(BundleDef { namespace, bundle });
                    }
                    Block::Body(body) => {
                        index.blocks.push((namespace, block));
                        index
                            .bodies
                            .entry((
                                namespace,
                                body.body_type.name.as_str(),
                                body.name.name.as_str(),
                            ))
                            .or_default()
                            .push(BodyDef { namespace, body });
                    }
                    Block::PromiseType(body) => {
                        index.blocks.push((namespace, block));
                        index
                            .promise_types
                            .entry(body.name.name.as_str())
                            .or_default()
                            .push(body);
                    }
                }
            }
        }
        index
    }

    /// The bundle a reference names, seen from namespace `from`.
    pub fn bundle(&self, from: &str, reference: &str) -> Option<BundleDef<'a>> {
        let (ns, name) = split_qualified(from, reference);
        self.bundles
            .get(&(ns, name))
            .and_then(|d| d.first().copied())
    }

    /// The body of `body_type` a reference names, seen from namespace `from`.
    pub fn body(&self, from: &str, body_type: &str, reference: &str) -> Option<BodyDef<'a>> {
        let (ns, name) = split_qualified(from, reference);
        self.bodies
            .get(&(ns, body_type, name))
            .and_then(|d| d.first().copied())
    }

    /// Names of bodies of a type visible from `from`, for suggestions.
    pub fn body_names(&self, from: &str, body_type: &str) -> Vec<&'a str> {
        self.bodies
            .keys()
            .filter(|(ns, t, _)| *t == body_type && *ns == from)
            .map(|(_, _, name)| *name)
            .collect()
    }

    pub fn bundle_names(&self, from: &str) -> Vec<&'a str> {
        self.bundles
            .keys()
            .filter(|(ns, _)| *ns == from)
            .map(|(_, name)| *name)
            .collect()
    }
}

/// `ns:name` → (ns, name); `name` → (from, name).
pub fn split_qualified<'r>(from: &'r str, reference: &'r str) -> (&'r str, &'r str) {
    match reference.split_once(':') {
        Some((ns, name)) => (ns, name),
        None => (from, reference),
    }
}

pub fn is_file_control(body: &Body) -> bool {
    body.body_type.name == "file" && body.name.name == "control"
}

/// The value of a plain string attribute of a body, e.g. `namespace`.
fn string_attribute<'a>(body: &'a Body, name: &str) -> Option<&'a str> {
    body.groups
        .iter()
        .flat_map(|g| &g.attributes)
        .find(|a| a.lval.name == name)
        .and_then(|a| match &a.rval {
            Rval::String(s) => Some(s.raw.as_str()),
            Rval::Symbol(i) => Some(i.name.as_str()),
            _ => None,
        })
}

/// Where a name is defined, for "first defined here" notes.
pub fn definition_span(block: &Block) -> Span {
    match block {
        Block::Bundle(b) => b.name.span,
        Block::Body(b) | Block::PromiseType(b) => b.name.span,
    }
}
