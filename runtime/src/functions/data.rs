//! Data container and array functions: `parsejson`, `getindices`,
//! `getvalues`.

use serde_json::Value as Json;

use super::{scalar_arg, Arity, Builtin, CallContext, Function, FunctionError, FunctionResult};
use crate::eval::variables::json_scalar;
use crate::value::Value;

pub(super) const FUNCTIONS: &[&dyn Function] = &[
    &Builtin {
        name: "parsejson",
        arity: Arity::Exactly(1),
        body: parsejson,
    },
    &Builtin {
        name: "getindices",
        arity: Arity::Exactly(1),
        body: getindices,
    },
    &Builtin {
        name: "getvalues",
        arity: Arity::Exactly(1),
        body: getvalues,
    },
];

fn parsejson(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let text = scalar_arg(args, 0)?;
    serde_json::from_str(text)
        .map(Value::Data)
        .map_err(|e| FunctionError(format!("parsejson: bad JSON: {e}")))
}

/// The container or list an argument names (or is).
fn container(context: &dyn CallContext, value: &Value) -> Option<Value> {
    match value {
        Value::Scalar(name) => context.variable(name),
        other => Some(other.clone()),
    }
}

/// Object keys (insertion order), array positions, or array entry keys.
fn getindices(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let name = scalar_arg(args, 0).unwrap_or_default();
    match args.first().and_then(|a| container(context, a)) {
        Some(Value::Data(Json::Object(map))) => Ok(Value::List(map.keys().cloned().collect())),
        Some(Value::Data(Json::Array(items))) => Ok(Value::List(
            (0..items.len()).map(|i| i.to_string()).collect(),
        )),
        _ => match context.array_keys(name) {
            keys if keys.is_empty() => Err(FunctionError(format!(
                "getindices: no array or container '{name}'"
            ))),
            keys => Ok(Value::List(keys)),
        },
    }
}

/// Every primitive value, nested containers flattened.
fn getvalues(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let name = scalar_arg(args, 0).unwrap_or_default();
    match args.first().and_then(|a| container(context, a)) {
        Some(Value::Data(json)) => {
            let mut out = Vec::new();
            flatten(&json, &mut out);
            Ok(Value::List(out))
        }
        Some(Value::List(items)) => Ok(Value::List(items)),
        Some(Value::Scalar(text)) => Ok(Value::List(vec![text])),
        None => {
            let keys = context.array_keys(name);
            if keys.is_empty() {
                return Err(FunctionError(format!(
                    "getvalues: no array or container '{name}'"
                )));
            }
            let mut out = Vec::new();
            for key in keys {
                match context.variable(&format!("{name}[{key}]")) {
                    Some(Value::Scalar(text)) => out.push(text),
                    Some(Value::List(items)) => out.extend(items),
                    _ => {}
                }
            }
            Ok(Value::List(out))
        }
    }
}

fn flatten(json: &Json, out: &mut Vec<String>) {
    match json {
        Json::Array(items) => items.iter().for_each(|i| flatten(i, out)),
        Json::Object(map) => map.values().for_each(|v| flatten(v, out)),
        other => out.extend(json_scalar(other)),
    }
}

#[cfg(test)]
mod tests {
    use crate::functions::test_context::{call, FixedContext};
    use crate::value::Value;

    #[test]
    fn parsejson_reads_json() {
        let c = FixedContext::default();
        assert_eq!(
            call(&c, "parsejson", &[r#"{"a":[1]}"#]),
            Ok(Value::Data(serde_json::json!({"a":[1]})))
        );
        assert!(call(&c, "parsejson", &["{"]).is_err());
    }

    #[test]
    fn indices_and_values_of_arrays_and_containers() {
        let mut c = FixedContext::default();
        c.variables.insert("home[bob]".into(), Value::scalar("/b"));
        c.variables
            .insert("home[alice]".into(), Value::scalar("/a"));
        c.variables.insert(
            "d".into(),
            Value::Data(serde_json::json!({"z": 1, "a": [true, "x"]})),
        );
        assert_eq!(
            call(&c, "getindices", &["home"]),
            Ok(Value::list(["alice", "bob"]))
        );
        assert_eq!(
            call(&c, "getvalues", &["home"]),
            Ok(Value::list(["/a", "/b"]))
        );
        assert_eq!(call(&c, "getindices", &["d"]), Ok(Value::list(["a", "z"])));
        assert_eq!(
            call(&c, "getvalues", &["d"]),
            Ok(Value::list(["true", "x", "1"]))
        );
        assert!(call(&c, "getindices", &["nothing"]).is_err());
    }
}
