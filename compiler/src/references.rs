//! Variable references inside values: `$(x)`, `$(b.x)`, `$(ns:b.x[k])`,
//! `@(list)`, nested ones included.

use grammar::ast::{Callee, Rval, Str};
use grammar::interpolation::{self, Part, Reference};
use grammar::Span;

/// One variable reference whose name is known before run time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariableUse {
    /// `b`, `ns:b`, or `None` for an unqualified name.
    pub scope: Option<String>,
    /// The variable, without array indices.
    pub name: String,
    /// `@(…)`.
    pub list: bool,
    pub span: Span,
}

/// Every reference in a value, in order. References whose name is itself
/// computed (`$($(x))`, `$(prefix_$(x))`) are left out; the references
/// nested inside them are not.
pub fn in_rval(rval: &Rval, out: &mut Vec<VariableUse>) {
    match rval {
        Rval::String(s) => in_string(s, out),
        Rval::Symbol(_) => {}
        Rval::Variable(v) => {
            for part in interpolation::lex(&v.text).parts {
                if let Part::Reference(r) = part {
                    collect(&r, &mut |_, _| v.span, out);
                }
            }
        }
        Rval::List(list) => list.items.iter().for_each(|item| in_rval(item, out)),
        Rval::Call(call) => {
            if let Callee::Variable(v) = &call.function {
                in_rval(&Rval::Variable(v.clone()), out);
            }
            call.args.iter().for_each(|arg| in_rval(arg, out));
        }
    }
}

pub fn in_string(s: &Str, out: &mut Vec<VariableUse>) {
    if !s.raw.contains(['$', '@']) {
        return;
    }
    let value = s.value();
    for part in interpolation::lex(&value).parts {
        if let Part::Reference(r) = part {
            collect(&r, &mut |start, end| s.span_of(start, end, &value), out);
        }
    }
}

fn collect(
    reference: &Reference,
    span_of: &mut dyn FnMut(usize, usize) -> Span,
    out: &mut Vec<VariableUse>,
) {
    if let Some((scope, name)) = static_base(reference) {
        out.push(VariableUse {
            scope: scope.map(str::to_string),
            name: name.to_string(),
            list: reference.list,
            span: span_of(reference.start as usize, reference.end as usize),
        });
    }
    for part in &reference.inner {
        if let Part::Reference(nested) = part {
            collect(nested, span_of, out);
        }
    }
}

/// `(scope, name)` of a reference whose text up to the first `[` is literal.
fn static_base(reference: &Reference) -> Option<(Option<&str>, &str)> {
    let Some(Part::Literal { text, .. }) = reference.inner.first() else {
        return None;
    };
    let base = match text.find('[') {
        Some(at) => &text[..at],
        None if reference.inner.len() == 1 => text.as_str(),
        None => return None,
    };
    let base = base.trim();
    if base.is_empty() {
        return None;
    }
    Some(match base.rsplit_once('.') {
        Some((scope, name)) => (Some(scope), name),
        None => (None, base),
    })
}

/// `ns:b` → `(Some(ns), b)`.
pub fn split_scope(scope: &str) -> (Option<&str>, &str) {
    match scope.split_once(':') {
        Some((ns, bundle)) => (Some(ns), bundle),
        None => (None, scope),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uses(text: &str) -> Vec<(Option<String>, String, bool)> {
        let s = Str {
            quote: grammar::ast::Quote::Double,
            raw: text.into(),
            span: Span::default(),
        };
        let mut out = Vec::new();
        in_string(&s, &mut out);
        out.into_iter().map(|u| (u.scope, u.name, u.list)).collect()
    }

    #[test]
    fn plain_qualified_and_nested() {
        assert_eq!(
            uses("$(a) ${b.c} @(ns:d.e) $(arr[$(i)][k])"),
            vec![
                (None, "a".into(), false),
                (Some("b".into()), "c".into(), false),
                (Some("ns:d".into()), "e".into(), true),
                (None, "arr".into(), false),
                (None, "i".into(), false),
            ]
        );
    }

    #[test]
    fn computed_names_are_skipped_but_their_parts_are_not() {
        assert_eq!(uses("$(x_$(y))"), vec![(None, "y".into(), false)]);
        assert_eq!(
            uses("$(sys.ipv4[eth0.1])"),
            vec![(Some("sys".into()), "ipv4".into(), false)]
        );
    }
}
