//! `promise-rs run [-f] [FILE]`: evaluates a policy and converges the host,
//! with cf-agent's flags. `R:` report lines go to stdout, logs and the
//! closing summary to stderr; with `--format json` stdout is JSON lines
//! instead (see `json`).
//!
//! Exit status: 0 when the run completed, whatever the promise outcomes
//! (as cf-agent); 1 when the policy does not load or a fatal error stopped
//! the run (missing bundle); 2 for a wrong command line or unreadable file;
//! 3 with `--audit` when some promise would change the host (drift).

mod json;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::SystemTime;

use clap::{Args, ValueEnum};
use compiler::ir::Policy;
use compiler::resolve::Index;
use runtime::facts::{FactsConfig, HostFacts};
use runtime::{RunOptions, Verbosity};

use super::{EXIT_ERRORS, EXIT_USAGE};

/// `--audit` found something that would change.
const EXIT_DRIFT: u8 = 3;
use crate::render::{self, Format};

#[derive(Args)]
pub struct RunArgs {
    /// The policy's entry file (default: `promises.cf` in the workdir's
    /// `inputs`, and when that does not exist the built-in default policy).
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// The policy's entry file (cf-agent's spelling).
    #[arg(
        short = 'f',
        long = "file",
        value_name = "FILE",
        conflicts_with = "file"
    )]
    pub file_flag: Option<PathBuf>,
    /// Ignore promise locks: run every promise whatever `ifelapsed` says,
    /// and record nothing for the next run.
    #[arg(short = 'K', long = "no-lock")]
    pub no_lock: bool,
    /// Define classes (comma-separated, repeatable).
    #[arg(short = 'D', long = "define", value_name = "CLASSES")]
    pub define: Vec<String>,
    /// Negate persistent classes (comma-separated, repeatable).
    #[arg(short = 'N', long = "negate", value_name = "CLASSES")]
    pub negate: Vec<String>,
    /// Run these bundles instead of the policy's bundlesequence.
    #[arg(short = 'b', long = "bundlesequence", value_name = "BUNDLES")]
    pub bundlesequence: Vec<String>,
    /// Log what was changed.
    #[arg(short = 'I', long = "inform")]
    pub inform: bool,
    /// Log every promise.
    #[arg(short = 'v', long = "verbose")]
    pub verbose: bool,
    /// Change nothing: commands are not run (unless `preview`), reports
    /// are not printed, every would-be repair is a warning (cf-agent's -n).
    #[arg(short = 'n', long = "dry-run")]
    pub dry_run: bool,
    /// Run every promise as if `action_policy => "warn"`: nothing changes,
    /// each would-be change is reported (commands with their command
    /// line); exit 3 when anything would change.
    #[arg(long, conflicts_with = "dry_run")]
    pub audit: bool,
    /// The agent's work directory (default: PROMISE_WORKDIR, then
    /// /var/lib/promise-rs for root and ~/.promise-rs otherwise).
    #[arg(long)]
    pub workdir: Option<PathBuf>,
    /// `human`: `R:` lines on stdout, the summary on stderr. `json`: stdout
    /// is one JSON object per line: each report, each promise outcome,
    /// then the summary.
    #[arg(long, value_enum, default_value_t = RunFormat::Human)]
    pub format: RunFormat,
}

/// cf-agent's default entry file, `$(sys.inputdir)/promises.cf`; when it is
/// not there, the default policy built into the binary stands in for it.
fn default_entry(sys: &compiler::load::SysDirs) -> PathBuf {
    let entry = sys.default_entry();
    if !entry.exists() {
        eprintln!(
            "promise-rs run: no {}: running the built-in default policy",
            entry.display()
        );
    }
    entry
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RunFormat {
    Human,
    Json,
}

pub fn run(args: RunArgs) -> ExitCode {
    let workdir = crate::workdir::resolve(args.workdir.clone());
    let options = crate::workdir::load_options(Some(workdir.clone()));
    let file = match args.file_flag.clone().or_else(|| args.file.clone()) {
        Some(file) => std::path::absolute(&file).unwrap_or(file),
        None => default_entry(&options.sys),
    };
    let loaded = match compiler::load_with(std::slice::from_ref(&file), &options) {
        Ok(loaded) => loaded,
        Err(error) => {
            eprintln!("promise-rs run: {error}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    if loaded.error_count() > 0 {
        let _ = render::write(&mut std::io::stderr(), Format::Short, &loaded);
        eprintln!("promise-rs run: the policy has errors; nothing was run");
        return ExitCode::from(EXIT_ERRORS);
    }
    let index = Index::build(&loaded.files);
    let policy = Policy::build(&index);
    let facts = HostFacts::discover(&FactsConfig {
        workdir,
        policy_file: Some(file),
        now: SystemTime::now(),
        root: PathBuf::from("/"),
    });
    let run_options = RunOptions {
        define: args.define,
        negate: args.negate,
        no_lock: args.no_lock,
        bundlesequence: (!args.bundlesequence.is_empty()).then_some(args.bundlesequence),
        dry_run: args.dry_run,
        audit: args.audit,
        verbosity: if args.verbose {
            Verbosity::Verbose
        } else if args.inform {
            Verbosity::Inform
        } else {
            Verbosity::Quiet
        },
    };
    runtime::process::set_agent_umask();
    let stdout = std::io::stdout().lock();
    let mut stderr = std::io::stderr();
    let report = match args.format {
        RunFormat::Human => {
            let mut stdout = stdout;
            let report = runtime::run(
                &policy,
                &loaded.sources,
                facts,
                &run_options,
                &mut stdout,
                &mut stderr,
            );
            let _ = stdout.flush();
            eprintln!("promise-rs run: {}", report.summary);
            report
        }
        RunFormat::Json => {
            let mut sink = json::JsonLines::new(stdout);
            let report = runtime::run_with(
                &policy,
                &loaded.sources,
                facts,
                &run_options,
                &mut sink,
                &mut stderr,
            );
            let _ = sink.summary(&report.summary, report.fatal.as_deref());
            report
        }
    };
    match report.fatal {
        Some(_) => ExitCode::from(EXIT_ERRORS),
        None if args.audit && report.summary.warned > 0 => ExitCode::from(EXIT_DRIFT),
        None => ExitCode::SUCCESS,
    }
}
