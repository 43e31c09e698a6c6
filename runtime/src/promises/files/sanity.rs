//! Combinations of attributes cf-agent refuses before touching anything.
//! A refused promise does nothing and is reported kept, as cf-agent 3.21
//! reports it (the refusal is logged as an error).

use super::attributes::FilesAttributes;

/// Why the promise is refused, if it is.
pub(super) fn refusal(a: &FilesAttributes, promiser: &str) -> Option<String> {
    let conflicts = [
        (
            a.link && a.copy,
            "cannot both be a copy of and a link to the source",
        ),
        (
            a.link_from.as_ref().is_some_and(|l| l.source.is_none()),
            "asks for a link but its link_from has no source",
        ),
        (
            a.edit_line && a.edit_xml,
            "cannot be edited both as lines and as XML",
        ),
        (
            a.depth_search.is_some() && a.edit,
            "cannot be edited during a depth_search",
        ),
        (
            a.delete.is_some() && (a.create || a.copy || a.edit || a.rename.is_some()),
            "cannot be deleted and exist at the same time",
        ),
        (
            a.rename.is_some() && (a.create || a.copy || a.edit),
            "cannot be renamed/moved and exist there at the same time",
        ),
        (
            a.delete.is_some() && a.depth_search.is_some() && !a.file_select,
            "asks for recursive deletion but has no file_select",
        ),
        (
            (a.copy || a.link) && a.transformer,
            "cannot both be a copy of a source and transformed",
        ),
        (
            a.depth_search.is_some() && a.changes.as_ref().is_some_and(|c| c.report_diffs),
            "cannot report differences (report_diffs) during a depth_search",
        ),
        (a.edit && a.fifo, "cannot be edited as it is a fifo"),
    ];
    conflicts
        .iter()
        .find(|(conflict, _)| *conflict)
        .map(|(_, why)| format!("files promise on '{promiser}' refused: it {why}"))
}

#[cfg(test)]
mod tests {
    use super::super::attributes::{Changes, HashChoice, ReportChanges};
    use super::super::search::DepthSearch;
    use super::*;

    fn plain() -> FilesAttributes {
        FilesAttributes {
            create: false,
            create_false: false,
            touch: false,
            transformer: false,
            move_obstructions: false,
            fifo: false,
            content: None,
            perms: None,
            rename: None,
            delete: None,
            changes: None,
            depth_search: None,
            file_select: false,
            copy: false,
            link: false,
            link_from: None,
            edit_line: false,
            edit_xml: false,
            edit: false,
            template_method: "cfengine".into(),
            acl: false,
        }
    }

    #[test]
    fn report_diffs_with_depth_search_is_refused() {
        let mut a = plain();
        a.depth_search = Some(DepthSearch::default());
        assert_eq!(refusal(&a, "/d"), None);
        a.changes = Some(Changes {
            hash: HashChoice::Md5,
            report: ReportChanges::Content,
            update: true,
            report_diffs: true,
        });
        assert!(refusal(&a, "/d").is_some_and(|why| why.contains("report_diffs")));
    }

    #[test]
    fn copy_and_link_conflict() {
        let mut a = plain();
        a.copy = true;
        assert_eq!(refusal(&a, "/f"), None);
        a.link = true;
        assert!(refusal(&a, "/f").is_some());
    }
}
