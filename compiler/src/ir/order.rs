//! Normal order: the order in which cf-agent evaluates the promise types of
//! a bundle, whatever order they were written in.

const AGENT: &[&str] = &[
    "meta",
    "vars",
    "defaults",
    "classes",
    "users",
    "files",
    "packages",
    "guest_environments",
    "methods",
    "processes",
    "services",
    "commands",
    "storage",
    "databases",
    "reports",
];

const EDIT_LINE: &[&str] = &[
    "meta",
    "vars",
    "classes",
    "delete_lines",
    "field_edits",
    "insert_lines",
    "replace_patterns",
    "reports",
];

const EDIT_XML: &[&str] = &[
    "meta",
    "vars",
    "classes",
    "build_xpath",
    "delete_tree",
    "insert_tree",
    "delete_attribute",
    "set_attribute",
    "delete_text",
    "set_text",
    "insert_text",
    "reports",
];

const SERVER: &[&str] = &["meta", "vars", "classes", "roles", "access"];

const MONITOR: &[&str] = &["meta", "vars", "classes", "measurements", "reports"];

/// The rank of `promise_type` in the normal order of `bundle_type`. Types the
/// order does not name (custom promise types) come after all known ones, in
/// the order they were first written.
pub fn normal_order(bundle_type: &str, promise_type: &str) -> Option<usize> {
    let order = match bundle_type {
        "edit_line" => EDIT_LINE,
        "edit_xml" => EDIT_XML,
        "server" => SERVER,
        "monitor" => MONITOR,
        _ => AGENT,
    };
    order.iter().position(|t| *t == promise_type)
}
