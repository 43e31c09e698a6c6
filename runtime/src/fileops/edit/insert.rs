//! insert_lines: make sure a line, a block of lines or the lines of another
//! file are in the region, inserting what is missing where the `location`
//! body says. The placement rules follow cf-agent 3.21 closely, including
//! its edge cases: without `select_line_matching`, "before" means the top of
//! the file and "after" the end of the region; each inserted line becomes
//! the anchor of the next one, so blocks keep their order.

use super::lines::{LineId, Lines};
use super::matching::{chunk_matches, present_under_policy, LineSelect, Pattern, Whitespace};
use super::region::Region;
use super::report::Report;

/// `insert_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InsertType {
    /// `literal` and `string` (the default): each line once.
    Literal,
    /// The block is inserted whole unless it is present as a block.
    PreserveBlock,
    /// Every line, duplicates included (what templates use).
    PreserveAllLines,
    /// The lines of the file the promiser names.
    File,
    /// The file's lines as a block, even when already present.
    FilePreserveBlock,
}

impl InsertType {
    pub fn parse(word: &str) -> Option<InsertType> {
        Some(match word {
            "literal" | "string" => InsertType::Literal,
            "preserve_block" => InsertType::PreserveBlock,
            "preserve_all_lines" => InsertType::PreserveAllLines,
            "file" => InsertType::File,
            "file_preserve_block" => InsertType::FilePreserveBlock,
            _ => return None,
        })
    }

    fn reads_a_file(self) -> bool {
        matches!(self, InsertType::File | InsertType::FilePreserveBlock)
    }

    fn keeps_blocks(self) -> bool {
        matches!(
            self,
            InsertType::PreserveBlock
                | InsertType::PreserveAllLines
                | InsertType::FilePreserveBlock
        )
    }
}

/// A `location` body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Location {
    /// `select_line_matching` (full-line regex).
    pub anchor: Option<String>,
    /// `before_after => "before"`; after is the default.
    pub before: bool,
    /// `first_last => "first"`; last is the default.
    pub first: bool,
}

#[derive(Debug, Clone)]
pub struct Insertion<'a> {
    /// The promiser: the text to insert, or the source file's name.
    pub promiser: &'a str,
    pub kind: InsertType,
    /// For file types: the source's lines (already expanded when
    /// `expand_scalars`), or why it could not be read.
    pub source: Result<Vec<String>, String>,
    pub location: &'a Location,
    pub whitespace: &'a [Whitespace],
    pub select: &'a LineSelect,
    pub warn: bool,
    pub filename: &'a str,
}

/// Inserts into `region` of `lines`.
pub fn insert_lines(lines: &mut Lines, region: Region, insertion: &Insertion) -> Report {
    let mut run = Run {
        lines,
        region,
        ins: insertion,
        report: Report::default(),
    };
    match &insertion.location.anchor {
        None => run.insert_into_region(),
        Some(anchor) => match run.find_anchor(anchor) {
            Some(found) => {
                let prev = run.lines.prev(found);
                run.at_location(Some(found), prev);
            }
            None => run.report.interrupted(format!(
                "The promised line insertion '{}' could not select a locator matching regex '{anchor}' in '{}'",
                insertion.promiser, insertion.filename
            )),
        },
    }
    run.report
}

struct Run<'l, 'a> {
    lines: &'l mut Lines,
    region: Region,
    ins: &'l Insertion<'a>,
    report: Report,
}

impl Run<'_, '_> {
    fn find_anchor(&self, anchor: &str) -> Option<LineId> {
        let anchor = Pattern::new(anchor);
        let mut found = None;
        let mut at = self.region.begin;
        while let Some(id) = at {
            if Some(id) == self.region.end {
                break;
            }
            if anchor.full(self.lines.text(id)) {
                found = Some(id);
                if self.ins.location.first {
                    break;
                }
            }
            at = self.lines.next(id);
        }
        found
    }

    /// No anchor: the top of the file ("before") or after the last line of
    /// the region, unless the whole promiser is already there.
    fn insert_into_region(&mut self) {
        if self.lines.is_empty() {
            return self.at_location(None, None);
        }
        if self.ins.location.before {
            if let Some(begin) = self.region.begin {
                self.at_location(Some(begin), None);
            }
            return;
        }
        let mut prev = None;
        let mut at = self.region.begin;
        while let Some(id) = at {
            if self.ins.kind != InsertType::PreserveAllLines
                && chunk_matches(self.lines, self.ins.promiser, Some(id), self.region.end) > 0
            {
                self.report.kept(format!(
                    "Promised chunk '{}' exists within selected region of {}",
                    self.ins.promiser, self.ins.filename
                ));
                return;
            }
            let next = self.lines.next(id);
            if next.is_none() || next == self.region.end {
                return self.at_location(Some(id), prev);
            }
            prev = Some(id);
            at = next;
        }
    }

    fn at_location(&mut self, location: Option<LineId>, prev: Option<LineId>) {
        if self.ins.kind.reads_a_file() {
            self.file_at(location, prev);
        } else {
            let promiser = self.ins.promiser;
            self.block_at(promiser, location, prev);
        }
    }

    fn file_at(&mut self, mut location: Option<LineId>, mut prev: Option<LineId>) {
        let source = match &self.ins.source {
            Ok(source) => source.clone(),
            Err(reason) => return self.report.interrupted(reason.clone()),
        };
        for line in &source {
            if !self.ins.select.selects(line) {
                continue;
            }
            if self.ins.kind != InsertType::FilePreserveBlock && self.in_region(line) {
                self.report.kept(format!(
                    "Promised file line '{line}' exists within file '{}'",
                    self.ins.filename
                ));
                continue;
            }
            self.block_at(line, location, prev);
            prev = match prev {
                Some(p) => self.lines.next(p),
                None => self.lines.head(),
            };
            location = location.and_then(|l| self.lines.next(l));
        }
    }

    /// cf-agent's `InsertCompoundLineAtLocation`: the lines of `chunk`, each
    /// after the previous one.
    fn block_at(&mut self, chunk: &str, mut location: Option<LineId>, mut prev: Option<LineId>) {
        let kind = self.ins.kind;
        if kind != InsertType::PreserveAllLines
            && chunk_matches(self.lines, chunk, location, None) > 0
        {
            self.report.kept(format!(
                "Promised chunk '{}' exists within selected region of {} (promise kept)",
                self.ins.promiser, self.ins.filename
            ));
            return;
        }
        for line in chunk.split('\n') {
            if !self.ins.select.selects(line) {
                continue;
            }
            if !kind.keeps_blocks() && self.in_region(line) {
                self.report.kept(format!(
                    "Promised chunk '{}' exists within selected region of '{}'",
                    self.ins.promiser, self.ins.filename
                ));
                continue;
            }
            self.line_at(line, location, prev);
            if kind.keeps_blocks()
                && self.ins.location.before
                && location.is_none()
                && prev.is_none()
            {
                location = self.lines.head();
            }
            prev = match prev {
                Some(p) => self.lines.next(p),
                None => self.lines.head(),
            };
            location = match location {
                Some(l) => self.lines.next(l),
                None => self.lines.head(),
            };
        }
    }

    fn in_region(&self, line: &str) -> bool {
        let mut at = self.region.begin;
        while let Some(id) = at {
            if Some(id) == self.region.end {
                return false;
            }
            if present_under_policy(line, self.lines.text(id), self.ins.whitespace) {
                return true;
            }
            at = self.lines.next(id);
        }
        false
    }

    fn line_at(&mut self, line: &str, location: Option<LineId>, prev: Option<LineId>) {
        let file = self.ins.filename;
        let before = self.ins.location.before;
        if prev.is_none() && before {
            let first = self.lines.head().map(|h| self.lines.text(h).to_string());
            if first.as_deref() == Some(line) {
                return self.report.kept(format!(
                    "Promised line '{line}' exists at start of file '{file}'"
                ));
            }
            return self.change(
                format!("the promised line '{line}' at the start of '{file}'"),
                |lines| {
                    lines.prepend(line.to_string());
                },
            );
        }
        if !self.ins.kind.keeps_blocks() && self.neighbour_matches(line, location, before) {
            let side = if before { "before" } else { "after" };
            return self.report.kept(format!(
                "Promised line '{line}' exists {side} locator in '{file}'"
            ));
        }
        if before {
            self.change(
                format!("the promised line '{line}' into '{file}' before locator"),
                |lines| {
                    lines.insert_after(prev, line.to_string());
                },
            );
        } else {
            self.change(
                format!("the promised line '{line}' into '{file}' after locator"),
                |lines| {
                    lines.insert_after(location, line.to_string());
                },
            );
        }
    }

    fn neighbour_matches(&self, line: &str, location: Option<LineId>, before: bool) -> bool {
        let Some(location) = location else {
            return false;
        };
        let neighbour = if before {
            self.lines.prev(location)
        } else {
            self.lines.next(location)
        };
        neighbour
            .is_some_and(|n| present_under_policy(line, self.lines.text(n), self.ins.whitespace))
    }

    /// Makes a change, or only warns about it.
    /// Inserts `line` with `apply`, or only warns about it.
    fn change(&mut self, what: String, apply: impl FnOnce(&mut Lines)) {
        if self.ins.warn {
            self.report
                .warned(format!("Should insert {what}, but only warning promised"));
        } else {
            apply(self.lines);
            self.report.changed(format!("Inserted {what}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fileops::edit::report::Verdict;

    struct Case {
        kind: InsertType,
        location: Location,
        source: Result<Vec<String>, String>,
        whitespace: Vec<Whitespace>,
        select: LineSelect,
    }

    impl Default for Case {
        fn default() -> Self {
            Case {
                kind: InsertType::Literal,
                location: Location::default(),
                source: Ok(Vec::new()),
                whitespace: Vec::new(),
                select: LineSelect::Any,
            }
        }
    }

    fn insert(text: &[&str], promiser: &str, case: Case) -> (Vec<String>, Report) {
        let mut lines = Lines::from_lines(text.iter().copied());
        let insertion = Insertion {
            promiser,
            kind: case.kind,
            source: case.source,
            location: &case.location,
            whitespace: &case.whitespace,
            select: &case.select,
            warn: false,
            filename: "f",
        };
        let region = Region::whole(&lines);
        let report = insert_lines(&mut lines, region, &insertion);
        (lines.to_strings(), report)
    }

    #[test]
    fn missing_lines_go_to_the_end_present_ones_stay() {
        let (out, report) = insert(&["alpha", "beta"], "gamma", Case::default());
        assert_eq!(out, ["alpha", "beta", "gamma"]);
        assert_eq!(report.verdict(), Verdict::Changed);
        let (out, report) = insert(&["alpha", "beta"], "alpha", Case::default());
        assert_eq!(out, ["alpha", "beta"]);
        assert_eq!(report.verdict(), Verdict::Kept);
        let (out, _) = insert(&[], "one", Case::default());
        assert_eq!(out, ["one"]);
    }

    #[test]
    fn blocks_by_insert_type() {
        let text = ["first", "two", "last"];
        let (out, _) = insert(&text, "one\ntwo\nthree", Case::default());
        assert_eq!(out, ["first", "two", "last", "one", "three"]);
        let block = Case {
            kind: InsertType::PreserveBlock,
            ..Case::default()
        };
        let (out, _) = insert(&text, "one\ntwo\nthree", block);
        assert_eq!(out, ["first", "two", "last", "one", "two", "three"]);
        let block = Case {
            kind: InsertType::PreserveBlock,
            ..Case::default()
        };
        let (_, report) = insert(&["one", "two", "three", "tail"], "one\ntwo\nthree", block);
        assert_eq!(report.verdict(), Verdict::Kept);
    }

    #[test]
    fn locations() {
        let text = ["header", "# m", "b=2", "# m", "end"];
        let at = |before: bool, first: bool, anchor: &str| Case {
            location: Location {
                anchor: Some(anchor.into()),
                before,
                first,
            },
            ..Case::default()
        };
        assert_eq!(
            insert(&text, "new", at(false, true, "# m")).0,
            ["header", "# m", "new", "b=2", "# m", "end"]
        );
        assert_eq!(
            insert(&text, "new", at(true, false, "# m")).0,
            ["header", "# m", "b=2", "new", "# m", "end"]
        );
        let (out, report) = insert(&text, "new", at(false, true, "b="));
        assert_eq!(out, text);
        assert_eq!(report.verdict(), Verdict::NotKept);
        let top = Case {
            location: Location {
                before: true,
                ..Location::default()
            },
            ..Case::default()
        };
        assert_eq!(insert(&text, "top", top).0[0], "top");
    }

    #[test]
    fn file_sources() {
        let source = || Ok(vec!["one".to_string(), "two".into(), "three".into()]);
        let by_line = Case {
            kind: InsertType::File,
            source: source(),
            ..Case::default()
        };
        let (out, report) = insert(&["two", "end"], "src", by_line);
        assert_eq!(out, ["two", "end", "one", "three"]);
        assert!(report
            .steps
            .iter()
            .any(|s| matches!(s, crate::fileops::edit::report::Step::Kept(_))));
        let block = Case {
            kind: InsertType::FilePreserveBlock,
            source: source(),
            ..Case::default()
        };
        let (out, _) = insert(&["start", "one", "two", "three"], "src", block);
        assert_eq!(out, ["start", "one", "two", "three", "one", "two", "three"]);
        let missing = Case {
            kind: InsertType::File,
            source: Err("Could not read file 'nosuch'".into()),
            ..Case::default()
        };
        let (out, report) = insert(&["x"], "nosuch", missing);
        assert_eq!(out, ["x"]);
        assert_eq!(report.verdict(), Verdict::NotKept);
    }

    #[test]
    fn selects_and_whitespace() {
        let select = Case {
            select: LineSelect::StartWith(vec!["allow".into()]),
            ..Case::default()
        };
        assert_eq!(
            insert(&["# x"], "allow a\ndeny b\nallow c", select).0,
            ["# x", "allow a", "allow c"]
        );
        let loose = Case {
            whitespace: vec![Whitespace::IgnoreEmbedded],
            ..Case::default()
        };
        assert_eq!(insert(&["a    b"], "a b", loose).0, ["a    b"]);
    }

    #[test]
    fn all_lines_keeps_duplicates() {
        let all = Case {
            kind: InsertType::PreserveAllLines,
            ..Case::default()
        };
        assert_eq!(insert(&["dup"], "dup", all).0, ["dup", "dup"]);
    }
}
