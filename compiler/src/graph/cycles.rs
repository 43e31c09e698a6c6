//! Dependency cycles among `depends_on` edges.

use petgraph::algo::tarjan_scc;
use petgraph::visit::{EdgeFiltered, EdgeRef};

use super::{EdgeKind, Node, PromiseGraph};
use crate::ir::PromiseId;

/// Promises that wait for each other through `depends_on`, in cycle order:
/// each depends on the one before it, and the first on the last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cycle {
    pub promises: Vec<PromiseId>,
}

impl PromiseGraph {
    /// Every group of promises that can never run because their
    /// `depends_on` chains lead back to themselves.
    pub fn dependency_cycles(&self) -> Vec<Cycle> {
        let depends =
            EdgeFiltered::from_fn(&self.graph, |e| e.weight().kind == EdgeKind::DependsOn);
        let mut cycles: Vec<Cycle> = tarjan_scc(&depends)
            .into_iter()
            .filter(|scc| {
                scc.len() > 1
                    || self
                        .graph
                        .edges_connecting(scc[0], scc[0])
                        .any(|e| e.weight().kind == EdgeKind::DependsOn)
            })
            .map(|scc| {
                let mut ids: Vec<PromiseId> = scc
                    .iter()
                    .filter_map(|&n| match self.graph[n] {
                        Node::Promise(p) => Some(p),
                        Node::Bundle(_) => None,
                    })
                    .collect();
                ids.sort();
                Cycle {
                    promises: self.cycle_order(&ids),
                }
            })
            .collect();
        cycles.sort_by_key(|c| c.promises.first().copied());
        cycles
    }

    /// A walk through the members of one strongly connected component that
    /// follows `depends_on` edges, starting from its first promise.
    fn cycle_order(&self, members: &[PromiseId]) -> Vec<PromiseId> {
        let mut path = vec![members[0]];
        while path.len() < members.len() {
            let last = self.promise_node(*path.last().unwrap_or(&members[0]));
            let next = self
                .graph
                .edges(last)
                .filter(|e| e.weight().kind == EdgeKind::DependsOn)
                .filter_map(|e| match self.graph[e.target()] {
                    Node::Promise(p) if members.contains(&p) && !path.contains(&p) => Some(p),
                    _ => None,
                })
                .min();
            match next {
                Some(p) => path.push(p),
                None => break,
            }
        }
        path
    }
}
