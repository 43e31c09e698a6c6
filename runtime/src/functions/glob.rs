//! Shell-style globs for `findfiles`.

use std::fs;
use std::path::Path;

/// Appends the paths matching `pattern` to `out`.
pub(super) fn expand(pattern: &str, out: &mut Vec<String>) {
    let absolute = pattern.starts_with('/');
    let components: Vec<&str> = pattern.split('/').filter(|c| !c.is_empty()).collect();
    let base = if absolute {
        "/".to_string()
    } else {
        String::new()
    };
    walk(&base, &components, out);
}

fn join(base: &str, name: &str) -> String {
    if base.is_empty() {
        name.to_string()
    } else if base.ends_with('/') {
        format!("{base}{name}")
    } else {
        format!("{base}/{name}")
    }
}

/// A directory's names, sorted as glob(3) sorts its results.
fn entries(dir: &str) -> Vec<String> {
    let dir = if dir.is_empty() { "." } else { dir };
    let mut names: Vec<String> = fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn walk(base: &str, components: &[&str], out: &mut Vec<String>) {
    let Some((first, rest)) = components.split_first() else {
        if !base.is_empty()
            && Path::new(base).symlink_metadata().is_ok()
            && !out.iter().any(|p| p == base)
        {
            out.push(base.to_string());
        }
        return;
    };
    if *first == "**" {
        // One or more directory levels.
        for name in entries(base) {
            let path = join(base, &name);
            walk(&path, rest, out);
            if Path::new(&path).is_dir() && !Path::new(&path).is_symlink() {
                walk(&path, components, out);
            }
        }
        return;
    }
    if !first.contains(['*', '?', '[']) {
        walk(&join(base, first), rest, out);
        return;
    }
    for name in entries(base) {
        if name.starts_with('.') && !first.starts_with('.') {
            continue;
        }
        if matches(first.as_bytes(), name.as_bytes()) {
            walk(&join(base, &name), rest, out);
        }
    }
}

/// `fnmatch` for one component: `*`, `?`, `[abc]`, `[!a-z]`, `\x`.
fn matches(pattern: &[u8], name: &[u8]) -> bool {
    match pattern.split_first() {
        None => name.is_empty(),
        Some((b'*', rest)) => (0..=name.len()).any(|skip| matches(rest, &name[skip..])),
        Some((b'?', rest)) => !name.is_empty() && matches(rest, &name[1..]),
        Some((b'[', rest)) => match (class(rest), name.split_first()) {
            (Some((hit, after)), Some((c, name_rest))) => hit(*c) && matches(after, name_rest),
            (None, Some((b'[', name_rest))) => matches(rest, name_rest),
            _ => false,
        },
        Some((b'\\', rest)) if !rest.is_empty() => {
            name.first() == rest.first() && matches(&rest[1..], &name[1..])
        }
        Some((c, rest)) => name.first() == Some(c) && matches(rest, &name[1..]),
    }
}

/// A bracket class: a predicate and the pattern after `]`.
#[allow(clippy::type_complexity)]
fn class(pattern: &[u8]) -> Option<(Box<dyn Fn(u8) -> bool + '_>, &[u8])> {
    let (negated, body) = match pattern.first() {
        Some(b'!' | b'^') => (true, &pattern[1..]),
        _ => (false, pattern),
    };
    let close = body.iter().skip(1).position(|&c| c == b']')? + 1;
    let set = &body[..close];
    let hit = move |c: u8| {
        let mut i = 0;
        let mut found = false;
        while i < set.len() {
            if i + 2 < set.len() && set[i + 1] == b'-' {
                found |= (set[i]..=set[i + 2]).contains(&c);
                i += 3;
            } else {
                found |= set[i] == c;
                i += 1;
            }
        }
        found != negated
    };
    Some((Box::new(hit), &body[close + 1..]))
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn component_patterns() {
        assert!(matches(b"*.cf", b"a.cf"));
        assert!(!matches(b"*.cf", b"a.cfg"));
        assert!(matches(b"?.c[a-f]", b"x.cf"));
        assert!(matches(b"[!a]*", b"b"));
        assert!(!matches(b"[!a]*", b"a"));
    }
}
