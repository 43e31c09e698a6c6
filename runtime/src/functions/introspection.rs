//! The run's own state as data: `bundlestate`, `datastate`.

use serde_json::{Map, Value as Json};

use super::data::to_json;
use super::{scalar_arg, Arity, Builtin, CallContext, Function, FunctionError, FunctionResult};
use crate::value::Value;

pub(super) const FUNCTIONS: &[&dyn Function] = &[
    &Builtin {
        name: "bundlestate",
        arity: Arity::Exactly(1),
        body: bundlestate,
    },
    &Builtin {
        name: "callstack_promisers",
        arity: Arity::Exactly(0),
        body: callstack_promisers,
    },
    &Builtin {
        name: "datastate",
        arity: Arity::Exactly(0),
        body: datastate,
    },
];

/// Every variable as `(ns:bundle, name, value)`.
fn variables(context: &dyn CallContext) -> Vec<(String, String, Json)> {
    let mut out: Vec<(String, String, Json)> = context
        .variable_names()
        .into_iter()
        .filter_map(|qualified| {
            let (scope, name) = qualified.split_once('.')?;
            let value = context.variable(&qualified)?;
            Some((scope.to_string(), name.to_string(), to_json(&value)))
        })
        .collect();
    out.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    out
}

/// The promisers of the `methods` promises that led to this bundle.
fn callstack_promisers(context: &dyn CallContext, _: &[Value]) -> FunctionResult {
    Ok(Value::List(context.caller_promisers()))
}

/// A bundle's variables by name (array entries as `a[k]`), as cf-agent's
/// `bundlestate("main")` or `bundlestate("ns:main")`.
fn bundlestate(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let name = scalar_arg(args, 0)?;
    let scope = if name.contains(':') {
        name.to_string()
    } else {
        format!("default:{name}")
    };
    let mut object = Map::new();
    for (bundle, variable, value) in variables(context) {
        if bundle == scope {
            object.insert(variable, value);
        }
    }
    if object.is_empty() {
        return Err(FunctionError(format!(
            "bundlestate: bundle '{name}' has no variables"
        )));
    }
    Ok(Value::Data(Json::Object(object)))
}

/// `{"classes": {name: true}, "vars": {bundle: {name: value}}}`; bundles of
/// the default namespace are keyed by their bare name.
pub(super) fn datastate(context: &dyn CallContext, _: &[Value]) -> FunctionResult {
    let classes: Map<String, Json> = context
        .class_names()
        .into_iter()
        .map(|c| (c, Json::Bool(true)))
        .collect();
    let mut vars = Map::new();
    for (bundle, variable, value) in variables(context) {
        let key = bundle
            .strip_prefix("default:")
            .unwrap_or(&bundle)
            .to_string();
        if let Json::Object(scope) = vars.entry(key).or_insert_with(|| Json::Object(Map::new())) {
            scope.insert(variable, value);
        }
    }
    let mut state = Map::new();
    state.insert("classes".into(), Json::Object(classes));
    state.insert("vars".into(), Json::Object(vars));
    Ok(Value::Data(Json::Object(state)))
}

#[cfg(test)]
mod tests {
    use crate::functions::test_context::*;
    use crate::value::Value;
    use serde_json::json;

    #[test]
    fn bundle_and_data_state() {
        let mut c = FixedContext {
            classes: vec!["any".into()],
            ..FixedContext::default()
        };
        c.variables.insert("x".into(), Value::scalar("1"));
        c.variables.insert("l".into(), Value::list(["a"]));
        assert_eq!(
            call(&c, "bundlestate", &["main"]),
            Ok(Value::Data(json!({"x": "1", "l": ["a"]})))
        );
        assert!(call(&c, "bundlestate", &["nope"]).is_err());
        assert_eq!(call(&c, "callstack_promisers", &[]), list(&["call one"]));
        assert_eq!(
            call(&c, "datastate", &[]),
            Ok(Value::Data(
                json!({"classes": {"any": true}, "vars": {"main": {"x": "1", "l": ["a"]}}})
            ))
        );
    }
}
