//! Network appliances running Linux: Arista EOS and F5 BIG-IP.

use super::set_flavor;
use crate::facts::canonify::canonify;
use crate::facts::root::HostRoot;
use crate::facts::{scan, HostFacts};

pub(super) fn arista_eos(facts: &mut HostFacts, root: &HostRoot) {
    let Some(line) = root.first_line("/etc/Eos-release") else {
        return;
    };
    if !line.contains("EOS") {
        return;
    }
    facts.define("eos");
    facts.define("arista");
    let version = scan::skip_words(&line, 3)
        .and_then(scan::word)
        .map(|(version, _)| canonify(version))
        .unwrap_or_default();
    facts.define(&format!("eos_{version}"));
}

pub(super) fn big_ip(facts: &mut HostFacts, root: &HostRoot) {
    let Some(line) = root.first_line("/etc/issue") else {
        return;
    };
    if !line.contains("BIG-IP") {
        return;
    }
    facts.define("big_ip");
    // "BIG-IP 10.1.0 Build 3341.1084"
    let version = scan::skip_words(&line, 1).and_then(scan::word);
    let build = version
        .and_then(|(_, rest)| scan::skip_words(rest, 1))
        .and_then(scan::word);
    let version = version.map(|(v, _)| canonify(v)).unwrap_or_default();
    let build = build.map(|(b, _)| canonify(b)).unwrap_or_default();
    facts.define(&format!("big_ip_{version}"));
    facts.define(&format!("big_ip_{version}_{build}"));
    set_flavor(facts, "BIG-IP");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::test_support::FakeRoot;

    #[test]
    fn arista_and_big_ip_versions() {
        let root = FakeRoot::new("appliances");
        root.file("etc/Eos-release", "Arista Networks EOS 4.10.2\n");
        root.file("etc/issue", "BIG-IP 10.1.0 Build 3341.1084\n");
        let mut facts = HostFacts::default();
        arista_eos(&mut facts, &root.host_root());
        big_ip(&mut facts, &root.host_root());
        for class in [
            "eos",
            "arista",
            "eos_4_10_2",
            "big_ip",
            "big_ip_10_1_0",
            "big_ip_10_1_0_3341_1084",
            "BIG_IP",
        ] {
            assert!(facts.is_defined(class), "{class} in {:?}", facts.classes);
        }
        assert_eq!(facts.sys_scalar("flavor"), Some("BIG-IP"));
    }
}
