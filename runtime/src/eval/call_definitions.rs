//! What functions define from inside a call (`regextract`'s array,
//! `usemodule`'s variables and classes…) and the meta tags functions ask
//! for. Functions only see the agent through `&self` ([`CallContext`]), so
//! their definitions wait in [`Agent::call_definitions`] and are applied
//! after the promise iteration that made the call.

use super::context::qualify;
use super::tags::{function_tags, hard_class_tags, special_variable_tags};
use super::variables::VarName;
use super::Agent;
use crate::functions::Definition;
use crate::promises::module_protocol::{self, ModuleState};

impl Agent<'_, '_> {
    /// Applies, in call order, what functions defined since the last time.
    pub(crate) fn apply_call_definitions(&mut self) {
        let definitions = std::mem::take(self.call_definitions.get_mut());
        for definition in definitions {
            match definition {
                Definition::Variable {
                    function,
                    name,
                    value,
                } => {
                    let var = VarName::parse(&name);
                    let Some(scope) = self.bundle_scope(&var) else {
                        self.log.verbose(&format!(
                            "{function}(): cannot define '{name}' in a special scope"
                        ));
                        continue;
                    };
                    let key = var.key();
                    self.tags
                        .set_variable(&scope, &key, function_tags(function));
                    self.variables.set(&scope, key, value);
                }
                Definition::ModuleOutput {
                    command,
                    lines,
                    print,
                } => {
                    let mut state = ModuleState::new(&command);
                    for line in &lines {
                        module_protocol::apply(self, &mut state, line, print);
                        if self.fatal.is_some() {
                            return;
                        }
                    }
                }
            }
        }
    }

    /// Tags of a class seen from the running bundle's namespace.
    pub(crate) fn class_tags_of(&self, name: &str) -> Option<Vec<String>> {
        let (namespace, bare) = name.split_once(':').unwrap_or((self.namespace(), name));
        if self.classes.is_hard(bare) {
            return Some(hard_class_tags(&self.facts, bare));
        }
        if !self.classes.is_defined(namespace, bare) {
            return None;
        }
        Some(
            self.tags
                .class(&qualify(namespace, bare))
                .map(<[String]>::to_vec)
                .unwrap_or_default(),
        )
    }

    /// Tags of a variable, found as `$(name)` would find it.
    pub(crate) fn variable_tags_of(&self, name: &str) -> Option<Vec<String>> {
        self.lookup(name)?;
        let var = VarName::parse(name);
        let special = match (var.namespace.as_deref(), var.scope.as_deref()) {
            (None | Some("default"), Some(scope @ ("sys" | "const" | "def" | "this"))) => {
                Some(scope)
            }
            _ => None,
        };
        let key = var.key();
        match special {
            Some("this") => None,
            Some("def") => Some(
                self.tags
                    .variable("default:def", &key)
                    .map(<[String]>::to_vec)
                    .unwrap_or_else(|| special_variable_tags("def", &key)),
            ),
            Some(scope) => Some(special_variable_tags(scope, &key)),
            None => {
                let scope = self.bundle_scope(&var)?;
                if let Some(tags) = self.tags.variable(&scope, &key) {
                    return Some(tags.to_vec());
                }
                // Bundle parameters are defined by the calling promise.
                let is_parameter = self.frame().is_some_and(|frame| {
                    frame.scope() == scope && frame.params.contains_key(&var.base)
                });
                is_parameter.then(|| vec!["source=promise".to_string()])
            }
        }
    }
}
