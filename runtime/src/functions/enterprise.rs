//! Functions that CFEngine Community's cf-agent 3.21 refuses on Linux:
//! they fail with cf-agent's own message, so the variable or class they
//! feed stays undefined, exactly as there.

use super::{Arity, Builtin, CallContext, Function, FunctionError, FunctionResult};
use crate::value::Value;

pub(super) const FUNCTIONS: &[&dyn Function] = &[
    &Builtin {
        name: "hostswithclass",
        arity: Arity::Exactly(2),
        body: enterprise_hub,
    },
    &Builtin {
        name: "ldaparray",
        arity: Arity::Exactly(6),
        body: ldap,
    },
    &Builtin {
        name: "ldaplist",
        arity: Arity::Exactly(6),
        body: ldap,
    },
    &Builtin {
        name: "ldapvalue",
        arity: Arity::Exactly(6),
        body: ldap,
    },
    &Builtin {
        name: "regldap",
        arity: Arity::Exactly(7),
        body: ldap,
    },
];

fn enterprise_hub(_: &dyn CallContext, _: &[Value]) -> FunctionResult {
    Err(FunctionError(
        "Host class counting is only available in CFEngine Enterprise".into(),
    ))
}

fn ldap(_: &dyn CallContext, _: &[Value]) -> FunctionResult {
    Err(FunctionError(
        "LDAP support only available in CFEngine Enterprise".into(),
    ))
}

#[cfg(test)]
mod tests {
    use crate::functions::test_context::*;

    #[test]
    fn enterprise_functions_fail_as_in_community() {
        let c = FixedContext::default();
        assert!(call(&c, "hostswithclass", &["linux", "name"]).is_err());
        let ldap = ["ldap://h", "dc=x", "(uid=a)", "cn", "subtree", "none"];
        assert!(call(&c, "ldapvalue", &ldap).is_err());
        assert!(call(&c, "ldaplist", &ldap).is_err());
        assert!(call(&c, "ldaparray", &ldap).is_err());
        assert!(call(
            &c,
            "regldap",
            &["ldap://h", "dc=x", "(uid=a)", "cn", "subtree", "a.*", "none"]
        )
        .is_err());
    }
}
