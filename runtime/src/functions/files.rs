//! File test functions.

use std::path::Path;

use super::{class_result, scalar_arg, Arity, Builtin, CallContext, Function, FunctionResult};
use crate::value::Value;

pub(super) const FUNCTIONS: &[&dyn Function] = &[
    &Builtin {
        name: "fileexists",
        arity: Arity::Exactly(1),
        body: fileexists,
    },
    &Builtin {
        name: "isdir",
        arity: Arity::Exactly(1),
        body: isdir,
    },
];

fn fileexists(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    Ok(class_result(Path::new(scalar_arg(args, 0)?).exists()))
}

fn isdir(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    Ok(class_result(Path::new(scalar_arg(args, 0)?).is_dir()))
}

#[cfg(test)]
mod tests {
    use crate::functions::test_context::{call, FixedContext};
    use crate::value::Value;

    #[test]
    fn file_tests() {
        let c = FixedContext::default();
        assert_eq!(call(&c, "fileexists", &["/"]), Ok(Value::scalar("any")));
        assert_eq!(call(&c, "isdir", &["/"]), Ok(Value::scalar("any")));
        assert_eq!(
            call(&c, "fileexists", &["/no/such/promise-rs"]),
            Ok(Value::scalar("!any"))
        );
    }
}
