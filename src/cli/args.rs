//! The command line's shape: subcommands, arguments and their help, as clap parses them.

use std::path::PathBuf;
use std::sync::LazyLock;

use clap::builder::TypedValueParser as _;
use clap::{Parser, Subcommand, ValueEnum};

use crate::aws;
use crate::render::Target;

/// What `--version` prints after the name: which catalogue this build carries matters as much as
/// the crate version, since service names and policy support come from it. Built at run time
/// because the service count exists only in the compiled tables.
static VERSION: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{} (catalogue {}, {} services)",
        env!("CARGO_PKG_VERSION"),
        aws::CATALOGUE_AS_OF,
        aws::services().len()
    )
});

#[derive(Debug, Parser)]
#[command(
    name = "vpcgen",
    version = VERSION.as_str(),
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
    /// Print a shell completion script.
    ///
    /// Save it where the shell loads completions from, such as
    /// `vpcgen completions bash > ~/.local/share/bash-completion/completions/vpcgen`
    /// (README, "Shell completions and the man page", has zsh and fish).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), with every subcommand and its options.
    ///
    /// Read it with `vpcgen man | man -l -`, or install it:
    /// `vpcgen man > ~/.local/share/man/man1/vpcgen.1`.
    Man,
}

/// What `--target` names: one target, or `all` of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Targets(pub Vec<Target>);

fn targets() -> impl clap::builder::TypedValueParser<Value = Targets> {
    let names: Vec<&str> = Target::ALL
        .map(Target::as_str)
        .into_iter()
        .chain(["all"])
        .collect();
    clap::builder::PossibleValuesParser::new(names).map(|name| {
        Targets(match name.as_str() {
            "all" => Target::ALL.to_vec(),
            one => vec![one.parse().expect("a possible value names a target")],
        })
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CfnFormat {
    Yaml,
    Json,
}

/// How `generate` reports what it did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MessageFormat {
    /// A summary on stderr; `--check` lists what is stale and prints diffs on stdout.
    Human,
    /// One JSON object per output directory on stdout (README, "Machine-readable output").
    Json,
}

#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// Spec files, or directories of `*.yaml` specs.
    #[arg(required = true, value_name = "SPEC")]
    pub specs: Vec<PathBuf>,
    /// What to generate: `terraform`, `cloudformation` or `all`.
    #[arg(long, short, value_parser = targets())]
    pub target: Targets,
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
    /// Replace files vpcgen did not write or that were edited by hand (it still removes only
    /// files that hold what it wrote).
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
    /// Seconds the run may take before it stops with an error (a template that loops without
    /// end cannot be stopped otherwise). Hidden: the default is far above any real run.
    #[arg(long, hide = true, default_value_t = 300, value_name = "SECONDS")]
    pub time_limit: u64,
    /// How to report the result: `human`, or `json` lines on stdout for tools.
    #[arg(long, value_enum, value_name = "FORMAT", default_value = "human")]
    pub message_format: MessageFormat,
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
    /// Only the services an endpoint in another Region can reach (`service_region`).
    #[arg(long, conflicts_with_all = ["presets", "regions"])]
    pub cross_region: bool,
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
        /// Only this target's templates: `terraform`, `cloudformation` or `all`.
        #[arg(long, value_parser = targets())]
        target: Option<Targets>,
    },
}
