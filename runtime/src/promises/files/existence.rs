//! Existence and whole content: whether the promiser exists, `create`
//! (files, directories, named pipes, missing parents), the `delete` body,
//! `content`.

use std::ffi::CString;
use std::fs;
use std::io::ErrorKind;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::attributes::{Delete, FilesAttributes};
use super::{obstructions, search, FileJob};
use crate::fileops::atomic::{self, NewFile};

/// Whether the promiser exists once creation was tried.
pub(super) struct Existence {
    /// It exists (through a symlink).
    pub exists: bool,
    /// Something, maybe a dangling symlink, was there from the start.
    pub link: bool,
}

/// Creates a missing promiser when `create` or `touch` asks for it. `None`
/// ends the promise here: creation failed, there is nothing to delete, or a
/// depth_search has no directory to search.
pub(super) fn ensure(job: &mut FileJob, a: &FilesAttributes) -> Option<Existence> {
    let promiser = job.promiser;
    let link = fs::symlink_metadata(&job.target.written).is_ok();
    if a.create || a.touch {
        if link {
            job.kept(format!("File '{promiser}' exists as promised"));
        } else if !create(job, a) {
            return None;
        }
    }
    if a.delete.is_some() && !link {
        job.kept(format!("File '{promiser}' does not exist as promised"));
        return None;
    }
    if a.file_select && link && !selected_or_searched(job, a) {
        return None;
    }
    let exists = match fs::metadata(&job.target.path) {
        Ok(meta) => {
            if !meta.is_dir() && a.depth_search.is_some() {
                job.agent.log.verbose(&format!(
                    "depth_search of '{promiser}', which is not a directory: nothing to search"
                ));
                return None;
            }
            true
        }
        // A dangling symlink: creating through it fails, as in cf-agent.
        Err(_) if a.create || a.touch => {
            if !create(job, a) {
                return None;
            }
            true
        }
        Err(_) => false,
    };
    Some(Existence { exists, link })
}

/// Whether the promiser is chosen by the file_select, or is a directory a
/// depth_search will select in.
fn selected_or_searched(job: &mut FileJob, a: &FilesAttributes) -> bool {
    let Ok(meta) = fs::symlink_metadata(&job.target.path) else {
        return true;
    };
    if a.depth_search.is_some() && meta.is_dir() {
        return true;
    }
    match search::file_select(job) {
        Ok(select) => select.is_none_or(|s| s.selects(&job.target.path, &meta)),
        Err(reason) => {
            job.push(reason);
            false
        }
    }
}

/// Creates the promiser: a directory for `dir/.` (or with a depth_search),
/// else a named pipe (`file_type => "fifo"`) or an empty file. False when
/// it could not be created. cf-agent's `CfCreateFile`, which templates use
/// too.
pub(super) fn create(job: &mut FileJob, a: &FilesAttributes) -> bool {
    let written = job.target.written.clone();
    let directory = job.target.directory || a.depth_search.is_some();
    create_at(job, a, &written, directory)
}

/// Creates `written` as a directory, or as a named pipe or empty file with
/// the mode of the perms body if it has one (0600 otherwise), and any
/// missing parent directories (0700). False when it could not be created.
pub(super) fn create_at(
    job: &mut FileJob,
    a: &FilesAttributes,
    written: &Path,
    directory: bool,
) -> bool {
    let shown = written.display().to_string();
    if !written.is_absolute() {
        job.fail(format!(
            "Cannot create a relative filename '{shown}' - has no invariant meaning"
        ));
        return false;
    }
    if directory {
        if !job.making_changes(format!("create directory '{shown}'")) {
            return false;
        }
        return match make_parents(job, a.move_obstructions, written) {
            Some(true) => {
                job.repaired(format!("Created directory '{shown}'"));
                true
            }
            Some(false) => true,
            None => false,
        };
    }
    let mode = a
        .perms
        .as_ref()
        .filter(|p| p.mode_text.is_some() && p.mode_error.is_none())
        .map_or(0o600, |p| p.mode.creation_mode());
    match make_parents(job, a.move_obstructions, written) {
        Some(true) => job.repaired(format!("Created directory for '{shown}'")),
        Some(false) => {}
        None => return false,
    }
    if a.fifo {
        return make_fifo(job, written, mode);
    }
    if !job.making_changes(format!("create file '{shown}', mode {mode:04o}")) {
        return false;
    }
    let created = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(written)
        // The process umask must not narrow the promised mode.
        .and_then(|file| file.set_permissions(fs::Permissions::from_mode(mode)));
    match created {
        Ok(()) => {
            job.agent.writes.changed(parent_dir(written));
            job.repaired(format!("Created file '{shown}', mode {mode:04o}"));
            true
        }
        Err(error) => {
            let hint = if error.kind() == ErrorKind::AlreadyExists {
                " Most likely a dangling symlink is in the way; its target is not created."
            } else {
                ""
            };
            job.fail(format!(
                "Error creating file '{shown}', mode {mode:04o}: {error}.{hint}"
            ));
            false
        }
    }
}

fn make_fifo(job: &mut FileJob, path: &Path, mode: u32) -> bool {
    let promiser = path.display();
    if !job.making_changes(format!("create named pipe '{promiser}', mode {mode:04o}")) {
        return false;
    }
    let made = CString::new(path.as_os_str().as_bytes())
        .map_err(|_| std::io::Error::from(ErrorKind::InvalidInput))
        .and_then(|name| {
            // SAFETY: mkfifo reads a NUL-terminated path.
            if unsafe { libc::mkfifo(name.as_ptr(), 0o600) } == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        })
        .and_then(|()| fs::set_permissions(path, fs::Permissions::from_mode(mode)));
    match made {
        Ok(()) => {
            job.repaired(format!("Created named pipe '{promiser}', mode {mode:04o}"));
            true
        }
        Err(error) => {
            // cf-agent records this failure without failing the promise's
            // result, so the promise is also reported kept.
            job.note(crate::outcome::Outcome::failed(format!(
                "Error creating named pipe '{promiser}', mode {mode:04o}: {error}"
            )));
            false
        }
    }
}

/// Makes the missing directories above `child`, 0700, as cf-agent does:
/// the parent must be a directory (or a link), unless `force`
/// (`move_obstructions`) moves what is in the way to `<parent>.cf-moved`. `Some(true)` when a
/// directory was made, `None` when it failed.
pub(super) fn make_parents(
    job: &mut FileJob,
    move_obstructions: bool,
    child: &Path,
) -> Option<bool> {
    let child_text = child.to_string_lossy().into_owned();
    let parent = parent_text(&child_text);
    if parent.is_empty() {
        return Some(false);
    }
    if let Ok(found) = fs::symlink_metadata(parent) {
        let is_dir = fs::metadata(parent).is_ok_and(|m| m.is_dir());
        if move_obstructions {
            if !is_dir && !obstructions::move_parent_aside(job, parent, &child_text)? {
                return Some(false);
            }
        } else if !found.file_type().is_symlink() && !found.is_dir() {
            job.fail(format!(
                "The object '{parent}' is not a directory. Cannot make a new directory without deleting it."
            ));
            return None;
        }
    }
    let mut created = false;
    for (at, _) in child_text.match_indices('/') {
        let prefix = &child_text[..at];
        if prefix.is_empty() {
            continue;
        }
        match fs::metadata(prefix) {
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => {
                job.fail(format!(
                    "Cannot make {parent} - {prefix} is not a directory!"
                ));
                return None;
            }
            Err(_) => {
                if !job.making_changes(format!("make directory '{prefix}' for '{child_text}'")) {
                    continue;
                }
                match fs::DirBuilder::new().mode(0o700).create(prefix) {
                    Ok(()) => created = true,
                    Err(error) if error.kind() == ErrorKind::AlreadyExists => {}
                    Err(error) => {
                        job.fail(format!("Failed to make directory: {prefix} ({error})"));
                        return None;
                    }
                }
            }
        }
    }
    if created {
        job.agent.writes.changed(Path::new(parent));
    }
    Some(created)
}

/// Everything before the last `/`, without trailing slashes (`/` itself
/// becomes empty: there is nothing to make).
pub(super) fn parent_text(path: &str) -> &str {
    match path.rfind('/') {
        Some(at) => path[..at].trim_end_matches('/'),
        None => "",
    }
}

pub(super) fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// The `delete` body on one object found by the promise: files and links
/// are unlinked; an empty directory is removed only with `rmdirs`, and
/// never the base of a depth_search; a non-empty one is kept silently.
pub(super) fn delete(
    job: &mut FileJob,
    body: &Delete,
    depth_search: bool,
    path: &Path,
    meta: &fs::Metadata,
) {
    let shown = path.display().to_string();
    let kind = if meta.is_dir() { "directory" } else { "file" };
    if !job.making_changes(format!("delete {kind} '{shown}'")) {
        return;
    }
    if !meta.is_dir() {
        match fs::remove_file(path) {
            Ok(()) => {
                job.agent.writes.changed(parent_dir(path));
                job.repaired(format!("Deleted file '{shown}'"));
            }
            Err(error) => job.fail(format!("Couldn't unlink '{shown}' tidying ({error})")),
        }
        return;
    }
    if !body.rmdirs {
        job.kept(format!(
            "Keeping directory '{shown}' since 'rmdirs' attribute was not specified"
        ));
        return;
    }
    if depth_search && path == job.target.path {
        return;
    }
    match fs::remove_dir(path) {
        Ok(()) => {
            job.agent.writes.changed(parent_dir(path));
            job.repaired(format!("Deleted directory '{shown}'"));
        }
        Err(error) if error.kind() == ErrorKind::DirectoryNotEmpty => job
            .agent
            .log
            .verbose(&format!("Delete directory '{shown}' not empty, skipping")),
        Err(error) => job.fail(format!("Delete directory '{shown}' failed ({error})")),
    }
}

/// `content`: the whole file, created unless `create => "false"`, and
/// replaced atomically when it differs. Nothing is verified after it.
pub(super) fn content(job: &mut FileJob, a: &FilesAttributes, content: &str, exists: bool) {
    if a.edit {
        job.fail(format!(
            "A files promise with content cannot have edit operations (promise on '{}')",
            job.promiser
        ));
        return;
    }
    let exists = exists || (!a.create_false && create(job, a));
    if !exists {
        job.agent.log.verbose(&format!(
            "Cannot render file '{}' with content: file does not exist",
            job.promiser
        ));
        return;
    }
    write_content(job, content);
}

fn write_content(job: &mut FileJob, content: &str) {
    let shown = job.target.path.display().to_string();
    // Through a symlink, the file it points to is written.
    let path: PathBuf =
        fs::canonicalize(&job.target.path).unwrap_or_else(|_| job.target.path.clone());
    let old = fs::read(&path).unwrap_or_default();
    if old == content.as_bytes() {
        return;
    }
    let difference = crate::fileops::diff::unified(
        &crate::fileops::diff::lines_of(&String::from_utf8_lossy(&old)),
        &crate::fileops::diff::lines_of(content),
        &shown,
        &shown,
        3,
    );
    if !job.making_changes(format!(
        "update file '{shown}' with content:\n{}",
        difference.trim_end()
    )) {
        return;
    }
    match atomic::replace(
        &path,
        content.as_bytes(),
        NewFile::default(),
        false,
        &mut job.agent.writes,
    ) {
        Ok(()) => job.repaired(format!("Updated file '{shown}' with content '{content}'")),
        Err(error) => job.fail(format!(
            "Failed to update file '{shown}' with content ({error})"
        )),
    }
}

/// Whether an edit goes ahead: on an existing file, or on a missing one
/// that a template (the default `template_method` is "cfengine") may
/// create unless `create => "false"` is written out.
pub(super) fn edit_may_proceed(a: &FilesAttributes, exists: bool) -> bool {
    exists
        || (matches!(
            a.template_method.as_str(),
            "mustache" | "inline_mustache" | "cfengine"
        ) && !a.create_false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_are_cut_at_the_last_slash() {
        assert_eq!(parent_text("/a/b/c.txt"), "/a/b");
        assert_eq!(parent_text("/a/slash/"), "/a/slash");
        assert_eq!(parent_text("/a/dir/."), "/a/dir");
        assert_eq!(parent_text("/top"), "");
        assert_eq!(parent_text("//double//x"), "//double");
        assert_eq!(parent_text("relative"), "");
    }
}
