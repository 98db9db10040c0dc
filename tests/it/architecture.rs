//! The shape of `src/`: the stages import one way (each only those below it), every file opens
//! with a `//!` line saying what it owns, and nothing reaches for `unsafe` or `std::arch`.

use std::path::{Path, PathBuf};

use crate::common::root;

/// The modules of the crate, lowest first: a module may import only modules before it.
const LAYERS: &[&str] = &[
    "source", "error", "memo", "aws", "naming", "spec", "model", "plan", "output", "render",
    "views", "pipeline", "cli",
];

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file of `src/` belongs to (`None` for `lib.rs` and `main.rs`).
fn module_of(rel: &Path) -> Option<String> {
    let first = rel
        .components()
        .next()?
        .as_os_str()
        .to_string_lossy()
        .into_owned();
    let name = first.trim_end_matches(".rs").to_owned();
    (name != "lib" && name != "main").then_some(name)
}

/// The crate modules a file names as `crate::<module>`.
fn imports(text: &str) -> Vec<String> {
    text.match_indices("crate::")
        .map(|(at, m)| {
            text[at + m.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect::<String>()
        })
        .filter(|m| !m.is_empty())
        .collect()
}

#[test]
fn stages_import_only_the_stages_below_them() {
    let src = root().join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut wrong = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(&src).unwrap();
        let Some(module) = module_of(rel) else {
            continue;
        };
        let rank = |m: &str| LAYERS.iter().position(|l| *l == m);
        let own = rank(&module).unwrap_or_else(|| panic!("`{module}` is not in LAYERS"));
        let text = std::fs::read_to_string(file).unwrap();
        for dep in imports(&text) {
            if dep == module {
                continue;
            }
            match rank(&dep) {
                Some(r) if r < own => {}
                _ => wrong.push(format!("{} imports `{dep}`", rel.display())),
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the layers:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn every_file_says_what_it_owns_and_none_is_unsafe() {
    let src = root().join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        assert!(
            text.starts_with("//!"),
            "{} does not open with `//!`",
            file.display()
        );
        for word in ["unsafe", "std::arch"] {
            let code = text.lines().filter(|l| !l.trim_start().starts_with("//"));
            assert!(
                !code.into_iter().any(|l| l.contains(word)),
                "{} uses `{word}`",
                file.display()
            );
        }
    }
}

#[test]
fn the_layer_test_sees_a_wrong_import() {
    // The check above must be able to fail: a model file naming the pipeline is caught.
    assert_eq!(imports("use crate::pipeline::Settings;"), ["pipeline"]);
    assert_eq!(
        module_of(Path::new("model/endpoints.rs")).as_deref(),
        Some("model")
    );
    assert_eq!(module_of(Path::new("lib.rs")), None);
}
