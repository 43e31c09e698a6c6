//! The host: commands, environment, users and groups, sysctl, processes,
//! CFEngine version tests.

use std::fs;
use std::io::Read;
use std::process::{Command, Stdio};

use serde_json::{json, Value as Json};

use super::{
    class_result, int_arg, scalar_arg, Arity, Builtin, CallContext, Function, FunctionError,
    FunctionResult,
};
use crate::value::Value;

pub(super) const FUNCTIONS: &[&dyn Function] = &[
    &Builtin {
        name: "cf_version_after",
        arity: Arity::Exactly(1),
        body: cf_version_after,
    },
    &Builtin {
        name: "cf_version_at",
        arity: Arity::Exactly(1),
        body: cf_version_at,
    },
    &Builtin {
        name: "cf_version_before",
        arity: Arity::Exactly(1),
        body: cf_version_before,
    },
    &Builtin {
        name: "cf_version_between",
        arity: Arity::Exactly(2),
        body: cf_version_between,
    },
    &Builtin {
        name: "cf_version_maximum",
        arity: Arity::Exactly(1),
        body: cf_version_maximum,
    },
    &Builtin {
        name: "cf_version_minimum",
        arity: Arity::Exactly(1),
        body: cf_version_minimum,
    },
    &Builtin {
        name: "data_sysctlvalues",
        arity: Arity::Exactly(0),
        body: data_sysctlvalues,
    },
    &Builtin {
        name: "execresult",
        arity: Arity::Between(1, 3),
        body: execresult,
    },
    &Builtin {
        name: "execresult_as_data",
        arity: Arity::Between(1, 3),
        body: execresult_as_data,
    },
    &Builtin {
        name: "findprocesses",
        arity: Arity::Exactly(1),
        body: findprocesses,
    },
    &Builtin {
        name: "getenv",
        arity: Arity::Exactly(2),
        body: getenv,
    },
    &Builtin {
        name: "getgid",
        arity: Arity::Exactly(1),
        body: getgid,
    },
    &Builtin {
        name: "getuid",
        arity: Arity::Exactly(1),
        body: getuid,
    },
    &Builtin {
        name: "getuserinfo",
        arity: Arity::Between(0, 1),
        body: getuserinfo,
    },
    &Builtin {
        name: "getusers",
        arity: Arity::Exactly(2),
        body: getusers,
    },
    &Builtin {
        name: "groupexists",
        arity: Arity::Exactly(1),
        body: groupexists,
    },
    &Builtin {
        name: "packagesmatching",
        arity: Arity::Exactly(4),
        body: packagesmatching,
    },
    &Builtin {
        name: "packageupdatesmatching",
        arity: Arity::Exactly(4),
        body: packageupdatesmatching,
    },
    &Builtin {
        name: "processexists",
        arity: Arity::Exactly(1),
        body: processexists,
    },
    &Builtin {
        name: "registryvalue",
        arity: Arity::Exactly(2),
        body: registryvalue,
    },
    &Builtin {
        name: "returnszero",
        arity: Arity::Exactly(2),
        body: returnszero,
    },
    &Builtin {
        name: "sysctlvalue",
        arity: Arity::Exactly(1),
        body: sysctlvalue,
    },
    &Builtin {
        name: "userexists",
        arity: Arity::Exactly(1),
        body: userexists,
    },
];

/// What a command printed and how it ended.
pub(super) struct Run {
    pub(super) output: String,
    pub(super) exit_code: i32,
}

/// Words of a command line, honouring single and double quotes.
fn split_command(command: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut in_word = false;
    for c in command.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

/// Runs `command` with `shell` (`noshell`, `useshell`, `powershell`) and
/// collects `stdout`, `stderr` or `both` (interleaved as written).
pub(super) fn run(command: &str, shell: &str, output: &str) -> Result<Run, FunctionError> {
    // An absolute command must name an executable, whatever the shell.
    if command.starts_with('/') {
        let program = split_command(command)
            .into_iter()
            .next()
            .unwrap_or_default();
        let executable = fs::metadata(&program).is_ok_and(|m| {
            m.is_file() && std::os::unix::fs::PermissionsExt::mode(&m.permissions()) & 0o111 != 0
        });
        if !executable {
            return Err(FunctionError(format!(
                "'{command}' is assumed to be executable but isn't"
            )));
        }
    }
    let mut process = match shell {
        "useshell" => {
            let mut p = Command::new("/bin/sh");
            p.arg("-c").arg(command);
            p
        }
        "noshell" => {
            let words = split_command(command);
            let Some((program, rest)) = words.split_first() else {
                return Err(FunctionError("the command is empty".into()));
            };
            if !program.starts_with('/') {
                return Err(FunctionError(format!(
                    "'{program}' is not an absolute path"
                )));
            }
            let mut p = Command::new(program);
            p.args(rest);
            p
        }
        "powershell" => return Err(FunctionError("powershell exists only on Windows".into())),
        other => return Err(FunctionError(format!("unknown shell option '{other}'"))),
    };
    let (reader, writer) = std::io::pipe().map_err(|e| FunctionError(format!("pipe: {e}")))?;
    process.stdin(Stdio::null());
    match output {
        "stdout" => {
            process.stdout(writer).stderr(Stdio::null());
        }
        "stderr" => {
            process.stdout(Stdio::null()).stderr(writer);
        }
        "both" => {
            let copy = writer
                .try_clone()
                .map_err(|e| FunctionError(format!("pipe: {e}")))?;
            process.stdout(writer).stderr(copy);
        }
        other => return Err(FunctionError(format!("unknown output option '{other}'"))),
    }
    let mask = crate::process::inherited_umask();
    // SAFETY: the closure runs in the child between fork and exec and
    // only calls umask, which is async-signal-safe.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut process, move || {
            libc::umask(mask);
            Ok(())
        });
    }
    let mut child = process
        .spawn()
        .map_err(|e| FunctionError(format!("cannot run '{command}': {e}")))?;
    // The Command still holds the pipe's write end: drop it so reading ends.
    drop(process);
    let mut bytes = Vec::new();
    let mut reader = reader;
    reader
        .read_to_end(&mut bytes)
        .map_err(|e| FunctionError(format!("reading from '{command}': {e}")))?;
    let status = child
        .wait()
        .map_err(|e| FunctionError(format!("waiting for '{command}': {e}")))?;
    let text = String::from_utf8_lossy(&bytes);
    Ok(Run {
        // cf-agent joins the lines with \n and then chops trailing blanks.
        output: text.trim_end().to_string(),
        exit_code: status.code().unwrap_or(-1),
    })
}

/// `(command, shell, output)`: cf-agent requires the shell option and
/// collects both streams unless told otherwise.
fn run_args(args: &[Value]) -> Result<Run, FunctionError> {
    if args.len() < 2 {
        return Err(FunctionError(
            "Must specify 'noshell', 'useshell', or 'powershell'".into(),
        ));
    }
    let output = if args.len() > 2 {
        scalar_arg(args, 2)?
    } else {
        "both"
    };
    run(scalar_arg(args, 0)?, scalar_arg(args, 1)?, output)
}

/// The output, minus trailing white space; fails when the command cannot
/// run.
fn execresult(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    Ok(Value::Scalar(run_args(args)?.output))
}

fn execresult_as_data(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let run = run_args(args)?;
    Ok(Value::Data(
        json!({"exit_code": run.exit_code, "output": run.output}),
    ))
}

/// The Windows registry does not exist on Linux; cf-agent's call fails.
fn registryvalue(_: &dyn CallContext, _: &[Value]) -> FunctionResult {
    Err(FunctionError(
        "registryvalue: the Windows registry does not exist on Linux".into(),
    ))
}

fn returnszero(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let shell = scalar_arg(args, 1)?;
    match run(scalar_arg(args, 0)?, shell, "stdout") {
        Ok(run) => Ok(class_result(run.exit_code == 0)),
        Err(_) => Ok(class_result(false)),
    }
}

/// The variable's value, at most `max` bytes; unset gives `""`.
fn getenv(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let value = std::env::var(scalar_arg(args, 0)?).unwrap_or_default();
    let max = usize::try_from(int_arg(args, 1)?).unwrap_or(0);
    let bytes = value.as_bytes();
    let cut = &bytes[..bytes.len().min(max)];
    Ok(Value::Scalar(String::from_utf8_lossy(cut).into_owned()))
}

/// The entries of `/etc/passwd` or `/etc/group`, split at `:`.
fn database(path: &str) -> Vec<Vec<String>> {
    fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.split(':').map(str::to_string).collect())
        .collect()
}

fn find_entry(path: &str, name_or_id: &str) -> Option<Vec<String>> {
    let entries = database(path);
    entries
        .iter()
        .find(|e| e.first().map(String::as_str) == Some(name_or_id))
        .or_else(|| {
            entries
                .iter()
                .find(|e| e.get(2).map(String::as_str) == Some(name_or_id))
        })
        .cloned()
}

fn id_of(path: &str, args: &[Value]) -> FunctionResult {
    let name = scalar_arg(args, 0)?;
    find_entry(path, name)
        .filter(|e| e.first().map(String::as_str) == Some(name))
        .and_then(|e| e.get(2).cloned())
        .map(Value::Scalar)
        .ok_or_else(|| FunctionError(format!("no entry '{name}' in {path}")))
}

fn getuid(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    id_of("/etc/passwd", args)
}

fn getgid(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    id_of("/etc/group", args)
}

fn userexists(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    Ok(class_result(
        find_entry("/etc/passwd", scalar_arg(args, 0)?).is_some(),
    ))
}

fn groupexists(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    Ok(class_result(
        find_entry("/etc/group", scalar_arg(args, 0)?).is_some(),
    ))
}

/// `getusers(exclude_names, exclude_ids)`, both comma separated.
fn getusers(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let names: Vec<&str> = scalar_arg(args, 0)?.split(',').collect();
    let ids: Vec<&str> = scalar_arg(args, 1)?.split(',').collect();
    Ok(Value::List(
        database("/etc/passwd")
            .into_iter()
            .filter(|e| {
                let name = e.first().map_or("", String::as_str);
                let uid = e.get(2).map_or("", String::as_str);
                !names.contains(&name) && !ids.contains(&uid)
            })
            .filter_map(|e| e.into_iter().next())
            .collect(),
    ))
}

/// `{username, uid, gid, description, home_dir, shell}` of a user (name or
/// uid). Without argument, and (as in cf-agent) for an unknown user, the
/// user running the agent.
fn getuserinfo(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    // SAFETY: getuid has no preconditions.
    let me = unsafe { libc::getuid() }.to_string();
    let who = if args.is_empty() {
        me.clone()
    } else {
        scalar_arg(args, 0)?.to_string()
    };
    let e = find_entry("/etc/passwd", &who)
        .or_else(|| find_entry("/etc/passwd", &me))
        .ok_or_else(|| FunctionError(format!("no user '{who}'")))?;
    let field = |at: usize| e.get(at).cloned().unwrap_or_default();
    let number = |at: usize| field(at).parse::<u64>().map_or(Json::Null, Json::from);
    Ok(Value::Data(json!({
        "description": field(4),
        "gid": number(3),
        "home_dir": field(5),
        "shell": field(6),
        "uid": number(2),
        "username": field(0),
    })))
}

fn sysctl_path(key: &str) -> String {
    format!("/proc/sys/{}", key.replace('.', "/"))
}

fn sysctlvalue(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let key = scalar_arg(args, 0)?;
    fs::read_to_string(sysctl_path(key))
        .map(|v| Value::Scalar(v.trim_end_matches('\n').to_string()))
        .map_err(|e| FunctionError(format!("sysctlvalue: '{key}': {e}")))
}

/// Every readable key below `/proc/sys`.
fn data_sysctlvalues(_: &dyn CallContext, _: &[Value]) -> FunctionResult {
    fn walk(dir: &std::path::Path, key: &str, out: &mut serde_json::Map<String, Json>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let child = if key.is_empty() {
                name
            } else {
                format!("{key}.{name}")
            };
            let path = entry.path();
            if path.is_dir() {
                walk(&path, &child, out);
            } else if let Ok(value) = fs::read_to_string(&path) {
                out.insert(
                    child,
                    Json::String(value.trim_end_matches('\n').to_string()),
                );
            }
        }
    }
    let mut out = serde_json::Map::new();
    walk(std::path::Path::new("/proc/sys"), "", &mut out);
    Ok(Value::Data(Json::Object(out)))
}

/// `(pid, command line)` of every process, from `/proc`.
fn processes() -> Vec<(u32, String)> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut out: Vec<(u32, String)> = entries
        .flatten()
        .filter_map(|e| {
            let pid: u32 = e.file_name().to_str()?.parse().ok()?;
            let raw = fs::read(e.path().join("cmdline")).ok()?;
            let line = if raw.is_empty() {
                let comm = fs::read_to_string(e.path().join("comm")).ok()?;
                format!("[{}]", comm.trim_end())
            } else {
                let words: Vec<String> = raw
                    .split(|b| *b == 0)
                    .filter(|w| !w.is_empty())
                    .map(|w| String::from_utf8_lossy(w).into_owned())
                    .collect();
                words.join(" ")
            };
            Some((pid, line))
        })
        .collect();
    out.sort();
    out
}

/// Processes whose command line the regex finds (unanchored, as the
/// `processes` promiser).
fn matching_processes(args: &[Value]) -> Result<Vec<(u32, String)>, FunctionError> {
    let pattern = scalar_arg(args, 0)?;
    let mut out = Vec::new();
    for (pid, line) in processes() {
        if super::regex::search(pattern, &line)?.is_some() {
            out.push((pid, line));
        }
    }
    Ok(out)
}

fn processexists(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    Ok(class_result(!matching_processes(args)?.is_empty()))
}

fn findprocesses(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    Ok(Value::Data(Json::Array(
        matching_processes(args)?
            .into_iter()
            .map(|(pid, line)| json!({"pid": pid, "line": line}))
            .collect(),
    )))
}

/// The state directory of the run.
fn state_dir(context: &dyn CallContext) -> String {
    match context.variable("sys.statedir") {
        Some(Value::Scalar(dir)) => dir,
        _ => match context.variable("sys.workdir") {
            Some(Value::Scalar(dir)) => format!("{dir}/state"),
            _ => "/var/lib/cfengine3/state".into(),
        },
    }
}

/// Packages of the inventory whose `name,version,arch,method` line fully
/// matches `^name_re,version_re,arch_re,method_re$`. Without any inventory
/// the answer is an empty list (cf-agent: not necessarily an error).
fn matching_packages(context: &dyn CallContext, args: &[Value], installed: bool) -> FunctionResult {
    let pattern = format!(
        "{},{},{},{}",
        scalar_arg(args, 0)?,
        scalar_arg(args, 1)?,
        scalar_arg(args, 2)?,
        scalar_arg(args, 3)?
    );
    let state = state_dir(context);
    let module_prefix = if installed {
        "packages_installed"
    } else {
        "packages_updates"
    };
    let has_module_inventory = fs::read_dir(&state).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with(module_prefix))
    });
    if has_module_inventory {
        return Err(FunctionError(
            "package-module inventories (LMDB) are not read yet".into(),
        ));
    }
    let cache = if installed {
        "software_packages.csv"
    } else {
        "software_patches_avail.csv"
    };
    let text = fs::read_to_string(format!("{state}/{cache}")).unwrap_or_default();
    let mut out = Vec::new();
    for line in text.lines() {
        if !super::regex::full_match(&pattern, line)? {
            continue;
        }
        let fields: Vec<&str> = line.split(',').collect();
        if let [name, version, arch, method] = fields.as_slice() {
            out.push(json!({"name": name, "version": version, "arch": arch, "method": method}));
        }
    }
    Ok(Value::Data(Json::Array(out)))
}

fn packagesmatching(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    matching_packages(context, args, true)
}

fn packageupdatesmatching(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    matching_packages(context, args, false)
}

/// The version these functions answer for.
const CF_VERSION: [u64; 3] = [3, 21, 0];

/// Compares the agent's version with the components given (`"3.18"`
/// compares major and minor only).
fn version_order(args: &[Value], at: usize) -> Result<std::cmp::Ordering, FunctionError> {
    let text = scalar_arg(args, at)?;
    let parts: Vec<u64> = text
        .split('.')
        .map(|p| p.trim().parse::<u64>())
        .collect::<Result<_, _>>()
        .map_err(|_| FunctionError(format!("'{text}' is not a version")))?;
    if parts.is_empty() || parts.len() > 3 {
        return Err(FunctionError(format!("'{text}' is not a version")));
    }
    Ok(CF_VERSION[..parts.len()].cmp(&parts[..]))
}

fn cf_version_after(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    Ok(class_result(version_order(args, 0)?.is_gt()))
}
fn cf_version_at(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    Ok(class_result(version_order(args, 0)?.is_eq()))
}
fn cf_version_before(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    Ok(class_result(version_order(args, 0)?.is_lt()))
}
fn cf_version_maximum(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    Ok(class_result(version_order(args, 0)?.is_le()))
}
fn cf_version_minimum(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    Ok(class_result(version_order(args, 0)?.is_ge()))
}
fn cf_version_between(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    Ok(class_result(
        version_order(args, 0)?.is_ge() && version_order(args, 1)?.is_le(),
    ))
}

#[cfg(test)]
mod tests {
    use crate::functions::test_context::*;
    use crate::value::Value;

    #[test]
    fn commands() {
        let c = FixedContext::default();
        assert_eq!(
            call(
                &c,
                "execresult",
                &["echo a; echo b >&2; echo", "useshell", "both"]
            ),
            scalar("a\nb")
        );
        assert_eq!(
            call(
                &c,
                "execresult",
                &["/bin/echo 'x  y' z", "noshell", "stdout"]
            ),
            scalar("x  y z")
        );
        assert!(call(&c, "execresult", &["echo x", "noshell"]).is_err());
        assert!(call(&c, "execresult", &["/bin/echo x"]).is_err());
        assert!(call(&c, "execresult", &["/no/such/tool", "useshell"]).is_err());
        assert_eq!(
            call(
                &c,
                "execresult",
                &["echo out; echo err >&2; echo '  '", "useshell"]
            ),
            scalar("out\nerr")
        );
        assert_eq!(
            call(
                &c,
                "execresult_as_data",
                &["echo hi; exit 3", "useshell", "stdout"]
            ),
            Ok(Value::Data(
                serde_json::json!({"exit_code": 3, "output": "hi"})
            ))
        );
        assert_eq!(call(&c, "returnszero", &["/bin/false", "noshell"]), no());
        assert_eq!(call(&c, "returnszero", &["exit 0", "useshell"]), yes());
        assert_eq!(call(&c, "returnszero", &["/no/such/cmd", "noshell"]), no());
    }

    #[test]
    fn users_environment_versions() {
        let c = FixedContext::default();
        assert_eq!(call(&c, "getuid", &["root"]), scalar("0"));
        assert_eq!(call(&c, "getgid", &["root"]), scalar("0"));
        assert!(call(&c, "getuid", &["no-such-user-promise-rs"]).is_err());
        assert_eq!(call(&c, "userexists", &["0"]), yes());
        assert_eq!(call(&c, "groupexists", &["root"]), yes());
        assert_eq!(
            call(&c, "getenv", &["PROMISE_RS_UNSET_VARIABLE", "10"]),
            scalar("")
        );
        assert_eq!(call(&c, "sysctlvalue", &["kernel.ostype"]), scalar("Linux"));
        assert_eq!(call(&c, "cf_version_minimum", &["3.18"]), yes());
        assert_eq!(call(&c, "cf_version_maximum", &["3.21.0"]), yes());
        assert_eq!(call(&c, "cf_version_at", &["3"]), yes());
        assert_eq!(call(&c, "cf_version_after", &["3.21"]), no());
        assert_eq!(call(&c, "cf_version_between", &["3.20", "3.22"]), yes());
        assert!(call(&c, "cf_version_at", &["x"]).is_err());
        let users = call(&c, "getusers", &["", ""])
            .ok()
            .and_then(|v| v.as_list().map(<[String]>::to_vec))
            .unwrap_or_default();
        assert!(users.iter().any(|u| u == "root"));
        assert_eq!(
            call(
                &c,
                "processexists",
                &["no-such-process-promise-rs-[0-9]{40}"]
            ),
            no()
        );
    }
}
