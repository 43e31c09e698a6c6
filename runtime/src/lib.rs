//! The agent runtime: evaluator, host facts, promise types, outcomes and the
//! state store.

pub mod facts;
pub mod value;

pub use value::Value;
