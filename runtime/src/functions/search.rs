//! Searching upwards and comparing files with rules: `search_up`,
//! `findfiles_up`, `hashmatch`, `makerule`.

use std::fs;
use std::path::Path;

use serde_json::Value as Json;

use super::lists::list_arg;
use super::{
    class_result, int_arg, scalar_arg, Arity, Builtin, CallContext, Function, FunctionError,
    FunctionResult,
};
use crate::value::Value;

pub(super) const FUNCTIONS: &[&dyn Function] = &[
    &Builtin {
        name: "findfiles_up",
        arity: Arity::Between(2, 3),
        body: findfiles_up,
    },
    &Builtin {
        name: "hashmatch",
        arity: Arity::Exactly(3),
        body: hashmatch,
    },
    &Builtin {
        name: "makerule",
        arity: Arity::Exactly(2),
        body: makerule,
    },
    &Builtin {
        name: "search_up",
        arity: Arity::Between(2, 3),
        body: search_up,
    },
];

/// Matches of `glob` in `path` and each directory above it, up to `level`
/// levels (all when not given), nearest first.
fn up(args: &[Value]) -> FunctionResult {
    let start = scalar_arg(args, 0)?;
    let glob = scalar_arg(args, 1)?;
    if glob.starts_with('/') {
        return Err(FunctionError(format!("'{glob}' must be relative")));
    }
    let levels = if args.len() > 2 {
        int_arg(args, 2)?
    } else {
        i64::MAX
    };
    let mut found = Vec::new();
    let mut dir = Some(Path::new(start));
    let mut level = 0;
    while let Some(current) = dir {
        if level > levels {
            break;
        }
        let pattern = format!(
            "{}/{glob}",
            current.display().to_string().trim_end_matches('/')
        );
        super::glob::expand(&pattern, &mut found);
        dir = current.parent();
        level += 1;
    }
    Ok(Value::Data(Json::Array(
        found.into_iter().map(Json::String).collect(),
    )))
}

fn findfiles_up(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    up(args)
}

fn search_up(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    up(args)
}

/// `hashmatch(file, algorithm, hex)`: the file's digest is the given one.
fn hashmatch(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let path = scalar_arg(args, 0)?;
    let Ok(bytes) = fs::read(path) else {
        return Ok(class_result(false));
    };
    let digest = super::strings::digest_hex(scalar_arg(args, 1)?, &bytes)?;
    Ok(class_result(
        digest.eq_ignore_ascii_case(scalar_arg(args, 2)?.trim()),
    ))
}

/// `makerule(target, sources)`: `any` when the target is missing or a
/// source is newer than it (sources: a list or one path).
fn makerule(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let target = scalar_arg(args, 0)?;
    let sources = match &args[1] {
        Value::Scalar(path) if path.starts_with('/') => vec![path.clone()],
        _ => list_arg(context, args, 1)?,
    };
    let Ok(built) = fs::metadata(target).and_then(|m| m.modified()) else {
        return Ok(class_result(true));
    };
    let stale = sources.iter().any(|source| {
        fs::metadata(source)
            .and_then(|m| m.modified())
            .is_ok_and(|changed| changed > built)
    });
    Ok(class_result(stale))
}

#[cfg(test)]
mod tests {
    use crate::functions::test_context::*;
    use crate::value::Value;
    use std::fs;

    #[test]
    fn searching_up_and_rules() {
        let c = FixedContext::default();
        let root = std::env::temp_dir().join(format!("promise-rs-up-{}", std::process::id()));
        fs::create_dir_all(root.join("a/b")).ok();
        fs::write(root.join("marker"), "abc").ok();
        let start = root.join("a/b").display().to_string();
        let marker = root.join("marker").display().to_string();
        assert_eq!(
            call(&c, "search_up", &[&start, "mark*"]),
            Ok(Value::Data(serde_json::json!([marker])))
        );
        assert_eq!(
            call(&c, "findfiles_up", &[&start, "marker", "1"]),
            Ok(Value::Data(serde_json::json!([])))
        );
        assert!(call(&c, "findfiles_up", &[&start, "/abs"]).is_err());
        assert_eq!(
            call(
                &c,
                "hashmatch",
                &[&marker, "md5", "900150983cd24fb0d6963f7d28e17f72"]
            ),
            yes()
        );
        assert_eq!(call(&c, "hashmatch", &[&marker, "md5", "00"]), no());
        assert_eq!(call(&c, "makerule", &["/no/such/target", &marker]), yes());
        assert_eq!(call(&c, "makerule", &[&marker, "/no/such/source"]), no());
        let _ = fs::remove_dir_all(&root);
    }
}
