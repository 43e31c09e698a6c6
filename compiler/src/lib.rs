//! The CFEngine 3 policy compiler: loads a policy (files and the files their
//! `inputs` name), and checks it. The compiler reads policy files and never
//! touches anything else on the host.

pub mod load;

pub use load::{load, LoadError, LoadedPolicy};
