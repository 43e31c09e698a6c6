//! Text to [`PolicyFile`]: macros, the pest grammar, the tree builder, and
//! recovery so that one broken block does not hide errors in the next.

use pest::iterators::Pair;
use pest::Parser as _;
use pest_derive::Parser;

use crate::ast::*;
use crate::class_expr;
use crate::diagnostic::{Code, Diagnostic};
use crate::fast;
use crate::macros;
use crate::scan;
use crate::span::{FileId, LineIndex, SourceFile, Span};
use crate::syntax_error;

#[derive(Parser)]
#[grammar = "cfengine.pest"]
pub(crate) struct CfParser;

/// A parse never fails: it gives the tree of everything that parsed and the
/// diagnostics for everything that did not.
#[derive(Debug, Clone)]
pub struct ParseOutput {
    pub file: PolicyFile,
    pub diagnostics: Vec<Diagnostic>,
}

impl ParseOutput {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Parses one file of a [`crate::SourceMap`].
pub fn parse_source(source: &SourceFile) -> ParseOutput {
    parse_text(&source.path, &source.text, source.id, &source.lines)
}

/// Parses `text` standing alone (tests, stdin).
pub fn parse(path: &str, text: &str) -> ParseOutput {
    parse_text(path, text, FileId(0), &LineIndex::new(text))
}

/// [`parse`] with the pest grammar only, never the fast path: what tests
/// compare the fast path with.
#[doc(hidden)]
pub fn parse_with_grammar_only(path: &str, text: &str) -> ParseOutput {
    FAST_PATH_OFF.with(|off| off.set(true));
    let output = parse(path, text);
    FAST_PATH_OFF.with(|off| off.set(false));
    output
}

thread_local! {
    static FAST_PATH_OFF: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The tree of `text` (starting at byte `base` of the file) read by the
/// fast path, unless it gave up or is switched off.
fn fast_blocks(text: &str, base: usize, file: FileId, lines: &LineIndex) -> Option<Vec<Block>> {
    if FAST_PATH_OFF.with(|off| off.get()) {
        return None;
    }
    fast::blocks(text, base, file, lines)
}

fn parse_text(path: &str, text: &str, file: FileId, lines: &LineIndex) -> ParseOutput {
    let pre = macros::preprocess(text, file, lines);
    let text: &str = &pre.text;
    let mut diagnostics = pre.diagnostics;
    let outline = scan::outline(text);
    let comments = outline
        .comments
        .into_iter()
        .map(|(start, end)| Comment {
            text: text[start + 1..end].trim_end_matches('\r').to_string(),
            span: lines.span(file, start, end),
        })
        .collect();

    let fast_path_off = FAST_PATH_OFF.with(|off| off.get());
    let mut blocks = Vec::new();
    let chunked = text.len() >= CHUNKED_FROM_BYTES
        && parse_chunks(
            text,
            &outline.block_starts,
            file,
            lines,
            &mut blocks,
            &mut diagnostics,
            fast_path_off,
        );
    if !chunked {
        if let Some(fast) = fast_blocks(text, 0, file, lines) {
            blocks = fast;
        } else {
            match CfParser::parse(Rule::policy, text) {
                Ok(mut pairs) => {
                    let mut builder = Builder::new(file, lines, 0, &mut diagnostics);
                    if let Some(policy) = pairs.next() {
                        builder.blocks(policy, &mut blocks);
                    }
                }
                Err(_) => recover(
                    text,
                    outline.block_starts,
                    file,
                    lines,
                    &mut blocks,
                    &mut diagnostics,
                ),
            }
        }
    }
    diagnostics.sort_by_key(|d| (d.span.start, d.code));
    ParseOutput {
        file: PolicyFile {
            path: path.to_string(),
            blocks,
            macros: pre.directives,
            comments,
        },
        diagnostics,
    }
}

/// Files this large are parsed in chunks of whole blocks, on all cores.
const CHUNKED_FROM_BYTES: usize = 512 * 1024;
const CHUNK_BYTES: usize = 256 * 1024;
/// Parser threads get a main thread's stack: pest stops at its own depth
/// limit, and the tree builder recurses as deep as pest went.
const PARSER_STACK_BYTES: usize = 8 * 1024 * 1024;

/// Parses a large file as chunks of blocks cut where blocks may start, in
/// parallel. A sequence of blocks is a policy, so when every chunk parses the
/// result is the whole file's tree. Returns false (and adds nothing) when a
/// chunk fails, e.g. because a cut fell inside a block; the caller then
/// parses the file whole.
fn parse_chunks(
    text: &str,
    block_starts: &[usize],
    file: FileId,
    lines: &LineIndex,
    blocks: &mut Vec<Block>,
    diagnostics: &mut Vec<Diagnostic>,
    fast_path_off: bool,
) -> bool {
    let mut cuts = vec![0];
    for &start in block_starts {
        if start - cuts[cuts.len() - 1] >= CHUNK_BYTES {
            cuts.push(start);
        }
    }
    cuts.push(text.len());
    let chunks: Vec<(usize, usize)> = cuts.windows(2).map(|w| (w[0], w[1])).collect();
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(chunks.len());
    let per_thread = chunks.len().div_ceil(threads.max(1));
    let results: Vec<Option<(Vec<Block>, Vec<Diagnostic>)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = chunks
            .chunks(per_thread.max(1))
            .map(|mine| {
                std::thread::Builder::new()
                    .stack_size(PARSER_STACK_BYTES)
                    .spawn_scoped(scope, move || {
                        let mut blocks = Vec::new();
                        let mut diagnostics = Vec::new();
                        for &(start, end) in mine {
                            let chunk = &text[start..end];
                            if !fast_path_off {
                                if let Some(fast) = fast::blocks(chunk, start, file, lines) {
                                    blocks.extend(fast);
                                    continue;
                                }
                            }
                            let mut pairs =
                                CfParser::parse(Rule::block_segment, &text[start..end]).ok()?;
                            let mut builder = Builder::new(file, lines, start, &mut diagnostics);
                            if let Some(segment) = pairs.next() {
                                builder.blocks(segment, &mut blocks);
                            }
                        }
                        Some((blocks, diagnostics))
                    })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.ok().and_then(|h| h.join().ok()).flatten())
            .collect()
    });
    if results.iter().any(Option::is_none) {
        return false;
    }
    for (b, d) in results.into_iter().flatten() {
        blocks.extend(b);
        diagnostics.extend(d);
    }
    true
}

/// Parses block by block from each place a block may start, so that every
/// broken block gets its own diagnostic and every good one its tree.
fn recover(
    text: &str,
    mut bounds: Vec<usize>,
    file: FileId,
    lines: &LineIndex,
    blocks: &mut Vec<Block>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    if bounds.first() != Some(&0) {
        bounds.insert(0, 0);
    }
    bounds.push(text.len());
    for window in bounds.windows(2) {
        let (start, end) = (window[0], window[1]);
        let segment = &text[start..end];
        match CfParser::parse(Rule::block_segment, segment) {
            Ok(mut pairs) => {
                let mut builder = Builder::new(file, lines, start, diagnostics);
                if let Some(seg) = pairs.next() {
                    builder.blocks(seg, blocks);
                }
            }
            Err(error) => diagnostics.push(syntax_error::diagnose(
                &error, text, start, end, file, lines,
            )),
        }
    }
}

/// Builds AST nodes from pest pairs of a text that starts at `base` in the file.
struct Builder<'a> {
    file: FileId,
    lines: &'a LineIndex,
    base: usize,
    diagnostics: &'a mut Vec<Diagnostic>,
    /// Line of the last span made, to find the next one fast.
    line_hint: usize,
}

impl<'a> Builder<'a> {
    fn new(
        file: FileId,
        lines: &'a LineIndex,
        base: usize,
        diagnostics: &'a mut Vec<Diagnostic>,
    ) -> Self {
        Builder {
            file,
            lines,
            base,
            diagnostics,
            line_hint: 0,
        }
    }

    fn span(&mut self, pair: &Pair<Rule>) -> Span {
        let s = pair.as_span();
        self.offsets(s.start(), s.end())
    }

    fn offsets(&mut self, start: usize, end: usize) -> Span {
        self.lines.span_near(
            self.file,
            self.base + start,
            self.base + end,
            &mut self.line_hint,
        )
    }

    fn ident(&mut self, pair: Pair<Rule>) -> Ident {
        Ident {
            span: self.span(&pair),
            name: pair.as_str().into(),
        }
    }

    fn blocks(&mut self, pair: Pair<Rule>, out: &mut Vec<Block>) {
        for block in pair.into_inner() {
            match block.as_rule() {
                Rule::bundle => out.push(Block::Bundle(self.bundle(block))),
                Rule::body => out.push(Block::Body(self.body(block))),
                Rule::promise_block => out.push(Block::PromiseType(self.body(block))),
                _ => {}
            }
        }
    }

    fn bundle(&mut self, pair: Pair<Rule>) -> Bundle {
        let span = self.span(&pair);
        let mut bundle_type = None;
        let mut name = None;
        let mut params = Vec::new();
        let mut sections: Vec<Section> = Vec::new();
        let mut reported_orphan = false;
        for item in pair.into_inner() {
            match item.as_rule() {
                Rule::bundle_type => bundle_type = Some(self.ident(item)),
                Rule::bundle_name => name = Some(self.ident(item)),
                Rule::params => params = self.params(item),
                Rule::section_header => {
                    let span = self.span(&item);
                    let promise_type = item
                        .into_inner()
                        .next()
                        .map(|p| self.ident(p))
                        .unwrap_or_else(|| missing(span));
                    sections.push(Section {
                        promise_type,
                        groups: Vec::new(),
                        span,
                    });
                }
                Rule::guard => {
                    let guard = self.guard(item);
                    match sections.last_mut() {
                        Some(section) => {
                            section.span.end = guard.span().end;
                            section.groups.push(PromiseGroup {
                                guard: Some(guard),
                                promises: Vec::new(),
                            });
                        }
                        // `reports: linux::` has its diagnostic already; read on
                        // as if the header stood on its own line.
                        None if header_and_guard(&guard).is_some() => {
                            let span = guard.span();
                            let name = header_and_guard(&guard).unwrap_or_default();
                            sections.push(Section {
                                promise_type: Ident {
                                    name: name.into(),
                                    span,
                                },
                                groups: vec![PromiseGroup {
                                    guard: Some(guard),
                                    promises: Vec::new(),
                                }],
                                span,
                            });
                        }
                        None => self.orphan(guard.span(), "class guard", &mut reported_orphan),
                    }
                }
                Rule::promise => {
                    let promise = self.promise(item);
                    match sections.last_mut() {
                        Some(section) => {
                            section.span.end = promise.span.end;
                            if section.groups.is_empty() {
                                section.groups.push(PromiseGroup {
                                    guard: None,
                                    promises: Vec::new(),
                                });
                            }
                            if let Some(group) = section.groups.last_mut() {
                                group.promises.push(promise);
                            }
                        }
                        None => self.orphan(promise.promiser.span, "promise", &mut reported_orphan),
                    }
                }
                _ => {}
            }
        }
        for section in &mut sections {
            for group in &mut section.groups {
                group.promises.shrink_to_fit();
            }
            section.groups.shrink_to_fit();
        }
        sections.shrink_to_fit();
        Bundle {
            bundle_type: bundle_type.unwrap_or_else(|| missing(span)),
            name: name.unwrap_or_else(|| missing(span)),
            params,
            sections,
            span,
        }
    }

    fn orphan(&mut self, span: Span, what: &str, reported: &mut bool) {
        if std::mem::replace(reported, true) {
            return;
        }
        self.diagnostics.push(
            Diagnostic::error(
                Code::PromiseOutsideSection,
                format!("{what} before any promise type section"),
                span,
            )
            .with_label("no section such as 'vars:' or 'files:' precedes this")
            .with_help("start the bundle's promises with a promise type header, e.g. 'reports:' on its own line"),
        );
    }

    fn body(&mut self, pair: Pair<Rule>) -> Body {
        let span = self.span(&pair);
        let mut body_type = None;
        let mut name = None;
        let mut params = Vec::new();
        let mut groups: Vec<AttributeGroup> = Vec::new();
        for item in pair.into_inner() {
            match item.as_rule() {
                Rule::body_type => body_type = Some(self.ident(item)),
                Rule::body_name => name = Some(self.ident(item)),
                Rule::params => params = self.params(item),
                Rule::guard => {
                    let guard = self.guard(item);
                    if let Guard::Variable { span, .. } = &guard {
                        self.diagnostics.push(
                            Diagnostic::error(
                                Code::VariableGuardInBody,
                                "body attributes can't be put under a variable class guard".into(),
                                *span,
                            )
                            .with_help("use a class expression guard here, or an `if` in the promise that uses the body"),
                        );
                    }
                    groups.push(AttributeGroup {
                        guard: Some(guard),
                        attributes: Vec::new(),
                    });
                }
                Rule::body_attribute => {
                    let attribute = self.constraint(item);
                    if groups.is_empty() {
                        groups.push(AttributeGroup {
                            guard: None,
                            attributes: Vec::new(),
                        });
                    }
                    if let Some(group) = groups.last_mut() {
                        group.attributes.push(attribute);
                    }
                }
                _ => {}
            }
        }
        for group in &mut groups {
            group.attributes.shrink_to_fit();
        }
        groups.shrink_to_fit();
        Body {
            body_type: body_type.unwrap_or_else(|| missing(span)),
            name: name.unwrap_or_else(|| missing(span)),
            params,
            groups,
            span,
        }
    }

    fn params(&mut self, pair: Pair<Rule>) -> Vec<Ident> {
        pair.into_inner()
            .filter(|p| p.as_rule() == Rule::identifier)
            .map(|p| self.ident(p))
            .collect()
    }

    fn guard(&mut self, pair: Pair<Rule>) -> Guard {
        let span = self.span(&pair);
        let Some(inner) = pair.into_inner().next() else {
            return Guard::Class {
                text: String::new(),
                expr: placeholder(""),
                span,
            };
        };
        if inner.as_rule() == Rule::variable_guard {
            let string = inner
                .into_inner()
                .next()
                .map(|s| self.string(s))
                .unwrap_or(Str {
                    quote: Quote::Double,
                    raw: Text::default(),
                    span,
                });
            return Guard::Variable { string, span };
        }
        let full = inner.as_str();
        let text = full.strip_suffix("::").unwrap_or(full).trim_end();
        let expr = match class_expr::parse_as_cfengine(text) {
            Ok((expr, None)) => expr,
            Ok((expr, Some(ignored))) => {
                let start = span.start as usize - self.base + ignored.at;
                let at = self.offsets(start, start + ignored.len);
                self.diagnostics.push(
                    Diagnostic::warning(Code::IgnoredGuardText, ignored.message.clone(), at)
                        .with_label("ignored")
                        .with_help("remove the ')' or add the '(' it was meant to close"),
                );
                expr
            }
            Err(_) if section_header_prefix(text).is_some() => {
                let header = section_header_prefix(text).unwrap_or_default();
                self.diagnostics.push(
                    Diagnostic::error(
                        Code::ClassExpression,
                        format!("the section header '{header}:' and a class guard are on one line"),
                        span,
                    )
                    .with_label("read as one class guard, as CFEngine reads it")
                    .with_help(format!(
                        "put '{header}:' and the class guard on separate lines"
                    )),
                );
                placeholder(text)
            }
            Err(error) => {
                let start = span.start as usize - self.base + error.at;
                let at = self.offsets(start, start + error.len);
                self.diagnostics.push(
                    Diagnostic::error(
                        Code::ClassExpression,
                        format!(
                            "invalid class guard '{}': {}",
                            shorten(text.trim(), 60),
                            error.message
                        ),
                        at,
                    )
                    .with_label(error.message.clone())
                    .with_help(
                        "class guards combine class names with '.' or '&' (and), '|' (or), '!' (not) and parentheses",
                    ),
                );
                placeholder(text)
            }
        };
        Guard::Class {
            text: text.to_string(),
            expr,
            span,
        }
    }

    fn promise(&mut self, pair: Pair<Rule>) -> Promise {
        let span = self.span(&pair);
        let mut promiser = None;
        let mut promisee = None;
        let mut constraints = Vec::new();
        for item in pair.into_inner() {
            match item.as_rule() {
                Rule::quoted_string => promiser = Some(self.string(item)),
                Rule::promisee => {
                    promisee = item
                        .into_inner()
                        .find(|p| p.as_rule() != Rule::thin_arrow)
                        .map(|p| self.rval(p))
                }
                Rule::constraint => constraints.push(self.constraint(item)),
                _ => {}
            }
        }
        constraints.shrink_to_fit();
        Promise {
            promiser: promiser.unwrap_or(Str {
                quote: Quote::Double,
                raw: Text::default(),
                span,
            }),
            promisee,
            constraints,
            span,
        }
    }

    /// `lval => rval` of a promise, or `lval => rval;` of a body.
    fn constraint(&mut self, pair: Pair<Rule>) -> Constraint {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let lval = inner
            .next()
            .map(|p| self.ident(p))
            .unwrap_or_else(|| missing(span));
        let rval = inner
            .find(|p| !matches!(p.as_rule(), Rule::arrow | Rule::semicolon))
            .map(|p| self.rval(p))
            .unwrap_or(Rval::Symbol(missing(span)));
        let end = rval.span().end;
        Constraint {
            lval,
            rval,
            span: Span { end, ..span },
        }
    }

    fn string(&mut self, pair: Pair<Rule>) -> Str {
        let text = pair.as_str();
        let quote = match text.as_bytes().first() {
            Some(b'\'') => Quote::Single,
            Some(b'`') => Quote::Back,
            _ => Quote::Double,
        };
        Str {
            quote,
            raw: text[1..text.len() - 1].into(),
            span: self.span(&pair),
        }
    }

    fn rval(&mut self, pair: Pair<Rule>) -> Rval {
        match pair.as_rule() {
            Rule::quoted_string => Rval::String(self.string(pair)),
            Rule::naked_var => Rval::Variable(self.var_ref(pair)),
            Rule::list => {
                let span = self.span(&pair);
                let mut items: Vec<Rval> = pair
                    .into_inner()
                    .filter(|p| !matches!(p.as_rule(), Rule::lbrace | Rule::rbrace | Rule::comma))
                    .map(|p| self.rval(p))
                    .collect();
                items.shrink_to_fit();
                Rval::List(List { items, span })
            }
            Rule::call => {
                let span = self.span(&pair);
                let mut inner = pair.into_inner();
                let function = match inner.next() {
                    Some(p) if p.as_rule() == Rule::naked_var => Callee::Variable(self.var_ref(p)),
                    Some(p) => Callee::Name(self.ident(p)),
                    None => Callee::Name(missing(span)),
                };
                let mut args: Vec<Rval> = inner
                    .filter(|p| !matches!(p.as_rule(), Rule::lparen | Rule::rparen | Rule::comma))
                    .map(|p| self.rval(p))
                    .collect();
                args.shrink_to_fit();
                Rval::Call(Box::new(Call {
                    function,
                    args,
                    span,
                }))
            }
            _ => Rval::Symbol(self.ident(pair)),
        }
    }

    fn var_ref(&mut self, pair: Pair<Rule>) -> VarRef {
        VarRef {
            text: pair.as_str().into(),
            span: self.span(&pair),
        }
    }
}

/// At most `max` characters of `text`, with `…` when cut.
fn shorten(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]).into(),
        None => text.into(),
    }
}

fn missing(span: Span) -> Ident {
    Ident {
        name: Text::default(),
        span,
    }
}

fn placeholder(text: &str) -> class_expr::ClassExpr {
    class_expr::ClassExpr::Name {
        name: text.trim().to_string(),
        at: 0,
    }
}

fn header_and_guard(guard: &Guard) -> Option<&str> {
    match guard {
        Guard::Class { text, .. } => section_header_prefix(text),
        Guard::Variable { .. } => None,
    }
}

/// `reports` in `reports: linux`: a section header swallowed by a guard.
fn section_header_prefix(guard: &str) -> Option<&str> {
    let (head, rest) = guard.split_once(':')?;
    let head = head.trim();
    let looks_like_header = !head.is_empty()
        && head.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && rest.starts_with([' ', '\t']);
    looks_like_header.then_some(head)
}

/// Whether the fast path reads `text` (after `@if` preprocessing) on its own,
/// without falling back to the grammar: for tests and benchmarks.
#[doc(hidden)]
pub fn fast_path_reads(text: &str) -> bool {
    let lines = LineIndex::new(text);
    let pre = macros::preprocess(text, FileId(0), &lines);
    fast::blocks(&pre.text, 0, FileId(0), &lines).is_some()
}
