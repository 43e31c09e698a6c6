//! Where the agent keeps its inputs, state and keys (see ARCHITECTURE.md,
//! "Workdir").

use std::path::PathBuf;

/// `--workdir`, else `PROMISE_WORKDIR`, else `/var/lib/promise-rs` for root
/// and `~/.promise-rs` for anyone else.
pub fn resolve(flag: Option<PathBuf>) -> PathBuf {
    if let Some(dir) = flag {
        return dir;
    }
    if let Some(dir) = std::env::var_os("PROMISE_WORKDIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let is_root = std::fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
        .unwrap_or(false);
    match std::env::var_os("HOME").filter(|_| !is_root) {
        Some(home) => PathBuf::from(home).join(".promise-rs"),
        None => PathBuf::from("/var/lib/promise-rs"),
    }
}

/// The loader's view of the workdir.
pub fn load_options(flag: Option<PathBuf>) -> compiler::LoadOptions {
    compiler::LoadOptions {
        sys: compiler::load::SysDirs {
            workdir: resolve(flag),
        },
    }
}
