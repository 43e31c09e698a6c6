//! Existence and whole content: `create`, the `delete` body, `content`.

use std::fs;
use std::path::Path;

use super::{edit, would, FileJob, Target};
use crate::fileops::atomic::{self, NewFile};
use crate::fileops::diff;
use crate::outcome::Outcome;

/// The `delete` body: the promiser is removed if it exists.
pub(super) fn delete(job: &mut FileJob) {
    if fs::symlink_metadata(&job.target.path).is_err() {
        return;
    }
    let outcome = if job.apply {
        remove(&job.target)
    } else {
        would(format!("delete '{}'", job.promiser))
    };
    job.push(outcome);
}

/// A missing promiser is created when `create` or `content` asks for it;
/// otherwise the promise cannot be kept.
pub(super) fn create(job: &mut FileJob) {
    if fs::symlink_metadata(&job.target.path).is_ok() {
        return;
    }
    let promiser = job.promiser;
    if !job.flag("create") && edit::decides_missing_file(job) {
        return;
    }
    if !job.flag("create") && job.promise.constraint("content").is_none() {
        job.push(Outcome::failed(format!(
            "'{promiser}' does not exist and the promise does not create it"
        )));
        return;
    }
    let outcome = if !job.apply {
        would(format!("create '{promiser}'"))
    } else {
        match job.target.create() {
            Ok(()) => Outcome::Repaired,
            Err(error) => Outcome::failed(format!("could not create '{promiser}': {error}")),
        }
    };
    job.push(outcome);
}

/// `content`: the whole file, replaced atomically when it differs.
pub(super) fn content(job: &mut FileJob) {
    let Some(content) = job.scalar("content") else {
        return;
    };
    let outcome = write_content(job, &content);
    job.push(outcome);
}

fn remove(target: &Target) -> Outcome {
    let Ok(meta) = fs::symlink_metadata(&target.path) else {
        return Outcome::Kept;
    };
    let removed = if meta.is_dir() {
        fs::remove_dir(&target.path)
    } else {
        fs::remove_file(&target.path)
    };
    match removed {
        Ok(()) => Outcome::Repaired,
        Err(error) => Outcome::failed(format!(
            "could not delete '{}': {error}",
            target.path.display()
        )),
    }
}

fn write_content(job: &mut FileJob, content: &str) -> Outcome {
    let path: &Path = &job.target.path;
    let old = fs::read(path).unwrap_or_default();
    if old == content.as_bytes() {
        return Outcome::Kept;
    }
    if !job.apply {
        let old = String::from_utf8_lossy(&old);
        let name = path.display().to_string();
        let shown = diff::unified(
            &diff::lines_of(&old),
            &diff::lines_of(content),
            &name,
            &name,
            3,
        );
        return would(format!(
            "replace the content of '{name}':\n{}",
            shown.trim_end()
        ));
    }
    match atomic::replace(
        path,
        content.as_bytes(),
        NewFile::default(),
        false,
        &mut job.agent.writes,
    ) {
        Ok(()) => Outcome::Repaired,
        Err(error) => Outcome::failed(format!(
            "could not write the content of '{}': {error}",
            path.display()
        )),
    }
}
