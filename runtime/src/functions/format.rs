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

pub(super) fn format(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let template = scalar_arg(args, 0)?;
    let mut values = args[1..].iter();
    let mut out = String::new();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let spec = parse_spec(&mut chars)?;
        if spec.conversion == '%' {
            out.push('%');
            continue;
        }
        let value = values
            .next()
            .ok_or_else(|| FunctionError("format() didn't have enough parameters".into()))?;
        let text = match value {
            Value::Scalar(text) => text.as_str(),
            _ => return Err(FunctionError("format() arguments must be strings".into())),
        };
        let body = convert(context, &spec, text)?;
        out.push_str(&pad(&spec, body));
    }
    Ok(Value::Scalar(out))
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

fn convert(context: &dyn CallContext, spec: &Spec, text: &str) -> Result<String, FunctionError> {
    let sign = |negative: bool| match (negative, spec.plus, spec.space) {
        (true, _, _) => "-",
        (false, true, _) => "+",
        (false, false, true) => " ",
        _ => "",
    };
    Ok(match spec.conversion {
        's' => match spec.precision {
            Some(max) => text.chars().take(max).collect(),
            None => text.to_string(),
        },
        'S' => policy_text(context, text),
        'd' | 'i' => {
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
    })
}

/// `%S`: a variable shown as policy text (`{ "a", "b" }`, compact JSON).
fn policy_text(context: &dyn CallContext, name: &str) -> String {
    match context.variable(name) {
        Some(Value::List(items)) => {
            let quoted: Vec<String> = items.iter().map(|i| format!("\"{i}\"")).collect();
            format!("{{ {} }}", quoted.join(", "))
        }
        Some(Value::Data(json)) => json.to_string(),
        Some(Value::Scalar(text)) => text,
        None => match serde_json::from_str::<serde_json::Value>(name) {
            Ok(json) if json.is_object() || json.is_array() => json.to_string(),
            _ => name.to_string(),
        },
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
    }
}
