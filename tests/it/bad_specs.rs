//! The corpus of bad specs in `tests/bad_specs/`: each one, run through the real binary, exits 2,
//! writes nothing, and explains itself. The explanations are snapshots, one per file, reviewed
//! like code: each must point at the right line and YAML path and say how to fix the mistake that
//! the file's first-line `# mistake:` comment describes.

use std::path::Path;

use crate::common::*;

fn corpus() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root().join("tests/bad_specs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml"))
        .collect();
    names.sort();
    names
}

fn is_empty_dir(dir: &Path) -> bool {
    !dir.exists() || std::fs::read_dir(dir).unwrap().next().is_none()
}

#[test]
fn every_bad_spec_fails_with_an_explanation_and_writes_nothing() {
    let names = corpus();
    assert!(names.len() >= 52, "the corpus shrank: {}", names.len());
    each(names, |name| {
        let rel = format!("tests/bad_specs/{name}");
        let text = std::fs::read_to_string(root().join(&rel)).unwrap();
        let mistake = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# mistake: "))
            .unwrap_or_else(|| panic!("{rel} does not open with a `# mistake:` comment"))
            .to_owned();

        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let (code, stdout, stderr) = run_in(
            &root(),
            &[
                "generate",
                &rel,
                "--target",
                "terraform",
                "--out",
                out.to_str().unwrap(),
            ],
        );
        assert_eq!(code, 2, "{rel}: exit code\n{stderr}");
        assert!(stdout.is_empty(), "{rel}: wrote to stdout:\n{stdout}");
        assert!(
            is_empty_dir(&out),
            "{rel}: something was written to {out:?}"
        );
        assert!(
            stderr.contains(&format!("{rel}:")),
            "{rel}: the message does not name the file\n{stderr}"
        );
        assert!(
            stderr.contains("help: "),
            "{rel}: no help line names the fix\n{stderr}"
        );
        let stderr = stderr.replace(&tmp.path().to_string_lossy().into_owned(), "[TMP]");
        let snapshot = name.trim_end_matches(".yaml").to_owned();
        insta::with_settings!({ description => mistake, omit_expression => true }, {
            insta::assert_snapshot!(snapshot, stderr);
        });
    });
}

#[test]
fn every_problem_of_a_spec_is_reported_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, _, stderr) = run_in(
        &root(),
        &[
            "generate",
            "tests/bad_specs/52-many-mistakes.yaml",
            "--target",
            "terraform",
            "--out",
            tmp.path().join("out").to_str().unwrap(),
        ],
    );
    assert_eq!(code, 2);
    assert_eq!(stderr.matches("  × ").count(), 4, "{stderr}");
    assert!(stderr.contains("4 problems in"), "{stderr}");
    let lines: Vec<usize> = stderr
        .lines()
        .filter_map(|l| {
            l.trim_start()
                .strip_prefix("× tests/bad_specs/52-many-mistakes.yaml:")
        })
        .map(|rest| rest.split(':').next().unwrap().parse().unwrap())
        .collect();
    let mut sorted = lines.clone();
    sorted.sort();
    assert_eq!(lines, sorted, "problems are reported top to bottom");
}
