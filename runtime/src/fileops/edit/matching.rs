//! How edit operations compare lines: CFEngine's regex matches (full and
//! anywhere), multi-line chunks against consecutive lines, the
//! `whitespace_policy` of insert_lines and the `*_select` line filters.

use crate::functions::regex;

use super::lines::{LineId, Lines};

/// A regex compiled once for an operation: matching every line of a big
/// file must not look the pattern up again per line. An invalid pattern
/// matches nothing (promises check their patterns before editing).
#[derive(Debug, Clone)]
pub struct Pattern {
    anywhere: Option<fancy_regex::Regex>,
    anchored: Option<fancy_regex::Regex>,
}

impl Pattern {
    pub fn new(pattern: &str) -> Pattern {
        Pattern {
            anywhere: regex::compile(pattern).ok(),
            anchored: regex::compile_anchored(pattern).ok(),
        }
    }

    /// CFEngine's whole-line match: the first match at the start must end
    /// at the end (other alternatives are not tried).
    pub fn full(&self, text: &str) -> bool {
        self.anchored
            .as_ref()
            .and_then(|r| r.find(text).ok().flatten())
            .is_some_and(|m| m.end() == text.len())
    }

    /// The first match anywhere, with its capture groups.
    pub fn search(&self, text: &str) -> Option<Found> {
        let captures = self.anywhere.as_ref()?.captures(text).ok()??;
        let whole = captures.get(0)?;
        Some(Found {
            start: whole.start(),
            end: whole.end(),
            groups: captures
                .iter()
                .map(|g| g.map_or_else(String::new, |m| m.as_str().to_string()))
                .collect(),
        })
    }

    pub fn is_found_in(&self, text: &str) -> bool {
        self.anywhere
            .as_ref()
            .is_some_and(|r| r.is_match(text).unwrap_or(false))
    }
}

/// Whole-line match of a pattern used once.
pub fn full(pattern: &str, text: &str) -> bool {
    regex::full_match(pattern, text).unwrap_or(false)
}

/// A match anywhere: its span and capture groups (`match.0`, `match.1`…;
/// a group that did not take part is empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub start: usize,
    pub end: usize,
    pub groups: Vec<String>,
}

/// A search with a pattern used once.
pub fn search(pattern: &str, text: &str) -> Option<Found> {
    Pattern::new(pattern).search(text)
}

/// Whether `pattern` compiles; the message says why not.
pub fn check_regex(pattern: &str) -> Result<(), String> {
    regex::compile(pattern).map(|_| ()).map_err(|e| e.0)
}

/// How many lines of a chunk match the consecutive lines starting at
/// `from`, or 0 when they do not all match; `matches(i, line)` compares
/// chunk line `i`. The chunk may not reach `terminator` (a region's end
/// marker) nor run past the end of the file.
fn chunk_walk(
    lines: &Lines,
    pieces: usize,
    from: Option<LineId>,
    terminator: Option<LineId>,
    mut matches: impl FnMut(usize, &str) -> bool,
) -> usize {
    let mut at = from;
    let mut count = 0;
    for index in 0..pieces {
        let Some(id) = at else {
            return 0;
        };
        if !matches(index, lines.text(id)) {
            return 0;
        }
        count += 1;
        if Some(id) == terminator {
            return 0;
        }
        match lines.next(id) {
            Some(next) => at = Some(next),
            None if index + 1 < pieces => return 0,
            None => break,
        }
    }
    count
}

/// [`chunk_walk`] for a literal chunk (lines separated by newlines).
pub fn chunk_matches(
    lines: &Lines,
    chunk: &str,
    from: Option<LineId>,
    terminator: Option<LineId>,
) -> usize {
    let pieces: Vec<&str> = chunk.split('\n').collect();
    chunk_walk(lines, pieces.len(), from, terminator, |i, line| {
        pieces[i] == line
    })
}

/// [`chunk_walk`] for a block of full-line patterns.
pub fn chunk_matches_patterns(
    lines: &Lines,
    pieces: &[Pattern],
    from: Option<LineId>,
    terminator: Option<LineId>,
) -> usize {
    chunk_walk(lines, pieces.len(), from, terminator, |i, line| {
        pieces[i].full(line)
    })
}

/// `whitespace_policy` values, in the order given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Whitespace {
    ExactMatch,
    IgnoreLeading,
    IgnoreTrailing,
    IgnoreEmbedded,
}

impl Whitespace {
    pub fn parse(word: &str) -> Option<Whitespace> {
        Some(match word {
            "exact_match" => Whitespace::ExactMatch,
            "ignore_leading" => Whitespace::IgnoreLeading,
            "ignore_trailing" => Whitespace::IgnoreTrailing,
            "ignore_embedded" => Whitespace::IgnoreEmbedded,
            _ => return None,
        })
    }
}

/// Whether the line to insert, `wanted`, counts as already present as
/// `line` under the whitespace policy. Without a policy (or with
/// `exact_match`) the comparison is exact. Otherwise the wanted text becomes
/// a pattern, loosened by each policy in turn (cumulatively, as cf-agent
/// does); it is present when any stage fully matches. Only `.` and `*` are
/// escaped in the pattern, and only for the first line of a multi-line
/// promiser, as in cf-agent 3.21.
pub fn present_under_policy(wanted: &str, line: &str, policy: &[Whitespace]) -> bool {
    let exact = wanted == line;
    let mut ok = false;
    let mut escaped = false;
    for piece in wanted.split('\n') {
        ok = false;
        if policy.is_empty() {
            return exact;
        }
        let mut pattern = piece.to_string();
        for option in policy {
            if *option == Whitespace::ExactMatch {
                ok = ok || exact;
                break;
            }
            if !escaped {
                pattern = escape_dot_star(piece);
                escaped = true;
            }
            pattern = match option {
                Whitespace::IgnoreEmbedded => loosen_embedded(&pattern),
                Whitespace::IgnoreLeading if !pattern.starts_with("\\s*") => {
                    format!("\\s*{}", pattern.trim_start_matches(is_c_space))
                }
                Whitespace::IgnoreTrailing => format!("{pattern}\\s*"),
                _ => pattern,
            };
            ok = ok || full(&pattern, line);
        }
        if !ok {
            break;
        }
    }
    ok
}

fn is_c_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c')
}

fn escape_dot_star(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    for c in text.chars() {
        if c == '.' || c == '*' {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Leading blanks stay literal; after the first other character every run
/// of blanks becomes `\s+` (trailing ones too, as cf-agent computes it).
fn loosen_embedded(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut seen_text = false;
    let mut in_blanks = false;
    for c in pattern.chars() {
        if !seen_text {
            out.push(c);
            seen_text = !is_c_space(c);
            continue;
        }
        if is_c_space(c) {
            if !in_blanks {
                out.push_str("\\s+");
            }
            in_blanks = true;
        } else {
            in_blanks = false;
            out.push(c);
        }
    }
    out
}

/// A `delete_select` / `insert_select` body: the first list given decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineSelect {
    Any,
    StartWith(Vec<String>),
    NotStartWith(Vec<String>),
    Match(Vec<String>),
    NotMatch(Vec<String>),
    Contains(Vec<String>),
    NotContains(Vec<String>),
}

impl LineSelect {
    /// Whether the edit applies to `line`. `contains` lists are regexes
    /// matched anywhere, `match` lists full-line regexes.
    pub fn selects(&self, line: &str) -> bool {
        match self {
            LineSelect::Any => true,
            LineSelect::StartWith(list) => list.iter().any(|s| line.starts_with(s.as_str())),
            LineSelect::NotStartWith(list) => !list.iter().any(|s| line.starts_with(s.as_str())),
            LineSelect::Match(list) => list.iter().any(|p| full(p, line)),
            LineSelect::NotMatch(list) => !list.iter().any(|p| full(p, line)),
            LineSelect::Contains(list) => list.iter().any(|p| Pattern::new(p).is_found_in(line)),
            LineSelect::NotContains(list) => {
                !list.iter().any(|p| Pattern::new(p).is_found_in(line))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_match_consecutive_lines_inside_the_file() {
        let lines = Lines::from_lines(["a", "b", "c"]);
        let a = lines.head();
        let b = a.and_then(|a| lines.next(a));
        assert_eq!(chunk_matches(&lines, "a\nb", a, None), 2);
        assert_eq!(chunk_matches(&lines, "b\nc\nd", b, None), 0);
        assert_eq!(chunk_matches(&lines, "a\nb", a, b), 0);
        let block = [Pattern::new("[ab]"), Pattern::new("b")];
        assert_eq!(chunk_matches_patterns(&lines, &block, a, None), 2);
        assert_eq!(chunk_matches(&lines, "x", None, None), 0);
    }

    #[test]
    fn whitespace_policies_loosen_the_comparison() {
        use Whitespace::*;
        assert!(present_under_policy(
            "key = value",
            "   key = value",
            &[IgnoreLeading]
        ));
        assert!(!present_under_policy("other", "other   ", &[IgnoreLeading]));
        assert!(present_under_policy("other", "other   ", &[IgnoreTrailing]));
        assert!(present_under_policy("a b", "a    b", &[IgnoreEmbedded]));
        assert!(!present_under_policy(
            "key = value",
            "   key = value",
            &[IgnoreEmbedded]
        ));
        assert!(!present_under_policy("a b", "a    b", &[ExactMatch]));
        assert!(present_under_policy("a.b", "a.b", &[]));
        assert!(!present_under_policy("a.b", "axb", &[IgnoreTrailing]));
        assert!(present_under_policy(
            "a b",
            "  a   b",
            &[IgnoreLeading, IgnoreEmbedded]
        ));
    }

    #[test]
    fn line_selects_use_the_first_list() {
        let allow = vec!["allow".to_string()];
        assert!(LineSelect::StartWith(allow.clone()).selects("allow ssh"));
        assert!(!LineSelect::NotStartWith(allow).selects("allow ssh"));
        assert!(LineSelect::Contains(vec!["ll".into()]).selects("deny all"));
        assert!(!LineSelect::Match(vec!["allow".into()]).selects("allow ssh"));
        assert!(LineSelect::NotMatch(vec!["allow".into()]).selects("allow ssh"));
    }

    #[test]
    fn searches_report_span_and_groups() {
        let found = search("port=(8[0-9])", "x port=81").unwrap();
        assert_eq!((found.start, found.end), (2, 9));
        assert_eq!(found.groups, ["port=81", "81"]);
        assert!(search("(", "x").is_none());
        assert!(check_regex("(").is_err());
    }
}
