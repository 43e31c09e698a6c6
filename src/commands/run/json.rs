//! `promise-rs run --format json`: stdout is JSON lines, one object per
//! event, each with an `event` field:
//!
//! - `report`: a line a `reports` promise printed (`text`), with the promise
//!   it comes from;
//! - `promise`: the outcome of one promise iteration: `promiser`, `type`,
//!   `bundle`, `handle`, `outcome` (`kept`, `repaired`, `not_kept`,
//!   `warned`), `reason` (`failed`, `denied`, `timeout`, `interrupted` when
//!   not kept, else null), `message` (why it was not kept or what would have
//!   changed, else null), `file`, `line`;
//! - `summary`, last: the counts (`total`, `kept`, `repaired`, `not_kept`,
//!   `warned`) and `fatal` (the error that stopped the run, else null).

use std::io::{self, Write};

use runtime::{Outcome, PromiseOrigin, RunSink, Summary};
use serde_json::{json, Value};

/// Writes each event as one line of JSON, flushed as it comes.
pub struct JsonLines<W: Write> {
    out: W,
}

impl<W: Write> JsonLines<W> {
    pub fn new(out: W) -> Self {
        JsonLines { out }
    }

    fn line(&mut self, value: &Value) -> io::Result<()> {
        writeln!(self.out, "{value}")?;
        self.out.flush()
    }

    /// The closing `summary` object.
    pub fn summary(&mut self, summary: &Summary, fatal: Option<&str>) -> io::Result<()> {
        self.line(&json!({
            "event": "summary",
            "total": summary.total(),
            "kept": summary.kept,
            "repaired": summary.repaired,
            "not_kept": summary.not_kept,
            "warned": summary.warned,
            "fatal": fatal,
        }))
    }
}

fn origin_fields(origin: &PromiseOrigin) -> serde_json::Map<String, Value> {
    let mut fields = serde_json::Map::new();
    fields.insert("promiser".into(), json!(origin.promiser));
    fields.insert("type".into(), json!(origin.promise_type));
    fields.insert("bundle".into(), json!(origin.bundle));
    fields.insert("handle".into(), json!(origin.handle));
    fields.insert("file".into(), json!(origin.file));
    fields.insert("line".into(), json!(origin.line));
    fields
}

impl<W: Write> RunSink for JsonLines<W> {
    fn report(&mut self, text: &str, origin: &PromiseOrigin) -> io::Result<()> {
        let mut fields = serde_json::Map::new();
        fields.insert("event".into(), json!("report"));
        fields.insert("text".into(), json!(text));
        fields.extend(origin_fields(origin));
        self.line(&Value::Object(fields))
    }

    fn outcome(&mut self, outcome: &Outcome, origin: &PromiseOrigin) {
        let mut fields = serde_json::Map::new();
        fields.insert("event".into(), json!("promise"));
        fields.extend(origin_fields(origin));
        fields.insert("outcome".into(), json!(outcome.name()));
        fields.insert("reason".into(), json!(outcome.reason().map(|r| r.name())));
        fields.insert("message".into(), json!(outcome.message()));
        // A closed stdout must not stop the run; the exit code still tells.
        let _ = self.line(&Value::Object(fields));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin() -> PromiseOrigin {
        PromiseOrigin {
            promise_type: "commands".into(),
            promiser: "/bin/false".into(),
            bundle: "default:main".into(),
            handle: "promise_p_cf_4".into(),
            file: "/p.cf".into(),
            line: 4,
        }
    }

    fn lines(write: impl FnOnce(&mut JsonLines<&mut Vec<u8>>)) -> Vec<Value> {
        let mut out = Vec::new();
        write(&mut JsonLines::new(&mut out));
        String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect()
    }

    #[test]
    fn each_event_is_one_line_of_json() {
        let events = lines(|sink| {
            sink.report("hello", &origin()).unwrap();
            sink.outcome(&Outcome::failed("exit 1"), &origin());
            sink.outcome(&Outcome::Kept, &origin());
            let mut summary = Summary::default();
            summary.add(&Outcome::Kept);
            sink.summary(&summary, None).unwrap();
        });
        assert_eq!(events.len(), 4);
        assert_eq!(events[0]["event"], "report");
        assert_eq!(events[0]["text"], "hello");
        assert_eq!(events[0]["line"], 4);
        assert_eq!(events[1]["event"], "promise");
        assert_eq!(events[1]["outcome"], "not_kept");
        assert_eq!(events[1]["reason"], "failed");
        assert_eq!(events[1]["message"], "exit 1");
        assert_eq!(events[1]["type"], "commands");
        assert_eq!(events[1]["handle"], "promise_p_cf_4");
        assert_eq!(events[2]["outcome"], "kept");
        assert!(events[2]["reason"].is_null() && events[2]["message"].is_null());
        assert_eq!(events[3]["event"], "summary");
        assert_eq!(events[3]["total"], 1);
        assert!(events[3]["fatal"].is_null());
    }
}
