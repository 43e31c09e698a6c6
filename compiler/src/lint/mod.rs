//! Semantic checks. One rule per file under `rules/`, each with a stable code
//! and a fixture under `tests/fixtures/lint/` that triggers it.

mod rules;
mod suggest;
pub mod walk;

use std::cell::OnceCell;

use grammar::{Diagnostic, Severity};

use crate::ir::Policy;
use crate::resolve::Index;
use crate::LoadedPolicy;

/// Whether cf-promises 3.21 reports the same mistake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CfPromises {
    Yes,
    No,
    Partly,
}

/// A lint rule: its code, what it catches, and the check itself.
pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    pub cf_promises: CfPromises,
    /// `None` when another rule's check reports this code (see `rules::ALL`).
    pub check: Option<fn(&Context, &mut Vec<Diagnostic>)>,
}

/// What every rule may look at.
pub struct Context<'a> {
    pub policy: &'a LoadedPolicy,
    pub index: Index<'a>,
    pub ir: Policy<'a>,
    roots: Vec<Vec<grammar::FileId>>,
    syntax_errors: bool,
    // The walks several rules share, made once.
    sites: OnceCell<Vec<walk::PromiseSite<'a>>>,
    typed: OnceCell<Vec<walk::TypedConstraint<'a>>>,
    calls: OnceCell<Vec<&'a grammar::ast::Call>>,
    class_definitions: OnceCell<crate::classes::ClassDefinitions>,
}

impl<'a> Context<'a> {
    /// Every promise with its context.
    pub fn promises(&self) -> &[walk::PromiseSite<'a>] {
        self.sites.get_or_init(|| walk::promises(&self.index))
    }

    /// Every constraint whose attribute the syntax tables know.
    pub fn typed_constraints(&self) -> &[walk::TypedConstraint<'a>] {
        self.typed
            .get_or_init(|| walk::typed_constraints(&self.index))
    }

    /// What may define each class.
    pub fn class_definitions(&self) -> &crate::classes::ClassDefinitions {
        self.class_definitions
            .get_or_init(|| crate::classes::ClassDefinitions::collect(&self.ir))
    }

    /// Every function call.
    pub fn function_calls(&self) -> &[&'a grammar::ast::Call] {
        self.calls.get_or_init(|| walk::function_calls(&self.index))
    }
}

impl Context<'_> {
    /// Whether two places are in one policy (see `LoadedPolicy::policy_roots`).
    pub fn same_policy(&self, a: grammar::Span, b: grammar::Span) -> bool {
        let (Some(ra), Some(rb)) = (
            self.roots.get(a.file.0 as usize),
            self.roots.get(b.file.0 as usize),
        ) else {
            return false;
        };
        a.file == b.file || ra.iter().any(|r| rb.contains(r))
    }

    /// Undefined bodies and bundles are only certain when every input was
    /// found; otherwise the definition may be in a file we could not name.
    pub fn definitions_complete(&self) -> bool {
        self.policy.unresolved_inputs.is_empty()
    }

    /// A block that failed to parse may hold the definition a reference
    /// names; "not defined" is then a guess, and is not reported.
    pub fn has_syntax_errors(&self) -> bool {
        self.syntax_errors
    }

    /// Severity for "X is not defined": an error when the whole policy was
    /// loaded, a warning when some inputs could not be resolved.
    pub fn undefined_severity(&self) -> Severity {
        if self.definitions_complete() {
            Severity::Error
        } else {
            Severity::Warning
        }
    }
}

pub fn rules() -> &'static [Rule] {
    rules::ALL
}

/// Runs every rule over a loaded policy.
pub fn check(policy: &LoadedPolicy) -> Vec<Diagnostic> {
    let index = Index::build(&policy.files);
    let cx = Context {
        policy,
        ir: Policy::build(&index),
        index,
        roots: policy.policy_roots(),
        sites: OnceCell::new(),
        typed: OnceCell::new(),
        calls: OnceCell::new(),
        class_definitions: OnceCell::new(),
        syntax_errors: policy
            .diagnostics
            .iter()
            .any(|d| d.is_error() && d.code.starts_with('S')),
    };
    let mut out = Vec::new();
    for check in rules::ALL.iter().filter_map(|rule| rule.check) {
        check(&cx, &mut out);
    }
    out
}
