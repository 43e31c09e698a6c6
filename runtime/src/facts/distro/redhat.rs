//! Red Hat family release files: `/etc/redhat-release` (RHEL, CentOS,
//! Scientific ...), `/etc/fedora-release`, `/etc/oracle-release`,
//! `/etc/ovs-release` and Mandrake/Mandriva.

use super::{after_release, set_flavor};
use crate::facts::root::HostRoot;
use crate::facts::{scan, HostFacts};

pub(super) fn redhat(facts: &mut HostFacts, root: &HostRoot) {
    facts.define("redhat");
    let Some(line) = root.first_line("/etc/redhat-release") else {
        return;
    };
    // Most specific prefixes first; the order is cf-agent's.
    const VENDORS: [(&str, &str, &str); 18] = [
        ("Red Hat Enterprise Linux ES", "redhat", "es"),
        ("Red Hat Enterprise Linux WS", "redhat", "ws"),
        ("Red Hat Enterprise Linux AS", "redhat", "as"),
        ("Red Hat Linux Advanced Server", "redhat", "as"),
        ("Red Hat Enterprise Linux Server", "redhat", "s"),
        ("Red Hat Enterprise Linux Client", "redhat", "c"),
        ("Red Hat Enterprise Linux Workstation", "redhat", "c"),
        ("Red Hat Enterprise Linux ComputeNode", "redhat", "cn"),
        ("Red Hat Linux", "redhat", ""),
        ("Red Hat Enterprise Linux", "redhat", ""),
        ("Linux Mandrake", "mandrake", ""),
        ("Mandrakelinux", "mandrake", ""),
        ("White Box Enterprise Linux", "whitebox", ""),
        ("Scientific Linux SL", "scientific", "sl"),
        ("Scientific Linux CERN", "scientific", "cern"),
        ("Scientific Linux", "scientific", "sl"),
        ("CentOS", "centos", ""),
        ("Enterprise Linux Enterprise Linux Server", "oracle", "s"),
    ];
    let Some(&(_, vendor, edition)) = VENDORS
        .iter()
        .find(|(prefix, _, _)| line.starts_with(prefix))
    else {
        return;
    };
    let lowered = line.to_ascii_lowercase();
    let Some(release) = after_release(&lowered) else {
        return;
    };
    let numbers = scan::dotted_ints(release, 2);
    let (major, minor) = match numbers.as_slice() {
        [major, minor] => (*major, Some(*minor)),
        [major] => (*major, None),
        _ => return,
    };

    let mut class = vendor.to_string();
    facts.define(&class);
    if !edition.is_empty() {
        class = format!("{class}_{edition}");
        facts.define(&class);
    }
    class = format!("{class}_{major}");
    facts.define(&class);
    if let Some(minor) = minor {
        facts.define(&format!("{class}_{minor}"));
    }

    set_flavor(facts, &format!("{vendor}_{major}"));
    if let Some(minor) = minor {
        facts.define(&format!("{vendor}_{major}_{minor}"));
    }
}

pub(super) fn fedora(facts: &mut HostFacts, root: &HostRoot) {
    facts.define("redhat");
    facts.define("fedora");
    let Some(line) = root.first_line("/etc/fedora-release") else {
        return;
    };
    if !line.starts_with("Fedora") {
        return;
    }
    if let Some((major, _)) = after_release(&line).and_then(scan::int) {
        set_flavor(facts, &format!("fedora_{major}"));
    }
}

pub(super) fn oracle(facts: &mut HostFacts, root: &HostRoot) {
    facts.define("oracle");
    let Some(line) = root.first_line("/etc/oracle-release") else {
        return;
    };
    if !line.starts_with("Oracle Linux Server") {
        return;
    }
    if let Some(&[major, minor]) = after_release(&line)
        .map(|release| scan::dotted_ints(release, 2))
        .as_deref()
    {
        set_flavor(facts, &format!("oracle_{major}"));
        facts.define(&format!("oracle_{major}_{minor}"));
    }
}

pub(super) fn oracle_vm_server(facts: &mut HostFacts, root: &HostRoot) {
    facts.define("redhat");
    facts.define("oraclevmserver");
    let Some(line) = root.first_line("/etc/ovs-release") else {
        return;
    };
    if !line.starts_with("Oracle VM server") {
        return;
    }
    let Some(release) = after_release(&line) else {
        return;
    };
    let numbers = scan::dotted_ints(release, 3);
    if let Some(major) = numbers.first() {
        set_flavor(facts, &format!("oraclevmserver_{major}"));
    }
    for count in 2..=numbers.len() {
        let parts: Vec<String> = numbers[..count].iter().map(i64::to_string).collect();
        facts.define(&format!("oraclevmserver_{}", parts.join("_")));
    }
}

pub(super) fn mandriva(facts: &mut HostFacts, root: &HostRoot) {
    facts.define("Mandrake");
    facts.define("Mandriva");
    let Some(line) = root.first_line("/etc/mandriva-release") else {
        return;
    };
    if line.starts_with("Mandriva Linux") {
        mandrake_family_version(facts, &line, "mandriva");
    }
}

pub(super) fn mandrake(facts: &mut HostFacts, root: &HostRoot) {
    facts.define("Mandrake");
    let Some(line) = root.first_line("/etc/mandrake-release") else {
        return;
    };
    if ["Linux Mandrake", "Mandrake Linux", "Mandrakelinux"]
        .iter()
        .any(|prefix| line.starts_with(prefix))
    {
        mandrake_family_version(facts, &line, "mandrake");
    }
}

fn mandrake_family_version(facts: &mut HostFacts, line: &str, vendor: &str) {
    if let Some(&[major, minor]) = after_release(line)
        .map(|release| scan::dotted_ints(release, 2))
        .as_deref()
    {
        facts.define(vendor);
        facts.define(&format!("{vendor}_{major}"));
        facts.define(&format!("{vendor}_{major}_{minor}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::test_support::FakeRoot;

    fn classes_after(file: &str, line: &str, detect: fn(&mut HostFacts, &HostRoot)) -> HostFacts {
        let root = FakeRoot::new("redhat-family");
        root.file(file, line);
        let mut facts = HostFacts::default();
        detect(&mut facts, &root.host_root());
        facts
    }

    fn assert_defined(facts: &HostFacts, classes: &[&str]) {
        for class in classes {
            assert!(facts.is_defined(class), "{class} in {:?}", facts.classes);
        }
    }

    #[test]
    fn scientific_linux_with_edition() {
        let facts = classes_after(
            "etc/redhat-release",
            "Scientific Linux release 6.10 (Carbon)\n",
            redhat,
        );
        assert_defined(
            &facts,
            &[
                "redhat",
                "scientific",
                "scientific_sl",
                "scientific_sl_6",
                "scientific_sl_6_10",
                "scientific_6",
                "scientific_6_10",
            ],
        );
        assert_eq!(facts.sys_scalar("flavor"), Some("scientific_6"));
    }

    #[test]
    fn unknown_vendor_is_only_redhat() {
        let facts = classes_after(
            "etc/redhat-release",
            "Rocky Linux release 9.3 (Blue Onyx)\n",
            redhat,
        );
        assert_eq!(facts.classes.len(), 1);
        assert!(!facts.sys.contains_key("flavor"));
    }

    #[test]
    fn fedora_oracle_and_mandriva() {
        let facts = classes_after(
            "etc/fedora-release",
            "Fedora release 39 (Thirty Nine)\n",
            fedora,
        );
        assert_defined(&facts, &["redhat", "fedora", "fedora_39"]);
        assert_eq!(facts.sys_scalar("flavor"), Some("fedora_39"));

        let facts = classes_after(
            "etc/oracle-release",
            "Oracle Linux Server release 8.9\n",
            oracle,
        );
        assert_defined(&facts, &["oracle", "oracle_8", "oracle_8_9"]);

        let facts = classes_after(
            "etc/mandriva-release",
            "Mandriva Linux release 2010.2 (Official) for x86_64\n",
            mandriva,
        );
        assert_defined(
            &facts,
            &[
                "Mandrake",
                "Mandriva",
                "mandriva",
                "mandriva_2010",
                "mandriva_2010_2",
            ],
        );
    }
}
