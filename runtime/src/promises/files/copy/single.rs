//! One source object onto one destination (cf-agent's CfCopyFile): a
//! missing copy is made, an existing one is compared and updated or kept,
//! special files are recreated and symlinks become links.

use std::ffi::CString;
use std::fs::{self, Metadata};
use std::io::{self, ErrorKind, Read};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use super::after::verify_copied;
use super::backup::backup_name_now;
use super::body::Compare;
use super::compare::{contents_differ, out_of_date, DestinationTimes};
use super::hardlinks::link_to_first;
use super::install::{install, Install};
use super::link::link_copy;
use super::source::{Kind, SourceStat};
use super::Copy;
use crate::fileops::diff;
use crate::promises::files::existence::make_parents;
use crate::promises::files::select::any_full_match;
use crate::promises::files::FileJob;

/// Files bigger than this are not shown as a diff in audit.
const DIFF_LIMIT: u64 = 1 << 20;

/// cf-agent's VerifyCopy of a non-directory: the source is looked at
/// itself (a symlink stays a symlink) and copied onto `destination`.
pub(super) fn verify_copy(job: &mut FileJob, copy: &Copy, source: &Path, destination: &Path) {
    match copy.source.lstat(source) {
        Ok(stat) => {
            copy.hard_links.register(job, &stat, destination);
            copy_file(job, copy, source, destination, &stat, Found::LookUp)
        }
        Err(_) => job.fail(format!("Can't stat '{}' in verify copy", source.display())),
    }
}

/// What is known of the destination before a file is copied.
pub(super) enum Found {
    /// Nothing: it is looked at, and missing directories above it made.
    LookUp,
    /// Its directory exists and was listed (a tree copy): this is its
    /// `lstat`, if it was there.
    Listed(Option<Metadata>),
}

/// CfCopyFile: `stat` is the source's own status.
pub(super) fn copy_file(
    job: &mut FileJob,
    copy: &Copy,
    source: &Path,
    destination: &Path,
    stat: &SourceStat,
    found: Found,
) {
    let shown = destination.display();
    if source == destination {
        return job.kept(format!(
            "File copy promise loop: file/dir '{shown}' is its own source"
        ));
    }
    if let Some(select) = &copy.select {
        if !select.selects_stat(source, &stat.facts()) {
            return job.kept(format!("Skipping non-selected file '{}'", source.display()));
        }
    }
    let leaf = source
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if any_full_match(&copy.body.linkcopy_patterns, &leaf) {
        if any_full_match(&copy.body.copylink_patterns, &leaf) {
            return job.kept(format!(
                "File {} matches both copylink_patterns and linkcopy_patterns - promise loop (skipping)!",
                source.display()
            ));
        }
        return link_copy(job, copy, source, destination, stat);
    }
    let (mut existing, parent_ready) = match found {
        Found::LookUp => (fs::symlink_metadata(destination).ok(), false),
        Found::Listed(found) => (found, true),
    };
    match &existing {
        Some(found) if found.file_type().is_symlink() && !stat.is_symlink() => {
            if copy.body.type_check {
                return job.fail(
                    "File image exists but destination type is silly (file/dir/link doesn't match)"
                        .to_string(),
                );
            }
            if !job.making_changes(format!(
                "remove old symbolic link '{shown}' to make way for copy"
            )) {
                return;
            }
            if let Err(error) = fs::remove_file(destination) {
                return job.fail(format!("Couldn't remove link '{shown}' ({error})"));
            }
            job.repaired(format!(
                "Removing old symbolic link '{shown}' to make way for copy"
            ));
            existing = None;
        }
        Some(_) => {}
        None if parent_ready => {}
        None => match make_parents(job, true, destination) {
            Some(true) => job.repaired(format!("Created parent directory for '{shown}'")),
            Some(false) => {}
            None => return,
        },
    }
    if let Some((min, max)) = copy.body.size_range {
        if stat.size < min || stat.size > max {
            return job.kept(format!(
                "Source file '{}' size is not in the permitted safety range, skipping",
                source.display()
            ));
        }
    }
    match existing {
        None => make_new(job, copy, source, destination, stat),
        Some(found) => update(job, copy, source, destination, stat, &found),
    }
}

/// The destination does not exist yet.
fn make_new(job: &mut FileJob, copy: &Copy, source: &Path, destination: &Path, stat: &SourceStat) {
    let shown = destination.display();
    let server = copy.source.server().to_string();
    match stat.kind {
        Kind::File => {
            if !job.making_changes(format!(
                "create '{shown}' as a copy of '{}'",
                source.display()
            )) {
                return;
            }
            if let Some(made) = copy_regular(job, copy, source, destination, stat, None) {
                verify_copied(job, copy, stat, destination, &made);
                job.repaired(format!(
                    "Updated file '{shown}' from '{server}:{}'",
                    source.display()
                ));
            }
        }
        Kind::Symlink => link_copy(job, copy, source, destination, stat),
        Kind::Fifo | Kind::CharDevice | Kind::BlockDevice | Kind::Socket => {
            make_special(job, destination, stat)
        }
        // Directories are walked by the tree copy, never copied as one.
        Kind::Directory => {}
    }
}

/// The destination exists: compared, then updated or kept.
fn update(
    job: &mut FileJob,
    copy: &Copy,
    source: &Path,
    destination: &Path,
    stat: &SourceStat,
    found: &Metadata,
) {
    let shown = destination.display();
    job.agent
        .log
        .verbose(&format!("Destination file '{shown}' already exists"));
    if copy.body.compare == Compare::Exists {
        return job.kept("Existence only is promised, no copying required".to_string());
    }
    let should_copy = copy.body.force_update
        || out_of_date(
            copy.body.compare,
            stat,
            DestinationTimes::of(found),
            &mut |how| contents_differ(how, copy.source, source, stat, destination),
        );
    if copy.body.type_check && Kind::of(found.file_type()) != stat.kind {
        return job.fail(format!(
            "Promised file copy {shown} exists but type mismatch with source '{}'",
            source.display()
        ));
    }
    if !should_copy && !stat.is_symlink() {
        verify_copied(job, copy, stat, destination, found);
        return job.kept_with(|| format!("File '{shown}' is an up to date copy of source"));
    }
    match stat.kind {
        Kind::File => {
            let change = format!(
                "update '{shown}' from '{}'{}",
                source.display(),
                difference(job, copy, source, destination, stat)
            );
            if !job.making_changes(change) {
                return;
            }
            if let Some(made) = copy_regular(job, copy, source, destination, stat, Some(found)) {
                job.repaired(format!(
                    "Updated '{shown}' from source '{}' on '{}'",
                    source.display(),
                    copy.source.server()
                ));
                verify_copied(job, copy, stat, destination, &made);
            }
        }
        Kind::Symlink => link_copy(job, copy, source, destination, stat),
        _ => {}
    }
}

/// Writes the copy of a regular file; its status, or `None` (and failed)
/// when it could not.
fn copy_regular(
    job: &mut FileJob,
    copy: &Copy,
    source: &Path,
    destination: &Path,
    stat: &SourceStat,
    found: Option<&Metadata>,
) -> Option<Metadata> {
    if let Some(first) = copy.hard_links.first_copy(stat, destination) {
        return link_to_first(job, &first, destination);
    }
    // The mode of what is there now (through a link), never set-id bits.
    let existing_mode = match found {
        Some(meta) if !meta.file_type().is_symlink() => Some(meta.mode() & 0o777),
        Some(_) => fs::metadata(destination).ok().map(|m| m.mode() & 0o777),
        None => None,
    };
    let mode = if copy.body.preserve {
        stat.mode
    } else {
        existing_mode.unwrap_or(0o600)
    };
    let backup = existing_mode
        .and_then(|_| backup_name_now(destination, copy.body.backup, job.agent.started));
    let installed = install(
        Install {
            source: copy.source,
            source_path: source,
            source_stat: stat,
            mode,
            replacing: found.map(|meta| Kind::of(meta.file_type())),
            backup,
            verify: copy.body.verify,
            stealth: copy.body.stealth,
        },
        destination,
        &mut job.agent.writes,
    );
    match installed {
        Ok(made) => Some(made),
        Err(reason) => {
            job.fail(reason);
            None
        }
    }
}

/// A fifo or device node like the source's.
fn make_special(job: &mut FileJob, destination: &Path, stat: &SourceStat) {
    let shown = destination.display();
    let what = if stat.kind == Kind::Fifo {
        "FIFO"
    } else {
        "special file/device"
    };
    if !job.making_changes(format!("create {what} '{shown}'")) {
        return;
    }
    let kind = match stat.kind {
        Kind::Fifo => libc::S_IFIFO,
        Kind::CharDevice => libc::S_IFCHR,
        Kind::BlockDevice => libc::S_IFBLK,
        _ => libc::S_IFSOCK,
    };
    let made = CString::new(destination.as_os_str().as_bytes())
        .map_err(|_| io::Error::from(ErrorKind::InvalidInput))
        .and_then(|name| {
            // SAFETY: mknod reads a NUL-terminated path.
            let status = unsafe { libc::mknod(name.as_ptr(), kind | stat.mode, stat.rdev) };
            if status == 0 {
                Ok(())
            } else {
                Err(io::Error::last_os_error())
            }
        });
    match made {
        Ok(()) => {
            job.agent
                .writes
                .changed(destination.parent().unwrap_or(Path::new("/")));
            job.repaired(format!("Created {what} '{shown}'"))
        }
        Err(error) => job.fail(format!("Cannot create {what} '{shown}' ({error})")),
    }
}

/// For a change that is only reported: the unified diff from the current
/// copy to the source (text files up to a size), else a note on sizes.
fn difference(
    job: &FileJob,
    copy: &Copy,
    source: &Path,
    destination: &Path,
    stat: &SourceStat,
) -> String {
    if job.apply {
        return String::new();
    }
    let current = fs::metadata(destination).map(|m| m.len()).unwrap_or(0);
    if stat.size > DIFF_LIMIT || current > DIFF_LIMIT {
        return format!(" ({current} bytes now, {} bytes in the source)", stat.size);
    }
    let old = fs::read(destination).unwrap_or_default();
    let mut new = Vec::new();
    if copy
        .source
        .open(source)
        .and_then(|mut r| r.read_to_end(&mut new))
        .is_err()
    {
        return String::new();
    }
    match (std::str::from_utf8(&old), std::str::from_utf8(&new)) {
        (Ok(old), Ok(new)) => {
            let shown = destination.display().to_string();
            let text = diff::unified(
                &diff::lines_of(old),
                &diff::lines_of(new),
                &shown,
                &shown,
                3,
            );
            if text.is_empty() {
                String::new()
            } else {
                format!(":\n{}", text.trim_end())
            }
        }
        _ => " (binary content differs)".to_string(),
    }
}
