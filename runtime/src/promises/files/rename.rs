//! The `rename` body on one object: `newname`, `disable` (with
//! `disable_suffix` and `disable_mode`), `rotate`.

use std::fs::{self, Metadata};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::attributes::Rename;
use super::FileJob;

/// cf-agent's suffix for a disabled file.
const DISABLED: &str = ".cfdisabled";
/// Compressed generations move along with the plain ones.
const COMPRESSED: &[&str] = &["", ".gz", ".Z", ".bz", ".bz2"];

pub(super) fn verify(job: &mut FileJob, body: &Rename, path: &Path, meta: &Metadata) {
    let shown = path.display().to_string();
    let Ok(now) = fs::symlink_metadata(path) else {
        job.kept(format!(
            "File object named '{shown}' is not there (promise kept)"
        ));
        return;
    };
    if body.disable {
        job.agent.log.warning(&format!(
            "File object '{shown}' exists, contrary to promise"
        ));
    }
    if let Some(newname) = &body.newname {
        rename_to(job, path, &beside(path, newname));
        return;
    }
    if body.disable {
        if now.file_type().is_symlink() {
            disable_link(job, path);
        } else {
            disable(job, body, path, meta);
        }
        return;
    }
    match body.rotate {
        Some(0) => truncate(job, path),
        Some(generations) => rotate_promised(job, path, generations),
        None => {}
    }
}

fn rotate_promised(job: &mut FileJob, path: &Path, generations: u32) {
    let shown = path.display().to_string();
    if job.making_changes(format!(
        "rotate file '{shown}' in {generations} generations"
    )) {
        rotate(job, path, generations);
        job.repaired(format!(
            "Rotated file '{shown}' in {generations} generations"
        ));
    }
}

/// `newname`: an absolute name, or a name in the object's directory.
fn beside(path: &Path, name: &str) -> PathBuf {
    if Path::new(name).is_absolute() {
        return PathBuf::from(name);
    }
    let text = path.to_string_lossy();
    match text.rfind('/') {
        Some(at) => PathBuf::from(format!("{}/{name}", &text[..at])),
        None => PathBuf::from(name),
    }
}

fn rename_to(job: &mut FileJob, path: &Path, destination: &Path) {
    let (from, to) = (path.display(), destination.display());
    if !job.making_changes(format!("rename '{from}' to '{to}'")) {
        return;
    }
    match fs::rename(path, destination) {
        Ok(()) => job.repaired(format!("Renamed file '{from}' to '{to}'")),
        Err(error) => job.fail(format!("Error occurred while renaming '{from}' ({error})")),
    }
}

/// A disabled symlink is deleted.
fn disable_link(job: &mut FileJob, path: &Path) {
    let shown = path.display();
    if !job.making_changes(format!("disable link '{shown}' by deleting it")) {
        return;
    }
    match fs::remove_file(path) {
        Ok(()) => job.repaired(format!("Disabled symbolic link '{shown}' by deleting it")),
        Err(error) => job.fail(format!("Unable to unlink '{shown}' ({error})")),
    }
}

/// `disable`: the file gets its `disable_mode` (its own mode without one)
/// and is renamed with the `disable_suffix` (`.cfdisabled`).
fn disable(job: &mut FileJob, body: &Rename, path: &Path, meta: &Metadata) {
    let shown = path.display().to_string();
    let kind = if meta.is_dir() { "directory" } else { "file" };
    let suffix = body.disable_suffix.as_deref().unwrap_or(DISABLED);
    let destination = format!("{shown}{suffix}");
    let mode = body.disable_mode.apply(meta.mode() & 0o7777, false, false);
    if !job.making_changes(format!(
        "disable {kind} '{shown}' by renaming it to '{destination}' with mode {mode:04o}"
    )) {
        return;
    }
    match fs::set_permissions(path, fs::Permissions::from_mode(mode)) {
        Ok(()) => job.repaired(format!(
            "Changed permissions of '{shown}' to 'mode {mode:04o}'"
        )),
        Err(error) => job.fail(format!(
            "Failed to change permissions of '{shown}' to 'mode {mode:04o}' ({error})"
        )),
    }
    match fs::rename(path, &destination) {
        Ok(()) => job.repaired(format!(
            "Disabled file '{shown}' by renaming to '{destination}' with mode {mode:04o}"
        )),
        Err(error) => job.fail(format!("Error occurred while renaming '{shown}' ({error})")),
    }
}

/// `rotate => "0"` empties the file.
fn truncate(job: &mut FileJob, path: &Path) {
    let shown = path.display();
    if !job.making_changes(format!("truncate '{shown}'")) {
        return;
    }
    let emptied = fs::OpenOptions::new().write(true).truncate(true).open(path);
    match emptied {
        Ok(_) => job.repaired(format!("Truncated '{shown}'")),
        Err(error) => job.fail(format!("Failed to truncate '{shown}' ({error})")),
    }
}

/// Shifts `path.1` … `path.N-1` one generation up (`path.N` is
/// overwritten), copies the file to `path.1` with its mode and owner and
/// empties it. A file is rotated once per run; later rotations of it in the
/// same run do nothing (and still report a change, as cf-agent does).
fn rotate(job: &mut FileJob, path: &Path, generations: u32) {
    if !job.agent.files_run.rotated.insert(path.to_path_buf()) {
        return;
    }
    let shown = path.display().to_string();
    let Ok(meta) = fs::metadata(path) else {
        return;
    };
    for generation in (1..generations).rev() {
        for suffix in COMPRESSED {
            let from = format!("{shown}.{generation}{suffix}");
            let to = format!("{shown}.{}{suffix}", generation + 1);
            // Missing generations are normal.
            let _ = fs::rename(&from, &to);
        }
    }
    let first = format!("{shown}.1");
    let mode = fs::Permissions::from_mode(meta.mode() & 0o7777);
    let copied = fs::copy(path, &first)
        .and_then(|_| fs::set_permissions(&first, mode.clone()))
        .and_then(|()| std::os::unix::fs::chown(&first, Some(meta.uid()), Some(meta.gid())));
    if let Err(error) = copied {
        job.agent.log.error(&format!(
            "Could not copy '{shown}' to '{first}' while rotating it ({error})"
        ));
        return;
    }
    let emptied = fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(path)
        .and_then(|file| file.set_permissions(mode));
    if let Err(error) = emptied {
        job.agent.log.error(&format!(
            "Failed to empty '{shown}' while rotating it ({error})"
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_names_are_absolute_or_beside_the_file() {
        assert_eq!(
            beside(Path::new("/a/b.txt"), "c.txt"),
            Path::new("/a/c.txt")
        );
        assert_eq!(
            beside(Path::new("/a/b.txt"), "/x/c.txt"),
            Path::new("/x/c.txt")
        );
        assert_eq!(beside(Path::new("/a/dir"), "sub/d"), Path::new("/a/sub/d"));
    }
}
