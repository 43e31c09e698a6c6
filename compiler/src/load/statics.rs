//! Values of `bundle common` variables that can be known without running
//! anything, for `inputs` entries such as `@(cfengine_stdlib.inputs)` or
//! `"$(sys.libdir)/stdlib.cf"`.
//!
//! A variable defined several times under different class guards takes
//! every one of its values: lint loads what any host could load. A value
//! that needs a function other than `getvalues`, or a variable that is not
//! static, leaves the entry unresolved.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use grammar::ast::{Block, PolicyFile, Rval};
use grammar::interpolation::{self, Part};

/// The directories the agent's `sys.*` variables name.
#[derive(Debug, Clone)]
pub struct SysDirs {
    pub workdir: PathBuf,
}

impl Default for SysDirs {
    /// Root's work directory.
    fn default() -> Self {
        SysDirs {
            workdir: PathBuf::from("/var/lib/promise-rs"),
        }
    }
}

impl SysDirs {
    pub fn libdir(&self) -> PathBuf {
        self.workdir.join("inputs/lib")
    }

    /// `$(sys.inputdir)/promises.cf`: what an agent runs when given no file.
    pub fn default_entry(&self) -> PathBuf {
        self.workdir
            .join("inputs")
            .join(super::stdlib::DEFAULT_ENTRY)
    }

    fn get(&self, name: &str) -> Option<String> {
        let dir = |sub: &str| self.workdir.join(sub).display().to_string();
        Some(match name {
            "workdir" => self.workdir.display().to_string(),
            "inputdir" => dir("inputs"),
            "masterdir" => dir("masterfiles"),
            "libdir" => dir("inputs/lib"),
            "statedir" => dir("state"),
            "bindir" => dir("bin"),
            "local_libdir" => "lib".to_string(),
            _ => return None,
        })
    }
}

struct Definition<'a> {
    rval: &'a Rval,
    /// The directory of the file holding the promise: `this.promise_dirname`.
    dir: &'a Path,
}

/// Every variable of every `bundle common`, by bundle and promiser.
pub struct StaticVars<'a> {
    defs: HashMap<(&'a str, String), Vec<Definition<'a>>>,
    sys: &'a SysDirs,
}

const MAX_DEPTH: usize = 16;

impl<'a> StaticVars<'a> {
    pub fn collect(files: &'a [PolicyFile], dirs: &'a [PathBuf], sys: &'a SysDirs) -> Self {
        let mut defs: HashMap<(&str, String), Vec<Definition>> = HashMap::new();
        for (file, dir) in files.iter().zip(dirs) {
            for block in &file.blocks {
                let Block::Bundle(bundle) = block else {
                    continue;
                };
                if bundle.bundle_type.name != "common" {
                    continue;
                }
                let vars = bundle
                    .sections
                    .iter()
                    .filter(|s| s.promise_type.name == "vars");
                for promise in vars.flat_map(|s| &s.groups).flat_map(|g| &g.promises) {
                    let Some(value) = promise
                        .constraints
                        .iter()
                        .find(|c| matches!(c.lval.name.as_str(), "string" | "slist"))
                    else {
                        continue;
                    };
                    defs.entry((
                        bundle.name.name.as_str(),
                        promise.promiser.value().into_owned(),
                    ))
                    .or_default()
                    .push(Definition {
                        rval: &value.rval,
                        dir,
                    });
                }
            }
        }
        StaticVars { defs, sys }
    }

    /// The values of an `inputs` entry written in a file of directory `dir`,
    /// or `None` when they cannot be known before run time.
    pub fn entry(&self, rval: &Rval, dir: &Path) -> Option<Vec<String>> {
        self.rval(None, rval, dir, 0)
    }

    fn rval(
        &self,
        bundle: Option<&str>,
        rval: &Rval,
        dir: &Path,
        depth: usize,
    ) -> Option<Vec<String>> {
        if depth > MAX_DEPTH {
            return None;
        }
        match rval {
            Rval::String(s) => self.expand(bundle, &s.value(), dir, depth),
            Rval::Variable(v) => self.expand(bundle, &v.text, dir, depth),
            Rval::List(list) => {
                let mut out = Vec::new();
                for item in &list.items {
                    out.extend(self.rval(bundle, item, dir, depth + 1)?);
                }
                Some(out)
            }
            Rval::Call(call) => match (call.function.text(), call.args.as_slice()) {
                ("getvalues", [Rval::String(name)]) => {
                    self.array_values(bundle?, &name.value(), depth)
                }
                ("getvalues", [arg]) => self.getvalues_symbol(bundle, arg, depth),
                ("sort", [list, ..]) => {
                    let mut values = self.rval(bundle, list, dir, depth + 1)?;
                    values.sort();
                    Some(values)
                }
                ("lsdir", [path, regex, with_base]) => {
                    let regex = self.single(bundle, regex, dir, depth)?;
                    let with_base = self.single(bundle, with_base, dir, depth)? == "true";
                    let mut out = Vec::new();
                    for path in self.rval(bundle, path, dir, depth + 1)? {
                        out.extend(list_policy_dir(Path::new(&path), &regex, with_base)?);
                    }
                    Some(out)
                }
                _ => None,
            },
            _ => None,
        }
    }

    fn single(
        &self,
        bundle: Option<&str>,
        rval: &Rval,
        dir: &Path,
        depth: usize,
    ) -> Option<String> {
        match self.rval(bundle, rval, dir, depth + 1)?.as_slice() {
            [one] => Some(one.clone()),
            _ => None,
        }
    }

    fn getvalues_symbol(
        &self,
        bundle: Option<&str>,
        arg: &Rval,
        depth: usize,
    ) -> Option<Vec<String>> {
        match arg {
            Rval::Symbol(name) => self.array_values(bundle?, &name.name, depth),
            _ => None,
        }
    }

    /// Values of every `array[key]` of a bundle.
    fn array_values(&self, bundle: &str, array: &str, depth: usize) -> Option<Vec<String>> {
        let (bundle, array) = match array.split_once('.') {
            Some((b, a)) => (b, a),
            None => (bundle, array),
        };
        let prefix = format!("{array}[");
        let mut keys: Vec<&(&str, String)> = self
            .defs
            .keys()
            .filter(|(b, name)| *b == bundle && name.starts_with(&prefix))
            .collect();
        keys.sort();
        let mut out = Vec::new();
        for key in keys {
            out.extend(self.variable(key.0, &key.1, depth + 1)?);
        }
        Some(out)
    }

    /// Every value variable `name` of `bundle` may take.
    fn variable(&self, bundle: &str, name: &str, depth: usize) -> Option<Vec<String>> {
        let defs = self.defs.get(&(bundle, name.to_string()))?;
        let mut out = Vec::new();
        for def in defs {
            for value in self.rval(Some(bundle), def.rval, def.dir, depth + 1)? {
                if !out.contains(&value) {
                    out.push(value);
                }
            }
        }
        Some(out)
    }

    /// A string with its references replaced: one result per combination
    /// of the values of the lists it names.
    fn expand(
        &self,
        bundle: Option<&str>,
        text: &str,
        dir: &Path,
        depth: usize,
    ) -> Option<Vec<String>> {
        let lexed = interpolation::lex(text);
        if !lexed.errors.is_empty() {
            return None;
        }
        let mut results = vec![String::new()];
        for part in lexed.parts {
            let values = match part {
                Part::Literal { text, .. } => vec![text],
                Part::Reference(r) => self.reference(bundle, r.static_name()?, dir, depth)?,
            };
            results = results
                .iter()
                .flat_map(|prefix| values.iter().map(move |v| format!("{prefix}{v}")))
                .collect();
        }
        Some(results)
    }

    fn reference(
        &self,
        bundle: Option<&str>,
        name: &str,
        dir: &Path,
        depth: usize,
    ) -> Option<Vec<String>> {
        let (scope, var) = match name.split_once('.') {
            Some((scope, var)) => (Some(scope.rsplit(':').next().unwrap_or(scope)), var),
            None => (None, name),
        };
        match (scope, var) {
            (Some("this"), "promise_dirname") => Some(vec![dir.display().to_string()]),
            (Some("sys"), var) => self.sys.get(var).map(|v| vec![v]),
            (Some(scope), var) => self.variable(scope, var, depth),
            (None, var) => self.variable(bundle?, var, depth),
        }
    }
}

/// `lsdir()` on a directory of policy: the names in it that match `pattern`
/// as a whole, sorted; with `with_base`, as paths under `dir`.
fn list_policy_dir(dir: &Path, pattern: &str, with_base: bool) -> Option<Vec<String>> {
    let regex = regex::Regex::new(&format!("^(?:{pattern})$")).ok()?;
    let Ok(entries) = std::fs::read_dir(dir) else {
        // cf-agent's lsdir gives an empty list for a missing directory.
        return Some(Vec::new());
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| regex.is_match(name))
        .collect();
    names.sort();
    Some(if with_base {
        names
            .into_iter()
            .map(|n| dir.join(n).display().to_string())
            .collect()
    } else {
        names
    })
}
