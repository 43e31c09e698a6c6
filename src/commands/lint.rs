use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::{EXIT_ERRORS, EXIT_USAGE};
use crate::render::{self, Format};

#[derive(Args)]
pub struct LintArgs {
    /// Policy files, or directories to search for *.cf files.
    #[arg(required_unless_present_any = ["explain", "list_rules"])]
    paths: Vec<PathBuf>,
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Explain a diagnostic code (e.g. S002) and exit.
    #[arg(long, value_name = "CODE")]
    explain: Option<String>,
    /// List the lint rules (code, name, whether cf-promises 3.21 catches it) and exit.
    #[arg(long)]
    list_rules: bool,
    /// The agent's work directory, for `$(sys.libdir)`-style inputs
    /// (default: PROMISE_WORKDIR, else /var/lib/promise-rs as root, ~/.promise-rs otherwise).
    #[arg(long)]
    workdir: Option<std::path::PathBuf>,
}

pub fn run(args: LintArgs) -> ExitCode {
    if let Some(code) = args.explain {
        return explain(&code);
    }
    if args.list_rules {
        for rule in compiler::lint::rules() {
            let cf = match rule.cf_promises {
                compiler::lint::CfPromises::Yes => "yes",
                compiler::lint::CfPromises::No => "no",
                compiler::lint::CfPromises::Partly => "partly",
            };
            println!(
                "{}\t{}\t{}\t{}\t{}",
                rule.code,
                rule.severity.as_str(),
                rule.name,
                cf,
                rule.summary
            );
        }
        return ExitCode::SUCCESS;
    }
    let options = crate::workdir::load_options(args.workdir.clone());
    let mut policy = match compiler::load_with(&args.paths, &options) {
        Ok(policy) => policy,
        Err(error) => {
            eprintln!("promise-rs lint: {error}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let semantic = compiler::lint::check(&policy);
    policy.add_diagnostics(semantic);
    let mut stdout = std::io::stdout().lock();
    if let Err(error) = render::write(&mut stdout, args.format, &policy) {
        eprintln!("promise-rs lint: cannot write output: {error}");
        return ExitCode::from(EXIT_USAGE);
    }
    if args.format != render::Format::Json {
        note_unresolved_inputs(&policy);
    }
    if policy.error_count() > 0 {
        ExitCode::from(EXIT_ERRORS)
    } else {
        ExitCode::SUCCESS
    }
}

/// Inputs only the running agent can resolve make "not defined" uncertain;
/// say so, since it changes what the checks could see.
fn note_unresolved_inputs(policy: &compiler::LoadedPolicy) {
    let Some((text, span)) = policy.unresolved_inputs.first() else {
        return;
    };
    let file = &policy.sources.get(span.file).path;
    eprintln!(
        "note: {} `inputs` entr{} cannot be resolved without running the policy (first: {text} at {file}:{}:{}); \
         undefined bodies and bundles are reported as warnings, unused and undefined-name checks are skipped",
        policy.unresolved_inputs.len(),
        if policy.unresolved_inputs.len() == 1 { "y" } else { "ies" },
        span.line,
        span.column
    );
}

fn explain(code: &str) -> ExitCode {
    let wanted = code.to_ascii_uppercase();
    if wanted == compiler::load::MISSING_INPUT {
        println!("{wanted}: an `inputs` entry names a file that cannot be read");
        return ExitCode::SUCCESS;
    }
    if let Some(rule) = compiler::lint::rules().iter().find(|r| r.code == wanted) {
        println!("{} ({}): {}", rule.code, rule.name, rule.summary);
        return ExitCode::SUCCESS;
    }
    match grammar::Code::ALL.iter().find(|c| c.as_str() == wanted) {
        Some(c) => {
            println!("{}: {}", c.as_str(), c.summary());
            ExitCode::SUCCESS
        }
        None => {
            eprintln!("promise-rs lint: unknown diagnostic code '{code}'");
            ExitCode::from(EXIT_USAGE)
        }
    }
}
