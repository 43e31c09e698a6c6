//! `services`: a promise that a service is in a state, carried out by a
//! bundle (SEMANTICS.md §4.9), the way cf-agent 3.21 does it
//! (`verify_services.c`):
//!
//! - `service_policy` defaults to `start` (also when empty);
//! - the bundle is the `service_bundle` of the `service_method` body, its
//!   arguments evaluated with `$(this.service_policy)` set; without one, an
//!   agent bundle `service_<canonified promiser>` of the promise's
//!   namespace, else `default:standard_services`, both called with the
//!   promiser and the policy (inside them `this.service_policy` is not set);
//! - the promise's outcome is the called bundle's, as for `methods`; a
//!   missing bundle or a wrong number of arguments stops the run;
//! - `service_type => "windows"` does nothing on Linux and a service that
//!   lists itself in `service_dependencies` is refused: both get no outcome
//!   (no classes), as in cf-agent, but say why in the log.

use compiler::ir::Promise;
use grammar::ast::Rval;

use crate::eval::expand::Binding;
use crate::eval::Agent;
use crate::facts::canonify;
use crate::outcome::Outcome;
use crate::value::Value;

/// What to call for a services promise.
#[derive(Debug, Clone, PartialEq)]
struct ServiceCall {
    bundle: String,
    args: Vec<Value>,
}

/// `None`: the promise has no outcome (see the module comment).
pub fn actuate(
    agent: &mut Agent,
    promise: &Promise,
    promiser: &str,
    binding: &Binding,
) -> Option<Outcome> {
    let scalar = |agent: &Agent, name: &str| agent.scalar_attribute(promise, name, binding);
    let service_policy = scalar(agent, "service_policy")
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "start".to_string());
    let location = agent.location(promise);
    let method = promise.constraint("service_method");
    let method_body = method
        .and_then(|c| agent.constraint_body(c, binding))
        .unwrap_or_default();

    let dependencies = match agent.attribute(promise, "service_dependencies", binding) {
        Some(Value::List(items)) => items,
        Some(Value::Scalar(item)) => vec![item],
        _ => Vec::new(),
    };
    if dependencies.iter().any(|d| d == promiser) {
        agent.log.error(&format!(
            "{location}: Service promiser '{promiser}' has itself as dependency"
        ));
        return None;
    }
    if method_body.scalar("service_type") == Some("windows") {
        agent.log.info(&format!(
            "{location}: Service type windows not supported on this platform ('{promiser}')"
        ));
        return None;
    }

    set_service_policy(agent, Some(service_policy.clone()));
    let call = method
        .and_then(|c| agent.body_attribute_rval(c, binding, "service_bundle"))
        .and_then(|(rval, params)| written_call(agent, rval, &params));
    set_service_policy(agent, None);
    let call = call.unwrap_or_else(|| default_call(agent, promiser, &service_policy));

    let namespace = agent.namespace().to_string();
    let Some(bundle) = agent
        .policy
        .find_bundle(&namespace, &call.bundle)
        .filter(|&id| agent.policy.bundle(id).bundle_type() == "agent")
    else {
        let message = format!(
            "services promise '{promiser}' calls bundle '{}', which was not found",
            call.bundle
        );
        agent.fatal = Some(message.clone());
        return Some(Outcome::failed(message));
    };
    match agent.call_bundle(bundle, call.args, false) {
        Ok(result) => Some(super::methods::bundle_outcome(result.outcome)),
        Err(message) => {
            let message = format!("services promise '{promiser}': {message}");
            agent.fatal = Some(message.clone());
            Some(Outcome::failed(message))
        }
    }
}

fn set_service_policy(agent: &mut Agent, policy: Option<String>) {
    if let Some(frame) = agent.frame_mut() {
        frame.this.service_policy = policy;
    }
}

/// `service_bundle => name(args…)` or `service_bundle => "name"`.
fn written_call(agent: &Agent, rval: &Rval, params: &Binding) -> Option<ServiceCall> {
    match rval {
        Rval::Call(call) => {
            let bundle = agent.expand(call.function.text(), params).text;
            let args = call
                .args
                .iter()
                .map(|arg| agent.evaluate_rval(arg, params).map(|e| e.value))
                .collect::<Option<Vec<_>>>()?;
            Some(ServiceCall { bundle, args })
        }
        other => {
            let value = agent.evaluate_rval(other, params)?.value;
            let bundle = value.as_scalar()?.to_string();
            Some(ServiceCall {
                bundle,
                args: Vec::new(),
            })
        }
    }
}

/// `service_<canonified promiser>` when the namespace has such an agent
/// bundle, else `default:standard_services`.
fn default_call(agent: &Agent, promiser: &str, policy: &str) -> ServiceCall {
    let args = vec![Value::scalar(promiser), Value::scalar(policy)];
    let special = service_bundle_name(promiser);
    let has_special = agent
        .policy
        .find_bundle(agent.namespace(), &special)
        .is_some_and(|id| agent.policy.bundle(id).bundle_type() == "agent");
    let bundle = if has_special {
        special
    } else {
        "default:standard_services".to_string()
    };
    ServiceCall { bundle, args }
}

/// The bundle cf-agent looks for first: `service_` and the canonified
/// promiser.
fn service_bundle_name(promiser: &str) -> String {
    format!("service_{}", canonify(promiser))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_bundle_names_are_canonified() {
        assert_eq!(service_bundle_name("my-app"), "service_my_app");
        assert_eq!(service_bundle_name("a.b/c"), "service_a_b_c");
    }
}
