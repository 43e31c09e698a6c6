//! `methods`: runs another bundle to completion with arguments; the
//! promise's outcome is the worst of the callee's (SEMANTICS.md §2.12).

use compiler::ir::Promise;
use grammar::ast::Rval;

use crate::eval::expand::Binding;
use crate::eval::variables::scope_key;
use crate::eval::Agent;
use crate::outcome::Outcome;
use crate::value::Value;

pub fn actuate(agent: &mut Agent, promise: &Promise, promiser: &str, binding: &Binding) -> Outcome {
    let (name, args) = match promise.constraint("usebundle") {
        Some(constraint) => match call_of(agent, &constraint.ast.rval, binding) {
            Some(call) => call,
            None => return Outcome::failed("usebundle names no bundle"),
        },
        None => (promiser.to_string(), Vec::new()),
    };
    let namespace = agent.namespace().to_string();
    let Some(bundle) = agent.policy.find_bundle(&namespace, &name) else {
        let message = format!("a methods promise calls bundle '{name}', which was not found");
        agent.fatal = Some(message.clone());
        return Outcome::failed(message);
    };
    let inherit = agent.flag_attribute(promise, "inherit", binding);
    let result = match agent.call_bundle(bundle, args, inherit) {
        Ok(result) => result,
        Err(message) => return Outcome::failed(message),
    };
    if let Some(result_name) = agent.scalar_attribute(promise, "useresult", binding) {
        if let Some(frame) = agent.frame() {
            let scope = scope_key(&frame.namespace, &frame.name);
            for (key, value) in result.return_values {
                agent.variables.set(
                    &scope,
                    format!("{result_name}[{key}]"),
                    Value::Scalar(value),
                );
            }
        }
    }
    bundle_outcome(result.outcome)
}

/// The outcome of a promise that called a bundle: the bundle's worst, kept
/// when nothing in it had an outcome.
pub(crate) fn bundle_outcome(worst: Option<Outcome>) -> Outcome {
    worst.unwrap_or(Outcome::Kept)
}

/// The bundle name and arguments `usebundle` gives.
pub(crate) fn call_of(
    agent: &Agent,
    rval: &Rval,
    binding: &Binding,
) -> Option<(String, Vec<Value>)> {
    match rval {
        Rval::Call(call) => {
            let name = agent.expand(call.function.text(), binding).text;
            let args = call
                .args
                .iter()
                .map(|arg| agent.evaluate_rval(arg, binding).map(|e| e.value))
                .collect::<Option<Vec<_>>>()?;
            Some((name, args))
        }
        other => {
            let evaluated = agent.evaluate_rval(other, binding)?;
            evaluated
                .value
                .as_scalar()
                .map(|name| (name.to_string(), Vec::new()))
        }
    }
}
