//! The Linux distribution: `sys.flavor`/`sys.flavour`, `sys.os_release`,
//! distribution classes (`debian`, `debian_12`, `centos_7`, `ubuntu_22` ...)
//! and what cf-agent derives from them (`sys.doc_root`, `sys.crontab`,
//! `sys.os_name_human`, `sys.os_version_major`).
//!
//! The release files are consulted in cf-agent's order, and a later
//! `flavor` replaces an earlier one, as in cf-agent.

mod appliances;
mod debian;
mod other_linux;
mod platform;
mod redhat;
mod suse;

use serde_json::{Map, Value as Json};

use super::canonify::{canonify, underscore_prefixes};
use super::env_file;
use super::root::HostRoot;
use super::HostFacts;
use crate::value::Value;

pub(super) fn discover(facts: &mut HostFacts, root: &HostRoot) {
    platform::systemd(facts, root);

    if root.is_readable_file("/etc/os-release") {
        os_release(facts, root, "/etc/os-release");
    } else if root.is_readable_file("/usr/lib/os-release") {
        os_release(facts, root, "/usr/lib/os-release");
    }

    // Mandriva, Fedora and Oracle VM Server also ship redhat-release.
    if root.exists("/etc/mandriva-release") {
        redhat::mandriva(facts, root);
    } else if root.exists("/etc/mandrake-release") {
        redhat::mandrake(facts, root);
    } else if root.exists("/etc/fedora-release") {
        redhat::fedora(facts, root);
    } else if root.exists("/etc/ovs-release") {
        redhat::oracle_vm_server(facts, root);
    } else if root.exists("/etc/redhat-release") {
        redhat::redhat(facts, root);
    }
    if root.exists("/etc/oracle-release") {
        redhat::oracle(facts, root);
    }
    if root.exists("/etc/generic-release") {
        set_flavor(facts, "SunCobalt");
    }
    if root.exists("/etc/SuSE-release") {
        suse::suse(facts, root);
    }
    if root.exists("/etc/system-release") {
        other_linux::amazon(facts, root);
    }
    if root.exists("/etc/slackware-version") {
        other_linux::slackware(facts, root, "/etc/slackware-version");
    } else if root.exists("/etc/slackware-release") {
        other_linux::slackware(facts, root, "/etc/slackware-release");
    }
    if root.exists("/etc/debian_version") {
        debian::debian(facts, root);
    }
    if root.exists("/etc/lsb-release") {
        debian::lsb_release(facts, root);
    }
    if root.exists("/usr/bin/aptitude") {
        facts.define("have_aptitude");
    }
    if root.exists("/etc/UnitedLinux-release") {
        set_flavor(facts, "UnitedLinux");
    }
    if root.exists("/etc/alpine-release") {
        other_linux::alpine(facts, root);
    }
    if root.exists("/etc/gentoo-release") {
        set_flavor(facts, "gentoo");
    }
    if root.exists("/etc/arch-release") {
        set_flavor(facts, "archlinux");
    }
    if root.exists("/proc/vmware/version")
        || root.exists("/etc/vmware-release")
        || root.path("/etc/vmware").is_dir()
    {
        platform::vmware(facts, root);
    }
    if root.exists("/proc/xen/capabilities") {
        platform::xen(facts, root);
    }
    if root.exists("/etc/Eos-release") {
        appliances::arista_eos(facts, root);
        set_flavor(facts, "Eos");
    }
    if root.exists("/etc/issue") {
        appliances::big_ip(facts, root);
    }
    if root.exists("/proc/self/status") {
        platform::openvz(facts, root);
    }
}

/// The flavor class is canonified, the variables keep the text as given.
pub(super) fn set_flavor(facts: &mut HostFacts, flavor: &str) {
    facts.define(flavor);
    facts.set_sys("flavour", Value::scalar(flavor));
    facts.set_sys("flavor", Value::scalar(flavor));
}

/// `id_version` and each shorter `_`-prefix of it, down to `id`.
fn define_versioned(facts: &mut HostFacts, id: &str, version: &str) {
    for class in underscore_prefixes(&format!("{id}_{version}")) {
        facts.define(class);
    }
}

fn os_release(facts: &mut HostFacts, root: &HostRoot, path: &str) {
    let Some(text) = root.read(path) else {
        return;
    };
    let fields = env_file::parse(&text);
    let json: Map<String, Json> = fields
        .iter()
        .map(|(key, value)| (key.clone(), Json::String(value.clone())))
        .collect();
    facts.set_sys("os_release", Value::Data(Json::Object(json)));

    let Some(id) = fields.get("ID").map(|id| canonify(id)) else {
        return;
    };
    let alias = match id.as_str() {
        "rhel" => Some("redhat"),
        "opensuse" | "sles" => Some("suse"),
        _ => None,
    };
    match fields.get("VERSION_ID").map(|version| canonify(version)) {
        None => {
            facts.define(&id);
            if let Some(alias) = alias {
                facts.define(alias);
            }
        }
        Some(version) => {
            let major = version.split('_').next().unwrap_or_default();
            set_flavor(facts, &format!("{id}_{major}"));
            define_versioned(facts, &id, &version);
            if let Some(alias) = alias {
                define_versioned(facts, alias, &version);
            }
        }
    }
}

/// The text after the first `release ` in a release line.
pub(super) fn after_release(line: &str) -> Option<&str> {
    line.find("release ")
        .map(|at| &line[at + "release ".len()..])
}

/// What cf-agent derives once the distribution classes and flavor are
/// known: the web document root, the user's crontab path, a human name and
/// the major version.
pub(super) fn derived_variables(facts: &mut HostFacts, user_name: Option<&str>) {
    if let Some(user) = user_name {
        let directory = if facts.is_defined("SUSE") {
            "/var/spool/cron/tabs"
        } else if facts.is_defined("redhat") {
            "/var/spool/cron"
        } else if facts.is_defined("freebsd") {
            "/var/cron/tabs"
        } else {
            "/var/spool/cron/crontabs"
        };
        facts.set_sys("crontab", Value::scalar(format!("{directory}/{user}")));
    }

    for (class, doc_root) in [
        ("redhat", "/var/www/html"),
        ("SUSE", "/srv/www/htdocs"),
        ("debian", "/var/www"),
    ] {
        if facts.is_defined(class) {
            facts.set_sys("doc_root", Value::scalar(doc_root));
        }
    }

    const HUMAN_NAMES: [(&str, &str); 13] = [
        ("ubuntu", "Ubuntu"),
        ("debian", "Debian"),
        ("centos", "CentOS"),
        ("fedora", "Fedora"),
        ("redhat", "RHEL"),
        ("aix", "AIX"),
        ("hpux", "HP-UX"),
        ("opensuse", "OpenSUSE"),
        ("suse", "SUSE"),
        ("macos", "macOS"),
        ("windows", "Windows"),
        ("freebsd", "FreeBSD"),
        ("solaris", "Solaris"),
    ];
    let human = HUMAN_NAMES
        .iter()
        .find(|(class, _)| facts.is_defined(class))
        .map_or("Unknown", |(_, name)| name);
    facts.set_sys("os_name_human", Value::scalar(human));

    let major = facts
        .sys_scalar("flavor")
        .and_then(|flavor| {
            let mut numbers = flavor
                .split(|c: char| !c.is_ascii_digit())
                .filter(|run| !run.is_empty());
            // SunOS 5.11 is Solaris 11: the major version is the second number.
            if flavor.starts_with("solaris") || flavor.starts_with("sunos") {
                numbers.nth(1)
            } else {
                numbers.next()
            }
        })
        .map(str::to_string);
    facts.set_sys(
        "os_version_major",
        Value::scalar(major.unwrap_or_else(|| "Unknown".to_string())),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::test_support::FakeRoot;

    fn discovered(root: &FakeRoot) -> HostFacts {
        let mut facts = HostFacts::default();
        discover(&mut facts, &root.host_root());
        derived_variables(&mut facts, Some("root"));
        facts
    }

    #[test]
    fn debian_bookworm() {
        let root = FakeRoot::new("debian");
        root.file(
            "etc/os-release",
            "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nVERSION_ID=\"12\"\nID=debian\n",
        );
        root.file("etc/debian_version", "12.11\n");
        root.file("etc/issue", "Debian GNU/Linux 12 \\n \\l\n\n");
        let facts = discovered(&root);
        for class in ["debian", "debian_12", "debian_12_11"] {
            assert!(facts.is_defined(class), "{class}");
        }
        assert_eq!(facts.sys["flavor"], Value::scalar("debian_12"));
        assert_eq!(facts.sys["flavour"], Value::scalar("debian_12"));
        assert_eq!(facts.sys["doc_root"], Value::scalar("/var/www"));
        assert_eq!(
            facts.sys["crontab"],
            Value::scalar("/var/spool/cron/crontabs/root")
        );
        assert_eq!(facts.sys["os_name_human"], Value::scalar("Debian"));
        assert_eq!(facts.sys["os_version_major"], Value::scalar("12"));
        let Value::Data(os_release) = &facts.sys["os_release"] else {
            panic!("os_release is a data container");
        };
        assert_eq!(os_release["ID"], "debian");
        assert_eq!(os_release["PRETTY_NAME"], "Debian GNU/Linux 12 (bookworm)");
    }

    #[test]
    fn ubuntu_takes_its_flavor_from_issue() {
        let root = FakeRoot::new("ubuntu");
        root.file(
            "etc/os-release",
            "ID=ubuntu\nVERSION_ID=\"22.04\"\nID_LIKE=debian\n",
        );
        root.file("etc/debian_version", "bookworm/sid\n");
        root.file("etc/issue", "Ubuntu 22.04.3 LTS \\n \\l\n");
        let facts = discovered(&root);
        for class in [
            "ubuntu",
            "ubuntu_22",
            "ubuntu_22_04",
            "debian",
            "debian_bookworm",
        ] {
            assert!(facts.is_defined(class), "{class}");
        }
        assert!(
            !facts.is_defined("ubuntu_22_04_3"),
            "only with a numeric debian_version"
        );
        assert_eq!(facts.sys["flavor"], Value::scalar("ubuntu_22"));
        assert_eq!(facts.sys["os_name_human"], Value::scalar("Ubuntu"));
    }

    #[test]
    fn centos_7_from_redhat_release() {
        let root = FakeRoot::new("centos");
        root.file(
            "etc/os-release",
            "ID=\"centos\"\nVERSION_ID=\"7\"\nID_LIKE=\"rhel fedora\"\n",
        );
        root.file(
            "etc/redhat-release",
            "CentOS Linux release 7.9.2009 (Core)\n",
        );
        let facts = discovered(&root);
        for class in ["redhat", "centos", "centos_7", "centos_7_9"] {
            assert!(facts.is_defined(class), "{class}");
        }
        assert_eq!(facts.sys["flavor"], Value::scalar("centos_7"));
        assert_eq!(facts.sys["doc_root"], Value::scalar("/var/www/html"));
        assert_eq!(facts.sys["crontab"], Value::scalar("/var/spool/cron/root"));
        assert_eq!(facts.sys["os_name_human"], Value::scalar("CentOS"));
    }

    #[test]
    fn rhel_server_edition_and_alias() {
        let root = FakeRoot::new("rhel");
        root.file("etc/os-release", "ID=\"rhel\"\nVERSION_ID=\"8.10\"\n");
        root.file(
            "etc/redhat-release",
            "Red Hat Enterprise Linux Server release 8.10 (Ootpa)\n",
        );
        let facts = discovered(&root);
        for class in [
            "rhel",
            "rhel_8",
            "rhel_8_10",
            "redhat_8_10",
            "redhat_s",
            "redhat_s_8",
            "redhat_s_8_10",
            "redhat_8",
        ] {
            assert!(facts.is_defined(class), "{class}");
        }
        assert_eq!(facts.sys["flavor"], Value::scalar("redhat_8"));
        assert_eq!(facts.sys["os_name_human"], Value::scalar("RHEL"));
    }

    #[test]
    fn os_release_without_version_defines_only_the_id() {
        let root = FakeRoot::new("arch");
        root.file("etc/os-release", "ID=arch\n");
        root.file("etc/arch-release", "");
        let facts = discovered(&root);
        assert!(facts.is_defined("arch"));
        assert!(facts.is_defined("archlinux"));
        assert_eq!(facts.sys["flavor"], Value::scalar("archlinux"));
        assert_eq!(facts.sys["os_version_major"], Value::scalar("Unknown"));
        assert_eq!(facts.sys["os_name_human"], Value::scalar("Unknown"));
    }

    #[test]
    fn alpine_and_amazon() {
        let root = FakeRoot::new("alpine");
        root.file("etc/alpine-release", "3.19.1\n");
        let facts = discovered(&root);
        assert!(facts.is_defined("alpine_linux_3_19_1"));
        assert_eq!(facts.sys["flavor"], Value::scalar("alpinelinux"));

        let root = FakeRoot::new("amazon");
        root.file("etc/system-release", "Amazon Linux AMI release 2018.03\n");
        let facts = discovered(&root);
        assert!(facts.is_defined("amazon_linux_2018_03"));
        assert_eq!(facts.sys["flavor"], Value::scalar("AmazonLinux"));
    }

    #[test]
    fn systemd_init_and_virtualisation_markers() {
        let root = FakeRoot::new("systemd");
        root.file("lib/systemd/systemd", "");
        root.file("proc/1/cmdline", "/lib/systemd/systemd\0--system\0");
        root.file("proc/xen/capabilities", "control_d\n");
        root.file("proc/self/status", "");
        root.file("proc/vz", "");
        let facts = discovered(&root);
        for class in ["systemd", "xen", "xen_dom0", "virt_guest_vz"] {
            assert!(facts.is_defined(class), "{class}");
        }
    }

    #[test]
    fn nothing_to_read_means_only_the_fallback_variables() {
        let root = FakeRoot::new("empty");
        let facts = discovered(&root);
        assert!(facts.classes.is_empty());
        assert!(!facts.sys.contains_key("flavor"));
        assert_eq!(facts.sys["os_version_major"], Value::scalar("Unknown"));
        assert_eq!(
            facts.sys["crontab"],
            Value::scalar("/var/spool/cron/crontabs/root")
        );
    }
}
