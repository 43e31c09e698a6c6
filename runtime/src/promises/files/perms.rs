//! The `perms` body: mode (octal and symbolic), owners, groups, rxdirs.

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use super::{is_true, would, FileJob};
use crate::eval::body::BodyAttributes;
use crate::fileops::mode::ModeChange;
use crate::outcome::Outcome;

/// The `perms` body, applied to the promiser.
pub(super) fn apply(job: &mut FileJob) {
    if let Some(perms) = job.body("perms") {
        let outcome = apply_perms(&job.target.path, &perms, job.apply);
        job.push(outcome);
    }
}

fn apply_perms(path: &Path, perms: &BodyAttributes, apply: bool) -> Outcome {
    let Ok(meta) = fs::metadata(path) else {
        return Outcome::failed(format!(
            "cannot read '{}' to set its permissions",
            path.display()
        ));
    };
    let mut outcome = Outcome::Kept;
    if let Some(mode) = perms.scalar("mode") {
        let change = match ModeChange::parse(mode) {
            Ok(change) => change,
            Err(error) => return Outcome::failed(error.to_string()),
        };
        let rxdirs = perms.scalar("rxdirs").is_some_and(is_true);
        let current = meta.mode() & 0o7777;
        let wanted = change.apply(current, meta.is_dir(), rxdirs);
        if wanted != current && !apply {
            return would(format!(
                "change the mode of '{}' from {current:04o} to {wanted:04o}",
                path.display()
            ));
        }
        if wanted != current {
            if let Err(error) = fs::set_permissions(path, fs::Permissions::from_mode(wanted)) {
                return Outcome::failed(format!(
                    "could not set the mode of '{}': {error}",
                    path.display()
                ));
            }
            outcome = Outcome::Repaired;
        }
    }
    let owner = wanted_id(&perms.list("owners"), meta.uid(), user_id);
    let group = wanted_id(&perms.list("groups"), meta.gid(), group_id);
    match (owner, group) {
        (Err(name), _) | (_, Err(name)) => {
            return Outcome::failed(format!("unknown user or group '{name}'"));
        }
        (Ok(None), Ok(None)) => {}
        (Ok(uid), Ok(gid)) if !apply => {
            return would(format!(
                "change the owner/group of '{}' from {}:{} to {}:{}",
                path.display(),
                meta.uid(),
                meta.gid(),
                uid.unwrap_or(meta.uid()),
                gid.unwrap_or(meta.gid())
            ));
        }
        (Ok(uid), Ok(gid)) => {
            if let Err(error) = std::os::unix::fs::chown(path, uid, gid) {
                return Outcome::failed(format!(
                    "could not change the owner of '{}': {error}",
                    path.display()
                ));
            }
            outcome = Outcome::Repaired;
        }
    }
    outcome
}

/// The id to change to: `None` when the current one is listed (any listed
/// name is acceptable; the first is used to repair).
fn wanted_id(
    names: &[String],
    current: u32,
    lookup: fn(&str) -> Option<u32>,
) -> Result<Option<u32>, String> {
    if names.is_empty() {
        return Ok(None);
    }
    let mut first = None;
    for name in names {
        let id = match name.parse::<u32>() {
            Ok(id) => id,
            Err(_) => lookup(name).ok_or_else(|| name.clone())?,
        };
        if id == current {
            return Ok(None);
        }
        first.get_or_insert(id);
    }
    Ok(first)
}

fn user_id(name: &str) -> Option<u32> {
    let name = std::ffi::CString::new(name).ok()?;
    // SAFETY: getpwnam reads a NUL-terminated name; the record it returns is
    // read at once, before any other passwd call.
    let entry = unsafe { libc::getpwnam(name.as_ptr()) };
    (!entry.is_null()).then(|| unsafe { (*entry).pw_uid })
}

fn group_id(name: &str) -> Option<u32> {
    let name = std::ffi::CString::new(name).ok()?;
    // SAFETY: as for getpwnam.
    let entry = unsafe { libc::getgrnam(name.as_ptr()) };
    (!entry.is_null()).then(|| unsafe { (*entry).gr_gid })
}
