//! Reading the attributes of an edit promise, and the parts several edit
//! promise types share: `select_region`, line selects, the region error
//! messages and same-run de-duplication per file.

use compiler::ir::Promise;

use super::region::region_body;
use crate::eval::body::BodyAttributes;
use crate::eval::expand::Binding;
use crate::eval::Agent;
use crate::fileops::edit::matching::{check_regex, LineSelect};
use crate::fileops::edit::region::{Region, SelectRegion};
use crate::fileops::edit::Report;
use crate::value::Value;

/// The edit promise being actuated.
pub(super) struct EditPromise<'x> {
    pub promise: &'x Promise<'x>,
    pub promiser: &'x str,
    pub binding: &'x Binding,
    /// The file being edited (the files promiser).
    pub filename: &'x str,
    /// The promise's own `action_policy` is warn or nop.
    pub warn: bool,
}

impl EditPromise<'_> {
    pub fn scalar(&self, agent: &Agent, name: &str) -> Option<String> {
        let constraint = self.promise.constraint(name)?;
        let evaluated = agent.evaluate_rval(&constraint.ast.rval, self.binding)?;
        evaluated.value.as_scalar().map(str::to_string)
    }

    pub fn flag(&self, agent: &Agent, name: &str) -> bool {
        self.scalar(agent, name)
            .is_some_and(|v| super::super::is_true(&v))
    }

    pub fn list(&self, agent: &Agent, name: &str) -> Vec<String> {
        let Some(constraint) = self.promise.constraint(name) else {
            return Vec::new();
        };
        match agent
            .evaluate_rval(&constraint.ast.rval, self.binding)
            .map(|e| e.value)
        {
            Some(Value::List(items)) => items,
            Some(Value::Scalar(item)) => vec![item],
            _ => Vec::new(),
        }
    }

    pub fn body(&self, agent: &Agent, name: &str) -> Option<BodyAttributes> {
        let constraint = self.promise.constraint(name)?;
        agent.constraint_body(constraint, self.binding)
    }

    /// The `select_region` body, checked; `Err` is a failed report.
    pub fn select_region(&self, agent: &Agent) -> Result<Option<SelectRegion>, Report> {
        let Some(body) = self.body(agent, "select_region") else {
            return Ok(None);
        };
        let region = region_body(&body);
        for pattern in region.start.iter().chain(region.end.iter()) {
            self.check_regex(pattern)?;
        }
        Ok(Some(region))
    }

    /// The lines this promise may edit: the whole file, or its
    /// `select_region`; `Err` is the report of a region not found, naming
    /// the promise as cf-agent does ("the promised `what` ...").
    pub fn region(&self, agent: &Agent, what: &str) -> Result<Region, Report> {
        let Some(select_region) = self.select_region(agent)? else {
            return Ok(Region::whole(&agent.edits.lines));
        };
        select_region.select(&agent.edits.lines).map_err(|_| {
            interrupted(format!(
                "The promised {what} '{}' could not select an edit region in '{}'",
                self.promiser, self.filename
            ))
        })
    }

    /// A regex the promise relies on; `Err` is a failed report.
    pub fn check_regex(&self, pattern: &str) -> Result<(), Report> {
        check_regex(pattern).map_err(|reason| {
            failed(format!(
                "{} promise '{}': {reason}",
                self.promise.promise_type, self.promiser
            ))
        })
    }

    /// Same-run de-duplication, per file edited: false when this promise
    /// (with these values) already acted on this file in this run.
    pub fn first_time(&self, agent: &mut Agent, salt: &str) -> bool {
        let salt = format!("{}\u{1f}{salt}", self.filename);
        agent.first_actuation_of(self.promise, self.promiser, self.binding, &salt)
    }
}

/// A report made of one failure.
pub(super) fn failed(message: String) -> Report {
    let mut report = Report::default();
    report.failed(message);
    report
}

/// A report made of one interruption (cf-agent's region and locator
/// errors).
pub(super) fn interrupted(message: String) -> Report {
    let mut report = Report::default();
    report.interrupted(message);
    report
}

/// A list name suffix and the select it makes.
type SelectForm = (&'static str, fn(Vec<String>) -> LineSelect);

/// A `delete_select` or `insert_select` body: the lists named
/// `<prefix>_startwith_from_list` … `<prefix>_not_contains_from_list`; the
/// first one given (in that order) decides.
pub(super) fn line_select(body: Option<&BodyAttributes>, prefix: &str) -> LineSelect {
    let Some(body) = body else {
        return LineSelect::Any;
    };
    let forms: [SelectForm; 6] = [
        ("startwith", LineSelect::StartWith),
        ("not_startwith", LineSelect::NotStartWith),
        ("match", LineSelect::Match),
        ("not_match", LineSelect::NotMatch),
        ("contains", LineSelect::Contains),
        ("not_contains", LineSelect::NotContains),
    ];
    for (form, make) in forms {
        let name = format!("{prefix}_{form}_from_list");
        if body.get(&name).is_some() {
            return make(body.list(&name));
        }
    }
    LineSelect::Any
}

/// How many positive and negative lists a select body gives, for
/// insert_lines' sanity check.
pub(super) fn select_lists(body: Option<&BodyAttributes>, prefix: &str) -> (usize, usize) {
    let Some(body) = body else {
        return (0, 0);
    };
    let given = |form: &str| usize::from(body.get(&format!("{prefix}_{form}_from_list")).is_some());
    (
        given("startwith") + given("match") + given("contains"),
        given("not_startwith") + given("not_match") + given("not_contains"),
    )
}
