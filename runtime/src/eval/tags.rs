//! Meta tags of classes and variables, as cf-agent 3.21 keeps them for
//! `getclassmetatags`, `getvariablemetatags` and the tag filters of
//! `classesmatching`, `variablesmatching`…
//!
//! Policy definitions carry `source=promise` and their `meta` list;
//! functions that fill arrays `source=function`, `function=NAME`; `-D`
//! classes `source=environment`; module lines the `^meta` of the module
//! (plus `source=module`), or no tag set at all. Hard classes and `sys.*`
//! get the tags cf-agent gives its discovered facts, derived here from the
//! name (see [`hard_class_tags`], [`special_variable_tags`]).

use std::collections::HashMap;

use crate::facts::{canonify, HostFacts};

/// Tags of soft classes and policy variables, by name.
#[derive(Debug, Default)]
pub struct MetaTags {
    /// `ns:bundle` scope → variable key → tags.
    variables: HashMap<String, HashMap<String, Vec<String>>>,
    /// Qualified class name (see `context::qualify`) → tags.
    classes: HashMap<String, Vec<String>>,
}

impl MetaTags {
    pub fn set_variable(&mut self, scope: &str, key: &str, tags: Vec<String>) {
        self.variables
            .entry(scope.to_string())
            .or_default()
            .insert(key.to_string(), tags);
    }

    /// Forgets a variable's tags: its new definition came without a set.
    pub fn clear_variable(&mut self, scope: &str, key: &str) {
        if let Some(vars) = self.variables.get_mut(scope) {
            vars.remove(key);
        }
    }

    pub fn variable(&self, scope: &str, key: &str) -> Option<&[String]> {
        self.variables.get(scope)?.get(key).map(Vec::as_slice)
    }

    pub fn set_class(&mut self, qualified: &str, tags: Vec<String>) {
        self.classes.insert(qualified.to_string(), tags);
    }

    pub fn class(&self, qualified: &str) -> Option<&[String]> {
        self.classes.get(qualified).map(Vec::as_slice)
    }
}

/// `first` then `rest`, each tag once, in order (cf-agent's tag sets keep
/// insertion order for the sizes policies use).
pub fn tag_set<'a>(first: &[&'a str], rest: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for tag in first.iter().copied().chain(rest) {
        if !out.iter().any(|t| t == tag) {
            out.push(tag.to_string());
        }
    }
    out
}

/// Tags of a `vars` or `classes` promise with the given `meta` list.
pub fn promise_tags(meta: &[String]) -> Vec<String> {
    tag_set(&["source=promise"], meta.iter().map(String::as_str))
}

/// Tags of an array entry a function defined.
pub fn function_tags(function: &str) -> Vec<String> {
    vec!["source=function".into(), format!("function={function}")]
}

const TIME_BASED: &[&str] = &[
    "time_based",
    "cfengine_internal_time_based_autoremove",
    "source=agent",
    "hardclass",
];
const AGENT: &[&str] = &["source=agent", "hardclass"];
const INVENTORY: &[&str] = &["inventory", "attribute_name=none", "source=agent"];

/// The tags cf-agent gives hard class `name`.
pub fn hard_class_tags(facts: &HostFacts, name: &str) -> Vec<String> {
    let owned = |tags: &[&str]| tags.iter().map(|t| t.to_string()).collect::<Vec<_>>();
    if is_time_class(name) {
        return owned(TIME_BASED);
    }
    if name == "agent" {
        return owned(&["cfe_internal", "source=agent", "hardclass"]);
    }
    if name.starts_with("ipv4_gw_") {
        return owned(&[
            "inventory",
            "networking",
            "/proc",
            "source=agent",
            "attribute_name=none",
            "procfs",
            "hardclass",
        ]);
    }
    let plain = ["any", "32_bit", "64_bit"].contains(&name)
        || ["compiled_on_", "feature", "net_iface_"]
            .iter()
            .any(|prefix| name.starts_with(prefix));
    if plain {
        return owned(AGENT);
    }
    // cf-agent names uname's machine `sys.machine` in tags; its variable
    // is `sys.arch`.
    let sys = |key: &str| {
        let key = if key == "machine" { "arch" } else { key };
        facts.sys_scalar(key).map(canonify).unwrap_or_default()
    };
    let joined =
        |keys: &[&str]| canonify(&keys.iter().map(|k| sys(k)).collect::<Vec<_>>().join("_"));
    let derived: &[&str] = if name == sys("long_arch") {
        &["derived-from=sys.long_arch"]
    } else if name == joined(&["sysname", "machine", "release"]) {
        &[
            "derived-from=sys.sysname",
            "derived-from=sys.machine",
            "derived-from=sys.release",
        ]
    } else if name == joined(&["sysname", "machine"]) {
        &["derived-from=sys.sysname", "derived-from=sys.machine"]
    } else if name == sys("machine") {
        &["derived-from=sys.machine"]
    } else if name.strip_suffix("_cpus").is_some_and(|n| n == sys("cpus")) {
        &["derived-from=sys.cpus"]
    } else {
        &[]
    };
    if !derived.is_empty() {
        return tag_set(
            &["source=agent"],
            derived.iter().copied().chain(["hardclass"]),
        );
    }
    let inventory_source: &[&str] = if name == sys("class") {
        &["derived-from=sys.class"]
    } else if name == sys("flavor") {
        &["derived-from=sys.flavor"]
    } else if name == sys("uqhost") || name == sys("fqhost") {
        &["derived-from=sys.fqhost"]
    } else if name == joined(&["sysname", "release"]) {
        &["derived-from=sys.sysname", "derived-from=sys.release"]
    } else if is_debian_point_release(name) {
        &["derived-from-file=/etc/debian_version"]
    } else if os_release_id(facts).is_some_and(|id| id == name) {
        &["derived-from-file=/etc/os-release"]
    } else {
        &[]
    };
    tag_set(
        INVENTORY,
        inventory_source.iter().copied().chain(["hardclass"]),
    )
}

/// `Hr14`, `GMT_Min05_10`, `Wednesday`, `Lcycle_1`… (facts::time).
fn is_time_class(name: &str) -> bool {
    let name = name.strip_prefix("GMT_").unwrap_or(name);
    if compiler::hard_classes::is_calendar_word(name) {
        return true;
    }
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let numbered = |prefix: &str| name.strip_prefix(prefix).is_some_and(digits);
    if ["Hr", "Min", "Day", "Yr", "Q", "Lcycle_"]
        .iter()
        .any(|p| numbered(p))
    {
        return true;
    }
    // Hr14_Q3, Min05_10
    match name.split_once('_') {
        Some((head, tail)) if head.starts_with("Hr") && digits(&head[2..]) => {
            tail.strip_prefix('Q').is_some_and(digits)
        }
        Some((head, tail)) if head.starts_with("Min") && digits(&head[3..]) => digits(tail),
        _ => false,
    }
}

fn is_debian_point_release(name: &str) -> bool {
    let Some(version) = name.strip_prefix("debian_") else {
        return false;
    };
    let parts: Vec<&str> = version.split('_').collect();
    parts.len() == 2
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

fn os_release_id(facts: &HostFacts) -> Option<String> {
    match facts.sys.get("os_release")? {
        crate::value::Value::Data(json) => json.get("ID")?.as_str().map(canonify),
        _ => None,
    }
}

/// The tags of `sys.*`, `const.*` and built-in `def.*` variables; `key` is
/// the stored key (`hardware_mac[eth0]`).
pub fn special_variable_tags(scope: &str, key: &str) -> Vec<String> {
    let owned = |tags: &[&str]| tags.iter().map(|t| t.to_string()).collect::<Vec<_>>();
    if scope == "def" && key == "jq" {
        return owned(&["invocation", "source=agent", "command_name=jq"]);
    }
    if scope != "sys" {
        return owned(&["source=agent"]);
    }
    let inventory = |attribute: &str| {
        vec![
            "inventory".to_string(),
            "source=agent".to_string(),
            format!("attribute_name={attribute}"),
        ]
    };
    if key.starts_with("hardware_mac[") {
        return owned(&["source=agent", "derived-from=ifconfig"]);
    }
    match key {
        "arch" => inventory("Architecture"),
        "cf_version" => inventory("CFEngine version"),
        "class" => inventory("Kernel"),
        "cpus" => inventory("CPU logical cores"),
        "fqhost" => inventory("Host name"),
        "hardware_addresses" => inventory("MAC addresses"),
        "interfaces" => inventory("Interfaces"),
        "release" => inventory("Kernel Release"),
        "flavor" | "flavour" | "host" | "ipv4" | "uqhost" => inventory("none"),
        "uptime" => owned(&[
            "inventory",
            "time_based",
            "source=agent",
            "attribute_name=Uptime minutes",
        ]),
        "cdate" | "date" | "sysday" | "systime" => owned(&["time_based", "source=agent"]),
        "cf_promises" | "cf_agent" | "cf_execd" | "cf_serverd" | "cf_monitord" | "cf_key"
        | "cf_runagent" | "cf_hub" | "cf_net" | "cf_check" | "cf_upgrade" | "cf_secret" => {
            owned(&["cfe_internal", "source=agent"])
        }
        "inet" | "inet6" | "interfaces_data" => {
            owned(&["networking", "/proc", "source=agent", "procfs"])
        }
        "os_name_human" => owned(&["source=agent", "derived-from=debian"]),
        "os_version_major" => owned(&["source=agent", "derived-from=flavor"]),
        "os_release" => owned(&[
            "inventory",
            "attribute_name=none",
            "source=agent",
            "derived-from-file=/etc/os-release",
        ]),
        "user_data" => owned(&["source=agent", "user_info"]),
        _ => owned(&["source=agent"]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Value;

    fn facts() -> HostFacts {
        let mut facts = HostFacts::default();
        for (key, value) in [
            ("class", "linux"),
            ("flavor", "debian_12"),
            ("uqhost", "vm"),
            ("fqhost", "vm"),
            ("arch", "x86_64"),
            ("sysname", "linux"),
            ("release", "6.1.0"),
            ("cpus", "2"),
            ("long_arch", "linux_x86_64_6.1.0_#1"),
        ] {
            facts.sys.insert(key.into(), Value::scalar(value));
        }
        facts.sys.insert(
            "os_release".into(),
            Value::Data(serde_json::json!({"ID": "debian"})),
        );
        facts
    }

    fn tags(name: &str) -> String {
        hard_class_tags(&facts(), name).join(",")
    }

    #[test]
    fn hard_classes_get_the_tags_of_their_origin() {
        assert_eq!(tags("any"), "source=agent,hardclass");
        assert_eq!(
            tags("GMT_Hr21_Q4"),
            "time_based,cfengine_internal_time_based_autoremove,source=agent,hardclass"
        );
        assert!(tags("Min55_00").starts_with("time_based"));
        assert!(tags("Wednesday").starts_with("time_based"));
        assert_eq!(
            tags("linux"),
            "inventory,attribute_name=none,source=agent,derived-from=sys.class,hardclass"
        );
        assert_eq!(
            tags("x86_64"),
            "source=agent,derived-from=sys.machine,hardclass"
        );
        assert_eq!(
            tags("linux_x86_64"),
            "source=agent,derived-from=sys.sysname,derived-from=sys.machine,hardclass"
        );
        assert_eq!(
            tags("2_cpus"),
            "source=agent,derived-from=sys.cpus,hardclass"
        );
        assert!(tags("debian").contains("derived-from-file=/etc/os-release"));
        assert!(tags("debian_12_11").contains("derived-from-file=/etc/debian_version"));
        assert_eq!(tags("agent"), "cfe_internal,source=agent,hardclass");
        assert_eq!(
            tags("ipv4_10_0"),
            "inventory,attribute_name=none,source=agent,hardclass"
        );
        assert!(!is_time_class("Hrx"));
        assert!(is_time_class("GMT_Sunday") && is_time_class("May") && is_time_class("Night"));
        assert!(!is_time_class("Mayday"));
    }

    #[test]
    fn tag_sets_keep_order_without_duplicates() {
        assert_eq!(
            promise_tags(&["a".into(), "source=promise".into(), "a".into()]),
            vec!["source=promise", "a"]
        );
        assert_eq!(
            special_variable_tags("sys", "hardware_mac[eth0]")[1],
            "derived-from=ifconfig"
        );
        assert_eq!(special_variable_tags("const", "n"), vec!["source=agent"]);
    }
}
