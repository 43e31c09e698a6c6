//! `vars` (and `meta`, stored in the `<bundle>_meta` scope): defines one
//! variable per iteration (SEMANTICS.md §4.1, §2.10, §2.11).

use compiler::ir::Promise;
use serde_json::Value as Json;

use crate::eval::expand::{whole_list_reference, Binding, Expanded};
use crate::eval::variables::{scope_key, VarName};
use crate::eval::Agent;
use crate::outcome::Outcome;
use crate::value::Value;

const TYPES: &[&str] = &["string", "int", "real", "slist", "ilist", "rlist", "data"];

/// `scope_suffix` is `""` for vars, `"_meta"` for meta promises.
pub fn actuate(
    agent: &mut Agent,
    promise: &Promise,
    promiser: &Expanded,
    binding: &Binding,
    scope_suffix: &str,
) {
    if !promiser.complete {
        return;
    }
    let Some(value) = value(agent, promise, binding) else {
        return;
    };
    let Some(frame) = agent.frame() else {
        return;
    };
    let scope = scope_key(&frame.namespace, &format!("{}{scope_suffix}", frame.name));
    let name = VarName::parse(&promiser.text);
    if matches!(value, Value::Data(_)) && !name.indices.is_empty() {
        if !agent.pre_evaluating {
            agent.log.error(&format!(
                "Cannot assign a container to an indexed variable name '{}'. Should be assigned to '{}' instead",
                promiser.text, name.base
            ));
        }
        return;
    }
    let key = name.key();
    let policy = agent.scalar_attribute(promise, "policy", binding);
    if policy.as_deref() == Some("constant") && agent.variables.get_exact(&scope, &key).is_some() {
        return;
    }
    let value = match (policy.as_deref(), value) {
        // Drops the elements that are an unresolved `@(list)`.
        (Some("ifdefined"), Value::List(items)) => Value::List(
            items
                .into_iter()
                .filter(|item| whole_list_reference(item).is_none())
                .collect(),
        ),
        (_, value) => value,
    };
    let tags = crate::eval::tags::promise_tags(&meta_list(agent, promise, binding));
    agent.tags.set_variable(&scope, &key, tags);
    agent.variables.set(&scope, key, value);
    agent.outcome_classes(promise, binding, &Outcome::Kept);
}

/// The promise's `meta` attribute: a list, or one tag.
pub(crate) fn meta_list(agent: &Agent, promise: &Promise, binding: &Binding) -> Vec<String> {
    match agent.attribute(promise, "meta", binding) {
        Some(Value::List(items)) => items,
        Some(Value::Scalar(text)) => vec![text],
        _ => Vec::new(),
    }
}

/// The value of a vars-like promise (`string => …`, `slist => …`, …) in
/// its declared type; `None` when it has none yet: a call not made
/// (unresolved arguments) or failed, or a value of another type.
pub fn value(agent: &Agent, promise: &Promise, binding: &Binding) -> Option<Value> {
    let constraint = promise
        .constraints
        .iter()
        .find(|c| TYPES.contains(&c.ast.lval.name.as_str()))?;
    let evaluated = agent.evaluate_rval(&constraint.ast.rval, binding)?;
    typed(&constraint.ast.lval.name, evaluated.value)
}

/// The value as the declared type holds it; `None` when it cannot be one.
fn typed(type_name: &str, value: Value) -> Option<Value> {
    match (type_name, value) {
        ("string", Value::Scalar(text)) => Some(Value::Scalar(text)),
        ("int", Value::Scalar(text)) => Some(Value::Scalar(normalise_int(text))),
        ("real", Value::Scalar(text)) => Some(Value::Scalar(normalise_real(text))),
        ("slist" | "ilist" | "rlist", Value::List(items)) => Some(Value::List(items)),
        ("slist" | "ilist" | "rlist", Value::Scalar(text)) => Some(Value::List(vec![text])),
        ("slist" | "ilist" | "rlist", Value::Data(Json::Array(items))) => Some(Value::List(
            items
                .iter()
                .filter_map(crate::eval::variables::json_scalar)
                .collect(),
        )),
        ("data", Value::Data(json)) => Some(Value::Data(json)),
        ("data", Value::Scalar(text)) => crate::functions::json_text::parse(&text)
            .ok()
            .map(Value::Data),
        _ => None,
    }
}

/// `"007"` → `7`, `"2k"` → `2000`, `inf` → 999999999; other text is kept.
fn normalise_int(text: String) -> String {
    let trimmed = text.trim();
    if trimmed == "inf" {
        return "999999999".into();
    }
    let (digits, factor) = match trimmed.char_indices().last() {
        Some((at, 'k')) => (&trimmed[..at], 1000),
        Some((at, 'K')) => (&trimmed[..at], 1024),
        Some((at, 'm')) => (&trimmed[..at], 1_000_000),
        Some((at, 'M')) => (&trimmed[..at], 1 << 20),
        Some((at, 'g')) => (&trimmed[..at], 1_000_000_000),
        Some((at, 'G')) => (&trimmed[..at], 1 << 30),
        _ => (trimmed, 1),
    };
    match digits
        .parse::<i64>()
        .ok()
        .and_then(|n| n.checked_mul(factor))
    {
        Some(n) => n.to_string(),
        None => text,
    }
}

/// Reals print with six decimals, like cf-agent's `%lf`.
fn normalise_real(text: String) -> String {
    match text.trim().parse::<f64>() {
        Ok(n) => format!("{n:.6}"),
        Err(_) => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ints_and_reals_are_normalised() {
        assert_eq!(normalise_int("007".into()), "7");
        assert_eq!(normalise_int("2k".into()), "2000");
        assert_eq!(normalise_int("1K".into()), "1024");
        assert_eq!(normalise_int("inf".into()), "999999999");
        assert_eq!(normalise_int("$(x)".into()), "$(x)");
        assert_eq!(normalise_real("1.5".into()), "1.500000");
    }

    #[test]
    fn values_take_the_declared_type() {
        assert_eq!(typed("slist", Value::scalar("a")), Some(Value::list(["a"])));
        assert_eq!(typed("string", Value::list(["a"])), None);
        assert_eq!(
            typed("data", Value::scalar("[1]")),
            Some(Value::Data(serde_json::json!([1])))
        );
    }
}
