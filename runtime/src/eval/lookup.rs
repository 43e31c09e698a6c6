//! What a reference's name means where it is used: bundle parameters, the
//! bundle's own variables, another bundle's (`b.x`, `ns:b.x`), and the
//! special scopes `sys`, `const`, `this` and `def`.

use std::collections::BTreeMap;

use super::variables::{data_path, scope_key, VarName};
use super::Agent;
use crate::value::Value;

impl Agent<'_, '_> {
    /// The value `name` (already expanded) names here.
    pub(crate) fn lookup(&self, name: &str) -> Option<Value> {
        let var = VarName::parse(name);
        let frame = self.frame();
        let here_ns = self.namespace();
        match (&var.namespace, var.scope.as_deref()) {
            (None, None) => {
                let frame = frame?;
                super::variables::lookup_in(&frame.params, &var)
                    .or_else(|| self.variables.get(&frame.scope(), &var))
            }
            (None, Some("sys")) => special(&self.facts.sys, &var),
            (None, Some("const")) => special(&self.facts.constants, &var),
            (None, Some("this")) => self.this_variable(&var.base),
            (None, Some("def")) => self
                .variables
                .get(&scope_key("default", "def"), &var)
                .or_else(|| special(&self.facts.defaults, &var)),
            (namespace, Some(scope)) => {
                let namespace = namespace.as_deref().unwrap_or(here_ns);
                if let Some(frame) = frame.filter(|f| f.name == scope && f.namespace == namespace) {
                    if let Some(value) = super::variables::lookup_in(&frame.params, &var) {
                        return Some(value);
                    }
                }
                self.variables.get(&scope_key(namespace, scope), &var)
            }
            (Some(_), None) => None,
        }
    }

    /// The bundle scope a policy variable name lives in; `None` for the
    /// special scopes.
    pub(crate) fn bundle_scope(&self, var: &VarName) -> Option<String> {
        match (&var.namespace, var.scope.as_deref()) {
            (None, Some("sys" | "const" | "this" | "def")) => None,
            (None, None) => self.frame().map(|f| f.scope()),
            (namespace, Some(scope)) => Some(scope_key(
                namespace.as_deref().unwrap_or(self.namespace()),
                scope,
            )),
            (Some(_), None) => None,
        }
    }

    fn this_variable(&self, name: &str) -> Option<Value> {
        let frame = self.frame()?;
        let this = &frame.this;
        let text = match name {
            "bundle" => frame.name.clone(),
            "namespace" => frame.namespace.clone(),
            "promiser" => this.promiser.clone()?,
            "handle" => this.handle.clone()?,
            "service_policy" => this.service_policy.clone()?,
            "promise_filename" => this.filename.clone(),
            "promise_dirname" => this.dirname.clone(),
            "promise_linenumber" => this.line.to_string(),
            _ => return None,
        };
        Some(Value::Scalar(text))
    }
}

/// A special-scope variable: array entries are stored under their full
/// `name[index]` key, data containers are walked.
fn special(vars: &BTreeMap<String, Value>, var: &VarName) -> Option<Value> {
    if let Some(value) = vars.get(&var.key()) {
        return Some(value.clone());
    }
    match vars.get(&var.base)? {
        Value::Data(json) => data_path(json, &var.indices).map(|j| Value::Data(j.clone())),
        other if var.indices.is_empty() => Some(other.clone()),
        _ => None,
    }
}
