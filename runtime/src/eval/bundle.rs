//! Bundles: pre-evaluation (§2.2), the bundlesequence (§2.3) and the three
//! passes over a bundle's promise types in normal order (§2.5).

use std::collections::{BTreeMap, HashMap};

use compiler::ir::BundleId;
use grammar::ast::Rval;

use super::expand::Binding;
use super::promise::{LAST_PASS, PRE_EVALUATION};
use super::{Agent, Frame, ThisPromise};
use crate::outcome::Outcome;
use crate::value::Value;

/// What a finished bundle hands back to its caller.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BundleResult {
    /// The worst outcome of its promises; `None` when nothing had one.
    pub outcome: Option<Outcome>,
    pub return_values: BTreeMap<String, String>,
}

impl<'p> Agent<'p, '_> {
    /// Before anything runs: the bundles are resolved, then every bundle's
    /// vars and meta promises are evaluated in file order (so that
    /// `bundlesmatching` sees the tags of bundles that never run), then the
    /// bundles are resolved again with what that defined, as cf-agent's
    /// policy loading does.
    pub(crate) fn pre_evaluate(&mut self) {
        self.pre_evaluating = true;
        self.resolve_all();
        let policy = self.policy;
        for bundle in &policy.bundles {
            self.push_frame(bundle.id, HashMap::new(), false);
            for section in &bundle.sections {
                if matches!(section.promise_type, "vars" | "meta") {
                    for &promise in &section.promises {
                        self.evaluate_promise(promise, PRE_EVALUATION);
                    }
                }
            }
            self.pop_frame();
        }
        self.resolve_all();
        self.pre_evaluating = false;
    }

    /// Common bundles (vars, classes, vars), then every other bundle's
    /// vars, all in file order.
    fn resolve_all(&mut self) {
        let policy = self.policy;
        for common in [true, false] {
            for bundle in &policy.bundles {
                if (bundle.bundle_type() == "common") != common {
                    continue;
                }
                self.push_frame(bundle.id, HashMap::new(), false);
                self.resolve(bundle.id, PRE_EVALUATION);
                self.pop_frame();
            }
        }
    }

    /// vars; for a common bundle vars, classes, vars.
    fn resolve(&mut self, id: BundleId, pass: u8) {
        let common = self.policy.bundle(id).bundle_type() == "common";
        self.evaluate_section(id, "vars", pass);
        if common {
            self.evaluate_section(id, "classes", pass);
            self.evaluate_section(id, "vars", pass);
        }
    }

    fn evaluate_section(&mut self, id: BundleId, promise_type: &str, pass: u8) {
        let policy = self.policy;
        let Some(section) = policy
            .bundle(id)
            .sections
            .iter()
            .find(|s| s.promise_type == promise_type)
        else {
            return;
        };
        for &promise in &section.promises {
            self.evaluate_promise(promise, pass);
        }
    }

    /// The bundles to run, with their arguments: `-b` or the
    /// bundlesequence of `body common control`, and `main` when neither
    /// names any, as cf-agent 3.21 does. Every name must exist.
    pub(crate) fn sequence(&mut self) -> Result<Vec<(BundleId, Vec<Value>)>, String> {
        let entries = match self.bundlesequence.clone() {
            Some(names) => names
                .iter()
                .flat_map(|list| list.split(','))
                .map(str::trim)
                .filter(|name| !name.is_empty())
                .map(|name| (name.to_string(), Vec::new()))
                .collect(),
            None => self.control_sequence(),
        };
        let entries = if entries.is_empty() {
            vec![("main".to_string(), Vec::new())]
        } else {
            entries
        };
        entries
            .into_iter()
            .map(
                |(name, args)| match self.policy.find_bundle("default", &name) {
                    Some(id) => Ok((id, args)),
                    None => Err(format!(
                        "Bundle '{name}' listed in the bundlesequence was not found"
                    )),
                },
            )
            .collect()
    }

    /// Entries of `bundlesequence` in `body common control`, evaluated.
    fn control_sequence(&mut self) -> Vec<(String, Vec<Value>)> {
        let policy = self.policy;
        let Some(control) = policy
            .bodies
            .iter()
            .find(|b| b.body_type() == "common" && b.name() == "control")
        else {
            return Vec::new();
        };
        let Some((_, constraint)) = control
            .constraints
            .iter()
            .find(|(_, c)| c.ast.lval.name == "bundlesequence")
        else {
            return Vec::new();
        };
        self.frames.push(control_frame());
        let items: &[Rval] = match &constraint.ast.rval {
            Rval::List(list) => &list.items,
            other => std::slice::from_ref(other),
        };
        let mut out = Vec::new();
        for item in items {
            match item {
                Rval::Call(call) => {
                    let args = call
                        .args
                        .iter()
                        .map(|arg| {
                            self.evaluate_rval(arg, &Binding::new())
                                .map_or_else(|| Value::scalar(""), |e| e.value)
                        })
                        .collect();
                    out.push((call.function.text().to_string(), args));
                }
                other => match self.evaluate_rval(other, &Binding::new()).map(|e| e.value) {
                    Some(Value::List(names)) => {
                        out.extend(names.into_iter().map(|n| (n, Vec::new())))
                    }
                    Some(Value::Scalar(name)) => out.push((name, Vec::new())),
                    _ => {}
                },
            }
        }
        self.frames.pop();
        out
    }

    /// The bundle's parameters bound to `args`; an error naming `kind`
    /// when their numbers differ.
    fn bind_params(
        &self,
        id: BundleId,
        args: Vec<Value>,
        kind: &str,
    ) -> Result<HashMap<String, Value>, String> {
        let bundle = self.policy.bundle(id);
        let params = &bundle.ast.params;
        if params.len() != args.len() {
            return Err(format!(
                "{kind} '{}' takes {} arguments, {} given",
                bundle.qualified_name(),
                params.len(),
                args.len()
            ));
        }
        Ok(params
            .iter()
            .map(|p| p.name.to_string())
            .zip(args)
            .collect())
    }
    /// Runs a bundle with positional arguments (bundlesequence, methods);
    /// with `inherit` the callee sees the caller's local classes.
    pub(crate) fn call_bundle(
        &mut self,
        id: BundleId,
        args: Vec<Value>,
        inherit: bool,
    ) -> Result<BundleResult, String> {
        let params = self.bind_params(id, args, "bundle")?;
        Ok(self.run_bundle(id, params, inherit))
    }

    /// Three passes over the bundle's sections in normal order; after the
    /// classes section of each pass the bundle's vars, then its defaults,
    /// are evaluated again.
    fn run_bundle(
        &mut self,
        id: BundleId,
        params: HashMap<String, Value>,
        inherit: bool,
    ) -> BundleResult {
        self.push_frame(id, params, inherit);
        self.process_table = None;
        let policy = self.policy;
        let bundle = policy.bundle(id);
        for pass in 1..=LAST_PASS {
            for section in &bundle.sections {
                for &promise in &section.promises {
                    self.evaluate_promise(promise, pass);
                    if self.fatal.is_some() {
                        return self.pop_frame();
                    }
                }
                if section.promise_type == "classes" && !section.promises.is_empty() {
                    self.resolve(id, pass);
                    self.evaluate_section(id, "defaults", pass);
                }
            }
        }
        self.pop_frame()
    }

    /// Runs an edit_line bundle over the file in `self.edits` (cf-agent's
    /// order): its vars once, then three passes over its sections in normal
    /// order, without the agent bundles' re-evaluation of vars after classes.
    pub(crate) fn run_edit_bundle(
        &mut self,
        id: BundleId,
        args: Vec<Value>,
        inherit: bool,
    ) -> Result<(), String> {
        let params = self.bind_params(id, args, "edit_line bundle")?;
        self.push_frame(id, params, inherit);
        self.evaluate_section(id, "vars", 1);
        let policy = self.policy;
        'passes: for pass in 1..=LAST_PASS {
            for section in &policy.bundle(id).sections {
                for &promise in &section.promises {
                    self.evaluate_promise(promise, pass);
                    if self.fatal.is_some() {
                        break 'passes;
                    }
                }
            }
        }
        self.pop_frame();
        Ok(())
    }

    fn push_frame(&mut self, id: BundleId, params: HashMap<String, Value>, inherit: bool) {
        let bundle = self.policy.bundle(id);
        self.classes.push_bundle(inherit);
        self.frames.push(Frame {
            bundle: Some(id),
            namespace: bundle.namespace.to_string(),
            name: bundle.name().to_string(),
            params,
            this: ThisPromise::default(),
            outcome: None,
            return_values: BTreeMap::new(),
        });
    }

    fn pop_frame(&mut self) -> BundleResult {
        self.classes.pop_bundle();
        match self.frames.pop() {
            Some(frame) => BundleResult {
                outcome: frame.outcome,
                return_values: frame.return_values,
            },
            None => BundleResult::default(),
        }
    }
}

/// Where `body common control` is evaluated: the default namespace, no bundle.
pub(crate) fn control_frame() -> Frame {
    Frame {
        bundle: None,
        namespace: "default".into(),
        name: "control".into(),
        params: HashMap::new(),
        this: ThisPromise::default(),
        outcome: None,
        return_values: BTreeMap::new(),
    }
}
