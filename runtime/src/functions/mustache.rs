//! `string_mustache(template, data)`: the template rendered with the data,
//! or with the whole run state (`datastate()`) when no data is given. The
//! renderer is `fileops::template::mustache`, shared with files promises.

use serde_json::Value as Json;

use super::{scalar_arg, CallContext, FunctionError, FunctionResult};
use crate::fileops::template::mustache;
use crate::value::Value;

pub(super) fn string_mustache(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let template = scalar_arg(args, 0)?;
    let data = if args.len() < 2 {
        run_state(context)?
    } else {
        super::data::json_arg(context, args, 1)?
    };
    mustache::render(template, &data)
        .map(Value::Scalar)
        .map_err(|e| FunctionError(format!("string_mustache: {e}")))
}

/// `datastate()`: what a template without data renders (also for files
/// promises without `template_data`).
pub(crate) fn run_state(context: &dyn CallContext) -> Result<Json, FunctionError> {
    Ok(match super::introspection::datastate(context, &[])? {
        Value::Data(json) => json,
        other => super::data::to_json(&other),
    })
}

#[cfg(test)]
mod tests {
    use crate::functions::test_context::*;
    use crate::value::Value;

    #[test]
    fn renders_with_data_from_a_variable_or_json() {
        let mut c = FixedContext::default();
        c.variables.insert(
            "d".into(),
            Value::Data(serde_json::json!({"a":{"x":"X"},"l":["p","q"]})),
        );
        assert_eq!(
            call(&c, "string_mustache", &["{{a.x}}:{{#l}}{{.}}{{/l}}", "d"]),
            scalar("X:pq")
        );
        assert_eq!(
            call(&c, "string_mustache", &["{{$-top-}}", r#"{"a":1}"#]),
            scalar(r#"{"a":1}"#)
        );
        assert!(call(&c, "string_mustache", &["{{#a}}", "d"]).is_err());
    }
}
