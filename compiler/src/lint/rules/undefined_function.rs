//! E009 undefined function, E012 wrong number of arguments to a function.
//!
//! *Example:* `nosuchfunc("a")`, `canonify("a", "b")`.

use grammar::ast::{Callee, Rval};
use grammar::{Diagnostic, Severity};

use crate::lint::suggest::did_you_mean;
use crate::lint::Context;
use crate::syntax;

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for call in cx.function_calls() {
        {
            let Callee::Name(name) = &call.function else {
                continue;
            };
            let Some(function) = syntax::function(&name.name) else {
                out.push(
                    Diagnostic::new(
                        "E009",
                        Severity::Error,
                        format!(
                            "unknown function '{}'{}",
                            name.name,
                            did_you_mean(&name.name, syntax::FUNCTIONS.iter().map(|f| f.name))
                        ),
                        name.span,
                    )
                    .with_label("not a CFEngine 3.21 function"),
                );
                continue;
            };
            let given = call.args.len();
            let splices = call
                .args
                .iter()
                .any(|a| matches!(a, Rval::Variable(v) if v.is_list()));
            if function.accepts_arity(given) || (splices && function.variadic) {
                continue;
            }
            let expected = if function.variadic {
                format!("at least {}", function.required_arity())
            } else {
                function.parameters.len().to_string()
            };
            out.push(
                Diagnostic::new(
                    "E012",
                    Severity::Error,
                    format!(
                        "{}() takes {expected} argument(s), {given} given",
                        function.name
                    ),
                    call.span,
                )
                .with_label(format!("{given} given"))
                .with_help(signature(function)),
            );
        }
    }
}

fn signature(f: &syntax::Function) -> String {
    let params: Vec<String> = f
        .parameters
        .iter()
        .map(|p| format!("{}: {}", p.description, p.kind.cfengine_name()))
        .collect();
    format!(
        "{}({}{}) -> {}",
        f.name,
        params.join(", "),
        if f.variadic { ", ..." } else { "" },
        f.return_type.cfengine_name()
    )
}
