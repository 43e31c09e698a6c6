//! SUSE's legacy `/etc/SuSE-release` (SLES up to 12, openSUSE up to 42).

use super::set_flavor;
use crate::facts::root::HostRoot;
use crate::facts::{scan, HostFacts};

pub(super) fn suse(facts: &mut HostFacts, root: &HostRoot) {
    facts.define("SUSE");
    facts.define("suse");
    // The old spelling, kept by cf-agent for compatibility.
    facts.define("SuSE");
    let Some(text) = root.read("/etc/SuSE-release") else {
        return;
    };
    let mut lines = text.lines();
    let Some(first) = lines.next() else {
        return;
    };
    let mut version_line = None;
    let mut patch_line = None;
    let mut major = None;
    let mut minor = None;
    for line in lines {
        if line.starts_with("VERSION") {
            version_line = Some(line);
            major = scan::literal(line, "VERSION =")
                .and_then(scan::int)
                .map(|(n, _)| n)
                .or(major);
        }
        if line.starts_with("PATCH") {
            patch_line = Some(line);
            minor = scan::literal(line, "PATCHLEVEL =")
                .and_then(scan::int)
                .map(|(n, _)| n)
                .or(minor);
        }
    }

    let release_line = first.to_ascii_lowercase();
    if release_line.starts_with("suse sles-8") {
        facts.define("SLES8");
    } else if release_line.starts_with("sles") {
        let name: String = release_line
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        facts.define(&name);
        for part in name.split('-') {
            facts.define(part);
        }
    } else {
        for version in 9..13 {
            if release_line.starts_with(&format!("suse linux enterprise server {version} ")) {
                facts.define(&format!("SLES{version}"));
            } else if release_line.starts_with(&format!("suse linux enterprise desktop {version} "))
            {
                facts.define(&format!("SLED{version}"));
            }
        }
    }

    let release = release_line
        .find("linux ")
        .or_else(|| release_line.find("opensuse"))
        .map(|at| release_line[at..].to_string())
        .or_else(|| version_line.map(str::to_string))
        .unwrap_or_default();
    if release.contains('.') {
        // "%*s %d.%d": assignments that succeed replace what VERSION/PATCHLEVEL gave.
        let numbers = scan::skip_words(&release, 1)
            .map(|rest| scan::dotted_ints(rest, 2))
            .unwrap_or_default();
        let major = numbers.first().copied().or(major);
        let minor = numbers.get(1).copied().or(minor);
        if let (Some(major), Some(minor)) = (major, minor) {
            facts.define("SUSE");
            set_flavor(facts, &format!("SUSE_{major}"));
            facts.define(&format!("SUSE_{major}_{minor}"));
            facts.define("SuSE");
            facts.define(&format!("SuSE_{major}"));
            facts.define(&format!("SuSE_{major}_{minor}"));
        }
    } else if let (Some(major), Some(_)) = (major, minor) {
        let value_of = |line: Option<&str>, key: &str| {
            line.and_then(|line| scan::literal(line, key))
                .and_then(scan::word)
                .map(|(text, _)| text.to_string())
                .unwrap_or_default()
        };
        let major_text = value_of(version_line, "VERSION =");
        let minor_text = value_of(patch_line, "PATCHLEVEL =");
        facts.define("SLES");
        facts.define(&format!("SLES_{major_text}"));
        facts.define(&format!("SLES_{major_text}_{minor_text}"));
        set_flavor(facts, &format!("SUSE_{major}"));
        facts.define(&format!("SuSE_{major}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::test_support::FakeRoot;

    fn detected(release: &str) -> HostFacts {
        let root = FakeRoot::new("suse");
        root.file("etc/SuSE-release", release);
        let mut facts = HostFacts::default();
        suse(&mut facts, &root.host_root());
        facts
    }

    #[test]
    fn sles_11_service_pack_4() {
        let facts =
            detected("SUSE Linux Enterprise Server 11 (x86_64)\nVERSION = 11\nPATCHLEVEL = 4\n");
        for class in [
            "SUSE",
            "suse",
            "SuSE",
            "SLES11",
            "SLES",
            "SLES_11",
            "SLES_11_4",
            "SUSE_11",
            "SuSE_11",
        ] {
            assert!(facts.is_defined(class), "{class} in {:?}", facts.classes);
        }
        assert_eq!(facts.sys_scalar("flavor"), Some("SUSE_11"));
    }

    #[test]
    fn opensuse_13_2() {
        let facts = detected("openSUSE 13.2 (x86_64)\nVERSION = 13.2\nCODENAME = Harlequin\n");
        for class in ["SUSE_13", "SUSE_13_2", "SuSE_13", "SuSE_13_2"] {
            assert!(facts.is_defined(class), "{class} in {:?}", facts.classes);
        }
        assert_eq!(facts.sys_scalar("flavor"), Some("SUSE_13"));
    }
}
