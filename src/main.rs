//! `promise-rs`: the command line. Argument parsing and wiring only; the work
//! is done by the grammar, compiler and runtime crates.

mod commands;
mod render;
mod workdir;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

// Parsing allocates many small nodes from two threads; mimalloc does that
// with far fewer page faults than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "promise-rs",
    version,
    about = "A compiler, linter and converging agent for the CFEngine 3 policy language"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check policy files for errors without touching the system.
    Lint(commands::lint::LintArgs),
    /// Parse one file and print its syntax tree.
    Parse(commands::parse::ParseArgs),
    /// Print the promise dependency graph (Graphviz dot or JSON).
    Graph(commands::graph::GraphArgs),
    /// Evaluate a policy and converge the host, like cf-agent.
    Run(commands::run::RunArgs),
    /// List CFEngine 3.21's functions with signature, family and status.
    Functions(commands::functions::FunctionsArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Lint(args) => commands::lint::run(args),
        Command::Parse(args) => commands::parse::run(args),
        Command::Graph(args) => commands::graph::run(args),
        Command::Run(args) => commands::run::run(args),
        Command::Functions(args) => commands::functions::run(args),
    }
}
