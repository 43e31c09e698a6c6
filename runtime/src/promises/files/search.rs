//! The `depth_search` body: walking the tree under a directory promiser and
//! handing each selected file to a per-file callback, as cf-agent's
//! DepthSearch does. The concerns that act on every file of a tree
//! (perms, delete, rename, changes, …) run as that callback, so each gets
//! the walk, `file_select` and `rmdeadlinks` for free.
//!
//! cf-agent's order is kept: entries in readdir order, a subdirectory's
//! contents before the subdirectory itself, the base directory last and
//! only with `include_basedir`.

use std::fs::{self, Metadata};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::select::{any_full_match, FileSelect};
use super::{would, FileJob};
use crate::eval::body::BodyAttributes;
use crate::outcome::Outcome;

/// cf-agent's `inf` for depths and sizes.
pub(crate) const INFINITY: i64 = 999_999_999;

/// Deeper nesting than this is refused (cf-agent's CF_RECURSION_LIMIT).
const RECURSION_LIMIT: i64 = 100;

/// Names never walked into or copied: cf-agent's SKIPFILES, plus `...`.
const SKIPPED_NAMES: &[&str] = &[".", "..", "lost+found", ".cfengine.rm", "..."];

/// A `depth_search` body.
#[derive(Debug, Clone, Default)]
pub(crate) struct DepthSearch {
    /// How deep to go; 0 and 1 both mean the base's entries only.
    pub depth: i64,
    pub include_basedir: bool,
    include_dirs: Vec<String>,
    exclude_dirs: Vec<String>,
    pub rmdeadlinks: bool,
    pub traverse_links: bool,
    pub xdev: bool,
}

impl DepthSearch {
    /// The promise's `depth_search`, if it has one.
    pub fn of(job: &FileJob) -> Option<DepthSearch> {
        job.body("depth_search")
            .map(|body| DepthSearch::from_body(&body))
    }

    pub fn from_body(body: &BodyAttributes) -> DepthSearch {
        let flag = |name: &str| body.scalar(name).is_some_and(super::is_true);
        DepthSearch {
            depth: body.scalar("depth").map_or(0, parse_depth),
            include_basedir: flag("include_basedir"),
            include_dirs: body.list("include_dirs"),
            exclude_dirs: body.list("exclude_dirs"),
            rmdeadlinks: flag("rmdeadlinks"),
            traverse_links: flag("traverse_links"),
            xdev: flag("xdev"),
        }
    }

    /// Whether the walk enters a subdirectory found at `rlevel` (the base's
    /// entries are at level 0). cf-agent's test, which goes one level
    /// further than the number suggests for depths above 1.
    pub fn descends_at(&self, rlevel: i64) -> bool {
        self.depth > 1 && rlevel <= self.depth
    }

    /// `exclude_dirs` / `include_dirs`, matched against the directory's
    /// path or its name.
    pub fn skips_directory(&self, path: &Path, name: &str) -> bool {
        let path = path.to_string_lossy();
        let listed =
            |patterns: &[String]| any_full_match(patterns, &path) || any_full_match(patterns, name);
        (!self.exclude_dirs.is_empty() && listed(&self.exclude_dirs))
            || (!self.include_dirs.is_empty() && !listed(&self.include_dirs))
    }
}

/// `"inf"` or a number; anything else is 0, as cf-agent reads it.
pub(crate) fn parse_depth(text: &str) -> i64 {
    if text.trim() == "inf" {
        INFINITY
    } else {
        text.trim().parse().unwrap_or(0)
    }
}

/// Whether cf-agent considers a directory entry at all.
pub(crate) fn considered(name: &str) -> bool {
    !name.is_empty() && !SKIPPED_NAMES.contains(&name)
}

/// The entries of `dir` cf-agent considers, sorted by name.
pub(crate) fn considered_names(dir: &Path) -> std::io::Result<Vec<String>> {
    let mut names: Vec<String> = fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| considered(name))
        .collect();
    names.sort();
    Ok(names)
}

/// One file a walk reached and selected.
pub(crate) struct Leaf {
    pub path: PathBuf,
    /// `lstat` of the file (`stat` for a link followed by `traverse_links`).
    pub meta: Metadata,
}

/// The per-file callback of a walk.
pub(crate) type Visit<'v> = dyn FnMut(&mut FileJob, &Leaf) + 'v;

/// Called when the walk has been through a directory, with the names of
/// the entries it selected there (`changes` keeps directory listings).
pub(crate) type DirectoryDone<'v> = dyn FnMut(&mut FileJob, &Path, Vec<String>) + 'v;

/// Calls `visit` for each file the promise reaches: with a `depth_search`,
/// the selected files below the promiser (and the promiser itself with
/// `include_basedir`); without one, the promiser if selected. A promiser
/// that does not exist is not visited.
pub(crate) fn each_file(job: &mut FileJob, visit: &mut Visit) {
    each_file_and_directory(job, visit, &mut |_, _, _| {});
}

/// [`each_file`], also telling `done` about each directory searched.
pub(crate) fn each_file_and_directory(
    job: &mut FileJob,
    visit: &mut Visit,
    done: &mut DirectoryDone,
) {
    let base = job.target.path.clone();
    let Ok(meta) = fs::symlink_metadata(&base) else {
        return;
    };
    let select = match file_select(job) {
        Ok(select) => select,
        Err(reason) => return job.push(reason),
    };
    let selected = |path: &Path, meta: &Metadata| {
        select
            .as_ref()
            .is_none_or(|select| select.selects(path, meta))
    };
    let Some(search) = DepthSearch::of(job) else {
        if selected(&base, &meta) {
            visit(job, &Leaf { path: base, meta });
        }
        return;
    };
    // A depth search of something that is not a directory does nothing.
    if !fs::metadata(&base).is_ok_and(|m| m.is_dir()) {
        return;
    }
    let walk = Walk {
        search: &search,
        select: select.as_ref(),
        root_device: meta.dev(),
        delete_dead_links: deletes_dead_links(job),
    };
    walk.directory(job, &base, 0, visit, done);
    if search.include_basedir && selected(&base, &meta) {
        visit(job, &Leaf { path: base, meta });
    }
}

/// Whether dead links the promise meets are removed: `rmdeadlinks`, or a
/// `link_from` with `when_no_source => "delete"`.
pub(crate) fn deletes_dead_links(job: &FileJob) -> bool {
    DepthSearch::of(job).is_some_and(|search| search.rmdeadlinks)
        || job
            .body("link_from")
            .is_some_and(|link| link.scalar("when_no_source") == Some("delete"))
}

/// The promise's `file_select`, read once; a body cf-agent would refuse
/// makes the promise not kept.
pub(crate) fn file_select(job: &FileJob) -> Result<Option<FileSelect>, Outcome> {
    let Some(body) = job.body("file_select") else {
        return Ok(None);
    };
    FileSelect::from_body(&body)
        .map(Some)
        .map_err(|reason| Outcome::failed(format!("{reason} (promise on '{}')", job.promiser)))
}

struct Walk<'s> {
    search: &'s DepthSearch,
    select: Option<&'s FileSelect>,
    root_device: u64,
    delete_dead_links: bool,
}

impl Walk<'_> {
    fn directory(
        &self,
        job: &mut FileJob,
        dir: &Path,
        rlevel: i64,
        visit: &mut Visit,
        done: &mut DirectoryDone,
    ) {
        if rlevel > RECURSION_LIMIT {
            job.push(Outcome::failed(format!(
                "very deep nesting of directories (>{RECURSION_LIMIT} deep) at '{}'",
                dir.display()
            )));
            return;
        }
        let entries = match fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(error) => {
                return job.push(Outcome::failed(format!(
                    "could not read directory '{}': {error}",
                    dir.display()
                )))
            }
        };
        let mut selected = Vec::new();
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !considered(&name) {
                continue;
            }
            let path = dir.join(&name);
            let Ok(mut meta) = fs::symlink_metadata(&path) else {
                continue;
            };
            if meta.file_type().is_symlink() {
                if kill_ghost_link(job, &path, self.delete_dead_links) {
                    continue;
                }
                if self.search.traverse_links {
                    // SAFETY: getuid has no preconditions.
                    let me = unsafe { libc::getuid() };
                    if meta.uid() != 0 && meta.uid() != me {
                        continue;
                    }
                    match fs::metadata(&path) {
                        Ok(followed) => meta = followed,
                        Err(error) => {
                            job.push(Outcome::failed(format!(
                                "cannot follow the link '{}': {error}",
                                path.display()
                            )));
                            continue;
                        }
                    }
                }
            }
            if self.search.xdev && meta.dev() != self.root_device {
                continue;
            }
            if meta.is_dir() {
                if self.search.skips_directory(&path, &name) {
                    continue;
                }
                if self.search.descends_at(rlevel) {
                    self.directory(job, &path, rlevel + 1, visit, done);
                }
            }
            if self
                .select
                .is_none_or(|select| select.selects(&path, &meta))
            {
                visit(job, &Leaf { path, meta });
                selected.push(name);
            }
        }
        done(job, dir, selected);
    }
}

/// A symbolic link whose target does not exist is removed when `delete`
/// says so (`rmdeadlinks`, or a link promise's `when_no_source`); returns
/// true when the link is dealt with and the walk should pass over it.
pub(crate) fn kill_ghost_link(job: &mut FileJob, link: &Path, delete: bool) -> bool {
    let Ok(target) = fs::read_link(link) else {
        return true;
    };
    let resolved = link.parent().unwrap_or(Path::new("/")).join(target);
    if fs::metadata(resolved).is_ok() || !delete {
        return false;
    }
    let outcome = if !job.apply {
        would(format!("remove dead link '{}'", link.display()))
    } else {
        match fs::remove_file(link) {
            Ok(()) => Outcome::Repaired,
            // cf-agent ignores a failed unlink here and says it removed it.
            Err(_) => Outcome::Repaired,
        }
    };
    job.push(outcome);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_reads_inf_and_numbers() {
        assert_eq!(parse_depth("inf"), INFINITY);
        assert_eq!(parse_depth("3"), 3);
        assert_eq!(parse_depth("x"), 0);
    }

    #[test]
    fn depth_one_never_descends_and_depth_two_goes_three_levels() {
        let search = |depth| DepthSearch {
            depth,
            ..DepthSearch::default()
        };
        assert!(!search(0).descends_at(0));
        assert!(!search(1).descends_at(0));
        assert!(search(2).descends_at(0));
        assert!(search(2).descends_at(2));
        assert!(!search(2).descends_at(3));
    }

    #[test]
    fn directories_are_filtered_by_path_or_name() {
        let search = DepthSearch {
            exclude_dirs: vec!["skip.*".into()],
            ..DepthSearch::default()
        };
        assert!(search.skips_directory(Path::new("/a/skipme"), "skipme"));
        assert!(!search.skips_directory(Path::new("/a/keep"), "keep"));
        let only = DepthSearch {
            include_dirs: vec!["/a/in".into()],
            ..DepthSearch::default()
        };
        assert!(!only.skips_directory(Path::new("/a/in"), "in"));
        assert!(only.skips_directory(Path::new("/a/out"), "out"));
    }

    #[test]
    fn skipped_names() {
        assert!(!considered("."));
        assert!(!considered("lost+found"));
        assert!(considered(".hidden"));
    }
}
