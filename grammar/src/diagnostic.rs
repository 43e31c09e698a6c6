//! Diagnostics: plain data with a stable code, a span and a hint. The syntax
//! codes live here; the compiler's lint rules use the same type with their own
//! codes. Rendering (terminal, short, JSON, LSP) is the front end's job.

use serde::Serialize;

use crate::span::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// Stable codes of syntax diagnostics. Never renumber: editors and CI
/// configurations refer to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Code {
    /// Input the grammar cannot accept, when no more specific code applies.
    Unexpected,
    /// A statement is not ended by `;`.
    MissingSemicolon,
    /// A `{` (or `(`) that is never closed.
    Unclosed,
    /// A quoted string that runs to the end of the file.
    UnterminatedString,
    /// A class guard whose expression does not parse.
    ClassExpression,
    /// A promise before any `type:` section header.
    PromiseOutsideSection,
    /// A bad `@if` / `@else` / `@endif` line.
    Macro,
    /// Text outside any bundle or body.
    StrayToken,
    /// A comma where CFEngine forbids one.
    Comma,
    /// A malformed variable reference inside a string.
    VariableReference,
    /// An attribute without `=>`, or `=` written for `=>`.
    MissingArrow,
    /// A section header inside a body.
    SectionInBody,
    /// A body attribute under a `"variable"::` guard.
    VariableGuardInBody,
    /// A value is missing or is not a value.
    ExpectedValue,
    /// A bundle or body header without its type or name.
    BlockHeader,
    /// The file is not valid UTF-8.
    Encoding,
    /// Text after an unmatched `)` in a class guard, which CFEngine ignores.
    IgnoredGuardText,
}

impl Code {
    pub const ALL: &'static [Code] = &[
        Code::Unexpected,
        Code::MissingSemicolon,
        Code::Unclosed,
        Code::UnterminatedString,
        Code::ClassExpression,
        Code::PromiseOutsideSection,
        Code::Macro,
        Code::StrayToken,
        Code::Comma,
        Code::VariableReference,
        Code::MissingArrow,
        Code::SectionInBody,
        Code::VariableGuardInBody,
        Code::ExpectedValue,
        Code::BlockHeader,
        Code::Encoding,
        Code::IgnoredGuardText,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Code::Unexpected => "S001",
            Code::MissingSemicolon => "S002",
            Code::Unclosed => "S003",
            Code::UnterminatedString => "S004",
            Code::ClassExpression => "S005",
            Code::PromiseOutsideSection => "S006",
            Code::Macro => "S007",
            Code::StrayToken => "S008",
            Code::Comma => "S009",
            Code::VariableReference => "S010",
            Code::MissingArrow => "S011",
            Code::SectionInBody => "S012",
            Code::VariableGuardInBody => "S013",
            Code::ExpectedValue => "S014",
            Code::BlockHeader => "S015",
            Code::Encoding => "S016",
            Code::IgnoredGuardText => "S017",
        }
    }

    /// One line on what the code means, for `lint --explain` and docs.
    pub fn summary(self) -> &'static str {
        match self {
            Code::Unexpected => "input the grammar cannot accept here",
            Code::MissingSemicolon => {
                "a promise, constraint list or body attribute is not ended by ';'"
            }
            Code::Unclosed => "a '{' or '(' is never closed",
            Code::UnterminatedString => "a quoted string runs to the end of the file",
            Code::ClassExpression => "a class guard whose expression does not parse",
            Code::PromiseOutsideSection => {
                "a promise before any promise-type section header such as 'vars:'"
            }
            Code::Macro => "a malformed or misplaced @if/@else/@endif line",
            Code::StrayToken => "text outside any bundle, body or promise block",
            Code::Comma => "a comma where CFEngine does not allow one",
            Code::VariableReference => "a malformed $(...) or @(...) reference inside a string",
            Code::MissingArrow => "an attribute without '=>' before its value",
            Code::SectionInBody => "a promise-type section header inside a body",
            Code::VariableGuardInBody => "a body attribute under a \"variable\":: guard",
            Code::ExpectedValue => "a constraint whose value is missing or is not a value",
            Code::BlockHeader => "a bundle, body or promise block header without its type or name",
            Code::Encoding => "a policy file that is not valid UTF-8",
            Code::IgnoredGuardText => {
                "text after an unmatched ')' in a class guard, which CFEngine ignores"
            }
        }
    }
}

/// A secondary location, e.g. the `{` that a missing `}` should close.
#[derive(Debug, Clone, Serialize)]
pub struct Related {
    pub span: Span,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Diagnostic {
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    /// The exact token or range the message is about.
    pub span: Span,
    /// Text shown at the span; defaults to the message.
    pub label: Option<String>,
    /// What to do about it.
    pub help: Option<String>,
    pub related: Vec<Related>,
}

impl Diagnostic {
    pub fn new(code: &'static str, severity: Severity, message: String, span: Span) -> Self {
        Diagnostic {
            code,
            severity,
            message,
            span,
            label: None,
            help: None,
            related: Vec::new(),
        }
    }

    pub fn error(code: Code, message: String, span: Span) -> Self {
        Self::new(code.as_str(), Severity::Error, message, span)
    }

    pub fn warning(code: Code, message: String, span: Span) -> Self {
        Self::new(code.as_str(), Severity::Warning, message, span)
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn with_related(mut self, span: Span, message: impl Into<String>) -> Self {
        self.related.push(Related {
            span,
            message: message.into(),
        });
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}
