//! Locks held while a promise is being actuated (cf-agent's `lock.` entries):
//! one file `state/held/<name>` per lock, created exclusively, holding the
//! PID of the run and when it took the lock. Another run that wants the same
//! promise sees the file at once and skips the promise, unless the holder
//! has held it for `expireafter` minutes or more: then the holder is
//! interrupted (SIGINT, then SIGTERM) and the lock taken over, as cf-agent
//! does. A lock whose holder is no longer running is taken over at once
//! (cf-agent waits for `expireafter` even then).

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long a holder gets to exit after each signal.
const STOP_WAIT: Duration = Duration::from_secs(5);

/// The outcome of trying to take a lock.
#[derive(Debug)]
pub enum Hold {
    /// Ours until released (or dropped).
    Taken(HeldLock),
    /// Another run has held it for `minutes` (less than `expireafter`).
    Busy { pid: u32, minutes: i64 },
}

/// A lock this run holds; the file goes away on release or drop.
#[derive(Debug)]
pub struct HeldLock {
    path: PathBuf,
    /// The PID of a holder interrupted because its lock had expired.
    pub expired_holder: Option<u32>,
}

impl HeldLock {
    pub fn release(self) {}
}

impl Drop for HeldLock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

/// Takes lock `name` (a file name: no `/`) under `state_dir/held`, for this
/// process, at `now` (seconds since the epoch).
pub fn take(state_dir: &Path, name: &str, expireafter: u32, now: i64) -> io::Result<Hold> {
    let dir = state_dir.join("held");
    fs::create_dir_all(&dir)?;
    let path = dir.join(name);
    let mut expired_holder = None;
    // Twice at most: once more after clearing a stale or expired lock.
    for _ in 0..2 {
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut file) => {
                writeln!(file, "{} {now}", std::process::id())?;
                return Ok(Hold::Taken(HeldLock {
                    path,
                    expired_holder,
                }));
            }
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {}
            Err(error) => return Err(error),
        }
        match read_holder(&path) {
            Some((pid, since)) if pid != std::process::id() && is_running(pid) => {
                let minutes = (now - since) / 60;
                if minutes < i64::from(expireafter) {
                    return Ok(Hold::Busy { pid, minutes });
                }
                interrupt(pid);
                expired_holder = Some(pid);
            }
            // Unreadable, ours from an earlier run with the same PID, or
            // its holder is gone: stale.
            _ => {}
        }
        let _ = fs::remove_file(&path);
    }
    Err(io::Error::new(
        io::ErrorKind::WouldBlock,
        format!("lock file '{}' keeps coming back", path.display()),
    ))
}

fn read_holder(path: &Path) -> Option<(u32, i64)> {
    let mut text = String::new();
    fs::File::open(path).ok()?.read_to_string(&mut text).ok()?;
    let mut words = text.split_whitespace();
    let pid = words.next()?.parse().ok()?;
    let since = words.next()?.parse().ok()?;
    Some((pid, since))
}

fn is_running(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: signal 0 only checks that the process exists.
    let sent = unsafe { libc::kill(pid, 0) };
    sent == 0 || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// SIGINT, then SIGTERM if it is still running after [`STOP_WAIT`].
fn interrupt(pid: u32) {
    let Ok(target) = libc::pid_t::try_from(pid) else {
        return;
    };
    for signal in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: plain kill(2) of a PID read from the lock file.
        if unsafe { libc::kill(target, signal) } != 0 {
            return;
        }
        let started = Instant::now();
        while started.elapsed() < STOP_WAIT {
            if !is_running(pid) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("promise-held-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    fn write_holder(dir: &Path, name: &str, pid: u32, since: i64) {
        fs::create_dir_all(dir.join("held")).unwrap();
        fs::write(dir.join("held").join(name), format!("{pid} {since}\n")).unwrap();
    }

    #[test]
    fn a_lock_is_exclusive_until_released() {
        let dir = scratch("exclusive");
        let Ok(Hold::Taken(lock)) = take(&dir, "k", 120, 1000) else {
            panic!("first take");
        };
        assert!(dir.join("held/k").exists());
        lock.release();
        assert!(!dir.join("held/k").exists());
        fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn a_running_holder_keeps_its_lock_until_expireafter() {
        let dir = scratch("busy");
        let mut sleeper = Command::new("sleep").arg("30").spawn().unwrap();
        let holder = sleeper.id();
        // Reaped as soon as it exits, as a holder that is not our child is.
        let reaper = std::thread::spawn(move || sleeper.wait().unwrap());
        write_holder(&dir, "k", holder, 1000);
        match take(&dir, "k", 120, 1000 + 60 * 5) {
            Ok(Hold::Busy { pid, minutes }) => assert_eq!((pid, minutes), (holder, 5)),
            other => panic!("expected busy, got {other:?}"),
        }
        // After expireafter minutes the holder is interrupted.
        match take(&dir, "k", 2, 1000 + 60 * 5) {
            Ok(Hold::Taken(lock)) => assert_eq!(lock.expired_holder, Some(holder)),
            other => panic!("expected taken, got {other:?}"),
        }
        assert!(!reaper.join().unwrap().success());
        fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn a_dead_holder_or_an_unreadable_file_is_stale() {
        let dir = scratch("stale");
        let mut gone = Command::new("true").spawn().unwrap();
        let pid = gone.id();
        gone.wait().unwrap();
        write_holder(&dir, "k", pid, 1000);
        assert!(matches!(take(&dir, "k", 120, 1000), Ok(Hold::Taken(_))));
        fs::write(dir.join("held/j"), "garbage").unwrap();
        assert!(matches!(take(&dir, "j", 120, 1000), Ok(Hold::Taken(_))));
        fs::remove_dir_all(&dir).ok();
    }
}
