//! Variables by scope: `ns:bundle` → name → value, and the parsing of a
//! reference's name (`ns:bundle.name[k1][k2]`).

use std::collections::HashMap;

use serde_json::Value as Json;

use crate::value::Value;

/// A reference's name, split: `ns:scope.base[i][j]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VarName {
    pub namespace: Option<String>,
    pub scope: Option<String>,
    pub base: String,
    pub indices: Vec<String>,
}

impl VarName {
    /// Splits an expanded reference name. Only the part before the first
    /// `[` can hold the namespace and scope: keys may contain `.` and `:`.
    pub fn parse(text: &str) -> VarName {
        let (head, tail) = match text.find('[') {
            Some(at) => (&text[..at], &text[at..]),
            None => (text, ""),
        };
        let (namespace, rest) = match head.split_once(':') {
            Some((ns, rest)) => (Some(ns.to_string()), rest),
            None => (None, head),
        };
        let (scope, base) = match rest.split_once('.') {
            Some((scope, base)) => (Some(scope.to_string()), base),
            None => (None, rest),
        };
        VarName {
            namespace,
            scope,
            base: base.to_string(),
            indices: split_indices(tail),
        }
    }

    /// The key a variable is stored under in its scope: `base[i][j]`.
    pub fn key(&self) -> String {
        let mut key = self.base.clone();
        for index in &self.indices {
            key.push('[');
            key.push_str(index);
            key.push(']');
        }
        key
    }
}

/// `[a][b[c]]` → `a`, `b[c]`; text outside brackets is dropped.
fn split_indices(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut current = String::new();
    for c in text.chars() {
        match c {
            '[' => {
                if depth > 0 {
                    current.push(c);
                }
                depth += 1;
            }
            ']' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    out.push(std::mem::take(&mut current));
                } else {
                    current.push(c);
                }
            }
            _ if depth > 0 => current.push(c),
            _ => {}
        }
    }
    out
}

/// Every policy variable of the run, by `ns:bundle` scope.
#[derive(Debug, Default)]
pub struct Variables {
    scopes: HashMap<String, HashMap<String, Value>>,
}

/// The name of a bundle's scope.
pub fn scope_key(namespace: &str, bundle: &str) -> String {
    format!("{namespace}:{bundle}")
}

impl Variables {
    pub fn set(&mut self, scope: &str, key: String, value: Value) {
        self.scopes
            .entry(scope.to_string())
            .or_default()
            .insert(key, value);
    }

    pub fn get_exact(&self, scope: &str, key: &str) -> Option<&Value> {
        self.scopes.get(scope)?.get(key)
    }

    /// `name` in `scope`: an array entry stored under its full key, or a
    /// path into a data container.
    pub fn get(&self, scope: &str, name: &VarName) -> Option<Value> {
        let vars = self.scopes.get(scope)?;
        lookup_in(vars, name)
    }

    /// Keys of the array `base` in `scope` (`base[k]` entries), in no
    /// particular order.
    pub fn array_keys(&self, scope: &str, base: &str) -> Vec<String> {
        let prefix = format!("{base}[");
        let Some(vars) = self.scopes.get(scope) else {
            return Vec::new();
        };
        let mut keys: Vec<String> = vars
            .keys()
            .filter_map(|k| k.strip_prefix(&prefix))
            .filter_map(|rest| split_indices(&format!("[{rest}")).into_iter().next())
            .collect();
        keys.sort();
        keys.dedup();
        keys
    }

    /// Every `(scope, key)` defined, for introspection functions.
    pub fn names(&self) -> impl Iterator<Item = (&str, &str)> {
        self.scopes
            .iter()
            .flat_map(|(scope, vars)| vars.keys().map(move |k| (scope.as_str(), k.as_str())))
    }
}

/// Looks `name` (scope already chosen) up in one table of variables.
pub fn lookup_in(vars: &HashMap<String, Value>, name: &VarName) -> Option<Value> {
    if let Some(value) = vars.get(&name.key()) {
        return Some(value.clone());
    }
    let base = vars.get(&name.base)?;
    if name.indices.is_empty() {
        return Some(base.clone());
    }
    match base {
        Value::Data(json) => data_path(json, &name.indices).map(|j| Value::Data(j.clone())),
        _ => None,
    }
}

/// Walks object keys and array positions.
pub fn data_path<'j>(json: &'j Json, path: &[String]) -> Option<&'j Json> {
    path.iter().try_fold(json, |node, step| match node {
        Json::Object(map) => map.get(step),
        Json::Array(items) => step.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    })
}

/// The text of a primitive JSON value; `None` for containers and null.
pub fn json_scalar(json: &Json) -> Option<String> {
    match json {
        Json::String(s) => Some(s.clone()),
        Json::Number(n) => Some(n.to_string()),
        Json::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_into_namespace_scope_base_and_indices() {
        let name = VarName::parse("ns:b.a[k.x][y:z]");
        assert_eq!(name.namespace.as_deref(), Some("ns"));
        assert_eq!(name.scope.as_deref(), Some("b"));
        assert_eq!(name.base, "a");
        assert_eq!(name.indices, vec!["k.x", "y:z"]);
        assert_eq!(VarName::parse("x").scope, None);
        assert_eq!(VarName::parse("a[b[c]]").indices, vec!["b[c]"]);
    }

    #[test]
    fn arrays_and_data_paths_resolve() {
        let mut vars = Variables::default();
        vars.set("default:m", "a[k]".into(), Value::scalar("v"));
        vars.set(
            "default:m",
            "d".into(),
            Value::Data(serde_json::json!({"x": [1, "two"]})),
        );
        let get = |n: &str| vars.get("default:m", &VarName::parse(n));
        assert_eq!(get("a[k]"), Some(Value::scalar("v")));
        assert_eq!(get("d[x][1]"), Some(Value::Data(serde_json::json!("two"))));
        assert_eq!(get("d[y]"), None);
        assert_eq!(vars.array_keys("default:m", "a"), vec!["k"]);
    }
}
