//! `move_obstructions`: what stands where a files promise must put a link,
//! a copy or a directory is moved aside, as cf-agent 3.21 moves it; without
//! the attribute the promise fails and the object stays.
//!
//! Three rules, for three callers:
//! - [`clear`] (cf-agent's `MoveObstruction`, used by links and copies):
//!   a file, link or other non-directory object becomes `<name>.cfsaved`
//!   (`<name>_<run start>_<date>.cfsaved` when backups are timestamped); a
//!   directory becomes `<name>_<run start>_<date>.cfsaved.dir`, never
//!   replacing an older one;
//! - [`remove_wrong_link`]: a symlink pointing elsewhere is unlinked (not
//!   saved);
//! - [`move_parent_aside`]: a non-directory where a parent directory must
//!   be made becomes `<name>.cf-moved`, replacing an older one.
//!
//! Every move is a change: under warn-only, dry run or audit it is reported
//! through [`FileJob::making_changes`] and nothing moves.

use std::fs;
use std::path::{Path, PathBuf};

use super::existence::parent_dir;
use super::FileJob;
use crate::promises::files::edit::backup_stamp;

/// How [`clear`] names what it saves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SavedName {
    /// `<name>.cfsaved`.
    Plain,
    /// `<name>_<run start>_<date>.cfsaved`: `copy_backup` or `edit_backup`
    /// is `"timestamp"`.
    Timestamped,
}

/// Makes room at `path` for a new object (a link, a copy). Nothing there:
/// true. Something there and `allowed` (`move_obstructions`): it is moved
/// aside (see the module documentation) and the move is recorded as a
/// repair; true once it is gone. Otherwise the promise fails ("Object …
/// is obstructing promise"), and under warn-only, dry run or audit the
/// would-be move is reported; false in both cases.
pub(crate) fn clear(job: &mut FileJob, path: &Path, allowed: bool, naming: SavedName) -> bool {
    let Ok(found) = fs::symlink_metadata(path) else {
        return true;
    };
    let shown = path.display();
    if !allowed {
        job.fail(format!("Object '{shown}' is obstructing promise"));
        return false;
    }
    let saved = saved_name(
        path,
        found.is_dir(),
        naming,
        &backup_stamp(job.run_started()),
    );
    if found.is_dir() {
        if !job.making_changes(format!(
            "move aside directory '{shown}' obstructing promise to '{}'",
            saved.display()
        )) {
            return false;
        }
        if fs::symlink_metadata(&saved).is_ok() {
            job.fail(format!(
                "Couldn't move directory '{shown}' aside, since '{}' exists already",
                saved.display()
            ));
            return false;
        }
        return moved(job, path, &saved, "directory");
    }
    if !job.making_changes(format!(
        "move aside object '{shown}' obstructing promise to '{}'",
        saved.display()
    )) {
        return false;
    }
    moved(job, path, &saved, "object")
}

/// A symlink at `link` points to `points_to` where `wanted` was promised.
/// With `allowed` (`move_obstructions`) it is unlinked and true returned,
/// so that the right link can be made; otherwise the promise fails.
pub(crate) fn remove_wrong_link(
    job: &mut FileJob,
    link: &Path,
    points_to: &str,
    wanted: &str,
    allowed: bool,
) -> bool {
    let shown = link.display();
    if !allowed {
        job.fail(format!(
            "Link '{shown}' points to '{points_to}' not '{wanted}', but not moving obstructions"
        ));
        return false;
    }
    if !job.making_changes(format!(
        "remove incorrect link '{shown}' (points to '{points_to}', not '{wanted}')"
    )) {
        return false;
    }
    if let Err(error) = fs::remove_file(link) {
        job.fail(format!(
            "Error removing link '{shown}' (points to '{points_to}' not '{wanted}'): {error}"
        ));
        return false;
    }
    job.agent.writes.changed(parent_dir(link));
    job.repaired(format!("Overrode incorrect link '{shown}'"));
    true
}

/// What stands at `path` where a parent directory of `child` must be made
/// goes to `<path>.cf-moved`, replacing an older one. `Some(true)` when it
/// moved, `Some(false)` when only a warning was allowed, `None` when the
/// move failed (the promise fails).
pub(super) fn move_parent_aside(job: &mut FileJob, path: &str, child: &str) -> Option<bool> {
    let moved = format!("{path}.cf-moved");
    if !job.making_changes(format!(
        "move obstructing file/link '{path}' to '{moved}' to make directories for '{child}'"
    )) {
        return Some(false);
    }
    if let Ok(old) = fs::symlink_metadata(&moved) {
        let removed = if old.is_dir() {
            fs::remove_dir_all(&moved)
        } else {
            fs::remove_file(&moved)
        };
        if let Err(error) = removed {
            job.agent.log.warning(&format!(
                "Couldn't remove '{moved}' while trying to remove a backup ({error})"
            ));
        }
    }
    if let Err(error) = fs::rename(path, &moved) {
        job.fail(format!("Couldn't rename '{path}' to '{moved}' ({error})"));
        return None;
    }
    job.repaired(format!(
        "Moved obstructing file/link '{path}' to '{moved}' to make directories for '{child}'"
    ));
    Some(true)
}

fn moved(job: &mut FileJob, from: &Path, to: &Path, what: &str) -> bool {
    match fs::rename(from, to) {
        Ok(()) => {
            job.repaired(format!(
                "Moved obstructing {what} '{}' to '{}'",
                from.display(),
                to.display()
            ));
            true
        }
        Err(error) => {
            job.fail(format!(
                "Can't rename '{}' to '{}' ({error})",
                from.display(),
                to.display()
            ));
            false
        }
    }
}

/// Where [`clear`] saves the object at `path`; `stamp` is
/// `_<run start>_<date>`. A directory is always saved under a stamped name.
fn saved_name(path: &Path, is_dir: bool, naming: SavedName, stamp: &str) -> PathBuf {
    match (is_dir, naming) {
        (true, _) => suffixed(path, &format!("{stamp}.cfsaved.dir")),
        (false, SavedName::Plain) => suffixed(path, ".cfsaved"),
        (false, SavedName::Timestamped) => suffixed(path, &format!("{stamp}.cfsaved")),
    }
}

/// `path` with `suffix` appended to its last component.
fn suffixed(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_saved_plain_or_stamped_and_directories_always_stamped() {
        let stamp = "_1700000000_Thu_Nov_26_01_04_31_2026";
        let file = Path::new("/s/busy.txt");
        assert_eq!(
            saved_name(file, false, SavedName::Plain, stamp),
            Path::new("/s/busy.txt.cfsaved")
        );
        assert_eq!(
            saved_name(file, false, SavedName::Timestamped, stamp),
            Path::new("/s/busy.txt_1700000000_Thu_Nov_26_01_04_31_2026.cfsaved")
        );
        assert_eq!(
            saved_name(Path::new("/s/dir"), true, SavedName::Plain, stamp),
            Path::new("/s/dir_1700000000_Thu_Nov_26_01_04_31_2026.cfsaved.dir")
        );
    }

    #[test]
    fn saved_names_extend_the_last_component() {
        assert_eq!(
            suffixed(Path::new("/s/busy.txt"), ".cfsaved"),
            Path::new("/s/busy.txt.cfsaved")
        );
        assert_eq!(
            suffixed(Path::new("/s/dir"), "_17_Thu_Nov.cfsaved.dir"),
            Path::new("/s/dir_17_Thu_Nov.cfsaved.dir")
        );
    }
}
