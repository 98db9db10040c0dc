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
            // What each type takes and refuses (CloudFormation's property descriptions and the
            // provider's ConflictsWith, gathered in the PrivateLink constraints).
            let (takes, refuses): (&[&str], &[&str]) = if kind.contains("GatewayLoadBalancer") {
                (
                    &["service_name", "subnet_ids", "for_each"],
                    &[
                        "security_group_ids",
                        "private_dns_enabled",
                        "policy",
                        "route_table_ids",
                    ],
                )
            } else if kind.contains("ServiceNetwork") {
                (
                    &["service_network_arn", "subnet_ids", "security_group_ids"],
                    &[
                        "service_name",
                        "resource_configuration_arn",
                        "policy",
                        "route_table_ids",
                    ],
                )
            } else if kind.contains("Resource") {
                (
                    &[
                        "resource_configuration_arn",
                        "subnet_ids",
                        "security_group_ids",
                    ],
                    &[
                        "service_name",
                        "service_network_arn",
                        "policy",
                        "route_table_ids",
                    ],
                )
            } else if kind.contains("Interface") {
                (
                    &[
                        "service_name",
                        "subnet_ids",
                        "security_group_ids",
                        "private_dns_enabled",
                    ],
                    &[
                        "route_table_ids",
                        "resource_configuration_arn",
                        "service_network_arn",
                    ],
                )
            } else {
                assert!(kind.contains("Gateway"), "{spec}: {name}: {kind}");
                assert!(
                    associations.contains(&name),
                    "{spec}: gateway {name} has no route-table association"
                );
                (
                    &["service_name"],
                    &[
                        "subnet_ids",
                        "security_group_ids",
                        "private_dns_enabled",
                        "route_table_ids",
                        "service_region",
                    ],
                )
            };
            for a in takes {
                assert!(attr(ep, a).is_some(), "{spec}: {kind} {name} lacks {a}");
            }
            for a in refuses {
                assert!(attr(ep, a).is_none(), "{spec}: {kind} {name} sets {a}");
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
            let (takes, refuses): (&[&str], &[&str]) = match kind {
                "Interface" => (
                    &[
                        "ServiceName",
                        "SubnetIds",
                        "SecurityGroupIds",
                        "PrivateDnsEnabled",
                    ],
                    &[
                        "RouteTableIds",
                        "ResourceConfigurationArn",
                        "ServiceNetworkArn",
                    ],
                ),
                "Gateway" => (
                    &["ServiceName", "RouteTableIds"],
                    &[
                        "SubnetIds",
                        "SecurityGroupIds",
                        "PrivateDnsEnabled",
                        "DnsOptions",
                        "ServiceRegion",
                    ],
                ),
                "GatewayLoadBalancer" => (
                    &["ServiceName", "SubnetIds"],
                    &[
                        "SecurityGroupIds",
                        "PrivateDnsEnabled",
                        "PolicyDocument",
                        "RouteTableIds",
                        "DnsOptions",
                    ],
                ),
                "Resource" => (
                    &["ResourceConfigurationArn", "SubnetIds", "SecurityGroupIds"],
                    &[
                        "ServiceName",
                        "ServiceNetworkArn",
                        "PolicyDocument",
                        "RouteTableIds",
                    ],
                ),
                "ServiceNetwork" => (
                    &["ServiceNetworkArn", "SubnetIds", "SecurityGroupIds"],
                    &[
                        "ServiceName",
                        "ResourceConfigurationArn",
                        "PolicyDocument",
                        "RouteTableIds",
                    ],
                ),
                other => panic!("{spec}: {id}: type {other}"),
            };
            for a in takes {
                assert!(!p[a].is_null(), "{spec}: {kind} {id} lacks {a}");
            }
            for a in refuses {
                assert!(p[a].is_null(), "{spec}: {kind} {id} sets {a}");
            }
            if kind == "GatewayLoadBalancer" {
                assert_eq!(
                    p["SubnetIds"].as_array().map(Vec::len),
                    Some(1),
                    "{spec}: {id}: a Gateway Load Balancer endpoint has exactly one subnet"
                );
            }
            // Endpoint services' policies are their providers' to define; VPC Lattice takes none.
            let Some(name) = p["ServiceName"]
                .as_str()
                .filter(|n| !n.starts_with("com.amazonaws.vpce."))
            else {
                continue;
            };
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
