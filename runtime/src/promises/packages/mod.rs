//! `packages`: packages present or absent through a package module
//! (SEMANTICS.md §4.10), the way cf-agent 3.21 does it
//! (`verify_new_packages.c`, `package_module.c`):
//!
//! - the module is the `package_module` body of the promise, else the one
//!   `body common control` names; it must answer `supports-api-version`
//!   with `1` before each promise;
//! - `present`: `get-package-data` says whether the promiser is a `repo`
//!   package (a name) or a `file`; if the installed list ([`inventory`],
//!   refreshed as `query_installed_ifelapsed` allows) has it (with the
//!   promised `version`/`architecture`) it is kept, else `repo-install` or
//!   `file-install`, then `list-installed` and `list-updates-local` must
//!   show it (repaired) or the promise failed; `version => "latest"`
//!   installs what `list-updates` offers that is not installed yet;
//! - `absent`: `remove` when the installed list has it, then the lists
//!   must no longer show it;
//! - `options` (else the body's `default_options`) go with every request;
//! - a dry run or `action_policy => "warn"` says what it would do;
//! - the legacy `package_method` promises are not supported: not kept.

mod inventory;
mod module;
mod protocol;

use compiler::ir::{Promise, Target};

use crate::eval::expand::Binding;
use crate::eval::Agent;
use crate::outcome::Outcome;
use crate::value::Value;
use inventory::ListKind;
pub use module::PackageModule;
use protocol::{PackageData, PackageEntry, PackageType};

/// Attributes of the legacy implementation (`package_method` bodies).
const LEGACY_ATTRIBUTES: &[&str] = &[
    "package_method",
    "package_policy",
    "package_version",
    "package_architectures",
    "package_select",
];

/// The promised state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Policy {
    Present,
    Absent,
}

/// A packages promise, read.
struct Request {
    policy: Policy,
    version: Option<String>,
    arch: Option<String>,
    options: Vec<String>,
    module: PackageModule,
}

/// What one promise is doing, for messages and the warn-only check.
struct Context<'a, 'p, 'w> {
    agent: &'a mut Agent<'p, 'w>,
    location: String,
    promiser: String,
    /// Dry run, audit or `action_policy => "warn"`.
    warn_only: bool,
}

pub fn actuate(agent: &mut Agent, promise: &Promise, promiser: &str, binding: &Binding) -> Outcome {
    let request = match read_request(agent, promise, binding) {
        Ok(request) => request,
        Err(message) => {
            return Outcome::failed(format!("packages promise '{promiser}': {message}"))
        }
    };
    let warn_only =
        agent.dry_run || agent.audit || agent.action_settings(promise, binding).warn_only;
    let mut context = Context {
        location: agent.location(promise),
        agent,
        promiser: promiser.to_string(),
        warn_only,
    };
    if let Err(why) = request
        .module
        .check()
        .and_then(|()| request.module.negotiate())
    {
        context.error(&why);
        return Outcome::failed(format!(
            "Some error occurred while contacting package module for promise '{promiser}'"
        ));
    }
    let (outcome, verb) = match request.policy {
        Policy::Present => (present(&mut context, &request), "install"),
        Policy::Absent => (absent(&mut context, &request), "remov"),
    };
    match outcome {
        Outcome::NotKept { .. } => Outcome::failed(format!("Error {verb}ing package '{promiser}'")),
        Outcome::Repaired => {
            context.info(&format!("Successfully {verb}ed package '{promiser}'"));
            Outcome::Repaired
        }
        other => other,
    }
}

/// A scalar attribute of `body common control`, evaluated.
fn common_control_scalar(agent: &mut Agent, name: &str) -> Option<String> {
    let policy = agent.policy;
    let (_, constraint) = policy
        .bodies
        .iter()
        .filter(|b| b.body_type() == "common" && b.name() == "control")
        .flat_map(|b| b.constraints.iter())
        .find(|(_, c)| c.ast.lval.name == name)?;
    agent.frames.push(crate::eval::bundle::control_frame());
    let value = agent
        .evaluate_rval(&constraint.ast.rval, &Binding::new())
        .and_then(|e| e.value.as_scalar().map(str::to_string));
    agent.frames.pop();
    value
}

fn read_request(
    agent: &mut Agent,
    promise: &Promise,
    binding: &Binding,
) -> Result<Request, String> {
    let value = |name: &str| agent.attribute(promise, name, binding);
    let scalar = |name: &str| agent.scalar_attribute(promise, name, binding);
    let uses_legacy = LEGACY_ATTRIBUTES
        .iter()
        .any(|name| promise.constraint(name).is_some());
    let uses_new = [
        "policy",
        "version",
        "architecture",
        "options",
        "package_module",
    ]
    .iter()
    .any(|name| promise.constraint(name).is_some());
    if uses_legacy && uses_new {
        return Err(
            "Mixed old and new package promise attributes inside one package promise.".into(),
        );
    }
    if uses_legacy {
        return Err(
            "package_method promises (the legacy implementation) are not supported; use package_module"
                .into(),
        );
    }
    let policy = match scalar("policy").as_deref() {
        Some("present") => Policy::Present,
        Some("absent") => Policy::Absent,
        Some(other) => {
            return Err(format!(
                "Unsupported package policy '{other}' in package promise."
            ))
        }
        None => return Err("Unsupported package policy in package promise.".into()),
    };
    let options = match value("options") {
        Some(Value::List(items)) => Some(items),
        Some(Value::Scalar(item)) => Some(vec![item]),
        _ => None,
    };
    let version = scalar("version");
    let arch = scalar("architecture");
    let mut module = module_of(agent, promise, binding)
        .ok_or_else(|| "Can not find package module body in policy.".to_string())?;
    let options = options.unwrap_or_else(|| std::mem::take(&mut module.options));
    if policy == Policy::Absent && version.as_deref() == Some("latest") {
        return Err("Package version 'latest' not supported for absent package promise".into());
    }
    Ok(Request {
        policy,
        version,
        arch,
        options,
        module,
    })
}

/// The promise's `package_module` body, else the default of `body common
/// control`.
fn module_of(agent: &mut Agent, promise: &Promise, binding: &Binding) -> Option<PackageModule> {
    let workdir = agent
        .facts
        .sys
        .get("workdir")
        .and_then(Value::as_scalar)
        .unwrap_or("/var/lib/promise-rs")
        .to_string();
    if let Some(constraint) = promise.constraint("package_module") {
        let Some(Target::Body(id)) = constraint.target else {
            return None;
        };
        let name = agent.policy.body(id).name().to_string();
        let body = agent.constraint_body(constraint, binding)?;
        return Some(PackageModule::from_body(&name, &body, &workdir));
    }
    let name = common_control_scalar(agent, "package_module")?;
    let id = agent.policy.find_body("default", "package_module", &name)?;
    let body = agent.body_attributes(id, &[]);
    Some(PackageModule::from_body(&name, &body, &workdir))
}

impl Context<'_, '_, '_> {
    fn error(&self, message: &str) {
        self.agent
            .log
            .error(&format!("{}: {message}", self.location));
    }

    fn info(&self, message: &str) {
        self.agent
            .log
            .info(&format!("{}: {message}", self.location));
    }

    fn verbose(&self, message: &str) {
        self.agent
            .log
            .verbose(&format!("{}: {message}", self.location));
    }

    /// cf-agent's `MakingChanges`: `Some(warning)` when only a warning is
    /// allowed.
    fn only_warn(&self, change: &str) -> Option<Outcome> {
        self.warn_only.then(|| {
            let message = format!("Should {change}, but only warning promised");
            self.agent
                .log
                .warning(&format!("{}: {message}", self.location));
            Outcome::Warned { message }
        })
    }

    fn now() -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or(0)
    }

    /// Asks the module for a list and stores it; false when the exchange
    /// failed or the reply had errors (the list is stored all the same).
    fn refresh(&mut self, request: &Request, kind: ListKind) -> bool {
        let module = &request.module;
        let lines = match module
            .exchange(kind.command(), &protocol::options_lines(&request.options))
        {
            Ok(lines) => lines,
            Err(why) => {
                self.verbose(&format!(
                    "Some error occurred while communicating with package module while updating cache: {why}"
                ));
                return false;
            }
        };
        let (entries, clean, remarks) = protocol::parse_inventory(&lines);
        for error in &remarks.errors {
            self.error(&format!("package module: {error}"));
        }
        inventory::store(&mut self.agent.state, &module.name, kind, &entries);
        clean
    }

    /// cf-agent's `UpdateSinglePackageModuleCache` without force: asks for
    /// the list when the module has none yet or the lock allows it.
    fn refresh_if_due(&mut self, request: &Request, kind: ListKind) -> bool {
        let module = &request.module;
        let missing = inventory::cached(&mut self.agent.state, &module.name, kind).is_none();
        let kind = if missing && kind == ListKind::LocalUpdates {
            ListKind::Updates
        } else {
            kind
        };
        let ifelapsed = match kind {
            ListKind::Installed => module.installed_ifelapsed,
            ListKind::Updates | ListKind::LocalUpdates => module.updates_ifelapsed,
        };
        let agent = &mut *self.agent;
        let locked = inventory::take_lock(
            &mut agent.state,
            &mut agent.package_cache_locks,
            &module.name,
            kind,
            ifelapsed,
            Self::now(),
        );
        if missing || locked {
            self.refresh(request, kind)
        } else {
            true
        }
    }

    fn installed(&mut self, request: &Request) -> Vec<PackageEntry> {
        if !self.refresh_if_due(request, ListKind::Installed) {
            self.info("Can not update cache.");
        }
        inventory::cached(
            &mut self.agent.state,
            &request.module.name,
            ListKind::Installed,
        )
        .unwrap_or_default()
    }

    /// cf-agent's `ValidateChangedPackage`: fresh lists, then whether the
    /// package is there (present) or gone (absent).
    fn validate(
        &mut self,
        request: &Request,
        name: &str,
        version: Option<&str>,
        arch: Option<&str>,
    ) -> Outcome {
        if !self.refresh(request, ListKind::Installed) {
            self.info("Can not update installed packages cache after package installation");
            return Outcome::failed("cache update failed");
        }
        if !self.refresh(request, ListKind::LocalUpdates) {
            self.info("Can not update available updates cache after package installation");
            return Outcome::failed("cache update failed");
        }
        let installed = inventory::cached(
            &mut self.agent.state,
            &request.module.name,
            ListKind::Installed,
        )
        .unwrap_or_default();
        let version = version.filter(|v| *v != "latest");
        let there = inventory::contains(&installed, name, version, arch);
        match (request.policy, there) {
            (Policy::Present, true) | (Policy::Absent, false) => Outcome::Repaired,
            (Policy::Present, false) => {
                Outcome::failed(format!("'{name}' is not installed after installing it"))
            }
            (Policy::Absent, true) => {
                Outcome::failed(format!("'{name}' is still installed after removing it"))
            }
        }
    }

    /// Sends an install or remove request; failed when the module fails
    /// or says anything.
    fn act(&mut self, request: &Request, command: &str, body: &str) -> Outcome {
        match request.module.exchange(command, body) {
            Ok(lines) => {
                let remarks = protocol::parse_action_reply(&lines);
                for line in remarks
                    .errors
                    .iter()
                    .map(|e| format!("package module: {e}"))
                {
                    self.error(&line);
                }
                for line in &remarks.unknown {
                    self.verbose(&format!("Unsupported response from package module: {line}"));
                }
                if lines.is_empty() {
                    Outcome::Repaired
                } else {
                    Outcome::failed(format!("package module reported errors on {command}"))
                }
            }
            Err(why) => {
                self.info(&format!("Error communicating package module: {why}"));
                Outcome::failed(format!("{command} failed: {why}"))
            }
        }
    }
}

fn present(context: &mut Context, request: &Request) -> Outcome {
    let promiser = context.promiser.clone();
    let data_request = protocol::package_data_request(
        &request.options,
        &promiser,
        request.version.as_deref(),
        request.arch.as_deref(),
    );
    let reply = match request.module.exchange("get-package-data", &data_request) {
        Ok(reply) => reply,
        Err(why) => {
            context.info(&format!(
                "Some error occurred while communicating with package module while collecting package data: {why}"
            ));
            return Outcome::failed("no package data");
        }
    };
    let (data, remarks) = protocol::parse_package_data(&reply);
    for error in &remarks.errors {
        context.error(&format!("package module: {error}"));
    }
    let mut data = match data {
        Ok(data) => data,
        Err(why) => {
            context.info(&format!(
                "{why} Can not obtain package data for promise: {promiser}"
            ));
            return Outcome::failed("no package data");
        }
    };
    match data.kind {
        PackageType::File => {
            if let Err(why) = file_matches_policy(&data, request) {
                context
                    .agent
                    .log
                    .warning(&format!("{}: {why}", context.location));
                context.error("Package data and policy doesn't match");
                return Outcome::failed("package data and policy do not match");
            }
        }
        PackageType::Repo => {
            data.version = None;
            data.arch = None;
        }
    }
    if data.arch.is_none() {
        data.arch = request.arch.clone();
    }
    if data.version.is_none() {
        data.version = request.version.clone();
    }
    let installed = context.installed(request);
    let wanted_version = data.version.as_deref().filter(|v| *v != "latest");
    let in_cache =
        inventory::contains(&installed, &data.name, wanted_version, data.arch.as_deref());
    match data.kind {
        PackageType::File => {
            if in_cache {
                context.verbose("Package exists in cache. Skipping installation.");
                return Outcome::Kept;
            }
            if let Some(warning) =
                context.only_warn(&format!("install file type package: {promiser}"))
            {
                return warning;
            }
            let body = protocol::install_request(
                &request.options,
                PackageType::File,
                &promiser,
                None,
                None,
            );
            match context.act(request, "file-install", &body) {
                Outcome::Repaired => context.validate(
                    request,
                    &data.name,
                    data.version.as_deref(),
                    data.arch.as_deref(),
                ),
                other => other,
            }
        }
        PackageType::Repo => repo_install(context, request, &data, in_cache),
    }
}

/// cf-agent's `CheckPolicyAndPackageInfoMatch`, for file packages.
fn file_matches_policy(data: &PackageData, request: &Request) -> Result<(), String> {
    if request.version.as_deref() == Some("latest") {
        return Err("Unsupported 'latest' version for package promise of type file.".into());
    }
    if let (Some(have), Some(want)) = (&data.arch, &request.arch) {
        if have != want {
            return Err(format!(
                "Package arch and one specified in policy doesn't match: {have} -> {want}"
            ));
        }
    }
    if let (Some(have), Some(want)) = (&data.version, &request.version) {
        if have != want {
            return Err(format!(
                "Package version and one specified in policy doesn't match: {have} -> {want}"
            ));
        }
    }
    Ok(())
}

/// cf-agent's `RepoInstall` and its validation.
fn repo_install(
    context: &mut Context,
    request: &Request,
    data: &PackageData,
    in_cache: bool,
) -> Outcome {
    let latest = data.version.as_deref() == Some("latest");
    if !in_cache {
        if !context.refresh_if_due(request, ListKind::Updates) {
            context.info("Can not update packages cache.");
        }
        if let Some(warning) =
            context.only_warn(&format!("install repo type package: {}", data.name))
        {
            return warning;
        }
        let version = data.version.as_deref().filter(|_| !latest);
        let body = protocol::install_request(
            &request.options,
            PackageType::Repo,
            &data.name,
            version,
            data.arch.as_deref(),
        );
        return match context.act(request, "repo-install", &body) {
            Outcome::Repaired => {
                context.validate(request, &data.name, version, data.arch.as_deref())
            }
            other => other,
        };
    }
    if !latest {
        context.verbose(&format!("Package '{}' already installed", data.name));
        return Outcome::Kept;
    }
    if !context.refresh_if_due(request, ListKind::Updates) {
        context.info("Can not update packages cache.");
    }
    let updates = inventory::cached(
        &mut context.agent.state,
        &request.module.name,
        ListKind::Updates,
    )
    .unwrap_or_default();
    let installed = inventory::cached(
        &mut context.agent.state,
        &request.module.name,
        ListKind::Installed,
    )
    .unwrap_or_default();
    let mut result = Outcome::Kept;
    let mut to_install = Vec::new();
    for update in updates.iter().filter(|u| u.name == data.name) {
        if data.arch.as_deref().is_some_and(|a| a != update.arch) {
            continue;
        }
        if inventory::contains(
            &installed,
            &update.name,
            Some(&update.version),
            Some(&update.arch),
        ) {
            continue;
        }
        if let Some(warning) =
            context.only_warn(&format!("install repo type package: {}", data.name))
        {
            result = result.worst(warning);
            continue;
        }
        to_install.push(update.clone());
    }
    if to_install.is_empty() {
        if result == Outcome::Kept {
            context.verbose(&format!(
                "Package '{}' is already in the latest version. Skipping installation.",
                data.name
            ));
        }
        return result;
    }
    let body = protocol::install_many_request(&request.options, &to_install);
    result = result.worst(context.act(request, "repo-install", &body));
    for update in &to_install {
        let validated = context.validate(
            request,
            &update.name,
            Some(&update.version),
            Some(&update.arch),
        );
        result = result.worst(validated);
    }
    result
}

fn absent(context: &mut Context, request: &Request) -> Outcome {
    let promiser = context.promiser.clone();
    let installed = context.installed(request);
    let (version, arch) = (request.version.as_deref(), request.arch.as_deref());
    if !inventory::contains(&installed, &promiser, version, arch) {
        context.verbose(&format!(
            "Package '{promiser}' not installed. Skipping removing."
        ));
        return Outcome::Kept;
    }
    if let Some(warning) = context.only_warn(&format!("remove package '{promiser}'")) {
        return warning;
    }
    let body = protocol::remove_request(&request.options, &promiser, version, arch);
    match context.act(request, "remove", &body) {
        Outcome::Repaired => context.validate(request, &promiser, version, arch),
        other => other,
    }
}
