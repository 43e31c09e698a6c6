//! The agent runtime: evaluator, host facts, promise types, outcomes and the
//! state store.

pub mod eval;
pub mod facts;
pub mod fileops;
pub mod functions;
pub mod outcome;
pub mod process;
pub mod promises;
pub mod state;
pub mod value;

pub use eval::{run, RunOptions, RunReport, Verbosity};
pub use outcome::{Outcome, Summary};
pub use value::Value;
