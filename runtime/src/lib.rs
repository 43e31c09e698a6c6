//! The agent runtime: evaluator, host facts, promise types, outcomes and the
//! state store. Built in issue 4; nothing is here yet.
