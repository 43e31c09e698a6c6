//! The module protocol of `commands` with `module => "true"`
//! (SEMANTICS.md §4.4), as cf-agent 3.21's `ModuleProtocol` reads it, one
//! output line at a time:
//!
//! - `=name=value` a string, `@name={ "a", 'b' }` a list (cf-agent's list
//!   syntax: braces, quoted elements, commas; anything else is an error),
//!   `%name={json}` a data container (object or array),
//!   `&name=file.json|.env|.csv` a container read from a file — all in the
//!   current context (default: the canonified basename of the command),
//!   or in the scope the name gives (`=other.x=1`);
//! - `+class` defines a namespace class (canonified, in the namespace of
//!   the running bundle unless the name has `ns:`); `-a,b` undefines soft
//!   classes (undefining a hard class stops the run, as cf-agent's fatal
//!   error does);
//! - `^context=name` (`[A-Za-z0-9_]+`, at most 50 characters), `^meta=a,b`,
//!   `^persistence=N`;
//! - other non-empty lines are logged at info level as `M '<cmd>': line`
//!   when the output is printed (`no_output => "false"`).
//!
//! Variables and classes carry the tags of the last `^meta` (none before
//! one: such variables have no tag set at all). Not yet kept: class
//! persistence (a `^persistence` class is defined for this run only).

use serde_json::Value as Json;

use crate::eval::context::ClassScope;
use crate::eval::variables::{scope_key, VarName};
use crate::eval::Agent;
use crate::facts::canonify;
use crate::value::Value;

/// cf-agent's `sscanf` limits: names 256 bytes, values 4095.
const NAME_LIMIT: usize = 256;
const VALUE_LIMIT: usize = 4095;
/// Longest `+class`/`-class` line cf-agent accepts (`CF_MAXVARSIZE`).
const CLASS_LINE_LIMIT: usize = 1024;

/// The state one module run carries from line to line.
#[derive(Debug, Clone)]
pub struct ModuleState {
    command: String,
    context: String,
    tags: Vec<String>,
    persistence: i64,
}

impl ModuleState {
    pub fn new(command: &str) -> Self {
        let arg0 = match command.strip_prefix('"') {
            Some(rest) => rest.split('"').next().unwrap_or(""),
            None => command.split(' ').next().unwrap_or(""),
        };
        let base = arg0.trim_end_matches('/').rsplit('/').next().unwrap_or("");
        ModuleState {
            command: command.to_string(),
            context: canonify(base),
            tags: Vec::new(),
            persistence: 0,
        }
    }

    /// The variable context lines currently define variables in.
    pub fn context(&self) -> &str {
        &self.context
    }
}

/// Applies one output line of a module.
pub fn apply(agent: &mut Agent, state: &mut ModuleState, line: &str, print: bool) {
    let Some(first) = line.chars().next() else {
        return;
    };
    let rest = &line[first.len_utf8()..];
    match first {
        '^' => directive(agent, state, rest, line),
        '+' => define_class(agent, state, rest, line),
        '-' => undefine_classes(agent, rest, line),
        '=' => {
            let (name, value) = name_and_value(rest);
            if let Some(name) = name {
                set_variable(agent, state, name, Value::Scalar(value.to_string()));
            }
        }
        '@' => {
            let (name, value) = name_and_value(rest);
            let Some(name) = name else { return };
            match parse_list(value) {
                Some(items) => set_variable(agent, state, name, Value::List(items)),
                None => agent.log.error(&format!(
                    "Module protocol could not parse variable {name}'s data content {value}"
                )),
            }
        }
        '%' => {
            let Some(at) = rest.find('=').filter(|at| *at > 0 && *at <= NAME_LIMIT) else {
                return;
            };
            let (name, json) = (&rest[..at], &rest[at + 1..]);
            let mut values = serde_json::Deserializer::from_str(json).into_iter::<Json>();
            match values.next() {
                Some(Ok(value @ (Json::Object(_) | Json::Array(_)))) => {
                    set_variable(agent, state, name, Value::Data(value))
                }
                Some(Ok(_)) => agent.log.info(&format!(
                    "Module protocol JSON '{json}' should be object or array; wasn't"
                )),
                _ => agent.log.info(&format!(
                    "Failed to parse JSON '{json}' for module protocol"
                )),
            }
        }
        '&' => {
            let (name, path) = name_and_value(rest);
            let Some(name) = name else { return };
            match read_data_file(path) {
                Ok(value) => set_variable(agent, state, name, Value::Data(value)),
                Err(why) => agent.log.error(&why),
            }
        }
        _ => {
            if print {
                agent.log.info(&format!("M '{}': {line}", state.command));
            }
        }
    }
}

/// `name=value` after the sigil: the name up to the first `=` (not empty),
/// the value the rest of the line (empty when there is no `=`).
fn name_and_value(rest: &str) -> (Option<&str>, &str) {
    let (name, value) = match rest.split_once('=') {
        Some((name, value)) => (name, value),
        None => (rest, ""),
    };
    let name = truncate(name, NAME_LIMIT);
    let value = truncate(value, VALUE_LIMIT);
    ((!name.is_empty()).then_some(name), value)
}

fn truncate(text: &str, limit: usize) -> &str {
    if text.len() <= limit {
        return text;
    }
    let mut end = limit;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

fn directive(agent: &mut Agent, state: &mut ModuleState, rest: &str, line: &str) {
    if let Some(context) = rest.strip_prefix("context=").filter(|c| !c.is_empty()) {
        let context = truncate(context, 50);
        if context
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            agent.log.verbose(&format!(
                "Module changed variable context from '{}' to '{context}'",
                state.context
            ));
            state.context = context.to_string();
        } else {
            agent.log.error(&format!(
                "Module protocol was given an unacceptable ^context directive '{context}', skipping"
            ));
        }
    } else if let Some(meta) = rest.strip_prefix("meta=").filter(|m| !m.is_empty()) {
        state.tags = truncate(meta, 1024)
            .split(',')
            .map(str::to_string)
            .collect();
        state.tags.push("source=module".into());
    } else if let Some(minutes) = rest.strip_prefix("persistence=").and_then(leading_integer) {
        state.persistence = minutes;
    } else {
        agent
            .log
            .info(&format!("Unknown extended module command '{line}'"));
    }
}

/// `%ld` of sscanf: optional blanks, a sign, digits.
fn leading_integer(text: &str) -> Option<i64> {
    let text = text.trim_start();
    let sign_len = usize::from(text.starts_with(['-', '+']));
    let digits = text[sign_len..]
        .bytes()
        .take_while(u8::is_ascii_digit)
        .count();
    if digits == 0 {
        return None;
    }
    text[..sign_len + digits].parse().ok()
}

fn define_class(agent: &mut Agent, state: &ModuleState, rest: &str, line: &str) {
    if line.len() > CLASS_LINE_LIMIT {
        agent.log.error(&format!(
            "Module protocol was given an overlong +class line ({} bytes), skipping",
            line.len()
        ));
        return;
    }
    let name = rest.trim_end();
    let (namespace, name) = match name.split_once(':') {
        Some((ns, name)) => (ns.to_string(), name),
        None => (agent.namespace().to_string(), name),
    };
    let name = canonify(name);
    if state.persistence > 0 {
        agent.log.verbose(&format!(
            "Module set persistent class '{name}' for {} minutes (kept for this run only: no state store yet)",
            state.persistence
        ));
    }
    agent
        .classes
        .define(&namespace, &name, ClassScope::Namespace);
    agent.tags.set_class(
        &crate::eval::context::qualify(&namespace, &name),
        state.tags.clone(),
    );
}

fn undefine_classes(agent: &mut Agent, rest: &str, line: &str) {
    if line.len() > CLASS_LINE_LIMIT {
        agent.log.error(&format!(
            "Module protocol was given an overlong -class line ({} bytes), skipping",
            line.len()
        ));
        return;
    }
    for class in rest.split(',').filter(|c| !c.is_empty()) {
        let (namespace, name) = class.split_once(':').unwrap_or(("default", class));
        if agent.classes.is_hard(name) {
            let message = format!("Cannot negate the reserved class '{class}'");
            agent.log.error(&message);
            agent.fatal = Some(message);
            return;
        }
        agent.classes.undefine(namespace, name);
    }
}

fn set_variable(agent: &mut Agent, state: &ModuleState, name: &str, value: Value) {
    let parsed = VarName::parse(name);
    let namespace = parsed.namespace.clone().unwrap_or_else(|| "default".into());
    let scope = parsed
        .scope
        .clone()
        .unwrap_or_else(|| state.context.clone());
    agent.log.verbose(&format!(
        "Defined variable '{name}' in context '{}'",
        state.context
    ));
    let scope = scope_key(&namespace, &scope);
    let key = parsed.key();
    if state.tags.is_empty() {
        agent.tags.clear_variable(&scope, &key);
    } else {
        agent.tags.set_variable(&scope, &key, state.tags.clone());
    }
    agent.variables.set(&scope, key, value);
}

/// cf-agent's `RlistParseString`: `{ "a", 'b' }`, nothing else.
pub fn parse_list(text: &str) -> Option<Vec<String>> {
    #[derive(PartialEq)]
    enum State {
        Opened,
        Inside,
        Element(char),
        AfterElement,
        Separator,
        Closed,
    }
    let mut state = State::Opened;
    let mut items = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        let blank = c == ' ' || c == '\t';
        state = match state {
            State::Opened if blank => State::Opened,
            State::Opened if c == '{' => State::Inside,
            State::Inside | State::Separator if blank => state,
            State::Inside | State::Separator if c == '\'' || c == '"' => State::Element(c),
            State::Element(quote) if c == quote => {
                items.push(std::mem::take(&mut current));
                State::AfterElement
            }
            State::Element(quote) => {
                current.push(c);
                State::Element(quote)
            }
            State::AfterElement if blank => State::AfterElement,
            State::AfterElement if c == ',' => State::Separator,
            State::AfterElement if c == '}' => State::Closed,
            State::Closed if blank => State::Closed,
            _ => return None,
        };
    }
    (state == State::Closed).then_some(items)
}

/// `&name=path`: JSON (default), `.env` (`KEY=value` lines) or `.csv`.
fn read_data_file(path: &str) -> Result<Json, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|_| format!("could not load module file '{path}'"))?;
    let lower = path.to_ascii_lowercase();
    if lower.ends_with(".env") {
        let mut object = serde_json::Map::new();
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some((key, value)) = line.split_once('=') {
                let value = value.trim().trim_matches('"');
                object.insert(key.trim().to_string(), Json::String(value.to_string()));
            }
        }
        return Ok(Json::Object(object));
    }
    if lower.ends_with(".csv") {
        let rows = text
            .lines()
            .map(|line| {
                Json::Array(
                    line.split(',')
                        .map(|field| Json::String(field.to_string()))
                        .collect(),
                )
            })
            .collect();
        return Ok(Json::Array(rows));
    }
    if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        return Err(format!(
            "module file '{path}': YAML data files are not supported yet"
        ));
    }
    serde_json::from_str(&text).map_err(|error| format!("module file '{path}': {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_use_cfengine_syntax() {
        assert_eq!(
            parse_list(r#" { "one", "two three", 'four' } "#),
            Some(vec!["one".into(), "two three".into(), "four".into()])
        );
        assert_eq!(parse_list("a,b"), None);
        assert_eq!(parse_list("{ }"), None);
        assert_eq!(parse_list(r#"{ "a" "#), None);
        assert_eq!(parse_list(r#"{ "a" } x"#), None);
    }

    #[test]
    fn default_context_is_the_canonified_basename() {
        assert_eq!(ModuleState::new("/x/my-mod.sh arg").context(), "my_mod_sh");
        assert_eq!(ModuleState::new("\"/a b/m.sh\" x").context(), "m_sh");
    }

    #[test]
    fn names_and_values() {
        assert_eq!(name_and_value("a=b=c"), (Some("a"), "b=c"));
        assert_eq!(name_and_value("a"), (Some("a"), ""));
        assert_eq!(name_and_value("=x"), (None, "x"));
        assert_eq!(leading_integer(" 10x"), Some(10));
        assert_eq!(leading_integer("x"), None);
    }
}
