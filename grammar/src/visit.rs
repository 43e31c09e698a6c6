//! Walks a syntax tree, for checks that look at every string or value.

use crate::ast::*;

/// Calls `f` on every quoted string of the file: promisers, values, list
/// items, function arguments and variable guards.
pub fn for_each_string(file: &PolicyFile, f: &mut dyn FnMut(&Str)) {
    for block in &file.blocks {
        match block {
            Block::Bundle(b) => {
                for section in &b.sections {
                    for group in &section.groups {
                        if let Some(Guard::Variable { string, .. }) = &group.guard {
                            f(string);
                        }
                        for p in &group.promises {
                            f(&p.promiser);
                            if let Some(promisee) = &p.promisee {
                                rval_strings(promisee, f);
                            }
                            for c in &p.constraints {
                                rval_strings(&c.rval, f);
                            }
                        }
                    }
                }
            }
            Block::Body(b) | Block::PromiseType(b) => {
                for group in &b.groups {
                    for a in &group.attributes {
                        rval_strings(&a.rval, f);
                    }
                }
            }
        }
    }
}

fn rval_strings(r: &Rval, f: &mut dyn FnMut(&Str)) {
    match r {
        Rval::String(s) => f(s),
        Rval::List(l) => l.items.iter().for_each(|i| rval_strings(i, f)),
        Rval::Call(c) => c.args.iter().for_each(|a| rval_strings(a, f)),
        Rval::Symbol(_) | Rval::Variable(_) => {}
    }
}
