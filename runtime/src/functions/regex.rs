//! Regular expressions as CFEngine uses them: PCRE syntax (fancy-regex)
//! with PCRE's MULTILINE and DOTALL on, as cf-agent compiles them (`.`
//! matches a newline, `^` and `$` match at line ends), compiled once per
//! pattern, and CFEngine's two ways of matching.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;

use fancy_regex::Regex;

use super::FunctionError;

thread_local! {
    static COMPILED: RefCell<HashMap<String, Regex>> = RefCell::new(HashMap::new());
}

/// Patterns kept per thread; policies use few distinct ones.
const CACHE_LIMIT: usize = 4096;

/// Compiles `pattern` (cached).
pub(crate) fn compile(pattern: &str) -> Result<Regex, FunctionError> {
    if let Some(regex) = COMPILED.with(|c| c.borrow().get(pattern).cloned()) {
        return Ok(regex);
    }
    // cf-agent compiles every regex with PCRE's MULTILINE and DOTALL.
    let regex = Regex::new(&format!("(?sm){}", quote_literals(pattern)))
        .map_err(|e| FunctionError(format!("bad regular expression '{pattern}': {e}")))?;
    COMPILED.with(|c| {
        let mut cache = c.borrow_mut();
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(pattern.to_string(), regex.clone());
    });
    Ok(regex)
}

/// Compiles `pattern` to match only at the start of the text, as PCRE's
/// anchored mode does (`\A`: `^` also matches after a newline here).
pub(crate) fn compile_anchored(pattern: &str) -> Result<Regex, FunctionError> {
    compile(&format!("\\A(?:{})", quote_literals(pattern)))
}

/// PCRE's `\Q…\E` (everything between is literal, up to the end of the
/// pattern when `\E` is missing), which the stdlib relies on and
/// fancy-regex does not know, rewritten as escaped text.
fn quote_literals(pattern: &str) -> Cow<'_, str> {
    if !pattern.contains("\\Q") {
        return Cow::Borrowed(pattern);
    }
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut rest = pattern;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        let mut escape = rest[at + 1..].chars();
        match escape.next() {
            Some('Q') => {
                let quoted = &rest[at + 2..];
                let (literal, after) = match quoted.find("\\E") {
                    Some(end) => (&quoted[..end], &quoted[end + 2..]),
                    None => (quoted, ""),
                };
                out.push_str(&fancy_regex::escape(literal));
                rest = after;
            }
            Some(c) => {
                out.push('\\');
                out.push(c);
                rest = escape.as_str();
            }
            None => {
                out.push('\\');
                rest = "";
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

fn matching_error(pattern: &str, error: fancy_regex::Error) -> FunctionError {
    FunctionError(format!("matching '{pattern}' failed: {error}"))
}

/// CFEngine's full match: the first match PCRE finds, anchored at the
/// start, must span the whole text. Alternatives are not retried, so
/// `ab|abc` does not fully match `abc` while `abc|ab` does.
pub(crate) fn full_match(pattern: &str, text: &str) -> Result<bool, FunctionError> {
    let regex = compile_anchored(pattern)?;
    let found = regex.find(text).map_err(|e| matching_error(pattern, e))?;
    Ok(found.is_some_and(|m| m.end() == text.len()))
}

/// The first match anywhere in `text` with its capture groups (`None` for
/// a group that did not take part).
pub(crate) fn search(
    pattern: &str,
    text: &str,
) -> Result<Option<Vec<Option<String>>>, FunctionError> {
    let regex = compile(pattern)?;
    let captures = regex
        .captures(text)
        .map_err(|e| matching_error(pattern, e))?;
    Ok(captures.map(|c| {
        c.iter()
            .map(|group| group.map(|m| m.as_str().to_string()))
            .collect()
    }))
}

/// The first match of `regex` in `text`, as `(start, end)`.
fn find(
    regex: &fancy_regex::Regex,
    pattern: &str,
    text: &str,
) -> Result<Option<(usize, usize)>, FunctionError> {
    Ok(regex
        .find(text)
        .map_err(|e| matching_error(pattern, e))?
        .map(|m| (m.start(), m.end())))
}

/// cf-agent's `RlistFromSplitRegex`: pieces before each match, at most
/// `max` of them (the rest of the text is then dropped); an empty match at
/// the start of what is left stops the splitting; blank pieces are kept
/// only when `allow_blanks`. The regex is matched against what is left, so
/// `^` anchors there.
pub(crate) fn split(
    text: &str,
    separator: &str,
    max: usize,
    allow_blanks: bool,
) -> Result<Vec<String>, FunctionError> {
    let regex = compile(separator)?;
    let mut pieces = Vec::new();
    let mut sp = 0;
    while pieces.len() < max {
        let Some((start, end)) = find(&regex, separator, &text[sp..])? else {
            break;
        };
        if end == 0 {
            break;
        }
        let piece = &text[sp..sp + start];
        if allow_blanks || !piece.is_empty() {
            pieces.push(piece.to_string());
        }
        sp += end;
    }
    if pieces.len() < max {
        let rest = &text[sp..];
        if (allow_blanks && sp != 0) || !rest.is_empty() {
            pieces.push(rest.to_string());
        }
    }
    Ok(pieces)
}

/// cf-agent's `RlistFromRegexSplitNoOverflow` (`string_split`): at most
/// `max - 1` splits, the last piece holds the rest; an empty match splits
/// off an empty piece without moving on.
pub(crate) fn split_keeping_rest(
    text: &str,
    separator: &str,
    max: usize,
) -> Result<Vec<String>, FunctionError> {
    let regex = compile(separator)?;
    let mut pieces = Vec::new();
    let mut sp = 0;
    while pieces.len() + 1 < max {
        let Some((start, end)) = find(&regex, separator, &text[sp..])? else {
            break;
        };
        pieces.push(text[sp..sp + start].to_string());
        sp += end;
    }
    pieces.push(text[sp..].to_string());
    Ok(pieces)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_matches_newlines_and_anchors_match_at_lines() {
        assert_eq!(full_match("a.b", "a\nb"), Ok(true));
        assert_eq!(full_match("OK.*", "OK hello\n"), Ok(true));
        let caret = search(".*^(y)", "x\ny").map(|m| m.and_then(|g| g[1].clone()));
        assert_eq!(caret, Ok(Some("y".to_string())));
        assert_eq!(
            full_match("^y", "x\ny"),
            Ok(false),
            "a full match starts at the start"
        );
    }

    #[test]
    fn quoted_text_is_literal() {
        assert_eq!(
            quote_literals(r"^([^#]*)\Qa.b*\E(.*$)"),
            r"^([^#]*)a\.b\*(.*$)"
        );
        assert_eq!(quote_literals(r"x\Q(open"), r"x\(open");
        assert_eq!(
            quote_literals(r"\\Q"),
            r"\\Q",
            "an escaped backslash, then Q"
        );
        assert_eq!(quote_literals(r"a\d"), r"a\d");
        assert_eq!(
            search(r"\Q$(x)\E", "say $(x)").map(|m| m.is_some()),
            Ok(true)
        );
    }

    #[test]
    fn full_match_does_not_retry_alternatives() {
        assert_eq!(full_match("ab|abc", "abc"), Ok(false));
        assert_eq!(full_match("abc|ab", "abc"), Ok(true));
        assert_eq!(full_match("a(bc|b)", "abc"), Ok(true));
        assert_eq!(full_match("lin", "linux"), Ok(false));
        assert_eq!(full_match("(?<=x)a|a", "a"), Ok(true));
        assert!(full_match("(", "a").is_err());
    }

    #[test]
    fn search_and_split() {
        assert_eq!(
            search("b(.)", "abcd"),
            Ok(Some(vec![Some("bc".into()), Some("c".into())]))
        );
        assert_eq!(search("z", "abc"), Ok(None));
        assert_eq!(
            split("a,b,,c", ",", 10, true),
            Ok(vec!["a".into(), "b".into(), "".into(), "c".into()])
        );
        assert_eq!(
            split("a,b,c", ",", 2, true),
            Ok(vec!["a".into(), "b".into()])
        );
        assert_eq!(
            split("a,,b,", ",", 10, true),
            Ok(vec!["a".into(), "".into(), "b".into(), "".into()])
        );
        assert_eq!(
            split("a,,b,", ",", 10, false),
            Ok(vec!["a".into(), "b".into()])
        );
        assert_eq!(split("", ",", 10, true), Ok(vec![]));
        assert_eq!(split("abc", "", 10, true), Ok(vec!["abc".into()]));
        assert_eq!(
            split_keeping_rest("abc", "", 5),
            Ok(vec![
                "".into(),
                "".into(),
                "".into(),
                "".into(),
                "abc".into()
            ])
        );
        assert_eq!(
            split_keeping_rest("a,b,c", ",", 2),
            Ok(vec!["a".into(), "b,c".into()])
        );
    }
}
