//! The embedded state store under `WORKDIR/state` (DESIGN.md, "state"):
//! promise locks (`ifelapsed`, `expireafter`), persistent classes and
//! change hashes outlive a run here.
//!
//! A store is a set of named tables, each a JSON object of string keys
//! in `state/<table>.json`. A table is read the first time it is used and
//! written back, atomically (temporary file, rename), by [`StateStore::save`]
//! at the end of the run if it changed. A table that cannot be read (missing,
//! corrupt) starts empty: state is a cache of past runs, never a reason for
//! a run to fail.
//!
//! Two runs at once do not lose each other's updates: `save` holds an
//! exclusive `flock` on `state/.lock`, reads each changed table again and
//! writes back only the keys this run set or removed over what is on disk.
//! [`held`] keeps the locks of promises being actuated right now, which other
//! runs must see at once.

pub mod held;

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::{self, Write};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// Tables of the store, lazily loaded.
#[derive(Debug)]
pub struct StateStore {
    dir: PathBuf,
    tables: HashMap<String, Table>,
}

#[derive(Debug, Default)]
struct Table {
    entries: BTreeMap<String, Value>,
    /// Keys this run set (`Some`) or removed (`None`), merged over the
    /// table on disk by `save`.
    changes: BTreeMap<String, Option<Value>>,
}

impl StateStore {
    /// The store of `workdir` (`WORKDIR/state`); nothing is read yet.
    pub fn open(workdir: &Path) -> StateStore {
        StateStore {
            dir: workdir.join("state"),
            tables: HashMap::new(),
        }
    }

    /// `WORKDIR/state`, where tables and logs of past runs live.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn get(&mut self, table: &str, key: &str) -> Option<&Value> {
        self.table(table).entries.get(key)
    }

    pub fn set(&mut self, table: &str, key: &str, value: Value) {
        let table = self.table(table);
        if table.entries.get(key) != Some(&value) {
            table.entries.insert(key.to_string(), value.clone());
            table.changes.insert(key.to_string(), Some(value));
        }
    }

    pub fn remove(&mut self, table: &str, key: &str) -> Option<Value> {
        let table = self.table(table);
        let removed = table.entries.remove(key);
        if removed.is_some() {
            table.changes.insert(key.to_string(), None);
        }
        removed
    }

    /// Every entry of a table, in key order.
    pub fn entries(&mut self, table: &str) -> impl Iterator<Item = (&String, &Value)> {
        self.table(table).entries.iter()
    }

    /// Keeps only the entries for which `keep` holds.
    pub fn retain(&mut self, table: &str, mut keep: impl FnMut(&str, &Value) -> bool) {
        let table = self.table(table);
        let changes = &mut table.changes;
        table.entries.retain(|k, v| {
            let kept = keep(k, v);
            if !kept {
                changes.insert(k.clone(), None);
            }
            kept
        });
    }

    /// Writes every changed table back, merged over what another run may
    /// have written since it was read; the first error is returned, the
    /// other tables are still written.
    pub fn save(&mut self) -> io::Result<()> {
        if self.tables.values().all(|t| t.changes.is_empty()) {
            return Ok(());
        }
        fs::create_dir_all(&self.dir)?;
        let _exclusive = StoreLock::take(&self.dir)?;
        let mut result = Ok(());
        for (name, table) in &mut self.tables {
            if table.changes.is_empty() {
                continue;
            }
            let mut on_disk = read_table(&self.dir, name).unwrap_or_default();
            for (key, change) in &table.changes {
                match change {
                    Some(value) => on_disk.insert(key.clone(), value.clone()),
                    None => on_disk.remove(key),
                };
            }
            match write_table(&self.dir, name, &on_disk) {
                Ok(()) => {
                    table.entries = on_disk;
                    table.changes.clear();
                }
                Err(error) => {
                    if result.is_ok() {
                        result = Err(error);
                    }
                }
            }
        }
        result
    }

    fn table(&mut self, name: &str) -> &mut Table {
        if !self.tables.contains_key(name) {
            let entries = read_table(&self.dir, name).unwrap_or_default();
            self.tables.insert(
                name.to_string(),
                Table {
                    entries,
                    changes: BTreeMap::new(),
                },
            );
        }
        self.tables.get_mut(name).expect("table inserted above")
    }
}

/// An exclusive `flock` on `state/.lock`, released when dropped (or when
/// the process dies, so a killed run never leaves the store locked).
struct StoreLock(fs::File);

impl StoreLock {
    fn take(dir: &Path) -> io::Result<StoreLock> {
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join(".lock"))?;
        // SAFETY: flock on a descriptor this function owns.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(StoreLock(file))
    }
}

impl Drop for StoreLock {
    fn drop(&mut self) {
        // SAFETY: the descriptor is still open; closing it would unlock too.
        unsafe { libc::flock(self.0.as_raw_fd(), libc::LOCK_UN) };
    }
}

fn table_path(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{name}.json"))
}

fn read_table(dir: &Path, name: &str) -> Option<BTreeMap<String, Value>> {
    let text = fs::read(table_path(dir, name)).ok()?;
    serde_json::from_slice(&text).ok()
}

fn write_table(dir: &Path, name: &str, entries: &BTreeMap<String, Value>) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    let path = table_path(dir, name);
    let temporary = dir.join(format!(".{name}.json.{}", std::process::id()));
    let text = serde_json::to_vec(entries).map_err(io::Error::other)?;
    let written = fs::File::create(&temporary).and_then(|mut file| file.write_all(&text));
    if let Err(error) = written.and_then(|()| fs::rename(&temporary, &path)) {
        let _ = fs::remove_file(&temporary);
        return Err(error);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("promise-state-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn entries_survive_a_save_and_reopen() {
        let workdir = scratch("reopen");
        let mut store = StateStore::open(&workdir);
        store.set("locks", "a", json!({"time": 5}));
        store.set("changes", "/etc/x", json!("abc"));
        store.save().unwrap();
        let mut again = StateStore::open(&workdir);
        assert_eq!(again.get("locks", "a"), Some(&json!({"time": 5})));
        assert_eq!(again.get("changes", "/etc/x"), Some(&json!("abc")));
        assert_eq!(again.get("changes", "/etc/y"), None);
        fs::remove_dir_all(&workdir).unwrap();
    }

    #[test]
    fn a_corrupt_table_starts_empty_and_is_rewritten() {
        let workdir = scratch("corrupt");
        fs::create_dir_all(workdir.join("state")).unwrap();
        fs::write(workdir.join("state/locks.json"), "{not json").unwrap();
        let mut store = StateStore::open(&workdir);
        assert_eq!(store.entries("locks").count(), 0);
        store.set("locks", "k", json!(1));
        store.save().unwrap();
        assert_eq!(
            fs::read_to_string(workdir.join("state/locks.json")).unwrap(),
            r#"{"k":1}"#
        );
        fs::remove_dir_all(&workdir).unwrap();
    }

    #[test]
    fn two_stores_merge_their_changes_instead_of_overwriting() {
        let workdir = scratch("merge");
        let mut first = StateStore::open(&workdir);
        let mut second = StateStore::open(&workdir);
        first.set("locks", "seed", json!(0));
        first.save().unwrap();
        // Both read the table, then each changes its own keys.
        assert_eq!(second.get("locks", "seed"), Some(&json!(0)));
        first.set("locks", "a", json!(1));
        second.set("locks", "b", json!(2));
        second.remove("locks", "seed");
        first.save().unwrap();
        second.save().unwrap();
        let mut again = StateStore::open(&workdir);
        let all: Vec<(String, Value)> = again
            .entries("locks")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        assert_eq!(
            all,
            vec![("a".to_string(), json!(1)), ("b".to_string(), json!(2))]
        );
        fs::remove_dir_all(&workdir).unwrap();
    }

    #[test]
    fn unchanged_tables_are_not_written() {
        let workdir = scratch("unchanged");
        let mut store = StateStore::open(&workdir);
        store.get("locks", "nothing");
        store.retain("locks", |_, _| true);
        store.save().unwrap();
        assert!(!workdir.join("state/locks.json").exists());
        fs::remove_dir_all(&workdir).ok();
    }
}
