//! `processes`: promises about running processes (SEMANTICS.md §4.8), as
//! cf-agent 3.21 keeps them (`verify_processes.c`):
//!
//! - the promiser is a regex matched anywhere in the command line of each
//!   process of the table ([`table`]), read once per bundle; a
//!   `process_select` body ([`select`]) narrows the matches;
//! - `process_count`: `match_range` in range defines `in_range_define`
//!   (kept, nothing else happens); out of range defines
//!   `out_of_range_define` (repaired) and goes on;
//! - `process_stop` (a command run without a shell) and `signals`, in
//!   order, for every match; a number `N` or `Ns` among the signals pauses
//!   N seconds; PID 1, PIDs below 4 and the agent itself are never
//!   signalled;
//! - `restart_class` is defined (namespace scope) when nothing matched or
//!   a match was sent `term` or `kill`;
//! - each step sets the outcome classes of its own result, as cf-agent's
//!   one report per step does: a count out of range without a restart is
//!   both repaired and kept;
//! - `action_policy => "warn"` (and `--audit`) lists the matches and
//!   changes nothing; a dry run (`-n`) sends no signal.

mod select;
mod table;

use std::path::Path;
use std::rc::Rc;
use std::time::Duration;

use compiler::ir::Promise;

use crate::eval::body::BodyAttributes;
use crate::eval::context::ClassScope;
use crate::eval::expand::Binding;
use crate::eval::Agent;
use crate::facts::canonify;
use crate::outcome::Outcome;
use crate::value::Value;
pub use select::{parse_range, ProcessSelect};
pub use table::ProcessEntry;

/// How a step is logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    Error,
    Warning,
    Info,
    Verbose,
}

/// The steps of one promise: each outcome sets its classes; the worst is
/// the promise's.
struct Steps<'a, 'p, 'w> {
    agent: &'a mut Agent<'p, 'w>,
    location: String,
    outcomes: Vec<Outcome>,
}

impl Steps<'_, '_, '_> {
    fn step(&mut self, outcome: Outcome, level: Level, message: &str) {
        self.log(level, message);
        self.outcomes.push(outcome);
    }

    /// A message that is not a step (no outcome).
    fn log(&mut self, level: Level, message: &str) {
        let line = format!("{}: {message}", self.location);
        match level {
            Level::Error => self.agent.log.error(&line),
            Level::Warning => self.agent.log.warning(&line),
            Level::Info => self.agent.log.info(&line),
            Level::Verbose => self.agent.log.verbose(&line),
        }
    }

    fn define(&mut self, class: &str) {
        let namespace = self.agent.namespace().to_string();
        self.agent
            .classes
            .define(&namespace, &canonify(class), ClassScope::Namespace);
    }
}

/// The attributes of a processes promise.
struct Attributes {
    select: Option<ProcessSelect>,
    count: Option<Count>,
    restart_class: Option<String>,
    signals: Vec<String>,
    process_stop: Option<String>,
    warn_only: bool,
}

/// A `process_count` body.
struct Count {
    range: Option<(i64, i64)>,
    in_range: Vec<String>,
    out_of_range: Vec<String>,
}

pub fn actuate(agent: &mut Agent, promise: &Promise, promiser: &str, binding: &Binding) {
    let location = agent.location(promise);
    let attributes = match attributes(agent, promise, binding) {
        Ok(attributes) => attributes,
        Err(message) => {
            let outcome = Outcome::failed(format!("processes promise '{promiser}': {message}"));
            return agent.record(promise, binding, outcome);
        }
    };
    sanity_checks(agent, &location, promiser, &attributes);
    let table = process_table(agent);
    let mut steps = Steps {
        agent,
        location,
        outcomes: Vec::new(),
    };
    let result = keep(&mut steps, promiser, &attributes, &table);
    let outcomes = std::mem::take(&mut steps.outcomes);
    steps
        .agent
        .record_steps(promise, binding, &outcomes, result);
}

/// The table of this bundle, read now if no processes promise of the
/// bundle read it yet.
fn process_table(agent: &mut Agent) -> Rc<Vec<ProcessEntry>> {
    if let Some(table) = &agent.process_table {
        return Rc::clone(table);
    }
    let table = Rc::new(table::read(Path::new("/proc")));
    agent.process_table = Some(Rc::clone(&table));
    table
}

fn attributes(agent: &Agent, promise: &Promise, binding: &Binding) -> Result<Attributes, String> {
    let body = |name: &str| agent.body_attribute(promise, name, binding);
    let value = |name: &str| agent.attribute(promise, name, binding);
    let select = body("process_select")
        .map(|b| ProcessSelect::from_body(&b))
        .transpose()?;
    let count = body("process_count").map(|b| count_body(&b)).transpose()?;
    let signals = match value("signals") {
        Some(Value::List(items)) => items,
        Some(Value::Scalar(item)) => vec![item],
        _ => Vec::new(),
    };
    let scalar = |name: &str| value(name).and_then(|v| v.as_scalar().map(str::to_string));
    let warn_only = agent.audit || agent.action_settings(promise, binding).warn_only;
    Ok(Attributes {
        select,
        count,
        restart_class: scalar("restart_class"),
        signals,
        process_stop: scalar("process_stop"),
        warn_only,
    })
}

fn count_body(body: &BodyAttributes) -> Result<Count, String> {
    let range = match body.scalar("match_range") {
        Some(text) => Some(
            parse_range(text)
                .ok_or_else(|| format!("Could not make sense of integer range [{text}]"))?,
        ),
        None => None,
    };
    Ok(Count {
        range,
        in_range: body.list("in_range_define"),
        out_of_range: body.list("out_of_range_define"),
    })
}

/// cf-agent's warnings about promises that cannot converge or are
/// incomplete; the promise is kept all the same.
fn sanity_checks(agent: &Agent, location: &str, promiser: &str, a: &Attributes) {
    let promised_zero = a.count.as_ref().and_then(|c| c.range) == Some((0, 0));
    if a.restart_class.is_some() {
        if a.signals.iter().any(|s| s == "term" || s == "kill") {
            agent.log.warning(&format!(
                "{location}: Promise '{promiser}' kills then restarts - never strictly converges"
            ));
        }
        if promised_zero {
            agent.log.error(&format!(
                "{location}: Promise constraint conflicts - '{promiser}' processes cannot have zero count if restarted"
            ));
        }
    }
    if a.select.as_ref().is_some_and(|s| !s.has_result()) {
        agent.log.error(&format!(
            "{location}: Process select constraint body promised no result (check body definition)"
        ));
    }
    if let Some(count) = &a.count {
        if count.range.is_none() {
            agent.log.error(&format!(
                "{location}: process_count used without match_range, this promise will not define a class based on a count of matching promises."
            ));
        }
        if count.in_range.is_empty() && count.out_of_range.is_empty() {
            agent.log.error(&format!(
                "{location}: process_count body is insufficiently defined. process_count must specify at least one of in_range_define or out_of_range_define."
            ));
        }
    }
}

/// The processes the promise is about, in table order.
fn matches<'t>(
    steps: &mut Steps,
    promiser: &str,
    a: &Attributes,
    table: &'t [ProcessEntry],
) -> Vec<&'t ProcessEntry> {
    let promised_zero = a.count.as_ref().and_then(|c| c.range) == Some((0, 0));
    let own_pid = i64::from(std::process::id());
    let mut found = Vec::new();
    for entry in table {
        let command_matches = crate::functions::regex::search(promiser, &entry.command)
            .ok()
            .flatten()
            .is_some();
        if !command_matches || !a.select.as_ref().is_none_or(|s| s.selects(entry)) {
            continue;
        }
        if !a.signals.is_empty() && (entry.pid < 4 || entry.pid == own_pid) {
            steps.log(
                Level::Verbose,
                &format!(
                    "Will not signal process {} (pid 1-3 or the agent itself)",
                    entry.pid
                ),
            );
            continue;
        }
        if a.warn_only && promised_zero {
            steps.log(Level::Warning, &format!("Process alert '{}'", entry.line()));
            continue;
        }
        let level = if a.warn_only {
            Level::Warning
        } else {
            Level::Verbose
        };
        steps.log(level, &format!("Matched '{}'", entry.line()));
        found.push(entry);
    }
    found
}

/// cf-agent's `VerifyProcessOp`; returns the promise's result.
fn keep(steps: &mut Steps, promiser: &str, a: &Attributes, table: &[ProcessEntry]) -> Outcome {
    let matched = matches(steps, promiser, a, table);
    let mut result = Outcome::Kept;
    if let Some(count) = &a.count {
        if let Some((min, max)) = count.range {
            let found = i64::try_from(matched.len()).unwrap_or(i64::MAX);
            if found < min || found > max {
                steps.step(
                    Outcome::Repaired,
                    Level::Verbose,
                    &format!(
                        "Process count for '{promiser}' was out of promised range ({found} found)"
                    ),
                );
                result = result.worst(Outcome::Repaired);
                for class in &count.out_of_range {
                    steps.define(class);
                }
            } else {
                for class in &count.in_range {
                    steps.define(class);
                }
                steps.step(
                    Outcome::Kept,
                    Level::Verbose,
                    &format!("Process promise for '{promiser}' is kept"),
                );
                return result;
            }
        }
    }
    if a.warn_only {
        result = result.worst(Outcome::Warned {
            message: format!(
                "processes matching '{promiser}' need attention, but only a warning was promised"
            ),
        });
    }
    let mut killed = false;
    if !a.warn_only && !matched.is_empty() {
        if let Some(stop) = &a.process_stop {
            match stop_command(steps, promiser, stop) {
                StopResult::Done(outcome) => result = result.worst(outcome),
                StopResult::Abandon(outcome) => return result.worst(outcome),
            }
        }
        let (sent_kill, outcome) = send_signals(steps, &matched, &a.signals);
        killed = sent_kill;
        if let Some(outcome) = outcome {
            result = result.worst(outcome);
        }
    }
    let need_restart = a.restart_class.is_some() && (killed || matched.is_empty());
    let Some(restart_class) = a.restart_class.as_ref().filter(|_| need_restart) else {
        steps.step(
            Outcome::Kept,
            Level::Verbose,
            &format!("No restart promised for {promiser}"),
        );
        return result;
    };
    if a.warn_only {
        let message = format!(
            "Need to keep restart promise for '{promiser}', but only a warning is promised"
        );
        steps.step(
            Outcome::Warned {
                message: message.clone(),
            },
            Level::Warning,
            &message,
        );
        return result.worst(Outcome::Warned { message });
    }
    let status = if killed {
        Outcome::Repaired
    } else {
        Outcome::Kept
    };
    steps.step(
        status.clone(),
        Level::Verbose,
        &format!("C:     +  Global class: {restart_class} "),
    );
    steps.define(restart_class);
    result.worst(status)
}

enum StopResult {
    Done(Outcome),
    /// The stop command cannot run: nothing else is done.
    Abandon(Outcome),
}

/// `process_stop`: run without a shell, judged by its exit code.
fn stop_command(steps: &mut Steps, promiser: &str, command: &str) -> StopResult {
    if steps.agent.dry_run {
        let message = format!(
            "Need to keep process-stop promise for '{promiser}', but only a warning is promised"
        );
        steps.step(
            Outcome::Warned {
                message: message.clone(),
            },
            Level::Error,
            &message,
        );
        return StopResult::Done(Outcome::Warned { message });
    }
    let arg0 = super::commands::command_arg0(command);
    if super::commands::check_executable(&arg0).is_err() {
        let message = format!(
            "Process promise to stop '{promiser}' could not be kept because '{command}' is not executable"
        );
        steps.step(Outcome::failed(message.clone()), Level::Error, &message);
        return StopResult::Abandon(Outcome::failed(message));
    }
    let words = super::commands::split_command(command);
    let succeeded = words.split_first().is_some_and(|(program, args)| {
        std::process::Command::new(program)
            .args(args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    });
    if succeeded {
        let message = format!("Promise to stop '{promiser}' repaired, '{command}' returned zero");
        steps.step(Outcome::Repaired, Level::Info, &message);
        StopResult::Done(Outcome::Repaired)
    } else {
        let message = format!("Promise to stop '{promiser}' failed, '{command}' returned nonzero");
        steps.step(Outcome::failed(message.clone()), Level::Error, &message);
        StopResult::Done(Outcome::failed(message))
    }
}

/// What one entry of `signals` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SignalSpec {
    Pause(u64),
    /// A signal number; `None` for a name cf-agent does not know.
    Signal(Option<i32>),
}

fn signal_spec(spec: &str) -> SignalSpec {
    let digits = spec.strip_suffix('s').unwrap_or(spec);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(seconds) = digits.parse() {
            return SignalSpec::Pause(seconds);
        }
    }
    SignalSpec::Signal(signal_number(spec))
}

/// cf-agent's `SignalFromString`.
fn signal_number(name: &str) -> Option<i32> {
    Some(match name {
        "hup" => libc::SIGHUP,
        "int" => libc::SIGINT,
        "trap" => libc::SIGTRAP,
        "kill" => libc::SIGKILL,
        "pipe" => libc::SIGPIPE,
        "cont" => libc::SIGCONT,
        "abrt" => libc::SIGABRT,
        "stop" => libc::SIGSTOP,
        "quit" => libc::SIGQUIT,
        "term" => libc::SIGTERM,
        "child" => libc::SIGCHLD,
        "usr1" => libc::SIGUSR1,
        "usr2" => libc::SIGUSR2,
        "bus" => libc::SIGBUS,
        "segv" => libc::SIGSEGV,
        _ => return None,
    })
}

/// Sends every signal to every match, in order; returns whether `term` or
/// `kill` was sent and the outcome (failed when the last signal sent to
/// the last process could not be delivered, as cf-agent judges it).
fn send_signals(
    steps: &mut Steps,
    matched: &[&ProcessEntry],
    signals: &[String],
) -> (bool, Option<Outcome>) {
    let mut killed = false;
    let mut outcome = None;
    let mut last_failure: Option<String> = None;
    for entry in matched {
        for spec in signals {
            let signal = match signal_spec(spec) {
                SignalSpec::Pause(seconds) => {
                    std::thread::sleep(Duration::from_secs(seconds));
                    continue;
                }
                SignalSpec::Signal(signal) => signal,
            };
            if steps.agent.dry_run {
                steps.log(
                    Level::Error,
                    &format!(
                        "Need to keep signal promise '{spec}' in process entry '{}'",
                        entry.line()
                    ),
                );
                continue;
            }
            if matches!(signal, Some(libc::SIGKILL | libc::SIGTERM)) {
                killed = true;
            }
            match deliver(entry.pid, signal) {
                Ok(()) => {
                    steps.step(
                        Outcome::Repaired,
                        Level::Info,
                        &format!(
                            "Signalled '{spec}' ({}) to process {} ({})",
                            signal.unwrap_or(-1),
                            entry.pid,
                            entry.command
                        ),
                    );
                    outcome = Some(Outcome::Repaired);
                    last_failure = None;
                }
                Err(why) => {
                    let message = format!(
                        "Couldn't send promised signal '{spec}' ({}) to pid {} (might be dead). (kill: {why})",
                        signal.unwrap_or(-1),
                        entry.pid
                    );
                    steps.step(Outcome::failed(message.clone()), Level::Info, &message);
                    last_failure = Some(message);
                }
            }
        }
    }
    if let Some(message) = last_failure {
        let failed = Outcome::failed(message);
        outcome = Some(match outcome {
            Some(o) => o.worst(failed),
            None => failed,
        });
    }
    (killed, outcome)
}

fn deliver(pid: i64, signal: Option<i32>) -> Result<(), String> {
    let Some(signal) = signal else {
        return Err("Invalid argument".into());
    };
    let pid = libc::pid_t::try_from(pid).map_err(|_| "no such process".to_string())?;
    // Never PID 1 nor the agent, whatever the table said.
    if pid <= 1 || i64::from(pid) == i64::from(std::process::id()) {
        return Err("refusing to signal init or the agent itself".into());
    }
    // SAFETY: kill only sends a signal; the pid was checked above.
    if unsafe { libc::kill(pid, signal) } == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signal_specs_are_names_or_pauses() {
        assert_eq!(signal_spec("term"), SignalSpec::Signal(Some(libc::SIGTERM)));
        assert_eq!(signal_spec("hup"), SignalSpec::Signal(Some(libc::SIGHUP)));
        assert_eq!(signal_spec("2"), SignalSpec::Pause(2));
        assert_eq!(signal_spec("3s"), SignalSpec::Pause(3));
        assert_eq!(signal_spec("SIGTERM"), SignalSpec::Signal(None));
        assert_eq!(signal_spec("s"), SignalSpec::Signal(None));
    }

    #[test]
    fn init_and_the_agent_are_never_signalled() {
        assert!(deliver(1, Some(0)).is_err());
        assert!(deliver(i64::from(std::process::id()), Some(0)).is_err());
        assert!(deliver(5, None).is_err());
    }
}
