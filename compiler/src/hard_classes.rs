//! Whether a class name can be one that cf-agent defines by itself (a hard
//! class) on some host. Host names, addresses and versions make the set
//! open-ended, so this is a set of patterns, not a list.

use std::sync::OnceLock;

use regex::RegexSet;

/// Names defined on every host, or by an agent option or edition.
const FIXED: &[&str] = &[
    "any",
    "true",
    "false",
    "agent",
    "am_hub_master",
    "common",
    "cfengine",
    "community_edition",
    "enterprise",
    "enterprise_edition",
    "nova_edition",
    "am_policy_hub",
    "policy_server",
    "bootstrap_mode",
    "verbose_mode",
    "inform_mode",
    "debug_mode",
    "opt_dry_run",
    "failsafe_fallback",
    "unix",
    "systemd",
    "has_proc_1_cmdline",
    "64_bit",
    "32_bit",
    "xen",
    "xen_dom0",
    "xen_domu_hv",
    "xen_domu_pv",
    "virt_guest_vz",
    "virt_host_vz",
    "virt_host_vz_vzps",
    "virt_host_vz_vzctl",
    "vmware",
    "virtualbox",
    "docker",
    "lxc",
    "openvz",
    "zone",
    "Q1",
    "Q2",
    "Q3",
    "Q4",
    "feature",
    "cfengine_in_container",
    "monitor",
    "server",
    "executor",
    "runagent",
    "keygenerator",
    "hub",
    "promises_validated",
];

/// Families of names: operating systems and their versions, architectures,
/// time, addresses and interfaces, CFEngine versions and features.
const PATTERNS: &[&str] = &[
    r"^(linux|debian|ubuntu|redhat|rhel|centos|fedora|suse|sles|opensuse|SuSE|SUSE|gentoo|slackware|archlinux|arch|alpinelinux|alpine|mandrake|mandriva|mageia|amazon_linux|oracle|oraclelinux|scientific|coreos|termux|android|aix|hpux|solaris|sunos|freebsd|netbsd|openbsd|dragonfly|darwin|macos|macosx|windows|cygwin|mingw|qnx|manjaro|mint|raspbian|devuan|kali|almalinux|rocky|rockylinux|springdale|clearos|pardus|vxworks|sles_sap)(_\w+)?$",
    r"^(x86_64|i[3-6]86|ia64|aarch64|arm\w*|ppc\w*|powerpc\w*|s390\w*|sparc\w*|sun4\w*|mips\w*|riscv\w*|amd64)$",
    r"^compiled_on_\w+$",
    r"^(GMT_)?(Hr\d{1,2}(_Q[1-4])?|Min\d{1,2}(_\d{1,2})?|Day\d{1,2}|Yr\d{4}|Lcycle_\d|Q[1-4])$",
    r"^ipv4_\w+$",
    r"^ipv6_\w+$",
    r"^\d+(_\d+){0,3}$",
    r"^[0-9a-f]{1,4}(__?[0-9a-f]{1,4})+$",
    r"^\d+_cpus?$",
    r"^net_iface_\w+$",
    r"^mac_[0-9a-f]{2}(_[0-9a-f]{2}){5}$",
    r"^cfengine_\d+(_\d+){0,2}$",
    r"^cfengine_3$",
    r"^feature_\w+$",
    r"^PK_(MD5|SHA)_\w+$",
    r"^zone_\w+$",
    r"^(xen|virt|vmware|virtualbox|docker|lxc|openvz|kvm|qemu|hyperv|bhyve)_\w+$",
    r"^(redhat|centos|rhel|fedora|debian|ubuntu|suse|sles)_pure_\w+$",
    r"^(have_)?aptitude$",
    r"^(agent|common|monitor|server|executor)$",
];

pub const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Indexed as `struct tm` counts weekdays: 0 is Sunday.
pub const WEEKDAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// Six-hour shifts, starting at midnight.
pub const SHIFTS: [&str; 4] = ["Night", "Morning", "Afternoon", "Evening"];

fn set() -> &'static RegexSet {
    static SET: OnceLock<RegexSet> = OnceLock::new();
    SET.get_or_init(|| RegexSet::new(PATTERNS).unwrap_or_else(|_| RegexSet::empty()))
}

/// Whether cf-agent may define `name` by itself on some host.
///
/// Host-name classes (a host's short name, its FQDN and domain, canonified)
/// cannot be told apart from user classes and count as not hard.
pub fn is_possible(name: &str) -> bool {
    let name = name.rsplit(':').next().unwrap_or(name);
    let local = name.strip_prefix("GMT_").unwrap_or(name);
    FIXED.contains(&name) || is_calendar_word(local) || set().is_match(name)
}

/// A month, weekday or shift name (`May`, `Sunday`, `Night`): the time
/// classes that are words rather than numbered (`Hr14`, `Yr2026`).
pub fn is_calendar_word(name: &str) -> bool {
    MONTHS.contains(&name) || WEEKDAYS.contains(&name) || SHIFTS.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pattern_compiles() {
        assert_eq!(set().len(), PATTERNS.len());
    }

    #[test]
    fn classes_of_this_kind_of_host() {
        for class in [
            "linux",
            "debian_12",
            "debian_12_11",
            "x86_64",
            "64_bit",
            "Hr18_Q3",
            "GMT_Min35_40",
            "Lcycle_1",
            "Wednesday",
            "Yr2026",
            "ipv4_192_0_2",
            "192_0_2_2",
            "fe80__fc_ff_fe00_1",
            "net_iface_eth0",
            "mac_02_fc_00_00_00_01",
            "cfengine_3_21_0",
            "feature_tls_1_3",
            "2_cpus",
            "compiled_on_linux_gnu",
            "default:linux",
        ] {
            assert!(is_possible(class), "{class}");
        }
    }

    #[test]
    fn user_classes_are_not_hard() {
        for class in [
            "webserver",
            "have_motd",
            "db_ready",
            "config_changed",
            "Hr25x",
        ] {
            assert!(!is_possible(class), "{class}");
        }
    }
}
