//! The filters templates use to write values into each destination language: HCL and YAML
//! strings and values that always parse and never interpolate, comments that stay on one line,
//! and the identifier helpers of `naming`.

use tera::{ArgFromValue, Kwargs, State, Tera, TeraResult, Value};

use crate::memo;

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
    "cfn_description",
];

/// Tera's built-in filters, for suggestions.
pub(super) const TERA_FILTERS: &[&str] = &[
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

pub(super) fn register_filters(tera: &mut Tera) {
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
    tera.register_filter("cfn_description", |s: &str, _: Kwargs, _: &State| {
        cfn_description(s)
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

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Layout {
    Hcl,
    Yaml,
}

/// `v` laid out by the `hcl` or `yaml` filter. The built-in templates lay out the same few
/// policy documents once per endpoint, and a batch hands equal documents the same template
/// value (see `context`), so each thread remembers layouts by the value's identity: where its
/// items are stored. The remembered entry holds a clone of the value, which keeps it alive, so
/// no other value can be stored there while the layout is remembered.
fn laid_out(v: &Value, indent: usize, layout: Layout) -> Value {
    let render = || {
        Value::from(match layout {
            Layout::Hcl => hcl_value(v, indent),
            Layout::Yaml => yaml_value(v, indent),
        })
    };
    let Some(addr) = identity(v) else {
        return render();
    };
    memo::remember(
        Laid {
            addr,
            indent,
            layout,
        },
        |_| (v.clone(), render()),
    )
    .1
}

/// What a remembered layout is found by.
#[derive(PartialEq, Eq, Hash)]
struct Laid {
    addr: usize,
    indent: usize,
    layout: Layout,
}

/// Where a non-empty list or map keeps its items: the same for every clone of a value, and
/// never for two live values.
fn identity(v: &Value) -> Option<usize> {
    v.as_map()
        .filter(|m| !m.is_empty())
        .map(|m| std::ptr::from_ref(m).addr())
        .or_else(|| {
            v.as_array()
                .filter(|a| !a.is_empty())
                .map(|a| a.as_ptr().addr())
        })
}

/// An HCL quoted string: escapes, and `${` / `%{` doubled so nothing is interpolated.
pub(super) fn hcl_string(s: &str) -> String {
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
pub(super) fn hcl_value(v: &Value, indent: usize) -> String {
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
pub(super) fn yaml_string(s: &str) -> String {
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
pub(super) fn yaml_value(v: &Value, indent: usize) -> String {
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

/// Plain words that a YAML reader takes for something other than text: booleans and null in
/// YAML 1.1 (which CloudFormation's reader follows) and 1.2.
pub(crate) fn yaml_reads_as_non_text(word: &str) -> bool {
    matches!(
        word,
        "y" | "Y"
            | "yes"
            | "Yes"
            | "YES"
            | "n"
            | "N"
            | "no"
            | "No"
            | "NO"
            | "true"
            | "True"
            | "TRUE"
            | "false"
            | "False"
            | "FALSE"
            | "on"
            | "On"
            | "ON"
            | "off"
            | "Off"
            | "OFF"
            | "null"
            | "Null"
            | "NULL"
            | "~"
    )
}

fn push_yaml_key(k: &str, out: &mut String) {
    let plain = k.starts_with(|c: char| c.is_ascii_alphabetic())
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b':' | b'.'))
        && !k.ends_with(':')
        && !k.contains(": ")
        && !yaml_reads_as_non_text(k);
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
/// The most a CloudFormation template's `Description` may hold, in bytes.
const CFN_DESCRIPTION_BYTES: usize = 1024;

/// `s` as a CloudFormation `Description`, which CloudFormation refuses past 1,024 bytes: cut on a
/// character boundary and ended with `…` when longer. Long paths make the built-in one long; the
/// whole regenerate command is also in the header comment and in `Metadata`.
pub(super) fn cfn_description(s: &str) -> String {
    if s.len() <= CFN_DESCRIPTION_BYTES {
        return s.to_owned();
    }
    const ELLIPSIS: &str = "…";
    let mut end = CFN_DESCRIPTION_BYTES - ELLIPSIS.len();
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{ELLIPSIS}", &s[..end])
}

pub(super) fn comment_safe(s: &str) -> String {
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
    fn cfn_descriptions_fit_in_1024_bytes() {
        assert_eq!(cfn_description("short"), "short");
        let exact = "x".repeat(1024);
        assert_eq!(cfn_description(&exact), exact);
        for long in [
            "y".repeat(5000),
            "é".repeat(700),
            format!("a{}", "€".repeat(600)),
        ] {
            let cut = cfn_description(&long);
            assert!(cut.len() <= 1024 && cut.len() > 1015, "{}", cut.len());
            assert!(cut.ends_with('…'));
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
    fn yaml_keys_a_reader_would_take_for_booleans_or_null_are_quoted() {
        for k in [
            "Null", "NULL", "null", "true", "TRUE", "False", "yes", "Yes", "on", "On", "off",
            "OFF", "no", "y", "n", "Y", "N", "~",
        ] {
            let mut out = String::new();
            push_yaml_key(k, &mut out);
            assert_eq!(out, format!("\"{k}\""), "{k}");
        }
        for k in [
            "StringEquals",
            "aws:PrincipalOrgID",
            "Nullable",
            "yesterday",
        ] {
            let mut out = String::new();
            push_yaml_key(k, &mut out);
            assert_eq!(out, k);
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
