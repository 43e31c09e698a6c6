//! Source symlinks in a copy (cf-agent's LinkCopy): the destination
//! becomes a link with the same target, or an absolute one with
//! `link_type => "absolute"`; with `copylink_patterns` the file the link
//! leads to is copied instead; `linkcopy_patterns` makes a link to a
//! source file rather than a copy of it.

use std::fs;
use std::path::{Path, PathBuf};

use super::after::verify_copied;
use super::single::{copy_file, Found};
use super::source::SourceStat;
use super::Copy;
use crate::promises::files::existence::make_parents;
use crate::promises::files::select::any_full_match;
use crate::promises::files::FileJob;

/// How a link check ended.
enum Linked {
    Kept,
    Repaired,
    /// Failed or only warned: the copy's perms are not verified.
    NotDone,
}

/// `destination` as a link standing for the source object `source`.
pub(super) fn link_copy(
    job: &mut FileJob,
    copy: &Copy,
    source: &Path,
    destination: &Path,
    stat: &SourceStat,
) {
    let target = if stat.is_symlink() {
        match copy.source.read_link(source) {
            Ok(target) if copy.body.absolute_links && !target.is_absolute() => {
                source.parent().unwrap_or(Path::new("/")).join(target)
            }
            Ok(target) => target,
            Err(_) => return job.fail(format!("Can't read link '{}'", source.display())),
        }
    } else {
        source.to_path_buf()
    };
    let leaf = source
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if any_full_match(&copy.body.copylink_patterns, &leaf) {
        return copy_link_target(job, copy, source, destination);
    }
    let linked = ensure_link(job, copy, destination, &target);
    if matches!(linked, Linked::Kept | Linked::Repaired) {
        match fs::symlink_metadata(destination) {
            Ok(found) => verify_copied(job, copy, stat, destination, &found),
            Err(error) => job.fail(format!("Can't lstat '{}' ({error})", destination.display())),
        }
    }
}

/// `copylink_patterns`: the object at the end of the link is copied.
fn copy_link_target(job: &mut FileJob, copy: &Copy, source: &Path, destination: &Path) {
    let real: PathBuf = match copy.source.resolve(source) {
        Ok(real) => real,
        Err(error) => {
            return job.fail(format!(
                "Can't follow the link '{}' to copy what it points to ({error})",
                source.display()
            ))
        }
    };
    job.agent.log.verbose(&format!(
        "Link item in copy '{}' marked for copying from '{}' instead",
        source.display(),
        real.display()
    ));
    match copy.source.stat(&real) {
        Ok(stat) => copy_file(job, copy, &real, destination, &stat, Found::LookUp),
        Err(_) => job.fail(format!("Can't stat '{}' in verify copy", real.display())),
    }
}

/// cf-agent's VerifyLink for copies (a missing source does not matter):
/// kept when the link already points there, made when nothing is in the
/// way, replaced only with `move_obstructions`.
fn ensure_link(job: &mut FileJob, copy: &Copy, destination: &Path, target: &Path) -> Linked {
    let shown = destination.display().to_string();
    let wanted = target.to_string_lossy().into_owned();
    let dotted = if target.is_absolute() || wanted.starts_with('.') {
        wanted.clone()
    } else {
        format!("./{wanted}")
    };
    match fs::read_link(destination) {
        Ok(current) => {
            let current = current.to_string_lossy();
            if current == wanted || current == dotted {
                job.kept(format!("Link '{shown}' points to '{wanted}', promise kept"));
                return Linked::Kept;
            }
            if !copy.a.move_obstructions {
                job.fail(format!(
                    "Link '{shown}' points to '{current}' not '{dotted}', but not moving obstructions"
                ));
                return Linked::NotDone;
            }
            if !job.making_changes(format!("remove incorrect link '{shown}'")) {
                return Linked::NotDone;
            }
            if let Err(error) = fs::remove_file(destination) {
                job.fail(format!(
                    "Error removing link '{shown}' (points to '{current}' not '{dotted}'): {error}"
                ));
                return Linked::NotDone;
            }
            job.repaired(format!("Overrode incorrect link '{shown}'"));
            make_link(job, destination, target)
        }
        Err(_) => {
            if !job.making_changes(format!("create link '{shown}'")) {
                return Linked::NotDone;
            }
            match make_parents(job, copy.a.move_obstructions, destination) {
                Some(true) => job.repaired(format!("Created parent directory for link '{shown}'")),
                Some(false) => {}
                None => return Linked::NotDone,
            }
            if fs::symlink_metadata(destination).is_ok() {
                // Moving a file out of the way of a link is
                // move_obstructions' job (files/obstructions.rs).
                job.fail(format!(
                    "Unable to create link '{shown}' -> '{dotted}', failed to move obstruction"
                ));
                return Linked::NotDone;
            }
            make_link(job, destination, target)
        }
    }
}

fn make_link(job: &mut FileJob, destination: &Path, target: &Path) -> Linked {
    let (from, to) = (destination.display(), target.display());
    if !job.making_changes(format!("link files '{from}' -> '{to}'")) {
        return Linked::NotDone;
    }
    match std::os::unix::fs::symlink(target, destination) {
        Ok(()) => {
            if let Some(parent) = destination.parent() {
                job.agent.writes.changed(parent);
            }
            job.repaired(format!("Linked files '{from}' -> '{to}'"));
            Linked::Repaired
        }
        Err(error) => {
            job.fail(format!("Couldn't link '{to}' to '{from}' ({error})"));
            Linked::NotDone
        }
    }
}
