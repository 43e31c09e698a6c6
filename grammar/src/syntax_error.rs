//! Turns a pest error into a diagnostic that names the mistake: which token,
//! what was expected there, and what to do about it.

use pest::error::{Error, ErrorVariant, InputLocation};

use crate::diagnostic::{Code, Diagnostic};
use crate::parser::Rule;
use crate::scan::{self, Token, TokenKind};
use crate::span::{FileId, LineIndex, Span};

/// `error` came from parsing `text[start..end]`.
pub(crate) fn diagnose(
    error: &Error<Rule>,
    text: &str,
    start: usize,
    end: usize,
    file: FileId,
    lines: &LineIndex,
) -> Diagnostic {
    let segment = &text[start..end];
    let at = start
        + match error.location {
            InputLocation::Pos(p) => p,
            InputLocation::Span((p, _)) => p,
        };
    let positives: &[Rule] = match &error.variant {
        ErrorVariant::ParsingError { positives, .. } => positives,
        ErrorVariant::CustomError { .. } => &[],
    };
    let tokens: Vec<Token> = scan::tokens(segment)
        .into_iter()
        .map(|t| Token {
            start: t.start + start,
            end: t.end + start,
            ..t
        })
        .collect();
    let context = Context {
        text,
        tokens: &tokens,
        at,
        end,
        positives,
        file,
        lines,
    };
    context.diagnose()
}

struct Context<'a> {
    text: &'a str,
    tokens: &'a [Token],
    at: usize,
    end: usize,
    positives: &'a [Rule],
    file: FileId,
    lines: &'a LineIndex,
}

impl Context<'_> {
    fn span(&self, start: usize, end: usize) -> Span {
        self.lines.span(self.file, start, end)
    }

    fn expects(&self, rule: Rule) -> bool {
        self.positives.contains(&rule)
    }

    /// The token the parser stopped at, if any.
    fn offending(&self) -> Option<&Token> {
        self.tokens.iter().find(|t| t.end > self.at)
    }

    fn previous(&self) -> Option<&Token> {
        let offending_start = self.offending().map_or(usize::MAX, |t| t.start);
        self.tokens
            .iter()
            .rev()
            .find(|t| t.end <= self.at && t.start < offending_start)
    }

    fn describe(&self, token: Option<&Token>) -> String {
        match token {
            None => "the end of the file".into(),
            Some(t) => match t.kind {
                TokenKind::Str { .. } => {
                    let text = t.text(self.text);
                    let short: String = text.chars().take(30).collect();
                    if short.len() < text.len() {
                        format!("the string {short}…")
                    } else {
                        format!("the string {short}")
                    }
                }
                _ => format!("'{}'", t.text(self.text)),
            },
        }
    }

    fn diagnose(&self) -> Diagnostic {
        if let Some(d) = self.unterminated_string() {
            return d;
        }
        let offending = self.offending().copied();
        let previous = self.previous().copied();
        let found = self.describe(offending.as_ref());
        let here = offending
            .map(|t| self.span(t.start, t.end))
            .unwrap_or_else(|| self.span(self.end, self.end));
        let block = self.block_kind();
        let offending_text = offending.map(|t| t.text(self.text)).unwrap_or("");
        let previous_text = previous.map(|t| t.text(self.text)).unwrap_or("");

        if offending.is_none() && (self.expects(Rule::rbrace) || self.expects(Rule::rparen)) {
            if let Some(d) = self.unclosed() {
                return d;
            }
        }
        if self.positives.is_empty() {
            return Diagnostic::error(
                Code::Unexpected,
                format!("cannot parse past {found}: the policy is nested too deeply here"),
                here,
            )
            .with_label("nesting limit reached")
            .with_help("split deeply nested function calls or lists into separate variables");
        }
        let inside_list_or_call =
            self.expects(Rule::comma) && (self.expects(Rule::rbrace) || self.expects(Rule::rparen));
        if inside_list_or_call && offending_text == ";" {
            if let Some(d) = self.unclosed_before(self.at) {
                return d;
            }
        }
        if self.top_level() {
            return self.stray(offending, here, &found);
        }
        if offending_text == "," && !self.expects(Rule::comma) {
            return self.stray_comma(previous, here);
        }
        if previous_text == "," && matches!(offending_text, ")" | ";") {
            let what = if offending_text == ")" {
                "a function call's arguments"
            } else {
                "a promise's constraints"
            };
            let comma = previous.map(|t| self.span(t.start, t.end)).unwrap_or(here);
            return Diagnostic::error(Code::Comma, format!("trailing comma in {what}"), comma)
                .with_label("remove this comma")
                .with_help(format!(
                    "CFEngine allows no comma before '{offending_text}'"
                ));
        }
        if self.expects(Rule::semicolon) && !self.expects(Rule::arrow) {
            let statement = match (block, self.statement_has_arrow()) {
                ("body" | "promise", _) => "attribute",
                (_, true) => "constraint",
                _ => "promise",
            };
            let line = previous
                .map(|t| self.lines.line_column(t.end.saturating_sub(1)).0)
                .unwrap_or(here.line);
            return Diagnostic::error(
                Code::MissingSemicolon,
                format!("expected ';' after the {statement} on line {line}, found {found}"),
                here,
            )
            .with_label("expected ';' before this")
            .with_help(format!("end the {statement} on line {line} with ';'"));
        }
        if offending_text.ends_with(':') && !offending_text.ends_with("::") && block != "bundle" {
            return Diagnostic::error(
                Code::SectionInBody,
                format!("promise type section '{offending_text}' inside a {block}"),
                here,
            )
            .with_label("sections belong in bundles")
            .with_help("a body holds only `attribute => value;` lines and class guards");
        }
        if self.expects(Rule::arrow) {
            let label = if offending_text.starts_with('=') {
                "'=' is not an operator here; write '=>'"
            } else {
                "expected '=>' before this"
            };
            return Diagnostic::error(
                Code::MissingArrow,
                format!("expected '=>' after the attribute '{previous_text}', found {found}"),
                here,
            )
            .with_label(label)
            .with_help("a constraint is written `attribute => value`");
        }
        if previous_text == "=>" || previous_text == "->" {
            return Diagnostic::error(
                Code::ExpectedValue,
                format!("expected a value after '{previous_text}', found {found}"),
                here,
            )
            .with_label("not a value")
            .with_help("a value is a quoted string, a name, a list `{ ... }`, a function call or a `$(variable)`");
        }
        if let Some(d) = self.block_header(block, here, &found) {
            return d;
        }
        if let Some(d) = self.promise_outside_section(block, offending, here) {
            return d;
        }
        if offending.is_none() {
            if let Some(d) = self.unclosed() {
                return d;
            }
        }
        if block == "bundle" && self.expects(Rule::rbrace) && self.expects(Rule::quoted_string) {
            return Diagnostic::error(
                Code::Unexpected,
                format!("unexpected {found} in a bundle"),
                here,
            )
            .with_label("expected a promise, a class guard or a section header")
            .with_help("a bundle holds section headers ('vars:'), class guards ('linux::') and promises (\"promiser\" attribute => value;)");
        }
        Diagnostic::error(
            Code::Unexpected,
            format!("unexpected {found}, expected {}", self.expected_list()),
            here,
        )
        .with_label(format!("expected {}", self.expected_list()))
    }

    fn expected_list(&self) -> String {
        let mut names: Vec<&str> = Vec::new();
        for rule in self.positives {
            let name = human(*rule);
            if !names.contains(&name) {
                names.push(name);
            }
        }
        match names.len() {
            0 => "something else".into(),
            1 => names[0].into(),
            n => format!("{} or {}", names[..n - 1].join(", "), names[n - 1]),
        }
    }

    fn unterminated_string(&self) -> Option<Diagnostic> {
        let token = self.tokens.iter().find(|t| {
            matches!(
                t.kind,
                TokenKind::Str {
                    terminated: false,
                    ..
                }
            )
        })?;
        let TokenKind::Str { quote, .. } = token.kind else {
            return None;
        };
        let quote = quote as char;
        let help = if quote == '`' {
            "close it with '`'; a backquoted string cannot contain a backquote".to_string()
        } else {
            format!("close it with {quote}; a {quote} inside the string is written \\{quote}")
        };
        Some(
            Diagnostic::error(
                Code::UnterminatedString,
                format!("unterminated string: the {quote} opened here is never closed"),
                self.span(token.start, token.start + 1),
            )
            .with_label("string starts here")
            .with_help(help),
        )
    }

    /// The innermost `{` or `(` of the segment that has no partner.
    fn unclosed(&self) -> Option<Diagnostic> {
        self.unclosed_before(self.end)
    }

    /// The innermost `{` or `(` before `limit` that has no partner before it.
    fn unclosed_before(&self, limit: usize) -> Option<Diagnostic> {
        let mut stack: Vec<&Token> = Vec::new();
        for t in self.tokens.iter().take_while(|t| t.start < limit) {
            match t.kind {
                TokenKind::Punct(b'{' | b'(') => stack.push(t),
                TokenKind::Punct(b'}' | b')') => {
                    stack.pop();
                }
                _ => {}
            }
        }
        let open = stack.last()?;
        let (brace, what) = if open.text(self.text) == "(" {
            (")", "parenthesis")
        } else {
            ("}", "brace")
        };
        let owner = self.owner_of(open);
        Some(
            Diagnostic::error(
                Code::Unclosed,
                format!(
                    "unclosed {what}: this '{}' {owner}is never closed",
                    open.text(self.text)
                ),
                self.span(open.start, open.end),
            )
            .with_label(format!("no matching '{brace}'"))
            .with_help(format!(
                "add '{brace}' where it should end{}",
                if self.end < self.text.len() {
                    format!(", before line {}", self.lines.line_column(self.end).0)
                } else {
                    String::new()
                }
            )),
        )
    }

    /// "of bundle agent main " for the opening brace of a block.
    fn owner_of(&self, open: &Token) -> String {
        let index = self.tokens.iter().position(|t| t == open).unwrap_or(0);
        let head: Vec<&str> = self.tokens[..index]
            .iter()
            .rev()
            .take_while(|t| !matches!(t.kind, TokenKind::Punct(_)))
            .map(|t| t.text(self.text))
            .collect();
        match head.as_slice() {
            [name, kind, keyword] if matches!(*keyword, "bundle" | "body" | "promise") => {
                format!("of {keyword} {kind} {name} ")
            }
            _ => String::new(),
        }
    }

    fn top_level(&self) -> bool {
        self.expects(Rule::kw_bundle) || self.expects(Rule::EOI)
    }

    fn stray(&self, offending: Option<Token>, here: Span, found: &str) -> Diagnostic {
        let text = offending.map(|t| t.text(self.text)).unwrap_or("");
        let (message, help) = if text == "}" {
            (
                "unmatched '}' outside any bundle or body".to_string(),
                "remove it, or look for an extra '}' in the block above".to_string(),
            )
        } else {
            (
                format!("unexpected {found} outside any bundle or body"),
                "policy files hold only `bundle TYPE NAME { ... }`, `body TYPE NAME { ... }` and `promise TYPE NAME { ... }` blocks".to_string(),
            )
        };
        Diagnostic::error(Code::StrayToken, message, here)
            .with_label("not part of any block")
            .with_help(help)
    }

    fn stray_comma(&self, previous: Option<Token>, here: Span) -> Diagnostic {
        let after_promiser = previous.is_some_and(|t| {
            matches!(t.kind, TokenKind::Str { .. }) && self.statement_start() == Some(t.start)
        });
        let message = if after_promiser {
            "a comma after the promiser is not allowed (since CFEngine 3.5)"
        } else if self.statement_has_thin_arrow() && !self.statement_has_arrow() {
            "a comma between the promisee and the first constraint is not allowed"
        } else {
            "unexpected ','"
        };
        Diagnostic::error(Code::Comma, message.into(), here)
            .with_label("remove this comma")
            .with_help(
                "write `\"promiser\" -> { \"promisee\" } attribute => value, other => value;`",
            )
    }

    fn block_header(&self, block: &str, here: Span, found: &str) -> Option<Diagnostic> {
        let (what, example) = if self.expects(Rule::bundle_type) {
            ("the bundle type", "bundle agent NAME")
        } else if self.expects(Rule::bundle_name) {
            ("the bundle name", "bundle agent NAME")
        } else if self.expects(Rule::body_type) {
            ("the type", "body TYPE NAME")
        } else if self.expects(Rule::body_name) {
            ("the name", "body TYPE NAME")
        } else {
            return None;
        };
        Some(
            Diagnostic::error(
                Code::BlockHeader,
                format!("expected {what} after '{block}', found {found}"),
                here,
            )
            .with_label(format!("expected {what}"))
            .with_help(format!("a {block} starts with `{example} {{`")),
        )
    }

    fn promise_outside_section(
        &self,
        block: &str,
        offending: Option<Token>,
        here: Span,
    ) -> Option<Diagnostic> {
        if block != "bundle" || !self.expects(Rule::section_header) {
            return None;
        }
        let word = offending.filter(|t| t.kind == TokenKind::Word)?;
        Some(
            Diagnostic::error(
                Code::Unexpected,
                format!(
                    "unexpected '{}': a promiser must be a quoted string",
                    word.text(self.text)
                ),
                here,
            )
            .with_label("expected a quoted promiser, a class guard 'expr::' or a section 'type:'")
            .with_help(format!(
                "write \"{}\" if this is the promiser",
                word.text(self.text)
            )),
        )
    }

    /// `bundle`, `body` or `promise`: the keyword of the block being parsed.
    fn block_kind(&self) -> &str {
        self.tokens
            .iter()
            .take_while(|t| t.start <= self.at)
            .filter(|t| t.kind == TokenKind::Word)
            .map(|t| t.text(self.text))
            .filter(|w| matches!(*w, "bundle" | "body" | "promise"))
            .last()
            .unwrap_or("")
    }

    /// Start of the statement the error is in: the token after the last `;`,
    /// block `{` or guard/section header before the error. Lists and calls
    /// inside the statement are stepped over.
    fn statement_start(&self) -> Option<usize> {
        let before: Vec<&Token> = self.tokens.iter().filter(|t| t.end <= self.at).collect();
        let mut depth = 0usize;
        let mut start = 0;
        for (i, t) in before.iter().enumerate().rev() {
            match t.kind {
                TokenKind::Punct(b'}' | b')') => depth += 1,
                TokenKind::Punct(b'(') => depth = depth.saturating_sub(1),
                TokenKind::Punct(b'{') if depth > 0 => depth -= 1,
                TokenKind::Punct(b'{' | b';') => {
                    start = i + 1;
                    break;
                }
                TokenKind::Word if depth == 0 && t.text(self.text).ends_with(':') => {
                    start = i + 1;
                    break;
                }
                _ => {}
            }
        }
        before.get(start).map(|t| t.start)
    }

    fn statement_tokens(&self) -> impl Iterator<Item = &Token> {
        let start = self.statement_start().unwrap_or(self.at);
        self.tokens
            .iter()
            .filter(move |t| t.start >= start && t.end <= self.at)
    }

    fn statement_has_arrow(&self) -> bool {
        self.statement_tokens().any(|t| t.text(self.text) == "=>")
    }

    fn statement_has_thin_arrow(&self) -> bool {
        self.statement_tokens().any(|t| t.text(self.text) == "->")
    }
}

fn human(rule: Rule) -> &'static str {
    match rule {
        Rule::lbrace => "'{'",
        Rule::rbrace => "'}'",
        Rule::lparen => "'('",
        Rule::rparen => "')'",
        Rule::semicolon => "';'",
        Rule::comma => "','",
        Rule::arrow => "'=>'",
        Rule::thin_arrow => "'->'",
        Rule::kw_bundle | Rule::kw_body | Rule::kw_promise => "'bundle', 'body' or 'promise'",
        Rule::EOI => "the end of the file",
        Rule::identifier | Rule::qualified_name | Rule::symbol => "a name",
        Rule::section_header => "a promise type such as 'vars:'",
        Rule::guard | Rule::class_guard | Rule::variable_guard => "a class guard 'expr::'",
        Rule::promise => "a promise",
        Rule::quoted_string => "a quoted string",
        Rule::list => "a list",
        Rule::call => "a function call",
        Rule::naked_var => "a variable reference",
        Rule::params => "a parameter list",
        Rule::constraint | Rule::body_attribute => "an attribute",
        Rule::promisee => "'->'",
        Rule::bundle_type => "a bundle type",
        Rule::bundle_name => "a bundle name",
        Rule::body_type => "a body type",
        Rule::body_name => "a body name",
        _ => "valid syntax",
    }
}
