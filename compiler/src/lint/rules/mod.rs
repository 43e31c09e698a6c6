//! The rules, in code order. Adding a rule is adding a file here, a row in
//! `ALL`, and a fixture under `tests/fixtures/lint/`.

mod class_expression;
mod dependency_cycle;
mod deprecated;
mod duplicate_definition;
mod function_type;
mod handles;
mod int_value;
mod menu_value;
mod never_runs;
mod not_supported;
mod undefined_class;
mod undefined_function;
mod undefined_reference;
mod undefined_variable;
mod unknown_attribute;
mod unknown_block_type;
mod unknown_promise_type;
mod unused_definition;
mod value_shape;

use grammar::Severity::{Error, Warning};

use super::CfPromises::{No, Partly, Yes};
use super::Rule;

/// Rules without a check of their own are reported by the check of the rule
/// they share a walk with (E008, E010, E011, E015 with E007; E012 with E009;
/// E017 with E016; W002 with W001).
#[rustfmt::skip]
pub static ALL: &[Rule] = &[
    Rule { code: "E002", name: "unknown_promise_type", severity: Error, summary: "a promise type the bundle type cannot hold", cf_promises: Partly, check: Some(unknown_promise_type::check) },
    Rule { code: "E003", name: "unknown_attribute", severity: Error, summary: "an attribute the promise or body type does not have (with the nearest valid name)", cf_promises: Yes, check: Some(unknown_attribute::check) },
    Rule { code: "E004", name: "value_shape", severity: Error, summary: "a list where one value belongs, a quoted string where a body is named, one value for a list variable", cf_promises: Partly, check: Some(value_shape::check) },
    Rule { code: "E005", name: "int_value", severity: Error, summary: "an integer that is not one, or outside the attribute's range", cf_promises: Yes, check: Some(int_value::check) },
    Rule { code: "E006", name: "menu_value", severity: Error, summary: "a value that is not one of the attribute's choices", cf_promises: Yes, check: Some(menu_value::check) },
    Rule { code: "E007", name: "undefined_body", severity: Error, summary: "a body that is not defined (also an unqualified reference to another namespace's body)", cf_promises: Partly, check: Some(undefined_reference::check) },
    Rule { code: "E008", name: "undefined_bundle", severity: Error, summary: "a bundle that is not defined (usebundle, edit_line, methods)", cf_promises: No, check: None },
    Rule { code: "E009", name: "undefined_function", severity: Error, summary: "a function CFEngine 3.21 does not have", cf_promises: Partly, check: Some(undefined_function::check) },
    Rule { code: "E010", name: "body_arity", severity: Error, summary: "the wrong number of arguments to a body", cf_promises: No, check: None },
    Rule { code: "E011", name: "bundle_arity", severity: Error, summary: "the wrong number of arguments to a bundle", cf_promises: Partly, check: None },
    Rule { code: "E012", name: "function_arity", severity: Error, summary: "the wrong number of arguments to a function", cf_promises: Partly, check: None },
    Rule { code: "E013", name: "duplicate_definition", severity: Error, summary: "a bundle or body defined twice in one namespace", cf_promises: Yes, check: Some(duplicate_definition::check) },
    Rule { code: "E014", name: "class_expression", severity: Error, summary: "a class expression in if/unless/expression/… that does not parse", cf_promises: Partly, check: Some(class_expression::check) },
    Rule { code: "E015", name: "bundlesequence_bundle", severity: Error, summary: "a bundle named in the bundlesequence that does not exist", cf_promises: No, check: None },
    Rule { code: "E016", name: "unknown_handle", severity: Error, summary: "depends_on naming a handle no promise has", cf_promises: No, check: Some(handles::check) },
    Rule { code: "E017", name: "duplicate_handle", severity: Error, summary: "two promises with the same handle", cf_promises: Yes, check: None },
    Rule { code: "E018", name: "dependency_cycle", severity: Error, summary: "promises whose depends_on chains form a cycle (the cycle is printed)", cf_promises: No, check: Some(dependency_cycle::check) },
    Rule { code: "E019", name: "unknown_block_type", severity: Error, summary: "a bundle or body of a type CFEngine does not have", cf_promises: Partly, check: Some(unknown_block_type::check) },
    Rule { code: "E020", name: "function_type", severity: Error, summary: "a function call whose return type the attribute cannot take (a list for a string, a class for a list, …)", cf_promises: Yes, check: Some(function_type::check) },
    Rule { code: "W001", name: "unused_body", severity: Warning, summary: "a body no promise or body refers to", cf_promises: No, check: Some(unused_definition::check) },
    Rule { code: "W002", name: "unused_bundle", severity: Warning, summary: "a bundle neither in the bundlesequence nor called", cf_promises: No, check: None },
    Rule { code: "W003", name: "deprecated", severity: Warning, summary: "an attribute or function CFEngine 3.21 marks deprecated", cf_promises: No, check: Some(deprecated::check) },
    Rule { code: "W004", name: "undefined_variable", severity: Warning, summary: "a variable read but defined nowhere in scope", cf_promises: No, check: Some(undefined_variable::check) },
    Rule { code: "W005", name: "undefined_class", severity: Warning, summary: "a class tested but defined by no promise, body or hard class pattern", cf_promises: No, check: Some(undefined_class::check) },
    Rule { code: "W006", name: "never_runs", severity: Warning, summary: "a promise whose guard, if or unless can never let it run", cf_promises: No, check: Some(never_runs::check) },
    Rule { code: "W007", name: "not_supported", severity: Warning, summary: "policy promise-rs run does not carry out: edit_xml, acl, repository, databases, guest_environments, custom promise types", cf_promises: No, check: Some(not_supported::check) },
];
