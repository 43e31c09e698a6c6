//! The `KEY=value` format of `/etc/os-release`, read as cf-agent reads it
//! (its `ENV` data-file type).

use std::collections::BTreeMap;

/// Key/value pairs of an env file; a later key replaces an earlier one.
/// Lines that are empty, comments, lack a key or `=`, or hold an unmatched
/// quote are skipped.
pub(crate) fn parse(text: &str) -> BTreeMap<String, String> {
    text.lines().filter_map(parse_line).collect()
}

fn parse_line(line: &str) -> Option<(String, String)> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let (key, value) = line.split_once('=')?;
    let key = key.trim();
    if key.is_empty() {
        return None;
    }
    Some((key.to_string(), unquote(value.trim())?))
}

/// Removes an opening quote and everything from its closing quote on;
/// `\n` becomes a newline and any other backslash escapes the next
/// character. An unescaped quote inside an unquoted value is invalid.
fn unquote(value: &str) -> Option<String> {
    let mut chars = value.chars();
    let quote = match value.chars().next() {
        Some(q @ ('"' | '\'')) => {
            chars.next();
            Some(q)
        }
        _ => None,
    };
    let mut out = String::new();
    while let Some(c) = chars.next() {
        if Some(c) == quote {
            break;
        }
        match c {
            '"' | '\'' if quote.is_none() => return None,
            '\\' => match chars.next() {
                Some('n') => out.push('\n'),
                Some(escaped) => out.push(escaped),
                None => break,
            },
            _ => out.push(c),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_debian_os_release() {
        let pairs = parse(
            "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\n\
             VERSION_ID=\"12\"\nID=debian\n\n# comment\nHOME_URL=\"https://www.debian.org/\"\n",
        );
        assert_eq!(pairs["PRETTY_NAME"], "Debian GNU/Linux 12 (bookworm)");
        assert_eq!(pairs["VERSION_ID"], "12");
        assert_eq!(pairs["ID"], "debian");
        assert_eq!(pairs.len(), 5);
    }

    #[test]
    fn quoting_and_escapes() {
        let pairs = parse(
            "A='single \"inner\"'\nB=\"esc \\\" q\\n\"\nC = spaced \nD=bad\"quote\n=nokey\nE\nF=\"open",
        );
        assert_eq!(pairs["A"], "single \"inner\"");
        assert_eq!(pairs["B"], "esc \" q\n");
        assert_eq!(pairs["C"], "spaced");
        assert_eq!(pairs["F"], "open");
        assert!(!pairs.contains_key("D"));
        assert!(!pairs.contains_key("E"));
    }
}
