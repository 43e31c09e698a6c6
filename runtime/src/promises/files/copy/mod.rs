//! `copy_from`: making the promiser a copy of a source file or tree, in
//! cf-agent's order (phase 2 of a files promise, before links, content and
//! edits). The logic reads the source only through [`CopySource`], so the
//! remote copy from a cf-serverd plugs in as another implementation;
//! today only local copies are made.
//!
//! - [`body`]: the `copy_from` body and its defaults;
//! - [`single`]: one source object onto one destination (new, kept,
//!   updated, special files, links);
//! - [`tree`]: a source directory walked into the destination
//!   (depth_search), with [`purge`] of what the source lacks;
//! - [`compare`]: when an existing copy is out of date;
//! - [`install`] and [`backup`]: writing a copy atomically, keeping the
//!   old one;
//! - [`link`]: a source symlink (or `linkcopy_patterns`) becomes a link;
//! - [`hardlinks`]: files sharing an inode in the source share one in the
//!   copy;
//! - [`after`]: the copy's perms, as cf-agent verifies them after copying.

mod after;
mod backup;
mod body;
mod compare;
mod hardlinks;
mod install;
mod link;
mod purge;
mod single;
mod source;
mod tree;

use std::fs;
use std::path::Path;

use super::attributes::FilesAttributes;
use super::existence::make_parents;
use super::search::DepthSearch;
use super::select::FileSelect;
use super::{search, FileJob};
use body::CopyFrom;
use hardlinks::HardLinks;
use source::{CopySource, LocalSource};

/// What every step of one copy promise reads.
pub(super) struct Copy<'c> {
    pub body: &'c CopyFrom,
    pub source: &'c dyn CopySource,
    pub a: &'c FilesAttributes,
    pub select: Option<FileSelect>,
    pub search: Option<DepthSearch>,
    pub hard_links: HardLinks,
}

/// Phase 2a: the promiser becomes a copy of the body's source.
pub(super) fn copy(job: &mut FileJob, a: &FilesAttributes) {
    let Some(body) = job.body("copy_from") else {
        return;
    };
    let body = CopyFrom::read(&body);
    let destination = job.target.path.clone();
    let Some(source_path) = body.source.clone() else {
        return job.fail(format!(
            "Body copy_from for '{}' has no source",
            destination.display()
        ));
    };
    if let Some(server) = body.remote_server() {
        return job.fail(format!(
            "remote copy_from (server '{server}') is not implemented yet (needs the network issue); nothing copied to '{}'",
            destination.display()
        ));
    }
    let select = match search::file_select(job) {
        Ok(select) => select,
        Err(reason) => return job.push(reason),
    };
    let copy = Copy {
        body: &body,
        source: &LocalSource,
        a,
        select,
        search: a.depth_search.clone(),
        hard_links: HardLinks::default(),
    };
    copy_sources(job, &copy, Path::new(&source_path), &destination);
}

/// cf-agent's CopyFileSources: a directory source is searched into the
/// destination directory, anything else is copied onto the destination.
fn copy_sources(job: &mut FileJob, copy: &Copy, source: &Path, destination: &Path) {
    let server = copy.source.server().to_string();
    let stat = match copy.source.stat(source) {
        Ok(stat) => stat,
        Err(_) if copy.body.missing_ok => {
            return job.kept(format!(
                "Can't stat file '{}' on '{server}' but promise is kept because of 'missing_ok' in files.copy_from promise",
                source.display()
            ))
        }
        Err(_) => {
            return job.fail(format!(
                "Can't stat file '{}' on '{server}' in files.copy_from promise",
                source.display()
            ))
        }
    };
    let probe = if stat.is_dir() {
        destination.join(".")
    } else {
        destination.to_path_buf()
    };
    match make_parents(job, copy.a.move_obstructions, &probe) {
        Some(true) => job.repaired(format!(
            "Created parent directory for '{}'",
            destination.display()
        )),
        Some(false) => {}
        None => return,
    }
    if !stat.is_dir() {
        return single::verify_copy(job, copy, source, destination);
    }
    if copy.body.purge {
        job.agent.log.verbose("Destination purging enabled");
    }
    let depth = copy.search.as_ref().map_or(0, |s| s.depth);
    tree::search_and_copy(job, copy, source, destination, depth, stat.device);
    if copy.body.check_root {
        if let Ok(meta) = fs::metadata(destination) {
            after::verify_copied(job, copy, &stat, destination, &meta);
        }
    }
}
