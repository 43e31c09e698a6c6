//! Networks and peers: address ranges, name lookups, host ranges, peer
//! groups.

use std::net::{IpAddr, ToSocketAddrs};

use super::{
    class_result, int_arg, scalar_arg, Arity, Builtin, CallContext, Function, FunctionError,
    FunctionResult,
};
use crate::value::Value;

pub(super) const FUNCTIONS: &[&dyn Function] = &[
    &Builtin {
        name: "host2ip",
        arity: Arity::Exactly(1),
        body: host2ip,
    },
    &Builtin {
        name: "hostinnetgroup",
        arity: Arity::Exactly(1),
        body: hostinnetgroup,
    },
    &Builtin {
        name: "hostrange",
        arity: Arity::Exactly(2),
        body: hostrange,
    },
    &Builtin {
        name: "hostsseen",
        arity: Arity::Exactly(3),
        body: hostsseen,
    },
    &Builtin {
        name: "ip2host",
        arity: Arity::Exactly(1),
        body: ip2host,
    },
    &Builtin {
        name: "iprange",
        arity: Arity::AtLeast(1),
        body: iprange,
    },
    &Builtin {
        name: "isipinsubnet",
        arity: Arity::AtLeast(1),
        body: isipinsubnet,
    },
    &Builtin {
        name: "network_connections",
        arity: Arity::Exactly(0),
        body: network_connections,
    },
    &Builtin {
        name: "readtcp",
        arity: Arity::Exactly(4),
        body: readtcp,
    },
    &Builtin {
        name: "selectservers",
        arity: Arity::Exactly(6),
        body: selectservers,
    },
    &Builtin {
        name: "url_get",
        arity: Arity::Exactly(2),
        body: url_get,
    },
    &Builtin {
        name: "peerleader",
        arity: Arity::Exactly(3),
        body: peerleader,
    },
    &Builtin {
        name: "peerleaders",
        arity: Arity::Exactly(3),
        body: peerleaders,
    },
    &Builtin {
        name: "peers",
        arity: Arity::Exactly(3),
        body: peers,
    },
];

/// An address range: `a.b.c.d/bits`, `a.b.c.d-e` (last octet range) or one
/// address.
pub(crate) fn in_range(range: &str, address: &str) -> bool {
    let Ok(address) = address.trim().parse::<IpAddr>() else {
        return false;
    };
    let range = range.trim();
    if let Some((network, bits)) = range.split_once('/') {
        let (Ok(network), Ok(bits)) = (network.parse::<IpAddr>(), bits.parse::<u32>()) else {
            return false;
        };
        return match (network, address) {
            (IpAddr::V4(n), IpAddr::V4(a)) if bits <= 32 => {
                let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
                u32::from(n) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(a)) if bits <= 128 => {
                let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
                u128::from(n) & mask == u128::from(a) & mask
            }
            _ => false,
        };
    }
    if let Some((first, last)) = range.split_once('-') {
        let (Ok(IpAddr::V4(first)), IpAddr::V4(a)) = (first.parse::<IpAddr>(), address) else {
            return false;
        };
        let Ok(last) = last.parse::<u8>() else {
            return false;
        };
        let (f, o) = (first.octets(), a.octets());
        return f[..3] == o[..3] && (f[3]..=last).contains(&o[3]);
    }
    range.parse::<IpAddr>().is_ok_and(|r| r == address)
}

/// `iprange(range, interface…)`: the host has an address in the range (on
/// one of the interfaces, when named).
fn iprange(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let range = scalar_arg(args, 0)?;
    let mut addresses = Vec::new();
    if args.len() > 1 {
        for at in 1..args.len() {
            let interface = super::strings::canonify_bytes(scalar_arg(args, at)?);
            if let Some(Value::Scalar(a)) = context.variable(&format!("sys.ipv4[{interface}]")) {
                addresses.push(a);
            }
        }
    } else {
        if let Some(Value::List(list)) = context.variable("sys.ip_addresses") {
            addresses.extend(list);
        }
        addresses.push("127.0.0.1".into());
    }
    Ok(class_result(addresses.iter().any(|a| in_range(range, a))))
}

/// `isipinsubnet(range, address…)`: one of the addresses is in the range.
fn isipinsubnet(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let range = scalar_arg(args, 0)?;
    for at in 1..args.len() {
        if in_range(range, scalar_arg(args, at)?) {
            return Ok(class_result(true));
        }
    }
    Ok(class_result(false))
}

/// The first address the resolver gives, IPv4 preferred.
fn host2ip(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let name = scalar_arg(args, 0)?;
    let addresses: Vec<IpAddr> = (name, 0)
        .to_socket_addrs()
        .map_err(|e| FunctionError(format!("host2ip: cannot resolve '{name}': {e}")))?
        .map(|s| s.ip())
        .collect();
    addresses
        .iter()
        .find(|a| a.is_ipv4())
        .or(addresses.first())
        .map(|a| Value::Scalar(a.to_string()))
        .ok_or_else(|| FunctionError(format!("host2ip: no address for '{name}'")))
}

/// Reverse lookup through the C resolver; an address without a name gives
/// itself back, as `getnameinfo` does.
fn ip2host(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let text = scalar_arg(args, 0)?;
    let address: IpAddr = text
        .trim()
        .parse()
        .map_err(|_| FunctionError(format!("ip2host: '{text}' is not an address")))?;
    let socket = std::net::SocketAddr::new(address, 0);
    // SAFETY: the sockaddr structs are plain data, filled completely below.
    let (storage, length) = unsafe {
        let mut storage: libc::sockaddr_storage = std::mem::zeroed();
        let length = match socket {
            std::net::SocketAddr::V4(v4) => {
                let sin = &mut *(&mut storage as *mut _ as *mut libc::sockaddr_in);
                sin.sin_family = libc::AF_INET as libc::sa_family_t;
                sin.sin_addr.s_addr = u32::from_ne_bytes(v4.ip().octets());
                std::mem::size_of::<libc::sockaddr_in>()
            }
            std::net::SocketAddr::V6(v6) => {
                let sin6 = &mut *(&mut storage as *mut _ as *mut libc::sockaddr_in6);
                sin6.sin6_family = libc::AF_INET6 as libc::sa_family_t;
                sin6.sin6_addr.s6_addr = v6.ip().octets();
                std::mem::size_of::<libc::sockaddr_in6>()
            }
        };
        (storage, length as libc::socklen_t)
    };
    let mut host = vec![0 as libc::c_char; 1025];
    // SAFETY: storage holds a valid sockaddr of `length` bytes; host is a
    // writable buffer of the given size.
    let status = unsafe {
        libc::getnameinfo(
            &storage as *const _ as *const libc::sockaddr,
            length,
            host.as_mut_ptr(),
            host.len() as libc::socklen_t,
            std::ptr::null_mut(),
            0,
            0,
        )
    };
    if status != 0 {
        return Err(FunctionError(format!("ip2host: no name for '{text}'")));
    }
    // SAFETY: getnameinfo wrote a NUL-terminated string into host.
    let name = unsafe { std::ffi::CStr::from_ptr(host.as_ptr()) };
    Ok(Value::Scalar(name.to_string_lossy().into_owned()))
}

/// Without NIS netgroups configured, no host is in any netgroup.
fn hostinnetgroup(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    scalar_arg(args, 0)?;
    let configured = std::fs::read_to_string("/etc/nsswitch.conf").is_ok_and(|t| {
        t.lines()
            .any(|l| l.trim_start().starts_with("netgroup:") && l.contains("nis"))
    });
    if configured {
        return Err(FunctionError(
            "hostinnetgroup: NIS netgroups are not supported yet".into(),
        ));
    }
    Ok(class_result(false))
}

/// `hostrange(prefix, "a-b")`: `sys.uqhost` is the prefix followed by a
/// number in the range.
fn hostrange(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let (prefix, range) = (scalar_arg(args, 0)?, scalar_arg(args, 1)?);
    let (low, high) = range
        .split_once('-')
        .and_then(|(a, b)| Some((a.trim().parse::<u64>().ok()?, b.trim().parse::<u64>().ok()?)))
        .ok_or_else(|| FunctionError(format!("hostrange: '{range}' is not a range a-b")))?;
    let host = match context.variable("sys.uqhost") {
        Some(Value::Scalar(host)) => host,
        _ => return Ok(class_result(false)),
    };
    // cf-agent: the host's trailing digits are the number, the rest must
    // equal the prefix ignoring case.
    let base = host.trim_end_matches(|c: char| c.is_ascii_digit());
    if base.is_empty() || !base.eq_ignore_ascii_case(prefix) {
        return Ok(class_result(false));
    }
    let number = host[base.len()..].parse::<u64>().ok();
    Ok(class_result(
        number.is_some_and(|n| (low..=high).contains(&n)),
    ))
}

/// The groups of a peer file: comments removed (`.` spans newlines, as in
/// the read functions), one host per line, `size` hosts a group; and the
/// group holding this host.
fn peer_groups(
    context: &dyn CallContext,
    args: &[Value],
) -> Result<(Vec<Vec<String>>, Option<usize>), FunctionError> {
    let path = scalar_arg(args, 0)?;
    let text = std::fs::read_to_string(path)
        .map_err(|e| FunctionError(format!("cannot read '{path}': {e}")))?;
    let comment = scalar_arg(args, 1)?;
    let text = if comment.is_empty() {
        text
    } else {
        let regex = super::regex::compile(&format!("(?s){comment}"))?;
        regex.replace_all(&text, "").into_owned()
    };
    let size = usize::try_from(int_arg(args, 2)?).unwrap_or(0).max(1);
    let hosts: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    let groups: Vec<Vec<String>> = hosts.chunks(size).map(<[String]>::to_vec).collect();
    let me: Vec<String> = ["sys.uqhost", "sys.fqhost", "sys.host"]
        .iter()
        .filter_map(|n| {
            context
                .variable(n)
                .and_then(|v| v.as_scalar().map(str::to_string))
        })
        .collect();
    let mine = groups.iter().position(|g| g.iter().any(|h| me.contains(h)));
    Ok((groups, mine))
}

fn is_me(context: &dyn CallContext, host: &str) -> bool {
    ["sys.uqhost", "sys.fqhost", "sys.host"].iter().any(|n| {
        context
            .variable(n)
            .and_then(|v| v.as_scalar().map(|s| s == host))
            == Some(true)
    })
}

/// The other members of this host's group.
fn peers(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let (groups, mine) = peer_groups(context, args)?;
    let group = mine.map(|m| groups[m].clone()).unwrap_or_default();
    Ok(Value::List(
        group.into_iter().filter(|h| !is_me(context, h)).collect(),
    ))
}

/// The first member of this host's group; `localhost` when that is us.
fn peerleader(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let (groups, mine) = peer_groups(context, args)?;
    let leader = mine
        .and_then(|m| groups[m].first().cloned())
        .ok_or_else(|| FunctionError("peerleader: this host is in no group".into()))?;
    Ok(Value::Scalar(if is_me(context, &leader) {
        "localhost".into()
    } else {
        leader
    }))
}

fn peerleaders(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let (groups, _) = peer_groups(context, args)?;
    Ok(Value::List(
        groups
            .into_iter()
            .filter_map(|g| g.into_iter().next())
            .map(|l| {
                if is_me(context, &l) {
                    "localhost".into()
                } else {
                    l
                }
            })
            .collect(),
    ))
}

/// `readtcp(host, port, send, maxbytes)`: connects, sends the text (if
/// any), and returns what one `recv` of at most `maxbytes` gives, as
/// cf-agent does (`maxbytes` outside 0..4095 means 4095).
fn readtcp(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let (host, port, send) = (
        scalar_arg(args, 0)?,
        scalar_arg(args, 1)?,
        scalar_arg(args, 2)?,
    );
    let mut stream = connect("readtcp", host, port)?;
    let reply = exchange(&mut stream, send, read_limit(int_arg(args, 3)?))
        .map_err(|e| FunctionError(format!("readtcp: {e}")))?;
    Ok(Value::Scalar(reply))
}

/// `selectservers(@(hosts), port, query, regex, maxbytes, array)`: the
/// hosts of the list that accept a TCP connection on `port` and, when a
/// query is given, answer it with a first read that `regex` fully matches
/// (an empty regex takes any answer). Their names go in `array[0]`,
/// `array[1]`, … in list order; the number of them is returned. A host
/// that cannot be reached is skipped, as cf-agent skips it.
fn selectservers(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    // `"@(hosts)"` arrives as the list itself once the list is known.
    let hosts = match args.first() {
        Some(Value::List(items)) => items.clone(),
        _ => hosts_named(context, scalar_arg(args, 0)?)?,
    };
    let (port, query, regex) = (
        scalar_arg(args, 1)?,
        scalar_arg(args, 2)?,
        scalar_arg(args, 3)?,
    );
    let limit = read_limit(int_arg(args, 4)?);
    let array = scalar_arg(args, 5)?;
    let mut count = 0;
    for host in hosts {
        let Ok(mut stream) = connect("selectservers", &host, port) else {
            continue;
        };
        let answers = query.is_empty()
            || match exchange(&mut stream, query, limit) {
                Ok(reply) => regex.is_empty() || super::regex::full_match(regex, &reply)?,
                Err(_) => false,
            };
        if answers {
            super::define(context, "selectservers", &format!("{array}[{count}]"), host);
            count += 1;
        }
    }
    Ok(Value::Scalar(count.to_string()))
}

/// The list `@(name)` names (cf-agent takes the list by reference).
fn hosts_named(context: &dyn CallContext, reference: &str) -> Result<Vec<String>, FunctionError> {
    let name = reference
        .strip_prefix("@(")
        .and_then(|r| r.strip_suffix(')'))
        .or_else(|| reference.strip_prefix("@{").and_then(|r| r.strip_suffix('}')))
        .ok_or_else(|| {
            FunctionError(format!(
                "selectservers was promised a list called '{reference}', which is not a list reference"
            ))
        })?;
    match context.variable(name) {
        Some(Value::List(items)) => Ok(items),
        Some(_) => Err(FunctionError(format!(
            "selectservers was promised a list called '{name}' but this variable is not a list"
        ))),
        None => Err(FunctionError(format!(
            "selectservers was promised a list called '{name}' but this was not found"
        ))),
    }
}

/// How long a connection or a reply may take (cf-agent's default).
const NETWORK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// At most this many bytes are read; cf-agent takes CF_BUFSIZE - 1 for an
/// out-of-range request.
fn read_limit(requested: i64) -> usize {
    const CF_BUFSIZE: i64 = 4096;
    let limit = if (0..CF_BUFSIZE).contains(&requested) {
        requested
    } else {
        CF_BUFSIZE - 1
    };
    usize::try_from(limit).unwrap_or(0)
}

fn connect(function: &str, host: &str, port: &str) -> Result<std::net::TcpStream, FunctionError> {
    let port: u16 = port
        .trim()
        .parse()
        .map_err(|_| FunctionError(format!("{function}: bad port '{port}'")))?;
    let address = (host, port)
        .to_socket_addrs()
        .map_err(|e| FunctionError(format!("{function}: cannot resolve '{host}': {e}")))?
        .next()
        .ok_or_else(|| FunctionError(format!("{function}: no address for '{host}'")))?;
    let stream = std::net::TcpStream::connect_timeout(&address, NETWORK_TIMEOUT)
        .map_err(|e| FunctionError(format!("{function}: couldn't connect to {address}: {e}")))?;
    let _ = stream.set_read_timeout(Some(NETWORK_TIMEOUT));
    Ok(stream)
}

/// Sends `send` (when not empty) and reads one reply of at most `limit`
/// bytes.
fn exchange(stream: &mut std::net::TcpStream, send: &str, limit: usize) -> std::io::Result<String> {
    use std::io::{Read, Write};
    if !send.is_empty() {
        stream.write_all(send.as_bytes())?;
    }
    let mut buffer = vec![0u8; limit];
    let read = stream.read(&mut buffer)?;
    buffer.truncate(read);
    Ok(String::from_utf8_lossy(&buffer).into_owned())
}

/// Hosts from `cf_lastseen.lmdb`. A host that never talked to a peer has
/// no such database and cf-agent's call fails; reading the LMDB itself is
/// not implemented yet.
fn hostsseen(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    int_arg(args, 0)?;
    let workdir = match context.variable("sys.workdir") {
        Some(Value::Scalar(dir)) => dir,
        _ => "/var/lib/cfengine3".into(),
    };
    let database = format!("{workdir}/cf_lastseen.lmdb");
    if std::path::Path::new(&database).exists() {
        return Err(FunctionError(format!(
            "hostsseen: reading '{database}' is not implemented yet"
        )));
    }
    Err(FunctionError(format!(
        "hostsseen: no lastseen database '{database}'"
    )))
}

/// Debian's cf-agent 3.21 is built without libcurl: every call fails.
fn url_get(_: &dyn CallContext, _: &[Value]) -> FunctionResult {
    Err(FunctionError(
        "url_get: libcurl integration is not compiled into CFEngine (as in Debian's cf-agent 3.21)"
            .into(),
    ))
}

/// `0100007F:0016` (kernel byte order, hex port) as address and port.
fn proc_address(raw: &str) -> Option<(String, String)> {
    let (address, port) = raw.split_once(':')?;
    let port = u16::from_str_radix(port, 16).ok()?.to_string();
    let words: Vec<u32> = (0..address.len() / 8)
        .map(|i| u32::from_str_radix(address.get(i * 8..i * 8 + 8)?, 16).ok())
        .collect::<Option<_>>()?;
    let address = match words.as_slice() {
        [v4] => std::net::Ipv4Addr::from(v4.to_le_bytes()).to_string(),
        [a, b, c, d] => {
            let mut bytes = [0u8; 16];
            for (at, word) in [a, b, c, d].iter().enumerate() {
                bytes[at * 4..at * 4 + 4].copy_from_slice(&word.to_le_bytes());
            }
            std::net::Ipv6Addr::from(bytes).to_string()
        }
        _ => return None,
    };
    Some((address, port))
}

/// cf-agent reads the state column with `%ld` although the kernel writes
/// it in hex, so `0A` (LISTEN) reads as 0 and reports `UNKNOWN`.
fn tcp_state(raw: &str) -> &'static str {
    let digits: String = raw.chars().take_while(char::is_ascii_digit).collect();
    match digits.parse::<u32>().unwrap_or(0) {
        1 => "ESTABLISHED",
        2 => "SYN_SENT",
        3 => "SYN_RECV",
        4 => "FIN_WAIT1",
        5 => "FIN_WAIT2",
        6 => "TIME_WAIT",
        7 => "CLOSE",
        8 => "CLOSE_WAIT",
        9 => "LAST_ACK",
        10 => "LISTEN",
        11 => "CLOSING",
        _ => "UNKNOWN",
    }
}

fn connections(text: &str) -> serde_json::Value {
    let rows = text.lines().filter_map(|line| {
        let mut fields = line.split_whitespace();
        let slot = fields.next()?;
        slot.strip_suffix(':')?.parse::<u64>().ok()?;
        let (local, remote, state) = (fields.next()?, fields.next()?, fields.next()?);
        let (local_address, local_port) = proc_address(local)?;
        let (remote_address, remote_port) = proc_address(remote)?;
        Some(serde_json::json!({
            "local": {"address": local_address, "port": local_port},
            "remote": {"address": remote_address, "port": remote_port},
            "state": tcp_state(state),
        }))
    });
    serde_json::Value::Array(rows.collect())
}

/// `{"tcp": […], "tcp6": […], "udp": […], "udp6": […]}` from /proc/net.
fn network_connections(_: &dyn CallContext, _: &[Value]) -> FunctionResult {
    let mut object = serde_json::Map::new();
    for table in ["tcp", "tcp6", "udp", "udp6"] {
        if let Ok(text) = std::fs::read_to_string(format!("/proc/self/net/{table}")) {
            object.insert(table.to_string(), connections(&text));
        }
    }
    if object.is_empty() {
        return Err(FunctionError(
            "network_connections: /proc/net is not readable".into(),
        ));
    }
    Ok(Value::Data(serde_json::Value::Object(object)))
}

#[cfg(test)]
mod tests {
    use crate::functions::test_context::*;
    use crate::value::Value;

    #[test]
    fn ranges() {
        let mut c = FixedContext::default();
        c.variables
            .insert("sys.uqhost".into(), Value::scalar("web07"));
        c.variables
            .insert("sys.ip_addresses".into(), Value::list(["10.1.2.3"]));
        assert_eq!(
            call(
                &c,
                "isipinsubnet",
                &["10.0.0.0/8", "192.168.1.1", "10.1.1.1"]
            ),
            yes()
        );
        assert_eq!(call(&c, "isipinsubnet", &["10.0.0.0/8", "11.1.1.1"]), no());
        assert_eq!(call(&c, "iprange", &["127.0.0.1-5"]), yes());
        assert_eq!(call(&c, "iprange", &["10.1.2.0/24"]), yes());
        assert_eq!(call(&c, "iprange", &["192.168.0.0/16"]), no());
        assert_eq!(call(&c, "hostrange", &["web", "1-10"]), yes());
        assert_eq!(call(&c, "hostrange", &["web", "8-10"]), no());
        assert_eq!(call(&c, "hostrange", &["WEB", "1-10"]), yes());
        assert_eq!(call(&c, "hostrange", &["we", "1-10"]), no());
        assert!(call(&c, "hostrange", &["web", "x"]).is_err());
        assert_eq!(
            call(&c, "host2ip", &["localhost"]).map(|v| v.as_scalar().is_some()),
            Ok(true)
        );
        assert!(call(&c, "ip2host", &["not an ip"]).is_err());
    }

    #[test]
    fn proc_net_rows() {
        let text = "  sl  local_address rem_address   st tx_queue\n   0: 00000000:07E8 00000000:0000 0A 0\n   1: 0100007F:0016 0200007F:C350 01 0\n";
        assert_eq!(
            super::connections(text),
            serde_json::json!([
                {"local": {"address": "0.0.0.0", "port": "2024"}, "remote": {"address": "0.0.0.0", "port": "0"}, "state": "UNKNOWN"},
                {"local": {"address": "127.0.0.1", "port": "22"}, "remote": {"address": "127.0.0.2", "port": "50000"}, "state": "ESTABLISHED"}
            ])
        );
        let c = FixedContext::default();
        assert!(call(&c, "network_connections", &[]).is_ok());
    }

    #[test]
    fn readtcp_reads_one_reply() {
        use std::io::{Read, Write};
        let Ok(listener) = std::net::TcpListener::bind("127.0.0.1:0") else {
            return;
        };
        let port = listener
            .local_addr()
            .map(|a| a.port())
            .unwrap_or(0)
            .to_string();
        let server = std::thread::spawn(move || {
            if let Ok((mut peer, _)) = listener.accept() {
                let mut request = [0u8; 4];
                let _ = peer.read_exact(&mut request);
                let _ = peer.write_all(b"pong and more");
            }
        });
        let c = FixedContext::default();
        assert_eq!(
            call(&c, "readtcp", &["127.0.0.1", &port, "ping", "4"]),
            scalar("pong")
        );
        let _ = server.join();
        assert!(call(&c, "readtcp", &["127.0.0.1", "1", "", "10"]).is_err());
    }

    #[test]
    fn peer_groups() {
        let mut c = FixedContext::default();
        c.variables.insert("sys.uqhost".into(), Value::scalar("h3"));
        let path = std::env::temp_dir().join(format!("promise-rs-peers-{}", std::process::id()));
        std::fs::write(&path, "h1\nh2\n#x\nh3\nh4\nh5\n").ok();
        let p = path.display().to_string();
        assert_eq!(call(&c, "peers", &[&p, "#[^\n]*", "2"]), list(&["h4"]));
        assert_eq!(
            call(&c, "peerleader", &[&p, "#[^\n]*", "2"]),
            scalar("localhost")
        );
        assert_eq!(
            call(&c, "peerleaders", &[&p, "#[^\n]*", "2"]),
            list(&["h1", "localhost", "h5"])
        );
        let _ = std::fs::remove_file(path);
    }
}
