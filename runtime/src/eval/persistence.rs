//! Persistent classes (SEMANTICS.md §4.2, §3.2), as cf-agent 3.21 keeps
//! them: a `classes` promise with `persistence => N` or a classes body with
//! `persist_time => N` stores the class for N minutes in the state store's
//! `classes` table; every later run defines the stored classes that have
//! not expired, globally, before anything is evaluated — except those named
//! by `-N/--negate`, which are not loaded (they are still defined if the
//! policy defines them again).
//!
//! `timer_policy => "reset"` (the default, and always for `persistence`)
//! restarts the timer each time the class is set again; `"absolute"` keeps
//! the first expiry while it runs. `cancel_*` of a classes body forgets a
//! stored class; `persistence => "0"` does not (cf-agent 3.21 skips the
//! promise of a class already defined before it would).

use serde_json::{json, Value as Json};

use super::context::{qualify, ClassScope};
use super::locks::unix_now;
use super::Agent;

/// The state-store table of persistent classes.
const TABLE: &str = "classes";

/// What happens to the expiry of a class stored again before it expired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimerPolicy {
    /// A new expiry each time (cf-agent's default).
    Reset,
    /// The first expiry stands (`timer_policy => "absolute"`).
    Absolute,
}

impl TimerPolicy {
    /// `timer_policy` as cf-agent reads it: anything starting `abs` is
    /// absolute.
    pub fn from_attribute(value: Option<&str>) -> TimerPolicy {
        match value {
            Some(text) if text.starts_with("abs") => TimerPolicy::Absolute,
            _ => TimerPolicy::Reset,
        }
    }

    fn name(self) -> &'static str {
        match self {
            TimerPolicy::Reset => "reset",
            TimerPolicy::Absolute => "absolute",
        }
    }
}

/// `ns:name` as a persistent class's key: the bare name in `default`.
fn class_key(namespace: &str, name: &str) -> String {
    qualify(namespace, name)
}

/// Whether a stored entry keeps its expiry rather than being stored again.
fn keeps_expiry(entry: Option<&Json>, now: i64, tags: &str) -> bool {
    let Some(entry) = entry else {
        return false;
    };
    entry.get("policy").and_then(Json::as_str) == Some(TimerPolicy::Absolute.name())
        && entry
            .get("expires")
            .and_then(Json::as_i64)
            .is_some_and(|expires| now < expires)
        && entry.get("tags").and_then(Json::as_str).unwrap_or("") == tags
}

impl Agent<'_, '_> {
    /// Defines the stored classes that have not expired (forgetting those
    /// that have), except the ones `negate` names.
    pub(crate) fn load_persistent_classes(&mut self, negate: &[String]) {
        let now = unix_now();
        let negated: Vec<&str> = negate
            .iter()
            .flat_map(|list| list.split(','))
            .filter(|name| !name.is_empty())
            .collect();
        let mut expired = Vec::new();
        let mut load = Vec::new();
        for (key, entry) in self.state.entries(TABLE) {
            let expires = entry.get("expires").and_then(Json::as_i64).unwrap_or(0);
            if now > expires {
                expired.push(key.clone());
            } else {
                load.push((key.clone(), (expires - now) / 60));
            }
        }
        for key in expired {
            self.log
                .verbose(&format!("persistent class '{key}' expired"));
            self.state.remove(TABLE, &key);
        }
        for (key, minutes) in load {
            if negated.contains(&key.as_str()) {
                self.log.verbose(&format!(
                    "not loading persistent class '{key}': named by -N/--negate"
                ));
                continue;
            }
            self.log.verbose(&format!(
                "persistent class '{key}' for {minutes} more minutes"
            ));
            let (namespace, name) = key.split_once(':').unwrap_or(("default", key.as_str()));
            self.classes.define(namespace, name, ClassScope::Namespace);
        }
    }

    /// Stores class `name` of `namespace` for `minutes`.
    pub(crate) fn persist_class(
        &mut self,
        namespace: &str,
        name: &str,
        minutes: u32,
        policy: TimerPolicy,
        tags: &str,
    ) {
        if self.pre_evaluating || self.classes.is_hard(name) {
            return;
        }
        let key = class_key(namespace, name);
        let now = unix_now();
        if keeps_expiry(self.state.get(TABLE, &key), now, tags) {
            self.log.verbose(&format!(
                "persistent class '{key}' keeps its expiry (timer_policy absolute)"
            ));
            return;
        }
        self.log.verbose(&format!(
            "persistent class '{key}' stored for {minutes} minutes"
        ));
        let expires = now + i64::from(minutes) * 60;
        self.state.set(
            TABLE,
            &key,
            json!({ "expires": expires, "policy": policy.name(), "tags": tags }),
        );
    }

    /// Forgets a stored class (it stays defined in this run if it is).
    pub(crate) fn forget_persistent_class(&mut self, namespace: &str, name: &str) {
        if self.pre_evaluating {
            return;
        }
        let key = class_key(namespace, name);
        if self.state.remove(TABLE, &key).is_some() {
            self.log
                .verbose(&format!("persistent class '{key}' cancelled"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timer_policy_reads_like_cf_agent() {
        assert_eq!(
            TimerPolicy::from_attribute(Some("absolute")),
            TimerPolicy::Absolute
        );
        assert_eq!(
            TimerPolicy::from_attribute(Some("abs")),
            TimerPolicy::Absolute
        );
        assert_eq!(
            TimerPolicy::from_attribute(Some("reset")),
            TimerPolicy::Reset
        );
        assert_eq!(TimerPolicy::from_attribute(None), TimerPolicy::Reset);
    }

    #[test]
    fn only_a_running_absolute_timer_with_the_same_tags_keeps_its_expiry() {
        let absolute = json!({ "expires": 200, "policy": "absolute", "tags": "t" });
        assert!(keeps_expiry(Some(&absolute), 100, "t"));
        assert!(!keeps_expiry(Some(&absolute), 100, "other"));
        assert!(!keeps_expiry(Some(&absolute), 300, "t"));
        let reset = json!({ "expires": 200, "policy": "reset", "tags": "t" });
        assert!(!keeps_expiry(Some(&reset), 100, "t"));
        assert!(!keeps_expiry(None, 100, "t"));
    }
}
