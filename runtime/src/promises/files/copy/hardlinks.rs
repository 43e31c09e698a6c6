//! The hard-link structure of the source: files that share an inode in the
//! source (link count above 1) become hard links to the first copy made of
//! that inode, as cf-agent's copies do. cf-agent removes every later
//! destination of a known inode and links it again, so such a promise is
//! repaired on every run; that is kept.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fs::{self, Metadata};
use std::path::{Path, PathBuf};

use super::source::SourceStat;
use crate::promises::files::FileJob;

/// The first destination of each shared source inode, for one promise.
#[derive(Debug, Default)]
pub(crate) struct HardLinks {
    first: RefCell<HashMap<(u64, u64), PathBuf>>,
}

impl HardLinks {
    /// Notes `destination` as a copy of a shared source inode. The first
    /// copy of the inode is remembered; a later one is removed so that it
    /// can be linked again. True when it was removed.
    pub fn register(&self, job: &mut FileJob, stat: &SourceStat, destination: &Path) -> bool {
        if stat.links <= 1 {
            return false;
        }
        let key = (stat.device, stat.inode);
        if !self.first.borrow().contains_key(&key) {
            self.first
                .borrow_mut()
                .insert(key, destination.to_path_buf());
            return false;
        }
        let shown = destination.display();
        if !job.making_changes(format!(
            "remove old hard link '{shown}' to preserve structure"
        )) {
            return false;
        }
        job.repaired(format!(
            "Removed old hard link '{shown}' to preserve structure"
        ));
        fs::remove_file(destination).is_ok()
    }

    /// The first copy of the inode `stat` describes when `destination` is a
    /// later one and should be a hard link to it.
    pub fn first_copy(&self, stat: &SourceStat, destination: &Path) -> Option<PathBuf> {
        if stat.links <= 1 {
            return None;
        }
        self.first
            .borrow()
            .get(&(stat.device, stat.inode))
            .filter(|first| first.as_path() != destination)
            .cloned()
    }
}

/// Makes `destination` a hard link to `first`; its status when made.
pub(crate) fn link_to_first(
    job: &mut FileJob,
    first: &Path,
    destination: &Path,
) -> Option<Metadata> {
    let shown = destination.display();
    if fs::remove_file(destination).is_ok() {
        job.repaired(format!("Removed '{shown}'"));
    }
    if !job.making_changes(format!(
        "hard link files '{shown}' -> '{}'",
        first.display()
    )) {
        return None;
    }
    match fs::hard_link(first, destination) {
        Ok(()) => {
            job.repaired(format!(
                "Hard linked file '{shown}' -> '{}'",
                first.display()
            ));
            if let Some(parent) = destination.parent() {
                job.agent.writes.changed(parent);
            }
            fs::metadata(destination).ok()
        }
        Err(error) => {
            job.fail(format!(
                "Failed to hard link '{}' to '{shown}' ({error})",
                first.display()
            ));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::source::{CopySource, LocalSource};
    use super::*;

    #[test]
    fn only_shared_inodes_are_remembered_and_the_first_copy_wins() {
        let dir = std::env::temp_dir().join(format!("promise-rs-hardlinks-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("a"), "x").unwrap();
        fs::hard_link(dir.join("a"), dir.join("b")).unwrap();
        fs::write(dir.join("lone"), "y").unwrap();
        let shared = LocalSource.lstat(&dir.join("a")).unwrap();
        let lone = LocalSource.lstat(&dir.join("lone")).unwrap();
        let links = HardLinks::default();
        links
            .first
            .borrow_mut()
            .insert((shared.device, shared.inode), PathBuf::from("/dst/a"));
        assert_eq!(
            links.first_copy(&shared, Path::new("/dst/b")),
            Some(PathBuf::from("/dst/a"))
        );
        assert_eq!(links.first_copy(&shared, Path::new("/dst/a")), None);
        assert_eq!(links.first_copy(&lone, Path::new("/dst/lone")), None);
        let _ = fs::remove_dir_all(&dir);
    }
}
