//! serde_yaml's messages turned into diagnostics in the house voice: what is wrong in the
//! user's words (a list, a mapping, `maybe`), where, and a help line that names the fix.

use super::locate;
use crate::error::{Diagnostic, suggest};
use crate::source::SpecFile;

/// ` at line L column C` at the start of `text`: the position and the length of the phrase.
fn position(text: &str) -> Option<((usize, usize), usize)> {
    let rest = text.strip_prefix(" at line ")?;
    let digits = |s: &str| s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let line_len = digits(rest);
    let line = rest[..line_len].parse().ok()?;
    let after = rest[line_len..].strip_prefix(" column ")?;
    let col_len = digits(after);
    let col = after[..col_len].parse().ok()?;
    Some(((line, col), text.len() - after.len() + col_len))
}

/// serde_yaml appends ` at line L column C` to the problem and to any `, while ...` context;
/// positions are reported on their own, so drop them from the text.
pub(super) fn strip_location(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(" at line ") {
        out.push_str(&rest[..at]);
        match position(&rest[at..]) {
            Some((_, len)) => rest = &rest[at + len..],
            None => {
                out.push_str(" at line ");
                rest = &rest[at + " at line ".len()..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Byte offset of the position named in the `, while ...` context of a parser message.
pub(super) fn context_offset(text: &str, message: &str) -> Option<usize> {
    let context = &message[message.find(", while ")?..];
    let ((line, col), _) = position(&context[context.find(" at line ")?..])?;
    let start = text
        .split_inclusive('\n')
        .take(line.checked_sub(1)?)
        .map(str::len)
        .sum::<usize>();
    let line_text = text.get(start..)?.lines().next().unwrap_or("");
    let within: usize = line_text
        .chars()
        .take(col.checked_sub(1)?)
        .map(char::len_utf8)
        .sum();
    Some(start + within)
}

pub(super) fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let rest = &s[s.find(start)? + start.len()..];
    Some(&rest[..rest.find(end)?])
}

fn expected_names(message: &str) -> Vec<String> {
    let Some((_, rest)) = message.split_once("expected ") else {
        return Vec::new();
    };
    rest.split('`')
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, s)| s.to_owned())
        .collect()
}

/// The last key of a path, without list indices: `endpoints[2].policy` -> `policy`.
fn last_key(path: &str) -> &str {
    let key = path.rsplit('.').next().unwrap_or(path);
    key.split('[').next().unwrap_or(key)
}

/// A plain-YAML value's kind, as serde would name it.
pub(super) fn kind_of(v: &serde_yaml::Value) -> String {
    use serde_yaml::Value as Y;
    match v {
        Y::Null => "unit value".to_owned(),
        Y::Bool(b) => format!("boolean `{b}`"),
        Y::Number(n) => format!("integer `{n}`"),
        Y::String(s) => format!("string {s:?}"),
        Y::Sequence(_) => "sequence".to_owned(),
        Y::Mapping(_) => "map".to_owned(),
        Y::Tagged(_) => "a tagged value".to_owned(),
    }
}

/// serde's description of what it found, in the user's words: `maybe`, a list, a mapping.
pub(super) fn found(unexpected: &str) -> String {
    for prefix in ["boolean ", "integer ", "floating point ", "char "] {
        if let Some(v) = unexpected.strip_prefix(prefix) {
            return v.to_owned();
        }
    }
    if let Some(v) = unexpected.strip_prefix("string ") {
        let inner = v.strip_prefix('"').and_then(|v| v.strip_suffix('"'));
        return format!("`{}`", inner.unwrap_or(v));
    }
    match unexpected {
        "unit value" => "an empty value".to_owned(),
        "sequence" => "a list".to_owned(),
        "map" => "a mapping".to_owned(),
        other => other.to_owned(),
    }
}

/// serde's description of what it wanted, in the user's words.
fn expected(wanted: &str) -> String {
    match wanted {
        "a sequence" => "a list".to_owned(),
        "a map" => "a mapping".to_owned(),
        w if w.starts_with("struct ") => "a mapping".to_owned(),
        "a string" => "text".to_owned(),
        "u8" => "a whole number from 0 to 255".to_owned(),
        "u16" | "u32" | "u64" | "i32" | "i64" => "a whole number".to_owned(),
        "f32" | "f64" => "a number".to_owned(),
        other => other.to_owned(),
    }
}

pub(super) fn diagnose(
    file: &SpecFile,
    path: &str,
    message: &str,
    at: Option<usize>,
) -> Diagnostic {
    let mut d = if let Some(field) = between(message, "unknown field `", "`") {
        unknown_key(path, field, message)
    } else if let Some(field) = between(message, "missing field `", "`") {
        Diagnostic::new(
            path,
            &format!("missing required key `{field}`"),
            &missing_help(field),
        )
    } else if let Some(field) = between(message, "duplicate field `", "`")
        .or_else(|| between(message, "duplicate entry with key \"", "\""))
    {
        let mut d = Diagnostic::new(
            path,
            &format!("key `{field}` appears twice"),
            "keep one of the two",
        );
        if let Some((dup_path, first, second)) = locate::first_duplicate(&file.text) {
            let (line, _) = crate::error::line_col(&file.text, first.0);
            d.help = format!("keep one of the two; the first is on line {line}");
            d.path = dup_path;
            d.span = Some(second);
        }
        d
    } else if let Some(value) = between(message, "unknown variant `", "`") {
        let names = expected_names(message);
        let help = match suggest(value, names.iter().map(String::as_str)) {
            Some(best) => format!("did you mean `{best}`?"),
            None => format!("use one of: {}", names.join(", ")),
        };
        let list = names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ");
        Diagnostic::new(
            path,
            &format!("unknown value `{value}`; expected one of {list}"),
            &help,
        )
    } else if let Some(rest) = message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "))
    {
        wrong_type(path, rest)
    } else {
        syntax(file, path, message, at)
    };
    if d.span.is_none() {
        d.fallback = at;
    }
    d
}

fn unknown_key(path: &str, field: &str, message: &str) -> Diagnostic {
    let key_path = if path.is_empty() {
        field.to_owned()
    } else {
        format!("{path}.{field}")
    };
    let names = expected_names(message);
    let mut help = if names.is_empty() {
        "remove the key".to_owned()
    } else {
        format!("allowed keys here: {}", names.join(", "))
    };
    if let Some(best) = suggest(field, names.iter().map(String::as_str)) {
        help = format!("did you mean `{best}`? {help}");
    }
    Diagnostic::new(&key_path, &format!("unknown key `{field}`"), &help).at_key()
}

fn missing_help(field: &str) -> String {
    match field {
        "name" => "add `name:` at the top level, e.g. `name: payments-prod` (lowercase letters, digits and hyphens)".to_owned(),
        "region" => "add `region:` at the top level, e.g. `region: us-east-1`".to_owned(),
        "vpc" => "add `vpc:` with the VPC's `cidr`, `subnets` and `route_tables`, or `create: true` and a `cidr` for a new VPC".to_owned(),
        "endpoints" => "add `endpoints:` with the services to reach, one per line, e.g. `- s3`".to_owned(),
        "id" | "az" => "each subnet needs `id` and `az`, e.g. `{ id: subnet-0123456789abcdef0, az: us-east-1a }`".to_owned(),
        other => format!("add `{other}:`; `vpcgen init` writes a complete example"),
    }
}

fn wrong_type(path: &str, rest: &str) -> Diagnostic {
    let (got, wanted) = rest.split_once(", expected ").unwrap_or((rest, ""));
    let got = found(got);
    let key = last_key(path);
    let wanted = if key.ends_with("_prefix") {
        "a prefix length such as `20`".to_owned()
    } else {
        expected(wanted)
    };
    let in_list = path.ends_with(']');
    let scalar = got.starts_with('`');
    let help = if wanted == "a boolean" {
        "write `true` or `false`, without quotes".to_owned()
    } else if wanted == "a list" && key == "endpoints" {
        "write one service per line, each starting with `- `, e.g. `- s3`".to_owned()
    } else if wanted == "a list" {
        "write a list: one `- item` per line, or `[a, b]` on one line".to_owned()
    } else if wanted == "a mapping" && key == "vpc" && !in_list {
        let value = got.trim_matches('`');
        let cidr = if value.contains('/') {
            value
        } else {
            "10.0.0.0/16"
        };
        format!("write the VPC's keys on the lines below `vpc:`, indented, e.g. `cidr: {cidr}`")
    } else if wanted == "a mapping" && key == "tags" {
        "write one `key: value` per tag on the lines below `tags:`, e.g. `team: payments`"
            .to_owned()
    } else if wanted == "a mapping" && key == "subnets" {
        "write each subnet as `- { id: subnet-0123456789abcdef0, az: us-east-1a }`".to_owned()
    } else if wanted == "a mapping" {
        format!("write `key: value` pairs on the lines below `{key}:`, indented")
    } else if wanted == "text" && scalar {
        format!("put the value in quotes: `\"{}\"`", got.trim_matches('`'))
    } else if wanted == "text" {
        "write a single value on the same line as the key".to_owned()
    } else if key.ends_with("_prefix") {
        "write a prefix length from 16 to 28 without the slash; vpcgen chooses one when the key is absent".to_owned()
    } else if wanted.starts_with("a whole number") || wanted == "a number" {
        "write a number without quotes, e.g. `100`".to_owned()
    } else if wanted.starts_with("a tag value") {
        format!(
            "a tag holds one value: write it on the line of `{key}:`, or use one tag per value (e.g. `{key}-email: ...`)"
        )
    } else if wanted.ends_with("a policy document") {
        "a policy document is a mapping: write `Version: \"2012-10-17\"` and `Statement:` under `policy:`, and list the statements under `Statement:`".to_owned()
    } else if wanted.starts_with("a service key") {
        "write a catalogue key (`- s3`) or a mapping (`- service: logs`); `vpcgen services` lists the keys".to_owned()
    } else if wanted.starts_with("a number of AZs") {
        "write a count, e.g. `azs: 3`, or AZ names, e.g. `azs: [us-east-1a, us-east-1b]`".to_owned()
    } else if let Some(first) = expected_names(&format!("expected {wanted}")).first() {
        format!("write one value on the line of `{key}:`, e.g. `{key}: {first}`")
    } else {
        "see the spec reference in README.md".to_owned()
    };
    Diagnostic::new(path, &format!("expected {wanted}, found {got}"), &help)
}

/// Where nesting passes a depth no spec needs: `[` and `{` opened and not closed, or block
/// list items started on one line (`- - - x`). The YAML scanner's cost grows with the square of
/// the nesting, so thousands of levels would stall it for minutes and gigabytes before it
/// reached its own limit; this finds them in one pass. Quotes and comments are skipped roughly,
/// which is enough for a limit this far above real specs.
pub(super) fn too_deep(text: &str) -> Option<usize> {
    const LIMIT: usize = 100;
    let mut depth = 0usize;
    // List items opened so far on this line, while it holds nothing else.
    let mut dashes = 0usize;
    let mut compact = true;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut comment = false;
    let mut prev = '\n';
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '\n' {
            dashes = 0;
            compact = true;
        }
        if comment {
            comment = c != '\n';
        } else if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if q == '"' && c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
        } else {
            let item = c == '-'
                && compact
                && chars
                    .peek()
                    .is_none_or(|(_, next)| matches!(next, ' ' | '\t' | '\n' | '\r'));
            if item {
                dashes += 1;
                if dashes > LIMIT {
                    return Some(i);
                }
            } else if !matches!(c, ' ' | '\t' | '\n' | '\r') {
                compact = false;
            }
            match c {
                '#' if prev.is_whitespace() => comment = true,
                '"' | '\'' if !prev.is_alphanumeric() => quote = Some(c),
                '[' | '{' => {
                    depth += 1;
                    if depth > LIMIT {
                        return Some(i);
                    }
                }
                ']' | '}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        prev = c;
    }
    None
}

/// The first character YAML does not allow in a file (its `c-printable` set excludes control
/// characters other than tab and line breaks), with its byte offset. A byte order mark at the
/// very start is allowed.
pub(super) fn first_unprintable(text: &str) -> Option<(usize, char)> {
    let body = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let skip = text.len() - body.len();
    body.char_indices()
        .find(|(_, c)| {
            !matches!(c, '\t' | '\n' | '\r' | ' '..='~' | '\u{85}' | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
        })
        .map(|(i, c)| (i + skip, c))
}

/// The `---` line that starts a second document: after some content, or after a first `---`.
fn second_document(text: &str) -> Option<(usize, usize)> {
    let mut at = 0;
    let mut started = false;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed.starts_with("--- ") {
            if started {
                return Some((at, at + 3));
            }
            started = true;
        } else if !trimmed.is_empty() && !trimmed.starts_with('#') {
            started = true;
        }
        at += line.len();
    }
    None
}

/// A key indented deeper than the plain value on the line above reads, to YAML, as more of that
/// value, and the parser only complains at the key's `:`. Name the two lines instead.
fn indented_too_deep(text: &str, at: usize) -> Option<Diagnostic> {
    let start = text.get(..at)?.rfind('\n').map_or(0, |i| i + 1);
    let line = text[start..].lines().next()?;
    let before: Vec<&str> = text[..start]
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .collect();
    let above = before.last()?;
    let indent = |l: &str| l.len() - l.trim_start_matches(' ').len();
    // The key of a `key: value` line and its column, past any `- ` list markers.
    let key_of = |l: &str| -> Option<(String, usize)> {
        let mut body = l.trim_start_matches(' ');
        while let Some(rest) = body.strip_prefix('-').filter(|r| r.starts_with(' ')) {
            body = rest.trim_start_matches(' ');
        }
        let (key, value) = body.split_once(':')?;
        let column = l.len() - body.len();
        (!value.trim().is_empty()).then(|| (key.trim().to_owned(), column))
    };
    let (above_key, column) = key_of(above)?;
    if indent(line) <= column {
        return None;
    }
    let key = line.trim_start().split(':').next()?.trim();
    let key_start = start + indent(line);
    let mut d = Diagnostic::new(
        "",
        &format!("`{key}` is indented deeper than `{above_key}` on the line above"),
        &format!(
            "indent `{key}` with {column} spaces, like `{above_key}`; YAML reads a deeper line as more of the value above"
        ),
    );
    d.span = Some((key_start, key_start + key.len()));
    Some(d)
}

fn syntax(file: &SpecFile, path: &str, message: &str, at: Option<usize>) -> Diagnostic {
    let ch = at
        .and_then(|i| file.text.get(i..))
        .and_then(|t| t.chars().next());
    let quote_help = "quote values that start with `@`, `` ` ``, `%`, `!`, `&`, `*`, `{`, `[` or `#`, or contain `: `";
    let (msg, help): (String, String) = if message
        .starts_with("found character that cannot start any token")
    {
        match ch {
            Some('\t') => (
                "a tab character in the indentation".to_owned(),
                "YAML indents with spaces only: replace the tab with spaces".to_owned(),
            ),
            Some(c) => (
                format!("a value cannot start with `{c}`"),
                format!("put the value in quotes; {quote_help}"),
            ),
            None => (message.to_owned(), quote_help.to_owned()),
        }
    } else if message.starts_with("mapping values are not allowed") {
        if let Some(d) = at.and_then(|at| indented_too_deep(&file.text, at)) {
            return d;
        }
        (
            "unexpected `:`".to_owned(),
            "indent this key like the keys of its mapping above, or quote a value that contains `: `".to_owned(),
        )
    } else if message.starts_with("found unexpected end of stream")
        && message.contains("quoted scalar")
    {
        (
            "a quoted value is never closed".to_owned(),
            "add the closing quote at the end of the value".to_owned(),
        )
    } else if message.contains("did not find expected ',' or ']'") {
        (
            "a `[` list is not closed".to_owned(),
            "close it with `]`, with `, ` between the items".to_owned(),
        )
    } else if message.contains("did not find expected ',' or '}'") {
        (
            "a `{` mapping is not closed".to_owned(),
            "close it with `}`, with `, ` between the `key: value` pairs".to_owned(),
        )
    } else if message.starts_with("did not find expected '-' indicator") {
        (
            "this line does not continue the list above it".to_owned(),
            "start each list item with `- `, all at the same indentation".to_owned(),
        )
    } else if message.starts_with("did not find expected key")
        || message.starts_with("block sequence entries are not allowed")
    {
        (
            "this line does not fit the indentation of the lines around it".to_owned(),
            "indent the keys of one mapping to the same column, with spaces".to_owned(),
        )
    } else if message.starts_with("unknown anchor") {
        let name: String = at
            .and_then(|i| file.text.get(i..))
            .map(|t| {
                t.chars()
                    .skip(1)
                    .take_while(|c| !c.is_whitespace() && !",]}".contains(*c))
                    .collect()
            })
            .unwrap_or_default();
        (
            format!("alias `*{name}` refers to no anchor"),
            format!("define `&{name}` on a value before this line, or write the value out"),
        )
    } else if message.contains("more than one document") {
        let mut d = Diagnostic::new(
            path,
            "the file holds more than one YAML document",
            "keep one spec per file: remove this `---` line and move what follows into another file",
        );
        d.span = second_document(&file.text);
        return d;
    } else if message.starts_with("recursion limit exceeded") {
        (
            "the YAML is nested too deeply".to_owned(),
            "a spec needs only a few levels of nesting; check the indentation".to_owned(),
        )
    } else if message.starts_with("repetition limit exceeded") {
        (
            "the YAML expands aliases too many times".to_owned(),
            "write the values out instead of repeating `*aliases`".to_owned(),
        )
    } else {
        (
            message.to_owned(),
            format!("fix the YAML syntax here: indent with spaces, and {quote_help}"),
        )
    };
    Diagnostic::new(path, &msg, &help)
}
