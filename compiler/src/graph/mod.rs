//! The promise graph: bundles and promises as nodes, with an edge for every
//! way one can decide when another runs or what it sees.
//!
//! Edge kinds, each pointing from what comes first to what follows:
//! - `Sequence`: one bundle of `bundlesequence` to the next;
//! - `Contains`: a bundle to its first promise in normal order;
//! - `Order`: a promise to the next one of its bundle in normal order;
//! - `Call`: a promise to the bundle it calls (`usebundle`, `edit_line`, …);
//! - `DependsOn`: the promise holding a handle to each promise whose
//!   `depends_on` names it;
//! - `Class`: a promise that may define a class to each promise whose guard,
//!   `if` or `unless` tests it;
//! - `Variable`: a `vars` promise to each promise that reads the variable.

mod build;
mod cycles;

use petgraph::stable_graph::{NodeIndex, StableDiGraph};
use serde::Serialize;

use crate::ir::{BundleId, PromiseId};

pub use cycles::Cycle;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Node {
    Bundle(BundleId),
    Promise(PromiseId),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EdgeKind {
    Sequence,
    Contains,
    Order,
    Call,
    DependsOn,
    Class,
    Variable,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    pub kind: EdgeKind,
    /// The class or variable a `Class` or `Variable` edge carries.
    pub label: Option<String>,
}

pub struct PromiseGraph {
    pub graph: StableDiGraph<Node, Edge>,
    bundle_nodes: Vec<NodeIndex>,
    promise_nodes: Vec<NodeIndex>,
}

impl PromiseGraph {
    pub fn bundle_node(&self, id: BundleId) -> NodeIndex {
        self.bundle_nodes[id.0 as usize]
    }

    pub fn promise_node(&self, id: PromiseId) -> NodeIndex {
        self.promise_nodes[id.0 as usize]
    }

    pub fn edges_of_kind(&self, kind: EdgeKind) -> impl Iterator<Item = (Node, Node)> + '_ {
        use petgraph::visit::{EdgeRef, IntoEdgeReferences};
        (&self.graph)
            .edge_references()
            .filter(move |e| e.weight().kind == kind)
            .map(|e| (self.graph[e.source()], self.graph[e.target()]))
    }
}
