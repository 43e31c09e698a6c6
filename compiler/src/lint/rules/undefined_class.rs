//! W005 — a class tested by a guard, `if` or `unless` that nothing can
//! define: not a hard class, not the promiser of a `classes` promise, not set
//! by a `classes` body, `restart_class` or `process_count`.
//!
//! *Why is this bad?* The guarded promises silently never run (or, under
//! `unless`, always run); usually the class name has a typo. Not reported
//! when the policy runs modules (they may define any class) or when some
//! inputs could not be loaded. A host-name class looks like any other name
//! and is reported too: define it as a hard class pattern's exception by
//! testing the canonified host name with `classmatch`, or ignore the warning.

use std::collections::{HashMap, HashSet};

use grammar::{Diagnostic, Severity};

use crate::classes;
use crate::hard_classes;
use crate::lint::suggest::did_you_mean;
use crate::lint::Context;

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    if !cx.definitions_complete() || cx.has_syntax_errors() {
        return;
    }
    let definitions = cx.class_definitions();
    if !definitions.modules.is_empty() {
        return;
    }
    let known = definitions.names();
    // A guard is shared by the promises under it: report each place once.
    let mut reported = HashSet::new();
    let mut defined: HashMap<String, bool> = HashMap::new();
    for promise in &cx.ir.promises {
        for class in classes::uses(promise) {
            let name = class.name.as_str();
            let is_defined = match defined.get(name) {
                Some(&known) => known,
                None => {
                    let known = hard_classes::is_possible(name) || definitions.may_define(name);
                    defined.insert(class.name.clone(), known);
                    known
                }
            };
            if is_defined || !reported.insert(class.span) {
                continue;
            }
            out.push(
                Diagnostic::new(
                    "W005",
                    Severity::Warning,
                    format!(
                        "class '{name}' is never defined{}",
                        did_you_mean(name, known.iter().map(String::as_str))
                    ),
                    class.span,
                )
                .with_label("no classes promise, classes body or hard class defines this")
                .with_help("define it with a classes promise or body, or check its spelling; -D and host-name classes are not visible to lint"),
            );
        }
    }
}
