//! What one edit operation did, step by step. cf-agent sets a promise's
//! outcome classes at every step (a line found, a line inserted, a line it
//! could only warn about), so a single insert_lines promise can be both
//! kept and repaired; the steps are kept in order for that.

/// One step of an edit operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Already as promised.
    Kept(String),
    /// The buffer was changed.
    Changed(String),
    /// A change was needed but only a warning was allowed.
    Warned(String),
    /// The operation could not be carried out (cf-agent's "interrupted").
    Interrupted(String),
    /// The operation failed.
    Failed(String),
}

/// The overall result of an operation: cf-agent's `PromiseResult` as far
/// as edits produce it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    Kept,
    Changed,
    Warned,
    NotKept,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub steps: Vec<Step>,
}

impl Report {
    pub fn kept(&mut self, message: String) {
        self.steps.push(Step::Kept(message));
    }

    pub fn changed(&mut self, message: String) {
        self.steps.push(Step::Changed(message));
    }

    pub fn warned(&mut self, message: String) {
        self.steps.push(Step::Warned(message));
    }

    pub fn interrupted(&mut self, message: String) {
        self.steps.push(Step::Interrupted(message));
    }

    pub fn failed(&mut self, message: String) {
        self.steps.push(Step::Failed(message));
    }

    /// How many changes were made to the buffer.
    pub fn changes(&self) -> usize {
        self.steps
            .iter()
            .filter(|s| matches!(s, Step::Changed(_)))
            .count()
    }

    /// The worst step; kept when there was none.
    pub fn verdict(&self) -> Verdict {
        self.steps
            .iter()
            .map(|step| match step {
                Step::Kept(_) => Verdict::Kept,
                Step::Changed(_) => Verdict::Changed,
                Step::Warned(_) => Verdict::Warned,
                Step::Interrupted(_) | Step::Failed(_) => Verdict::NotKept,
            })
            .max()
            .unwrap_or(Verdict::Kept)
    }

    /// The message of the first step that decided the verdict.
    pub fn reason(&self) -> Option<&str> {
        let verdict = self.verdict();
        self.steps.iter().find_map(|step| match (step, verdict) {
            (Step::Interrupted(m) | Step::Failed(m), Verdict::NotKept)
            | (Step::Warned(m), Verdict::Warned)
            | (Step::Changed(m), Verdict::Changed)
            | (Step::Kept(m), Verdict::Kept) => Some(m.as_str()),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worst_step_decides() {
        let mut report = Report::default();
        assert_eq!(report.verdict(), Verdict::Kept);
        report.kept("present".into());
        report.changed("inserted".into());
        assert_eq!(report.verdict(), Verdict::Changed);
        assert_eq!(report.changes(), 1);
        report.interrupted("no locator".into());
        report.warned("would".into());
        assert_eq!(report.verdict(), Verdict::NotKept);
        assert_eq!(report.reason(), Some("no locator"));
    }
}
