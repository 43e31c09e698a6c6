use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Args;

use super::{EXIT_ERRORS, EXIT_USAGE};

#[derive(Args)]
pub struct ParseArgs {
    /// The policy file to parse.
    file: PathBuf,
    /// Print the syntax tree as JSON (the default).
    #[arg(long)]
    json: bool,
    /// Print only the size, the parse time and the throughput.
    #[arg(long, conflicts_with = "json")]
    stats: bool,
}

pub fn run(args: ParseArgs) -> ExitCode {
    let text = match std::fs::read(&args.file) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(error) => {
            eprintln!("promise-rs parse: {}: {error}", args.file.display());
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let path = args.file.display().to_string();
    let started = Instant::now();
    let output = grammar::parse(&path, &text);
    let elapsed = started.elapsed();
    if args.stats {
        let seconds = elapsed.as_secs_f64();
        println!(
            "{} bytes, {} blocks, {} diagnostics, {:.3} s, {:.1} MB/s",
            text.len(),
            output.file.blocks.len(),
            output.diagnostics.len(),
            seconds,
            text.len() as f64 / 1e6 / seconds.max(1e-9)
        );
    } else {
        let json = serde_json::json!({
            "file": output.file,
            "diagnostics": output.diagnostics,
        });
        match serde_json::to_writer(std::io::stdout().lock(), &json) {
            Ok(()) => println!(),
            Err(error) => {
                eprintln!("promise-rs parse: cannot write output: {error}");
                return ExitCode::from(EXIT_USAGE);
            }
        }
    }
    if output.has_errors() {
        ExitCode::from(EXIT_ERRORS)
    } else {
        ExitCode::SUCCESS
    }
}
