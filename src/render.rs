//! Diagnostics for people (miette's graphical report), for editors and
//! quickfix lists (`file:line:col: severity: code: message`), and as JSON.

use std::io::{self, Write};

use clap::ValueEnum;
use compiler::LoadedPolicy;
use grammar::{Diagnostic, Severity, SourceFile};
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Short,
    Json,
}

pub fn write(out: &mut dyn Write, format: Format, policy: &LoadedPolicy) -> io::Result<()> {
    match format {
        Format::Human => human(out, policy),
        Format::Short => short(out, policy),
        Format::Json => json(out, policy),
    }
}

fn summary(policy: &LoadedPolicy) -> String {
    let files = policy.files.len();
    format!(
        "{} error{}, {} warning{} in {} file{}",
        policy.error_count(),
        plural(policy.error_count()),
        policy.warning_count(),
        plural(policy.warning_count()),
        files,
        plural(files)
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn source_of<'a>(policy: &'a LoadedPolicy, d: &Diagnostic) -> Option<&'a SourceFile> {
    policy
        .sources
        .files()
        .nth(d.span.file.0 as usize)
        .filter(|_| d.span.line > 0)
}

fn short(out: &mut dyn Write, policy: &LoadedPolicy) -> io::Result<()> {
    for d in &policy.diagnostics {
        let location = match source_of(policy, d) {
            Some(f) => format!("{}:{}:{}", f.path, d.span.line, d.span.column),
            None => "promise-rs".to_string(),
        };
        writeln!(
            out,
            "{location}: {}: {}: {}",
            d.severity.as_str(),
            d.code,
            d.message
        )?;
    }
    Ok(())
}

fn json(out: &mut dyn Write, policy: &LoadedPolicy) -> io::Result<()> {
    let diagnostics: Vec<serde_json::Value> = policy
        .diagnostics
        .iter()
        .map(|d| {
            let file = source_of(policy, d).map(|f| f.path.as_str());
            let (end_line, end_column) = source_of(policy, d)
                .map(|f| f.lines.line_column(d.span.end as usize))
                .unwrap_or((0, 0));
            serde_json::json!({
                "file": file,
                "line": d.span.line,
                "column": d.span.column,
                "end_line": end_line,
                "end_column": end_column,
                "offset": d.span.start,
                "length": d.span.len(),
                "severity": d.severity,
                "code": d.code,
                "message": d.message,
                "label": d.label,
                "help": d.help,
                "related": d.related.iter().map(|r| serde_json::json!({
                    "line": r.span.line, "column": r.span.column, "message": r.message,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let document = serde_json::json!({
        "diagnostics": diagnostics,
        "errors": policy.error_count(),
        "warnings": policy.warning_count(),
        "files": policy.files.len(),
        "unresolved_inputs": policy.unresolved_inputs.iter().map(|(text, span)| serde_json::json!({
            "file": policy.sources.get(span.file).path, "line": span.line, "column": span.column, "input": text,
        })).collect::<Vec<_>>(),
    });
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}

fn human(out: &mut dyn Write, policy: &LoadedPolicy) -> io::Result<()> {
    let handler = GraphicalReportHandler::new_themed(if std::env::var_os("NO_COLOR").is_some() {
        GraphicalTheme::unicode_nocolor()
    } else {
        GraphicalTheme::default()
    });
    for d in &policy.diagnostics {
        let report = Report::new(d, source_of(policy, d));
        let mut text = String::new();
        if handler.render_report(&mut text, &report).is_err() {
            text = format!("{}: {}: {}\n", d.severity.as_str(), d.code, d.message);
        }
        write!(out, "{text}")?;
    }
    writeln!(out, "{}", summary(policy))
}

/// Adapts a diagnostic and its file to miette.
struct Report<'a> {
    diagnostic: &'a Diagnostic,
    source: Option<NamedSource<String>>,
}

impl<'a> Report<'a> {
    fn new(diagnostic: &'a Diagnostic, file: Option<&SourceFile>) -> Self {
        let source =
            file.map(|f| NamedSource::new(&f.path, f.text.clone()).with_language("cfengine"));
        Report { diagnostic, source }
    }
}

impl std::fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl std::fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        Some(Box::new(self.diagnostic.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.diagnostic
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source.as_ref()?;
        let d = self.diagnostic;
        let label = d.label.clone().unwrap_or_else(|| d.message.clone());
        let primary = LabeledSpan::new_primary_with_span(Some(label), d.span.range());
        let related = d
            .related
            .iter()
            .map(|r| LabeledSpan::new_with_span(Some(r.message.clone()), r.span.range()));
        Some(Box::new(std::iter::once(primary).chain(related)))
    }
}
