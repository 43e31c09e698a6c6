//! Crash safety of file edits: `promise-rs run` rewrites a 50 MB file
//! (replace_patterns over every line) and is killed with SIGKILL at random
//! moments of the run, 50 times. After every kill the file must be
//! byte-for-byte the old content or the new one, never a mix or a
//! truncation: edits go to a temporary file that is renamed over the
//! target (DESIGN.md, "writes").

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const LINES: usize = 100_000;
const KILLS: usize = 50;

const POLICY: &str = r#"
body common control
{
      bundlesequence => { "main" };
}

bundle agent main
{
  files:
      "$(this.promise_dirname)/big"
        edit_line => renew,
        edit_defaults => whole;
}

bundle edit_line renew
{
  replace_patterns:
      "old$"
        replace_with => value("new");
}

body replace_with value(v)
{
      replace_value => "$(v)";
      occurrences => "all";
}

body edit_defaults whole
{
      max_file_size => "0";
      edit_backup => "false";
}
"#;

/// 500 bytes per line, 50 MB: `0000000 the quick brown fox … : old\n`.
fn content(word: &str) -> Vec<u8> {
    let filler = "the quick brown fox jumps over the lazy dog ".repeat(12);
    let mut out = Vec::with_capacity(LINES * 500);
    for n in 0..LINES {
        let line = format!("{n:07} {filler}");
        out.extend_from_slice(&line.as_bytes()[..494]);
        out.extend_from_slice(format!(": {word}\n").as_bytes());
    }
    out
}

/// A small xorshift generator: the test needs spread, not quality.
struct Random(u64);

impl Random {
    fn seeded() -> Random {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64);
        Random(nanos | 1)
    }

    fn below(&mut self, limit: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % limit.max(1)
    }
}

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("promise-rs-kill-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join(".workdir")).expect("create scratch directory");
    fs::write(dir.join("kill.cf"), POLICY).expect("write policy");
    dir
}

fn start(dir: &Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_promise-rs"))
        .arg("run")
        .arg("--workdir")
        .arg(dir.join(".workdir"))
        .arg("-K")
        .arg("-f")
        .arg(dir.join("kill.cf"))
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start promise-rs")
}

/// Temporary files a killed run leaves beside the target.
fn remove_leftovers(dir: &Path) {
    for entry in fs::read_dir(dir).expect("list scratch").flatten() {
        if entry.file_name().to_string_lossy().contains(".promise-rs.") {
            let _ = fs::remove_file(entry.path());
        }
    }
}

#[test]
fn a_killed_edit_leaves_the_old_or_the_new_file() {
    let dir = scratch();
    let target = dir.join("big");
    let old = content("old");
    let new = content("new");

    // One whole run, to know how long a run takes and that it converges.
    fs::write(&target, &old).expect("write old content");
    let started = Instant::now();
    let status = start(&dir).wait().expect("wait for promise-rs");
    let whole_run = started.elapsed();
    assert!(status.success(), "promise-rs failed: {status}");
    assert!(
        fs::read(&target).expect("read target") == new,
        "a full run must give the new content"
    );

    let mut random = Random::seeded();
    let (mut saw_old, mut saw_new) = (0, 0);
    for round in 0..KILLS {
        fs::write(&target, &old).expect("reset old content");
        let delay = Duration::from_micros(random.below(whole_run.as_micros() as u64 + 1));
        let mut child = start(&dir);
        std::thread::sleep(delay);
        let _ = child.kill();
        let _ = child.wait();
        let after = fs::read(&target).expect("read target after the kill");
        if after == old {
            saw_old += 1;
        } else if after == new {
            saw_new += 1;
        } else {
            panic!(
                "round {round}: killed after {delay:?}, the file is neither old nor new ({} bytes)",
                after.len()
            );
        }
        remove_leftovers(&dir);
    }
    println!("a run takes {whole_run:?}; after {KILLS} kills: {saw_old} old, {saw_new} new");
    let _ = fs::remove_dir_all(&dir);
}
