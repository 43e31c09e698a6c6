//! Path arithmetic of link_from, done on text as cf-agent does it (the
//! filesystem is asked only by [`expand_links`]): where a relative source
//! lies, what a `relative` link stores, what an `absolute` one resolves to.

use std::fs;

use crate::promises::files::existence::parent_text;

/// cf-agent follows at most this many levels of links (CF_MAXLINKLEVEL).
const MAX_LINK_LEVEL: usize = 4;

/// A link source as cf-agent compares it with an existing link: a
/// relative source without a leading `.` gets `./` in front.
pub(super) fn dotted(source: &str) -> String {
    if source.starts_with('/') || source.starts_with('.') {
        source.to_string()
    } else {
        format!("./{source}")
    }
}

/// Where the relative link target `to` (starting with `./` or `../`)
/// points from a link at `link`: leading `./` and `../` are taken off,
/// each `../` dropping one more directory of `link`'s path.
pub(super) fn beside(link: &str, to: &str) -> String {
    let mut pops = 1;
    let mut rest = to;
    loop {
        if let Some(after) = rest.strip_prefix("../") {
            pops += 1;
            rest = after;
        } else if let Some(after) = rest.strip_prefix("./") {
            rest = after;
        } else {
            break;
        }
    }
    let mut base = link.to_string();
    for _ in 0..pops {
        base = chop_last_node(&base);
    }
    if base.is_empty() || base == "." {
        return format!("/{rest}");
    }
    if base.ends_with('/') {
        format!("{base}{rest}")
    } else {
        format!("{base}/{rest}")
    }
}

/// `/a/b/c` → `/a/b`, `/a/b/` → `/a/b`, `/a` → `/`, `a` → `.` (cf-agent's
/// ChopLastNode).
pub(super) fn chop_last_node(path: &str) -> String {
    match parent_text(path) {
        "" if path.starts_with('/') => "/".to_string(),
        "" => ".".to_string(),
        parent => parent.to_string(),
    }
}

/// `.` components dropped, `..` taking off the component before it,
/// repeated slashes collapsed. `None` when `..` climbs above the top.
pub(super) fn compress(path: &str) -> Option<String> {
    let absolute = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            _ => parts.push(part),
        }
    }
    let joined = parts.join("/");
    Some(if absolute {
        format!("/{joined}")
    } else {
        joined
    })
}

/// The target a `relative` link at `link` stores for the absolute
/// `source`: `./`, one `../` per directory of `link` below the deepest
/// directory the two share, then the rest of `source` (`/s/links/up.lnk`
/// to `/s/data/t.txt` is `./../data/t.txt`). `None` for a link to itself.
pub(super) fn relative_target(link: &str, source: &str) -> Option<String> {
    if link == source {
        return None;
    }
    let (to, from) = (source.as_bytes(), link.as_bytes());
    let mut common = to.iter().zip(from).take_while(|(a, b)| a == b).count();
    // Back to a slash both paths have there (both are absolute).
    while common > 0 && !(to.get(common) == Some(&b'/') && from.get(common) == Some(&b'/')) {
        common -= 1;
    }
    let levels = link[common..].matches('/').count();
    let mut target = "./".to_string();
    for _ in 1..levels {
        target.push_str("../");
    }
    target.push_str(source.get(common + 1..).unwrap_or(""));
    Some(target)
}

/// Every link met on the way down `path` replaced by what it points to, as
/// cf-agent's ExpandLinks does for `when_no_source => "force"` absolute
/// links. A link met before the last component is checked, not rewritten
/// any further. `None` when some component does not exist.
pub(super) fn expand_links(path: &str) -> Option<String> {
    expand_from(path, 0)
}

fn expand_from(path: &str, level: usize) -> Option<String> {
    if level >= MAX_LINK_LEVEL {
        return Some(String::new());
    }
    let nodes: Vec<&str> = path.split('/').filter(|n| !n.is_empty()).collect();
    let mut dest = String::new();
    for (index, node) in nodes.iter().enumerate() {
        let last = index + 1 == nodes.len();
        match *node {
            "." => continue,
            ".." => {
                dest.push_str("/..");
                continue;
            }
            _ => {
                dest.push('/');
                dest.push_str(node);
            }
        }
        let meta = fs::symlink_metadata(&dest).ok()?;
        if !meta.file_type().is_symlink() {
            continue;
        }
        let target = fs::read_link(&dest).ok()?;
        let target = target.to_string_lossy();
        if target.starts_with('/') {
            dest = target.trim_end_matches('/').to_string();
            if dest.is_empty() {
                dest.push('/');
            }
        } else {
            let dir = chop_last_node(&dest);
            dest = format!("{}/{target}", dir.trim_end_matches('/'));
            if !target.starts_with('.') {
                dest = dest.trim_end_matches('/').to_string();
            }
        }
        if target.starts_with('.') {
            continue;
        }
        if dest == path {
            return Some(dest);
        }
        if !last {
            expand_from(&dest, level + 1)?;
        }
    }
    Some(dest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_sources_are_dotted_for_comparison() {
        assert_eq!(dotted("target.txt"), "./target.txt");
        assert_eq!(dotted("./t"), "./t");
        assert_eq!(dotted("../t"), "../t");
        assert_eq!(dotted("/abs/t"), "/abs/t");
    }

    #[test]
    fn relative_targets_are_placed_beside_the_link() {
        assert_eq!(beside("/s/rel.lnk", "./target.txt"), "/s/target.txt");
        assert_eq!(
            beside("/s/made/parents/deep.lnk", "../../target.txt"),
            "/s/target.txt"
        );
        assert_eq!(beside("/top.lnk", "./t"), "/t");
        assert_eq!(beside("/s/a.lnk", "./../x"), "/x");
    }

    #[test]
    fn last_nodes_are_chopped() {
        assert_eq!(chop_last_node("/a/b/c"), "/a/b");
        assert_eq!(chop_last_node("/a/b/"), "/a/b");
        assert_eq!(chop_last_node("/a"), "/");
        assert_eq!(chop_last_node("a"), ".");
    }

    #[test]
    fn paths_are_compressed() {
        assert_eq!(compress("/s/./chain").as_deref(), Some("/s/chain"));
        assert_eq!(compress("/s//a/../b/").as_deref(), Some("/s/b"));
        assert_eq!(compress("/..").as_deref(), None);
        assert_eq!(compress("a/./b").as_deref(), Some("a/b"));
    }

    #[test]
    fn relative_link_targets_climb_to_the_shared_directory() {
        let rel = |link, source| relative_target(link, source);
        assert_eq!(
            rel("/s/data/same.lnk", "/s/data/target.txt").as_deref(),
            Some("./target.txt")
        );
        assert_eq!(
            rel("/s/links/up.lnk", "/s/data/target.txt").as_deref(),
            Some("./../data/target.txt")
        );
        assert_eq!(
            rel("/s/links/deep/inner.lnk", "/s/data/sub/inner.txt").as_deref(),
            Some("./../../data/sub/inner.txt")
        );
        assert_eq!(
            rel("/s/data/sub/back.lnk", "/s/data/target.txt").as_deref(),
            Some("./../target.txt")
        );
        // Names sharing a prefix are not a shared directory.
        assert_eq!(
            rel("/s/datum/x.lnk", "/s/data/t").as_deref(),
            Some("./../data/t")
        );
        // A source that is an ancestor directory of the link.
        assert_eq!(rel("/a/b/c", "/a/b").as_deref(), Some("./../b"));
        assert_eq!(rel("/s/x", "/s/x"), None);
    }

    #[test]
    fn links_on_the_way_are_expanded() {
        let dir = std::env::temp_dir().join(format!("promise-rs-expand-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("real")).unwrap();
        fs::write(dir.join("real/file.txt"), "x").unwrap();
        std::os::unix::fs::symlink("real", dir.join("alias")).unwrap();
        std::os::unix::fs::symlink("alias/file.txt", dir.join("chain")).unwrap();
        let base = dir.to_string_lossy().into_owned();
        assert_eq!(
            expand_links(&format!("{base}/chain")),
            Some(format!("{base}/alias/file.txt"))
        );
        assert_eq!(
            expand_links(&format!("{base}/alias/file.txt")),
            Some(format!("{base}/real/file.txt"))
        );
        assert_eq!(expand_links(&format!("{base}/missing")), None);
        let _ = fs::remove_dir_all(&dir);
    }
}
