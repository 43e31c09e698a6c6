//! Token readers with C `sscanf` semantics, so release files are parsed
//! with cf-agent's exact leniency (leading blanks skipped, numbers read as
//! far as they go, partial matches kept).

/// `%d`: an optionally signed decimal integer after leading whitespace.
/// Returns it and the unread rest.
pub(crate) fn int(text: &str) -> Option<(i64, &str)> {
    let trimmed = text.trim_start();
    let unsigned = trimmed.trim_start_matches(['+', '-']);
    let sign_length = trimmed.len() - unsigned.len();
    if sign_length > 1 {
        return None;
    }
    let digits = unsigned.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let end = sign_length + digits;
    let value = trimmed[..end].parse::<i64>().ok()?;
    Some((value, &trimmed[end..]))
}

/// `%s`: a run of non-whitespace after leading whitespace.
pub(crate) fn word(text: &str) -> Option<(&str, &str)> {
    let trimmed = text.trim_start();
    let end = trimmed
        .find(|c: char| c.is_ascii_whitespace())
        .unwrap_or(trimmed.len());
    (end > 0).then(|| (&trimmed[..end], &trimmed[end..]))
}

/// `%*s` repeated `count` times: the text after skipping that many words.
pub(crate) fn skip_words(mut text: &str, count: usize) -> Option<&str> {
    for _ in 0..count {
        text = word(text)?.1;
    }
    Some(text)
}

/// A literal in the format: whitespace in it matches any amount of
/// whitespace (including none), other characters must match exactly.
pub(crate) fn literal<'a>(text: &'a str, expected: &str) -> Option<&'a str> {
    let mut rest = text;
    for c in expected.chars() {
        if c.is_ascii_whitespace() {
            rest = rest.trim_start();
        } else {
            rest = rest.strip_prefix(c)?;
        }
    }
    Some(rest)
}

/// `%[^...]`: the longest non-empty run of characters not in `stops`
/// (whitespace included, as `%[` does not skip it).
pub(crate) fn until_any<'a>(text: &'a str, stops: &[char]) -> Option<(&'a str, &'a str)> {
    let end = text
        .find(|c: char| stops.contains(&c))
        .unwrap_or(text.len());
    (end > 0).then(|| (&text[..end], &text[end..]))
}

/// Integers separated by `.` (`%d.%d.%d`), stopping at the first that does
/// not parse; like `sscanf`'s return value, the length says how many did.
pub(crate) fn dotted_ints(text: &str, at_most: usize) -> Vec<i64> {
    let mut numbers = Vec::new();
    let mut rest = text;
    while numbers.len() < at_most {
        if !numbers.is_empty() {
            match rest.strip_prefix('.') {
                Some(after) => rest = after,
                None => break,
            }
        }
        match int(rest) {
            Some((value, after)) => {
                numbers.push(value);
                rest = after;
            }
            None => break,
        }
    }
    numbers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_like_scanf() {
        assert_eq!(int(" 12.11"), Some((12, ".11")));
        assert_eq!(int("-3x"), Some((-3, "x")));
        assert_eq!(int("bookworm/sid"), None);
        assert_eq!(int(""), None);
    }

    #[test]
    fn words_and_skipping() {
        assert_eq!(word("  Debian GNU/Linux"), Some(("Debian", " GNU/Linux")));
        assert_eq!(skip_words("Debian GNU/Linux 12", 2), Some(" 12"));
        assert_eq!(skip_words("one", 2), None);
    }

    #[test]
    fn dotted_numbers_stop_at_the_first_gap() {
        assert_eq!(dotted_ints("8.10 (Ootpa)", 2), [8, 10]);
        assert_eq!(dotted_ints("9 (Plow)", 2), [9]);
        assert_eq!(dotted_ints("15.0.1", 3), [15, 0, 1]);
        assert!(dotted_ints("x", 2).is_empty());
    }

    #[test]
    fn literals_with_flexible_blanks() {
        assert_eq!(literal("Slackware 15.0", "Slackware "), Some("15.0"));
        assert_eq!(literal("Slackware15.0", "Slackware "), Some("15.0"));
        assert_eq!(literal("Slack 15.0", "Slackware "), None);
    }
}
