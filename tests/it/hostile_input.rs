//! Input no one should write but someone will: each case is refused quickly, with a short
//! message and exit code 2, and nothing is written; or, where it is valid, it reaches the output
//! as written. The cases follow the adversarial review of the release binary.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::common::*;

/// `specs/ecs-fargate.yaml` with the first `old` replaced by `new`.
fn variant(old: &str, new: &str) -> String {
    let base = std::fs::read_to_string(root().join("specs/ecs-fargate.yaml")).unwrap();
    assert!(base.contains(old), "{old}");
    base.replacen(old, new, 1)
}

/// Generate `text` (written to `name` in a fresh directory) with `extra` arguments: the exit
/// code, stderr, the time taken, and whether anything was written.
fn generate(name: &str, text: &[u8], extra: &[&str]) -> (i32, String, Duration, bool) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(name), text).unwrap();
    generate_in(dir.path(), name, extra)
}

fn generate_in(dir: &Path, spec: &str, extra: &[&str]) -> (i32, String, Duration, bool) {
    let mut args = vec!["generate", spec, "--target", "all", "--out", "out"];
    args.extend_from_slice(extra);
    let started = Instant::now();
    let (code, _, stderr) = run_in(dir, &args);
    let wrote = dir.join("out").exists();
    (code, stderr, started.elapsed(), wrote)
}

/// The case is refused: exit 2, nothing written, the message says `needle`, in reasonable time
/// and length.
fn refused(case: (i32, String, Duration, bool), needle: &str) {
    let (code, stderr, took, wrote) = case;
    assert_eq!(code, 2, "{stderr}");
    assert!(!wrote, "something was written");
    assert!(stderr.contains(needle), "wanted `{needle}` in:\n{stderr}");
    assert!(took < Duration::from_secs(10), "took {took:?}");
    assert!(stderr.len() < 64 * 1024, "{} bytes of stderr", stderr.len());
}

#[test]
fn policy_keys_a_yaml_1_1_reader_takes_for_booleans_are_quoted() {
    let spec = variant(
        "policy: org-only",
        "policy:\n  Version: '2012-10-17'\n  Statement:\n    - {Effect: Allow, Principal: '*', Action: '*', Resource: '*', Condition: {'Null': {'aws:PrincipalOrgID': 'false'}, Bool: {'yes': 'true'}}}",
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("s.yaml"), &spec).unwrap();
    let (code, _, stderr) = run_in(
        dir.path(),
        &[
            "generate",
            "s.yaml",
            "--target",
            "cloudformation",
            "--out",
            "o",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let template = std::fs::read_to_string(dir.path().join("o/template.yaml")).unwrap();
    assert!(template.contains("\"Null\":"), "{template}");
    assert!(template.contains("\"yes\":"), "{template}");
    assert!(
        !template
            .lines()
            .any(|l| l.trim_start().starts_with("Null:"))
    );
}

#[test]
fn an_existing_vpc_must_have_a_block_aws_could_give_it() {
    for (cidr, says) in [
        ("0.0.0.0/0", "between /16 and /28"),
        ("10.0.0.0/8", "between /16 and /28"),
        ("224.0.0.0/16", "multicast"),
        ("127.0.0.0/16", "loopback"),
        ("169.254.0.0/16", "link-local"),
    ] {
        let spec = variant("cidr: 10.30.0.0/16", &format!("cidr: {cidr}"));
        refused(generate("s.yaml", spec.as_bytes(), &[]), says);
    }
}

#[test]
fn a_very_long_key_or_value_gets_a_short_message() {
    let key = format!("name: a\n{}: v\n", "k".repeat(70_000));
    refused(generate("s.yaml", key.as_bytes(), &[]), "s.yaml:2:");
    let value = variant(
        "  team: checkout",
        &format!("  team: {}", "y".repeat(5_000_000)),
    );
    refused(
        generate("s.yaml", value.as_bytes(), &[]),
        "at most 256 characters",
    );
}

#[test]
fn nesting_on_one_line_is_refused_at_once() {
    let text = format!(
        "endpoints:\n  {}x\nname: a\nregion: us-east-1\n",
        "- ".repeat(80_000)
    );
    refused(
        generate("s.yaml", text.as_bytes(), &[]),
        "nested too deeply",
    );
}

#[cfg(unix)]
#[test]
fn fifos_devices_and_huge_files_are_refused_without_reading_them() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(
        std::process::Command::new("mkfifo")
            .arg(d.join("fifo.yaml"))
            .status()
            .unwrap()
            .success()
    );
    refused(
        generate_in(d, "fifo.yaml", &[]),
        "is a FIFO, not a regular file",
    );
    std::os::unix::fs::symlink("/dev/zero", d.join("zero.yaml")).unwrap();
    refused(generate_in(d, "zero.yaml", &[]), "is a device");
    let sparse = std::fs::File::create(d.join("sparse.yaml")).unwrap();
    sparse.set_len(20 * 1024 * 1024 * 1024).unwrap();
    refused(generate_in(d, "sparse.yaml", &[]), "larger than 8 MiB");
    // Paths that are not files are named for what they are.
    std::fs::write(d.join("plain.yaml"), "x").unwrap();
    refused(generate_in(d, "plain.yaml/x.yaml", &[]), "Not a directory");
    std::os::unix::fs::symlink("loop.yaml", d.join("loop.yaml")).unwrap();
    refused(generate_in(d, "loop.yaml", &[]), "cannot read the spec");
}

/// A template directory `style` holding `files` (path, text) beside the ECS spec.
fn styled(files: &[(&str, &str)]) -> tempfile::TempDir {
    let spec = std::fs::read_to_string(root().join("specs/ecs-fargate.yaml")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("s.yaml"), spec).unwrap();
    for (path, text) in files {
        let p = dir.path().join("style").join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

#[cfg(unix)]
#[test]
fn template_directories_are_walked_within_bounds() {
    let dir = styled(&[("terraform/files/ok.txt.tera", "x")]);
    let style = dir.path().join("style/terraform/files");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(style.join("f.txt.tera"))
            .status()
            .unwrap()
            .success()
    );
    refused(
        generate_in(dir.path(), "s.yaml", &["--templates", "style"]),
        "is a FIFO",
    );
    std::fs::remove_file(style.join("f.txt.tera")).unwrap();
    // Two links to an ancestor: every directory is walked once.
    std::os::unix::fs::symlink("..", style.join("a")).unwrap();
    std::os::unix::fs::symlink("..", style.join("b")).unwrap();
    let (code, stderr, took, _) = generate_in(dir.path(), "s.yaml", &["--templates", "style"]);
    assert!(took < Duration::from_secs(10), "{took:?}");
    assert!(code == 0 || code == 2, "{stderr}");
    let _ = std::fs::remove_dir_all(dir.path().join("out"));
    std::fs::remove_file(style.join("a")).unwrap();
    std::fs::remove_file(style.join("b")).unwrap();
    // Links out of the directory are refused.
    std::os::unix::fs::symlink("/etc/hostname", style.join("leak.txt.tera")).unwrap();
    refused(
        generate_in(dir.path(), "s.yaml", &["--templates", "style"]),
        "outside the template directory",
    );
    std::fs::remove_file(style.join("leak.txt.tera")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", style.join("z.txt.tera")).unwrap();
    refused(
        generate_in(dir.path(), "s.yaml", &["--templates", "style"]),
        "outside the template directory",
    );
    std::fs::remove_file(style.join("z.txt.tera")).unwrap();
    // A directory that is not one of templates is refused, not walked to its end.
    refused(
        generate_in(dir.path(), "s.yaml", &["--templates", "/"]),
        "entries",
    );
    // A hidden template would silently write nothing.
    std::fs::write(style.join(".hidden.tera"), "x").unwrap();
    refused(
        generate_in(dir.path(), "s.yaml", &["--templates", "style"]),
        "is hidden",
    );
}

#[test]
fn an_empty_templates_key_is_refused() {
    let spec = variant("name: ecs-fargate", "name: ecs-fargate\ntemplates: \"\"");
    refused(
        generate("s.yaml", spec.as_bytes(), &[]),
        "`templates:` names no directory",
    );
}

#[test]
fn thousands_of_mistakes_are_reported_quickly_and_counted() {
    let base = std::fs::read_to_string(root().join("specs/ecs-fargate.yaml")).unwrap();
    let head = base.split("endpoints:\n").next().unwrap();
    let many: String = (0..3000).map(|i| format!("  - nosuch{i}\n")).collect();
    let text = format!("{head}endpoints:\n{many}");
    let (code, stderr, took, wrote) = generate("s.yaml", text.as_bytes(), &[]);
    refused(
        (code, stderr.clone(), took, wrote),
        "and 2900 more problems",
    );
    assert!(took < Duration::from_secs(5), "{took:?}");
}

#[test]
fn numbers_in_tags_reach_aws_as_written_or_are_refused() {
    for v in [
        "1.10", "0x1F", "0o17", "1e3", "+1", ".5", "-0", ".nan", ".inf",
    ] {
        let spec = variant("  team: checkout", &format!("  team: {v}"));
        refused(
            generate("s.yaml", spec.as_bytes(), &[]),
            "quote the value to keep it as written",
        );
    }
    for v in ["1234", "true", "\"1.10\"", "'0x1F'", "012345"] {
        let spec = variant("  team: checkout", &format!("  team: {v}"));
        let (code, stderr, _, _) = generate("s.yaml", spec.as_bytes(), &[]);
        assert_eq!(code, 0, "{v}: {stderr}");
    }
    let spec = variant("  team: checkout", "  team: !!binary aGVsbG8=");
    refused(generate("s.yaml", spec.as_bytes(), &[]), "YAML tag");
}

#[test]
fn a_control_character_is_placed_on_its_line() {
    let spec = variant("  team: checkout", "  team: check\u{0}out");
    let line = spec.lines().position(|l| l.contains('\u{0}')).unwrap() + 1;
    refused(
        generate("s.yaml", spec.as_bytes(), &[]),
        &format!("s.yaml:{line}:"),
    );
}

#[test]
fn values_aws_would_reject_are_refused() {
    let tags: String = (0..49).map(|i| format!("  t{i}: v\n")).collect();
    let spec = variant("tags:\n", &format!("tags:\n{tags}"));
    refused(
        generate("s.yaml", spec.as_bytes(), &[]),
        "a resource would carry 54",
    );
    for v in ["\"a\\u202Eb\"", "\"zero\\u200Bwidth\"", "\"bell\\u0007\""] {
        let spec = variant("  team: checkout", &format!("  team: {v}"));
        refused(
            generate("s.yaml", spec.as_bytes(), &[]),
            "invisible or control character",
        );
    }
    let policy = |statement: &str| {
        variant(
            "policy: org-only",
            &format!("policy:\n  Version: '2012-10-17'\n  Statement:\n    - {statement}"),
        )
    };
    refused(
        generate(
            "s.yaml",
            policy("{Effect: Allow, Principal: '*', Action: 5, Resource: '*'}").as_bytes(),
            &[],
        ),
        "`Action` must be text or a list of text",
    );
    refused(
        generate(
            "s.yaml",
            policy("{Effect: Allow, Principal: '*', Action: '*', Resource: {'Fn::Sub': 'arn:x'}}")
                .as_bytes(),
            &[],
        ),
        "`Fn::Sub` is a CloudFormation function",
    );
    refused(
        generate("s.yaml", policy("{Effect: Allow, Principal: '*', Action: '*', Resource: '*', Condition: {NumericLessThan: {'x': .nan}}}").as_bytes(), &[]),
        "no JSON form",
    );
    let traffic = variant(
        "name: ecs-fargate",
        "name: ecs-fargate\ntraffic_gb_per_month: 1e308",
    );
    refused(
        generate("s.yaml", traffic.as_bytes(), &[]),
        "is not a traffic estimate",
    );
}

#[test]
fn templates_that_write_what_does_not_parse_or_without_end_are_stopped() {
    for (path, text, says) in [
        (
            "terraform/files/bad.tf.tera",
            "this is { not hcl",
            "does not parse",
        ),
        (
            "cloudformation/template.yaml.tera",
            "X: [unclosed\n",
            "does not parse",
        ),
        (
            "cloudformation/template.yaml.tera",
            "Resources:\n  A:\n    Null: 1\n",
            "is a boolean or null to a YAML 1.1 reader",
        ),
        (
            "terraform/files/big.txt.tera",
            "{% for i in range(end=100000) %}{% for j in range(end=1000) %}xxxxxxxxxxxxxxxxxxxxxxxx{% endfor %}{% endfor %}",
            "writes more than 16 MiB",
        ),
    ] {
        let dir = styled(&[(path, text)]);
        refused(
            generate_in(dir.path(), "s.yaml", &["--templates", "style"]),
            says,
        );
    }
    let dir = styled(&[(
        "terraform/files/loop.txt.tera",
        "{% for i in range(end=100000) %}{% for j in range(end=100000) %}{% endfor %}{% endfor %}",
    )]);
    let (code, stderr, took, wrote) = generate_in(
        dir.path(),
        "s.yaml",
        &["--templates", "style", "--time-limit", "2"],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("was stopped"), "{stderr}");
    assert!(took < Duration::from_secs(10), "{took:?}");
    assert!(!wrote);
}

#[cfg(unix)]
#[test]
fn eject_never_writes_through_a_link() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let outside = d.join("outside.tera");
    std::fs::create_dir_all(d.join("ej/terraform")).unwrap();
    std::os::unix::fs::symlink(&outside, d.join("ej/terraform/main.tf.tera")).unwrap();
    let (code, _, stderr) = run_in(d, &["templates", "eject", "ej"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(!outside.exists(), "wrote through the dangling link");
    std::fs::create_dir_all(d.join("real")).unwrap();
    std::fs::create_dir_all(d.join("ej2")).unwrap();
    std::os::unix::fs::symlink(d.join("real"), d.join("ej2/terraform")).unwrap();
    let (code, _, stderr) = run_in(d, &["templates", "eject", "ej2"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("is a link"), "{stderr}");
    assert!(std::fs::read_dir(d.join("real")).unwrap().next().is_none());
}
