//! The `file_select` body: which of the files a promise reaches it acts on.
//! Each selector that holds adds its token (`leaf_name`, `path_name`,
//! `file_types`, `mode`, `size`, `mtime`, …) to a set, and `file_result`,
//! a class expression over those tokens, decides. As in cf-agent, an
//! absent `leaf_name`, `search_owners` or `search_groups` counts as
//! matching, an absent `path_name` adds the token `leaf_path` (not
//! `path_name`), and absent ranges, modes and types never match.

use std::collections::BTreeSet;
use std::fs::{FileType, Metadata};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::Path;
use std::process::{Command, Stdio};

use grammar::class_expr;

use crate::eval::body::BodyAttributes;
use crate::fileops::mode::ModeChange;
use crate::functions::regex::full_match;
use crate::promises::commands::split_command;

/// A `file_select` body, read once per promise.
#[derive(Debug, Clone, Default)]
pub(crate) struct FileSelect {
    leaf_name: Vec<String>,
    path_name: Vec<String>,
    file_types: Vec<String>,
    issymlinkto: Vec<String>,
    modes: Vec<ModeChange>,
    owners: Vec<String>,
    groups: Vec<String>,
    size: Option<(i64, i64)>,
    ctime: Option<(i64, i64)>,
    mtime: Option<(i64, i64)>,
    atime: Option<(i64, i64)>,
    exec_regex: Option<String>,
    exec_program: Option<String>,
    result: String,
}

impl FileSelect {
    /// Reads the body; an error names what cannot be used (cf-agent refuses
    /// a body without `file_result` before doing anything).
    pub fn from_body(body: &BodyAttributes) -> Result<FileSelect, String> {
        let result = body
            .scalar("file_result")
            .ok_or("the file_select body has no file_result")?
            .to_string();
        let mut modes = Vec::new();
        for mode in body.list("search_mode") {
            modes.push(ModeChange::parse(&mode).map_err(|e| e.to_string())?);
        }
        let range = |name: &str| -> Result<Option<(i64, i64)>, String> {
            body.scalar(name)
                .map(|text| {
                    integer_range(text).ok_or_else(|| {
                        format!("cannot read the range '{text}' of '{name}' (write \"min,max\")")
                    })
                })
                .transpose()
        };
        Ok(FileSelect {
            leaf_name: body.list("leaf_name"),
            path_name: body.list("path_name"),
            file_types: body.list("file_types"),
            issymlinkto: body.list("issymlinkto"),
            modes,
            owners: body.list("search_owners"),
            groups: body.list("search_groups"),
            size: range("search_size")?,
            ctime: range("ctime")?,
            mtime: range("mtime")?,
            atime: range("atime")?,
            exec_regex: body.scalar("exec_regex").map(str::to_string),
            exec_program: body.scalar("exec_program").map(str::to_string),
            result,
        })
    }

    /// Whether the file at `path`, whose `lstat` is `meta`, is selected.
    pub fn selects(&self, path: &Path, meta: &Metadata) -> bool {
        self.selects_stat(path, &FileFacts::of(meta))
    }

    /// [`FileSelect::selects`] for a file known by its facts (a copy's
    /// source, which may not be on this host).
    pub fn selects_stat(&self, path: &Path, facts: &FileFacts) -> bool {
        let tokens = self.tokens(path, facts);
        match class_expr::parse_as_cfengine(&self.result) {
            Ok((expr, _)) => expr.evaluate(&mut |token| tokens.contains(token)),
            Err(_) => false,
        }
    }

    fn tokens(&self, path: &Path, meta: &FileFacts) -> BTreeSet<&'static str> {
        let text = path.to_string_lossy();
        let leaf = path
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        let mut tokens = BTreeSet::new();
        let mut add = |token: &'static str, holds: bool| {
            if holds {
                tokens.insert(token);
            }
        };
        add(
            "leaf_name",
            self.leaf_name.is_empty() || any_full_match(&self.leaf_name, &leaf),
        );
        add("leaf_path", self.path_name.is_empty());
        add("path_name", any_full_match(&self.path_name, &text));
        add("file_types", self.type_matches(meta));
        add(
            "owner",
            self.owners.is_empty() || id_matches(&self.owners, meta.uid, user_name),
        );
        add(
            "group",
            self.groups.is_empty() || id_matches(&self.groups, meta.gid, group_name),
        );
        add("mode", self.mode_matches(meta));
        add("atime", in_open_range(self.atime, meta.atime));
        add("ctime", in_open_range(self.ctime, meta.ctime));
        add("mtime", in_open_range(self.mtime, meta.mtime));
        add(
            "size",
            self.size.is_some_and(|(min, max)| {
                let size = i64::try_from(meta.size).unwrap_or(i64::MAX);
                min <= size && size <= max
            }),
        );
        add("issymlinkto", self.links_to_listed(path, meta));
        if let Some(regex) = &self.exec_regex {
            let program = self.exec_program.as_deref().unwrap_or_default();
            add("exec_regex", output_matches(program, &text, regex));
        }
        if let Some(program) = &self.exec_program {
            add("exec_program", returns_zero(program, &text));
        }
        tokens
    }

    fn type_matches(&self, meta: &FileFacts) -> bool {
        let names = meta.kind.type_names();
        // Each listed type is itself an expression over the file's types.
        self.file_types.iter().any(|listed| {
            class_expr::parse_as_cfengine(listed)
                .is_ok_and(|(expr, _)| expr.evaluate(&mut |name| names.contains(&name)))
        })
    }

    fn mode_matches(&self, meta: &FileFacts) -> bool {
        let current = meta.mode & 0o7777;
        self.modes
            .iter()
            .any(|change| change.apply(current, false, false) == current)
    }

    fn links_to_listed(&self, path: &Path, meta: &FileFacts) -> bool {
        if self.issymlinkto.is_empty() || meta.kind != FileKind::Symlink {
            return false;
        }
        let Ok(target) = std::fs::read_link(path) else {
            return false;
        };
        any_full_match(&self.issymlinkto, &target.to_string_lossy())
    }
}

/// What kind of object a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileKind {
    File,
    Directory,
    Symlink,
    Fifo,
    Socket,
    CharDevice,
    BlockDevice,
}

impl FileKind {
    pub fn of(kind: FileType) -> FileKind {
        if kind.is_symlink() {
            FileKind::Symlink
        } else if kind.is_dir() {
            FileKind::Directory
        } else if kind.is_fifo() {
            FileKind::Fifo
        } else if kind.is_socket() {
            FileKind::Socket
        } else if kind.is_char_device() {
            FileKind::CharDevice
        } else if kind.is_block_device() {
            FileKind::BlockDevice
        } else {
            FileKind::File
        }
    }

    /// The `file_types` names that describe this kind.
    fn type_names(self) -> &'static [&'static str] {
        match self {
            FileKind::File => &["reg", "plain"],
            FileKind::Directory => &["dir"],
            FileKind::Symlink => &["symlink"],
            FileKind::Fifo => &["fifo"],
            FileKind::Socket => &["socket"],
            FileKind::CharDevice => &["char"],
            FileKind::BlockDevice => &["block"],
        }
    }
}

/// What a file_select looks at of a file.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FileFacts {
    pub kind: FileKind,
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub size: u64,
    pub atime: i64,
    pub mtime: i64,
    pub ctime: i64,
}

impl FileFacts {
    pub fn of(meta: &Metadata) -> FileFacts {
        FileFacts {
            kind: FileKind::of(meta.file_type()),
            mode: meta.mode(),
            uid: meta.uid(),
            gid: meta.gid(),
            size: meta.size(),
            atime: meta.atime(),
            mtime: meta.mtime(),
            ctime: meta.ctime(),
        }
    }
}

/// cf-agent's `MatchRlistItem`: equal strings, or a full regex match.
pub(crate) fn any_full_match(patterns: &[String], text: &str) -> bool {
    patterns
        .iter()
        .any(|p| p == text || full_match(p, text).unwrap_or(false))
}

/// `"min,max"` with `inf` for no upper bound, as cf-agent's integer ranges.
fn integer_range(text: &str) -> Option<(i64, i64)> {
    let (min, max) = text.split_once(',')?;
    let min = leading_integer(min)?;
    let max = if max.trim() == "inf" {
        999_999_999
    } else {
        leading_integer(max)?
    };
    Some((min, max))
}

fn leading_integer(text: &str) -> Option<i64> {
    let text = text.trim_start();
    let end = text
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_digit() || (i == 0 && (c == '-' || c == '+'))))
        .map_or(text.len(), |(i, _)| i);
    text[..end].parse().ok()
}

/// cf-agent compares times strictly on both sides.
fn in_open_range(range: Option<(i64, i64)>, time: i64) -> bool {
    range.is_some_and(|(from, to)| from < time && time < to)
}

/// A listed owner or group matches by number, by name, or as a regex
/// over the name or the number.
fn id_matches(listed: &[String], id: u32, name_of: fn(u32) -> Option<String>) -> bool {
    let number = id.to_string();
    let name = name_of(id);
    listed.iter().any(|pattern| {
        pattern == &number
            || name.as_deref() == Some(pattern.as_str())
            || name
                .as_deref()
                .is_some_and(|n| full_match(pattern, n).unwrap_or(false))
            || full_match(pattern, &number).unwrap_or(false)
    })
}

fn user_name(uid: u32) -> Option<String> {
    // SAFETY: getpwuid returns a record valid until the next passwd call;
    // the name is copied out at once.
    unsafe {
        let entry = libc::getpwuid(uid);
        (!entry.is_null()).then(|| {
            std::ffi::CStr::from_ptr((*entry).pw_name)
                .to_string_lossy()
                .into_owned()
        })
    }
}

fn group_name(gid: u32) -> Option<String> {
    // SAFETY: as for getpwuid.
    unsafe {
        let entry = libc::getgrgid(gid);
        (!entry.is_null()).then(|| {
            std::ffi::CStr::from_ptr((*entry).gr_name)
                .to_string_lossy()
                .into_owned()
        })
    }
}

/// `$(this.promiser)` in a selector's command stands for the file.
fn with_file(command: &str, file: &str) -> String {
    command
        .replace("$(this.promiser)", file)
        .replace("${this.promiser}", file)
}

/// `exec_regex`: some line the program prints (run through the shell, as
/// cf-agent's popen) fully matches.
fn output_matches(program: &str, file: &str, regex: &str) -> bool {
    let Ok(output) = Command::new("/bin/sh")
        .arg("-c")
        .arg(with_file(program, file))
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
    else {
        return false;
    };
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .any(|line| full_match(regex, line).unwrap_or(false))
}

/// `exec_program`: the program (run without a shell) exits 0.
fn returns_zero(program: &str, file: &str) -> bool {
    let argv = split_command(&with_file(program, file));
    let Some((name, args)) = argv.split_first() else {
        return false;
    };
    Command::new(name)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Value;
    use std::fs;

    fn body(pairs: &[(&str, Value)]) -> BodyAttributes {
        BodyAttributes {
            attributes: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        }
    }

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("promise-rs-select-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_body_without_file_result_is_refused() {
        let select = FileSelect::from_body(&body(&[("leaf_name", Value::list(["a"]))]));
        assert!(select.is_err());
    }

    #[test]
    fn leaf_name_and_file_types_combine_in_file_result() {
        let dir = scratch("names");
        fs::write(dir.join("a.sh"), "").unwrap();
        fs::create_dir(dir.join("b.sh")).unwrap();
        let select = FileSelect::from_body(&body(&[
            ("leaf_name", Value::list([".*\\.sh"])),
            ("file_types", Value::list(["plain"])),
            ("file_result", Value::scalar("leaf_name.file_types")),
        ]))
        .unwrap();
        let file = dir.join("a.sh");
        let sub = dir.join("b.sh");
        assert!(select.selects(&file, &fs::symlink_metadata(&file).unwrap()));
        assert!(!select.selects(&sub, &fs::symlink_metadata(&sub).unwrap()));
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_absent_path_name_sets_leaf_path_not_path_name() {
        let dir = scratch("path");
        let file = dir.join("f");
        fs::write(&file, "").unwrap();
        let meta = fs::symlink_metadata(&file).unwrap();
        let only = |result: &str| {
            FileSelect::from_body(&body(&[("file_result", Value::scalar(result))]))
                .unwrap()
                .selects(&file, &meta)
        };
        assert!(only("leaf_path"));
        assert!(!only("path_name"));
        assert!(only("leaf_name.owner.group"));
        assert!(!only("size|mtime|mode|file_types"));
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn size_and_time_ranges() {
        let dir = scratch("ranges");
        let file = dir.join("f");
        fs::write(&file, "12345").unwrap();
        let meta = fs::symlink_metadata(&file).unwrap();
        let select = |name: &str, range: &str| {
            FileSelect::from_body(&body(&[
                (name, Value::scalar(range)),
                (
                    "file_result",
                    Value::scalar(name.trim_start_matches("search_")),
                ),
            ]))
            .unwrap()
            .selects(&file, &meta)
        };
        assert!(select("search_size", "5,5"));
        assert!(select("search_size", "1,inf"));
        assert!(!select("search_size", "6,10"));
        assert!(select("mtime", "0,4000000000"));
        // cf-agent's `inf` is 999999999, a time in 2001.
        assert!(!select("mtime", "0,inf"));
        assert!(!select("mtime", &format!("{},inf", meta.mtime())));
        assert!(FileSelect::from_body(&body(&[
            ("mtime", Value::scalar("x")),
            ("file_result", Value::scalar("mtime")),
        ]))
        .is_err());
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn search_mode_matches_when_the_mode_would_not_change() {
        let dir = scratch("mode");
        let file = dir.join("f");
        fs::write(&file, "").unwrap();
        fs::set_permissions(&file, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
        let meta = fs::symlink_metadata(&file).unwrap();
        let select = |mode: &str| {
            FileSelect::from_body(&body(&[
                ("search_mode", Value::list([mode])),
                ("file_result", Value::scalar("mode")),
            ]))
            .unwrap()
            .selects(&file, &meta)
        };
        assert!(select("644"));
        assert!(select("u+r"));
        assert!(!select("755"));
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn issymlinkto_and_exec_selectors() {
        let dir = scratch("exec");
        let link = dir.join("l");
        std::os::unix::fs::symlink("/etc/target", &link).unwrap();
        let meta = fs::symlink_metadata(&link).unwrap();
        let with = |pairs: &[(&str, Value)]| {
            FileSelect::from_body(&body(pairs))
                .unwrap()
                .selects(&link, &meta)
        };
        assert!(with(&[
            ("issymlinkto", Value::list(["/etc/.*"])),
            ("file_result", Value::scalar("issymlinkto")),
        ]));
        assert!(with(&[
            ("exec_program", Value::scalar("/bin/true $(this.promiser)")),
            ("file_result", Value::scalar("exec_program")),
        ]));
        assert!(!with(&[
            ("exec_program", Value::scalar("/bin/false")),
            ("file_result", Value::scalar("exec_program")),
        ]));
        assert!(with(&[
            ("exec_program", Value::scalar("echo $(this.promiser)")),
            ("exec_regex", Value::scalar(".*/l")),
            ("file_result", Value::scalar("exec_regex")),
        ]));
        let _ = fs::remove_dir_all(&dir);
    }
}
