//! Helpers shared by the end-to-end tests.
#![allow(dead_code)]

pub mod agent_run;
pub mod differential;
pub mod mutate;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const MASTERFILES: &str = "/usr/share/cfengine3/masterfiles";

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn promise_rs() -> Command {
    Command::new(env!("CARGO_BIN_EXE_promise-rs"))
}

pub fn run(args: &[&str]) -> Output {
    promise_rs()
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("the promise-rs binary runs")
}

/// A test that needs something the machine lacks says so loudly; under CI
/// (CI=true) a skip is a failure.
pub fn skip(test: &str, reason: &str) {
    let message = format!("SKIPPED: {test}: {reason}");
    eprintln!("\n*** {message} ***\n");
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{message} (CI=true: skips are failures; .ci/run installs cfengine3)");
    }
}

pub fn cf_promises() -> Option<PathBuf> {
    let path = Path::new("/usr/bin/cf-promises");
    path.exists().then(|| path.to_path_buf())
}

/// Runs `cf-promises -f FILE` in a workdir of its own; true if it accepts.
pub fn cf_promises_accepts(file: &Path) -> bool {
    let workdir = tempdir("cf-workdir");
    let bin = workdir.join("bin");
    std::fs::create_dir_all(&bin).expect("workdir");
    let _ = std::os::unix::fs::symlink("/usr/bin/cf-promises", bin.join("cf-promises"));
    // `$(sys.libdir)/stdlib.cf` is the project's stdlib, as for promise-rs.
    differential::install_stdlib(&workdir.join("inputs/lib"));
    let status = Command::new("/usr/bin/cf-promises")
        .arg("-f")
        .arg(file)
        .env("CFENGINE_TEST_OVERRIDE_WORKDIR", &workdir)
        .output()
        .expect("cf-promises runs");
    let _ = std::fs::remove_dir_all(&workdir);
    status.status.success()
}

pub fn tempdir(name: &str) -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "promise-rs-test-{}-{}-{}",
        name,
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Policy files below `dir`, sorted.
pub fn cf_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "cf") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Compares `actual` with the expectation file; writes it when missing
/// (outside CI) or when BLESS=1.
pub fn check_snapshot(expected_path: &Path, actual: &str) -> Result<(), String> {
    let bless = std::env::var("BLESS").is_ok_and(|v| v == "1");
    let in_ci = std::env::var("CI").is_ok_and(|v| v == "true");
    match std::fs::read_to_string(expected_path) {
        Ok(expected) if expected == actual => Ok(()),
        Ok(_) if bless => std::fs::write(expected_path, actual).map_err(|e| e.to_string()),
        Ok(expected) => Err(format!(
            "{} differs (BLESS=1 to accept)\n--- expected\n{expected}--- actual\n{actual}",
            expected_path.display()
        )),
        Err(_) if in_ci => Err(format!("{} is missing", expected_path.display())),
        Err(_) => std::fs::write(expected_path, actual).map_err(|e| e.to_string()),
    }
}
