//! Replacing a file's content so that a crash at any moment leaves either
//! the old or the new file: the new content goes to a temporary file in the
//! same directory, gets the old file's mode and owner, and is renamed over
//! the target. Durability is batched: the run remembers each filesystem it
//! wrote to and syncs each once at the end (DESIGN.md, "writes").

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The filesystems a run changed, by device number, with one directory on
/// each to open for `syncfs`.
#[derive(Debug, Default)]
pub struct Writes {
    filesystems: BTreeMap<u64, PathBuf>,
    /// The directory recorded last: a tree copy writes many files into one
    /// directory, and each need not stat it again.
    last: Option<PathBuf>,
}

impl Writes {
    /// Records that something under `dir` changed.
    pub fn changed(&mut self, dir: &Path) {
        if self.last.as_deref() == Some(dir) {
            return;
        }
        self.last = Some(dir.to_path_buf());
        if let Ok(meta) = fs::metadata(dir) {
            self.filesystems
                .entry(meta.dev())
                .or_insert_with(|| dir.to_path_buf());
        }
    }

    pub fn filesystem_count(&self) -> usize {
        self.filesystems.len()
    }

    /// Flushes every filesystem written to, once each; returns the ones that
    /// could not be synced.
    pub fn sync(&self) -> Vec<(PathBuf, io::Error)> {
        let mut failed = Vec::new();
        for dir in self.filesystems.values() {
            if let Err(error) = syncfs(dir) {
                failed.push((dir.clone(), error));
            }
        }
        failed
    }
}

fn syncfs(dir: &Path) -> io::Result<()> {
    let handle = File::open(dir)?;
    // SAFETY: syncfs only reads the descriptor, which `handle` keeps open.
    let status = unsafe { libc::syncfs(std::os::fd::AsRawFd::as_raw_fd(&handle)) };
    if status == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// How a new file is created when the target does not exist yet.
#[derive(Debug, Clone, Copy)]
pub struct NewFile {
    pub mode: u32,
}

impl Default for NewFile {
    /// cf-agent creates files 0600 unless a perms body says otherwise.
    fn default() -> Self {
        NewFile { mode: 0o600 }
    }
}

/// Writes `content` to `target` atomically. An existing target keeps its
/// mode, owner and group; a new one gets `new.mode`. With `fsync`, the
/// temporary file is flushed before the rename (`--fsync`); otherwise the
/// filesystem is recorded in `writes` for the end-of-run sync.
pub fn replace(
    target: &Path,
    content: &[u8],
    new: NewFile,
    fsync: bool,
    writes: &mut Writes,
) -> io::Result<()> {
    let dir = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let existing = fs::symlink_metadata(target).ok().filter(|m| m.is_file());
    let temp = temporary_name(dir, target);
    let result = write_temporary(&temp, content, existing.as_ref(), new, fsync)
        .and_then(|()| fs::rename(&temp, target));
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result?;
    writes.changed(dir);
    Ok(())
}

fn write_temporary(
    temp: &Path,
    content: &[u8],
    existing: Option<&fs::Metadata>,
    new: NewFile,
    fsync: bool,
) -> io::Result<()> {
    let mode = existing.map_or(new.mode, |m| m.mode() & 0o7777);
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(temp)?;
    file.write_all(content)?;
    if let Some(meta) = existing {
        std::os::unix::fs::fchown(&file, Some(meta.uid()), Some(meta.gid()))?;
    }
    // After fchown, which may clear set-id bits.
    file.set_permissions(fs::Permissions::from_mode(mode))?;
    if fsync {
        file.sync_all()?;
    }
    Ok(())
}

/// `.NAME.promise-rs.PID.N` beside the target: same filesystem, so the
/// rename is atomic, and a name no policy would manage.
pub(crate) fn temporary_name(dir: &Path, target: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    static PID: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    dir.join(format!(
        ".{name}.promise-rs.{}.{}",
        PID.get_or_init(std::process::id),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("promise-rs-atomic-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap_or_default();
        dir
    }

    #[test]
    fn a_new_file_gets_the_new_mode_and_content() {
        let dir = scratch("new");
        let target = dir.join("f");
        let mut writes = Writes::default();
        replace(
            &target,
            b"hello\n",
            NewFile { mode: 0o640 },
            false,
            &mut writes,
        )
        .unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"hello\n");
        assert_eq!(fs::metadata(&target).unwrap().mode() & 0o7777, 0o640);
        assert_eq!(writes.filesystem_count(), 1);
        assert!(writes.sync().is_empty());
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_existing_file_keeps_its_mode_and_no_temporary_is_left() {
        let dir = scratch("existing");
        let target = dir.join("f");
        fs::write(&target, b"old").unwrap();
        fs::set_permissions(&target, fs::Permissions::from_mode(0o751)).unwrap();
        let mut writes = Writes::default();
        replace(&target, b"new", NewFile::default(), true, &mut writes).unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"new");
        assert_eq!(fs::metadata(&target).unwrap().mode() & 0o7777, 0o751);
        let names: Vec<_> = fs::read_dir(&dir).unwrap().filter_map(|e| e.ok()).collect();
        assert_eq!(names.len(), 1, "only the target remains");
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_failed_write_leaves_the_old_file() {
        let dir = scratch("fail");
        let target = dir.join("missing-dir").join("f");
        let mut writes = Writes::default();
        assert!(replace(&target, b"x", NewFile::default(), false, &mut writes).is_err());
        assert_eq!(writes.filesystem_count(), 0);
        let _ = fs::remove_dir_all(&dir);
    }
}
