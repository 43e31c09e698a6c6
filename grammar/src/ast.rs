//! The syntax tree of a policy file. Every node carries its [`Span`].
//!
//! The tree is what was written, nothing more: names are not resolved, strings
//! are not expanded, class expressions in guards are parsed but not evaluated.

use serde::Serialize;

use crate::class_expr::ClassExpr;

/// Names and string bodies are mostly short: stored inline, without a heap
/// allocation, up to 24 bytes.
pub type Text = compact_str::CompactString;
use crate::span::Span;

/// One parsed file.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyFile {
    pub path: String,
    pub blocks: Vec<Block>,
    /// `@if`/`@else`/`@endif` lines, kept so that a printer can restore them.
    pub macros: Vec<MacroDirective>,
    /// Comments, in file order, kept for the formatter.
    pub comments: Vec<Comment>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Block {
    Bundle(Bundle),
    Body(Body),
    /// `promise agent NAME { ... }`: a custom promise type.
    PromiseType(Body),
}

impl Block {
    pub fn span(&self) -> Span {
        match self {
            Block::Bundle(b) => b.span,
            Block::Body(b) | Block::PromiseType(b) => b.span,
        }
    }
}

/// A bare identifier: a name, a type, an attribute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ident {
    pub name: Text,
    pub span: Span,
}

/// `bundle TYPE NAME(PARAMS) { SECTIONS }`
#[derive(Debug, Clone, Serialize)]
pub struct Bundle {
    pub bundle_type: Ident,
    pub name: Ident,
    pub params: Vec<Ident>,
    pub sections: Vec<Section>,
    pub span: Span,
}

/// `vars:` and the promises that follow it, grouped by class guard.
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    pub promise_type: Ident,
    pub groups: Vec<PromiseGroup>,
    pub span: Span,
}

/// Promises under one class guard (`None`: no guard written, i.e. `any`).
#[derive(Debug, Clone, Serialize)]
pub struct PromiseGroup {
    pub guard: Option<Guard>,
    pub promises: Vec<Promise>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Guard {
    /// `linux.!debian::`
    Class {
        /// The expression as written, without the trailing `::`.
        text: String,
        expr: ClassExpr,
        span: Span,
    },
    /// `"$(role)_server"::`: expanded per promise, as an `ifvarclass`.
    Variable { string: Str, span: Span },
}

impl Guard {
    pub fn span(&self) -> Span {
        match self {
            Guard::Class { span, .. } | Guard::Variable { span, .. } => *span,
        }
    }
}

/// `"promiser" -> promisee  lval => rval, ... ;`
#[derive(Debug, Clone, Serialize)]
pub struct Promise {
    pub promiser: Str,
    pub promisee: Option<Rval>,
    pub constraints: Vec<Constraint>,
    pub span: Span,
}

/// `lval => rval`
#[derive(Debug, Clone, Serialize)]
pub struct Constraint {
    pub lval: Ident,
    pub rval: Rval,
    pub span: Span,
}

/// `body TYPE NAME(PARAMS) { attributes }`, also the shape of a `promise` block.
#[derive(Debug, Clone, Serialize)]
pub struct Body {
    pub body_type: Ident,
    pub name: Ident,
    pub params: Vec<Ident>,
    pub groups: Vec<AttributeGroup>,
    pub span: Span,
}

/// Attributes of a body under one class guard.
#[derive(Debug, Clone, Serialize)]
pub struct AttributeGroup {
    pub guard: Option<Guard>,
    pub attributes: Vec<Constraint>,
}

/// A right-hand value.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Rval {
    String(Str),
    /// A bare word: body or bundle reference, or a plain string (`ns:name` allowed).
    Symbol(Ident),
    /// `$(x)` or `@(x)` written without quotes.
    Variable(VarRef),
    List(List),
    Call(Box<Call>),
}

impl Rval {
    pub fn span(&self) -> Span {
        match self {
            Rval::String(s) => s.span,
            Rval::Symbol(i) => i.span,
            Rval::Variable(v) => v.span,
            Rval::List(l) => l.span,
            Rval::Call(c) => c.span,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct List {
    pub items: Vec<Rval>,
    pub span: Span,
}

/// `name(args)`; the name may be a naked variable (`$(f)(x)`).
#[derive(Debug, Clone, Serialize)]
pub struct Call {
    pub function: Callee,
    pub args: Vec<Rval>,
    pub span: Span,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Callee {
    Name(Ident),
    Variable(VarRef),
}

impl Callee {
    pub fn text(&self) -> &str {
        match self {
            Callee::Name(i) => &i.name,
            Callee::Variable(v) => &v.text,
        }
    }
}

/// A naked variable reference: `$(x)`, `${x}`, `@(x)`, `@{x}`.
#[derive(Debug, Clone, Serialize)]
pub struct VarRef {
    /// The whole reference as written, sigil and brackets included.
    pub text: Text,
    pub span: Span,
}

impl VarRef {
    /// `@(x)` / `@{x}`: the whole list, not one element.
    pub fn is_list(&self) -> bool {
        self.text.starts_with('@')
    }

    /// The name between the brackets.
    pub fn inner(&self) -> &str {
        &self.text[2..self.text.len() - 1]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Quote {
    Double,
    Single,
    Back,
}

impl Quote {
    pub fn char(self) -> char {
        match self {
            Quote::Double => '"',
            Quote::Single => '\'',
            Quote::Back => '`',
        }
    }
}

/// A quoted string, kept as written between its quotes.
#[derive(Debug, Clone, Serialize)]
pub struct Str {
    pub quote: Quote,
    /// The text between the quotes, escapes not yet applied.
    pub raw: Text,
    pub span: Span,
}

impl Str {
    /// The value CFEngine reads: `\\`, `\"` and `\'` lose their backslash and a
    /// backslash before a newline joins the lines; every other backslash stays.
    pub fn value(&self) -> std::borrow::Cow<'_, str> {
        unescape(&self.raw)
    }

    /// The span of bytes `start..end` of `value` (this string's [`Str::value`]).
    /// Exact when no escape shifted the text before them; otherwise the whole string.
    pub fn span_of(&self, start: usize, end: usize, value: &str) -> Span {
        if self.raw.len() == value.len() && !self.raw[..start].contains('\n') {
            Span {
                start: self.span.start + 1 + start as u32,
                end: self.span.start + 1 + end as u32,
                column: self.span.column + 1 + start as u32,
                ..self.span
            }
        } else {
            self.span
        }
    }
}

/// See [`Str::value`].
pub fn unescape(raw: &str) -> std::borrow::Cow<'_, str> {
    if !raw.contains('\\') {
        return std::borrow::Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.peek().copied() {
            Some(next @ ('\\' | '"' | '\'')) => {
                out.push(next);
                chars.next();
            }
            Some('\n') => {
                chars.next();
            }
            _ => out.push('\\'),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// `# text`, the text without the `#`.
#[derive(Debug, Clone, Serialize)]
pub struct Comment {
    pub text: String,
    pub span: Span,
}

/// One `@if`/`@else`/`@endif` line and whether the branch it opens is taken.
#[derive(Debug, Clone, Serialize)]
pub struct MacroDirective {
    pub text: String,
    /// For `@if` and `@else`: whether the lines up to the next directive are kept.
    pub active: bool,
    pub span: Span,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescape_follows_cfengine() {
        assert_eq!(unescape(r#"a\"b"#), "a\"b");
        assert_eq!(unescape(r"a\\b"), "a\\b");
        assert_eq!(unescape(r"a\nb"), "a\\nb");
        assert_eq!(unescape(r"a\.b"), "a\\.b");
        assert_eq!(unescape("a\\\nb"), "ab");
        assert_eq!(unescape(r"a\'b"), "a'b");
        assert_eq!(unescape("trailing\\"), "trailing\\");
    }
}
