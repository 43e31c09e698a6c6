//! The perms of a copy, verified right after it is made or found up to
//! date (cf-agent's VerifyCopiedFileAttributes). Without `preserve` the
//! copy is verified as any leaf; with it, the source's mode is promised
//! and, where the perms body names no owners or groups, the source's.

use std::fs::Metadata;

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
    destination: &std::path::Path,
    found: &Metadata,
) {
    if !copy.body.preserve {
        return leaf::attributes(job, copy.a, destination, found);
    }
    let perms = preserved_perms(copy.a.perms.as_ref(), source);
    let mut wanted = source.mode;
    if found.is_dir() && perms.rxdirs {
        wanted |= (wanted & 0o444) >> 2;
    }
    leaf::attributes_with(job, copy.a, Some(&perms), destination, found, wanted);
}

/// The perms body with the source's owner and group standing in for
/// those it leaves out.
fn preserved_perms(perms: Option<&Perms>, source: &SourceStat) -> Perms {
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
        perms.owners = vec![Id::Known(source.uid)];
    }
    if perms.groups.is_empty() {
        perms.groups = vec![Id::Known(source.gid)];
    }
    perms
}
