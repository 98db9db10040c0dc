//! The command line: each command a thin walk through the stages (`generate` is the pipeline's).
//! Errors are rendered once, here, and mapped to exit codes: 0 ok, 1 stale `--check`, 2 bad
//! input.

mod args;
mod manual;
mod report;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

pub use args::{
    CfnFormat, Cli, Command, DiagramArgs, DiagramFormat, GenerateArgs, InitArgs, ListFormat,
    MessageFormat, PlanArgs, ServicesArgs, Targets, TemplatesCommand,
};

use crate::aws;
use crate::error::{self, Error};
use crate::model;
use crate::pipeline::{self, Mode, Outcome};
use crate::plan;
use crate::render::{Target, templates};
use crate::source::shown;
use crate::views;

/// Run the command line; returns the process exit code.
pub fn main() -> ExitCode {
    let color = std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let mut stdout = std::io::stdout().lock();
    // Standard error is unbuffered: without this, every piece of a formatted line is its own
    // system call, which a batch's report of hundreds of lines pays for. Not locked for the
    // whole run: the watchdog must be able to write its error.
    let mut stderr = std::io::LineWriter::new(std::io::stderr());
    ExitCode::from(run(cli, &mut stdout, &mut stderr, color))
}

/// Run one parsed command line, writing to `out` and `err`; returns the exit code.
pub fn run(cli: Cli, out: &mut dyn Write, err: &mut dyn Write, color: bool) -> u8 {
    let result = match cli.command {
        Command::Generate(args) => generate(&args, out, err, color),
        Command::Init(args) => init(&args, err),
        Command::Plan(args) => plan_command(&args, out, err, color),
        Command::Diagram(args) => diagram_command(&args, out, err, color),
        Command::Services(args) => services(&args, out),
        Command::Templates { command } => templates_command(&command, out, err),
        Command::Schema => {
            let text = serde_json::to_string_pretty(&crate::spec::json_schema())
                .expect("schema serialises");
            emit(out, &(text + "\n"))
        }
        Command::Completions { shell } => emit_bytes(out, &manual::completions(shell)),
        Command::Man => emit_bytes(out, &manual::man_page()),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            let _ = write!(err, "{}", error::render(&e, color));
            2
        }
    }
}

/// Write a command's output. A reader that stops early (`| head`) is not an error: the output
/// was wanted only that far.
fn emit(out: &mut dyn Write, text: &str) -> Result<u8, Error> {
    emit_bytes(out, text.as_bytes())
}

fn emit_bytes(out: &mut dyn Write, bytes: &[u8]) -> Result<u8, Error> {
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(0),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(0),
        Err(e) => Err(Error::io(Path::new("<stdout>"), "cannot write", e)),
    }
}

fn generate(
    args: &GenerateArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
    color: bool,
) -> Result<u8, Error> {
    let settings = pipeline::Settings {
        targets: args.target.0.clone(),
        // `--dump-context` does not need `--out`; the context's `regenerate` then names `DIR`.
        out: args.out.clone().unwrap_or_else(|| PathBuf::from("DIR")),
        cfn_json: args.format == CfnFormat::Json,
        templates: args.templates.clone(),
        many: false,
    };
    let mode = Mode {
        check: args.check,
        force: args.force,
        deny_warnings: args.deny_warnings,
        dump_context: args.dump_context,
    };
    let _watch = watchdog(Duration::from_secs(args.time_limit));
    let run = pipeline::generate(&args.specs, &settings, &mode);
    for w in &run.warnings {
        let _ = write!(err, "{}", error::render(w, color));
    }
    let json = args.message_format == MessageFormat::Json;
    let outcome = match run.outcome {
        Ok(outcome) => outcome,
        Err(e) => {
            if json {
                report::json_error(&e, out);
            }
            return Err(e);
        }
    };
    match outcome {
        Outcome::Context(value) => emit(
            out,
            &(serde_json::to_string_pretty(&value).expect("JSON") + "\n"),
        ),
        Outcome::Checked(reports) if json => Ok(report::json_checked(&reports, out)),
        Outcome::Checked(reports) => Ok(report::human_checked(&reports, out, err)),
        Outcome::Written(reports) if json => Ok(report::json_written(&reports, out)),
        Outcome::Written(reports) => Ok(report::human_written(&reports, err)),
    }
}

/// Ends the process with exit code 2 if it is still running after `limit`: rendering cannot be
/// interrupted, and a user's template can loop without end. Dropping the guard disarms it.
/// Staged files left behind are hidden, and the next run clears them away.
fn watchdog(limit: Duration) -> std::sync::mpsc::Sender<()> {
    let (armed, wait) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        if let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = wait.recv_timeout(limit) {
            let _ = writeln!(
                std::io::stderr(),
                "error: vpcgen generate ran for more than {} s and was stopped\n  help: a template that loops without end does this: check the loops of your template overrides; an interrupted run leaves at most hidden temporary files",
                limit.as_secs()
            );
            std::process::exit(2);
        }
    });
    armed
}

/// Load one spec for a read-only command, printing its warnings.
fn load_plan(path: &Path, err: &mut dyn Write, color: bool) -> Result<plan::Plan, Error> {
    let file = crate::spec::read(path)?;
    let vpc = model::load(&file)?;
    if !vpc.warnings.is_empty() {
        let warnings = crate::spec::error(&file, vpc.warnings.clone());
        let _ = write!(err, "{}", error::render(&warnings, color));
    }
    Ok(plan::build(&vpc))
}

fn plan_command(
    args: &PlanArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
    color: bool,
) -> Result<u8, Error> {
    let report = views::report::build(&load_plan(&args.spec, err, color)?);
    let text = match args.format {
        ListFormat::Table => views::report::table(&report),
        ListFormat::Json => serde_json::to_string_pretty(&report).expect("JSON") + "\n",
    };
    emit(out, &text)
}

fn diagram_command(
    args: &DiagramArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
    color: bool,
) -> Result<u8, Error> {
    let plan = load_plan(&args.spec, err, color)?;
    let text = match args.format {
        DiagramFormat::Mermaid => views::diagram::mermaid(&plan),
        DiagramFormat::Dot => views::diagram::dot(&plan),
        DiagramFormat::Markdown => views::diagram::markdown(&plan),
    };
    emit(out, &text)
}

fn init(args: &InitArgs, err: &mut dyn Write) -> Result<u8, Error> {
    let text = views::starter::spec(args.create_vpc, &args.name, &args.region, &args.presets)?;
    if args.path.exists() {
        return Err(Error::usage(format!(
            "`{}` already exists; vpcgen init never overwrites a file (choose another path)",
            shown(&args.path)
        )));
    }
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&args.path)
        .map_err(|e| Error::io(&args.path, "cannot create", e))?;
    f.write_all(text.as_bytes())
        .map_err(|e| Error::io(&args.path, "cannot write", e))?;
    let _ = writeln!(
        err,
        "wrote {}; next: vpcgen generate {} --target terraform --out generated",
        shown(&args.path),
        shown(&args.path)
    );
    Ok(0)
}

fn services(args: &ServicesArgs, out: &mut dyn Write) -> Result<u8, Error> {
    let json = args.format == ListFormat::Json;
    let text = if args.regions {
        views::listing::regions(json)
    } else if args.presets {
        views::listing::presets(json)
    } else {
        let region = aws::region(&args.region).ok_or_else(|| {
            Error::usage_with_help(
                format!("unknown Region `{}`", args.region),
                aws::region_help(&args.region),
            )
        })?;
        views::listing::services(args.query.as_deref(), args.cross_region, region, json)
    };
    emit(out, &text)
}

fn templates_command(
    cmd: &TemplatesCommand,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8, Error> {
    match cmd {
        TemplatesCommand::List { templates } => {
            let text = views::listing::templates(templates.as_deref())?;
            emit(out, &text)
        }
        TemplatesCommand::Eject { dir, target } => {
            let targets: &[Target] = target.as_ref().map_or(&Target::ALL, |t| &t.0);
            let chosen: Vec<(&str, &str)> = templates::BUILTINS
                .iter()
                .filter(|(name, _)| Target::of_template(name).is_some_and(|t| targets.contains(&t)))
                .copied()
                .collect();
            // Anything at a path, a dangling link included, is refused rather than written
            // through: a link could point outside DIR.
            let taken = |p: &Path| std::fs::symlink_metadata(p).is_ok();
            let linked =
                |p: &Path| std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink());
            if let Some(link) = Target::ALL
                .iter()
                .map(|t| dir.join(t.as_str()))
                .find(|p| linked(p))
            {
                return Err(Error::usage_with_help(
                    format!(
                        "`{}` is a link; vpcgen ejects into real directories only",
                        shown(&link)
                    ),
                    "eject into a new directory, or replace the link with a directory",
                ));
            }
            let existing: Vec<String> = chosen
                .iter()
                .map(|(n, _)| dir.join(n))
                .filter(|p| taken(p))
                .map(|p| shown(&p))
                .collect();
            if !existing.is_empty() {
                return Err(Error::usage(format!(
                    "refusing to overwrite existing templates: {}",
                    existing.join(", ")
                )));
            }
            for (name, text) in &chosen {
                let path = dir.join(name);
                std::fs::create_dir_all(path.parent().expect("has a parent"))
                    .map_err(|e| Error::io(&path, "cannot create directory for", e))?;
                std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&path)
                    .and_then(|mut f| f.write_all(text.as_bytes()))
                    .map_err(|e| Error::io(&path, "cannot write", e))?;
            }
            let _ = writeln!(
                err,
                "ejected {} templates to {}; edit them and pass `--templates {}`",
                chosen.len(),
                shown(dir),
                shown(dir)
            );
            Ok(0)
        }
    }
}
