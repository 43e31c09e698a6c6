//! Values of right-hand sides: strings, names, naked references, lists
//! (with `@(list)` spliced) and function calls (made only once their
//! arguments are resolved, SEMANTICS.md §6).

use grammar::ast::{Call, Rval};

use super::expand::{whole_list_reference, Binding};
use super::Agent;
use crate::functions::{self, CallContext};
use crate::value::Value;

/// A value and whether it still holds unresolved references.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluated {
    pub value: Value,
    pub complete: bool,
}

impl Evaluated {
    fn scalar(text: String, complete: bool) -> Self {
        Evaluated {
            value: Value::Scalar(text),
            complete,
        }
    }
}

impl Agent<'_, '_> {
    /// `None`: a function was not called (unresolved arguments) or failed.
    pub(crate) fn evaluate_rval(&self, rval: &Rval, binding: &Binding) -> Option<Evaluated> {
        match rval {
            Rval::String(s) => Some(self.evaluate_text(&s.value(), binding)),
            Rval::Symbol(ident) => Some(Evaluated::scalar(ident.name.to_string(), true)),
            Rval::Variable(var) => Some(self.evaluate_text(&var.text, binding)),
            Rval::List(list) => {
                let mut items = Vec::new();
                let mut complete = true;
                for item in &list.items {
                    let evaluated = self.evaluate_rval(item, binding)?;
                    complete &= evaluated.complete;
                    match evaluated.value {
                        Value::Scalar(text) => items.push(text),
                        Value::List(more) => items.extend(more),
                        Value::Data(json) => items
                            .push(crate::functions::json_text::with_sorted_keys(&json).to_string()),
                    }
                }
                Some(Evaluated {
                    value: Value::List(items),
                    complete,
                })
            }
            Rval::Call(call) => self.call_function(call, binding),
        }
    }

    /// A string value: a whole `@(list)` is the list itself.
    fn evaluate_text(&self, text: &str, binding: &Binding) -> Evaluated {
        if let Some(reference) = whole_list_reference(text) {
            let value = self
                .reference_name(text, &reference, binding)
                .and_then(|name| binding.get(&name).cloned().or_else(|| self.lookup(&name)));
            if let Some(value @ (Value::List(_) | Value::Data(_))) = value {
                return Evaluated {
                    value,
                    complete: true,
                };
            }
            return Evaluated::scalar(text.to_string(), false);
        }
        let expanded = self.expand(text, binding);
        Evaluated::scalar(expanded.text, expanded.complete)
    }

    fn call_function(&self, call: &Call, binding: &Binding) -> Option<Evaluated> {
        let name = call.function.text();
        let mut args = Vec::with_capacity(call.args.len());
        let mut complete = true;
        for arg in &call.args {
            let evaluated = self.evaluate_rval(arg, binding)?;
            complete &= evaluated.complete;
            args.push(evaluated.value);
        }
        let table = functions::table();
        let calls_anyway = table
            .get(name)
            .is_some_and(|f| f.calls_with_unresolved(args.len()));
        if !complete && !calls_anyway {
            return None;
        }
        match table.call(name, self, &args) {
            Ok(value) => Some(Evaluated {
                value,
                complete: true,
            }),
            Err(error) => {
                self.log.verbose(&format!("{name}(): {error}"));
                None
            }
        }
    }

    /// A condition (`if`, `unless`, `expression`): a class expression, or a
    /// function returning one. `None` when it cannot be evaluated.
    pub(crate) fn condition(&self, rval: &Rval, binding: &Binding) -> Option<bool> {
        let evaluated = self.evaluate_rval(rval, binding)?;
        if !evaluated.complete {
            return None;
        }
        match &evaluated.value {
            Value::Scalar(text) => self.classes.evaluate(self.namespace(), text),
            _ => None,
        }
    }
}

impl CallContext for Agent<'_, '_> {
    fn class_expression(&self, expression: &str) -> Option<bool> {
        self.classes.evaluate(self.namespace(), expression)
    }

    fn class_names(&self) -> Vec<String> {
        self.classes.visible()
    }

    fn variable(&self, name: &str) -> Option<Value> {
        self.lookup(name)
    }

    fn array_keys(&self, name: &str) -> Vec<String> {
        let var = super::variables::VarName::parse(name);
        match self.bundle_scope(&var) {
            Some(scope) => self.variables.array_keys(&scope, &var.key()),
            None => Vec::new(),
        }
    }

    fn note(&self, message: &str) {
        self.log.verbose(message);
    }

    fn define(&self, definition: functions::Definition) -> Result<(), functions::FunctionError> {
        self.call_definitions.borrow_mut().push(definition);
        Ok(())
    }

    fn class_tags(&self, name: &str) -> Option<Vec<String>> {
        self.class_tags_of(name)
    }

    fn variable_tags(&self, name: &str) -> Option<Vec<String>> {
        self.variable_tags_of(name)
    }

    fn call_cache(&self) -> Option<&std::cell::RefCell<std::collections::HashMap<String, Value>>> {
        Some(&self.function_cache)
    }

    fn caller_promisers(&self) -> Vec<String> {
        let callers = self.frames.len().saturating_sub(1);
        // cf-agent names each calling promise by its promiser as written.
        self.frames[..callers]
            .iter()
            .filter(|frame| frame.this.promiser.is_some())
            .map(|frame| frame.this.written_promiser.clone())
            .collect()
    }

    fn bundle_names(&self) -> Vec<String> {
        self.policy
            .bundles
            .iter()
            .map(|b| format!("{}:{}", b.namespace, b.ast.name.name))
            .collect()
    }

    fn variable_names(&self) -> Vec<String> {
        self.variables
            .names()
            .map(|(scope, key)| format!("{scope}.{key}"))
            .collect()
    }
}
