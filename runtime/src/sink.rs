//! Where the results of a run go, as they happen: the lines `reports`
//! promises print and the outcome of every promise iteration. The CLI
//! chooses the rendering (`R: ` lines for people, JSON lines for programs);
//! [`ReportLines`] is the human one, which prints reports as cf-agent does
//! and leaves outcomes to the log.

use std::io::{self, Write};

use crate::outcome::Outcome;

/// Which promise iteration an event comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromiseOrigin {
    pub promise_type: String,
    /// The promiser, expanded for this iteration.
    pub promiser: String,
    /// `namespace:bundle`.
    pub bundle: String,
    /// `handle`, or cf-agent's default `promise_<file>_<line>`.
    pub handle: String,
    pub file: String,
    pub line: u32,
}

/// Receives a run's reports and outcomes.
pub trait RunSink {
    /// A line printed by a `reports` promise (also each `printfile` line).
    fn report(&mut self, text: &str, origin: &PromiseOrigin) -> io::Result<()>;
    /// The outcome of one promise iteration that was actuated.
    fn outcome(&mut self, outcome: &Outcome, origin: &PromiseOrigin);
}

/// `R: text` lines on a writer, flushed as they come; outcomes are not
/// printed (the log and the summary tell them).
pub struct ReportLines<'w>(pub &'w mut dyn Write);

impl RunSink for ReportLines<'_> {
    fn report(&mut self, text: &str, _: &PromiseOrigin) -> io::Result<()> {
        writeln!(self.0, "R: {text}")?;
        self.0.flush()
    }

    fn outcome(&mut self, _: &Outcome, _: &PromiseOrigin) {}
}
