//! File functions: tests, `filestat`, path names, listings and globs.

use std::fs::{self, Metadata};
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::Path;

use super::lists::list_arg;
use super::regex::full_match;
use super::{
    bool_arg, class_result, scalar_arg, Arity, Builtin, CallContext, Function, FunctionError,
    FunctionResult,
};
use crate::value::Value;

pub(super) const FUNCTIONS: &[&dyn Function] = &[
    &Builtin {
        name: "accessedbefore",
        arity: Arity::Exactly(2),
        body: accessedbefore,
    },
    &Builtin {
        name: "basename",
        arity: Arity::Between(1, 2),
        body: basename,
    },
    &Builtin {
        name: "changedbefore",
        arity: Arity::Exactly(2),
        body: changedbefore,
    },
    &Builtin {
        name: "dirname",
        arity: Arity::Exactly(1),
        body: dirname,
    },
    &Builtin {
        name: "diskfree",
        arity: Arity::Exactly(1),
        body: diskfree,
    },
    &Builtin {
        name: "file_hash",
        arity: Arity::Exactly(2),
        body: file_hash,
    },
    &Builtin {
        name: "fileexists",
        arity: Arity::Exactly(1),
        body: fileexists,
    },
    &Builtin {
        name: "filesexist",
        arity: Arity::Exactly(1),
        body: filesexist,
    },
    &Builtin {
        name: "filesize",
        arity: Arity::Exactly(1),
        body: filesize,
    },
    &Builtin {
        name: "filestat",
        arity: Arity::Exactly(2),
        body: filestat,
    },
    &Builtin {
        name: "findfiles",
        arity: Arity::AtLeast(0),
        body: findfiles,
    },
    &Builtin {
        name: "isdir",
        arity: Arity::Exactly(1),
        body: isdir,
    },
    &Builtin {
        name: "isexecutable",
        arity: Arity::Exactly(1),
        body: isexecutable,
    },
    &Builtin {
        name: "islink",
        arity: Arity::Exactly(1),
        body: islink,
    },
    &Builtin {
        name: "isnewerthan",
        arity: Arity::Exactly(2),
        body: isnewerthan,
    },
    &Builtin {
        name: "isplain",
        arity: Arity::Exactly(1),
        body: isplain,
    },
    &Builtin {
        name: "lsdir",
        arity: Arity::Exactly(3),
        body: lsdir,
    },
    &Builtin {
        name: "translatepath",
        arity: Arity::Exactly(1),
        body: translatepath,
    },
];

fn path_arg(args: &[Value], at: usize) -> Result<&Path, FunctionError> {
    scalar_arg(args, at).map(Path::new)
}

fn fileexists(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    Ok(class_result(path_arg(args, 0)?.exists()))
}

fn filesexist(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let paths = list_arg(context, args, 0)?;
    Ok(class_result(
        !paths.is_empty() && paths.iter().all(|p| Path::new(p).exists()),
    ))
}

fn isdir(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    Ok(class_result(path_arg(args, 0)?.is_dir()))
}

fn isplain(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    Ok(class_result(path_arg(args, 0)?.is_file()))
}

fn islink(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    Ok(class_result(path_arg(args, 0)?.is_symlink()))
}

/// A regular file with an execute bit.
fn isexecutable(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let executable = fs::metadata(path_arg(args, 0)?)
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0);
    Ok(class_result(executable))
}

/// Compares a time of two files; false when either is missing.
fn compare_times(
    args: &[Value],
    time: fn(&Metadata) -> i64,
    first_is_less: bool,
) -> FunctionResult {
    let (a, b) = (
        fs::metadata(path_arg(args, 0)?),
        fs::metadata(path_arg(args, 1)?),
    );
    Ok(class_result(match (a, b) {
        (Ok(a), Ok(b)) if first_is_less => time(&a) < time(&b),
        (Ok(a), Ok(b)) => time(&a) > time(&b),
        _ => false,
    }))
}

fn accessedbefore(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    compare_times(args, MetadataExt::atime, true)
}

fn changedbefore(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    compare_times(args, MetadataExt::ctime, true)
}

fn isnewerthan(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    compare_times(args, MetadataExt::mtime, false)
}

fn filesize(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let path = scalar_arg(args, 0)?;
    let metadata =
        fs::metadata(path).map_err(|e| FunctionError(format!("filesize: '{path}': {e}")))?;
    Ok(Value::Scalar(metadata.len().to_string()))
}

fn file_type(metadata: &Metadata) -> &'static str {
    let t = metadata.file_type();
    if t.is_symlink() {
        "symlink"
    } else if t.is_dir() {
        "directory"
    } else if t.is_fifo() {
        "FIFO/pipe"
    } else if t.is_socket() {
        "socket"
    } else if t.is_block_device() {
        "block device"
    } else if t.is_char_device() {
        "character device"
    } else {
        "regular file"
    }
}

/// `-rw-r-----` from a mode.
fn permission_text(mode: u32) -> String {
    let mut text = String::with_capacity(10);
    text.push(match mode & 0o170000 {
        0o040000 => 'd',
        0o120000 => 'l',
        0o010000 => 'p',
        0o140000 => 's',
        0o060000 => 'b',
        0o020000 => 'c',
        _ => '-',
    });
    for shift in [6, 3, 0] {
        let bits = (mode >> shift) & 7;
        text.push(if bits & 4 != 0 { 'r' } else { '-' });
        text.push(if bits & 2 != 0 { 'w' } else { '-' });
        text.push(if bits & 1 != 0 { 'x' } else { '-' });
    }
    text
}

/// `filestat(path, field)`, from `lstat` (a symlink describes itself).
fn filestat(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let path = scalar_arg(args, 0)?;
    let field = scalar_arg(args, 1)?;
    let m = fs::symlink_metadata(path)
        .map_err(|e| FunctionError(format!("filestat: '{path}': {e}")))?;
    let dev = m.dev();
    let text = match field {
        "size" => m.size().to_string(),
        "gid" => m.gid().to_string(),
        "uid" => m.uid().to_string(),
        "ino" => m.ino().to_string(),
        "nlink" => m.nlink().to_string(),
        "ctime" => m.ctime().to_string(),
        "atime" => m.atime().to_string(),
        "mtime" => m.mtime().to_string(),
        "mode" => m.mode().to_string(),
        "modeoct" => format!("{:o}", m.mode()),
        "permstr" => permission_text(m.mode()),
        "permoct" => format!("{:o}", m.mode() & 0o7777),
        "type" => file_type(&m).to_string(),
        "devno" => dev.to_string(),
        "dev_major" => libc::major(dev).to_string(),
        "dev_minor" => libc::minor(dev).to_string(),
        "basename" => last_component(path),
        "dirname" => dirname_of(path),
        "linktarget" => {
            if m.file_type().is_symlink() {
                fs::canonicalize(path)
                    .map_or_else(|_| path.to_string(), |p| p.display().to_string())
            } else {
                path.to_string()
            }
        }
        "linktarget_shallow" => {
            fs::read_link(path).map_or_else(|_| path.to_string(), |p| p.display().to_string())
        }
        "xattr" => String::new(),
        other => return Err(FunctionError(format!("filestat: unknown field '{other}'"))),
    };
    Ok(Value::Scalar(text))
}

/// Repeated slashes collapsed (cf-agent's path handling).
fn collapse_slashes(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if !(c == '/' && out.ends_with('/')) {
            out.push(c);
        }
    }
    out
}

/// `/a/b/c/` → `/a/b`, `file` → `.`, `/a` → `/`.
fn dirname_of(path: &str) -> String {
    if path.is_empty() {
        return String::new();
    }
    let path = collapse_slashes(path);
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return if path.is_empty() {
            ".".into()
        } else {
            "/".into()
        };
    }
    match trimmed.rfind('/') {
        None => ".".into(),
        Some(0) => "/".into(),
        Some(at) => trimmed[..at].to_string(),
    }
}

fn last_component(path: &str) -> String {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return if path.is_empty() {
            String::new()
        } else {
            "/".into()
        };
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed).to_string()
}

fn dirname(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    Ok(Value::Scalar(dirname_of(scalar_arg(args, 0)?)))
}

/// The last component, minus the suffix unless that is all of it.
fn basename(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let name = last_component(scalar_arg(args, 0)?);
    if args.len() > 1 {
        let suffix = scalar_arg(args, 1)?;
        if let Some(stem) = name.strip_suffix(suffix).filter(|s| !s.is_empty()) {
            return Ok(Value::scalar(stem));
        }
    }
    Ok(Value::Scalar(name))
}

/// On Unix a path is already native.
fn translatepath(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    Ok(Value::scalar(scalar_arg(args, 0)?))
}

fn file_hash(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let (path, algorithm) = (scalar_arg(args, 0)?, scalar_arg(args, 1)?);
    match fs::read(path) {
        Ok(bytes) => Ok(Value::Scalar(super::strings::digest_hex(
            algorithm, &bytes,
        )?)),
        // cf-agent hashes nothing and prints the zeroed digest.
        Err(_) => Ok(Value::Scalar(
            super::strings::digest_hex(algorithm, b"")?.replace(|_| true, "0"),
        )),
    }
}

/// Free space for unprivileged users, in KiB.
fn diskfree(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let path = scalar_arg(args, 0)?;
    let c_path =
        std::ffi::CString::new(path).map_err(|_| FunctionError("diskfree: NUL in path".into()))?;
    // SAFETY: zeroed statvfs is valid; statvfs fills it from a NUL-terminated path.
    let mut stats: libc::statvfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statvfs(c_path.as_ptr(), &mut stats) } != 0 {
        // cf-agent logs the error and answers 0.
        return Ok(Value::scalar("0"));
    }
    let kib = stats.f_bavail.saturating_mul(stats.f_frsize) / 1024;
    Ok(Value::Scalar(kib.to_string()))
}

/// `lsdir(dir, regex, fullpath)`: entries including `.` and `..` that
/// fully match (an empty regex matches all), in reverse readdir order.
fn lsdir(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let dir = scalar_arg(args, 0)?;
    let pattern = scalar_arg(args, 1)?;
    let full = bool_arg(args, 2)?;
    // cf-agent builds its list by prepending: readdir order, reversed.
    // A directory that cannot be read has no entries.
    let mut names = directory_entries(dir).unwrap_or_default();
    names.reverse();
    let mut out = Vec::new();
    for name in names {
        if pattern.is_empty() || full_match(pattern, &name)? {
            out.push(if full {
                format!("{}/{name}", dir.trim_end_matches('/'))
            } else {
                name
            });
        }
    }
    Ok(Value::List(out))
}

/// The names `readdir(3)` gives, `.` and `..` included, in its order.
fn directory_entries(dir: &str) -> Result<Vec<String>, FunctionError> {
    let path =
        std::ffi::CString::new(dir).map_err(|_| FunctionError(format!("lsdir: NUL in '{dir}'")))?;
    // SAFETY: path is NUL-terminated; the stream is closed below.
    let stream = unsafe { libc::opendir(path.as_ptr()) };
    if stream.is_null() {
        return Err(FunctionError(format!(
            "lsdir: '{dir}': {}",
            std::io::Error::last_os_error()
        )));
    }
    let mut names = Vec::new();
    loop {
        // SAFETY: stream is an open directory stream.
        let entry = unsafe { libc::readdir(stream) };
        if entry.is_null() {
            break;
        }
        // SAFETY: readdir returned a valid entry whose d_name is
        // NUL-terminated and lives until the next readdir call.
        let name = unsafe { std::ffi::CStr::from_ptr((*entry).d_name.as_ptr()) };
        names.push(name.to_string_lossy().into_owned());
    }
    // SAFETY: stream came from opendir and is closed once.
    unsafe { libc::closedir(stream) };
    Ok(names)
}

/// `findfiles(glob, …)`: `*`, `?`, `[…]` within a component, `**` spans one
/// or more directory levels; duplicates removed.
fn findfiles(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let mut out: Vec<String> = Vec::new();
    for at in 0..args.len() {
        let pattern = scalar_arg(args, at)?;
        let mut found = Vec::new();
        super::glob::expand(pattern, &mut found);
        for path in found {
            if !out.contains(&path) {
                out.push(path);
            }
        }
    }
    Ok(Value::List(out))
}

#[cfg(test)]
mod tests {
    use crate::functions::test_context::*;
    use std::fs;

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("promise-rs-files-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("sub/deep")).ok();
        fs::write(dir.join("a.txt"), "hello").ok();
        fs::write(dir.join("sub/deep/b.txt"), "").ok();
        std::os::unix::fs::symlink("a.txt", dir.join("lnk")).ok();
        dir
    }

    #[test]
    fn file_tests() {
        let c = FixedContext::default();
        let dir = scratch("tests");
        let p = |n: &str| dir.join(n).display().to_string();
        assert_eq!(call(&c, "fileexists", &["/"]), yes());
        assert_eq!(call(&c, "isdir", &["/"]), yes());
        assert_eq!(call(&c, "fileexists", &["/no/such/promise-rs"]), no());
        assert_eq!(call(&c, "isplain", &[&p("a.txt")]), yes());
        assert_eq!(call(&c, "islink", &[&p("lnk")]), yes());
        assert_eq!(call(&c, "isexecutable", &[&p("a.txt")]), no());
        assert_eq!(call(&c, "isexecutable", &["/bin/sh"]), yes());
        assert_eq!(call(&c, "filesize", &[&p("a.txt")]), scalar("5"));
        assert!(call(&c, "filesize", &[&p("none")]).is_err());
        assert_eq!(
            call(&c, "filestat", &[&p("lnk"), "type"]),
            scalar("symlink")
        );
        assert_eq!(
            call(&c, "filestat", &[&p("lnk"), "linktarget_shallow"]),
            scalar("a.txt")
        );
        assert_eq!(
            call(&c, "filestat", &[&p("sub"), "permstr"])
                .map(|v| v.as_scalar().map(|s| s.starts_with('d'))),
            Ok(Some(true))
        );
        assert!(call(&c, "filestat", &[&p("a.txt"), "colour"]).is_err());
        assert_eq!(call(&c, "isnewerthan", &[&p("a.txt"), &p("none")]), no());
        assert_eq!(
            call(&c, "file_hash", &[&p("a.txt"), "md5"]),
            scalar("5d41402abc4b2a76b9719d911017c592")
        );
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn path_names() {
        let c = FixedContext::default();
        assert_eq!(call(&c, "dirname", &["/a/b/c/"]), scalar("/a/b"));
        assert_eq!(call(&c, "dirname", &["file"]), scalar("."));
        assert_eq!(call(&c, "dirname", &[""]), scalar(""));
        assert_eq!(call(&c, "dirname", &["/"]), scalar("/"));
        assert_eq!(call(&c, "dirname", &["/a"]), scalar("/"));
        assert_eq!(call(&c, "dirname", &["//a//b//"]), scalar("/a"));
        assert_eq!(call(&c, "basename", &["/a/b/c.txt", ".txt"]), scalar("c"));
        assert_eq!(call(&c, "basename", &["c.txt", "c.txt"]), scalar("c.txt"));
        assert_eq!(call(&c, "basename", &["/a/b/"]), scalar("b"));
        assert_eq!(call(&c, "translatepath", &["/a/b"]), scalar("/a/b"));
    }

    #[test]
    fn listing_and_globbing() {
        let c = FixedContext::default();
        let dir = scratch("glob");
        let d = dir.display().to_string();
        let mut listed = call(&c, "lsdir", &[&d, "", "false"])
            .ok()
            .and_then(|v| v.as_list().map(<[String]>::to_vec))
            .unwrap_or_default();
        listed.sort();
        assert_eq!(listed, [".", "..", "a.txt", "lnk", "sub"]);
        assert_eq!(
            call(&c, "lsdir", &[&d, "a.*", "true"]),
            list(&[&format!("{d}/a.txt")])
        );
        assert_eq!(
            call(&c, "findfiles", &[&format!("{d}/*.txt")]),
            list(&[&format!("{d}/a.txt")])
        );
        let mut deep = call(
            &c,
            "findfiles",
            &[&format!("{d}/**/b.txt"), &format!("{d}/s?b/deep/b.txt")],
        )
        .ok()
        .and_then(|v| v.as_list().map(<[String]>::to_vec))
        .unwrap_or_default();
        deep.sort();
        assert_eq!(deep, [format!("{d}/sub/deep/b.txt")]);
        assert_eq!(call(&c, "lsdir", &["/no/such/dir", "", "false"]), list(&[]));
        let _ = fs::remove_dir_all(&dir);
    }
}
