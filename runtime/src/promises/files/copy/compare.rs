//! Whether an existing copy is out of date, by the `compare` rule of the
//! body. Contents are only read when the rule needs them.

use std::fs::{File, Metadata};
use std::io::{self, Read};
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use super::body::Compare;
use super::source::{digest_of, CopySource, SourceStat};

/// The times and type of the existing copy that the rules look at.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DestinationTimes {
    pub mtime: i64,
    pub ctime: i64,
    pub regular: bool,
}

impl DestinationTimes {
    pub fn of(meta: &Metadata) -> DestinationTimes {
        DestinationTimes {
            mtime: meta.mtime(),
            ctime: meta.ctime(),
            regular: meta.is_file(),
        }
    }
}

/// True when the copy must be made again. `contents_differ` is asked only
/// by the rules that compare contents.
pub(crate) fn out_of_date(
    compare: Compare,
    source: &SourceStat,
    destination: DestinationTimes,
    contents_differ: &mut dyn FnMut(Compare) -> bool,
) -> bool {
    let older = destination.ctime < source.ctime || destination.mtime < source.mtime;
    match compare {
        Compare::Exists => false,
        Compare::Mtime => destination.mtime < source.mtime,
        Compare::Ctime => older,
        Compare::Atime => older || contents_differ(Compare::Binary),
        // Contents of other objects than files cannot be compared: times are.
        Compare::Digest | Compare::Binary if !(destination.regular && source.is_file()) => older,
        Compare::Digest | Compare::Binary => contents_differ(compare),
    }
}

/// Whether the source's content differs from the local file `destination`:
/// by MD5 digest for `Digest`, else byte for byte (sizes first). A file
/// that cannot be read counts as different, so it is copied again.
pub(crate) fn contents_differ(
    how: Compare,
    source: &dyn CopySource,
    source_path: &Path,
    source_stat: &SourceStat,
    destination: &Path,
) -> bool {
    let differ = || -> io::Result<bool> {
        if how == Compare::Digest {
            let local = digest_of(&mut File::open(destination)?)?;
            return Ok(source.digest(source_path)? != local);
        }
        let local = File::open(destination)?;
        if local.metadata()?.len() != source_stat.size {
            return Ok(true);
        }
        streams_differ(&mut source.open(source_path)?, &mut { local })
    };
    differ().unwrap_or(true)
}

fn streams_differ(a: &mut dyn Read, b: &mut dyn Read) -> io::Result<bool> {
    let mut left = vec![0u8; 64 * 1024];
    let mut right = vec![0u8; 64 * 1024];
    loop {
        let read = fill(a, &mut left)?;
        if fill(b, &mut right)? != read || left[..read] != right[..read] {
            return Ok(true);
        }
        if read == 0 {
            return Ok(false);
        }
    }
}

/// Reads until `buffer` is full or the stream ends.
fn fill(reader: &mut dyn Read, buffer: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match reader.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::super::source::{Kind, LocalSource};
    use super::*;
    use std::fs;

    fn stat(mtime: i64, ctime: i64) -> SourceStat {
        SourceStat {
            kind: Kind::File,
            mode: 0o644,
            size: 3,
            uid: 0,
            gid: 0,
            atime: 0,
            mtime,
            ctime,
            device: 0,
            inode: 0,
            links: 1,
            rdev: 0,
        }
    }

    fn dest(mtime: i64, ctime: i64) -> DestinationTimes {
        DestinationTimes {
            mtime,
            ctime,
            regular: true,
        }
    }

    fn decide(
        compare: Compare,
        source: SourceStat,
        destination: DestinationTimes,
        differ: bool,
    ) -> (bool, bool) {
        let mut asked = false;
        let answer = out_of_date(compare, &source, destination, &mut |_| {
            asked = true;
            differ
        });
        (answer, asked)
    }

    #[test]
    fn time_rules() {
        // Source mtime newer.
        assert_eq!(
            decide(Compare::Mtime, stat(20, 10), dest(10, 30), false),
            (true, false)
        );
        // Only ctime newer: mtime keeps the copy, the default replaces it.
        assert_eq!(
            decide(Compare::Mtime, stat(10, 40), dest(10, 30), false),
            (false, false)
        );
        assert_eq!(
            decide(Compare::Ctime, stat(10, 40), dest(10, 30), false),
            (true, false)
        );
        assert_eq!(
            decide(Compare::Ctime, stat(10, 20), dest(10, 30), true),
            (false, false)
        );
        assert_eq!(
            decide(Compare::Exists, stat(99, 99), dest(0, 0), true),
            (false, false)
        );
    }

    #[test]
    fn content_rules_read_only_when_needed() {
        assert_eq!(
            decide(Compare::Digest, stat(99, 99), dest(0, 0), false),
            (false, true)
        );
        assert_eq!(
            decide(Compare::Binary, stat(0, 0), dest(9, 9), true),
            (true, true)
        );
        // atime: times first, then contents.
        assert_eq!(
            decide(Compare::Atime, stat(20, 0), dest(10, 0), false),
            (true, false)
        );
        assert_eq!(
            decide(Compare::Atime, stat(0, 0), dest(10, 10), true),
            (true, true)
        );
        // Not both regular files: times decide.
        let mut directory = stat(20, 0);
        directory.kind = Kind::Directory;
        assert_eq!(
            decide(Compare::Digest, directory, dest(10, 0), false),
            (true, false)
        );
    }

    #[test]
    fn contents_by_digest_and_bytes() {
        let dir = std::env::temp_dir().join(format!("promise-rs-compare-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let (a, b, c) = (dir.join("a"), dir.join("b"), dir.join("c"));
        fs::write(&a, b"abc").unwrap();
        fs::write(&b, b"abc").unwrap();
        fs::write(&c, b"abd").unwrap();
        let source_stat = LocalSource.stat(&a).unwrap();
        for how in [Compare::Digest, Compare::Binary] {
            assert!(!contents_differ(how, &LocalSource, &a, &source_stat, &b));
            assert!(contents_differ(how, &LocalSource, &a, &source_stat, &c));
            assert!(contents_differ(
                how,
                &LocalSource,
                &a,
                &source_stat,
                &dir.join("none")
            ));
        }
        let _ = fs::remove_dir_all(&dir);
    }
}
