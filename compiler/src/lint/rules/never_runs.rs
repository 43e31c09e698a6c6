//! W006 — a promise whose guard, `if` or `unless` can never let it run:
//! `!any::`, `if => "false"`, `unless => "any"`, or any expression that is
//! false whatever classes are defined.
//!
//! *Why is this bad?* It is dead policy that reads as if it did something;
//! usually a leftover of disabling a promise by hand.

use std::collections::HashSet;

use grammar::class_expr::ClassExpr;
use grammar::{Diagnostic, Severity};

use crate::classes;
use crate::lint::Context;

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    // A guard is shared by the promises under it: report each guard once.
    let mut reported = HashSet::new();
    for promise in &cx.ir.promises {
        for (expr, span, attribute) in classes::conditions(promise) {
            let blocks = match attribute {
                "guard" | "if" | "ifvarclass" => constant(&expr) == Some(false),
                "unless" => constant(&expr) == Some(true),
                _ => false,
            };
            if !blocks || !reported.insert(span) {
                continue;
            }
            let why = if attribute == "unless" {
                "is true on every host"
            } else {
                "is false on every host"
            };
            out.push(
                Diagnostic::new(
                    "W006",
                    Severity::Warning,
                    format!("this promise can never run: '{expr}' {why}"),
                    span,
                )
                .with_label(format!("{attribute} '{expr}' {why}"))
                .with_help("remove the promise, or fix the condition"),
            );
        }
    }
}

/// The value of an expression that does not depend on which classes are
/// defined: `any` and `true` are always true, `false` never; every other
/// name may go either way.
fn constant(expr: &ClassExpr) -> Option<bool> {
    match expr {
        ClassExpr::Name { name, .. } => match name.as_str() {
            "any" | "true" => Some(true),
            "false" => Some(false),
            _ => None,
        },
        ClassExpr::Not { operand } => constant(operand).map(|v| !v),
        ClassExpr::And { operands } => {
            let values: Vec<Option<bool>> = operands.iter().map(constant).collect();
            if values.contains(&Some(false)) {
                Some(false)
            } else if values.iter().all(|v| *v == Some(true)) {
                Some(true)
            } else {
                None
            }
        }
        ClassExpr::Or { operands } => {
            let values: Vec<Option<bool>> = operands.iter().map(constant).collect();
            if values.contains(&Some(true)) {
                Some(true)
            } else if values.iter().all(|v| *v == Some(false)) {
                Some(false)
            } else {
                None
            }
        }
    }
}
