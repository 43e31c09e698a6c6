//! Functions of CFEngine 3.21 this runtime does not implement, each with
//! the reason, and notes on implemented functions that differ from
//! cf-agent in a known way. `promise-rs functions` prints both; a test
//! fails if a function of the syntax table is neither implemented nor here.

/// Why a function is not implemented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// Will be implemented; the reason says what it waits for.
    NotYet(&'static str),
    /// Has no meaning for this agent on Linux.
    NotApplicable(&'static str),
}

const NEEDS_INTROSPECTION: &str = "cf-agent answers each frame of the call stack with the calling bundle's whole policy as JSON (cf-promises -p json's form) and its own frame numbering; promise-rs has no JSON rendering of policy yet (callstack_promisers is implemented)";
const NEEDS_SERVER: &str = "talks to cf-serverd or other hosts; waits for the network issue";

/// Functions of the syntax table that are not implemented.
pub const MISSING: &[(&str, Missing)] = &[
    ("callstack_callers", Missing::NotYet(NEEDS_INTROSPECTION)),
    ("remoteclassesmatching", Missing::NotYet(NEEDS_SERVER)),
    ("remotescalar", Missing::NotYet(NEEDS_SERVER)),
    (
        "hubknowledge",
        Missing::NotYet(
            "asks the policy server over the cf-serverd protocol; waits for the network issue",
        ),
    ),
];

/// Implemented functions whose behaviour is known to differ from cf-agent.
pub const NOTES: &[(&str, &str)] = &[
    ("type", "int and real variables report string: the runtime holds every scalar as text"),
    ("variablesmatching", "sorted (cf-agent returns its variable table's order)"),
    ("classesmatching", "hard classes first, then soft ones, each sorted (cf-agent returns its class table's order)"),
    ("bundlesmatching", "sorted (cf-agent returns the reverse of the policy's order)"),
    ("readyaml", "YAML 1.2 scalars: unquoted y/n/on/off stay strings (cf-agent's libyaml reads them as booleans)"),
    ("parseyaml", "YAML 1.2 scalars: unquoted y/n/on/off stay strings (cf-agent's libyaml reads them as booleans)"),
    ("execresult", "cached per run by function and arguments; cf-agent's cache key is the arguments alone, so another cached function with the same arguments can answer for it"),
    ("returnszero", "cached per run by function and arguments (cf-agent: by arguments alone)"),
    ("findfiles", "sorted; cf-agent returns the order of its internal hash set"),
    ("hostsseen", "fails when cf_lastseen.lmdb is absent, as cf-agent does; reading an existing LMDB is not implemented yet"),
    ("string_mustache", "without a data argument renders datastate(), with the same gaps"),
    ("datastate", "sys.* and const.* come from host facts, not the run's variables, and are left out; def.* appears only as far as policy sets it"),
    ("hostswithclass", "fails as Community cf-agent does: Enterprise hub only"),
    ("ldaparray", "fails as Community cf-agent does: LDAP is Enterprise only"),
    ("ldaplist", "fails as Community cf-agent does: LDAP is Enterprise only"),
    ("ldapvalue", "fails as Community cf-agent does: LDAP is Enterprise only"),
    ("regldap", "fails as Community cf-agent does: LDAP is Enterprise only"),
    ("registryvalue", "fails as cf-agent does on Linux: there is no Windows registry"),
    ("url_get", "fails as Debian's cf-agent 3.21 does: built without libcurl"),
    ("packagesmatching", "reads the legacy software_packages.csv inventory; package-module (LMDB) inventories fail the call"),
    ("packageupdatesmatching", "reads the legacy software_patches_avail.csv inventory; package-module (LMDB) inventories fail the call"),
];

/// Why `name` is not implemented, if it is listed.
pub fn missing(name: &str) -> Option<Missing> {
    MISSING.iter().find(|(n, _)| *n == name).map(|(_, m)| *m)
}

/// A known difference of an implemented function.
pub fn note(name: &str) -> Option<&'static str> {
    NOTES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| *text)
}
