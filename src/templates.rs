//! Templates: the built-ins (embedded in the binary), a user's overrides and added files, and the
//! filters that escape values for each destination language. A Tera instance is built once per
//! template directory and reused for every spec rendered with it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use tera::{Kwargs, State, Tera, TeraResult, Value};

use crate::error::{Error, suggest};

/// Every built-in template: its name (as a user's override would be named) and its text.
pub const BUILTINS: &[(&str, &str)] = &[
    (
        "cloudformation/_endpoint.tera",
        include_str!("../templates/cloudformation/_endpoint.tera"),
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
    tera: Tera,
    /// Where user templates came from, if any.
    pub dir: Option<PathBuf>,
    /// Names of built-ins the user replaced.
    pub overridden: BTreeSet<String>,
    /// User templates that produce extra files (`terraform/files/backend.tf.tera`).
    pub added: BTreeSet<String>,
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
        let mut tera = Tera::new();
        tera.autoescape_on(Vec::<&str>::new());
        register_filters(&mut tera);
        let mut sources: Vec<(String, String)> = Vec::new();
        for (name, text) in BUILTINS {
            sources.push((format!("{BUILTIN_PREFIX}{name}"), (*text).to_owned()));
        }
        let mut overridden = BTreeSet::new();
        let mut added = BTreeSet::new();
        let user = match dir {
            Some(d) => user_templates(d)?,
            None => Vec::new(),
        };
        for (name, text) in &user {
            let builtin = BUILTINS.iter().any(|(b, _)| b == name);
            let file_name = name.rsplit('/').next().unwrap_or(name);
            let target = name.split('/').next().unwrap_or("");
            let under_files = name
                .strip_prefix(target)
                .and_then(|r| r.strip_prefix('/'))
                .is_some_and(|r| r.starts_with(FILES_DIR));
            if builtin {
                overridden.insert(name.clone());
            } else if under_files && TARGETS.contains(&target) {
                added.insert(name.clone());
            } else if !file_name.starts_with('_') {
                let d = dir.expect("user templates come from a directory");
                let help = match suggest(name, BUILTINS.iter().map(|(b, _)| *b)) {
                    Some(best) => format!("did you mean `{best}`? "),
                    None => String::new(),
                };
                return Err(Error::Template(format!(
                    "`{}` matches no built-in template\n  help: {help}a file named like a built-in replaces it; new output files go under `<target>/{FILES_DIR}` (e.g. `terraform/files/backend.tf.tera`); partials start with `_`; `vpcgen templates list` shows the built-in names",
                    display(&d.join(name))
                )));
            }
            sources.push((name.clone(), text.clone()));
        }
        // Plain names resolve to a user's file first, then to the built-in.
        tera.set_fallback_prefixes([BUILTIN_PREFIX])
            .map_err(|e| Error::Template(e.to_string()))?;
        tera.add_raw_templates(sources.iter().map(|(n, t)| (n.as_str(), t.as_str())))
            .map_err(|e| template_error(e, dir))?;
        Ok(Templates {
            tera,
            dir: dir.map(Path::to_path_buf),
            overridden,
            added,
        })
    }

    /// The output files a target produces: `(template name, output file name)`, sorted.
    pub fn outputs(&self, target: &str) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = BUILTINS
            .iter()
            .filter(|(n, _)| n.starts_with(&format!("{target}/")) && !is_partial(n))
            .map(|(n, _)| (n.to_string(), output_name(n)))
            .collect();
        for name in &self.added {
            if name.starts_with(&format!("{target}/")) {
                out.push((name.clone(), output_name(name)));
            }
        }
        out.sort_by(|a, b| a.1.cmp(&b.1));
        out
    }

    pub fn render(&self, name: &str, context: &tera::Context) -> Result<String, Error> {
        self.tera
            .render(name, context)
            .map_err(|e| template_error(e, self.dir.as_deref()))
    }
}

/// Partials (`_tags.tera`) are included by other templates and produce no file of their own.
pub fn is_partial(name: &str) -> bool {
    name.rsplit('/').next().is_some_and(|f| f.starts_with('_'))
}

fn output_name(template: &str) -> String {
    let file = template.rsplit('/').next().unwrap_or(template);
    file.strip_suffix(".tera").unwrap_or(file).to_owned()
}

fn display(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

/// Read every `*.tera` file below `dir`, named by its path relative to `dir`.
fn user_templates(dir: &Path) -> Result<Vec<(String, String)>, Error> {
    if !dir.is_dir() {
        return Err(Error::Template(format!(
            "template directory `{}` does not exist\n  help: create it with `vpcgen templates eject {}`, or fix the path",
            display(dir),
            display(dir)
        )));
    }
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d)
            .map_err(|e| Error::io(&d, "cannot read template directory", e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(&d, "cannot read template directory", e))?;
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|x| x == "tera") {
                let rel = path.strip_prefix(dir).expect("walked below dir");
                let name = display(rel);
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| Error::io(&path, "cannot read template", e))?;
                found.push((name, text));
            }
        }
    }
    found.sort();
    Ok(found)
}

/// A Tera error, with user template names replaced by their paths so the user sees their file.
fn template_error(err: tera::Error, dir: Option<&Path>) -> Error {
    let mut text = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(s) = source {
        text.push_str(&format!("\n  caused by: {s}"));
        source = s.source();
    }
    if let Some(d) = dir {
        for target in TARGETS {
            text = text.replace(
                &format!("--> {target}/"),
                &format!("--> {}/{target}/", display(d)),
            );
        }
        text = text.replace("--> builtin/", "--> (built-in) ");
    }
    let text = text.strip_prefix("error: ").unwrap_or(&text).to_owned();
    Error::Template(format!("in template: {text}"))
}

fn to_json(v: &Value) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

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
        |v: &Value, kw: Kwargs, _: &State| -> TeraResult<String> {
            Ok(hcl_value(&to_json(v), indent(&kw)?))
        },
    );
    tera.register_filter("yaml_string", |s: &str, _: Kwargs, _: &State| {
        yaml_string(s)
    });
    tera.register_filter(
        "yaml",
        |v: &Value, kw: Kwargs, _: &State| -> TeraResult<String> {
            Ok(yaml_value(&to_json(v), indent(&kw)?))
        },
    );
    tera.register_filter("json", |v: &Value, _: Kwargs, _: &State| {
        serde_json::to_string(&to_json(v)).unwrap_or_default()
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
    tera.register_filter("comment", |s: &str, _: Kwargs, _: &State| comment_safe(s));
}

/// An HCL quoted string: escapes, and `${` / `%{` doubled so nothing is interpolated.
pub fn hcl_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
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
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Any JSON value as an HCL expression, laid out over lines at `indent` spaces.
pub fn hcl_value(v: &serde_json::Value, indent: usize) -> String {
    use serde_json::Value as J;
    let pad = " ".repeat(indent + 2);
    let end = " ".repeat(indent);
    match v {
        J::Null => "null".to_owned(),
        J::Bool(b) => b.to_string(),
        J::Number(n) => n.to_string(),
        J::String(s) => hcl_string(s),
        J::Array(items) if items.is_empty() => "[]".to_owned(),
        J::Array(items) if items.iter().all(|i| !i.is_array() && !i.is_object()) => {
            let parts: Vec<String> = items.iter().map(|i| hcl_value(i, indent)).collect();
            let one_line = format!("[{}]", parts.join(", "));
            if one_line.len() + indent <= 100 {
                one_line
            } else {
                format!(
                    "[\n{}\n{end}]",
                    parts
                        .iter()
                        .map(|p| format!("{pad}{p},"))
                        .collect::<Vec<_>>()
                        .join("\n")
                )
            }
        }
        J::Array(items) => {
            let parts: Vec<String> = items
                .iter()
                .map(|i| format!("{pad}{},", hcl_value(i, indent + 2)))
                .collect();
            format!("[\n{}\n{end}]", parts.join("\n"))
        }
        J::Object(map) if map.is_empty() => "{}".to_owned(),
        J::Object(map) => {
            let width = map
                .keys()
                .map(|k| hcl_string(k).chars().count())
                .max()
                .unwrap_or(0);
            let parts: Vec<String> = map
                .iter()
                .map(|(k, val)| {
                    let key = hcl_string(k);
                    let gap = " ".repeat(width - key.chars().count());
                    format!("{pad}{key}{gap} = {}", hcl_value(val, indent + 2))
                })
                .collect();
            format!("{{\n{}\n{end}}}", parts.join("\n"))
        }
    }
}

/// A YAML double-quoted scalar, which is also a JSON string. JSON's escaping alone is not enough:
/// YAML parsers reject non-printable characters (DEL, C1 controls, U+FFFE) even inside quotes, and
/// fold NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR into spaces as if they were line breaks.
pub fn yaml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if !yaml_printable(c) || is_line_break(c) => {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
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

/// Any JSON value as a YAML block at `indent` spaces: the first line continues after a key, the
/// rest are indented. Scalars are quoted so nothing is re-typed (`yes`, `null`, `0x1`).
pub fn yaml_value(v: &serde_json::Value, indent: usize) -> String {
    use serde_json::Value as J;
    let pad = " ".repeat(indent);
    match v {
        J::Null => "null".to_owned(),
        J::Bool(b) => b.to_string(),
        J::Number(n) => n.to_string(),
        J::String(s) => yaml_string(s),
        J::Array(items) if items.is_empty() => "[]".to_owned(),
        J::Object(map) if map.is_empty() => "{}".to_owned(),
        J::Array(items) => {
            let mut out = String::new();
            for item in items {
                out.push('\n');
                out.push_str(&pad);
                out.push_str("- ");
                match item {
                    J::Object(m) if !m.is_empty() => {
                        // The first key shares the dash's line.
                        let body = yaml_value(item, indent + 2);
                        out.push_str(body.trim_start_matches('\n').trim_start());
                    }
                    J::Array(a) if !a.is_empty() => out.push_str(&yaml_value(item, indent + 2)),
                    _ => out.push_str(&yaml_value(item, indent + 2)),
                }
            }
            out
        }
        J::Object(map) => {
            let mut out = String::new();
            for (k, val) in map {
                out.push('\n');
                out.push_str(&pad);
                out.push_str(&yaml_key(k));
                out.push(':');
                let rendered = yaml_value(val, indent + 2);
                if !rendered.starts_with('\n') {
                    out.push(' ');
                }
                out.push_str(&rendered);
            }
            out
        }
    }
}

fn yaml_key(k: &str) -> String {
    let plain = !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ':' | '.'))
        && k.starts_with(|c: char| c.is_ascii_alphabetic())
        && !k.ends_with(':')
        && !k.contains(": ");
    if plain { k.to_owned() } else { yaml_string(k) }
}

/// Text safe inside a `#` comment line: a line break would end the comment and let the rest be
/// code, and a character YAML cannot print would make the whole file unreadable.
pub fn comment_safe(s: &str) -> String {
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
    fn yaml_values_are_quoted() {
        let v = serde_json::json!({"a": ["yes", 1, {"b": "no", "c": []}], "d": {}});
        assert_eq!(
            yaml_value(&v, 0),
            "\na:\n  - \"yes\"\n  - 1\n  - b: \"no\"\n    c: []\nd: {}"
        );
    }
}
