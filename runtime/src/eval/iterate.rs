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

/// What a scan of a promise for iterables found.
#[derive(Debug, Default)]
struct Scan {
    iterables: Vec<Iterable>,
    /// Some reference's name could not be made yet (it holds a variable
    /// that may be one of the iterables).
    pending: bool,
}

impl Agent<'_, '_> {
    /// The bindings a promise is evaluated with, one per iteration, in
    /// order: none when it iterates over an empty list.
    pub(crate) fn iterations(&self, promise: &ast::Promise) -> Vec<Binding> {
        let scan = self.scan(promise, &Binding::new());
        if !scan.pending {
            return combinations(&scan.iterables);
        }
        let mut out = Vec::new();
        self.bind_in_order(promise, Binding::new(), &mut out);
        out
    }

    /// Binds the first iterable not bound yet, element by element, and
    /// looks again with each binding (it may reveal nested references).
    fn bind_in_order(&self, promise: &ast::Promise, binding: Binding, out: &mut Vec<Binding>) {
        let scan = self.scan(promise, &binding);
        let Some(next) = scan
            .iterables
            .into_iter()
            .find(|iterable| !binding.contains_key(&iterable.name))
        else {
            out.push(binding);
            return;
        };
        for element in next.elements {
            let mut deeper = binding.clone();
            deeper.insert(next.name.clone(), Value::scalar(element));
            self.bind_in_order(promise, deeper, out);
        }
    }

    fn scan(&self, promise: &ast::Promise, binding: &Binding) -> Scan {
        let mut out = Scan::default();
        self.scan_text(&promise.promiser.value(), binding, &mut out);
        if let Some(promisee) = &promise.promisee {
            self.scan_rval(promisee, binding, &mut out);
        }
        for constraint in &promise.constraints {
            self.scan_rval(&constraint.rval, binding, &mut out);
        }
        out
    }

    fn scan_rval(&self, rval: &Rval, binding: &Binding, out: &mut Scan) {
        match rval {
            Rval::String(s) => self.scan_text(&s.value(), binding, out),
            Rval::Variable(var) => self.scan_text(&var.text, binding, out),
            Rval::List(list) => list
                .items
                .iter()
                .for_each(|item| self.scan_rval(item, binding, out)),
            Rval::Call(call) if !SELF_ITERATING.contains(&call.function.text()) => call
                .args
                .iter()
                .for_each(|arg| self.scan_rval(arg, binding, out)),
            Rval::Call(_) | Rval::Symbol(_) => {}
        }
    }

    /// The lists a text (a template line) iterates over, appended to `out`.
    pub(crate) fn iterables_in_text(&self, text: &str, out: &mut Vec<Iterable>) {
        let mut scan = Scan {
            iterables: std::mem::take(out),
            pending: false,
        };
        self.scan_text(text, &Binding::new(), &mut scan);
        *out = scan.iterables;
    }

    fn scan_text(&self, text: &str, binding: &Binding, out: &mut Scan) {
        if !text.contains('$') {
            return;
        }
        let lexed = interpolation::lex(text);
        self.scan_parts(text, &lexed.parts, binding, out);
    }

    fn scan_parts(&self, source: &str, parts: &[Part], binding: &Binding, out: &mut Scan) {
        for part in parts {
            let Part::Reference(reference) = part else {
                continue;
            };
            self.scan_parts(source, &reference.inner, binding, out);
            if reference.list {
                continue;
            }
            let Some(name) = self.reference_name(source, reference, binding) else {
                out.pending |= !reference.inner.is_empty();
                continue;
            };
            if out.iterables.iter().any(|i| i.name == name) {
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
            out.iterables.push(Iterable { name, elements });
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
