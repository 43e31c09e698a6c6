//! `maplist`, `maparray`, `mapdata`: a template applied to each element.
//!
//! Their template holds `$(this)`, `$(this.k)`, `$(this.v)`, which the
//! evaluator cannot resolve, so these functions are called with
//! unresolved arguments and substitute the references themselves.

use serde_json::Value as Json;

use super::lists::{collection, list_arg};
use super::{scalar_arg, Arity, CallContext, Function, FunctionError, FunctionResult};
use crate::eval::variables::json_scalar;
use crate::value::Value;

pub(super) const FUNCTIONS: &[&dyn Function] = &[
    &Map {
        name: "maplist",
        arity: Arity::Exactly(2),
        body: maplist,
    },
    &Map {
        name: "maparray",
        arity: Arity::Exactly(2),
        body: maparray,
    },
    &Map {
        name: "mapdata",
        arity: Arity::Exactly(3),
        body: mapdata,
    },
];

/// A function whose template reaches it unexpanded.
struct Map {
    name: &'static str,
    arity: Arity,
    body: fn(&dyn CallContext, &[Value]) -> FunctionResult,
}

impl Function for Map {
    fn name(&self) -> &'static str {
        self.name
    }
    fn arity(&self) -> Arity {
        self.arity
    }
    fn calls_with_unresolved(&self, _args: usize) -> bool {
        true
    }
    fn call(&self, context: &dyn CallContext, args: &[Value]) -> FunctionResult {
        (self.body)(context, args)
    }
}

/// Replaces `$(this.<name>)`/`${this.<name>}` (or `$(this)` when `name`
/// is empty) with `value`.
fn substitute(template: &str, name: &str, value: &str) -> String {
    let reference = if name.is_empty() {
        "this".to_string()
    } else {
        format!("this.{name}")
    };
    template
        .replace(&format!("$({reference})"), value)
        .replace(&format!("${{{reference}}}"), value)
}

fn maplist(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let template = scalar_arg(args, 0)?;
    let items = list_arg(context, args, 1)?;
    Ok(Value::List(
        items.iter().map(|i| substitute(template, "", i)).collect(),
    ))
}

/// `(key, value)` pairs: a list or array value gives one pair per
/// element, a nested object one per primitive value.
fn pairs(
    context: &dyn CallContext,
    args: &[Value],
    at: usize,
) -> Result<Vec<(String, String)>, FunctionError> {
    let mut out = Vec::new();
    let mut push = |key: &str, json: &Json| match json {
        Json::Null => out.push((key.to_string(), "null".to_string())),
        Json::Array(items) => out.extend(
            items
                .iter()
                .filter_map(json_scalar)
                .map(|v| (key.to_string(), v)),
        ),
        Json::Object(map) => out.extend(
            map.values()
                .filter_map(json_scalar)
                .map(|v| (key.to_string(), v)),
        ),
        other => out.extend(json_scalar(other).map(|v| (key.to_string(), v))),
    };
    if let Value::Scalar(name) = &args[at] {
        let keys = context.array_keys(name);
        if !keys.is_empty() {
            for key in keys {
                if let Some(value) = context.variable(&format!("{name}[{key}]")) {
                    push(&key, &super::data::to_json(&value));
                }
            }
            return Ok(out);
        }
    }
    match collection(context, args, at)? {
        Value::Data(Json::Object(map)) => map.iter().for_each(|(k, v)| push(k, v)),
        Value::Data(Json::Array(items)) => items
            .iter()
            .enumerate()
            .for_each(|(i, v)| push(&i.to_string(), v)),
        Value::List(items) => items
            .iter()
            .enumerate()
            .for_each(|(i, v)| push(&i.to_string(), &Json::String(v.clone()))),
        _ => return Err(FunctionError("not an array or a container".into())),
    }
    Ok(out)
}

fn apply(template: &str, key: &str, value: &str) -> String {
    substitute(&substitute(template, "k", key), "v", value)
}

fn maparray(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let template = scalar_arg(args, 0)?;
    Ok(Value::List(expansions(template, pairs(context, args, 1)?)))
}

/// The template for each pair; a key's values that expand to the same
/// text give it once (a template without `$(this.v)` once per key).
fn expansions(template: &str, pairs: Vec<(String, String)>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut key_start = 0;
    let mut last_key: Option<String> = None;
    for (key, value) in pairs {
        if last_key.as_deref() != Some(key.as_str()) {
            key_start = out.len();
            last_key = Some(key.clone());
        }
        let text = apply(template, &key, &value);
        if !out[key_start..].contains(&text) {
            out.push(text);
        }
    }
    out
}

/// `mapdata("none"|"json"|"canonify", template, data)` → data array.
fn mapdata(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let mode = scalar_arg(args, 0)?;
    let template = scalar_arg(args, 1)?;
    let mut out = Vec::new();
    for text in expansions(template, pairs(context, args, 2)?) {
        out.push(match mode {
            "none" => Json::String(text),
            "canonify" => Json::String(super::strings::canonify_bytes(&text)),
            "json" => serde_json::from_str(&text)
                .map_err(|e| FunctionError(format!("mapdata: '{text}' is not JSON: {e}")))?,
            other => {
                return Err(FunctionError(format!(
                    "mapdata: mode '{other}' is not supported"
                )))
            }
        });
    }
    Ok(Value::Data(Json::Array(out)))
}

#[cfg(test)]
mod tests {
    use crate::functions::test_context::*;
    use crate::value::Value;
    use serde_json::json;

    fn context() -> FixedContext {
        let mut c = FixedContext::default();
        c.variables.insert("l".into(), Value::list(["a", "b c"]));
        c.variables.insert("arr[x]".into(), Value::scalar("1"));
        c.variables.insert("arr[y]".into(), Value::list(["2", "3"]));
        c.variables.insert(
            "d".into(),
            Value::Data(json!({"p":"q","r":[1,2],"s":{"t":"u"}})),
        );
        c
    }

    #[test]
    fn templates_over_lists_arrays_and_containers() {
        let c = context();
        assert_eq!(
            call(&c, "maplist", &["<$(this)>", "l"]),
            list(&["<a>", "<b c>"])
        );
        assert_eq!(
            call(&c, "maplist", &["${this}!", r#"["j","k"]"#]),
            list(&["j!", "k!"])
        );
        assert_eq!(
            call(&c, "maparray", &["$(this.k)=$(this.v)", "arr"]),
            list(&["x=1", "y=2", "y=3"])
        );
        assert_eq!(
            call(&c, "maparray", &["$(this.k)=$(this.v)", "d"]),
            list(&["p=q", "r=1", "r=2", "s=u"])
        );
        assert_eq!(
            call(
                &c,
                "mapdata",
                &["json", r#"{"$(this.k)":"$(this.v)"}"#, r#"{"a":"b"}"#]
            ),
            Ok(Value::Data(json!([{"a":"b"}])))
        );
        assert_eq!(
            call(
                &c,
                "mapdata",
                &["canonify", "$(this.k) $(this.v)", r#"{"a":"b-c"}"#]
            ),
            Ok(Value::Data(json!(["a_b_c"])))
        );
        assert!(call(&c, "mapdata", &["json", "{", r#"{"a":"b"}"#]).is_err());
        assert!(crate::functions::table()
            .get("maplist")
            .is_some_and(|f| f.calls_with_unresolved(2)));
    }
}
