//! The copy being replaced, kept as `copy_backup` says: `<name>.cfsaved`,
//! or `<name>_<run start>_<date>.cfsaved` with "timestamp" (so two backups
//! in the same second share a name, as in cf-agent), or not at all.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::body::Backup;
use crate::promises::files::edit::save::{canonify_date, ctime_now};

/// The backup's name for `destination`; `None` when none is kept.
pub(crate) fn backup_name(
    destination: &Path,
    backup: Backup,
    started: i64,
    date: &str,
) -> Option<PathBuf> {
    let name = destination.as_os_str().to_string_lossy();
    match backup {
        Backup::None => None,
        Backup::Plain => Some(PathBuf::from(format!("{name}.cfsaved"))),
        Backup::Timestamp => Some(PathBuf::from(format!(
            "{name}_{started}_{}.cfsaved",
            canonify_date(date)
        ))),
    }
}

/// The backup name with the current date.
pub(crate) fn backup_name_now(destination: &Path, backup: Backup, started: i64) -> Option<PathBuf> {
    match backup {
        Backup::Timestamp => backup_name(destination, backup, started, &ctime_now()),
        other => backup_name(destination, other, started, ""),
    }
}

/// Keeps the current `destination` as `backup`, replacing an older backup
/// (a directory in the way is removed with its contents). The current file
/// stays where it is (a hard link, or a copy across devices) until the new
/// one is renamed over it, so the destination never goes missing.
pub(crate) fn keep(destination: &Path, backup: &Path) -> io::Result<()> {
    clear(backup)?;
    if fs::hard_link(destination, backup).is_ok() {
        return Ok(());
    }
    fs::copy(destination, backup).map(|_| ())
}

/// A directory where a copied file goes is moved to `backup` (replacing an
/// older one).
pub(crate) fn move_directory(destination: &Path, backup: &Path) -> io::Result<()> {
    clear(backup)?;
    fs::rename(destination, backup)
}

/// Removes an older backup, whatever it is.
fn clear(backup: &Path) -> io::Result<()> {
    match fs::symlink_metadata(backup) {
        Ok(old) if old.is_dir() => fs::remove_dir_all(backup),
        Ok(_) => fs::remove_file(backup),
        Err(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_by_backup_option() {
        let dest = Path::new("/srv/app/conf");
        assert_eq!(backup_name(dest, Backup::None, 1, "x"), None);
        assert_eq!(
            backup_name(dest, Backup::Plain, 1, "x"),
            Some(PathBuf::from("/srv/app/conf.cfsaved"))
        );
        assert_eq!(
            backup_name(
                dest,
                Backup::Timestamp,
                1700000000,
                "Tue Nov 14 22:13:20 2023\n"
            ),
            Some(PathBuf::from(
                "/srv/app/conf_1700000000_Tue_Nov_14_22_13_20_2023_.cfsaved"
            ))
        );
        let now = backup_name_now(dest, Backup::Timestamp, 5).unwrap();
        let shown = now.to_string_lossy().into_owned();
        assert!(
            shown.starts_with("/srv/app/conf_5_") && shown.ends_with("_.cfsaved"),
            "{shown}"
        );
    }

    #[test]
    fn keeping_replaces_an_older_backup_and_leaves_the_file() {
        let dir = std::env::temp_dir().join(format!("promise-rs-backup-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("f.cfsaved")).unwrap();
        fs::write(dir.join("f.cfsaved/inner"), "x").unwrap();
        fs::write(dir.join("f"), "current").unwrap();
        keep(&dir.join("f"), &dir.join("f.cfsaved")).unwrap();
        assert_eq!(
            fs::read_to_string(dir.join("f.cfsaved")).unwrap(),
            "current"
        );
        assert_eq!(fs::read_to_string(dir.join("f")).unwrap(), "current");
        // An older backup of its own (the one above shares the file's inode).
        fs::remove_file(dir.join("f.cfsaved")).unwrap();
        fs::write(dir.join("f.cfsaved"), "older").unwrap();
        keep(&dir.join("f"), &dir.join("f.cfsaved")).unwrap();
        assert_eq!(
            fs::read_to_string(dir.join("f.cfsaved")).unwrap(),
            "current"
        );
        let _ = fs::remove_dir_all(&dir);
    }
}
