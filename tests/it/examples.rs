//! Every example spec, both targets: a snapshot of the exact output, the output parses (HCL with
//! a real parser, CloudFormation as YAML), it follows the endpoint rules, and the committed
//! `examples/` directory matches what the code generates today.

use crate::common::*;
use serde_json::Value;
use vpcgen::render::Target;

fn joined(files: &[vpcgen::output::OutputFile]) -> String {
    files
        .iter()
        .map(|f| format!("=== {} ===\n{}", f.path, f.contents))
        .collect::<Vec<_>>()
        .join("\n")
}

fn snapshot_name(spec: &str, target: Target) -> String {
    let stem = spec.trim_start_matches("specs/").trim_end_matches(".yaml");
    format!("{stem}__{target}")
}

#[test]
fn snapshots_of_every_example() {
    let each_target = example_specs()
        .into_iter()
        .flat_map(|spec| Target::ALL.map(|t| (spec.clone(), t)));
    each(each_target, |(spec, target)| {
        let files = render_spec(spec, *target);
        insta::assert_snapshot!(snapshot_name(spec, *target), joined(&files));
    });
}

#[test]
fn terraform_parses_and_follows_the_rules() {
    for spec in example_specs() {
        let files = render_spec(&spec, Target::Terraform);
        let body = parse_tf(&files);
        let associations: Vec<&str> = resources(&body, "aws_vpc_endpoint_route_table_association")
            .map(|(n, _)| n)
            .collect();
        let mut endpoints = 0;
        for (name, ep) in resources(&body, "aws_vpc_endpoint") {
            endpoints += 1;
            let kind = attr(ep, "vpc_endpoint_type")
                .unwrap_or_else(|| panic!("{spec}: {name} has no explicit type"));
            let kind = kind.to_string();
            if kind.contains("Interface") {
                for a in ["subnet_ids", "security_group_ids", "private_dns_enabled"] {
                    assert!(attr(ep, a).is_some(), "{spec}: interface {name} lacks {a}");
                }
                assert!(
                    attr(ep, "route_table_ids").is_none(),
                    "{spec}: interface {name} has route tables"
                );
            } else {
                assert!(kind.contains("Gateway"), "{spec}: {name}: {kind}");
                for a in [
                    "subnet_ids",
                    "security_group_ids",
                    "private_dns_enabled",
                    "route_table_ids",
                ] {
                    assert!(attr(ep, a).is_none(), "{spec}: gateway {name} sets {a}");
                }
                assert!(
                    associations.contains(&name),
                    "{spec}: gateway {name} has no route-table association"
                );
            }
        }
        assert!(endpoints > 0, "{spec}: no endpoints");
    }
}

fn policy_supported(service_name: &str) -> bool {
    let key = vpcgen::aws::services()
        .iter()
        .filter(|s| {
            service_name.ends_with(s.key) || service_name.ends_with(&format!("{}.cn", s.key))
        })
        .max_by_key(|s| s.key.len())
        .unwrap_or_else(|| panic!("{service_name} matches no catalogue key"));
    key.policy
}

#[test]
fn cloudformation_parses_and_follows_the_rules() {
    for spec in example_specs() {
        let files = render_spec(&spec, Target::CloudFormation);
        let template = parse_cfn(&files);
        let resources = template["Resources"].as_object().expect("Resources");
        for (id, r) in resources {
            if r["Type"] != "AWS::EC2::VPCEndpoint" {
                continue;
            }
            let p = &r["Properties"];
            let kind = p["VpcEndpointType"]
                .as_str()
                .unwrap_or_else(|| panic!("{spec}: {id} has no explicit type"));
            match kind {
                "Interface" => {
                    for a in ["SubnetIds", "SecurityGroupIds", "PrivateDnsEnabled"] {
                        assert!(!p[a].is_null(), "{spec}: interface {id} lacks {a}");
                    }
                    assert!(
                        p["RouteTableIds"].is_null(),
                        "{spec}: interface {id} has route tables"
                    );
                }
                "Gateway" => {
                    assert!(
                        !p["RouteTableIds"].is_null(),
                        "{spec}: gateway {id} has no route tables"
                    );
                    for a in [
                        "SubnetIds",
                        "SecurityGroupIds",
                        "PrivateDnsEnabled",
                        "DnsOptions",
                    ] {
                        assert!(p[a].is_null(), "{spec}: gateway {id} sets {a}");
                    }
                }
                other => panic!("{spec}: {id}: type {other}"),
            }
            let name = p["ServiceName"].as_str().unwrap();
            assert_eq!(
                !p["PolicyDocument"].is_null(),
                policy_supported(name),
                "{spec}: {id} policy presence"
            );
            if let Value::Object(doc) = &p["PolicyDocument"] {
                let statements = doc["Statement"].as_array().unwrap();
                assert!(
                    statements.iter().all(|s| !s["Principal"].is_null()),
                    "{spec}: {id}: statement without Principal"
                );
            }
        }
    }
}

#[test]
fn committed_examples_are_current() {
    let (code, stdout, stderr) = run_in(
        &root(),
        &[
            "generate", "specs", "--target", "all", "--out", "examples", "--check",
        ],
    );
    assert_eq!(
        code, 0,
        "examples/ is stale; run `vpcgen generate specs --target all --out examples`\n{stdout}\n{stderr}"
    );
}

#[test]
fn output_is_deterministic() {
    for spec in example_specs() {
        for target in Target::ALL {
            assert_eq!(
                render_spec(&spec, target),
                render_spec(&spec, target),
                "{spec} {target}"
            );
        }
    }
}
