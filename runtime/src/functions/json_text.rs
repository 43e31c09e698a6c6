//! JSON text the way cf-agent 3.21 reads and writes it, where that differs
//! from serde_json: reals are written with four decimals (`2.5000`),
//! `\uXXXX` escapes in strings are not decoded (the text keeps the
//! backslash, so it comes back out as `\\u00e9`), objects are written with
//! sorted keys although they keep their keys in insertion order, and a key
//! set again moves to the end of its object.

use std::fmt;
use std::io;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::ser::{CompactFormatter, Formatter, PrettyFormatter};
use serde_json::{Map, Value as Json};

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
    let _ = serde::Serialize::serialize(&with_sorted_keys(json), &mut serializer);
    String::from_utf8_lossy(&out).into_owned()
}

/// A copy of `json` whose objects list their keys in sorted order, the
/// order cf-agent writes them in.
pub(crate) fn with_sorted_keys(json: &Json) -> Json {
    match json {
        Json::Object(map) => {
            let mut entries: Vec<(&String, &Json)> = map.iter().collect();
            entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
            Json::Object(
                entries
                    .into_iter()
                    .map(|(key, value)| (key.clone(), with_sorted_keys(value)))
                    .collect(),
            )
        }
        Json::Array(items) => Json::Array(items.iter().map(with_sorted_keys).collect()),
        other => other.clone(),
    }
}

/// Sets `key` as cf-agent does: a key already there is removed first, so
/// the key moves to the end of the object.
pub(crate) fn append_key(object: &mut Map<String, Json>, key: String, value: Json) {
    object.shift_remove(&key);
    object.insert(key, value);
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
    serde_json::from_str::<Appended>(&keep_unicode_escapes(text)).map(|parsed| parsed.0)
}

/// A value read with [`append_key`] for every object member, so that a
/// duplicated key keeps its last value at its last place.
struct Appended(Json);

impl<'de> Deserialize<'de> for Appended {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(AppendingVisitor).map(Appended)
    }
}

struct AppendingVisitor;

impl<'de> Visitor<'de> for AppendingVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Json, A::Error> {
        let mut object = Map::new();
        while let Some((key, Appended(value))) = access.next_entry::<String, Appended>()? {
            append_key(&mut object, key, value);
        }
        Ok(Json::Object(object))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut access: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(Appended(item)) = access.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_bool<E>(self, value: bool) -> Result<Json, E> {
        Ok(Json::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Json, E> {
        Ok(Json::from(value))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Json, E> {
        Ok(Json::from(value))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Json, E> {
        Ok(Json::from(value))
    }

    fn visit_str<E>(self, value: &str) -> Result<Json, E> {
        Ok(Json::String(value.to_string()))
    }

    fn visit_string<E>(self, value: String) -> Result<Json, E> {
        Ok(Json::String(value))
    }

    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
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
    fn objects_keep_insertion_order_and_are_written_sorted() {
        let parsed = parse(r#"{"z": 1, "a": {"y": 2, "b": 3}, "m": 4, "z": 5}"#).expect("valid");
        let keys: Vec<&String> = parsed.as_object().expect("object").keys().collect();
        assert_eq!(keys, ["a", "m", "z"]);
        assert_eq!(parsed["z"], json!(5));
        assert_eq!(compact(&parsed), r#"{"a":{"b":3,"y":2},"m":4,"z":5}"#);
    }

    #[test]
    fn unicode_escapes_stay_text() {
        let parsed = parse(r#"{"u": "h\u00e9 \\u x \"q\""}"#).expect("valid JSON");
        assert_eq!(parsed, json!({"u": "h\\u00e9 \\u x \"q\""}));
        assert_eq!(parse("[\"\\n\"]").expect("valid"), json!(["\n"]));
    }
}
