//! Loading a policy: the files named, every `*.cf` under named directories,
//! and, transitively, the files named by `inputs` in `body common control`
//! and `body file control`.

mod statics;
pub mod stdlib;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use statics::StaticVars;
pub use statics::SysDirs;

use grammar::ast::{Block, PolicyFile, Rval};
use grammar::{Diagnostic, FileId, ParseOutput, Severity, SourceMap, Span};

/// Code of the diagnostic for an `inputs` entry that names no readable file.
pub const MISSING_INPUT: &str = "E001";

pub struct LoadedPolicy {
    pub sources: SourceMap,
    /// Parsed files, indexed like `sources`.
    pub files: Vec<PolicyFile>,
    pub diagnostics: Vec<Diagnostic>,
    /// `inputs` entries holding variables, not read: the policy may define
    /// more than was loaded.
    pub unresolved_inputs: Vec<(String, Span)>,
    /// For each file, the files its `inputs` name (indexed like `files`).
    pub inputs: Vec<Vec<FileId>>,
}

impl LoadedPolicy {
    pub fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    pub fn warning_count(&self) -> usize {
        self.diagnostics.len() - self.error_count()
    }

    /// For each file, the files whose policy includes it: itself, and every
    /// file that names it through `inputs`, transitively. Two files belong to
    /// one policy when these sets meet; a directory of separate entry points
    /// (promises.cf, update.cf, …) is not one policy.
    pub fn policy_roots(&self) -> Vec<Vec<FileId>> {
        let n = self.files.len();
        let mut roots: Vec<Vec<FileId>> = (0..n).map(|i| vec![FileId(i as u32)]).collect();
        for root in 0..n {
            let mut stack = vec![root];
            let mut seen = vec![false; n];
            seen[root] = true;
            while let Some(file) = stack.pop() {
                for child in &self.inputs[file] {
                    let c = child.0 as usize;
                    if !seen[c] {
                        seen[c] = true;
                        roots[c].push(FileId(root as u32));
                        stack.push(c);
                    }
                }
            }
        }
        roots
    }

    /// Adds diagnostics found after loading, keeping file order.
    pub fn add_diagnostics(&mut self, more: Vec<Diagnostic>) {
        self.diagnostics.extend(more);
        self.diagnostics
            .sort_by_key(|d| (d.span.file, d.span.start, d.code));
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{path}: {source}")]
    Unreadable {
        path: String,
        source: std::io::Error,
    },
}

/// What the loader needs to know about the agent it loads for.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// `sys.workdir` and the directories under it that `inputs` may name.
    pub sys: SysDirs,
}

/// Loads `paths` (files or directories) and everything their `inputs` name.
pub fn load(paths: &[PathBuf]) -> Result<LoadedPolicy, LoadError> {
    load_with(paths, &LoadOptions::default())
}

/// [`load`] for an agent whose directories `options` gives.
pub fn load_with(paths: &[PathBuf], options: &LoadOptions) -> Result<LoadedPolicy, LoadError> {
    let mut initial = Vec::new();
    for path in paths {
        let meta = match std::fs::metadata(path) {
            Err(_) if stdlib::embedded(path, &options.sys).is_some() => {
                initial.push(path.clone());
                continue;
            }
            meta => meta.map_err(|source| LoadError::Unreadable {
                path: path.display().to_string(),
                source,
            })?,
        };
        if meta.is_dir() {
            collect_policy_files(path, &mut initial).map_err(|source| LoadError::Unreadable {
                path: path.display().to_string(),
                source,
            })?;
        } else {
            initial.push(path.clone());
        }
    }

    let mut loader = Loader {
        sys: options.sys.clone(),
        ..Loader::default()
    };
    let mut pending: Vec<Pending> = initial
        .into_iter()
        .map(|path| Pending {
            entry_dir: path.parent().map(Path::to_path_buf).unwrap_or_default(),
            path,
            named_at: None,
            optional: false,
            parent: None,
        })
        .collect();
    loop {
        while !pending.is_empty() {
            let batch = loader.read_new(std::mem::take(&mut pending));
            let ids: Vec<FileId> = batch.iter().map(|(id, _)| *id).collect();
            let parsed = parse_parallel(&loader.sources, &ids);
            for (output, (id, entry_dir)) in parsed.into_iter().zip(batch) {
                // As cf-agent does, relative inputs resolve against the directory
                // of the entry file, whichever file names them.
                let (literal, unresolved) = inputs(&output.file);
                loader
                    .unresolved
                    .extend(unresolved.into_iter().map(|(rval, text, span)| Unresolved {
                        rval,
                        text,
                        span,
                        entry_dir: entry_dir.clone(),
                        file: id,
                    }));
                for (input, span) in literal {
                    pending.push(Pending {
                        path: entry_dir.join(input),
                        named_at: Some(span),
                        optional: false,
                        entry_dir: entry_dir.clone(),
                        parent: Some(id),
                    });
                }
                loader.diagnostics.extend(output.diagnostics);
                loader
                    .diagnostics
                    .extend(grammar::check_string_references(&output.file));
                loader.files.push(output.file);
            }
        }
        pending = loader.resolve_variable_inputs(&options.sys);
        if pending.is_empty() {
            break;
        }
    }
    let Loader {
        sources,
        files,
        mut diagnostics,
        unresolved,
        unreadable,
        inputs,
        ..
    } = loader;
    let unresolved_inputs = unresolved
        .into_iter()
        .map(|u| (u.text, u.span))
        .chain(unreadable)
        .collect();
    diagnostics.sort_by_key(|d| (d.span.file, d.span.start, d.code));
    Ok(LoadedPolicy {
        sources,
        files,
        diagnostics,
        unresolved_inputs,
        inputs,
    })
}

/// A file to read: where it was named, and the entry file's directory.
struct Pending {
    path: PathBuf,
    named_at: Option<Span>,
    /// Named through variables whose value lint chose among several
    /// (class-guarded) ones: a missing file is not an error, only a file
    /// lint could not see.
    optional: bool,
    entry_dir: PathBuf,
    /// The file whose `inputs` named it.
    parent: Option<FileId>,
}

/// An `inputs` entry holding variables, not resolved yet.
struct Unresolved {
    rval: Rval,
    text: String,
    span: Span,
    entry_dir: PathBuf,
    file: FileId,
}

#[derive(Default)]
struct Loader {
    /// The agent's directories: library files and the default entry file
    /// that are not on disk are built in ([`stdlib::embedded`]).
    sys: SysDirs,
    sources: SourceMap,
    files: Vec<PolicyFile>,
    /// The directory of each file, for `this.promise_dirname`.
    dirs: Vec<PathBuf>,
    diagnostics: Vec<Diagnostic>,
    unresolved: Vec<Unresolved>,
    /// Files named through variables that could not be read.
    unreadable: Vec<(String, Span)>,
    inputs: Vec<Vec<FileId>>,
    seen: HashMap<PathBuf, FileId>,
}

impl Loader {
    /// The files that the `inputs` entries holding variables name, for the
    /// entries whose variables are known from the files loaded so far.
    fn resolve_variable_inputs(&mut self, sys: &SysDirs) -> Vec<Pending> {
        let statics = StaticVars::collect(&self.files, &self.dirs, sys);
        let mut pending = Vec::new();
        let mut still = Vec::new();
        for entry in std::mem::take(&mut self.unresolved) {
            let dir = &self.dirs[entry.file.0 as usize];
            match statics.entry(&entry.rval, dir) {
                Some(values) => pending.extend(values.into_iter().filter(|v| !v.is_empty()).map(
                    |v| Pending {
                        path: entry.entry_dir.join(v),
                        named_at: Some(entry.span),
                        optional: true,
                        entry_dir: entry.entry_dir.clone(),
                        parent: Some(entry.file),
                    },
                )),
                None => still.push(entry),
            }
        }
        self.unresolved = still;
        pending
    }

    fn link(&mut self, parent: Option<FileId>, child: FileId) {
        if let Some(parent) = parent {
            self.inputs[parent.0 as usize].push(child);
        }
    }

    /// Reads the files not read yet; returns their ids and entry directories.
    fn read_new(&mut self, pending: Vec<Pending>) -> Vec<(FileId, PathBuf)> {
        let mut ids = Vec::new();
        for Pending {
            path,
            named_at,
            optional,
            entry_dir,
            parent,
        } in pending
        {
            let key = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
            if let Some(&id) = self.seen.get(&key) {
                self.link(parent, id);
                continue;
            }
            let read = std::fs::read(&path).or_else(|error| {
                stdlib::embedded(&path, &self.sys)
                    .map(|text| text.as_bytes().to_vec())
                    .ok_or(error)
            });
            match read {
                Ok(bytes) => {
                    let text = match String::from_utf8(bytes) {
                        Ok(text) => text,
                        Err(e) => {
                            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
                            let id = FileId(self.sources.files().count() as u32);
                            self.diagnostics.push(Diagnostic::warning(
                                grammar::Code::Encoding,
                                "file is not valid UTF-8; invalid bytes read as U+FFFD".into(),
                                Span {
                                    file: id,
                                    line: 1,
                                    column: 1,
                                    ..Span::default()
                                },
                            ));
                            text
                        }
                    };
                    let id = self.sources.add(display_path(&path), text);
                    self.inputs.push(Vec::new());
                    self.dirs
                        .push(path.parent().map(Path::to_path_buf).unwrap_or_default());
                    self.seen.insert(key, id);
                    self.link(parent, id);
                    ids.push((id, entry_dir));
                }
                Err(_) if optional => {
                    let span = named_at.unwrap_or_default();
                    self.unreadable.push((path.display().to_string(), span));
                }
                Err(error) => {
                    let message = format!("cannot read input file {}: {error}", path.display());
                    match named_at {
                        Some(span) => self.diagnostics.push(
                            Diagnostic::new(MISSING_INPUT, Severity::Error, message, span)
                                .with_label("named here")
                                .with_help("relative inputs are read from the directory of the entry policy file, as cf-agent does"),
                        ),
                        None => self.diagnostics.push(Diagnostic::new(
                            MISSING_INPUT,
                            Severity::Error,
                            message,
                            Span::default(),
                        )),
                    }
                }
            }
        }
        ids
    }
}

fn display_path(path: &Path) -> String {
    let text = path.display().to_string();
    text.strip_prefix("./").map(str::to_string).unwrap_or(text)
}

/// Parses the files on all cores; results come back in the order of `ids`.
fn parse_parallel(sources: &SourceMap, ids: &[FileId]) -> Vec<ParseOutput> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(ids.len().max(1));
    if threads <= 1 {
        return ids
            .iter()
            .map(|&id| grammar::parse_source(sources.get(id)))
            .collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut results: Vec<Option<ParseOutput>> = (0..ids.len()).map(|_| None).collect();
    let collected = std::sync::Mutex::new(Vec::with_capacity(ids.len()));
    std::thread::scope(|scope| {
        for _ in 0..threads {
            // A main thread's stack: the parser recurses as deep as the policy nests.
            let worker = std::thread::Builder::new().stack_size(8 * 1024 * 1024);
            let _ = worker.spawn_scoped(scope, || loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(&id) = ids.get(i) else { break };
                let output = grammar::parse_source(sources.get(id));
                if let Ok(mut c) = collected.lock() {
                    c.push((i, output));
                }
            });
        }
    });
    for (i, output) in collected.into_inner().unwrap_or_default() {
        results[i] = Some(output);
    }
    results.into_iter().flatten().collect()
}

/// Every `*.cf` below `dir`, sorted, so that output order is stable.
fn collect_policy_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect_policy_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "cf") {
            out.push(path);
        }
    }
    Ok(())
}

/// `inputs` entries of control bodies: plain file names, and the entries
/// holding variables (value, text, span).
type LiteralInputs = Vec<(String, Span)>;
type VariableInputs = Vec<(Rval, String, Span)>;

fn inputs(file: &PolicyFile) -> (LiteralInputs, VariableInputs) {
    let mut out = Vec::new();
    let mut unresolved = Vec::new();
    for block in &file.blocks {
        let Block::Body(body) = block else { continue };
        let is_control = body.name.name == "control"
            && matches!(body.body_type.name.as_str(), "common" | "file");
        if !is_control {
            continue;
        }
        for group in &body.groups {
            for attribute in group.attributes.iter().filter(|a| a.lval.name == "inputs") {
                let Rval::List(list) = &attribute.rval else {
                    continue;
                };
                for item in &list.items {
                    match item {
                        Rval::String(s) => {
                            let value = s.value();
                            if value.contains(['$', '@']) {
                                unresolved.push((item.clone(), value.into_owned(), s.span));
                            } else if !value.is_empty() {
                                out.push((value.into_owned(), s.span));
                            }
                        }
                        Rval::Variable(v) => {
                            unresolved.push((item.clone(), v.text.to_string(), v.span))
                        }
                        _ => {}
                    }
                }
            }
        }
    }
    (out, unresolved)
}
