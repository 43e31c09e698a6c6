//! Prints a syntax tree back as policy text in one canonical layout. The
//! formatter will build on it; today it proves the tree keeps everything the
//! text said (parse → print → parse gives the same tree).

use std::fmt::Write as _;

use crate::ast::*;

pub fn print(file: &PolicyFile) -> String {
    let mut out = String::new();
    for (i, block) in file.blocks.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        match block {
            Block::Bundle(b) => bundle(&mut out, b),
            Block::Body(b) => body(&mut out, "body", b),
            Block::PromiseType(b) => body(&mut out, "promise", b),
        }
    }
    out
}

fn header(out: &mut String, keyword: &str, kind: &Ident, name: &Ident, params: &[Ident]) {
    let _ = write!(out, "{keyword} {} {}", kind.name, name.name);
    if !params.is_empty() {
        let names: Vec<&str> = params.iter().map(|p| p.name.as_str()).collect();
        let _ = write!(out, "({})", names.join(", "));
    }
    out.push_str("\n{\n");
}

fn bundle(out: &mut String, b: &Bundle) {
    header(out, "bundle", &b.bundle_type, &b.name, &b.params);
    for (i, section) in b.sections.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let _ = writeln!(out, "  {}:", section.promise_type.name);
        for group in &section.groups {
            let indent = match &group.guard {
                Some(g) => {
                    let _ = writeln!(out, "    {}::", guard(g));
                    "      "
                }
                None => "    ",
            };
            for p in &group.promises {
                promise(out, indent, p);
            }
        }
    }
    out.push_str("}\n");
}

fn body(out: &mut String, keyword: &str, b: &Body) {
    header(out, keyword, &b.body_type, &b.name, &b.params);
    for group in &b.groups {
        let indent = match &group.guard {
            Some(g) => {
                let _ = writeln!(out, "  {}::", guard(g));
                "    "
            }
            None => "  ",
        };
        for a in &group.attributes {
            let _ = writeln!(out, "{indent}{} => {};", a.lval.name, rval(&a.rval));
        }
    }
    out.push_str("}\n");
}

fn guard(g: &Guard) -> String {
    match g {
        Guard::Class { text, .. } => text.clone(),
        Guard::Variable { string, .. } => string_literal(string),
    }
}

fn promise(out: &mut String, indent: &str, p: &Promise) {
    let _ = write!(out, "{indent}{}", string_literal(&p.promiser));
    if let Some(promisee) = &p.promisee {
        let _ = write!(out, " -> {}", rval(promisee));
    }
    let width = p
        .constraints
        .iter()
        .map(|c| c.lval.name.len())
        .max()
        .unwrap_or(0);
    for (i, c) in p.constraints.iter().enumerate() {
        if i == 0 {
            out.push('\n');
        } else {
            out.push_str(",\n");
        }
        let _ = write!(out, "{indent}  {:width$} => {}", c.lval.name, rval(&c.rval));
    }
    out.push_str(";\n");
}

pub fn rval(r: &Rval) -> String {
    match r {
        Rval::String(s) => string_literal(s),
        Rval::Symbol(i) => i.name.to_string(),
        Rval::Variable(v) => v.text.to_string(),
        Rval::List(l) => {
            if l.items.is_empty() {
                return "{ }".into();
            }
            let items: Vec<String> = l.items.iter().map(rval).collect();
            format!("{{ {} }}", items.join(", "))
        }
        Rval::Call(c) => {
            let args: Vec<String> = c.args.iter().map(rval).collect();
            format!("{}({})", c.function.text(), args.join(", "))
        }
    }
}

fn string_literal(s: &Str) -> String {
    let q = s.quote.char();
    format!("{q}{}{q}", s.raw)
}
