//! Host identity: `sys.host`, `sys.uqhost`, `sys.fqhost`, `sys.domain` and
//! the classes of the fully qualified name and each of its domain suffixes.

use super::probe::SystemProbe;
use super::HostFacts;
use crate::value::Value;

#[derive(Debug, PartialEq, Eq)]
pub(super) struct HostNames {
    pub fully_qualified: String,
    pub unqualified: String,
    pub domain: String,
}

/// Splits the host's identity the way cf-agent does: the resolver's
/// canonical name wins when it is qualified, otherwise the node name is used
/// and, if the node name itself carries dots, the domain comes from it.
pub(super) fn host_names(nodename: &str, dns_name: &str) -> HostNames {
    let fully_qualified = if dns_name.contains('.') {
        dns_name
    } else {
        nodename
    };
    let after_node = fully_qualified
        .strip_prefix(nodename)
        .and_then(|rest| rest.strip_prefix('.'));
    let (unqualified, domain) = match (after_node, nodename.split_once('.')) {
        (Some(domain), _) => (nodename, domain),
        (None, Some((host, domain))) => (host, domain),
        (None, None) => (nodename, ""),
    };
    HostNames {
        fully_qualified: fully_qualified.to_string(),
        unqualified: unqualified.to_string(),
        domain: domain.to_string(),
    }
}

pub(super) fn discover(facts: &mut HostFacts, probe: &dyn SystemProbe, nodename: &str) {
    let nodename = nodename.to_ascii_lowercase();
    let dns_name = probe
        .host_name()
        .and_then(|name| probe.host_entry(&name))
        .map(|entry| entry.name.to_ascii_lowercase())
        .unwrap_or_default();
    let names = host_names(&nodename, &dns_name);

    // a.b.c defines a_b_c, b_c and c.
    let mut suffix = names.fully_qualified.as_str();
    loop {
        facts.define(suffix);
        match suffix.split_once('.') {
            Some((_, rest)) => suffix = rest,
            None => break,
        }
    }
    facts.define(&names.unqualified);
    facts.define(&names.domain);

    // cf-agent looks the fully qualified name up once more and turns the
    // resolver's aliases for it into classes.
    if let Some(entry) = probe.host_entry(&names.fully_qualified) {
        for alias in &entry.aliases {
            facts.define(alias);
        }
    }

    facts.set_sys("host", Value::scalar(nodename.as_str()));
    facts.set_sys("uqhost", Value::scalar(names.unqualified));
    facts.set_sys("fqhost", Value::scalar(names.fully_qualified));
    facts.set_sys("domain", Value::scalar(names.domain));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(node: &str, dns: &str) -> (String, String, String) {
        let names = host_names(node, dns);
        (names.fully_qualified, names.unqualified, names.domain)
    }

    #[test]
    fn unqualified_node_with_qualified_resolver_name() {
        assert_eq!(
            split("web1", "web1.example.com"),
            (
                "web1.example.com".into(),
                "web1".into(),
                "example.com".into()
            )
        );
    }

    #[test]
    fn unqualified_everywhere_has_an_empty_domain() {
        assert_eq!(split("vm", "vm"), ("vm".into(), "vm".into(), "".into()));
        assert_eq!(split("vm", ""), ("vm".into(), "vm".into(), "".into()));
    }

    #[test]
    fn qualified_node_name_supplies_the_domain() {
        assert_eq!(
            split("db.corp.example", "localhost"),
            ("db.corp.example".into(), "db".into(), "corp.example".into())
        );
    }

    #[test]
    fn resolver_name_for_a_different_host_keeps_node_as_unqualified() {
        assert_eq!(
            split("alpha", "beta.example.com"),
            ("beta.example.com".into(), "alpha".into(), "".into())
        );
    }
}
