//! Templates: the built-ins (embedded in the binary), a user's overrides and added files, and the
//! filters that escape values for each destination language. A Tera instance is built once per
//! template directory and reused for every spec rendered with it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use tera::{ArgFromValue, Kwargs, State, Tera, TeraResult, Value};

use crate::error::{Error, shown, suggest};

/// Every built-in template: its name (as a user's override would be named) and its text.
pub const BUILTINS: &[(&str, &str)] = &[
    (
        "cloudformation/_endpoint.tera",
        include_str!("../templates/cloudformation/_endpoint.tera"),
    ),
    (
        "cloudformation/_header.tera",
        include_str!("../templates/cloudformation/_header.tera"),
    ),
    (
        "cloudformation/_tags.tera",
        include_str!("../templates/cloudformation/_tags.tera"),
    ),
    (
        "cloudformation/template.yaml.tera",
        include_str!("../templates/cloudformation/template.yaml.tera"),
    ),
    (
        "terraform/_gateway_endpoint.tera",
        include_str!("../templates/terraform/_gateway_endpoint.tera"),
    ),
    (
        "terraform/_header.tera",
        include_str!("../templates/terraform/_header.tera"),
    ),
    (
        "terraform/_interface_endpoint.tera",
        include_str!("../templates/terraform/_interface_endpoint.tera"),
    ),
    (
        "terraform/main.tf.tera",
        include_str!("../templates/terraform/main.tf.tera"),
    ),
    (
        "terraform/outputs.tf.tera",
        include_str!("../templates/terraform/outputs.tf.tera"),
    ),
    (
        "terraform/variables.tf.tera",
        include_str!("../templates/terraform/variables.tf.tera"),
    ),
    (
        "terraform/versions.tf.tera",
        include_str!("../templates/terraform/versions.tf.tera"),
    ),
    (
        "terraform/vpc.tf.tera",
        include_str!("../templates/terraform/vpc.tf.tera"),
    ),
];

/// Built-ins are registered under this prefix too, so a user template can extend the one it
/// replaces: `{% extends "builtin/terraform/main.tf.tera" %}`.
pub const BUILTIN_PREFIX: &str = "builtin/";

/// User files under `<target>/files/` become extra output files.
pub const FILES_DIR: &str = "files/";

pub const TARGETS: &[&str] = &["terraform", "cloudformation"];

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
        let mut problems = Vec::new();
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
                    problems.push(format!("`{shown}` {problem}"));
                    continue;
                }
            }
            sources.push((name.clone(), text.clone()));
        }
        if !problems.is_empty() {
            return Err(Error::Template(problems.join("\nerror: ")));
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
            for (i, target) in TARGETS.iter().enumerate() {
                let engine = templates.build(target)?;
                let _ = templates.engines[i].set(engine);
            }
        }
        Ok(templates)
    }

    /// A Tera engine with the templates of `target`.
    fn build(&self, target: &str) -> Result<Tera, Error> {
        let mut tera = Tera::new();
        tera.autoescape_on(Vec::<&str>::new());
        register_filters(&mut tera);
        let mine = self.sources.iter().filter(|(n, _)| {
            target_of(n.strip_prefix(BUILTIN_PREFIX).unwrap_or(n)) == Some(target)
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
            .map_err(|e| Error::Template(e.to_string()))?;
        tera.add_raw_templates(mine.map(|(n, t)| (n.as_str(), t.as_str())))
            .map_err(|e| template_error(e, self.dir.as_deref()))?;
        Ok(tera)
    }

    /// Parse the templates of every target now (they are otherwise parsed when first used).
    pub fn parse_all(&self) -> Result<(), Error> {
        TARGETS.iter().try_for_each(|t| self.engine(t).map(|_| ()))
    }

    /// Parse `target`'s templates now rather than at its first render, so that a batch can do
    /// it while its specs are being planned.
    pub fn prepare(&self, target: &str) -> Result<(), Error> {
        self.engine(target).map(|_| ())
    }

    fn engine(&self, target: &str) -> Result<&Tera, Error> {
        let i = target_index(target)
            .ok_or_else(|| Error::Template(format!("`{target}` is not a target")))?;
        if let Some(engine) = self.engines[i].get() {
            return Ok(engine);
        }
        // Only the built-in set gets here (a user's set is built when loaded), and the
        // built-ins always parse (tested).
        let engine = self.build(target)?;
        Ok(self.engines[i].get_or_init(|| engine))
    }

    /// The output files a target produces: `(template name, output file name)`, sorted. Listed
    /// once per set, since every spec of a batch asks.
    pub fn outputs(&self, target: &str) -> &[(String, String)] {
        let Some(i) = target_index(target) else {
            return &[];
        };
        self.outputs[i].get_or_init(|| {
            let mut out: Vec<(String, String)> = builtin_outputs(target)
                .map(|(n, o)| (n.to_owned(), o))
                .collect();
            for (name, output) in &self.added {
                if target_of(name) == Some(target) {
                    out.push((name.clone(), output.clone()));
                }
            }
            out.sort_by(|a, b| a.1.cmp(&b.1));
            out
        })
    }

    pub fn render(&self, name: &str, context: &tera::Context) -> Result<String, Error> {
        let target = target_of(name).unwrap_or("");
        self.engine(target)?
            .render(name, context)
            .map_err(|e| template_error(e, self.dir.as_deref()))
    }
}

/// Partials (`_tags.tera`) are included by other templates and produce no file of their own.
pub fn is_partial(name: &str) -> bool {
    name.rsplit('/').next().is_some_and(|f| f.starts_with('_'))
}

/// The built-in templates of `target` that produce a file, with the file they produce.
fn builtin_outputs(target: &str) -> impl Iterator<Item = (&'static str, String)> + '_ {
    BUILTINS
        .iter()
        .filter(move |(n, _)| target_of(n) == Some(target) && !is_partial(n))
        .map(|(n, _)| (*n, output_name(n)))
}

/// Where `target` is in `TARGETS`, which is where its engine and its list of outputs are kept.
fn target_index(target: &str) -> Option<usize> {
    TARGETS.iter().position(|t| *t == target)
}

/// The target directory a template name starts with, if it is one.
fn target_of(name: &str) -> Option<&'static str> {
    let first = name.split('/').next()?;
    TARGETS.iter().copied().find(|t| *t == first)
}

fn output_name(template: &str) -> String {
    let file = template.rsplit('/').next().unwrap_or(template);
    file.strip_suffix(".tera").unwrap_or(file).to_owned()
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
pub fn classify(name: &str) -> Result<UserFile, String> {
    if name.split('/').any(|part| part.starts_with('.')) {
        return Ok(UserFile::Ignored);
    }
    let is_template = name.ends_with(".tera");
    let Some(target) = target_of(name) else {
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
                let t = suggest(first, TARGETS.iter().copied())?;
                Some(format!("{t}/{rest}"))
            });
        return Err(format!(
            "is outside the target directories\n  help: {}templates go under `terraform/` or `cloudformation/`, named like the built-ins (`vpcgen templates list`)",
            did_you_mean(meant.as_deref())
        ));
    };
    let file = name.rsplit('/').next().unwrap_or(name);
    if !is_template {
        // Under a target directory every file is a template; a missing `.tera` would otherwise
        // leave the built-in in place without a word.
        let meant = suggest_builtin(target, file).unwrap_or_else(|| format!("{name}.tera"));
        return Err(format!(
            "is not a template\n  help: {}files under `{target}/` must end in `.tera`",
            did_you_mean(Some(&meant))
        ));
    }
    if BUILTINS.iter().any(|(b, _)| *b == name) {
        return Ok(UserFile::Override);
    }
    if file.starts_with('_') {
        return Ok(UserFile::Partial);
    }
    let under_files = name
        .strip_prefix(target)
        .and_then(|r| r.strip_prefix('/'))
        .and_then(|r| r.strip_prefix(FILES_DIR));
    if let Some(rest) = under_files {
        let output = rest.strip_suffix(".tera").unwrap_or(rest).to_owned();
        let taken = builtin_outputs(target)
            .find(|(_, o)| *o == output)
            .map(|(b, _)| b.to_owned())
            // `--format json` writes the CloudFormation template as `template.json`.
            .or_else(|| {
                (target == "cloudformation" && output == "template.json")
                    .then(|| "cloudformation/template.yaml.tera".to_owned())
            });
        if let Some(builtin) = taken {
            return Err(format!(
                "would write `{output}`, which the built-in `{builtin}` writes\n  help: to replace the built-in, name your file `{builtin}`; to add a file, give it another name"
            ));
        }
        if output.is_empty() || output.ends_with('/') {
            return Err(format!(
                "names no output file\n  help: `{target}/{FILES_DIR}backend.tf.tera` writes `backend.tf`"
            ));
        }
        return Ok(UserFile::Added(output));
    }
    let stem = file.strip_suffix(".tera").unwrap_or(file);
    let rest = &name[target.len() + 1..];
    let add = format!("`{target}/{FILES_DIR}{rest}` adds `{stem}` as a new file");
    Err(match suggest_builtin(target, file) {
        Some(meant) => format!(
            "matches no built-in template\n  help: did you mean `{meant}`? (a file named like a built-in replaces it; {add})"
        ),
        None => format!(
            "matches no built-in template\n  help: new output files go under `{target}/{FILES_DIR}`: {add}; a file named like a built-in replaces it (`vpcgen templates list` shows them); partials start with `_`"
        ),
    })
}

/// The built-in of `target` whose file name is closest to `file`. Names are compared without
/// the shared `<target>/` prefix, which would make every name look alike.
fn suggest_builtin(target: &str, file: &str) -> Option<String> {
    let files: Vec<&str> = BUILTINS
        .iter()
        .filter(|(b, _)| target_of(b) == Some(target))
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

fn unused_partial(name: &str, shown: &str) -> String {
    let target = target_of(name).unwrap_or("terraform");
    let file = name.rsplit('/').next().unwrap_or(name);
    let partials: Vec<&str> = BUILTINS
        .iter()
        .filter(|(b, _)| target_of(b) == Some(target) && is_partial(b))
        .filter_map(|(b, _)| b.rsplit('/').next())
        .collect();
    let meant = suggest(file, partials).map(|p| format!("{target}/{p}"));
    format!(
        "`{shown}` is a new partial that none of your templates includes\n  help: {}a partial named like a built-in one replaces it; a new one must be included by your own templates (`{{% include \"{name}\" %}}`)",
        did_you_mean(meant.as_deref())
    )
}

fn extends(text: &str) -> bool {
    text.contains("{% extends") || text.contains("{%- extends")
}

/// Tera 2 renders an included template that extends another as its blocks alone, without the
/// parent's text, so an extending partial would silently lose most of its output.
fn extending_partial(shown: &str) -> String {
    format!(
        "`{shown}` is an included partial that extends another template, and an included template renders only its own blocks, without its parent\n  help: write the partial out in full (`vpcgen templates eject` copies the built-in), or fill a block of the template that includes it (tags: the `tags` block of `terraform/main.tf.tera` or `cloudformation/template.yaml.tera`)"
    )
}

/// Every file below `dir` with its path relative to `dir`; the text of templates only. Hidden
/// directories are not entered.
fn user_files(dir: &Path) -> Result<Vec<(String, String)>, Error> {
    if !dir.is_dir() {
        return Err(Error::Template(missing_dir(dir)));
    }
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d)
            .map_err(|e| Error::io(&d, "cannot read template directory", e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(&d, "cannot read template directory", e))?;
            let path = entry.path();
            let hidden = entry.file_name().to_string_lossy().starts_with('.');
            let rel = path.strip_prefix(dir).expect("walked below dir");
            let name = shown(rel);
            if path.is_dir() {
                if !hidden {
                    stack.push(path);
                }
            } else if name.ends_with(".tera") && !hidden {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| Error::io(&path, "cannot read template", e))?;
                found.push((name, text));
            } else {
                found.push((name, String::new()));
            }
        }
    }
    found.sort();
    Ok(found)
}

/// The message for a template directory that is not there.
pub fn missing_dir(dir: &Path) -> String {
    format!(
        "template directory `{}` does not exist\n  help: create it with `vpcgen templates eject {}`, or fix the path",
        shown(dir),
        shown(dir)
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
    let mut text: String = text
        .lines()
        .map(|line| locate(line, dir))
        .collect::<Vec<_>>()
        .join("\n");
    if let Some(help) = hint(&text) {
        text.push_str("\n  help: ");
        text.push_str(&help);
    }
    let text = text.strip_prefix("error: ").unwrap_or(&text).to_owned();
    Error::Template(format!("in template: {text}"))
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

/// The filters vpcgen registers, as documented in docs/templates.md.
pub const FILTERS: &[&str] = &[
    "hcl_string",
    "hcl",
    "yaml_string",
    "yaml",
    "json",
    "tf_ident",
    "cfn_id",
    "kebab",
    "comment",
];

/// Tera's built-in filters, for suggestions.
const TERA_FILTERS: &[&str] = &[
    "safe",
    "default",
    "upper",
    "lower",
    "wordcount",
    "escape",
    "escape_html",
    "escape_xml",
    "newlines_to_br",
    "pluralize",
    "trim",
    "trim_start",
    "trim_end",
    "replace",
    "capitalize",
    "title",
    "truncate",
    "indent",
    "str",
    "int",
    "float",
    "length",
    "reverse",
    "split",
    "abs",
    "round",
    "first",
    "last",
    "nth",
    "join",
    "sort",
    "unique",
    "get",
    "values",
    "keys",
    "pairs",
    "group_by",
];

/// `indent=N` of the layout filters, bounded: a user template's typo must not ask for gigabytes
/// of spaces.
fn indent(kw: &Kwargs) -> TeraResult<usize> {
    let n = kw.get::<i64>("indent")?.unwrap_or(0);
    usize::try_from(n)
        .ok()
        .filter(|n| *n <= 256)
        .ok_or_else(|| tera::Error::message(format!("`indent` must be from 0 to 256, not {n}")))
}

fn register_filters(tera: &mut Tera) {
    tera.register_filter("hcl_string", |s: &str, _: Kwargs, _: &State| hcl_string(s));
    tera.register_filter(
        "hcl",
        |v: &Value, kw: Kwargs, _: &State| -> TeraResult<Value> {
            Ok(laid_out(v, indent(&kw)?, Layout::Hcl))
        },
    );
    tera.register_filter("yaml_string", |s: &str, _: Kwargs, _: &State| {
        yaml_string(s)
    });
    tera.register_filter(
        "yaml",
        |v: &Value, kw: Kwargs, _: &State| -> TeraResult<Value> {
            Ok(laid_out(v, indent(&kw)?, Layout::Yaml))
        },
    );
    tera.register_filter("json", |v: &Value, _: Kwargs, _: &State| {
        serde_json::to_string(v).unwrap_or_default()
    });
    tera.register_filter("tf_ident", |s: &str, _: Kwargs, _: &State| {
        crate::naming::tf_ident(s)
    });
    tera.register_filter("cfn_id", |s: &str, _: Kwargs, _: &State| {
        crate::naming::cfn_logical_id(s)
    });
    tera.register_filter("kebab", |s: &str, _: Kwargs, _: &State| {
        crate::naming::kebab(s)
    });
    // Nearly every comment is plain already; handing back the same template value then spares
    // copying the text twice (into a new string, then into a new template value).
    tera.register_filter(
        "comment",
        |v: Value, _: Kwargs, _: &State| -> TeraResult<Value> {
            let s = <&str as ArgFromValue>::from_value(&v)?;
            Ok(if is_plain(s) {
                v
            } else {
                Value::from(comment_safe(s))
            })
        },
    );
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Layout {
    Hcl,
    Yaml,
}

/// `v` laid out by the `hcl` or `yaml` filter. The built-in templates lay out the same few
/// policy documents once per endpoint, so each thread remembers its last few lists and maps by
/// identity. Template values are immutable and shared by reference counting; holding a clone
/// keeps the value alive, so its address cannot be reused by another value while remembered.
fn laid_out(v: &Value, indent: usize, layout: Layout) -> Value {
    type Remembered = Vec<(Value, usize, Layout, Value)>;
    thread_local! {
        static RECENT: std::cell::RefCell<Remembered> = const { std::cell::RefCell::new(Vec::new()) };
    }
    // Held as a template value, so that a remembered layout is handed out without a copy.
    let render = || {
        Value::from(match layout {
            Layout::Hcl => hcl_value(v, indent),
            Layout::Yaml => yaml_value(v, indent),
        })
    };
    let Some(addr) = identity(v) else {
        return render();
    };
    RECENT.with_borrow_mut(|recent| {
        if let Some((_, _, _, text)) = recent
            .iter()
            .find(|(held, i, l, _)| *i == indent && *l == layout && identity(held) == Some(addr))
        {
            return text.clone();
        }
        let text = render();
        if recent.len() == 16 {
            recent.remove(0);
        }
        recent.push((v.clone(), indent, layout, text.clone()));
        text
    })
}

/// Where a non-empty list or map keeps its items: the same for every clone of a value, and
/// never for two live values.
fn identity(v: &Value) -> Option<*const u8> {
    v.as_map()
        .filter(|m| !m.is_empty())
        .map(|m| std::ptr::from_ref(m).cast::<u8>())
        .or_else(|| {
            v.as_array()
                .filter(|a| !a.is_empty())
                .map(|a| a.as_ptr().cast::<u8>())
        })
}

/// An HCL quoted string: escapes, and `${` / `%{` doubled so nothing is interpolated.
pub fn hcl_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_hcl_string(s, &mut out);
    out
}

fn push_hcl_string(s: &str, out: &mut String) {
    out.push('"');
    if s.bytes()
        .all(|b| b.is_ascii_graphic() && !matches!(b, b'"' | b'\\' | b'$' | b'%') || b == b' ')
    {
        // Nearly every string (ids, names, ARNs) needs no escape at all.
        out.push_str(s);
    } else {
        let mut chars = s.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' => out.push_str("\\\\"),
                '"' => out.push_str("\\\""),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '$' | '%' if chars.peek() == Some(&'{') => {
                    out.push(c);
                    out.push(c);
                }
                c if c.is_control() => push_unicode_escape(c, out),
                c => out.push(c),
            }
        }
    }
    out.push('"');
}

fn push_unicode_escape(c: char, out: &mut String) {
    use std::fmt::Write;
    let _ = write!(out, "\\u{:04X}", c as u32);
}

fn push_spaces(mut n: usize, out: &mut String) {
    const SPACES: &str = "                                                                ";
    while n > 0 {
        let k = n.min(SPACES.len());
        out.push_str(&SPACES[..k]);
        n -= k;
    }
}

/// The key of a template map as text: maps built from YAML or JSON only have string keys, but a
/// template can build others.
fn key_text<'a>(k: &'a tera::value::Key<'_>) -> std::borrow::Cow<'a, str> {
    k.as_str().map_or_else(|| k.to_string().into(), Into::into)
}

/// A scalar as the layout filters print it, or `None` for a list or map. Anything else a
/// template can hold (undefined, bytes) prints as `null`.
enum Scalar<'a> {
    Null,
    Bool(bool),
    Number(tera::Number),
    Str(&'a str),
}

fn scalar(v: &Value) -> Option<Scalar<'_>> {
    if let Some(s) = v.as_str() {
        Some(Scalar::Str(s))
    } else if let Some(b) = v.as_bool() {
        Some(Scalar::Bool(b))
    } else if let Some(n) = v.as_number() {
        Some(Scalar::Number(n))
    } else if v.as_array().is_some() || v.as_map().is_some() {
        None
    } else {
        Some(Scalar::Null)
    }
}

fn push_scalar(s: &Scalar, quote: fn(&str, &mut String), out: &mut String) {
    use std::fmt::Write;
    match s {
        Scalar::Null => out.push_str("null"),
        Scalar::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Scalar::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Scalar::Str(s) => quote(s, out),
    }
}

/// Any template value as an HCL expression, laid out over lines at `indent` spaces. Keys are not
/// padded here: `render::normalise_hcl` aligns every `.tf` file the way `terraform fmt` does. The
/// layout filters write into one buffer: they run once per endpoint, on policy documents.
pub fn hcl_value(v: &Value, indent: usize) -> String {
    // Room for a typical policy document, which would otherwise grow the buffer several times.
    let mut out = String::with_capacity(512);
    push_hcl(v, indent, &mut out);
    out
}

fn push_hcl(v: &Value, indent: usize, out: &mut String) {
    if let Some(s) = scalar(v) {
        push_scalar(&s, push_hcl_string, out);
    } else if let Some(items) = v.as_array() {
        if items.is_empty() {
            out.push_str("[]");
            return;
        }
        if items.iter().all(|i| scalar(i).is_some()) {
            // A list of scalars stays on one line when it fits.
            let start = out.len();
            out.push('[');
            for (n, item) in items.iter().enumerate() {
                if n > 0 {
                    out.push_str(", ");
                }
                push_hcl(item, indent, out);
            }
            out.push(']');
            if out.len() - start + indent <= 100 {
                return;
            }
            out.truncate(start);
        }
        out.push('[');
        for item in items {
            out.push('\n');
            push_spaces(indent + 2, out);
            push_hcl(item, indent + 2, out);
            out.push(',');
        }
        out.push('\n');
        push_spaces(indent, out);
        out.push(']');
    } else if let Some(map) = v.as_map() {
        if map.is_empty() {
            out.push_str("{}");
            return;
        }
        out.push('{');
        for (k, val) in map {
            out.push('\n');
            push_spaces(indent + 2, out);
            push_hcl_string(&key_text(k), out);
            out.push_str(" = ");
            push_hcl(val, indent + 2, out);
        }
        out.push('\n');
        push_spaces(indent, out);
        out.push('}');
    }
}

/// A YAML double-quoted scalar, which is also a JSON string. JSON's escaping alone is not enough:
/// YAML parsers reject non-printable characters (DEL, C1 controls, U+FFFE) even inside quotes, and
/// fold NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR into spaces as if they were line breaks.
pub fn yaml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_yaml_string(s, &mut out);
    out
}

fn push_yaml_string(s: &str, out: &mut String) {
    out.push('"');
    if s.bytes()
        .all(|b| (b' '..=b'~').contains(&b) && b != b'"' && b != b'\\')
    {
        // Nearly every string (ids, names, ARNs) needs no escape at all.
        out.push_str(s);
    } else {
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if !yaml_printable(c) || is_line_break(c) => push_unicode_escape(c, out),
                c => out.push(c),
            }
        }
    }
    out.push('"');
}

/// YAML's `c-printable`, less the byte order mark, which parsers take as a stream marker.
fn yaml_printable(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' '..='~' | '\u{85}' | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
        && c != '\u{FEFF}'
}

/// Characters that end a line for some parser: YAML 1.1 (and so CloudFormation's) counts NEL
/// and the Unicode separators too.
fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// Any template value as a YAML block at `indent` spaces: the first line continues after a key,
/// the rest are indented. Scalars are quoted so nothing is re-typed (`yes`, `null`, `0x1`).
pub fn yaml_value(v: &Value, indent: usize) -> String {
    // Room for a typical policy document, which would otherwise grow the buffer several times.
    let mut out = String::with_capacity(512);
    push_yaml(v, indent, &mut out);
    out
}

fn push_yaml(v: &Value, indent: usize, out: &mut String) {
    if let Some(s) = scalar(v) {
        push_scalar(&s, push_yaml_string, out);
    } else if let Some(items) = v.as_array() {
        if items.is_empty() {
            out.push_str("[]");
        }
        for item in items {
            out.push('\n');
            push_spaces(indent, out);
            out.push_str("- ");
            match item.as_map() {
                // The first key shares the dash's line.
                Some(map) if !map.is_empty() => push_yaml_entries(map, indent + 2, true, out),
                _ => push_yaml(item, indent + 2, out),
            }
        }
    } else if let Some(map) = v.as_map() {
        if map.is_empty() {
            out.push_str("{}");
        } else {
            push_yaml_entries(map, indent, false, out);
        }
    }
}

/// The entries of a non-empty map, each on its own line; with `inline`, the first continues the
/// current line.
fn push_yaml_entries(map: &tera::Map, indent: usize, inline: bool, out: &mut String) {
    for (n, (k, val)) in map.iter().enumerate() {
        if n > 0 || !inline {
            out.push('\n');
            push_spaces(indent, out);
        }
        push_yaml_key(&key_text(k), out);
        out.push(':');
        let block = match (val.as_array(), val.as_map()) {
            (Some(items), _) => !items.is_empty(),
            (_, Some(map)) => !map.is_empty(),
            _ => false,
        };
        if !block {
            out.push(' ');
        }
        push_yaml(val, indent + 2, out);
    }
}

fn push_yaml_key(k: &str, out: &mut String) {
    let plain = k.starts_with(|c: char| c.is_ascii_alphabetic())
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b':' | b'.'))
        && !k.ends_with(':')
        && !k.contains(": ");
    if plain {
        out.push_str(k);
    } else {
        push_yaml_string(k, out);
    }
}

/// Printable ASCII only: safe as it is in a comment line.
fn is_plain(s: &str) -> bool {
    s.bytes().all(|b| (b' '..=b'~').contains(&b))
}

/// Text safe inside a `#` comment line: a line break would end the comment and let the rest be
/// code, and a character YAML cannot print would make the whole file unreadable.
pub fn comment_safe(s: &str) -> String {
    if is_plain(s) {
        return s.to_owned();
    }
    s.chars()
        .map(|c| {
            if c.is_control() || is_line_break(c) || !yaml_printable(c) {
                ' '
            } else {
                c
            }
        })
        .collect()
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
        for target in TARGETS {
            for entry in std::fs::read_dir(root.join(target)).unwrap() {
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
            assert!(err.contains(want), "{name}: {err}");
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

    #[test]
    fn hcl_strings_never_interpolate() {
        assert_eq!(hcl_string("a\"b\\c${x}%{y}$z"), r#""a\"b\\c$${x}%%{y}$z""#);
        assert_eq!(hcl_string("line\nnext\ttab"), r#""line\nnext\ttab""#);
    }

    #[test]
    fn yaml_strings_escape_what_parsers_would_reject_or_fold() {
        assert_eq!(yaml_string("a\"b\\c\n\t"), r#""a\"b\\c\n\t""#);
        assert_eq!(
            yaml_string("\u{7f}\u{85}\u{2028}\u{2029}\u{feff}\u{fffe}\u{0}"),
            r#""\u007F\u0085\u2028\u2029\uFEFF\uFFFE\u0000""#
        );
        assert_eq!(
            yaml_string("é日本🦀 ${x} # y: z"),
            "\"é日本🦀 ${x} # y: z\""
        );
        for s in [
            "\u{85}x",
            "a\u{2028}b",
            "\u{7f}",
            "\u{feff}",
            "yes",
            "",
            "~",
        ] {
            let back: String = serde_yaml::from_str(&yaml_string(s)).unwrap();
            assert_eq!(back, s);
            let back: String = serde_json::from_str(&yaml_string(s)).unwrap();
            assert_eq!(back, s);
        }
    }

    #[test]
    fn comments_stay_on_one_line() {
        assert_eq!(
            comment_safe("a\nb\rc\u{85}d\u{2028}e\u{2029}f\u{7f}g\u{fffe}h"),
            "a b c d e f g h"
        );
        assert_eq!(comment_safe("specs/é 日本.yaml"), "specs/é 日本.yaml");
    }

    #[test]
    fn layout_filters_refuse_absurd_indents() {
        let mut tera = Tera::new();
        register_filters(&mut tera);
        tera.add_raw_template("ok", "{{ v | yaml(indent=2) }}")
            .unwrap();
        tera.add_raw_template("huge", "{{ v | hcl(indent=99999999999) }}")
            .unwrap();
        tera.add_raw_template("negative", "{{ v | yaml(indent=-1) }}")
            .unwrap();
        let mut cx = tera::Context::new();
        cx.insert("v", &serde_json::json!({"a": [1]}));
        assert_eq!(tera.render("ok", &cx).unwrap(), "\n  a:\n    - 1");
        for name in ["huge", "negative"] {
            let err = tera.render(name, &cx).unwrap_err();
            let text = format!("{err} {:?}", std::error::Error::source(&err));
            assert!(text.contains("`indent` must be from 0 to 256"), "{text}");
        }
    }

    #[test]
    fn remembered_layouts_belong_to_their_own_value() {
        let doc =
            |sid: &str| Value::from_serializable(&serde_json::json!({"Statement": [{"Sid": sid}]}));
        let text = |v: Value| v.as_str().expect("a layout is text").to_owned();
        let (a, b) = (doc("A"), doc("B"));
        for _ in 0..2 {
            assert_eq!(text(laid_out(&a, 0, Layout::Yaml)), yaml_value(&a, 0));
            assert_eq!(text(laid_out(&b, 0, Layout::Yaml)), yaml_value(&b, 0));
            assert_eq!(text(laid_out(&a, 4, Layout::Yaml)), yaml_value(&a, 4));
            assert_eq!(text(laid_out(&a, 4, Layout::Hcl)), hcl_value(&a, 4));
        }
        assert_ne!(
            text(laid_out(&a, 0, Layout::Yaml)),
            text(laid_out(&b, 0, Layout::Yaml))
        );
        // Values come and go between renders; a new one is never taken for an old one.
        for n in 0..40 {
            let v = doc(&format!("S{n}"));
            assert_eq!(text(laid_out(&v, 2, Layout::Yaml)), yaml_value(&v, 2));
        }
    }

    #[test]
    fn yaml_values_are_quoted() {
        let v = Value::from_serializable(
            &serde_json::json!({"a": ["yes", 1, {"b": "no", "c": []}], "d": {}}),
        );
        assert_eq!(
            yaml_value(&v, 0),
            "\na:\n  - \"yes\"\n  - 1\n  - b: \"no\"\n    c: []\nd: {}"
        );
    }
}
