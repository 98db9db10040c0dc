//! Helpers shared by the integration tests: run the pipeline in memory, parse what it writes,
//! and run the binary.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use vpcgen::output::OutputFile;
use vpcgen::render::Templates;
use vpcgen::render::{self, RenderOptions, Target};
use vpcgen::source::SpecFile;
use vpcgen::{model, plan};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every example spec, as `specs/NAME.yaml` relative to the crate root.
pub fn example_specs() -> Vec<String> {
    let mut specs: Vec<String> = std::fs::read_dir(root().join("specs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml"))
        .map(|n| format!("specs/{n}"))
        .collect();
    specs.sort();
    specs
}

pub fn spec_file(rel: &str) -> SpecFile {
    let text = std::fs::read_to_string(root().join(rel)).unwrap();
    SpecFile::new(rel, text)
}

/// Render a spec as `vpcgen generate specs --target all --out examples` would.
pub fn render_spec(rel: &str, target: Target) -> Vec<OutputFile> {
    render_file(&spec_file(rel), target)
}

pub fn render_file(file: &SpecFile, target: Target) -> Vec<OutputFile> {
    render_with(file, target, &Templates::builtin()).unwrap()
}

/// Render a spec with a given template set, with the same options as `render_file`.
pub fn render_with(
    file: &SpecFile,
    target: Target,
    templates: &Templates,
) -> Result<Vec<OutputFile>, vpcgen::error::Error> {
    let vpc = model::load(file).unwrap_or_else(|e| panic!("{}", vpcgen::error::render(&e, false)));
    let plan = plan::build(&vpc);
    let dir = format!("examples/{}/{}", vpc.name, target);
    let options = RenderOptions {
        cfn_json: false,
        regenerate: render::regenerate_command(&file.display_path(), target, &dir, false, None),
    };
    render::render(&plan, target, &options, templates)
}

/// Render spec text given inline.
pub fn render_text(text: &str, target: Target) -> Vec<OutputFile> {
    render_file(&SpecFile::new("inline.yaml", text), target)
}

pub fn file<'a>(files: &'a [OutputFile], name: &str) -> &'a str {
    &files
        .iter()
        .find(|f| f.path == name)
        .unwrap_or_else(|| panic!("no {name}"))
        .contents
}

/// All `.tf` files joined, parsed as one HCL body.
pub fn parse_tf(files: &[OutputFile]) -> hcl::Body {
    let mut all = String::new();
    for f in files.iter().filter(|f| f.path.ends_with(".tf")) {
        hcl::parse(&f.contents)
            .unwrap_or_else(|e| panic!("{} does not parse as HCL: {e}\n{}", f.path, f.contents));
        all.push_str(&f.contents);
        all.push('\n');
    }
    hcl::parse(&all).unwrap()
}

pub fn parse_cfn(files: &[OutputFile]) -> serde_json::Value {
    let text = file(files, "template.yaml");
    serde_yaml::from_str(text)
        .unwrap_or_else(|e| panic!("template.yaml does not parse: {e}\n{text}"))
}

pub fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vpcgen"));
    cmd.env("NO_COLOR", "1");
    cmd
}

pub fn run_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = bin().current_dir(dir).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `run_in`, with a shell command run first in the same process, such as `ulimit -n 64` or
/// `umask 002`, whose setting the binary then runs under.
#[cfg(unix)]
pub fn run_in_shell(dir: &Path, setup: &str, args: &[&str]) -> (i32, String, String) {
    let out = Command::new("sh")
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .arg("-c")
        .arg(format!(r#"{setup} && exec "$0" "$@""#))
        .arg(env!("CARGO_BIN_EXE_vpcgen"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The names in `dir`, sorted.
pub fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// `resource "TYPE" "NAME" { ... }` blocks of a body.
pub fn resources<'a>(
    body: &'a hcl::Body,
    kind: &'a str,
) -> impl Iterator<Item = (&'a str, &'a hcl::Body)> + 'a {
    body.blocks()
        .filter(move |b| {
            b.identifier() == "resource" && b.labels().first().map(|l| l.as_str()) == Some(kind)
        })
        .map(|b| (b.labels()[1].as_str(), b.body()))
}

pub fn attr<'a>(body: &'a hcl::Body, name: &str) -> Option<&'a hcl::Expression> {
    body.attributes()
        .find(|a| a.key() == name)
        .map(|a| a.expr())
}

/// A file tree under a fresh temporary directory: `(relative path, contents)`.
pub fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

/// Every file below `dir` (the manifest included), by relative path, for "nothing was written"
/// and byte-for-byte comparisons.
pub fn files_below(dir: &Path) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    if !dir.exists() {
        return out;
    }
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    out
}

/// Run `check` for every item and fail at the end with the list of items that failed, so that
/// one run reports every mismatching snapshot, not only the first.
pub fn each<T: std::fmt::Debug>(items: impl IntoIterator<Item = T>, check: impl Fn(&T)) {
    let failed: Vec<String> = items
        .into_iter()
        .filter(|item| {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(item))).is_err()
        })
        .map(|item| format!("{item:?}"))
        .collect();
    assert!(failed.is_empty(), "failed for: {}", failed.join(", "));
}
