//! List functions: `join`, `length`, `sort`, `nth`.
//!
//! Their list argument may be a list value (`@(l)`), a variable name
//! (`"l"`, `"b.l"`), inline JSON or a data container.

use serde_json::Value as Json;

use super::{scalar_arg, Arity, Builtin, CallContext, Function, FunctionError, FunctionResult};
use crate::eval::variables::json_scalar;
use crate::value::Value;

pub(super) const FUNCTIONS: &[&dyn Function] = &[
    &Builtin {
        name: "join",
        arity: Arity::Exactly(2),
        body: join,
    },
    &Builtin {
        name: "length",
        arity: Arity::Exactly(1),
        body: length,
    },
    &Builtin {
        name: "sort",
        arity: Arity::Between(1, 2),
        body: sort,
    },
    &Builtin {
        name: "nth",
        arity: Arity::Exactly(2),
        body: nth,
    },
];

/// The elements of a list argument.
pub(crate) fn list_arg(
    context: &dyn CallContext,
    args: &[Value],
    at: usize,
) -> Result<Vec<String>, FunctionError> {
    let value = args
        .get(at)
        .ok_or_else(|| FunctionError(format!("argument {} is missing", at + 1)))?;
    let resolved = match value {
        Value::Scalar(text) if text.trim_start().starts_with(['[', '{']) => {
            serde_json::from_str::<Json>(text)
                .map(Value::Data)
                .map_err(|e| FunctionError(format!("bad JSON '{text}': {e}")))?
        }
        Value::Scalar(name) => context
            .variable(name)
            .ok_or_else(|| FunctionError(format!("no list named '{name}'")))?,
        other => other.clone(),
    };
    match resolved {
        Value::List(items) => Ok(items),
        Value::Data(Json::Array(items)) => Ok(items.iter().filter_map(json_scalar).collect()),
        Value::Data(Json::Object(map)) => Ok(map.values().filter_map(json_scalar).collect()),
        Value::Scalar(text) => Ok(vec![text]),
        Value::Data(_) => Err(FunctionError("not a list".into())),
    }
}

fn join(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let separator = scalar_arg(args, 0)?;
    Ok(Value::Scalar(list_arg(context, args, 1)?.join(separator)))
}

fn length(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    Ok(Value::Scalar(list_arg(context, args, 0)?.len().to_string()))
}

fn sort(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let mut items = list_arg(context, args, 0)?;
    let mode = if args.len() > 1 {
        scalar_arg(args, 1)?
    } else {
        "lex"
    };
    match mode {
        "lex" => items.sort(),
        "int" => items.sort_by_key(|i| i.trim().parse::<i64>().unwrap_or(0)),
        "real" => items.sort_by(|a, b| {
            let key = |s: &str| s.trim().parse::<f64>().unwrap_or(0.0);
            key(a).total_cmp(&key(b))
        }),
        other => {
            return Err(FunctionError(format!(
                "sort mode '{other}' is not implemented yet"
            )))
        }
    }
    Ok(Value::List(items))
}

fn nth(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let items = list_arg(context, args, 0)?;
    let index: i64 = scalar_arg(args, 1)?
        .trim()
        .parse()
        .map_err(|_| FunctionError("nth needs a numeric index".into()))?;
    let at = if index < 0 {
        items.len() as i64 + index
    } else {
        index
    };
    usize::try_from(at)
        .ok()
        .and_then(|at| items.get(at))
        .map(|item| Value::scalar(item.clone()))
        .ok_or_else(|| FunctionError(format!("nth: no element {index}")))
}

#[cfg(test)]
mod tests {
    use crate::functions::test_context::{call, FixedContext};
    use crate::value::Value;

    fn context() -> FixedContext {
        let mut c = FixedContext::default();
        c.variables.insert("l".into(), Value::list(["b", "a", "c"]));
        c
    }

    #[test]
    fn list_functions_accept_names_and_json() {
        let c = context();
        assert_eq!(call(&c, "join", &[",", "l"]), Ok(Value::scalar("b,a,c")));
        assert_eq!(
            call(&c, "join", &["-", r#"["x","y"]"#]),
            Ok(Value::scalar("x-y"))
        );
        assert_eq!(call(&c, "length", &["l"]), Ok(Value::scalar("3")));
        assert_eq!(
            call(&c, "sort", &["l", "lex"]),
            Ok(Value::list(["a", "b", "c"]))
        );
        assert_eq!(call(&c, "nth", &["l", "-1"]), Ok(Value::scalar("c")));
        assert!(call(&c, "nth", &["l", "5"]).is_err());
        assert!(call(&c, "join", &[",", "missing"]).is_err());
    }
}
