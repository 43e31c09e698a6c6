//! Data container functions.

use super::{scalar_arg, Arity, Builtin, CallContext, Function, FunctionError, FunctionResult};
use crate::value::Value;

pub(super) const FUNCTIONS: &[&dyn Function] = &[&Builtin {
    name: "parsejson",
    arity: Arity::Exactly(1),
    body: parsejson,
}];

fn parsejson(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let text = scalar_arg(args, 0)?;
    serde_json::from_str(text)
        .map(Value::Data)
        .map_err(|e| FunctionError(format!("parsejson: bad JSON: {e}")))
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
}
