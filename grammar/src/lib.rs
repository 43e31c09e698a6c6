//! The CFEngine 3 policy grammar: text in, syntax tree with spans and
//! diagnostics out. This crate knows nothing about the host a policy will run
//! on, and never fails on input: every problem is a [`Diagnostic`].

pub mod ast;
pub mod class_expr;
pub mod diagnostic;
mod fast;
pub mod interpolation;
pub mod macros;
mod parser;
pub mod printer;
pub mod scan;
pub mod span;
mod syntax_error;
pub mod visit;

pub use diagnostic::{Code, Diagnostic, Severity};
pub use parser::{fast_path_reads, parse, parse_source, parse_with_grammar_only, ParseOutput};
pub use span::{FileId, LineIndex, SourceFile, SourceMap, Span};

/// Warnings for malformed `$(…)`/`@(…)` references inside the strings of a file.
pub fn check_string_references(file: &ast::PolicyFile) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    visit::for_each_string(file, &mut |s| {
        if !s.raw.contains(['$', '@']) {
            return;
        }
        let value = s.value();
        for error in interpolation::lex(&value).errors {
            let span = s.span_of(error.start, error.end, &value);
            out.push(
                Diagnostic::warning(Code::VariableReference, error.message, span)
                    .with_help("CFEngine keeps a malformed reference as literal text; close it, or write `$(const.dollar)` for a literal '$'"),
            );
        }
    });
    out
}
