//! YAML as cf-agent 3.21 reads it (`parseyaml`, `readyaml`, `readdata`):
//! libyaml's event parser (unsafe-libyaml is a line-by-line translation of
//! the C library cf-agent links) and cf-agent's conversion of its events:
//!
//! - only the first document is read;
//! - a plain (unquoted, untagged) scalar is a YAML 1.1 boolean (`y`, `yes`,
//!   `on`, `n`, `off`, … in three spellings), a null (`~`, `null`, empty),
//!   a JSON number without exponent (`12`, `-3.25`, also `12 abc`; not
//!   `017`, `0x1F`, `.5`), or else a string; every other scalar is a string;
//! - an alias is dropped, with its key;
//! - at a syntax error the reading stops and the containers still open
//!   are closed: `a: [1, 2` is `{"a": [1, 2]}`;
//! - the top must be a container.

use serde_json::{Map, Value as Json};

/// The data container `text` describes.
pub(crate) fn parse(text: &str) -> Result<Json, String> {
    let mut builder = Builder::default();
    for_each_event(text, |event| builder.take(event))?;
    match builder.finish() {
        Some(top @ (Json::Object(_) | Json::Array(_))) => Ok(top),
        Some(_) => Err("the YAML document is not a map or a list".to_string()),
        None => Err("the YAML text holds no document".to_string()),
    }
}

/// An event of the first document, owned.
enum Event {
    Scalar {
        text: String,
        plain: bool,
    },
    Alias,
    SequenceStart,
    MappingStart,
    End,
    /// The first document (or the stream) ends.
    DocumentEnd,
}

/// Runs libyaml over `text`, handing each event of the first document to
/// `take` until it returns false, the document ends or the text is not
/// well-formed (what came before still counts).
fn for_each_event(
    text: &str,
    mut take: impl FnMut(Event) -> Result<bool, String>,
) -> Result<(), String> {
    let mut parser = std::mem::MaybeUninit::<unsafe_libyaml::yaml_parser_t>::uninit();
    // SAFETY: the parser is initialised before use and deleted below; the
    // input outlives it; each event is read while valid and then deleted.
    unsafe {
        if unsafe_libyaml::yaml_parser_initialize(parser.as_mut_ptr()).fail {
            return Err("cannot start the YAML parser".to_string());
        }
        let parser = parser.as_mut_ptr();
        unsafe_libyaml::yaml_parser_set_input_string(parser, text.as_ptr(), text.len() as u64);
        let mut result = Ok(());
        loop {
            let mut event = std::mem::MaybeUninit::<unsafe_libyaml::yaml_event_t>::uninit();
            if unsafe_libyaml::yaml_parser_parse(parser, event.as_mut_ptr()).fail {
                break;
            }
            let event = event.as_mut_ptr();
            let owned = own(&*event);
            unsafe_libyaml::yaml_event_delete(event);
            let Some(owned) = owned else {
                continue;
            };
            match take(owned) {
                Ok(true) => {}
                Ok(false) => break,
                Err(error) => {
                    result = Err(error);
                    break;
                }
            }
        }
        unsafe_libyaml::yaml_parser_delete(parser);
        result
    }
}

/// The event as owned data; `None` for events without content (stream
/// and document start).
///
/// # Safety
/// `event` must be an event libyaml has just filled in.
unsafe fn own(event: &unsafe_libyaml::yaml_event_t) -> Option<Event> {
    use unsafe_libyaml::yaml_event_type_t::*;
    Some(match event.type_ {
        YAML_SCALAR_EVENT => {
            let scalar = event.data.scalar;
            let bytes = std::slice::from_raw_parts(scalar.value, scalar.length as usize);
            Event::Scalar {
                text: String::from_utf8_lossy(bytes).into_owned(),
                plain: scalar.style == unsafe_libyaml::YAML_PLAIN_SCALAR_STYLE
                    && scalar.tag.is_null(),
            }
        }
        YAML_ALIAS_EVENT => Event::Alias,
        YAML_SEQUENCE_START_EVENT => Event::SequenceStart,
        YAML_MAPPING_START_EVENT => Event::MappingStart,
        YAML_SEQUENCE_END_EVENT | YAML_MAPPING_END_EVENT => Event::End,
        YAML_DOCUMENT_END_EVENT | YAML_STREAM_END_EVENT => Event::DocumentEnd,
        _ => return None,
    })
}

/// The value a plain scalar stands for in cf-agent.
fn plain_value(text: &str) -> Json {
    const TRUE: &[&str] = &[
        "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
    ];
    const FALSE: &[&str] = &[
        "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF",
    ];
    const NULL: &[&str] = &["", "~", "null", "Null", "NULL"];
    if TRUE.contains(&text) {
        return Json::Bool(true);
    }
    if FALSE.contains(&text) {
        return Json::Bool(false);
    }
    if NULL.contains(&text) {
        return Json::Null;
    }
    if let Some(number) = leading_json_number(text) {
        // "-0" is the integer 0, not the real -0.0.
        if let Ok(integer) = number.parse::<i64>() {
            return Json::from(integer);
        }
        if let Ok(number) = serde_json::from_str::<serde_json::Number>(number) {
            return Json::Number(number);
        }
    }
    Json::String(text.to_string())
}

/// The JSON number `-?(0|[1-9][0-9]*)(\.[0-9]+)?` the text starts with,
/// when what follows cannot continue a number or a word: cf-agent reads
/// `12 abc` and `12]` as 12, but `12abc`, `017` and `1.` as strings.
fn leading_json_number(text: &str) -> Option<&str> {
    let bytes = text.as_bytes();
    let digits_from = |at: usize| {
        bytes[at.min(bytes.len())..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
    };
    let sign = usize::from(bytes.first() == Some(&b'-'));
    let whole = digits_from(sign);
    if whole == 0 || (whole > 1 && bytes[sign] == b'0') {
        return None;
    }
    let mut end = sign + whole;
    if bytes.get(end) == Some(&b'.') {
        let fraction = digits_from(end + 1);
        if fraction > 0 {
            end += 1 + fraction;
        }
    }
    match bytes.get(end) {
        Some(b) if b.is_ascii_alphanumeric() || b".+-_:".contains(b) => None,
        _ => Some(&text[..end]),
    }
}

/// An open container and, in a map, the key waiting for its value.
enum Open {
    List(Vec<Json>),
    Map(Map<String, Json>, Option<String>),
}

#[derive(Default)]
struct Builder {
    open: Vec<Open>,
    top: Option<Json>,
}

impl Builder {
    /// Takes one event; false once the top-level value is complete.
    fn take(&mut self, event: Event) -> Result<bool, String> {
        match event {
            Event::Scalar { text, .. } if self.expects_key() => self.key(text),
            Event::Scalar { text, plain } => {
                let value = if plain {
                    plain_value(&text)
                } else {
                    Json::String(text)
                };
                self.value(value)?;
            }
            Event::Alias => self.drop_pending_key(),
            Event::SequenceStart => self.open.push(Open::List(Vec::new())),
            Event::MappingStart => self.open.push(Open::Map(Map::new(), None)),
            Event::DocumentEnd => return Ok(false),
            Event::End => {
                let closed = match self.open.pop() {
                    Some(Open::List(items)) => Json::Array(items),
                    Some(Open::Map(map, _)) => Json::Object(map),
                    None => return Ok(false),
                };
                self.value(closed)?;
            }
        }
        Ok(self.top.is_none())
    }

    /// Whether the next value is a map key (kept as written).
    fn expects_key(&self) -> bool {
        matches!(self.open.last(), Some(Open::Map(_, None)))
    }

    fn key(&mut self, text: String) {
        if let Some(Open::Map(_, pending)) = self.open.last_mut() {
            *pending = Some(text);
        }
    }

    /// A complete value: an element, a key's value or the top.
    fn value(&mut self, value: Json) -> Result<(), String> {
        match self.open.last_mut() {
            None => self.top = Some(value),
            Some(Open::List(items)) => items.push(value),
            Some(Open::Map(map, pending)) => match pending.take() {
                Some(key) => {
                    map.insert(key, value);
                }
                None => return Err("a YAML map key is a map or a list".to_string()),
            },
        }
        Ok(())
    }

    /// An alias stands where a value was expected: cf-agent leaves it out,
    /// and the key it was the value of with it.
    fn drop_pending_key(&mut self) {
        if let Some(Open::Map(_, pending)) = self.open.last_mut() {
            pending.take();
        }
    }

    /// The top-level value, closing whatever a syntax error left open.
    fn finish(mut self) -> Option<Json> {
        while self.top.is_none() {
            let closed = match self.open.pop()? {
                Open::List(items) => Json::Array(items),
                Open::Map(map, _) => Json::Object(map),
            };
            self.value(closed).ok()?;
        }
        self.top
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn plain_scalars_follow_yaml_1_1_and_json_numbers() {
        let parsed = parse(
            "a: y\nb: OFF\nc: ~\nd: 12\ne: -3.25\nf: 017\ng: 0x1F\nh: .5\ni: \"yes\"\nj: !!str 12\nk:\nl: yES\n",
        );
        assert_eq!(
            parsed,
            Ok(
                json!({"a": true, "b": false, "c": null, "d": 12, "e": -3.25, "f": "017",
                      "g": "0x1F", "h": ".5", "i": "yes", "j": "12", "k": null, "l": "yES"})
            )
        );
    }

    #[test]
    fn a_syntax_error_keeps_what_came_before() {
        assert_eq!(parse("a: [1, 2"), Ok(json!({"a": [1, 2]})));
        assert_eq!(parse("- a\n- b: [1\n- c"), Ok(json!(["a", {"b": [1]}])));
        assert_eq!(
            parse("a: 12 abc\nb: 3.5 z\nc: 12abc\nd: 12]\ne: true x\nf: 1.\ng: 1:30\nh: -0\nn: 1"),
            Ok(
                json!({"a": 12, "b": 3.5, "c": "12abc", "d": 12, "e": "true x", "f": "1.",
                      "g": "1:30", "h": 0, "n": 1})
            )
        );
    }

    #[test]
    fn first_document_only_and_aliases_dropped() {
        assert_eq!(parse("a: 1\n---\nb: 2"), Ok(json!({"a": 1})));
        assert_eq!(parse("x: &anchor 5\ny: *anchor"), Ok(json!({"x": 5})));
    }

    #[test]
    fn the_top_must_be_a_container() {
        assert!(parse("just text").is_err());
        assert!(parse("").is_err());
        assert!(parse("? [1, 2]\n: v").is_err());
    }
}
