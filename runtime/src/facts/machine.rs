//! Machine resources and the running user: `sys.cpus` with its `<n>_cpus`
//! class, `sys.uptime` and `sys.user_data`.

use serde_json::json;

use super::probe::UserRecord;
use super::root::HostRoot;
use super::HostFacts;
use crate::value::Value;

/// Online processors, counted the way glibc's `sysconf(_SC_NPROCESSORS_ONLN)`
/// does: the kernel's online CPU list, else the `cpuN` lines of /proc/stat.
fn online_cpus(root: &HostRoot) -> Option<u32> {
    if let Some(list) = root.read("/sys/devices/system/cpu/online") {
        let count = cpu_list_length(list.trim());
        if count.is_some_and(|n| n > 0) {
            return count;
        }
    }
    let stat = root.read("/proc/stat")?;
    let count = stat
        .lines()
        .filter(|line| {
            line.strip_prefix("cpu")
                .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
        })
        .count();
    u32::try_from(count).ok().filter(|&n| n > 0)
}

/// The number of CPUs in a kernel CPU list such as `0-3,8,10-11`.
fn cpu_list_length(list: &str) -> Option<u32> {
    list.split(',').try_fold(0u32, |total, range| {
        let (first, last) = match range.split_once('-') {
            Some((first, last)) => (first.parse::<u32>().ok()?, last.parse::<u32>().ok()?),
            None => {
                let single = range.parse::<u32>().ok()?;
                (single, single)
            }
        };
        Some(total + last.checked_sub(first)? + 1)
    })
}

pub(super) fn cpus(facts: &mut HostFacts, root: &HostRoot) {
    let Some(count) = online_cpus(root) else {
        return;
    };
    let class = if count == 1 {
        "1_cpu".to_string()
    } else {
        format!("{count}_cpus")
    };
    facts.define(&class);
    facts.set_sys("cpus", Value::scalar(count.to_string()));
}

/// Whole minutes since boot, from `/proc/uptime` (the same clock as the
/// `sysinfo(2)` call cf-agent uses, which rounds seconds up).
pub(super) fn uptime(facts: &mut HostFacts, root: &HostRoot) {
    let seconds = root
        .read("/proc/uptime")
        .and_then(|text| text.split_ascii_whitespace().next()?.parse::<f64>().ok())
        .filter(|seconds| seconds.is_finite() && *seconds > 0.0);
    if let Some(seconds) = seconds {
        let minutes = seconds.ceil() as u64 / 60;
        facts.set_sys("uptime", Value::scalar(minutes.to_string()));
    }
}

pub(super) fn user_data(facts: &mut HostFacts, user: &UserRecord) {
    facts.set_sys(
        "user_data",
        Value::Data(json!({
            "username": user.name,
            "description": user.gecos,
            "home_dir": user.home_dir,
            "shell": user.shell,
            "uid": user.uid,
            "gid": user.gid,
        })),
    );
}

#[cfg(test)]
mod tests {
    use super::super::test_support::FakeRoot;
    use super::*;

    #[test]
    fn cpu_lists() {
        assert_eq!(cpu_list_length("0-1"), Some(2));
        assert_eq!(cpu_list_length("0"), Some(1));
        assert_eq!(cpu_list_length("0-3,8,10-11"), Some(7));
        assert_eq!(cpu_list_length(""), None);
        assert_eq!(cpu_list_length("3-1"), None);
    }

    #[test]
    fn cpu_count_from_online_list_or_proc_stat() {
        let root = FakeRoot::new("cpus");
        root.file("sys/devices/system/cpu/online", "0-1\n");
        let mut facts = HostFacts::default();
        cpus(&mut facts, &root.host_root());
        assert!(facts.is_defined("2_cpus"));
        assert_eq!(facts.sys_scalar("cpus"), Some("2"));

        let root = FakeRoot::new("one-cpu");
        root.file("proc/stat", "cpu  1 2 3\ncpu0 1 2 3\nintr 5\n");
        let mut facts = HostFacts::default();
        cpus(&mut facts, &root.host_root());
        assert!(facts.is_defined("1_cpu"));
        assert_eq!(facts.sys_scalar("cpus"), Some("1"));

        let mut facts = HostFacts::default();
        cpus(&mut facts, &FakeRoot::new("no-cpus").host_root());
        assert!(facts.classes.is_empty() && facts.sys.is_empty());
    }

    #[test]
    fn uptime_in_whole_minutes() {
        let root = FakeRoot::new("uptime");
        root.file("proc/uptime", "2999.01 5000.00\n");
        let mut facts = HostFacts::default();
        uptime(&mut facts, &root.host_root());
        assert_eq!(facts.sys_scalar("uptime"), Some("50"));
    }

    #[test]
    fn user_record_as_data() {
        let mut facts = HostFacts::default();
        user_data(
            &mut facts,
            &UserRecord {
                name: "root".into(),
                gecos: "root".into(),
                home_dir: "/root".into(),
                shell: "/bin/bash".into(),
                uid: 0,
                gid: 0,
            },
        );
        assert_eq!(
            facts.sys["user_data"],
            Value::Data(json!({"description": "root", "gid": 0, "home_dir": "/root",
                "shell": "/bin/bash", "uid": 0, "username": "root"}))
        );
    }
}
