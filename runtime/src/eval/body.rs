//! Body attributes as a promise sees them: arguments bound to parameters,
//! `inherit_from` applied, body class guards evaluated.

use compiler::ir::{BodyId, Constraint, Target};
use grammar::ast::{Guard, Rval};

use super::expand::Binding;
use super::Agent;
use crate::value::Value;

/// Attributes of one body, later ones overriding earlier ones.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BodyAttributes {
    pub attributes: Vec<(String, Value)>,
}

impl BodyAttributes {
    /// A body of scalar attributes, as tests write them.
    #[cfg(test)]
    pub fn of_scalars(pairs: &[(&str, &str)]) -> BodyAttributes {
        BodyAttributes {
            attributes: pairs
                .iter()
                .map(|(name, value)| (name.to_string(), Value::scalar(*value)))
                .collect(),
        }
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.attributes
            .iter()
            .rev()
            .find(|(lval, _)| lval == name)
            .map(|(_, value)| value)
    }

    /// A list attribute; a scalar counts as a one-element list.
    pub fn list(&self, name: &str) -> Vec<String> {
        match self.get(name) {
            Some(Value::List(items)) => items.clone(),
            Some(Value::Scalar(text)) => vec![text.clone()],
            _ => Vec::new(),
        }
    }

    pub fn scalar(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(Value::as_scalar)
    }
}

/// Bodies inheriting deeper than this are cut off (a cycle, most likely).
const MAX_INHERITANCE: usize = 16;

impl<'p> Agent<'p, '_> {
    /// The body a promise constraint names, evaluated for this iteration.
    pub(crate) fn constraint_body(
        &self,
        constraint: &Constraint,
        binding: &Binding,
    ) -> Option<BodyAttributes> {
        let Some(Target::Body(id)) = constraint.target else {
            return None;
        };
        let args = self.body_args(&constraint.ast.rval, binding)?;
        let mut out = BodyAttributes::default();
        self.collect_body(id, &args, &mut out, 0);
        Some(out)
    }

    /// The attributes of body `id` called with `args`.
    pub(crate) fn body_attributes(&self, id: BodyId, args: &[Value]) -> BodyAttributes {
        let mut out = BodyAttributes::default();
        self.collect_body(id, args, &mut out, 0);
        out
    }

    /// The written right-hand side of attribute `lval` of the body a
    /// constraint names (`inherit_from` and body class guards applied),
    /// with the body's parameters bound: for attributes that are not plain
    /// values, such as `service_bundle => b("$(this.promiser)")`.
    pub(crate) fn body_attribute_rval(
        &self,
        constraint: &Constraint,
        binding: &Binding,
        lval: &str,
    ) -> Option<(&'p Rval, Binding)> {
        let Some(Target::Body(id)) = constraint.target else {
            return None;
        };
        let args = self.body_args(&constraint.ast.rval, binding)?;
        self.find_body_attribute(id, &args, lval, 0)
    }

    fn find_body_attribute(
        &self,
        id: BodyId,
        args: &[Value],
        lval: &str,
        depth: usize,
    ) -> Option<(&'p Rval, Binding)> {
        let body = self.policy.body(id);
        let params = body_params(body, args);
        let own = body.constraints.iter().rev().find(|(guard, constraint)| {
            constraint.ast.lval.name == lval && self.body_guard(guard, &params)
        });
        if let Some((_, constraint)) = own {
            return Some((&constraint.ast.rval, params));
        }
        let parent = body.inherit_from.filter(|_| depth < MAX_INHERITANCE)?;
        let parent_args = self.parent_args(body, &params);
        self.find_body_attribute(parent, &parent_args, lval, depth + 1)
    }

    /// The arguments `inherit_from` passes to the parent body.
    fn parent_args(&self, body: &compiler::ir::Body, params: &Binding) -> Vec<Value> {
        body.constraints
            .iter()
            .find(|(_, c)| c.ast.lval.name == "inherit_from")
            .and_then(|(_, c)| self.body_args(&c.ast.rval, params))
            .unwrap_or_default()
    }

    fn body_args(&self, rval: &Rval, binding: &Binding) -> Option<Vec<Value>> {
        match rval {
            Rval::Call(call) => call
                .args
                .iter()
                .map(|arg| self.evaluate_rval(arg, binding).map(|e| e.value))
                .collect(),
            _ => Some(Vec::new()),
        }
    }

    fn collect_body(&self, id: BodyId, args: &[Value], out: &mut BodyAttributes, depth: usize) {
        let body = self.policy.body(id);
        let params = body_params(body, args);
        if let (Some(parent), true) = (body.inherit_from, depth < MAX_INHERITANCE) {
            let parent_args = self.parent_args(body, &params);
            self.collect_body(parent, &parent_args, out, depth + 1);
        }
        for (guard, constraint) in &body.constraints {
            if constraint.ast.lval.name == "inherit_from" || !self.body_guard(guard, &params) {
                continue;
            }
            if let Some(evaluated) = self.evaluate_rval(&constraint.ast.rval, &params) {
                out.attributes
                    .push((constraint.ast.lval.name.to_string(), evaluated.value));
            }
        }
    }

    fn body_guard(&self, guard: &Option<&Guard>, params: &Binding) -> bool {
        match guard {
            None => true,
            Some(Guard::Class { expr, .. }) => {
                expr.evaluate(&mut |name| self.classes.is_defined(self.namespace(), name))
            }
            Some(Guard::Variable { string, .. }) => {
                let expanded = self.expand(&string.value(), params);
                expanded.complete
                    && self.classes.evaluate(self.namespace(), &expanded.text) == Some(true)
            }
        }
    }
}

/// A body's parameters bound to the arguments it was called with.
fn body_params(body: &compiler::ir::Body, args: &[Value]) -> Binding {
    body.ast
        .params
        .iter()
        .zip(args)
        .map(|(param, value)| (param.name.to_string(), value.clone()))
        .collect()
}
