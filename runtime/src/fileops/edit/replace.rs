//! replace_patterns: every match of the promiser regex in each line of the
//! region is replaced. As in cf-agent, a line is searched again from its
//! start after each replacement (at most 20 times), and a result that the
//! pattern still matches is refused as not convergent unless the pattern is
//! anchored at both ends.

use super::lines::Lines;
use super::matching::Pattern;
use super::region::Region;
use super::report::Report;

/// cf-agent's `CF_MAX_REPLACE`.
const MAX_REPLACEMENTS: usize = 20;

pub struct Replacement<'a> {
    pub pattern: &'a str,
    /// `occurrences => "first"`: one replacement, in the first line that
    /// has a match.
    pub first_only: bool,
    pub warn: bool,
    pub filename: &'a str,
}

/// Replaces in `region`; `value` gives the replacement text for the
/// capture groups of one match (`replace_value` with `$(match.N)`).
pub fn replace_patterns(
    lines: &mut Lines,
    region: Region,
    replacement: &Replacement,
    value: &mut dyn FnMut(&[String]) -> String,
) -> Report {
    let mut report = Report::default();
    let pattern = replacement.pattern;
    let file = replacement.filename;
    let regex = Pattern::new(pattern);
    let anchored = !not_anchored(pattern);
    let mut found_any = false;
    let mut at = region.begin;
    while let Some(id) = at {
        if Some(id) == region.end {
            break;
        }
        at = lines.next(id);
        let original = lines.text(id).to_string();
        let mut line = original.clone();
        let mut replaced = false;
        let mut last_match_len = 0;
        let mut rounds = 1;
        while let Some(found) = regex.search(&line) {
            if last_match_len == line.len() {
                break;
            }
            rounds += 1;
            if rounds > MAX_REPLACEMENTS + 1 {
                break;
            }
            last_match_len = found.end - found.start;
            let with = value(&found.groups);
            line = format!("{}{with}{}", &line[..found.start], &line[found.end..]);
            found_any = true;
            replaced = true;
            if replacement.first_only {
                break;
            }
        }
        if !anchored && regex.is_found_in(&line) {
            report.interrupted(format!(
                "Promised replacement '{line}' on line '{original}' for pattern '{pattern}' is not convergent while editing '{file}' (regular expression matches the replacement string)"
            ));
            break;
        }
        if replacement.warn {
            report.warned(format!(
                "Should replace pattern '{pattern}' in '{file}', but only warning promised"
            ));
            continue;
        }
        if !replaced {
            continue;
        }
        lines.set_text(id, line);
        report.changed(format!("Replaced pattern '{pattern}' in '{file}'"));
        if replacement.first_only {
            break;
        }
        if regex.is_found_in(lines.text(id)) {
            report.interrupted(format!(
                "Promised replacement '{}' for pattern '{pattern}' is not properly convergent while editing '{file}' (pattern still matches the end-state replacement string)",
                lines.text(id)
            ));
        }
    }
    if !found_any {
        report.kept(format!("No match for pattern '{pattern}' in '{file}'"));
    }
    report
}

/// Whether a pattern is not anchored at both ends (`^…$`).
fn not_anchored(pattern: &str) -> bool {
    !(pattern.starts_with('^') && pattern.ends_with('$'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fileops::edit::report::Verdict;

    fn replace(
        text: &[&str],
        pattern: &str,
        with: &str,
        first_only: bool,
    ) -> (Vec<String>, Verdict) {
        let mut lines = Lines::from_lines(text.iter().copied());
        let replacement = Replacement {
            pattern,
            first_only,
            warn: false,
            filename: "f",
        };
        let region = Region::whole(&lines);
        let report = replace_patterns(&mut lines, region, &replacement, &mut |groups| {
            with.replace("$1", groups.get(1).map_or("", String::as_str))
        });
        (lines.to_strings(), report.verdict())
    }

    #[test]
    fn every_match_of_every_line() {
        assert_eq!(
            replace(&["foo foo", "bar foo"], "foo", "X", false),
            (vec!["X X".into(), "bar X".into()], Verdict::Changed)
        );
        assert_eq!(
            replace(&["port=80 port=81"], "port=(8[0-9])", "P[$1]", false).0,
            ["P[80] P[81]"]
        );
        assert_eq!(replace(&["x"], "absent", "y", false).1, Verdict::Kept);
    }

    #[test]
    fn first_only_stops_after_one_line() {
        assert_eq!(
            replace(&["foo foo", "foo"], "^foo", "X", true).0,
            ["X foo", "foo"]
        );
    }

    #[test]
    fn non_convergent_replacements_are_refused() {
        assert_eq!(
            replace(&["value=1"], "value=.*", "value=2", false),
            (vec!["value=1".into()], Verdict::NotKept)
        );
        assert_eq!(
            replace(&["value=1"], "^value=1$", "value=2", false).1,
            Verdict::Changed
        );
        assert_eq!(
            replace(&["value=1"], "^value=1$", "value=1", false).1,
            Verdict::NotKept
        );
    }
}
