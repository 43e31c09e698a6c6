//! A coarse tokenizer that knows strings, comments and punctuation and nothing
//! else. The grammar does the real parsing; this finds comments, block starts
//! for error recovery, and the tokens around a syntax error.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// A quoted string; `terminated` is false when the file ends inside it.
    Str {
        quote: u8,
        terminated: bool,
    },
    Comment,
    /// Identifier-like run: letters, digits, `_`, `:`, `.`, and other name bytes.
    Word,
    /// `=>` or `->`
    Arrow,
    /// Any other single byte: `{ } ( ) ; , $ @` …
    Punct(u8),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub start: usize,
    pub end: usize,
}

impl Token {
    pub fn text<'a>(&self, src: &'a str) -> &'a str {
        src.get(self.start..self.end).unwrap_or("")
    }
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':' | b'|' | b'&' | b'!') || b >= 0x80
}

/// Streams tokens of a text from the start.
pub struct LexicalScanner<'a> {
    bytes: &'a [u8],
    pos: usize,
    /// The most recent string token, for `in_string_at`.
    last_string: Option<(usize, usize)>,
}

impl<'a> LexicalScanner<'a> {
    pub fn new(text: &'a str) -> Self {
        LexicalScanner {
            bytes: text.as_bytes(),
            pos: 0,
            last_string: None,
        }
    }

    /// Whether `offset` lies inside a string (between its quotes). Queries must
    /// come in increasing order of offset.
    pub fn in_string_at(&mut self, offset: usize) -> bool {
        while self.pos <= offset {
            match self.next() {
                Some(t) if matches!(t.kind, TokenKind::Str { .. }) => {
                    self.last_string = Some((t.start, t.end))
                }
                Some(_) => {}
                None => break,
            }
        }
        self.last_string
            .is_some_and(|(start, end)| start < offset && offset < end)
    }
}

impl Iterator for LexicalScanner<'_> {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        let bytes = self.bytes;
        while self.pos < bytes.len() && bytes[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
        let start = self.pos;
        let first = *bytes.get(start)?;
        let kind = match first {
            b'#' => {
                self.pos = find(bytes, start, b'\n');
                TokenKind::Comment
            }
            b'"' | b'\'' | b'`' => {
                let mut i = start + 1;
                let mut terminated = false;
                while i < bytes.len() {
                    match bytes[i] {
                        b'\\' if first != b'`' => i += 2,
                        b if b == first => {
                            terminated = true;
                            i += 1;
                            break;
                        }
                        _ => i += 1,
                    }
                }
                self.pos = i.min(bytes.len());
                TokenKind::Str {
                    quote: first,
                    terminated,
                }
            }
            b'=' | b'-' if bytes.get(start + 1) == Some(&b'>') => {
                self.pos = start + 2;
                TokenKind::Arrow
            }
            b if is_word_byte(b) => {
                let mut i = start + 1;
                while i < bytes.len() && is_word_byte(bytes[i]) {
                    i += 1;
                }
                self.pos = i;
                TokenKind::Word
            }
            other => {
                self.pos = start + 1;
                TokenKind::Punct(other)
            }
        };
        Some(Token {
            kind,
            start,
            end: self.pos,
        })
    }
}

fn find(bytes: &[u8], from: usize, needle: u8) -> usize {
    bytes[from..]
        .iter()
        .position(|&b| b == needle)
        .map_or(bytes.len(), |i| from + i)
}

/// Comments and the places where blocks may start, found in one pass.
#[derive(Debug, Default)]
pub struct Outline {
    /// Byte ranges of comments, `#` included.
    pub comments: Vec<(usize, usize)>,
    /// Offsets of `bundle`, `body` and `promise` first on their line, outside
    /// strings and comments: where parsing may resume after a broken block.
    pub block_starts: Vec<usize>,
}

/// Finds comments and block starts. Only strings and comments change the
/// meaning of a byte here, so everything else is skipped fast.
pub fn outline(text: &str) -> Outline {
    let bytes = text.as_bytes();
    let mut out = Outline::default();
    let mut i = 0;
    let mut line_start = true;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                let end = find(bytes, i, b'\n');
                out.comments.push((i, end));
                i = end;
            }
            q @ (b'"' | b'\'' | b'`') => {
                line_start = false;
                i += 1;
                while i < bytes.len() && bytes[i] != q {
                    i += if bytes[i] == b'\\' && q != b'`' { 2 } else { 1 };
                }
                i += 1;
            }
            b'\n' => {
                line_start = true;
                i += 1;
            }
            b' ' | b'\t' | b'\r' => i += 1,
            b'b' | b'p' if line_start => {
                let word_end = bytes[i..]
                    .iter()
                    .position(|&b| !(b.is_ascii_alphanumeric() || b == b'_'))
                    .map_or(bytes.len(), |n| i + n);
                if matches!(&bytes[i..word_end], b"bundle" | b"body" | b"promise") {
                    out.block_starts.push(i);
                }
                line_start = false;
                i = word_end;
            }
            _ => {
                line_start = false;
                i += 1;
            }
        }
    }
    out
}

/// All tokens, comments excluded.
pub fn tokens(text: &str) -> Vec<Token> {
    LexicalScanner::new(text)
        .filter(|t| t.kind != TokenKind::Comment)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_comments_outside_strings() {
        let text = "a # one\n\"x # not\" # two\n";
        let found: Vec<&str> = outline(text)
            .comments
            .iter()
            .map(|&(s, e)| &text[s..e])
            .collect();
        assert_eq!(found, vec!["# one", "# two"]);
    }

    #[test]
    fn finds_block_starts() {
        let text = "body common control {}\n bundle agent x {\n \"body\" x;\n}\n# bundle\npromise agent g {}";
        let starts = outline(text).block_starts;
        assert_eq!(starts.len(), 3);
        assert_eq!(&text[starts[1]..starts[1] + 6], "bundle");
    }

    #[test]
    fn knows_unterminated_strings() {
        let toks = tokens("x => \"abc;\n}\n");
        assert_eq!(
            toks.last().map(|t| t.kind),
            Some(TokenKind::Str {
                quote: b'"',
                terminated: false
            })
        );
    }

    #[test]
    fn in_string_queries() {
        let text = "a \"\n@x\n\"\n@y\n";
        let mut s = LexicalScanner::new(text);
        assert!(s.in_string_at(4));
        assert!(!s.in_string_at(10));
    }
}
