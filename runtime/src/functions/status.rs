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

const NEEDS_DEFINE: &str = "defines variables or classes from inside a call; the evaluator does not take definitions from functions yet (CallContext::define_variable)";
const NEEDS_INTROSPECTION: &str = "needs the evaluator's bundle and call-stack introspection, which CallContext does not offer yet";
const NEEDS_TAGS: &str =
    "needs class and variable meta tags, which the evaluator does not keep yet";
const NEEDS_SERVER: &str = "talks to cf-serverd or other hosts; waits for the network issue";

/// Functions of the syntax table that are not implemented.
pub const MISSING: &[(&str, Missing)] = &[
    ("callstack_callers", Missing::NotYet(NEEDS_INTROSPECTION)),
    ("getclassmetatags", Missing::NotYet(NEEDS_TAGS)),
    ("getvariablemetatags", Missing::NotYet(NEEDS_TAGS)),
    ("usemodule", Missing::NotYet(NEEDS_DEFINE)),
    ("read_module_protocol", Missing::NotYet(NEEDS_DEFINE)),
    ("remoteclassesmatching", Missing::NotYet(NEEDS_SERVER)),
    ("remotescalar", Missing::NotYet(NEEDS_SERVER)),
    ("selectservers", Missing::NotYet(NEEDS_SERVER)),
    (
        "hubknowledge",
        Missing::NotYet(
            "asks the policy server over the cf-serverd protocol; waits for the network issue",
        ),
    ),
];

/// Implemented functions whose behaviour is known to differ from cf-agent.
pub const NOTES: &[(&str, &str)] = &[
    ("regextract", "the class result is exact; the array is filled only where the agent takes variables from functions (CallContext::define_variable), which the evaluator does not yet"),
    ("getfields", "the count is exact; the array is filled only where the agent takes variables from functions (CallContext::define_variable), which the evaluator does not yet"),
    ("readstringarray", "the count is exact; the array is filled only where the agent takes variables from functions, which the evaluator does not yet"),
    ("readstringarrayidx", "the count is exact; the array is filled only where the agent takes variables from functions, which the evaluator does not yet"),
    ("readintarray", "the count is exact; the array is filled only where the agent takes variables from functions, which the evaluator does not yet"),
    ("readrealarray", "the count is exact; the array is filled only where the agent takes variables from functions, which the evaluator does not yet"),
    ("parsestringarray", "the count is exact; the array is filled only where the agent takes variables from functions, which the evaluator does not yet"),
    ("parsestringarrayidx", "the count is exact; the array is filled only where the agent takes variables from functions, which the evaluator does not yet"),
    ("parseintarray", "the count is exact; the array is filled only where the agent takes variables from functions, which the evaluator does not yet"),
    ("parserealarray", "the count is exact; the array is filled only where the agent takes variables from functions, which the evaluator does not yet"),
    ("type", "int and real variables report string: the runtime holds every scalar as text"),
    ("variablesmatching", "sorted (cf-agent returns its variable table's order); tag filters are refused: variables carry no tags yet"),
    ("variablesmatching_as_data", "tag filters are refused: variables carry no tags yet"),
    ("readyaml", "YAML 1.2 scalars: unquoted y/n/on/off stay strings (cf-agent's libyaml reads them as booleans)"),
    ("parseyaml", "YAML 1.2 scalars: unquoted y/n/on/off stay strings (cf-agent's libyaml reads them as booleans)"),
    ("execresult", "not cached per run yet: two identical calls run the command twice"),
    ("returnszero", "not cached per run yet"),
    ("classmatch", "tag arguments are not applied: classes carry no tags yet"),
    ("classesmatching", "tag arguments are not applied: classes carry no tags yet"),
    ("countclassesmatching", "tag arguments are not applied: classes carry no tags yet"),
    ("findfiles", "sorted; cf-agent returns the order of its internal hash set"),
    ("bundlesmatching", "tag filters are refused: bundle meta tags are not kept yet"),
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
