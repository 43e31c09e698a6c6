//! One module per promise type, each with one entry point, `actuate`,
//! called once per promise iteration that passed its guards.

pub mod classes;
pub mod commands;
pub mod defaults;
pub mod files;
pub mod methods;
pub mod module_protocol;
pub mod reports;
pub mod vars;
