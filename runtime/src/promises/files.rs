//! `files`, first slice: existence (`create`, the `delete` body), whole
//! content (`content`) and permissions (the `perms` body: mode, owners,
//! groups, rxdirs), following SEMANTICS.md §4. Every content change goes
//! through `fileops::atomic`. Attributes not built yet make the promise not
//! kept with a reason that names them, so nothing is half-done silently.

use std::fs;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use compiler::ir::Promise;

use crate::eval::body::BodyAttributes;
use crate::eval::expand::Binding;
use crate::eval::Agent;
use crate::fileops::atomic::{self, NewFile};
use crate::fileops::mode::ModeChange;
use crate::outcome::Outcome;

/// Attributes whose behaviour is not built yet.
const NOT_YET: &[&str] = &[
    "edit_line",
    "edit_xml",
    "edit_template",
    "edit_template_string",
    "copy_from",
    "link_from",
    "rename",
    "depth_search",
    "file_select",
    "changes",
    "transformer",
    "acl",
    "repository",
];

/// With `apply` false (warn-only, dry run, audit) nothing changes: each
/// change that would be made is described in a Warned outcome instead.
pub fn actuate(
    agent: &mut Agent,
    promise: &Promise,
    promiser: &str,
    binding: &Binding,
    apply: bool,
) -> Outcome {
    if let Some(name) = NOT_YET.iter().find(|n| promise.constraint(n).is_some()) {
        return Outcome::failed(format!(
            "files attribute '{name}' is not implemented yet (promise on '{promiser}')"
        ));
    }
    let target = Target::of(promiser);
    let mut outcome = Outcome::Kept;
    if let Some(constraint) = promise.constraint("delete") {
        if agent.constraint_body(constraint, binding).is_some() {
            return match (fs::symlink_metadata(&target.path).is_ok(), apply) {
                (false, _) => Outcome::Kept,
                (true, false) => would(format!("delete '{promiser}'")),
                (true, true) => delete(&target),
            };
        }
    }
    let content = scalar(agent, promise, "content", binding);
    let create = scalar(agent, promise, "create", binding).is_some_and(|v| is_true(&v));
    let exists = fs::symlink_metadata(&target.path).is_ok();
    if !exists {
        if create || content.is_some() {
            if !apply {
                return would(format!("create '{promiser}'"));
            }
            match target.create() {
                Ok(()) => outcome = Outcome::Repaired,
                Err(error) => {
                    return Outcome::failed(format!("could not create '{promiser}': {error}"))
                }
            }
        } else {
            return Outcome::failed(format!(
                "'{promiser}' does not exist and the promise does not create it"
            ));
        }
    }
    if let Some(content) = content {
        outcome = outcome.worst(write_content(agent, &target.path, &content, apply));
    }
    if let Some(constraint) = promise.constraint("perms") {
        if let Some(perms) = agent.constraint_body(constraint, binding) {
            outcome = outcome.worst(apply_perms(&target.path, &perms, apply));
        }
    }
    outcome
}

fn would(change: String) -> Outcome {
    Outcome::Warned {
        message: format!("would {change}"),
    }
}

fn scalar(agent: &Agent, promise: &Promise, name: &str, binding: &Binding) -> Option<String> {
    let constraint = promise.constraint(name)?;
    let evaluated = agent.evaluate_rval(&constraint.ast.rval, binding)?;
    evaluated.value.as_scalar().map(str::to_string)
}

fn is_true(value: &str) -> bool {
    matches!(value, "true" | "yes" | "on")
}

/// The file a promiser names; `/dir/.` and `/dir/` name a directory.
struct Target {
    path: PathBuf,
    directory: bool,
}

impl Target {
    fn of(promiser: &str) -> Target {
        let directory = promiser.ends_with("/.") || promiser.ends_with('/');
        let trimmed = promiser.trim_end_matches('.').trim_end_matches('/');
        let path = if trimmed.is_empty() { "/" } else { trimmed };
        Target {
            path: PathBuf::from(path),
            directory,
        }
    }

    /// A missing file is created empty (0600), a directory 0700, with any
    /// missing parents 0700, as cf-agent creates them.
    fn create(&self) -> std::io::Result<()> {
        let parent_of_file = if self.directory {
            self.path.as_path()
        } else {
            self.path.parent().unwrap_or(Path::new("/"))
        };
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(parent_of_file)?;
        if !self.directory {
            fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&self.path)?;
        }
        Ok(())
    }
}

fn delete(target: &Target) -> Outcome {
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

fn write_content(agent: &mut Agent, path: &Path, content: &str, apply: bool) -> Outcome {
    if fs::read(path).is_ok_and(|old| old == content.as_bytes()) {
        return Outcome::Kept;
    }
    if !apply {
        return would(format!("replace the content of '{}'", path.display()));
    }
    match atomic::replace(
        path,
        content.as_bytes(),
        NewFile::default(),
        false,
        &mut agent.writes,
    ) {
        Ok(()) => Outcome::Repaired,
        Err(error) => Outcome::failed(format!(
            "could not write the content of '{}': {error}",
            path.display()
        )),
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
