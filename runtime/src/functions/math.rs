//! Numbers: `int`, `eval`, comparisons, ranges and list statistics.

use std::cmp::Ordering;

use super::lists::{by_number, list_arg};
use super::{
    class_result, int_arg, real_text, scalar_arg, Arity, Builtin, CallContext, Function,
    FunctionError, FunctionResult,
};
use crate::value::Value;

pub(super) const FUNCTIONS: &[&dyn Function] = &[
    &Builtin {
        name: "eval",
        arity: Arity::Between(1, 3),
        body: eval,
    },
    &Builtin {
        name: "int",
        arity: Arity::Exactly(1),
        body: int,
    },
    &Builtin {
        name: "irange",
        arity: Arity::Exactly(2),
        body: irange,
    },
    &Builtin {
        name: "isgreaterthan",
        arity: Arity::Exactly(2),
        body: isgreaterthan,
    },
    &Builtin {
        name: "islessthan",
        arity: Arity::Exactly(2),
        body: islessthan,
    },
    &Builtin {
        name: "max",
        arity: Arity::Exactly(2),
        body: max,
    },
    &Builtin {
        name: "mean",
        arity: Arity::Exactly(1),
        body: mean,
    },
    &Builtin {
        name: "min",
        arity: Arity::Exactly(2),
        body: min,
    },
    &Builtin {
        name: "product",
        arity: Arity::Exactly(1),
        body: product,
    },
    &Builtin {
        name: "randomint",
        arity: Arity::Exactly(2),
        body: randomint,
    },
    &Builtin {
        name: "rrange",
        arity: Arity::Exactly(2),
        body: rrange,
    },
    &Builtin {
        name: "sum",
        arity: Arity::Exactly(1),
        body: sum,
    },
    &Builtin {
        name: "variance",
        arity: Arity::Exactly(1),
        body: variance,
    },
];

/// A real with an optional `k`/`m`/`g` (1000) or `K`/`M`/`G` (1024) factor.
fn parse_real(text: &str) -> Option<f64> {
    let text = text.trim();
    let (digits, factor) = match text.char_indices().last()? {
        (at, 'k') => (&text[..at], 1e3),
        (at, 'K') => (&text[..at], 1024.0),
        (at, 'm') => (&text[..at], 1e6),
        (at, 'M') => (&text[..at], 1024.0 * 1024.0),
        (at, 'g') => (&text[..at], 1e9),
        (at, 'G') => (&text[..at], 1024.0 * 1024.0 * 1024.0),
        _ => (text, 1.0),
    };
    digits.parse::<f64>().ok().map(|x| x * factor)
}

/// The integer part of a (possibly real, possibly scaled) number.
fn int(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let text = scalar_arg(args, 0)?;
    let x =
        parse_real(text).ok_or_else(|| FunctionError(format!("int: '{text}' is not a number")))?;
    Ok(Value::Scalar((x.trunc() as i64).to_string()))
}

fn compare(args: &[Value]) -> Result<Ordering, FunctionError> {
    let (a, b) = (scalar_arg(args, 0)?, scalar_arg(args, 1)?);
    Ok(match (parse_real(a), parse_real(b)) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        _ => a.cmp(b),
    })
}

fn isgreaterthan(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    Ok(class_result(compare(args)? == Ordering::Greater))
}

fn islessthan(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    Ok(class_result(compare(args)? == Ordering::Less))
}

/// A range value is its two ends, comma separated.
fn irange(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    Ok(Value::Scalar(format!(
        "{},{}",
        int_arg(args, 0)?,
        int_arg(args, 1)?
    )))
}

fn rrange(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let end = |at| {
        let text = scalar_arg(args, at)?;
        parse_real(text).ok_or_else(|| FunctionError(format!("rrange: '{text}' is not a number")))
    };
    Ok(Value::Scalar(format!(
        "{},{}",
        real_text(end(0)?),
        real_text(end(1)?)
    )))
}

/// A number in `[lower, upper)`.
fn randomint(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let (a, b) = (int_arg(args, 0)?, int_arg(args, 1)?);
    let (low, high) = if a <= b { (a, b) } else { (b, a) };
    if low == high {
        return Ok(Value::Scalar(low.to_string()));
    }
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
        ^ u64::from(std::process::id());
    // splitmix64: good enough for spreading load, as cf-agent's use of rand().
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    let span = (high - low) as u64;
    Ok(Value::Scalar((low + (z % span) as i64).to_string()))
}

fn extreme(context: &dyn CallContext, args: &[Value], want: Ordering) -> FunctionResult {
    let items = list_arg(context, args, 0)?;
    let order: fn(&str, &str) -> Ordering = match scalar_arg(args, 1)? {
        "lex" => |a: &str, b: &str| a.cmp(b),
        "int" => |a: &str, b: &str| by_number(a, b, parse_real),
        "real" => |a: &str, b: &str| by_number(a, b, parse_real),
        other => return Err(FunctionError(format!("unknown sort mode '{other}'"))),
    };
    let mut best: Option<&String> = None;
    for item in &items {
        if best.is_none_or(|b| order(item, b) == want) {
            best = Some(item);
        }
    }
    best.map(|b| Value::Scalar(b.clone()))
        .ok_or_else(|| FunctionError("the list is empty".into()))
}

fn max(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    extreme(context, args, Ordering::Greater)
}

fn min(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    extreme(context, args, Ordering::Less)
}

/// The elements as numbers; a non-number counts as 0.
fn numbers(context: &dyn CallContext, args: &[Value]) -> Result<Vec<f64>, FunctionError> {
    Ok(list_arg(context, args, 0)?
        .iter()
        .map(|i| parse_real(i).unwrap_or(0.0))
        .collect())
}

fn sum(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    // Folded from +0.0: an empty sum prints 0.000000, not -0.000000.
    let total = numbers(context, args)?.iter().fold(0.0, |sum, x| sum + x);
    Ok(Value::Scalar(real_text(total)))
}

fn product(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    Ok(Value::Scalar(real_text(
        numbers(context, args)?.iter().product(),
    )))
}

fn mean(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let xs = numbers(context, args)?;
    if xs.is_empty() {
        return Err(FunctionError("mean of an empty list".into()));
    }
    Ok(Value::Scalar(real_text(
        xs.iter().sum::<f64>() / xs.len() as f64,
    )))
}

/// Sample variance (divides by n − 1).
fn variance(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let xs = numbers(context, args)?;
    if xs.is_empty() {
        return Err(FunctionError("variance of an empty list".into()));
    }
    if xs.len() == 1 {
        return Ok(Value::Scalar(real_text(0.0)));
    }
    let mean = xs.iter().sum::<f64>() / xs.len() as f64;
    let squares: f64 = xs.iter().map(|x| (x - mean).powi(2)).sum();
    Ok(Value::Scalar(real_text(squares / (xs.len() - 1) as f64)))
}

/// `eval(expression, "math"|"class", "infix")`: math prints `%f`; class
/// gives `any` when the result is not zero.
fn eval(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let expression = scalar_arg(args, 0)?;
    let mode = if args.len() > 1 {
        scalar_arg(args, 1)?
    } else {
        "math"
    };
    if args.len() > 2 && scalar_arg(args, 2)? != "infix" {
        return Err(FunctionError("eval: only infix expressions exist".into()));
    }
    // cf-agent reads an empty expression as 0, and answers a bad one with
    // an empty string (math) or false (class), not with a failure.
    let value = if expression.trim().is_empty() {
        Ok(0.0)
    } else {
        super::infix::evaluate(expression)
    };
    match (mode, value) {
        ("math", Ok(value)) => Ok(Value::Scalar(real_text(value))),
        ("math", Err(_)) => Ok(Value::scalar("")),
        ("class", value) => Ok(class_result(value.is_ok_and(|v| v != 0.0))),
        (other, _) => Err(FunctionError(format!("eval: unknown mode '{other}'"))),
    }
}

#[cfg(test)]
mod tests {
    use crate::functions::test_context::*;

    #[test]
    fn numbers_and_comparisons() {
        let c = FixedContext::default();
        assert_eq!(call(&c, "int", &["3.9"]), scalar("3"));
        assert_eq!(call(&c, "int", &["-2.5k"]), scalar("-2500"));
        assert!(call(&c, "int", &["x"]).is_err());
        assert_eq!(call(&c, "isgreaterthan", &["10", "9"]), yes());
        assert_eq!(call(&c, "isgreaterthan", &["b", "a"]), yes());
        assert_eq!(call(&c, "islessthan", &["10", "9"]), no());
        assert_eq!(call(&c, "irange", &["1", "4"]), scalar("1,4"));
        let r = call(&c, "randomint", &["5", "7"])
            .ok()
            .and_then(|v| v.as_scalar().map(str::to_string));
        assert!(matches!(r.as_deref(), Some("5" | "6")));
    }

    #[test]
    fn list_statistics() {
        let c = FixedContext::default();
        assert_eq!(call(&c, "max", &[r#"["3","10","x"]"#, "int"]), scalar("10"));
        assert_eq!(call(&c, "max", &[r#"["3","10","x"]"#, "lex"]), scalar("x"));
        assert_eq!(call(&c, "min", &[r#"["3","10","x"]"#, "int"]), scalar("x"));
        assert_eq!(
            call(&c, "min", &[r#"["1.5","x","-2",""]"#, "real"]),
            scalar("")
        );
        assert_eq!(call(&c, "sum", &[r#"["1","2.5"]"#]), scalar("3.500000"));
        assert_eq!(call(&c, "sum", &["[]"]), scalar("0.000000"));
        assert_eq!(
            call(&c, "product", &[r#"["2","x","3"]"#]),
            scalar("0.000000")
        );
        assert_eq!(call(&c, "mean", &[r#"["1","2","x"]"#]), scalar("1.000000"));
        assert_eq!(
            call(&c, "variance", &[r#"["1","2","3"]"#]),
            scalar("1.000000")
        );
        assert!(call(&c, "mean", &["[]"]).is_err());
    }

    #[test]
    fn eval_math_and_class() {
        let c = FixedContext::default();
        assert_eq!(
            call(&c, "eval", &["2^3^2", "math", "infix"]),
            scalar("64.000000")
        );
        assert_eq!(
            call(&c, "eval", &["10 - 2 - 3", "math", "infix"]),
            scalar("5.000000")
        );
        assert_eq!(
            call(&c, "eval", &["-3 % 2", "math", "infix"]),
            scalar("-1.000000")
        );
        assert_eq!(call(&c, "eval", &["1/0", "math", "infix"]), scalar("inf"));
        assert_eq!(
            call(&c, "eval", &["2+3*4", "math", "infix"]),
            scalar("14.000000")
        );
        assert_eq!(
            call(&c, "eval", &["10/4", "math", "infix"]),
            scalar("2.500000")
        );
        assert_eq!(
            call(&c, "eval", &["2**10", "math", "infix"]),
            scalar("1024.000000")
        );
        assert_eq!(
            call(&c, "eval", &["sin(0)+ceil(1.2)", "math", "infix"]),
            scalar("2.000000")
        );
        assert_eq!(call(&c, "eval", &["3 == 3", "class", "infix"]), yes());
        assert_eq!(
            call(&c, "eval", &["5 % 3 - -1", "math", "infix"]),
            scalar("3.000000")
        );
        assert_eq!(call(&c, "eval", &["2+", "math", "infix"]), scalar(""));
        assert_eq!(call(&c, "eval", &["2+", "class", "infix"]), no());
        assert_eq!(
            call(&c, "eval", &[" ", "math", "infix"]),
            scalar("0.000000")
        );
    }
}
