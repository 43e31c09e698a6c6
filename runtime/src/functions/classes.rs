//! Class and introspection functions: `and`, `or`, `not`, `ifelse`,
//! `classmatch`, `classesmatching`, `isvariable`.

use super::regex::full_match;
use super::tags::any_tag_matches;
use super::{
    class_result, scalar_arg, Arity, Builtin, CallContext, Function, FunctionError, FunctionResult,
};
use crate::value::Value;

pub(super) const FUNCTIONS: &[&dyn Function] = &[
    &Builtin {
        name: "and",
        arity: Arity::AtLeast(0),
        body: and,
    },
    &Builtin {
        name: "or",
        arity: Arity::AtLeast(0),
        body: or,
    },
    &Builtin {
        name: "not",
        arity: Arity::Exactly(1),
        body: not,
    },
    &IfElse,
    &Builtin {
        name: "classmatch",
        arity: Arity::AtLeast(1),
        body: classmatch,
    },
    &Builtin {
        name: "classesmatching",
        arity: Arity::AtLeast(1),
        body: classesmatching,
    },
    &Builtin {
        name: "countclassesmatching",
        arity: Arity::AtLeast(1),
        body: countclassesmatching,
    },
    &Builtin {
        name: "regcmp",
        arity: Arity::Exactly(2),
        body: regcmp,
    },
    &Builtin {
        name: "regarray",
        arity: Arity::Exactly(2),
        body: regarray,
    },
    &Builtin {
        name: "splayclass",
        arity: Arity::Exactly(2),
        body: splayclass,
    },
    &Builtin {
        name: "bundlesmatching",
        arity: Arity::AtLeast(1),
        body: bundlesmatching,
    },
    &Builtin {
        name: "classify",
        arity: Arity::Exactly(1),
        body: classify,
    },
    &Builtin {
        name: "variablesmatching",
        arity: Arity::AtLeast(1),
        body: variablesmatching,
    },
    &Builtin {
        name: "variablesmatching_as_data",
        arity: Arity::AtLeast(1),
        body: variablesmatching_as_data,
    },
    &Builtin {
        name: "isvariable",
        arity: Arity::Exactly(1),
        body: isvariable,
    },
];

fn expression(context: &dyn CallContext, args: &[Value], at: usize) -> Result<bool, FunctionError> {
    let text = scalar_arg(args, at)?;
    context
        .class_expression(text)
        .ok_or_else(|| FunctionError(format!("'{text}' is not a class expression")))
}

fn and(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    for at in 0..args.len() {
        if !expression(context, args, at)? {
            return Ok(class_result(false));
        }
    }
    Ok(class_result(true))
}

fn or(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    for at in 0..args.len() {
        if expression(context, args, at)? {
            return Ok(class_result(true));
        }
    }
    Ok(class_result(false))
}

fn not(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    Ok(class_result(!expression(context, args, 0)?))
}

/// `ifelse(c1, v1, c2, v2, …, default)`: the value of the first true class
/// expression. With three arguments cf-agent calls it even when a value
/// still holds unresolved references.
struct IfElse;

impl Function for IfElse {
    fn name(&self) -> &'static str {
        "ifelse"
    }
    fn arity(&self) -> Arity {
        Arity::AtLeast(1)
    }
    fn calls_with_unresolved(&self, args: usize) -> bool {
        args == 3
    }
    fn call(&self, context: &dyn CallContext, args: &[Value]) -> FunctionResult {
        if args.len().is_multiple_of(2) {
            return Err(FunctionError(
                "ifelse needs an odd number of arguments".into(),
            ));
        }
        for pair in (0..args.len() - 1).step_by(2) {
            if context.class_expression(scalar_arg(args, pair)?) == Some(true) {
                return Ok(args[pair + 1].clone());
            }
        }
        Ok(args[args.len() - 1].clone())
    }
}

/// Visible classes fully matching the regex (or equal to it) and, when
/// tag regexes follow, having a tag that matches one of them.
fn matching(context: &dyn CallContext, args: &[Value]) -> Result<Vec<String>, FunctionError> {
    let pattern = scalar_arg(args, 0)?;
    let tag_patterns = &args[1..];
    let mut out = Vec::new();
    for class in context.class_names() {
        if class != pattern && !full_match(pattern, &class)? {
            continue;
        }
        if !tag_patterns.is_empty() {
            let tags = context.class_tags(&class).unwrap_or_default();
            if !any_tag_matches(&tags, tag_patterns)? {
                continue;
            }
        }
        out.push(class);
    }
    Ok(out)
}

fn classmatch(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    Ok(class_result(!matching(context, args)?.is_empty()))
}

fn classesmatching(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    Ok(Value::List(matching(context, args)?))
}

fn countclassesmatching(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    Ok(Value::Scalar(matching(context, args)?.len().to_string()))
}

fn regcmp(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    Ok(class_result(full_match(
        scalar_arg(args, 0)?,
        scalar_arg(args, 1)?,
    )?))
}

fn isvariable(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    Ok(class_result(
        context.variable(scalar_arg(args, 0)?).is_some(),
    ))
}

/// `regarray(array, regex)`: some value of the array fully matches.
fn regarray(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let (array, pattern) = (scalar_arg(args, 0)?, scalar_arg(args, 1)?);
    for key in context.array_keys(array) {
        if let Some(Value::Scalar(value)) = context.variable(&format!("{array}[{key}]")) {
            if full_match(pattern, &value)? {
                return Ok(class_result(true));
            }
        }
    }
    Ok(class_result(false))
}

/// The five-minute slot class `splayclass(text, policy)` tests:
/// `MinAA_BB` for `hourly`, `MinAA_BB.HrHH` otherwise, chosen by the
/// text's one-at-a-time hash masked to 8192 values, as cf-agent does.
pub(crate) fn splay_slot(text: &str, policy: &str) -> String {
    let hashed = (super::strings::string_hash(text, 0) & 8191) as usize;
    if policy == "hourly" {
        let slot = hashed * 12 / 8192;
        format!("Min{:02}_{:02}", slot * 5, ((slot + 1) * 5) % 60)
    } else {
        let day_slot = hashed * 12 * 24 / 8192;
        let (hour, slot) = (day_slot / 12, day_slot % 12);
        format!(
            "Min{:02}_{:02}.Hr{hour:02}",
            slot * 5,
            ((slot + 1) * 5) % 60
        )
    }
}

fn splayclass(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let slot = splay_slot(scalar_arg(args, 0)?, scalar_arg(args, 1)?);
    Ok(class_result(context.class_expression(&slot) == Some(true)))
}

/// `bundlesmatching(regex, tag…)`: the qualified names (`default:main`)
/// of the policy's bundles that fully match, sorted. With tag regexes, a
/// bundle's `tags` meta variable must have an element matching the first
/// (cf-agent only ever looks at the first).
fn bundlesmatching(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let pattern = scalar_arg(args, 0)?;
    let mut out = Vec::new();
    for name in context.bundle_names() {
        if !full_match(pattern, &name)? {
            continue;
        }
        if let Some(first) = args.get(1) {
            let tags = match context.variable(&format!("{name}_meta.tags")) {
                Some(Value::List(items)) => items,
                Some(Value::Scalar(text)) => text.split(',').map(str::to_string).collect(),
                _ => Vec::new(),
            };
            if !any_tag_matches(&tags, std::slice::from_ref(first))? {
                continue;
            }
        }
        out.push(name);
    }
    out.sort();
    Ok(Value::List(out))
}

/// Whether the canonified text is a defined class.
fn classify(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let class = super::strings::canonify_bytes(scalar_arg(args, 0)?);
    Ok(class_result(context.class_names().contains(&class)))
}

/// Qualified names (`ns:bundle.name`) of variables fully matching the
/// regex and, when tag regexes follow, having a tag that matches one. A
/// variable without a tag set passes any tag filter, as in cf-agent.
fn matching_variables(
    context: &dyn CallContext,
    args: &[Value],
) -> Result<Vec<String>, FunctionError> {
    let pattern = scalar_arg(args, 0)?;
    let tag_patterns = &args[1..];
    let mut out = Vec::new();
    // A regex that does not compile matches nothing, as in cf-agent.
    if super::regex::compile(pattern).is_err() {
        return Ok(out);
    }
    for name in context.variable_names() {
        if !full_match(pattern, &name)? {
            continue;
        }
        if !tag_patterns.is_empty() {
            if let Some(tags) = context.variable_tags(&name) {
                if !any_tag_matches(&tags, tag_patterns)? {
                    continue;
                }
            }
        }
        out.push(name);
    }
    out.sort();
    Ok(out)
}

fn variablesmatching(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    Ok(Value::List(matching_variables(context, args)?))
}

/// `{ "ns:bundle.name": value, … }`.
fn variablesmatching_as_data(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let mut object = serde_json::Map::new();
    for name in matching_variables(context, args)? {
        if let Some(value) = context.variable(&name) {
            object.insert(name, super::data::to_json(&value));
        }
    }
    Ok(Value::Data(serde_json::Value::Object(object)))
}

#[cfg(test)]
mod tests {
    use crate::functions::test_context::{call, FixedContext};
    use crate::value::Value;

    fn context() -> FixedContext {
        let mut c = FixedContext {
            classes: vec!["any".into(), "linux".into(), "abc".into()],
            ..FixedContext::default()
        };
        c.variables.insert("x".into(), Value::scalar("1"));
        c
    }

    #[test]
    fn boolean_class_functions() {
        let c = context();
        let yes = Ok(Value::scalar("any"));
        let no = Ok(Value::scalar("!any"));
        assert_eq!(call(&c, "and", &["linux", "abc"]), yes);
        assert_eq!(call(&c, "and", &["linux", "nope"]), no);
        assert_eq!(call(&c, "or", &["nope", "linux"]), yes);
        assert_eq!(call(&c, "not", &["nope"]), yes);
        assert_eq!(call(&c, "not", &["!any"]), yes);
        assert_eq!(call(&c, "isvariable", &["x"]), yes);
        assert_eq!(call(&c, "isvariable", &["y"]), no);
        assert_eq!(call(&c, "classify", &["lin-ux"]), Ok(Value::scalar("!any")));
        assert_eq!(call(&c, "classify", &["linux"]), Ok(Value::scalar("any")));
        let mut c = context();
        c.variables.insert("arr[a]".into(), Value::scalar("xyz"));
        c.variables.insert("arr[b]".into(), Value::scalar("abc"));
        assert_eq!(
            call(&c, "regarray", &["arr", "ab."]),
            Ok(Value::scalar("any"))
        );
        assert_eq!(
            call(&c, "regarray", &["arr", "ab"]),
            Ok(Value::scalar("!any"))
        );
    }

    #[test]
    fn bundles_matching() {
        let c = context();
        assert_eq!(
            call(&c, "bundlesmatching", &[".*"]),
            Ok(Value::list(["default:helper", "default:main"]))
        );
        assert_eq!(
            call(&c, "bundlesmatching", &["default:m.*"]),
            Ok(Value::list(["default:main"]))
        );
        assert_eq!(
            call(&c, "bundlesmatching", &[".*", "tag"]),
            Ok(Value::List(vec![]))
        );
    }

    #[test]
    fn splay_slots() {
        assert_eq!(super::splay_slot("", "hourly"), "Min00_05");
        let mut c = context();
        let slot = super::splay_slot("host1", "daily");
        assert!(slot.starts_with("Min") && slot.contains(".Hr"));
        assert_eq!(
            call(&c, "splayclass", &["host1", "daily"]),
            Ok(Value::scalar("!any"))
        );
        c.classes.extend(slot.split('.').map(str::to_string));
        assert_eq!(
            call(&c, "splayclass", &["host1", "daily"]),
            Ok(Value::scalar("any"))
        );
    }

    #[test]
    fn variables_matching_full_names() {
        let c = context();
        assert_eq!(
            call(&c, "variablesmatching", &["default:main\\..*"]),
            Ok(Value::list(["default:main.x"]))
        );
        assert_eq!(
            call(&c, "variablesmatching_as_data", &["default:main\\.x"]),
            Ok(Value::Data(serde_json::json!({"default:main.x": "1"})))
        );
        assert_eq!(
            call(&c, "variablesmatching", &["x"]),
            Ok(Value::list(Vec::<String>::new()))
        );
    }

    #[test]
    fn ifelse_takes_the_first_true_branch() {
        let c = context();
        assert_eq!(
            call(&c, "ifelse", &["nope", "a", "linux", "b", "c"]),
            Ok(Value::scalar("b"))
        );
        assert_eq!(
            call(&c, "ifelse", &["nope", "a", "c"]),
            Ok(Value::scalar("c"))
        );
        assert!(call(&c, "ifelse", &["a", "b"]).is_err());
    }

    #[test]
    fn class_matching_is_cfengine_full_match() {
        let c = context();
        assert_eq!(
            call(&c, "classmatch", &["ab|abc"]),
            Ok(Value::scalar("!any"))
        );
        assert_eq!(
            call(&c, "classmatch", &["abc|ab"]),
            Ok(Value::scalar("any"))
        );
        assert_eq!(
            call(&c, "regcmp", &["ab|abc", "abc"]),
            Ok(Value::scalar("!any"))
        );
        assert_eq!(
            call(&c, "regcmp", &["a(bc|b)", "abc"]),
            Ok(Value::scalar("any"))
        );
        assert_eq!(
            call(&c, "countclassesmatching", &["a.*"]),
            Ok(Value::scalar("2"))
        );
        assert_eq!(
            call(&c, "classesmatching", &["l.*"]),
            Ok(Value::list(["linux"]))
        );
    }
}
