//! List functions. Their list argument may be a list value (`@(l)`), a
//! variable name (`"l"`, `"b.l"`, `"d[k]"`), inline JSON or a data
//! container (SEMANTICS.md §6, collecting functions).

use std::cmp::Ordering;
use std::collections::HashSet;

use serde_json::Value as Json;

use super::regex::full_match;
use super::{
    bool_arg, class_result, int_arg, scalar_arg, Arity, Builtin, CallContext, Function,
    FunctionError, FunctionResult,
};
use crate::eval::variables::json_scalar;
use crate::value::Value;

pub(super) const FUNCTIONS: &[&dyn Function] = &[
    &Builtin {
        name: "difference",
        arity: Arity::Exactly(2),
        body: difference,
    },
    &Builtin {
        name: "every",
        arity: Arity::Exactly(2),
        body: every,
    },
    &Builtin {
        name: "expandrange",
        arity: Arity::Exactly(2),
        body: expandrange,
    },
    &Builtin {
        name: "filter",
        arity: Arity::Exactly(5),
        body: filter,
    },
    &Builtin {
        name: "grep",
        arity: Arity::Exactly(2),
        body: grep,
    },
    &Builtin {
        name: "intersection",
        arity: Arity::Exactly(2),
        body: intersection,
    },
    &Builtin {
        name: "join",
        arity: Arity::Exactly(2),
        body: join,
    },
    &Builtin {
        name: "length",
        arity: Arity::Exactly(1),
        body: length,
    },
    &Builtin {
        name: "none",
        arity: Arity::Exactly(2),
        body: none,
    },
    &Builtin {
        name: "nth",
        arity: Arity::Exactly(2),
        body: nth,
    },
    &Builtin {
        name: "reglist",
        arity: Arity::Exactly(2),
        body: reglist,
    },
    &Builtin {
        name: "reverse",
        arity: Arity::Exactly(1),
        body: reverse,
    },
    &Builtin {
        name: "shuffle",
        arity: Arity::Exactly(2),
        body: shuffle,
    },
    &Builtin {
        name: "some",
        arity: Arity::Exactly(2),
        body: some,
    },
    &Builtin {
        name: "sort",
        arity: Arity::Between(1, 2),
        body: sort,
    },
    &Builtin {
        name: "sublist",
        arity: Arity::Exactly(3),
        body: sublist,
    },
    &Builtin {
        name: "unique",
        arity: Arity::Exactly(1),
        body: unique,
    },
];

/// A collecting argument resolved to its value: names are looked up,
/// inline JSON is parsed.
pub(crate) fn collection(
    context: &dyn CallContext,
    args: &[Value],
    at: usize,
) -> Result<Value, FunctionError> {
    let value = args
        .get(at)
        .ok_or_else(|| FunctionError(format!("argument {} is missing", at + 1)))?;
    match value {
        Value::Scalar(text) if text.trim_start().starts_with(['[', '{']) => {
            super::json_text::parse(text)
                .map(Value::Data)
                .map_err(|e| FunctionError(format!("bad JSON '{text}': {e}")))
        }
        Value::Scalar(name) => context
            .variable(name)
            .ok_or_else(|| FunctionError(format!("no list or container named '{name}'"))),
        other => Ok(other.clone()),
    }
}

/// The elements of a list argument (primitive values of a container).
pub(crate) fn list_arg(
    context: &dyn CallContext,
    args: &[Value],
    at: usize,
) -> Result<Vec<String>, FunctionError> {
    match collection(context, args, at)? {
        Value::List(items) => Ok(items),
        Value::Data(Json::Array(items)) => Ok(items.iter().filter_map(json_scalar).collect()),
        Value::Data(Json::Object(map)) => Ok(map.values().filter_map(json_scalar).collect()),
        Value::Scalar(text) => Ok(vec![text]),
        Value::Data(_) => Err(FunctionError("not a list".into())),
    }
}

/// Elements of the first list (each once) that the second does not hold.
fn difference(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let remove: HashSet<String> = list_arg(context, args, 1)?.into_iter().collect();
    let mut seen = HashSet::new();
    let mut items = list_arg(context, args, 0)?;
    items.retain(|i| !remove.contains(i) && seen.insert(i.clone()));
    Ok(Value::List(items))
}

fn intersection(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let keep: HashSet<String> = list_arg(context, args, 1)?.into_iter().collect();
    let mut items = list_arg(context, args, 0)?;
    let mut seen = HashSet::new();
    items.retain(|i| keep.contains(i) && seen.insert(i.clone()));
    Ok(Value::List(items))
}

/// How many elements fully match the regex of argument 1.
fn matches(context: &dyn CallContext, args: &[Value]) -> Result<(usize, usize), FunctionError> {
    let pattern = scalar_arg(args, 0)?;
    let items = list_arg(context, args, 1)?;
    let mut matched = 0;
    for item in &items {
        if full_match(pattern, item)? {
            matched += 1;
        }
    }
    Ok((matched, items.len()))
}

fn every(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let (matched, total) = matches(context, args)?;
    Ok(class_result(total > 0 && matched == total))
}

fn some(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    Ok(class_result(matches(context, args)?.0 > 0))
}

fn none(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    Ok(class_result(matches(context, args)?.0 == 0))
}

/// `expandrange("h[1-3].x", step)`: one string per number of the first
/// `[a-b]` range, counting by `step` (no zero padding).
fn expandrange(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let template = scalar_arg(args, 0)?;
    let step = int_arg(args, 1)?.max(1);
    let range = template.find('[').and_then(|open| {
        let close = open + template[open..].find(']')?;
        let (a, b) = template[open + 1..close].split_once('-')?;
        Some((
            open,
            close,
            a.trim().parse::<i64>().ok()?,
            b.trim().parse::<i64>().ok()?,
        ))
    });
    let Some((open, close, first, last)) = range else {
        return Ok(Value::List(vec![template.to_string()]));
    };
    let (prefix, suffix) = (&template[..open], &template[close + 1..]);
    let mut out = Vec::new();
    let mut n = first;
    while n <= last && out.len() < 1_000_000 {
        out.push(format!("{prefix}{n}{suffix}"));
        n = n.saturating_add(step);
    }
    Ok(Value::List(out))
}

/// `filter(pattern, list, is_regex, invert, max)`.
fn filter(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let pattern = scalar_arg(args, 0)?;
    let items = list_arg(context, args, 1)?;
    let (is_regex, invert) = (bool_arg(args, 2)?, bool_arg(args, 3)?);
    let max = usize::try_from(int_arg(args, 4)?).unwrap_or(0);
    let mut out = Vec::new();
    for item in items {
        if out.len() >= max {
            break;
        }
        let hit = if is_regex {
            full_match(pattern, &item)?
        } else {
            item == pattern
        };
        if hit != invert {
            out.push(item);
        }
    }
    Ok(Value::List(out))
}

fn grep(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let pattern = scalar_arg(args, 0)?;
    let mut out = Vec::new();
    for item in list_arg(context, args, 1)? {
        if full_match(pattern, &item)? {
            out.push(item);
        }
    }
    Ok(Value::List(out))
}

/// `reglist(list, regex)`: some element fully matches.
fn reglist(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let pattern = scalar_arg(args, 1)?;
    for item in list_arg(context, args, 0)? {
        if full_match(pattern, &item)? {
            return Ok(class_result(true));
        }
    }
    Ok(class_result(false))
}

fn join(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let separator = scalar_arg(args, 0)?;
    Ok(Value::Scalar(list_arg(context, args, 1)?.join(separator)))
}

fn length(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let count = match collection(context, args, 0)? {
        Value::Data(Json::Object(map)) => map.len(),
        Value::Data(Json::Array(items)) => items.len(),
        _ => list_arg(context, args, 0)?.len(),
    };
    Ok(Value::Scalar(count.to_string()))
}

/// An element by position (negative from the end) or, in a data object, by
/// key.
fn nth(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let key = scalar_arg(args, 1)?;
    let element = |json: &Json| match json {
        Json::Array(_) | Json::Object(_) => Value::Data(json.clone()),
        other => Value::Scalar(json_scalar(other).unwrap_or_default()),
    };
    let items: Vec<Value> = match collection(context, args, 0)? {
        Value::Data(Json::Object(map)) => {
            return map
                .get(key)
                .map(element)
                .ok_or_else(|| FunctionError(format!("nth: no key '{key}'")))
        }
        Value::Data(Json::Array(items)) => items.iter().map(element).collect(),
        _ => list_arg(context, args, 0)?
            .into_iter()
            .map(Value::Scalar)
            .collect(),
    };
    let index =
        super::parse_int(key).ok_or_else(|| FunctionError("nth needs a numeric index".into()))?;
    let at = if index < 0 {
        items.len() as i64 + index
    } else {
        index
    };
    usize::try_from(at)
        .ok()
        .and_then(|at| items.get(at))
        .cloned()
        .ok_or_else(|| FunctionError(format!("nth: no element {index}")))
}

fn reverse(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let mut items = list_arg(context, args, 0)?;
    items.reverse();
    Ok(Value::List(items))
}

/// glibc's `rand()` after `srand(seed)` (the TYPE_3 additive generator),
/// which cf-agent's shuffle draws from.
struct GlibcRandom {
    state: Vec<u32>,
    at: usize,
}

impl GlibcRandom {
    fn new(seed: u32) -> Self {
        let mut r = vec![0u32; 344];
        r[0] = if seed == 0 { 1 } else { seed };
        for i in 1..31 {
            let previous = i64::from(r[i - 1] as i32);
            let word = (16807 * previous) % 2_147_483_647;
            r[i] = (if word < 0 { word + 2_147_483_647 } else { word }) as u32;
        }
        for i in 31..34 {
            r[i] = r[i - 31];
        }
        for i in 34..344 {
            r[i] = r[i - 31].wrapping_add(r[i - 3]);
        }
        GlibcRandom { state: r, at: 344 }
    }

    fn next(&mut self) -> u32 {
        let value = self.state[self.at - 31].wrapping_add(self.state[self.at - 3]);
        self.state.push(value);
        self.at += 1;
        value >> 1
    }
}

/// cf-agent's `SeqShuffle`: `srand(StringHash(seed))`, then Fisher-Yates
/// from the last element down with `rand() % (i + 1)`; the list it
/// returns is built by prepending, so the result comes out reversed.
fn shuffle(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let mut items = list_arg(context, args, 0)?;
    let mut random = GlibcRandom::new(super::strings::string_hash(scalar_arg(args, 1)?, 0));
    for i in (1..items.len()).rev() {
        let j = random.next() as usize % (i + 1);
        items.swap(i, j);
    }
    items.reverse();
    Ok(Value::List(items))
}

fn sort(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let mut items = list_arg(context, args, 0)?;
    let mode = if args.len() > 1 {
        scalar_arg(args, 1)?
    } else {
        "lex"
    };
    match mode {
        "lex" => items.sort(),
        "int" | "real" => items.sort_by(|a, b| by_number(a, b, number)),
        "IP" | "ip" => items.sort_by(|a, b| by_key(a, b, ip_key)),
        "MAC" | "mac" => items.sort_by(|a, b| by_key(a, b, mac_key)),
        other => return Err(FunctionError(format!("sort: unknown mode '{other}'"))),
    }
    Ok(Value::List(items))
}

/// Numbers in order after every non-number; non-numbers among themselves
/// sort as text (cf-agent: `"", x, -2, 1.5, 10`).
pub(crate) fn by_number(a: &str, b: &str, parse: fn(&str) -> Option<f64>) -> Ordering {
    match (parse(a), parse(b)) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        (None, None) => a.cmp(b),
        (Some(_), None) => Ordering::Greater,
        (None, Some(_)) => Ordering::Less,
    }
}

/// A number as the `int` and `real` sort modes read one.
fn number(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|x| x.is_finite())
}

/// Elements without a key (not an address) come first, as text.
fn by_key(a: &str, b: &str, key: fn(&str) -> Option<Vec<u16>>) -> Ordering {
    match (key(a), key(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (None, None) => a.cmp(b),
        (Some(_), None) => Ordering::Greater,
        (None, Some(_)) => Ordering::Less,
    }
}

fn ip_key(text: &str) -> Option<Vec<u16>> {
    match text.trim().parse::<std::net::IpAddr>().ok()? {
        std::net::IpAddr::V4(v4) => Some(v4.octets().iter().map(|&o| u16::from(o)).collect()),
        std::net::IpAddr::V6(v6) => Some(v6.segments().to_vec()),
    }
}

/// Six hexadecimal parts; anything else is not an address.
fn mac_key(text: &str) -> Option<Vec<u16>> {
    let parts: Option<Vec<u16>> = text
        .trim()
        .split([':', '-'])
        .map(|part| u16::from_str_radix(part, 16).ok())
        .collect();
    parts.filter(|parts| parts.len() == 6)
}

/// `sublist(list, "head"|"tail", n)`.
fn sublist(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let items = list_arg(context, args, 0)?;
    let n = usize::try_from(int_arg(args, 2)?)
        .unwrap_or(0)
        .min(items.len());
    match scalar_arg(args, 1)? {
        "head" => Ok(Value::List(items[..n].to_vec())),
        "tail" => Ok(Value::List(items[items.len() - n..].to_vec())),
        other => Err(FunctionError(format!(
            "sublist: '{other}' is neither head nor tail"
        ))),
    }
}

fn unique(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let mut seen = HashSet::new();
    let mut items = list_arg(context, args, 0)?;
    items.retain(|i| seen.insert(i.clone()));
    Ok(Value::List(items))
}

#[cfg(test)]
mod tests {
    use crate::functions::test_context::*;
    use crate::value::Value;

    fn context() -> FixedContext {
        let mut c = FixedContext::default();
        c.variables
            .insert("l".into(), Value::list(["b", "a", "b", "10", "9"]));
        c.variables.insert(
            "d".into(),
            Value::Data(serde_json::json!({"k": "v", "n": [1, 2]})),
        );
        c
    }

    #[test]
    fn join_length_nth_accept_names_and_json() {
        let c = context();
        assert_eq!(call(&c, "join", &[",", "l"]), scalar("b,a,b,10,9"));
        assert_eq!(call(&c, "join", &["-", r#"["x","y"]"#]), scalar("x-y"));
        assert_eq!(call(&c, "length", &["l"]), scalar("5"));
        assert_eq!(call(&c, "length", &["d"]), scalar("2"));
        assert_eq!(call(&c, "nth", &["l", "-1"]), scalar("9"));
        assert_eq!(call(&c, "nth", &["d", "k"]), scalar("v"));
        assert!(call(&c, "nth", &["l", "5"]).is_err());
        assert!(call(&c, "join", &[",", "missing"]).is_err());
    }

    #[test]
    fn filtering() {
        let c = context();
        assert_eq!(
            call(&c, "filter", &["b", "l", "false", "false", "99"]),
            list(&["b", "b"])
        );
        assert_eq!(
            call(&c, "filter", &["[ab]", "l", "true", "true", "1"]),
            list(&["10"])
        );
        assert_eq!(call(&c, "grep", &["[ab]", "l"]), list(&["b", "a", "b"]));
        assert_eq!(call(&c, "unique", &["l"]), list(&["b", "a", "10", "9"]));
        assert_eq!(call(&c, "reverse", &[r#"["x","y"]"#]), list(&["y", "x"]));
        assert_eq!(call(&c, "sublist", &["l", "tail", "2"]), list(&["10", "9"]));
        assert_eq!(
            call(&c, "sublist", &["l", "head", "9"]).map(|v| v.as_list().map(<[String]>::len)),
            Ok(Some(5))
        );
        assert_eq!(
            call(&c, "difference", &["l", r#"["b"]"#]),
            list(&["a", "10", "9"])
        );
        assert_eq!(
            call(&c, "intersection", &["l", r#"["b","9"]"#]),
            list(&["b", "9"])
        );
        assert_eq!(call(&c, "every", &[".*", "l"]), yes());
        assert_eq!(call(&c, "every", &[".*", "[]"]), no());
        assert_eq!(call(&c, "some", &["1", "l"]), no());
        assert_eq!(call(&c, "none", &["z", "l"]), yes());
        assert_eq!(call(&c, "reglist", &["l", "[0-9]+"]), yes());
        assert_eq!(
            call(&c, "expandrange", &["h[1-3].x", "1"]),
            list(&["h1.x", "h2.x", "h3.x"])
        );
        assert_eq!(
            call(&c, "expandrange", &["h[01-10]", "4"]),
            list(&["h1", "h5", "h9"])
        );
    }

    #[test]
    fn sorting_and_shuffling() {
        let c = context();
        assert_eq!(
            call(&c, "sort", &["l", "lex"]),
            list(&["10", "9", "a", "b", "b"])
        );
        assert_eq!(
            call(&c, "sort", &["l", "int"]),
            list(&["a", "b", "b", "9", "10"])
        );
        assert_eq!(
            call(&c, "sort", &[r#"["1.5","x","-2","10",""]"#, "int"]),
            list(&["", "x", "-2", "1.5", "10"])
        );
        assert_eq!(
            call(&c, "sort", &[r#"["10.0.0.2","9.1.1.1","10.0.0.10"]"#, "IP"]),
            list(&["9.1.1.1", "10.0.0.2", "10.0.0.10"])
        );
        assert_eq!(
            call(
                &c,
                "sort",
                &[r#"["a0:00:00:00:00:01","0b:00:00:00:00:00"]"#, "MAC"]
            ),
            list(&["0b:00:00:00:00:00", "a0:00:00:00:00:01"])
        );
        assert_eq!(
            call(&c, "shuffle", &[r#"["a","b","c"]"#, ""]),
            list(&["b", "a", "c"])
        );
        assert_eq!(
            call(&c, "shuffle", &[r#"["a","b"]"#, "x"]),
            list(&["a", "b"])
        );
        assert_eq!(
            call(&c, "shuffle", &[r#"["a","b","c","d","e","f","g"]"#, "xx"]),
            list(&["e", "g", "b", "f", "c", "a", "d"])
        );
        assert_eq!(
            call(&c, "shuffle", &["l", "seed"]),
            list(&["9", "b", "b", "a", "10"])
        );
        assert!(call(&c, "sort", &["l", "weird"]).is_err());
    }
}
