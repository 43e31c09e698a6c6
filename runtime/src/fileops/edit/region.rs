//! `select_region`: the part of the file an edit promise may touch.
//!
//! As in cf-agent, a selected region is described by its delimiter lines:
//! `begin` is the line matching `select_start` and `end` the first later line
//! matching `select_end` (`None`: the end of the file). Each operation then
//! decides whether the delimiters themselves are inside: delete_lines honours
//! `include_start_delimiter`/`include_end_delimiter`, while insert_lines,
//! replace_patterns and field_edits start at the start delimiter and stop
//! before the end delimiter (cf-agent 3.21's behaviour).

use super::lines::{LineId, Lines};
use super::matching::Pattern;

/// A `select_region` body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SelectRegion {
    pub start: Option<String>,
    pub end: Option<String>,
    pub include_start: bool,
    pub include_end: bool,
    pub end_match_eof: bool,
}

/// Where an operation works: from `begin` up to `end` (exclusive; `None`
/// is the end of the file).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    pub begin: Option<LineId>,
    pub end: Option<LineId>,
}

impl Region {
    /// The whole file, for insert_lines, replace_patterns and field_edits.
    pub fn whole(lines: &Lines) -> Region {
        Region {
            begin: lines.head(),
            end: None,
        }
    }
}

/// Why no region could be selected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionMissing {
    /// No line matches `select_start`.
    StartNotFound,
    /// The start line is the last line and is not itself in the region.
    EmptyAtEnd,
}

impl SelectRegion {
    /// The delimiters of the region in `lines`.
    pub fn select(&self, lines: &Lines) -> Result<Region, RegionMissing> {
        let start = self.start.as_deref().map(Pattern::new);
        let end_pattern = self.end.as_deref().map(Pattern::new);
        let mut begin = None;
        let mut end = None;
        let mut at = lines.head();
        while let Some(id) = at {
            let text = lines.text(id);
            if let (Some(start), None) = (&start, begin) {
                if start.full(text) {
                    if !self.include_start && lines.next(id).is_none() {
                        return Err(RegionMissing::EmptyAtEnd);
                    }
                    begin = Some(id);
                    at = lines.next(id);
                    continue;
                }
            }
            if let (Some(end_pattern), Some(_)) = (&end_pattern, begin) {
                if end_pattern.full(text) {
                    end = Some(id);
                    break;
                }
            }
            at = lines.next(id);
        }
        if begin.is_none() && self.start.is_some() {
            return Err(RegionMissing::StartNotFound);
        }
        Ok(Region { begin, end })
    }

    /// A `select_end` was given, not found, and the end of the file does not
    /// count as the end: insertions and deletions refuse such a region.
    pub fn end_missing(&self, region: &Region) -> bool {
        region.end.is_none() && self.end.is_some() && !self.end_match_eof
    }

    /// The lines delete_lines works on: `(first, stop)`, where `stop` is the
    /// first line not to touch (`None`: the end of the file).
    pub fn deletion_span(
        &self,
        lines: &Lines,
        region: &Region,
    ) -> (Option<LineId>, Option<LineId>) {
        let first = match region.begin {
            None => lines.head(),
            Some(begin) if self.include_start => Some(begin),
            Some(begin) => lines.next(begin),
        };
        let stop = match region.end {
            None => None,
            Some(end) if self.include_end => lines.next(end),
            Some(end) => Some(end),
        };
        (first, stop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(end: Option<&str>) -> SelectRegion {
        SelectRegion {
            start: Some(r"\[main\]".into()),
            end: end.map(str::to_string),
            ..SelectRegion::default()
        }
    }

    fn texts(lines: &Lines, ids: (Option<LineId>, Option<LineId>)) -> (String, String) {
        let text = |id: Option<LineId>| id.map_or("EOF".to_string(), |i| lines.text(i).into());
        (text(ids.0), text(ids.1))
    }

    #[test]
    fn the_region_runs_from_the_start_line_to_the_next_end_line() {
        let lines = Lines::from_lines(["x", "[main]", "a", "[other]", "b"]);
        let region = section(Some(r"\[.*\]")).select(&lines).unwrap();
        assert_eq!(
            texts(&lines, (region.begin, region.end)),
            ("[main]".into(), "[other]".into())
        );
        let span = section(Some(r"\[.*\]")).deletion_span(&lines, &region);
        assert_eq!(texts(&lines, span), ("a".into(), "[other]".into()));
        let inclusive = SelectRegion {
            include_start: true,
            include_end: true,
            ..section(Some(r"\[.*\]"))
        };
        assert_eq!(
            texts(&lines, inclusive.deletion_span(&lines, &region)),
            ("[main]".into(), "b".into())
        );
    }

    #[test]
    fn missing_markers() {
        let lines = Lines::from_lines(["x", "[main]"]);
        assert_eq!(section(None).select(&lines), Err(RegionMissing::EmptyAtEnd));
        let lines = Lines::from_lines(["x"]);
        assert_eq!(
            section(None).select(&lines),
            Err(RegionMissing::StartNotFound)
        );
        let lines = Lines::from_lines(["[main]", "a"]);
        let select = section(Some("END"));
        let region = select.select(&lines).unwrap();
        assert!(select.end_missing(&region));
        let eof = SelectRegion {
            end_match_eof: true,
            ..select
        };
        assert!(!eof.end_missing(&region));
    }
}
