//! The standard library (stdlib/ in the repository), built into the binary:
//! a file under `$(sys.libdir)` that is not on disk is read from here, so
//! `inputs => { "$(sys.libdir)/stdlib.cf" }` works on a machine where
//! nothing was installed.

use std::path::Path;

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

/// The built-in text of `path` when it names a library file in `libdir`.
pub fn embedded(path: &Path, libdir: &Path) -> Option<&'static str> {
    let name = path.strip_prefix(libdir).ok()?.to_str()?;
    FILES
        .iter()
        .find(|(file, _)| *file == name)
        .map(|(_, text)| *text)
}

/// The names of the library's files, for `promise-rs` to list or install.
pub fn files() -> impl Iterator<Item = (&'static str, &'static str)> {
    FILES.iter().copied()
}
