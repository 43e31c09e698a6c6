//! `promise-rs functions`: every function of CFEngine 3.21 with its
//! signature, family and whether this agent implements it.

use std::io::Write;
use std::process::ExitCode;

use clap::Args;
use compiler::syntax::{self, Function};
use runtime::functions::status::{self, Missing};

#[derive(Args)]
pub struct FunctionsArgs {
    /// Only functions of this family (`data`, `files`, `io`, `system`, …).
    #[arg(long)]
    pub family: Option<String>,
    /// Only functions that are not implemented.
    #[arg(long)]
    pub missing: bool,
}

fn signature(function: &Function) -> String {
    let mut parameters: Vec<String> = function
        .parameters
        .iter()
        .map(|p| format!("{:?}", p.kind).to_lowercase())
        .collect();
    if function.variadic {
        parameters.push("…".into());
    }
    format!(
        "{}({}) -> {}",
        function.name,
        parameters.join(", "),
        format!("{:?}", function.return_type).to_lowercase()
    )
}

/// The status column: `implemented`, `not yet: …`, `not applicable: …`.
fn status_of(name: &str) -> String {
    if runtime::functions::table().get(name).is_some() {
        return match status::note(name) {
            Some(note) => format!("implemented (note: {note})"),
            None => "implemented".into(),
        };
    }
    match status::missing(name) {
        Some(Missing::NotYet(reason)) => format!("not yet: {reason}"),
        Some(Missing::NotApplicable(reason)) => format!("not applicable: {reason}"),
        None => "not yet: no reason recorded".into(),
    }
}

pub fn run(args: FunctionsArgs) -> ExitCode {
    let mut out = std::io::stdout().lock();
    let mut implemented = 0;
    for function in syntax::FUNCTIONS {
        let is_implemented = runtime::functions::table().get(function.name).is_some();
        implemented += usize::from(is_implemented);
        if args
            .family
            .as_deref()
            .is_some_and(|f| f != function.category)
            || (args.missing && is_implemented)
        {
            continue;
        }
        let line = format!(
            "{:<60} {:<13} {}",
            signature(function),
            function.category,
            status_of(function.name)
        );
        if writeln!(out, "{line}").is_err() {
            return ExitCode::SUCCESS;
        }
    }
    let _ = writeln!(
        out,
        "{implemented} of {} functions implemented",
        syntax::FUNCTIONS.len()
    );
    ExitCode::SUCCESS
}
