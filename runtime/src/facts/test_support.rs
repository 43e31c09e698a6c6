//! Fakes for unit tests: a temporary filesystem root and a described host.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use super::probe::{
    HostEntry, InterfaceAddress, InterfaceEntry, KernelName, SystemProbe, UserRecord,
};
use super::root::HostRoot;
use super::time::CivilTime;

/// A directory under the system temp dir, removed when dropped.
pub(crate) struct FakeRoot {
    path: PathBuf,
}

impl FakeRoot {
    pub(crate) fn new(label: &str) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "promise-facts-{label}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&path).expect("create fake root");
        FakeRoot { path }
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn host_root(&self) -> HostRoot {
        HostRoot::new(&self.path)
    }

    /// Writes `contents` to `relative`, creating its directories.
    pub(crate) fn file(&self, relative: &str, contents: &str) {
        let path = self.path.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create fake directory");
        }
        std::fs::write(path, contents).expect("write fake file");
    }
}

impl Drop for FakeRoot {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// A host described by its answers; local time is UTC shifted by
/// `utc_offset` seconds, or unavailable when `None`.
pub(crate) struct FakeSystem {
    pub kernel: Option<KernelName>,
    pub host_name: Option<String>,
    pub hosts: BTreeMap<String, HostEntry>,
    pub addresses: BTreeMap<String, String>,
    pub interfaces: Vec<InterfaceEntry>,
    pub user: Option<UserRecord>,
    pub utc_offset: Option<i64>,
}

impl FakeSystem {
    /// The Debian 12 VM the module was compared against cf-agent on.
    pub(crate) fn vm() -> Self {
        let link = |name: &str, flags: u32, hardware_type: u16, mac: [u8; 6]| InterfaceEntry {
            name: name.into(),
            flags,
            address: InterfaceAddress::Link { hardware_type, mac },
        };
        let ipv4 = |name: &str, flags: u32, address: [u8; 4]| InterfaceEntry {
            name: name.into(),
            flags,
            address: InterfaceAddress::Ipv4(Ipv4Addr::from(address)),
        };
        FakeSystem {
            kernel: Some(KernelName {
                sysname: "Linux".into(),
                nodename: "vm".into(),
                release: "6.18.44-fc-v657".into(),
                version: "#1 SMP PREEMPT_DYNAMIC @0".into(),
                machine: "x86_64".into(),
            }),
            host_name: Some("vm".into()),
            hosts: BTreeMap::from([(
                "vm".to_string(),
                HostEntry {
                    name: "vm".into(),
                    aliases: Vec::new(),
                },
            )]),
            addresses: BTreeMap::from([("localhost".to_string(), "127.0.0.1".to_string())]),
            interfaces: vec![
                link("lo", 0x49, 772, [0; 6]),
                link("ifb0", 0x82, 1, [0x4e, 0x84, 0xd3, 0xdd, 0xe0, 0x42]),
                link("ifb1", 0x82, 1, [0x8a, 0x1f, 0xcf, 0x10, 0x80, 0x85]),
                link("eth0", 0x1043, 1, [0x02, 0xfc, 0, 0, 0, 0x01]),
                ipv4("lo", 0x49, [127, 0, 0, 1]),
                ipv4("eth0", 0x1043, [192, 0, 2, 2]),
            ],
            user: Some(UserRecord {
                name: "root".into(),
                gecos: "root".into(),
                home_dir: "/root".into(),
                shell: "/bin/bash".into(),
                uid: 0,
                gid: 0,
            }),
            utc_offset: Some(0),
        }
    }
}

impl SystemProbe for FakeSystem {
    fn kernel_name(&self) -> Option<KernelName> {
        self.kernel.clone()
    }

    fn host_name(&self) -> Option<String> {
        self.host_name.clone()
    }

    fn host_entry(&self, name: &str) -> Option<HostEntry> {
        self.hosts.get(name).cloned()
    }

    fn resolve_address(&self, host: &str) -> Option<String> {
        self.addresses.get(host).cloned()
    }

    fn interfaces(&self) -> Vec<InterfaceEntry> {
        self.interfaces.clone()
    }

    fn current_user(&self) -> Option<UserRecord> {
        self.user.clone()
    }

    fn local_time(&self, unix_time: i64) -> Option<CivilTime> {
        self.utc_offset
            .map(|offset| CivilTime::utc(unix_time + offset))
    }
}
