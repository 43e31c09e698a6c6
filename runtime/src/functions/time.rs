//! Time: `now`, `ago`, `accumulated`, `on`, `laterthan`, `strftime`.

use super::{
    class_result, int_arg, scalar_arg, Arity, Builtin, CallContext, Function, FunctionError,
    FunctionResult,
};
use crate::value::Value;

pub(super) const FUNCTIONS: &[&dyn Function] = &[
    &Builtin {
        name: "accumulated",
        arity: Arity::Exactly(6),
        body: accumulated,
    },
    &Builtin {
        name: "ago",
        arity: Arity::Exactly(6),
        body: ago,
    },
    &Builtin {
        name: "laterthan",
        arity: Arity::Exactly(6),
        body: laterthan,
    },
    &Builtin {
        name: "now",
        arity: Arity::Exactly(0),
        body: now,
    },
    &Builtin {
        name: "on",
        arity: Arity::Exactly(6),
        body: on,
    },
    &Builtin {
        name: "strftime",
        arity: Arity::Exactly(3),
        body: strftime,
    },
];

fn epoch_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Years, months, days, hours, minutes, seconds as cf-agent counts a span
/// (a year is 365 days, a month 30).
fn span(args: &[Value]) -> Result<i64, FunctionError> {
    const FACTORS: [i64; 6] = [365 * 24 * 3600, 30 * 24 * 3600, 24 * 3600, 3600, 60, 1];
    let mut total: i64 = 0;
    for (at, factor) in FACTORS.iter().enumerate() {
        total = total.saturating_add(int_arg(args, at)?.saturating_mul(*factor));
    }
    Ok(total)
}

fn accumulated(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    Ok(Value::Scalar(span(args)?.to_string()))
}

fn ago(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    Ok(Value::Scalar(
        (epoch_now() - span(args)?).max(0).to_string(),
    ))
}

fn now(_: &dyn CallContext, _: &[Value]) -> FunctionResult {
    Ok(Value::Scalar(epoch_now().to_string()))
}

/// The epoch of a local calendar date (`mktime`). cf-agent's `on()` counts
/// months and days from 0 (`on(2000, 1, 1, …)` is 2 February), `laterthan()`
/// from 1.
fn local_epoch(args: &[Value], zero_based: bool) -> Result<i64, FunctionError> {
    let field = |at| -> Result<libc::c_int, FunctionError> {
        libc::c_int::try_from(int_arg(args, at)?)
            .map_err(|_| FunctionError(format!("argument {} is out of range", at + 1)))
    };
    // SAFETY: a zeroed `tm` is a valid value; mktime only reads and
    // normalises it.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    tm.tm_year = field(0)? - 1900;
    let offset = if zero_based { 0 } else { 1 };
    tm.tm_mon = field(1)? - offset;
    tm.tm_mday = field(2)? + 1 - offset;
    tm.tm_hour = field(3)?;
    tm.tm_min = field(4)?;
    tm.tm_sec = field(5)?;
    tm.tm_isdst = -1;
    // SAFETY: `tm` is a valid, exclusively borrowed struct.
    let epoch = unsafe { libc::mktime(&mut tm) };
    if epoch == -1 {
        return Err(FunctionError("the date cannot be represented".into()));
    }
    Ok(epoch)
}

fn on(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    Ok(Value::Scalar(local_epoch(args, true)?.to_string()))
}

fn laterthan(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    Ok(class_result(epoch_now() > local_epoch(args, false)?))
}

/// `strftime("localtime"|"gmtime", format, epoch)` through the C library,
/// so every conversion behaves as in cf-agent.
fn strftime(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    if scalar_arg(args, 1)?.is_empty() {
        // strftime(3) writes nothing, which cf-agent takes as a failure.
        return Err(FunctionError("strftime: the format is empty".into()));
    }
    let format = std::ffi::CString::new(scalar_arg(args, 1)?)
        .map_err(|_| FunctionError("strftime: the format holds a NUL byte".into()))?;
    let epoch: libc::time_t = int_arg(args, 2)?;
    // SAFETY: zeroed `tm` is valid; the *_r functions fill it from `epoch`.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    let filled = match scalar_arg(args, 0)? {
        "gmtime" => unsafe { libc::gmtime_r(&epoch, &mut tm) },
        "localtime" => unsafe { libc::localtime_r(&epoch, &mut tm) },
        other => return Err(FunctionError(format!("strftime: unknown mode '{other}'"))),
    };
    if filled.is_null() {
        return Err(FunctionError(
            "strftime: the time cannot be represented".into(),
        ));
    }
    let mut buffer = vec![0u8; 4096];
    // SAFETY: the buffer is writable for its length; format is NUL-terminated.
    let written = unsafe {
        libc::strftime(
            buffer.as_mut_ptr().cast(),
            buffer.len(),
            format.as_ptr(),
            &tm,
        )
    };
    buffer.truncate(written);
    Ok(Value::Scalar(String::from_utf8_lossy(&buffer).into_owned()))
}

#[cfg(test)]
mod tests {
    use crate::functions::test_context::*;

    #[test]
    fn spans_and_dates() {
        let c = FixedContext::default();
        assert_eq!(
            call(&c, "accumulated", &["0", "0", "1", "2", "0", "5"]),
            scalar("93605")
        );
        assert_eq!(
            call(&c, "strftime", &["gmtime", "%Y-%m-%d %H:%M:%S %j", "86400"]),
            scalar("1970-01-02 00:00:00 002")
        );
        assert_eq!(
            call(&c, "laterthan", &["2000", "1", "1", "0", "0", "0"]),
            yes()
        );
        assert_eq!(
            call(&c, "laterthan", &["2999", "1", "1", "0", "0", "0"]),
            no()
        );
        let now: i64 = call(&c, "now", &[])
            .ok()
            .and_then(|v| v.as_scalar()?.parse().ok())
            .unwrap_or(0);
        let ago: i64 = call(&c, "ago", &["0", "0", "0", "1", "0", "0"])
            .ok()
            .and_then(|v| v.as_scalar()?.parse().ok())
            .unwrap_or(0);
        assert!((now - 3600 - ago).abs() <= 1);
        assert!(call(&c, "strftime", &["mars", "%Y", "0"]).is_err());
    }
}
