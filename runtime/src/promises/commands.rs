//! `commands`: runs a command line and judges it by its exit code
//! (SEMANTICS.md §4.4), the way cf-agent 3.21 does (`verify_exec.c`,
//! `pipes_unix.c`, `retcode.c`):
//!
//! - the command line is the promiser, then `args`, then each `arglist`
//!   element, joined by blanks; without a shell it is split into words
//!   (quotes group words only at the start of a word), so an `arglist`
//!   element with a blank becomes several arguments;
//! - without a shell, or with an absolute first word, the first word must be
//!   an existing executable that is not world-writable;
//! - `contain`: `useshell` (`useshell`/`true`/`yes`/`on` run `/bin/sh -c`,
//!   `powershell` fails on Linux, anything else runs without a shell),
//!   `umask` (default 077), `exec_owner`, `exec_group` (without
//!   `exec_owner` the child cannot look up its login groups and exits 1,
//!   as cf-agent's does), `chroot` then `chdir`, `exec_timeout` (SIGINT,
//!   then SIGTERM and SIGKILL a second apart; the killed command is
//!   *failed*, "abnormal termination"), `no_output` (default: the value of
//!   `module`), `preview` (runs in a dry run);
//! - stderr is merged into stdout; each non-empty line is logged as
//!   `Q: "...<15 characters of the command>": line` at notice level, after
//!   the outcome message, as cf-agent prints them;
//! - exit 0 is repaired, anything else failed, a signal "abnormal
//!   termination" (failed); `kept_returncodes`/`repaired_returncodes`/
//!   `failed_returncodes` of the classes body decide when any is given (a
//!   code in two lists gives both outcomes; an unlisted code fails, logged
//!   at info level only);
//! - `module => "true"`: the output lines are the module protocol
//!   ([`super::module_protocol`]);
//! - `background => "true"` (action body): the command runs while the
//!   agent goes on; as in cf-agent (a forked agent runs it) the promise
//!   gets no outcome and no classes, and the module protocol is not
//!   applied; the run waits for it before it ends and then logs its output.

use std::ffi::CString;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use compiler::ir::Promise;

use super::accounts;
use super::module_protocol::ModuleState;
use crate::eval::action::is_true;
use crate::eval::body::BodyAttributes;
use crate::eval::expand::Binding;
use crate::eval::promise::RecordLog;
use crate::eval::Agent;
use crate::outcome::Outcome;
use crate::value::Value;

/// cf-agent waits this long between SIGINT, SIGTERM and SIGKILL.
const STOP_WAIT: Duration = Duration::from_secs(1);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shell {
    None,
    Sh,
    Powershell,
}

/// `useshell` as cf-agent's `ShellTypeFromString` reads it.
fn shell_type(value: Option<&str>) -> Shell {
    match value {
        Some("useshell" | "true" | "yes" | "on") => Shell::Sh,
        Some("powershell") => Shell::Powershell,
        _ => Shell::None,
    }
}

/// Everything needed to start the command, owned so that a background
/// job can take it to another thread.
#[derive(Debug, Clone)]
struct Invocation {
    command_line: String,
    shell: Shell,
    umask: libc::mode_t,
    uid: Option<libc::uid_t>,
    /// The group and the supplementary groups of `uid` (looked up before
    /// forking); `None` in `groups` when they could not be found.
    gid: Option<libc::gid_t>,
    groups: Option<Vec<libc::gid_t>>,
    chdir: Option<String>,
    chroot: Option<String>,
    timeout: Option<Duration>,
}

/// How a finished command ended and what it printed (stdout and stderr).
#[derive(Debug, Clone, Default)]
struct Execution {
    /// `None`: killed by a signal (cf-agent's "abnormal termination").
    exit_code: Option<i32>,
    lines: Vec<String>,
    /// The command could not be started at all.
    start_error: Option<String>,
}

/// A command running in the background.
pub struct BackgroundJob {
    command_line: String,
    prefix: String,
    no_output: bool,
    handle: JoinHandle<Execution>,
}

pub fn actuate(agent: &mut Agent, promise: &Promise, promiser: &str, binding: &Binding) {
    let scalar = |agent: &Agent, name: &str| agent.scalar_attribute(promise, name, binding);
    let contain = agent
        .body_attribute(promise, "contain", binding)
        .unwrap_or_default();
    let classes = agent
        .body_attribute(promise, "classes", binding)
        .unwrap_or_default();
    let module = is_true(scalar(agent, "module").as_deref());
    let inform = scalar(agent, "inform").is_none_or(|v| is_true(Some(&v)));
    let action = agent.action_settings(promise, binding);
    let no_output = match contain.scalar("no_output") {
        Some(value) => is_true(Some(value)),
        None => module,
    };
    let preview = is_true(contain.scalar("preview"));
    let shell = shell_type(contain.scalar("useshell"));

    let mut command_line = promiser.to_string();
    if let Some(args) = scalar(agent, "args") {
        command_line.push(' ');
        command_line.push_str(&args);
    }
    if let Some(arglist) = agent.attribute(promise, "arglist", binding) {
        let items = match arglist {
            Value::List(items) => items,
            Value::Scalar(item) => vec![item],
            Value::Data(_) => Vec::new(),
        };
        for item in items {
            command_line.push(' ');
            command_line.push_str(&item);
        }
    }

    let location = agent.location(promise);
    let finish = |agent: &mut Agent, outcome: Outcome, log: Log| {
        let text = match &outcome {
            Outcome::NotKept { message, .. } | Outcome::Warned { message } => message.clone(),
            Outcome::Kept | Outcome::Repaired => String::new(),
        };
        if let Some(text) = log_text(log, &text) {
            let line = format!("{location}: {text}");
            match log {
                Log::Error => agent.log.error(&line),
                Log::Warning => agent.log.warning(&line),
                Log::Info => agent.log.info(&line),
                Log::Verbose => agent.log.verbose(&line),
            }
        }
        agent.record_logged(promise, binding, outcome, RecordLog::Silent);
    };

    if no_output && preview {
        let outcome =
            Outcome::failed("no_output and preview are mutually exclusive (broken promise)");
        return finish(agent, outcome, Log::Error);
    }
    let arg0 = command_arg0(promiser);
    if arg0.starts_with('/') || shell == Shell::None {
        if let Err(why) = check_executable(&arg0) {
            let outcome = Outcome::failed(format!(
                "{why}; '{promiser}' promises to be executable but isn't"
            ));
            return finish(agent, outcome, Log::Error);
        }
    }
    if agent.dry_run && !preview {
        let outcome = Outcome::Warned {
            message: format!("Would execute script '{command_line}'"),
        };
        return finish(agent, outcome, Log::Warning);
    }
    if agent.audit {
        let outcome = Outcome::Warned {
            message: format!("would run: {command_line}"),
        };
        return finish(agent, outcome, Log::Warning);
    }
    if action.warn_only {
        let outcome = Outcome::Warned {
            message: format!(
                "Command '{command_line}' needs to be executed, but only warning was promised"
            ),
        };
        return finish(agent, outcome, Log::Warning);
    }
    if shell == Shell::Powershell {
        // cf-agent fails the promise without setting its classes.
        agent.log.error(&format!(
            "{location}: Powershell is only supported on Windows"
        ));
        agent.summary.add(&Outcome::failed("powershell"));
        return;
    }
    let mut unknown = Vec::new();
    let invocation = invocation(&contain, command_line.clone(), shell, &mut unknown);
    // cf-agent says nothing here and runs the command as uid/gid -2.
    for message in unknown {
        agent.log.warning(&format!("{location}: {message}"));
    }
    let invocation = match invocation {
        Ok(invocation) => invocation,
        Err(why) => return finish(agent, Outcome::failed(why), Log::Error),
    };
    let prefix = command_prefix(&command_line);
    let info_or_verbose = if inform { Log::Info } else { Log::Verbose };
    log_at(
        agent,
        info_or_verbose,
        &format!("Executing '{}' ... '{command_line}'", describe(&invocation)),
    );
    if action.background {
        agent
            .log
            .verbose(&format!("Backgrounding job '{command_line}'"));
        let handle = std::thread::spawn(move || execute(&invocation));
        agent.background.push(BackgroundJob {
            command_line,
            prefix,
            no_output,
            handle,
        });
        // cf-agent's parent returns "kept" without classes: the bundle and
        // depends_on see a kept promise.
        if let Some(handle) = agent.frame().and_then(|f| f.this.handle.clone()) {
            agent.handle_outcomes.insert(handle, true);
        }
        if let Some(frame) = agent.frame_mut() {
            frame.outcome = Some(
                frame
                    .outcome
                    .take()
                    .map_or(Outcome::Kept, |worst| worst.worst(Outcome::Kept)),
            );
        }
        return;
    }

    let execution = execute(&invocation);
    if let Some(error) = &execution.start_error {
        agent.log.error(&format!("{location}: {error}"));
    }
    let mut module_state = ModuleState::new(&command_line);
    let mut quoted = Vec::new();
    for line in &execution.lines {
        if line.contains("cfengine-die") {
            break;
        }
        if module {
            super::module_protocol::apply(agent, &mut module_state, line, !no_output);
            if agent.fatal.is_some() {
                return;
            }
        }
        if !no_output && !line.is_empty() {
            quoted.push(line.clone());
        }
    }
    match execution.exit_code {
        None => finish(
            agent,
            Outcome::failed(format!(
                "Finished script '{promiser}' - failed (abnormal termination)"
            )),
            Log::Error,
        ),
        Some(code) => {
            for (outcome, log) in judge(&classes, code, promiser, inform) {
                finish(agent, outcome, log);
            }
        }
    }
    print_quoted(agent, &prefix, &command_line, &quoted);
    log_at(
        agent,
        info_or_verbose,
        &format!("Completed execution of '{command_line}'"),
    );
}

/// At which level a commands message is logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Log {
    Error,
    Warning,
    Info,
    Verbose,
}

fn log_text(_log: Log, text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_string())
}

fn log_at(agent: &Agent, log: Log, message: &str) {
    match log {
        Log::Error => agent.log.error(message),
        Log::Warning => agent.log.warning(message),
        Log::Info => agent.log.info(message),
        Log::Verbose => agent.log.verbose(message),
    }
}

/// The outcomes of exit `code` (`VerifyCommandRetcode`).
fn judge(classes: &BodyAttributes, code: i32, promiser: &str, inform: bool) -> Vec<(Outcome, Log)> {
    let kept = classes.list("kept_returncodes");
    let repaired = classes.list("repaired_returncodes");
    let failed = classes.list("failed_returncodes");
    if kept.is_empty() && repaired.is_empty() && failed.is_empty() {
        return vec![if code == 0 {
            (Outcome::Repaired, Log::Verbose)
        } else {
            (
                Outcome::failed(format!(
                    "Finished command related to promiser '{promiser}' -- an error occurred, returned {code}"
                )),
                Log::Error,
            )
        }];
    }
    let code_text = code.to_string();
    let listed = |list: &[String]| list.iter().any(|c| c.trim() == code_text);
    let quiet = if inform { Log::Info } else { Log::Verbose };
    let mut outcomes = Vec::new();
    if listed(&kept) {
        outcomes.push((Outcome::Kept, quiet));
    }
    if listed(&repaired) {
        outcomes.push((Outcome::Repaired, quiet));
    }
    if listed(&failed) {
        outcomes.push((
            Outcome::failed(format!(
                "Command related to promiser '{promiser}' returned code '{code}' defined as promise failed"
            )),
            Log::Error,
        ));
    }
    if outcomes.is_empty() {
        outcomes.push((
            Outcome::failed(format!(
                "Command related to promiser '{promiser}' returned code '{code}' not defined as promise kept, not kept or repaired; setting to failed"
            )),
            quiet,
        ));
    }
    outcomes
}

/// The buffered `Q:` lines, then how many there were.
fn print_quoted(agent: &Agent, prefix: &str, command_line: &str, lines: &[String]) {
    for line in lines {
        agent.log.notice(&format!("Q: \"...{prefix}\": {line}"));
    }
    if !lines.is_empty() {
        agent.log.info(&format!(
            "Last {} quoted lines were generated by promiser '{command_line}'",
            lines.len()
        ));
    }
}

/// Waits for the background commands and logs what they printed.
pub fn wait_for_background(agent: &mut Agent) {
    for job in std::mem::take(&mut agent.background) {
        let execution = job.handle.join().unwrap_or_default();
        if let Some(error) = &execution.start_error {
            agent.log.error(error);
        }
        let quoted: Vec<String> = if job.no_output {
            Vec::new()
        } else {
            execution
                .lines
                .iter()
                .take_while(|line| !line.contains("cfengine-die"))
                .filter(|line| !line.is_empty())
                .cloned()
                .collect()
        };
        print_quoted(agent, &job.prefix, &job.command_line, &quoted);
        agent.log.verbose(&format!(
            "Backgrounded command '{}' is done",
            job.command_line
        ));
    }
}

/// `timeout=5s,uid=0` as cf-agent's "Executing" message shows it.
fn describe(invocation: &Invocation) -> String {
    let mut out = match invocation.timeout {
        Some(timeout) => format!("timeout={}s", timeout.as_secs()),
        None => "no timeout".to_string(),
    };
    if let Some(uid) = invocation.uid {
        out.push_str(&format!(",uid={uid}"));
    }
    if let Some(gid) = invocation.gid {
        out.push_str(&format!(",gid={gid}"));
    }
    out
}

/// The `contain` body turned into what the child process needs.
fn invocation(
    contain: &BodyAttributes,
    command_line: String,
    shell: Shell,
    unknown: &mut Vec<String>,
) -> Result<Invocation, String> {
    let umask = match contain.scalar("umask") {
        Some(text) => libc::mode_t::from_str_radix(text.trim(), 8)
            .ok()
            .filter(|mask| *mask <= 0o7777)
            .ok_or_else(|| format!("Error reading assumed octal value '{text}'"))?,
        None => 0o077,
    };
    let uid = contain
        .scalar("exec_owner")
        .map(|owner| user_id(owner, unknown));
    let gid = contain
        .scalar("exec_group")
        .map(|group| group_id(group, unknown));
    let groups = match gid {
        Some(_) => login_groups(uid),
        None => None,
    };
    let timeout = contain
        .scalar("exec_timeout")
        .and_then(|t| t.trim().parse::<u64>().ok())
        .filter(|t| *t > 0)
        .map(Duration::from_secs);
    let non_empty = |name: &str| {
        contain
            .scalar(name)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    Ok(Invocation {
        command_line,
        shell,
        umask,
        uid,
        gid,
        groups,
        chdir: non_empty("chdir"),
        chroot: non_empty("chroot"),
        timeout,
    })
}

/// cf-agent's `Str2Uid`: a number or a user name; an unknown name logs an
/// error and becomes uid `(uid_t)-2`, which root can still switch to.
fn user_id(owner: &str, unknown: &mut Vec<String>) -> libc::uid_t {
    if let Ok(uid) = owner.trim().parse::<libc::uid_t>() {
        return uid;
    }
    accounts::user_by_name(owner).map_or_else(
        || {
            unknown.push(format!("Unknown user '{owner}' in promise"));
            libc::uid_t::MAX - 1
        },
        |user| user.uid,
    )
}

/// cf-agent's `Str2Gid`, like [`user_id`].
fn group_id(group: &str, unknown: &mut Vec<String>) -> libc::gid_t {
    if let Ok(gid) = group.trim().parse::<libc::gid_t>() {
        return gid;
    }
    accounts::group_by_name(group).map_or_else(
        || {
            unknown.push(format!("Unknown group '{group}' in promise"));
            libc::gid_t::MAX - 1
        },
        |group| group.gid,
    )
}

/// The supplementary groups `initgroups` would give `uid`'s login name;
/// `None` when the user is unknown (cf-agent's child then exits 1).
fn login_groups(uid: Option<libc::uid_t>) -> Option<Vec<libc::gid_t>> {
    // cf-agent looks up uid (uid_t)-1 when no exec_owner is given.
    let uid = uid.unwrap_or(libc::uid_t::MAX);
    let user = accounts::user_by_uid(uid)?;
    let name = CString::new(user.name).ok()?;
    let base = user.gid;
    let mut count: libc::c_int = 64;
    loop {
        let mut groups = vec![0 as libc::gid_t; usize::try_from(count).unwrap_or(64)];
        let mut found = count;
        // SAFETY: the buffer holds `found` entries; getgrouplist updates it.
        let result =
            unsafe { libc::getgrouplist(name.as_ptr(), base, groups.as_mut_ptr(), &mut found) };
        if result >= 0 {
            groups.truncate(usize::try_from(found).unwrap_or(0));
            return Some(groups);
        }
        if found <= count || count > 65536 {
            return None;
        }
        count = found;
    }
}

/// Starts the command and waits for it (and for its output to end),
/// enforcing `exec_timeout`.
fn execute(invocation: &Invocation) -> Execution {
    let (reader, writer) = match std::io::pipe() {
        Ok(pipe) => pipe,
        Err(error) => {
            return Execution {
                start_error: Some(format!(
                    "Couldn't open pipe to command '{}'. ({error})",
                    invocation.command_line
                )),
                exit_code: None,
                lines: Vec::new(),
            }
        }
    };
    let mut command = match invocation.shell {
        Shell::Sh => {
            let mut command = Command::new("/bin/sh");
            command.arg0("sh").arg("-c").arg(&invocation.command_line);
            command
        }
        _ => {
            let argv = split_command(&invocation.command_line);
            let Some((program, rest)) = argv.split_first() else {
                return Execution {
                    start_error: Some("empty command line".into()),
                    exit_code: Some(1),
                    lines: Vec::new(),
                };
            };
            // execv takes a name without '/' relative to the directory,
            // never from PATH.
            let path = if program.contains('/') {
                program.clone()
            } else {
                format!("./{program}")
            };
            let mut command = Command::new(path);
            command.arg0(program).args(rest);
            command
        }
    };
    let stderr = match writer.try_clone() {
        Ok(stderr) => stderr,
        Err(error) => {
            return Execution {
                start_error: Some(format!("Couldn't open pipe to command: {error}")),
                exit_code: None,
                lines: Vec::new(),
            }
        }
    };
    command
        .stdout(writer)
        .stderr(stderr)
        .stdin(Stdio::inherit());
    let setup = ChildSetup::new(invocation);
    // SAFETY: the closure only makes async-signal-safe system calls
    // (umask, chroot, chdir, setgroups, setgid, setuid, _exit) on data
    // prepared before the fork.
    unsafe {
        command.pre_exec(move || {
            setup.apply();
            Ok(())
        });
    }
    let child = command.spawn();
    // The parent's copies of the write end must go, or reading never ends.
    drop(command);
    let mut child = match child {
        Ok(child) => child,
        Err(error) => {
            // cf-agent's child logs the failed execv and exits 1.
            return Execution {
                start_error: Some(format!(
                    "Couldn't run '{}'. (execv: {error})",
                    invocation.command_line
                )),
                exit_code: Some(1),
                lines: Vec::new(),
            };
        }
    };
    let output = std::thread::spawn(move || {
        let mut lines = Vec::new();
        let mut reader = BufReader::new(reader);
        let mut buffer = Vec::new();
        loop {
            buffer.clear();
            match reader.read_until(b'\n', &mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    if buffer.last() == Some(&b'\n') {
                        buffer.pop();
                    }
                    lines.push(String::from_utf8_lossy(&buffer).into_owned());
                }
            }
        }
        lines
    });
    let exit_code = wait_with_timeout(&mut child, invocation.timeout);
    let lines = output.join().unwrap_or_default();
    Execution {
        exit_code,
        lines,
        start_error: None,
    }
}

/// The exit code, or `None` when a signal ended the command. After
/// `timeout` the command gets SIGINT, then SIGTERM, then SIGKILL.
fn wait_with_timeout(child: &mut Child, timeout: Option<Duration>) -> Option<i32> {
    let status = match timeout {
        None => child.wait().ok(),
        Some(limit) => {
            let started = Instant::now();
            let mut signals = [libc::SIGINT, libc::SIGTERM, libc::SIGKILL].into_iter();
            let mut next_deadline = started + limit;
            loop {
                match child.try_wait() {
                    Ok(Some(status)) => break Some(status),
                    Ok(None) => {}
                    Err(_) => break None,
                }
                if Instant::now() >= next_deadline {
                    match signals.next() {
                        Some(signal) => {
                            if let Ok(pid) = libc::pid_t::try_from(child.id()) {
                                // SAFETY: signals our own child by its PID.
                                unsafe {
                                    libc::kill(pid, signal);
                                }
                            }
                            next_deadline = Instant::now() + STOP_WAIT;
                        }
                        None => break child.wait().ok(),
                    }
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    };
    status
        .and_then(|status| status.code().or_else(|| status.signal().map(|_| -1)))
        .filter(|code| *code >= 0)
}

/// What the forked child does before exec, prepared in the parent.
struct ChildSetup {
    umask: libc::mode_t,
    chroot: Option<CString>,
    chdir: Option<CString>,
    uid: Option<libc::uid_t>,
    gid: Option<libc::gid_t>,
    groups: Option<Vec<libc::gid_t>>,
    messages: ChildMessages,
}

impl ChildSetup {
    fn new(invocation: &Invocation) -> Self {
        let c = |text: &Option<String>| text.as_ref().and_then(|t| CString::new(t.as_str()).ok());
        ChildSetup {
            umask: invocation.umask,
            chroot: c(&invocation.chroot),
            chdir: c(&invocation.chdir),
            uid: invocation.uid,
            gid: invocation.gid,
            groups: invocation.groups.clone(),
            messages: ChildMessages::new(invocation),
        }
    }

    /// In the child: any failure ends it with status 1, as cf-agent's,
    /// after saying why on its output (so it shows as a `Q:` line).
    fn apply(&self) {
        // SAFETY: plain system calls on prepared data, in the forked child.
        unsafe {
            libc::umask(self.umask);
            if let Some(root) = &self.chroot {
                if libc::chroot(root.as_ptr()) == -1 {
                    fail(&self.messages.chroot);
                }
            }
            if let Some(dir) = &self.chdir {
                if libc::chdir(dir.as_ptr()) == -1 {
                    fail(&self.messages.chdir);
                }
            }
            if let Some(gid) = self.gid {
                if libc::setgid(gid) == -1 {
                    fail(&self.messages.setgid);
                }
                match &self.groups {
                    Some(groups) => {
                        if libc::setgroups(groups.len(), groups.as_ptr()) == -1 {
                            fail(&self.messages.groups);
                        }
                    }
                    None => fail(&self.messages.groups),
                }
            }
            if let Some(uid) = self.uid {
                if libc::setuid(uid) == -1 {
                    fail(&self.messages.setuid);
                }
            }
        }
    }
}

/// Messages the child prints before giving up, prepared before the fork.
#[derive(Default)]
struct ChildMessages {
    chroot: Vec<u8>,
    chdir: Vec<u8>,
    setgid: Vec<u8>,
    groups: Vec<u8>,
    setuid: Vec<u8>,
}

impl ChildMessages {
    fn new(invocation: &Invocation) -> Self {
        let line = |text: String| format!("   error: {text}\n").into_bytes();
        let uid = invocation.uid.unwrap_or(libc::uid_t::MAX);
        let gid = invocation.gid.unwrap_or(libc::gid_t::MAX);
        ChildMessages {
            chroot: line(format!(
                "Couldn't chroot to '{}'.",
                invocation.chroot.as_deref().unwrap_or("")
            )),
            chdir: line(format!(
                "Couldn't chdir to '{}'.",
                invocation.chdir.as_deref().unwrap_or("")
            )),
            setgid: line(format!("Couldn't set gid to '{gid}'.")),
            groups: line(format!(
                "Unable to get login groups when dropping privilege to '{uid}'."
            )),
            setuid: line(format!("Couldn't set uid to '{uid}'.")),
        }
    }
}

/// In the forked child: writes `message` to its output and exits 1.
fn fail(message: &[u8]) -> ! {
    // SAFETY: write and _exit are async-signal-safe.
    unsafe {
        libc::write(2, message.as_ptr().cast(), message.len());
        libc::_exit(1)
    }
}

/// cf-agent's `CommandArg0`: up to the first blank, or the text between
/// double quotes when the line starts with one.
pub(crate) fn command_arg0(line: &str) -> String {
    match line.strip_prefix('"') {
        Some(rest) => rest.split('"').next().unwrap_or("").to_string(),
        None => line.split(' ').next().unwrap_or("").to_string(),
    }
}

/// cf-agent's `IsExecutable`, with its messages.
pub(crate) fn check_executable(path: &str) -> Result<(), String> {
    let Ok(meta) = std::fs::metadata(path) else {
        return Err(format!("Proposed executable file '{path}' doesn't exist"));
    };
    let mode = meta.mode();
    if mode & 0o002 != 0 {
        return Err(format!(
            "SECURITY ALERT: promised executable '{path}' is world writable! CFEngine will not execute this - requires human inspection"
        ));
    }
    // SAFETY: getuid/getgid cannot fail.
    let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
    let executable = if uid == meta.uid() || uid == 0 {
        mode & 0o100 != 0
    } else if gid == meta.gid() {
        mode & 0o010 != 0
    } else {
        mode & 0o001 != 0 || (mode & 0o010 != 0 && in_supplementary_group(meta.gid()))
    };
    if executable {
        Ok(())
    } else {
        Err(format!("'{path}' is not executable"))
    }
}

fn in_supplementary_group(gid: libc::gid_t) -> bool {
    let mut groups = vec![0 as libc::gid_t; 256];
    // SAFETY: the buffer holds 256 entries.
    let count = unsafe { libc::getgroups(256, groups.as_mut_ptr()) };
    usize::try_from(count)
        .map(|count| groups[..count.min(256)].contains(&gid))
        .unwrap_or(false)
}

/// cf-agent's `CommandPrefix`: 15 characters, starting 10 before the end
/// of the first word when the first word is that long.
fn command_prefix(line: &str) -> String {
    let bytes = line.as_bytes();
    let first_blank = bytes.iter().position(|b| *b == b' ').unwrap_or(bytes.len());
    let start = first_blank.saturating_sub(10);
    let end = (start + 15).min(bytes.len());
    String::from_utf8_lossy(&bytes[start..end]).into_owned()
}

/// cf-agent's `ArgSplitCommand`: words separated by white space; a word
/// that starts with `"`, `'` or `` ` `` runs to the next such quote.
pub fn split_command(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut rest = line;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '\x0b');
        let Some(first) = rest.chars().next() else {
            break;
        };
        if matches!(first, '"' | '\'' | '`') {
            let body = &rest[1..];
            match body.find(first) {
                Some(end) => {
                    words.push(body[..end].to_string());
                    rest = &body[end + 1..];
                }
                None => {
                    words.push(body.to_string());
                    rest = "";
                }
            }
        } else {
            let end = rest
                .find([' ', '\x0c', '\n', '\r', '\t', '\x0b'])
                .unwrap_or(rest.len());
            words.push(rest[..end].to_string());
            rest = &rest[end..];
        }
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_lines_split_like_cf_agent() {
        assert_eq!(
            split_command("/bin/sh -c 'echo \"a b\"' x"),
            ["/bin/sh", "-c", "echo \"a b\"", "x"]
        );
        assert_eq!(split_command("a'b c'"), ["a'b", "c'"]);
        assert_eq!(split_command("'a'b \"unclosed"), ["a", "b", "unclosed"]);
        assert_eq!(split_command("   "), Vec::<String>::new());
    }

    #[test]
    fn prefix_is_fifteen_characters_near_the_first_word() {
        assert_eq!(command_prefix("/bin/echo hello world"), "/bin/echo hello");
        assert_eq!(command_prefix("/usr/bin/touch /x/y/z"), "/bin/touch /x/y");
        assert_eq!(command_prefix("/bin/true"), "/bin/true");
    }

    #[test]
    fn arg0_honours_double_quotes_only() {
        assert_eq!(command_arg0("\"/a b/c\" d"), "/a b/c");
        assert_eq!(command_arg0("'/a b/c' d"), "'/a");
    }

    #[test]
    fn useshell_values() {
        assert_eq!(shell_type(Some("true")), Shell::Sh);
        assert_eq!(shell_type(Some("off")), Shell::None);
        assert_eq!(shell_type(Some("powershell")), Shell::Powershell);
        assert_eq!(shell_type(None), Shell::None);
    }

    #[test]
    fn a_killed_command_has_no_exit_code() {
        let invocation = Invocation {
            command_line: "/bin/sh -c 'echo before; exec sleep 5'".into(),
            shell: Shell::None,
            umask: 0o077,
            uid: None,
            gid: None,
            groups: None,
            chdir: None,
            chroot: None,
            timeout: Some(Duration::from_millis(200)),
        };
        let execution = execute(&invocation);
        assert_eq!(execution.exit_code, None);
        assert_eq!(execution.lines, ["before"]);
    }

    #[test]
    fn exit_codes_and_merged_stderr() {
        let invocation = Invocation {
            command_line: "echo out; echo err >&2; exit 3".into(),
            shell: Shell::Sh,
            umask: 0o077,
            uid: None,
            gid: None,
            groups: None,
            chdir: None,
            chroot: None,
            timeout: None,
        };
        let execution = execute(&invocation);
        assert_eq!(execution.exit_code, Some(3));
        assert_eq!(execution.lines, ["out", "err"]);
    }
}
