//! The outcome of an edit promise from its report: the classes of every
//! step (cf-agent sets them at each step, so a promise can be kept and
//! repaired at once), then the promise's own outcome, the worst step.

use compiler::ir::Promise;

use crate::eval::expand::Binding;
use crate::eval::Agent;
use crate::fileops::edit::{Report, Step, Verdict};
use crate::outcome::{NotKeptReason, Outcome};

/// Records `report` for `promise`. With `simulate` (dry run, audit) the
/// changes were made in memory only, to show the file's difference, and
/// count as warnings.
pub(super) fn record(
    agent: &mut Agent,
    promise: &Promise,
    binding: &Binding,
    mut report: Report,
    simulate: bool,
) {
    let changes = report.changes();
    if let Some(session) = agent.edits.session.as_mut() {
        session.changes += changes;
    }
    if simulate {
        for step in &mut report.steps {
            if let Step::Changed(message) = step {
                *step = Step::Warned(format!("{message} (in memory only: nothing is written)"));
            }
        }
    }
    for step in &report.steps {
        let outcome = step_outcome(step);
        agent.outcome_classes(promise, binding, &outcome);
    }
    let reason = report.reason().unwrap_or_default().to_string();
    let outcome = match report.verdict() {
        Verdict::Kept => Outcome::Kept,
        Verdict::Changed => Outcome::Repaired,
        Verdict::Warned => Outcome::Warned { message: reason },
        Verdict::NotKept => Outcome::NotKept {
            reason: if report
                .steps
                .iter()
                .any(|s| matches!(s, Step::Interrupted(_)))
            {
                NotKeptReason::Interrupted
            } else {
                NotKeptReason::Failed
            },
            message: reason,
        },
    };
    agent.record(promise, binding, outcome);
}

fn step_outcome(step: &Step) -> Outcome {
    match step {
        Step::Kept(_) => Outcome::Kept,
        Step::Changed(_) => Outcome::Repaired,
        Step::Warned(message) => Outcome::Warned {
            message: message.clone(),
        },
        Step::Interrupted(message) => Outcome::NotKept {
            reason: NotKeptReason::Interrupted,
            message: message.clone(),
        },
        Step::Failed(message) => Outcome::failed(message.clone()),
    }
}
