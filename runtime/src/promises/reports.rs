//! `reports`: `R: text` on stdout, or into a file (`report_to_file`), or
//! as a bundle return value (SEMANTICS.md §4.3).

use std::io::Write;

use compiler::ir::Promise;

use crate::eval::expand::Binding;
use crate::eval::Agent;
use crate::outcome::Outcome;
use crate::sink::PromiseOrigin;

pub fn actuate(agent: &mut Agent, promise: &Promise, text: &str, binding: &Binding) -> Outcome {
    if let Some(key) = agent.scalar_attribute(promise, "bundle_return_value_index", binding) {
        if let Some(frame) = agent.frame_mut() {
            frame.return_values.insert(key, text.to_string());
        }
        return Outcome::Kept;
    }
    if let Some(path) = agent.scalar_attribute(promise, "report_to_file", binding) {
        return match append_line(&path, text) {
            Ok(()) => Outcome::Kept,
            Err(error) => {
                Outcome::failed(format!("could not append the report to '{path}': {error}"))
            }
        };
    }
    let origin = agent.origin(promise);
    if let Err(error) = agent.reports.report(text, &origin) {
        return Outcome::failed(format!("could not print the report: {error}"));
    }
    if let Some(outcome) = print_file(agent, promise, binding, &origin) {
        return outcome;
    }
    Outcome::Kept
}

fn append_line(path: &str, text: &str) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    writeln!(file, "{text}")
}

/// `printfile`: the first `number_of_lines` lines of `file_to_print`
/// (the last ones when negative), each as an `R:` line.
fn print_file(
    agent: &mut Agent,
    promise: &Promise,
    binding: &Binding,
    origin: &PromiseOrigin,
) -> Option<Outcome> {
    let body = agent.body_attribute(promise, "printfile", binding)?;
    let path = body.scalar("file_to_print")?.to_string();
    let count: i64 = body
        .scalar("number_of_lines")
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(5);
    let content = match std::fs::read_to_string(&path) {
        Ok(content) => content,
        Err(error) => {
            return Some(Outcome::failed(format!(
                "could not print '{path}': {error}"
            )))
        }
    };
    let lines: Vec<&str> = content.lines().collect();
    let wanted = usize::try_from(count.unsigned_abs())
        .unwrap_or(usize::MAX)
        .min(lines.len());
    let chosen = if count < 0 {
        &lines[lines.len() - wanted..]
    } else {
        &lines[..wanted]
    };
    for line in chosen {
        if let Err(error) = agent.reports.report(line, origin) {
            return Some(Outcome::failed(format!(
                "could not print the report: {error}"
            )));
        }
    }
    None
}
