//! Bootstrap state: `sys.policy_hub`, `sys.policy_hub_port`,
//! `sys.bootstrap_id`, `sys.last_policy_update` and the `am_policy_hub` /
//! `policy_server` classes.
//!
//! As in cf-agent 3.21 when not bootstrapping: the host is bootstrapped when
//! `<workdir>/policy_server.dat` has a first line; it is the policy server
//! when, in addition, `<statedir>/am_policy_hub` exists. Whether the hub
//! address belongs to this host is only checked at bootstrap time, so it is
//! not checked here.

use std::fs;
use std::io::Read;
use std::path::Path;

use super::paths::AgentDirs;
use super::probe::SystemProbe;
use super::root::first_line;
use super::HostFacts;
use crate::value::Value;

/// cf-agent's default port, used when policy_server.dat names none.
const DEFAULT_PORT: &str = "5308";

/// cf-agent treats longer host parts as names, never as addresses.
const MAX_IP_LENGTH: usize = 64;

/// A bootstrap id is 40 base64 characters and a newline.
const BOOTSTRAP_ID_LENGTH: usize = 40;

#[derive(Debug, PartialEq, Eq)]
enum HostKind {
    Ipv4,
    Ipv6,
    Name,
}

/// `host`, `host:port`, `[host]:port` or a bare IPv6 address, classified
/// the way cf-agent's `ParseHostPort` does (by shape, not by validity).
fn parse_host_port(text: &str) -> (Option<&str>, Option<&str>, HostKind) {
    let text = text.trim();
    let starts_with_digit = |host: &str| host.starts_with(|c: char| c.is_ascii_digit());
    let first_colon = text.find(':');
    let first_dot = text.find('.');
    let (host, port, kind) = if let Some(bracketed) = text.strip_prefix('[') {
        match bracketed.split_once(']') {
            Some((host, after)) => {
                let kind = if host.contains(':') {
                    HostKind::Ipv6
                } else if starts_with_digit(host) {
                    HostKind::Ipv4
                } else {
                    HostKind::Name
                };
                (host, after.strip_prefix(':'), kind)
            }
            None => (bracketed, None, HostKind::Name),
        }
    } else {
        match first_colon {
            None => {
                let kind = if starts_with_digit(text) {
                    HostKind::Ipv4
                } else {
                    HostKind::Name
                };
                (text, None, kind)
            }
            Some(colon) if first_dot.is_none_or(|dot| colon < dot) => {
                let after = &text[colon + 1..];
                if after.contains(':') {
                    (text, None, HostKind::Ipv6)
                } else {
                    (&text[..colon], Some(after), HostKind::Name)
                }
            }
            Some(colon) => {
                let host = &text[..colon];
                let kind = if starts_with_digit(host) {
                    HostKind::Ipv4
                } else {
                    HostKind::Name
                };
                (host, Some(&text[colon + 1..]), kind)
            }
        }
    };
    let host = (!host.is_empty()).then_some(host);
    let port = port.filter(|port| !port.is_empty());
    let kind = match host {
        Some(host) if host.len() < MAX_IP_LENGTH => kind,
        _ => HostKind::Name,
    };
    (host, port, kind)
}

pub(super) fn discover(facts: &mut HostFacts, dirs: &AgentDirs, probe: &dyn SystemProbe) {
    let Some(policy_server) = first_line(&Path::new(&dirs.workdir).join("policy_server.dat"))
    else {
        return;
    };
    let policy_server = policy_server.trim();
    if !policy_server.is_empty() {
        let (host, port, kind) = parse_host_port(policy_server);
        let address = match (host, kind) {
            (Some(host), HostKind::Ipv4 | HostKind::Ipv6) => Some(host.to_string()),
            (Some(host), HostKind::Name) => probe.resolve_address(host),
            (None, _) => None,
        };
        if let Some(address) = address {
            facts.set_sys("policy_hub", Value::scalar(address));
        }
        facts.set_sys(
            "policy_hub_port",
            Value::scalar(port.unwrap_or(DEFAULT_PORT)),
        );
    }

    if let Some(id) = bootstrap_id(&Path::new(&dirs.workdir).join("bootstrap_id.dat")) {
        facts.set_sys("bootstrap_id", Value::scalar(id));
    }

    let validated = Path::new(&dirs.masterdir).join("cf_promises_validated");
    let modified = fs::metadata(validated)
        .and_then(|metadata| metadata.modified())
        .ok()
        .and_then(super::unix_seconds);
    if let Some(local) = modified.and_then(|seconds| probe.local_time(seconds)) {
        facts.set_sys("last_policy_update", Value::scalar(local.ctime()));
    }

    if Path::new(&dirs.statedir).join("am_policy_hub").exists() {
        facts.define("am_policy_hub");
        facts.define("policy_server");
    }
}

/// The id when the file holds exactly 41 bytes, its first 40.
fn bootstrap_id(path: &Path) -> Option<String> {
    let mut bytes = Vec::new();
    fs::File::open(path)
        .ok()?
        .take(BOOTSTRAP_ID_LENGTH as u64 + 1)
        .read_to_end(&mut bytes)
        .ok()?;
    (bytes.len() == BOOTSTRAP_ID_LENGTH + 1)
        .then(|| String::from_utf8_lossy(&bytes[..BOOTSTRAP_ID_LENGTH]).into_owned())
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{FakeRoot, FakeSystem};
    use super::*;

    fn discovered(workdir: &FakeRoot) -> HostFacts {
        let mut facts = HostFacts::default();
        discover(
            &mut facts,
            &AgentDirs::new(workdir.path()),
            &FakeSystem::vm(),
        );
        facts
    }

    #[test]
    fn host_port_shapes() {
        assert_eq!(
            parse_host_port("192.0.2.10"),
            (Some("192.0.2.10"), None, HostKind::Ipv4)
        );
        assert_eq!(
            parse_host_port("192.0.2.10:5309"),
            (Some("192.0.2.10"), Some("5309"), HostKind::Ipv4)
        );
        assert_eq!(
            parse_host_port("hub.example.com:5309"),
            (Some("hub.example.com"), Some("5309"), HostKind::Name)
        );
        assert_eq!(
            parse_host_port("localhost:"),
            (Some("localhost"), None, HostKind::Name)
        );
        assert_eq!(
            parse_host_port("fd00::1"),
            (Some("fd00::1"), None, HostKind::Ipv6)
        );
        assert_eq!(
            parse_host_port("[fd00::1]:5309"),
            (Some("fd00::1"), Some("5309"), HostKind::Ipv6)
        );
        assert_eq!(
            parse_host_port("[hub]"),
            (Some("hub"), None, HostKind::Name)
        );
        assert_eq!(
            parse_host_port(":5309"),
            (None, Some("5309"), HostKind::Name)
        );
    }

    #[test]
    fn not_bootstrapped_without_policy_server_dat() {
        let workdir = FakeRoot::new("hub-none");
        workdir.file("state/am_policy_hub", "");
        let facts = discovered(&workdir);
        assert!(facts.classes.is_empty());
        assert!(facts.sys.is_empty());
    }

    #[test]
    fn bootstrapped_client_to_an_address() {
        let workdir = FakeRoot::new("hub-client");
        workdir.file("policy_server.dat", "  192.0.2.10  \n");
        let facts = discovered(&workdir);
        assert_eq!(facts.sys_scalar("policy_hub"), Some("192.0.2.10"));
        assert_eq!(facts.sys_scalar("policy_hub_port"), Some("5308"));
        assert!(!facts.is_defined("am_policy_hub"));
        assert!(!facts.is_defined("policy_server"));
    }

    #[test]
    fn bootstrapped_hub_by_name_with_state_files() {
        let workdir = FakeRoot::new("hub-server");
        workdir.file("policy_server.dat", "localhost:5309\n");
        workdir.file("state/am_policy_hub", "");
        workdir.file(
            "bootstrap_id.dat",
            "abcdefghijabcdefghijabcdefghijabcdefghij\n",
        );
        workdir.file("masterfiles/cf_promises_validated", "{}");
        let facts = discovered(&workdir);
        assert_eq!(facts.sys_scalar("policy_hub"), Some("127.0.0.1"));
        assert_eq!(facts.sys_scalar("policy_hub_port"), Some("5309"));
        assert_eq!(
            facts.sys_scalar("bootstrap_id"),
            Some("abcdefghijabcdefghijabcdefghijabcdefghij")
        );
        assert!(facts.sys.contains_key("last_policy_update"));
        assert!(facts.is_defined("am_policy_hub"));
        assert!(facts.is_defined("policy_server"));
    }

    #[test]
    fn unresolvable_hub_keeps_the_port_and_blank_file_still_counts() {
        let workdir = FakeRoot::new("hub-unresolvable");
        workdir.file("policy_server.dat", "nowhere.invalid\n");
        let facts = discovered(&workdir);
        assert!(!facts.sys.contains_key("policy_hub"));
        assert_eq!(facts.sys_scalar("policy_hub_port"), Some("5308"));

        let workdir = FakeRoot::new("hub-blank");
        workdir.file("policy_server.dat", "   \n");
        workdir.file("state/am_policy_hub", "");
        workdir.file("bootstrap_id.dat", "short\n");
        let facts = discovered(&workdir);
        assert!(facts.sys.is_empty());
        assert!(facts.is_defined("am_policy_hub"));
    }
}
