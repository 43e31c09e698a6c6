//! The `process_select` body: each attribute given tests one column of a
//! process's `ps` line; the names of the attributes that matched make up
//! the classes `process_result` is evaluated against (cf-agent's
//! `SelectProcess`). Without `process_result` every attribute that matched
//! is ANDed, so a process is selected when at least one matched.
//!
//! `process_owner` (any of the regexes), `command`, `status` and `tty` are
//! anchored regexes; `pid`, `ppid`, `pgid`, `rsize`, `vsize` (KiB),
//! `priority` (nice), `threads`, `ttime_range` and `stime_range`
//! (seconds) are ranges `min,max`. Their names in `process_result` are the
//! attribute names, except `ttime` and `stime`.

use grammar::class_expr;

use super::table::ProcessEntry;
use crate::eval::body::BodyAttributes;
use crate::functions::parse_int;
use crate::functions::regex::full_match;

/// An inclusive range of integers.
type Range = (i64, i64);

/// A parsed `process_select` body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProcessSelect {
    owners: Vec<String>,
    pid: Option<Range>,
    ppid: Option<Range>,
    pgid: Option<Range>,
    rsize: Option<Range>,
    vsize: Option<Range>,
    priority: Option<Range>,
    threads: Option<Range>,
    ttime: Option<Range>,
    stime: Option<Range>,
    status: Option<String>,
    command: Option<String>,
    tty: Option<String>,
    result: Option<String>,
}

impl ProcessSelect {
    /// Reads the body; a range that is not `min,max` is an error.
    pub fn from_body(body: &BodyAttributes) -> Result<ProcessSelect, String> {
        let range = |name: &str| match body.scalar(name) {
            None => Ok(None),
            Some(text) => parse_range(text)
                .map(Some)
                .ok_or_else(|| format!("Could not make sense of integer range [{text}] in {name}")),
        };
        let text = |name: &str| body.scalar(name).map(str::to_string);
        Ok(ProcessSelect {
            owners: body.list("process_owner"),
            pid: range("pid")?,
            ppid: range("ppid")?,
            pgid: range("pgid")?,
            rsize: range("rsize")?,
            vsize: range("vsize")?,
            priority: range("priority")?,
            threads: range("threads")?,
            ttime: range("ttime_range")?,
            stime: range("stime_range")?,
            status: text("status"),
            command: text("command"),
            tty: text("tty"),
            result: text("process_result"),
        })
    }

    /// `process_result`, needed for a body to select anything sensible
    /// (cf-agent logs an error without it and goes on).
    pub fn has_result(&self) -> bool {
        self.result.is_some()
    }

    /// The names of the attributes that match `entry`.
    pub fn matching_attributes(&self, entry: &ProcessEntry) -> Vec<&'static str> {
        let regex = |pattern: &Option<String>, text: &str| {
            pattern
                .as_deref()
                .is_some_and(|p| full_match(p, text).unwrap_or(false))
        };
        let in_range = |range: Option<Range>, value: i64| {
            range.is_some_and(|(min, max)| min <= value && value <= max)
        };
        let mut names = Vec::new();
        if self
            .owners
            .iter()
            .any(|owner| full_match(owner, &entry.user).unwrap_or(false))
        {
            names.push("process_owner");
        }
        let ranges = [
            ("pid", self.pid, entry.pid),
            ("ppid", self.ppid, entry.ppid),
            ("pgid", self.pgid, entry.pgid),
            ("vsize", self.vsize, entry.vsize),
            ("rsize", self.rsize, entry.rsize),
            ("ttime", self.ttime, entry.cpu_time),
            ("stime", self.stime, entry.start),
            ("priority", self.priority, entry.nice),
            ("threads", self.threads, entry.threads),
        ];
        for (name, range, value) in ranges {
            if in_range(range, value) {
                names.push(name);
            }
        }
        // Linux's ps table has no state column: `status` never matches.
        if regex(&self.command, &entry.command) {
            names.push("command");
        }
        if regex(&self.tty, &entry.tty) {
            names.push("tty");
        }
        names
    }

    /// Whether the body selects `entry`.
    pub fn selects(&self, entry: &ProcessEntry) -> bool {
        let matched = self.matching_attributes(entry);
        let expression = match &self.result {
            Some(result) => result.clone(),
            None => matched.join("."),
        };
        evaluate_result(&expression, &matched)
    }
}

/// `process_result` as a class expression over the matched names; an
/// expression that does not parse (also the empty one) selects nothing.
fn evaluate_result(expression: &str, matched: &[&str]) -> bool {
    match class_expr::parse(expression) {
        Ok(expr) => expr.evaluate(&mut |name| matched.contains(&name)),
        Err(_) => false,
    }
}

/// `min,max` (what `irange()` gives), each end as cf-agent's
/// `IntFromString` reads it (`inf`, `10k`).
pub fn parse_range(text: &str) -> Option<Range> {
    let (min, max) = text.split_once(',')?;
    let (min, max) = (parse_int(min)?, parse_int(max)?);
    Some((min.min(max), min.max(max)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Value;

    fn entry() -> ProcessEntry {
        ProcessEntry {
            pid: 4242,
            ppid: 1,
            pgid: 4242,
            user: "alice".into(),
            vsize: 8192,
            rsize: 1024,
            nice: 5,
            tty: "pts/3".into(),
            threads: 2,
            start: 1_700_000_000,
            cpu_time: 90,
            command: "/usr/bin/sleeper 1000".into(),
        }
    }

    fn body(attributes: &[(&str, &str)]) -> BodyAttributes {
        BodyAttributes {
            attributes: attributes
                .iter()
                .map(|(k, v)| (k.to_string(), Value::scalar(*v)))
                .collect(),
        }
    }

    #[test]
    fn every_attribute_tests_its_column() {
        let select = ProcessSelect::from_body(&body(&[
            ("process_owner", "ali.*"),
            ("pid", "4000,5000"),
            ("ppid", "2,10"),
            ("pgid", "4242,4242"),
            ("vsize", "8k,9k"),
            ("rsize", "0,inf"),
            ("priority", "0,10"),
            ("threads", "3,4"),
            ("ttime_range", "60,120"),
            ("stime_range", "0,10"),
            ("command", ".*sleeper.*"),
            ("tty", "pts/[0-9]+"),
            ("status", "S"),
        ]))
        .unwrap();
        assert_eq!(
            select.matching_attributes(&entry()),
            [
                "process_owner",
                "pid",
                "pgid",
                "vsize",
                "rsize",
                "ttime",
                "priority",
                "command",
                "tty"
            ]
        );
    }

    #[test]
    fn command_and_owner_are_anchored() {
        let select =
            ProcessSelect::from_body(&body(&[("command", "sleeper"), ("process_owner", "ali")]))
                .unwrap();
        assert!(select.matching_attributes(&entry()).is_empty());
    }

    #[test]
    fn process_result_combines_the_names() {
        let select = ProcessSelect::from_body(&body(&[
            ("command", ".*sleeper.*"),
            ("process_owner", "bob"),
            ("process_result", "command.!process_owner"),
        ]))
        .unwrap();
        assert!(select.selects(&entry()));
        let both = ProcessSelect::from_body(&body(&[
            ("command", ".*sleeper.*"),
            ("process_owner", "bob"),
            ("process_result", "command.process_owner"),
        ]))
        .unwrap();
        assert!(!both.selects(&entry()));
    }

    #[test]
    fn without_process_result_one_match_is_enough() {
        let select =
            ProcessSelect::from_body(&body(&[("command", ".*sleeper.*"), ("pid", "1,2")])).unwrap();
        assert!(select.selects(&entry()));
        let none = ProcessSelect::from_body(&body(&[("pid", "1,2")])).unwrap();
        assert!(!none.selects(&entry()));
    }

    #[test]
    fn ranges() {
        assert_eq!(parse_range("1,5"), Some((1, 5)));
        assert_eq!(parse_range("5,1"), Some((1, 5)));
        assert_eq!(parse_range("0,inf"), Some((0, 999_999_999)));
        assert_eq!(parse_range("7"), None);
        assert!(ProcessSelect::from_body(&body(&[("pid", "x,y")])).is_err());
    }
}
