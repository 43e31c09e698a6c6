//! Data container and array functions: parsing, merging, printing,
//! indices and values.

use serde_json::Value as Json;

use super::lists::collection;
use super::{
    class_result, scalar_arg, Arity, Builtin, CallContext, Function, FunctionError, FunctionResult,
};
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
    &Builtin {
        name: "parseyaml",
        arity: Arity::Exactly(1),
        body: parseyaml,
    },
    &Builtin {
        name: "mergedata",
        arity: Arity::AtLeast(0),
        body: mergedata,
    },
    &Builtin {
        name: "storejson",
        arity: Arity::Exactly(1),
        body: storejson,
    },
    &Builtin {
        name: "string",
        arity: Arity::Exactly(1),
        body: string,
    },
    &Builtin {
        name: "data_expand",
        arity: Arity::Exactly(1),
        body: data_expand,
    },
    &Builtin {
        name: "data_regextract",
        arity: Arity::Exactly(2),
        body: data_regextract,
    },
    &Builtin {
        name: "validjson",
        arity: Arity::Between(1, 2),
        body: validjson,
    },
    &Builtin {
        name: "validdata",
        arity: Arity::Exactly(2),
        body: validdata,
    },
    &Builtin {
        name: "type",
        arity: Arity::Between(1, 2),
        body: type_of,
    },
];

/// A value as JSON: lists become arrays of strings.
pub(crate) fn to_json(value: &Value) -> Json {
    match value {
        Value::Scalar(text) => Json::String(text.clone()),
        Value::List(items) => Json::Array(items.iter().cloned().map(Json::String).collect()),
        Value::Data(json) => json.clone(),
    }
}

/// A collecting argument as JSON.
pub(crate) fn json_arg(
    context: &dyn CallContext,
    args: &[Value],
    at: usize,
) -> Result<Json, FunctionError> {
    Ok(to_json(&collection(context, args, at)?))
}

/// YAML text as a data container.
pub(crate) fn yaml_to_json(text: &str) -> Result<Json, FunctionError> {
    super::yaml::parse(text).map_err(|e| FunctionError(format!("bad YAML: {e}")))
}

fn parseyaml(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    yaml_to_json(scalar_arg(args, 0)?).map(Value::Data)
}

/// Objects merge key by key (later wins and moves to the end, no deep
/// merge); arrays concatenate; an array merged with an object becomes keys `"0"`, `"1"`….
fn mergedata(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    if args.is_empty() {
        return Err(FunctionError(
            "mergedata needs at least one argument, a reference to a container variable".into(),
        ));
    }
    let parts: Vec<Json> = (0..args.len())
        .map(|at| json_arg(context, args, at))
        .collect::<Result<_, _>>()?;
    if parts.iter().all(Json::is_array) {
        let items = parts.into_iter().flat_map(|p| match p {
            Json::Array(items) => items,
            _ => Vec::new(),
        });
        return Ok(Value::Data(Json::Array(items.collect())));
    }
    let mut merged = serde_json::Map::new();
    for part in parts {
        let entries: Vec<(String, Json)> = match part {
            Json::Object(map) => map.into_iter().collect(),
            Json::Array(items) => items
                .into_iter()
                .enumerate()
                .map(|(i, v)| (i.to_string(), v))
                .collect(),
            other => {
                return Err(FunctionError(format!(
                    "mergedata: '{other}' is not a container"
                )))
            }
        };
        for (key, value) in entries {
            super::json_text::append_key(&mut merged, key, value);
        }
    }
    Ok(Value::Data(Json::Object(merged)))
}

/// Pretty JSON, as cf-agent prints it (two-space indent).
fn storejson(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let json = json_arg(context, args, 0)?;
    Ok(Value::Scalar(super::json_text::pretty(&json)))
}

/// A scalar as itself, a container as compact JSON.
/// `string(x)`: a list or container (`@(x)`, a nested call) as compact
/// JSON; text as cf-agent writes an rval, double quotes escaped
/// (`string('{"a":1}')` is `{\"a\":1}`). Text is not looked up as a
/// variable name.
fn string(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    match &args[0] {
        Value::Scalar(text) => Ok(Value::Scalar(text.replace('"', "\\\""))),
        other => Ok(Value::Scalar(super::json_text::compact(&to_json(other)))),
    }
}

/// Expands `$(name)` and `${name}` in keys and string values.
fn data_expand(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    fn expand_text(context: &dyn CallContext, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(at) = rest.find(['$', '@']) {
            out.push_str(&rest[..at]);
            let after = &rest[at + 1..];
            let close = match after.chars().next() {
                Some('(') => ')',
                Some('{') => '}',
                _ => {
                    out.push_str(&rest[at..at + 1]);
                    rest = after;
                    continue;
                }
            };
            match after.find(close) {
                Some(end) => match context.variable(&after[1..end]) {
                    Some(Value::Scalar(value)) => {
                        out.push_str(&value);
                        rest = &after[end + 1..];
                    }
                    _ => {
                        out.push_str(&rest[at..at + 2 + end]);
                        rest = &after[end + 1..];
                    }
                },
                None => {
                    out.push_str(&rest[at..]);
                    rest = "";
                }
            }
        }
        out.push_str(rest);
        out
    }
    fn expand(context: &dyn CallContext, json: Json) -> Json {
        match json {
            Json::String(text) => Json::String(expand_text(context, &text)),
            Json::Array(items) => {
                Json::Array(items.into_iter().map(|i| expand(context, i)).collect())
            }
            Json::Object(map) => Json::Object(
                map.into_iter()
                    .map(|(k, v)| (expand_text(context, &k), expand(context, v)))
                    .collect(),
            ),
            other => other,
        }
    }
    Ok(Value::Data(expand(context, json_arg(context, args, 0)?)))
}

/// `{"0": match, "1": group 1, …}` of the first (unanchored) match; a
/// named group appears under its name only, a group that took no part in
/// the match as `""` (cf-agent's PCRE offsets).
fn data_regextract(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let (pattern, text) = (scalar_arg(args, 0)?, scalar_arg(args, 1)?);
    let regex = super::regex::compile(pattern)?;
    let captures = regex
        .captures(text)
        .map_err(|e| FunctionError(format!("data_regextract: {e}")))?
        .ok_or_else(|| FunctionError(format!("data_regextract: '{pattern}' does not match")))?;
    let mut object = serde_json::Map::new();
    let text_of = |group: Option<fancy_regex::Match>| {
        Json::String(group.map_or_else(String::new, |g| g.as_str().to_string()))
    };
    for (at, name) in regex.capture_names().enumerate() {
        let key = name.map_or_else(|| at.to_string(), str::to_string);
        object.insert(key, text_of(captures.get(at)));
    }
    Ok(Value::Data(Json::Object(object)))
}

/// Valid JSON; unless strict, a bare scalar (`"a"`, `1`) counts only when
/// it is a container.
fn validjson(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let strict = args.len() > 1 && super::bool_arg(args, 1)?;
    let parsed = serde_json::from_str::<Json>(scalar_arg(args, 0)?);
    Ok(class_result(match parsed {
        Ok(json) => !strict || json.is_object() || json.is_array(),
        Err(_) => false,
    }))
}

fn validdata(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    match scalar_arg(args, 1)? {
        "JSON" => validjson(context, &args[..1]),
        "YAML" => Ok(class_result(yaml_to_json(scalar_arg(args, 0)?).is_ok())),
        other => Err(FunctionError(format!("validdata: unknown type '{other}'"))),
    }
}

/// `type(name, detail)`: `string`/`slist`/`data`, with detail
/// `policy string`, `data object`, …. Scalars are held as text, so an
/// `int` or `real` variable reports `string`.
fn type_of(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let detail = args.len() > 1 && super::bool_arg(args, 1)?;
    let value = match &args[0] {
        Value::Scalar(name) => context.variable(name),
        other => Some(other.clone()),
    };
    let (kind, detailed) = match value {
        None => ("none", "policy none"),
        Some(Value::Scalar(_)) => ("string", "policy string"),
        Some(Value::List(_)) => ("slist", "policy slist"),
        Some(Value::Data(json)) => (
            "data",
            match json {
                Json::Object(_) => "data object",
                Json::Array(_) => "data array",
                Json::String(_) => "data string",
                Json::Number(_) => "data number",
                Json::Bool(_) => "data boolean",
                Json::Null => "data null",
            },
        ),
    };
    Ok(Value::scalar(if detail { detailed } else { kind }))
}

/// Only a container (object or array) is accepted, as in cf-agent.
fn parsejson(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let text = scalar_arg(args, 0)?;
    match super::json_text::parse(text) {
        Ok(json @ (Json::Object(_) | Json::Array(_))) => Ok(Value::Data(json)),
        Ok(_) => Err(FunctionError(format!(
            "parsejson: non-container from parsing JSON expression '{text}'"
        ))),
        Err(e) => Err(FunctionError(format!("parsejson: bad JSON: {e}"))),
    }
}

/// The container or list an argument names (or is).
fn container(context: &dyn CallContext, value: &Value) -> Option<Value> {
    collection(context, std::slice::from_ref(value), 0).ok()
}

/// Object keys (insertion order), array positions, or array entry keys.
fn getindices(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let name = scalar_arg(args, 0).unwrap_or_default();
    match args.first().and_then(|a| container(context, a)) {
        Some(Value::Data(Json::Object(map))) => Ok(Value::List(map.keys().cloned().collect())),
        Some(Value::Data(Json::Array(items))) => Ok(Value::List(
            (0..items.len()).map(|i| i.to_string()).collect(),
        )),
        Some(Value::List(items)) => Ok(Value::List(
            (0..items.len()).map(|i| i.to_string()).collect(),
        )),
        // Neither an array nor a container: no indices, as in cf-agent.
        _ => Ok(Value::List(context.array_keys(name))),
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
    fn merging_printing_and_checking() {
        use crate::functions::test_context::*;
        let mut c = FixedContext::default();
        c.variables.insert("x".into(), Value::scalar("X"));
        c.variables.insert("l".into(), Value::list(["a"]));
        assert_eq!(
            call(
                &c,
                "mergedata",
                &[r#"{"a":1,"b":{"x":1}}"#, r#"{"b":{"y":2}}"#, r#"["q"]"#]
            ),
            Ok(Value::Data(serde_json::json!({"a":1,"b":{"y":2},"0":"q"})))
        );
        let Ok(Value::Data(merged)) = call(&c, "mergedata", &[r#"{"z":1,"y":2}"#, r#"{"z":3}"#])
        else {
            panic!("mergedata of two objects is an object");
        };
        let keys: Vec<&String> = merged.as_object().expect("object").keys().collect();
        assert_eq!(keys, ["y", "z"], "a key set again moves to the end");
        assert_eq!(
            call(&c, "mergedata", &[r#"["a"]"#, "l"]),
            Ok(Value::Data(serde_json::json!(["a", "a"])))
        );
        assert_eq!(
            call(&c, "storejson", &[r#"{"a":[1]}"#]),
            scalar("{\n  \"a\": [\n    1\n  ]\n}")
        );
        assert_eq!(
            call(&c, "data_expand", &[r#"{"$(x)":"v$(x)$(nope)"}"#]),
            Ok(Value::Data(serde_json::json!({"X": "vX$(nope)"})))
        );
        assert_eq!(
            call(&c, "data_regextract", &["b(?<n>.)", "abcd"]),
            Ok(Value::Data(serde_json::json!({"0": "bc", "n": "c"})))
        );
        assert_eq!(call(&c, "validjson", &["[1]"]), yes());
        assert!(call(&c, "mergedata", &[]).is_err());
        assert_eq!(call(&c, "getindices", &["l"]), list(&["0"]));
        assert_eq!(call(&c, "validjson", &["{"]), no());
        assert_eq!(call(&c, "validdata", &["a: 1", "YAML"]), yes());
        assert_eq!(call(&c, "type", &["l", "true"]), scalar("policy slist"));
        assert_eq!(call(&c, "type", &["x"]), scalar("string"));
        assert_eq!(
            call(&c, "parseyaml", &["a: [1, b]"]),
            Ok(Value::Data(serde_json::json!({"a": [1, "b"]})))
        );
        assert_eq!(call(&c, "string", &["l"]), scalar("l"));
        assert_eq!(call(&c, "string", &[r#"{"a":1}"#]), scalar(r#"{\"a\":1}"#));
        assert_eq!(
            crate::functions::table().call("string", &c, &[Value::list(["x"])]),
            scalar(r#"["x"]"#)
        );
        assert_eq!(call(&c, "validjson", &[r#""str""#]), yes());
        assert_eq!(call(&c, "type", &["nope", "true"]), scalar("policy none"));
        assert_eq!(
            call(&c, "getvalues", &[r#"{"a":[1,{"b":null}],"c":true}"#]),
            list(&["1", "true"])
        );
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
        assert_eq!(call(&c, "getindices", &["d"]), Ok(Value::list(["z", "a"])));
        assert_eq!(
            call(&c, "getvalues", &["d"]),
            Ok(Value::list(["1", "true", "x"]))
        );
        assert_eq!(
            call(&c, "getindices", &["nothing"]),
            Ok(Value::List(vec![]))
        );
    }
}
