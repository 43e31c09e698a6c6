//! Log lines on stderr (reports go elsewhere), filtered by verbosity.

use std::cell::RefCell;
use std::io::Write;

/// `-I` inform, `-v` verbose; errors are always shown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    #[default]
    Quiet,
    Inform,
    Verbose,
}

pub struct Log<'w> {
    sink: RefCell<&'w mut dyn Write>,
    verbosity: Verbosity,
}

impl<'w> Log<'w> {
    pub fn new(sink: &'w mut dyn Write, verbosity: Verbosity) -> Self {
        Log {
            sink: RefCell::new(sink),
            verbosity,
        }
    }

    fn line(&self, level: &str, message: &str) {
        if let Ok(mut sink) = self.sink.try_borrow_mut() {
            // A closed stderr must not stop the run.
            let _ = writeln!(sink, "promise-rs: {level}: {message}");
        }
    }

    pub fn error(&self, message: &str) {
        self.line("error", message);
    }

    /// Shown at every verbosity, as cf-agent shows warnings.
    pub fn warning(&self, message: &str) {
        self.line("warning", message);
    }

    /// Shown at every verbosity, as cf-agent shows notices (command output).
    pub fn notice(&self, message: &str) {
        self.line("notice", message);
    }

    pub fn info(&self, message: &str) {
        if self.verbosity >= Verbosity::Inform {
            self.line("info", message);
        }
    }

    /// Whether verbose lines are shown: a caller can skip building them.
    pub fn verbose_enabled(&self) -> bool {
        self.verbosity >= Verbosity::Verbose
    }

    pub fn verbose(&self, message: &str) {
        if self.verbosity >= Verbosity::Verbose {
            self.line("verbose", message);
        }
    }

    /// A line without level, always shown (the closing summary).
    pub fn plain(&self, message: &str) {
        if let Ok(mut sink) = self.sink.try_borrow_mut() {
            let _ = writeln!(sink, "{message}");
        }
    }
}
