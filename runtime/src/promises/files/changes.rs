//! The `changes` body on one object: its content hash and its stat data
//! are compared with what the state store holds from earlier looks (this
//! run's or a past run's), recorded on first sight, and changes are
//! reported, appended to `WORKDIR/state/file_changes.log` and, for content,
//! flagged with the class `checksum_alerts`.
//!
//! State tables: `changes_hashes` (`<hash>:<path>` → hex digest),
//! `changes_stats` (path → mode, uid, gid, dev, ino, mtime),
//! `changes_dirs` (directory searched by a depth_search → the names
//! selected in it) and, with `report_diffs`, `changes_content` (path →
//! the text last seen).

use std::fs::{self, Metadata};
use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use md5::Md5;
use serde_json::{json, Value};
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};

use super::attributes::{Changes, HashChoice};
use super::FileJob;
use crate::eval::context::ClassScope;

const HASHES: &str = "changes_hashes";
const STATS: &str = "changes_stats";
const CONTENT: &str = "changes_content";
const LISTINGS: &str = "changes_dirs";
const LOG: &str = "file_changes.log";
/// Larger files are not kept for `report_diffs`.
const DIFF_LIMIT: usize = 1 << 20;

/// A hash algorithm, named as cf-agent names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Algorithm {
    Md5,
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl Algorithm {
    fn name(self) -> &'static str {
        match self {
            Algorithm::Md5 => "md5",
            Algorithm::Sha1 => "sha1",
            Algorithm::Sha256 => "sha256",
            Algorithm::Sha384 => "sha384",
            Algorithm::Sha512 => "sha512",
        }
    }

    fn digest(self, data: &[u8]) -> String {
        let bytes: Vec<u8> = match self {
            Algorithm::Md5 => Md5::digest(data).to_vec(),
            Algorithm::Sha1 => Sha1::digest(data).to_vec(),
            Algorithm::Sha256 => Sha256::digest(data).to_vec(),
            Algorithm::Sha384 => Sha384::digest(data).to_vec(),
            Algorithm::Sha512 => Sha512::digest(data).to_vec(),
        };
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// The algorithms a `hash` choice stands for ("best" is md5 then sha1).
fn algorithms(choice: HashChoice) -> &'static [Algorithm] {
    match choice {
        HashChoice::Md5 => &[Algorithm::Md5],
        HashChoice::Sha1 => &[Algorithm::Sha1],
        HashChoice::Sha256 => &[Algorithm::Sha256],
        HashChoice::Sha384 => &[Algorithm::Sha384],
        HashChoice::Sha512 => &[Algorithm::Sha512],
        HashChoice::Best => &[Algorithm::Md5, Algorithm::Sha1],
    }
}

/// `report_changes` "content" or "all": the content hash.
pub(super) fn content(job: &mut FileJob, body: &Changes, path: &Path) {
    if !body.report.content() {
        return;
    }
    let shown = path.display().to_string();
    let data = match fs::read(path) {
        Ok(data) => data,
        Err(error) => {
            job.fail(format!("Cannot hash '{shown}' ({error})"));
            return;
        }
    };
    // As in cf-agent, a change found by the first algorithm stops there.
    let mut changed = false;
    for algorithm in algorithms(body.hash) {
        if changed {
            break;
        }
        changed = check_hash(job, body, &shown, *algorithm, &data);
    }
    if changed && job.making_changes(format!("record integrity changes in '{shown}'")) {
        let namespace = job.agent.namespace().to_string();
        job.agent
            .classes
            .define(&namespace, "checksum_alerts", ClassScope::Namespace);
        match log_change(job, &shown, 'C', "Content changed") {
            Ok(()) => job.repaired(format!("Recorded integrity changes in '{shown}'")),
            Err(error) => job.fail(format!(
                "Failed to record integrity changes in '{shown}' ({error})"
            )),
        }
    }
    if body.report_diffs && job.apply {
        report_diff(job, &shown, &data);
    }
}

/// Compares one hash with the stored one; true when the content changed
/// (or could not be recorded), false on first sight or when unchanged.
fn check_hash(
    job: &mut FileJob,
    body: &Changes,
    shown: &str,
    algorithm: Algorithm,
    data: &[u8],
) -> bool {
    let name = algorithm.name();
    let key = format!("{name}:{shown}");
    let digest = algorithm.digest(data);
    let stored = job
        .agent
        .state
        .get(HASHES, &key)
        .and_then(Value::as_str)
        .map(str::to_string);
    if stored.as_deref() == Some(digest.as_str()) {
        job.kept(format!("File hash for {shown} is correct"));
        return false;
    }
    let found = stored.is_some();
    if found {
        job.agent
            .log
            .info(&format!("Hash '{name}' for '{shown}' changed!"));
    }
    if !job.making_changes(format!("record the new {name} hash of '{shown}'")) {
        return true;
    }
    if !found || body.update {
        job.agent
            .state
            .set(HASHES, &key, Value::String(digest.clone()));
        let action = if found { "Updated" } else { "Stored" };
        job.repaired(format!(
            "{action} {name} hash for '{shown}' ({name}={digest})"
        ));
        return found;
    }
    job.fail(format!(
        "Hash for file '{shown}' changed, but not updating the records"
    ));
    true
}

/// After a depth_search went through `dir`: entries new since the last
/// look are reported, entries gone are reported (and forgotten), and the
/// listing is recorded. As in cf-agent, without `update_hashes` the
/// listing is never recorded and the promise fails.
pub(super) fn directory_listing(
    job: &mut FileJob,
    body: &Changes,
    dir: &Path,
    mut names: Vec<String>,
) {
    let shown = dir.display().to_string();
    names.sort();
    names.dedup();
    let known: Vec<String> = match job.agent.state.get(LISTINGS, &shown) {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    };
    for name in names.iter().filter(|n| !known.contains(n)) {
        let path = format!("{shown}/{name}");
        job.agent.log.notice(&format!("New file '{path}' found"));
        if let Err(error) = log_change(job, &path, 'N', "New file found") {
            job.agent
                .log
                .error(&format!("Could not write to the file change log ({error})"));
        }
        // A new entry changes the promise's result without a class.
        job.update(crate::outcome::Outcome::Repaired);
    }
    for name in known.iter().filter(|n| !names.contains(n)) {
        let path = format!("{shown}/{name}");
        job.agent
            .log
            .notice(&format!("File '{path}' no longer exists"));
        if job.making_changes(format!("record the removal of '{path}'")) {
            match log_change(job, &path, 'R', "File removed") {
                Ok(()) => job.repaired(format!("Removal of '{path}' recorded")),
                Err(error) => job.fail(format!("Failed to record removal of '{path}' ({error})")),
            }
        }
        forget(job, &path);
    }
    if !job.making_changes(format!("record the directory listing of '{shown}'")) {
        return;
    }
    if !body.update {
        // cf-agent's own outcome for a listing it may not update.
        job.note(crate::outcome::Outcome::Repaired);
        job.update(crate::outcome::Outcome::failed(format!(
            "Directory listing of '{shown}' not recorded: update_hashes is false"
        )));
        return;
    }
    if names != known {
        let listing = Value::Array(names.into_iter().map(Value::String).collect());
        if listing == Value::Array(Vec::new()) {
            job.agent.state.remove(LISTINGS, &shown);
        } else {
            job.agent.state.set(LISTINGS, &shown, listing);
        }
        job.repaired(format!("Recorded directory listing for '{shown}'"));
    }
}

/// Every hash and the stat data of a path that is gone.
fn forget(job: &mut FileJob, path: &str) {
    for algorithm in [
        Algorithm::Md5,
        Algorithm::Sha1,
        Algorithm::Sha256,
        Algorithm::Sha384,
        Algorithm::Sha512,
    ] {
        job.agent
            .state
            .remove(HASHES, &format!("{}:{path}", algorithm.name()));
    }
    job.agent.state.remove(STATS, path);
}

/// The stat data compared: what cf-agent compares.
fn stat_record(meta: &Metadata) -> Value {
    json!({
        "mode": meta.mode(),
        "uid": meta.uid(),
        "gid": meta.gid(),
        "dev": meta.dev(),
        "ino": meta.ino(),
        "mtime": meta.mtime(),
    })
}

/// `report_changes` "stats" or "all": mode, owner, group, device, inode
/// and modification time.
pub(super) fn stats(job: &mut FileJob, body: &Changes, path: &Path, meta: &Metadata) {
    if !body.report.stats() {
        return;
    }
    let shown = path.display().to_string();
    let now = stat_record(meta);
    let Some(before) = job.agent.state.get(STATS, &shown).cloned() else {
        if job.making_changes(format!("record the stat data of '{shown}'")) {
            job.agent.state.set(STATS, &shown, now);
            job.repaired(format!("Wrote stat information for '{shown}' to database"));
        }
        return;
    };
    if before == now {
        job.kept(format!("No stat information change for '{shown}'"));
        return;
    }
    let field = |record: &Value, name: &str| record.get(name).and_then(Value::as_i64).unwrap_or(0);
    let changes = [
        ("mode", "Permissions", "Permission", "permissions"),
        ("uid", "Owner", "Owner", "ownership"),
        ("gid", "Group", "Group", "group"),
        ("dev", "Device", "Device", "device"),
    ];
    for (name, title, entry, what) in changes {
        let (old, new) = (field(&before, name), field(&now, name));
        if old == new {
            continue;
        }
        let shown_values = if name == "mode" {
            format!("{old:04o} -> {new:04o}")
        } else {
            format!("{old} -> {new}")
        };
        job.agent
            .log
            .notice(&format!("{title} for '{shown}' changed {shown_values}"));
        record_stat_change(job, &shown, what, &format!("{entry}: {shown_values}"));
    }
    if field(&before, "ino") != field(&now, "ino") {
        job.agent.log.notice(&format!(
            "inode for '{shown}' changed {} -> {}",
            field(&before, "ino"),
            field(&now, "ino")
        ));
    }
    let (old, new) = (field(&before, "mtime"), field(&now, "mtime"));
    if old != new {
        let change = format!("{} -> {}", local_time(old), local_time(new));
        job.agent.log.notice(&format!(
            "Last modified time for '{shown}' changed {change}"
        ));
        record_stat_change(job, &shown, "mtime", &format!("Modified time: {change}"));
    }
    if body.update && job.making_changes(format!("record the new stat data of '{shown}'")) {
        job.agent.state.set(STATS, &shown, now);
        job.repaired(format!(
            "Wrote stat information changes for '{shown}' to database"
        ));
    }
}

fn record_stat_change(job: &mut FileJob, shown: &str, what: &str, entry: &str) {
    if !job.making_changes(format!("record {what} changes in '{shown}'")) {
        return;
    }
    match log_change(job, shown, 'S', entry) {
        Ok(()) => job.repaired(format!("Recorded {what} changes in '{shown}'")),
        Err(error) => job.fail(format!(
            "Failed to record {what} changes in '{shown}' ({error})"
        )),
    }
}

/// Appends `time,handle,file,kind,message` to the change log, as cf-agent
/// does (N new, R removed, C content, S stats).
fn log_change(job: &mut FileJob, shown: &str, kind: char, message: &str) -> std::io::Result<()> {
    let dir = job.agent.state.dir().to_path_buf();
    fs::create_dir_all(&dir)?;
    let handle = job
        .agent
        .frame()
        .and_then(|f| f.this.handle.clone())
        .unwrap_or_default();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut log = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join(LOG))?;
    writeln!(log, "{now},{handle},{shown},{kind},{message}")
}

/// A time as `ctime` shows it, without the newline.
fn local_time(seconds: i64) -> String {
    let mut buffer = [0 as libc::c_char; 32];
    let time = seconds as libc::time_t;
    // SAFETY: ctime_r writes at most 26 bytes into the buffer.
    let text = unsafe { libc::ctime_r(&time, buffer.as_mut_ptr()) };
    if text.is_null() {
        return seconds.to_string();
    }
    // SAFETY: ctime_r wrote a NUL-terminated string into the buffer.
    unsafe { std::ffi::CStr::from_ptr(buffer.as_ptr()) }
        .to_string_lossy()
        .trim_end()
        .to_string()
}

/// `report_diffs`: cf-agent (community) reports nothing; promise-rs keeps
/// the text of the file and logs what changed since the last look.
fn report_diff(job: &mut FileJob, shown: &str, data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if data.len() > DIFF_LIMIT {
        return;
    }
    let before = job
        .agent
        .state
        .get(CONTENT, shown)
        .and_then(Value::as_str)
        .map(str::to_string);
    if let Some(before) = before.filter(|b| b != text) {
        let diff = line_diff(&before, text);
        job.agent
            .log
            .notice(&format!("Changes in '{shown}':\n{}", diff.join("\n")));
    }
    job.agent
        .state
        .set(CONTENT, shown, Value::String(text.to_string()));
}

/// The lines removed (`-`) and added (`+`), in order, from a longest
/// common subsequence of the two texts' lines.
fn line_diff(before: &str, after: &str) -> Vec<String> {
    let old: Vec<&str> = before.lines().collect();
    let new: Vec<&str> = after.lines().collect();
    let mut common = vec![vec![0usize; new.len() + 1]; old.len() + 1];
    for i in (0..old.len()).rev() {
        for j in (0..new.len()).rev() {
            common[i][j] = if old[i] == new[j] {
                common[i + 1][j + 1] + 1
            } else {
                common[i + 1][j].max(common[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < old.len() || j < new.len() {
        if i < old.len() && j < new.len() && old[i] == new[j] {
            i += 1;
            j += 1;
        } else if i < old.len() && (j == new.len() || common[i + 1][j] >= common[i][j + 1]) {
            out.push(format!("-{}", old[i]));
            i += 1;
        } else {
            out.push(format!("+{}", new[j]));
            j += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_lowercase_hex() {
        assert_eq!(
            Algorithm::Md5.digest(b"content\n"),
            format!("{:x}", Md5::digest(b"content\n"))
        );
        assert_eq!(Algorithm::Sha256.digest(b"").len(), 64);
        assert_eq!(Algorithm::Sha512.digest(b"").len(), 128);
    }

    #[test]
    fn best_is_md5_then_sha1() {
        assert_eq!(
            algorithms(HashChoice::Best),
            &[Algorithm::Md5, Algorithm::Sha1]
        );
    }

    #[test]
    fn line_diffs_show_removed_and_added_lines() {
        assert_eq!(
            line_diff("line 1\nline 2\n", "line 1\nline two\n"),
            ["-line 2", "+line two"]
        );
        assert_eq!(line_diff("a\nb\n", "a\nb\n"), Vec::<String>::new());
        assert_eq!(line_diff("", "x\n"), ["+x"]);
    }

    #[test]
    fn times_read_like_ctime() {
        let shown = local_time(0);
        assert!(
            shown.ends_with("1970") || shown.ends_with("1969"),
            "{shown}"
        );
    }
}
