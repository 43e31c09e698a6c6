//! `purge`: after a directory of the source was copied, what the
//! destination directory holds and the source does not is removed (whole
//! directory trees included). Each removal is a repair, or a warning when
//! changes are not allowed.

use std::collections::HashSet;
use std::fs;
use std::path::Path;

use super::Copy;
use crate::promises::files::search::considered;
use crate::promises::files::FileJob;

/// Removes the entries of `directory` whose names are not in `present`.
pub(super) fn purge_missing(
    job: &mut FileJob,
    copy: &Copy,
    present: &HashSet<String>,
    directory: &Path,
) {
    let shown = directory.display();
    if directory.as_os_str().len() < 2 {
        return job.fail(format!("Purge of '{shown}' denied - too dangerous!"));
    }
    if copy.search.is_none() {
        return job.kept(format!(
            "No depth search when copying '{shown}' so purging does not apply"
        ));
    }
    let entries = match fs::read_dir(directory) {
        Ok(entries) => entries,
        Err(error) => return job.fail(format!("Can't open local directory '{shown}' ({error})")),
    };
    let mut doomed: Vec<String> = entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| considered(name) && !present.contains(name))
        .collect();
    doomed.sort();
    for name in doomed {
        purge_one(job, &directory.join(name));
    }
}

fn purge_one(job: &mut FileJob, path: &Path) {
    let shown = path.display();
    if !job.making_changes(format!("purge '{shown}' from copy dest directory")) {
        return;
    }
    let Ok(found) = fs::symlink_metadata(path) else {
        return job.fail(format!("Couldn't stat '{shown}' while purging"));
    };
    if found.is_dir() {
        match fs::remove_dir_all(path) {
            Ok(()) => job.repaired(format!("Purged directory '{shown}' in copy dest directory")),
            Err(error) => job.fail(format!(
                "Unable to purge directory tree '{shown}' ({error})"
            )),
        }
    } else {
        match fs::remove_file(path) {
            Ok(()) => job.repaired(format!("Purged '{shown}' copy dest directory")),
            Err(error) => job.fail(format!("Couldn't delete '{shown}' while purging ({error})")),
        }
    }
    if let Some(parent) = path.parent() {
        job.agent.writes.changed(parent);
    }
}
