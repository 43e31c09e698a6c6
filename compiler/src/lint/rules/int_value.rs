//! E005 — an integer that is not one, or is outside the attribute's range.
//!
//! *Example:* `ifelapsed => "-5"`, `"n" int => "abc";`. Values holding
//! variables are checked when the policy runs. CFEngine's suffixes `k`, `m`,
//! `g` (×1000…), `K`, `M`, `G` (×1024…) and `%` are understood, and `inf`.

use grammar::ast::{Constraint, Rval};
use grammar::{Diagnostic, Severity};

use crate::lint::Context;
use crate::syntax::{Attribute, Kind};

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for t in cx.typed_constraints() {
        check_int(t.constraint, t.attribute, out);
    }
}

fn check_int(c: &Constraint, attribute: &Attribute, out: &mut Vec<Diagnostic>) {
    if attribute.kind != Kind::Int {
        return;
    }
    let (text, span) = match &c.rval {
        Rval::String(s) => (s.raw.as_str(), s.span),
        Rval::Symbol(i) => (i.name.as_str(), i.span),
        _ => return,
    };
    if text.contains(['$', '@']) {
        return;
    }
    let Some(value) = parse_int(text) else {
        out.push(
            Diagnostic::new(
                "E005",
                Severity::Error,
                format!("'{}' takes an integer, not '{text}'", attribute.name),
                span,
            )
            .with_label("not an integer"),
        );
        return;
    };
    if let Some((low, high)) = attribute.numeric_range() {
        // `inf` stands for the largest value CFEngine allows.
        if text.trim() == "inf" {
            return;
        }
        if (value as f64) < low || (value as f64) > high {
            out.push(
                Diagnostic::new(
                    "E005",
                    Severity::Error,
                    format!(
                        "{value} is out of range for '{}' ({low} to {high})",
                        attribute.name
                    ),
                    span,
                )
                .with_label("out of range"),
            );
        }
    }
}

/// An integer as CFEngine reads one; `None` if it is not one.
pub fn parse_int(text: &str) -> Option<i64> {
    let text = text.trim();
    if matches!(text, "inf" | "now") {
        return Some(i64::MAX);
    }
    let (digits, factor) = match text.char_indices().last()? {
        (i, 'k') => (&text[..i], 1_000),
        (i, 'm') => (&text[..i], 1_000_000),
        (i, 'g') => (&text[..i], 1_000_000_000),
        (i, 'K') => (&text[..i], 1 << 10),
        (i, 'M') => (&text[..i], 1 << 20),
        (i, 'G') => (&text[..i], 1 << 30),
        (i, '%') => (&text[..i], 1),
        _ => (text, 1),
    };
    digits.parse::<i64>().ok().map(|v| v.saturating_mul(factor))
}
