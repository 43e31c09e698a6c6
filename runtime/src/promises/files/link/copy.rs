//! `copy_patterns`: a link whose name matches is a copy of the source
//! instead. Kept small on purpose — a local copy, atomic, updated when the
//! source is newer (the default compare) — until files promises' own
//! copy_from can serve it.
//!
//! As in cf-agent, the copy is of the promise's source even for a child of
//! `link_children`: when that source is a directory, its files are copied
//! into a directory at the child's name.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use super::Linking;
use crate::fileops::atomic::{self, NewFile};
use crate::promises::files::search::considered_names;
use crate::promises::files::{existence, obstructions, FileJob};

pub(super) fn verify(job: &mut FileJob, l: &Linking, source: &Path, dest: &Path) {
    match fs::metadata(source) {
        Ok(meta) if meta.is_dir() => directory(job, l, source, dest),
        Ok(meta) => file(job, l, source, &meta, dest),
        Err(error) => job.fail(format!(
            "Can't stat '{}' to copy it to '{}' ({error})",
            source.display(),
            dest.display()
        )),
    }
}

/// A regular file: copied when missing or older than the source.
fn file(job: &mut FileJob, l: &Linking, source: &Path, meta: &fs::Metadata, dest: &Path) {
    let (from, to) = (source.display(), dest.display());
    let found = fs::symlink_metadata(dest).ok();
    if let Some(found) = found.as_ref().filter(|f| f.is_file()) {
        let newer = meta.mtime() > found.mtime() || meta.ctime() > found.ctime();
        if !newer {
            return job.kept(format!("File '{to}' is an up to date copy of '{from}'"));
        }
    }
    if !job.making_changes(format!("copy '{from}' to '{to}'")) {
        return;
    }
    if found.as_ref().is_some_and(|f| !f.is_file())
        && !obstructions::clear(job, dest, l.move_obstructions, l.saved)
    {
        return;
    }
    let copied = fs::read(source).and_then(|content| {
        atomic::replace(
            dest,
            &content,
            NewFile::default(),
            false,
            &mut job.agent.writes,
        )
    });
    match copied {
        Ok(()) => {
            job.repaired(format!("Copied file '{from}' to '{to}'"));
            // The copy's attributes are then verified, and found as promised.
            job.kept(format!("Attributes of '{to}' as promised"));
        }
        Err(error) => job.fail(format!("Failed to copy '{from}' to '{to}' ({error})")),
    }
}

/// A directory source: its regular files, one level, into `dest`.
fn directory(job: &mut FileJob, l: &Linking, source: &Path, dest: &Path) {
    if fs::metadata(dest).is_err() {
        // cf-agent looks for the destination before making it.
        job.fail(format!(
            "Can't stat directory '{}/' to copy '{}' into it",
            dest.display(),
            source.display()
        ));
        if !existence::create_at(job, l.files, &dest.join("."), true) {
            return;
        }
    }
    let names = match considered_names(source) {
        Ok(names) => names,
        Err(error) => {
            return job.fail(format!(
                "Can't read directory '{}' ({error})",
                source.display()
            ))
        }
    };
    for name in names {
        let from = source.join(&name);
        match fs::metadata(&from) {
            Ok(meta) if meta.is_file() => file(job, l, &from, &meta, &dest.join(&name)),
            _ => job.agent.log.verbose(&format!(
                "'{}' is not a plain file: not copied for copy_patterns",
                from.display()
            )),
        }
    }
}
