//! The perms of a copy, verified right after it is made or found up to
//! date (cf-agent's VerifyCopiedFileAttributes): the perms body's mode, or
//! with `preserve` the source's; the body's owners and groups, or where it
//! names none the copy's own (the source's with `preserve`).

use std::fs::Metadata;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use super::source::SourceStat;
use super::Copy;
use crate::fileops::mode::ModeChange;
use crate::promises::files::attributes::{Id, Perms};
use crate::promises::files::leaf;
use crate::promises::files::FileJob;

pub(super) fn verify_copied(
    job: &mut FileJob,
    copy: &Copy,
    source: &SourceStat,
    destination: &Path,
    found: &Metadata,
) {
    let preserve = copy.body.preserve;
    let (uid, gid) = if preserve {
        (source.uid, source.gid)
    } else {
        (found.uid(), found.gid())
    };
    let perms = with_owner_and_group(copy.a.perms.as_ref(), uid, gid);
    let wanted = if preserve {
        let mut wanted = source.mode;
        if found.is_dir() && perms.rxdirs {
            wanted |= (wanted & 0o444) >> 2;
        }
        wanted
    } else {
        if let Some(error) = &perms.mode_error {
            job.fail(format!(
                "{error}: the mode of '{}' is left as it is",
                destination.display()
            ));
        }
        let current = found.mode() & 0o7777;
        match &copy.a.perms {
            Some(p) => p.mode.apply(current, found.is_dir(), p.rxdirs),
            None => current,
        }
    };
    leaf::attributes_with(job, copy.a, Some(&perms), destination, found, wanted);
}

/// The perms body with `uid` and `gid` standing in for the owners and
/// groups it leaves out: cf-agent checks (and reports kept) an owner for
/// every copy.
fn with_owner_and_group(perms: Option<&Perms>, uid: u32, gid: u32) -> Perms {
    let mut perms = perms.cloned().unwrap_or_else(|| Perms {
        mode: ModeChange::default(),
        mode_text: None,
        mode_error: None,
        owners: Vec::new(),
        groups: Vec::new(),
        rxdirs: false,
        bsdflags: Vec::new(),
    });
    if perms.owners.is_empty() {
        perms.owners = vec![Id::Known(uid)];
    }
    if perms.groups.is_empty() {
        perms.groups = vec![Id::Known(gid)];
    }
    perms
}
