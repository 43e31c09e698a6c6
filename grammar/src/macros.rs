//! `@if` / `@else` / `@endif`: evaluated before parsing, as CFEngine's lexer does.
//!
//! A directive is a line that starts with `@` and a letter in column 1, outside
//! any string. Lines of a branch that is not taken are blanked (every byte but
//! newlines becomes a space), so byte offsets, lines and columns of the rest of
//! the file do not move and the skipped text may hold any syntax at all.

use pest::Parser as _;

use crate::ast::MacroDirective;
use crate::diagnostic::{Code, Diagnostic};
use crate::parser::{CfParser, Rule};
use crate::scan::LexicalScanner;
use crate::span::{FileId, LineIndex};

/// The CFEngine version whose `@if` branches promise-rs takes.
pub const COMPATIBLE_VERSION: [u32; 3] = [3, 21, 0];

/// Features of CFEngine 3.21 known to `@if feature(...)` (also `feature_*` hard classes).
pub const FEATURES: &[&str] = &[
    "copyfrom_restrict_keys",
    "def_json_preparse",
    "host_specific_data_load",
    "tls_1_0",
    "tls_1_1",
    "tls_1_2",
    "tls_1_3",
    "xml",
    "yaml",
];

pub struct Preprocessed<'a> {
    /// The text with skipped branches blanked; same length as the input.
    pub text: std::borrow::Cow<'a, str>,
    pub directives: Vec<MacroDirective>,
    pub diagnostics: Vec<Diagnostic>,
}

pub fn preprocess<'a>(text: &'a str, file: FileId, lines: &LineIndex) -> Preprocessed<'a> {
    let starts = directive_lines(text);
    if starts.is_empty() {
        return Preprocessed {
            text: std::borrow::Cow::Borrowed(text),
            directives: Vec::new(),
            diagnostics: Vec::new(),
        };
    }
    let mut out = text.as_bytes().to_vec();
    let mut directives = Vec::new();
    let mut diagnostics = Vec::new();
    // The open `@if`: its directive index and whether its current branch is taken.
    let mut open: Option<(usize, bool, bool)> = None; // (directive index, taken, seen_else)
    let mut skip_from: Option<usize> = None;
    // `@if`s met inside an open one: reported once, and their `@endif`s
    // consumed, so that one mistake gives one diagnostic.
    let mut nested = 0usize;

    for (start, end) in starts {
        blank(&mut out, start, end);
        let line_text = &text[start..end];
        let span = lines.span(file, start, end);
        let mut diag = |message: String, help: &str| {
            diagnostics.push(Diagnostic::error(Code::Macro, message, span).with_help(help));
        };
        let directive = match parse_directive(line_text) {
            Ok(d) => d,
            Err(message) => {
                diag(
                    message,
                    "a macro line is `@if minimum_version(3.18)`, `@if feature(yaml)`, `@else` or `@endif`",
                );
                continue;
            }
        };
        match directive {
            Directive::If(condition) => {
                if let Some((idx, _, _)) = open {
                    let line = directives
                        .get(idx)
                        .map(|d: &MacroDirective| d.span.line)
                        .unwrap_or(0);
                    diag(
                        "nested @if macros are not allowed".into(),
                        &format!("close the @if on line {line} with @endif first"),
                    );
                    nested += 1;
                    continue;
                }
                let taken = match condition {
                    Ok(t) => t,
                    Err(message) => {
                        diag(message, "known macros: minimum_version, maximum_version, before_version, at_version, after_version, between_versions, feature");
                        false
                    }
                };
                directives.push(MacroDirective {
                    text: line_text.trim_end().to_string(),
                    active: taken,
                    span,
                });
                open = Some((directives.len() - 1, taken, false));
                if !taken {
                    skip_from = Some(end);
                }
            }
            Directive::Else => match open {
                Some((idx, taken, false)) => {
                    if let Some(from) = skip_from.take() {
                        blank(&mut out, from, start);
                    }
                    directives.push(MacroDirective {
                        text: line_text.trim_end().to_string(),
                        active: !taken,
                        span,
                    });
                    open = Some((idx, !taken, true));
                    if taken {
                        skip_from = Some(end);
                    }
                }
                Some((_, _, true)) => diag(
                    "@else appears twice in one @if".into(),
                    "an @if has at most one @else",
                ),
                None => diag(
                    "@else without a matching @if".into(),
                    "remove this line or add an @if before it",
                ),
            },
            Directive::Endif => {
                if nested > 0 {
                    nested -= 1;
                    continue;
                }
                if open.take().is_none() {
                    diag(
                        "@endif without a matching @if".into(),
                        "remove this line or add an @if before it",
                    );
                    continue;
                }
                if let Some(from) = skip_from.take() {
                    blank(&mut out, from, start);
                }
                directives.push(MacroDirective {
                    text: line_text.trim_end().to_string(),
                    active: true,
                    span,
                });
            }
        }
    }
    if let Some((idx, _, _)) = open {
        let span = directives[idx].span;
        diagnostics.push(
            Diagnostic::error(Code::Macro, "@if without a matching @endif".into(), span)
                .with_help("add @endif on a line of its own where the conditional text ends"),
        );
        if let Some(from) = skip_from {
            blank(&mut out, from, text.len());
        }
    }
    // Blanking replaces whole lines of valid UTF-8 with ASCII spaces.
    let text = String::from_utf8(out)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    Preprocessed {
        text: std::borrow::Cow::Owned(text),
        directives,
        diagnostics,
    }
}

fn blank(out: &mut [u8], from: usize, to: usize) {
    for b in &mut out[from..to] {
        if *b != b'\n' {
            *b = b' ';
        }
    }
}

/// Byte ranges (without the newline) of directive lines outside strings.
/// Inside a skipped branch only directive lines matter, so string tracking
/// stops there, as in CFEngine's lexer.
fn directive_lines(text: &str) -> Vec<(usize, usize)> {
    if !text.contains("\n@") && !text.starts_with('@') {
        return Vec::new();
    }
    let mut found = Vec::new();
    let mut scanner = LexicalScanner::new(text);
    let bytes = text.as_bytes();
    let mut line_start = 0;
    while line_start < bytes.len() {
        let line_end = memchr(b'\n', &bytes[line_start..])
            .map(|i| line_start + i)
            .unwrap_or(bytes.len());
        let is_directive = bytes[line_start] == b'@'
            && bytes
                .get(line_start + 1)
                .is_some_and(|b| b.is_ascii_alphabetic())
            && !scanner.in_string_at(line_start);
        if is_directive {
            found.push((line_start, line_end));
        }
        line_start = line_end + 1;
    }
    found
}

fn memchr(needle: u8, hay: &[u8]) -> Option<usize> {
    hay.iter().position(|&b| b == needle)
}

enum Directive {
    /// The branch is taken (`Ok(true)`), not taken, or the macro is unknown.
    If(Result<bool, String>),
    Else,
    Endif,
}

fn parse_directive(line: &str) -> Result<Directive, String> {
    let pairs = CfParser::parse(Rule::macro_line, line).map_err(|_| {
        let word = line
            .split(|c: char| c.is_whitespace() || c == '(')
            .next()
            .unwrap_or(line);
        match word {
            "@if" => format!("malformed @if line '{}'", line.trim_end()),
            "@else" | "@endif" => format!("unexpected text after {word}"),
            other => format!("unknown macro directive '{other}'"),
        }
    })?;
    let directive = pairs
        .into_iter()
        .next()
        .and_then(|p| p.into_inner().next())
        .ok_or_else(|| "empty macro line".to_string())?;
    Ok(match directive.as_rule() {
        Rule::macro_else => Directive::Else,
        Rule::macro_endif => Directive::Endif,
        _ => {
            let mut inner = directive.into_inner();
            let name = inner.next().map(|p| p.as_str()).unwrap_or("");
            let args: Vec<&str> = inner
                .next()
                .map(|a| a.into_inner().map(|p| p.as_str()).collect())
                .unwrap_or_default();
            Directive::If(evaluate(name, &args))
        }
    })
}

fn evaluate(name: &str, args: &[&str]) -> Result<bool, String> {
    let one = || -> Result<Vec<u32>, String> {
        match args {
            [v] => version(v),
            _ => Err(format!("{name}() takes one version")),
        }
    };
    use std::cmp::Ordering::*;
    Ok(match name {
        "minimum_version" => compare(&one()?) != Less,
        "maximum_version" => compare(&one()?) != Greater,
        "before_version" => compare(&one()?) == Less,
        "at_version" => compare(&one()?) == Equal,
        "after_version" => compare(&one()?) == Greater,
        "between_versions" => match args {
            [a, b] => compare(&version(a)?) != Less && compare(&version(b)?) != Greater,
            _ => return Err("between_versions() takes two versions".into()),
        },
        "feature" => match args {
            [f] => FEATURES.contains(f),
            _ => return Err("feature() takes one feature name".into()),
        },
        other => return Err(format!("unknown macro '@if {other}'")),
    })
}

fn version(text: &str) -> Result<Vec<u32>, String> {
    text.split('.')
        .map(|part| part.parse::<u32>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| format!("'{text}' is not a version such as 3.18.0"))
}

/// Compares the compatible version with `wanted` over the components given.
fn compare(wanted: &[u32]) -> std::cmp::Ordering {
    COMPATIBLE_VERSION
        .iter()
        .zip(wanted)
        .map(|(have, want)| have.cmp(want))
        .find(|o| o.is_ne())
        .unwrap_or(std::cmp::Ordering::Equal)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Preprocessed<'_> {
        preprocess(text, FileId(0), &LineIndex::new(text))
    }

    #[test]
    fn takes_the_right_branch() {
        let p = run("a\n@if minimum_version(3.18)\nkeep\n@else\ndrop\n@endif\nz\n");
        assert!(p.diagnostics.is_empty());
        assert_eq!(
            p.text.len(),
            "a\n@if minimum_version(3.18)\nkeep\n@else\ndrop\n@endif\nz\n".len()
        );
        assert!(p.text.contains("keep"));
        assert!(!p.text.contains("drop"));
        assert!(!p.text.contains('@'));
        let p = run("@if minimum_version(3.99)\nnew syntax {{{\n@endif\n");
        assert!(p.diagnostics.is_empty());
        assert!(!p.text.contains("new"));
    }

    #[test]
    fn versions_compare_over_given_components() {
        assert!(evaluate("at_version", &["3.21"]).unwrap());
        assert!(evaluate("maximum_version", &["3.21"]).unwrap());
        assert!(!evaluate("after_version", &["3.21"]).unwrap());
        assert!(evaluate("between_versions", &["3.18", "3.22"]).unwrap());
        assert!(evaluate("feature", &["yaml"]).unwrap());
        assert!(!evaluate("feature", &["nosuch"]).unwrap());
        assert!(evaluate("bogus", &["1"]).is_err());
    }

    #[test]
    fn reports_misplaced_directives() {
        assert_eq!(run("@endif\n").diagnostics.len(), 1);
        assert_eq!(run("@else\n").diagnostics.len(), 1);
        assert_eq!(run("@if minimum_version(3.1)\n").diagnostics.len(), 1);
        assert_eq!(
            run("@if minimum_version(3.1)\n@if minimum_version(3.1)\n@endif\n@endif\n")
                .diagnostics
                .len(),
            1
        );
        assert_eq!(run("@foo\n").diagnostics.len(), 1);
    }

    #[test]
    fn ignores_at_lines_inside_strings() {
        let p = run("x => \"\n@echo off\n\";\n");
        assert!(p.diagnostics.is_empty());
        assert!(p.text.contains("@echo"));
    }
}
