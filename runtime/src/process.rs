//! Process-wide settings cf-agent makes before it evaluates anything.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Once;

/// The umask the agent was started with, before [`set_agent_umask`].
static INHERITED_UMASK: AtomicU32 = AtomicU32::new(0o022);
static REMEMBER: Once = Once::new();

/// cf-agent runs with umask 077: files it creates (reports written with
/// `report_to_file`, created files, …) are private unless a promise sets
/// their mode. The umask it was started with is remembered for the
/// commands that run with it (`transformer`).
pub fn set_agent_umask() {
    // SAFETY: umask only replaces the process's file mode creation mask.
    let inherited = unsafe { libc::umask(0o077) };
    REMEMBER.call_once(|| INHERITED_UMASK.store(inherited, Ordering::Relaxed));
}

/// The umask the process had before [`set_agent_umask`] (022 if it was
/// never called).
pub fn inherited_umask() -> libc::mode_t {
    INHERITED_UMASK.load(Ordering::Relaxed) as libc::mode_t
}
