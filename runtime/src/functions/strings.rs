//! String functions: case, slicing, splitting, replacing, hashing.

use super::format::format;
use super::regex::{search, split, split_keeping_rest};
use super::{
    class_result, int_arg, scalar_arg, Arity, Builtin, CallContext, Function, FunctionError,
    FunctionResult,
};
use crate::value::Value;

pub(super) const FUNCTIONS: &[&dyn Function] = &[
    &Builtin {
        name: "canonify",
        arity: Arity::Exactly(1),
        body: canonify,
    },
    &Builtin {
        name: "canonifyuniquely",
        arity: Arity::Exactly(1),
        body: canonifyuniquely,
    },
    &Builtin {
        name: "concat",
        arity: Arity::AtLeast(0),
        body: concat,
    },
    &Builtin {
        name: "escape",
        arity: Arity::Exactly(1),
        body: escape,
    },
    &Builtin {
        name: "format",
        arity: Arity::AtLeast(1),
        body: format,
    },
    &Builtin {
        name: "hash",
        arity: Arity::Exactly(2),
        body: hash,
    },
    &Builtin {
        name: "hash_to_int",
        arity: Arity::Exactly(3),
        body: hash_to_int,
    },
    &Builtin {
        name: "lastnode",
        arity: Arity::Exactly(2),
        body: lastnode,
    },
    &Builtin {
        name: "regex_replace",
        arity: Arity::Exactly(4),
        body: regex_replace,
    },
    &Builtin {
        name: "regextract",
        arity: Arity::Exactly(3),
        body: regextract,
    },
    &Builtin {
        name: "splitstring",
        arity: Arity::Exactly(3),
        body: splitstring,
    },
    &Builtin {
        name: "strcmp",
        arity: Arity::Exactly(2),
        body: strcmp,
    },
    &Builtin {
        name: "string_downcase",
        arity: Arity::Exactly(1),
        body: string_downcase,
    },
    &Builtin {
        name: "string_head",
        arity: Arity::Exactly(2),
        body: string_head,
    },
    &Builtin {
        name: "string_length",
        arity: Arity::Exactly(1),
        body: string_length,
    },
    &Builtin {
        name: "string_replace",
        arity: Arity::Exactly(3),
        body: string_replace,
    },
    &Builtin {
        name: "string_reverse",
        arity: Arity::Exactly(1),
        body: string_reverse,
    },
    &Builtin {
        name: "string_split",
        arity: Arity::Exactly(3),
        body: string_split,
    },
    &Builtin {
        name: "string_tail",
        arity: Arity::Exactly(2),
        body: string_tail,
    },
    &Builtin {
        name: "string_trim",
        arity: Arity::Exactly(1),
        body: string_trim,
    },
    &Builtin {
        name: "string_mustache",
        arity: Arity::AtLeast(1),
        body: super::mustache::string_mustache,
    },
    &Builtin {
        name: "string_upcase",
        arity: Arity::Exactly(1),
        body: string_upcase,
    },
];

/// Every byte outside `[A-Za-z0-9_]` becomes `_` (cf-agent works on bytes,
/// so `é` gives two).
pub(crate) fn canonify_bytes(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'_' {
                b as char
            } else {
                '_'
            }
        })
        .collect()
}

fn canonify(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    Ok(Value::Scalar(canonify_bytes(scalar_arg(args, 0)?)))
}

/// canonify, `_`, then the SHA-1 of the original text.
fn canonifyuniquely(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let text = scalar_arg(args, 0)?;
    let digest = digest_hex("sha1", text.as_bytes())?;
    Ok(Value::Scalar(format!("{}_{digest}", canonify_bytes(text))))
}

fn concat(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let mut out = String::new();
    for at in 0..args.len() {
        out.push_str(scalar_arg(args, at)?);
    }
    Ok(Value::Scalar(out))
}

/// Regex-escapes every character that is not a letter or digit (`_` and
/// space included, as cf-agent does).
fn escape(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let mut out = String::new();
    for c in scalar_arg(args, 0)?.chars() {
        if !c.is_ascii_alphanumeric() {
            out.push('\\');
        }
        out.push(c);
    }
    Ok(Value::Scalar(out))
}

/// Lowercase hex digest of `bytes`.
pub(crate) fn digest_hex(algorithm: &str, bytes: &[u8]) -> Result<String, FunctionError> {
    use sha2::Digest;
    fn hex(digest: &[u8]) -> String {
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }
    Ok(match algorithm {
        "md5" => hex(&md5::Md5::digest(bytes)),
        "sha1" => hex(&sha1::Sha1::digest(bytes)),
        "sha256" => hex(&sha2::Sha256::digest(bytes)),
        "sha384" => hex(&sha2::Sha384::digest(bytes)),
        "sha512" => hex(&sha2::Sha512::digest(bytes)),
        other => return Err(FunctionError(format!("unknown hash algorithm '{other}'"))),
    })
}

fn hash(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let text = scalar_arg(args, 0)?;
    Ok(Value::Scalar(digest_hex(
        scalar_arg(args, 1)?,
        text.as_bytes(),
    )?))
}

/// cf-agent's `StringHash`: Jenkins' one-at-a-time hash.
pub(crate) fn string_hash(text: &str, seed: u32) -> u32 {
    let mut h = seed;
    for b in text.bytes() {
        h = h.wrapping_add(u32::from(b));
        h = h.wrapping_add(h << 10);
        h ^= h >> 6;
    }
    h = h.wrapping_add(h << 3);
    h ^= h >> 11;
    h.wrapping_add(h << 15)
}

/// A number in `[lower, upper)` chosen by the text's SHA-256 (its first
/// eight bytes, little endian), as cf-agent does.
fn hash_to_int(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    use sha2::Digest;
    let (lower, upper) = (int_arg(args, 0)?, int_arg(args, 1)?);
    let (low, high) = if lower <= upper {
        (lower, upper)
    } else {
        (upper, lower)
    };
    if low == high {
        return Ok(Value::Scalar(low.to_string()));
    }
    let digest = sha2::Sha256::digest(scalar_arg(args, 2)?.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    let span = high.abs_diff(low);
    let offset = u64::from_le_bytes(first) % span;
    Ok(Value::Scalar(
        (i128::from(low) + i128::from(offset)).to_string(),
    ))
}

/// The text after the last match of the separator regex.
fn lastnode(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let text = scalar_arg(args, 0)?;
    let pieces = split(text, scalar_arg(args, 1)?, 100, true)?;
    pieces
        .last()
        .map(|last| Value::Scalar(last.clone()))
        .ok_or_else(|| FunctionError(format!("lastnode: nothing to split in '{text}'")))
}

/// `regex_replace(text, regex, replacement, options)`: `g` replaces every
/// match, `i` ignores case, `m`/`s`/`x`/`U` as in PCRE, `T` takes the
/// replacement literally; otherwise `$1` and `\1` refer to groups.
fn regex_replace(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let (text, pattern, replacement, options) = (
        scalar_arg(args, 0)?,
        scalar_arg(args, 1)?,
        scalar_arg(args, 2)?,
        scalar_arg(args, 3)?,
    );
    let mut flags = String::new();
    for option in options.chars() {
        match option {
            'i' | 'm' | 's' | 'x' | 'U' => flags.push(option),
            // cf-agent ignores options it does not know.
            _ => {}
        }
    }
    let global = options.contains('g');
    // `T`: the replacement is literal text, without group references.
    let literal = options.contains('T');
    let full = if flags.is_empty() {
        pattern.to_string()
    } else {
        format!("(?{flags}){pattern}")
    };
    let regex = super::regex::compile(&full)?;
    // PCRE's global replace: after a match the search goes on where it
    // ended, so `a*` replaces `aaa` and then the empty string at the end.
    let mut out = String::new();
    let mut last = 0;
    let mut from = 0;
    while from <= text.len() {
        let found = regex
            .captures_from_pos(text, from)
            .map_err(|e| FunctionError(format!("regex_replace: {e}")))?;
        let Some(captures) = found else { break };
        let Some(whole) = captures.get(0) else { break };
        out.push_str(&text[last..whole.start()]);
        if literal {
            out.push_str(replacement);
        } else {
            expand_replacement(replacement, &captures, &mut out);
        }
        last = whole.end();
        from = if whole.start() == whole.end() {
            match text[whole.end()..].chars().next() {
                Some(c) => {
                    out.push(c);
                    last = whole.end() + c.len_utf8();
                    last
                }
                None => text.len() + 1,
            }
        } else {
            whole.end()
        };
        if !global {
            break;
        }
    }
    out.push_str(&text[last.min(text.len())..]);
    Ok(Value::Scalar(out))
}

/// `$n` and `\n` (one digit) are groups; anything else is literal.
fn expand_replacement(replacement: &str, captures: &fancy_regex::Captures, out: &mut String) {
    let mut chars = replacement.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek() == Some(&'&') {
            chars.next();
            if let Some(m) = captures.get(0) {
                out.push_str(m.as_str());
            }
            continue;
        }
        if matches!(c, '$' | '\\') {
            if let Some(group) = chars.peek().and_then(|d| d.to_digit(10)) {
                chars.next();
                if let Some(m) = captures.get(group as usize) {
                    out.push_str(m.as_str());
                }
                continue;
            }
        }
        out.push(c);
    }
}

/// `regextract(regex, text, array)`: searches (unanchored); on a match
/// defines `array[0]` (the match) and `array[n]` (group n).
fn regextract(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let (pattern, text, array) = (
        scalar_arg(args, 0)?,
        scalar_arg(args, 1)?,
        scalar_arg(args, 2)?,
    );
    let Some(groups) = search(pattern, text)? else {
        return Ok(class_result(false));
    };
    for (at, group) in groups.into_iter().enumerate() {
        if let Some(group) = group {
            super::define(context, "regextract", &format!("{array}[{at}]"), group);
        }
    }
    Ok(class_result(true))
}

/// At most `max` pieces; the rest of the text is dropped.
fn splitstring(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let max = usize::try_from(int_arg(args, 2)?).unwrap_or(0);
    Ok(Value::List(split(
        scalar_arg(args, 0)?,
        scalar_arg(args, 1)?,
        max,
        true,
    )?))
}

/// At most `max` pieces (at least 1); the last holds the rest of the text.
fn string_split(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let max = usize::try_from(int_arg(args, 2)?)
        .ok()
        .filter(|m| *m >= 1)
        .ok_or_else(|| FunctionError("string_split: the maximum must be 1 or more".into()))?;
    Ok(Value::List(split_keeping_rest(
        scalar_arg(args, 0)?,
        scalar_arg(args, 1)?,
        max,
    )?))
}

fn strcmp(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    Ok(class_result(scalar_arg(args, 0)? == scalar_arg(args, 1)?))
}

/// ASCII only, as cf-agent.
fn string_downcase(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    Ok(Value::Scalar(scalar_arg(args, 0)?.to_ascii_lowercase()))
}

fn string_upcase(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    Ok(Value::Scalar(scalar_arg(args, 0)?.to_ascii_uppercase()))
}

fn bytes_text(bytes: &[u8]) -> Value {
    Value::Scalar(String::from_utf8_lossy(bytes).into_owned())
}

/// The first n bytes; negative n: all but the last |n|.
fn string_head(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let bytes = scalar_arg(args, 0)?.as_bytes();
    let n = int_arg(args, 1)?;
    let keep = if n >= 0 {
        (n as u64).min(bytes.len() as u64) as usize
    } else {
        bytes
            .len()
            .saturating_sub(n.unsigned_abs().min(bytes.len() as u64) as usize)
    };
    Ok(bytes_text(&bytes[..keep]))
}

/// The last n bytes; negative n: all but the first |n|.
fn string_tail(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let bytes = scalar_arg(args, 0)?.as_bytes();
    let n = int_arg(args, 1)?;
    let skip = if n >= 0 {
        bytes
            .len()
            .saturating_sub((n as u64).min(bytes.len() as u64) as usize)
    } else {
        (n.unsigned_abs().min(bytes.len() as u64)) as usize
    };
    Ok(bytes_text(&bytes[skip..]))
}

/// Bytes, not characters, as cf-agent counts.
fn string_length(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    Ok(Value::Scalar(scalar_arg(args, 0)?.len().to_string()))
}

fn string_replace(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let (text, from, to) = (
        scalar_arg(args, 0)?,
        scalar_arg(args, 1)?,
        scalar_arg(args, 2)?,
    );
    if from.is_empty() {
        return Ok(Value::scalar(text));
    }
    Ok(Value::Scalar(text.replace(from, to)))
}

fn string_reverse(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    Ok(Value::Scalar(scalar_arg(args, 0)?.chars().rev().collect()))
}

fn string_trim(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    Ok(Value::scalar(scalar_arg(args, 0)?.trim()))
}

#[cfg(test)]
mod tests {
    use crate::functions::test_context::*;
    use crate::value::Value;

    #[test]
    fn case_length_and_slices() {
        let c = FixedContext::default();
        assert_eq!(call(&c, "canonify", &["a.b/é"]), scalar("a_b___"));
        assert_eq!(call(&c, "concat", &["a", "b", "c"]), scalar("abc"));
        assert_eq!(call(&c, "string_length", &["héllo"]), scalar("6"));
        assert_eq!(call(&c, "string_upcase", &["héllo"]), scalar("HéLLO"));
        assert_eq!(call(&c, "string_downcase", &["AbC"]), scalar("abc"));
        assert_eq!(call(&c, "string_head", &["abcdef", "-2"]), scalar("abcd"));
        assert_eq!(call(&c, "string_tail", &["abcdef", "-2"]), scalar("cdef"));
        assert_eq!(call(&c, "string_head", &["abc", "10"]), scalar("abc"));
        assert_eq!(call(&c, "string_tail", &["abc", "2"]), scalar("bc"));
        assert_eq!(call(&c, "string_reverse", &["abc"]), scalar("cba"));
        assert_eq!(call(&c, "string_trim", &["  a b  "]), scalar("a b"));
        assert!(call(&c, "string_head", &["abc", "x"]).is_err());
    }

    #[test]
    fn comparing_replacing_escaping() {
        let c = FixedContext::default();
        assert_eq!(call(&c, "strcmp", &["a", "a"]), yes());
        assert_eq!(call(&c, "strcmp", &["a", "b"]), no());
        assert_eq!(
            call(&c, "string_replace", &["/s/x/s", "/s", "<S>"]),
            scalar("<S>/x<S>")
        );
        assert_eq!(
            call(&c, "escape", &["a.b*c[1]-x_y z"]),
            scalar(r"a\.b\*c\[1\]\-x\_y\ z")
        );
        assert_eq!(
            call(&c, "regex_replace", &["abcabc", "b(c)", r"[$1\1]", "g"]),
            scalar("a[cc]a[cc]")
        );
        assert_eq!(
            call(&c, "regex_replace", &["ABCabc", "b", "x", "i"]),
            scalar("AxCabc")
        );
        assert_eq!(
            call(&c, "regex_replace", &["abcabc", "b", "x", ""]),
            scalar("axcabc")
        );
        assert!(call(&c, "regex_replace", &["a", "(", "x", "g"]).is_err());
        assert_eq!(
            call(&c, "regex_replace", &["aaa", "a*", "X", "g"]),
            scalar("XX")
        );
        assert_eq!(
            call(&c, "regex_replace", &["a.b", r"\.", "$1", "gT"]),
            scalar("a$1b")
        );
        assert_eq!(
            call(&c, "regex_replace", &["abc", "", "-", "g"]),
            scalar("-a-b-c-")
        );
        assert_eq!(
            call(
                &c,
                "regex_replace",
                &["hello world", r"(\w+) (\w+)", r"\2 \1", ""]
            ),
            scalar("world hello")
        );
        assert_eq!(
            call(&c, "regex_replace", &["a", "a", "x", "q"]),
            scalar("x")
        );
        assert_eq!(
            call(&c, "regex_replace", &["a.b", r"(\.)", "[$&$0]", "g"]),
            scalar("a[..]b")
        );
    }

    #[test]
    fn hashes() {
        let c = FixedContext::default();
        assert_eq!(
            call(&c, "hash", &["abc", "md5"]),
            scalar("900150983cd24fb0d6963f7d28e17f72")
        );
        assert_eq!(
            call(&c, "canonifyuniquely", &["a b"]),
            scalar("a_b_7dbde93504122a707f849f2c12bdd9de71b41929")
        );
        assert!(call(&c, "hash", &["abc", "crc"]).is_err());
        assert_eq!(
            call(&c, "hash_to_int", &["0", "100", "hello"]),
            scalar("72")
        );
        assert_eq!(call(&c, "hash_to_int", &["10", "20", "abc"]), scalar("14"));
        assert_eq!(call(&c, "hash_to_int", &["0", "1000", ""]), scalar("227"));
        assert_eq!(
            call(&c, "hash_to_int", &["0", "1000000000", "hello"]),
            scalar("928880172")
        );
    }

    #[test]
    fn splitting() {
        let c = FixedContext::default();
        assert_eq!(
            call(&c, "splitstring", &["a,b,c,d", ",", "2"]),
            list(&["a", "b"])
        );
        assert_eq!(
            call(&c, "string_split", &["a,b,c,d", ",", "2"]),
            list(&["a", "b,c,d"])
        );
        assert_eq!(
            call(&c, "splitstring", &["a,,b,", ",", "10"]),
            list(&["a", "", "b", ""])
        );
        assert_eq!(call(&c, "lastnode", &["/a/b/c.txt", "/"]), scalar("c.txt"));
        assert_eq!(call(&c, "lastnode", &["a.b.c", r"\."]), scalar("c"));
        assert_eq!(call(&c, "lastnode", &["a/b/", "/"]), scalar(""));
        assert!(call(&c, "lastnode", &["", "/"]).is_err());
        assert_eq!(
            call(&c, "string_split", &["abc", "", "5"]),
            list(&["", "", "", "", "abc"])
        );
        assert!(call(&c, "string_split", &["abc", ",", "0"]).is_err());
        assert_eq!(call(&c, "splitstring", &["", ",", "5"]), list(&[]));
    }

    #[test]
    fn regextract_defines_the_groups() {
        let c = FixedContext::default();
        assert_eq!(call(&c, "regextract", &["b(.)", "abcd", "m"]), yes());
        assert_eq!(c.defined("m[0]"), Some(Value::scalar("bc")));
        assert_eq!(c.defined("m[1]"), Some(Value::scalar("c")));
        assert_eq!(call(&c, "regextract", &["z", "abcd", "m"]), no());
    }
}
