//! `storage`: the `volume` body of cf-agent 3.21 (`verify_storage.c`):
//! a directory must look sensible (at least `sensible_count` entries,
//! default 2, of `sensible_size` bytes in all, default 1000) and its file
//! system must have `freespace` free (bytes with k/m/g suffixes, or a
//! percentage `N%`); with `check_foreign => "false"` a directory mounted
//! over NFS, PanFS or CIFS is skipped. Each check sets its own outcome
//! classes, as cf-agent's one report per check does.
//!
//! `mount` bodies (mounting and unmounting, fstab editing) are not
//! supported: such a promise is not kept and says so.

use std::ffi::CString;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use compiler::ir::Promise;

use crate::eval::action::is_true;
use crate::eval::body::BodyAttributes;
use crate::eval::expand::Binding;
use crate::eval::Agent;
use crate::functions::parse_int;
use crate::outcome::{NotKeptReason, Outcome};

/// A `volume` body.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Volume {
    check_foreign: bool,
    freespace: Option<FreeSpace>,
    sensible_size: i64,
    sensible_count: i64,
}

/// `freespace`: bytes, or a percentage of the file system.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FreeSpace {
    Bytes(i64),
    Percent(i64),
}

fn parse_freespace(text: &str) -> Option<FreeSpace> {
    match text.trim().strip_suffix('%') {
        Some(percent) => percent.trim().parse().ok().map(FreeSpace::Percent),
        None => parse_int(text).map(FreeSpace::Bytes),
    }
}

impl Volume {
    fn from_body(body: &BodyAttributes) -> Volume {
        let number =
            |name: &str, default: i64| body.scalar(name).and_then(parse_int).unwrap_or(default);
        Volume {
            check_foreign: is_true(body.scalar("check_foreign")),
            freespace: body.scalar("freespace").and_then(parse_freespace),
            sensible_size: number("sensible_size", 1000),
            sensible_count: number("sensible_count", 2),
        }
    }
}

pub fn actuate(agent: &mut Agent, promise: &Promise, promiser: &str, binding: &Binding) {
    let location = agent.location(promise);
    if promise.constraint("mount").is_some() {
        let outcome = Outcome::failed(format!(
            "storage promise '{promiser}': mount bodies are not supported by promise-rs"
        ));
        return agent.record(promise, binding, outcome);
    }
    let Some(volume) = agent
        .body_attribute(promise, "volume", binding)
        .map(|b| Volume::from_body(&b))
    else {
        return agent.record(promise, binding, Outcome::Kept);
    };
    let mut steps = Vec::new();
    let mut log = |outcome: Outcome, message: String| {
        match &outcome {
            Outcome::NotKept { .. } => agent.log.error(&format!("{location}: {message}")),
            _ => agent.log.info(&format!("{location}: {message}")),
        }
        steps.push(outcome);
    };
    let path = Path::new(promiser);
    if !path.exists() {
        agent.log.error(&format!(
            "{location}: Couldn't stat '{promiser}' while checking diskspace"
        ));
    }
    if let Some((outcome, message)) = check_contents(path, &volume) {
        log(outcome, message);
    }
    if let Some((outcome, message)) = check_free_space(path, &volume) {
        log(outcome, message);
    }
    let result = steps.iter().cloned().fold(Outcome::Kept, Outcome::worst);
    agent.record_steps(promise, binding, &steps, result);
}

/// cf-agent's `VerifyFileSystem`: entries and bytes directly in the
/// directory.
fn check_contents(path: &Path, volume: &Volume) -> Option<(Outcome, String)> {
    let meta = std::fs::metadata(path).ok()?;
    let name = path.display();
    if meta.is_dir() {
        let Ok(entries) = std::fs::read_dir(path) else {
            return None;
        };
        let (mut count, mut bytes) = (0i64, 0i64);
        for entry in entries.flatten() {
            count += 1;
            if let Ok(meta) = entry.path().symlink_metadata() {
                bytes += i64::try_from(meta.len()).unwrap_or(i64::MAX);
            }
        }
        if bytes < volume.sensible_size {
            let message = format!("File system '{name}' is suspiciously small! ({bytes} bytes)");
            return Some((interrupted(&message), message));
        }
        if count < volume.sensible_count {
            let message = format!("Filesystem '{name}' has only {count} files/directories.");
            return Some((interrupted(&message), message));
        }
    }
    Some((
        Outcome::Kept,
        format!("Filesystem '{name}' content seems to be sensible as promised"),
    ))
}

fn interrupted(message: &str) -> Outcome {
    Outcome::NotKept {
        reason: NotKeptReason::Interrupted,
        message: message.to_string(),
    }
}

/// cf-agent's `VerifyFreeSpace`; `None` when there is nothing to check.
fn check_free_space(path: &Path, volume: &Volume) -> Option<(Outcome, String)> {
    let wanted = volume.freespace?;
    let meta = std::fs::metadata(path).ok()?;
    if !volume.check_foreign && is_foreign(path, &meta) {
        return None;
    }
    let (free, used) = disk_space(path)?;
    let name = path.display();
    match wanted {
        FreeSpace::Percent(threshold) => {
            // cf-agent's "capacity": available over available plus used.
            let percent = if free + used > 0 {
                free * 100 / (free + used)
            } else {
                0
            };
            (percent < threshold).then(|| {
                let message = format!(
                    "Free disk space is under {threshold}% for volume containing '{name}', {percent}% free"
                );
                (Outcome::failed(message.clone()), message)
            })
        }
        FreeSpace::Bytes(threshold) => (free < threshold).then(|| {
            let message = format!(
                "Disk space under {} kB for volume containing '{name}' ({} kB free)",
                threshold / 1024,
                free / 1024
            );
            (Outcome::failed(message.clone()), message)
        }),
    }
}

/// Bytes available to users and bytes used on the file system.
fn disk_space(path: &Path) -> Option<(i64, i64)> {
    let c_path = CString::new(path.as_os_str().as_encoded_bytes()).ok()?;
    // SAFETY: statvfs fills the plain-data struct for a valid C path.
    let mut stats: libc::statvfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statvfs(c_path.as_ptr(), &mut stats) } != 0 {
        return None;
    }
    let unit = i64::try_from(stats.f_frsize).ok()?;
    let free = i64::try_from(stats.f_bavail).ok()?.checked_mul(unit)?;
    let used_blocks = stats.f_blocks.saturating_sub(stats.f_bfree);
    let used = i64::try_from(used_blocks).ok()?.checked_mul(unit)?;
    Some((free, used))
}

/// A mount point of an NFS, PanFS or CIFS file system.
fn is_foreign(path: &Path, meta: &std::fs::Metadata) -> bool {
    let Ok(parent) = std::fs::metadata(path.join("..")) else {
        return false;
    };
    if parent.dev() == meta.dev() {
        return false;
    }
    let mounts = std::fs::read_to_string("/proc/mounts").unwrap_or_default();
    let target = path.display().to_string();
    mounts.lines().any(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        fields.get(1) == Some(&target.as_str())
            && fields[2..]
                .iter()
                .any(|f| ["nfs", "panfs", "cifs"].iter().any(|kind| f.contains(kind)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Value;

    #[test]
    fn freespace_in_bytes_or_percent() {
        assert_eq!(parse_freespace("1M"), Some(FreeSpace::Bytes(1024 * 1024)));
        assert_eq!(parse_freespace("10%"), Some(FreeSpace::Percent(10)));
        assert_eq!(parse_freespace("lots"), None);
    }

    #[test]
    fn volume_defaults() {
        let volume = Volume::from_body(&BodyAttributes {
            attributes: vec![("freespace".into(), Value::scalar("5%"))],
        });
        assert_eq!(volume.sensible_size, 1000);
        assert_eq!(volume.sensible_count, 2);
        assert!(!volume.check_foreign);
    }

    #[test]
    fn a_small_directory_is_not_sensible() {
        let dir = std::env::temp_dir().join(format!("promise-storage-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a"), "x").unwrap();
        let volume = Volume {
            check_foreign: false,
            freespace: Some(FreeSpace::Bytes(1)),
            sensible_size: 1000,
            sensible_count: 2,
        };
        let (outcome, _) = check_contents(&dir, &volume).unwrap();
        assert!(matches!(
            outcome,
            Outcome::NotKept {
                reason: NotKeptReason::Interrupted,
                ..
            }
        ));
        let relaxed = Volume {
            sensible_size: 0,
            sensible_count: 1,
            ..volume.clone()
        };
        assert_eq!(check_contents(&dir, &relaxed).unwrap().0, Outcome::Kept);
        assert_eq!(check_free_space(&dir, &volume), None);
        let impossible = Volume {
            freespace: Some(FreeSpace::Bytes(i64::MAX)),
            ..volume
        };
        assert!(matches!(
            check_free_space(&dir, &impossible),
            Some((Outcome::NotKept { .. }, _))
        ));
        std::fs::remove_dir_all(&dir).ok();
    }
}
