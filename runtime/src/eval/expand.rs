//! String expansion: `$(x)`, `${x}`, `$(b.x)`, `$(a[$(k)])`; what cannot be
//! resolved stays as written (SEMANTICS.md §2.10).

use std::collections::HashMap;

use grammar::interpolation::{self, Part, Reference};

use super::variables::json_scalar;
use super::Agent;
use crate::value::Value;

/// Values bound for one promise iteration (list elements by list name) or
/// for one body (parameters); looked up before any variable.
pub type Binding = HashMap<String, Value>;

/// An expanded string and whether every reference in it was resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expanded {
    pub text: String,
    pub complete: bool,
}

impl Agent<'_, '_> {
    pub(crate) fn expand(&self, text: &str, binding: &Binding) -> Expanded {
        if !text.contains(['$', '@']) {
            return Expanded {
                text: text.to_string(),
                complete: true,
            };
        }
        let lexed = interpolation::lex(text);
        let mut out = String::with_capacity(text.len());
        let complete = self.expand_parts(text, &lexed.parts, binding, &mut out);
        Expanded {
            text: out,
            complete,
        }
    }

    /// Appends the expansion of `parts` (lexed from `source`) to `out`.
    fn expand_parts(
        &self,
        source: &str,
        parts: &[Part],
        binding: &Binding,
        out: &mut String,
    ) -> bool {
        let mut complete = true;
        for part in parts {
            match part {
                Part::Literal { text, .. } => out.push_str(text),
                Part::Reference(reference) => {
                    complete &= self.expand_reference(source, reference, binding, out)
                }
            }
        }
        complete
    }

    fn expand_reference(
        &self,
        source: &str,
        reference: &Reference,
        binding: &Binding,
        out: &mut String,
    ) -> bool {
        let mut name = String::new();
        let inner_complete = self.expand_parts(source, &reference.inner, binding, &mut name);
        if inner_complete && !reference.list {
            if let Some(text) = self.scalar_of(&name, binding) {
                out.push_str(&text);
                return true;
            }
        }
        // Left as written, with whatever inside it did expand.
        let (open, close) = brackets(source, reference);
        out.push(if reference.list { '@' } else { '$' });
        out.push(open);
        out.push_str(&name);
        out.push(close);
        reference.list && inner_complete
    }

    /// The text `$(name)` stands for: a scalar or a primitive in a data
    /// container; lists and containers have none.
    pub(crate) fn scalar_of(&self, name: &str, binding: &Binding) -> Option<String> {
        let value = match binding.get(name) {
            Some(value) => value.clone(),
            None => self.lookup(name)?,
        };
        match value {
            Value::Scalar(text) => Some(text),
            Value::Data(json) => json_scalar(&json),
            Value::List(_) => None,
        }
    }

    /// The expanded name inside a reference, when fully resolved.
    pub(crate) fn reference_name(
        &self,
        source: &str,
        reference: &Reference,
        binding: &Binding,
    ) -> Option<String> {
        let mut name = String::new();
        self.expand_parts(source, &reference.inner, binding, &mut name)
            .then_some(name)
    }
}

/// `(` `)` or `{` `}`, as the reference was written.
fn brackets(source: &str, reference: &Reference) -> (char, char) {
    match source.as_bytes().get(reference.start as usize + 1) {
        Some(b'{') => ('{', '}'),
        _ => ('(', ')'),
    }
}

/// The single `@(name)` a string consists of, if it is nothing else.
pub(crate) fn whole_list_reference(text: &str) -> Option<Reference> {
    if !text.starts_with('@') {
        return None;
    }
    let lexed = interpolation::lex(text);
    match lexed.parts.as_slice() {
        [Part::Reference(reference)] if reference.list => Some(reference.clone()),
        _ => None,
    }
}
