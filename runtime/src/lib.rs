//! The agent runtime: evaluator, host facts, promise types, outcomes and the
//! state store.

pub mod eval;
pub mod facts;
pub mod fileops;
pub mod functions;
pub mod outcome;
pub mod process;
pub mod promises;
pub mod sink;
pub mod state;
pub mod value;

pub use eval::{run, run_with, RunOptions, RunReport, Verbosity};
pub use outcome::{NotKeptReason, Outcome, Summary};
pub use sink::{PromiseOrigin, ReportLines, RunSink};
pub use value::Value;
