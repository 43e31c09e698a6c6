//! Network interfaces: one class per IPv4 address and its prefixes
//! (`ipv4_10_10_10_1`, `ipv4_10_10_10`, ..., `10_10_10_1`), `net_iface_*`,
//! `mac_*` and IPv6 address classes, and `sys.ipv4`, `sys.ipv4[<if>]`,
//! `sys.ipv4_{1,2,3}[<if>]`, `sys.ip2iface`, `sys.interface`,
//! `sys.interfaces`, `sys.interface_flags`, `sys.hardware_mac`,
//! `sys.hardware_addresses`, `sys.hardware_flags`, `sys.ip_addresses`.
//!
//! cf-agent walks the IPv4 addresses (`SIOCGIFCONF`) first, then parses the
//! output of `ifconfig -a` for IPv6 addresses and further MAC addresses, but
//! only when `/sbin/ifconfig` or `/bin/ifconfig` exists. Instead of running
//! ifconfig this module reproduces what net-tools' ifconfig prints: every
//! link in natural name order, its addresses from `/proc/net/if_inet6` and
//! its `ether` address.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::Path;

use regex::Regex;

use super::canonify::canonify;
use super::probe::{InterfaceAddress, InterfaceEntry};
use super::root::{read_text, HostRoot};
use super::HostFacts;
use crate::value::Value;

// `IFF_*` interface flags (Linux values).
const IFF_UP: u32 = 0x1;
const IFF_BROADCAST: u32 = 0x2;
const IFF_DEBUG: u32 = 0x4;
const IFF_LOOPBACK: u32 = 0x8;
const IFF_POINTOPOINT: u32 = 0x10;
const IFF_NOTRAILERS: u32 = 0x20;
const IFF_RUNNING: u32 = 0x40;
const IFF_NOARP: u32 = 0x80;
const IFF_PROMISC: u32 = 0x100;
const IFF_ALLMULTI: u32 = 0x200;
const IFF_MULTICAST: u32 = 0x1000;

/// `ARPHRD_ETHER`: the links ifconfig prints an `ether` line for.
const ARPHRD_ETHER: u16 = 1;

/// Interface names listed in `<inputdir>/ignore_interfaces.rx`: each
/// whitespace-separated word is a name or a regular expression that must
/// match the whole name.
#[derive(Debug, Default)]
pub(super) struct IgnoredInterfaces {
    names: Vec<String>,
    patterns: Vec<Regex>,
}

impl IgnoredInterfaces {
    pub(super) fn load(inputdir: &Path) -> Self {
        let Some(text) = read_text(&inputdir.join("ignore_interfaces.rx")) else {
            return Self::default();
        };
        Self::from_words(text.split_ascii_whitespace())
    }

    fn from_words<'a>(words: impl Iterator<Item = &'a str>) -> Self {
        let names: Vec<String> = words.map(str::to_string).collect();
        let patterns = names
            .iter()
            .filter_map(|word| Regex::new(&format!("^(?:{word})$")).ok())
            .collect();
        IgnoredInterfaces { names, patterns }
    }

    fn contains(&self, interface: &str) -> bool {
        self.names.iter().any(|name| name == interface)
            || self
                .patterns
                .iter()
                .any(|pattern| pattern.is_match(interface))
    }
}

/// The lists cf-agent accumulates while walking the interfaces.
#[derive(Default)]
struct Accumulated {
    interfaces: Vec<String>,
    hardware: Vec<String>,
    flags: Vec<String>,
    addresses: Vec<String>,
}

fn push_unique(list: &mut Vec<String>, item: &str) {
    if !list.iter().any(|existing| existing == item) {
        list.push(item.to_string());
    }
}

pub(super) fn discover(
    facts: &mut HostFacts,
    entries: &[InterfaceEntry],
    root: &HostRoot,
    ignored: &IgnoredInterfaces,
) {
    let mut links: BTreeMap<&str, (u16, [u8; 6])> = BTreeMap::new();
    for entry in entries {
        if let InterfaceAddress::Link { hardware_type, mac } = entry.address {
            links
                .entry(entry.name.as_str())
                .or_insert((hardware_type, mac));
        }
    }

    let mut seen = Accumulated::default();
    ipv4_interfaces(facts, entries, &links, ignored, &mut seen);
    if root.is_readable_file("/sbin/ifconfig") || root.is_readable_file("/bin/ifconfig") {
        ifconfig_view(facts, &links, root, ignored, &mut seen);
    }

    for (name, list) in [
        ("interfaces", seen.interfaces),
        ("hardware_addresses", seen.hardware),
        ("hardware_flags", seen.flags),
        ("ip_addresses", seen.addresses),
    ] {
        if !list.is_empty() {
            facts.set_sys(name, Value::List(list));
        }
    }
}

fn ipv4_interfaces(
    facts: &mut HostFacts,
    entries: &[InterfaceEntry],
    links: &BTreeMap<&str, (u16, [u8; 6])>,
    ignored: &IgnoredInterfaces,
    seen: &mut Accumulated,
) {
    let mut primary_address_set = false;
    let mut last_name = "";
    for entry in entries {
        let InterfaceAddress::Ipv4(address) = entry.address else {
            continue;
        };
        let name = entry.name.as_str();
        if name.is_empty() || ignored.contains(name) {
            continue;
        }
        // An interface with several addresses is listed once per address.
        if name != last_name {
            last_name = name;
            facts.set_sys("interface", Value::scalar(name));
        }
        facts.define(&format!("net_iface_{name}"));

        let flags = flag_words(entry.flags);
        if !flags.is_empty() {
            facts.set_sys(
                &format!("interface_flags[{name}]"),
                Value::scalar(flags.as_str()),
            );
            seen.flags.push(flags);
        }

        let is_loopback = entry.flags & IFF_LOOPBACK != 0;
        if entry.flags & IFF_UP != 0 {
            let is_primary = !primary_address_set && !is_loopback;
            ipv4_address(facts, name, address, is_primary, seen);
            primary_address_set |= is_primary;
        }

        // A loopback MAC address is meaningless; aliases (eth0:1) share
        // their link's address.
        if !is_loopback {
            let link_name = name.split(':').next().unwrap_or(name);
            if let Some((_, mac)) = links.get(link_name) {
                let mac = mac_text(mac);
                facts.set_sys(
                    &format!("hardware_mac[{}]", canonify(name)),
                    Value::scalar(mac.as_str()),
                );
                push_unique(&mut seen.hardware, &mac);
                push_unique(&mut seen.interfaces, name);
                facts.define(&format!("mac_{mac}"));
            }
        }
    }
}

/// Facts of one address of an interface that is up. cf-agent replaces an
/// address of 0.0.0.0 by the resolver's address of the host; that legacy
/// path is not reproduced, such an address only gets its own class.
fn ipv4_address(
    facts: &mut HostFacts,
    interface: &str,
    address: Ipv4Addr,
    is_primary: bool,
    seen: &mut Accumulated,
) {
    let text = address.to_string();
    facts.define(&text);
    if address.is_unspecified() {
        return;
    }

    let class = format!("ipv4_{text}");
    facts.define(&class);
    for (cut, _) in class.match_indices('.') {
        facts.define(&class[..cut]);
    }

    if is_primary {
        facts.set_sys("ipv4", Value::scalar(text.as_str()));
    }
    seen.addresses.push(text.clone());

    let interface = canonify(interface);
    facts.set_sys(&format!("ipv4[{interface}]"), Value::scalar(text.as_str()));
    facts.set_sys(
        &format!("ip2iface[{text}]"),
        Value::scalar(interface.as_str()),
    );
    let octets = address.octets().map(|octet| octet.to_string());
    for count in 1..=3 {
        facts.set_sys(
            &format!("ipv4_{count}[{interface}]"),
            Value::scalar(octets[..count].join(".")),
        );
    }
}

/// The IPv6 addresses and `ether` addresses ifconfig would print.
fn ifconfig_view(
    facts: &mut HostFacts,
    links: &BTreeMap<&str, (u16, [u8; 6])>,
    root: &HostRoot,
    ignored: &IgnoredInterfaces,
    seen: &mut Accumulated,
) {
    let ipv6 = root
        .read("/proc/net/if_inet6")
        .map(|text| ipv6_addresses(&text))
        .unwrap_or_default();

    let mut names: Vec<&str> = links.keys().copied().collect();
    names.sort_by(|a, b| natural_order(a, b));
    for name in names {
        for (_, address) in ipv6.iter().filter(|(interface, _)| interface == name) {
            if *address == Ipv6Addr::LOCALHOST || ignored.contains(name) {
                continue;
            }
            let text = address.to_string();
            facts.define(&text);
            facts.define(&format!("ipv6_{text}"));
            seen.addresses.push(text);
            push_unique(&mut seen.interfaces, name);
        }
        if let Some((ARPHRD_ETHER, mac)) = links.get(name) {
            let mac = mac_text(mac);
            if !seen.hardware.contains(&mac) {
                facts.set_sys(
                    &format!("hardware_mac[{}]", canonify(name)),
                    Value::scalar(mac.as_str()),
                );
                seen.hardware.push(mac);
            }
        }
    }
}

/// `(interface, address)` of each line of `/proc/net/if_inet6`, in order.
fn ipv6_addresses(text: &str) -> Vec<(String, Ipv6Addr)> {
    text.lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_ascii_whitespace().collect();
            let [hex, _, _, _, _, interface] = fields.as_slice() else {
                return None;
            };
            let bits = u128::from_str_radix(hex, 16)
                .ok()
                .filter(|_| hex.len() == 32)?;
            Some((interface.to_string(), Ipv6Addr::from(bits)))
        })
        .collect()
}

/// The interface flags as cf-agent spells them, e.g. `up broadcast running
/// multicast`.
fn flag_words(flags: u32) -> String {
    const WORDS: [(u32, &str); 11] = [
        (IFF_UP, "up"),
        (IFF_BROADCAST, "broadcast"),
        (IFF_DEBUG, "debug"),
        (IFF_LOOPBACK, "loopback"),
        (IFF_POINTOPOINT, "pointopoint"),
        (IFF_NOTRAILERS, "notrailers"),
        (IFF_RUNNING, "running"),
        (IFF_NOARP, "noarp"),
        (IFF_PROMISC, "promisc"),
        (IFF_ALLMULTI, "allmulti"),
        (IFF_MULTICAST, "multicast"),
    ];
    WORDS
        .iter()
        .filter(|(bit, _)| flags & bit != 0)
        .map(|(_, word)| *word)
        .collect::<Vec<_>>()
        .join(" ")
}

fn mac_text(mac: &[u8; 6]) -> String {
    mac.iter()
        .map(|byte| format!("{byte:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// Name order with embedded numbers compared by value (`eth2` < `eth10`),
/// the order net-tools' ifconfig lists interfaces in.
fn natural_order(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    loop {
        match (a.first(), b.first()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let a_len = a.iter().take_while(|c| c.is_ascii_digit()).count();
                let b_len = b.iter().take_while(|c| c.is_ascii_digit()).count();
                let (a_digits, a_rest) = a.split_at(a_len);
                let (b_digits, b_rest) = b.split_at(b_len);
                let a_number = trim_leading_zeros(a_digits);
                let b_number = trim_leading_zeros(b_digits);
                let by_value = a_number
                    .len()
                    .cmp(&b_number.len())
                    .then_with(|| a_number.cmp(b_number));
                if by_value != Ordering::Equal {
                    return by_value;
                }
                a = a_rest;
                b = b_rest;
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(y);
                }
                a = &a[1..];
                b = &b[1..];
            }
        }
    }
}

fn trim_leading_zeros(digits: &[u8]) -> &[u8] {
    let zeros = digits.iter().take_while(|&&d| d == b'0').count();
    &digits[zeros..]
}

#[cfg(test)]
mod tests {
    use super::super::test_support::FakeRoot;
    use super::*;

    fn ipv4(name: &str, flags: u32, address: [u8; 4]) -> InterfaceEntry {
        InterfaceEntry {
            name: name.into(),
            flags,
            address: InterfaceAddress::Ipv4(Ipv4Addr::from(address)),
        }
    }

    fn link(name: &str, flags: u32, mac: [u8; 6]) -> InterfaceEntry {
        InterfaceEntry {
            name: name.into(),
            flags,
            address: InterfaceAddress::Link {
                hardware_type: if name == "lo" { 772 } else { ARPHRD_ETHER },
                mac,
            },
        }
    }

    const LOOPBACK: u32 = IFF_UP | IFF_LOOPBACK | IFF_RUNNING;
    const ETHERNET: u32 = IFF_UP | IFF_BROADCAST | IFF_RUNNING | IFF_MULTICAST;
    const DOWN_NOARP: u32 = IFF_BROADCAST | IFF_NOARP;

    /// The interfaces of the host cf-agent was compared with.
    fn vm_interfaces() -> Vec<InterfaceEntry> {
        vec![
            link("lo", LOOPBACK, [0; 6]),
            link("ifb0", DOWN_NOARP, [0x4e, 0x84, 0xd3, 0xdd, 0xe0, 0x42]),
            link("ifb1", DOWN_NOARP, [0x8a, 0x1f, 0xcf, 0x10, 0x80, 0x85]),
            link("eth0", ETHERNET, [0x02, 0xfc, 0, 0, 0, 0x01]),
            ipv4("lo", LOOPBACK, [127, 0, 0, 1]),
            ipv4("eth0", ETHERNET, [192, 0, 2, 2]),
        ]
    }

    fn vm_root() -> FakeRoot {
        let root = FakeRoot::new("network");
        root.file("sbin/ifconfig", "");
        root.file(
            "proc/net/if_inet6",
            "fe8000000000000000fc00fffe000001 04 40 20 80     eth0\n\
             fd000000000000000000000000000002 04 40 00 82     eth0\n\
             00000000000000000000000000000001 01 80 10 80       lo\n",
        );
        root
    }

    fn list(facts: &HostFacts, name: &str) -> Vec<String> {
        facts.sys[name].as_list().unwrap_or_default().to_vec()
    }

    #[test]
    fn vm_matches_cf_agent() {
        let root = vm_root();
        let mut facts = HostFacts::default();
        discover(
            &mut facts,
            &vm_interfaces(),
            &root.host_root(),
            &IgnoredInterfaces::default(),
        );

        for class in [
            "127_0_0_1",
            "ipv4_127",
            "ipv4_127_0",
            "ipv4_127_0_0",
            "ipv4_127_0_0_1",
            "192_0_2_2",
            "ipv4_192",
            "ipv4_192_0",
            "ipv4_192_0_2",
            "ipv4_192_0_2_2",
            "net_iface_lo",
            "net_iface_eth0",
            "mac_02_fc_00_00_00_01",
            "fe80__fc_ff_fe00_1",
            "ipv6_fe80__fc_ff_fe00_1",
            "fd00__2",
            "ipv6_fd00__2",
        ] {
            assert!(facts.is_defined(class), "{class}");
        }
        assert_eq!(facts.classes.len(), 17, "{:?}", facts.classes);

        let scalar = |name: &str| facts.sys_scalar(name).unwrap_or_default().to_string();
        assert_eq!(scalar("ipv4"), "192.0.2.2");
        assert_eq!(scalar("interface"), "eth0");
        assert_eq!(scalar("ipv4[eth0]"), "192.0.2.2");
        assert_eq!(scalar("ipv4_1[eth0]"), "192");
        assert_eq!(scalar("ipv4_2[eth0]"), "192.0");
        assert_eq!(scalar("ipv4_3[eth0]"), "192.0.2");
        assert_eq!(scalar("ipv4[lo]"), "127.0.0.1");
        assert_eq!(scalar("ip2iface[192.0.2.2]"), "eth0");
        assert_eq!(
            scalar("interface_flags[eth0]"),
            "up broadcast running multicast"
        );
        assert_eq!(scalar("interface_flags[lo]"), "up loopback running");
        assert_eq!(scalar("hardware_mac[eth0]"), "02:fc:00:00:00:01");
        assert_eq!(scalar("hardware_mac[ifb0]"), "4e:84:d3:dd:e0:42");
        assert_eq!(scalar("hardware_mac[ifb1]"), "8a:1f:cf:10:80:85");
        assert!(!facts.sys.contains_key("hardware_mac[lo]"));

        assert_eq!(list(&facts, "interfaces"), ["eth0"]);
        assert_eq!(
            list(&facts, "hardware_addresses"),
            [
                "02:fc:00:00:00:01",
                "4e:84:d3:dd:e0:42",
                "8a:1f:cf:10:80:85"
            ]
        );
        assert_eq!(
            list(&facts, "hardware_flags"),
            ["up loopback running", "up broadcast running multicast"]
        );
        assert_eq!(
            list(&facts, "ip_addresses"),
            ["127.0.0.1", "192.0.2.2", "fe80::fc:ff:fe00:1", "fd00::2"]
        );
    }

    #[test]
    fn ignored_interfaces_lose_ipv4_and_ipv6_facts_but_keep_their_mac() {
        let root = vm_root();
        let mut facts = HostFacts::default();
        let ignored = IgnoredInterfaces::from_words(["eth.*"].into_iter());
        discover(&mut facts, &vm_interfaces(), &root.host_root(), &ignored);
        assert!(!facts.is_defined("net_iface_eth0"));
        assert!(!facts.is_defined("ipv6_fd00__2"));
        assert!(!facts.sys.contains_key("ipv4"));
        assert!(!facts.sys.contains_key("interfaces"));
        assert_eq!(facts.sys_scalar("interface"), Some("lo"));
        assert_eq!(
            facts.sys_scalar("hardware_mac[eth0]"),
            Some("02:fc:00:00:00:01")
        );
        assert!(!facts.is_defined("mac_02_fc_00_00_00_01"));
        assert_eq!(list(&facts, "ip_addresses"), ["127.0.0.1"]);
    }

    #[test]
    fn without_ifconfig_there_are_no_ipv6_facts() {
        let root = FakeRoot::new("no-ifconfig");
        let mut facts = HostFacts::default();
        discover(
            &mut facts,
            &vm_interfaces(),
            &root.host_root(),
            &IgnoredInterfaces::default(),
        );
        assert!(!facts.classes.iter().any(|class| class.starts_with("ipv6_")));
        assert_eq!(list(&facts, "hardware_addresses"), ["02:fc:00:00:00:01"]);
        assert_eq!(list(&facts, "ip_addresses"), ["127.0.0.1", "192.0.2.2"]);
    }

    #[test]
    fn aliases_down_interfaces_and_no_interfaces_at_all() {
        let root = FakeRoot::new("aliases");
        let entries = vec![
            link("eth0", ETHERNET, [2, 0, 0, 0, 0, 9]),
            ipv4("eth0", ETHERNET, [10, 1, 2, 3]),
            ipv4("eth0:1", ETHERNET, [10, 1, 2, 4]),
            ipv4("eth1", IFF_BROADCAST, [10, 9, 9, 9]),
        ];
        let mut facts = HostFacts::default();
        discover(
            &mut facts,
            &entries,
            &root.host_root(),
            &IgnoredInterfaces::default(),
        );
        assert_eq!(facts.sys_scalar("ipv4"), Some("10.1.2.3"));
        assert_eq!(facts.sys_scalar("ipv4[eth0_1]"), Some("10.1.2.4"));
        assert_eq!(facts.sys_scalar("ip2iface[10.1.2.4]"), Some("eth0_1"));
        assert_eq!(
            facts.sys_scalar("hardware_mac[eth0_1]"),
            Some("02:00:00:00:00:09")
        );
        assert!(facts.is_defined("net_iface_eth1"));
        assert!(!facts.is_defined("ipv4_10_9_9_9"), "eth1 is down");
        assert_eq!(list(&facts, "interfaces"), ["eth0", "eth0:1"]);

        let mut nothing = HostFacts::default();
        discover(
            &mut nothing,
            &[],
            &root.host_root(),
            &IgnoredInterfaces::default(),
        );
        assert!(nothing.classes.is_empty() && nothing.sys.is_empty());
    }

    #[test]
    fn natural_interface_order() {
        let mut names = vec!["lo", "eth10", "eth2", "ifb0", "eth0", "br-1"];
        names.sort_by(|a, b| natural_order(a, b));
        assert_eq!(names, ["br-1", "eth0", "eth2", "eth10", "ifb0", "lo"]);
    }

    #[test]
    fn flag_spelling() {
        assert_eq!(flag_words(0), "");
        assert_eq!(
            flag_words(IFF_UP | IFF_POINTOPOINT | IFF_NOARP),
            "up pointopoint noarp"
        );
    }
}
