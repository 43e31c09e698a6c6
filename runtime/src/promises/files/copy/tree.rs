//! A source directory copied into the destination directory, level by
//! level (cf-agent's SourceSearchAndCopy): subdirectories are made (0700)
//! and entered while the depth allows, every other entry is copied as one
//! object, and with `purge` what the source lacks is removed afterwards.

use std::collections::HashSet;
use std::fs;
use std::os::unix::fs::DirBuilderExt;
use std::path::Path;

use super::after::verify_copied;
use super::purge::{listing, purge_missing};
use super::single::{copy_file, Found};
use super::Copy;
use crate::outcome::{NotKeptReason, Outcome};
use crate::promises::files::existence::make_parents;
use crate::promises::files::search::considered;
use crate::promises::files::FileJob;

/// Copies the entries of `from` into `to`; `depth_left` counts down to the
/// level where the search stops (and fails, as in cf-agent).
pub(super) fn search_and_copy(
    job: &mut FileJob,
    copy: &Copy,
    from: &Path,
    to: &Path,
    depth_left: i64,
    root_device: u64,
) {
    if depth_left == 0 {
        return job.fail(format!(
            "Maximum recursion level reached at '{}'",
            from.display()
        ));
    }
    match make_parents(job, copy.a.move_obstructions, &to.join("dummy")) {
        Some(true) => job.repaired(format!("Created parent directory for '{}'", to.display())),
        Some(false) => {}
        None => return,
    }
    if !destination_is_directory(job, copy, to) {
        return;
    }
    let entries = match copy.source.read_dir(from) {
        Ok(entries) => entries,
        Err(error) => {
            return job.push(interrupted(format!(
                "Can't open directory '{}' for copying ({error})",
                from.display()
            )))
        }
    };
    let traverse_links = copy.search.as_ref().is_some_and(|s| s.traverse_links);
    let xdev = copy.search.as_ref().is_some_and(|s| s.xdev);
    let mut listing = listing(to);
    let mut present = HashSet::new();
    for entry in entries {
        let name = entry.name;
        if !considered(&name) {
            continue;
        }
        let source = from.join(&name);
        let Some(own) = entry.lstat.or_else(|| copy.source.lstat(&source).ok()) else {
            continue;
        };
        if copy.body.purge {
            present.insert(name.clone());
        }
        let stat = if traverse_links {
            match copy.source.stat(&source) {
                Ok(followed) => followed,
                Err(_) => continue,
            }
        } else {
            own.clone()
        };
        let destination = to.join(&name);
        if xdev && stat.device != root_device {
            job.agent.log.verbose(&format!(
                "Skipping '{}' on different device",
                source.display()
            ));
            continue;
        }
        if !stat.is_dir() {
            let mut found = listing.as_mut().ok().and_then(|l| l.remove(&name));
            if copy.hard_links.register(job, &own, &destination) {
                found = None;
            }
            copy_file(job, copy, &source, &destination, &own, Found::Listed(found));
            continue;
        }
        if traverse_links {
            job.agent
                .log
                .verbose("Traversing directory links during copy is too dangerous, pruned");
            continue;
        }
        if copy
            .search
            .as_ref()
            .is_some_and(|s| s.skips_directory(&source, &name))
        {
            continue;
        }
        if !enter(job, copy, &stat, &destination) {
            continue;
        }
        search_and_copy(
            job,
            copy,
            &source,
            &destination,
            depth_left - 1,
            root_device,
        );
    }
    if copy.body.purge {
        purge_missing(job, copy, &present, to, &listing);
    }
}

/// The destination directory must be a directory, not a link to one; a
/// link is moved aside with `move_obstructions`.
fn destination_is_directory(job: &mut FileJob, copy: &Copy, to: &Path) -> bool {
    let shown = to.display();
    let Ok(found) = fs::symlink_metadata(to) else {
        job.fail(format!("Unable to stat newly created directory '{shown}'"));
        return false;
    };
    if !found.file_type().is_symlink() {
        return true;
    }
    if !copy.a.move_obstructions {
        job.fail(format!(
            "Path '{shown}' is a symlink. Unable to move it aside without move_obstructions is set"
        ));
        return false;
    }
    let moved = format!("{}.cf-moved", to.display());
    if job.making_changes(format!("backup '{shown}'")) {
        match fs::rename(to, &moved) {
            Ok(()) => job.repaired(format!("Backed up '{shown}'")),
            Err(error) => {
                job.agent
                    .log
                    .error(&format!("Unable to backup old '{shown}' ({error})"));
                let _ = fs::remove_file(to);
            }
        }
    }
    if job.making_changes(format!("create directory '{shown}'")) {
        if let Err(error) = fs::DirBuilder::new().mode(0o700).create(to) {
            job.fail(format!("Failed to make directory '{shown}' ({error})"));
            return false;
        }
        job.repaired(format!("Created directory for '{shown}'"));
    }
    true
}

/// Makes the destination of a source subdirectory and verifies its perms.
/// cf-agent makes it even when only warning (not in audit mode, which
/// never changes anything). False when the walk cannot go in.
fn enter(job: &mut FileJob, copy: &Copy, stat: &super::source::SourceStat, to: &Path) -> bool {
    let shown = to.display();
    let found = match fs::metadata(to) {
        Ok(found) => found,
        Err(_) if job.agent.audit => {
            job.making_changes(format!("create directory '{shown}'"));
            return false;
        }
        Err(_) => {
            if let Err(error) = fs::DirBuilder::new().mode(0o700).create(to) {
                job.push(interrupted(format!(
                    "Can't make directory '{shown}' ({error})"
                )));
                return false;
            }
            if let Some(parent) = to.parent() {
                job.agent.writes.changed(parent);
            }
            job.repaired(format!("Created directory '{shown}'"));
            match fs::metadata(to) {
                Ok(found) => found,
                Err(error) => {
                    job.push(interrupted(format!(
                        "Can't stat local copy '{shown}' - failed to establish directory ({error})"
                    )));
                    return false;
                }
            }
        }
    };
    // cf-agent sets the classes of this check but leaves the result alone.
    let result = job.result.clone();
    verify_copied(job, copy, stat, to, &found);
    job.result = result;
    true
}

fn interrupted(message: String) -> Outcome {
    Outcome::NotKept {
        reason: NotKeptReason::Interrupted,
        message,
    }
}
