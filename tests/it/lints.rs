//! Lints: specs that generate but are probably wrong. Each lint fires on the mistake and stays
//! quiet once it is fixed; warnings go to stderr and do not stop generation, unless
//! `--deny-warnings` makes them errors (exit 2, nothing written). Colour only on a terminal.

use crate::common::*;
use vpcgen::error::Diagnostic;
use vpcgen::model;
use vpcgen::source::SpecFile;

const VPC: &str = "name: lint-check
region: us-east-1
vpc:
  id: vpc-0123456789abcdef0
  cidr: 10.0.0.0/16
  subnets:
    - { id: subnet-0aaa1111bbbb2222c, az: us-east-1a }
    - { id: subnet-0bbb1111cccc2222d, az: us-east-1b }
  route_tables: [rtb-0111aaaa2222bbbb3]
";

/// The warnings of a spec made of the VPC above and `rest`; the spec must be free of errors.
fn warnings(rest: &str) -> Vec<Diagnostic> {
    let file = SpecFile::new("lint.yaml", format!("{VPC}{rest}"));
    match model::load(&file) {
        Ok(vpc) => vpc.warnings,
        Err(e) => panic!("{}", vpcgen::error::render(&e, false)),
    }
}

/// The one warning whose message contains `needle`, with its path.
fn warned(rest: &str, needle: &str) -> Option<(String, String)> {
    let found: Vec<(String, String)> = warnings(rest)
        .into_iter()
        .filter(|d| d.message.contains(needle))
        .map(|d| {
            assert!(d.warning, "{d:?}");
            (d.path, d.message)
        })
        .collect();
    assert!(found.len() <= 1, "{found:?}");
    found.into_iter().next()
}

#[test]
fn ecr_dkr_without_the_s3_gateway() {
    let (path, message) = warned(
        "endpoints: [ecr.api, ecr.dkr]\n",
        "without an S3 gateway endpoint",
    )
    .expect("fires");
    assert_eq!(path, "endpoints[1]");
    assert_eq!(message, "`ecr.dkr` without an S3 gateway endpoint");
    assert!(warned("endpoints: [ecr.api, ecr.dkr, s3]\n", "S3 gateway").is_none());
    // An S3 interface endpoint does not serve image layers to pulls that resolve S3 publicly.
    assert!(
        warned(
            "endpoints: [ecr.api, ecr.dkr, {service: s3, type: interface}]\n",
            "S3 gateway"
        )
        .is_some()
    );
}

#[test]
fn ssm_without_its_message_endpoints() {
    let (path, message) = warned("endpoints: [s3, kms, ssm]\n", "`ssm` without").expect("fires");
    assert_eq!(path, "endpoints[2]");
    assert_eq!(message, "`ssm` without `ssmmessages` and `ec2messages`");
    let (_, message) =
        warned("endpoints: [ssm, ssmmessages]\n", "`ssm` without").expect("one missing");
    assert_eq!(message, "`ssm` without `ec2messages`");
    assert!(
        warned(
            "endpoints: [ssm, ssmmessages, ec2messages]\n",
            "`ssm` without"
        )
        .is_none()
    );
    assert!(warned("endpoints: [{preset: ssm}]\n", "`ssm` without").is_none());
    // Presets that add `ssm` for Parameter Store alone do not need the message endpoints.
    assert!(warned("endpoints: [{preset: lambda-vpc}]\n", "`ssm` without").is_none());
}

#[test]
fn s3_or_dynamodb_interface_without_the_gateway() {
    for key in ["s3", "dynamodb"] {
        let (path, message) = warned(
            &format!("endpoints:\n  - logs\n  - {{ service: {key}, type: interface }}\n"),
            "interface endpoint without",
        )
        .unwrap_or_else(|| panic!("{key}: fires"));
        assert_eq!(path, "endpoints[1]");
        assert_eq!(
            message,
            format!("`{key}` interface endpoint without a `{key}` gateway endpoint")
        );
        assert!(
            warned(
                &format!("endpoints:\n  - {key}\n  - {{ service: {key}, type: interface }}\n"),
                "interface endpoint without",
            )
            .is_none(),
            "{key}: quiet with the gateway"
        );
    }
}

/// `n` interface-only services that accept every default (policy, private DNS, port 443).
fn interface_services(n: usize) -> Vec<&'static str> {
    let keys: Vec<&str> = vpcgen::aws::services()
        .iter()
        .filter(|s| s.interface && !s.gateway && !s.global)
        .filter(|s| {
            s.name_in("us-east-1", s.default_type())
                .contains(".us-east-1.")
        })
        .map(|s| s.key)
        .filter(|k| !matches!(*k, "ssm" | "ecr.dkr"))
        .take(n)
        .collect();
    assert_eq!(keys.len(), n, "the catalogue has fewer interface services");
    keys
}

#[test]
fn more_interface_endpoints_than_the_quota() {
    let quota = vpcgen::aws::INTERFACE_ENDPOINTS_PER_VPC;
    let list = |n: usize| format!("endpoints: [{}]\n", interface_services(n).join(", "));
    let (path, message) = warned(&list(quota + 1), "default quota").expect("fires");
    assert_eq!(path, "endpoints");
    assert_eq!(
        message,
        format!(
            "{} interface endpoints; the default quota is {quota} per VPC",
            quota + 1
        )
    );
    assert!(warned(&list(quota), "default quota").is_none());
}

#[test]
fn a_policy_that_only_denies() {
    let deny = "Statement:\n  - Effect: Deny\n    Principal: \"*\"\n    Action: \"*\"\n    Resource: \"*\"";
    let allow = "  - Effect: Allow\n    Principal: \"*\"\n    Action: \"s3:GetObject\"\n    Resource: \"*\"";
    let indent = |text: &str, n: usize| {
        text.lines()
            .map(|l| format!("{}{l}\n", " ".repeat(n)))
            .collect::<String>()
    };
    // The spec-wide default.
    let (path, message) = warned(
        &format!("endpoints: [s3]\npolicy:\n{}", indent(deny, 2)),
        "only denies",
    )
    .expect("fires on the default policy");
    assert_eq!(
        (path.as_str(), message.as_str()),
        ("policy", "the policy only denies")
    );
    assert!(
        warned(
            &format!(
                "endpoints: [s3]\npolicy:\n{}{}",
                indent(deny, 2),
                indent(allow, 2)
            ),
            "only denies"
        )
        .is_none()
    );
    // One endpoint's own policy.
    let (path, _) = warned(
        &format!(
            "endpoints:\n  - logs\n  - service: s3\n    policy:\n{}",
            indent(deny, 6)
        ),
        "only denies",
    )
    .expect("fires on an endpoint policy");
    assert_eq!(path, "endpoints[1].policy");
}

#[test]
fn other_probable_mistakes() {
    let open = "endpoints: [logs]\nsecurity_group:\n  ingress_cidrs: [0.0.0.0/0]\n";
    let (path, _) = warned(open, "admits any address").expect("0.0.0.0/0 fires");
    assert_eq!(path, "security_group.ingress_cidrs[0]");
    assert!(warned("endpoints: [logs]\n", "admits").is_none());
    // The world in two halves is still the world.
    let halves = "endpoints: [logs]\nsecurity_group:\n  ingress_cidrs: [0.0.0.0/1, 128.0.0.0/1]\n";
    let (path, _) =
        warned(halves, "`0.0.0.0/1` admits 1/2 of all IPv4 addresses").expect("/1 fires");
    assert_eq!(path, "security_group.ingress_cidrs[0]");

    let dkr = "endpoints: [s3, ecr.api, {service: ecr.dkr, private_dns: false}]\n";
    let (path, _) = warned(dkr, "private DNS off").expect("ecr.dkr without private DNS fires");
    assert_eq!(path, "endpoints[2]");
    assert!(warned("endpoints: [s3, ecr.api, ecr.dkr]\n", "private DNS off").is_none());
}

#[test]
fn a_clean_spec_has_no_warnings() {
    assert_eq!(warnings("endpoints: [s3, {preset: ssm}, logs]\n"), vec![]);
}

fn lint_spec(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("lint.yaml");
    std::fs::write(&path, format!("{VPC}endpoints: [ecr.api, ecr.dkr]\n")).unwrap();
    path
}

#[test]
fn warnings_go_to_stderr_and_generation_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = lint_spec(tmp.path());
    let out = tmp.path().join("out");
    let (code, stdout, stderr) = run_in(
        tmp.path(),
        &[
            "generate",
            spec.to_str().unwrap(),
            "--target",
            "terraform",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("⚠"), "{stderr}");
    assert!(
        stderr.contains("`ecr.dkr` without an S3 gateway endpoint"),
        "{stderr}"
    );
    assert!(out.join("main.tf").is_file());
}

#[test]
fn deny_warnings_exits_2_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = lint_spec(tmp.path());
    let out = tmp.path().join("out");
    let (code, stdout, stderr) = run_in(
        tmp.path(),
        &[
            "generate",
            spec.to_str().unwrap(),
            "--target",
            "terraform",
            "--out",
            out.to_str().unwrap(),
            "--deny-warnings",
        ],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(!out.exists(), "--deny-warnings wrote {out:?}");
    assert!(
        stderr.contains("`ecr.dkr` without an S3 gateway endpoint"),
        "{stderr}"
    );
    assert!(
        stderr.contains("1 warning is an error with `--deny-warnings`; nothing was written"),
        "{stderr}"
    );
}

#[test]
fn no_colour_unless_stderr_is_a_terminal() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = lint_spec(tmp.path());
    // Without NO_COLOR: stderr is a pipe here, so the report must still be plain text.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_vpcgen"))
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .args(["generate", spec.to_str().unwrap(), "--target", "terraform"])
        .args(["--out", tmp.path().join("out").to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("ecr.dkr"), "{stderr}");
    assert!(
        !stderr.contains('\u{1b}'),
        "escape codes on a pipe: {stderr:?}"
    );
}
