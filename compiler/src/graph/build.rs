//! Building the promise graph from the IR.

use std::collections::HashMap;

use petgraph::stable_graph::StableDiGraph;

use super::{Edge, EdgeKind, Node, PromiseGraph};
use crate::classes::{self, ClassDefinitions};
use crate::ir::{BundleId, Policy, PromiseId, Target};
use crate::references::split_scope;

impl PromiseGraph {
    pub fn build(policy: &Policy) -> PromiseGraph {
        let mut g = PromiseGraph::nodes(policy);
        g.sequence(policy);
        g.normal_order(policy);
        g.calls(policy);
        g.depends_on(policy);
        g.classes(policy);
        g.variables(policy);
        g
    }

    /// Only the `depends_on` edges: what the cycle check needs, cheaply.
    pub fn build_dependencies(policy: &Policy) -> PromiseGraph {
        let mut g = PromiseGraph::nodes(policy);
        g.depends_on(policy);
        g
    }

    fn nodes(policy: &Policy) -> PromiseGraph {
        let mut graph = StableDiGraph::new();
        let bundle_nodes = policy
            .bundles
            .iter()
            .map(|b| graph.add_node(Node::Bundle(b.id)))
            .collect();
        let promise_nodes = policy
            .promises
            .iter()
            .map(|p| graph.add_node(Node::Promise(p.id)))
            .collect();
        PromiseGraph {
            graph,
            bundle_nodes,
            promise_nodes,
        }
    }

    fn edge(&mut self, from: Node, to: Node, kind: EdgeKind, label: Option<String>) {
        let node = |n: Node| match n {
            Node::Bundle(b) => self.bundle_node(b),
            Node::Promise(p) => self.promise_node(p),
        };
        let (a, b) = (node(from), node(to));
        self.graph.add_edge(a, b, Edge { kind, label });
    }

    fn sequence(&mut self, policy: &Policy) {
        let bundles: Vec<BundleId> = policy
            .bundlesequence
            .iter()
            .filter_map(|e| e.bundle)
            .collect();
        for pair in bundles.windows(2) {
            self.edge(
                Node::Bundle(pair[0]),
                Node::Bundle(pair[1]),
                EdgeKind::Sequence,
                None,
            );
        }
    }

    fn normal_order(&mut self, policy: &Policy) {
        for bundle in &policy.bundles {
            let order: Vec<PromiseId> = bundle
                .sections
                .iter()
                .flat_map(|s| s.promises.clone())
                .collect();
            if let Some(&first) = order.first() {
                self.edge(
                    Node::Bundle(bundle.id),
                    Node::Promise(first),
                    EdgeKind::Contains,
                    None,
                );
            }
            for pair in order.windows(2) {
                self.edge(
                    Node::Promise(pair[0]),
                    Node::Promise(pair[1]),
                    EdgeKind::Order,
                    None,
                );
            }
        }
    }

    fn calls(&mut self, policy: &Policy) {
        for promise in &policy.promises {
            let mut called: Vec<BundleId> = promise
                .constraints
                .iter()
                .filter_map(|c| match c.target {
                    Some(Target::Bundle(b)) => Some(b),
                    _ => None,
                })
                .collect();
            // `methods: "b";` with no usebundle calls bundle b.
            if promise.promise_type == "methods" && promise.constraint("usebundle").is_none() {
                let namespace = policy.bundle(promise.bundle).namespace;
                called.extend(policy.find_bundle(namespace, &promise.ast.promiser.raw));
            }
            for bundle in called {
                self.edge(
                    Node::Promise(promise.id),
                    Node::Bundle(bundle),
                    EdgeKind::Call,
                    None,
                );
            }
        }
    }

    fn depends_on(&mut self, policy: &Policy) {
        let mut handles: HashMap<&str, Vec<PromiseId>> = HashMap::new();
        for promise in &policy.promises {
            if let Some(handle) = promise.handle() {
                handles.entry(handle).or_default().push(promise.id);
            }
        }
        for promise in &policy.promises {
            for (handle, _) in promise.depends_on() {
                for &holder in handles.get(handle).into_iter().flatten() {
                    self.edge(
                        Node::Promise(holder),
                        Node::Promise(promise.id),
                        EdgeKind::DependsOn,
                        None,
                    );
                }
            }
        }
    }

    fn classes(&mut self, policy: &Policy) {
        let definitions = ClassDefinitions::collect(policy);
        for promise in &policy.promises {
            let mut seen = Vec::new();
            for class in classes::uses(promise) {
                for producer in definitions.producers(&class.name) {
                    if producer != promise.id && !seen.contains(&(producer, class.name.clone())) {
                        seen.push((producer, class.name.clone()));
                        self.edge(
                            Node::Promise(producer),
                            Node::Promise(promise.id),
                            EdgeKind::Class,
                            Some(class.name.clone()),
                        );
                    }
                }
            }
        }
    }

    fn variables(&mut self, policy: &Policy) {
        let mut producers: HashMap<(BundleId, String), Vec<PromiseId>> = HashMap::new();
        for promise in policy.promises.iter().filter(|p| p.promise_type == "vars") {
            if let Some(name) = promise.defined_variable() {
                producers
                    .entry((promise.bundle, name))
                    .or_default()
                    .push(promise.id);
            }
        }
        for promise in &policy.promises {
            let namespace = policy.bundle(promise.bundle).namespace;
            let mut edges: Vec<(PromiseId, String)> = Vec::new();
            for used in promise.variable_uses() {
                let bundle = match &used.scope {
                    None => Some(promise.bundle),
                    Some(scope) => {
                        let (ns, name) = split_scope(scope);
                        match ns {
                            Some(ns) => policy.find_bundle(ns, name),
                            None => policy.find_bundle(namespace, name),
                        }
                    }
                };
                let Some(bundle) = bundle else { continue };
                for &producer in producers
                    .get(&(bundle, used.name.clone()))
                    .into_iter()
                    .flatten()
                {
                    if producer != promise.id && !edges.contains(&(producer, used.name.clone())) {
                        edges.push((producer, used.name.clone()));
                    }
                }
            }
            for (producer, name) in edges {
                self.edge(
                    Node::Promise(producer),
                    Node::Promise(promise.id),
                    EdgeKind::Variable,
                    Some(name),
                );
            }
        }
    }
}
