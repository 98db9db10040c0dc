//! Templates: the built-ins (embedded in the binary) and a user's overrides, added files and
//! partials, checked and explained when they are wrong. A Tera instance is built once per
//! template directory and target, and reused for every spec rendered with it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use tera::Tera;

use super::Target;
use super::filters::{FILTERS, TERA_FILTERS, register_filters};

use crate::error::{Error, suggest};
use crate::source::shown;

/// Every built-in template: its name (as a user's override would be named) and its text.
pub const BUILTINS: &[(&str, &str)] = &[
    (
        "cloudformation/_endpoint.tera",
        include_str!("../../templates/cloudformation/_endpoint.tera"),
    ),
    (
        "cloudformation/_gwlb_endpoint.tera",
        include_str!("../../templates/cloudformation/_gwlb_endpoint.tera"),
    ),
    (
        "cloudformation/_header.tera",
        include_str!("../../templates/cloudformation/_header.tera"),
    ),
    (
        "cloudformation/_hub.tera",
        include_str!("../../templates/cloudformation/_hub.tera"),
    ),
    (
        "cloudformation/_tags.tera",
        include_str!("../../templates/cloudformation/_tags.tera"),
    ),
    (
        "cloudformation/template.yaml.tera",
        include_str!("../../templates/cloudformation/template.yaml.tera"),
    ),
    (
        "terraform/_gateway_endpoint.tera",
        include_str!("../../templates/terraform/_gateway_endpoint.tera"),
    ),
    (
        "terraform/_gwlb_endpoint.tera",
        include_str!("../../templates/terraform/_gwlb_endpoint.tera"),
    ),
    (
        "terraform/_header.tera",
        include_str!("../../templates/terraform/_header.tera"),
    ),
    (
        "terraform/_interface_endpoint.tera",
        include_str!("../../templates/terraform/_interface_endpoint.tera"),
    ),
    (
        "terraform/_lattice_endpoint.tera",
        include_str!("../../templates/terraform/_lattice_endpoint.tera"),
    ),
    (
        "terraform/hub.tf.tera",
        include_str!("../../templates/terraform/hub.tf.tera"),
    ),
    (
        "terraform/main.tf.tera",
        include_str!("../../templates/terraform/main.tf.tera"),
    ),
    (
        "terraform/outputs.tf.tera",
        include_str!("../../templates/terraform/outputs.tf.tera"),
    ),
    (
        "terraform/spokes.tf.tera",
        include_str!("../../templates/terraform/spokes.tf.tera"),
    ),
    (
        "terraform/variables.tf.tera",
        include_str!("../../templates/terraform/variables.tf.tera"),
    ),
    (
        "terraform/versions.tf.tera",
        include_str!("../../templates/terraform/versions.tf.tera"),
    ),
    (
        "terraform/vpc.tf.tera",
        include_str!("../../templates/terraform/vpc.tf.tera"),
    ),
];

/// Built-ins are registered under this prefix too, so a user template can extend the one it
/// replaces: `{% extends "builtin/terraform/main.tf.tera" %}`.
pub const BUILTIN_PREFIX: &str = "builtin/";

/// User files under `<target>/files/` become extra output files.
pub const FILES_DIR: &str = "files/";

/// A ready template set: built-ins plus, optionally, one user directory.
pub struct Templates {
    /// Every template, built-in (under `builtin/`) and the user's, by name.
    sources: Vec<(String, String)>,
    /// One engine per target, each holding only that target's templates: a run that renders
    /// one target parses only its templates.
    engines: [OnceLock<Tera>; 2],
    /// The files each target produces (see `outputs`), listed once.
    outputs: [OnceLock<Vec<(String, String)>>; 2],
    /// Where user templates came from, if any.
    pub dir: Option<PathBuf>,
    /// Names of built-ins the user replaced.
    pub overridden: BTreeSet<String>,
    /// User templates that produce extra files, with the file each one writes:
    /// `terraform/files/backend.tf.tera` -> `backend.tf`.
    pub added: BTreeMap<String, String>,
    /// New partials of the user's, included by the user's own templates.
    pub partials: BTreeSet<String>,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Templates")
            .field("dir", &self.dir)
            .field("overridden", &self.overridden)
            .field("added", &self.added)
            .field("partials", &self.partials)
            .finish_non_exhaustive()
    }
}

impl Templates {
    /// The built-in set, parsed once per process.
    pub fn builtin() -> Arc<Templates> {
        static BUILTIN: OnceLock<Arc<Templates>> = OnceLock::new();
        BUILTIN
            .get_or_init(|| {
                Arc::new(Templates::load(None).expect("built-in templates parse (tested)"))
            })
            .clone()
    }

    /// Built-ins plus the overrides in `dir`.
    pub fn load(dir: Option<&Path>) -> Result<Templates, Error> {
        let mut sources: Vec<(String, String)> = Vec::new();
        for (name, text) in BUILTINS {
            sources.push((format!("{BUILTIN_PREFIX}{name}"), (*text).to_owned()));
        }
        let mut overridden = BTreeSet::new();
        let mut added = BTreeMap::new();
        let mut partials = BTreeSet::new();
        let user = match dir {
            Some(d) => user_files(d)?,
            None => Vec::new(),
        };
        let mut problems: Vec<Problem> = Vec::new();
        for (name, text) in &user {
            let shown = dir.map_or_else(|| name.clone(), |d| shown(&d.join(name)));
            match classify(name) {
                Ok(UserFile::Ignored) => continue,
                Ok(UserFile::Override) => {
                    if is_partial(name) && extends(text) {
                        problems.push(extending_partial(&shown));
                        continue;
                    }
                    overridden.insert(name.clone());
                }
                Ok(UserFile::Added(output)) => {
                    added.insert(name.clone(), output);
                }
                Ok(UserFile::Partial) => {
                    // Nothing built-in includes a new partial, so one that none of the user's
                    // templates names is dead: most likely a misspelt override.
                    let used = user
                        .iter()
                        .any(|(other, t)| other != name && t.contains(name.as_str()));
                    if !used {
                        problems.push(unused_partial(name, &shown));
                        continue;
                    }
                    let included = user.iter().any(|(_, t)| {
                        t.contains(&format!("include \"{name}\""))
                            || t.contains(&format!("include '{name}'"))
                    });
                    if included && extends(text) {
                        problems.push(extending_partial(&shown));
                        continue;
                    }
                    partials.insert(name.clone());
                }
                Err(problem) => {
                    problems.push(Problem {
                        message: format!("`{shown}` {}", problem.message),
                        help: problem.help,
                    });
                    continue;
                }
            }
            sources.push((name.clone(), text.clone()));
        }
        if !problems.is_empty() {
            let mut errors: Vec<Error> = problems.into_iter().map(Problem::into_error).collect();
            return Err(if errors.len() == 1 {
                errors.pop().expect("one")
            } else {
                Error::Batch {
                    errors,
                    summary: None,
                }
            });
        }
        let templates = Templates {
            sources,
            engines: [OnceLock::new(), OnceLock::new()],
            outputs: [OnceLock::new(), OnceLock::new()],
            dir: dir.map(Path::to_path_buf),
            overridden,
            added,
            partials,
        };
        if dir.is_some() {
            // A user's mistakes are reported when the directory is loaded, before any spec.
            for target in Target::ALL {
                let engine = templates.build(target)?;
                let _ = templates.engines[target.index()].set(engine);
            }
        }
        Ok(templates)
    }

    /// A Tera engine with the templates of `target`.
    fn build(&self, target: Target) -> Result<Tera, Error> {
        let mut tera = Tera::new();
        tera.autoescape_on(Vec::<&str>::new());
        register_filters(&mut tera);
        let mine = self.sources.iter().filter(|(n, _)| {
            Target::of_template(n.strip_prefix(BUILTIN_PREFIX).unwrap_or(n)) == Some(target)
        });
        if self.dir.is_none() {
            // Nothing but built-ins, so nothing can name one by its `builtin/` name: plain names
            // spare every include and render a failed look-up and a second, prefixed one.
            tera.add_raw_templates(
                mine.map(|(n, t)| (n.strip_prefix(BUILTIN_PREFIX).unwrap_or(n), t.as_str())),
            )
            .map_err(|e| template_error(e, None))?;
            return Ok(tera);
        }
        // Plain names resolve to a user's file first, then to the built-in.
        tera.set_fallback_prefixes([BUILTIN_PREFIX])
            .map_err(|e| Error::template(e.to_string()))?;
        tera.add_raw_templates(mine.map(|(n, t)| (n.as_str(), t.as_str())))
            .map_err(|e| template_error(e, self.dir.as_deref()))?;
        Ok(tera)
    }

    /// Parse the templates of every target now (they are otherwise parsed when first used).
    pub fn parse_all(&self) {
        for target in Target::ALL {
            self.engine(target);
        }
    }

    /// Parse `target`'s templates now rather than at its first render, so that a run can do it
    /// on another core while its specs are validated.
    pub fn prepare(&self, target: Target) {
        self.engine(target);
    }

    fn engine(&self, target: Target) -> &Tera {
        let slot = &self.engines[target.index()];
        if let Some(engine) = slot.get() {
            return engine;
        }
        // Only the built-in set gets here: a user's set is built when loaded, so its mistakes
        // are reported before any spec. Built inside `get_or_init`, so that a caller who comes
        // while another thread is parsing the set waits for that parse instead of repeating it.
        slot.get_or_init(|| {
            self.build(target)
                .expect("built-in templates parse (tested)")
        })
    }

    /// The output files a target produces: `(template name, output file name)`, sorted. Listed
    /// once per set, since every spec of a batch asks.
    pub fn outputs(&self, target: Target) -> &[(String, String)] {
        self.outputs[target.index()].get_or_init(|| {
            let mut out: Vec<(String, String)> = builtin_outputs(target)
                .map(|(n, o)| (n.to_owned(), o))
                .collect();
            for (name, output) in &self.added {
                if Target::of_template(name) == Some(target) {
                    out.push((name.clone(), output.clone()));
                }
            }
            out.sort_by(|a, b| a.1.cmp(&b.1));
            out
        })
    }

    /// Render the template `name`, into at most `OUTPUT_MAX_BYTES`: a template that loops
    /// without end stops there rather than filling the memory.
    pub fn render(&self, name: &str, context: &tera::Context) -> Result<String, Error> {
        let target = Target::of_template(name)
            .ok_or_else(|| Error::template(format!("`{name}` is under no target's directory")))?;
        let mut out = Bounded(Vec::with_capacity(16 * 1024));
        let rendered = self.engine(target).render_to(name, context, &mut out);
        if out.0.len() > OUTPUT_MAX_BYTES {
            let shown = self
                .dir
                .as_deref()
                .map_or_else(|| name.to_owned(), |d| shown(&d.join(name)));
            return Err(Error::template_with_help(
                format!(
                    "`{shown}` writes more than {} MiB, the most vpcgen writes to one file",
                    OUTPUT_MAX_BYTES / (1024 * 1024)
                ),
                "check the template's loops; a generated file is a few kilobytes",
            ));
        }
        rendered.map_err(|e| template_error(e, self.dir.as_deref()))?;
        String::from_utf8(out.0)
            .map_err(|_| Error::template(format!("`{name}` wrote text that is not UTF-8")))
    }
}

/// The most one template may write.
const OUTPUT_MAX_BYTES: usize = 16 * 1024 * 1024;

/// A buffer that refuses to grow past `OUTPUT_MAX_BYTES` (by one byte, so the caller can tell).
struct Bounded(Vec<u8>);

impl std::io::Write for Bounded {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        if self.0.len() + data.len() > OUTPUT_MAX_BYTES {
            self.0.resize(OUTPUT_MAX_BYTES + 1, 0);
            return Err(std::io::Error::other("the output is too large"));
        }
        self.0.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Partials (`_tags.tera`) are included by other templates and produce no file of their own.
pub fn is_partial(name: &str) -> bool {
    name.rsplit('/').next().is_some_and(|f| f.starts_with('_'))
}

/// The built-in templates of `target` that produce a file, with the file they produce.
fn builtin_outputs(target: Target) -> impl Iterator<Item = (&'static str, String)> {
    BUILTINS
        .iter()
        .filter(move |(n, _)| Target::of_template(n) == Some(target) && !is_partial(n))
        .map(|(n, _)| (*n, output_name(n)))
}

fn output_name(template: &str) -> String {
    let file = template.rsplit('/').next().unwrap_or(template);
    file.strip_suffix(".tera").unwrap_or(file).to_owned()
}

/// What is wrong with a user's template file, and how to fix it.
#[derive(Debug, PartialEq, Eq)]
pub struct Problem {
    pub message: String,
    pub help: String,
}

impl Problem {
    fn new(message: impl Into<String>, help: impl Into<String>) -> Self {
        Problem {
            message: message.into(),
            help: help.into(),
        }
    }

    fn into_error(self) -> Error {
        Error::template_with_help(self.message, self.help)
    }
}

/// What one file of a template directory is, decided by its path alone.
#[derive(Debug, PartialEq, Eq)]
pub enum UserFile {
    /// Named like a built-in: replaces it.
    Override,
    /// `<target>/files/<path>.tera`: a new output file, written as `<path>`.
    Added(String),
    /// `_name.tera` under a target that is not a built-in partial: the user's own partial.
    Partial,
    /// Not a template vpcgen reads: hidden files, and non-template files outside the target
    /// directories (a README beside them).
    Ignored,
}

/// The rule for a template directory, applied to one file's path relative to it. Every `.tera`
/// file must have an effect: it replaces a built-in, adds a file under `<target>/files/`, or is
/// a partial. Anything else is a mistake (a typo would otherwise be silently ignored and the
/// built-in used instead), reported with what the name was probably meant to be.
pub fn classify(name: &str) -> Result<UserFile, Problem> {
    let file_name = name.rsplit('/').next().unwrap_or(name);
    if file_name.starts_with('.') && file_name.ends_with(".tera") {
        return Err(Problem::new(
            "is hidden, and vpcgen reads no hidden templates",
            "rename it without the leading `.` (it would write a hidden file, which vpcgen does not), or delete it",
        ));
    }
    if name.split('/').any(|part| part.starts_with('.')) {
        return Ok(UserFile::Ignored);
    }
    let is_template = name.ends_with(".tera");
    let Some(target) = Target::of_template(name) else {
        if !is_template {
            return Ok(UserFile::Ignored);
        }
        let file = name.rsplit('/').next().unwrap_or(name);
        let first = name.split('/').next().unwrap_or(name);
        let meant = BUILTINS
            .iter()
            .map(|(b, _)| *b)
            .find(|b| b.rsplit('/').next() == Some(file))
            .map(str::to_owned)
            .or_else(|| {
                let rest = name.split_once('/').map(|(_, r)| r)?;
                let t = suggest(first, Target::ALL.map(Target::as_str))?;
                Some(format!("{t}/{rest}"))
            });
        return Err(Problem::new(
            "is outside the target directories",
            format!(
                "{}templates go under `terraform/` or `cloudformation/`, named like the built-ins (`vpcgen templates list`)",
                did_you_mean(meant.as_deref())
            ),
        ));
    };
    let file = name.rsplit('/').next().unwrap_or(name);
    if !is_template {
        // Under a target directory every file is a template; a missing `.tera` would otherwise
        // leave the built-in in place without a word.
        let meant = suggest_builtin(target, file).unwrap_or_else(|| format!("{name}.tera"));
        return Err(Problem::new(
            "is not a template",
            format!(
                "{}files under `{target}/` must end in `.tera`",
                did_you_mean(Some(&meant))
            ),
        ));
    }
    if BUILTINS.iter().any(|(b, _)| *b == name) {
        return Ok(UserFile::Override);
    }
    if file.starts_with('_') {
        return Ok(UserFile::Partial);
    }
    let under_files = name
        .strip_prefix(target.as_str())
        .and_then(|r| r.strip_prefix('/'))
        .and_then(|r| r.strip_prefix(FILES_DIR));
    if let Some(rest) = under_files {
        let output = rest.strip_suffix(".tera").unwrap_or(rest).to_owned();
        let taken = builtin_outputs(target)
            .find(|(_, o)| *o == output)
            .map(|(b, _)| b.to_owned())
            // `--format json` writes the CloudFormation template as `template.json`.
            .or_else(|| {
                (target == Target::CloudFormation && output == "template.json")
                    .then(|| "cloudformation/template.yaml.tera".to_owned())
            });
        if let Some(builtin) = taken {
            return Err(Problem::new(
                format!("would write `{output}`, which the built-in `{builtin}` writes"),
                format!(
                    "to replace the built-in, name your file `{builtin}`; to add a file, give it another name"
                ),
            ));
        }
        if output.is_empty() || output.ends_with('/') {
            return Err(Problem::new(
                "names no output file",
                format!("`{target}/{FILES_DIR}backend.tf.tera` writes `backend.tf`"),
            ));
        }
        return Ok(UserFile::Added(output));
    }
    let stem = file.strip_suffix(".tera").unwrap_or(file);
    let rest = &name[target.as_str().len() + 1..];
    let add = format!("`{target}/{FILES_DIR}{rest}` adds `{stem}` as a new file");
    Err(Problem::new(
        "matches no built-in template",
        match suggest_builtin(target, file) {
            Some(meant) => {
                format!("did you mean `{meant}`? (a file named like a built-in replaces it; {add})")
            }
            None => format!(
                "new output files go under `{target}/{FILES_DIR}`: {add}; a file named like a built-in replaces it (`vpcgen templates list` shows them); partials start with `_`"
            ),
        },
    ))
}

/// The built-in of `target` whose file name is closest to `file`. Names are compared without
/// the shared `<target>/` prefix, which would make every name look alike.
fn suggest_builtin(target: Target, file: &str) -> Option<String> {
    let files: Vec<&str> = BUILTINS
        .iter()
        .filter(|(b, _)| Target::of_template(b) == Some(target))
        .filter_map(|(b, _)| b.rsplit('/').next())
        .collect();
    let with_ext = format!("{file}.tera");
    let best = files
        .iter()
        .find(|f| **f == with_ext)
        .copied()
        .or_else(|| suggest(file, files.iter().copied()))?;
    Some(format!("{target}/{best}"))
}

fn did_you_mean(name: Option<&str>) -> String {
    name.map(|n| format!("did you mean `{n}`? "))
        .unwrap_or_default()
}

fn unused_partial(name: &str, shown: &str) -> Problem {
    let target = Target::of_template(name).unwrap_or(Target::Terraform);
    let file = name.rsplit('/').next().unwrap_or(name);
    let partials: Vec<&str> = BUILTINS
        .iter()
        .filter(|(b, _)| Target::of_template(b) == Some(target) && is_partial(b))
        .filter_map(|(b, _)| b.rsplit('/').next())
        .collect();
    let meant = suggest(file, partials).map(|p| format!("{target}/{p}"));
    Problem::new(
        format!("`{shown}` is a new partial that none of your templates includes"),
        format!(
            "{}a partial named like a built-in one replaces it; a new one must be included by your own templates (`{{% include \"{name}\" %}}`)",
            did_you_mean(meant.as_deref())
        ),
    )
}

fn extends(text: &str) -> bool {
    text.contains("{% extends") || text.contains("{%- extends")
}

/// Tera 2 renders an included template that extends another as its blocks alone, without the
/// parent's text, so an extending partial would silently lose most of its output.
fn extending_partial(shown: &str) -> Problem {
    Problem::new(
        format!(
            "`{shown}` is an included partial that extends another template, and an included template renders only its own blocks, without its parent"
        ),
        "write the partial out in full (`vpcgen templates eject` copies the built-in), or fill a block of the template that includes it (tags: the `tags` block of `terraform/main.tf.tera` or `cloudformation/template.yaml.tera`)",
    )
}

/// The most entries a template directory may hold, and how deep: a directory past them is not
/// a template directory (`templates: /` would otherwise walk the disk).
const DIR_MAX_ENTRIES: usize = 1000;
const DIR_MAX_DEPTH: usize = 8;
/// The largest template vpcgen reads.
const TEMPLATE_MAX_BYTES: u64 = 1024 * 1024;

/// Every file below `dir` with its path relative to `dir`; the text of templates only. Hidden
/// directories are not entered. Links are followed only to files and directories inside `dir`,
/// each directory once; a FIFO or a device is an error, as is a directory too big to be one of
/// templates.
fn user_files(dir: &Path) -> Result<Vec<(String, String)>, Error> {
    if !dir.is_dir() {
        return Err(missing_dir(dir));
    }
    let shown_dir = shown(dir);
    let root = std::fs::canonicalize(dir)
        .map_err(|e| Error::io(dir, "cannot read template directory", e))?;
    let mut seen_dirs = BTreeSet::from([root.clone()]);
    let mut found = Vec::new();
    let mut entries_seen = 0usize;
    let mut stack = vec![(dir.to_path_buf(), 0usize)];
    while let Some((d, depth)) = stack.pop() {
        let entries = std::fs::read_dir(&d)
            .map_err(|e| Error::io(&d, "cannot read template directory", e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(&d, "cannot read template directory", e))?;
            entries_seen += 1;
            if entries_seen > DIR_MAX_ENTRIES {
                return Err(Error::template_with_help(
                    format!(
                        "`{shown_dir}` holds more than {DIR_MAX_ENTRIES} entries; a template directory holds templates only"
                    ),
                    "point `--templates` or `templates:` at the directory of your template overrides",
                ));
            }
            let path = entry.path();
            let hidden = entry.file_name().to_string_lossy().starts_with('.');
            let rel = path.strip_prefix(dir).expect("walked below dir");
            let name = shown(rel);
            let shown_path = shown(&path);
            let link = entry.file_type().is_ok_and(|t| t.is_symlink());
            if link {
                let target = std::fs::canonicalize(&path)
                    .map_err(|e| Error::io(&path, "cannot follow the link", e))?;
                if !target.starts_with(&root) {
                    return Err(Error::template_with_help(
                        format!(
                            "`{shown_path}` is a link to `{}`, outside the template directory",
                            shown(&target)
                        ),
                        "copy the file into the template directory instead of linking to it",
                    ));
                }
            }
            let meta = std::fs::metadata(&path)
                .map_err(|e| Error::io(&path, "cannot read template", e))?;
            if meta.is_dir() {
                if hidden {
                    continue;
                }
                let canonical = std::fs::canonicalize(&path)
                    .map_err(|e| Error::io(&path, "cannot read template directory", e))?;
                if depth + 1 > DIR_MAX_DEPTH {
                    return Err(Error::template_with_help(
                        format!(
                            "`{shown_path}` is nested more than {DIR_MAX_DEPTH} levels deep in the template directory"
                        ),
                        "keep templates under `terraform/` and `cloudformation/`, as `vpcgen templates list` shows them",
                    ));
                }
                // A link back to a directory already walked would loop.
                if seen_dirs.insert(canonical) {
                    stack.push((path, depth + 1));
                }
            } else if let Some(kind) = crate::source::special_kind(&meta) {
                return Err(Error::template_with_help(
                    format!("`{shown_path}` is {kind}, not a template file"),
                    "remove it from the template directory; templates are regular files",
                ));
            } else if name.ends_with(".tera") && !hidden {
                let text = match crate::source::read_bounded(&path, 4096, TEMPLATE_MAX_BYTES) {
                    Ok(bytes) => String::from_utf8(bytes).map_err(|_| {
                        Error::template(format!("template `{shown_path}` is not UTF-8 text"))
                    })?,
                    Err(crate::source::ReadError::Io(e)) => {
                        return Err(Error::io(&path, "cannot read template", e));
                    }
                    Err(_) => {
                        return Err(Error::template_with_help(
                            format!(
                                "template `{shown_path}` is larger than {} KiB",
                                TEMPLATE_MAX_BYTES / 1024
                            ),
                            "a template writes one file; split a larger one into partials",
                        ));
                    }
                };
                found.push((name, text));
            } else {
                found.push((name, String::new()));
            }
        }
    }
    found.sort();
    Ok(found)
}

/// The error for a template directory that is not there.
pub fn missing_dir(dir: &Path) -> Error {
    Error::template_with_help(
        format!("template directory `{}` does not exist", shown(dir)),
        format!(
            "create it with `vpcgen templates eject {}`, or fix the path",
            shown(dir)
        ),
    )
}

/// A Tera error, with user template names replaced by their paths so the user sees their file,
/// and a hint for the mistakes Tera's own message does not explain.
fn template_error(err: tera::Error, dir: Option<&Path>) -> Error {
    let mut text = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(s) = source {
        text.push_str(&format!("\n  caused by: {s}"));
        source = s.source();
    }
    let text: String = text
        .lines()
        .map(|line| locate(line, dir))
        .collect::<Vec<_>>()
        .join("\n");
    let help = hint(&text);
    let text = text.strip_prefix("error: ").unwrap_or(&text).to_owned();
    Error::Template {
        message: format!("in template: {text}"),
        help,
    }
}

/// A location line of a Tera report (` --> NAME:LINE:COL`, `note: called from NAME:LINE:COL`)
/// with the template name replaced by the file the user edits, or marked as a built-in.
fn locate(line: &str, dir: Option<&Path>) -> String {
    let is_location = line.trim_start().starts_with("--> ") || line.starts_with("note: ");
    let Some((head, token)) = line.rsplit_once(' ').filter(|_| is_location) else {
        return line.to_owned();
    };
    let Some((name, position)) = token.split_once(':') else {
        return line.to_owned();
    };
    let shown = if let Some(builtin) = name.strip_prefix(BUILTIN_PREFIX) {
        format!("(built-in) {builtin}")
    } else if let Some(d) = dir {
        shown(&d.join(name))
    } else {
        format!("(built-in) {name}")
    };
    format!("{head} {shown}:{position}")
}

/// Help for Tera errors whose message alone does not say what to do in vpcgen's terms.
fn hint(text: &str) -> Option<String> {
    if let Some(rest) = text.split("Circular extend detected for template '").nth(1) {
        let name = rest.split('\'').next().unwrap_or_default();
        if BUILTINS.iter().any(|(b, _)| *b == name) {
            return Some(format!(
                "a template named like a built-in replaces it, so it cannot extend that name; extend the built-in as `{BUILTIN_PREFIX}{name}`"
            ));
        }
    }
    if text.contains("is not defined in any parent template") {
        return Some(
            "a child template can only fill blocks its parent defines; `vpcgen templates list` shows the blocks of every built-in".to_owned(),
        );
    }
    if text.contains("Unknown template `") {
        return Some(format!(
            "templates are named by their path under the template directory (`terraform/_header.tera`); `{BUILTIN_PREFIX}terraform/main.tf.tera` is always the built-in; `vpcgen templates list` shows the names"
        ));
    }
    if let Some(rest) = text.split("Unknown filter `").nth(1) {
        let name = rest.split('`').next().unwrap_or_default();
        let known = FILTERS.iter().chain(TERA_FILTERS).copied();
        return Some(format!(
            "{}vpcgen's filters are {}; docs/templates.md lists them and Tera's own",
            did_you_mean(suggest(name, known)),
            FILTERS.join(", ")
        ));
    }
    if text.contains("is not defined. Available") || text.contains("but got `undefined`") {
        // Piped into a filter, an unknown name reaches the filter as `undefined` and Tera
        // reports the type instead of the name; the marker under the source line shows which.
        return Some(
            "a variable or field that the context does not have is undefined; docs/templates.md describes every field, and `vpcgen generate SPEC --target T --dump-context` prints them for a spec".to_owned(),
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_file_is_a_builtin() {
        // `BUILTINS` is written by hand; a template file missing from it would be ejected by
        // nobody and fail to load at run time.
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut on_disk = Vec::new();
        for target in Target::ALL {
            for entry in std::fs::read_dir(root.join(target.as_str())).unwrap() {
                let name = entry.unwrap().file_name().to_string_lossy().into_owned();
                on_disk.push(format!("{target}/{name}"));
            }
        }
        on_disk.sort();
        let listed: Vec<String> = BUILTINS.iter().map(|(n, _)| n.to_string()).collect();
        assert_eq!(listed, on_disk);
    }

    #[test]
    fn user_files_are_overrides_additions_or_partials() {
        assert_eq!(classify("terraform/main.tf.tera"), Ok(UserFile::Override));
        assert_eq!(
            classify("cloudformation/_tags.tera"),
            Ok(UserFile::Override)
        );
        assert_eq!(
            classify("terraform/files/backend.tf.tera"),
            Ok(UserFile::Added("backend.tf".into()))
        );
        assert_eq!(
            classify("terraform/files/policies/s3.json.tera"),
            Ok(UserFile::Added("policies/s3.json".into()))
        );
        assert_eq!(classify("terraform/_house.tera"), Ok(UserFile::Partial));
        assert_eq!(
            classify("terraform/files/_part.tera"),
            Ok(UserFile::Partial)
        );
        assert_eq!(classify("README.md"), Ok(UserFile::Ignored));
        assert_eq!(classify("docs/notes.txt"), Ok(UserFile::Ignored));
        assert_eq!(classify(".git/HEAD"), Ok(UserFile::Ignored));
        assert_eq!(classify("terraform/.gitkeep"), Ok(UserFile::Ignored));
    }

    #[test]
    fn mistakes_name_what_was_meant() {
        let says = |name: &str, want: &str| {
            let err = classify(name).expect_err(name);
            let text = format!("{}; {}", err.message, err.help);
            assert!(text.contains(want), "{name}: {text}");
        };
        says(
            "terraform/mian.tf.tera",
            "did you mean `terraform/main.tf.tera`?",
        );
        says(
            "terraform/output.tf.tera",
            "did you mean `terraform/outputs.tf.tera`?",
        );
        says(
            "terraform/backend.tf.tera",
            "`terraform/files/backend.tf.tera` adds `backend.tf` as a new file",
        );
        says(
            "terraform/outputs.tf",
            "did you mean `terraform/outputs.tf.tera`?",
        );
        says(
            "terraform/files/backend.tf",
            "did you mean `terraform/files/backend.tf.tera`?",
        );
        says("main.tf.tera", "did you mean `terraform/main.tf.tera`?");
        says(
            "terrafrom/main.tf.tera",
            "did you mean `terraform/main.tf.tera`?",
        );
        says(
            "cloudformation/template.yml.tera",
            "did you mean `cloudformation/template.yaml.tera`?",
        );
        says(
            "terraform/files/main.tf.tera",
            "the built-in `terraform/main.tf.tera`",
        );
        says(
            "cloudformation/files/template.json.tera",
            "the built-in `cloudformation/template.yaml.tera`",
        );
    }

    #[test]
    fn error_locations_name_the_users_file() {
        let dir = Path::new("house");
        assert_eq!(
            locate(" --> terraform/main.tf.tera:2:29", Some(dir)),
            " --> house/terraform/main.tf.tera:2:29"
        );
        assert_eq!(
            locate(
                "note: called from builtin/terraform/main.tf.tera:18:77",
                Some(dir)
            ),
            "note: called from (built-in) terraform/main.tf.tera:18:77"
        );
        assert_eq!(
            locate("18 | {% include \"terraform/x.tera\" %}", Some(dir)),
            "18 | {% include \"terraform/x.tera\" %}"
        );
    }
}
