//! Module protocol from functions: `usemodule` runs `WORKDIR/modules/NAME`
//! and `read_module_protocol` reads a file of saved module output; both
//! hand the lines to the agent, which applies them as a `commands` module's
//! output (`promises::module_protocol`).

use std::os::unix::fs::MetadataExt;

use super::{
    class_result, scalar_arg, Arity, Builtin, CallContext, Definition, Function, FunctionError,
    FunctionResult,
};
use crate::value::Value;

pub(super) const FUNCTIONS: &[&dyn Function] = &[
    &Builtin {
        name: "usemodule",
        arity: Arity::Exactly(2),
        body: usemodule,
    },
    &Builtin {
        name: "read_module_protocol",
        arity: Arity::Exactly(1),
        body: read_module_protocol,
    },
];

/// `usemodule(name, args)`: the module must exist under
/// `$(sys.workdir)/modules` and be owned by root or by the agent's user.
/// Its exit code does not matter; every line it prints (stdout and stderr)
/// is module protocol.
fn usemodule(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let (name, arguments) = (scalar_arg(args, 0)?, scalar_arg(args, 1)?);
    let workdir = match context.variable("sys.workdir") {
        Some(Value::Scalar(dir)) => dir,
        _ => return Err(FunctionError("usemodule: sys.workdir is not known".into())),
    };
    let path = format!("{workdir}/modules/{name}");
    let quoted = format!("\"{path}\"");
    let metadata = std::fs::metadata(&path)
        .map_err(|_| FunctionError(format!("Plug-in module '{quoted}' not found")))?;
    // SAFETY: getuid has no preconditions and cannot fail.
    let uid = unsafe { libc::getuid() };
    if metadata.uid() != 0 && metadata.uid() != uid {
        return Err(FunctionError(format!(
            "Module '{quoted}' was not owned by uid {uid} who is executing agent"
        )));
    }
    let command = format!("{quoted} {arguments}");
    context.note(&format!("Executing and using module [{command}]"));
    let run = super::system::run(&command, "noshell", "both")?;
    let lines = run.output.lines().map(str::to_string).collect();
    context.define(Definition::ModuleOutput {
        command,
        lines,
        print: true,
    })?;
    Ok(class_result(true))
}

/// `read_module_protocol(file)`: false when the file cannot be read; the
/// default context is the file's canonified basename, and lines that are
/// not protocol are not logged.
fn read_module_protocol(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let path = scalar_arg(args, 0)?;
    let Ok(bytes) = std::fs::read(path) else {
        return Ok(class_result(false));
    };
    let text = String::from_utf8_lossy(&bytes);
    let lines = text.lines().map(str::to_string).collect();
    context.define(Definition::ModuleOutput {
        command: path.to_string(),
        lines,
        print: false,
    })?;
    Ok(class_result(true))
}

#[cfg(test)]
mod tests {
    use crate::functions::test_context::*;
    use crate::functions::Definition;
    use crate::value::Value;

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("promise-fn-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        dir
    }

    #[test]
    fn usemodule_runs_the_module_and_hands_over_its_lines() {
        let dir = scratch("usemodule");
        let modules = dir.join("modules");
        std::fs::create_dir(&modules).expect("modules dir");
        let module = modules.join("m");
        std::fs::write(&module, "#!/bin/sh\necho =x=$1\necho +c >&2\n").expect("module");
        std::fs::set_permissions(&module, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .expect("chmod");
        let mut c = FixedContext::default();
        c.variables.insert(
            "sys.workdir".into(),
            Value::scalar(dir.display().to_string()),
        );
        assert_eq!(call(&c, "usemodule", &["m", "arg"]), yes());
        let defined = c.defined.borrow();
        match defined.first() {
            Some(Definition::ModuleOutput { lines, print, .. }) => {
                assert_eq!(lines, &["=x=arg".to_string(), "+c".to_string()]);
                assert!(*print);
            }
            other => panic!("unexpected definition {other:?}"),
        }
        drop(defined);
        assert!(call(&c, "usemodule", &["nosuch", ""]).is_err());
    }

    #[test]
    fn read_module_protocol_is_false_for_a_missing_file() {
        let c = FixedContext::default();
        assert_eq!(call(&c, "read_module_protocol", &["/nonexistent/x"]), no());
        let dir = scratch("read_module_protocol");
        let file = dir.join("cache.txt");
        std::fs::write(&file, "=a=1\n+k\n").expect("write");
        assert_eq!(
            call(&c, "read_module_protocol", &[&file.display().to_string()]),
            yes()
        );
        assert_eq!(c.defined.borrow().len(), 1);
    }
}
