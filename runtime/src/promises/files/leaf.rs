//! One object a files promise found (the promiser, or each file of a
//! depth_search), verified as cf-agent verifies a leaf: the transformer,
//! or else rename, delete and touch; then its attributes — setuid bits,
//! owner and group, changes, mode, timestamps.

use std::fs::Metadata;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use super::attributes::{FilesAttributes, Perms};
use super::{changes, existence, perms, rename, touch, transformer, FileJob};

pub(super) fn verify(job: &mut FileJob, a: &FilesAttributes, path: &Path, meta: &Metadata) {
    if a.transformer {
        transformer::transform(job, path);
    } else {
        if let Some(body) = &a.rename {
            rename::verify(job, body, path, meta);
        }
        if let Some(body) = &a.delete {
            existence::delete(job, body, a.depth_search.is_some(), path, meta);
        }
        if a.touch {
            touch::touch(job, path);
        }
    }
    if a.perms.is_some() || a.changes.is_some() || a.acl {
        let base_of_search =
            meta.is_dir() && a.depth() > 0 && !a.include_basedir() && path == job.target.path;
        if base_of_search {
            job.agent.log.verbose(&format!(
                "Promise to skip base directory '{}'",
                path.display()
            ));
        } else {
            attributes(job, a, path, meta);
        }
    }
}

/// Perms and changes of one object; a symlink itself has no mode to set.
pub(super) fn attributes(job: &mut FileJob, a: &FilesAttributes, path: &Path, meta: &Metadata) {
    let current = meta.mode() & 0o7777;
    let wanted = match &a.perms {
        Some(p) => p.mode.apply(current, meta.is_dir(), p.rxdirs),
        None => current,
    };
    if let Some(error) = a.perms.as_ref().and_then(|p| p.mode_error.clone()) {
        job.fail(format!(
            "{error}: the mode of '{}' is left as it is",
            path.display()
        ));
    }
    attributes_with(job, a, a.perms.as_ref(), path, meta, wanted);
}

/// [`attributes`] with the mode and the owners given: a copy that
/// preserves its source takes both from the source.
pub(super) fn attributes_with(
    job: &mut FileJob,
    a: &FilesAttributes,
    perms: Option<&Perms>,
    path: &Path,
    meta: &Metadata,
    wanted: u32,
) {
    let current = meta.mode() & 0o7777;
    perms::setid_bits(job, path, meta, wanted);
    if let Some(p) = perms {
        perms::owner_and_group(job, p, path, meta);
    }
    if let Some(body) = &a.changes {
        if meta.is_file() {
            changes::content(job, body, path);
        }
        changes::stats(job, body, path, meta);
    }
    if meta.file_type().is_symlink() {
        return;
    }
    perms::mode(job, path, current, wanted);
    if let Some(p) = perms.filter(|p| !p.bsdflags.is_empty()) {
        job.agent.log.verbose(&format!(
            "bsdflags {:?} of '{}' not checked: this system has no BSD file flags",
            p.bsdflags,
            path.display()
        ));
    }
    if a.touch {
        touch::stamp(job, path);
    }
}
