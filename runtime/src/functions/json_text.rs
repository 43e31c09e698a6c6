//! JSON text the way cf-agent 3.21 reads and writes it, where that differs
//! from serde_json: reals are written with four decimals (`2.5000`), and
//! `\uXXXX` escapes in strings are not decoded (the text keeps the
//! backslash, so it comes back out as `\\u00e9`).

use std::io;

use serde_json::ser::{CompactFormatter, Formatter, PrettyFormatter};
use serde_json::Value as Json;

/// Writes reals as `%.4f`, everything else as the inner formatter does.
struct CfReals<F>(F);

macro_rules! delegate {
    ($($name:ident($($arg:ident: $ty:ty),*)),* $(,)?) => {
        $(fn $name<W: ?Sized + io::Write>(&mut self, writer: &mut W $(, $arg: $ty)*) -> io::Result<()> {
            self.0.$name(writer $(, $arg)*)
        })*
    };
}

impl<F: Formatter> Formatter for CfReals<F> {
    fn write_f64<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: f64) -> io::Result<()> {
        write!(writer, "{value:.4}")
    }
    delegate!(
        begin_array(),
        end_array(),
        begin_array_value(first: bool),
        end_array_value(),
        begin_object(),
        end_object(),
        begin_object_key(first: bool),
        end_object_key(),
        begin_object_value(),
        end_object_value(),
    );
}

fn write(json: &Json, formatter: impl Formatter) -> String {
    let mut out = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    // Writing a Value into memory cannot fail.
    let _ = serde::Serialize::serialize(json, &mut serializer);
    String::from_utf8_lossy(&out).into_owned()
}

/// One line, as `format("%S")` and `string()` print a container.
pub(crate) fn compact(json: &Json) -> String {
    write(json, CfReals(CompactFormatter))
}

/// Two-space indented, as `storejson()` prints a container.
pub(crate) fn pretty(json: &Json) -> String {
    write(json, CfReals(PrettyFormatter::with_indent(b"  ")))
}

/// Parses JSON text, keeping `\uXXXX` escapes as literal text.
pub(crate) fn parse(text: &str) -> serde_json::Result<Json> {
    serde_json::from_str(&keep_unicode_escapes(text))
}

/// Doubles the backslash of every `\u` escape inside a string literal.
fn keep_unicode_escapes(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains("\\u") {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 8);
    let (mut in_string, mut chars) = (false, text.chars().peekable());
    while let Some(c) = chars.next() {
        out.push(c);
        match c {
            '"' => in_string = !in_string,
            '\\' if in_string => {
                if chars.peek() == Some(&'u') {
                    out.push('\\');
                } else if let Some(escaped) = chars.next() {
                    out.push(escaped);
                }
            }
            _ => {}
        }
    }
    out.into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reals_have_four_decimals() {
        assert_eq!(
            compact(&json!({"a": [1, 2.5, "x"]})),
            r#"{"a":[1,2.5000,"x"]}"#
        );
        assert_eq!(pretty(&json!([1.0])), "[\n  1.0000\n]");
    }

    #[test]
    fn unicode_escapes_stay_text() {
        let parsed = parse(r#"{"u": "h\u00e9 \\u x \"q\""}"#).expect("valid JSON");
        assert_eq!(parsed, json!({"u": "h\\u00e9 \\u x \"q\""}));
        assert_eq!(parse("[\"\\n\"]").expect("valid"), json!(["\n"]));
    }
}
