//! Writing one copied file: the content goes to a temporary file beside
//! the destination, created with its final mode, checked, then renamed over
//! the destination, so a copy is never seen half-written. The filesystem is
//! synced once at the end of the run (`Writes`), not per file.

use std::fs::{self, File, FileTimes, Metadata, OpenOptions};
use std::io;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, UNIX_EPOCH};

use super::backup;
use super::source::{CopySource, Kind, SourceStat};
use crate::fileops::atomic::{temporary_name, Writes};

/// How one file is installed.
pub(crate) struct Install<'a> {
    pub source: &'a dyn CopySource,
    pub source_path: &'a Path,
    pub source_stat: &'a SourceStat,
    /// The mode the new file is created with.
    pub mode: u32,
    /// What the destination is now, if anything (`lstat`).
    pub replacing: Option<Kind>,
    /// Where the replaced file is kept, if anywhere.
    pub backup: Option<PathBuf>,
    /// Compare digests of the source and the new file before installing.
    pub verify: bool,
    /// Give the copy the source's access and modification times.
    pub stealth: bool,
}

/// Installs the copy at `destination` and returns its status; the error
/// says what went wrong.
pub(crate) fn install(
    job: Install,
    destination: &Path,
    writes: &mut Writes,
) -> Result<Metadata, String> {
    let dir = match destination.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let temp = temporary_name(dir, destination);
    let result = write_new(&job, &temp).and_then(|made| {
        put_in_place(&job, &temp, destination)?;
        Ok(made)
    });
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    let made = result?;
    writes.changed(dir);
    Ok(made)
}

/// The new file, complete; its status once written.
fn write_new(job: &Install, temp: &Path) -> Result<Metadata, String> {
    let shown = job.source_path.display();
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(job.mode)
        .open(temp)
        .map_err(|e| {
            format!(
                "Failed copying file '{shown}' to '{}' ({e})",
                temp.display()
            )
        })?;
    let written = job
        .source
        .copy_to(job.source_path, job.source_stat.size, &mut file)
        .map_err(|e| format!("Failed copying file '{shown}' ({e})"))?;
    if written != job.source_stat.size {
        return Err(format!(
            "New file '{}' seems to have been corrupted in transit, destination size ({written}) differs from the source size ({}), aborting.",
            temp.display(),
            job.source_stat.size
        ));
    }
    if job.mode & umask() != 0 {
        file.set_permissions(fs::Permissions::from_mode(job.mode))
            .map_err(|e| format!("Failed to set the mode of '{}' ({e})", temp.display()))?;
    }
    if job.stealth {
        stamp(&file, job.source_stat)
            .map_err(|e| format!("Failed to set the times of '{}' ({e})", temp.display()))?;
    }
    if job.verify && transmission_differs(job, temp) {
        return Err(format!(
            "New file '{}' seems to have been corrupted in transit, aborting.",
            temp.display()
        ));
    }
    file.metadata()
        .map_err(|e| format!("Can't stat new file '{}' ({e})", temp.display()))
}

fn transmission_differs(job: &Install, temp: &Path) -> bool {
    let local = File::open(temp).and_then(|mut f| super::source::digest_of(&mut f));
    let remote = job.source.digest(job.source_path);
    match (local, remote) {
        (Ok(local), Ok(remote)) => local != remote,
        _ => true,
    }
}

fn put_in_place(job: &Install, temp: &Path, destination: &Path) -> Result<(), String> {
    let shown = destination.display();
    let backed_up = |e: io::Error, backup: &Path| {
        format!(
            "Failed to back up '{shown}' as '{}' ({e})",
            backup.display()
        )
    };
    match (job.replacing, &job.backup) {
        (Some(Kind::File), Some(backup)) => {
            backup::keep(destination, backup).map_err(|e| backed_up(e, backup))?
        }
        // A directory where the file goes is moved to the backup, or
        // removed, as cf-agent does.
        (Some(Kind::Directory), Some(backup)) => {
            backup::move_directory(destination, backup).map_err(|e| backed_up(e, backup))?
        }
        (Some(Kind::Directory), None) => fs::remove_dir_all(destination)
            .map_err(|e| format!("Failed to remove directory '{shown}' ({e})"))?,
        _ => {}
    }
    fs::rename(temp, destination).map_err(|e| {
        format!("Could not install copy file as '{shown}', directory in the way? ({e})")
    })
}

fn stamp(file: &File, source: &SourceStat) -> io::Result<()> {
    let at = |seconds: i64| {
        UNIX_EPOCH
            .checked_add(Duration::from_secs(seconds.max(0).unsigned_abs()))
            .unwrap_or(UNIX_EPOCH)
    };
    file.set_times(
        FileTimes::new()
            .set_accessed(at(source.atime))
            .set_modified(at(source.mtime)),
    )
}

/// The process umask, read once from /proc (asking umask(2) would change
/// it for a moment); unknown counts as "everything masked", so the mode is
/// always set explicitly.
fn umask() -> u32 {
    static UMASK: OnceLock<u32> = OnceLock::new();
    *UMASK.get_or_init(|| {
        fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|status| {
                status
                    .lines()
                    .find_map(|line| line.strip_prefix("Umask:"))
                    .and_then(|value| u32::from_str_radix(value.trim(), 8).ok())
            })
            .unwrap_or(0o7777)
    })
}

#[cfg(test)]
mod tests {
    use super::super::body::Backup;
    use super::super::source::LocalSource;
    use super::*;
    use std::os::unix::fs::MetadataExt;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("promise-rs-install-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn install_from(
        source: &Path,
        destination: &Path,
        mode: u32,
        backup: Option<PathBuf>,
    ) -> Result<Metadata, String> {
        let stat = LocalSource.stat(source).unwrap();
        let replacing = LocalSource.lstat(destination).ok().map(|s| s.kind);
        let mut writes = Writes::default();
        install(
            Install {
                source: &LocalSource,
                source_path: source,
                source_stat: &stat,
                mode,
                replacing,
                backup,
                verify: true,
                stealth: true,
            },
            destination,
            &mut writes,
        )
    }

    #[test]
    fn a_copy_gets_its_mode_the_source_times_and_leaves_a_backup() {
        let dir = scratch("new");
        let (source, destination) = (dir.join("src"), dir.join("dst"));
        fs::write(&source, "new content\n").unwrap();
        fs::write(&destination, "old\n").unwrap();
        let backup = backup::backup_name(&destination, Backup::Plain, 0, "");
        install_from(&source, &destination, 0o640, backup).unwrap();
        assert_eq!(fs::read_to_string(&destination).unwrap(), "new content\n");
        assert_eq!(
            fs::read_to_string(dir.join("dst.cfsaved")).unwrap(),
            "old\n"
        );
        let (made, from) = (
            fs::metadata(&destination).unwrap(),
            fs::metadata(&source).unwrap(),
        );
        assert_eq!(made.mode() & 0o7777, 0o640);
        assert_eq!(made.mtime(), from.mtime());
        let names = fs::read_dir(&dir).unwrap().count();
        assert_eq!(names, 3, "no temporary file is left");
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_directory_in_the_way_is_replaced_and_a_missing_source_fails() {
        let dir = scratch("dir");
        let (source, destination) = (dir.join("src"), dir.join("dst"));
        fs::write(&source, "x").unwrap();
        fs::create_dir_all(destination.join("inner")).unwrap();
        install_from(&source, &destination, 0o600, None).unwrap();
        assert_eq!(fs::read_to_string(&destination).unwrap(), "x");
        let stat = LocalSource.stat(&source).unwrap();
        fs::remove_file(&source).unwrap();
        let mut writes = Writes::default();
        let failed = install(
            Install {
                source: &LocalSource,
                source_path: &source,
                source_stat: &stat,
                mode: 0o600,
                replacing: Some(Kind::File),
                backup: None,
                verify: false,
                stealth: false,
            },
            &destination,
            &mut writes,
        );
        assert!(failed.is_err());
        assert_eq!(
            fs::read_to_string(&destination).unwrap(),
            "x",
            "the old copy stays"
        );
        let _ = fs::remove_dir_all(&dir);
    }
}
