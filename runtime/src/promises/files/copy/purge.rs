//! `purge`: after a directory of the source was copied, what the
//! destination directory holds and the source does not is removed (whole
//! directory trees included). Each removal is a repair, or a warning when
//! changes are not allowed.

use std::collections::HashSet;
use std::fs;
use std::io;
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
    let doomed = match names_to_purge(directory, present) {
        Ok(doomed) => doomed,
        Err(error) => return job.fail(format!("Can't open local directory '{shown}' ({error})")),
    };
    for name in doomed {
        purge_one(job, &directory.join(name));
    }
}

/// The entries of `directory` that the source does not have, sorted; the
/// names cf-agent never considers (`.`, `lost+found`, …) are left alone.
fn names_to_purge(directory: &Path, present: &HashSet<String>) -> io::Result<Vec<String>> {
    let mut doomed = Vec::new();
    for entry in fs::read_dir(directory)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if considered(&name) && !present.contains(&name) {
            doomed.push(name);
        }
    }
    doomed.sort();
    Ok(doomed)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_the_source_lacks_is_purged() {
        let dir = std::env::temp_dir().join(format!("promise-rs-purge-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("gone_dir/deep")).unwrap();
        fs::create_dir_all(dir.join("lost+found")).unwrap();
        for name in ["kept", "gone", "also_kept"] {
            fs::write(dir.join(name), name).unwrap();
        }
        let present: HashSet<String> = ["kept", "also_kept", "not_here"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            names_to_purge(&dir, &present).unwrap(),
            ["gone", "gone_dir"]
        );
        assert!(names_to_purge(&dir.join("missing"), &present).is_err());
        let _ = fs::remove_dir_all(&dir);
    }
}
