//! The attributes of one files promise iteration, read once: which
//! concerns the promise has and the bodies that configure them, with the
//! defaults cf-agent 3.21 gives what is left out.

use crate::eval::body::BodyAttributes;
use crate::fileops::mode::ModeChange;
use crate::promises::accounts;

use super::link::LinkFrom;
use super::search::DepthSearch;
use super::{is_true, FileJob};

/// What a files promise asks for.
pub(super) struct FilesAttributes {
    pub create: bool,
    /// `create => "false"` (or `"no"`) written out, which stops `content`
    /// and templates from creating the file.
    pub create_false: bool,
    pub touch: bool,
    pub transformer: bool,
    pub move_obstructions: bool,
    pub fifo: bool,
    pub content: Option<String>,
    pub perms: Option<Perms>,
    pub rename: Option<Rename>,
    pub delete: Option<Delete>,
    pub changes: Option<Changes>,
    pub depth_search: Option<DepthSearch>,
    pub file_select: bool,
    pub copy: bool,
    pub link: bool,
    pub link_from: Option<LinkFrom>,
    pub edit_line: bool,
    pub edit_xml: bool,
    /// Any editing: edit_line, edit_xml or a template.
    pub edit: bool,
    pub template_method: String,
    pub acl: bool,
}

/// The `perms` body.
#[derive(Clone)]
pub(super) struct Perms {
    pub mode: ModeChange,
    /// The mode as written when there is one, and whether it could be read.
    pub mode_text: Option<String>,
    pub mode_error: Option<String>,
    pub owners: Vec<Id>,
    pub groups: Vec<Id>,
    pub rxdirs: bool,
    pub bsdflags: Vec<String>,
}

/// A user or group of `owners`/`groups`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Id {
    /// `"*"`: whoever owns the file now.
    Any,
    Known(u32),
    /// A name the user or group database does not know.
    Unknown(String),
}

/// The `rename` body.
pub(super) struct Rename {
    pub disable: bool,
    pub disable_suffix: Option<String>,
    pub disable_mode: ModeChange,
    pub newname: Option<String>,
    /// `rotate`; `None` when absent or not a number.
    pub rotate: Option<u32>,
}

/// The `delete` body.
pub(super) struct Delete {
    pub rmdirs: bool,
}

/// The `changes` body.
pub(super) struct Changes {
    pub hash: HashChoice,
    pub report: ReportChanges,
    pub update: bool,
    pub report_diffs: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum HashChoice {
    Md5,
    Sha1,
    Sha256,
    Sha384,
    Sha512,
    /// md5 and sha1, as community cf-agent's "best".
    Best,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ReportChanges {
    None,
    Content,
    Stats,
    All,
}

impl ReportChanges {
    pub fn content(self) -> bool {
        matches!(self, ReportChanges::Content | ReportChanges::All)
    }

    pub fn stats(self) -> bool {
        matches!(self, ReportChanges::Stats | ReportChanges::All)
    }
}

impl FilesAttributes {
    pub fn read(job: &FileJob) -> FilesAttributes {
        let has = |name: &str| job.promise.constraint(name).is_some();
        let create_value = job.scalar("create");
        let edit_template = has("edit_template") || has("edit_template_string");
        let edit_line = has("edit_line");
        let edit_xml = has("edit_xml");
        FilesAttributes {
            create: create_value.as_deref().is_some_and(is_true),
            create_false: matches!(create_value.as_deref(), Some("false" | "no")),
            touch: job.flag("touch"),
            transformer: has("transformer"),
            move_obstructions: job.flag("move_obstructions"),
            fifo: job.scalar("file_type").as_deref() == Some("fifo"),
            content: job.scalar("content"),
            perms: job.body("perms").map(|body| Perms::read(&body)),
            rename: job.body("rename").map(|body| Rename::read(&body)),
            delete: job.body("delete").map(|body| Delete::read(&body)),
            changes: job
                .body("changes")
                .map(|body| Changes::read(&body, checksum_updates_default(job))),
            depth_search: DepthSearch::of(job),
            file_select: has("file_select"),
            copy: has("copy_from"),
            link: has("link_from"),
            link_from: job.body("link_from").map(|body| LinkFrom::read(&body)),
            edit_line,
            edit_xml,
            edit: edit_line || edit_xml || edit_template,
            template_method: job
                .scalar("template_method")
                .unwrap_or_else(|| "cfengine".to_string()),
            acl: has("acl"),
        }
    }

    /// cf-agent warns about a files promise that asks for nothing.
    pub fn asks_nothing(&self) -> bool {
        !(self.transformer
            || self.rename.is_some()
            || self.delete.is_some()
            || self.copy
            || self.create
            || self.touch
            || self.link
            || self.perms.is_some()
            || self.changes.is_some()
            || self.acl
            || self.edit
            || self.content.is_some())
    }

    /// The recursion depth of the depth_search (0 without one).
    pub fn depth(&self) -> i64 {
        self.depth_search.as_ref().map_or(0, |d| d.depth)
    }

    pub fn include_basedir(&self) -> bool {
        self.depth_search
            .as_ref()
            .is_some_and(|d| d.include_basedir)
    }
}

impl Perms {
    fn read(body: &BodyAttributes) -> Perms {
        let mode_text = body.scalar("mode").map(str::to_string);
        let (mode, mode_error) = match mode_text.as_deref().map(ModeChange::parse) {
            None => (ModeChange::default(), None),
            Some(Ok(mode)) => (mode, None),
            Some(Err(error)) => (ModeChange::default(), Some(error.to_string())),
        };
        Perms {
            mode,
            mode_text,
            mode_error,
            owners: body.list("owners").iter().map(|n| id(n, user_id)).collect(),
            groups: body
                .list("groups")
                .iter()
                .map(|n| id(n, group_id))
                .collect(),
            rxdirs: body.scalar("rxdirs").is_some_and(is_true),
            bsdflags: body.list("bsdflags"),
        }
    }
}

impl Rename {
    fn read(body: &BodyAttributes) -> Rename {
        Rename {
            disable: body.scalar("disable").is_some_and(is_true),
            disable_suffix: body.scalar("disable_suffix").map(str::to_string),
            // An unreadable disable_mode changes nothing, as in cf-agent.
            disable_mode: body
                .scalar("disable_mode")
                .and_then(|m| ModeChange::parse(m).ok())
                .unwrap_or_default(),
            newname: body.scalar("newname").map(str::to_string),
            rotate: body.scalar("rotate").and_then(|r| r.trim().parse().ok()),
        }
    }
}

impl Delete {
    fn read(body: &BodyAttributes) -> Delete {
        // `dirlinks` is read by cf-agent 3.21 but changes nothing: a link
        // to a directory is always just unlinked.
        Delete {
            rmdirs: body.scalar("rmdirs").is_some_and(is_true),
        }
    }
}

impl Changes {
    fn read(body: &BodyAttributes, update_default: bool) -> Changes {
        let hash = match body.scalar("hash") {
            Some("best") => HashChoice::Best,
            Some("sha1") => HashChoice::Sha1,
            Some("sha256") => HashChoice::Sha256,
            Some("sha384") => HashChoice::Sha384,
            Some("sha512") => HashChoice::Sha512,
            _ => HashChoice::Md5,
        };
        let report = match body.scalar("report_changes") {
            Some("content") => ReportChanges::Content,
            Some("stats") => ReportChanges::Stats,
            Some("all") => ReportChanges::All,
            _ => ReportChanges::None,
        };
        Changes {
            hash,
            report,
            update: body.scalar("update_hashes").map_or(update_default, is_true),
            report_diffs: body.scalar("report_diffs").is_some_and(is_true),
        }
    }
}

/// `checksum_updates_default` of `body agent control` (false when unset).
fn checksum_updates_default(job: &FileJob) -> bool {
    let policy = job.agent.policy;
    policy
        .bodies
        .iter()
        .filter(|b| b.body_type() == "agent" && b.name() == "control")
        .flat_map(|b| b.constraints.iter())
        .filter(|(_, c)| c.ast.lval.name == "checksum_updates_default")
        .filter_map(|(_, c)| job.agent.evaluate_rval(&c.ast.rval, job.binding))
        .filter_map(|e| e.value.as_scalar().map(is_true))
        .last()
        .unwrap_or(false)
}

/// A name or number of `owners`/`groups`.
fn id(name: &str, lookup: fn(&str) -> Option<u32>) -> Id {
    if name == "*" {
        return Id::Any;
    }
    if !name.is_empty() && name.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(number) = name.parse() {
            return Id::Known(number);
        }
    }
    lookup(name).map_or_else(|| Id::Unknown(name.to_string()), Id::Known)
}

pub(super) fn user_id(name: &str) -> Option<u32> {
    accounts::user_by_name(name).map(|user| user.uid)
}

pub(super) fn group_id(name: &str) -> Option<u32> {
    accounts::group_by_name(name).map(|group| group.gid)
}

/// Whether the user database has an entry for `uid`.
pub(super) fn user_known(uid: u32) -> bool {
    accounts::user_by_uid(uid).is_some()
}

/// Whether the group database has an entry for `gid`.
pub(super) fn group_known(gid: u32) -> bool {
    accounts::group_by_gid(gid).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_numbers_names_or_unknown() {
        assert_eq!(id("*", user_id), Id::Any);
        assert_eq!(id("0", user_id), Id::Known(0));
        assert_eq!(id("root", user_id), Id::Known(0));
        assert_eq!(id("root", group_id), Id::Known(0));
        assert_eq!(
            id("no_such_user_zq", user_id),
            Id::Unknown("no_such_user_zq".into())
        );
    }

    #[test]
    fn report_changes_kinds() {
        assert!(ReportChanges::All.content() && ReportChanges::All.stats());
        assert!(ReportChanges::Content.content() && !ReportChanges::Content.stats());
        assert!(!ReportChanges::None.content() && !ReportChanges::None.stats());
    }
}
