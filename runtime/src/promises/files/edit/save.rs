//! Writing an edited file back: through symlinks to the file they name,
//! keeping the previous version as `edit_backup` says, and replacing the
//! content atomically (`fileops::atomic`), mode and owner kept.

use std::collections::HashSet;
use std::fs;
use std::io;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::defaults::Backup;
use crate::fileops::atomic::{self, NewFile, Writes};

/// Symlinks deeper than this are a loop.
const MAX_LINKS: usize = 32;

/// The file `path` names once symlinks are followed; relative link targets
/// are taken from the link's directory, as cf-agent does.
pub fn resolve_target(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        let meta = fs::symlink_metadata(&current)?;
        if !meta.file_type().is_symlink() {
            return Ok(current);
        }
        let target = fs::read_link(&current)?;
        current = if target.is_absolute() {
            target
        } else {
            current
                .parent()
                .map_or_else(|| target.clone(), |dir| dir.join(&target))
        };
    }
    Err(io::Error::other(format!(
        "too many levels of symbolic links under '{}'",
        path.display()
    )))
}

/// What a save needs besides the content.
pub struct SaveOptions<'a> {
    pub backup: Backup,
    /// The run's start time (seconds), for timestamped backups.
    pub started: i64,
    /// Backups already rotated in this run: each rotates once per run.
    pub rotated: &'a mut HashSet<PathBuf>,
    pub writes: &'a mut Writes,
}

/// Backs up and replaces the file `path` leads to.
pub fn save(path: &Path, content: &[u8], options: SaveOptions) -> io::Result<()> {
    let target = resolve_target(path)?;
    let name = target.as_os_str().to_string_lossy().into_owned();
    let backup = match options.backup {
        Backup::Timestamp => PathBuf::from(format!(
            "{name}{}.cf-before-edit",
            backup_stamp(options.started)
        )),
        _ => PathBuf::from(format!("{name}.cf-before-edit")),
    };
    let _ = fs::remove_file(&backup);
    match options.backup {
        Backup::None => {}
        Backup::Plain | Backup::Timestamp => keep_copy(&target, &backup)?,
        Backup::Rotate(count) => {
            keep_copy(&target, &backup)?;
            rotate(&backup, count, options.rotated);
            let _ = fs::remove_file(&backup);
        }
    }
    atomic::replace(&target, content, NewFile::default(), false, options.writes)
}

/// A hard link to the current version, or a copy with its mode where
/// links are not possible.
fn keep_copy(target: &Path, backup: &Path) -> io::Result<()> {
    if fs::hard_link(target, backup).is_ok() {
        return Ok(());
    }
    fs::copy(target, backup)?;
    let mode = fs::metadata(target)?.mode() & 0o7777;
    fs::set_permissions(backup, fs::Permissions::from_mode(mode))
}

/// `NAME.1` … `NAME.count`: older generations move up one (`.count` is
/// overwritten, higher ones stay), then `NAME` is copied to `NAME.1` with
/// its mode. Compressed generations (`.gz`, `.Z`, `.bz`, `.bz2`) move too.
fn rotate(name: &Path, count: u32, rotated: &mut HashSet<PathBuf>) {
    if !rotated.insert(name.to_path_buf()) {
        return;
    }
    let Ok(meta) = fs::metadata(name) else {
        return;
    };
    let base = name.as_os_str().to_string_lossy().into_owned();
    for generation in (1..count).rev() {
        for suffix in ["", ".gz", ".Z", ".bz", ".bz2"] {
            let _ = fs::rename(
                format!("{base}.{generation}{suffix}"),
                format!("{base}.{}{suffix}", generation + 1),
            );
        }
    }
    let first = PathBuf::from(format!("{base}.1"));
    if fs::copy(name, &first).is_ok() {
        let _ = fs::set_permissions(&first, fs::Permissions::from_mode(meta.mode() & 0o7777));
        let _ = std::os::unix::fs::chown(&first, Some(meta.uid()), Some(meta.gid()));
    }
}

/// What cf-agent puts in a timestamped backup's name:
/// `_<run start>_<date of now, canonified>`, e.g.
/// `_1795655901_Thu_Nov_26_01_18_21_2026` (no `_` for ctime's newline).
pub(crate) fn backup_stamp(started: i64) -> String {
    format!("_{started}_{}", canonify_date(ctime_now().trim_end()))
}

/// `ctime(3)` of now in local time: `Tue Nov 25 21:50:00 2025\n`.
pub(crate) fn ctime_now() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as libc::time_t);
    let mut buf = [0 as libc::c_char; 64];
    // SAFETY: ctime_r writes at most 26 bytes into the buffer it is given.
    let text = unsafe { libc::ctime_r(&now, buf.as_mut_ptr()) };
    if text.is_null() {
        return String::new();
    }
    // SAFETY: ctime_r returned a pointer into `buf`, NUL-terminated.
    unsafe { std::ffi::CStr::from_ptr(buf.as_ptr()) }
        .to_string_lossy()
        .into_owned()
}

/// cf-agent's CanonifyName: every character but letters and digits is `_`.
pub(crate) fn canonify_date(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backup_stamps_are_start_and_canonified_date_without_a_trailing_underscore() {
        let stamp = backup_stamp(1795655901);
        let date = stamp.strip_prefix("_1795655901_").unwrap();
        // `Thu_Nov_26_01_18_21_2026`: five fields of ctime, canonified.
        assert!(!date.ends_with('_'), "{stamp}");
        assert!(date.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
        assert!(date.split('_').filter(|f| !f.is_empty()).count() >= 5);
    }

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("promise-rs-save-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let _ = fs::create_dir_all(&dir);
        dir
    }

    fn save_with(path: &Path, content: &str, backup: Backup, rotated: &mut HashSet<PathBuf>) {
        let mut writes = Writes::default();
        let options = SaveOptions {
            backup,
            started: 1700000000,
            rotated,
            writes: &mut writes,
        };
        save(path, content.as_bytes(), options).unwrap();
    }

    #[test]
    fn backups_by_mode() {
        let dir = scratch("modes");
        let mut rotated = HashSet::new();
        let file = dir.join("f");
        fs::write(&file, "old\n").unwrap();
        save_with(&file, "new\n", Backup::Plain, &mut rotated);
        assert_eq!(fs::read_to_string(&file).unwrap(), "new\n");
        assert_eq!(
            fs::read_to_string(dir.join("f.cf-before-edit")).unwrap(),
            "old\n"
        );
        save_with(&file, "newer\n", Backup::None, &mut rotated);
        assert!(!dir.join("f.cf-before-edit").exists());
        fs::write(dir.join("f.cf-before-edit.1"), "older\n").unwrap();
        save_with(&file, "newest\n", Backup::Rotate(2), &mut rotated);
        assert_eq!(
            fs::read_to_string(dir.join("f.cf-before-edit.1")).unwrap(),
            "newer\n"
        );
        assert_eq!(
            fs::read_to_string(dir.join("f.cf-before-edit.2")).unwrap(),
            "older\n"
        );
        assert!(!dir.join("f.cf-before-edit").exists());
        save_with(&file, "stamped\n", Backup::Timestamp, &mut rotated);
        let stamped: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("f_1700000000_"))
            .collect();
        assert_eq!(stamped.len(), 1, "{stamped:?}");
        // cf-agent: `f_1795655935_Thu_Nov_26_01_18_55_2026.cf-before-edit`.
        assert!(stamped[0].ends_with(".cf-before-edit"));
        assert!(!stamped[0].ends_with("_.cf-before-edit"));
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn symlinks_are_followed_and_stay_links() {
        let dir = scratch("link");
        let mut rotated = HashSet::new();
        fs::create_dir_all(dir.join("real")).unwrap();
        fs::write(dir.join("real/t"), "x\n").unwrap();
        std::os::unix::fs::symlink("real/t", dir.join("l")).unwrap();
        save_with(&dir.join("l"), "y\n", Backup::Plain, &mut rotated);
        assert!(fs::symlink_metadata(dir.join("l"))
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(fs::read_to_string(dir.join("real/t")).unwrap(), "y\n");
        assert_eq!(
            fs::read_to_string(dir.join("real/t.cf-before-edit")).unwrap(),
            "x\n"
        );
        let _ = fs::remove_dir_all(&dir);
    }
}
