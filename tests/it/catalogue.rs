//! The catalogue, Regions, partitions and presets: counts, names per partition, ports, policy
//! ARNs, preset expansion, and `vpcgen services` as a newcomer uses it.

use crate::common::*;
use vpcgen::aws::{self, EndpointType};
use vpcgen::render::Target;
use vpcgen::source::SpecFile;
use vpcgen::{model, plan};

#[test]
fn the_catalogue_holds_every_known_service() {
    let services = aws::services();
    assert_eq!(services.len(), 402);
    assert_eq!(services.iter().filter(|s| s.gateway).count(), 3);
    assert_eq!(
        services
            .iter()
            .filter(|s| s.gateway && !s.interface)
            .map(|s| s.key)
            .collect::<Vec<_>>(),
        ["s3express"]
    );
    assert_eq!(services.iter().filter(|s| !s.policy).count(), 39);
    assert!(!aws::service("cloudtrail").unwrap().policy);
    assert!(aws::service("sqs").unwrap().policy);
}

#[test]
fn keys_and_az_names_need_no_quoting() {
    // The built-in templates write service keys and AZ names inside quoted YAML and HCL strings
    // as they are; that is only right while they hold nothing a quote would have to escape.
    let plain = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
    };
    for s in aws::services() {
        assert!(plain(s.key), "service key `{}`", s.key);
    }
    for r in aws::regions() {
        assert!(plain(r.name), "Region `{}`", r.name);
        for az in r.az_names() {
            assert!(plain(&az), "AZ `{az}`");
        }
    }
}

#[test]
fn service_names_are_right_in_every_partition() {
    let name = |key: &str, region: &str| {
        let s = aws::service(key).unwrap();
        s.name_in(region, s.default_type())
    };
    let interface = |key: &str, region: &str| {
        aws::service(key)
            .unwrap()
            .name_in(region, EndpointType::Interface)
    };
    // Commercial, GovCloud, global and non-default prefixes.
    assert_eq!(
        name("ecr.dkr", "us-east-1"),
        "com.amazonaws.us-east-1.ecr.dkr"
    );
    assert_eq!(
        name("ssm", "us-gov-east-1"),
        "com.amazonaws.us-gov-east-1.ssm"
    );
    assert_eq!(name("iam", "eu-west-1"), "com.amazonaws.iam");
    assert_eq!(name("route53", "us-east-1"), "com.amazonaws.route53");
    assert_eq!(
        name("s3-global.accesspoint", "us-east-1"),
        "com.amazonaws.s3-global.accesspoint"
    );
    assert_eq!(
        name("studio", "eu-central-1"),
        "aws.sagemaker.eu-central-1.studio"
    );
    assert_eq!(
        name("qbusiness", "us-west-2"),
        "aws.api.us-west-2.qbusiness"
    );
    assert_eq!(
        name("cassandra-streams", "us-east-1"),
        "api.aws.us-east-1.cassandra-streams"
    );
    // China: per-Region prefixes, and transcribe's suffix.
    assert_eq!(
        name("ecr.api", "cn-north-1"),
        "cn.com.amazonaws.cn-north-1.ecr.api"
    );
    assert_eq!(name("kms", "cn-north-1"), "com.amazonaws.cn-north-1.kms");
    // China prefixes are the interface names' (CDK's interface table); gateway names have none
    // (CDK's gateway table), so the S3 gateway and interface names differ there.
    assert_eq!(name("s3", "cn-north-1"), "com.amazonaws.cn-north-1.s3");
    assert_eq!(
        interface("s3", "cn-north-1"),
        "cn.com.amazonaws.cn-north-1.s3"
    );
    assert_eq!(
        name("dynamodb", "cn-northwest-1"),
        "com.amazonaws.cn-northwest-1.dynamodb"
    );
    assert_eq!(
        name("transcribe", "cn-north-1"),
        "cn.com.amazonaws.cn-north-1.transcribe.cn"
    );
    assert_eq!(
        name("account", "cn-northwest-1"),
        "cn.com.amazonaws.cn-northwest-1.account"
    );
    assert_eq!(
        name("account", "cn-north-1"),
        "com.amazonaws.cn-north-1.account"
    );
    // ISO and European Sovereign Cloud.
    assert_eq!(
        name("transcribe", "us-iso-east-1"),
        "gov.ic.c2s.us-iso-east-1.transcribe"
    );
    assert_eq!(
        name("ecr.dkr", "eusc-de-east-1"),
        "eu.amazonaws.eusc-de-east-1.ecr.dkr"
    );
}

#[test]
fn regions_know_their_partition() {
    assert_eq!(aws::region("cn-north-1").unwrap().partition, "aws-cn");
    assert_eq!(
        aws::region("us-gov-west-1").unwrap().partition,
        "aws-us-gov"
    );
    assert_eq!(aws::region("us-iso-east-1").unwrap().partition, "aws-iso");
    assert_eq!(aws::region("eu-west-1").unwrap().partition, "aws");
    assert!(aws::region("us-east-7").is_none());
}

fn vpc(text: &str) -> model::Vpc {
    model::load(&SpecFile::new("t.yaml", text))
        .unwrap_or_else(|e| panic!("{}", vpcgen::error::render(&e, false)))
}

const EXISTING: &str = "vpc:
  cidr: 10.0.0.0/16
  subnets: [{ id: subnet-0a1b2c3d4e5f60718, az: REGIONa }, { id: subnet-0b1b2c3d4e5f60718, az: REGIONb }]
  route_tables: [rtb-0a1b2c3d4e5f60718]
";

fn spec(region: &str, endpoints: &str, extra: &str) -> String {
    format!(
        "name: t\nregion: {region}\n{}endpoints:\n{endpoints}{extra}",
        EXISTING.replace("REGION", region)
    )
}

#[test]
fn policy_arns_use_the_partition() {
    let text = spec(
        "cn-north-1",
        "  - preset: ecr\n",
        "policy: org-only\norg_id: o-a1b2c3d4e5\n",
    );
    let tf = render_text(&text, Target::Terraform);
    let main = file(&tf, "main.tf");
    assert!(
        main.contains("arn:aws-cn:s3:::prod-cn-north-1-starport-layer-bucket/*"),
        "{main}"
    );
    assert!(!main.contains("arn:aws:"), "{main}");
}

#[test]
fn non_https_services_open_their_ports() {
    let p = plan::build(&vpc(&spec(
        "us-east-1",
        "  - cassandra\n  - email-smtp\n  - sqs\n",
        "",
    )));
    let sg = p.security_group.unwrap();
    let ports: Vec<u16> = sg.rules.iter().map(|r| r.from_port).collect();
    assert_eq!(ports, [25, 443, 465, 587, 2465, 2587, 9142]);
    let cassandra = p.endpoints.iter().find(|e| &*e.key == "cassandra").unwrap();
    assert_eq!(&*cassandra.ports, [9142]);
}

/// One line per endpoint: key, type, policy and why it is there.
fn expansion(text: &str) -> String {
    let v = vpc(text);
    v.endpoints
        .iter()
        .map(|e| {
            format!(
                "{} {} private_dns={} reasons={:?}",
                e.key,
                e.kind.lower(),
                e.private_dns,
                e.reasons
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn presets_expand_to_their_endpoints() {
    for p in aws::presets() {
        let text = spec("us-east-1", &format!("  - preset: {}\n", p.name), "");
        insta::assert_snapshot!(format!("preset_{}", p.name), expansion(&text));
    }
}

#[test]
fn explicit_entries_win_over_presets_and_appear_once() {
    let text = spec(
        "us-east-1",
        "  - preset: ecr\n  - service: ecr.dkr\n    policy: full-access\n  - preset: ecs-fargate\n",
        "policy: org-only\norg_id: o-a1b2c3d4e5\n",
    );
    let v = vpc(&text);
    let dkr: Vec<&model::Endpoint> = v.endpoints.iter().filter(|e| e.key == "ecr.dkr").collect();
    assert_eq!(dkr.len(), 1);
    assert_eq!(dkr[0].policy, Some(model::PolicyChoice::FullAccess));
    assert_eq!(dkr[0].reasons[0], model::Reason::Listed);
    assert_eq!(dkr[0].reasons.len(), 3, "{:?}", dkr[0].reasons);
    let s3: Vec<&model::Endpoint> = v.endpoints.iter().filter(|e| e.key == "s3").collect();
    assert_eq!(s3.len(), 1);
    assert_eq!(s3[0].kind, EndpointType::Gateway);
    assert_eq!(s3[0].policy, Some(model::PolicyChoice::OrgOnly));
}

#[test]
fn ssm_agent_buckets_are_admitted_behind_a_restrictive_s3_policy() {
    let text = spec(
        "me-south-1",
        "  - s3\n  - preset: ssm\n",
        "policy: org-only\norg_id: o-a1b2c3d4e5\n",
    );
    let cfn = parse_cfn(&render_text(&text, Target::CloudFormation));
    let doc = &cfn["Resources"]["S3Endpoint"]["Properties"]["PolicyDocument"];
    let sids: Vec<&str> = doc["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["Sid"].as_str().unwrap())
        .collect();
    assert_eq!(
        sids,
        ["AllowOrganizationPrincipals", "AllowSsmAgentBuckets"]
    );
    // Interface endpoints keep the plain org-only policy.
    let ssm = &cfn["Resources"]["SsmEndpoint"]["Properties"]["PolicyDocument"]["Statement"];
    assert_eq!(ssm.as_array().unwrap().len(), 1);
}

fn all_services_spec() -> String {
    std::fs::read_to_string(root().join("tests/all-services/spec.yaml")).unwrap()
}

#[test]
fn the_all_services_spec_lists_every_entry_with_every_type() {
    let v = vpc(&all_services_spec());
    for s in aws::services() {
        for kind in [EndpointType::Gateway, EndpointType::Interface] {
            let present = v.endpoints.iter().any(|e| e.is(s.key, kind));
            assert_eq!(present, s.offers(kind), "{} {kind:?}", s.key);
        }
    }
}

#[test]
fn every_catalogue_entry_renders_in_both_targets() {
    let text = all_services_spec();
    let tf = render_text(&text, Target::Terraform);
    let body = parse_tf(&tf);
    assert_eq!(resources(&body, "aws_vpc_endpoint").count(), 404);
    let cfn = parse_cfn(&render_text(&text, Target::CloudFormation));
    let endpoints = cfn["Resources"]
        .as_object()
        .unwrap()
        .values()
        .filter(|r| r["Type"] == "AWS::EC2::VPCEndpoint")
        .count();
    assert_eq!(endpoints, 404);
    let main = file(&tf, "main.tf");
    for s in aws::services() {
        assert!(
            main.contains(&format!("\"{}\"", s.name_in("us-east-1", s.default_type()))),
            "{}",
            s.key
        );
    }
}

#[test]
fn services_answers_what_is_the_key_for_systems_manager() {
    let (code, out, _) = run_in(&root(), &["services", "systems manager"]);
    assert_eq!(code, 0);
    let first = out.lines().nth(1).unwrap();
    assert!(
        first.starts_with("ec2messages ") || first.starts_with("ssm"),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("ssm ") && l.contains("com.amazonaws.us-east-1.ssm")),
        "{out}"
    );
    let (code, out, _) = run_in(
        &root(),
        &[
            "services",
            "ecr",
            "--region",
            "cn-north-1",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0);
    let list: serde_json::Value = serde_json::from_str(&out).unwrap();
    let api = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == "ecr.api")
        .unwrap();
    assert_eq!(api["service_name"], "cn.com.amazonaws.cn-north-1.ecr.api");
    assert_eq!(api["types"], serde_json::json!(["interface"]));
}

#[test]
fn services_lists_presets_and_regions() {
    let (code, out, _) = run_in(&root(), &["services", "--presets"]);
    assert_eq!(code, 0);
    for p in aws::presets() {
        assert!(out.contains(&format!("{}: ", p.name)), "{out}");
    }
    let (code, out, _) = run_in(&root(), &["services", "--regions"]);
    assert_eq!(code, 0);
    assert!(
        out.lines()
            .any(|l| l.starts_with("cn-north-1") && l.contains("aws-cn")),
        "{out}"
    );
    let (code, _, err) = run_in(&root(), &["services", "--region", "eu-west1"]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `eu-west-1`"), "{err}");
}

#[test]
fn a_reader_that_stops_early_is_not_an_error() {
    // `vpcgen services --format json | head -c1`: the pipe closes before the listing is out.
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(r#""$0" services --format json | head -c1; exit "${PIPESTATUS[0]}""#)
        .arg(env!("CARGO_BIN_EXE_vpcgen"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(out.stdout, b"[");
    assert!(stderr.is_empty(), "{stderr}");
}
