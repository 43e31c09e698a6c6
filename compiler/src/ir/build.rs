//! Building the IR from the name index.

use std::collections::HashMap;

use grammar::ast::{self, Block, Rval};

use super::{
    normal_order, Body, BodyId, Bundle, BundleId, Constraint, Policy, Promise, PromiseId, Section,
    SequenceEntry, Target,
};
use crate::lint::walk::{is_control, named};
use crate::resolve::{split_qualified, Index};
use crate::syntax::{self, Kind};

impl<'a> Policy<'a> {
    pub fn build(index: &Index<'a>) -> Policy<'a> {
        let mut policy = Policy {
            bundles: Vec::new(),
            bodies: Vec::new(),
            promises: Vec::new(),
            bundlesequence: Vec::new(),
            bundle_ids: HashMap::new(),
            body_ids: HashMap::new(),
        };
        policy.declare(index);
        for &(namespace, block) in &index.blocks {
            match block {
                Block::Bundle(bundle) => policy.add_bundle(namespace, bundle),
                Block::Body(body) => policy.add_body(namespace, body),
                Block::PromiseType(_) => {}
            }
        }
        policy.resolve_inheritance();
        policy.bundlesequence = policy.sequence(index);
        policy
    }

    /// Assigns ids first so that references resolve whatever the file order.
    fn declare(&mut self, index: &Index<'a>) {
        let mut bundles = 0;
        let mut bodies = 0;
        for &(namespace, block) in &index.blocks {
            match block {
                Block::Bundle(b) => {
                    self.bundle_ids
                        .entry((namespace, b.name.name.as_str()))
                        .or_insert(BundleId(bundles));
                    bundles += 1;
                }
                Block::Body(b) => {
                    self.body_ids
                        .entry((namespace, b.body_type.name.as_str(), b.name.name.as_str()))
                        .or_insert(BodyId(bodies));
                    bodies += 1;
                }
                Block::PromiseType(_) => {}
            }
        }
    }

    fn add_bundle(&mut self, namespace: &'a str, bundle: &'a ast::Bundle) {
        let id = BundleId(self.bundles.len() as u32);
        let bundle_type = bundle.bundle_type.name.as_str();
        let mut sections: Vec<Section<'a>> = Vec::new();
        for section in &bundle.sections {
            let promise_type = section.promise_type.name.as_str();
            let at = match sections.iter().position(|s| s.promise_type == promise_type) {
                Some(at) => at,
                None => {
                    sections.push(Section {
                        promise_type,
                        promises: Vec::new(),
                    });
                    sections.len() - 1
                }
            };
            for group in &section.groups {
                for promise in &group.promises {
                    let pid = PromiseId(self.promises.len() as u32);
                    let constraints = self.promise_constraints(namespace, promise_type, promise);
                    self.promises.push(Promise {
                        id: pid,
                        bundle: id,
                        promise_type,
                        guard: group.guard.as_ref(),
                        ast: promise,
                        constraints,
                    });
                    sections[at].promises.push(pid);
                }
            }
        }
        // Stable: custom types keep the order they were first written in.
        sections.sort_by_key(|s| normal_order(bundle_type, s.promise_type).unwrap_or(usize::MAX));
        self.bundles.push(Bundle {
            id,
            namespace,
            ast: bundle,
            sections,
        });
    }

    fn promise_constraints(
        &self,
        namespace: &str,
        promise_type: &str,
        promise: &'a ast::Promise,
    ) -> Vec<Constraint<'a>> {
        let known = syntax::promise_type(promise_type);
        promise
            .constraints
            .iter()
            .map(|c| {
                let attribute = known.and_then(|t| t.attribute(&c.lval.name));
                Constraint {
                    ast: c,
                    attribute,
                    target: attribute.and_then(|a| self.target(namespace, a, &c.rval)),
                }
            })
            .collect()
    }

    fn add_body(&mut self, namespace: &'a str, body: &'a ast::Body) {
        let id = BodyId(self.bodies.len() as u32);
        let known = syntax::body_type(&body.body_type.name);
        let constraints = body
            .groups
            .iter()
            .flat_map(|g| g.attributes.iter().map(move |c| (g.guard.as_ref(), c)))
            .map(|(guard, c)| {
                let attribute = known.and_then(|t| t.attribute(&c.lval.name));
                let target = if c.lval.name == "inherit_from" {
                    named(&c.rval).and_then(|(name, _, _)| {
                        self.find_body(namespace, &body.body_type.name, name)
                            .map(Target::Body)
                    })
                } else {
                    attribute.and_then(|a| self.target(namespace, a, &c.rval))
                };
                (
                    guard,
                    Constraint {
                        ast: c,
                        attribute,
                        target,
                    },
                )
            })
            .collect();
        self.bodies.push(Body {
            id,
            namespace,
            ast: body,
            constraints,
            inherit_from: None,
        });
    }

    fn target(
        &self,
        namespace: &str,
        attribute: &syntax::Attribute,
        rval: &Rval,
    ) -> Option<Target> {
        let (name, _, _) = named(rval)?;
        match attribute.kind {
            Kind::Body => self
                .find_body(namespace, attribute.name, name)
                .map(Target::Body),
            Kind::Bundle => self.find_bundle(namespace, name).map(Target::Bundle),
            _ => None,
        }
    }

    fn resolve_inheritance(&mut self) {
        for body in &mut self.bodies {
            body.inherit_from = body
                .constraints
                .iter()
                .find(|(_, c)| c.ast.lval.name == "inherit_from")
                .and_then(|(_, c)| match c.target {
                    Some(Target::Body(parent)) => Some(parent),
                    _ => None,
                });
        }
    }

    fn sequence(&self, index: &Index<'a>) -> Vec<SequenceEntry<'a>> {
        let control = index.blocks.iter().find_map(|&(ns, block)| match block {
            Block::Body(b) if is_control(b) && b.body_type.name == "common" => Some((ns, b)),
            _ => None,
        });
        let Some((namespace, control)) = control else {
            return Vec::new();
        };
        let Some(Rval::List(list)) = control
            .groups
            .iter()
            .flat_map(|g| &g.attributes)
            .find(|a| a.lval.name == "bundlesequence")
            .map(|a| &a.rval)
        else {
            return Vec::new();
        };
        list.items
            .iter()
            .filter_map(named)
            .map(|(name, _, span)| {
                // "b(arg)" written as a string names bundle b.
                let name = name.split('(').next().unwrap_or(name).trim();
                let (ns, bare) = split_qualified(namespace, name);
                SequenceEntry {
                    name,
                    bundle: self.bundle_ids.get(&(ns, bare)).copied(),
                    span,
                }
            })
            .collect()
    }
}
