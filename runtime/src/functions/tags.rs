//! Meta tags: `getclassmetatags`, `getvariablemetatags`, and the tag
//! filters the `*matching` functions share.

use super::regex::full_match;
use super::{scalar_arg, Arity, Builtin, CallContext, Function, FunctionError, FunctionResult};
use crate::value::Value;

pub(super) const FUNCTIONS: &[&dyn Function] = &[
    &Builtin {
        name: "getclassmetatags",
        arity: Arity::Between(1, 2),
        body: getclassmetatags,
    },
    &Builtin {
        name: "getvariablemetatags",
        arity: Arity::Between(1, 2),
        body: getvariablemetatags,
    },
];

/// The tags, or with a key argument the values of its `key=value` tags.
fn selected(tags: Vec<String>, args: &[Value]) -> FunctionResult {
    if args.len() < 2 {
        return Ok(Value::List(tags));
    }
    let prefix = format!("{}=", scalar_arg(args, 1)?);
    Ok(Value::List(
        tags.iter()
            .filter_map(|tag| tag.strip_prefix(&prefix))
            .map(str::to_string)
            .collect(),
    ))
}

fn getclassmetatags(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let name = scalar_arg(args, 0)?;
    let tags = context
        .class_tags(name)
        .ok_or_else(|| FunctionError(format!("class '{name}' is not defined")))?;
    selected(tags, args)
}

/// Fails for an unknown variable and for one without a tag set, as
/// cf-agent does.
fn getvariablemetatags(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let name = scalar_arg(args, 0)?;
    let tags = context
        .variable_tags(name)
        .ok_or_else(|| FunctionError(format!("variable '{name}' has no tags")))?;
    selected(tags, args)
}

/// Whether any of `tags` fully matches any of the tag regexes (or equals
/// one, as cf-agent also accepts).
pub(super) fn any_tag_matches(tags: &[String], patterns: &[Value]) -> Result<bool, FunctionError> {
    for pattern in patterns {
        let Some(pattern) = pattern.as_scalar() else {
            continue;
        };
        for tag in tags {
            if tag == pattern || full_match(pattern, tag)? {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use crate::functions::test_context::*;

    #[test]
    fn tags_and_tag_values() {
        let mut c = FixedContext {
            classes: vec!["any".into(), "mine".into()],
            ..FixedContext::default()
        };
        c.tags.insert(
            "mine".into(),
            vec!["source=promise".into(), "k=1".into(), "k=2".into()],
        );
        c.tags
            .insert("main.v".into(), vec!["source=promise".into()]);
        assert_eq!(
            call(&c, "getclassmetatags", &["mine"]),
            list(&["source=promise", "k=1", "k=2"])
        );
        assert_eq!(
            call(&c, "getclassmetatags", &["mine", "k"]),
            list(&["1", "2"])
        );
        assert_eq!(call(&c, "getclassmetatags", &["any"]), list(&[]));
        assert!(call(&c, "getclassmetatags", &["nosuch"]).is_err());
        assert_eq!(
            call(&c, "getvariablemetatags", &["main.v", "source"]),
            list(&["promise"])
        );
        assert!(call(&c, "getvariablemetatags", &["main.nosuch"]).is_err());
    }
}
