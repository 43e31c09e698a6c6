//! Implicit iteration (SEMANTICS.md §2.9): every list (or data container
//! of primitives) referenced as `$(name)` in a promise's promiser,
//! promisee or constraints makes the promise run once per element; several
//! lists nest, the first met in the text outermost.

use grammar::ast::{self, Rval};
use grammar::interpolation::{self, Part};
use serde_json::Value as Json;

use super::expand::Binding;
use super::variables::json_scalar;
use super::Agent;
use crate::value::Value;

/// A list the promise iterates over: the name it was referenced by and
/// its elements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Iterable {
    pub name: String,
    pub elements: Vec<String>,
}

/// Functions that bind `$(this)` themselves; their arguments do not make
/// the promise iterate.
const SELF_ITERATING: &[&str] = &["maplist", "mapdata", "maparray"];

impl Agent<'_, '_> {
    pub(crate) fn iterables(&self, promise: &ast::Promise) -> Vec<Iterable> {
        let mut out = Vec::new();
        self.iterables_in_text(&promise.promiser.value(), &mut out);
        if let Some(promisee) = &promise.promisee {
            self.iterables_in_rval(promisee, &mut out);
        }
        for constraint in &promise.constraints {
            self.iterables_in_rval(&constraint.rval, &mut out);
        }
        out
    }

    fn iterables_in_rval(&self, rval: &Rval, out: &mut Vec<Iterable>) {
        match rval {
            Rval::String(s) => self.iterables_in_text(&s.value(), out),
            Rval::Variable(var) => self.iterables_in_text(&var.text, out),
            Rval::List(list) => list
                .items
                .iter()
                .for_each(|item| self.iterables_in_rval(item, out)),
            Rval::Call(call) if !SELF_ITERATING.contains(&call.function.text()) => call
                .args
                .iter()
                .for_each(|arg| self.iterables_in_rval(arg, out)),
            Rval::Call(_) | Rval::Symbol(_) => {}
        }
    }

    pub(crate) fn iterables_in_text(&self, text: &str, out: &mut Vec<Iterable>) {
        if !text.contains('$') {
            return;
        }
        let lexed = interpolation::lex(text);
        self.iterables_in_parts(text, &lexed.parts, out);
    }

    fn iterables_in_parts(&self, source: &str, parts: &[Part], out: &mut Vec<Iterable>) {
        for part in parts {
            let Part::Reference(reference) = part else {
                continue;
            };
            self.iterables_in_parts(source, &reference.inner, out);
            if reference.list {
                continue;
            }
            let Some(name) = self.reference_name(source, reference, &Binding::new()) else {
                continue;
            };
            if out.iter().any(|i| i.name == name) {
                continue;
            }
            let elements = match self.lookup(&name) {
                Some(Value::List(items)) => items,
                Some(Value::Data(Json::Array(items))) => {
                    items.iter().filter_map(json_scalar).collect()
                }
                Some(Value::Data(Json::Object(map))) => {
                    map.values().filter_map(json_scalar).collect()
                }
                _ => continue,
            };
            out.push(Iterable { name, elements });
        }
    }
}

/// Every combination of elements, the last iterable varying fastest. No
/// iterables: one empty binding; an empty iterable: none at all.
pub fn combinations(iterables: &[Iterable]) -> Vec<Binding> {
    let mut out = vec![Binding::new()];
    for iterable in iterables {
        let mut next = Vec::with_capacity(out.len() * iterable.elements.len());
        for binding in &out {
            for element in &iterable.elements {
                let mut combined = binding.clone();
                combined.insert(iterable.name.clone(), Value::scalar(element.clone()));
                next.push(combined);
            }
        }
        out = next;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iterable(name: &str, elements: &[&str]) -> Iterable {
        Iterable {
            name: name.into(),
            elements: elements.iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn last_list_varies_fastest() {
        let all = combinations(&[iterable("a", &["1", "2"]), iterable("b", &["x", "y"])]);
        let shown: Vec<String> = all
            .iter()
            .map(|b| {
                format!(
                    "{}{}",
                    b["a"].as_scalar().unwrap_or(""),
                    b["b"].as_scalar().unwrap_or("")
                )
            })
            .collect();
        assert_eq!(shown, vec!["1x", "1y", "2x", "2y"]);
    }

    #[test]
    fn empty_list_means_no_iteration_and_no_list_means_one() {
        assert!(combinations(&[iterable("a", &[])]).is_empty());
        assert_eq!(combinations(&[]).len(), 1);
    }
}
