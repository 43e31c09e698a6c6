//! String functions.

use super::{class_result, scalar_arg, Arity, Builtin, CallContext, Function, FunctionResult};
use crate::value::Value;

pub(super) const FUNCTIONS: &[&dyn Function] = &[
    &Builtin {
        name: "canonify",
        arity: Arity::Exactly(1),
        body: canonify,
    },
    &Builtin {
        name: "concat",
        arity: Arity::AtLeast(0),
        body: concat,
    },
    &Builtin {
        name: "strcmp",
        arity: Arity::Exactly(2),
        body: strcmp,
    },
    &Builtin {
        name: "string_replace",
        arity: Arity::Exactly(3),
        body: string_replace,
    },
    &Builtin {
        name: "string_length",
        arity: Arity::Exactly(1),
        body: string_length,
    },
];

fn canonify(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    Ok(Value::scalar(compiler::classes::canonify(scalar_arg(
        args, 0,
    )?)))
}

fn concat(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let mut out = String::new();
    for at in 0..args.len() {
        out.push_str(scalar_arg(args, at)?);
    }
    Ok(Value::Scalar(out))
}

fn strcmp(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    Ok(class_result(scalar_arg(args, 0)? == scalar_arg(args, 1)?))
}

fn string_replace(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let (text, from, to) = (
        scalar_arg(args, 0)?,
        scalar_arg(args, 1)?,
        scalar_arg(args, 2)?,
    );
    if from.is_empty() {
        return Ok(Value::scalar(text));
    }
    Ok(Value::Scalar(text.replace(from, to)))
}

/// Bytes, not characters, as cf-agent counts.
fn string_length(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    Ok(Value::Scalar(scalar_arg(args, 0)?.len().to_string()))
}

#[cfg(test)]
mod tests {
    use crate::functions::test_context::{call, FixedContext};
    use crate::value::Value;

    #[test]
    fn string_functions() {
        let c = FixedContext::default();
        assert_eq!(call(&c, "canonify", &["a-b.c"]), Ok(Value::scalar("a_b_c")));
        assert_eq!(
            call(&c, "concat", &["a", "b", "c"]),
            Ok(Value::scalar("abc"))
        );
        assert_eq!(call(&c, "strcmp", &["a", "a"]), Ok(Value::scalar("any")));
        assert_eq!(call(&c, "strcmp", &["a", "b"]), Ok(Value::scalar("!any")));
        assert_eq!(
            call(&c, "string_replace", &["/s/x/s", "/s", "<S>"]),
            Ok(Value::scalar("<S>/x<S>"))
        );
        assert_eq!(
            call(&c, "string_length", &["héllo"]),
            Ok(Value::scalar("6"))
        );
    }
}
