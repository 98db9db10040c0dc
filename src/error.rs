//! The one error type, and how problems are shown: the spec's file name, line and column, the
//! offending line with a marker, the YAML path and a help line that names the fix. Every error
//! means bad input (exit code 2); a stale `--check` is not an error but an outcome.

use std::fmt;
use std::path::Path;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, Severity};

use crate::source::{SpecFile, shown};

/// One problem in a spec: where (a YAML path), what, and how to fix it.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// YAML path such as `endpoints[3].policy`; empty for the whole document.
    pub path: String,
    pub message: String,
    pub help: String,
    /// Point at the mapping key rather than its value (unknown keys).
    pub at_key: bool,
    /// Byte offset to use when the path cannot be found (syntax errors).
    pub fallback: Option<usize>,
    /// Byte range in the spec's text. Set when the problem is found with its exact place (the
    /// second of two equal keys), or from `path` when the error is made (`spec::error`).
    pub span: Option<(usize, usize)>,
    pub warning: bool,
}

impl Diagnostic {
    pub fn new(path: &str, message: &str, help: &str) -> Self {
        Diagnostic {
            path: shorten(path),
            message: shorten(message),
            help: shorten(help),
            at_key: false,
            fallback: None,
            span: None,
            warning: false,
        }
    }

    pub fn at_key(mut self) -> Self {
        self.at_key = true;
        self
    }

    pub fn warning(mut self) -> Self {
        self.warning = true;
        self
    }
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum Error {
    /// Problems in one spec file, all of them, placed in its text (`spec::error` places them).
    #[error("{} problem(s) in {}", diagnostics.len(), file.display_path())]
    Spec {
        file: Box<SpecFile>,
        diagnostics: Vec<Diagnostic>,
    },
    /// Bad command-line arguments or a bad combination of them.
    #[error("{message}")]
    Usage {
        message: String,
        #[help]
        help: Option<String>,
    },
    /// A user template failed to parse or render; the message names the file and line.
    #[error("{message}")]
    Template {
        message: String,
        #[help]
        help: Option<String>,
    },
    /// The output directory holds something vpcgen must not overwrite.
    #[error("{message}")]
    Output {
        message: String,
        #[help]
        help: Option<String>,
    },
    #[error("{what} `{path}`: {source}")]
    Io {
        path: String,
        what: &'static str,
        #[source]
        source: std::io::Error,
    },
    /// Several problems, each with its own report, and a closing line (how many specs failed,
    /// so nothing was written).
    #[error("{} problems", errors.len())]
    Batch {
        errors: Vec<Error>,
        summary: Option<String>,
    },
}

impl Error {
    /// A spec's problems whose places are already known (`spec::error` finds them).
    pub fn located(file: &SpecFile, diagnostics: Vec<Diagnostic>) -> Self {
        Error::Spec {
            file: Box::new(file.clone()),
            diagnostics,
        }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Error::Usage {
            message: message.into(),
            help: None,
        }
    }

    pub fn usage_with_help(message: impl Into<String>, help: impl Into<String>) -> Self {
        Error::Usage {
            message: message.into(),
            help: Some(help.into()),
        }
    }

    pub fn template(message: impl Into<String>) -> Self {
        Error::Template {
            message: message.into(),
            help: None,
        }
    }

    pub fn template_with_help(message: impl Into<String>, help: impl Into<String>) -> Self {
        Error::Template {
            message: message.into(),
            help: Some(help.into()),
        }
    }

    pub fn output(message: impl Into<String>) -> Self {
        Error::Output {
            message: message.into(),
            help: None,
        }
    }

    pub fn output_with_help(message: impl Into<String>, help: impl Into<String>) -> Self {
        Error::Output {
            message: message.into(),
            help: Some(help.into()),
        }
    }

    pub fn io(path: &Path, what: &'static str, source: std::io::Error) -> Self {
        Error::Io {
            path: shown(path),
            what,
            source,
        }
    }
}

/// The longest value a message quotes whole (a VPC Lattice ARN is about 90 characters); a longer
/// one is cut, saying how long it was.
const QUOTED_MAX: usize = 120;

/// `text` with every backticked value longer than `QUOTED_MAX` characters cut short: a message
/// names the value it is about, and a megabyte of it would drown the message.
fn shorten(text: &str) -> String {
    if text.len() <= QUOTED_MAX {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len().min(4 * QUOTED_MAX));
    for (i, part) in text.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        let chars = part.chars().count();
        if i % 2 == 1 && chars > QUOTED_MAX {
            out.extend(part.chars().take(QUOTED_MAX / 2));
            out.push_str(&format!("…({chars} characters)"));
        } else {
            out.push_str(part);
        }
    }
    out
}

/// The most diagnostics one report shows; the rest are counted.
pub const SHOWN_MAX: usize = 100;

/// The widest source line a report shows; a longer one is shown around the place it points at.
const LINE_MAX: usize = 160;

/// The lines of a spec around a diagnostic's place, each at most `LINE_MAX` characters wide,
/// with the line numbers they have in the file. miette reads only this, so a report costs the
/// same for a megabyte-long line or the ten-thousandth diagnostic of a file as for the first.
#[derive(Debug)]
struct Excerpt {
    name: String,
    text: String,
    /// The file's line number of the excerpt's first line, from 0.
    first_line: usize,
}

impl miette::SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let inner = self.text.as_str().read_span(span, before, after)?;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.first_line,
            inner.column(),
            inner.line_count(),
        )))
    }
}

/// Where each line of a text starts, for line numbers found by search rather than by counting.
struct Lines(Vec<usize>);

impl Lines {
    fn of(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        Lines(starts)
    }

    /// The line (from 0) that byte `at` is on.
    fn line(&self, at: usize) -> usize {
        self.0.partition_point(|&s| s <= at) - 1
    }

    /// The byte range of line `n` (from 0), without its line break.
    fn range(&self, text: &str, n: usize) -> (usize, usize) {
        let start = self.0[n];
        let end = self.0.get(n + 1).map_or(text.len(), |next| next - 1);
        (start, end.max(start))
    }
}

/// The excerpt of `text` around the byte range `(s, e)`: the line `s` is on and one line on
/// each side, a long line cut to a window around `s`; with the first line's number and the
/// range within the excerpt.
fn excerpt(text: &str, lines: &Lines, s: usize, e: usize) -> (String, usize, (usize, usize)) {
    let line = lines.line(s);
    let first = line.saturating_sub(1);
    let last = (line + 1).min(lines.0.len() - 1);
    let mut out = String::new();
    let mut span = (0, 0);
    for n in first..=last {
        let (start, end) = lines.range(text, n);
        let full = &text[start..end];
        let (from, to) = if n == line && full.len() > LINE_MAX {
            let from = floor_char_boundary(full, (s - start).saturating_sub(LINE_MAX / 3));
            (from, floor_char_boundary(full, from + LINE_MAX))
        } else {
            (0, floor_char_boundary(full, LINE_MAX))
        };
        if from > 0 {
            out.push('…');
        }
        if n == line {
            let at = out.len() + (s - start - from);
            let until = out.len() + (e.min(start + to).max(s) - start - from);
            span = (at, until);
        }
        out.push_str(&full[from..to]);
        if to < full.len() {
            out.push('…');
        }
        if n + 1 < lines.0.len() {
            out.push('\n');
        }
    }
    (out, first, span)
}

/// One diagnostic placed in its source, in the shape miette renders. Its severity is chosen per
/// diagnostic, which miette's derive cannot express, hence the hand-written impl.
#[derive(Debug)]
struct Located {
    message: String,
    help: String,
    severity: Severity,
    source: Excerpt,
    label: Option<LabeledSpan>,
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Located {}

impl miette::Diagnostic for Located {
    fn severity(&self) -> Option<Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        (!self.help.is_empty()).then(|| Box::new(&self.help) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.label
            .as_ref()
            .map(|_| &self.source as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.label
            .clone()
            .map(|l| Box::new(std::iter::once(l)) as Box<dyn Iterator<Item = LabeledSpan>>)
    }
}

fn handler(color: bool) -> GraphicalReportHandler {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false)
}

/// Where a diagnostic points in its file: a byte range on character boundaries, if known.
fn span_of(file: &SpecFile, d: &Diagnostic) -> Option<(usize, usize)> {
    d.span
        .or_else(|| d.fallback.map(|at| (at, at)))
        .map(|(s, e)| {
            let s = floor_char_boundary(&file.text, s);
            (s, floor_char_boundary(&file.text, e).max(s))
        })
}

/// Render one diagnostic of `file`, with its source line when its position is known.
pub fn render_diagnostic(file: &SpecFile, d: &Diagnostic, color: bool) -> String {
    render_placed(file, &Lines::of(&file.text), d, color)
}

fn render_placed(file: &SpecFile, lines: &Lines, d: &Diagnostic, color: bool) -> String {
    let span = span_of(file, d);
    let location = span.map(|(start, _)| {
        let line = lines.line(start);
        let col = file.text[lines.0[line]..start].chars().count() + 1;
        (line + 1, col)
    });
    let head = match (&location, d.path.is_empty()) {
        (Some((l, c)), false) => {
            format!("{}:{l}:{c}: {}: {}", file.display_path(), d.path, d.message)
        }
        (Some((l, c)), true) => format!("{}:{l}:{c}: {}", file.display_path(), d.message),
        (None, false) => format!("{}: {}: {}", file.display_path(), d.path, d.message),
        (None, true) => format!("{}: {}", file.display_path(), d.message),
    };
    let (source, label) = match span {
        Some((s, e)) => {
            let (text, first_line, (es, ee)) = excerpt(&file.text, lines, s, e);
            let label = LabeledSpan::new_with_span(Some(short_label(&d.message)), (es, ee - es));
            (
                Excerpt {
                    name: file.display_path(),
                    text,
                    first_line,
                },
                Some(label),
            )
        }
        None => (
            Excerpt {
                name: file.display_path(),
                text: String::new(),
                first_line: 0,
            },
            None,
        ),
    };
    let located = Located {
        message: head,
        help: d.help.clone(),
        severity: if d.warning {
            Severity::Warning
        } else {
            Severity::Error
        },
        source,
        label,
    };
    let mut out = String::new();
    if handler(color).render_report(&mut out, &located).is_err() {
        // Formatting into a String only fails if a Display impl does; keep the essentials.
        out = format!("{}\n  help: {}\n", located.message, located.help);
    }
    out
}

fn floor_char_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn short_label(message: &str) -> String {
    message.split(';').next().unwrap_or(message).to_owned()
}

/// 1-based line and column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// A message with its help line, as vpcgen prints errors that point at no spec line.
fn with_help(message: &str, help: Option<&String>) -> String {
    match help {
        Some(h) => format!("error: {message}\n  help: {h}\n"),
        None => format!("error: {message}\n"),
    }
}

/// The whole report for an error, as the user sees it on stderr.
pub fn render(err: &Error, color: bool) -> String {
    match err {
        Error::Spec { file, diagnostics } => {
            let mut out = String::new();
            // In file order, as a reader fixes them top to bottom; unplaced ones last.
            let mut ordered: Vec<(usize, &Diagnostic)> = diagnostics
                .iter()
                .map(|d| (span_of(file, d).map_or(usize::MAX, |(s, _)| s), d))
                .collect();
            ordered.sort_by_key(|(at, _)| *at);
            let lines = Lines::of(&file.text);
            for (_, d) in ordered.iter().take(SHOWN_MAX) {
                out.push_str(&render_placed(file, &lines, d, color));
            }
            if ordered.len() > SHOWN_MAX {
                out.push_str(&format!(
                    "... and {} more problems in {}, not shown\n",
                    ordered.len() - SHOWN_MAX,
                    file.display_path()
                ));
            }
            let errors = diagnostics.iter().filter(|d| !d.warning).count();
            if errors > 1 {
                out.push_str(&format!(
                    "{errors} problems in {}; nothing was written\n",
                    file.display_path()
                ));
            }
            out
        }
        Error::Usage { message, help }
        | Error::Template { message, help }
        | Error::Output { message, help } => with_help(message, help.as_ref()),
        Error::Io { path, what, source } => format!("error: {what} `{path}`: {source}\n"),
        Error::Batch { errors, summary } => {
            let mut out: String = errors.iter().map(|e| render(e, color)).collect();
            if let Some(s) = summary {
                out.push_str(s);
                out.push('\n');
            }
            out
        }
    }
}

/// The closest candidate to a misspelt `input`, if one is close enough to be worth suggesting.
pub fn suggest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lowered = input.to_ascii_lowercase();
    let mut best: Option<(f64, &'a str)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(&lowered, c).max(
            if c.starts_with(&lowered) || lowered.starts_with(c) {
                0.85
            } else {
                0.0
            },
        );
        if score >= 0.82 && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let services = ["ecr.api", "ecr.dkr", "s3", "sqs", "ssm"];
        assert_eq!(suggest("ecr-api", services), Some("ecr.api"));
        assert_eq!(suggest("ECR.DKR", services), Some("ecr.dkr"));
        assert_eq!(suggest("kubernetes", services), None);
        assert_eq!(
            suggest("eu-west1", ["eu-west-1", "eu-west-2", "us-west-1"]),
            Some("eu-west-1")
        );
        assert_eq!(
            suggest("org-onyl", ["full-access", "org-only"]),
            Some("org-only")
        );
    }

    #[test]
    fn line_and_column_are_one_based() {
        assert_eq!(line_col("ab\ncd", 0), (1, 1));
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
    }

    #[test]
    fn help_is_its_own_line() {
        let e = Error::usage_with_help("no such thing", "make one");
        assert_eq!(
            render(&e, false),
            "error: no such thing\n  help: make one\n"
        );
        assert_eq!(render(&Error::usage("plain"), false), "error: plain\n");
    }
}
