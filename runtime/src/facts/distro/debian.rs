//! Debian and its derivatives: `/etc/debian_version`, the first line of
//! `/etc/issue` (which tells Debian from Ubuntu) and Cumulus Linux's
//! `/etc/lsb-release`.

use super::set_flavor;
use crate::facts::canonify::canonify;
use crate::facts::root::HostRoot;
use crate::facts::{scan, HostFacts};

pub(super) fn debian(facts: &mut HostFacts, root: &HostRoot) {
    facts.define("debian");
    let Some(line) = root.first_line("/etc/debian_version") else {
        return;
    };
    let numbers = scan::dotted_ints(&line, 2);
    match numbers.as_slice() {
        [major, minor] => {
            facts.define(&format!("debian_{major}_{minor}"));
            set_flavor(facts, &format!("debian_{major}"));
        }
        [major] => set_flavor(facts, &format!("debian_{major}")),
        _ => {
            // Testing and unstable say e.g. "bookworm/sid".
            let codename: String = line.chars().take_while(|&c| c != '/').take(25).collect();
            if !codename.is_empty() {
                facts.define(&format!("debian_{codename}"));
            }
        }
    }
    let has_minor = numbers.len() == 2;

    let Some(issue) = root.first_line("/etc/issue") else {
        return;
    };
    match scan::word(&issue).map(|(first, _)| first) {
        Some("Debian") => {
            let issue = without_issue_escapes(&issue);
            if let Some((version, _)) = scan::skip_words(&issue, 2)
                .and_then(|rest| scan::until_any(rest.trim_start(), &['.', '/']))
            {
                facts.define("debian");
                set_flavor(facts, &format!("debian_{version}"));
            }
        }
        Some("Ubuntu") => {
            let issue = without_issue_escapes(&issue);
            let Some(rest) = scan::skip_words(&issue, 1).map(str::trim_start) else {
                return;
            };
            let Some((version, after)) = scan::until_any(rest, &['.']) else {
                return;
            };
            set_flavor(facts, &format!("ubuntu_{version}"));
            facts.define("ubuntu");
            if has_minor {
                let minor = after
                    .strip_prefix('.')
                    .and_then(scan::word)
                    .map(|(minor, _)| minor)
                    .unwrap_or_default();
                facts.define(&format!("ubuntu_{version}_{minor}"));
            }
        }
        _ => {}
    }
}

/// `/etc/issue` text without getty escapes (`\n`, `\l`, `@x` ...) and
/// without trailing whitespace.
fn without_issue_escapes(issue: &str) -> String {
    let mut out = String::new();
    let mut escaped = false;
    for c in issue.chars() {
        if c == '\\' || c == '@' || escaped {
            escaped = !escaped;
        } else {
            out.push(c);
        }
    }
    out.trim_end().to_string()
}

pub(super) fn lsb_release(facts: &mut HostFacts, root: &HostRoot) {
    let Some(text) = root.read("/etc/lsb-release") else {
        return;
    };
    let mut cumulus = false;
    let mut version = String::new();
    for line in text.lines() {
        if line.contains("Cumulus") {
            facts.define("cumulus");
            cumulus = true;
        }
        if let Some(at) = line.find("DISTRIB_RELEASE=") {
            version = canonify(&line[at + "DISTRIB_RELEASE=".len()..]);
        }
    }
    if cumulus && !version.is_empty() {
        set_flavor(facts, &format!("cumulus_{version}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_escapes_are_removed() {
        assert_eq!(
            without_issue_escapes("Debian GNU/Linux 12 \\n \\l"),
            "Debian GNU/Linux 12"
        );
        assert_eq!(without_issue_escapes("Host @s \\\\ end  "), "Host   end");
    }
}
