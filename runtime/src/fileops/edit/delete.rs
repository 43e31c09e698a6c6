//! delete_lines: every line (or block of lines, for a multi-line
//! promiser) of the span that fully matches the promiser is removed.

use super::lines::{LineId, Lines};
use super::matching::{chunk_matches_patterns, LineSelect, Pattern};
use super::report::Report;

#[derive(Debug, Clone)]
pub struct Deletion<'a> {
    /// Full-line regex; one per line of a block.
    pub pattern: &'a str,
    /// Delete the lines that do not match instead.
    pub not_matching: bool,
    pub select: &'a LineSelect,
    /// Only report what would be deleted.
    pub warn: bool,
    pub filename: &'a str,
}

/// Deletes matching lines from `first` up to (not including) `stop`.
pub fn delete_lines(
    lines: &mut Lines,
    first: Option<LineId>,
    stop: Option<LineId>,
    deletion: &Deletion,
) -> Report {
    let mut report = Report::default();
    let file = deletion.filename;
    let mut nothing_to_do = true;
    let pieces: Vec<Pattern> = deletion.pattern.split('\n').map(Pattern::new).collect();
    let mut at = first;
    while let Some(id) = at {
        if Some(id) == stop {
            break;
        }
        let block = chunk_matches_patterns(lines, &pieces, Some(id), stop);
        let count = if deletion.not_matching {
            usize::from(block == 0)
        } else {
            block
        };
        if count == 0 || !deletion.select.selects(lines.text(id)) {
            at = lines.next(id);
            continue;
        }
        nothing_to_do = false;
        if deletion.warn {
            report.warned(format!(
                "Should delete line '{}' from {file}, but only warning promised",
                lines.text(id)
            ));
            at = lines.next(id);
            continue;
        }
        let mut victim = Some(id);
        for number in 1..=count {
            let Some(line) = victim else {
                break;
            };
            report.changed(format!(
                "Deleted the promised line {number} '{}' from {file}",
                lines.text(line)
            ));
            victim = lines.remove(line);
        }
        at = victim;
    }
    if nothing_to_do {
        report.kept(format!("No need to delete lines from {file}, ok"));
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fileops::edit::report::Verdict;

    fn run(
        text: &[&str],
        pattern: &str,
        not_matching: bool,
        select: LineSelect,
    ) -> (Vec<String>, Verdict) {
        let mut lines = Lines::from_lines(text.iter().copied());
        let deletion = Deletion {
            pattern,
            not_matching,
            select: &select,
            warn: false,
            filename: "f",
        };
        let first = lines.head();
        let report = delete_lines(&mut lines, first, None, &deletion);
        (lines.to_strings(), report.verdict())
    }

    #[test]
    fn whole_lines_blocks_and_inversions() {
        let text = ["# c", "keep", "  # c", "x=1"];
        assert_eq!(
            run(&text, "#.*", false, LineSelect::Any),
            (
                vec!["keep".into(), "  # c".into(), "x=1".into()],
                Verdict::Changed
            )
        );
        assert_eq!(
            run(&text, "x.*", true, LineSelect::Any).0,
            vec!["x=1".to_string()]
        );
        assert_eq!(
            run(&text, "keep\n  # c", false, LineSelect::Any).0,
            ["# c", "x=1"]
        );
        assert_eq!(
            run(&text, "absent", false, LineSelect::Any).1,
            Verdict::Kept
        );
        assert_eq!(
            run(&text, ".*", false, LineSelect::StartWith(vec!["#".into()])).0,
            ["keep", "  # c", "x=1"]
        );
    }

    #[test]
    fn the_stop_line_is_never_deleted() {
        let mut lines = Lines::from_lines(["a", "END", "a"]);
        let first = lines.head();
        let stop = first.and_then(|a| lines.next(a));
        let select = LineSelect::Any;
        let deletion = Deletion {
            pattern: ".*",
            not_matching: false,
            select: &select,
            warn: false,
            filename: "f",
        };
        delete_lines(&mut lines, first, stop, &deletion);
        assert_eq!(lines.to_strings(), ["END", "a"]);
    }

    #[test]
    fn warnings_change_nothing() {
        let mut lines = Lines::from_lines(["a"]);
        let select = LineSelect::Any;
        let deletion = Deletion {
            pattern: "a",
            not_matching: false,
            select: &select,
            warn: true,
            filename: "f",
        };
        let first = lines.head();
        let report = delete_lines(&mut lines, first, None, &deletion);
        assert_eq!(report.verdict(), Verdict::Warned);
        assert_eq!(lines.to_strings(), ["a"]);
    }
}
