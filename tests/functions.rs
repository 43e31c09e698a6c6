//! Every function of CFEngine 3.21's syntax table is either implemented by
//! the runtime or listed with a reason, and implemented functions accept
//! the argument counts cf-promises accepts.

use compiler::syntax::FUNCTIONS;
use runtime::functions::status::{self, MISSING, NOTES};
use runtime::functions::table;

#[test]
fn every_function_is_implemented_or_listed_with_a_reason() {
    let mut unaccounted = Vec::new();
    let mut both = Vec::new();
    for function in FUNCTIONS {
        let implemented = table().get(function.name).is_some();
        let listed = status::missing(function.name).is_some();
        match (implemented, listed) {
            (false, false) => unaccounted.push(function.name),
            (true, true) => both.push(function.name),
            _ => {}
        }
    }
    assert!(
        unaccounted.is_empty(),
        "neither implemented nor listed in runtime::functions::status::MISSING: {unaccounted:?}"
    );
    assert!(
        both.is_empty(),
        "implemented yet listed as missing: {both:?}"
    );
}

#[test]
fn status_lists_name_only_real_functions() {
    let names = MISSING
        .iter()
        .map(|(n, _)| n)
        .chain(NOTES.iter().map(|(n, _)| n));
    for name in names {
        assert!(
            compiler::syntax::function(name).is_some(),
            "'{name}' is not a CFEngine 3.21 function"
        );
    }
    for (name, _) in NOTES {
        assert!(
            table().get(name).is_some(),
            "note on unimplemented '{name}'"
        );
    }
}

#[test]
fn implemented_functions_accept_what_cf_promises_accepts() {
    let mut wrong = Vec::new();
    for function in FUNCTIONS {
        let Some(implemented) = table().get(function.name) else {
            continue;
        };
        // Variadic functions: cf-promises checks no count, cf-agent refuses
        // counts beyond the listed parameters; compare those it documents.
        let counts = if function.variadic {
            function.required_arity().max(1)..=function.parameters.len()
        } else {
            function.parameters.len()..=function.parameters.len()
        };
        for n in counts {
            if function.accepts_arity(n) && !implemented.arity().accepts(n) {
                wrong.push(format!("{}: {n} arguments", function.name));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "arity narrower than cf-promises': {wrong:?}"
    );
}

#[test]
fn coverage_is_reported() {
    let implemented = FUNCTIONS
        .iter()
        .filter(|f| table().get(f.name).is_some())
        .count();
    eprintln!("{implemented} of {} functions implemented", FUNCTIONS.len());
    assert!(implemented > FUNCTIONS.len() / 2);
}
