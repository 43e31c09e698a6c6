//! Host facts: the hard classes and special variables cf-agent 3.21 defines
//! before it reads any policy.
//!
//! [`HostFacts::discover`] yields
//! - hard classes: `any`, `agent`, `community_edition`, version classes
//!   (`cfengine_3_21_0` ... `cfengine`), `feature_*`, kernel classes
//!   (`linux`, `x86_64`, `64_bit`, `linux_x86_64`, `linux_<release>` ...,
//!   `compiled_on_linux_gnu`), distribution classes (`debian`, `debian_12`,
//!   `ubuntu_22`, `centos_7`, `systemd` ...), host-name classes (the fully
//!   qualified name and each domain suffix, the short name, the domain),
//!   per-address classes (`192_0_2_2`, `ipv4_192_0_2_2`, `ipv4_192_0_2`, ...,
//!   IPv6 `fd00__2` and `ipv6_fd00__2`, `ipv4_gw_*`), `net_iface_*`,
//!   `mac_*`, `<n>_cpus`, time classes (`Hr14`, `Hr14_Q3`, `Min37`,
//!   `Min35_40`, `Q3`, `Afternoon`, `Wednesday`, `Day25`, `November`,
//!   `Yr2026`, `Lcycle_1` and their `GMT_` twins) and, on a policy server,
//!   `am_policy_hub` and `policy_server`;
//! - `sys.*` variables, keyed without the `sys.` prefix; array entries
//!   keep cf-agent's `name[index]` spelling, e.g. `ipv4[eth0]`;
//! - `const.*` ([`HostFacts::constants`]) and `def.*`
//!   ([`HostFacts::defaults`], only `def.jq` without policy).
//!
//! Not produced here, because they depend on the run rather than the host:
//! the mode classes (`verbose_mode`, `inform_mode`, `debug_mode`,
//! `bootstrap_mode` ...), persistent classes from the state database,
//! `mon.*` (cf-monitord), `sys.key_digest` and its `PK_*` class (needs the
//! host key), and `this.*`.
//!
//! `this.*` is per promise and belongs to the evaluator. cf-agent 3.21
//! knows `this.promiser`, `this.handle`, `this.bundle`, `this.namespace`,
//! `this.promise_filename`, `this.promise_dirname`,
//! `this.promise_linenumber`, `this.promiser_uid`, `this.promiser_gid`,
//! `this.promiser_pid`, `this.promiser_ppid` (the agent's own ids),
//! `this.service_policy` (services promises), `this.with` (the `with`
//! attribute), `this.k`/`this.v` (inside `maparray`/`mapdata`), `this.this`
//! (inside `maplist`) and `this.callers_promisers` (via `callstack_*`).
//!
//! Discovery never fails: whatever cannot be read or asked yields fewer
//! facts.

mod agent;
mod canonify;
mod distro;
mod env_file;
mod hostname;
mod hub;
mod live;
mod machine;
mod network;
mod os;
mod paths;
mod probe;
mod procnet;
mod root;
mod scan;
mod time;

#[cfg(test)]
mod test_support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::value::Value;

pub use agent::CFENGINE_VERSION;
pub use canonify::canonify;
pub use live::LiveSystem;
pub use probe::{HostEntry, InterfaceAddress, InterfaceEntry, KernelName, SystemProbe, UserRecord};
pub use time::{time_classes, CivilTime};

/// Where and when to discover.
#[derive(Debug, Clone)]
pub struct FactsConfig {
    /// The agent's work directory (`sys.workdir`); inputs, state, bin ...
    /// are found beneath it.
    pub workdir: PathBuf,
    /// The policy given with `-f`, for `sys.policy_entry_*`; `None` means
    /// `<inputdir>/promises.cf`.
    pub policy_file: Option<PathBuf>,
    /// The time the time classes and `sys.date` describe.
    pub now: SystemTime,
    /// The filesystem root host files are read from: `/` normally, a fake
    /// tree holding `etc/os-release`, `proc/net/...` in tests.
    pub root: PathBuf,
}

impl FactsConfig {
    /// The real host, now, with the default policy file.
    pub fn new(workdir: impl Into<PathBuf>) -> Self {
        FactsConfig {
            workdir: workdir.into(),
            policy_file: None,
            now: SystemTime::now(),
            root: PathBuf::from("/"),
        }
    }
}

/// The classes and variables describing the host.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HostFacts {
    /// Hard classes, canonified.
    pub classes: BTreeSet<String>,
    /// `sys.*`, keyed without the scope.
    pub sys: BTreeMap<String, Value>,
    /// `const.*`
    pub constants: BTreeMap<String, Value>,
    /// `def.*` defined without policy.
    pub defaults: BTreeMap<String, Value>,
}

/// cf-agent skips class names this long or longer.
const MAX_CLASS_NAME: usize = 1024;

impl HostFacts {
    /// The facts of the host this process runs on.
    pub fn discover(config: &FactsConfig) -> HostFacts {
        Self::discover_with(config, &LiveSystem)
    }

    /// The facts of the host `probe` describes, with files read under
    /// `config.root`. Steps follow cf-agent's order, because later steps
    /// read classes and variables of earlier ones.
    pub fn discover_with(config: &FactsConfig, probe: &dyn SystemProbe) -> HostFacts {
        let mut facts = HostFacts::default();
        let root = root::HostRoot::new(&config.root);
        let dirs = paths::AgentDirs::new(&config.workdir);
        let now = unix_seconds(config.now).unwrap_or_default();

        let kernel = probe.kernel_name().map(|kernel| os::normalise(&kernel));
        if let Some(kernel) = &kernel {
            hostname::discover(&mut facts, probe, &kernel.nodename);
        }
        time::discover(&mut facts, now, probe.local_time(now));
        machine::uptime(&mut facts, &root);
        paths::discover(&mut facts, &dirs);
        agent::version_variables(&mut facts);
        if let Some(kernel) = &kernel {
            os::discover(&mut facts, kernel);
        }

        let ignored = network::IgnoredInterfaces::load(Path::new(&dirs.inputdir));
        network::discover(&mut facts, &probe.interfaces(), &root, &ignored);
        procnet::discover(&mut facts, &root);

        agent::builtin_classes(&mut facts);
        distro::discover(&mut facts, &root);
        machine::cpus(&mut facts, &root);
        let user = probe.current_user();
        distro::derived_variables(&mut facts, user.as_ref().map(|user| user.name.as_str()));
        if let Some(user) = &user {
            machine::user_data(&mut facts, user);
        }

        agent::agent_classes(&mut facts);
        paths::policy_entry(&mut facts, &dirs, config.policy_file.as_deref());
        facts.constants = agent::constants();
        facts.defaults = agent::defaults();
        hub::discover(&mut facts, &dirs, probe);
        facts
    }

    pub fn is_defined(&self, class: &str) -> bool {
        self.classes.contains(class)
    }

    /// A scalar `sys.*` variable, by its name without the scope.
    pub fn sys_scalar(&self, name: &str) -> Option<&str> {
        self.sys.get(name).and_then(Value::as_scalar)
    }

    /// Defines a hard class the way cf-agent does: trailing whitespace
    /// dropped, then canonified; empty and overlong names are ignored.
    fn define(&mut self, name: &str) {
        if name.len() >= MAX_CLASS_NAME {
            return;
        }
        let class = canonify(name.trim_end_matches(|c: char| c.is_ascii_whitespace()));
        if !class.is_empty() {
            self.classes.insert(class);
        }
    }

    fn set_sys(&mut self, name: &str, value: Value) {
        self.sys.insert(name.to_string(), value);
    }
}

/// Seconds since the Unix epoch, negative before it; `None` only when out
/// of range.
fn unix_seconds(time: SystemTime) -> Option<i64> {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).ok(),
        Err(before) => i64::try_from(before.duration().as_secs()).ok().map(|s| -s),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::test_support::{FakeRoot, FakeSystem};
    use super::*;

    /// Wednesday 2026-11-25 14:37:09 UTC.
    fn wednesday_afternoon() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_795_617_429)
    }

    /// A fake Debian 12 host mirroring the VM cf-agent was compared on.
    fn debian_vm_root() -> FakeRoot {
        let root = FakeRoot::new("debian-vm");
        root.file(
            "etc/os-release",
            "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\n\
             VERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\n",
        );
        root.file("etc/debian_version", "12.11\n");
        root.file("etc/issue", "Debian GNU/Linux 12 \\n \\l\n\n");
        root.file("sbin/ifconfig", "");
        root.file("sys/devices/system/cpu/online", "0-1\n");
        root.file("proc/uptime", "2950.40 5800.10\n");
        root.file(
            "proc/net/if_inet6",
            "fe8000000000000000fc00fffe000001 04 40 20 80     eth0\n\
             fd000000000000000000000000000002 04 40 00 82     eth0\n\
             00000000000000000000000000000001 01 80 10 80       lo\n",
        );
        root.file(
            "proc/net/route",
            "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n\
             eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n",
        );
        root
    }

    fn config(root: &FakeRoot, workdir: &FakeRoot) -> FactsConfig {
        FactsConfig {
            workdir: workdir.path().to_path_buf(),
            policy_file: Some(PathBuf::from("/tmp/facts/trivial.cf")),
            now: wednesday_afternoon(),
            root: root.path().to_path_buf(),
        }
    }

    #[test]
    fn fake_debian_vm_has_cf_agents_hard_classes() {
        let root = debian_vm_root();
        let workdir = FakeRoot::new("workdir");
        let facts = HostFacts::discover_with(&config(&root, &workdir), &FakeSystem::vm());

        // cf-agent 3.21's hard classes on the VM at this time (with -K, so
        // without mode classes).
        let expected = [
            "127_0_0_1",
            "192_0_2_2",
            "2_cpus",
            "64_bit",
            "Afternoon",
            "Day25",
            "GMT_Afternoon",
            "GMT_Day25",
            "GMT_Hr14",
            "GMT_Hr14_Q3",
            "GMT_Lcycle_1",
            "GMT_Min35_40",
            "GMT_Min37",
            "GMT_November",
            "GMT_Q3",
            "GMT_Wednesday",
            "GMT_Yr2026",
            "Hr14",
            "Hr14_Q3",
            "Lcycle_1",
            "Min35_40",
            "Min37",
            "November",
            "Q3",
            "Wednesday",
            "Yr2026",
            "agent",
            "any",
            "cfengine",
            "cfengine_3",
            "cfengine_3_21",
            "cfengine_3_21_0",
            "community_edition",
            "compiled_on_linux_gnu",
            "debian",
            "debian_12",
            "debian_12_11",
            "fd00__2",
            "fe80__fc_ff_fe00_1",
            "feature",
            "feature_copyfrom",
            "feature_copyfrom_restrict",
            "feature_copyfrom_restrict_keys",
            "feature_def",
            "feature_def_json",
            "feature_def_json_preparse",
            "feature_host",
            "feature_host_specific",
            "feature_host_specific_data",
            "feature_host_specific_data_load",
            "feature_tls",
            "feature_tls_1",
            "feature_tls_1_0",
            "feature_tls_1_1",
            "feature_tls_1_2",
            "feature_tls_1_3",
            "feature_xml",
            "feature_yaml",
            "ipv4_127",
            "ipv4_127_0",
            "ipv4_127_0_0",
            "ipv4_127_0_0_1",
            "ipv4_192",
            "ipv4_192_0",
            "ipv4_192_0_2",
            "ipv4_192_0_2_2",
            "ipv4_gw_192_0_2_1",
            "ipv6_fd00__2",
            "ipv6_fe80__fc_ff_fe00_1",
            "linux",
            "linux_6_18_44_fc_v657",
            "linux_x86_64",
            "linux_x86_64_6_18_44_fc_v657",
            "linux_x86_64_6_18_44_fc_v657__1_SMP_PREEMPT_DYNAMIC__0",
            "mac_02_fc_00_00_00_01",
            "net_iface_eth0",
            "net_iface_lo",
            "vm",
            "x86_64",
        ];
        let expected: BTreeSet<String> = expected.iter().map(|c| c.to_string()).collect();
        assert_eq!(facts.classes, expected);
    }

    #[test]
    fn fake_debian_vm_variables() {
        let root = debian_vm_root();
        let workdir = FakeRoot::new("workdir");
        let facts = HostFacts::discover_with(&config(&root, &workdir), &FakeSystem::vm());
        let w = workdir.path().display().to_string();
        for (name, value) in [
            ("fqhost", "vm".to_string()),
            ("uqhost", "vm".to_string()),
            ("host", "vm".to_string()),
            ("domain", String::new()),
            ("ipv4", "192.0.2.2".to_string()),
            ("date", "Wed Nov 25 14:37:09 2026".to_string()),
            ("cdate", "Wed_Nov_25_14_37_09_2026".to_string()),
            ("flavor", "debian_12".to_string()),
            ("os_name_human", "Debian".to_string()),
            ("os_version_major", "12".to_string()),
            ("cpus", "2".to_string()),
            ("uptime", "49".to_string()),
            ("workdir", w.clone()),
            ("statedir", format!("{w}/state")),
            ("policy_entry_basename", "trivial.cf".to_string()),
            ("crontab", "/var/spool/cron/crontabs/root".to_string()),
        ] {
            assert_eq!(facts.sys_scalar(name), Some(value.as_str()), "sys.{name}");
        }
        assert_eq!(facts.sys["interfaces"], Value::list(["eth0"]));
        assert!(!facts.sys.contains_key("policy_hub"));
        assert_eq!(facts.constants["at"], Value::scalar("@"));
        assert!(facts.defaults.contains_key("jq"));
    }

    #[test]
    fn a_host_that_answers_nothing_still_has_the_agents_own_facts() {
        let root = FakeRoot::new("bare");
        let workdir = FakeRoot::new("bare-workdir");
        let silent = FakeSystem {
            kernel: None,
            host_name: None,
            hosts: BTreeMap::new(),
            addresses: BTreeMap::new(),
            interfaces: Vec::new(),
            user: None,
            utc_offset: None,
        };
        let facts = HostFacts::discover_with(&config(&root, &workdir), &silent);
        assert!(facts.is_defined("any"));
        assert!(facts.is_defined("agent"));
        assert!(facts.is_defined("cfengine_3_21_0"));
        assert!(!facts.classes.iter().any(|class| class.starts_with("Hr")));
        assert!(facts.sys.contains_key("workdir"));
        assert!(!facts.sys.contains_key("fqhost"));
        assert!(!facts.sys.contains_key("crontab"));
    }

    #[test]
    fn garbage_in_host_files_gives_no_panic() {
        let root = FakeRoot::new("garbage");
        let garbage = "é:\u{0}ü\t:\t\u{7f}[]release 9.x.\u{ffff}  ::: \\\n@\n\"'";
        for file in [
            "etc/os-release",
            "etc/debian_version",
            "etc/issue",
            "etc/redhat-release",
            "etc/fedora-release",
            "etc/oracle-release",
            "etc/SuSE-release",
            "etc/system-release",
            "etc/slackware-version",
            "etc/lsb-release",
            "etc/alpine-release",
            "etc/Eos-release",
            "etc/vmware-release",
            "proc/vmware/version",
            "proc/1/cmdline",
            "proc/uptime",
            "proc/stat",
            "proc/net/netstat",
            "proc/net/route",
            "proc/net/snmp6",
            "proc/net/ipv6_route",
            "proc/net/if_inet6",
            "proc/net/dev",
            "sys/devices/system/cpu/online",
            "sbin/ifconfig",
        ] {
            root.file(file, garbage);
        }
        let workdir = FakeRoot::new("garbage-workdir");
        for file in [
            "policy_server.dat",
            "bootstrap_id.dat",
            "inputs/ignore_interfaces.rx",
        ] {
            workdir.file(file, garbage);
        }
        let facts = HostFacts::discover_with(&config(&root, &workdir), &FakeSystem::vm());
        assert!(facts.is_defined("any"));
        assert!(facts.classes.iter().all(|class| class
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')));
    }

    #[test]
    fn class_names_are_canonified_and_trailing_blanks_dropped() {
        let mut facts = HostFacts::default();
        facts.define("VMware ESX Server 3 ");
        facts.define("");
        facts.define(&"x".repeat(MAX_CLASS_NAME));
        assert_eq!(
            facts.classes,
            BTreeSet::from(["VMware_ESX_Server_3".to_string()])
        );
    }

    #[test]
    fn times_before_the_epoch_are_negative() {
        assert_eq!(
            unix_seconds(UNIX_EPOCH - Duration::from_secs(90)),
            Some(-90)
        );
        assert_eq!(unix_seconds(wednesday_afternoon()), Some(1_795_617_429));
    }
}
