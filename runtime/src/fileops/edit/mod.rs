//! The line-editing engine of `edit_line` bundles: a file's lines in memory
//! and the operations insert_lines, delete_lines, replace_patterns and
//! field_edits apply to them, each inside an optional region. Nothing here
//! knows about policy: the files promise turns attributes into these calls
//! and writes the lines back (atomically) only if they changed.
//!
//! Each operation reports its steps ([`report::Report`]) the way cf-agent
//! 3.21 reports them, so that outcome classes and messages match.

pub mod delete;
pub mod fields;
pub mod insert;
pub mod lines;
pub mod matching;
pub mod region;
pub mod replace;
pub mod report;

pub use lines::{LineId, Lines};
pub use report::{Report, Step, Verdict};
