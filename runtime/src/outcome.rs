//! What a promise did: the outcome model shared by the console, JSON
//! reports and audit mode (see DESIGN.md, "outcomes").

use std::fmt;

/// The result of actuating one promise iteration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The host already was as promised.
    Kept,
    /// The host was changed to be as promised.
    Repaired,
    /// The promise could not be kept.
    NotKept {
        reason: NotKeptReason,
        message: String,
    },
    /// A repair was needed but only a warning was allowed.
    Warned { message: String },
}

/// Why a promise was not kept, as cf-agent distinguishes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotKeptReason {
    Failed,
    Denied,
    Timeout,
    Interrupted,
}

impl NotKeptReason {
    /// `failed`, `denied`, `timeout` or `interrupted`.
    pub fn name(self) -> &'static str {
        match self {
            NotKeptReason::Failed => "failed",
            NotKeptReason::Denied => "denied",
            NotKeptReason::Timeout => "timeout",
            NotKeptReason::Interrupted => "interrupted",
        }
    }
}

impl Outcome {
    pub fn failed(message: impl Into<String>) -> Self {
        Outcome::NotKept {
            reason: NotKeptReason::Failed,
            message: message.into(),
        }
    }

    /// `kept`, `repaired`, `not_kept` or `warned`.
    pub fn name(&self) -> &'static str {
        match self {
            Outcome::Kept => "kept",
            Outcome::Repaired => "repaired",
            Outcome::NotKept { .. } => "not_kept",
            Outcome::Warned { .. } => "warned",
        }
    }

    /// Why a promise was not kept; `None` for the other outcomes.
    pub fn reason(&self) -> Option<NotKeptReason> {
        match self {
            Outcome::NotKept { reason, .. } => Some(*reason),
            _ => None,
        }
    }

    /// The message of a not kept or warned outcome.
    pub fn message(&self) -> Option<&str> {
        match self {
            Outcome::NotKept { message, .. } | Outcome::Warned { message } => Some(message),
            _ => None,
        }
    }

    /// How bad the outcome is, for the "worst of" rule of bundles.
    fn severity(&self) -> u8 {
        match self {
            Outcome::Kept => 0,
            Outcome::Repaired => 1,
            Outcome::Warned { .. } => 2,
            Outcome::NotKept { .. } => 3,
        }
    }

    /// The worse of two outcomes (the first on a tie).
    pub fn worst(self, other: Outcome) -> Outcome {
        if other.severity() > self.severity() {
            other
        } else {
            self
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Kept => f.write_str("kept"),
            Outcome::Repaired => f.write_str("repaired"),
            Outcome::NotKept { message, .. } => write!(f, "not kept: {message}"),
            Outcome::Warned { message } => write!(f, "warned: {message}"),
        }
    }
}

/// Counts of outcomes over a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub kept: usize,
    pub repaired: usize,
    pub not_kept: usize,
    pub warned: usize,
}

impl Summary {
    pub fn add(&mut self, outcome: &Outcome) {
        match outcome {
            Outcome::Kept => self.kept += 1,
            Outcome::Repaired => self.repaired += 1,
            Outcome::NotKept { .. } => self.not_kept += 1,
            Outcome::Warned { .. } => self.warned += 1,
        }
    }

    pub fn total(&self) -> usize {
        self.kept + self.repaired + self.not_kept + self.warned
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} promises: {} kept, {} repaired, {} not kept, {} warned",
            self.total(),
            self.kept,
            self.repaired,
            self.not_kept,
            self.warned
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worst_prefers_not_kept_over_repaired_over_kept() {
        let failed = Outcome::failed("x");
        assert_eq!(Outcome::Kept.worst(Outcome::Repaired), Outcome::Repaired);
        assert_eq!(Outcome::Repaired.worst(failed.clone()), failed);
        assert_eq!(failed.clone().worst(Outcome::Kept), failed);
    }

    #[test]
    fn names_for_machine_readable_output() {
        let timeout = Outcome::NotKept {
            reason: NotKeptReason::Timeout,
            message: "slow".into(),
        };
        assert_eq!(timeout.name(), "not_kept");
        assert_eq!(timeout.reason().map(NotKeptReason::name), Some("timeout"));
        assert_eq!(timeout.message(), Some("slow"));
        assert_eq!(Outcome::Repaired.name(), "repaired");
        assert_eq!(Outcome::Repaired.message(), None);
        let warned = Outcome::Warned {
            message: "would".into(),
        };
        assert_eq!((warned.name(), warned.reason()), ("warned", None));
    }

    #[test]
    fn summary_counts_and_prints() {
        let mut summary = Summary::default();
        summary.add(&Outcome::Kept);
        summary.add(&Outcome::Kept);
        summary.add(&Outcome::failed("no"));
        assert_eq!(
            summary.to_string(),
            "3 promises: 2 kept, 0 repaired, 1 not kept, 0 warned"
        );
    }
}
