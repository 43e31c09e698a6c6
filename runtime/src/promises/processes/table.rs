//! The process table, read from `/proc`, with the columns cf-agent 3.21
//! gets on Linux from `ps -eo user:30,pid,ppid,pgid,pcpu,pmem,vsz,ni,
//! rss:9,tname,nlwp,stime,etime,time,args`: owner name, ids, sizes in KiB,
//! nice value, terminal, threads, start time, CPU time and the command line
//! (`[comm]` for processes without one, as `ps` shows kernel threads).
//! Linux's `ps` has no state column there, so `status` never matches.

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use super::super::accounts;

/// One process, as its `ps` line shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessEntry {
    pub pid: i64,
    pub ppid: i64,
    pub pgid: i64,
    /// The owner's name (effective uid), or the uid when it has none.
    pub user: String,
    /// Virtual and resident size, KiB.
    pub vsize: i64,
    pub rsize: i64,
    pub nice: i64,
    /// `pts/0`, `tty1`, `?`.
    pub tty: String,
    pub threads: i64,
    /// Start time, seconds since the epoch.
    pub start: i64,
    /// CPU time used (user + system), seconds.
    pub cpu_time: i64,
    /// The command line, arguments separated by blanks.
    pub command: String,
}

impl ProcessEntry {
    /// A line like the `ps` line cf-agent logs for a match.
    pub fn line(&self) -> String {
        format!(
            "{:<12} {:>7} {:>7} {:>7} {:>8} {:>4} {:>9} {:<8} {:>4} {:>10} {:>9} {}",
            self.user,
            self.pid,
            self.ppid,
            self.pgid,
            self.vsize,
            self.nice,
            self.rsize,
            self.tty,
            self.threads,
            self.start,
            cpu_time_text(self.cpu_time),
            self.command
        )
    }
}

/// `[DD-]HH:MM:SS`, as `ps` prints the TIME column.
fn cpu_time_text(seconds: i64) -> String {
    let (days, rest) = (seconds / 86400, seconds % 86400);
    let clock = format!(
        "{:02}:{:02}:{:02}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    );
    if days > 0 {
        format!("{days}-{clock}")
    } else {
        clock
    }
}

/// Every process readable under `proc_root` (normally `/proc`); processes
/// that end while being read are left out.
pub fn read(proc_root: &Path) -> Vec<ProcessEntry> {
    let system = SystemClock::read(proc_root);
    let mut users = UserNames::default();
    let Ok(dir) = fs::read_dir(proc_root) else {
        return Vec::new();
    };
    let mut entries: Vec<ProcessEntry> = dir
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<i64>().ok())
        .filter_map(|pid| read_process(&proc_root.join(pid.to_string()), pid, &system, &mut users))
        .collect();
    entries.sort_by_key(|e| e.pid);
    entries
}

/// What turns `/proc/PID/stat` times into seconds.
#[derive(Debug, Clone, Copy)]
struct SystemClock {
    ticks_per_second: i64,
    boot_time: i64,
    page_kib: i64,
}

impl SystemClock {
    fn read(proc_root: &Path) -> SystemClock {
        // SAFETY: sysconf only reads a system constant.
        let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
        // SAFETY: as above.
        let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
        let boot_time = fs::read_to_string(proc_root.join("stat"))
            .ok()
            .and_then(|text| {
                text.lines()
                    .find_map(|l| l.strip_prefix("btime ")?.trim().parse().ok())
            })
            .unwrap_or(0);
        SystemClock {
            ticks_per_second: if ticks > 0 { ticks } else { 100 },
            boot_time,
            page_kib: if page > 0 { page / 1024 } else { 4 },
        }
    }
}

/// uid → name, looked up once per uid.
#[derive(Default)]
struct UserNames(HashMap<u32, String>);

impl UserNames {
    fn name(&mut self, uid: u32) -> String {
        self.0
            .entry(uid)
            .or_insert_with(|| match accounts::user_by_uid(uid) {
                // ps prints the uid when the name is wider than its column.
                Some(user) if user.name.len() <= 30 => user.name,
                _ => uid.to_string(),
            })
            .clone()
    }
}

fn read_process(
    dir: &Path,
    pid: i64,
    clock: &SystemClock,
    users: &mut UserNames,
) -> Option<ProcessEntry> {
    let stat = fs::read_to_string(dir.join("stat")).ok()?;
    let parsed = parse_stat(&stat)?;
    let status = fs::read_to_string(dir.join("status")).unwrap_or_default();
    let uid = effective_uid(&status).unwrap_or(0);
    let cmdline = fs::read(dir.join("cmdline")).unwrap_or_default();
    let command = command_line(&cmdline).unwrap_or_else(|| format!("[{}]", parsed.comm));
    let ticks = clock.ticks_per_second;
    Some(ProcessEntry {
        pid,
        ppid: parsed.ppid,
        pgid: parsed.pgid,
        user: users.name(uid),
        vsize: parsed.vsize_bytes / 1024,
        rsize: parsed.rss_pages * clock.page_kib,
        nice: parsed.nice,
        tty: tty_name(parsed.tty_nr),
        threads: parsed.threads,
        start: clock.boot_time + parsed.start_ticks / ticks,
        cpu_time: (parsed.utime + parsed.stime) / ticks,
        command,
    })
}

/// The fields of `/proc/PID/stat` the table uses.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stat {
    comm: String,
    ppid: i64,
    pgid: i64,
    tty_nr: i64,
    utime: i64,
    stime: i64,
    nice: i64,
    threads: i64,
    start_ticks: i64,
    vsize_bytes: i64,
    rss_pages: i64,
}

/// `pid (comm) state ppid pgrp session tty_nr …`; comm may hold blanks and
/// parentheses, so the fields are counted from the last `)`.
fn parse_stat(text: &str) -> Option<Stat> {
    let open = text.find('(')?;
    let close = text.rfind(')')?;
    let comm = text.get(open + 1..close)?.to_string();
    let fields: Vec<&str> = text.get(close + 1..)?.split_whitespace().collect();
    let field = |at: usize| fields.get(at).and_then(|f| f.parse::<i64>().ok());
    Some(Stat {
        comm,
        ppid: field(1)?,
        pgid: field(2)?,
        tty_nr: field(4)?,
        utime: field(11)?,
        stime: field(12)?,
        nice: field(16)?,
        threads: field(17)?,
        start_ticks: field(19)?,
        vsize_bytes: field(20)?,
        rss_pages: field(21)?,
    })
}

/// The effective uid from `/proc/PID/status` (`Uid: real effective …`).
fn effective_uid(status: &str) -> Option<u32> {
    status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// Arguments joined by blanks, unprintable bytes as `?` (as `ps` shows
/// them); `None` for an empty command line.
fn command_line(raw: &[u8]) -> Option<String> {
    let trimmed = raw.strip_suffix(b"\0").unwrap_or(raw);
    if trimmed.is_empty() {
        return None;
    }
    let text = String::from_utf8_lossy(trimmed);
    Some(
        text.chars()
            .map(|c| match c {
                '\0' => ' ',
                c if c.is_control() => '?',
                c => c,
            })
            .collect(),
    )
}

/// The terminal name `ps` shows for a `tty_nr` device number.
fn tty_name(tty_nr: i64) -> String {
    if tty_nr == 0 {
        return "?".into();
    }
    let major = (tty_nr >> 8) & 0xfff;
    let minor = (tty_nr & 0xff) | ((tty_nr >> 12) & 0xfff00);
    match major {
        136..=143 => format!("pts/{}", (major - 136) * 256 + minor),
        4 if minor < 64 => format!("tty{minor}"),
        4 => format!("ttyS{}", minor - 64),
        5 if minor == 1 => "console".into(),
        _ => "?".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STAT: &str = "4242 (sleep (x) 1) S 1 4242 4242 34816 4242 4194304 100 0 0 0 \
                        250 150 0 0 20 5 3 0 123456 8388608 256 18446744073709551615";

    #[test]
    fn stat_fields_are_counted_after_the_last_parenthesis() {
        let stat = parse_stat(STAT).unwrap();
        assert_eq!(stat.comm, "sleep (x) 1");
        assert_eq!((stat.ppid, stat.pgid, stat.tty_nr), (1, 4242, 34816));
        assert_eq!(
            (stat.utime, stat.stime, stat.nice, stat.threads),
            (250, 150, 5, 3)
        );
        assert_eq!(
            (stat.start_ticks, stat.vsize_bytes, stat.rss_pages),
            (123456, 8388608, 256)
        );
        assert_eq!(parse_stat("12 (cut"), None);
    }

    #[test]
    fn command_lines_as_ps_prints_them() {
        assert_eq!(
            command_line(b"/bin/sleep\x001000\0").as_deref(),
            Some("/bin/sleep 1000")
        );
        assert_eq!(command_line(b"a\x01b").as_deref(), Some("a?b"));
        assert_eq!(command_line(b""), None);
    }

    #[test]
    fn terminal_names() {
        assert_eq!(tty_name(0), "?");
        assert_eq!(tty_name(34816), "pts/0");
        assert_eq!(tty_name((4 << 8) | 1), "tty1");
        assert_eq!(tty_name((4 << 8) | 65), "ttyS1");
    }

    #[test]
    fn effective_uid_is_the_second_column() {
        assert_eq!(effective_uid("Name:\tx\nUid:\t1000\t0\t0\t0\n"), Some(0));
        assert_eq!(effective_uid("Name:\tx\n"), None);
    }

    #[test]
    fn cpu_time_like_ps() {
        assert_eq!(cpu_time_text(59), "00:00:59");
        assert_eq!(cpu_time_text(86400 + 3661), "1-01:01:01");
    }

    #[test]
    fn the_live_table_holds_this_process() {
        let me = i64::from(std::process::id());
        let table = read(Path::new("/proc"));
        let entry = table
            .iter()
            .find(|e| e.pid == me)
            .expect("own process listed");
        assert!(entry.threads >= 1);
        assert!(!entry.command.is_empty());
        assert!(entry.start > 0);
    }
}
