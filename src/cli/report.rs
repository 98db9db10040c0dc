//! How `generate` tells what it did, per output directory: for people, a summary on stderr and,
//! for `--check`, what is stale with its diffs on stdout; for tools (`--message-format json`),
//! one JSON object per line on stdout, whose shape README's "Machine-readable output" documents.
//! Warnings and errors are rendered by the caller, on stderr, in both formats.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{self, Error};
use crate::output::{CheckReport, WriteReport};
use crate::source::shown;

/// The version of the JSON lines' shape. A field may be added without changing it; one that is
/// renamed, removed or changes meaning changes it.
pub(super) const MESSAGE_FORMAT_VERSION: u32 = 1;

/// `--check` for people: the stale files and diffs on stdout, a closing line on stderr. Exit 1
/// when anything is stale.
pub(super) fn human_checked(
    reports: &[(PathBuf, CheckReport)],
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let mut stale = false;
    for (_, report) in reports.iter().filter(|(_, r)| !r.is_current()) {
        stale = true;
        for m in &report.missing {
            let _ = writeln!(out, "missing: {m}");
        }
        for x in &report.extra {
            let _ = writeln!(out, "no longer generated: {x}");
        }
        for d in &report.diffs {
            let _ = write!(out, "{}", d.diff);
        }
    }
    if stale {
        let _ = writeln!(
            err,
            "generated files are out of date; run the same command without `--check` to update them"
        );
        return 1;
    }
    let _ = writeln!(
        err,
        "{} output director{} up to date",
        reports.len(),
        if reports.len() == 1 {
            "y is"
        } else {
            "ies are"
        }
    );
    0
}

/// A write for people: one summary line per output directory, on stderr.
pub(super) fn human_written(reports: &[(PathBuf, WriteReport)], err: &mut dyn Write) -> u8 {
    // One write for the whole summary: a batch reports hundreds of directories.
    use std::fmt::Write as _;
    let mut summary = String::new();
    for (dir, report) in reports {
        let _ = write!(
            summary,
            "{}: {} written, {} unchanged",
            shown(dir),
            report.written.len(),
            report.unchanged.len(),
        );
        if !report.removed.is_empty() {
            let _ = write!(
                summary,
                ", {} removed ({})",
                report.removed.len(),
                report.removed.join(", ")
            );
        }
        if !report.kept.is_empty() {
            let _ = write!(
                summary,
                ", {} kept ({}: no longer generated, but not as vpcgen wrote {}; `--force` never deletes such files)",
                report.kept.len(),
                report.kept.join(", "),
                if report.kept.len() == 1 { "it" } else { "them" }
            );
        }
        summary.push('\n');
    }
    let _ = err.write_all(summary.as_bytes());
    0
}

/// One output directory after a write.
#[derive(Serialize)]
struct WrittenLine {
    message_format_version: u32,
    dir: String,
    /// `written` when a file was written or removed, else `unchanged`.
    status: &'static str,
    written: Vec<String>,
    unchanged: Vec<String>,
    removed: Vec<String>,
    /// No longer generated, but left in place: they no longer hold what vpcgen wrote.
    kept: Vec<String>,
}

/// One output directory after `--check`.
#[derive(Serialize)]
struct CheckedLine<'a> {
    message_format_version: u32,
    dir: String,
    /// `current` or `stale`.
    status: &'static str,
    missing: &'a [String],
    extra: &'a [String],
    changed: Vec<&'a str>,
    /// The unified diffs of `changed`, one after the other, as the human format prints them.
    diff: String,
}

/// A run that failed (exit 2): nothing was written or checked.
#[derive(Serialize)]
struct ErrorLine {
    message_format_version: u32,
    status: &'static str,
    message: String,
}

/// `line` and a newline, in one write.
fn json_line(out: &mut dyn Write, line: &impl Serialize) {
    let mut text = serde_json::to_string(line).expect("a report serialises");
    text.push('\n');
    let _ = out.write_all(text.as_bytes());
}

/// A write for tools. Paths are shown as in the human format: the output directory as the
/// command line gave it, joined with the file's path inside it, so each one opens from where
/// vpcgen ran.
pub(super) fn json_written(reports: &[(PathBuf, WriteReport)], out: &mut dyn Write) -> u8 {
    let under = |dir: &Path, files: &[String]| -> Vec<String> {
        files.iter().map(|f| shown(&dir.join(f))).collect()
    };
    for (dir, report) in reports {
        let changed = !report.written.is_empty() || !report.removed.is_empty();
        json_line(
            out,
            &WrittenLine {
                message_format_version: MESSAGE_FORMAT_VERSION,
                dir: shown(dir),
                status: if changed { "written" } else { "unchanged" },
                written: under(dir, &report.written),
                unchanged: under(dir, &report.unchanged),
                removed: under(dir, &report.removed),
                kept: under(dir, &report.kept),
            },
        );
    }
    let _ = out.flush();
    0
}

/// `--check` for tools; exit 1 when any directory is stale.
pub(super) fn json_checked(reports: &[(PathBuf, CheckReport)], out: &mut dyn Write) -> u8 {
    for (dir, report) in reports {
        json_line(
            out,
            &CheckedLine {
                message_format_version: MESSAGE_FORMAT_VERSION,
                dir: shown(dir),
                status: if report.is_current() {
                    "current"
                } else {
                    "stale"
                },
                missing: &report.missing,
                extra: &report.extra,
                changed: report.diffs.iter().map(|d| d.path.as_str()).collect(),
                diff: report.diffs.iter().map(|d| d.diff.as_str()).collect(),
            },
        );
    }
    let _ = out.flush();
    u8::from(reports.iter().any(|(_, r)| !r.is_current()))
}

/// The line for a run that failed. The message is the report stderr shows, uncoloured, so that
/// a tool which keeps only stdout can still say why.
pub(super) fn json_error(e: &Error, out: &mut dyn Write) {
    json_line(
        out,
        &ErrorLine {
            message_format_version: MESSAGE_FORMAT_VERSION,
            status: "error",
            message: error::render(e, false).trim_end().to_owned(),
        },
    );
    let _ = out.flush();
}
