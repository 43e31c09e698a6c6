//! Running a package module: `MODULE COMMAND` (or `INTERPRETER [OPTS]
//! SCRIPT COMMAND`) without a shell, the request on its stdin, the reply
//! lines from its stdout; a non-zero exit is a failed exchange. The
//! module runs with umask 022 (files it writes are 0644, as under
//! cf-agent) and is killed after 4 hours, cf-agent's limit.

use std::io::{Read, Write};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::eval::body::BodyAttributes;

/// cf-agent's `PACKAGE_PROMISE_SCRIPT_TIMEOUT_SEC`.
const MODULE_TIMEOUT: Duration = Duration::from_secs(4 * 3600);
/// How often a running module is checked for its end.
const POLL: Duration = Duration::from_millis(20);

/// A `package_module` body, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageModule {
    /// The body's name: names the cache and, by default, the executable.
    pub name: String,
    /// The module executable, or the script when `interpreter` is given.
    pub path: PathBuf,
    /// `interpreter`, split into the program and its options.
    pub interpreter: Option<Vec<String>>,
    /// `default_options`.
    pub options: Vec<String>,
    /// `query_installed_ifelapsed` / `query_updates_ifelapsed`, minutes
    /// (0 when not given, as in cf-agent).
    pub installed_ifelapsed: i64,
    pub updates_ifelapsed: i64,
}

impl PackageModule {
    pub fn from_body(name: &str, body: &BodyAttributes, workdir: &str) -> PackageModule {
        let path = body
            .scalar("module_path")
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(workdir).join("modules/packages").join(name));
        let interpreter = body
            .scalar("interpreter")
            .filter(|i| !i.is_empty())
            .map(super::super::commands::split_command);
        let minutes = |name: &str| {
            body.scalar(name)
                .and_then(crate::functions::parse_int)
                .unwrap_or(0)
        };
        PackageModule {
            name: name.to_string(),
            path,
            interpreter,
            options: body.list("default_options"),
            installed_ifelapsed: minutes("query_installed_ifelapsed"),
            updates_ifelapsed: minutes("query_updates_ifelapsed"),
        }
    }

    /// The program and arguments that carry out `command`.
    fn argv(&self, command: &str) -> Vec<String> {
        let script = self.path.display().to_string();
        match &self.interpreter {
            Some(interpreter) => {
                let mut argv = interpreter.clone();
                argv.push(script);
                argv.push(command.to_string());
                argv
            }
            None => vec![script, command.to_string()],
        }
    }

    /// Checks that the module can run (cf-agent's `NewPackageModuleWrapper`
    /// before it negotiates the API version).
    pub fn check(&self) -> Result<(), String> {
        let access = |path: &std::path::Path, mode| {
            std::ffi::CString::new(path.as_os_str().as_encoded_bytes())
                // SAFETY: access only reads the path.
                .is_ok_and(|c| unsafe { libc::access(c.as_ptr(), mode) } == 0)
        };
        match &self.interpreter {
            Some(interpreter) => {
                let program = interpreter.first().map(PathBuf::from).unwrap_or_default();
                if !access(&program, libc::X_OK) {
                    return Err(format!(
                        "Cannot find package module interpreter at location '{}' or access to the file is restricted",
                        program.display()
                    ));
                }
                if !access(&self.path, libc::R_OK) {
                    return Err(format!(
                        "Cannot find package module script at location '{}' or access to the file is restricted",
                        self.path.display()
                    ));
                }
            }
            None => {
                if !access(&self.path, libc::X_OK) {
                    return Err(format!(
                        "Cannot find package module at location '{}' or access to file is restricted",
                        self.path.display()
                    ));
                }
            }
        }
        Ok(())
    }

    /// Sends `request` with `command`; the non-empty reply lines.
    pub fn exchange(&self, command: &str, request: &str) -> Result<Vec<String>, String> {
        let argv = self.argv(command);
        let (program, args) = argv
            .split_first()
            .ok_or_else(|| "package module has no executable".to_string())?;
        let mut process = Command::new(program);
        process
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        // SAFETY: umask is async-signal-safe.
        unsafe {
            process.pre_exec(|| {
                libc::umask(0o022);
                Ok(())
            });
        }
        let mut child = process
            .spawn()
            .map_err(|e| format!("could not run '{}': {e}", argv.join(" ")))?;
        let writer = child.stdin.take().map(|mut stdin| {
            let request = request.to_string();
            std::thread::spawn(move || {
                // A module that does not read its input is not an error.
                let _ = stdin.write_all(request.as_bytes());
            })
        });
        let reader = child.stdout.take().map(|mut stdout| {
            std::thread::spawn(move || {
                let mut out = Vec::new();
                let _ = stdout.read_to_end(&mut out);
                out
            })
        });
        let deadline = Instant::now() + MODULE_TIMEOUT;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) if Instant::now() < deadline => std::thread::sleep(POLL),
                Ok(None) | Err(_) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break None;
                }
            }
        };
        if let Some(writer) = writer {
            let _ = writer.join();
        }
        let output = reader.and_then(|r| r.join().ok()).unwrap_or_default();
        match status {
            Some(status) if status.success() => Ok(String::from_utf8_lossy(&output)
                .lines()
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect()),
            Some(status) => Err(format!(
                "Command '{}' returned with non zero return code: {}",
                argv.join(" "),
                status.code().unwrap_or(-1)
            )),
            None => Err(format!(
                "Command '{}' was killed after {} seconds",
                argv.join(" "),
                MODULE_TIMEOUT.as_secs()
            )),
        }
    }

    /// `supports-api-version` must answer exactly one line, `1`.
    pub fn negotiate(&self) -> Result<(), String> {
        let reply = self
            .exchange("supports-api-version", "")
            .map_err(|e| format!("Error occurred while getting supported API version: {e}"))?;
        let version = match reply.as_slice() {
            [one] => one.trim().parse::<i64>().unwrap_or(0),
            _ => -1,
        };
        if version == 1 {
            Ok(())
        } else {
            Err(format!(
                "Unsupported package module wrapper API version: {version}"
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Value;
    use std::os::unix::fs::PermissionsExt;

    fn body(attributes: &[(&str, Value)]) -> BodyAttributes {
        BodyAttributes {
            attributes: attributes
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        }
    }

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("promise-pkgmod-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn body_attributes_and_default_path() {
        let module = PackageModule::from_body(
            "apt_get",
            &body(&[
                ("query_installed_ifelapsed", Value::scalar("60")),
                ("default_options", Value::List(vec!["a=b".into()])),
                ("interpreter", Value::scalar("/usr/bin/python3 -E")),
            ]),
            "/var/cfengine",
        );
        assert_eq!(
            module.path,
            PathBuf::from("/var/cfengine/modules/packages/apt_get")
        );
        assert_eq!(
            (module.installed_ifelapsed, module.updates_ifelapsed),
            (60, 0)
        );
        assert_eq!(module.options, ["a=b"]);
        assert_eq!(
            module.argv("list-installed"),
            [
                "/usr/bin/python3",
                "-E",
                "/var/cfengine/modules/packages/apt_get",
                "list-installed"
            ]
        );
    }

    #[test]
    fn a_module_script_answers_on_stdout() {
        let dir = scratch("exchange");
        let script = dir.join("fake");
        std::fs::write(
            &script,
            "#!/bin/sh\ncase \"$1\" in\n supports-api-version) echo 1 ;;\n echo) cat ;;\n *) exit 3 ;;\nesac\n",
        )
        .unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        let module = PackageModule::from_body(
            "fake",
            &body(&[("module_path", Value::scalar(script.display().to_string()))]),
            "/nowhere",
        );
        assert_eq!(module.check(), Ok(()));
        assert_eq!(module.negotiate(), Ok(()));
        assert_eq!(
            module.exchange("echo", "Name=a\n\nVersion=1\n"),
            Ok(vec!["Name=a".to_string(), "Version=1".to_string()])
        );
        assert!(module.exchange("other", "").is_err());
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn a_missing_module_is_reported() {
        let module = PackageModule::from_body("absent", &body(&[]), "/nonexistent-workdir");
        assert!(module
            .check()
            .unwrap_err()
            .contains("Cannot find package module"));
    }
}
