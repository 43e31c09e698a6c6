//! `format(fmt, args…)`: printf conversions over string arguments.

use super::{scalar_arg, CallContext, FunctionError, FunctionResult};
use crate::value::Value;

/// One `%[flags][width][.precision]conversion`.
struct Spec {
    left: bool,
    zero: bool,
    plus: bool,
    space: bool,
    alternate: bool,
    width: usize,
    precision: Option<usize>,
    conversion: char,
}

/// Conversion letters that end a format piece (cf-agent's pattern).
const CONVERSIONS: &str = "diouxXeEfFgGaAcsCSpnm";

/// Length modifiers cf-agent refuses.
const BAD_MODIFIERS: &str = "hLqjzt";

/// cf-agent's `format()`: the text is cut into pieces `%…<conversion>`
/// followed by plain text. A piece holding `d`, `o` or `x` prints a
/// number read with `%ld`, one holding `f` a real, `s` the text, `S` a
/// list or container; any other piece prints `(unhandled format)`. A `%`
/// that starts no piece ends the output there.
pub(super) fn format(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let template = scalar_arg(args, 0)?;
    let mut values = args[1..].iter();
    let Some(first) = template.find('%') else {
        return Ok(Value::scalar(template));
    };
    let mut out = template[..first].to_string();
    let mut rest = &template[first..];
    while !rest.is_empty() {
        let Some(piece_len) = piece_length(rest) else {
            break;
        };
        let piece = &rest[..piece_len];
        let literal_end = rest[piece_len..]
            .find('%')
            .map_or(rest.len(), |at| at + piece_len);
        if piece == "%%" {
            out.push('%');
        } else {
            let value = values
                .next()
                .ok_or_else(|| FunctionError("format() didn't have enough parameters".into()))?;
            if let Some(bad) = piece.chars().find(|c| BAD_MODIFIERS.contains(*c)) {
                return Err(FunctionError(format!(
                    "format() does not allow modifier character '{bad}' in format specifier '{piece}'"
                )));
            }
            out.push_str(&convert_piece(context, piece, value)?);
        }
        out.push_str(&rest[piece_len..literal_end]);
        rest = &rest[literal_end..];
    }
    Ok(Value::Scalar(out))
}

/// The length of the piece at the start of `text` (which starts with `%`).
fn piece_length(text: &str) -> Option<usize> {
    if text.starts_with("%%") {
        return Some(2);
    }
    for (at, c) in text.char_indices().skip(1) {
        if CONVERSIONS.contains(c) {
            return Some(at + c.len_utf8());
        }
        if c == '%' {
            return None;
        }
    }
    None
}

fn convert_piece(
    context: &dyn CallContext,
    piece: &str,
    value: &Value,
) -> Result<String, FunctionError> {
    let kind = if piece.contains(['d', 'o', 'x']) {
        piece
            .chars()
            .rev()
            .find(|c| matches!(c, 'd' | 'o' | 'x'))
            .unwrap_or('d')
    } else if piece.contains('f') {
        'f'
    } else if piece.contains('s') {
        's'
    } else if piece.contains('S') {
        'S'
    } else {
        return Ok("(unhandled format)".to_string());
    };
    let mut chars = piece[1..].chars().peekable();
    let mut spec = parse_spec(&mut chars)?;
    spec.conversion = kind;
    // cf-agent does not hand a container from a nested call to format().
    if matches!(value, Value::Data(_)) {
        return Err(FunctionError(
            "format() didn't have enough parameters".into(),
        ));
    }
    let body = match (kind, value) {
        ('S', _) => policy_text(context, value)?,
        (_, Value::Scalar(text)) => convert(&spec, text),
        _ => return Err(FunctionError("format() arguments must be strings".into())),
    };
    Ok(pad(&spec, body))
}

fn parse_spec(chars: &mut std::iter::Peekable<std::str::Chars>) -> Result<Spec, FunctionError> {
    let mut spec = Spec {
        left: false,
        zero: false,
        plus: false,
        space: false,
        alternate: false,
        width: 0,
        precision: None,
        conversion: '%',
    };
    while let Some(&flag) = chars.peek() {
        match flag {
            '-' => spec.left = true,
            '0' => spec.zero = true,
            '+' => spec.plus = true,
            ' ' => spec.space = true,
            '#' => spec.alternate = true,
            _ => break,
        }
        chars.next();
    }
    spec.width = digits(chars);
    if chars.peek() == Some(&'.') {
        chars.next();
        spec.precision = Some(digits(chars));
    }
    // Length modifiers change nothing for text arguments.
    while matches!(chars.peek(), Some('l' | 'h' | 'z' | 'j' | 'L' | 'q')) {
        chars.next();
    }
    spec.conversion = chars
        .next()
        .ok_or_else(|| FunctionError("format(): '%' at the end of the format".into()))?;
    Ok(spec)
}

fn digits(chars: &mut std::iter::Peekable<std::str::Chars>) -> usize {
    let mut n: usize = 0;
    while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
        n = n.saturating_mul(10).saturating_add(d as usize);
        chars.next();
    }
    n
}

/// C's `strtol`/`strtod` prefix: leading number, else 0.
fn leading_int(text: &str) -> i64 {
    let text = text.trim_start();
    let end = text
        .char_indices()
        .take_while(|&(at, c)| c.is_ascii_digit() || (at == 0 && matches!(c, '-' | '+')))
        .count();
    text[..end].parse().unwrap_or(0)
}

fn leading_real(text: &str) -> f64 {
    let text = text.trim_start();
    (1..=text.len())
        .rev()
        .filter(|&end| text.is_char_boundary(end))
        .find_map(|end| text[..end].parse::<f64>().ok())
        .unwrap_or(0.0)
}

fn convert(spec: &Spec, text: &str) -> String {
    let sign = |negative: bool| match (negative, spec.plus, spec.space) {
        (true, _, _) => "-",
        (false, true, _) => "+",
        (false, false, true) => " ",
        _ => "",
    };
    match spec.conversion {
        's' => match spec.precision {
            Some(max) => text.chars().take(max).collect(),
            None => text.to_string(),
        },
        'd' => {
            let n = leading_int(text);
            format!("{}{}", sign(n < 0), n.unsigned_abs())
        }
        'x' => format!(
            "{}{:x}",
            if spec.alternate { "0x" } else { "" },
            leading_int(text)
        ),
        'o' => format!(
            "{}{:o}",
            if spec.alternate { "0" } else { "" },
            leading_int(text)
        ),
        'f' | 'F' => {
            let x = leading_real(text);
            format!(
                "{}{:.*}",
                sign(x < 0.0),
                spec.precision.unwrap_or(6),
                x.abs()
            )
        }
        // cf-agent 3.21 prints this for the other conversions (`%X`, `%e`,
        // `%g`, `%c`, …).
        _ => "(unhandled format)".to_string(),
    }
}

/// `%S`: the list or container a variable *name* holds, as policy text
/// (`{ "a", "b" }`, quotes escaped) or compact JSON. As in cf-agent, a value
/// (`@(list)`, a nested call, inline JSON) is refused, as is a name of
/// anything else.
fn policy_text(context: &dyn CallContext, value: &Value) -> Result<String, FunctionError> {
    let resolved = match value {
        Value::Scalar(name) => context.variable(name),
        _ => None,
    };
    match resolved {
        Some(Value::List(items)) => {
            let quoted: Vec<String> = items
                .iter()
                .map(|i| format!("\"{}\"", i.replace('"', "\\\"")))
                .collect();
            Ok(format!("{{ {} }}", quoted.join(", ")))
        }
        Some(Value::Data(json)) => Ok(super::json_text::compact(&json)),
        _ => Err(FunctionError(
            "format() with %S needs a list or a data container".into(),
        )),
    }
}

fn pad(spec: &Spec, body: String) -> String {
    let len = body.chars().count();
    if len >= spec.width {
        return body;
    }
    let fill = spec.width - len;
    let numeric = matches!(spec.conversion, 'd' | 'i' | 'x' | 'o' | 'f' | 'F');
    if spec.left {
        format!("{body}{}", " ".repeat(fill))
    } else if spec.zero && numeric {
        let split = body.find(|c: char| c.is_ascii_alphanumeric()).unwrap_or(0);
        let (sign, digits) = body.split_at(split);
        format!("{sign}{}{digits}", "0".repeat(fill))
    } else {
        format!("{}{body}", " ".repeat(fill))
    }
}

#[cfg(test)]
mod tests {
    use crate::functions::test_context::*;
    use crate::value::Value;

    #[test]
    fn printf_conversions() {
        let c = FixedContext::default();
        assert_eq!(
            call(
                &c,
                "format",
                &[
                    "%5.2f|%-4s|%05d|%x|%s|%%",
                    "3.14159",
                    "ab",
                    "42",
                    "255",
                    "z"
                ]
            ),
            scalar(" 3.14|ab  |00042|ff|z|%")
        );
        assert_eq!(call(&c, "format", &["%d %d", "3.7", "abc"]), scalar("3 0"));
        assert_eq!(call(&c, "format", &["%05d", "-42"]), scalar("-0042"));
        assert_eq!(
            call(&c, "format", &["%c", "65"]),
            scalar("(unhandled format)")
        );
        assert_eq!(
            call(&c, "format", &["%X|%e|%g", "1", "2", "3"]),
            scalar("(unhandled format)|(unhandled format)|(unhandled format)")
        );
        assert_eq!(
            call(
                &c,
                "format",
                &[
                    "[%10s][%.3s][%+d][% d][%o][%#x]",
                    "abc",
                    "abcdef",
                    "5",
                    "5",
                    "8",
                    "255"
                ]
            ),
            scalar("[       abc][abc][+5][ 5][10][0xff]")
        );
        assert!(call(&c, "format", &["%s and %s", "one"]).is_err());
    }

    #[test]
    fn policy_text_of_variables() {
        let mut c = FixedContext::default();
        c.variables.insert("l".into(), Value::list(["b", "a"]));
        c.variables
            .insert("d".into(), Value::Data(serde_json::json!({"a": 1})));
        assert_eq!(call(&c, "format", &["%S", "l"]), scalar(r#"{ "b", "a" }"#));
        assert_eq!(call(&c, "format", &["%S", "d"]), scalar(r#"{"a":1}"#));
        assert!(call(&c, "format", &["%S", r#"["x"]"#]).is_err());
        c.variables.insert("s".into(), Value::scalar("text"));
        assert!(call(&c, "format", &["%S", "s"]).is_err());
    }
}
