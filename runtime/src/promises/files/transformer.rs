//! `transformer`: a command run on an object the promise found, with
//! `$(this.promiser)` standing for that object. As in cf-agent the command
//! line is split into words and run without a shell (write `/bin/sh -c
//! '…'` for one), with the umask the agent was started with; its output
//! is logged; a non-zero exit fails the promise. A command line runs once
//! per promise in a run, however often the object is visited.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};

use super::FileJob;
use crate::promises::commands::{check_executable, command_arg0, split_command};

pub(super) fn transform(job: &mut FileJob, path: &Path) {
    let shown = path.display().to_string();
    let Some(command) = job.scalar_for("transformer", path) else {
        job.fail(format!(
            "The transformer of '{shown}' is not a command line"
        ));
        return;
    };
    if let Err(why) = check_executable(&command_arg0(&command)) {
        job.fail(format!(
            "Transformer '{command}' for file '{shown}' failed: {why}"
        ));
        return;
    }
    if !job.making_changes(format!("transform file '{shown}' with '{command}'")) {
        return;
    }
    let once = format!("{}\u{1f}{command}", job.agent.location(job.promise));
    if !job.agent.files_run.transformed.insert(once) {
        return;
    }
    job.agent
        .log
        .info(&format!("Transforming '{shown}' with '{command}'"));
    let code = match run(&command) {
        Ok((lines, code)) => {
            for line in lines {
                job.agent.log.info(&line);
            }
            code
        }
        Err(error) => {
            job.fail(format!(
                "Transformer '{command}' for file '{shown}' failed ({error})"
            ));
            return;
        }
    };
    job.repaired(format!("Transformed '{shown}' with '{command}'"));
    match code {
        Some(0) => job.repaired(format!(
            "Transformer '{shown}' => '{command}' seemed to work ok"
        )),
        Some(code) => job.fail(format!(
            "Transformer '{shown}' => '{command}' returned error {code}"
        )),
        None => job.fail(format!(
            "Transformer '{shown}' => '{command}' was killed by a signal"
        )),
    }
}

/// Runs the command line, its stdout and stderr read together; returns
/// the lines and the exit code (none when killed by a signal).
fn run(command_line: &str) -> std::io::Result<(Vec<String>, Option<i32>)> {
    let words = split_command(command_line);
    let Some((program, args)) = words.split_first() else {
        return Err(std::io::Error::other("empty command line"));
    };
    let (reader, writer) = std::io::pipe()?;
    let mut command = Command::new(program);
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(writer.try_clone()?)
        .stderr(writer);
    let umask = crate::process::inherited_umask();
    // SAFETY: umask is async-signal-safe and touches no shared data.
    unsafe {
        command.pre_exec(move || {
            libc::umask(umask);
            Ok(())
        });
    }
    let mut child = command.spawn()?;
    // The parent's write ends must be gone before reading to the end.
    drop(command);
    let lines = BufReader::new(reader)
        .split(b'\n')
        .map_while(Result::ok)
        .map(|line| String::from_utf8_lossy(&line).into_owned())
        .collect();
    let status = child.wait()?;
    Ok((lines, status.code()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_run_without_a_shell_and_report_their_exit() {
        let (lines, code) = run("/bin/echo a  'b c' $HOME").unwrap();
        assert_eq!(lines, ["a b c $HOME"]);
        assert_eq!(code, Some(0));
        let (_, code) = run("/bin/sh -c 'echo oops >&2; exit 3'").unwrap();
        assert_eq!(code, Some(3));
        assert!(run("/nonexistent/tool").is_err());
        assert!(run("").is_err());
    }
}
