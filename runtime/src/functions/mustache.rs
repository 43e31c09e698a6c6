//! `string_mustache(template, data)`: Mustache as cf-agent renders it,
//! with its extensions: `{{@}}` (key or position while iterating),
//! `{{$x}}` (compact JSON), `{{%x}}` (pretty JSON), `-top-` (the whole
//! data).

use serde_json::Value as Json;

use super::{scalar_arg, CallContext, FunctionError, FunctionResult};
use crate::value::Value;

pub(super) fn string_mustache(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let template = scalar_arg(args, 0)?;
    // Without data cf-agent renders the whole run state, datastate().
    let data = if args.len() < 2 {
        match super::introspection::datastate(context, &[])? {
            Value::Data(json) => json,
            other => super::data::to_json(&other),
        }
    } else {
        super::data::json_arg(context, args, 1)?
    };
    let tokens = tokenize(template)?;
    let mut out = String::new();
    let mut stack = vec![Frame {
        value: &data,
        key: None,
    }];
    render(&tokens, &mut stack, &mut out)?;
    Ok(Value::Scalar(out))
}

#[derive(Debug)]
enum Token<'t> {
    Text(&'t str),
    Escaped(&'t str),
    Raw(&'t str),
    Compact(&'t str),
    Pretty(&'t str),
    Section(&'t str, Vec<Token<'t>>),
    Inverted(&'t str, Vec<Token<'t>>),
}

/// Splits the template into tokens; section tags alone on their line take
/// the line with them (Mustache's standalone rule).
fn tokenize(template: &str) -> Result<Vec<Token<'_>>, FunctionError> {
    let mut stack: Vec<(char, &str, Vec<Token>)> = vec![(' ', "", Vec::new())];
    let mut rest = template;
    let mut offset = 0;
    while let Some(open) = rest.find("{{") {
        let triple = rest[open..].starts_with("{{{");
        let close_mark = if triple { "}}}" } else { "}}" };
        let body_start = open + if triple { 3 } else { 2 };
        let close = rest[body_start..]
            .find(close_mark)
            .map(|c| c + body_start)
            .ok_or_else(|| {
                FunctionError(format!(
                    "string_mustache: unclosed tag at {}",
                    offset + open
                ))
            })?;
        let tag = rest[body_start..close].trim();
        let mut text = &rest[..open];
        let mut after = close + close_mark.len();
        let sigil = if triple {
            '&'
        } else {
            tag.chars().next().unwrap_or(' ')
        };
        if matches!(sigil, '#' | '^' | '/' | '!') {
            // Standalone: only blanks between the previous newline and the
            // tag, and between the tag and the next newline.
            let line_start = text.rfind('\n').map_or(0, |n| n + 1);
            let at_line_start = line_start > 0 || offset == 0 || template[..offset].ends_with('\n');
            let before_blank = text[line_start..].chars().all(|c| c == ' ' || c == '\t');
            let tail = &rest[after..];
            let line_end = tail.find('\n');
            let after_blank = tail[..line_end.unwrap_or(tail.len())]
                .chars()
                .all(|c| c == ' ' || c == '\t');
            if at_line_start && before_blank && after_blank {
                text = &text[..line_start];
                after += line_end.map_or(tail.len(), |n| n + 1);
            }
        }
        let top = stack.last_mut().map(|(_, _, tokens)| tokens);
        if let Some(tokens) = top {
            if !text.is_empty() {
                tokens.push(Token::Text(text));
            }
        }
        let name = |skip: usize| tag[skip..].trim();
        match sigil {
            '!' => {}
            '#' | '^' => stack.push((sigil, name(1), Vec::new())),
            '/' => {
                let (kind, open_name, body) = stack
                    .pop()
                    .filter(|(kind, _, _)| *kind != ' ')
                    .ok_or_else(|| {
                        FunctionError(format!(
                            "string_mustache: '{{{{/{}}}}}' closes nothing",
                            name(1)
                        ))
                    })?;
                if open_name != name(1) {
                    return Err(FunctionError(format!(
                        "string_mustache: section '{open_name}' closed by '{}'",
                        name(1)
                    )));
                }
                let token = if kind == '#' {
                    Token::Section(open_name, body)
                } else {
                    Token::Inverted(open_name, body)
                };
                if let Some((_, _, tokens)) = stack.last_mut() {
                    tokens.push(token);
                }
            }
            _ => {
                let token = match sigil {
                    '&' if triple => Token::Raw(tag),
                    '&' => Token::Raw(name(1)),
                    '$' => Token::Compact(name(1)),
                    '%' => Token::Pretty(name(1)),
                    '=' => {
                        return Err(FunctionError(
                            "string_mustache: changing delimiters is not supported".into(),
                        ))
                    }
                    _ => Token::Escaped(tag),
                };
                if let Some((_, _, tokens)) = stack.last_mut() {
                    tokens.push(token);
                }
            }
        }
        offset += after;
        rest = &rest[after..];
    }
    if stack.len() != 1 {
        return Err(FunctionError("string_mustache: unclosed section".into()));
    }
    let (_, _, mut tokens) = stack.pop().unwrap_or((' ', "", Vec::new()));
    if !rest.is_empty() {
        tokens.push(Token::Text(rest));
    }
    Ok(tokens)
}

struct Frame<'d> {
    value: &'d Json,
    /// The key or position of this value while iterating.
    key: Option<String>,
}

/// A name looked up from the innermost frame outwards; dotted names walk
/// into objects.
fn lookup<'d>(stack: &[Frame<'d>], name: &str) -> Option<&'d Json> {
    if name == "." {
        return stack.last().map(|f| f.value);
    }
    if name == "-top-" {
        return stack.first().map(|f| f.value);
    }
    let mut parts = name.split('.');
    let first = parts.next()?;
    let mut value = stack
        .iter()
        .rev()
        .find_map(|f| f.value.as_object()?.get(first))?;
    for part in parts {
        value = match value {
            Json::Object(map) => map.get(part)?,
            Json::Array(items) => items.get(part.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(value)
}

fn scalar_text(value: &Json, name: &str) -> Result<String, FunctionError> {
    match value {
        Json::String(s) => Ok(s.clone()),
        Json::Number(n) => Ok(n.to_string()),
        Json::Bool(b) => Ok(b.to_string()),
        Json::Null => Ok(String::new()),
        _ => Err(FunctionError(format!(
            "string_mustache: '{name}' is a container, not a value"
        ))),
    }
}

fn html_escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            other => out.push(other),
        }
    }
}

/// Whether the section body itself (not nested sections) uses `{{.}}` or
/// `{{@}}`: cf-agent then iterates over an object's entries.
fn iterates_entries(body: &[Token]) -> bool {
    body.iter()
        .any(|t| matches!(t, Token::Escaped(n) | Token::Raw(n) if *n == "." || *n == "@"))
}

fn render<'d>(
    tokens: &[Token],
    stack: &mut Vec<Frame<'d>>,
    out: &mut String,
) -> Result<(), FunctionError> {
    for token in tokens {
        match token {
            Token::Text(text) => out.push_str(text),
            Token::Escaped("@") | Token::Raw("@") => {
                let key = stack.last().and_then(|f| f.key.clone()).ok_or_else(|| {
                    FunctionError("string_mustache: {{@}} outside an iteration".into())
                })?;
                out.push_str(&key);
            }
            Token::Escaped(name) => {
                if let Some(value) = lookup(stack, name) {
                    html_escape(&scalar_text(value, name)?, out);
                }
            }
            Token::Raw(name) => {
                if let Some(value) = lookup(stack, name) {
                    out.push_str(&scalar_text(value, name)?);
                }
            }
            Token::Compact(name) => {
                if let Some(value) = lookup(stack, name) {
                    out.push_str(&value.to_string());
                }
            }
            Token::Pretty(name) => {
                if let Some(value) = lookup(stack, name) {
                    let text = serde_json::to_string_pretty(value)
                        .map_err(|e| FunctionError(e.to_string()))?;
                    out.push_str(&text);
                }
            }
            Token::Inverted(name, body) => {
                let empty = match lookup(stack, name) {
                    None | Some(Json::Bool(false)) => true,
                    Some(Json::Array(items)) => items.is_empty(),
                    Some(Json::Object(_) | Json::Bool(true)) => false,
                    Some(_) => return Err(not_a_section(name)),
                };
                if empty {
                    render(body, stack, out)?;
                }
            }
            Token::Section(name, body) => match lookup(stack, name) {
                None | Some(Json::Bool(false)) => {}
                Some(Json::Bool(true)) => render(body, stack, out)?,
                Some(Json::Array(items)) => {
                    for (at, item) in items.iter().enumerate() {
                        stack.push(Frame {
                            value: item,
                            key: Some(at.to_string()),
                        });
                        let rendered = render(body, stack, out);
                        stack.pop();
                        rendered?;
                    }
                }
                Some(object @ Json::Object(map)) => {
                    if iterates_entries(body) {
                        for (key, item) in map {
                            stack.push(Frame {
                                value: item,
                                key: Some(key.clone()),
                            });
                            let rendered = render(body, stack, out);
                            stack.pop();
                            rendered?;
                        }
                    } else {
                        stack.push(Frame {
                            value: object,
                            key: None,
                        });
                        let rendered = render(body, stack, out);
                        stack.pop();
                        rendered?;
                    }
                }
                Some(_) => return Err(not_a_section(name)),
            },
        }
    }
    Ok(())
}

fn not_a_section(name: &str) -> FunctionError {
    FunctionError(format!(
        "string_mustache: section '{name}' needs a boolean or a container"
    ))
}

#[cfg(test)]
mod tests {
    use crate::functions::test_context::*;
    use crate::value::Value;

    fn context() -> FixedContext {
        let mut c = FixedContext::default();
        c.variables.insert(
            "d".into(),
            Value::Data(
                serde_json::json!({"a":{"x":"X","y":2},"h":"<&>q","l":["p","q"],"t":true,"z":0}),
            ),
        );
        c
    }

    #[test]
    fn variables_sections_and_extensions() {
        let c = context();
        assert_eq!(
            call(&c, "string_mustache", &["{{#a}}[{{@}}:{{.}}]{{/a}}", "d"]),
            scalar("[x:X][y:2]")
        );
        assert_eq!(
            call(
                &c,
                "string_mustache",
                &["{{^b}}nob{{/b}}|{{{h}}}|{{h}}|{{&h}}", "d"]
            ),
            scalar("nob|<&>q|&lt;&amp;&gt;q|<&>q")
        );
        assert_eq!(
            call(&c, "string_mustache", &["{{#l}}{{@}}={{.}},{{/l}}", "d"]),
            scalar("0=p,1=q,")
        );
        assert_eq!(
            call(&c, "string_mustache", &["{{a.x}}|{{#t}}T{{/t}}{{!c}}", "d"]),
            scalar("X|T")
        );
        assert_eq!(
            call(&c, "string_mustache", &["{{$a}}", "d"]),
            scalar(r#"{"x":"X","y":2}"#)
        );
        assert_eq!(
            call(&c, "string_mustache", &["{{%l}}", "d"]),
            scalar("[\n  \"p\",\n  \"q\"\n]")
        );
        assert_eq!(
            call(&c, "string_mustache", &["{{#a}}{{x}}{{/a}}", "d"]),
            scalar("X")
        );
        assert_eq!(
            call(&c, "string_mustache", &["{{$-top-}}", r#"{"a":1}"#]),
            scalar(r#"{"a":1}"#)
        );
        assert!(call(&c, "string_mustache", &["{{#z}}Z{{/z}}", "d"]).is_err());
        assert!(call(&c, "string_mustache", &["{{@}}", "d"]).is_err());
        assert!(call(&c, "string_mustache", &["{{#a}}", "d"]).is_err());
    }

    #[test]
    fn standalone_section_lines_vanish() {
        let c = FixedContext::default();
        assert_eq!(
            call(
                &c,
                "string_mustache",
                &["a\n  {{#l}}\n  - {{.}}\n  {{/l}}\nb", r#"{"l":[1,2]}"#]
            ),
            scalar("a\n  - 1\n  - 2\nb")
        );
        assert_eq!(
            call(
                &c,
                "string_mustache",
                &[
                    "{{#l}}\n{{#t}}\n{{.}}\n{{/t}}\n{{/l}}\n",
                    r#"{"l":[1],"t":true}"#
                ]
            ),
            scalar("1\n")
        );
    }
}
