//! The listing of a destination directory, and `purge`: after a directory
//! of the source was copied, what the destination directory held and the
//! source does not is removed (whole
//! directory trees included). Each removal is a repair, or a warning when
//! changes are not allowed.

use std::collections::{HashMap, HashSet};
use std::fs::{self, Metadata};
use std::io;
use std::path::Path;

use super::Copy;

/// What a destination directory holds: each name with its `lstat`.
pub(super) type Listing = HashMap<String, Metadata>;

/// Reads a destination directory once; its entries are looked at
/// relative to it (one name for the kernel to find, not a whole path).
pub(super) fn listing(directory: &Path) -> io::Result<Listing> {
    let mut listing = HashMap::new();
    for entry in fs::read_dir(directory)? {
        let entry = entry?;
        if let Ok(meta) = entry.metadata() {
            listing.insert(entry.file_name().to_string_lossy().into_owned(), meta);
        }
    }
    Ok(listing)
}
use crate::promises::files::search::considered;
use crate::promises::files::FileJob;

/// Removes the entries of `directory` whose names are not in `present`;
/// `listing` is what the directory held before the copy.
pub(super) fn purge_missing(
    job: &mut FileJob,
    copy: &Copy,
    present: &HashSet<String>,
    directory: &Path,
    listing: &io::Result<Listing>,
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
    let listing = match listing {
        Ok(listing) => listing,
        Err(error) => return job.fail(format!("Can't open local directory '{shown}' ({error})")),
    };
    for name in names_to_purge(listing, present) {
        purge_one(job, &directory.join(name));
    }
}

/// The listed names that the source does not have, sorted; the names
/// cf-agent never considers (`.`, `lost+found`, …) are left alone.
fn names_to_purge<'l>(listing: &'l Listing, present: &HashSet<String>) -> Vec<&'l str> {
    let mut doomed: Vec<&str> = listing
        .keys()
        .map(String::as_str)
        .filter(|name| considered(name) && !present.contains(*name))
        .collect();
    doomed.sort_unstable();
    doomed
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
        let listing = listing(&dir).unwrap();
        assert_eq!(listing.len(), 5);
        assert_eq!(names_to_purge(&listing, &present), ["gone", "gone_dir"]);
        assert!(super::listing(&dir.join("missing")).is_err());
        let _ = fs::remove_dir_all(&dir);
    }
}
