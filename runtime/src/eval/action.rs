//! The `action` body of a promise (SEMANTICS.md §3.3) and the run-wide
//! modes that act like it: `-n`/`--dry-run` and `--audit` (§3.4).
//!
//! cf-agent 3.21 reads `action_policy` as "warn" for `warn` and `nop` and
//! as "fix" for anything else; `log_level` is parsed but changes nothing;
//! `log_kept`/`log_repaired`/`log_failed` append `log_string` to a file
//! (created 0600) or, for `stdout`, log it as `L: text`.

use std::io::Write;

use compiler::ir::Promise;

use super::expand::Binding;
use super::Agent;
use crate::outcome::Outcome;

/// What the `action` body of one promise iteration asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActionSettings {
    /// `action_policy => "warn"` or `"nop"`.
    pub warn_only: bool,
    /// `background => "true"` (commands only).
    pub background: bool,
    pub log_kept: Option<String>,
    pub log_repaired: Option<String>,
    pub log_failed: Option<String>,
    pub log_string: Option<String>,
    /// `ifelapsed`/`expireafter` in minutes, when given.
    pub ifelapsed: Option<u32>,
    pub expireafter: Option<u32>,
}

/// `true`/`yes`/`on`, as cf-agent reads a boolean attribute.
pub fn is_true(value: Option<&str>) -> bool {
    matches!(value, Some("true" | "yes" | "on"))
}

/// Promise types cf-agent never logs outcomes of (`NO_LOG_TYPES`).
const NOT_LOGGED: &[&str] = &[
    "vars",
    "classes",
    "insert_lines",
    "delete_lines",
    "replace_patterns",
    "field_edits",
];

impl Agent<'_, '_> {
    /// `body agent control { dryrun => "true"; }` turns on the dry run as
    /// `-n` does (cf-agent reads it after pre-evaluation).
    pub(crate) fn read_agent_control_dry_run(&mut self) {
        if is_true(self.agent_control_scalar("dryrun").as_deref()) {
            self.dry_run = true;
        }
    }

    /// An attribute of `body agent control`, evaluated.
    pub(crate) fn agent_control_scalar(&mut self, name: &str) -> Option<String> {
        let policy = self.policy;
        let (_, constraint) = policy
            .bodies
            .iter()
            .filter(|b| b.body_type() == "agent" && b.name() == "control")
            .flat_map(|b| b.constraints.iter())
            .find(|(_, c)| c.ast.lval.name == name)?;
        self.frames.push(super::bundle::control_frame());
        let value = self
            .evaluate_rval(&constraint.ast.rval, &Binding::new())
            .and_then(|e| e.value.as_scalar().map(str::to_string));
        self.frames.pop();
        value
    }

    /// The `action` body of `promise` for this iteration.
    pub(crate) fn action_settings(&self, promise: &Promise, binding: &Binding) -> ActionSettings {
        let Some(body) = self.body_attribute(promise, "action", binding) else {
            return ActionSettings::default();
        };
        let text = |name: &str| body.scalar(name).map(str::to_string);
        ActionSettings {
            warn_only: matches!(body.scalar("action_policy"), Some("warn" | "nop")),
            background: is_true(body.scalar("background")),
            log_kept: text("log_kept"),
            log_repaired: text("log_repaired"),
            log_failed: text("log_failed"),
            log_string: text("log_string"),
            ifelapsed: body.scalar("ifelapsed").and_then(super::locks::minutes),
            expireafter: body.scalar("expireafter").and_then(super::locks::minutes),
        }
    }

    /// `log_kept`/`log_repaired`/`log_failed` for `outcome` (nothing on a
    /// warning, as cf-agent).
    pub(crate) fn log_transaction(&self, promise: &Promise, binding: &Binding, outcome: &Outcome) {
        if NOT_LOGGED.contains(&promise.promise_type) || promise.constraint("action").is_none() {
            return;
        }
        let action = self.action_settings(promise, binding);
        let (Some(target), Some(text)) = (
            match outcome {
                Outcome::Kept => action.log_kept,
                Outcome::Repaired => action.log_repaired,
                Outcome::NotKept { .. } => action.log_failed,
                Outcome::Warned { .. } => None,
            },
            action.log_string,
        ) else {
            return;
        };
        match target.as_str() {
            "udp_syslog" => self.log.verbose(&format!("not sent to syslog: {text}")),
            "stdout" => self.log.info(&format!("L: {text}")),
            path => {
                let appended = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .and_then(|mut file| writeln!(file, "{text}"));
                if appended.is_err() {
                    self.log
                        .error(&format!("Unable to open private log '{path}'"));
                }
            }
        }
    }
}
