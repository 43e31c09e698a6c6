//! How the system runs rather than which distribution it is: systemd as
//! init, and VMware ESX, Xen and OpenVZ virtualisation.

use crate::facts::root::HostRoot;
use crate::facts::{scan, HostFacts};

pub(super) fn systemd(facts: &mut HostFacts, root: &HostRoot) {
    let Some(cmdline) = root.read("/proc/1/cmdline") else {
        return;
    };
    let init = cmdline.split(['\0', '\n']).next().unwrap_or_default();
    if init.is_empty() {
        return;
    }
    let resolved = std::fs::canonicalize(root.path(init))
        .ok()
        .map(|path| root.host_path(&path))
        .unwrap_or_else(|| init.to_string());
    if resolved.ends_with("/systemd") {
        facts.define("systemd");
    }
}

pub(super) fn vmware(facts: &mut HostFacts, root: &HostRoot) {
    facts.define("VMware");
    if let Some(line) = root.first_line("/proc/vmware/version") {
        if let Some(rest) = scan::literal(&line, "VMware ESX Server ") {
            // cf-agent prints unparsed parts as garbage; only parsed ones are used here.
            let numbers = scan::dotted_ints(rest, 3);
            if !numbers.is_empty() {
                for count in 1..=numbers.len() {
                    let parts: Vec<String> = numbers[..count].iter().map(i64::to_string).collect();
                    facts.define(&format!("VMware ESX Server {}", parts.join(".")));
                }
                return;
            }
            if let Some((version, _)) = scan::word(rest) {
                facts.define(&format!("VMware ESX Server {version}"));
                return;
            }
        }
    }
    let fallback = root
        .first_line("/etc/vmware-release")
        .or_else(|| root.first_line("/etc/issue"));
    if let Some(line) = fallback {
        facts.define(&line);
        if let Some((name, _)) = line.split_once('(') {
            facts.define(name.trim_end());
        }
    }
}

pub(super) fn xen(facts: &mut HostFacts, root: &HostRoot) {
    facts.define("xen");
    let Some(capabilities) = root.read("/proc/xen/capabilities") else {
        return;
    };
    if capabilities.contains("control_d") {
        facts.define("xen_dom0");
    } else {
        facts.define("xen_domu_pv");
    }
}

pub(super) fn openvz(facts: &mut HostFacts, root: &HostRoot) {
    if root.exists("/proc/bc/0") {
        facts.define("virt_host_vz");
        if root.exists("/bin/vzps") {
            facts.define("virt_host_vz_vzps");
        }
    } else if root.exists("/proc/vz") {
        facts.define("virt_guest_vz");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::test_support::FakeRoot;

    #[test]
    fn vmware_esx_version_classes() {
        let root = FakeRoot::new("vmware");
        root.file(
            "proc/vmware/version",
            "VMware ESX Server 3.5.0 build-64607\n",
        );
        let mut facts = HostFacts::default();
        vmware(&mut facts, &root.host_root());
        for class in [
            "VMware",
            "VMware_ESX_Server_3",
            "VMware_ESX_Server_3_5",
            "VMware_ESX_Server_3_5_0",
        ] {
            assert!(facts.is_defined(class), "{class} in {:?}", facts.classes);
        }
    }

    #[test]
    fn xen_guest_and_openvz_host() {
        let root = FakeRoot::new("xen-guest");
        root.file("proc/xen/capabilities", "");
        root.file("proc/bc/0", "");
        root.file("bin/vzps", "");
        let mut facts = HostFacts::default();
        xen(&mut facts, &root.host_root());
        openvz(&mut facts, &root.host_root());
        for class in ["xen", "xen_domu_pv", "virt_host_vz", "virt_host_vz_vzps"] {
            assert!(facts.is_defined(class), "{class} in {:?}", facts.classes);
        }
    }
}
