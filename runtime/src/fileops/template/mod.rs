//! Template engines shared by functions and files promises: Mustache (as
//! cf-agent renders it) and the CFEngine template format.

pub mod cfengine;
pub mod mustache;
