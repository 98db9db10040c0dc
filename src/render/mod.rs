//! `Plan` -> the files to write, in memory, for one target: the template context
//! (`context`), the templates themselves (`templates`, built-in or a user's, with the escaping
//! `filters`), and the normalised text (`normalise`: LF endings, no trailing spaces, single blank
//! lines, `terraform fmt` alignment) so that output is byte-for-byte reproducible. No I/O
//! happens here: `output` decides what reaches the disk.

mod check;
pub mod context;
mod filters;
pub use filters::FILTERS;
mod normalise;
pub mod templates;

use std::fmt;
use std::str::FromStr;

use crate::error::Error;
use crate::output::OutputFile;
use crate::plan::Plan;

use normalise::{normalise, normalise_hcl};
pub use templates::Templates;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Target {
    Terraform,
    CloudFormation,
}

impl Target {
    pub const ALL: [Target; 2] = [Target::Terraform, Target::CloudFormation];

    /// Its place in `ALL`: where a template set keeps its engine and outputs.
    pub(crate) fn index(self) -> usize {
        self as usize
    }

    /// The target whose template directory `name` is in (`terraform/main.tf.tera`).
    pub fn of_template(name: &str) -> Option<Target> {
        let first = name.split('/').next()?;
        Target::ALL.into_iter().find(|t| t.as_str() == first)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Target::Terraform => "terraform",
            Target::CloudFormation => "cloudformation",
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Target {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "terraform" | "tf" => Ok(Target::Terraform),
            "cloudformation" | "cfn" => Ok(Target::CloudFormation),
            other => Err(format!(
                "unknown target `{other}`; use `terraform` or `cloudformation`"
            )),
        }
    }
}

#[derive(Debug, Clone)]
pub struct RenderOptions {
    /// CloudFormation as JSON instead of YAML.
    pub cfn_json: bool,
    /// The command that regenerates this output, for file headers.
    pub regenerate: String,
}

/// The command that regenerates one output directory, as printed in file headers. It names the
/// directory the files are in, so the same files come out of `generate DIR` and of this command.
/// Each path is one shell word, so the command can be copied and run as it stands.
pub fn regenerate_command(
    spec: &str,
    target: Target,
    out_dir: &str,
    cfn_json: bool,
    templates: Option<&str>,
) -> String {
    let mut cmd = format!(
        "vpcgen generate {} --target {target} --out {}",
        shell_word(spec),
        shell_word(out_dir)
    );
    if target == Target::CloudFormation && cfn_json {
        cmd.push_str(" --format json");
    }
    if let Some(t) = templates {
        cmd.push_str(&format!(" --templates {}", shell_word(t)));
    }
    cmd
}

/// `arg` as one shell word: unchanged when no shell would read it otherwise (the usual path), in
/// POSIX quotes when it needs them, and as `$'...'` when it holds a control character: a line
/// break inside POSIX quotes would have to stay a line break, which a header comment cannot hold.
fn shell_word(arg: &str) -> std::borrow::Cow<'_, str> {
    use shell_quote::QuoteRefExt as _;
    if arg.chars().any(char::is_control) {
        let quoted: String = arg.quoted(shell_quote::Bash);
        return quoted.into();
    }
    // A NUL is a control character, the only thing POSIX quoting refuses.
    shlex::try_quote(arg).unwrap_or_else(|_| arg.into())
}

/// The template context for `plan` and `target`, as templates receive it.
pub fn context<'a>(
    plan: &'a Plan,
    target: Target,
    options: &'a RenderOptions,
) -> context::Context<'a> {
    context::build(plan, target.as_str(), &options.regenerate)
}

pub fn render(
    plan: &Plan,
    target: Target,
    options: &RenderOptions,
    templates: &Templates,
) -> Result<Vec<OutputFile>, Error> {
    let ctx = context(plan, target, options);
    let tera_ctx = ctx.to_tera();
    let mut files = Vec::new();
    for (template, file_name) in templates.outputs(target) {
        let raw = templates.render(template, &tera_ctx)?;
        let mut path = file_name.clone();
        let mut text = if path.ends_with(".tf") {
            normalise_hcl(&raw)
        } else {
            normalise(&raw)
        };
        if text.trim().is_empty() {
            // A template may decide a file is not needed (vpc.tf for an existing VPC).
            continue;
        }
        if target == Target::CloudFormation && options.cfn_json && path == "template.yaml" {
            text = yaml_to_json(&text)?;
            path = "template.json".to_owned();
        }
        let file = OutputFile {
            path,
            contents: text,
        };
        if templates.dir.is_some() {
            check::check(&file)?;
        }
        files.push(file);
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

fn yaml_to_json(yaml: &str) -> Result<String, Error> {
    let value: serde_json::Value = serde_yaml::from_str(yaml).map_err(|e| {
        Error::template(format!(
            "the CloudFormation template is not valid YAML: {e}"
        ))
    })?;
    let mut text = serde_json::to_string_pretty(&value).expect("JSON values serialise");
    text.push('\n');
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_regenerate_command_quotes_only_what_needs_it() {
        let cmd = |spec: &str, out: &str| {
            regenerate_command(spec, Target::Terraform, out, false, Some("house style"))
        };
        assert_eq!(
            cmd("specs/ecs-fargate.yaml", "examples/ecs-fargate/terraform"),
            "vpcgen generate specs/ecs-fargate.yaml --target terraform --out examples/ecs-fargate/terraform --templates 'house style'"
        );
        assert_eq!(
            cmd("my spec.yaml", "it's/$HOME"),
            "vpcgen generate 'my spec.yaml' --target terraform --out \"it's/\"'$HOME' --templates 'house style'"
        );
        assert_eq!(
            cmd("a\nb.yaml", "out"),
            "vpcgen generate $'a\\nb.yaml' --target terraform --out out --templates 'house style'"
        );
    }
}
