//! Kernel facts from `uname(2)`: `sys.os`, `sys.arch`, `sys.release`,
//! `sys.long_arch`, the `linux`, `x86_64`, `64_bit`, `linux_x86_64_<release>`
//! classes, and the per-platform paths `sys.fstab`, `sys.resolv` ...

use super::canonify::canonify;
use super::probe::KernelName;
use super::HostFacts;
use crate::value::Value;

/// Files whose location cf-agent hard-codes per platform.
struct PlatformPaths {
    class: &'static str,
    fstab: &'static str,
    resolv: &'static str,
    maildir: &'static str,
    exports: &'static str,
}

const LINUX: PlatformPaths = PlatformPaths {
    class: "linux",
    fstab: "/etc/fstab",
    resolv: "/etc/resolv.conf",
    maildir: "/var/spool/mail",
    exports: "/etc/exports",
};

/// What cf-agent uses for a platform it does not recognise.
const UNKNOWN: PlatformPaths = PlatformPaths {
    class: "",
    fstab: "-",
    resolv: "-",
    maildir: "-",
    exports: "-",
};

/// The autoconf host triple's system part cf-agent was built for, as in the
/// `compiled_on_linux_gnu` class.
fn build_system() -> &'static str {
    if cfg!(all(target_os = "linux", target_env = "musl")) {
        "linux-musl"
    } else if cfg!(target_os = "linux") {
        "linux-gnu"
    } else {
        std::env::consts::OS
    }
}

/// `uname` with cf-agent's normalisation: system and machine lower-cased
/// (ASCII only, as C's `tolower` in the C locale), release and version kept.
pub(super) fn normalise(kernel: &KernelName) -> KernelName {
    KernelName {
        sysname: kernel.sysname.to_ascii_lowercase(),
        machine: kernel.machine.to_ascii_lowercase(),
        ..kernel.clone()
    }
}

pub(super) fn discover(facts: &mut HostFacts, kernel: &KernelName) {
    let KernelName {
        sysname,
        release,
        version,
        machine,
        ..
    } = kernel;

    let platform = if sysname == "linux" { &LINUX } else { &UNKNOWN };
    if !platform.class.is_empty() {
        facts.define(platform.class);
        facts.set_sys("class", Value::scalar(platform.class));
    }

    facts.set_sys("os", Value::scalar(sysname.as_str()));
    facts.set_sys("release", Value::scalar(release.as_str()));
    facts.set_sys("version", Value::scalar(version.as_str()));
    facts.set_sys("arch", Value::scalar(machine.as_str()));
    facts.set_sys("fstab", Value::scalar(platform.fstab));
    facts.set_sys("resolv", Value::scalar(platform.resolv));
    facts.set_sys("maildir", Value::scalar(platform.maildir));
    facts.set_sys("exports", Value::scalar(platform.exports));

    facts.define(&format!("{}_bit", usize::BITS));
    facts.define(&format!("{sysname}_{release}"));
    facts.define(machine);
    facts.define(&format!("{sysname}_{machine}"));
    facts.define(&format!("{sysname}_{machine}_{release}"));

    let long_arch = canonify(&format!("{sysname}_{machine}_{release}_{version}"));
    facts.define(&long_arch);
    facts.set_sys("long_arch", Value::scalar(long_arch));

    let ostype = canonify(&format!("{sysname}_{machine}"));
    facts.define(&ostype);
    facts.set_sys("ostype", Value::scalar(ostype));

    facts.define(&format!("compiled_on_{}", canonify(build_system())));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn debian_vm() -> KernelName {
        normalise(&KernelName {
            sysname: "Linux".into(),
            nodename: "vm".into(),
            release: "6.18.44-fc-v657".into(),
            version: "#1 SMP PREEMPT_DYNAMIC @0".into(),
            machine: "x86_64".into(),
        })
    }

    #[test]
    fn linux_classes_and_variables() {
        let mut facts = HostFacts::default();
        discover(&mut facts, &debian_vm());
        for class in [
            "linux",
            "64_bit",
            "x86_64",
            "linux_x86_64",
            "linux_6_18_44_fc_v657",
            "linux_x86_64_6_18_44_fc_v657",
            "linux_x86_64_6_18_44_fc_v657__1_SMP_PREEMPT_DYNAMIC__0",
            "compiled_on_linux_gnu",
        ] {
            assert!(facts.classes.contains(class), "{class}");
        }
        assert_eq!(facts.sys["os"], Value::scalar("linux"));
        assert_eq!(facts.sys["class"], Value::scalar("linux"));
        assert_eq!(facts.sys["arch"], Value::scalar("x86_64"));
        assert_eq!(facts.sys["release"], Value::scalar("6.18.44-fc-v657"));
        assert_eq!(
            facts.sys["version"],
            Value::scalar("#1 SMP PREEMPT_DYNAMIC @0")
        );
        assert_eq!(facts.sys["ostype"], Value::scalar("linux_x86_64"));
        assert_eq!(
            facts.sys["long_arch"],
            Value::scalar("linux_x86_64_6_18_44_fc_v657__1_SMP_PREEMPT_DYNAMIC__0")
        );
        assert_eq!(facts.sys["fstab"], Value::scalar("/etc/fstab"));
        assert_eq!(facts.sys["resolv"], Value::scalar("/etc/resolv.conf"));
        assert_eq!(facts.sys["maildir"], Value::scalar("/var/spool/mail"));
        assert_eq!(facts.sys["exports"], Value::scalar("/etc/exports"));
    }

    #[test]
    fn unknown_platform_gets_no_class_and_placeholder_paths() {
        let mut facts = HostFacts::default();
        let kernel = KernelName {
            sysname: "plan9".into(),
            ..debian_vm()
        };
        discover(&mut facts, &kernel);
        assert!(!facts.sys.contains_key("class"));
        assert_eq!(facts.sys["fstab"], Value::scalar("-"));
    }
}
