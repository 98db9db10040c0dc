//! The command line: argument parsing and the commands, each a thin walk through the stages.
//! Errors are rendered once, here, and mapped to exit codes (0 ok, 1 stale `--check`, 2 bad input).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand, ValueEnum};

use crate::catalog;
use crate::error::{self, Error, shown};
use crate::model;
use crate::output;
use crate::pipeline;
use crate::plan;
use crate::render::{self, Target};
use crate::spec::SpecFile;
use crate::templates::Templates;

#[derive(Debug, Parser)]
#[command(
    name = "vpcgen",
    version,
    about = "Generate Terraform or CloudFormation for AWS VPC endpoints from a short YAML spec."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render specs into Terraform or CloudFormation.
    Generate(GenerateArgs),
    /// Write a commented starter spec.
    Init(InitArgs),
    /// Show what a spec will create, why, and what it costs.
    Plan(PlanArgs),
    /// Draw the VPC, its subnets, route tables and endpoints (Mermaid or Graphviz DOT).
    Diagram(DiagramArgs),
    /// List the service catalogue, presets or Regions.
    Services(ServicesArgs),
    /// Work with the templates: list the built-ins, or eject them to customise.
    Templates {
        #[command(subcommand)]
        command: TemplatesCommand,
    },
    /// Print the JSON Schema of the spec (for editor completion).
    Schema,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TargetArg {
    Terraform,
    Cloudformation,
    All,
}

impl TargetArg {
    fn targets(self) -> Vec<Target> {
        match self {
            TargetArg::Terraform => vec![Target::Terraform],
            TargetArg::Cloudformation => vec![Target::CloudFormation],
            TargetArg::All => Target::ALL.to_vec(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CfnFormat {
    Yaml,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// Spec files, or directories of `*.yaml` specs.
    #[arg(required = true, value_name = "SPEC")]
    pub specs: Vec<PathBuf>,
    /// What to generate.
    #[arg(long, short, value_enum)]
    pub target: TargetArg,
    /// Output directory. With several specs each goes to DIR/<name>/<target>; with `--target all`,
    /// each target to DIR/<target>.
    #[arg(
        long,
        short,
        value_name = "DIR",
        required_unless_present = "dump_context"
    )]
    pub out: Option<PathBuf>,
    /// Template overrides (mirrors the built-in layout; see `vpcgen templates list`).
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Compare with the output directory instead of writing; exit 1 with a diff when stale.
    #[arg(long)]
    pub check: bool,
    /// Replace files vpcgen did not write or that were edited by hand.
    #[arg(long)]
    pub force: bool,
    /// CloudFormation file format.
    #[arg(long, value_enum, default_value = "yaml")]
    pub format: CfnFormat,
    /// Treat warnings as errors.
    #[arg(long)]
    pub deny_warnings: bool,
    /// Print the JSON context the templates receive, and write nothing.
    #[arg(long)]
    pub dump_context: bool,
}

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Where to write the spec.
    #[arg(default_value = "vpcgen.yaml")]
    pub path: PathBuf,
    /// Scaffold a new VPC instead of using an existing one.
    #[arg(long)]
    pub create_vpc: bool,
    #[arg(long, default_value = "my-vpc")]
    pub name: String,
    #[arg(long, default_value = "us-east-1")]
    pub region: String,
    /// Presets to include (repeatable).
    #[arg(long = "preset", value_name = "PRESET")]
    pub presets: Vec<String>,
}

#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    pub spec: PathBuf,
    #[arg(long, value_enum, default_value = "table")]
    pub format: ListFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiagramFormat {
    Mermaid,
    Dot,
    /// Mermaid inside a Markdown page, as committed beside the examples.
    Markdown,
}

#[derive(Debug, clap::Args)]
pub struct DiagramArgs {
    pub spec: PathBuf,
    #[arg(long, value_enum, default_value = "mermaid")]
    pub format: DiagramFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct ServicesArgs {
    /// Filter by a word in the key or the service's name.
    pub query: Option<String>,
    /// Show service names as they are in this Region.
    #[arg(long, default_value = "us-east-1")]
    pub region: String,
    #[arg(long, value_enum, default_value = "table")]
    pub format: ListFormat,
    /// List the presets and what they expand to.
    #[arg(long, conflicts_with = "regions")]
    pub presets: bool,
    /// List the Regions and their partitions.
    #[arg(long)]
    pub regions: bool,
}

#[derive(Debug, Subcommand)]
pub enum TemplatesCommand {
    /// Show every built-in template, its blocks, and whether DIR overrides it.
    List {
        /// A template override directory to compare with.
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
    },
    /// Copy the built-in templates to DIR to start customising.
    Eject {
        dir: PathBuf,
        #[arg(long, value_enum)]
        target: Option<TargetArg>,
    },
}

/// Run the command line; returns the process exit code.
pub fn main() -> i32 {
    let color = std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    let mut stdout = std::io::stdout().lock();
    // Standard error is unbuffered: without this, every piece of a formatted line is its own
    // system call, which a batch's report of hundreds of lines pays for.
    let mut stderr = std::io::LineWriter::new(std::io::stderr().lock());
    run(cli, &mut stdout, &mut stderr, color)
}

pub fn run(cli: Cli, out: &mut dyn Write, err: &mut dyn Write, color: bool) -> i32 {
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
            writeln!(out, "{text}")
                .map(|_| 0)
                .map_err(|e| Error::io(Path::new("<stdout>"), "cannot write", e))
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            let _ = write!(err, "{}", error::render(&e, color));
            e.exit_code()
        }
    }
}

/// Spec files named on the command line, directories expanded to their `*.yaml`/`*.yml` files.
pub fn expand_specs(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found: Vec<std::ffi::OsString> = std::fs::read_dir(p)
                .map_err(|e| Error::io(p, "cannot read directory", e))?
                .filter_map(Result::ok)
                .filter_map(|e| {
                    let name = e.file_name();
                    let spec = Path::new(&name)
                        .extension()
                        .is_some_and(|x| x == "yaml" || x == "yml")
                        // The entry's own type needs no system call; only a link is followed.
                        && e.file_type().is_ok_and(|t| {
                            t.is_file() || (t.is_symlink() && p.join(&name).is_file())
                        });
                    spec.then_some(name)
                })
                .collect();
            // All in one directory, so by file name: the order of the paths themselves, without
            // splitting every path into components at each comparison of a big batch.
            found.sort_unstable();
            let found: Vec<PathBuf> = found
                .into_iter()
                .map(|name| {
                    let mut path = PathBuf::with_capacity(p.as_os_str().len() + 1 + name.len());
                    path.push(p);
                    path.push(name);
                    path
                })
                .collect();
            if found.is_empty() {
                return Err(Error::Usage(format!(
                    "no `*.yaml` specs in directory `{}`",
                    p.display()
                )));
            }
            out.extend(found);
        } else if p.is_file() {
            out.push(p.clone());
        } else {
            return Err(Error::Usage(format!(
                "spec `{}` does not exist",
                p.display()
            )));
        }
    }
    Ok(out)
}

/// What became of one output directory.
enum Done {
    Checked(output::CheckReport),
    Staged(output::Staged),
}

fn generate(
    args: &GenerateArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
    color: bool,
) -> Result<i32, Error> {
    let paths = expand_specs(&args.specs)?;
    let settings = pipeline::Settings {
        targets: args.target.targets(),
        // `--dump-context` does not need `--out`; the context's `regenerate` then names `DIR`.
        out: args.out.clone().unwrap_or_else(|| PathBuf::from("DIR")),
        cfn_json: args.format == CfnFormat::Json,
        templates: args.templates.clone(),
        many: paths.len() > 1,
    };
    // A bad --templates directory is reported once, before any spec, and the set is reused for
    // every spec. `--dump-context` renders nothing and so reads no templates.
    let preloaded = match args.templates.as_ref().filter(|_| !args.dump_context) {
        Some(d) => Some(std::sync::Arc::new(Templates::load(Some(d))?)),
        None => None,
    };
    let mut failures: Vec<pipeline::Failure> = Vec::new();
    // Sized once: a validated spec is large, and growing the list a batch at a time copied it.
    let mut valid = Vec::with_capacity(paths.len());
    // A batch parses the built-in templates while its specs are validated, on the other core.
    let prepare = || {
        if settings.many && settings.templates.is_none() && !args.dump_context {
            let builtin = Templates::builtin();
            for target in &settings.targets {
                let _ = builtin.prepare(target.as_str());
            }
        }
    };
    let (results, ()) = if settings.many {
        rayon::join(|| pipeline::validate_all(&paths), prepare)
    } else {
        (pipeline::validate_all(&paths), ())
    };
    for result in results {
        match result {
            Ok(p) => {
                if let Some(w) = p.warnings() {
                    let _ = write!(err, "{}", error::render(&w, color));
                    if args.deny_warnings {
                        let spec = p.file.display_path();
                        let n = p.vpc.warnings.len();
                        let what = if n == 1 {
                            "1 warning is an error".to_owned()
                        } else {
                            format!("{n} warnings are errors")
                        };
                        let e = Error::Usage(format!(
                            "{spec}: {what} with `--deny-warnings`; nothing was written"
                        ));
                        failures.push((spec, e));
                        continue;
                    }
                }
                valid.push(p);
            }
            Err(e) => failures.push(e),
        }
    }
    let ok: Vec<&pipeline::Validated> = valid.iter().collect();
    if settings.many {
        failures.extend(pipeline::check_names(&ok, &settings));
    }
    if args.dump_context {
        let mut contexts = Vec::new();
        for p in &ok {
            let plan = plan::build(&p.vpc);
            for &target in &settings.targets {
                let dir = pipeline::out_dir(&settings, &p.vpc.name, target);
                let options = pipeline::options(&settings, &p.file, target, &dir);
                contexts.push(
                    serde_json::to_value(render::context(&plan, target, &options))
                        .expect("context serialises"),
                );
            }
        }
        if failures.is_empty() {
            let value = if contexts.len() == 1 {
                contexts.pop().expect("one")
            } else {
                serde_json::Value::Array(contexts)
            };
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&value).expect("JSON")
            )
            .map_err(|e| Error::io(Path::new("<stdout>"), "cannot write", e))?;
            return Ok(0);
        }
    }
    let (sets, template_errors) = pipeline::load_templates(&ok, &settings, preloaded);
    failures.extend(template_errors);
    // Each output directory is rendered and then compared (`--check`) or staged (new files
    // written beside the old ones, or into the hidden directory of a new output tree; nothing
    // replaced yet) in one go.
    // Declared first so it is dropped last: staged files and a new tree's hidden directory go
    // before the directories the run created.
    let created = output::CreatedDirs::default();
    let new_tree = if failures.is_empty() && !args.check {
        output::NewTree::begin(&settings.out, &created)?
    } else {
        None
    };
    let mut done = Vec::new();
    if failures.is_empty() {
        let results = pipeline::render_each(&ok, &settings, &sets, |r| {
            if args.check {
                output::check(&r.dir, &r.files).map(Done::Checked)
            } else if let Some(tree) = &new_tree {
                tree.stage(&r.dir, r.files).map(Done::Staged)
            } else {
                output::stage(&r.dir, r.files, args.force, &created).map(Done::Staged)
            }
        });
        for r in results {
            match r {
                Ok(d) => done.push(d),
                Err(e) => failures.push(e),
            }
        }
    }
    drop(ok);
    pipeline::forget_at_exit(valid);
    if !failures.is_empty() {
        let failed_specs = failures
            .iter()
            .map(|(spec, _)| spec)
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        // One broken template fails every spec and target it renders; say so once.
        let mut shown_errors = std::collections::BTreeSet::new();
        let mut failures: Vec<Error> = failures.into_iter().map(|(_, e)| e).collect();
        failures.retain(|e| shown_errors.insert(error::render(e, false)));
        let e = if failures.len() == 1 {
            failures.pop().expect("one failure")
        } else {
            Error::Many(failures)
        };
        let _ = write!(err, "{}", error::render(&e, color));
        if failed_specs > 1 || settings.many {
            let _ = writeln!(err, "nothing was written: {failed_specs} spec(s) failed");
        }
        return Ok(2);
    }
    if args.check {
        let mut stale = false;
        for d in &done {
            let Done::Checked(report) = d else { continue };
            if !report.is_current() {
                stale = true;
                for m in &report.missing {
                    let _ = writeln!(out, "missing: {m}");
                }
                for x in &report.extra {
                    let _ = writeln!(out, "no longer generated: {x}");
                }
                for d in &report.diffs {
                    let _ = write!(out, "{d}");
                }
            }
        }
        if stale {
            let _ = writeln!(
                err,
                "generated files are out of date; run the same command without `--check` to update them"
            );
            return Ok(1);
        }
        let _ = writeln!(
            err,
            "{} output director{} up to date",
            done.len(),
            if done.len() == 1 { "y is" } else { "ies are" }
        );
        return Ok(0);
    }
    let staged = done
        .into_iter()
        .filter_map(|d| match d {
            Done::Staged(s) => Some(s),
            Done::Checked(_) => None,
        })
        .collect();
    let reports = output::commit(staged)?;
    new_tree.map(output::NewTree::commit).transpose()?;
    created.keep();
    // One write for the whole summary: a batch reports hundreds of directories.
    use std::fmt::Write as _;
    let mut summary = String::new();
    for (dir, report) in reports {
        let _ = writeln!(
            summary,
            "{}: {} written, {} unchanged{}",
            shown(&dir),
            report.written.len(),
            report.unchanged.len(),
            if report.removed.is_empty() {
                String::new()
            } else {
                format!(
                    ", {} removed ({})",
                    report.removed.len(),
                    report.removed.join(", ")
                )
            }
        );
    }
    let _ = err.write_all(summary.as_bytes());
    Ok(0)
}

/// Load one spec for a read-only command, printing its warnings.
fn load_plan(path: &Path, err: &mut dyn Write, color: bool) -> Result<plan::Plan, Error> {
    let file = SpecFile::read(path)?;
    let vpc = model::load(&file)?;
    if !vpc.warnings.is_empty() {
        let _ = write!(
            err,
            "{}",
            error::render(&Error::spec(&file, vpc.warnings.clone()), color)
        );
    }
    Ok(plan::build(&vpc))
}

fn emit(out: &mut dyn Write, text: &str) -> Result<i32, Error> {
    out.write_all(text.as_bytes())
        .map_err(|e| Error::io(Path::new("<stdout>"), "cannot write", e))?;
    Ok(0)
}

fn plan_command(
    args: &PlanArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
    color: bool,
) -> Result<i32, Error> {
    let report = crate::report::build(&load_plan(&args.spec, err, color)?);
    let text = match args.format {
        ListFormat::Table => crate::report::table(&report),
        ListFormat::Json => serde_json::to_string_pretty(&report).expect("JSON") + "\n",
    };
    emit(out, &text)
}

fn diagram_command(
    args: &DiagramArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
    color: bool,
) -> Result<i32, Error> {
    let plan = load_plan(&args.spec, err, color)?;
    let text = match args.format {
        DiagramFormat::Mermaid => crate::diagram::mermaid(&plan),
        DiagramFormat::Dot => crate::diagram::dot(&plan),
        DiagramFormat::Markdown => crate::diagram::markdown(&plan),
    };
    emit(out, &text)
}

fn init(args: &InitArgs, err: &mut dyn Write) -> Result<i32, Error> {
    let text = crate::starter::spec(args.create_vpc, &args.name, &args.region, &args.presets)?;
    if args.path.exists() {
        return Err(Error::Usage(format!(
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

fn services(args: &ServicesArgs, out: &mut dyn Write) -> Result<i32, Error> {
    let text = if args.regions {
        crate::listing::regions(args.format == ListFormat::Json)
    } else if args.presets {
        crate::listing::presets(args.format == ListFormat::Json)
    } else {
        let region = catalog::region(&args.region).ok_or_else(|| {
            let hint = error::suggest(&args.region, catalog::regions().iter().map(|r| r.name))
                .map(|b| format!(" (did you mean `{b}`?)"))
                .unwrap_or_default();
            Error::Usage(format!(
                "unknown Region `{}`{hint}; `vpcgen services --regions` lists them",
                args.region
            ))
        })?;
        crate::listing::services(
            args.query.as_deref(),
            region,
            args.format == ListFormat::Json,
        )
    };
    out.write_all(text.as_bytes())
        .map_err(|e| Error::io(Path::new("<stdout>"), "cannot write", e))?;
    Ok(0)
}

fn templates_command(
    cmd: &TemplatesCommand,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<i32, Error> {
    match cmd {
        TemplatesCommand::List { templates } => {
            let text = crate::listing::templates(templates.as_deref())?;
            out.write_all(text.as_bytes())
                .map_err(|e| Error::io(Path::new("<stdout>"), "cannot write", e))?;
            Ok(0)
        }
        TemplatesCommand::Eject { dir, target } => {
            let targets: Vec<&str> = match target {
                None | Some(TargetArg::All) => vec!["terraform", "cloudformation"],
                Some(TargetArg::Terraform) => vec!["terraform"],
                Some(TargetArg::Cloudformation) => vec!["cloudformation"],
            };
            let chosen: Vec<(&str, &str)> = crate::templates::BUILTINS
                .iter()
                .filter(|(name, _)| targets.iter().any(|t| name.starts_with(&format!("{t}/"))))
                .copied()
                .collect();
            let existing: Vec<String> = chosen
                .iter()
                .map(|(n, _)| dir.join(n))
                .filter(|p| p.exists())
                .map(|p| shown(&p))
                .collect();
            if !existing.is_empty() {
                return Err(Error::Usage(format!(
                    "refusing to overwrite existing templates: {}",
                    existing.join(", ")
                )));
            }
            for (name, text) in &chosen {
                let path = dir.join(name);
                std::fs::create_dir_all(path.parent().expect("has a parent"))
                    .map_err(|e| Error::io(&path, "cannot create directory for", e))?;
                std::fs::write(&path, text).map_err(|e| Error::io(&path, "cannot write", e))?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_gives_its_specs_in_name_order() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for name in ["b.yaml", "a.yml", "a-b.yaml", "a.yaml", "notes.txt", "yaml"] {
            std::fs::write(d.join(name), "name: x\n").unwrap();
        }
        // A directory named like a spec is not one.
        std::fs::create_dir(d.join("c.yaml")).unwrap();
        #[cfg(unix)]
        {
            // A link to a spec counts; a dangling one does not.
            std::os::unix::fs::symlink(d.join("b.yaml"), d.join("d.yaml")).unwrap();
            std::os::unix::fs::symlink(d.join("gone.yaml"), d.join("e.yaml")).unwrap();
        }
        let found = expand_specs(&[d.to_path_buf()]).unwrap();
        let names: Vec<&str> = found
            .iter()
            .map(|p| {
                assert_eq!(p.parent(), Some(d), "{p:?} is in the directory given");
                p.file_name().unwrap().to_str().unwrap()
            })
            .collect();
        let mut expected = vec!["a-b.yaml", "a.yaml", "a.yml", "b.yaml"];
        if cfg!(unix) {
            expected.push("d.yaml");
        }
        assert_eq!(names, expected);
        let mut by_path = found.clone();
        by_path.sort();
        assert_eq!(found, by_path, "the order paths themselves sort in");
    }
}
