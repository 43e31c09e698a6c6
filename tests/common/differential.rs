//! The differential harness shared by `tests/differential.rs` and
//! `tests/functions_differential.rs`: runs one policy through cf-agent or
//! promise-rs in a scratch directory, as tests/differential/README.md
//! describes, and collects the `R:` lines and the files left behind.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub const CF_AGENT: &str = "/usr/bin/cf-agent";
pub const CF_PROMISES: &str = "/usr/bin/cf-promises";
/// Daemons a failsafe run of cf-agent may start; stopped by PID.
pub const DAEMONS: &[&str] = &["cf-serverd", "cf-execd", "cf-monitord"];
/// No policy may take longer (they sleep at most 2 s).
pub const TIME_LIMIT: Duration = Duration::from_secs(120);

/// What one run leaves to compare.
#[derive(Debug, PartialEq, Eq)]
pub struct Observed {
    pub reports: Vec<String>,
    /// Relative path → `d 0755`, `f 0644 <content>`, `l -> target`.
    pub files: BTreeMap<String, String>,
}

pub enum Agent {
    CfAgent,
    PromiseRs,
}

/// `# flags:` of a policy, split on blanks.
pub fn flags(policy: &str) -> Vec<String> {
    policy
        .lines()
        .take_while(|line| line.starts_with('#'))
        .find_map(|line| line.trim_start_matches('#').trim().strip_prefix("flags:"))
        .map(|flags| flags.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default()
}

/// A fresh scratch directory `S` with the policy and `S/.workdir/bin`.
pub fn scratch(name: &str, policy: &str, side: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("promise-diff-{}-{side}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join(".workdir/bin")).expect("create scratch directory");
    fs::write(dir.join(name), policy).expect("copy policy");
    std::os::unix::fs::symlink(CF_PROMISES, dir.join(".workdir/bin/cf-promises"))
        .expect("link cf-promises");
    install_stdlib(&dir.join(".workdir/inputs/lib"));
    dir
}

/// The project's stdlib, copied where both agents find `$(sys.libdir)`
/// (cf-agent: `WORKDIR/inputs/lib`), so policies can load it.
pub fn install_stdlib(libdir: &Path) {
    fs::create_dir_all(libdir).expect("create inputs/lib");
    let stdlib = Path::new(env!("CARGO_MANIFEST_DIR")).join("stdlib");
    for entry in fs::read_dir(stdlib).expect("read stdlib").flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "cf") {
            fs::copy(&path, libdir.join(entry.file_name())).expect("install stdlib");
        }
    }
}

pub fn run(agent: Agent, dir: &Path, name: &str, flags: &[String]) -> Observed {
    let workdir = dir.join(".workdir");
    let policy = dir.join(name);
    let mut command = match agent {
        Agent::CfAgent => Command::new(CF_AGENT),
        Agent::PromiseRs => {
            let mut command = Command::new(env!("CARGO_BIN_EXE_promise-rs"));
            command.arg("run").arg("--workdir").arg(&workdir);
            command
        }
    };
    command
        .arg("-K")
        .arg("-f")
        .arg(&policy)
        .args(flags)
        .current_dir(dir)
        .env("CFENGINE_TEST_OVERRIDE_WORKDIR", &workdir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let stdout = run_with_limit(command);
    Observed {
        reports: stdout
            .lines()
            .filter(|line| line.starts_with("R: "))
            .map(str::to_string)
            .collect(),
        files: file_tree(dir, name),
    }
}

/// Stdout of the command, killed (by its PID) after [`TIME_LIMIT`].
pub fn run_with_limit(mut command: Command) -> String {
    let mut child = command.spawn().expect("start agent");
    let mut stdout = child.stdout.take().expect("piped stdout");
    let reader = std::thread::spawn(move || {
        let mut text = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stdout, &mut text);
        String::from_utf8_lossy(&text).into_owned()
    });
    let started = Instant::now();
    while child.try_wait().ok().flatten().is_none() {
        if started.elapsed() > TIME_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    reader.join().unwrap_or_default()
}

/// The tree under `dir`, without `.workdir` and the policy file.
pub fn file_tree(dir: &Path, policy: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        let Ok(entries) = fs::read_dir(&current) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let relative = path
                .strip_prefix(dir)
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            if relative == ".workdir" || relative == policy {
                continue;
            }
            let Ok(meta) = fs::symlink_metadata(&path) else {
                continue;
            };
            let mode = meta.permissions().mode() & 0o7777;
            let shown = if meta.file_type().is_symlink() {
                let target = fs::read_link(&path).unwrap_or_default();
                format!("l -> {}", target.display())
            } else if meta.is_dir() {
                pending.push(path.clone());
                format!("d {mode:04o}")
            } else {
                let content = fs::read(&path).unwrap_or_default();
                format!(
                    "f {mode:04o} size={} {:?}",
                    meta.size(),
                    String::from_utf8_lossy(&content)
                )
            };
            out.insert(relative, shown);
        }
    }
    out
}

/// PIDs of the CFEngine daemons running now.
pub fn daemon_pids() -> BTreeSet<u32> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return BTreeSet::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let comm = fs::read_to_string(entry.path().join("comm")).ok()?;
            DAEMONS.contains(&comm.trim()).then_some(pid)
        })
        .collect()
}

/// Stops daemons that were not running before the test, by PID.
pub fn stop_new_daemons(before: &BTreeSet<u32>) {
    for pid in daemon_pids().difference(before) {
        let _ = Command::new("kill").arg(pid.to_string()).status();
    }
}

/// Runs one policy both ways; `None` when they agree, else a description.
pub fn describe(expected: &Observed, actual: &Observed) -> String {
    let mut out = String::new();
    if expected.reports != actual.reports {
        out.push_str(&format!(
            "  cf-agent R: lines:\n{}\n  promise-rs R: lines:\n{}\n",
            indent(&expected.reports),
            indent(&actual.reports)
        ));
    }
    if expected.files != actual.files {
        let show = |files: &BTreeMap<String, String>| {
            indent(
                &files
                    .iter()
                    .map(|(p, s)| format!("{p}: {s}"))
                    .collect::<Vec<_>>(),
            )
        };
        out.push_str(&format!(
            "  cf-agent files:\n{}\n  promise-rs files:\n{}\n",
            show(&expected.files),
            show(&actual.files)
        ));
    }
    out
}

pub fn indent(lines: &[String]) -> String {
    lines
        .iter()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}
