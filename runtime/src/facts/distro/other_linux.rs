//! Distributions identified by a release file of their own: Amazon Linux
//! (`/etc/system-release`), Slackware and Alpine.

use super::set_flavor;
use crate::facts::canonify::canonify;
use crate::facts::root::HostRoot;
use crate::facts::{scan, HostFacts};

pub(super) fn amazon(facts: &mut HostFacts, root: &HostRoot) {
    let Some(line) = root.first_line("/etc/system-release") else {
        return;
    };
    if !line.contains("Amazon") {
        return;
    }
    facts.define("amazon_linux");
    if let Some((version, _)) = scan::skip_words(&line, 4).and_then(scan::word) {
        facts.define(&format!("amazon_linux_{}", canonify(version)));
    }
    set_flavor(facts, "AmazonLinux");
}

pub(super) fn slackware(facts: &mut HostFacts, root: &HostRoot, path: &str) {
    facts.define("slackware");
    let Some(line) = root.first_line(path) else {
        return;
    };
    let numbers = scan::literal(&line, "Slackware ")
        .map(|rest| scan::dotted_ints(rest, 3))
        .unwrap_or_default();
    for count in (1..=numbers.len()).rev() {
        let parts: Vec<String> = numbers[..count].iter().map(i64::to_string).collect();
        facts.define(&format!("slackware_{}", parts.join("_")));
    }
}

pub(super) fn alpine(facts: &mut HostFacts, root: &HostRoot) {
    facts.define("alpine_linux");
    if let Some((version, _)) = root
        .first_line("/etc/alpine-release")
        .as_deref()
        .and_then(scan::word)
    {
        facts.define(&format!("alpine_linux_{}", canonify(version)));
    }
    set_flavor(facts, "alpinelinux");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::test_support::FakeRoot;

    #[test]
    fn slackware_version_classes() {
        let root = FakeRoot::new("slackware");
        root.file("etc/slackware-version", "Slackware 15.0\n");
        let mut facts = HostFacts::default();
        slackware(&mut facts, &root.host_root(), "/etc/slackware-version");
        let expected = ["slackware", "slackware_15", "slackware_15_0"];
        assert_eq!(
            facts.classes,
            expected.iter().map(|c| c.to_string()).collect()
        );
    }
}
