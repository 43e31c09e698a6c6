//! Unified diffs of line lists (Myers' O(ND) algorithm), for audit and
//! warn-only runs: what an edit, a template or `content` would write.

/// One line of an edit script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Same(usize, usize),
    Delete(usize),
    Insert(usize),
}

/// The shortest edit script from `old` to `new` (Myers 1986): the
/// furthest-reaching path of every diagonal is saved for each number of
/// differences `d`, then the path is walked back from the end.
fn edit_script<T: PartialEq>(old: &[T], new: &[T]) -> Vec<Op> {
    let (n, m) = (old.len() as isize, new.len() as isize);
    let max = n + m;
    let offset = max + 1;
    let at = |k: isize| (k + offset) as usize;
    let mut v = vec![0isize; (2 * max + 3) as usize];
    let mut trace: Vec<Vec<isize>> = Vec::new();
    'search: for d in 0..=max {
        trace.push(v.clone());
        for k in (-d..=d).step_by(2) {
            let mut x = if k == -d || (k != d && v[at(k - 1)] < v[at(k + 1)]) {
                v[at(k + 1)]
            } else {
                v[at(k - 1)] + 1
            };
            let mut y = x - k;
            while x < n && y < m && old[x as usize] == new[y as usize] {
                x += 1;
                y += 1;
            }
            v[at(k)] = x;
            if x >= n && y >= m {
                break 'search;
            }
        }
    }
    let mut ops = Vec::new();
    let (mut x, mut y) = (n, m);
    for (d, v) in trace.iter().enumerate().rev() {
        let d = d as isize;
        let k = x - y;
        let prev_k = if k == -d || (k != d && v[at(k - 1)] < v[at(k + 1)]) {
            k + 1
        } else {
            k - 1
        };
        let prev_x = v[at(prev_k)];
        let prev_y = prev_x - prev_k;
        while x > prev_x && y > prev_y {
            x -= 1;
            y -= 1;
            ops.push(Op::Same(x as usize, y as usize));
        }
        if d > 0 {
            if x == prev_x {
                ops.push(Op::Insert(prev_y as usize));
            } else {
                ops.push(Op::Delete(prev_x as usize));
            }
        }
        x = prev_x;
        y = prev_y;
    }
    ops.reverse();
    ops
}

/// A unified diff (`---`/`+++` headers, `@@` hunks with `context` lines
/// around changes); empty when the lists are equal.
pub fn unified<S: AsRef<str> + PartialEq>(
    old: &[S],
    new: &[S],
    old_name: &str,
    new_name: &str,
    context: usize,
) -> String {
    let ops = edit_script(old, new);
    let changed: Vec<usize> = ops
        .iter()
        .enumerate()
        .filter(|(_, op)| !matches!(op, Op::Same(..)))
        .map(|(i, _)| i)
        .collect();
    if changed.is_empty() {
        return String::new();
    }
    let mut out = format!("--- {old_name}\n+++ {new_name}\n");
    let mut first = 0;
    while first < changed.len() {
        // Group changes whose context windows touch.
        let mut last = first;
        while last + 1 < changed.len() && changed[last + 1] - changed[last] <= 2 * context + 1 {
            last += 1;
        }
        let start = changed[first].saturating_sub(context);
        let end = (changed[last] + context + 1).min(ops.len());
        hunk(&ops[start..end], old, new, &mut out);
        first = last + 1;
    }
    out
}

fn hunk<S: AsRef<str>>(ops: &[Op], old: &[S], new: &[S], out: &mut String) {
    let (mut old_start, mut new_start) = (None, None);
    let (mut old_count, mut new_count) = (0, 0);
    let mut body = String::new();
    // Where each side stands before this hunk, for empty ranges.
    let mut old_before = 0;
    let mut new_before = 0;
    for op in ops {
        match *op {
            Op::Same(o, n) => {
                old_start.get_or_insert(o);
                new_start.get_or_insert(n);
                old_count += 1;
                new_count += 1;
                old_before = o + 1;
                new_before = n + 1;
                line(' ', old[o].as_ref(), &mut body);
            }
            Op::Delete(o) => {
                old_start.get_or_insert(o);
                old_count += 1;
                old_before = o + 1;
                line('-', old[o].as_ref(), &mut body);
            }
            Op::Insert(n) => {
                new_start.get_or_insert(n);
                new_count += 1;
                new_before = n + 1;
                line('+', new[n].as_ref(), &mut body);
            }
        }
    }
    let range = |start: Option<usize>, count: usize, before: usize| match (start, count) {
        (Some(s), 1) => format!("{}", s + 1),
        (Some(s), c) => format!("{},{c}", s + 1),
        (None, _) => format!("{},0", before.saturating_sub(count)),
    };
    out.push_str(&format!(
        "@@ -{} +{} @@\n",
        range(old_start, old_count, old_before),
        range(new_start, new_count, new_before)
    ));
    out.push_str(&body);
}

fn line(mark: char, text: &str, out: &mut String) {
    out.push(mark);
    out.push_str(text);
    out.push('\n');
}

/// Lines of a text, without their newlines (a last line without one
/// counts), for diffing whole contents.
pub fn lines_of(text: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = text.split('\n').collect();
    if lines.last() == Some(&"") {
        lines.pop();
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diff(old: &str, new: &str) -> String {
        unified(&lines_of(old), &lines_of(new), "a", "b", 3)
    }

    /// Applying the script must give `new` back, whatever it is.
    fn check_script(old: &[&str], new: &[&str]) {
        let ops = edit_script(old, new);
        let mut rebuilt = Vec::new();
        let mut old_seen = Vec::new();
        for op in ops {
            match op {
                Op::Same(o, n) => {
                    assert_eq!(old[o], new[n]);
                    rebuilt.push(new[n]);
                    old_seen.push(o);
                }
                Op::Insert(n) => rebuilt.push(new[n]),
                Op::Delete(o) => old_seen.push(o),
            }
        }
        assert_eq!(rebuilt, new);
        assert_eq!(old_seen, (0..old.len()).collect::<Vec<_>>());
    }

    #[test]
    fn scripts_rebuild_the_new_side() {
        check_script(
            &["a", "b", "c", "a", "b", "b", "a"],
            &["c", "b", "a", "b", "a", "c"],
        );
        check_script(&[], &["x"]);
        check_script(&["x"], &[]);
        check_script(&[], &[]);
        check_script(&["same"], &["same"]);
    }

    #[test]
    fn equal_texts_have_no_diff() {
        assert_eq!(diff("a\nb\n", "a\nb\n"), "");
    }

    #[test]
    fn one_hunk_with_context() {
        assert_eq!(
            diff("1\n2\n3\n4\n5\n6\n7\n8\n", "1\n2\n3\n4\nfive\n6\n7\n8\n"),
            "--- a\n+++ b\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n"
        );
    }

    #[test]
    fn distant_changes_make_separate_hunks() {
        let old: String = (1..=20).map(|i| format!("{i}\n")).collect();
        let new = old.replace("2\n", "two\n").replace("19\n", "");
        let out = diff(&old, &new);
        assert_eq!(out.matches("@@ -").count(), 2, "{out}");
        assert!(out.contains("-2\n+two\n"));
        assert!(out.contains("-19\n"));
    }

    #[test]
    fn from_and_to_nothing() {
        assert_eq!(diff("", "x\n"), "--- a\n+++ b\n@@ -0,0 +1 @@\n+x\n");
        assert_eq!(
            diff("x\ny\n", ""),
            "--- a\n+++ b\n@@ -1,2 +0,0 @@\n-x\n-y\n"
        );
    }
}
