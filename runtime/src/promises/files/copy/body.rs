//! The `copy_from` body, read once per promise with cf-agent 3.21's
//! defaults: an unset (or unknown) `compare` copies when the source's
//! ctime or mtime is newer, `copy_backup` keeps `.cfsaved`, and the
//! booleans are false.

use crate::eval::body::BodyAttributes;

use super::super::is_true;

/// When an existing copy is out of date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Compare {
    /// The source's mtime is newer.
    Mtime,
    /// The source's ctime or mtime is newer, or the contents differ.
    Atime,
    /// The source's ctime or mtime is newer: the default.
    Ctime,
    /// The contents' digests differ (`digest`, `hash`).
    Digest,
    /// The contents differ byte for byte.
    Binary,
    /// Only a missing copy is made.
    Exists,
}

/// What happens to the copy being replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Backup {
    /// `<name>.cfsaved`.
    Plain,
    /// `<name>_<run start>_<date>.cfsaved`.
    Timestamp,
    None,
}

/// A `copy_from` body.
#[derive(Debug, Clone)]
pub(crate) struct CopyFrom {
    pub source: Option<String>,
    pub servers: Vec<String>,
    pub compare: Compare,
    pub backup: Backup,
    pub preserve: bool,
    pub purge: bool,
    pub type_check: bool,
    pub force_update: bool,
    pub verify: bool,
    pub check_root: bool,
    pub stealth: bool,
    pub missing_ok: bool,
    /// Source names (last node) to make a link to instead of copying.
    pub linkcopy_patterns: Vec<String>,
    /// Source symlinks (last node) whose target is copied instead.
    pub copylink_patterns: Vec<String>,
    /// `link_type => "absolute"`: relative source links become absolute.
    pub absolute_links: bool,
    /// `copy_size`: copies only sources within these sizes.
    pub size_range: Option<(u64, u64)>,
}

impl CopyFrom {
    pub fn read(body: &BodyAttributes) -> CopyFrom {
        let flag = |name: &str| body.scalar(name).is_some_and(is_true);
        CopyFrom {
            source: body.scalar("source").map(str::to_string),
            servers: body.list("servers"),
            compare: compare_of(body.scalar("compare")),
            backup: match body.scalar("copy_backup") {
                Some("false") => Backup::None,
                Some("timestamp") => Backup::Timestamp,
                _ => Backup::Plain,
            },
            preserve: flag("preserve"),
            purge: flag("purge"),
            type_check: flag("type_check"),
            force_update: flag("force_update"),
            verify: flag("verify"),
            check_root: flag("check_root"),
            stealth: flag("stealth"),
            missing_ok: flag("missing_ok"),
            linkcopy_patterns: body.list("linkcopy_patterns"),
            copylink_patterns: body.list("copylink_patterns"),
            absolute_links: body.scalar("link_type") == Some("absolute"),
            size_range: body.scalar("copy_size").and_then(size_range),
        }
    }

    /// The first server that is not this host, when the copy is remote:
    /// servers are tried in order and `localhost` means a local copy.
    pub fn remote_server(&self) -> Option<&str> {
        match self.servers.first().map(String::as_str) {
            None | Some("localhost") => None,
            Some(server) => Some(server),
        }
    }
}

fn compare_of(value: Option<&str>) -> Compare {
    match value {
        Some("mtime") => Compare::Mtime,
        Some("atime") => Compare::Atime,
        Some("digest" | "hash") => Compare::Digest,
        Some("binary") => Compare::Binary,
        Some("exists") => Compare::Exists,
        _ => Compare::Ctime,
    }
}

/// `"min,max"` (`inf` for no bound).
fn size_range(text: &str) -> Option<(u64, u64)> {
    let (min, max) = text.split_once(',')?;
    let min = min.trim().parse().ok()?;
    let max = match max.trim() {
        "inf" => u64::MAX,
        number => number.parse().ok()?,
    };
    Some((min, max))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compare_defaults_to_ctime_and_reads_every_name() {
        assert_eq!(compare_of(None), Compare::Ctime);
        assert_eq!(compare_of(Some("bogus")), Compare::Ctime);
        assert_eq!(compare_of(Some("ctime")), Compare::Ctime);
        assert_eq!(compare_of(Some("mtime")), Compare::Mtime);
        assert_eq!(compare_of(Some("atime")), Compare::Atime);
        assert_eq!(compare_of(Some("hash")), Compare::Digest);
        assert_eq!(compare_of(Some("digest")), Compare::Digest);
        assert_eq!(compare_of(Some("binary")), Compare::Binary);
        assert_eq!(compare_of(Some("exists")), Compare::Exists);
    }

    #[test]
    fn size_ranges() {
        assert_eq!(size_range("0,100"), Some((0, 100)));
        assert_eq!(size_range("10, inf"), Some((10, u64::MAX)));
        assert_eq!(size_range("x,1"), None);
        assert_eq!(size_range("5"), None);
    }
}
