//! Which classes a policy can define (producers) and which it tests
//! (consumers), for the graph and the class lint rules.

use std::borrow::Cow;
use std::collections::HashMap;

use grammar::ast::{Guard, Rval, Str};
use grammar::class_expr::{self, ClassExpr};
use grammar::interpolation::{self, Part};
use grammar::Span;

use crate::ir::{Policy, Promise, PromiseId, Target};

/// CFEngine's canonical form of a class or variable name: every character
/// other than a letter, digit or `_` becomes `_`.
pub fn canonify(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// A class name some of whose characters are only known at run time:
/// literal pieces with a wildcard where each variable stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamePattern {
    pieces: Vec<String>,
}

impl NamePattern {
    /// The pattern of a class name written with variables; `None` when the
    /// name has none.
    fn of(value: &str) -> Option<NamePattern> {
        let lexed = interpolation::lex(value);
        if !lexed.has_references() {
            return None;
        }
        let mut pieces = vec![String::new()];
        for part in lexed.parts {
            match part {
                Part::Literal { text, .. } => {
                    if let Some(last) = pieces.last_mut() {
                        last.push_str(&canonify(&text));
                    }
                }
                Part::Reference(_) => pieces.push(String::new()),
            }
        }
        Some(NamePattern { pieces })
    }

    /// No literal piece: matches any name.
    pub fn is_wildcard(&self) -> bool {
        self.pieces.iter().all(String::is_empty)
    }

    pub fn matches(&self, name: &str) -> bool {
        let (first, rest) = match self.pieces.split_first() {
            Some(split) => split,
            None => return false,
        };
        let Some(mut tail) = name.strip_prefix(first.as_str()) else {
            return false;
        };
        let Some((last, middle)) = rest.split_last() else {
            return tail.is_empty();
        };
        for piece in middle {
            match tail.find(piece.as_str()) {
                Some(at) => tail = &tail[at + piece.len()..],
                None => return false,
            }
        }
        tail.ends_with(last.as_str())
    }
}

/// Every class the policy may define, and by which promise.
#[derive(Default)]
pub struct ClassDefinitions {
    names: HashMap<String, Vec<PromiseId>>,
    patterns: Vec<(NamePattern, PromiseId)>,
    /// `commands` run as modules, and `usemodule()` calls: they may define
    /// any class at all.
    pub modules: Vec<PromiseId>,
}

const OUTCOME_CLASS_ATTRIBUTES: &[&str] = &[
    "promise_repaired",
    "promise_kept",
    "repair_failed",
    "repair_denied",
    "repair_timeout",
];

impl ClassDefinitions {
    pub fn collect(policy: &Policy) -> ClassDefinitions {
        let mut defs = ClassDefinitions::default();
        for promise in &policy.promises {
            defs.add_promise(policy, promise);
        }
        defs
    }

    /// The promises that may define `class`, by its name or by a pattern
    /// with at least one literal piece. A name that is all variable
    /// (`"$(c)" expression => …`) could be any class; it counts for
    /// [`ClassDefinitions::may_define`] but is nobody's producer.
    pub fn producers(&self, class: &str) -> Vec<PromiseId> {
        let class = class.rsplit(':').next().unwrap_or(class);
        let mut out: Vec<PromiseId> = self.names.get(class).cloned().unwrap_or_default();
        out.extend(
            self.patterns
                .iter()
                .filter(|(p, _)| !p.is_wildcard() && p.matches(class))
                .map(|(_, id)| *id),
        );
        out
    }

    /// The class names defined literally, for suggestions.
    pub fn names(&self) -> Vec<String> {
        self.names.keys().cloned().collect()
    }

    pub fn may_define(&self, class: &str) -> bool {
        let class = class.rsplit(':').next().unwrap_or(class);
        !self.modules.is_empty()
            || self.names.contains_key(class)
            || self.patterns.iter().any(|(p, _)| p.matches(class))
    }

    fn add(&mut self, value: &str, by: PromiseId) {
        match NamePattern::of(value) {
            Some(pattern) => self.patterns.push((pattern, by)),
            None => self.names.entry(canonify(value)).or_default().push(by),
        }
    }

    fn add_promise(&mut self, policy: &Policy, promise: &Promise) {
        let id = promise.id;
        match promise.promise_type {
            "classes" => {
                let promiser = promise.ast.promiser.value();
                if let Some(c) = promise.constraint("select_class") {
                    for s in strings(&c.ast.rval) {
                        self.add(&s.value(), id);
                    }
                } else if promise.constraint("dist").is_some() {
                    self.add(&format!("{promiser}_$(n)"), id);
                }
                self.add(&promiser, id);
            }
            "commands" => {
                let module = promise
                    .constraint("module")
                    .is_some_and(|c| matches!(&c.ast.rval, Rval::String(s) if s.raw == "true"));
                if module {
                    self.modules.push(id);
                }
            }
            "processes" => {
                if let Some(c) = promise.constraint("restart_class") {
                    for s in strings(&c.ast.rval) {
                        self.add(&s.value(), id);
                    }
                }
            }
            _ => {}
        }
        for c in &promise.constraints {
            if calls_usemodule(&c.ast.rval) {
                self.modules.push(id);
            }
            let attributes: &[&str] = match c.ast.lval.name.as_str() {
                "classes" => OUTCOME_CLASS_ATTRIBUTES,
                "process_count" => &["in_range_define", "out_of_range_define"],
                _ => continue,
            };
            if let Some(Target::Body(body)) = c.target {
                let args = call_args(&c.ast.rval);
                for value in body_values(policy, body, attributes, &args) {
                    self.add(&value, id);
                }
            }
        }
    }
}

/// The literal string arguments of a body call, `None` for computed ones.
fn call_args(rval: &Rval) -> Vec<Option<String>> {
    match rval {
        Rval::Call(call) => call
            .args
            .iter()
            .map(|a| match a {
                Rval::String(s) if !s.raw.contains(['$', '@']) => Some(s.value().into_owned()),
                Rval::Symbol(i) => Some(i.name.to_string()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The string values of `attributes` in a body and the bodies it inherits
/// from, with the body's parameters replaced by the call's arguments.
fn body_values(
    policy: &Policy,
    body: crate::ir::BodyId,
    attributes: &[&str],
    args: &[Option<String>],
) -> Vec<String> {
    let mut out = Vec::new();
    let mut next = Some(body);
    let mut seen = Vec::new();
    while let Some(id) = next {
        if seen.contains(&id) {
            break;
        }
        seen.push(id);
        let body = policy.body(id);
        for (_, c) in &body.constraints {
            if !attributes.contains(&c.ast.lval.name.as_str()) {
                continue;
            }
            for s in strings(&c.ast.rval) {
                let mut value = s.value().into_owned();
                for (param, arg) in body.ast.params.iter().zip(args) {
                    if let Some(arg) = arg {
                        value = value
                            .replace(&format!("$({})", param.name), arg)
                            .replace(&format!("${{{}}}", param.name), arg);
                    }
                }
                out.push(value);
            }
        }
        next = body.inherit_from;
    }
    out
}

fn strings(rval: &Rval) -> Vec<&Str> {
    match rval {
        Rval::String(s) => vec![s],
        Rval::List(l) => l.items.iter().flat_map(strings).collect(),
        _ => Vec::new(),
    }
}

fn calls_usemodule(rval: &Rval) -> bool {
    match rval {
        Rval::Call(call) => {
            call.function.text() == "usemodule" || call.args.iter().any(calls_usemodule)
        }
        Rval::List(l) => l.items.iter().any(calls_usemodule),
        _ => false,
    }
}

/// A class a promise tests, and where.
#[derive(Debug, Clone)]
pub struct ClassUse {
    pub name: String,
    pub span: Span,
}

/// The class expressions that decide whether a promise runs: its section
/// guard, `if`/`ifvarclass`/`unless`, and for `classes` promises the
/// expressions it combines. Expressions holding variables are left out.
pub fn conditions<'p>(promise: &'p Promise) -> Vec<(Cow<'p, ClassExpr>, Span, &'p str)> {
    let mut out = Vec::new();
    if let Some(Guard::Class { expr, span, .. }) = promise.guard {
        out.push((Cow::Borrowed(expr), *span, "guard"));
    }
    for c in &promise.constraints {
        let attribute = c.ast.lval.name.as_str();
        let in_classes = promise.promise_type == "classes";
        let wanted = matches!(attribute, "if" | "ifvarclass" | "unless")
            || (in_classes && matches!(attribute, "expression" | "and" | "or" | "xor" | "not"));
        if !wanted {
            continue;
        }
        for s in strings(&c.ast.rval) {
            if s.raw.contains(['$', '@', '\\']) {
                continue;
            }
            if let Ok((expr, _)) = class_expr::parse_as_cfengine(&s.raw) {
                out.push((Cow::Owned(expr), s.span, attribute));
            }
        }
    }
    out
}

/// Every class name a promise's conditions test.
pub fn uses(promise: &Promise) -> Vec<ClassUse> {
    conditions(promise)
        .into_iter()
        .flat_map(|(expr, span, attribute)| names_with_spans(&expr, span, attribute != "guard"))
        .collect()
}

fn names_with_spans(expr: &ClassExpr, span: Span, in_string: bool) -> Vec<ClassUse> {
    let mut out = Vec::new();
    collect_names(expr, span, u32::from(in_string), &mut out);
    out
}

/// `offset` is where the expression starts within `span`: 1 inside quotes.
fn collect_names(expr: &ClassExpr, span: Span, offset: u32, out: &mut Vec<ClassUse>) {
    match expr {
        ClassExpr::Name { name, at } => out.push(ClassUse {
            name: name.clone(),
            span: Span {
                start: span.start + offset + at,
                end: span.start + offset + at + name.len() as u32,
                column: span.column + offset + at,
                ..span
            },
        }),
        ClassExpr::Not { operand } => collect_names(operand, span, offset, out),
        ClassExpr::And { operands } | ClassExpr::Or { operands } => operands
            .iter()
            .for_each(|o| collect_names(o, span, offset, out)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonify_replaces_everything_but_word_characters() {
        assert_eq!(canonify("web-01.example.com"), "web_01_example_com");
    }

    #[test]
    fn patterns_match_names_with_variables() {
        let p = NamePattern::of("have_$(name)_ok").unwrap();
        assert!(p.matches("have_motd_ok"));
        assert!(!p.matches("have_motd"));
        let p = NamePattern::of("$(x)").unwrap();
        assert!(p.matches("anything"));
        assert!(NamePattern::of("plain").is_none());
    }
}
