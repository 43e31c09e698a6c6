//! `defaults` (SEMANTICS.md §4.11): a default value for a variable or a
//! bundle parameter, as cf-agent 3.21's `DefaultVarPromise` decides it:
//!
//! - undefined → set;
//! - a scalar → replaced only when `if_match_regex` is given and fully
//!   matches it (`if_match_regex => ""` replaces an empty value);
//! - a list → replaced when any element fully matches `if_match_regex`,
//!   and always when there is no `if_match_regex` (a cf-agent quirk);
//! - a data container → always replaced.
//!
//! A parameter keeps being a parameter (gone when the bundle returns).
//! Like vars, defaults have no outcome.

use compiler::ir::Promise;

use crate::eval::expand::{Binding, Expanded};
use crate::eval::variables::{scope_key, VarName};
use crate::eval::Agent;
use crate::value::Value;

pub fn actuate(agent: &mut Agent, promise: &Promise, promiser: &Expanded, binding: &Binding) {
    if !promiser.complete {
        return;
    }
    let regex = agent.scalar_attribute(promise, "if_match_regex", binding);
    let current = agent.lookup(&promiser.text);
    if !replaces(current.as_ref(), regex.as_deref()) {
        return;
    }
    let Some(value) = super::vars::value(agent, promise, binding) else {
        return;
    };
    let key = VarName::parse(&promiser.text).key();
    let Some(frame) = agent.frame_mut() else {
        return;
    };
    if let Some(parameter) = frame.params.get_mut(&key) {
        *parameter = value;
        return;
    }
    let scope = scope_key(&frame.namespace, &frame.name);
    agent.variables.set(&scope, key, value);
}

/// Whether the default replaces the `current` value.
fn replaces(current: Option<&Value>, regex: Option<&str>) -> bool {
    let matches = |text: &str| {
        regex.is_some_and(|regex| crate::functions::regex::full_match(regex, text).unwrap_or(false))
    };
    match current {
        None => true,
        Some(Value::Scalar(text)) => matches(text),
        Some(Value::List(items)) => regex.is_none() || items.iter().any(|item| matches(item)),
        Some(Value::Data(_)) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_are_replaced_only_when_the_regex_fully_matches() {
        assert!(replaces(None, None));
        assert!(!replaces(Some(&Value::scalar("x")), None));
        assert!(replaces(Some(&Value::scalar("")), Some("")));
        assert!(!replaces(Some(&Value::scalar("given")), Some("")));
        assert!(replaces(Some(&Value::scalar("NONE")), Some("NO.*")));
        assert!(!replaces(Some(&Value::scalar("xNONE")), Some("NONE")));
    }

    #[test]
    fn lists_are_replaced_without_a_regex_or_when_an_element_matches() {
        let list = Value::list(["a", "b"]);
        assert!(replaces(Some(&list), None));
        assert!(replaces(Some(&list), Some("b")));
        assert!(!replaces(Some(&list), Some("c")));
    }
}
