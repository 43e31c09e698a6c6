//! The CFEngine 3 policy compiler: loads a policy (files and the files their
//! `inputs` name), and checks it. The compiler reads policy files and never
//! touches anything else on the host.

pub mod classes;
pub mod graph;
pub mod hard_classes;
pub mod ir;
pub mod lint;
pub mod load;
pub mod references;
pub mod resolve;
pub mod support;
pub mod syntax;

pub use load::{load, load_with, LoadError, LoadOptions, LoadedPolicy};
