//! `touch`: the object's access and modification times become now.

use std::ffi::CString;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use super::FileJob;
use crate::outcome::{NotKeptReason, Outcome};

/// `touch => "true"` on an object the promise found (a missing one was
/// created): a change every time, as in cf-agent.
pub(super) fn touch(job: &mut FileJob, path: &Path) {
    let shown = path.display();
    if !job.making_changes(format!("update the time stamps of '{shown}'")) {
        return;
    }
    match set_times_to_now(path) {
        Ok(()) => job.repaired(format!("Touched (updated time stamps) for path '{shown}'")),
        Err(error) => job.fail(format!(
            "Touch '{shown}' failed to update timestamps ({error})"
        )),
    }
}

/// The second update cf-agent makes when the promise also has perms or
/// changes; a failure there is "denied".
pub(super) fn stamp(job: &mut FileJob, path: &Path) {
    let shown = path.display();
    if !job.making_changes(format!("update the time stamps of '{shown}'")) {
        return;
    }
    match set_times_to_now(path) {
        Ok(()) => job.repaired(format!("Updated timestamps on '{shown}'")),
        Err(error) => job.push(Outcome::NotKept {
            reason: NotKeptReason::Denied,
            message: format!("Updating timestamps on '{shown}' failed ({error})"),
        }),
    }
}

fn set_times_to_now(path: &Path) -> io::Result<()> {
    let name = CString::new(path.as_os_str().as_bytes())
        .map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
    // SAFETY: utime reads a NUL-terminated path; a null times pointer means
    // "now".
    if unsafe { libc::utime(name.as_ptr(), std::ptr::null()) } == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    #[test]
    fn times_become_now() {
        let file = std::env::temp_dir().join(format!("promise-touch-{}", std::process::id()));
        std::fs::write(&file, b"x").unwrap();
        let old = std::fs::File::options().write(true).open(&file).unwrap();
        old.set_modified(std::time::UNIX_EPOCH).unwrap();
        set_times_to_now(&file).unwrap();
        assert!(std::fs::metadata(&file).unwrap().mtime() > 1_600_000_000);
        std::fs::remove_file(&file).unwrap();
        assert!(set_times_to_now(&file).is_err());
    }
}
