//! Locks held while a promise is being actuated (cf-agent's `lock.` entries).
//! Each run that takes one keeps a file `state/held/<pid>` listing the locks
//! it holds now, one `name since` line each (a stack: a methods promise
//! holds its lock while the promises of the bundle it calls take theirs).
//! Another run that wants a lock some running run holds skips the promise,
//! unless the holder has held it for `expireafter` minutes or more: then the
//! holder is interrupted (SIGINT, then SIGTERM) and the lock taken over, as
//! cf-agent does. The file of a run that is no longer running is removed
//! and its locks are free at once (cf-agent waits for `expireafter` even
//! then).
//!
//! One file per run rather than one per lock: creating a file costs
//! hundreds of microseconds on some filesystems, rewriting an open one a few.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

/// How long a holder gets to exit after each signal.
const STOP_WAIT: Duration = Duration::from_secs(5);

/// The outcome of trying to take a lock.
#[derive(Debug, PartialEq, Eq)]
pub enum Hold {
    /// Ours until released; `expired_holder` is the PID of a run that held
    /// it past `expireafter` and was interrupted.
    Taken { expired_holder: Option<u32> },
    /// Another run has held it for `minutes` (less than `expireafter`).
    Busy { pid: u32, minutes: i64 },
}

/// The locks this run holds, and what it knows of the other runs'.
#[derive(Debug)]
pub struct HeldLocks {
    dir: PathBuf,
    pid: u32,
    /// Our file, created with the first lock taken, and what it holds.
    file: Option<(fs::File, String)>,
    held: Vec<(String, i64)>,
    /// The other runs' files, as listed when the directory last changed.
    others: Option<(SystemTime, Vec<(u32, PathBuf)>)>,
}

impl HeldLocks {
    /// The held locks of this process under `state_dir/held`.
    pub fn new(state_dir: &Path) -> HeldLocks {
        HeldLocks {
            dir: state_dir.join("held"),
            pid: std::process::id(),
            file: None,
            held: Vec::new(),
            others: None,
        }
    }

    /// Takes lock `name` at `now` (seconds since the epoch).
    pub fn take(&mut self, name: &str, expireafter: u32, now: i64) -> io::Result<Hold> {
        let mut expired_holder = None;
        for (pid, path) in self.other_runs()? {
            let Some(since) = holder_since(&path, name) else {
                continue;
            };
            if !is_running(pid) {
                let _ = fs::remove_file(&path);
                continue;
            }
            let minutes = (now - since) / 60;
            if minutes < i64::from(expireafter) {
                return Ok(Hold::Busy { pid, minutes });
            }
            interrupt(pid);
            if !is_running(pid) {
                let _ = fs::remove_file(&path);
            }
            expired_holder = Some(pid);
        }
        self.held.push((name.to_string(), now));
        self.write()?;
        Ok(Hold::Taken { expired_holder })
    }

    /// Releases lock `name` (the innermost one of that name).
    pub fn release(&mut self, name: &str) -> io::Result<()> {
        if let Some(at) = self.held.iter().rposition(|(held, _)| held == name) {
            self.held.remove(at);
            self.write()?;
        }
        Ok(())
    }

    fn write(&mut self) -> io::Result<()> {
        let text: String = self
            .held
            .iter()
            .map(|(name, since)| format!("{name} {since}\n"))
            .collect();
        if self.file.is_none() {
            fs::create_dir_all(&self.dir)?;
            let path = self.dir.join(self.pid.to_string());
            let file = fs::OpenOptions::new()
                .create(true)
                .truncate(true)
                .write(true)
                .open(path)?;
            self.file = Some((file, String::new()));
        }
        let Some((file, written)) = &mut self.file else {
            return Ok(());
        };
        // Mostly one system call per change: the innermost lock is taken
        // (a write) or released (a truncation).
        if written.starts_with(&text) {
            file.set_len(text.len() as u64)?;
        } else {
            file.write_all_at(text.as_bytes(), 0)?;
            if text.len() < written.len() {
                file.set_len(text.len() as u64)?;
            }
        }
        *written = text;
        Ok(())
    }

    /// The files of the other runs; listed again only when the directory's
    /// modification time changed (a run started or ended). A run starting
    /// within the same clock tick as the last listing is seen at the next
    /// change.
    fn other_runs(&mut self) -> io::Result<Vec<(u32, PathBuf)>> {
        let modified = match fs::metadata(&self.dir).and_then(|m| m.modified()) {
            Ok(modified) => modified,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(error) => return Err(error),
        };
        if let Some((seen, runs)) = &self.others {
            if *seen == modified {
                return Ok(runs.clone());
            }
        }
        let mut runs = Vec::new();
        for entry in fs::read_dir(&self.dir)?.flatten() {
            let pid = entry
                .file_name()
                .to_str()
                .and_then(|n| n.parse::<u32>().ok());
            if let Some(pid) = pid.filter(|pid| *pid != self.pid) {
                runs.push((pid, entry.path()));
            }
        }
        self.others = Some((modified, runs.clone()));
        Ok(runs)
    }
}

impl Drop for HeldLocks {
    fn drop(&mut self) {
        if self.file.take().is_some() {
            let _ = fs::remove_file(self.dir.join(self.pid.to_string()));
        }
    }
}

/// Since when the run whose file is `path` holds lock `name`, if it does.
fn holder_since(path: &Path, name: &str) -> Option<i64> {
    let text = fs::read_to_string(path).ok()?;
    let held: BTreeMap<&str, i64> = text
        .lines()
        .filter_map(|line| {
            let (held, since) = line.rsplit_once(' ')?;
            Some((held, since.parse().ok()?))
        })
        .collect();
    held.get(name).copied()
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
        // SAFETY: plain kill(2) of a PID read from a lock file.
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

/// Writes a held-locks file as another run would (tests).
#[cfg(test)]
fn write_run_file(state_dir: &Path, pid: u32, locks: &[(&str, i64)]) {
    use std::io::Write;
    fs::create_dir_all(state_dir.join("held")).unwrap();
    let mut file = fs::File::create(state_dir.join("held").join(pid.to_string())).unwrap();
    for (name, since) in locks {
        writeln!(file, "{name} {since}").unwrap();
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

    fn own_file(dir: &Path) -> String {
        fs::read_to_string(dir.join("held").join(std::process::id().to_string()))
            .unwrap_or_default()
    }

    #[test]
    fn the_run_file_lists_the_locks_held_now() {
        let dir = scratch("stack");
        let mut locks = HeldLocks::new(&dir);
        assert_eq!(
            locks.take("outer", 120, 1000).unwrap(),
            Hold::Taken {
                expired_holder: None
            }
        );
        locks.take("inner", 120, 1001).unwrap();
        assert_eq!(own_file(&dir), "outer 1000\ninner 1001\n");
        locks.release("inner").unwrap();
        assert_eq!(own_file(&dir), "outer 1000\n");
        locks.take("second", 120, 1002).unwrap();
        locks.release("outer").unwrap();
        assert_eq!(own_file(&dir), "second 1002\n");
        drop(locks);
        assert!(!dir
            .join("held")
            .join(std::process::id().to_string())
            .exists());
        fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn a_running_holder_keeps_its_lock_until_expireafter() {
        let dir = scratch("busy");
        let mut sleeper = Command::new("sleep").arg("30").spawn().unwrap();
        let holder = sleeper.id();
        // Reaped as soon as it exits, as a holder that is not our child is.
        let reaper = std::thread::spawn(move || sleeper.wait().unwrap());
        write_run_file(&dir, holder, &[("other", 900), ("k", 1000)]);
        let mut locks = HeldLocks::new(&dir);
        assert_eq!(
            locks.take("k", 120, 1000 + 60 * 5).unwrap(),
            Hold::Busy {
                pid: holder,
                minutes: 5
            }
        );
        assert!(matches!(
            locks.take("free", 120, 1000).unwrap(),
            Hold::Taken { .. }
        ));
        // After expireafter minutes the holder is interrupted.
        assert_eq!(
            locks.take("k", 2, 1000 + 60 * 5).unwrap(),
            Hold::Taken {
                expired_holder: Some(holder)
            }
        );
        assert!(!reaper.join().unwrap().success());
        fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn the_file_of_a_run_that_ended_is_stale() {
        let dir = scratch("stale");
        let mut gone = Command::new("true").spawn().unwrap();
        let pid = gone.id();
        gone.wait().unwrap();
        write_run_file(&dir, pid, &[("k", 1000)]);
        let mut locks = HeldLocks::new(&dir);
        assert!(matches!(
            locks.take("k", 120, 1000).unwrap(),
            Hold::Taken {
                expired_holder: None
            }
        ));
        assert!(!dir.join("held").join(pid.to_string()).exists());
        fs::remove_dir_all(&dir).ok();
    }
}
