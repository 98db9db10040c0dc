//! Positions of YAML paths (`endpoints[3].policy`), from the parser's event stream: one walk
//! finds every path a report needs.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, Span, SpannedEventReceiver};

enum Frame {
    Map {
        path: String,
        expecting_key: bool,
        key: Option<String>,
        /// Keys so far, with where each stands.
        seen: Vec<(String, Span)>,
    },
    Seq {
        path: String,
        index: usize,
    },
}

/// A path wanted, and whether its mapping key (rather than its value) is what is wanted.
type Wanted = (String, bool);

struct Finder<'a> {
    /// Each path wanted, to its slot in `found`.
    targets: HashMap<&'a str, Vec<(bool, usize)>>,
    stack: Vec<Frame>,
    found: Vec<Option<Span>>,
    /// The first key repeated within one mapping: its path, first and second appearance.
    duplicate: Option<(String, Span, Span)>,
}

fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

impl Finder<'_> {
    /// The path of the node starting now, or `None` when a mapping key is starting.
    fn node_path(&mut self) -> Option<String> {
        match self.stack.last_mut() {
            None => Some(String::new()),
            Some(Frame::Seq { path, index }) => {
                let p = format!("{path}[{index}]");
                *index += 1;
                Some(p)
            }
            Some(Frame::Map {
                path,
                expecting_key,
                key,
                ..
            }) => {
                if *expecting_key {
                    None
                } else {
                    *expecting_key = true;
                    Some(join(path, key.as_deref().unwrap_or("?")))
                }
            }
        }
    }

    /// The first appearance of a wanted path counts: for a value, `key` is false.
    fn record(&mut self, path: &str, key: bool, span: Span) {
        if let Some(slots) = self.targets.get(path) {
            for &(want_key, i) in slots {
                if want_key == key && self.found[i].is_none() {
                    self.found[i] = Some(span);
                }
            }
        }
    }
}

impl<'i> SpannedEventReceiver<'i> for Finder<'_> {
    fn on_event(&mut self, ev: Event<'i>, span: Span) {
        match ev {
            Event::Scalar(value, ..) => match self.node_path() {
                Some(p) => self.record(&p, false, span),
                None => {
                    let mut full_key = None;
                    if let Some(Frame::Map {
                        path,
                        expecting_key,
                        key,
                        seen,
                    }) = self.stack.last_mut()
                    {
                        let full = join(path, &value);
                        *expecting_key = false;
                        match seen.iter().find(|(k, _)| *k == value) {
                            Some((_, first)) => {
                                if self.duplicate.is_none() {
                                    self.duplicate = Some((full.clone(), *first, span));
                                }
                            }
                            None => seen.push((value.to_string(), span)),
                        }
                        *key = Some(value.into_owned());
                        full_key = Some(full);
                    }
                    if let Some(full) = full_key {
                        self.record(&full, true, span);
                    }
                }
            },
            Event::MappingStart(..) => {
                let p = self.node_path().unwrap_or_default();
                self.record(&p, false, span);
                self.stack.push(Frame::Map {
                    path: p,
                    expecting_key: true,
                    key: None,
                    seen: Vec::new(),
                });
            }
            Event::SequenceStart(..) => {
                let p = self.node_path().unwrap_or_default();
                self.record(&p, false, span);
                self.stack.push(Frame::Seq { path: p, index: 0 });
            }
            Event::Alias(..) => match self.node_path() {
                Some(p) => self.record(&p, false, span),
                // An alias used as a key: the value that follows is not a key.
                None => {
                    if let Some(Frame::Map {
                        expecting_key, key, ..
                    }) = self.stack.last_mut()
                    {
                        *expecting_key = false;
                        *key = Some("*".to_owned());
                    }
                }
            },
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

fn walk<'a>(text: &str, wanted: &'a [Wanted]) -> Finder<'a> {
    let mut targets: HashMap<&str, Vec<(bool, usize)>> = HashMap::new();
    for (i, (path, key)) in wanted.iter().enumerate() {
        targets.entry(path.as_str()).or_default().push((*key, i));
    }
    let mut finder = Finder {
        targets,
        stack: Vec::new(),
        found: vec![None; wanted.len()],
        duplicate: None,
    };
    // Event by event rather than `Parser::load`, which recurses once per nesting level and
    // overflows the stack on deeply nested input. A syntax error part-way still leaves
    // whatever was found before it.
    for event in Parser::new_from_str(text) {
        match event {
            Ok((ev, span)) => finder.on_event(ev, span),
            Err(_) => break,
        }
    }
    finder
}

/// Start and end byte offsets in the spec's text.
pub(super) type ByteRange = (usize, usize);

/// Byte offsets of the given character offsets, in one pass over the text.
fn char_to_byte(text: &str, chars: &[usize]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..chars.len()).collect();
    order.sort_by_key(|&i| chars[i]);
    let mut out = vec![text.len(); chars.len()];
    let mut indices = text.char_indices().enumerate();
    let mut next = indices.next();
    for i in order {
        while let Some((n, (byte, _))) = next {
            if n == chars[i] {
                out[i] = byte;
                break;
            }
            next = indices.next();
        }
    }
    out
}

fn bytes_of(text: &str, spans: &[Span]) -> Vec<ByteRange> {
    let offsets: Vec<usize> = spans
        .iter()
        .flat_map(|s| [s.start.index(), s.end.index()])
        .collect();
    char_to_byte(text, &offsets)
        .chunks(2)
        .map(|se| (se[0], se[1].max(se[0])))
        .collect()
}

/// Byte ranges of each wanted path in `text` (with `key`, of the mapping key that names it),
/// for the paths that are there.
pub(super) fn find_all(text: &str, wanted: &[Wanted]) -> HashMap<Wanted, ByteRange> {
    let found = walk(text, wanted).found;
    let spans: Vec<(usize, Span)> = found
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.map(|s| (i, s)))
        .collect();
    let ranges = bytes_of(text, &spans.iter().map(|(_, s)| *s).collect::<Vec<_>>());
    spans
        .iter()
        .zip(ranges)
        .map(|((i, _), r)| (wanted[*i].clone(), r))
        .collect()
}

/// Byte range of `path` in `text`; with `key`, of the mapping key that names it.
pub(super) fn find(text: &str, path: &str, key: bool) -> Option<ByteRange> {
    let wanted = [(path.to_owned(), key)];
    find_all(text, &wanted).remove(&wanted[0])
}

/// The first key that appears twice in one mapping: its path and the byte ranges of its
/// first and second appearances.
pub(super) fn first_duplicate(text: &str) -> Option<(String, ByteRange, ByteRange)> {
    let (path, first, second) = walk(text, &[]).duplicate?;
    let r = bytes_of(text, &[first, second]);
    Some((path, r[0], r[1]))
}
