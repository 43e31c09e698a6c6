//! Reading host files relative to a configurable filesystem root, so tests
//! can present a fake `/etc` and `/proc`.

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

/// The filesystem root that host files are read from (`/` on a real host).
#[derive(Debug, Clone)]
pub(crate) struct HostRoot {
    base: PathBuf,
}

impl HostRoot {
    pub(crate) fn new(base: &Path) -> Self {
        HostRoot {
            base: base.to_path_buf(),
        }
    }

    /// Where the host's absolute path `absolute` lives under this root.
    pub(crate) fn path(&self, absolute: &str) -> PathBuf {
        self.base.join(absolute.trim_start_matches('/'))
    }

    /// The host's absolute path of `path`, a path under this root.
    pub(crate) fn host_path(&self, path: &Path) -> String {
        match path.strip_prefix(&self.base) {
            Ok(inside) => format!("/{}", inside.display()),
            Err(_) => path.display().to_string(),
        }
    }

    pub(crate) fn exists(&self, absolute: &str) -> bool {
        self.path(absolute).exists()
    }

    pub(crate) fn is_readable_file(&self, absolute: &str) -> bool {
        fs::File::open(self.path(absolute)).is_ok()
    }

    pub(crate) fn read(&self, absolute: &str) -> Option<String> {
        read_text(&self.path(absolute))
    }

    pub(crate) fn first_line(&self, absolute: &str) -> Option<String> {
        first_line(&self.path(absolute))
    }
}

/// The whole file as text; invalid UTF-8 is replaced rather than rejected,
/// since cf-agent reads these files as bytes.
pub(crate) fn read_text(path: &Path) -> Option<String> {
    fs::read(path)
        .ok()
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
}

/// The first line without its line terminator, or `None` when the file is
/// missing or empty (cf-agent's `ReadLine`, which fails when `fgets` reads
/// nothing).
pub(crate) fn first_line(path: &Path) -> Option<String> {
    let file = fs::File::open(path).ok()?;
    let mut line = Vec::new();
    let read = BufReader::new(file).read_until(b'\n', &mut line).ok()?;
    if read == 0 {
        return None;
    }
    // Only '\n' is stripped, as cf-agent does: a '\r' stays in the value.
    while line.last() == Some(&b'\n') {
        line.pop();
    }
    Some(String::from_utf8_lossy(&line).into_owned())
}
