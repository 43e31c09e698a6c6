//! The `perms` body on one object: mode (with rxdirs), owners and groups,
//! and cf-agent's watch on root's set-uid/set-gid bits.

use std::fs::{self, Metadata};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use super::attributes::{group_known, user_known, Id, Perms};
use super::FileJob;
use crate::outcome::{NotKeptReason, Outcome};

/// The mode: kept when it already is `wanted`, else changed.
pub(super) fn mode(job: &mut FileJob, path: &Path, current: u32, wanted: u32) {
    let shown = path.display();
    if wanted == current {
        job.kept_with(|| format!("File permissions on '{shown}' as promised"));
        return;
    }
    if !job.making_changes(format!(
        "change the mode of '{shown}' from {current:04o} to {wanted:04o}"
    )) {
        return;
    }
    match fs::set_permissions(path, fs::Permissions::from_mode(wanted)) {
        Ok(()) => job.repaired(format!(
            "Object '{shown}' had permissions {current:04o}, changed it to {wanted:04o}"
        )),
        Err(error) => job.fail(format!(
            "Failed to change permissions of '{shown}' ({error})"
        )),
    }
}

/// A root-owned file losing its set-uid (or set-gid) bit is a change
/// cf-agent reports on its own, before the mode is set.
pub(super) fn setid_bits(job: &mut FileJob, path: &Path, meta: &Metadata, wanted: u32) {
    if meta.uid() != 0 {
        return;
    }
    for (bit, name) in [(0o4000, "setuid"), (0o2000, "setgid")] {
        if meta.mode() & bit != 0
            && wanted & bit == 0
            && job.making_changes(format!(
                "remove the {name} (root) flag from '{}'",
                path.display()
            ))
        {
            job.repaired(format!(
                "Removed {name} (root) flag from '{}'",
                path.display()
            ));
        }
    }
}

/// `owners` and `groups`: kept when the object belongs to any listed one,
/// else changed to the first that exists; none existing fails.
pub(super) fn owner_and_group(job: &mut FileJob, perms: &Perms, path: &Path, meta: &Metadata) {
    let shown = path.display();
    let new_uid = wanted_id(job, &perms.owners, meta.uid(), &shown, "Owner", "owners");
    let new_gid = wanted_id(job, &perms.groups, meta.gid(), &shown, "Group", "groups");
    if new_uid.is_none() && new_gid.is_none() {
        return;
    }
    if !user_known(meta.uid()) {
        job.note(Outcome::Warned {
            message: format!(
                "File '{shown}' is not owned by anybody in the passwd database (uid = {})",
                meta.uid()
            ),
        });
    }
    if !group_known(meta.gid()) {
        job.note(Outcome::Warned {
            message: format!(
                "File '{shown}' is not owned by any group in the group database (gid = {})",
                meta.gid()
            ),
        });
    }
    let change = match (new_uid, new_gid) {
        (Some(u), Some(g)) => format!(
            "change the owner and group of '{shown}' from {}:{} to {u}:{g}",
            meta.uid(),
            meta.gid()
        ),
        (Some(u), None) => format!("change the owner of '{shown}' from {} to {u}", meta.uid()),
        (None, Some(g)) => format!("change the group of '{shown}' from {} to {g}", meta.gid()),
        (None, None) => return,
    };
    if !job.making_changes(change) {
        return;
    }
    let link = meta.file_type().is_symlink();
    let changed = if link {
        std::os::unix::fs::lchown(path, new_uid, new_gid)
    } else {
        std::os::unix::fs::chown(path, new_uid, new_gid)
    };
    match changed {
        Err(error) if link => {
            // cf-agent records this without failing the promise's result.
            job.note(Outcome::failed(format!(
                "Cannot set ownership on link '{shown}' ({error})"
            )));
        }
        Err(error) => job.push(Outcome::NotKept {
            reason: NotKeptReason::Denied,
            message: format!("Cannot set ownership on file '{shown}' ({error})"),
        }),
        Ok(()) => {
            if let Some(u) = new_uid {
                job.repaired(format!("Owner of '{shown}' was {}, set to {u}", meta.uid()));
            }
            if let Some(g) = new_gid {
                job.repaired(format!("Group of '{shown}' was {}, set to {g}", meta.gid()));
            }
        }
    }
}

/// The id to change to, `None` when it is as promised: the listed ids in
/// order, `*` or the current id meaning as promised (the latter recorded
/// kept); otherwise the first known id. None known fails.
fn wanted_id(
    job: &mut FileJob,
    ids: &[Id],
    current: u32,
    shown: &dyn std::fmt::Display,
    what: &str,
    list: &str,
) -> Option<u32> {
    if ids.is_empty() {
        return None;
    }
    for id in ids {
        match id {
            Id::Any => return None,
            Id::Known(n) if *n == current => {
                job.kept_with(|| format!("{what} of '{shown}' as promised ({current})"));
                return None;
            }
            _ => {}
        }
    }
    let first = ids.iter().find_map(|id| match id {
        Id::Known(n) => Some(*n),
        _ => None,
    });
    if first.is_some() {
        return first;
    }
    let unknown: Vec<&str> = ids
        .iter()
        .filter_map(|id| match id {
            Id::Unknown(name) => Some(name.as_str()),
            _ => None,
        })
        .collect();
    job.fail(format!(
        "None of the promised {list} for '{shown}' exist ({})",
        unknown.join(", ")
    ));
    None
}
