//! `link_children`: the promiser is a directory holding a link to each
//! entry of the source directory (cf-agent's ScheduleLinkChildrenOperation).
//! With a depth_search deeper than the current level, a source
//! subdirectory gets a directory of links instead of one link.

use std::fs;
use std::path::Path;

use super::{one, Linking};
use crate::promises::files::existence;
use crate::promises::files::search::considered_names;
use crate::promises::files::FileJob;

/// Links the entries of `source` inside `dest`, `level` deep (1 for the
/// promiser).
pub(super) fn link(job: &mut FileJob, l: &mut Linking, dest: &Path, source: &str, level: i64) {
    let shown = dest.display().to_string();
    match fs::symlink_metadata(dest) {
        Ok(meta) if l.move_obstructions && meta.file_type().is_symlink() => {
            if !job.making_changes(format!("remove obstructing link '{shown}'")) {
                return;
            }
            match fs::remove_file(dest) {
                Ok(()) => job.repaired(format!("Removed obstructing link '{shown}'")),
                Err(error) => job.fail(format!(
                    "Failed to remove obstructing link '{shown}' ({error})"
                )),
            }
        }
        Ok(meta) if !meta.is_dir() => {
            return job.fail(format!(
                "Cannot promise to link files to children of '{shown}' as it is not a directory"
            ));
        }
        Ok(_) => {}
        Err(_) => {
            if !existence::create_at(job, l.files, &dest.join("."), true) {
                return job.fail(format!(
                    "Failed to create directory '{shown}' for linking files as its children"
                ));
            }
        }
    }
    let names = match considered_names(&l.on_disk(source)) {
        Ok(names) => names,
        Err(error) => {
            return job.fail(format!(
                "Can't open source of children to link '{source}' ({error})"
            ))
        }
    };
    for name in names {
        let child = dest.join(&name);
        let child_source = format!("{}/{name}", source.trim_end_matches('/'));
        if let Ok(meta) = fs::symlink_metadata(&child) {
            if !meta.file_type().is_symlink() && !meta.is_dir() {
                if !l.link.override_children {
                    job.agent.log.verbose(&format!(
                        "Have promised not to disturb existing content belonging to '{}'",
                        child.display()
                    ));
                    continue;
                }
                l.move_obstructions = true;
            }
        }
        let descend = l.files.depth() > level
            && fs::symlink_metadata(l.on_disk(&child_source)).is_ok_and(|m| m.is_dir());
        if descend {
            link(job, l, &child, &child_source, level + 1);
        } else {
            one(job, l, &child, &child_source);
        }
    }
}
