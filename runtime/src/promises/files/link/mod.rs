//! `link_from`: the promiser is a link to `source` (SEMANTICS.md §4.5), as
//! cf-agent 3.21 makes it after copying and before `content` and editing.
//!
//! - `symlink` (default) stores `source` as written; a relative source is
//!   looked for beside the link;
//! - `relative` stores the way from the link's directory to the source
//!   (`./../data/t.txt`); `absolute` stores the source made absolute, with
//!   the links on its way expanded under `when_no_source => "force"`;
//! - `hardlink` links a regular file;
//! - `when_no_source`: `nop` (default) fails when the source is missing,
//!   `force` links anyway, `delete` removes a dead link at the promiser;
//! - `copy_patterns`: a promiser whose name matches is copied from the
//!   promise's source instead ([`copy`]);
//! - `link_children` links each entry of the source directory inside the
//!   promiser directory ([`children`]).
//!
//! A link already right is kept. A wrong link, or another object where
//! the link goes, is an obstruction: [`super::obstructions`].

mod children;
mod copy;
mod paths;

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::attributes::FilesAttributes;
use super::existence::{self, parent_dir};
use super::obstructions::{self, SavedName};
use super::select::any_full_match;
use super::{search, FileJob};
use crate::eval::body::BodyAttributes;
use crate::outcome::{NotKeptReason, Outcome};

/// The `link_from` body.
#[derive(Debug, Clone)]
pub(super) struct LinkFrom {
    /// `None` when the body has no source: the promise is refused.
    pub source: Option<String>,
    pub link_type: LinkType,
    pub when_no_source: WhenNoSource,
    pub copy_patterns: Vec<String>,
    pub link_children: bool,
    /// `when_linking_children => "override_file"`: files in the way of
    /// child links are moved aside (otherwise they are left alone).
    pub override_children: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum LinkType {
    Symlink,
    Hardlink,
    Relative,
    Absolute,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum WhenNoSource {
    Nop,
    Force,
    Delete,
}

impl LinkFrom {
    pub fn read(body: &BodyAttributes) -> LinkFrom {
        let link_type = match body.scalar("link_type") {
            Some("hardlink") => LinkType::Hardlink,
            Some("relative") => LinkType::Relative,
            Some("absolute") => LinkType::Absolute,
            _ => LinkType::Symlink,
        };
        let when_no_source = match body.scalar("when_no_source") {
            Some("force") => WhenNoSource::Force,
            Some("delete") => WhenNoSource::Delete,
            _ => WhenNoSource::Nop,
        };
        LinkFrom {
            source: body.scalar("source").map(str::to_string),
            link_type,
            when_no_source,
            copy_patterns: body.list("copy_patterns"),
            link_children: body.scalar("link_children").is_some_and(super::is_true),
            override_children: body.scalar("when_linking_children") == Some("override_file"),
        }
    }
}

/// One link_from being verified: the body and what may change while
/// linking children (an `override_file` turns move_obstructions on for the
/// rest of the walk, as in cf-agent).
pub(super) struct Linking<'l> {
    link: &'l LinkFrom,
    files: &'l FilesAttributes,
    move_obstructions: bool,
    saved: SavedName,
    /// Where relative sources are read from: the promiser's directory,
    /// which is cf-agent's working directory for the promise.
    base: PathBuf,
}

impl Linking<'_> {
    /// A source path as the filesystem is asked about it.
    fn on_disk(&self, source: &str) -> PathBuf {
        if source.starts_with('/') {
            PathBuf::from(source)
        } else {
            self.base.join(source)
        }
    }
}

/// With `link_children`, cf-agent refuses a source that is not a directory
/// before anything else: logged, and the promise ends (kept). True when
/// refused.
pub(super) fn children_refused(job: &mut FileJob, a: &FilesAttributes) -> bool {
    let Some(link) = a.link_from.as_ref().filter(|l| l.link_children) else {
        return false;
    };
    let Some(source) = &link.source else {
        return false;
    };
    let path = parent_dir(&job.target.path).join(source);
    match fs::metadata(&path) {
        Ok(meta) if !meta.is_dir() => {
            job.agent.log.error(&format!(
                "Cannot promise to link the children of '{source}' as it is not a directory!"
            ));
            true
        }
        _ => false,
    }
}

/// The link_from phase of a files promise.
pub(super) fn verify(job: &mut FileJob, a: &FilesAttributes) {
    let Some(link) = &a.link_from else {
        return;
    };
    let Some(source) = &link.source else {
        return;
    };
    let dest = job.target.path.clone();
    let mut linking = Linking {
        link,
        files: a,
        move_obstructions: a.move_obstructions,
        saved: saved_name(job),
        base: parent_dir(&dest).to_path_buf(),
    };
    if link.link_children {
        children::link(job, &mut linking, &dest, source, 1);
    } else {
        one(job, &linking, &dest, source);
    }
}

/// Objects moved aside get timestamped names when edit backups are.
fn saved_name(job: &FileJob) -> SavedName {
    let timestamped = job
        .body("edit_defaults")
        .is_some_and(|body| body.scalar("edit_backup") == Some("timestamp"));
    if timestamped {
        SavedName::Timestamped
    } else {
        SavedName::Plain
    }
}

/// One link (cf-agent's ScheduleLinkOperation), or a copy for a name in
/// `copy_patterns`.
fn one(job: &mut FileJob, l: &Linking, dest: &Path, source: &str) {
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if any_full_match(&l.link.copy_patterns, &name) {
        job.agent
            .log
            .verbose(&format!("Link '{}' matches copy_patterns", dest.display()));
        // cf-agent copies the promise's source, even for a child link.
        let whole = l.link.source.as_deref().unwrap_or(source);
        return copy::verify(job, l, &l.on_disk(whole), dest);
    }
    match l.link.link_type {
        LinkType::Symlink => symlink(job, l, dest, source),
        LinkType::Hardlink => hardlink(job, l, dest, source),
        LinkType::Relative => relative(job, l, dest, source),
        LinkType::Absolute => absolute(job, l, dest, source),
    }
}

/// A symbolic link at `dest` storing `source` as given.
fn symlink(job: &mut FileJob, l: &Linking, dest: &Path, source: &str) {
    let shown = dest.display().to_string();
    let to = paths::dotted(source);
    let looked_up = if source.starts_with('/') {
        to.clone()
    } else {
        paths::beside(&dest.to_string_lossy(), &to)
    };
    if fs::metadata(&looked_up).is_err() {
        match l.link.when_no_source {
            WhenNoSource::Nop => {
                job.agent
                    .log
                    .verbose(&format!("Source '{looked_up}' for linking is absent"));
                return job.fail(format!(
                    "Unable to create link '{shown}' -> '{to}', no source"
                ));
            }
            WhenNoSource::Delete => {
                search::kill_ghost_link(job, dest, true);
                return;
            }
            WhenNoSource::Force => {}
        }
    }
    if let Ok(found) = fs::read_link(dest) {
        let found = found.to_string_lossy();
        if found == source || found == to {
            return job.kept(format!("Link '{shown}' points to '{source}', promise kept"));
        }
        if obstructions::remove_wrong_link(job, dest, &found, source, l.move_obstructions) {
            make_symlink(job, dest, source);
        }
        return;
    }
    let in_the_way = if fs::symlink_metadata(dest).is_ok() {
        ", moving aside what is there"
    } else {
        ""
    };
    if !job.making_changes(format!("create link '{shown}' -> '{source}'{in_the_way}")) {
        return;
    }
    match existence::make_parents(job, l.move_obstructions, dest) {
        None => return,
        Some(true) => job.repaired(format!("Created parent directory for link '{shown}'")),
        Some(false) => {}
    }
    if !obstructions::clear(job, dest, l.move_obstructions, l.saved) {
        return job.fail(format!(
            "Unable to create link '{shown}' -> '{to}', failed to move obstruction"
        ));
    }
    make_symlink(job, dest, source);
}

fn make_symlink(job: &mut FileJob, dest: &Path, source: &str) {
    match std::os::unix::fs::symlink(source, dest) {
        Ok(()) => {
            job.agent.writes.changed(parent_dir(dest));
            job.repaired(format!("Linked files '{}' -> '{source}'", dest.display()));
        }
        Err(error) => job.fail(format!(
            "Couldn't link '{source}' to '{}' ({error})",
            dest.display()
        )),
    }
}

/// `relative`: the link stores the way from its directory to the source.
/// A relative source starting with `.` is linked as written; another
/// relative source is first placed beside the link.
fn relative(job: &mut FileJob, l: &Linking, dest: &Path, source: &str) {
    if source.starts_with('.') {
        return symlink(job, l, dest, source);
    }
    let dest_text = dest.to_string_lossy();
    let absolute = if source.starts_with('/') {
        source.to_string()
    } else {
        paths::beside(&dest_text, &paths::dotted(source))
    };
    let target =
        paths::compress(&absolute).and_then(|source| paths::relative_target(&dest_text, &source));
    match target {
        Some(target) => symlink(job, l, dest, &target),
        None => job.push(Outcome::NotKept {
            reason: NotKeptReason::Interrupted,
            message: format!(
                "Failed to link '{dest_text}' to '{source}': not a path to another file"
            ),
        }),
    }
}

/// `absolute`: the link stores the source made absolute (a source
/// starting with `.` is taken beside the link); with `when_no_source =>
/// "force"` the links on its way are expanded first.
fn absolute(job: &mut FileJob, l: &Linking, dest: &Path, source: &str) {
    let written = if source.starts_with('.') {
        let dir = paths::chop_last_node(&dest.to_string_lossy());
        format!("{}/{source}", dir.trim_end_matches('/'))
    } else {
        source.to_string()
    };
    let mut target = paths::compress(&written).unwrap_or(written);
    if l.link.when_no_source == WhenNoSource::Force {
        match paths::expand_links(&target) {
            Some(expanded) => target = paths::compress(&expanded).unwrap_or(expanded),
            None => {
                return job.fail(format!("Failed to expand absolute link to '{source}'"));
            }
        }
    }
    symlink(job, l, dest, &target);
}

/// `hardlink`: `dest` and the source, a regular file, are one inode.
fn hardlink(job: &mut FileJob, l: &Linking, dest: &Path, source: &str) {
    let shown = dest.display().to_string();
    let to = paths::dotted(source);
    let source_path = if source.starts_with('/') {
        PathBuf::from(&to)
    } else {
        PathBuf::from(paths::beside(&dest.to_string_lossy(), &to))
    };
    let source_meta = match fs::metadata(&source_path) {
        Ok(meta) if meta.is_file() => meta,
        _ => {
            return job.fail(format!(
                "Source file '{to}' is not a regular file, not appropriate to hard-link"
            ))
        }
    };
    if let Ok(found) = fs::metadata(dest) {
        let same = found.ino() == source_meta.ino() && found.dev() == source_meta.dev();
        // Across devices cf-agent cannot tell, and accepts a look-alike.
        let look_alike = found.ino() != source_meta.ino()
            && found.dev() != source_meta.dev()
            && found.mode() == source_meta.mode()
            && found.size() == source_meta.size();
        if same || look_alike {
            return job.kept(format!("Hard link '{shown}' -> '{to}' exists and is okay"));
        }
        job.agent.log.info(&format!(
            "'{shown}' does not appear to be a hard link to '{to}'"
        ));
        if !job.making_changes(format!(
            "hard link '{shown}' -> '{to}', moving aside the file there"
        )) {
            return;
        }
        if !obstructions::clear(job, dest, l.move_obstructions, l.saved) {
            return job.fail(format!(
                "Unable to create hard link '{shown}' -> '{to}', failed to move obstruction"
            ));
        }
    } else if !job.making_changes(format!("hard link '{shown}' -> '{to}'")) {
        return;
    }
    match fs::hard_link(&source_path, dest) {
        Ok(()) => {
            job.agent.writes.changed(parent_dir(dest));
            job.repaired(format!("Hard linked file '{shown}' -> '{to}'"));
        }
        Err(error) => job.fail(format!("Failed to hard link '{to}' to '{shown}' ({error})")),
    }
}
