//! `classes`: defines the promiser (canonified) when its expression holds
//! (SEMANTICS.md §4.2). A defined class is never undefined here, and a
//! classes promise has no outcome. `dist` also defines one weighted random
//! `<promiser>_<weight>`; `select_class` one element of its list chosen by a
//! hash of the host's identity; `persistence => N` stores the class for
//! later runs (see `eval::persistence`).

use compiler::ir::Promise;
use serde_json::Value as Json;

use crate::eval::context::ClassScope;
use crate::eval::expand::{Binding, Expanded};
use crate::eval::persistence::TimerPolicy;
use crate::eval::Agent;
use crate::facts::canonify;
use crate::value::Value;

pub fn actuate(agent: &mut Agent, promise: &Promise, promiser: &Expanded, binding: &Binding) {
    if !promiser.complete {
        return;
    }
    let name = canonify(&promiser.text);
    let namespace = agent.namespace().to_string();
    // cf-agent skips a classes promise whose class is defined before it
    // would look at `persistence => "0"`: a stored class is not forgotten.
    if agent.classes.is_defined(&namespace, &name) {
        return;
    }
    let persistence = persistence(agent, promise, binding);
    let defined = match decision(agent, promise, &name, binding) {
        Decision::Holds(holds) => holds,
        Decision::Undecided => return,
    };
    if !defined {
        return;
    }
    let persistent = persistence.filter(|minutes| *minutes > 0);
    let scope = match scope_attribute(agent, promise, binding) {
        // Persistent classes are always global.
        _ if persistent.is_some() => ClassScope::Namespace,
        Some(scope) => scope,
        None => default_scope(agent),
    };
    agent.classes.define(&namespace, &name, scope);
    let tags = crate::eval::tags::promise_tags(&super::vars::meta_list(agent, promise, binding));
    agent
        .tags
        .set_class(&crate::eval::context::qualify(&namespace, &name), tags);
    if let Some(minutes) = persistent {
        let mut tags = vec!["source=promise".to_string()];
        if let Some(meta) = promise.constraint("meta") {
            if let Some(Value::List(items)) = agent
                .evaluate_rval(&meta.ast.rval, binding)
                .map(|e| e.value)
            {
                tags.extend(items);
            }
        }
        agent.persist_class(
            &namespace,
            &name,
            minutes,
            TimerPolicy::Reset,
            &tags.join(","),
        );
    }
}

/// Classes of a common bundle are global, those of other bundles local.
fn default_scope(agent: &Agent) -> ClassScope {
    if bundle_type(agent) == "common" {
        ClassScope::Namespace
    } else {
        ClassScope::Bundle
    }
}

/// `persistence => N`, in minutes, when given as a number.
fn persistence(agent: &Agent, promise: &Promise, binding: &Binding) -> Option<u32> {
    crate::eval::locks::minutes(&agent.scalar_attribute(promise, "persistence", binding)?)
}

enum Decision {
    Holds(bool),
    Undecided,
}

fn decision(agent: &mut Agent, promise: &Promise, name: &str, binding: &Binding) -> Decision {
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
            "dist" => return distribute(agent, promise, name, rval, binding),
            "select_class" => return select_class(agent, promise, rval, binding),
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

/// The elements of a list attribute; `None` while some are unresolved.
fn elements(agent: &Agent, rval: &grammar::ast::Rval, binding: &Binding) -> Option<Vec<String>> {
    let evaluated = agent.evaluate_rval(rval, binding)?;
    if !evaluated.complete {
        return None;
    }
    match evaluated.value {
        Value::List(items) => Some(items),
        Value::Scalar(text) => Some(vec![text]),
        Value::Data(Json::Array(items)) => Some(
            items
                .iter()
                .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
                .collect(),
        ),
        Value::Data(_) => None,
    }
}

/// `dist => { weights }`: one `<promiser>_<weight>` picked at random with
/// the weights as odds (local outside common bundles); the promiser holds.
fn distribute(
    agent: &mut Agent,
    promise: &Promise,
    name: &str,
    rval: &grammar::ast::Rval,
    binding: &Binding,
) -> Decision {
    let Some(weights) = elements(agent, rval, binding) else {
        return Decision::Undecided;
    };
    let parsed: Option<Vec<u64>> = weights.iter().map(|w| w.trim().parse().ok()).collect();
    let Some(parsed) = parsed else {
        return failed(
            agent,
            promise,
            "Negative or non-integer weight in class distribution",
        );
    };
    let total: u64 = parsed.iter().sum();
    if total == 0 {
        return failed(agent, promise, "An empty distribution was specified on RHS");
    }
    let mut fluct = random_below(total);
    let Some(picked) = weights.iter().zip(&parsed).find_map(|(text, weight)| {
        if fluct < *weight {
            Some(text)
        } else {
            fluct -= weight;
            None
        }
    }) else {
        return Decision::Holds(false);
    };
    let namespace = agent.namespace().to_string();
    let class = format!("{name}_{picked}");
    let scope = default_scope(agent);
    agent.classes.define(&namespace, &class, scope);
    Decision::Holds(true)
}

/// `select_class => { classes }`: the element at the hash of
/// `fqhost+ipv4+uid` modulo their number, global; the promiser holds.
fn select_class(
    agent: &mut Agent,
    promise: &Promise,
    rval: &grammar::ast::Rval,
    binding: &Binding,
) -> Decision {
    let Some(choices) = elements(agent, rval, binding) else {
        return Decision::Undecided;
    };
    if choices.is_empty() {
        return failed(agent, promise, "No classes to select on RHS");
    }
    let fact = |name: &str| {
        agent
            .facts
            .sys
            .get(name)
            .and_then(Value::as_scalar)
            .unwrap_or("")
            .to_string()
    };
    // SAFETY: getuid(2) cannot fail.
    let uid = unsafe { libc::getuid() };
    let identity = format!("{}+{}+{uid}", fact("fqhost"), fact("ipv4"));
    let hash = crate::functions::string_hash(&identity, 0) as usize;
    let chosen = canonify(&choices[hash % choices.len()]);
    let namespace = agent.namespace().to_string();
    agent
        .classes
        .define(&namespace, &chosen, ClassScope::Namespace);
    Decision::Holds(true)
}

/// Logs why the promise cannot decide and leaves the class undefined.
fn failed(agent: &Agent, promise: &Promise, message: &str) -> Decision {
    if !agent.pre_evaluating {
        agent
            .log
            .error(&format!("{}: {message}", agent.location(promise)));
    }
    Decision::Holds(false)
}

/// A number in `[0, below)` (`below` > 0), different from run to run.
fn random_below(below: u64) -> u64 {
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
        ^ (u64::from(std::process::id()) << 32);
    // splitmix64
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    z % below
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
    match agent.scalar_attribute(promise, "scope", binding)?.as_str() {
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
