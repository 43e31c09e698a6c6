//! Reading files and text: whole files, lists, arrays, JSON/YAML/CSV/env.

use std::fs;

use serde_json::Value as Json;

use super::define;
use super::regex::{compile, full_match, split};
use super::{
    class_result, int_arg, scalar_arg, Arity, Builtin, CallContext, Function, FunctionError,
    FunctionResult,
};
use crate::value::Value;

pub(super) const FUNCTIONS: &[&dyn Function] = &[
    &Builtin {
        name: "classfiltercsv",
        arity: Arity::Between(3, 4),
        body: classfiltercsv,
    },
    &Builtin {
        name: "countlinesmatching",
        arity: Arity::Exactly(2),
        body: countlinesmatching,
    },
    &Builtin {
        name: "data_readstringarray",
        arity: Arity::Exactly(5),
        body: data_readstringarray,
    },
    &Builtin {
        name: "data_readstringarrayidx",
        arity: Arity::Exactly(5),
        body: data_readstringarrayidx,
    },
    &Builtin {
        name: "getfields",
        arity: Arity::Exactly(4),
        body: getfields,
    },
    &Builtin {
        name: "parseintarray",
        arity: Arity::Exactly(6),
        body: parseintarray,
    },
    &Builtin {
        name: "parserealarray",
        arity: Arity::Exactly(6),
        body: parserealarray,
    },
    &Builtin {
        name: "parsestringarray",
        arity: Arity::Exactly(6),
        body: parsestringarray,
    },
    &Builtin {
        name: "parsestringarrayidx",
        arity: Arity::Exactly(6),
        body: parsestringarrayidx,
    },
    &Builtin {
        name: "readcsv",
        arity: Arity::Between(1, 2),
        body: readcsv,
    },
    &Builtin {
        name: "readdata",
        arity: Arity::Exactly(2),
        body: readdata,
    },
    &Builtin {
        name: "readenvfile",
        arity: Arity::Between(1, 2),
        body: readenvfile,
    },
    &Builtin {
        name: "readfile",
        arity: Arity::Between(1, 2),
        body: readfile,
    },
    &Builtin {
        name: "readintarray",
        arity: Arity::Exactly(6),
        body: readintarray,
    },
    &Builtin {
        name: "readintlist",
        arity: Arity::Exactly(5),
        body: readintlist,
    },
    &Builtin {
        name: "readjson",
        arity: Arity::Between(1, 2),
        body: readjson,
    },
    &Builtin {
        name: "readrealarray",
        arity: Arity::Exactly(6),
        body: readrealarray,
    },
    &Builtin {
        name: "readreallist",
        arity: Arity::Exactly(5),
        body: readreallist,
    },
    &Builtin {
        name: "readstringarray",
        arity: Arity::Exactly(6),
        body: readstringarray,
    },
    &Builtin {
        name: "readstringarrayidx",
        arity: Arity::Exactly(6),
        body: readstringarrayidx,
    },
    &Builtin {
        name: "readstringlist",
        arity: Arity::Exactly(5),
        body: readstringlist,
    },
    &Builtin {
        name: "readyaml",
        arity: Arity::Between(1, 2),
        body: readyaml,
    },
    &Builtin {
        name: "regline",
        arity: Arity::Exactly(2),
        body: regline,
    },
];

/// At most `max` bytes of a file (`max` ≤ 0: all), as text.
fn read_text(path: &str, max: i64) -> Result<String, FunctionError> {
    let mut bytes =
        fs::read(path).map_err(|e| FunctionError(format!("cannot read '{path}': {e}")))?;
    if let Ok(max) = usize::try_from(max) {
        if max > 0 {
            bytes.truncate(max);
        }
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn optional_max(args: &[Value], at: usize) -> Result<i64, FunctionError> {
    if args.len() > at {
        int_arg(args, at)
    } else {
        Ok(0)
    }
}

fn readfile(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    Ok(Value::Scalar(read_text(
        scalar_arg(args, 0)?,
        optional_max(args, 1)?,
    )?))
}

/// Removes every match of the comment regex; `.` spans newlines, so `#.*`
/// removes everything after the first `#` (as in cf-agent).
fn strip_comments(text: &str, comment: &str) -> Result<String, FunctionError> {
    if comment.is_empty() {
        return Ok(text.to_string());
    }
    let regex = compile(&format!("(?s){comment}"))?;
    let mut out = String::new();
    let mut last = 0;
    for found in regex.find_iter(text) {
        let found = found.map_err(|e| FunctionError(format!("comment regex: {e}")))?;
        out.push_str(&text[last..found.start()]);
        last = found.end();
    }
    out.push_str(&text[last..]);
    Ok(out)
}

/// `(file, comment, split, maxent, maxbytes)` → the non-empty pieces.
fn read_items(args: &[Value]) -> Result<Vec<String>, FunctionError> {
    let text = read_text(scalar_arg(args, 0)?, int_arg(args, 4)?)?;
    let text = strip_comments(&text, scalar_arg(args, 1)?)?;
    let max = usize::try_from(int_arg(args, 3)?).unwrap_or(0);
    split(&text, scalar_arg(args, 2)?, max, false)
}

fn readstringlist(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    Ok(Value::List(read_items(args)?))
}

/// Every item must be a number of the kind; one bad item fails the call.
fn check_numbers(items: Vec<String>, integer: bool) -> FunctionResult {
    for item in &items {
        let ok = if integer {
            super::parse_int(item).is_some()
        } else {
            item.trim().parse::<f64>().is_ok()
        };
        if !ok {
            return Err(FunctionError(format!("'{item}' is not a number")));
        }
    }
    Ok(Value::List(items))
}

fn readintlist(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    check_numbers(read_items(args)?, true)
}

fn readreallist(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    check_numbers(read_items(args)?, false)
}

fn parse_json_text(text: &str, path: &str) -> FunctionResult {
    super::json_text::parse(text)
        .map(Value::Data)
        .map_err(|e| FunctionError(format!("'{path}' is not valid JSON: {e}")))
}

fn readjson(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let path = scalar_arg(args, 0)?;
    parse_json_text(&read_text(path, optional_max(args, 1)?)?, path)
}

fn readyaml(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let text = read_text(scalar_arg(args, 0)?, optional_max(args, 1)?)?;
    super::data::yaml_to_json(&text).map(Value::Data)
}

/// `readdata(file, "auto"|"JSON"|"YAML"|"CSV"|"ENV")`; auto picks by the
/// file's extension, JSON otherwise.
fn readdata(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let path = scalar_arg(args, 0)?;
    let kind = match scalar_arg(args, 1)? {
        "auto" => {
            let lower = path.to_ascii_lowercase();
            if lower.ends_with(".csv") {
                "CSV"
            } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
                "YAML"
            } else if lower.ends_with(".env") {
                "ENV"
            } else {
                "JSON"
            }
        }
        other => other,
    };
    match kind {
        "JSON" => readjson(context, &args[..1]),
        "YAML" => readyaml(context, &args[..1]),
        "CSV" => readcsv(context, &args[..1]),
        "ENV" => readenvfile(context, &args[..1]),
        other => Err(FunctionError(format!("readdata: unknown type '{other}'"))),
    }
}

/// RFC 4180 records ended by CRLF (cf-agent parses nothing from a file with
/// bare LF line ends).
fn readcsv(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let text = read_text(scalar_arg(args, 0)?, optional_max(args, 1)?)?;
    Ok(Value::Data(Json::Array(
        super::csv::records(&text)
            .into_iter()
            .map(|r| Json::Array(r.into_iter().map(Json::String).collect()))
            .collect(),
    )))
}

/// `classfiltercsv(file, has_header, class_column, sort_column)`: the rows
/// whose class expression holds, without that column, sorted by the sort
/// column (as text); objects keyed by the header when there is one.
fn classfiltercsv(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let text = read_text(scalar_arg(args, 0)?, 0)?;
    let has_header = super::bool_arg(args, 1)?;
    let column = |at: usize| -> Result<Option<usize>, FunctionError> {
        if args.len() <= at {
            return Ok(None);
        }
        Ok(usize::try_from(int_arg(args, at)?).ok())
    };
    let class_column =
        column(2)?.ok_or_else(|| FunctionError("classfiltercsv: bad class column".into()))?;
    let sort_column = column(3)?;
    let mut rows = super::csv::records(&text);
    let header = if has_header && !rows.is_empty() {
        Some(rows.remove(0))
    } else {
        None
    };
    let mut kept = Vec::new();
    for row in rows {
        let Some(expression) = row.get(class_column) else {
            continue;
        };
        if context.class_expression(expression) == Some(true) {
            kept.push(row);
        }
    }
    if let Some(sort) = sort_column {
        kept.sort_by(|a, b| a.get(sort).cmp(&b.get(sort)));
    }
    let shaped = kept.into_iter().map(|row| {
        let cells = row
            .into_iter()
            .enumerate()
            .filter(|(at, _)| *at != class_column);
        match &header {
            Some(names) => Json::Object(
                cells
                    .map(|(at, cell)| {
                        (
                            names.get(at).cloned().unwrap_or_else(|| at.to_string()),
                            Json::String(cell),
                        )
                    })
                    .collect(),
            ),
            None => Json::Array(cells.map(|(_, cell)| Json::String(cell)).collect()),
        }
    });
    Ok(Value::Data(Json::Array(shaped.collect())))
}

/// `KEY=value` lines: key and value trimmed (`export KEY` stays the key,
/// as in cf-agent); a quoted value ends at its closing quote (`\"`
/// escapes one, text after it is ignored); lines without `=` and comments
/// are skipped.
fn readenvfile(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let text = read_text(scalar_arg(args, 0)?, optional_max(args, 1)?)?;
    let mut object = serde_json::Map::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        object.insert(
            key.trim().to_string(),
            Json::String(env_value(value.trim())),
        );
    }
    Ok(Value::Data(Json::Object(object)))
}

fn env_value(value: &str) -> String {
    let mut chars = value.chars();
    let quote = match chars.next() {
        Some(q @ ('"' | '\'')) => q,
        _ => return value.to_string(),
    };
    let mut out = String::new();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            c if c == quote => break,
            c => out.push(c),
        }
    }
    out
}

fn file_lines(path: &str) -> Result<Vec<String>, FunctionError> {
    Ok(read_text(path, 0)?.lines().map(str::to_string).collect())
}

fn countlinesmatching(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let pattern = scalar_arg(args, 0)?;
    let mut count = 0;
    // A file that cannot be read has no matching lines.
    for line in file_lines(scalar_arg(args, 1)?).unwrap_or_default() {
        if full_match(pattern, &line)? {
            count += 1;
        }
    }
    Ok(Value::Scalar(count.to_string()))
}

fn regline(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let pattern = scalar_arg(args, 0)?;
    for line in file_lines(scalar_arg(args, 1)?)? {
        if full_match(pattern, &line)? {
            return Ok(class_result(true));
        }
    }
    Ok(class_result(false))
}

/// `getfields(regex, file, split, array)`: counts fully matching lines and
/// defines `array[1]`, `array[2]`, … from the fields of the first.
fn getfields(context: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let (pattern, separator, array) = (
        scalar_arg(args, 0)?,
        scalar_arg(args, 2)?,
        scalar_arg(args, 3)?,
    );
    let mut count = 0;
    for line in file_lines(scalar_arg(args, 1)?)? {
        if !full_match(pattern, &line)? {
            continue;
        }
        if count == 0 {
            for (at, field) in split(&line, separator, 31, true)?.into_iter().enumerate() {
                define(context, "getfields", &format!("{array}[{}]", at + 1), field);
            }
        }
        count += 1;
    }
    Ok(Value::Scalar(count.to_string()))
}

/// Rows of a table text: comments removed, empty lines skipped, each line
/// split into fields; at most `max` rows.
fn table_rows(
    text: &str,
    comment: &str,
    separator: &str,
    max: i64,
) -> Result<Vec<Vec<String>>, FunctionError> {
    let text = strip_comments(text, comment)?;
    let max = usize::try_from(max).unwrap_or(0);
    let mut rows = Vec::new();
    for line in text.lines().filter(|l| !l.is_empty()) {
        if rows.len() >= max {
            break;
        }
        rows.push(split(line, separator, 99_999, true)?);
    }
    Ok(rows)
}

/// `(file, comment, split, max, bytes)` → rows.
fn file_rows(args: &[Value]) -> Result<Vec<Vec<String>>, FunctionError> {
    let text = read_text(scalar_arg(args, 0)?, int_arg(args, 4)?)?;
    table_rows(
        &text,
        scalar_arg(args, 1)?,
        scalar_arg(args, 2)?,
        int_arg(args, 3)?,
    )
}

fn strings(row: &[String]) -> Json {
    Json::Array(row.iter().cloned().map(Json::String).collect())
}

/// `{ first field: [other fields] }`, a later row replacing an earlier one.
fn data_readstringarray(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    let mut object = serde_json::Map::new();
    for row in file_rows(args)? {
        if let Some((key, rest)) = row.split_first() {
            object.insert(key.clone(), strings(rest));
        }
    }
    Ok(Value::Data(Json::Object(object)))
}

fn data_readstringarrayidx(_: &dyn CallContext, args: &[Value]) -> FunctionResult {
    Ok(Value::Data(Json::Array(
        file_rows(args)?.iter().map(|r| strings(r)).collect(),
    )))
}

#[derive(Clone, Copy)]
enum Cell {
    String,
    Int,
    Real,
}

/// Defines `array[key][i]` for each row (key: the first field, or the row
/// number when `indexed`), and returns the number of rows.
fn define_rows(
    context: &dyn CallContext,
    function: &'static str,
    array: &str,
    rows: Vec<Vec<String>>,
    indexed: bool,
    cell: Cell,
) -> FunctionResult {
    let count = rows.len();
    for (number, row) in rows.into_iter().enumerate() {
        let key = if indexed {
            number.to_string()
        } else {
            row.first().cloned().unwrap_or_default()
        };
        for (at, field) in row.into_iter().enumerate() {
            let valid = match cell {
                Cell::String => true,
                Cell::Int => super::parse_int(&field).is_some(),
                Cell::Real => field.trim().parse::<f64>().is_ok(),
            };
            // A row's key (first field of a keyed array) need not be a number.
            let is_key = at == 0 && !indexed;
            if !valid && !is_key {
                return Err(FunctionError(format!("'{field}' is not a number")));
            }
            define(context, function, &format!("{array}[{key}][{at}]"), field);
        }
    }
    Ok(Value::Scalar(count.to_string()))
}

/// `(array, file, comment, split, max, bytes)`.
fn read_array(
    context: &dyn CallContext,
    function: &'static str,
    args: &[Value],
    indexed: bool,
    cell: Cell,
) -> FunctionResult {
    // cf-agent counts 0 rows in a file it cannot read.
    let rows = file_rows(&args[1..]).unwrap_or_default();
    define_rows(context, function, scalar_arg(args, 0)?, rows, indexed, cell)
}

/// `(array, text, comment, split, max, bytes)`.
fn parse_array(
    context: &dyn CallContext,
    function: &'static str,
    args: &[Value],
    indexed: bool,
    cell: Cell,
) -> FunctionResult {
    let mut text = scalar_arg(args, 1)?.to_string();
    if let Ok(max) = usize::try_from(int_arg(args, 5)?) {
        if max > 0 && text.len() > max {
            text = String::from_utf8_lossy(&text.as_bytes()[..max]).into_owned();
        }
    }
    let rows = table_rows(
        &text,
        scalar_arg(args, 2)?,
        scalar_arg(args, 3)?,
        int_arg(args, 4)?,
    )?;
    define_rows(context, function, scalar_arg(args, 0)?, rows, indexed, cell)
}

fn readstringarray(c: &dyn CallContext, args: &[Value]) -> FunctionResult {
    read_array(c, "readstringarray", args, false, Cell::String)
}
fn readstringarrayidx(c: &dyn CallContext, args: &[Value]) -> FunctionResult {
    read_array(c, "readstringarrayidx", args, true, Cell::String)
}
fn readintarray(c: &dyn CallContext, args: &[Value]) -> FunctionResult {
    read_array(c, "readintarray", args, false, Cell::Int)
}
fn readrealarray(c: &dyn CallContext, args: &[Value]) -> FunctionResult {
    read_array(c, "readrealarray", args, false, Cell::Real)
}
fn parsestringarray(c: &dyn CallContext, args: &[Value]) -> FunctionResult {
    parse_array(c, "parsestringarray", args, false, Cell::String)
}
fn parsestringarrayidx(c: &dyn CallContext, args: &[Value]) -> FunctionResult {
    parse_array(c, "parsestringarrayidx", args, true, Cell::String)
}
fn parseintarray(c: &dyn CallContext, args: &[Value]) -> FunctionResult {
    parse_array(c, "parseintarray", args, false, Cell::Int)
}
fn parserealarray(c: &dyn CallContext, args: &[Value]) -> FunctionResult {
    parse_array(c, "parserealarray", args, false, Cell::Real)
}

#[cfg(test)]
mod tests {
    use crate::functions::test_context::*;
    use crate::value::Value;
    use serde_json::json;
    use std::fs;

    fn file(name: &str, text: &str) -> String {
        let path =
            std::env::temp_dir().join(format!("promise-rs-io-{}-{name}", std::process::id()));
        fs::write(&path, text).ok();
        path.display().to_string()
    }

    #[test]
    fn whole_files_and_lists() {
        let c = FixedContext::default();
        let list = file("list", "a b  # c\n\nd #e\nf\n");
        assert_eq!(call(&c, "readfile", &[&list, "5"]), scalar("a b  "));
        assert_eq!(
            call(
                &c,
                "readstringlist",
                &[&list, "#[^\n]*", r"\s+", "10", "1000"]
            ),
            self::list(&["a", "b", "d", "f"])
        );
        assert_eq!(
            call(&c, "readstringlist", &[&list, "", "\n", "2", "1000"]),
            self::list(&["a b  # c", "d #e"])
        );
        assert_eq!(
            call(&c, "readstringlist", &[&list, "#.*", r"\s+", "10", "1000"]),
            self::list(&["a", "b"])
        );
        assert!(call(&c, "readintlist", &[&list, "", r"\s+", "10", "1000"]).is_err());
        let ints = file("ints", "1, 2 3\n#9\n");
        assert_eq!(
            call(
                &c,
                "readintlist",
                &[&ints, "#[^\n]*", r"[,\s]+", "10", "1000"]
            ),
            self::list(&["1", "2", "3"])
        );
        assert_eq!(
            call(&c, "countlinesmatching", &["[a-d].*", &list]),
            scalar("2")
        );
        assert_eq!(call(&c, "regline", &["d.*", &list]), yes());
        assert!(call(&c, "readfile", &["/no/such/file"]).is_err());
    }

    #[test]
    fn structured_files() {
        let c = FixedContext::default();
        let env = file(
            "env",
            "A = 1\nexport B=\"two words\" # c\n# c\nC='x'\nbad line\nD=\nE=\"a\\\"b\"\nF=a=b\n",
        );
        assert_eq!(
            call(&c, "readenvfile", &[&env]),
            Ok(Value::Data(
                json!({"A": "1", "export B": "two words", "C": "x", "D": "", "E": "a\"b", "F": "a=b"})
            ))
        );
        let csv = file("csv", "h1,h2\r\n\"a,b\",c\r\n1,\r\n\"q\"\"x\",2");
        assert_eq!(
            call(&c, "readcsv", &[&csv]),
            Ok(Value::Data(json!([
                ["h1", "h2"],
                ["a,b", "c"],
                ["1", ""],
                ["q\"x", "2"]
            ])))
        );
        let lf = file("lf", "a,b\nc,d\n");
        assert_eq!(call(&c, "readcsv", &[&lf]), Ok(Value::Data(json!([]))));
        let j = file("j.json", "{\"a\":1}");
        assert_eq!(
            call(&c, "readjson", &[&j]),
            Ok(Value::Data(json!({"a": 1})))
        );
        assert_eq!(
            call(&c, "readdata", &[&j, "auto"]),
            Ok(Value::Data(json!({"a": 1})))
        );
        let y = file("y.yaml", "a: 1\nb: [x]\n");
        assert_eq!(
            call(&c, "readyaml", &[&y, "1000"]),
            Ok(Value::Data(json!({"a": 1, "b": ["x"]})))
        );
        assert!(call(&c, "readjson", &[&y]).is_err());
    }

    #[test]
    fn class_filtered_csv() {
        let c = FixedContext {
            classes: vec!["any".into(), "linux".into()],
            ..FixedContext::default()
        };
        let csv = file(
            "cf.csv",
            "ClassExpr,Sort,Token,Value\r\nany,2,net,ANY\r\nnope,1,a,b\r\nlinux,1,x,y\r\n",
        );
        assert_eq!(
            call(&c, "classfiltercsv", &[&csv, "true", "0", "1"]),
            Ok(Value::Data(
                json!([{"Sort":"1","Token":"x","Value":"y"},{"Sort":"2","Token":"net","Value":"ANY"}])
            ))
        );
        assert_eq!(
            call(&c, "classfiltercsv", &[&csv, "false", "0"])
                .map(|v| matches!(v, Value::Data(serde_json::Value::Array(a)) if a.len() == 2)),
            Ok(true)
        );
    }

    #[test]
    fn arrays() {
        let c = FixedContext::default();
        let arr = file("arr", "a:1:2\n# x\nb:3\nb:4:5\n\nc\n");
        let args = [arr.as_str(), "#[^\n]*", ":", "10", "1000"];
        assert_eq!(
            call(&c, "data_readstringarray", &args),
            Ok(Value::Data(json!({"a":["1","2"],"b":["4","5"],"c":[]})))
        );
        assert_eq!(
            call(&c, "data_readstringarrayidx", &args),
            Ok(Value::Data(json!([
                ["a", "1", "2"],
                ["b", "3"],
                ["b", "4", "5"],
                ["c"]
            ])))
        );
        assert_eq!(
            call(
                &c,
                "readstringarray",
                &["arr", &arr, "#[^\n]*", ":", "10", "1000"]
            ),
            scalar("4")
        );
        assert_eq!(c.defined("arr[a][0]"), Some(Value::scalar("a")));
        assert_eq!(c.defined("arr[b][2]"), Some(Value::scalar("5")));
        assert_eq!(
            call(&c, "getfields", &["b.*", &arr, ":", "fld"]),
            scalar("2")
        );
        assert_eq!(c.defined("fld[2]"), Some(Value::scalar("3")));
        assert_eq!(
            call(
                &c,
                "parsestringarrayidx",
                &["pa", "k1 v1 w1\nk2 v2", "", " ", "10", "100"]
            ),
            scalar("2")
        );
        assert_eq!(c.defined("pa[0][2]"), Some(Value::scalar("w1")));
        assert!(call(&c, "parseintarray", &["pi", "k x", "", " ", "10", "100"]).is_err());
    }
}
