//! Built-in functions: one file per family, one table.
//!
//! A function receives its arguments already evaluated (a call whose
//! arguments still hold unresolved references is not made, see
//! [`Function::calls_with_unresolved`]) and a [`CallContext`] to read classes
//! and variables. Functions that return a class ("context" in the syntax
//! JSON) return the class expression `any` or `!any`.

mod classes;
mod csv;
mod data;
mod enterprise;
mod files;
mod format;
mod glob;
mod infix;
mod introspection;
mod io;
pub(crate) mod json_text;
mod lists;
mod map;
mod math;
mod modules;
pub(crate) mod mustache;
mod net;
pub(crate) mod regex;
mod search;
pub mod status;
mod strings;
mod system;
mod tags;
mod time;
mod yaml;

/// cf-agent's `StringHash`, also used by `select_class`.
pub(crate) use strings::string_hash;

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
    /// Something the operator may want to know (verbose log).
    fn note(&self, _message: &str) {}
    /// Every defined policy variable, qualified as `ns:bundle.name`.
    fn variable_names(&self) -> Vec<String> {
        Vec::new()
    }
    /// The promisers of the promises that called the running bundle,
    /// outermost first (the `methods` promises on the stack).
    fn caller_promisers(&self) -> Vec<String> {
        Vec::new()
    }
    /// Every bundle of the policy, qualified as `ns:name`.
    fn bundle_names(&self) -> Vec<String> {
        Vec::new()
    }
    /// Makes a definition from inside a call; the agent applies it once
    /// the calling promise iteration is done, as cf-agent's functions put
    /// variables and classes straight into its context.
    fn define(&self, definition: Definition) -> Result<(), FunctionError> {
        Err(FunctionError(format!(
            "cannot define {}: this context takes no definitions from functions",
            definition.describe()
        )))
    }
    /// The meta tags of class `name` (`ns:name` or bare); `None` when the
    /// class is not defined.
    fn class_tags(&self, _name: &str) -> Option<Vec<String>> {
        None
    }
    /// The meta tags of variable `name`, as `$(name)` would find it; `None`
    /// when it is not defined or was defined without a tag set (module
    /// lines before any `^meta`).
    fn variable_tags(&self, _name: &str) -> Option<Vec<String>> {
        None
    }
    /// Results of cached functions ([`CACHED`]) made earlier in this run,
    /// by function and arguments; `None` where nothing is cached.
    fn call_cache(&self) -> Option<&std::cell::RefCell<HashMap<String, Value>>> {
        None
    }
}

/// Functions cf-agent calls once per run for the same arguments (its
/// function cache): later calls answer the first call's result. Unlike
/// cf-agent, whose cache key is the arguments alone (so `returnszero(c, s)`
/// can answer the result of an earlier `execresult_as_data(c, s)`), the key
/// here includes the function's name.
pub const CACHED: &[&str] = &[
    "execresult",
    "execresult_as_data",
    "findprocesses",
    "host2ip",
    "ip2host",
    "ldaplist",
    "ldapvalue",
    "processexists",
    "readtcp",
    "regldap",
    "returnszero",
];

/// Something a function defines from inside its call.
#[derive(Debug, Clone, PartialEq)]
pub enum Definition {
    /// A variable or array entry (`arr[0]`), in the calling bundle unless
    /// the name is qualified (`b.arr[0]`), tagged `function=<function>`.
    Variable {
        function: &'static str,
        name: String,
        value: Value,
    },
    /// Output of a module (`usemodule`, `read_module_protocol`), applied
    /// line by line with the module protocol; `command` gives the default
    /// context (its canonified basename); `print` logs unknown lines.
    ModuleOutput {
        command: String,
        lines: Vec<String>,
        print: bool,
    },
}

impl Definition {
    fn describe(&self) -> String {
        match self {
            Definition::Variable { name, .. } => format!("'{name}'"),
            Definition::ModuleOutput { command, .. } => format!("the output of module '{command}'"),
        }
    }
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
    pub fn accepts(self, n: usize) -> bool {
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
            enterprise::FUNCTIONS,
            introspection::FUNCTIONS,
            io::FUNCTIONS,
            map::FUNCTIONS,
            math::FUNCTIONS,
            net::FUNCTIONS,
            search::FUNCTIONS,
            system::FUNCTIONS,
            tags::FUNCTIONS,
            modules::FUNCTIONS,
            time::FUNCTIONS,
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
        let Some(cache) = context.call_cache().filter(|_| CACHED.contains(&name)) else {
            return function.call(context, args);
        };
        let key = format!("{name}{args:?}");
        if let Some(value) = cache.borrow().get(&key) {
            return Ok(value.clone());
        }
        let value = function.call(context, args)?;
        cache.borrow_mut().insert(key, value.clone());
        Ok(value)
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

/// Defines an array entry for a function that fills an array. Where the
/// agent cannot take the definition the entry stays undefined but the call
/// still returns its class or count, so `if => regextract(…)` keeps
/// working; the log says why.
pub(crate) fn define(context: &dyn CallContext, function: &'static str, name: &str, value: String) {
    let definition = Definition::Variable {
        function,
        name: name.to_string(),
        value: Value::Scalar(value),
    };
    if let Err(error) = context.define(definition) {
        context.note(&error.0);
    }
}

/// An integer argument as cf-agent reads one: an optional `k`/`K`/`m`/`M`/
/// `g`/`G` multiplier (1000 or 1024 based), `inf` for its infinity.
pub(crate) fn int_arg(args: &[Value], at: usize) -> Result<i64, FunctionError> {
    let text = scalar_arg(args, at)?;
    parse_int(text).ok_or_else(|| {
        FunctionError(format!(
            "argument {} must be an integer, not '{text}'",
            at + 1
        ))
    })
}

/// cf-agent's `IntFromString`.
pub(crate) fn parse_int(text: &str) -> Option<i64> {
    const CF_INFINITY: i64 = 999_999_999;
    let text = text.trim();
    if text == "inf" {
        return Some(CF_INFINITY);
    }
    let (digits, factor) = match text.char_indices().last()? {
        (at, 'k') => (&text[..at], 1000),
        (at, 'K') => (&text[..at], 1024),
        (at, 'm') => (&text[..at], 1_000_000),
        (at, 'M') => (&text[..at], 1024 * 1024),
        (at, 'g') => (&text[..at], 1_000_000_000),
        (at, 'G') => (&text[..at], 1024 * 1024 * 1024),
        _ => (text, 1),
    };
    digits.parse::<i64>().ok()?.checked_mul(factor)
}

/// A real as cf-agent prints one (`%f`).
pub(crate) fn real_text(value: f64) -> String {
    format!("{value:.6}")
}

/// Whether `at` holds `true`/`yes`/`on` (cf-agent's boolean arguments).
pub(crate) fn bool_arg(args: &[Value], at: usize) -> Result<bool, FunctionError> {
    match scalar_arg(args, at)? {
        "true" | "yes" | "on" => Ok(true),
        "false" | "no" | "off" => Ok(false),
        other => Err(FunctionError(format!(
            "argument {} must be true or false, not '{other}'",
            at + 1
        ))),
    }
}

#[cfg(test)]
pub(crate) mod test_context {
    use super::*;

    /// A context with fixed classes and variables.
    #[derive(Default)]
    pub struct FixedContext {
        pub classes: Vec<String>,
        pub variables: HashMap<String, Value>,
        pub defined: std::cell::RefCell<Vec<Definition>>,
        /// Tags by class or variable name, for the tag functions.
        pub tags: HashMap<String, Vec<String>>,
    }

    impl FixedContext {
        /// What functions defined, by name.
        pub fn defined(&self, name: &str) -> Option<Value> {
            let defined = self.defined.borrow();
            defined.iter().rev().find_map(|d| match d {
                Definition::Variable { name: n, value, .. } if n == name => Some(value.clone()),
                _ => None,
            })
        }
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
            let name = name.strip_prefix("default:main.").unwrap_or(name);
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
        fn variable_names(&self) -> Vec<String> {
            self.variables
                .keys()
                .map(|k| format!("default:main.{k}"))
                .collect()
        }
        fn caller_promisers(&self) -> Vec<String> {
            vec!["call one".into()]
        }
        fn bundle_names(&self) -> Vec<String> {
            vec!["default:main".into(), "default:helper".into()]
        }
        fn define(&self, definition: Definition) -> Result<(), FunctionError> {
            self.defined.borrow_mut().push(definition);
            Ok(())
        }
        fn class_tags(&self, name: &str) -> Option<Vec<String>> {
            self.classes
                .iter()
                .any(|c| c == name)
                .then(|| self.tags.get(name).cloned().unwrap_or_default())
        }
        fn variable_tags(&self, name: &str) -> Option<Vec<String>> {
            self.tags.get(name).cloned()
        }
    }

    pub fn call(context: &FixedContext, name: &str, args: &[&str]) -> FunctionResult {
        let args: Vec<Value> = args.iter().map(|a| Value::scalar(*a)).collect();
        table().call(name, context, &args)
    }

    pub fn scalar(text: &str) -> FunctionResult {
        Ok(Value::scalar(text))
    }

    pub fn yes() -> FunctionResult {
        Ok(Value::scalar("any"))
    }

    pub fn no() -> FunctionResult {
        Ok(Value::scalar("!any"))
    }

    pub fn list(items: &[&str]) -> FunctionResult {
        Ok(Value::list(items.iter().copied()))
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
