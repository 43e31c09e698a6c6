//! The `/proc/net` data containers `sys.inet`, `sys.inet6` and
//! `sys.interfaces_data`, plus one `ipv4_gw_<address>` class per gateway.
//!
//! The JSON layout, including cf-agent's quirks, is reproduced: numbers
//! are 32-bit C `int`s (so counters wrap), IPv6 addresses are printed
//! uncompressed (`fd00:0:0:0:0:0:0:2`), and an IPv6 route's `dest` holds its
//! *source* address because cf-agent writes both into the same key.

use serde_json::{json, Map, Value as Json};

use super::root::HostRoot;
use super::HostFacts;
use crate::value::Value;

const RTF_UP: i64 = 0x1;
const RTF_GATEWAY: i64 = 0x2;
const RTF_HOST: i64 = 0x4;

pub(super) fn discover(facts: &mut HostFacts, root: &HostRoot) {
    let mut inet = Map::new();
    if let Some(text) = root.read("/proc/net/netstat") {
        inet.insert("stats".into(), Json::Object(netstat(&text)));
    }
    if let Some(text) = root.read("/proc/net/route") {
        let routes: Vec<Json> = text
            .lines()
            .filter_map(ipv4_route)
            .map(Json::Object)
            .collect();
        for route in &routes {
            if let Some(gateway) = active_gateway(route) {
                facts.define(&format!("ipv4_gw_{gateway}"));
            }
        }
        // The first active default route; cf-agent's metric comparison
        // never prefers a later one.
        if let Some(default) = routes
            .iter()
            .find(|route| route["active_default_gateway"] == Json::Bool(true))
        {
            inet.insert("default_gateway".into(), default["gateway"].clone());
            inet.insert("default_route".into(), default.clone());
        }
        inet.insert("routes".into(), Json::Array(routes));
    }
    facts.set_sys("inet", Value::Data(Json::Object(inet)));

    let mut inet6 = Map::new();
    if let Some(text) = root.read("/proc/net/snmp6") {
        inet6.insert("stats".into(), Json::Object(snmp6(&text)));
    }
    if let Some(text) = root.read("/proc/net/ipv6_route") {
        let routes = text.lines().filter_map(ipv6_route).map(Json::Object);
        inet6.insert("routes".into(), Json::Array(routes.collect()));
    }
    if let Some(text) = root.read("/proc/net/if_inet6") {
        inet6.insert("addresses".into(), Json::Object(ipv6_addresses(&text)));
    }
    facts.set_sys("inet6", Value::Data(Json::Object(inet6)));

    if let Some(text) = root.read("/proc/net/dev") {
        facts.set_sys(
            "interfaces_data",
            Value::Data(Json::Object(device_counters(&text))),
        );
    }
}

/// C `int` truncation of a parsed number, as cf-agent stores JSON integers.
fn c_int(value: i64) -> Json {
    Json::from(value as i32)
}

fn is_hex(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_hexdigit())
}

fn is_decimal(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// `%ld` of the leading digits, or the text itself when there are none.
fn decimal_or_text(text: &str) -> Json {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    match text[..digits].parse::<i64>() {
        Ok(value) => c_int(value),
        Err(_) => Json::String(text.to_string()),
    }
}

/// An address in `/proc/net` hex notation: 8 digits are an IPv4 address in
/// host (little-endian) byte order, 32 digits an IPv6 address.
fn hex_address(hex: &str) -> Option<String> {
    if !is_hex(hex) {
        return None;
    }
    match hex.len() {
        8 => {
            let value = u32::from_str_radix(hex, 16).ok()?;
            let [a, b, c, d] = value.to_le_bytes();
            Some(format!("{a}.{b}.{c}.{d}"))
        }
        32 => {
            let groups: Option<Vec<String>> = (0..8)
                .map(|group| {
                    let word = &hex[group * 4..group * 4 + 4];
                    u16::from_str_radix(word, 16).ok().map(|w| format!("{w:x}"))
                })
                .collect();
            Some(groups?.join(":"))
        }
        _ => None,
    }
}

/// `Type: Name1 Name2 ...` header lines, each followed by a line of values.
fn netstat(text: &str) -> Map<String, Json> {
    let mut stats = Map::new();
    let mut lines = text.lines();
    while let Some(header) = lines.next() {
        let Some(colon) = header.find(':') else {
            continue;
        };
        let kind = &header[..colon];
        let Some(names) = header.get(colon + 2..).filter(|names| !names.is_empty()) else {
            continue;
        };
        let mut table = Map::new();
        let values = lines.next().and_then(|line| line.get(kind.len() + 2..));
        if let Some(values) = values.filter(|values| !values.is_empty()) {
            for (name, value) in names.split(' ').zip(values.split(' ')) {
                table.insert(name.to_string(), Json::String(value.to_string()));
            }
        }
        stats.insert(kind.to_string(), Json::Object(table));
    }
    stats
}

/// One line of `/proc/net/route`:
/// `Iface Destination Gateway Flags RefCnt Use Metric Mask MTU Window IRTT`.
fn ipv4_route(line: &str) -> Option<Map<String, Json>> {
    let fields: Vec<&str> = line.split('\t').collect();
    if fields.len() < 11 || fields[0].is_empty() || fields[0].contains(char::is_whitespace) {
        return None;
    }
    // cf-agent's pattern: the addresses, flags, metric, mask and the start
    // of IRTT are hex digits, the counters decimal digits.
    let irtt: String = fields[10]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    if [1, 2, 3, 6, 7].iter().any(|&i| !is_hex(fields[i]))
        || irtt.is_empty()
        || [4, 5, 8, 9].iter().any(|&i| !is_decimal(fields[i]))
    {
        return None;
    }
    let raw_flags = i64::from_str_radix(fields[3], 16).ok()?;
    let dest = hex_address(fields[1])?;
    let gateway = hex_address(fields[2])?;
    let mask = hex_address(fields[7])?;
    let is_up = raw_flags & RTF_UP != 0;
    let is_gateway = raw_flags & RTF_GATEWAY != 0;
    let is_default = dest == "0.0.0.0";
    let flags = json!([
        if is_up { "up" } else { "down" },
        if raw_flags & RTF_HOST != 0 {
            "host"
        } else {
            "net"
        },
        if is_default { "default" } else { "not_default" },
        if is_gateway { "gateway" } else { "local" },
    ]);
    let mut route = Map::new();
    route.insert("interface".into(), Json::String(fields[0].to_string()));
    route.insert("dest".into(), Json::String(dest));
    route.insert("gateway".into(), Json::String(gateway));
    route.insert("mask".into(), Json::String(mask));
    route.insert("refcnt".into(), decimal_or_text(fields[4]));
    route.insert("use".into(), decimal_or_text(fields[5]));
    route.insert("metric".into(), decimal_or_text(fields[6]));
    route.insert("mtu".into(), decimal_or_text(fields[8]));
    route.insert("window".into(), decimal_or_text(fields[9]));
    route.insert("irtt".into(), decimal_or_text(&irtt));
    route.insert("flags".into(), flags);
    route.insert(
        "active_default_gateway".into(),
        Json::Bool(is_default && is_up && is_gateway),
    );
    Some(route)
}

/// The gateway of a route that is up and goes through one.
fn active_gateway(route: &Json) -> Option<&str> {
    let flags = route["flags"].as_array()?;
    let has = |word: &str| flags.iter().any(|flag| flag == word);
    (has("up") && has("gateway"))
        .then(|| route["gateway"].as_str())
        .flatten()
}

/// `Name value` lines, values as (C `int`) numbers.
fn snmp6(text: &str) -> Map<String, Json> {
    text.lines()
        .filter_map(|line| {
            let mut words = line.split_ascii_whitespace();
            let key = words.next()?;
            let value = words.next()?;
            let digits = value.bytes().take_while(u8::is_ascii_digit).count();
            let number = value[..digits].parse::<i64>().ok()?;
            Some((key.to_string(), c_int(number)))
        })
        .collect()
}

/// One line of `/proc/net/ipv6_route`: destination, prefix, source, prefix,
/// next hop, metric, reference count, use count, flags, interface.
fn ipv6_route(line: &str) -> Option<Map<String, Json>> {
    let fields: Vec<&str> = line.split_ascii_whitespace().collect();
    let [dest, dest_prefix, source, source_prefix, next_hop, metric, refcnt, used, flags, interface, ..] =
        fields.as_slice()
    else {
        return None;
    };
    if [
        dest,
        dest_prefix,
        source,
        source_prefix,
        next_hop,
        metric,
        flags,
    ]
    .iter()
    .any(|field| !is_hex(field))
        || !is_decimal(refcnt)
        || !is_decimal(used)
    {
        return None;
    }
    let raw_flags = i64::from_str_radix(flags, 16).ok()?;
    let mut route = Map::new();
    route.insert("dest_prefix".into(), Json::String(dest_prefix.to_string()));
    route.insert(
        "source_prefix".into(),
        Json::String(source_prefix.to_string()),
    );
    route.insert("interface".into(), Json::String(interface.to_string()));
    // cf-agent rewrites the destination and then the source into "dest".
    if let Some(address) = hex_address(source).or_else(|| hex_address(dest)) {
        route.insert("dest".into(), Json::String(address));
    }
    if let Some(address) = hex_address(next_hop) {
        route.insert("next_hop".into(), Json::String(address));
    }
    route.insert(
        "metric".into(),
        c_int(i64::from_str_radix(metric, 16).unwrap_or_default()),
    );
    route.insert("refcnt".into(), decimal_or_text(refcnt));
    route.insert("use".into(), decimal_or_text(used));
    route.insert(
        "flags".into(),
        json!([
            if raw_flags & RTF_UP != 0 {
                "up"
            } else {
                "down"
            },
            if raw_flags & RTF_HOST != 0 {
                "host"
            } else {
                "net"
            },
            if raw_flags & RTF_GATEWAY != 0 {
                "gateway"
            } else {
                "local"
            },
        ]),
    );
    Some(route)
}

/// `/proc/net/if_inet6`, one entry per interface: a global address is
/// preferred over a link-local one, otherwise the later line wins.
fn ipv6_addresses(text: &str) -> Map<String, Json> {
    let mut addresses = Map::new();
    for line in text.lines() {
        let fields: Vec<&str> = line.split_ascii_whitespace().collect();
        let [raw, device, prefix, scope, flags, interface, ..] = fields.as_slice() else {
            continue;
        };
        if [raw, device, prefix, scope, flags]
            .iter()
            .any(|f| !is_hex(f))
        {
            continue;
        }
        let Some(address) = hex_address(raw) else {
            continue;
        };
        let number = |hex: &str| c_int(i64::from_str_radix(hex, 16).unwrap_or_default());
        let entry = json!({
            "address": address,
            "device_number": number(device),
            "prefix_length": number(prefix),
            "scope": number(scope),
            "raw_flags": flags,
            "interface": interface,
        });
        let keep_previous = addresses.get(*interface).is_some_and(|previous: &Json| {
            address_rank(previous["address"].as_str()) > address_rank(Some(&address))
        });
        if !keep_previous {
            addresses.insert(interface.to_string(), entry);
        }
    }
    addresses
}

/// 0 for an unparsable address, 1 for link-local (fe80::/10), 2 otherwise.
fn address_rank(address: Option<&str>) -> u8 {
    let Some((first, _)) = address.and_then(|a| a.split_once(':')) else {
        return 0;
    };
    match u32::from_str_radix(first, 16) {
        Ok(word) if word & 0xffc0 == 0xfe80 => 1,
        Ok(_) => 2,
        Err(_) => 0,
    }
}

/// `/proc/net/dev` counters per device, all as text, under cf-agent's key
/// names (which follow its regular expression, not the kernel's header).
fn device_counters(text: &str) -> Map<String, Json> {
    const KEYS: [&str; 16] = [
        "receive_bytes",
        "receive_packets",
        "receive_errors",
        "receive_drop",
        "receive_fifo",
        "receive_frame",
        "receive_compressed",
        "receive_multicast",
        "transmit_bytes",
        "transmit_packets",
        "transmit_errors",
        "transmit_drop",
        "transmit_fifo",
        "transmit_frame",
        "transmit_compressed",
        "transmit_multicast",
    ];
    let mut devices = Map::new();
    for line in text.lines() {
        let Some((device, counters)) = line.trim_start().split_once(':') else {
            continue;
        };
        if device.is_empty() {
            continue;
        }
        let values: Vec<&str> = counters.split_ascii_whitespace().take(KEYS.len()).collect();
        if values.len() < KEYS.len() || !values.iter().all(|v| is_decimal(v)) {
            continue;
        }
        let mut entry = Map::new();
        entry.insert("device".into(), Json::String(device.to_string()));
        for (key, value) in KEYS.iter().zip(values) {
            entry.insert(key.to_string(), Json::String(value.to_string()));
        }
        devices.insert(device.to_string(), Json::Object(entry));
    }
    devices
}

#[cfg(test)]
mod tests {
    use super::super::test_support::FakeRoot;
    use super::*;

    fn vm_root() -> FakeRoot {
        let root = FakeRoot::new("procnet");
        root.file(
            "proc/net/route",
            "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT       \n\
             eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0         \n\
             eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0         \n",
        );
        root.file(
            "proc/net/netstat",
            "TcpExt: SyncookiesSent SyncookiesRecv\nTcpExt: 0 7\nIpExt: InNoRoutes\nIpExt: 3\n",
        );
        root.file(
            "proc/net/snmp6",
            "Ip6InReceives                   \t2\nIp6InOctets \t3000000000\n",
        );
        root.file(
            "proc/net/ipv6_route",
            "00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd000000000000000000000000000001 00000400 00000003 00000000 00000003     eth0\n\
             00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo\n",
        );
        root.file(
            "proc/net/if_inet6",
            "fe8000000000000000fc00fffe000001 04 40 20 80     eth0\n\
             fd000000000000000000000000000002 04 40 00 82     eth0\n\
             00000000000000000000000000000001 01 80 10 80       lo\n",
        );
        root.file(
            "proc/net/dev",
            "Inter-|   Receive                                                |  Transmit\n \
             face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n    \
             lo:    6386      58    0    0    0     0          0         0     6386      58    0    0    0     0       0          0\n  \
             eth0: 71034432    3465    0    0    0     0          0         0   195011    2016    0    0    0     0       0          0\n",
        );
        root
    }

    fn data<'a>(facts: &'a HostFacts, name: &str) -> &'a Json {
        match &facts.sys[name] {
            Value::Data(json) => json,
            other => panic!("{name} is {other:?}"),
        }
    }

    #[test]
    fn inet_routes_gateway_and_stats() {
        let mut facts = HostFacts::default();
        discover(&mut facts, &vm_root().host_root());
        assert!(facts.is_defined("ipv4_gw_192_0_2_1"));
        let inet = data(&facts, "inet");
        assert_eq!(inet["default_gateway"], "192.0.2.1");
        assert_eq!(
            inet["default_route"],
            json!({
                "active_default_gateway": true, "dest": "0.0.0.0",
                "flags": ["up", "net", "default", "gateway"], "gateway": "192.0.2.1",
                "interface": "eth0", "irtt": 0, "mask": "0.0.0.0", "metric": 0, "mtu": 0,
                "refcnt": 0, "use": 0, "window": 0
            })
        );
        assert_eq!(inet["routes"][1]["dest"], "192.0.2.0");
        assert_eq!(inet["routes"][1]["mask"], "255.255.255.0");
        assert_eq!(
            inet["routes"][1]["flags"],
            json!(["up", "net", "not_default", "local"])
        );
        assert_eq!(inet["routes"].as_array().map(Vec::len), Some(2));
        assert_eq!(
            inet["stats"],
            json!({"TcpExt": {"SyncookiesSent": "0", "SyncookiesRecv": "7"}, "IpExt": {"InNoRoutes": "3"}})
        );
    }

    #[test]
    fn inet6_routes_addresses_and_wrapping_stats() {
        let mut facts = HostFacts::default();
        discover(&mut facts, &vm_root().host_root());
        let inet6 = data(&facts, "inet6");
        assert_eq!(
            inet6["addresses"]["eth0"],
            json!({
                "address": "fd00:0:0:0:0:0:0:2", "device_number": 4, "interface": "eth0",
                "prefix_length": 64, "raw_flags": "82", "scope": 0
            })
        );
        assert_eq!(inet6["addresses"]["lo"]["address"], "0:0:0:0:0:0:0:1");
        assert_eq!(
            inet6["routes"][0],
            json!({
                "dest": "0:0:0:0:0:0:0:0", "dest_prefix": "00", "flags": ["up", "net", "gateway"],
                "interface": "eth0", "metric": 1024, "next_hop": "fd00:0:0:0:0:0:0:1",
                "refcnt": 3, "source_prefix": "00", "use": 0
            })
        );
        assert_eq!(inet6["routes"][1]["metric"], -1);
        assert_eq!(inet6["routes"][1]["flags"], json!(["down", "net", "local"]));
        assert_eq!(inet6["stats"]["Ip6InReceives"], 2);
        assert_eq!(inet6["stats"]["Ip6InOctets"], 3_000_000_000u32 as i32);
    }

    #[test]
    fn device_counters_keyed_by_device() {
        let mut facts = HostFacts::default();
        discover(&mut facts, &vm_root().host_root());
        let devices = data(&facts, "interfaces_data");
        assert_eq!(devices["eth0"]["receive_bytes"], "71034432");
        assert_eq!(devices["eth0"]["transmit_packets"], "2016");
        assert_eq!(devices["lo"]["device"], "lo");
        assert_eq!(devices.as_object().map(Map::len), Some(2));
    }

    #[test]
    fn missing_proc_still_defines_empty_inet_containers() {
        let mut facts = HostFacts::default();
        discover(&mut facts, &FakeRoot::new("no-proc").host_root());
        assert_eq!(facts.sys["inet"], Value::Data(json!({})));
        assert_eq!(facts.sys["inet6"], Value::Data(json!({})));
        assert!(!facts.sys.contains_key("interfaces_data"));
        assert!(facts.classes.is_empty());
    }
}
