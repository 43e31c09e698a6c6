//! One module per promise type, each with one entry point, `actuate`,
//! called once per promise iteration that passed its guards.

pub mod accounts;
pub mod classes;
pub mod commands;
pub mod defaults;
pub mod files;
pub mod methods;
pub mod module_protocol;
pub mod packages;
pub mod processes;
pub mod reports;
pub mod services;
pub mod storage;
pub mod users;
pub mod vars;
