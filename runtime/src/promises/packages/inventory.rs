//! The package inventory cache in the state store, per package module:
//! `packages_installed` (from `list-installed`) and `packages_updates`
//! (from `list-updates` / `list-updates-local`), each a list of
//! `[name, version, architecture]`. A list is asked for again only when
//! `query_*_ifelapsed` minutes have passed (table `package_cache_locks`),
//! at most once per run unless a change forces it, and always when the
//! module has no list yet, as cf-agent's package cache does.

use std::collections::HashSet;

use serde_json::{json, Value as Json};

use super::protocol::PackageEntry;
use crate::state::StateStore;

/// Which list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    Installed,
    /// Available updates, asking the module to refresh its own sources.
    Updates,
    /// Available updates from what the system already knows.
    LocalUpdates,
}

impl ListKind {
    /// The module command that gives the list.
    pub fn command(self) -> &'static str {
        match self {
            ListKind::Installed => "list-installed",
            ListKind::Updates => "list-updates",
            ListKind::LocalUpdates => "list-updates-local",
        }
    }

    fn table(self) -> &'static str {
        match self {
            ListKind::Installed => "packages_installed",
            ListKind::Updates | ListKind::LocalUpdates => "packages_updates",
        }
    }

    fn lock(self, module: &str) -> String {
        match self {
            ListKind::Installed => format!("package-cache-installed-{module}"),
            ListKind::Updates | ListKind::LocalUpdates => format!("package-cache-updates-{module}"),
        }
    }
}

const LOCK_TABLE: &str = "package_cache_locks";

/// The cached list; `None` when the module never gave one.
pub fn cached(store: &mut StateStore, module: &str, kind: ListKind) -> Option<Vec<PackageEntry>> {
    let entries = store
        .get(kind.table(), module)?
        .get("packages")?
        .as_array()?;
    Some(
        entries
            .iter()
            .filter_map(|entry| {
                let field = |at: usize| entry.get(at)?.as_str().map(str::to_string);
                Some(PackageEntry {
                    name: field(0)?,
                    version: field(1)?,
                    arch: field(2)?,
                })
            })
            .collect(),
    )
}

pub fn store(store: &mut StateStore, module: &str, kind: ListKind, entries: &[PackageEntry]) {
    let packages: Vec<Json> = entries
        .iter()
        .map(|e| json!([e.name, e.version, e.arch]))
        .collect();
    store.set(kind.table(), module, json!({ "packages": packages }));
}

/// Whether the list may be asked for now (cf-agent's lock on the cache):
/// not twice in one run, and not before `ifelapsed` minutes since the
/// last time (0: no wait). Taking it records the time.
pub fn take_lock(
    store: &mut StateStore,
    taken: &mut HashSet<String>,
    module: &str,
    kind: ListKind,
    ifelapsed: i64,
    now: i64,
) -> bool {
    let name = kind.lock(module);
    if !taken.insert(name.clone()) {
        return false;
    }
    if ifelapsed != 0 {
        let last = store
            .get(LOCK_TABLE, &name)
            .and_then(Json::as_i64)
            .unwrap_or(0);
        let elapsed_minutes = (now - last) / 60;
        if elapsed_minutes < 0 || elapsed_minutes < ifelapsed {
            return false;
        }
    }
    store.set(LOCK_TABLE, &name, json!(now));
    true
}

/// Whether a package with this name (and this version and architecture,
/// when given) is in `entries`.
pub fn contains(
    entries: &[PackageEntry],
    name: &str,
    version: Option<&str>,
    arch: Option<&str>,
) -> bool {
    entries.iter().any(|e| {
        e.name == name && version.is_none_or(|v| v == e.version) && arch.is_none_or(|a| a == e.arch)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("promise-inventory-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    fn entry(name: &str, version: &str, arch: &str) -> PackageEntry {
        PackageEntry {
            name: name.into(),
            version: version.into(),
            arch: arch.into(),
        }
    }

    #[test]
    fn lists_survive_in_the_store() {
        let dir = scratch("lists");
        let mut state = StateStore::open(&dir);
        assert_eq!(cached(&mut state, "m", ListKind::Installed), None);
        store(
            &mut state,
            "m",
            ListKind::Installed,
            &[entry("a", "1", "amd64")],
        );
        store(&mut state, "m", ListKind::LocalUpdates, &[]);
        state.save().unwrap();
        let mut again = StateStore::open(&dir);
        assert_eq!(
            cached(&mut again, "m", ListKind::Installed),
            Some(vec![entry("a", "1", "amd64")])
        );
        assert_eq!(cached(&mut again, "m", ListKind::Updates), Some(vec![]));
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn the_lock_is_taken_once_per_run_and_after_ifelapsed() {
        let dir = scratch("lock");
        let mut state = StateStore::open(&dir);
        let mut taken = HashSet::new();
        assert!(take_lock(
            &mut state,
            &mut taken,
            "m",
            ListKind::Installed,
            60,
            10_000
        ));
        assert!(!take_lock(
            &mut state,
            &mut taken,
            "m",
            ListKind::Installed,
            60,
            10_000
        ));
        assert!(take_lock(
            &mut state,
            &mut taken,
            "m",
            ListKind::Updates,
            0,
            10_000
        ));
        let mut next_run = HashSet::new();
        assert!(!take_lock(
            &mut state,
            &mut next_run,
            "m",
            ListKind::Installed,
            60,
            10_000 + 59 * 60
        ));
        let mut later_run = HashSet::new();
        assert!(take_lock(
            &mut state,
            &mut later_run,
            "m",
            ListKind::Installed,
            60,
            10_000 + 60 * 60
        ));
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn lookups_by_name_version_and_arch() {
        let list = [entry("a", "1", "amd64"), entry("a", "2", "i386")];
        assert!(contains(&list, "a", None, None));
        assert!(contains(&list, "a", Some("2"), None));
        assert!(contains(&list, "a", Some("2"), Some("i386")));
        assert!(!contains(&list, "a", Some("2"), Some("amd64")));
        assert!(!contains(&list, "b", None, None));
    }
}
