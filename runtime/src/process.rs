//! Process-wide settings cf-agent makes before it evaluates anything.

use std::sync::atomic::{AtomicU32, Ordering};

/// The umask the agent was started with; `u32::MAX` until
/// [`set_agent_umask`] runs.
static INHERITED_UMASK: AtomicU32 = AtomicU32::new(u32::MAX);

/// cf-agent runs with umask 077: files it creates (reports written with
/// `report_to_file`, created files, …) are private unless a promise sets
/// their mode.
pub fn set_agent_umask() {
    // SAFETY: umask only replaces the process's file mode creation mask.
    let previous = unsafe { libc::umask(0o077) };
    INHERITED_UMASK.store(previous, Ordering::Relaxed);
}

/// The umask the agent was started with, which commands run by functions
/// (`execresult`, `usemodule`…) get, as in cf-agent; `None` when the agent
/// never changed it.
pub fn inherited_umask() -> Option<libc::mode_t> {
    let mask = INHERITED_UMASK.load(Ordering::Relaxed);
    (mask != u32::MAX).then_some(mask)
}
