//! The line-editing engine of `edit_line` bundles: a file's lines in
//! memory, and the operations insert_lines, delete_lines and
//! replace_patterns apply to them, each limited to an optional region.
//! The files promise writes the buffer back (atomically) only if it changed.

use regex::Regex;

/// cf-agent's whole-line match: the leftmost match that starts at the
/// beginning must also end at the end. It does not try other alternatives,
/// so `ab|abc` does not match "abc" (as cf-agent 3.21 behaves).
pub fn full_match(regex: &Regex, text: &str) -> bool {
    regex
        .find(text)
        .is_some_and(|m| m.start() == 0 && m.end() == text.len())
}

/// The lines an operation may touch: `start..end` of the buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    pub start: usize,
    pub end: usize,
}

/// A `select_region` body: from the first line matching `start` to the
/// next line matching `end` (or the end of the file), the delimiters
/// included only when asked.
#[derive(Debug, Clone)]
pub struct SelectRegion {
    pub start: Regex,
    pub end: Option<Regex>,
    pub include_start: bool,
    pub include_end: bool,
}

/// `location` body: where inserted lines go. The default appends at the end
/// of the region, as cf-agent does.
#[derive(Debug, Clone, Default)]
pub struct Location {
    /// `select_line_matching`; `None` inserts relative to the whole region.
    pub anchor: Option<Regex>,
    pub before: bool,
    /// `first_last => "first"`: the first matching line, else the last.
    pub first: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Buffer {
    pub lines: Vec<String>,
    pub changed: bool,
}

/// What an edit operation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditOutcome {
    Kept,
    Changed,
    /// The operation could not be carried out, with why.
    Failed(String),
}

impl Buffer {
    pub fn from_text(text: &str) -> Buffer {
        Buffer {
            lines: text.lines().map(str::to_string).collect(),
            changed: false,
        }
    }

    /// The text to write back: one newline after every line.
    pub fn to_text(&self) -> String {
        let mut out = String::with_capacity(self.lines.iter().map(|l| l.len() + 1).sum());
        for line in &self.lines {
            out.push_str(line);
            out.push('\n');
        }
        out
    }

    pub fn region(&self, select: Option<&SelectRegion>) -> Option<Region> {
        let Some(select) = select else {
            return Some(Region {
                start: 0,
                end: self.lines.len(),
            });
        };
        let start_line = self
            .lines
            .iter()
            .position(|l| full_match(&select.start, l))?;
        let body_start = start_line + 1;
        let end_line = select
            .end
            .as_ref()
            .and_then(|end| {
                self.lines[body_start..]
                    .iter()
                    .position(|l| full_match(end, l))
                    .map(|at| body_start + at)
            })
            .unwrap_or(self.lines.len());
        let start = if select.include_start {
            start_line
        } else {
            body_start
        };
        let end = if select.include_end && end_line < self.lines.len() {
            end_line + 1
        } else {
            end_line
        };
        Some(Region { start, end })
    }

    /// Inserts `lines` unless each is already in the region: where
    /// `location` says, in the order given.
    pub fn insert_lines(
        &mut self,
        lines: &[String],
        location: &Location,
        region: Region,
    ) -> EditOutcome {
        let missing: Vec<&String> = lines
            .iter()
            .filter(|l| !self.lines[region.start..region.end].contains(l))
            .collect();
        if missing.is_empty() {
            return EditOutcome::Kept;
        }
        let at = match &location.anchor {
            None if location.before => region.start,
            None => region.end,
            Some(anchor) => {
                let mut matching =
                    (region.start..region.end).filter(|&i| full_match(anchor, &self.lines[i]));
                let found = if location.first {
                    matching.next()
                } else {
                    matching.next_back()
                };
                match found {
                    Some(i) if location.before => i,
                    Some(i) => i + 1,
                    None => {
                        return EditOutcome::Failed(format!(
                            "no line matches the location's select_line_matching '{}'",
                            anchor.as_str()
                        ))
                    }
                }
            }
        };
        for (offset, line) in missing.into_iter().enumerate() {
            self.lines.insert(at + offset, line.clone());
        }
        self.changed = true;
        EditOutcome::Changed
    }

    /// Deletes the lines of the region that match `pattern` as a whole (or,
    /// with `not_matching`, that do not).
    pub fn delete_lines(
        &mut self,
        pattern: &Regex,
        not_matching: bool,
        region: Region,
    ) -> EditOutcome {
        let before = self.lines.len();
        let mut index = 0;
        self.lines.retain(|line| {
            let inside = (region.start..region.end).contains(&index);
            index += 1;
            !(inside && full_match(pattern, line) != not_matching)
        });
        if self.lines.len() == before {
            EditOutcome::Kept
        } else {
            self.changed = true;
            EditOutcome::Changed
        }
    }

    /// Replaces matches of `pattern` with `replacement` (`$1`-style groups
    /// allowed) in the region, every match or only the first of each line.
    /// A replacement that the pattern would match again never converges and
    /// is refused, as cf-agent refuses it.
    pub fn replace_patterns(
        &mut self,
        pattern: &Regex,
        replacement: &str,
        first_only: bool,
        region: Region,
    ) -> EditOutcome {
        let mut changed = false;
        for line in &mut self.lines[region.start..region.end] {
            if !pattern.is_match(line) {
                continue;
            }
            let replaced = if first_only {
                pattern.replacen(line, 1, replacement).into_owned()
            } else {
                pattern.replace_all(line, replacement).into_owned()
            };
            if pattern.is_match(&replaced) {
                return EditOutcome::Failed(format!(
                    "replacing '{}' in \"{line}\" gives \"{replaced}\", which still matches: the promise would never converge",
                    pattern.as_str()
                ));
            }
            if replaced != *line {
                *line = replaced;
                changed = true;
            }
        }
        if changed {
            self.changed = true;
            EditOutcome::Changed
        } else {
            EditOutcome::Kept
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn re(pattern: &str) -> Regex {
        Regex::new(pattern).unwrap()
    }

    fn buffer(text: &str) -> Buffer {
        Buffer::from_text(text)
    }

    fn all(b: &Buffer) -> Region {
        b.region(None).unwrap()
    }

    #[test]
    fn full_match_does_not_try_other_alternatives() {
        assert!(!full_match(&re("ab|abc"), "abc"));
        assert!(full_match(&re("abc|ab"), "abc"));
        assert!(full_match(&re("a.*"), "abc"));
    }

    #[test]
    fn insert_appends_missing_lines_once() {
        let mut b = buffer("one\ntwo\n");
        let lines = vec!["three".to_string(), "one".to_string()];
        let region = all(&b);
        assert_eq!(
            b.insert_lines(&lines, &Location::default(), region),
            EditOutcome::Changed
        );
        assert_eq!(b.to_text(), "one\ntwo\nthree\n");
        let region = all(&b);
        assert_eq!(
            b.insert_lines(&lines, &Location::default(), region),
            EditOutcome::Kept
        );
    }

    #[test]
    fn insert_before_the_first_matching_line() {
        let mut b = buffer("a\n# marker\nb\n# marker\n");
        let location = Location {
            anchor: Some(re("# marker")),
            before: true,
            first: true,
        };
        let region = all(&b);
        b.insert_lines(&["new".to_string()], &location, region);
        assert_eq!(b.to_text(), "a\nnew\n# marker\nb\n# marker\n");
    }

    #[test]
    fn insert_after_an_anchor_that_is_missing_fails() {
        let mut b = buffer("a\n");
        let location = Location {
            anchor: Some(re("nothing")),
            before: false,
            first: false,
        };
        let region = all(&b);
        assert!(matches!(
            b.insert_lines(&["x".into()], &location, region),
            EditOutcome::Failed(_)
        ));
        assert!(!b.changed);
    }

    #[test]
    fn delete_whole_line_matches_inside_the_region_only() {
        let mut b = buffer("x=1\n[section]\nx=2\ny=3\n[other]\nx=4\n");
        let select = SelectRegion {
            start: re(r"\[section\]"),
            end: Some(re(r"\[.*\]")),
            include_start: false,
            include_end: false,
        };
        let region = b.region(Some(&select)).unwrap();
        assert_eq!(
            b.delete_lines(&re("x=.*"), false, region),
            EditOutcome::Changed
        );
        assert_eq!(b.to_text(), "x=1\n[section]\ny=3\n[other]\nx=4\n");
    }

    #[test]
    fn delete_not_matching_keeps_only_matching_lines() {
        let mut b = buffer("keep 1\ndrop\nkeep 2\n");
        let region = all(&b);
        b.delete_lines(&re("keep.*"), true, region);
        assert_eq!(b.to_text(), "keep 1\nkeep 2\n");
    }

    #[test]
    fn replace_patterns_converges_or_refuses() {
        let mut b = buffer("port 80\nport 8080\n");
        let region = all(&b);
        assert_eq!(
            b.replace_patterns(&re(r"^port 80$"), "port 81", false, region),
            EditOutcome::Changed
        );
        assert_eq!(b.to_text(), "port 81\nport 8080\n");
        let mut b = buffer("aaa\n");
        let region = all(&b);
        assert!(matches!(
            b.replace_patterns(&re("a"), "aa", false, region),
            EditOutcome::Failed(_)
        ));
    }

    #[test]
    fn a_region_that_is_not_found_is_none() {
        let b = buffer("a\n");
        let select = SelectRegion {
            start: re("nope"),
            end: None,
            include_start: false,
            include_end: false,
        };
        assert!(b.region(Some(&select)).is_none());
    }
}
