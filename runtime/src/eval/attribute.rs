//! The attributes of a promise, evaluated for one iteration: what each
//! promise type reads of its constraints.

use compiler::ir::Promise;

use super::action::is_true;
use super::body::BodyAttributes;
use super::expand::Binding;
use super::Agent;
use crate::value::Value;

impl Agent<'_, '_> {
    /// The value of attribute `name`; `None` when the promise does not set
    /// it, or a function in it was not called.
    pub(crate) fn attribute(
        &self,
        promise: &Promise,
        name: &str,
        binding: &Binding,
    ) -> Option<Value> {
        let constraint = promise.constraint(name)?;
        self.evaluate_rval(&constraint.ast.rval, binding)
            .map(|evaluated| evaluated.value)
    }

    /// Attribute `name` as a string, when it is one.
    pub(crate) fn scalar_attribute(
        &self,
        promise: &Promise,
        name: &str,
        binding: &Binding,
    ) -> Option<String> {
        match self.attribute(promise, name, binding)? {
            Value::Scalar(text) => Some(text),
            _ => None,
        }
    }

    /// A boolean attribute (`true`, `yes`, `on`); absent is false.
    pub(crate) fn flag_attribute(&self, promise: &Promise, name: &str, binding: &Binding) -> bool {
        is_true(self.scalar_attribute(promise, name, binding).as_deref())
    }

    /// The body attribute `name` names, with its arguments bound.
    pub(crate) fn body_attribute(
        &self,
        promise: &Promise,
        name: &str,
        binding: &Binding,
    ) -> Option<BodyAttributes> {
        self.constraint_body(promise.constraint(name)?, binding)
    }
}
