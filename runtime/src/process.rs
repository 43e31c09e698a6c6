//! Process-wide settings cf-agent makes before it evaluates anything.

/// cf-agent runs with umask 077: files it creates (reports written with
/// `report_to_file`, created files, …) are private unless a promise sets
/// their mode.
pub fn set_agent_umask() {
    // SAFETY: umask only replaces the process's file mode creation mask.
    unsafe {
        libc::umask(0o077);
    }
}
