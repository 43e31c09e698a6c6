//! Policy built into the binary. The standard library (stdlib/ in the
//! repository): a file under `$(sys.libdir)` that is not on disk is read
//! from here, so `inputs => { "$(sys.libdir)/stdlib.cf" }` works on a
//! machine where nothing was installed. And the default policy
//! (examples/default/promises.cf), read as `$(sys.inputdir)/promises.cf`
//! when that file is not on disk: the policy `promise-rs run` runs when it
//! is given no file, as cf-agent runs its `promises.cf`.

use std::path::Path;

use super::SysDirs;

/// The entry file an agent runs when it is given none, in `sys.inputdir`.
pub const DEFAULT_ENTRY: &str = "promises.cf";

const DEFAULT_POLICY: &str = include_str!("../../../examples/default/promises.cf");

const FILES: &[(&str, &str)] = &[
    ("stdlib.cf", include_str!("../../../stdlib/stdlib.cf")),
    ("bundles.cf", include_str!("../../../stdlib/bundles.cf")),
    ("commands.cf", include_str!("../../../stdlib/commands.cf")),
    ("common.cf", include_str!("../../../stdlib/common.cf")),
    ("files.cf", include_str!("../../../stdlib/files.cf")),
    ("packages.cf", include_str!("../../../stdlib/packages.cf")),
    ("paths.cf", include_str!("../../../stdlib/paths.cf")),
    ("processes.cf", include_str!("../../../stdlib/processes.cf")),
    ("services.cf", include_str!("../../../stdlib/services.cf")),
];

/// The built-in text of `path` when it names a library file in
/// `sys.libdir`, or the default entry file in `sys.inputdir`.
pub fn embedded(path: &Path, sys: &SysDirs) -> Option<&'static str> {
    if path == sys.default_entry() {
        return Some(DEFAULT_POLICY);
    }
    let name = path.strip_prefix(sys.libdir()).ok()?.to_str()?;
    FILES
        .iter()
        .find(|(file, _)| *file == name)
        .map(|(_, text)| *text)
}

/// The names of the library's files, for `promise-rs` to list or install.
pub fn files() -> impl Iterator<Item = (&'static str, &'static str)> {
    FILES.iter().copied()
}
