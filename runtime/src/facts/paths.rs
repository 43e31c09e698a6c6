//! Agent directories and files derived from the work directory
//! (`sys.workdir`, `sys.inputdir`, `sys.statedir`, `sys.bindir`,
//! `sys.cf_agent` ...) and the policy entry point (`sys.policy_entry_*`).
//!
//! The layout is the one cf-agent uses when its work directory is given
//! explicitly (`CFENGINE_TEST_OVERRIDE_WORKDIR`): everything lives under the
//! work directory, including the log and pid directories and `bin`.

use std::path::Path;

use super::canonify::canonify;
use super::HostFacts;
use crate::value::Value;

/// The programs cf-agent looks for in `sys.bindir`, each giving a
/// `sys.cf_<name>` variable when present.
const COMPONENTS: [&str; 16] = [
    "cf-twin",
    "cf-agent",
    "cf-serverd",
    "cf-monitord",
    "cf-know",
    "cf-report",
    "cf-key",
    "cf-runagent",
    "cf-execd",
    "cf-hub",
    "cf-reactor",
    "cf-promises",
    "cf-upgrade",
    "cf-net",
    "cf-check",
    "cf-secret",
];

/// The directories of an agent whose work directory is `workdir`.
#[derive(Debug, Clone)]
pub(super) struct AgentDirs {
    pub workdir: String,
    pub inputdir: String,
    pub masterdir: String,
    pub statedir: String,
    pub bindir: String,
}

impl AgentDirs {
    pub(super) fn new(workdir: &Path) -> Self {
        let workdir = workdir.to_string_lossy().into_owned();
        AgentDirs {
            inputdir: format!("{workdir}/inputs"),
            masterdir: format!("{workdir}/masterfiles"),
            statedir: format!("{workdir}/state"),
            bindir: format!("{workdir}/bin"),
            workdir,
        }
    }
}

pub(super) fn discover(facts: &mut HostFacts, dirs: &AgentDirs) {
    let AgentDirs {
        workdir,
        inputdir,
        masterdir,
        statedir,
        bindir,
    } = dirs;
    for (name, value) in [
        ("workdir", workdir.clone()),
        ("inputdir", inputdir.clone()),
        ("masterdir", masterdir.clone()),
        ("statedir", statedir.clone()),
        ("bindir", bindir.clone()),
        ("logdir", workdir.clone()),
        ("piddir", workdir.clone()),
        ("libdir", format!("{inputdir}/lib")),
        ("local_libdir", "lib".to_string()),
        ("default_policy_path", format!("{inputdir}/promises.cf")),
        ("failsafe_policy_path", format!("{inputdir}/failsafe.cf")),
        ("update_policy_path", format!("{inputdir}/update.cf")),
    ] {
        facts.set_sys(name, Value::scalar(value));
    }

    for component in COMPONENTS {
        let path = format!("{bindir}/{component}");
        if Path::new(&path).exists() {
            facts.set_sys(&canonify(component), Value::scalar(format!("\"{path}\"")));
        }
    }
    // Without a cf-twin, the agent itself stands in for it.
    let agent = format!("{bindir}/cf-agent");
    if !facts.sys.contains_key("cf_twin") && Path::new(&agent).exists() {
        facts.set_sys("cf_twin", Value::scalar(format!("\"{agent}\"")));
    }
}

/// `sys.policy_entry_filename`, `_dirname` and `_basename`. Like cf-agent's
/// `-f`, a bare relative name (`site.cf`, `dir/site.cf`) is looked up in
/// the input directory, a name starting with `.` relative to the current
/// directory; without a policy file the default `promises.cf` is used.
pub(super) fn policy_entry(facts: &mut HostFacts, dirs: &AgentDirs, policy_file: Option<&Path>) {
    let inputdir = Path::new(&dirs.inputdir);
    let given = policy_file.map_or_else(|| inputdir.join("promises.cf"), Path::to_path_buf);
    let anchored = if given.is_absolute() {
        given
    } else if given.to_string_lossy().starts_with('.') {
        std::env::current_dir().unwrap_or_default().join(given)
    } else {
        inputdir.join(given)
    };
    let filename = lexically_normal(&anchored);
    let (dirname, basename) = match filename.rfind('/') {
        Some(0) => ("/".to_string(), filename[1..].to_string()),
        Some(cut) => (filename[..cut].to_string(), filename[cut + 1..].to_string()),
        None => (".".to_string(), filename.clone()),
    };
    facts.set_sys("policy_entry_filename", Value::scalar(filename));
    facts.set_sys("policy_entry_dirname", Value::scalar(dirname));
    facts.set_sys("policy_entry_basename", Value::scalar(basename));
}

/// An absolute path without `.`, `..` and repeated separators, resolved
/// textually as cf-agent's `CompressPath` does (symbolic links untouched).
fn lexically_normal(path: &Path) -> String {
    let text = path.to_string_lossy();
    let mut parts: Vec<&str> = Vec::new();
    for part in text.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    format!("/{}", parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::FakeRoot;
    use super::*;

    #[test]
    fn directories_follow_the_workdir() {
        let mut facts = HostFacts::default();
        discover(&mut facts, &AgentDirs::new(Path::new("/tmp/w")));
        for (name, value) in [
            ("workdir", "/tmp/w"),
            ("inputdir", "/tmp/w/inputs"),
            ("masterdir", "/tmp/w/masterfiles"),
            ("statedir", "/tmp/w/state"),
            ("bindir", "/tmp/w/bin"),
            ("logdir", "/tmp/w"),
            ("piddir", "/tmp/w"),
            ("libdir", "/tmp/w/inputs/lib"),
            ("local_libdir", "lib"),
            ("default_policy_path", "/tmp/w/inputs/promises.cf"),
            ("failsafe_policy_path", "/tmp/w/inputs/failsafe.cf"),
            ("update_policy_path", "/tmp/w/inputs/update.cf"),
        ] {
            assert_eq!(facts.sys_scalar(name), Some(value), "{name}");
        }
        assert!(!facts.sys.contains_key("cf_agent"));
    }

    #[test]
    fn installed_components_are_quoted_paths() {
        let workdir = FakeRoot::new("components");
        workdir.file("bin/cf-agent", "");
        workdir.file("bin/cf-promises", "");
        let dirs = AgentDirs::new(workdir.path());
        let mut facts = HostFacts::default();
        discover(&mut facts, &dirs);
        let quoted = |program: &str| format!("\"{}/{program}\"", dirs.bindir);
        assert_eq!(
            facts.sys_scalar("cf_agent"),
            Some(quoted("cf-agent").as_str())
        );
        assert_eq!(
            facts.sys_scalar("cf_promises"),
            Some(quoted("cf-promises").as_str())
        );
        assert_eq!(
            facts.sys_scalar("cf_twin"),
            Some(quoted("cf-agent").as_str())
        );
        assert!(!facts.sys.contains_key("cf_serverd"));
    }

    #[test]
    fn policy_entry_resolution() {
        let dirs = AgentDirs::new(Path::new("/w"));
        let entry = |file: Option<&str>| {
            let mut facts = HostFacts::default();
            policy_entry(&mut facts, &dirs, file.map(Path::new));
            ["filename", "dirname", "basename"].map(|part| {
                facts
                    .sys_scalar(&format!("policy_entry_{part}"))
                    .unwrap_or_default()
                    .to_string()
            })
        };
        assert_eq!(
            entry(None),
            ["/w/inputs/promises.cf", "/w/inputs", "promises.cf"]
        );
        assert_eq!(
            entry(Some("/tmp/facts/../facts/./trivial.cf")),
            ["/tmp/facts/trivial.cf", "/tmp/facts", "trivial.cf"]
        );
        assert_eq!(
            entry(Some("site/main.cf")),
            ["/w/inputs/site/main.cf", "/w/inputs/site", "main.cf"]
        );
        assert_eq!(entry(Some("/top.cf")), ["/top.cf", "/", "top.cf"]);
    }
}
