//! E018 — promises whose `depends_on` chains lead back to themselves.
//!
//! *Why is this bad?* A promise runs only after every promise it depends on
//! was kept or repaired; in a cycle each waits for another, so none of them
//! ever runs, and cf-agent says nothing about it.

use grammar::{Diagnostic, Severity};

use crate::graph::PromiseGraph;
use crate::ir::Policy;
use crate::lint::Context;

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let graph = PromiseGraph::build_dependencies(&cx.ir);
    for cycle in graph.dependency_cycles() {
        let names: Vec<String> = cycle
            .promises
            .iter()
            .map(|&p| describe(&cx.ir, p))
            .collect();
        let first = cx.ir.promise(cycle.promises[0]).ast.span;
        if !cycle
            .promises
            .iter()
            .all(|&p| cx.same_policy(first, cx.ir.promise(p).ast.span))
        {
            continue;
        }
        let path = format!("{} -> {}", names.join(" -> "), names[0]);
        for &id in &cycle.promises {
            let promise = cx.ir.promise(id);
            let Some(depends_on) = promise.constraint("depends_on") else {
                continue;
            };
            out.push(
                Diagnostic::new(
                    "E018",
                    Severity::Error,
                    format!("dependency cycle: {path}"),
                    depends_on.ast.span,
                )
                .with_label("this depends_on is part of the cycle")
                .with_help(
                    "none of these promises can ever run; remove one depends_on to break the cycle",
                ),
            );
        }
    }
}

/// A promise as the cycle message names it: its handle, else its promiser.
fn describe(ir: &Policy, id: crate::ir::PromiseId) -> String {
    let promise = ir.promise(id);
    match promise.handle() {
        Some(handle) => format!("'{handle}'"),
        None => format!("\"{}\"", promise.ast.promiser.raw),
    }
}
