//! Splits a string into literal text and variable references, once, at
//! compile time: `$(a)`, `${a}`, `$(bundle.var)`, `$(ns:bundle.var)`,
//! `$(c[key][$(i)])` (nested to any depth) and `@(list)`. Expansion at run time
//! is then a walk over the parts.
//!
//! A malformed reference (`$(a`, `$()`) stays literal text, as in CFEngine,
//! and is reported as a warning.

use logos::Logos;
use serde::Serialize;

#[derive(Logos, Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    #[token("$(")]
    DollarParen,
    #[token("${")]
    DollarBrace,
    #[token("@(")]
    AtParen,
    #[token("@{")]
    AtBrace,
    #[token(")")]
    CloseParen,
    #[token("}")]
    CloseBrace,
    /// A `$` or `@` not followed by a bracket is plain text.
    #[token("$")]
    #[token("@")]
    #[regex(r"[^$@)}]+")]
    Text,
}

/// One piece of a string. Offsets are byte offsets into the lexed text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Part {
    Literal { text: String, start: u32 },
    Reference(Reference),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reference {
    /// `@(…)`: the whole list or container rather than one element.
    pub list: bool,
    /// What stands between the brackets, itself made of parts when nested.
    pub inner: Vec<Part>,
    pub start: u32,
    pub end: u32,
}

impl Reference {
    /// The name between the brackets when it holds no nested reference.
    pub fn static_name(&self) -> Option<&str> {
        match self.inner.as_slice() {
            [Part::Literal { text, .. }] => Some(text),
            _ => None,
        }
    }
}

/// A malformed reference: offsets into the lexed text and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferenceError {
    pub message: String,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lexed {
    pub parts: Vec<Part>,
    pub errors: Vec<ReferenceError>,
}

impl Lexed {
    pub fn has_references(&self) -> bool {
        self.parts.iter().any(|p| matches!(p, Part::Reference(_)))
    }
}

/// Lexes a string value (escapes already applied).
pub fn lex(text: &str) -> Lexed {
    if !text.contains(['$', '@']) {
        return Lexed {
            parts: if text.is_empty() {
                Vec::new()
            } else {
                vec![Part::Literal {
                    text: text.to_string(),
                    start: 0,
                }]
            },
            errors: Vec::new(),
        };
    }
    let tokens: Vec<(Token, std::ops::Range<usize>)> = Token::lexer(text)
        .spanned()
        .map(|(t, span)| (t.unwrap_or(Token::Text), span))
        .collect();
    let mut lexer = PartLexer {
        text,
        tokens: &tokens,
        index: 0,
        errors: Vec::new(),
        depth: 0,
    };
    let parts = lexer.parts(None);
    Lexed {
        parts,
        errors: lexer.errors,
    }
}

/// References nested deeper than this are left as text, with a warning.
const MAX_DEPTH: usize = 64;

struct PartLexer<'a> {
    text: &'a str,
    tokens: &'a [(Token, std::ops::Range<usize>)],
    index: usize,
    errors: Vec<ReferenceError>,
    depth: usize,
}

impl PartLexer<'_> {
    /// Parts up to the closing token `until` (consumed) or the end.
    fn parts(&mut self, until: Option<Token>) -> Vec<Part> {
        let mut parts: Vec<Part> = Vec::new();
        while let Some((token, span)) = self.tokens.get(self.index).cloned() {
            if Some(token) == until {
                return parts;
            }
            self.index += 1;
            match token {
                Token::DollarParen | Token::DollarBrace | Token::AtParen | Token::AtBrace
                    if self.depth >= MAX_DEPTH =>
                {
                    if self.depth == MAX_DEPTH {
                        self.errors.push(ReferenceError {
                            message: format!("variable references nested deeper than {MAX_DEPTH}"),
                            start: span.start,
                            end: span.end,
                        });
                        self.depth += 1;
                    }
                    push_literal(&mut parts, &self.text[span.clone()], span.start);
                }
                Token::DollarParen | Token::DollarBrace | Token::AtParen | Token::AtBrace => {
                    let close = if matches!(token, Token::DollarParen | Token::AtParen) {
                        Token::CloseParen
                    } else {
                        Token::CloseBrace
                    };
                    self.depth += 1;
                    let inner = self.parts(Some(close));
                    self.depth = self.depth.min(MAX_DEPTH) - 1;
                    match self.tokens.get(self.index) {
                        Some((t, close_span)) if *t == close && !inner.is_empty() => {
                            self.index += 1;
                            parts.push(Part::Reference(Reference {
                                list: matches!(token, Token::AtParen | Token::AtBrace),
                                inner,
                                start: span.start as u32,
                                end: close_span.end as u32,
                            }));
                        }
                        Some((t, close_span)) if *t == close => {
                            self.index += 1;
                            self.errors.push(ReferenceError {
                                message: format!(
                                    "empty variable reference '{}'",
                                    &self.text[span.start..close_span.end]
                                ),
                                start: span.start,
                                end: close_span.end,
                            });
                            push_literal(
                                &mut parts,
                                &self.text[span.start..close_span.end],
                                span.start,
                            );
                        }
                        _ => {
                            let closer = if close == Token::CloseParen { ')' } else { '}' };
                            self.errors.push(ReferenceError {
                                message: format!(
                                    "no closing '{closer}' for the variable reference '{}'",
                                    &self.text[span.start..]
                                ),
                                start: span.start,
                                end: self.text.len(),
                            });
                            // Unclosed: everything from the opener on is text.
                            push_literal(&mut parts, &self.text[span.start..span.end], span.start);
                            for part in inner {
                                match part {
                                    Part::Literal { text, start } => {
                                        push_literal(&mut parts, &text, start as usize)
                                    }
                                    reference => parts.push(reference),
                                }
                            }
                        }
                    }
                }
                _ => push_literal(&mut parts, &self.text[span.clone()], span.start),
            }
        }
        parts
    }
}

fn push_literal(parts: &mut Vec<Part>, text: &str, start: usize) {
    if let Some(Part::Literal { text: last, .. }) = parts.last_mut() {
        last.push_str(text);
    } else {
        parts.push(Part::Literal {
            text: text.to_string(),
            start: start as u32,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(parts: &[Part]) -> String {
        parts
            .iter()
            .map(|p| match p {
                Part::Literal { text, .. } => format!("'{text}'"),
                Part::Reference(r) => {
                    format!("{}[{}]", if r.list { "@" } else { "$" }, show(&r.inner))
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn plain_references() {
        assert_eq!(show(&lex("a $(x) b").parts), "'a ' $['x'] ' b'");
        assert_eq!(show(&lex("${x}").parts), "$['x']");
        assert_eq!(show(&lex("@(l)").parts), "@['l']");
        assert_eq!(show(&lex("$(ns:b.v)").parts), "$['ns:b.v']");
        assert_eq!(
            lex("$(x)").parts[0],
            Part::Reference(Reference {
                list: false,
                inner: vec![Part::Literal {
                    text: "x".into(),
                    start: 2
                }],
                start: 0,
                end: 4,
            })
        );
    }

    #[test]
    fn nested_references() {
        assert_eq!(
            show(&lex("$(c[key][$(i)])").parts),
            "$['c[key][' $['i'] ']']"
        );
        assert_eq!(show(&lex("$($(name))").parts), "$[$['name']]");
    }

    #[test]
    fn text_that_only_looks_like_references() {
        assert_eq!(
            show(&lex("cost $5 @home (x) {y}").parts),
            "'cost $5 @home (x) {y}'"
        );
        assert_eq!(show(&lex("$(a}").parts), "'$(a}'");
    }

    #[test]
    fn malformed_references_are_errors_not_panics() {
        let l = lex("a $(b");
        assert_eq!(show(&l.parts), "'a $(b'");
        assert_eq!(l.errors.len(), 1);
        assert_eq!(l.errors[0].start, 2);
        let l = lex("$()");
        assert_eq!(show(&l.parts), "'$()'");
        assert!(l.errors[0].message.contains("empty"));
        let l = lex("$(a $(b)");
        assert_eq!(l.errors.len(), 1);
        assert_eq!(show(&l.parts), "'$(a ' $['b']");
        let deep = format!("{}a{}", "$(".repeat(100_000), ")".repeat(100_000));
        assert!(!lex(&deep).errors.is_empty());
    }
}
