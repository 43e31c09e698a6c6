//! What a `users` promise needs done, worked out from the local database
//! alone (no system change here), as cf-agent 3.21 decides it on Linux:
//! `useradd … -M NAME`, `usermod` with only the attributes that differ,
//! `userdel NAME`; password hashes through `chpasswd -e`; locking puts `!`
//! before the hash and sets the expiry date to 1970-01-02.

use super::database::LocalAccounts;

pub const USERADD: &str = "/usr/sbin/useradd";
pub const USERMOD: &str = "/usr/sbin/usermod";
pub const USERDEL: &str = "/usr/sbin/userdel";
/// The expiry date that locks an account on Linux.
const LOCK_EXPIRY: &str = "1970-01-02";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserPolicy {
    Present,
    Absent,
    Locked,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordFormat {
    Plaintext,
    Hash,
}

/// The promised state of one user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSpec {
    pub name: String,
    pub policy: UserPolicy,
    pub uid: Option<String>,
    pub description: Option<String>,
    pub group_primary: Option<String>,
    /// `None` when `groups_secondary` is not given (then left alone).
    pub groups_secondary: Option<Vec<String>>,
    pub home_dir: Option<String>,
    pub shell: Option<String>,
    pub password: Option<(PasswordFormat, String)>,
    pub home_bundle: bool,
}

/// One thing to do to the system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A command line, run by `/bin/sh -c` as cf-agent's `system()` does.
    Run(String),
    /// `chpasswd -e` with `user:hash`.
    SetHash(String),
    /// `chpasswd` with `user:password` (the system hashes it).
    SetPlaintext(String),
    /// Call the `home_bundle` (after the user was created).
    HomeBundle,
}

/// What the promise needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    Kept,
    Create(Vec<Step>),
    Modify(Vec<Step>),
    Remove(Vec<Step>),
}

/// How a plaintext password is checked against a stored hash.
pub trait PasswordCheck {
    /// `None` when it cannot be checked.
    fn matches(&self, password: &str, hash: &str) -> Option<bool>;
}

fn quoted(option: &str, value: &str) -> String {
    format!(" {option} \"{value}\"")
}

pub fn plan(spec: &UserSpec, db: &LocalAccounts, check: &dyn PasswordCheck) -> Plan {
    let existing = db.user(&spec.name);
    match (spec.policy, existing) {
        (UserPolicy::Absent, None) => Plan::Kept,
        (UserPolicy::Absent, Some(_)) => {
            Plan::Remove(vec![Step::Run(format!("{USERDEL} {}", spec.name))])
        }
        (_, None) => Plan::Create(create(spec)),
        (_, Some(_)) => {
            let steps = modify(spec, db, check);
            if steps.is_empty() {
                Plan::Kept
            } else {
                Plan::Modify(steps)
            }
        }
    }
}

fn secondary_argument(groups: &[String]) -> String {
    quoted("-G", &groups.join(","))
}

fn create(spec: &UserSpec) -> Vec<Step> {
    let mut command = USERADD.to_string();
    if let Some(uid) = spec.uid.as_deref().filter(|u| !u.is_empty()) {
        command.push_str(&quoted("-u", uid));
    }
    if let Some(description) = &spec.description {
        command.push_str(&quoted("-c", description));
    }
    if let Some(group) = spec.group_primary.as_deref().filter(|g| !g.is_empty()) {
        command.push_str(&quoted("-g", group));
    }
    if let Some(groups) = &spec.groups_secondary {
        command.push_str(&secondary_argument(groups));
    }
    if let Some(home) = spec.home_dir.as_deref().filter(|h| !h.is_empty()) {
        command.push_str(&quoted("-d", home));
    }
    if let Some(shell) = spec.shell.as_deref().filter(|s| !s.is_empty()) {
        command.push_str(&quoted("-s", shell));
    }
    command.push_str(" -M ");
    command.push_str(&spec.name);
    let mut steps = vec![Step::Run(command)];
    if let Some(groups) = &spec.groups_secondary {
        steps.push(Step::Run(format!(
            "{USERMOD}{} {}",
            secondary_argument(groups),
            spec.name
        )));
    }
    // useradd leaves '!' as the hash, which would read as locked.
    steps.push(Step::SetHash(format!("{}:x", spec.name)));
    if spec.policy == UserPolicy::Locked {
        steps.push(Step::SetHash(format!("{}:!x", spec.name)));
        steps.push(lock_expiry(&spec.name, true));
    }
    if spec.home_bundle {
        steps.push(Step::HomeBundle);
    }
    if spec.policy != UserPolicy::Locked {
        if let Some(step) = password_step(spec) {
            steps.push(step);
        }
    }
    steps
}

fn password_step(spec: &UserSpec) -> Option<Step> {
    let (format, data) = spec.password.as_ref().filter(|(_, d)| !d.is_empty())?;
    let line = format!("{}:{data}", spec.name);
    Some(match format {
        PasswordFormat::Hash => Step::SetHash(line),
        PasswordFormat::Plaintext => Step::SetPlaintext(line),
    })
}

fn lock_expiry(name: &str, lock: bool) -> Step {
    let date = if lock { LOCK_EXPIRY } else { "" };
    Step::Run(format!("{USERMOD} -e \"{date}\" {name}"))
}

/// The steps that bring an existing user to the promise; empty when it
/// already is.
fn modify(spec: &UserSpec, db: &LocalAccounts, check: &dyn PasswordCheck) -> Vec<Step> {
    let Some(user) = db.user(&spec.name) else {
        return Vec::new();
    };
    let mut command = USERMOD.to_string();
    let mut attributes_changed = false;
    let mut change = |command: &mut String, option: &str, value: &str| {
        command.push_str(&quoted(option, value));
        attributes_changed = true;
    };
    if let Some(uid) = &spec.uid {
        if uid.parse::<u32>().ok() != Some(user.uid) {
            change(&mut command, "-u", uid);
        }
    }
    if let Some(description) = &spec.description {
        if *description != user.gecos {
            change(&mut command, "-c", description);
        }
    }
    if let Some(group) = spec.group_primary.as_deref().filter(|g| !g.is_empty()) {
        let gid = match db.group_by_name(group) {
            Some(entry) => Some(entry.gid),
            None => group.parse::<u32>().ok(),
        };
        if gid != Some(user.gid) {
            change(&mut command, "-g", group);
        }
    }
    if let Some(home) = &spec.home_dir {
        if *home != user.home {
            change(&mut command, "-d", home);
        }
    }
    if let Some(shell) = &spec.shell {
        if *shell != user.shell {
            change(&mut command, "-s", shell);
        }
    }

    let mut steps = Vec::new();
    let hash = db.password_hash(user);
    let password_wrong = spec.policy != UserPolicy::Locked
        && spec.password.as_ref().is_some_and(|(format, data)| {
            !data.is_empty()
                && match (format, &hash) {
                    (PasswordFormat::Hash, Some(hash)) => data != hash,
                    (PasswordFormat::Plaintext, Some(hash)) => {
                        check.matches(data, hash) != Some(true)
                    }
                    (_, None) => true,
                }
        });
    if password_wrong {
        if let Some(step) = password_step(spec) {
            steps.push(step);
        }
    }
    let locked = db.is_locked(user);
    let want_locked = spec.policy == UserPolicy::Locked;
    if locked != want_locked {
        // After a new password the hash is already unlocked.
        if let (Some(hash), false) = (&hash, password_wrong) {
            if want_locked && !hash.starts_with('!') {
                steps.push(Step::SetHash(format!("{}:!{hash}", spec.name)));
            } else if !want_locked && hash.starts_with('!') {
                steps.push(Step::SetHash(format!("{}:{}", spec.name, &hash[1..])));
            }
        }
        steps.push(lock_expiry(&spec.name, want_locked));
    }
    if let Some(wanted) = &spec.groups_secondary {
        let wanted: Vec<String> = wanted
            .iter()
            .map(
                |g| match g.parse::<u32>().ok().and_then(|gid| db.group_by_gid(gid)) {
                    Some(entry) => entry.name.clone(),
                    None => g.clone(),
                },
            )
            .collect();
        let to_set: Vec<String> = db
            .groups
            .iter()
            .filter(|g| wanted.contains(&g.name))
            .map(|g| g.name.clone())
            .collect();
        let mut current = db.secondary_groups(&spec.name);
        let mut sorted = to_set.clone();
        current.sort();
        sorted.sort();
        if current != sorted {
            change(&mut command, "-G", &to_set.join(","));
        }
    }
    if attributes_changed {
        command.push(' ');
        command.push_str(&spec.name);
        steps.insert(0, Step::Run(command));
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::super::database::tests::fixture;
    use super::*;

    struct NoCheck;
    impl PasswordCheck for NoCheck {
        fn matches(&self, password: &str, hash: &str) -> Option<bool> {
            Some(password == hash)
        }
    }

    fn spec(name: &str, policy: UserPolicy) -> UserSpec {
        UserSpec {
            name: name.into(),
            policy,
            uid: None,
            description: None,
            group_primary: None,
            groups_secondary: None,
            home_dir: None,
            shell: None,
            password: None,
            home_bundle: false,
        }
    }

    #[test]
    fn absent_users_are_removed_or_kept() {
        let db = fixture();
        assert_eq!(
            plan(&spec("nobody-here", UserPolicy::Absent), &db, &NoCheck),
            Plan::Kept
        );
        assert_eq!(
            plan(&spec("bob", UserPolicy::Absent), &db, &NoCheck),
            Plan::Remove(vec![Step::Run("/usr/sbin/userdel bob".into())])
        );
    }

    #[test]
    fn new_users_are_created_like_cf_agent() {
        let mut new = spec("carol", UserPolicy::Present);
        new.uid = Some("1500".into());
        new.description = Some("Carol C".into());
        new.group_primary = Some("users".into());
        new.groups_secondary = Some(vec!["wheel".into(), "audio".into()]);
        new.home_dir = Some("/home/carol".into());
        new.shell = Some("/bin/bash".into());
        new.password = Some((PasswordFormat::Hash, "$6$s$h".into()));
        assert_eq!(
            plan(&new, &fixture(), &NoCheck),
            Plan::Create(vec![
                Step::Run("/usr/sbin/useradd -u \"1500\" -c \"Carol C\" -g \"users\" -G \"wheel,audio\" -d \"/home/carol\" -s \"/bin/bash\" -M carol".into()),
                Step::Run("/usr/sbin/usermod -G \"wheel,audio\" carol".into()),
                Step::SetHash("carol:x".into()),
                Step::SetHash("carol:$6$s$h".into()),
            ])
        );
    }

    #[test]
    fn locked_new_users_get_no_password() {
        let mut new = spec("dave", UserPolicy::Locked);
        new.password = Some((PasswordFormat::Plaintext, "secret".into()));
        new.home_bundle = true;
        assert_eq!(
            plan(&new, &fixture(), &NoCheck),
            Plan::Create(vec![
                Step::Run("/usr/sbin/useradd -M dave".into()),
                Step::SetHash("dave:x".into()),
                Step::SetHash("dave:!x".into()),
                Step::Run("/usr/sbin/usermod -e \"1970-01-02\" dave".into()),
                Step::HomeBundle,
            ])
        );
    }

    #[test]
    fn existing_users_get_only_what_differs() {
        let db = fixture();
        let mut same = spec("bob", UserPolicy::Present);
        same.uid = Some("1001".into());
        same.shell = Some("/bin/sh".into());
        same.group_primary = Some("users".into());
        same.password = Some((PasswordFormat::Hash, "$6$abc$hash".into()));
        assert_eq!(plan(&same, &db, &NoCheck), Plan::Kept);

        let mut changed = same.clone();
        changed.shell = Some("/bin/bash".into());
        changed.description = Some("Bob B".into());
        changed.groups_secondary = Some(vec!["wheel".into()]);
        assert_eq!(
            plan(&changed, &db, &NoCheck),
            Plan::Modify(vec![Step::Run(
                "/usr/sbin/usermod -c \"Bob B\" -s \"/bin/bash\" -G \"wheel\" bob".into()
            )])
        );
    }

    #[test]
    fn secondary_groups_compare_as_sets_and_accept_gids() {
        let db = fixture();
        let mut alice = spec("alice", UserPolicy::Locked);
        alice.groups_secondary = Some(vec!["29".into(), "wheel".into()]);
        assert_eq!(plan(&alice, &db, &NoCheck), Plan::Kept);
    }

    #[test]
    fn locking_and_unlocking_an_existing_user() {
        let db = fixture();
        assert_eq!(
            plan(&spec("bob", UserPolicy::Locked), &db, &NoCheck),
            Plan::Modify(vec![
                Step::SetHash("bob:!$6$abc$hash".into()),
                Step::Run("/usr/sbin/usermod -e \"1970-01-02\" bob".into()),
            ])
        );
        assert_eq!(
            plan(&spec("alice", UserPolicy::Present), &db, &NoCheck),
            Plan::Modify(vec![
                Step::SetHash("alice:$6$salt$locked".into()),
                Step::Run("/usr/sbin/usermod -e \"\" alice".into()),
            ])
        );
    }

    #[test]
    fn plaintext_passwords_are_checked_against_the_hash() {
        let db = fixture();
        let mut bob = spec("bob", UserPolicy::Present);
        bob.password = Some((PasswordFormat::Plaintext, "$6$abc$hash".into()));
        assert_eq!(plan(&bob, &db, &NoCheck), Plan::Kept);
        bob.password = Some((PasswordFormat::Plaintext, "new".into()));
        assert_eq!(
            plan(&bob, &db, &NoCheck),
            Plan::Modify(vec![Step::SetPlaintext("bob:new".into())])
        );
    }
}
