//! `promise-rs run` on a policy in a scratch directory of its own.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

/// A fresh scratch directory holding an empty `.workdir`.
pub fn scratch(name: &str) -> PathBuf {
    let dir = super::tempdir(name);
    fs::create_dir_all(dir.join(".workdir")).expect("create the scratch workdir");
    dir
}

/// `promise-rs run -K -f FILE FLAGS…` from `dir`, with `dir/.workdir` as
/// its workdir.
pub fn run_file(dir: &Path, file: &Path, flags: &[&str]) -> Output {
    super::promise_rs()
        .arg("run")
        .arg("--workdir")
        .arg(dir.join(".workdir"))
        .arg("-K")
        .arg("-f")
        .arg(file)
        .args(flags)
        .current_dir(dir)
        .output()
        .expect("run promise-rs")
}

/// Writes `policy` to `dir/policy.cf` and runs it as [`run_file`] does.
pub fn run_policy(dir: &Path, policy: &str, flags: &[&str]) -> Output {
    let file = dir.join("policy.cf");
    fs::write(&file, policy).expect("write the policy");
    run_file(dir, &file, flags)
}
