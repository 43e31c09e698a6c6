//! What discovery asks of the running kernel and C library, behind a trait
//! so tests can describe a host instead of querying the real one.
//!
//! Everything that cf-agent learns from files (`/etc/os-release`,
//! `/proc/net/*`, ...) is read through [`super::FactsConfig::root`] instead;
//! this trait only covers system calls and name-service lookups.

use std::net::Ipv4Addr;

use super::time::CivilTime;

/// `uname(2)`, as returned by the kernel (not yet lower-cased).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KernelName {
    pub sysname: String,
    pub nodename: String,
    pub release: String,
    pub version: String,
    pub machine: String,
}

/// A `gethostbyname(3)` answer: the canonical name and its aliases.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HostEntry {
    pub name: String,
    pub aliases: Vec<String>,
}

/// One `getifaddrs(3)` entry that discovery uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterfaceEntry {
    /// The interface name; for IPv4 addresses the address label
    /// (`eth0:1` for an alias), as `SIOCGIFCONF` reports it.
    pub name: String,
    /// `IFF_*` flags of the interface.
    pub flags: u32,
    pub address: InterfaceAddress,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InterfaceAddress {
    Ipv4(Ipv4Addr),
    /// The link itself (`AF_PACKET`): ARP hardware type and address.
    Link {
        hardware_type: u16,
        mac: [u8; 6],
    },
}

/// The password-database entry of the user running the agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    pub name: String,
    pub gecos: String,
    pub home_dir: String,
    pub shell: String,
    pub uid: u32,
    pub gid: u32,
}

/// The system calls and lookups host discovery needs. Every method may
/// fail; a failure means fewer facts, never an error.
pub trait SystemProbe {
    fn kernel_name(&self) -> Option<KernelName>;
    /// `gethostname(2)`.
    fn host_name(&self) -> Option<String>;
    /// `gethostbyname(3)`: IPv4 name-service lookup (`/etc/hosts`, DNS ...).
    fn host_entry(&self, name: &str) -> Option<HostEntry>;
    /// `getaddrinfo(3)` of `host`, first address as numeric text.
    fn resolve_address(&self, host: &str) -> Option<String>;
    /// `getifaddrs(3)`, in the order the kernel lists them.
    fn interfaces(&self) -> Vec<InterfaceEntry>;
    fn current_user(&self) -> Option<UserRecord>;
    /// `localtime_r(3)` of a Unix time, in the host's time zone.
    fn local_time(&self, unix_time: i64) -> Option<CivilTime>;
}
