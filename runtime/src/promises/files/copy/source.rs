//! Where a copy comes from. The copy logic asks a [`CopySource`] for
//! everything it needs to know about the source tree (stat, directory
//! listings, link targets, contents, digests), so a cf-serverd client can
//! stand in for the local filesystem without the logic changing.

use std::fs::{self, File, Metadata};
use std::io::{self, Read};
use std::os::fd::AsRawFd;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use md5::{Digest, Md5};

use crate::promises::files::select::FileFacts;
pub(crate) use crate::promises::files::select::FileKind as Kind;

/// The status of a source object, as `stat(2)` gives it (a remote server
/// sends the same fields).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SourceStat {
    pub kind: Kind,
    /// Permission bits, `07777`.
    pub mode: u32,
    pub size: u64,
    pub uid: u32,
    pub gid: u32,
    pub atime: i64,
    pub mtime: i64,
    pub ctime: i64,
    pub device: u64,
    pub inode: u64,
    pub links: u64,
    /// The device number of a special file.
    pub rdev: u64,
}

impl SourceStat {
    pub fn of(meta: &Metadata) -> SourceStat {
        SourceStat {
            kind: Kind::of(meta.file_type()),
            mode: meta.mode() & 0o7777,
            size: meta.size(),
            uid: meta.uid(),
            gid: meta.gid(),
            atime: meta.atime(),
            mtime: meta.mtime(),
            ctime: meta.ctime(),
            device: meta.dev(),
            inode: meta.ino(),
            links: meta.nlink(),
            rdev: meta.rdev(),
        }
    }

    /// What a file_select looks at.
    pub fn facts(&self) -> FileFacts {
        FileFacts {
            kind: self.kind,
            mode: self.mode,
            uid: self.uid,
            gid: self.gid,
            size: self.size,
            atime: self.atime,
            mtime: self.mtime,
            ctime: self.ctime,
        }
    }

    pub fn is_dir(&self) -> bool {
        self.kind == Kind::Directory
    }

    pub fn is_file(&self) -> bool {
        self.kind == Kind::File
    }

    pub fn is_symlink(&self) -> bool {
        self.kind == Kind::Symlink
    }
}

/// One entry of a source directory.
#[derive(Debug, Clone)]
pub(crate) struct SourceEntry {
    pub name: String,
    /// Its `lstat`, when the listing brings it along (a remote listing
    /// does not: the walk asks).
    pub lstat: Option<SourceStat>,
}

/// The source side of a copy.
pub(crate) trait CopySource {
    /// The host the source is on, for messages (`localhost` here).
    fn server(&self) -> &str;

    /// `stat`: symlinks followed.
    fn stat(&self, path: &Path) -> io::Result<SourceStat>;

    /// `lstat`: a symlink is described itself.
    fn lstat(&self, path: &Path) -> io::Result<SourceStat>;

    /// The entries of a directory, in the order the source lists them.
    fn read_dir(&self, path: &Path) -> io::Result<Vec<SourceEntry>>;

    fn read_link(&self, path: &Path) -> io::Result<PathBuf>;

    /// The path with every symlink in it resolved (`realpath`).
    fn resolve(&self, path: &Path) -> io::Result<PathBuf>;

    /// The content of a regular file, to read from the start.
    fn open(&self, path: &Path) -> io::Result<Box<dyn Read>>;

    /// Writes the content of a regular file into `into` (at its current
    /// position); the number of bytes written. `size` is the size the
    /// source had when it was looked at: no more is copied.
    fn copy_to(&self, path: &Path, size: u64, into: &mut File) -> io::Result<u64> {
        io::copy(&mut self.open(path)?.take(size), into)
    }

    /// The MD5 digest of a regular file, as cf-agent compares contents.
    fn digest(&self, path: &Path) -> io::Result<[u8; 16]> {
        digest_of(&mut self.open(path)?)
    }
}

/// MD5 of everything `reader` gives.
pub(crate) fn digest_of(reader: &mut dyn Read) -> io::Result<[u8; 16]> {
    let mut hasher = Md5::new();
    let mut buffer = [0u8; 64 * 1024];
    loop {
        let read = match reader.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        hasher.update(&buffer[..read]);
    }
    Ok(hasher.finalize().into())
}

/// The local filesystem.
pub(crate) struct LocalSource;

impl CopySource for LocalSource {
    fn server(&self) -> &str {
        "localhost"
    }

    fn stat(&self, path: &Path) -> io::Result<SourceStat> {
        fs::metadata(path).map(|m| SourceStat::of(&m))
    }

    fn lstat(&self, path: &Path) -> io::Result<SourceStat> {
        fs::symlink_metadata(path).map(|m| SourceStat::of(&m))
    }

    /// Each entry's `lstat` is taken relative to the open directory, which
    /// spares the kernel a walk of the whole path per file.
    fn read_dir(&self, path: &Path) -> io::Result<Vec<SourceEntry>> {
        let mut entries = Vec::new();
        for entry in fs::read_dir(path)? {
            let entry = entry?;
            entries.push(SourceEntry {
                name: entry.file_name().to_string_lossy().into_owned(),
                lstat: entry.metadata().ok().map(|m| SourceStat::of(&m)),
            });
        }
        Ok(entries)
    }

    fn read_link(&self, path: &Path) -> io::Result<PathBuf> {
        fs::read_link(path)
    }

    fn resolve(&self, path: &Path) -> io::Result<PathBuf> {
        fs::canonicalize(path)
    }

    fn open(&self, path: &Path) -> io::Result<Box<dyn Read>> {
        Ok(Box::new(File::open(path)?))
    }

    /// File to file in the kernel (copy_file_range), which for the small
    /// files of a policy tree is one call; read and write where the
    /// filesystems cannot.
    fn copy_to(&self, path: &Path, size: u64, into: &mut File) -> io::Result<u64> {
        let mut from = File::open(path)?;
        let mut copied = 0u64;
        while copied < size {
            let wanted = usize::try_from(size - copied).unwrap_or(usize::MAX >> 1);
            // SAFETY: both descriptors are open files owned by `from` and
            // `into`; null offsets use and advance the file positions.
            let done = unsafe {
                libc::copy_file_range(
                    from.as_raw_fd(),
                    std::ptr::null_mut(),
                    into.as_raw_fd(),
                    std::ptr::null_mut(),
                    wanted,
                    0,
                )
            };
            match done {
                0 => break,
                n if n > 0 => copied += n as u64,
                _ => {
                    let error = io::Error::last_os_error();
                    return match error.raw_os_error() {
                        Some(libc::EXDEV | libc::ENOSYS | libc::EINVAL | libc::EOPNOTSUPP)
                            if copied == 0 =>
                        {
                            io::copy(&mut (&mut from).take(size), into)
                        }
                        Some(libc::EINTR) => continue,
                        _ => Err(error),
                    };
                }
            }
        }
        Ok(copied)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Seek, SeekFrom};

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("promise-rs-source-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn local_source_stats_lists_reads_and_digests() {
        let dir = scratch("local");
        fs::write(dir.join("a"), b"hello\n").unwrap();
        std::os::unix::fs::symlink("a", dir.join("l")).unwrap();
        fs::create_dir(dir.join("d")).unwrap();
        let source = LocalSource;
        assert_eq!(source.server(), "localhost");
        assert_eq!(source.stat(&dir.join("l")).unwrap().kind, Kind::File);
        assert_eq!(source.lstat(&dir.join("l")).unwrap().kind, Kind::Symlink);
        assert!(source.stat(&dir.join("d")).unwrap().is_dir());
        assert_eq!(source.stat(&dir.join("a")).unwrap().size, 6);
        let entries = source.read_dir(&dir).unwrap();
        assert!(entries.iter().all(|e| e.lstat.is_some()));
        let mut names: Vec<String> = entries.into_iter().map(|e| e.name).collect();
        names.sort();
        assert_eq!(names, ["a", "d", "l"]);
        assert_eq!(source.read_link(&dir.join("l")).unwrap(), Path::new("a"));
        // md5("hello\n")
        let digest = source.digest(&dir.join("a")).unwrap();
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "b1946ac92492d2347c6235b4d2611184");
        let mut into = File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(dir.join("copy"))
            .unwrap();
        assert_eq!(source.copy_to(&dir.join("a"), 6, &mut into).unwrap(), 6);
        into.seek(SeekFrom::Start(0)).unwrap();
        let mut text = String::new();
        into.read_to_string(&mut text).unwrap();
        assert_eq!(text, "hello\n");
        assert!(source.stat(&dir.join("missing")).is_err());
        let _ = fs::remove_dir_all(&dir);
    }
}
