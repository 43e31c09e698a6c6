//! `users`: local user accounts present, absent or locked, as cf-agent
//! 3.21 keeps them on Linux (`verify_users.c`, `verify_users_pam.c`):
//! the state comes from `/etc/passwd`, `/etc/group` and `/etc/shadow`
//! ([`database`]); the changes are `useradd`, `usermod`, `userdel` and
//! `chpasswd` commands ([`plan`]); `home_bundle` is called after a user
//! is created. A dry run, `--audit` or `action_policy => "warn"` only says
//! what it would do (cf-agent counts that as failed; here it is a
//! warning, with the same classes).
//!
//! Differences from cf-agent: plaintext passwords are checked with
//! `crypt(3)` and set with `chpasswd` rather than through PAM.

mod crypt;
mod database;
mod plan;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use compiler::ir::{Promise, Target};
use grammar::ast::Rval;

use crate::eval::expand::Binding;
use crate::eval::Agent;
use crate::outcome::Outcome;
use crate::value::Value;
use database::LocalAccounts;
use plan::{PasswordFormat, Plan, Step, UserPolicy, UserSpec};

/// `None`: the promise is refused before it is looked at (no policy, half
/// a password body); cf-agent sets no outcome classes then.
pub fn actuate(agent: &mut Agent, promise: &Promise, promiser: &str, binding: &Binding) {
    let spec = match read_spec(agent, promise, promiser, binding) {
        Ok(spec) => spec,
        Err(message) => {
            agent
                .log
                .error(&format!("{}: {message}", agent.location(promise)));
            let outcome = Outcome::failed(message);
            return agent.record_steps(promise, binding, &[], outcome);
        }
    };
    let outcome = keep(agent, promise, binding, &spec);
    agent.record(promise, binding, outcome);
}

fn read_spec(
    agent: &Agent,
    promise: &Promise,
    promiser: &str,
    binding: &Binding,
) -> Result<UserSpec, String> {
    let value = |name: &str| agent.attribute(promise, name, binding);
    let scalar = |name: &str| agent.scalar_attribute(promise, name, binding);
    let policy = match scalar("policy").as_deref() {
        Some("present") => UserPolicy::Present,
        Some("absent") => UserPolicy::Absent,
        Some("locked") => UserPolicy::Locked,
        Some(other) => {
            return Err(format!(
                "Unsupported user policy '{other}' in users promise"
            ))
        }
        None => {
            return Err(format!(
                "No policy specified for 'users' promise '{promiser}'"
            ))
        }
    };
    let groups_secondary =
        promise
            .constraint("groups_secondary")
            .map(|_| match value("groups_secondary") {
                Some(Value::List(items)) => items,
                Some(Value::Scalar(item)) => vec![item],
                _ => Vec::new(),
            });
    let password_body = agent
        .body_attribute(promise, "password", binding)
        .unwrap_or_default();
    let format = match password_body.scalar("format") {
        Some("plaintext") => Some(PasswordFormat::Plaintext),
        Some("hash") => Some(PasswordFormat::Hash),
        _ => None,
    };
    let data = password_body.scalar("data").unwrap_or("").to_string();
    let password = match (format, data.is_empty()) {
        (None, true) => None,
        (Some(format), false) => Some((format, data)),
        _ => {
            return Err(format!(
                "Both 'data' and 'format' must be specified in password body for 'users' promise '{promiser}'"
            ))
        }
    };
    Ok(UserSpec {
        name: promiser.to_string(),
        policy,
        uid: scalar("uid"),
        description: scalar("description"),
        group_primary: scalar("group_primary"),
        groups_secondary,
        home_dir: scalar("home_dir"),
        shell: scalar("shell"),
        password,
        home_bundle: promise.constraint("home_bundle").is_some(),
    })
}

fn keep(agent: &mut Agent, promise: &Promise, binding: &Binding, spec: &UserSpec) -> Outcome {
    let name = &spec.name;
    let db = match LocalAccounts::read(Path::new("/")) {
        Ok(db) => db,
        Err(why) => {
            return Outcome::failed(format!(
                "Could not get information from user database ({why}) for user '{name}'"
            ))
        }
    };
    let (steps, done, failed) = match plan::plan(spec, &db, &crypt::SystemCrypt) {
        Plan::Kept => return Outcome::Kept,
        Plan::Create(steps) => (steps, "Created", "create"),
        Plan::Modify(steps) => (steps, "Modified", "modify"),
        Plan::Remove(steps) => (steps, "Removed", "remove"),
    };
    let location = agent.location(promise);
    if agent.dry_run || agent.audit || agent.action_settings(promise, binding).warn_only {
        let what: Vec<String> = steps.iter().map(describe).collect();
        return Outcome::Warned {
            message: format!("Need to {failed} user '{name}': {}", what.join("; ")),
        };
    }
    for step in &steps {
        agent
            .log
            .verbose(&format!("{location}: user '{name}': {}", describe(step)));
        let result = match step {
            Step::Run(command) => run_shell(command),
            Step::SetHash(line) => chpasswd(line, true),
            Step::SetPlaintext(line) => chpasswd(line, false),
            Step::HomeBundle => call_home_bundle(agent, promise, binding),
        };
        if let Err(why) = result {
            return Outcome::failed(format!("Failed to {failed} user '{name}': {why}"));
        }
    }
    agent.log.info(&format!("{location}: {done} user '{name}'"));
    Outcome::Repaired
}

/// A step for messages; passwords are not shown.
fn describe(step: &Step) -> String {
    match step {
        Step::Run(command) => format!("run '{command}'"),
        Step::SetHash(line) | Step::SetPlaintext(line) => {
            let user = line.split(':').next().unwrap_or("");
            format!("set the password of '{user}'")
        }
        Step::HomeBundle => "call home_bundle".into(),
    }
}

fn run_shell(command: &str) -> Result<(), String> {
    let status = Command::new("/bin/sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::null())
        .status()
        .map_err(|e| format!("could not run '{command}': {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "Command returned error (Command line: '{command}')"
        ))
    }
}

/// `chpasswd [-e]` with one `user:password` line on its stdin.
fn chpasswd(line: &str, encrypted: bool) -> Result<(), String> {
    let mut command = Command::new("/usr/sbin/chpasswd");
    if encrypted {
        command.arg("-e");
    }
    let mut child = command
        .stdin(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not run chpasswd: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        writeln!(stdin, "{line}").map_err(|e| format!("could not write to chpasswd: {e}"))?;
    }
    let status = child
        .wait()
        .map_err(|e| format!("chpasswd did not finish: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "chpasswd returned non-zero status: {}",
            status.code().unwrap_or(-1)
        ))
    }
}

/// `home_bundle => b(args…)` (or a bundle name), called like a method;
/// `home_bundle_inherit` passes the caller's classes.
fn call_home_bundle(agent: &mut Agent, promise: &Promise, binding: &Binding) -> Result<(), String> {
    let Some(constraint) = promise.constraint("home_bundle") else {
        return Err("Cannot create user (home_bundle not found)".into());
    };
    let (name, args) = match &constraint.ast.rval {
        Rval::Call(call) => {
            let args = call
                .args
                .iter()
                .map(|arg| agent.evaluate_rval(arg, binding).map(|e| e.value))
                .collect::<Option<Vec<_>>>()
                .ok_or("the arguments of home_bundle could not be resolved")?;
            (agent.expand(call.function.text(), binding).text, args)
        }
        other => {
            let name = agent
                .evaluate_rval(other, binding)
                .and_then(|e| e.value.as_scalar().map(str::to_string))
                .ok_or("home_bundle names no bundle")?;
            (name, Vec::new())
        }
    };
    let id = match constraint.target {
        Some(Target::Bundle(id)) => Some(id),
        _ => agent.policy.find_bundle(agent.namespace(), &name),
    }
    .ok_or_else(|| format!("home_bundle '{name}' was not found"))?;
    let inherit = agent.flag_attribute(promise, "home_bundle_inherit", binding);
    let result = agent.call_bundle(id, args, inherit)?;
    match super::methods::bundle_outcome(result.outcome) {
        Outcome::NotKept { message, .. } => Err(format!("home_bundle '{name}': {message}")),
        _ => Ok(()),
    }
}
