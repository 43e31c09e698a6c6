//! The class context: hard classes, global (namespace) soft classes, and
//! the local classes of each running bundle.

use std::collections::{BTreeSet, HashSet};

use grammar::class_expr;

/// `name` in the default namespace, `ns:name` elsewhere.
pub fn qualify(namespace: &str, name: &str) -> String {
    if namespace == "default" {
        name.to_string()
    } else {
        format!("{namespace}:{name}")
    }
}

#[derive(Debug, Default)]
pub struct ClassContext {
    hard: BTreeSet<String>,
    /// Soft classes visible in every bundle, qualified by [`qualify`].
    global: BTreeSet<String>,
    /// One set per running bundle, innermost last.
    local: Vec<HashSet<String>>,
}

/// Where a soft class lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClassScope {
    Namespace,
    Bundle,
}

impl ClassContext {
    pub fn new(hard: BTreeSet<String>) -> Self {
        ClassContext {
            hard,
            ..ClassContext::default()
        }
    }

    pub fn is_hard(&self, name: &str) -> bool {
        self.hard.contains(name)
    }

    /// A new bundle's local classes: empty, or with `inherit` a copy of
    /// the caller's (methods `inherit => "true"`).
    pub fn push_bundle(&mut self, inherit: bool) {
        let local = match (inherit, self.local.last()) {
            (true, Some(caller)) => caller.clone(),
            _ => HashSet::new(),
        };
        self.local.push(local);
    }

    pub fn pop_bundle(&mut self) {
        self.local.pop();
    }

    /// Defines a soft class; hard class names are ignored, as cf-agent does.
    pub fn define(&mut self, namespace: &str, name: &str, scope: ClassScope) {
        if name.is_empty() || self.is_hard(name) {
            return;
        }
        let qualified = qualify(namespace, name);
        match (scope, self.local.last_mut()) {
            (ClassScope::Bundle, Some(local)) => {
                local.insert(qualified);
            }
            _ => {
                self.global.insert(qualified);
            }
        }
    }

    /// Undefines a soft class wherever it is visible.
    pub fn undefine(&mut self, namespace: &str, name: &str) {
        let qualified = qualify(namespace, name);
        self.global.remove(&qualified);
        if let Some(local) = self.local.last_mut() {
            local.remove(&qualified);
        }
    }

    /// Whether class `name` (`name` or `ns:name`) is defined, seen from
    /// `namespace`. Hard classes are found whatever the namespace.
    pub fn is_defined(&self, namespace: &str, name: &str) -> bool {
        let (ns, bare) = match name.split_once(':') {
            Some((ns, bare)) => (ns, bare),
            None => (namespace, name),
        };
        if self.hard.contains(bare) {
            return true;
        }
        let qualified = qualify(ns, bare);
        self.global.contains(&qualified)
            || self
                .local
                .last()
                .is_some_and(|local| local.contains(&qualified))
    }

    /// Evaluates a class expression; `None` when it does not parse.
    pub fn evaluate(&self, namespace: &str, expression: &str) -> Option<bool> {
        let (expr, _) = class_expr::parse_as_cfengine(expression).ok()?;
        Some(expr.evaluate(&mut |name| self.is_defined(namespace, name)))
    }

    /// Every visible class, qualified, hard ones first.
    pub fn visible(&self) -> Vec<String> {
        let mut out: Vec<String> = self.hard.iter().cloned().collect();
        out.extend(self.global.iter().cloned());
        if let Some(local) = self.local.last() {
            out.extend(local.iter().cloned());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> ClassContext {
        ClassContext::new(["linux".to_string(), "any".to_string()].into())
    }

    #[test]
    fn hard_classes_are_found_from_any_namespace() {
        let classes = context();
        assert!(classes.is_defined("ns2", "linux"));
        assert!(classes.is_defined("default", "default:linux"));
    }

    #[test]
    fn soft_classes_are_namespaced() {
        let mut classes = context();
        classes.define("b", "m2", ClassScope::Namespace);
        assert!(classes.is_defined("b", "m2"));
        assert!(!classes.is_defined("default", "m2"));
        assert!(classes.is_defined("default", "b:m2"));
    }

    #[test]
    fn local_classes_vanish_with_their_bundle() {
        let mut classes = context();
        classes.push_bundle(false);
        classes.define("default", "here", ClassScope::Bundle);
        assert_eq!(classes.evaluate("default", "here.linux"), Some(true));
        classes.push_bundle(false);
        assert!(!classes.is_defined("default", "here"));
        classes.pop_bundle();
        classes.push_bundle(true);
        assert!(classes.is_defined("default", "here"));
        classes.pop_bundle();
        classes.pop_bundle();
        assert!(!classes.is_defined("default", "here"));
    }

    #[test]
    fn hard_classes_cannot_be_redefined_or_undefined() {
        let mut classes = context();
        classes.define("default", "linux", ClassScope::Namespace);
        classes.undefine("default", "linux");
        assert!(classes.is_defined("default", "linux"));
        assert_eq!(classes.evaluate("default", "!any"), Some(false));
        assert_eq!(classes.evaluate("default", "a b"), None);
    }
}
