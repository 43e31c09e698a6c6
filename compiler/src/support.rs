//! What promise-rs's agent does not run, named once: lint warns about it
//! before a run (W007), and the runtime's "not kept" reasons read the same
//! lists, so the two cannot drift apart.

/// Agent promise types CFEngine 3.21 has and promise-rs does not run, with
/// why. Custom promise types (`promise agent NAME`) are not run either.
pub const UNSUPPORTED_PROMISE_TYPES: &[(&str, &str)] = &[
    (
        "databases",
        "databases promises are not supported (they need a database server)",
    ),
    (
        "guest_environments",
        "guest_environments promises are not supported (they need libvirt)",
    ),
];

/// `files` attributes promise-rs does not carry out, with why.
pub const UNSUPPORTED_FILES_ATTRIBUTES: &[(&str, &str)] = &[
    ("edit_xml", "edit_xml is not supported"),
    ("acl", "acl is not implemented yet"),
    ("repository", "repository is not implemented yet"),
];

/// Why `files` attribute `name` is not carried out, when it is not.
pub fn unsupported_files_attribute(name: &str) -> Option<&'static str> {
    reason(UNSUPPORTED_FILES_ATTRIBUTES, name)
}

/// Why promise type `name` is not run, when it is a CFEngine type that is not.
pub fn unsupported_promise_type(name: &str) -> Option<&'static str> {
    reason(UNSUPPORTED_PROMISE_TYPES, name)
}

fn reason(table: &[(&str, &'static str)], name: &str) -> Option<&'static str> {
    table
        .iter()
        .find(|(entry, _)| *entry == name)
        .map(|(_, why)| *why)
}
