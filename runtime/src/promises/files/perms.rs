//! The `perms` body: mode (octal and symbolic), owners, groups, rxdirs,
//! checked on one file at a time as cf-agent's VerifyFileAttributes does:
//! each check that holds is a kept outcome, each repair a repaired one, so
//! a promise can be both. A copy checks its destination the same way, with
//! the source's mode and owner when it preserves them.

use std::fs::{self, Metadata};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use super::search::{deletes_dead_links, kill_ghost_link};
use super::{is_true, would, FileJob};
use crate::fileops::mode::ModeChange;
use crate::outcome::Outcome;

/// What a file's attributes should be. Empty owner and group lists accept
/// any; `None` in them is a name that does not exist on this host.
#[derive(Debug, Clone, Default)]
pub(crate) struct FilePerms {
    pub mode: Option<ModeChange>,
    pub rxdirs: bool,
    pub owners: Vec<Option<u32>>,
    pub groups: Vec<Option<u32>>,
    /// Names of the listed owners and groups, for messages.
    names: Vec<String>,
}

impl FilePerms {
    /// The promise's `perms` body; none asks for nothing.
    pub fn of(job: &FileJob) -> Result<FilePerms, Outcome> {
        let Some(perms) = job.body("perms") else {
            return Ok(FilePerms::default());
        };
        let mode = perms
            .scalar("mode")
            .map(ModeChange::parse)
            .transpose()
            .map_err(|error| Outcome::failed(format!("{error} (promise on '{}')", job.promiser)))?;
        let owners = perms.list("owners");
        let groups = perms.list("groups");
        Ok(FilePerms {
            mode,
            rxdirs: perms.scalar("rxdirs").is_some_and(is_true),
            owners: owners.iter().map(|n| id_of(n, user_id)).collect(),
            groups: groups.iter().map(|n| id_of(n, group_id)).collect(),
            names: owners.into_iter().chain(groups).collect(),
        })
    }

    /// The mode a file with metadata `meta` should have.
    pub fn wanted_mode(&self, meta: &Metadata) -> u32 {
        let current = meta.mode() & 0o7777;
        let Some(change) = &self.mode else {
            return current;
        };
        let mut wanted = change.apply(current, false, false);
        if meta.is_dir() && self.rxdirs {
            // Directories get x wherever the result has r.
            wanted |= (wanted & 0o444) >> 2;
        }
        wanted
    }
}

/// The perms step of a promise on one file (`meta` is its `lstat`, or its
/// `stat` when reached through a link): owner, group, then mode. A
/// symbolic link's mode is not checked; a dead one goes with `rmdeadlinks`.
pub(crate) fn verify(job: &mut FileJob, path: &Path, meta: &Metadata, perms: &FilePerms) {
    verify_owner(job, path, meta, perms);
    if meta.file_type().is_symlink() {
        let delete = deletes_dead_links(job);
        kill_ghost_link(job, path, delete);
        return;
    }
    let current = meta.mode() & 0o7777;
    let wanted = perms.wanted_mode(meta);
    if wanted == current {
        return job.push(Outcome::Kept);
    }
    let outcome = if !job.apply {
        would(format!(
            "change the mode of '{}' from {current:04o} to {wanted:04o}",
            path.display()
        ))
    } else {
        match fs::set_permissions(path, fs::Permissions::from_mode(wanted)) {
            Ok(()) => Outcome::Repaired,
            Err(error) => Outcome::failed(format!(
                "could not set the mode of '{}': {error}",
                path.display()
            )),
        }
    };
    job.push(outcome);
}

fn verify_owner(job: &mut FileJob, path: &Path, meta: &Metadata, perms: &FilePerms) {
    let uid = wanted_id(job, &perms.owners, meta.uid(), "owners", path, perms);
    let gid = wanted_id(job, &perms.groups, meta.gid(), "groups", path, perms);
    if uid.is_none() && gid.is_none() {
        return;
    }
    let outcome = if !job.apply {
        would(format!(
            "change the owner/group of '{}' from {}:{} to {}:{}",
            path.display(),
            meta.uid(),
            meta.gid(),
            uid.unwrap_or(meta.uid()),
            gid.unwrap_or(meta.gid())
        ))
    } else {
        let changed = if meta.file_type().is_symlink() {
            std::os::unix::fs::lchown(path, uid, gid)
        } else {
            std::os::unix::fs::chown(path, uid, gid)
        };
        match changed {
            Ok(()) => Outcome::Repaired,
            Err(error) => Outcome::failed(format!(
                "could not change the owner of '{}': {error}",
                path.display()
            )),
        }
    };
    job.push(outcome);
}

/// The id to change to, or `None` when the current one is listed (kept),
/// none is asked for, or none of the listed ones exists (not kept).
fn wanted_id(
    job: &mut FileJob,
    listed: &[Option<u32>],
    current: u32,
    what: &str,
    path: &Path,
    perms: &FilePerms,
) -> Option<u32> {
    if listed.is_empty() {
        return None;
    }
    if listed.contains(&Some(current)) {
        job.push(Outcome::Kept);
        return None;
    }
    let first = listed.iter().flatten().next().copied();
    if first.is_none() {
        job.push(Outcome::failed(format!(
            "none of the promised {what} of '{}' exist ({})",
            path.display(),
            perms.names.join(", ")
        )));
    }
    first
}

fn id_of(name: &str, lookup: fn(&str) -> Option<u32>) -> Option<u32> {
    name.parse::<u32>().ok().or_else(|| lookup(name))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn meta_with_mode(name: &str, mode: u32, dir: bool) -> (std::path::PathBuf, Metadata) {
        let base =
            std::env::temp_dir().join(format!("promise-rs-perms-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&base);
        let _ = fs::remove_file(&base);
        if dir {
            fs::create_dir(&base).unwrap();
        } else {
            fs::write(&base, "").unwrap();
        }
        fs::set_permissions(&base, fs::Permissions::from_mode(mode)).unwrap();
        let meta = fs::symlink_metadata(&base).unwrap();
        (base, meta)
    }

    #[test]
    fn rxdirs_adds_x_where_the_resulting_mode_has_r() {
        let (path, meta) = meta_with_mode("rx", 0o744, true);
        let perms = FilePerms {
            mode: ModeChange::parse("u+w").ok(),
            rxdirs: true,
            ..FilePerms::default()
        };
        assert_eq!(perms.wanted_mode(&meta), 0o755);
        let plain = FilePerms {
            rxdirs: false,
            ..perms
        };
        assert_eq!(plain.wanted_mode(&meta), 0o744);
        let _ = fs::remove_dir_all(path);
    }

    #[test]
    fn no_mode_keeps_the_current_one() {
        let (path, meta) = meta_with_mode("exact", 0o640, false);
        assert_eq!(FilePerms::default().wanted_mode(&meta), 0o640);
        let _ = fs::remove_file(path);
    }

    #[test]
    fn numeric_ids_need_no_lookup() {
        assert_eq!(id_of("0", user_id), Some(0));
        assert_eq!(id_of("no-such-user-promise-rs", user_id), None);
    }
}
