//! What cf-agent defines about itself rather than the host: `any`, the
//! agent-type class `agent`, version classes and variables, build feature
//! classes, the edition class, and the `const.*` and `def.*` variables.

use std::collections::BTreeMap;

// The build features cf-agent 3.21 advertises as `feature_*` classes are the
// ones `@if feature(…)` knows: one list, in the grammar crate.
use grammar::macros::FEATURES;

use super::canonify::{canonify, underscore_prefixes};
use super::HostFacts;
use crate::value::Value;

/// The cf-agent release this runtime behaves like.
pub const CFENGINE_VERSION: &str = "3.21.0";

/// `sys.cf_version_release`: the package build number of that release.
const CFENGINE_RELEASE: &str = "1";

/// `any`, `cfengine`, `cfengine_3`, `cfengine_3_21`, `cfengine_3_21_0`
/// and `feature`, `feature_yaml`, `feature_tls`, `feature_tls_1` ...
pub(super) fn builtin_classes(facts: &mut HostFacts) {
    facts.define("any");
    let version = format!("cfengine_{}", canonify(CFENGINE_VERSION));
    for class in underscore_prefixes(&version) {
        facts.define(class);
    }
    for feature in FEATURES {
        for class in underscore_prefixes(&format!("feature_{feature}")) {
            facts.define(class);
        }
    }
}

/// The class naming the kind of agent evaluating the policy (`agent` for
/// cf-agent; cf-promises would define `common`) and the edition class.
pub(super) fn agent_classes(facts: &mut HostFacts) {
    facts.define("agent");
    facts.define("community_edition");
}

pub(super) fn version_variables(facts: &mut HostFacts) {
    facts.set_sys("cf_version", Value::scalar(CFENGINE_VERSION));
    let mut parts = CFENGINE_VERSION.split('.');
    for name in ["cf_version_major", "cf_version_minor", "cf_version_patch"] {
        facts.set_sys(name, Value::scalar(parts.next().unwrap_or_default()));
    }
    facts.set_sys("cf_version_release", Value::scalar(CFENGINE_RELEASE));
}

/// `const.*`: characters that are awkward to write in policy.
pub(super) fn constants() -> BTreeMap<String, Value> {
    [
        ("at", "@"),
        ("dollar", "$"),
        ("n", "\n"),
        ("r", "\r"),
        ("t", "\t"),
        ("endl", "\n"),
        ("dirsep", "/"),
    ]
    .into_iter()
    .map(|(name, text)| (name.to_string(), Value::scalar(text)))
    .collect()
}

/// `def.*` defined without any policy: only the `jq` command line.
pub(super) fn defaults() -> BTreeMap<String, Value> {
    BTreeMap::from([(
        "jq".to_string(),
        Value::scalar(
            "jq --compact-output --monochrome-output --ascii-output --unbuffered --sort-keys",
        ),
    )])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_and_feature_classes() {
        let mut facts = HostFacts::default();
        builtin_classes(&mut facts);
        agent_classes(&mut facts);
        for class in [
            "any",
            "agent",
            "community_edition",
            "cfengine",
            "cfengine_3",
            "cfengine_3_21",
            "cfengine_3_21_0",
            "feature",
            "feature_copyfrom",
            "feature_copyfrom_restrict",
            "feature_copyfrom_restrict_keys",
            "feature_def",
            "feature_def_json",
            "feature_def_json_preparse",
            "feature_host",
            "feature_host_specific",
            "feature_host_specific_data",
            "feature_host_specific_data_load",
            "feature_tls",
            "feature_tls_1",
            "feature_tls_1_0",
            "feature_tls_1_1",
            "feature_tls_1_2",
            "feature_tls_1_3",
            "feature_xml",
            "feature_yaml",
        ] {
            assert!(facts.is_defined(class), "{class}");
        }
        assert_eq!(facts.classes.len(), 26);
    }

    #[test]
    fn version_variables_split_the_release() {
        let mut facts = HostFacts::default();
        version_variables(&mut facts);
        assert_eq!(facts.sys_scalar("cf_version"), Some("3.21.0"));
        assert_eq!(facts.sys_scalar("cf_version_major"), Some("3"));
        assert_eq!(facts.sys_scalar("cf_version_minor"), Some("21"));
        assert_eq!(facts.sys_scalar("cf_version_patch"), Some("0"));
        assert_eq!(facts.sys_scalar("cf_version_release"), Some("1"));
    }

    #[test]
    fn constants_and_defaults() {
        let constants = constants();
        assert_eq!(constants["dollar"], Value::scalar("$"));
        assert_eq!(constants["endl"], Value::scalar("\n"));
        assert_eq!(constants.len(), 7);
        assert!(defaults()["jq"]
            .as_scalar()
            .is_some_and(|jq| jq.starts_with("jq ")));
    }
}
