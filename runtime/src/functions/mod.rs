//! Built-in functions: one file per family, one table.
//!
//! A function receives its arguments already evaluated (a call whose
//! arguments still hold unresolved references is not made, see
//! [`Function::calls_with_unresolved`]) and a [`CallContext`] to read classes
//! and variables. Functions that return a class ("context" in the syntax
//! JSON) return the class expression `any` or `!any`.

mod classes;
mod data;
mod files;
mod lists;
mod strings;

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::value::Value;

/// What a function may ask of the running agent.
pub trait CallContext {
    /// Evaluates a class expression in the calling promise's namespace;
    /// `None` when it does not parse.
    fn class_expression(&self, expression: &str) -> Option<bool>;
    /// Every visible class name.
    fn class_names(&self) -> Vec<String>;
    /// A variable by name, as `$(name)` would find it.
    fn variable(&self, name: &str) -> Option<Value>;
    /// The keys of the array `name` (entries `name[key]`), sorted.
    fn array_keys(&self, name: &str) -> Vec<String>;
}

/// Why a call produced no value; the variable it feeds stays undefined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionError(pub String);

impl std::fmt::Display for FunctionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

pub type FunctionResult = Result<Value, FunctionError>;

/// How many arguments a function takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arity {
    Exactly(usize),
    Between(usize, usize),
    AtLeast(usize),
}

impl Arity {
    fn accepts(self, n: usize) -> bool {
        match self {
            Arity::Exactly(k) => n == k,
            Arity::Between(lo, hi) => (lo..=hi).contains(&n),
            Arity::AtLeast(lo) => n >= lo,
        }
    }
}

pub trait Function: Sync {
    fn name(&self) -> &'static str;
    fn arity(&self) -> Arity;
    fn call(&self, context: &dyn CallContext, args: &[Value]) -> FunctionResult;
    /// Whether the call is made even when arguments hold unresolved
    /// references (cf-agent's three-argument `ifelse`).
    fn calls_with_unresolved(&self, _args: usize) -> bool {
        false
    }
}

/// A function implemented by a plain Rust function.
pub struct Builtin {
    pub name: &'static str,
    pub arity: Arity,
    pub body: fn(&dyn CallContext, &[Value]) -> FunctionResult,
}

impl Function for Builtin {
    fn name(&self) -> &'static str {
        self.name
    }
    fn arity(&self) -> Arity {
        self.arity
    }
    fn call(&self, context: &dyn CallContext, args: &[Value]) -> FunctionResult {
        (self.body)(context, args)
    }
}

/// The table of every function the runtime implements.
pub struct FunctionTable {
    functions: HashMap<&'static str, &'static dyn Function>,
}

impl FunctionTable {
    fn build() -> FunctionTable {
        let mut table = FunctionTable {
            functions: HashMap::new(),
        };
        for family in [
            strings::FUNCTIONS,
            classes::FUNCTIONS,
            lists::FUNCTIONS,
            files::FUNCTIONS,
            data::FUNCTIONS,
        ] {
            for function in family {
                table.functions.insert(function.name(), *function);
            }
        }
        table
    }

    pub fn get(&self, name: &str) -> Option<&'static dyn Function> {
        self.functions.get(name).copied()
    }

    /// Checks the argument count, then calls.
    pub fn call(&self, name: &str, context: &dyn CallContext, args: &[Value]) -> FunctionResult {
        let function = self
            .get(name)
            .ok_or_else(|| FunctionError(format!("function '{name}' is not implemented yet")))?;
        if !function.arity().accepts(args.len()) {
            return Err(FunctionError(format!(
                "function '{name}' called with {} arguments",
                args.len()
            )));
        }
        function.call(context, args)
    }
}

/// The shared table.
pub fn table() -> &'static FunctionTable {
    static TABLE: OnceLock<FunctionTable> = OnceLock::new();
    TABLE.get_or_init(FunctionTable::build)
}

/// The result of a class-returning function.
pub(crate) fn class_result(defined: bool) -> Value {
    Value::scalar(if defined { "any" } else { "!any" })
}

/// A scalar argument's text.
pub(crate) fn scalar_arg(args: &[Value], at: usize) -> Result<&str, FunctionError> {
    args.get(at)
        .and_then(Value::as_scalar)
        .ok_or_else(|| FunctionError(format!("argument {} must be a string", at + 1)))
}

#[cfg(test)]
pub(crate) mod test_context {
    use super::*;

    /// A context with fixed classes and variables.
    #[derive(Default)]
    pub struct FixedContext {
        pub classes: Vec<String>,
        pub variables: HashMap<String, Value>,
    }

    impl CallContext for FixedContext {
        fn class_expression(&self, expression: &str) -> Option<bool> {
            let (expr, _) = grammar::class_expr::parse_as_cfengine(expression).ok()?;
            Some(expr.evaluate(&mut |n| self.classes.iter().any(|c| c == n)))
        }
        fn class_names(&self) -> Vec<String> {
            self.classes.clone()
        }
        fn variable(&self, name: &str) -> Option<Value> {
            self.variables.get(name).cloned()
        }
        fn array_keys(&self, name: &str) -> Vec<String> {
            let prefix = format!("{name}[");
            let mut keys: Vec<String> = self
                .variables
                .keys()
                .filter_map(|k| k.strip_prefix(&prefix)?.strip_suffix(']'))
                .map(str::to_string)
                .collect();
            keys.sort();
            keys
        }
    }

    pub fn call(context: &FixedContext, name: &str, args: &[&str]) -> FunctionResult {
        let args: Vec<Value> = args.iter().map(|a| Value::scalar(*a)).collect();
        table().call(name, context, &args)
    }
}

#[cfg(test)]
mod tests {
    use super::test_context::*;

    #[test]
    fn unknown_functions_and_wrong_arity_are_errors() {
        let context = FixedContext::default();
        assert!(call(&context, "nosuch", &[]).is_err());
        assert!(call(&context, "canonify", &["a", "b"]).is_err());
    }
}
