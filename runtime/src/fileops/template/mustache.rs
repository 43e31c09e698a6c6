//! Mustache as cf-agent 3.21 renders it, for `string_mustache()` and for
//! files promises (`template_method => "mustache"`, `"inline_mustache"`):
//! variables (`{{x}}` HTML-escaped, `{{{x}}}` and `{{&x}}` raw), sections
//! and inverted sections, comments, delimiter changes (`{{=<% %>=}}`), and
//! cf-agent's extensions `{{@}}` (key or position while iterating),
//! `{{$x}}` (compact JSON), `{{%x}}` (pretty JSON) and `-top-` (the whole
//! data). A section over a string or number, or `{{@}}` outside an
//! iteration, is an error, as in cf-agent.

use serde_json::Value as Json;

/// Why a template could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderError(pub String);

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Renders `template` with `data`.
pub fn render(template: &str, data: &Json) -> Result<String, RenderError> {
    let tokens = tokenize(template)?;
    let mut out = String::new();
    let mut stack = vec![Frame {
        value: data,
        key: None,
    }];
    render_tokens(&tokens, &mut stack, &mut out)?;
    Ok(out)
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
fn tokenize(template: &str) -> Result<Vec<Token<'_>>, RenderError> {
    let mut stack: Vec<(char, &str, Vec<Token>)> = vec![(' ', "", Vec::new())];
    let mut rest = template;
    let mut offset = 0;
    let mut delimiters = ("{{".to_string(), "}}".to_string());
    while let Some(open) = rest.find(delimiters.0.as_str()) {
        let triple = delimiters.0 == "{{" && rest[open..].starts_with("{{{");
        let close_mark = if triple {
            "}}}".to_string()
        } else {
            delimiters.1.clone()
        };
        let body_start = open + if triple { 3 } else { delimiters.0.len() };
        let close = rest[body_start..]
            .find(close_mark.as_str())
            .map(|c| c + body_start)
            .ok_or_else(|| RenderError(format!("mustache: unclosed tag at {}", offset + open)))?;
        let tag = rest[body_start..close].trim();
        let mut text = &rest[..open];
        let mut after = close + close_mark.len();
        let sigil = if triple {
            '&'
        } else {
            tag.chars().next().unwrap_or(' ')
        };
        if matches!(sigil, '#' | '^' | '/' | '!' | '=') {
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
                        RenderError(format!("mustache: '{{{{/{}}}}}' closes nothing", name(1)))
                    })?;
                if open_name != name(1) {
                    return Err(RenderError(format!(
                        "mustache: section '{open_name}' closed by '{}'",
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
                        delimiters = new_delimiters(tag)?;
                        offset += after;
                        rest = &rest[after..];
                        continue;
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
        return Err(RenderError("mustache: unclosed section".into()));
    }
    let (_, _, mut tokens) = stack.pop().unwrap_or((' ', "", Vec::new()));
    if !rest.is_empty() {
        tokens.push(Token::Text(rest));
    }
    Ok(tokens)
}

/// `=<% %>=`: the new opening and closing delimiters.
fn new_delimiters(tag: &str) -> Result<(String, String), RenderError> {
    let inner = tag
        .strip_prefix('=')
        .and_then(|t| t.strip_suffix('='))
        .ok_or_else(|| RenderError(format!("mustache: bad delimiter change '{tag}'")))?;
    let mut parts = inner.split_whitespace();
    match (parts.next(), parts.next(), parts.next()) {
        (Some(open), Some(close), None) if !open.contains('=') && !close.contains('=') => {
            Ok((open.to_string(), close.to_string()))
        }
        _ => Err(RenderError(format!(
            "mustache: bad delimiter change '{tag}'"
        ))),
    }
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

fn scalar_text(value: &Json, name: &str) -> Result<String, RenderError> {
    match value {
        Json::String(s) => Ok(s.clone()),
        Json::Number(n) => Ok(n.to_string()),
        Json::Bool(b) => Ok(b.to_string()),
        Json::Null => Ok(String::new()),
        _ => Err(RenderError(format!(
            "mustache: '{name}' is a container, not a value"
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

fn render_tokens<'d>(
    tokens: &[Token],
    stack: &mut Vec<Frame<'d>>,
    out: &mut String,
) -> Result<(), RenderError> {
    for token in tokens {
        match token {
            Token::Text(text) => out.push_str(text),
            Token::Escaped("@") | Token::Raw("@") => {
                let key = stack
                    .last()
                    .and_then(|f| f.key.clone())
                    .ok_or_else(|| RenderError("mustache: {{@}} outside an iteration".into()))?;
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
                    out.push_str(&crate::functions::json_text::with_sorted_keys(value).to_string());
                }
            }
            Token::Pretty(name) => {
                if let Some(value) = lookup(stack, name) {
                    let text = serde_json::to_string_pretty(
                        &crate::functions::json_text::with_sorted_keys(value),
                    )
                    .map_err(|e| RenderError(e.to_string()))?;
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
                    render_tokens(body, stack, out)?;
                }
            }
            Token::Section(name, body) => match lookup(stack, name) {
                None | Some(Json::Bool(false)) => {}
                Some(Json::Bool(true)) => render_tokens(body, stack, out)?,
                Some(Json::Array(items)) => {
                    for (at, item) in items.iter().enumerate() {
                        stack.push(Frame {
                            value: item,
                            key: Some(at.to_string()),
                        });
                        let rendered = render_tokens(body, stack, out);
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
                            let rendered = render_tokens(body, stack, out);
                            stack.pop();
                            rendered?;
                        }
                    } else {
                        stack.push(Frame {
                            value: object,
                            key: None,
                        });
                        let rendered = render_tokens(body, stack, out);
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

fn not_a_section(name: &str) -> RenderError {
    RenderError(format!(
        "mustache: section '{name}' needs a boolean or a container"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn r(template: &str, data: Json) -> Result<String, RenderError> {
        render(template, &data)
    }

    #[test]
    fn variables_sections_and_extensions() {
        let d = json!({"a":{"x":"X","y":2},"h":"<&>q","l":["p","q"],"t":true,"z":0});
        assert_eq!(
            r("{{#a}}[{{@}}:{{.}}]{{/a}}", d.clone()),
            Ok("[x:X][y:2]".into())
        );
        assert_eq!(
            r("{{^b}}nob{{/b}}|{{{h}}}|{{h}}|{{&h}}", d.clone()),
            Ok("nob|<&>q|&lt;&amp;&gt;q|<&>q".into())
        );
        assert_eq!(
            r("{{#l}}{{@}}={{.}},{{/l}}", d.clone()),
            Ok("0=p,1=q,".into())
        );
        assert_eq!(
            r("{{a.x}}|{{#t}}T{{/t}}{{!c}}", d.clone()),
            Ok("X|T".into())
        );
        assert_eq!(r("{{$a}}", d.clone()), Ok(r#"{"x":"X","y":2}"#.into()));
        assert_eq!(r("{{%l}}", d.clone()), Ok("[\n  \"p\",\n  \"q\"\n]".into()));
        assert_eq!(r("{{#a}}{{x}}{{/a}}", d.clone()), Ok("X".into()));
        assert_eq!(r("{{$-top-}}", json!({"a":1})), Ok(r#"{"a":1}"#.into()));
        assert!(r("{{#z}}Z{{/z}}", d.clone()).is_err());
        assert!(r("{{@}}", d.clone()).is_err());
        assert!(r("{{#a}}", d).is_err());
    }

    #[test]
    fn standalone_section_lines_vanish() {
        assert_eq!(
            r("a\n  {{#l}}\n  - {{.}}\n  {{/l}}\nb", json!({"l":[1,2]})),
            Ok("a\n  - 1\n  - 2\nb".into())
        );
        assert_eq!(
            r(
                "{{#l}}\n{{#t}}\n{{.}}\n{{/t}}\n{{/l}}\n",
                json!({"l":[1],"t":true})
            ),
            Ok("1\n".into())
        );
    }

    #[test]
    fn delimiters_can_change() {
        assert_eq!(
            r(
                "{{=<% %>=}}\n<% x %> {{x}}\n<%={{ }}=%>{{x}}",
                json!({"x":"v"})
            ),
            Ok("v {{x}}\nv".into())
        );
        assert!(r("{{=<%=}}", json!({})).is_err());
    }

    #[test]
    fn missing_values_render_empty() {
        assert_eq!(r("[{{nothing}}]", json!({})), Ok("[]".into()));
    }
}
