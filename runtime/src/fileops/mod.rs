//! Operations on the managed host's files, for the files promise type:
//! atomic replacement of a file's content, modes and ownership, and the
//! line-editing engine of `edit_line` bundles. Nothing here knows about
//! policy; the promise type turns attributes into these calls.

pub mod atomic;
pub mod diff;
pub mod edit;
pub mod mode;
pub mod template;
