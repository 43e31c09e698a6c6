//! The local user database as cf-agent reads it for `users` promises:
//! `/etc/passwd`, `/etc/group` and `/etc/shadow` themselves (not NSS), so
//! that only local accounts are managed.

use std::collections::HashMap;
use std::path::Path;

/// A line of `/etc/passwd`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswdEntry {
    pub name: String,
    pub password: String,
    pub uid: u32,
    pub gid: u32,
    pub gecos: String,
    pub home: String,
    pub shell: String,
}

/// A line of `/etc/group`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupFileEntry {
    pub name: String,
    pub gid: u32,
    pub members: Vec<String>,
}

/// The three files, parsed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LocalAccounts {
    pub users: Vec<PasswdEntry>,
    pub groups: Vec<GroupFileEntry>,
    /// User name → password hash from the shadow file.
    pub shadow: HashMap<String, String>,
}

impl LocalAccounts {
    /// Reads the files under `root` (`/` on a live system); a missing
    /// passwd or group file is an error, a missing shadow file is not.
    pub fn read(root: &Path) -> Result<LocalAccounts, String> {
        let read = |name: &str| {
            std::fs::read_to_string(root.join(name))
                .map_err(|e| format!("Could not open '/{name}': {e}"))
        };
        let passwd = read("etc/passwd")?;
        let group = read("etc/group")?;
        let shadow = std::fs::read_to_string(root.join("etc/shadow")).unwrap_or_default();
        Ok(LocalAccounts::parse(&passwd, &group, &shadow))
    }

    pub fn parse(passwd: &str, group: &str, shadow: &str) -> LocalAccounts {
        LocalAccounts {
            users: records(passwd).filter_map(passwd_entry).collect(),
            groups: records(group).filter_map(group_entry).collect(),
            shadow: records(shadow)
                .filter_map(|fields| {
                    Some((fields.first()?.to_string(), fields.get(1)?.to_string()))
                })
                .collect(),
        }
    }

    pub fn user(&self, name: &str) -> Option<&PasswdEntry> {
        self.users.iter().find(|u| u.name == name)
    }

    pub fn group_by_name(&self, name: &str) -> Option<&GroupFileEntry> {
        self.groups.iter().find(|g| g.name == name)
    }

    pub fn group_by_gid(&self, gid: u32) -> Option<&GroupFileEntry> {
        self.groups.iter().find(|g| g.gid == gid)
    }

    /// The groups that list `user` as a member.
    pub fn secondary_groups(&self, user: &str) -> Vec<String> {
        self.groups
            .iter()
            .filter(|g| g.members.iter().any(|m| m == user))
            .map(|g| g.name.clone())
            .collect()
    }

    /// The password hash cf-agent compares: the passwd field, or the shadow
    /// one when the passwd field is a stub (4 characters or fewer).
    pub fn password_hash(&self, user: &PasswdEntry) -> Option<String> {
        if user.password.len() <= 4 {
            if let Some(hash) = self.shadow.get(&user.name) {
                return Some(hash.clone());
            }
            if !self.shadow.is_empty() {
                return None;
            }
        }
        Some(user.password.clone())
    }

    /// Locked accounts have a hash starting with `!`.
    pub fn is_locked(&self, user: &PasswdEntry) -> bool {
        self.password_hash(user).is_some_and(|h| h.starts_with('!'))
    }
}

/// The colon-separated fields of each line that is not empty or a
/// comment.
fn records(text: &str) -> impl Iterator<Item = Vec<&str>> {
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.split(':').collect())
}

fn passwd_entry(fields: Vec<&str>) -> Option<PasswdEntry> {
    let [name, password, uid, gid, gecos, home, shell] = fields.as_slice() else {
        return None;
    };
    Some(PasswdEntry {
        name: name.to_string(),
        password: password.to_string(),
        uid: uid.parse().ok()?,
        gid: gid.parse().ok()?,
        gecos: gecos.to_string(),
        home: home.to_string(),
        shell: shell.to_string(),
    })
}

fn group_entry(fields: Vec<&str>) -> Option<GroupFileEntry> {
    let [name, _password, gid, members] = fields.as_slice() else {
        return None;
    };
    Some(GroupFileEntry {
        name: name.to_string(),
        gid: gid.parse().ok()?,
        members: members
            .split(',')
            .filter(|m| !m.is_empty())
            .map(str::to_string)
            .collect(),
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub const PASSWD: &str = "root:x:0:0:root:/root:/bin/bash\n\
        # a comment\n\
        alice:x:1000:1000:Alice A:/home/alice:/bin/bash\n\
        bob:$6$abc$hash:1001:100::/home/bob:/bin/sh\n\
        broken:line\n";
    pub const GROUP: &str =
        "root:x:0:\nusers:x:100:\nalice:x:1000:\nwheel:x:10:alice,carol\naudio:x:29:alice\n";
    pub const SHADOW: &str =
        "root:*:19000:0:99999:7:::\nalice:!$6$salt$locked:19000:0:99999:7:::\n";

    pub fn fixture() -> LocalAccounts {
        LocalAccounts::parse(PASSWD, GROUP, SHADOW)
    }

    #[test]
    fn parses_the_three_files() {
        let db = fixture();
        assert_eq!(db.users.len(), 3);
        let alice = db.user("alice").unwrap();
        assert_eq!((alice.uid, alice.gid), (1000, 1000));
        assert_eq!(alice.gecos, "Alice A");
        assert_eq!(
            db.group_by_name("wheel").unwrap().members,
            ["alice", "carol"]
        );
        assert_eq!(db.group_by_gid(100).unwrap().name, "users");
        assert_eq!(db.secondary_groups("alice"), ["wheel", "audio"]);
        assert!(db.user("broken").is_none());
    }

    #[test]
    fn hashes_come_from_shadow_when_passwd_has_a_stub() {
        let db = fixture();
        let alice = db.user("alice").unwrap();
        assert_eq!(db.password_hash(alice).as_deref(), Some("!$6$salt$locked"));
        assert!(db.is_locked(alice));
        let bob = db.user("bob").unwrap();
        assert_eq!(db.password_hash(bob).as_deref(), Some("$6$abc$hash"));
        assert!(!db.is_locked(bob));
    }

    #[test]
    fn reading_a_missing_root_fails() {
        assert!(LocalAccounts::read(Path::new("/nonexistent-root-5e1f")).is_err());
    }
}
