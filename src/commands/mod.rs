pub mod functions;
pub mod graph;
pub mod lint;
pub mod parse;
pub mod run;

/// Exit status: the policy has errors.
pub const EXIT_ERRORS: u8 = 1;
/// Exit status: the command line or a named path is wrong.
pub const EXIT_USAGE: u8 = 2;
