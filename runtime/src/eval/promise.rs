//! One promise, all its iterations (SEMANTICS.md §2.6): class guard, then
//! per iteration `with`, the promiser, `this.*`, the variable guard,
//! `if`/`ifvarclass`, `unless`, same-run de-duplication, the actuator and
//! the outcome.

use std::collections::HashSet;
use std::path::Path;

use compiler::ir::{Promise, PromiseId};
use grammar::ast::{Guard, Rval};
use grammar::interpolation;

use super::context::ClassScope;
use super::expand::{Binding, Expanded};
use super::persistence::TimerPolicy;
use super::Agent;
use crate::facts::canonify;
use crate::outcome::Outcome;
use crate::promises;
use crate::sink::PromiseOrigin;
use crate::value::Value;

/// Passes are numbered 1 to 3; 0 is pre-evaluation.
pub const PRE_EVALUATION: u8 = 0;
pub const LAST_PASS: u8 = 3;

impl<'p> Agent<'p, '_> {
    pub(crate) fn evaluate_promise(&mut self, id: PromiseId, pass: u8) {
        let policy = self.policy;
        let promise = policy.promise(id);
        if let Some(Guard::Class { expr, .. }) = promise.guard {
            let namespace = self.namespace().to_string();
            if !expr.evaluate(&mut |name| self.classes.is_defined(&namespace, name)) {
                return;
            }
        }
        self.set_location(promise);
        for binding in self.iterations(promise.ast) {
            self.evaluate_iteration(promise, binding, pass);
            self.apply_call_definitions();
            if self.fatal.is_some() {
                return;
            }
        }
    }

    fn set_location(&mut self, promise: &Promise) {
        let span = promise.ast.span;
        let filename = self.sources.get(span.file).path.clone();
        let dirname = Path::new(&filename)
            .parent()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        if let Some(frame) = self.frame_mut() {
            frame.this.filename = filename;
            frame.this.dirname = dirname;
            frame.this.line = span.line;
            frame.this.written_promiser = promise.ast.promiser.value().to_string();
            frame.this.promiser = None;
            frame.this.handle = None;
        }
    }

    /// The promise iteration being actuated, for a [`crate::sink::RunSink`].
    pub(crate) fn origin(&self, promise: &Promise) -> PromiseOrigin {
        let span = promise.ast.span;
        let this = self.frame().map(|f| &f.this);
        PromiseOrigin {
            promise_type: promise.promise_type.to_string(),
            promiser: this.and_then(|t| t.promiser.clone()).unwrap_or_default(),
            bundle: self
                .frame()
                .map(|f| format!("{}:{}", f.namespace, f.name))
                .unwrap_or_default(),
            handle: this.and_then(|t| t.handle.clone()).unwrap_or_default(),
            file: self.sources.get(span.file).path.clone(),
            line: span.line,
        }
    }

    /// `file:line` of a promise, for messages.
    pub(crate) fn location(&self, promise: &Promise) -> String {
        let span = promise.ast.span;
        format!("{}:{}", self.sources.get(span.file).path, span.line)
    }

    fn evaluate_iteration(&mut self, promise: &'p Promise<'p>, mut binding: Binding, pass: u8) {
        if let Some(with) = promise.constraint("with") {
            if let Some(evaluated) = self.evaluate_rval(&with.ast.rval, &binding) {
                binding.insert("with".into(), evaluated.value);
            }
        }
        // `this.handle` is known in the promiser, `this.promiser` is not.
        let handle = self.handle(promise, &binding);
        if let Some(frame) = self.frame_mut() {
            frame.this.promiser = None;
            frame.this.handle = Some(handle);
        }
        let promiser = self.expand(&promise.ast.promiser.value(), &binding);
        if let Some(frame) = self.frame_mut() {
            frame.this.promiser = Some(promiser.text.clone());
        }
        if !self.applies(promise, &binding, pass) {
            return;
        }
        // Locks taken by the actuation below (first_actuation) are
        // released once it is done, recording when it completed.
        let locks_before = self.taken_locks.len();
        match promise.promise_type {
            "vars" => promises::vars::actuate(self, promise, &promiser, &binding, ""),
            "meta" => promises::vars::actuate(self, promise, &promiser, &binding, "_meta"),
            "classes" => promises::classes::actuate(self, promise, &promiser, &binding),
            "defaults" => promises::defaults::actuate(self, promise, &promiser, &binding),
            _ if pass == PRE_EVALUATION => {}
            "reports" => {
                // Held back while the text still holds references (also
                // ones a variable's value brought in), printed as written
                // in the last pass.
                let unresolved =
                    !promiser.complete || interpolation::lex(&promiser.text).has_references();
                if unresolved && pass < LAST_PASS {
                    return;
                }
                if self.first_actuation(promise, &promiser, &binding) {
                    // Return values are stored whatever the action policy;
                    // `--audit` prints reports, they change nothing.
                    let warn = promise.constraint("bundle_return_value_index").is_none()
                        && (self.dry_run || self.action_settings(promise, &binding).warn_only);
                    let outcome = if warn {
                        Outcome::Warned {
                            message: format!("Need to repair reports promise: {}", promiser.text),
                        }
                    } else {
                        promises::reports::actuate(self, promise, &promiser.text, &binding)
                    };
                    self.record(promise, &binding, outcome);
                }
            }
            "methods" => {
                if self.first_actuation(promise, &promiser, &binding) {
                    // A dry run or an audit still calls the bundle (so that
                    // its promises report); only action_policy stops it.
                    let outcome = if self.action_settings(promise, &binding).warn_only {
                        Outcome::Warned {
                            message: format!(
                                "Bundle '{}' should be invoked, but only a warning was promised!",
                                self.method_name(promise, &binding, &promiser.text)
                            ),
                        }
                    } else {
                        promises::methods::actuate(self, promise, &promiser.text, &binding)
                    };
                    self.record(promise, &binding, outcome);
                }
            }
            "commands" => {
                if self.first_actuation(promise, &promiser, &binding) {
                    promises::commands::actuate(self, promise, &promiser.text, &binding);
                }
            }
            "delete_lines" | "insert_lines" | "replace_patterns" | "field_edits" => {
                promises::files::edit::actuate_line_promise(
                    self,
                    promise,
                    &promiser.text,
                    &binding,
                );
            }
            "files" => {
                if self.first_actuation(promise, &promiser, &binding) {
                    let apply = !(self.dry_run
                        || self.audit
                        || self.action_settings(promise, &binding).warn_only);
                    let outcome =
                        promises::files::actuate(self, promise, &promiser.text, &binding, apply);
                    self.record_all(promise, &binding, outcome.recorded, outcome.result);
                }
            }
            "processes" => {
                if self.first_actuation(promise, &promiser, &binding) {
                    promises::processes::actuate(self, promise, &promiser.text, &binding);
                }
            }
            "packages" => {
                if self.first_actuation(promise, &promiser, &binding) {
                    let outcome =
                        promises::packages::actuate(self, promise, &promiser.text, &binding);
                    self.record(promise, &binding, outcome);
                }
            }
            "users" => {
                if self.first_actuation(promise, &promiser, &binding) {
                    promises::users::actuate(self, promise, &promiser.text, &binding);
                }
            }
            "storage" => {
                if self.first_actuation(promise, &promiser, &binding) {
                    promises::storage::actuate(self, promise, &promiser.text, &binding);
                }
            }
            "services" => {
                if self.first_actuation(promise, &promiser, &binding) {
                    if let Some(outcome) =
                        promises::services::actuate(self, promise, &promiser.text, &binding)
                    {
                        self.record(promise, &binding, outcome);
                    }
                }
            }
            other => {
                if self.first_actuation(promise, &promiser, &binding) {
                    let why = compiler::support::unsupported_promise_type(other).map_or_else(
                        || format!("promise type {other} is not run by promise-rs yet"),
                        str::to_string,
                    );
                    let outcome = Outcome::failed(why);
                    self.record(promise, &binding, outcome);
                }
            }
        }
        self.release_locks(locks_before);
    }

    /// The bundle a methods promise calls: `usebundle`, else the promiser.
    fn method_name(&self, promise: &Promise, binding: &Binding, promiser: &str) -> String {
        match promise.constraint("usebundle").map(|c| &c.ast.rval) {
            Some(Rval::Call(call)) => self.expand(call.function.text(), binding).text,
            Some(other) => self
                .evaluate_rval(other, binding)
                .and_then(|e| e.value.as_scalar().map(str::to_string))
                .unwrap_or_else(|| promiser.to_string()),
            None => promiser.to_string(),
        }
    }

    /// The `handle` attribute, or cf-agent's default
    /// `promise_<canonified file name>_<line>`.
    fn handle(&self, promise: &Promise, binding: &Binding) -> String {
        if let Some(handle) = promise.constraint("handle") {
            if let Some(evaluated) = self.evaluate_rval(&handle.ast.rval, binding) {
                if let Value::Scalar(text) = evaluated.value {
                    return canonify(&text);
                }
            }
        }
        let span = promise.ast.span;
        let path = &self.sources.get(span.file).path;
        let base = Path::new(path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        format!("promise_{}_{}", canonify(&base), span.line)
    }

    /// Variable guard, `if`/`ifvarclass` (all must hold), then `unless`.
    fn applies(&self, promise: &Promise, binding: &Binding, pass: u8) -> bool {
        if let Some(Guard::Variable { string, .. }) = promise.guard {
            let expanded = self.expand(&string.value(), binding);
            if !expanded.complete
                || self.classes.evaluate(self.namespace(), &expanded.text) != Some(true)
            {
                return false;
            }
        }
        for constraint in &promise.constraints {
            let rval = &constraint.ast.rval;
            let holds = match constraint.ast.lval.name.as_str() {
                "if" | "ifvarclass" => self.condition(rval, binding) == Some(true),
                "depends_on" => self.dependencies_met(rval, binding),
                "unless" => match self.condition(rval, binding) {
                    Some(defined) => !defined,
                    // Not evaluable: skipped, except in the last pass.
                    None => pass == LAST_PASS,
                },
                _ => true,
            };
            if !holds {
                return false;
            }
        }
        true
    }

    /// `depends_on` (§2.13): every listed handle was kept or repaired
    /// earlier in the run; unknown or failed handles never are.
    fn dependencies_met(&self, rval: &Rval, binding: &Binding) -> bool {
        let handles = match self.evaluate_rval(rval, binding).map(|e| e.value) {
            Some(Value::List(handles)) => handles,
            Some(Value::Scalar(handle)) => vec![handle],
            _ => return false,
        };
        handles
            .iter()
            .all(|handle| self.handle_outcomes.get(&canonify(handle)) == Some(&true))
    }

    /// Same-run de-duplication (§2.8), then the promise lock (§3.3, see
    /// `locks`): false when an identical iteration (promiser, bundle,
    /// expanded constraints) was already actuated in this run, or when an
    /// earlier run actuated it less than `ifelapsed` minutes ago.
    fn first_actuation(
        &mut self,
        promise: &Promise,
        promiser: &Expanded,
        binding: &Binding,
    ) -> bool {
        self.first_actuation_of(promise, &promiser.text, binding, "")
    }

    /// [`Agent::first_actuation`] with a salt: an edit_line promise is
    /// actuated once per file it edits.
    pub(crate) fn first_actuation_of(
        &mut self,
        promise: &Promise,
        promiser: &str,
        binding: &Binding,
        salt: &str,
    ) -> bool {
        let mut digest = format!(
            "{}\u{1f}{}\u{1f}{}\u{1f}{salt}",
            promise.promise_type,
            self.frame().map(|f| f.scope()).unwrap_or_default(),
            promiser
        );
        for constraint in &promise.constraints {
            digest.push('\u{1f}');
            digest.push_str(&constraint.ast.lval.name);
            digest.push('=');
            self.digest_rval(&constraint.ast.rval, binding, &mut digest);
        }
        if !self.actuated.insert(digest.clone()) {
            return false;
        }
        // Edit promises run inside their files promise's lock.
        !salt.is_empty() || self.take_lock(promise, promiser, binding, &digest)
    }

    /// A constraint's value as text, calls written out rather than made.
    fn digest_rval(&self, rval: &Rval, binding: &Binding, out: &mut String) {
        match rval {
            Rval::String(s) => out.push_str(&self.expand(&s.value(), binding).text),
            Rval::Symbol(ident) => out.push_str(&ident.name),
            Rval::Variable(var) => out.push_str(&self.expand(&var.text, binding).text),
            Rval::List(list) => {
                out.push('{');
                for item in &list.items {
                    self.digest_rval(item, binding, out);
                    out.push(',');
                }
                out.push('}');
            }
            Rval::Call(call) => {
                out.push_str(call.function.text());
                out.push('(');
                for arg in &call.args {
                    self.digest_rval(arg, binding, out);
                    out.push(',');
                }
                out.push(')');
            }
        }
    }

    /// Counts an outcome, folds it into the bundle's, logs it and sets the
    /// promise's outcome classes.
    pub(crate) fn record(&mut self, promise: &Promise, binding: &Binding, outcome: Outcome) {
        self.record_logged(promise, binding, outcome, RecordLog::Default);
    }

    /// A promise made of several sub-operations (files), as cf-agent
    /// reports one: each sub-operation sets the classes of its own outcome
    /// when it happens (so a promise can be kept, repaired and failed at
    /// once), and its message is logged; then the promise's `result` is
    /// counted, logged no further, and sets its classes too (a promise
    /// that recorded nothing is kept).
    pub(crate) fn record_all(
        &mut self,
        promise: &Promise,
        binding: &Binding,
        recorded: Vec<Outcome>,
        result: Outcome,
    ) {
        if self.pre_evaluating {
            return;
        }
        let location = self.location(promise);
        // cf-agent visits a file twice and says the same twice; once is
        // enough here.
        let mut logged: HashSet<&str> = HashSet::new();
        for outcome in &recorded {
            match outcome {
                Outcome::NotKept { message, .. } if logged.insert(message.as_str()) => {
                    self.log.error(&format!("{location}: {message}"));
                }
                Outcome::Warned { message } if logged.insert(message.as_str()) => {
                    self.log.warning(&format!("{location}: {message}"));
                }
                _ => {}
            }
        }
        for outcome in last_of_each_kind(&recorded) {
            self.outcome_classes(promise, binding, outcome);
        }
        self.log
            .verbose(&format!("{location}: files promise {result}"));
        self.record_logged(promise, binding, result, RecordLog::Silent);
    }

    /// [`Agent::record`], with the level its message is logged at chosen by
    /// the promise type (cf-agent logs some failures at info level only).
    pub(crate) fn record_logged(
        &mut self,
        promise: &Promise,
        binding: &Binding,
        outcome: Outcome,
        level: RecordLog,
    ) {
        self.record_counted(promise, binding, outcome, level, true);
    }

    /// A promise carried out in steps that each set their outcome classes
    /// as they happen (cf-agent reports some promise types once per step,
    /// so a processes promise can be both repaired and kept); `result` is
    /// what is counted, and the steps logged their own messages.
    pub(crate) fn record_steps(
        &mut self,
        promise: &Promise,
        binding: &Binding,
        steps: &[Outcome],
        result: Outcome,
    ) {
        for step in steps {
            self.outcome_classes(promise, binding, step);
        }
        self.record_counted(promise, binding, result, RecordLog::Silent, false);
    }

    fn record_counted(
        &mut self,
        promise: &Promise,
        binding: &Binding,
        outcome: Outcome,
        level: RecordLog,
        set_classes: bool,
    ) {
        if self.pre_evaluating {
            return;
        }
        self.summary.add(&outcome);
        let origin = self.origin(promise);
        self.reports.outcome(&outcome, &origin);
        if level == RecordLog::Default {
            let location = self.location(promise);
            match &outcome {
                Outcome::NotKept { message, .. } => {
                    self.log.error(&format!("{location}: {message}"))
                }
                Outcome::Warned { message } => self.log.warning(&format!("{location}: {message}")),
                other => self.log.verbose(&format!(
                    "{location}: {} promise {other}",
                    promise.promise_type
                )),
            }
        }
        self.log_transaction(promise, binding, &outcome);
        if set_classes {
            self.outcome_classes(promise, binding, &outcome);
        }
        let succeeded = matches!(outcome, Outcome::Kept | Outcome::Repaired);
        if let Some(handle) = self.frame().and_then(|f| f.this.handle.clone()) {
            *self.handle_outcomes.entry(handle).or_insert(false) |= succeeded;
        }
        if let Some(frame) = self.frame_mut() {
            frame.outcome = Some(match frame.outcome.take() {
                Some(worst) => worst.worst(outcome),
                None => outcome,
            });
        }
    }

    /// The `classes` body of a promise, applied for `outcome` (§3.2).
    pub(crate) fn outcome_classes(
        &mut self,
        promise: &Promise,
        binding: &Binding,
        outcome: &Outcome,
    ) {
        if self.pre_evaluating {
            return;
        }
        let Some(constraint) = promise.constraint("classes") else {
            return;
        };
        let Some(body) = self.constraint_body(constraint, binding) else {
            return;
        };
        let (define, cancel) = match outcome {
            Outcome::Kept => ("promise_kept", "cancel_kept"),
            Outcome::Repaired => ("promise_repaired", "cancel_repaired"),
            Outcome::NotKept { reason, .. } => (
                match reason {
                    crate::outcome::NotKeptReason::Denied => "repair_denied",
                    crate::outcome::NotKeptReason::Timeout => "repair_timeout",
                    _ => "repair_failed",
                },
                "cancel_notkept",
            ),
            Outcome::Warned { .. } => ("repair_failed", "cancel_notkept"),
        };
        let scope = match body.scalar("scope") {
            Some("bundle") => ClassScope::Bundle,
            _ => ClassScope::Namespace,
        };
        let persist_time = body
            .scalar("persist_time")
            .and_then(super::locks::minutes)
            .filter(|minutes| *minutes > 0);
        let timer = TimerPolicy::from_attribute(body.scalar("timer_policy"));
        let namespace = self.namespace().to_string();
        for class in body.list(define) {
            let class = canonify(&class);
            match persist_time {
                // Persistent classes are global, whatever `scope` says.
                Some(minutes) => {
                    self.persist_class(&namespace, &class, minutes, timer, "");
                    self.classes
                        .define(&namespace, &class, ClassScope::Namespace);
                }
                None => self.classes.define(&namespace, &class, scope),
            }
        }
        for class in body.list(cancel) {
            let class = canonify(&class);
            self.forget_persistent_class(&namespace, &class);
            self.classes.undefine(&namespace, &class);
        }
    }
}

/// Whether [`Agent::record_logged`] logs the outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordLog {
    /// Failures as errors, warnings as warnings, the rest verbose.
    Default,
    /// The promise type logged its own message, at the level cf-agent uses.
    Silent,
}

/// The outcomes whose classes decide what a run of outcomes leaves set:
/// the last one of each kind, in order. Setting and cancelling classes is
/// idempotent, so earlier outcomes of a kind change nothing in the end (a
/// tree of 10,000 files records tens of thousands of outcomes, and the
/// classes body would be evaluated for each).
fn last_of_each_kind(outcomes: &[Outcome]) -> Vec<&Outcome> {
    let kind = |outcome: &Outcome| (outcome.name(), outcome.reason().map(|r| r.name()));
    let mut last = Vec::new();
    for (at, outcome) in outcomes.iter().enumerate() {
        let key = kind(outcome);
        match last.iter_mut().find(|(k, _)| *k == key) {
            Some(entry) => entry.1 = at,
            None => last.push((key, at)),
        }
    }
    let mut chosen: Vec<usize> = last.into_iter().map(|(_, at)| at).collect();
    chosen.sort_unstable();
    chosen.into_iter().map(|at| &outcomes[at]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_outcome_of_each_kind_is_kept_in_order() {
        let failed = Outcome::failed("x");
        let outcomes = vec![
            Outcome::Kept,
            Outcome::Repaired,
            Outcome::Kept,
            failed.clone(),
            Outcome::Kept,
            Outcome::Repaired,
        ];
        let chosen = last_of_each_kind(&outcomes);
        assert_eq!(chosen, vec![&failed, &Outcome::Kept, &Outcome::Repaired]);
        assert!(last_of_each_kind(&[]).is_empty());
    }
}
