//! `classes`: defines the promiser (canonified) when its expression holds
//! (SEMANTICS.md §4.2). A defined class is never undefined here, and a
//! classes promise has no outcome.

use compiler::ir::Promise;
use serde_json::Value as Json;

use crate::eval::context::ClassScope;
use crate::eval::expand::{Binding, Expanded};
use crate::eval::Agent;
use crate::facts::canonify;
use crate::value::Value;

pub fn actuate(agent: &mut Agent, promise: &Promise, promiser: &Expanded, binding: &Binding) {
    if !promiser.complete {
        return;
    }
    let name = canonify(&promiser.text);
    let namespace = agent.namespace().to_string();
    if agent.classes.is_defined(&namespace, &name) {
        return;
    }
    let defined = match decision(agent, promise, binding) {
        Decision::Holds(holds) => holds,
        Decision::Undecided => return,
        Decision::NotImplemented(attribute) => {
            if !agent.pre_evaluating {
                agent.log.error(&format!(
                    "{}: classes attribute '{attribute}' is not implemented yet",
                    agent.location(promise)
                ));
            }
            return;
        }
    };
    if !defined {
        return;
    }
    let scope = match scope_attribute(agent, promise, binding) {
        Some(scope) => scope,
        None if bundle_type(agent) == "common" => ClassScope::Namespace,
        None => ClassScope::Bundle,
    };
    agent.classes.define(&namespace, &name, scope);
    let tags = crate::eval::tags::promise_tags(&super::vars::meta_list(agent, promise, binding));
    agent
        .tags
        .set_class(&crate::eval::context::qualify(&namespace, &name), tags);
}

enum Decision {
    Holds(bool),
    Undecided,
    NotImplemented(String),
}

fn decision(agent: &Agent, promise: &Promise, binding: &Binding) -> Decision {
    for constraint in &promise.constraints {
        let rval = &constraint.ast.rval;
        let lval = constraint.ast.lval.name.as_str();
        let holds = match lval {
            "expression" => agent.condition(rval, binding),
            "not" => agent.condition(rval, binding).map(|holds| !holds),
            "and" | "or" | "xor" => truths(agent, rval, binding).map(|truths| {
                let count = truths.iter().filter(|t| **t).count();
                match lval {
                    "and" => count == truths.len(),
                    "or" => count > 0,
                    _ => count % 2 == 1,
                }
            }),
            "dist" | "select_class" => return Decision::NotImplemented(lval.to_string()),
            _ => continue,
        };
        return match holds {
            Some(holds) => Decision::Holds(holds),
            None => Decision::Undecided,
        };
    }
    // No value attribute: defined unconditionally.
    Decision::Holds(true)
}

/// Each element of a list of class expressions, evaluated.
fn truths(agent: &Agent, rval: &grammar::ast::Rval, binding: &Binding) -> Option<Vec<bool>> {
    let evaluated = agent.evaluate_rval(rval, binding)?;
    if !evaluated.complete {
        return None;
    }
    let items = match evaluated.value {
        Value::List(items) => items,
        Value::Scalar(text) => vec![text],
        Value::Data(Json::Array(items)) => items.iter().map(|i| i.to_string()).collect(),
        Value::Data(_) => return None,
    };
    let namespace = agent.namespace();
    items
        .iter()
        .map(|item| agent.classes.evaluate(namespace, item))
        .collect()
}

fn scope_attribute(agent: &Agent, promise: &Promise, binding: &Binding) -> Option<ClassScope> {
    let constraint = promise.constraint("scope")?;
    let evaluated = agent.evaluate_rval(&constraint.ast.rval, binding)?;
    match evaluated.value.as_scalar()? {
        "bundle" => Some(ClassScope::Bundle),
        "namespace" => Some(ClassScope::Namespace),
        _ => None,
    }
}

fn bundle_type(agent: &Agent) -> String {
    agent
        .frame()
        .and_then(|f| f.bundle)
        .map(|id| agent.policy.bundle(id).bundle_type().to_string())
        .unwrap_or_default()
}
