//! `promise-rs graph FILE`: the promise graph as Graphviz dot or JSON.

use std::collections::HashSet;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use compiler::graph::{EdgeKind, Node, PromiseGraph};
use compiler::ir::Policy;
use compiler::resolve::Index;
use compiler::LoadedPolicy;
use petgraph::stable_graph::NodeIndex;
use petgraph::visit::{EdgeRef, IntoEdgeReferences};

use super::{EXIT_ERRORS, EXIT_USAGE};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Dot,
    Json,
}

/// How fine the picture is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Level {
    /// Every promise, grouped by bundle.
    Promises,
    /// One node per bundle; edges between promises of two bundles are merged.
    Bundles,
}

#[derive(Args)]
pub struct GraphArgs {
    /// The policy's entry file (its inputs are followed).
    pub file: PathBuf,
    #[arg(long, value_enum, default_value = "dot")]
    pub format: GraphFormat,
    /// Only this bundle's promises, and the nodes they connect to.
    #[arg(long)]
    pub bundle: Option<String>,
    /// Draw promises (default) or only bundles: a large policy's promise
    /// graph is more than Graphviz lays out in reasonable time.
    #[arg(long, value_enum, default_value = "promises")]
    pub level: Level,
    /// The agent's work directory, for `$(sys.libdir)`-style inputs.
    #[arg(long)]
    pub workdir: Option<PathBuf>,
}

pub fn run(args: GraphArgs) -> ExitCode {
    let options = crate::workdir::load_options(args.workdir.clone());
    let policy = match compiler::load_with(std::slice::from_ref(&args.file), &options) {
        Ok(policy) => policy,
        Err(error) => {
            eprintln!("promise-rs graph: {error}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    if policy.error_count() > 0 {
        eprintln!(
            "promise-rs graph: the policy has {} errors; run `promise-rs lint {}`",
            policy.error_count(),
            args.file.display()
        );
        return ExitCode::from(EXIT_ERRORS);
    }
    let index = Index::build(&policy.files);
    let ir = Policy::build(&index);
    let graph = PromiseGraph::build(&ir);
    let keep = match &args.bundle {
        None => None,
        Some(name) => match ir.bundles.iter().find(|b| b.qualified_name() == *name) {
            Some(bundle) => Some(neighbourhood(&ir, &graph, bundle.id)),
            None => {
                eprintln!("promise-rs graph: no bundle '{name}' in the policy");
                return ExitCode::from(EXIT_USAGE);
            }
        },
    };
    let view = View {
        policy: &policy,
        ir: &ir,
        graph: &graph,
        keep,
    };
    let mut stdout = std::io::stdout().lock();
    let written = match (args.format, args.level) {
        (GraphFormat::Dot, Level::Promises) => view.dot(&mut stdout),
        (GraphFormat::Dot, Level::Bundles) => view.bundle_dot(&mut stdout),
        (GraphFormat::Json, _) => view.json(&mut stdout),
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("promise-rs graph: cannot write output: {error}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

/// A bundle's node, its promises, and every node one edge away from them.
fn neighbourhood(
    ir: &Policy,
    graph: &PromiseGraph,
    bundle: compiler::ir::BundleId,
) -> HashSet<NodeIndex> {
    let mut core: HashSet<NodeIndex> = ir
        .bundle_promises(bundle)
        .map(|p| graph.promise_node(p.id))
        .collect();
    core.insert(graph.bundle_node(bundle));
    let mut keep = core.clone();
    for edge in (&graph.graph).edge_references() {
        if core.contains(&edge.source()) || core.contains(&edge.target()) {
            keep.insert(edge.source());
            keep.insert(edge.target());
        }
    }
    keep
}

struct View<'a> {
    policy: &'a LoadedPolicy,
    ir: &'a Policy<'a>,
    graph: &'a PromiseGraph,
    keep: Option<HashSet<NodeIndex>>,
}

impl View<'_> {
    fn shown(&self, node: NodeIndex) -> bool {
        self.keep.as_ref().is_none_or(|k| k.contains(&node))
    }

    fn id(&self, node: NodeIndex) -> String {
        match self.graph.graph[node] {
            Node::Bundle(b) => format!("b{}", b.0),
            Node::Promise(p) => format!("p{}", p.0),
        }
    }

    fn location(&self, span: grammar::Span) -> (String, u32) {
        (self.policy.sources.get(span.file).path.clone(), span.line)
    }

    fn dot(&self, out: &mut dyn Write) -> std::io::Result<()> {
        writeln!(out, "digraph policy {{")?;
        // newrank: dot's default ranking fails on clusters crossed by many edges.
        writeln!(
            out,
            "  graph [newrank=true, rankdir=TB, fontname=\"Helvetica\"];"
        )?;
        writeln!(out, "  node [fontname=\"Helvetica\", fontsize=10];")?;
        writeln!(out, "  edge [fontname=\"Helvetica\", fontsize=9];")?;
        for bundle in &self.ir.bundles {
            let node = self.graph.bundle_node(bundle.id);
            let promises: Vec<_> = self
                .ir
                .bundle_promises(bundle.id)
                .map(|p| self.graph.promise_node(p.id))
                .filter(|&n| self.shown(n))
                .collect();
            if !self.shown(node) && promises.is_empty() {
                continue;
            }
            writeln!(out, "  subgraph \"cluster_{}\" {{", self.id(node))?;
            let title = format!(
                "bundle {} {}",
                bundle.bundle_type(),
                bundle.qualified_name()
            );
            writeln!(out, "    label=\"{}\";", escape(&title))?;
            writeln!(
                out,
                "    \"{}\" [shape=ellipse, style=bold, label=\"{}\"];",
                self.id(node),
                escape(&bundle.qualified_name())
            )?;
            for n in promises {
                writeln!(
                    out,
                    "    \"{}\" [shape=box, label=\"{}\"];",
                    self.id(n),
                    escape(&self.promise_label(n))
                )?;
            }
            writeln!(out, "  }}")?;
        }
        for edge in (&self.graph.graph).edge_references() {
            let (a, b) = (edge.source(), edge.target());
            if !self.shown(a) || !self.shown(b) {
                continue;
            }
            let weight = edge.weight();
            let mut attributes = vec![edge_style(weight.kind).to_string()];
            if let Some(label) = &weight.label {
                attributes.push(format!("label=\"{}\"", escape(label)));
            }
            writeln!(
                out,
                "  \"{}\" -> \"{}\" [{}];",
                self.id(a),
                self.id(b),
                attributes.join(", ")
            )?;
        }
        writeln!(out, "}}")
    }

    /// The bundle a node belongs to.
    fn owner(&self, node: NodeIndex) -> compiler::ir::BundleId {
        match self.graph.graph[node] {
            Node::Bundle(b) => b,
            Node::Promise(p) => self.ir.promise(p).bundle,
        }
    }

    fn bundle_dot(&self, out: &mut dyn Write) -> std::io::Result<()> {
        use std::collections::BTreeMap;
        writeln!(out, "digraph policy {{")?;
        writeln!(
            out,
            "  graph [newrank=true, rankdir=LR, fontname=\"Helvetica\"];"
        )?;
        writeln!(
            out,
            "  node [shape=box, fontname=\"Helvetica\", fontsize=10];"
        )?;
        writeln!(out, "  edge [fontname=\"Helvetica\", fontsize=9];")?;
        let mut edges: BTreeMap<(u32, u32, EdgeKind), usize> = BTreeMap::new();
        for edge in (&self.graph.graph).edge_references() {
            let (a, b) = (edge.source(), edge.target());
            if !self.shown(a) || !self.shown(b) {
                continue;
            }
            let (from, to) = (self.owner(a), self.owner(b));
            if from != to {
                *edges.entry((from.0, to.0, edge.weight().kind)).or_default() += 1;
            }
        }
        let mut drawn = HashSet::new();
        for &(from, to, _) in edges.keys() {
            drawn.insert(from);
            drawn.insert(to);
        }
        for bundle in &self.ir.bundles {
            if !drawn.contains(&bundle.id.0) && !self.shown(self.graph.bundle_node(bundle.id)) {
                continue;
            }
            let label = format!(
                "{}\n{} {} promises",
                bundle.qualified_name(),
                bundle.bundle_type(),
                self.ir.bundle_promises(bundle.id).count()
            );
            writeln!(
                out,
                "  \"b{}\" [label=\"{}\"];",
                bundle.id.0,
                escape(&label)
            )?;
        }
        for ((from, to, kind), count) in edges {
            let mut attributes = vec![edge_style(kind).to_string()];
            if count > 1 {
                attributes.push(format!("label=\"{count}\""));
            }
            writeln!(
                out,
                "  \"b{from}\" -> \"b{to}\" [{}];",
                attributes.join(", ")
            )?;
        }
        writeln!(out, "}}")
    }

    fn promise_label(&self, node: NodeIndex) -> String {
        let Node::Promise(id) = self.graph.graph[node] else {
            return String::new();
        };
        let promise = self.ir.promise(id);
        let (file, line) = self.location(promise.ast.span);
        let file = std::path::Path::new(&file)
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or(file);
        let mut promiser: String = promise.ast.promiser.raw.chars().take(48).collect();
        if promise.ast.promiser.raw.chars().count() > 48 {
            promiser.push('…');
        }
        format!("{}: {promiser}\n{file}:{line}", promise.promise_type)
    }

    fn json(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let mut nodes = Vec::new();
        for node in self.graph.graph.node_indices().filter(|&n| self.shown(n)) {
            nodes.push(match self.graph.graph[node] {
                Node::Bundle(b) => {
                    let bundle = self.ir.bundle(b);
                    let (file, line) = self.location(bundle.ast.name.span);
                    serde_json::json!({
                        "id": self.id(node), "kind": "bundle", "name": bundle.qualified_name(),
                        "bundle_type": bundle.bundle_type(), "file": file, "line": line,
                    })
                }
                Node::Promise(p) => {
                    let promise = self.ir.promise(p);
                    let (file, line) = self.location(promise.ast.span);
                    serde_json::json!({
                        "id": self.id(node), "kind": "promise", "promise_type": promise.promise_type,
                        "promiser": promise.ast.promiser.value(), "handle": promise.handle(),
                        "bundle": self.ir.bundle(promise.bundle).qualified_name(),
                        "file": file, "line": line,
                    })
                }
            });
        }
        let edges: Vec<_> = (&self.graph.graph)
            .edge_references()
            .filter(|e| self.shown(e.source()) && self.shown(e.target()))
            .map(|e| {
                serde_json::json!({
                    "from": self.id(e.source()), "to": self.id(e.target()),
                    "kind": e.weight().kind, "label": e.weight().label,
                })
            })
            .collect();
        let document = serde_json::json!({ "nodes": nodes, "edges": edges });
        serde_json::to_writer_pretty(&mut *out, &document)?;
        writeln!(out)
    }
}

fn edge_style(kind: EdgeKind) -> &'static str {
    match kind {
        EdgeKind::Sequence => "style=bold, color=\"black\"",
        EdgeKind::Contains => "style=solid, color=\"gray40\"",
        EdgeKind::Order => "style=dotted, color=\"gray60\"",
        EdgeKind::Call => "style=solid, color=\"blue\"",
        EdgeKind::DependsOn => "style=solid, color=\"red\"",
        EdgeKind::Class => "style=dashed, color=\"darkgreen\", fontcolor=\"darkgreen\"",
        EdgeKind::Variable => "style=dashed, color=\"purple\", fontcolor=\"purple\"",
    }
}

/// A dot string literal's content: quotes and backslashes escaped,
/// newlines as dot's centred line breaks.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}
