//! Promise locks across runs (SEMANTICS.md §3.3), as cf-agent 3.21 takes
//! them: every promise type that changes or reports something (commands,
//! files, methods, reports, processes, services, packages, storage, users,
//! custom types) — not vars, classes, meta or defaults.
//!
//! - `ifelapsed => N` (action body; default `ifelapsed` of `body agent
//!   control`, else 1 minute): a promise completed less than N whole
//!   minutes before this run started is skipped, silently (verbose log).
//!   `ifelapsed => "0"` never skips. The completion time is kept in the
//!   state store's `locks` table, under a key made of the namespace, bundle,
//!   promise type, promiser and a digest of the expanded attributes, for
//!   four weeks.
//! - `expireafter => N` (default `expireafter` of `body agent control`, else
//!   120 minutes): while a promise runs its lock is held (`state::held`); a
//!   second run skips it, unless it has been held N minutes or more — then
//!   the holder is interrupted and the lock taken over.
//! - `-K/--no-lock` ignores both and records nothing, as cf-agent does.
//!
//! Same-run de-duplication is not a lock: it holds even with `-K`.

use std::time::{SystemTime, UNIX_EPOCH};

use compiler::ir::Promise;
use serde_json::json;
use sha2::Digest;

use super::expand::Binding;
use super::Agent;
use crate::facts::canonify;
use crate::state::held::Hold;

/// The state-store table of completion times.
const TABLE: &str = "locks";
/// cf-agent's defaults, in minutes.
const DEFAULT_IFELAPSED: u32 = 1;
const DEFAULT_EXPIREAFTER: u32 = 120;
/// Completion times older than this are forgotten (cf-agent's lock horizon).
const HORIZON_SECONDS: i64 = 4 * 7 * 24 * 60 * 60;
/// Promise types cf-agent never locks.
const UNLOCKED_TYPES: &[&str] = &["vars", "classes", "meta", "defaults"];

/// `ifelapsed`/`expireafter` for promises whose action body gives neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockDefaults {
    pub ifelapsed: u32,
    pub expireafter: u32,
}

impl Default for LockDefaults {
    fn default() -> Self {
        LockDefaults {
            ifelapsed: DEFAULT_IFELAPSED,
            expireafter: DEFAULT_EXPIREAFTER,
        }
    }
}

/// A lock taken for the promise iteration being actuated.
#[derive(Debug)]
pub(crate) struct TakenLock {
    key: String,
    /// Its name among the held locks; `None` when it could not be recorded
    /// there.
    held: Option<String>,
}

/// Seconds since the epoch.
pub(crate) fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Whether a promise of `promise_type` completed at `last` is skipped by a
/// run that started at `started`: cf-agent counts whole minutes (rounded
/// towards zero); a completion later than the start (another run) skips too.
pub fn too_recent(last: i64, started: i64, ifelapsed: u32) -> Option<i64> {
    if ifelapsed == 0 {
        return None;
    }
    let elapsed = (started - last) / 60;
    (elapsed < 0 || elapsed < i64::from(ifelapsed)).then_some(elapsed)
}

/// The `locks` key of a promise iteration: readable parts, then a digest
/// of everything that identifies it.
fn lock_key(scope: &str, promise_type: &str, promiser: &str, digest: &str) -> String {
    let mut readable = canonify(&format!("{scope}.{promise_type}.{promiser}"));
    readable.truncate(100);
    let hash = sha2::Sha256::digest(digest.as_bytes());
    let hex: String = hash[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("{readable}_{hex}")
}

/// A file name for the held lock of `key`.
fn held_name(key: &str) -> String {
    let hash = sha2::Sha256::digest(key.as_bytes());
    hash[..16].iter().map(|b| format!("{b:02x}")).collect()
}

impl Agent<'_, '_> {
    /// `ifelapsed`/`expireafter` of `body agent control`, read once after
    /// pre-evaluation; completion times past the horizon are dropped.
    pub(crate) fn read_agent_control_locks(&mut self) {
        if !self.no_lock {
            let oldest = self.started - HORIZON_SECONDS;
            self.state.retain(TABLE, |_, entry| {
                entry
                    .get("last")
                    .and_then(serde_json::Value::as_i64)
                    .is_some_and(|last| last >= oldest)
            });
        }
        let ifelapsed = self.agent_control_scalar("ifelapsed");
        let expireafter = self.agent_control_scalar("expireafter");
        if let Some(minutes) = ifelapsed.and_then(|v| minutes(&v)) {
            self.lock_defaults.ifelapsed = minutes;
        }
        if let Some(minutes) = expireafter.and_then(|v| minutes(&v)) {
            self.lock_defaults.expireafter = minutes;
        }
    }

    /// Takes the promise's lock for this iteration; false when an earlier
    /// or concurrent run holds it (the promise is then skipped). The lock
    /// is released by [`Agent::release_locks`] once the iteration is done.
    pub(crate) fn take_lock(
        &mut self,
        promise: &Promise,
        promiser: &str,
        binding: &Binding,
        digest: &str,
    ) -> bool {
        if self.no_lock || UNLOCKED_TYPES.contains(&promise.promise_type) {
            return true;
        }
        let action = self.action_settings(promise, binding);
        let ifelapsed = action.ifelapsed.unwrap_or(self.lock_defaults.ifelapsed);
        let expireafter = action.expireafter.unwrap_or(self.lock_defaults.expireafter);
        let scope = self.frame().map(|f| f.scope()).unwrap_or_default();
        let key = lock_key(&scope, promise.promise_type, promiser, digest);
        let last = self
            .state
            .get(TABLE, &key)
            .and_then(|entry| entry.get("last"))
            .and_then(serde_json::Value::as_i64);
        if let Some(elapsed) = last.and_then(|last| too_recent(last, self.started, ifelapsed)) {
            self.log.verbose(&format!(
                "{}: skipping {} promise '{promiser}': {elapsed}/{ifelapsed} minutes elapsed since it last ran (ifelapsed)",
                self.location(promise),
                promise.promise_type
            ));
            return false;
        }
        let name = held_name(&key);
        let held = match self.held_locks.take(&name, expireafter, unix_now()) {
            Ok(Hold::Taken { expired_holder }) => {
                if let Some(pid) = expired_holder {
                    self.log.info(&format!(
                        "{}: lock of '{promiser}' expired after {expireafter} minutes; interrupted its holder (PID {pid})",
                        self.location(promise)
                    ));
                }
                Some(name)
            }
            Ok(Hold::Busy { pid, minutes }) => {
                self.log.verbose(&format!(
                    "{}: skipping {} promise '{promiser}': another run (PID {pid}) has been actuating it for {minutes} minutes",
                    self.location(promise),
                    promise.promise_type
                ));
                return false;
            }
            Err(error) => {
                self.log.warning(&format!(
                    "{}: could not hold the lock of '{promiser}' in {}: {error}",
                    self.location(promise),
                    self.state.dir().display()
                ));
                None
            }
        };
        self.taken_locks.push(TakenLock { key, held });
        true
    }

    /// Releases the locks taken since `depth`, recording now as the time
    /// their promises last completed.
    pub(crate) fn release_locks(&mut self, depth: usize) {
        if self.taken_locks.len() <= depth {
            return;
        }
        let now = unix_now();
        for lock in self.taken_locks.split_off(depth) {
            self.state.set(TABLE, &lock.key, json!({ "last": now }));
            if let Some(name) = lock.held {
                if let Err(error) = self.held_locks.release(&name) {
                    self.log
                        .warning(&format!("could not release a promise lock: {error}"));
                }
            }
        }
    }
}

/// A number of minutes as cf-agent reads an integer attribute.
pub(crate) fn minutes(text: &str) -> Option<u32> {
    text.trim().parse::<u32>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ifelapsed_counts_whole_minutes_since_the_last_completion() {
        // Completed 90 s before the start: 1 whole minute elapsed.
        assert_eq!(too_recent(1000, 1090, 1), None);
        assert_eq!(too_recent(1000, 1090, 2), Some(1));
        assert_eq!(too_recent(1000, 1059, 1), Some(0));
        // ifelapsed 0 never skips; a completion after the start does.
        assert_eq!(too_recent(1000, 1000, 0), None);
        assert_eq!(too_recent(1200, 1000, 1), Some(-3));
    }

    #[test]
    fn lock_keys_differ_by_digest_and_stay_short() {
        let a = lock_key("default:main", "commands", "/bin/true", "x");
        let b = lock_key("default:main", "commands", "/bin/true", "y");
        assert_ne!(a, b);
        assert!(a.starts_with("default_main_commands__bin_true_"));
        let long = lock_key("default:main", "files", &"/d".repeat(400), "x");
        assert!(long.len() <= 100 + 1 + 32);
        assert_eq!(held_name(&a).len(), 32);
    }
}
