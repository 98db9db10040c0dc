//! Rendered text made reproducible: LF line endings, no trailing white space, at most one blank
//! line in a row and none at the end, and, for Terraform, assignments aligned as `terraform fmt`
//! aligns them.

/// Where each line of `text` starts and ends (its line break excluded), as `split('\n')` would
/// cut it, the piece after the last line break included.
fn line_spans(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let bytes = text.as_bytes();
    let mut start = Some(0);
    std::iter::from_fn(move || {
        let from = start?;
        let end = line_end(bytes, from);
        start = (end < bytes.len()).then_some(end + 1);
        Some((from, end))
    })
}

/// The line rules `normalise` and `normalise_hcl` share: a line loses its trailing white space,
/// blank lines before the first kept line are dropped, and of a run of blank lines only the
/// first is kept.
#[derive(Default)]
struct LineRules {
    blank_run: usize,
    /// Whether a line has been kept yet.
    any: bool,
}

impl LineRules {
    /// The next line, `raw` without its line break: what is left of it, and whether it is kept.
    fn take<'a>(&mut self, raw: &'a str) -> (&'a str, bool) {
        // Most lines end in a visible ASCII character and need no trimming. `trim_end` also
        // drops the `\r` of a CRLF line ending.
        let line = match raw.as_bytes().last() {
            Some(b) if b.is_ascii_graphic() => raw,
            _ => raw.trim_end(),
        };
        let keep = if line.is_empty() {
            self.blank_run += 1;
            self.blank_run == 1 && self.any
        } else {
            self.blank_run = 0;
            true
        };
        self.any |= keep;
        (line, keep)
    }
}

/// Drops the blank lines kept at the end of `out`, which leaves one final line break.
fn drop_final_blank_lines(out: &mut String) {
    while out.ends_with("\n\n") {
        out.pop();
    }
}

/// LF endings, no trailing spaces, no leading blank lines, one blank line at most between
/// paragraphs, and exactly one final newline.
pub(super) fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rules = LineRules::default();
    // Lines that stay as they are are not copied one by one: they wait in the input, from
    // `verbatim` on, until a line that changes (trimmed or dropped) comes, and go in one piece.
    let mut verbatim = 0;
    for (line_start, end) in line_spans(text) {
        let raw = &text[line_start..end];
        let (line, keep) = rules.take(raw);
        // The last piece has no line break of its own to keep, so it always takes this path.
        if keep && line.len() == raw.len() && end < text.len() {
            continue;
        }
        out.push_str(&text[verbatim..line_start]);
        verbatim = (end + 1).min(text.len());
        if keep {
            out.push_str(line);
            out.push('\n');
        }
    }
    drop_final_blank_lines(&mut out);
    if out.trim().is_empty() {
        return String::new();
    }
    out
}

/// The first `=` outside strings, at byte `i` of `line`: `Some(i)` when it assigns to a key, `None`
/// when the line is no assignment (a comparison or arrow, or nothing before it).
fn assignment_sign(line: &str, i: usize) -> Option<usize> {
    let bytes = line.as_bytes();
    let next = bytes.get(i + 1).copied();
    let prev = if i > 0 { bytes[i - 1] } else { b' ' };
    let operator =
        next == Some(b'=') || next == Some(b'>') || matches!(prev, b'!' | b'<' | b'>' | b'=');
    (!operator && !is_blank(&line[..i])).then_some(i)
}

/// `s.trim().is_empty()`, deciding at the first visible ASCII character.
fn is_blank(s: &str) -> bool {
    match s.bytes().find(|b| !b.is_ascii_whitespace()) {
        None => true,
        Some(b) if b == 0x0b || !b.is_ascii() => s.trim().is_empty(),
        Some(_) => false,
    }
}

/// `s.trim_end()`, with the common case of ASCII at the end decided a byte at a time: the
/// general trim decodes characters and asks each whether it is Unicode white space, and the
/// aligner trims twice per line.
fn trim_end_of(s: &str) -> &str {
    let bytes = s.as_bytes();
    let mut end = bytes.len();
    while end > 0 && bytes[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    // `is_ascii_whitespace` leaves out the vertical tab, which Unicode counts as white space,
    // and a non-ASCII character may be white space too: those take the general trim.
    match bytes[..end].last() {
        Some(&b) if b == 0x0b || !b.is_ascii() => s.trim_end(),
        _ => &s[..end],
    }
}

/// `s.trim_start()`, with the common case decided as in `trim_end_of`.
fn trim_start_of(s: &str) -> &str {
    let bytes = s.as_bytes();
    let mut start = 0;
    while start < bytes.len() && bytes[start].is_ascii_whitespace() {
        start += 1;
    }
    match bytes.get(start) {
        Some(&b) if b == 0x0b || !b.is_ascii() => s.trim_start(),
        _ => &s[start..],
    }
}

/// The line of `text` that starts at byte `start`: where it ends (its line break, or the end of
/// the text), and where its assignment sign is if it is a single-line assignment: the first `=`
/// outside strings, after a key, with the brackets of the value balanced. This mirrors how
/// `terraform fmt` decides which lines to align. The line's end is found in the same pass, not by
/// a search of its own: rendered lines are short, and each search has a cost to start.
fn scan_line(text: &str, start: usize) -> (usize, Option<usize>) {
    let bytes = text.as_bytes();
    let mut eq = None;
    let mut depth: i32 = 0;
    let mut i = start;
    loop {
        i = code_stop(bytes, i);
        let Some(&b) = bytes.get(i) else { break };
        match b {
            b'\n' => break,
            b'"' => {
                // To the closing quote, stepping over escaped characters; a string left open
                // ends with its line.
                i = string_stop(bytes, i + 1);
                while bytes.get(i) == Some(&b'\\') && bytes.get(i + 1) != Some(&b'\n') {
                    i = string_stop(bytes, i + 2);
                }
                match bytes.get(i) {
                    None | Some(b'\n') => break,
                    // A backslash before the line break escapes nothing: the line ends.
                    Some(b'\\') => {
                        i += 1;
                        break;
                    }
                    _ => {}
                }
            }
            // A line that turns out to be no assignment is only searched for its end.
            b'#' if eq.is_none() => return (line_end(bytes, i), None),
            b'(' | b'[' | b'{' if eq.is_some() => depth += 1,
            b')' | b']' | b'}' if eq.is_some() => depth -= 1,
            b'=' if eq.is_none() => match assignment_sign(&text[start..], i - start) {
                Some(_) => eq = Some(i),
                None => return (line_end(bytes, i), None),
            },
            _ => {}
        }
        i += 1;
    }
    (i, if depth == 0 { eq } else { None })
}

/// Where the first line break at or after `from` is, or the end of the text.
fn line_end(bytes: &[u8], from: usize) -> usize {
    bytes
        .get(from..)
        .and_then(|rest| memchr::memchr(b'\n', rest))
        .map_or(bytes.len(), |n| from + n)
}

/// Where the first quote, backslash or line break at or after `from` is: what ends a step
/// through a quoted string.
fn string_stop(bytes: &[u8], from: usize) -> usize {
    bytes
        .get(from..)
        .and_then(|rest| memchr::memchr3(b'"', b'\\', b'\n', rest))
        .map_or(bytes.len(), |n| from + n)
}

/// The bytes the aligner looks at outside strings, as a table.
const CODE: [bool; 256] = {
    let mut table = [false; 256];
    let wanted = b"\"#=()[]{}\n";
    let mut i = 0;
    while i < wanted.len() {
        table[wanted[i] as usize] = true;
        i += 1;
    }
    table
};

/// Where the first byte of `CODE` at or after `from` is, or the end of the text.
fn code_stop(bytes: &[u8], from: usize) -> usize {
    bytes
        .get(from..)
        .and_then(|rest| rest.iter().position(|&b| CODE[usize::from(b)]))
        .map_or(bytes.len(), |n| from + n)
}

/// `normalise`, and the `=` of consecutive single-line assignments aligned as `terraform fmt`
/// aligns them: what every `.tf` file gets. One pass does both, since the aligner's scan finds
/// each line's end anyway.
pub(super) fn normalise_hcl(text: &str) -> String {
    // Built in one buffer rather than a string per line: a Terraform output has thousands.
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    // Each assignment of the current run: its key, how wide the key looks, and its value.
    let mut run: Vec<(&str, usize, &str)> = Vec::new();
    const SPACES: &str = "                                                                ";
    let flush = |run: &mut Vec<(&str, usize, &str)>, out: &mut String| {
        let widest = run.iter().map(|&(_, w, _)| w).max().unwrap_or(0);
        for (key, width, value) in run.drain(..) {
            out.push_str(key);
            let mut pad = widest - width;
            while pad > 0 {
                let n = pad.min(SPACES.len());
                out.push_str(&SPACES[..n]);
                pad -= n;
            }
            out.push_str(" = ");
            out.push_str(value);
            out.push('\n');
        }
    };
    let mut rules = LineRules::default();
    let mut start = 0;
    loop {
        // Trailing white space never decides an assignment: no white space character is one
        // of the bytes the scan looks at.
        let (end, eq) = scan_line(text, start);
        let (line, keep) = rules.take(&text[start..end]);
        if line.is_empty() {
            flush(&mut run, &mut out);
            if keep {
                out.push('\n');
            }
        } else {
            match eq {
                Some(eq) => {
                    let eq = eq - start;
                    let key = trim_end_of(&line[..eq]);
                    // Characters, not bytes: `terraform fmt` aligns non-ASCII keys by what is
                    // seen.
                    let width = if key.is_ascii() {
                        key.len()
                    } else {
                        key.chars().count()
                    };
                    run.push((key, width, trim_start_of(&line[eq + 1..])));
                }
                None => {
                    flush(&mut run, &mut out);
                    out.push_str(line);
                    out.push('\n');
                }
            }
        }
        if end == text.len() {
            break;
        }
        start = end + 1;
    }
    flush(&mut run, &mut out);
    drop_final_blank_lines(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_like_terraform_fmt() {
        let text = "resource \"x\" \"y\" {\n  a = 1\n  long_name = \"a = b\"\n  tags = merge(local.tags, {\n    Name = \"n\"\n  })\n  for_each = { for k, v in m : k => v }\n}\n";
        let want = "resource \"x\" \"y\" {\n  a         = 1\n  long_name = \"a = b\"\n  tags = merge(local.tags, {\n    Name = \"n\"\n  })\n  for_each = { for k, v in m : k => v }\n}\n";
        assert_eq!(normalise_hcl(text), want);
    }

    #[test]
    fn pads_past_any_run_of_spaces() {
        let long = "k".repeat(150);
        let text = format!("  a = 1\n  {long} = 2\n");
        let want = format!("  a{} = 1\n  {long} = 2\n", " ".repeat(149));
        assert_eq!(normalise_hcl(&text), want);
    }

    #[test]
    fn aligns_non_ascii_keys_by_characters() {
        let text = "  \"é\" = 1\n  \"ab\" = 2\n";
        assert_eq!(normalise_hcl(text), "  \"é\"  = 1\n  \"ab\" = 2\n");
    }

    /// The assignment rule, one byte at a time.
    fn assignment_bytewise(line: &str) -> Option<usize> {
        let bytes = line.as_bytes();
        let mut in_string = false;
        let mut escaped = false;
        let mut eq = None;
        let mut depth: i32 = 0;
        for (i, &b) in bytes.iter().enumerate() {
            if in_string {
                match (escaped, b) {
                    (true, _) => escaped = false,
                    (false, b'\\') => escaped = true,
                    (false, b'"') => in_string = false,
                    _ => {}
                }
                continue;
            }
            match b {
                b'"' => in_string = true,
                b'#' if eq.is_none() => return None,
                b'(' | b'[' | b'{' if eq.is_some() => depth += 1,
                b')' | b']' | b'}' if eq.is_some() => depth -= 1,
                b'=' if eq.is_none() => eq = Some(assignment_sign(line, i)?),
                _ => {}
            }
        }
        if depth == 0 { eq } else { None }
    }

    proptest::proptest! {
        // Short texts of mostly special characters, many of them: the cases that matter
        // (escaped quotes, brackets after `=`, comparison operators, a string or an escape left
        // open at a line break) are a few bytes long.
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]
        #[test]
        fn lines_and_assignments_are_found_as_byte_by_byte(text in "[a =\"\\\\{}()\\[\\]#!<>\u{e9}\u{a0}\u{b}\\t\\n]{0,40}") {
            let mut start = 0;
            for line in text.split('\n') {
                let want = (start + line.len(), assignment_bytewise(line).map(|eq| start + eq));
                proptest::prop_assert_eq!(scan_line(&text, start), want);
                start += line.len() + 1;
            }
        }
    }

    proptest::proptest! {
        // Long enough for the vectorised searches' blocks and a tail, searched from anywhere:
        // a wanted byte at each position of a block, in the tail, or nowhere.
        #[test]
        fn searches_agree_with_a_plain_search(
            bytes in proptest::collection::vec(proptest::sample::select(vec![b'a', b'=', b'\n', b'"', b'}', 0xe9]), 0..80),
            from in 0usize..90,
        ) {
            let want = |set: &[u8]| bytes.iter().enumerate().skip(from).find(|(_, b)| set.contains(b)).map_or(bytes.len(), |(i, _)| i);
            proptest::prop_assert_eq!(line_end(&bytes, from), want(b"\n"));
            proptest::prop_assert_eq!(string_stop(&bytes, from), want(b"\"\\\n"));
            proptest::prop_assert_eq!(code_stop(&bytes, from), want(b"\"#=()[]{}\n"));
        }
    }

    proptest::proptest! {
        // White space of every kind, ASCII and not, around a visible character or none.
        #[test]
        fn quick_trims_agree_with_the_standard_ones(s in "[a \\t\\r\\n\u{b}\u{c}\u{a0}\u{2003}]{0,8}") {
            proptest::prop_assert_eq!(trim_end_of(&s), s.trim_end());
            proptest::prop_assert_eq!(trim_start_of(&s), s.trim_start());
            proptest::prop_assert_eq!(is_blank(&s), s.trim().is_empty());
        }
    }

    /// The alignment rule, one string per line, without the single buffer.
    fn align_hcl_line_by_line(text: &str) -> String {
        let mut out: Vec<String> = Vec::new();
        let mut run: Vec<(usize, usize)> = Vec::new();
        let flush = |run: &mut Vec<(usize, usize)>, out: &mut Vec<String>| {
            let width = run
                .iter()
                .map(|(idx, eq)| out[*idx][..*eq].trim_end().chars().count())
                .max()
                .unwrap_or(0);
            for (idx, eq) in run.drain(..) {
                let key = out[idx][..eq].trim_end().to_owned();
                let value = out[idx][eq + 1..].trim_start().to_owned();
                out[idx] = format!("{key:width$} = {value}");
            }
        };
        for line in text.split('\n') {
            out.push(line.to_owned());
            match assignment_bytewise(line) {
                Some(eq) => run.push((out.len() - 1, eq)),
                None => flush(&mut run, &mut out),
            }
        }
        flush(&mut run, &mut out);
        out.join("\n")
    }

    /// What `normalise_hcl` does in one pass, in two: normalised, then aligned.
    fn normalise_hcl_in_two_passes(text: &str) -> String {
        align_hcl_line_by_line(&normalise_line_by_line(text))
    }

    proptest::proptest! {
        // Short texts, many of them: runs of two or three assignments with odd spacing, white
        // space of every kind at line ends, blank lines.
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]
        #[test]
        fn aligning_matches_the_line_by_line_rule(text in "[ab =\"\\\\{}()#!\\t\\r\\n\u{e9}\u{a0}\u{b}\u{2003}]{0,24}") {
            proptest::prop_assert_eq!(normalise_hcl(&text), normalise_hcl_in_two_passes(&text));
        }

        // Texts shaped like HCL: runs of assignments whose keys, padding and values vary, some
        // aligned already and some not, with white space at line ends, between other lines and
        // blank ones.
        #[test]
        fn aligning_hcl_shaped_text_matches_the_line_by_line_rule(
            lines in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Strategy::prop_map(
                        ("[ \t]{0,2}", "[a-z\u{e9}\"]{1,5}", "[ \t]{0,3}", "[ \t]{0,2}", "[a-z\"\\\\{}()=#]{0,6}", "[ \t\r\u{a0}]{0,2}"),|(indent, key, before, after, value, trailing)| {
                            format!("{indent}{key}{before}={after}{value}{trailing}")
                        },
                    ),
                    "[a-z #{}]{0,6}",
                    "[ \t\r]{0,2}",
                ],
                0..8,
            ),
            last_break in proptest::bool::ANY,
        ) {
            let mut text = lines.join("\n");
            if last_break {
                text.push('\n');
            }
            proptest::prop_assert_eq!(normalise_hcl(&text), normalise_hcl_in_two_passes(&text));
        }
    }

    #[test]
    fn normalises_whitespace() {
        assert_eq!(normalise("\n\na  \r\n\n\n\nb\n\n"), "a\n\nb\n");
        assert_eq!(normalise("a\nb"), "a\nb\n");
        assert_eq!(normalise(" \n\t\n"), "");
    }

    /// The rule `normalise` implements, line by line, without its shortcuts.
    fn normalise_line_by_line(text: &str) -> String {
        let mut out = String::new();
        let mut blank_run = 0;
        for line in text.split('\n') {
            let line = line.trim_end();
            if line.is_empty() {
                blank_run += 1;
                if blank_run > 1 || out.is_empty() {
                    continue;
                }
            } else {
                blank_run = 0;
            }
            out.push_str(line);
            out.push('\n');
        }
        while out.ends_with("\n\n") {
            out.pop();
        }
        if out.trim().is_empty() {
            return String::new();
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn normalising_matches_the_line_by_line_rule(text in "[a \\t\\r\\n\u{a0}é]{0,40}") {
            proptest::prop_assert_eq!(normalise(&text), normalise_line_by_line(&text));
        }
    }
}
